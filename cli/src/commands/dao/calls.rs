//! The calls governance proposes: marketplace parameters (`market_params.rs`), miner
//! administration, treasury spends, cancelling or killing a referendum, or any call given as
//! SCALE hex. Each is built with the
//! static API and encoded with the connected chain's metadata; `--call-hex` is checked to decode
//! as one of its calls.

use aitbc_client::{
	runtime::{
		self,
		runtime_types::{
			aitbc_runtime::{
				governance::origins::pallet_origins::Origin, OriginCaller, RuntimeCall,
			},
			frame_support::dispatch::RawOrigin,
		},
	},
	units::format_ait,
};
use clap::Subcommand;
use serde::Serialize;
use subxt::{ext::scale_decode::DecodeAsType, transactions::Payload};

use super::{
	market_params::MarketParamsArgs,
	state::{blake2_256, Gov, Referendum},
};
use crate::{CliError, Ctx};

/// A call the CLI builds for a referendum or a committee motion.
#[derive(Subcommand, Debug)]
// Parsed once per run: the size of the market-params flags does not matter.
#[allow(clippy::large_enum_variant)]
pub enum CallKind {
	/// Change marketplace parameters (track market_params); fields not given keep the chain's
	/// current values.
	MarketParams(MarketParamsArgs),
	/// Ban, unban, end the jail of, or pay back a slash to a miner, named by its owner (track
	/// miner_admin).
	MinerAdmin {
		/// What to do.
		#[command(subcommand)]
		action: MinerAdminAction,
	},
	/// Spend from the treasury: track small_spender up to its cap, else big_spender.
	Spend(SpendArgs),
	/// Add or remove a validator, or set the session length (track validator_admin).
	ValidatorAdmin {
		/// What to do.
		#[command(subcommand)]
		action: ValidatorAdminAction,
	},
}

/// `validator-admin` actions (docs/validators.md); accounts are addresses, wallets, or with
/// --dev dev accounts.
#[derive(Subcommand, Debug, Clone)]
pub enum ValidatorAdminAction {
	/// Add ACCOUNT to the validator set from the session after next; it must have registered
	/// session keys (`Session::set_keys`).
	Add {
		/// The validator's account.
		account: String,
	},
	/// Remove ACCOUNT from the validator set from the session after next.
	Remove {
		/// The validator's account.
		account: String,
	},
	/// Set the session length, in blocks.
	SessionLength {
		/// Blocks per session.
		blocks: u32,
	},
}

/// `miner-admin` actions; each names the miner's owner (address, wallet, or with --dev a dev
/// account).
#[derive(Subcommand, Debug, Clone)]
pub enum MinerAdminAction {
	/// Ban the owner's miner: no new jobs, no registering again until unbanned.
	Ban {
		/// The miner's owner.
		owner: String,
	},
	/// Lift the owner's ban.
	Unban {
		/// The miner's owner.
		owner: String,
	},
	/// End the jail of the owner's miner now.
	EndJail {
		/// The miner's owner.
		owner: String,
	},
	/// Pay back AMOUNT (AIT) of what the owner lost to slashes, from the treasury.
	ReverseSlash {
		/// The miner's owner.
		owner: String,
		/// Amount in AIT.
		amount: String,
	},
}

/// `spend` options.
#[derive(clap::Args, Debug, Clone)]
pub struct SpendArgs {
	/// Amount in AIT.
	pub amount: String,
	/// The beneficiary: address, wallet, or with --dev a dev account.
	#[arg(long)]
	pub to: String,
}

/// The origin a referendum dispatches with; each has the track of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackOrigin {
	/// Root (`root`).
	Root,
	/// A whitelisted call (`whitelisted_caller`).
	WhitelistedCaller,
	/// Cancelling a referendum (`referendum_canceller`).
	ReferendumCanceller,
	/// Killing a referendum (`referendum_killer`).
	ReferendumKiller,
	/// Marketplace parameters (`market_params`).
	MarketParams,
	/// Miner administration (`miner_admin`).
	MinerAdmin,
	/// The validator set (`validator_admin`).
	ValidatorAdmin,
	/// Small treasury spends (`small_spender`).
	SmallSpender,
	/// Big treasury spends (`big_spender`).
	BigSpender,
}

