//! Tests of `pallet_aitbc_receipts`.

use crate::mock::*;
use crate::{
	Emitted, Error, Event, NewReceipt, ReceiptOfJob, ReceiptRecords, ReceiptSink, ReceiptStatus,
};
use aitbc_primitives::{verify_receipt, UnitType, Usage};
use frame_support::{assert_noop, assert_ok};
use sp_core::{sr25519, Pair};
use sp_runtime::AccountId32;

fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Receipts::do_try_state().unwrap();
	});
}

/// A receipt of `units` at 3 per unit whose whole price was paid as fee (so the fee share
/// does not bind the reward).
fn new_receipt(job_id: u64, units: u64, signature: [u8; 64]) -> NewReceipt<AccountId32, Balance> {
	NewReceipt {
		job_id,
		client: CLIENT,
		miner_owner: OWNER,
		operator: OPERATOR,
		model: b"llama3.2:latest".to_vec(),
		prompt_hash: aitbc_primitives::prompt_hash(b"What is machine learning?"),
		unit_type: UnitType::OutputToken,
		unit_price: 3,
		units,
		usage: Usage { prompt_tokens: 5, output_tokens: units as u32, compute_ms: 800 },
		price: 3 * units as u128,
		fee: 3 * units as u128,
		output_hash: aitbc_primitives::output_hash(b"hello"),
		signature,
	}
}

#[test]
fn issue_records_every_field_and_the_signature_verifies() {
	build_and_execute(|| {
		let operator = sr25519::Pair::from_string("//Operator", None).unwrap();
		let mut new = new_receipt(4, 10, [0; 64]);
		let genesis = [7; 32];
		let payload = aitbc_primitives::ReceiptPayload {
			genesis_hash: genesis,
			job_id: 4,
			client: [1; 32],
			model: b"llama3.2:latest".to_vec(),
			prompt_hash: new.prompt_hash,
			output_hash: new.output_hash,
			usage: new.usage,
			price: new.price,
		};
		new.signature = operator.sign(&payload.signing_bytes()).0;
		let id = Receipts::issue(new);
		assert_eq!(id, 0);
		let receipt = ReceiptRecords::<Test>::get(0).unwrap();
		assert_eq!((receipt.job_id, receipt.units, receipt.price, receipt.fee), (4, 10, 30, 30));
		assert_eq!(&receipt.model[..], b"llama3.2:latest");
		assert_eq!((receipt.block, receipt.timestamp_ms), (7, 1_795_305_600_000));
		assert_eq!(receipt.status, ReceiptStatus::Unclaimed);
		assert_eq!(ReceiptOfJob::<Test>::get(4), Some(0));
		assert_eq!(receipt.payload(genesis), payload);
		assert!(verify_receipt(
			&receipt.payload(genesis),
			&receipt.signature,
			&operator.public().0
		));
		// the same receipt does not verify for another chain
		assert!(!verify_receipt(
			&receipt.payload([8; 32]),
			&receipt.signature,
			&operator.public().0
		));
		System::assert_last_event(
			Event::ReceiptIssued { receipt_id: 0, job_id: 4, miner_owner: OWNER, price: 30 }.into(),
		);
	});
}

#[test]
fn the_owner_claims_once_and_reward_is_minted() {
	build_and_execute(|| {
		let id = Receipts::issue(new_receipt(1, 10, [0; 64]));
		let issuance = Balances::total_issuance();
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), id));
		assert_eq!(Balances::free_balance(OWNER), 120);
		assert_eq!(Balances::total_issuance(), issuance + 20);
		assert_eq!(Emitted::<Test>::get(), 20);
		assert_eq!(
			ReceiptRecords::<Test>::get(id).unwrap().status,
			ReceiptStatus::Claimed { at: 7, by: OWNER, reward: 20 }
		);
		System::assert_last_event(
			Event::ReceiptClaimed { receipt_id: id, owner: OWNER, reward: 20 }.into(),
		);
		assert_noop!(
			Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), id),
			Error::<Test>::AlreadyClaimed
		);
	});
}

