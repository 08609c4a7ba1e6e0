//! The real llama.cpp server (`llama-cpp-python[server]` with SmolLM2-135M-Instruct), installed
//! by `scripts/setup-llama`, which exports `AITBC_LLAMA_PYTHON` and `AITBC_LLAMA_MODEL`.

use std::{
	io::{Read, Write},
	path::Path,
	time::Duration,
};

use crate::harness::{free_port, wait_until};

/// The model id the server announces.
pub const MODEL: &str = "smollm2-135m";

/// A running llama.cpp server.
pub struct Llama {
	/// The process.
	pub process: std::process::Child,
	/// `http://127.0.0.1:<port>`.
	pub url: String,
}

impl Drop for Llama {
	fn drop(&mut self) {
		let _ = self.process.kill();
		let _ = self.process.wait();
	}
}

/// Starts the server and waits until `/v1/models` answers. Panics with what to do when the
/// backend is not installed.
pub fn start(log_dir: &Path) -> Llama {
	let python =
		std::env::var("AITBC_LLAMA_PYTHON").unwrap_or_else(|_| {
			panic!("AITBC_LLAMA_PYTHON is not set: run `source scripts/setup-llama` (scripts/test does)")
		});
	let model = std::env::var("AITBC_LLAMA_MODEL").unwrap_or_else(|_| {
		panic!("AITBC_LLAMA_MODEL is not set: run `source scripts/setup-llama`")
	});
	let port = free_port();
	std::fs::create_dir_all(log_dir).expect("log dir");
	let log = std::fs::File::create(log_dir.join("llama.log")).expect("llama log");
	let err = log.try_clone().expect("log handle");
	let process = std::process::Command::new(python)
		.args(["-m", "llama_cpp.server", "--model", &model, "--model_alias", MODEL])
		.args(["--host", "127.0.0.1", "--port", &port.to_string(), "--n_ctx", "2048"])
		// Not the server's default: it cuts a stream short whenever another request arrives
		// (the miner's health check, a second job), docs/miner.md.
		.args(["--interrupt_requests", "false"])
		.stdout(log)
		.stderr(err)
		.spawn()
		.expect("start the llama.cpp server");
	let url = format!("http://127.0.0.1:{port}");
	let llama = Llama { process, url };
	wait_until(Duration::from_secs(120), "the llama.cpp server", || {
		models_answer(port).then_some(())
	})
	.unwrap_or_else(|e| panic!("{e}: see {}", log_dir.join("llama.log").display()));
	llama
}

/// Whether `GET /v1/models` answers 200: the port opens before the model is loaded.
fn models_answer(port: u16) -> bool {
	let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
	let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
	let request = format!("GET /v1/models HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
	if stream.write_all(request.as_bytes()).is_err() {
		return false;
	}
	let mut head = [0u8; 16];
	let n = stream.read(&mut head).unwrap_or(0);
	String::from_utf8_lossy(&head[..n]).contains(" 200")
}
