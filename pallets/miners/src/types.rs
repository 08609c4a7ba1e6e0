//! Records of the miner registry.

pub use aitbc_primitives::{MinerStatus, UnitType};
pub use aitbc_traits::{
	genesis_hash, JobNeeds, JobOutcome, MinerRegistry, MinerTerms, SignatureVerifier,
	Sr25519Verifier,
};
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
