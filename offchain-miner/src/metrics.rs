//! Prometheus metrics and the `/metrics` endpoint.

use axum::{http::header, routing::get, Router};
use prometheus::{
	Encoder, Gauge, Histogram, HistogramOpts, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use tokio::net::TcpListener;

/// The miner's metrics.
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
	/// Jobs by outcome: `completed`, `failed` (reported on chain), `lost` (gone before we
	/// finished: cancelled, expired, re-assigned).
	pub jobs: IntCounterVec,
	/// Assignment seen → result included, seconds.
	pub job_seconds: Histogram,
	/// Backend call, seconds.
	pub backend_seconds: Histogram,
	/// Tokens by kind (`prompt`, `output`).
	pub tokens: IntCounterVec,
	/// Jobs running now.
	pub in_flight: IntGauge,
	/// GPU utilisation percent (first GPU), when NVML is present.
	pub gpu_utilization: Gauge,
	/// 1 while the backend answers.
	pub backend_up: IntGauge,
	/// 1 while connected to the node.
	pub chain_connected: IntGauge,
	/// Chain transactions by call and outcome at the best block (`ok`, `error`, `lost`), and
	/// `retracted`: included at a best block that then left the best chain, and not in the new one.
	pub transactions: IntCounterVec,
	/// Batched transactions sent, by call (`submit_results`, `acknowledge`).
	pub batches: IntCounterVec,
	/// Jobs per batched transaction.
	pub batch_size: Histogram,
}

fn buckets() -> Vec<f64> {
	vec![0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]
}

impl Metrics {
	/// New metrics in their own registry.
	pub fn new() -> Self {
		let registry = Registry::new_custom(Some("aitbc_miner".into()), None).unwrap_or_default();
		let jobs = IntCounterVec::new(Opts::new("jobs_total", "Jobs by outcome"), &["outcome"])
			.unwrap_or_else(|_| unreachable_metric());
		let job_seconds = Histogram::with_opts(
			HistogramOpts::new("job_seconds", "Assignment seen to result included")
				.buckets(buckets()),
		)
		.unwrap_or_else(|_| unreachable_metric());
		let backend_seconds = Histogram::with_opts(
			HistogramOpts::new("backend_seconds", "Backend generation call").buckets(buckets()),
		)
		.unwrap_or_else(|_| unreachable_metric());
		let tokens = IntCounterVec::new(Opts::new("tokens_total", "Tokens by kind"), &["kind"])
			.unwrap_or_else(|_| unreachable_metric());
		let in_flight = IntGauge::new("jobs_in_flight", "Jobs running now")
			.unwrap_or_else(|_| unreachable_metric());
		let gpu_utilization = Gauge::new("gpu_utilization_percent", "GPU utilisation (first GPU)")
			.unwrap_or_else(|_| unreachable_metric());
		let backend_up = IntGauge::new("backend_up", "1 while the backend answers")
			.unwrap_or_else(|_| unreachable_metric());
		let chain_connected = IntGauge::new("chain_connected", "1 while connected to the node")
			.unwrap_or_else(|_| unreachable_metric());
		let transactions = IntCounterVec::new(
			Opts::new("transactions_total", "Chain transactions by call and outcome"),
			&["call", "outcome"],
		)
		.unwrap_or_else(|_| unreachable_metric());
		let batches =
			IntCounterVec::new(Opts::new("batches_total", "Batched transactions sent"), &["call"])
				.unwrap_or_else(|_| unreachable_metric());
		let batch_size = Histogram::with_opts(
			HistogramOpts::new("batch_size", "Jobs per batched transaction")
				.buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
		)
		.unwrap_or_else(|_| unreachable_metric());
		for collector in [
			Box::new(jobs.clone()) as Box<dyn prometheus::core::Collector>,
			Box::new(job_seconds.clone()),
			Box::new(backend_seconds.clone()),
			Box::new(tokens.clone()),
			Box::new(in_flight.clone()),
			Box::new(gpu_utilization.clone()),
			Box::new(backend_up.clone()),
			Box::new(chain_connected.clone()),
			Box::new(transactions.clone()),
			Box::new(batches.clone()),
			Box::new(batch_size.clone()),
		] {
			let _ = registry.register(collector);
		}
		Metrics {
			registry,
			jobs,
			job_seconds,
			backend_seconds,
			tokens,
			in_flight,
			gpu_utilization,
			backend_up,
			chain_connected,
			transactions,
			batches,
			batch_size,
		}
	}

	/// The text exposition of every metric.
	pub fn render(&self) -> String {
		let mut buffer = Vec::new();
		let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
		String::from_utf8(buffer).unwrap_or_default()
	}

	/// Serves `GET /metrics` on `listener` until the task is dropped (any other path: 404).
	pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
		if let Ok(addr) = listener.local_addr() {
			tracing::info!(%addr, "serving Prometheus metrics on /metrics");
		}
		let router = Router::new()
			.route(
				"/metrics",
				get(move || {
					let body = self.render();
					async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body) }
				}),
			)
			.fallback(|| async {
				(axum::http::StatusCode::NOT_FOUND, "not found; try /metrics\n")
			});
		axum::serve(listener, router).await
	}
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

/// Metric construction only fails on invalid names, which are fixed above.
fn unreachable_metric<T>() -> T {
	panic!("metric definitions are static and valid")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn metrics_are_served_on_their_path_only() {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		let metrics = Metrics::new();
		metrics.backend_up.set(1);
		tokio::spawn(metrics.serve(listener));
		let answer = reqwest::get(format!("{url}/metrics")).await.unwrap();
		assert_eq!(answer.status(), 200);
		assert_eq!(answer.headers()["content-type"], "text/plain; version=0.0.4");
		assert!(answer.text().await.unwrap().contains("aitbc_miner_backend_up 1"));
		let answer = reqwest::get(format!("{url}/other")).await.unwrap();
		assert_eq!(answer.status(), 404);
		assert_eq!(answer.text().await.unwrap(), "not found; try /metrics\n");
	}
}
