//! The HTTP server: the router of both APIs, authentication and the rate limit (the [`Caller`]
//! extractor), one log line and the metrics per request, `/health`, `/metrics`, and graceful
//! shutdown.

use std::{
	future::IntoFuture,
	net::SocketAddr,
	sync::{Arc, Mutex},
	time::Instant,
};

use aitbc_client::keystore::Keystore;
use aitbc_primitives::JobId;
use axum::{
	extract::{FromRequest, FromRequestParts, MatchedPath, Request, State},
	http::{header, request::Parts, HeaderMap, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::{
	error::{ApiError, ErrorCode, GatewayError},
	jobs::Jobs,
	keys::{KeyRecord, KeyStore, RateLimiter},
	metrics::Metrics,
	miner_stream,
	node::Node,
	openai, rest,
	settings::ServeSettings,
};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
	/// Jobs: submit, follow, settle.
	pub jobs: Arc<Jobs>,
	/// The API keys.
	pub keys: Arc<KeyStore>,
	/// Per-key token buckets.
	pub limiter: Arc<RateLimiter>,
	/// The metrics.
	pub metrics: Metrics,
	/// The connection to the node.
	pub node: Node,
	/// The client for miners' token streams.
	pub http: miner_stream::MinerClient,
}

/// What the request log line says besides method, route, status and latency.
#[derive(Clone, Default)]
pub struct RequestLog(Arc<Mutex<LogFields>>);

#[derive(Default, Clone)]
struct LogFields {
	key: Option<String>,
	job_id: Option<JobId>,
}

impl RequestLog {
	fn fields(&self) -> std::sync::MutexGuard<'_, LogFields> {
		self.0.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// Names the job the request is about.
	pub fn job(&self, job_id: JobId) {
		self.fields().job_id = Some(job_id);
	}
}

/// An authenticated caller within its rate limit: the key's record.
pub struct Caller {
	/// The API key's record.
	pub record: KeyRecord,
	/// The request's log line.
	pub log: RequestLog,
}

/// The API key of a request: `X-Api-Key`, or `Authorization: Bearer`.
pub fn api_key(headers: &HeaderMap) -> Option<String> {
	if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
		return Some(key.trim().to_string());
	}
	let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
	let (scheme, key) = value.split_once(' ')?;
	scheme.eq_ignore_ascii_case("bearer").then(|| key.trim().to_string())
}

impl FromRequestParts<AppState> for Caller {
	type Rejection = ApiError;

	async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
		let key = api_key(&parts.headers).ok_or_else(ApiError::invalid_api_key)?;
		let record = state.keys.authenticate(&key)?;
		let log = parts.extensions.get::<RequestLog>().cloned().unwrap_or_default();
		log.fields().key = Some(record.name.clone());
		let per_minute = record.rate_limit_per_minute;
		state
			.limiter
			.take(&record.name, per_minute, Instant::now())
			.map_err(|secs| ApiError::rate_limited(per_minute, secs))?;
		Ok(Caller { record, log })
	}
}

/// A JSON request body whose errors are API errors (400 `invalid_request`; a body over the
/// limit: 413 `payload_too_large`).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
	type Rejection = ApiError;

	async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
		match Json::<T>::from_request(request, state).await {
			Ok(Json(value)) => Ok(Body(value)),
			Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
				Err(ApiError::payload_too_large(rejection.body_text()))
			}
			Err(rejection) => Err(ApiError::invalid_request(rejection.body_text())),
		}
	}
}

/// The router of both APIs over `state`.
pub fn router(state: AppState) -> Router {
	Router::new()
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.route("/v1/jobs", post(rest::submit))
		.route("/v1/jobs/{id}", get(rest::job))
		.route("/v1/jobs/{id}/receipt", get(rest::receipt))
		.route("/v1/jobs/{id}/cancel", post(rest::cancel))
		.route("/v1/miners", get(rest::miners))
		.route("/v1/models", get(openai::models))
		.route("/v1/completions", post(openai::completions))
		.route("/v1/chat/completions", post(openai::chat_completions))
		.fallback(unknown_route)
		.layer(middleware::from_fn_with_state(state.clone(), observe))
		.with_state(state)
}

async fn unknown_route() -> ApiError {
	ApiError::not_found("no such endpoint: see docs/gateway.md for the API")
}

/// One log line and the metrics of each request.
async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
	let route = request
		.extensions()
		.get::<MatchedPath>()
		.map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
	let method = request.method().clone();
	let log = RequestLog::default();
	request.extensions_mut().insert(log.clone());
	let started = Instant::now();
	let response = next.run(request).await;
	let elapsed = started.elapsed();
	let status = response.status();
	state.metrics.requests.with_label_values(&[route.as_str(), status.as_str()]).inc();
	state
		.metrics
		.request_seconds
		.with_label_values(&[route.as_str()])
		.observe(elapsed.as_secs_f64());
	let code = response.extensions().get::<ErrorCode>().map(|c| c.0);
	if let Some(code) = code {
		state.metrics.error(code);
	}
	let fields = log.fields().clone();
	tracing::info!(
		method = %method,
		route = %route,
		status = status.as_u16(),
		latency_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
		key = fields.key.as_deref().unwrap_or("-"),
		job_id = fields.job_id,
		error = code,
		"request"
	);
	response
}

