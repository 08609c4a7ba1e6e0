//! The submitter: one task that turns the jobs' ready results into one `Jobs::submit_results`
//! per block, and their acknowledgements into batched `Jobs::acknowledge` calls.
//!
//! A batch goes out as soon as no job is still generating, or a linger (a tenth of the block
//! time) after the first ready result; while a batch is not yet in a block the next one
//! accumulates, so there is mostly one result batch per block. A result whose deadline is
//! near ([`URGENT_BLOCKS`]) is never held: it goes out at once, as a second batch in flight if
//! need be. A job whose deadline is too near for any block to include it is left out of every
//! batch (it would make the whole batch fail). A batch is all or nothing: one that fails as a
//! whole is split, each result still ours sent on its own, so one bad result costs only itself;
//! a result the chain refuses while the job is still ours is reported as a failure. A batch
//! whose transaction was lost (refused for now, connection lost) is checked job by job: what
//! is still ours is queued again.
//!
//! A batch in a best block completes its jobs at once, but the block may still be retracted by
//! a short fork: the batch's results are kept until the sender confirms the block is final. If it
//! left the best chain and the transaction is not in the new one, the batch takes the path of a
//! lost (or refused) one: checked job by job, what is still ours sent again within its deadline.
//! Acknowledgements likewise: those whose block left the best chain are acknowledged again, job
//! by job, while still due.

use std::{
	sync::{atomic::Ordering, Arc},
	time::Duration,
};

use aitbc_client::{json::JobJson, Inclusion};
use aitbc_primitives::{JobId, JobStatus};
use futures::{future::join_all, stream::FuturesUnordered, StreamExt};
use tokio::{
	sync::{mpsc, oneshot},
	time::Instant,
};

use crate::{
	daemon::Miner,
	market::{self, SignedResult},
	pipeline::Outcome,
};

/// How many times a result whose transaction was lost is queued again.
const RESEND_TRIES: u32 = 3;
/// A result whose deadline block is at most this many blocks after the best block goes out at
/// once, even while another batch is in flight: behind it, it would wait a block.
const URGENT_BLOCKS: u64 = 3;

/// How near its deadline a job is, for a transaction sent now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Urgency {
	/// No block before the deadline block is left to include it (deadline at most one block
	/// after the best): sending it would only make its batch fail.
	Hopeless,
	/// Within [`URGENT_BLOCKS`]: send at once.
	Urgent,
	/// Time enough.
	Normal,
}

/// The urgency of a transaction for a job with `deadline` (the block number at which it
/// expires; a call counts only in a block before it) when the best block is `best`.
pub(crate) fn urgency(deadline: Option<u32>, best: u64) -> Urgency {
	let Some(deadline) = deadline.map(u64::from) else { return Urgency::Normal };
	if deadline <= best.saturating_add(1) {
		Urgency::Hopeless
	} else if deadline <= best.saturating_add(URGENT_BLOCKS) {
		Urgency::Urgent
	} else {
		Urgency::Normal
	}
}

/// What the jobs hand to the submitter.
pub(crate) enum Work {
	/// A signed result; the reply is the job's outcome.
	Result(Box<Ready>),
	/// An acknowledgement; the reply says whether the job is acknowledged.
	Acknowledge(Ack),
}

/// An acknowledgement waiting for its batch.
pub(crate) struct Ack {
	job_id: JobId,
	/// The acknowledgement deadline.
	deadline: Option<u32>,
	reply: oneshot::Sender<bool>,
}

/// A signed result waiting for its batch.
pub(crate) struct Ready {
	job: JobJson,
	result: SignedResult,
	/// The job's outcome; `None` once given (a result sent again after its block was retracted).
	reply: Option<oneshot::Sender<Outcome>>,
	/// Times it was queued again after a lost transaction.
	resent: u32,
}

impl Ready {
	/// Gives the job its outcome, unless it has it already.
	fn answer(&mut self, outcome: Outcome) {
		if let Some(reply) = self.reply.take() {
			let _ = reply.send(outcome);
		}
	}
}

/// Whether `ready`, whose transaction was lost (or whose block left the best chain), is sent
/// again, given its `job` as read now and whether this operator holds it (`mine`): while the job
/// is still ours and [`RESEND_TRIES`] allows, `None`, and `ready` takes the job as read (its
/// deadline current) and counts one more sending; else its outcome: completed if the chain has
/// its result from us, else lost.
fn again(ready: &mut Ready, job: Option<JobJson>, mine: bool) -> Option<Outcome> {
	match job {
		Some(job) if mine && job.status == JobStatus::Completed => Some(Outcome::Completed),
		Some(job) if mine && job.status.is_held() && ready.resent < RESEND_TRIES => {
			ready.job = job;
			ready.resent += 1;
			None
		}
		_ => Some(Outcome::Lost),
	}
}

