//! Reading a miner's token stream of a job (`GET {endpoint}/v1/jobs/{id}/stream`, Server-Sent
//! Events whose `data` is an [`aitbc_client::stream::StreamEvent`] as JSON), opened with the
//! client's signature over the job id.
//!
//! A miner's endpoint is whatever its operator stored on chain, so the gateway treats it as
//! untrusted: no redirects are followed, an endpoint with user info (`user@host`) is refused,
//! and unless [`MinerClient::new`] allows private endpoints (`--allow-private-miner-endpoints`)
//! one whose host is or resolves to a loopback, private, link-local, unspecified, carrier-grade
//! NAT (or broadcast, multicast) address is refused; the stream is then read from the address
//! checked. Every line and event is bounded, and a stream silent for [`IDLE`] is broken.

use std::{
	net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
	time::Duration,
};

use aitbc_client::stream::{self, StreamEvent, SIGNATURE_HEADER};
use aitbc_primitives::JobId;

/// How long a miner's stream may send nothing (not even a comment) before it counts as broken.
pub const IDLE: Duration = Duration::from_secs(60);

/// How long connecting (and resolving the endpoint's host) may take.
const CONNECT: Duration = Duration::from_secs(5);

/// The longest line or event an [`SseParser`] takes by default.
const DEFAULT_MAX_EVENT: usize = 1 << 20;

/// An incremental Server-Sent Events parser: feed it bytes as they arrive, in pieces of any
/// size, and take the `data` of each complete event (several `data:` lines joined with `\n`;
/// comments and other fields ignored; `\n`, `\r\n` line ends). A line or an event's data
/// longer than its bound is an error ([`StreamError::TooLarge`]).
#[derive(Debug)]
pub struct SseParser {
	line: Vec<u8>,
	data: Vec<String>,
	data_len: usize,
	max: usize,
}

impl Default for SseParser {
	fn default() -> Self {
		SseParser::new(DEFAULT_MAX_EVENT)
	}
}

impl SseParser {
	/// A parser taking lines and events of at most `max` bytes.
	pub fn new(max: usize) -> Self {
		SseParser { line: Vec::new(), data: Vec::new(), data_len: 0, max }
	}

	/// Feeds `bytes`; returns the data of every event they completed, in order.
	pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, StreamError> {
		let mut events = Vec::new();
		for &byte in bytes {
			if byte != b'\n' {
				if self.line.len() >= self.max {
					return Err(StreamError::TooLarge(self.max));
				}
				self.line.push(byte);
				continue;
			}
			let mut line = std::mem::take(&mut self.line);
			if line.last() == Some(&b'\r') {
				line.pop();
			}
			self.line_done(&String::from_utf8_lossy(&line), &mut events)?;
		}
		Ok(events)
	}

	fn line_done(&mut self, line: &str, events: &mut Vec<String>) -> Result<(), StreamError> {
		if line.is_empty() {
			if !self.data.is_empty() {
				events.push(std::mem::take(&mut self.data).join("\n"));
				self.data_len = 0;
			}
			return Ok(());
		}
		if line.starts_with(':') {
			return Ok(());
		}
		let (field, value) = match line.split_once(':') {
			Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
			None => (line, ""),
		};
		if field == "data" {
			self.data_len = self.data_len.saturating_add(value.len() + 1);
			if self.data_len > self.max {
				return Err(StreamError::TooLarge(self.max));
			}
			self.data.push(value.to_string());
		}
		Ok(())
	}
}

/// Why a miner's stream could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
	/// The miner answered with a status other than 200 (404: it does not know the job yet).
	#[error("the miner's stream answered {0}")]
	Status(u16),
	/// The connection failed or broke.
	#[error("the miner's stream broke: {0}")]
	Transport(String),
	/// A message was not a stream event.
	#[error("the miner sent a message that is not a stream event: {0}")]
	Malformed(String),
	/// A line or an event was over the bound.
	#[error("the miner sent a line or an event over {0} bytes")]
	TooLarge(usize),
	/// Nothing came for too long.
	#[error("the miner's stream sent nothing for {} s", .0.as_secs())]
	Idle(Duration),
	/// The endpoint is not one the gateway connects to.
	#[error("the miner's endpoint is refused: {0}")]
	Refused(String),
}

