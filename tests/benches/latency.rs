//! Latency benchmark (not part of the tests): `scripts/bench-latency` starts a dev node, the
//! test backend at a fixed latency and one miner, then runs this against them.
//!
//! Jobs one at a time, each after a uniformly random pause of 0..block time (so that
//! submissions fall at every phase of the slot, not just after a block), timed by the client:
//!
//! - **from submit**: from just before signing to the moment the client has read the block that
//!   ends the job (best-block notification, then its events);
//! - **from inclusion**: from the moment the client learns the job's block (the best-block
//!   notification of the block that includes the submission) to the same end.
//!
//! Prints p50/p95 of both, in seconds and in blocks (`Jobs.MillisPerBlock`), raw and minus the
//! backend's own latency (`--backend-ms`), and one JSON line. Fails unless every job completed.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use aitbc_client::{
	keys::Key,
	runtime::{
		self,
		runtime_types::{
			aitbc_primitives::market::JobKind, bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::types::InferenceParams,
		},
	},
	subxt::ext::codec::Decode,
	subxt::utils::H256,
	units::AIT,
	Chain, Connect,
};
use serde_json::json;

struct Args {
	url: String,
	jobs: usize,
	backend_ms: f64,
	account: String,
	model: String,
	max_tokens: u32,
}

