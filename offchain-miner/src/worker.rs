//! The daemon's loops: one session per node connection, one task per job.

use std::{
	collections::{HashSet, VecDeque},
	future::Future,
	pin::Pin,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use aitbc_client::{json::JobJson, keys::Key, runtime, units::format_ait, Chain, Connect, Error};
use aitbc_primitives::JobId;
use tokio::sync::{watch, Semaphore};

use crate::{
	backend::{Backend, BackendError, Generation, Request},
	gpu::Gpu,
	market,
	metrics::Metrics,
	settings::Settings,
	RunError,
};

/// Blocks kept between the moment a result is submitted and its deadline.
const DEADLINE_MARGIN_BLOCKS: u64 = 2;
/// How often the backend's health is checked.
const HEALTH_EVERY: Duration = Duration::from_secs(10);
/// How often the chain is read for held jobs (catches anything the events missed).
const SCAN_EVERY: Duration = Duration::from_secs(30);
/// Finished job ids remembered so that a job is never run twice.
const REMEMBER_FINISHED: usize = 4_096;

/// A backend call running in its own task, with its duration.
type GenerationTask = tokio::task::JoinHandle<(Result<Generation, BackendError>, Duration)>;
/// Which came first: the acknowledgement in a block or the backend's answer.
enum First {
	Acknowledged(Result<(), Error>),
	Generated(Result<Generation, BackendError>),
}

/// An acknowledgement on its way to a block.
type AckInBlock = Pin<Box<dyn Future<Output = Result<aitbc_client::Submitted, Error>> + Send>>;

/// How a job ended for this miner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
	Completed,
	Failed,
	Lost,
}

impl Outcome {
	fn label(self) -> &'static str {
		match self {
			Outcome::Completed => "completed",
			Outcome::Failed => "failed",
			Outcome::Lost => "lost",
		}
	}
}

struct Miner {
	key: Key,
	backend: Backend,
	models: HashSet<String>,
	metrics: Metrics,
	block_time: Duration,
	link: watch::Sender<Option<Chain>>,
	slots: Arc<Semaphore>,
	in_flight: Mutex<HashSet<JobId>>,
	finished: Mutex<VecDeque<JobId>>,
	backend_up: AtomicBool,
	accepting: AtomicBool,
	gpu: Gpu,
	/// The chain's genesis hash, which receipt signatures bind.
	genesis_hash: [u8; 32],
}

