//! Settings in two stages: [`Args`], where each setting is declared once (its flag, its
//! `AITBC_MINER_*` environment variable and its TOML key), then one validated [`Settings`]
//! value. The TOML file (`--config`) is read into the same [`Args`] and folded under the flags
//! and the environment ([`Args::over`]): flag > environment > file > default. The operator key
//! comes from a file or from a secret URI in the environment and is never printed.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use aitbc_client::{keys::Key, Connect, Constants};
use clap::{Parser, ValueEnum};
use serde::{Deserialize, Deserializer, Serialize};

use crate::backend::{Backend, Ollama, OpenAi, OpenAiMode};

/// Every setting, once: a flag, an `AITBC_MINER_*` environment variable and (except `config`
/// and `log_json`) a TOML key spelled like the flag with `_`.
#[derive(Parser, Serialize, Deserialize, Debug, Default, Clone)]
#[command(
	name = "aitbc-miner",
	version,
	about = "Runs AITBC inference jobs assigned to this operator on a local inference server."
)]
#[serde(default, deny_unknown_fields)]
pub struct Args {
	/// TOML settings file (keys as the long flags, with `_`: node_url, backend, ...).
	#[arg(long, env = "AITBC_MINER_CONFIG")]
	#[serde(skip)]
	pub config: Option<PathBuf>,
	/// Node RPC URL; several (the flag repeated, or comma-separated) to fail over to the next
	/// when the node is lost [default: ws://127.0.0.1:9944]. In the file: one string or a list.
	#[arg(long, env = "AITBC_MINER_NODE_URL", value_delimiter = ',')]
	#[serde(deserialize_with = "one_or_many")]
	pub node_url: Option<Vec<String>>,
	/// File holding the operator's secret URI or mnemonic (first line).
	#[arg(long, env = "AITBC_MINER_KEY_FILE")]
	pub key_file: Option<PathBuf>,
	/// Backend kind [default: ollama].
	#[arg(long, env = "AITBC_MINER_BACKEND", value_enum)]
	pub backend: Option<BackendKind>,
	/// Backend URL [default: http://127.0.0.1:11434 for ollama, http://127.0.0.1:8080 for openai].
	#[arg(long, env = "AITBC_MINER_BACKEND_URL")]
	pub backend_url: Option<String>,
	/// For `openai`: `chat` (/v1/chat/completions, instruct models) or `completion` (/v1/completions) [default: chat].
	#[arg(long, env = "AITBC_MINER_OPENAI_MODE", value_enum)]
	pub openai_mode: Option<OpenAiMode>,
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
	/// Address of the server of the jobs' live token streams, or `off` [default: 127.0.0.1:0, a
	/// port the system picks, which only readers on this machine reach; a miner serving remote
	/// gateways sets a fixed port and --stream-url].
	#[arg(long, env = "AITBC_MINER_STREAM_ADDR")]
	pub stream_addr: Option<String>,
	/// The stream server's URL as advertised on chain, for clients and gateways to reach it
	/// (e.g. behind a proxy) [default: http://<the bound address>].
	#[arg(long, env = "AITBC_MINER_STREAM_URL")]
	pub stream_url: Option<String>,
	/// Seconds between heartbeats [default: a third of the chain's heartbeat timeout].
	#[arg(long, env = "AITBC_MINER_HEARTBEAT_SECS")]
	pub heartbeat_secs: Option<u64>,
	/// Seconds to finish in-flight jobs after SIGTERM/SIGINT [default: 30].
	#[arg(long, env = "AITBC_MINER_GRACE_SECS")]
	pub grace_secs: Option<u64>,
	/// Deprecated and ignored (a warning says so): the block time is read from the chain
	/// (`Jobs.MillisPerBlock`).
	#[arg(long, env = "AITBC_MINER_BLOCK_MS")]
	pub block_ms: Option<u64>,
	/// Log as JSON lines.
	#[arg(long, env = "AITBC_MINER_LOG_JSON")]
	#[serde(skip)]
	pub log_json: bool,
}

