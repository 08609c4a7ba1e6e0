//! Scenario tests of `pallet_aitbc_jobs` against the whole marketplace.

use crate::{
	mock::*, Error, Event, FailureReason, JobKind, JobRecords, JobResult, JobState, JobsByClient,
	MissedDeadline, NewestFirst, OpenJobs,
};
use aitbc_primitives::{verify_receipt, Usage};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use pallet_aitbc_miners::{MinerRecords, MinerStatus};
use pallet_aitbc_receipts::{ReceiptOfJob, ReceiptRecords};
use sp_core::Pair;

fn state(job_id: u64) -> crate::JobStateOf<Test> {
	JobRecords::<Test>::get(job_id).unwrap().state
}

fn escrowed(c: u8) -> Balance {
	Balances::balance_on_hold(&pallet_aitbc_escrow::HoldReason::JobBudget.into(), &client(c))
}

fn submit_result(
	n: u8,
	job_id: u64,
	output: &[u8],
	tokens: u32,
	price: Balance,
) -> frame_support::dispatch::DispatchResult {
	let usage = usage(tokens);
	Jobs::submit_result(
		RuntimeOrigin::signed(operator(n)),
		job_id,
		output.to_vec().try_into().unwrap(),
		usage,
		sign(n, job_id, output, usage, price),
	)
}

fn ack(n: u8, ids: &[u64]) -> frame_support::dispatch::DispatchResult {
	Jobs::acknowledge(RuntimeOrigin::signed(operator(n)), ids.to_vec().try_into().unwrap())
}

#[test]
fn happy_path_pays_miner_fee_and_refund_and_writes_a_verifiable_receipt() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "llama3.2:latest", 3, 2);
		let job = submit(1, "llama3.2:latest", 100, 1_000);
		assert_eq!(escrowed(1), 1_000);
		assert_eq!(
			job_events(),
			vec![
				Event::JobSubmitted {
					job_id: job,
					client: client(1),
					model: b"llama3.2:latest".to_vec().try_into().unwrap(),
					max_price: 1_000,
					expires_at: 451,
					deposit: deposit(),
				},
				Event::JobAssigned {
					job_id: job,
					operator: operator(1),
					attempt: 1,
					ack_deadline: 5
				},
			]
		);
		assert_ok!(ack(1, &[job]));
		// after the ack block: 5 blocks minimum + 100 tokens at 10/s = 10 s = 5 blocks, then
		// the check at the start of the next block
		assert_eq!(
			job_events(),
			vec![Event::JobAcknowledged {
				job_id: job,
				operator: operator(1),
				result_deadline: 12
			}]
		);
		// 80 tokens at 3 = 240; fee 10% = 24
		assert_ok!(submit_result(1, job, b"Machine learning is...", 80, 240));
		assert_eq!(state(job), JobState::Completed { receipt_id: 0 });
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT - 240);
		assert_eq!(Balances::free_balance(owner(1)), ENDOWMENT - STAKE + 216);
		assert_eq!(Balances::free_balance(treasury()), 1 + 24);
		assert_eq!(escrowed(1), 0);
		let receipt = ReceiptRecords::<Test>::get(0).unwrap();
		assert_eq!(
			(receipt.units, receipt.price, receipt.fee, receipt.unit_price),
			(80, 240, 24, 3)
		);
		assert!(verify_receipt(
			&receipt.payload(genesis()),
			&receipt.signature,
			&operator_pair(1).public().0
		));
		assert_eq!(
			job_events(),
			vec![Event::JobCompleted {
				job_id: job,
				operator: operator(1),
				receipt_id: 0,
				price: 240,
				fee: 24,
				refunded: 760
			}]
		);
		assert_eq!(OpenJobs::<Test>::get(client(1)), 0);
		assert_eq!(MinerRecords::<Test>::get(operator(1)).unwrap().in_flight, 0);
	});
}

