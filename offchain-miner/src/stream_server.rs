//! The HTTP server of the jobs' token streams: `GET /v1/jobs/{id}/stream`
//! ([`aitbc_client::stream::path`]) answers Server-Sent Events, one `data: <StreamEvent JSON>`
//! per change of the job's stream ([`crate::streams::events`]): the text so far, the text added
//! at each change, then `done` or `error`, after which it closes. `GET /health` answers 200.
//!
//! Only the job's client reads its stream: the request carries the client's signature over the
//! job id and the chain's genesis hash in [`SIGNATURE_HEADER`]; without it, or with one that is
//! not `0x` and 128 hex digits, 401 before anything else; with another key's, 401. A job this
//! miner has no stream for (yet: a reader may come the moment the assignment is in a block,
//! before the miner has seen it) is waited for up to the server's `wait`, then 404; at most
//! [`MAX_WAITING`] requests wait at once (past that, 503), so unknown job ids cannot hold the
//! server. A stream is counted against [`MAX_CONNECTIONS`] (past that, 503) only once it is
//! found and the signature verified, and a job has at most [`MAX_READERS_PER_JOB`] readers
//! (past that, 429). Errors are JSON: `{"error": "..."}`.
//!
//! The TCP side: at most [`MAX_OPEN_CONNECTIONS`] connections are held (more wait in the
//! listen backlog), and a connection is closed when it reads past [`IDLE`] plus the server's
//! `wait` without the server having written to it: a request head that takes that long (a slow
//! sender), or an idle keep-alive connection. An open stream writes at least every 15 s (a
//! keep-alive comment), so it stays. A public stream server still belongs behind a reverse
//! proxy (TLS, header and body timeouts, per-address limits).

use std::{
	collections::HashMap,
	future::Future,
	io,
	pin::Pin,
	sync::{Arc, Mutex},
	task::{Context, Poll},
	time::Duration,
};

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
use tokio::{
	io::{AsyncRead, AsyncWrite, ReadBuf},
	net::{TcpListener, TcpStream},
	sync::{OwnedSemaphorePermit, Semaphore},
	time::{Instant, Sleep},
};

use crate::streams::{self as job_streams, Streams};

/// The most streams open at once.
pub const MAX_CONNECTIONS: usize = 256;
/// The most requests waiting at once for a job's stream to open.
pub const MAX_WAITING: usize = 32;
/// The most readers of one job's stream at once.
pub const MAX_READERS_PER_JOB: usize = 4;
/// The most TCP connections held at once.
pub const MAX_OPEN_CONNECTIONS: usize = 1024;
/// How long a connection may read without the server writing to it, besides the server's
/// `wait` for a job's stream to open.
pub const IDLE: Duration = Duration::from_secs(30);

/// The server's limits on requests.
#[derive(Clone, Copy)]
struct Limits {
	connections: usize,
	waiting: usize,
	per_job: usize,
}

/// What the stream server reads from.
pub struct StreamServer {
	streams: Arc<Streams>,
	genesis_hash: [u8; 32],
	wait: Duration,
	limits: Limits,
	connections: Arc<Semaphore>,
	waiting: Arc<Semaphore>,
	readers: Arc<Readers>,
}

impl StreamServer {
	/// Serves `streams` of the chain of `genesis_hash` (which the clients' signatures bind),
	/// waiting up to `wait` for a job's stream to open.
	pub fn new(streams: Arc<Streams>, genesis_hash: [u8; 32], wait: Duration) -> Self {
		let limits = Limits {
			connections: MAX_CONNECTIONS,
			waiting: MAX_WAITING,
			per_job: MAX_READERS_PER_JOB,
		};
		Self::with_limits(streams, genesis_hash, wait, limits)
	}

