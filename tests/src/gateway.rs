//! Driving the real `aitbc-gateway` binary: API keys made by its admin command, the server on
//! a loopback port, plain HTTP/1.1 requests to it (no client library), and the official
//! `openai` Python client (installed by `scripts/setup-llama`) through `tests/gateway/openai_e2e.py`.

use std::{
	io::{Read, Write},
	net::TcpStream,
	path::{Path, PathBuf},
	process::Command,
	time::Duration,
};

use serde_json::Value;

use crate::harness::{bin, repo_root, wait_until, Process};

/// The keystore password the tests give the gateway.
pub const PASSWORD: &str = "gateway-test-password";

/// A running gateway and its data directory.
pub struct Gateway {
	/// The process.
	pub process: Process,
	/// `http://127.0.0.1:<port>`.
	pub url: String,
	/// Its data directory (API keys, custodial wallets).
	pub data_dir: PathBuf,
}

/// An API key the admin command made, and its custodial account.
#[derive(Clone, Debug)]
pub struct ApiKey {
	/// The secret key, as clients send it.
	pub key: String,
	/// The custodial account's SS58 address.
	pub address: String,
}

/// Runs `aitbc-gateway keys ARGS` on `data_dir`; returns its stdout, panicking on failure.
pub fn admin(data_dir: &Path, args: &[&str]) -> String {
	let output = Command::new(bin("aitbc-gateway"))
		.arg("keys")
		.args(args)
		.args(["--data-dir", data_dir.to_str().expect("utf-8 path")])
		.env("AITBC_GATEWAY_PASSWORD", PASSWORD)
		.output()
		.expect("run aitbc-gateway keys");
	let stdout = String::from_utf8_lossy(&output.stdout).to_string();
	assert!(
		output.status.success(),
		"aitbc-gateway keys {args:?} failed: {stdout}{}",
		String::from_utf8_lossy(&output.stderr)
	);
	stdout
}

/// `aitbc-gateway keys create --name NAME EXTRA... --json`: the key and its account.
pub fn create_key(data_dir: &Path, name: &str, extra: &[&str]) -> ApiKey {
	let mut args = vec!["create", "--name", name, "--json"];
	args.extend(extra);
	let out = admin(data_dir, &args);
	let json: Value = out
		.lines()
		.rev()
		.find_map(|line| serde_json::from_str(line).ok())
		.unwrap_or_else(|| panic!("no JSON from keys create: {out}"));
	ApiKey {
		key: json["api_key"].as_str().expect("api_key").to_string(),
		address: json["address"].as_str().expect("address").to_string(),
	}
}

impl Gateway {
	/// Starts `aitbc-gateway serve` on an OS-chosen loopback port against the node at `node_url`,
	/// and waits for its `listening on http://ADDR` line.
	pub fn start(node_url: &str, data_dir: &Path, log_dir: &Path, tag: &str) -> Gateway {
		let args: Vec<String> = [
			"serve",
			"--listen",
			"127.0.0.1:0",
			"--url",
			node_url,
			"--data-dir",
			data_dir.to_str().expect("utf-8 path"),
			"--grace-secs",
			"5",
			// The test miners serve their streams on 127.0.0.1.
			"--allow-private-miner-endpoints",
		]
		.iter()
		.map(|s| s.to_string())
		.collect();
		let mut process = Process::start(
			"aitbc-gateway",
			tag,
			&args,
			&[("AITBC_GATEWAY_PASSWORD", PASSWORD.to_string()), ("RUST_LOG", "info".to_string())],
			log_dir,
		);
		let url = wait_until(Duration::from_secs(60), "the gateway to listen", || {
			if process.exited().is_some() {
				return Some(None);
			}
			let log = process.log_text();
			let at = log.find("listening on http://")?;
			let rest = &log[at + "listening on ".len()..];
			let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
			Some(Some(rest[..end].to_string()))
		})
		.ok()
		.flatten()
		.unwrap_or_else(|| panic!("the gateway did not start\n{}", process.log_tail()));
		Gateway { process, url, data_dir: data_dir.to_path_buf() }
	}

