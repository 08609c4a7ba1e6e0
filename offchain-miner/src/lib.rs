//! The AITBC miner: runs the inference jobs the chain assigns to its operator key on an Ollama
//! or OpenAI-compatible server and submits signed results.
//!
//! [`run`] is the daemon: it checks the backend and the registration, then follows best blocks,
//! picks up jobs assigned to it (from `JobAssigned` events, and by reading the chain on start,
//! after each reconnect and periodically), acknowledges at once, generates, signs the receipt
//! payload and submits the result, or reports the failure with a reason. It heartbeats, goes
//! offline on chain while the backend is down, reconnects to the node forever, and on
//! SIGTERM/SIGINT stops taking jobs and finishes those in flight within a grace period.

pub mod backend;
pub mod gpu;
pub mod market;
pub mod metrics;
pub mod settings;
mod worker;

pub use worker::run;

/// Why the daemon stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
	/// The operator key has no miner on chain.
	#[error("{0}")]
	NotRegistered(String),
	/// The backend is unusable at start.
	#[error("{0}")]
	Backend(String),
	/// The node or the metrics port.
	#[error("{0}")]
	Chain(String),
}

impl RunError {
	/// The process exit code: 3 not registered, 4 backend, 5 chain (2 is bad settings).
	pub fn exit_code(&self) -> u8 {
		match self {
			RunError::NotRegistered(_) => 3,
			RunError::Backend(_) => 4,
			RunError::Chain(_) => 5,
		}
	}
}

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
