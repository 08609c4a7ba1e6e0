//! A job's live token stream on the real binaries (node, `aitbc-miner`, the Ollama-protocol
//! test backend): the miner advertises its stream server on chain, serves the job's tokens to
//! the job's client (and only to it) while generating, before the result is on chain, and the
//! streamed text is the output the chain stores.

use std::time::Duration;

use aitbc_client::{keys::Key, stream, Chain, Connect};
use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{Node, TempDir},
	market::{cli, cli_ok, register, start_miner, stream_url, wait_job},
};

const MODEL: &str = "llama3.2:latest";

/// An open SSE response, read event by event.
struct Reader {
	response: reqwest::Response,
	buffer: String,
}

impl Reader {
	/// The next event; `None` once the server closed the stream.
	async fn next(&mut self) -> Option<stream::StreamEvent> {
		loop {
			if let Some(end) = self.buffer.find("\n\n") {
				let message: String = self.buffer.drain(..end + 2).collect();
				if let Some(data) = message.lines().find_map(|l| l.strip_prefix("data:")) {
					return Some(serde_json::from_str(data.trim()).expect("a stream event"));
				}
				continue;
			}
			let chunk = self.response.chunk().await.expect("the stream reads")?;
			self.buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
		}
	}
}

#[test]
fn the_client_reads_its_jobs_tokens_before_the_result_is_on_chain() {
	let dir = TempDir::new("miner-stream");
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	let url = node.ws_url();
	let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
	// The latency is spread over the words: the stream runs for a few seconds.
	let backend = rt
		.block_on(TestBackend::start(
			"127.0.0.1:0".parse().unwrap(),
			&[MODEL],
			Mode::Ok,
			Duration::from_secs(3),
		))
		.expect("start the test backend");
	register(&url, "bob", "//Charlie", MODEL, 1);
	let miner = start_miner(&url, "//Charlie", "ollama", &backend.url(), dir.path(), "miner");
	let endpoint = stream_url(&miner).expect("the miner logs its stream URL");
	let chain = rt.block_on(Chain::connect(&Connect::new(url.clone()))).expect("connect");
	let charlie = Key::from_uri("//Charlie").unwrap().account();
	let advertised = aitbc_e2e::harness::wait_until(
		Duration::from_secs(30),
		"the miner's endpoint on chain",
		|| rt.block_on(chain.miner_endpoint(&charlie)).ok().flatten(),
	);
	assert_eq!(advertised.as_deref(), Ok(endpoint.as_str()), "advertised on chain");

	let submitted = cli_ok(
		&url,
		&[
			"--account",
			"alice",
			"submit",
			"inference",
			"--prompt",
			"one two three four five six",
			"--model",
			MODEL,
			"--max-tokens",
			"8",
			"--max-price",
			"0.001",
		],
	);
	let job_id = submitted["job_id"].as_u64().expect("a job id");
	let stream_of = |key: &Key| {
		let signature = stream::sign(key, chain.genesis_hash(), job_id);
		rt.block_on(
			reqwest::Client::new()
				.get(format!("{endpoint}{}", stream::path(job_id)))
				.header(stream::SIGNATURE_HEADER, signature)
				.send(),
		)
		.expect("the stream server answers")
	};

	let bob = stream_of(&Key::from_uri("//Bob").unwrap());
	assert_eq!(bob.status(), 401, "only the job's client reads its stream");

	let alice = stream_of(&Key::from_uri("//Alice").unwrap());
	assert_eq!(alice.status(), 200);
	let mut reader = Reader { response: alice, buffer: String::new() };
	let first = rt.block_on(reader.next()).expect("a first event");
	assert!(matches!(first, stream::StreamEvent::Token { .. }), "{first:?}");
	let status = cli(&url, &["status", &job_id.to_string()]).json["job"]["status"].clone();
	assert_ne!(status, "completed", "the first token comes before the result is on chain");

	let mut events = vec![first];
	while let Some(event) = rt.block_on(reader.next()) {
		events.push(event);
	}
	let (last, tokens) = events.split_last().expect("events");
	let text: String = tokens
		.iter()
		.map(|event| match event {
			stream::StreamEvent::Token { text } => text.as_str(),
			other => panic!("a token before the end, not {other:?}"),
		})
		.collect();
	assert!(tokens.len() > 1, "tokens came as they were generated: {tokens:?}");

	let job = wait_job(&url, job_id, Duration::from_secs(60), "completed", |j| {
		j["status"] == "completed"
	});
	assert_eq!(job["output"].as_str(), Some(text.as_str()), "the streamed text is the output");
	assert_eq!(
		*last,
		stream::StreamEvent::Done {
			prompt_tokens: job["usage"]["prompt_tokens"].as_u64().unwrap() as u32,
			output_tokens: job["usage"]["output_tokens"].as_u64().unwrap() as u32,
		},
		"the stream ends with the counts the chain billed"
	);
}
