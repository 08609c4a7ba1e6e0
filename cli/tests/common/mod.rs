//! What the CLI's test binaries share: a dev chain, or a market on it (the test backend, a
//! miner registered through the CLI and run by the real `aitbc-miner`, and a second miner for
//! another model), and `aitbc` run in-process into a buffer.

#![allow(dead_code)] // each test binary uses its part

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use aitbc_cli::Cli;
use aitbc_e2e::{
	backend::{Mode, TestBackend},
	harness::{wait_until, Node, Process, TempDir},
	market::{register, start_miner},
};
use clap::Parser;
use serde_json::Value;

/// The model the market's first miner serves.
pub const MODEL: &str = "llama3.2:latest";

/// One in-process `aitbc` run.
pub struct Run {
	/// Exit code (clap's for a command line it refuses).
	pub code: u8,
	/// stdout (clap's message for a refused command line).
	pub text: String,
}

impl Run {
	/// The one JSON object of a `--json` run.
	pub fn json(&self) -> Value {
		serde_json::from_str(self.text.lines().last().unwrap_or_default())
			.unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", self.text))
	}
}

/// A dev node, its URL and a wallet directory. Fields drop in order: the node stops before
/// its directory goes.
pub struct Chain {
	/// The node.
	pub node: Node,
	/// Its websocket URL.
	pub url: String,
	/// Runs the in-process commands.
	pub rt: tokio::runtime::Runtime,
	/// `--wallet-dir`.
	pub wallets: PathBuf,
	/// Logs, wallets, chain.
	pub dir: TempDir,
}

impl Chain {
	/// A fresh dev chain that has produced block 1.
	pub fn start(name: &str) -> Self {
		let dir = TempDir::new(name);
		let mut node = Node::start(&["--dev", "--tmp"], dir.path());
		node.wait_ready(Duration::from_secs(60));
		wait_until(Duration::from_secs(60), "block 1", || {
			node.best_number().ok().filter(|n| *n >= 1)
		})
		.unwrap();
		let url = node.ws_url();
		let wallets = dir.path().join("wallets");
		Chain { node, url, rt: tokio::runtime::Runtime::new().unwrap(), wallets, dir }
	}

	/// `aitbc --url URL --wallet-dir WALLETS ARGS`.
	pub fn run(&self, args: &[&str]) -> Run {
		self.run_in(&self.wallets, args)
	}

	/// The same with another wallet directory.
	pub fn run_in(&self, wallets: &Path, args: &[&str]) -> Run {
		let mut argv = vec!["--url", &self.url, "--wallet-dir", wallets.to_str().unwrap()];
		argv.extend_from_slice(args);
		self.run_exactly(&argv)
	}

	/// `aitbc ARGS`, nothing added (no `--url`).
	pub fn run_exactly(&self, args: &[&str]) -> Run {
		let argv = std::iter::once(&"aitbc").chain(args);
		match Cli::try_parse_from(argv) {
			Ok(cli) => {
				let mut out = Vec::new();
				let code = self.rt.block_on(aitbc_cli::main(cli, &mut out));
				Run { code, text: String::from_utf8(out).unwrap() }
			}
			Err(e) => Run { code: e.exit_code() as u8, text: e.to_string() },
		}
	}

	/// A run that must succeed.
	pub fn ok(&self, args: &[&str]) -> Run {
		let run = self.run(args);
		assert_eq!(run.code, 0, "{args:?}: {}", run.text);
		run
	}

	/// The JSON of a `--json` run that must succeed.
	pub fn ok_json(&self, args: &[&str]) -> Value {
		let mut argv = vec!["--json"];
		argv.extend_from_slice(args);
		self.ok(&argv).json()
	}
}

/// A chain with the test backend and two miners: bob's, registered through the CLI with
/// operator //Charlie and run by `aitbc-miner` for [`MODEL`]; and dave's (//Eve) for
/// `other-model`, registered only. Fields drop in order: miner, backend, chain.
pub struct Market {
	_miner: Process,
	/// The Ollama-protocol test backend.
	pub backend: TestBackend,
	/// The chain.
	pub chain: Chain,
	/// The JSON of bob's `miner register`.
	pub registration: Value,
}

impl std::ops::Deref for Market {
	type Target = Chain;
	fn deref(&self) -> &Chain {
		&self.chain
	}
}

impl Market {
	/// Starts the chain, the backend and the miners.
	pub fn start(name: &str) -> Self {
		let chain = Chain::start(name);
		let backend = chain
			.rt
			.block_on(TestBackend::start(
				"127.0.0.1:0".parse().unwrap(),
				&[MODEL],
				Mode::Ok,
				Duration::from_millis(200),
			))
			.unwrap();
		let registration = chain.ok_json(&[
			"--dev",
			"--account",
			"bob",
			"miner",
			"register",
			"--operator-key",
			"//Charlie",
			"--models",
			MODEL,
			"--price",
			"0.000001",
			"--capacity",
			"2",
		]);
		let miner = start_miner(
			&chain.url,
			"//Charlie",
			"ollama",
			&backend.url(),
			chain.dir.path(),
			"miner",
		);
		register(&chain.url, "dave", "//Eve", "other-model", 1);
		Market { _miner: miner, backend, chain, registration }
	}

	/// Alice's `--json submit inference --prompt PROMPT --model MODEL --max-tokens 8 --wait`,
	/// which must complete.
	pub fn completed_job(&self, prompt: &str) -> Value {
		let submitted =
			self.ok_json(&alice_submits(prompt, MODEL, &["--max-tokens", "8", "--wait"]));
		assert_eq!(submitted["status"], "completed", "{submitted}");
		submitted
	}
}

/// Alice submits an inference job: `--dev --account alice submit inference --prompt PROMPT
/// --model MODEL`, then `extra`.
pub fn alice_submits<'a>(prompt: &'a str, model: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
	alice_submit("--prompt", prompt, model, extra)
}

/// Alice's `submit inference FLAG VALUE --model MODEL` (`--prompt`, `--prompts-file`, ...),
/// then `extra`.
pub fn alice_submit<'a>(
	flag: &'a str,
	value: &'a str,
	model: &'a str,
	extra: &[&'a str],
) -> Vec<&'a str> {
	let mut args =
		vec!["--dev", "--account", "alice", "submit", "inference", flag, value, "--model", model];
	args.extend_from_slice(extra);
	args
}
