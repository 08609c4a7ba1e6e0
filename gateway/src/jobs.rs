//! Jobs submitted for API keys, shared by both APIs: the request checked against the chain's
//! limits before anything is signed, the max price, the spend cap and the balance checked, the
//! job signed with the key's custodial wallet and submitted, then followed to its end in the
//! background (woken by the shared best-block subscription) and settled against the key's
//! spend: the receipt's price for a completed job, nothing for one that ended without a result.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, SystemTime},
};

use aitbc_client::json::MinerJson;
use aitbc_client::{
	json::{JobJson, ReceiptJson},
	keys::Key,
	keystore::Keystore,
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::JobKind, bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::InferenceParams,
		},
	},
	units::{format_ait, parse_ait},
	AccountId, Chain, Constants,
};
use aitbc_primitives::{JobId, JobStatus};
use tokio::sync::watch;

use crate::{
	error::{ApiError, GatewayError},
	keys::KeyRecord,
	keys::KeyStore,
	metrics::Metrics,
	node::Node,
};

/// What a client asks for, before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRequest {
	/// Model id.
	pub model: String,
	/// The prompt.
	pub prompt: String,
	/// Most output tokens.
	pub max_tokens: u32,
	/// Sampling temperature, 0 to 2.
	pub temperature: f64,
	/// Sampling seed.
	pub seed: Option<u64>,
	/// The most to pay, in AIT (`1.5`, or `1500u` in planck); none: the current quote.
	pub max_price: Option<String>,
	/// Seconds before the job expires; none: the chain's default.
	pub ttl_secs: Option<u64>,
}

/// A request checked against the chain's constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
	/// Temperature in thousandths.
	pub temperature_milli: u32,
	/// TTL in blocks, if given.
	pub ttl_blocks: Option<u32>,
	/// The max price given, in planck.
	pub max_price: Option<u128>,
}

/// Checks `request` against the chain's `limits` (its constants): the prompt (not blank, at most
/// `max_prompt_chars` characters), the model id (1 to `max_model_id_len` bytes), the
/// temperature, the token count (1 to `max_tokens`), the TTL and the max price.
pub fn check(request: &JobRequest, limits: &Constants) -> Result<Checked, ApiError> {
	if request.prompt.trim().is_empty() {
		return Err(ApiError::invalid_request("the prompt is empty").with_param("prompt"));
	}
	let chars = request.prompt.chars().count();
	if u32::try_from(chars).map_or(true, |chars| chars > limits.max_prompt_chars) {
		return Err(ApiError::prompt_too_long(chars, limits.max_prompt_chars));
	}
	let max_model = limits.max_model_id_len;
	if request.model.trim().is_empty()
		|| u32::try_from(request.model.len()).map_or(true, |n| n > max_model)
	{
		return Err(ApiError::invalid_model(format!(
			"the model id must be 1 to {max_model} bytes"
		)));
	}
	if !request.temperature.is_finite() || !(0.0..=2.0).contains(&request.temperature) {
		return Err(ApiError::invalid_request("temperature must be between 0 and 2")
			.with_param("temperature"));
	}
	if request.max_tokens == 0 || request.max_tokens > limits.max_tokens {
		return Err(ApiError::invalid_request(format!(
			"max_tokens must be 1 to {}",
			limits.max_tokens
		))
		.with_param("max_tokens"));
	}
	let block_ms = u64::try_from(limits.block_time.as_millis()).unwrap_or(u64::MAX).max(1);
	let ttl_blocks = match request.ttl_secs {
		Some(0) => {
			return Err(ApiError::invalid_request("ttl must be at least 1 second").with_param("ttl"))
		}
		Some(secs) => Some(
			secs.checked_mul(1_000)
				.and_then(|ms| u32::try_from(ms.div_ceil(block_ms)).ok())
				.ok_or_else(|| ApiError::invalid_request("ttl is too long").with_param("ttl"))?,
		),
		None => None,
	};
	let max_price = match &request.max_price {
		Some(text) => Some(parse_ait(text).map_err(|e| {
			ApiError::invalid_request(format!("the max price: {e}")).with_param("payment")
		})?),
		None => None,
	};
	// Rounded to the nearest thousandth, within 0..=2000 (checked above).
	let temperature_milli = (request.temperature * 1_000.0).round() as u32;
	Ok(Checked { temperature_milli, ttl_blocks, max_price })
}

