//! The closed-loop load run of issue 13 and its attacker (`--spam`), kept as it was measured:
//! `scripts/bench-load --spam` runs it twice (without, then with the attacker) and compares.
//! The fair, open-loop throughput measurement of issue 15 is in `load.rs`.
//!
//! 1. funds `--clients` accounts from Alice;
//! 2. submits `--jobs` jobs from them, at most `--window` open at once, and follows best blocks
//!    until every job is completed, failed or expired;
//! 3. without `--spam`, sends `--transfers` balance transfers the same way;
//! 4. checks that every job ended and that the escrow holds nothing.
//!
//! With `--spam`, one attacker account (`--spam-account`) floods the chain during step 2 (see
//! `scripts/bench-load` and docs/BENCHMARKS.md "Load under spam").

use std::{
	collections::{BTreeMap, HashMap},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex, MutexGuard,
	},
	time::{Duration, Instant},
};

use aitbc_client::{
	json::ParametersJson,
	keys::Key,
	rpc_params,
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::JobKind, bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::InferenceParams,
		},
	},
	subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl},
	subxt::config::PolkadotExtrinsicParamsBuilder,
	subxt::error::DispatchError,
	subxt::events::Phase,
	subxt::ext::codec::Decode,
	subxt::ext::scale_value::{self, Composite, ValueDef},
	subxt::extrinsics::ExtrinsicEvents,
	subxt::metadata::ArcMetadata,
	subxt::transactions::{
		Payload, SubmittableTransaction, TransactionProgress, TransactionStatus,
	},
	subxt::utils::MultiAddress,
	units::{format_ait, AIT},
	AccountId, Chain, Config, Connect, Error,
};
use serde_json::Value;
use tokio::{
	sync::{mpsc, Semaphore},
	task::JoinSet,
};

struct Args {
	url: String,
	jobs: usize,
	clients: usize,
	window: usize,
	transfers: usize,
	model: String,
	max_tokens: u32,
	/// Run the attacker next to the honest clients.
	spam: bool,
	/// The attacker's transactions in flight at once.
	spam_window: usize,
	/// The attacker's secret URI.
	spam_account: String,
	/// Blocks the attacker's transactions are valid for (0: immortal). The pool orders
	/// transactions of equal priority by the end of their validity, then by age.
	spam_mortality: u64,
	/// A file with the JSON line of a run without attacker, printed side by side.
	baseline: Option<String>,
}

fn args() -> Result<Args, String> {
	let mut args = Args {
		url: "ws://127.0.0.1:9944".into(),
		jobs: 1_000,
		clients: 8,
		window: 512,
		transfers: 1_000,
		model: "bench-model".into(),
		max_tokens: 16,
		spam: false,
		spam_window: 512,
		spam_account: "//Dave//stash".into(),
		// As the honest clients sign (subxt's default): the same footing in the pool.
		spam_mortality: 32,
		baseline: None,
	};
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		if flag == "--bench" {
			continue;
		}
		if flag == "--spam" {
			args.spam = true;
			continue;
		}
		let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
		let number =
			|| value.parse::<usize>().map_err(|_| format!("{flag}: `{value}` is not a number"));
		match flag.as_str() {
			"--url" => args.url = value.clone(),
			"--jobs" => args.jobs = number()?,
			"--clients" => args.clients = number()?.max(1),
			"--window" => args.window = number()?.clamp(1, 1_000),
			"--transfers" => args.transfers = number()?,
			"--model" => args.model = value.clone(),
			"--max-tokens" => args.max_tokens = number()? as u32,
			// One watched transaction each: under the node's 1,024 subscriptions a connection.
			"--spam-window" => args.spam_window = number()?.clamp(1, 1_000),
			"--spam-account" => args.spam_account = value.clone(),
			"--spam-mortality" => args.spam_mortality = number()? as u64,
			"--baseline" => args.baseline = Some(value.clone()),
			_ => return Err(format!("unknown flag {flag}")),
		}
	}
	Ok(args)
}

