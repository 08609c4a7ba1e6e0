//! Attacks on the marketplace economics, one test each, named after the attack (issue 11).
//! Each test plays the attacker and asserts that the rule in `docs/design.md` ("Economic
//! security") stops it.
//!
//! Mock numbers: ack_timeout 3, min_result_time 5, 10 tokens/s at 2 s a block (so a 100-token
//! job has a result window of 5 + 5 = 10 blocks and a full window of 3 + 10 + 1 = 14), 10 %
//! protocol fee, min_fee 2, reward 1 per unit capped at 50 % of the fee, 10 % slashes, jail for
//! 20 blocks after 3 misses.

use crate::{mock::*, Error, Event, JobRecords, JobState};
use aitbc_primitives::{output_hash, ReceiptPayload, UnitType, Usage};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use pallet_aitbc_miners::{
	Error as MinersError, Event as MinersEvent, MinerRecords, MinerStatus, Unbondings,
};
use pallet_aitbc_receipts::{Emitted, ReceiptRecords};
use sp_core::Pair;
use sp_runtime::Perbill;

const MODEL: &str = "m";

/// `who` submits a job for [`MODEL`] of `max_tokens` for at most `max_price` with `ttl`.
fn submit_as(
	who: &AccountId,
	max_tokens: u32,
	max_price: Balance,
	ttl: Option<u64>,
) -> Result<u64, sp_runtime::DispatchError> {
	crate::mock::submit_as(who, MODEL, max_tokens, max_price, ttl)
}

/// Operator `n` delivers `usage` for `job_id`, signed over the price the chain computes.
pub(crate) fn deliver(n: u8, job_id: u64, usage: Usage) -> frame_support::dispatch::DispatchResult {
	let job = JobRecords::<Test>::get(job_id).unwrap();
	let terms = job.terms.clone().unwrap();
	let price = Jobs::price_of(terms.unit_type.units(&usage), terms.unit_price, job.max_price);
	Jobs::submit_result(
		RuntimeOrigin::signed(operator(n)),
		job_id,
		b"answer".to_vec().try_into().unwrap(),
		usage,
		sign(n, job_id, b"answer", usage, price),
	)
}

fn ack(n: u8, job_id: u64) -> frame_support::dispatch::DispatchResult {
	Jobs::acknowledge(RuntimeOrigin::signed(operator(n)), vec![job_id].try_into().unwrap())
}

/// Everything `who` holds: free plus every hold.
fn total(who: &AccountId) -> Balance {
	Balances::total_balance(who)
}

fn stake(n: u8) -> Balance {
	MinerRecords::<Test>::get(operator(n)).unwrap().stake
}

fn slashed(n: u8) -> bool {
	System::events().iter().any(|r| {
		matches!(&r.event, RuntimeEvent::Miners(MinersEvent::MinerSlashed { operator: o, .. }) if *o == operator(n))
	})
}

#[test]
fn inflated_usage_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 3, 2);
		let job = submit_as(&client(1), 100, 1_000, None).unwrap();
		// u32::MAX output tokens for a 100-token job: refused, nothing minted or billed.
		let huge = Usage { prompt_tokens: 6, output_tokens: u32::MAX, compute_ms: 1 };
		assert_noop!(deliver(1, job, huge), Error::<Test>::UsageAboveLimit);
		assert_noop!(deliver(1, job, usage(101)), Error::<Test>::UsageAboveLimit);
		assert_ok!(deliver(1, job, usage(100)));
		assert_eq!(ReceiptRecords::<Test>::get(0).unwrap().units, 100);

		// GPU seconds: never more than the time the miner held the job (block timestamps).
		register_with(2, offer(MODEL, UnitType::GpuSecond, 1, 2), STAKE);
		let gpu_job = submit_as(&client(2), 100, 1_000, None).unwrap();
		assert_eq!(JobRecords::<Test>::get(gpu_job).unwrap().state.operator(), Some(&operator(2)));
		let forever = Usage { prompt_tokens: 6, output_tokens: 10, compute_ms: u64::MAX };
		assert_noop!(deliver(2, gpu_job, forever), Error::<Test>::UsageAboveLimit);
		run_to_block(3);
		// held for two blocks = 4,000 ms
		let too_long = Usage { compute_ms: 4_001, ..forever };
		assert_noop!(deliver(2, gpu_job, too_long), Error::<Test>::UsageAboveLimit);
		assert_ok!(deliver(2, gpu_job, Usage { compute_ms: 4_000, ..forever }));
		assert_eq!(ReceiptRecords::<Test>::get(1).unwrap().units, 4);
	});
}

