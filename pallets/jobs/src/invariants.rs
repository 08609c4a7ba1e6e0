//! The pallet's invariants, checked by `try_state` and after every test.

use crate::*;
use aitbc_traits::JobEscrow;
use frame_support::pallet_prelude::*;

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants: every open job holds its budget in escrow and has one
	/// live deadline no later than its TTL; every queued job is queued; open counts agree.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let now = Self::now();
		let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let queue = Queue::<T>::get();
		for (job_id, job) in JobRecords::<T>::iter() {
			ensure!(job_id < NextJobId::<T>::get(), "job id not below NextJobId");
			if job.state.is_final() {
				ensure!(T::Escrow::held(job_id).is_none(), "a finished job still holds a budget");
				ensure!(!queue.contains(&job_id), "a finished job is queued");
				continue;
			}
			let count = open.entry(job.client.clone()).or_default();
			*count = count.saturating_add(1);
			ensure!(T::Escrow::held(job_id) == Some(job.max_price), "open job budget not held");
			ensure!(job.deadline <= job.expires_at, "a deadline is past the TTL");
			ensure!(job.deadline > now, "an open job's deadline has passed");
			ensure!(
				Deadlines::<T>::get(job.deadline).contains(&job_id),
				"an open job's deadline is not scheduled"
			);
			ensure!(
				matches!(job.state, JobState::Queued) == queue.contains(&job_id),
				"queue and job states disagree"
			);
		}
		for (client, count) in OpenJobs::<T>::iter() {
			ensure!(open.get(&client) == Some(&count), "OpenJobs disagrees with the jobs");
		}
		ensure!(
			open.len() == OpenJobs::<T>::iter().count(),
			"a client's open jobs are not counted"
		);
		Ok(())
	}
}
