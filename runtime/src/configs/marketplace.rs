//! The marketplace: parameters, miners, escrow, receipts and jobs.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Escrow, Miners, Params, Receipts, Runtime,
	RuntimeHoldReason, Timestamp, DAYS, MICRO_UNIT, MILLI_SECS_PER_BLOCK, MILLI_UNIT, MINUTES,
	UNIT,
};
use aitbc_traits::MarketParams;
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	weights::Weight,
	PalletId,
};
use sp_runtime::{traits::AccountIdConversion, Perbill};

/// The treasury's pallet id; its account receives protocol fees and slashed stake, and
/// `pallet_treasury` spends from it.
pub const TREASURY_PALLET_ID: PalletId = PalletId(*b"aitbc/tr");

/// The treasury account.
pub fn treasury_account() -> AccountId {
	TREASURY_PALLET_ID.into_account_truncating()
}

parameter_types! {
	pub TreasuryAccount: AccountId = treasury_account();
	/// The marketplace parameters at genesis, until governance changes them.
	pub DefaultMarketParams: MarketParams<Balance, BlockNumber> = MarketParams {
		min_stake: 1_000 * UNIT,
		protocol_fee: Perbill::from_percent(2),
		// 10^-8 AIT: small prices no longer round the fee down to zero
		min_fee: 10_000,
		slash_fraction: Perbill::from_percent(1),
		heartbeat_timeout: 2 * MINUTES,
		// 6 s to acknowledge
		ack_timeout: 3,
		// the seeds' 60 s no-miner timeout
		queue_timeout: MINUTES,
		// 20 s of slack on top of generation time
		min_result_time: 10,
		min_tokens_per_second: 5,
		// the seeds' 15-minute TTL
		default_ttl: 15 * MINUTES,
		max_ttl: 2 * 60 * MINUTES,
		max_open_jobs_per_client: 64,
		max_assign_attempts: 3,
		jail_after_misses: 3,
		// ten minutes in jail, whatever the operator does
		jail_period: 10 * MINUTES,
		unbonding_period: 7 * DAYS,
		retention_period: DAYS,
		// a month to claim a receipt's reward; the receipt stays in the block's events
		receipt_retention: 30 * DAYS,
		reward_per_unit: UNIT / 1_000_000,
		// a receipt's reward is at most half the protocol fee it paid
		reward_fee_share: Perbill::from_percent(50),
		emission_cap: 10_000_000 * UNIT,
	};
}

impl pallet_aitbc_params::Config for Runtime {
	type Balance = Balance;
	type GovernanceOrigin = crate::configs::MarketParamsOrigin;
	type DefaultParams = DefaultMarketParams;
	type MaxAssignAttempts = MaxAssignAttempts;
	type Emitted = pallet_aitbc_receipts::EmittedSoFar<Runtime>;
	type WeightInfo = pallet_aitbc_params::weights::SubstrateWeight<Runtime>;
}

/// Longest model id, in bytes (e.g. `llama3.2:latest`, `hf.co/org/model:Q4_K_M`).
pub type MaxModelIdLen = ConstU32<64>;

/// Most miners one job is given to (bounds `max_assign_attempts`).
pub type MaxAssignAttempts = ConstU32<8>;
/// Most jobs one miner holds at once: its largest capacity, and the length of its held-jobs
/// list.
pub type MaxMinerCapacity = ConstU32<64>;

impl pallet_aitbc_miners::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = Params;
	type Treasury = TreasuryAccount;
	type Verifier = pallet_aitbc_miners::Sr25519Verifier;
	type MaxModels = ConstU32<16>;
	type MaxModelIdLen = MaxModelIdLen;
	type MaxGpuNameLen = ConstU32<64>;
	type MaxEndpointLen = ConstU32<256>;
	type MaxMinersPerModel = ConstU32<64>;
	type MaxCapacity = MaxMinerCapacity;
	type AdminOrigin = crate::configs::MinerAdminOrigin;
	type WeightInfo = pallet_aitbc_miners::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_aitbc_miners::Sr25519BenchmarkHelper<Runtime>;
}

impl pallet_aitbc_escrow::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Treasury = TreasuryAccount;
}

impl pallet_aitbc_receipts::Config for Runtime {
	type Currency = Balances;
	type UnixTime = Timestamp;
	type Params = Params;
	type MaxModelIdLen = MaxModelIdLen;
	type WeightInfo = pallet_aitbc_receipts::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// What `on_initialize` of the jobs pallet may spend per block on due deadlines and queued
	/// jobs (a fifth of the block); the rest carries over to the next block.
	pub JobsHookWeight: Weight =
		crate::configs::RuntimeBlockWeights::get().max_block.saturating_div(5);
}

impl pallet_aitbc_jobs::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	// about 0.07 AIT for the largest job (16 kB prompt, 32 KiB output), 0.05 AIT for a short
	// prompt; held while the job is stored, released at pruning
	type JobDeposit = ConstU128<{ 20 * MILLI_UNIT }>;
	type ByteDeposit = ConstU128<MICRO_UNIT>;
	type HookWeight = JobsHookWeight;
	type Escrow = Escrow;
	type Miners = Miners;
	type Receipts = Receipts;
	type Verifier = pallet_aitbc_miners::Sr25519Verifier;
	type Params = Params;
	type MillisPerBlock = ConstU64<MILLI_SECS_PER_BLOCK>;
	type MaxModelIdLen = MaxModelIdLen;
	type MaxPromptChars = ConstU32<4_000>;
	type MaxPromptLen = ConstU32<16_000>;
	type MaxOutputLen = ConstU32<32_768>;
	type MaxTokens = ConstU32<8_192>;
	type MaxReasonLen = ConstU32<256>;
	type MaxAttempts = MaxAssignAttempts;
	type MaxBatch = ConstU32<32>;
	type MaxQueued = ConstU32<1_024>;
	type MaxHeldJobs = MaxMinerCapacity;
	type MaxPrunesPerBlock = ConstU32<2_048>;
	type WeightInfo = pallet_aitbc_jobs::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_aitbc_miners::JobsBenchmarkSetup<Runtime>;
}
