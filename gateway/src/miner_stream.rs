//! Reading a miner's token stream of a job (`GET {endpoint}/v1/jobs/{id}/stream`, Server-Sent
//! Events whose `data` is an [`aitbc_client::stream::StreamEvent`] as JSON), opened with the
//! client's signature over the job id.

use std::time::Duration;

use aitbc_client::stream::{self, StreamEvent, SIGNATURE_HEADER};
use aitbc_primitives::JobId;

/// An incremental Server-Sent Events parser: feed it bytes as they arrive, in pieces of any
/// size, and take the `data` of each complete event (several `data:` lines joined with `\n`;
/// comments and other fields ignored; `\n`, `\r\n` line ends).
#[derive(Default, Debug)]
pub struct SseParser {
	line: Vec<u8>,
	data: Vec<String>,
}

impl SseParser {
	/// Feeds `bytes`; returns the data of every event they completed, in order.
	pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
		let mut events = Vec::new();
		for &byte in bytes {
			if byte != b'\n' {
				self.line.push(byte);
				continue;
			}
			let mut line = std::mem::take(&mut self.line);
			if line.last() == Some(&b'\r') {
				line.pop();
			}
			self.line_done(&String::from_utf8_lossy(&line), &mut events);
		}
		events
	}

	fn line_done(&mut self, line: &str, events: &mut Vec<String>) {
		if line.is_empty() {
			if !self.data.is_empty() {
				events.push(std::mem::take(&mut self.data).join("\n"));
			}
			return;
		}
		if line.starts_with(':') {
			return;
		}
		let (field, value) = match line.split_once(':') {
			Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
			None => (line, ""),
		};
		if field == "data" {
			self.data.push(value.to_string());
		}
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
}

/// An open token stream.
pub struct MinerStream {
	response: reqwest::Response,
	parser: SseParser,
	ready: std::collections::VecDeque<String>,
}

/// An HTTP client for miners' streams: connect timeout, no overall timeout (a generation may
/// take minutes).
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
	reqwest::Client::builder().connect_timeout(Duration::from_secs(5)).build()
}

/// The URL of job `job_id`'s stream on the miner whose endpoint (base URL) is `endpoint`.
pub fn url(endpoint: &str, job_id: JobId) -> String {
	format!("{}{}", endpoint.trim_end_matches('/'), stream::path(job_id))
}

impl MinerStream {
	/// Opens job `job_id`'s stream at `endpoint` with `signature` (the
	/// [`aitbc_client::stream::sign`] header value).
	pub async fn open(
		client: &reqwest::Client,
		endpoint: &str,
		job_id: JobId,
		signature: &str,
	) -> Result<Self, StreamError> {
		let response = client
			.get(url(endpoint, job_id))
			.header(SIGNATURE_HEADER, signature)
			.header(reqwest::header::ACCEPT, "text/event-stream")
			.send()
			.await
			.map_err(|e| StreamError::Transport(e.to_string()))?;
		let status = response.status();
		if !status.is_success() {
			return Err(StreamError::Status(status.as_u16()));
		}
		Ok(MinerStream { response, parser: SseParser::default(), ready: Default::default() })
	}

	/// The next event; `None` when the miner closed the stream.
	pub async fn next(&mut self) -> Result<Option<StreamEvent>, StreamError> {
		loop {
			if let Some(data) = self.ready.pop_front() {
				return serde_json::from_str(&data)
					.map(Some)
					.map_err(|e| StreamError::Malformed(e.to_string()));
			}
			match self.response.chunk().await {
				Ok(Some(bytes)) => self.ready.extend(self.parser.push(&bytes)),
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
			let mut events = parser.push(&bytes[..split]);
			events.extend(parser.push(&bytes[split..]));
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
		let events =
			parser.push(b"event: token\nid: 3\ndata: a\ndata:b\nretry: 10\n\n:comment\n\n\n");
		assert_eq!(events, vec!["a\nb".to_string()]);
		assert!(parser.push(b"data: unfinished\n").is_empty());
		assert_eq!(parser.push(b"\n"), vec!["unfinished".to_string()]);
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

		let http = http_client().unwrap();
		let signature = stream::sign(&alice, genesis, 7);
		let mut miner = MinerStream::open(&http, &endpoint, 7, &signature).await.unwrap();
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
		let refused = MinerStream::open(&http, &endpoint, 7, &other).await.err().unwrap();
		assert!(matches!(refused, StreamError::Status(403)), "{refused}");
	}

	#[test]
	fn the_url_joins_the_endpoint_and_the_path() {
		assert_eq!(url("http://m:8090/", 7), "http://m:8090/v1/jobs/7/stream");
		assert_eq!(url("http://m:8090", 7), "http://m:8090/v1/jobs/7/stream");
	}
}
