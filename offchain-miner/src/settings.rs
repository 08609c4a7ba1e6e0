//! Settings in two stages: [`Args`] (flags and environment) over a TOML file, then one
//! validated [`Settings`] value. The operator key comes from a file or from a secret URI in
//! the environment and is never printed.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use aitbc_client::keys::Key;
use clap::Parser;
use serde::Deserialize;

use crate::backend::{Backend, Ollama, OpenAi, OpenAiMode};

/// Flags; each also reads an `AITBC_MINER_*` environment variable.
#[derive(Parser, Debug, Default, Clone)]
#[command(
	name = "aitbc-miner",
	version,
	about = "Runs AITBC inference jobs assigned to this operator on a local inference server."
)]
pub struct Args {
	/// TOML settings file (keys as the long flags, with `_`: node_url, backend, ...).
	#[arg(long, env = "AITBC_MINER_CONFIG")]
	pub config: Option<PathBuf>,
	/// Node RPC URL [default: ws://127.0.0.1:9944].
	#[arg(long, env = "AITBC_MINER_NODE_URL")]
	pub node_url: Option<String>,
	/// File holding the operator's secret URI or mnemonic (first line).
	#[arg(long, env = "AITBC_MINER_KEY_FILE")]
	pub key_file: Option<PathBuf>,
	/// Backend kind: `ollama` or `openai` [default: ollama].
	#[arg(long, env = "AITBC_MINER_BACKEND")]
	pub backend: Option<String>,
	/// Backend URL [default: http://127.0.0.1:11434 for ollama, http://127.0.0.1:8080 for openai].
	#[arg(long, env = "AITBC_MINER_BACKEND_URL")]
	pub backend_url: Option<String>,
	/// For `openai`: `chat` (/v1/chat/completions, instruct models) or `completion` (/v1/completions) [default: chat].
	#[arg(long, env = "AITBC_MINER_OPENAI_MODE")]
	pub openai_mode: Option<String>,
	/// Models to serve, comma-separated [default: all the backend lists].
	#[arg(long, env = "AITBC_MINER_MODELS", value_delimiter = ',')]
	pub models: Option<Vec<String>>,
	/// Price per output token in AIT, shown in the registration hint [default: 0.000001].
	#[arg(long, env = "AITBC_MINER_PRICE")]
	pub price: Option<String>,
	/// Jobs run in parallel [default: 1].
	#[arg(long, env = "AITBC_MINER_CAPACITY")]
	pub capacity: Option<u32>,
	/// Prometheus metrics address, or `off` [default: 127.0.0.1:9616].
	#[arg(long, env = "AITBC_MINER_METRICS")]
	pub metrics: Option<String>,
	/// Seconds between heartbeats [default: a third of the chain's heartbeat timeout].
	#[arg(long, env = "AITBC_MINER_HEARTBEAT_SECS")]
	pub heartbeat_secs: Option<u64>,
	/// Seconds to finish in-flight jobs after SIGTERM/SIGINT [default: 30].
	#[arg(long, env = "AITBC_MINER_GRACE_SECS")]
	pub grace_secs: Option<u64>,
	/// Block time of the chain in milliseconds, to turn deadlines into time [default: 2000].
	#[arg(long, env = "AITBC_MINER_BLOCK_MS")]
	pub block_ms: Option<u64>,
	/// Log as JSON lines.
	#[arg(long, env = "AITBC_MINER_LOG_JSON")]
	pub log_json: bool,
}

/// The TOML file: the same keys as [`Args`].
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
	node_url: Option<String>,
	key_file: Option<PathBuf>,
	backend: Option<String>,
	backend_url: Option<String>,
	openai_mode: Option<String>,
	models: Option<Vec<String>>,
	price: Option<String>,
	capacity: Option<u32>,
	metrics: Option<String>,
	heartbeat_secs: Option<u64>,
	grace_secs: Option<u64>,
	block_ms: Option<u64>,
}

