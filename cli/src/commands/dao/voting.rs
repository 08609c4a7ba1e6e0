//! `aitbc dao vote|delegate|undelegate|unlock`: conviction voting. A vote locks its amount (it is
//! not spent): with conviction 0 it counts 0.1x and is locked only while the referendum is
//! ongoing; conviction N counts N times and stays locked 2^(N-1) vote locking periods after the
//! referendum ends (`ConvictionVoting.VoteLockingPeriod`, read from the chain).

use std::io::Write;

use aitbc_client::{
	runtime::{
		self,
		runtime_types::pallet_conviction_voting::{
			conviction::Conviction,
			vote::{AccountVote, Vote, Voting},
		},
	},
	units::format_ait,
	AccountId,
};
use serde::Serialize;
use subxt::utils::MultiAddress;

use super::state::{Gov, Referendum, Tally};
use crate::{output, CliError, Ctx};

/// How to vote.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
	/// For.
	Aye,
	/// Against.
	Nay,
	/// Neither: counts towards support only, without conviction.
	Abstain,
}

/// `dao vote` options.
#[derive(clap::Args, Debug)]
pub struct VoteArgs {
	/// Referendum index.
	pub index: String,
	/// aye, nay or abstain.
	#[arg(value_enum)]
	pub vote: Choice,
	/// Conviction 0 to 6: 0 counts 0.1x and locks only while the referendum is ongoing; N
	/// counts N times and locks 2^(N-1) vote locking periods after it ends [default: 1; not
	/// for abstain].
	#[arg(long, value_parser = clap::value_parser!(u8).range(0..=6))]
	pub conviction: Option<u8>,
	/// AIT to vote with (locked, not spent).
	#[arg(long)]
	pub amount: String,
}

/// `dao delegate` options.
#[derive(clap::Args, Debug)]
pub struct DelegateArgs {
	/// The track (name or id).
	#[arg(long)]
	pub track: String,
	/// Who votes for you: address, wallet, or with --dev a dev account.
	#[arg(long)]
	pub to: String,
	/// Conviction 0 to 6, as for `vote`.
	#[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=6))]
	pub conviction: u8,
	/// AIT to delegate (locked, not spent).
	#[arg(long)]
	pub amount: String,
}

/// `dao undelegate` options.
#[derive(clap::Args, Debug)]
pub struct UndelegateArgs {
	/// The track (name or id).
	#[arg(long)]
	pub track: String,
}

/// `dao unlock` options.
#[derive(clap::Args, Debug)]
pub struct UnlockArgs {
	/// Only this track (name or id) [default: every track].
	#[arg(long)]
	pub track: Option<String>,
}

/// The runtime's conviction of level `n` (0 to 6).
fn conviction(n: u8) -> Conviction {
	match n {
		0 => Conviction::None,
		1 => Conviction::Locked1x,
		2 => Conviction::Locked2x,
		3 => Conviction::Locked3x,
		4 => Conviction::Locked4x,
		5 => Conviction::Locked5x,
		_ => Conviction::Locked6x,
	}
}

/// The votes `amount` counts for at conviction `n`: a tenth at 0, else `n` times.
pub fn weighted(amount: u128, n: u8) -> u128 {
	match n {
		0 => amount / 10,
		n => amount.saturating_mul(u128::from(n)),
	}
}

/// Vote locking periods of conviction `n`: none at 0, else 2^(n-1).
pub fn lock_periods(n: u8) -> u32 {
	match n {
		0 => 0,
		n => 1u32 << n.saturating_sub(1).min(31),
	}
}

/// `1x`, `0.1x` for people.
fn multiplier(n: u8) -> String {
	if n == 0 {
		"0.1x".to_string()
	} else {
		format!("{n}x")
	}
}

/// `dao vote` `--json` output.
#[derive(Serialize)]
struct VoteJson<'a> {
	index: u32,
	track: &'a str,
	voter: String,
	vote: Choice,
	/// Null for abstain.
	conviction: Option<u8>,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
	/// What the vote counts for in the tally (conviction-weighted).
	#[serde(with = "aitbc_client::json::decimal")]
	votes: u128,
	/// Blocks the amount stays locked after the referendum ends.
	lock_blocks: u32,
	/// The referendum's tally after the vote.
	tally: Option<Tally>,
}

