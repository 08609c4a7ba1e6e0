//! End to end: the real `aitbc-node`, `aitbc-miner` and `aitbc` binaries on loopback, with the
//! real llama.cpp server or the Ollama-protocol test backend. Every test starts its own dev
//! chain in a temporary directory.

use std::time::Duration;

use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{free_port, wait_until, Node, TempDir},
	llama,
	market::{address, amount, cli, cli_ok, free, register, start_miner, treasury, wait_job},
};

const MODEL: &str = "test-model";

fn dev_node(dir: &TempDir) -> Node {
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	wait_until(Duration::from_secs(60), "block 1", || node.best_number().ok().filter(|n| *n >= 1))
		.expect("the chain produces blocks");
	node
}

fn runtime() -> tokio::runtime::Runtime {
	tokio::runtime::Runtime::new().expect("tokio runtime")
}

fn test_backend(rt: &tokio::runtime::Runtime, mode: Mode, latency_ms: u64) -> TestBackend {
	rt.block_on(TestBackend::start(
		"127.0.0.1:0".parse().unwrap(),
		&[MODEL],
		mode,
		Duration::from_millis(latency_ms),
	))
	.expect("start the test backend")
}

fn submit(url: &str, model: &str, extra: &[&str]) -> u64 {
	let mut args = vec![
		"--account",
		"alice",
		"submit",
		"inference",
		"--prompt",
		"Say hello to the chain",
		"--model",
		model,
		"--max-tokens",
		"16",
	];
	args.extend_from_slice(extra);
	let json = cli_ok(url, &args);
	json["job_id"].as_u64().expect("a job id")
}

/// Scenario 1: Happy path with the real llama.cpp backend: real text, verified receipt, exact balance
/// changes for the client, the miner's owner and the treasury.
#[test]
fn happy_path_with_llama_cpp() {
	let dir = TempDir::new("e2e-happy");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let llama = llama::start(dir.path());
	register(&url, "bob", "//Charlie", llama::MODEL, 1);
	let _miner = start_miner(&url, "//Charlie", "openai", &llama.url, dir.path(), "miner");
	let treasury = treasury();
	let (alice0, bob0, treasury0) = (free(&url, "alice"), free(&url, "bob"), free(&url, &treasury));

	let run = cli(
		&url,
		&[
			"--account",
			"alice",
			"submit",
			"inference",
			"--prompt",
			"Name one planet of the solar system.",
			"--model",
			llama::MODEL,
			"--max-tokens",
			"24",
			"--temperature",
			"0",
			"--seed",
			"7",
			"--wait",
		],
	);
	assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
	let json = run.json;
	assert_eq!(json["status"], "completed", "{json}");
	let text = json["result"].as_str().unwrap();
	assert!(!text.trim().is_empty(), "real generated text");
	let receipt = &json["receipt"];
	assert_eq!(receipt["verified"], true);
	let output_tokens = receipt["usage"]["outputTokens"].as_u64().unwrap();
	assert!(output_tokens > 0 && output_tokens <= 24, "real token count: {output_tokens}");
	assert!(receipt["usage"]["promptTokens"].as_u64().unwrap() > 5);

	let price = amount(&json["payment"]["price"]);
	let fee = amount(&json["payment"]["fee"]);
	let tx_fee = amount(&json["payment"]["tx_fee"]);
	assert_eq!(price, u128::from(output_tokens) * 1_000_000, "price = tokens × unit price");
	assert_eq!(fee, price * 2 / 100, "2% protocol fee");
	assert!(tx_fee > 0);
	assert_eq!(free(&url, "alice"), alice0 - price - tx_fee, "client pays price + transaction fee");
	assert_eq!(free(&url, "bob"), bob0 + price - fee, "owner gets price − protocol fee");
	assert_eq!(free(&url, &treasury), treasury0 + fee, "treasury gets the protocol fee");

	let verify = cli_ok(&url, &["receipts", "verify", &receipt["id"].to_string()]);
	assert_eq!(verify["valid"], true);
	assert_eq!(verify["output_matches"], true);
}