/// Whether a registered miner lists `model`.
pub fn served(miners: &[MinerJson], model: &str) -> bool {
	miners.iter().any(|miner| miner.models.iter().any(|m| m == model))
}

/// A job submitted for a key.
pub struct Submission {
	/// The job's id.
	pub job_id: JobId,
	/// Queued or assigned, as the submission's block left it.
	pub status: JobStatus,
	/// Its max price, in planck.
	pub max_price: u128,
	/// Its model.
	pub model: String,
	/// When the gateway saw it in a block.
	pub submitted_at: SystemTime,
	/// The operator it was assigned to in that block, if it was.
	pub operator: Option<AccountId>,
	/// The connection it was submitted on.
	pub chain: Chain,
	/// The client's key (the custodial wallet's).
	pub key: Key,
	/// Its end, once the follower saw it.
	pub ended: watch::Receiver<Option<Arc<Ended>>>,
}

/// How a followed job ended.
#[derive(Debug)]
pub struct Ended {
	/// The job's id.
	pub job_id: JobId,
	/// The job in its final state (none if it was pruned before the gateway read it).
	pub job: Option<JobJson>,
	/// A completed job's receipt.
	pub receipt: Option<ReceiptJson>,
	/// Whether the receipt verified: signature, prompt and output hashes.
	pub verified: bool,
}

impl Ended {
	/// Whether the job's end could not be read: gone from the chain (pruned) without a
	/// receipt. Such a job is settled at its max price, the most it could have cost.
	pub fn unknown(&self) -> bool {
		self.job.is_none() && self.receipt.is_none()
	}

	/// What the client was charged: the receipt's price, or nothing.
	pub fn price(&self) -> u128 {
		self.receipt.as_ref().map_or(0, |r| r.price)
	}

	/// `completed`, `failed`, `expired`, `cancelled` (or `unknown`).
	pub fn outcome(&self) -> &'static str {
		match (&self.job, &self.receipt) {
			(Some(job), _) => job.status.as_str(),
			(None, Some(_)) => JobStatus::Completed.as_str(),
			(None, None) => "unknown",
		}
	}

	/// A job that ended without a result, as an error: 502 `job_failed` with the chain's
	/// reason.
	pub fn failure(&self) -> Option<ApiError> {
		let job = self.job.as_ref()?;
		if job.status == JobStatus::Completed {
			return None;
		}
		let why = match (&job.status, &job.failure_reason) {
			(JobStatus::Failed, Some(reason)) => format!("failed: {reason}"),
			(status, _) => status.to_string(),
		};
		Some(ApiError::job_failed(format!(
			"job {} ended without a result ({why}); its escrow was refunded, nothing was charged",
			self.job_id
		)))
	}
}

/// The custodial wallets, opened once each.
struct Wallets {
	store: Keystore,
	password: String,
	open: Mutex<HashMap<String, Key>>,
}

impl Wallets {
	async fn key(&self, name: &str) -> Result<Key, ApiError> {
		if let Some(key) = self.open.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
			return Ok(key.clone());
		}
		let (store, password, wallet) =
			(self.store.clone(), self.password.clone(), name.to_string());
		let key = tokio::task::spawn_blocking(move || store.unlock(&wallet, &password))
			.await
			.map_err(|e| ApiError::internal(format!("opening the wallet stopped: {e}")))?
			.map_err(|e| {
				tracing::error!(wallet = name, error = %e, "cannot open the custodial wallet");
				ApiError::internal(format!("cannot open this key's wallet `{name}`: {e}"))
			})?;
		self.open.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), key.clone());
		Ok(key)
	}
}