/// Refuses an amount above what the account holds (votes lock, they do not spend).
async fn check_balance(
	gov: &Gov,
	who: &AccountId,
	amount: u128,
	what: &str,
) -> Result<(), CliError> {
	let (free, reserved) = gov.chain.account_info(who).await?;
	let total = free.saturating_add(reserved);
	if amount > total {
		return Err(CliError::rejected(format!(
			"insufficient balance: {what} {} needs that much balance (locked, not spent); {} has {}",
			format_ait(amount),
			gov.address(who),
			format_ait(total)
		)));
	}
	Ok(())
}

/// Votes on an ongoing referendum.
pub async fn vote(ctx: &Ctx, args: VoteArgs, out: &mut impl Write) -> Result<(), CliError> {
	let index = super::referendum_index(&args.index)?;
	let amount = super::amount(&args.amount, "--amount")?;
	let level = match (args.vote, args.conviction) {
		(Choice::Abstain, Some(_)) => {
			return Err(CliError::usage("an abstain vote has no conviction: drop --conviction"))
		}
		(Choice::Abstain, None) => None,
		(_, level) => Some(level.unwrap_or(1)),
	};
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let track = match gov.existing_referendum(index).await? {
		Referendum::Ongoing { track, .. } => track,
		Referendum::Ended { status, at, .. } => {
			return Err(CliError::usage(format!(
				"referendum {index} is not ongoing ({status} at block {at}); only ongoing referenda take votes"
			)))
		}
	};
	let voter = key.account();
	check_balance(&gov, &voter, amount, "voting").await?;
	let account_vote = match (args.vote, level) {
		(Choice::Aye, Some(n)) => AccountVote::Standard { vote: Vote(0x80 | n), balance: amount },
		(Choice::Nay, Some(n)) => AccountVote::Standard { vote: Vote(n), balance: amount },
		_ => AccountVote::SplitAbstain { aye: 0, nay: 0, abstain: amount },
	};
	let call = runtime::transactions().conviction_voting().vote(index, account_vote);
	gov.chain.submit(&call, &key).await?;
	let period = gov.vote_locking_period()?;
	let gov = gov.refresh().await?;
	let tally = match gov.referendum(index).await? {
		Some(Referendum::Ongoing { status, .. }) => Some(status.tally),
		_ => None,
	};
	let track_name = gov.track_name(track);
	let json = VoteJson {
		index,
		track: &track_name,
		voter: gov.address(&voter),
		vote: args.vote,
		conviction: level,
		amount,
		votes: level.map_or(0, |n| weighted(amount, n)),
		lock_blocks: level.map_or(0, |n| lock_periods(n).saturating_mul(period)),
		tally,
	};
	output::emit(ctx, out, &json, |out| {
		let how = match level {
			Some(n) => format!(
				"{} with {} at {} ({} votes)",
				if args.vote == Choice::Aye { "aye" } else { "nay" },
				format_ait(amount),
				multiplier(n),
				format_ait(json.votes)
			),
			None => format!("abstain with {}", format_ait(amount)),
		};
		writeln!(out, "Voted {how} on referendum {index} (track {track_name})")?;
		if json.lock_blocks > 0 {
			writeln!(
				out,
				"Locked until {} blocks (~{}) after the referendum ends; then: aitbc dao unlock",
				json.lock_blocks,
				super::duration(gov.secs(json.lock_blocks))
			)?;
		} else {
			writeln!(out, "Locked while the referendum is ongoing; then: aitbc dao unlock")?;
		}
		if let Some(t) = &json.tally {
			writeln!(
				out,
				"Tally now: ayes {}, nays {}, support {}",
				format_ait(t.ayes),
				format_ait(t.nays),
				format_ait(t.support)
			)?;
		}
		Ok(())
	})
}

