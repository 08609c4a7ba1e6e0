//! Start the project's binaries (`aitbc-node`, `aitbc-miner`, `aitbc`) on loopback ports with
//! temporary directories, and talk to the node over JSON-RPC (plain HTTP, no client library).

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

/// A binary of the workspace, from the profile directory the running test was built in
/// (`<target>/release/deps/<test>` → `<target>/release/<name>`).
pub fn bin(name: &str) -> PathBuf {
	let exe = std::env::current_exe().expect("the test's own path");
	let mut dir = exe.parent().expect("the test's directory").to_path_buf();
	if dir.ends_with("deps") {
		dir.pop();
	}
	let path = dir.join(name);
	assert!(
		path.exists(),
		"{} is missing: build the workspace first (scripts/test does)",
		path.display()
	);
	path
}

/// The node binary.
pub fn node_bin() -> PathBuf {
	bin("aitbc-node")
}

/// The repository root: the parent of the running test's package (cargo sets
/// `CARGO_MANIFEST_DIR` when it runs a test; the build-time value is the fallback, and may name
/// another checkout that shared the target directory).
pub fn repo_root() -> PathBuf {
	let package = std::env::var_os("CARGO_MANIFEST_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
	package.join("..")
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
		Self::start_on(args, log_dir, free_port(), free_port())
	}

	/// Starts `aitbc-node` with `args` on the given RPC and P2P ports (to restart a node where
	/// its clients expect it). The log is appended to.
	pub fn start_on(args: &[&str], log_dir: &Path, rpc_port: u16, p2p_port: u16) -> Node {
		let prometheus_port = free_port();
		std::fs::create_dir_all(log_dir).expect("create the log directory");
		let log = log_dir.join("node.log");
		let log_file = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&log)
			.expect("open the node log");
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

	/// `ws://127.0.0.1:<rpc port>`.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// Stops the node (SIGKILL) and waits for it.
	pub fn stop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
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
	let mut raw = Vec::new();
	stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
	let response = String::from_utf8_lossy(&raw).into_owned();
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

/// A running process of the workspace, killed when dropped; stdout and stderr go to a log.
pub struct Process {
	pub child: Child,
	pub log: PathBuf,
	name: String,
}

impl Process {
	/// Starts binary `name` with `args` and extra environment, logging to `<log_dir>/<tag>.log`
	/// (appended, so a restarted process keeps one log).
	pub fn start(
		name: &str,
		tag: &str,
		args: &[String],
		env: &[(&str, String)],
		log_dir: &Path,
	) -> Process {
		std::fs::create_dir_all(log_dir).expect("create the log directory");
		let log = log_dir.join(format!("{tag}.log"));
		let file =
			std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("open a log");
		let err = file.try_clone().expect("clone a log handle");
		let mut command = Command::new(bin(name));
		command.args(args).stdout(file).stderr(err);
		for (key, value) in env {
			command.env(key, value);
		}
		let child = command.spawn().unwrap_or_else(|e| panic!("start {name}: {e}"));
		Process { child, log, name: tag.to_string() }
	}

	/// Whether it has exited.
	pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
		self.child.try_wait().ok().flatten()
	}

	/// SIGKILL.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// SIGTERM (graceful), then waits up to `timeout` for the exit.
	pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
		let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
		let deadline = Instant::now() + timeout;
		while Instant::now() < deadline {
			if let Some(status) = self.exited() {
				return Some(status);
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		None
	}

	/// The whole log.
	pub fn log_text(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// The last lines of the log.
	pub fn log_tail(&self) -> String {
		let log = self.log_text();
		let lines: Vec<&str> = log.lines().collect();
		let from = lines.len().saturating_sub(40);
		format!(
			"--- last lines of {} ({}) ---\n{}",
			self.log.display(),
			self.name,
			lines[from..].join("\n")
		)
	}
}

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// A fresh temporary directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
	pub fn new(name: &str) -> TempDir {
		static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
		let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
		let dir = std::env::temp_dir().join(format!("aitbc-{name}-{}-{n}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).expect("create a temporary directory");
		TempDir(dir)
	}
}

impl TempDir {
	/// The path.
	pub fn path(&self) -> &Path {
		&self.0
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		// Keep the logs of a failed test for the reader.
		if !std::thread::panicking() {
			let _ = std::fs::remove_dir_all(&self.0);
		}
	}
}