/// The inference server's protocol: the `backend` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum, Serialize, Deserialize)]
#[value(rename_all = "lower")]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
	/// Ollama's API.
	#[default]
	Ollama,
	/// An OpenAI-compatible server (llama.cpp server, vLLM).
	OpenAi,
}

/// The environment variable that may hold the operator's secret URI instead of a key file.
pub const KEY_ENV: &str = "AITBC_MINER_KEY";

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
	/// Node RPC URLs, in the order tried (never empty): the miner connects to the first that
	/// answers and, when it loses that node, fails over to the next.
	pub node_urls: Vec<String>,
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
	/// The stream server's address, if enabled (port 0: the system picks one).
	pub stream_addr: Option<SocketAddr>,
	/// The stream server's URL to advertise, if set (else `http://` and the bound address).
	pub stream_url: Option<String>,
	/// Heartbeat interval, if set (else derived from the chain).
	pub heartbeat: Option<Duration>,
	/// Shutdown grace period.
	pub grace: Duration,
	/// The deprecated `block_ms`, when set: ignored (the chain's block time is used) and warned
	/// about once connected.
	pub deprecated_block_ms: Option<u64>,
}

/// The longest stream URL the chain stores, bytes (the runtime's `Miners.MaxEndpointLen`).
pub const MAX_STREAM_URL_LEN: usize = 256;

/// Why `url` is not a stream URL the chain takes (`http://` or `https://`, a host, printable
/// ASCII without spaces, at most [`MAX_STREAM_URL_LEN`] bytes), if it is not.
pub fn stream_url_problem(url: &str) -> Option<String> {
	let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
	if rest.is_none() {
		return Some(format!("stream_url `{url}` must start with http:// or https://"));
	}
	if rest.is_some_and(|rest| rest.is_empty() || rest.starts_with('/')) {
		return Some(format!("stream_url `{url}` names no host"));
	}
	if !url.bytes().all(|b| b.is_ascii_graphic()) {
		return Some(format!(
			"stream_url `{}` must be printable ASCII without spaces",
			url.escape_default()
		));
	}
	if url.len() > MAX_STREAM_URL_LEN {
		return Some(format!(
			"stream_url is {} bytes, longer than the chain's {MAX_STREAM_URL_LEN}",
			url.len()
		));
	}
	None
}

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `::1`, `localhost`), which only
/// readers on the miner's machine reach.
pub fn stream_url_is_loopback(url: &str) -> bool {
	let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")).unwrap_or(url);
	let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
	let host_port = authority.rsplit_once('@').map_or(authority, |(_, host_port)| host_port);
	let host = match host_port.strip_prefix('[') {
		Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
		None => host_port.split(':').next().unwrap_or_default(),
	};
	let host = host.trim_end_matches('.');
	match host.parse::<std::net::IpAddr>() {
		Ok(ip) => ip.to_canonical().is_loopback(),
		Err(_) => {
			let host = host.to_ascii_lowercase();
			host == "localhost" || host.ends_with(".localhost")
		}
	}
}

/// A settings error: one line saying what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

/// A setting given as one string or a list of strings (`node_url`).
fn one_or_many<'de, D: Deserializer<'de>>(
	deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
	struct Visitor;
	impl<'de> serde::de::Visitor<'de> for Visitor {
		type Value = Option<Vec<String>>;

		fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
			f.write_str("a URL or a list of URLs")
		}

		fn visit_none<E>(self) -> Result<Self::Value, E> {
			Ok(None)
		}

		fn visit_unit<E>(self) -> Result<Self::Value, E> {
			Ok(None)
		}

		fn visit_str<E>(self, one: &str) -> Result<Self::Value, E> {
			Ok(Some(vec![one.to_string()]))
		}

		fn visit_seq<A: serde::de::SeqAccess<'de>>(
			self,
			mut seq: A,
		) -> Result<Self::Value, A::Error> {
			let mut many = Vec::new();
			while let Some(one) = seq.next_element::<String>()? {
				many.push(one);
			}
			Ok(Some(many))
		}
	}
	deserializer.deserialize_any(Visitor)
}

