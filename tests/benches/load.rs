//! Load benchmark (not part of the tests): `scripts/bench-load` starts a dev node (with a large
//! transaction pool), the instant test backend and four miners, then runs this against them.
//!
//! Fair throughput (issue 15): the same node in the same run, every phase open-loop (the offered
//! load stays above what the chain takes), measured per block over steady blocks with the
//! blocks' own timestamps:
//!
//! 0. the empty-block baseline: the mandatory weight of a few blocks without load;
//! 1. **transfers**: `Balances::transfer_keep_alive` of one planck, pre-signed (at least
//!    `--presign-blocks` × a block's capacity, never less than 10 ×) from `--transfer-accounts`
//!    accounts funded by Alice, handed to the pool with `author_submitExtrinsic` (no watch) over
//!    `--connections` connections, keeping a backlog of `--backlog-blocks` blocks' worth in the
//!    pool, until `--steady-blocks` steady blocks were seen; then the pool drains;
//! 2. **jobs**: `--jobs` job submissions pre-signed from enough client accounts that the chain's
//!    `max_open_jobs_per_client` does not hold the load back (`submit_jobs` batches of `--batch`
//!    when the runtime has that call, `submit_job` otherwise), keeping up to `--open` jobs open
//!    (default: what the miners can hold, so none waits in the chain's queue), every one followed to its end;
//! 3. **transfers** again, as in 1.
//!
//! A steady block is one after the ramp-up (`--ramp-blocks` after the first transfer included,
//! or the first job completed) and before the drain (the submitter stopped or ran out; for
//! jobs, while the clients still have jobs to send, held back only by `--open`). Rate =
//! units in the steady blocks ÷ (timestamp of the last steady block − timestamp of the block
//! before the first). Weight per unit = the steady blocks' total weight (all classes, hooks
//! included) less the empty-block baseline per block, ÷ units. Prints every phase, the ratios,
//! every job's outcome (lost must be 0), the escrow check, and one JSON line with all figures.
//!
//! `--spam` runs the closed-loop run of issue 13 with its attacker instead (`load/spam.rs`).

#[path = "load/spam.rs"]
mod spam;

use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant},
};

use aitbc_client::{
	keys::Key,
	rpc_params,
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::JobKind, bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::InferenceParams,
		},
	},
	subxt::config::PolkadotExtrinsicParamsBuilder,
	subxt::dynamic::Value,
	subxt::events::Phase,
	subxt::ext::codec::{Compact, Decode, Encode},
	subxt::ext::scale_value::Composite,
	subxt::transactions::Payload,
	subxt::utils::MultiAddress,
	units::{format_ait, AIT},
	AccountId, Chain, Connect,
};
use serde_json::{json, Value as Json};
use spam::{escrow_left, pct, AtBlock};

struct Args {
	url: String,
	/// Jobs to submit.
	jobs: usize,
	/// Client accounts for the jobs (0: as many as the open jobs need, at least one per 1,000
	/// jobs).
	clients: usize,
	/// Most jobs open at once, submitted or waiting in the pool (0: twice the miners' capacity).
	open: usize,
	/// Jobs per submission (`None`: `Jobs.MaxBatch` when the runtime has `submit_jobs`, else 1).
	batch: Option<u32>,
	model: String,
	max_tokens: u32,
	/// Accounts the transfers come from.
	transfer_accounts: usize,
	/// At least this many transfers pre-signed per transfer phase.
	transfers: usize,
	/// Transfers pre-signed per phase, in blocks' capacity (at least 10).
	presign_blocks: u64,
	/// Pool backlog kept during a transfer phase, in blocks' capacity.
	backlog_blocks: u64,
	/// Steady blocks a transfer phase runs for before it stops submitting.
	steady_blocks: usize,
	/// Blocks left out at the start of a phase.
	ramp_blocks: u64,
	/// Connections submitting in parallel.
	connections: usize,
}

fn args() -> Result<Args, String> {
	let mut args = Args {
		url: "ws://127.0.0.1:9944".into(),
		jobs: 4_000,
		clients: 0,
		open: 0,
		batch: None,
		model: "bench-model".into(),
		max_tokens: 16,
		transfer_accounts: 128,
		transfers: 0,
		presign_blocks: 40,
		backlog_blocks: 4,
		steady_blocks: 30,
		ramp_blocks: 3,
		connections: 8,
	};
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		if flag == "--bench" {
			continue;
		}
		let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
		let number =
			|| value.parse::<usize>().map_err(|_| format!("{flag}: `{value}` is not a number"));
		match flag.as_str() {
			"--url" => args.url = value.clone(),
			"--jobs" => args.jobs = number()?,
			"--clients" => args.clients = number()?,
			"--open" => args.open = number()?,
			"--batch" => args.batch = Some(number()?.max(1) as u32),
			"--model" => args.model = value.clone(),
			"--max-tokens" => args.max_tokens = number()? as u32,
			"--transfer-accounts" => args.transfer_accounts = number()?.max(100),
			"--transfers" => args.transfers = number()?,
			"--presign-blocks" => args.presign_blocks = number()?.max(10) as u64,
			"--backlog-blocks" => args.backlog_blocks = number()?.max(1) as u64,
			"--steady-blocks" => args.steady_blocks = number()?.max(1),
			"--ramp-blocks" => args.ramp_blocks = number()? as u64,
			"--connections" => args.connections = number()?.max(1),
			_ => return Err(format!("unknown flag {flag}")),
		}
	}
	Ok(args)
}