/// What the block follower saw.
#[derive(Default)]
struct Seen {
	/// Job id → (when its end was seen, how it ended).
	ended: HashMap<u64, (Instant, &'static str)>,
	/// Per block: (number, ref-time used / max, extrinsics).
	blocks: Vec<(u64, f64, usize)>,
	/// Failure reasons and how often each was seen.
	reasons: HashMap<String, usize>,
	/// Job id → why it failed, for the failed jobs.
	failures: HashMap<u64, String>,
	/// When each one-unit transfer (the benchmark's) was seen in a block.
	transfers: Vec<Instant>,
	/// With `--spam`, per block: (number, the attacker's open jobs).
	attacker_open: Vec<(u64, u32)>,
	/// With `--spam`: the attacker's transactions by kind (sent, refused and dropped as the
	/// attacker saw them, outcomes in blocks as the follower did).
	attack: BTreeMap<&'static str, Tally>,
	/// With `--spam`: the attacker's jobs on chain.
	attacker_jobs: Vec<u64>,
	/// With `--spam`: time the attacker spent signing, and waiting for the pool to take a
	/// transaction (submissions overlap), with how many of each.
	attacker_time: [(usize, Duration); 2],
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The closed-loop run (with `--spam`: with the attacker).
pub async fn run() -> Result<(), String> {
	let args = args()?;
	let connect = Connect::new(args.url.clone());
	let chain = Chain::connect(&connect).await.map_err(|e| e.to_string())?;
	let clients: Vec<Key> = (0..args.clients)
		.map(|i| Key::from_uri(&format!("//Alice//bench/{i}")).map_err(|e| e.to_string()))
		.collect::<Result<_, _>>()?;
	let attacker = if args.spam {
		Some(Key::from_uri(&args.spam_account).map_err(|e| e.to_string())?)
	} else {
		None
	};

	// Fund the clients.
	let alice = Key::from_uri("//Alice").map_err(|e| e.to_string())?;
	let mut funding = Vec::new();
	for client in &clients {
		let call = runtime::transactions()
			.balances()
			.transfer_keep_alive(MultiAddress::Id(client.account()), 10_000 * AIT);
		funding.push(chain.send(&call, &alice).await.map_err(|e| e.to_string())?);
	}
	for pending in funding {
		pending.in_block().await.map_err(|e| format!("funding: {e}"))?;
	}
	eprintln!("funded {} client accounts", clients.len());

	let seen = Arc::new(Mutex::new(Seen::default()));
	let (watch, cancels) = match &attacker {
		Some(key) => {
			let (watch, cancels) = Spam::watch(key, &args.model);
			(Some(watch), Some(cancels))
		}
		None => (None, None),
	};
	let follower = tokio::spawn(follow(chain.clone(), seen.clone(), watch));

	// Jobs: each client keeps at most its share of the window open, and never more than the
	// chain allows one client (`max_open_jobs_per_client`).
	let params = chain.parameters().await.map_err(|e| e.to_string())?;
	let per_client =
		(args.window / args.clients).clamp(1, params.max_open_jobs_per_client as usize);
	let spam = match (&attacker, cancels) {
		(Some(key), Some(cancels)) => Some(Spam::start(&args, key, &params, &seen, cancels).await?),
		_ => None,
	};
	// With the attacker, refused submissions are retried (and counted), as a client would.
	let rejections = spam.as_ref().map(|_| Arc::new(Mutex::new(BTreeMap::new())));
	let block_time = chain.constants().block_time;
	let started = Instant::now();
	let first_block = chain.best_number().await.map_err(|e| e.to_string())?;
	let mut tasks = Vec::new();
	for (i, client) in clients.iter().enumerate() {
		let share = args.jobs / args.clients + usize::from(i < args.jobs % args.clients);
		let window = Arc::new(Semaphore::new(per_client));
		let (client, seen, url) = (client.clone(), seen.clone(), args.url.clone());
		let (model, max_tokens) = (args.model.clone(), args.max_tokens);
		let rejections = rejections.clone();
		tasks.push(tokio::spawn(async move {
			let job = Honest { model: &model, max_tokens, block_time, rejections };
			submit_jobs(&url, &client, share, &job, &window, &seen).await
		}));
	}
	let mut submitted: Vec<(u64, Instant)> = Vec::new();
	for task in tasks {
		submitted.extend(task.await.map_err(|e| e.to_string())??);
	}
	let all_ended = wait_for(Duration::from_secs(600), || {
		let seen = lock(&seen);
		submitted.iter().all(|(id, _)| seen.ended.contains_key(id))
	})
	.await;
	let jobs_secs = {
		let seen = lock(&seen);
		submitted
			.iter()
			.filter_map(|(id, _)| seen.ended.get(id).map(|(at, _)| *at))
			.max()
			.unwrap_or_else(Instant::now)
			.duration_since(started)
			.as_secs_f64()
	};
	let last_block = chain.best_number().await.map_err(|e| e.to_string())?;

	let attack = match spam {
		Some(spam) => Some(spam.finish(&seen).await?),
		None => None,
	};

	// Transfers, same node, same run: signed first, then sent from one connection per client.
	let (mut transferred, mut transfer_secs) = (0, 0.0);
	if attack.is_none() {
		let mut batches = Vec::new();
		for (i, client) in clients.iter().enumerate() {
			let share =
				args.transfers / args.clients + usize::from(i < args.transfers % args.clients);
			let dest = clients[(i + 1) % clients.len()].account();
			batches.push(sign_transfers(&chain, client, &dest, share).await?);
		}
		let transfers_started = Instant::now();
		let mut tasks = Vec::new();
		for batch in batches {
			let url = args.url.clone();
			tasks.push(tokio::spawn(async move { submit_signed(&url, batch).await }));
		}
		let mut sent = 0;
		for task in tasks {
			sent += task.await.map_err(|e| e.to_string())??;
		}
		wait_for(Duration::from_secs(600), || lock(&seen).transfers.len() >= sent).await;
		let seen = lock(&seen);
		let last = seen.transfers.iter().max().copied().unwrap_or_else(Instant::now);
		transferred = seen.transfers.len();
		transfer_secs = last.duration_since(transfers_started).as_secs_f64();
	}
	follower.abort();

	// Nothing lost, nothing held (the attacker's budgets included).
	let mut accounts: Vec<AccountId> = clients.iter().map(Key::account).collect();
	accounts.extend(attacker.as_ref().map(Key::account));
	let escrow = escrow_left(&chain, &accounts).await?;
	let seen = lock(&seen);
	let lost = submitted.iter().filter(|(id, _)| !seen.ended.contains_key(id)).count();
	let mut outcomes: HashMap<&str, usize> = HashMap::new();
	let mut latencies: Vec<f64> = Vec::new();
	let mut honest_reasons: BTreeMap<&str, usize> = BTreeMap::new();
	for (id, at) in &submitted {
		if let Some((ended, how)) = seen.ended.get(id) {
			*outcomes.entry(how).or_default() += 1;
			latencies.push(ended.duration_since(*at).as_secs_f64());
		}
		if let Some(reason) = seen.failures.get(id) {
			*honest_reasons.entry(reason).or_default() += 1;
		}
	}
	latencies.sort_by(f64::total_cmp);
	let job_blocks: Vec<&(u64, f64, usize)> =
		seen.blocks.iter().filter(|(n, _, _)| *n > first_block && *n <= last_block).collect();
	let fullness: Vec<f64> = job_blocks.iter().map(|(_, f, _)| *f).collect();
	let mean_fullness = fullness.iter().sum::<f64>() / fullness.len().max(1) as f64;
	let max_fullness = fullness.iter().copied().fold(0.0, f64::max);
	let mean_extrinsics =
		job_blocks.iter().map(|(_, _, x)| *x as f64).sum::<f64>() / job_blocks.len().max(1) as f64;

	let jobs_per_sec = submitted.len() as f64 / jobs_secs;
	let transfers_per_sec = transferred as f64 / transfer_secs;
	println!("jobs: {} submitted, outcomes {outcomes:?}, lost {lost}", submitted.len());
	if attack.is_some() {
		if !honest_reasons.is_empty() {
			println!("failure reasons (honest jobs): {honest_reasons:?}");
		}
	} else if !seen.reasons.is_empty() {
		println!("failure reasons: {:?}", seen.reasons);
	}
	println!("jobs/s: {jobs_per_sec:.2} ({} jobs in {jobs_secs:.1} s)", submitted.len());
	println!(
		"submit -> end latency: p50 {:.2} s, p95 {:.2} s, p99 {:.2} s",
		pct(&latencies, 50.0),
		pct(&latencies, 95.0),
		pct(&latencies, 99.0)
	);
	println!(
		"blocks #{}..#{} ({}): ref-time fullness mean {:.1} %, max {:.1} %; {:.1} extrinsics per block",
		first_block + 1,
		last_block,
		job_blocks.len(),
		mean_fullness * 100.0,
		max_fullness * 100.0,
		mean_extrinsics
	);
	if attack.is_none() {
		println!(
			"transfers/s: {transfers_per_sec:.2} ({transferred} transfers in {transfer_secs:.1} s)"
		);
		println!("ratio jobs/s / transfers/s: {:.3}", jobs_per_sec / transfers_per_sec);
	}
	println!(
		"escrow at the end: total held {}, open budgets {}, client holds {}",
		escrow.total, escrow.budgets, escrow.holds
	);
	if escrow.deposits > 0 {
		println!(
			"storage deposits still held (released when the jobs are pruned): {}",
			format_ait(escrow.deposits)
		);
	}
	let mut figures = serde_json::json!({
		"jobs": submitted.len(), "lost": lost, "outcomes": outcomes,
		"jobs_per_sec": jobs_per_sec, "jobs_secs": jobs_secs,
		"latency_p50": pct(&latencies, 50.0), "latency_p95": pct(&latencies, 95.0),
		"latency_p99": pct(&latencies, 99.0),
		"blocks": job_blocks.len(), "fullness_mean": mean_fullness, "fullness_max": max_fullness,
		"extrinsics_per_block": mean_extrinsics,
		"escrow_total_held": escrow.total.to_string(), "escrow_open_budgets": escrow.budgets,
		"escrow_client_holds": escrow.holds.to_string(),
		"deposits_held": escrow.deposits.to_string(),
	});
	if let Some(attack) = &attack {
		let rejected = rejections.as_ref().map(|r| lock(r).clone()).unwrap_or_default();
		let rejected_count: usize = rejected.values().sum();
		println!(
			"honest submissions refused by the chain and retried: {rejected_count}{}",
			if rejected.is_empty() { String::new() } else { format!(" {rejected:?}") }
		);
		let attacker_json = attack.print(&params);
		figures["honest_failure_reasons"] = serde_json::json!(honest_reasons);
		figures["honest_retries"] = serde_json::json!(rejected_count);
		figures["honest_retry_reasons"] = serde_json::json!(rejected);
		figures["attacker"] = attacker_json;
		match &args.baseline {
			Some(path) => {
				let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
				let baseline: Value = serde_json::from_str(text.trim())
					.map_err(|e| format!("{path}: not the JSON line of a load run: {e}"))?;
				side_by_side(&baseline, &figures);
			}
			None => println!("(no --baseline: no side-by-side table)"),
		}
	} else {
		figures["transfers"] = serde_json::json!(transferred);
		figures["transfers_per_sec"] = serde_json::json!(transfers_per_sec);
		figures["ratio"] = serde_json::json!(jobs_per_sec / transfers_per_sec);
	}
	println!("{figures}");
	if !all_ended || lost > 0 || !escrow.is_empty() {
		return Err(format!(
			"{lost} jobs did not end or the escrow is not empty: total held {}, open budgets {}, \
			 client holds {}",
			escrow.total, escrow.budgets, escrow.holds
		));
	}
	if let Some(attack) = &attack {
		if attack.open_left > 0 {
			return Err(format!("{} of the attacker's jobs did not end", attack.open_left));
		}
	}
	Ok(())
}

/// How honest jobs are made and what happens to a refused one.
struct Honest<'a> {
	model: &'a str,
	max_tokens: u32,
	block_time: Duration,
	/// With the attacker: refused submissions are retried a block later, counted here by
	/// reason. Without: a refused submission fails the run.
	rejections: Option<Arc<Mutex<BTreeMap<String, usize>>>>,
}

/// Submits `count` jobs from `client` on its own connection, never more than the window open.
async fn submit_jobs(
	url: &str,
	client: &Key,
	count: usize,
	job: &Honest<'_>,
	window: &Arc<Semaphore>,
	seen: &Arc<Mutex<Seen>>,
) -> Result<Vec<(u64, Instant)>, String> {
	let chain = Chain::connect(&Connect::new(url)).await.map_err(|e| e.to_string())?;
	let mut pending = Vec::new();
	for n in 0..count {
		let permit = window.clone().acquire_owned().await.map_err(|e| e.to_string())?;
		let call = runtime::transactions().jobs().submit_job(
			JobKind::TextInference,
			BoundedVec(job.model.as_bytes().to_vec()),
			BoundedVec(format!("load job {n}: say something").into_bytes()),
			InferenceParams {
				temperature_milli: 0,
				max_tokens: job.max_tokens,
				seed: Some(n as u64),
			},
			AIT / 1_000,
			None,
			None,
		);
		let at = Instant::now();
		let first = match (chain.send(&call, client).await, &job.rejections) {
			(Ok(sent), _) => Ok(sent),
			(Err(e), Some(_)) if !e.is_disconnected() => Err(e),
			(Err(e), _) => return Err(format!("submit: {e}")),
		};
		let (seen, chain, client) = (seen.clone(), chain.clone(), client.clone());
		let (rejections, block_time) = (job.rejections.clone(), job.block_time);
		// The permit is released once the job ends.
		pending.push(tokio::spawn(async move {
			let mut attempt = first;
			let job_id = loop {
				let outcome = match attempt {
					Ok(sent) => sent.in_block().await,
					Err(e) => Err(e),
				};
				let error = match outcome {
					Ok(submitted) => {
						break submitted_job_id(&submitted.events).ok_or("no JobSubmitted event")?
					}
					Err(e) => e,
				};
				match &rejections {
					Some(rejections)
						if !error.is_disconnected() && at.elapsed() < Duration::from_secs(600) =>
					{
						*lock(rejections).entry(reason(&error)).or_default() += 1;
						tokio::time::sleep(block_time).await;
						attempt = chain.send(&call, &client).await;
					}
					_ => return Err(format!("submit: {error}")),
				}
			};
			wait_for(Duration::from_secs(600), || lock(&seen).ended.contains_key(&job_id)).await;
			drop(permit);
			Ok::<_, String>((job_id, at))
		}));
	}
	let mut out = Vec::new();
	for task in pending {
		out.push(task.await.map_err(|e| e.to_string())??);
	}
	Ok(out)
}

/// The id of the job a `submit_job` created, from its events (the first field of
/// `JobSubmitted`).
fn submitted_job_id(events: &ExtrinsicEvents<Config>) -> Option<u64> {
	let event = events
		.iter()
		.flatten()
		.find(|e| e.pallet_name() == "Jobs" && e.event_name() == "JobSubmitted")?;
	let mut fields = event.field_bytes();
	u64::decode(&mut fields).ok()
}

/// A short reason for a refused or failed transaction: `Pallet::Error` for a dispatch that
/// failed in a block; otherwise the node's message with its numbers left out, so that alike
/// messages count together.
pub(crate) fn reason(error: &Error) -> String {
	let text = match error {
		Error::Rejected(text) => text.clone(),
		other => other.to_string(),
	};
	let name = text.split_once(": ").map_or(text.as_str(), |(name, _)| name);
	if name.contains("::") && !name.contains(' ') {
		return name.to_string();
	}
	let mut short = String::new();
	for c in text.chars().take(100) {
		if !c.is_ascii_digit() {
			short.push(c);
		} else if !short.ends_with('N') {
			short.push('N');
		}
	}
	short
}

/// How long the attacker's transactions are valid, in words.
fn mortality(blocks: u64) -> String {
	match blocks {
		0 => "immortal".into(),
		blocks => format!("valid for {blocks} blocks"),
	}
}

/// The attacker's transactions, by kind.
const UNSERVED_NEW: &str = "job for an unserved model, new id each time";
const UNSERVED_ONE: &str = "job for one unserved model";
const SERVED: &str = "job for the served model";
const CANCEL: &str = "cancel of such a job";
const OTHER: &str = "other";

/// What the attacker's transactions of one kind came to.
#[derive(Default)]
struct Tally {
	/// Handed to the node's pool.
	sent: usize,
	/// Refused by the pool when handed over, by reason.
	refused: BTreeMap<String, usize>,
	/// Taken by the pool, then dropped or found invalid there, by reason.
	dropped: BTreeMap<String, usize>,
	/// In a block, as the follower saw it: dispatched with success.
	succeeded: usize,
	/// In a block, dispatch failed, by `Pallet::Error`.
	failed: BTreeMap<String, usize>,
}

/// The kind of one of the attacker's transactions, from its call.
fn attack_kind(call: &str, mut fields: &[u8], served: &str) -> &'static str {
	match call {
		"cancel_job" => CANCEL,
		// `submit_job(kind, model, ..)`: a one-byte job kind, then the model id.
		"submit_job" => match <(u8, Vec<u8>)>::decode(&mut fields) {
			Ok((_, model)) if model == served.as_bytes() => SERVED,
			Ok((_, model)) if model == b"spam-model" => UNSERVED_ONE,
			_ => UNSERVED_NEW,
		},
		_ => OTHER,
	}
}