#[test]
fn only_the_miner_owner_claims() {
	build_and_execute(|| {
		let id = Receipts::issue(new_receipt(1, 10, [0; 64]));
		assert_noop!(
			Receipts::claim_receipt(RuntimeOrigin::signed(OPERATOR), id),
			Error::<Test>::NotMinerOwner
		);
		assert_noop!(
			Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), 9),
			Error::<Test>::UnknownReceipt
		);
	});
}

#[test]
fn emission_stops_at_the_cap() {
	build_and_execute(|| {
		let big = Receipts::issue(new_receipt(1, 100, [0; 64]));
		let next = Receipts::issue(new_receipt(2, 100, [0; 64]));
		let last = Receipts::issue(new_receipt(3, 100, [0; 64]));
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), big));
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), next));
		assert_eq!(Emitted::<Test>::get(), 250, "200 then the 50 left of the cap");
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), last));
		assert_eq!(
			ReceiptRecords::<Test>::get(last).unwrap().status,
			ReceiptStatus::Claimed { at: 7, by: OWNER, reward: 0 }
		);
		assert_eq!(Emitted::<Test>::get(), 250);
	});
}

#[test]
fn the_reward_never_exceeds_the_fee_share() {
	build_and_execute(|| {
		// 10 units would earn 20, but the receipt paid a fee of 10: at most 90 % of it, 9.
		let id = Receipts::issue(NewReceipt { fee: 10, ..new_receipt(1, 10, [0; 64]) });
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), id));
		assert_eq!(Emitted::<Test>::get(), 9);
		// a receipt that paid no fee earns nothing
		let free = Receipts::issue(NewReceipt { fee: 0, ..new_receipt(2, 10, [0; 64]) });
		assert_ok!(Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), free));
		assert_eq!(Emitted::<Test>::get(), 9);
	});
}

/// Receipts are pruned `receipt_retention` blocks after they were issued, oldest first, as
/// far as `on_idle`'s weight allows; the rest wait for the next block.
#[test]
fn receipts_are_pruned_after_their_retention_within_the_spare_weight() {
	use frame_support::{
		traits::{Get, Hooks},
		weights::Weight,
	};
	build_and_execute(|| {
		let retention = crate::mock::Params::get().receipt_retention;
		let issued_at = System::block_number();
		let ids: Vec<u64> =
			(0..5).map(|job| Receipts::issue(new_receipt(job, 10, [0; 64]))).collect();
		let due = issued_at + retention;
		assert_eq!(
			Receipts::on_idle(due - 1, Weight::MAX),
			<<Test as frame_system::Config>::DbWeight as Get<
				frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads_writes(1, 1)
		);
		assert_eq!(ReceiptRecords::<Test>::iter().count(), 5, "kept until the retention ends");
		// Spare weight for two receipts a block.
		let each = <() as crate::WeightInfo>::prune_receipt();
		let spare = each.saturating_mul(2).saturating_add(
			<<Test as frame_system::Config>::DbWeight as Get<
				frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads_writes(1, 1),
		);
		assert!(Receipts::on_idle(due, spare).all_lte(spare));
		assert_eq!(ReceiptRecords::<Test>::iter().count(), 3);
		Receipts::on_idle(due + 1, spare);
		Receipts::on_idle(due + 2, spare);
		assert_eq!(ReceiptRecords::<Test>::iter().count(), 0);
		assert!(ReceiptOfJob::<Test>::iter().next().is_none());
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Receipts(Event::ReceiptPruned { receipt_id: ids[4], job_id: 4 })));
		assert_noop!(
			Receipts::claim_receipt(RuntimeOrigin::signed(OWNER), ids[0]),
			Error::<Test>::UnknownReceipt
		);
	});
}
