//! The miner's side of the marketplace on chain: its transactions (as calls, which
//! the submitter and the daemon's sender send) and its reads.

use aitbc_client::{
	json::{JobJson, MinerJson},
	keys::Key,
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	subxt::transactions::Payload,
	Chain, Error,
};
use aitbc_primitives::{output_hash, price_for, prompt_hash, JobId, ReceiptPayload, Usage};

use crate::backend::{truncate_utf8, Generation};

/// A call the miner sends: a payload the sender keeps, to sign it again at its nonce when the
/// pool loses it.
pub trait Call: Payload + Send + Sync + 'static {}

impl<C: Payload + Send + Sync + 'static> Call for C {}

/// One signed result as the chain takes it (`Jobs::submit_results`).
pub type JobResult = runtime::runtime_types::pallet_aitbc_jobs::types::JobResult<BoundedVec<u8>>;

/// A job's result, signed: the parts of a [`JobResult`], kept to send again.
#[derive(Clone, Debug)]
pub struct SignedResult {
	/// The job.
	pub job_id: JobId,
	/// The output as the chain stores it.
	pub output: Vec<u8>,
	/// What it consumed, as billed.
	pub usage: Usage,
	/// The operator's signature over the receipt payload.
	pub signature: [u8; 64],
}

impl SignedResult {
	/// The result as the chain's call takes it.
	pub fn to_call(&self) -> JobResult {
		JobResult {
			job_id: self.job_id,
			output: BoundedVec(self.output.clone()),
			usage: runtime::runtime_types::aitbc_primitives::Usage {
				prompt_tokens: self.usage.prompt_tokens,
				output_tokens: self.usage.output_tokens,
				compute_ms: self.usage.compute_ms,
			},
			signature: self.signature,
		}
	}
}

/// Acknowledges the jobs `job_ids` (at most `Jobs.MaxBatch`).
pub fn acknowledge(job_ids: Vec<JobId>) -> impl Call {
	runtime::transactions().jobs().acknowledge(BoundedVec(job_ids))
}

/// Delivers `results` (at most `Jobs.MaxBatch`), all or nothing; a job still waiting for its
/// acknowledgement is acknowledged implicitly.
pub fn submit_results(results: Vec<JobResult>) -> impl Call {
	runtime::transactions().jobs().submit_results(BoundedVec(results))
}

/// What a result costs the client: units by the terms fixed at assignment, capped at the
/// job's `max_price`.
pub fn price_of(job: &JobJson, usage: &Usage) -> u128 {
	let unit_type = job.unit_type.unwrap_or_default();
	price_for(unit_type.units(usage), job.unit_price.unwrap_or(0), job.max_price)
}

/// The result transaction's parts: the output as the chain stores it (truncated to
/// `max_output_len` bytes, the chain's `MaxOutputLen`, on a character boundary), the usage and
/// the operator's signature over the receipt payload (v2: bound to the chain of `genesis_hash`,
/// the job's client, model and prompt). The output tokens billed never exceed the job's
/// `max_tokens`, as the chain requires.
pub fn sign_result(
	key: &Key,
	genesis_hash: [u8; 32],
	max_output_len: usize,
	job: &JobJson,
	generation: &Generation,
) -> Result<SignedResult, Error> {
	let output = truncate_utf8(&generation.text, max_output_len).as_bytes().to_vec();
	let usage = Usage {
		prompt_tokens: generation.prompt_tokens,
		output_tokens: generation.output_tokens.min(job.max_tokens),
		compute_ms: generation.compute_ms,
	};
	let client = aitbc_client::parse_account(&job.client)?;
	let payload = ReceiptPayload {
		genesis_hash,
		job_id: job.id,
		client: client.0,
		model: job.model.as_bytes().to_vec(),
		prompt_hash: prompt_hash(job.prompt.as_bytes()),
		output_hash: output_hash(&output),
		usage,
		price: price_of(job, &usage),
	};
	let signature = key.sign(&payload.signing_bytes());
	Ok(SignedResult { job_id: job.id, output, usage, signature })
}

/// Gives a job up with `reason` (cut to `max_reason_len`, the chain's `MaxReasonLen`); the
/// client is refunded.
pub fn report_failure(max_reason_len: usize, job_id: JobId, reason: &str) -> impl Call {
	let reason = truncate_utf8(reason, max_reason_len).as_bytes().to_vec();
	runtime::transactions().jobs().report_failure(job_id, BoundedVec(reason))
}

/// Records a heartbeat.
pub fn heartbeat() -> impl Call {
	runtime::transactions().miners().heartbeat()
}

/// Stops new assignments.
pub fn go_offline() -> impl Call {
	runtime::transactions().miners().go_offline()
}

/// Takes jobs again.
pub fn go_online() -> impl Call {
	runtime::transactions().miners().go_online()
}

/// Advertises the miner's stream server at `url` (its base URL; `None` removes it): clients
/// and gateways read a job's tokens at `<url>/v1/jobs/{id}/stream`.
pub fn set_endpoint(url: Option<&str>) -> impl Call {
	runtime::transactions()
		.miners()
		.set_endpoint(url.map(|url| BoundedVec(url.as_bytes().to_vec())))
}

/// This operator's miner record, if registered.
pub async fn me(chain: &Chain, key: &Key) -> Result<Option<MinerJson>, Error> {
	chain.miner(&key.account()).await
}

/// Jobs held by this operator (assigned or running), oldest first: one read of the chain's
/// per-operator index, in proportion to these jobs only.
pub async fn held_jobs(chain: &Chain, key: &Key) -> Result<Vec<JobJson>, Error> {
	chain.held_jobs(&key.account()).await
}

/// Whether `job` is held by this operator.
pub fn is_mine(job: &JobJson, key: &Key) -> bool {
	job.operator
		.as_deref()
		.and_then(|op| aitbc_client::parse_account(op).ok())
		.is_some_and(|op| op == key.account())
}