#[test]
fn self_dealing_never_pays() {
	ExtBuilder::default().build_and_execute(|| {
		// The owner of miner 1 sends jobs to its own miner at the lowest price and claims
		// every reward: the group (owner and operator) must end poorer, and the miner's
		// reputation must not rise.
		register_miner(1, MODEL, 1, 2);
		let group = [owner(1), operator(1)];
		let before: Balance = group.iter().map(total).sum();
		let reputation = MinerRecords::<Test>::get(operator(1)).unwrap().reputation.score();
		for round in 0..20u64 {
			let job = submit_as(&owner(1), 50, 50, None).unwrap();
			assert_ok!(deliver(1, job, usage(50)));
			assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(owner(1)), round));
		}
		let after: Balance = group.iter().map(total).sum();
		assert!(after < before, "self-dealing paid: {before} -> {after}");
		// each round: fee 5 to the treasury, reward at most 50 % of it (2)
		assert_eq!(before - after, 20 * (5 - 2));
		assert_eq!(Emitted::<Test>::get(), 20 * 2);
		assert_eq!(
			MinerRecords::<Test>::get(operator(1)).unwrap().reputation.score(),
			reputation,
			"self-dealt completions do not count for reputation"
		);
		// Governance cannot reopen it: a reward share of 100 % of the fee is refused.
		let mut market = default_params();
		market.reward_fee_share = Perbill::one();
		assert_noop!(
			Params::set_parameters(RuntimeOrigin::root(), market),
			pallet_aitbc_params::Error::<Test>::RewardShareNotBelowFee
		);
	});
}

#[test]
fn a_short_ttl_cannot_force_a_slash() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		// A one-block TTL, and a TTL one block short of the 100-token job's full window (14).
		assert_noop!(submit_as(&client(1), 100, 1_000, Some(1)), Error::<Test>::TtlTooShort);
		assert_noop!(submit_as(&client(1), 100, 1_000, Some(13)), Error::<Test>::TtlTooShort);
		let job = submit_as(&client(1), 100, 1_000, Some(14)).unwrap();
		// The miner uses its whole window: ack in the last of its 3 ack blocks, result in the
		// last of its 10 result blocks. It is never slashed and the job completes.
		run_to_block(4);
		assert_ok!(ack(1, job));
		run_to_block(14);
		assert!(matches!(JobRecords::<Test>::get(job).unwrap().state, JobState::Running { .. }));
		assert_ok!(deliver(1, job, usage(10)));
		assert!(!slashed(1));
		assert_eq!(stake(1), STAKE);
	});
}

#[test]
fn the_ack_window_is_ack_timeout_full_blocks() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		let job = submit(1, MODEL, 100, 1_000);
		// assigned in block 1; ack_timeout = 3: blocks 2, 3 and 4 are the miner's.
		run_to_block(4);
		assert_ok!(ack(1, job));
		assert!(!slashed(1));
		// A second job, not acknowledged: the miss is recorded at the start of block 8.
		let late = submit(1, MODEL, 100, 1_000);
		run_to_block(7);
		assert!(!slashed(1));
		run_to_block(8);
		assert!(slashed(1));
		assert!(JobRecords::<Test>::get(late).unwrap().tried.contains(&operator(1)));
	});
}

#[test]
fn a_result_in_the_pool_cannot_be_taken_by_cancelling() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		let job = submit(1, MODEL, 100, 1_000);
		// Assigned: the miner may already be generating (it pipelines ack and result).
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(client(1)), job),
			Error::<Test>::JobHeld
		);
		assert_ok!(ack(1, job));
		// Running: the signed result may sit in the pool, readable by the client.
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(client(1)), job),
			Error::<Test>::JobHeld
		);
		let owner_before = Balances::free_balance(owner(1));
		assert_ok!(deliver(1, job, usage(30)));
		assert_eq!(Balances::free_balance(owner(1)), owner_before + 30 - 3, "the miner is paid");
	});
}

