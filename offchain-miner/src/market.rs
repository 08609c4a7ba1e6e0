//! The miner's side of the marketplace on chain: its transactions and reads.

use aitbc_client::{
	json::{JobJson, MinerJson},
	keys::Key,
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	Chain, Error, Pending,
};
use aitbc_primitives::{output_hash, price_for, prompt_hash, JobId, ReceiptPayload, Usage};

use crate::backend::{truncate_utf8, Generation};

/// Hands the acknowledgement of `job_id` to the node's pool.
pub async fn send_acknowledge(chain: &Chain, key: &Key, job_id: JobId) -> Result<Pending, Error> {
	let call = runtime::transactions().jobs().acknowledge(BoundedVec(vec![job_id]));
	chain.send(&call, key).await
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
) -> Result<(Vec<u8>, Usage, [u8; 64]), Error> {
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
	Ok((output, usage, signature))
}

/// Hands a signed result to the node's pool.
pub async fn send_result(
	chain: &Chain,
	key: &Key,
	job_id: JobId,
	output: Vec<u8>,
	usage: Usage,
	signature: [u8; 64],
) -> Result<Pending, Error> {
	let usage = runtime::runtime_types::aitbc_primitives::Usage {
		prompt_tokens: usage.prompt_tokens,
		output_tokens: usage.output_tokens,
		compute_ms: usage.compute_ms,
	};
	let call =
		runtime::transactions().jobs().submit_result(job_id, BoundedVec(output), usage, signature);
	chain.send(&call, key).await
}

/// Gives a job up with `reason` (cut to the chain's `MaxReasonLen`); the client is refunded.
pub async fn report_failure(
	chain: &Chain,
	key: &Key,
	job_id: JobId,
	reason: &str,
) -> Result<(), Error> {
	let max_reason_len = chain.constants().max_reason_len as usize;
	let reason = truncate_utf8(reason, max_reason_len).as_bytes().to_vec();
	let call = runtime::transactions().jobs().report_failure(job_id, BoundedVec(reason));
	chain.submit(&call, key).await.map(|_| ())
}

/// Records a heartbeat.
pub async fn heartbeat(chain: &Chain, key: &Key) -> Result<(), Error> {
	chain.submit(&runtime::transactions().miners().heartbeat(), key).await.map(|_| ())
}

/// Stops new assignments.
pub async fn go_offline(chain: &Chain, key: &Key) -> Result<(), Error> {
	chain.submit(&runtime::transactions().miners().go_offline(), key).await.map(|_| ())
}

/// Takes jobs again.
pub async fn go_online(chain: &Chain, key: &Key) -> Result<(), Error> {
	chain.submit(&runtime::transactions().miners().go_online(), key).await.map(|_| ())
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
