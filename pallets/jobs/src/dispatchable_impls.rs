//! What the calls do: submit, acknowledge, submit a result, report a failure, cancel.

use crate::*;
use aitbc_primitives::{output_hash, price_for, prompt_hash, JobId, ReceiptPayload, UnitType};
use aitbc_traits::{Budget, JobEscrow, JobOutcome, MinerRegistry, NewReceipt, ReceiptSink};
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, SaturatedConversion, Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn ensure_distinct<'a>(ids: impl Iterator<Item = &'a JobId>) -> DispatchResult {
		let mut seen = alloc::collections::BTreeSet::new();
		for id in ids {
			ensure!(seen.insert(*id), Error::<T>::DuplicateInBatch);
		}
		Ok(())
	}

	/// The weight of `submit_results` for `results`: per result, as if each were for another
	/// client, plus what hashing and storing their output bytes costs (the per-byte part of
	/// `submit_result`).
	pub fn results_weight(results: &[JobResultOf<T>]) -> Weight {
		let bytes = results.iter().map(|r| r.output.len() as u32).fold(0u32, u32::saturating_add);
		T::WeightInfo::submit_results(results.len() as u32).saturating_add(
			T::WeightInfo::submit_result(bytes).saturating_sub(T::WeightInfo::submit_result(0)),
		)
	}

	/// The weight of `submit_jobs` for `count` jobs whose selections look at miner indexes of
	/// the lengths in `indexes`: the batch as measured with an index of one miner, what each
	/// wider index adds to a submission (measured on `submit_job`, where the miner records
	/// are read cold: more than in a batch, where later jobs find them in the overlay), and
	/// for each further miner the jobs may go to, its record and its held-jobs list written.
	pub fn jobs_weight(count: u32, indexes: impl IntoIterator<Item = u32>) -> Weight {
		let scan = |m: u32| {
			T::WeightInfo::submit_job(0, m).saturating_sub(T::WeightInfo::submit_job(0, 1))
		};
		let mut weight = T::WeightInfo::submit_jobs(count);
		let mut widest = 1;
		for m in indexes {
			weight = weight.saturating_add(scan(m));
			widest = widest.max(m);
		}
		let miners = count.min(widest).saturating_sub(1);
		weight.saturating_add(T::DbWeight::get().writes(u64::from(miners).saturating_mul(2)))
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
		T::Escrow::hold(Budget { job: job_id, client: &client, amount: max_price })?;
		let deposit = Self::deposit_for(prompt.len());
		T::Currency::hold(&HoldReason::JobStorage.into(), &client, deposit)
			.map_err(|_| Error::<T>::InsufficientDeposit)?;
		NextJobId::<T>::put(job_id.saturating_add(1));
		OpenJobs::<T>::insert(&client, open.saturating_add(1));
		JobsByClient::<T>::insert(&client, NewestFirst(job_id), ());
		let expires_at = now.saturating_add(ttl);
		let mut job = Job {
			client: client.clone(),
			kind,
			model: model.clone(),
			prompt,
			params,
			max_price,
			deposit,
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
		Self::deposit_event(Event::JobSubmitted {
			job_id,
			client,
			model: model.clone(),
			max_price,
			expires_at,
			deposit,
		});
		if !Self::try_assign(job_id, &mut job, &market) {
			Self::enqueue(job_id, &job)?;
			Self::set_deadline(job_id, &mut job, now.saturating_add(market.queue_timeout));
			Self::deposit_event(Event::JobQueued { job_id, timeout_at: job.deadline });
		}
		JobRecords::<T>::insert(job_id, job);
		Ok(job_id)
	}

	/// The storage deposit of a job with a prompt of `prompt_len` bytes: the base deposit and
	/// the byte deposit for the prompt and the largest output the job may store.
	pub fn deposit_for(prompt_len: usize) -> BalanceOf<T> {
		let bytes = (prompt_len as u32).saturating_add(T::MaxOutputLen::get());
		T::JobDeposit::get().saturating_add(T::ByteDeposit::get().saturating_mul(bytes.into()))
	}

	pub(crate) fn do_acknowledge(operator: &T::AccountId, job_id: JobId) -> DispatchResult {
		let market = T::Params::get();
		let mut job = JobRecords::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(job.state.operator() == Some(operator), Error::<T>::NotAssignedToYou);
		ensure!(matches!(job.state, JobState::Assigned { .. }), Error::<T>::NotAwaitingAck);
		Self::ensure_before_deadline(&job)?;
		let target = Self::now()
			.saturating_add(Self::result_window(job.params.max_tokens, &market))
			.saturating_add(One::one());
		Self::set_deadline(job_id, &mut job, target);
		let result_deadline = job.deadline;
		job.state = JobState::Running { operator: operator.clone() };
		JobRecords::<T>::insert(job_id, job);
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
		let mut job = JobRecords::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(job.state.operator() == Some(operator), Error::<T>::NotAssignedToYou);
		Self::ensure_before_deadline(&job)?;
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
		let settlement = T::Escrow::settle(Self::budget(job_id, &job), &terms.owner, price, fee)?;
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
		// The deposit for output bytes the result did not use goes back now.
		let unused = T::MaxOutputLen::get().saturating_sub(output.len() as u32);
		let unused = T::ByteDeposit::get().saturating_mul(unused.into()).min(job.deposit);
		Self::release_deposit(&job.client, unused);
		job.deposit = job.deposit.saturating_sub(unused);
		job.output = output;
		job.usage = Some(usage);
		Self::finish(job_id, &mut job, JobState::Completed { receipt_id }, &market);
		JobRecords::<T>::insert(job_id, job);
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

	/// A held job's deadline is handled at the start of its block, before any transaction;
	/// when `on_initialize` carries deadlines over to later blocks, the rule still holds: at or
	/// after the deadline the miner can no longer acknowledge, deliver or give up.
	pub(crate) fn ensure_before_deadline(job: &JobOf<T>) -> DispatchResult {
		ensure!(Self::now() < job.deadline, Error::<T>::DeadlinePassed);
		Ok(())
	}

	/// Billed usage never exceeds what the job allowed: at most `max_tokens` output tokens, and
	/// for GPU-second billing at most the time since the job was assigned (blocks since the
	/// assignment block × the block time).
	pub(crate) fn ensure_usage_within_limits(
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
			genesis_hash: aitbc_traits::genesis_hash::<T>(),
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

	pub(crate) fn price(
		units: u64,
		unit_price: BalanceOf<T>,
		max_price: BalanceOf<T>,
	) -> BalanceOf<T> {
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
		let mut job = JobRecords::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(job.state.operator() == Some(operator), Error::<T>::NotAssignedToYou);
		Self::ensure_before_deadline(&job)?;
		let terms = job.terms.clone().ok_or(Error::<T>::NotAssignedToYou)?;
		let refunded = T::Escrow::refund(Self::budget(job_id, &job))?;
		T::Miners::job_ended(&terms, JobOutcome::Failed);
		let reason = FailureReason::MinerReported(reason);
		Self::finish(job_id, &mut job, JobState::Failed { reason: reason.clone() }, &market);
		JobRecords::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobFailed { job_id, reason, refunded });
		Ok(())
	}

	pub(crate) fn do_cancel(client: &T::AccountId, job_id: JobId) -> DispatchResult {
		let market = T::Params::get();
		let mut job = JobRecords::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(&job.client == client, Error::<T>::NotYourJob);
		ensure!(!job.state.is_final(), Error::<T>::JobFinished);
		ensure!(matches!(job.state, JobState::Queued), Error::<T>::JobHeld);
		let refunded = T::Escrow::refund(Self::budget(job_id, &job))?;
		Self::unqueue(job_id);
		Self::finish(job_id, &mut job, JobState::Cancelled, &market);
		JobRecords::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobCancelled { job_id, refunded });
		Ok(())
	}
}
