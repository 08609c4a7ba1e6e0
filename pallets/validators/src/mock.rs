//! A test runtime with the validator-set pallet and a session stand-in: the active set and the
//! registered keys are thread-local values the tests set.

use crate as pallet_aitbc_validators;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, ValidatorRegistration, ValidatorSet as ActiveSet},
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::ConvertInto, BuildStorage};
use sp_staking::SessionIndex;
use std::cell::RefCell;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ValidatorSet: pallet_aitbc_validators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	/// The session's active set.
	pub static ACTIVE: RefCell<Vec<u64>> = RefCell::new(vec![1, 2, 3]);
	/// Accounts with registered session keys.
	pub static KEYED: RefCell<Vec<u64>> = RefCell::new(vec![1, 2, 3, 4, 5]);
}

/// The session pallet as the validator set sees it.
pub struct Session;
impl ActiveSet<u64> for Session {
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	fn session_index() -> SessionIndex {
		0
	}
	fn validators() -> Vec<u64> {
		ACTIVE.with(|a| a.borrow().clone())
	}
}
impl ValidatorRegistration<u64> for Session {
	fn is_registered(id: &u64) -> bool {
		KEYED.with(|k| k.borrow().contains(id))
	}
}

parameter_types! {
	pub const MaxValidators: u32 = 5;
}

impl pallet_aitbc_validators::Config for Test {
	type Session = Session;
	type AdminOrigin = EnsureRoot<u64>;
	type MaxValidators = MaxValidators;
	type MinValidators = ConstU32<2>;
	type MinSessionLength = ConstU64<5>;
	type MaxSessionLength = ConstU64<1_000>;
	type DefaultSessionLength = ConstU64<10>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Session;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Session {
	fn register_keys(who: &u64) {
		KEYED.with(|k| k.borrow_mut().push(*who));
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
