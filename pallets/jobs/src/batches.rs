//! Batched calls: `submit_jobs` (one client, many jobs) and `submit_results` (one operator,
//! many results), their all-or-nothing rule and the weight they are charged.

use crate::{
	mock::*, weights::WeightInfo, Config, Error, Event, JobResult, JobState, NextJobId, OpenJobs,
};
use aitbc_traits::MinerRegistry;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, Pays},
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
	BoundedVec,
};

fn batch(
	specs: Vec<crate::JobSpecOf<Test>>,
) -> BoundedVec<crate::JobSpecOf<Test>, <Test as Config>::MaxBatch> {
	specs.try_into().unwrap()
}

fn budget_held(c: u8) -> Balance {
	Balances::balance_on_hold(&pallet_aitbc_escrow::HoldReason::JobBudget.into(), &client(c))
}

#[test]
fn submit_jobs_submits_each_job_as_submit_job_would() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 8);
		let first = NextJobId::<Test>::get();
		let specs = vec![spec("m", 10, 100), spec("m", 20, 200), spec("nobody", 10, 50)];
		assert_ok!(Jobs::submit_jobs(RuntimeOrigin::signed(client(1)), batch(specs)));
		let states: Vec<_> = (first..first + 3)
			.map(|id| crate::JobRecords::<Test>::get(id).unwrap().state)
			.collect();
		assert_eq!(
			states,
			vec![
				JobState::Assigned { operator: operator(1) },
				JobState::Assigned { operator: operator(1) },
				JobState::Queued,
			]
		);
		assert_eq!(OpenJobs::<Test>::get(client(1)), 3);
		assert_eq!(budget_held(1), 350);
		let submitted = job_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::JobSubmitted { job_id, max_price, .. } => Some((job_id, max_price)),
				_ => None,
			})
			.collect::<Vec<_>>();
		assert_eq!(submitted, vec![(first, 100), (first + 1, 200), (first + 2, 50)]);
	});
}

#[test]
fn submit_jobs_is_all_or_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 8);
		let free = Balances::balance(&client(1));
		// The second job asks for no tokens: the whole batch fails, the first leaves no trace.
		assert_noop!(
			Jobs::submit_jobs(
				RuntimeOrigin::signed(client(1)),
				batch(vec![spec("m", 10, 100), spec("m", 0, 100)])
			),
			Error::<Test>::InvalidMaxTokens
		);
		// Past the open-job cap (4): refused as a whole.
		assert_noop!(
			Jobs::submit_jobs(RuntimeOrigin::signed(client(1)), batch(vec![spec("m", 10, 100); 5])),
			Error::<Test>::TooManyOpenJobs
		);
		assert_eq!(Balances::balance(&client(1)), free);
		assert_eq!(budget_held(1), 0);
	});
}

/// Charged for full miner indexes before it runs; refunded to the indexes selection looked
/// at, job by job.
#[test]
fn submissions_are_refunded_down_to_the_miner_index_they_scanned() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 8);
		let full = <Test as Config>::Miners::max_candidates();
		assert!(full > 1, "the mock's index must allow more than one miner");
		let weights = <() as WeightInfo>::submit_job;
		let scan = |m: u32| weights(0, m).saturating_sub(weights(0, 1));
		assert!(scan(full).ref_time() > 0, "each miner scanned costs something");

		let specs = || batch(vec![spec("m", 10, 100), spec("m", 10, 100), spec("x", 10, 100)]);
		let charged = crate::Call::<Test>::submit_jobs { jobs: specs() }.get_dispatch_info();
		let db: frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as Get<_>>::get();
		// Three jobs, each scanning a full index and going to another miner (its record and
		// its held-jobs list written).
		let worst = <() as WeightInfo>::submit_jobs(3)
			.saturating_add(scan(full).saturating_mul(3))
			.saturating_add(db.writes(4));
		assert_eq!(charged.call_weight, worst);
		let post = Jobs::submit_jobs(RuntimeOrigin::signed(client(1)), specs()).unwrap();
		// Indexes of one miner ("m") and none ("x"): no scan beyond one, one miner record.
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::submit_jobs(3)));
		assert_eq!(post.pays_fee, Pays::Yes);

		let post = Jobs::submit_job(
			RuntimeOrigin::signed(client(2)),
			crate::JobKind::TextInference,
			b"m".to_vec().try_into().unwrap(),
			PROMPT.to_vec().try_into().unwrap(),
			params(10),
			100,
			None,
			None,
		)
		.unwrap();
		assert_eq!(post.actual_weight, Some(weights(PROMPT.len() as u32, 1)));
	});
}

/// A batch of results is charged per result and per output byte, not as if every output had
/// the largest length.
#[test]
fn results_are_charged_for_the_bytes_they_carry() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 8);
		let jobs: Vec<u64> = (1..=2).map(|c| submit(c, "m", 10, 100)).collect();
		let result = |job_id: u64, output: &[u8]| {
			let usage = usage(7);
			JobResult {
				job_id,
				output: output.to_vec().try_into().unwrap(),
				usage,
				signature: sign(1, job_id, output, usage, 7),
			}
		};
		let results = vec![result(jobs[0], b"short"), result(jobs[1], b"a little longer")];
		let weight = Jobs::results_weight(&results);
		let w = <() as WeightInfo>::submit_result;
		assert_eq!(
			weight,
			<() as WeightInfo>::submit_results(2).saturating_add(w(20).saturating_sub(w(0)))
		);
		let call =
			crate::Call::<Test>::submit_results { results: results.clone().try_into().unwrap() };
		assert_eq!(call.get_dispatch_info().call_weight, weight);
		assert_ok!(Jobs::submit_results(
			RuntimeOrigin::signed(operator(1)),
			results.try_into().unwrap()
		));
		assert!(jobs.iter().all(|id| matches!(
			crate::JobRecords::<Test>::get(id).unwrap().state,
			JobState::Completed { .. }
		)));
	});
}
