//! The command line (every flag also an environment variable), then one validated settings
//! value per command.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use aitbc_client::Connect;
use clap::{Args, Parser, Subcommand};

use crate::error::GatewayError;

/// `aitbc-gateway`.
#[derive(Parser, Debug)]
#[command(
	name = "aitbc-gateway",
	version,
	about = "AITBC HTTP gateway: the REST API and an OpenAI-compatible API over the chain, every request a job paid from a custodial account per API key."
)]
pub struct Cli {
	/// Logs as JSON lines (on stderr).
	#[arg(long, global = true, env = "AITBC_GATEWAY_LOG_JSON")]
	pub log_json: bool,
	/// The command.
	#[command(subcommand)]
	pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
	/// Serve the APIs.
	Serve(ServeArgs),
	/// Manage API keys: create, revoke, list.
	Keys(KeysArgs),
}

/// Where the gateway keeps its keys and wallets, and the wallets' password.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
	/// Data directory: `keys.json` (API keys, hashed) and `wallets/` (the custodial accounts'
	/// keystore) [default: ~/.aitbc/gateway].
	#[arg(long, global = true, env = "AITBC_GATEWAY_DATA_DIR")]
	pub data_dir: Option<PathBuf>,
	/// File with the wallets' password (else AITBC_GATEWAY_PASSWORD).
	#[arg(long, global = true, env = "AITBC_GATEWAY_PASSWORD_FILE")]
	pub password_file: Option<PathBuf>,
}

impl DataArgs {
	/// The data directory.
	pub fn data_dir(&self) -> PathBuf {
		self.data_dir.clone().unwrap_or_else(|| {
			std::env::var_os("HOME")
				.map(PathBuf::from)
				.unwrap_or_else(|| PathBuf::from("."))
				.join(".aitbc/gateway")
		})
	}

	/// The wallets' password: the password file, else `AITBC_GATEWAY_PASSWORD`.
	pub fn password(&self) -> Result<String, GatewayError> {
		if let Some(path) = &self.password_file {
			let text = std::fs::read_to_string(path).map_err(|e| {
				GatewayError::Usage(format!(
					"cannot read the password file {}: {e}",
					path.display()
				))
			})?;
			return Ok(text.trim_end_matches(['\n', '\r']).to_string());
		}
		std::env::var("AITBC_GATEWAY_PASSWORD").map_err(|_| {
			GatewayError::Usage(
				"the wallets' password is needed: set AITBC_GATEWAY_PASSWORD or pass --password-file FILE"
					.into(),
			)
		})
	}
}

/// `serve` flags.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
	/// Address to listen on (`127.0.0.1:0`: any free port; the `listening on` line says which).
	#[arg(long, env = "AITBC_GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
	pub listen: SocketAddr,
	/// Node RPC URL (ws:// or wss://); several, repeated or comma-separated, are tried in order.
	#[arg(long, env = "AITBC_URL", value_delimiter = ',', default_value = "ws://127.0.0.1:9944")]
	pub url: Vec<String>,
	/// Seconds the requests in flight (streams included) may take to finish after SIGTERM or
	/// SIGINT.
	#[arg(long, env = "AITBC_GATEWAY_GRACE_SECS", default_value_t = 30)]
	pub grace_secs: u64,
	/// Read miners' token streams from endpoints on loopback, private (RFC 1918, fc00::/7),
	/// link-local, unspecified or carrier-grade NAT addresses too. Off by default: a miner's
	/// endpoint is whatever its operator stored on chain, and the gateway would otherwise make
	/// requests into its own network for them (SSRF); such a miner's text then comes from the
	/// chain. Turn it on for local setups whose miners run on 127.0.0.1 or a private network.
	#[arg(long, env = "AITBC_GATEWAY_ALLOW_PRIVATE_MINER_ENDPOINTS")]
	pub allow_private_miner_endpoints: bool,
	/// Data directory and password.
	#[command(flatten)]
	pub data: DataArgs,
}