/// The results and acknowledgements waiting for the next batch.
#[derive(Default)]
struct Queue {
	results: Vec<Ready>,
	acks: Vec<Ack>,
	/// When the oldest of them arrived.
	since: Option<Instant>,
}

impl Queue {
	/// Whether what is queued goes out now: nothing is `generating` any more, or the `linger`
	/// after the oldest passed.
	fn due(&self, generating: usize, linger: Duration) -> bool {
		self.since.is_some_and(|since| generating == 0 || since.elapsed() >= linger)
	}

	fn push(&mut self, work: Work) {
		self.since.get_or_insert_with(Instant::now);
		match work {
			Work::Result(ready) => self.results.push(*ready),
			Work::Acknowledge(ack) => self.acks.push(ack),
		}
	}

	/// Whether a queued result is urgent at the best block `best`.
	fn urgent(&self, best: u64) -> bool {
		self.results.iter().any(|ready| urgency(ready.job.deadline, best) == Urgency::Urgent)
	}

	/// Takes the results and acknowledgements too late for any block out of the queue.
	fn hopeless(&mut self, best: u64) -> (Vec<Ready>, Vec<Ack>) {
		let (late, results) = std::mem::take(&mut self.results)
			.into_iter()
			.partition(|ready| urgency(ready.job.deadline, best) == Urgency::Hopeless);
		self.results = results;
		let (late_acks, acks) = std::mem::take(&mut self.acks)
			.into_iter()
			.partition(|ack| urgency(ack.deadline, best) == Urgency::Hopeless);
		self.acks = acks;
		(late, late_acks)
	}

	/// The next result batch, at most `max` results, the nearest deadlines first.
	fn batch(&mut self, max: usize) -> Vec<Ready> {
		self.results.sort_by_key(|ready| ready.job.deadline.unwrap_or(u32::MAX));
		let take = self.results.len().min(max);
		self.results.drain(..take).collect()
	}
}

impl Miner {
	/// Hands `job`'s signed `result` to the submitter; its outcome once the batch is settled.
	pub(crate) async fn deliver(&self, job: JobJson, result: SignedResult) -> Outcome {
		let (reply, outcome) = oneshot::channel();
		let ready = Ready { job, result, reply: Some(reply), resent: 0 };
		if self.work.send(Work::Result(Box::new(ready))).is_err() {
			return Outcome::Lost;
		}
		outcome.await.unwrap_or(Outcome::Lost)
	}

	/// Acknowledges `job_id` (acknowledgement `deadline`) in the next acknowledgement batch;
	/// whether it is acknowledged.
	pub(crate) async fn acknowledge(&self, job_id: JobId, deadline: Option<u32>) -> bool {
		let (reply, acked) = oneshot::channel();
		if self.work.send(Work::Acknowledge(Ack { job_id, deadline, reply })).is_err() {
			return false;
		}
		acked.await.unwrap_or(false)
	}

	/// The submitter task: batches what `work` brings until every sender is gone.
	pub(crate) async fn submit_loop(self: Arc<Self>, mut work: mpsc::UnboundedReceiver<Work>) {
		let linger = self.block_time / 10;
		let mut queue = Queue::default();
		// The result batches sent and not yet in a block: each resolves once its fate is known.
		let mut in_block: FuturesUnordered<oneshot::Receiver<()>> = FuturesUnordered::new();
		loop {
			let best = self.best.load(Ordering::SeqCst);
			let can_send = in_block.is_empty() || queue.urgent(best);
			let waiting = !queue.acks.is_empty() || (!queue.results.is_empty() && can_send);
			let linger_end = queue.since.map(|since| since + linger);
			tokio::select! {
				item = work.recv() => match item {
					Some(item) => queue.push(item),
					None => return,
				},
				_ = self.settled.notified() => {}
				_ = self.new_block.notified() => {}
				_ = tokio::time::sleep_until(linger_end.unwrap_or_else(Instant::now)), if waiting && linger_end.is_some() => {}
				_ = in_block.next(), if !in_block.is_empty() => {}
			}
			let best = self.best.load(Ordering::SeqCst);
			let (late, late_acks) = queue.hopeless(best);
			for ready in late {
				tracing::warn!(job_id = ready.job.id, deadline = ?ready.job.deadline, best, "result too late for any block before its deadline; left out");
				tokio::spawn(self.clone().give_up(ready));
			}
			for ack in late_acks {
				tracing::warn!(job_id = ack.job_id, deadline = ?ack.deadline, best, "acknowledgement too late for any block before its deadline");
				let _ = ack.reply.send(false);
			}
			let urgent = queue.urgent(best);
			if !urgent && !queue.due(self.generating.load(Ordering::SeqCst), linger) {
				if queue.results.is_empty() && queue.acks.is_empty() {
					queue.since = None;
				}
				continue;
			}
			if !queue.acks.is_empty() {
				tokio::spawn(self.clone().send_acks(std::mem::take(&mut queue.acks)));
			}
			if !queue.results.is_empty() && (in_block.is_empty() || urgent) {
				let batch = queue.batch(self.max_batch);
				let (included, sent) = oneshot::channel();
				in_block.push(sent);
				tokio::spawn(self.clone().send_results(batch, included));
			}
			if queue.results.is_empty() && queue.acks.is_empty() {
				queue.since = None;
			}
		}
	}

