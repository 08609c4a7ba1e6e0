
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
	fn set_endpoint() -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Component `m` in `[1, 16]`.
	fn register(m: u32, ) -> Weight {
		// Proof size measured `166`, estimated `4742` bytes.
		Weight::from_parts(131_571_452, 4742)
			.saturating_add(Weight::from_parts(5_691_954, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn bond_extra() -> Weight {
		// Proof size measured `613`, estimated `4742` bytes.
		Weight::from_parts(69_463_000, 4742)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn rotate_operator(m: u32, ) -> Weight {
		// Proof size measured `429`, estimated `8494` bytes.
		Weight::from_parts(87_045_447, 8494)
			.saturating_add(Weight::from_parts(9_987_095, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	/// Component `m` in `[1, 16]`.
	fn update(m: u32, ) -> Weight {
		// Proof size measured `3359`, estimated `74702` bytes.
		Weight::from_parts(108_824_811, 74702)
			.saturating_add(Weight::from_parts(5_376_530, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(18_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(17_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn heartbeat() -> Weight {
		// Proof size measured `1376`, estimated `4742` bytes.
		Weight::from_parts(17_486_000, 4742)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn go_offline() -> Weight {
		// Proof size measured `492`, estimated `5597` bytes.
		Weight::from_parts(21_381_000, 5597)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn go_online() -> Weight {
		// Proof size measured `353`, estimated `5597` bytes.
		Weight::from_parts(24_156_000, 5597)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn deregister(m: u32, ) -> Weight {
		// Proof size measured `381`, estimated `4742` bytes.
		Weight::from_parts(25_249_698, 4742)
			.saturating_add(Weight::from_parts(5_713_856, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn withdraw_unbonded() -> Weight {
		// Proof size measured `293`, estimated `3622` bytes.
		Weight::from_parts(55_903_000, 3622)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn index_with_eviction(m: u32, ) -> Weight {
		// Proof size measured `133`, estimated `1617` bytes.
		Weight::from_parts(454_897_000, 1617)
			.saturating_add(Weight::from_parts(616_678_793, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((80_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((17_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 240128).saturating_mul(m.into()))
	}
	/// Component `m` in `[1, 16]`.
	fn ban(m: u32, ) -> Weight {
		// Proof size measured `375`, estimated `4742` bytes.
		Weight::from_parts(23_250_508, 4742)
			.saturating_add(Weight::from_parts(5_851_999, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn unban() -> Weight {
		// Proof size measured `491`, estimated `4742` bytes.
		Weight::from_parts(24_216_000, 4742)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn end_jail() -> Weight {
		// Proof size measured `455`, estimated `4742` bytes.
		Weight::from_parts(20_020_000, 4742)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn reverse_slash() -> Weight {
		// Proof size measured `802`, estimated `6196` bytes.
		Weight::from_parts(134_319_000, 6196)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn set_endpoint() -> Weight {
		// Not measured yet (its benchmark is `set_endpoint`; scripts/gen-weights replaces this):
		// `heartbeat`'s measured record read and write, one more write, and the event.
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn register(m: u32, ) -> Weight {
		Weight::from_parts(131_571_452, 4742)
			.saturating_add(Weight::from_parts(5_691_954, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(69_463_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn rotate_operator(m: u32, ) -> Weight {
		Weight::from_parts(87_045_447, 8494)
			.saturating_add(Weight::from_parts(9_987_095, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn update(m: u32, ) -> Weight {
		Weight::from_parts(108_824_811, 74702)
			.saturating_add(Weight::from_parts(5_376_530, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(18_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(17_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(17_486_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn go_offline() -> Weight {
		Weight::from_parts(21_381_000, 5597)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn go_online() -> Weight {
		Weight::from_parts(24_156_000, 5597)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn deregister(m: u32, ) -> Weight {
		Weight::from_parts(25_249_698, 4742)
			.saturating_add(Weight::from_parts(5_713_856, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(55_903_000, 3622)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn index_with_eviction(m: u32, ) -> Weight {
		Weight::from_parts(454_897_000, 1617)
			.saturating_add(Weight::from_parts(616_678_793, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().reads((80_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes((17_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 240128).saturating_mul(m.into()))
	}
	fn ban(m: u32, ) -> Weight {
		Weight::from_parts(23_250_508, 4742)
			.saturating_add(Weight::from_parts(5_851_999, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn unban() -> Weight {
		Weight::from_parts(24_216_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn end_jail() -> Weight {
		Weight::from_parts(20_020_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn reverse_slash() -> Weight {
		Weight::from_parts(134_319_000, 6196)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn set_endpoint() -> Weight {
		Weight::from_parts(25_000_000, 4742)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
}
