//! `aitbc submit inference --prompt TEXT --model M [--max-price] [--ttl] [--wait] ...`, and its
//! batch form `--prompts-file FILE` (one job per line, sent in `Jobs::submit_jobs` calls of at
//! most the chain's `Jobs.MaxBatch` jobs).

use std::{
	io::{Read, Write},
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

use aitbc_client::{
	json::{JobJson, ReceiptJson},
	keys::Key,
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::JobKind,
			bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::{InferenceParams, JobSpec},
		},
	},
	units::{format_ait, parse_ait},
	Chain, Constants, Submitted,
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
	#[arg(
		long,
		conflicts_with_all = ["prompt_file", "prompts_file"],
		required_unless_present_any = ["prompt_file", "prompts_file"]
	)]
	pub prompt: Option<String>,
	/// Read the prompt from a file, or `-` for stdin.
	#[arg(long, conflicts_with = "prompts_file")]
	pub prompt_file: Option<PathBuf>,
	/// Submit one job per line of a file (`-` for stdin; blank lines skipped), all with the
	/// same options, in batches of at most the chain's `Jobs.MaxBatch` jobs.
	#[arg(long, value_name = "FILE")]
	pub prompts_file: Option<PathBuf>,
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
	/// The prompts: the one of `--prompt`/`--prompt-file`, or the lines of `--prompts-file`.
	pub prompts: Vec<String>,
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

/// The text of `path`, or of stdin for `-`; `what` names it in the error.
fn read_text(path: &Path, what: &str) -> Result<String, CliError> {
	if path.as_os_str() == "-" {
		let mut text = String::new();
		std::io::stdin()
			.read_to_string(&mut text)
			.map_err(|e| CliError::usage(format!("cannot read {what} from stdin: {e}")))?;
		return Ok(text);
	}
	std::fs::read_to_string(path)
		.map_err(|e| CliError::usage(format!("cannot read {what} file {}: {e}", path.display())))
}

/// The job's prompt: `--prompt`, or the file (or stdin) of `--prompt-file`.
fn read_prompt(args: &InferenceArgs) -> Result<String, CliError> {
	match (&args.prompt, &args.prompt_file) {
		(Some(p), _) => Ok(p.clone()),
		(None, Some(path)) => read_text(path, "the prompt"),
		(None, None) => Err(CliError::usage("give --prompt TEXT or --prompt-file FILE")),
	}
}

/// The prompts of `--prompts-file`: one per line, blank lines skipped, each checked as a
/// single prompt is (the error names its line).
fn read_prompts(path: &Path, limits: &Constants) -> Result<Vec<String>, CliError> {
	let text = read_text(path, "the prompts")?;
	let name = if path.as_os_str() == "-" { "stdin".into() } else { path.display().to_string() };
	let mut prompts = Vec::new();
	for (index, line) in text.lines().enumerate() {
		if line.trim().is_empty() {
			continue;
		}
		check_prompt(line, limits)
			.map_err(|e| CliError::usage(format!("line {} of {name}: {}", index + 1, e.message)))?;
		prompts.push(line.to_string());
	}
	if prompts.is_empty() {
		return Err(CliError::usage(format!(
			"{name} has no prompts: give one prompt per line (blank lines are skipped)"
		)));
	}
	Ok(prompts)
}

/// A prompt is not blank and within the chain's limit of characters.
fn check_prompt(prompt: &str, limits: &Constants) -> Result<(), CliError> {
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
	Ok(())
}

/// Seconds of `blocks` blocks of `block_time`.
fn secs(blocks: u32, block_time: Duration) -> u64 {
	block_time.checked_mul(blocks).map_or(u64::MAX, |d| d.as_secs())
}

/// Checks everything against the chain's `limits` (read from its metadata). Nothing is signed
/// before this.
pub fn check(args: &InferenceArgs, limits: &Constants) -> Result<Checked, CliError> {
	let prompts = match &args.prompts_file {
		Some(path) => read_prompts(path, limits)?,
		None => {
			let prompt = read_prompt(args)?;
			check_prompt(&prompt, limits)?;
			vec![prompt]
		}
	};
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
		prompts,
		temperature_milli: (args.temperature * 1_000.0).round() as u32,
		max_price,
		ttl_blocks,
	})
}

