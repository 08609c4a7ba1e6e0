//! `miner register`, `miners` and `health` against a dev node, run in-process into a buffer.

mod common;

use aitbc_e2e::market::address;
use common::{Market, MODEL};

#[test]
fn register_list_miners_and_health() {
	let market = Market::start("cli-miners");
	let charlie = address(&market.url, "//Charlie");
	assert_eq!(market.registration["operation"], "miner.register");
	assert_eq!(market.registration["operator"].as_str(), Some(charlie.as_str()));
	assert_eq!(market.registration["models"][0], MODEL);

	let miners = market.ok(&["admin-miners"]);
	assert!(miners.text.contains(&charlie) && miners.text.contains(MODEL), "{}", miners.text);
	let listed = market.ok_json(&["miners"]);
	assert_eq!(listed["miners"].as_array().unwrap().len(), 2);
	assert!(listed["miners"][0]["consecutive_misses"].is_u64(), "snake_case keys: {listed}");

	let health = market.ok(&["health"]);
	for line in
		["reachable", "Best block: ", "Runtime: aitbc", "Miners: 2 active of 2", "Jobs: 0 queued"]
	{
		assert!(health.text.contains(line), "missing `{line}`:\n{}", health.text);
	}
	let health = market.ok_json(&["health"]);
	assert_eq!(health["operation"], "health");
	assert_eq!(health["reachable"], true);
	assert_eq!(health["active_miners"], 2);
}