#[tokio::main]
async fn main() {
	let result =
		if std::env::args().any(|a| a == "--spam") { spam::run().await } else { run().await };
	if let Err(e) = result {
		eprintln!("error: {e}");
		std::process::exit(1);
	}
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn err(e: impl std::fmt::Display) -> String {
	e.to_string()
}

/// The amount of a benchmark transfer: one planck, so the follower tells them from the rest.
const MARK: u128 = 1;

/// One block as the follower saw it.
#[derive(Clone, Default)]
struct Rec {
	number: u64,
	/// `Timestamp::Now`, milliseconds.
	ts: u64,
	/// `System::BlockWeight` ref time: normal, operational, mandatory.
	weight: [u64; 3],
	extrinsics: usize,
	/// Benchmark transfers in the block.
	transfers: u64,
	/// The clients' jobs that got on chain in the block.
	jobs_in: u64,
	/// The clients' jobs completed in the block.
	completed: u64,
	/// `Jobs::QueuedCount` after the block.
	queued: u32,
	/// The phase's units the pool held (taken, not yet in a block) after the block.
	backlog: i64,
	/// The clients' jobs open on chain after the block.
	open: u64,
	/// The phase it belongs to, and whether it is a steady block of it.
	phase: Option<&'static str>,
	steady: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
	Transfers,
	Jobs,
}

/// The phase in progress, shared by its submitters and the follower.
struct Load {
	label: &'static str,
	kind: Kind,
	/// Units (transfers, jobs) the pool took.
	accepted: u64,
	/// Units seen in blocks (jobs: on chain or failed at dispatch).
	included: u64,
	/// The submitters are done (out of transactions, or stopped).
	exhausted: bool,
	/// Enough steady blocks: stop submitting (transfers only).
	stop: bool,
	/// Steady blocks wanted before stopping (transfers; jobs run to the end).
	steady_target: Option<usize>,
	ramp: u64,
	/// The first block with a unit in it (transfers) or a completed job.
	first: Option<u64>,
	/// The steady blocks so far: first and last.
	steady: Option<(u64, u64)>,
	/// The steady range ended (a block was not steady after it began).
	closed: bool,
	/// Whether work was waiting after the previous block (see [`file_block`]).
	waiting: bool,
}

/// Every job of the clients, from submission to end.
#[derive(Default)]
struct Book {
	/// Client account → index.
	clients: HashMap<[u8; 32], usize>,
	/// Per client: jobs reserved or taken by the pool and not ended yet.
	open: Vec<i64>,
	open_total: i64,
	/// Jobs in submissions the pool took.
	submitted: u64,
	/// Jobs that got on chain (`JobSubmitted`).
	on_chain: u64,
	/// Jobs in submissions included but failed at dispatch, by error.
	dispatch_failed: BTreeMap<String, u64>,
	/// Open jobs on chain: id → (client, block it got on chain in).
	live: HashMap<u64, (usize, u64)>,
	completed: u64,
	failed: BTreeMap<String, u64>,
	expired: u64,
	cancelled: u64,
	/// Blocks from submission to end, per ended job.
	blocks_to_end: Vec<u32>,
}

#[derive(Default)]
struct State {
	blocks: Vec<Rec>,
	load: Option<Load>,
	book: Book,
	/// Read block bodies (to tell the clients' failed submissions).
	bodies: bool,
	/// The follower's last error, if it stopped.
	error: Option<String>,
}

type Shared = Arc<Mutex<State>>;

/// The chain's figures the benchmark needs.
struct Limits {
	/// The normal class's `max_total` ref time.
	normal_max: u64,
	/// The normal class's `base_extrinsic` ref time.
	base_extrinsic: u64,
	block_time: Duration,
	max_batch: u32,
	max_open_per_client: u32,
}

async fn run() -> Result<(), String> {
	let args = args()?;
	let chain = Chain::connect(&Connect::new(args.url.clone())).await.map_err(err)?;
	let at = chain.api().at_current_block().await.map_err(err)?;
	let weights =
		at.constants().entry(runtime::constants().system().block_weights()).map_err(err)?;
	let params = chain.parameters().await.map_err(err)?;
	let limits = Limits {
		normal_max: weights
			.per_class
			.normal
			.max_total
			.as_ref()
			.map_or(weights.max_block.ref_time, |w| w.ref_time),
		base_extrinsic: weights.per_class.normal.base_extrinsic.ref_time,
		block_time: chain.constants().block_time,
		max_batch: chain.constants().max_batch,
		max_open_per_client: params.max_open_jobs_per_client.max(1),
	};
	let has_batch_call = at
		.metadata()
		.pallet_by_name("Jobs")
		.and_then(|p| p.call_variant_by_name("submit_jobs"))
		.is_some();
	let batch = match args.batch {
		Some(1) => 1,
		Some(n) if has_batch_call => n.min(limits.max_batch),
		Some(_) => {
			return Err("--batch above 1 needs Jobs::submit_jobs, which this runtime lacks".into())
		}
		None if has_batch_call => limits.max_batch,
		None => 1,
	};
	let miners = chain.miners(None).await.map_err(err)?;
	let miner_slots: u32 = miners.iter().map(|m| m.capacity).sum();
	// What the miners hold: more would wait in the chain's queue and measure the queue sweep
	// instead of the jobs' own path.
	let open_limit = match args.open {
		0 => (miner_slots as usize).max(2 * batch as usize),
		n => n,
	};
	let per_client = limits.max_open_per_client as usize;
	// Twice the clients the open limit needs, so that no client's own cap holds its
	// submissions back.
	let clients_count = match args.clients {
		0 => (2 * open_limit).div_ceil(per_client).max(args.jobs.div_ceil(1_000)).max(1),
		n => n,
	};
	eprintln!(
		"chain: normal class max {:.1} ms a block, base extrinsic {:.1} µs, block time {:?}; {} \
		 miners holding {} jobs at most; a client may have {} jobs open; {}",
		limits.normal_max as f64 / 1e9,
		limits.base_extrinsic as f64 / 1e6,
		limits.block_time,
		miners.len(),
		miner_slots,
		limits.max_open_per_client,
		if batch > 1 {
			format!("jobs submitted with Jobs::submit_jobs, {batch} a transaction")
		} else {
			"jobs submitted with Jobs::submit_job, one a transaction".into()
		}
	);

	let state: Shared = Arc::default();
	let follower = tokio::spawn(follow(chain.clone(), state.clone()));

	// 0. The empty-block baseline.
	let start = chain.best_number().await.map_err(err)?;
	wait_blocks(&state, start + 4, Duration::from_secs(60)).await?;
	let baseline = {
		let s = lock(&state);
		let empty: Vec<&Rec> = s.blocks.iter().filter(|r| r.number > start).take(4).collect();
		empty.iter().map(|r| r.weight[2]).sum::<u64>() / empty.len().max(1) as u64
	};
	eprintln!("empty-block baseline: {:.3} ms of mandatory weight a block", baseline as f64 / 1e9);

	// Accounts: the transfers' senders and the job clients, funded by Alice.
	let senders: Vec<Key> = (0..args.transfer_accounts)
		.map(|i| Key::from_uri(&format!("//Alice//bench/transfer/{i}")).map_err(err))
		.collect::<Result<_, _>>()?;
	let clients: Vec<Key> = (0..clients_count)
		.map(|i| Key::from_uri(&format!("//Alice//bench/{i}")).map_err(err))
		.collect::<Result<_, _>>()?;
	let jobs_per_client = args.jobs.div_ceil(clients_count) as u128;
	// Each job: its budget (held until it ends), its storage deposit (held until it is pruned,
	// a day later), the fee; ten times that to spare.
	let job_price = AIT / 1_000;
	let client_funds = 10 * AIT + jobs_per_client * (job_price + AIT / 10);
	let mut funding: Vec<(AccountId, u128)> =
		senders.iter().map(|k| (k.account(), 1_000 * AIT)).collect();
	funding.extend(clients.iter().map(|k| (k.account(), client_funds)));
	fund(&chain, &funding).await?;
	eprintln!(
		"funded {} transfer accounts ({} each) and {} job clients ({} each)",
		senders.len(),
		format_ait(1_000 * AIT),
		clients.len(),
		format_ait(client_funds)
	);
	{
		let mut s = lock(&state);
		s.book.clients = clients.iter().enumerate().map(|(i, k)| (k.account().0, i)).collect();
		s.book.open = vec![0; clients.len()];
	}

	let ctx = Ctx { args: &args, chain: &chain, state: &state, limits: &limits, baseline };
	// 1. transfers, 2. jobs, 3. transfers again.
	let t1 = transfer_phase(&ctx, "transfers 1", &senders).await?;
	t1.print(&limits);
	let job_setup = JobSetup { batch, open_limit, price: job_price };
	let jobs = job_phase(&ctx, &clients, &job_setup).await?;
	jobs.print(&limits);
	let t2 = transfer_phase(&ctx, "transfers 2", &senders).await?;
	t2.print(&limits);
	follower.abort();

	// Every job accounted for, nothing held.
	let accounts: Vec<AccountId> = clients.iter().map(Key::account).collect();
	let escrow = escrow_left(&chain, &accounts).await?;
	let s = lock(&state);
	let book = &s.book;
	let dispatch_failed: u64 = book.dispatch_failed.values().sum();
	let failed: u64 = book.failed.values().sum();
	let ended = book.completed + failed + book.expired + book.cancelled;
	let never_included = book.submitted.saturating_sub(book.on_chain + dispatch_failed);
	let lost = never_included + book.on_chain.saturating_sub(ended);
	let mut to_end: Vec<f64> = book.blocks_to_end.iter().map(|&b| f64::from(b)).collect();
	to_end.sort_by(f64::total_cmp);

	let transfers_per_sec = (t1.per_sec + t2.per_sec) / 2.0;
	let transfer_weight = (t1.total_per_unit + t2.total_per_unit) / 2.0;
	let rate_ratio = jobs.per_sec / transfers_per_sec;
	let weight_ratio = jobs.total_per_unit / transfer_weight;
	println!();
	println!(
		"jobs: {} pre-signed, {} submitted (taken by the pool), {} on chain, {} failed at \
		 dispatch {:?}; ended: {} completed, {} failed {:?}, {} expired, {} cancelled; lost {}",
		args.jobs,
		book.submitted,
		book.on_chain,
		dispatch_failed,
		book.dispatch_failed,
		book.completed,
		failed,
		book.failed,
		book.expired,
		book.cancelled,
		lost
	);
	println!(
		"blocks from a job's submission block to its end block: p50 {:.0}, p95 {:.0}, max {:.0}",
		pct(&to_end, 50.0),
		pct(&to_end, 95.0),
		to_end.last().copied().unwrap_or(f64::NAN)
	);
	println!(
		"escrow at the end: total held {}, open budgets {}, client holds {}; storage deposits \
		 still held (released when the jobs are pruned): {}",
		escrow.total,
		escrow.budgets,
		escrow.holds,
		format_ait(escrow.deposits)
	);
	println!(
		"transfers/s: {:.1} and {:.1}, mean {:.1}; jobs/s {:.2}; jobs/s ÷ transfers/s = {:.4}",
		t1.per_sec, t2.per_sec, transfers_per_sec, jobs.per_sec, rate_ratio
	);
	println!(
		"weight per transfer {:.1} µs, per completed job {:.1} µs (total block weight net of \
		 the empty-block baseline); weight per job ÷ weight per transfer = {:.1}",
		transfer_weight / 1e6,
		jobs.total_per_unit / 1e6,
		weight_ratio
	);
	let figures = json!({
		"baseline_mandatory_us": baseline as f64 / 1e6,
		"normal_max_us": limits.normal_max as f64 / 1e6,
		"block_time_ms": limits.block_time.as_millis() as u64,
		"batch": batch, "open_limit": open_limit, "clients": clients.len(),
		"transfer_accounts": senders.len(), "miner_slots": miner_slots,
		"transfers_1": t1.json(), "jobs_phase": jobs.json(), "transfers_2": t2.json(),
		"transfers_per_sec": transfers_per_sec, "jobs_per_sec": jobs.per_sec,
		"ratio_jobs_per_transfers": rate_ratio,
		"weight_per_transfer_us": transfer_weight / 1e6,
		"weight_per_job_us": jobs.total_per_unit / 1e6,
		"ratio_weight_job_per_transfer": weight_ratio,
		"jobs": {
			"presigned": args.jobs, "submitted": book.submitted, "on_chain": book.on_chain,
			"dispatch_failed": book.dispatch_failed, "completed": book.completed,
			"failed": book.failed, "expired": book.expired, "cancelled": book.cancelled,
			"lost": lost,
			"blocks_to_end_p50": pct(&to_end, 50.0), "blocks_to_end_p95": pct(&to_end, 95.0),
		},
		"escrow_total_held": escrow.total.to_string(), "escrow_open_budgets": escrow.budgets,
		"escrow_client_holds": escrow.holds.to_string(),
		"deposits_held": escrow.deposits.to_string(),
	});
	println!("{figures}");
	if lost > 0 || !escrow.is_empty() || book.submitted < args.jobs as u64 {
		return Err(format!(
			"{lost} jobs lost, {} of {} submitted, or the escrow is not empty: total held {}, \
			 open budgets {}, client holds {}",
			book.submitted, args.jobs, escrow.total, escrow.budgets, escrow.holds
		));
	}
	Ok(())
}

/// What every phase needs.
struct Ctx<'a> {
	args: &'a Args,
	chain: &'a Chain,
	state: &'a Shared,
	limits: &'a Limits,
	/// Mandatory ref time of an empty block.
	baseline: u64,
}

