//! The daemon: start-up (metrics, stream server, backend, GPU, connection, registration check,
//! the stream URL advertised on chain), the reconnect loop around sessions, and the graceful
//! shutdown. Also the state every session and job task shares ([`Miner`]), with the one
//! [`Sender`] all the operator's transactions go through.

use std::{
	collections::{HashSet, VecDeque},
	future::Future,
	sync::{
		atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use aitbc_client::{
	json::MinerJson, keys::Key, units::format_ait, Chain, Confirmation, Connect, Error, Inclusion,
	Sender,
};
use aitbc_primitives::JobId;
use tokio::sync::{mpsc, watch, Notify, Semaphore};

use crate::{
	backend::Backend,
	error::SessionError,
	gpu::Gpu,
	market,
	market::Call,
	metrics::Metrics,
	settings::{stream_url_is_loopback, stream_url_problem, Settings},
	stream_server::{self, StreamServer},
	streams::Streams,
	submitter::Work,
	RunError,
};

/// What every session and job task shares.
pub(crate) struct Miner {
	pub(crate) key: Key,
	pub(crate) backend: Backend,
	pub(crate) models: HashSet<String>,
	pub(crate) metrics: Metrics,
	/// The chain's block time (`Jobs.MillisPerBlock`), to turn deadlines into time.
	pub(crate) block_time: Duration,
	/// The longest output the chain stores, bytes (`Jobs.MaxOutputLen`).
	pub(crate) max_output_len: usize,
	/// The longest failure reason, bytes (`Jobs.MaxReasonLen`).
	pub(crate) max_reason_len: usize,
	/// The most jobs in one batched call (`Jobs.MaxBatch`).
	pub(crate) max_batch: usize,
	/// Signs and sends every transaction of the operator; the sessions' block loop resolves
	/// their outcomes.
	pub(crate) sender: Sender,
	/// The newest best block number the session saw.
	pub(crate) best: AtomicU64,
	/// The newest best block number the session saw and when it arrived: deadlines in time
	/// count from there.
	pub(crate) best_seen: Mutex<Option<(u64, Instant)>>,
	/// Told at each new best block (the submitter checks its results' deadlines).
	pub(crate) new_block: Notify,
	/// Jobs running whose outcome is not handed over yet.
	pub(crate) generating: AtomicUsize,
	/// Told when a job's outcome is handed over (the submitter may send its batch).
	pub(crate) settled: Notify,
	/// To the submitter task.
	pub(crate) work: mpsc::UnboundedSender<Work>,
	/// The connection, `None` while the node is away.
	link: watch::Sender<Option<Chain>>,
	pub(crate) slots: Arc<Semaphore>,
	pub(crate) in_flight: Mutex<HashSet<JobId>>,
	pub(crate) finished: Mutex<VecDeque<JobId>>,
	pub(crate) backend_up: AtomicBool,
	/// Held while the on-chain status follows the backend (going online or offline), so that a
	/// heartbeat's `go_online` and a health check's `go_offline` never cross.
	pub(crate) status_change: tokio::sync::Mutex<()>,
	pub(crate) accepting: AtomicBool,
	pub(crate) gpu: Gpu,
	/// The chain's genesis hash, which receipt signatures bind.
	pub(crate) genesis_hash: [u8; 32],
	/// Each job's live token stream, which the stream server serves.
	pub(crate) streams: Arc<Streams>,
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
		tokio::spawn(metrics.clone().serve(listener));
	}
	let stream_listener = match settings.stream_addr {
		Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.map_err(|e| {
			RunError::Chain(format!(
				"cannot serve job streams on {addr}: {e} (set --stream-addr to another address or `off`)"
			))
		})?),
		None => None,
	};
	let models = check_backend(&settings).await?;
	metrics.backend_up.set(1);
	tracing::info!(backend = settings.backend.url(), models = ?models, "backend ready");
	let gpu = Gpu::detect();
	if let Some(facts) = gpu.facts() {
		tracing::info!(gpu = %facts.name, vram_mib = facts.vram_mib, count = facts.count, "GPU found");
	}

	let connect = Connect::any(settings.node_urls.clone())
		.map_err(|e| RunError::Chain(e.to_string()))?
		.retry_forever();
	let chain = Chain::connect(&connect).await.map_err(|e| RunError::Chain(e.to_string()))?;
	tracing::info!(url = chain.url(), "connected to the node");
	// Failing over, a node of another chain is skipped.
	let connect = connect.expect_genesis(chain.genesis_hash());
	let block_time = chain.constants().block_time;
	if let Some(block_ms) = settings.deprecated_block_ms {
		tracing::warn!(
			block_ms,
			chain_block_ms = block_time.as_millis() as u64,
			"block_ms (--block-ms, AITBC_MINER_BLOCK_MS) is deprecated and ignored: the block time is read from the chain"
		);
	}
	let record = registration(&chain, &settings, &models).await?;
	tracing::info!(operator = %chain.address(&settings.key.account()), owner = %record.owner, status = %record.status, capacity = record.capacity, "registered miner");

	let streams = Arc::new(Streams::default());
	let stream_url = match stream_listener {
		Some(listener) => {
			Some(serve_streams(listener, &settings, streams.clone(), &chain, block_time)?)
		}
		None => None,
	};

	let (link, _) = watch::channel(Some(chain.clone()));
	let (work, submitter) = mpsc::unbounded_channel();
	let constants = *chain.constants();
	let miner = Arc::new(Miner {
		key: settings.key.clone(),
		backend: settings.backend.clone(),
		models,
		metrics,
		block_time,
		max_output_len: constants.max_output_len as usize,
		max_reason_len: constants.max_reason_len as usize,
		max_batch: constants.max_batch.max(1) as usize,
		sender: Sender::new(settings.key.clone()),
		best: AtomicU64::new(0),
		best_seen: Mutex::new(None),
		new_block: Notify::new(),
		generating: AtomicUsize::new(0),
		settled: Notify::new(),
		work,
		link,
		slots: Arc::new(Semaphore::new(settings.capacity.max(record.capacity) as usize)),
		in_flight: Mutex::default(),
		finished: Mutex::default(),
		backend_up: AtomicBool::new(true),
		status_change: tokio::sync::Mutex::new(()),
		accepting: AtomicBool::new(true),
		gpu,
		genesis_hash: chain.genesis_hash(),
		streams,
	});

	tokio::spawn(miner.clone().submit_loop(submitter));
	// Sessions go on during the grace period: they resolve the jobs' transactions.
	let mut sessions =
		tokio::spawn(miner.clone().sessions(chain.clone(), connect, settings.clone()));
	// Its outcome comes from the sessions' block loop.
	tokio::spawn(miner.clone().advertise(chain, stream_url));
	tokio::select! {
		_ = shutdown => {}
		ended = &mut sessions => {
			return match ended {
				Ok(result) => result,
				Err(e) => Err(RunError::Chain(format!("the session task ended: {e}"))),
			};
		}
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
	sessions.abort();
	Ok(())
}

/// Serves the jobs' streams on `listener` and returns the URL to advertise: the stream_url
/// setting, or `http://` and the bound address.
fn serve_streams(
	listener: tokio::net::TcpListener,
	settings: &Settings,
	streams: Arc<Streams>,
	chain: &Chain,
	block_time: Duration,
) -> Result<String, RunError> {
	let addr = listener
		.local_addr()
		.map_err(|e| RunError::Chain(format!("cannot read the stream server's address: {e}")))?;
	let url = settings.stream_url.clone().unwrap_or_else(|| format!("http://{addr}"));
	if let Some(problem) = stream_url_problem(&url) {
		return Err(RunError::Chain(format!("{problem}; set --stream-url")));
	}
	if addr.ip().is_unspecified() && settings.stream_url.is_none() {
		tracing::warn!(%url, "the stream server listens on every interface but advertises an unspecified address; set --stream-url to the address clients reach");
	}
	if stream_url_is_loopback(&url) {
		tracing::warn!(%url, "the advertised stream URL is a loopback address: only readers on this machine can reach it; set --stream-url (and a fixed --stream-addr port) for remote gateways");
	}
	// A reader may come the moment the assignment is in a block, before the miner has seen it.
	let server = StreamServer::new(streams, chain.genesis_hash(), block_time * 2);
	tokio::spawn(stream_server::serve(listener, server));
	tracing::info!("stream server on {addr} advertised as {url}");
	Ok(url)
}

impl Miner {
	/// Sets the miner's stream endpoint on chain to `url` (`None`: removes it) unless it is
	/// already that; a failure is logged and the miner goes on without it.
	async fn advertise(self: Arc<Self>, chain: Chain, url: Option<String>) {
		let operator = self.key.account();
		let current = match chain.miner_endpoint(&operator).await {
			Ok(current) => current,
			Err(e) if url.is_some() => {
				tracing::warn!(error = %e, "cannot read the stream endpoint on chain; setting it anyway");
				None
			}
			Err(e) => {
				tracing::warn!(error = %e, "cannot read the stream endpoint on chain; leaving it as it is");
				return;
			}
		};
		if current == url {
			if let Some(url) = &url {
				tracing::info!(%url, "stream endpoint already on chain");
			}
			return;
		}
		match self.transact("set_endpoint", market::set_endpoint(url.as_deref())).await {
			Inclusion::Included => match &url {
				Some(url) => tracing::info!(%url, "stream endpoint advertised on chain"),
				None => tracing::info!("stream endpoint removed from the chain"),
			},
			Inclusion::Failed(why) | Inclusion::Lost(why) => {
				tracing::warn!(reason = %why, "the stream endpoint was not set on chain; clients cannot find this miner's streams")
			}
		}
	}

	/// One session after the other, reconnecting in between (to the next node URL when the
	/// node is gone and there are several); returns only when no node can be connected to any
	/// more.
	async fn sessions(
		self: Arc<Self>,
		mut chain: Chain,
		connect: Connect,
		settings: Settings,
	) -> Result<(), RunError> {
		loop {
			let ended = self.clone().session(chain.clone(), settings.heartbeat).await;
			self.metrics.chain_connected.set(0);
			self.link.send_replace(None);
			// The node may have lost its pool: read the nonce again, and check what was in flight
			// at the next session's first block.
			self.sender.reset().await;
			let lost = chain.url().to_string();
			tracing::warn!(reason = %ended, url = %lost, "lost the node; reconnecting");
			chain = reconnected(chain, &connect, &ended)
				.await
				.map_err(|e| RunError::Chain(e.to_string()))?;
			if chain.url() == lost {
				tracing::info!(url = chain.url(), "reconnected to the node");
			} else {
				tracing::warn!(from = %lost, to = chain.url(), "failed over to another node");
			}
			self.link.send_replace(Some(chain.clone()));
		}
	}
}

/// The connection back after a session ended with `ended`. The chain client is subxt's
/// reconnecting RPC client, which reconnects by itself: wait (backing off) until the node
/// answers on it again. With one URL that wait has no end. With several, the client gives up
/// on its node after about [`Connect::failover_after`] ([`Chain::is_closed`]), and this wait
/// ends that long after it began at the latest ([`fail_over`]): then a new connection, to the
/// next URL first (round-robin). An answer that is not about the connection (the node is up
/// but failing) makes a new connection too, the same node first. A session that ended for
/// another reason than a lost connection waits a second first, so that a failing node is not
/// hammered.
async fn reconnected(
	chain: Chain,
	connect: &Connect,
	ended: &SessionError,
) -> Result<Chain, Error> {
	if !ended.is_disconnected() {
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	let started = Instant::now();
	let mut attempt = 0u32;
	loop {
		match chain.best_number().await {
			Ok(_) => return Ok(chain),
			Err(e) if e.is_disconnected() => {
				if chain.is_closed()
					|| fail_over(connect.urls().len(), started.elapsed(), connect.failover_after)
				{
					let next = connect.starting_after(chain.url());
					tracing::warn!(url = chain.url(), next = ?next.urls(), error = %e, "the node is not back; trying the other node URLs");
					// The old connection's client has given up reconnecting, or does soon.
					drop(chain);
					return Chain::connect(&next).await;
				}
				let delay = connect.delay(attempt);
				attempt = attempt.saturating_add(1);
				tracing::debug!(error = %e, retry_in_ms = delay.as_millis() as u64, "the node is not back yet");
				tokio::time::sleep(delay).await;
			}
			Err(e) => {
				tracing::debug!(error = %e, "the connection does not answer; connecting anew");
				let url = chain.url().to_string();
				drop(chain);
				return Chain::connect(&connect.starting_at(&url)).await;
			}
		}
	}
}

/// Whether to leave a node that has not answered for `waited`: only when there is another URL
/// (`urls` > 1), after `failover_after`.
fn fail_over(urls: usize, waited: Duration, failover_after: Duration) -> bool {
	urls > 1 && waited >= failover_after
}

/// This operator's miner record; without one, the command its owner registers it with.
async fn registration(
	chain: &Chain,
	settings: &Settings,
	models: &HashSet<String>,
) -> Result<MinerJson, RunError> {
	let record =
		market::me(chain, &settings.key).await.map_err(|e| RunError::Chain(e.to_string()))?;
	let Some(record) = record else {
		let min_stake = chain
			.parameters()
			.await
			.map(|p| format_ait(p.min_stake))
			.unwrap_or_else(|_| "the minimum stake".into());
		let mut models: Vec<_> = models.iter().cloned().collect();
		models.sort();
		return Err(RunError::NotRegistered(format!(
			"operator {address} has no miner on chain; its owner registers it with: aitbc --account OWNER miner register --operator-key <this miner's key (URI or key file)> --models {models} --price {price} --capacity {capacity} --stake '{min_stake}'",
			address = chain.address(&settings.key.account()),
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
	Ok(record)
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
	pub(crate) fn in_flight_count(&self) -> usize {
		self.in_flight.lock().map(|s| s.len()).unwrap_or(0)
	}

	/// Signs `call`, sends it through the [`Sender`] on the current connection and waits for
	/// its outcome at the best block, which it counts and logs under `call_name`. Only the
	/// runtime's refusal of the call is the chain's verdict ([`Inclusion::Failed`]); any other
	/// refusal (pool full, banned for a while, ...) loses the transaction after a short pause, as
	/// a lost connection does: the caller tries again within its budget. `Included` is
	/// provisional; a caller that must know whether it holds uses [`Miner::transact_confirmed`].
	pub(crate) async fn transact<C: Call>(&self, call_name: &str, call: C) -> Inclusion {
		self.transact_confirmed(call_name, call).await.0
	}

	/// [`Miner::transact`], with the transaction's final word ([`Miner::confirm`] waits for it).
	pub(crate) async fn transact_confirmed<C: Call>(
		&self,
		call_name: &str,
		call: C,
	) -> (Inclusion, Confirmation) {
		let chain = self.chain().await;
		let (inclusion, confirmation) = match self.sender.send(&chain, call).await {
			Ok(sent) => sent.included().await,
			Err(Error::Rejected(why)) => {
				(Inclusion::Failed(why.clone()), Confirmation::known(Inclusion::Failed(why)))
			}
			Err(e) => {
				if !e.is_disconnected() {
					tokio::time::sleep(self.block_time / 4).await;
				}
				let lost = Inclusion::Lost(e.to_string());
				(lost.clone(), Confirmation::known(lost))
			}
		};
		let outcome = match &inclusion {
			Inclusion::Included => "ok",
			Inclusion::Failed(_) => "error",
			Inclusion::Lost(_) => "lost",
		};
		self.metrics.transactions.with_label_values(&[call_name, outcome]).inc();
		if let Inclusion::Failed(why) | Inclusion::Lost(why) = &inclusion {
			tracing::warn!(call = call_name, outcome, reason = %why, "transaction not included");
		}
		(inclusion, confirmation)
	}

	/// The final word on a transaction of `call_name` included at a best block: `Included` once
	/// its block is final; anything else (its block left the best chain and the transaction is
	/// not in the new one) is counted (`retracted`) and logged, and means the caller reads the
	/// state again.
	pub(crate) async fn confirm(&self, call_name: &str, confirmation: Confirmation) -> Inclusion {
		let confirmed = confirmation.confirmed().await;
		if confirmed != Inclusion::Included {
			self.metrics.transactions.with_label_values(&[call_name, "retracted"]).inc();
			tracing::warn!(call = call_name, outcome = ?confirmed, "the block that included the transaction left the best chain; reading the state again");
		}
		confirmed
	}

	/// The current connection, waiting for a reconnect if there is none.
	pub(crate) async fn chain(&self) -> Chain {
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
	pub(crate) async fn on_chain<T, F, Fut>(&self, op: F) -> Result<T, Error>
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
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_miner_leaves_its_node_only_for_another_url_after_failover_after() {
		let after = Duration::from_secs(5);
		assert!(!fail_over(1, Duration::from_secs(3600), after), "one URL: wait for it forever");
		assert!(!fail_over(2, Duration::from_secs(4), after));
		assert!(fail_over(2, after, after));
		assert!(fail_over(3, Duration::from_secs(6), after));
	}
}
