//! A test inference server speaking Ollama's protocol (`GET /api/tags`, `POST /api/generate`
//! with or without streaming), with a fixed latency and switchable failure modes. Its bodies
//! follow the shapes a real Ollama 0.x server returns, error bodies included; a streamed
//! generation is NDJSON in chunked transfer encoding, one line per word, the latency spread over
//! the lines, the last line `done: true` with the counts.

use std::{
	net::SocketAddr,
	sync::{Arc, Mutex},
	time::Duration,
};

use serde_json::{json, Value};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

/// How the server answers `/api/generate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
	/// A generation after the latency.
	Ok,
	/// HTTP 500 with Ollama's error body.
	ServerError,
	/// HTTP 200 with a body that is not JSON (streaming: a first piece, then a line that is not
	/// JSON).
	Malformed,
	/// Streaming: the first pieces, then the connection closes without the `done` line (not
	/// streaming: the same as [`Mode::Malformed`]).
	Cut,
	/// Never answers.
	Hang,
	/// Every request answers 503 and `/api/tags` too: the server is "down".
	Down,
}

/// Shared, switchable behaviour.
#[derive(Clone)]
pub struct Behaviour {
	inner: Arc<Mutex<(Mode, Duration)>>,
	models: Arc<Vec<String>>,
}

impl Behaviour {
	fn get(&self) -> (Mode, Duration) {
		*self.inner.lock().unwrap_or_else(|e| e.into_inner())
	}
	/// Switches the mode.
	pub fn set_mode(&self, mode: Mode) {
		self.inner.lock().unwrap_or_else(|e| e.into_inner()).0 = mode;
	}
	/// Switches the latency.
	pub fn set_latency(&self, latency: Duration) {
		self.inner.lock().unwrap_or_else(|e| e.into_inner()).1 = latency;
	}
}

/// A running test backend.
pub struct TestBackend {
	/// Where it listens.
	pub addr: SocketAddr,
	/// Its behaviour, switchable while it runs.
	pub behaviour: Behaviour,
	task: tokio::task::JoinHandle<()>,
}

impl TestBackend {
	/// Starts on `addr` (port 0 for any) serving `models`.
	pub async fn start(
		addr: SocketAddr,
		models: &[&str],
		mode: Mode,
		latency: Duration,
	) -> std::io::Result<Self> {
		let listener = TcpListener::bind(addr).await?;
		let addr = listener.local_addr()?;
		let behaviour = Behaviour {
			inner: Arc::new(Mutex::new((mode, latency))),
			models: Arc::new(models.iter().map(|m| m.to_string()).collect()),
		};
		let b = behaviour.clone();
		let task = tokio::spawn(async move {
			while let Ok((stream, _)) = listener.accept().await {
				tokio::spawn(serve(stream, b.clone()));
			}
		});
		Ok(TestBackend { addr, behaviour, task })
	}

	/// `http://<addr>`.
	pub fn url(&self) -> String {
		format!("http://{}", self.addr)
	}
}

impl Drop for TestBackend {
	fn drop(&mut self) {
		self.task.abort();
	}
}

/// What `/api/generate` (or another path) answers.
enum Reply {
	/// One JSON body with `Content-Length`.
	Whole(u16, String),
	/// NDJSON lines in chunked encoding, each after `pause`; `complete: false` closes the
	/// connection after the lines without ending the body.
	Lines { lines: Vec<String>, pause: Duration, complete: bool },
}

async fn serve(mut stream: TcpStream, behaviour: Behaviour) {
	loop {
		let Some((head, body)) = read_request(&mut stream).await else { return };
		let written = match answer(&head, &body, &behaviour).await {
			Reply::Whole(status, body) => write_whole(&mut stream, status, &body).await,
			Reply::Lines { lines, pause, complete } => {
				let written = write_lines(&mut stream, &lines, pause, complete).await;
				if !complete {
					return;
				}
				written
			}
		};
		if written.is_err() {
			return;
		}
	}
}

async fn write_whole(stream: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
	let reason = match status {
		200 => "OK",
		404 => "Not Found",
		500 => "Internal Server Error",
		_ => "Service Unavailable",
	};
	let response = format!(
		"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(response.as_bytes()).await
}

async fn write_lines(
	stream: &mut TcpStream,
	lines: &[String],
	pause: Duration,
	complete: bool,
) -> std::io::Result<()> {
	let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n";
	stream.write_all(head.as_bytes()).await?;
	for line in lines {
		tokio::time::sleep(pause).await;
		let chunk = format!("{:x}\r\n{line}\n\r\n", line.len() + 1);
		stream.write_all(chunk.as_bytes()).await?;
		stream.flush().await?;
	}
	if complete {
		stream.write_all(b"0\r\n\r\n").await?;
	}
	Ok(())
}

async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
	let mut buffer = Vec::new();
	let mut chunk = [0u8; 8192];
	let head_end = loop {
		if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
			break pos + 4;
		}
		let n = stream.read(&mut chunk).await.ok()?;
		if n == 0 {
			return None;
		}
		buffer.extend_from_slice(&chunk[..n]);
	};
	let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
	let length = head
		.lines()
		.find_map(|l| {
			let (k, v) = l.split_once(':')?;
			k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
		})
		.unwrap_or(0);
	while buffer.len() < head_end + length {
		let n = stream.read(&mut chunk).await.ok()?;
		if n == 0 {
			return None;
		}
		buffer.extend_from_slice(&chunk[..n]);
	}
	let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).to_string();
	Some((head, body))
}

