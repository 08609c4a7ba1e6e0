//! A test runtime with balances and the receipts pallet.

use crate::{self as pallet_aitbc_receipts};
use aitbc_traits::MarketParams;
use frame_support::{derive_impl, parameter_types, traits::UnixTime};
use sp_runtime::{AccountId32, BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Receipts: pallet_aitbc_receipts,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId32>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
}

parameter_types! {
	pub Params: MarketParams<Balance, u64> = MarketParams {
		jail_period: 50,
		reward_per_unit: 2,
		reward_fee_share: Perbill::from_percent(90),
		emission_cap: 250,
		..MarketParams::test_defaults()
	};
}

/// A clock fixed at 2026-11-22T00:00:00Z.
pub struct FixedClock;
impl UnixTime for FixedClock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(1_795_305_600_000)
	}
}

impl pallet_aitbc_receipts::Config for Test {
	type Currency = Balances;
	type UnixTime = FixedClock;
	type Params = Params;
	type MaxModelIdLen = frame_support::traits::ConstU32<32>;
	type WeightInfo = ();
}

pub const CLIENT: AccountId32 = AccountId32::new([1; 32]);
pub const OWNER: AccountId32 = AccountId32::new([2; 32]);
pub const OPERATOR: AccountId32 = AccountId32::new([3; 32]);

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(CLIENT, 100), (OWNER, 100)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(7));
	ext
}
