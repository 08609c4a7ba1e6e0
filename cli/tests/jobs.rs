//! The job commands against a dev node, run in-process into a buffer: `submit` (the seeds'
//! command line), `status`, `result`, `list`, `jobs`, `quote`, `cancel`, and their errors.

mod common;

use common::{alice_submits, Market, MODEL};

#[test]
fn submit_follow_list_quote_and_cancel_jobs() {
	let market = Market::start("cli-jobs");
	let ok = |args: &[&str]| market.ok(args);

	// The seeds' command line, with --wait: result, receipt, time and cost.
	let submit =
		ok(&alice_submits("What is machine learning?", MODEL, &["--ttl", "900", "--wait"]));
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
	let submitted = market.completed_job("Second job");
	assert_eq!(submitted["operation"], "submit");
	assert_eq!(submitted["status"], "completed");
	assert_eq!(submitted["receipt"]["verified"], true);
	assert!(submitted["receipt"]["usage"]["output_tokens"].is_u64(), "snake_case: {submitted}");
	for key in ["price", "fee", "refunded", "tx_fee"] {
		assert!(submitted["payment"][key].is_string(), "payment.{key}: {submitted}");
	}
	let job = submitted["job_id"].as_u64().unwrap().to_string();

	let status = ok(&["status", &job]);
	assert!(status.text.contains("Status: completed"), "{}", status.text);
	assert!(status.text.contains("Deposit: "), "{}", status.text);
	let status = market.ok_json(&["status", &format!("job_{job}")]);
	assert_eq!(status["status"], "completed");
	assert_eq!(status["job"]["max_tokens"], 8, "snake_case keys: {status}");
	assert!(status["job"]["deposit"].is_string(), "the deposit, a decimal string: {status}");
	let result = ok(&["result", &job]);
	assert!(result.text.starts_with("Echo:"), "{}", result.text);
	let result_json = market.ok_json(&["result", &job]);
	assert_eq!(result_json["result"].as_str().unwrap(), result.text.trim_end());
	assert!(result_json["usage"]["output_tokens"].is_u64(), "{result_json}");

	let list = ok(&["list", "--limit", "5"]);
	assert!(list.text.contains("completed"), "{}", list.text);
	let mine = market.ok_json(&["--dev", "--account", "alice", "list", "--mine"]);
	assert_eq!(mine["jobs"].as_array().unwrap().len(), 2);
	let list = market.ok_json(&["list", "--status", "completed"]);
	assert_eq!(list["jobs"].as_array().unwrap().len(), 2);
	let jobs = market.ok_json(&["admin-jobs"]);
	assert_eq!(jobs["counts"]["completed"], 2);
	assert!(ok(&["admin-jobs"]).text.contains("Shown: 2 completed"));

	let quote = ok(&["quote", "--model", MODEL, "--max-tokens", "100"]);
	assert!(
		quote.text.contains("1 miner(s)") && quote.text.contains("0.0001 AIT"),
		"{}",
		quote.text
	);
	let quote = market.ok_json(&["quote", "--model", "nothing", "--max-tokens", "1"]);
	assert_eq!(quote["available_miners"], 0);

	// Cancel: a job for a model nobody serves waits in the queue.
	let queued = market.ok_json(&alice_submits("q", "nothing", &["--max-price", "0.01"]));
	assert_eq!(queued["status"], "queued");
	let queued_id = queued["job_id"].to_string();
	let cancel = ok(&["--dev", "--account", "alice", "cancel", &queued_id]);
	assert!(cancel.text.contains("refunded 0.01 AIT"), "{}", cancel.text);

	// Paging: three jobs in pages of two, newest first, each page going on from the last
	// one's `next_before`; the short last page ends it.
	let first = market.ok_json(&["list", "--limit", "2"]);
	let next = first["next_before"].as_u64().expect("a full page has a next_before");
	let second = market.ok_json(&["list", "--limit", "2", "--before", &next.to_string()]);
	assert_eq!(second["next_before"], serde_json::Value::Null, "{second}");
	let ids: Vec<u64> = [&first, &second]
		.iter()
		.flat_map(|page| page["jobs"].as_array().unwrap().iter())
		.map(|job| job["id"].as_u64().unwrap())
		.collect();
	let mut newest_first = ids.clone();
	newest_first.sort_unstable_by(|a, b| b.cmp(a));
	newest_first.dedup();
	assert_eq!((ids.len(), &ids), (3, &newest_first), "every job once, newest first");
	assert_eq!(next, ids[1]);
	let admin = market.ok_json(&["admin-jobs", "--limit", "2", "--before", &format!("job_{next}")]);
	assert_eq!(admin["jobs"], second["jobs"]);
	assert!(ok(&["list", "--limit", "2"]).text.contains(&format!("More: --before {next}")));

	// Errors: one line, class and exit code; nothing submitted.
	// One character over the chain's limit (read from the runtime's metadata, not copied).
	let limit = aitbc_client::Constants::offline().max_prompt_chars as usize;
	let too_long = "y".repeat(limit + 1);
	let err = market.run(&alice_submits(&too_long, MODEL, &["--json"]));
	assert_eq!(err.code, 2);
	assert_eq!(err.json()["error"]["class"], "usage");
	assert_eq!(err.json()["error"]["exit_code"], 2);
	let err = market.run(&["--json", "status", "424242"]);
	assert_eq!((err.code, err.json()["error"]["class"].as_str()), (3, Some("not_found")));
	let err = market.run(&["--dev", "--account", "alice", "cancel", &job]);
	assert_eq!(err.code, 2, "a completed job cannot be cancelled");
	let err = market.run(&["--json", "list", "--status", "weird"]);
	assert_eq!(err.code, 2);
	assert!(err.text.contains("unknown job status"), "{}", err.text);
	let err = market.run(&["list", "--limit", "1001"]);
	assert_eq!(err.code, 2);
	assert!(err.text.contains("from 1 to 1000"), "{}", err.text);
	let err = market.run(&["list", "--before", "twelve"]);
	assert_eq!(err.code, 2);
	assert!(err.text.contains("not a job id"), "{}", err.text);
}
