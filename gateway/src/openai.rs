//! The OpenAI-compatible API: `GET /v1/models`, `POST /v1/completions` and
//! `POST /v1/chat/completions`. Each request becomes a job; the answer has OpenAI's shape and
//! `usage` (from the receipt), plus an `aitbc` object (job, receipt, price, signature check).
//!
//! With `stream: true` the answer is Server-Sent Events in OpenAI's chunk format ([`Head`]
//! makes the chunks), written by [`crate::relay`].

use std::time::Instant;

use aitbc_client::{json::ReceiptJson, units::format_ait, MinerStatus};
use axum::{
	body::Bytes,
	extract::State,
	http::header,
	response::{IntoResponse, Response},
	Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::{
	error::ApiError,
	jobs::{Ended, JobRequest, Jobs},
	relay,
	rest::{Amount, DEFAULT_MAX_TOKENS},
	server::{AppState, Body, Caller},
	time,
};

/// The default temperature of the OpenAI API (OpenAI's).
pub const DEFAULT_TEMPERATURE: f64 = 1.0;

/// Which endpoint: the shapes differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
	/// `/v1/chat/completions`: `message` / `delta`.
	Chat,
	/// `/v1/completions`: `text`.
	Completion,
}

/// `prompt`: a string or an array of one string.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum PromptInput {
	/// One prompt.
	One(String),
	/// Several (only one is served).
	Many(Vec<String>),
}

/// `POST /v1/completions` body (fields OpenAI defines and this gateway does not use are
/// ignored).
#[derive(Deserialize, Debug)]
pub struct CompletionBody {
	/// Model id.
	pub model: String,
	/// The prompt.
	pub prompt: PromptInput,
	/// Most output tokens (default 256).
	#[serde(default)]
	pub max_tokens: Option<u32>,
	/// Sampling temperature (default 1).
	#[serde(default)]
	pub temperature: Option<f64>,
	/// Sampling seed.
	#[serde(default)]
	pub seed: Option<u64>,
	/// Stream the tokens as Server-Sent Events.
	#[serde(default)]
	pub stream: bool,
	/// Choices wanted: only 1.
	#[serde(default)]
	pub n: Option<u32>,
	/// The most to pay, in AIT (default: the current quote).
	#[serde(default)]
	pub aitbc_max_price: Option<Amount>,
}

/// One chat message.
#[derive(Deserialize, Debug, Clone)]
pub struct ChatMessage {
	/// `system`, `developer`, `user`, `assistant` or `tool`.
	pub role: String,
	/// Its text, or text parts.
	pub content: MessageContent,
}

/// A message's content: text, or an array of parts of which only `text` parts are served.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum MessageContent {
	/// Text.
	Text(String),
	/// Parts.
	Parts(Vec<ContentPart>),
}

/// A content part.
#[derive(Deserialize, Debug, Clone)]
pub struct ContentPart {
	/// `text` (others are refused).
	#[serde(rename = "type")]
	pub kind: String,
	/// The text of a `text` part.
	#[serde(default)]
	pub text: Option<String>,
}

/// `POST /v1/chat/completions` body.
#[derive(Deserialize, Debug)]
pub struct ChatBody {
	/// Model id.
	pub model: String,
	/// The conversation.
	pub messages: Vec<ChatMessage>,
	/// Most output tokens (default 256).
	#[serde(default)]
	pub max_tokens: Option<u32>,
	/// The same, OpenAI's newer name (wins over `max_tokens`).
	#[serde(default)]
	pub max_completion_tokens: Option<u32>,
	/// Sampling temperature (default 1).
	#[serde(default)]
	pub temperature: Option<f64>,
	/// Sampling seed.
	#[serde(default)]
	pub seed: Option<u64>,
	/// Stream the tokens as Server-Sent Events.
	#[serde(default)]
	pub stream: bool,
	/// Choices wanted: only 1.
	#[serde(default)]
	pub n: Option<u32>,
	/// The most to pay, in AIT (default: the current quote).
	#[serde(default)]
	pub aitbc_max_price: Option<Amount>,
}

/// The text of a message's content.
fn content_text(content: &MessageContent) -> Result<String, ApiError> {
	match content {
		MessageContent::Text(text) => Ok(text.clone()),
		MessageContent::Parts(parts) => {
			let mut text = Vec::with_capacity(parts.len());
			for part in parts {
				match (part.kind.as_str(), &part.text) {
					("text", Some(t)) => text.push(t.as_str()),
					(kind, _) => {
						return Err(ApiError::invalid_request(format!(
							"message content of type `{kind}` is not served: only text"
						))
						.with_param("messages"))
					}
				}
			}
			Ok(text.join("\n"))
		}
	}
}

