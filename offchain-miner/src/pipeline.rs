//! One job, start to end: read it and let the backend generate, streaming its text to the job's
//! live stream (`crate::streams`); hand the signed result to the submitter (no separate
//! acknowledgement: the result acknowledges implicitly), or, when the backend is still
//! generating close to the acknowledgement deadline, acknowledge first and wait for the result
//! up to the result deadline; or report the failure with a reason. The stream ends with the
//! counts the result bills, or with the failure's reason.

use std::{
	sync::atomic::Ordering,
	time::{Duration, Instant},
};

use aitbc_client::{json::JobJson, Error, Inclusion};
use aitbc_primitives::{JobId, JobStatus};

use crate::{
	backend::{BackendError, Generation, Request},
	daemon::Miner,
	market,
	streams::StreamWriter,
};

/// Blocks kept between the moment a result is handed over and its deadline (the
/// acknowledgement deadline, then the result deadline), counted from when the best block
/// arrived: the submitter's linger, a batch in flight ahead of it (about a block), and the
/// block to include it in, before the deadline block itself.
pub(crate) const DEADLINE_MARGIN_BLOCKS: u64 = 3;
/// How many times a failure report whose transaction was lost is sent again.
const FAIL_TRIES: u32 = 3;

/// A backend call running in its own task, with its duration.
type GenerationTask = tokio::task::JoinHandle<(Result<Generation, BackendError>, Duration)>;

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

/// Counts a job among those still generating until dropped (once its outcome is handed over):
/// the submitter sends its batch at once when none is left.
struct Generating<'a>(&'a Miner);

impl<'a> Generating<'a> {
	fn new(miner: &'a Miner) -> Self {
		miner.generating.fetch_add(1, Ordering::SeqCst);
		Generating(miner)
	}
}

impl Drop for Generating<'_> {
	fn drop(&mut self) {
		self.0.generating.fetch_sub(1, Ordering::SeqCst);
		self.0.settled.notify_one();
	}
}

impl Miner {
	/// Runs job `job_id` to its end.
	pub(crate) async fn run_job(&self, job_id: JobId) -> Outcome {
		let generating = Generating::new(self);
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
		let client = match aitbc_client::parse_account(&job.client) {
			Ok(client) => client,
			Err(e) => {
				drop(generating);
				return self.fail(job_id, &format!("cannot read the job's client: {e}")).await;
			}
		};
		let stream = self.streams.open(job_id, client, self.max_output_len);
		if !self.models.contains(&job.model) {
			drop(generating);
			let reason = format!("model `{}` is not served by this miner's backend", job.model);
			stream.fail(&reason);
			return self.fail(job_id, &reason).await;
		}
		let mut generation = self.generate(&job, &stream);
		if job.status == JobStatus::Running {
			return self.run_acknowledged(job_id, generation, generating, stream).await;
		}
		// Within the acknowledgement window the result acknowledges implicitly; only a backend
		// still generating near its deadline makes an acknowledgement worth a transaction.
		let window = self.time_before(job.deadline).await;
		match tokio::time::timeout(window, &mut generation).await {
			Ok(done) => self.finish(&job, self.generated(done), generating, stream).await,
			Err(_) => {
				tracing::debug!(job_id, "still generating near the acknowledgement deadline");
				if !self.acknowledge(job_id, job.deadline).await {
					generation.abort();
					return Outcome::Lost;
				}
				self.run_acknowledged(job_id, generation, generating, stream).await
			}
		}
	}

	pub(crate) async fn read_job(&self, job_id: JobId) -> Result<Option<JobJson>, Error> {
		self.on_chain(|c| async move { c.job(job_id).await }).await
	}

	/// Starts the backend on `job` in its own task, its pieces fed to `stream`.
	fn generate(&self, job: &JobJson, stream: &StreamWriter) -> GenerationTask {
		let request = Request {
			model: job.model.clone(),
			prompt: job.prompt.clone(),
			temperature: job.temperature,
			max_tokens: job.max_tokens,
			seed: job.seed,
		};
		let backend = self.backend.clone();
		let feed = stream.feed();
		tokio::spawn(async move {
			let started = Instant::now();
			let result = backend.generate(&request, &mut |piece: &str| feed.push(piece)).await;
			(result, started.elapsed())
		})
	}

