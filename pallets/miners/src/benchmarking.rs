//! Benchmarks for `pallet_aitbc_miners`.

#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::*;
use aitbc_primitives::UnitType;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Bounded;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = BalanceOf::<T>::max_value() / 4u32.into();
	T::Currency::set_balance(&who, amount);
	who
}

/// An offer of `m` distinct models with the longest ids.
fn offer<T: Config>(m: u32, tag: u8) -> MinerOfferOf<T> {
	let models: alloc::vec::Vec<ModelIdOf<T>> = (0..m)
		.map(|i| {
			let mut id = alloc::vec![tag; T::MaxModelIdLen::get() as usize];
			id[..4].copy_from_slice(&i.to_le_bytes());
			id.try_into().expect("MaxModelIdLen bytes fit")
		})
		.collect();
	MinerOffer {
		models: BoundedVec::try_from(models).expect("m <= MaxModels"),
		unit_type: UnitType::OutputToken,
		unit_price: 1u32.into(),
		capacity: T::MaxCapacity::get(),
		gpu: GpuInfo {
			name: alloc::vec![b'G'; T::MaxGpuNameLen::get() as usize]
				.try_into()
				.expect("MaxGpuNameLen bytes fit"),
			vram_mib: 81_920,
			count: 8,
		},
	}
}

