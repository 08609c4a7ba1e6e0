//! Which miner gets a job, and the windows it gets: assignment at submission, from the
//! queue each block, and again after a miss.

use crate::*;
use aitbc_primitives::JobId;
use aitbc_traits::{JobNeeds, MinerRegistry};
use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::{pallet_prelude::*, weights::WeightMeter};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};

impl<T: Config> Pallet<T> {
	/// Assigns `job` to the best fitting miner it has not tried, if any, and only when the
	/// miner's full window fits before the TTL. Returns whether it was assigned.
	pub(crate) fn try_assign(
		job_id: JobId,
		job: &mut JobOf<T>,
		market: &MarketParamsOf<T>,
	) -> bool {
		Self::assign(job_id, job, market) == Assignment::Assigned
	}

	/// [`Self::try_assign`], saying why not.
	pub(crate) fn assign(
		job_id: JobId,
		job: &mut JobOf<T>,
		market: &MarketParamsOf<T>,
	) -> Assignment {
		if job.tried.len() as u32 >= market.max_assign_attempts {
			return Assignment::NotNow;
		}
		let result_window = Self::result_window(job.params.max_tokens, market);
		let latest_ack_deadline = job.expires_at.saturating_sub(result_window);
		// The check runs at the start of the block after the window: `ack_timeout` full
		// blocks to acknowledge in.
		let ack_deadline =
			Self::now().saturating_add(market.ack_timeout).saturating_add(One::one());
		if ack_deadline > latest_ack_deadline {
			return Assignment::NotNow;
		}
		let needs = JobNeeds {
			model: &job.model,
			max_tokens: job.params.max_tokens,
			max_price: job.max_price,
			min_reputation: job.min_reputation,
		};
		let Some(terms) = T::Miners::select(&needs, &job.tried) else {
			return Assignment::NoMiner;
		};
		let operator = terms.operator.clone();
		let mut held = HeldJobs::<T>::get(&operator);
		if held.try_push(job_id).is_err() || job.tried.try_push(operator.clone()).is_err() {
			return Assignment::NotNow;
		}
		T::Miners::job_assigned(&operator);
		HeldJobs::<T>::insert(&operator, held);
		Self::set_deadline(job_id, job, ack_deadline);
		job.state = JobState::Assigned { operator: operator.clone() };
		job.terms = Some(terms);
		job.assigned_at = Self::now();
		Self::deposit_event(Event::JobAssigned {
			job_id,
			operator,
			attempt: job.tried.len() as u32,
			ack_deadline: job.deadline,
		});
		Assignment::Assigned
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

	/// Puts `job_id` in the queue. `QueueFull` when [`Config::MaxQueued`] jobs wait.
	pub(crate) fn enqueue(job_id: JobId, job: &JobOf<T>) -> DispatchResult {
		let count = QueuedCount::<T>::get();
		ensure!(count < T::MaxQueued::get(), Error::<T>::QueueFull);
		let entry = QueuedJob {
			model: job.model.clone(),
			max_price: job.max_price,
			max_tokens: job.params.max_tokens,
			min_reputation: job.min_reputation,
		};
		Queue::<T>::insert(OldestFirst(job_id), entry);
		QueuedCount::<T>::put(count.saturating_add(1));
		Ok(())
	}

	/// Takes `job_id` out of the queue, if it is there.
	pub(crate) fn unqueue(job_id: JobId) {
		if Queue::<T>::take(OldestFirst(job_id)).is_some() {
			QueuedCount::<T>::mutate(|count| *count = count.saturating_sub(1));
		}
	}

	/// `on_initialize`, second part: sweeps the queue from where the last block stopped, each
	/// job in turn, as far as `meter` allows. What selection found no miner for in this block
	/// is remembered per model: a job no easier ([`QueuedJob::no_harder_than`]) costs one read
	/// and is skipped, so jobs nobody can take (a model nobody serves, a price below every
	/// miner's) cannot block the jobs behind them; the first look at a model asks whether any
	/// miner can take a job of it at all.
	pub(crate) fn assign_queued(meter: &mut WeightMeter) {
		let count = QueuedCount::<T>::get();
		let visit = T::DbWeight::get().reads(1);
		let attempt = T::WeightInfo::assign_queued();
		// A step may cost a visit, the model's first look and an attempt.
		let step = visit.saturating_add(attempt.saturating_mul(2));
		if count == 0 || !meter.can_consume(step) {
			return;
		}
		let market = T::Params::get();
		// Per model: `None` when no miner can take any job of it now, else the needs of the
		// jobs selection found no miner for (at most `FAILED_NEEDS` kept).
		const FAILED_NEEDS: usize = 8;
		let mut failed: BTreeMap<ModelOf<T>, Option<Vec<QueuedJobOf<T>>>> = BTreeMap::new();
		let start = AssignCursor::<T>::get();
		let mut last = start;
		let mut wrapped = false;
		let mut seen = 0u32;
		let mut iter = Self::queue_after(start);
		while seen < count && meter.can_consume(step) {
			let Some((key, entry)) = iter.next() else {
				if wrapped || start.is_none() {
					last = None;
					break;
				}
				// Past the newest job: go on from the oldest, up to where this sweep began.
				wrapped = true;
				iter = Self::queue_after(None);
				continue;
			};
			if wrapped && start.is_some_and(|s| key > s) {
				break;
			}
			seen = seen.saturating_add(1);
			meter.consume(visit);
			last = Some(key);
			let known = failed.entry(entry.model.clone()).or_insert_with(|| {
				meter.consume(attempt);
				T::Miners::select(&JobNeeds::any_price(&entry.model), &[]).map(|_| Vec::new())
			});
			let Some(failures) = known else { continue };
			if failures.iter().any(|f| f.no_harder_than(&entry)) {
				continue;
			}
			meter.consume(attempt);
			let job_id = key.0;
			let Some(mut job) = JobRecords::<T>::get(job_id) else {
				frame_support::defensive!("a queued job has no record");
				Self::unqueue(job_id);
				continue;
			};
			match Self::assign(job_id, &mut job, &market) {
				Assignment::Assigned => {
					Self::unqueue(job_id);
					JobRecords::<T>::insert(job_id, job);
				}
				// Miners it tried before are out for it, not for others.
				Assignment::NoMiner if job.tried.is_empty() && failures.len() < FAILED_NEEDS => {
					failures.push(entry)
				}
				_ => {}
			}
		}
		match last {
			Some(key) => AssignCursor::<T>::put(key),
			None => AssignCursor::<T>::kill(),
		}
	}

	/// The queued jobs after `key` (all of them for `None`), oldest first.
	fn queue_after(
		key: Option<OldestFirst>,
	) -> impl Iterator<Item = (OldestFirst, QueuedJobOf<T>)> {
		match key {
			Some(key) => Queue::<T>::iter_from(Queue::<T>::hashed_key_for(key)),
			None => Queue::<T>::iter(),
		}
	}
}

/// Whether a job was assigned, and if not, why.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Assignment {
	/// Given to a miner.
	Assigned,
	/// Selection found no miner for it (among those it has not tried).
	NoMiner,
	/// Not tried: no attempt left, or its window no longer fits before its TTL.
	NotNow,
}
