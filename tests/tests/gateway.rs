//! End to end through `aitbc-gateway`: the real node, miner and gateway binaries on loopback,
//! the real llama.cpp server, and the official `openai` Python client. Each test starts its own
//! dev chain ([`Setup`]).

use std::time::Duration;

use aitbc_client::{stream, Chain, Connect, Keypair};
use aitbc_e2e::{
	gateway::{create_key, http, openai, ApiKey, Gateway},
	harness::{wait_until, Node, Process, TempDir},
	llama,
	market::{amount, cli_ok, register, start_miner},
};
use serde_json::{json, Value};

/// A dev chain with the llama.cpp server, one registered miner on it, and a gateway with a
/// funded API key. Fields drop in order: processes stop before the directory goes.
struct Setup {
	gateway: Gateway,
	miner: Process,
	_llama: llama::Llama,
	node: Node,
	key: ApiKey,
	rt: tokio::runtime::Runtime,
	_dir: TempDir,
}

impl Setup {
	fn start(name: &str) -> Setup {
		let dir = TempDir::new(name);
		let mut node = Node::start(&["--dev", "--tmp"], dir.path());
		node.wait_ready(Duration::from_secs(60));
		wait_until(Duration::from_secs(60), "block 1", || {
			node.best_number().ok().filter(|n| *n >= 1)
		})
		.expect("the chain produces blocks");
		let url = node.ws_url();
		let llama = llama::start(dir.path());
		register(&url, "bob", "//Charlie", llama::MODEL, 2);
		let miner = start_miner(&url, "//Charlie", "openai", &llama.url, dir.path(), "miner");
		let data = dir.path().join("gateway");
		let key = create_key(&data, "app", &["--rate-limit", "600", "--spend-cap", "50"]);
		fund(&url, &key.address, "100");
		let gateway = Gateway::start(&url, &data, dir.path(), "gateway");
		let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
		// The miner's stream endpoint is on chain once its daemon has advertised it.
		let setup = Setup { gateway, miner, _llama: llama, node, key, rt, _dir: dir };
		wait_until(Duration::from_secs(30), "the miner's endpoint on chain", || {
			setup.endpoint().map(|_| ())
		})
		.expect("the miner advertises its stream endpoint");
		setup
	}

	fn url(&self) -> String {
		self.node.ws_url()
	}

	fn chain(&self) -> Chain {
		self.rt.block_on(Chain::connect(&Connect::new(self.url()))).expect("connect")
	}

	/// The miner's stream endpoint, from the chain.
	fn endpoint(&self) -> Option<String> {
		let charlie = subxt_signer_dev("Charlie").public_key().to_account_id();
		self.rt.block_on(async {
			let chain = Chain::connect(&Connect::new(self.url())).await.ok()?;
			chain.miner_endpoint(&charlie).await.ok().flatten()
		})
	}

	/// A job as `aitbc_job` returns it.
	fn job(&self, job_id: u64) -> Value {
		cli_ok(&self.url(), &["status", &job_id.to_string()])["job"].clone()
	}

	/// Waits until the job has ended; returns it.
	fn ended(&self, job_id: u64) -> Value {
		wait_until(Duration::from_secs(120), "the job to end", || {
			let job = self.job(job_id);
			["completed", "failed", "expired", "cancelled"]
				.contains(&job["status"].as_str().unwrap_or_default())
				.then_some(job)
		})
		.unwrap_or_else(|e| panic!("job {job_id}: {e}\n{}", self.miner.log_tail()))
	}
}

fn subxt_signer_dev(name: &str) -> Keypair {
	aitbc_client::keys::Key::from_uri(&format!("//{name}")).expect("dev key").pair().clone()
}

/// Alice sends `ait` AIT to `address`.
fn fund(url: &str, address: &str, ait: &str) {
	cli_ok(url, &["--account", "alice", "wallet", "transfer", "--to", address, "--amount", ait]);
}

