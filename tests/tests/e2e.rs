//! End to end: the real `aitbc-node`, `aitbc-miner` and `aitbc` binaries on loopback, with the
//! real llama.cpp server or the Ollama-protocol test backend. Every test starts its own dev
//! chain in a temporary directory ([`Market`]) and submits through [`Submit`].

use std::time::Duration;

use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{free_port, wait_until, Node, Process, TempDir},
	llama,
	market::{
		address, amount, cli, cli_ok, free, register, start_miner, start_miner_with, treasury,
		wait_job, CliRun,
	},
};
use serde_json::Value;

const MODEL: &str = "test-model";

/// A dev chain and what a scenario puts around it: test backends, registered miners, the
/// daemons that run them, submissions. Fields drop in order: the node stops before its
/// directory goes.
struct Market {
	node: Node,
	url: String,
	rt: tokio::runtime::Runtime,
	/// The node's arguments and ports, to restart it on the same base path.
	restart: Option<(Vec<String>, u16, u16)>,
	dir: TempDir,
}

impl Market {
	/// A fresh dev chain (`--tmp`) that has produced block 1.
	fn start(name: &str) -> Self {
		let dir = TempDir::new(name);
		let node = Node::start(&["--dev", "--tmp"], dir.path());
		Self::ready(node, dir, None)
	}

	/// A dev chain on a base path in its directory, on fixed ports, which
	/// [`Market::restart_node`] restarts with its state.
	fn persistent(name: &str) -> Self {
		let dir = TempDir::new(name);
		let base = dir.path().join("chain").to_str().unwrap().to_string();
		let args = vec!["--dev".to_string(), "--base-path".to_string(), base];
		let (rpc, p2p) = (free_port(), free_port());
		let node = Node::start_on(&strs(&args), dir.path(), rpc, p2p);
		Self::ready(node, dir, Some((args, rpc, p2p)))
	}

	fn ready(mut node: Node, dir: TempDir, restart: Option<(Vec<String>, u16, u16)>) -> Self {
		node.wait_ready(Duration::from_secs(60));
		wait_until(Duration::from_secs(60), "block 1", || {
			node.best_number().ok().filter(|n| *n >= 1)
		})
		.expect("the chain produces blocks");
		let url = node.ws_url();
		let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
		Market { node, url, rt, restart, dir }
	}

	/// Stops the node and starts it again on the same base path and ports.
	fn restart_node(&mut self) {
		let (args, rpc, p2p) = self.restart.clone().expect("a persistent market");
		self.node.stop();
		std::thread::sleep(Duration::from_secs(2));
		self.node = Node::start_on(&strs(&args), self.dir.path(), rpc, p2p);
		self.node.wait_ready(Duration::from_secs(60));
	}

	/// An Ollama-protocol test backend serving [`MODEL`].
	fn backend(&self, mode: Mode, latency_ms: u64) -> TestBackend {
		self.rt
			.block_on(TestBackend::start(
				"127.0.0.1:0".parse().unwrap(),
				&[MODEL],
				mode,
				Duration::from_millis(latency_ms),
			))
			.expect("start the test backend")
	}

	/// Registers a miner of dev `owner`, run by dev key `operator`, for `models` (capacity 1).
	fn register(&self, owner: &str, operator: &str, models: &str) {
		register(&self.url, owner, operator, models, 1);
	}

	/// Starts `aitbc-miner` for `operator` against a backend of `kind` (`ollama`, `openai`).
	fn run_miner(&self, operator: &str, kind: &str, backend_url: &str, tag: &str) -> Process {
		start_miner(&self.url, operator, kind, backend_url, self.dir.path(), tag)
	}

	/// Registers a miner and starts its daemon against an Ollama-protocol backend.
	fn miner(
		&self,
		owner: &str,
		operator: &str,
		models: &str,
		backend: &TestBackend,
		tag: &str,
	) -> Process {
		self.register(owner, operator, models);
		self.run_miner(operator, "ollama", &backend.url(), tag)
	}

