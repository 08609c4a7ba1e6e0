//! OpenAI-compatible servers (llama.cpp server, vLLM): `GET /v1/models`,
//! `POST /v1/chat/completions` for instruct models, `POST /v1/completions` for base models.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{error_message, http_client, send, BackendError, Generation, Request};

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

#[derive(Deserialize)]
struct Completion {
	choices: Vec<Choice>,
	usage: UsageBlock,
}

#[derive(Deserialize)]
struct Choice {
	#[serde(default)]
	text: Option<String>,
	#[serde(default)]
	message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
	#[serde(default)]
	content: Option<String>,
}

#[derive(Deserialize)]
struct UsageBlock {
	prompt_tokens: u32,
	completion_tokens: u32,
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

	/// One completion, without streaming.
	pub async fn generate(&self, request: &Request) -> Result<Generation, BackendError> {
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
		body["stream"] = json!(false);
		if let Some(seed) = request.seed {
			body["seed"] = json!(seed);
		}
		let started = std::time::Instant::now();
		let (status, text) =
			send(self.http.post(format!("{}{path}", self.url)).json(&body)).await?;
		let compute_ms = started.elapsed().as_millis() as u64;
		if status == 404 {
			return Err(BackendError::UnknownModel(request.model.clone()));
		}
		if status != 200 {
			return Err(BackendError::Status { status, message: error_message(&text) });
		}
		let answer: Completion =
			serde_json::from_str(&text).map_err(|e| BackendError::Malformed(e.to_string()))?;
		let choice = answer
			.choices
			.into_iter()
			.next()
			.ok_or_else(|| BackendError::Malformed("no choices".into()))?;
		let text = match self.mode {
			OpenAiMode::Chat => choice.message.and_then(|m| m.content),
			OpenAiMode::Completion => choice.text,
		}
		.ok_or_else(|| BackendError::Malformed("the choice has no text".into()))?;
		Ok(Generation {
			text,
			prompt_tokens: answer.usage.prompt_tokens,
			output_tokens: answer.usage.completion_tokens,
			compute_ms,
		})
	}
}
