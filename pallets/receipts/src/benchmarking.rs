//! Benchmarks for `pallet_aitbc_receipts`.

#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::*;
use aitbc_primitives::{ReceiptId, UnitType, Usage};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use frame_system::RawOrigin;

#[benchmarks]
mod benchmarks {
	use super::*;

	fn receipt<T: Config>(owner: &T::AccountId) -> ReceiptId {
		Pallet::<T>::issue(NewReceipt {
			job_id: NextReceiptId::<T>::get(),
			client: account("client", 0, 0),
			miner_owner: owner.clone(),
			operator: account("operator", 0, 0),
			model: alloc::vec![b'm'; T::MaxModelIdLen::get() as usize],
			prompt_hash: [3; 32],
			unit_type: UnitType::OutputToken,
			unit_price: 1u32.into(),
			units: 100,
			usage: Usage { prompt_tokens: 10, output_tokens: 100, compute_ms: 900 },
			price: 100u32.into(),
			fee: 5u32.into(),
			output_hash: [7; 32],
			signature: [9; 64],
		})
	}

	#[benchmark]
	fn claim_receipt() {
		let owner: T::AccountId = account("owner", 0, 0);
		T::Currency::set_balance(&owner, T::Currency::minimum_balance() * 1_000u32.into());
		let id = receipt::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);

		assert!(matches!(
			crate::ReceiptRecords::<T>::get(id).map(|r| r.status),
			Some(ReceiptStatus::Claimed { .. })
		));
	}

	/// One receipt past its retention pruned by `on_idle`, with its job's entry.
	#[benchmark]
	fn prune_receipt() {
		let id = receipt::<T>(&account("owner", 0, 0));
		let at = frame_system::Pallet::<T>::block_number() + T::Params::get().receipt_retention;
		frame_system::Pallet::<T>::set_block_number(at);

		#[block]
		{
			Pallet::<T>::prune_one(id);
		}

		assert!(crate::ReceiptRecords::<T>::get(id).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::tests::new_test_ext(), crate::tests::Test);
}