	/// Alice's `submit inference --prompt PROMPT --model MODEL`, to complete with options.
	fn submit(&self, prompt: &str, model: &str) -> Submit<'_> {
		Submit {
			url: &self.url,
			account: "alice".to_string(),
			args: ["--prompt", prompt, "--model", model].map(String::from).to_vec(),
		}
	}

	/// The usual small job: "Say hello to the chain", 16 tokens at most.
	fn hello(&self, model: &str) -> Submit<'_> {
		self.submit("Say hello to the chain", model).max_tokens(16)
	}

	/// Polls the job until its status is `status`; returns its JSON.
	fn wait_status(&self, job: u64, secs: u64, status: &str) -> Value {
		wait_job(&self.url, job, Duration::from_secs(secs), status, |j| j["status"] == status)
	}
}

fn strs(args: &[String]) -> Vec<&str> {
	args.iter().map(String::as_str).collect()
}

/// `aitbc --account ACCOUNT submit inference ARGS`, built up option by option.
struct Submit<'a> {
	url: &'a str,
	account: String,
	args: Vec<String>,
}

impl Submit<'_> {
	/// Adds `--flag value`.
	fn arg(mut self, flag: &str, value: &str) -> Self {
		self.args.extend([flag.to_string(), value.to_string()]);
		self
	}
	fn max_tokens(self, n: u32) -> Self {
		self.arg("--max-tokens", &n.to_string())
	}
	fn max_price(self, ait: &str) -> Self {
		self.arg("--max-price", ait)
	}
	/// `--wait`: follow the job to its end.
	fn wait(mut self) -> Self {
		self.args.push("--wait".to_string());
		self
	}
	/// Signs as `account` instead of alice.
	fn account(mut self, account: &str) -> Self {
		self.account = account.to_string();
		self
	}
	fn run(self) -> CliRun {
		let mut argv = vec!["--account", self.account.as_str(), "submit", "inference"];
		argv.extend(strs(&self.args));
		cli(self.url, &argv)
	}
	/// Runs it, which must succeed; its JSON.
	fn ok(self) -> Value {
		let url = self.url;
		let run = self.run();
		assert_eq!(run.code, 0, "submit at {url} failed: {}{}", run.stdout, run.stderr);
		run.json
	}
	/// Runs it; the job id.
	fn job(self) -> u64 {
		self.ok()["job_id"].as_u64().expect("a job id")
	}
}

/// Scenario 1: Happy path with the real llama.cpp backend: real text, verified receipt, exact balance
/// changes for the client, the miner's owner and the treasury.
#[test]
fn happy_path_with_llama_cpp() {
	let market = Market::start("e2e-happy");
	let url = &market.url;
	let llama = llama::start(market.dir.path());
	market.register("bob", "//Charlie", llama::MODEL);
	let _miner = market.run_miner("//Charlie", "openai", &llama.url, "miner");
	let treasury = treasury();
	let (alice0, bob0, treasury0) = (free(url, "alice"), free(url, "bob"), free(url, &treasury));

	let run = market
		.submit("Name one planet of the solar system.", llama::MODEL)
		.max_tokens(24)
		.arg("--temperature", "0")
		.arg("--seed", "7")
		.wait()
		.run();
	assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
	let json = run.json;
	assert_eq!(json["status"], "completed", "{json}");
	let text = json["result"].as_str().unwrap();
	assert!(!text.trim().is_empty(), "real generated text");
	let receipt = &json["receipt"];
	assert_eq!(receipt["verified"], true);
	let output_tokens = receipt["usage"]["output_tokens"].as_u64().unwrap();
	assert!(output_tokens > 0 && output_tokens <= 24, "real token count: {output_tokens}");
	assert!(receipt["usage"]["prompt_tokens"].as_u64().unwrap() > 5);

	let price = amount(&json["payment"]["price"]);
	let fee = amount(&json["payment"]["fee"]);
	let tx_fee = amount(&json["payment"]["tx_fee"]);
	assert_eq!(price, u128::from(output_tokens) * 1_000_000, "price = tokens × unit price");
	assert_eq!(fee, price * 2 / 100, "2% protocol fee");
	assert!(tx_fee > 0);
	// The storage deposit stays held until the job is pruned.
	let deposit = amount(&json["payment"]["deposit"]);
	assert_eq!(
		free(url, "alice"),
		alice0 - price - tx_fee - deposit,
		"client pays price + transaction fee"
	);
	assert_eq!(free(url, "bob"), bob0 + price - fee, "owner gets price − protocol fee");
	assert_eq!(free(url, &treasury), treasury0 + fee, "treasury gets the protocol fee");

	let verify = cli_ok(url, &["receipts", "verify", &receipt["id"].to_string()]);
	assert_eq!(verify["valid"], true);
	assert_eq!(verify["output_matches"], true);
}