/// Whether `ip` is an address the gateway does not connect to for a miner: loopback,
/// private (RFC 1918, `fc00::/7`), link-local (`169.254/16`, `fe80::/10`), unspecified (or
/// `0/8`), carrier-grade NAT (`100.64/10`), broadcast or multicast; IPv4-mapped IPv6 addresses
/// as their IPv4 address.
pub fn is_private(ip: IpAddr) -> bool {
	match ip {
		IpAddr::V4(ip) => private_v4(ip),
		IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
			Some(v4) => private_v4(v4),
			None => private_v6(ip),
		},
	}
}

fn private_v4(ip: Ipv4Addr) -> bool {
	let [a, b, ..] = ip.octets();
	ip.is_loopback()
		|| ip.is_private()
		|| ip.is_link_local()
		|| ip.is_unspecified()
		|| ip.is_broadcast()
		|| ip.is_multicast()
		|| a == 0
		|| (a == 100 && (b & 0xc0) == 64)
}

fn private_v6(ip: Ipv6Addr) -> bool {
	let first = ip.segments()[0];
	ip.is_loopback()
		|| ip.is_unspecified()
		|| ip.is_multicast()
		|| (first & 0xfe00) == 0xfc00
		|| (first & 0xffc0) == 0xfe80
}

/// The client for miners' streams: no redirects, connect timeout, no overall timeout (a
/// generation may take minutes) but [`IDLE`] between reads; endpoints checked as the module
/// says.
#[derive(Clone, Debug)]
pub struct MinerClient {
	http: reqwest::Client,
	allow_private: bool,
	idle: Duration,
}

fn builder() -> reqwest::ClientBuilder {
	reqwest::Client::builder().connect_timeout(CONNECT).redirect(reqwest::redirect::Policy::none())
}

impl MinerClient {
	/// A client; with `allow_private`, endpoints on private addresses too (local setups).
	pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
		Ok(MinerClient { http: builder().build()?, allow_private, idle: IDLE })
	}

	/// The same client with another idle bound.
	pub fn with_idle(mut self, idle: Duration) -> Self {
		self.idle = idle;
		self
	}

	/// The HTTP client to read `url` with: refused when the endpoint is not allowed; else one
	/// that connects only to the address checked (a host name resolved once here and pinned,
	/// so a second resolution cannot point it elsewhere: no DNS rebinding; no proxy).
	async fn client_for(&self, url: &str) -> Result<reqwest::Client, StreamError> {
		let parsed = reqwest::Url::parse(url)
			.map_err(|e| StreamError::Refused(format!("`{url}` is not a URL: {e}")))?;
		if !matches!(parsed.scheme(), "http" | "https") {
			return Err(StreamError::Refused(format!("`{}` is not http(s)", parsed.scheme())));
		}
		if !parsed.username().is_empty() || parsed.password().is_some() {
			return Err(StreamError::Refused("it has user info (`user@host`)".into()));
		}
		if self.allow_private {
			return Ok(self.http.clone());
		}
		let host = parsed.host_str().ok_or_else(|| StreamError::Refused("no host".into()))?;
		let port = parsed.port_or_known_default().unwrap_or(80);
		let literal = host.trim_start_matches('[').trim_end_matches(']');
		let refuse = |ip: IpAddr| {
			StreamError::Refused(format!(
				"{host} is {ip}, a private address (--allow-private-miner-endpoints allows it)"
			))
		};
		if let Ok(ip) = literal.parse::<IpAddr>() {
			if is_private(ip) {
				return Err(refuse(ip));
			}
			return builder().no_proxy().build().map_err(|e| StreamError::Transport(e.to_string()));
		}
		let addrs: Vec<SocketAddr> =
			tokio::time::timeout(CONNECT, tokio::net::lookup_host((host, port)))
				.await
				.map_err(|_| StreamError::Transport(format!("resolving {host} timed out")))?
				.map_err(|e| StreamError::Transport(format!("cannot resolve {host}: {e}")))?
				.collect();
		if let Some(private) = addrs.iter().find(|a| is_private(a.ip())) {
			return Err(refuse(private.ip()));
		}
		let addr =
			*addrs.first().ok_or_else(|| StreamError::Transport(format!("{host}: no address")))?;
		builder()
			.no_proxy()
			.resolve(host, addr)
			.build()
			.map_err(|e| StreamError::Transport(e.to_string()))
	}
}

