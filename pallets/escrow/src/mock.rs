//! A test runtime with balances and the escrow.

use crate::{self as pallet_aitbc_escrow};
use frame_support::{derive_impl, parameter_types};

type Block = frame_system::mocking::MockBlock<Test>;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Escrow: pallet_aitbc_escrow,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<10>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const CLIENT: u64 = 1;
pub const MINER: u64 = 2;
pub const TREASURY: u64 = 99;

parameter_types! {
	pub const Treasury: u64 = TREASURY;
}

impl pallet_aitbc_escrow::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Treasury = Treasury;
}