#[test]
fn the_price_is_capped_at_the_max_price() {
	ExtBuilder::default().build_and_execute(|| {
		// GPU seconds at 30: the selection's worst case is 100 tokens / 10 per s = 10 s = 300.
		register_with(1, offer("m", aitbc_primitives::UnitType::GpuSecond, 30, 2), STAKE);
		let job = submit(1, "m", 100, 300);
		run_to_block(4);
		assert_ok!(ack(1, &[job]));
		run_to_block(12);
		// 20 s of GPU time (held 11 blocks = 22 s) would be 600: capped at 300.
		let used = Usage { prompt_tokens: 6, output_tokens: 100, compute_ms: 20_000 };
		assert_ok!(Jobs::submit_result(
			RuntimeOrigin::signed(operator(1)),
			job,
			b"long".to_vec().try_into().unwrap(),
			used,
			sign(1, job, b"long", used, 300),
		));
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT - 300);
	});
}

#[test]
fn a_result_without_ack_is_accepted() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 2);
		let job = submit(1, "m", 10, 100);
		assert_ok!(submit_result(1, job, b"ok", 10, 10));
		assert!(matches!(state(job), JobState::Completed { .. }));
	});
}

#[test]
fn no_miner_queues_then_fails_at_queue_timeout_with_full_refund() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit(1, "m", 10, 100);
		assert_eq!(queued(), vec![job]);
		assert!(job_events().contains(&Event::JobQueued { job_id: job, timeout_at: 31 }));
		run_to_block(30);
		assert_eq!(state(job), JobState::Queued);
		run_to_block(31);
		assert_eq!(state(job), JobState::Failed { reason: FailureReason::NoMinerAvailable });
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT);
		assert!(queued().is_empty());
		assert!(job_events().contains(&Event::JobFailed {
			job_id: job,
			reason: FailureReason::NoMinerAvailable,
			refunded: 100
		}));
	});
}

#[test]
fn a_queued_job_is_assigned_when_a_miner_registers() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit(1, "m", 10, 100);
		run_to_block(5);
		register_miner(1, "m", 1, 1);
		run_to_block(6);
		assert_eq!(state(job), JobState::Assigned { operator: operator(1) });
		assert!(queued().is_empty());
	});
}

#[test]
fn a_queued_job_is_assigned_when_a_miner_frees_up() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let first = submit(1, "m", 10, 100);
		let second = submit(2, "m", 10, 100);
		assert_eq!(state(second), JobState::Queued);
		assert_ok!(submit_result(1, first, b"done", 10, 10));
		run_to_block(2);
		assert_eq!(state(second), JobState::Assigned { operator: operator(1) });
	});
}

#[test]
fn a_job_whose_budget_no_miner_accepts_waits_and_fails() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 10, 1);
		// 100 tokens at 10 = 1,000 > 999: over budget, never assigned.
		let job = submit(1, "m", 100, 999);
		assert_eq!(state(job), JobState::Queued);
		run_to_block(31);
		assert_eq!(state(job), JobState::Failed { reason: FailureReason::NoMinerAvailable });
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT);
	});
}

#[test]
fn a_silent_miner_is_slashed_and_the_job_reassigned() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		register_miner(2, "m", 2, 1);
		job_events();
		run_to_block(5);
		assert_eq!(
			job_events(),
			vec![
				Event::MinerMissedDeadline {
					job_id: job,
					operator: operator(1),
					missed: MissedDeadline::Ack
				},
				Event::JobAssigned {
					job_id: job,
					operator: operator(2),
					attempt: 2,
					ack_deadline: 9
				},
			]
		);
		let silent = MinerRecords::<Test>::get(operator(1)).unwrap();
		assert_eq!((silent.stake, silent.in_flight), (STAKE - 200, 0));
		assert_eq!(Balances::free_balance(treasury()), 1 + 200);
		assert_ok!(ack(2, &[job]));
		assert_ok!(submit_result(2, job, b"ok", 10, 20));
		assert!(matches!(state(job), JobState::Completed { .. }));
	});
}

#[test]
fn a_miner_dying_mid_job_costs_time_not_the_result() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		register_miner(2, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		let first = state(job).operator().cloned().unwrap();
		let (first_n, second_n) = if first == operator(1) { (1, 2) } else { (2, 1) };
		assert_ok!(ack(first_n, &[job]));
		// result deadline: 1 + 5 + ceil(1 s / 2 s) + 1 = 8
		run_to_block(8);
		assert!(job_events().contains(&Event::MinerMissedDeadline {
			job_id: job,
			operator: first,
			missed: MissedDeadline::Result
		}));
		assert_eq!(state(job), JobState::Assigned { operator: operator(second_n) });
		assert_ok!(submit_result(second_n, job, b"ok", 10, 10));
		assert!(matches!(state(job), JobState::Completed { .. }));
	});
}

