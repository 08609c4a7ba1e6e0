//! `aitbc miner register|update|deregister|withdraw|bond-extra|rotate-operator`: the owner's
//! side of the registry.

use std::io::Write;

use aitbc_client::{
	keys::Key,
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::UnitType as RuntimeUnitType,
			bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_miners::types::{GpuInfo, MinerOffer},
		},
	},
	units::{format_ait, parse_ait},
	Chain, Constants,
};
use aitbc_primitives::UnitType;
use clap::Subcommand;
use serde::Serialize;

use crate::{output, CliError, Ctx};

/// The offer as the generated types spell it.
type Offer = MinerOffer<u128, BoundedVec<BoundedVec<u8>>, BoundedVec<u8>>;

/// `miner` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// What to do.
	#[command(subcommand)]
	pub action: Action,
}

/// Registry actions.
#[derive(Subcommand, Debug)]
pub enum Action {
	/// Register a miner owned by --account, run under --operator-key, with stake held.
	Register {
		/// The operator (daemon's) key: a secret URI (`//Charlie`, a mnemonic) or a key file.
		/// It signs a proof of possession that the chain checks (sr25519 only); only the
		/// proof and the address are sent. [default: the owner's own key]
		#[arg(long)]
		operator_key: Option<String>,
		/// Stake in AIT [default: the chain's minimum].
		#[arg(long)]
		stake: Option<String>,
		/// The offer.
		#[command(flatten)]
		offer: OfferArgs,
	},
	/// Replace the miner's offer.
	Update {
		/// The offer.
		#[command(flatten)]
		offer: OfferArgs,
	},
	/// Deregister; the stake unbonds.
	Deregister,
	/// Withdraw unbonded stake (once the period passed and no job is in flight).
	Withdraw,
	/// Add stake to the miner.
	BondExtra {
		/// Amount in AIT.
		#[arg(long)]
		amount: String,
	},
	/// Move the miner to a new operator key (no job may be in flight).
	RotateOperator {
		/// The new operator key: a secret URI or a key file (signs the proof of possession).
		#[arg(long)]
		operator_key: String,
	},
}

/// A miner's offer.
#[derive(clap::Args, Debug, Clone)]
pub struct OfferArgs {
	/// Models served, comma-separated (at most the chain's limit).
	#[arg(long, value_delimiter = ',', required = true)]
	pub models: Vec<String>,
	/// Price per unit in AIT.
	#[arg(long)]
	pub price: String,
	/// Billing unit: output_token or gpu_second.
	#[arg(long, default_value = "output_token", value_parser = output::parse_name::<UnitType>)]
	pub unit_type: UnitType,
	/// Jobs at once.
	#[arg(long, default_value_t = 1)]
	pub capacity: u32,
	/// GPU model name.
	#[arg(long, default_value = "")]
	pub gpu_name: String,
	/// Memory of one GPU, MiB.
	#[arg(long, default_value_t = 0)]
	pub gpu_vram_mib: u32,
	/// Number of GPUs.
	#[arg(long, default_value_t = 0)]
	pub gpu_count: u32,
}

/// The JSON `operation`.
pub fn operation(args: &Args) -> &'static str {
	match args.action {
		Action::Register { .. } => "miner.register",
		Action::Update { .. } => "miner.update",
		Action::Deregister => "miner.deregister",
		Action::Withdraw => "miner.withdraw",
		Action::BondExtra { .. } => "miner.bond_extra",
		Action::RotateOperator { .. } => "miner.rotate_operator",
	}
}

/// `--json` output: `status` = `ok` and the owner, with what the action changed.
#[derive(Serialize, Default)]
struct MinerJson<'a> {
	status: &'static str,
	owner: String,
	#[serde(skip_serializing_if = "Option::is_none")]
	operator: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none", with = "aitbc_client::json::decimal::option")]
	stake: Option<u128>,
	#[serde(skip_serializing_if = "Option::is_none")]
	models: Option<&'a [String]>,
	#[serde(skip_serializing_if = "Option::is_none", with = "aitbc_client::json::decimal::option")]
	amount: Option<u128>,
}

/// An operator key from a secret URI or a key file.
fn operator_key(text: &str) -> Result<Key, CliError> {
	let path = std::path::Path::new(text);
	let key = if path.is_file() { Key::from_file(path) } else { Key::from_uri(text) };
	key.map_err(|e| CliError::usage(format!("--operator-key: {e}")))
}

/// The operator's proof of possession for `owner` on the chain of `genesis_hash`.
fn operator_proof(operator: &Key, genesis_hash: &[u8; 32], owner: &Key) -> [u8; 64] {
	operator.sign(&aitbc_primitives::operator_proof_bytes(genesis_hash, &owner.public()))
}