/// The name of a failed dispatch from the `dispatch_error` that starts an `ExtrinsicFailed`
/// event: `Pallet::Error` for a pallet's error.
pub(crate) fn dispatch_error_name(bytes: &[u8], metadata: &ArcMetadata) -> String {
	// `DispatchError::Module` is variant 3: the pallet's index, then the error's.
	if let [3, pallet, error, ..] = bytes {
		if let Some(pallet) = metadata.pallet_by_error_index(*pallet) {
			if let Some(variant) = pallet.error_variant_by_index(*error) {
				return format!("{}::{}", pallet.name(), variant.name);
			}
		}
	}
	DispatchError::decode_from(bytes.to_vec(), metadata.clone())
		.map_or_else(|_| "undecodable dispatch error".into(), |e| e.to_string())
}

pub(crate) type AtBlock = ClientAtBlock<Config, OnlineClientAtBlockImpl<Config>>;
type Progress = TransactionProgress<Config, OnlineClientAtBlockImpl<Config>>;
type Signed = SubmittableTransaction<Config, OnlineClientAtBlockImpl<Config>>;

/// The attacker's submission path: its own nonce counter and a block to sign against (read
/// again each minute), so that a transaction costs one call to the node, and submissions run
/// side by side. (`Chain::send` reads the nonce and the block before each transaction and
/// submits one at a time, which holds a client to a few transactions a second on a busy node.)
struct Flood {
	chain: Chain,
	key: Key,
	/// Blocks a transaction is valid for from the block it is signed against (0: immortal).
	mortality: u64,
	state: tokio::sync::Mutex<FloodState>,
}