async fn answer(head: &str, body: &str, behaviour: &Behaviour) -> Reply {
	let (mode, latency) = behaviour.get();
	if mode == Mode::Down {
		return Reply::Whole(503, json!({ "error": "server is shutting down" }).to_string());
	}
	if head.starts_with("GET /api/tags") {
		let models: Vec<Value> = behaviour
			.models
			.iter()
			.map(|name| {
				json!({
					"name": name,
					"model": name,
					"modified_at": "2025-01-29T14:00:00.000000000Z",
					"size": 2_019_393_189u64,
					"digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
					"details": {
						"parent_model": "",
						"format": "gguf",
						"family": "llama",
						"families": ["llama"],
						"parameter_size": "3.2B",
						"quantization_level": "Q4_K_M",
					},
				})
			})
			.collect();
		return Reply::Whole(200, json!({ "models": models }).to_string());
	}
	if !head.starts_with("POST /api/generate") {
		return Reply::Whole(404, "404 page not found".into());
	}
	let request: Value = serde_json::from_str(body).unwrap_or(Value::Null);
	let model = request["model"].as_str().unwrap_or_default().to_string();
	if !behaviour.models.contains(&model) {
		return Reply::Whole(
			404,
			json!({ "error": format!("model \"{model}\" not found, try pulling it first") })
				.to_string(),
		);
	}
	let streaming = request["stream"].as_bool().unwrap_or(true);
	match mode {
		Mode::Hang => {
			tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
			return Reply::Whole(500, String::new());
		}
		Mode::ServerError => {
			return Reply::Whole(
				500,
				json!({ "error": "llama runner process has terminated: signal: killed" })
					.to_string(),
			)
		}
		Mode::Malformed | Mode::Cut if !streaming => {
			return Reply::Whole(200, "{\"model\":\"".to_string() + &model + "\",\"respo")
		}
		Mode::Ok | Mode::Down | Mode::Malformed | Mode::Cut => {}
	}
	let prompt = request["prompt"].as_str().unwrap_or_default();
	let limit = request["options"]["num_predict"].as_u64().unwrap_or(128) as usize;
	let words: Vec<&str> = prompt.split_whitespace().collect();
	let generated: Vec<String> = (0..limit.min(24))
		.map(|i| words.get(i % words.len().max(1)).copied().unwrap_or("ok").to_string())
		.collect();
	let text = format!("Echo: {}", generated.join(" "));
	let total_ns = latency.as_nanos() as u64;
	let done = json!({
		"model": model,
		"created_at": "2025-01-29T14:50:18.123456789Z",
		"response": "",
		"done": true,
		"done_reason": "stop",
		"context": [128006, 9125, 128007, 271],
		"total_duration": total_ns,
		"load_duration": 5_025_959u64,
		"prompt_eval_count": words.len(),
		"prompt_eval_duration": total_ns / 10,
		"eval_count": generated.len() + 1,
		"eval_duration": total_ns / 10 * 9,
	});
	if !streaming {
		tokio::time::sleep(latency).await;
		let mut whole = done;
		whole["response"] = json!(text);
		return Reply::Whole(200, whole.to_string());
	}
	let piece = |response: &str| {
		json!({
			"model": model,
			"created_at": "2025-01-29T14:50:18.123456789Z",
			"response": response,
			"done": false,
		})
		.to_string()
	};
	let mut lines: Vec<String> = text.split_inclusive(' ').map(piece).collect();
	let pause = latency / u32::try_from(lines.len() + 1).unwrap_or(u32::MAX);
	match mode {
		Mode::Malformed => {
			lines.truncate(1);
			lines.push("{\"model\":\"".to_string() + &model + "\",\"respo");
			Reply::Lines { lines, pause, complete: true }
		}
		Mode::Cut => {
			lines.truncate(2);
			Reply::Lines { lines, pause, complete: false }
		}
		_ => {
			lines.push(done.to_string());
			Reply::Lines { lines, pause, complete: true }
		}
	}
}
