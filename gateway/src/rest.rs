//! The REST API of the seeds: `POST /v1/jobs`, `GET /v1/jobs/{id}`,
//! `GET /v1/jobs/{id}/receipt`, `POST /v1/jobs/{id}/cancel`, `GET /v1/miners`. JSON is
//! snake_case; balances are decimal strings in planck; a key sees only its account's jobs
//! (another account's job is a 404).

use aitbc_client::{json::JobJson, runtime, snake_case::snake_keys, AccountId, Chain};
use aitbc_primitives::{JobId, JobStatus};
use axum::{
	extract::{Path, State},
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
	error::ApiError,
	jobs::JobRequest,
	server::{AppState, Body, Caller},
	time,
};

/// A max price given as a string (`"1.5"`, `"1500u"`) or a number of AIT.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum Amount {
	/// As text.
	Text(String),
	/// As a JSON number (AIT).
	Number(serde_json::Number),
}

impl Amount {
	/// The amount as `parse_ait` reads it.
	pub fn text(&self) -> String {
		match self {
			Amount::Text(text) => text.clone(),
			Amount::Number(number) => number.to_string(),
		}
	}
}

/// `POST /v1/jobs` body.
#[derive(Deserialize, Debug)]
pub struct SubmitBody {
	/// `inference` (the only kind); optional.
	#[serde(rename = "type", default)]
	pub kind: Option<String>,
	/// The prompt.
	pub prompt: String,
	/// The model id.
	pub model: String,
	/// The most to pay, in AIT; default: the current quote for `max_tokens`.
	#[serde(default)]
	pub payment: Option<Amount>,
	/// Seconds before the job expires; default: the chain's.
	#[serde(default)]
	pub ttl: Option<u64>,
	/// Most output tokens (default 256).
	#[serde(default)]
	pub max_tokens: Option<u32>,
	/// Sampling temperature, 0 to 2 (default 0.7).
	#[serde(default)]
	pub temperature: Option<f64>,
	/// Sampling seed.
	#[serde(default)]
	pub seed: Option<u64>,
}

/// The default `max_tokens` of both APIs.
pub const DEFAULT_MAX_TOKENS: u32 = 256;
/// The default temperature of the REST API (the CLI's).
pub const DEFAULT_TEMPERATURE: f64 = 0.7;