/// The prompt of a conversation: a single user message as it is; several as a plain
/// transcript, one `Role: text` paragraph per message (roles `System`, `User`, `Assistant`,
/// `Tool`; `developer` is `System`), blank lines between, ending with `Assistant:` for the
/// model to continue.
pub fn render_messages(messages: &[ChatMessage]) -> Result<String, ApiError> {
	if let [only] = messages {
		if only.role == "user" {
			return content_text(&only.content);
		}
	}
	if messages.is_empty() {
		return Err(ApiError::invalid_request("messages is empty").with_param("messages"));
	}
	let mut paragraphs = Vec::with_capacity(messages.len() + 1);
	for message in messages {
		let role = match message.role.as_str() {
			"system" | "developer" => "System",
			"user" => "User",
			"assistant" => "Assistant",
			"tool" => "Tool",
			other => {
				return Err(ApiError::invalid_request(format!("unknown message role `{other}`"))
					.with_param("messages"))
			}
		};
		paragraphs.push(format!("{role}: {}", content_text(&message.content)?));
	}
	paragraphs.push("Assistant:".to_string());
	Ok(paragraphs.join("\n\n"))
}

/// `GET /v1/models`: the models active miners serve.
pub async fn models(
	State(state): State<AppState>,
	_caller: Caller,
) -> Result<Json<Value>, ApiError> {
	let chain = state.node.chain()?;
	let miners = chain.miners(None).await?;
	let mut ids: Vec<&str> = miners
		.iter()
		.filter(|m| m.status == MinerStatus::Active)
		.flat_map(|m| m.models.iter().map(String::as_str))
		.collect();
	ids.sort_unstable();
	ids.dedup();
	let data: Vec<Value> = ids
		.into_iter()
		.map(|id| json!({ "id": id, "object": "model", "created": 0, "owned_by": "aitbc" }))
		.collect();
	Ok(Json(json!({ "object": "list", "data": data })))
}

/// `POST /v1/completions`.
pub async fn completions(
	State(state): State<AppState>,
	caller: Caller,
	Body(body): Body<CompletionBody>,
) -> Result<Response, ApiError> {
	check_n(body.n)?;
	let prompt = match body.prompt {
		PromptInput::One(prompt) => prompt,
		PromptInput::Many(mut prompts) if prompts.len() == 1 => prompts.remove(0),
		PromptInput::Many(_) => {
			return Err(ApiError::invalid_request("give one prompt (a string or an array of one)")
				.with_param("prompt"))
		}
	};
	let request = JobRequest {
		model: body.model,
		prompt,
		max_tokens: body.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
		temperature: body.temperature.unwrap_or(DEFAULT_TEMPERATURE),
		seed: body.seed,
		max_price: body.aitbc_max_price.as_ref().map(Amount::text),
		ttl_secs: None,
	};
	run(state, caller, request, Api::Completion, body.stream).await
}

/// `POST /v1/chat/completions`.
pub async fn chat_completions(
	State(state): State<AppState>,
	caller: Caller,
	Body(body): Body<ChatBody>,
) -> Result<Response, ApiError> {
	check_n(body.n)?;
	let request = JobRequest {
		model: body.model,
		prompt: render_messages(&body.messages)?,
		max_tokens: body.max_completion_tokens.or(body.max_tokens).unwrap_or(DEFAULT_MAX_TOKENS),
		temperature: body.temperature.unwrap_or(DEFAULT_TEMPERATURE),
		seed: body.seed,
		max_price: body.aitbc_max_price.as_ref().map(Amount::text),
		ttl_secs: None,
	};
	run(state, caller, request, Api::Chat, body.stream).await
}

fn check_n(n: Option<u32>) -> Result<(), ApiError> {
	match n {
		None | Some(1) => Ok(()),
		Some(_) => Err(ApiError::invalid_request("only n = 1 is served").with_param("n")),
	}
}

