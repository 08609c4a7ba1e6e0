//! `aitbc browser [--blocks N] [--receipt-limit N]`.

use std::io::Write;

use aitbc_client::{json::ReceiptJson, rpc_params, units::format_ait};
use serde::Serialize;

use crate::{
	output::{self, Snake},
	CliError, Ctx,
};

/// The pallets whose events the browser shows.
const MARKET_PALLETS: [&str; 5] = ["Jobs", "Miners", "Escrow", "Receipts", "Params"];

/// `browser` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// Blocks shown.
	#[arg(long, default_value_t = 10)]
	pub blocks: u32,
	/// Receipts shown.
	#[arg(long, default_value_t = 5)]
	pub receipt_limit: u32,
}

/// `--json` output.
#[derive(Serialize)]
struct BrowserJson<'a> {
	best: u64,
	blocks: &'a [BlockRow],
	receipts: Snake<&'a [ReceiptJson]>,
}

/// One block.
#[derive(Serialize)]
struct BlockRow {
	number: u64,
	hash: String,
	extrinsics: usize,
	events: Vec<EventRow>,
}

/// One marketplace event of a block.
#[derive(Serialize)]
struct EventRow {
	pallet: String,
	event: String,
	/// The decoded fields, as text.
	fields: String,
}

/// Recent blocks with their marketplace events, then the newest receipts.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let blocks = args.blocks;
	if blocks == 0 || blocks > 1_000 {
		return Err(CliError::usage("--blocks must be 1 to 1000"));
	}
	let chain = ctx.chain().await?;
	let best = chain.best_number().await?;
	let mut rows = Vec::new();
	for number in (best.saturating_sub(u64::from(blocks) - 1)..=best).rev() {
		let hash: Option<String> = chain.request("chain_getBlockHash", rpc_params![number]).await?;
		let Some(hash) = hash else { continue };
		let block_hash: subxt::utils::H256 =
			hash.parse().map_err(|_| CliError::other(format!("bad block hash {hash}")))?;
		let at = chain
			.api()
			.at_block(block_hash)
			.await
			.map_err(|e| CliError::other(format!("block {number}: {e}")))?;
		let extrinsics = at.extrinsics().fetch().await.map(|x| x.len()).unwrap_or(0);
		let events = at
			.events()
			.fetch()
			.await
			.map_err(|e| CliError::other(format!("events of block {number}: {e}")))?;
		let mut market = Vec::new();
		for event in events.iter().flatten() {
			if !MARKET_PALLETS.contains(&event.pallet_name()) {
				continue;
			}
			let fields = event
				.decode_fields_unchecked_as::<subxt::ext::scale_value::Value>()
				.map(|v| v.to_string())
				.unwrap_or_default();
			market.push(EventRow {
				pallet: event.pallet_name().to_string(),
				event: event.event_name().to_string(),
				fields,
			});
		}
		rows.push(BlockRow { number, hash, extrinsics, events: market });
	}
	let receipts = chain.receipts(None, Some(args.receipt_limit)).await?;
	let json = BrowserJson { best, blocks: &rows, receipts: Snake(&receipts) };
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Recent blocks (best {best}):")?;
		for row in &rows {
			writeln!(
				out,
				"#{} {} ({} extrinsics, {} marketplace events)",
				row.number,
				row.hash,
				row.extrinsics,
				row.events.len()
			)?;
			for event in &row.events {
				writeln!(out, "    {}.{} {}", event.pallet, event.event, event.fields)?;
			}
		}
		writeln!(out, "Recent receipts:")?;
		if receipts.is_empty() {
			writeln!(out, "  none")?;
		}
		for r in &receipts {
			writeln!(
				out,
				"  receipt {} job {} price {} by {}",
				r.id,
				r.job_id,
				format_ait(r.price),
				r.operator
			)?;
		}
		Ok(())
	})
}