/// Runs the miner until `shutdown` resolves; then finishes in-flight jobs within the grace
/// period.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
	let metrics = Metrics::new();
	if let Some(addr) = settings.metrics {
		let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
			RunError::Chain(format!(
				"cannot serve metrics on {addr}: {e} (set --metrics to another address or `off`)"
			))
		})?;
		drop(listener);
		tokio::spawn(metrics.clone().serve(addr));
	}
	let models = check_backend(&settings).await?;
	metrics.backend_up.set(1);
	tracing::info!(backend = settings.backend.url(), models = ?models, "backend ready");
	let gpu = Gpu::detect();
	if let Some(facts) = gpu.facts() {
		tracing::info!(gpu = %facts.name, vram_mib = facts.vram_mib, count = facts.count, "GPU found");
	}

	let connect = Connect::forever(settings.node_url.clone());
	let mut chain = Chain::connect(&connect).await.map_err(|e| RunError::Chain(e.to_string()))?;
	let record =
		market::me(&chain, &settings.key).await.map_err(|e| RunError::Chain(e.to_string()))?;
	let Some(record) = record else {
		let min_stake = chain
			.parameters()
			.await
			.map(|p| format_ait(aitbc_client::units::parse_balance(&p.min_stake)))
			.unwrap_or_else(|_| "the minimum stake".into());
		let mut models: Vec<_> = models.iter().cloned().collect();
		models.sort();
		return Err(RunError::NotRegistered(format!(
			"operator {address} has no miner on chain; its owner registers it with: aitbc --account OWNER miner register --operator-key <this miner's key (URI or key file)> --models {models} --price {price} --capacity {capacity} --stake '{min_stake}'",
			address = settings.key.address(),
			models = models.join(","),
			price = format_ait(settings.unit_price).trim_end_matches(" AIT"),
			capacity = settings.capacity,
		)));
	};
	for model in &record.models {
		if !models.contains(model) {
			tracing::warn!(%model, "the on-chain offer lists a model this backend does not serve; its jobs will be failed with a reason");
		}
	}
	tracing::info!(operator = %settings.key.address(), owner = %record.owner, status = %record.status, capacity = record.capacity, "registered miner");

	let (link, _) = watch::channel(Some(chain.clone()));
	let miner = Arc::new(Miner {
		key: settings.key.clone(),
		backend: settings.backend.clone(),
		models,
		metrics,
		block_time: settings.block_time,
		link,
		slots: Arc::new(Semaphore::new(settings.capacity.max(record.capacity) as usize)),
		in_flight: Mutex::default(),
		finished: Mutex::default(),
		backend_up: AtomicBool::new(true),
		accepting: AtomicBool::new(true),
		gpu,
		genesis_hash: chain.genesis_hash(),
	});

	tokio::pin!(shutdown);
	loop {
		let ended = tokio::select! {
			_ = &mut shutdown => break,
			ended = miner.clone().session(chain.clone(), settings.heartbeat) => ended,
		};
		miner.metrics.chain_connected.set(0);
		miner.link.send_replace(None);
		tracing::warn!(reason = %ended, url = %settings.node_url, "lost the node; reconnecting");
		chain = tokio::select! {
			_ = &mut shutdown => break,
			chain = Chain::connect(&connect) => chain.map_err(|e| RunError::Chain(e.to_string()))?,
		};
		tracing::info!(url = %settings.node_url, "reconnected to the node");
		miner.link.send_replace(Some(chain.clone()));
	}

	miner.accepting.store(false, Ordering::SeqCst);
	let left = miner.in_flight_count();
	tracing::info!(
		in_flight = left,
		grace_secs = settings.grace.as_secs(),
		"shutting down: no new jobs"
	);
	let deadline = Instant::now() + settings.grace;
	while miner.in_flight_count() > 0 && Instant::now() < deadline {
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	let left = miner.in_flight_count();
	if left > 0 {
		tracing::warn!(in_flight = left, "grace period over; unfinished jobs are picked up on the next start or fail at their deadline");
	} else {
		tracing::info!("all jobs finished; bye");
	}
	Ok(())
}

/// The models to serve: those asked for, each checked against the backend's list.
async fn check_backend(settings: &Settings) -> Result<HashSet<String>, RunError> {
	let available = settings.backend.models().await.map_err(|e| {
		RunError::Backend(format!(
			"{e} at {}; start the inference server or set --backend-url",
			settings.backend.url()
		))
	})?;
	if settings.models.is_empty() {
		if available.is_empty() {
			return Err(RunError::Backend(format!(
				"the backend at {} lists no models; pull or load one first",
				settings.backend.url()
			)));
		}
		return Ok(available.into_iter().collect());
	}
	for model in &settings.models {
		if !available.contains(model) {
			return Err(RunError::Backend(format!(
				"model `{model}` is not on the backend at {} (it has: {})",
				settings.backend.url(),
				available.join(", ")
			)));
		}
	}
	Ok(settings.models.iter().cloned().collect())
}

impl Miner {
	fn in_flight_count(&self) -> usize {
		self.in_flight.lock().map(|s| s.len()).unwrap_or(0)
	}

	/// One connection's life: recover held jobs, then follow best blocks. Returns why it ended.
	async fn session(self: Arc<Self>, chain: Chain, heartbeat: Option<Duration>) -> String {
		match self.clone().session_inner(&chain, heartbeat).await {
			Ok(()) => "the block stream ended".into(),
			Err(e) => e.to_string(),
		}
	}

