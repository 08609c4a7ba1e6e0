//! One job, start to end: read it, acknowledge it while the backend already generates, then
//! sign and submit the result, or report the failure with a reason.

use std::{
	future::Future,
	pin::Pin,
	time::{Duration, Instant},
};

use aitbc_client::{json::JobJson, Error};
use aitbc_primitives::{JobId, JobStatus};

use crate::{
	backend::{BackendError, Generation, Request},
	daemon::Miner,
	market,
};

/// Blocks kept between the moment a result is submitted and its deadline.
const DEADLINE_MARGIN_BLOCKS: u64 = 2;

/// A backend call running in its own task, with its duration.
type GenerationTask = tokio::task::JoinHandle<(Result<Generation, BackendError>, Duration)>;

/// Which came first: the acknowledgement in a block or the backend's answer.
enum First {
	Acknowledged(Result<(), Error>),
	Generated(Result<Generation, BackendError>),
}

/// An acknowledgement on its way to a block.
type AckInBlock = Pin<Box<dyn Future<Output = Result<aitbc_client::Submitted, Error>> + Send>>;

/// How a job ended for this miner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
	/// The result is in a block.
	Completed,
	/// The failure was reported on chain.
	Failed,
	/// Gone before we finished (cancelled, expired, re-assigned) or the outcome is unknown.
	Lost,
}

impl Outcome {
	/// The `outcome` label of the jobs metric and the log.
	pub(crate) fn label(self) -> &'static str {
		match self {
			Outcome::Completed => "completed",
			Outcome::Failed => "failed",
			Outcome::Lost => "lost",
		}
	}
}

impl Miner {
	/// Runs job `job_id` to its end.
	pub(crate) async fn run_job(&self, job_id: JobId) -> Outcome {
		let job = match self.read_job(job_id).await {
			Ok(Some(job)) => job,
			Ok(None) => return Outcome::Lost,
			Err(e) => {
				tracing::warn!(job_id, error = %e, "cannot read the job");
				return Outcome::Lost;
			}
		};
		if !market::is_mine(&job, &self.key) || !job.status.is_held() {
			return Outcome::Lost;
		}
		if !self.models.contains(&job.model) {
			return self
				.fail(
					job_id,
					&format!("model `{}` is not served by this miner's backend", job.model),
				)
				.await;
		}
		let request = Request {
			model: job.model.clone(),
			prompt: job.prompt.clone(),
			temperature: job.temperature,
			max_tokens: job.max_tokens,
			seed: job.seed,
		};
		let backend = self.backend.clone();
		let mut generation = tokio::spawn(async move {
			let started = Instant::now();
			let result = backend.generate(&request).await;
			(result, started.elapsed())
		});
		if job.status == JobStatus::Running {
			return self.run_acknowledged(job_id, generation).await;
		}
		// Acknowledge without waiting for the block: a fast backend's result then goes into the
		// pool right behind the acknowledgement and both usually land in the same block.
		let key = self.key.clone();
		let ack = self
			.on_chain(|c| {
				let key = key.clone();
				async move { market::send_acknowledge(&c, &key, job_id).await }
			})
			.await;
		let mut ack: AckInBlock = match ack {
			Ok(pending) => Box::pin(pending.in_block()),
			Err(e) => {
				self.tx("acknowledge", Err(e));
				generation.abort();
				return Outcome::Lost;
			}
		};
		let first = tokio::select! {
			acked = ack.as_mut() => First::Acknowledged(acked.map(|_| ())),
			done = &mut generation => First::Generated(self.generated(done)),
		};
		match first {
			First::Acknowledged(acked) => {
				let ok = acked.is_ok();
				self.tx("acknowledge", acked);
				if !ok {
					generation.abort();
					return Outcome::Lost;
				}
				self.run_acknowledged(job_id, generation).await
			}
			First::Generated(generated) => self.finish(&job, generated, Some(ack)).await,
		}
	}

	async fn read_job(&self, job_id: JobId) -> Result<Option<JobJson>, Error> {
		self.on_chain(|c| async move { c.job(job_id).await }).await
	}

	/// The generation's result as the backend's, recording its latency.
	fn generated(
		&self,
		done: Result<(Result<Generation, BackendError>, Duration), tokio::task::JoinError>,
	) -> Result<Generation, BackendError> {
		match done {
			Err(join) => Err(BackendError::Malformed(format!("backend task failed: {join}"))),
			Ok((result, took)) => {
				self.metrics.backend_seconds.observe(took.as_secs_f64());
				result
			}
		}
	}