/// Submits the job (or, with `--prompts-file`, the jobs); with `--wait`, follows it (them) to
/// the end.
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
	let batch = args.prompts_file.is_some();
	if batch {
		check_open_jobs(&chain, &key, checked.prompts.len(), params.max_open_jobs_per_client)
			.await?;
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
	let jobs = checked.prompts.len();
	let escrow = max_price.saturating_mul(jobs as u128);
	if free <= escrow {
		let needs = if batch {
			format!("the {jobs} jobs need {} ({} each)", format_ait(escrow), format_ait(max_price))
		} else {
			format!("the job needs {}", format_ait(max_price))
		};
		return Err(CliError::rejected(format!(
			"insufficient balance: {needs} in escrow plus transaction fees; {} has {} free",
			chain.address(&key.account()),
			format_ait(free)
		)));
	}
	if batch {
		return submit_batch(ctx, &chain, &key, &args, &checked, max_price, out).await;
	}
	let prompt = &checked.prompts[0];
	let call = runtime::transactions().jobs().submit_job(
		JobKind::TextInference,
		BoundedVec(args.model.as_bytes().to_vec()),
		BoundedVec(prompt.as_bytes().to_vec()),
		params_of(&args, &checked),
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
	let tx_fee = tx_fee(&submitted);
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
	let (job, elapsed) = follow(ctx, &chain, &[job_id], started, out).await?.remove(0);
	let waited = Waited::read(&chain, job, max_price, tx_fee, elapsed).await?;
	if let Some(error) = waited.error() {
		// With --json the job's object carries the error; without, the error line says it.
		if ctx.json {
			output::write_json(ctx, out, &waited.json())?;
		}
		let mut error = CliError::new(error.class, error.message.clone());
		error.printed = ctx.json;
		return Err(error);
	}
	output::emit(ctx, out, &waited.json(), |out| waited.write(out))
}

/// The generation parameters of every job of this command.
fn params_of(args: &InferenceArgs, checked: &Checked) -> InferenceParams {
	InferenceParams {
		temperature_milli: checked.temperature_milli,
		max_tokens: args.max_tokens,
		seed: args.seed,
	}
}

/// The fee the transaction paid.
fn tx_fee(submitted: &Submitted) -> u128 {
	submitted
		.events
		.find_first::<runtime::transaction_payment::events::TransactionFeePaid>()
		.and_then(Result::ok)
		.map(|e| e.actual_fee)
		.unwrap_or_default()
}

/// Refuses, before anything is signed, a batch that would take the client past the chain's
/// `max_open_jobs_per_client` with the jobs it has open now (`Jobs.OpenJobs` at the best block).
async fn check_open_jobs(chain: &Chain, key: &Key, count: usize, cap: u32) -> Result<(), CliError> {
	let account = key.account();
	let open = chain
		.at_best()
		.await?
		.storage()
		.try_fetch(runtime::storage().jobs().open_jobs(), (account,))
		.await
		.map_err(|e| chain.error(e))?
		.map(|value| value.decode())
		.transpose()
		.map_err(|e| CliError::other(format!("cannot decode Jobs.OpenJobs: {e}")))?
		.unwrap_or_default();
	let room = cap.saturating_sub(open);
	if u32::try_from(count).is_ok_and(|count| count <= room) {
		return Ok(());
	}
	if u32::try_from(count).map_or(true, |count| count > cap) {
		return Err(CliError::usage(format!(
			"{count} prompts, but the chain lets a client have at most {cap} jobs open \
			 (max_open_jobs_per_client): split the file; nothing was submitted"
		)));
	}
	Err(CliError::rejected(format!(
		"{count} prompts, but {} has {open} jobs open of the {cap} the chain allows \
		 (max_open_jobs_per_client), so {room} more fit: wait for jobs to end or send fewer; \
		 nothing was submitted",
		chain.address(&account)
	)))
}

/// One job of a batch, as its transaction's events tell it.
struct Sent {
	job_id: JobId,
	status: JobStatus,
	/// The job's share of its transaction's fee.
	tx_fee: u128,
	deposit: u128,
	expires_at: u32,
}

/// `--json` output of a batch: the object of each job, as a single submission prints it.
#[derive(Serialize)]
struct BatchJson<'a, T> {
	jobs: Vec<T>,
	/// With `--wait`, when some job ended without a result.
	#[serde(skip_serializing_if = "Option::is_none")]
	error: Option<ErrorJson<'a>>,
}

