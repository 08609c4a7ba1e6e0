//! `aitbc cancel ID`.

use std::io::Write;

use aitbc_client::runtime;
use serde_json::json;

use crate::{output, CliError, Ctx};

/// Cancels the caller's job; the escrow comes back in full.
pub async fn run(ctx: &Ctx, job_id: &str, out: &mut impl Write) -> Result<(), CliError> {
	let id = output::parse_id(job_id, "job")?;
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
			key.address()
		)));
	}
	let submitted = chain.submit(&runtime::transactions().jobs().cancel_job(id), &key).await?;
	let refunded = submitted
		.events
		.find_first::<runtime::jobs::events::JobCancelled>()
		.and_then(Result::ok)
		.map(|e| e.refunded)
		.unwrap_or_default();
	let object = json!({
		"operation": "cancel",
		"job_id": id,
		"status": "cancelled",
		"refunded": refunded.to_string(),
	});
	output::emit(ctx, out, object, |out| {
		writeln!(out, "Job {id} cancelled; refunded {}", aitbc_client::units::format_ait(refunded))
	})
}