	fn with_limits(
		streams: Arc<Streams>,
		genesis_hash: [u8; 32],
		wait: Duration,
		limits: Limits,
	) -> Self {
		StreamServer {
			streams,
			genesis_hash,
			wait,
			limits,
			connections: Arc::new(Semaphore::new(limits.connections)),
			waiting: Arc::new(Semaphore::new(limits.waiting)),
			readers: Arc::default(),
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

/// Serves `server` on `listener` until the task is dropped, holding at most
/// [`MAX_OPEN_CONNECTIONS`] connections and closing those idle past [`IDLE`] and the server's
/// `wait`.
pub async fn serve(listener: TcpListener, server: StreamServer) -> io::Result<()> {
	let idle = IDLE + server.wait;
	serve_with(listener, server.router(), MAX_OPEN_CONNECTIONS, idle).await
}

async fn serve_with(
	listener: TcpListener,
	router: Router,
	max_connections: usize,
	idle: Duration,
) -> io::Result<()> {
	let listener =
		CappedListener { listener, slots: Arc::new(Semaphore::new(max_connections)), idle };
	axum::serve(listener, router).await
}

/// A TCP listener that holds at most as many connections as `slots` has permits, each closed
/// when idle past `idle`.
struct CappedListener {
	listener: TcpListener,
	slots: Arc<Semaphore>,
	idle: Duration,
}

impl axum::serve::Listener for CappedListener {
	type Io = Connection;
	type Addr = std::net::SocketAddr;

	async fn accept(&mut self) -> (Connection, std::net::SocketAddr) {
		// Never closed: the listener holds it.
		let slot = self.slots.clone().acquire_owned().await.expect("the semaphore is open");
		let (io, addr) = axum::serve::Listener::accept(&mut self.listener).await;
		let now = Instant::now();
		let connection = Connection {
			io,
			idle: self.idle,
			last_write: now,
			timer: Box::pin(tokio::time::sleep_until(now + self.idle)),
			_slot: slot,
		};
		(connection, addr)
	}

	fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
		self.listener.local_addr()
	}
}

/// An accepted connection: its reads fail once `idle` has passed since the accept or the last
/// write, which closes it; it holds its slot until dropped.
struct Connection {
	io: TcpStream,
	idle: Duration,
	last_write: Instant,
	timer: Pin<Box<Sleep>>,
	_slot: OwnedSemaphorePermit,
}

fn timed_out() -> io::Error {
	io::Error::new(io::ErrorKind::TimedOut, "the connection was idle too long")
}

impl AsyncRead for Connection {
	fn poll_read(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &mut ReadBuf<'_>,
	) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		let deadline = this.last_write + this.idle;
		if Instant::now() >= deadline {
			return Poll::Ready(Err(timed_out()));
		}
		let read = Pin::new(&mut this.io).poll_read(cx, buf);
		if read.is_pending() {
			if this.timer.deadline() != deadline {
				this.timer.as_mut().reset(deadline);
			}
			if this.timer.as_mut().poll(cx).is_ready() {
				return Poll::Ready(Err(timed_out()));
			}
		}
		read
	}
}

impl Connection {
	fn wrote(&mut self, written: &Poll<io::Result<usize>>) {
		if matches!(written, Poll::Ready(Ok(n)) if *n > 0) {
			self.last_write = Instant::now();
		}
	}
}

impl AsyncWrite for Connection {
	fn poll_write(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		let written = Pin::new(&mut this.io).poll_write(cx, buf);
		this.wrote(&written);
		written
	}

	fn poll_write_vectored(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		bufs: &[io::IoSlice<'_>],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		let written = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
		this.wrote(&written);
		written
	}

	fn is_write_vectored(&self) -> bool {
		self.io.is_write_vectored()
	}

	fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		Pin::new(&mut self.get_mut().io).poll_flush(cx)
	}

	fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
	}
}

/// How many readers each job's stream has.
#[derive(Default)]
struct Readers(Mutex<HashMap<JobId, usize>>);

/// One reader of a job's stream, counted until dropped.
struct Reader {
	readers: Arc<Readers>,
	job_id: JobId,
}

impl Readers {
	/// Counts a reader of `job_id`'s stream, unless it has `max` already.
	fn join(self: &Arc<Self>, job_id: JobId, max: usize) -> Option<Reader> {
		let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
		let count = counts.entry(job_id).or_default();
		if *count >= max {
			return None;
		}
		*count += 1;
		Some(Reader { readers: self.clone(), job_id })
	}
}

impl Drop for Reader {
	fn drop(&mut self) {
		let mut counts = self.readers.0.lock().unwrap_or_else(|e| e.into_inner());
		if let Some(count) = counts.get_mut(&self.job_id) {
			*count = count.saturating_sub(1);
			if *count == 0 {
				counts.remove(&self.job_id);
			}
		}
	}
}

