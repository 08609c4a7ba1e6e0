//! # AITBC miner registry
//!
//! GPU operators register here to be assigned inference jobs.
//!
//! ## Overview
//!
//! An **owner** account registers a miner under an **operator** (hot) key, the key the
//! `aitbc-miner` daemon signs with. The operator key must be sr25519: registration carries its
//! signature over [`aitbc_primitives::operator_proof_bytes`] (genesis hash and owner), which
//! also shows that the key consents to run this owner's miner. The owner's stake (at least the
//! governed `min_stake`) is held under [`HoldReason::MinerStake`]; `bond_extra` adds to it and
//! `rotate_operator` moves the miner to a new operator key. A registration carries the miner's
//! [`MinerOffer`]: the models it serves, its unit type and price, its capacity and its GPUs.
//!
//! - **Liveness**: the operator sends heartbeats. A miner whose last heartbeat is older than
//!   `heartbeat_timeout` is not assigned new jobs. Being inactive is not a penalty.
//! - **Reputation**: a bounded Beta-style score ([`reputation`]). Rated completed jobs raise it
//!   (see [`JobOutcome::Completed`]); giving a job up and missed deadlines lower it.
//! - **Selection**: the lowest effective price wins: the job's worst-case price divided by the
//!   miner's reputation, its free capacity share and a stake bonus of at most 2×.
//! - **Slashing**: each missed deadline slashes `slash_fraction` of the stake to the treasury;
//!   `jail_after_misses` misses in a row jail the miner for `jail_period` blocks, after which
//!   its operator's heartbeat or `go_online` releases it.
//! - **Leaving**: `deregister` stops new assignments at once and starts an unbonding period.
//!   Jobs the miner still holds run to their end, and a miss among them slashes the unbonding
//!   stake. `withdraw_unbonded` releases the stake once the period has passed and no job is
//!   left in flight.
//!
//! The jobs pallet sees the registry only through [`MinerRegistry`]: selection, in-flight
//! accounting and outcomes. Selection reads the per-model index [`MinersByModel`], bounded by
//! [`Config::MaxMinersPerModel`]; no call or hook iterates an unbounded map.
//!
//! One owner has at most one miner.

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

pub use pallet::*;

