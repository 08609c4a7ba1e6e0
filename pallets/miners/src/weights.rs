
//! Weights for `pallet_aitbc_miners`, measured by frame-benchmarking 64.0.0 on 2026-11-23.
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
//!   pallet_aitbc_miners
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
//!   pallets/miners/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs, clippy::all)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions of `pallet_aitbc_miners`.
pub trait WeightInfo {
	fn register(m: u32, ) -> Weight;
	fn bond_extra() -> Weight;
	fn rotate_operator(m: u32, ) -> Weight;
	fn update(m: u32, ) -> Weight;
	fn heartbeat() -> Weight;
	fn go_offline() -> Weight;
	fn go_online() -> Weight;
	fn deregister(m: u32, ) -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn index_with_eviction(m: u32, ) -> Weight;
	fn ban(m: u32, ) -> Weight;
	fn unban() -> Weight;
	fn end_jail() -> Weight;
	fn reverse_slash() -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Component `m` in `[1, 16]`.
	fn register(m: u32, ) -> Weight {
		// Proof size measured `167`, estimated `4742` bytes.
		Weight::from_parts(141_809_075, 4742)
			.saturating_add(Weight::from_parts(5_854_652, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn bond_extra() -> Weight {
		// Proof size measured `614`, estimated `4742` bytes.
		Weight::from_parts(68_863_000, 4742)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn rotate_operator(m: u32, ) -> Weight {
		// Proof size measured `430`, estimated `8494` bytes.
		Weight::from_parts(89_740_495, 8494)
			.saturating_add(Weight::from_parts(9_873_941, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	/// Component `m` in `[1, 16]`.
	fn update(m: u32, ) -> Weight {
		// Proof size measured `3360`, estimated `74702` bytes.
		Weight::from_parts(109_230_586, 74702)
			.saturating_add(Weight::from_parts(5_408_530, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(18_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(17_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn heartbeat() -> Weight {
		// Proof size measured `1377`, estimated `4742` bytes.
		Weight::from_parts(17_927_000, 4742)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn go_offline() -> Weight {
		// Proof size measured `493`, estimated `5597` bytes.
		Weight::from_parts(21_142_000, 5597)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn go_online() -> Weight {
		// Proof size measured `354`, estimated `5597` bytes.
		Weight::from_parts(20_831_000, 5597)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn deregister(m: u32, ) -> Weight {
		// Proof size measured `382`, estimated `4742` bytes.
		Weight::from_parts(25_592_219, 4742)
			.saturating_add(Weight::from_parts(5_676_104, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn withdraw_unbonded() -> Weight {
		// Proof size measured `294`, estimated `3593` bytes.
		Weight::from_parts(56_183_000, 3593)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn index_with_eviction(m: u32, ) -> Weight {
		// Proof size measured `134`, estimated `1617` bytes.
		Weight::from_parts(463_320_000, 1617)
			.saturating_add(Weight::from_parts(548_379_958, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((80_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((17_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 240128).saturating_mul(m.into()))
	}
	fn ban(m: u32, ) -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
	}
	fn unban() -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn end_jail() -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn reverse_slash() -> Weight {
		Weight::from_parts(80_000_000, 4742)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn register(m: u32, ) -> Weight {
		Weight::from_parts(141_809_075, 4742)
			.saturating_add(Weight::from_parts(5_854_652, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(68_863_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn rotate_operator(m: u32, ) -> Weight {
		Weight::from_parts(89_740_495, 8494)
			.saturating_add(Weight::from_parts(9_873_941, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn update(m: u32, ) -> Weight {
		Weight::from_parts(109_230_586, 74702)
			.saturating_add(Weight::from_parts(5_408_530, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(18_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(17_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(17_927_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn go_offline() -> Weight {
		Weight::from_parts(21_142_000, 5597)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn go_online() -> Weight {
		Weight::from_parts(20_831_000, 5597)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn deregister(m: u32, ) -> Weight {
		Weight::from_parts(25_592_219, 4742)
			.saturating_add(Weight::from_parts(5_676_104, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(56_183_000, 3593)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn index_with_eviction(m: u32, ) -> Weight {
		Weight::from_parts(463_320_000, 1617)
			.saturating_add(Weight::from_parts(548_379_958, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((80_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes((17_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 240128).saturating_mul(m.into()))
	}
	fn ban(m: u32, ) -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
	}
	fn unban() -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn end_jail() -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn reverse_slash() -> Weight {
		Weight::from_parts(80_000_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
}
