//! `aitbc-gateway`: an HTTP gateway over the AITBC chain.
//!
//! - The seeds' REST API ([`rest`]): `POST /v1/jobs`, `GET /v1/jobs/{id}`,
//!   `GET /v1/jobs/{id}/receipt`, `POST /v1/jobs/{id}/cancel`, `GET /v1/miners`, and
//!   `GET /health`.
//! - An OpenAI-compatible API ([`openai`]): `GET /v1/models`, `POST /v1/completions`,
//!   `POST /v1/chat/completions`, with `stream: true` relaying the miner's tokens as they are
//!   generated ([`relay`], [`miner_stream`]).
//! - API keys ([`keys`]), each mapped to a custodial account whose key the gateway holds in an
//!   encrypted keystore (the CLI's polkadot-js format, [`aitbc_client::keystore`]), with a
//!   rate limit and a spend cap; created and revoked by the admin commands ([`admin`]).
//! - Every request that runs a model is a job on chain ([`jobs`]): escrow, a signed result,
//!   a receipt; the gateway follows each job to its end and settles the key's spend.
//! - Errors as one JSON shape with the right status ([`error`]); Prometheus metrics
//!   ([`metrics`]); one log line per request; graceful shutdown ([`server`]).
//!
//! See `docs/gateway.md`.

pub mod admin;
pub mod error;
pub mod jobs;
pub mod keys;
pub mod metrics;
pub mod miner_stream;
pub mod node;
pub mod openai;
pub mod relay;
pub mod rest;
pub mod server;
pub mod settings;
pub mod time;

pub use error::{ApiError, GatewayError};
pub use server::{bind, serve, Server};
pub use settings::{Cli, Command, ServeSettings};

/// Sets up logging to stderr: one line per event, or JSON lines with `json`; the level from
/// `RUST_LOG` (default `info`).
pub fn init_logs(json: bool) {
	let filter = tracing_subscriber::EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
	let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
	// A second call (tests) keeps the first subscriber.
	let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
	let interrupt = async {
		if tokio::signal::ctrl_c().await.is_err() {
			std::future::pending::<()>().await;
		}
	};
	#[cfg(unix)]
	let terminate = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut signal) => {
				signal.recv().await;
			}
			Err(_) => std::future::pending::<()>().await,
		}
	};
	#[cfg(not(unix))]
	let terminate = std::future::pending::<()>();
	tokio::select! {
		() = interrupt => {}
		() = terminate => {}
	}
}

/// Runs the command line `cli`; returns the process exit code (errors are one line on
/// stderr).
pub async fn main(cli: Cli) -> u8 {
	init_logs(cli.log_json);
	let result = match &cli.command {
		Command::Serve(args) => match args.settings() {
			Ok(settings) => serve(settings, shutdown_signal()).await,
			Err(e) => Err(e),
		},
		Command::Keys(args) => admin::run(args, &mut std::io::stdout().lock()),
	};
	match result {
		Ok(()) => 0,
		Err(e) => {
			eprintln!("error: {e}");
			e.exit_code()
		}
	}
}
