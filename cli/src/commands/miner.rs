//! `aitbc miner register|update|deregister|withdraw|bond-extra|rotate-operator`: the owner's
//! side of the registry.

use std::io::Write;

use aitbc_client::{
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::UnitType,
			bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_miners::types::{GpuInfo, MinerOffer},
		},
	},
	units::{format_ait, parse_ait, parse_balance},
};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::{output, CliError, Ctx};

/// The offer as the generated types spell it.
type Offer = MinerOffer<u128, BoundedVec<BoundedVec<u8>>, BoundedVec<u8>>;

/// Registry actions.
#[derive(Subcommand, Debug)]
pub enum MinerAction {
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

/// An operator key from a secret URI or a key file.
fn operator_key(text: &str) -> Result<aitbc_client::keys::Key, CliError> {
	let path = std::path::Path::new(text);
	let key = if path.is_file() {
		aitbc_client::keys::Key::from_file(path)
	} else {
		aitbc_client::keys::Key::from_uri(text)
	};
	key.map_err(|e| CliError::usage(format!("--operator-key: {e}")))
}

/// The operator's proof of possession for `owner` on the chain of `genesis_hash`.
fn operator_proof(
	operator: &aitbc_client::keys::Key,
	genesis_hash: &[u8; 32],
	owner: &aitbc_client::keys::Key,
) -> [u8; 64] {
	operator.sign(&aitbc_primitives::operator_proof_bytes(genesis_hash, &owner.public()))
}

/// A miner's offer.
#[derive(Args, Debug, Clone)]
pub struct OfferArgs {
	/// Models served, comma-separated.
	#[arg(long, value_delimiter = ',', required = true)]
	pub models: Vec<String>,
	/// Price per unit in AIT.
	#[arg(long)]
	pub price: String,
	/// Billing unit: output_token or gpu_second.
	#[arg(long, default_value = "output_token")]
	pub unit_type: String,
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
pub fn operation(action: &MinerAction) -> &'static str {
	match action {
		MinerAction::Register { .. } => "miner.register",
		MinerAction::Update { .. } => "miner.update",
		MinerAction::Deregister => "miner.deregister",
		MinerAction::Withdraw => "miner.withdraw",
		MinerAction::BondExtra { .. } => "miner.bond_extra",
		MinerAction::RotateOperator { .. } => "miner.rotate_operator",
	}
}

fn offer(args: &OfferArgs) -> Result<Offer, CliError> {
	if args.models.is_empty() || args.models.len() > 16 {
		return Err(CliError::usage("--models needs 1 to 16 model ids"));
	}
	if let Some(bad) = args.models.iter().find(|m| m.is_empty() || m.len() > 64) {
		return Err(CliError::usage(format!("model id `{bad}` must be 1 to 64 bytes")));
	}
	let unit_type = match args.unit_type.as_str() {
		"output_token" => UnitType::OutputToken,
		"gpu_second" => UnitType::GpuSecond,
		other => {
			return Err(CliError::usage(format!(
				"--unit-type `{other}` is not output_token or gpu_second"
			)))
		}
	};
	if args.gpu_name.len() > 64 {
		return Err(CliError::usage("--gpu-name is longer than 64 bytes"));
	}
	let unit_price =
		parse_ait(&args.price).map_err(|e| CliError::usage(format!("--price: {e}")))?;
	Ok(MinerOffer {
		models: BoundedVec(args.models.iter().map(|m| BoundedVec(m.as_bytes().to_vec())).collect()),
		unit_type,
		unit_price,
		capacity: args.capacity,
		gpu: GpuInfo {
			name: BoundedVec(args.gpu_name.as_bytes().to_vec()),
			vram_mib: args.gpu_vram_mib,
			count: args.gpu_count,
		},
	})
}

/// Runs a registry action.
pub async fn run(ctx: &Ctx, action: MinerAction, out: &mut impl Write) -> Result<(), CliError> {
	let op = operation(&action);
	let key = ctx.signer()?;
	let (call_result, detail) = match action {
		MinerAction::Register { operator_key: operator_text, stake, offer: offer_args } => {
			let offer = offer(&offer_args)?;
			let operator_key = match operator_text {
				Some(text) => operator_key(&text)?,
				None => key.clone(),
			};
			let operator = operator_key.account();
			let stake = stake
				.map(|s| parse_ait(&s).map_err(|e| CliError::usage(format!("--stake: {e}"))))
				.transpose()?;
			let chain = ctx.chain().await?;
			let stake = match stake {
				Some(stake) => stake,
				None => parse_balance(&chain.parameters().await?.min_stake),
			};
			let proof = operator_proof(&operator_key, &chain.genesis_hash(), &key);
			let call = runtime::transactions().miners().register(operator, offer, stake, proof);
			let detail = json!({
				"operator": aitbc_client::address(&operator),
				"owner": key.address(),
				"stake": stake.to_string(),
				"models": offer_args.models,
			});
			(chain.submit(&call, &key).await.map(|_| ()), detail)
		}
		MinerAction::Update { offer: offer_args } => {
			let offer = offer(&offer_args)?;
			let chain = ctx.chain().await?;
			let call = runtime::transactions().miners().update(offer);
			(
				chain.submit(&call, &key).await.map(|_| ()),
				json!({ "owner": key.address(), "models": offer_args.models }),
			)
		}
		MinerAction::Deregister => {
			let chain = ctx.chain().await?;
			let call = runtime::transactions().miners().deregister();
			(chain.submit(&call, &key).await.map(|_| ()), json!({ "owner": key.address() }))
		}
		MinerAction::Withdraw => {
			let chain = ctx.chain().await?;
			let call = runtime::transactions().miners().withdraw_unbonded();
			(chain.submit(&call, &key).await.map(|_| ()), json!({ "owner": key.address() }))
		}
		MinerAction::BondExtra { amount } => {
			let amount =
				parse_ait(&amount).map_err(|e| CliError::usage(format!("--amount: {e}")))?;
			let chain = ctx.chain().await?;
			let call = runtime::transactions().miners().bond_extra(amount);
			(
				chain.submit(&call, &key).await.map(|_| ()),
				json!({ "owner": key.address(), "amount": amount.to_string() }),
			)
		}
		MinerAction::RotateOperator { operator_key: text } => {
			let operator_key = operator_key(&text)?;
			let chain = ctx.chain().await?;
			let proof = operator_proof(&operator_key, &chain.genesis_hash(), &key);
			let call =
				runtime::transactions().miners().rotate_operator(operator_key.account(), proof);
			(
				chain.submit(&call, &key).await.map(|_| ()),
				json!({ "owner": key.address(), "operator": operator_key.address() }),
			)
		}
	};
	call_result?;
	let mut object = json!({ "operation": op, "status": "ok" });
	if let (Some(map), Some(extra)) = (object.as_object_mut(), detail.as_object()) {
		map.extend(extra.clone());
	}
	output::emit(ctx, out, object, |out| match op {
		"miner.register" => writeln!(
			out,
			"Registered miner {} (owner {}), stake {}; start `aitbc-miner` with the operator key",
			detail["operator"].as_str().unwrap_or_default(),
			key.address(),
			format_ait(parse_balance(detail["stake"].as_str().unwrap_or("0")))
		),
		"miner.update" => writeln!(out, "Offer updated"),
		"miner.deregister" => writeln!(
			out,
			"Miner deregistered; the stake unbonds (withdraw it later with `aitbc miner withdraw`)"
		),
		"miner.bond_extra" => writeln!(
			out,
			"Stake added: {}",
			format_ait(parse_balance(detail["amount"].as_str().unwrap_or("0")))
		),
		"miner.rotate_operator" => writeln!(
			out,
			"Miner moved to operator {}; restart `aitbc-miner` with that key",
			detail["operator"].as_str().unwrap_or_default()
		),
		_ => writeln!(out, "Unbonded stake withdrawn"),
	})
}