/// The environment variable that may hold the operator's secret URI instead of a key file.
pub const KEY_ENV: &str = "AITBC_MINER_KEY";

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
	/// Node RPC URL.
	pub node_url: String,
	/// The operator key.
	pub key: Key,
	/// The inference server.
	pub backend: Backend,
	/// Models to serve; empty means all the backend lists.
	pub models: Vec<String>,
	/// Price per output token (smallest unit), for the registration hint.
	pub unit_price: u128,
	/// Jobs in parallel.
	pub capacity: u32,
	/// Metrics address, if enabled.
	pub metrics: Option<SocketAddr>,
	/// Heartbeat interval, if set (else derived from the chain).
	pub heartbeat: Option<Duration>,
	/// Shutdown grace period.
	pub grace: Duration,
	/// Block time.
	pub block_time: Duration,
}

/// A settings error: one line saying what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

impl Settings {
	/// Flags and environment over the TOML file over defaults; the key from `--key-file` or
	/// `AITBC_MINER_KEY`.
	pub fn load(args: Args) -> Result<Self, SettingsError> {
		let file = match &args.config {
			Some(path) => {
				let text = std::fs::read_to_string(path)
					.map_err(|e| SettingsError(format!("cannot read {}: {e}", path.display())))?;
				toml::from_str::<FileSettings>(&text)
					.map_err(|e| SettingsError(format!("{}: {}", path.display(), e.message())))?
			}
			None => FileSettings::default(),
		};
		let key_file = args.key_file.or(file.key_file);
		let key = match (key_file, std::env::var(KEY_ENV).ok()) {
			(Some(path), _) => Key::from_file(&path),
			(None, Some(uri)) => Key::from_uri(&uri),
			(None, None) => {
				return Err(SettingsError(format!(
					"no operator key: pass --key-file FILE or set {KEY_ENV} to the operator's secret URI"
				)))
			}
		}
		.map_err(|e| SettingsError(e.to_string()))?;
		Self::build(Merged {
			node_url: args.node_url.or(file.node_url),
			backend: args.backend.or(file.backend),
			backend_url: args.backend_url.or(file.backend_url),
			openai_mode: args.openai_mode.or(file.openai_mode),
			models: args.models.or(file.models),
			price: args.price.or(file.price),
			capacity: args.capacity.or(file.capacity),
			metrics: args.metrics.or(file.metrics),
			heartbeat_secs: args.heartbeat_secs.or(file.heartbeat_secs),
			grace_secs: args.grace_secs.or(file.grace_secs),
			block_ms: args.block_ms.or(file.block_ms),
			key,
		})
	}

	fn build(m: Merged) -> Result<Self, SettingsError> {
		let node_url = m.node_url.unwrap_or_else(|| "ws://127.0.0.1:9944".into());
		if !(node_url.starts_with("ws://") || node_url.starts_with("wss://")) {
			return Err(SettingsError(format!(
				"node_url `{node_url}` must start with ws:// or wss://"
			)));
		}
		let kind = m.backend.unwrap_or_else(|| "ollama".into());
		let backend = match kind.as_str() {
			"ollama" => Backend::Ollama(Ollama::new(
				m.backend_url.as_deref().unwrap_or("http://127.0.0.1:11434"),
			)),
			"openai" => {
				let mode = match m.openai_mode.as_deref().unwrap_or("chat") {
					"chat" => OpenAiMode::Chat,
					"completion" => OpenAiMode::Completion,
					other => {
						return Err(SettingsError(format!(
							"openai_mode `{other}` is not `chat` or `completion`"
						)))
					}
				};
				Backend::OpenAi(OpenAi::new(
					m.backend_url.as_deref().unwrap_or("http://127.0.0.1:8080"),
					mode,
				))
			}
			other => {
				return Err(SettingsError(format!("backend `{other}` is not `ollama` or `openai`")))
			}
		};
		if !backend.url().starts_with("http://") {
			return Err(SettingsError(format!(
				"backend_url `{}` must start with http://",
				backend.url()
			)));
		}
		let models: Vec<String> = m
			.models
			.unwrap_or_default()
			.into_iter()
			.map(|s| s.trim().to_string())
			.filter(|s| !s.is_empty())
			.collect();
		if let Some(long) = models.iter().find(|m| m.len() > 64) {
			return Err(SettingsError(format!("model id `{long}` is longer than 64 bytes")));
		}
		let unit_price = aitbc_client::units::parse_ait(m.price.as_deref().unwrap_or("0.000001"))
			.map_err(|e| SettingsError(format!("price: {e}")))?;
		let capacity = m.capacity.unwrap_or(1);
		if capacity == 0 || capacity > 64 {
			return Err(SettingsError(format!("capacity {capacity} is not within 1..=64")));
		}
		let metrics = match m.metrics.as_deref().unwrap_or("127.0.0.1:9616") {
			"off" | "none" | "" => None,
			addr => Some(addr.parse().map_err(|_| {
				SettingsError(format!(
					"metrics `{addr}` is not an address like 127.0.0.1:9616 (or `off`)"
				))
			})?),
		};
		let block_ms = m.block_ms.unwrap_or(2_000);
		if block_ms == 0 {
			return Err(SettingsError("block_ms must be positive".into()));
		}
		Ok(Settings {
			node_url,
			key: m.key,
			backend,
			models,
			unit_price,
			capacity,
			metrics,
			heartbeat: m.heartbeat_secs.filter(|s| *s > 0).map(Duration::from_secs),
			grace: Duration::from_secs(m.grace_secs.unwrap_or(30)),
			block_time: Duration::from_millis(block_ms),
		})
	}
}

