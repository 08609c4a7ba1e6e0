//! End to end: several `aitbc submit` processes started at once from one account, as a new user
//! would run the seeds' stress test (`aitbc submit ... &` five times). Each process reads the
//! same next nonce; the pool takes one transaction per nonce and refuses the others ("priority
//! is too low"), so the client re-reads the nonce and signs again until its transaction is in.

use std::{process::Command, time::Duration};

use aitbc_e2e::harness::{bin, wait_until, Node, TempDir};
use serde_json::Value;

const PROCESSES: usize = 6;

#[test]
fn submissions_from_one_account_in_parallel_processes_all_succeed() {
	let dir = TempDir::new("e2e-concurrent");
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	wait_until(Duration::from_secs(60), "block 1", || node.best_number().ok().filter(|n| *n >= 1))
		.expect("the chain produces blocks");
	let url = node.ws_url();
	let children: Vec<_> = (0..PROCESSES)
		.map(|i| {
			Command::new(bin("aitbc"))
				.args(["--url", &url, "--dev", "--json", "--account", "alice"])
				.args([
					"submit",
					"inference",
					"--model",
					"llama3.2:latest",
					"--max-tokens",
					"8",
					"--max-price",
					"1",
				])
				.args(["--prompt", &format!("question {i}")])
				.stdout(std::process::Stdio::piped())
				.stderr(std::process::Stdio::piped())
				.spawn()
				.expect("start aitbc")
		})
		.collect();
	let mut ids = Vec::new();
	for child in children {
		let output = child.wait_with_output().expect("aitbc runs");
		let stdout = String::from_utf8_lossy(&output.stdout);
		assert!(
			output.status.success(),
			"a parallel submission failed: {stdout}{}",
			String::from_utf8_lossy(&output.stderr)
		);
		let json: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
			.unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
		ids.push(json["job_id"].as_u64().unwrap_or_else(|| panic!("no job id: {json}")));
	}
	ids.sort_unstable();
	ids.dedup();
	assert_eq!(ids.len(), PROCESSES, "every process got its own job: {ids:?}");
}