	/// Waits for a generation of an acknowledged job, bounded by the result deadline.
	async fn run_acknowledged(&self, job_id: JobId, mut generation: GenerationTask) -> Outcome {
		// The result deadline is set by the acknowledgement.
		let job = match self.read_job(job_id).await {
			Ok(Some(job))
				if market::is_mine(&job, &self.key) && job.status == JobStatus::Running =>
			{
				job
			}
			_ => {
				generation.abort();
				return Outcome::Lost;
			}
		};
		let best = self.on_chain(|c| async move { c.best_number().await }).await.unwrap_or(0);
		let deadline = u64::from(job.deadline.unwrap_or(0));
		let blocks_left = deadline.saturating_sub(best).saturating_sub(DEADLINE_MARGIN_BLOCKS);
		let budget = self.block_time * u32::try_from(blocks_left).unwrap_or(u32::MAX);
		let generated = match tokio::time::timeout(budget, &mut generation).await {
			Err(_) => {
				generation.abort();
				Err(BackendError::Timeout(budget))
			}
			Ok(done) => self.generated(done),
		};
		self.finish(&job, generated, None).await
	}

	/// Submits the result of `job` (or its failure), after the acknowledgement `ack` if that is
	/// still on its way to a block.
	async fn finish(
		&self,
		job: &JobJson,
		generated: Result<Generation, BackendError>,
		ack: Option<AckInBlock>,
	) -> Outcome {
		let job_id = job.id;
		let generation = match generated {
			Ok(generation) => generation,
			Err(e) => {
				if let Some(ack) = ack {
					let acked = ack.await.map(|_| ());
					let ok = acked.is_ok();
					self.tx("acknowledge", acked);
					if !ok {
						return Outcome::Lost;
					}
				}
				let reason = match e {
					BackendError::Timeout(budget) => format!(
						"backend did not answer within {}s, before the result deadline",
						budget.as_secs()
					),
					e => e.reason(),
				};
				return self.fail(job_id, &reason).await;
			}
		};
		self.metrics
			.tokens
			.with_label_values(&["prompt"])
			.inc_by(u64::from(generation.prompt_tokens));
		self.metrics
			.tokens
			.with_label_values(&["output"])
			.inc_by(u64::from(generation.output_tokens));
		let signed = market::sign_result(
			&self.key,
			self.genesis_hash,
			self.max_output_len,
			job,
			&generation,
		);
		let (output, usage, signature) = match signed {
			Ok(signed) => signed,
			Err(e) => return self.fail(job_id, &format!("cannot sign the result: {e}")).await,
		};
		let key = self.key.clone();
		let sent = self
			.on_chain(|c| {
				let (key, output) = (key.clone(), output.clone());
				async move { market::send_result(&c, &key, job_id, output, usage, signature).await }
			})
			.await;
		if let Some(ack) = ack {
			let acked = ack.await.map(|_| ());
			self.tx("acknowledge", acked);
		}
		let submitted = match sent {
			Ok(pending) => pending.in_block().await.map(|_| ()),
			Err(e) => Err(e),
		};
		match submitted {
			Ok(()) => {
				self.tx("submit_result", Ok(()));
				Outcome::Completed
			}
			Err(Error::Rejected(why)) => {
				self.tx("submit_result", Err(Error::Rejected(why.clone())));
				// Still ours? Give it back rather than let it run into its deadline.
				match self.read_job(job_id).await {
					Ok(Some(job)) if market::is_mine(&job, &self.key) => {
						self.fail(job_id, &format!("result refused by the chain: {why}")).await
					}
					_ => Outcome::Lost,
				}
			}
			Err(e) => {
				self.tx("submit_result", Err(e));
				Outcome::Lost
			}
		}
	}

	/// Reports the failure of `job_id` with `reason`.
	async fn fail(&self, job_id: JobId, reason: &str) -> Outcome {
		tracing::warn!(job_id, %reason, "reporting job failure");
		let key = self.key.clone();
		let result = self
			.on_chain(|c| {
				let key = key.clone();
				async move { market::report_failure(&c, &key, job_id, reason).await }
			})
			.await;
		let failed = result.is_ok();
		self.tx("report_failure", result);
		if failed {
			Outcome::Failed
		} else {
			Outcome::Lost
		}
	}
}
