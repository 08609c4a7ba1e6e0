//! The marketplace runtime API's views of the pallets' records (`aitbc_runtime_api`): the one
//! place that knows both the records' layout and what clients are shown.

use crate::{AccountId, Balance, MarketJob, MarketMiner, MarketReceipt};
use aitbc_primitives::JobId;
use aitbc_runtime_api::{ClaimView, JobView, MinerView, ReceiptView};
use alloc::vec::Vec;
use pallet_aitbc_jobs::JobState;
use pallet_aitbc_receipts::ReceiptStatus;

/// A job's view.
pub fn job(id: JobId, job: MarketJob) -> JobView<AccountId, Balance> {
	let status = job.state.status();
	let operator = job.state.operator().cloned();
	let (failure_reason, receipt_id) = match job.state {
		JobState::Failed { reason } => (Some(reason.map(|why| why.into_inner())), None),
		JobState::Completed { receipt_id } => (None, Some(receipt_id)),
		_ => (None, None),
	};
	let open = !status.is_final();
	JobView {
		id,
		client: job.client,
		kind: job.kind,
		model: job.model.into_inner(),
		prompt: job.prompt.into_inner(),
		temperature_milli: job.params.temperature_milli,
		max_tokens: job.params.max_tokens,
		seed: job.params.seed,
		max_price: job.max_price,
		min_reputation: job.min_reputation,
		status,
		operator,
		terms: job.terms.map(|t| (t.unit_type, t.unit_price)),
		failure_reason,
		receipt_id,
		submitted_at: job.submitted_at,
		expires_at: job.expires_at,
		deadline: open.then_some(job.deadline),
		attempts: job.tried.len() as u32,
		output: job.usage.is_some().then(|| job.output.into_inner()),
		usage: job.usage,
		ended_at: job.ended_at,
		deposit: job.deposit,
	}
}

/// A miner's view.
pub fn miner(operator: AccountId, miner: MarketMiner) -> MinerView<AccountId, Balance> {
	MinerView {
		operator,
		owner: miner.owner,
		models: miner.offer.models.into_iter().map(|m| m.into_inner()).collect::<Vec<_>>(),
		unit_type: miner.offer.unit_type,
		unit_price: miner.offer.unit_price,
		capacity: miner.offer.capacity,
		in_flight: miner.in_flight,
		gpu_name: miner.offer.gpu.name.into_inner(),
		gpu_vram_mib: miner.offer.gpu.vram_mib,
		gpu_count: miner.offer.gpu.count,
		stake: miner.stake,
		status: miner.status,
		last_heartbeat: miner.last_heartbeat,
		reputation: miner.reputation.score(),
		consecutive_misses: miner.consecutive_misses,
		registered_at: miner.registered_at,
		jailed_until: miner.jailed_until,
	}
}

/// A receipt's view.
pub fn receipt(receipt: MarketReceipt) -> ReceiptView<AccountId, Balance> {
	let claim = match receipt.status {
		ReceiptStatus::Unclaimed => None,
		ReceiptStatus::Claimed { at, by, reward } => Some(ClaimView { by, at, reward }),
	};
	ReceiptView {
		id: receipt.id,
		job_id: receipt.job_id,
		client: receipt.client,
		miner_owner: receipt.miner_owner,
		operator: receipt.operator,
		model: receipt.model.into_inner(),
		prompt_hash: receipt.prompt_hash,
		unit_type: receipt.unit_type,
		unit_price: receipt.unit_price,
		units: receipt.units,
		usage: receipt.usage,
		price: receipt.price,
		fee: receipt.fee,
		output_hash: receipt.output_hash,
		block: receipt.block,
		timestamp_ms: receipt.timestamp_ms,
		signature: receipt.signature,
		claim,
	}
}
