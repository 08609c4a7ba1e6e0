//! The HTTP server of the jobs' token streams: `GET /v1/jobs/{id}/stream`
//! ([`aitbc_client::stream::path`]) answers Server-Sent Events, one `data: <StreamEvent JSON>`
//! per change of the job's stream ([`crate::streams::events`]): the text so far, the text added
//! at each change, then `done` or `error`, after which it closes. `GET /health` answers 200.
//!
//! Only the job's client reads its stream: the request carries the client's signature over the
//! job id and the chain's genesis hash in [`SIGNATURE_HEADER`]; without it, or with another
//! key's, 401. A job this miner has no stream for (yet: a reader may come the moment the
//! assignment is in a block, before the miner has seen it) is waited for up to the server's
//! `wait`, then 404. At most [`MAX_CONNECTIONS`] streams are open at once; past that, 503.
//! Errors are JSON: `{"error": "..."}`.

use std::{sync::Arc, time::Duration};

use aitbc_client::stream::{self, SIGNATURE_HEADER};
use aitbc_primitives::JobId;
use axum::{
	extract::{Path, State},
	http::{HeaderMap, StatusCode},
	response::{
		sse::{Event, KeepAlive, Sse},
		IntoResponse, Response,
	},
	routing::get,
	Json, Router,
};
use futures::StreamExt;
use tokio::sync::Semaphore;

use crate::streams::{self as job_streams, Streams};

/// The most stream connections open at once.
pub const MAX_CONNECTIONS: usize = 256;

/// What the stream server reads from.
pub struct StreamServer {
	streams: Arc<Streams>,
	genesis_hash: [u8; 32],
	wait: Duration,
	connections: Arc<Semaphore>,
}

impl StreamServer {
	/// Serves `streams` of the chain of `genesis_hash` (which the clients' signatures bind),
	/// waiting up to `wait` for a job's stream to open.
	pub fn new(streams: Arc<Streams>, genesis_hash: [u8; 32], wait: Duration) -> Self {
		StreamServer {
			streams,
			genesis_hash,
			wait,
			connections: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
		}
	}

	/// The routes: `/v1/jobs/{id}/stream` and `/health`.
	pub fn router(self) -> Router {
		Router::new()
			.route("/v1/jobs/{id}/stream", get(job_stream))
			.route("/health", get(|| async { "ok\n" }))
			.with_state(Arc::new(self))
	}
}

/// Serves `router` on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
	axum::serve(listener, router).await
}

fn refuse(status: StatusCode, error: String) -> Response {
	(status, Json(serde_json::json!({ "error": error }))).into_response()
}

async fn job_stream(
	State(server): State<Arc<StreamServer>>,
	Path(job_id): Path<JobId>,
	headers: HeaderMap,
) -> Response {
	let Ok(connection) = server.connections.clone().try_acquire_owned() else {
		return refuse(
			StatusCode::SERVICE_UNAVAILABLE,
			format!("this miner has {MAX_CONNECTIONS} streams open; try again shortly"),
		);
	};
	let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
		return refuse(
			StatusCode::UNAUTHORIZED,
			format!(
				"missing {SIGNATURE_HEADER}: the job's client signs the job id to read its stream"
			),
		);
	};
	let Some((client, state)) = server.streams.wait_for(job_id, server.wait).await else {
		return refuse(StatusCode::NOT_FOUND, format!("this miner has no stream of job {job_id}"));
	};
	if !stream::verify(signature, server.genesis_hash, job_id, &client) {
		return refuse(
			StatusCode::UNAUTHORIZED,
			format!("{SIGNATURE_HEADER} is not the signature of job {job_id}'s client"),
		);
	}
	let events = job_streams::events(state).map(move |event| {
		// The connection counts until its stream ends.
		let _open = &connection;
		Event::default().json_data(event)
	});
	Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}

#[cfg(test)]
mod tests {
	use super::*;
	use aitbc_client::{keys::Key, stream::StreamEvent};

	const GENESIS: [u8; 32] = [7u8; 32];

	async fn start(streams: Arc<Streams>) -> String {
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		let router = StreamServer::new(streams, GENESIS, Duration::from_millis(200)).router();
		tokio::spawn(serve(listener, router));
		url
	}

	fn alice() -> Key {
		Key::from_uri("//Alice").unwrap()
	}

	async fn get(url: &str, job_id: JobId, signature: Option<String>) -> reqwest::Response {
		let mut request = reqwest::Client::new().get(format!("{url}{}", stream::path(job_id)));
		if let Some(signature) = signature {
			request = request.header(SIGNATURE_HEADER, signature);
		}
		request.send().await.unwrap()
	}

