//! Several node URLs (`--url`, repeated or comma-separated): a command uses the first that
//! answers; with none answering it fails naming each.

mod common;

use aitbc_e2e::harness::free_port;
use common::Chain;

#[test]
fn a_command_skips_a_dead_url_for_a_live_one() {
	let chain = Chain::start("cli-urls");
	let dead = format!("ws://127.0.0.1:{}", free_port());
	let live = chain.url.as_str();

	for urls in [vec!["--url", &dead, "--url", live], vec!["--url", &format!("{dead},{live}")]] {
		let args: Vec<&str> = urls.iter().copied().chain(["--json", "health"]).collect();
		let run = chain.run_exactly(&args);
		assert_eq!(run.code, 0, "{}", run.text);
		assert_eq!(run.json()["url"], live, "the node that answered");
	}

	let other_dead = format!("ws://127.0.0.1:{}", free_port());
	let run = chain.run_exactly(&["--url", &dead, "--url", &other_dead, "--json", "health"]);
	assert_eq!(run.code, 5, "{}", run.text);
	let message = run.json()["error"]["message"].as_str().unwrap().to_string();
	assert!(message.contains(&dead) && message.contains(&other_dead), "{message}");

	let run = chain.run_exactly(&[
		"--url",
		&format!("{live},http://{}", live.trim_start_matches("ws://")),
		"health",
	]);
	assert_eq!(run.code, 2, "a URL that is not ws:// is a usage error: {}", run.text);
}
