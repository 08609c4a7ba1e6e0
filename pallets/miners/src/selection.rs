//! Which miner a job goes to: eligibility and score, the quote clients see.

use crate::*;
use aitbc_primitives::UnitType;
use aitbc_traits::MarketParams;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use sp_runtime::{
	traits::{Bounded, Saturating},
	Perbill,
};

/// A selection candidate: score, price, operator, record.
type Candidate<T> = (u128, BalanceOf<T>, <T as frame_system::Config>::AccountId, MinerRecordOf<T>);

impl<T: Config> Pallet<T> {
	/// The best miner for `needs` among those indexed for its model, skipping `exclude`: the
	/// highest [score](Self::score), then the cheaper, then the lower operator key.
	pub(crate) fn select_miner(
		needs: &JobNeeds<'_, BalanceOf<T>>,
		exclude: &[T::AccountId],
	) -> Option<MinerTermsOf<T>> {
		let model: ModelIdOf<T> = needs.model.to_vec().try_into().ok()?;
		let params = T::Params::get();
		let now = frame_system::Pallet::<T>::block_number();
		let mut best: Option<Candidate<T>> = None;
		for operator in MinersByModel::<T>::get(&model) {
			if exclude.contains(&operator) {
				continue;
			}
			let Some(miner) = MinerRecords::<T>::get(&operator) else { continue };
			let Some(score) = Self::score(&miner, needs, &params, now) else { continue };
			let price = miner.offer.unit_price;
			// Highest score (lowest effective price) first; then the cheaper; then the lower
			// operator key.
			let better = match &best {
				None => true,
				Some((s, p, o, _)) => {
					(score, core::cmp::Reverse(price), core::cmp::Reverse(&operator))
						> (*s, core::cmp::Reverse(*p), core::cmp::Reverse(o))
				}
			};
			if better {
				best = Some((score, price, operator, miner));
			}
		}
		best.map(|(_, _, operator, miner)| MinerTerms {
			operator,
			owner: miner.owner,
			unit_type: miner.offer.unit_type,
			unit_price: miner.offer.unit_price,
		})
	}

	/// Whether `miner` may be given a job of `needs` now, and its score if so: the higher,
	/// the better. The score is an inverse effective price:
	/// `reputation × free capacity share × stake bonus ÷ worst-case price`, where the stake
	/// bonus runs from 1× at `min_stake` to at most 2× at twice `min_stake`. A miner half as
	/// reputable must be half as cheap to win.
	pub(crate) fn score(
		miner: &MinerRecordOf<T>,
		needs: &JobNeeds<'_, BalanceOf<T>>,
		params: &MarketParams<BalanceOf<T>, BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
	) -> Option<u128> {
		let fresh = now.saturating_sub(miner.last_heartbeat) <= params.heartbeat_timeout;
		let free = miner.offer.capacity.saturating_sub(miner.in_flight);
		let reputation = miner.reputation.score();
		if miner.status != MinerStatus::Active
			|| !fresh || free == 0
			|| miner.stake < params.min_stake
			|| reputation < needs.min_reputation
		{
			return None;
		}
		let max_units = Self::max_units(miner.offer.unit_type, needs.max_tokens, params);
		let worst_price = miner.offer.unit_price.saturating_mul(
			BalanceOf::<T>::try_from(max_units).unwrap_or_else(|_| BalanceOf::<T>::max_value()),
		);
		if worst_price > needs.max_price {
			return None;
		}
		// Stake bonus in percent: 100 at min_stake, at most 200 (twice min_stake or more).
		let min_stake: u128 = params.min_stake.try_into().unwrap_or(u128::MAX).max(1);
		let stake: u128 = miner.stake.try_into().unwrap_or(u128::MAX);
		let stake_percent =
			stake.saturating_mul(100).checked_div(min_stake).unwrap_or(100).clamp(100, 200);
		let load_factor = Perbill::from_rational(free, miner.offer.capacity);
		// reputation and load in millionths: quality <= 10^6 * 10^6 * 200 = 2 * 10^14
		let millionths = |p: Perbill| u128::from(p.deconstruct() / 1_000);
		let quality = millionths(reputation)
			.saturating_mul(millionths(load_factor))
			.saturating_mul(stake_percent);
		let price: u128 = worst_price.try_into().unwrap_or(u128::MAX).max(1);
		// scaled by 10^18 so that prices up to ~10^30 planck still order correctly
		Some(quality.saturating_mul(1_000_000_000_000_000_000).checked_div(price).unwrap_or(0))
	}

	/// How many miners could take a job on `model` of `max_tokens` now, and the lowest
	/// worst-case price among them.
	pub fn quote(model: &[u8], max_tokens: u32) -> (u32, Option<BalanceOf<T>>) {
		let Ok(model) = ModelIdOf::<T>::try_from(model.to_vec()) else { return (0, None) };
		let needs = JobNeeds {
			model: &model,
			max_tokens,
			max_price: BalanceOf::<T>::max_value(),
			min_reputation: Perbill::zero(),
		};
		let params = T::Params::get();
		let now = frame_system::Pallet::<T>::block_number();
		let mut available = 0u32;
		let mut min_price: Option<BalanceOf<T>> = None;
		for operator in MinersByModel::<T>::get(&model) {
			let Some(miner) = MinerRecords::<T>::get(&operator) else { continue };
			if Self::score(&miner, &needs, &params, now).is_none() {
				continue;
			}
			available = available.saturating_add(1);
			let units = Self::max_units(miner.offer.unit_type, max_tokens, &params);
			let price = miner.offer.unit_price.saturating_mul(
				BalanceOf::<T>::try_from(units).unwrap_or_else(|_| BalanceOf::<T>::max_value()),
			);
			min_price = Some(min_price.map_or(price, |p| p.min(price)));
		}
		(available, min_price)
	}

	/// The most units a job of `max_tokens` can bill with `unit_type`.
	pub fn max_units(
		unit_type: UnitType,
		max_tokens: u32,
		params: &MarketParams<BalanceOf<T>, BlockNumberFor<T>>,
	) -> u64 {
		unit_type.max_units_for_tokens(max_tokens).unwrap_or_else(|| {
			u64::from(max_tokens).div_ceil(u64::from(params.min_tokens_per_second.max(1)))
		})
	}
}
