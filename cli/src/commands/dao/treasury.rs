//! `aitbc dao treasury [payout INDEX]`: the treasury's balance and spends; paying an approved
//! spend (`Treasury::payout`, then `check_status` to clear it). Anyone may pay out a spend; the
//! amount goes to its beneficiary.

use std::io::Write;

use aitbc_client::{
	runtime::{self, runtime_types::pallet_treasury::PaymentState},
	units::format_ait,
	AccountId,
};
use clap::Subcommand;
use serde::Serialize;

use super::state::Gov;
use crate::{output, CliError, Ctx};

/// `dao treasury` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Pay out a spend [default: show the treasury].
	#[command(subcommand)]
	pub action: Option<Action>,
}

/// Treasury actions.
#[derive(Subcommand, Debug)]
pub enum Action {
	/// Pay an approved spend to its beneficiary (anyone may), then clear it.
	Payout {
		/// The spend's index.
		index: u32,
	},
}

/// The JSON `operation`.
pub fn operation(args: &Args) -> &'static str {
	match args.action {
		None => "dao.treasury",
		Some(Action::Payout { .. }) => "dao.treasury.payout",
	}
}

/// A spend in JSON.
#[derive(Serialize, Clone)]
struct SpendJson {
	index: u32,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
	beneficiary: String,
	/// The first block it may be paid in.
	valid_from: u32,
	/// The block after which it can no longer be paid.
	expire_at: u32,
	/// `pending` (approved, not paid), `attempted` (paid, to be cleared with `check_status`)
	/// or `failed`.
	status: &'static str,
}

/// `dao treasury` `--json` output.
#[derive(Serialize)]
struct TreasuryJson {
	account: String,
	#[serde(with = "aitbc_client::json::decimal")]
	free: u128,
	/// Spends ever approved (the next index).
	spend_count: u32,
	/// Blocks an approved spend may wait for its payout (`Treasury.PayoutPeriod`).
	payout_period: u32,
	/// The best block read.
	block: u32,
	spends: Vec<SpendJson>,
}

/// `dao treasury payout` `--json` output.
#[derive(Serialize)]
struct PayoutJson {
	index: u32,
	beneficiary: String,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
	/// `paid`.
	status: &'static str,
}

/// Runs a treasury action.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	match args.action {
		None => show(ctx, out).await,
		Some(Action::Payout { index }) => payout(ctx, index, out).await,
	}
}

/// The treasury's account: `modl` + its `PalletId` (`Treasury.PalletId`), zero-padded.
pub fn account(gov: &Gov) -> Result<AccountId, CliError> {
	let id = gov
		.at
		.constants()
		.entry(runtime::constants().treasury().pallet_id())
		.map_err(|e| CliError::other(format!("cannot read Treasury.PalletId: {e}")))?;
	let mut raw = [0u8; 32];
	for (slot, byte) in raw.iter_mut().zip(b"modl".iter().chain(id.0.iter())) {
		*slot = *byte;
	}
	Ok(AccountId::from(raw))
}

/// Every spend on chain, by index.
async fn spends(gov: &Gov) -> Result<Vec<SpendJson>, CliError> {
	let address = runtime::storage().treasury().spends();
	let failed =
		|e: &dyn std::fmt::Display| CliError::other(format!("cannot read the spends: {e}"));
	let mut entries = gov.at.storage().iter(address, ()).await.map_err(|e| failed(&e))?;
	let mut spends = Vec::new();
	while let Some(entry) = entries.next().await {
		let entry = entry.map_err(|e| failed(&e))?;
		let (index,) = entry.key().and_then(|k| k.decode()).map_err(|e| failed(&e))?;
		let spend = entry.value().decode().map_err(|e| failed(&e))?;
		spends.push(SpendJson {
			index,
			amount: spend.amount,
			beneficiary: gov.address(&spend.beneficiary),
			valid_from: spend.valid_from,
			expire_at: spend.expire_at,
			status: match spend.status {
				PaymentState::Pending => "pending",
				PaymentState::Attempted { .. } => "attempted",
				PaymentState::Failed => "failed",
			},
		});
	}
	spends.sort_by_key(|s| s.index);
	Ok(spends)
}

async fn show(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
	let gov = Gov::connect(ctx).await?;
	let account = account(&gov)?;
	let json = TreasuryJson {
		account: gov.address(&account),
		free: gov.chain.free_balance(&account).await?,
		spend_count: gov
			.fetch(runtime::storage().treasury().spend_count(), ())
			.await?
			.unwrap_or_default(),
		payout_period: gov.payout_period()?,
		block: gov.block,
		spends: spends(&gov).await?,
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Treasury {}: {} free", json.account, format_ait(json.free))?;
		if json.spends.is_empty() {
			return writeln!(out, "No spends waiting ({} approved so far).", json.spend_count);
		}
		writeln!(
			out,
			"{:>5}  {:>16}  {:<50}  {:<10}  VALID",
			"INDEX", "AMOUNT", "BENEFICIARY", "STATUS"
		)?;
		for s in &json.spends {
			writeln!(
				out,
				"{:>5}  {:>16}  {:<50}  {:<10}  blocks {}..{}",
				s.index,
				format_ait(s.amount),
				s.beneficiary,
				s.status,
				s.valid_from,
				s.expire_at
			)?;
		}
		writeln!(out, "Pay one with: aitbc dao treasury payout <index>")
	})
}

async fn payout(ctx: &Ctx, index: u32, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let all = spends(&gov).await?;
	let Some(spend) = all.iter().find(|s| s.index == index).cloned() else {
		let waiting: Vec<String> = all.iter().map(|s| s.index.to_string()).collect();
		let waiting = if waiting.is_empty() { "none".to_string() } else { waiting.join(", ") };
		return Err(CliError::not_found(format!(
			"treasury spend {index} does not exist (spends waiting: {waiting}; paid spends are cleared)"
		)));
	};
	if spend.valid_from > gov.block {
		let wait = spend.valid_from.saturating_sub(gov.block);
		return Err(CliError::usage(format!(
			"spend {index} may be paid from block {} (in {wait} blocks, ~{})",
			spend.valid_from,
			super::duration(gov.secs(wait))
		)));
	}
	if spend.expire_at < gov.block {
		return Err(CliError::usage(format!(
			"spend {index} expired at block {}; it can no longer be paid",
			spend.expire_at
		)));
	}
	let treasury = runtime::transactions().treasury();
	let pay = if spend.status == "attempted" {
		None
	} else {
		let free = gov.chain.free_balance(&account(&gov)?).await?;
		if free < spend.amount {
			return Err(CliError::rejected(format!(
				"the treasury holds {}; spend {index} needs {}",
				format_ait(free),
				format_ait(spend.amount)
			)));
		}
		Some(gov.chain.send(&treasury.payout(index), &key).await?)
	};
	let check = gov.chain.send(&treasury.check_status(index), &key).await;
	if let Some(pay) = pay {
		pay.in_block().await?;
	}
	check?.in_block().await?;
	let json = PayoutJson {
		index,
		beneficiary: spend.beneficiary.clone(),
		amount: spend.amount,
		status: "paid",
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Spend {index} paid: {} to {}", format_ait(spend.amount), spend.beneficiary)
	})
}