#[derive(Default)]
struct FloodState {
	/// The next nonce; `None`: read it again (after a refusal or a drop).
	nonce: Option<u64>,
	/// The block transactions are signed against (the finalized one, read again each block),
	/// and when it was read.
	at: Option<(Instant, AtBlock)>,
}

impl Flood {
	/// Signs `call` with the next nonce, without asking the node (but for the block to sign
	/// against, once a block).
	async fn sign<C: Payload>(&self, call: &C) -> Result<Signed, Error> {
		let mut state = self.state.lock().await;
		let at = match state.at.take() {
			Some((read, at)) if read.elapsed() < self.chain.constants().block_time => (read, at),
			_ => {
				let at =
					self.chain.api().at_current_block().await.map_err(|e| self.chain.error(e))?;
				(Instant::now(), at)
			}
		};
		let nonce = match state.nonce {
			Some(nonce) => nonce,
			None => {
				let account = self.key.account().to_string();
				self.chain.request("system_accountNextIndex", rpc_params![account]).await?
			}
		};
		let params = PolkadotExtrinsicParamsBuilder::<Config>::new().nonce(nonce);
		let params = match self.mortality {
			0 => params.immortal(),
			blocks => params.mortal_from_unchecked(blocks, at.1.block_number(), at.1.block_hash()),
		};
		let params = params.build();
		// Offline: `create_signed` would ask the node for the nonce again.
		let signed =
			at.1.transactions()
				.create_signable_offline(call, params)
				.and_then(|mut signable| signable.sign(self.key.pair()));
		state.at = Some(at);
		let signed = signed.map_err(|e| Error::Rejected(e.to_string()))?;
		state.nonce = Some(nonce + 1);
		Ok(signed)
	}

	/// Hands a signed transaction to the pool; a refusal makes the next signature read the
	/// nonce again.
	async fn submit(&self, signed: &Signed) -> Result<Progress, Error> {
		match signed.submit_and_watch().await {
			Ok(progress) => Ok(progress),
			Err(e) => {
				self.state.lock().await.nonce = None;
				Err(match self.chain.error(e) {
					Error::Rpc(message) => Error::Rejected(message),
					disconnected => disconnected,
				})
			}
		}
	}

	/// Signs `call` and hands it to the pool.
	async fn send<C: Payload>(&self, call: &C) -> Result<Progress, Error> {
		let signed = self.sign(call).await?;
		self.submit(&signed).await
	}

	/// Waits until the transaction is in a best block (`Ok`; the follower reads its outcome),
	/// or the pool dropped it or found it invalid (`Err`; the nonce is read again).
	async fn included(&self, mut progress: Progress) -> Result<(), Error> {
		loop {
			let status = match progress.next().await {
				Some(Ok(status)) => status,
				Some(Err(e)) => return Err(self.chain.error(e)),
				None => {
					self.state.lock().await.nonce = None;
					return Err(Error::Disconnected(
						"the node closed the transaction watch".into(),
					));
				}
			};
			match status {
				TransactionStatus::InBestBlock(_) | TransactionStatus::InFinalizedBlock(_) => {
					return Ok(())
				}
				TransactionStatus::Invalid { message }
				| TransactionStatus::Dropped { message }
				| TransactionStatus::Error { message } => {
					self.state.lock().await.nonce = None;
					return Err(Error::Rejected(message));
				}
				_ => continue,
			}
		}
	}
}

/// What the follower reports to the attacker: its account, the served model, and where to
/// send the ids of its served-model jobs (to cancel them).
struct Watch {
	account: AccountId,
	served: String,
	cancel: mpsc::UnboundedSender<u64>,
}

/// The attacker while it runs.
struct Spam {
	flood: Arc<Flood>,
	stop: Arc<AtomicBool>,
	task: tokio::task::JoinHandle<Result<(), String>>,
	window: usize,
	max_price: u128,
	started: Instant,
	first_block: u64,
	nonce: u64,
	free: u128,
}

/// What the attacker got through, for the report.
struct AttackReport {
	kinds: BTreeMap<&'static str, Tally>,
	account: String,
	window: usize,
	mortality: u64,
	max_price: u128,
	secs: f64,
	blocks: (u64, u64),
	/// How far its nonce moved: its transactions in blocks.
	nonce_moved: u64,
	/// Its jobs that got on chain.
	jobs: usize,
	/// Per block of the attack: its open jobs.
	open: Vec<u32>,
	/// Its free balance before and after, and what it has on hold after.
	free: (u128, u128),
	held: u128,
	/// Jobs still open at the end, cancelled then.
	cleaned_up: usize,
	/// Jobs that did not end even then.
	open_left: usize,
	/// Signing and submitting: how many, how long in all.
	client_time: [(usize, Duration); 2],
}

