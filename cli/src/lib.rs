//! `aitbc`: the AITBC command line for people and AI agents.
//!
//! [`Cli`] is the clap definition; [`main`] runs one command and returns its exit code. Each
//! command lives in `commands/<verb>.rs` with its options (`Args`) and its JSON output, and
//! writes to the given `Write`, so tests run them against a buffer. With `--json` every
//! command prints exactly one JSON object, snake_case throughout (docs/cli.md); errors are one
//! line on stderr (and, with `--json`, an object with `error` on stdout) and a distinct exit
//! code per class ([`error::ErrorClass`]).

pub mod commands;
pub mod context;
pub mod error;
pub mod output;
pub mod wallet;

use std::{io::Write, path::PathBuf};

use clap::{Parser, Subcommand};

use commands::{
	browser, cancel, jobs, list, miner, miners, quote, receipts, result, status, submit,
};
pub use context::Ctx;
pub use error::CliError;

/// The command line.
#[derive(Parser, Debug)]
#[command(
	name = "aitbc",
	version,
	about = "AITBC: submit inference jobs, read results and receipts, run the miner registry, govern the chain, check it."
)]
pub struct Cli {
	/// Node RPC URL (ws:// or wss://); several, repeated or comma-separated, are tried in order
	/// and the first that answers is used.
	#[arg(
		long,
		global = true,
		env = "AITBC_URL",
		value_delimiter = ',',
		default_value = "ws://127.0.0.1:9944"
	)]
	pub url: Vec<String>,
	/// The signing account: a wallet name, or with --dev a dev account (alice, //Bob, ...).
	#[arg(long, global = true, env = "AITBC_ACCOUNT")]
	pub account: Option<String>,
	/// Use the well-known development accounts (//Alice ...) for --account.
	#[arg(long, global = true)]
	pub dev: bool,
	/// One JSON object per command on stdout (schema in docs/cli.md).
	#[arg(long, global = true)]
	pub json: bool,
	/// Where wallets are kept [default: ~/.aitbc/wallets].
	#[arg(long, global = true, env = "AITBC_WALLET_DIR")]
	pub wallet_dir: Option<PathBuf>,
	/// File with the wallet password (else AITBC_PASSWORD).
	#[arg(long, global = true, env = "AITBC_PASSWORD_FILE")]
	pub password_file: Option<PathBuf>,
	/// The command.
	#[command(subcommand)]
	pub command: Command,
}

/// Every command; each one's options live in its `commands/<verb>.rs`.
#[derive(Subcommand, Debug)]
pub enum Command {
	/// Submit a job.
	Submit(submit::Args),
	/// A job's status.
	Status(status::Args),
	/// A completed job's result.
	Result(result::Args),
	/// Jobs, newest first.
	List(list::Args),
	/// Cancel a job before its result; the escrow is refunded in full.
	Cancel(cancel::Args),
	/// What a job costs now.
	Quote(quote::Args),
	/// Receipts: list, verify, claim.
	Receipts(receipts::Args),
	/// Registered miners.
	#[command(alias = "admin-miners")]
	Miners(miners::Args),
	/// All jobs, operator view.
	#[command(alias = "admin-jobs")]
	Jobs(jobs::Args),
	/// The owner's side of the miner registry.
	Miner(miner::Args),
	/// Node and marketplace health.
	Health,
	/// Recent blocks with their marketplace events, and recent receipts.
	Browser(browser::Args),
	/// Keys: create, import, list, balance, transfer, export.
	Wallet(commands::wallet::Args),
	/// Governance: referenda, votes, delegation, the treasury and the technical committee.
	Dao(commands::dao::Args),
}

/// Runs `cli`, writing to `out`; returns the exit code. Errors go to stderr as one line (and
/// to `out` as a JSON object with `--json`).
pub async fn main(cli: Cli, out: &mut impl Write) -> u8 {
	let ctx = Ctx::from_cli(&cli);
	match commands::run(&ctx, cli.command, out).await {
		Ok(()) => error::EXIT_OK,
		Err(e) => {
			if ctx.json && !e.printed {
				let _ = output::write_json(&ctx, out, &output::Failure { error: e.json() });
			}
			eprintln!("error: {}", e.message);
			e.code()
		}
	}
}