	async fn session_inner(
		self: Arc<Self>,
		chain: &Chain,
		heartbeat: Option<Duration>,
	) -> Result<(), Error> {
		self.metrics.chain_connected.set(1);
		self.scan(chain).await?;
		let params = chain.parameters().await?;
		let heartbeat_every = heartbeat.unwrap_or_else(|| {
			(self.block_time * params.heartbeat_timeout / 3).max(Duration::from_secs(6))
		});
		if let Some(me) = market::me(chain, &self.key).await? {
			if me.status != "active" && self.backend_up.load(Ordering::SeqCst) {
				self.tx("go_online", market::go_online(chain, &self.key).await);
			}
		}
		let me = self.key.account();
		let mut blocks =
			chain.api().stream_best_blocks().await.map_err(|e| Error::Rpc(e.to_string()))?;
		let mut last_heartbeat: Option<Instant> = None;
		let mut last_health = Instant::now();
		let mut last_scan = Instant::now();
		while let Some(block) = blocks.next().await {
			let block = block.map_err(|e| Error::Rpc(e.to_string()))?;
			let at = block.at().await.map_err(|e| Error::Rpc(e.to_string()))?;
			let events = at.events().fetch().await.map_err(|e| Error::Rpc(e.to_string()))?;
			for assigned in events.find::<runtime::jobs::events::JobAssigned>() {
				let assigned = assigned.map_err(|e| Error::Rpc(e.to_string()))?;
				if assigned.operator == me {
					tracing::info!(
						job_id = assigned.job_id,
						block = block.number(),
						"job assigned"
					);
					self.dispatch(assigned.job_id);
				}
			}
			if last_heartbeat.is_none_or(|t| t.elapsed() >= heartbeat_every) {
				last_heartbeat = Some(Instant::now());
				let this = self.clone();
				let chain = chain.clone();
				tokio::spawn(async move {
					let result = market::heartbeat(&chain, &this.key).await;
					this.tx("heartbeat", result);
				});
			}
			if last_health.elapsed() >= HEALTH_EVERY {
				last_health = Instant::now();
				tokio::spawn(self.clone().check_health(chain.clone()));
			}
			if last_scan.elapsed() >= SCAN_EVERY {
				last_scan = Instant::now();
				self.scan(chain).await?;
			}
		}
		Ok(())
	}

	/// Picks up every job the chain says this operator holds.
	async fn scan(self: &Arc<Self>, chain: &Chain) -> Result<(), Error> {
		for job in market::held_jobs(chain, &self.key).await? {
			self.dispatch(job.id);
		}
		Ok(())
	}

	/// Backend up/down → online/offline on chain; GPU utilisation.
	async fn check_health(self: Arc<Self>, chain: Chain) {
		if let Some(percent) = self.gpu.utilization() {
			self.metrics.gpu_utilization.set(f64::from(percent));
		}
		let up = self.backend.models().await.is_ok();
		self.metrics.backend_up.set(i64::from(up));
		let was = self.backend_up.swap(up, Ordering::SeqCst);
		if was && !up {
			tracing::warn!(backend = self.backend.url(), "backend down: going offline on chain");
			self.tx("go_offline", market::go_offline(&chain, &self.key).await);
		} else if !was && up {
			tracing::info!(backend = self.backend.url(), "backend back: going online on chain");
			self.tx("go_online", market::go_online(&chain, &self.key).await);
		}
	}

	fn tx(&self, call: &str, result: Result<(), Error>) {
		let outcome = if result.is_ok() { "ok" } else { "error" };
		self.metrics.transactions.with_label_values(&[call, outcome]).inc();
		if let Err(e) = result {
			tracing::warn!(call, error = %e, "transaction failed");
		}
	}

	/// Starts `job_id` unless it is running, finished, or the miner is shutting down.
	fn dispatch(self: &Arc<Self>, job_id: JobId) {
		if !self.accepting.load(Ordering::SeqCst) {
			return;
		}
		if self.finished.lock().map(|f| f.contains(&job_id)).unwrap_or(false) {
			return;
		}
		if !self.in_flight.lock().map(|mut s| s.insert(job_id)).unwrap_or(false) {
			return;
		}
		self.metrics.in_flight.inc();
		let this = self.clone();
		tokio::spawn(async move {
			let permit = this.slots.clone().acquire_owned().await;
			let started = Instant::now();
			let outcome = this.run_job(job_id).await;
			drop(permit);
			this.metrics.jobs.with_label_values(&[outcome.label()]).inc();
			if outcome == Outcome::Completed {
				this.metrics.job_seconds.observe(started.elapsed().as_secs_f64());
			}
			// A lost job (connection gone, outcome unknown) stays eligible: the next scan or
			// assignment event picks it up again if it is still ours.
			if outcome != Outcome::Lost {
				if let Ok(mut finished) = this.finished.lock() {
					finished.push_back(job_id);
					if finished.len() > REMEMBER_FINISHED {
						finished.pop_front();
					}
				}
			}
			if let Ok(mut set) = this.in_flight.lock() {
				set.remove(&job_id);
			}
			this.metrics.in_flight.dec();
			tracing::info!(
				job_id,
				outcome = outcome.label(),
				secs = started.elapsed().as_secs_f64(),
				"job done"
			);
		});
	}

