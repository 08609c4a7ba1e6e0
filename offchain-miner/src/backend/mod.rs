//! Inference backends: Ollama's API and OpenAI-compatible servers (llama.cpp, vLLM).
//!
//! Both run without streaming and report token counts from the server's own numbers.

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

	/// Runs one generation.
	pub async fn generate(&self, request: &Request) -> Result<Generation, BackendError> {
		match self {
			Backend::Ollama(b) => b.generate(request).await,
			Backend::OpenAi(b) => b.generate(request).await,
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
	let response = request.send().await.map_err(|e| {
		if e.is_timeout() {
			BackendError::Timeout(Duration::ZERO)
		} else {
			BackendError::Unreachable(root_cause(&e))
		}
	})?;
	let status = response.status().as_u16();
	let body = response.text().await.map_err(|e| BackendError::Unreachable(root_cause(&e)))?;
	Ok((status, body))
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
	let mut cause = e;
	while let Some(next) = cause.source() {
		cause = next;
	}
	cause.to_string()
}

/// The `error` text of an error body (`{"error": "..."}` or `{"error": {"message": "..."}}`),
/// or the body itself.
fn error_message(body: &str) -> String {
	let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
	let message = parsed.as_ref().and_then(|v| {
		let error = v.get("error")?;
		error
			.as_str()
			.map(str::to_string)
			.or_else(|| error.get("message").and_then(|m| m.as_str()).map(str::to_string))
	});
	truncate_utf8(message.as_deref().unwrap_or(body.trim()), 200).to_string()
}

fn http_client() -> reqwest::Client {
	reqwest::Client::builder()
		.connect_timeout(Duration::from_secs(5))
		.build()
		.unwrap_or_else(|_| reqwest::Client::new())
}