/// Waits until the follower saw block `number`.
async fn wait_blocks(state: &Shared, number: u64, timeout: Duration) -> Result<(), String> {
	let until = Instant::now() + timeout;
	loop {
		{
			let s = lock(state);
			if let Some(e) = &s.error {
				return Err(format!("block follower: {e}"));
			}
			if s.blocks.last().is_some_and(|r| r.number >= number) {
				return Ok(());
			}
		}
		if Instant::now() > until {
			return Err(format!("block #{number} not seen within {timeout:?}"));
		}
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
}

/// Lower-case hex with `0x`, for `author_submitExtrinsic`.
fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(2 + 2 * bytes.len());
	out.push_str("0x");
	for b in bytes {
		out.push(DIGITS[(b >> 4) as usize] as char);
		out.push(DIGITS[(b & 15) as usize] as char);
	}
	out
}

/// Signs `call` offline with `nonce`, immortal (a pre-signed transaction may wait in the
/// backlog longer than a mortal one would live).
fn sign<C: Payload>(at: &AtBlock, call: &C, key: &Key, nonce: u64) -> Result<Vec<u8>, String> {
	let params = PolkadotExtrinsicParamsBuilder::<aitbc_client::Config>::new()
		.nonce(nonce)
		.immortal()
		.build();
	let signed = at
		.transactions()
		.create_signable_offline(call, params)
		.and_then(|mut signable| signable.sign(key.pair()))
		.map_err(err)?;
	Ok(signed.into_encoded())
}

