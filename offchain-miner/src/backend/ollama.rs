//! Ollama's API: `GET /api/tags`, `POST /api/generate` with `"stream": true`.
//!
//! The answer is NDJSON: one object per line, `{"response": "<piece>", "done": false}`, the last
//! one `done: true` with the counts (`prompt_eval_count`, `eval_count`) and `total_duration`
//! (nanoseconds), which are the generation's token counts and compute time. An `{"error": ..}`
//! line, or a stream that ends without `done`, fails the generation.

use serde::Deserialize;
use serde_json::json;

use super::{
	error_message, error_text, http_client, open_stream, read_lines, send, BackendError,
	Generation, Request,
};

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

/// One line of `/api/generate`'s stream.
#[derive(Deserialize)]
struct Chunk {
	#[serde(default)]
	response: String,
	#[serde(default)]
	done: bool,
	#[serde(default)]
	error: Option<serde_json::Value>,
	#[serde(default)]
	prompt_eval_count: u32,
	#[serde(default)]
	eval_count: u32,
	/// Nanoseconds.
	#[serde(default)]
	total_duration: u64,
}

/// The state of one `/api/generate` stream, line after line.
#[derive(Default, Debug)]
struct GenerateStream {
	text: String,
	/// The counts and compute time of the `done` line, once seen.
	done: Option<(u32, u32, u64)>,
}

impl GenerateStream {
	/// Takes one line: its piece goes to `sink`; the `done` line's numbers are kept.
	fn line(
		&mut self,
		line: &str,
		sink: &mut (dyn FnMut(&str) + Send),
	) -> Result<(), BackendError> {
		if line.trim().is_empty() {
			return Ok(());
		}
		let chunk: Chunk =
			serde_json::from_str(line).map_err(|e| BackendError::Malformed(e.to_string()))?;
		if let Some(error) = chunk.error {
			return Err(BackendError::Interrupted(error_text(&error)));
		}
		if self.done.is_some() {
			return Err(BackendError::Malformed("text after the `done` line".into()));
		}
		if !chunk.response.is_empty() {
			sink(&chunk.response);
			self.text.push_str(&chunk.response);
		}
		if chunk.done {
			self.done = Some((chunk.prompt_eval_count, chunk.eval_count, chunk.total_duration));
		}
		Ok(())
	}

	/// The generation, once the stream ended; `measured_ms` when the server gave no duration.
	fn finish(self, measured_ms: u64) -> Result<Generation, BackendError> {
		let Some((prompt_tokens, output_tokens, total_ns)) = self.done else {
			return Err(BackendError::Interrupted("the stream ended before `done`".into()));
		};
		let compute_ms = if total_ns > 0 { total_ns / 1_000_000 } else { measured_ms };
		Ok(Generation { text: self.text, prompt_tokens, output_tokens, compute_ms })
	}
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

	/// `/api/generate`, streaming each piece to `sink`; options `temperature`, `num_predict`,
	/// `seed`.
	pub async fn generate(
		&self,
		request: &Request,
		sink: &mut (dyn FnMut(&str) + Send),
	) -> Result<Generation, BackendError> {
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
			"stream": true,
			"options": options,
		});
		let started = std::time::Instant::now();
		let response = open_stream(
			self.http.post(format!("{}/api/generate", self.url)).json(&body),
			&request.model,
		)
		.await?;
		let mut stream = GenerateStream::default();
		read_lines(response, |line| stream.line(line, sink)).await?;
		stream.finish(started.elapsed().as_millis() as u64)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn run(lines: &[&str]) -> (Result<Generation, BackendError>, Vec<String>) {
		let mut pieces = Vec::new();
		let mut stream = GenerateStream::default();
		for line in lines {
			if let Err(e) = stream.line(line, &mut |piece: &str| pieces.push(piece.to_string())) {
				return (Err(e), pieces);
			}
		}
		(stream.finish(7), pieces)
	}

	#[test]
	fn pieces_stream_and_the_done_line_counts() {
		let (generation, pieces) = run(&[
			r#"{"model":"m","response":"Hel","done":false}"#,
			r#"{"model":"m","response":"lo","done":false}"#,
			"",
			r#"{"model":"m","response":"","done":true,"done_reason":"stop","prompt_eval_count":4,"eval_count":2,"total_duration":5000000000}"#,
		]);
		assert_eq!(pieces, ["Hel", "lo"]);
		assert_eq!(
			generation.unwrap(),
			Generation {
				text: "Hello".into(),
				prompt_tokens: 4,
				output_tokens: 2,
				compute_ms: 5000
			}
		);
	}

	#[test]
	fn without_a_duration_the_measured_time_counts() {
		let (generation, _) = run(&[r#"{"response":"x","done":true,"eval_count":1}"#]);
		assert_eq!(generation.unwrap().compute_ms, 7);
	}

	#[test]
	fn a_stream_cut_before_done_or_with_an_error_fails() {
		let (cut, pieces) = run(&[r#"{"response":"Hel","done":false}"#]);
		assert_eq!(pieces, ["Hel"], "the piece was streamed before the cut");
		assert!(matches!(cut, Err(BackendError::Interrupted(ref why)) if why.contains("done")));
		let (error, _) = run(&[
			r#"{"response":"a","done":false}"#,
			r#"{"error":"llama runner process has terminated"}"#,
		]);
		assert_eq!(
			error.unwrap_err().reason(),
			"backend stopped mid-generation: llama runner process has terminated"
		);
		let (malformed, _) = run(&[r#"{"response":"a","do"#]);
		assert!(matches!(malformed, Err(BackendError::Malformed(_))));
	}
}