impl Args {
	/// The TOML file `path`, read into the same settings.
	pub fn from_file(path: &std::path::Path) -> Result<Args, SettingsError> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| SettingsError(format!("cannot read {}: {e}", path.display())))?;
		toml::from_str(&text)
			.map_err(|e| SettingsError(format!("{}: {}", path.display(), e.message())))
	}

	/// These settings over `file`'s: each one given here (a flag or its environment variable)
	/// wins, each one left out takes the file's value. One generic fold for every setting: both
	/// are written as JSON objects and overlaid key by key.
	pub fn over(self, file: Args) -> Result<Args, SettingsError> {
		fn object(
			args: &Args,
		) -> Result<serde_json::Map<String, serde_json::Value>, SettingsError> {
			match serde_json::to_value(args) {
				Ok(serde_json::Value::Object(map)) => Ok(map),
				Ok(_) => Err(SettingsError("settings are not a table".into())),
				Err(e) => Err(SettingsError(format!("cannot merge the settings: {e}"))),
			}
		}
		let mut merged = object(&file)?;
		for (key, value) in object(&self)? {
			if !value.is_null() {
				merged.insert(key, value);
			}
		}
		let merged: Args = serde_json::from_value(serde_json::Value::Object(merged))
			.map_err(|e| SettingsError(format!("cannot merge the settings: {e}")))?;
		Ok(Args { config: self.config, log_json: self.log_json, ..merged })
	}
}

impl Settings {
	/// Flags and environment over the TOML file over defaults; the key from `--key-file` or
	/// `AITBC_MINER_KEY`.
	pub fn load(args: Args) -> Result<Self, SettingsError> {
		let args = match &args.config {
			Some(path) => {
				let file = Args::from_file(path)?;
				args.over(file)?
			}
			None => args,
		};
		let key = match (&args.key_file, std::env::var(KEY_ENV).ok()) {
			(Some(path), _) => Key::from_file(path),
			(None, Some(uri)) => Key::from_uri(&uri),
			(None, None) => {
				return Err(SettingsError(format!(
					"no operator key: pass --key-file FILE or set {KEY_ENV} to the operator's secret URI"
				)))
			}
		}
		.map_err(|e| SettingsError(e.to_string()))?;
		Self::build(args, key)
	}