/// `dao delegate` `--json` output.
#[derive(Serialize)]
struct DelegateJson<'a> {
	track: &'a str,
	track_id: u16,
	delegator: String,
	to: String,
	conviction: u8,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
	/// What the delegation counts for in the delegate's votes (conviction-weighted).
	#[serde(with = "aitbc_client::json::decimal")]
	votes: u128,
}

/// Delegates the signer's votes on one track.
pub async fn delegate(ctx: &Ctx, args: DelegateArgs, out: &mut impl Write) -> Result<(), CliError> {
	let amount = super::amount(&args.amount, "--amount")?;
	let to = super::resolve(ctx, &args.to)?;
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let track = gov.track(&args.track)?.clone();
	let delegator = key.account();
	if to == delegator {
		return Err(CliError::usage("--to is your own account: delegate to someone else"));
	}
	check_balance(&gov, &delegator, amount, "delegating").await?;
	let call = runtime::transactions().conviction_voting().delegate(
		track.id,
		MultiAddress::Id(to),
		conviction(args.conviction),
		amount,
	);
	gov.chain.submit(&call, &key).await?;
	let json = DelegateJson {
		track: &track.name,
		track_id: track.id,
		delegator: gov.address(&delegator),
		to: gov.address(&to),
		conviction: args.conviction,
		amount,
		votes: weighted(amount, args.conviction),
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(
			out,
			"Delegated {} at {} ({} votes) on track {} to {}",
			format_ait(amount),
			multiplier(args.conviction),
			format_ait(json.votes),
			track.name,
			json.to
		)
	})
}

/// `dao undelegate` `--json` output.
#[derive(Serialize)]
struct UndelegateJson<'a> {
	track: &'a str,
	track_id: u16,
	delegator: String,
	/// The block until which the delegated amount stays locked (its conviction's lock).
	locked_until: Option<u32>,
}

/// Ends the signer's delegation on a track.
pub async fn undelegate(
	ctx: &Ctx,
	args: UndelegateArgs,
	out: &mut impl Write,
) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let track = gov.track(&args.track)?.clone();
	let who = key.account();
	let voting = runtime::storage().conviction_voting().voting_for();
	if !matches!(gov.fetch(voting.clone(), (who, track.id)).await?, Some(Voting::Delegating(_))) {
		return Err(CliError::usage(format!(
			"{} is not delegating on track {}",
			gov.address(&who),
			track.name
		)));
	}
	gov.chain
		.submit(&runtime::transactions().conviction_voting().undelegate(track.id), &key)
		.await?;
	let gov = gov.refresh().await?;
	let locked_until = match gov.fetch(voting, (who, track.id)).await? {
		Some(Voting::Casting(casting)) if casting.prior.1 > 0 => Some(casting.prior.0),
		_ => None,
	};
	let json = UndelegateJson {
		track: &track.name,
		track_id: track.id,
		delegator: gov.address(&who),
		locked_until,
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "No longer delegating on track {}", track.name)?;
		match locked_until {
			Some(block) => writeln!(
				out,
				"The delegated amount stays locked until block {block}; then: aitbc dao unlock"
			),
			None => Ok(()),
		}
	})
}

/// A vote `unlock` removed.
#[derive(Serialize)]
struct Removed {
	track: String,
	index: u32,
}

/// A lock that stays.
#[derive(Serialize)]
struct StillLocked {
	track: String,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
	/// The block the conviction lock of finished votes ends, when one holds it.
	until: Option<u32>,
	/// Why it stays: `conviction`, `ongoing_vote` or `delegating`.
	reason: &'static str,
}

/// `dao unlock` `--json` output.
#[derive(Serialize)]
struct UnlockJson {
	account: String,
	removed_votes: Vec<Removed>,
	unlocked_tracks: Vec<String>,
	still_locked: Vec<StillLocked>,
}