/// The offer, checked against the chain's limits.
fn offer(args: &OfferArgs, limits: &Constants) -> Result<Offer, CliError> {
	let max_models = usize::try_from(limits.max_models).unwrap_or(usize::MAX);
	if args.models.is_empty() || args.models.len() > max_models {
		return Err(CliError::usage(format!("--models needs 1 to {max_models} model ids")));
	}
	let max_len = usize::try_from(limits.max_model_id_len).unwrap_or(usize::MAX);
	if let Some(bad) = args.models.iter().find(|m| m.is_empty() || m.len() > max_len) {
		return Err(CliError::usage(format!("model id `{bad}` must be 1 to {max_len} bytes")));
	}
	let max_gpu_name = usize::try_from(limits.max_gpu_name_len).unwrap_or(usize::MAX);
	if args.gpu_name.len() > max_gpu_name {
		return Err(CliError::usage(format!("--gpu-name is longer than {max_gpu_name} bytes")));
	}
	let unit_price =
		parse_ait(&args.price).map_err(|e| CliError::usage(format!("--price: {e}")))?;
	Ok(MinerOffer {
		models: BoundedVec(args.models.iter().map(|m| BoundedVec(m.as_bytes().to_vec())).collect()),
		unit_type: match args.unit_type {
			UnitType::OutputToken => RuntimeUnitType::OutputToken,
			UnitType::GpuSecond => RuntimeUnitType::GpuSecond,
		},
		unit_price,
		capacity: args.capacity,
		gpu: GpuInfo {
			name: BoundedVec(args.gpu_name.as_bytes().to_vec()),
			vram_mib: args.gpu_vram_mib,
			count: args.gpu_count,
		},
	})
}

/// A parsed amount flag.
fn amount(flag: &str, text: &str) -> Result<u128, CliError> {
	parse_ait(text).map_err(|e| CliError::usage(format!("{flag}: {e}")))
}

/// Runs a registry action.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let chain: Chain = ctx.chain().await?;
	let owner = chain.address(&key.account());
	let txs = runtime::transactions().miners();
	let (json, human) = match &args.action {
		Action::Register { operator_key: operator_text, stake, offer: offer_args } => {
			let offer = offer(offer_args, chain.constants())?;
			let operator_key = match operator_text {
				Some(text) => operator_key(text)?,
				None => key.clone(),
			};
			let stake = match stake {
				Some(stake) => amount("--stake", stake)?,
				None => chain.parameters().await?.min_stake,
			};
			let operator = chain.address(&operator_key.account());
			let proof = operator_proof(&operator_key, &chain.genesis_hash(), &key);
			chain.submit(&txs.register(operator_key.account(), offer, stake, proof), &key).await?;
			let human = format!(
				"Registered miner {operator} (owner {owner}), stake {}; start `aitbc-miner` with the operator key",
				format_ait(stake)
			);
			let json = MinerJson {
				operator: Some(operator),
				stake: Some(stake),
				models: Some(&offer_args.models),
				..MinerJson::default()
			};
			(json, human)
		}
		Action::Update { offer: offer_args } => {
			let offer = offer(offer_args, chain.constants())?;
			chain.submit(&txs.update(offer), &key).await?;
			let json = MinerJson { models: Some(&offer_args.models), ..MinerJson::default() };
			(json, "Offer updated".to_string())
		}
		Action::Deregister => {
			chain.submit(&txs.deregister(), &key).await?;
			let human = "Miner deregistered; the stake unbonds (withdraw it later with `aitbc miner withdraw`)";
			(MinerJson::default(), human.to_string())
		}
		Action::Withdraw => {
			chain.submit(&txs.withdraw_unbonded(), &key).await?;
			(MinerJson::default(), "Unbonded stake withdrawn".to_string())
		}
		Action::BondExtra { amount: text } => {
			let amount = amount("--amount", text)?;
			chain.submit(&txs.bond_extra(amount), &key).await?;
			let human = format!("Stake added: {}", format_ait(amount));
			(MinerJson { amount: Some(amount), ..MinerJson::default() }, human)
		}
		Action::RotateOperator { operator_key: text } => {
			let operator_key = operator_key(text)?;
			let proof = operator_proof(&operator_key, &chain.genesis_hash(), &key);
			chain.submit(&txs.rotate_operator(operator_key.account(), proof), &key).await?;
			let operator = chain.address(&operator_key.account());
			let human =
				format!("Miner moved to operator {operator}; restart `aitbc-miner` with that key");
			(MinerJson { operator: Some(operator), ..MinerJson::default() }, human)
		}
	};
	let json = MinerJson { status: "ok", owner, ..json };
	output::emit(ctx, out, &json, |out| writeln!(out, "{human}"))
}