impl Spam {
	/// The attacker's view of the follower: what to tell it.
	fn watch(key: &Key, served: &str) -> (Watch, mpsc::UnboundedReceiver<u64>) {
		let (cancel, cancels) = mpsc::unbounded_channel();
		(Watch { account: key.account(), served: served.to_string(), cancel }, cancels)
	}

	/// Starts the attacker on a connection of its own, and gives it a few blocks' head start.
	async fn start(
		args: &Args,
		key: &Key,
		params: &ParametersJson,
		seen: &Arc<Mutex<Seen>>,
		cancels: mpsc::UnboundedReceiver<u64>,
	) -> Result<Spam, String> {
		let chain =
			Chain::connect(&Connect::new(args.url.clone())).await.map_err(|e| e.to_string())?;
		let account = key.account();
		let nonce = best_nonce(&chain, &account).await?;
		let free = chain.free_balance(&account).await.map_err(|e| e.to_string())?;
		let quote = chain.quote(&args.model, 1).await.map_err(|e| e.to_string())?;
		eprintln!(
			"attacker {} ({}): free {}, {} transactions in flight, {}, every job at the \
			 governed min_fee {} for 1 token (the cheapest `{}` miner asks {}); the chain lets \
			 one client have {} jobs open",
			args.spam_account,
			chain.address(&account),
			format_ait(free),
			args.spam_window,
			mortality(args.spam_mortality),
			format_ait(params.min_fee),
			args.model,
			quote.min_price.map_or("nothing: no miner".into(), format_ait),
			params.max_open_jobs_per_client,
		);
		let flood = Arc::new(Flood {
			chain,
			key: key.clone(),
			mortality: args.spam_mortality,
			state: Default::default(),
		});
		let stop = Arc::new(AtomicBool::new(false));
		let first_block = flood.chain.best_number().await.map_err(|e| e.to_string())?;
		let started = Instant::now();
		let task = tokio::spawn(attack(
			flood.clone(),
			args.model.clone(),
			params.min_fee,
			args.spam_window,
			stop.clone(),
			seen.clone(),
			cancels,
		));
		tokio::time::sleep(flood.chain.constants().block_time * 3).await;
		Ok(Spam {
			flood,
			stop,
			task,
			window: args.spam_window,
			max_price: params.min_fee,
			started,
			first_block,
			nonce,
			free,
		})
	}

	/// Stops the attacker, waits for its transactions in flight, then cancels its jobs still
	/// open and waits until they ended.
	async fn finish(self, seen: &Arc<Mutex<Seen>>) -> Result<AttackReport, String> {
		self.stop.store(true, Ordering::Relaxed);
		match tokio::time::timeout(Duration::from_secs(120), self.task).await {
			Ok(joined) => joined.map_err(|e| e.to_string())??,
			Err(_) => {
				eprintln!("the attacker's last transactions were still in flight after 120 s")
			}
		}
		let secs = self.started.elapsed().as_secs_f64();
		let chain = &self.flood.chain;
		let last_block = chain.best_number().await.map_err(|e| e.to_string())?;
		let account = self.flood.key.account();
		let nonce_moved = best_nonce(chain, &account).await?.saturating_sub(self.nonce);
		// Let the follower catch up with the last block.
		tokio::time::sleep(chain.constants().block_time).await;
		let (kinds, jobs, open_per_block, client_time) = {
			let mut seen = lock(seen);
			let open_per_block: Vec<u32> = seen
				.attacker_open
				.iter()
				.filter(|(n, _)| *n > self.first_block && *n <= last_block)
				.map(|(_, open)| *open)
				.collect();
			(
				std::mem::take(&mut seen.attack),
				seen.attacker_jobs.clone(),
				open_per_block,
				seen.attacker_time,
			)
		};

		// Clean up: cancel what is still open (queued jobs; a held one ends by itself).
		let open: Vec<u64> = {
			let seen = lock(seen);
			jobs.iter().copied().filter(|id| !seen.ended.contains_key(id)).collect()
		};
		let mut cancels = Vec::new();
		for job_id in &open {
			let cancel = runtime::transactions().jobs().cancel_job(*job_id);
			if let Ok(progress) = self.flood.send(&cancel).await {
				cancels.push(progress);
			}
		}
		for progress in cancels {
			let _ = self.flood.included(progress).await;
		}
		wait_for(Duration::from_secs(600), || {
			let seen = lock(seen);
			jobs.iter().all(|id| seen.ended.contains_key(id))
		})
		.await;
		let open_left = {
			let seen = lock(seen);
			jobs.iter().filter(|id| !seen.ended.contains_key(id)).count()
		};
		let (free, held) = chain.account_info(&account).await.map_err(|e| e.to_string())?;
		Ok(AttackReport {
			kinds,
			account: chain.address(&account),
			window: self.window,
			mortality: self.flood.mortality,
			max_price: self.max_price,
			secs,
			blocks: (self.first_block + 1, last_block),
			nonce_moved,
			jobs: jobs.len(),
			open: open_per_block,
			free: (self.free, free),
			held,
			cleaned_up: open.len(),
			open_left,
			client_time,
		})
	}
}

