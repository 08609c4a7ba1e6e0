//! `aitbc_*`: the marketplace over JSON-RPC, read from the runtime API `MarketplaceApi`.
//!
//! Balances are decimal strings (they exceed JSON's safe integers); accounts are SS58 strings
//! with the chain's prefix; model ids, prompts, outputs and reasons are UTF-8 strings.
//! `docs/rpc.md` documents every method and field.

use std::sync::Arc;

use aitbc_primitives::{
	json::{JobJson, MinerJson, ParametersJson, QuoteJson, ReceiptJson, UsageJson},
	JobId, JobStatus, ReceiptId,
};
use aitbc_runtime::{
	opaque::Block, AccountId, Balance, MarketJob, MarketMiner, MarketParameters, MarketReceipt,
};
use aitbc_runtime_api::MarketplaceApi;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use pallet_aitbc_jobs::{FailureReason, JobState};
use pallet_aitbc_miners::MinerStatus;
use pallet_aitbc_receipts::ReceiptStatus;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

/// The largest `limit` a listing accepts.
pub const MAX_LIMIT: u32 = 1_000;

#[rpc(server, namespace = "aitbc")]
pub trait MarketplaceRpc {
	/// A job by id.
	#[method(name = "job")]
	fn job(&self, job_id: JobId) -> RpcResult<Option<JobJson>>;
	/// The newest jobs, optionally of one client and/or in one status.
	#[method(name = "jobs")]
	fn jobs(
		&self,
		client: Option<AccountId>,
		status: Option<String>,
		limit: Option<u32>,
	) -> RpcResult<Vec<JobJson>>;
	/// A miner by operator key.
	#[method(name = "miner")]
	fn miner(&self, operator: AccountId) -> RpcResult<Option<MinerJson>>;
	/// Registered miners.
	#[method(name = "miners")]
	fn miners(&self, limit: Option<u32>) -> RpcResult<Vec<MinerJson>>;
	/// A receipt by id.
	#[method(name = "receipt")]
	fn receipt(&self, receipt_id: ReceiptId) -> RpcResult<Option<ReceiptJson>>;
	/// The newest receipts, or the receipt of one job.
	#[method(name = "receipts")]
	fn receipts(&self, job_id: Option<JobId>, limit: Option<u32>) -> RpcResult<Vec<ReceiptJson>>;
	/// What a job of `max_tokens` on `model` costs now.
	#[method(name = "quote")]
	fn quote(&self, model: String, max_tokens: u32) -> RpcResult<QuoteJson>;
	/// The marketplace parameters.
	#[method(name = "parameters")]
	fn parameters(&self) -> RpcResult<ParametersJson>;
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

fn account(who: &AccountId) -> String {
	who.to_string()
}

fn percent(p: sp_runtime::Perbill) -> f64 {
	f64::from(p.deconstruct()) / 10_000_000.0
}

fn balance(b: Balance) -> String {
	b.to_string()
}

fn usage_json(u: &aitbc_primitives::Usage) -> UsageJson {
	UsageJson {
		prompt_tokens: u.prompt_tokens,
		output_tokens: u.output_tokens,
		compute_ms: u.compute_ms,
	}
}

fn status_name(status: JobStatus) -> &'static str {
	match status {
		JobStatus::Queued => "queued",
		JobStatus::Assigned => "assigned",
		JobStatus::Running => "running",
		JobStatus::Completed => "completed",
		JobStatus::Failed => "failed",
		JobStatus::Cancelled => "cancelled",
		JobStatus::Expired => "expired",
	}
}

/// Parses a status name (`queued`, `assigned`, `running`, `completed`, `failed`,
/// `cancelled`, `expired`).
pub fn parse_status(name: &str) -> Option<JobStatus> {
	[
		JobStatus::Queued,
		JobStatus::Assigned,
		JobStatus::Running,
		JobStatus::Completed,
		JobStatus::Failed,
		JobStatus::Cancelled,
		JobStatus::Expired,
	]
	.into_iter()
	.find(|s| status_name(*s).eq_ignore_ascii_case(name))
}