fn job_request(prompt: &str) -> Value {
	json!({"type": "inference", "prompt": prompt, "model": llama::MODEL, "max_tokens": 16, "temperature": 0})
}

/// The seeds' REST flow: submit, poll to completed, the receipt with every field verified;
/// cancel of a queued job; and every error status with its stable JSON shape.
#[test]
fn rest_flow_cancel_and_every_error_status() {
	let setup = Setup::start("gw-rest");
	let gw = &setup.gateway;
	let key = Some(setup.key.key.as_str());

	let health = gw.request("GET", "/health", None, None);
	assert_eq!(health.status, 200, "{}", health.body);

	let miners = gw.request("GET", "/v1/miners", key, None);
	assert_eq!(miners.status, 200, "{}", miners.body);
	assert!(miners.body.contains(llama::MODEL), "{}", miners.body);

	// Submit, then poll until completed.
	let submitted = gw.request("POST", "/v1/jobs", key, Some(&job_request("Say hello.")));
	assert_eq!(submitted.status, 201, "{}", submitted.body);
	let job_id = submitted.json["job_id"].as_u64().expect("job_id");
	assert!(submitted.json["submitted_at"].is_string(), "{}", submitted.body);
	let done = wait_until(Duration::from_secs(120), "the job to complete", || {
		let reply = gw.request("GET", &format!("/v1/jobs/{job_id}"), key, None);
		(reply.json["status"] == "completed").then_some(reply.json)
	})
	.unwrap_or_else(|e| panic!("{e}\n{}", setup.miner.log_tail()));
	let on_chain = setup.job(job_id);
	assert_eq!(done["result"], on_chain["output"], "the result is the on-chain output");
	assert!(done["receipt_id"].is_u64() && done["completed_at"].is_string(), "{done}");
	let receipt = gw.request("GET", &format!("/v1/jobs/{job_id}/receipt"), key, None);
	assert_eq!(receipt.status, 200, "{}", receipt.body);
	assert_eq!(receipt.json["verified"], true, "{}", receipt.body);
	for field in [
		"id",
		"job_id",
		"client",
		"miner_owner",
		"operator",
		"model",
		"prompt_hash",
		"output_hash",
		"usage",
		"price",
		"signature",
	] {
		assert!(!receipt.json[field].is_null(), "receipt field {field}: {}", receipt.body);
	}

	// Cancel: a job offering less than any miner asks (above the minimum fee) stays queued, and
	// is cancelled.
	let mut cheap = job_request("Wait in the queue.");
	cheap["payment"] = json!("0.0000001");
	let queued = gw.request("POST", "/v1/jobs", key, Some(&cheap));
	assert_eq!(queued.status, 201, "{}", queued.body);
	let queued_id = queued.json["job_id"].as_u64().expect("job_id");
	assert_eq!(queued.json["status"], "queued", "{}", queued.body);
	let cancelled = gw.request("POST", &format!("/v1/jobs/{queued_id}/cancel"), key, None);
	assert_eq!(cancelled.status, 200, "{}", cancelled.body);
	assert_eq!(setup.job(queued_id)["status"], "cancelled");

	// 400: a prompt over the chain's 4,000 characters; a model no miner serves.
	let long = gw.request("POST", "/v1/jobs", key, Some(&job_request(&"a".repeat(4001))));
	assert_error(&long, 400, "prompt_too_long");
	let mut bad_model = job_request("hi");
	bad_model["model"] = json!("no-such-model");
	assert_error(&gw.request("POST", "/v1/jobs", key, Some(&bad_model)), 400, "invalid_model");
	// 401: no key, an unknown key.
	assert_error(&gw.request("GET", "/v1/miners", None, None), 401, "invalid_api_key");
	assert_error(
		&gw.request("GET", "/v1/miners", Some("aitbc_nope"), None),
		401,
		"invalid_api_key",
	);
	// 402: an account without funds.
	let poor = create_key(&gw.data_dir, "poor", &[]);
	assert_error(
		&gw.request("POST", "/v1/jobs", Some(&poor.key), Some(&job_request("hi"))),
		402,
		"insufficient_funds",
	);
	// 402: over the key's spend cap (50 AIT) with one job.
	let mut dear = job_request("hi");
	dear["payment"] = json!("60");
	assert_error(&gw.request("POST", "/v1/jobs", key, Some(&dear)), 402, "spend_cap_exceeded");
	// 404: an unknown job, and another key's job.
	assert_error(&gw.request("GET", "/v1/jobs/999999", key, None), 404, "not_found");
	assert_error(
		&gw.request("GET", &format!("/v1/jobs/{job_id}"), Some(&poor.key), None),
		404,
		"not_found",
	);
	// 429: a key allowed 2 requests a minute, with Retry-After.
	let slow = create_key(&gw.data_dir, "slow", &["--rate-limit", "2"]);
	for _ in 0..2 {
		assert_eq!(gw.request("GET", "/v1/miners", Some(&slow.key), None).status, 200);
	}
	let limited = gw.request("GET", "/v1/miners", Some(&slow.key), None);
	assert_error(&limited, 429, "rate_limit_exceeded");
	let retry: u64 =
		limited.header("retry-after").and_then(|s| s.parse().ok()).expect("Retry-After");
	assert!((1..=60).contains(&retry), "Retry-After {retry}");
	// A revoked key is unknown at once.
	aitbc_e2e::gateway::admin(&gw.data_dir, &["revoke", "--name", "slow"]);
	assert_error(&gw.request("GET", "/v1/miners", Some(&slow.key), None), 401, "invalid_api_key");
	// 503: the node is gone.
	let Setup { gateway, mut node, key, .. } = setup;
	node.stop();
	let down = gateway.request("POST", "/v1/jobs", Some(&key.key), Some(&job_request("hi")));
	assert_error(&down, 503, "node_unavailable");
}

