//! Streaming answers: once the job is held by a miner, the miner's token stream of the job is
//! opened (signed with the client's key) and each token forwarded as an OpenAI chunk as it
//! arrives; after the miner's `done` the relay waits for the job to complete on chain, sends what
//! the chain's output has beyond the streamed text (if anything: the miner's stream broke, or it
//! serves none), then a final chunk with `finish_reason`, `usage` and `aitbc` (with
//! `stream_matches_output`), then `[DONE]`. A job that ends without a result ends the stream
//! with an `error` chunk and `[DONE]`. A client that goes away stops the relay only: the job is
//! not cancelled, and is settled when it ends.
//!
//! The miner is not trusted to end its stream: once the job has ended on chain the relay stops
//! reading it and finishes from the chain's output, and a stream that sends more text than the
//! chain's `max_output_len`, an oversized event, or nothing for a minute counts as broken.

use std::{convert::Infallible, time::Instant};

use aitbc_client::stream::{self, StreamEvent};
use aitbc_primitives::JobId;
use axum::body::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::{
	error::ApiError,
	jobs::{Jobs, Submission},
	miner_stream::{MinerStream, StreamError},
	openai::{Api, Head},
	server::AppState,
};

/// The SSE body's stream.
pub fn receiver_stream(
	receiver: mpsc::Receiver<Bytes>,
) -> impl futures::Stream<Item = Result<Bytes, Infallible>> {
	futures::stream::unfold(receiver, |mut receiver| async move {
		receiver.recv().await.map(|bytes| (bytes, receiver))
	})
	.map(Ok)
}

/// One SSE message carrying `value`.
pub fn sse(value: &serde_json::Value) -> Bytes {
	Bytes::from(format!("data: {value}\n\n"))
}

/// The SSE message of an error: `{"error": {...}}`, as OpenAI ends a failed stream.
pub fn error_event(error: &ApiError) -> Bytes {
	let body = serde_json::to_string(&error.body()).unwrap_or_else(|_| "{}".into());
	Bytes::from(format!("data: {body}\n\n"))
}

/// The SSE message that ends a stream.
pub const DONE: &str = "data: [DONE]\n\n";

/// Writes SSE messages to the client; remembers when it went away and when the first token
/// went out.
struct Client {
	sender: mpsc::Sender<Bytes>,
	gone: bool,
	started: Instant,
	first_token: bool,
	state: AppState,
}

impl Client {
	async fn send(&mut self, bytes: Bytes) {
		if !self.gone && self.sender.send(bytes).await.is_err() {
			self.gone = true;
		}
	}

	async fn text(&mut self, head: &Head, text: &str) {
		if text.is_empty() {
			return;
		}
		self.send(sse(&head.text_chunk(text))).await;
		if !self.first_token && !self.gone {
			self.first_token = true;
			self.state.metrics.ttft_seconds.observe(self.started.elapsed().as_secs_f64());
		}
	}
}

/// Relays job `submission`'s tokens from its miner to the client, then the chain's ending.
pub async fn relay(
	state: AppState,
	mut submission: Submission,
	head: Head,
	started: Instant,
	sender: mpsc::Sender<Bytes>,
) {
	let job_id = submission.job_id;
	let mut client =
		Client { sender, gone: false, started, first_token: false, state: state.clone() };
	if head.api == Api::Chat {
		client.send(sse(&head.role_chunk())).await;
	}
	let streamed = relay_miner(&state, &submission, &head, &mut client).await;
	if client.gone {
		tracing::info!(
			job_id,
			"the client went away mid-stream; the job goes on and is settled when it ends"
		);
		return;
	}
	let ended = match Jobs::wait(&mut submission).await {
		Ok(ended) => ended,
		Err(error) => {
			state.metrics.error(error.code);
			client.send(error_event(&error)).await;
			client.send(Bytes::from_static(DONE.as_bytes())).await;
			return;
		}
	};
	if let Some(error) = ended.failure() {
		state.metrics.error(error.code);
		client.send(error_event(&error)).await;
		client.send(Bytes::from_static(DONE.as_bytes())).await;
		return;
	}
	let (Some(job), Some(receipt)) = (&ended.job, &ended.receipt) else {
		let error = ApiError::node_error(format!("job {job_id} completed without its receipt"));
		state.metrics.error(error.code);
		client.send(error_event(&error)).await;
		client.send(Bytes::from_static(DONE.as_bytes())).await;
		return;
	};
	let output = job.output.as_deref().unwrap_or_default();
	let (rest, matches) = unstreamed(output, &streamed);
	match rest {
		Some(rest) => client.text(&head, rest).await,
		None => tracing::warn!(
			job_id,
			"the miner's stream differs from the output on chain; the receipt is for the chain's"
		),
	}
	let mut last = head.final_chunk(receipt, ended.verified);
	mark_stream_match(&mut last, matches);
	client.send(sse(&last)).await;
	client.send(Bytes::from_static(DONE.as_bytes())).await;
}

/// What of the chain's `output` is still to send after `streamed`: the rest when the streamed
/// text is its beginning (all of it matches), else none (the stream differs from the output).
fn unstreamed<'a>(output: &'a str, streamed: &str) -> (Option<&'a str>, bool) {
	let rest = output.strip_prefix(streamed);
	(rest, rest.is_some())
}

