
//! Weights for `pallet_aitbc_miners`, measured by frame-benchmarking 64.0.0 on 2026-11-22.
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
	fn update(m: u32, ) -> Weight;
	fn heartbeat() -> Weight;
	fn go_offline() -> Weight;
	fn go_online() -> Weight;
	fn deregister(m: u32, ) -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn bond_extra() -> Weight;
	fn rotate_operator(m: u32, ) -> Weight;
}

/// Measured weights, with the runtime's own database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Component `m` in `[1, 16]`.
	fn register(m: u32, ) -> Weight {
		// Proof size measured `113`, estimated `4738` bytes.
		// + ~60 us for the operator proof (sr25519), not in the measurement above
		Weight::from_parts(166_007_141, 4738)
			.saturating_add(Weight::from_parts(5_474_105, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	/// Component `m` in `[1, 16]`.
	fn update(m: u32, ) -> Weight {
		// Proof size measured `3356`, estimated `74702` bytes.
		Weight::from_parts(279_015_812, 74702)
			.saturating_add(Weight::from_parts(8_964_052, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(18_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(17_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn heartbeat() -> Weight {
		// Proof size measured `383`, estimated `4738` bytes.
		Weight::from_parts(40_372_000, 4738)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn go_offline() -> Weight {
		// Proof size measured `383`, estimated `4738` bytes.
		Weight::from_parts(25_179_000, 4738)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn go_online() -> Weight {
		// Proof size measured `383`, estimated `4738` bytes.
		Weight::from_parts(34_891_000, 4738)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Component `m` in `[1, 16]`.
	fn deregister(m: u32, ) -> Weight {
		// Proof size measured `378`, estimated `4738` bytes.
		Weight::from_parts(55_096_973, 4738)
			.saturating_add(Weight::from_parts(10_772_775, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn withdraw_unbonded() -> Weight {
		// Proof size measured `256`, estimated `3593` bytes.
		Weight::from_parts(149_740_000, 3593)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	// Not measured yet (added with issue 11): bounded above by `withdraw_unbonded`'s hold
	// change plus the miner record read and write.
	fn bond_extra() -> Weight {
		Weight::from_parts(160_000_000, 4738)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	// Not measured yet (added with issue 11): `update` (re-indexing every model) twice plus an
	// sr25519 verification (~60 us) and the record move.
	fn rotate_operator(m: u32, ) -> Weight {
		Weight::from_parts(360_000_000, 74702)
			.saturating_add(Weight::from_parts(17_928_104, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes(20_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 9214).saturating_mul(m.into()))
	}
}

/// The same measurements with ParityDB weights, for tests and mocks.
impl WeightInfo for () {
	fn register(m: u32, ) -> Weight {
		// + ~60 us for the operator proof (sr25519), not in the measurement above
		Weight::from_parts(166_007_141, 4738)
			.saturating_add(Weight::from_parts(5_474_105, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn update(m: u32, ) -> Weight {
		Weight::from_parts(279_015_812, 74702)
			.saturating_add(Weight::from_parts(8_964_052, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(18_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(17_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(40_372_000, 4738)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn go_offline() -> Weight {
		Weight::from_parts(25_179_000, 4738)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn go_online() -> Weight {
		Weight::from_parts(34_891_000, 4738)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn deregister(m: u32, ) -> Weight {
		Weight::from_parts(55_096_973, 4738)
			.saturating_add(Weight::from_parts(10_772_775, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 4607).saturating_mul(m.into()))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(149_740_000, 3593)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	// Not measured yet (added with issue 11): bounded above by `withdraw_unbonded`'s hold
	// change plus the miner record read and write.
	fn bond_extra() -> Weight {
		Weight::from_parts(160_000_000, 4738)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	// Not measured yet (added with issue 11): `update` (re-indexing every model) twice plus an
	// sr25519 verification (~60 us) and the record move.
	fn rotate_operator(m: u32, ) -> Weight {
		Weight::from_parts(360_000_000, 74702)
			.saturating_add(Weight::from_parts(17_928_104, 0).saturating_mul(m.into()))
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(m.into())))
			.saturating_add(ParityDbWeight::get().writes(20_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 9214).saturating_mul(m.into()))
	}
}
