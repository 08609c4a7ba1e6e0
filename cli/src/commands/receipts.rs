//! `aitbc receipts [--job-id ID] [--limit N]`, `receipts verify ID`, `receipts claim ID`.

use std::io::Write;

use aitbc_client::runtime;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::{output, CliError, Ctx};

/// `receipts` options.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReceiptsArgs {
	/// Verify or claim one receipt.
	#[command(subcommand)]
	pub action: Option<ReceiptsAction>,
	/// Only the receipt of this job.
	#[arg(long)]
	pub job_id: Option<String>,
	/// Most receipts shown.
	#[arg(long, default_value_t = 20)]
	pub limit: u32,
}

/// One-receipt actions.
#[derive(Subcommand, Debug)]
pub enum ReceiptsAction {
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
pub fn operation(args: &ReceiptsArgs) -> &'static str {
	match args.action {
		None => "receipts",
		Some(ReceiptsAction::Verify { .. }) => "receipts.verify",
		Some(ReceiptsAction::Claim { .. }) => "receipts.claim",
	}
}

/// Runs the receipts command.
pub async fn run(ctx: &Ctx, args: ReceiptsArgs, out: &mut impl Write) -> Result<(), CliError> {
	match args.action {
		None => list(ctx, args.job_id.as_deref(), args.limit, out).await,
		Some(ReceiptsAction::Verify { receipt_id }) => verify(ctx, &receipt_id, out).await,
		Some(ReceiptsAction::Claim { receipt_id }) => claim(ctx, &receipt_id, out).await,
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
			"job {id} has no receipt (it has not completed, or does not exist)"
		)));
	}
	let object = json!({ "operation": "receipts", "receipts": output::to_json(&receipts) });
	output::emit(ctx, out, object, |out| {
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
	let receipt = chain
		.receipt(id)
		.await?
		.ok_or_else(|| CliError::not_found(format!("receipt {id} does not exist")))?;
	let signature_valid = output::verify(&receipt, chain.genesis_hash())?;
	let output_matches = chain.job(receipt.job_id).await?.and_then(|job| job.output).map(|text| {
		receipt.output_hash
			== format!("0x{}", hex::encode(aitbc_primitives::output_hash(text.as_bytes())))
	});
	let object = json!({
		"operation": "receipts.verify",
		"receipt_id": id,
		"job_id": receipt.job_id,
		"valid": signature_valid,
		"output_matches": output_matches,
		"receipt": output::to_json(&receipt),
	});
	output::emit(ctx, out, object, |out| {
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
	let receipt = chain
		.receipt(id)
		.await?
		.ok_or_else(|| CliError::not_found(format!("receipt {id} does not exist")))?;
	if receipt.status == "claimed" {
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
	let object = json!({
		"operation": "receipts.claim",
		"receipt_id": id,
		"status": "claimed",
		"reward": reward.to_string(),
	});
	output::emit(ctx, out, object, |out| {
		writeln!(out, "Receipt {id} claimed; reward {}", aitbc_client::units::format_ait(reward))
	})
}
