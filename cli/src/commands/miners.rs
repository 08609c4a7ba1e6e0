//! `aitbc miners` (alias `admin-miners`).

use std::io::Write;

use serde_json::json;

use crate::{output, CliError, Ctx};

/// Lists registered miners.
pub async fn run(ctx: &Ctx, limit: u32, out: &mut impl Write) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let miners = chain.miners(Some(limit)).await?;
	let object = json!({ "operation": "miners", "miners": output::to_json(&miners) });
	output::emit(ctx, out, object, |out| output::write_miner_rows(out, &miners))
}