/// `GET /health`: the node's best and finalized blocks and peers, the chain's block time; 503
/// when the node is down.
async fn health(State(state): State<AppState>) -> Response {
	let version = env!("CARGO_PKG_VERSION");
	let chain = match state.node.chain() {
		Ok(chain) => chain,
		Err(e) => return unhealthy(state.node.url(), &e, version),
	};
	let (best, finalized) = match (chain.best_number().await, chain.finalized_number().await) {
		(Ok(best), Ok(finalized)) => (best, finalized),
		(Err(e), _) | (_, Err(e)) => return unhealthy(chain.url(), &ApiError::from(e), version),
	};
	let peers = chain
		.request::<serde_json::Value>("system_health", aitbc_client::rpc_params![])
		.await
		.ok()
		.and_then(|health| health.get("peers").and_then(serde_json::Value::as_u64));
	let block_time_ms = u64::try_from(chain.constants().block_time.as_millis()).unwrap_or(u64::MAX);
	Json(json!({
		"status": "ok",
		"node": { "url": chain.url(), "best": best, "finalized": finalized, "peers": peers },
		"block_time_ms": block_time_ms,
		"version": version,
	}))
	.into_response()
}

fn unhealthy(url: &str, error: &ApiError, version: &str) -> Response {
	let body = json!({
		"status": "unavailable",
		"node": { "url": url },
		"version": version,
		"error": error.body().error,
	});
	let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
	response.extensions_mut().insert(ErrorCode(error.code));
	response
}

/// `GET /metrics`: Prometheus text.
async fn metrics(State(state): State<AppState>) -> Response {
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
		.into_response()
}

/// A bound, not yet serving gateway.
pub struct Server {
	listener: tokio::net::TcpListener,
	state: AppState,
	settings: ServeSettings,
}

/// Opens the data directory (keys, wallets: every key's wallet is opened with the password,
/// so a wrong one fails here), starts connecting to the node in the background, resumes
/// following the jobs still open, and binds the listener.
pub async fn bind(settings: ServeSettings) -> Result<Server, GatewayError> {
	let keys = Arc::new(KeyStore::open(&settings.data_dir)?);
	let wallets = Keystore::new(settings.data_dir.join("wallets"));
	let metrics =
		Metrics::new().map_err(|e| GatewayError::Io(format!("cannot set up the metrics: {e}")))?;
	let node = Node::new(settings.connect.clone());
	let jobs =
		Jobs::new(node.clone(), keys.clone(), wallets, settings.password.clone(), metrics.clone());
	jobs.open_wallets().await.map_err(|e| GatewayError::Usage(e.message))?;
	let http = miner_stream::MinerClient::new(settings.allow_private_miner_endpoints)
		.map_err(|e| GatewayError::Io(format!("cannot set up the HTTP client: {e}")))?;
	let listener = tokio::net::TcpListener::bind(settings.listen)
		.await
		.map_err(|e| GatewayError::Io(format!("cannot listen on {}: {e}", settings.listen)))?;
	tokio::spawn(node.clone().run());
	jobs.resume();
	let state = AppState { jobs, keys, limiter: Arc::default(), metrics, node, http };
	Ok(Server { listener, state, settings })
}

impl Server {
	/// The address it listens on (with `--listen 127.0.0.1:0`, the port chosen).
	pub fn local_addr(&self) -> Result<SocketAddr, GatewayError> {
		self.listener.local_addr().map_err(|e| GatewayError::Io(format!("no local address: {e}")))
	}

	/// Serves until `shutdown` resolves; then stops accepting, lets the requests in flight
	/// (streams included) finish for up to the grace period, and returns.
	pub async fn run(
		self,
		shutdown: impl std::future::Future<Output = ()> + Send + 'static,
	) -> Result<(), GatewayError> {
		let grace = self.settings.grace;
		let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
		let signal = async move {
			shutdown.await;
			tracing::info!(
				grace_secs = grace.as_secs(),
				"shutting down: finishing the requests in flight"
			);
			let _ = stopping.send(());
		};
		let server = axum::serve(self.listener, router(self.state))
			.with_graceful_shutdown(signal)
			.into_future();
		let deadline = async move {
			match stopped.await {
				Ok(()) => tokio::time::sleep(grace).await,
				Err(_) => std::future::pending::<()>().await,
			}
		};
		tokio::select! {
			result = server => result.map_err(|e| GatewayError::Io(format!("the server failed: {e}")))?,
			() = deadline => tracing::warn!("grace period over; closing the requests still in flight"),
		}
		tracing::info!("stopped");
		Ok(())
	}
}