	/// Answers a result left out of every batch: completed if the chain has it from us after
	/// all, else lost.
	async fn give_up(self: Arc<Self>, mut ready: Ready) {
		let outcome = self.lost_outcome(ready.job.id).await;
		ready.answer(outcome);
	}

	/// The outcome of a job whose result will not be sent (again): completed if the chain has
	/// its result from us, else lost.
	async fn lost_outcome(&self, job_id: JobId) -> Outcome {
		match self.read_job(job_id).await.ok().flatten() {
			Some(job) if job.status == JobStatus::Completed && market::is_mine(&job, &self.key) => {
				Outcome::Completed
			}
			_ => Outcome::Lost,
		}
	}

	/// Sends `batch` as one `submit_results`, says when its fate is known at the best block
	/// through `included`, then settles each job (again if its block is retracted).
	async fn send_results(self: Arc<Self>, mut batch: Vec<Ready>, included: oneshot::Sender<()>) {
		self.metrics.batches.with_label_values(&["submit_results"]).inc();
		self.metrics.batch_size.observe(batch.len() as f64);
		tracing::debug!(jobs = batch.len(), "sending a batch of results");
		let Some(inclusion) = self.submit(&mut batch, Some(included)).await else { return };
		match inclusion {
			Inclusion::Failed(why) if batch.len() > 1 => {
				tracing::warn!(jobs = batch.len(), reason = %why, "batch refused as a whole; sending its results one by one");
				join_all(batch.into_iter().map(|ready| self.send_alone(ready))).await;
			}
			inclusion => {
				join_all(batch.into_iter().map(|ready| self.settle(ready, inclusion.clone())))
					.await;
			}
		}
	}

	/// Sends `results` as one `submit_results` (telling `included`, if given, when its fate is
	/// known at the best block). In a best block, each job is completed at once, and the results
	/// are kept until the block is final: `None` then. Otherwise the inclusion to settle them
	/// with: the transaction's at the best block, or, when its block left the best chain, what
	/// became of it then (lost, or refused in the new chain).
	async fn submit(
		&self,
		results: &mut [Ready],
		included: Option<oneshot::Sender<()>>,
	) -> Option<Inclusion> {
		let call = market::submit_results(results.iter().map(|r| r.result.to_call()).collect());
		let (inclusion, confirmation) = self.transact_confirmed("submit_results", call).await;
		if let Some(included) = included {
			let _ = included.send(());
		}
		if inclusion != Inclusion::Included {
			return Some(inclusion);
		}
		for ready in results.iter_mut() {
			ready.answer(Outcome::Completed);
		}
		match self.confirm("submit_results", confirmation).await {
			Inclusion::Included => None,
			retracted => {
				let jobs: Vec<JobId> = results.iter().map(|ready| ready.job.id).collect();
				tracing::warn!(
					?jobs,
					"results whose block left the best chain; checking their jobs again"
				);
				Some(retracted)
			}
		}
	}

	/// Sends one result of a refused batch in its own transaction and settles it, if its job is
	/// still ours and not too late.
	async fn send_alone(&self, mut ready: Ready) {
		let job = self.still_held(ready.job.id).await;
		let best = self.best.load(Ordering::SeqCst);
		if job.is_none_or(|job| urgency(job.deadline, best) == Urgency::Hopeless) {
			let outcome = self.lost_outcome(ready.job.id).await;
			ready.answer(outcome);
			return;
		}
		if let Some(inclusion) = self.submit(std::slice::from_mut(&mut ready), None).await {
			self.settle(ready, inclusion).await;
		}
	}

