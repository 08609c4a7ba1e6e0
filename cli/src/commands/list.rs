//! `aitbc list [--mine] [--status S] [--limit N]`.

use std::io::Write;

use serde_json::json;

use crate::{commands::check_status, output, CliError, Ctx};

/// Lists jobs, newest first.
pub async fn run(
	ctx: &Ctx,
	mine: bool,
	status: Option<&str>,
	limit: u32,
	out: &mut impl Write,
) -> Result<(), CliError> {
	check_status(status)?;
	let client = if mine { Some(ctx.signer()?.account()) } else { None };
	let chain = ctx.chain().await?;
	let jobs = chain.jobs(client.as_ref(), status, Some(limit)).await?;
	let object = json!({ "operation": "list", "jobs": output::to_json(&jobs) });
	output::emit(ctx, out, object, |out| output::write_job_rows(out, &jobs))
}