/// Scenario 2 (and the miner's failure drills). Backend 500, malformed JSON, a hang past the deadline and
/// an unknown model: each job fails on chain with a reason and the client is refunded in full.
#[test]
fn backend_failures_fail_the_job_with_a_reason_and_refund() {
	let market = Market::start("e2e-backend-errors");
	let url = &market.url;
	let backend = market.backend(Mode::ServerError, 0);
	let _miner =
		market.miner("bob", "//Charlie", &format!("{MODEL},ghost-model"), &backend, "miner");

	for (mode, model, expected) in [
		(Mode::ServerError, MODEL, "backend error 500"),
		(Mode::Malformed, MODEL, "malformed"),
		(Mode::Hang, MODEL, "did not answer"),
		(Mode::Ok, "ghost-model", "not served"),
	] {
		backend.behaviour.set_mode(mode);
		let alice0 = free(url, "alice");
		let run = market.submit("hello", model).max_tokens(16).max_price("0.001").wait().run();
		assert_eq!(
			run.code, 6,
			"{mode:?}: exit code of a failed job\n{}{}",
			run.stdout, run.stderr
		);
		assert_eq!(run.json["status"], "failed", "{mode:?}: {}", run.json);
		// The reason is typed: {"miner_reported": "<the miner's text>"}.
		let reason = run.json["reason"]["miner_reported"].as_str().unwrap_or_default();
		assert!(reason.contains(expected), "{mode:?}: {}", run.json["reason"]);
		let tx_fee = amount(&run.json["payment"]["tx_fee"]);
		// The storage deposit stays held until the job is pruned.
		let deposit = amount(&run.json["payment"]["deposit"]);
		assert_eq!(free(url, "alice"), alice0 - tx_fee - deposit, "{mode:?}: full refund");
	}
}

/// Scenario 3: The miner is killed after acknowledging; at the result deadline the job is re-assigned
/// to a second miner, which completes it.
#[test]
fn killed_miner_job_is_reassigned_and_completed() {
	let market = Market::start("e2e-reassign");
	let url = &market.url;
	let slow = market.backend(Mode::Hang, 0);
	let fast = market.backend(Mode::Ok, 0);
	let mut first = market.miner("bob", "//Charlie", MODEL, &slow, "miner-a");
	let job = market.hello(MODEL).max_price("0.001").job();
	market.wait_status(job, 30, "running");
	first.kill();
	let _second = market.miner("dave", "//Eve", MODEL, &fast, "miner-b");
	let done = market.wait_status(job, 90, "completed");
	assert_eq!(done["attempts"], 2, "{done}");
	let receipts = cli_ok(url, &["receipts", "--job-id", &job.to_string()]);
	assert_eq!(receipts["receipts"][0]["operator"].as_str(), Some(address(url, "//Eve").as_str()));
	let slashed = cli_ok(url, &["miners"]);
	let charlie = address(url, "//Charlie");
	let a = slashed["miners"]
		.as_array()
		.unwrap()
		.iter()
		.find(|m| m["operator"] == charlie.as_str())
		.unwrap();
	assert!(a["consecutive_misses"].as_u64().unwrap() >= 1, "{a}");
}

/// The miner killed mid-job and restarted picks the job up again and finishes it.
#[test]
fn restarted_miner_finishes_its_job() {
	let market = Market::start("e2e-miner-restart");
	let backend = market.backend(Mode::Hang, 0);
	let mut miner = market.miner("bob", "//Charlie", MODEL, &backend, "miner");
	let job = market.hello(MODEL).max_price("0.001").job();
	market.wait_status(job, 30, "running");
	miner.kill();
	backend.behaviour.set_mode(Mode::Ok);
	let _miner = market.run_miner("//Charlie", "ollama", &backend.url(), "miner");
	let done = market.wait_status(job, 60, "completed");
	assert_eq!(done["attempts"], 1, "finished by the same miner: {done}");
}

