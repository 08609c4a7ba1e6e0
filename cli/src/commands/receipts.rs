//! `aitbc receipts [--job-id ID] [--limit N]`, `receipts verify ID`, `receipts claim ID`.

use std::io::Write;

use aitbc_client::{
	json::{ClaimStatus, ReceiptJson},
	runtime,
	units::format_ait,
};
use aitbc_primitives::{JobId, ReceiptId};
use clap::Subcommand;
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `receipts` options.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
	/// Verify or claim one receipt.
	#[command(subcommand)]
	pub action: Option<Action>,
	/// Only the receipt of this job.
	#[arg(long)]
	pub job_id: Option<String>,
	/// Most receipts shown.
	#[arg(long, default_value_t = 20)]
	pub limit: u32,
}

/// One-receipt actions.
#[derive(Subcommand, Debug)]
pub enum Action {
	/// Check a receipt's signature off chain against the operator's key, and its output hash.
	Verify {
		/// Receipt id.
		receipt_id: String,
	},
	/// Claim a receipt's reward (the miner's owner).
	Claim {
		/// Receipt id.
		receipt_id: String,
	},
}

/// The JSON `operation`.
pub fn operation(args: &Args) -> &'static str {
	match args.action {
		None => "receipts",
		Some(Action::Verify { .. }) => "receipts.verify",
		Some(Action::Claim { .. }) => "receipts.claim",
	}
}

/// `receipts` `--json` output.
#[derive(Serialize)]
struct ListJson<'a> {
	receipts: Snake<&'a [ReceiptJson]>,
}

/// `receipts verify` `--json` output.
#[derive(Serialize)]
struct VerifyJson<'a> {
	receipt_id: ReceiptId,
	job_id: JobId,
	/// The signature verifies.
	valid: bool,
	/// The job's output matches the hash; `None` when the output was pruned.
	output_matches: Option<bool>,
	receipt: Snake<&'a ReceiptJson>,
}

/// `receipts claim` `--json` output.
#[derive(Serialize)]
struct ClaimJson {
	receipt_id: ReceiptId,
	status: ClaimStatus,
	#[serde(with = "aitbc_client::json::decimal")]
	reward: u128,
}

/// Runs the receipts command.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	match args.action {
		None => list(ctx, args.job_id.as_deref(), args.limit, out).await,
		Some(Action::Verify { receipt_id }) => verify(ctx, &receipt_id, out).await,
		Some(Action::Claim { receipt_id }) => claim(ctx, &receipt_id, out).await,
	}
}

async fn list(
	ctx: &Ctx,
	job_id: Option<&str>,
	limit: u32,
	out: &mut impl Write,
) -> Result<(), CliError> {
	let job_id = job_id.map(|j| output::parse_id(j, "job")).transpose()?;
	let chain = ctx.chain().await?;
	let receipts = chain.receipts(job_id, Some(limit)).await?;
	if let (Some(id), true) = (job_id, receipts.is_empty()) {
		return Err(CliError::not_found(format!(
			"job {id} has no receipt (it has not completed, does not exist, or its receipt was pruned after the chain's receipt retention)"
		)));
	}
	output::emit(ctx, out, &ListJson { receipts: Snake(&receipts) }, |out| {
		if receipts.is_empty() {
			return writeln!(out, "No receipts.");
		}
		for receipt in &receipts {
			output::write_receipt(out, receipt, None)?;
		}
		Ok(())
	})
}

async fn verify(ctx: &Ctx, receipt_id: &str, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(receipt_id, "receipt")?;
	let chain = ctx.chain().await?;
	let receipt = chain.receipt(id).await?.ok_or_else(|| not_found(id))?;
	let signature_valid = output::verify(&receipt, chain.genesis_hash())?;
	let output_matches = chain
		.job(receipt.job_id)
		.await?
		.and_then(|job| job.output)
		.map(|text| receipt.output_hash == aitbc_primitives::output_hash(text.as_bytes()));
	let json = VerifyJson {
		receipt_id: id,
		job_id: receipt.job_id,
		valid: signature_valid,
		output_matches,
		receipt: Snake(&receipt),
	};
	output::emit(ctx, out, &json, |out| {
		output::write_receipt(out, &receipt, Some(signature_valid))?;
		match output_matches {
			Some(true) => writeln!(out, "  Output: matches the hash"),
			Some(false) => writeln!(out, "  Output: DOES NOT match the hash"),
			None => writeln!(out, "  Output: pruned from the chain; hash not rechecked"),
		}
	})?;
	if signature_valid {
		Ok(())
	} else {
		Err(CliError::rejected(format!("receipt {id}: the signature does not verify")))
	}
}

async fn claim(ctx: &Ctx, receipt_id: &str, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(receipt_id, "receipt")?;
	let key = ctx.signer()?;
	let chain = ctx.chain().await?;
	let receipt = chain.receipt(id).await?.ok_or_else(|| not_found(id))?;
	if receipt.status == ClaimStatus::Claimed {
		return Err(CliError::usage(format!("receipt {id} is claimed already")));
	}
	let submitted =
		chain.submit(&runtime::transactions().receipts().claim_receipt(id), &key).await?;
	let reward = submitted
		.events
		.find_first::<runtime::receipts::events::ReceiptClaimed>()
		.and_then(Result::ok)
		.map(|e| e.reward)
		.unwrap_or_default();
	let json = ClaimJson { receipt_id: id, status: ClaimStatus::Claimed, reward };
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Receipt {id} claimed; reward {}", format_ait(reward))
	})
}

/// A receipt the chain does not have (any more).
fn not_found(id: ReceiptId) -> CliError {
	CliError::not_found(format!(
		"receipt {id} does not exist (or was pruned after the chain's receipt retention)"
	))
}