	/// The current connection, waiting for a reconnect if there is none.
	async fn chain(&self) -> Chain {
		let mut link = self.link.subscribe();
		loop {
			if let Some(chain) = link.borrow_and_update().clone() {
				return chain;
			}
			if link.changed().await.is_err() {
				// The sender lives as long as the miner; keep waiting politely.
				tokio::time::sleep(Duration::from_secs(1)).await;
			}
		}
	}

	/// Runs `op` on the current connection, retrying across reconnects for up to a minute.
	async fn on_chain<T, F, Fut>(&self, op: F) -> Result<T, Error>
	where
		F: Fn(Chain) -> Fut,
		Fut: Future<Output = Result<T, Error>>,
	{
		let mut tries = 0;
		loop {
			let chain = self.chain().await;
			match op(chain).await {
				Err(e) if e.is_disconnected() && tries < 30 => {
					tries += 1;
					tokio::time::sleep(Duration::from_secs(2)).await;
				}
				other => return other,
			}
		}
	}

	async fn read_job(&self, job_id: JobId) -> Result<Option<JobJson>, Error> {
		self.on_chain(|c| async move { c.job(job_id).await }).await
	}

	async fn fail(&self, job_id: JobId, reason: &str) -> Outcome {
		tracing::warn!(job_id, %reason, "reporting job failure");
		let key = self.key.clone();
		let result = self
			.on_chain(|c| {
				let key = key.clone();
				async move { market::report_failure(&c, &key, job_id, reason).await }
			})
			.await;
		let failed = result.is_ok();
		self.tx("report_failure", result);
		if failed {
			Outcome::Failed
		} else {
			Outcome::Lost
		}
	}

	async fn run_job(&self, job_id: JobId) -> Outcome {
		let job = match self.read_job(job_id).await {
			Ok(Some(job)) => job,
			Ok(None) => return Outcome::Lost,
			Err(e) => {
				tracing::warn!(job_id, error = %e, "cannot read the job");
				return Outcome::Lost;
			}
		};
		if !market::is_mine(&job, &self.key)
			|| !matches!(job.status.as_str(), "assigned" | "running")
		{
			return Outcome::Lost;
		}
		if !self.models.contains(&job.model) {
			return self
				.fail(
					job_id,
					&format!("model `{}` is not served by this miner's backend", job.model),
				)
				.await;
		}
		let request = Request {
			model: job.model.clone(),
			prompt: job.prompt.clone(),
			temperature: job.temperature,
			max_tokens: job.max_tokens,
			seed: job.seed,
		};
		let backend = self.backend.clone();
		let mut generation = tokio::spawn(async move {
			let started = Instant::now();
			let result = backend.generate(&request).await;
			(result, started.elapsed())
		});
		if job.status == "running" {
			return self.run_acknowledged(job_id, generation).await;
		}
		// Acknowledge without waiting for the block: a fast backend's result then goes into the
		// pool right behind the acknowledgement and both usually land in the same block.
		let key = self.key.clone();
		let ack = self
			.on_chain(|c| {
				let key = key.clone();
				async move { market::send_acknowledge(&c, &key, job_id).await }
			})
			.await;
		let mut ack: AckInBlock = match ack {
			Ok(pending) => Box::pin(pending.in_block()),
			Err(e) => {
				self.tx("acknowledge", Err(e));
				generation.abort();
				return Outcome::Lost;
			}
		};
		let first = tokio::select! {
			acked = ack.as_mut() => First::Acknowledged(acked.map(|_| ())),
			done = &mut generation => First::Generated(self.generated(done)),
		};
		match first {
			First::Acknowledged(acked) => {
				let ok = acked.is_ok();
				self.tx("acknowledge", acked);
				if !ok {
					generation.abort();
					return Outcome::Lost;
				}
				self.run_acknowledged(job_id, generation).await
			}
			First::Generated(generated) => self.finish(&job, generated, Some(ack)).await,
		}
	}