/// A miner the registry set offline while its backend is up (e.g. evicted from a full model
/// index for a stale heartbeat) goes online again by itself at its next heartbeat.
#[test]
fn miner_set_offline_while_its_backend_is_up_goes_online_again() {
	let market = Market::start("e2e-back-online");
	let url = &market.url;
	let backend = market.backend(Mode::Ok, 0);
	market.register("bob", "//Charlie", MODEL);
	let dir = market.dir.path();
	let args = ["--heartbeat-secs", "4"];
	let miner = start_miner_with(url, "//Charlie", "ollama", &backend.url(), dir, "miner", &args);
	let charlie = address(url, "//Charlie");
	let status = || {
		let miners = cli_ok(url, &["miners"]);
		let miners = miners["miners"].as_array().cloned().unwrap_or_default();
		let me = miners.into_iter().find(|m| m["operator"] == charlie.as_str());
		me.and_then(|m| m["status"].as_str().map(String::from)).unwrap_or_default()
	};
	assert_eq!(status(), "active");

	// Offline on chain, as the registry would set it (here through the operator's own call).
	let charlie_key = aitbc_client::keys::Key::from_uri("//Charlie").unwrap();
	market.rt.block_on(async {
		let chain =
			aitbc_client::Chain::connect(&aitbc_client::Connect::new(url.clone())).await.unwrap();
		let call = aitbc_client::runtime::transactions().miners().go_offline();
		// The daemon's heartbeat may take the same nonce: try again on a refusal.
		for _ in 0..3 {
			if chain.submit(&call, &charlie_key).await.is_ok() {
				return;
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
		}
		panic!("go_offline was refused three times");
	});
	wait_until(Duration::from_secs(60), "the miner online again", || {
		(status() == "active").then_some(())
	})
	.unwrap_or_else(|e| panic!("{e}\n{}", miner.log_tail()));
	assert!(miner.log_text().contains("going online"), "{}", miner.log_tail());
}

/// Scenario 4: No miner serves the model: the job waits in the queue and fails at the queue timeout
/// with a full refund.
#[test]
fn unserved_model_fails_at_queue_timeout_with_refund() {
	let market = Market::start("e2e-queue-timeout");
	let url = &market.url;
	let alice0 = free(url, "alice");
	let json = market.submit("anyone?", "nobody-serves-this").max_price("0.5").ok();
	assert_eq!(json["status"], "queued");
	let job = json["job_id"].as_u64().unwrap();
	let tx_fee = amount(&json["tx_fee"]);
	let deposit = amount(&json["deposit"]);
	let failed = market.wait_status(job, 120, "failed");
	assert_eq!(failed["failure_reason"], "no_miner_available");
	assert_eq!(amount(&failed["deposit"]), deposit);
	// The storage deposit stays held until the job is pruned.
	assert_eq!(free(url, "alice"), alice0 - tx_fee - deposit, "full refund");
}

/// Scenario 5: Cancel while queued and while running: full refunds.
#[test]
fn cancel_refunds_a_queued_job_and_is_refused_once_a_miner_holds_it() {
	let market = Market::start("e2e-cancel");
	let url = &market.url;
	let backend = market.backend(Mode::Hang, 0);
	let alice0 = free(url, "alice");
	let queued = market.submit("later", MODEL).max_price("0.25").ok();
	assert_eq!(queued["status"], "queued");
	let job = queued["job_id"].as_u64().unwrap();
	let cancel = cli_ok(url, &["--account", "alice", "cancel", &job.to_string()]);
	assert_eq!(amount(&cancel["refunded"]), 250_000_000_000);
	let after_queued = free(url, "alice");
	// The storage deposit stays held until the job is pruned.
	let spent = alice0 - after_queued - amount(&queued["deposit"]);
	assert!(spent < 10_000_000_000, "only fees spent: {spent}");

	let _miner = market.miner("bob", "//Charlie", MODEL, &backend, "miner");
	let before = free(url, "alice");
	let submitted = market.hello(MODEL).max_price("0.25").ok();
	let running = submitted["job_id"].as_u64().expect("a job id");
	market.wait_status(running, 30, "running");
	// Once a miner holds the job the client cannot take the work for free (issue 11): the
	// cancel is refused with the chain's reason, and the job still ends with a full refund,
	// here when the miner's hanging backend runs past the deadline and it reports failure.
	let refused = cli(url, &["--account", "alice", "cancel", &running.to_string()]);
	assert_eq!(refused.code, 4, "{}{}", refused.stdout, refused.stderr);
	assert!(refused.stderr.contains("JobHeld"), "{}", refused.stderr);
	market.wait_status(running, 120, "failed");
	let spent = before - free(url, "alice") - amount(&submitted["deposit"]);
	assert!(spent < 10_000_000_000, "only fees spent: full refund ({spent})");
}

/// Scenario 6: Bad input: clear errors, distinct exit codes, nothing submitted.
#[test]
fn bad_input_gives_clear_errors_and_submits_nothing() {
	let market = Market::start("e2e-bad-input");
	let url = &market.url;
	let nonce = |who: &str| cli_ok(url, &["wallet", "balance", who])["free"].clone();
	let alice_nonce = nonce("alice");

	// One character over the chain's limit (read from the runtime's metadata, not copied).
	let limit = aitbc_client::Constants::offline().max_prompt_chars;
	let long = "x".repeat(limit as usize + 1);
	let run = market.submit(&long, MODEL).max_price("1").run();
	assert_eq!(run.code, 2, "{}", run.stderr);
	assert!(
		run.stderr.contains(&format!("{} characters", limit + 1))
			&& run.stderr.contains(&limit.to_string()),
		"{}",
		run.stderr
	);
	assert_eq!(run.json["error"]["class"], "usage");

	let run = cli(url, &["status", "987654"]);
	assert_eq!(run.code, 3);
	assert!(run.stderr.contains("job 987654 does not exist"), "{}", run.stderr);

	let run = market.submit("hi", MODEL).max_price("1").account("//Nobody").run();
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
	assert_eq!(cli_ok(url, &["jobs"])["jobs"].as_array().map(Vec::len), Some(0));
}

/// Scenario 7: A result from a miner the job is not assigned to is rejected; the job is unaffected.
#[test]
fn result_from_non_assigned_miner_is_rejected() {
	let market = Market::start("e2e-wrong-miner");
	let url = &market.url;
	let backend = market.backend(Mode::Hang, 0);
	market.register("bob", "//Charlie", MODEL);
	market.register("dave", "//Eve", "other-model");
	let _miner = market.run_miner("//Charlie", "ollama", &backend.url(), "miner");
	let job = market.hello(MODEL).max_price("0.001").job();
	let before = market.wait_status(job, 30, "running");

	let eve = aitbc_client::keys::Key::from_uri("//Eve").unwrap();
	let error = market.rt.block_on(async {
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
	// The pool refuses work in flight from anyone but the holder (issue 13), before it is
	// included: the forger pays nothing and the job is unaffected.
	assert!(error.to_string().contains("Jobs::CheckJobCalls"), "{error}");
	let after = cli_ok(url, &["status", &job.to_string()])["job"].clone();
	assert_eq!(after["status"], "running");
	assert_eq!(after["operator"], before["operator"]);
}

/// Scenario 8: The node stops and restarts on the same base path mid-job: the state is intact, the miner
/// reconnects and the job ends.
#[test]
fn node_restart_mid_job_keeps_state_and_the_miner_resumes() {
	let mut market = Market::persistent("e2e-node-restart");
	let backend = market.backend(Mode::Ok, 8_000);
	let miner = market.miner("bob", "//Charlie", MODEL, &backend, "miner");
	let job = market.hello(MODEL).max_price("0.001").job();
	market.wait_status(job, 30, "running");
	let height = market.node.best_number().unwrap();
	market.restart_node();
	assert!(market.node.best_number().unwrap() >= height - 1, "the chain kept its blocks");
	let done = market.wait_status(job, 90, "completed");
	assert_eq!(done["attempts"], 1, "{done}");
	assert!(miner.log_text().contains("reconnected to the node"), "{}", miner.log_tail());
}