	/// One request with `key` (as `X-Api-Key`, if any) and an optional JSON body.
	pub fn request(
		&self,
		method: &str,
		path: &str,
		key: Option<&str>,
		body: Option<&Value>,
	) -> Reply {
		http(
			&self.url,
			method,
			path,
			&key.map(|k| ("X-Api-Key", k.to_string())).into_iter().collect::<Vec<_>>(),
			body,
		)
	}
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
	/// Status code.
	pub status: u16,
	/// Header lines, lower-cased names.
	pub headers: Vec<(String, String)>,
	/// The body parsed as JSON (Null if it is not JSON).
	pub json: Value,
	/// The raw body.
	pub body: String,
}

impl Reply {
	/// A header's value.
	pub fn header(&self, name: &str) -> Option<&str> {
		self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
	}
}

/// One HTTP/1.1 request to `base` (`http://host:port`) with `Connection: close`; reads the whole
/// response (a stream until its server ends it).
pub fn http(
	base: &str,
	method: &str,
	path: &str,
	headers: &[(&str, String)],
	body: Option<&Value>,
) -> Reply {
	let host = base.trim_start_matches("http://").trim_end_matches('/');
	let host = host.split('/').next().unwrap_or(host);
	let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
	stream.set_read_timeout(Some(Duration::from_secs(180))).expect("timeout");
	let body = body.map(Value::to_string).unwrap_or_default();
	let mut request = format!(
		"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
		body.len()
	);
	if !body.is_empty() {
		request.push_str("Content-Type: application/json\r\n");
	}
	for (name, value) in headers {
		request.push_str(&format!("{name}: {value}\r\n"));
	}
	request.push_str("\r\n");
	request.push_str(&body);
	stream.write_all(request.as_bytes()).expect("send the request");
	let mut raw = Vec::new();
	let _ = stream.read_to_end(&mut raw);
	parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
	let text = String::from_utf8_lossy(raw).to_string();
	let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
	let mut lines = head.lines();
	let status = lines
		.next()
		.and_then(|l| l.split_whitespace().nth(1))
		.and_then(|s| s.parse().ok())
		.unwrap_or(0);
	let headers: Vec<(String, String)> = lines
		.filter_map(|l| l.split_once(':'))
		.map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
		.collect();
	let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
	let body = if chunked { dechunk(body) } else { body.to_string() };
	let json = serde_json::from_str(&body).unwrap_or(Value::Null);
	Reply { status, headers, json, body }
}

/// The payload of a chunked body.
fn dechunk(mut body: &str) -> String {
	let mut out = String::new();
	while let Some((size, rest)) = body.split_once("\r\n") {
		let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
		if size == 0 || rest.len() < size {
			break;
		}
		out.push_str(&rest[..size]);
		body = rest[size..].trim_start_matches("\r\n");
	}
	out
}

/// Runs `tests/gateway/openai_e2e.py MODE` with the official `openai` client against the gateway;
/// returns the JSON object it prints.
pub fn openai(gateway: &Gateway, key: &ApiKey, model: &str, mode: &str) -> Value {
	let python =
		std::env::var("AITBC_LLAMA_PYTHON").unwrap_or_else(|_| {
			panic!("AITBC_LLAMA_PYTHON is not set: run `source scripts/setup-llama` (scripts/test does)")
		});
	let script = repo_root().join("tests/gateway/openai_e2e.py");
	let output = Command::new(python)
		.arg(script)
		.arg(mode)
		.env("AITBC_GATEWAY_URL", &gateway.url)
		.env("AITBC_GATEWAY_KEY", &key.key)
		.env("AITBC_MODEL", model)
		.output()
		.expect("run python");
	let stdout = String::from_utf8_lossy(&output.stdout).to_string();
	assert!(
		output.status.success(),
		"openai_e2e.py {mode} failed: {stdout}{}\n{}",
		String::from_utf8_lossy(&output.stderr),
		gateway.process.log_tail()
	);
	stdout
		.lines()
		.rev()
		.find_map(|line| serde_json::from_str(line).ok())
		.unwrap_or_else(|| panic!("no JSON from openai_e2e.py {mode}: {stdout}"))
}
