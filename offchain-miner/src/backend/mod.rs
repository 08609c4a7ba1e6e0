//! Inference backends: Ollama's API and OpenAI-compatible servers (llama.cpp, vLLM).
//!
//! Generation always streams: [`Backend::generate`] hands each piece of text to a sink as the
//! server sends it (the job's live stream, `crate::streams`) and returns the whole
//! [`Generation`] at the end, with the token counts from the server's own numbers (see each
//! backend for how). A stream that breaks off, a line that is not the protocol's, or an error
//! object in the stream is a [`BackendError`], as a failed call is.

mod ollama;
mod openai;

use std::time::Duration;

pub use ollama::Ollama;
pub use openai::{OpenAi, OpenAiMode};

/// One generation request, from a job's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
	/// Model id as the backend knows it.
	pub model: String,
	/// The prompt.
	pub prompt: String,
	/// Sampling temperature.
	pub temperature: f64,
	/// Most tokens to generate.
	pub max_tokens: u32,
	/// Sampling seed.
	pub seed: Option<u64>,
}

/// What the backend produced and what it consumed.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
	/// The generated text.
	pub text: String,
	/// Prompt tokens, as the backend counted them.
	pub prompt_tokens: u32,
	/// Generated tokens, as the backend counted them.
	pub output_tokens: u32,
	/// Compute time: the backend's own figure where it gives one (Ollama's `total_duration`),
	/// else the measured time of the call.
	pub compute_ms: u64,
}

/// Why a backend call failed. [`BackendError::reason`] is the short text put on chain.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum BackendError {
	/// The server could not be reached.
	#[error("backend unreachable: {0}")]
	Unreachable(String),
	/// The server does not have the model.
	#[error("backend does not serve model `{0}`")]
	UnknownModel(String),
	/// The server answered with an error status.
	#[error("backend error {status}: {message}")]
	Status {
		/// HTTP status.
		status: u16,
		/// The server's error message.
		message: String,
	},
	/// The answer was not what the protocol says.
	#[error("backend answered malformed JSON: {0}")]
	Malformed(String),
	/// No answer in time.
	#[error("backend timed out after {0:?}")]
	Timeout(Duration),
	/// The stream broke off before its end, or the server reported an error in it.
	#[error("backend stopped mid-generation: {0}")]
	Interrupted(String),
}

impl BackendError {
	/// The failure reason reported on chain ([`crate::market::report_failure`] cuts it to the
	/// chain's `MaxReasonLen`).
	pub fn reason(&self) -> String {
		self.to_string()
	}

	/// Whether the backend as a whole looks down (not just this request).
	pub fn is_down(&self) -> bool {
		matches!(self, BackendError::Unreachable(_))
	}
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn truncate_utf8(text: &str, max: usize) -> &str {
	if text.len() <= max {
		return text;
	}
	let mut end = max;
	while !text.is_char_boundary(end) {
		end -= 1;
	}
	&text[..end]
}

/// The backend a miner talks to.
#[derive(Clone, Debug)]
pub enum Backend {
	/// Ollama (`/api/tags`, `/api/generate`).
	Ollama(Ollama),
	/// OpenAI-compatible (`/v1/models`, `/v1/chat/completions`, `/v1/completions`).
	OpenAi(OpenAi),
}

impl Backend {
	/// The models the server has.
	pub async fn models(&self) -> Result<Vec<String>, BackendError> {
		match self {
			Backend::Ollama(b) => b.models().await,
			Backend::OpenAi(b) => b.models().await,
		}
	}

	/// Runs one generation, streaming: `sink` gets each piece of text as it arrives (their
	/// concatenation is the returned [`Generation::text`]).
	pub async fn generate(
		&self,
		request: &Request,
		sink: &mut (dyn FnMut(&str) + Send),
	) -> Result<Generation, BackendError> {
		match self {
			Backend::Ollama(b) => b.generate(request, sink).await,
			Backend::OpenAi(b) => b.generate(request, sink).await,
		}
	}

	/// The server's base URL.
	pub fn url(&self) -> &str {
		match self {
			Backend::Ollama(b) => b.url(),
			Backend::OpenAi(b) => b.url(),
		}
	}
}

/// Sends `request` and returns the status and body; transport errors are `Unreachable`.
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, String), BackendError> {
	let response = request.send().await.map_err(transport_error)?;
	let status = response.status().as_u16();
	let body = response.text().await.map_err(|e| BackendError::Unreachable(root_cause(&e)))?;
	Ok((status, body))
}

