//! What the calls do: register, update, heartbeat, go offline/online, deregister, withdraw,
//! bond extra, rotate the operator key.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Bounded, Saturating, Zero};

impl<T: Config> Pallet<T> {
	pub(crate) fn reason() -> T::RuntimeHoldReason {
		HoldReason::MinerStake.into()
	}

	pub(crate) fn ensure_operator_proof(
		owner: &T::AccountId,
		operator: &T::AccountId,
		proof: &[u8; 64],
	) -> DispatchResult {
		let message = aitbc_primitives::operator_proof_bytes(
			&crate::genesis_hash::<T>(),
			&T::Verifier::raw(owner),
		);
		ensure!(T::Verifier::verify(operator, &message, proof), Error::<T>::InvalidOperatorProof);
		Ok(())
	}

	pub(crate) fn validate_offer(offer: &MinerOfferOf<T>) -> DispatchResult {
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

	/// Indexes `operator` (its record is stored) under each of `models` for selection. When a
	/// model's index is full, a miner there that cannot take jobs now (stale heartbeat, stake
	/// below the governed minimum) is [evicted](Self::evict) to make room, else the most
	/// expensive one if `operator` is strictly cheaper ([`Self::reference_price`]);
	/// `ModelIndexFull` when the index is full of working miners no dearer than `operator`.
	/// All or nothing (the caller's transaction rolls back).
	pub(crate) fn index_models(operator: &T::AccountId, models: &[ModelIdOf<T>]) -> DispatchResult {
		for model in models {
			let mut operators = MinersByModel::<T>::get(model);
			if operators.contains(operator) {
				continue;
			}
			if operators.is_full() {
				let out = Self::evictable(&operators)
					.or_else(|| Self::outpriced(&operators, operator))
					.ok_or(Error::<T>::ModelIndexFull)?;
				Self::evict(&out);
				operators = MinersByModel::<T>::get(model);
			}
			operators.try_push(operator.clone()).map_err(|_| Error::<T>::ModelIndexFull)?;
			MinersByModel::<T>::insert(model, operators);
		}
		Ok(())
	}

	/// Takes `operator` out of the indexes of `models`.
	pub(crate) fn unindex_models(operator: &T::AccountId, models: &[ModelIdOf<T>]) {
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

	/// The first of `operators` that holds an index slot without being able to take a job:
	/// its heartbeat is older than `heartbeat_timeout`, or its stake is below `min_stake`.
	fn evictable(operators: &[T::AccountId]) -> Option<T::AccountId> {
		let params = T::Params::get();
		let now = frame_system::Pallet::<T>::block_number();
		operators
			.iter()
			.find(|operator| {
				MinerRecords::<T>::get(operator).is_some_and(|miner| {
					now.saturating_sub(miner.last_heartbeat) > params.heartbeat_timeout
						|| miner.stake < params.min_stake
				})
			})
			.cloned()
	}

	/// The most expensive of `operators` ([`Self::reference_price`]) if `newcomer` is strictly
	/// cheaper: a full index keeps the cheapest working miners, so filling it with miners
	/// priced above every job buys nothing.
	fn outpriced(operators: &[T::AccountId], newcomer: &T::AccountId) -> Option<T::AccountId> {
		let params = T::Params::get();
		let price = |operator: &T::AccountId| {
			MinerRecords::<T>::get(operator).map(|miner| Self::reference_price(&miner, &params))
		};
		let newcomer_price = price(newcomer)?;
		let (dearest, dearest_price) = operators
			.iter()
			.filter_map(|operator| price(operator).map(|p| (operator, p)))
			.max_by(|a, b| a.1.cmp(&b.1))?;
		(newcomer_price < dearest_price).then(|| dearest.clone())
	}

	/// A miner's worst-case price for a reference job of 256 output tokens, comparable across
	/// unit types.
	pub(crate) fn reference_price(
		miner: &MinerRecordOf<T>,
		params: &aitbc_traits::MarketParams<BalanceOf<T>, BlockNumberFor<T>>,
	) -> BalanceOf<T> {
		let units = Self::max_units(miner.offer.unit_type, 256, params);
		miner.offer.unit_price.saturating_mul(
			BalanceOf::<T>::try_from(units).unwrap_or_else(|_| BalanceOf::<T>::max_value()),
		)
	}

	/// Sets an active miner that cannot take jobs offline and takes it out of every index;
	/// its operator's `go_online` (the daemon calls it when it finds itself offline) brings it
	/// back.
	pub(crate) fn evict(operator: &T::AccountId) {
		let Some(mut miner) = MinerRecords::<T>::get(operator) else { return };
		Self::unindex_models(operator, &miner.offer.models);
		miner.status = MinerStatus::Offline;
		MinerRecords::<T>::insert(operator, miner);
		Self::deposit_event(Event::MinerWentOffline { operator: operator.clone() });
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
		ensure!(!MinerRecords::<T>::contains_key(&operator), Error::<T>::OperatorInUse);
		ensure!(!OperatorOf::<T>::contains_key(&owner), Error::<T>::OwnerHasMiner);
		ensure!(!Unbondings::<T>::contains_key(&owner), Error::<T>::UnbondingPending);
		ensure!(!Self::is_banned(&owner), Error::<T>::Banned);
		ensure!(stake >= params.min_stake, Error::<T>::StakeBelowMinimum);
		Self::validate_offer(&offer)?;
		T::Currency::hold(&Self::reason(), &owner, stake)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		let now = frame_system::Pallet::<T>::block_number();
		let models = offer.models.clone();
		MinerRecords::<T>::insert(
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
		Self::index_models(&operator, &models)?;
		OperatorOf::<T>::insert(&owner, &operator);
		Self::deposit_event(Event::MinerRegistered { owner, operator, stake });
		Ok(())
	}

	pub(crate) fn do_update(owner: T::AccountId, offer: MinerOfferOf<T>) -> DispatchResult {
		let operator = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
		let mut miner = MinerRecords::<T>::get(&operator).ok_or(Error::<T>::NotRegistered)?;
		Self::validate_offer(&offer)?;
		let old = core::mem::replace(&mut miner.offer, offer);
		let active = miner.status == MinerStatus::Active;
		let models = miner.offer.models.clone();
		MinerRecords::<T>::insert(&operator, miner);
		if active {
			Self::unindex_models(&operator, &old.models);
			Self::index_models(&operator, &models)?;
		}
		Self::deposit_event(Event::MinerUpdated { operator });
		Ok(())
	}

	pub(crate) fn mutate_miner<R>(
		operator: &T::AccountId,
		f: impl FnOnce(&mut MinerRecordOf<T>) -> Result<R, DispatchError>,
	) -> Result<R, DispatchError> {
		MinerRecords::<T>::try_mutate(operator, |entry| {
			let miner = entry.as_mut().ok_or(Error::<T>::NotRegistered)?;
			f(miner)
		})
	}

	/// A heartbeat: the miner is alive. It changes no status; a miner whose jail term is over
	/// returns with `go_online` (the daemon calls it when it finds itself not active).
	pub(crate) fn do_heartbeat(operator: T::AccountId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		Self::mutate_miner(&operator, |miner| {
			miner.last_heartbeat = now;
			Ok(())
		})
	}

	pub(crate) fn do_set_endpoint(
		operator: T::AccountId,
		endpoint: Option<EndpointOf<T>>,
	) -> DispatchResult {
		ensure!(MinerRecords::<T>::contains_key(&operator), Error::<T>::NotRegistered);
		match &endpoint {
			Some(url) => {
				ensure!(is_endpoint(url), Error::<T>::InvalidEndpoint);
				Endpoints::<T>::insert(&operator, url);
			}
			None => Endpoints::<T>::remove(&operator),
		}
		Self::deposit_event(Event::EndpointSet { operator, endpoint });
		Ok(())
	}

	pub(crate) fn do_set_offline(operator: T::AccountId) -> DispatchResult {
		let models = Self::mutate_miner(&operator, |miner| {
			ensure!(miner.status != MinerStatus::Offline, Error::<T>::AlreadyOffline);
			ensure!(miner.status != MinerStatus::Banned, Error::<T>::Banned);
			let was_active = miner.status == MinerStatus::Active;
			miner.status = MinerStatus::Offline;
			Ok(was_active.then(|| miner.offer.models.clone()))
		})?;
		if let Some(models) = models {
			Self::unindex_models(&operator, &models);
		}
		Self::deposit_event(Event::MinerWentOffline { operator });
		Ok(())
	}

	pub(crate) fn do_set_online(operator: T::AccountId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		let models = Self::mutate_miner(&operator, |miner| {
			ensure!(miner.status != MinerStatus::Active, Error::<T>::AlreadyOnline);
			ensure!(!Self::is_banned(&miner.owner), Error::<T>::Banned);
			// Whatever the status: going offline while jailed does not shorten the term.
			ensure!(now >= miner.jailed_until, Error::<T>::StillJailed);
			miner.status = MinerStatus::Active;
			miner.consecutive_misses = 0;
			miner.last_heartbeat = now;
			Ok(miner.offer.models.clone())
		})?;
		Self::index_models(&operator, &models)?;
		Self::deposit_event(Event::MinerWentOnline { operator });
		Ok(())
	}

	pub(crate) fn do_deregister(owner: T::AccountId) -> DispatchResult {
		let operator = OperatorOf::<T>::get(&owner).ok_or(Error::<T>::NotRegistered)?;
		let miner = MinerRecords::<T>::get(&operator).ok_or(Error::<T>::NotRegistered)?;
		Self::unindex_models(&operator, &miner.offer.models);
		MinerRecords::<T>::remove(&operator);
		OperatorOf::<T>::remove(&owner);
		Endpoints::<T>::remove(&operator);
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
		let miner = MinerRecords::<T>::get(&old).ok_or(Error::<T>::NotRegistered)?;
		ensure!(!MinerRecords::<T>::contains_key(&new), Error::<T>::OperatorInUse);
		ensure!(miner.in_flight == 0, Error::<T>::JobsInFlight);
		let (active, models) = (miner.status == MinerStatus::Active, miner.offer.models.clone());
		MinerRecords::<T>::remove(&old);
		MinerRecords::<T>::insert(&new, miner);
		// The endpoint was the old key's daemon's; the new key's daemon sets its own.
		Endpoints::<T>::remove(&old);
		if active {
			Self::unindex_models(&old, &models);
			Self::index_models(&new, &models)?;
		}
		OperatorOf::<T>::insert(&owner, &new);
		Self::deposit_event(Event::OperatorRotated { owner, old, new });
		Ok(())
	}
}

/// Whether `url` is a stream endpoint: `http://` or `https://`, then a host (not empty), all of
/// it printable ASCII without spaces.
pub(crate) fn is_endpoint(url: &[u8]) -> bool {
	let rest = url.strip_prefix(b"http://").or_else(|| url.strip_prefix(b"https://"));
	match rest {
		Some(rest) => {
			!rest.is_empty() && !rest.starts_with(b"/") && url.iter().all(|b| b.is_ascii_graphic())
		}
		None => false,
	}
}