#[test]
fn attempts_run_out_with_a_full_refund() {
	ExtBuilder::default().build_and_execute(|| {
		for n in 1..=3 {
			register_miner(n, "m", 1, 1);
		}
		let job = submit(1, "m", 10, 100);
		run_to_block(5);
		run_to_block(9);
		run_to_block(13);
		assert_eq!(state(job), JobState::Failed { reason: FailureReason::AttemptsExhausted });
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT);
	});
}

#[test]
fn repeated_misses_jail_the_miner() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		for round in 0..3u64 {
			let job = submit(1, "m", 10, 100);
			run_to_block(System::block_number() + 4);
			assert!(
				JobRecords::<Test>::get(job).unwrap().state.operator().is_none(),
				"round {round}"
			);
			// back in the queue (no other miner): the client may cancel it
			assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(client(1)), job));
		}
		assert_eq!(MinerRecords::<Test>::get(operator(1)).unwrap().status, MinerStatus::Jailed);
	});
}

#[test]
fn ttl_bounds_every_deadline_and_expires_the_job() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		// 1,000 tokens: result window 5 + 100 s / 2 s = 55, full window 3 + 55 + 1 = 59.
		let submit_ttl = |ttl| {
			Jobs::submit_job(
				RuntimeOrigin::signed(client(1)),
				JobKind::TextInference,
				b"m".to_vec().try_into().unwrap(),
				b"hi".to_vec().try_into().unwrap(),
				params(1_000),
				10_000,
				Some(ttl),
				None,
			)
		};
		assert_noop!(submit_ttl(58), Error::<Test>::TtlTooShort);
		assert_ok!(submit_ttl(59));
		run_to_block(4);
		assert_ok!(ack(1, &[0]));
		// acknowledged in the last ack block: the result deadline is exactly the TTL, block 60
		assert_eq!(JobRecords::<Test>::get(0).unwrap().deadline, 60);
		run_to_block(60);
		assert_eq!(state(0), JobState::Expired);
		assert!(job_events().contains(&Event::JobExpired { job_id: 0, refunded: 10_000 }));
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT);
	});
}

#[test]
fn report_failure_refunds_in_full_and_pays_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		assert_ok!(ack(1, &[job]));
		let reason: BoundedVec<u8, _> = b"backend returned 500".to_vec().try_into().unwrap();
		assert_ok!(Jobs::report_failure(RuntimeOrigin::signed(operator(1)), job, reason.clone()));
		let reason = FailureReason::MinerReported(reason);
		assert_eq!(state(job), JobState::Failed { reason: reason.clone() });
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT);
		assert_eq!(Balances::free_balance(owner(1)), ENDOWMENT - STAKE);
		assert!(job_events().contains(&Event::JobFailed { job_id: job, reason, refunded: 100 }));
	});
}

#[test]
fn cancel_refunds_while_queued_and_is_refused_once_held() {
	ExtBuilder::default().build_and_execute(|| {
		let job_in_queue = submit(1, "m", 10, 100);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(client(1)), job_in_queue));
		assert_eq!(state(job_in_queue), JobState::Cancelled);
		assert!(queued().is_empty());
		assert!(job_events().contains(&Event::JobCancelled { job_id: job_in_queue, refunded: 100 }));
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT);
		assert_noop!(submit_result(1, job_in_queue, b"late", 10, 10), Error::<Test>::JobFinished);
		// Once a miner holds the job (issue 11: no free results) the cancel is refused.
		register_miner(1, "m", 1, 1);
		let running = submit(1, "m", 10, 100);
		assert_ok!(ack(1, &[running]));
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(client(1)), running),
			Error::<Test>::JobHeld
		);
		assert_ok!(submit_result(1, running, b"done", 10, 10));
	});
}

