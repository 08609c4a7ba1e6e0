//! `aitbc-gateway`: see the library crate and docs/gateway.md.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
	let cli = aitbc_gateway::Cli::parse();
	ExitCode::from(aitbc_gateway::main(cli).await)
}
