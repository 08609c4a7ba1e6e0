//! # AITBC miner registry
//!
//! GPU operators register here to be assigned inference jobs.
//!
//! ## Overview
//!
//! An **owner** account registers a miner under an **operator** (hot) key, the key the
//! `aitbc-miner` daemon signs with. The operator key must be sr25519: registration carries its
//! signature over [`aitbc_primitives::operator_proof_bytes`] (genesis hash and owner), which
//! also shows that the key consents to run this owner's miner. The owner's stake (at least the
//! governed `min_stake`) is held under [`HoldReason::MinerStake`]; `bond_extra` adds to it and
//! `rotate_operator` moves the miner to a new operator key. A registration carries the miner's
//! [`MinerOffer`]: the models it serves, its unit type and price, its capacity and its GPUs.
//!
//! - **Liveness**: the operator sends heartbeats. A miner whose last heartbeat is older than
//!   `heartbeat_timeout` is not assigned new jobs. Being inactive is not a penalty.
//! - **Reputation**: a bounded Beta-style score ([`reputation`]). Rated completed jobs raise it
//!   (see [`JobOutcome::Completed`]); giving a job up and missed deadlines lower it.
//! - **Selection**: the lowest effective price wins: the job's worst-case price divided by the
//!   miner's reputation, its free capacity share and a stake bonus of at most 2×.
//! - **Slashing**: each missed deadline slashes `slash_fraction` of the stake to the treasury;
//!   `jail_after_misses` misses in a row jail the miner for `jail_period` blocks, after which
//!   its operator's `go_online` releases it (going offline meanwhile does not shorten it).
//! - **Leaving**: `deregister` stops new assignments at once and starts an unbonding period.
//!   Jobs the miner still holds run to their end, and a miss among them slashes the unbonding
//!   stake. `withdraw_unbonded` releases the stake once the period has passed and no job is
//!   left in flight.
//!
//! The jobs pallet sees the registry only through [`MinerRegistry`]: selection, in-flight
//! accounting and outcomes. Selection reads the per-model index [`MinersByModel`], bounded by
//! [`Config::MaxMinersPerModel`]; no call or hook iterates an unbounded map.
//!
//! The index holds exactly the **active** miners: going offline or to jail takes a miner out
//! of every index of its models, `go_online` (or the heartbeat that ends a jail term) puts it
//! back. A slot is never lost to a miner that cannot work: when a model's index is full, a
//! newcomer evicts an indexed miner whose heartbeat is stale or whose stake fell below
//! `min_stake`, else the most expensive indexed miner if the newcomer is strictly cheaper (for
//! a reference job of 256 tokens); the evicted miner goes offline and its daemon's
//! `go_online` brings it back if it fits. So a full index holds the cheapest working miners,
//! and squatting it with miners priced above every job buys nothing.
//!
//! One owner has at most one miner.

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may compute freely; runtime code may not (workspace lints).
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

pub use pallet::*;

mod admin;
mod dispatchable_impls;
mod invariants;
mod registry;
pub mod reputation;
mod selection;
mod slashing;
mod types;
pub mod weights;

#[cfg(test)]
mod admin_tests;
#[cfg(feature = "runtime-benchmarks")]
mod benchmark_setup;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[cfg(feature = "runtime-benchmarks")]
pub use benchmark_setup::JobsBenchmarkSetup;
pub use reputation::Reputation;
pub use types::*;
pub use weights::WeightInfo;