pub mod reputation;
mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use reputation::Reputation;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aitbc_primitives::UnitType;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
	};
	use frame_system::pallet_prelude::*;
	use pallet_aitbc_params::MarketParams;
	use sp_runtime::{
		traits::{Bounded, Saturating, Zero},
		Perbill,
	};

	/// The balance type of the currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A model id, e.g. `llama3.2:latest`.
	pub type ModelIdOf<T> = BoundedVec<u8, <T as Config>::MaxModelIdLen>;
	/// The models a miner serves.
	pub type ModelsOf<T> = BoundedVec<ModelIdOf<T>, <T as Config>::MaxModels>;
	/// A GPU name.
	pub type GpuNameOf<T> = BoundedVec<u8, <T as Config>::MaxGpuNameLen>;
	/// A miner's offer in this runtime.
	pub type MinerOfferOf<T> = MinerOffer<BalanceOf<T>, ModelsOf<T>, GpuNameOf<T>>;
	/// A miner's record in this runtime.
	pub type MinerRecordOf<T> = MinerRecord<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		ModelsOf<T>,
		GpuNameOf<T>,
	>;
	/// Terms in this runtime.
	pub type MinerTermsOf<T> = MinerTerms<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
	/// A selection candidate: score, price, operator, record.
	type Candidate<T> =
		(u128, BalanceOf<T>, <T as frame_system::Config>::AccountId, MinerRecordOf<T>);
	/// Unbonding stake in this runtime.
	pub type UnbondingOf<T> =
		Unbonding<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency stake is held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The marketplace parameters.
		type Params: Get<MarketParams<BalanceOf<Self>, BlockNumberFor<Self>>>;
		/// Where slashed stake goes.
		type Treasury: Get<Self::AccountId>;
		/// Checks operator keys' proofs of possession (sr25519).
		type Verifier: SignatureVerifier<Self::AccountId>;
		/// Most models one miner serves.
		#[pallet::constant]
		type MaxModels: Get<u32>;
		/// Longest model id, in bytes.
		#[pallet::constant]
		type MaxModelIdLen: Get<u32>;
		/// Longest GPU name, in bytes.
		#[pallet::constant]
		type MaxGpuNameLen: Get<u32>;
		/// Most miners indexed per model (bounds selection).
		#[pallet::constant]
		type MaxMinersPerModel: Get<u32>;
		/// Most concurrent jobs one miner may declare.
		#[pallet::constant]
		type MaxCapacity: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Makes operator keys and their proofs for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A miner owner's stake, held while registered and during unbonding.
		#[codec(index = 0)]
		MinerStake,
	}

	/// Registered miners by operator key.
	#[pallet::storage]
	pub type Miners<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, MinerRecordOf<T>>;

	/// The operator key of each owner's miner.
	#[pallet::storage]
	pub type OperatorOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Operators serving each model, for selection.
	#[pallet::storage]
	pub type MinersByModel<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		ModelIdOf<T>,
		BoundedVec<T::AccountId, T::MaxMinersPerModel>,
		ValueQuery,
	>;

	/// Stake of deregistered miners, by owner, until withdrawn.
	#[pallet::storage]
	pub type Unbondings<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, UnbondingOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An owner registered a miner.
		MinerRegistered { owner: T::AccountId, operator: T::AccountId, stake: BalanceOf<T> },
		/// An owner changed its miner's offer.
		MinerUpdated { operator: T::AccountId },
		/// A miner stopped taking jobs.
		MinerWentOffline { operator: T::AccountId },
		/// A miner takes jobs again (an offline or jailed miner acted).
		MinerWentOnline { operator: T::AccountId },
		/// A miner missed a deadline and part of its stake went to the treasury.
		MinerSlashed { operator: T::AccountId, amount: BalanceOf<T> },
		/// A miner missed `misses` deadlines in a row and takes no jobs before `until`, and
		/// after it until its operator acts again.
		MinerJailed { operator: T::AccountId, misses: u32, until: BlockNumberFor<T> },
		/// Unbonding stake of a deregistered miner was slashed for a job it held and missed.
		UnbondingSlashed { owner: T::AccountId, amount: BalanceOf<T> },
		/// An owner added to its miner's stake.
		StakeBonded { owner: T::AccountId, amount: BalanceOf<T>, stake: BalanceOf<T> },
		/// An owner moved its miner to a new operator key.
		OperatorRotated { owner: T::AccountId, old: T::AccountId, new: T::AccountId },
		/// An owner deregistered its miner; the stake unbonds until `unlock_at`.
		MinerDeregistered {
			owner: T::AccountId,
			operator: T::AccountId,
			unlock_at: BlockNumberFor<T>,
		},
		/// An owner withdrew unbonded stake.
		StakeWithdrawn { owner: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This operator key already belongs to a miner. Use a fresh key.
		OperatorInUse,
		/// This owner already has a miner. Deregister it first, or use another account.
		OwnerHasMiner,
		/// The stake is below the governed minimum (`min_stake`). Stake more.
		StakeBelowMinimum,
		/// The owner cannot put the stake on hold. Top up the account.
		InsufficientBalance,
		/// The offer names no model. Serve at least one.
		NoModels,
		/// A model id is empty. Name the model, e.g. `llama3.2:latest`.
		EmptyModelId,
		/// The offer names the same model twice.
		DuplicateModel,
		/// A model already has the most miners the index holds (`MaxMinersPerModel`).
		ModelIndexFull,
		/// Capacity must be between 1 and `MaxCapacity`.
		InvalidCapacity,
		/// The unit price is zero. Charge something.
		ZeroPrice,
		/// No miner is registered under this operator key (or for this owner).
		NotRegistered,
		/// The miner still has jobs in flight. Finish or fail them, then deregister.
		JobsInFlight,
		/// The miner is already offline.
		AlreadyOffline,
		/// The miner is already active.
		AlreadyOnline,
		/// This owner has no unbonding stake.
		NothingUnbonding,
		/// The unbonding period has not passed. Wait until `unlock_at`.
		StillUnbonding,
		/// The owner already has stake unbonding. Withdraw it first.
		UnbondingPending,
		/// The operator's proof of possession does not verify: the operator key must be
		/// sr25519 and sign `aitbc/operator/v1 ++ genesis hash ++ owner`.
		InvalidOperatorProof,
		/// The miner is jailed until `jailed_until`. Wait for that block.
		StillJailed,
		/// The amount is zero.
		ZeroAmount,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxModels::get() > 0 && T::MaxMinersPerModel::get() > 0);
			assert!(T::MaxCapacity::get() > 0 && T::MaxModelIdLen::get() > 0);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a miner owned by the caller, run under `operator`, with `stake` held.
		/// `operator_proof` is the operator key's sr25519 signature over
		/// [`aitbc_primitives::operator_proof_bytes`] (this chain's genesis hash, the owner).
		///
		/// Origin: the owner. Emits [`Event::MinerRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register(T::MaxModels::get()))]
		pub fn register(
			origin: OriginFor<T>,
			operator: T::AccountId,
			offer: MinerOfferOf<T>,
			stake: BalanceOf<T>,
			operator_proof: [u8; 64],
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_operator_proof(&owner, &operator, &operator_proof)?;
			Self::do_register(owner, operator, offer, stake)
		}

		/// Replaces the offer of the caller's miner (models, price, capacity, GPUs).
		///
		/// Origin: the owner. Emits [`Event::MinerUpdated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update(T::MaxModels::get()))]
		pub fn update(origin: OriginFor<T>, offer: MinerOfferOf<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_update(owner, offer)
		}

		/// Records that the miner is alive; a jailed miner is released.
		///
		/// Origin: the operator. Emits [`Event::MinerWentOnline`] when it leaves jail.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		pub fn heartbeat(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_heartbeat(operator)
		}

		/// Stops new assignments (e.g. the backend is down). Jobs in flight are unaffected.
		///
		/// Origin: the operator. Emits [`Event::MinerWentOffline`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::go_offline())]
		pub fn go_offline(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_offline(operator)
		}

		/// Takes jobs again (also releases a jailed miner) and counts as a heartbeat.
		///
		/// Origin: the operator. Emits [`Event::MinerWentOnline`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::go_online())]
		pub fn go_online(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_online(operator)
		}

		/// Deregisters the caller's miner; its stake unbonds for `unbonding_period` blocks.
		/// Refused while jobs are in flight.
		///
		/// Origin: the owner. Emits [`Event::MinerDeregistered`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::deregister(T::MaxModels::get()))]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_deregister(owner)
		}

		/// Releases the caller's unbonded stake once the unbonding period has passed.
		///
		/// Origin: the owner. Emits [`Event::StakeWithdrawn`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(owner)
		}

		/// Adds `amount` to the caller's miner's stake (held like the rest).
		///
		/// Origin: the owner. Emits [`Event::StakeBonded`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_bond_extra(owner, amount)
		}

		/// Moves the caller's miner to the operator key `new_operator`, keeping its stake,
		/// offer and track record. `operator_proof` is the new key's proof of possession (as
		/// for `register`). Refused while jobs are in flight (they are bound to the old key).
		///
		/// Origin: the owner. Emits [`Event::OperatorRotated`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::rotate_operator(T::MaxModels::get()))]
		pub fn rotate_operator(
			origin: OriginFor<T>,
			new_operator: T::AccountId,
			operator_proof: [u8; 64],
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_operator_proof(&owner, &new_operator, &operator_proof)?;
			Self::do_rotate_operator(owner, new_operator)
		}
	}

	impl<T: Config> Pallet<T> {
		fn reason() -> T::RuntimeHoldReason {
			HoldReason::MinerStake.into()
		}

		fn ensure_operator_proof(
			owner: &T::AccountId,
			operator: &T::AccountId,
			proof: &[u8; 64],
		) -> DispatchResult {
			let message = aitbc_primitives::operator_proof_bytes(
				&crate::genesis_hash::<T>(),
				&T::Verifier::raw(owner),
			);
			ensure!(
				T::Verifier::verify(operator, &message, proof),
				Error::<T>::InvalidOperatorProof
			);
			Ok(())
		}

		fn validate_offer(offer: &MinerOfferOf<T>) -> DispatchResult {
			ensure!(!offer.models.is_empty(), Error::<T>::NoModels);
			ensure!(offer.models.iter().all(|m| !m.is_empty()), Error::<T>::EmptyModelId);
			for (i, model) in offer.models.iter().enumerate() {
				ensure!(
					!offer.models.iter().skip(i.saturating_add(1)).any(|m| m == model),
					Error::<T>::DuplicateModel
				);
			}
			ensure!(
				offer.capacity > 0 && offer.capacity <= T::MaxCapacity::get(),
				Error::<T>::InvalidCapacity
			);
			ensure!(!offer.unit_price.is_zero(), Error::<T>::ZeroPrice);
			Ok(())
		}

		fn index_models(operator: &T::AccountId, models: &[ModelIdOf<T>]) -> DispatchResult {
			for model in models {
				MinersByModel::<T>::try_mutate(model, |operators| {
					operators.try_push(operator.clone()).map_err(|_| Error::<T>::ModelIndexFull)
				})?;
			}
			Ok(())
		}

		fn unindex_models(operator: &T::AccountId, models: &[ModelIdOf<T>]) {
			for model in models {
				MinersByModel::<T>::mutate_exists(model, |entry| {
					if let Some(operators) = entry {
						operators.retain(|o| o != operator);
						if operators.is_empty() {
							*entry = None;
						}
					}
				});
			}
		}

		/// Registers a miner without checking an operator proof: the call checks it first;
		/// benchmark set-up calls this directly.
		pub fn do_register(
			owner: T::AccountId,
			operator: T::AccountId,
			offer: MinerOfferOf<T>,
			stake: BalanceOf<T>,
		) -> DispatchResult {
			let params = T::Params::get();
			ensure!(!Miners::<T>::contains_key(&operator), Error::<T>::OperatorInUse);
			ensure!(!OperatorOf::<T>::contains_key(&owner), Error::<T>::OwnerHasMiner);
			ensure!(!Unbondings::<T>::contains_key(&owner), Error::<T>::UnbondingPending);
			ensure!(stake >= params.min_stake, Error::<T>::StakeBelowMinimum);
			Self::validate_offer(&offer)?;
			Self::index_models(&operator, &offer.models)?;
			T::Currency::hold(&Self::reason(), &owner, stake)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let now = frame_system::Pallet::<T>::block_number();
			Miners::<T>::insert(
				&operator,
				MinerRecord {
					owner: owner.clone(),
					offer,
					stake,
					status: MinerStatus::Active,
					last_heartbeat: now,
					in_flight: 0,
					reputation: Reputation::default(),
					consecutive_misses: 0,
					registered_at: now,
					jailed_until: now,
				},
			);
			OperatorOf::<T>::insert(&owner, &operator);
			Self::deposit_event(Event::MinerRegistered { owner, operator, stake });
			Ok(())
		}

		pub(crate) fn do_update(owner: T::AccountId, offer: MinerOfferOf<T>) -> DispatchResult {
			let operator = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
			let mut miner = Miners::<T>::get(&operator).ok_or(Error::<T>::NotRegistered)?;
			Self::validate_offer(&offer)?;
			Self::unindex_models(&operator, &miner.offer.models);
			Self::index_models(&operator, &offer.models)?;
			miner.offer = offer;
			Miners::<T>::insert(&operator, miner);
			Self::deposit_event(Event::MinerUpdated { operator });
			Ok(())
		}

		fn mutate_miner<R>(
			operator: &T::AccountId,
			f: impl FnOnce(&mut MinerRecordOf<T>) -> Result<R, DispatchError>,
		) -> Result<R, DispatchError> {
			Miners::<T>::try_mutate(operator, |entry| {
				let miner = entry.as_mut().ok_or(Error::<T>::NotRegistered)?;
				f(miner)
			})
		}

		pub(crate) fn do_heartbeat(operator: T::AccountId) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			let released = Self::mutate_miner(&operator, |miner| {
				miner.last_heartbeat = now;
				let release = miner.status == MinerStatus::Jailed && now >= miner.jailed_until;
				if release {
					miner.status = MinerStatus::Active;
					miner.consecutive_misses = 0;
				}
				Ok(release)
			})?;
			if released {
				Self::deposit_event(Event::MinerWentOnline { operator });
			}
			Ok(())
		}

		pub(crate) fn do_set_offline(operator: T::AccountId) -> DispatchResult {
			Self::mutate_miner(&operator, |miner| {
				ensure!(miner.status != MinerStatus::Offline, Error::<T>::AlreadyOffline);
				miner.status = MinerStatus::Offline;
				Ok(())
			})?;
			Self::deposit_event(Event::MinerWentOffline { operator });
			Ok(())
		}

		pub(crate) fn do_set_online(operator: T::AccountId) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			Self::mutate_miner(&operator, |miner| {
				ensure!(miner.status != MinerStatus::Active, Error::<T>::AlreadyOnline);
				ensure!(
					miner.status != MinerStatus::Jailed || now >= miner.jailed_until,
					Error::<T>::StillJailed
				);
				miner.status = MinerStatus::Active;
				miner.consecutive_misses = 0;
				miner.last_heartbeat = now;
				Ok(())
			})?;
			Self::deposit_event(Event::MinerWentOnline { operator });
			Ok(())
		}

		pub(crate) fn do_deregister(owner: T::AccountId) -> DispatchResult {
			let operator = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
			let miner = Miners::<T>::get(&operator).ok_or(Error::<T>::NotRegistered)?;
			Self::unindex_models(&operator, &miner.offer.models);
			Miners::<T>::remove(&operator);
			OperatorOf::<T>::remove(&owner);
			let unlock_at = frame_system::Pallet::<T>::block_number()
				.saturating_add(T::Params::get().unbonding_period);
			Unbondings::<T>::insert(
				&owner,
				Unbonding {
					amount: miner.stake,
					unlock_at,
					operator: operator.clone(),
					in_flight: miner.in_flight,
				},
			);
			Self::deposit_event(Event::MinerDeregistered { owner, operator, unlock_at });
			Ok(())
		}

		pub(crate) fn do_withdraw_unbonded(owner: T::AccountId) -> DispatchResult {
			let unbonding = Unbondings::<T>::get(&owner).ok_or(Error::<T>::NothingUnbonding)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() >= unbonding.unlock_at,
				Error::<T>::StillUnbonding
			);
			ensure!(unbonding.in_flight == 0, Error::<T>::JobsInFlight);
			T::Currency::release(&Self::reason(), &owner, unbonding.amount, Precision::BestEffort)?;
			Unbondings::<T>::remove(&owner);
			Self::deposit_event(Event::StakeWithdrawn { owner, amount: unbonding.amount });
			Ok(())
		}

		pub(crate) fn do_bond_extra(owner: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let operator = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
			let stake = Self::mutate_miner(&operator, |miner| {
				T::Currency::hold(&Self::reason(), &owner, amount)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
				miner.stake = miner.stake.saturating_add(amount);
				Ok(miner.stake)
			})?;
			Self::deposit_event(Event::StakeBonded { owner, amount, stake });
			Ok(())
		}

		pub(crate) fn do_rotate_operator(owner: T::AccountId, new: T::AccountId) -> DispatchResult {
			let old = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
			let miner = Miners::<T>::get(&old).ok_or(Error::<T>::NotRegistered)?;
			ensure!(!Miners::<T>::contains_key(&new), Error::<T>::OperatorInUse);
			ensure!(miner.in_flight == 0, Error::<T>::JobsInFlight);
			Self::unindex_models(&old, &miner.offer.models);
			Self::index_models(&new, &miner.offer.models)?;
			Miners::<T>::remove(&old);
			Miners::<T>::insert(&new, miner);
			OperatorOf::<T>::insert(&owner, &new);
			Self::deposit_event(Event::OperatorRotated { owner, old, new });
			Ok(())
		}

		/// Moves `slash_fraction` of `stake` (held for `owner`) to the treasury; returns how much
		/// moved.
		fn slash(owner: &T::AccountId, stake: BalanceOf<T>) -> BalanceOf<T> {
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
			.unwrap_or_default()
		}

		/// Slashes a miner that missed a deadline, and jails it for `jail_period` blocks after
		/// too many misses in a row.
		fn punish(operator: &T::AccountId, miner: &mut MinerRecordOf<T>) {
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
				&& miner.status != MinerStatus::Jailed
			{
				let until =
					frame_system::Pallet::<T>::block_number().saturating_add(params.jail_period);
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
		fn unbonding_job_ended(terms: &MinerTermsOf<T>, outcome: JobOutcome) {
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

		/// Whether `miner` may be given a job of `needs` now, and its score if so: the higher,
		/// the better. The score is an inverse effective price:
		/// `reputation × free capacity share × stake bonus ÷ worst-case price`, where the stake
		/// bonus runs from 1× at `min_stake` to at most 2× at twice `min_stake`. A miner half as
		/// reputable must be half as cheap to win.
		fn score(
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
				let Some(miner) = Miners::<T>::get(&operator) else { continue };
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

		/// Checks the registry's invariants: the index and the records agree, in-flight counts
		/// never exceed capacity, each owner's hold covers its stake.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			for (operator, miner) in Miners::<T>::iter() {
				ensure!(
					OperatorOf::<T>::get(&miner.owner).as_ref() == Some(&operator),
					"OperatorOf does not point back to the miner"
				);
				for model in miner.offer.models.iter() {
					ensure!(
						MinersByModel::<T>::get(model).contains(&operator),
						"a served model does not index its miner"
					);
				}
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
			for (model, operators) in MinersByModel::<T>::iter() {
				for operator in operators.iter() {
					let miner = Miners::<T>::get(operator).ok_or("index names an unknown miner")?;
					ensure!(miner.offer.models.contains(&model), "index names a model not served");
				}
			}
			Ok(())
		}
	}

	impl<T: Config> MinerRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn select(
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
				let Some(miner) = Miners::<T>::get(&operator) else { continue };
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

		fn job_assigned(operator: &T::AccountId) {
			Miners::<T>::mutate(operator, |entry| {
				if let Some(miner) = entry {
					miner.in_flight = miner.in_flight.saturating_add(1);
				}
			});
		}

		fn job_ended(terms: &MinerTermsOf<T>, outcome: JobOutcome) {
			let operator = &terms.operator;
			let registered = Miners::<T>::mutate(operator, |entry| {
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

		fn terms(operator: &T::AccountId) -> Option<MinerTermsOf<T>> {
			Miners::<T>::get(operator).map(|miner| MinerTerms {
				operator: operator.clone(),
				owner: miner.owner,
				unit_type: miner.offer.unit_type,
				unit_price: miner.offer.unit_price,
			})
		}
	}
}
