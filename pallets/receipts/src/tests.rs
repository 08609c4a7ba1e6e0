//! Tests of `pallet_aitbc_receipts`.

use crate::{
	self as pallet_aitbc_receipts, Emitted, Error, Event, NewReceipt, ReceiptOfJob, ReceiptSink,
	ReceiptStatus, Receipts as ReceiptRecords,
};
use aitbc_primitives::{verify_receipt, UnitType, Usage};
use frame_support::{assert_noop, assert_ok, derive_impl, parameter_types, traits::UnixTime};
use pallet_aitbc_params::MarketParams;
use sp_core::{sr25519, Pair};
use sp_runtime::{AccountId32, BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Params: pallet_aitbc_params,
		Receipts: pallet_aitbc_receipts,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId32>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
}

parameter_types! {
	pub DefaultParams: MarketParams<Balance, u64> = MarketParams {
		min_stake: 1_000,
		protocol_fee: Perbill::from_percent(5),
		min_fee: 1,
		slash_fraction: Perbill::from_percent(10),
		heartbeat_timeout: 30,
		ack_timeout: 5,
		queue_timeout: 30,
		min_result_time: 10,
		min_tokens_per_second: 5,
		default_ttl: 450,
		max_ttl: 1_800,
		max_open_jobs_per_client: 4,
		max_assign_attempts: 3,
		jail_after_misses: 3,
		jail_period: 50,
		unbonding_period: 100,
		retention_period: 50,
		reward_per_unit: 2,
		reward_fee_share: Perbill::from_percent(90),
		emission_cap: 250,
	};
}

impl pallet_aitbc_params::Config for Test {
	type Balance = Balance;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId32>;
	type DefaultParams = DefaultParams;
	type MaxAssignAttempts = frame_support::traits::ConstU32<3>;
	type Emitted = crate::EmittedSoFar<Test>;
	type WeightInfo = ();
}

/// A clock fixed at 2026-11-22T00:00:00Z.
pub struct FixedClock;
impl UnixTime for FixedClock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(1_795_305_600_000)
	}
}

impl pallet_aitbc_receipts::Config for Test {
	type Currency = Balances;
	type UnixTime = FixedClock;
	type Params = Params;
	type MaxModelIdLen = frame_support::traits::ConstU32<32>;
	type WeightInfo = ();
}

const CLIENT: AccountId32 = AccountId32::new([1; 32]);
const OWNER: AccountId32 = AccountId32::new([2; 32]);
const OPERATOR: AccountId32 = AccountId32::new([3; 32]);

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(CLIENT, 100), (OWNER, 100)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(7));
	ext
}

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