/// Scenario 2 (and the miner's failure drills). Backend 500, malformed JSON, a hang past the deadline and
/// an unknown model: each job fails on chain with a reason and the client is refunded in full.
#[test]
fn backend_failures_fail_the_job_with_a_reason_and_refund() {
	let dir = TempDir::new("e2e-backend-errors");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let rt = runtime();
	let backend = test_backend(&rt, Mode::ServerError, 0);
	register(&url, "bob", "//Charlie", &format!("{MODEL},ghost-model"), 1);
	let _miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");

	for (mode, model, expected) in [
		(Mode::ServerError, MODEL, "backend error 500"),
		(Mode::Malformed, MODEL, "malformed"),
		(Mode::Hang, MODEL, "did not answer"),
		(Mode::Ok, "ghost-model", "not served"),
	] {
		backend.behaviour.set_mode(mode);
		let alice0 = free(&url, "alice");
		let run = cli(
			&url,
			&[
				"--account",
				"alice",
				"submit",
				"inference",
				"--prompt",
				"hello",
				"--model",
				model,
				"--max-tokens",
				"16",
				"--max-price",
				"0.001",
				"--wait",
			],
		);
		assert_eq!(
			run.code, 6,
			"{mode:?}: exit code of a failed job\n{}{}",
			run.stdout, run.stderr
		);
		assert_eq!(run.json["status"], "failed", "{mode:?}: {}", run.json);
		let reason = run.json["reason"].as_str().unwrap_or_default();
		assert!(
			reason.contains("miner reported") && reason.contains(expected),
			"{mode:?}: {reason}"
		);
		let tx_fee = amount(&run.json["payment"]["tx_fee"]);
		assert_eq!(free(&url, "alice"), alice0 - tx_fee, "{mode:?}: full refund");
	}
}

/// Scenario 3: The miner is killed after acknowledging; at the result deadline the job is re-assigned
/// to a second miner, which completes it.
#[test]
fn killed_miner_job_is_reassigned_and_completed() {
	let dir = TempDir::new("e2e-reassign");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let rt = runtime();
	let slow = test_backend(&rt, Mode::Hang, 0);
	let fast = test_backend(&rt, Mode::Ok, 0);
	register(&url, "bob", "//Charlie", MODEL, 1);
	let mut first = start_miner(&url, "//Charlie", "ollama", &slow.url(), dir.path(), "miner-a");
	let job = submit(&url, MODEL, &["--max-price", "0.001"]);
	wait_job(&url, job, Duration::from_secs(30), "running", |j| j["status"] == "running");
	first.kill();
	register(&url, "dave", "//Eve", MODEL, 1);
	let _second = start_miner(&url, "//Eve", "ollama", &fast.url(), dir.path(), "miner-b");
	let done =
		wait_job(&url, job, Duration::from_secs(90), "completed", |j| j["status"] == "completed");
	assert_eq!(done["attempts"], 2, "{done}");
	let receipts = cli_ok(&url, &["receipts", "--job-id", &job.to_string()]);
	assert_eq!(receipts["receipts"][0]["operator"].as_str(), Some(address(&url, "//Eve").as_str()));
	let slashed = cli_ok(&url, &["miners"]);
	let charlie = address(&url, "//Charlie");
	let a = slashed["miners"]
		.as_array()
		.unwrap()
		.iter()
		.find(|m| m["operator"] == charlie.as_str())
		.unwrap();
	assert!(a["consecutiveMisses"].as_u64().unwrap() >= 1, "{a}");
}

/// The miner killed mid-job and restarted picks the job up again and finishes it.
#[test]
fn restarted_miner_finishes_its_job() {
	let dir = TempDir::new("e2e-miner-restart");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let rt = runtime();
	let backend = test_backend(&rt, Mode::Hang, 0);
	register(&url, "bob", "//Charlie", MODEL, 1);
	let mut miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	let job = submit(&url, MODEL, &["--max-price", "0.001"]);
	wait_job(&url, job, Duration::from_secs(30), "running", |j| j["status"] == "running");
	miner.kill();
	backend.behaviour.set_mode(Mode::Ok);
	let _miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	let done =
		wait_job(&url, job, Duration::from_secs(60), "completed", |j| j["status"] == "completed");
	assert_eq!(done["attempts"], 1, "finished by the same miner: {done}");
}