/// The error JSON: the status, `{"error": {"type", "code", "message"}}` with the code.
fn assert_error(reply: &aitbc_e2e::gateway::Reply, status: u16, code: &str) {
	assert_eq!(reply.status, status, "{}", reply.body);
	let error = &reply.json["error"];
	assert_eq!(error["code"], code, "{}", reply.body);
	assert!(error["type"].is_string() && error["message"].is_string(), "{}", reply.body);
	assert!(!error["message"].as_str().unwrap_or_default().contains('\n'), "{}", reply.body);
}

/// The official `openai` client: models, a chat and a text completion, and a stream whose
/// tokens arrive before the job completes on chain, whose concatenation is the on-chain output,
/// and whose receipt verifies.
#[test]
fn openai_client_with_and_without_streaming() {
	let setup = Setup::start("gw-openai");
	let (gw, key) = (&setup.gateway, &setup.key);

	let models = openai(gw, key, llama::MODEL, "models");
	assert_eq!(models["models"], json!([llama::MODEL]), "{models}");

	let chat = openai(gw, key, llama::MODEL, "chat");
	let job = setup.job(chat["job_id"].as_u64().expect("job id"));
	assert_eq!(job["status"], "completed");
	assert_eq!(chat["text"], job["output"], "the answer is the on-chain output");
	assert_eq!(chat["aitbc"]["signature_verified"], true, "{chat}");
	assert!(chat["usage"]["completion_tokens"].as_u64().unwrap_or(0) > 0, "{chat}");

	let completion = openai(gw, key, llama::MODEL, "completion");
	let job = setup.job(completion["job_id"].as_u64().expect("job id"));
	assert_eq!(completion["text"], job["output"]);
	assert_eq!(completion["aitbc"]["signature_verified"], true, "{completion}");

	let streamed = openai(gw, key, llama::MODEL, "stream");
	let job_id = streamed["job_id"].as_u64().expect("job id");
	let job = setup.job(job_id);
	assert_eq!(job["status"], "completed");
	assert!(streamed["pieces"].as_u64().unwrap_or(0) > 1, "tokens came in pieces: {streamed}");
	assert_ne!(
		streamed["status_at_first_token"], "completed",
		"the first token arrived before the job completed on chain: {streamed}"
	);
	assert_eq!(streamed["text"], job["output"], "the streamed text is the on-chain output");
	assert_eq!(streamed["aitbc"]["signature_verified"], true, "{streamed}");
	assert_eq!(streamed["aitbc"]["job_id"], json!(job_id), "{streamed}");
	assert!(streamed["usage"]["completion_tokens"].as_u64().unwrap_or(0) > 0, "{streamed}");
	let receipt =
		setup.gateway.request("GET", &format!("/v1/jobs/{job_id}/receipt"), Some(&key.key), None);
	assert_eq!(receipt.json["verified"], true, "{}", receipt.body);
}

