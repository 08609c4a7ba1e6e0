//! # AITBC marketplace runtime API
//!
//! What the node's `aitbc_*` RPC (crate `aitbc-rpc`) and any client (through `state_call`) can
//! ask the runtime about the marketplace. The answers are views ([`JobView`], [`MinerView`],
//! [`ReceiptView`], [`MarketParams`]) built by the runtime from the pallets' records, so this
//! crate and the RPC depend on no pallet: a record may change its layout, a view only with a
//! new API version.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use aitbc_primitives::{
	FailureReason, JobId, JobKind, JobStatus, MinerStatus, ReceiptId, UnitType, Usage,
	MAX_LIST_LIMIT,
};
pub use aitbc_traits::MarketParams;
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// The price a job of `max_tokens` output tokens would cost on `model` right now.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Quote<Balance> {
	/// Miners that could take the job now (active, fresh heartbeat, free capacity).
	pub available_miners: u32,
	/// The lowest worst-case price among them: unit price × most units the job can bill.
	/// A `max_price` of at least this gets the job assigned at once. `None` when no miner is
	/// available.
	pub min_price: Option<Balance>,
}

/// A job as clients see it. Block numbers are `u32` (the chain's block number type).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobView<AccountId, Balance> {
	/// Job id.
	pub id: JobId,
	/// Who submitted and pays.
	pub client: AccountId,
	/// What is asked.
	pub kind: JobKind,
	/// The model id, bytes as submitted (UTF-8).
	pub model: Vec<u8>,
	/// The prompt (UTF-8).
	pub prompt: Vec<u8>,
	/// Sampling temperature in thousandths.
	pub temperature_milli: u32,
	/// Most output tokens.
	pub max_tokens: u32,
	/// Sampling seed, if given.
	pub seed: Option<u64>,
	/// Most the client pays.
	pub max_price: Balance,
	/// Least miner reputation accepted.
	pub min_reputation: Perbill,
	/// Where it is.
	pub status: JobStatus,
	/// The operator holding it (assigned or running).
	pub operator: Option<AccountId>,
	/// How the holding (or last) miner bills it and at what unit price, fixed at assignment.
	pub terms: Option<(UnitType, Balance)>,
	/// Why it failed, when it did (the miner's reason as UTF-8 bytes).
	pub failure_reason: Option<FailureReason<Vec<u8>>>,
	/// Its receipt, when it completed.
	pub receipt_id: Option<ReceiptId>,
	/// Block of submission.
	pub submitted_at: u32,
	/// Block its TTL ends at.
	pub expires_at: u32,
	/// Block of its pending deadline, while it is open.
	pub deadline: Option<u32>,
	/// Miners it was given to so far.
	pub attempts: u32,
	/// The output, once completed.
	pub output: Option<Vec<u8>>,
	/// What it consumed, once completed.
	pub usage: Option<Usage>,
	/// Block it ended in.
	pub ended_at: Option<u32>,
	/// The storage deposit held from the client for the job's bytes (prompt and output),
	/// released when the job is pruned.
	pub deposit: Balance,
}

/// A registered miner as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct MinerView<AccountId, Balance> {
	/// The operator key (the miner's id).
	pub operator: AccountId,
	/// The owner: stakes and is paid.
	pub owner: AccountId,
	/// Models served (UTF-8 ids).
	pub models: Vec<Vec<u8>>,
	/// How it bills.
	pub unit_type: UnitType,
	/// Price per unit.
	pub unit_price: Balance,
	/// Most jobs at once.
	pub capacity: u32,
	/// Jobs it holds now.
	pub in_flight: u32,
	/// GPU model name (UTF-8).
	pub gpu_name: Vec<u8>,
	/// Memory of one GPU, MiB.
	pub gpu_vram_mib: u32,
	/// Number of GPUs.
	pub gpu_count: u32,
	/// Stake held.
	pub stake: Balance,
	/// Whether it takes jobs.
	pub status: MinerStatus,
	/// Block of its last heartbeat.
	pub last_heartbeat: u32,
	/// Its reputation score.
	pub reputation: Perbill,
	/// Deadlines missed in a row.
	pub consecutive_misses: u32,
	/// Block it registered in.
	pub registered_at: u32,
	/// While jailed: the block from which `go_online` releases it.
	pub jailed_until: u32,
}