#[test]
fn price_counts_in_selection_and_giving_up_costs_reputation() {
	ExtBuilder::default().build_and_execute(|| {
		// A rich miner at ten times the price against a cheap one with the minimum stake.
		register_with(1, offer(MODEL, UnitType::OutputToken, 10, 4), 10 * MIN_STAKE);
		register_with(2, offer(MODEL, UnitType::OutputToken, 1, 4), MIN_STAKE);
		let job = submit(1, MODEL, 100, 1_000);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().state.operator(), Some(&operator(2)));
		// Giving the job up refunds the client but lowers the miner's reputation.
		let before = MinerRecords::<Test>::get(operator(2)).unwrap().reputation.score();
		assert_ok!(Jobs::report_failure(
			RuntimeOrigin::signed(operator(2)),
			job,
			b"no".to_vec().try_into().unwrap()
		));
		assert!(MinerRecords::<Test>::get(operator(2)).unwrap().reputation.score() < before);
	});
}

#[test]
fn jail_lasts_the_governed_period() {
	ExtBuilder::default().build_and_execute(|| {
		register_with(1, offer(MODEL, UnitType::OutputToken, 1, 4), 10 * MIN_STAKE);
		for _ in 0..3 {
			submit(1, MODEL, 10, 1_000);
		}
		// all three assigned in block 1, none acknowledged: three misses at block 5
		run_to_block(5);
		let miner = MinerRecords::<Test>::get(operator(1)).unwrap();
		assert_eq!((miner.status, miner.jailed_until), (MinerStatus::Jailed, 25));
		assert_ok!(Miners::heartbeat(RuntimeOrigin::signed(operator(1))));
		assert_noop!(
			Miners::go_online(RuntimeOrigin::signed(operator(1))),
			MinersError::<Test>::StillJailed
		);
		assert_eq!(MinerRecords::<Test>::get(operator(1)).unwrap().status, MinerStatus::Jailed);
		// Going offline while jailed does not shorten the term.
		assert_ok!(Miners::go_offline(RuntimeOrigin::signed(operator(1))));
		assert_noop!(
			Miners::go_online(RuntimeOrigin::signed(operator(1))),
			MinersError::<Test>::StillJailed
		);
		run_to_block(25);
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(operator(1))));
		assert_eq!(MinerRecords::<Test>::get(operator(1)).unwrap().status, MinerStatus::Active);
	});
}

#[test]
fn deregistering_does_not_escape_a_miss() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		let job = submit(1, MODEL, 100, 1_000);
		assert_ok!(ack(1, job));
		// The owner leaves while its miner holds a running job it will not deliver.
		assert_ok!(Miners::deregister(RuntimeOrigin::signed(owner(1))));
		let hold = |who: &AccountId| {
			Balances::balance_on_hold(&pallet_aitbc_miners::HoldReason::MinerStake.into(), who)
		};
		assert_eq!(hold(&owner(1)), STAKE);
		// result window 10 blocks after the ack block (1): the miss is seen at block 12
		run_to_block(12);
		assert_eq!(hold(&owner(1)), STAKE - STAKE / 10, "the unbonding stake was slashed");
		assert_eq!(Unbondings::<Test>::get(owner(1)).unwrap().amount, STAKE - STAKE / 10);
		// The job went on: re-queued for another miner (none), the client keeps its budget.
		assert!(!JobRecords::<Test>::get(job).unwrap().state.is_final());
	});
}

#[test]
fn stake_can_be_added_and_the_operator_rotated() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		assert_ok!(Miners::bond_extra(RuntimeOrigin::signed(owner(1)), 500));
		assert_eq!(stake(1), STAKE + 500);
		// The owner moves the miner to the key of "operator 3" without deregistering.
		assert_ok!(Miners::rotate_operator(
			RuntimeOrigin::signed(owner(1)),
			operator(3),
			operator_proof(3, &owner(1))
		));
		assert_eq!(MinerRecords::<Test>::get(operator(3)).unwrap().stake, STAKE + 500);
		let job = submit(1, MODEL, 100, 1_000);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().state.operator(), Some(&operator(3)));
	});
}