fn args() -> Result<Args, String> {
	let mut args = Args {
		url: "ws://127.0.0.1:9944".into(),
		jobs: 30,
		backend_ms: 0.0,
		account: "//Alice".into(),
		model: "bench-model".into(),
		max_tokens: 16,
	};
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		if flag == "--bench" {
			continue;
		}
		let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
		let bad = |_| format!("{flag}: `{value}` is not a number");
		match flag.as_str() {
			"--url" => args.url = value.clone(),
			"--jobs" => args.jobs = value.parse().map_err(bad)?,
			"--backend-ms" => {
				args.backend_ms = value.parse().map_err(|_| format!("{flag}: `{value}`"))?
			}
			"--account" => args.account = value.clone(),
			"--model" => args.model = value.clone(),
			"--max-tokens" => args.max_tokens = value.parse().map_err(bad)?,
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn err(e: impl std::fmt::Display) -> String {
	e.to_string()
}

/// What the client's block follower saw.
#[derive(Default)]
struct Seen {
	/// Block hash → when its best-block notification came.
	notified: HashMap<H256, Instant>,
	/// Job id → when the block ending it had been read, and how it ended.
	ended: HashMap<u64, (Instant, &'static str)>,
	error: Option<String>,
}

/// xorshift64*: a uniform pause is all it is for.
struct Rng(u64);

impl Rng {
	fn from_time() -> Rng {
		let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
		Rng(nanos | 1)
	}

	/// Uniform in [0, 1).
	fn next_f64(&mut self) -> f64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		(self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
	}
}

async fn run() -> Result<(), String> {
	let args = args()?;
	let chain = Chain::connect(&Connect::new(args.url.clone())).await.map_err(err)?;
	let key = Key::from_uri(&args.account).map_err(err)?;
	let block_time = chain.constants().block_time;
	let seen = Arc::new(Mutex::new(Seen::default()));
	let follower = tokio::spawn(follow(chain.clone(), seen.clone()));
	let mut rng = Rng::from_time();
	let backend = args.backend_ms / 1000.0;
	eprintln!(
		"{} jobs one at a time, each after a random pause of 0..{:?}; block time {:?}, backend \
		 latency {:.0} ms",
		args.jobs, block_time, block_time, args.backend_ms
	);
	// Per job: (from submit, from inclusion), seconds.
	let mut times: Vec<(f64, f64)> = Vec::new();
	let mut outcomes: HashMap<&'static str, usize> = HashMap::new();
	for n in 0..args.jobs {
		tokio::time::sleep(block_time.mul_f64(rng.next_f64())).await;
		let call = runtime::transactions().jobs().submit_job(
			JobKind::TextInference,
			BoundedVec(args.model.as_bytes().to_vec()),
			BoundedVec(format!("latency job {n}: hello there").into_bytes()),
			InferenceParams {
				temperature_milli: 0,
				max_tokens: args.max_tokens,
				seed: Some(n as u64),
			},
			AIT / 1_000,
			None,
			None,
		);
		let start = Instant::now();
		let submitted =
			chain.send(&call, &key).await.map_err(err)?.in_block().await.map_err(err)?;
		let job_id = submitted
			.events
			.iter()
			.flatten()
			.find(|e| e.pallet_name() == "Jobs" && e.event_name() == "JobSubmitted")
			.and_then(|e| u64::decode(&mut e.field_bytes()).ok())
			.ok_or("no JobSubmitted event")?;
		let until = Instant::now() + Duration::from_secs(120);
		let (included, (ended, how)) = loop {
			{
				let s = lock(&seen);
				if let Some(e) = &s.error {
					return Err(format!("block follower: {e}"));
				}
				if let (Some(inc), Some(end)) =
					(s.notified.get(&submitted.block_hash), s.ended.get(&job_id))
				{
					break (*inc, *end);
				}
			}
			if Instant::now() > until {
				return Err(format!("job {job_id} did not end within 120 s"));
			}
			tokio::time::sleep(Duration::from_millis(5)).await;
		};
		*outcomes.entry(how).or_default() += 1;
		let from_submit = ended.duration_since(start).as_secs_f64();
		let from_inclusion = ended.saturating_duration_since(included).as_secs_f64();
		eprintln!(
			"job {job_id}: {how}, {from_submit:.3} s from submit, {from_inclusion:.3} s from \
			 inclusion"
		);
		if how == "completed" {
			times.push((from_submit, from_inclusion));
		}
		// Keep the follower's maps small.
		let mut s = lock(&seen);
		s.notified.clear();
		s.ended.clear();
	}
	follower.abort();

	let block = block_time.as_secs_f64();
	let sorted = |f: &dyn Fn(&(f64, f64)) -> f64| {
		let mut v: Vec<f64> = times.iter().map(f).collect();
		v.sort_by(f64::total_cmp);
		v
	};
	let submit = sorted(&|t| t.0);
	let inclusion = sorted(&|t| t.1);
	println!(
		"jobs: {}, outcomes {outcomes:?}; block time {block:.3} s, backend latency {:.0} ms",
		args.jobs, args.backend_ms
	);
	let mut figures = json!({
		"jobs": args.jobs, "outcomes": outcomes, "block_time_s": block,
		"backend_ms": args.backend_ms,
	});
	for (name, key, v) in [
		("submit -> result    ", "from_submit", &submit),
		("inclusion -> result ", "from_inclusion", &inclusion),
	] {
		let (p50, p95) = (pct(v, 50.0), pct(v, 95.0));
		let (o50, o95) = (p50 - backend, p95 - backend);
		println!(
			"{name} p50 {p50:.3} s = {:.2} blocks, p95 {p95:.3} s = {:.2} blocks; minus the \
			 backend: p50 {o50:.3} s = {:.2} blocks, p95 {o95:.3} s = {:.2} blocks",
			p50 / block,
			p95 / block,
			o50 / block,
			o95 / block
		);
		figures[key] = json!({
			"p50_s": p50, "p95_s": p95, "p50_blocks": p50 / block, "p95_blocks": p95 / block,
			"overhead_p50_s": o50, "overhead_p95_s": o95,
			"overhead_p50_blocks": o50 / block, "overhead_p95_blocks": o95 / block,
		});
	}
	println!("{figures}");
	if times.len() < args.jobs {
		return Err(format!("{} of {} jobs completed", times.len(), args.jobs));
	}
	Ok(())
}

/// Follows best blocks: when each was notified, and when the block ending each job was read.
async fn follow(chain: Chain, seen: Arc<Mutex<Seen>>) {
	if let Err(e) = follow_inner(&chain, &seen).await {
		lock(&seen).error = Some(e);
	}
}

async fn follow_inner(chain: &Chain, seen: &Arc<Mutex<Seen>>) -> Result<(), String> {
	let mut blocks = chain.api().stream_best_blocks().await.map_err(err)?;
	while let Some(block) = blocks.next().await {
		let block = block.map_err(err)?;
		lock(seen).notified.insert(block.hash(), Instant::now());
		let at = block.at().await.map_err(err)?;
		let events = at.events().fetch().await.map_err(err)?;
		let mut ended = Vec::new();
		for event in events.iter().flatten() {
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
			if let Ok(id) = u64::decode(&mut event.field_bytes()) {
				ended.push((id, how));
			}
		}
		let now = Instant::now();
		let mut s = lock(seen);
		for (id, how) in ended {
			s.ended.entry(id).or_insert((now, how));
		}
	}
	Err("the best-block subscription ended".into())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
	sorted[rank.min(sorted.len() - 1)]
}
