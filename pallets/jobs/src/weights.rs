
//! Weights for `pallet_aitbc_jobs`, measured by frame-benchmarking 64.0.0 on 2026-11-23.
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
	fn submit_job(p: u32, m: u32, ) -> Weight;
	fn submit_jobs(n: u32, ) -> Weight;
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
	/// Component `m` in `[1, 64]`.
	fn submit_job(p: u32, m: u32, ) -> Weight {
		// Proof size measured `798`, estimated `5597` bytes.
		Weight::from_parts(251_276_002, 5597)
			.saturating_add(Weight::from_parts(8_091, 0).saturating_mul(p.into()))
			.saturating_add(Weight::from_parts(13_223_786, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(11_u64))
			.saturating_add(Weight::from_parts(0, 3752).saturating_mul(m.into()))
	}
	/// Component `n` in `[1, 32]`.
	fn submit_jobs(n: u32, ) -> Weight {
		// Proof size measured `1938`, estimated `5597` bytes.
		Weight::from_parts(103_146_934, 5597)
			.saturating_add(Weight::from_parts(231_574_217, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
	}
	/// Component `n` in `[1, 32]`.
	fn acknowledge(n: u32, ) -> Weight {
		// Proof size measured `192`, estimated `1617` bytes.
		Weight::from_parts(28_049_590, 1617)
			.saturating_add(Weight::from_parts(40_435_909, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52054).saturating_mul(n.into()))
	}
	/// Component `o` in `[0, 32768]`.
	fn submit_result(o: u32, ) -> Weight {
		// Proof size measured `18443`, estimated `53044` bytes.
		Weight::from_parts(619_497_537, 53044)
			.saturating_add(Weight::from_parts(7_978, 0).saturating_mul(o.into()))
			.saturating_add(T::DbWeight::get().reads(13_u64))
			.saturating_add(T::DbWeight::get().writes(13_u64))
	}
	/// Component `n` in `[1, 32]`.
	fn submit_results(n: u32, ) -> Weight {
		// Proof size measured `1897`, estimated `19863` bytes.
		Weight::from_parts(608_626_000, 19863)
			.saturating_add(Weight::from_parts(450_097_392, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().writes((7_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52054).saturating_mul(n.into()))
	}
	fn report_failure() -> Weight {
		// Proof size measured `2235`, estimated `53044` bytes.
		Weight::from_parts(172_687_000, 53044)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	fn cancel_job() -> Weight {
		// Proof size measured `17054`, estimated `53044` bytes.
		Weight::from_parts(164_565_000, 53044)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	fn handle_deadline() -> Weight {
		// Proof size measured `96705`, estimated `241118` bytes.
		Weight::from_parts(1_213_076_000, 241118)
			.saturating_add(T::DbWeight::get().reads(88_u64))
			.saturating_add(T::DbWeight::get().writes(27_u64))
	}
	fn assign_queued() -> Weight {
		// Proof size measured `94063`, estimated `241118` bytes.
		Weight::from_parts(1_504_099_000, 241118)
			.saturating_add(T::DbWeight::get().reads(72_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	fn prune_job() -> Weight {
		// Proof size measured `49453`, estimated `53044` bytes.
		Weight::from_parts(136_152_000, 53044)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn submit_job(p: u32, m: u32, ) -> Weight {
		Weight::from_parts(251_276_002, 5597)
			.saturating_add(Weight::from_parts(8_091, 0).saturating_mul(p.into()))
			.saturating_add(Weight::from_parts(13_223_786, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(11_u64))
			.saturating_add(Weight::from_parts(0, 3752).saturating_mul(m.into()))
	}
	fn submit_jobs(n: u32, ) -> Weight {
		Weight::from_parts(103_146_934, 5597)
			.saturating_add(Weight::from_parts(231_574_217, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
			.saturating_add(ParityDbWeight::get().writes((4_u64).saturating_mul(n.into())))
	}
	fn acknowledge(n: u32, ) -> Weight {
		Weight::from_parts(28_049_590, 1617)
			.saturating_add(Weight::from_parts(40_435_909, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes((3_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52054).saturating_mul(n.into()))
	}
	fn submit_result(o: u32, ) -> Weight {
		Weight::from_parts(619_497_537, 53044)
			.saturating_add(Weight::from_parts(7_978, 0).saturating_mul(o.into()))
			.saturating_add(ParityDbWeight::get().reads(13_u64))
			.saturating_add(ParityDbWeight::get().writes(13_u64))
	}
	fn submit_results(n: u32, ) -> Weight {
		Weight::from_parts(608_626_000, 19863)
			.saturating_add(Weight::from_parts(450_097_392, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().reads((4_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
			.saturating_add(ParityDbWeight::get().writes((7_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 52054).saturating_mul(n.into()))
	}
	fn report_failure() -> Weight {
		Weight::from_parts(172_687_000, 53044)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
	}
	fn cancel_job() -> Weight {
		Weight::from_parts(164_565_000, 53044)
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
	}
	fn handle_deadline() -> Weight {
		Weight::from_parts(1_213_076_000, 241118)
			.saturating_add(ParityDbWeight::get().reads(88_u64))
			.saturating_add(ParityDbWeight::get().writes(27_u64))
	}
	fn assign_queued() -> Weight {
		Weight::from_parts(1_504_099_000, 241118)
			.saturating_add(ParityDbWeight::get().reads(72_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	fn prune_job() -> Weight {
		Weight::from_parts(136_152_000, 53044)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
}
