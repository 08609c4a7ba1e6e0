//! One connection's session: recover the jobs this operator holds, then follow best blocks,
//! heartbeating (and going online again when the registry set the miner offline while its
//! backend is up), checking the backend's health, finding jobs (assignment events and a
//! periodic read of the jobs it holds) and dispatching each to its own task. Each best block
//! also resolves the operator's transactions in flight ([`aitbc_client::Sender::on_block`]).

use std::{
	sync::{atomic::Ordering, Arc},
	time::{Duration, Instant},
};

use aitbc_client::{runtime, subxt, Chain};
use aitbc_primitives::{JobId, MinerStatus};

use crate::{daemon::Miner, error::SessionError, market, pipeline::Outcome};

/// How often the backend's health is checked.
const HEALTH_EVERY: Duration = Duration::from_secs(10);
/// How often the chain is read for held jobs (catches anything the events missed).
const SCAN_EVERY: Duration = Duration::from_secs(30);
/// Finished job ids remembered so that a job is never run twice.
const REMEMBER_FINISHED: usize = 4_096;

impl Miner {
	/// One connection's life: recover held jobs, then follow best blocks. Returns why it ended.
	pub(crate) async fn session(
		self: Arc<Self>,
		chain: Chain,
		heartbeat: Option<Duration>,
	) -> SessionError {
		match self.clone().follow(&chain, heartbeat).await {
			Ok(()) => SessionError::StreamEnded,
			Err(e) => e,
		}
	}

	async fn follow(
		self: Arc<Self>,
		chain: &Chain,
		heartbeat: Option<Duration>,
	) -> Result<(), SessionError> {
		self.metrics.chain_connected.set(1);
		self.see_best(chain.best_number().await?);
		self.scan(chain).await?;
		let params = chain.parameters().await?;
		let heartbeat_every = heartbeat.unwrap_or_else(|| {
			(self.block_time * params.heartbeat_timeout / 3).max(Duration::from_secs(6))
		});
		if let Some(me) = market::me(chain, &self.key).await? {
			if !matches!(me.status, MinerStatus::Active | MinerStatus::Banned)
				&& self.backend_up.load(Ordering::SeqCst)
			{
				// Its outcome comes from the block loop below.
				let this = self.clone();
				tokio::spawn(async move { this.transact("go_online", market::go_online()).await });
			}
		}
		let me = self.key.account();
		let losses = chain.connection_losses();
		let mut blocks = chain.api().stream_best_blocks().await.map_err(subxt::Error::from)?;
		let mut last_heartbeat: Option<Instant> = None;
		let mut last_health = Instant::now();
		let mut last_scan = Instant::now();
		while let Some(block) = blocks.next().await {
			let block = block.map_err(subxt::Error::from)?;
			if chain.connection_losses() != losses {
				// Blocks (and their assignments) may have passed during the gap.
				return Err(SessionError::Reconnected);
			}
			self.see_best(block.number());
			let at = block.at().await.map_err(subxt::Error::from)?;
			let events = at.events().fetch().await.map_err(subxt::Error::from)?;
			for assigned in events.find::<runtime::jobs::events::JobAssigned>() {
				let assigned = assigned.map_err(subxt::Error::from)?;
				if assigned.operator == me {
					tracing::info!(
						job_id = assigned.job_id,
						block = block.number(),
						"job assigned"
					);
					self.dispatch(assigned.job_id);
				}
			}
			// Only a lost connection ends the session: anything else leaves the transactions
			// pending, checked again at the next block.
			if let Err(e) = self.sender.on_block(chain, at, &events).await {
				if e.is_disconnected() {
					return Err(e.into());
				}
				tracing::warn!(error = %e, block = block.number(), "cannot resolve the transactions in flight at this block; again at the next");
			}
			if heartbeat_due(
				last_heartbeat.map(|t| t.elapsed()),
				heartbeat_every,
				self.sender.pending(),
			) {
				last_heartbeat = Some(Instant::now());
				tokio::spawn(self.clone().beat(chain.clone()));
			}
			if last_health.elapsed() >= HEALTH_EVERY {
				last_health = Instant::now();
				tokio::spawn(self.clone().check_health());
			}
			if last_scan.elapsed() >= SCAN_EVERY {
				last_scan = Instant::now();
				self.scan(chain).await?;
			}
		}
		Ok(())
	}

	/// Records the new best block `number`, arrived now, and tells the submitter.
	fn see_best(&self, number: u64) {
		self.best.store(number, Ordering::SeqCst);
		if let Ok(mut seen) = self.best_seen.lock() {
			*seen = Some((number, Instant::now()));
		}
		self.new_block.notify_one();
	}

	/// Picks up every job the chain says this operator holds.
	async fn scan(self: &Arc<Self>, chain: &Chain) -> Result<(), SessionError> {
		for job in market::held_jobs(chain, &self.key).await? {
			self.dispatch(job.id);
		}
		Ok(())
	}