fn registered<T: Config>(m: u32) -> (T::AccountId, T::AccountId) {
	let owner = funded::<T>("owner", 0);
	let operator: T::AccountId = account("operator", 0, 0);
	Pallet::<T>::do_register(
		owner.clone(),
		operator.clone(),
		offer::<T>(m, b'a'),
		T::Params::get().min_stake,
	)
	.expect("registration works");
	(owner, operator)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register(m: Linear<1, { T::MaxModels::get() }>) {
		let owner = funded::<T>("owner", 0);
		let (operator, proof) = T::BenchmarkHelper::operator(0, &owner);
		let stake = T::Params::get().min_stake;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), operator.clone(), offer::<T>(m, b'a'), stake, proof);

		assert!(MinerRecords::<T>::contains_key(&operator));
	}

	#[benchmark]
	fn bond_extra() {
		let (owner, operator) = registered::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), T::Params::get().min_stake);

		assert!(
			MinerRecords::<T>::get(&operator).map(|m| m.stake) > Some(T::Params::get().min_stake)
		);
	}

	#[benchmark]
	fn rotate_operator(m: Linear<1, { T::MaxModels::get() }>) {
		let (owner, old) = registered::<T>(m);
		let (new, proof) = T::BenchmarkHelper::operator(1, &owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), new.clone(), proof);

		assert!(!MinerRecords::<T>::contains_key(&old) && MinerRecords::<T>::contains_key(&new));
	}

	#[benchmark]
	fn update(m: Linear<1, { T::MaxModels::get() }>) {
		let (owner, operator) = registered::<T>(T::MaxModels::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), offer::<T>(m, b'b'));

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.offer.models.len() as u32), Some(m));
	}

	/// A heartbeat changes no status: one record read and written.
	#[benchmark]
	fn heartbeat() {
		let (_, operator) = registered::<T>(T::MaxModels::get());
		let now = frame_system::Pallet::<T>::block_number() + 1u32.into();
		frame_system::Pallet::<T>::set_block_number(now);

		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()));

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.last_heartbeat), Some(now));
	}

	/// The longest endpoint the chain takes, on a registered miner.
	#[benchmark]
	fn set_endpoint() {
		let (_, operator) = registered::<T>(1);
		let mut url = b"https://".to_vec();
		url.resize(T::MaxEndpointLen::get() as usize, b'a');
		let url: EndpointOf<T> = url.try_into().expect("MaxEndpointLen bytes fit");

		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()), Some(url.clone()));

		assert_eq!(Endpoints::<T>::get(&operator), Some(url));
	}

	#[benchmark]
	fn go_offline() {
		let (_, operator) = registered::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()));

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.status), Some(MinerStatus::Offline));
	}

	#[benchmark]
	fn go_online() {
		let (_, operator) = registered::<T>(1);
		Pallet::<T>::do_set_offline(operator.clone()).expect("active miner goes offline");

		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()));

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.status), Some(MinerStatus::Active));
	}

	#[benchmark]
	fn deregister(m: Linear<1, { T::MaxModels::get() }>) {
		let (owner, operator) = registered::<T>(m);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()));

		assert!(!MinerRecords::<T>::contains_key(&operator));
		assert!(Unbondings::<T>::contains_key(&owner));
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let (owner, _) = registered::<T>(1);
		Pallet::<T>::do_deregister(owner.clone()).expect("idle miner deregisters");
		let unlock_at = Unbondings::<T>::get(&owner).map(|u| u.unlock_at).unwrap_or_default();
		frame_system::Pallet::<T>::set_block_number(unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()));

		assert!(!Unbondings::<T>::contains_key(&owner));
	}

	/// Indexing a miner under `m` models whose indexes are full (`MaxMinersPerModel`), each
	/// scanned to its last entry, a miner with a stale heartbeat serving `MaxModels` models,
	/// which is evicted from all of them. Added to the weight of every call that indexes a
	/// miner (`register`, `update`, `rotate_operator`, `go_online`, a `heartbeat` ending a jail
	/// term).
	#[benchmark]
	fn index_with_eviction(m: Linear<1, { T::MaxModels::get() }>) {
		let models = offer::<T>(m, b'n').models;
		let per_model = T::MaxMinersPerModel::get();
		let params = T::Params::get();
		let mut fillers = alloc::vec::Vec::new();
		for (j, model) in models.iter().enumerate() {
			for i in 0..per_model {
				let index = j as u32 * per_model + i;
				let owner: T::AccountId = account("filler-owner", index, 0);
				T::Currency::set_balance(&owner, params.min_stake * 2u32.into());
				let operator: T::AccountId = account("filler", index, 0);
				let mut filler = offer::<T>(1, b'f');
				let mut served = alloc::vec![model.clone()];
				if i + 1 == per_model {
					// the stale one, last in the index, serves the most models
					let pads = offer::<T>(T::MaxModels::get() - 1, b'p' + j as u8).models;
					served.extend(pads);
				}
				filler.models = served.try_into().expect("at most MaxModels");
				Pallet::<T>::do_register(owner, operator.clone(), filler, params.min_stake)
					.expect("room in the index");
				fillers.push(operator);
			}
		}
		let now =
			frame_system::Pallet::<T>::block_number() + params.heartbeat_timeout + 1u32.into();
		frame_system::Pallet::<T>::set_block_number(now);
		for (k, operator) in fillers.iter().enumerate() {
			if (k as u32 + 1) % per_model != 0 {
				MinerRecords::<T>::mutate(operator, |r| {
					if let Some(r) = r {
						r.last_heartbeat = now
					}
				});
			}
		}
		let newcomer: T::AccountId = account("newcomer", 0, 0);

		#[block]
		{
			Pallet::<T>::index_models(&newcomer, &models).expect("stale miners make room");
		}

		for model in models.iter() {
			assert!(MinersByModel::<T>::get(model).contains(&newcomer));
		}
	}

	/// Banning an active miner serving `m` models takes it out of `m` indexes.
	#[benchmark]
	fn ban(m: Linear<1, { T::MaxModels::get() }>) -> Result<(), BenchmarkError> {
		let (owner, operator) = registered::<T>(m);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, owner.clone());

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.status), Some(MinerStatus::Banned));
		Ok(())
	}

	#[benchmark]
	fn unban() -> Result<(), BenchmarkError> {
		let (owner, operator) = registered::<T>(1);
		Pallet::<T>::do_ban(owner.clone()).expect("registered owner is banned");
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, owner.clone());

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.status), Some(MinerStatus::Offline));
		Ok(())
	}

	#[benchmark]
	fn end_jail() -> Result<(), BenchmarkError> {
		let (owner, operator) = registered::<T>(1);
		MinerRecords::<T>::mutate(&operator, |r| {
			if let Some(r) = r {
				r.status = MinerStatus::Jailed;
				r.jailed_until = 1_000u32.into();
			}
		});
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, owner.clone());

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.status), Some(MinerStatus::Offline));
		Ok(())
	}

	/// The dearer path: the owner's miner is registered, so the amount goes back on hold.
	#[benchmark]
	fn reverse_slash() -> Result<(), BenchmarkError> {
		let (owner, operator) = registered::<T>(1);
		let amount: BalanceOf<T> = 1_000u32.into();
		SlashedStake::<T>::insert(&owner, amount);
		T::Currency::set_balance(&T::Treasury::get(), BalanceOf::<T>::max_value() / 4u32.into());
		let stake = MinerRecords::<T>::get(&operator).map(|r| r.stake).unwrap_or_default();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, owner.clone(), amount);

		assert_eq!(MinerRecords::<T>::get(&operator).map(|r| r.stake), Some(stake + amount));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::new_test_ext(), crate::mock::Test);
}
