//! Helpers shared by the calls and the hooks: the current block, leaving the queue, ending a
//! job.

use crate::*;
use aitbc_primitives::JobId;
use aitbc_traits::{Budget, JobEscrow};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Zero};

/// How many blocks' prune lists a finished job may try before it is left unscheduled (never,
/// by weight: see `most_ended_per_block`).
const PRUNE_SPILL_BLOCKS: u32 = 4;

impl<T: Config> Pallet<T> {
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// Moves `job` to a final state: closes it for its client and its operator, drops its
	/// pending deadline and schedules its pruning.
	pub(crate) fn finish(
		job_id: JobId,
		job: &mut JobOf<T>,
		state: JobStateOf<T>,
		market: &MarketParamsOf<T>,
	) {
		let now = Self::now();
		if let Some(operator) = job.state.operator() {
			Self::release_held(operator, job_id);
		}
		Deadlines::<T>::remove(job.deadline, job_id);
		job.state = state;
		job.ended_at = Some(now);
		OpenJobs::<T>::mutate_exists(&job.client, |open| {
			let left = open.unwrap_or_default().saturating_sub(1);
			*open = (left > 0).then_some(left);
		});
		Self::schedule_prune(now.saturating_add(market.retention_period), job_id);
	}

	/// Schedules `job_id` to be pruned at block `at`. A block's list has room for more jobs
	/// than a block can end (`integrity_test`); were it full all the same, the job goes to the
	/// next block's.
	fn schedule_prune(at: BlockNumberFor<T>, job_id: JobId) {
		let mut at = at;
		for _ in 0..PRUNE_SPILL_BLOCKS {
			if Prunes::<T>::try_mutate(at, |list| list.try_push(job_id)).is_ok() {
				return;
			}
			at = at.saturating_add(One::one());
		}
		frame_support::defensive!("the prune lists of several blocks are full");
	}

	/// The most jobs one block can end: its whole weight spent on the cheapest way to end a
	/// job (a result in a batch, a cancellation, a failure report or a deadline).
	pub(crate) fn most_ended_per_block() -> u64 {
		let cheapest = [
			T::WeightInfo::submit_results(2).saturating_sub(T::WeightInfo::submit_results(1)),
			T::WeightInfo::cancel_job(),
			T::WeightInfo::report_failure(),
			T::WeightInfo::handle_deadline(),
		]
		.into_iter()
		.map(|w| w.ref_time())
		.min()
		.unwrap_or(0)
		.max(1);
		let block = T::BlockWeights::get().max_block.ref_time();
		block.div_ceil(cheapest)
	}

	/// `job`'s budget in escrow: its client's `max_price`, recorded with the job.
	pub(crate) fn budget(job_id: JobId, job: &JobOf<T>) -> Budget<'_, T::AccountId, BalanceOf<T>> {
		Budget { job: job_id, client: &job.client, amount: job.max_price }
	}

	/// Takes `job_id` off `operator`'s held-jobs list.
	pub(crate) fn release_held(operator: &T::AccountId, job_id: JobId) {
		HeldJobs::<T>::mutate_exists(operator, |held| {
			if let Some(list) = held {
				list.retain(|id| *id != job_id);
				if list.is_empty() {
					*held = None;
				}
			}
		});
	}

	/// Ends a job without a result (timeouts): refund, state, event.
	pub(crate) fn end_unpaid(
		job_id: JobId,
		job: &mut JobOf<T>,
		reason: Option<FailureReasonOf<T>>,
	) {
		let market = T::Params::get();
		let refunded = T::Escrow::refund(Self::budget(job_id, job)).unwrap_or_else(|_| {
			frame_support::defensive!("an open job has no budget in escrow");
			Zero::zero()
		});
		match reason {
			Some(reason) => {
				Self::finish(job_id, job, JobState::Failed { reason: reason.clone() }, &market);
				Self::deposit_event(Event::JobFailed { job_id, reason, refunded });
			}
			None => {
				Self::finish(job_id, job, JobState::Expired, &market);
				Self::deposit_event(Event::JobExpired { job_id, refunded });
			}
		}
	}
}