/// The JSON of a job.
pub fn job_json(id: JobId, job: &MarketJob) -> JobJson {
	let failure_reason = match &job.state {
		JobState::Failed { reason } => Some(match reason {
			FailureReason::NoMinerAvailable => "no miner available".to_string(),
			FailureReason::AttemptsExhausted => "no assigned miner delivered".to_string(),
			FailureReason::MinerReported(why) => format!("miner reported: {}", text(why)),
			FailureReason::Congested => "deadline queue congested".to_string(),
		}),
		_ => None,
	};
	let receipt_id = match job.state {
		JobState::Completed { receipt_id } => Some(receipt_id),
		_ => None,
	};
	let finished = job.state.is_final();
	JobJson {
		id,
		client: account(&job.client),
		kind: "text_inference".into(),
		model: text(&job.model),
		prompt: text(&job.prompt),
		temperature: f64::from(job.params.temperature_milli) / 1_000.0,
		max_tokens: job.params.max_tokens,
		seed: job.params.seed,
		max_price: balance(job.max_price),
		min_reputation_percent: percent(job.min_reputation),
		status: status_name(job.state.status()).into(),
		operator: job.state.operator().map(account),
		unit_type: job.terms.as_ref().map(|t| unit_type_name(t.unit_type).into()),
		unit_price: job.terms.as_ref().map(|t| balance(t.unit_price)),
		failure_reason,
		receipt_id,
		submitted_at: job.submitted_at,
		expires_at: job.expires_at,
		deadline: (!finished).then_some(job.deadline),
		attempts: job.tried.len() as u32,
		output: job.usage.is_some().then(|| text(&job.output)),
		usage: job.usage.as_ref().map(usage_json),
		ended_at: job.ended_at,
	}
}

/// The JSON of a miner.
pub fn miner_json(operator: &AccountId, miner: &MarketMiner) -> MinerJson {
	MinerJson {
		operator: account(operator),
		owner: account(&miner.owner),
		models: miner.offer.models.iter().map(|m| text(m)).collect(),
		unit_type: unit_type_name(miner.offer.unit_type).into(),
		unit_price: balance(miner.offer.unit_price),
		capacity: miner.offer.capacity,
		in_flight: miner.in_flight,
		gpu_name: text(&miner.offer.gpu.name),
		gpu_vram_mib: miner.offer.gpu.vram_mib,
		gpu_count: miner.offer.gpu.count,
		stake: balance(miner.stake),
		status: match miner.status {
			MinerStatus::Active => "active",
			MinerStatus::Offline => "offline",
			MinerStatus::Jailed => "jailed",
		}
		.into(),
		last_heartbeat: miner.last_heartbeat,
		reputation_percent: percent(miner.reputation.score()),
		consecutive_misses: miner.consecutive_misses,
		registered_at: miner.registered_at,
	}
}

fn unit_type_name(unit: aitbc_primitives::UnitType) -> &'static str {
	match unit {
		aitbc_primitives::UnitType::OutputToken => "output_token",
		aitbc_primitives::UnitType::GpuSecond => "gpu_second",
	}
}

/// The JSON of a receipt.
pub fn receipt_json(receipt: &MarketReceipt) -> ReceiptJson {
	let (status, claimed_by, claimed_at, reward) = match &receipt.status {
		ReceiptStatus::Unclaimed => ("unclaimed", None, None, None),
		ReceiptStatus::Claimed { at, by, reward } => {
			("claimed", Some(account(by)), Some(*at), Some(balance(*reward)))
		}
	};
	ReceiptJson {
		id: receipt.id,
		job_id: receipt.job_id,
		client: account(&receipt.client),
		miner_owner: account(&receipt.miner_owner),
		operator: account(&receipt.operator),
		model: String::from_utf8_lossy(&receipt.model).into_owned(),
		prompt_hash: format!("0x{}", hex(&receipt.prompt_hash)),
		unit_type: unit_type_name(receipt.unit_type).into(),
		unit_price: balance(receipt.unit_price),
		units: receipt.units,
		usage: usage_json(&receipt.usage),
		price: balance(receipt.price),
		fee: balance(receipt.fee),
		output_hash: format!("0x{}", hex(&receipt.output_hash)),
		block: receipt.block,
		timestamp_ms: receipt.timestamp_ms,
		signature: format!("0x{}", hex(&receipt.signature)),
		status: status.into(),
		claimed_by,
		claimed_at,
		reward,
	}
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The JSON of the parameters.
pub fn parameters_json(p: &MarketParameters) -> ParametersJson {
	ParametersJson {
		min_stake: balance(p.min_stake),
		protocol_fee_percent: percent(p.protocol_fee),
		min_fee: balance(p.min_fee),
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
		reward_per_unit: balance(p.reward_per_unit),
		reward_fee_share_percent: percent(p.reward_fee_share),
		emission_cap: balance(p.emission_cap),
	}
}

/// The `aitbc_*` methods over a client.
pub struct Marketplace<C> {
	client: Arc<C>,
}

impl<C> Marketplace<C> {
	/// Serves the marketplace of `client`'s best block.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

fn api_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(9000, format!("runtime API call failed: {e}"), None::<()>)
}

fn limit(limit: Option<u32>) -> u32 {
	limit.unwrap_or(100).min(MAX_LIMIT)
}

type Api<'a, C> = sp_api::ApiRef<'a, <C as ProvideRuntimeApi<Block>>::Api>;

impl<C> Marketplace<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	fn at(&self) -> (Api<'_, C>, <Block as sp_runtime::traits::Block>::Hash) {
		(self.client.runtime_api(), self.client.info().best_hash)
	}
}

