//! `dao propose market-params`: the marketplace parameters as the chain has them, with the
//! fields given changed, checked as far as a client can before the referendum (the params
//! pallet validates the whole record when it is enacted).

use aitbc_client::{
	runtime::{
		self,
		runtime_types::{aitbc_traits::params::MarketParams, sp_arithmetic::per_things::Perbill},
	},
	units::format_ait,
};

use super::{
	calls::{encode, name, Built, Change, TrackOrigin},
	curve::{percent, ONE},
	state::Gov,
};
use crate::CliError;

/// `market-params` flags: one per field of the marketplace parameters (docs/design.md).
/// Percentages as `3%` or `3`; amounts in AIT; periods in blocks.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct MarketParamsArgs {
	/// Least stake of a miner's owner (AIT).
	#[arg(long)]
	pub min_stake: Option<String>,
	/// Share of each job's price paid to the treasury (percent).
	#[arg(long)]
	pub protocol_fee: Option<String>,
	/// Least protocol fee of a completed job (AIT).
	#[arg(long)]
	pub min_fee: Option<String>,
	/// Share of a miner's stake slashed per missed deadline (percent).
	#[arg(long)]
	pub slash_fraction: Option<String>,
	/// Blocks after the last heartbeat before a miner gets no new jobs.
	#[arg(long)]
	pub heartbeat_timeout: Option<u32>,
	/// Blocks an assigned miner has to acknowledge a job.
	#[arg(long)]
	pub ack_timeout: Option<u32>,
	/// Blocks a job may wait for a miner.
	#[arg(long)]
	pub queue_timeout: Option<u32>,
	/// Least blocks granted for a result.
	#[arg(long)]
	pub min_result_time: Option<u32>,
	/// Throughput a miner is held to, in tokens per second.
	#[arg(long)]
	pub min_tokens_per_second: Option<u32>,
	/// TTL of a job that names none (blocks).
	#[arg(long)]
	pub default_ttl: Option<u32>,
	/// Longest TTL a job may ask for (blocks).
	#[arg(long)]
	pub max_ttl: Option<u32>,
	/// Most jobs a client may have open at once.
	#[arg(long)]
	pub max_open_jobs_per_client: Option<u32>,
	/// Most miners a job is assigned to before it fails.
	#[arg(long)]
	pub max_assign_attempts: Option<u32>,
	/// Consecutive missed deadlines after which a miner is jailed.
	#[arg(long)]
	pub jail_after_misses: Option<u32>,
	/// Blocks a jailed miner stays jailed.
	#[arg(long)]
	pub jail_period: Option<u32>,
	/// Blocks from deregistration until the stake is withdrawable.
	#[arg(long)]
	pub unbonding_period: Option<u32>,
	/// Blocks a finished job stays in state.
	#[arg(long)]
	pub retention_period: Option<u32>,
	/// Blocks a receipt stays in state.
	#[arg(long)]
	pub receipt_retention: Option<u32>,
	/// Reward minted per billed unit when a receipt is claimed (AIT).
	#[arg(long)]
	pub reward_per_unit: Option<String>,
	/// Most a receipt's reward may be, as a share of its protocol fee (percent, below 100).
	#[arg(long)]
	pub reward_fee_share: Option<String>,
	/// Total the receipt rewards may ever mint (AIT).
	#[arg(long)]
	pub emission_cap: Option<String>,
}

/// Parses a percentage (`3%`, `2.5`, `0.0000001%`) into Perbill parts.
pub fn parse_percent(text: &str, flag: &str) -> Result<u32, CliError> {
	let bad = || {
		CliError::usage(format!(
			"{flag}: `{text}` is not a percentage from 0 to 100 (like 3% or 2.5)"
		))
	};
	let t = text.trim().trim_end_matches('%').trim();
	let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
	if whole.is_empty() && frac.is_empty() {
		return Err(bad());
	}
	// 1 % is 10^7 parts: seven decimals at most
	if frac.len() > 7 || !frac.chars().all(|c| c.is_ascii_digit()) {
		return Err(bad());
	}
	let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
	let frac: u64 =
		if frac.is_empty() { 0 } else { format!("{frac:0<7}").parse().map_err(|_| bad())? };
	let parts = whole.checked_mul(10_000_000).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
	u32::try_from(parts).ok().filter(|p| *p <= ONE).ok_or_else(bad)
}

/// Perbill parts as `3%`.
pub fn format_percent(parts: u32) -> String {
	format!("{}%", percent(parts))
}

