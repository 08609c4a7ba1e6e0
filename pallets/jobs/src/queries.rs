//! Read-only queries for the runtime API (off chain).

use crate::*;
use aitbc_primitives::JobId;
use alloc::vec::Vec;

/// Most entries one listing looks at.
pub const MAX_SCAN: u64 = 10_000;

impl<T: Config> Pallet<T> {
	/// The newest jobs (highest ids first) below `before` if given, of `client` and/or in
	/// `status` if given, at most `limit`. For the runtime API (off chain); the work is
	/// bounded: at most [`MAX_SCAN`] entries are looked at (ids, or the client's own index).
	pub fn list_jobs(
		client: Option<T::AccountId>,
		status: Option<aitbc_primitives::JobStatus>,
		before: Option<JobId>,
		limit: u32,
	) -> Vec<(JobId, JobOf<T>)> {
		let matches = |job: &JobOf<T>| status.is_none_or(|s| job.state.status() == s);
		let ids: alloc::boxed::Box<dyn Iterator<Item = JobId>> = match client {
			Some(client) => {
				let keys = match before {
					Some(before) => JobsByClient::<T>::iter_key_prefix_from(
						&client,
						JobsByClient::<T>::hashed_key_for(&client, NewestFirst(before)),
					),
					None => JobsByClient::<T>::iter_key_prefix(&client),
				};
				alloc::boxed::Box::new(keys.map(|key| key.0))
			}
			None => {
				let end = before.unwrap_or_else(NextJobId::<T>::get).min(NextJobId::<T>::get());
				alloc::boxed::Box::new((end.saturating_sub(MAX_SCAN)..end).rev())
			}
		};
		ids.take(MAX_SCAN as usize)
			.filter_map(|id| JobRecords::<T>::get(id).map(|job| (id, job)))
			.filter(|(_, job)| matches(job))
			.take(limit as usize)
			.collect()
	}

	/// The jobs `operator` holds now (assigned or running), oldest first: O(its jobs).
	pub fn held_jobs(operator: &T::AccountId) -> Vec<(JobId, JobOf<T>)> {
		HeldJobs::<T>::get(operator)
			.into_iter()
			.filter_map(|id| JobRecords::<T>::get(id).map(|job| (id, job)))
			.collect()
	}

	/// How many jobs wait for a miner.
	pub fn queued_count() -> u32 {
		QueuedCount::<T>::get()
	}
}
