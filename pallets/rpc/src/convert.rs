//! Views (SCALE, from the runtime API) to the JSON objects clients read.

use std::fmt::Display;

use aitbc_primitives::json::{
	ClaimStatus, JobJson, MinerJson, ParametersJson, ReceiptJson, UsageJson,
};
use aitbc_runtime_api::{JobView, MarketParams, MinerView, ReceiptView};
use sp_runtime::Perbill;

fn text(bytes: Vec<u8>) -> String {
	String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn percent(p: Perbill) -> f64 {
	f64::from(p.deconstruct()) / 10_000_000.0
}

fn usage(u: aitbc_primitives::Usage) -> UsageJson {
	UsageJson {
		prompt_tokens: u.prompt_tokens,
		output_tokens: u.output_tokens,
		compute_ms: u.compute_ms,
	}
}

/// A job's JSON.
pub fn job<AccountId: Display, Balance: Into<u128>>(job: JobView<AccountId, Balance>) -> JobJson {
	let (unit_type, unit_price) = match job.terms {
		Some((unit_type, unit_price)) => (Some(unit_type), Some(unit_price.into())),
		None => (None, None),
	};
	JobJson {
		id: job.id,
		client: job.client.to_string(),
		kind: job.kind.as_str().into(),
		model: text(job.model),
		prompt: text(job.prompt),
		temperature: f64::from(job.temperature_milli) / 1_000.0,
		max_tokens: job.max_tokens,
		seed: job.seed,
		max_price: job.max_price.into(),
		min_reputation_percent: percent(job.min_reputation),
		status: job.status,
		operator: job.operator.map(|o| o.to_string()),
		unit_type,
		unit_price,
		failure_reason: job.failure_reason.map(|reason| reason.map(text)),
		receipt_id: job.receipt_id,
		submitted_at: job.submitted_at,
		expires_at: job.expires_at,
		deadline: job.deadline,
		attempts: job.attempts,
		output: job.output.map(text),
		usage: job.usage.map(usage),
		ended_at: job.ended_at,
		deposit: job.deposit.into(),
	}
}

/// A miner's JSON.
pub fn miner<AccountId: Display, Balance: Into<u128>>(
	miner: MinerView<AccountId, Balance>,
) -> MinerJson {
	MinerJson {
		operator: miner.operator.to_string(),
		owner: miner.owner.to_string(),
		models: miner.models.into_iter().map(text).collect(),
		unit_type: miner.unit_type,
		unit_price: miner.unit_price.into(),
		capacity: miner.capacity,
		in_flight: miner.in_flight,
		gpu_name: text(miner.gpu_name),
		gpu_vram_mib: miner.gpu_vram_mib,
		gpu_count: miner.gpu_count,
		stake: miner.stake.into(),
		status: miner.status,
		last_heartbeat: miner.last_heartbeat,
		reputation_percent: percent(miner.reputation),
		consecutive_misses: miner.consecutive_misses,
		registered_at: miner.registered_at,
		jailed_until: miner.jailed_until,
	}
}

/// A receipt's JSON.
pub fn receipt<AccountId: Display, Balance: Into<u128>>(
	receipt: ReceiptView<AccountId, Balance>,
) -> ReceiptJson {
	let (status, claimed_by, claimed_at, reward) = match receipt.claim {
		None => (ClaimStatus::Unclaimed, None, None, None),
		Some(claim) => (
			ClaimStatus::Claimed,
			Some(claim.by.to_string()),
			Some(claim.at),
			Some(claim.reward.into()),
		),
	};
	ReceiptJson {
		id: receipt.id,
		job_id: receipt.job_id,
		client: receipt.client.to_string(),
		miner_owner: receipt.miner_owner.to_string(),
		operator: receipt.operator.to_string(),
		model: text(receipt.model),
		prompt_hash: receipt.prompt_hash,
		unit_type: receipt.unit_type,
		unit_price: receipt.unit_price.into(),
		units: receipt.units,
		usage: usage(receipt.usage),
		price: receipt.price.into(),
		fee: receipt.fee.into(),
		output_hash: receipt.output_hash,
		block: receipt.block,
		timestamp_ms: receipt.timestamp_ms,
		signature: receipt.signature,
		status,
		claimed_by,
		claimed_at,
		reward,
	}
}

/// The parameters' JSON.
pub fn parameters<Balance: Into<u128>>(p: MarketParams<Balance, u32>) -> ParametersJson {
	ParametersJson {
		min_stake: p.min_stake.into(),
		protocol_fee_percent: percent(p.protocol_fee),
		min_fee: p.min_fee.into(),
		slash_fraction_percent: percent(p.slash_fraction),
		heartbeat_timeout: p.heartbeat_timeout,
		ack_timeout: p.ack_timeout,
		queue_timeout: p.queue_timeout,
		min_result_time: p.min_result_time,
		min_tokens_per_second: p.min_tokens_per_second,
		default_ttl: p.default_ttl,
		max_ttl: p.max_ttl,
		max_open_jobs_per_client: p.max_open_jobs_per_client,
		max_assign_attempts: p.max_assign_attempts,
		jail_after_misses: p.jail_after_misses,
		jail_period: p.jail_period,
		unbonding_period: p.unbonding_period,
		retention_period: p.retention_period,
		receipt_retention: p.receipt_retention,
		reward_per_unit: p.reward_per_unit.into(),
		reward_fee_share_percent: percent(p.reward_fee_share),
		emission_cap: p.emission_cap.into(),
	}
}
