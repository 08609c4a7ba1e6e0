//! OpenAI-compatible servers (llama.cpp server, vLLM): `GET /v1/models`,
//! `POST /v1/chat/completions` for instruct models, `POST /v1/completions` for base models, both
//! with `"stream": true` and `"stream_options": {"include_usage": true}`.
//!
//! The answer is Server-Sent Events: `data: {chunk}` lines, the piece in
//! `choices[0].delta.content` (chat) or `choices[0].text` (completion), then `data: [DONE]`.
//! An `{"error": ..}` chunk, or a stream that ends without `[DONE]` or without a chunk carrying
//! a `finish_reason` (a stream the server cut short), fails the generation.
//!
//! Token counts: a server that honours `include_usage` (vLLM, llama.cpp's own server) sends a
//! last chunk with `usage`, which counts. llama-cpp-python's server (0.3.x) sends no usage when
//! streaming, so:
//! - output tokens: the number of pieces. It streams one token per chunk (several only when a
//!   multi-byte character or a possible stop sequence holds text back), so the count is the
//!   server's own or lower, never higher;
//! - prompt tokens: asked of its tokenizer after the stream (`POST /extras/tokenize/count` with
//!   the prompt). Exact for completions; for chat it leaves out the tokens of the chat template
//!   (SmolLM2's adds about 30), so again lower, never higher. A server with neither usage nor that
//!   endpoint bills no prompt tokens (with a warning in the log).
//!
//! Compute time is the measured time of the streaming call.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
	error_message, error_text, http_client, open_stream, read_lines, send, BackendError,
	Generation, Request,
};

/// Which endpoint generates; the `openai_mode` setting, spelled `chat` or `completion`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpenAiMode {
	/// `/v1/chat/completions`, the prompt as one user message (instruct models).
	#[default]
	Chat,
	/// `/v1/completions`, the raw prompt (base models).
	Completion,
}

/// An OpenAI-compatible server.
#[derive(Clone, Debug)]
pub struct OpenAi {
	url: String,
	mode: OpenAiMode,
	http: reqwest::Client,
}

#[derive(Deserialize)]
struct Models {
	data: Vec<ModelEntry>,
}

#[derive(Deserialize)]
struct ModelEntry {
	id: String,
}

/// One `data:` chunk of the stream.
#[derive(Deserialize)]
struct Chunk {
	#[serde(default)]
	choices: Vec<Choice>,
	#[serde(default)]
	usage: Option<UsageBlock>,
	#[serde(default)]
	error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Choice {
	#[serde(default)]
	text: Option<String>,
	#[serde(default)]
	delta: Option<Delta>,
	/// Set on the choice's last chunk (`stop`, `length`): the generation ended by itself.
	#[serde(default)]
	finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
	#[serde(default)]
	content: Option<String>,
}

#[derive(Deserialize, Clone, Copy, Debug, PartialEq)]
struct UsageBlock {
	prompt_tokens: u32,
	completion_tokens: u32,
}

#[derive(Deserialize)]
struct TokenCount {
	count: u32,
}

/// The state of one completion stream, line after line.
#[derive(Debug)]
struct CompletionStream {
	mode: OpenAiMode,
	text: String,
	/// Pieces of text received (one token each on llama-cpp-python).
	pieces: u32,
	usage: Option<UsageBlock>,
	/// A chunk with a `finish_reason` seen: the generation ended by itself, not cut short by
	/// the server (llama-cpp-python interrupts a stream with `[DONE]` when another request
	/// arrives, unless started with `--interrupt_requests false`).
	finished: bool,
	/// `data: [DONE]` seen.
	done: bool,
}

impl CompletionStream {
	fn new(mode: OpenAiMode) -> Self {
		CompletionStream {
			mode,
			text: String::new(),
			pieces: 0,
			usage: None,
			finished: false,
			done: false,
		}
	}

