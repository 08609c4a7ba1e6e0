//! Benchmarks for `pallet_aitbc_jobs`: every call and every hook path, at worst case.

#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::*;
use crate::Pallet as JobsPallet;
use aitbc_primitives::{output_hash, prompt_hash, JobId, Usage};
use aitbc_traits::BenchmarkSetup;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, weights::WeightMeter, BoundedVec};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::{crypto::KeyTypeId, sr25519};

const MODEL: &[u8] = b"bench-model:latest";
const KEY_TYPE: KeyTypeId = KeyTypeId(*b"aitb");

fn model<T: Config>() -> BoundedVec<u8, T::MaxModelIdLen> {
	MODEL.to_vec().try_into().expect("short model id")
}

/// An operator key in the benchmark keystore, registered as a miner.
fn operator<T: Config>(index: u32) -> (T::AccountId, sr25519::Public)
where
	T::AccountId: From<sr25519::Public>,
{
	let public = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
	let account: T::AccountId = public.into();
	T::BenchmarkHelper::register_miner(&account, index, MODEL);
	(account, public)
}

/// Fills the model's miner index so selection does the most work, with miners that fit no
/// job (they are marked busy by the helper only through capacity), then adds the operator.
fn miners<T: Config>(count: u32) -> (T::AccountId, sr25519::Public)
where
	T::AccountId: From<sr25519::Public>,
{
	for i in 1..count {
		let filler: T::AccountId = account("filler", i, 0);
		T::BenchmarkHelper::register_miner(&filler, i, MODEL);
	}
	operator::<T>(0)
}

fn client<T: Config>(i: u32) -> T::AccountId {
	let who: T::AccountId = account("client", i, 0);
	T::BenchmarkHelper::fund(&who);
	who
}

/// Submits a job whose prompt has `prompt_chars` characters of 4 bytes each (the worst case
/// for the UTF-8 check, and, at `MaxPromptChars`, for the prompt hash of receipt payload v2).
fn submit<T: Config>(client: &T::AccountId, prompt_chars: u32) -> JobId {
	let chars = prompt_chars.max(1).min(T::MaxPromptLen::get() / 4) as usize;
	let prompt = "\u{1F980}".repeat(chars).into_bytes();
	JobsPallet::<T>::do_submit(
		client.clone(),
		JobKind::TextInference,
		model::<T>(),
		prompt.try_into().expect("prompt fits"),
		InferenceParams { temperature_milli: 700, max_tokens: 64, seed: Some(1) },
		T::BenchmarkHelper::max_price(),
		None,
		None,
	)
	.expect("submission works")
}

/// `count` jobs, each from its own client (the worst case for a batch: no client's account,
/// hold or open-job count is shared).
fn submit_many<T: Config>(count: u32) -> alloc::vec::Vec<JobId> {
	(0..count).map(|i| submit::<T>(&client::<T>(i), T::MaxPromptChars::get())).collect()
}

/// A job spec with the longest prompt (`MaxPromptChars` characters of 4 bytes).
fn spec<T: Config>() -> JobSpecOf<T> {
	let chars = T::MaxPromptChars::get().min(T::MaxPromptLen::get() / 4) as usize;
	JobSpec {
		kind: JobKind::TextInference,
		model: model::<T>(),
		prompt: "\u{1F980}".repeat(chars).into_bytes().try_into().expect("prompt fits"),
		params: InferenceParams { temperature_milli: 700, max_tokens: 64, seed: Some(1) },
		max_price: T::BenchmarkHelper::max_price(),
		ttl: None,
		min_reputation: None,
	}
}

