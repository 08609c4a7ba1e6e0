//! [`CheckJobCalls`]: the transaction extension that refuses, at the pool, job calls that
//! would only fail, before they take block space.
//!
//! Acknowledgements, results and failure reports are dispatched in the operational class, so
//! the pool ranks them above new submissions (transaction-payment's operational boost) and they
//! may use the share of the block kept from normal extrinsics: when blocks are full, work in
//! flight finishes first. This extension makes sure only work in flight gets there: such a call
//! is valid only if its signer holds every job it names ([`HeldJobs`]); anything else is
//! refused by the pool before it is included, so nobody can fill blocks with operational junk.
//!
//! Likewise a `submit_job` (or a `submit_jobs` batch) that would take a client past
//! `max_open_jobs_per_client` open jobs is refused at the pool: it would fail at dispatch, yet be included and fill the block at its
//! full weight (a client flooding such submissions slowed honest jobs threefold in the spam
//! benchmark).
//!
//! Block authors validate again when they build a block, so a transaction that became invalid
//! while it waited is left out, not included to fail. The extension carries no bytes (clients
//! that do not know it encode nothing for it).

use crate::*;
use aitbc_primitives::JobId;
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchInfo,
	pallet_prelude::{TransactionSource, Weight},
	traits::{Get, IsSubType, OriginTrait},
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, Dispatchable, TransactionExtension, ValidateResult},
	transaction_validity::{InvalidTransaction, ValidTransaction},
};

/// The custom validity error when a call names a job its signer does not hold.
pub const NOT_HELD: u8 = 1;
/// The custom validity error when a client at its open-job cap submits another job.
pub const TOO_MANY_OPEN: u8 = 2;

/// Refuses, at the pool, acknowledgements, results and failure reports for jobs their signer
/// does not hold, and submissions from clients at their open-job cap.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckJobCalls<T>(PhantomData<T>);

impl<T> CheckJobCalls<T> {
	/// The extension (it has no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckJobCalls<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckJobCalls")
	}
}

/// The jobs a call of this pallet works on in flight (none for other calls).
fn jobs_in_flight<T: Config>(call: &Call<T>) -> Option<alloc::vec::Vec<JobId>> {
	match call {
		Call::acknowledge { job_ids } => Some(job_ids.to_vec()),
		Call::submit_result { job_id, .. } | Call::report_failure { job_id, .. } => {
			Some(alloc::vec![*job_id])
		}
		Call::submit_results { results } => Some(results.iter().map(|r| r.job_id).collect()),
		_ => None,
	}
}

/// Whether `who` may send `call` now; the custom validity error if not.
fn check<T: Config>(call: &Call<T>, who: &T::AccountId) -> Result<(), u8> {
	let submitting = match call {
		Call::submit_job { .. } => Some(1),
		Call::submit_jobs { jobs } => Some(jobs.len() as u32),
		_ => None,
	};
	if let Some(count) = submitting {
		let cap = T::Params::get().max_open_jobs_per_client;
		let open = OpenJobs::<T>::get(who).saturating_add(count);
		return if open > cap { Err(TOO_MANY_OPEN) } else { Ok(()) };
	}
	match jobs_in_flight::<T>(call) {
		Some(jobs) => {
			let held = HeldJobs::<T>::get(who);
			if jobs.iter().all(|id| held.contains(id)) {
				Ok(())
			} else {
				Err(NOT_HELD)
			}
		}
		None => Ok(()),
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckJobCalls<T>
where
	T::RuntimeCall: IsSubType<Call<T>> + Dispatchable<Info = DispatchInfo>,
{
	const IDENTIFIER: &'static str = "CheckJobCalls";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		let reads = match call.is_sub_type() {
			Some(Call::submit_job { .. } | Call::submit_jobs { .. }) => 2,
			Some(call) => usize::from(jobs_in_flight::<T>(call).is_some()),
			None => 0,
		};
		T::DbWeight::get().reads(reads as u64)
	}

	fn validate(
		&self,
		origin: T::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let verdict = match (call.is_sub_type(), origin.as_signer()) {
			(Some(call), Some(who)) => check::<T>(call, who),
			_ => Ok(()),
		};
		verdict.map_err(InvalidTransaction::Custom)?;
		Ok((ValidTransaction::default(), (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
