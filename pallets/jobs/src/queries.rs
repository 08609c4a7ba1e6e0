//! Read-only queries for the runtime API (off chain).

use crate::*;
use aitbc_primitives::JobId;

impl<T: Config> Pallet<T> {
	/// The newest jobs (highest ids first), of `client` and/or in `status` if given, at most
	/// `limit`. For the runtime API (off chain): scans at most `MAX_SCAN` ids.
	pub fn list_jobs(
		client: Option<T::AccountId>,
		status: Option<aitbc_primitives::JobStatus>,
		limit: u32,
	) -> alloc::vec::Vec<(JobId, JobOf<T>)> {
		const MAX_SCAN: u64 = 100_000;
		let matches = |job: &JobOf<T>| status.is_none_or(|s| job.state.status() == s);
		let limit = limit as usize;
		match client {
			Some(client) => {
				let mut ids: alloc::vec::Vec<JobId> =
					JobsByClient::<T>::iter_key_prefix(&client).collect();
				ids.sort_unstable_by(|a, b| b.cmp(a));
				ids.into_iter()
					.filter_map(|id| JobRecords::<T>::get(id).map(|job| (id, job)))
					.filter(|(_, job)| matches(job))
					.take(limit)
					.collect()
			}
			None => {
				let next = NextJobId::<T>::get();
				(next.saturating_sub(MAX_SCAN)..next)
					.rev()
					.filter_map(|id| JobRecords::<T>::get(id).map(|job| (id, job)))
					.filter(|(_, job)| matches(job))
					.take(limit)
					.collect()
			}
		}
	}

	/// How many jobs wait for a miner.
	pub fn queued_count() -> u32 {
		Queue::<T>::decode_len().unwrap_or_default() as u32
	}
}