impl TrackOrigin {
	/// The name of the track that takes this origin's referenda.
	pub fn track_name(self) -> &'static str {
		match self {
			TrackOrigin::Root => "root",
			TrackOrigin::WhitelistedCaller => "whitelisted_caller",
			TrackOrigin::ReferendumCanceller => "referendum_canceller",
			TrackOrigin::ReferendumKiller => "referendum_killer",
			TrackOrigin::MarketParams => "market_params",
			TrackOrigin::MinerAdmin => "miner_admin",
			TrackOrigin::ValidatorAdmin => "validator_admin",
			TrackOrigin::SmallSpender => "small_spender",
			TrackOrigin::BigSpender => "big_spender",
		}
	}

	/// The origin as the runtime's `OriginCaller`.
	pub fn caller(self) -> OriginCaller {
		match self {
			TrackOrigin::Root => OriginCaller::system(RawOrigin::Root),
			TrackOrigin::WhitelistedCaller => OriginCaller::Origins(Origin::WhitelistedCaller),
			TrackOrigin::ReferendumCanceller => OriginCaller::Origins(Origin::ReferendumCanceller),
			TrackOrigin::ReferendumKiller => OriginCaller::Origins(Origin::ReferendumKiller),
			TrackOrigin::MarketParams => OriginCaller::Origins(Origin::MarketParams),
			TrackOrigin::MinerAdmin => OriginCaller::Origins(Origin::MinerAdmin),
			TrackOrigin::ValidatorAdmin => OriginCaller::Origins(Origin::ValidatorAdmin),
			TrackOrigin::SmallSpender => OriginCaller::Origins(Origin::SmallSpender),
			TrackOrigin::BigSpender => OriginCaller::Origins(Origin::BigSpender),
		}
	}
}

/// One changed marketplace parameter.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Change {
	/// The field (`protocol_fee`).
	pub field: &'static str,
	/// Its value now.
	pub from: String,
	/// Its value once enacted.
	pub to: String,
}

/// A built call.
#[derive(Debug, Clone)]
pub struct Built {
	/// Its SCALE encoding (a `RuntimeCall`).
	pub bytes: Vec<u8>,
	/// `Pallet.call`.
	pub name: String,
	/// The origin whose track takes it.
	pub origin: TrackOrigin,
	/// For market parameters, what changes.
	pub changes: Vec<Change>,
}

impl Built {
	/// The call's hash (BLAKE2-256, as the preimage and whitelist pallets key it).
	pub fn hash(&self) -> [u8; 32] {
		blake2_256(&self.bytes)
	}
}

/// Encodes a call of the static API with the chain's metadata.
pub fn encode<P: Payload>(gov: &Gov, payload: &P) -> Result<Vec<u8>, CliError> {
	gov.at
		.transactions()
		.call_data(payload)
		.map_err(|e| CliError::other(format!("cannot encode the call for this chain: {e}")))
}

/// `Pallet.call` of an encoded call, from the chain's metadata.
pub fn name(gov: &Gov, bytes: &[u8]) -> String {
	let metadata = gov.at.metadata_ref();
	let found = bytes.first().and_then(|p| metadata.pallet_by_call_index(*p)).and_then(|pallet| {
		let call = bytes.get(1).and_then(|c| pallet.call_variant_by_index(*c))?;
		Some(format!("{}.{}", pallet.name(), call.name))
	});
	found.unwrap_or_else(|| "unknown call".to_string())
}

/// Decodes an encoded call as the chain's `RuntimeCall`; every byte must be used.
pub fn decode(gov: &Gov, bytes: &[u8]) -> Result<RuntimeCall, CliError> {
	let metadata = gov.at.metadata_ref();
	let ty = metadata.outer_enums().call_enum_ty();
	let cursor = &mut &bytes[..];
	let call = RuntimeCall::decode_as_type(cursor, ty, metadata.types())
		.map_err(|e| CliError::usage(format!("not a call of this chain's runtime: {e}")))?;
	if !cursor.is_empty() {
		return Err(CliError::usage(format!(
			"not a call of this chain's runtime: {} bytes left over after {}",
			cursor.len(),
			name(gov, bytes)
		)));
	}
	Ok(call)
}

/// Parses `--call-hex` (with or without `0x`) and checks that it is a call of the chain.
pub fn from_hex(gov: &Gov, text: &str) -> Result<Vec<u8>, CliError> {
	let digits = text.trim().trim_start_matches("0x");
	let bytes = hex::decode(digits)
		.map_err(|_| CliError::usage(format!("--call-hex: `{text}` is not hex")))?;
	decode(gov, &bytes).map_err(|e| CliError::usage(format!("--call-hex: {}", e.message)))?;
	Ok(bytes)
}

/// `0x`-hex of bytes.
pub fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

impl CallKind {
	/// Builds the call against the chain's current state.
	pub async fn build(&self, ctx: &Ctx, gov: &Gov) -> Result<Built, CliError> {
		match self {
			CallKind::MarketParams(args) => super::market_params::build(gov, args).await,
			CallKind::MinerAdmin { action } => miner_admin(ctx, gov, action),
			CallKind::Spend(args) => spend(ctx, gov, args),
			CallKind::ValidatorAdmin { action } => validator_admin(ctx, gov, action).await,
		}
	}
}

fn built(gov: &Gov, bytes: Vec<u8>, origin: TrackOrigin, changes: Vec<Change>) -> Built {
	Built { name: name(gov, &bytes), bytes, origin, changes }
}

