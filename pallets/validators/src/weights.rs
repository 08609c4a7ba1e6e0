//! Weights for `pallet_aitbc_validators`: placeholders until `scripts/gen-weights` measures them.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs, clippy::all)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions of `pallet_aitbc_validators`.
pub trait WeightInfo {
	fn add_validator(n: u32, ) -> Weight;
	fn remove_validator(n: u32, ) -> Weight;
	fn set_session_length() -> Weight;
}

/// Weights measured for the AITBC runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add_validator(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(Weight::from_parts(100_000, 32).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	fn remove_validator(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(Weight::from_parts(100_000, 32).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

// For tests: the same figures against ParityDB's costs.
impl WeightInfo for () {
	fn add_validator(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(Weight::from_parts(100_000, 32).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(3))
			.saturating_add(ParityDbWeight::get().writes(2))
	}
	fn remove_validator(n: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(Weight::from_parts(100_000, 32).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2))
			.saturating_add(ParityDbWeight::get().writes(2))
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1))
	}
}
