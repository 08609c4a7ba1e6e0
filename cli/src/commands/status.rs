//! `aitbc status ID`.

use std::io::Write;

use aitbc_client::json::JobJson;
use aitbc_primitives::{JobId, JobStatus};
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `status` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Job id (`12` or `job_12`).
	pub job_id: String,
}

/// `--json` output.
#[derive(Serialize)]
struct StatusJson<'a> {
	job_id: JobId,
	status: JobStatus,
	job: Snake<&'a JobJson>,
}

/// Prints a job's status.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(&args.job_id, "job")?;
	let chain = ctx.chain().await?;
	let job = chain.job(id).await?.ok_or_else(|| {
		CliError::not_found(format!(
			"job {id} does not exist (or was pruned after its retention period)"
		))
	})?;
	let json = StatusJson { job_id: job.id, status: job.status, job: Snake(&job) };
	output::emit(ctx, out, &json, |out| output::write_job(out, &job))
}
