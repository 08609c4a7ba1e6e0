//! `aitbc health`.

use std::io::Write;

use aitbc_client::rpc_params as rpcs_params;
use serde_json::{json, Value};

use crate::{output, CliError, Ctx};

/// Node reachability, sync, peers, heights, runtime version, miners and queue.
pub async fn run(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let health: Value = chain.request("system_health", rpcs_params![]).await?;
	let version: Value = chain.request("state_getRuntimeVersion", rpcs_params![]).await?;
	let best = chain.best_number().await?;
	let finalized = chain.finalized_number().await?;
	let miners = chain.miners(Some(1_000)).await?;
	let active = miners.iter().filter(|m| m.status == "active").count();
	let queued = chain.jobs(None, Some("queued"), Some(1_000)).await?.len();
	let running = chain.jobs(None, Some("running"), Some(1_000)).await?.len();
	let object = json!({
		"operation": "health",
		"url": chain.url(),
		"reachable": true,
		"syncing": health["isSyncing"],
		"peers": health["peers"],
		"best": best,
		"finalized": finalized,
		"runtime": { "spec_name": version["specName"], "spec_version": version["specVersion"] },
		"miners": miners.len(),
		"active_miners": active,
		"queued_jobs": queued,
		"running_jobs": running,
	});
	output::emit(ctx, out, object, |out| {
		writeln!(out, "Node: {} reachable", chain.url())?;
		writeln!(
			out,
			"Syncing: {}, peers: {}",
			health["isSyncing"].as_bool().unwrap_or(false),
			health["peers"].as_u64().unwrap_or(0)
		)?;
		writeln!(out, "Best block: {best}, finalized: {finalized}")?;
		writeln!(
			out,
			"Runtime: {} v{}",
			version["specName"].as_str().unwrap_or("?"),
			version["specVersion"].as_u64().unwrap_or(0)
		)?;
		writeln!(out, "Miners: {active} active of {}", miners.len())?;
		writeln!(out, "Jobs: {queued} queued, {running} running")
	})
}
