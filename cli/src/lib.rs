//! `aitbc`: the AITBC command line for people and AI agents.
//!
//! [`Cli`] is the clap definition; [`main`] runs one command and returns its exit code. Each
//! command lives in `commands/<verb>.rs` and writes to the given `Write`, so tests run them
//! against a buffer. With `--json` every command prints exactly one JSON object (docs/cli.md);
//! errors are one line on stderr (and, with `--json`, an object with `error` on stdout) and a
//! distinct exit code per class ([`error::exit`]).

pub mod commands;
pub mod context;
pub mod error;
pub mod output;
pub mod wallet;

use std::{io::Write, path::PathBuf};

use clap::{Args, Parser, Subcommand};

pub use context::Ctx;
pub use error::CliError;

/// The command line.
#[derive(Parser, Debug)]
#[command(
	name = "aitbc",
	version,
	about = "AITBC: submit inference jobs, read results and receipts, run the miner registry, check the chain."
)]
pub struct Cli {
	/// Node RPC URL.
	#[arg(long, global = true, env = "AITBC_URL", default_value = "ws://127.0.0.1:9944")]
	pub url: String,
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

/// Every command.
#[derive(Subcommand, Debug)]
pub enum Command {
	/// Submit a job.
	Submit {
		/// What kind of job.
		#[command(subcommand)]
		kind: SubmitKind,
	},
	/// A job's status.
	Status {
		/// Job id (`12` or `job_12`).
		job_id: String,
	},
	/// A completed job's result.
	Result {
		/// Job id.
		job_id: String,
	},
	/// Jobs, newest first.
	List {
		/// Only the account's own jobs.
		#[arg(long)]
		mine: bool,
		/// Only jobs in this status (queued, assigned, running, completed, failed, cancelled, expired).
		#[arg(long)]
		status: Option<String>,
		/// Most jobs shown.
		#[arg(long, default_value_t = 20)]
		limit: u32,
	},
	/// Cancel a job before its result; the escrow is refunded in full.
	Cancel {
		/// Job id.
		job_id: String,
	},
	/// What a job costs now.
	Quote {
		/// Model id.
		#[arg(long)]
		model: String,
		/// Most output tokens.
		#[arg(long, default_value_t = 256)]
		max_tokens: u32,
	},
	/// Receipts: list, verify, claim.
	Receipts(commands::receipts::ReceiptsArgs),
	/// Registered miners.
	#[command(alias = "admin-miners")]
	Miners {
		/// Most miners shown.
		#[arg(long, default_value_t = 100)]
		limit: u32,
	},
	/// All jobs, operator view.
	#[command(alias = "admin-jobs")]
	Jobs {
		/// Only jobs in this status.
		#[arg(long)]
		status: Option<String>,
		/// Most jobs shown.
		#[arg(long, default_value_t = 50)]
		limit: u32,
	},
	/// The owner's side of the miner registry.
	Miner {
		/// What to do.
		#[command(subcommand)]
		action: commands::miner::MinerAction,
	},
	/// Node and marketplace health.
	Health,
	/// Recent blocks with their marketplace events, and recent receipts.
	Browser {
		/// Blocks shown.
		#[arg(long, default_value_t = 10)]
		blocks: u32,
		/// Receipts shown.
		#[arg(long, default_value_t = 5)]
		receipt_limit: u32,
	},
	/// Keys: create, import, list, balance, transfer, export.
	Wallet {
		/// What to do.
		#[command(subcommand)]
		action: commands::wallet::WalletAction,
	},
}

/// Kinds of job.
#[derive(Subcommand, Debug)]
pub enum SubmitKind {
	/// Text inference.
	Inference(InferenceArgs),
}

/// `submit inference` options.
#[derive(Args, Debug, Clone)]
pub struct InferenceArgs {
	/// The prompt (at most 4000 characters).
	#[arg(long, conflicts_with = "prompt_file", required_unless_present = "prompt_file")]
	pub prompt: Option<String>,
	/// Read the prompt from a file, or `-` for stdin.
	#[arg(long)]
	pub prompt_file: Option<PathBuf>,
	/// Model id, e.g. llama3.2:latest.
	#[arg(long)]
	pub model: String,
	/// Most to pay, in AIT [default: the current quote for --max-tokens].
	#[arg(long)]
	pub max_price: Option<String>,
	/// Seconds before the job expires and is refunded [default: the chain's, 15 min].
	#[arg(long)]
	pub ttl: Option<u64>,
	/// Sampling temperature.
	#[arg(long, default_value_t = 0.7)]
	pub temperature: f64,
	/// Most output tokens.
	#[arg(long, default_value_t = 256)]
	pub max_tokens: u32,
	/// Sampling seed.
	#[arg(long)]
	pub seed: Option<u64>,
	/// Wait for the result, showing progress; then print the result, receipt and cost.
	#[arg(long)]
	pub wait: bool,
}

/// Runs `cli`, writing to `out`; returns the exit code. Errors go to stderr as one line (and
/// to `out` as a JSON object with `--json`).
pub async fn main(cli: Cli, out: &mut impl Write) -> u8 {
	let ctx = Ctx::from_cli(&cli);
	let operation = commands::operation_name(&cli.command);
	match commands::run(&ctx, cli.command, out).await {
		Ok(()) => error::exit::OK,
		Err(e) => {
			if ctx.json && !e.printed {
				let object = serde_json::json!({
					"operation": operation,
					"error": { "class": e.class, "message": e.message, "exit_code": e.code },
				});
				let _ = writeln!(out, "{object}");
			}
			eprintln!("error: {}", e.message);
			e.code
		}
	}
}
