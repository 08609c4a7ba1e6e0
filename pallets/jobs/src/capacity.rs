//! Attacks on the chain's capacity, one test each, named after the attack (issue 13): the
//! attacker tries to deny honest clients and miners service cheaply, and the rule in
//! `docs/design.md` ("Capacity under attack") stops it. Also: the storage deposit, the metered
//! hooks at the worst case, and the state a job leaves behind.
//!
//! Mock numbers: MaxQueued 8, MaxMinersPerModel 8, 4 open jobs per client, queue timeout 30,
//! ack timeout 3 (a job assigned in block 1 has its ack deadline at 5), heartbeat timeout 100,
//! retention 50, receipt retention 200, deposit 10 + 1 per byte of prompt and largest output.

use crate::{
	adversarial::deliver, mock::*, Deadlines, Error, HeldJobs, HoldReason, JobRecords, JobState,
	Pallet as JobsPallet,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		Get, Hooks,
	},
	weights::Weight,
};
use pallet_aitbc_miners::{Error as MinersError, MinerRecords, MinerStatus, MinersByModel};
use pallet_aitbc_receipts::ReceiptRecords;

/// A fresh funded account `n` (beyond the mock's five clients).
fn funded(n: u8) -> AccountId {
	let who = AccountId::new([200u8.wrapping_add(n); 32]);
	Balances::set_balance(&who, ENDOWMENT);
	who
}

fn held_deposit(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::JobStorage.into(), who)
}

/// Item 1, head-of-line blocking: jobs for a model nobody serves fill the front of the queue;
/// an honest job behind them is still assigned in the first block a miner is free.
#[test]
fn unassignable_jobs_at_the_head_of_the_queue_do_not_block_the_jobs_behind() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let busy = submit(1, "m", 10, 100);
		// Seven jobs for a model nobody serves, older than the honest one.
		let ghosts: Vec<u64> =
			[2, 2, 2, 2, 3, 3, 3].iter().map(|c| submit(*c, "ghost", 10, 2)).collect();
		let honest = submit(4, "m", 10, 100);
		assert_eq!(queued().len(), 8, "the queue is full, the honest job last");
		// The queue still refuses new jobs when full, but every queued ghost job holds its
		// storage deposit until it is pruned: refilling the queue costs the attacker a deposit
		// per job for the whole retention period.
		assert_noop!(submit_as(&client(5), "ghost", 10, 2, None), Error::<Test>::QueueFull);
		// Even with room for only a few queue entries per block, the sweep skips the ghost
		// jobs (one read each) and reaches the honest one.
		HookWeight::set(<() as crate::WeightInfo>::assign_queued().saturating_mul(4));
		assert_ok!(deliver(1, busy, usage(10)));
		run_to_block(2);
		assert_eq!(
			JobRecords::<Test>::get(honest).unwrap().state,
			JobState::Assigned { operator: operator(1) }
		);
		HookWeight::set(Weight::from_parts(2_000_000_000_000, u64::MAX));
		run_to_block(31);
		for ghost in &ghosts {
			assert_eq!(
				JobRecords::<Test>::get(ghost).unwrap().state,
				JobState::Failed { reason: crate::FailureReason::NoMinerAvailable },
				"the ghost jobs timed out"
			);
		}
		assert_eq!(held_deposit(&client(2)), 4 * deposit());
		run_to_block(82);
		assert_eq!(held_deposit(&client(2)), 0, "released at pruning");
	});
}

/// Item 1, with a model that is served: jobs priced below every miner cost one attempt per
/// block for the first of them, one read for the rest, and the honest job behind them is
/// assigned in the first block its miner is free.
#[test]
fn underpriced_jobs_for_a_served_model_do_not_block_the_jobs_behind() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let busy = submit(1, "m", 10, 100);
		// min_fee 2 is below the miner's worst-case price of 10
		let cheap: Vec<u64> =
			[2, 2, 2, 2, 3, 3, 3].iter().map(|c| submit(*c, "m", 10, 2)).collect();
		let honest = submit(4, "m", 10, 100);
		HookWeight::set(<() as crate::WeightInfo>::assign_queued().saturating_mul(6));
		assert_ok!(deliver(1, busy, usage(10)));
		run_to_block(2);
		assert_eq!(
			JobRecords::<Test>::get(honest).unwrap().state,
			JobState::Assigned { operator: operator(1) }
		);
		assert!(cheap
			.iter()
			.all(|id| JobRecords::<Test>::get(id).unwrap().state == JobState::Queued));
	});
}

