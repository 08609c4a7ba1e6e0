//! `aitbc miners` (alias `admin-miners`).

use std::io::Write;

use aitbc_client::json::MinerJson;
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `miners` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Most miners shown.
	#[arg(long, default_value_t = 100)]
	pub limit: u32,
}

/// `--json` output.
#[derive(Serialize)]
struct MinersJson<'a> {
	miners: Snake<&'a [MinerJson]>,
}

/// Lists registered miners.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let miners = chain.miners(Some(args.limit)).await?;
	output::emit(ctx, out, &MinersJson { miners: Snake(&miners) }, |out| {
		output::write_miner_rows(out, &miners)
	})
}