	/// The time left before `deadline` (a block number) less [`DEADLINE_MARGIN_BLOCKS`],
	/// counted from the moment the newest best block arrived.
	async fn time_before(&self, deadline: Option<u32>) -> Duration {
		let seen = self.best_seen.lock().ok().and_then(|seen| *seen);
		let (best, elapsed) = match seen {
			Some((best, arrived)) => (best, arrived.elapsed()),
			None => {
				let best =
					self.on_chain(|c| async move { c.best_number().await }).await.unwrap_or(0);
				(best, Duration::ZERO)
			}
		};
		time_left(u64::from(deadline.unwrap_or(0)), best, elapsed, self.block_time)
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
	async fn run_acknowledged(
		&self,
		job_id: JobId,
		mut generation: GenerationTask,
		generating: Generating<'_>,
		stream: StreamWriter,
	) -> Outcome {
		// The result deadline is set by the acknowledgement.
		let job = match self.still_held(job_id).await {
			Some(job) if job.status == JobStatus::Running => job,
			_ => {
				generation.abort();
				return Outcome::Lost;
			}
		};
		let budget = self.time_before(job.deadline).await;
		let generated = match tokio::time::timeout(budget, &mut generation).await {
			Err(_) => {
				generation.abort();
				Err(BackendError::Timeout(budget))
			}
			Ok(done) => self.generated(done),
		};
		self.finish(&job, generated, generating, stream).await
	}

	/// Hands the signed result of `job` to the submitter, or reports its failure; ends `stream`
	/// with the counts billed or the reason.
	async fn finish(
		&self,
		job: &JobJson,
		generated: Result<Generation, BackendError>,
		generating: Generating<'_>,
		stream: StreamWriter,
	) -> Outcome {
		let job_id = job.id;
		let generation = match generated {
			Ok(generation) => generation,
			Err(e) => {
				drop(generating);
				let reason = match e {
					BackendError::Timeout(budget) => format!(
						"backend did not answer within {}s, before the result deadline",
						budget.as_secs()
					),
					e => e.reason(),
				};
				stream.fail(&reason);
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
		drop(generating);
		match signed {
			Ok(result) => {
				stream.done(result.usage.prompt_tokens, result.usage.output_tokens);
				self.deliver(job.clone(), result).await
			}
			Err(e) => {
				let reason = format!("cannot sign the result: {e}");
				stream.fail(&reason);
				self.fail(job_id, &reason).await
			}
		}
	}

	/// Reports the failure of `job_id` with `reason`, again if its transaction was lost while
	/// the job is still ours.
	pub(crate) async fn fail(&self, job_id: JobId, reason: &str) -> Outcome {
		tracing::warn!(job_id, %reason, "reporting job failure");
		for _ in 0..FAIL_TRIES {
			let call = market::report_failure(self.max_reason_len, job_id, reason);
			match self.transact("report_failure", call).await {
				Inclusion::Included => return Outcome::Failed,
				Inclusion::Failed(_) => return Outcome::Lost,
				Inclusion::Lost(_) if self.still_held(job_id).await.is_some() => continue,
				Inclusion::Lost(_) => return Outcome::Lost,
			}
		}
		Outcome::Lost
	}
}

/// The time left to hand a transaction over for `deadline` (a block number), keeping
/// [`DEADLINE_MARGIN_BLOCKS`]: from the best block `best`, which arrived `elapsed` ago.
fn time_left(deadline: u64, best: u64, elapsed: Duration, block_time: Duration) -> Duration {
	let blocks_left = deadline.saturating_sub(best).saturating_sub(DEADLINE_MARGIN_BLOCKS);
	(block_time * u32::try_from(blocks_left).unwrap_or(u32::MAX)).saturating_sub(elapsed)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn deadline_margin_counts_from_the_best_block_arrival() {
		let block = Duration::from_secs(2);
		// Assigned at 10, acknowledged by 13 (deadline block 14): one block of generation
		// from the moment block 10 arrived.
		assert_eq!(time_left(14, 10, Duration::ZERO, block), block);
		assert_eq!(
			time_left(14, 10, Duration::from_millis(1500), block),
			Duration::from_millis(500)
		);
		assert_eq!(time_left(14, 10, Duration::from_secs(3), block), Duration::ZERO);
		assert_eq!(time_left(14, 11, Duration::ZERO, block), Duration::ZERO);
		assert_eq!(time_left(14, 20, Duration::ZERO, block), Duration::ZERO);
		assert_eq!(time_left(0, 5, Duration::ZERO, block), Duration::ZERO, "no deadline");
	}
}
