//! Tests of `pallet_aitbc_miners`, scenario style.

use crate::{
	mock::*, Endpoints, Error, Event, JobNeeds, JobOutcome, MinerRecords, MinerRegistry,
	MinerStatus, MinersByModel, OperatorOf, Unbondings,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

#[test]
fn register_holds_stake_and_indexes_models() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["llama3.2:latest", "smollm2"], 10);
		assert_eq!(stake_hold(OWNER), MIN_STAKE);
		assert_eq!(OperatorOf::<Test>::get(OWNER), Some(OPERATOR));
		let key: crate::ModelIdOf<Test> = b"smollm2".to_vec().try_into().unwrap();
		assert_eq!(MinersByModel::<Test>::get(key).into_inner(), vec![OPERATOR]);
		assert_eq!(
			miner_events(),
			vec![Event::MinerRegistered { owner: OWNER, operator: OPERATOR, stake: MIN_STAKE }]
		);
	});
}

#[test]
fn register_refuses_bad_offers_and_low_stake() {
	ExtBuilder::build_and_execute(|| {
		let reg = |offer, stake| {
			Miners::register(
				RuntimeOrigin::signed(OWNER),
				OPERATOR,
				offer,
				stake,
				proof(OPERATOR, OWNER),
			)
		};
		assert_noop!(reg(offer(&["m"], 10, 2), MIN_STAKE - 1), Error::<Test>::StakeBelowMinimum);
		assert_noop!(reg(offer(&[], 10, 2), MIN_STAKE), Error::<Test>::NoModels);
		assert_noop!(reg(offer(&[""], 10, 2), MIN_STAKE), Error::<Test>::EmptyModelId);
		assert_noop!(reg(offer(&["m", "m"], 10, 2), MIN_STAKE), Error::<Test>::DuplicateModel);
		assert_noop!(reg(offer(&["m"], 10, 0), MIN_STAKE), Error::<Test>::InvalidCapacity);
		assert_noop!(reg(offer(&["m"], 10, 9), MIN_STAKE), Error::<Test>::InvalidCapacity);
		assert_noop!(reg(offer(&["m"], 0, 2), MIN_STAKE), Error::<Test>::ZeroPrice);
		assert_noop!(reg(offer(&["m"], 10, 2), 1_000_000), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn operators_and_owners_are_unique() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(2),
				OPERATOR,
				offer(&["m"], 10, 2),
				MIN_STAKE,
				proof(OPERATOR, 2)
			),
			Error::<Test>::OperatorInUse
		);
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(OWNER),
				12,
				offer(&["m"], 10, 2),
				MIN_STAKE,
				proof(12, OWNER)
			),
			Error::<Test>::OwnerHasMiner
		);
	});
}

#[test]
fn a_full_model_index_refuses_more_miners() {
	ExtBuilder::build_and_execute(|| {
		for i in 1..=3 {
			register(i, 10 + i, &["m"], 10);
		}
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(4),
				14,
				offer(&["m"], 10, 2),
				MIN_STAKE,
				proof(14, 4)
			),
			Error::<Test>::ModelIndexFull
		);
	});
}

#[test]
fn update_reindexes_models() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["a"], 10);
		assert_ok!(Miners::update(RuntimeOrigin::signed(OWNER), offer(&["b"], 20, 4)));
		assert!(Miners::select(&needs("a"), &[]).is_none());
		assert_eq!(Miners::select(&needs("b"), &[]).unwrap().unit_price, 20);
		assert_noop!(
			Miners::update(RuntimeOrigin::signed(2), offer(&["b"], 20, 4)),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn a_stale_heartbeat_stops_assignment_without_penalty() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		run_to_block(31);
		assert!(Miners::select(&needs("m"), &[]).is_some());
		run_to_block(32);
		assert!(Miners::select(&needs("m"), &[]).is_none());
		assert_ok!(Miners::heartbeat(RuntimeOrigin::signed(OPERATOR)));
		assert!(Miners::select(&needs("m"), &[]).is_some());
		assert_eq!(stake_hold(OWNER), MIN_STAKE);
		assert_noop!(Miners::heartbeat(RuntimeOrigin::signed(OWNER)), Error::<Test>::NotRegistered);
	});
}

