//! A test runtime with the whole marketplace: balances, parameters, miners, escrow, receipts
//! and jobs. Accounts are sr25519 public keys so operators can sign receipts.

use crate::{self as pallet_aitbc_jobs, InferenceParams, JobKind, Sr25519Verifier};
use aitbc_primitives::{operator_proof_bytes, output_hash, JobId, UnitType, Usage};
use aitbc_traits::MarketParams;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, OnFinalize, OnIdle, OnInitialize, UnixTime},
	weights::Weight,
};
use pallet_aitbc_miners::{GpuInfo, MinerOffer};
use sp_core::{sr25519, Pair};
use sp_runtime::{AccountId32, BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type Balance = u128;
pub type AccountId = AccountId32;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Params: pallet_aitbc_params,
		Miners: pallet_aitbc_miners,
		Escrow: pallet_aitbc_escrow,
		Receipts: pallet_aitbc_receipts,
		Jobs: pallet_aitbc_jobs,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const MIN_STAKE: Balance = 1_000;
/// What test miners stake: twice the minimum, so one slash leaves them assignable.
pub const STAKE: Balance = 2_000;
pub const ENDOWMENT: Balance = 1_000_000;

/// The shared test values, with the windows and fees these tests are written for.
pub fn default_params() -> MarketParams<Balance, u64> {
	MarketParams {
		protocol_fee: Perbill::from_percent(10),
		min_fee: 2,
		heartbeat_timeout: 100,
		ack_timeout: 3,
		min_result_time: 5,
		min_tokens_per_second: 10,
		..MarketParams::test_defaults()
	}
}

pub fn treasury() -> AccountId {
	AccountId32::new([99; 32])
}

parameter_types! {
	pub Treasury: AccountId = treasury();
	pub DefaultParams: MarketParams<Balance, u64> = default_params();
}

impl pallet_aitbc_params::Config for Test {
	type Balance = Balance;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type DefaultParams = DefaultParams;
	type MaxAssignAttempts = ConstU32<3>;
	type Emitted = pallet_aitbc_receipts::EmittedSoFar<Test>;
	type WeightInfo = ();
}

impl pallet_aitbc_miners::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = Params;
	type Treasury = Treasury;
	type Verifier = Sr25519Verifier;
	type MaxModels = ConstU32<4>;
	type MaxModelIdLen = ConstU32<32>;
	type MaxGpuNameLen = ConstU32<32>;
	type MaxEndpointLen = ConstU32<64>;
	type MaxMinersPerModel = ConstU32<8>;
	type MaxCapacity = ConstU32<8>;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_aitbc_miners::Sr25519BenchmarkHelper<Test>;
}

impl pallet_aitbc_escrow::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Treasury = Treasury;
}

/// Block 0 starts at 2026-11-22T00:00:00Z.
pub const GENESIS_MS: u64 = 1_795_305_600_000;

/// A clock that follows the block number: 2 s a block from [`GENESIS_MS`].
pub struct BlockClock;
impl UnixTime for BlockClock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(GENESIS_MS + System::block_number() * 2_000)
	}
}

impl pallet_aitbc_receipts::Config for Test {
	type Currency = Balances;
	type UnixTime = BlockClock;
	type Params = Params;
	type MaxModelIdLen = ConstU32<32>;
	type WeightInfo = ();
}

parameter_types! {
	/// The storage deposit per job, on top of its bytes.
	pub const JobDeposit: Balance = 10;
	/// The storage deposit per byte.
	pub const ByteDeposit: Balance = 1;
	/// What `on_initialize` may spend; tests of the metered hooks lower it.
	pub static HookWeight: Weight = Weight::from_parts(2_000_000_000_000, u64::MAX);
}

