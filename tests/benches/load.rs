//! Load benchmark (not part of the tests): `scripts/bench-load` starts a dev node, the
//! instant test backend and several miners, then runs this against them.
//!
//! 1. funds `--clients` accounts from Alice;
//! 2. submits `--jobs` jobs from them, at most `--window` open at once (the chain queues at most
//!    1,024 and lets one client have `max_open_jobs_per_client` open), and follows best blocks until every job is completed, failed or expired;
//! 3. in the same run, on the same node, sends `--transfers` balance transfers the same way;
//! 4. checks that every job ended, that the escrow holds nothing and no client has a hold left.
//!
//! Prints jobs/s, submit→result latency percentiles, block fullness, transfers/s and the ratio,
//! and one JSON line with the same figures.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
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
	subxt::utils::MultiAddress,
	units::AIT,
	AccountId, Chain, Config, Connect,
};
use tokio::sync::Semaphore;

struct Args {
	url: String,
	jobs: usize,
	clients: usize,
	window: usize,
	transfers: usize,
	model: String,
	max_tokens: u32,
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
			"--clients" => args.clients = number()?.max(1),
			"--window" => args.window = number()?.clamp(1, 1_000),
			"--transfers" => args.transfers = number()?,
			"--model" => args.model = value.clone(),
			"--max-tokens" => args.max_tokens = number()? as u32,
			_ => return Err(format!("unknown flag {flag}")),
		}
	}
	Ok(args)
}

#[tokio::main]
async fn main() {
	if let Err(e) = run().await {
		eprintln!("error: {e}");
		std::process::exit(1);
	}
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
	/// When each one-unit transfer (the benchmark's) was seen in a block.
	transfers: Vec<Instant>,
}

