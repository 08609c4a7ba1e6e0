//! What every command needs: where the node is, who signs, how to print.

use std::path::PathBuf;

use aitbc_client::{keys::Key, Chain, Connect};

use crate::{wallet::Keystore, Cli, CliError};

/// The global options, resolved.
#[derive(Clone, Debug)]
pub struct Ctx {
	/// Node URL.
	pub url: String,
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
			url: cli.url.clone(),
			account: cli.account.clone(),
			dev: cli.dev,
			json: cli.json,
			operation: crate::commands::operation(&cli.command),
			wallet_dir,
			password_file: cli.password_file.clone(),
		}
	}

	/// Connects to the node: three tries with exponential backoff.
	pub async fn chain(&self) -> Result<Chain, CliError> {
		Ok(Chain::connect(&Connect::new(self.url.clone())).await?)
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
