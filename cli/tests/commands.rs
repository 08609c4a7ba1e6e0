//! Every command's human and `--json` output against a dev node, run in-process into a buffer,
//! including the seeds' command lines. The miner is the real binary on the test backend.

use std::time::Duration;

use aitbc_cli::Cli;
use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{wait_until, Node, TempDir},
	market::{address, register, start_miner},
};
use clap::Parser;
use serde_json::Value;

struct Run {
	code: u8,
	text: String,
}

fn aitbc(rt: &tokio::runtime::Runtime, url: &str, wallets: &std::path::Path, args: &[&str]) -> Run {
	let mut argv = vec!["aitbc", "--url", url, "--wallet-dir", wallets.to_str().unwrap()];
	argv.extend_from_slice(args);
	let cli = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
	let mut out = Vec::new();
	let code = rt.block_on(aitbc_cli::main(cli, &mut out));
	Run { code, text: String::from_utf8(out).unwrap() }
}

fn json(run: &Run) -> Value {
	serde_json::from_str(run.text.lines().last().unwrap_or_default())
		.unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", run.text))
}

#[test]
fn every_command_human_and_json() {
	let dir = TempDir::new("cli-commands");
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	wait_until(Duration::from_secs(60), "block 1", || node.best_number().ok().filter(|n| *n >= 1))
		.unwrap();
	let url = node.ws_url();
	let rt = tokio::runtime::Runtime::new().unwrap();
	let backend = rt
		.block_on(TestBackend::start(
			"127.0.0.1:0".parse().unwrap(),
			&["llama3.2:latest"],
			Mode::Ok,
			Duration::from_millis(200),
		))
		.unwrap();
	let wallets = dir.path().join("wallets");
	let run = |args: &[&str]| aitbc(&rt, &url, &wallets, args);
	let ok = |args: &[&str]| {
		let r = run(args);
		assert_eq!(r.code, 0, "{args:?}: {}", r.text);
		r
	};

	// Operators: register through the CLI, then the miner daemon.
	let charlie = address(&url, "//Charlie");
	let reg = ok(&[
		"--dev",
		"--account",
		"bob",
		"--json",
		"miner",
		"register",
		"--operator-key",
		"//Charlie",
		"--models",
		"llama3.2:latest",
		"--price",
		"0.000001",
		"--capacity",
		"2",
	]);
	assert_eq!(json(&reg)["operation"], "miner.register");
	let _miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	register(&url, "dave", "//Eve", "other-model", 1);

	let miners = ok(&["admin-miners"]);
	assert!(
		miners.text.contains(&charlie) && miners.text.contains("llama3.2:latest"),
		"{}",
		miners.text
	);
	assert_eq!(json(&ok(&["--json", "miners"]))["miners"].as_array().unwrap().len(), 2);

	// The seeds' command line, with --wait: result, receipt, time and cost.
	let submit = ok(&[
		"--dev",
		"--account",
		"alice",
		"submit",
		"inference",
		"--prompt",
		"What is machine learning?",
		"--model",
		"llama3.2:latest",
		"--ttl",
		"900",
		"--wait",
	]);
	for line in [
		"Job ID: ",
		"Status: completed",
		"Result: Echo:",
		"Receipt: ",
		"signature verified",
		"Completed in: ",
		"Cost: ",
	] {
		assert!(submit.text.contains(line), "missing `{line}` in\n{}", submit.text);
	}
	assert!(
		submit.text.contains("assigned") || submit.text.contains("running"),
		"progress lines: {}",
		submit.text
	);
	let submitted = json(&ok(&[
		"--dev",
		"--account",
		"alice",
		"--json",
		"submit",
		"inference",
		"--prompt",
		"Second job",
		"--model",
		"llama3.2:latest",
		"--max-tokens",
		"8",
		"--wait",
	]));
	assert_eq!(submitted["operation"], "submit");
	assert_eq!(submitted["status"], "completed");
	assert_eq!(submitted["receipt"]["verified"], true);
	for key in ["price", "fee", "refunded", "tx_fee"] {
		assert!(submitted["payment"][key].is_string(), "payment.{key}: {submitted}");
	}
	let job = submitted["job_id"].as_u64().unwrap().to_string();

	let status = ok(&["status", &job]);
	assert!(status.text.contains("Status: completed"), "{}", status.text);
	assert_eq!(json(&ok(&["--json", "status", &format!("job_{job}")]))["status"], "completed");
	let result = ok(&["result", &job]);
	assert!(result.text.starts_with("Echo:"), "{}", result.text);
	assert_eq!(
		json(&ok(&["--json", "result", &job]))["result"].as_str().unwrap(),
		result.text.trim_end()
	);

	let receipts = ok(&["receipts", "--job-id", &job]);
	assert!(receipts.text.contains(&format!("(job {job})")), "{}", receipts.text);
	let latest = json(&ok(&["--json", "receipts", "--limit", "1"]));
	assert_eq!(latest["receipts"].as_array().unwrap().len(), 1);
	let receipt_id = latest["receipts"][0]["id"].to_string();
	let verify = ok(&["receipts", "verify", &receipt_id]);
	assert!(
		verify.text.contains("Signature: valid") && verify.text.contains("matches the hash"),
		"{}",
		verify.text
	);
	let claim =
		json(&ok(&["--dev", "--account", "bob", "--json", "receipts", "claim", &receipt_id]));
	assert_eq!(claim["status"], "claimed");

	let list = ok(&["list", "--limit", "5"]);
	assert!(list.text.contains("completed"), "{}", list.text);
	assert_eq!(
		json(&ok(&["--dev", "--account", "alice", "--json", "list", "--mine"]))["jobs"]
			.as_array()
			.unwrap()
			.len(),
		2
	);
	let jobs = json(&ok(&["--json", "admin-jobs"]));
	assert_eq!(jobs["counts"]["completed"], 2);
	assert!(ok(&["admin-jobs"]).text.contains("Shown: 2 completed"));

	let quote = ok(&["quote", "--model", "llama3.2:latest", "--max-tokens", "100"]);
	assert!(
		quote.text.contains("1 miner(s)") && quote.text.contains("0.0001 AIT"),
		"{}",
		quote.text
	);
	assert_eq!(
		json(&ok(&["--json", "quote", "--model", "nothing", "--max-tokens", "1"]))
			["available_miners"],
		0
	);

	// Cancel: a job for a model nobody serves waits in the queue.
	let queued = json(&ok(&[
		"--dev",
		"--account",
		"alice",
		"--json",
		"submit",
		"inference",
		"--prompt",
		"q",
		"--model",
		"nothing",
		"--max-price",
		"0.01",
	]));
	assert_eq!(queued["status"], "queued");
	let queued_id = queued["job_id"].to_string();
	let cancel = ok(&["--dev", "--account", "alice", "cancel", &queued_id]);
	assert!(cancel.text.contains("refunded 0.01 AIT"), "{}", cancel.text);

	let health = ok(&["health"]);
	for line in
		["reachable", "Best block: ", "Runtime: aitbc", "Miners: 2 active of 2", "Jobs: 0 queued"]
	{
		assert!(health.text.contains(line), "missing `{line}`:\n{}", health.text);
	}
	let health = json(&ok(&["--json", "health"]));
	assert_eq!(health["reachable"], true);
	assert_eq!(health["active_miners"], 2);

	let browser = ok(&["browser", "--blocks", "200", "--receipt-limit", "5"]);
	assert!(
		browser.text.contains("Jobs.JobCompleted") && browser.text.contains("Recent receipts:"),
		"{}",
		browser.text
	);
	let browser = json(&ok(&["--json", "browser", "--blocks", "3", "--receipt-limit", "5"]));
	assert_eq!(browser["blocks"].as_array().unwrap().len(), 3);
	assert_eq!(browser["receipts"].as_array().unwrap().len(), 2);

	// Wallet: create, list, balance, transfer, export, import, and a signed call with it.
	std::env::set_var("AITBC_PASSWORD", "test password");
	let created = json(&ok(&["--json", "wallet", "create", "main"]));
	let main_address = created["address"].as_str().unwrap().to_string();
	assert_eq!(created["mnemonic"].as_str().unwrap().split(' ').count(), 12);
	assert!(ok(&["wallet", "list"]).text.contains(&main_address));
	let sent = ok(&[
		"--dev",
		"--account",
		"alice",
		"wallet",
		"transfer",
		"--to",
		&main_address,
		"--amount",
		"5",
	]);
	assert!(sent.text.contains("Sent 5 AIT"), "{}", sent.text);
	let balance = json(&ok(&["--json", "wallet", "balance", "main"]));
	assert_eq!(balance["free"], "5000000000000");
	let back = ok(&[
		"--account",
		"main",
		"wallet",
		"transfer",
		"--to",
		&address(&url, "alice"),
		"--amount",
		"1",
	]);
	assert!(back.text.contains("Sent 1 AIT"), "{}", back.text);
	let exported = ok(&["wallet", "export", "main"]);
	let keystore: Value = serde_json::from_str(&exported.text).unwrap();
	assert_eq!(keystore["encoding"]["version"], "3");
	let file = dir.path().join("main.json");
	std::fs::write(&file, &exported.text).unwrap();
	let other = dir.path().join("other-wallets");
	let imported = aitbc(
		&rt,
		&url,
		&other,
		&["--json", "wallet", "import", "copy", "--json-file", file.to_str().unwrap()],
	);
	assert_eq!(json(&imported)["address"].as_str(), Some(main_address.as_str()));
	std::env::remove_var("AITBC_PASSWORD");

	// Errors: one line, class and exit code; nothing submitted.
	let too_long = "y".repeat(4_001);
	let err = run(&[
		"--dev",
		"--account",
		"alice",
		"--json",
		"submit",
		"inference",
		"--prompt",
		&too_long,
		"--model",
		"llama3.2:latest",
	]);
	assert_eq!(err.code, 2);
	assert_eq!(json(&err)["error"]["class"], "usage");
	let err = run(&["--json", "status", "424242"]);
	assert_eq!((err.code, json(&err)["error"]["class"].as_str()), (3, Some("not_found")));
	let err = run(&["--dev", "--account", "alice", "cancel", &job]);
	assert_eq!(err.code, 2, "a completed job cannot be cancelled");
	let err = run(&["--json", "list", "--status", "weird"]);
	assert_eq!(err.code, 2);
	let err = run(&["--account", "main", "wallet", "balance"]);
	assert_eq!(err.code, 0, "balance needs no password");
	let err = run(&["--account", "main", "cancel", "1"]);
	assert_eq!(err.code, 2, "signing without AITBC_PASSWORD is a usage error");
}
