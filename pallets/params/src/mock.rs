//! A test runtime with the parameters pallet.

use crate::{self as pallet_aitbc_params, MarketParams};
use frame_support::{derive_impl, parameter_types};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Params: pallet_aitbc_params,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	pub Defaults: MarketParams<u128, u64> = defaults();
	pub static Emitted: u128 = 0;
}

/// The shared test values with what these tests are about.
pub fn defaults() -> MarketParams<u128, u64> {
	MarketParams {
		min_fee: 10,
		max_open_jobs_per_client: 16,
		jail_period: 50,
		..MarketParams::test_defaults()
	}
}

impl pallet_aitbc_params::Config for Test {
	type Balance = u128;
	type GovernanceOrigin = EnsureRoot<u64>;
	type DefaultParams = Defaults;
	type MaxAssignAttempts = frame_support::traits::ConstU32<3>;
	type Emitted = Emitted;
	type WeightInfo = ();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
