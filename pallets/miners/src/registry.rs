//! The miner registry as the jobs pallet sees it ([`MinerRegistry`]): selection
//! (`selection.rs`), in-flight counts, and judging a job's end (`slashing.rs`).

use crate::*;
use frame_support::traits::Get;

impl<T: Config> MinerRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn select(
		needs: &JobNeeds<'_, BalanceOf<T>>,
		exclude: &[T::AccountId],
	) -> Option<MinerTermsOf<T>> {
		Self::select_miner(needs, exclude)
	}

	fn job_assigned(operator: &T::AccountId) {
		MinerRecords::<T>::mutate(operator, |entry| {
			if let Some(miner) = entry {
				miner.in_flight = miner.in_flight.saturating_add(1);
			}
		});
	}

	fn job_ended(terms: &MinerTermsOf<T>, outcome: JobOutcome) {
		Self::judge(terms, outcome)
	}

	fn terms(operator: &T::AccountId) -> Option<MinerTermsOf<T>> {
		MinerRecords::<T>::get(operator).map(|miner| MinerTerms {
			operator: operator.clone(),
			owner: miner.owner,
			unit_type: miner.offer.unit_type,
			unit_price: miner.offer.unit_price,
		})
	}

	fn candidates(model: &[u8]) -> u32 {
		let Ok(model) = ModelIdOf::<T>::try_from(model.to_vec()) else { return 0 };
		MinersByModel::<T>::decode_len(&model).unwrap_or(0) as u32
	}

	fn max_candidates() -> u32 {
		T::MaxMinersPerModel::get()
	}

	fn max_capacity() -> u32 {
		T::MaxCapacity::get()
	}
}