#[test]
fn bad_submissions_are_refused_with_their_error() {
	ExtBuilder::default().build_and_execute(|| {
		let submit_with =
			|prompt: Vec<u8>, model: &[u8], tokens: u32, price: Balance, ttl: Option<u64>| {
				Jobs::submit_job(
					RuntimeOrigin::signed(client(1)),
					JobKind::TextInference,
					model.to_vec().try_into().unwrap(),
					prompt.try_into().unwrap(),
					params(tokens),
					price,
					ttl,
					None,
				)
			};
		let ok = b"hello".to_vec();
		assert_noop!(submit_with(vec![], b"m", 10, 100, None), Error::<Test>::EmptyPrompt);
		assert_noop!(
			submit_with(vec![b'a'; 4_001], b"m", 10, 100, None),
			Error::<Test>::PromptTooLong
		);
		// 4000 characters of 4 bytes each are fine; 4001 are not.
		assert_ok!(submit_with("🦀".repeat(4_000).into_bytes(), b"m", 10, 100, None));
		// 4001 characters in fewer than MaxPromptLen bytes are still too many.
		assert_noop!(
			submit_with(format!("{}ab", "🦀".repeat(3_999)).into_bytes(), b"m", 10, 100, None),
			Error::<Test>::PromptTooLong
		);
		assert_noop!(
			submit_with(vec![0xff, 0xfe], b"m", 10, 100, None),
			Error::<Test>::PromptNotUtf8
		);
		assert_noop!(submit_with(ok.clone(), b"", 10, 100, None), Error::<Test>::InvalidModel);
		assert_noop!(submit_with(ok.clone(), b"m", 0, 100, None), Error::<Test>::InvalidMaxTokens);
		assert_noop!(
			submit_with(ok.clone(), b"m", 4_097, 100, None),
			Error::<Test>::InvalidMaxTokens
		);
		assert_noop!(submit_with(ok.clone(), b"m", 10, 0, None), Error::<Test>::ZeroMaxPrice);
		assert_noop!(submit_with(ok.clone(), b"m", 10, 100, Some(0)), Error::<Test>::ZeroTtl);
		assert_noop!(
			submit_with(ok.clone(), b"m", 10, 100, Some(1_801)),
			Error::<Test>::TtlTooLong
		);
		assert_noop!(
			submit_with(ok.clone(), b"m", 10, ENDOWMENT, None),
			pallet_aitbc_escrow::Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn a_client_has_a_limited_number_of_open_jobs() {
	ExtBuilder::default().build_and_execute(|| {
		for _ in 0..4 {
			submit(1, "m", 10, 10);
		}
		assert_noop!(
			Jobs::submit_job(
				RuntimeOrigin::signed(client(1)),
				JobKind::TextInference,
				b"m".to_vec().try_into().unwrap(),
				b"one more".to_vec().try_into().unwrap(),
				params(10),
				10,
				None,
				None
			),
			Error::<Test>::TooManyOpenJobs
		);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(client(1)), 0));
		submit(1, "m", 10, 10);
	});
}

#[test]
fn wrong_callers_and_unknown_jobs_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		register_miner(2, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		let holder = if state(job).operator() == Some(&operator(1)) { 1 } else { 2 };
		let other = 3 - holder;
		assert_noop!(ack(other, &[job]), Error::<Test>::NotAssignedToYou);
		assert_noop!(submit_result(other, job, b"x", 10, 10), Error::<Test>::NotAssignedToYou);
		assert_noop!(
			Jobs::report_failure(RuntimeOrigin::signed(operator(other)), job, Default::default()),
			Error::<Test>::NotAssignedToYou
		);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(client(2)), job),
			Error::<Test>::NotYourJob
		);
		assert_noop!(ack(holder, &[77]), Error::<Test>::UnknownJob);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(client(1)), 77),
			Error::<Test>::UnknownJob
		);
		assert_ok!(ack(holder, &[job]));
		assert_noop!(ack(holder, &[job]), Error::<Test>::NotAwaitingAck);
		assert_eq!(state(job), JobState::Running { operator: operator(holder) });
	});
}