/// The attacker: keeps `window` transactions in flight until `stop`: first the cancels of its
/// served-model jobs the follower saw on chain, otherwise, in turn, a job for a new unserved
/// model, a job for one unserved model and a job for the `served` model; every job asks for
/// one token and offers `max_price`.
async fn attack(
	flood: Arc<Flood>,
	served: String,
	max_price: u128,
	window: usize,
	stop: Arc<AtomicBool>,
	seen: Arc<Mutex<Seen>>,
	mut cancels: mpsc::UnboundedReceiver<u64>,
) -> Result<(), String> {
	let window = Arc::new(Semaphore::new(window));
	let lost = Arc::new(AtomicBool::new(false));
	let mut waiters = JoinSet::new();
	let mut n = 0u64;
	loop {
		let permit = window.clone().acquire_owned().await.map_err(|e| e.to_string())?;
		while waiters.try_join_next().is_some() {}
		if stop.load(Ordering::Relaxed) {
			break;
		}
		if lost.load(Ordering::Relaxed) {
			return Err("the attacker lost its connection to the node".into());
		}
		let signing = Instant::now();
		let (kind, signed) = match cancels.try_recv() {
			Ok(job_id) => {
				(CANCEL, flood.sign(&runtime::transactions().jobs().cancel_job(job_id)).await)
			}
			Err(_) => {
				let (kind, model) = match n % 3 {
					0 => (UNSERVED_NEW, format!("spam-model-{n}")),
					1 => (UNSERVED_ONE, "spam-model".to_string()),
					_ => (SERVED, served.clone()),
				};
				let call = runtime::transactions().jobs().submit_job(
					JobKind::TextInference,
					BoundedVec(model.into_bytes()),
					BoundedVec(format!("spam {n}").into_bytes()),
					InferenceParams { temperature_milli: 0, max_tokens: 1, seed: None },
					max_price,
					None,
					None,
				);
				n += 1;
				(kind, flood.sign(&call).await)
			}
		};
		{
			let mut seen = lock(&seen);
			seen.attacker_time[0].0 += 1;
			seen.attacker_time[0].1 += signing.elapsed();
		}
		let signed = match signed {
			Ok(signed) => signed,
			Err(e) if e.is_disconnected() => return Err(format!("attacker: {e}")),
			Err(e) => {
				*lock(&seen)
					.attack
					.entry(kind)
					.or_default()
					.refused
					.entry(reason(&e))
					.or_default() += 1;
				tokio::time::sleep(Duration::from_millis(50)).await;
				continue;
			}
		};
		let (flood, seen, lost) = (flood.clone(), seen.clone(), lost.clone());
		waiters.spawn(async move {
			let _permit = permit;
			let submitting = Instant::now();
			let submitted = flood.submit(&signed).await;
			{
				let mut seen = lock(&seen);
				seen.attacker_time[1].0 += 1;
				seen.attacker_time[1].1 += submitting.elapsed();
			}
			let progress = match submitted {
				Ok(progress) => progress,
				Err(e) => {
					lost.fetch_or(e.is_disconnected(), Ordering::Relaxed);
					let reason = reason(&e);
					*lock(&seen)
						.attack
						.entry(kind)
						.or_default()
						.refused
						.entry(reason)
						.or_default() += 1;
					// The pool said no: give it a moment rather than spin.
					tokio::time::sleep(Duration::from_millis(50)).await;
					return;
				}
			};
			lock(&seen).attack.entry(kind).or_default().sent += 1;
			if let Err(e) = flood.included(progress).await {
				*lock(&seen)
					.attack
					.entry(kind)
					.or_default()
					.dropped
					.entry(reason(&e))
					.or_default() += 1;
			}
		});
	}
	while waiters.join_next().await.is_some() {}
	Ok(())
}

impl AttackReport {
	/// Prints what the attacker got through; returns the same as JSON.
	fn print(&self, params: &ParametersJson) -> Value {
		let sum = |f: fn(&Tally) -> usize| self.kinds.values().map(f).sum::<usize>();
		let sent = sum(|t| t.sent);
		let refused = sum(|t| t.refused.values().sum());
		let dropped = sum(|t| t.dropped.values().sum());
		let succeeded = sum(|t| t.succeeded);
		let failed = sum(|t| t.failed.values().sum());
		let included = succeeded + failed;
		let blocks = (self.blocks.1 + 1).saturating_sub(self.blocks.0).max(1);
		println!(
			"attacker {}: {} transactions in flight ({}) for {:.1} s (blocks #{}..#{}), every \
			 job at max price {} (min_fee)",
			self.account,
			self.window,
			mortality(self.mortality),
			self.secs,
			self.blocks.0,
			self.blocks.1,
			format_ait(self.max_price)
		);
		println!(
			"attacker transactions: {sent} taken by the pool ({:.1}/s), {refused} refused at \
			 submission; {included} in blocks ({:.1}/s, {:.1} a block; its nonce moved {}): \
			 {succeeded} succeeded, {failed} failed; {dropped} dropped by the pool",
			sent as f64 / self.secs,
			included as f64 / self.secs,
			included as f64 / blocks as f64,
			self.nonce_moved,
		);
		let mut kinds = serde_json::Map::new();
		for (kind, tally) in &self.kinds {
			let mut line = format!("  {kind}: sent {}, succeeded {}", tally.sent, tally.succeeded);
			for (label, reasons) in [
				("failed", &tally.failed),
				("dropped", &tally.dropped),
				("refused at submission", &tally.refused),
			] {
				if !reasons.is_empty() {
					line += &format!(", {label} {reasons:?}");
				}
			}
			println!("{line}");
			kinds.insert(
				kind.to_string(),
				serde_json::json!({
					"sent": tally.sent, "succeeded": tally.succeeded, "failed": tally.failed,
					"dropped": tally.dropped, "refused": tally.refused,
				}),
			);
		}
		let mean_ms =
			|(count, total): (usize, Duration)| total.as_secs_f64() * 1_000.0 / count.max(1) as f64;
		let (sign_ms, submit_ms) = (mean_ms(self.client_time[0]), mean_ms(self.client_time[1]));
		println!(
			"attacker client: {sign_ms:.1} ms to sign a transaction, {submit_ms:.1} ms until the \
			 pool took it (submissions overlap), on average"
		);
		let max_open = self.open.iter().copied().max().unwrap_or(0);
		let mean_open =
			self.open.iter().map(|&o| f64::from(o)).sum::<f64>() / self.open.len().max(1) as f64;
		println!(
			"attacker jobs open per block: max {max_open}, mean {mean_open:.1} (the chain's \
			 max_open_jobs_per_client: {}); {} jobs on chain in all, {} still open at the end \
			 and cancelled then",
			params.max_open_jobs_per_client, self.jobs, self.cleaned_up
		);
		println!(
			"attacker balance: free {} -> {}, on hold at the end {} (storage deposits until the \
			 jobs are pruned)",
			format_ait(self.free.0),
			format_ait(self.free.1),
			format_ait(self.held)
		);
		serde_json::json!({
			"account": self.account, "window": self.window, "mortality": self.mortality,
			"secs": self.secs,
			"max_price": self.max_price.to_string(),
			"sent": sent, "refused": refused, "dropped": dropped, "included": included,
			"succeeded": succeeded, "failed_in_block": failed, "nonce_moved": self.nonce_moved,
			"sent_per_sec": sent as f64 / self.secs,
			"included_per_sec": included as f64 / self.secs,
			"included_per_block": included as f64 / blocks as f64,
			"kinds": kinds, "jobs_on_chain": self.jobs,
			"open_jobs_max": max_open, "open_jobs_mean": mean_open,
			"max_open_jobs_per_client": params.max_open_jobs_per_client,
			"cleaned_up": self.cleaned_up, "open_left": self.open_left,
			"free_before": self.free.0.to_string(), "free_after": self.free.1.to_string(),
			"held_after": self.held.to_string(),
			"sign_ms": sign_ms, "submit_ms": submit_ms,
		})
	}
}