/// The current parameters with the flags applied, checked as far as a client can; the runtime
/// checks the rest when the referendum is enacted.
pub async fn build(gov: &Gov, args: &MarketParamsArgs) -> Result<Built, CliError> {
	let mut params = gov
		.fetch(runtime::storage().params().parameters(), ())
		.await?
		.ok_or_else(|| CliError::other("the chain has no marketplace parameters"))?;
	let changes = apply(&mut params, args)?;
	check(&params)?;
	let max_attempts = runtime::constants().params().max_assign_attempts();
	if let Ok(max) = gov.at.constants().entry(max_attempts) {
		if params.max_assign_attempts > max {
			return Err(CliError::usage(format!(
				"--max-assign-attempts {} is above the chain's most, {max}",
				params.max_assign_attempts
			)));
		}
	}
	let call = runtime::transactions().params().set_parameters(params);
	let bytes = encode(gov, &call)?;
	Ok(Built { name: name(gov, &bytes), bytes, origin: TrackOrigin::MarketParams, changes })
}

/// Applies the flags to `params`; the fields whose value changes (at least one).
pub fn apply(
	params: &mut MarketParams<u128, u32>,
	args: &MarketParamsArgs,
) -> Result<Vec<Change>, CliError> {
	let mut changes = Vec::new();
	let mut given = 0usize;
	let mut note = |field: &'static str, from: String, to: String| {
		given = given.saturating_add(1);
		if from != to {
			changes.push(Change { field, from, to });
		}
	};
	macro_rules! balance {
		($($field:ident => $flag:literal),* $(,)?) => { $(
			if let Some(text) = &args.$field {
				let value = aitbc_client::units::parse_ait(text)
					.map_err(|e| CliError::usage(format!("{}: {e}", $flag)))?;
				note(stringify!($field), format_ait(params.$field), format_ait(value));
				params.$field = value;
			}
		)* };
	}
	macro_rules! share {
		($($field:ident => $flag:literal),* $(,)?) => { $(
			if let Some(text) = &args.$field {
				let value = parse_percent(text, $flag)?;
				note(stringify!($field), format_percent(params.$field.0), format_percent(value));
				params.$field = Perbill(value);
			}
		)* };
	}
	macro_rules! number {
		($($field:ident),* $(,)?) => { $(
			if let Some(value) = args.$field {
				note(stringify!($field), params.$field.to_string(), value.to_string());
				params.$field = value;
			}
		)* };
	}
	balance!(
		min_stake => "--min-stake",
		min_fee => "--min-fee",
		reward_per_unit => "--reward-per-unit",
		emission_cap => "--emission-cap",
	);
	share!(
		protocol_fee => "--protocol-fee",
		slash_fraction => "--slash-fraction",
		reward_fee_share => "--reward-fee-share",
	);
	number!(
		heartbeat_timeout,
		ack_timeout,
		queue_timeout,
		min_result_time,
		min_tokens_per_second,
		default_ttl,
		max_ttl,
		max_open_jobs_per_client,
		max_assign_attempts,
		jail_after_misses,
		jail_period,
		unbonding_period,
		retention_period,
		receipt_retention,
	);
	if changes.is_empty() {
		return Err(CliError::usage(if given > 0 {
			"nothing to change: the chain's parameters have these values already"
		} else {
			"nothing to change: give at least one parameter flag (e.g. --protocol-fee 3%; \
			 aitbc dao propose market-params --help lists them)"
		}));
	}
	Ok(changes)
}

