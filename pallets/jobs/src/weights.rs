
//! Weights for `pallet_aitbc_jobs`, measured by frame-benchmarking 64.0.0 on 2026-11-22.
//!
//! Machine: `vm`, CPU `Intel(R) Xeon(R) Processor`; steps 20, repeat 10,
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
	fn submit_results(n: u32, o: u32, ) -> Weight;
	fn report_failure() -> Weight;
	fn cancel_job() -> Weight;
	fn on_initialize_deadlines(n: u32, ) -> Weight;
	fn on_initialize_assign(n: u32, ) -> Weight;
	fn on_idle_prune(n: u32, ) -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Component `p` in `[1, 4000]`.
	fn submit_job(p: u32, ) -> Weight {
		// Proof size measured `4163`, estimated `60958` bytes.
		Weight::from_parts(510_406_251, 60958)
			.saturating_add(Weight::from_parts(2_353, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(25_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Component `n` in `[1, 32]`.
	fn acknowledge(n: u32, ) -> Weight {
		// Proof size measured `436`, estimated `11671` bytes.
		Weight::from_parts(52_010_777, 11671)
			.saturating_add(Weight::from_parts(32_211_006, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	/// Component `o` in `[0, 32768]`.
	fn submit_result(o: u32, ) -> Weight {
		// Proof size measured `1522`, estimated `53024` bytes.
		// + receipt payload v2 (issue 11, not in the measurement): blake2 of a prompt of up to
		// 16 KB (~25 us) and the genesis hash read
		Weight::from_parts(818_079_883, 53024)
			.saturating_add(Weight::from_parts(10_178, 0).saturating_mul(o.into()))
			.saturating_add(T::DbWeight::get().reads(14_u64))
			.saturating_add(T::DbWeight::get().writes(13_u64))
	}
	/// Component `n` in `[1, 32]`.
	/// Component `o` in `[0, 32768]`.
	fn submit_results(n: u32, o: u32, ) -> Weight {
		// Proof size measured `1426`, estimated `11671` bytes.
		Weight::from_parts(1_092_449_000, 11671)
			.saturating_add(Weight::from_parts(610_796_832, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(67_775, 0).saturating_mul(o.into()))
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(9_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	fn report_failure() -> Weight {
		// Proof size measured `1165`, estimated `53024` bytes.
		Weight::from_parts(283_838_000, 53024)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	fn cancel_job() -> Weight {
		// Proof size measured `1165`, estimated `53024` bytes.
		Weight::from_parts(264_960_000, 53024)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	/// Component `n` in `[0, 64]`.
	fn on_initialize_deadlines(n: u32, ) -> Weight {
		// Proof size measured `1693`, estimated `27333` bytes.
		Weight::from_parts(283_509_233, 27333)
			.saturating_add(Weight::from_parts(152_532_294, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(9_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	/// Component `n` in `[0, 16]`.
	fn on_initialize_assign(n: u32, ) -> Weight {
		// Proof size measured `639`, estimated `11671` bytes.
		Weight::from_parts(64_956_812, 11671)
			.saturating_add(Weight::from_parts(52_867_252, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	/// Component `n` in `[0, 256]`.
	fn on_idle_prune(n: u32, ) -> Weight {
		// Proof size measured `276`, estimated `11671` bytes.
		Weight::from_parts(15_206_000, 11671)
			.saturating_add(Weight::from_parts(23_132_343, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn submit_job(p: u32, ) -> Weight {
		Weight::from_parts(510_406_251, 60958)
			.saturating_add(Weight::from_parts(2_353, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(25_u64))
			.saturating_add(ParityDbWeight::get().writes(10_u64))
	}
	fn acknowledge(n: u32, ) -> Weight {
		Weight::from_parts(52_010_777, 11671)
			.saturating_add(Weight::from_parts(32_211_006, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	fn submit_result(o: u32, ) -> Weight {
		// + receipt payload v2 (issue 11, not in the measurement): blake2 of a prompt of up to
		// 16 KB (~25 us) and the genesis hash read
		Weight::from_parts(818_079_883, 53024)
			.saturating_add(Weight::from_parts(10_178, 0).saturating_mul(o.into()))
			.saturating_add(ParityDbWeight::get().reads(14_u64))
			.saturating_add(ParityDbWeight::get().writes(13_u64))
	}
	fn submit_results(n: u32, o: u32, ) -> Weight {
		Weight::from_parts(1_092_449_000, 11671)
			.saturating_add(Weight::from_parts(610_796_832, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(67_775, 0).saturating_mul(o.into()))
			.saturating_add(ParityDbWeight::get().reads(11_u64))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
			.saturating_add(ParityDbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	fn report_failure() -> Weight {
		Weight::from_parts(283_838_000, 53024)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	fn cancel_job() -> Weight {
		Weight::from_parts(264_960_000, 53024)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	fn on_initialize_deadlines(n: u32, ) -> Weight {
		Weight::from_parts(283_509_233, 27333)
			.saturating_add(Weight::from_parts(152_532_294, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(11_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	fn on_initialize_assign(n: u32, ) -> Weight {
		Weight::from_parts(64_956_812, 11671)
			.saturating_add(Weight::from_parts(52_867_252, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
	fn on_idle_prune(n: u32, ) -> Weight {
		Weight::from_parts(15_206_000, 11671)
			.saturating_add(Weight::from_parts(23_132_343, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52034).saturating_mul(n.into()))
	}
}
