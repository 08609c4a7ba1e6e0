//! Which miner gets a job, and the windows it gets: assignment at submission, from the
//! queue each block, and again after a miss.

use crate::*;
use aitbc_primitives::JobId;
use aitbc_traits::{JobNeeds, MinerRegistry};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};

impl<T: Config> Pallet<T> {
	/// Assigns `job` to the best fitting miner it has not tried, if any, and only when the
	/// miner's full window fits before the TTL. `Err` only when its ack deadline cannot be
	/// scheduled.
	pub(crate) fn try_assign(
		job_id: JobId,
		job: &mut JobOf<T>,
		market: &MarketParamsOf<T>,
	) -> Result<bool, DispatchError> {
		if job.tried.len() as u32 >= market.max_assign_attempts {
			return Ok(false);
		}
		let result_window = Self::result_window(job.params.max_tokens, market);
		// The ack deadline may slide later when its block is full, but never so late that the
		// result window no longer fits before the TTL.
		let latest_ack_deadline = job.expires_at.saturating_sub(result_window);
		let target = Self::now().saturating_add(market.ack_timeout).saturating_add(One::one());
		if target > latest_ack_deadline {
			return Ok(false);
		}
		let needs = JobNeeds {
			model: &job.model,
			max_tokens: job.params.max_tokens,
			max_price: job.max_price,
			min_reputation: job.min_reputation,
		};
		let Some(terms) = T::Miners::select(&needs, &job.tried) else { return Ok(false) };
		// The check runs at the start of the block after the window: `ack_timeout` full
		// blocks to acknowledge in.
		let ack_deadline = Self::schedule(job_id, target, latest_ack_deadline, target)
			.ok_or(Error::<T>::DeadlineQueueFull)?;
		let operator = terms.operator.clone();
		job.tried.try_push(operator.clone()).map_err(|_| Error::<T>::DeadlineQueueFull)?;
		T::Miners::job_assigned(&operator);
		job.state = JobState::Assigned { operator: operator.clone() };
		job.deadline = ack_deadline;
		job.terms = Some(terms);
		job.assigned_at = Self::now();
		Self::deposit_event(Event::JobAssigned {
			job_id,
			operator,
			attempt: job.tried.len() as u32,
			ack_deadline,
		});
		Ok(true)
	}

	/// Blocks a miner has, after the block it acknowledged in, to deliver a job of
	/// `max_tokens`: the governed minimum time plus generation at the governed minimum
	/// throughput.
	pub fn result_window(max_tokens: u32, market: &MarketParamsOf<T>) -> BlockNumberFor<T> {
		let millis = u64::from(max_tokens)
			.saturating_mul(1_000)
			.checked_div(u64::from(market.min_tokens_per_second))
			.unwrap_or(u64::MAX);
		let blocks = millis.div_ceil(T::MillisPerBlock::get().max(1));
		let blocks = BlockNumberFor::<T>::try_from(blocks).unwrap_or(market.max_ttl);
		market.min_result_time.saturating_add(blocks)
	}

	/// The full window a job of `max_tokens` needs from its assignment: `ack_timeout` blocks to
	/// acknowledge, the [`result window`](Self::result_window), and the block its deadline is
	/// checked in. The shortest TTL a job may have; a job is assigned only while it fits.
	pub fn full_window(max_tokens: u32, market: &MarketParamsOf<T>) -> BlockNumberFor<T> {
		market
			.ack_timeout
			.saturating_add(Self::result_window(max_tokens, market))
			.saturating_add(One::one())
	}

	/// Tries the oldest queued jobs (at most `MaxAssignPerBlock`) for assignment; returns how
	/// many were tried.
	pub(crate) fn assign_queued() -> u32 {
		let queue = Queue::<T>::get();
		if queue.is_empty() {
			return 0;
		}
		let market = T::Params::get();
		let mut assigned = alloc::vec::Vec::new();
		let mut tried = 0u32;
		for job_id in queue.iter().take(T::MaxAssignPerBlock::get() as usize) {
			tried = tried.saturating_add(1);
			let Some(mut job) = JobRecords::<T>::get(job_id) else {
				assigned.push(*job_id);
				continue;
			};
			if !matches!(job.state, JobState::Queued) {
				assigned.push(*job_id);
				continue;
			}
			if let Ok(true) = Self::try_assign(*job_id, &mut job, &market) {
				assigned.push(*job_id);
				JobRecords::<T>::insert(job_id, job);
			}
		}
		if !assigned.is_empty() {
			Queue::<T>::mutate(|q| q.retain(|id| !assigned.contains(id)));
		}
		tried
	}
}