/// What a client can check of a parameter record before proposing it (the params pallet's
/// `validate` names the same conditions; it has the last word at enactment).
pub fn check(p: &MarketParams<u128, u32>) -> Result<(), CliError> {
	let periods = [
		("heartbeat_timeout", p.heartbeat_timeout),
		("ack_timeout", p.ack_timeout),
		("queue_timeout", p.queue_timeout),
		("min_result_time", p.min_result_time),
		("default_ttl", p.default_ttl),
		("max_ttl", p.max_ttl),
		("unbonding_period", p.unbonding_period),
		("retention_period", p.retention_period),
		("receipt_retention", p.receipt_retention),
		("jail_period", p.jail_period),
	];
	if let Some((field, _)) = periods.iter().find(|(_, blocks)| *blocks == 0) {
		return Err(CliError::usage(format!("{field} must be at least 1 block")));
	}
	let limits = [
		("max_open_jobs_per_client", p.max_open_jobs_per_client),
		("max_assign_attempts", p.max_assign_attempts),
		("jail_after_misses", p.jail_after_misses),
		("min_tokens_per_second", p.min_tokens_per_second),
	];
	if let Some((field, _)) = limits.iter().find(|(_, n)| *n == 0) {
		return Err(CliError::usage(format!("{field} must be at least 1")));
	}
	if p.min_fee == 0 || p.min_stake == 0 {
		return Err(CliError::usage("min_fee and min_stake must be more than 0"));
	}
	if p.default_ttl > p.max_ttl {
		return Err(CliError::usage(format!(
			"default_ttl ({}) is above max_ttl ({})",
			p.default_ttl, p.max_ttl
		)));
	}
	if p.queue_timeout >= p.max_ttl || p.ack_timeout >= p.max_ttl {
		return Err(CliError::usage(format!(
			"queue_timeout ({}) and ack_timeout ({}) must be below max_ttl ({})",
			p.queue_timeout, p.ack_timeout, p.max_ttl
		)));
	}
	if p.reward_fee_share.0 >= ONE {
		return Err(CliError::usage("reward_fee_share must be below 100%"));
	}
	if p.receipt_retention < p.retention_period {
		return Err(CliError::usage(format!(
			"receipt_retention ({}) is below retention_period ({}): a stored job would point at \
			 a pruned receipt",
			p.receipt_retention, p.retention_period
		)));
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn params() -> MarketParams<u128, u32> {
		MarketParams {
			min_stake: 1_000,
			protocol_fee: Perbill(20_000_000),
			min_fee: 10,
			slash_fraction: Perbill(100_000_000),
			heartbeat_timeout: 30,
			ack_timeout: 5,
			queue_timeout: 50,
			min_result_time: 10,
			min_tokens_per_second: 5,
			default_ttl: 300,
			max_ttl: 3_000,
			max_open_jobs_per_client: 10,
			max_assign_attempts: 3,
			jail_after_misses: 3,
			jail_period: 100,
			unbonding_period: 100,
			retention_period: 100,
			receipt_retention: 200,
			reward_per_unit: 1,
			reward_fee_share: Perbill(500_000_000),
			emission_cap: 1_000_000,
		}
	}

	#[test]
	fn percentages_parse_to_perbill_parts() {
		assert_eq!(parse_percent("3%", "f").unwrap(), 30_000_000);
		assert_eq!(parse_percent("2.5", "f").unwrap(), 25_000_000);
		assert_eq!(parse_percent("0.0000001%", "f").unwrap(), 1);
		assert_eq!(parse_percent("100%", "f").unwrap(), ONE);
		for bad in ["101%", "-1", "x", "", "1.00000001"] {
			assert!(parse_percent(bad, "--protocol-fee").is_err(), "{bad}");
		}
		assert_eq!(format_percent(30_000_000), "3%");
	}

	#[test]
	fn flags_change_only_their_fields() {
		let mut p = params();
		let args = MarketParamsArgs {
			protocol_fee: Some("3%".into()),
			min_fee: Some("0.5".into()),
			max_ttl: Some(3_000),
			..Default::default()
		};
		let changes = apply(&mut p, &args).unwrap();
		assert_eq!(p.protocol_fee.0, 30_000_000);
		assert_eq!(p.min_fee, aitbc_client::units::AIT / 2);
		assert_eq!(
			changes.iter().map(|c| c.field).collect::<Vec<_>>(),
			["min_fee", "protocol_fee"],
			"an unchanged value is no change"
		);
		assert_eq!(changes[1].from, "2%");
		assert_eq!(changes[1].to, "3%");
		check(&p).unwrap();
		let same = MarketParamsArgs { protocol_fee: Some("3".into()), ..Default::default() };
		assert!(apply(&mut p, &same).unwrap_err().message.contains("have these values already"));
		let none = MarketParamsArgs::default();
		assert!(apply(&mut p, &none).unwrap_err().message.contains("give at least one"));
	}

	#[test]
	fn inconsistent_records_are_refused_locally() {
		let mut p = params();
		p.default_ttl = 4_000;
		assert!(check(&p).unwrap_err().message.contains("above max_ttl"));
		let mut p = params();
		p.ack_timeout = 0;
		assert!(check(&p).unwrap_err().message.contains("ack_timeout must be at least 1 block"));
		let mut p = params();
		p.reward_fee_share = Perbill(ONE);
		assert!(check(&p).is_err());
		let mut p = params();
		p.receipt_retention = 50;
		assert!(check(&p).unwrap_err().message.contains("receipt_retention"));
	}
}