/// Runs `work` in a task of its own and waits for it: dropping the returned future (the client
/// hung up) does not stop `work`.
pub async fn detached<T: Send + 'static>(
	work: impl std::future::Future<Output = Result<T, ApiError>> + Send + 'static,
) -> Result<T, ApiError> {
	tokio::spawn(work)
		.await
		.unwrap_or_else(|e| Err(ApiError::internal(format!("the submission stopped: {e}"))))
}

/// Submits, follows and settles jobs.
pub struct Jobs {
	node: Node,
	keys: Arc<KeyStore>,
	wallets: Wallets,
	metrics: Metrics,
	followed: Mutex<HashMap<JobId, watch::Receiver<Option<Arc<Ended>>>>>,
}

impl Jobs {
	/// Jobs over `node`, for the keys of `keys`, signed with the wallets of `wallets` (opened
	/// with `password`).
	pub fn new(
		node: Node,
		keys: Arc<KeyStore>,
		wallets: Keystore,
		password: String,
		metrics: Metrics,
	) -> Arc<Self> {
		Arc::new(Jobs {
			node,
			keys,
			wallets: Wallets { store: wallets, password, open: Mutex::default() },
			metrics,
			followed: Mutex::default(),
		})
	}

	/// The shared connection.
	pub fn node(&self) -> &Node {
		&self.node
	}

	/// Opens the wallet of every key not revoked, so a wrong password shows at startup.
	pub async fn open_wallets(&self) -> Result<(), ApiError> {
		let records = self.keys.list().map_err(|e| ApiError::internal(e.to_string()))?;
		for record in records.iter().filter(|r| !r.revoked) {
			self.wallets.key(&record.wallet).await?;
		}
		Ok(())
	}

	/// The key (custodial wallet) of `record`.
	pub async fn key_of(&self, record: &KeyRecord) -> Result<Key, ApiError> {
		self.wallets.key(&record.wallet).await
	}

	/// Follows every job still open in the keys file (after a restart) until it ends.
	pub fn resume(self: &Arc<Self>) {
		let Ok(records) = self.keys.list() else { return };
		for record in records {
			for job_id in record.open_jobs.keys() {
				self.follow(&record.name, *job_id);
			}
		}
	}

	/// Checks, prices and submits `request` for the key of `record`; the job is followed to
	/// its end and settled in the background.
	pub async fn submit(
		self: &Arc<Self>,
		record: &KeyRecord,
		request: &JobRequest,
	) -> Result<Submission, ApiError> {
		let chain = self.node.chain()?;
		let checked = check(request, chain.constants())?;
		let params = chain.parameters().await?;
		if let Some(ttl) = checked.ttl_blocks {
			if ttl > params.max_ttl {
				let block_time = chain.constants().block_time;
				let max = block_time.checked_mul(params.max_ttl).unwrap_or(Duration::MAX);
				return Err(ApiError::invalid_request(format!(
					"ttl is too long; the chain allows at most {} s",
					max.as_secs()
				))
				.with_param("ttl"));
			}
		}
		let miners = chain.miners(None).await?;
		if !served(&miners, &request.model) {
			return Err(ApiError::invalid_model(format!(
				"no registered miner serves the model `{}`: GET /v1/models lists those served",
				request.model
			)));
		}
		let max_price = match checked.max_price {
			Some(price) => price,
			None => chain.quote(&request.model, request.max_tokens).await?.min_price.ok_or_else(
				|| {
					ApiError::invalid_model(format!(
						"no active miner serves the model `{}` now, so there is no price to offer; \
						 give a max price to queue the job anyway",
						request.model
					))
				},
			)?,
		};
		// From the reservation on, the work runs in a task of its own and the handler awaits
		// it: a client hanging up drops the handler, not the submission, so a job signed and
		// submitted is always recorded as open, followed and charged.
		let this = self.clone();
		let (record, request) = (record.clone(), request.clone());
		detached(async move {
			this.keys.reserve(&record.name, max_price)?;
			let submitted =
				this.sign_and_submit(&chain, &record, &request, &checked, max_price).await;
			let submission = match submitted {
				Ok(submission) => submission,
				Err(e) => {
					this.keys.release(&record.name, max_price);
					return Err(e);
				}
			};
			let (keys, name, job_id) = (this.keys.clone(), record.name.clone(), submission.0);
			match tokio::task::spawn_blocking(move || keys.open_job(&name, job_id, max_price)).await
			{
				Ok(Ok(())) => {}
				Ok(Err(e)) => tracing::error!(
					job_id,
					error = %e,
					"cannot record the open job; its max price stays held until it is settled"
				),
				Err(e) => tracing::error!(job_id, error = %e, "recording the open job stopped"),
			}
			let ended = this.follow(&record.name, job_id);
			Ok(Submission {
				job_id,
				status: submission.1,
				max_price,
				model: request.model.clone(),
				submitted_at: SystemTime::now(),
				operator: submission.2,
				chain,
				key: submission.3,
				ended,
			})
		})
		.await
	}