/// An open token stream.
pub struct MinerStream {
	response: reqwest::Response,
	parser: SseParser,
	ready: std::collections::VecDeque<String>,
	idle: Duration,
}

/// The URL of job `job_id`'s stream on the miner whose endpoint (base URL) is `endpoint`.
pub fn url(endpoint: &str, job_id: JobId) -> String {
	format!("{}{}", endpoint.trim_end_matches('/'), stream::path(job_id))
}

impl MinerStream {
	/// Opens job `job_id`'s stream at `endpoint` with `signature` (the
	/// [`aitbc_client::stream::sign`] header value); events of at most `max_event` bytes.
	pub async fn open(
		client: &MinerClient,
		endpoint: &str,
		job_id: JobId,
		signature: &str,
		max_event: usize,
	) -> Result<Self, StreamError> {
		let url = url(endpoint, job_id);
		let http = client.client_for(&url).await?;
		let request = http
			.get(url)
			.header(SIGNATURE_HEADER, signature)
			.header(reqwest::header::ACCEPT, "text/event-stream")
			.send();
		let response = tokio::time::timeout(client.idle, request)
			.await
			.map_err(|_| StreamError::Idle(client.idle))?
			.map_err(|e| StreamError::Transport(e.to_string()))?;
		let status = response.status();
		if !status.is_success() {
			return Err(StreamError::Status(status.as_u16()));
		}
		Ok(MinerStream {
			response,
			parser: SseParser::new(max_event),
			ready: Default::default(),
			idle: client.idle,
		})
	}