/// Binds, prints `listening on http://ADDR` to stderr, and serves until `shutdown` resolves
/// (then as [`Server::run`]).
pub async fn serve(
	settings: ServeSettings,
	shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), GatewayError> {
	let server = bind(settings).await?;
	let addr = server.local_addr()?;
	eprintln!("listening on http://{addr}");
	tracing::info!(%addr, "listening");
	server.run(shutdown).await
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The gateway without a node: authentication, the rate limit, the error shapes, the
	/// fallback, `/health`, `/metrics`, a revoke seen at once, and a clean shutdown.
	#[tokio::test]
	async fn without_a_node_every_answer_has_its_status_and_shape() {
		let dir = tempfile::tempdir().unwrap();
		let created = crate::admin::create_key(dir.path(), "pw", "app", None, 2, None).unwrap();
		let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let url = format!("ws://{}", closed.local_addr().unwrap());
		drop(closed);
		let settings = ServeSettings {
			listen: "127.0.0.1:0".parse().unwrap(),
			connect: aitbc_client::Connect::any([url]).unwrap().retry_forever(),
			data_dir: dir.path().to_path_buf(),
			password: "pw".into(),
			grace: std::time::Duration::from_secs(1),
			allow_private_miner_endpoints: false,
		};
		let server = bind(settings).await.unwrap();
		let base = format!("http://{}", server.local_addr().unwrap());
		let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
		let running = tokio::spawn(server.run(async move {
			let _ = stopped.await;
		}));
		let http = reqwest::Client::new();
		let get = |path: &str, key: Option<&str>| {
			let mut request = http.get(format!("{base}{path}"));
			if let Some(key) = key {
				request = request.bearer_auth(key);
			}
			async move {
				let response = request.send().await.unwrap();
				let status = response.status().as_u16();
				let retry = response.headers().get("retry-after").cloned();
				let text = response.text().await.unwrap();
				(status, retry, text)
			}
		};
		let (status, _, text) = get("/health", None).await;
		assert_eq!(status, 503, "{text}");
		let health: serde_json::Value = serde_json::from_str(&text).unwrap();
		assert_eq!(health["status"], "unavailable");

		let (status, _, text) = get("/v1/models", None).await;
		assert_eq!(status, 401);
		let body: serde_json::Value = serde_json::from_str(&text).unwrap();
		assert_eq!(body["error"]["code"], "invalid_api_key");
		assert_eq!(get("/v1/models", Some("aitbc_wrong")).await.0, 401);

		let key = created.api_key.as_str();
		let (status, _, text) = get("/v1/models", Some(key)).await;
		assert_eq!(status, 503, "{text}");
		assert!(text.contains("node_unavailable"));
		let response = http
			.post(format!("{base}/v1/jobs"))
			.header("x-api-key", key)
			.header("content-type", "application/json")
			.body("{not json")
			.send()
			.await
			.unwrap();
		assert_eq!(response.status().as_u16(), 400);
		let (status, retry, text) = get("/v1/miners", Some(key)).await;
		assert_eq!(status, 429, "{text}");
		assert_eq!(retry.unwrap().to_str().unwrap(), "30");

		let (status, _, text) = get("/nowhere", None).await;
		assert_eq!((status, text.contains("not_found")), (404, true));
		let (_, _, metrics) = get("/metrics", None).await;
		assert!(metrics.contains("route=\"/v1/models\",status=\"401\""), "{metrics}");
		assert!(metrics.contains("aitbc_gateway_errors_total{class=\"rate_limit_exceeded\"} 1"));

		crate::admin::revoke_key(dir.path(), "app").unwrap();
		assert_eq!(get("/v1/models", Some(key)).await.0, 401);

		stop.send(()).unwrap();
		running.await.unwrap().unwrap();
	}

	#[tokio::test]
	async fn a_body_over_the_limit_is_413() {
		let big = format!("{{\"prompt\": \"{}\"}}", "x".repeat(3 << 20));
		let request = axum::http::Request::builder()
			.method("POST")
			.uri("/v1/jobs")
			.header(header::CONTENT_TYPE, "application/json")
			.body(axum::body::Body::from(big))
			.unwrap();
		let error = Body::<serde_json::Value>::from_request(request, &()).await.err().unwrap();
		assert_eq!((error.status.as_u16(), error.code), (413, "payload_too_large"));
		let request = axum::http::Request::builder()
			.method("POST")
			.uri("/v1/jobs")
			.header(header::CONTENT_TYPE, "application/json")
			.body(axum::body::Body::from("{not json"))
			.unwrap();
		let error = Body::<serde_json::Value>::from_request(request, &()).await.err().unwrap();
		assert_eq!((error.status.as_u16(), error.code), (400, "invalid_request"));
	}

	#[test]
	fn the_key_comes_from_either_header() {
		let mut headers = HeaderMap::new();
		assert_eq!(api_key(&headers), None);
		headers.insert(header::AUTHORIZATION, "Bearer aitbc_x".parse().unwrap());
		assert_eq!(api_key(&headers).as_deref(), Some("aitbc_x"));
		headers.insert("x-api-key", "aitbc_y".parse().unwrap());
		assert_eq!(api_key(&headers).as_deref(), Some("aitbc_y"));
		let mut basic = HeaderMap::new();
		basic.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
		assert_eq!(api_key(&basic), None);
	}
}
