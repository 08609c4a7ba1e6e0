//! One module per command: its options (`Args`), its JSON output and its `run`, which writes
//! to the given `Write`.

pub mod browser;
pub mod cancel;
pub mod dao;
pub mod health;
pub mod jobs;
pub mod list;
pub mod miner;
pub mod miners;
pub mod quote;
pub mod receipts;
pub mod result;
pub mod status;
pub mod submit;
pub mod wallet;

use std::io::Write;

use crate::{CliError, Command, Ctx};

/// The `operation` field of a command's JSON.
pub fn operation(command: &Command) -> &'static str {
	match command {
		Command::Submit(_) => "submit",
		Command::Status(_) => "status",
		Command::Result(_) => "result",
		Command::List(_) => "list",
		Command::Cancel(_) => "cancel",
		Command::Quote(_) => "quote",
		Command::Receipts(args) => receipts::operation(args),
		Command::Miners(_) => "miners",
		Command::Jobs(_) => "jobs",
		Command::Miner(args) => miner::operation(args),
		Command::Health => "health",
		Command::Browser(_) => "browser",
		Command::Wallet(args) => wallet::operation(args),
		Command::Dao(args) => dao::operation(args),
	}
}

/// Runs one command.
pub async fn run(ctx: &Ctx, command: Command, out: &mut impl Write) -> Result<(), CliError> {
	match command {
		Command::Submit(args) => submit::run(ctx, args, out).await,
		Command::Status(args) => status::run(ctx, args, out).await,
		Command::Result(args) => result::run(ctx, args, out).await,
		Command::List(args) => list::run(ctx, args, out).await,
		Command::Cancel(args) => cancel::run(ctx, args, out).await,
		Command::Quote(args) => quote::run(ctx, args, out).await,
		Command::Receipts(args) => receipts::run(ctx, args, out).await,
		Command::Miners(args) => miners::run(ctx, args, out).await,
		Command::Jobs(args) => jobs::run(ctx, args, out).await,
		Command::Miner(args) => miner::run(ctx, args, out).await,
		Command::Health => health::run(ctx, out).await,
		Command::Browser(args) => browser::run(ctx, args, out).await,
		Command::Wallet(args) => wallet::run(ctx, args, out).await,
		Command::Dao(args) => dao::run(ctx, args, out).await,
	}
}
