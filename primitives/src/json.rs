//! The `aitbc_*` JSON-RPC objects (docs/rpc.md), shared by the node that serves them and the
//! clients that read them. Balances are decimal strings in the smallest unit; accounts are SS58
//! strings; block numbers are integers.

use serde::{Deserialize, Serialize};

use crate::{JobId, ReceiptId};

impl JobJson {
	/// Whether the job has ended (completed, failed, cancelled or expired).
	pub fn is_final(&self) -> bool {
		matches!(self.status.as_str(), "completed" | "failed" | "cancelled" | "expired")
	}
}

/// A job as `aitbc_job` returns it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobJson {
	pub id: JobId,
	pub client: String,
	pub kind: String,
	pub model: String,
	pub prompt: String,
	pub temperature: f64,
	pub max_tokens: u32,
	pub seed: Option<u64>,
	pub max_price: String,
	pub min_reputation_percent: f64,
	pub status: String,
	pub operator: Option<String>,
	/// How the holding (or last) miner bills the job, fixed at assignment.
	pub unit_type: Option<String>,
	/// Its price per unit, fixed at assignment.
	pub unit_price: Option<String>,
	pub failure_reason: Option<String>,
	pub receipt_id: Option<ReceiptId>,
	pub submitted_at: u32,
	pub expires_at: u32,
	pub deadline: Option<u32>,
	pub attempts: u32,
	pub output: Option<String>,
	pub usage: Option<UsageJson>,
	pub ended_at: Option<u32>,
}

/// Token counts and compute time.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UsageJson {
	pub prompt_tokens: u32,
	pub output_tokens: u32,
	pub compute_ms: u64,
}

/// A miner as `aitbc_miner` returns it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MinerJson {
	pub operator: String,
	pub owner: String,
	pub models: Vec<String>,
	pub unit_type: String,
	pub unit_price: String,
	pub capacity: u32,
	pub in_flight: u32,
	pub gpu_name: String,
	pub gpu_vram_mib: u32,
	pub gpu_count: u32,
	pub stake: String,
	pub status: String,
	pub last_heartbeat: u32,
	pub reputation_percent: f64,
	pub consecutive_misses: u32,
	pub registered_at: u32,
}

/// A receipt as `aitbc_receipt` returns it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJson {
	pub id: ReceiptId,
	pub job_id: JobId,
	pub client: String,
	pub miner_owner: String,
	pub operator: String,
	/// The model the job asked for (receipt payload v2 binds it).
	pub model: String,
	/// blake2-256 of the prompt, `0x`-hex (receipt payload v2 binds it).
	pub prompt_hash: String,
	pub unit_type: String,
	pub unit_price: String,
	pub units: u64,
	pub usage: UsageJson,
	pub price: String,
	pub fee: String,
	pub output_hash: String,
	pub block: u32,
	pub timestamp_ms: u64,
	pub signature: String,
	pub status: String,
	pub claimed_by: Option<String>,
	pub claimed_at: Option<u32>,
	pub reward: Option<String>,
}

/// `aitbc_quote`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuoteJson {
	pub model: String,
	pub max_tokens: u32,
	pub available_miners: u32,
	pub min_price: Option<String>,
}

/// `aitbc_parameters`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ParametersJson {
	pub min_stake: String,
	pub protocol_fee_percent: f64,
	pub min_fee: String,
	pub slash_fraction_percent: f64,
	pub heartbeat_timeout: u32,
	pub ack_timeout: u32,
	pub queue_timeout: u32,
	pub min_result_time: u32,
	pub min_tokens_per_second: u32,
	pub default_ttl: u32,
	pub max_ttl: u32,
	pub max_open_jobs_per_client: u32,
	pub max_assign_attempts: u32,
	pub jail_after_misses: u32,
	pub jail_period: u32,
	pub unbonding_period: u32,
	pub retention_period: u32,
	pub reward_per_unit: String,
	pub reward_fee_share_percent: f64,
	pub emission_cap: String,
}
