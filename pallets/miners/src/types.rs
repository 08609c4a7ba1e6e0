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
	/// Missed too many deadlines in a row; takes no jobs until its operator acts again
	/// (a heartbeat or `go_online`).
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
}

/// Stake on its way out after deregistration.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Unbonding<Balance, BlockNumber> {
	/// Amount still on hold.
	pub amount: Balance,
	/// First block at which `withdraw_unbonded` releases it.
	pub unlock_at: BlockNumber,
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
	/// It delivered a result.
	Completed,
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
	/// A job held by `operator` ended: one less in flight, and the outcome judged.
	fn job_ended(operator: &AccountId, outcome: JobOutcome);
	/// The terms of `operator`, if it is registered.
	fn terms(operator: &AccountId) -> Option<MinerTerms<AccountId, Balance>>;
}