impl<C> MarketplaceRpcServer for Marketplace<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MarketplaceApi<
		Block,
		AccountId,
		Balance,
		MarketJob,
		MarketMiner,
		MarketReceipt,
		MarketParameters,
	>,
{
	fn job(&self, job_id: JobId) -> RpcResult<Option<JobJson>> {
		let (api, at) = self.at();
		Ok(api.job(at, job_id).map_err(api_error)?.map(|job| job_json(job_id, &job)))
	}

	fn jobs(
		&self,
		client: Option<AccountId>,
		status: Option<String>,
		limit_: Option<u32>,
	) -> RpcResult<Vec<JobJson>> {
		let status = match status {
			Some(name) => Some(parse_status(&name).ok_or_else(|| {
				ErrorObject::owned(
					-32602,
					format!(
						"unknown status {name:?}: expected queued, assigned, running, completed, \
						 failed, cancelled or expired"
					),
					None::<()>,
				)
			})?),
			None => None,
		};
		let (api, at) = self.at();
		let jobs = api.jobs(at, client, status, limit(limit_)).map_err(api_error)?;
		Ok(jobs.iter().map(|(id, job)| job_json(*id, job)).collect())
	}

	fn miner(&self, operator: AccountId) -> RpcResult<Option<MinerJson>> {
		let (api, at) = self.at();
		Ok(api.miner(at, operator.clone()).map_err(api_error)?.map(|m| miner_json(&operator, &m)))
	}

	fn miners(&self, limit_: Option<u32>) -> RpcResult<Vec<MinerJson>> {
		let (api, at) = self.at();
		let miners = api.miners(at, limit(limit_)).map_err(api_error)?;
		Ok(miners.iter().map(|(op, m)| miner_json(op, m)).collect())
	}

	fn receipt(&self, receipt_id: ReceiptId) -> RpcResult<Option<ReceiptJson>> {
		let (api, at) = self.at();
		Ok(api.receipt(at, receipt_id).map_err(api_error)?.as_ref().map(receipt_json))
	}

	fn receipts(&self, job_id: Option<JobId>, limit_: Option<u32>) -> RpcResult<Vec<ReceiptJson>> {
		let (api, at) = self.at();
		let receipts = match job_id {
			Some(job_id) => {
				api.receipt_of_job(at, job_id).map_err(api_error)?.into_iter().collect()
			}
			None => api.receipts(at, limit(limit_)).map_err(api_error)?,
		};
		Ok(receipts.iter().map(receipt_json).collect())
	}

	fn quote(&self, model: String, max_tokens: u32) -> RpcResult<QuoteJson> {
		let (api, at) = self.at();
		let quote = api.quote(at, model.clone().into_bytes(), max_tokens).map_err(api_error)?;
		Ok(QuoteJson {
			model,
			max_tokens,
			available_miners: quote.available_miners,
			min_price: quote.min_price.map(balance),
		})
	}

	fn parameters(&self) -> RpcResult<ParametersJson> {
		let (api, at) = self.at();
		Ok(parameters_json(&api.parameters(at).map_err(api_error)?))
	}
}