/// Sends the prompts in `Jobs::submit_jobs` calls of at most `Jobs.MaxBatch` jobs, one after
/// the other; prints a line (or a JSON object) per job; with `--wait`, follows them all.
async fn submit_batch(
	ctx: &Ctx,
	chain: &Chain,
	key: &Key,
	args: &InferenceArgs,
	checked: &Checked,
	max_price: u128,
	out: &mut impl Write,
) -> Result<(), CliError> {
	let max_batch = usize::try_from(chain.constants().max_batch).unwrap_or(usize::MAX).max(1);
	let batches = checked.prompts.len().div_ceil(max_batch);
	let started = Instant::now();
	let mut sent: Vec<Sent> = Vec::with_capacity(checked.prompts.len());
	for (index, prompts) in checked.prompts.chunks(max_batch).enumerate() {
		let specs = prompts
			.iter()
			.map(|prompt| JobSpec {
				kind: JobKind::TextInference,
				model: BoundedVec(args.model.as_bytes().to_vec()),
				prompt: BoundedVec(prompt.as_bytes().to_vec()),
				params: params_of(args, checked),
				max_price,
				ttl: checked.ttl_blocks,
				min_reputation: None,
			})
			.collect();
		let call = runtime::transactions().jobs().submit_jobs(BoundedVec(specs));
		let submitted = chain.submit(&call, key).await.map_err(|e| {
			let mut error = CliError::from(e);
			if !sent.is_empty() {
				let ids: Vec<String> = sent.iter().map(|job| job.job_id.to_string()).collect();
				error.message = format!(
					"{} (transaction {} of {batches}; the {} jobs of the transactions before it \
					 were submitted: {})",
					error.message,
					index + 1,
					ids.len(),
					ids.join(", ")
				);
			}
			error
		})?;
		let events: Vec<_> = submitted
			.events
			.find::<runtime::jobs::events::JobSubmitted>()
			.collect::<Result<_, _>>()
			.map_err(|e| CliError::other(format!("cannot decode the JobSubmitted events: {e}")))?;
		if events.len() != prompts.len() {
			return Err(CliError::other(format!(
				"the batch of {} jobs has {} JobSubmitted events",
				prompts.len(),
				events.len()
			)));
		}
		let assigned: Vec<JobId> = submitted
			.events
			.find::<runtime::jobs::events::JobAssigned>()
			.filter_map(Result::ok)
			.map(|e| e.job_id)
			.collect();
		// The transaction's fee, shared out so that the jobs' shares add up to it.
		let fee = tx_fee(&submitted);
		let count = events.len() as u128;
		for (n, event) in events.into_iter().enumerate() {
			sent.push(Sent {
				job_id: event.job_id,
				status: if assigned.contains(&event.job_id) {
					JobStatus::Assigned
				} else {
					JobStatus::Queued
				},
				tx_fee: fee / count + u128::from((n as u128) < fee % count),
				deposit: event.deposit,
				expires_at: event.expires_at,
			});
		}
	}
	if !args.wait {
		let json = BatchJson {
			jobs: sent
				.iter()
				.map(|job| SubmittedJson {
					job_id: job.job_id,
					status: job.status,
					model: &args.model,
					max_price,
					tx_fee: job.tx_fee,
					deposit: job.deposit,
					expires_at: job.expires_at,
				})
				.collect(),
			error: None,
		};
		return output::emit(ctx, out, &json, |out| {
			for job in &sent {
				writeln!(out, "Job {}: {}", job.job_id, job.status)?;
			}
			Ok(())
		});
	}
	if !ctx.json {
		writeln!(
			out,
			"Submitted {} jobs ({}, max price {} each) in {batches} transaction(s); waiting for \
			 the results...",
			sent.len(),
			args.model,
			format_ait(max_price)
		)?;
	}
	let ids: Vec<JobId> = sent.iter().map(|job| job.job_id).collect();
	let mut waited = Vec::with_capacity(sent.len());
	for ((job, elapsed), sent) in
		follow(ctx, chain, &ids, started, out).await?.into_iter().zip(&sent)
	{
		waited.push(Waited::read(chain, job, max_price, sent.tx_fee, elapsed).await?);
	}
	let failed: Vec<String> = waited
		.iter()
		.filter(|waited| waited.error().is_some())
		.map(|waited| format!("job {} {}", waited.job.id, output::job_state(&waited.job)))
		.collect();
	let mut error = (!failed.is_empty()).then(|| {
		CliError::job_failed(format!(
			"{} of {} jobs ended without a result ({}); their escrow was refunded",
			failed.len(),
			waited.len(),
			failed.join("; ")
		))
	});
	let json = BatchJson {
		jobs: waited.iter().map(Waited::json).collect(),
		error: error.as_ref().map(CliError::json),
	};
	output::emit(ctx, out, &json, |out| {
		for waited in &waited {
			writeln!(out)?;
			waited.write(out)?;
		}
		Ok(())
	})?;
	if let Some(error) = &mut error {
		error.printed = ctx.json;
	}
	error.map_or(Ok(()), Err)
}