	/// Takes one line of the event stream: a piece goes to `sink`, usage is kept; empty lines,
	/// comments and fields other than `data` are skipped.
	fn line(
		&mut self,
		line: &str,
		sink: &mut (dyn FnMut(&str) + Send),
	) -> Result<(), BackendError> {
		let Some(data) = line.strip_prefix("data:") else { return Ok(()) };
		let data = data.trim();
		if data == "[DONE]" {
			self.done = true;
			return Ok(());
		}
		if self.done {
			return Err(BackendError::Malformed("data after [DONE]".into()));
		}
		let chunk: Chunk =
			serde_json::from_str(data).map_err(|e| BackendError::Malformed(e.to_string()))?;
		if let Some(error) = chunk.error {
			return Err(BackendError::Interrupted(error_text(&error)));
		}
		if chunk.usage.is_some() {
			self.usage = chunk.usage;
		}
		let piece = chunk.choices.into_iter().next().and_then(|choice| {
			if choice.finish_reason.is_some() {
				self.finished = true;
			}
			match self.mode {
				OpenAiMode::Chat => choice.delta.and_then(|d| d.content),
				OpenAiMode::Completion => choice.text,
			}
		});
		if let Some(piece) = piece.filter(|p| !p.is_empty()) {
			sink(&piece);
			self.text.push_str(&piece);
			self.pieces = self.pieces.saturating_add(1);
		}
		Ok(())
	}
}

impl OpenAi {
	/// A client of the server at `url` (e.g. `http://127.0.0.1:8080`, without `/v1`).
	pub fn new(url: &str, mode: OpenAiMode) -> Self {
		let url = url.trim_end_matches('/').trim_end_matches("/v1").to_string();
		OpenAi { url, mode, http: http_client() }
	}

	/// The server's URL.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The model ids `/v1/models` lists.
	pub async fn models(&self) -> Result<Vec<String>, BackendError> {
		let (status, body) = send(self.http.get(format!("{}/v1/models", self.url))).await?;
		if status != 200 {
			return Err(BackendError::Status { status, message: error_message(&body) });
		}
		let models: Models =
			serde_json::from_str(&body).map_err(|e| BackendError::Malformed(e.to_string()))?;
		Ok(models.data.into_iter().map(|m| m.id).collect())
	}

	/// One completion, streaming each piece to `sink`.
	pub async fn generate(
		&self,
		request: &Request,
		sink: &mut (dyn FnMut(&str) + Send),
	) -> Result<Generation, BackendError> {
		let (path, mut body) = match self.mode {
			OpenAiMode::Chat => (
				"/v1/chat/completions",
				json!({
					"model": request.model,
					"messages": [{ "role": "user", "content": request.prompt }],
				}),
			),
			OpenAiMode::Completion => {
				("/v1/completions", json!({ "model": request.model, "prompt": request.prompt }))
			}
		};
		body["temperature"] = json!(request.temperature);
		body["max_tokens"] = json!(request.max_tokens);
		body["stream"] = json!(true);
		body["stream_options"] = json!({ "include_usage": true });
		if let Some(seed) = request.seed {
			body["seed"] = json!(seed);
		}
		let started = std::time::Instant::now();
		let response =
			open_stream(self.http.post(format!("{}{path}", self.url)).json(&body), &request.model)
				.await?;
		let mut stream = CompletionStream::new(self.mode);
		read_lines(response, |line| stream.line(line, sink)).await?;
		let compute_ms = started.elapsed().as_millis() as u64;
		if !stream.done {
			return Err(BackendError::Interrupted("the stream ended before [DONE]".into()));
		}
		if !stream.finished {
			return Err(BackendError::Interrupted(
				"the server ended the stream without a finish_reason (cut short; llama-cpp-python \
				 needs --interrupt_requests false)"
					.into(),
			));
		}
		let (prompt_tokens, output_tokens) = match stream.usage {
			Some(usage) => (usage.prompt_tokens, usage.completion_tokens),
			None => (self.prompt_tokens(request).await, stream.pieces),
		};
		Ok(Generation { text: stream.text, prompt_tokens, output_tokens, compute_ms })
	}

