//! `aitbc browser [--blocks N] [--receipt-limit N]`.

use std::io::Write;

use aitbc_client::rpc_params;
use serde_json::json;

use crate::{output, CliError, Ctx};

/// The pallets whose events the browser shows.
const MARKET_PALLETS: [&str; 5] = ["Jobs", "Miners", "Escrow", "Receipts", "Params"];

/// Recent blocks with their marketplace events, then the newest receipts.
pub async fn run(
	ctx: &Ctx,
	blocks: u32,
	receipt_limit: u32,
	out: &mut impl Write,
) -> Result<(), CliError> {
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
			market.push(json!({
				"pallet": event.pallet_name(),
				"event": event.event_name(),
				"fields": fields,
			}));
		}
		rows.push(json!({
			"number": number,
			"hash": hash,
			"extrinsics": extrinsics,
			"events": market,
		}));
	}
	let receipts = chain.receipts(None, Some(receipt_limit)).await?;
	let object = json!({
		"operation": "browser",
		"best": best,
		"blocks": rows,
		"receipts": output::to_json(&receipts),
	});
	output::emit(ctx, out, object, |out| {
		writeln!(out, "Recent blocks (best {best}):")?;
		for row in &rows {
			let events = row["events"].as_array().cloned().unwrap_or_default();
			writeln!(
				out,
				"#{} {} ({} extrinsics, {} marketplace events)",
				row["number"],
				row["hash"].as_str().unwrap_or_default(),
				row["extrinsics"],
				events.len()
			)?;
			for event in events {
				writeln!(
					out,
					"    {}.{} {}",
					event["pallet"].as_str().unwrap_or_default(),
					event["event"].as_str().unwrap_or_default(),
					event["fields"].as_str().unwrap_or_default()
				)?;
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
				output::ait(&r.price),
				r.operator
			)?;
		}
		Ok(())
	})
}