/// Follows the jobs until each has ended, printing each state change with the elapsed time
/// (and, for several jobs, the job's id): the jobs not ended yet are read once now and again on
/// every new best block (a job changes only in blocks), not on a timer. Returns each job, in
/// the order of `job_ids`, with the time it was seen ended.
async fn follow(
	ctx: &Ctx,
	chain: &Chain,
	job_ids: &[JobId],
	started: Instant,
	out: &mut impl Write,
) -> Result<Vec<(JobJson, f64)>, CliError> {
	let mut blocks = chain.api().stream_best_blocks().await.map_err(|e| chain.error(e))?;
	let mut last = vec![String::new(); job_ids.len()];
	let mut ended: Vec<Option<(JobJson, f64)>> = job_ids.iter().map(|_| None).collect();
	loop {
		for ((&job_id, last), ended) in job_ids.iter().zip(&mut last).zip(&mut ended) {
			if ended.is_some() {
				continue;
			}
			let job = chain
				.job(job_id)
				.await?
				.ok_or_else(|| CliError::not_found(format!("job {job_id} disappeared")))?;
			let state = output::job_state(&job);
			let elapsed = started.elapsed().as_secs_f64();
			if state != *last {
				if !ctx.json {
					if job_ids.len() == 1 {
						writeln!(out, "[{elapsed:>6.1}s] {state}")?;
					} else {
						writeln!(out, "[{elapsed:>6.1}s] job {job_id}: {state}")?;
					}
					out.flush()?;
				}
				*last = state;
			}
			if job.is_final() {
				*ended = Some((job, elapsed));
			}
		}
		if ended.iter().all(Option::is_some) {
			return Ok(ended.into_iter().flatten().collect());
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

/// An ended job with what `--wait` reports of it.
struct Waited {
	job: JobJson,
	end: End,
	max_price: u128,
	tx_fee: u128,
	elapsed: f64,
}

/// How a job ended.
enum End {
	/// With a result, and its receipt; `verified`: the signature, the output and prompt hashes.
	Completed { receipt: Box<ReceiptJson>, verified: bool },
	/// Without a result: the job's error.
	Ended(CliError),
}

/// `--json` output with `--wait`: a completed job, or one that ended without a result.
#[derive(Serialize)]
#[serde(untagged)]
enum WaitedJson<'a> {
	Completed(CompletedJson<'a>),
	Ended(EndedJson<'a>),
}

impl Waited {
	/// What `--wait` reports of the ended `job`: a completed job's receipt, verified.
	async fn read(
		chain: &Chain,
		job: JobJson,
		max_price: u128,
		tx_fee: u128,
		elapsed: f64,
	) -> Result<Self, CliError> {
		let end = if job.status == JobStatus::Completed {
			let receipt: ReceiptJson =
				chain.receipts(Some(job.id), None).await?.into_iter().next().ok_or_else(|| {
					CliError::not_found(format!("job {} completed but has no receipt", job.id))
				})?;
			let output_text = job.output.as_deref().unwrap_or_default();
			let hash_matches =
				receipt.output_hash == aitbc_primitives::output_hash(output_text.as_bytes());
			// The receipt (payload v2) must also answer this job's prompt.
			let prompt_matches =
				receipt.prompt_hash == aitbc_primitives::prompt_hash(job.prompt.as_bytes());
			let verified =
				output::verify(&receipt, chain.genesis_hash())? && hash_matches && prompt_matches;
			End::Completed { receipt: Box::new(receipt), verified }
		} else {
			End::Ended(CliError::job_failed(format!(
				"job {} ended without a result: {}; the escrow was refunded",
				job.id,
				output::job_state(&job)
			)))
		};
		Ok(Waited { job, end, max_price, tx_fee, elapsed })
	}

	/// The error of a job that ended without a result.
	fn error(&self) -> Option<&CliError> {
		match &self.end {
			End::Completed { .. } => None,
			End::Ended(error) => Some(error),
		}
	}

	/// The job's `--json` object.
	fn json(&self) -> WaitedJson<'_> {
		let job = &self.job;
		match &self.end {
			End::Completed { receipt, verified } => WaitedJson::Completed(CompletedJson {
				job_id: job.id,
				status: job.status,
				result: job.output.as_deref().unwrap_or_default(),
				receipt: VerifiedReceipt { receipt: Snake(&**receipt), verified: *verified },
				payment: Payment {
					price: receipt.price,
					fee: Some(receipt.fee),
					refunded: self.max_price.saturating_sub(receipt.price),
					tx_fee: self.tx_fee,
					deposit: job.deposit,
					currency: "AIT",
				},
				elapsed_secs: self.elapsed,
			}),
			End::Ended(error) => WaitedJson::Ended(EndedJson {
				job_id: job.id,
				status: job.status,
				reason: &job.failure_reason,
				payment: Payment {
					price: 0,
					fee: None,
					refunded: self.max_price,
					tx_fee: self.tx_fee,
					deposit: job.deposit,
					currency: "AIT",
				},
				elapsed_secs: self.elapsed,
				error: error.json(),
			}),
		}
	}

	/// For people: the result, the receipt, the time and the cost of a completed job; the
	/// error of one that ended without a result.
	fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
		let job = &self.job;
		let (receipt, verified) = match &self.end {
			End::Completed { receipt, verified } => (receipt, *verified),
			End::Ended(error) => return writeln!(out, "Job ID: {}\n{}", job.id, error.message),
		};
		let refunded = self.max_price.saturating_sub(receipt.price);
		writeln!(out, "Job ID: {}", job.id)?;
		writeln!(out, "Status: {}", job.status)?;
		writeln!(out, "Result: {}", job.output.as_deref().unwrap_or_default())?;
		writeln!(
			out,
			"Receipt: {} ({})",
			receipt.id,
			if verified { "signature verified" } else { "SIGNATURE INVALID" }
		)?;
		writeln!(out, "Completed in: {:.1} seconds", self.elapsed)?;
		writeln!(
			out,
			"Cost: {} ({} output tokens; protocol fee {} inside; {} refunded)",
			format_ait(receipt.price),
			receipt.usage.output_tokens,
			format_ait(receipt.fee),
			format_ait(refunded)
		)?;
		writeln!(out, "{}", output::deposit_line(job.deposit))
	}
}