	/// The prompt's token count by the server's tokenizer (`POST /extras/tokenize/count`, a
	/// llama-cpp-python endpoint), for a stream that brought no usage; 0 where the server has
	/// no such endpoint.
	async fn prompt_tokens(&self, request: &Request) -> u32 {
		let body = json!({ "model": request.model, "input": request.prompt });
		let url = format!("{}/extras/tokenize/count", self.url);
		let counted = match send(self.http.post(url).json(&body)).await {
			Ok((200, text)) => serde_json::from_str::<TokenCount>(&text)
				.map(|c| c.count)
				.map_err(|e| e.to_string()),
			Ok((status, text)) => Err(format!("{status}: {}", error_message(&text))),
			Err(e) => Err(e.to_string()),
		};
		counted.unwrap_or_else(|error| {
			tracing::warn!(%error, "the backend streamed no usage and cannot count the prompt's tokens; billing no prompt tokens");
			0
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::backend::LineBuffer;

	/// Feeds `body` to a stream in chunks of `size` bytes, as reads would bring it.
	fn run(
		mode: OpenAiMode,
		body: &str,
		size: usize,
	) -> (Result<CompletionStream, BackendError>, Vec<String>) {
		let mut pieces = Vec::new();
		let mut stream = CompletionStream::new(mode);
		let mut lines = LineBuffer::default();
		let mut sink = |piece: &str| pieces.push(piece.to_string());
		let mut all = Vec::new();
		for chunk in body.as_bytes().chunks(size.max(1)) {
			all.extend(lines.push(chunk).unwrap());
		}
		all.extend(lines.finish().unwrap());
		for line in all {
			if let Err(e) = stream.line(&line, &mut sink) {
				return (Err(e), pieces);
			}
		}
		(Ok(stream), pieces)
	}

	const CHAT: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n\
		data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hé\"},\"finish_reason\":null}]}\r\n\r\n\
		: keep-alive\n\n\
		data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"llo\"},\"finish_reason\":null}]}\n\n\
		data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
		data: [DONE]\n\n";

	#[test]
	fn chat_deltas_stream_whatever_the_reads() {
		for size in [1, 2, 3, 7, 64, 4096] {
			let (stream, pieces) = run(OpenAiMode::Chat, CHAT, size);
			let stream = stream.unwrap();
			assert_eq!(pieces, ["Hé", "llo"], "reads of {size} bytes");
			assert_eq!(stream.text, "Héllo");
			assert_eq!((stream.pieces, stream.usage, stream.done), (2, None, true));
		}
	}

	#[test]
	fn completion_text_and_a_final_usage_chunk() {
		let body = "data: {\"choices\":[{\"text\":\"Once\",\"index\":0}]}\n\n\
			data: {\"choices\":[{\"text\":\" upon\",\"index\":0}]}\n\n\
			data: {\"choices\":[{\"text\":\"\",\"index\":0,\"finish_reason\":\"length\"}]}\n\n\
			data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n\
			data: [DONE]\n\n";
		let (stream, pieces) = run(OpenAiMode::Completion, body, 5);
		let stream = stream.unwrap();
		assert_eq!(pieces, ["Once", " upon"]);
		assert_eq!(stream.usage, Some(UsageBlock { prompt_tokens: 5, completion_tokens: 3 }));
		assert!(stream.done);
	}

	#[test]
	fn an_error_chunk_or_garbage_fails_the_stream() {
		let body = "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"error\":{\"message\":\"out of memory\",\"code\":500}}\n\n";
		let (stream, pieces) = run(OpenAiMode::Completion, body, 9);
		assert_eq!(pieces, ["a"]);
		assert_eq!(stream.unwrap_err().reason(), "backend stopped mid-generation: out of memory");
		let (stream, _) = run(OpenAiMode::Chat, "data: {\"choices\":[{\"de\n\n", 4);
		assert!(matches!(stream, Err(BackendError::Malformed(_))));
	}

	#[test]
	fn a_cut_stream_is_not_done() {
		let (stream, pieces) = run(OpenAiMode::Chat, &CHAT[..CHAT.len() - 16], 11);
		assert_eq!(pieces, ["Hé", "llo"]);
		assert!(!stream.unwrap().done);
	}

	/// A streaming server without usage in its stream, like llama-cpp-python's.
	async fn server(stream_body: &'static str, tokenizer: bool) -> String {
		use axum::{routing::post, Router};
		let mut app = Router::new()
			.route("/v1/chat/completions", post(move || async move { chunked(stream_body) }));
		if tokenizer {
			app = app.route(
				"/extras/tokenize/count",
				post(|axum::Json(body): axum::Json<serde_json::Value>| async move {
					let words = body["input"].as_str().unwrap_or_default().split(' ').count();
					axum::Json(json!({ "count": words + 1 }))
				}),
			);
		}
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(async move { axum::serve(listener, app).await });
		url
	}

	/// `body` sent a few bytes at a time, with pauses, as a streaming server does.
	fn chunked(body: &'static str) -> axum::body::Body {
		let pieces = body.as_bytes().chunks(13).map(|c| c.to_vec()).collect::<Vec<_>>();
		axum::body::Body::from_stream(futures::stream::iter(pieces).then(|piece| async move {
			tokio::time::sleep(std::time::Duration::from_millis(1)).await;
			Ok::<_, std::convert::Infallible>(piece)
		}))
	}

	fn request(prompt: &str) -> Request {
		Request {
			model: "m".into(),
			prompt: prompt.into(),
			temperature: 0.0,
			max_tokens: 8,
			seed: None,
		}
	}

	use futures::StreamExt;

	#[tokio::test]
	async fn without_usage_pieces_count_and_the_tokenizer_counts_the_prompt() {
		let backend = OpenAi::new(&server(CHAT, true).await, OpenAiMode::Chat);
		let mut pieces = Vec::new();
		let generation = backend
			.generate(&request("three word prompt"), &mut |p: &str| pieces.push(p.to_string()))
			.await
			.unwrap();
		assert_eq!(pieces, ["Hé", "llo"]);
		assert_eq!(
			(generation.text.as_str(), generation.prompt_tokens, generation.output_tokens),
			("Héllo", 4, 2)
		);
		let without = OpenAi::new(&server(CHAT, false).await, OpenAiMode::Chat);
		let generation = without.generate(&request("x"), &mut |_: &str| {}).await.unwrap();
		assert_eq!(
			(generation.prompt_tokens, generation.output_tokens),
			(0, 2),
			"no tokenizer: no prompt tokens billed"
		);
	}

	/// What llama-cpp-python sends when another request interrupts a stream: `[DONE]` after the
	/// pieces so far, no chunk with a `finish_reason`.
	const INTERRUPTED: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hé\"},\"finish_reason\":null}]}\n\n\
		data: [DONE]\n\n";

	#[tokio::test]
	async fn a_stream_ended_without_a_finish_reason_is_an_interruption() {
		let (stream, _) = run(OpenAiMode::Chat, INTERRUPTED, 7);
		let stream = stream.unwrap();
		assert!(stream.done && !stream.finished);
		let backend = OpenAi::new(&server(INTERRUPTED, true).await, OpenAiMode::Chat);
		let error = backend.generate(&request("x"), &mut |_: &str| {}).await.unwrap_err();
		assert!(
			matches!(error, BackendError::Interrupted(ref why) if why.contains("finish_reason")),
			"{error}"
		);
	}

	#[tokio::test]
	async fn a_stream_cut_before_done_is_an_interruption() {
		let backend = OpenAi::new(&server(&CHAT[..CHAT.len() - 16], true).await, OpenAiMode::Chat);
		let error = backend.generate(&request("x"), &mut |_: &str| {}).await.unwrap_err();
		assert!(
			matches!(error, BackendError::Interrupted(ref why) if why.contains("[DONE]")),
			"{error}"
		);
	}
}
