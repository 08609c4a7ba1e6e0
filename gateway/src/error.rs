//! The error JSON both APIs answer with, and its HTTP status: one stable shape,
//! `{"error": {"type", "code", "message", "param"}}` (OpenAI's), with `Retry-After` on 429s.
//! [`GatewayError`] is what the admin commands and startup fail with.

use axum::{
	http::{header, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use serde::Serialize;

/// An API error: its status, its class (`type`), its stable `code` and a one-line message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
	/// The HTTP status.
	pub status: StatusCode,
	/// The class, e.g. `invalid_request_error`.
	pub kind: &'static str,
	/// The stable code, e.g. `prompt_too_long`.
	pub code: &'static str,
	/// One line saying what went wrong and what to do.
	pub message: String,
	/// The request field at fault, if one is.
	pub param: Option<&'static str>,
	/// For a 429: seconds until a retry can succeed (the `Retry-After` header).
	pub retry_after: Option<u64>,
}

/// The body of an error response.
#[derive(Serialize, Debug)]
pub struct ErrorBody<'a> {
	/// The error.
	pub error: ErrorObject<'a>,
}

/// The `error` object.
#[derive(Serialize, Debug)]
pub struct ErrorObject<'a> {
	/// The class.
	#[serde(rename = "type")]
	pub kind: &'a str,
	/// The stable code.
	pub code: &'a str,
	/// One line.
	pub message: &'a str,
	/// The request field at fault.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub param: Option<&'a str>,
}

/// The code of the error a response carries, for the metrics (`errors_total{class}`).
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub &'static str);

impl ApiError {
	fn new(status: StatusCode, kind: &'static str, code: &'static str, message: String) -> Self {
		ApiError { status, kind, code, message: one_line(&message), param: None, retry_after: None }
	}

	/// The same error, naming the request field at fault.
	pub fn with_param(mut self, param: &'static str) -> Self {
		self.param = Some(param);
		self
	}

	/// 400 `invalid_request`: a bad parameter.
	pub fn invalid_request(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"invalid_request",
			message.into(),
		)
	}

	/// 400 `prompt_too_long`.
	pub fn prompt_too_long(chars: usize, max: u32) -> Self {
		Self::new(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"prompt_too_long",
			format!(
				"the prompt has {chars} characters; the chain allows at most {max}: shorten it"
			),
		)
		.with_param("prompt")
	}

	/// 400 `invalid_model`: empty, too long, or served by no registered miner.
	pub fn invalid_model(message: impl Into<String>) -> Self {
		Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", "invalid_model", message.into())
			.with_param("model")
	}

	/// 401 `invalid_api_key`: no key, an unknown key or a revoked one.
	pub fn invalid_api_key() -> Self {
		Self::new(
			StatusCode::UNAUTHORIZED,
			"authentication_error",
			"invalid_api_key",
			"missing, unknown or revoked API key: send it as `X-Api-Key: KEY` or `Authorization: Bearer KEY`".into(),
		)
	}

	/// 402 `insufficient_funds`: the account cannot pay the job's max price.
	pub fn insufficient_funds(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::PAYMENT_REQUIRED,
			"payment_error",
			"insufficient_funds",
			message.into(),
		)
	}

	/// 402 `spend_cap_exceeded`: the key's spend cap does not cover the job's max price.
	pub fn spend_cap_exceeded(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::PAYMENT_REQUIRED,
			"payment_error",
			"spend_cap_exceeded",
			message.into(),
		)
	}

	/// 413 `payload_too_large`: the request body is over the limit.
	pub fn payload_too_large(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::PAYLOAD_TOO_LARGE,
			"invalid_request_error",
			"payload_too_large",
			message.into(),
		)
	}

	/// 404 `not_found`.
	pub fn not_found(message: impl Into<String>) -> Self {
		Self::new(StatusCode::NOT_FOUND, "not_found_error", "not_found", message.into())
	}

	/// 409 `job_held`: a miner holds the job, so it cannot be cancelled.
	pub fn job_held(message: impl Into<String>) -> Self {
		Self::new(StatusCode::CONFLICT, "conflict_error", "job_held", message.into())
	}

	/// 409 `job_ended`: the job has ended already.
	pub fn job_ended(message: impl Into<String>) -> Self {
		Self::new(StatusCode::CONFLICT, "conflict_error", "job_ended", message.into())
	}

	/// 429 `rate_limit_exceeded`, retry after `secs` seconds.
	pub fn rate_limited(per_minute: u32, secs: u64) -> Self {
		let mut error = Self::new(
			StatusCode::TOO_MANY_REQUESTS,
			"rate_limit_error",
			"rate_limit_exceeded",
			format!("this API key allows {per_minute} requests per minute; retry in {secs} s"),
		);
		error.retry_after = Some(secs);
		error
	}

	/// 429 `too_many_open_jobs`: the account has the most open jobs the chain allows; retry
	/// after `secs` seconds (the caller sets the chain's block time when it knows it).
	pub fn too_many_open_jobs(message: impl Into<String>, secs: u64) -> Self {
		let mut error = Self::new(
			StatusCode::TOO_MANY_REQUESTS,
			"rate_limit_error",
			"too_many_open_jobs",
			message.into(),
		);
		error.retry_after = Some(secs.max(1));
		error
	}

	/// 502 `job_failed`: the job ended without a result (its escrow was refunded).
	pub fn job_failed(message: impl Into<String>) -> Self {
		Self::new(StatusCode::BAD_GATEWAY, "api_error", "job_failed", message.into())
	}

	/// 502 `node_error`: the node answered with an error.
	pub fn node_error(message: impl Into<String>) -> Self {
		Self::new(StatusCode::BAD_GATEWAY, "api_error", "node_error", message.into())
	}

	/// 503 `node_unavailable`: the node cannot be reached (or the connection was lost).
	pub fn node_unavailable(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::SERVICE_UNAVAILABLE,
			"service_unavailable_error",
			"node_unavailable",
			message.into(),
		)
	}

	/// 503 `node_busy`: the node's transaction pool refused the transaction for a reason that
	/// is not the client's (full, banned for a while, block limits); it may pass later.
	pub fn node_busy(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::SERVICE_UNAVAILABLE,
			"service_unavailable_error",
			"node_busy",
			message.into(),
		)
	}

	/// 500 `internal_error`.
	pub fn internal(message: impl Into<String>) -> Self {
		Self::new(StatusCode::INTERNAL_SERVER_ERROR, "api_error", "internal_error", message.into())
	}

	/// The JSON body.
	pub fn body(&self) -> ErrorBody<'_> {
		ErrorBody {
			error: ErrorObject {
				kind: self.kind,
				code: self.code,
				message: &self.message,
				param: self.param,
			},
		}
	}
}

