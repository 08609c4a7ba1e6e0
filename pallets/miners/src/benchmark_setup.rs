//! [`JobsBenchmarkSetup`]: what the jobs pallet's benchmarks need from the market (funded
//! accounts, registered miners), provided by this pallet for runtimes that use it.

use crate::{BalanceOf, Config, GpuInfo, MinerOffer, Pallet};
use aitbc_primitives::UnitType;
use aitbc_traits::BenchmarkSetup;
use core::marker::PhantomData;
use frame_support::traits::{fungible::Mutate, Get};
use sp_runtime::traits::{Bounded, Saturating};

/// Funds accounts through this pallet's currency and registers miners directly.
pub struct JobsBenchmarkSetup<T>(PhantomData<T>);

impl<T: Config> BenchmarkSetup<T::AccountId, BalanceOf<T>> for JobsBenchmarkSetup<T> {
	fn fund(who: &T::AccountId) {
		let amount = BalanceOf::<T>::max_value() / 1_024u32.into();
		let _ = T::Currency::set_balance(who, amount);
	}

	fn register_miner(operator: &T::AccountId, index: u32, model: &[u8]) {
		let owner: T::AccountId = frame_benchmarking::account("miner-owner", index, 7);
		Self::fund(&owner);
		let stake = T::Params::get().min_stake.saturating_mul(10u32.into());
		let model = model.to_vec().try_into().unwrap_or_default();
		let offer = MinerOffer {
			models: alloc::vec![model].try_into().unwrap_or_default(),
			unit_type: UnitType::OutputToken,
			unit_price: 1u32.into(),
			capacity: T::MaxCapacity::get(),
			gpu: GpuInfo { name: Default::default(), vram_mib: 81_920, count: 1 },
		};
		// Set-up only: the operator's proof of possession is benchmarked with `register`.
		let registered = Pallet::<T>::do_register(owner, operator.clone(), offer, stake);
		debug_assert!(registered.is_ok(), "benchmark miner registration failed: {registered:?}");
	}

	fn max_price() -> BalanceOf<T> {
		1_000_000u32.into()
	}

	fn max_miners_per_model() -> u32 {
		T::MaxMinersPerModel::get()
	}
}
