//! `aitbc-test-backend [--addr 127.0.0.1:11434] [--latency-ms 0] [--mode ok|error|malformed|cut|hang|down] [--models a,b]`:
//! the Ollama-protocol test server as a process, for benchmarks and drills (streaming or not, as
//! each request asks).

use std::time::Duration;

use aitbc_e2e::backend::{Mode, TestBackend};

#[tokio::main]
async fn main() {
	let mut addr = "127.0.0.1:11434".to_string();
	let mut latency_ms = 0u64;
	let mut mode = Mode::Ok;
	let mut models = "test-model".to_string();
	let mut args = std::env::args().skip(1);
	while let Some(flag) = args.next() {
		let value = args.next().unwrap_or_default();
		match flag.as_str() {
			"--addr" => addr = value,
			"--latency-ms" => latency_ms = value.parse().unwrap_or(0),
			"--models" => models = value,
			"--mode" => {
				mode = match value.as_str() {
					"ok" => Mode::Ok,
					"error" => Mode::ServerError,
					"malformed" => Mode::Malformed,
					"cut" => Mode::Cut,
					"hang" => Mode::Hang,
					"down" => Mode::Down,
					other => {
						eprintln!("error: unknown mode `{other}`");
						std::process::exit(2);
					}
				}
			}
			other => {
				eprintln!("error: unknown flag `{other}`");
				std::process::exit(2);
			}
		}
	}
	let models: Vec<&str> = models.split(',').collect();
	let addr = addr.parse().unwrap_or_else(|_| {
		eprintln!("error: bad --addr");
		std::process::exit(2)
	});
	let backend =
		match TestBackend::start(addr, &models, mode, Duration::from_millis(latency_ms)).await {
			Ok(backend) => backend,
			Err(e) => {
				eprintln!("error: cannot listen: {e}");
				std::process::exit(1);
			}
		};
	eprintln!("aitbc-test-backend on {} ({mode:?}, {latency_ms} ms)", backend.url());
	let _ = tokio::signal::ctrl_c().await;
}
