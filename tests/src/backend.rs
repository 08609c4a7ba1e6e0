//! A test inference server speaking Ollama's protocol (`GET /api/tags`, `POST /api/generate`
//! without streaming), with a fixed latency and switchable failure modes. Its bodies follow
//! the shapes a real Ollama 0.x server returns, error bodies included.

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
	/// HTTP 200 with a body that is not JSON.
	Malformed,
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

async fn serve(mut stream: TcpStream, behaviour: Behaviour) {
	loop {
		let Some((head, body)) = read_request(&mut stream).await else { return };
		let (status, body) = answer(&head, &body, &behaviour).await;
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
		if stream.write_all(response.as_bytes()).await.is_err() {
			return;
		}
	}
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

async fn answer(head: &str, body: &str, behaviour: &Behaviour) -> (u16, String) {
	let (mode, latency) = behaviour.get();
	if mode == Mode::Down {
		return (503, json!({ "error": "server is shutting down" }).to_string());
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
		return (200, json!({ "models": models }).to_string());
	}
	if !head.starts_with("POST /api/generate") {
		return (404, "404 page not found".into());
	}
	let request: Value = serde_json::from_str(body).unwrap_or(Value::Null);
	let model = request["model"].as_str().unwrap_or_default().to_string();
	if !behaviour.models.contains(&model) {
		return (
			404,
			json!({ "error": format!("model \"{model}\" not found, try pulling it first") })
				.to_string(),
		);
	}
	match mode {
		Mode::Hang => {
			tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
			return (500, String::new());
		}
		Mode::ServerError => {
			return (
				500,
				json!({ "error": "llama runner process has terminated: signal: killed" })
					.to_string(),
			)
		}
		Mode::Malformed => return (200, "{\"model\":\"".to_string() + &model + "\",\"respo"),
		Mode::Ok | Mode::Down => {}
	}
	tokio::time::sleep(latency).await;
	let prompt = request["prompt"].as_str().unwrap_or_default();
	let limit = request["options"]["num_predict"].as_u64().unwrap_or(128) as usize;
	let words: Vec<&str> = prompt.split_whitespace().collect();
	let generated: Vec<String> = (0..limit.min(24))
		.map(|i| words.get(i % words.len().max(1)).copied().unwrap_or("ok").to_string())
		.collect();
	let total_ns = latency.as_nanos() as u64;
	(
		200,
		json!({
			"model": model,
			"created_at": "2025-01-29T14:50:18.123456789Z",
			"response": format!("Echo: {}", generated.join(" ")),
			"done": true,
			"done_reason": "stop",
			"context": [128006, 9125, 128007, 271],
			"total_duration": total_ns,
			"load_duration": 5_025_959u64,
			"prompt_eval_count": words.len(),
			"prompt_eval_duration": total_ns / 10,
			"eval_count": generated.len() + 1,
			"eval_duration": total_ns / 10 * 9,
		})
		.to_string(),
	)
}