/// Scenario 4: No miner serves the model: the job waits in the queue and fails at the queue timeout
/// with a full refund.
#[test]
fn unserved_model_fails_at_queue_timeout_with_refund() {
	let dir = TempDir::new("e2e-queue-timeout");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let alice0 = free(&url, "alice");
	let json = cli_ok(
		&url,
		&[
			"--account",
			"alice",
			"submit",
			"inference",
			"--prompt",
			"anyone?",
			"--model",
			"nobody-serves-this",
			"--max-price",
			"0.5",
		],
	);
	assert_eq!(json["status"], "queued");
	let job = json["job_id"].as_u64().unwrap();
	let tx_fee = amount(&json["tx_fee"]);
	let failed =
		wait_job(&url, job, Duration::from_secs(120), "failed", |j| j["status"] == "failed");
	assert_eq!(failed["failureReason"], "no miner available");
	assert_eq!(free(&url, "alice"), alice0 - tx_fee, "full refund");
}

/// Scenario 5: Cancel while queued and while running: full refunds.
#[test]
fn cancel_refunds_a_queued_job_and_is_refused_once_a_miner_holds_it() {
	let dir = TempDir::new("e2e-cancel");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let rt = runtime();
	let backend = test_backend(&rt, Mode::Hang, 0);
	let alice0 = free(&url, "alice");
	let queued = cli_ok(
		&url,
		&[
			"--account",
			"alice",
			"submit",
			"inference",
			"--prompt",
			"later",
			"--model",
			MODEL,
			"--max-price",
			"0.25",
		],
	);
	assert_eq!(queued["status"], "queued");
	let job = queued["job_id"].as_u64().unwrap();
	let cancel = cli_ok(&url, &["--account", "alice", "cancel", &job.to_string()]);
	assert_eq!(amount(&cancel["refunded"]), 250_000_000_000);
	let after_queued = free(&url, "alice");
	assert!(alice0 - after_queued < 10_000_000_000, "only fees spent: {}", alice0 - after_queued);

	register(&url, "bob", "//Charlie", MODEL, 1);
	let _miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	let before = free(&url, "alice");
	let running = submit(&url, MODEL, &["--max-price", "0.25"]);
	wait_job(&url, running, Duration::from_secs(30), "running", |j| j["status"] == "running");
	// Once a miner holds the job the client cannot take the work for free (issue 11): the
	// cancel is refused with the chain's reason, and the job still ends with a full refund,
	// here when the miner's hanging backend runs past the deadline and it reports failure.
	let refused = cli(&url, &["--account", "alice", "cancel", &running.to_string()]);
	assert_eq!(refused.code, 4, "{}{}", refused.stdout, refused.stderr);
	assert!(refused.stderr.contains("JobHeld"), "{}", refused.stderr);
	wait_job(&url, running, Duration::from_secs(120), "failed", |j| j["status"] == "failed");
	assert!(before - free(&url, "alice") < 10_000_000_000, "only fees spent: full refund");
}

/// Scenario 6: Bad input: clear errors, distinct exit codes, nothing submitted.
#[test]
fn bad_input_gives_clear_errors_and_submits_nothing() {
	let dir = TempDir::new("e2e-bad-input");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let nonce = |who: &str| cli_ok(&url, &["wallet", "balance", who])["free"].clone();
	let alice_nonce = nonce("alice");

	let long = "x".repeat(4_001);
	let run = cli(
		&url,
		&[
			"--account",
			"alice",
			"submit",
			"inference",
			"--prompt",
			&long,
			"--model",
			MODEL,
			"--max-price",
			"1",
		],
	);
	assert_eq!(run.code, 2, "{}", run.stderr);
	assert!(
		run.stderr.contains("4001 characters") && run.stderr.contains("4000"),
		"{}",
		run.stderr
	);
	assert_eq!(run.json["error"]["class"], "usage");

	let run = cli(&url, &["status", "987654"]);
	assert_eq!(run.code, 3);
	assert!(run.stderr.contains("job 987654 does not exist"), "{}", run.stderr);

	let run = cli(
		&url,
		&[
			"--account",
			"//Nobody",
			"submit",
			"inference",
			"--prompt",
			"hi",
			"--model",
			MODEL,
			"--max-price",
			"1",
		],
	);
	assert_eq!(run.code, 4, "{}", run.stderr);
	assert!(
		run.stderr.contains("insufficient balance") && run.stderr.contains("1 AIT"),
		"{}",
		run.stderr
	);

	let closed = format!("ws://127.0.0.1:{}", free_port());
	let run = cli(&closed, &["health"]);
	assert_eq!(run.code, 5);
	assert!(run.stderr.contains(&closed), "names the URL: {}", run.stderr);

	assert_eq!(nonce("alice"), alice_nonce, "nothing was submitted");
	assert_eq!(cli_ok(&url, &["jobs"])["jobs"].as_array().map(Vec::len), Some(0));
}

