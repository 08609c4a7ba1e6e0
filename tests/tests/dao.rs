//! End to end: governance through the real `aitbc` binary against a dev node (development
//! periods: a referendum with its votes passes in about ten blocks). On one chain, side by side:
//! a `market_params` referendum raising the protocol fee to 3 %, carried by direct votes of
//! several convictions and a delegation, whose enactment shows in the next job's receipt; and a
//! `small_spender` referendum paying 100 AIT from the treasury to Eve.

use std::time::Duration;

use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{rpc_call, wait_until, Node, TempDir},
	market::{amount, cli, cli_ok, free, register, start_miner},
};
use serde_json::{json, Value};

const MODEL: &str = "test-model";

/// `aitbc --dev --json --account WHO ARGS`, which must succeed.
fn signed(url: &str, who: &str, args: &[&str]) -> Value {
	let mut argv = vec!["--account", who];
	argv.extend_from_slice(args);
	cli_ok(url, &argv)
}

/// Polls `dao show INDEX` until its status is `status`.
fn wait_status(url: &str, index: &str, status: &str, timeout: Duration) -> Value {
	wait_until(timeout, &format!("referendum {index} {status}"), || {
		let show = cli(url, &["dao", "show", index]).json;
		(show["status"] == status).then_some(show)
	})
	.unwrap_or_else(|e| panic!("{e}; last: {}", cli(url, &["dao", "show", index]).json))
}

#[test]
fn a_fee_referendum_and_a_treasury_spend_pass_and_take_effect() {
	let dir = TempDir::new("e2e-dao");
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	wait_until(Duration::from_secs(60), "block 1", || node.best_number().ok().filter(|n| *n >= 1))
		.expect("the chain produces blocks");
	let url = &node.ws_url();
	let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
	let backend = rt
		.block_on(TestBackend::start(
			"127.0.0.1:0".parse().unwrap(),
			&[MODEL],
			Mode::Ok,
			Duration::ZERO,
		))
		.expect("start the test backend");
	// Ferdie's miner, run under Ferdie's stash key: no voter and not Eve signs for it.
	register(url, "ferdie", "//Ferdie//stash", MODEL, 1);
	let _miner = start_miner(url, "//Ferdie//stash", "ollama", &backend.url(), dir.path(), "miner");

	// Two proposals by Alice: the fee, and a spend the treasury can pay once Ferdie funds it.
	let fee = signed(url, "alice", &["dao", "propose", "market-params", "--protocol-fee", "3%"]);
	assert_eq!((fee["index"].as_u64(), fee["track"].as_str()), (Some(0), Some("market_params")));
	assert_eq!(fee["changes"], json!([{"field": "protocol_fee", "from": "2%", "to": "3%"}]));
	let treasury = cli_ok(url, &["dao", "treasury"])["account"].as_str().unwrap().to_string();
	signed(url, "ferdie", &["wallet", "transfer", "--to", &treasury, "--amount", "1000"]);
	let spend = signed(url, "alice", &["dao", "propose", "spend", "100", "--to", "eve"]);
	assert_eq!(
		(spend["index"].as_u64(), spend["track"].as_str()),
		(Some(1), Some("small_spender"))
	);
	let eve = free(url, "eve");

	// Votes, each its own process: Alice 1x, Bob 3x, Charlie delegating to Dave at 2x; then
	// Dave at 0.1x (his vote carries Charlie's), and Alice on the spend.
	std::thread::scope(|s| {
		s.spawn(|| {
			signed(
				url,
				"alice",
				&["dao", "vote", "0", "aye", "--conviction", "1", "--amount", "700000"],
			);
			signed(
				url,
				"alice",
				&["dao", "vote", "1", "aye", "--conviction", "1", "--amount", "800000"],
			);
		});
		s.spawn(|| {
			signed(
				url,
				"bob",
				&["dao", "vote", "0", "aye", "--conviction", "3", "--amount", "500000"],
			)
		});
		s.spawn(|| {
			let args = [
				"--track",
				"market_params",
				"--to",
				"dave",
				"--conviction",
				"2",
				"--amount",
				"500000",
			];
			let mut argv = vec!["dao", "delegate"];
			argv.extend_from_slice(&args);
			signed(url, "charlie", &argv)
		});
	});
	let dave = signed(
		url,
		"dave",
		&["dao", "vote", "0", "aye", "--conviction", "0", "--amount", "200000"],
	);
	// support: the capital behind the ayes, the delegated 500,000 included; ayes weighted by
	// conviction (1x 700,000 + 3x 500,000 + 2x 500,000 + 0.1x 200,000)
	let ait = |n: u128| (n * 1_000_000_000_000).to_string();
	assert_eq!(dave["tally"]["support"], ait(1_900_000), "{dave}");
	assert_eq!(dave["tally"]["ayes"], ait(3_220_000), "{dave}");
	let show = cli_ok(url, &["dao", "show", "0"]);
	assert_eq!(show["standing"]["passing"], true, "{show}");

	// Approved, then enacted a few blocks later: the chain's protocol fee is 3 %.
	wait_status(url, "0", "approved", Duration::from_secs(120));
	wait_until(Duration::from_secs(60), "the 3 % fee enacted", || {
		let params = rpc_call(node.rpc_port, "aitbc_parameters", json!([])).ok()?;
		(params["protocolFeePercent"] == 3.0).then_some(())
	})
	.unwrap();
	let late = cli(url, &["--account", "bob", "dao", "vote", "0", "aye", "--amount", "1"]);
	assert_eq!(late.code, 2, "{}", late.stderr);
	assert!(late.stderr.contains("referendum 0 is not ongoing (approved"), "{}", late.stderr);

	// The next job pays it: the receipt's fee is 3 % of its price.
	let job = signed(
		url,
		"alice",
		&[
			"submit",
			"inference",
			"--prompt",
			"hello",
			"--model",
			MODEL,
			"--max-tokens",
			"8",
			"--wait",
		],
	);
	assert_eq!(job["status"], "completed", "{job}");
	let price = amount(&job["receipt"]["price"]);
	assert!(price > 0, "{job}");
	assert_eq!(amount(&job["receipt"]["fee"]), price * 3 / 100, "3 % of {price}: {job}");

	// The spend: approved, enacted as treasury spend 0, paid out by anyone (Ferdie).
	wait_status(url, "1", "approved", Duration::from_secs(120));
	let spends = wait_until(Duration::from_secs(60), "treasury spend 0", || {
		let treasury = cli_ok(url, &["dao", "treasury"]);
		let spends = treasury["spends"].as_array().cloned().unwrap_or_default();
		(!spends.is_empty()).then_some(spends)
	})
	.unwrap();
	assert_eq!(spends[0]["index"], 0);
	assert_eq!(spends[0]["amount"], ait(100));
	assert_eq!(spends[0]["status"], "pending");
	let paid = signed(url, "ferdie", &["dao", "treasury", "payout", "0"]);
	assert_eq!(paid["status"], "paid", "{paid}");
	assert_eq!(free(url, "eve"), eve + 100 * 1_000_000_000_000, "Eve got exactly 100 AIT");
	assert_eq!(cli_ok(url, &["dao", "treasury"])["spends"], json!([]), "the spend is cleared");
}
