//! The pallet's invariants, checked by `try_state` and after every test.

use crate::*;
use aitbc_traits::JobEscrow;
use frame_support::{pallet_prelude::*, traits::fungible::InspectHold};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants: every open job holds its budget in escrow and has
	/// exactly one pending deadline (none left behind by a finished or moved one), not yet
	/// handled and no later than its TTL; the queue holds exactly the queued jobs and the
	/// held-jobs index exactly the assigned and running ones; every stored job is listed for
	/// its client and its storage deposit is on hold; open counts agree.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut budgets: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let (mut queued, mut held, mut live) = (0u32, 0usize, 0usize);
		for (job_id, job) in JobRecords::<T>::iter() {
			ensure!(job_id < NextJobId::<T>::get(), "job id not below NextJobId");
			ensure!(
				JobsByClient::<T>::contains_key(&job.client, NewestFirst(job_id)),
				"a job is not listed for its client"
			);
			let deposit = deposits.entry(job.client.clone()).or_default();
			*deposit = deposit.saturating_add(job.deposit);
			let in_queue = Queue::<T>::contains_key(OldestFirst(job_id));
			if job.state.is_final() {
				ensure!(!in_queue, "a finished job is queued");
				continue;
			}
			let count = open.entry(job.client.clone()).or_default();
			*count = count.saturating_add(1);
			live = live.saturating_add(1);
			let budget = budgets.entry(job.client.clone()).or_default();
			*budget = budget.saturating_add(job.max_price);
			ensure!(job.deadline <= job.expires_at, "a deadline is past the TTL");
			ensure!(
				job.deadline >= DeadlineCursor::<T>::get(),
				"an open job's deadline was passed over"
			);
			ensure!(
				Deadlines::<T>::contains_key(job.deadline, job_id),
				"an open job's deadline is not scheduled"
			);
			ensure!(
				matches!(job.state, JobState::Queued) == in_queue,
				"queue and job states disagree"
			);
			queued = queued.saturating_add(u32::from(in_queue));
			if let Some(operator) = job.state.operator() {
				ensure!(
					HeldJobs::<T>::get(operator).contains(&job_id),
					"a held job is not indexed for its operator"
				);
				held = held.saturating_add(1);
			}
		}
		ensure!(Deadlines::<T>::iter().count() == live, "a stale deadline entry is left");
		// Every finished job stored is scheduled for pruning exactly once, not behind the
		// cursor; nothing else is.
		let mut scheduled = alloc::vec::Vec::new();
		for (at, list) in Prunes::<T>::iter() {
			ensure!(at >= PruneCursor::<T>::get(), "a prune list was passed over");
			ensure!(!list.is_empty(), "an empty prune list is stored");
			scheduled.extend(list);
		}
		scheduled.sort_unstable();
		let finished: alloc::vec::Vec<aitbc_primitives::JobId> = {
			let mut ids: alloc::vec::Vec<_> = JobRecords::<T>::iter()
				.filter(|(_, job)| job.state.is_final())
				.map(|(id, _)| id)
				.collect();
			ids.sort_unstable();
			ids
		};
		ensure!(scheduled == finished, "prune lists and finished jobs disagree");
		let mut listed = 0usize;
		for list in HeldJobs::<T>::iter_values() {
			ensure!(!list.is_empty(), "an empty held-jobs list is stored");
			let mut ids = list.into_inner();
			listed = listed.saturating_add(ids.len());
			ids.sort_unstable();
			ensure!(
				ids.windows(2).all(|w| matches!(w, [a, b] if a != b)),
				"a job is listed twice for an operator"
			);
		}
		ensure!(listed == held, "a stale held-job entry is left");
		ensure!(Queue::<T>::iter().count() as u32 == queued, "a stale queue entry is left");
		ensure!(QueuedCount::<T>::get() == queued, "QueuedCount disagrees with the queue");
		ensure!(
			JobsByClient::<T>::iter().count() == JobRecords::<T>::iter().count(),
			"a client lists a job that is not stored"
		);
		// Escrow holds exactly the budgets of the open jobs: each client's, and in total.
		let mut total = BalanceOf::<T>::zero();
		for (client, budget) in &budgets {
			ensure!(
				T::Escrow::held_by(client) == *budget,
				"a client's escrow hold is not its open budgets"
			);
			total = total.saturating_add(*budget);
		}
		ensure!(T::Escrow::total_held() == total, "escrow's total is not the open budgets");
		let reason = HoldReason::JobStorage.into();
		for (client, deposit) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&reason, &client) == deposit,
				"a client's storage deposits are not what its jobs hold"
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
