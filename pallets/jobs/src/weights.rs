//! Weights for `pallet_aitbc_jobs`, from `scripts/gen-weights`.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed by `pallet_aitbc_jobs`.
pub trait WeightInfo {
	fn submit_job(p: u32) -> Weight;
	fn acknowledge(n: u32) -> Weight;
	fn submit_result(o: u32) -> Weight;
	fn submit_results(n: u32, o: u32) -> Weight;
	fn report_failure() -> Weight;
	fn cancel_job() -> Weight;
	fn on_initialize_deadlines(n: u32) -> Weight;
	fn on_initialize_assign(n: u32) -> Weight;
	fn on_idle_prune(n: u32) -> Weight;
}

impl WeightInfo for () {
	fn submit_job(p: u32) -> Weight {
		Weight::from_parts(120_000_000, 20_000)
			.saturating_add(Weight::from_parts(2_000, 1).saturating_mul(p.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(12, 10))
	}
	fn acknowledge(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(Weight::from_parts(40_000_000, 50_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(3 * n as u64, 2 * n as u64))
	}
	fn submit_result(o: u32) -> Weight {
		Weight::from_parts(200_000_000, 60_000)
			.saturating_add(Weight::from_parts(3_000, 1).saturating_mul(o.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(14, 12))
	}
	fn submit_results(n: u32, o: u32) -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(Weight::from_parts(200_000_000, 60_000).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(3_000, 1).saturating_mul((n * o).into()))
			.saturating_add(RocksDbWeight::get().reads_writes(14 * n as u64, 12 * n as u64))
	}
	fn report_failure() -> Weight {
		Weight::from_parts(100_000_000, 60_000)
			.saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn cancel_job() -> Weight {
		Weight::from_parts(100_000_000, 60_000)
			.saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn on_initialize_deadlines(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(150_000_000, 60_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(1 + 12 * n as u64, 1 + 10 * n as u64))
	}
	fn on_initialize_assign(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(100_000_000, 60_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2 + 8 * n as u64, 1 + 4 * n as u64))
	}
	fn on_idle_prune(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(20_000_000, 50_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(1 + n as u64, 1 + 2 * n as u64))
	}
}