	/// The balance check and the submission itself: the job id, its status, its operator and
	/// the key that signed.
	async fn sign_and_submit(
		&self,
		chain: &Chain,
		record: &KeyRecord,
		request: &JobRequest,
		checked: &Checked,
		max_price: u128,
	) -> Result<(JobId, JobStatus, Option<AccountId>, Key), ApiError> {
		let key = self.wallets.key(&record.wallet).await?;
		let account = key.account();
		let free = chain.free_balance(&account).await?;
		if free <= max_price {
			let address = chain.address(&account);
			return Err(ApiError::insufficient_funds(format!(
				"insufficient balance: the job needs {} in escrow plus transaction fees; {address} \
				 has {} free: fund it (aitbc wallet transfer --to {address} --amount AIT)",
				format_ait(max_price),
				format_ait(free)
			)));
		}
		let call = runtime::transactions().jobs().submit_job(
			JobKind::TextInference,
			BoundedVec(request.model.as_bytes().to_vec()),
			BoundedVec(request.prompt.as_bytes().to_vec()),
			InferenceParams {
				temperature_milli: checked.temperature_milli,
				max_tokens: request.max_tokens,
				seed: request.seed,
			},
			max_price,
			checked.ttl_blocks,
			None,
		);
		let submitted = chain.submit(&call, &key).await.map_err(|e| {
			let mut error = ApiError::from(e);
			if error.code == "too_many_open_jobs" {
				// A job ends at a block at the soonest: retry after one.
				let block = chain.constants().block_time;
				error.retry_after = Some(
					block.as_secs().saturating_add(u64::from(block.subsec_nanos() > 0)).max(1),
				);
			}
			error
		})?;
		let event = submitted
			.events
			.find_first::<runtime::jobs::events::JobSubmitted>()
			.and_then(Result::ok)
			.ok_or_else(|| ApiError::node_error("the submission has no JobSubmitted event"))?;
		let assigned = submitted
			.events
			.find_first::<runtime::jobs::events::JobAssigned>()
			.and_then(Result::ok)
			.filter(|assigned| assigned.job_id == event.job_id);
		let status = if assigned.is_some() { JobStatus::Assigned } else { JobStatus::Queued };
		Ok((event.job_id, status, assigned.map(|a| a.operator), key))
	}