	/// Gives `ready`'s job its outcome after its transaction's `inclusion`: a result the chain
	/// refused while the job is still ours is reported as a failure; one whose transaction was
	/// lost is queued again while the job is still ours (or found completed).
	async fn settle(&self, mut ready: Ready, inclusion: Inclusion) {
		let job_id = ready.job.id;
		match inclusion {
			Inclusion::Included => ready.answer(Outcome::Completed),
			Inclusion::Failed(why) => {
				let job = self.read_job(job_id).await.ok().flatten();
				let mine = job.as_ref().is_some_and(|job| market::is_mine(job, &self.key));
				let outcome = match job.map(|job| job.status) {
					// An earlier transaction delivered it.
					Some(JobStatus::Completed) if mine => Outcome::Completed,
					Some(status) if mine && status.is_held() => {
						self.fail(job_id, &format!("result refused by the chain: {why}")).await
					}
					_ => Outcome::Lost,
				};
				ready.answer(outcome);
			}
			Inclusion::Lost(why) => {
				let job = self.read_job(job_id).await.ok().flatten();
				let mine = job.as_ref().is_some_and(|job| market::is_mine(job, &self.key));
				match again(&mut ready, job, mine) {
					None => {
						tracing::info!(job_id, reason = %why, "result transaction lost; sending it again");
						if let Err(mpsc::error::SendError(Work::Result(mut ready))) =
							self.work.send(Work::Result(Box::new(ready)))
						{
							ready.answer(Outcome::Lost);
						}
					}
					Some(outcome) => ready.answer(outcome),
				}
			}
		}
	}

	/// Sends the acknowledgements `acks` as one `acknowledge` per `Jobs.MaxBatch`; a batch that
	/// does not make it is retried job by job, and so is one whose block then leaves the best
	/// chain (while its jobs still wait for it).
	async fn send_acks(self: Arc<Self>, mut acks: Vec<Ack>) {
		let mut unconfirmed = Vec::new();
		while !acks.is_empty() {
			let batch: Vec<Ack> = acks.drain(..acks.len().min(self.max_batch)).collect();
			self.metrics.batches.with_label_values(&["acknowledge"]).inc();
			self.metrics.batch_size.observe(batch.len() as f64);
			let ids: Vec<JobId> = batch.iter().map(|ack| ack.job_id).collect();
			let (inclusion, confirmation) =
				self.transact_confirmed("acknowledge", market::acknowledge(ids.clone())).await;
			if inclusion == Inclusion::Included {
				for ack in batch {
					let _ = ack.reply.send(true);
				}
				unconfirmed.push((ids, confirmation));
				continue;
			}
			let this = &self;
			join_all(batch.into_iter().map(|ack| async move {
				let _ = ack.reply.send(this.acknowledge_alone(ack.job_id).await);
			}))
			.await;
		}
		let this = &self;
		join_all(unconfirmed.into_iter().map(|(ids, confirmation)| async move {
			if this.confirm("acknowledge", confirmation).await != Inclusion::Included {
				join_all(ids.into_iter().map(|job_id| this.acknowledge_alone(job_id))).await;
			}
		}))
		.await;
	}

	/// Acknowledges `job_id` in its own transaction unless it is already running; whether it is
	/// acknowledged.
	async fn acknowledge_alone(&self, job_id: JobId) -> bool {
		let Some(job) = self.still_held(job_id).await else { return false };
		let best = self.best.load(Ordering::SeqCst);
		if job.status == JobStatus::Assigned && urgency(job.deadline, best) != Urgency::Hopeless {
			let inclusion = self.transact("acknowledge", market::acknowledge(vec![job_id])).await;
			if inclusion == Inclusion::Included {
				return true;
			}
		}
		self.still_held(job_id).await.is_some_and(|job| job.status == JobStatus::Running)
	}

