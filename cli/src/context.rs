//! What every command needs: where the node is, who signs, how to print.

use std::path::PathBuf;

use aitbc_client::{keys::Key, Chain, Connect};

use crate::{wallet::Keystore, Cli, CliError};

/// The global options, resolved.
#[derive(Clone, Debug)]
pub struct Ctx {
	/// Node URLs, in the order tried.
	pub urls: Vec<String>,
	/// `--account`.
	pub account: Option<String>,
	/// `--dev`.
	pub dev: bool,
	/// `--json`.
	pub json: bool,
	/// The command's `operation` name in its JSON output (`submit`, `wallet.list`, ...).
	pub operation: &'static str,
	/// Wallet directory.
	pub wallet_dir: PathBuf,
	/// Password file.
	pub password_file: Option<PathBuf>,
}

impl Ctx {
	/// From the parsed command line.
	pub fn from_cli(cli: &Cli) -> Self {
		let wallet_dir = cli.wallet_dir.clone().unwrap_or_else(|| {
			std::env::var_os("HOME")
				.map(PathBuf::from)
				.unwrap_or_else(|| PathBuf::from("."))
				.join(".aitbc/wallets")
		});
		Ctx {
			urls: cli.url.clone(),
			account: cli.account.clone(),
			dev: cli.dev,
			json: cli.json,
			operation: crate::commands::operation(&cli.command),
			wallet_dir,
			password_file: cli.password_file.clone(),
		}
	}

	/// Connects to the first node URL that answers: three rounds over them, with exponential
	/// backoff between rounds. A URL that is not `ws://` or `wss://` is a usage error.
	pub async fn chain(&self) -> Result<Chain, CliError> {
		let connect =
			Connect::any(&self.urls).map_err(|e| CliError::usage(format!("--url: {e}")))?;
		Ok(Chain::connect(&connect).await?)
	}

	/// The keystore.
	pub fn keystore(&self) -> Keystore {
		Keystore::new(self.wallet_dir.clone())
	}

	/// The wallet password: the password file, else `AITBC_PASSWORD`.
	pub fn password(&self) -> Result<String, CliError> {
		if let Some(path) = &self.password_file {
			let text = std::fs::read_to_string(path).map_err(|e| {
				CliError::usage(format!("cannot read the password file {}: {e}", path.display()))
			})?;
			return Ok(text.trim_end_matches(['\n', '\r']).to_string());
		}
		std::env::var("AITBC_PASSWORD").map_err(|_| {
			CliError::usage(
				"a wallet password is needed: set AITBC_PASSWORD or pass --password-file FILE",
			)
		})
	}

	/// The signing key named by `--account`.
	pub fn signer(&self) -> Result<Key, CliError> {
		let name = self.account.as_deref().ok_or_else(|| {
			CliError::usage("this command signs a transaction: pass --account NAME (a wallet) or --dev --account alice")
		})?;
		if self.dev {
			return dev_key(name);
		}
		self.keystore().unlock(name, &self.password()?)
	}
}

/// A development key: `alice`, `Alice`, `//Alice`, or any `//`-URI.
pub fn dev_key(name: &str) -> Result<Key, CliError> {
	let uri = if name.starts_with("//") {
		name.to_string()
	} else {
		let mut chars = name.chars();
		let Some(first) = chars.next() else {
			return Err(CliError::usage("--account is empty"));
		};
		format!("//{}{}", first.to_uppercase(), chars.as_str())
	};
	Ok(Key::from_uri(&uri)?)
}

#[cfg(test)]
mod tests {
	use clap::Parser;

	use super::*;
	use crate::error::ErrorClass;

	fn urls(args: &[&str]) -> Vec<String> {
		let argv = ["aitbc"].iter().chain(args).chain(&["health"]);
		Ctx::from_cli(&Cli::try_parse_from(argv).unwrap()).urls
	}

	#[test]
	fn url_is_repeatable_or_comma_separated() {
		assert_eq!(urls(&[]), ["ws://127.0.0.1:9944"]);
		assert_eq!(urls(&["--url", "ws://a"]), ["ws://a"]);
		assert_eq!(urls(&["--url", "ws://a", "--url", "wss://b"]), ["ws://a", "wss://b"]);
		assert_eq!(urls(&["--url", "ws://a,wss://b"]), ["ws://a", "wss://b"]);
	}

	#[tokio::test]
	async fn a_url_that_is_not_ws_is_a_one_line_usage_error() {
		let cli = Cli::try_parse_from(["aitbc", "--url", "ws://a,http://b", "health"]).unwrap();
		let Err(error) = Ctx::from_cli(&cli).chain().await else { panic!("connected") };
		assert_eq!(error.class, ErrorClass::Usage);
		assert!(error.message.starts_with("--url: `http://b` is not a node URL"), "{error}");
		assert!(!error.message.contains('\n'));
	}
}
