//! Governance: OpenGov referenda with conviction voting on the tracks of
//! `governance/tracks.rs`, a technical committee that whitelists calls for the
//! `whitelisted_caller` track, and the treasury. See `docs/governance.md`.

use crate::{
	configs::RuntimeBlockWeights,
	governance::{
		origins::pallet_origins::{self, GovernanceTiming, Spender},
		tracks::{self, TracksInfo},
	},
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, System, Treasury,
	MILLI_UNIT, UNIT,
};
use frame_support::{
	parameter_types,
	traits::{
		fungible,
		fungible::HoldConsideration,
		tokens::{pay::PaymentStatus, Pay, Preservation, UnityAssetBalanceConversion},
		ConstU32, EitherOf, EqualPrivilegeOnly, Get, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureSigned};
use sp_runtime::traits::IdentityLookup;

/// Root, or a referendum on the `market_params` track: sets the marketplace parameters.
pub type MarketParamsOrigin = EitherOf<EnsureRoot<AccountId>, pallet_origins::MarketParams>;
/// Root, or a referendum on the `miner_admin` track: bans, unbans, reverses slashes, ends jails.
pub type MinerAdminOrigin = EitherOf<EnsureRoot<AccountId>, pallet_origins::MinerAdmin>;
/// Root, or a referendum on the `validator_admin` track: adds and removes validators, sets the
/// session length.
pub type ValidatorAdminOrigin = EitherOf<EnsureRoot<AccountId>, pallet_origins::ValidatorAdmin>;
/// Two thirds of the technical committee.
pub type TechnicalTwoThirds =
	pallet_collective::EnsureProportionAtLeast<AccountId, TechnicalCollective, 2, 3>;

// The governed periods of `tracks.rs`, read under the chain's [`GovernanceTiming`].
macro_rules! timed_periods {
	($($name:ident => $f:path),* $(,)?) => { $(
		#[doc = concat!("`", stringify!($f), "` under the chain's governance timing.")]
		pub struct $name;
		impl Get<BlockNumber> for $name {
			fn get() -> BlockNumber {
				$f(GovernanceTiming::<Runtime>::get())
			}
		}
	)* };
}
timed_periods!(
	UndecidingTimeout => tracks::undeciding_timeout,
	VoteLockingPeriod => tracks::vote_locking_period,
	MotionDuration => tracks::motion_duration,
	DeferredDispatchExpiration => tracks::deferred_dispatch_expiration,
	PayoutPeriod => tracks::payout_period,
);

impl pallet_origins::Config for Runtime {}

parameter_types! {
	pub const PreimageBaseDeposit: Balance = UNIT;
	pub const PreimageByteDeposit: Balance = MILLI_UNIT;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	// 1 AIT + 0.001 AIT per byte, held while the preimage is noted and not requested
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Scheduled calls (enactments) may use half a block: with the jobs pallet's hook (a
	/// fifth), hooks leave at least 30 % of every block to transactions. A runtime upgrade is
	/// applied by `apply_authorized_upgrade`, not through the scheduler.
	pub MaximumSchedulerWeight: Weight =
		RuntimeBlockWeights::get().max_block.saturating_div(2);
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	type MaxTurnout =
		frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<512>;
	type VoteLockingPeriod = VoteLockingPeriod;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

parameter_types! {
	/// Held from the proposer until the referendum is approved or cancelled.
	pub const SubmissionDeposit: Balance = 10 * UNIT;
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	type SubmitOrigin = EnsureSigned<AccountId>;
	// A referendum on the `referendum_canceller` track (or Root) may cancel a referendum
	// (deposits returned), one on `referendum_killer` may kill one (deposits slashed to the
	// treasury). The committee cannot: it could otherwise stop its own replacement.
	type CancelOrigin = EitherOf<EnsureRoot<AccountId>, pallet_origins::ReferendumCanceller>;
	type KillOrigin = EitherOf<EnsureRoot<AccountId>, pallet_origins::ReferendumKiller>;
	type Slash = Treasury;
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = frame_support::traits::ConstU32<1>;
	type Tracks = TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

/// The technical committee's instance of `pallet_collective`.
pub type TechnicalCollective = pallet_collective::Instance1;

parameter_types! {
	/// A committee motion may dispatch up to half a block.
	pub MaxCommitteeProposalWeight: Weight =
		RuntimeBlockWeights::get().max_block.saturating_div(2);
}

impl pallet_collective::Config<TechnicalCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = MotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = ConstU32<16>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	// membership changes go through the root track
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCommitteeProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	// members are chosen by Root; their motions need no deposit
	type Consideration = ();
}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WhitelistOrigin = TechnicalTwoThirds;
	type DispatchWhitelistedOrigin =
		EitherOf<EnsureRoot<AccountId>, pallet_origins::WhitelistedCaller>;
	type Preimages = Preimage;
	type DeferredDispatchExpiration = DeferredDispatchExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const TreasuryPalletId: frame_support::PalletId = crate::configs::TREASURY_PALLET_ID;
	pub const MaxBalance: Balance = Balance::MAX;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EnsureRoot<AccountId>;
	type RuntimeEvent = RuntimeEvent;
	// The legacy approval queue is unused (spends go through `spend` and `payout`).
	type SpendPeriod = frame_support::traits::ConstU32<{ crate::DAYS }>;
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	type SpendOrigin = EitherOf<EnsureRootWithSuccess<AccountId, MaxBalance>, Spender>;
	// the native token only
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromTreasury;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
	type BlockNumberProvider = System;
}

/// Pays treasury spends from the treasury account, never below its existential deposit: the
/// account also receives protocol fees and slashes, some below the existential deposit, which
/// would fail if a spend had closed it.
pub struct PayFromTreasury;

impl Pay for PayFromTreasury {
	type Balance = Balance;
	type Beneficiary = AccountId;
	type AssetKind = ();
	type Id = ();
	type Error = sp_runtime::DispatchError;

	fn pay(who: &AccountId, _: (), amount: Balance) -> Result<(), Self::Error> {
		<Balances as fungible::Mutate<AccountId>>::transfer(
			&crate::configs::treasury_account(),
			who,
			amount,
			Preservation::Preserve,
		)?;
		Ok(())
	}

	fn check_payment(_: ()) -> PaymentStatus {
		PaymentStatus::Success
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_successful(_: &AccountId, _: (), amount: Balance) {
		let _ = <Balances as fungible::Mutate<AccountId>>::mint_into(
			&crate::configs::treasury_account(),
			amount.saturating_add(crate::EXISTENTIAL_DEPOSIT),
		);
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_concluded(_: ()) {}
}
