//! What governance may do to a miner (the `miner_admin` track, or Root): ban and unban its
//! owner, end its jail early, give back stake it lost to slashes.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::Preservation,
	},
};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Bans `owner`: its miner leaves every index and takes no job until unbanned; it may
	/// still finish the jobs it holds, deregister and withdraw its stake. The ban outlives the
	/// miner: a banned owner cannot register again.
	pub(crate) fn do_ban(owner: T::AccountId) -> DispatchResult {
		ensure!(!BannedOwners::<T>::contains_key(&owner), Error::<T>::AlreadyBanned);
		let operator = OperatorOf::<T>::get(&owner);
		if let Some(operator) = &operator {
			Self::mutate_miner(operator, |miner| {
				if miner.status == MinerStatus::Active {
					Self::unindex_models(operator, &miner.offer.models);
				}
				miner.status = MinerStatus::Banned;
				Ok(())
			})?;
		} else {
			ensure!(Unbondings::<T>::contains_key(&owner), Error::<T>::NotRegistered);
		}
		BannedOwners::<T>::insert(&owner, ());
		Self::deposit_event(Event::MinerBanned { owner, operator });
		Ok(())
	}

	/// Lifts the ban of `owner`; its miner (if registered) is offline until its operator's
	/// `go_online`.
	pub(crate) fn do_unban(owner: T::AccountId) -> DispatchResult {
		ensure!(BannedOwners::<T>::take(&owner).is_some(), Error::<T>::NotBanned);
		if let Some(operator) = OperatorOf::<T>::get(&owner) {
			Self::mutate_miner(&operator, |miner| {
				miner.status = MinerStatus::Offline;
				Ok(())
			})?;
		}
		Self::deposit_event(Event::MinerUnbanned { owner });
		Ok(())
	}

	/// Ends the jail term of `owner`'s miner now and clears its run of misses; a jailed miner
	/// is offline until its operator's `go_online`. Also ends a term still running for a miner
	/// that went offline or was banned and unbanned while jailed (a ban itself stays).
	pub(crate) fn do_end_jail(owner: T::AccountId) -> DispatchResult {
		let operator = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::mutate_miner(&operator, |miner| {
			ensure!(
				miner.status == MinerStatus::Jailed || miner.jailed_until > now,
				Error::<T>::NotJailed
			);
			if miner.status == MinerStatus::Jailed {
				miner.status = MinerStatus::Offline;
			}
			miner.jailed_until = now;
			miner.consecutive_misses = 0;
			Ok(())
		})?;
		Self::deposit_event(Event::JailEnded { owner, operator });
		Ok(())
	}

	/// Pays `amount` of what `owner` lost to slashes back from the treasury. It goes back on
	/// hold as stake when the owner's miner is registered, else to the owner's free balance.
	pub(crate) fn do_reverse_slash(owner: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let slashed = SlashedStake::<T>::get(&owner);
		ensure!(amount <= slashed, Error::<T>::AboveSlashed);
		T::Currency::transfer(&T::Treasury::get(), &owner, amount, Preservation::Preserve)
			.map_err(|_| Error::<T>::TreasuryCannotPay)?;
		let operator = OperatorOf::<T>::get(&owner);
		if let Some(operator) = &operator {
			Self::mutate_miner(operator, |miner| {
				T::Currency::hold(&Self::reason(), &owner, amount)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
				miner.stake = miner.stake.saturating_add(amount);
				Ok(())
			})?;
		}
		let left = slashed.saturating_sub(amount);
		if left.is_zero() {
			SlashedStake::<T>::remove(&owner);
		} else {
			SlashedStake::<T>::insert(&owner, left);
		}
		Self::deposit_event(Event::SlashReversed { owner, amount, restaked: operator.is_some() });
		Ok(())
	}

	/// Whether `owner` is banned.
	pub fn is_banned(owner: &T::AccountId) -> bool {
		BannedOwners::<T>::contains_key(owner)
	}
}
