
//! Weights for `pallet_aitbc_validators`, measured by frame-benchmarking 64.0.0 on 2026-11-23.
//!
//! Machine: `vm`, CPU `AMD EPYC`; steps 20, repeat 10,
//! Wasm execution `Compiled`, chain `Some("dev")`.
//! Regenerate with `scripts/gen-weights` (do not edit by hand).
//!
//! Command:
//!   /root/.cache/aitbc-target/release/aitbc-node
//!   benchmark
//!   pallet
//!   --chain
//!   dev
//!   --pallet
//!   pallet_aitbc_validators
//!   --extrinsic
//!   *
//!   --steps
//!   20
//!   --repeat
//!   10
//!   --wasm-execution
//!   compiled
//!   --template
//!   scripts/templates/weights.hbs
//!   --output
//!   pallets/validators/src/weights.rs

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

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Component `n` in `[2, 32]`.
	fn add_validator(n: u32, ) -> Weight {
		// Proof size measured `315`, estimated `3780` bytes.
		Weight::from_parts(20_788_277, 3780)
			.saturating_add(Weight::from_parts(27_424, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(Weight::from_parts(0, 32).saturating_mul(n.into()))
	}
	/// Component `n` in `[2, 32]`.
	fn remove_validator(n: u32, ) -> Weight {
		// Proof size measured `70`, estimated `2510` bytes.
		Weight::from_parts(13_464_481, 2510)
			.saturating_add(Weight::from_parts(26_609, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_session_length() -> Weight {
		// Proof size measured `0`, estimated `0` bytes.
		Weight::from_parts(6_129_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn add_validator(n: u32, ) -> Weight {
		Weight::from_parts(20_788_277, 3780)
			.saturating_add(Weight::from_parts(27_424, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(Weight::from_parts(0, 32).saturating_mul(n.into()))
	}
	fn remove_validator(n: u32, ) -> Weight {
		Weight::from_parts(13_464_481, 2510)
			.saturating_add(Weight::from_parts(26_609, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(6_129_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