/// Sends a streaming `request` for `model` and returns the response once its status is 200
/// (404 is an unknown model; any other status an error with the server's message).
async fn open_stream(
	request: reqwest::RequestBuilder,
	model: &str,
) -> Result<reqwest::Response, BackendError> {
	let response = request.send().await.map_err(transport_error)?;
	let status = response.status().as_u16();
	if status == 200 {
		return Ok(response);
	}
	if status == 404 {
		return Err(BackendError::UnknownModel(model.to_string()));
	}
	let body = response.text().await.unwrap_or_default();
	Err(BackendError::Status { status, message: error_message(&body) })
}

/// Reads `response`'s body as it arrives and hands each complete line to `on_line`, in order
/// (a last line without a line end included).
async fn read_lines(
	mut response: reqwest::Response,
	mut on_line: impl FnMut(&str) -> Result<(), BackendError>,
) -> Result<(), BackendError> {
	let mut lines = LineBuffer::default();
	while let Some(chunk) = response.chunk().await.map_err(|e| match transport_error(e) {
		BackendError::Unreachable(cause) => BackendError::Interrupted(cause),
		other => other,
	})? {
		for line in lines.push(&chunk)? {
			on_line(&line)?;
		}
	}
	match lines.finish()? {
		Some(line) => on_line(&line),
		None => Ok(()),
	}
}

/// Splits a byte stream into lines as its chunks arrive, whatever their size: a line (or a
/// character) cut across two chunks comes out whole.
#[derive(Default, Debug)]
struct LineBuffer {
	pending: Vec<u8>,
}

impl LineBuffer {
	/// Feeds `bytes`; returns the lines they complete, without their `\n` or `\r\n`.
	fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, BackendError> {
		self.pending.extend_from_slice(bytes);
		let mut lines = Vec::new();
		while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
			let mut line: Vec<u8> = self.pending.drain(..=end).collect();
			line.pop();
			if line.last() == Some(&b'\r') {
				line.pop();
			}
			lines.push(utf8(line)?);
		}
		Ok(lines)
	}

	/// The last line, when the stream ended without a line end after it.
	fn finish(self) -> Result<Option<String>, BackendError> {
		if self.pending.is_empty() {
			return Ok(None);
		}
		utf8(self.pending).map(Some)
	}
}

fn utf8(line: Vec<u8>) -> Result<String, BackendError> {
	String::from_utf8(line).map_err(|_| BackendError::Malformed("a line is not UTF-8".into()))
}

fn transport_error(e: reqwest::Error) -> BackendError {
	if e.is_timeout() {
		BackendError::Timeout(Duration::ZERO)
	} else {
		BackendError::Unreachable(root_cause(&e))
	}
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
	let mut cause = e;
	while let Some(next) = cause.source() {
		cause = next;
	}
	cause.to_string()
}

/// The message of an `error` field: a string, or an object with a `message`.
fn error_text(error: &serde_json::Value) -> String {
	let message = error
		.as_str()
		.map(str::to_string)
		.or_else(|| error.get("message").and_then(|m| m.as_str()).map(str::to_string))
		.unwrap_or_else(|| error.to_string());
	truncate_utf8(&message, 200).to_string()
}

/// The `error` text of an error body (`{"error": "..."}` or `{"error": {"message": "..."}}`),
/// or the body itself.
fn error_message(body: &str) -> String {
	let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
	match parsed.as_ref().and_then(|v| v.get("error")) {
		Some(error) => error_text(error),
		None => truncate_utf8(body.trim(), 200).to_string(),
	}
}

fn http_client() -> reqwest::Client {
	reqwest::Client::builder()
		.connect_timeout(Duration::from_secs(5))
		.build()
		.unwrap_or_else(|_| reqwest::Client::new())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn lines_come_out_whole_whatever_the_chunks() {
		let text = "{\"a\":\"é\"}\r\nsecond\n\nlast";
		for split in 0..=text.len() {
			let (one, two) = text.as_bytes().split_at(split);
			let mut buffer = LineBuffer::default();
			let mut lines = buffer.push(one).unwrap();
			lines.extend(buffer.push(two).unwrap());
			lines.extend(buffer.finish().unwrap());
			assert_eq!(lines, ["{\"a\":\"é\"}", "second", "", "last"], "split at {split}");
		}
		assert!(LineBuffer::default().push(b"\xff\n").is_err(), "not UTF-8");
	}

	#[test]
	fn error_fields_read_as_one_message() {
		assert_eq!(error_message(r#"{"error":"model not found"}"#), "model not found");
		assert_eq!(error_message(r#"{"error":{"message":"bad","code":400}}"#), "bad");
		assert_eq!(error_message(" plain \n"), "plain");
	}
}