	fn build(args: Args, key: Key) -> Result<Self, SettingsError> {
		// Limits the chain enforces, from the committed runtime metadata (no connection yet).
		let chain = Constants::offline();
		let node_urls = args.node_url.unwrap_or_else(|| vec!["ws://127.0.0.1:9944".into()]);
		let node_urls = Connect::any(node_urls)
			.map_err(|e| SettingsError(format!("node_url: {e}")))?
			.urls()
			.to_vec();
		let backend_url = args.backend_url.as_deref();
		let backend = match args.backend.unwrap_or_default() {
			BackendKind::Ollama => {
				Backend::Ollama(Ollama::new(backend_url.unwrap_or("http://127.0.0.1:11434")))
			}
			BackendKind::OpenAi => Backend::OpenAi(OpenAi::new(
				backend_url.unwrap_or("http://127.0.0.1:8080"),
				args.openai_mode.unwrap_or_default(),
			)),
		};
		if !backend.url().starts_with("http://") {
			return Err(SettingsError(format!(
				"backend_url `{}` must start with http://",
				backend.url()
			)));
		}
		let models: Vec<String> = args
			.models
			.unwrap_or_default()
			.into_iter()
			.map(|s| s.trim().to_string())
			.filter(|s| !s.is_empty())
			.collect();
		let max_model_id_len = chain.max_model_id_len as usize;
		if let Some(long) = models.iter().find(|m| m.len() > max_model_id_len) {
			return Err(SettingsError(format!(
				"model id `{long}` is longer than {max_model_id_len} bytes"
			)));
		}
		let unit_price =
			aitbc_client::units::parse_ait(args.price.as_deref().unwrap_or("0.000001"))
				.map_err(|e| SettingsError(format!("price: {e}")))?;
		let capacity = args.capacity.unwrap_or(1);
		if capacity == 0 || capacity > chain.max_capacity {
			return Err(SettingsError(format!(
				"capacity {capacity} is not within 1..={}",
				chain.max_capacity
			)));
		}
		let metrics = match args.metrics.as_deref().unwrap_or("127.0.0.1:9616") {
			"off" | "none" | "" => None,
			addr => Some(addr.parse().map_err(|_| {
				SettingsError(format!(
					"metrics `{addr}` is not an address like 127.0.0.1:9616 (or `off`)"
				))
			})?),
		};
		let stream_addr = match args.stream_addr.as_deref().unwrap_or("127.0.0.1:0") {
			"off" | "none" | "" => None,
			addr => Some(addr.parse().map_err(|_| {
				SettingsError(format!(
					"stream_addr `{addr}` is not an address like 127.0.0.1:0 (or `off`)"
				))
			})?),
		};
		let stream_url = args.stream_url.map(|url| url.trim().to_string());
		if let Some(url) = &stream_url {
			if let Some(problem) = stream_url_problem(url) {
				return Err(SettingsError(problem));
			}
			if stream_addr.is_none() {
				return Err(SettingsError(
					"stream_url is set but stream_addr is `off`: there is no stream server to advertise".into(),
				));
			}
		}
		Ok(Settings {
			node_urls,
			key,
			backend,
			models,
			unit_price,
			capacity,
			metrics,
			stream_addr,
			stream_url,
			heartbeat: args.heartbeat_secs.filter(|s| *s > 0).map(Duration::from_secs),
			grace: Duration::from_secs(args.grace_secs.unwrap_or(30)),
			deprecated_block_ms: args.block_ms,
		})
	}
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

	fn with_file(a: Args, dir: &std::path::Path, toml: &str) -> Args {
		let config = dir.join("miner.toml");
		std::fs::write(&config, toml).unwrap();
		Args { config: Some(config), ..with_key(a, dir) }
	}

	#[test]
	fn defaults_and_file_under_flags() {
		let dir = tempdir("file");
		let mut a =
			with_file(args(), &dir, "backend = \"openai\"\ncapacity = 4\nmodels = [\"smollm2\"]\n");
		a.capacity = Some(2);
		let s = Settings::load(a).unwrap();
		assert_eq!(s.capacity, 2, "the flag wins over the file");
		assert_eq!(s.models, vec!["smollm2".to_string()]);
		assert_eq!(s.backend.url(), "http://127.0.0.1:8080");
		assert_eq!(s.node_urls, ["ws://127.0.0.1:9944"]);
		assert_eq!(s.unit_price, 1_000_000);
		assert!(s.metrics.is_none());
		assert_eq!(s.stream_addr, Some("127.0.0.1:0".parse().unwrap()), "a port the system picks");
		assert_eq!(s.stream_url, None);
		assert_eq!(s.deprecated_block_ms, None);
	}