/// Item 2, index squatting: miners that went offline, are jailed, or stopped sending
/// heartbeats do not keep a newcomer out of a full model index.
#[test]
fn inactive_miners_do_not_lock_newcomers_out_of_a_model() {
	ExtBuilder::default().build_and_execute(|| {
		for n in 6..=10 {
			Balances::set_balance(&owner(n), ENDOWMENT);
		}
		let register = |n: u8| {
			Miners::register(
				RuntimeOrigin::signed(owner(n)),
				operator(n),
				offer("m", aitbc_primitives::UnitType::OutputToken, 1, 1),
				STAKE,
				operator_proof(n, &owner(n)),
			)
		};
		for n in 1..=8 {
			assert_ok!(register(n));
		}
		assert_noop!(register(9), MinersError::<Test>::ModelIndexFull);
		// Offline miners leave the index and come back when they go online (if there is room).
		for n in 1..=8 {
			assert_ok!(Miners::go_offline(RuntimeOrigin::signed(operator(n))));
		}
		assert!(MinersByModel::<Test>::get(model("m")).is_empty());
		assert_ok!(register(9));
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(operator(1))));
		assert_eq!(MinersByModel::<Test>::get(model("m")).len(), 2);
		for n in 2..=7 {
			assert_ok!(Miners::go_online(RuntimeOrigin::signed(operator(n))));
		}
		// Full again, with miners that all heartbeat: a newcomer waits.
		assert_noop!(register(10), MinersError::<Test>::ModelIndexFull);
		// Miners that stop sending heartbeats are evicted when the slot is needed.
		System::set_block_number(1 + 101);
		assert_ok!(Miners::heartbeat(RuntimeOrigin::signed(operator(9))));
		assert_ok!(register(10));
		let index = MinersByModel::<Test>::get(model("m"));
		assert!(index.contains(&operator(10)) && index.contains(&operator(9)));
		let evicted: Vec<u8> = (1..=7)
			.filter(|n| {
				MinerRecords::<Test>::get(operator(*n)).unwrap().status == MinerStatus::Offline
			})
			.collect();
		assert_eq!(evicted.len(), 1, "one stale miner made room");
		// The evicted miner's daemon brings it back with `go_online` (a stale one is evicted
		// for it).
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(operator(evicted[0]))));
		assert!(MinersByModel::<Test>::get(model("m")).contains(&operator(evicted[0])));
	});
}

/// Item 2: filling a model's index with working miners priced above every job buys nothing:
/// a strictly cheaper newcomer takes the place of the most expensive one.
#[test]
fn overpriced_squatters_give_way_to_a_cheaper_miner() {
	ExtBuilder::default().build_and_execute(|| {
		for n in 1..=9 {
			Balances::set_balance(&owner(n), ENDOWMENT);
		}
		for n in 1..=8 {
			register_miner(n, "m", 1_000 + n as Balance, 1);
		}
		register_miner(9, "m", 1, 1);
		let index = MinersByModel::<Test>::get(model("m"));
		assert!(index.contains(&operator(9)) && !index.contains(&operator(8)));
		assert_eq!(MinerRecords::<Test>::get(operator(8)).unwrap().status, MinerStatus::Offline);
		// Not strictly cheaper than the dearest left: refused.
		Balances::set_balance(&owner(10), ENDOWMENT);
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(owner(10)),
				operator(10),
				offer("m", aitbc_primitives::UnitType::OutputToken, 1_007, 1),
				STAKE,
				operator_proof(10, &owner(10)),
			),
			MinersError::<Test>::ModelIndexFull
		);
		// The honest miner gets the jobs.
		let job = submit(1, "m", 10, 100);
		assert_eq!(
			JobRecords::<Test>::get(job).unwrap().state,
			JobState::Assigned { operator: operator(9) }
		);
	});
}

/// Item 3 (with carried-over deadlines): once a held job's deadline has passed, its miner can
/// no longer acknowledge, deliver or give up it, even before the hook gets to it.
#[test]
fn a_passed_deadline_closes_the_job_to_its_miner_before_the_hook_runs() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 2);
		let late = submit(1, "m", 10, 100);
		// Block 5 without its hook: the ack deadline (5) passed but was not handled yet.
		System::set_block_number(5);
		assert_noop!(
			Jobs::acknowledge(RuntimeOrigin::signed(operator(1)), vec![late].try_into().unwrap()),
			Error::<Test>::DeadlinePassed
		);
		assert_noop!(deliver(1, late, usage(10)), Error::<Test>::DeadlinePassed);
		assert_noop!(
			Jobs::report_failure(
				RuntimeOrigin::signed(operator(1)),
				late,
				b"too late".to_vec().try_into().unwrap()
			),
			Error::<Test>::DeadlinePassed
		);
		run_to_block(6);
		assert!(job_events().iter().any(
			|e| matches!(e, crate::Event::MinerMissedDeadline { job_id, .. } if *job_id == late)
		));
	});
}

