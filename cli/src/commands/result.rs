//! `aitbc result ID`.

use std::io::Write;

use aitbc_client::json::UsageJson;
use aitbc_primitives::{JobId, JobStatus, ReceiptId};
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `result` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Job id.
	pub job_id: String,
}

/// `--json` output.
#[derive(Serialize)]
struct ResultJson<'a> {
	job_id: JobId,
	status: JobStatus,
	result: &'a str,
	usage: Snake<&'a Option<UsageJson>>,
	receipt_id: Option<ReceiptId>,
}

/// Prints a completed job's output.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(&args.job_id, "job")?;
	let chain = ctx.chain().await?;
	let job = chain
		.job(id)
		.await?
		.ok_or_else(|| CliError::not_found(format!("job {id} does not exist (or was pruned)")))?;
	match job.status {
		JobStatus::Completed => {}
		JobStatus::Failed | JobStatus::Cancelled | JobStatus::Expired => {
			return Err(CliError::job_failed(format!(
				"job {id} has no result: {}",
				output::job_state(&job)
			)))
		}
		JobStatus::Queued | JobStatus::Assigned | JobStatus::Running => {
			return Err(CliError::not_found(format!(
				"job {id} has no result yet ({}); wait with `aitbc status {id}`",
				job.status
			)))
		}
	}
	let text = job.output.as_deref().unwrap_or_default();
	let json = ResultJson {
		job_id: job.id,
		status: job.status,
		result: text,
		usage: Snake(&job.usage),
		receipt_id: job.receipt_id,
	};
	output::emit(ctx, out, &json, |out| writeln!(out, "{text}"))
}
