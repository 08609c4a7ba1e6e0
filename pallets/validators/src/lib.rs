//! # AITBC validator set
//!
//! Who produces blocks (Aura) and votes on finality (GRANDPA) is decided by `pallet-session`,
//! session by session, from the set this pallet manages; governance changes it without a
//! restart or a new chain. The pallet is the session's [`pallet_session::SessionManager`] and
//! its [`pallet_session::ShouldEndSession`] (sessions of [`SessionLength`] blocks).
//!
//! ## How a validator joins
//!
//! 1. The operator generates session keys on its node (`author_rotateKeys`) and registers them
//!    with `Session::set_keys(keys, proof)`, signed by its validator account (a key deposit
//!    is held until `Session::purge_keys`).
//! 2. The admin origin (in the runtime: Root, or a referendum on the `validator_admin` track)
//!    calls [`Pallet::add_validator`]. Validators without registered keys are refused.
//! 3. At the end of the current session the new set is queued; it is active from the session
//!    after (between one and two session lengths after the call). Aura and GRANDPA authorities
//!    change then, announced by the session's `NewSession` event and GRANDPA's
//!    `NewAuthorities`.
//!
//! [`Pallet::remove_validator`] works the same way and never leaves fewer than
//! [`Config::MinValidators`]. [`Pallet::set_session_length`] changes the session length; the new
//! length applies from the next block whose number is a multiple of it.
//!
//! ## The set before governance first changes it
//!
//! The genesis set is the one of the session's genesis keys (the chain spec's `session.keys`,
//! which tools such as zombienet rewrite). [`Validators`] is empty until the first change; until
//! then the set is the session's current validators, which is what the first change starts
//! from.

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

pub use pallet::*;

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use weights::WeightInfo;