/// A miner's stream opens only with the job's client's signature over the job id; and a stream
/// the client cuts off still ends the job as documented (docs/gateway.md): the miner finishes,
/// the job completes on chain and the client is billed the receipt's price.
#[test]
fn a_miners_stream_is_the_clients_and_a_cut_stream_is_billed_as_completed() {
	let setup = Setup::start("gw-stream");
	let url = setup.url();
	let endpoint = setup.endpoint().expect("endpoint");

	// Alice submits directly (not through the gateway) and reads her job's stream.
	let submitted = cli_ok(
		&url,
		&[
			"--account",
			"alice",
			"submit",
			"inference",
			"--prompt",
			"Count to five.",
			"--model",
			llama::MODEL,
			"--max-tokens",
			"24",
		],
	);
	let job_id = submitted["job_id"].as_u64().expect("job id");
	let chain = setup.chain();
	let genesis = chain.genesis_hash();
	let alice = aitbc_client::keys::Key::from_uri("//Alice").expect("alice");
	let dave = aitbc_client::keys::Key::from_uri("//Dave").expect("dave");
	let path = stream::path(job_id);
	let header = |key: &aitbc_client::keys::Key, job: u64| {
		vec![(stream::SIGNATURE_HEADER, stream::sign(key, genesis, job))]
	};
	assert_eq!(http(&endpoint, "GET", &path, &[], None).status, 401, "no signature");
	assert_eq!(
		http(&endpoint, "GET", &path, &header(&dave, job_id), None).status,
		401,
		"another key"
	);
	assert_eq!(
		http(&endpoint, "GET", &path, &header(&alice, job_id + 1), None).status,
		401,
		"signed for another job"
	);
	let read = http(&endpoint, "GET", &path, &header(&alice, job_id), None);
	assert_eq!(read.status, 200, "{}", read.body);
	let events: Vec<stream::StreamEvent> = read
		.body
		.lines()
		.filter_map(|l| l.strip_prefix("data:"))
		.filter_map(|d| serde_json::from_str(d.trim()).ok())
		.collect();
	let text: String = events
		.iter()
		.filter_map(|e| match e {
			stream::StreamEvent::Token { text } => Some(text.as_str()),
			_ => None,
		})
		.collect();
	assert!(matches!(events.last(), Some(stream::StreamEvent::Done { .. })), "{}", read.body);
	let job = setup.ended(job_id);
	assert_eq!(job["status"], "completed");
	assert_eq!(
		text,
		job["output"].as_str().unwrap_or_default(),
		"the stream is the on-chain output"
	);

	// The client cuts its stream off after the first token: the job still completes, and the
	// receipt's price is what the key is billed.
	let cut = openai(&setup.gateway, &setup.key, llama::MODEL, "cut");
	let job_id = cut["job_id"].as_u64().expect("job id");
	assert!(cut["pieces"].as_u64().unwrap_or(0) >= 1, "{cut}");
	let job = setup.ended(job_id);
	assert_eq!(job["status"], "completed", "a cut-off stream does not stop the job: {job}");
	let receipt = cli_ok(&url, &["receipts", "--job-id", &job_id.to_string()]);
	let price = amount(&receipt["receipts"][0]["price"]);
	assert!(price > 0, "{receipt}");
	let billed = wait_until(Duration::from_secs(30), "the key's spend to settle", || {
		spent(&setup.gateway, "app").filter(|spent| *spent >= price)
	});
	assert!(billed.is_ok(), "the cut-off job's price is billed to the key: {billed:?}");
}