#[test]
fn offline_miners_get_no_jobs_until_online() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		assert_ok!(Miners::go_offline(RuntimeOrigin::signed(OPERATOR)));
		assert_noop!(
			Miners::go_offline(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::AlreadyOffline
		);
		assert!(Miners::select(&needs("m"), &[]).is_none());
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(OPERATOR)));
		assert_noop!(
			Miners::go_online(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::AlreadyOnline
		);
		assert!(Miners::select(&needs("m"), &[]).is_some());
	});
}

#[test]
fn selection_respects_price_capacity_reputation_and_exclusions() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		// 100 tokens at 10 = 1,000 > 999
		assert!(Miners::select(&JobNeeds { max_price: 999, ..needs("m") }, &[]).is_none());
		assert!(Miners::select(
			&JobNeeds { min_reputation: Perbill::from_percent(60), ..needs("m") },
			&[]
		)
		.is_none());
		assert!(Miners::select(&needs("m"), &[OPERATOR]).is_none());
		Miners::job_assigned(&OPERATOR);
		Miners::job_assigned(&OPERATOR);
		assert!(Miners::select(&needs("m"), &[]).is_none(), "capacity 2 is full");
		end(OPERATOR, DONE);
		assert!(Miners::select(&needs("m"), &[]).is_some());
	});
}

#[test]
fn selection_prefers_the_lowest_effective_price_then_key() {
	ExtBuilder::build_and_execute(|| {
		register(1, 11, &["m"], 15);
		register(2, 12, &["m"], 10);
		register(3, 13, &["m"], 10);
		// Equal reputation: the cheaper wins, then the lower key.
		assert_eq!(Miners::select(&needs("m"), &[]).unwrap().operator, 12);
		// One success (reputation 67 %) does not make 11, at 1.5 times the price, better value:
		// 15 / 0.67 > 10 / 0.5.
		Miners::job_assigned(&11);
		end(11, DONE);
		assert_eq!(Miners::select(&needs("m"), &[]).unwrap().operator, 12);
		// A long record (reputation ~95 %) does: 15 / 0.95 < 10 / 0.5.
		for _ in 0..60 {
			Miners::job_assigned(&11);
			end(11, DONE);
		}
		assert_eq!(Miners::select(&needs("m"), &[]).unwrap().operator, 11);
	});
}

#[test]
fn misses_slash_to_the_treasury_and_jail() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		for _ in 0..3 {
			Miners::job_assigned(&OPERATOR);
			end(OPERATOR, JobOutcome::Missed);
		}
		let miner = MinerRecords::<Test>::get(OPERATOR).unwrap();
		assert_eq!(miner.status, MinerStatus::Jailed);
		// 10% of 1000, then of 900, then of 810
		assert_eq!(miner.stake, 729);
		assert_eq!(Balances::free_balance(TREASURY), 1 + 271);
		assert_eq!(stake_hold(OWNER), 729);
		let events = miner_events();
		assert!(events.contains(&Event::MinerJailed { operator: OPERATOR, misses: 3, until: 21 }));
		assert!(events.contains(&Event::MinerSlashed { operator: OPERATOR, amount: 100 }));
		assert!(Miners::select(&needs("m"), &[]).is_none());
		// Jail lasts `jail_period` (20) blocks whatever the operator does.
		assert_ok!(Miners::heartbeat(RuntimeOrigin::signed(OPERATOR)));
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Jailed);
		assert_noop!(
			Miners::go_online(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::StillJailed
		);
		run_to_block(21);
		// A heartbeat changes no status; `go_online` after the term releases it, but its
		// stake is now below the minimum.
		assert_ok!(Miners::heartbeat(RuntimeOrigin::signed(OPERATOR)));
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Jailed);
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(OPERATOR)));
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Active);
		assert!(Miners::select(&needs("m"), &[]).is_none(), "stake below min_stake");
	});
}

#[test]
fn failures_and_releases_do_not_slash() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		Miners::job_assigned(&OPERATOR);
		end(OPERATOR, JobOutcome::Failed);
		Miners::job_assigned(&OPERATOR);
		end(OPERATOR, JobOutcome::Released);
		let miner = MinerRecords::<Test>::get(OPERATOR).unwrap();
		assert_eq!(
			(miner.stake, miner.in_flight, miner.status),
			(MIN_STAKE, 0, MinerStatus::Active)
		);
		assert!(miner.reputation.score() < Perbill::from_percent(50));
	});
}

