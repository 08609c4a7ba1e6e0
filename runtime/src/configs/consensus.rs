//! Block production (Aura), finality (GRANDPA), time (Timestamp), and the validator set that
//! changes session by session (Session, ValidatorSet; `docs/validators.md`).

use crate::{
	opaque::SessionKeys, AccountId, Aura, Balance, Balances, BlockNumber, Runtime, RuntimeEvent,
	ValidatorSet, DAYS, HOURS, SLOT_DURATION, UNIT,
};
use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

/// Upper bound on the validator set.
pub type MaxAuthorities = ConstU32<32>;

parameter_types! {
	/// Held from an account while it has session keys registered (`Session::set_keys`), returned
	/// by `Session::purge_keys`: the keys' storage is not free.
	pub const SessionKeyDeposit: Balance = 10 * UNIT;
	/// The session length of a chain whose genesis sets none: one hour.
	pub const DefaultSessionLength: BlockNumber = HOURS;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// A validator is identified by its account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = ValidatorSet;
	type NextSessionRotation = ValidatorSet;
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// No offence reporting on this chain: nobody is disabled.
	type DisablingStrategy = ();
	// The SDK's reference weights: set_keys and purge_keys are storage-bound and rare.
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_aitbc_validators::Config for Runtime {
	type Session = crate::Session;
	type AdminOrigin = crate::configs::ValidatorAdminOrigin;
	type MaxValidators = MaxAuthorities;
	type MinValidators = ConstU32<1>;
	/// Ten blocks (20 s): for test networks.
	type MinSessionLength = ConstU32<10>;
	type MaxSessionLength = ConstU32<{ DAYS }>;
	type DefaultSessionLength = DefaultSessionLength;
	type WeightInfo = pallet_aitbc_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = KeysForBenchmarks;
}

/// Registers session keys for the validator-set benchmarks (no keystore, no deposit).
#[cfg(feature = "runtime-benchmarks")]
pub struct KeysForBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_aitbc_validators::BenchmarkHelper<AccountId> for KeysForBenchmarks {
	fn register_keys(who: &AccountId) {
		let raw: [u8; 32] = *who.as_ref();
		let keys = SessionKeys {
			aura: sp_core::sr25519::Public::from_raw(raw).into(),
			grandpa: sp_core::ed25519::Public::from_raw(raw).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	/// Aura derives its slot duration as twice this value.
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type MaxAuthorities = MaxAuthorities;
	type DisabledValidators = ();
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	/// No equivocation reports (below), so no set-id-to-session history is kept.
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}
