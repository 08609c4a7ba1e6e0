//! Ollama's API: `GET /api/tags`, `POST /api/generate` with `"stream": false`.

use serde::Deserialize;
use serde_json::json;

use super::{error_message, http_client, send, BackendError, Generation, Request};

/// An Ollama server.
#[derive(Clone, Debug)]
pub struct Ollama {
	url: String,
	http: reqwest::Client,
}

#[derive(Deserialize)]
struct Tags {
	models: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
	name: String,
}

#[derive(Deserialize)]
struct Generate {
	response: String,
	#[serde(default)]
	prompt_eval_count: u32,
	#[serde(default)]
	eval_count: u32,
	/// Nanoseconds.
	#[serde(default)]
	total_duration: u64,
}

impl Ollama {
	/// A client of the server at `url` (e.g. `http://127.0.0.1:11434`).
	pub fn new(url: &str) -> Self {
		Ollama { url: url.trim_end_matches('/').to_string(), http: http_client() }
	}

	/// The server's URL.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The model names `/api/tags` lists (e.g. `llama3.2:latest`).
	pub async fn models(&self) -> Result<Vec<String>, BackendError> {
		let (status, body) = send(self.http.get(format!("{}/api/tags", self.url))).await?;
		if status != 200 {
			return Err(BackendError::Status { status, message: error_message(&body) });
		}
		let tags: Tags =
			serde_json::from_str(&body).map_err(|e| BackendError::Malformed(e.to_string()))?;
		Ok(tags.models.into_iter().map(|t| t.name).collect())
	}

	/// `/api/generate` without streaming; options `temperature`, `num_predict`, `seed`.
	pub async fn generate(&self, request: &Request) -> Result<Generation, BackendError> {
		let mut options = json!({
			"temperature": request.temperature,
			"num_predict": request.max_tokens,
		});
		if let Some(seed) = request.seed {
			options["seed"] = json!(seed);
		}
		let body = json!({
			"model": request.model,
			"prompt": request.prompt,
			"stream": false,
			"options": options,
		});
		let started = std::time::Instant::now();
		let (status, text) =
			send(self.http.post(format!("{}/api/generate", self.url)).json(&body)).await?;
		if status == 404 {
			return Err(BackendError::UnknownModel(request.model.clone()));
		}
		if status != 200 {
			return Err(BackendError::Status { status, message: error_message(&text) });
		}
		let answer: Generate =
			serde_json::from_str(&text).map_err(|e| BackendError::Malformed(e.to_string()))?;
		let compute_ms = if answer.total_duration > 0 {
			answer.total_duration / 1_000_000
		} else {
			started.elapsed().as_millis() as u64
		};
		Ok(Generation {
			text: answer.response,
			prompt_tokens: answer.prompt_eval_count,
			output_tokens: answer.eval_count,
			compute_ms,
		})
	}
}
