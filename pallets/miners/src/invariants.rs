//! The pallet's invariants, checked by `try_state` and after every test.

use crate::*;
use frame_support::pallet_prelude::*;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Checks the registry's invariants: each model's index holds exactly the active miners
	/// serving it (offline and jailed ones leave it), in-flight counts
	/// never exceed capacity, each owner's hold covers its stake; a miner is banned exactly
	/// when its owner is; only registered miners have an endpoint.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		for (operator, miner) in MinerRecords::<T>::iter() {
			ensure!(
				OperatorOf::<T>::get(&miner.owner).as_ref() == Some(&operator),
				"OperatorOf does not point back to the miner"
			);
			for model in miner.offer.models.iter() {
				ensure!(
					MinersByModel::<T>::get(model).contains(&operator)
						== (miner.status == MinerStatus::Active),
					"a model's index does not hold exactly its active miners"
				);
			}
			ensure!(
				(miner.status == MinerStatus::Banned)
					== BannedOwners::<T>::contains_key(&miner.owner),
				"a miner is banned without its owner, or the reverse"
			);
			ensure!(miner.in_flight <= T::MaxCapacity::get(), "in_flight above MaxCapacity");
			let unbonding =
				Unbondings::<T>::get(&miner.owner).map(|u| u.amount).unwrap_or_default();
			ensure!(
				T::Currency::balance_on_hold(&Self::reason(), &miner.owner)
					== miner.stake.saturating_add(unbonding),
				"an owner's stake hold differs from its record"
			);
		}
		for (owner, unbonding) in Unbondings::<T>::iter() {
			if OperatorOf::<T>::contains_key(&owner) {
				continue;
			}
			ensure!(
				T::Currency::balance_on_hold(&Self::reason(), &owner) == unbonding.amount,
				"an unbonding owner's hold differs from its record"
			);
		}
		for operator in Endpoints::<T>::iter_keys() {
			ensure!(
				MinerRecords::<T>::contains_key(&operator),
				"an endpoint of no registered miner"
			);
		}
		for (model, operators) in MinersByModel::<T>::iter() {
			for operator in operators.iter() {
				let miner =
					MinerRecords::<T>::get(operator).ok_or("index names an unknown miner")?;
				ensure!(miner.offer.models.contains(&model), "index names a model not served");
				ensure!(miner.status == MinerStatus::Active, "index names an inactive miner");
			}
		}
		Ok(())
	}
}