/// Submits the job, then answers in one piece or as a stream.
async fn run(
	state: AppState,
	caller: Caller,
	request: JobRequest,
	api: Api,
	stream: bool,
) -> Result<Response, ApiError> {
	let started = Instant::now();
	let mut submission = state.jobs.submit(&caller.record, &request).await?;
	caller.log.job(submission.job_id);
	let head = Head {
		id: format!("aitbc-{}", submission.job_id),
		created: time::unix_now(),
		model: request.model.clone(),
		api,
		max_tokens: request.max_tokens,
	};
	if stream {
		let (sender, receiver) = mpsc::channel::<Bytes>(64);
		tokio::spawn(relay::relay(state, submission, head, started, sender));
		let body = axum::body::Body::from_stream(relay::receiver_stream(receiver));
		return Ok((
			[(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")],
			body,
		)
			.into_response());
	}
	let ended = Jobs::wait(&mut submission).await?;
	if let Some(error) = ended.failure() {
		return Err(error);
	}
	let (job, receipt) = match (&ended.job, &ended.receipt) {
		(Some(job), Some(receipt)) => (job, receipt),
		_ => {
			return Err(ApiError::node_error(format!(
				"job {} completed without its receipt",
				ended.job_id
			)))
		}
	};
	let text = job.output.clone().unwrap_or_default();
	Ok(Json(head.complete(&text, receipt, &ended)).into_response())
}

/// What every chunk of a response repeats.
#[derive(Clone, Debug)]
pub struct Head {
	/// `aitbc-<job id>`.
	pub id: String,
	/// Unix seconds.
	pub created: u64,
	/// The model asked for.
	pub model: String,
	/// Which shape.
	pub api: Api,
	/// The request's max tokens (`finish_reason` is `length` when the output reached it).
	pub max_tokens: u32,
}

impl Head {
	/// `stop`, or `length` when the output used every token allowed.
	pub fn finish_reason(&self, receipt: &ReceiptJson) -> &'static str {
		if receipt.usage.output_tokens >= self.max_tokens {
			"length"
		} else {
			"stop"
		}
	}

	/// The `aitbc` object.
	pub fn aitbc(receipt: &ReceiptJson, verified: bool) -> Value {
		let price_ait = format_ait(receipt.price);
		json!({
			"job_id": receipt.job_id,
			"receipt_id": receipt.id,
			"price": receipt.price.to_string(),
			"price_ait": price_ait.trim_end_matches(" AIT"),
			"signature_verified": verified,
			"operator": receipt.operator,
			"block": receipt.block,
		})
	}

	/// The `usage` object.
	pub fn usage(receipt: &ReceiptJson) -> Value {
		let (prompt, completion) = (receipt.usage.prompt_tokens, receipt.usage.output_tokens);
		json!({
			"prompt_tokens": prompt,
			"completion_tokens": completion,
			"total_tokens": u64::from(prompt) + u64::from(completion),
		})
	}

	/// The whole answer of a completed job.
	pub fn complete(&self, text: &str, receipt: &ReceiptJson, ended: &Ended) -> Value {
		let finish = self.finish_reason(receipt);
		let (object, choice) = match self.api {
			Api::Chat => (
				"chat.completion",
				json!({
					"index": 0,
					"message": { "role": "assistant", "content": text },
					"finish_reason": finish,
					"logprobs": null,
				}),
			),
			Api::Completion => (
				"text_completion",
				json!({ "index": 0, "text": text, "finish_reason": finish, "logprobs": null }),
			),
		};
		json!({
			"id": self.id,
			"object": object,
			"created": self.created,
			"model": self.model,
			"choices": [choice],
			"usage": Self::usage(receipt),
			"aitbc": Self::aitbc(receipt, ended.verified),
		})
	}

	fn chunk(&self, choice: Value) -> Value {
		let object = match self.api {
			Api::Chat => "chat.completion.chunk",
			Api::Completion => "text_completion",
		};
		json!({
			"id": self.id,
			"object": object,
			"created": self.created,
			"model": self.model,
			"choices": [choice],
		})
	}

	/// The first chunk of a chat stream: the assistant's role, no text yet.
	pub fn role_chunk(&self) -> Value {
		self.chunk(json!({
			"index": 0,
			"delta": { "role": "assistant", "content": "" },
			"finish_reason": null,
		}))
	}

	/// A chunk of text.
	pub fn text_chunk(&self, text: &str) -> Value {
		match self.api {
			Api::Chat => self.chunk(json!({
				"index": 0,
				"delta": { "content": text },
				"finish_reason": null,
			})),
			Api::Completion => self.chunk(json!({
				"index": 0,
				"text": text,
				"finish_reason": null,
				"logprobs": null,
			})),
		}
	}

	/// The last chunk: no text, `finish_reason`, `usage` and `aitbc`.
	pub fn final_chunk(&self, receipt: &ReceiptJson, verified: bool) -> Value {
		let finish = self.finish_reason(receipt);
		let choice = match self.api {
			Api::Chat => json!({ "index": 0, "delta": {}, "finish_reason": finish }),
			Api::Completion => {
				json!({ "index": 0, "text": "", "finish_reason": finish, "logprobs": null })
			}
		};
		let mut chunk = self.chunk(choice);
		if let Value::Object(map) = &mut chunk {
			map.insert("usage".into(), Self::usage(receipt));
			map.insert("aitbc".into(), Self::aitbc(receipt, verified));
		}
		chunk
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use aitbc_client::json::{ClaimStatus, UsageJson};
	use aitbc_primitives::UnitType;

	fn message(role: &str, text: &str) -> ChatMessage {
		ChatMessage { role: role.into(), content: MessageContent::Text(text.into()) }
	}

	#[test]
	fn one_user_message_is_the_prompt_and_several_are_a_transcript() {
		assert_eq!(render_messages(&[message("user", "Hi there")]).unwrap(), "Hi there");
		let prompt = render_messages(&[
			message("system", "Be brief."),
			message("user", "Hi"),
			message("assistant", "Hello!"),
			message("user", "2+2?"),
		])
		.unwrap();
		assert_eq!(
			prompt,
			"System: Be brief.\n\nUser: Hi\n\nAssistant: Hello!\n\nUser: 2+2?\n\nAssistant:"
		);
		assert_eq!(render_messages(&[message("system", "x")]).unwrap(), "System: x\n\nAssistant:");
		assert!(render_messages(&[]).is_err());
		assert_eq!(render_messages(&[message("wizard", "x")]).unwrap_err().param, Some("messages"));
		let parts: ChatMessage = serde_json::from_value(json!({
			"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
		}))
		.unwrap();
		assert_eq!(render_messages(&[parts]).unwrap(), "a\nb");
		let image: ChatMessage = serde_json::from_value(json!({
			"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]
		}))
		.unwrap();
		assert!(render_messages(&[image]).is_err());
	}

	fn receipt(output_tokens: u32) -> ReceiptJson {
		ReceiptJson {
			id: 9,
			job_id: 4,
			client: "client".into(),
			miner_owner: "owner".into(),
			operator: "operator".into(),
			model: "m".into(),
			prompt_hash: [0; 32],
			unit_type: UnitType::default(),
			unit_price: 1,
			units: 1,
			usage: UsageJson { prompt_tokens: 3, output_tokens, compute_ms: 5 },
			price: 1_500_000_000_000,
			fee: 1,
			output_hash: [0; 32],
			block: 12,
			timestamp_ms: 0,
			signature: [0; 64],
			status: ClaimStatus::Unclaimed,
			claimed_by: None,
			claimed_at: None,
			reward: None,
		}
	}

	fn head(api: Api) -> Head {
		Head { id: "aitbc-4".into(), created: 7, model: "m".into(), api, max_tokens: 8 }
	}

	#[test]
	fn chat_chunks_have_openais_shape() {
		let head = head(Api::Chat);
		let role = head.role_chunk();
		assert_eq!(role["object"], "chat.completion.chunk");
		assert_eq!(role["choices"][0]["delta"]["role"], "assistant");
		let text = head.text_chunk("Hel");
		assert_eq!(text["id"], "aitbc-4");
		assert_eq!(text["choices"][0]["delta"], json!({ "content": "Hel" }));
		assert!(text["choices"][0]["finish_reason"].is_null());
		let last = head.final_chunk(&receipt(5), true);
		assert_eq!(last["choices"][0]["delta"], json!({}));
		assert_eq!(last["choices"][0]["finish_reason"], "stop");
		assert_eq!(
			last["usage"],
			json!({ "prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8 })
		);
		assert_eq!(last["aitbc"]["price"], "1500000000000");
		assert_eq!(last["aitbc"]["price_ait"], "1.5");
		assert_eq!(last["aitbc"]["signature_verified"], true);
		assert_eq!(head.final_chunk(&receipt(8), true)["choices"][0]["finish_reason"], "length");
	}

	#[test]
	fn completion_shapes() {
		let head = head(Api::Completion);
		let chunk = head.text_chunk("lo");
		assert_eq!(chunk["object"], "text_completion");
		assert_eq!(chunk["choices"][0]["text"], "lo");
		let ended = Ended { job_id: 4, job: None, receipt: None, verified: false };
		let whole = head.complete("Hello", &receipt(5), &ended);
		assert_eq!(whole["choices"][0]["text"], "Hello");
		assert_eq!(whole["usage"]["total_tokens"], 8);
		assert_eq!(whole["aitbc"]["receipt_id"], 9);
		let chat = Head { api: Api::Chat, ..head }.complete("Hello", &receipt(5), &ended);
		assert_eq!(chat["object"], "chat.completion");
		assert_eq!(
			chat["choices"][0]["message"],
			json!({ "role": "assistant", "content": "Hello" })
		);
	}

	#[test]
	fn bodies_parse_like_the_openai_client_sends_them() {
		let chat: ChatBody = serde_json::from_value(json!({
			"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": true,
			"max_completion_tokens": 5, "stream_options": {"include_usage": true}
		}))
		.unwrap();
		assert!(chat.stream && chat.max_completion_tokens == Some(5));
		let completion: CompletionBody =
			serde_json::from_value(json!({ "model": "m", "prompt": ["Hi"] })).unwrap();
		assert!(matches!(completion.prompt, PromptInput::Many(p) if p == ["Hi"]));
	}
}
