//! The jobs pallet's logic: what the calls and hooks do.

use crate::*;
use aitbc_primitives::{output_hash, price_for, prompt_hash, JobId, ReceiptPayload, UnitType};
use frame_support::{pallet_prelude::*, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_aitbc_escrow::JobEscrow;
use pallet_aitbc_miners::{JobNeeds, JobOutcome, MinerRegistry};
use pallet_aitbc_receipts::{NewReceipt, ReceiptSink};
use sp_runtime::{
	traits::{One, SaturatedConversion, Saturating, Zero},
	Perbill,
};

/// How many blocks past its target a deadline may slide when the target block is full.
const MAX_DEADLINE_SHIFT: u32 = 16;

impl<T: Config> Pallet<T> {
	fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	pub(crate) fn ensure_distinct<'a>(ids: impl Iterator<Item = &'a JobId>) -> DispatchResult {
		let mut seen = alloc::collections::BTreeSet::new();
		for id in ids {
			ensure!(seen.insert(*id), Error::<T>::DuplicateInBatch);
		}
		Ok(())
	}

	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_submit(
		client: T::AccountId,
		kind: JobKind,
		model: BoundedVec<u8, T::MaxModelIdLen>,
		prompt: BoundedVec<u8, T::MaxPromptLen>,
		params: InferenceParams,
		max_price: BalanceOf<T>,
		ttl: Option<BlockNumberFor<T>>,
		min_reputation: Option<Perbill>,
	) -> Result<JobId, DispatchError> {
		let market = T::Params::get();
		ensure!(!prompt.is_empty(), Error::<T>::EmptyPrompt);
		let text = core::str::from_utf8(&prompt).map_err(|_| Error::<T>::PromptNotUtf8)?;
		ensure!(
			text.chars().count() <= T::MaxPromptChars::get() as usize,
			Error::<T>::PromptTooLong
		);
		ensure!(
			!model.is_empty() && core::str::from_utf8(&model).is_ok(),
			Error::<T>::InvalidModel
		);
		ensure!(
			params.max_tokens > 0 && params.max_tokens <= T::MaxTokens::get(),
			Error::<T>::InvalidMaxTokens
		);
		ensure!(!max_price.is_zero(), Error::<T>::ZeroMaxPrice);
		let full_window = Self::full_window(params.max_tokens, &market);
		// No TTL: the governed default, or the job's full window if that is longer.
		let ttl = ttl.unwrap_or_else(|| market.default_ttl.max(full_window).min(market.max_ttl));
		ensure!(!ttl.is_zero(), Error::<T>::ZeroTtl);
		ensure!(ttl <= market.max_ttl, Error::<T>::TtlTooLong);
		ensure!(ttl >= full_window, Error::<T>::TtlTooShort);
		ensure!(max_price >= market.min_fee, Error::<T>::MaxPriceBelowMinFee);
		let open = OpenJobs::<T>::get(&client);
		ensure!(open < market.max_open_jobs_per_client, Error::<T>::TooManyOpenJobs);

		let job_id = NextJobId::<T>::get();
		let now = Self::now();
		T::Escrow::hold(job_id, &client, max_price)?;
		NextJobId::<T>::put(job_id.saturating_add(1));
		OpenJobs::<T>::insert(&client, open.saturating_add(1));
		JobsByClient::<T>::insert(&client, job_id, ());
		let expires_at = now.saturating_add(ttl);
		let mut job = Job {
			client: client.clone(),
			kind,
			model: model.clone(),
			prompt,
			params,
			max_price,
			min_reputation: min_reputation.unwrap_or_else(Perbill::zero),
			submitted_at: now,
			expires_at,
			state: JobState::Queued,
			deadline: now,
			tried: BoundedVec::new(),
			terms: None,
			assigned_at: now,
			output: BoundedVec::new(),
			usage: None,
			ended_at: None,
		};
		Self::deposit_event(Event::JobSubmitted { job_id, client, model, max_price, expires_at });
		if !Self::try_assign(job_id, &mut job, &market)? {
			Queue::<T>::try_mutate(|queue| queue.try_push(job_id))
				.map_err(|_| Error::<T>::QueueFull)?;
			let timeout_at =
				Self::schedule(job_id, now.saturating_add(market.queue_timeout), expires_at, now)
					.ok_or(Error::<T>::DeadlineQueueFull)?;
			job.deadline = timeout_at;
			Self::deposit_event(Event::JobQueued { job_id, timeout_at });
		}
		Jobs::<T>::insert(job_id, job);
		Ok(job_id)
	}

	/// Assigns `job` to the best fitting miner it has not tried, if any, and only when the
	/// miner's full window fits before the TTL. `Err` only when its ack deadline cannot be
	/// scheduled.
	fn try_assign(
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

	/// Schedules `job_id`'s deadline at `target`, capped at `expires_at`. When that block is
	/// full the deadline slides later (up to [`MAX_DEADLINE_SHIFT`] blocks, never past the TTL),
	/// then earlier (never before `earliest` nor the next block: a miner's deadline passes
	/// `earliest = target`, so its window never shrinks). Returns the block, or `None` when
	/// every slot in reach is full.
	fn schedule(
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

	pub(crate) fn do_acknowledge(operator: &T::AccountId, job_id: JobId) -> DispatchResult {
		let market = T::Params::get();
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(job.state.operator() == Some(operator), Error::<T>::NotAssignedToYou);
		ensure!(matches!(job.state, JobState::Assigned { .. }), Error::<T>::NotAwaitingAck);
		let target = Self::now()
			.saturating_add(Self::result_window(job.params.max_tokens, &market))
			.saturating_add(One::one());
		let result_deadline = Self::schedule(job_id, target, job.expires_at, target)
			.ok_or(Error::<T>::DeadlineQueueFull)?;
		job.state = JobState::Running { operator: operator.clone() };
		job.deadline = result_deadline;
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobAcknowledged {
			job_id,
			operator: operator.clone(),
			result_deadline,
		});
		Ok(())
	}

	pub(crate) fn do_submit_result(
		operator: &T::AccountId,
		result: JobResultOf<T>,
	) -> DispatchResult {
		let JobResult { job_id, output, usage, signature } = result;
		let market = T::Params::get();
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(job.state.operator() == Some(operator), Error::<T>::NotAssignedToYou);
		ensure!(core::str::from_utf8(&output).is_ok(), Error::<T>::OutputNotUtf8);
		let terms = job.terms.clone().ok_or(Error::<T>::NotAssignedToYou)?;
		Self::ensure_usage_within_limits(&job, &terms.unit_type, &usage)?;
		let units = terms.unit_type.units(&usage);
		let price = Self::price(units, terms.unit_price, job.max_price);
		let hash = output_hash(&output);
		let prompt = prompt_hash(&job.prompt);
		let payload = Self::receipt_payload(job_id, &job, prompt, hash, usage, price);
		ensure!(
			T::Verifier::verify(operator, &payload.signing_bytes(), &signature),
			Error::<T>::InvalidSignature
		);
		// The fee never rounds to zero: at least `min_fee`, at most the whole price.
		let fee = market.protocol_fee.mul_floor(price).max(market.min_fee).min(price);
		let settlement = T::Escrow::settle(job_id, &terms.owner, price, fee)?;
		let receipt_id = T::Receipts::issue(NewReceipt {
			job_id,
			client: job.client.clone(),
			miner_owner: terms.owner.clone(),
			operator: operator.clone(),
			model: job.model.to_vec(),
			prompt_hash: prompt,
			unit_type: terms.unit_type,
			unit_price: terms.unit_price,
			units,
			usage,
			price,
			fee,
			output_hash: hash,
			signature,
		});
		// Reputation is paid for: a completion counts only when its fee reached `min_fee` and
		// its client is not the miner's own owner or operator key.
		let rated =
			fee >= market.min_fee && job.client != terms.owner && job.client != terms.operator;
		T::Miners::job_ended(&terms, JobOutcome::Completed { rated });
		job.output = output;
		job.usage = Some(usage);
		Self::finish(job_id, &mut job, JobState::Completed { receipt_id }, &market);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobCompleted {
			job_id,
			operator: operator.clone(),
			receipt_id,
			price,
			fee,
			refunded: settlement.refunded,
		});
		Ok(())
	}

	/// Billed usage never exceeds what the job allowed: at most `max_tokens` output tokens, and
	/// for GPU-second billing at most the time since the job was assigned (blocks since the
	/// assignment block × the block time).
	fn ensure_usage_within_limits(
		job: &JobOf<T>,
		unit_type: &UnitType,
		usage: &aitbc_primitives::Usage,
	) -> DispatchResult {
		ensure!(usage.output_tokens <= job.params.max_tokens, Error::<T>::UsageAboveLimit);
		if *unit_type == UnitType::GpuSecond {
			let blocks: u64 = Self::now().saturating_sub(job.assigned_at).saturated_into();
			let held_ms = blocks.saturating_mul(T::MillisPerBlock::get());
			ensure!(usage.compute_ms <= held_ms, Error::<T>::UsageAboveLimit);
		}
		Ok(())
	}

	/// The receipt payload (v2) of `job` as the chain rebuilds it from its own state.
	pub fn receipt_payload(
		job_id: JobId,
		job: &JobOf<T>,
		prompt_hash: aitbc_primitives::Hash256,
		output_hash: aitbc_primitives::Hash256,
		usage: aitbc_primitives::Usage,
		price: BalanceOf<T>,
	) -> ReceiptPayload {
		ReceiptPayload {
			genesis_hash: pallet_aitbc_miners::genesis_hash::<T>(),
			job_id,
			client: T::Verifier::raw(&job.client),
			model: job.model.to_vec(),
			prompt_hash,
			output_hash,
			usage,
			price: price.try_into().unwrap_or(u128::MAX),
		}
	}

	/// The price of `units` as the chain computes it, in `u128` (as the receipt payload has it).
	pub fn price_of(units: u64, unit_price: BalanceOf<T>, max_price: BalanceOf<T>) -> u128 {
		let unit_price: u128 = unit_price.try_into().unwrap_or(u128::MAX);
		let max: u128 = max_price.try_into().unwrap_or(u128::MAX);
		price_for(units, unit_price, max)
	}

	fn price(units: u64, unit_price: BalanceOf<T>, max_price: BalanceOf<T>) -> BalanceOf<T> {
		let unit_price: u128 = unit_price.try_into().unwrap_or(u128::MAX);
		let max: u128 = max_price.try_into().unwrap_or(u128::MAX);
		BalanceOf::<T>::try_from(price_for(units, unit_price, max)).unwrap_or(max_price)
	}

	pub(crate) fn do_report_failure(
		operator: &T::AccountId,
		job_id: JobId,
		reason: BoundedVec<u8, T::MaxReasonLen>,
	) -> DispatchResult {
		let market = T::Params::get();
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(job.state.operator() == Some(operator), Error::<T>::NotAssignedToYou);
		let terms = job.terms.clone().ok_or(Error::<T>::NotAssignedToYou)?;
		let refunded = T::Escrow::refund(job_id)?;
		T::Miners::job_ended(&terms, JobOutcome::Failed);
		let reason = FailureReason::MinerReported(reason);
		Self::finish(job_id, &mut job, JobState::Failed { reason: reason.clone() }, &market);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobFailed { job_id, reason, refunded });
		Ok(())
	}

	pub(crate) fn do_cancel(client: &T::AccountId, job_id: JobId) -> DispatchResult {
		let market = T::Params::get();
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(&job.client == client, Error::<T>::NotYourJob);
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(matches!(job.state, JobState::Queued), Error::<T>::JobHeld);
		let refunded = T::Escrow::refund(job_id)?;
		Self::unqueue(job_id);
		Self::finish(job_id, &mut job, JobState::Cancelled, &market);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobCancelled { job_id, refunded });
		Ok(())
	}

	fn unqueue(job_id: JobId) {
		Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
	}

	/// Moves `job` to a final state: closes it for its client and schedules its pruning.
	fn finish(job_id: JobId, job: &mut JobOf<T>, state: JobStateOf<T>, market: &MarketParamsOf<T>) {
		let now = Self::now();
		job.state = state;
		job.ended_at = Some(now);
		OpenJobs::<T>::mutate_exists(&job.client, |open| {
			let left = open.unwrap_or_default().saturating_sub(1);
			*open = (left > 0).then_some(left);
		});
		let mut at = now.saturating_add(market.retention_period);
		// A full prune list only delays pruning.
		while !Prunes::<T>::mutate(at, |list| list.try_push(job_id).is_ok()) {
			at = at.saturating_add(One::one());
		}
	}

	/// Ends a job without a result (timeouts): refund, state, event.
	fn end_unpaid(job_id: JobId, job: &mut JobOf<T>, reason: Option<FailureReasonOf<T>>) {
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

	/// Handles the deadline of `job_id` falling now. Returns whether it was live.
	pub(crate) fn handle_deadline(job_id: JobId, now: BlockNumberFor<T>) -> bool {
		let Some(mut job) = Jobs::<T>::get(job_id) else { return false };
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
		Jobs::<T>::insert(job_id, job);
		true
	}

	/// After a miss: give the job to another miner while TTL and attempts remain, else queue
	/// it again, else end it.
	fn reassign_or_end(
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
			let Some(mut job) = Jobs::<T>::get(job_id) else {
				assigned.push(*job_id);
				continue;
			};
			if !matches!(job.state, JobState::Queued) {
				assigned.push(*job_id);
				continue;
			}
			if let Ok(true) = Self::try_assign(*job_id, &mut job, &market) {
				assigned.push(*job_id);
				Jobs::<T>::insert(job_id, job);
			}
		}
		if !assigned.is_empty() {
			Queue::<T>::mutate(|q| q.retain(|id| !assigned.contains(id)));
		}
		tried
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
				if let Some(job) = Jobs::<T>::take(job_id) {
					JobsByClient::<T>::remove(&job.client, job_id);
					Self::deposit_event(Event::JobPruned { job_id });
				}
			}
			cursor = cursor.saturating_add(One::one());
		}
		PruneCursor::<T>::put(cursor);
		used.saturating_add(T::DbWeight::get().writes(1))
	}

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
					.filter_map(|id| Jobs::<T>::get(id).map(|job| (id, job)))
					.filter(|(_, job)| matches(job))
					.take(limit)
					.collect()
			}
			None => {
				let next = NextJobId::<T>::get();
				(next.saturating_sub(MAX_SCAN)..next)
					.rev()
					.filter_map(|id| Jobs::<T>::get(id).map(|job| (id, job)))
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

	/// Checks the pallet's invariants: every open job holds its budget in escrow and has one
	/// live deadline no later than its TTL; every queued job is queued; open counts agree.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let now = Self::now();
		let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let queue = Queue::<T>::get();
		for (job_id, job) in Jobs::<T>::iter() {
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