/// Removes the signer's votes on referenda that ended and unlocks every track it has a lock on
/// (or the one given); reports what stays locked and why.
pub async fn unlock(ctx: &Ctx, args: UnlockArgs, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let only = match &args.track {
		Some(text) => Some(gov.track(text)?.id),
		None => None,
	};
	let who = key.account();
	let voting = runtime::storage().conviction_voting().voting_for();
	let locks = runtime::storage().conviction_voting().class_locks_for();
	let mut classes: Vec<u16> = gov
		.fetch(locks.clone(), (who,))
		.await?
		.map(|l| l.0.into_iter().map(|(class, _)| class).collect())
		.unwrap_or_default();
	let mut removals = Vec::new();
	for track in gov.tracks.iter().filter(|t| only.is_none_or(|id| id == t.id)) {
		if let Some(Voting::Casting(casting)) = gov.fetch(voting.clone(), (who, track.id)).await? {
			for (index, _) in casting.votes.0 {
				let ongoing =
					matches!(gov.referendum(index).await?, Some(Referendum::Ongoing { .. }));
				if !ongoing {
					removals.push((track.id, index));
				}
			}
			if casting.prior.1 > 0 && !classes.contains(&track.id) {
				classes.push(track.id);
			}
		}
	}
	classes.retain(|class| only.is_none_or(|id| id == *class));
	classes.sort_unstable();
	let cv = runtime::transactions().conviction_voting();
	let mut pending = Vec::new();
	for (class, index) in &removals {
		pending.push(gov.chain.send(&cv.remove_vote(Some(*class), *index), &key).await?);
	}
	for class in &classes {
		pending.push(gov.chain.send(&cv.unlock(*class, MultiAddress::Id(who)), &key).await?);
	}
	for tx in pending {
		tx.in_block().await?;
	}
	let gov = gov.refresh().await?;
	let mut still_locked = Vec::new();
	if let Some(locks) = gov.fetch(locks, (who,)).await? {
		for (class, amount) in locks.0 {
			let reason_until = match gov.fetch(voting.clone(), (who, class)).await? {
				Some(Voting::Delegating(_)) => ("delegating", None),
				Some(Voting::Casting(c)) if !c.votes.0.is_empty() => ("ongoing_vote", None),
				Some(Voting::Casting(c)) => ("conviction", Some(c.prior.0)),
				_ => ("conviction", None),
			};
			still_locked.push(StillLocked {
				track: gov.track_name(class),
				amount,
				until: reason_until.1,
				reason: reason_until.0,
			});
		}
	}
	let json = UnlockJson {
		account: gov.address(&who),
		removed_votes: removals
			.iter()
			.map(|(class, index)| Removed { track: gov.track_name(*class), index: *index })
			.collect(),
		unlocked_tracks: classes.iter().map(|c| gov.track_name(*c)).collect(),
		still_locked,
	};
	output::emit(ctx, out, &json, |out| {
		if json.removed_votes.is_empty() && json.unlocked_tracks.is_empty() {
			writeln!(
				out,
				"Nothing to unlock: {} has no votes on ended referenda and no locks",
				json.account
			)?;
		}
		for removed in &json.removed_votes {
			writeln!(
				out,
				"Removed the vote on referendum {} (track {})",
				removed.index, removed.track
			)?;
		}
		if !json.unlocked_tracks.is_empty() {
			writeln!(out, "Unlocked tracks: {}", json.unlocked_tracks.join(", "))?;
		}
		for lock in &json.still_locked {
			let why = match (lock.reason, lock.until) {
				("delegating", _) => "delegated; undelegate first".to_string(),
				("ongoing_vote", _) => "a vote on an ongoing referendum".to_string(),
				(_, Some(block)) => format!("conviction lock until block {block}"),
				_ => "conviction lock".to_string(),
			};
			writeln!(out, "Still locked on {}: {} ({why})", lock.track, format_ait(lock.amount))?;
		}
		Ok(())
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn convictions_weigh_and_lock_as_the_pallet_does() {
		assert_eq!(weighted(1_000, 0), 100);
		assert_eq!(weighted(1_000, 3), 3_000);
		assert_eq!((0..=6).map(lock_periods).collect::<Vec<_>>(), [0, 1, 2, 4, 8, 16, 32]);
		assert_eq!(multiplier(0), "0.1x");
		assert_eq!(multiplier(6), "6x");
	}
}
