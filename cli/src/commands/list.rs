//! `aitbc list [--mine] [--status S] [--limit N]`.

use std::io::Write;

use aitbc_client::json::JobJson;
use aitbc_primitives::JobStatus;
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
	/// Most jobs shown.
	#[arg(long, default_value_t = 20)]
	pub limit: u32,
}

/// `--json` output.
#[derive(Serialize)]
struct ListJson<'a> {
	jobs: Snake<&'a [JobJson]>,
}

/// Lists jobs, newest first.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let client = if args.mine { Some(ctx.signer()?.account()) } else { None };
	let chain = ctx.chain().await?;
	let jobs = chain.jobs(client.as_ref(), args.status, Some(args.limit)).await?;
	output::emit(ctx, out, &ListJson { jobs: Snake(&jobs) }, |out| {
		output::write_job_rows(out, &jobs)
	})
}