impl std::fmt::Display for ApiError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "{} ({}): {}", self.code, self.status.as_u16(), self.message)
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		let mut response = (self.status, Json(self.body())).into_response();
		if let Some(secs) = self.retry_after {
			response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
		}
		response.extensions_mut().insert(ErrorCode(self.code));
		response
	}
}

impl From<aitbc_client::Error> for ApiError {
	fn from(e: aitbc_client::Error) -> Self {
		use aitbc_client::Error as E;
		let message = e.to_string();
		match e {
			E::Usage(_) => ApiError::invalid_request(message),
			E::NotFound(_) => ApiError::not_found(message),
			E::Rejected(reason) => rejected(&reason, message),
			E::Unreachable { .. } | E::Disconnected(_) => ApiError::node_unavailable(message),
			E::Rpc(_) => ApiError::node_error(message),
		}
	}
}

/// A transaction the chain refused: the refusals a client can act on get their own codes.
fn rejected(reason: &str, message: String) -> ApiError {
	let lower = reason.to_ascii_lowercase();
	if reason.contains("JobHeld") {
		ApiError::job_held(message)
	} else if lower.contains("inability to pay")
		|| lower.contains("insufficient")
		|| lower.contains("fundsunavailable")
	{
		ApiError::insufficient_funds(message)
	} else if lower.contains("max_open_jobs_per_client") {
		ApiError::too_many_open_jobs(message, 6)
	} else if lower.contains("temporarily banned")
		|| lower.contains("immediately dropped")
		|| lower.contains("exhaust")
		|| (lower.contains("priority") && lower.contains("too low"))
		|| lower.contains("outdated")
		|| lower.contains("pool is full")
	{
		ApiError::node_busy(message)
	} else {
		ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", "rejected", message)
	}
}