async fn next_nonce(chain: &Chain, who: &AccountId) -> Result<u64, String> {
	chain.request("system_accountNextIndex", rpc_params![who.to_string()]).await.map_err(err)
}

/// Alice sends each account its amount; returns once all are in a block.
async fn fund(chain: &Chain, to: &[(AccountId, u128)]) -> Result<(), String> {
	let alice = Key::from_uri("//Alice").map_err(err)?;
	let at = chain.api().at_current_block().await.map_err(err)?;
	let first = next_nonce(chain, &alice.account()).await?;
	for (k, (who, amount)) in to.iter().enumerate() {
		let call =
			runtime::transactions().balances().transfer_keep_alive(MultiAddress::Id(*who), *amount);
		let signed = sign(&at, &call, &alice, first + k as u64)?;
		let _: String = chain
			.request("author_submitExtrinsic", rpc_params![to_hex(&signed)])
			.await
			.map_err(|e| format!("funding: {e}"))?;
	}
	let until = Instant::now() + Duration::from_secs(120);
	while spam::best_nonce(chain, &alice.account()).await? < first + to.len() as u64 {
		if Instant::now() > until {
			return Err("the funding transfers were not all in blocks after 120 s".into());
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	Ok(())
}

/// What a phase came to.
struct PhaseResult {
	label: &'static str,
	kind: Kind,
	/// Pre-signed units, taken by the pool, refused by it (by reason).
	presigned: u64,
	accepted: u64,
	refused: BTreeMap<String, u64>,
	/// Transfers: the capacity estimate before the phase (from `query_info`).
	prior_capacity: Option<u64>,
	/// The steady blocks.
	steady: Vec<Rec>,
	/// The block before the first steady one (its timestamp starts the clock).
	before: Option<Rec>,
	units: u64,
	secs: f64,
	per_sec: f64,
	/// Normal-class ref time per unit (transfers: what one adds to the block).
	normal_per_unit: f64,
	/// Total block weight net of the baseline, per unit.
	total_per_unit: f64,
	/// Every block of the phase, drain included.
	all: Vec<Rec>,
	/// Baseline subtracted per block.
	baseline: u64,
}

impl PhaseResult {
	fn new(label: &'static str, kind: Kind, state: &Shared, baseline: u64) -> PhaseResult {
		let s = lock(state);
		let all: Vec<Rec> = s.blocks.iter().filter(|r| r.phase == Some(label)).cloned().collect();
		let steady: Vec<Rec> = all.iter().filter(|r| r.steady).cloned().collect();
		let before = steady
			.first()
			.and_then(|first| s.blocks.iter().find(|r| r.number + 1 == first.number).cloned());
		let units: u64 = steady
			.iter()
			.map(|r| if kind == Kind::Transfers { r.transfers } else { r.completed })
			.sum();
		let secs = match (&before, steady.last()) {
			(Some(b), Some(l)) => l.ts.saturating_sub(b.ts) as f64 / 1000.0,
			_ => f64::NAN,
		};
		let normal: u64 = steady.iter().map(|r| r.weight[0]).sum();
		let total: u64 = steady.iter().map(|r| r.weight.iter().sum::<u64>()).sum();
		let net = total.saturating_sub(baseline * steady.len() as u64);
		PhaseResult {
			label,
			kind,
			presigned: 0,
			accepted: 0,
			refused: BTreeMap::new(),
			prior_capacity: None,
			units,
			secs,
			per_sec: units as f64 / secs,
			normal_per_unit: normal as f64 / units.max(1) as f64,
			total_per_unit: net as f64 / units.max(1) as f64,
			before,
			steady,
			all,
			baseline,
		}
	}

	fn fills(&self, limits: &Limits) -> (f64, f64) {
		let fills: Vec<f64> = self
			.steady
			.iter()
			.map(|r| r.weight[0] as f64 / limits.normal_max.max(1) as f64 * 100.0)
			.collect();
		let mean = fills.iter().sum::<f64>() / fills.len().max(1) as f64;
		(mean, fills.iter().copied().fold(f64::INFINITY, f64::min))
	}

	fn print(&self, limits: &Limits) {
		let n = self.steady.len();
		let (first, last) = (
			self.steady.first().map_or(0, |r| r.number),
			self.steady.last().map_or(0, |r| r.number),
		);
		let unit = if self.kind == Kind::Transfers { "transfers" } else { "jobs" };
		let (fill_mean, fill_min) = self.fills(limits);
		let backlog: Vec<i64> = self.steady.iter().map(|r| r.backlog).collect();
		let backlog_min = backlog.iter().copied().min().unwrap_or(0);
		let backlog_mean = backlog.iter().sum::<i64>() as f64 / n.max(1) as f64;
		let refused: u64 = self.refused.values().sum();
		// Every block of the phase, to stderr: what the steady range was chosen from.
		eprintln!(
			"[{}] block, timestamp ms, normal fill %, operational µs, mandatory µs, transfers, \
			 jobs in, jobs completed, queued, pool backlog, open jobs, steady",
			self.label
		);
		for r in &self.all {
			eprintln!(
				"[{}] #{} {} {:.1} {:.0} {:.0} {} {} {} {} {} {} {}",
				self.label,
				r.number,
				r.ts,
				r.weight[0] as f64 / limits.normal_max.max(1) as f64 * 100.0,
				r.weight[1] as f64 / 1e6,
				r.weight[2] as f64 / 1e6,
				r.transfers,
				r.jobs_in,
				r.completed,
				r.queued,
				r.backlog,
				r.open,
				if r.steady { "steady" } else { "-" }
			);
		}
		println!();
		println!(
			"[{}] {} {unit} pre-signed, {} taken by the pool, {} refused{}",
			self.label,
			self.presigned,
			self.accepted,
			refused,
			if self.refused.is_empty() { String::new() } else { format!(" {:?}", self.refused) }
		);
		println!(
			"[{}] steady blocks #{first}..#{last} ({n}): {} {unit} in {:.2} s (block timestamps) \
			 -> {:.2} {unit}/s, {:.1} a block{}",
			self.label,
			self.units,
			self.secs,
			self.per_sec,
			self.units as f64 / n.max(1) as f64,
			if n < 20 { "  WARNING: fewer than 20 steady blocks" } else { "" }
		);
		println!(
			"[{}] clock: timestamp of #{} -> timestamp of #{last}; normal class fill \
			 (BlockWeight normal ÷ max {:.1} ms): mean {:.1} %, min {:.1} %",
			self.label,
			self.before.as_ref().map_or(0, |r| r.number),
			limits.normal_max as f64 / 1e9,
			fill_mean,
			fill_min
		);
		match self.kind {
			Kind::Transfers => {
				println!(
					"[{}] weight per transfer: {:.2} µs in the normal class -> block capacity \
					 {:.0} transfers (estimate before the phase: {}); {:.2} µs of total block \
					 weight net of the empty-block baseline ({:.3} ms a block)",
					self.label,
					self.normal_per_unit / 1e6,
					limits.normal_max as f64 / self.normal_per_unit,
					self.prior_capacity.map_or("-".into(), |c| c.to_string()),
					self.total_per_unit / 1e6,
					self.baseline as f64 / 1e9
				);
				println!(
					"[{}] pool backlog after each steady block: min {backlog_min}, mean \
					 {backlog_mean:.0} transfers",
					self.label
				);
				if fill_mean < 95.0 {
					println!(
						"[{}] NOTE: the normal class did not reach its limit (mean fill {:.1} % < \
						 95 %): the rate is bounded by the node (pool import, block building), not \
						 by block weight",
						self.label, fill_mean
					);
				}
			}
			Kind::Jobs => {
				let queued: Vec<u32> = self.steady.iter().map(|r| r.queued).collect();
				let open: Vec<u64> = self.steady.iter().map(|r| r.open).collect();
				println!(
					"[{}] weight per completed job: {:.1} µs of total block weight (all classes, \
					 hooks included) net of the empty-block baseline ({:.3} ms a block); normal \
					 class {:.1} µs a job",
					self.label,
					self.total_per_unit / 1e6,
					self.baseline as f64 / 1e9,
					self.normal_per_unit / 1e6
				);
				let extrinsics = self.steady.iter().map(|r| r.extrinsics).sum::<usize>();
				println!(
					"[{}] {:.1} extrinsics a block; offered load in the steady blocks: jobs open \
					 on chain min {}, mean {:.0}; \
					 queued for a miner min {}, mean {:.0}; submissions waiting in the pool min \
					 {backlog_min}, mean {backlog_mean:.0} jobs",
					self.label,
					extrinsics as f64 / n.max(1) as f64,
					open.iter().copied().min().unwrap_or(0),
					open.iter().sum::<u64>() as f64 / n.max(1) as f64,
					queued.iter().copied().min().unwrap_or(0),
					queued.iter().map(|&q| f64::from(q)).sum::<f64>() / n.max(1) as f64,
				);
			}
		}
	}

	fn json(&self) -> Json {
		let n = self.steady.len();
		let fills: Vec<f64> = self.steady.iter().map(|r| r.weight[0] as f64).collect();
		json!({
			"presigned": self.presigned, "accepted": self.accepted, "refused": self.refused,
			"prior_capacity": self.prior_capacity,
			"steady_blocks": n,
			"first_block": self.steady.first().map(|r| r.number),
			"last_block": self.steady.last().map(|r| r.number),
			"units": self.units, "secs": self.secs, "per_sec": self.per_sec,
			"per_block": self.units as f64 / n.max(1) as f64,
			"normal_per_unit_us": self.normal_per_unit / 1e6,
			"total_per_unit_us": self.total_per_unit / 1e6,
			"normal_weight_us": fills.iter().map(|w| w / 1e6).collect::<Vec<f64>>(),
			"per_block_units": self.steady.iter().map(|r| if self.kind == Kind::Transfers { r.transfers } else { r.completed }).collect::<Vec<u64>>(),
		})
	}
}

/// Starts a phase (the follower files blocks under it from now on).
fn begin(state: &Shared, label: &'static str, kind: Kind, steady: Option<usize>, ramp: u64) {
	lock(state).load = Some(Load {
		label,
		kind,
		accepted: 0,
		included: 0,
		exhausted: false,
		stop: false,
		steady_target: steady,
		ramp,
		first: None,
		steady: None,
		closed: false,
		waiting: false,
	});
}

/// A transfer phase: pre-signs, submits with a backlog until enough steady blocks, drains.
async fn transfer_phase(
	ctx: &Ctx<'_>,
	label: &'static str,
	senders: &[Key],
) -> Result<PhaseResult, String> {
	let chain = ctx.chain;
	let at = chain.api().at_current_block().await.map_err(err)?;
	let mut nonces = Vec::with_capacity(senders.len());
	for key in senders {
		nonces.push(next_nonce(chain, &key.account()).await?);
	}
	let dest = |i: usize| senders[(i + 1) % senders.len()].account();
	let transfer = |i: usize| {
		runtime::transactions().balances().transfer_keep_alive(MultiAddress::Id(dest(i)), MARK)
	};
	// What a transfer weighs, from the runtime: the block capacity before measuring.
	let probe = sign(&at, &transfer(0), &senders[0], nonces[0])?;
	let mut args = probe.clone();
	(probe.len() as u32).encode_to(&mut args);
	let info = at
		.runtime_apis()
		.call_raw("TransactionPaymentApi_query_info", Some(&args))
		.await
		.map_err(err)?;
	let (ref_time, _proof) = <(Compact<u64>, Compact<u64>)>::decode(&mut &info[..]).map_err(err)?;
	let per_transfer = ref_time.0 + ctx.limits.base_extrinsic;
	let capacity = ctx.limits.normal_max / per_transfer.max(1);
	// Enough for the ramp-up, the steady blocks and the backlog left at the end, to spare.
	let blocks = ctx
		.args
		.presign_blocks
		.max(ctx.args.ramp_blocks + ctx.args.steady_blocks as u64 + ctx.args.backlog_blocks + 5);
	let total = (blocks * capacity).max(ctx.args.transfers as u64);
	let per_sender = total.div_ceil(senders.len() as u64);
	let signing = Instant::now();
	let mut batches: Vec<Vec<Vec<u8>>> = Vec::with_capacity(senders.len());
	for (i, key) in senders.iter().enumerate() {
		let call = transfer(i);
		let mut list = Vec::with_capacity(per_sender as usize);
		for k in 0..per_sender {
			list.push(sign(&at, &call, key, nonces[i] + k)?);
		}
		batches.push(list);
	}
	eprintln!(
		"[{label}] a transfer weighs {:.2} µs (query_info + base extrinsic): {} a block at most; \
		 {} pre-signed from {} accounts in {:.1} s",
		per_transfer as f64 / 1e6,
		capacity,
		per_sender * senders.len() as u64,
		senders.len(),
		signing.elapsed().as_secs_f64()
	);

	begin(ctx.state, label, Kind::Transfers, Some(ctx.args.steady_blocks), ctx.args.ramp_blocks);
	let backlog_max = (ctx.args.backlog_blocks * capacity) as i64;
	let refused = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
	let mut connections = Vec::new();
	for _ in 0..ctx.args.connections.min(senders.len()) {
		connections.push(Chain::connect(&Connect::new(ctx.args.url.clone())).await.map_err(err)?);
	}
	let mut tasks = Vec::new();
	for (i, list) in batches.into_iter().enumerate() {
		let conn = connections[i % connections.len()].clone();
		let (state, refused) = (ctx.state.clone(), refused.clone());
		tasks.push(tokio::spawn(async move {
			for tx in list {
				// Keep the backlog; stop once the phase has its steady blocks.
				loop {
					let (stop, room) = {
						let s = lock(&state);
						let load = s.load.as_ref().expect("a phase runs");
						(load.stop, (load.accepted as i64 - load.included as i64) < backlog_max)
					};
					if stop {
						return;
					}
					if room {
						break;
					}
					tokio::time::sleep(Duration::from_millis(20)).await;
				}
				match conn
					.request::<String>("author_submitExtrinsic", rpc_params![to_hex(&tx)])
					.await
				{
					Ok(_) => lock(&state).load.as_mut().expect("a phase runs").accepted += 1,
					Err(e) => {
						// The later nonces of this sender could not go in: stop it.
						*lock(&refused).entry(spam::reason(&e)).or_default() += 1;
						return;
					}
				}
			}
		}));
	}
	for task in tasks {
		task.await.map_err(err)?;
	}
	lock(ctx.state).load.as_mut().expect("a phase runs").exhausted = true;
	// Drain: every transfer the pool took in a block.
	let until = Instant::now() + Duration::from_secs(300);
	loop {
		{
			let s = lock(ctx.state);
			let load = s.load.as_ref().expect("a phase runs");
			if load.included >= load.accepted {
				break;
			}
		}
		if Instant::now() > until {
			return Err(format!("[{label}] the pool did not drain within 300 s"));
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	let (accepted, presigned) = {
		let mut s = lock(ctx.state);
		let load = s.load.take().expect("a phase runs");
		(load.accepted, per_sender * senders.len() as u64)
	};
	let mut result = PhaseResult::new(label, Kind::Transfers, ctx.state, ctx.baseline);
	result.presigned = presigned;
	result.accepted = accepted;
	result.refused = lock(&refused).clone();
	result.prior_capacity = Some(capacity);
	Ok(result)
}

/// How the jobs are submitted.
struct JobSetup {
	/// Jobs per transaction (1: `submit_job`).
	batch: u32,
	/// Most jobs open at once (on chain or in the pool).
	open_limit: usize,
	/// Each job's maximum price.
	price: u128,
}

/// One job's arguments.
struct Spec {
	prompt: Vec<u8>,
	seed: u64,
}

/// ===================== THE SUBMISSION CALL (issue 15) =====================
/// Signs the submission of `specs` by `key` with `nonce`: `Jobs::submit_job` for one job,
/// `Jobs::submit_jobs(Vec<JobSpec>)` (built dynamically against the connected runtime's
/// metadata, so that it works before the committed metadata has the call) for more.
/// `JobSpec` = { kind, model, prompt, params, max_price, ttl, min_reputation }.
fn sign_submission(
	at: &AtBlock,
	key: &Key,
	nonce: u64,
	specs: &[Spec],
	model: &str,
	max_tokens: u32,
	max_price: u128,
) -> Result<Vec<u8>, String> {
	if let [spec] = specs {
		let call = runtime::transactions().jobs().submit_job(
			JobKind::TextInference,
			BoundedVec(model.as_bytes().to_vec()),
			BoundedVec(spec.prompt.clone()),
			InferenceParams { temperature_milli: 0, max_tokens, seed: Some(spec.seed) },
			max_price,
			None,
			None,
		);
		return sign(at, &call, key, nonce);
	}
	let none = || Value::unnamed_variant("None", Vec::<Value>::new());
	let values: Vec<Value> = specs
		.iter()
		.map(|spec| {
			Value::named_composite([
				("kind", Value::unnamed_variant("TextInference", Vec::<Value>::new())),
				("model", Value::from_bytes(model.as_bytes())),
				("prompt", Value::from_bytes(&spec.prompt)),
				(
					"params",
					Value::named_composite([
						("temperature_milli", Value::u128(0)),
						("max_tokens", Value::u128(u128::from(max_tokens))),
						(
							"seed",
							Value::unnamed_variant("Some", [Value::u128(u128::from(spec.seed))]),
						),
					]),
				),
				("max_price", Value::u128(max_price)),
				("ttl", none()),
				("min_reputation", none()),
			])
		})
		.collect();
	let call = aitbc_client::subxt::dynamic::tx(
		"Jobs",
		"submit_jobs",
		Composite::unnamed([Value::unnamed_composite(values)]),
	);
	sign(at, &call, key, nonce).map_err(|e| format!("Jobs::submit_jobs: {e} (try --batch 1)"))
}
// ===========================================================================

/// The job phase: pre-signs every submission, keeps the open jobs at the limit (each client
/// under the chain's cap), follows every job to its end.
async fn job_phase(
	ctx: &Ctx<'_>,
	clients: &[Key],
	setup: &JobSetup,
) -> Result<PhaseResult, String> {
	let (chain, args, state) = (ctx.chain, ctx.args, ctx.state);
	let at = chain.api().at_current_block().await.map_err(err)?;
	let batch = setup.batch as usize;
	let signing = Instant::now();
	// Per client: (jobs, signed transaction), in nonce order.
	let mut lists: Vec<Vec<(u32, Vec<u8>)>> = Vec::with_capacity(clients.len());
	let mut n = 0usize;
	for (c, key) in clients.iter().enumerate() {
		let share = args.jobs / clients.len() + usize::from(c < args.jobs % clients.len());
		let mut nonce = next_nonce(chain, &key.account()).await?;
		let mut list = Vec::new();
		let mut left = share;
		while left > 0 {
			let take = left.min(batch);
			let specs: Vec<Spec> = (0..take)
				.map(|k| Spec {
					prompt: format!("load job {}: say something", n + k).into_bytes(),
					seed: (n + k) as u64,
				})
				.collect();
			let signed = sign_submission(
				&at,
				key,
				nonce,
				&specs,
				&args.model,
				args.max_tokens,
				setup.price,
			)?;
			list.push((take as u32, signed));
			nonce += 1;
			n += take;
			left -= take;
		}
		lists.push(list);
	}
	eprintln!(
		"[jobs] {} jobs pre-signed in {} transactions from {} clients in {:.1} s; at most {} open \
		 at once, {} a client",
		args.jobs,
		lists.iter().map(Vec::len).sum::<usize>(),
		clients.len(),
		signing.elapsed().as_secs_f64(),
		setup.open_limit,
		ctx.limits.max_open_per_client
	);

	lock(state).bodies = true;
	begin(state, "jobs", Kind::Jobs, None, args.ramp_blocks);
	let mut connections = Vec::new();
	for _ in 0..args.connections.min(clients.len()) {
		connections.push(Chain::connect(&Connect::new(args.url.clone())).await.map_err(err)?);
	}
	let refused = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
	let cap = i64::from(ctx.limits.max_open_per_client);
	let open_limit = setup.open_limit as i64;
	let block_time = ctx.limits.block_time;
	let mut tasks = Vec::new();
	for (c, list) in lists.into_iter().enumerate() {
		let conn = connections[c % connections.len()].clone();
		let (state, refused) = (state.clone(), refused.clone());
		tasks.push(tokio::spawn(async move {
			for (jobs, tx) in list {
				let jobs = i64::from(jobs);
				let hex = to_hex(&tx);
				let mut tries = 0;
				loop {
					// Reserve room under the client's cap and the open limit.
					loop {
						let reserved = {
							let mut s = lock(&state);
							let book = &mut s.book;
							let room =
								book.open[c] + jobs <= cap && book.open_total + jobs <= open_limit;
							if room {
								book.open[c] += jobs;
								book.open_total += jobs;
							}
							room
						};
						if reserved {
							break;
						}
						tokio::time::sleep(Duration::from_millis(20)).await;
					}
					match conn
						.request::<String>("author_submitExtrinsic", rpc_params![hex.clone()])
						.await
					{
						Ok(_) => {
							let mut s = lock(&state);
							s.book.submitted += jobs as u64;
							s.load.as_mut().expect("a phase runs").accepted += jobs as u64;
							break;
						}
						Err(e) => {
							{
								let mut s = lock(&state);
								s.book.open[c] -= jobs;
								s.book.open_total -= jobs;
							}
							*lock(&refused).entry(spam::reason(&e)).or_default() += jobs as u64;
							tries += 1;
							if tries >= 10 || e.is_disconnected() {
								// This client's later nonces cannot go in.
								return;
							}
							tokio::time::sleep(block_time).await;
						}
					}
				}
			}
		}));
	}
	for task in tasks {
		task.await.map_err(err)?;
	}
	lock(state).load.as_mut().expect("a phase runs").exhausted = true;
	eprintln!("[jobs] every submission handed to the pool; waiting for every job to end");
	// Every job to its end: stop when nothing moved for two minutes.
	let mut last = (0, 0);
	let mut moved = Instant::now();
	loop {
		let now = {
			let s = lock(state);
			if let Some(e) = &s.error {
				return Err(format!("block follower: {e}"));
			}
			let b = &s.book;
			let included = b.on_chain + b.dispatch_failed.values().sum::<u64>();
			if included >= b.submitted && b.live.is_empty() {
				break;
			}
			(included, b.live.len())
		};
		if now != last {
			last = now;
			moved = Instant::now();
		} else if moved.elapsed() > Duration::from_secs(120) {
			eprintln!("[jobs] nothing moved for 120 s: {} jobs still open", now.1);
			break;
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let accepted = {
		let mut s = lock(state);
		s.bodies = false;
		s.load.take().expect("a phase runs").accepted
	};
	let mut result = PhaseResult::new("jobs", Kind::Jobs, state, ctx.baseline);
	result.presigned = args.jobs as u64;
	result.accepted = accepted;
	result.refused = lock(&refused).clone();
	Ok(result)
}

/// Follows best blocks (every number, filling gaps) and files each under the phase running.
async fn follow(chain: Chain, state: Shared) {
	if let Err(e) = follow_inner(&chain, &state).await {
		lock(&state).error = Some(e);
	}
}

async fn follow_inner(chain: &Chain, state: &Shared) -> Result<(), String> {
	let mut blocks = chain.api().stream_best_blocks().await.map_err(err)?;
	let mut last: Option<u64> = None;
	while let Some(block) = blocks.next().await {
		let block = block.map_err(err)?;
		let number = block.number();
		if last.is_some_and(|l| number <= l) {
			continue;
		}
		for missed in last.map_or(number, |l| l + 1)..number {
			let at = chain.api().at_block(missed).await.map_err(err)?;
			file_block(&at, missed, state).await?;
		}
		let at = block.at().await.map_err(err)?;
		file_block(&at, number, state).await?;
		last = Some(number);
	}
	Err("the best-block subscription ended".into())
}

/// One job event of the clients' jobs.
enum JobEvent {
	Submitted {
		id: u64,
		client: usize,
	},
	Ended {
		id: u64,
		how: End,
	},
	/// A submission of `jobs` jobs by `client` failed at dispatch.
	DispatchFailed {
		client: usize,
		jobs: u64,
		error: String,
	},
}

enum End {
	Completed,
	Failed(String),
	Expired,
	Cancelled,
}

/// Reads one block and files it.
async fn file_block(at: &AtBlock, number: u64, state: &Shared) -> Result<(), String> {
	let (bodies, clients) = {
		let s = lock(state);
		(s.bodies, s.book.clients.clone())
	};
	let events = at.events().fetch().await.map_err(err)?;
	let weight = at
		.storage()
		.fetch(runtime::storage().system().block_weight(), ())
		.await
		.map_err(err)?
		.decode()
		.map_err(err)?;
	let ts: u64 = at
		.storage()
		.fetch(runtime::storage().timestamp().now(), ())
		.await
		.map_err(err)?
		.decode()
		.map_err(err)?;
	let queued: u32 = at
		.storage()
		.fetch(runtime::storage().jobs().queued_count(), ())
		.await
		.map_err(err)?
		.decode()
		.map_err(err)?;
	// The clients' submissions in the block: extrinsic index → (client, jobs).
	let mut ours: HashMap<u32, (usize, u64)> = HashMap::new();
	let mut extrinsics = 0;
	if bodies {
		let body = at.extrinsics().fetch().await.map_err(err)?;
		extrinsics = body.len();
		for extrinsic in body.iter().flatten() {
			let Some([0, address @ ..]) = extrinsic.address_bytes() else { continue };
			let Ok(address) = <[u8; 32]>::try_from(address) else { continue };
			let Some(&client) = clients.get(&address) else { continue };
			let jobs = match extrinsic.call_name() {
				"submit_job" => 1,
				"submit_jobs" => {
					let mut fields = extrinsic.call_data_field_bytes();
					<Compact<u32>>::decode(&mut fields).map_or(0, |n| u64::from(n.0))
				}
				_ => continue,
			};
			ours.insert(extrinsic.index() as u32, (client, jobs));
		}
	}
	let mut transfers = 0u64;
	let mut job_events = Vec::new();
	for event in events.iter() {
		let event = event.map_err(err)?;
		let mut fields = event.field_bytes();
		match (event.pallet_name(), event.event_name()) {
			("Balances", "Transfer") => {
				if let Ok((_, _, amount)) = <([u8; 32], [u8; 32], u128)>::decode(&mut fields) {
					transfers += u64::from(amount == MARK);
				}
			}
			("System", "ExtrinsicFailed") => {
				if let Phase::ApplyExtrinsic(index) = event.phase() {
					if let Some(&(client, jobs)) = ours.get(&index) {
						let error = spam::dispatch_error_name(fields, &at.metadata());
						job_events.push(JobEvent::DispatchFailed { client, jobs, error });
					}
				}
			}
			("Jobs", "JobSubmitted") => {
				if let Ok((id, who)) = <(u64, [u8; 32])>::decode(&mut fields) {
					if let Some(&client) = clients.get(&who) {
						job_events.push(JobEvent::Submitted { id, client });
					}
				}
			}
			("Jobs", name @ ("JobCompleted" | "JobFailed" | "JobExpired" | "JobCancelled")) => {
				let Ok(id) = u64::decode(&mut fields) else { continue };
				let how = match name {
					"JobCompleted" => End::Completed,
					"JobExpired" => End::Expired,
					"JobCancelled" => End::Cancelled,
					_ => End::Failed(failure_reason(fields)),
				};
				job_events.push(JobEvent::Ended { id, how });
			}
			_ => {}
		}
	}

	let mut s = lock(state);
	let mut rec = Rec {
		number,
		ts,
		weight: [weight.normal.ref_time, weight.operational.ref_time, weight.mandatory.ref_time],
		extrinsics,
		transfers,
		queued,
		..Rec::default()
	};
	let mut included_jobs = 0;
	let book = &mut s.book;
	for event in job_events {
		match event {
			JobEvent::Submitted { id, client } => {
				book.on_chain += 1;
				book.live.insert(id, (client, number));
				rec.jobs_in += 1;
				included_jobs += 1;
			}
			JobEvent::DispatchFailed { client, jobs, error } => {
				*book.dispatch_failed.entry(error).or_default() += jobs;
				book.open[client] -= jobs as i64;
				book.open_total -= jobs as i64;
				included_jobs += jobs;
			}
			JobEvent::Ended { id, how } => {
				let Some((client, since)) = book.live.remove(&id) else { continue };
				book.open[client] -= 1;
				book.open_total -= 1;
				book.blocks_to_end.push(number.saturating_sub(since) as u32);
				match how {
					End::Completed => {
						book.completed += 1;
						rec.completed += 1;
					}
					End::Failed(reason) => *book.failed.entry(reason).or_default() += 1,
					End::Expired => book.expired += 1,
					End::Cancelled => book.cancelled += 1,
				}
			}
		}
	}
	rec.open = book.live.len() as u64;
	if let Some(load) = s.load.as_mut() {
		rec.phase = Some(load.label);
		let started = match load.kind {
			Kind::Transfers => {
				load.included += transfers;
				transfers > 0
			}
			Kind::Jobs => {
				load.included += included_jobs;
				rec.completed > 0
			}
		};
		if started && load.first.is_none() {
			load.first = Some(number);
		}
		rec.backlog = load.accepted as i64 - load.included as i64;
		// A steady block: past the ramp-up, with work waiting both before it and after it (the
		// offered load was above what the chain took: transactions in the pool; for jobs also
		// jobs queued on chain for a miner, or jobs the clients still hold back only because as
		// many are open as the miners can hold), before the drain (transfers: before the
		// submitters stopped), and no gap since the first one.
		let waiting =
			rec.backlog > 0 || (load.kind == Kind::Jobs && (rec.queued > 0 || !load.exhausted));
		let past_ramp = load.first.is_some_and(|f| number > f + load.ramp);
		rec.steady = past_ramp && load.waiting && waiting && !load.stop && !load.closed;
		if !rec.steady && load.steady.is_some() {
			load.closed = true;
		}
		load.waiting = waiting;
		if rec.steady {
			let first = load.steady.map_or(number, |(f, _)| f);
			load.steady = Some((first, number));
			if let Some(target) = load.steady_target {
				if (number - first + 1) as usize >= target {
					load.stop = true;
				}
			}
		}
	}
	s.blocks.push(rec);
	Ok(())
}

/// The reason of a `JobFailed` event, from the bytes after the job id.
fn failure_reason(mut fields: &[u8]) -> String {
	match u8::decode(&mut fields) {
		Ok(0) => "no miner available".into(),
		Ok(1) => "no assigned miner delivered".into(),
		Ok(2) => {
			let text: Vec<u8> = Decode::decode(&mut fields).unwrap_or_default();
			format!("miner reported: {}", String::from_utf8_lossy(&text))
		}
		Ok(3) => "deadline queue congested".into(),
		_ => "unknown".into(),
	}
}
