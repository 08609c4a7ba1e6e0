//! `aitbc jobs` (alias `admin-jobs`): every client's jobs, with the marketplace queue.

use std::io::Write;

use serde_json::json;

use crate::{commands::check_status, output, CliError, Ctx};

/// Lists all jobs and counts them by status.
pub async fn run(
	ctx: &Ctx,
	status: Option<&str>,
	limit: u32,
	out: &mut impl Write,
) -> Result<(), CliError> {
	check_status(status)?;
	let chain = ctx.chain().await?;
	let jobs = chain.jobs(None, status, Some(limit)).await?;
	let mut counts = std::collections::BTreeMap::<String, u32>::new();
	for job in &jobs {
		*counts.entry(job.status.clone()).or_default() += 1;
	}
	let object = json!({ "operation": "jobs", "counts": counts, "jobs": output::to_json(&jobs) });
	output::emit(ctx, out, object, |out| {
		output::write_job_rows(out, &jobs)?;
		let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
		if !summary.is_empty() {
			writeln!(out, "Shown: {}", summary.join(", "))?;
		}
		Ok(())
	})
}
