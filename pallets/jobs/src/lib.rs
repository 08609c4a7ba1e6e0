//! # AITBC jobs
//!
//! The life of an inference job, from submission to receipt, with every failure path ending in
//! a clear state, an event saying why, and the client's money back.
//!
//! ## Overview
//!
//! ```text
//!  submit_job ──► Queued ──(miner fits)──► Assigned ──acknowledge──► Running ──submit_result──► Completed
//!                   │  ▲                      │  │                      │  │
//!      queue timeout│  └──(no miner fits)─────┘  │ ack deadline missed  │  │ result deadline missed
//!                   ▼                            ▼  (slash, re-assign)  ▼  ▼  (slash, re-assign)
//!        Failed(NoMinerAvailable)     Failed(AttemptsExhausted) / Expired (TTL) / Failed(MinerReported)
//!                          cancel_job (client, while queued) ──► Cancelled
//! ```
//!
//! - [`Pallet::submit_job`]: the client names the model, the prompt (UTF-8, at most
//!   [`Config::MaxPromptChars`] characters), generation parameters, a maximum price and a TTL
//!   no shorter than the job's full window ([`Pallet::full_window`]).
//!   The maximum price goes into escrow. The job is assigned in the same block when a miner
//!   fits, else queued; queued jobs are retried at each block ([`Config::MaxAssignPerBlock`]).
//! - [`Pallet::submit_jobs`]: several submissions from one client in one transaction (at most
//!   [`Config::MaxBatch`]), all or nothing, each as `submit_job`.
//! - [`Pallet::acknowledge`]: the assigned operator has `ack_timeout` full blocks after the
//!   assignment block to take the job (several per call); the result deadline then follows
//!   from `max_tokens` and the governed minimum throughput. A job is only given to a miner when
//!   this whole window fits before its TTL, so a miner is only ever slashed for a deadline it
//!   had its full window for.
//! - [`Pallet::submit_result`] / [`Pallet::submit_results`]: the operator delivers output,
//!   usage (never more output tokens than the job allowed, never more GPU time than it held
//!   the job) and an sr25519 signature over the receipt payload v2, checked on chain. The
//!   price is units × unit price capped at the maximum; the miner is paid minus the protocol
//!   fee (at least `min_fee`), the client refunded the rest, a receipt written.
//! - [`Pallet::report_failure`]: the operator gives up with a reason (it costs reputation);
//!   full refund.
//! - [`Pallet::cancel_job`]: the client cancels while the job is queued; full refund. Once a
//!   miner holds the job it ends with the result, the miner's report or a missed deadline, so
//!   that nobody can read a result from the pool and cancel to take it for free.
//!
//! ## Capacity
//!
//! - Each job holds a **storage deposit** from its client ([`Config::JobDeposit`] plus
//!   [`Config::ByteDeposit`] per byte of its prompt and of the largest output), for as long as
//!   it is stored: the part for output bytes not used is released when the result arrives, the
//!   rest when the job is pruned, `retention_period` after it ended.
//! - Deadlines live in [`Deadlines`], keyed by block with no per-block bound: scheduling never
//!   fails and never moves a deadline earlier. Each open job has exactly one entry; it is
//!   removed when the deadline moves or the job ends.
//! - The **queue** ([`Queue`], oldest first) is swept from a cursor: a job whose model no
//!   indexed miner can take now is skipped at the cost of one read, so no job blocks those
//!   behind it, and every queued job is tried in turn.
//! - The hooks are **metered**: `on_initialize` spends at most [`Config::HookWeight`] on due
//!   deadlines and queued jobs, `on_idle` prunes only within the block's spare weight; work
//!   left over carries to the next block ([`DeadlineCursor`], [`AssignCursor`],
//!   [`PruneCursor`]), so no state makes a block overweight.
//! - Acknowledgements, results and failure reports are dispatched in the **operational**
//!   class: they rank above new submissions in the pool and may use the block's reserved
//!   space, so work in flight finishes first when blocks are full. The transaction extension
//!   [`CheckJobCalls`] lets only the operator holding the jobs named through the pool.
//! - [`JobsByClient`] (newest first) and [`HeldJobs`] (one list per operator) let clients page
//!   their jobs and a miner read its own work in O(its jobs).
//! - **Weight per job**: submissions are charged for a full miner index and refunded to the
//!   index selection scanned; a batch of results writes its operator's held list, its owner's
//!   account and the block's prune list once; a job's escrow budget is recorded in the job
//!   itself. Figures: docs/BENCHMARKS.md.
//!
//! The pallet sees the miner registry, the escrow and the receipts only through the traits
//! in its [`Config`].

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

