//! The AITBC miner: runs the inference jobs the chain assigns to its operator key on an Ollama
//! or OpenAI-compatible server and submits signed results.
//!
//! [`run`] is the daemon: it checks the backend and the registration, then follows best blocks,
//! picks up jobs assigned to it (from `JobAssigned` events, and by reading the chain on start,
//! after each reconnect and periodically), generates, signs the receipt payload and submits the
//! result (one batched `submit_results` per block, which acknowledges implicitly; a separate,
//! batched acknowledgement only for a job still generating near its acknowledgement deadline),
//! or reports the failure with a reason. Its transactions use local nonces and are followed
//! through the one block subscription, not a watch each, until their block is final (a result or
//! acknowledgement whose block a fork retracted is checked again and sent again if still due). It heartbeats, goes
//! offline on chain while the backend is down (and online again when it is back, or when the
//! registry set it offline while the backend is up), reconnects to the node forever (given
//! several node URLs, it fails over to the next when its node stays away), and on SIGTERM/SIGINT
//! stops taking jobs and finishes those in flight within a grace period.
//!
//! The code follows that story: [`settings`] (flags, environment and TOML file, validated),
//! `daemon` (start-up, registration check, the reconnect loop around sessions, shutdown),
//! `session` (one connection's block loop: heartbeats, health, finding jobs, dispatch),
//! `pipeline` (one job: run inference, acknowledge only if slow, hand the result over or report
//! the failure), `submitter` (the result and acknowledgement batches, one per block),
//! [`market`] (the miner's transactions and reads), [`backend`] (the inference servers, which
//! stream), [`streams`] (each job's live token stream) and [`stream_server`] (serving them over
//! HTTP to the job's client, at the URL the miner advertises on chain).

pub mod backend;
mod daemon;
pub mod error;
pub mod gpu;
pub mod market;
pub mod metrics;
mod pipeline;
mod session;
pub mod settings;
pub mod stream_server;
pub mod streams;
mod submitter;

pub use daemon::run;
pub use error::{RunError, SessionError};

/// Logs to stderr, `RUST_LOG` filtered (default `info`), as text or JSON lines.
pub fn init_logging(json: bool) {
	let filter = tracing_subscriber::EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
	let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
	let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
	{
		let ctrl_c = tokio::signal::ctrl_c();
		#[cfg(unix)]
		{
			let mut term =
				match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
					Ok(term) => term,
					Err(_) => {
						let _ = ctrl_c.await;
						return;
					}
				};
			tokio::select! {
				_ = ctrl_c => {},
				_ = term.recv() => {},
			}
		}
		#[cfg(not(unix))]
		{
			let _ = ctrl_c.await;
		}
	}
}
