//! `dao` against a dev node, run in-process into a buffer: the tracks, referenda, committee and
//! treasury read from the chain (their JSON shape), a proposal and a vote, a proposal to cancel
//! it, and the errors that say what to do (unknown track, unknown or ended referendum, not a
//! committee member, a balance below the deposits).

mod common;

use common::Chain;
use serde_json::Value;

/// The `error` object of a failed `--json` run: exit code, class and message.
fn failure(chain: &Chain, args: &[&str]) -> (u8, String, String) {
	let mut argv = vec!["--json"];
	argv.extend_from_slice(args);
	let run = chain.run(&argv);
	let error = &run.json()["error"];
	let class = error["class"].as_str().unwrap_or_default().to_string();
	let message = error["message"].as_str().unwrap_or_default().to_string();
	(run.code, class, message)
}

fn is_decimal(value: &Value) -> bool {
	value.as_str().is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn governance_reads_the_chain_proposes_votes_and_explains_errors() {
	let chain = Chain::start("cli-dao");

	// The tracks come from the connected chain: a dev node runs the development periods, not
	// the production ones of the committed metadata.
	let tracks = chain.ok_json(&["dao", "tracks"]);
	assert_eq!(tracks["operation"], "dao.tracks");
	let all = tracks["tracks"].as_array().unwrap();
	let names: Vec<&str> = all.iter().map(|t| t["name"].as_str().unwrap()).collect();
	for name in [
		"root",
		"whitelisted_caller",
		"referendum_canceller",
		"referendum_killer",
		"market_params",
		"miner_admin",
		"validator_admin",
		"small_spender",
		"big_spender",
	] {
		assert!(names.contains(&name), "{name} in {names:?}");
	}
	let market = all.iter().find(|t| t["name"] == "market_params").unwrap();
	assert_eq!(market["id"], 10);
	assert_eq!(market["decision_period"], 150, "development timing: {market}");
	assert!(is_decimal(&market["decision_deposit"]), "{market}");
	assert_eq!(market["min_support"]["shape"], "linear_decreasing");
	assert_eq!(market["min_support"]["ceil_percent"], 10.0);
	assert!(is_decimal(&tracks["submission_deposit"]));
	assert!(tracks["vote_locking_period"].as_u64().unwrap() > 0);
	assert!(chain.ok(&["dao", "tracks"]).text.contains("market_params"));

	// Nothing yet.
	let list = chain.ok_json(&["dao", "list"]);
	assert_eq!(
		(list["count"].as_u64(), list["referenda"].as_array().map(Vec::len)),
		(Some(0), Some(0))
	);
	let committee = chain.ok_json(&["dao", "committee", "list"]);
	assert_eq!(committee["members"].as_array().unwrap().len(), 3, "{committee}");
	assert_eq!(committee["motions"], serde_json::json!([]));
	let treasury = chain.ok_json(&["dao", "treasury"]);
	assert!(treasury["account"].is_string() && is_decimal(&treasury["free"]), "{treasury}");
	assert_eq!(treasury["spends"], serde_json::json!([]));

	// Errors, before anything is signed: each names what to do.
	let (code, class, message) = failure(&chain, &["dao", "list", "--track", "nope"]);
	assert_eq!((code, class.as_str()), (2, "usage"));
	assert!(
		message.contains("unknown track nope; tracks: root, whitelisted_caller, ")
			&& message.contains("market_params"),
		"{message}"
	);
	let (code, _, message) = failure(
		&chain,
		&[
			"--dev",
			"--account",
			"bob",
			"dao",
			"delegate",
			"--track",
			"99",
			"--to",
			"dave",
			"--amount",
			"1",
		],
	);
	assert_eq!(code, 2);
	assert!(message.contains("unknown track 99"), "{message}");
	let (code, class, message) = failure(&chain, &["dao", "show", "5"]);
	assert_eq!((code, class.as_str()), (3, "not_found"));
	assert!(message.contains("referendum 5 does not exist"), "{message}");
	let (code, class, message) = failure(
		&chain,
		&[
			"--dev",
			"--account",
			"//Nobody",
			"dao",
			"propose",
			"market-params",
			"--protocol-fee",
			"3%",
		],
	);
	assert_eq!((code, class.as_str()), (4, "rejected"));
	assert!(
		message.contains("deposit too low")
			&& message.contains("below the submission + decision deposit (1010 AIT needed"),
		"{message}"
	);
	let (code, _, message) = failure(
		&chain,
		&["--dev", "--account", "alice", "dao", "propose", "spend", "100001", "--to", "eve"],
	);
	assert_eq!(code, 2);
	assert!(message.contains("above the big_spender track's cap"), "{message}");
	let (code, _, message) = failure(
		&chain,
		&["--dev", "--account", "alice", "dao", "propose", "market-params", "--protocol-fee", "2%"],
	);
	assert_eq!(code, 2);
	assert!(message.contains("have these values already"), "{message}");
	// A validator must have session keys before a referendum can add it.
	let (code, _, message) = failure(
		&chain,
		&["--dev", "--account", "alice", "dao", "propose", "validator-admin", "add", "dave"],
	);
	assert_eq!(code, 2);
	assert!(message.contains("has no session keys"), "{message}");

	// A proposal: preimage, submission and decision deposits, and what changes.
	let proposed = chain.ok_json(&[
		"--dev",
		"--account",
		"alice",
		"dao",
		"propose",
		"market-params",
		"--protocol-fee",
		"3%",
	]);
	assert_eq!(proposed["operation"], "dao.propose");
	assert_eq!(
		(proposed["index"].as_u64(), proposed["track"].as_str()),
		(Some(0), Some("market_params"))
	);
	assert_eq!(proposed["call"]["name"], "Params.set_parameters");
	assert_eq!(
		proposed["changes"],
		serde_json::json!([{"field": "protocol_fee", "from": "2%", "to": "3%"}])
	);
	assert_eq!(proposed["deposits"]["submission"], tracks["submission_deposit"]);
	assert_eq!(proposed["deposits"]["decision"], market["decision_deposit"]);
	assert!(
		is_decimal(&proposed["deposits"]["preimage"]) && proposed["deposits"]["preimage"] != "0"
	);
	let call_hex = proposed["call"]["hex"].as_str().unwrap().to_string();

	// A vote: conviction 2 counts twice and locks two periods.
	let voted = chain.ok_json(&[
		"--dev",
		"--account",
		"bob",
		"dao",
		"vote",
		"0",
		"aye",
		"--conviction",
		"2",
		"--amount",
		"1000",
	]);
	assert_eq!(voted["votes"], "2000000000000000");
	assert_eq!(voted["lock_blocks"], tracks["vote_locking_period"].as_u64().unwrap() * 2);
	assert_eq!(voted["tally"]["support"], "1000000000000000");
	let (code, _, message) = failure(
		&chain,
		&[
			"--dev",
			"--account",
			"bob",
			"dao",
			"vote",
			"0",
			"abstain",
			"--conviction",
			"1",
			"--amount",
			"1",
		],
	);
	assert_eq!(code, 2);
	assert!(message.contains("no conviction"), "{message}");
	let (code, class, _) =
		failure(&chain, &["--dev", "--account", "bob", "dao", "vote", "7", "aye", "--amount", "1"]);
	assert_eq!((code, class.as_str()), (3, "not_found"));

	// list and show: the tally against the track's curves, the phase and its end.
	let list = chain.ok_json(&["dao", "list"]);
	let row = &list["referenda"][0];
	assert_eq!((row["index"].as_u64(), row["track"].as_str()), (Some(0), Some("market_params")));
	assert!(["preparing", "deciding"].contains(&row["status"].as_str().unwrap()), "{row}");
	assert_eq!(row["tally"]["ayes"], "2000000000000000");
	let show = chain.ok_json(&["dao", "show", "0"]);
	assert_eq!(show["operation"], "dao.show");
	assert_eq!(show["proposal"]["call"], "Params.set_parameters");
	let standing = &show["standing"];
	assert_eq!(standing["approval_percent"], 100.0);
	assert!(standing["support_percent"].as_f64().unwrap() < 1.0, "{standing}");
	assert!(standing["support_threshold_percent"].as_f64().unwrap() > 9.0, "{standing}");
	assert_eq!(standing["passing"], false);
	assert!(show["phase_end"]["blocks_left"].is_u64() && show["phase_end"]["then"].is_string());
	let text = chain.ok(&["dao", "show", "0"]).text;
	assert!(text.contains("Track: market_params (10)") && text.contains("not passing"), "{text}");

	// The committee: members only; a member's whitelist motion comes with its aye.
	let (code, class, message) = failure(
		&chain,
		&["--dev", "--account", "dave", "dao", "committee", "whitelist", "--call-hex", &call_hex],
	);
	assert_eq!((code, class.as_str()), (2, "usage"));
	assert!(message.contains("is not on the technical committee (members: "), "{message}");
	let motion = chain.ok_json(&[
		"--dev",
		"--account",
		"alice",
		"dao",
		"committee",
		"whitelist",
		"--call-hex",
		&call_hex,
	]);
	assert_eq!((motion["index"].as_u64(), motion["threshold"].as_u64()), (Some(0), Some(2)));
	assert_eq!(motion["whitelisted_call_hash"], proposed["call"]["hash"]);
	let committee = chain.ok_json(&["dao", "committee", "list"]);
	assert_eq!(committee["motions"][0]["call"], "Whitelist.whitelist_call");
	assert_eq!(committee["motions"][0]["ayes"].as_array().unwrap().len(), 1);
	let (code, _, message) =
		failure(&chain, &["--dev", "--account", "bob", "dao", "committee", "vote", "9", "aye"]);
	assert_eq!(code, 3);
	assert!(message.contains("no open motion 9"), "{message}");

	// Cancelling referendum 0 is a referendum on its own track; an unknown one is refused
	// before anything is signed.
	let (code, class, message) =
		failure(&chain, &["--dev", "--account", "bob", "dao", "propose", "cancel", "9"]);
	assert_eq!((code, class.as_str()), (3, "not_found"));
	assert!(message.contains("referendum 9 does not exist (the only referendum is 0"), "{message}");
	let canceller = all.iter().find(|t| t["name"] == "referendum_canceller").unwrap();
	let cancel = chain.ok_json(&["--dev", "--account", "bob", "dao", "propose", "cancel", "0"]);
	assert_eq!(cancel["operation"], "dao.propose");
	assert_eq!(
		(cancel["index"].as_u64(), cancel["track"].as_str(), cancel["track_id"].as_u64()),
		(Some(1), Some("referendum_canceller"), canceller["id"].as_u64())
	);
	assert_eq!(
		(cancel["call"]["name"].as_str(), cancel["target"].as_u64()),
		(Some("Referenda.cancel"), Some(0))
	);
	assert_eq!(cancel["deposits"]["submission"], tracks["submission_deposit"]);
	assert_eq!(cancel["deposits"]["decision"], canceller["decision_deposit"]);
	assert!(cancel["proposer"].is_string() && cancel["block"].is_string(), "{cancel}");
	assert!(cancel.get("changes").is_none() && cancel.get("whitelisted").is_none(), "{cancel}");
	let show = chain.ok_json(&["dao", "show", "1"]);
	assert_eq!(
		(show["track"].as_str(), show["proposal"]["call"].as_str()),
		(Some("referendum_canceller"), Some("Referenda.cancel"))
	);
}