/// The first line of `text`, trimmed.
fn one_line(text: &str) -> String {
	text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// What the admin commands and startup fail with: one line.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
	/// Bad flags or input.
	#[error("{0}")]
	Usage(String),
	/// A file could not be read or written.
	#[error("{0}")]
	Io(String),
	/// From the chain client (keystore, connection).
	#[error(transparent)]
	Client(#[from] aitbc_client::Error),
}

impl GatewayError {
	/// The process exit code: 2 for usage, 1 otherwise.
	pub fn exit_code(&self) -> u8 {
		match self {
			GatewayError::Usage(_) | GatewayError::Client(aitbc_client::Error::Usage(_)) => 2,
			_ => 1,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	async fn body_of(error: ApiError) -> (StatusCode, Option<String>, serde_json::Value) {
		let response = error.into_response();
		let status = response.status();
		let retry = response
			.headers()
			.get(header::RETRY_AFTER)
			.map(|v| v.to_str().unwrap_or_default().to_string());
		let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
		(status, retry, serde_json::from_slice(&bytes).unwrap())
	}

	#[tokio::test]
	async fn every_error_has_the_stable_shape_and_its_status() {
		let cases = [
			(
				ApiError::prompt_too_long(4001, 4000),
				400,
				"invalid_request_error",
				"prompt_too_long",
			),
			(ApiError::invalid_model("x"), 400, "invalid_request_error", "invalid_model"),
			(ApiError::invalid_request("x"), 400, "invalid_request_error", "invalid_request"),
			(ApiError::invalid_api_key(), 401, "authentication_error", "invalid_api_key"),
			(ApiError::insufficient_funds("x"), 402, "payment_error", "insufficient_funds"),
			(ApiError::spend_cap_exceeded("x"), 402, "payment_error", "spend_cap_exceeded"),
			(ApiError::not_found("x"), 404, "not_found_error", "not_found"),
			(ApiError::job_held("x"), 409, "conflict_error", "job_held"),
			(ApiError::rate_limited(60, 2), 429, "rate_limit_error", "rate_limit_exceeded"),
			(ApiError::job_failed("x"), 502, "api_error", "job_failed"),
			(ApiError::node_unavailable("x"), 503, "service_unavailable_error", "node_unavailable"),
			(ApiError::node_busy("x"), 503, "service_unavailable_error", "node_busy"),
			(ApiError::payload_too_large("x"), 413, "invalid_request_error", "payload_too_large"),
		];
		for (error, status, kind, code) in cases {
			let (got, _, body) = body_of(error).await;
			assert_eq!(got.as_u16(), status, "{code}");
			let object = body["error"].as_object().unwrap();
			assert_eq!(object["type"], kind);
			assert_eq!(object["code"], code);
			assert!(object["message"].as_str().is_some_and(|m| !m.contains('\n')));
			assert!(object
				.keys()
				.all(|k| ["type", "code", "message", "param"].contains(&k.as_str())));
		}
		let (_, _, body) = body_of(ApiError::prompt_too_long(4001, 4000)).await;
		assert_eq!(body["error"]["param"], "prompt");
		let (_, _, body) = body_of(ApiError::not_found("x")).await;
		assert!(body["error"].get("param").is_none());
	}

	#[tokio::test]
	async fn a_rate_limited_answer_says_when_to_retry() {
		let (status, retry, body) = body_of(ApiError::rate_limited(60, 3)).await;
		assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
		assert_eq!(retry.as_deref(), Some("3"));
		assert!(body["error"]["message"].as_str().unwrap().contains("retry in 3 s"));
	}

	#[test]
	fn client_errors_map_to_their_statuses() {
		use aitbc_client::Error as E;
		let status = |e: E| ApiError::from(e).status.as_u16();
		assert_eq!(status(E::Usage("x".into())), 400);
		assert_eq!(status(E::NotFound("x".into())), 404);
		assert_eq!(
			status(E::Unreachable { tried: vec![("ws://a".into(), "refused".into())] }),
			503
		);
		assert_eq!(status(E::Disconnected("gone".into())), 503);
		assert_eq!(status(E::Rpc("odd".into())), 502);
		let held = ApiError::from(E::Rejected("Jobs::JobHeld: A miner holds the job".into()));
		assert_eq!((held.status.as_u16(), held.code), (409, "job_held"));
		let poor =
			ApiError::from(E::Rejected("Invalid Transaction: Inability to pay some fees".into()));
		assert_eq!((poor.status.as_u16(), poor.code), (402, "insufficient_funds"));
		assert_eq!(ApiError::from(E::Rejected("Jobs::Other".into())).status.as_u16(), 400);
		for busy in [
			"Immediately Dropped: The transaction couldn't enter the pool because of the limit",
			"Transaction is temporarily banned",
			"Invalid Transaction: Transaction would exhaust the block limits",
			"Invalid Transaction: ExhaustsResources",
			"Priority is too low: (10 vs 10)",
		] {
			let error = ApiError::from(E::Rejected(busy.into()));
			assert_eq!((error.status.as_u16(), error.code), (503, "node_busy"), "{busy}");
		}
		assert_eq!(ApiError::internal("a\nb").message, "a b");
	}
}