/// The run without attacker and the run with it, side by side (a Markdown table).
fn side_by_side(baseline: &Value, spam: &Value) {
	let number = |v: &Value, key: &str| v[key].as_f64().unwrap_or(f64::NAN);
	let outcomes = |v: &Value| {
		let mut parts: Vec<String> = v["outcomes"]
			.as_object()
			.map(|o| o.iter().map(|(how, n)| format!("{n} {how}")).collect())
			.unwrap_or_default();
		parts.sort();
		parts.join(", ")
	};
	let ended = |v: &Value| {
		let jobs = number(v, "jobs");
		format!("{} of {} ({} lost)", jobs - number(v, "lost"), jobs, number(v, "lost"))
	};
	let latency = |v: &Value| {
		format!(
			"{:.2} s / {:.2} s / {:.2} s",
			number(v, "latency_p50"),
			number(v, "latency_p95"),
			number(v, "latency_p99")
		)
	};
	let fullness = |v: &Value| {
		format!(
			"mean {:.1} %, max {:.1} %; {:.1} extrinsics a block",
			number(v, "fullness_mean") * 100.0,
			number(v, "fullness_max") * 100.0,
			number(v, "extrinsics_per_block")
		)
	};
	let a = &spam["attacker"];
	println!();
	println!("| honest load | without attacker | with attacker |");
	println!("|---|---|---|");
	println!("| honest jobs ended | {} | {} |", ended(baseline), ended(spam));
	println!("| outcomes | {} | {} |", outcomes(baseline), outcomes(spam));
	println!(
		"| honest jobs/s | {:.2} ({:.1} s) | {:.2} ({:.1} s) |",
		number(baseline, "jobs_per_sec"),
		number(baseline, "jobs_secs"),
		number(spam, "jobs_per_sec"),
		number(spam, "jobs_secs")
	);
	println!(
		"| submit → end latency p50 / p95 / p99 | {} | {} |",
		latency(baseline),
		latency(spam)
	);
	println!(
		"| block fullness (ref time, {} / {} blocks) | {} | {} |",
		number(baseline, "blocks"),
		number(spam, "blocks"),
		fullness(baseline),
		fullness(spam)
	);
	println!("| honest submissions refused and retried | – | {} |", number(spam, "honest_retries"));
	println!(
		"| attacker transactions taken by the pool | – | {} ({:.1}/s) |",
		number(a, "sent"),
		number(a, "sent_per_sec")
	);
	println!(
		"| … in blocks: succeeded / failed | – | {} / {} ({:.1} a block) |",
		number(a, "succeeded"),
		number(a, "failed_in_block"),
		number(a, "included_per_block")
	);
	println!(
		"| … dropped by the pool / refused at submission | – | {} / {} |",
		number(a, "dropped"),
		number(a, "refused")
	);
	println!(
		"| attacker jobs open per block, max / mean (cap) | – | {} / {:.1} ({}) |",
		number(a, "open_jobs_max"),
		number(a, "open_jobs_mean"),
		number(a, "max_open_jobs_per_client")
	);
	println!();
}

/// Signs `count` transfers of one unit from `client` to `dest` ahead of time, so that the
/// timed part measures the chain, not the signing client.
async fn sign_transfers(
	chain: &Chain,
	client: &Key,
	dest: &AccountId,
	count: usize,
) -> Result<Vec<String>, String> {
	let at = chain.api().at_current_block().await.map_err(|e| e.to_string())?;
	let first: u64 = chain
		.request("system_accountNextIndex", rpc_params![client.account().to_string()])
		.await
		.map_err(|e| e.to_string())?;
	let mut signed = Vec::with_capacity(count);
	for k in 0..count as u64 {
		let call =
			runtime::transactions().balances().transfer_keep_alive(MultiAddress::Id(*dest), 1);
		let params = PolkadotExtrinsicParamsBuilder::<Config>::new().nonce(first + k).build();
		let tx = at
			.transactions()
			.create_signed(&call, client.pair(), params)
			.await
			.map_err(|e| e.to_string())?;
		let hex: String = tx.encoded().iter().map(|b| format!("{b:02x}")).collect();
		signed.push(format!("0x{hex}"));
	}
	Ok(signed)
}

/// Hands signed transactions to the pool (`author_submitExtrinsic`) on a connection of their
/// own; the follower sees them land.
async fn submit_signed(url: &str, signed: Vec<String>) -> Result<usize, String> {
	let chain = Chain::connect(&Connect::new(url)).await.map_err(|e| e.to_string())?;
	let count = signed.len();
	for tx in signed {
		let _hash: String = chain
			.request("author_submitExtrinsic", rpc_params![tx])
			.await
			.map_err(|e| format!("transfer: {e}"))?;
	}
	Ok(count)
}