fn signed_result<T: Config>(
	public: &sr25519::Public,
	job_id: JobId,
	output_len: u32,
) -> JobResultOf<T> {
	let output: alloc::vec::Vec<u8> = alloc::vec![b'x'; output_len as usize];
	let usage = Usage { prompt_tokens: 16, output_tokens: 64, compute_ms: 1_000 };
	let job = JobRecords::<T>::get(job_id).expect("job exists");
	let terms = job.terms.clone().expect("assigned");
	let units = terms.unit_type.units(&usage);
	let price: u128 = JobsPallet::<T>::price_of(units, terms.unit_price, job.max_price);
	let price: BalanceOf<T> = price.try_into().unwrap_or(job.max_price);
	let payload = JobsPallet::<T>::receipt_payload(
		job_id,
		&job,
		prompt_hash(&job.prompt),
		output_hash(&output),
		usage,
		price,
	);
	let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, public, &payload.signing_bytes())
		.expect("the key is in the keystore");
	JobResult {
		job_id,
		output: output.try_into().expect("output fits"),
		usage,
		signature: signature.0,
	}
}

#[benchmarks(where T::AccountId: From<sr25519::Public>)]
mod benchmarks {
	use super::*;

	/// Selection scans a miner index of `m` miners for the model (at most
	/// `MaxMinersPerModel`; the call is charged for a full one and refunded to the index it
	/// scanned).
	#[benchmark]
	fn submit_job(
		p: Linear<1, { T::MaxPromptChars::get() }>,
		m: Linear<1, { T::BenchmarkHelper::max_miners_per_model() }>,
	) {
		miners::<T>(m);
		let who = client::<T>(0);
		let prompt: BoundedVec<u8, T::MaxPromptLen> =
			alloc::vec![b'a'; p as usize].try_into().expect("prompt fits");
		let id = NextJobId::<T>::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			JobKind::TextInference,
			model::<T>(),
			prompt,
			InferenceParams { temperature_milli: 700, max_tokens: 64, seed: Some(1) },
			T::BenchmarkHelper::max_price(),
			None,
			None,
		);

