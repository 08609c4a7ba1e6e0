//! One module per command; each writes to the given `Write`.

pub mod browser;
pub mod cancel;
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

use crate::{CliError, Command, Ctx, SubmitKind};

/// The `operation` field of a command's JSON.
pub fn operation_name(command: &Command) -> &'static str {
	match command {
		Command::Submit { .. } => "submit",
		Command::Status { .. } => "status",
		Command::Result { .. } => "result",
		Command::List { .. } => "list",
		Command::Cancel { .. } => "cancel",
		Command::Quote { .. } => "quote",
		Command::Receipts(args) => receipts::operation(args),
		Command::Miners { .. } => "miners",
		Command::Jobs { .. } => "jobs",
		Command::Miner { action } => miner::operation(action),
		Command::Health => "health",
		Command::Browser { .. } => "browser",
		Command::Wallet { action } => wallet::operation(action),
	}
}

/// Runs one command.
pub async fn run(ctx: &Ctx, command: Command, out: &mut impl Write) -> Result<(), CliError> {
	match command {
		Command::Submit { kind: SubmitKind::Inference(args) } => submit::run(ctx, args, out).await,
		Command::Status { job_id } => status::run(ctx, &job_id, out).await,
		Command::Result { job_id } => result::run(ctx, &job_id, out).await,
		Command::List { mine, status, limit } => {
			list::run(ctx, mine, status.as_deref(), limit, out).await
		}
		Command::Cancel { job_id } => cancel::run(ctx, &job_id, out).await,
		Command::Quote { model, max_tokens } => quote::run(ctx, &model, max_tokens, out).await,
		Command::Receipts(args) => receipts::run(ctx, args, out).await,
		Command::Miners { limit } => miners::run(ctx, limit, out).await,
		Command::Jobs { status, limit } => jobs::run(ctx, status.as_deref(), limit, out).await,
		Command::Miner { action } => miner::run(ctx, action, out).await,
		Command::Health => health::run(ctx, out).await,
		Command::Browser { blocks, receipt_limit } => {
			browser::run(ctx, blocks, receipt_limit, out).await
		}
		Command::Wallet { action } => wallet::run(ctx, action, out).await,
	}
}

/// Checks a `--status` filter before anything is sent.
pub fn check_status(status: Option<&str>) -> Result<(), CliError> {
	const STATUSES: [&str; 7] =
		["queued", "assigned", "running", "completed", "failed", "cancelled", "expired"];
	match status {
		Some(s) if !STATUSES.contains(&s) => {
			Err(CliError::usage(format!("--status `{s}` is not one of {}", STATUSES.join(", "))))
		}
		_ => Ok(()),
	}
}
