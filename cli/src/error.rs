//! CLI errors: one line saying what to do, and a distinct exit code per class.

use aitbc_client::Error as ClientError;
use serde::Serialize;

/// The exit code of success (docs/cli.md); each [`ErrorClass`] has its own.
pub const EXIT_OK: u8 = 0;

/// What kind of error: its name in JSON output and its exit code (docs/cli.md).
#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ErrorClass {
	/// Anything not classified below.
	Other = 1,
	/// Bad input; nothing was sent.
	Usage = 2,
	/// The job, receipt, miner or wallet does not exist.
	NotFound = 3,
	/// The chain refused the transaction.
	Rejected = 4,
	/// The node could not be reached.
	Unreachable = 5,
	/// The job ended without a result (failed, expired or cancelled).
	JobFailed = 6,
}

impl ErrorClass {
	/// The process exit code of the class.
	pub fn exit_code(self) -> u8 {
		self as u8
	}
}

/// A CLI error with its class.
#[derive(Debug)]
pub struct CliError {
	/// What kind of error (name and exit code).
	pub class: ErrorClass,
	/// One line.
	pub message: String,
	/// The command printed its own JSON object (with the error in it) already.
	pub printed: bool,
}

/// The `error` object of `--json` output.
#[derive(Serialize, Debug)]
pub struct ErrorJson<'a> {
	/// The class name.
	pub class: ErrorClass,
	/// The message.
	pub message: &'a str,
	/// The exit code.
	pub exit_code: u8,
}

impl CliError {
	/// An error of `class`.
	pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
		CliError { class, message: message.into(), printed: false }
	}
	/// Bad input.
	pub fn usage(message: impl Into<String>) -> Self {
		Self::new(ErrorClass::Usage, message)
	}
	/// Missing thing.
	pub fn not_found(message: impl Into<String>) -> Self {
		Self::new(ErrorClass::NotFound, message)
	}
	/// Chain refusal.
	pub fn rejected(message: impl Into<String>) -> Self {
		Self::new(ErrorClass::Rejected, message)
	}
	/// Job without a result.
	pub fn job_failed(message: impl Into<String>) -> Self {
		Self::new(ErrorClass::JobFailed, message)
	}
	/// Anything else.
	pub fn other(message: impl Into<String>) -> Self {
		Self::new(ErrorClass::Other, message)
	}
	/// The exit code.
	pub fn code(&self) -> u8 {
		self.class.exit_code()
	}
	/// The `error` object of `--json` output.
	pub fn json(&self) -> ErrorJson<'_> {
		ErrorJson { class: self.class, message: &self.message, exit_code: self.code() }
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
		let class = match e {
			ClientError::Usage(_) => ErrorClass::Usage,
			ClientError::NotFound(_) => ErrorClass::NotFound,
			ClientError::Rejected(_) => ErrorClass::Rejected,
			ClientError::Unreachable { .. } => ErrorClass::Unreachable,
			ClientError::Disconnected(_) | ClientError::Rpc(_) => ErrorClass::Other,
		};
		CliError::new(class, message)
	}
}

impl From<std::io::Error> for CliError {
	fn from(e: std::io::Error) -> Self {
		CliError::other(format!("output: {e}"))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn classes_have_the_documented_names_and_exit_codes() {
		let classes = [
			(ErrorClass::Other, "other", 1),
			(ErrorClass::Usage, "usage", 2),
			(ErrorClass::NotFound, "not_found", 3),
			(ErrorClass::Rejected, "rejected", 4),
			(ErrorClass::Unreachable, "unreachable", 5),
			(ErrorClass::JobFailed, "job_failed", 6),
		];
		for (class, name, code) in classes {
			assert_eq!(serde_json::to_value(class).unwrap(), name);
			assert_eq!(class.exit_code(), code);
		}
	}
}
