//! `aitbc cancel ID`.

use std::io::Write;

use aitbc_client::{runtime, units::format_ait};
use aitbc_primitives::{JobId, JobStatus};
use serde::Serialize;

use crate::{output, CliError, Ctx};

/// `cancel` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Job id.
	pub job_id: String,
}

/// `--json` output.
#[derive(Serialize)]
struct CancelJson {
	job_id: JobId,
	status: JobStatus,
	#[serde(with = "aitbc_client::json::decimal")]
	refunded: u128,
}

/// Cancels the caller's job; the escrow comes back in full.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(&args.job_id, "job")?;
	let key = ctx.signer()?;
	let chain = ctx.chain().await?;
	let job = chain
		.job(id)
		.await?
		.ok_or_else(|| CliError::not_found(format!("job {id} does not exist")))?;
	if job.is_final() {
		return Err(CliError::usage(format!("job {id} has ended already ({})", job.status)));
	}
	if aitbc_client::parse_account(&job.client)? != key.account() {
		return Err(CliError::usage(format!(
			"job {id} belongs to {}, not to {}",
			job.client,
			chain.address(&key.account())
		)));
	}
	let submitted = chain.submit(&runtime::transactions().jobs().cancel_job(id), &key).await?;
	let refunded = submitted
		.events
		.find_first::<runtime::jobs::events::JobCancelled>()
		.and_then(Result::ok)
		.map(|e| e.refunded)
		.unwrap_or_default();
	let json = CancelJson { job_id: id, status: JobStatus::Cancelled, refunded };
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Job {id} cancelled; refunded {}", format_ait(refunded))
	})
}
