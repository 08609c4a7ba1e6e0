//! Printing: one JSON object with `--json`, text otherwise; and the shared views of jobs,
//! receipts and miners.
//!
//! Every command's JSON is a `#[derive(Serialize)]` struct of its own; [`emit`] adds the
//! `operation` field. The output is snake_case throughout: the RPC's camelCase objects (jobs,
//! receipts, miners) are wrapped in [`Snake`], the one place that renames their keys.

use std::{io::Write, str::FromStr};

use aitbc_client::{
	json::{ClaimStatus, JobJson, MinerJson, ReceiptJson},
	units::format_ait,
};
use aitbc_primitives::{JobId, JobStatus, UnknownName, MAX_LIST_LIMIT};
use serde::{Serialize, Serializer};

pub use aitbc_client::snake_case::{snake_case, snake_keys};

use crate::{error::ErrorJson, CliError, Ctx};

/// A command's JSON object: `operation`, then the command's own fields.
#[derive(Serialize)]
struct Tagged<'a, T> {
	operation: &'static str,
	#[serde(flatten)]
	fields: &'a T,
}

/// The JSON of a command that failed: `error` {`class`, `message`, `exit_code`}.
#[derive(Serialize)]
pub struct Failure<'a> {
	/// The error.
	pub error: ErrorJson<'a>,
}

/// Writes `fields` as the command's one JSON object, with its `operation`.
pub fn write_json<T: Serialize>(
	ctx: &Ctx,
	out: &mut impl Write,
	fields: &T,
) -> Result<(), CliError> {
	let line = serde_json::to_string(&Tagged { operation: ctx.operation, fields })
		.map_err(|e| CliError::other(format!("output: {e}")))?;
	writeln!(out, "{line}")?;
	Ok(())
}

/// Prints `fields` as JSON (with `--json`) or runs `human`.
pub fn emit<W: Write, T: Serialize>(
	ctx: &Ctx,
	out: &mut W,
	fields: &T,
	human: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> Result<(), CliError> {
	if ctx.json {
		write_json(ctx, out, fields)
	} else {
		human(out)?;
		Ok(())
	}
}

/// An RPC object (camelCase on the wire) serialized with snake_case keys, at every depth.
#[derive(Debug, Clone, Copy)]
pub struct Snake<T>(pub T);

impl<T: Serialize> Serialize for Snake<T> {
	fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
		let value = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
		snake_keys(value).serialize(s)
	}
}

/// A clap value parser for the primitives' named enums (`--status`, `--unit-type`).
pub fn parse_name<T: FromStr<Err = UnknownName>>(text: &str) -> Result<T, String> {
	text.parse().map_err(|e: UnknownName| e.to_string())
}

/// Parses a job or receipt id: `12`, `job_12`, `receipt_12`.
pub fn parse_id(text: &str, what: &str) -> Result<u64, CliError> {
	id(text, what).map_err(CliError::usage)
}

/// A clap value parser for a job id option (`--before`).
pub fn parse_job_id(text: &str) -> Result<JobId, String> {
	id(text, "job")
}

/// A clap value parser for a listing's `--limit`: 1 to the most the chain returns at once.
pub fn parse_limit(text: &str) -> Result<u32, String> {
	text.parse()
		.ok()
		.filter(|limit| (1..=MAX_LIST_LIMIT).contains(limit))
		.ok_or_else(|| format!("`{text}` is not a limit from 1 to {MAX_LIST_LIMIT}"))
}

fn id(text: &str, what: &str) -> Result<u64, String> {
	let digits = text.trim().trim_start_matches("job_").trim_start_matches("receipt_");
	digits.parse().map_err(|_| format!("`{text}` is not a {what} id (a number like 12)"))
}

/// The `--before` of the page after `jobs` (newest first, asked with `limit`): its smallest id
/// when the page is full, else `None` (no more jobs, as far as the chain's bounded scan saw).
pub fn next_before(jobs: &[JobJson], limit: u32) -> Option<JobId> {
	let full = usize::try_from(limit).is_ok_and(|limit| limit > 0 && jobs.len() >= limit);
	if full {
		jobs.iter().map(|job| job.id).min()
	} else {
		None
	}
}

/// For people: how to read the next page, when there is one.
pub fn write_next_page(out: &mut impl Write, next_before: Option<JobId>) -> std::io::Result<()> {
	match next_before {
		Some(id) => writeln!(out, "More: --before {id}"),
		None => Ok(()),
	}
}

