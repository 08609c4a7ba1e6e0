//! Deadlines and the block hooks: each open job has one pending deadline (queue timeout,
//! ack deadline, result deadline, TTL). When it falls, `handle_deadline` ends the job or, after a
//! miner's miss (judged by the miner registry: reputation, slash, jail), gives it to another
//! miner (`assignment.rs`). `on_idle` prunes finished jobs after the retention period.

use crate::*;
use aitbc_primitives::JobId;
use aitbc_traits::{JobOutcome, MinerRegistry};
use frame_support::{pallet_prelude::*, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};

/// How many blocks past its target a deadline may slide when the target block is full.
const MAX_DEADLINE_SHIFT: u32 = 16;

impl<T: Config> Pallet<T> {
	/// Schedules `job_id`'s deadline at `target`, capped at `expires_at`. When that block is
	/// full the deadline slides later (up to [`MAX_DEADLINE_SHIFT`] blocks, never past the TTL),
	/// then earlier (never before `earliest` nor the next block: a miner's deadline passes
	/// `earliest = target`, so its window never shrinks). Returns the block, or `None` when
	/// every slot in reach is full.
	pub(crate) fn schedule(
		job_id: JobId,
		target: BlockNumberFor<T>,
		expires_at: BlockNumberFor<T>,
		earliest: BlockNumberFor<T>,
	) -> Option<BlockNumberFor<T>> {
		let earliest = earliest.max(Self::now().saturating_add(One::one()));
		let target = target.min(expires_at).max(earliest);
		let try_at = |at: BlockNumberFor<T>| {
			Deadlines::<T>::mutate(at, |list| list.try_push(job_id).is_ok()).then_some(at)
		};
		let mut later = target;
		for _ in 0..=MAX_DEADLINE_SHIFT {
			if later > expires_at {
				break;
			}
			if let Some(at) = try_at(later) {
				return Some(at);
			}
			later = later.saturating_add(One::one());
		}
		let mut earlier = target;
		for _ in 0..MAX_DEADLINE_SHIFT {
			if earlier <= earliest {
				break;
			}
			earlier = earlier.saturating_sub(One::one());
			if let Some(at) = try_at(earlier) {
				return Some(at);
			}
		}
		None
	}

	/// Handles the deadline of `job_id` falling now. Returns whether it was live.
	pub(crate) fn handle_deadline(job_id: JobId, now: BlockNumberFor<T>) -> bool {
		let Some(mut job) = JobRecords::<T>::get(job_id) else { return false };
		if job.state.is_final() || job.deadline != now {
			return false;
		}
		let market = T::Params::get();
		let expired = now >= job.expires_at;
		match job.state.clone() {
			JobState::Queued => {
				Self::unqueue(job_id);
				let reason = (!expired).then_some(FailureReason::NoMinerAvailable);
				Self::end_unpaid(job_id, &mut job, reason);
			}
			JobState::Assigned { operator } | JobState::Running { operator } => {
				let missed = if matches!(job.state, JobState::Assigned { .. }) {
					MissedDeadline::Ack
				} else {
					MissedDeadline::Result
				};
				if let Some(terms) = job.terms.take() {
					T::Miners::job_ended(&terms, JobOutcome::Missed);
				}
				Self::deposit_event(Event::MinerMissedDeadline { job_id, operator, missed });
				Self::reassign_or_end(job_id, &mut job, &market, expired);
			}
			_ => {}
		}
		JobRecords::<T>::insert(job_id, job);
		true
	}

	/// After a miss: give the job to another miner while TTL and attempts remain, else queue
	/// it again, else end it.
	pub(crate) fn reassign_or_end(
		job_id: JobId,
		job: &mut JobOf<T>,
		market: &MarketParamsOf<T>,
		expired: bool,
	) {
		if expired {
			return Self::end_unpaid(job_id, job, None);
		}
		if job.tried.len() as u32 >= market.max_assign_attempts {
			return Self::end_unpaid(job_id, job, Some(FailureReason::AttemptsExhausted));
		}
		match Self::try_assign(job_id, job, market) {
			Ok(true) => {}
			Ok(false) => {
				let now = Self::now();
				let queued = Queue::<T>::mutate(|q| q.try_push(job_id).is_ok());
				let timeout = Self::schedule(
					job_id,
					now.saturating_add(market.queue_timeout),
					job.expires_at,
					now,
				);
				match (queued, timeout) {
					(true, Some(timeout_at)) => {
						job.state = JobState::Queued;
						job.deadline = timeout_at;
						Self::deposit_event(Event::JobQueued { job_id, timeout_at });
					}
					_ => {
						Self::unqueue(job_id);
						Self::end_unpaid(job_id, job, Some(FailureReason::NoMinerAvailable));
					}
				}
			}
			Err(_) => Self::end_unpaid(job_id, job, Some(FailureReason::Congested)),
		}
	}

	/// `on_initialize`: handle the deadlines of this block, then try queued jobs.
	pub(crate) fn on_initialize_impl(now: BlockNumberFor<T>) -> Weight {
		let due = Deadlines::<T>::take(now);
		let handled = due.len() as u32;
		for job_id in due {
			Self::handle_deadline(job_id, now);
		}
		let tried = Self::assign_queued();
		T::WeightInfo::on_initialize_deadlines(handled)
			.saturating_add(T::WeightInfo::on_initialize_assign(tried))
	}

	/// `on_idle`: prune finished jobs whose retention ended, as far as `remaining` allows.
	pub(crate) fn prune_finished(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let mut used = T::DbWeight::get().reads(1);
		let mut cursor = PruneCursor::<T>::get();
		let per_block = T::WeightInfo::on_idle_prune(T::MaxDeadlinesPerBlock::get());
		while cursor <= now && used.saturating_add(per_block).all_lte(remaining) {
			let list = Prunes::<T>::take(cursor);
			used = used.saturating_add(T::WeightInfo::on_idle_prune(list.len() as u32));
			for job_id in list {
				if let Some(job) = JobRecords::<T>::take(job_id) {
					JobsByClient::<T>::remove(&job.client, job_id);
					Self::deposit_event(Event::JobPruned { job_id });
				}
			}
			cursor = cursor.saturating_add(One::one());
		}
		PruneCursor::<T>::put(cursor);
		used.saturating_add(T::DbWeight::get().writes(1))
	}
}