/// A stream the miner cuts off (its daemon dies mid-generation) ends as documented
/// (docs/gateway.md): the job ends on chain without a result, the escrow is refunded in full,
/// and the gateway's stream ends with an error chunk and `[DONE]`, nothing billed.
#[test]
fn a_stream_the_miner_cuts_off_ends_with_an_error_and_a_full_refund() {
	let mut setup = Setup::start("gw-miner-cut");
	let address = setup.key.address.clone();
	let (base, key) = (setup.gateway.url.clone(), setup.key.key.clone());
	let request = std::thread::spawn(move || {
		let body = json!({
			"model": llama::MODEL,
			"stream": true,
			"max_tokens": 400,
			"messages": [{"role": "user", "content": "Tell a long story about a lighthouse keeper."}],
		});
		http(
			&base,
			"POST",
			"/v1/chat/completions",
			&[("Authorization", format!("Bearer {key}"))],
			Some(&body),
		)
	});
	// Kill the miner once the gateway has relayed its first tokens.
	wait_until(Duration::from_secs(60), "the first streamed tokens", || {
		let metrics = http(&setup.gateway.url, "GET", "/metrics", &[], None).body;
		metrics
			.lines()
			.find(|l| l.starts_with("aitbc_gateway_tokens_streamed_total"))
			.and_then(|l| l.split_whitespace().last()?.parse::<f64>().ok())
			.filter(|n| *n > 0.0)
	})
	.expect("tokens were streamed");
	setup.miner.kill();
	let reply = request.join().expect("the request thread");
	assert_eq!(reply.status, 200, "{}", reply.body);
	let data: Vec<&str> =
		reply.body.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).collect();
	assert_eq!(data.last(), Some(&"[DONE]"), "{}", reply.body);
	let last: Value = serde_json::from_str(data[data.len() - 2]).expect("the last chunk is JSON");
	assert!(last["error"]["message"].is_string(), "the stream ends with an error: {}", reply.body);
	let job_id = reply
		.body
		.split("\"id\":\"aitbc-")
		.nth(1)
		.and_then(|rest| rest.split('"').next()?.parse::<u64>().ok())
		.expect("the chunks name the job");
	let job = setup.ended(job_id);
	assert_ne!(job["status"], "completed", "{job}");
	// Refunded in full: no receipt, nothing left on hold but the job's storage deposit, and the
	// key billed nothing.
	let url = setup.url();
	let receipts = aitbc_e2e::market::cli(&url, &["receipts", "--job-id", &job_id.to_string()]);
	assert_eq!(receipts.json["error"]["class"], "not_found", "no receipt: {}", receipts.stdout);
	let balance = cli_ok(&url, &["wallet", "balance", &address]);
	assert_eq!(amount(&balance["reserved"]), amount(&job["deposit"]), "{balance} {job}");
	assert_eq!(spent(&setup.gateway, "app"), Some(0));
}

/// What API key `name` has spent so far (`aitbc-gateway keys list --json`).
fn spent(gateway: &Gateway, name: &str) -> Option<u128> {
	let listed = aitbc_e2e::gateway::admin(&gateway.data_dir, &["list", "--json"]);
	let json: Value = serde_json::from_str(listed.lines().last()?).ok()?;
	let key = json["keys"].as_array()?.iter().find(|k| k["name"] == name)?.clone();
	Some(amount(&key["spent"]))
}
