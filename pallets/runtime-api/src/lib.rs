//! # AITBC marketplace runtime API
//!
//! What the node's `aitbc_*` RPC methods (and any client through `state_call`) can ask the
//! runtime about the marketplace. The record types are the pallets' own, passed in as
//! generic parameters so this crate depends on no pallet.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use aitbc_primitives::{JobId, JobStatus, ReceiptId};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

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

sp_api::decl_runtime_apis! {
	/// The marketplace, read-only.
	pub trait MarketplaceApi<AccountId, Balance, Job, Miner, Receipt, Params>
	where
		AccountId: Codec,
		Balance: Codec,
		Job: Codec,
		Miner: Codec,
		Receipt: Codec,
		Params: Codec,
	{
		/// A job by id, until it is pruned.
		fn job(job_id: JobId) -> Option<Job>;
		/// The newest jobs (highest ids first), optionally only those of `client` and/or in
		/// `status`, at most `limit` (capped at 1,000).
		fn jobs(client: Option<AccountId>, status: Option<JobStatus>, limit: u32) -> Vec<(JobId, Job)>;
		/// A miner by operator key.
		fn miner(operator: AccountId) -> Option<Miner>;
		/// Registered miners, at most `limit` (capped at 1,000).
		fn miners(limit: u32) -> Vec<(AccountId, Miner)>;
		/// A receipt by id.
		fn receipt(receipt_id: ReceiptId) -> Option<Receipt>;
		/// The receipt of a job, if it completed.
		fn receipt_of_job(job_id: JobId) -> Option<Receipt>;
		/// The newest receipts (highest ids first), at most `limit` (capped at 1,000).
		fn receipts(limit: u32) -> Vec<Receipt>;
		/// What a job on `model` of `max_tokens` costs now.
		fn quote(model: Vec<u8>, max_tokens: u32) -> Quote<Balance>;
		/// The marketplace parameters.
		fn parameters() -> Params;
		/// Jobs waiting for a miner.
		fn queued_jobs() -> u32;
	}
}
