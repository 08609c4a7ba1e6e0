//! Weights for `pallet_aitbc_miners`, from `scripts/gen-weights`.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed by `pallet_aitbc_miners`.
pub trait WeightInfo {
	fn register(m: u32) -> Weight;
	fn update(m: u32) -> Weight;
	fn heartbeat() -> Weight;
	fn go_offline() -> Weight;
	fn go_online() -> Weight;
	fn deregister(m: u32) -> Weight;
	fn withdraw_unbonded() -> Weight;
}

impl WeightInfo for () {
	fn register(m: u32) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(5_000_000, 3_000).saturating_mul(m.into()))
			.saturating_add(
				RocksDbWeight::get()
					.reads_writes(4_u64.saturating_add(m as u64), 3_u64.saturating_add(m as u64)),
			)
	}
	fn update(m: u32) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(10_000_000, 6_000).saturating_mul(m.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(
				2_u64.saturating_add(2_u64.saturating_mul(m as u64)),
				1_u64.saturating_add(2_u64.saturating_mul(m as u64)),
			))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(15_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn go_offline() -> Weight {
		Weight::from_parts(15_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn go_online() -> Weight {
		Weight::from_parts(15_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn deregister(m: u32) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(5_000_000, 3_000).saturating_mul(m.into()))
			.saturating_add(
				RocksDbWeight::get()
					.reads_writes(3_u64.saturating_add(m as u64), 3_u64.saturating_add(m as u64)),
			)
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(35_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
}
