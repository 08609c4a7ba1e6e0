//! Tests of the governance calls: ban, unban, end a jail, reverse a slash.

use crate::{
	mock::*, BannedOwners, Error, Event, JobOutcome, MinerRecords, MinerRegistry, MinerStatus,
	MinersByModel, SlashedStake, Unbondings,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn model() -> crate::ModelIdOf<Test> {
	b"m".to_vec().try_into().unwrap()
}

/// `operator` is given a job and misses it.
fn miss(operator: AccountId) {
	Miners::job_assigned(&operator);
	end(operator, JobOutcome::Missed);
}

#[test]
fn only_the_admin_origin_may_administer_miners() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		let anyone = RuntimeOrigin::signed(OWNER);
		assert_noop!(Miners::ban(anyone.clone(), OWNER), DispatchError::BadOrigin);
		assert_noop!(Miners::unban(anyone.clone(), OWNER), DispatchError::BadOrigin);
		assert_noop!(Miners::end_jail(anyone.clone(), OWNER), DispatchError::BadOrigin);
		assert_noop!(Miners::reverse_slash(anyone, OWNER, 1), DispatchError::BadOrigin);
	});
}

#[test]
fn a_ban_stops_assignments_and_outlives_the_miner() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		Miners::job_assigned(&OPERATOR);
		assert_ok!(Miners::ban(root(), OWNER));
		assert_eq!(
			miner_events().last(),
			Some(&Event::MinerBanned { owner: OWNER, operator: Some(OPERATOR) })
		);
		let miner = MinerRecords::<Test>::get(OPERATOR).unwrap();
		assert_eq!(miner.status, MinerStatus::Banned);
		assert!(MinersByModel::<Test>::get(model()).is_empty());
		assert!(Miners::select(&needs("m"), &[]).is_none());
		assert_noop!(Miners::ban(root(), OWNER), Error::<Test>::AlreadyBanned);
		// the operator can neither come back nor change its status
		let operator = RuntimeOrigin::signed(OPERATOR);
		assert_noop!(Miners::go_online(operator.clone()), Error::<Test>::Banned);
		assert_noop!(Miners::go_offline(operator.clone()), Error::<Test>::Banned);
		// an update does not put it back into the index
		assert_ok!(Miners::update(RuntimeOrigin::signed(OWNER), offer(&["m"], 5, 2)));
		assert!(MinersByModel::<Test>::get(model()).is_empty());
		// misses while banned still slash, but do not turn the ban into a jail
		for _ in 0..3 {
			miss(OPERATOR);
		}
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Banned);
		// it may finish its job, leave with its stake, but not register again
		end(OPERATOR, DONE);
		assert_ok!(Miners::deregister(RuntimeOrigin::signed(OWNER)));
		run_to_block(1 + default_params().unbonding_period);
		assert_ok!(Miners::withdraw_unbonded(RuntimeOrigin::signed(OWNER)));
		assert_eq!(stake_hold(OWNER), 0);
		assert_noop!(
			Miners::register(
				RuntimeOrigin::signed(OWNER),
				12,
				offer(&["m"], 10, 2),
				MIN_STAKE,
				proof(12, OWNER)
			),
			Error::<Test>::Banned
		);
		assert_ok!(Miners::unban(root(), OWNER));
		assert!(!BannedOwners::<Test>::contains_key(OWNER));
		register(OWNER, 12, &["m"], 10);
	});
}

#[test]
fn unbanned_miners_come_back_with_go_online() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		assert_noop!(Miners::unban(root(), OWNER), Error::<Test>::NotBanned);
		assert_noop!(Miners::ban(root(), 5), Error::<Test>::NotRegistered);
		assert_ok!(Miners::ban(root(), OWNER));
		assert_ok!(Miners::unban(root(), OWNER));
		assert_eq!(miner_events().last(), Some(&Event::MinerUnbanned { owner: OWNER }));
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Offline);
		assert!(Miners::select(&needs("m"), &[]).is_none());
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(OPERATOR)));
		assert_eq!(Miners::select(&needs("m"), &[]).map(|t| t.operator), Some(OPERATOR));
	});
}

#[test]
fn an_ended_jail_lets_the_miner_back_at_once() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		assert_noop!(Miners::end_jail(root(), OWNER), Error::<Test>::NotJailed);
		for _ in 0..3 {
			miss(OPERATOR);
		}
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Jailed);
		assert_noop!(
			Miners::go_online(RuntimeOrigin::signed(OPERATOR)),
			Error::<Test>::StillJailed
		);
		assert_ok!(Miners::end_jail(root(), OWNER));
		assert_eq!(
			miner_events().last(),
			Some(&Event::JailEnded { owner: OWNER, operator: OPERATOR })
		);
		let miner = MinerRecords::<Test>::get(OPERATOR).unwrap();
		assert_eq!((miner.status, miner.consecutive_misses), (MinerStatus::Offline, 0));
		assert_ok!(Miners::go_online(RuntimeOrigin::signed(OPERATOR)));
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().status, MinerStatus::Active);
		assert_noop!(Miners::end_jail(root(), 5), Error::<Test>::NotRegistered);
	});
}

#[test]
fn a_reversed_slash_returns_at_most_what_was_slashed_from_the_treasury() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		miss(OPERATOR);
		// 10 % of 1,000 went to the treasury
		assert_eq!(SlashedStake::<Test>::get(OWNER), 100);
		assert_eq!(Balances::free_balance(TREASURY), 1 + 100);
		assert_noop!(Miners::reverse_slash(root(), OWNER, 0), Error::<Test>::ZeroAmount);
		assert_noop!(Miners::reverse_slash(root(), OWNER, 101), Error::<Test>::AboveSlashed);
		assert_noop!(Miners::reverse_slash(root(), 5, 1), Error::<Test>::AboveSlashed);

		// back on hold as stake while the miner is registered
		assert_ok!(Miners::reverse_slash(root(), OWNER, 60));
		assert_eq!(
			miner_events().last(),
			Some(&Event::SlashReversed { owner: OWNER, amount: 60, restaked: true })
		);
		assert_eq!(MinerRecords::<Test>::get(OPERATOR).unwrap().stake, 960);
		assert_eq!(stake_hold(OWNER), 960);
		assert_eq!(SlashedStake::<Test>::get(OWNER), 40);
		assert_eq!(Balances::free_balance(TREASURY), 1 + 40);

		assert_ok!(Miners::deregister(RuntimeOrigin::signed(OWNER)));
		assert!(Unbondings::<Test>::contains_key(OWNER));
		let free = Balances::free_balance(OWNER);
		// to the free balance once the miner has left
		assert_ok!(Miners::reverse_slash(root(), OWNER, 40));
		assert_eq!(Balances::free_balance(OWNER), free + 40);
		assert!(!SlashedStake::<Test>::contains_key(OWNER));
		assert_eq!(Balances::free_balance(TREASURY), 1);
	});
}

#[test]
fn a_treasury_that_cannot_pay_leaves_everything_as_it_was() {
	ExtBuilder::build_and_execute(|| {
		register(OWNER, OPERATOR, &["m"], 10);
		miss(OPERATOR);
		// the treasury spent the slash meanwhile
		assert_ok!(Balances::transfer_allow_death(RuntimeOrigin::signed(TREASURY), 2, 100));
		assert_noop!(Miners::reverse_slash(root(), OWNER, 100), Error::<Test>::TreasuryCannotPay);
		assert_eq!(SlashedStake::<Test>::get(OWNER), 100);
	});
}
