//! `receipts` (list, verify, claim) and `browser` against a dev node with two completed jobs,
//! run in-process into a buffer.

mod common;

use common::Market;

#[test]
fn receipts_list_verify_claim_and_browser() {
	let market = Market::start("cli-receipts");
	market.completed_job("What is machine learning?");
	let job = market.completed_job("Second job")["job_id"].as_u64().unwrap().to_string();

	let receipts = market.ok(&["receipts", "--job-id", &job]);
	assert!(receipts.text.contains(&format!("(job {job})")), "{}", receipts.text);
	let latest = market.ok_json(&["receipts", "--limit", "1"]);
	assert_eq!(latest["operation"], "receipts");
	assert_eq!(latest["receipts"].as_array().unwrap().len(), 1);
	assert_eq!(latest["receipts"][0]["job_id"].to_string(), job, "snake_case keys: {latest}");
	let receipt_id = latest["receipts"][0]["id"].to_string();
	let verify = market.ok(&["receipts", "verify", &receipt_id]);
	assert!(
		verify.text.contains("Signature: valid") && verify.text.contains("matches the hash"),
		"{}",
		verify.text
	);
	let verified = market.ok_json(&["receipts", "verify", &receipt_id]);
	assert_eq!(
		(verified["valid"].as_bool(), verified["output_matches"].as_bool()),
		(Some(true), Some(true))
	);
	let claim = market.ok_json(&["--dev", "--account", "bob", "receipts", "claim", &receipt_id]);
	assert_eq!(claim["operation"], "receipts.claim");
	assert_eq!(claim["status"], "claimed");

	let browser = market.ok(&["browser", "--blocks", "200", "--receipt-limit", "5"]);
	assert!(
		browser.text.contains("Jobs.JobCompleted") && browser.text.contains("Recent receipts:"),
		"{}",
		browser.text
	);
	let browser = market.ok_json(&["browser", "--blocks", "3", "--receipt-limit", "5"]);
	assert_eq!(browser["blocks"].as_array().unwrap().len(), 3);
	assert_eq!(browser["receipts"].as_array().unwrap().len(), 2);
}
