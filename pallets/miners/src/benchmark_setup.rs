//! [`JobsBenchmarkSetup`]: what the jobs pallet's benchmarks need from the market (funded
//! accounts, registered miners), provided by this pallet for runtimes that use it.

use crate::{BalanceOf, Config, GpuInfo, MinerOffer, MinerRecords, ModelIdOf, Pallet};
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
		let model: ModelIdOf<T> = model.to_vec().try_into().unwrap_or_default();
		let mut models = alloc::vec![model];
		for pad in 1..T::MaxModels::get() {
			let mut id = alloc::vec![b'p'; T::MaxModelIdLen::get() as usize];
			id[..4].copy_from_slice(&pad.to_le_bytes());
			models.push(id.try_into().unwrap_or_default());
		}
		let offer = MinerOffer {
			models: models.try_into().unwrap_or_default(),
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

	fn one_miss_from_jail(operator: &T::AccountId) {
		let misses = T::Params::get().jail_after_misses.saturating_sub(1);
		MinerRecords::<T>::mutate(operator, |miner| {
			if let Some(miner) = miner {
				miner.consecutive_misses = misses;
			}
		});
	}

	fn max_miners_per_model() -> u32 {
		T::MaxMinersPerModel::get()
	}
}