fn miner_admin(ctx: &Ctx, gov: &Gov, action: &MinerAdminAction) -> Result<Built, CliError> {
	let miners = runtime::transactions().miners();
	let bytes = match action {
		MinerAdminAction::Ban { owner } => encode(gov, &miners.ban(super::resolve(ctx, owner)?))?,
		MinerAdminAction::Unban { owner } => {
			encode(gov, &miners.unban(super::resolve(ctx, owner)?))?
		}
		MinerAdminAction::EndJail { owner } => {
			encode(gov, &miners.end_jail(super::resolve(ctx, owner)?))?
		}
		MinerAdminAction::ReverseSlash { owner, amount } => {
			let amount = super::amount(amount, "AMOUNT")?;
			encode(gov, &miners.reverse_slash(super::resolve(ctx, owner)?, amount))?
		}
	};
	Ok(built(gov, bytes, TrackOrigin::MinerAdmin, Vec::new()))
}

async fn validator_admin(
	ctx: &Ctx,
	gov: &Gov,
	action: &ValidatorAdminAction,
) -> Result<Built, CliError> {
	let set = runtime::transactions().validator_set();
	let bytes = match action {
		ValidatorAdminAction::Add { account } => {
			let who = super::resolve(ctx, account)?;
			// The runtime refuses an account without keys at enactment: say so before the
			// deposits are placed.
			let keys = runtime::storage().session().next_keys();
			if gov.fetch(keys, (who,)).await?.is_none() {
				return Err(CliError::usage(format!(
					"{} has no session keys: it must register them first (author_rotateKeysWithOwner, then Session::set_keys; docs/validators.md)",
					gov.address(&who)
				)));
			}
			encode(gov, &set.add_validator(who))?
		}
		ValidatorAdminAction::Remove { account } => {
			encode(gov, &set.remove_validator(super::resolve(ctx, account)?))?
		}
		ValidatorAdminAction::SessionLength { blocks } => {
			encode(gov, &set.set_session_length(*blocks))?
		}
	};
	Ok(built(gov, bytes, TrackOrigin::ValidatorAdmin, Vec::new()))
}

/// The most a `small_spender` and a `big_spender` referendum may spend at once: the runtime's
/// `Origins.SmallSpend` and `Origins.BigSpend` constants (a runtime without them is older than
/// this client).
pub fn spend_caps(gov: &Gov) -> Result<(u128, u128), CliError> {
	let origins = runtime::constants().origins();
	let read = |address: subxt::constants::StaticAddress<u128>, name: &str| {
		gov.at.constants().entry(address.unvalidated()).map_err(|e| {
			CliError::other(format!(
				"the node's runtime is too old for this client: it states no spend cap \
				 (Origins.{name}: {e}); upgrade the node's runtime"
			))
		})
	};
	Ok((read(origins.small_spend(), "SmallSpend")?, read(origins.big_spend(), "BigSpend")?))
}

fn spend(ctx: &Ctx, gov: &Gov, args: &SpendArgs) -> Result<Built, CliError> {
	let amount = super::amount(&args.amount, "AMOUNT")?;
	let beneficiary = super::resolve(ctx, &args.to)?;
	let (small, big) = spend_caps(gov)?;
	let origin = if amount <= small {
		TrackOrigin::SmallSpender
	} else if amount <= big {
		TrackOrigin::BigSpender
	} else {
		return Err(CliError::usage(format!(
			"{} is above the big_spender track's cap of {} per spend; spend it in parts, or \
			 propose Treasury::spend on the root track (aitbc dao propose root --call-hex ...)",
			format_ait(amount),
			format_ait(big)
		)));
	};
	let call = runtime::transactions().treasury().spend((), amount, beneficiary, None);
	Ok(built(gov, encode(gov, &call)?, origin, Vec::new()))
}

/// `Referenda::cancel(index)` (track `referendum_canceller`: the deposits are returned) or, with
/// `kill`, `Referenda::kill(index)` (track `referendum_killer`: the deposits are slashed to the
/// treasury). Referendum `index` must exist and be ongoing.
pub async fn end_referendum(gov: &Gov, index: u32, kill: bool) -> Result<Built, CliError> {
	let verb = if kill { "killed" } else { "cancelled" };
	if let Referendum::Ended { status, at, .. } = gov.existing_referendum(index).await? {
		return Err(CliError::usage(format!(
			"referendum {index} is not ongoing ({status} at block {at}); only an ongoing referendum can be {verb}"
		)));
	}
	let referenda = runtime::transactions().referenda();
	let (bytes, origin) = if kill {
		(encode(gov, &referenda.kill(index))?, TrackOrigin::ReferendumKiller)
	} else {
		(encode(gov, &referenda.cancel(index))?, TrackOrigin::ReferendumCanceller)
	};
	Ok(built(gov, bytes, origin, Vec::new()))
}
