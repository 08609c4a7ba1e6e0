//! The marketplace's named states: how a miner bills, where a job is, where a miner is, why a
//! job failed. One definition each, shared by the pallets (SCALE), the node's `aitbc_*` RPC and
//! the clients (JSON, feature `json`), and the CLI's flags: a name no variant has is an error,
//! never a default.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::{fmt, str::FromStr};
use scale_info::TypeInfo;

use crate::Usage;

/// A name that is not one of an enum's variants.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UnknownName {
	/// What the enum is (`job status`, `unit type`, ...).
	pub what: &'static str,
	/// The names it accepts.
	pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownName {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "unknown {}: expected one of {}", self.what, self.expected.join(", "))
	}
}

/// A field-less enum with one snake_case name per variant: `as_str`, `ALL`, `Display`,
/// `FromStr` and (feature `json`) serde as that name.
macro_rules! named_enum {
	(
		$(#[$meta:meta])*
		$what:literal
		pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ }
	) => {
		$(#[$meta])*
		#[derive(
			Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
			Clone, Copy, PartialEq, Eq, Debug,
		)]
		pub enum $name { $( $(#[$vmeta])* $variant, )+ }

		impl $name {
			/// Every variant, in declaration order.
			pub const ALL: &'static [Self] = &[$(Self::$variant),+];
			/// The names, in declaration order.
			pub const NAMES: &'static [&'static str] = &[$($text),+];

			/// The variant's name (snake_case), as the RPC, the CLI and the docs spell it.
			pub fn as_str(self) -> &'static str {
				match self { $(Self::$variant => $text,)+ }
			}
		}

		impl fmt::Display for $name {
			fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
				f.write_str(self.as_str())
			}
		}

		impl FromStr for $name {
			type Err = UnknownName;
			/// The variant named `name`, in any ASCII case (`queued`, `Queued`).
			fn from_str(name: &str) -> Result<Self, UnknownName> {
				Self::ALL
					.iter()
					.copied()
					.find(|v| v.as_str().eq_ignore_ascii_case(name))
					.ok_or(UnknownName { what: $what, expected: Self::NAMES })
			}
		}

		#[cfg(feature = "json")]
		impl serde::Serialize for $name {
			fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
				s.serialize_str(self.as_str())
			}
		}

		#[cfg(feature = "json")]
		impl<'de> serde::Deserialize<'de> for $name {
			fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
				let name = <alloc::string::String as serde::Deserialize>::deserialize(d)?;
				name.parse().map_err(serde::de::Error::custom)
			}
		}
	};
}

named_enum! {
	/// How a miner bills its work.
	"unit type"
	pub enum UnitType {
		/// Per generated (output) token.
		OutputToken = "output_token",
		/// Per started second of GPU compute time.
		GpuSecond = "gpu_second",
	}
}

#[allow(clippy::derivable_impls)] // the enum is declared by `named_enum!`
impl Default for UnitType {
	fn default() -> Self {
		Self::OutputToken
	}
}

impl UnitType {
	/// The billable units of `usage`: output tokens, or compute seconds rounded up.
	pub fn units(self, usage: &Usage) -> u64 {
		match self {
			UnitType::OutputToken => u64::from(usage.output_tokens),
			UnitType::GpuSecond => usage.compute_ms.div_ceil(1_000),
		}
	}

	/// The most units a job may bill when it asks for at most `max_tokens` output tokens;
	/// `None` when the unit type does not follow from the token count (GPU seconds).
	pub fn max_units_for_tokens(self, max_tokens: u32) -> Option<u64> {
		match self {
			UnitType::OutputToken => Some(u64::from(max_tokens)),
			UnitType::GpuSecond => None,
		}
	}
}

named_enum! {
	/// What a job asks for. Text inference now; the type leaves room for chat and embeddings.
	"job kind"
	pub enum JobKind {
		/// Generate text from a prompt.
		TextInference = "text_inference",
	}
}

#[allow(clippy::derivable_impls)] // the enum is declared by `named_enum!`
impl Default for JobKind {
	fn default() -> Self {
		Self::TextInference
	}
}

