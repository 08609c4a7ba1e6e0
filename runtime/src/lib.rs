//! # AITBC runtime
//!
//! The FRAME runtime of AITBC, a decentralized GPU marketplace for AI inference.
//!
//! It carries the chain's base (block production with Aura in 2-second slots, GRANDPA
//! finality, a validator set changed by governance session by session, the native token **AIT** with 12 decimals, transaction fees), its governance
//! (OpenGov referenda with conviction voting, a technical committee, the treasury; a sudo key
//! only on development chains; see `docs/governance.md`) and the marketplace: `Params`,
//! `Miners`, `Escrow`, `Receipts` and `Jobs` (see `docs/design.md`).
//!
//! Layout: this file holds the primitive types and the `#[frame_support::runtime]` block with
//! explicit pallet indices; `configs/` configures each pallet; `apis.rs` implements the runtime
//! APIs the node and clients call; `governance/` defines the referendum tracks and their origins;
//! `genesis_config_presets.rs` holds the genesis presets from which
//! the chain specs in `chain-specs/` are generated.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
mod marketplace_views;
pub mod weights;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// The runtime's version. Bump `spec_version` on every change to the runtime's logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("aitbc"),
	impl_name: alloc::borrow::Cow::Borrowed("aitbc"),
	authoring_version: 1,
	spec_version: 107,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time. Aura produces one block per slot; slots cannot be changed after genesis.
pub const MILLI_SECS_PER_BLOCK: u64 = 2_000;
/// Aura slot duration, equal to the block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute, hour and day at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// One AIT, the native token, in its smallest unit (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// One thousandth of an AIT.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// One millionth of an AIT.
pub const MICRO_UNIT: Balance = 1_000_000;
/// The smallest balance an account may hold; below it the account is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The token's symbol, as chain specs and wallets show it.
pub const TOKEN_SYMBOL: &str = "AIT";
/// The token's number of decimals.
pub const TOKEN_DECIMALS: u8 = 12;
/// The SS58 address prefix of AITBC accounts. 4242 is not taken in the SS58 registry
/// (ss58-registry 1.51); addresses encoded with it start with `k`.
pub const SS58_PREFIX: u16 = 4242;

/// Block number.
pub type BlockNumber = u32;
/// Transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// Account identifier: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in the smallest unit of AIT.
pub type Balance = u128;
/// Per-account transaction counter.
pub type Nonce = u32;
/// Block and state hash.
pub type Hash = sp_core::H256;

/// Opaque types the node uses without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash.
	pub type Hash = <BlakeTwo256 as sp_core::Hasher>::Out;

	impl_opaque_keys! {
		/// The session keys of a validator: one for block production, one for finality.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}

/// Address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The transaction extensions checked for every signed extrinsic.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_aitbc_jobs::CheckJobCalls<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);
/// Extrinsic as the runtime decodes it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a transaction's signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Runtime migrations, beyond those the pallets declare.
type Migrations = ();

/// Dispatches blocks and extrinsics to the pallets.
pub type RuntimeExecutive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(5)]
	pub type ValidatorSet = pallet_aitbc_validators;

	#[runtime::pallet_index(10)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(11)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(15)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(16)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(17)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(20)]
	pub type Params = pallet_aitbc_params;

	#[runtime::pallet_index(21)]
	pub type Miners = pallet_aitbc_miners;

	#[runtime::pallet_index(22)]
	pub type Escrow = pallet_aitbc_escrow;

	#[runtime::pallet_index(23)]
	pub type Receipts = pallet_aitbc_receipts;

	#[runtime::pallet_index(24)]
	pub type Jobs = pallet_aitbc_jobs;

	#[runtime::pallet_index(30)]
	pub type Referenda = pallet_referenda;

	#[runtime::pallet_index(31)]
	pub type ConvictionVoting = pallet_conviction_voting;

	#[runtime::pallet_index(32)]
	pub type Origins = governance::origins::pallet_origins;

	#[runtime::pallet_index(33)]
	pub type TechnicalCommittee = pallet_collective<Instance1>;

	#[runtime::pallet_index(34)]
	pub type Whitelist = pallet_whitelist;

	#[runtime::pallet_index(35)]
	pub type Treasury = pallet_treasury;
}

/// A marketplace job record (the runtime API returns its view).
pub type MarketJob = pallet_aitbc_jobs::JobOf<Runtime>;
/// A registered miner record.
pub type MarketMiner = pallet_aitbc_miners::MinerRecordOf<Runtime>;
/// A receipt record.
pub type MarketReceipt = pallet_aitbc_receipts::ReceiptRecordOf<Runtime>;
/// The marketplace parameters, as the runtime API returns them.
pub type MarketParameters = pallet_aitbc_params::MarketParamsOf<Runtime>;