#[test]
fn a_bad_signature_or_a_duplicate_result_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		// Signed for another price than the chain computes (10 tokens × 1).
		assert_noop!(submit_result(1, job, b"ok", 10, 11), Error::<Test>::InvalidSignature);
		let usage = usage(10);
		assert_noop!(
			Jobs::submit_result(
				RuntimeOrigin::signed(operator(1)),
				job,
				b"ok".to_vec().try_into().unwrap(),
				usage,
				sign(2, job, b"ok", usage, 10),
			),
			Error::<Test>::InvalidSignature
		);
		assert_noop!(
			Jobs::submit_result(
				RuntimeOrigin::signed(operator(1)),
				job,
				vec![0xff].try_into().unwrap(),
				usage,
				sign(1, job, &[0xff], usage, 10),
			),
			Error::<Test>::OutputNotUtf8
		);
		assert_ok!(submit_result(1, job, b"ok", 10, 10));
		assert_noop!(submit_result(1, job, b"ok", 10, 10), Error::<Test>::JobFinished);
	});
}

#[test]
fn operators_batch_acks_and_results() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 4);
		let jobs: Vec<u64> = (1..=3).map(|c| submit(c, "m", 10, 100)).collect();
		assert_noop!(ack(1, &[jobs[0], jobs[0]]), Error::<Test>::DuplicateInBatch);
		assert_ok!(ack(1, &jobs));
		let results: Vec<_> = jobs
			.iter()
			.map(|&job_id| {
				let usage = usage(5);
				JobResult {
					job_id,
					output: b"batched".to_vec().try_into().unwrap(),
					usage,
					signature: sign(1, job_id, b"batched", usage, 5),
				}
			})
			.collect();
		assert_ok!(Jobs::submit_results(
			RuntimeOrigin::signed(operator(1)),
			results.try_into().unwrap()
		));
		for job in jobs {
			assert!(matches!(state(job), JobState::Completed { .. }));
		}
	});
}

#[test]
fn a_failing_batch_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 4);
		let job = submit(1, "m", 10, 100);
		assert_noop!(ack(1, &[job, 99]), Error::<Test>::UnknownJob);
		assert_eq!(state(job), JobState::Assigned { operator: operator(1) });
	});
}

#[test]
fn finished_jobs_are_pruned_after_retention_leaving_the_receipt() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		assert_ok!(submit_result(1, job, b"the answer", 10, 10));
		run_to_block(51);
		assert!(JobRecords::<Test>::get(job).is_some());
		run_to_block(52);
		assert!(JobRecords::<Test>::get(job).is_none());
		assert!(JobsByClient::<Test>::get(client(1), NewestFirst(job)).is_none());
		assert!(job_events().contains(&Event::JobPruned { job_id: job }));
		let receipt_id = ReceiptOfJob::<Test>::get(job).unwrap();
		let receipt = ReceiptRecords::<Test>::get(receipt_id).unwrap();
		// What a finished job leaves in state: the receipt and its job index.
		let receipt_bytes = receipt.encode().len();
		let index_bytes = receipt_id.encode().len();
		let keys = 2 * (32 + 8 + 8); // pallet+item prefix, twox64 hash, key
		println!(
			"state left by a finished job: receipt {receipt_bytes} B + index {index_bytes} B + keys {keys} B = {} B",
			receipt_bytes + index_bytes + keys
		);
		assert!(receipt_bytes + index_bytes + keys < 512);
	});
}

#[test]
fn any_number_of_deadlines_fit_in_a_block_and_none_moves_earlier() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 8);
		let jobs: Vec<u64> = (1..=5).map(|c| submit(c, "m", 10, 100)).collect();
		let deadlines: Vec<u64> =
			jobs.iter().map(|j| JobRecords::<Test>::get(j).unwrap().deadline).collect();
		assert_eq!(deadlines, vec![5; 5]);
	});
}

#[test]
fn usage_is_recorded_with_the_output() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		assert_ok!(submit_result(1, job, b"out", 7, 7));
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!(record.output.into_inner(), b"out".to_vec());
		assert_eq!(
			record.usage,
			Some(Usage { prompt_tokens: 6, output_tokens: 7, compute_ms: 900 })
		);
		assert_eq!(record.ended_at, Some(1));
	});
}
