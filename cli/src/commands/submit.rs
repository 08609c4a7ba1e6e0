//! `aitbc submit inference --prompt TEXT --model M [--max-price] [--ttl] [--wait] ...`.

use std::{
	io::{Read, Write},
	path::PathBuf,
	time::{Duration, Instant},
};

use aitbc_client::{
	json::{JobJson, ReceiptJson},
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::JobKind, bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::InferenceParams,
		},
	},
	units::{format_ait, parse_ait},
	Chain, Constants,
};
use aitbc_primitives::{FailureReason, JobId, JobStatus};
use clap::Subcommand;
use serde::Serialize;

use crate::{
	error::ErrorJson,
	output::{self, Snake},
	CliError, Ctx,
};

/// `submit` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// What kind of job.
	#[command(subcommand)]
	pub kind: Kind,
}

/// Kinds of job.
#[derive(Subcommand, Debug)]
pub enum Kind {
	/// Text inference.
	Inference(InferenceArgs),
}

/// `submit inference` options.
#[derive(clap::Args, Debug, Clone)]
pub struct InferenceArgs {
	/// The prompt (at most the chain's limit of characters).
	#[arg(long, conflicts_with = "prompt_file", required_unless_present = "prompt_file")]
	pub prompt: Option<String>,
	/// Read the prompt from a file, or `-` for stdin.
	#[arg(long)]
	pub prompt_file: Option<PathBuf>,
	/// Model id, e.g. llama3.2:latest.
	#[arg(long)]
	pub model: String,
	/// Most to pay, in AIT [default: the current quote for --max-tokens].
	#[arg(long)]
	pub max_price: Option<String>,
	/// Seconds before the job expires and is refunded [default: the chain's].
	#[arg(long)]
	pub ttl: Option<u64>,
	/// Sampling temperature.
	#[arg(long, default_value_t = 0.7)]
	pub temperature: f64,
	/// Most output tokens.
	#[arg(long, default_value_t = 256)]
	pub max_tokens: u32,
	/// Sampling seed.
	#[arg(long)]
	pub seed: Option<u64>,
	/// Wait for the result, showing progress; then print the result, receipt and cost.
	#[arg(long)]
	pub wait: bool,
}

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

/// `--json` output without `--wait`.
#[derive(Serialize)]
struct SubmittedJson<'a> {
	job_id: JobId,
	status: JobStatus,
	model: &'a str,
	#[serde(with = "aitbc_client::json::decimal")]
	max_price: u128,
	#[serde(with = "aitbc_client::json::decimal")]
	tx_fee: u128,
	/// The storage deposit held until the job is pruned.
	#[serde(with = "aitbc_client::json::decimal")]
	deposit: u128,
	expires_at: u32,
}

/// `--json` output with `--wait` of a completed job.
#[derive(Serialize)]
struct CompletedJson<'a> {
	job_id: JobId,
	status: JobStatus,
	result: &'a str,
	receipt: VerifiedReceipt<'a>,
	payment: Payment,
	elapsed_secs: f64,
}

/// The receipt with whether it verified (signature, output and prompt hashes).
#[derive(Serialize)]
struct VerifiedReceipt<'a> {
	#[serde(flatten)]
	receipt: Snake<&'a ReceiptJson>,
	verified: bool,
}

/// `--json` output with `--wait` of a job that ended without a result.
#[derive(Serialize)]
struct EndedJson<'a> {
	job_id: JobId,
	status: JobStatus,
	reason: &'a Option<FailureReason<String>>,
	payment: Payment,
	elapsed_secs: f64,
	error: ErrorJson<'a>,
}

/// What the job cost.
#[derive(Serialize)]
struct Payment {
	#[serde(with = "aitbc_client::json::decimal")]
	price: u128,
	/// The protocol fee, inside the price (completed jobs only).
	#[serde(skip_serializing_if = "Option::is_none", with = "aitbc_client::json::decimal::option")]
	fee: Option<u128>,
	#[serde(with = "aitbc_client::json::decimal")]
	refunded: u128,
	#[serde(with = "aitbc_client::json::decimal")]
	tx_fee: u128,
	/// The storage deposit, held (not spent) until the job is pruned.
	#[serde(with = "aitbc_client::json::decimal")]
	deposit: u128,
	currency: &'static str,
}

/// The job's prompt: `--prompt`, or the file (or stdin) of `--prompt-file`.
fn read_prompt(args: &InferenceArgs) -> Result<String, CliError> {
	match (&args.prompt, &args.prompt_file) {
		(Some(p), _) => Ok(p.clone()),
		(None, Some(path)) if path.as_os_str() == "-" => {
			let mut text = String::new();
			std::io::stdin()
				.read_to_string(&mut text)
				.map_err(|e| CliError::usage(format!("cannot read the prompt from stdin: {e}")))?;
			Ok(text)
		}
		(None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
			CliError::usage(format!("cannot read the prompt file {}: {e}", path.display()))
		}),
		(None, None) => Err(CliError::usage("give --prompt TEXT or --prompt-file FILE")),
	}
}

/// Seconds of `blocks` blocks of `block_time`.
fn secs(blocks: u32, block_time: Duration) -> u64 {
	block_time.checked_mul(blocks).map_or(u64::MAX, |d| d.as_secs())
}