named_enum! {
	/// Where a job is, without its data: what clients filter and display.
	"job status"
	pub enum JobStatus {
		/// Waiting for a miner.
		Queued = "queued",
		/// Given to a miner, waiting for its acknowledgement.
		Assigned = "assigned",
		/// Acknowledged, waiting for the result.
		Running = "running",
		/// Done, with a receipt.
		Completed = "completed",
		/// Ended without a result; refunded.
		Failed = "failed",
		/// Cancelled by the client; refunded.
		Cancelled = "cancelled",
		/// Its TTL passed; refunded.
		Expired = "expired",
	}
}

impl JobStatus {
	/// Whether a job in this status has ended.
	pub fn is_final(self) -> bool {
		matches!(self, Self::Completed | Self::Failed | Self::Cancelled | Self::Expired)
	}

	/// Whether a miner holds the job (assigned or running).
	pub fn is_held(self) -> bool {
		matches!(self, Self::Assigned | Self::Running)
	}
}

named_enum! {
	/// Whether a miner takes jobs.
	"miner status"
	pub enum MinerStatus {
		/// Takes jobs while its heartbeat is fresh.
		Active = "active",
		/// Took itself offline (e.g. its backend is down); takes no jobs.
		Offline = "offline",
		/// Missed too many deadlines in a row; takes no jobs until `jailed_until`, and after it
		/// until its operator acts again (a heartbeat or `go_online`).
		Jailed = "jailed",
		/// Banned by governance (the `miner_admin` track); takes no jobs until unbanned.
		Banned = "banned",
	}
}

/// Why a job failed. On chain `Reason` is the miner's bounded reason bytes; over JSON it is a
/// string, and the enum is `"no_miner_available"`, `"attempts_exhausted"`, `"congested"` or
/// `{"miner_reported": "<reason>"}`.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
#[cfg_attr(
	feature = "json",
	derive(serde::Serialize, serde::Deserialize),
	serde(rename_all = "snake_case")
)]
pub enum FailureReason<Reason> {
	/// No miner that fits took the job within the queue timeout.
	NoMinerAvailable,
	/// The job was given to `max_assign_attempts` miners and none delivered.
	AttemptsExhausted,
	/// The assigned miner reported that it could not run the job, with its reason.
	MinerReported(Reason),
	/// The chain could not schedule the job's next deadline (every slot near it was full).
	Congested,
}

impl<Reason> FailureReason<Reason> {
	/// The same reason with its miner's text mapped by `f` (e.g. bounded bytes to a string).
	pub fn map<R>(self, f: impl FnOnce(Reason) -> R) -> FailureReason<R> {
		match self {
			Self::NoMinerAvailable => FailureReason::NoMinerAvailable,
			Self::AttemptsExhausted => FailureReason::AttemptsExhausted,
			Self::MinerReported(why) => FailureReason::MinerReported(f(why)),
			Self::Congested => FailureReason::Congested,
		}
	}
}

impl<Reason: fmt::Display> fmt::Display for FailureReason<Reason> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::NoMinerAvailable => f.write_str("no miner available"),
			Self::AttemptsExhausted => f.write_str("no assigned miner delivered"),
			Self::MinerReported(why) => write!(f, "miner reported: {why}"),
			Self::Congested => f.write_str("deadline queue congested"),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn names_round_trip_and_unknown_names_are_errors() {
		for status in JobStatus::ALL {
			assert_eq!(status.as_str().parse::<JobStatus>(), Ok(*status));
		}
		for unit in UnitType::ALL {
			assert_eq!(unit.to_string().parse::<UnitType>(), Ok(*unit));
		}
		assert_eq!("gpu_second".parse(), Ok(UnitType::GpuSecond));
		assert_eq!("Queued".parse(), Ok(JobStatus::Queued));
		let err = "done".parse::<JobStatus>().unwrap_err();
		assert_eq!(err.to_string().split(':').next(), Some("unknown job status"));
		assert!("".parse::<MinerStatus>().is_err());
	}
}
