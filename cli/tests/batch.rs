//! `submit inference --prompts-file`: several jobs in `Jobs::submit_jobs` batches against a dev
//! node with a miner, run in-process into a buffer; and the batch's errors, where nothing is
//! submitted.

mod common;

use std::path::Path;

use aitbc_client::{Chain, Connect, Constants};
use common::{Market, MODEL};
use serde_json::Value;

/// Alice's `submit inference --prompts-file FILE --model MODEL`, then `extra`.
fn alice_batch<'a>(file: &'a str, model: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
	common::alice_submit("--prompts-file", file, model, extra)
}

/// Writes `text` to `name` in `dir`; its path.
fn write(dir: &Path, name: &str, text: &str) -> String {
	let path = dir.join(name);
	std::fs::write(&path, text).unwrap();
	path.to_str().unwrap().to_string()
}

/// `n` prompts, one per line.
fn prompts(n: usize) -> String {
	(0..n).map(|i| format!("prompt {i}\n")).collect()
}

#[test]
fn submit_a_batch_of_prompts() {
	let market = Market::start("cli-batch");
	let dir = market.dir.path();
	let max_batch = Constants::offline().max_batch as usize;
	let mine = || {
		market.ok_json(&["--dev", "--account", "alice", "list", "--mine", "--limit", "1000"])
			["jobs"]
			.as_array()
			.unwrap()
			.len()
	};

	// Three prompts (blank lines skipped), waited for: the objects a single --wait prints.
	let file = write(dir, "three.txt", "What is AI?\n\n  \nName a colour.\r\nCount to 3.\n");
	let done = market.ok_json(&alice_batch(&file, MODEL, &["--max-tokens", "8", "--wait"]));
	assert_eq!(done["operation"], "submit");
	let jobs = done["jobs"].as_array().unwrap();
	assert_eq!(jobs.len(), 3, "{done}");
	for job in jobs {
		assert_eq!(job["status"], "completed", "{job}");
		assert_eq!(job["receipt"]["verified"], true, "{job}");
		assert!(job["result"].as_str().unwrap().starts_with("Echo:"), "{job}");
		for key in ["price", "fee", "refunded", "tx_fee", "deposit"] {
			assert!(job["payment"][key].is_string(), "payment.{key}: {job}");
		}
	}
	let status = market.ok_json(&["status", &jobs[1]["job_id"].to_string()]);
	assert_eq!(status["job"]["prompt"], "Name a colour.", "the line without its ending");

	// The same for people: a progress line per job and state, then each job's result.
	let file = write(dir, "two.txt", "One?\nTwo?\n");
	let text = market.ok(&alice_batch(&file, MODEL, &["--max-tokens", "8", "--wait"])).text;
	assert!(text.starts_with("Submitted 2 jobs"), "{text}");
	assert_eq!(text.matches("Status: completed").count(), 2, "{text}");
	assert_eq!(text.matches("signature verified").count(), 2, "{text}");

	// Without --wait, one line per job; jobs for a model nobody serves wait in the queue.
	let text = market.ok(&alice_batch(&file, "nothing", &["--max-price", "0.01"])).text;
	let lines: Vec<&str> = text.lines().collect();
	assert_eq!(lines.len(), 2, "{text}");
	assert!(lines.iter().all(|l| l.starts_with("Job ") && l.ends_with(": queued")), "{text}");

	// One more prompt than `Jobs.MaxBatch`: two transactions, every job once, in order.
	let file = write(dir, "many.txt", &prompts(max_batch + 1));
	let many = market.ok_json(&alice_batch(&file, "nothing", &["--max-price", "0.01"]));
	let many = many["jobs"].as_array().unwrap();
	assert_eq!(many.len(), max_batch + 1);
	let ids: Vec<u64> = many.iter().map(|job| job["job_id"].as_u64().unwrap()).collect();
	assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
	assert!(many.iter().all(|job| job["status"] == "queued" && job["max_price"] == "10000000000"));
	let fees: u128 =
		many.iter().map(|job| job["tx_fee"].as_str().unwrap().parse::<u128>().unwrap()).sum();
	assert!(fees > 0);

	// The client's open-job cap, read from the chain: the jobs queued so far are open.
	let cap = market.rt.block_on(async {
		let chain = Chain::connect(&Connect::new(market.url.clone())).await.unwrap();
		chain.parameters().await.unwrap().max_open_jobs_per_client as usize
	});
	let open = 2 + max_batch + 1;
	assert!(open < cap, "the test needs room under the cap ({cap})");
	let before = mine();
	let expect_error = |args: Vec<&str>, code: u8, text: &str| {
		let mut argv = vec!["--json"];
		argv.extend(args);
		let run = market.run(&argv);
		assert_eq!(run.code, code, "{argv:?}: {}", run.text);
		let error: Value = run.json()["error"].clone();
		assert_eq!(error["exit_code"], code, "{error}");
		let message = error["message"].as_str().unwrap();
		assert!(message.contains(text) && !message.contains('\n'), "{message}");
	};
	// One more than fits beside the open jobs: refused before anything is signed.
	let file = write(dir, "over.txt", &prompts(cap - open + 1));
	expect_error(
		alice_batch(&file, "nothing", &["--max-price", "0.01"]),
		4,
		"max_open_jobs_per_client",
	);
	// More than the cap itself.
	let file = write(dir, "cap.txt", &prompts(cap + 1));
	expect_error(alice_batch(&file, "nothing", &["--max-price", "0.01"]), 2, "at most");
	// No prompts.
	let file = write(dir, "empty.txt", "\n  \n\n");
	expect_error(alice_batch(&file, MODEL, &[]), 2, "has no prompts");
	// A line over the chain's limit (read from the metadata, not copied).
	let limit = Constants::offline().max_prompt_chars as usize;
	let file = write(dir, "long.txt", &format!("fine\n{}\nfine too\n", "y".repeat(limit + 1)));
	expect_error(alice_batch(&file, MODEL, &[]), 2, "line 2 of");
	assert_eq!(mine(), before, "nothing was submitted");

	// One prompt source at a time.
	let run = market.run(&alice_batch(&file, MODEL, &["--prompt", "x"]));
	assert_eq!(run.code, 2, "{}", run.text);
}
