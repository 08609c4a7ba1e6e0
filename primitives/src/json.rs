//! The `aitbc_*` JSON-RPC objects (docs/rpc.md), shared by the node that serves them and the
//! clients that read them. Balances are decimal strings in the smallest unit; accounts are SS58
//! strings; block numbers are integers.

//!
//! The named states are the chain's own enums ([`JobStatus`], [`UnitType`], [`MinerStatus`],
//! [`FailureReason`]), balances are `u128` read from decimal strings ([`decimal`]) and hashes and
//! signatures fixed-size byte arrays read from `0x`-hex ([`hex_bytes`]): a malformed value fails
//! to deserialize instead of turning into a default.

use serde::{Deserialize, Serialize};

use crate::{Balance, FailureReason, JobId, JobStatus, MinerStatus, ReceiptId, UnitType};

impl JobJson {
	/// Whether the job has ended (completed, failed, cancelled or expired).
	pub fn is_final(&self) -> bool {
		self.status.is_final()
	}
}

/// A balance as a decimal string (balances exceed JSON's safe integers).
pub mod decimal {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	/// Writes `value` as a decimal string.
	pub fn serialize<S: Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
		s.collect_str(value)
	}

	/// Reads a decimal string; anything else is an error.
	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
		let text = String::deserialize(d)?;
		parse(&text).map_err(D::Error::custom)
	}

	/// Parses a decimal balance: digits only, no sign, no spaces, fits in `u128`.
	pub fn parse(text: &str) -> Result<u128, String> {
		if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
			return Err(format!("`{text}` is not a decimal balance"));
		}
		text.parse().map_err(|_| format!("`{text}` is not a balance (too large)"))
	}

	/// The same for an optional balance (`null` or a decimal string).
	pub mod option {
		use serde::{Deserialize, Deserializer, Serializer};

		/// Writes `null` or a decimal string.
		pub fn serialize<S: Serializer>(value: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
			match value {
				Some(v) => s.collect_str(v),
				None => s.serialize_none(),
			}
		}

		/// Reads `null` or a decimal string.
		pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
			Option::<String>::deserialize(d)?
				.map(|text| super::parse(&text).map_err(serde::de::Error::custom))
				.transpose()
		}
	}
}

/// A fixed-size byte array as `0x`-hex.
pub mod hex_bytes {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	/// `0x` followed by two lowercase hex digits per byte.
	pub fn encode(bytes: &[u8]) -> String {
		let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
		format!("0x{digits}")
	}

	/// Parses `0x`-hex of exactly `N` bytes.
	pub fn decode<const N: usize>(text: &str) -> Result<[u8; N], String> {
		let bad = || format!("`{text}` is not 0x-hex of {N} bytes");
		let digits = text.strip_prefix("0x").ok_or_else(bad)?.as_bytes();
		if !digits.iter().all(u8::is_ascii_hexdigit) {
			return Err(bad());
		}
		let bytes: Vec<u8> = digits
			.chunks(2)
			.map(|pair| {
				let pair = core::str::from_utf8(pair).map_err(|_| bad())?;
				if pair.len() != 2 {
					return Err(bad());
				}
				u8::from_str_radix(pair, 16).map_err(|_| bad())
			})
			.collect::<Result<_, _>>()?;
		bytes.try_into().map_err(|_| bad())
	}

	/// Writes the array as `0x`-hex.
	pub fn serialize<S: Serializer, const N: usize>(
		value: &[u8; N],
		s: S,
	) -> Result<S::Ok, S::Error> {
		s.serialize_str(&encode(value))
	}

	/// Reads `0x`-hex of exactly `N` bytes.
	pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
		d: D,
	) -> Result<[u8; N], D::Error> {
		decode(&String::deserialize(d)?).map_err(D::Error::custom)
	}
}