/// Scenario 7: A result from a miner the job is not assigned to is rejected; the job is unaffected.
#[test]
fn result_from_non_assigned_miner_is_rejected() {
	let dir = TempDir::new("e2e-wrong-miner");
	let node = dev_node(&dir);
	let url = node.ws_url();
	let rt = runtime();
	let backend = test_backend(&rt, Mode::Hang, 0);
	register(&url, "bob", "//Charlie", MODEL, 1);
	register(&url, "dave", "//Eve", "other-model", 1);
	let _miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	let job = submit(&url, MODEL, &["--max-price", "0.001"]);
	let before =
		wait_job(&url, job, Duration::from_secs(30), "running", |j| j["status"] == "running");

	let eve = aitbc_client::keys::Key::from_uri("//Eve").unwrap();
	let error = rt.block_on(async {
		let chain =
			aitbc_client::Chain::connect(&aitbc_client::Connect::new(url.clone())).await.unwrap();
		let usage = aitbc_client::runtime::runtime_types::aitbc_primitives::Usage {
			prompt_tokens: 1,
			output_tokens: 1,
			compute_ms: 1,
		};
		let call = aitbc_client::runtime::transactions().jobs().submit_result(
			job,
			aitbc_client::runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(
				b"forged".to_vec(),
			),
			usage,
			[0u8; 64],
		);
		chain.submit(&call, &eve).await.err().expect("the chain refuses it")
	});
	assert!(error.to_string().contains("Jobs::NotAssignedToYou"), "{error}");
	let after = cli_ok(&url, &["status", &job.to_string()])["job"].clone();
	assert_eq!(after["status"], "running");
	assert_eq!(after["operator"], before["operator"]);
}

/// Scenario 8: The node stops and restarts on the same base path mid-job: the state is intact, the miner
/// reconnects and the job ends.
#[test]
fn node_restart_mid_job_keeps_state_and_the_miner_resumes() {
	let dir = TempDir::new("e2e-node-restart");
	let base = dir.path().join("chain");
	let base = base.to_str().unwrap().to_string();
	let (rpc, p2p) = (free_port(), free_port());
	let args = ["--dev", "--base-path", base.as_str()];
	let mut node = Node::start_on(&args, dir.path(), rpc, p2p);
	node.wait_ready(Duration::from_secs(60));
	wait_until(Duration::from_secs(60), "block 1", || node.best_number().ok().filter(|n| *n >= 1))
		.unwrap();
	let url = node.ws_url();
	let rt = runtime();
	let backend = test_backend(&rt, Mode::Ok, 8_000);
	register(&url, "bob", "//Charlie", MODEL, 1);
	let miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	let job = submit(&url, MODEL, &["--max-price", "0.001"]);
	wait_job(&url, job, Duration::from_secs(30), "running", |j| j["status"] == "running");
	let height = node.best_number().unwrap();
	node.stop();
	std::thread::sleep(Duration::from_secs(2));
	let mut node = Node::start_on(&args, dir.path(), rpc, p2p);
	node.wait_ready(Duration::from_secs(60));
	assert!(node.best_number().unwrap() >= height - 1, "the chain kept its blocks");
	let done =
		wait_job(&url, job, Duration::from_secs(90), "completed", |j| j["status"] == "completed");
	assert_eq!(done["attempts"], 1, "{done}");
	assert!(miner.log_text().contains("reconnected to the node"), "{}", miner.log_tail());
}
