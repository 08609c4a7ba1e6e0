//! Tests of `pallet_aitbc_escrow`.

use crate::{mock::*, Budget, Error, Event, JobEscrow, Settlement, TotalHeld};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::BuildStorage;

fn reason() -> RuntimeHoldReason {
	crate::HoldReason::JobBudget.into()
}

fn budget(job: u64, amount: u128) -> Budget<'static, u64, u128> {
	Budget { job, client: &CLIENT, amount }
}

/// Runs `test` with the client holding 1,000, the miner and the treasury 100, then checks the
/// escrow invariant.
fn build_and_execute(test: impl FnOnce()) {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(CLIENT, 1_000), (MINER, 100), (TREASURY, 100)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		test();
		Escrow::do_try_state().unwrap();
	});
}

#[test]
fn hold_puts_the_budget_on_hold() {
	build_and_execute(|| {
		assert_ok!(Escrow::hold(budget(1, 300)));
		assert_eq!(Balances::balance_on_hold(&reason(), &CLIENT), 300);
		assert_eq!(Balances::free_balance(CLIENT), 700);
		assert_eq!(Escrow::held_by(&CLIENT), 300);
		assert_eq!(Escrow::total_held(), 300);
		System::assert_last_event(
			Event::BudgetHeld { job_id: 1, client: CLIENT, amount: 300 }.into(),
		);
	});
}

#[test]
fn hold_beyond_free_balance_is_refused() {
	build_and_execute(|| {
		assert_noop!(Escrow::hold(budget(1, 1_001)), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn settle_pays_miner_and_treasury_and_refunds_the_rest() {
	build_and_execute(|| {
		assert_ok!(Escrow::hold(budget(1, 300)));
		let settlement = Escrow::settle(budget(1, 300), &MINER, 200, 10).unwrap();
		assert_eq!(settlement, Settlement { to_miner: 190, fee: 10, refunded: 100 });
		assert_eq!(Balances::free_balance(CLIENT), 800);
		assert_eq!(Balances::free_balance(MINER), 290);
		assert_eq!(Balances::free_balance(TREASURY), 110);
		assert_eq!(Balances::balance_on_hold(&reason(), &CLIENT), 0);
		assert_eq!(TotalHeld::<Test>::get(), 0);
		System::assert_last_event(
			Event::BudgetSettled { job_id: 1, miner: MINER, to_miner: 190, fee: 10, refunded: 100 }
				.into(),
		);
	});
}

#[test]
fn settle_above_budget_is_refused() {
	build_and_execute(|| {
		assert_ok!(Escrow::hold(budget(1, 300)));
		assert_noop!(
			Escrow::settle(budget(1, 300), &MINER, 301, 0),
			Error::<Test>::PriceAboveBudget
		);
		assert_noop!(
			Escrow::settle(budget(1, 300), &MINER, 100, 101),
			Error::<Test>::PriceAboveBudget
		);
	});
}

/// A budget is moved once: a second settlement or refund of what is no longer on hold is
/// refused and moves nothing.
#[test]
fn nothing_moves_twice() {
	build_and_execute(|| {
		assert_ok!(Escrow::hold(budget(1, 300)));
		assert_ok!(Escrow::settle(budget(1, 300), &MINER, 200, 10));
		assert_noop!(Escrow::settle(budget(1, 300), &MINER, 200, 10), Error::<Test>::NotHeld);
		assert_noop!(Escrow::refund(budget(1, 300)), Error::<Test>::NotHeld);
		// Never more than is on hold, even when another budget of the client is.
		assert_ok!(Escrow::hold(budget(2, 100)));
		assert_noop!(Escrow::refund(budget(1, 300)), Error::<Test>::NotHeld);
	});
}

#[test]
fn refund_returns_the_whole_budget() {
	build_and_execute(|| {
		assert_ok!(Escrow::hold(budget(1, 300)));
		assert_ok!(Escrow::hold(budget(2, 200)));
		assert_eq!(Escrow::refund(budget(1, 300)), Ok(300));
		assert_eq!(Balances::free_balance(CLIENT), 800);
		assert_eq!(TotalHeld::<Test>::get(), 200);
		assert_eq!(Escrow::held_by(&CLIENT), 200);
		System::assert_last_event(
			Event::BudgetRefunded { job_id: 1, client: CLIENT, amount: 300 }.into(),
		);
	});
}
