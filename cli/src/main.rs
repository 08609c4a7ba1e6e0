//! `aitbc`: see the library crate and docs/cli.md.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
	let cli = aitbc_cli::Cli::parse();
	let mut out = std::io::stdout().lock();
	let code = aitbc_cli::main(cli, &mut out).await;
	ExitCode::from(code)
}