	/// The job `job_id` if this operator still holds it.
	pub(crate) async fn still_held(&self, job_id: JobId) -> Option<JobJson> {
		let job = self.read_job(job_id).await.ok().flatten()?;
		(market::is_mine(&job, &self.key) && job.status.is_held()).then_some(job)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn ack() -> Work {
		Work::Acknowledge(Ack { job_id: 1, deadline: Some(10), reply: oneshot::channel().0 })
	}

	/// Job 1 in `status`, with its `deadline`.
	fn job(status: JobStatus, deadline: u32) -> JobJson {
		JobJson {
			id: 1,
			client: String::new(),
			kind: "inference".into(),
			model: "m".into(),
			prompt: "p".into(),
			temperature: 0.0,
			max_tokens: 16,
			seed: None,
			max_price: 0,
			min_reputation_percent: 0.0,
			status,
			operator: None,
			unit_type: None,
			unit_price: None,
			failure_reason: None,
			receipt_id: None,
			submitted_at: 0,
			expires_at: 100,
			deadline: Some(deadline),
			attempts: 0,
			output: None,
			usage: None,
			ended_at: None,
			deposit: 0,
		}
	}

	/// Job 1's signed result, sent `resent` times again, with the receiver of its outcome.
	fn ready(resent: u32) -> (Ready, oneshot::Receiver<Outcome>) {
		let (reply, outcome) = oneshot::channel();
		let result = SignedResult {
			job_id: 1,
			output: b"out".to_vec(),
			usage: aitbc_primitives::Usage { prompt_tokens: 1, output_tokens: 1, compute_ms: 1 },
			signature: [0; 64],
		};
		(Ready { job: job(JobStatus::Assigned, 14), result, reply: Some(reply), resent }, outcome)
	}

	#[test]
	fn a_result_whose_block_left_the_best_chain_is_sent_again_while_its_job_is_ours() {
		// In a best block: the job completed at once.
		let (mut ready, mut outcome) = ready(0);
		ready.answer(Outcome::Completed);
		assert_eq!(outcome.try_recv().ok(), Some(Outcome::Completed));
		// The block left the best chain, and the new chain still shows the job held by us
		// (acknowledged meanwhile: its deadline is the result deadline now).
		assert_eq!(again(&mut ready, Some(job(JobStatus::Running, 30)), true), None);
		assert_eq!((ready.resent, ready.job.deadline), (1, Some(30)));
		// Its job has its outcome already: answering again changes nothing.
		ready.answer(Outcome::Lost);
		let mut queue = Queue::default();
		queue.push(Work::Result(Box::new(ready)));
		assert!(queue.hopeless(20).0.is_empty() && !queue.urgent(20));
		let batch = queue.batch(8);
		assert_eq!(batch.len(), 1, "in the next batch");
		assert_eq!(batch[0].result.job_id, 1);
	}

	#[test]
	fn a_result_the_chain_has_from_us_is_not_sent_again() {
		let (mut ready, _outcome) = ready(0);
		let completed = Some(job(JobStatus::Completed, 14));
		assert_eq!(again(&mut ready, completed, true), Some(Outcome::Completed));
		assert_eq!(ready.resent, 0);
	}

	#[test]
	fn a_result_no_longer_ours_or_sent_too_often_is_lost() {
		let running = || Some(job(JobStatus::Running, 30));
		let (mut ready_, _outcome) = ready(0);
		assert_eq!(again(&mut ready_, running(), false), Some(Outcome::Lost), "not ours");
		assert_eq!(again(&mut ready_, None, true), Some(Outcome::Lost), "gone");
		let (mut ready_, _outcome) = ready(RESEND_TRIES);
		assert_eq!(again(&mut ready_, running(), true), Some(Outcome::Lost), "sent too often");
	}

	#[test]
	fn urgency_by_blocks_left() {
		// Deadline block 14: a call counts in block 13 at the latest.
		assert_eq!(urgency(Some(14), 9), Urgency::Normal);
		assert_eq!(urgency(Some(14), 10), Urgency::Normal);
		assert_eq!(urgency(Some(14), 11), Urgency::Urgent);
		assert_eq!(urgency(Some(14), 12), Urgency::Urgent, "block 13 can still take it");
		assert_eq!(urgency(Some(14), 13), Urgency::Hopeless, "the next block is the deadline");
		assert_eq!(urgency(Some(14), 20), Urgency::Hopeless);
		assert_eq!(urgency(None, 20), Urgency::Normal);
	}

	#[test]
	fn hopeless_acknowledgements_leave_the_queue() {
		let mut queue = Queue::default();
		queue.push(ack());
		let (late, late_acks) = queue.hopeless(5);
		assert!(late.is_empty() && late_acks.is_empty());
		assert_eq!(queue.acks.len(), 1);
		let (_, late_acks) = queue.hopeless(9);
		assert_eq!(late_acks.len(), 1);
		assert!(queue.acks.is_empty());
	}

	#[test]
	fn due_when_no_job_generates_or_the_linger_passed() {
		let linger = Duration::from_secs(60);
		let mut queue = Queue::default();
		assert!(!queue.due(0, linger), "nothing queued");
		queue.push(ack());
		assert!(queue.due(0, linger), "every job has its outcome");
		assert!(!queue.due(2, linger), "two jobs still generate: linger");
		assert!(queue.due(2, Duration::ZERO), "the linger passed");
	}
}