	/// Follows job `job_id` of key `name` (once, however often asked) until it ends, then
	/// settles the key's spend; the receiver sees the end.
	pub fn follow(
		self: &Arc<Self>,
		name: &str,
		job_id: JobId,
	) -> watch::Receiver<Option<Arc<Ended>>> {
		let mut followed = self.followed.lock().unwrap_or_else(|e| e.into_inner());
		if let Some(receiver) = followed.get(&job_id) {
			return receiver.clone();
		}
		let (sender, receiver) = watch::channel(None);
		followed.insert(job_id, receiver.clone());
		let this = self.clone();
		let name = name.to_string();
		tokio::spawn(async move {
			let ended = Arc::new(this.wait_end(job_id).await);
			let unknown = ended.unknown();
			let price = ended.price();
			let keys = this.keys.clone();
			let key = name.clone();
			let settled = tokio::task::spawn_blocking(move || {
				if unknown {
					keys.settle_at_max_price(&key, job_id)
				} else {
					keys.settle(&key, job_id, price)
				}
			})
			.await
			.unwrap_or_else(|e| Err(GatewayError::Io(format!("settling stopped: {e}"))));
			if let Err(e) = settled {
				tracing::error!(job_id, key = %name, error = %e, "cannot record what the job cost");
			}
			this.metrics.jobs.with_label_values(&[ended.outcome()]).inc();
			if unknown {
				tracing::info!(job_id, key = %name, outcome = ended.outcome(), "job ended; charged its max price");
			} else {
				tracing::info!(job_id, key = %name, outcome = ended.outcome(), price = %price, "job ended");
			}
			// Nobody waiting is fine: the end is settled either way.
			let _ = sender.send(Some(ended));
			this.followed.lock().unwrap_or_else(|e| e.into_inner()).remove(&job_id);
		});
		receiver
	}

	/// Reads the job on every new best block (or every few seconds without blocks) until it
	/// has ended; then its receipt, verified.
	async fn wait_end(&self, job_id: JobId) -> Ended {
		let mut blocks = self.node.blocks();
		loop {
			if let Ok(chain) = self.node.chain() {
				match self.read_end(&chain, job_id).await {
					Ok(Some(ended)) => return ended,
					Ok(None) => {}
					Err(e) => tracing::debug!(job_id, error = %e, "cannot read the job; again"),
				}
			}
			let _ = tokio::time::timeout(Duration::from_secs(6), blocks.changed()).await;
		}
	}

	/// The job's end, if it has ended.
	async fn read_end(
		&self,
		chain: &Chain,
		job_id: JobId,
	) -> Result<Option<Ended>, aitbc_client::Error> {
		let job = chain.job(job_id).await?;
		if job.as_ref().is_some_and(|job| !job.is_final()) {
			return Ok(None);
		}
		let completed = job.as_ref().is_none_or(|job| job.status == JobStatus::Completed);
		let receipt = if completed {
			chain.receipts(Some(job_id), None).await?.into_iter().find(|r| r.job_id == job_id)
		} else {
			None
		};
		if job.is_none() && receipt.is_none() {
			tracing::warn!(
				job_id,
				"the job is gone from the chain and has no receipt; settled at its max price"
			);
		}
		let verified = match (&job, &receipt) {
			(Some(job), Some(receipt)) => {
				aitbc_client::receipts::verify_receipt(receipt, job, chain.genesis_hash())
			}
			(None, Some(receipt)) => {
				aitbc_client::receipts::signature_verifies(receipt, chain.genesis_hash())
			}
			_ => false,
		};
		Ok(Some(Ended { job_id, job, receipt, verified }))
	}

	/// Waits until `submission`'s job ends.
	pub async fn wait(submission: &mut Submission) -> Result<Arc<Ended>, ApiError> {
		loop {
			if let Some(ended) = submission.ended.borrow_and_update().clone() {
				return Ok(ended);
			}
			submission
				.ended
				.changed()
				.await
				.map_err(|_| ApiError::internal("the job's follower stopped"))?;
		}
	}

