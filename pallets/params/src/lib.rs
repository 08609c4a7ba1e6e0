//! # AITBC marketplace parameters
//!
//! One governed record, [`MarketParams`], holds every tunable number of the marketplace: the
//! minimum miner stake, the protocol fee, the slash fraction, the liveness and job timeouts, the
//! per-client open-job limit, the receipt reward and its emission cap, the retention period.
//! The miners, jobs and receipts pallets read it through [`Get`]; nothing else stores them.
//!
//! ## Calls
//!
//! - [`Pallet::set_parameters`]: the governance origin (in the runtime, Root or a referendum
//!   on the `market_params` track, `docs/governance.md`)
//!   replaces the record; it is validated first and announced with
//!   [`Event::ParametersSet`]. Validation refuses every record that would reopen an attack of
//!   `docs/design.md` ("Economic security"): a default TTL shorter than the smallest job's
//!   window, more assignment attempts than jobs can record, a reward share of 100 % of the fee,
//!   an emission cap below what was already minted, zero timeouts and limits.

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

pub use pallet::*;

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use aitbc_traits::MarketParams;
pub use weights::WeightInfo;

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::Saturating, Perbill};

	/// The balance type of the parameters.
	pub type BalanceOf<T> = <T as Config>::Balance;
	/// The parameters as this runtime stores them.
	pub type MarketParamsOf<T> = MarketParams<BalanceOf<T>, BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The balance type the parameters are expressed in.
		type Balance: Parameter + MaxEncodedLen + Copy + Default + Ord + From<u32>;
		/// Who may change the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The parameters before governance first sets them.
		type DefaultParams: Get<MarketParamsOf<Self>>;
		/// The jobs pallet's bound on `max_assign_attempts` (the length of a job's tried list).
		#[pallet::constant]
		type MaxAssignAttempts: Get<u32>;
		/// What the receipt rewards have minted so far; `emission_cap` may not go below it.
		type Emitted: Get<Self::Balance>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The current marketplace parameters.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, MarketParamsOf<T>, ValueQuery, T::DefaultParams>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The governance origin replaced the marketplace parameters.
		ParametersSet { params: MarketParamsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A timeout or period is zero. Every timeout must be at least one block.
		ZeroTimeout,
		/// The default job TTL exceeds the maximum TTL. Set `default_ttl <= max_ttl`.
		DefaultTtlAboveMax,
		/// The queue timeout or the ack timeout is not shorter than the maximum TTL, so no job
		/// could ever be assigned in time. Shorten them or raise `max_ttl`.
		TimeoutAboveTtl,
		/// A limit (`max_open_jobs_per_client`, `max_assign_attempts`, `jail_after_misses`,
		/// `min_tokens_per_second`, `min_fee`, `min_stake`) is zero. Each must be at least one.
		ZeroLimit,
		/// `default_ttl` is shorter than the smallest job's full window
		/// (`ack_timeout + min_result_time + 2`), so default jobs could not be run fairly.
		DefaultTtlBelowWindow,
		/// `max_assign_attempts` is above the runtime's bound `MaxAssignAttempts`.
		TooManyAttempts,
		/// `receipt_retention` is shorter than `retention_period`: a stored job would point at a
		/// pruned receipt.
		ReceiptRetentionBelowJobRetention,
		/// `reward_fee_share` is 100 %: rewards could then pay back every fee and make jobs
		/// among one owner's accounts free. Set it below 100 %.
		RewardShareNotBelowFee,
		/// `emission_cap` is below what the rewards have already minted.
		EmissionCapBelowEmitted,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				Pallet::<T>::validate(&T::DefaultParams::get()).is_ok(),
				"the default marketplace parameters are invalid"
			);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Replaces the marketplace parameters.
		///
		/// Origin: the governance origin. Emits [`Event::ParametersSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, params: MarketParamsOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::validate(&params)?;
			Parameters::<T>::put(params.clone());
			Self::deposit_event(Event::ParametersSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks that `params` describe a marketplace that can work.
		pub fn validate(params: &MarketParamsOf<T>) -> Result<(), Error<T>> {
			let zero = BlockNumberFor::<T>::zero();
			let periods = [
				params.heartbeat_timeout,
				params.ack_timeout,
				params.queue_timeout,
				params.min_result_time,
				params.default_ttl,
				params.max_ttl,
				params.unbonding_period,
				params.retention_period,
				params.receipt_retention,
				params.jail_period,
			];
			ensure!(periods.iter().all(|p| *p > zero), Error::<T>::ZeroTimeout);
			ensure!(params.default_ttl <= params.max_ttl, Error::<T>::DefaultTtlAboveMax);
			ensure!(
				params.queue_timeout < params.max_ttl && params.ack_timeout < params.max_ttl,
				Error::<T>::TimeoutAboveTtl
			);
			ensure!(
				params.max_open_jobs_per_client > 0
					&& params.min_fee > T::Balance::default()
					&& params.min_stake > T::Balance::default()
					&& params.max_assign_attempts > 0
					&& params.jail_after_misses > 0
					&& params.min_tokens_per_second > 0,
				Error::<T>::ZeroLimit
			);
			ensure!(
				params.default_ttl >= Self::smallest_window(params),
				Error::<T>::DefaultTtlBelowWindow
			);
			ensure!(
				params.max_assign_attempts <= T::MaxAssignAttempts::get(),
				Error::<T>::TooManyAttempts
			);
			ensure!(params.reward_fee_share < Perbill::one(), Error::<T>::RewardShareNotBelowFee);
			ensure!(
				params.receipt_retention >= params.retention_period,
				Error::<T>::ReceiptRetentionBelowJobRetention
			);
			ensure!(params.emission_cap >= T::Emitted::get(), Error::<T>::EmissionCapBelowEmitted);
			Ok(())
		}

		/// The full window of the smallest job: `ack_timeout` blocks to acknowledge, then
		/// `min_result_time` blocks plus one block of generation, plus the block the deadline
		/// is checked in.
		pub fn smallest_window(params: &MarketParamsOf<T>) -> BlockNumberFor<T> {
			params.ack_timeout.saturating_add(params.min_result_time).saturating_add(2u32.into())
		}
	}

	impl<T: Config> Get<MarketParamsOf<T>> for Pallet<T> {
		fn get() -> MarketParamsOf<T> {
			Parameters::<T>::get()
		}
	}
}