/// Adds `stream_matches_output` to the final chunk's `aitbc` object: whether the text the
/// client received is the output the receipt covers.
fn mark_stream_match(chunk: &mut serde_json::Value, matches: bool) {
	if let Some(aitbc) = chunk.get_mut("aitbc").and_then(serde_json::Value::as_object_mut) {
		aitbc.insert("stream_matches_output".into(), matches.into());
	}
}

/// Forwards the miner's tokens of the job until its `done` (or its stream ends or fails);
/// returns the text forwarded.
async fn relay_miner(
	state: &AppState,
	submission: &Submission,
	head: &Head,
	client: &mut Client,
) -> String {
	let job_id = submission.job_id;
	let mut streamed = String::new();
	let Some(operator) = state.jobs.wait_operator(submission).await else { return streamed };
	let chain = &submission.chain;
	let endpoint = match chain.miner_endpoint(&operator).await {
		Ok(Some(endpoint)) => endpoint,
		Ok(None) => {
			tracing::info!(
				job_id,
				"the miner serves no token stream; the text comes from the chain"
			);
			return streamed;
		}
		Err(e) => {
			tracing::warn!(job_id, error = %e, "cannot read the miner's endpoint; the text comes from the chain");
			return streamed;
		}
	};
	let signature = stream::sign(&submission.key, chain.genesis_hash(), job_id);
	let max_output = usize::try_from(chain.constants().max_output_len).unwrap_or(usize::MAX);
	let max_event = max_output.saturating_add(4096);
	// Resolves once the job has ended on chain: from then on the text comes from the chain,
	// whatever the miner's stream still does (comments forever, say).
	let mut ended = submission.ended.clone();
	let job_end = async move {
		let _ = ended.wait_for(Option::is_some).await;
	};
	tokio::pin!(job_end);
	let opened = tokio::select! {
		opened = open_stream(state, submission, &endpoint, &signature, max_event) => opened,
		() = &mut job_end => None,
	};
	let Some(mut miner) = opened else { return streamed };
	loop {
		let next = tokio::select! {
			next = miner.next() => next,
			() = &mut job_end => {
				tracing::info!(job_id, "the job ended on chain; the rest comes from the chain");
				return streamed;
			}
		};
		match next {
			Ok(Some(StreamEvent::Token { text })) => {
				if streamed.len().saturating_add(text.len()) > max_output {
					tracing::warn!(
						job_id,
						max_output,
						"the miner streamed more than an output may hold; the rest comes from the chain"
					);
					return streamed;
				}
				state.metrics.tokens_streamed.inc();
				client.text(head, &text).await;
				streamed.push_str(&text);
				if client.gone {
					return streamed;
				}
			}
			Ok(Some(StreamEvent::Done { .. })) | Ok(None) => return streamed,
			Ok(Some(StreamEvent::Error { reason })) => {
				tracing::info!(job_id, %reason, "the miner's generation failed");
				return streamed;
			}
			Err(e) => {
				tracing::warn!(job_id, error = %e, "the miner's stream broke; the rest comes from the chain");
				return streamed;
			}
		}
	}
}

/// Opens the miner's stream of the job, trying again for a few seconds while the miner does
/// not know the job yet (it learns of it from the block) or cannot be reached; `None` when it
/// cannot be opened or the job ended meanwhile.
async fn open_stream(
	state: &AppState,
	submission: &Submission,
	endpoint: &str,
	signature: &str,
	max_event: usize,
) -> Option<MinerStream> {
	let job_id: JobId = submission.job_id;
	let mut last = None;
	for _ in 0..20 {
		if submission.ended.borrow().is_some() {
			return None;
		}
		match MinerStream::open(&state.http, endpoint, job_id, signature, max_event).await {
			Ok(stream) => return Some(stream),
			Err(StreamError::Refused(why)) => {
				tracing::warn!(job_id, %why, "the miner's endpoint is refused; the text comes from the chain");
				return None;
			}
			Err(StreamError::Status(status)) if status != 404 && status != 503 => {
				tracing::warn!(
					job_id,
					status,
					"the miner refused its stream; the text comes from the chain"
				);
				return None;
			}
			Err(e) => last = Some(e),
		}
		tokio::time::sleep(std::time::Duration::from_millis(250)).await;
	}
	if let Some(e) = last {
		tracing::warn!(job_id, error = %e, "cannot open the miner's stream; the text comes from the chain");
	}
	None
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn messages_are_sse_data_lines() {
		assert_eq!(&sse(&serde_json::json!({"a": 1}))[..], b"data: {\"a\":1}\n\n");
		let error = error_event(&ApiError::job_failed("x"));
		let text = std::str::from_utf8(&error).unwrap();
		assert!(
			text.starts_with("data: {\"error\":{\"type\":\"api_error\",\"code\":\"job_failed\"")
		);
		assert!(text.ends_with("\n\n"));
	}

	#[test]
	fn the_final_chunk_says_whether_the_stream_was_the_output() {
		assert_eq!(unstreamed("Hello world", "Hello"), (Some(" world"), true));
		assert_eq!(unstreamed("Hello", "Hello"), (Some(""), true));
		assert_eq!(unstreamed("Hello", ""), (Some("Hello"), true));
		assert_eq!(unstreamed("Hello", "Help"), (None, false));
		let mut chunk = serde_json::json!({"choices": [], "aitbc": {"job_id": 1}});
		mark_stream_match(&mut chunk, false);
		assert_eq!(
			chunk["aitbc"],
			serde_json::json!({"job_id": 1, "stream_matches_output": false})
		);
		mark_stream_match(&mut chunk, true);
		assert_eq!(chunk["aitbc"]["stream_matches_output"], true);
	}
}
