//! Records of the miner registry.

use aitbc_primitives::UnitType;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::reputation::Reputation;

/// What a miner's GPUs are.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct GpuInfo<Name> {
	/// Model name, e.g. `NVIDIA H100 80GB HBM3` (bounded bytes).
	pub name: Name,
	/// Memory of one GPU, in MiB.
	pub vram_mib: u32,
	/// Number of GPUs.
	pub count: u32,
}

/// Whether a miner takes new jobs.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum MinerStatus {
	/// Takes jobs while its heartbeat is fresh.
	Active,
	/// Took itself offline (e.g. its backend is down); takes no jobs.
	Offline,
	/// Missed too many deadlines in a row; takes no jobs until `jailed_until`, and after it
	/// until its operator acts again (a heartbeat or `go_online`).
	Jailed,
}

/// What a miner offers, at what price.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct MinerOffer<Balance, Models, GpuName> {
	/// The models it serves (a bounded list of bounded model ids).
	pub models: Models,
	/// How it bills.
	pub unit_type: UnitType,
	/// Price per unit, in the smallest unit of AIT.
	pub unit_price: Balance,
	/// Most jobs it runs at once.
	pub capacity: u32,
	/// Its GPUs.
	pub gpu: GpuInfo<GpuName>,
}

/// A registered miner, keyed by its operator (hot) key.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct MinerRecord<AccountId, Balance, BlockNumber, Models, GpuName> {
	/// The account whose stake backs the miner and who is paid.
	pub owner: AccountId,
	/// What it offers.
	pub offer: MinerOffer<Balance, Models, GpuName>,
	/// Stake on hold.
	pub stake: Balance,
	/// Whether it takes jobs.
	pub status: MinerStatus,
	/// Block of its last heartbeat (registration counts as one).
	pub last_heartbeat: BlockNumber,
	/// Jobs assigned to it and not yet ended.
	pub in_flight: u32,
	/// Its track record.
	pub reputation: Reputation,
	/// Deadlines missed in a row.
	pub consecutive_misses: u32,
	/// Block it registered at.
	pub registered_at: BlockNumber,
	/// While jailed: the first block at which it may leave jail.
	pub jailed_until: BlockNumber,
}

/// Stake on its way out after deregistration. It stays slashable: a job the miner still held
/// when it deregistered and then missed slashes it like bonded stake.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Unbonding<AccountId, Balance, BlockNumber> {
	/// Amount still on hold.
	pub amount: Balance,
	/// First block at which `withdraw_unbonded` releases it (if no job is in flight).
	pub unlock_at: BlockNumber,
	/// The operator key the miner ran under.
	pub operator: AccountId,
	/// Jobs the miner still held at deregistration and that have not ended.
	pub in_flight: u32,
}

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
	pub min_reputation: sp_runtime::Perbill,
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

/// What the benchmarks need from the runtime: operator keys that can prove possession.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Operator account number `index` and its proof of possession for `owner` on this chain.
	fn operator(index: u32, owner: &AccountId) -> (AccountId, [u8; 64]);
}

/// Operator keys made in the benchmark keystore, for 32-byte sr25519 account ids.
#[cfg(feature = "runtime-benchmarks")]
pub struct Sr25519BenchmarkHelper<T>(core::marker::PhantomData<T>);

#[cfg(feature = "runtime-benchmarks")]
impl<T> BenchmarkHelper<T::AccountId> for Sr25519BenchmarkHelper<T>
where
	T: frame_system::Config,
	T::AccountId: From<sp_core::sr25519::Public> + AsRef<[u8; 32]>,
{
	fn operator(_index: u32, owner: &T::AccountId) -> (T::AccountId, [u8; 64]) {
		const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"aitb");
		let public = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
		let message = aitbc_primitives::operator_proof_bytes(&genesis_hash::<T>(), owner.as_ref());
		let proof = sp_io::crypto::sr25519_sign(KEY_TYPE, &public, &message)
			.map(|s| s.0)
			.unwrap_or([0; 64]);
		(public.into(), proof)
	}
}
