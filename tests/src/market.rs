//! Driving the marketplace through the real `aitbc` and `aitbc-miner` binaries.

use std::{path::Path, process::Command, time::Duration};

use serde_json::Value;

use crate::harness::{bin, wait_until, Process};

/// What one `aitbc --json` run gave.
#[derive(Debug)]
pub struct CliRun {
	/// Exit code.
	pub code: i32,
	/// The JSON object on stdout (Null if none).
	pub json: Value,
	/// Human stdout when not `--json`.
	pub stdout: String,
	/// stderr.
	pub stderr: String,
}

/// Runs `aitbc --url <url> --dev --json <args>` and parses its one JSON object.
pub fn cli(url: &str, args: &[&str]) -> CliRun {
	let output = Command::new(bin("aitbc"))
		.args(["--url", url, "--dev", "--json"])
		.args(args)
		.output()
		.expect("run aitbc");
	let stdout = String::from_utf8_lossy(&output.stdout).to_string();
	let json =
		stdout.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
	CliRun {
		code: output.status.code().unwrap_or(-1),
		json,
		stdout,
		stderr: String::from_utf8_lossy(&output.stderr).to_string(),
	}
}

/// Runs `aitbc` and panics unless it exits 0; returns its JSON.
pub fn cli_ok(url: &str, args: &[&str]) -> Value {
	let run = cli(url, args);
	assert_eq!(run.code, 0, "aitbc {args:?} failed: {}{}", run.stdout, run.stderr);
	run.json
}

/// The SS58 address of a dev account (`alice`, `//Charlie`).
pub fn address(url: &str, dev: &str) -> String {
	// `wallet balance` resolves dev names without a wallet and prints the address.
	cli_ok(url, &["wallet", "balance", dev])["address"].as_str().unwrap_or_default().to_string()
}

/// Free balance (smallest unit) of a dev account or address.
pub fn free(url: &str, who: &str) -> u128 {
	let json = cli_ok(url, &["wallet", "balance", who]);
	json["free"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// The treasury's account (`PalletId(*b"aitbc/tr")`) as 0x-hex.
pub fn treasury() -> String {
	let mut raw = b"modlaitbc/tr".to_vec();
	raw.resize(32, 0);
	format!("0x{}", raw.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Registers a miner owned by dev account `owner`, run by dev key `operator` (a `//Name` URI,
/// which signs the operator's proof of possession).
pub fn register(url: &str, owner: &str, operator: &str, models: &str, capacity: u32) {
	cli_ok(
		url,
		&[
			"--account",
			owner,
			"miner",
			"register",
			"--operator-key",
			operator,
			"--models",
			models,
			"--price",
			"0.000001",
			"--capacity",
			&capacity.to_string(),
			"--stake",
			"2000",
		],
	);
}

/// Starts `aitbc-miner` for dev `operator` (a `//Name` URI) against a backend.
pub fn start_miner(
	url: &str,
	operator: &str,
	backend: &str,
	backend_url: &str,
	log_dir: &Path,
	tag: &str,
) -> Process {
	start_miner_with(url, operator, backend, backend_url, log_dir, tag, &[])
}

/// The same with `extra` arguments (e.g. `--heartbeat-secs 4`).
pub fn start_miner_with(
	url: &str,
	operator: &str,
	backend: &str,
	backend_url: &str,
	log_dir: &Path,
	tag: &str,
	extra: &[&str],
) -> Process {
	let args: Vec<String> = [
		"--node-url",
		url,
		"--backend",
		backend,
		"--backend-url",
		backend_url,
		"--metrics",
		"off",
		"--grace-secs",
		"5",
	]
	.iter()
	.chain(extra)
	.map(|s| s.to_string())
	.collect();
	let mut miner = Process::start(
		"aitbc-miner",
		tag,
		&args,
		&[("AITBC_MINER_KEY", operator.to_string()), ("RUST_LOG", "info".to_string())],
		log_dir,
	);
	let ready = wait_until(Duration::from_secs(60), "the miner to follow blocks", || {
		if miner.exited().is_some() {
			return Some(false);
		}
		miner.log_text().contains("registered miner").then_some(true)
	});
	assert_eq!(ready, Ok(true), "miner did not start\n{}", miner.log_tail());
	miner
}

/// The URL the miner advertises for its job streams, from its log line `stream server on ADDR
/// advertised as URL` (the default stream address, `127.0.0.1:0`, is a port the system picks).
pub fn stream_url(miner: &Process) -> Option<String> {
	miner.log_text().lines().rev().find_map(|line| {
		let (_, url) = line.split_once("stream server on ")?.1.split_once(" advertised as ")?;
		Some(url.split_whitespace().next()?.to_string())
	})
}

/// Polls `aitbc status` until `pred` holds for the job JSON.
pub fn wait_job(
	url: &str,
	job_id: u64,
	timeout: Duration,
	what: &str,
	pred: impl Fn(&Value) -> bool,
) -> Value {
	let id = job_id.to_string();
	wait_until(timeout, what, || {
		let run = cli(url, &["status", &id]);
		(run.code == 0 && pred(&run.json["job"])).then(|| run.json["job"].clone())
	})
	.unwrap_or_else(|e| panic!("job {job_id}: {e}; last: {}", cli(url, &["status", &id]).json))
}

/// A decimal string field as a number.
pub fn amount(value: &Value) -> u128 {
	value.as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}