// FRAME's macro expansion (pallet struct, storage, errors) calls `expect`; the code written
// in this module is held to the workspace lints by review.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aitbc_traits::MarketParams;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;

	/// The balance type of the currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A model id, e.g. `llama3.2:latest`.
	pub type ModelIdOf<T> = BoundedVec<u8, <T as Config>::MaxModelIdLen>;
	/// The models a miner serves.
	pub type ModelsOf<T> = BoundedVec<ModelIdOf<T>, <T as Config>::MaxModels>;
	/// A GPU name.
	pub type GpuNameOf<T> = BoundedVec<u8, <T as Config>::MaxGpuNameLen>;
	/// A miner's stream endpoint: the base URL of its token-stream server.
	pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;
	/// A miner's offer in this runtime.
	pub type MinerOfferOf<T> = MinerOffer<BalanceOf<T>, ModelsOf<T>, GpuNameOf<T>>;
	/// A miner's record in this runtime.
	pub type MinerRecordOf<T> = MinerRecord<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		ModelsOf<T>,
		GpuNameOf<T>,
	>;
	/// Terms in this runtime.
	pub type MinerTermsOf<T> = MinerTerms<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
	/// Unbonding stake in this runtime.
	pub type UnbondingOf<T> =
		Unbonding<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency stake is held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The marketplace parameters.
		type Params: Get<MarketParams<BalanceOf<Self>, BlockNumberFor<Self>>>;
		/// Where slashed stake goes.
		type Treasury: Get<Self::AccountId>;
		/// Checks operator keys' proofs of possession (sr25519).
		type Verifier: SignatureVerifier<Self::AccountId>;
		/// Most models one miner serves.
		#[pallet::constant]
		type MaxModels: Get<u32>;
		/// Longest model id, in bytes.
		#[pallet::constant]
		type MaxModelIdLen: Get<u32>;
		/// Longest GPU name, in bytes.
		#[pallet::constant]
		type MaxGpuNameLen: Get<u32>;
		/// Most miners indexed per model (bounds selection).
		#[pallet::constant]
		type MaxMinersPerModel: Get<u32>;
		/// Most concurrent jobs one miner may declare.
		#[pallet::constant]
		type MaxCapacity: Get<u32>;
		/// Longest stream endpoint (a miner's token-stream base URL), in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Who may ban and unban miners, end jails and reverse slashes (the `miner_admin` track).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Makes operator keys and their proofs for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A miner owner's stake, held while registered and during unbonding.
		#[codec(index = 0)]
		MinerStake,
	}

	/// Registered miners by operator key.
	#[pallet::storage]
	pub type MinerRecords<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, MinerRecordOf<T>>;

	/// The operator key of each owner's miner.
	#[pallet::storage]
	pub type OperatorOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Operators serving each model, for selection.
	#[pallet::storage]
	pub type MinersByModel<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		ModelIdOf<T>,
		BoundedVec<T::AccountId, T::MaxMinersPerModel>,
		ValueQuery,
	>;

	/// Stake of deregistered miners, by owner, until withdrawn.
	#[pallet::storage]
	pub type Unbondings<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, UnbondingOf<T>>;

	/// Where each miner serves the token streams of its jobs, by operator key: the base URL of
	/// its stream server (`http://` or `https://`), set by the operator. Clients and gateways
	/// read a job's tokens there as they are generated (`GET <endpoint>/v1/jobs/{id}/stream`,
	/// signed by the job's client); the chain settles the job with the signed result either way.
	/// Removed when the miner deregisters or moves to another operator key.
	#[pallet::storage]
	pub type Endpoints<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, EndpointOf<T>>;

	/// Owners banned by governance: their miner takes no jobs, and they cannot register again.
	#[pallet::storage]
	pub type BannedOwners<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// Stake each owner lost to slashes and governance has not given back: the most
	/// [`Pallet::reverse_slash`] may return.
	#[pallet::storage]
	pub type SlashedStake<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An owner registered a miner.
		MinerRegistered { owner: T::AccountId, operator: T::AccountId, stake: BalanceOf<T> },
		/// An owner changed its miner's offer.
		MinerUpdated { operator: T::AccountId },
		/// A miner stopped taking jobs.
		MinerWentOffline { operator: T::AccountId },
		/// A miner takes jobs again (an offline or jailed miner acted).
		MinerWentOnline { operator: T::AccountId },
		/// A miner missed a deadline and part of its stake went to the treasury.
		MinerSlashed { operator: T::AccountId, amount: BalanceOf<T> },
		/// A miner missed `misses` deadlines in a row and takes no jobs before `until`, and
		/// after it until its operator acts again.
		MinerJailed { operator: T::AccountId, misses: u32, until: BlockNumberFor<T> },
		/// Unbonding stake of a deregistered miner was slashed for a job it held and missed.
		UnbondingSlashed { owner: T::AccountId, amount: BalanceOf<T> },
		/// An owner added to its miner's stake.
		StakeBonded { owner: T::AccountId, amount: BalanceOf<T>, stake: BalanceOf<T> },
		/// An owner moved its miner to a new operator key.
		OperatorRotated { owner: T::AccountId, old: T::AccountId, new: T::AccountId },
		/// An owner deregistered its miner; the stake unbonds until `unlock_at`.
		MinerDeregistered {
			owner: T::AccountId,
			operator: T::AccountId,
			unlock_at: BlockNumberFor<T>,
		},
		/// An owner withdrew unbonded stake.
		StakeWithdrawn { owner: T::AccountId, amount: BalanceOf<T> },
		/// Governance banned an owner; its miner (`operator`, if registered) takes no jobs.
		MinerBanned { owner: T::AccountId, operator: Option<T::AccountId> },
		/// Governance lifted an owner's ban.
		MinerUnbanned { owner: T::AccountId },
		/// Governance ended a miner's jail; it is offline until its operator's `go_online`.
		JailEnded { owner: T::AccountId, operator: T::AccountId },
		/// An operator set (`Some`) or removed (`None`) its miner's stream endpoint.
		EndpointSet { operator: T::AccountId, endpoint: Option<EndpointOf<T>> },
		/// Governance paid `amount` of slashed stake back from the treasury, as stake when
		/// `restaked`, else to the owner's free balance.
		SlashReversed { owner: T::AccountId, amount: BalanceOf<T>, restaked: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This operator key already belongs to a miner. Use a fresh key.
		OperatorInUse,
		/// This owner already has a miner. Deregister it first, or use another account.
		OwnerHasMiner,
		/// The stake is below the governed minimum (`min_stake`). Stake more.
		StakeBelowMinimum,
		/// The owner cannot put the stake on hold. Top up the account.
		InsufficientBalance,
		/// The offer names no model. Serve at least one.
		NoModels,
		/// A model id is empty. Name the model, e.g. `llama3.2:latest`.
		EmptyModelId,
		/// The offer names the same model twice.
		DuplicateModel,
		/// A model's index already holds `MaxMinersPerModel` active miners, all with a fresh
		/// heartbeat, enough stake and a price no higher than this miner's. Lower the price or
		/// try again later.
		ModelIndexFull,
		/// Capacity must be between 1 and `MaxCapacity`.
		InvalidCapacity,
		/// The unit price is zero. Charge something.
		ZeroPrice,
		/// No miner is registered under this operator key (or for this owner).
		NotRegistered,
		/// The miner still has jobs in flight. Finish or fail them, then deregister.
		JobsInFlight,
		/// The miner is already offline.
		AlreadyOffline,
		/// The miner is already active.
		AlreadyOnline,
		/// This owner has no unbonding stake.
		NothingUnbonding,
		/// The unbonding period has not passed. Wait until `unlock_at`.
		StillUnbonding,
		/// The owner already has stake unbonding. Withdraw it first.
		UnbondingPending,
		/// The operator's proof of possession does not verify: the operator key must be
		/// sr25519 and sign `aitbc/operator/v1 ++ genesis hash ++ owner`.
		InvalidOperatorProof,
		/// The miner is jailed until `jailed_until`. Wait for that block.
		StillJailed,
		/// The amount is zero.
		ZeroAmount,
		/// This owner is banned by governance: its miner cannot register or go online. A
		/// `miner_admin` referendum may unban it.
		Banned,
		/// This owner is already banned.
		AlreadyBanned,
		/// This owner is not banned.
		NotBanned,
		/// The miner is not jailed and has no jail term running.
		NotJailed,
		/// The amount is more than this owner lost to slashes (`SlashedStake`).
		AboveSlashed,
		/// The treasury cannot pay the amount and stay above the existential deposit.
		TreasuryCannotPay,
		/// The stream endpoint is not a URL: it must start with `http://` or `https://`, name a
		/// host and hold only printable ASCII without spaces.
		InvalidEndpoint,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxModels::get() > 0 && T::MaxMinersPerModel::get() > 0);
			assert!(T::MaxCapacity::get() > 0 && T::MaxModelIdLen::get() > 0);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a miner owned by the caller, run under `operator`, with `stake` held.
		/// `operator_proof` is the operator key's sr25519 signature over
		/// [`aitbc_primitives::operator_proof_bytes`] (this chain's genesis hash, the owner).
		///
		/// Origin: the owner. Emits [`Event::MinerRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register(T::MaxModels::get())
			.saturating_add(T::WeightInfo::index_with_eviction(T::MaxModels::get())))]
		pub fn register(
			origin: OriginFor<T>,
			operator: T::AccountId,
			offer: MinerOfferOf<T>,
			stake: BalanceOf<T>,
			operator_proof: [u8; 64],
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_operator_proof(&owner, &operator, &operator_proof)?;
			Self::do_register(owner, operator, offer, stake)
		}

		/// Replaces the offer of the caller's miner (models, price, capacity, GPUs).
		///
		/// Origin: the owner. Emits [`Event::MinerUpdated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update(T::MaxModels::get())
			.saturating_add(T::WeightInfo::index_with_eviction(T::MaxModels::get())))]
		pub fn update(origin: OriginFor<T>, offer: MinerOfferOf<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_update(owner, offer)
		}

		/// Records that the miner is alive. Changes no status: after a jail term the
		/// operator's `go_online` brings the miner back.
		///
		/// Origin: the operator.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		pub fn heartbeat(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_heartbeat(operator)
		}

		/// Stops new assignments (e.g. the backend is down). Jobs in flight are unaffected.
		///
		/// Origin: the operator. Emits [`Event::MinerWentOffline`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::go_offline())]
		pub fn go_offline(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_offline(operator)
		}

		/// Takes jobs again (also a jailed miner whose term is over) and counts as a heartbeat.
		/// Puts the miner back into its models' indexes (see [`Error::ModelIndexFull`]).
		///
		/// Origin: the operator. Emits [`Event::MinerWentOnline`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::go_online()
			.saturating_add(T::WeightInfo::index_with_eviction(T::MaxModels::get())))]
		pub fn go_online(origin: OriginFor<T>) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_online(operator)
		}

		/// Deregisters the caller's miner; its stake unbonds for `unbonding_period` blocks.
		/// Refused while jobs are in flight.
		///
		/// Origin: the owner. Emits [`Event::MinerDeregistered`].
		#[pallet::call_index(5)]
		// The measured weight predates the stream endpoint, which deregistration also removes.
		#[pallet::weight(T::WeightInfo::deregister(T::MaxModels::get())
			.saturating_add(T::DbWeight::get().writes(1)))]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_deregister(owner)
		}

		/// Releases the caller's unbonded stake once the unbonding period has passed.
		///
		/// Origin: the owner. Emits [`Event::StakeWithdrawn`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(owner)
		}

		/// Adds `amount` to the caller's miner's stake (held like the rest).
		///
		/// Origin: the owner. Emits [`Event::StakeBonded`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_bond_extra(owner, amount)
		}

		/// Moves the caller's miner to the operator key `new_operator`, keeping its stake,
		/// offer and track record. `operator_proof` is the new key's proof of possession (as
		/// for `register`). Refused while jobs are in flight (they are bound to the old key).
		///
		/// Origin: the owner. Emits [`Event::OperatorRotated`].
		#[pallet::call_index(8)]
		// The measured weight predates the stream endpoint, which rotation also removes.
		#[pallet::weight(T::WeightInfo::rotate_operator(T::MaxModels::get())
			.saturating_add(T::WeightInfo::index_with_eviction(T::MaxModels::get()))
			.saturating_add(T::DbWeight::get().writes(1)))]
		pub fn rotate_operator(
			origin: OriginFor<T>,
			new_operator: T::AccountId,
			operator_proof: [u8; 64],
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_operator_proof(&owner, &new_operator, &operator_proof)?;
			Self::do_rotate_operator(owner, new_operator)
		}

		/// Bans `owner`: its miner leaves the indexes and takes no jobs (it may finish those it
		/// holds, deregister and withdraw), and the owner cannot register again until unbanned.
		///
		/// Origin: the admin origin (the `miner_admin` track). Emits [`Event::MinerBanned`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::ban(T::MaxModels::get()))]
		pub fn ban(origin: OriginFor<T>, owner: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_ban(owner)
		}

		/// Lifts `owner`'s ban; its miner is offline until its operator's `go_online`.
		///
		/// Origin: the admin origin. Emits [`Event::MinerUnbanned`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::unban())]
		pub fn unban(origin: OriginFor<T>, owner: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_unban(owner)
		}

		/// Ends the jail of `owner`'s miner now and clears its misses; it is offline until its
		/// operator's `go_online`.
		///
		/// Origin: the admin origin. Emits [`Event::JailEnded`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::end_jail())]
		pub fn end_jail(origin: OriginFor<T>, owner: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_end_jail(owner)
		}

		/// Pays back `amount` of the stake `owner` lost to slashes, from the treasury: held as
		/// stake again when its miner is registered, else free.
		///
		/// Origin: the admin origin. Emits [`Event::SlashReversed`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::reverse_slash())]
		pub fn reverse_slash(
			origin: OriginFor<T>,
			owner: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_reverse_slash(owner, amount)
		}

		/// Sets (`Some`) or removes (`None`) where the caller's miner serves its jobs' token
		/// streams: the base URL of its stream server, `http://` or `https://` (see
		/// [`Endpoints`]). Setting the endpoint it has already is allowed and changes nothing.
		///
		/// Origin: the operator. Emits [`Event::EndpointSet`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_endpoint())]
		pub fn set_endpoint(
			origin: OriginFor<T>,
			endpoint: Option<EndpointOf<T>>,
		) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_set_endpoint(operator, endpoint)
		}
	}
}
