//! `aitbc-miner`: see the library crate and docs/miner.md.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
	let args = aitbc_miner::settings::Args::parse();
	aitbc_miner::init_logging(args.log_json);
	let settings = match aitbc_miner::settings::Settings::load(args) {
		Ok(settings) => settings,
		Err(e) => {
			eprintln!("error: {e}");
			return ExitCode::from(2);
		}
	};
	match aitbc_miner::run(settings, aitbc_miner::shutdown_signal()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			tracing::error!("{e}");
			eprintln!("error: {e}");
			ExitCode::from(e.exit_code())
		}
	}
}