/// Whether a receipt's reward was claimed (the JSON of the receipt's claim status; who claimed,
/// when and the reward are in `claimedBy`, `claimedAt` and `reward`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
	/// Not claimed yet.
	Unclaimed,
	/// Claimed.
	Claimed,
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
	#[serde(with = "decimal")]
	pub max_price: Balance,
	pub min_reputation_percent: f64,
	pub status: JobStatus,
	pub operator: Option<String>,
	/// How the holding (or last) miner bills the job, fixed at assignment.
	pub unit_type: Option<UnitType>,
	/// Its price per unit, fixed at assignment.
	#[serde(with = "decimal::option")]
	pub unit_price: Option<Balance>,
	/// Why it failed, when it did.
	pub failure_reason: Option<FailureReason<String>>,
	pub receipt_id: Option<ReceiptId>,
	pub submitted_at: u32,
	pub expires_at: u32,
	pub deadline: Option<u32>,
	pub attempts: u32,
	pub output: Option<String>,
	pub usage: Option<UsageJson>,
	pub ended_at: Option<u32>,
	/// The storage deposit held from the client for the job's bytes, released when the job is
	/// pruned.
	#[serde(with = "decimal")]
	pub deposit: Balance,
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
	pub unit_type: UnitType,
	#[serde(with = "decimal")]
	pub unit_price: Balance,
	pub capacity: u32,
	pub in_flight: u32,
	pub gpu_name: String,
	pub gpu_vram_mib: u32,
	pub gpu_count: u32,
	#[serde(with = "decimal")]
	pub stake: Balance,
	pub status: MinerStatus,
	pub last_heartbeat: u32,
	pub reputation_percent: f64,
	pub consecutive_misses: u32,
	pub registered_at: u32,
	/// While jailed: the block from which `go_online` releases it.
	#[serde(default)]
	pub jailed_until: u32,
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
	#[serde(with = "hex_bytes")]
	pub prompt_hash: [u8; 32],
	pub unit_type: UnitType,
	#[serde(with = "decimal")]
	pub unit_price: Balance,
	pub units: u64,
	pub usage: UsageJson,
	#[serde(with = "decimal")]
	pub price: Balance,
	#[serde(with = "decimal")]
	pub fee: Balance,
	#[serde(with = "hex_bytes")]
	pub output_hash: [u8; 32],
	pub block: u32,
	pub timestamp_ms: u64,
	#[serde(with = "hex_bytes")]
	pub signature: [u8; 64],
	pub status: ClaimStatus,
	pub claimed_by: Option<String>,
	pub claimed_at: Option<u32>,
	#[serde(with = "decimal::option")]
	pub reward: Option<Balance>,
}

/// `aitbc_quote`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuoteJson {
	pub model: String,
	pub max_tokens: u32,
	pub available_miners: u32,
	#[serde(with = "decimal::option")]
	pub min_price: Option<Balance>,
}

/// `aitbc_parameters`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ParametersJson {
	#[serde(with = "decimal")]
	pub min_stake: Balance,
	pub protocol_fee_percent: f64,
	#[serde(with = "decimal")]
	pub min_fee: Balance,
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
	/// Blocks a receipt stays in state after it was issued.
	pub receipt_retention: u32,
	#[serde(with = "decimal")]
	pub reward_per_unit: Balance,
	pub reward_fee_share_percent: f64,
	#[serde(with = "decimal")]
	pub emission_cap: Balance,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn malformed_values_are_errors_not_defaults() {
		let quote = |min_price: &str| {
			format!(r#"{{"model":"m","maxTokens":1,"availableMiners":1,"minPrice":{min_price}}}"#)
		};
		let ok: QuoteJson = serde_json::from_str(&quote("\"1500\"")).unwrap();
		assert_eq!(ok.min_price, Some(1500));
		assert_eq!(serde_json::to_string(&ok).unwrap(), quote("\"1500\""));
		for bad in ["\"\"", "\"-1\"", "\"1.5\"", "\"12a\"", "1500", "\"1e3\""] {
			assert!(serde_json::from_str::<QuoteJson>(&quote(bad)).is_err(), "{bad}");
		}
		assert_eq!(hex_bytes::decode::<2>("0x0aff"), Ok([10, 255]));
		assert!(hex_bytes::decode::<2>("0x0af").is_err());
		assert!(hex_bytes::decode::<2>("0aff").is_err());
		assert!(serde_json::from_str::<JobStatus>("\"done\"").is_err());
		assert_eq!(
			serde_json::to_string(&FailureReason::MinerReported("oom".to_string())).unwrap(),
			r#"{"miner_reported":"oom"}"#
		);
		assert_eq!(
			serde_json::to_string(&FailureReason::<String>::Congested).unwrap(),
			r#""congested""#
		);
	}
}