	/// The generation's result as the backend's, recording its latency.
	fn generated(
		&self,
		done: Result<(Result<Generation, BackendError>, Duration), tokio::task::JoinError>,
	) -> Result<Generation, BackendError> {
		match done {
			Err(join) => Err(BackendError::Malformed(format!("backend task failed: {join}"))),
			Ok((result, took)) => {
				self.metrics.backend_seconds.observe(took.as_secs_f64());
				result
			}
		}
	}

	/// Waits for a generation of an acknowledged job, bounded by the result deadline.
	async fn run_acknowledged(&self, job_id: JobId, mut generation: GenerationTask) -> Outcome {
		// The result deadline is set by the acknowledgement.
		let job = match self.read_job(job_id).await {
			Ok(Some(job)) if market::is_mine(&job, &self.key) && job.status == "running" => job,
			_ => {
				generation.abort();
				return Outcome::Lost;
			}
		};
		let best = self.on_chain(|c| async move { c.best_number().await }).await.unwrap_or(0);
		let deadline = u64::from(job.deadline.unwrap_or(0));
		let blocks_left = deadline.saturating_sub(best).saturating_sub(DEADLINE_MARGIN_BLOCKS);
		let budget = self.block_time * u32::try_from(blocks_left).unwrap_or(u32::MAX);
		let generated = match tokio::time::timeout(budget, &mut generation).await {
			Err(_) => {
				generation.abort();
				Err(BackendError::Timeout(budget))
			}
			Ok(done) => self.generated(done),
		};
		self.finish(&job, generated, None).await
	}

	/// Submits the result of `job` (or its failure), after the acknowledgement `ack` if that is
	/// still on its way to a block.
	async fn finish(
		&self,
		job: &JobJson,
		generated: Result<Generation, BackendError>,
		ack: Option<AckInBlock>,
	) -> Outcome {
		let job_id = job.id;
		let generation = match generated {
			Ok(generation) => generation,
			Err(e) => {
				if let Some(ack) = ack {
					let acked = ack.await.map(|_| ());
					let ok = acked.is_ok();
					self.tx("acknowledge", acked);
					if !ok {
						return Outcome::Lost;
					}
				}
				let reason = match e {
					BackendError::Timeout(budget) => format!(
						"backend did not answer within {}s, before the result deadline",
						budget.as_secs()
					),
					e => e.reason(),
				};
				return self.fail(job_id, &reason).await;
			}
		};
		self.metrics
			.tokens
			.with_label_values(&["prompt"])
			.inc_by(u64::from(generation.prompt_tokens));
		self.metrics
			.tokens
			.with_label_values(&["output"])
			.inc_by(u64::from(generation.output_tokens));
		let (output, usage, signature) =
			match market::sign_result(&self.key, self.genesis_hash, job, &generation) {
				Ok(signed) => signed,
				Err(e) => return self.fail(job_id, &format!("cannot sign the result: {e}")).await,
			};
		let key = self.key.clone();
		let sent = self
			.on_chain(|c| {
				let (key, output) = (key.clone(), output.clone());
				async move { market::send_result(&c, &key, job_id, output, usage, signature).await }
			})
			.await;
		if let Some(ack) = ack {
			let acked = ack.await.map(|_| ());
			self.tx("acknowledge", acked);
		}
		let submitted = match sent {
			Ok(pending) => pending.in_block().await.map(|_| ()),
			Err(e) => Err(e),
		};
		match submitted {
			Ok(()) => {
				self.tx("submit_result", Ok(()));
				Outcome::Completed
			}
			Err(Error::Rejected(why)) => {
				self.tx("submit_result", Err(Error::Rejected(why.clone())));
				// Still ours? Give it back rather than let it run into its deadline.
				match self.read_job(job_id).await {
					Ok(Some(job)) if market::is_mine(&job, &self.key) => {
						self.fail(job_id, &format!("result refused by the chain: {why}")).await
					}
					_ => Outcome::Lost,
				}
			}
			Err(e) => {
				self.tx("submit_result", Err(e));
				Outcome::Lost
			}
		}
	}
}