	async fn error_of(response: reqwest::Response) -> (u16, String) {
		let status = response.status().as_u16();
		let body: serde_json::Value = response.json().await.unwrap();
		(status, body["error"].as_str().unwrap().to_string())
	}

	/// The events of an SSE body as they come, chunk by chunk.
	async fn next_events(
		response: &mut reqwest::Response,
		buffer: &mut String,
	) -> Vec<StreamEvent> {
		loop {
			if let Some(end) = buffer.find("\n\n") {
				let message: String = buffer.drain(..end + 2).collect();
				let data: Vec<&str> =
					message.lines().filter_map(|l| l.strip_prefix("data:")).collect();
				if data.is_empty() {
					continue;
				}
				return data.iter().map(|d| serde_json::from_str(d.trim()).unwrap()).collect();
			}
			match response.chunk().await.unwrap() {
				Some(bytes) => buffer.push_str(std::str::from_utf8(&bytes).unwrap()),
				None => return Vec::new(),
			}
		}
	}

	#[tokio::test]
	async fn only_the_jobs_client_reads_its_stream() {
		let streams = Arc::new(Streams::default());
		let url = start(streams.clone()).await;
		let writer = streams.open(5, alice().account(), 1000);

		let (status, error) = error_of(get(&url, 5, None).await).await;
		assert_eq!((status, error.contains(SIGNATURE_HEADER)), (401, true), "{error}");
		let bob = Key::from_uri("//Bob").unwrap();
		let (status, _) = error_of(get(&url, 5, Some(stream::sign(&bob, GENESIS, 5))).await).await;
		assert_eq!(status, 401, "another key's signature");
		let (status, _) =
			error_of(get(&url, 5, Some(stream::sign(&alice(), [0u8; 32], 5))).await).await;
		assert_eq!(status, 401, "another chain's signature");
		let (status, error) =
			error_of(get(&url, 6, Some(stream::sign(&alice(), GENESIS, 6))).await).await;
		assert_eq!((status, error.as_str()), (404, "this miner has no stream of job 6"));

		let feed = writer.feed();
		feed.push("Hel");
		let mut response = get(&url, 5, Some(stream::sign(&alice(), GENESIS, 5))).await;
		assert_eq!(response.status(), 200);
		assert_eq!(response.headers()["content-type"], "text/event-stream");
		let mut buffer = String::new();
		assert_eq!(
			next_events(&mut response, &mut buffer).await,
			[StreamEvent::Token { text: "Hel".into() }],
			"the text so far"
		);
		feed.push("lo");
		assert_eq!(
			next_events(&mut response, &mut buffer).await,
			[StreamEvent::Token { text: "lo".into() }],
			"a piece as it arrives"
		);
		writer.done(4, 2);
		assert_eq!(
			next_events(&mut response, &mut buffer).await,
			[StreamEvent::Done { prompt_tokens: 4, output_tokens: 2 }]
		);
		assert!(next_events(&mut response, &mut buffer).await.is_empty(), "closed after done");
	}

	#[tokio::test]
	async fn a_reader_may_come_before_the_job_and_health_answers() {
		let streams = Arc::new(Streams::default());
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		let router = StreamServer::new(streams.clone(), GENESIS, Duration::from_secs(600)).router();
		tokio::spawn(serve(listener, router));
		assert_eq!(reqwest::get(format!("{url}/health")).await.unwrap().status(), 200);

		let reader = {
			let url = url.clone();
			tokio::spawn(async move {
				let response = get(&url, 3, Some(stream::sign(&alice(), GENESIS, 3))).await;
				(response.status().as_u16(), response.text().await.unwrap())
			})
		};
		tokio::time::sleep(Duration::from_millis(50)).await;
		let writer = streams.open(3, alice().account(), 1000);
		writer.feed().push("x");
		writer.fail("backend stopped mid-generation: boom");
		let (status, body) = reader.await.unwrap();
		assert_eq!(status, 200);
		let events: Vec<StreamEvent> = body
			.lines()
			.filter_map(|l| l.strip_prefix("data:"))
			.map(|d| serde_json::from_str(d.trim()).unwrap())
			.collect();
		assert_eq!(
			events,
			[
				StreamEvent::Token { text: "x".into() },
				StreamEvent::Error { reason: "backend stopped mid-generation: boom".into() }
			]
		);
	}
}