struct Merged {
	node_url: Option<String>,
	backend: Option<String>,
	backend_url: Option<String>,
	openai_mode: Option<String>,
	models: Option<Vec<String>>,
	price: Option<String>,
	capacity: Option<u32>,
	metrics: Option<String>,
	heartbeat_secs: Option<u64>,
	grace_secs: Option<u64>,
	block_ms: Option<u64>,
	key: Key,
}

#[cfg(test)]
mod tests {
	use super::*;

	fn args() -> Args {
		Args { metrics: Some("off".into()), ..Args::default() }
	}

	fn with_key(mut a: Args, dir: &std::path::Path) -> Args {
		let path = dir.join("key");
		std::fs::write(&path, "//Alice\n").unwrap();
		a.key_file = Some(path);
		a
	}

	fn tempdir(name: &str) -> PathBuf {
		let dir = std::env::temp_dir()
			.join(format!("aitbc-miner-settings-{name}-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		dir
	}

	#[test]
	fn defaults_and_file_under_flags() {
		let dir = tempdir("file");
		let config = dir.join("miner.toml");
		std::fs::write(&config, "backend = \"openai\"\ncapacity = 4\nmodels = [\"smollm2\"]\n")
			.unwrap();
		let mut a = with_key(args(), &dir);
		a.config = Some(config);
		a.capacity = Some(2);
		let s = Settings::load(a).unwrap();
		assert_eq!(s.capacity, 2, "the flag wins over the file");
		assert_eq!(s.models, vec!["smollm2".to_string()]);
		assert_eq!(s.backend.url(), "http://127.0.0.1:8080");
		assert_eq!(s.node_url, "ws://127.0.0.1:9944");
		assert_eq!(s.unit_price, 1_000_000);
		assert!(s.metrics.is_none());
	}

	#[test]
	fn bad_values_are_one_line_errors() {
		let dir = tempdir("bad");
		for (change, expected) in [
			(Args { backend: Some("tgi".into()), ..args() }, "backend `tgi`"),
			(Args { capacity: Some(0), ..args() }, "capacity 0"),
			(Args { node_url: Some("http://x".into()), ..args() }, "ws://"),
			(Args { metrics: Some("nowhere".into()), ..args() }, "metrics"),
			(Args { price: Some("cheap".into()), ..args() }, "price"),
		] {
			let err = Settings::load(with_key(change, &dir)).unwrap_err().to_string();
			assert!(err.contains(expected), "{err}");
			assert!(!err.contains('\n'));
		}
	}

	#[test]
	fn unknown_file_key_is_refused() {
		let dir = tempdir("unknown");
		let config = dir.join("miner.toml");
		std::fs::write(&config, "bakend = \"ollama\"\n").unwrap();
		let err = Settings::load(with_key(Args { config: Some(config), ..args() }, &dir))
			.unwrap_err()
			.to_string();
		assert!(err.contains("bakend"), "{err}");
	}
}
