//! Helpers for the node's integration tests: start `aitbc-node` processes on loopback ports and
//! talk to them over JSON-RPC (plain HTTP, no client library).

#![allow(dead_code)]

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

/// The node binary cargo built for these tests.
pub fn node_bin() -> PathBuf {
	PathBuf::from(env!("CARGO_BIN_EXE_aitbc-node"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A loopback TCP port nobody listens on right now.
pub fn free_port() -> u16 {
	let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
	listener.local_addr().expect("local address").port()
}

/// A running node, killed when dropped. Its log goes to `<dir>/node.log`.
pub struct Node {
	pub child: Child,
	pub rpc_port: u16,
	pub p2p_port: u16,
	pub log: PathBuf,
}

impl Node {
	/// Starts `aitbc-node` with `args` plus loopback RPC/P2P/Prometheus ports.
	pub fn start(args: &[&str], log_dir: &Path) -> Node {
		let rpc_port = free_port();
		let p2p_port = free_port();
		let prometheus_port = free_port();
		std::fs::create_dir_all(log_dir).expect("create the log directory");
		let log = log_dir.join("node.log");
		let log_file = std::fs::File::create(&log).expect("create the node log");
		let child = Command::new(node_bin())
			.args(args)
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--port", &p2p_port.to_string()])
			.args(["--prometheus-port", &prometheus_port.to_string()])
			.args(["--no-mdns", "--no-telemetry"])
			.stdout(Stdio::null())
			.stderr(log_file)
			.spawn()
			.expect("start aitbc-node");
		Node { child, rpc_port, p2p_port, log }
	}

	/// One JSON-RPC call; `Err` when the node does not answer (yet) or answers an error.
	pub fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
		rpc_call(self.rpc_port, method, params)
	}

	/// Polls `rpc` until the node answers, for at most `timeout`; fails at once if the node
	/// exits.
	pub fn wait_ready(&mut self, timeout: Duration) {
		let mut exited = None;
		let ready = wait_until(timeout, "the node's RPC to answer", || {
			if let Ok(Some(status)) = self.child.try_wait() {
				exited = Some(status);
				return Some(false);
			}
			self.rpc("system_health", json!([])).ok().map(|_| true)
		});
		match (ready, exited) {
			(Ok(true), _) => {}
			(_, Some(status)) => panic!("the node exited ({status})\n{}", self.log_tail()),
			(Err(e), _) => panic!("{e}\n{}", self.log_tail()),
			(Ok(false), None) => unreachable!("only an exit stops the wait early"),
		}
	}

	/// The best block number.
	pub fn best_number(&self) -> Result<u64, String> {
		let header = self.rpc("chain_getHeader", json!([]))?;
		hex_number(&header["number"])
	}

	/// The finalized block number.
	pub fn finalized_number(&self) -> Result<u64, String> {
		let hash = self.rpc("chain_getFinalizedHead", json!([]))?;
		let header = self.rpc("chain_getHeader", json!([hash]))?;
		hex_number(&header["number"])
	}

	/// The last lines of the node's log, to explain a failure.
	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		let from = lines.len().saturating_sub(40);
		format!("--- last lines of {} ---\n{}", self.log.display(), lines[from..].join("\n"))
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// Parses a `0x`-prefixed hex number as JSON-RPC returns it.
pub fn hex_number(value: &Value) -> Result<u64, String> {
	let s = value.as_str().ok_or_else(|| format!("not a hex string: {value}"))?;
	u64::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|e| format!("{s}: {e}"))
}

/// A JSON-RPC 2.0 call over HTTP/1.1 to `127.0.0.1:port`.
pub fn rpc_call(port: u16, method: &str, params: Value) -> Result<Value, String> {
	let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
	let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
	stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
	write!(
		stream,
		"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	)
	.map_err(|e| e.to_string())?;
	let mut response = String::new();
	stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
	let (_, payload) =
		response.split_once("\r\n\r\n").ok_or_else(|| format!("bad HTTP response: {response}"))?;
	let reply: Value = serde_json::from_str(payload).map_err(|e| format!("{e}: {payload}"))?;
	if let Some(error) = reply.get("error") {
		return Err(format!("{method}: {error}"));
	}
	Ok(reply["result"].clone())
}

/// Calls `probe` every 250 ms until it returns `Some`, for at most `timeout`.
pub fn wait_until<T>(
	timeout: Duration,
	what: &str,
	mut probe: impl FnMut() -> Option<T>,
) -> Result<T, String> {
	let deadline = Instant::now() + timeout;
	loop {
		if let Some(value) = probe() {
			return Ok(value);
		}
		if Instant::now() >= deadline {
			return Err(format!("timed out after {timeout:?} waiting for {what}"));
		}
		std::thread::sleep(Duration::from_millis(250));
	}
}

/// A fresh temporary directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
	pub fn new(name: &str) -> TempDir {
		let dir = std::env::temp_dir().join(format!(
			"aitbc-{name}-{}-{}",
			std::process::id(),
			Instant::now().elapsed().as_nanos()
		));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).expect("create a temporary directory");
		TempDir(dir)
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}