	/// Waits until the job of `submission` is held by a miner (its operator) or has ended
	/// (`None`).
	pub async fn wait_operator(&self, submission: &Submission) -> Option<AccountId> {
		if let Some(operator) = &submission.operator {
			return Some(*operator);
		}
		let mut blocks = self.node.blocks();
		loop {
			if submission.ended.borrow().is_some() {
				return None;
			}
			if let Ok(chain) = self.node.chain() {
				if let Ok(Some(job)) = chain.job(submission.job_id).await {
					if job.is_final() {
						return None;
					}
					if let Some(operator) = job.operator.as_deref() {
						if job.status.is_held() {
							if let Ok(account) = aitbc_client::parse_account(operator) {
								return Some(account);
							}
						}
					}
				}
			}
			let _ = tokio::time::timeout(Duration::from_secs(6), blocks.changed()).await;
		}
	}

	/// The key store.
	pub fn keys(&self) -> &KeyStore {
		&self.keys
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn request() -> JobRequest {
		JobRequest {
			model: "llama3.2:latest".into(),
			prompt: "Hello".into(),
			max_tokens: 16,
			temperature: 0.7,
			seed: None,
			max_price: None,
			ttl_secs: None,
		}
	}

	/// The work of a detached call goes on when its caller is dropped (the client hung up).
	#[tokio::test]
	async fn detached_work_finishes_when_the_caller_is_dropped() {
		let (go, wait) = tokio::sync::oneshot::channel::<()>();
		let (finished, done) = tokio::sync::oneshot::channel::<u32>();
		let mut call = Box::pin(detached(async move {
			let _ = wait.await;
			let _ = finished.send(7);
			Ok(7u32)
		}));
		// Started, then the caller goes away before the work is done.
		assert!(futures::poll!(&mut call).is_pending());
		drop(call);
		go.send(()).unwrap();
		assert_eq!(done.await.unwrap(), 7);
		assert_eq!(detached(async { Ok(1u8) }).await.unwrap(), 1);
	}

	#[test]
	fn an_end_that_cannot_be_read_is_unknown() {
		let ended = Ended { job_id: 1, job: None, receipt: None, verified: false };
		assert!(ended.unknown());
		assert_eq!((ended.price(), ended.outcome()), (0, "unknown"));
	}

	#[test]
	fn requests_are_checked_against_the_chains_limits() {
		let limits = Constants::offline();
		let ok = check(&request(), &limits).unwrap();
		assert_eq!(ok.temperature_milli, 700);
		let long = "x".repeat(limits.max_prompt_chars as usize + 1);
		let error = check(&JobRequest { prompt: long, ..request() }, &limits).unwrap_err();
		assert_eq!((error.status.as_u16(), error.code), (400, "prompt_too_long"));
		let exact = "é".repeat(limits.max_prompt_chars as usize);
		assert!(
			check(&JobRequest { prompt: exact, ..request() }, &limits).is_ok(),
			"characters, not bytes"
		);
		let model = "m".repeat(limits.max_model_id_len as usize + 1);
		assert_eq!(
			check(&JobRequest { model, ..request() }, &limits).unwrap_err().code,
			"invalid_model"
		);
		assert_eq!(
			check(&JobRequest { model: " ".into(), ..request() }, &limits).unwrap_err().code,
			"invalid_model"
		);
		assert_eq!(
			check(&JobRequest { temperature: 2.5, ..request() }, &limits).unwrap_err().param,
			Some("temperature")
		);
		assert!(check(&JobRequest { max_tokens: 0, ..request() }, &limits).is_err());
		assert!(check(&JobRequest { ttl_secs: Some(0), ..request() }, &limits).is_err());
		let priced =
			check(&JobRequest { max_price: Some("1.5".into()), ..request() }, &limits).unwrap();
		assert_eq!(priced.max_price, Some(1_500_000_000_000));
		let bad = check(&JobRequest { max_price: Some("lots".into()), ..request() }, &limits)
			.unwrap_err();
		assert_eq!(bad.param, Some("payment"));
		let block_ms = limits.block_time.as_millis() as u64;
		let ttl = check(&JobRequest { ttl_secs: Some(60), ..request() }, &limits).unwrap();
		assert_eq!(ttl.ttl_blocks, Some(u32::try_from(60_000u64.div_ceil(block_ms)).unwrap()));
	}
}