#[test]
fn a_receipt_is_bound_to_its_chain_client_model_and_prompt() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		let job = submit(1, MODEL, 100, 1_000);
		let used = usage(10);
		// A signature over a payload without the binding (another client, model, prompt or
		// chain) is refused on chain.
		let honest = JobRecords::<Test>::get(job).unwrap();
		let base = Jobs::receipt_payload(
			job,
			&honest,
			aitbc_primitives::prompt_hash(&honest.prompt),
			output_hash(b"answer"),
			used,
			10,
		);
		for unbound in [
			ReceiptPayload { genesis_hash: [1; 32], ..base.clone() },
			ReceiptPayload { client: [2; 32], ..base.clone() },
			ReceiptPayload { model: b"x".to_vec(), ..base.clone() },
			ReceiptPayload { prompt_hash: [3; 32], ..base.clone() },
		] {
			assert_noop!(
				Jobs::submit_result(
					RuntimeOrigin::signed(operator(1)),
					job,
					b"answer".to_vec().try_into().unwrap(),
					used,
					operator_pair(1).sign(&unbound.signing_bytes()).0,
				),
				Error::<Test>::InvalidSignature
			);
		}
		assert_ok!(deliver(1, job, used));
		let receipt = ReceiptRecords::<Test>::get(0).unwrap();
		assert_eq!(receipt.payload(genesis()), base);
		assert!(aitbc_primitives::verify_receipt(
			&receipt.payload(genesis()),
			&receipt.signature,
			&operator_pair(1).public().0
		));
		assert!(!aitbc_primitives::verify_receipt(
			&receipt.payload([9; 32]),
			&receipt.signature,
			&operator_pair(1).public().0
		));
	});
}

#[test]
fn a_non_sr25519_operator_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let ed = sp_core::ed25519::Pair::from_string("//EdOperator", None).unwrap();
		let ed_operator: AccountId = ed.public().0.into();
		let message = aitbc_primitives::operator_proof_bytes(&genesis(), owner(1).as_ref());
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(owner(1)),
				ed_operator,
				offer(MODEL, UnitType::OutputToken, 1, 2),
				STAKE,
				ed.sign(&message).0
			),
			MinersError::<Test>::InvalidOperatorProof
		);
		// Nor can an owner register somebody else's sr25519 key without its proof.
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(owner(1)),
				operator(2),
				offer(MODEL, UnitType::OutputToken, 1, 2),
				STAKE,
				operator_proof(2, &owner(2))
			),
			MinersError::<Test>::InvalidOperatorProof
		);
	});
}

#[test]
fn fees_do_not_round_to_zero_and_parameters_keep_the_holes_closed() {
	ExtBuilder::default().build_and_execute(|| {
		register_miner(1, MODEL, 1, 2);
		// a 10-planck job: 10 % is 1, the minimum fee is 2
		let job = submit(1, MODEL, 100, 1_000);
		assert_ok!(deliver(1, job, usage(10)));
		assert_eq!(ReceiptRecords::<Test>::get(0).unwrap().fee, 2);
		// a one-planck job pays all of it as fee
		let tiny = submit(2, MODEL, 100, 1_000);
		assert_ok!(deliver(1, tiny, usage(1)));
		assert_eq!(ReceiptRecords::<Test>::get(1).unwrap().fee, 1);
		assert_noop!(submit_as(&client(3), 100, 1, None), Error::<Test>::MaxPriceBelowMinFee);
		assert!(job_events().iter().any(|e| matches!(e, Event::JobCompleted { fee: 2, .. })));

		let refused = [
			(
				MarketParamsFor { default_ttl: 9, ..default_params() },
				pallet_aitbc_params::Error::<Test>::DefaultTtlBelowWindow,
			),
			(
				MarketParamsFor { max_assign_attempts: 4, ..default_params() },
				pallet_aitbc_params::Error::<Test>::TooManyAttempts,
			),
		];
		for (market, error) in refused {
			assert_noop!(Params::set_parameters(RuntimeOrigin::root(), market), error);
		}
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(owner(1)), 0));
		let emitted = Emitted::<Test>::get();
		assert!(emitted > 0);
		assert_noop!(
			Params::set_parameters(
				RuntimeOrigin::root(),
				MarketParamsFor { emission_cap: emitted - 1, ..default_params() }
			),
			pallet_aitbc_params::Error::<Test>::EmissionCapBelowEmitted
		);
	});
}

type MarketParamsFor = aitbc_traits::MarketParams<Balance, u64>;