		assert!(matches!(
			JobRecords::<T>::get(id).map(|j| j.state),
			Some(JobState::Assigned { .. })
		));
	}

	/// `n` jobs from one client, each with the longest prompt, with an index of one miner
	/// (the call adds, per job, what a wider index costs, measured by `submit_job`, and a
	/// miner record and held-jobs list written per further miner).
	#[benchmark]
	fn submit_jobs(n: Linear<1, { T::MaxBatch::get() }>) {
		let (operator, _) = miners::<T>(1);
		let who = client::<T>(0);
		let first = NextJobId::<T>::get();
		let jobs: BoundedVec<_, T::MaxBatch> = (0..n)
			.map(|_| spec::<T>())
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.expect("n <= MaxBatch");

		#[extrinsic_call]
		_(RawOrigin::Signed(who), jobs);

		for id in first..first + u64::from(n) {
			let job = JobRecords::<T>::get(id).expect("job exists");
			assert_eq!(job.state, JobState::Assigned { operator: operator.clone() });
		}
	}

	#[benchmark]
	fn acknowledge(n: Linear<1, { T::MaxBatch::get() }>) {
		let (operator, _) = miners::<T>(1);
		let ids = submit_many::<T>(n);
		let batch: BoundedVec<JobId, T::MaxBatch> = ids.clone().try_into().expect("n <= MaxBatch");

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), batch);

		for id in ids {
			assert!(matches!(
				JobRecords::<T>::get(id).map(|j| j.state),
				Some(JobState::Running { .. })
			));
		}
	}

	#[benchmark]
	fn submit_result(o: Linear<0, { T::MaxOutputLen::get() }>) {
		let (operator, public) = miners::<T>(1);
		let id = submit::<T>(&client::<T>(0), T::MaxPromptChars::get());
		JobsPallet::<T>::do_acknowledge(&operator, id).expect("assigned to the operator");
		let result = signed_result::<T>(&public, id, o);

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), id, result.output, result.usage, result.signature);

		assert!(matches!(
			JobRecords::<T>::get(id).map(|j| j.state),
			Some(JobState::Completed { .. })
		));
	}

	/// A batch of `n` results, each for another client, with empty outputs: the call adds
	/// the output bytes at `submit_result`'s per-byte cost.
	#[benchmark]
	fn submit_results(n: Linear<1, { T::MaxBatch::get() }>) {
		let (operator, public) = miners::<T>(1);
		let ids = submit_many::<T>(n);
		let results: alloc::vec::Vec<_> =
			ids.iter().map(|id| signed_result::<T>(&public, *id, 0)).collect();
		let batch: BoundedVec<_, T::MaxBatch> = results.try_into().expect("n <= MaxBatch");

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), batch);

		for id in ids {
			assert!(matches!(
				JobRecords::<T>::get(id).map(|j| j.state),
				Some(JobState::Completed { .. })
			));
		}
	}

	#[benchmark]
	fn report_failure() {
		let (operator, _) = miners::<T>(1);
		let id = submit::<T>(&client::<T>(0), 16);
		let reason: BoundedVec<u8, T::MaxReasonLen> =
			alloc::vec![b'r'; T::MaxReasonLen::get() as usize].try_into().expect("fits");

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), id, reason);

		assert!(matches!(JobRecords::<T>::get(id).map(|j| j.state), Some(JobState::Failed { .. })));
	}

	/// Only queued jobs can be cancelled (leaving the queue is one removal, whatever its
	/// length).
	#[benchmark]
	fn cancel_job() {
		let ids = submit_many::<T>(4);
		let id = *ids.last().expect("at least one job");
		let who = JobRecords::<T>::get(id).expect("job exists").client;
		assert_eq!(JobRecords::<T>::get(id).map(|j| j.state), Some(JobState::Queued));

		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);

		assert_eq!(JobRecords::<T>::get(id).map(|j| j.state), Some(JobState::Cancelled));
	}

	/// One due deadline, the worst kind: a missed acknowledgement of a job with the longest
	/// prompt; the miner is judged (reputation, slash, jail: out of the indexes of all its
	/// models) and the job re-assigned by a selection over a full miner index. `on_initialize` pays this for each deadline it handles.
	#[benchmark]
	fn handle_deadline() {
		miners::<T>(T::BenchmarkHelper::max_miners_per_model());
		let id = submit::<T>(&client::<T>(0), T::MaxPromptChars::get());
		let job = JobRecords::<T>::get(id).expect("job exists");
		let holder = job.state.operator().cloned().expect("assigned");
		// The miss jails the miner: it leaves every index of its models.
		T::BenchmarkHelper::one_miss_from_jail(&holder);
		let at = job.deadline;
		frame_system::Pallet::<T>::set_block_number(at);

		#[block]
		{
			JobsPallet::<T>::handle_deadline(id, at);
		}

		let job = JobRecords::<T>::get(id).expect("job exists");
		assert_eq!(job.tried.len(), 2, "the job went to a second miner");
	}

	/// One queued job assigned by the sweep: the model check and the attempt, each a
	/// selection over a full miner index. `on_initialize` pays this for each model it checks
	/// and each job it tries.
	#[benchmark]
	fn assign_queued() {
		let id = submit::<T>(&client::<T>(0), T::MaxPromptChars::get());
		miners::<T>(T::BenchmarkHelper::max_miners_per_model());
		let mut meter = WeightMeter::new();

		#[block]
		{
			JobsPallet::<T>::assign_queued(&mut meter);
		}

		assert!(matches!(
			JobRecords::<T>::get(id).map(|j| j.state),
			Some(JobState::Assigned { .. })
		));
	}

	/// One finished job pruned (the longest prompt and output), its deposit released.
	#[benchmark]
	fn prune_job() {
		let (operator, public) = miners::<T>(1);
		let id = submit::<T>(&client::<T>(0), T::MaxPromptChars::get());
		let result = signed_result::<T>(&public, id, T::MaxOutputLen::get());
		JobsPallet::<T>::do_submit_result(&operator, result).expect("the result is valid");
		let at: BlockNumberFor<T> =
			frame_system::Pallet::<T>::block_number() + T::Params::get().retention_period;
		frame_system::Pallet::<T>::set_block_number(at);

		#[block]
		{
			JobsPallet::<T>::prune(id);
		}

		assert!(JobRecords::<T>::get(id).is_none());
	}

	impl_benchmark_test_suite!(
		JobsPallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
