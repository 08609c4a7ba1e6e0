//! # AITBC escrow
//!
//! Holds each job's budget on the client's own account, under the hold reason
//! [`HoldReason::JobBudget`], from submission until the job ends; then either
//!
//! - **settles** it ([`JobEscrow::settle`]): the price minus the protocol fee goes to the miner,
//!   the fee to the treasury, the rest back to the client; or
//! - **refunds** it in full ([`JobEscrow::refund`]): failure, expiry or cancellation.
//!
//! The jobs pallet uses it only through the [`JobEscrow`] trait. The pallet has no calls.
//!
//! The escrow stores no record per budget: a job's budget is its client and `max_price`,
//! which the job's own record holds; the escrow keeps the holds and their total
//! ([`TotalHeld`]), so holding and settling a budget writes no storage item of its own.
//!
//! Invariants (checked by `try_state` and after every test): [`TotalHeld`] equals what all
//! accounts have on hold for budgets (here), and every client's hold equals the budgets of its
//! open jobs (the jobs pallet's `try_state`).

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use aitbc_primitives::JobId;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::traits::{CheckedSub, Saturating, Zero};

pub use aitbc_traits::{Budget, JobEscrow, Settlement};

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::BlockNumberFor;

	/// The balance type of the currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency budgets are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The account protocol fees are paid to.
		type Treasury: Get<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A job's budget, held from submission until the job ends.
		#[codec(index = 0)]
		JobBudget,
	}

	/// Sum of all open budgets.
	#[pallet::storage]
	pub type TotalHeld<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job's budget was put on hold.
		BudgetHeld { job_id: JobId, client: T::AccountId, amount: BalanceOf<T> },
		/// A job's budget was settled: the miner paid, the fee to the treasury, the rest
		/// refunded.
		BudgetSettled {
			job_id: JobId,
			miner: T::AccountId,
			to_miner: BalanceOf<T>,
			fee: BalanceOf<T>,
			refunded: BalanceOf<T>,
		},
		/// A job's budget was returned to the client in full.
		BudgetRefunded { job_id: JobId, client: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The client's free balance cannot cover the budget (plus the existential deposit).
		/// Lower the maximum price or top up the account.
		InsufficientBalance,
		/// The client does not have the budget on hold (it was settled or refunded already).
		NotHeld,
		/// The price (or the fee) exceeds the budget.
		PriceAboveBudget,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		fn reason() -> T::RuntimeHoldReason {
			HoldReason::JobBudget.into()
		}

		/// Checks the escrow's invariant: [`TotalHeld`] is what all accounts have on hold for
		/// job budgets. (That each client's hold is the sum of its open jobs' budgets is the
		/// jobs pallet's invariant: the jobs are where the budgets are recorded.)
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			let mut total = BalanceOf::<T>::zero();
			for who in frame_system::Account::<T>::iter_keys() {
				total = total.saturating_add(T::Currency::balance_on_hold(&Self::reason(), &who));
			}
			ensure!(total == TotalHeld::<T>::get(), "TotalHeld differs from the holds");
			Ok(())
		}

		/// Takes `amount` of `client`'s hold back into the escrow's books; `NotHeld` when the
		/// client has less on hold.
		fn ensure_held(client: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			use frame_support::traits::fungible::InspectHold;
			ensure!(
				T::Currency::balance_on_hold(&Self::reason(), client) >= amount,
				Error::<T>::NotHeld
			);
			Ok(())
		}
	}

	impl<T: Config> JobEscrow<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn hold(budget: Budget<'_, T::AccountId, BalanceOf<T>>) -> DispatchResult {
			let Budget { job, client, amount } = budget;
			T::Currency::hold(&Self::reason(), client, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			TotalHeld::<T>::mutate(|t| *t = t.saturating_add(amount));
			Self::deposit_event(Event::BudgetHeld { job_id: job, client: client.clone(), amount });
			Ok(())
		}

		fn settle(
			budget: Budget<'_, T::AccountId, BalanceOf<T>>,
			miner: &T::AccountId,
			price: BalanceOf<T>,
			fee: BalanceOf<T>,
		) -> Result<Settlement<BalanceOf<T>>, DispatchError> {
			let Budget { job, client, amount } = budget;
			let refunded = amount.checked_sub(&price).ok_or(Error::<T>::PriceAboveBudget)?;
			let to_miner = price.checked_sub(&fee).ok_or(Error::<T>::PriceAboveBudget)?;
			Self::ensure_held(client, amount)?;
			let reason = Self::reason();
			// Pay straight out of the hold, then release the rest: whatever else the client did
			// with its balance since (a vote or delegation locks it, conviction voting's locks
			// reach held funds too), the budget it put on hold pays. A payee below the existential
			// deposit is an error, not a silent loss.
			let pay = |to: &T::AccountId, amount: BalanceOf<T>| -> DispatchResult {
				if !amount.is_zero() {
					T::Currency::transfer_on_hold(
						&reason,
						client,
						to,
						amount,
						Precision::Exact,
						Restriction::Free,
						Fortitude::Force,
					)?;
				}
				Ok(())
			};
			pay(miner, to_miner)?;
			pay(&T::Treasury::get(), fee)?;
			if !refunded.is_zero() {
				T::Currency::release(&reason, client, refunded, Precision::Exact)?;
			}
			TotalHeld::<T>::mutate(|t| *t = t.saturating_sub(amount));
			Self::deposit_event(Event::BudgetSettled {
				job_id: job,
				miner: miner.clone(),
				to_miner,
				fee,
				refunded,
			});
			Ok(Settlement { to_miner, fee, refunded })
		}

		fn refund(
			budget: Budget<'_, T::AccountId, BalanceOf<T>>,
		) -> Result<BalanceOf<T>, DispatchError> {
			let Budget { job, client, amount } = budget;
			Self::ensure_held(client, amount)?;
			T::Currency::release(&Self::reason(), client, amount, Precision::Exact)?;
			TotalHeld::<T>::mutate(|t| *t = t.saturating_sub(amount));
			Self::deposit_event(Event::BudgetRefunded {
				job_id: job,
				client: client.clone(),
				amount,
			});
			Ok(amount)
		}

		fn held_by(client: &T::AccountId) -> BalanceOf<T> {
			use frame_support::traits::fungible::InspectHold;
			T::Currency::balance_on_hold(&Self::reason(), client)
		}

		fn total_held() -> BalanceOf<T> {
			TotalHeld::<T>::get()
		}
	}
}
