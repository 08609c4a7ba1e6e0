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
			.saturating_add(
				RocksDbWeight::get()
					.reads_writes(3_u64.saturating_mul(n as u64), 2_u64.saturating_mul(n as u64)),
			)
	}
	fn submit_result(o: u32) -> Weight {
		Weight::from_parts(200_000_000, 60_000)
			.saturating_add(Weight::from_parts(3_000, 1).saturating_mul(o.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(14, 12))
	}
	fn submit_results(n: u32, o: u32) -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(Weight::from_parts(200_000_000, 60_000).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(3_000, 1).saturating_mul(n.saturating_mul(o).into()))
			.saturating_add(
				RocksDbWeight::get()
					.reads_writes(14_u64.saturating_mul(n as u64), 12_u64.saturating_mul(n as u64)),
			)
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
			.saturating_add(RocksDbWeight::get().reads_writes(
				1_u64.saturating_add(12_u64.saturating_mul(n as u64)),
				1_u64.saturating_add(10_u64.saturating_mul(n as u64)),
			))
	}
	fn on_initialize_assign(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(100_000_000, 60_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(
				2_u64.saturating_add(8_u64.saturating_mul(n as u64)),
				1_u64.saturating_add(4_u64.saturating_mul(n as u64)),
			))
	}
	fn on_idle_prune(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(20_000_000, 50_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(
				1_u64.saturating_add(n as u64),
				1_u64.saturating_add(2_u64.saturating_mul(n as u64)),
			))
	}
}