	/// The next event; `None` when the miner closed the stream.
	pub async fn next(&mut self) -> Result<Option<StreamEvent>, StreamError> {
		loop {
			if let Some(data) = self.ready.pop_front() {
				return serde_json::from_str(&data)
					.map(Some)
					.map_err(|e| StreamError::Malformed(e.to_string()));
			}
			let chunk = tokio::time::timeout(self.idle, self.response.chunk())
				.await
				.map_err(|_| StreamError::Idle(self.idle))?;
			match chunk {
				Ok(Some(bytes)) => self.ready.extend(self.parser.push(&bytes)?),
				Ok(None) => return Ok(None),
				Err(e) => return Err(StreamError::Transport(e.to_string())),
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn events_split_anywhere_come_out_whole() {
		let text = "data: {\"type\":\"token\",\"text\":\"Hé\"}\n\n: keep-alive\n\ndata: {\"type\":\"done\",\"prompt_tokens\":1,\"output_tokens\":2}\r\n\r\n";
		let bytes = text.as_bytes();
		for split in 1..bytes.len() {
			let mut parser = SseParser::default();
			let mut events = parser.push(&bytes[..split]).unwrap();
			events.extend(parser.push(&bytes[split..]).unwrap());
			assert_eq!(events.len(), 2, "split at {split}");
			let first: StreamEvent = serde_json::from_str(&events[0]).unwrap();
			assert_eq!(first, StreamEvent::Token { text: "Hé".into() });
			let second: StreamEvent = serde_json::from_str(&events[1]).unwrap();
			assert_eq!(second, StreamEvent::Done { prompt_tokens: 1, output_tokens: 2 });
		}
	}

	#[test]
	fn multi_line_data_comments_and_other_fields() {
		let mut parser = SseParser::default();
		let events = parser
			.push(b"event: token\nid: 3\ndata: a\ndata:b\nretry: 10\n\n:comment\n\n\n")
			.unwrap();
		assert_eq!(events, vec!["a\nb".to_string()]);
		assert!(parser.push(b"data: unfinished\n").unwrap().is_empty());
		assert_eq!(parser.push(b"\n").unwrap(), vec!["unfinished".to_string()]);
	}

	#[test]
	fn lines_and_events_are_bounded() {
		let mut parser = SseParser::new(16);
		assert_eq!(parser.push(b"data: 0123456789\n\n").unwrap(), vec!["0123456789"]);
		// A line with no end never grows past the bound.
		let long = parser.push(&[b'x'; 17]).unwrap_err();
		assert!(matches!(long, StreamError::TooLarge(16)), "{long}");
		// Nor does an event of many short lines.
		let mut parser = SseParser::new(16);
		let many = parser.push(b"data: 01234\ndata: 56789\ndata: abcde\n").unwrap_err();
		assert!(matches!(many, StreamError::TooLarge(16)), "{many}");
		// Comments are lines too.
		let mut parser = SseParser::new(16);
		assert!(parser.push(b": 0123456789abcdefgh\n").is_err());
	}

	#[test]
	fn private_addresses_are_recognised() {
		for private in [
			"127.0.0.1",
			"10.1.2.3",
			"172.16.0.1",
			"172.31.255.255",
			"192.168.1.1",
			"169.254.169.254",
			"0.0.0.0",
			"0.1.2.3",
			"100.64.0.1",
			"100.127.255.255",
			"255.255.255.255",
			"224.0.0.1",
			"::1",
			"::",
			"fc00::1",
			"fd12:3456::1",
			"fe80::1",
			"febf::1",
			"ff02::1",
			"::ffff:127.0.0.1",
			"::ffff:10.0.0.1",
		] {
			assert!(is_private(private.parse().unwrap()), "{private}");
		}
		for public in
			["8.8.8.8", "172.32.0.1", "100.128.0.1", "100.63.255.255", "2001:db8::1", "fec0::1"]
		{
			assert!(!is_private(public.parse().unwrap()), "{public}");
		}
	}

	#[tokio::test]
	async fn private_endpoints_and_user_info_are_refused_unless_allowed() {
		let strict = MinerClient::new(false).unwrap();
		for endpoint in [
			"http://127.0.0.1:8090",
			"http://[::1]:8090/",
			"http://169.254.169.254/latest",
			"http://10.0.0.5:8090",
			"http://[::ffff:192.168.0.1]:80",
			"http://localhost:8090",
			"http://user:pw@8.8.8.8:8090",
			"ftp://8.8.8.8/",
			"not a url",
		] {
			let refused = strict.client_for(&url(endpoint, 1)).await.unwrap_err();
			assert!(matches!(refused, StreamError::Refused(_)), "{endpoint}: {refused}");
		}
		assert!(strict.client_for("http://8.8.8.8:8090/v1/jobs/1/stream").await.is_ok());
		let local = MinerClient::new(true).unwrap();
		assert!(local.client_for("http://127.0.0.1:8090/v1/jobs/1/stream").await.is_ok());
		assert!(local.client_for("http://localhost:8090/v1/jobs/1/stream").await.is_ok());
		let refused = local.client_for("http://me@127.0.0.1:8090/x").await.unwrap_err();
		assert!(matches!(refused, StreamError::Refused(_)), "{refused}");
	}

	/// A miner that answers, then sends comments only, or a line without end, or a redirect:
	/// the reader gives up instead of waiting or growing forever.
	#[tokio::test]
	async fn silent_oversized_and_redirecting_streams_are_broken() {
		use axum::{response::IntoResponse, routing::get, Router};

		let app = Router::new()
			.route(
				"/v1/jobs/1/stream",
				get(|| async {
					// Headers, then nothing, ever.
					axum::body::Body::from_stream(futures::stream::pending::<
						Result<Vec<u8>, std::convert::Infallible>,
					>())
				}),
			)
			.route(
				"/v1/jobs/2/stream",
				get(|| async {
					let endless = futures::stream::repeat_with(|| {
						Ok::<_, std::convert::Infallible>(vec![b'x'; 1024])
					});
					axum::body::Body::from_stream(endless)
				}),
			)
			.route(
				"/v1/jobs/3/stream",
				get(|| async {
					axum::response::Redirect::temporary("http://169.254.169.254/").into_response()
				}),
			);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let endpoint = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

		let client = MinerClient::new(true).unwrap().with_idle(Duration::from_millis(200));
		let mut silent = MinerStream::open(&client, &endpoint, 1, "sig", 4096).await.unwrap();
		let idle = silent.next().await.unwrap_err();
		assert!(matches!(idle, StreamError::Idle(_)), "{idle}");
		let mut endless = MinerStream::open(&client, &endpoint, 2, "sig", 4096).await.unwrap();
		let large = endless.next().await.unwrap_err();
		assert!(matches!(large, StreamError::TooLarge(4096)), "{large}");
		let redirect = MinerStream::open(&client, &endpoint, 3, "sig", 4096).await.err().unwrap();
		assert!(matches!(redirect, StreamError::Status(307)), "{redirect}");
	}

	/// A miner's stream server that checks the client's signature and sends the events in
	/// small pieces; the reader gets them whole, and a wrong signature is refused.
	#[tokio::test]
	async fn reads_a_signed_stream_from_a_server() {
		use aitbc_client::keys::Key;
		use axum::{extract::Path, http::HeaderMap, response::IntoResponse, routing::get, Router};

		let genesis = [3u8; 32];
		let alice = Key::from_uri("//Alice").unwrap();
		let client = alice.account();
		let app = Router::new().route(
			"/v1/jobs/{id}/stream",
			get(move |Path(id): Path<u64>, headers: HeaderMap| async move {
				let signature =
					headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
				if !stream::verify(signature, genesis, id, &client) {
					return axum::http::StatusCode::FORBIDDEN.into_response();
				}
				let text = "data: {\"type\":\"token\",\"text\":\"Hel\"}\n\n: ping\n\ndata: {\"type\":\"token\",\"text\":\"lo\"}\n\ndata: {\"type\":\"done\",\"prompt_tokens\":2,\"output_tokens\":2}\n\n";
				let pieces: Vec<Result<Vec<u8>, std::convert::Infallible>> =
					text.as_bytes().chunks(7).map(|c| Ok(c.to_vec())).collect();
				axum::body::Body::from_stream(futures::stream::iter(pieces)).into_response()
			}),
		);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let endpoint = format!("http://{}/", listener.local_addr().unwrap());
		tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

		let http = MinerClient::new(true).unwrap();
		let signature = stream::sign(&alice, genesis, 7);
		let mut miner = MinerStream::open(&http, &endpoint, 7, &signature, 4096).await.unwrap();
		let mut events = Vec::new();
		while let Some(event) = miner.next().await.unwrap() {
			events.push(event);
		}
		assert_eq!(
			events,
			vec![
				StreamEvent::Token { text: "Hel".into() },
				StreamEvent::Token { text: "lo".into() },
				StreamEvent::Done { prompt_tokens: 2, output_tokens: 2 },
			]
		);
		let other = stream::sign(&alice, genesis, 8);
		let refused = MinerStream::open(&http, &endpoint, 7, &other, 4096).await.err().unwrap();
		assert!(matches!(refused, StreamError::Status(403)), "{refused}");
		// Without --allow-private-miner-endpoints, a miner on 127.0.0.1 is not read.
		let strict = MinerClient::new(false).unwrap();
		let refused =
			MinerStream::open(&strict, &endpoint, 7, &signature, 4096).await.err().unwrap();
		assert!(matches!(refused, StreamError::Refused(_)), "{refused}");
	}

	#[test]
	fn the_url_joins_the_endpoint_and_the_path() {
		assert_eq!(url("http://m:8090/", 7), "http://m:8090/v1/jobs/7/stream");
		assert_eq!(url("http://m:8090", 7), "http://m:8090/v1/jobs/7/stream");
	}
}