async fn run() -> Result<(), String> {
	let args = args()?;
	let connect = Connect::new(args.url.clone());
	let chain = Chain::connect(&connect).await.map_err(|e| e.to_string())?;
	let clients: Vec<Key> = (0..args.clients)
		.map(|i| Key::from_uri(&format!("//Alice//bench/{i}")).map_err(|e| e.to_string()))
		.collect::<Result<_, _>>()?;

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
	let follower = tokio::spawn(follow(chain.clone(), seen.clone()));

	// Jobs: each client keeps at most its share of the window open, and never more than the
	// chain allows one client (`max_open_jobs_per_client`).
	let params = chain.parameters().await.map_err(|e| e.to_string())?;
	let per_client =
		(args.window / args.clients).clamp(1, params.max_open_jobs_per_client as usize);
	let started = Instant::now();
	let first_block = chain.best_number().await.map_err(|e| e.to_string())?;
	let mut tasks = Vec::new();
	for (i, client) in clients.iter().enumerate() {
		let share = args.jobs / args.clients + usize::from(i < args.jobs % args.clients);
		let window = Arc::new(Semaphore::new(per_client));
		let (client, seen, url) = (client.clone(), seen.clone(), args.url.clone());
		let (model, max_tokens) = (args.model.clone(), args.max_tokens);
		tasks.push(tokio::spawn(async move {
			submit_jobs(&url, &client, share, &model, max_tokens, &window, &seen).await
		}));
	}
	let mut submitted: Vec<(u64, Instant)> = Vec::new();
	for task in tasks {
		submitted.extend(task.await.map_err(|e| e.to_string())??);
	}
	let all_ended = wait_for(Duration::from_secs(600), || {
		let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
		submitted.iter().all(|(id, _)| seen.ended.contains_key(id))
	})
	.await;
	let jobs_secs = {
		let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
		submitted
			.iter()
			.filter_map(|(id, _)| seen.ended.get(id).map(|(at, _)| *at))
			.max()
			.unwrap_or_else(Instant::now)
			.duration_since(started)
			.as_secs_f64()
	};
	let last_block = chain.best_number().await.map_err(|e| e.to_string())?;

	// Transfers, same node, same run: signed first, then sent from one connection per client.
	let mut batches = Vec::new();
	for (i, client) in clients.iter().enumerate() {
		let share = args.transfers / args.clients + usize::from(i < args.transfers % args.clients);
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
	wait_for(Duration::from_secs(600), || {
		seen.lock().map(|s| s.transfers.len() >= sent).unwrap_or(false)
	})
	.await;
	let (transferred, transfer_secs) = {
		let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
		let last = seen.transfers.iter().max().copied().unwrap_or_else(Instant::now);
		(seen.transfers.len(), last.duration_since(transfers_started).as_secs_f64())
	};
	follower.abort();

	// Nothing lost, nothing held.
	let escrow = escrow_left(&chain, &clients).await?;
	let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
	let lost = submitted.iter().filter(|(id, _)| !seen.ended.contains_key(id)).count();
	let mut outcomes: HashMap<&str, usize> = HashMap::new();
	let mut latencies: Vec<f64> = Vec::new();
	for (id, at) in &submitted {
		if let Some((ended, how)) = seen.ended.get(id) {
			*outcomes.entry(how).or_default() += 1;
			latencies.push(ended.duration_since(*at).as_secs_f64());
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
	if !seen.reasons.is_empty() {
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
	println!(
		"transfers/s: {transfers_per_sec:.2} ({transferred} transfers in {transfer_secs:.1} s)"
	);
	println!("ratio jobs/s / transfers/s: {:.3}", jobs_per_sec / transfers_per_sec);
	println!(
		"escrow at the end: total held {}, open budgets {}, client holds {}",
		escrow.0, escrow.1, escrow.2
	);
	println!(
		"{}",
		serde_json::json!({
			"jobs": submitted.len(), "lost": lost, "outcomes": outcomes,
			"jobs_per_sec": jobs_per_sec, "jobs_secs": jobs_secs,
			"latency_p50": pct(&latencies, 50.0), "latency_p95": pct(&latencies, 95.0),
			"latency_p99": pct(&latencies, 99.0),
			"blocks": job_blocks.len(), "fullness_mean": mean_fullness, "fullness_max": max_fullness,
			"extrinsics_per_block": mean_extrinsics,
			"transfers": transferred, "transfers_per_sec": transfers_per_sec,
			"ratio": jobs_per_sec / transfers_per_sec,
			"escrow_total_held": escrow.0.to_string(), "escrow_open_budgets": escrow.1,
			"escrow_client_holds": escrow.2.to_string(),
		})
	);
	if !all_ended || lost > 0 || escrow != (0, 0, 0) {
		return Err(format!("{lost} jobs did not end or the escrow is not empty: {escrow:?}"));
	}
	Ok(())
}

/// Submits `count` jobs from `client` on its own connection, never more than the window open.
async fn submit_jobs(
	url: &str,
	client: &Key,
	count: usize,
	model: &str,
	max_tokens: u32,
	window: &Arc<Semaphore>,
	seen: &Arc<Mutex<Seen>>,
) -> Result<Vec<(u64, Instant)>, String> {
	let chain = Chain::connect(&Connect::new(url)).await.map_err(|e| e.to_string())?;
	let mut pending = Vec::new();
	for n in 0..count {
		let permit = window.clone().acquire_owned().await.map_err(|e| e.to_string())?;
		let call = runtime::transactions().jobs().submit_job(
			JobKind::TextInference,
			BoundedVec(model.as_bytes().to_vec()),
			BoundedVec(format!("load job {n}: say something").into_bytes()),
			InferenceParams { temperature_milli: 0, max_tokens, seed: Some(n as u64) },
			AIT / 1_000,
			None,
			None,
		);
		let at = Instant::now();
		let sent = chain.send(&call, client).await.map_err(|e| format!("submit: {e}"))?;
		let seen = seen.clone();
		// The permit is released once the job ends.
		pending.push(tokio::spawn(async move {
			let events = sent.in_block().await.map_err(|e| format!("submit: {e}"))?.events;
			let job_id = events
				.find_first::<runtime::jobs::events::JobSubmitted>()
				.and_then(Result::ok)
				.map(|e| e.job_id)
				.ok_or("no JobSubmitted event")?;
			wait_for(Duration::from_secs(600), || {
				seen.lock().map(|s| s.ended.contains_key(&job_id)).unwrap_or(false)
			})
			.await;
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

/// Follows best blocks: job ends and block fullness.
async fn follow(chain: Chain, seen: Arc<Mutex<Seen>>) -> Result<(), String> {
	let at = chain.api().at_current_block().await.map_err(|e| e.to_string())?;
	let max = at
		.constants()
		.entry(runtime::constants().system().block_weights())
		.map_err(|e| e.to_string())?
		.max_block
		.ref_time;
	let mut blocks = chain.api().stream_best_blocks().await.map_err(|e| e.to_string())?;
	while let Some(block) = blocks.next().await {
		let Ok(block) = block else { continue };
		let now = Instant::now();
		let Ok(at) = block.at().await else { continue };
		let Ok(events) = at.events().fetch().await else { continue };
		let mut ended = Vec::new();
		let mut transfers = 0;
		let mut failures = Vec::new();
		for event in events.iter().flatten() {
			if event.pallet_name() == "Balances" && event.event_name() == "Transfer" {
				let mut fields = event.field_bytes();
				let decoded: Result<([u8; 32], [u8; 32], u128), _> =
					aitbc_client::subxt::ext::codec::Decode::decode(&mut fields);
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
			if how == "failed" {
				let mut fields = event.field_bytes();
				let decoded: Result<(u64, u8), _> =
					aitbc_client::subxt::ext::codec::Decode::decode(&mut fields);
				let reason = match decoded {
					Ok((_, 0)) => "no miner available".to_string(),
					Ok((_, 1)) => "no assigned miner delivered".to_string(),
					Ok((_, 2)) => {
						let text: Result<Vec<u8>, _> =
							aitbc_client::subxt::ext::codec::Decode::decode(&mut fields);
						format!(
							"miner reported: {}",
							String::from_utf8_lossy(&text.unwrap_or_default())
						)
					}
					Ok((_, 3)) => "deadline queue congested".to_string(),
					_ => "unknown".to_string(),
				};
				failures.push(reason);
			}
			// Every job event starts with the job id.
			let mut fields = event.field_bytes();
			if let Ok(id) = <u64 as aitbc_client::subxt::ext::codec::Decode>::decode(&mut fields) {
				ended.push((id, how));
			}
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
		let extrinsics = at.extrinsics().fetch().await.map(|x| x.len()).unwrap_or(0);
		let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
		for (id, how) in ended {
			seen.ended.entry(id).or_insert((now, how));
		}
		seen.transfers.extend(std::iter::repeat_n(now, transfers));
		for reason in failures {
			*seen.reasons.entry(reason).or_default() += 1;
		}
		seen.blocks.push((block.number(), used as f64 / max.max(1) as f64, extrinsics));
	}
	Ok(())
}

/// (TotalHeld, open budgets, the sum of the clients' holds) at the best block.
async fn escrow_left(chain: &Chain, clients: &[Key]) -> Result<(u128, usize, u128), String> {
	let at = chain.api().at_current_block().await.map_err(|e| e.to_string())?;
	let total = at
		.storage()
		.fetch(runtime::storage().escrow().total_held(), ())
		.await
		.map_err(|e| e.to_string())?
		.decode()
		.map_err(|e| e.to_string())?;
	let mut budgets = 0;
	let mut iter = at
		.storage()
		.iter(runtime::storage().escrow().budgets(), ())
		.await
		.map_err(|e| e.to_string())?;
	while let Some(entry) = iter.next().await {
		entry.map_err(|e| e.to_string())?;
		budgets += 1;
	}
	let mut holds = 0u128;
	for client in clients {
		let held = at
			.storage()
			.try_fetch(runtime::storage().balances().holds(), (client.account(),))
			.await
			.map_err(|e| e.to_string())?;
		if let Some(held) = held {
			let held = held.decode().map_err(|e| e.to_string())?;
			holds += held.0.iter().map(|h| h.amount).sum::<u128>();
		}
	}
	Ok((total, budgets, holds))
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

fn pct(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
	sorted[rank.min(sorted.len() - 1)]
}
