//! `aitbc quote --model M --max-tokens N`.

use std::io::Write;

use aitbc_client::{json::QuoteJson, units::format_ait};

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// `quote` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Model id.
	#[arg(long)]
	pub model: String,
	/// Most output tokens.
	#[arg(long, default_value_t = 256)]
	pub max_tokens: u32,
}

/// Prints what a job costs now. The JSON is the quote (`model`, `max_tokens`,
/// `available_miners`, `min_price`).
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let quote: QuoteJson = chain.quote(&args.model, args.max_tokens).await?;
	output::emit(ctx, out, &Snake(&quote), |out| match quote.min_price {
		Some(price) => writeln!(
			out,
			"{} miner(s) serve {}; {} tokens cost at most {} (use it as --max-price)",
			quote.available_miners,
			args.model,
			args.max_tokens,
			format_ait(price)
		),
		None => writeln!(out, "No miner serves {} now; a job would wait in the queue.", args.model),
	})
}
