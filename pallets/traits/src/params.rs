//! The parameter record: every governed number of the marketplace.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// Every tunable number of the marketplace, in one record.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct MarketParams<Balance, BlockNumber> {
	/// Least stake a miner's owner must hold to register.
	pub min_stake: Balance,
	/// Share of each job's price paid to the treasury.
	pub protocol_fee: Perbill,
	/// Least protocol fee of a completed job (the whole price when the price is smaller), so
	/// that small prices do not round the fee down to zero. A completion raises the miner's
	/// reputation only when its fee reached this minimum.
	pub min_fee: Balance,
	/// Share of a miner's stake slashed to the treasury for each missed deadline.
	pub slash_fraction: Perbill,
	/// A miner whose last heartbeat is older than this is not assigned new jobs.
	pub heartbeat_timeout: BlockNumber,
	/// Blocks an assigned miner has to acknowledge a job.
	pub ack_timeout: BlockNumber,
	/// Blocks a job may wait for a miner before it fails with a full refund.
	pub queue_timeout: BlockNumber,
	/// Least time granted for a result, whatever the job's size.
	pub min_result_time: BlockNumber,
	/// Throughput a miner is held to: the result deadline is
	/// `min_result_time + max_tokens / min_tokens_per_second` (in blocks), capped at the TTL.
	pub min_tokens_per_second: u32,
	/// TTL of a job that names none.
	pub default_ttl: BlockNumber,
	/// Longest TTL a job may ask for.
	pub max_ttl: BlockNumber,
	/// Most jobs a client may have open (queued, assigned or running) at once.
	pub max_open_jobs_per_client: u32,
	/// Most miners a job is assigned to before it fails (first assignment included).
	pub max_assign_attempts: u32,
	/// Consecutive missed deadlines after which a miner is jailed.
	pub jail_after_misses: u32,
	/// Blocks a jailed miner stays jailed; only after them does its operator's heartbeat or
	/// `go_online` release it.
	pub jail_period: BlockNumber,
	/// Blocks between deregistration and the stake becoming withdrawable.
	pub unbonding_period: BlockNumber,
	/// Blocks a finished job stays in state before only its receipt remains.
	pub retention_period: BlockNumber,
	/// Blocks a receipt is kept after it was issued; then it is pruned (claim its reward
	/// before). Receipts are also in the block's events, for indexers that keep them longer.
	pub receipt_retention: BlockNumber,
	/// Reward minted per billed unit when a miner's owner claims a receipt.
	pub reward_per_unit: Balance,
	/// Most a receipt's reward may be, as a share of the protocol fee that receipt paid. Always
	/// below 100 %, so that jobs among accounts of one owner never earn more than they pay.
	pub reward_fee_share: Perbill,
	/// Total the receipt rewards may ever mint.
	pub emission_cap: Balance,
}

#[cfg(feature = "test-utils")]
impl<Balance: From<u32>, BlockNumber: From<u32>> MarketParams<Balance, BlockNumber> {
	/// The pallets' test values: every test runtime starts from these and overrides what its
	/// tests are about (`MarketParams { min_fee: 2, ..MarketParams::test_defaults() }`).
	pub fn test_defaults() -> Self {
		Self {
			min_stake: 1_000.into(),
			protocol_fee: Perbill::from_percent(5),
			min_fee: 1.into(),
			slash_fraction: Perbill::from_percent(10),
			heartbeat_timeout: 30.into(),
			ack_timeout: 5.into(),
			queue_timeout: 30.into(),
			min_result_time: 10.into(),
			min_tokens_per_second: 5,
			default_ttl: 450.into(),
			max_ttl: 1_800.into(),
			max_open_jobs_per_client: 4,
			max_assign_attempts: 3,
			jail_after_misses: 3,
			jail_period: 20.into(),
			unbonding_period: 100.into(),
			retention_period: 50.into(),
			receipt_retention: 200.into(),
			reward_per_unit: 1.into(),
			reward_fee_share: Perbill::from_percent(50),
			emission_cap: 1_000_000.into(),
		}
	}
}