	/// One heartbeat, after one read of this miner's status. A miner the registry set offline
	/// (e.g. evicted from a full model index for a stale heartbeat) while its backend is up
	/// comes back by itself: `go_online`, which records the heartbeat too. Otherwise a plain
	/// heartbeat.
	async fn beat(self: Arc<Self>, chain: Chain) {
		let _status = self.status_change.lock().await;
		let now = chain.best_number().await.unwrap_or_default();
		let offline = match market::me(&chain, &self.key).await {
			// Offline (e.g. evicted), or jailed with the term over: `go_online` brings it back
			// (a heartbeat changes no status).
			Ok(me) => me.is_some_and(|me| match me.status {
				MinerStatus::Offline => true,
				MinerStatus::Jailed => u64::from(me.jailed_until) <= now,
				// Active, or banned by governance (only an unban brings it back)
				MinerStatus::Active | MinerStatus::Banned => false,
			}),
			Err(e) => {
				tracing::debug!(error = %e, "cannot read this miner's status; heartbeat only");
				false
			}
		};
		if offline && self.backend_up.load(Ordering::SeqCst) {
			tracing::info!("not active on chain while the backend is up: going online");
			self.transact("go_online", market::go_online()).await;
		} else {
			self.transact("heartbeat", market::heartbeat()).await;
		}
	}

	/// Backend up/down → online/offline on chain; GPU utilisation.
	async fn check_health(self: Arc<Self>) {
		if let Some(percent) = self.gpu.utilization() {
			self.metrics.gpu_utilization.set(f64::from(percent));
		}
		let up = self.backend.models().await.is_ok();
		self.metrics.backend_up.set(i64::from(up));
		let _status = self.status_change.lock().await;
		let was = self.backend_up.swap(up, Ordering::SeqCst);
		if was && !up {
			tracing::warn!(backend = self.backend.url(), "backend down: going offline on chain");
			self.transact("go_offline", market::go_offline()).await;
		} else if !was && up {
			tracing::info!(backend = self.backend.url(), "backend back: going online on chain");
			self.transact("go_online", market::go_online()).await;
		}
	}

	/// Starts `job_id` in its own task unless it is running, finished, or the miner is shutting
	/// down; records its outcome when it ends.
	fn dispatch(self: &Arc<Self>, job_id: JobId) {
		if !self.accepting.load(Ordering::SeqCst) {
			return;
		}
		if self.finished.lock().map(|f| f.contains(&job_id)).unwrap_or(false) {
			return;
		}
		if !self.in_flight.lock().map(|mut s| s.insert(job_id)).unwrap_or(false) {
			return;
		}
		self.metrics.in_flight.inc();
		let this = self.clone();
		tokio::spawn(async move {
			let permit = this.slots.clone().acquire_owned().await;
			let started = Instant::now();
			let outcome = this.run_job(job_id).await;
			drop(permit);
			this.metrics.jobs.with_label_values(&[outcome.label()]).inc();
			if outcome == Outcome::Completed {
				this.metrics.job_seconds.observe(started.elapsed().as_secs_f64());
			}
			// A lost job (connection gone, outcome unknown) stays eligible: the next scan or
			// assignment event picks it up again if it is still ours.
			if outcome != Outcome::Lost {
				if let Ok(mut finished) = this.finished.lock() {
					finished.push_back(job_id);
					if finished.len() > REMEMBER_FINISHED {
						finished.pop_front();
					}
				}
			}
			if let Ok(mut set) = this.in_flight.lock() {
				set.remove(&job_id);
			}
			this.metrics.in_flight.dec();
			tracing::info!(
				job_id,
				outcome = outcome.label(),
				secs = started.elapsed().as_secs_f64(),
				"job done"
			);
		});
	}
}

/// Whether a heartbeat is due, `since` the last one (`None`: none yet), one `every` while
/// `pending` transactions wait: a heartbeat (or `go_online`) takes the next nonce and, in a full
/// block, would hold up the job transactions after it, so while some are pending it waits up to
/// twice as long (the heartbeat timeout is three times `every`).
fn heartbeat_due(since: Option<Duration>, every: Duration, pending: usize) -> bool {
	match since {
		None => true,
		Some(since) => since >= every && (pending == 0 || since >= every * 2),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn heartbeat_waits_for_job_transactions() {
		let every = Duration::from_secs(10);
		assert!(heartbeat_due(None, every, 3));
		assert!(!heartbeat_due(Some(Duration::from_secs(5)), every, 0));
		assert!(heartbeat_due(Some(Duration::from_secs(10)), every, 0));
		assert!(!heartbeat_due(Some(Duration::from_secs(10)), every, 2));
		assert!(heartbeat_due(Some(Duration::from_secs(20)), every, 2));
	}
}
