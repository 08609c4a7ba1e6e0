//! `aitbc submit inference --prompt TEXT --model M [--max-price] [--ttl] [--wait] ...`.

use std::{
	io::{Read, Write},
	time::{Duration, Instant},
};

use aitbc_client::{
	json::{JobJson, ReceiptJson},
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::{InferenceParams, JobKind},
		},
	},
	units::{format_ait, parse_ait, parse_balance},
	Chain,
};
use serde_json::{json, Value};

use crate::{output, CliError, Ctx, InferenceArgs};

/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 4_000;
/// Longest model id, in bytes.
pub const MAX_MODEL_LEN: usize = 64;
/// Block time of the chain, seconds (TTL seconds → blocks).
pub const BLOCK_SECS: u64 = 2;

/// The checked inputs of a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
	/// The prompt.
	pub prompt: String,
	/// Temperature in thousandths.
	pub temperature_milli: u32,
	/// Max price, if given.
	pub max_price: Option<u128>,
	/// TTL in blocks, if given.
	pub ttl_blocks: Option<u32>,
}

/// Checks everything that can be checked without the chain. Nothing is signed before this.
pub fn check(args: &InferenceArgs) -> Result<Checked, CliError> {
	let prompt = match (&args.prompt, &args.prompt_file) {
		(Some(p), _) => p.clone(),
		(None, Some(path)) if path.as_os_str() == "-" => {
			let mut text = String::new();
			std::io::stdin()
				.read_to_string(&mut text)
				.map_err(|e| CliError::usage(format!("cannot read the prompt from stdin: {e}")))?;
			text
		}
		(None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
			CliError::usage(format!("cannot read the prompt file {}: {e}", path.display()))
		})?,
		(None, None) => return Err(CliError::usage("give --prompt TEXT or --prompt-file FILE")),
	};
	let chars = prompt.chars().count();
	if prompt.trim().is_empty() {
		return Err(CliError::usage("the prompt is empty"));
	}
	if chars > MAX_PROMPT_CHARS {
		return Err(CliError::usage(format!(
			"the prompt has {chars} characters; the limit is {MAX_PROMPT_CHARS}: shorten it"
		)));
	}
	if args.model.trim().is_empty() || args.model.len() > MAX_MODEL_LEN {
		return Err(CliError::usage(format!("--model must be 1 to {MAX_MODEL_LEN} bytes")));
	}
	if !args.temperature.is_finite() || !(0.0..=2.0).contains(&args.temperature) {
		return Err(CliError::usage("--temperature must be between 0 and 2"));
	}
	if args.max_tokens == 0 {
		return Err(CliError::usage("--max-tokens must be at least 1"));
	}
	let ttl_blocks = match args.ttl {
		Some(0) => return Err(CliError::usage("--ttl must be at least 1 second")),
		Some(secs) => Some(
			u32::try_from(secs.div_ceil(BLOCK_SECS))
				.map_err(|_| CliError::usage("--ttl is too long"))?,
		),
		None => None,
	};
	let max_price = match &args.max_price {
		Some(text) => {
			Some(parse_ait(text).map_err(|e| CliError::usage(format!("--max-price: {e}")))?)
		}
		None => None,
	};
	Ok(Checked {
		prompt,
		temperature_milli: (args.temperature * 1_000.0).round() as u32,
		max_price,
		ttl_blocks,
	})
}

/// Submits the job; with `--wait`, follows it to its end.
pub async fn run(ctx: &Ctx, args: InferenceArgs, out: &mut impl Write) -> Result<(), CliError> {
	let checked = check(&args)?;
	let key = ctx.signer()?;
	let chain = ctx.chain().await?;
	let params = chain.parameters().await?;
	if let Some(ttl) = checked.ttl_blocks {
		if ttl > params.max_ttl {
			return Err(CliError::usage(format!(
				"--ttl is {} s; the chain allows at most {} s",
				u64::from(ttl) * BLOCK_SECS,
				u64::from(params.max_ttl) * BLOCK_SECS
			)));
		}
	}
	let max_price = match checked.max_price {
		Some(price) => price,
		None => {
			let quote = chain.quote(&args.model, args.max_tokens).await?;
			let price = quote.min_price.as_deref().map(parse_balance).ok_or_else(|| {
				CliError::usage(format!(
					"no miner serves `{}` now, so there is no price to offer; pass --max-price to queue the job anyway",
					args.model
				))
			})?;
			price
		}
	};
	let free = chain.free_balance(&key.account()).await?;
	if free <= max_price {
		return Err(CliError::rejected(format!(
			"insufficient balance: the job needs {} in escrow plus transaction fees; {} has {} free",
			format_ait(max_price),
			key.address(),
			format_ait(free)
		)));
	}
	let call = runtime::transactions().jobs().submit_job(
		JobKind::TextInference,
		BoundedVec(args.model.as_bytes().to_vec()),
		BoundedVec(checked.prompt.as_bytes().to_vec()),
		InferenceParams {
			temperature_milli: checked.temperature_milli,
			max_tokens: args.max_tokens,
			seed: args.seed,
		},
		max_price,
		checked.ttl_blocks,
		None,
	);
	let started = Instant::now();
	let submitted = chain.submit(&call, &key).await?;
	let event = submitted
		.events
		.find_first::<runtime::jobs::events::JobSubmitted>()
		.and_then(Result::ok)
		.ok_or_else(|| CliError::other("the submission has no JobSubmitted event"))?;
	let job_id = event.job_id;
	let tx_fee = submitted
		.events
		.find_first::<runtime::transaction_payment::events::TransactionFeePaid>()
		.and_then(Result::ok)
		.map(|e| e.actual_fee)
		.unwrap_or_default();
	let status = if submitted.events.has::<runtime::jobs::events::JobAssigned>() {
		"assigned"
	} else {
		"queued"
	};
	if !args.wait {
		let object = json!({
			"operation": "submit",
			"job_id": job_id,
			"status": status,
			"model": args.model,
			"max_price": max_price.to_string(),
			"tx_fee": tx_fee.to_string(),
			"expires_at": event.expires_at,
		});
		return output::emit(ctx, out, object, |out| {
			writeln!(out, "Job ID: {job_id}")?;
			writeln!(out, "Status: {status}")?;
			writeln!(out, "Max price: {} (held in escrow)", format_ait(max_price))?;
			writeln!(out, "Follow it with: aitbc status {job_id}")
		});
	}
	if !ctx.json {
		writeln!(
			out,
			"Submitted job {job_id} ({}, max price {}); waiting for the result...",
			args.model,
			format_ait(max_price)
		)?;
	}
	let job = follow(ctx, &chain, job_id, started, out).await?;
	finish(ctx, &chain, job, max_price, tx_fee, started, out).await
}