impl pallet_aitbc_jobs::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type JobDeposit = JobDeposit;
	type ByteDeposit = ByteDeposit;
	type HookWeight = HookWeight;
	type Escrow = Escrow;
	type Miners = Miners;
	type Receipts = Receipts;
	type Verifier = Sr25519Verifier;
	type Params = Params;
	type MillisPerBlock = ConstU64<2_000>;
	type MaxModelIdLen = ConstU32<32>;
	type MaxPromptChars = ConstU32<4_000>;
	type MaxPromptLen = ConstU32<16_000>;
	type MaxOutputLen = ConstU32<4_096>;
	type MaxTokens = ConstU32<4_096>;
	type MaxReasonLen = ConstU32<128>;
	type MaxAttempts = ConstU32<3>;
	type MaxBatch = ConstU32<8>;
	type MaxQueued = ConstU32<8>;
	type MaxHeldJobs = ConstU32<8>;
	type MaxPrunesPerBlock = ConstU32<8_192>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_aitbc_miners::JobsBenchmarkSetup<Test>;
}

/// Client account `n`.
pub fn client(n: u8) -> AccountId {
	AccountId32::new([n; 32])
}

/// Owner account of miner `n`.
pub fn owner(n: u8) -> AccountId {
	AccountId32::new([100 + n; 32])
}

/// The operator key pair of miner `n` (derived once per thread: the derivation runs PBKDF2).
pub fn operator_pair(n: u8) -> sr25519::Pair {
	thread_local! {
		static PAIRS: std::cell::RefCell<std::collections::BTreeMap<u8, sr25519::Pair>> =
			Default::default();
	}
	PAIRS.with(|pairs| {
		pairs
			.borrow_mut()
			.entry(n)
			.or_insert_with(|| sr25519::Pair::from_string(&format!("//Operator{n}"), None).unwrap())
			.clone()
	})
}

/// The operator account of miner `n`.
pub fn operator(n: u8) -> AccountId {
	operator_pair(n).public().into()
}

pub struct ExtBuilder {
	balances: Vec<(AccountId, Balance)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		let mut balances: Vec<_> = (1..=5).map(|n| (client(n), ENDOWMENT)).collect();
		balances.extend((1..=5).map(|n| (owner(n), ENDOWMENT)));
		balances.extend((1..=5).map(|n| (operator(n), ENDOWMENT)));
		balances.push((treasury(), 1));
		ExtBuilder { balances }
	}
}

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.register_extension(sp_keystore::KeystoreExt::new(
			sp_keystore::testing::MemoryKeystore::new(),
		));
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks every pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			check_invariants();
		});
	}
}

/// The invariants of all marketplace pallets.
pub fn check_invariants() {
	Jobs::do_try_state().unwrap();
	Escrow::do_try_state().unwrap();
	Miners::do_try_state().unwrap();
	Receipts::do_try_state().unwrap();
}

/// Runs blocks up to `n`: `on_idle` and `on_finalize` of the current block, then
/// `on_initialize` of the next.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let now = System::block_number();
		AllPalletsWithSystem::on_idle(now, Weight::MAX);
		AllPalletsWithSystem::on_finalize(now);
		System::set_block_number(now + 1);
		AllPalletsWithSystem::on_initialize(now + 1);
	}
}