/// Follows best blocks: job ends and block fullness; with `attacker`, its open jobs, the
/// outcomes of its transactions and its jobs (sending the served-model ones to be cancelled).
async fn follow(
	chain: Chain,
	seen: Arc<Mutex<Seen>>,
	attacker: Option<Watch>,
) -> Result<(), String> {
	let at = chain.api().at_current_block().await.map_err(|e| e.to_string())?;
	let max = at
		.constants()
		.entry(runtime::constants().system().block_weights())
		.map_err(|e| e.to_string())?
		.max_block
		.ref_time;
	// How the attacker's account appears as a signer: `MultiAddress::Id`.
	let attacker_address: Option<Vec<u8>> =
		attacker.as_ref().map(|watch| [&[0u8][..], &watch.account.0[..]].concat());
	let mut blocks = chain.api().stream_best_blocks().await.map_err(|e| e.to_string())?;
	while let Some(block) = blocks.next().await {
		let Ok(block) = block else { continue };
		let now = Instant::now();
		let Ok(at) = block.at().await else { continue };
		let Ok(events) = at.events().fetch().await else { continue };
		let body = at.extrinsics().fetch().await.ok();
		let extrinsics = body.as_ref().map_or(0, |x| x.len());
		// The attacker's transactions in this block: extrinsic index → kind.
		let mut ours: HashMap<u32, &'static str> = HashMap::new();
		if let (Some(watch), Some(address), Some(body)) = (&attacker, &attacker_address, &body) {
			for extrinsic in body.iter().flatten() {
				if extrinsic.address_bytes() == Some(&address[..]) {
					let kind = attack_kind(
						extrinsic.call_name(),
						extrinsic.call_data_field_bytes(),
						&watch.served,
					);
					ours.insert(extrinsic.index() as u32, kind);
				}
			}
		}
		let mut outcomes: Vec<(&'static str, Option<String>)> = Vec::new();
		let mut attacker_jobs = Vec::new();
		let mut ended = Vec::new();
		let mut transfers = 0;
		let mut failures = Vec::new();
		for event in events.iter().flatten() {
			let kind = match event.phase() {
				Phase::ApplyExtrinsic(index) => ours.get(&index).copied(),
				_ => None,
			};
			if let Some(kind) = kind {
				match (event.pallet_name(), event.event_name()) {
					("System", "ExtrinsicSuccess") => outcomes.push((kind, None)),
					("System", "ExtrinsicFailed") => {
						let name = dispatch_error_name(event.field_bytes(), &at.metadata());
						outcomes.push((kind, Some(name)));
					}
					("Jobs", "JobSubmitted") => {
						let mut fields = event.field_bytes();
						if let Ok(id) = <u64 as Decode>::decode(&mut fields) {
							attacker_jobs.push(id);
							if kind == SERVED {
								if let Some(watch) = &attacker {
									let _ = watch.cancel.send(id);
								}
							}
						}
					}
					_ => {}
				}
			}
			if event.pallet_name() == "Balances" && event.event_name() == "Transfer" {
				let mut fields = event.field_bytes();
				let decoded: Result<([u8; 32], [u8; 32], u128), _> = Decode::decode(&mut fields);
				if matches!(decoded, Ok((_, _, 1))) {
					transfers += 1;
				}
				continue;
			}
			if event.pallet_name() != "Jobs" {
				continue;
			}
			let how = match event.event_name() {
				"JobCompleted" => "completed",
				"JobFailed" => "failed",
				"JobExpired" => "expired",
				"JobCancelled" => "cancelled",
				_ => continue,
			};
			// Every job event starts with the job id.
			let mut fields = event.field_bytes();
			let Ok(id) = <u64 as Decode>::decode(&mut fields) else { continue };
			if how == "failed" {
				let decoded: Result<u8, _> = Decode::decode(&mut fields);
				let reason = match decoded {
					Ok(0) => "no miner available".to_string(),
					Ok(1) => "no assigned miner delivered".to_string(),
					Ok(2) => {
						let text: Result<Vec<u8>, _> = Decode::decode(&mut fields);
						format!(
							"miner reported: {}",
							String::from_utf8_lossy(&text.unwrap_or_default())
						)
					}
					Ok(3) => "deadline queue congested".to_string(),
					_ => "unknown".to_string(),
				};
				failures.push((id, reason));
			}
			ended.push((id, how));
		}
		let weight = at
			.storage()
			.fetch(runtime::storage().system().block_weight(), ())
			.await
			.ok()
			.and_then(|v| v.decode().ok());
		let used = weight
			.map(|w| w.normal.ref_time + w.operational.ref_time + w.mandatory.ref_time)
			.unwrap_or(0);
		let mut attacker_open = None;
		if let Some(watch) = &attacker {
			let open = at
				.storage()
				.try_fetch(runtime::storage().jobs().open_jobs(), (watch.account,))
				.await
				.ok()
				.flatten()
				.and_then(|v| v.decode().ok());
			attacker_open = Some(open.unwrap_or(0));
		}
		let mut seen = lock(&seen);
		for (id, how) in ended {
			seen.ended.entry(id).or_insert((now, how));
		}
		seen.transfers.extend(std::iter::repeat_n(now, transfers));
		for (id, reason) in failures {
			*seen.reasons.entry(reason.clone()).or_default() += 1;
			seen.failures.insert(id, reason);
		}
		seen.blocks.push((block.number(), used as f64 / max.max(1) as f64, extrinsics));
		if let Some(open) = attacker_open {
			seen.attacker_open.push((block.number(), open));
		}
		for (kind, failed) in outcomes {
			let tally = seen.attack.entry(kind).or_default();
			match failed {
				None => tally.succeeded += 1,
				Some(name) => *tally.failed.entry(name).or_default() += 1,
			}
		}
		seen.attacker_jobs.extend(attacker_jobs);
	}
	Ok(())
}

/// What the escrow and the accounts hold at the end.
pub(crate) struct Left {
	/// The escrow's `TotalHeld`.
	pub(crate) total: u128,
	/// Open budgets: the accounts' open jobs (`Jobs::OpenJobs`).
	pub(crate) budgets: usize,
	/// The accounts' escrow holds (job budgets).
	pub(crate) holds: u128,
	/// The accounts' other holds: the jobs' storage deposits, released at pruning.
	pub(crate) deposits: u128,
}

impl Left {
	pub(crate) fn is_empty(&self) -> bool {
		self.total == 0 && self.budgets == 0 && self.holds == 0
	}
}

/// What the escrow holds and what `accounts` have on hold, at the best block.
pub(crate) async fn escrow_left(chain: &Chain, accounts: &[AccountId]) -> Result<Left, String> {
	let best = chain.best_number().await.map_err(|e| e.to_string())?;
	let at = chain.api().at_block(best).await.map_err(|e| e.to_string())?;
	let total = at
		.storage()
		.fetch(runtime::storage().escrow().total_held(), ())
		.await
		.map_err(|e| e.to_string())?
		.decode()
		.map_err(|e| e.to_string())?;
	// Open budgets: since spec 105 the escrow keeps no record per budget; a budget is an open
	// job's (`Jobs::OpenJobs` per client).
	let mut budgets = 0;
	for account in accounts {
		let open = at
			.storage()
			.try_fetch(runtime::storage().jobs().open_jobs(), (*account,))
			.await
			.map_err(|e| e.to_string())?;
		if let Some(open) = open {
			budgets += open.decode().map_err(|e| e.to_string())? as usize;
		}
	}
	// Read without the static type: the hold reasons are one enum over every pallet's.
	let (mut holds, mut deposits) = (0u128, 0u128);
	for account in accounts {
		let address = aitbc_client::subxt::dynamic::storage::<(AccountId,), scale_value::Value>(
			"Balances", "Holds",
		);
		let held = at.storage().try_fetch(address, (*account,)).await.map_err(|e| e.to_string())?;
		if let Some(held) = held {
			let held = held.decode().map_err(|e| e.to_string())?;
			add_holds(&held, &mut holds, &mut deposits);
		}
	}
	Ok(Left { total, budgets, holds, deposits })
}

/// Adds up the `{ id, amount }` entries of an account's holds: the escrow's to `escrow`, the
/// others to `other`.
fn add_holds(value: &scale_value::Value, escrow: &mut u128, other: &mut u128) {
	match &value.value {
		ValueDef::Composite(Composite::Named(fields)) => {
			let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
			if let (Some(id), Some(amount)) = (field("id"), field("amount")) {
				let amount = amount.as_u128().unwrap_or(0);
				match &id.value {
					ValueDef::Variant(reason) if reason.name == "Escrow" => *escrow += amount,
					_ => *other += amount,
				}
				return;
			}
			for (_, field) in fields {
				add_holds(field, escrow, other);
			}
		}
		ValueDef::Composite(Composite::Unnamed(values)) => {
			for value in values {
				add_holds(value, escrow, other);
			}
		}
		_ => {}
	}
}

/// The nonce of `who` at the best block: how many of its transactions are in blocks.
pub(crate) async fn best_nonce(chain: &Chain, who: &AccountId) -> Result<u64, String> {
	let best = chain.best_number().await.map_err(|e| e.to_string())?;
	let at = chain.api().at_block(best).await.map_err(|e| e.to_string())?;
	let account = at
		.storage()
		.try_fetch(runtime::storage().system().account(), (*who,))
		.await
		.map_err(|e| e.to_string())?;
	match account {
		Some(account) => Ok(u64::from(account.decode().map_err(|e| e.to_string())?.nonce)),
		None => Ok(0),
	}
}

async fn wait_for(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
	let until = Instant::now() + timeout;
	while Instant::now() < until {
		if done() {
			return true;
		}
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
	done()
}

pub(crate) fn pct(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
	sorted[rank.min(sorted.len() - 1)]
}