/// `POST /v1/jobs`: submits a job; 201 with `{job_id, status, submitted_at, max_price, model}`.
pub async fn submit(
	State(state): State<AppState>,
	caller: Caller,
	Body(body): Body<SubmitBody>,
) -> Result<Response, ApiError> {
	if let Some(kind) = &body.kind {
		if !["inference", "text_inference", "text-inference"].contains(&kind.as_str()) {
			return Err(ApiError::invalid_request(format!(
				"unknown job type `{kind}`: the only one is `inference`"
			))
			.with_param("type"));
		}
	}
	let request = JobRequest {
		model: body.model,
		prompt: body.prompt,
		max_tokens: body.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
		temperature: body.temperature.unwrap_or(DEFAULT_TEMPERATURE),
		seed: body.seed,
		max_price: body.payment.as_ref().map(Amount::text),
		ttl_secs: body.ttl,
	};
	let submission = state.jobs.submit(&caller.record, &request).await?;
	caller.log.job(submission.job_id);
	let body = json!({
		"job_id": submission.job_id,
		"status": submission.status,
		"submitted_at": time::rfc3339(submission.submitted_at),
		"max_price": submission.max_price.to_string(),
		"model": submission.model,
	});
	Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Parses a job id: `12` or `job_12`.
pub fn parse_job_id(text: &str) -> Result<JobId, ApiError> {
	text.trim()
		.trim_start_matches("job_")
		.parse()
		.map_err(|_| ApiError::not_found(format!("`{text}` is not a job id (a number like 12)")))
}

/// The caller's account.
fn account_of(caller: &Caller) -> Result<AccountId, ApiError> {
	aitbc_client::parse_account(&caller.record.address)
		.map_err(|e| ApiError::internal(format!("the key's address is damaged: {e}")))
}

/// Job `id` if it is the caller's; else 404.
async fn own_job(chain: &Chain, caller: &Caller, id: JobId) -> Result<JobJson, ApiError> {
	let missing = || ApiError::not_found(format!("job {id} does not exist or is not this key's"));
	let job = chain.job(id).await?.ok_or_else(missing)?;
	let client = aitbc_client::parse_account(&job.client).map_err(|_| missing())?;
	if client != account_of(caller)? {
		return Err(missing());
	}
	Ok(job)
}

/// `GET /v1/jobs/{id}`: `{job_id, status, result, receipt_id, completed_at, failure_reason, ...}`.
pub async fn job(
	State(state): State<AppState>,
	caller: Caller,
	Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
	let id = parse_job_id(&id)?;
	caller.log.job(id);
	let chain = state.node.chain()?;
	let job = own_job(&chain, &caller, id).await?;
	let receipt = if job.status == JobStatus::Completed {
		chain.receipts(Some(id), None).await?.into_iter().find(|r| r.job_id == id)
	} else {
		None
	};
	Ok(Json(json!({
		"job_id": job.id,
		"status": job.status,
		"model": job.model,
		"result": job.output,
		"receipt_id": job.receipt_id,
		"completed_at": receipt.as_ref().map(|r| time::from_unix_ms(r.timestamp_ms)),
		"failure_reason": job.failure_reason.as_ref().map(ToString::to_string),
		"operator": job.operator,
		"max_price": job.max_price.to_string(),
		"price": receipt.as_ref().map(|r| r.price.to_string()),
		"submitted_at_block": job.submitted_at,
		"ended_at_block": job.ended_at,
		"expires_at_block": job.expires_at,
	})))
}

/// `GET /v1/jobs/{id}/receipt`: every receipt field (snake_case) and `verified`.
pub async fn receipt(
	State(state): State<AppState>,
	caller: Caller,
	Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
	let id = parse_job_id(&id)?;
	caller.log.job(id);
	let chain = state.node.chain()?;
	let missing =
		|| ApiError::not_found(format!("job {id} has no receipt (yet), or is not this key's"));
	let receipt = chain
		.receipts(Some(id), None)
		.await?
		.into_iter()
		.find(|r| r.job_id == id)
		.ok_or_else(missing)?;
	let client = aitbc_client::parse_account(&receipt.client).map_err(|_| missing())?;
	if client != account_of(&caller)? {
		return Err(missing());
	}
	let verified = match chain.job(id).await? {
		Some(job) => aitbc_client::receipts::verify_receipt(&receipt, &job, chain.genesis_hash()),
		None => aitbc_client::receipts::signature_verifies(&receipt, chain.genesis_hash()),
	};
	let mut value =
		snake_keys(serde_json::to_value(&receipt).map_err(|e| ApiError::internal(e.to_string()))?);
	if let Value::Object(map) = &mut value {
		map.insert("verified".into(), Value::Bool(verified));
	}
	Ok(Json(value))
}

/// `POST /v1/jobs/{id}/cancel`: cancels a queued job (refunded in full); a job a miner holds
/// is a 409 `job_held`, an ended one a 409 `job_ended`.
pub async fn cancel(
	State(state): State<AppState>,
	caller: Caller,
	Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
	let id = parse_job_id(&id)?;
	caller.log.job(id);
	let chain = state.node.chain()?;
	let job = own_job(&chain, &caller, id).await?;
	if job.is_final() {
		return Err(ApiError::job_ended(format!("job {id} has ended already ({})", job.status)));
	}
	if job.status.is_held() {
		return Err(ApiError::job_held(format!(
			"a miner holds job {id}: it can no longer be cancelled; it ends with the result, the \
			 miner's report or a missed deadline (then refunded)"
		)));
	}
	let key = state.jobs.key_of(&caller.record).await?;
	let submitted = chain.submit(&runtime::transactions().jobs().cancel_job(id), &key).await?;
	let refunded = submitted
		.events
		.find_first::<runtime::jobs::events::JobCancelled>()
		.and_then(Result::ok)
		.map(|e| e.refunded)
		.unwrap_or_default();
	Ok(Json(json!({
		"job_id": id,
		"status": JobStatus::Cancelled,
		"refunded": refunded.to_string(),
	})))
}

/// `GET /v1/miners`: the registered miners (snake_case) with their stream `endpoint`.
pub async fn miners(
	State(state): State<AppState>,
	_caller: Caller,
) -> Result<Json<Value>, ApiError> {
	let chain = state.node.chain()?;
	let miners = chain.miners(None).await?;
	let mut out = Vec::with_capacity(miners.len());
	for miner in &miners {
		let endpoint = match aitbc_client::parse_account(&miner.operator) {
			Ok(operator) => chain.miner_endpoint(&operator).await?,
			Err(_) => None,
		};
		let mut value =
			snake_keys(serde_json::to_value(miner).map_err(|e| ApiError::internal(e.to_string()))?);
		if let Value::Object(map) = &mut value {
			map.insert("endpoint".into(), endpoint.map_or(Value::Null, Value::String));
		}
		out.push(value);
	}
	Ok(Json(json!({ "miners": out })))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ids_and_bodies_parse() {
		assert_eq!(parse_job_id("12").unwrap(), 12);
		assert_eq!(parse_job_id("job_12").unwrap(), 12);
		assert_eq!(parse_job_id("x").unwrap_err().status.as_u16(), 404);
		let body: SubmitBody = serde_json::from_str(
			r#"{"type":"inference","prompt":"Hi","model":"m","payment":1.5,"ttl":60}"#,
		)
		.unwrap();
		assert_eq!(body.payment.unwrap().text(), "1.5");
		let body: SubmitBody =
			serde_json::from_str(r#"{"prompt":"Hi","model":"m","payment":"2000u"}"#).unwrap();
		assert_eq!(body.payment.unwrap().text(), "2000u");
		assert!(serde_json::from_str::<SubmitBody>(r#"{"prompt":"Hi"}"#).is_err());
	}
}
