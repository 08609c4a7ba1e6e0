//! CLI errors: one line saying what to do, and a distinct exit code per class.

use aitbc_client::Error as ClientError;

/// Exit codes (docs/cli.md).
pub mod exit {
	/// Success.
	pub const OK: u8 = 0;
	/// Anything not classified below.
	pub const OTHER: u8 = 1;
	/// Bad input; nothing was sent.
	pub const USAGE: u8 = 2;
	/// The job, receipt, miner or wallet does not exist.
	pub const NOT_FOUND: u8 = 3;
	/// The chain refused the transaction.
	pub const REJECTED: u8 = 4;
	/// The node could not be reached.
	pub const UNREACHABLE: u8 = 5;
	/// The job ended without a result (failed, expired or cancelled).
	pub const JOB_FAILED: u8 = 6;
}

/// A CLI error with its class.
#[derive(Debug)]
pub struct CliError {
	/// Class name in JSON output: usage, not_found, rejected, unreachable, job_failed, other.
	pub class: &'static str,
	/// The exit code of the class.
	pub code: u8,
	/// One line.
	pub message: String,
	/// The command printed its own JSON object (with the error in it) already.
	pub printed: bool,
}

impl CliError {
	fn new(class: &'static str, code: u8, message: impl Into<String>) -> Self {
		CliError { class, code, message: message.into(), printed: false }
	}
	/// Bad input.
	pub fn usage(message: impl Into<String>) -> Self {
		Self::new("usage", exit::USAGE, message)
	}
	/// Missing thing.
	pub fn not_found(message: impl Into<String>) -> Self {
		Self::new("not_found", exit::NOT_FOUND, message)
	}
	/// Chain refusal.
	pub fn rejected(message: impl Into<String>) -> Self {
		Self::new("rejected", exit::REJECTED, message)
	}
	/// Job without a result.
	pub fn job_failed(message: impl Into<String>) -> Self {
		Self::new("job_failed", exit::JOB_FAILED, message)
	}
	/// Anything else.
	pub fn other(message: impl Into<String>) -> Self {
		Self::new("other", exit::OTHER, message)
	}
}

impl std::fmt::Display for CliError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.message)
	}
}

impl From<ClientError> for CliError {
	fn from(e: ClientError) -> Self {
		let message = e.to_string();
		match e {
			ClientError::Usage(_) => CliError::usage(message),
			ClientError::NotFound(_) => CliError::not_found(message),
			ClientError::Rejected(_) => CliError::rejected(message),
			ClientError::Unreachable { .. } => Self::new("unreachable", exit::UNREACHABLE, message),
			ClientError::Rpc(_) => CliError::other(message),
		}
	}
}

impl From<std::io::Error> for CliError {
	fn from(e: std::io::Error) -> Self {
		CliError::other(format!("output: {e}"))
	}
}
