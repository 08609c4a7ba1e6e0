//! Prometheus metrics at `GET /metrics`, every name prefixed `aitbc_gateway_`: requests by
//! route and status, latency by route, time to first token, errors by code, jobs by outcome,
//! tokens streamed.

use prometheus::{
	Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry,
	TextEncoder,
};

/// The gateway's metrics and their registry.
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
	/// `requests_total{route,status}`.
	pub requests: IntCounterVec,
	/// `request_seconds{route}`.
	pub request_seconds: HistogramVec,
	/// `ttft_seconds`: request start to the first token sent (streaming).
	pub ttft_seconds: Histogram,
	/// `errors_total{class}`: the error code.
	pub errors: IntCounterVec,
	/// `jobs_total{outcome}`: how the jobs the gateway submitted ended.
	pub jobs: IntCounterVec,
	/// `tokens_streamed_total`: token messages relayed from miners.
	pub tokens_streamed: IntCounter,
}

impl Metrics {
	/// New metrics in their own registry.
	pub fn new() -> Result<Self, prometheus::Error> {
		let registry = Registry::new_custom(Some("aitbc_gateway".into()), None)?;
		let requests = IntCounterVec::new(
			Opts::new("requests_total", "HTTP requests by route and status"),
			&["route", "status"],
		)?;
		let request_seconds = HistogramVec::new(
			HistogramOpts::new(
				"request_seconds",
				"HTTP request latency by route (to the response head; a stream's body runs on)",
			)
			.buckets(vec![
				0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
			]),
			&["route"],
		)?;
		let ttft_seconds = Histogram::with_opts(
			HistogramOpts::new("ttft_seconds", "Streaming: request start to the first token sent")
				.buckets(vec![0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0]),
		)?;
		let errors = IntCounterVec::new(Opts::new("errors_total", "Errors by code"), &["class"])?;
		let jobs = IntCounterVec::new(
			Opts::new("jobs_total", "Jobs submitted through the gateway, by how they ended"),
			&["outcome"],
		)?;
		let tokens_streamed =
			IntCounter::new("tokens_streamed_total", "Token messages relayed from miners")?;
		registry.register(Box::new(requests.clone()))?;
		registry.register(Box::new(request_seconds.clone()))?;
		registry.register(Box::new(ttft_seconds.clone()))?;
		registry.register(Box::new(errors.clone()))?;
		registry.register(Box::new(jobs.clone()))?;
		registry.register(Box::new(tokens_streamed.clone()))?;
		Ok(Metrics {
			registry,
			requests,
			request_seconds,
			ttft_seconds,
			errors,
			jobs,
			tokens_streamed,
		})
	}

	/// Counts an error by its code.
	pub fn error(&self, code: &str) {
		self.errors.with_label_values(&[code]).inc();
	}

	/// The Prometheus text exposition of every metric.
	pub fn render(&self) -> String {
		let mut buffer = Vec::new();
		if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
			tracing::warn!(error = %e, "cannot encode the metrics");
		}
		String::from_utf8_lossy(&buffer).into_owned()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn names_carry_the_prefix() {
		let metrics = Metrics::new().unwrap();
		metrics.requests.with_label_values(&["/v1/jobs", "201"]).inc();
		metrics.error("rate_limit_exceeded");
		metrics.tokens_streamed.inc_by(3);
		let text = metrics.render();
		assert!(
			text.contains("aitbc_gateway_requests_total{route=\"/v1/jobs\",status=\"201\"} 1"),
			"{text}"
		);
		assert!(text.contains("aitbc_gateway_errors_total{class=\"rate_limit_exceeded\"} 1"));
		assert!(text.contains("aitbc_gateway_tokens_streamed_total 3"));
	}
}
