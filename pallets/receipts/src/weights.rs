//! Weights for `pallet_aitbc_receipts`, from `scripts/gen-weights`.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed by `pallet_aitbc_receipts`.
pub trait WeightInfo {
	fn claim_receipt() -> Weight;
}

impl WeightInfo for () {
	fn claim_receipt() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 3))
	}
}
