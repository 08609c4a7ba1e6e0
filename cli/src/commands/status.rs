//! `aitbc status ID`.

use std::io::Write;

use serde_json::json;

use crate::{output, CliError, Ctx};

/// Prints a job's status.
pub async fn run(ctx: &Ctx, job_id: &str, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(job_id, "job")?;
	let chain = ctx.chain().await?;
	let job = chain.job(id).await?.ok_or_else(|| {
		CliError::not_found(format!(
			"job {id} does not exist (or was pruned after its retention period)"
		))
	})?;
	let object = json!({
		"operation": "status",
		"job_id": job.id,
		"status": job.status,
		"job": output::to_json(&job),
	});
	output::emit(ctx, out, object, |out| output::write_job(out, &job))
}