/// Who claimed a receipt's reward, when, and how much was minted.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ClaimView<AccountId, Balance> {
	/// The miner's owner that claimed.
	pub by: AccountId,
	/// Block of the claim.
	pub at: u32,
	/// Reward minted.
	pub reward: Balance,
}

/// A receipt as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ReceiptView<AccountId, Balance> {
	/// Receipt id.
	pub id: ReceiptId,
	/// The job.
	pub job_id: JobId,
	/// Who paid.
	pub client: AccountId,
	/// The miner's owner, who was paid.
	pub miner_owner: AccountId,
	/// The operator key that ran the job and signed.
	pub operator: AccountId,
	/// The model (UTF-8 id).
	pub model: Vec<u8>,
	/// blake2-256 of the prompt.
	pub prompt_hash: [u8; 32],
	/// How the job was billed.
	pub unit_type: UnitType,
	/// Price per unit.
	pub unit_price: Balance,
	/// Units billed.
	pub units: u64,
	/// What the job consumed.
	pub usage: Usage,
	/// Price paid.
	pub price: Balance,
	/// Protocol fee out of the price.
	pub fee: Balance,
	/// blake2-256 of the output.
	pub output_hash: [u8; 32],
	/// Block the job completed in.
	pub block: u32,
	/// Time of that block, ms since the Unix epoch.
	pub timestamp_ms: u64,
	/// The operator's sr25519 signature over the receipt payload (v2).
	pub signature: [u8; 64],
	/// The claim, once claimed.
	pub claim: Option<ClaimView<AccountId, Balance>>,
}

sp_api::decl_runtime_apis! {
	/// The marketplace, read-only.
	///
	/// Version 3: `jobs` pages with `before`, `held_jobs`, `JobView::deposit`,
	/// `MarketParams::receipt_retention`. No runtime with an older version was ever deployed,
	/// so the old signatures are not kept (`#[changed_in]`): the RPC asks for version 3 and
	/// answers a clear error on an older runtime.
	#[api_version(3)]
	pub trait MarketplaceApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// A job by id, until it is pruned.
		fn job(job_id: JobId) -> Option<JobView<AccountId, Balance>>;
		/// The newest jobs (highest ids first), only ids below `before` if given, optionally
		/// only those of `client` and/or in `status`, at most `limit` (capped at [`MAX_LIST_LIMIT`]).
		/// Bounded work: at most 10,000 ids (or the client's 10,000 newest jobs) are looked
		/// at, so a rare `status` may come back short of `limit`; page on with `before` set to
		/// the smallest id returned.
		fn jobs(
			client: Option<AccountId>,
			status: Option<JobStatus>,
			before: Option<JobId>,
			limit: u32,
		) -> Vec<JobView<AccountId, Balance>>;
		/// The jobs `operator` holds now (assigned or running), oldest first; work in
		/// proportion to those jobs only.
		fn held_jobs(operator: AccountId) -> Vec<JobView<AccountId, Balance>>;
		/// A miner by operator key.
		fn miner(operator: AccountId) -> Option<MinerView<AccountId, Balance>>;
		/// Registered miners, at most `limit` (capped at [`MAX_LIST_LIMIT`]).
		fn miners(limit: u32) -> Vec<MinerView<AccountId, Balance>>;
		/// A receipt by id, until it is pruned (`receipt_retention` blocks after it was
		/// issued).
		fn receipt(receipt_id: ReceiptId) -> Option<ReceiptView<AccountId, Balance>>;
		/// The receipt of a job, if it completed and its receipt was not pruned yet.
		fn receipt_of_job(job_id: JobId) -> Option<ReceiptView<AccountId, Balance>>;
		/// The newest receipts (highest ids first), at most `limit` (capped at [`MAX_LIST_LIMIT`]).
		fn receipts(limit: u32) -> Vec<ReceiptView<AccountId, Balance>>;
		/// What a job on `model` of `max_tokens` costs now.
		fn quote(model: Vec<u8>, max_tokens: u32) -> Quote<Balance>;
		/// The marketplace parameters.
		fn parameters() -> MarketParams<Balance, u32>;
		/// Jobs waiting for a miner.
		fn queued_jobs() -> u32;
	}
}
