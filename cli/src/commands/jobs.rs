//! `aitbc jobs` (alias `admin-jobs`): every client's jobs, with the marketplace queue.

use std::{collections::BTreeMap, io::Write};

use aitbc_client::json::JobJson;
use aitbc_primitives::{JobId, JobStatus};
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `jobs` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Only jobs in this status.
	#[arg(long, value_parser = output::parse_name::<JobStatus>)]
	pub status: Option<JobStatus>,
	/// Most jobs shown (at most 1000).
	#[arg(long, default_value_t = 50, value_parser = output::parse_limit)]
	pub limit: u32,
	/// Only jobs with a lower id: the next page after one whose `next_before` this is.
	#[arg(long, value_name = "JOB_ID", value_parser = output::parse_job_id)]
	pub before: Option<JobId>,
}

/// `--json` output.
#[derive(Serialize)]
struct JobsJson<'a> {
	/// Jobs shown per status name.
	counts: BTreeMap<&'static str, u32>,
	jobs: Snake<&'a [JobJson]>,
	/// The `--before` of the next page: the smallest id shown when the page is full, else null.
	next_before: Option<JobId>,
}

/// Lists all jobs and counts them by status.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let jobs = chain.jobs(None, args.status, Some(args.limit), args.before).await?;
	let mut counts = BTreeMap::<&'static str, u32>::new();
	for job in &jobs {
		*counts.entry(job.status.as_str()).or_default() += 1;
	}
	let next_before = output::next_before(&jobs, args.limit);
	let json = JobsJson { counts, jobs: Snake(&jobs), next_before };
	output::emit(ctx, out, &json, |out| {
		output::write_job_rows(out, &jobs)?;
		let summary: Vec<String> = json.counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
		if !summary.is_empty() {
			writeln!(out, "Shown: {}", summary.join(", "))?;
		}
		output::write_next_page(out, next_before)
	})
}