/// The pool takes acknowledgements, results and failure reports only from the operator holding
/// every job named, so nobody fills blocks with operational junk; and no submission from a
/// client at its open-job cap (measured by the spam benchmark: such failing submissions filled
/// the blocks).
#[test]
fn only_the_holder_gets_work_in_flight_into_the_pool() {
	use crate::{Call, CheckJobCalls, NOT_HELD, TOO_MANY_OPEN};
	use frame_support::dispatch::GetDispatchInfo;
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionSource},
	};
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 2);
		register_miner(2, "other", 1, 2);
		let job = submit(1, "m", 10, 100);
		let validate = |who: AccountId, call: Call<Test>| {
			let call = RuntimeCall::Jobs(call);
			let info = call.get_dispatch_info();
			CheckJobCalls::<Test>::new()
				.validate_only(
					RuntimeOrigin::signed(who),
					&call,
					&info,
					0,
					TransactionSource::External,
					0,
				)
				.map(|_| ())
		};
		let ack = |ids: Vec<u64>| Call::<Test>::acknowledge { job_ids: ids.try_into().unwrap() };
		let report = |id| Call::<Test>::report_failure { job_id: id, reason: Default::default() };
		assert!(validate(operator(1), ack(vec![job])).is_ok());
		assert!(validate(operator(1), report(job)).is_ok());
		let refused = Err(InvalidTransaction::Custom(NOT_HELD).into());
		assert_eq!(validate(operator(2), ack(vec![job])), refused, "not its job");
		assert_eq!(
			validate(operator(1), ack(vec![job, 99])),
			refused,
			"an unknown job in the batch"
		);
		assert_eq!(validate(client(1), report(job)), refused);
		// Other calls pass untouched.
		assert!(validate(client(1), Call::<Test>::cancel_job { job_id: job }).is_ok());
		// A client at its open-job cap (4) cannot fill blocks with submissions that would
		// fail at dispatch: the pool refuses them.
		let submit_job = || Call::<Test>::submit_job {
			kind: crate::JobKind::TextInference,
			model: b"m".to_vec().try_into().unwrap(),
			prompt: PROMPT.to_vec().try_into().unwrap(),
			params: params(10),
			max_price: 100,
			ttl: None,
			min_reputation: None,
		};
		assert!(validate(client(1), submit_job()).is_ok());
		for _ in 0..3 {
			submit(1, "ghost", 10, 2);
		}
		assert_eq!(
			validate(client(1), submit_job()),
			Err(InvalidTransaction::Custom(TOO_MANY_OPEN).into())
		);
		assert!(validate(client(2), submit_job()).is_ok());
		// A batch is refused when it would take the client past the cap.
		let batch = |n: usize| Call::<Test>::submit_jobs {
			jobs: vec![crate::mock::spec("m", 10, 100); n].try_into().unwrap(),
		};
		assert!(validate(client(2), batch(4)).is_ok());
		assert_eq!(
			validate(client(2), batch(5)),
			Err(InvalidTransaction::Custom(TOO_MANY_OPEN).into())
		);
		assert_eq!(
			validate(client(1), batch(1)),
			Err(InvalidTransaction::Custom(TOO_MANY_OPEN).into())
		);
	});
}

fn model(name: &str) -> pallet_aitbc_miners::ModelIdOf<Test> {
	name.as_bytes().to_vec().try_into().unwrap()
}

/// Item 2: a jailed miner leaves the index until its jail term is over.
#[test]
fn jailed_miners_leave_the_index_until_released() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 4);
		for c in 1..=3 {
			submit(c, "m", 10, 100);
		}
		// three missed acks in block 5: jailed
		run_to_block(5);
		let miner = MinerRecords::<Test>::get(operator(1)).unwrap();
		assert_eq!(miner.status, MinerStatus::Jailed);
		assert!(!MinersByModel::<Test>::get(model("m")).contains(&operator(1)));
		run_to_block(miner.jailed_until);
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(operator(1))));
		assert_eq!(MinerRecords::<Test>::get(operator(1)).unwrap().status, MinerStatus::Active);
		assert!(MinersByModel::<Test>::get(model("m")).contains(&operator(1)));
	});
}

