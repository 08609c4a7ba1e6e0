//! A [`BenchmarkHelper`] for runtimes that use this crate's sibling pallets (miners, params).

use crate::{BalanceOf, BenchmarkHelper, Config};
use aitbc_primitives::UnitType;
use core::marker::PhantomData;
use frame_support::traits::{fungible::Mutate, Get};
use pallet_aitbc_miners::{GpuInfo, MinerOffer};
use sp_runtime::traits::{Bounded, Saturating};

/// Funds accounts through the miners' currency and registers miners through
/// `pallet_aitbc_miners`.
pub struct MarketBenchmarkHelper<T>(PhantomData<T>);

impl<T> BenchmarkHelper<T::AccountId, BalanceOf<T>> for MarketBenchmarkHelper<T>
where
	T: Config + pallet_aitbc_miners::Config,
{
	fn fund(who: &T::AccountId) {
		let amount = pallet_aitbc_miners::BalanceOf::<T>::max_value() / 1_024u32.into();
		let _ = <T as pallet_aitbc_miners::Config>::Currency::set_balance(who, amount);
	}

	fn register_miner(operator: &T::AccountId, index: u32, model: &[u8]) {
		let owner: T::AccountId = frame_benchmarking::account("miner-owner", index, 7);
		Self::fund(&owner);
		let stake = <T as pallet_aitbc_miners::Config>::Params::get()
			.min_stake
			.saturating_mul(10u32.into());
		let model = model.to_vec().try_into().unwrap_or_default();
		let offer = MinerOffer {
			models: alloc::vec![model].try_into().unwrap_or_default(),
			unit_type: UnitType::OutputToken,
			unit_price: 1u32.into(),
			capacity: <T as pallet_aitbc_miners::Config>::MaxCapacity::get(),
			gpu: GpuInfo { name: Default::default(), vram_mib: 81_920, count: 1 },
		};
		// Set-up only: the operator's proof of possession is benchmarked with `register`.
		let registered =
			pallet_aitbc_miners::Pallet::<T>::do_register(owner, operator.clone(), offer, stake);
		debug_assert!(registered.is_ok(), "benchmark miner registration failed: {registered:?}");
	}

	fn max_price() -> BalanceOf<T> {
		1_000_000u32.into()
	}
}
