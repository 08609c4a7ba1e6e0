//! `aitbc list [--mine] [--status S] [--limit N] [--before ID]`.

use std::io::Write;

use aitbc_client::json::JobJson;
use aitbc_primitives::{JobId, JobStatus};
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `list` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Only the account's own jobs.
	#[arg(long)]
	pub mine: bool,
	/// Only jobs in this status (queued, assigned, running, completed, failed, cancelled, expired).
	#[arg(long, value_parser = output::parse_name::<JobStatus>)]
	pub status: Option<JobStatus>,
	/// Most jobs shown (at most 1000).
	#[arg(long, default_value_t = 20, value_parser = output::parse_limit)]
	pub limit: u32,
	/// Only jobs with a lower id: the next page after one whose `next_before` this is.
	#[arg(long, value_name = "JOB_ID", value_parser = output::parse_job_id)]
	pub before: Option<JobId>,
}

/// `--json` output.
#[derive(Serialize)]
struct ListJson<'a> {
	jobs: Snake<&'a [JobJson]>,
	/// The `--before` of the next page: the smallest id shown when the page is full, else null.
	next_before: Option<JobId>,
}

/// Lists jobs, newest first.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let client = if args.mine { Some(ctx.signer()?.account()) } else { None };
	let chain = ctx.chain().await?;
	let jobs = chain.jobs(client.as_ref(), args.status, Some(args.limit), args.before).await?;
	let next_before = output::next_before(&jobs, args.limit);
	output::emit(ctx, out, &ListJson { jobs: Snake(&jobs), next_before }, |out| {
		output::write_job_rows(out, &jobs)?;
		output::write_next_page(out, next_before)
	})
}
