//! `aitbc health`.

use std::io::Write;

use aitbc_client::rpc_params;
use aitbc_primitives::{JobStatus, MinerStatus, MAX_LIST_LIMIT};
use serde::{Deserialize, Serialize};

use crate::{output, CliError, Ctx};

/// `system_health`, the fields shown.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct SystemHealth {
	is_syncing: bool,
	peers: u64,
}

/// `state_getRuntimeVersion`, the fields shown.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct RuntimeVersion {
	spec_name: String,
	spec_version: u32,
}

/// `--json` output.
#[derive(Serialize)]
struct HealthJson<'a> {
	url: &'a str,
	reachable: bool,
	syncing: bool,
	peers: u64,
	best: u64,
	finalized: u64,
	runtime: RuntimeJson<'a>,
	miners: usize,
	active_miners: usize,
	queued_jobs: usize,
	running_jobs: usize,
}

/// The runtime's name and version.
#[derive(Serialize)]
struct RuntimeJson<'a> {
	spec_name: &'a str,
	spec_version: u32,
}

/// Node reachability, sync, peers, heights, runtime version, miners and queue.
pub async fn run(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let health: SystemHealth = chain.request("system_health", rpc_params![]).await?;
	let version: RuntimeVersion = chain.request("state_getRuntimeVersion", rpc_params![]).await?;
	let best = chain.best_number().await?;
	let finalized = chain.finalized_number().await?;
	let miners = chain.miners(Some(MAX_LIST_LIMIT)).await?;
	let active = miners.iter().filter(|m| m.status == MinerStatus::Active).count();
	let all = Some(MAX_LIST_LIMIT);
	let queued = chain.jobs(None, Some(JobStatus::Queued), all, None).await?.len();
	let running = chain.jobs(None, Some(JobStatus::Running), all, None).await?.len();
	let json = HealthJson {
		url: chain.url(),
		reachable: true,
		syncing: health.is_syncing,
		peers: health.peers,
		best,
		finalized,
		runtime: RuntimeJson { spec_name: &version.spec_name, spec_version: version.spec_version },
		miners: miners.len(),
		active_miners: active,
		queued_jobs: queued,
		running_jobs: running,
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Node: {} reachable", chain.url())?;
		writeln!(out, "Syncing: {}, peers: {}", health.is_syncing, health.peers)?;
		writeln!(out, "Best block: {best}, finalized: {finalized}")?;
		writeln!(out, "Runtime: {} v{}", version.spec_name, version.spec_version)?;
		writeln!(out, "Miners: {active} active of {}", miners.len())?;
		writeln!(out, "Jobs: {queued} queued, {running} running")
	})
}
