//! Printing: one JSON object with `--json`, text otherwise; and the shared views of jobs,
//! receipts and miners.

use std::io::Write;

use aitbc_client::{
	json::{JobJson, MinerJson, ReceiptJson},
	units::{format_ait, parse_balance},
};
use aitbc_primitives::{verify_receipt, ReceiptPayload, Usage};
use serde_json::Value;

use crate::{CliError, Ctx};

/// Prints `json` (with `--json`) or runs `human`.
pub fn emit<W: Write>(
	ctx: &Ctx,
	out: &mut W,
	json: Value,
	human: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> Result<(), CliError> {
	if ctx.json {
		writeln!(out, "{json}")?;
	} else {
		human(out)?;
	}
	Ok(())
}

/// Parses a job or receipt id: `12`, `job_12`, `receipt_12`.
pub fn parse_id(text: &str, what: &str) -> Result<u64, CliError> {
	let digits = text.trim().trim_start_matches("job_").trim_start_matches("receipt_");
	digits
		.parse()
		.map_err(|_| CliError::usage(format!("`{text}` is not a {what} id (a number like 12)")))
}

/// An amount for people: `0.000256 AIT`.
pub fn ait(decimal: &str) -> String {
	format_ait(parse_balance(decimal))
}

/// The job's one-line state for people.
pub fn job_state(job: &JobJson) -> String {
	match job.status.as_str() {
		"assigned" | "running" => {
			format!("{} (miner {})", job.status, job.operator.as_deref().unwrap_or("?"))
		}
		"failed" => {
			format!("failed: {}", job.failure_reason.as_deref().unwrap_or("unknown reason"))
		}
		"completed" => format!("completed (receipt {})", job.receipt_id.unwrap_or_default()),
		other => other.to_string(),
	}
}

/// A job's fields for people.
pub fn write_job(out: &mut impl Write, job: &JobJson) -> std::io::Result<()> {
	writeln!(out, "Job ID: {}", job.id)?;
	writeln!(out, "Status: {}", job_state(job))?;
	writeln!(out, "Model: {}", job.model)?;
	writeln!(out, "Client: {}", job.client)?;
	writeln!(out, "Max price: {}", ait(&job.max_price))?;
	writeln!(
		out,
		"Submitted at block: {}, expires at block: {}",
		job.submitted_at, job.expires_at
	)?;
	if let Some(deadline) = job.deadline {
		writeln!(out, "Next deadline: block {deadline}")?;
	}
	writeln!(out, "Miners tried: {}", job.attempts)?;
	if let Some(usage) = &job.usage {
		writeln!(
			out,
			"Usage: {} prompt + {} output tokens, {} ms",
			usage.prompt_tokens, usage.output_tokens, usage.compute_ms
		)?;
	}
	if let Some(ended) = job.ended_at {
		writeln!(out, "Ended at block: {ended}")?;
	}
	Ok(())
}

/// One line per job.
pub fn write_job_rows(out: &mut impl Write, jobs: &[JobJson]) -> std::io::Result<()> {
	if jobs.is_empty() {
		return writeln!(out, "No jobs.");
	}
	writeln!(out, "{:>6}  {:<10}  {:<24}  {:>16}  DETAIL", "ID", "STATUS", "MODEL", "MAX PRICE")?;
	for job in jobs {
		let detail = match job.status.as_str() {
			"failed" => job.failure_reason.clone().unwrap_or_default(),
			"completed" => format!("receipt {}", job.receipt_id.unwrap_or_default()),
			"assigned" | "running" => job.operator.clone().unwrap_or_default(),
			_ => String::new(),
		};
		writeln!(
			out,
			"{:>6}  {:<10}  {:<24}  {:>16}  {}",
			job.id,
			job.status,
			job.model,
			ait(&job.max_price),
			detail
		)?;
	}
	Ok(())
}

/// Whether a receipt's signature verifies against its operator's key for the payload (v2)
/// rebuilt from the receipt and the chain's `genesis_hash`.
pub fn verify(receipt: &ReceiptJson, genesis_hash: [u8; 32]) -> Result<bool, CliError> {
	let bad = |what: &str| CliError::other(format!("receipt {}: malformed {what}", receipt.id));
	let output_hash: [u8; 32] = hex::decode(receipt.output_hash.trim_start_matches("0x"))
		.ok()
		.and_then(|b| b.try_into().ok())
		.ok_or_else(|| bad("output hash"))?;
	let signature: [u8; 64] = hex::decode(receipt.signature.trim_start_matches("0x"))
		.ok()
		.and_then(|b| b.try_into().ok())
		.ok_or_else(|| bad("signature"))?;
	let prompt_hash: [u8; 32] = hex::decode(receipt.prompt_hash.trim_start_matches("0x"))
		.ok()
		.and_then(|b| b.try_into().ok())
		.ok_or_else(|| bad("prompt hash"))?;
	let operator = aitbc_client::parse_account(&receipt.operator)?;
	let client = aitbc_client::parse_account(&receipt.client)?;
	let payload = ReceiptPayload {
		genesis_hash,
		job_id: receipt.job_id,
		client: client.0,
		model: receipt.model.as_bytes().to_vec(),
		prompt_hash,
		output_hash,
		usage: Usage {
			prompt_tokens: receipt.usage.prompt_tokens,
			output_tokens: receipt.usage.output_tokens,
			compute_ms: receipt.usage.compute_ms,
		},
		price: parse_balance(&receipt.price),
	};
	Ok(verify_receipt(&payload, &signature, &operator.0))
}

/// A receipt for people.
pub fn write_receipt(
	out: &mut impl Write,
	r: &ReceiptJson,
	verified: Option<bool>,
) -> std::io::Result<()> {
	writeln!(out, "Receipt: {} (job {})", r.id, r.job_id)?;
	writeln!(out, "  Miner: {} (owner {})", r.operator, r.miner_owner)?;
	writeln!(out, "  Client: {}, model: {}", r.client, r.model)?;
	writeln!(out, "  Units: {} {} at {} each", r.units, r.unit_type, ait(&r.unit_price))?;
	writeln!(
		out,
		"  Usage: {} prompt + {} output tokens, {} ms",
		r.usage.prompt_tokens, r.usage.output_tokens, r.usage.compute_ms
	)?;
	writeln!(out, "  Price: {} (protocol fee {})", ait(&r.price), ait(&r.fee))?;
	writeln!(out, "  Prompt hash: {}", r.prompt_hash)?;
	writeln!(out, "  Output hash: {}", r.output_hash)?;
	writeln!(out, "  Block: {}, status: {}", r.block, r.status)?;
	match verified {
		Some(true) => writeln!(out, "  Signature: valid (sr25519 by {})", r.operator),
		Some(false) => writeln!(out, "  Signature: INVALID"),
		None => Ok(()),
	}
}

/// A miner row.
pub fn write_miner_rows(out: &mut impl Write, miners: &[MinerJson]) -> std::io::Result<()> {
	if miners.is_empty() {
		return writeln!(out, "No miners registered.");
	}
	writeln!(
		out,
		"{:<50}  {:<8}  {:>5}  {:>16}  {:>6}  MODELS",
		"OPERATOR", "STATUS", "LOAD", "UNIT PRICE", "REP %"
	)?;
	for m in miners {
		writeln!(
			out,
			"{:<50}  {:<8}  {:>5}  {:>16}  {:>6.1}  {}",
			m.operator,
			m.status,
			format!("{}/{}", m.in_flight, m.capacity),
			ait(&m.unit_price),
			m.reputation_percent,
			m.models.join(",")
		)?;
	}
	Ok(())
}

/// JSON of a value that serializes.
pub fn to_json<T: serde::Serialize>(value: &T) -> Value {
	serde_json::to_value(value).unwrap_or(Value::Null)
}
