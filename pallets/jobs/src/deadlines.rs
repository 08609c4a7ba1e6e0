//! Deadlines and the block hooks: each open job has one pending deadline (queue timeout,
//! ack deadline, result deadline, TTL). When it falls, `handle_deadline` ends the job or, after a
//! miner's miss (judged by the miner registry: reputation, slash, jail), gives it to another
//! miner (`assignment.rs`). `on_idle` prunes finished jobs after the retention period.
//!
//! Both hooks are metered: each due item is paid for from a [`WeightMeter`] before it is
//! handled, and what the meter cannot pay for stays in storage for the next block, behind a
//! cursor.

use crate::*;
use aitbc_primitives::JobId;
use aitbc_traits::{JobOutcome, MinerRegistry};
use frame_support::{
	pallet_prelude::*,
	storage::IterableStorageDoubleMap,
	traits::{fungible::MutateHold, tokens::Precision},
	weights::WeightMeter,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Moves `job`'s pending deadline to `target`, capped at its TTL and never before the next
	/// block. A block holds any number of deadlines, so this cannot fail and never moves a
	/// deadline earlier than asked (only the TTL cap does, and a job is only given to a miner
	/// while its whole window fits before the TTL).
	pub(crate) fn set_deadline(job_id: JobId, job: &mut JobOf<T>, target: BlockNumberFor<T>) {
		let at = target.min(job.expires_at).max(Self::now().saturating_add(One::one()));
		Deadlines::<T>::remove(job.deadline, job_id);
		Deadlines::<T>::insert(at, job_id, ());
		job.deadline = at;
	}

	/// Handles the deadline of `job_id` that fell at `due` (now, or earlier when the meter
	/// carried it over). Returns whether it was live.
	pub(crate) fn handle_deadline(job_id: JobId, due: BlockNumberFor<T>) -> bool {
		let Some(mut job) = JobRecords::<T>::get(job_id) else { return false };
		if job.state.is_final() || job.deadline != due {
			return false;
		}
		let market = T::Params::get();
		let expired = Self::now() >= job.expires_at;
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
				Self::release_held(&operator, job_id);
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
		if Self::try_assign(job_id, job, market) {
			return;
		}
		if Self::enqueue(job_id, job).is_err() {
			return Self::end_unpaid(job_id, job, Some(FailureReason::NoMinerAvailable));
		}
		job.state = JobState::Queued;
		Self::set_deadline(job_id, job, Self::now().saturating_add(market.queue_timeout));
		Self::deposit_event(Event::JobQueued { job_id, timeout_at: job.deadline });
	}

	/// Drains the due entries of a block-keyed list (`Deadlines`, `Prunes`) from `cursor` up to
	/// `now`, paying `each` per entry (and a read per block looked at) from `meter`, and
	/// calling `handle` on each. Returns the cursor to go on from: the first block not
	/// finished.
	fn drain_due<L>(
		mut cursor: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
		meter: &mut WeightMeter,
		each: Weight,
		mut handle: impl FnMut(JobId, BlockNumberFor<T>),
	) -> BlockNumberFor<T>
	where
		L: IterableStorageDoubleMap<BlockNumberFor<T>, JobId, ()>,
	{
		let probe = T::DbWeight::get().reads(1);
		while cursor <= now {
			if !meter.can_consume(probe.saturating_add(each)) {
				return cursor;
			}
			meter.consume(probe);
			let mut due = L::drain_prefix(cursor);
			loop {
				if !meter.can_consume(each.saturating_add(probe)) {
					return cursor;
				}
				let Some((job_id, ())) = due.next() else { break };
				meter.consume(each);
				handle(job_id, cursor);
			}
			cursor = cursor.saturating_add(One::one());
		}
		cursor
	}

	/// What `on_initialize` pays whatever it does: the cursors, the queue count, the
	/// parameters, and the last empty look at a list.
	pub(crate) fn hook_overhead() -> Weight {
		T::DbWeight::get().reads_writes(5, 2)
	}

	/// `on_initialize`, first part: the deadlines due by `now`, as far as `meter` allows.
	pub(crate) fn handle_due_deadlines(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let cursor = DeadlineCursor::<T>::get();
		let each = T::WeightInfo::handle_deadline();
		let next = Self::drain_due::<Deadlines<T>>(cursor, now, meter, each, |job_id, due| {
			Self::handle_deadline(job_id, due);
		});
		if next != cursor {
			DeadlineCursor::<T>::put(next);
		}
	}

	/// `on_idle`: prunes finished jobs whose retention ended, as far as `meter` allows, and
	/// releases their storage deposits. A block's list is read and removed once (what the
	/// meter leaves unpruned is written back, for the next block).
	pub(crate) fn prune_finished(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let start = PruneCursor::<T>::get();
		let (read, write) = (T::DbWeight::get().reads(1), T::DbWeight::get().writes(1));
		let each = T::WeightInfo::prune_job();
		let mut cursor = start;
		while cursor <= now && meter.try_consume(read).is_ok() {
			if !Prunes::<T>::contains_key(cursor) {
				cursor = cursor.saturating_add(One::one());
				continue;
			}
			if meter.try_consume(write.saturating_add(each)).is_err() {
				break;
			}
			let list = Prunes::<T>::take(cursor);
			let mut pruned = 0;
			for (i, job_id) in list.iter().enumerate() {
				// The first job was paid for with the list.
				if i > 0 && meter.try_consume(each).is_err() {
					break;
				}
				Self::prune(*job_id);
				pruned = i.saturating_add(1);
			}
			if pruned < list.len() {
				let rest = list.into_inner().split_off(pruned);
				Prunes::<T>::insert(cursor, BoundedVec::truncate_from(rest));
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		if cursor != start {
			PruneCursor::<T>::put(cursor);
		}
	}

	/// Removes a finished job and releases what is left of its storage deposit.
	pub(crate) fn prune(job_id: JobId) {
		let Some(job) = JobRecords::<T>::take(job_id) else { return };
		JobsByClient::<T>::remove(&job.client, NewestFirst(job_id));
		Self::release_deposit(&job.client, job.deposit);
		Self::deposit_event(Event::JobPruned { job_id });
	}

	/// Releases `amount` of `client`'s storage deposit.
	pub(crate) fn release_deposit(client: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		let reason = HoldReason::JobStorage.into();
		let released = T::Currency::release(&reason, client, amount, Precision::BestEffort)
			.unwrap_or_default();
		if released != amount {
			frame_support::defensive!("a job's storage deposit was not held in full");
		}
	}
}
