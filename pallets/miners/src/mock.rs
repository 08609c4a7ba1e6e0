//! A test runtime with balances, parameters and the miner registry.

use crate::{self as pallet_aitbc_miners, GpuInfo, MinerOffer, MinerOfferOf};
use aitbc_primitives::UnitType;
use aitbc_traits::MarketParams;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type Balance = u128;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Miners: pallet_aitbc_miners,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const TREASURY: AccountId = 99;
pub const MIN_STAKE: Balance = 1_000;

/// The shared test values (`MIN_STAKE` is their minimum stake).
pub fn default_params() -> MarketParams<Balance, u64> {
	MarketParams::test_defaults()
}

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub Params: MarketParams<Balance, u64> = default_params();
}

impl pallet_aitbc_miners::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = Params;
	type Treasury = Treasury;
	type Verifier = TestVerifier;
	type MaxModels = ConstU32<4>;
	type MaxModelIdLen = ConstU32<32>;
	type MaxGpuNameLen = ConstU32<32>;
	type MaxEndpointLen = ConstU32<64>;
	type MaxMinersPerModel = ConstU32<3>;
	type MaxCapacity = ConstU32<8>;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestOperators;
}

/// Operator keys for the benchmark tests: account `1_000 + index` and its test proof.
#[cfg(feature = "runtime-benchmarks")]
pub struct TestOperators;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for TestOperators {
	fn operator(index: u32, owner: &AccountId) -> (AccountId, [u8; 64]) {
		let operator = 1_000 + u64::from(index);
		(operator, proof(operator, *owner))
	}
}

/// A stand-in for sr25519 over `u64` accounts: a "signature" is the signer's id followed by
/// the blake2-256 of the message. The real sr25519 path is tested in the jobs pallet, whose
/// mock has sr25519 accounts.
pub struct TestVerifier;

impl crate::SignatureVerifier<AccountId> for TestVerifier {
	fn verify(signer: &AccountId, message: &[u8], signature: &[u8; 64]) -> bool {
		*signature == test_signature(*signer, message)
	}

	fn raw(account: &AccountId) -> [u8; 32] {
		let mut raw = [0; 32];
		raw[..8].copy_from_slice(&account.to_le_bytes());
		raw
	}
}

/// `signer`'s test signature over `message`.
pub fn test_signature(signer: AccountId, message: &[u8]) -> [u8; 64] {
	let mut signature = [0; 64];
	signature[..8].copy_from_slice(&signer.to_le_bytes());
	signature[8..40].copy_from_slice(&sp_io::hashing::blake2_256(message));
	signature
}

/// `operator`'s proof of possession for `owner`.
pub fn proof(operator: AccountId, owner: AccountId) -> [u8; 64] {
	use crate::SignatureVerifier;
	let message = aitbc_primitives::operator_proof_bytes(
		&crate::genesis_hash::<Test>(),
		&TestVerifier::raw(&owner),
	);
	test_signature(operator, &message)
}

/// An offer of `models` at `unit_price` per output token, with `capacity` slots.
pub fn offer(models: &[&str], unit_price: Balance, capacity: u32) -> MinerOfferOf<Test> {
	MinerOffer {
		models: models
			.iter()
			.map(|m| m.as_bytes().to_vec().try_into().unwrap())
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
		unit_type: UnitType::OutputToken,
		unit_price,
		capacity,
		gpu: GpuInfo { name: b"RTX 4090".to_vec().try_into().unwrap(), vram_mib: 24_576, count: 1 },
	}
}

/// Accounts 1..=9 own 100,000 each; the treasury 1.
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build_and_execute(test: impl FnOnce()) {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: (1..=9).map(|a| (a, 100_000)).chain([(TREASURY, 1)]).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			test();
			Miners::do_try_state().unwrap();
		});
	}
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	System::run_to_block::<AllPalletsWithSystem>(n);
}

/// The events of this pallet since the last call.
pub fn miner_events() -> Vec<crate::Event<Test>> {
	let events = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Miners(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}

#[cfg(feature = "runtime-benchmarks")]
impl ExtBuilder {
	/// The externalities the benchmark tests run in.
	pub fn new_test_ext() -> sp_io::TestExternalities {
		let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}
}

// Scenario helpers shared by `tests.rs` and `admin_tests.rs`.

pub const OWNER: AccountId = 1;
pub const OPERATOR: AccountId = 11;

pub fn register(owner: AccountId, operator: AccountId, models: &[&str], price: Balance) {
	frame_support::assert_ok!(Miners::register(
		RuntimeOrigin::signed(owner),
		operator,
		offer(models, price, 2),
		MIN_STAKE,
		proof(operator, owner)
	));
}

/// The terms `operator` ran a job under (owner `owner`).
pub fn terms(operator: AccountId, owner: AccountId) -> crate::MinerTerms<AccountId, Balance> {
	crate::MinerTerms {
		operator,
		owner,
		unit_type: aitbc_primitives::UnitType::OutputToken,
		unit_price: 10,
	}
}

/// A job held by registered `operator` ended with `outcome`.
pub fn end(operator: AccountId, outcome: crate::JobOutcome) {
	let owner = crate::MinerRecords::<Test>::get(operator).unwrap().owner;
	<Miners as crate::MinerRegistry<_, _>>::job_ended(&terms(operator, owner), outcome);
}

pub const DONE: crate::JobOutcome = crate::JobOutcome::Completed { rated: true };

pub fn needs(model: &str) -> crate::JobNeeds<'_, Balance> {
	crate::JobNeeds {
		model: model.as_bytes(),
		max_tokens: 100,
		max_price: 10_000,
		min_reputation: sp_runtime::Perbill::zero(),
	}
}

pub fn stake_hold(owner: AccountId) -> Balance {
	<Balances as frame_support::traits::fungible::InspectHold<_>>::balance_on_hold(
		&crate::HoldReason::MinerStake.into(),
		&owner,
	)
}
