//! # AITBC receipts
//!
//! Every completed job leaves a [`ReceiptRecord`]: who paid, who ran it, the units billed, the
//! price and fee, the hash of the output, when, and the operator's sr25519 signature over the
//! [`ReceiptPayload`](aitbc_primitives::ReceiptPayload). Anyone can check a receipt off chain
//! with [`aitbc_primitives::verify_receipt`] and the operator's public key.
//!
//! Receipts stay when the job itself is pruned after the retention period.
//!
//! ## Calls
//!
//! - [`Pallet::claim_receipt`]: the miner's owner claims a receipt once, minting
//!   `reward_per_unit × units`, never more than `reward_fee_share` (below 100 %) of the
//!   protocol fee the receipt paid, from an emission budget capped at `emission_cap` (the
//!   seeds' `RECEIPT_CLAIM`). When the budget runs out the claim still succeeds, with what is
//!   left. Because the fee left the owner's accounts and only part of it comes back, jobs among
//!   one owner's accounts always lose money.
//!
//! The jobs pallet writes receipts through [`ReceiptSink`].

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

pub use pallet::*;

mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aitbc_primitives::{JobId, ReceiptId};
	use aitbc_traits::MarketParams;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{Saturating, Zero};

	/// The balance type of the currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A receipt in this runtime.
	pub type ReceiptRecordOf<T> = ReceiptRecord<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		BoundedVec<u8, <T as Config>::MaxModelIdLen>,
	>;
	/// A receipt to record, in this runtime.
	pub type NewReceiptOf<T> = NewReceipt<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency rewards are minted in.
		type Currency: Mutate<Self::AccountId>;
		/// Wall-clock time, for the receipt's timestamp.
		type UnixTime: UnixTime;
		/// The marketplace parameters.
		type Params: Get<MarketParams<BalanceOf<Self>, BlockNumberFor<Self>>>;
		/// Longest model id, in bytes (as jobs bound it).
		#[pallet::constant]
		type MaxModelIdLen: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Receipts by id.
	#[pallet::storage]
	pub type ReceiptRecords<T: Config> = StorageMap<_, Twox64Concat, ReceiptId, ReceiptRecordOf<T>>;

	/// The receipt of each completed job.
	#[pallet::storage]
	pub type ReceiptOfJob<T: Config> = StorageMap<_, Twox64Concat, JobId, ReceiptId>;

	/// The id the next receipt gets.
	#[pallet::storage]
	pub type NextReceiptId<T: Config> = StorageValue<_, ReceiptId, ValueQuery>;

	/// The oldest receipt id not yet pruned (receipts are issued, and so expire, in id order).
	#[pallet::storage]
	pub type PruneFrom<T: Config> = StorageValue<_, ReceiptId, ValueQuery>;

	/// Total minted by claims so far (never above `emission_cap`).
	#[pallet::storage]
	pub type Emitted<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A completed job's receipt was written.
		ReceiptIssued {
			receipt_id: ReceiptId,
			job_id: JobId,
			miner_owner: T::AccountId,
			price: BalanceOf<T>,
		},
		/// A miner's owner claimed a receipt and `reward` was minted to it.
		ReceiptClaimed { receipt_id: ReceiptId, owner: T::AccountId, reward: BalanceOf<T> },
		/// A receipt was removed from state `receipt_retention` blocks after it was issued.
		ReceiptPruned { receipt_id: ReceiptId, job_id: JobId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No receipt has this id.
		UnknownReceipt,
		/// Only the miner's owner named in the receipt may claim it.
		NotMinerOwner,
		/// The receipt was claimed already.
		AlreadyClaimed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Prunes receipts past `receipt_retention`, oldest first, within the spare weight;
		/// what does not fit waits for the next block.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut meter = frame_support::weights::WeightMeter::with_limit(remaining);
			Self::prune_expired(now, &mut meter);
			meter.consumed()
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Claims the reward of a receipt: `reward_per_unit × units`, at most `reward_fee_share`
		/// of the receipt's fee, capped by what is left of the emission budget, minted to the
		/// caller.
		///
		/// Origin: the miner's owner named in the receipt. Emits [`Event::ReceiptClaimed`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim_receipt())]
		pub fn claim_receipt(origin: OriginFor<T>, receipt_id: ReceiptId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(who, receipt_id)
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn do_claim(who: T::AccountId, receipt_id: ReceiptId) -> DispatchResult {
			let mut receipt =
				ReceiptRecords::<T>::get(receipt_id).ok_or(Error::<T>::UnknownReceipt)?;
			ensure!(receipt.miner_owner == who, Error::<T>::NotMinerOwner);
			ensure!(receipt.status == ReceiptStatus::Unclaimed, Error::<T>::AlreadyClaimed);
			let params = T::Params::get();
			let left = params.emission_cap.saturating_sub(Emitted::<T>::get());
			let units = BalanceOf::<T>::try_from(receipt.units).unwrap_or(left);
			let reward = params
				.reward_per_unit
				.saturating_mul(units)
				.min(params.reward_fee_share.mul_floor(receipt.fee))
				.min(left);
			if !reward.is_zero() {
				T::Currency::mint_into(&who, reward)?;
				Emitted::<T>::mutate(|e| *e = e.saturating_add(reward));
			}
			receipt.status = ReceiptStatus::Claimed {
				at: frame_system::Pallet::<T>::block_number(),
				by: who.clone(),
				reward,
			};
			ReceiptRecords::<T>::insert(receipt_id, receipt);
			Self::deposit_event(Event::ReceiptClaimed { receipt_id, owner: who, reward });
			Ok(())
		}

		/// Prunes the receipts whose retention ended by `now`, as far as `meter` allows.
		pub(crate) fn prune_expired(
			now: BlockNumberFor<T>,
			meter: &mut frame_support::weights::WeightMeter,
		) {
			let retention = T::Params::get().receipt_retention;
			let next = NextReceiptId::<T>::get();
			let probe = T::DbWeight::get().reads_writes(1, 1);
			if meter.try_consume(probe).is_err() {
				return;
			}
			let mut cursor = PruneFrom::<T>::get();
			let each = T::WeightInfo::prune_receipt();
			while cursor < next && meter.can_consume(each) {
				let due = ReceiptRecords::<T>::get(cursor)
					.is_none_or(|r| r.block.saturating_add(retention) <= now);
				if !due {
					break;
				}
				meter.consume(each);
				Self::prune_one(cursor);
				cursor = cursor.saturating_add(1);
			}
			PruneFrom::<T>::put(cursor);
		}

		/// Removes receipt `id` and its job's entry.
		pub(crate) fn prune_one(id: ReceiptId) {
			if let Some(receipt) = ReceiptRecords::<T>::take(id) {
				ReceiptOfJob::<T>::remove(receipt.job_id);
				Self::deposit_event(Event::ReceiptPruned {
					receipt_id: id,
					job_id: receipt.job_id,
				});
			}
		}

		/// The newest receipts, highest ids first, at most `limit` (for the runtime API).
		pub fn latest(limit: u32) -> alloc::vec::Vec<ReceiptRecordOf<T>> {
			let next = NextReceiptId::<T>::get();
			(next.saturating_sub(u64::from(limit))..next)
				.rev()
				.filter_map(ReceiptRecords::<T>::get)
				.collect()
		}

		/// The receipt of `job_id`, if it completed.
		pub fn of_job(job_id: JobId) -> Option<ReceiptRecordOf<T>> {
			ReceiptOfJob::<T>::get(job_id).and_then(ReceiptRecords::<T>::get)
		}

		/// Checks that claims minted exactly [`Emitted`], that it is within the cap, and that
		/// every job's receipt exists.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut claimed = BalanceOf::<T>::zero();
			for (id, receipt) in ReceiptRecords::<T>::iter() {
				ensure!(receipt.id == id, "a receipt is stored under another id");
				ensure!(id < NextReceiptId::<T>::get(), "a receipt id is not below NextReceiptId");
				ensure!(id >= PruneFrom::<T>::get(), "a receipt below PruneFrom was not pruned");
				if let ReceiptStatus::Claimed { reward, .. } = receipt.status {
					claimed = claimed.saturating_add(reward);
				}
			}
			// Pruned receipts take their claimed rewards out of the sum.
			ensure!(
				claimed == Emitted::<T>::get() || PruneFrom::<T>::get() > 0,
				"claimed rewards differ from Emitted"
			);
			ensure!(claimed <= Emitted::<T>::get(), "claimed rewards above Emitted");
			ensure!(Emitted::<T>::get() <= T::Params::get().emission_cap, "emission above cap");
			for (job, id) in ReceiptOfJob::<T>::iter() {
				let receipt =
					ReceiptRecords::<T>::get(id).ok_or("a job points at a missing receipt")?;
				ensure!(receipt.job_id == job, "a job points at another job's receipt");
			}
			Ok(())
		}
	}

	impl<T: Config> ReceiptSink<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn issue(new: NewReceiptOf<T>) -> ReceiptId {
			let id = NextReceiptId::<T>::mutate(|next| {
				let id = *next;
				*next = next.saturating_add(1);
				id
			});
			let timestamp_ms = u64::try_from(T::UnixTime::now().as_millis()).unwrap_or(u64::MAX);
			let NewReceipt {
				job_id,
				client,
				miner_owner,
				operator,
				model,
				prompt_hash,
				unit_type,
				unit_price,
				units,
				usage,
				price,
				fee,
				output_hash,
				signature,
			} = new;
			// Jobs bound model ids by the same `MaxModelIdLen`; a longer one cannot arrive.
			let model = BoundedVec::truncate_from(model);
			Self::deposit_event(Event::ReceiptIssued {
				receipt_id: id,
				job_id,
				miner_owner: miner_owner.clone(),
				price,
			});
			ReceiptRecords::<T>::insert(
				id,
				ReceiptRecord {
					id,
					job_id,
					client,
					miner_owner,
					operator,
					model,
					prompt_hash,
					unit_type,
					unit_price,
					units,
					usage,
					price,
					fee,
					output_hash,
					block: frame_system::Pallet::<T>::block_number(),
					timestamp_ms,
					signature,
					status: ReceiptStatus::Unclaimed,
				},
			);
			ReceiptOfJob::<T>::insert(job_id, id);
			id
		}
	}
}

/// What the receipt rewards have minted so far, for the parameters' validation.
pub struct EmittedSoFar<T>(core::marker::PhantomData<T>);

impl<T: Config> frame_support::traits::Get<BalanceOf<T>> for EmittedSoFar<T> {
	fn get() -> BalanceOf<T> {
		Emitted::<T>::get()
	}
}