#[test]
fn deregister_unbonds_and_withdrawal_waits_for_jobs() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		Miners::job_assigned(&OPERATOR);
		Miners::job_assigned(&OPERATOR);
		// Deregistration stops new jobs at once; held jobs run to their end.
		assert_ok!(Miners::deregister(RuntimeOrigin::signed(OWNER)));
		assert_eq!(Unbondings::<Test>::get(OWNER).unwrap().in_flight, 2);
		Miners::job_ended(&terms(OPERATOR, OWNER), DONE);
		// A miss after deregistration slashes the unbonding stake: 10 % of 1,000.
		Miners::job_ended(&terms(OPERATOR, OWNER), JobOutcome::Missed);
		let unbonding = Unbondings::<Test>::get(OWNER).unwrap();
		assert_eq!((unbonding.amount, unbonding.in_flight), (900, 0));
		assert_eq!(stake_hold(OWNER), 900);
		assert!(miner_events().contains(&Event::UnbondingSlashed { owner: OWNER, amount: 100 }));
		assert!(MinerRecords::<Test>::get(OPERATOR).is_none());
		assert_eq!(Unbondings::<Test>::get(OWNER).unwrap().unlock_at, 101);
		assert!(Miners::select(&needs("m"), &[]).is_none());
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(OWNER),
				12,
				offer(&["m"], 10, 2),
				MIN_STAKE,
				proof(12, OWNER)
			),
			Error::<Test>::UnbondingPending
		);
		assert_noop!(
			Miners::withdraw_unbonded(RuntimeOrigin::signed(OWNER)),
			Error::<Test>::StillUnbonding
		);
		run_to_block(101);
		assert_ok!(Miners::withdraw_unbonded(RuntimeOrigin::signed(OWNER)));
		assert_eq!(stake_hold(OWNER), 0);
		assert_eq!(Balances::free_balance(OWNER), 100_000 - 100);
		assert_noop!(
			Miners::withdraw_unbonded(RuntimeOrigin::signed(OWNER)),
			Error::<Test>::NothingUnbonding
		);
		assert_noop!(
			Miners::deregister(RuntimeOrigin::signed(OWNER)),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn withdrawal_waits_for_jobs_still_held() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		Miners::job_assigned(&OPERATOR);
		assert_ok!(Miners::deregister(RuntimeOrigin::signed(OWNER)));
		run_to_block(101);
		assert_noop!(
			Miners::withdraw_unbonded(RuntimeOrigin::signed(OWNER)),
			Error::<Test>::JobsInFlight
		);
		Miners::job_ended(&terms(OPERATOR, OWNER), JobOutcome::Released);
		assert_ok!(Miners::withdraw_unbonded(RuntimeOrigin::signed(OWNER)));
	});
}

#[test]
fn a_proof_by_another_key_or_for_another_owner_is_refused() {
	ExtBuilder::build_and_execute(|| {
		for bad in [proof(12, OWNER), proof(OPERATOR, 2), [0; 64]] {
			assert_noop!(
				Miners::register(
					RuntimeOrigin::signed(OWNER),
					OPERATOR,
					offer(&["m"], 10, 2),
					MIN_STAKE,
					bad
				),
				Error::<Test>::InvalidOperatorProof
			);
		}
	});
}

#[test]
fn bond_extra_adds_to_the_held_stake() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		assert_noop!(
			Miners::bond_extra(RuntimeOrigin::signed(OWNER), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(Miners::bond_extra(RuntimeOrigin::signed(2), 5), Error::<Test>::NotRegistered);
		assert_noop!(
			Miners::bond_extra(RuntimeOrigin::signed(OWNER), 1_000_000),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Miners::bond_extra(RuntimeOrigin::signed(OWNER), 500));
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().stake, 1_500);
		assert_eq!(stake_hold(OWNER), 1_500);
		System::assert_last_event(
			Event::StakeBonded { owner: OWNER, amount: 500, stake: 1_500 }.into(),
		);
	});
}