/// Checks everything against the chain's `limits` (read from its metadata). Nothing is signed
/// before this.
pub fn check(args: &InferenceArgs, limits: &Constants) -> Result<Checked, CliError> {
	let prompt = read_prompt(args)?;
	let chars = prompt.chars().count();
	if prompt.trim().is_empty() {
		return Err(CliError::usage("the prompt is empty"));
	}
	let max_chars = limits.max_prompt_chars;
	if u32::try_from(chars).map_or(true, |chars| chars > max_chars) {
		return Err(CliError::usage(format!(
			"the prompt has {chars} characters; the limit is {max_chars}: shorten it"
		)));
	}
	let max_model = limits.max_model_id_len;
	if args.model.trim().is_empty()
		|| u32::try_from(args.model.len()).map_or(true, |n| n > max_model)
	{
		return Err(CliError::usage(format!("--model must be 1 to {max_model} bytes")));
	}
	if !args.temperature.is_finite() || !(0.0..=2.0).contains(&args.temperature) {
		return Err(CliError::usage("--temperature must be between 0 and 2"));
	}
	if args.max_tokens == 0 {
		return Err(CliError::usage("--max-tokens must be at least 1"));
	}
	let block_ms = u64::try_from(limits.block_time.as_millis()).unwrap_or(u64::MAX).max(1);
	let ttl_blocks = match args.ttl {
		Some(0) => return Err(CliError::usage("--ttl must be at least 1 second")),
		Some(secs) => Some(
			secs.checked_mul(1_000)
				.and_then(|ms| u32::try_from(ms.div_ceil(block_ms)).ok())
				.ok_or_else(|| CliError::usage("--ttl is too long"))?,
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
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let Kind::Inference(args) = args.kind;
	let key = ctx.signer()?;
	let chain = ctx.chain().await?;
	let checked = check(&args, chain.constants())?;
	let params = chain.parameters().await?;
	if let Some(ttl) = checked.ttl_blocks {
		if ttl > params.max_ttl {
			let block_time = chain.constants().block_time;
			return Err(CliError::usage(format!(
				"--ttl is {} s; the chain allows at most {} s",
				secs(ttl, block_time),
				secs(params.max_ttl, block_time)
			)));
		}
	}
	let max_price = match checked.max_price {
		Some(price) => price,
		None => chain.quote(&args.model, args.max_tokens).await?.min_price.ok_or_else(|| {
			CliError::usage(format!(
				"no miner serves `{}` now, so there is no price to offer; pass --max-price to queue the job anyway",
				args.model
			))
		})?,
	};
	let free = chain.free_balance(&key.account()).await?;
	if free <= max_price {
		return Err(CliError::rejected(format!(
			"insufficient balance: the job needs {} in escrow plus transaction fees; {} has {} free",
			format_ait(max_price),
			chain.address(&key.account()),
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
		JobStatus::Assigned
	} else {
		JobStatus::Queued
	};
	if !args.wait {
		let json = SubmittedJson {
			job_id,
			status,
			model: &args.model,
			max_price,
			tx_fee,
			deposit: event.deposit,
			expires_at: event.expires_at,
		};
		return output::emit(ctx, out, &json, |out| {
			writeln!(out, "Job ID: {job_id}")?;
			writeln!(out, "Status: {status}")?;
			writeln!(out, "Max price: {} (held in escrow)", format_ait(max_price))?;
			writeln!(out, "{}", output::deposit_line(event.deposit))?;
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

/// Follows the job until it ends, printing each state change with the elapsed time: the job is
/// read once now and again on every new best block (a job changes only in blocks), not on a
/// timer.
async fn follow(
	ctx: &Ctx,
	chain: &Chain,
	job_id: u64,
	started: Instant,
	out: &mut impl Write,
) -> Result<JobJson, CliError> {
	let mut blocks = chain.api().stream_best_blocks().await.map_err(|e| chain.error(e))?;
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
		match blocks.next().await {
			Some(Ok(_block)) => {}
			Some(Err(e)) => return Err(chain.error(e).into()),
			None => {
				return Err(aitbc_client::Error::Disconnected(
					"the node ended the block subscription".into(),
				)
				.into())
			}
		}
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
	if job.status != JobStatus::Completed {
		let message = format!(
			"job {} ended without a result: {}; the escrow was refunded",
			job.id,
			output::job_state(&job)
		);
		let mut error = CliError::job_failed(message);
		if ctx.json {
			let json = EndedJson {
				job_id: job.id,
				status: job.status,
				reason: &job.failure_reason,
				payment: Payment {
					price: 0,
					fee: None,
					refunded: max_price,
					tx_fee,
					deposit: job.deposit,
					currency: "AIT",
				},
				elapsed_secs: elapsed,
				error: error.json(),
			};
			output::write_json(ctx, out, &json)?;
			error.printed = true;
		}
		return Err(error);
	}
	let receipt: ReceiptJson =
		chain.receipts(Some(job.id), None).await?.into_iter().next().ok_or_else(|| {
			CliError::not_found(format!("job {} completed but has no receipt", job.id))
		})?;
	let output_text = job.output.as_deref().unwrap_or_default();
	let hash_matches = receipt.output_hash == aitbc_primitives::output_hash(output_text.as_bytes());
	// The receipt (payload v2) must also answer this job's prompt.
	let prompt_matches =
		receipt.prompt_hash == aitbc_primitives::prompt_hash(job.prompt.as_bytes());
	let verified =
		output::verify(&receipt, chain.genesis_hash())? && hash_matches && prompt_matches;
	let price = receipt.price;
	let refunded = max_price.saturating_sub(price);
	let json = CompletedJson {
		job_id: job.id,
		status: job.status,
		result: output_text,
		receipt: VerifiedReceipt { receipt: Snake(&receipt), verified },
		payment: Payment {
			price,
			fee: Some(receipt.fee),
			refunded,
			tx_fee,
			deposit: job.deposit,
			currency: "AIT",
		},
		elapsed_secs: elapsed,
	};
	output::emit(ctx, out, &json, |out| {
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
			format_ait(receipt.fee),
			format_ait(refunded)
		)?;
		writeln!(out, "{}", output::deposit_line(job.deposit))
	})
}