/// The job's one-line state for people.
pub fn job_state(job: &JobJson) -> String {
	match job.status {
		JobStatus::Assigned | JobStatus::Running => {
			format!("{} (miner {})", job.status, job.operator.as_deref().unwrap_or("?"))
		}
		JobStatus::Failed => match &job.failure_reason {
			Some(reason) => format!("failed: {reason}"),
			None => "failed: unknown reason".to_string(),
		},
		JobStatus::Completed => {
			format!("completed (receipt {})", job.receipt_id.unwrap_or_default())
		}
		other => other.to_string(),
	}
}

/// A job's storage deposit for people.
pub fn deposit_line(deposit: u128) -> String {
	format!("Deposit: {} (held until the job is pruned)", format_ait(deposit))
}

/// A job's fields for people.
pub fn write_job(out: &mut impl Write, job: &JobJson) -> std::io::Result<()> {
	writeln!(out, "Job ID: {}", job.id)?;
	writeln!(out, "Status: {}", job_state(job))?;
	writeln!(out, "Model: {}", job.model)?;
	writeln!(out, "Client: {}", job.client)?;
	writeln!(out, "Max price: {}", format_ait(job.max_price))?;
	writeln!(out, "{}", deposit_line(job.deposit))?;
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
		let detail = match job.status {
			JobStatus::Failed => {
				job.failure_reason.as_ref().map(ToString::to_string).unwrap_or_default()
			}
			JobStatus::Completed => format!("receipt {}", job.receipt_id.unwrap_or_default()),
			JobStatus::Assigned | JobStatus::Running => job.operator.clone().unwrap_or_default(),
			_ => String::new(),
		};
		writeln!(
			out,
			"{:>6}  {:<10}  {:<24}  {:>16}  {}",
			job.id,
			job.status.as_str(),
			job.model,
			format_ait(job.max_price),
			detail
		)?;
	}
	Ok(())
}

/// Whether a receipt's signature verifies against its operator's key for the payload (v2)
/// rebuilt from the receipt and the chain's `genesis_hash`.
pub fn verify(receipt: &ReceiptJson, genesis_hash: [u8; 32]) -> Result<bool, CliError> {
	// Accounts that do not parse are the RPC's fault, said as such rather than as "invalid".
	aitbc_client::parse_account(&receipt.operator)?;
	aitbc_client::parse_account(&receipt.client)?;
	Ok(aitbc_client::receipts::signature_verifies(receipt, genesis_hash))
}

/// A receipt for people.
pub fn write_receipt(
	out: &mut impl Write,
	r: &ReceiptJson,
	verified: Option<bool>,
) -> std::io::Result<()> {
	let hex = aitbc_client::json::hex_bytes::encode;
	writeln!(out, "Receipt: {} (job {})", r.id, r.job_id)?;
	writeln!(out, "  Miner: {} (owner {})", r.operator, r.miner_owner)?;
	writeln!(out, "  Client: {}, model: {}", r.client, r.model)?;
	writeln!(out, "  Units: {} {} at {} each", r.units, r.unit_type, format_ait(r.unit_price))?;
	writeln!(
		out,
		"  Usage: {} prompt + {} output tokens, {} ms",
		r.usage.prompt_tokens, r.usage.output_tokens, r.usage.compute_ms
	)?;
	writeln!(out, "  Price: {} (protocol fee {})", format_ait(r.price), format_ait(r.fee))?;
	writeln!(out, "  Prompt hash: {}", hex(&r.prompt_hash))?;
	writeln!(out, "  Output hash: {}", hex(&r.output_hash))?;
	let status = match r.status {
		ClaimStatus::Unclaimed => "unclaimed",
		ClaimStatus::Claimed => "claimed",
	};
	writeln!(out, "  Block: {}, status: {status}", r.block)?;
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
			m.status.as_str(),
			format!("{}/{}", m.in_flight, m.capacity),
			format_ait(m.unit_price),
			m.reputation_percent,
			m.models.join(",")
		)?;
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rpc_objects_come_out_snake_case_at_every_depth() {
		let camel = serde_json::json!({
			"jobId": 3,
			"usage": { "outputTokens": 5, "computeMs": 7 },
			"failureReason": { "miner_reported": "oom" },
			"list": [{ "consecutiveMisses": 1 }],
		});
		let snake = serde_json::to_value(Snake(&camel)).unwrap();
		assert_eq!(
			snake,
			serde_json::json!({
				"job_id": 3,
				"usage": { "output_tokens": 5, "compute_ms": 7 },
				"failure_reason": { "miner_reported": "oom" },
				"list": [{ "consecutive_misses": 1 }],
			})
		);
	}

	#[test]
	fn named_flags_parse_through_the_primitives_enums() {
		assert_eq!(parse_name::<JobStatus>("queued"), Ok(JobStatus::Queued));
		assert!(parse_name::<JobStatus>("weird").unwrap_err().contains("queued, assigned"));
	}
}
