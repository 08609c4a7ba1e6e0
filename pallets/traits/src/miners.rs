//! The miner-registry seam: which miner runs a job, on what terms, and how it ended for it.

use aitbc_primitives::UnitType;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// The terms a job is run under: who runs it, who is paid, at what price.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct MinerTerms<AccountId, Balance> {
	/// The operator key that acknowledges, signs and submits.
	pub operator: AccountId,
	/// The owner paid for the work.
	pub owner: AccountId,
	/// How the job is billed.
	pub unit_type: UnitType,
	/// Price per unit.
	pub unit_price: Balance,
}

/// How a job ended for the miner that held it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JobOutcome {
	/// It delivered a result. `rated`: the job counts for reputation (its protocol fee reached
	/// the governed `min_fee` and its client is neither the miner's owner nor its operator).
	Completed { rated: bool },
	/// It reported that it could not run the job (backend error, unknown model...).
	Failed,
	/// It missed the ack or result deadline: reputation falls, stake is slashed.
	Missed,
	/// The job ended for a reason not the miner's (client cancel, TTL): no judgement.
	Released,
}

/// What a job asks of a miner.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JobNeeds<'a, Balance> {
	/// The model id.
	pub model: &'a [u8],
	/// Most output tokens.
	pub max_tokens: u32,
	/// Most the client pays.
	pub max_price: Balance,
	/// Least reputation.
	pub min_reputation: Perbill,
}

impl<'a, Balance: sp_runtime::traits::Bounded> JobNeeds<'a, Balance> {
	/// A job on `model` at any price from any miner: whether anyone can take a job of the
	/// model at all now.
	pub fn any_price(model: &'a [u8]) -> Self {
		Self {
			model,
			max_tokens: 1,
			max_price: Balance::max_value(),
			min_reputation: Perbill::zero(),
		}
	}
}

/// What the jobs pallet needs from a miner registry.
pub trait MinerRegistry<AccountId, Balance> {
	/// The best active miner for `needs`, skipping the operators in `exclude`; its terms.
	fn select(
		needs: &JobNeeds<'_, Balance>,
		exclude: &[AccountId],
	) -> Option<MinerTerms<AccountId, Balance>>;
	/// Counts a job as running on `operator` (one more in flight).
	fn job_assigned(operator: &AccountId);
	/// A job held under `terms` ended: one less in flight, and the outcome judged (also when
	/// the miner has deregistered since: its unbonding stake answers for a miss).
	fn job_ended(terms: &MinerTerms<AccountId, Balance>, outcome: JobOutcome);
	/// The terms of `operator`, if it is registered.
	fn terms(operator: &AccountId) -> Option<MinerTerms<AccountId, Balance>>;
	/// How many miners `select` looks at for a job of `model` now: the length of the model's
	/// index. What a submission is charged for is refunded down to this.
	fn candidates(model: &[u8]) -> u32;
	/// The most miners `select` may look at for one model (the index's bound): what a
	/// submission is charged for before it runs.
	fn max_candidates() -> u32;
	/// The most jobs one miner may hold at once (its largest allowed capacity).
	fn max_capacity() -> u32;
}

/// Checks an sr25519 signature by an account whose id is its public key.
pub trait SignatureVerifier<AccountId> {
	/// Whether `signature` over `message` is valid for `signer`'s key.
	fn verify(signer: &AccountId, message: &[u8], signature: &[u8; 64]) -> bool;
	/// The account's 32 bytes, as signed payloads name it.
	fn raw(account: &AccountId) -> [u8; 32];
}

/// sr25519 verification through the host, for 32-byte account ids that are public keys.
pub struct Sr25519Verifier;

impl<AccountId: AsRef<[u8; 32]>> SignatureVerifier<AccountId> for Sr25519Verifier {
	fn verify(signer: &AccountId, message: &[u8], signature: &[u8; 64]) -> bool {
		let public = sp_core::sr25519::Public::from_raw(*signer.as_ref());
		let signature = sp_core::sr25519::Signature::from_raw(*signature);
		sp_io::crypto::sr25519_verify(&signature, message, &public)
	}

	fn raw(account: &AccountId) -> [u8; 32] {
		*account.as_ref()
	}
}

/// The chain's genesis hash (block 0's hash) as 32 bytes, as signed payloads bind it.
pub fn genesis_hash<T: frame_system::Config>() -> [u8; 32] {
	let genesis: frame_system::pallet_prelude::BlockNumberFor<T> = sp_runtime::traits::Zero::zero();
	frame_system::BlockHash::<T>::get(genesis).as_ref().try_into().unwrap_or([0; 32])
}

/// What the jobs benchmarks need from the rest of the market: money and miners.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkSetup<AccountId, Balance> {
	/// Gives `who` a large free balance.
	fn fund(who: &AccountId);
	/// Registers miner number `index` under `operator`, serving `model` (and as many other
	/// models as a miner may serve, so that jailing it touches the most indexes) at the lowest
	/// price with the highest capacity.
	fn register_miner(operator: &AccountId, index: u32, model: &[u8]);
	/// Makes `operator`'s next miss the one that jails it.
	fn one_miss_from_jail(operator: &AccountId);
	/// The largest price a job may offer.
	fn max_price() -> Balance;
	/// The most miners indexed for one model (selection's worst case).
	fn max_miners_per_model() -> u32;
}
