//! How a job's end is judged for its miner, and the penalties for a missed deadline: lost
//! reputation, `slash_fraction` of the stake to the treasury (also from unbonding stake), and
//! jail for `jail_period` blocks after `jail_after_misses` misses in a row.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// A job held under `terms` ended: one less in flight, and the outcome judged. A rated
	/// completion raises reputation and clears the run of misses; a failure report costs
	/// reputation; a missed deadline [punishes](Self::punish) (reputation, slash, jail). When the
	/// miner has deregistered since, its unbonding stake answers for a miss.
	pub(crate) fn judge(terms: &MinerTermsOf<T>, outcome: JobOutcome) {
		let operator = &terms.operator;
		let registered = MinerRecords::<T>::mutate(operator, |entry| {
			let Some(miner) = entry.as_mut().filter(|m| m.owner == terms.owner) else {
				return false;
			};
			miner.in_flight = miner.in_flight.saturating_sub(1);
			match outcome {
				// Unrated (self-dealt, fee below min_fee) completions neither raise
				// reputation nor clear a run of misses.
				JobOutcome::Completed { rated: true } => {
					miner.reputation.record_success();
					miner.consecutive_misses = 0;
				}
				JobOutcome::Completed { rated: false } => {}
				JobOutcome::Failed => miner.reputation.record_failure(),
				JobOutcome::Missed => Self::punish(operator, miner),
				JobOutcome::Released => {}
			}
			true
		});
		if !registered {
			Self::unbonding_job_ended(terms, outcome);
		}
	}

	/// Moves `slash_fraction` of `stake` (held for `owner`) to the treasury; returns how much
	/// moved.
	pub(crate) fn slash(owner: &T::AccountId, stake: BalanceOf<T>) -> BalanceOf<T> {
		let amount = T::Params::get().slash_fraction.mul_floor(stake);
		if amount.is_zero() {
			return amount;
		}
		T::Currency::transfer_on_hold(
			&Self::reason(),
			owner,
			&T::Treasury::get(),
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.inspect(|moved| {
			SlashedStake::<T>::mutate(owner, |total| *total = total.saturating_add(*moved))
		})
		.unwrap_or_default()
	}

	/// Slashes a miner that missed a deadline, and jails it for `jail_period` blocks after
	/// too many misses in a row.
	pub(crate) fn punish(operator: &T::AccountId, miner: &mut MinerRecordOf<T>) {
		let params = T::Params::get();
		miner.reputation.record_failure();
		miner.consecutive_misses = miner.consecutive_misses.saturating_add(1);
		let slashed = Self::slash(&miner.owner, miner.stake);
		if !slashed.is_zero() {
			miner.stake = miner.stake.saturating_sub(slashed);
			Self::deposit_event(Event::MinerSlashed {
				operator: operator.clone(),
				amount: slashed,
			});
		}
		if miner.consecutive_misses >= params.jail_after_misses
			&& !matches!(miner.status, MinerStatus::Jailed | MinerStatus::Banned)
		{
			let until =
				frame_system::Pallet::<T>::block_number().saturating_add(params.jail_period);
			if miner.status == MinerStatus::Active {
				Self::unindex_models(operator, &miner.offer.models);
			}
			miner.status = MinerStatus::Jailed;
			miner.jailed_until = until;
			Self::deposit_event(Event::MinerJailed {
				operator: operator.clone(),
				misses: miner.consecutive_misses,
				until,
			});
		}
	}

	/// A job held by a miner that deregistered since ended: one less in flight, and a miss
	/// slashes the unbonding stake.
	pub(crate) fn unbonding_job_ended(terms: &MinerTermsOf<T>, outcome: JobOutcome) {
		Unbondings::<T>::mutate(&terms.owner, |entry| {
			let Some(unbonding) = entry else { return };
			if unbonding.operator != terms.operator {
				return;
			}
			unbonding.in_flight = unbonding.in_flight.saturating_sub(1);
			if outcome == JobOutcome::Missed {
				let slashed = Self::slash(&terms.owner, unbonding.amount);
				if !slashed.is_zero() {
					unbonding.amount = unbonding.amount.saturating_sub(slashed);
					Self::deposit_event(Event::UnbondingSlashed {
						owner: terms.owner.clone(),
						amount: slashed,
					});
				}
			}
		});
	}
}
