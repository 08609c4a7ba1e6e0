
//! Weights for `pallet_aitbc_jobs`, measured by frame-benchmarking 64.0.0 on 2026-11-22.
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
//!   pallet_aitbc_jobs
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
//!   pallets/jobs/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs, clippy::all)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions of `pallet_aitbc_jobs`.
pub trait WeightInfo {
	fn submit_job(p: u32, ) -> Weight;
	fn acknowledge(n: u32, ) -> Weight;
	fn submit_result(o: u32, ) -> Weight;
	fn submit_results(n: u32, ) -> Weight;
	fn report_failure() -> Weight;
	fn cancel_job() -> Weight;
	fn handle_deadline() -> Weight;
	fn assign_queued() -> Weight;
	fn prune_job() -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Component `p` in `[1, 4000]`.
	fn submit_job(p: u32, ) -> Weight {
		// Proof size measured `4227`, estimated `61022` bytes.
		Weight::from_parts(194_268_249, 61022)
			.saturating_add(Weight::from_parts(531, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(25_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Component `n` in `[1, 32]`.
	fn acknowledge(n: u32, ) -> Weight {
		// Proof size measured `16425`, estimated `11671` bytes.
		Weight::from_parts(14_453_060, 11671)
			.saturating_add(Weight::from_parts(22_470_099, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52038).saturating_mul(n.into()))
	}
	/// Component `o` in `[0, 32768]`.
	fn submit_result(o: u32, ) -> Weight {
		// Proof size measured `17429`, estimated `53028` bytes.
		Weight::from_parts(352_025_229, 53028)
			.saturating_add(Weight::from_parts(7_823, 0).saturating_mul(o.into()))
			.saturating_add(T::DbWeight::get().reads(13_u64))
			.saturating_add(T::DbWeight::get().writes(12_u64))
	}
	/// Component `n` in `[1, 32]`.
	/// Component `o` in `[0, 32768]`.
	fn submit_results(n: u32, ) -> Weight {
		// Proof size measured `17333`, estimated `11671` bytes.
		Weight::from_parts(587_325_000, 11671)
			.saturating_add(Weight::from_parts(366_015_627, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(2_600_000_000, 0))
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(8_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52038).saturating_mul(n.into()))
	}
	fn report_failure() -> Weight {
		// Proof size measured `1222`, estimated `53028` bytes.
		Weight::from_parts(96_093_000, 53028)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	fn cancel_job() -> Weight {
		// Proof size measured `27594`, estimated `53028` bytes.
		Weight::from_parts(190_944_000, 53028)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	fn handle_deadline() -> Weight {
		Weight::from_parts(200_000_000, 60_000)
			.saturating_add(T::DbWeight::get().reads(80_u64))
			.saturating_add(T::DbWeight::get().writes(12_u64))
	}
	fn assign_queued() -> Weight {
		Weight::from_parts(100_000_000, 60_000)
			.saturating_add(T::DbWeight::get().reads(70_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn prune_job() -> Weight {
		Weight::from_parts(40_000_000, 60_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn submit_job(p: u32, ) -> Weight {
		Weight::from_parts(194_268_249, 61022)
			.saturating_add(Weight::from_parts(531, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(25_u64))
			.saturating_add(ParityDbWeight::get().writes(10_u64))
	}
	fn acknowledge(n: u32, ) -> Weight {
		Weight::from_parts(14_453_060, 11671)
			.saturating_add(Weight::from_parts(22_470_099, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52038).saturating_mul(n.into()))
	}
	fn submit_result(o: u32, ) -> Weight {
		Weight::from_parts(352_025_229, 53028)
			.saturating_add(Weight::from_parts(7_823, 0).saturating_mul(o.into()))
			.saturating_add(ParityDbWeight::get().reads(13_u64))
			.saturating_add(ParityDbWeight::get().writes(12_u64))
	}
	fn submit_results(n: u32, ) -> Weight {
		Weight::from_parts(587_325_000, 11671)
			.saturating_add(Weight::from_parts(366_015_627, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(2_600_000_000, 0))
			.saturating_add(ParityDbWeight::get().reads(11_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
			.saturating_add(ParityDbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52038).saturating_mul(n.into()))
	}
	fn report_failure() -> Weight {
		Weight::from_parts(96_093_000, 53028)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	fn cancel_job() -> Weight {
		Weight::from_parts(190_944_000, 53028)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	fn handle_deadline() -> Weight {
		Weight::from_parts(200_000_000, 60_000)
			.saturating_add(ParityDbWeight::get().reads(80_u64))
			.saturating_add(ParityDbWeight::get().writes(12_u64))
	}
	fn assign_queued() -> Weight {
		Weight::from_parts(100_000_000, 60_000)
			.saturating_add(ParityDbWeight::get().reads(70_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn prune_job() -> Weight {
		Weight::from_parts(40_000_000, 60_000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
}