/// The jobs pallet's events since the last call.
pub fn job_events() -> Vec<crate::Event<Test>> {
	let events = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Jobs(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}

/// The offer of a miner serving `model` at `unit_price` per `unit_type` with `capacity`.
pub fn offer(
	model: &str,
	unit_type: UnitType,
	unit_price: Balance,
	capacity: u32,
) -> pallet_aitbc_miners::MinerOfferOf<Test> {
	MinerOffer {
		models: vec![model.as_bytes().to_vec().try_into().unwrap()].try_into().unwrap(),
		unit_type,
		unit_price,
		capacity,
		gpu: GpuInfo { name: b"H100".to_vec().try_into().unwrap(), vram_mib: 81_920, count: 1 },
	}
}

/// The chain's genesis hash, as receipts and operator proofs bind it.
pub fn genesis() -> [u8; 32] {
	pallet_aitbc_miners::genesis_hash::<Test>()
}

/// Operator `n`'s proof of possession for `owner`.
pub fn operator_proof(n: u8, owner: &AccountId) -> [u8; 64] {
	operator_pair(n).sign(&operator_proof_bytes(&genesis(), owner.as_ref())).0
}

/// Registers miner `n` (owner `owner(n)`, operator `operator(n)`) with `offer` and `stake`.
pub fn register_with(n: u8, offer: pallet_aitbc_miners::MinerOfferOf<Test>, stake: Balance) {
	assert_ok!(Miners::register(
		RuntimeOrigin::signed(owner(n)),
		operator(n),
		offer,
		stake,
		operator_proof(n, &owner(n))
	));
}

/// Registers miner `n` serving `model` at `unit_price` per output token with `capacity`.
pub fn register_miner(n: u8, model: &str, unit_price: Balance, capacity: u32) {
	register_with(n, offer(model, UnitType::OutputToken, unit_price, capacity), STAKE);
}

pub fn params(max_tokens: u32) -> InferenceParams {
	InferenceParams { temperature_milli: 700, max_tokens, seed: Some(42) }
}

/// `who` submits a `model` job of `max_tokens` for at most `max_price` with `ttl`; the job id.
pub fn submit_as(
	who: &AccountId,
	model: &str,
	max_tokens: u32,
	max_price: Balance,
	ttl: Option<u64>,
) -> Result<JobId, sp_runtime::DispatchError> {
	let id = crate::NextJobId::<Test>::get();
	Jobs::submit_job(
		RuntimeOrigin::signed(who.clone()),
		JobKind::TextInference,
		model.as_bytes().to_vec().try_into().unwrap(),
		PROMPT.to_vec().try_into().unwrap(),
		params(max_tokens),
		max_price,
		ttl,
		None,
	)
	.map(|_| id)
	.map_err(|e| e.error)
}

/// A batch entry: a `model` job of `max_tokens` for at most `max_price`, with the test prompt.
pub fn spec(model: &str, max_tokens: u32, max_price: Balance) -> crate::JobSpecOf<Test> {
	crate::JobSpec {
		kind: JobKind::TextInference,
		model: model.as_bytes().to_vec().try_into().unwrap(),
		prompt: PROMPT.to_vec().try_into().unwrap(),
		params: params(max_tokens),
		max_price,
		ttl: None,
		min_reputation: None,
	}
}

/// The prompt test jobs carry.
pub const PROMPT: &[u8] = b"What is machine learning?";

/// The storage deposit of a test job.
pub fn deposit() -> Balance {
	Jobs::deposit_for(PROMPT.len())
}

/// The queued jobs, oldest first.
pub fn queued() -> Vec<JobId> {
	crate::Queue::<Test>::iter_keys().map(|key| key.0).collect()
}

/// Client `c` submits a `model` job of `max_tokens` for at most `max_price`.
pub fn submit(c: u8, model: &str, max_tokens: u32, max_price: Balance) -> JobId {
	submit_as(&client(c), model, max_tokens, max_price, None).expect("submission works")
}

/// Miner `n`'s signature over the receipt payload (v2) of `job_id`, as the chain rebuilds it.
pub fn sign(n: u8, job_id: JobId, output: &[u8], usage: Usage, price: Balance) -> [u8; 64] {
	// An unknown job gets a signature that verifies for nothing.
	let Some(job) = crate::JobRecords::<Test>::get(job_id) else { return [0; 64] };
	let payload = Jobs::receipt_payload(
		job_id,
		&job,
		aitbc_primitives::prompt_hash(&job.prompt),
		output_hash(output),
		usage,
		price,
	);
	operator_pair(n).sign(&payload.signing_bytes()).0
}

/// Usage with `tokens` output tokens.
pub fn usage(tokens: u32) -> Usage {
	Usage { prompt_tokens: 6, output_tokens: tokens, compute_ms: 900 }
}