/// Item 3, deadline stuffing: cancelled jobs leave no deadline behind, any number of
/// deadlines share a block, and an acknowledgement always gets its full result window.
#[test]
fn stuffed_deadline_blocks_never_fail_or_shorten_an_acknowledgement() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 8);
		let honest = submit(1, "m", 10, 100);
		// The attacker queues jobs timing out near the honest job's deadlines, and cancels
		// some; cancelled jobs leave nothing in the deadline lists.
		let ghosts: Vec<u64> =
			(2..=5).flat_map(|c| (0..2).map(move |_| submit(c, "ghost", 10, 2))).collect();
		for id in &ghosts[..4] {
			let client = JobRecords::<Test>::get(id).unwrap().client;
			assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(client), *id));
		}
		assert_eq!(Deadlines::<Test>::iter().count(), 1 + 4, "one entry per open job");
		// More jobs than any old per-block bound get their ack deadline in block 5.
		let more: Vec<u64> = (2..=5).map(|c| submit(c, "m", 10, 100)).collect();
		assert_eq!(Deadlines::<Test>::iter_prefix(5).count(), 1 + more.len());
		assert_ok!(Jobs::acknowledge(
			RuntimeOrigin::signed(operator(1)),
			vec![honest].try_into().unwrap()
		));
		// acknowledged in block 1: 5 blocks minimum + 10 tokens at 10/s (1 block), then the
		// check at the start of the next block: exactly the target, never earlier
		assert_eq!(JobRecords::<Test>::get(honest).unwrap().deadline, 1 + 6 + 1);
		assert_eq!(Deadlines::<Test>::iter().filter(|(_, id, _)| *id == honest).count(), 1);
	});
}

/// Item 5: a job holds a storage deposit for its bytes from submission to pruning; the part
/// for output bytes it did not use comes back with the result.
#[test]
fn the_storage_deposit_is_held_for_the_job_life_and_returned_at_pruning() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		let job = submit(1, "m", 10, 100);
		let full = 10 + PROMPT.len() as Balance + 4_096;
		assert_eq!(deposit(), full);
		assert_eq!(held_deposit(&client(1)), full);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().deposit, full);
		assert_ok!(deliver(1, job, usage(10)));
		let kept = 10 + PROMPT.len() as Balance + b"answer".len() as Balance;
		assert_eq!(held_deposit(&client(1)), kept, "unused output bytes released");
		let price = 10;
		assert_eq!(Balances::total_balance(&client(1)), ENDOWMENT - price);
		run_to_block(51);
		assert_eq!(held_deposit(&client(1)), kept);
		run_to_block(52);
		assert!(JobRecords::<Test>::get(job).is_none());
		assert_eq!(held_deposit(&client(1)), 0);
		assert_eq!(Balances::free_balance(client(1)), ENDOWMENT - price);
	});
}

/// Item 5: a client that cannot pay the deposit gets a clear error and loses nothing.
#[test]
fn a_client_without_the_deposit_is_refused_and_loses_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let poor = AccountId::new([77; 32]);
		// enough for the price and the existential deposit, not for the deposit
		Balances::set_balance(&poor, 100 + deposit());
		assert_noop!(submit_as(&poor, "m", 10, 101, None), Error::<Test>::InsufficientDeposit);
		assert_eq!(Balances::free_balance(&poor), 100 + deposit());
	});
}