pub use pallet::*;

mod assignment;
mod deadlines;
mod dispatchable_impls;
mod invariants;
mod pool_validity;
mod queries;
mod types;
mod utility_impls;
pub mod weights;

#[cfg(test)]
mod adversarial;
#[cfg(test)]
mod batches;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod capacity;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proptest;
#[cfg(test)]
mod tests;

pub use pool_validity::{CheckJobCalls, NOT_HELD, TOO_MANY_OPEN};
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review. `submit_job` takes the job's fields
// as separate arguments, as polkadot-js and the CLI present them.
#[allow(clippy::expect_used, clippy::too_many_arguments)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aitbc_primitives::{JobId, ReceiptId, Usage};
	use aitbc_traits::{JobEscrow, MarketParams, MinerRegistry, ReceiptSink};
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, MutateHold},
		weights::WeightMeter,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;

	/// The balance type.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A failure reason's text.
	pub type ReasonOf<T> = BoundedVec<u8, <T as Config>::MaxReasonLen>;
	/// A job's output.
	pub type OutputOf<T> = BoundedVec<u8, <T as Config>::MaxOutputLen>;
	/// A job in this runtime.
	pub type JobOf<T> = Job<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		BoundedVec<u8, <T as Config>::MaxModelIdLen>,
		BoundedVec<u8, <T as Config>::MaxPromptLen>,
		OutputOf<T>,
		BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxAttempts>,
		ReasonOf<T>,
	>;
	/// A model id in this runtime.
	pub type ModelOf<T> = BoundedVec<u8, <T as Config>::MaxModelIdLen>;
	/// A queue entry in this runtime.
	pub type QueuedJobOf<T> = QueuedJob<ModelOf<T>, BalanceOf<T>>;
	/// A job's state in this runtime.
	pub type JobStateOf<T> = JobState<<T as frame_system::Config>::AccountId, ReasonOf<T>>;
	/// A failure reason in this runtime.
	pub type FailureReasonOf<T> = FailureReason<ReasonOf<T>>;
	/// One batched result in this runtime.
	pub type JobResultOf<T> = JobResult<OutputOf<T>>;
	/// One job of a batched submission in this runtime.
	pub type JobSpecOf<T> = JobSpec<
		ModelOf<T>,
		BoundedVec<u8, <T as Config>::MaxPromptLen>,
		BalanceOf<T>,
		BlockNumberFor<T>,
	>;
	/// The marketplace parameters in this runtime.
	pub type MarketParamsOf<T> = MarketParams<BalanceOf<T>, BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency storage deposits are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Deposit held per stored job, on top of its bytes.
		#[pallet::constant]
		type JobDeposit: Get<BalanceOf<Self>>;
		/// Deposit held per byte of a job's prompt and of its largest possible output.
		#[pallet::constant]
		type ByteDeposit: Get<BalanceOf<Self>>;
		/// Most weight `on_initialize` spends on deadlines and queued jobs; what is left
		/// carries over to the next block.
		#[pallet::constant]
		type HookWeight: Get<Weight>;
		/// Holds and settles job budgets.
		type Escrow: JobEscrow<Self::AccountId, BalanceOf<Self>>;
		/// The miner registry.
		type Miners: MinerRegistry<Self::AccountId, BalanceOf<Self>>;
		/// Where receipts are written.
		type Receipts: ReceiptSink<Self::AccountId, BalanceOf<Self>>;
		/// Checks operators' receipt signatures.
		type Verifier: SignatureVerifier<Self::AccountId>;
		/// The marketplace parameters.
		type Params: Get<MarketParamsOf<Self>>;
		/// Milliseconds per block, to turn generation time into blocks.
		#[pallet::constant]
		type MillisPerBlock: Get<u64>;
		/// Longest model id, in bytes.
		#[pallet::constant]
		type MaxModelIdLen: Get<u32>;
		/// Most characters in a prompt (the seeds' limit: 4000).
		#[pallet::constant]
		type MaxPromptChars: Get<u32>;
		/// Most bytes in a prompt (4 per character at worst).
		#[pallet::constant]
		type MaxPromptLen: Get<u32>;
		/// Most bytes of output stored with a job.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;
		/// Most tokens a job may ask for.
		#[pallet::constant]
		type MaxTokens: Get<u32>;
		/// Longest failure reason, in bytes.
		#[pallet::constant]
		type MaxReasonLen: Get<u32>;
		/// Upper bound of `max_assign_attempts` (the length of a job's `tried` list).
		#[pallet::constant]
		type MaxAttempts: Get<u32>;
		/// Most jobs in one `submit_jobs`, `acknowledge` or `submit_results` call.
		#[pallet::constant]
		type MaxBatch: Get<u32>;
		/// Most jobs waiting for a miner.
		#[pallet::constant]
		type MaxQueued: Get<u32>;
		/// Most jobs one operator holds at once: at least the registry's largest capacity.
		#[pallet::constant]
		type MaxHeldJobs: Get<u32>;
		/// Most finished jobs scheduled for pruning at one block: more than can end in a
		/// block (checked against the block's weight and the cheapest way to end a job).
		#[pallet::constant]
		type MaxPrunesPerBlock: Get<u32>;
		/// Weights.
		type WeightInfo: WeightInfo;
		/// Sets up miners and funds for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: aitbc_traits::BenchmarkSetup<Self::AccountId, BalanceOf<Self>>;
	}

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Jobs by id, until pruned after the retention period.
	#[pallet::storage]
	pub type JobRecords<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOf<T>>;

	/// Each client's jobs, newest first (for listing), until pruned.
	#[pallet::storage]
	pub type JobsByClient<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, NewestFirst, (), OptionQuery>;

	/// The jobs each operator holds (assigned or running), oldest first. One list per
	/// operator: a batch of its results updates it once.
	#[pallet::storage]
	pub type HeldJobs<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<JobId, T::MaxHeldJobs>,
		ValueQuery,
	>;

	/// How many jobs each client has open.
	#[pallet::storage]
	pub type OpenJobs<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Jobs waiting for a miner, oldest first, with what selection needs (so the sweep skips
	/// jobs no miner can take without reading them).
	#[pallet::storage]
	pub type Queue<T: Config> = StorageMap<_, Identity, OldestFirst, QueuedJobOf<T>, OptionQuery>;

	/// How many jobs are queued (at most [`Config::MaxQueued`]).
	#[pallet::storage]
	pub type QueuedCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The queued job the last sweep stopped after; the next block goes on from there.
	#[pallet::storage]
	pub type AssignCursor<T: Config> = StorageValue<_, OldestFirst, OptionQuery>;

	/// The pending deadline of each open job, by block.
	#[pallet::storage]
	pub type Deadlines<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, JobId, (), OptionQuery>;

	/// The oldest block whose deadlines may not all be handled yet.
	#[pallet::storage]
	pub type DeadlineCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Finished jobs to prune, by the block their retention ends. One list per block: the
	/// jobs a block ends are scheduled with one write.
	#[pallet::storage]
	pub type Prunes<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxPrunesPerBlock>,
		ValueQuery,
	>;

	/// The oldest block whose prune list `on_idle` has not finished.
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A job's storage deposit, held while the job is stored.
		#[codec(index = 0)]
		JobStorage,
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A client submitted a job; its budget is in escrow.
		JobSubmitted {
			job_id: JobId,
			client: T::AccountId,
			model: BoundedVec<u8, T::MaxModelIdLen>,
			max_price: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
			deposit: BalanceOf<T>,
		},
		/// No miner fits yet; the job waits until `timeout_at`.
		JobQueued { job_id: JobId, timeout_at: BlockNumberFor<T> },
		/// The job was given to `operator` (`attempt` counts from 1), which must acknowledge
		/// by `ack_deadline`.
		JobAssigned {
			job_id: JobId,
			operator: T::AccountId,
			attempt: u32,
			ack_deadline: BlockNumberFor<T>,
		},
		/// The operator took the job; the result is due by `result_deadline`.
		JobAcknowledged {
			job_id: JobId,
			operator: T::AccountId,
			result_deadline: BlockNumberFor<T>,
		},
		/// The operator missed a deadline; it is penalized and the job moves on.
		MinerMissedDeadline { job_id: JobId, operator: T::AccountId, missed: MissedDeadline },
		/// The job is done: the miner was paid, the client refunded the rest, a receipt written.
		JobCompleted {
			job_id: JobId,
			operator: T::AccountId,
			receipt_id: ReceiptId,
			price: BalanceOf<T>,
			fee: BalanceOf<T>,
			refunded: BalanceOf<T>,
		},
		/// The job failed for `reason`; the client got `refunded` back.
		JobFailed { job_id: JobId, reason: FailureReasonOf<T>, refunded: BalanceOf<T> },
		/// The client cancelled the job and got `refunded` back.
		JobCancelled { job_id: JobId, refunded: BalanceOf<T> },
		/// The job's TTL passed before a result; the client got `refunded` back.
		JobExpired { job_id: JobId, refunded: BalanceOf<T> },
		/// A finished job was removed from state; its receipt remains.
		JobPruned { job_id: JobId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The prompt is empty. Send some text.
		EmptyPrompt,
		/// The prompt has more than `MaxPromptChars` (4000) characters. Shorten it.
		PromptTooLong,
		/// The prompt is not valid UTF-8. Send text.
		PromptNotUtf8,
		/// The model id is empty, not UTF-8, or longer than `MaxModelIdLen`.
		InvalidModel,
		/// `max_tokens` is zero or above `MaxTokens`.
		InvalidMaxTokens,
		/// The maximum price is zero. Offer something.
		ZeroMaxPrice,
		/// The TTL is zero. Leave it out for the default, or give at least one block.
		ZeroTtl,
		/// The TTL is above the governed `max_ttl`.
		TtlTooLong,
		/// The TTL is shorter than the job's full window (acknowledgement, generation of
		/// `max_tokens` at the governed minimum throughput, slack): no miner could be held to
		/// it fairly. Give a longer TTL or ask for fewer tokens.
		TtlTooShort,
		/// The maximum price is below the governed minimum fee.
		MaxPriceBelowMinFee,
		/// A miner holds the job: it can no longer be cancelled. It ends with the result, the
		/// miner's report or a missed deadline, each with the money settled or refunded.
		JobHeld,
		/// The usage bills more than the job allowed: more output tokens than `max_tokens`, or
		/// more GPU time than the time since the job was assigned.
		UsageAboveLimit,
		/// The client has `max_open_jobs_per_client` jobs open. Wait for one to end.
		TooManyOpenJobs,
		/// The job queue is full. Try again later.
		QueueFull,
		/// The job's pending deadline has passed: the chain hands it on at the start of the
		/// next block it can (a missed acknowledgement or result).
		DeadlinePassed,
		/// The client cannot put the job's storage deposit (`JobDeposit` + `ByteDeposit` per
		/// byte of prompt and of the largest output) on hold. Top up the account.
		InsufficientDeposit,
		/// No job has this id (or it was pruned).
		UnknownJob,
		/// The job is not assigned to the calling operator.
		NotAssignedToYou,
		/// The job is not waiting for an acknowledgement.
		NotAwaitingAck,
		/// The job has ended already (a result came, or it failed, expired or was cancelled).
		JobFinished,
		/// Only the client who submitted the job may cancel it.
		NotYourJob,
		/// The receipt signature does not verify against the operator's key for this payload
		/// (v2: genesis hash, job id, client, model, prompt hash, output hash, usage, price as
		/// the chain computes it).
		InvalidSignature,
		/// The output is not valid UTF-8.
		OutputNotUtf8,
		/// The same job appears twice in one batch.
		DuplicateInBatch,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			// Deadlines may use three quarters of the hook's weight: a backlog of them never
			// stops the queue.
			let limit = T::HookWeight::get();
			let mut meter = WeightMeter::with_limit(limit);
			meter.consume(Self::hook_overhead());
			let mut deadlines = WeightMeter::with_limit(
				limit.saturating_sub(limit.saturating_div(4)).saturating_sub(meter.consumed()),
			);
			Self::handle_due_deadlines(now, &mut deadlines);
			meter.consume(deadlines.consumed());
			Self::assign_queued(&mut meter);
			meter.consumed()
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut meter = WeightMeter::with_limit(remaining);
			Self::prune_finished(now, &mut meter);
			meter.consumed()
		}

		fn integrity_test() {
			assert!(T::MaxPromptLen::get() >= T::MaxPromptChars::get());
			assert!(T::MaxAttempts::get() > 0 && T::MaxBatch::get() > 0);
			assert!(T::MillisPerBlock::get() > 0 && T::MaxQueued::get() > 0);
			// A miner within its capacity always has room in its held-jobs list.
			assert!(T::MaxHeldJobs::get() >= T::Miners::max_capacity());
			// A block cannot end more jobs than its prune list takes.
			assert!(Self::most_ended_per_block() <= u64::from(T::MaxPrunesPerBlock::get()));
			// The hooks must be able to make progress: one deadline in the deadlines' three
			// quarters, one model check and one attempt in the queue's quarter.
			let hook = T::HookWeight::get();
			let read = T::DbWeight::get().reads(1);
			assert!(Self::hook_overhead()
				.saturating_add(read)
				.saturating_add(T::WeightInfo::handle_deadline())
				.all_lte(hook.saturating_sub(hook.saturating_div(4))));
			assert!(read
				.saturating_add(T::WeightInfo::assign_queued().saturating_mul(2))
				.all_lte(hook.saturating_div(4)));
			assert!(T::Params::get().max_assign_attempts <= T::MaxAttempts::get());
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits an inference job and puts `max_price` in escrow.
		///
		/// `ttl` defaults to the governed `default_ttl`; `min_reputation` to zero. Origin: the
		/// client. Emits [`Event::JobSubmitted`], then [`Event::JobAssigned`] or
		/// [`Event::JobQueued`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_job(
			prompt.len() as u32,
			T::Miners::max_candidates(),
		))]
		pub fn submit_job(
			origin: OriginFor<T>,
			kind: JobKind,
			model: BoundedVec<u8, T::MaxModelIdLen>,
			prompt: BoundedVec<u8, T::MaxPromptLen>,
			params: InferenceParams,
			max_price: BalanceOf<T>,
			ttl: Option<BlockNumberFor<T>>,
			min_reputation: Option<Perbill>,
		) -> DispatchResultWithPostInfo {
			let client = ensure_signed(origin)?;
			let prompt_len = prompt.len() as u32;
			let candidates = T::Miners::candidates(&model);
			Self::do_submit(client, kind, model, prompt, params, max_price, ttl, min_reputation)?;
			// Charged for a full miner index; refunded down to the index selection looked at.
			Ok(Some(T::WeightInfo::submit_job(prompt_len, candidates)).into())
		}

		/// Submits several jobs in one call, each as [`Self::submit_job`] would, in order. All or
		/// nothing: the first job refused fails the call and nothing of it stays.
		///
		/// Charged for full miner indexes, the longest prompts and each job going to another
		/// miner (its record and held-jobs list written); refunded down to the indexes selection looked at. Origin: the client. Emits
		/// per job what [`Self::submit_job`] does.
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::jobs_weight(
			jobs.len() as u32,
			core::iter::repeat_n(T::Miners::max_candidates(), jobs.len()),
		))]
		pub fn submit_jobs(
			origin: OriginFor<T>,
			jobs: BoundedVec<JobSpecOf<T>, T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let client = ensure_signed(origin)?;
			let count = jobs.len() as u32;
			let mut scanned = alloc::vec::Vec::with_capacity(jobs.len());
			for spec in jobs {
				scanned.push(T::Miners::candidates(&spec.model));
				let JobSpec { kind, model, prompt, params, max_price, ttl, min_reputation } = spec;
				Self::do_submit(
					client.clone(),
					kind,
					model,
					prompt,
					params,
					max_price,
					ttl,
					min_reputation,
				)?;
			}
			Ok(Some(Self::jobs_weight(count, scanned)).into())
		}

		/// Acknowledges jobs assigned to the caller. All or nothing.
		///
		/// Origin: the assigned operator. Emits [`Event::JobAcknowledged`] per job.
		#[pallet::call_index(1)]
		#[pallet::weight((T::WeightInfo::acknowledge(job_ids.len() as u32), DispatchClass::Operational))]
		pub fn acknowledge(
			origin: OriginFor<T>,
			job_ids: BoundedVec<JobId, T::MaxBatch>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::ensure_distinct(job_ids.iter())?;
			for job_id in job_ids {
				Self::do_acknowledge(&operator, job_id)?;
			}
			Ok(())
		}

		/// Delivers a job's result (output, usage, signature over the receipt payload).
		/// A job still waiting for its acknowledgement is acknowledged implicitly.
		///
		/// Origin: the assigned operator. Emits [`Event::JobCompleted`].
		#[pallet::call_index(2)]
		#[pallet::weight((T::WeightInfo::submit_result(output.len() as u32), DispatchClass::Operational))]
		pub fn submit_result(
			origin: OriginFor<T>,
			job_id: JobId,
			output: BoundedVec<u8, T::MaxOutputLen>,
			usage: Usage,
			signature: [u8; 64],
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_submit_result(&operator, JobResult { job_id, output, usage, signature })
		}

		/// Delivers several results in one call. All or nothing. Weighed per result (each for a
		/// different client, the worst case) and per output byte (what hashing and storing
		/// them costs, as [`Self::submit_result`] measures it).
		///
		/// Origin: the assigned operator. Emits [`Event::JobCompleted`] per job.
		#[pallet::call_index(3)]
		#[pallet::weight((Pallet::<T>::results_weight(results), DispatchClass::Operational))]
		pub fn submit_results(
			origin: OriginFor<T>,
			results: BoundedVec<JobResultOf<T>, T::MaxBatch>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::ensure_distinct(results.iter().map(|r| &r.job_id))?;
			for result in results {
				Self::do_submit_result(&operator, result)?;
			}
			Ok(())
		}

		/// Gives up a job the caller holds, with a reason; the client is refunded in full and
		/// the miner is not paid.
		///
		/// Origin: the assigned operator. Emits [`Event::JobFailed`].
		#[pallet::call_index(4)]
		#[pallet::weight((T::WeightInfo::report_failure(), DispatchClass::Operational))]
		pub fn report_failure(
			origin: OriginFor<T>,
			job_id: JobId,
			reason: BoundedVec<u8, T::MaxReasonLen>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_report_failure(&operator, job_id, reason)
		}

		/// Cancels a queued job; the client is refunded in full. Refused with
		/// [`Error::JobHeld`] once a miner holds the job.
		///
		/// Origin: the client. Emits [`Event::JobCancelled`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::cancel_job())]
		pub fn cancel_job(origin: OriginFor<T>, job_id: JobId) -> DispatchResult {
			let client = ensure_signed(origin)?;
			Self::do_cancel(&client, job_id)
		}
	}
}
