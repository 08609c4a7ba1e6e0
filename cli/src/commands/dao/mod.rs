//! `aitbc dao`: OpenGov governance. Propose referenda on the chain's tracks, vote (directly or by
//! delegation), follow referenda against their tracks' curves, pay approved treasury spends, and
//! run the technical committee's motions.
//!
//! Everything a command needs to know about governance comes from the connected chain: the
//! tracks, their deposits, periods and curves (`Referenda.Tracks`), the timeouts and locking
//! periods (`Referenda.UndecidingTimeout`, `ConvictionVoting.VoteLockingPeriod`,
//! `Treasury.PayoutPeriod`) are read from the node's metadata, whose values follow the chain's
//! governance timing, and never copied into the CLI.

pub mod calls;
pub mod committee;
pub mod curve;
pub mod market_params;
pub mod propose;
pub mod referenda;
pub mod state;
pub mod treasury;
pub mod voting;

use std::io::Write;

use aitbc_client::{units::parse_ait, AccountId};
use clap::Subcommand;

use crate::{context::dev_key, CliError, Ctx};

/// `dao` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// What to do.
	#[command(subcommand)]
	pub action: Action,
}

/// Governance actions.
#[derive(Subcommand, Debug)]
pub enum Action {
	/// Propose a referendum: notes the call's preimage, submits it on its track and places the
	/// decision deposit.
	Propose(propose::Args),
	/// Place the decision deposit of a referendum submitted without one.
	Deposit(propose::DepositArgs),
	/// Take back the deposits a finished referendum returns (to their depositors).
	Refund(propose::DepositArgs),
	/// Vote on an ongoing referendum.
	Vote(voting::VoteArgs),
	/// Delegate your votes on one track to another account.
	Delegate(voting::DelegateArgs),
	/// Stop delegating on a track.
	Undelegate(voting::UndelegateArgs),
	/// Remove your votes on finished referenda and unlock what their convictions no longer lock.
	Unlock(voting::UnlockArgs),
	/// Referenda, newest first, with their status and tally.
	List(referenda::ListArgs),
	/// One referendum: its tally against its track's curves, phase and time left.
	Show(referenda::ShowArgs),
	/// The referendum tracks of the connected chain: deposits, periods, curves.
	Tracks,
	/// The treasury's balance and spends; `payout INDEX` pays an approved spend.
	Treasury(treasury::Args),
	/// The technical committee: motions (to whitelist calls), votes, closing.
	Committee(committee::Args),
}

/// The JSON `operation`.
pub fn operation(args: &Args) -> &'static str {
	match &args.action {
		Action::Propose(_) => "dao.propose",
		Action::Deposit(_) => "dao.deposit",
		Action::Refund(_) => "dao.refund",
		Action::Vote(_) => "dao.vote",
		Action::Delegate(_) => "dao.delegate",
		Action::Undelegate(_) => "dao.undelegate",
		Action::Unlock(_) => "dao.unlock",
		Action::List(_) => "dao.list",
		Action::Show(_) => "dao.show",
		Action::Tracks => "dao.tracks",
		Action::Treasury(args) => treasury::operation(args),
		Action::Committee(args) => committee::operation(args),
	}
}

/// Runs a governance action.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	match args.action {
		Action::Propose(args) => propose::run(ctx, args, out).await,
		Action::Deposit(args) => propose::deposit(ctx, args, out).await,
		Action::Refund(args) => propose::refund(ctx, args, out).await,
		Action::Vote(args) => voting::vote(ctx, args, out).await,
		Action::Delegate(args) => voting::delegate(ctx, args, out).await,
		Action::Undelegate(args) => voting::undelegate(ctx, args, out).await,
		Action::Unlock(args) => voting::unlock(ctx, args, out).await,
		Action::List(args) => referenda::list(ctx, args, out).await,
		Action::Show(args) => referenda::show(ctx, args, out).await,
		Action::Tracks => referenda::tracks(ctx, out).await,
		Action::Treasury(args) => treasury::run(ctx, args, out).await,
		Action::Committee(args) => committee::run(ctx, args, out).await,
	}
}

/// Resolves an account given as an address, a wallet name or (with `--dev`) a dev account.
pub(crate) fn resolve(ctx: &Ctx, who: &str) -> Result<AccountId, CliError> {
	if let Ok(account) = aitbc_client::parse_account(who) {
		return Ok(account);
	}
	if ctx.dev {
		return Ok(dev_key(who)?.account());
	}
	let address = ctx.keystore().address(who).map_err(|_| {
		CliError::usage(format!(
			"`{who}` is not an address or a wallet (with --dev, dev accounts like bob are accepted)"
		))
	})?;
	Ok(aitbc_client::parse_account(&address)?)
}

/// Parses an AIT amount for `flag`; zero is refused.
pub(crate) fn amount(text: &str, flag: &str) -> Result<u128, CliError> {
	let value = parse_ait(text).map_err(|e| CliError::usage(format!("{flag}: {e}")))?;
	if value == 0 {
		return Err(CliError::usage(format!("{flag} must be more than 0")));
	}
	Ok(value)
}

/// Parses a referendum index (`3`, `#3`).
pub(crate) fn referendum_index(text: &str) -> Result<u32, CliError> {
	text.trim().trim_start_matches('#').parse().map_err(|_| {
		CliError::usage(format!("`{text}` is not a referendum index (a number like 3)"))
	})
}

/// `secs` as `1 h 5 min`, `45 s`, `3 d 2 h` for people.
pub(crate) fn duration(secs: u64) -> String {
	let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60, secs % 60);
	match (d, h, m) {
		(0, 0, 0) => format!("{s} s"),
		(0, 0, _) if s == 0 => format!("{m} min"),
		(0, 0, _) => format!("{m} min {s} s"),
		(0, _, _) => format!("{h} h {m} min"),
		_ => format!("{d} d {h} h"),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn durations_read_well() {
		assert_eq!(duration(45), "45 s");
		assert_eq!(duration(120), "2 min");
		assert_eq!(duration(150), "2 min 30 s");
		assert_eq!(duration(3_900), "1 h 5 min");
		assert_eq!(duration(3 * 86_400 + 7_200), "3 d 2 h");
	}

	#[test]
	fn referendum_indexes_parse() {
		assert_eq!(referendum_index("3").unwrap(), 3);
		assert_eq!(referendum_index("#12").unwrap(), 12);
		assert!(referendum_index("x").unwrap_err().message.contains("not a referendum index"));
	}
}