/// Polls the job until it ends, printing each state change with the elapsed time.
async fn follow(
	ctx: &Ctx,
	chain: &Chain,
	job_id: u64,
	started: Instant,
	out: &mut impl Write,
) -> Result<JobJson, CliError> {
	let mut last = String::new();
	loop {
		let job = chain
			.job(job_id)
			.await?
			.ok_or_else(|| CliError::not_found(format!("job {job_id} disappeared")))?;
		let state = output::job_state(&job);
		if state != last {
			if !ctx.json {
				writeln!(out, "[{:>6.1}s] {state}", started.elapsed().as_secs_f64())?;
				out.flush()?;
			}
			last = state;
		}
		if job.is_final() {
			return Ok(job);
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

async fn finish(
	ctx: &Ctx,
	chain: &Chain,
	job: JobJson,
	max_price: u128,
	tx_fee: u128,
	started: Instant,
	out: &mut impl Write,
) -> Result<(), CliError> {
	let elapsed = started.elapsed().as_secs_f64();
	if job.status != "completed" {
		let message = format!(
			"job {} ended without a result: {}; the escrow was refunded",
			job.id,
			output::job_state(&job)
		);
		let mut error = CliError::job_failed(message.clone());
		if ctx.json {
			let object = json!({
				"operation": "submit",
				"job_id": job.id,
				"status": job.status,
				"reason": job.failure_reason,
				"payment": { "price": "0", "refunded": max_price.to_string(), "tx_fee": tx_fee.to_string(), "currency": "AIT" },
				"elapsed_secs": elapsed,
				"error": { "class": error.class, "message": message, "exit_code": error.code },
			});
			writeln!(out, "{object}")?;
			error.printed = true;
		}
		return Err(error);
	}
	let receipt: ReceiptJson =
		chain.receipts(Some(job.id), None).await?.into_iter().next().ok_or_else(|| {
			CliError::not_found(format!("job {} completed but has no receipt", job.id))
		})?;
	let output_text = job.output.clone().unwrap_or_default();
	let hash_matches = receipt.output_hash
		== format!("0x{}", hex::encode(aitbc_primitives::output_hash(output_text.as_bytes())));
	// The receipt (payload v2) must also answer this job's prompt.
	let prompt_matches = receipt.prompt_hash
		== format!("0x{}", hex::encode(aitbc_primitives::prompt_hash(job.prompt.as_bytes())));
	let verified =
		output::verify(&receipt, chain.genesis_hash())? && hash_matches && prompt_matches;
	let price = parse_balance(&receipt.price);
	let refunded = max_price.saturating_sub(price);
	let mut receipt_json = output::to_json(&receipt);
	if let Value::Object(map) = &mut receipt_json {
		map.insert("verified".into(), json!(verified));
	}
	let object = json!({
		"operation": "submit",
		"job_id": job.id,
		"status": job.status,
		"result": output_text,
		"receipt": receipt_json,
		"payment": {
			"price": receipt.price,
			"fee": receipt.fee,
			"refunded": refunded.to_string(),
			"tx_fee": tx_fee.to_string(),
			"currency": "AIT",
		},
		"elapsed_secs": elapsed,
	});
	output::emit(ctx, out, object, |out| {
		writeln!(out, "Job ID: {}", job.id)?;
		writeln!(out, "Status: {}", job.status)?;
		writeln!(out, "Result: {output_text}")?;
		writeln!(
			out,
			"Receipt: {} ({})",
			receipt.id,
			if verified { "signature verified" } else { "SIGNATURE INVALID" }
		)?;
		writeln!(out, "Completed in: {elapsed:.1} seconds")?;
		writeln!(
			out,
			"Cost: {} ({} output tokens; protocol fee {} inside; {} refunded)",
			format_ait(price),
			receipt.usage.output_tokens,
			output::ait(&receipt.fee),
			format_ait(refunded)
		)
	})
}
