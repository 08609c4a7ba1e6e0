//! `aitbc miner register|update|deregister|withdraw`: the owner's side of the registry.

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
	/// Register a miner owned by --account, run under --operator, with stake held.
	Register {
		/// The operator key's address (the daemon's key) [default: the owner itself].
		#[arg(long)]
		operator: Option<String>,
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
	/// Withdraw unbonded stake.
	Withdraw,
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
		MinerAction::Register { operator, stake, offer: offer_args } => {
			let offer = offer(&offer_args)?;
			let operator = match operator {
				Some(text) => aitbc_client::parse_account(&text)?,
				None => key.account(),
			};
			let stake = stake
				.map(|s| parse_ait(&s).map_err(|e| CliError::usage(format!("--stake: {e}"))))
				.transpose()?;
			let chain = ctx.chain().await?;
			let stake = match stake {
				Some(stake) => stake,
				None => parse_balance(&chain.parameters().await?.min_stake),
			};
			let call = runtime::transactions().miners().register(operator, offer, stake);
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
		_ => writeln!(out, "Unbonded stake withdrawn"),
	})
}
