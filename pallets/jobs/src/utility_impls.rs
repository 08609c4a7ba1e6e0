//! Helpers shared by the calls and the hooks: the current block, leaving the queue, ending a
//! job.

use crate::*;
use aitbc_primitives::JobId;
use aitbc_traits::JobEscrow;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

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
			HeldJobs::<T>::remove(operator, OldestFirst(job_id));
		}
		Deadlines::<T>::remove(job.deadline, job_id);
		job.state = state;
		job.ended_at = Some(now);
		OpenJobs::<T>::mutate_exists(&job.client, |open| {
			let left = open.unwrap_or_default().saturating_sub(1);
			*open = (left > 0).then_some(left);
		});
		Prunes::<T>::insert(now.saturating_add(market.retention_period), job_id, ());
	}

	/// Ends a job without a result (timeouts): refund, state, event.
	pub(crate) fn end_unpaid(
		job_id: JobId,
		job: &mut JobOf<T>,
		reason: Option<FailureReasonOf<T>>,
	) {
		let market = T::Params::get();
		let refunded = T::Escrow::refund(job_id).unwrap_or_else(|_| {
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