	#[test]
	fn every_flag_is_a_file_key_with_the_same_values() {
		let dir = tempdir("all");
		let file = "node_url = \"wss://node.example:443\"\n\
			backend = \"openai\"\n\
			backend_url = \"http://127.0.0.1:8000\"\n\
			openai_mode = \"completion\"\n\
			models = [\"a\", \" b \"]\n\
			price = \"0.5\"\n\
			capacity = 3\n\
			metrics = \"127.0.0.1:9700\"\n\
			stream_addr = \"0.0.0.0:8090\"\n\
			stream_url = \"https://miner.example/aitbc\"\n\
			heartbeat_secs = 7\n\
			grace_secs = 9\n\
			block_ms = 6000\n";
		let from_file = Settings::load(with_file(Args::default(), &dir, file)).unwrap();
		let flags = Args::try_parse_from([
			"aitbc-miner",
			"--node-url",
			"wss://node.example:443",
			"--backend",
			"openai",
			"--backend-url",
			"http://127.0.0.1:8000",
			"--openai-mode",
			"completion",
			"--models",
			"a, b ",
			"--price",
			"0.5",
			"--capacity",
			"3",
			"--metrics",
			"127.0.0.1:9700",
			"--stream-addr",
			"0.0.0.0:8090",
			"--stream-url",
			"https://miner.example/aitbc",
			"--heartbeat-secs",
			"7",
			"--grace-secs",
			"9",
			"--block-ms",
			"6000",
		])
		.unwrap();
		let from_flags = Settings::load(with_key(flags, &dir)).unwrap();
		for s in [from_file, from_flags] {
			assert_eq!(s.node_urls, ["wss://node.example:443"]);
			assert!(
				matches!(&s.backend, Backend::OpenAi(_))
					&& s.backend.url() == "http://127.0.0.1:8000"
			);
			assert_eq!(s.models, vec!["a".to_string(), "b".to_string()]);
			assert_eq!(s.unit_price, 500_000_000_000);
			assert_eq!(s.capacity, 3);
			assert_eq!(s.metrics, Some("127.0.0.1:9700".parse().unwrap()));
			assert_eq!(s.stream_addr, Some("0.0.0.0:8090".parse().unwrap()));
			assert_eq!(s.stream_url.as_deref(), Some("https://miner.example/aitbc"));
			assert_eq!(s.heartbeat, Some(Duration::from_secs(7)));
			assert_eq!(s.grace, Duration::from_secs(9));
			assert_eq!(s.deprecated_block_ms, Some(6000), "accepted, to be warned about");
		}
	}

	#[test]
	fn bad_values_are_one_line_errors() {
		let dir = tempdir("bad");
		for (change, expected) in [
			(Args { capacity: Some(0), ..args() }, "capacity 0"),
			(Args { capacity: Some(65), ..args() }, "capacity 65"),
			(Args { node_url: Some(vec!["http://x".into()]), ..args() }, "ws://"),
			(Args { node_url: Some(vec![]), ..args() }, "no node URL"),
			(Args { metrics: Some("nowhere".into()), ..args() }, "metrics"),
			(Args { price: Some("cheap".into()), ..args() }, "price"),
			(Args { stream_addr: Some("somewhere".into()), ..args() }, "stream_addr"),
			(Args { stream_url: Some("ftp://m".into()), ..args() }, "http:// or https://"),
			(Args { stream_url: Some("http://".into()), ..args() }, "names no host"),
			(Args { stream_url: Some("http://a b".into()), ..args() }, "printable ASCII"),
			(Args { stream_url: Some("http://m\n:1".into()), ..args() }, "printable ASCII"),
			(
				Args { stream_url: Some(format!("http://{}", "m".repeat(250))), ..args() },
				"longer than the chain's 256",
			),
			(
				Args {
					stream_addr: Some("off".into()),
					stream_url: Some("http://m:1".into()),
					..args()
				},
				"stream_addr is `off`",
			),
			(Args { models: Some(vec!["m".repeat(65)]), ..args() }, "longer than 64 bytes"),
		] {
			let err = Settings::load(with_key(change, &dir)).unwrap_err().to_string();
			assert!(err.contains(expected), "{err}");
			assert!(!err.contains('\n'));
		}
	}

