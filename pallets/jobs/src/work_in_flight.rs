//! [`CheckWorkInFlight`]: the transaction extension that keeps the fast lane for work in
//! flight honest.
//!
//! Acknowledgements, results and failure reports are dispatched in the operational class, so
//! the pool ranks them above new submissions (transaction-payment's operational boost) and they
//! may use the share of the block kept from normal extrinsics: when blocks are full, work in
//! flight finishes first. This extension makes sure only work in flight gets there: such a call
//! is valid only if its signer holds every job it names ([`HeldJobs`]); anything else is
//! refused by the pool before it is included, so nobody can fill blocks with operational junk.
//! The extension carries no bytes (clients that do not know it encode nothing for it).

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

/// Refuses, at the pool, acknowledgements, results and failure reports for jobs their signer
/// does not hold.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckWorkInFlight<T>(PhantomData<T>);

impl<T> CheckWorkInFlight<T> {
	/// The extension (it has no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckWorkInFlight<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckWorkInFlight")
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

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckWorkInFlight<T>
where
	T::RuntimeCall: IsSubType<Call<T>> + Dispatchable<Info = DispatchInfo>,
{
	const IDENTIFIER: &'static str = "CheckWorkInFlight";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		let jobs = call.is_sub_type().and_then(jobs_in_flight::<T>).map_or(0, |ids| ids.len());
		T::DbWeight::get().reads(jobs as u64)
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
		let Some(jobs) = call.is_sub_type().and_then(jobs_in_flight::<T>) else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		let Some(who) = origin.as_signer() else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		if !jobs.iter().all(|job_id| HeldJobs::<T>::contains_key(who, OldestFirst(*job_id))) {
			return Err(InvalidTransaction::Custom(NOT_HELD).into());
		}
		Ok((ValidTransaction::default(), (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