#[test]
fn rotate_operator_moves_the_miner_to_a_proven_key() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		register(2, 12, &["m"], 10);
		assert_noop!(
			Miners::rotate_operator(RuntimeOrigin::signed(OWNER), 13, proof(14, OWNER)),
			Error::<Test>::InvalidOperatorProof
		);
		assert_noop!(
			Miners::rotate_operator(RuntimeOrigin::signed(OWNER), 12, proof(12, OWNER)),
			Error::<Test>::OperatorInUse
		);
		Miners::job_assigned(&OPERATOR);
		assert_noop!(
			Miners::rotate_operator(RuntimeOrigin::signed(OWNER), 13, proof(13, OWNER)),
			Error::<Test>::JobsInFlight
		);
		end(OPERATOR, DONE);
		let before = MinerRecords::<Test>::get(OPERATOR).unwrap();
		assert_ok!(Miners::rotate_operator(RuntimeOrigin::signed(OWNER), 13, proof(13, OWNER)));
		assert!(MinerRecords::<Test>::get(OPERATOR).is_none());
		assert_eq!(MinerRecords::<Test>::get(13).unwrap(), before);
		assert_eq!(OperatorOf::<Test>::get(OWNER), Some(13));
		let model: crate::ModelIdOf<Test> = b"m".to_vec().try_into().unwrap();
		assert!(MinersByModel::<Test>::get(model).contains(&13));
		System::assert_last_event(
			Event::OperatorRotated { owner: OWNER, old: OPERATOR, new: 13 }.into(),
		);
	});
}

fn url(text: &str) -> crate::EndpointOf<Test> {
	text.as_bytes().to_vec().try_into().unwrap()
}

#[test]
fn an_operator_sets_and_removes_its_stream_endpoint() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Miners::set_endpoint(RuntimeOrigin::signed(OPERATOR), Some(url("http://a:1"))),
			Error::<Test>::NotRegistered
		);
		register(OWNER, OPERATOR, &["m"], 10);
		// The owner is not the operator: only the operator key's daemon says where it serves.
		assert_noop!(
			Miners::set_endpoint(RuntimeOrigin::signed(OWNER), Some(url("http://a:1"))),
			Error::<Test>::NotRegistered
		);
		for bad in ["", "ftp://a", "http://", "https:///path", "http://a b", "http://a\n", "a:80"] {
			assert_noop!(
				Miners::set_endpoint(RuntimeOrigin::signed(OPERATOR), Some(url(bad))),
				Error::<Test>::InvalidEndpoint
			);
		}
		// MaxEndpointLen (64 in the mock) bounds it at decoding.
		assert!(crate::EndpointOf::<Test>::try_from(vec![b'a'; 65]).is_err());
		let good = url("https://miner.example:8443/aitbc");
		assert_ok!(Miners::set_endpoint(RuntimeOrigin::signed(OPERATOR), Some(good.clone())));
		assert_eq!(Endpoints::<Test>::get(OPERATOR), Some(good.clone()));
		System::assert_last_event(
			Event::EndpointSet { operator: OPERATOR, endpoint: Some(good) }.into(),
		);
		assert_ok!(Miners::set_endpoint(RuntimeOrigin::signed(OPERATOR), None));
		assert_eq!(Endpoints::<Test>::get(OPERATOR), None);
		System::assert_last_event(Event::EndpointSet { operator: OPERATOR, endpoint: None }.into());
	});
}

#[test]
fn the_endpoint_goes_with_deregistration_and_rotation() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		assert_ok!(Miners::set_endpoint(RuntimeOrigin::signed(OPERATOR), Some(url("http://a:1"))));
		assert_ok!(Miners::rotate_operator(RuntimeOrigin::signed(OWNER), 13, proof(13, OWNER)));
		assert_eq!(Endpoints::<Test>::get(OPERATOR), None);
		assert_ok!(Miners::set_endpoint(RuntimeOrigin::signed(13), Some(url("http://b:2"))));
		assert_ok!(Miners::deregister(RuntimeOrigin::signed(OWNER)));
		assert_eq!(Endpoints::<Test>::get(13), None);
	});
}