	#[test]
	fn several_node_urls_from_flags_or_file_in_order() {
		let dir = tempdir("urls");
		let both = ["ws://a:9944", "wss://b.example"];
		for flags in [
			vec!["--node-url", "ws://a:9944", "--node-url", "wss://b.example"],
			vec!["--node-url", "ws://a:9944,wss://b.example"],
			vec!["--node-url", "ws://a:9944, wss://b.example,ws://a:9944"],
		] {
			let flags = Args::try_parse_from(["aitbc-miner"].into_iter().chain(flags)).unwrap();
			let s = Settings::load(with_key(Args { metrics: Some("off".into()), ..flags }, &dir));
			assert_eq!(s.unwrap().node_urls, both);
		}
		let file = "node_url = [\"ws://a:9944\", \"wss://b.example\"]\n";
		assert_eq!(Settings::load(with_file(args(), &dir, file)).unwrap().node_urls, both);
		let one = "node_url = \"wss://b.example\"\n";
		assert_eq!(
			Settings::load(with_file(args(), &dir, one)).unwrap().node_urls,
			["wss://b.example"]
		);
		// A flag replaces the file's list, it does not add to it.
		let flag = Args { node_url: Some(vec!["ws://c".into()]), ..args() };
		assert_eq!(Settings::load(with_file(flag, &dir, file)).unwrap().node_urls, ["ws://c"]);
	}

	#[test]
	fn bad_node_urls_are_one_line_errors() {
		let dir = tempdir("bad-urls");
		for (file, expected) in [
			("node_url = []\n", "no node URL"),
			("node_url = 5\n", "a URL or a list of URLs"),
			("node_url = [\"ws://a\", \"http://b\"]\n", "`http://b` is not a node URL"),
			("node_url = \"ws://\"\n", "names no host"),
		] {
			let err = Settings::load(with_file(args(), &dir, file)).unwrap_err().to_string();
			assert!(err.contains(expected), "{err}");
			assert!(!err.contains('\n'), "{err}");
		}
		let flags =
			Args::try_parse_from(["aitbc-miner", "--node-url", "ws://a,https://b"]).unwrap();
		let err = Settings::load(with_key(Args { metrics: Some("off".into()), ..flags }, &dir))
			.unwrap_err()
			.to_string();
		assert!(err.starts_with("node_url: `https://b` is not a node URL"), "{err}");
	}

	#[test]
	fn enum_settings_accept_only_their_names() {
		let dir = tempdir("enums");
		for (file, expected) in [
			("backend = \"tgi\"\n", "tgi"),
			("openai_mode = \"chatty\"\n", "chatty"),
			("capacity = \"two\"\n", "two"),
		] {
			let err = Settings::load(with_file(args(), &dir, file)).unwrap_err().to_string();
			assert!(err.contains(expected), "{err}");
			assert!(!err.contains('\n'), "{err}");
		}
		for flags in [["--backend", "tgi"], ["--openai-mode", "chatty"]] {
			let err = Args::try_parse_from(["aitbc-miner", flags[0], flags[1]]).unwrap_err();
			assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue, "{err}");
		}
		let a = Args::try_parse_from(["aitbc-miner", "--backend", "openai"]).unwrap();
		assert_eq!(a.backend, Some(BackendKind::OpenAi));
	}

	#[test]
	fn unknown_file_key_is_refused() {
		let dir = tempdir("unknown");
		let err = Settings::load(with_file(args(), &dir, "bakend = \"ollama\"\n"))
			.unwrap_err()
			.to_string();
		assert!(err.contains("bakend"), "{err}");
	}

	#[test]
	fn a_loopback_stream_url_is_told_apart() {
		for url in [
			"http://127.0.0.1:41235",
			"http://127.1.2.3",
			"https://localhost:8090/aitbc",
			"http://LOCALHOST.",
			"http://miner.localhost:1",
			"http://[::1]:8090",
			"http://[::ffff:127.0.0.1]:1/x",
			"http://user@127.0.0.1:1",
		] {
			assert!(stream_url_is_loopback(url), "{url}");
		}
		for url in [
			"http://10.0.0.5:8090",
			"https://miner.example/aitbc",
			"http://0.0.0.0:8090",
			"http://[2001:db8::1]:8090",
			"http://localhost.example:1",
			"http://127.0.0.1.example",
		] {
			assert!(!stream_url_is_loopback(url), "{url}");
		}
	}
}