/// What the benchmarks need of the session pallet.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` count as having registered session keys.
	fn register_keys(who: &AccountId);
}

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{ValidatorRegistration, ValidatorSet},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{CheckedAdd, CheckedDiv, Saturating, UniqueSaturatedInto, Zero};
	use sp_staking::SessionIndex;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The session pallet: the active set, and whether an account has registered keys.
		type Session: ValidatorSet<Self::AccountId, ValidatorId = Self::AccountId>
			+ ValidatorRegistration<Self::AccountId>;
		/// Who may add and remove validators and set the session length.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The largest validator set (the consensus pallets' `MaxAuthorities`).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The smallest validator set a removal may leave.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// The shortest session, in blocks.
		#[pallet::constant]
		type MinSessionLength: Get<BlockNumberFor<Self>>;
		/// The longest session, in blocks.
		#[pallet::constant]
		type MaxSessionLength: Get<BlockNumberFor<Self>>;
		/// The session length of a chain whose genesis does not set one.
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Registers session keys for the benchmarks' accounts.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The validator set governance asked for, applied at the next session rotation. Empty
	/// until governance first changes the set (the set is then the session's genesis set).
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the last rotation (the next rotation queues it).
	#[pallet::storage]
	pub type SetChanged<T> = StorageValue<_, bool, ValueQuery>;

	/// The session length in blocks: a session ends at every block whose number is a multiple
	/// of it.
	#[pallet::storage]
	pub type SessionLength<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, T::DefaultSessionLength>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The session length; `None` keeps [`Config::DefaultSessionLength`].
		pub session_length: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(length) = self.session_length {
				assert!(
					Pallet::<T>::session_length_allowed(length),
					"genesis session length out of the allowed range"
				);
				SessionLength::<T>::put(length);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the set at the session after next.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the set at the session after next.
		ValidatorRemoved { who: T::AccountId },
		/// The session length is now `blocks`.
		SessionLengthSet { blocks: BlockNumberFor<T> },
		/// The changed set was handed to the session pallet for `session` (it becomes active
		/// then).
		ValidatorSetQueued { session: SessionIndex, validators: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already in the validator set.
		AlreadyValidator,
		/// The account is not in the validator set.
		NotValidator,
		/// The account has no session keys: it must call `Session::set_keys` first.
		NoSessionKeys,
		/// The set is at `MaxValidators`.
		TooManyValidators,
		/// The removal would leave fewer than `MinValidators`.
		TooFewValidators,
		/// The session length is outside `MinSessionLength..=MaxSessionLength`.
		SessionLengthOutOfRange,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinValidators::get() >= 1, "a chain needs a validator");
			assert!(T::MinValidators::get() <= T::MaxValidators::get());
			assert!(!T::MinSessionLength::get().is_zero(), "sessions of zero blocks");
			assert!(T::MinSessionLength::get() <= T::MaxSessionLength::get());
			assert!(Self::session_length_allowed(T::DefaultSessionLength::get()));
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who` to the validator set from the session after next. `who` must have
		/// registered session keys (`Session::set_keys`).
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::ValidatorAdded`].
		#[pallet::call_index(0)]
		// Benchmarked with a planned set; before the first change the session's set is read
		// instead (one more read).
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get())
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(T::Session::is_registered(&who), Error::<T>::NoSessionKeys);
			let mut set = Self::planned();
			ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
			set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Self::plan(set);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Removes `who` from the validator set from the session after next; never below
		/// [`Config::MinValidators`]. Its session keys stay registered until it purges them.
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::ValidatorRemoved`].
		#[pallet::call_index(1)]
		// Benchmarked with a planned set; before the first change the session's set is read
		// instead (one more read).
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get())
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let mut set = Self::planned();
			let before = set.len();
			set.retain(|v| v != &who);
			ensure!(set.len() < before, Error::<T>::NotValidator);
			ensure!(set.len() >= T::MinValidators::get() as usize, Error::<T>::TooFewValidators);
			Self::plan(set);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// Sets the session length, in blocks: the next session ends at the next block whose
		/// number is a multiple of `blocks`.
		///
		/// Origin: [`Config::AdminOrigin`]. Emits [`Event::SessionLengthSet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_session_length())]
		pub fn set_session_length(
			origin: OriginFor<T>,
			blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(Self::session_length_allowed(blocks), Error::<T>::SessionLengthOutOfRange);
			SessionLength::<T>::put(blocks);
			Self::deposit_event(Event::SessionLengthSet { blocks });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The set the next rotation will queue: governance's, or the session's current one
		/// before governance first changed it.
		pub fn planned() -> BoundedVec<T::AccountId, T::MaxValidators> {
			let set = Validators::<T>::get();
			if !set.is_empty() {
				return set;
			}
			// The session's set is bounded by the consensus pallets' `MaxAuthorities`, which
			// `MaxValidators` equals in the runtime; a longer one is cut, not lost silently:
			// the next change writes what is kept.
			BoundedVec::truncate_from(T::Session::validators())
		}

		fn plan(set: BoundedVec<T::AccountId, T::MaxValidators>) {
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
		}

		/// How many blocks of the current session are behind `now`'s (`None` without a
		/// session length, which the range checks exclude).
		fn session_position(now: BlockNumberFor<T>) -> Option<BlockNumberFor<T>> {
			let length = SessionLength::<T>::get();
			now.checked_div(&length)
				.map(|sessions| now.saturating_sub(sessions.saturating_mul(length)))
		}

		fn session_length_allowed(blocks: BlockNumberFor<T>) -> bool {
			(T::MinSessionLength::get()..=T::MaxSessionLength::get()).contains(&blocks)
		}

		/// The pallet's invariants: a planned set is within bounds and has no duplicates, the
		/// session length is in range.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			if !set.is_empty() {
				ensure!(
					set.len() >= T::MinValidators::get() as usize,
					"planned set below MinValidators"
				);
				let mut sorted: Vec<_> = set.iter().collect();
				sorted.sort();
				sorted.dedup();
				ensure!(sorted.len() == set.len(), "duplicate validator in the planned set");
			}
			ensure!(
				Self::session_length_allowed(SessionLength::<T>::get()),
				"session length out of range"
			);
			ensure!(!SetChanged::<T>::get() || !set.is_empty(), "a change without a set");
			Ok(())
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
			if !SetChanged::<T>::take() {
				return None;
			}
			let set = Validators::<T>::get();
			Self::deposit_event(Event::ValidatorSetQueued {
				session: new_index,
				validators: set.len() as u32,
			});
			Some(set.into_inner())
		}

		fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
			// The genesis set is the session's genesis keys.
			None
		}

		fn end_session(_end_index: SessionIndex) {}

		fn start_session(_start_index: SessionIndex) {}
	}

	impl<T: Config> pallet_session::ShouldEndSession<BlockNumberFor<T>> for Pallet<T> {
		fn should_end_session(now: BlockNumberFor<T>) -> bool {
			Self::session_position(now).is_some_and(|position| position.is_zero())
		}
	}

	impl<T: Config> frame_support::traits::EstimateNextSessionRotation<BlockNumberFor<T>>
		for Pallet<T>
	{
		fn average_session_length() -> BlockNumberFor<T> {
			SessionLength::<T>::get()
		}

		fn estimate_current_session_progress(
			now: BlockNumberFor<T>,
		) -> (Option<sp_runtime::Permill>, Weight) {
			let length: u64 = SessionLength::<T>::get().unique_saturated_into();
			let progress = Self::session_position(now).map(|position| {
				// The blocks of this session done, counting the current one.
				let done: u64 = position.unique_saturated_into();
				sp_runtime::Permill::from_rational(done.saturating_add(1), length)
			});
			(progress, T::DbWeight::get().reads(1))
		}

		fn estimate_next_session_rotation(
			now: BlockNumberFor<T>,
		) -> (Option<BlockNumberFor<T>>, Weight) {
			let next = Self::session_position(now).and_then(|position| {
				now.saturating_sub(position).checked_add(&SessionLength::<T>::get())
			});
			(next, T::DbWeight::get().reads(1))
		}
	}
}
