//! Benchmarks for `pallet_aitbc_validators`, at the bounds: a change to a set of `n` validators,
//! `n` up to `MaxValidators`.

#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;

/// A planned set of `n` validators.
fn set_of<T: Config>(n: u32) -> Vec<T::AccountId> {
	(0..n).map(|i| account("validator", i, 0)).collect()
}

fn plan<T: Config>(set: Vec<T::AccountId>) {
	Validators::<T>::put(BoundedVec::truncate_from(set));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Adds the last validator to a set of `n - 1`.
	#[benchmark]
	fn add_validator(n: Linear<2, { T::MaxValidators::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		plan::<T>(set_of::<T>(n - 1));
		let who: T::AccountId = account("joining", 0, 0);
		T::BenchmarkHelper::register_keys(&who);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Validators::<T>::get().last(), Some(&who));
		Ok(())
	}

	/// Removes the last of a set of `n`.
	#[benchmark]
	fn remove_validator(n: Linear<2, { T::MaxValidators::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let set = set_of::<T>(n);
		let who = set.last().cloned().expect("n >= 2");
		plan::<T>(set);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn set_session_length() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let blocks: BlockNumberFor<T> = T::MaxSessionLength::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, blocks);

		assert_eq!(SessionLength::<T>::get(), blocks);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
