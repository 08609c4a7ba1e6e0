
//! Weights for `pallet_aitbc_params`, measured by frame-benchmarking 64.0.0 on 2026-11-23.
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
//!   pallet_aitbc_params
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
//!   pallets/params/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs, clippy::all)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions of `pallet_aitbc_params`.
pub trait WeightInfo {
	fn set_parameters() -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_parameters() -> Weight {
		// Proof size measured `109`, estimated `1501` bytes.
		Weight::from_parts(9_194_000, 1501)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn set_parameters() -> Weight {
		Weight::from_parts(9_194_000, 1501)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