/// Checked `serve` settings.
#[derive(Debug, Clone)]
pub struct ServeSettings {
	/// Where to listen.
	pub listen: SocketAddr,
	/// How to reach the node (a daemon's: retried forever).
	pub connect: Connect,
	/// The data directory.
	pub data_dir: PathBuf,
	/// The wallets' password.
	pub password: String,
	/// The grace period of a shutdown.
	pub grace: Duration,
	/// Whether miners' endpoints on private addresses are read.
	pub allow_private_miner_endpoints: bool,
}

impl ServeArgs {
	/// The checked settings.
	pub fn settings(&self) -> Result<ServeSettings, GatewayError> {
		let connect = Connect::any(&self.url)
			.map_err(|e| GatewayError::Usage(format!("--url: {e}")))?
			.retry_forever();
		Ok(ServeSettings {
			listen: self.listen,
			connect,
			data_dir: self.data.data_dir(),
			password: self.data.password()?,
			grace: Duration::from_secs(self.grace_secs),
			allow_private_miner_endpoints: self.allow_private_miner_endpoints,
		})
	}
}

/// `keys` flags.
#[derive(Args, Debug)]
pub struct KeysArgs {
	/// Print one JSON object.
	#[arg(long, global = true)]
	pub json: bool,
	/// Data directory and password.
	#[command(flatten)]
	pub data: DataArgs,
	/// What to do.
	#[command(subcommand)]
	pub action: KeysAction,
}

/// `keys` actions.
#[derive(Subcommand, Debug)]
pub enum KeysAction {
	/// Create an API key (printed once) for a custodial wallet (created if missing).
	Create {
		/// The key's name.
		#[arg(long)]
		name: String,
		/// The wallet that signs and pays [default: the key's name]; created with a new
		/// mnemonic if missing.
		#[arg(long)]
		wallet: Option<String>,
		/// Requests per minute.
		#[arg(long, default_value_t = 60)]
		rate_limit: u32,
		/// The most the key may spend in total, in AIT (`10`, `0.5`); default: no cap.
		#[arg(long)]
		spend_cap: Option<String>,
	},
	/// Revoke an API key (refused from the next request on).
	Revoke {
		/// The key's name.
		#[arg(long)]
		name: String,
	},
	/// The keys: names, addresses, limits and spend (never the keys).
	List,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn serve_flags_parse_and_urls_repeat() {
		let cli = Cli::try_parse_from([
			"aitbc-gateway",
			"serve",
			"--listen",
			"127.0.0.1:0",
			"--url",
			"ws://a:9944,ws://b:9944",
			"--data-dir",
			"/tmp/x",
			"--password-file",
			"/nonexistent",
		])
		.unwrap();
		let Command::Serve(args) = cli.command else { panic!("serve") };
		assert_eq!(args.url, ["ws://a:9944", "ws://b:9944"]);
		assert_eq!(args.listen.port(), 0);
		assert_eq!(args.grace_secs, 30);
		assert!(!args.allow_private_miner_endpoints);
		let error = args.settings().unwrap_err();
		assert!(error.to_string().contains("cannot read the password file"), "{error}");
	}

	#[test]
	fn private_miner_endpoints_are_opt_in() {
		let cli =
			Cli::try_parse_from(["aitbc-gateway", "serve", "--allow-private-miner-endpoints"])
				.unwrap();
		let Command::Serve(args) = cli.command else { panic!("serve") };
		assert!(args.allow_private_miner_endpoints);
	}

	#[test]
	fn keys_flags_parse() {
		let cli = Cli::try_parse_from([
			"aitbc-gateway",
			"keys",
			"create",
			"--name",
			"app",
			"--spend-cap",
			"5",
			"--data-dir",
			"/tmp/x",
		])
		.unwrap();
		let Command::Keys(args) = cli.command else { panic!("keys") };
		assert!(matches!(args.action, KeysAction::Create { rate_limit: 60, .. }));
		assert_eq!(args.data.data_dir(), PathBuf::from("/tmp/x"));
	}
}
