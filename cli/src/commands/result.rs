//! `aitbc result ID`.

use std::io::Write;

use serde_json::json;

use crate::{output, CliError, Ctx};

/// Prints a completed job's output.
pub async fn run(ctx: &Ctx, job_id: &str, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(job_id, "job")?;
	let chain = ctx.chain().await?;
	let job = chain
		.job(id)
		.await?
		.ok_or_else(|| CliError::not_found(format!("job {id} does not exist (or was pruned)")))?;
	match job.status.as_str() {
		"completed" => {}
		"failed" | "cancelled" | "expired" => {
			return Err(CliError::job_failed(format!(
				"job {id} has no result: {}",
				output::job_state(&job)
			)))
		}
		_ => {
			return Err(CliError::not_found(format!(
				"job {id} has no result yet ({}); wait with `aitbc status {id}`",
				job.status
			)))
		}
	}
	let text = job.output.clone().unwrap_or_default();
	let object = json!({
		"operation": "result",
		"job_id": job.id,
		"status": job.status,
		"result": text,
		"usage": output::to_json(&job.usage),
		"receipt_id": job.receipt_id,
	});
	output::emit(ctx, out, object, |out| writeln!(out, "{text}"))
}