/// Whether `signature` has the form of a signature: `0x` and 128 hex digits.
fn well_formed(signature: &str) -> bool {
	signature
		.trim()
		.strip_prefix("0x")
		.is_some_and(|hex| hex.len() == 128 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn refuse(status: StatusCode, error: String) -> Response {
	(status, Json(serde_json::json!({ "error": error }))).into_response()
}

async fn job_stream(
	State(server): State<Arc<StreamServer>>,
	Path(job_id): Path<JobId>,
	headers: HeaderMap,
) -> Response {
	let signature = match headers.get(SIGNATURE_HEADER).map(|v| v.to_str()) {
		Some(Ok(signature)) if well_formed(signature) => signature,
		Some(_) => {
			return refuse(
				StatusCode::UNAUTHORIZED,
				format!("{SIGNATURE_HEADER} must be 0x and 128 hex digits: the job's client's signature of the job id"),
			)
		}
		None => {
			return refuse(
				StatusCode::UNAUTHORIZED,
				format!(
					"missing {SIGNATURE_HEADER}: the job's client signs the job id to read its stream"
				),
			)
		}
	};
	let found = match server.streams.get(job_id) {
		Some(found) => Some(found),
		None => {
			let Ok(_waiting) = server.waiting.try_acquire() else {
				return refuse(
					StatusCode::SERVICE_UNAVAILABLE,
					format!(
						"this miner has {} readers waiting for their jobs; try again shortly",
						server.limits.waiting
					),
				);
			};
			server.streams.wait_for(job_id, server.wait).await
		}
	};
	let Some((client, state)) = found else {
		return refuse(StatusCode::NOT_FOUND, format!("this miner has no stream of job {job_id}"));
	};
	if !stream::verify(signature, server.genesis_hash, job_id, &client) {
		return refuse(
			StatusCode::UNAUTHORIZED,
			format!("{SIGNATURE_HEADER} is not the signature of job {job_id}'s client"),
		);
	}
	let Some(reader) = server.readers.join(job_id, server.limits.per_job) else {
		return refuse(
			StatusCode::TOO_MANY_REQUESTS,
			format!(
				"job {job_id}'s stream has {} readers already; close one first",
				server.limits.per_job
			),
		);
	};
	let Ok(connection) = server.connections.clone().try_acquire_owned() else {
		return refuse(
			StatusCode::SERVICE_UNAVAILABLE,
			format!("this miner has {} streams open; try again shortly", server.limits.connections),
		);
	};
	let events = job_streams::events(state).map(move |event| {
		// The stream counts until it ends.
		let _open = (&connection, &reader);
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
		tokio::spawn(serve(
			listener,
			StreamServer::new(streams, GENESIS, Duration::from_millis(200)),
		));
		url
	}

	/// Serves `server` (its limits for the test) and returns its URL.
	async fn start_server(server: StreamServer) -> String {
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(serve(listener, server));
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
		let server = StreamServer::new(streams.clone(), GENESIS, Duration::from_secs(600));
		tokio::spawn(serve(listener, server));
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

	#[test]
	fn a_signature_has_the_form_of_one() {
		let signature = stream::sign(&alice(), GENESIS, 1);
		assert!(well_formed(&signature));
		assert!(well_formed(&format!(" {signature} ")));
		for bad in
			["", "0x", "0x1234", &signature[2..], &signature[..129], &format!("{signature}0")]
		{
			assert!(!well_formed(bad), "{bad}");
		}
		assert!(!well_formed(&format!("0x{}", "g".repeat(128))));
	}

	#[tokio::test]
	async fn a_malformed_signature_is_refused_before_anything_else() {
		let streams = Arc::new(Streams::default());
		// No waiting room and no stream slot: a malformed signature is refused before either.
		let limits = Limits { connections: 0, waiting: 0, per_job: 4 };
		let url = start_server(StreamServer::with_limits(
			streams,
			GENESIS,
			Duration::from_secs(600),
			limits,
		))
		.await;
		for signature in [None, Some("0x1234".to_string()), Some(format!("0x{}", "zz".repeat(64)))]
		{
			let (status, error) = error_of(get(&url, 9, signature).await).await;
			assert_eq!((status, error.contains(SIGNATURE_HEADER)), (401, true), "{error}");
		}
	}

	#[tokio::test]
	async fn readers_of_unknown_jobs_wait_apart_from_the_open_streams() {
		let streams = Arc::new(Streams::default());
		let limits = Limits { connections: 1, waiting: 1, per_job: 4 };
		let server =
			StreamServer::with_limits(streams.clone(), GENESIS, Duration::from_secs(600), limits);
		let waiting = server.waiting.clone();
		let url = start_server(server).await;

		// One reader waits for job 9, which has not started: the waiting room is full.
		let early = {
			let url = url.clone();
			tokio::spawn(async move {
				let response = get(&url, 9, Some(stream::sign(&alice(), GENESIS, 9))).await;
				(response.status().as_u16(), response.text().await.unwrap())
			})
		};
		while waiting.available_permits() > 0 {
			tokio::time::sleep(Duration::from_millis(5)).await;
		}
		let (status, error) =
			error_of(get(&url, 8, Some(stream::sign(&alice(), GENESIS, 8))).await).await;
		assert_eq!(status, 503, "{error}");
		assert!(error.contains("waiting"), "{error}");

		// A running job's reader does not wait, and the waiting one holds no stream slot.
		let running = streams.open(5, alice().account(), 1000);
		let bob = Key::from_uri("//Bob").unwrap();
		let (status, _) = error_of(get(&url, 5, Some(stream::sign(&bob, GENESIS, 5))).await).await;
		assert_eq!(status, 401, "another key's signature takes no stream slot");
		let response = get(&url, 5, Some(stream::sign(&alice(), GENESIS, 5))).await;
		assert_eq!(response.status(), 200);
		running.done(1, 0);
		response.text().await.unwrap();

		// Job 9 starts: its reader gets the stream.
		let writer = streams.open(9, alice().account(), 1000);
		writer.done(1, 0);
		let (status, body) = early.await.unwrap();
		assert_eq!(status, 200);
		assert!(body.contains("\"done\""), "{body}");
	}

	#[tokio::test]
	async fn a_job_has_a_bounded_number_of_readers() {
		let streams = Arc::new(Streams::default());
		let url = start(streams.clone()).await;
		let writer = streams.open(5, alice().account(), 1000);
		writer.feed().push("a");
		let mut readers = Vec::new();
		for _ in 0..MAX_READERS_PER_JOB {
			let response = get(&url, 5, Some(stream::sign(&alice(), GENESIS, 5))).await;
			assert_eq!(response.status(), 200);
			readers.push(response);
		}
		let (status, error) =
			error_of(get(&url, 5, Some(stream::sign(&alice(), GENESIS, 5))).await).await;
		assert_eq!(status, 429, "{error}");
		assert!(error.contains("readers already"), "{error}");

		// Once the stream ends, its readers are gone and the job may be read again.
		writer.done(1, 1);
		for reader in readers {
			assert!(reader.text().await.unwrap().contains("\"done\""));
		}
		let mut tries = 0;
		loop {
			let response = get(&url, 5, Some(stream::sign(&alice(), GENESIS, 5))).await;
			if response.status() == 200 {
				break;
			}
			tries += 1;
			assert!(tries < 200, "still {}", response.status());
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
	}

	#[tokio::test]
	async fn the_listener_holds_a_bounded_number_of_connections() {
		use axum::serve::Listener as _;
		use futures::FutureExt;

		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let mut listener = CappedListener {
			listener,
			slots: Arc::new(Semaphore::new(1)),
			idle: Duration::from_secs(600),
		};
		let _first = tokio::net::TcpStream::connect(addr).await.unwrap();
		let (held, _) = listener.accept().await;
		let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
		assert!(listener.accept().now_or_never().is_none(), "no slot while the first is held");
		drop(held);
		listener.accept().await;
	}

	#[tokio::test]
	async fn a_connection_that_sends_no_whole_request_is_closed() {
		use tokio::io::{AsyncReadExt, AsyncWriteExt};

		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let router = StreamServer::new(Arc::default(), GENESIS, Duration::ZERO).router();
		tokio::spawn(serve_with(listener, router, 8, Duration::from_millis(100)));

		// A request head sent in part, then nothing: the server closes the connection.
		let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
		slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
		let mut answer = Vec::new();
		let read = tokio::time::timeout(Duration::from_secs(60), slow.read_to_end(&mut answer));
		assert!(read.await.is_ok(), "closed");
		assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));

		// A whole request is answered, and the idle connection is closed after it.
		let mut quick = tokio::net::TcpStream::connect(addr).await.unwrap();
		quick.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
		let mut answer = Vec::new();
		let read = tokio::time::timeout(Duration::from_secs(60), quick.read_to_end(&mut answer));
		assert!(read.await.is_ok(), "closed");
		let answer = String::from_utf8_lossy(&answer);
		assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok\n"), "{answer}");
	}
}
