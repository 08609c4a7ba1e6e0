//! `aitbc quote --model M --max-tokens N`.

use std::io::Write;

use serde_json::json;

use crate::{output, CliError, Ctx};

/// Prints what a job costs now.
pub async fn run(
	ctx: &Ctx,
	model: &str,
	max_tokens: u32,
	out: &mut impl Write,
) -> Result<(), CliError> {
	let chain = ctx.chain().await?;
	let quote = chain.quote(model, max_tokens).await?;
	let object = json!({
		"operation": "quote",
		"model": quote.model,
		"max_tokens": quote.max_tokens,
		"available_miners": quote.available_miners,
		"min_price": quote.min_price,
	});
	output::emit(ctx, out, object, |out| match &quote.min_price {
		Some(price) => writeln!(
			out,
			"{} miner(s) serve {model}; {max_tokens} tokens cost at most {} (use it as --max-price)",
			quote.available_miners,
			output::ait(price)
		),
		None => writeln!(out, "No miner serves {model} now; a job would wait in the queue."),
	})
}