/// Acceptance item 2: every bound full — a full queue of jobs nobody can take, more due
/// deadlines in one block than a block's hook weight pays for, and as many finished jobs due
/// for pruning. Each block's metered `on_initialize` stays within `HookWeight` and `on_idle`
/// within what it is given, and the work carried over completes in the following blocks.
#[test]
fn metered_hooks_stay_within_the_block_and_carry_the_rest_over() {
	ExtBuilder::default().build_and_execute(|| {
		for n in 1..=8 {
			Balances::set_balance(&owner(n), ENDOWMENT);
			register_miner(n, "m", 1, 8);
		}
		// 40 clients × up to 4 jobs: 64 assigned jobs whose ack deadlines all fall in block
		// 5 (every miner full), then a full queue.
		let clients: Vec<AccountId> = (0..40).map(funded).collect();
		let mut assigned = Vec::new();
		for who in clients.iter().cycle().take(64) {
			assigned.push(submit_as(who, "m", 10, 100, None).unwrap());
		}
		for who in clients.iter().skip(16).take(8) {
			submit_as(who, "ghost", 10, 2, None).unwrap();
		}
		assert_eq!(queued().len(), 8);
		assert_eq!(Deadlines::<Test>::iter_prefix(5).count(), 64);
		let per_deadline = <() as crate::WeightInfo>::handle_deadline();
		let limit = per_deadline.saturating_mul(10);
		HookWeight::set(limit);
		// Block 5: the 64 missed acks; 10 fit a block.
		let mut handled = 0;
		for block in 2..=20u64 {
			System::set_block_number(block);
			let used = JobsPallet::<Test>::on_initialize(block);
			assert!(used.all_lte(limit), "block {block}: {used} > {limit}");
			JobsPallet::<Test>::on_idle(block, Weight::MAX);
			handled = assigned
				.iter()
				.filter(|id| {
					JobRecords::<Test>::get(**id).unwrap().tried.len() > 1
						|| JobRecords::<Test>::get(**id).unwrap().state.is_final()
				})
				.count();
			if block == 5 {
				assert!(handled > 0 && handled <= 10, "only what the meter pays for: {handled}");
			}
			check_invariants();
		}
		assert_eq!(handled, 64, "the carried-over deadlines were all handled");
		// Pruning in busy blocks: with spare weight for 3 jobs a block, the 64 + 8 finished
		// jobs are pruned over the following blocks, never using more than the weight given.
		HookWeight::set(Weight::from_parts(2_000_000_000_000, u64::MAX));
		for id in &assigned {
			let job = JobRecords::<Test>::get(id).unwrap();
			if let Some(op) = job.state.operator() {
				let n = (1..=8).find(|n| operator(*n) == *op).unwrap();
				assert_ok!(deliver(n, *id, usage(10)));
			}
		}
		let spare = <() as crate::WeightInfo>::prune_job().saturating_mul(3).saturating_add(
			<<Test as frame_system::Config>::DbWeight as Get<
				frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads(4),
		);
		let start = System::block_number() + 1;
		for block in start..start + 300 {
			System::set_block_number(block);
			JobsPallet::<Test>::on_initialize(block);
			let used = JobsPallet::<Test>::on_idle(block, spare);
			assert!(used.all_lte(spare), "block {block}: {used} > {spare}");
		}
		assert!(assigned.iter().all(|id| JobRecords::<Test>::get(id).is_none()));
		assert_eq!(HeldJobs::<Test>::iter().count(), 0);
		assert_eq!(JobRecords::<Test>::iter().count(), 0, "the ghost jobs too");
	});
}

/// Acceptance item 4: what a finished job leaves in state, measured over every storage key:
/// during its retention, after it is pruned (its receipt), and after the receipt's retention
/// (nothing).
#[test]
fn state_left_per_finished_job() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, "m", 1, 1);
		run_to_block(2);
		let measure = || -> (usize, usize) {
			let mut key = Vec::new();
			let (mut keys, mut bytes) = (0, 0);
			while let Some(next) = sp_io::storage::next_key(&key) {
				// frame_system's per-block items (events, digest, block hashes) are not the
				// job's.
				if !next.starts_with(&sp_io::hashing::twox_128(b"System")) {
					keys += 1;
					bytes += next.len() + sp_io::storage::get(&next).map_or(0, |v| v.len());
				}
				key = next;
			}
			(keys, bytes)
		};
		let before = measure();
		let job = submit(1, "m", 10, 100);
		assert_ok!(deliver(1, job, usage(10)));
		let retained = measure();
		run_to_block(53);
		assert!(JobRecords::<Test>::get(job).is_none());
		let pruned = measure();
		run_to_block(205);
		assert!(ReceiptRecords::<Test>::iter().next().is_none());
		let after = measure();
		let grown = |(k, b): (usize, usize)| (k as i64 - before.0 as i64, b as i64 - before.1 as i64);
		println!(
			"state per finished job (keys, bytes): retained {:?}, after job pruning {:?}, after receipt retention {:?}",
			grown(retained),
			grown(pruned),
			grown(after)
		);
		// Counters (next ids, cursors) may appear once; nothing per job stays.
		assert!(grown(after).1 <= 200, "state left after retention: {:?}", grown(after));
		assert_ok!(Miners::heartbeat(RuntimeOrigin::signed(operator(1))));
		let second = submit(1, "m", 10, 100);
		assert_ok!(deliver(1, second, usage(10)));
		run_to_block(460);
		assert_eq!(measure(), after, "a second job leaves nothing either");
	});
}
