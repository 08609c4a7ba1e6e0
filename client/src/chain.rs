//! One connection to an AITBC node: subxt for transactions, storage and blocks, the raw RPC
//! client for the node's `aitbc_*` and `system_*` methods.

use std::{
	collections::HashMap,
	future::Future,
	pin::Pin,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};

use aitbc_primitives::{JobId, JobStatus};
use serde::de::DeserializeOwned;
use subxt::{
	config::{PolkadotExtrinsicParamsBuilder, RpcConfigFor},
	extrinsics::ExtrinsicEvents,
	rpcs::{
		client::{
			reconnecting_rpc_client::ExponentialBackoff, RawRpcFuture, RawRpcSubscription,
			RawValue, ReconnectingRpcClient, RpcClientT,
		},
		rpc_params, LegacyRpcMethods, RpcClient,
	},
	transactions::{Payload, TransactionStatus},
	OnlineClient,
};

use crate::{
	constants::incompatible,
	error::dispatch_error_text,
	json::{JobJson, MinerJson, ParametersJson, QuoteJson, ReceiptJson},
	keys::Key,
	runtime, AccountId, Config, Constants, Error,
};

/// How to connect: the node URLs, tried in order, and how many rounds to try them, with
/// exponential backoff between rounds.
#[derive(Clone, Debug)]
pub struct Connect {
	/// `ws://` or `wss://` URLs of nodes' RPC, in the order tried; never empty.
	urls: Vec<String>,
	/// Rounds before giving up, each trying every URL once (`u32::MAX`: forever).
	pub attempts: u32,
	/// Wait after the first failed round; doubled after each one.
	pub first_delay: Duration,
	/// The longest wait between rounds.
	pub max_delay: Duration,
	/// With several URLs, how long a daemon's connection retries its node after losing it; then
	/// the connection gives up ([`Error::Disconnected`] on every call) and the daemon connects
	/// anew, the next URL first ([`Connect::starting_after`]).
	pub failover_after: Duration,
	/// The genesis hash a node must have; a node of another chain is skipped like an
	/// unreachable one.
	genesis: Option<[u8; 32]>,
}

impl Connect {
	/// One URL, three tries 0.5 s then 1 s apart: for people and agents, who want an answer.
	pub fn new(url: impl Into<String>) -> Self {
		Connect::with_urls(vec![url.into()])
	}

	fn with_urls(urls: Vec<String>) -> Self {
		Connect {
			urls,
			attempts: 3,
			first_delay: Duration::from_millis(500),
			max_delay: Duration::from_secs(4),
			failover_after: Duration::from_secs(1),
			genesis: None,
		}
	}

	/// One URL, forever, backing off up to 30 s: for daemons.
	pub fn forever(url: impl Into<String>) -> Self {
		Connect::new(url).retry_forever()
	}

	/// Several URLs, tried in this order (a URL given twice is tried once), three rounds as
	/// [`Connect::new`]. A [`Error::Usage`] when there is none or one is not a `ws://` or
	/// `wss://` URL ([`check_url`]).
	pub fn any<I>(urls: I) -> Result<Self, Error>
	where
		I: IntoIterator,
		I::Item: Into<String>,
	{
		let mut unique: Vec<String> = Vec::new();
		for url in urls {
			let url = url.into().trim().to_string();
			check_url(&url)?;
			if !unique.contains(&url) {
				unique.push(url);
			}
		}
		if unique.is_empty() {
			return Err(Error::usage("no node URL given: pass one, e.g. ws://127.0.0.1:9944"));
		}
		Ok(Connect::with_urls(unique))
	}

	/// The same URLs, forever, backing off up to 30 s between rounds: for daemons.
	pub fn retry_forever(self) -> Self {
		Connect { attempts: u32::MAX, max_delay: Duration::from_secs(30), ..self }
	}

	/// Skips a node whose genesis hash is not `genesis` (a node of another chain), as if it
	/// were unreachable: for a daemon failing over, once it knows its chain.
	pub fn expect_genesis(self, genesis: [u8; 32]) -> Self {
		Connect { genesis: Some(genesis), ..self }
	}

	/// The URLs, in the order tried.
	pub fn urls(&self) -> &[String] {
		&self.urls
	}

	/// The same, the URL after `url` first (round-robin; `url` itself last): where a daemon
	/// goes when the node at `url` is gone. An unknown `url` leaves the order as it is.
	pub fn starting_after(&self, url: &str) -> Connect {
		self.rotated(url, 1)
	}

	/// The same, `url` first (round-robin): where a daemon goes when the node at `url`
	/// answers, but not as a node should. An unknown `url` leaves the order as it is.
	pub fn starting_at(&self, url: &str) -> Connect {
		self.rotated(url, 0)
	}

	/// The URLs rotated to start `skip` after `url`.
	fn rotated(&self, url: &str, skip: usize) -> Connect {
		let mut next = self.clone();
		if let Some(at) = self.urls.iter().position(|u| u == url) {
			next.urls.rotate_left(at.saturating_add(skip) % self.urls.len());
		}
		next
	}

	/// The wait after failed round number `round` (0-based).
	pub fn delay(&self, round: u32) -> Duration {
		self.first_delay.saturating_mul(1u32 << round.min(16)).min(self.max_delay)
	}

	/// The tries in order, each with the wait before it: every URL once per round (no wait
	/// between them), each round after the first one after [`Connect::delay`].
	pub fn tries(&self) -> impl Iterator<Item = (Duration, &str)> + '_ {
		(0..self.attempts).flat_map(move |round| {
			self.urls.iter().enumerate().map(move |(index, url)| {
				let wait = if round > 0 && index == 0 {
					self.delay(round.saturating_sub(1))
				} else {
					Duration::ZERO
				};
				(wait, url.as_str())
			})
		})
	}

	/// The waits of subxt's reconnecting RPC client after a lost connection: for a daemon
	/// ([`Connect::retry_forever`]) the same backoff, forever with one URL and for about
	/// [`Connect::failover_after`] with several (then another URL is worth a try); for a
	/// command none (it fails with [`Error::Disconnected`], as it would have to wait for the
	/// node anyway).
	fn reconnect_policy(&self) -> impl Iterator<Item = Duration> + Clone + Send + Sync + 'static {
		let first_ms = u64::try_from(self.first_delay.as_millis()).unwrap_or(u64::MAX);
		let tries = if self.attempts == u32::MAX { usize::MAX } else { 0 };
		let budget = if self.urls.len() > 1 { self.failover_after } else { Duration::MAX };
		ExponentialBackoff::from_millis(2)
			.factor((first_ms / 2).max(1))
			.max_delay(self.max_delay)
			.take(tries)
			.scan(Duration::ZERO, move |waited, delay| {
				*waited = waited.saturating_add(delay);
				(*waited <= budget).then_some(delay)
			})
	}
}

/// Checks that `url` is a node RPC URL: `ws://` or `wss://` and a host; else a one-line
/// [`Error::Usage`].
pub fn check_url(url: &str) -> Result<(), Error> {
	let rest = url.strip_prefix("ws://").or_else(|| url.strip_prefix("wss://"));
	match rest {
		Some(rest) if !rest.is_empty() && !rest.contains(char::is_whitespace) => Ok(()),
		Some(_) => Err(Error::usage(format!("`{url}` is not a node URL: it names no host"))),
		None => Err(Error::usage(format!(
			"`{url}` is not a node URL: it must start with ws:// or wss:// (e.g. ws://127.0.0.1:9944)"
		))),
	}
}

/// subxt's reconnecting client retries its first connection and each reconnection with the
/// same policy. The first connection is retried by [`Chain::connect`] instead, across the URLs,
/// so this policy yields nothing until the connection is made (`connected`).
#[derive(Clone)]
struct ReconnectPolicy<P> {
	connected: Arc<AtomicBool>,
	backoff: P,
}

impl<P: Iterator<Item = Duration>> Iterator for ReconnectPolicy<P> {
	type Item = Duration;

	fn next(&mut self) -> Option<Duration> {
		if self.connected.load(Ordering::Relaxed) {
			self.backoff.next()
		} else {
			None
		}
	}
}

/// A transaction included in a best block, with its events.
pub struct Submitted {
	/// The block it is in.
	pub block_hash: subxt::utils::H256,
	/// Its events (the dispatch succeeded).
	pub events: ExtrinsicEvents<Config>,
}

/// A transaction in the node's pool, not yet in a block.
#[must_use = "a pending transaction's outcome is only known through `in_block`"]
pub struct Pending(Pin<Box<dyn Future<Output = Result<Submitted, Error>> + Send>>);

impl Pending {
	/// Waits until the transaction is in a best block; a failed dispatch becomes
	/// [`Error::Rejected`], a transaction the pool dropped too.
	pub async fn in_block(self) -> Result<Submitted, Error> {
		self.0.await
	}
}

/// A connection to a node.
#[derive(Clone)]
pub struct Chain {
	api: OnlineClient<Config>,
	rpc: RpcClient,
	/// Whether the last call or subscription item on the connection found it up, and how many
	/// times it found it lost.
	link: Arc<Link>,
	url: String,
	/// The connected runtime's constants, read at connect.
	constants: Constants,
	/// The next nonce this client will use per signer (covers transactions the node's pool
	/// has not reported yet).
	nonces: Arc<Mutex<HashMap<[u8; 32], u64>>>,
	/// Serialises nonce assignment and pool submission per process.
	submit_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Chain {
	/// Connects to the first node that answers, trying the URLs in order, round after round as
	/// `connect` says (logging each failed try), and reads the runtime's [`Constants`]. A
	/// runtime whose constants do not match this client's is an [`Error::Rpc`], not retried;
	/// no answer at any URL, an [`Error::Unreachable`] naming each.
	pub async fn connect(connect: &Connect) -> Result<Self, Error> {
		let mut tried: Vec<(String, String)> = Vec::new();
		for (wait, url) in connect.tries() {
			if !wait.is_zero() {
				tracing::debug!(retry_in_ms = wait.as_millis() as u64, "no node answered; again");
				tokio::time::sleep(wait).await;
			}
			match Self::connect_once(connect, url).await {
				Ok(chain) => return chain,
				Err(reason) => {
					tracing::warn!(%url, %reason, "node unreachable");
					match tried.iter_mut().find(|(u, _)| u == url) {
						Some(entry) => entry.1 = reason,
						None => tried.push((url.to_string(), reason)),
					}
				}
			}
		}
		Err(Error::Unreachable { tried })
	}

	/// One try at `url`: `Err` is a reason to try again, `Ok(Err)` a reason to stop.
	async fn connect_once(connect: &Connect, url: &str) -> Result<Result<Self, Error>, String> {
		// subxt's reconnecting client: after a lost connection it reconnects by itself (with
		// `connect`'s backoff, daemons only), failing calls meanwhile with
		// `DisconnectedWillReconnect`; once it gives up, with `Dropped`.
		let connected = Arc::new(AtomicBool::new(false));
		let policy =
			ReconnectPolicy { connected: connected.clone(), backoff: connect.reconnect_policy() };
		let reconnecting = ReconnectingRpcClient::builder()
			.retry_policy(policy)
			.build(url)
			.await
			.map_err(|e| e.to_string())?;
		let link = Arc::new(Link {
			up: AtomicBool::new(true),
			closed: AtomicBool::new(false),
			losses: AtomicU64::new(0),
		});
		let rpc = RpcClient::new(Watched { inner: reconnecting, link: link.clone() });
		let api = OnlineClient::<Config>::from_rpc_client(rpc.clone())
			.await
			.map_err(|e| e.to_string())?;
		if let Some(expected) = connect.genesis {
			let genesis = api.genesis_hash().0;
			if genesis != expected {
				return Err(format!(
					"the node is on another chain (genesis 0x{}, not 0x{})",
					hex::encode(genesis),
					hex::encode(expected)
				));
			}
		}
		let at = api.at_current_block().await.map_err(|e| e.to_string())?;
		let constants = match Constants::read(&at) {
			Ok(constants) => constants,
			Err(e) => return Ok(Err(incompatible(e))),
		};
		connected.store(true, Ordering::Relaxed);
		Ok(Ok(Chain {
			api,
			rpc,
			link,
			url: url.to_string(),
			constants,
			nonces: Arc::default(),
			submit_lock: Arc::default(),
		}))
	}

	/// The subxt client.
	pub fn api(&self) -> &OnlineClient<Config> {
		&self.api
	}

	/// The connected runtime's constants (read at connect).
	pub fn constants(&self) -> &Constants {
		&self.constants
	}

	/// An account's SS58 address with the connected chain's prefix.
	pub fn address(&self, account: &AccountId) -> String {
		self.constants.address(account)
	}

	/// Whether the connection to the node is up, as the last call or subscription item on it
	/// found (subxt's reconnecting client reports a lost connection as
	/// `DisconnectedWillReconnect` until it is back).
	pub fn is_connected(&self) -> bool {
		self.link.up.load(Ordering::Relaxed)
	}

	/// Whether this connection is over for good: subxt's reconnecting client gave up on the
	/// node (at once for a command's connection, after [`Connect::failover_after`] for a
	/// daemon's with several URLs, never for a daemon's with one). Only a new connection
	/// ([`Chain::connect`]) answers again.
	pub fn is_closed(&self) -> bool {
		self.link.closed.load(Ordering::Relaxed)
	}

	/// How many times this connection was found lost so far (each loss is followed by a
	/// reconnection for daemons): a long-lived reader compares it to notice a gap it may have
	/// missed events in, even when its subscription went on.
	pub fn connection_losses(&self) -> u64 {
		self.link.losses.load(Ordering::Relaxed)
	}

	/// An error from subxt on this connection: [`Error::Disconnected`] when the connection is
	/// gone, [`Error::Rpc`] otherwise.
	pub fn error(&self, error: impl std::fmt::Display) -> Error {
		if self.is_connected() {
			Error::Rpc(error.to_string())
		} else {
			Error::Disconnected(error.to_string())
		}
	}

	/// The chain's genesis hash, as receipt payloads (v2) and operator proofs bind it.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.api.genesis_hash().0
	}

	/// The URL connected to (of those [`Connect`] named, the first that answered).
	pub fn url(&self) -> &str {
		&self.url
	}

	/// A raw JSON-RPC call.
	pub async fn request<R: DeserializeOwned>(
		&self,
		method: &str,
		params: subxt::rpcs::client::RpcParams,
	) -> Result<R, Error> {
		self.rpc.request(method, params).await.map_err(|e| match Error::from(e) {
			Error::Rpc(message) if !self.is_connected() => Error::Disconnected(message),
			other => other,
		})
	}

	/// The node's legacy RPC methods, typed.
	fn legacy(&self) -> LegacyRpcMethods<RpcConfigFor<Config>> {
		LegacyRpcMethods::new(self.rpc.clone())
	}

	/// Signs `call` with `key`, submits it and waits until it is in a best block. A failed
	/// dispatch becomes [`Error::Rejected`] with the pallet error's name and doc.
	pub async fn submit<C: Payload>(&self, call: &C, key: &Key) -> Result<Submitted, Error> {
		self.send(call, key).await?.in_block().await
	}

	/// Signs `call` with `key` (the next nonce: the chain's or this connection's, whichever is
	/// higher) and hands it to the node's pool; returns once the pool took it, so a signer can
	/// queue several transactions for the same block. [`Pending::in_block`] waits for the
	/// outcome.
	///
	/// Other processes signing for the same account (several `aitbc submit ... &`) read the
	/// same next nonce: the pool takes one transaction per nonce and refuses the rest as too
	/// low in priority, or as outdated once one is in a block. Such a refusal is not the
	/// chain's verdict on the call: the nonce is read again and the call signed again, at most
	/// [`NONCE_TRIES`] times, with a short, growing, jittered pause between tries.
	pub async fn send<C: Payload>(&self, call: &C, key: &Key) -> Result<Pending, Error> {
		let account = key.account();
		let mut tries = 0;
		let (mut progress, mut first) = loop {
			tries += 1;
			// One try: the next nonce, signed, handed to the pool.
			let attempt: Result<_, NonceOutcome> = async {
				let _guard = self.submit_lock.lock().await;
				let on_chain: u64 = self
					.request("system_accountNextIndex", rpc_params![account.to_string()])
					.await
					.map_err(NonceOutcome::Failed)?;
				let nonce = {
					let nonces = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
					nonces.get(&account.0).copied().unwrap_or(0).max(on_chain)
				};
				let params = PolkadotExtrinsicParamsBuilder::<Config>::new().nonce(nonce).build();
				let at = self
					.api
					.at_current_block()
					.await
					.map_err(|e| NonceOutcome::Failed(self.error(e)))?;
				let signed = at
					.transactions()
					.create_signed(call, key.pair(), params)
					.await
					.map_err(|e| NonceOutcome::Failed(Error::Rejected(e.to_string())))?;
				let progress = signed.submit_and_watch().await.map_err(|e| {
					self.forget_nonce(&account);
					// A lost connection is not the chain's verdict: the caller may send again.
					match self.error(e) {
						Error::Rpc(message) if nonce_taken(&message) => {
							NonceOutcome::Taken(message)
						}
						Error::Rpc(message) => {
							NonceOutcome::Failed(Error::Rejected(explain_pool_refusal(message)))
						}
						disconnected => NonceOutcome::Failed(disconnected),
					}
				})?;
				let mut progress = progress;
				// The pool's verdict comes as the watch's first status: a nonce another
				// transaction took is refused there too.
				let first = progress.next().await;
				if let Some(Ok(
					TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message }
					| TransactionStatus::Error { message },
				)) = &first
				{
					if nonce_taken(message) {
						self.forget_nonce(&account);
						return Err(NonceOutcome::Taken(message.clone()));
					}
				}
				self.nonces
					.lock()
					.unwrap_or_else(|e| e.into_inner())
					.insert(account.0, nonce.saturating_add(1));
				Ok((progress, first))
			}
			.await;
			match attempt {
				Ok(progress) => break progress,
				Err(NonceOutcome::Taken(message)) if tries < NONCE_TRIES => {
					tracing::debug!(%message, tries, "nonce taken by another transaction; again");
					tokio::time::sleep(nonce_pause(tries)).await;
				}
				Err(NonceOutcome::Taken(message)) => {
					return Err(Error::Rejected(format!(
						"{message}: other transactions signed by {account} took the nonce \
						 {NONCE_TRIES} times in a row; send again once they are in a block"
					)))
				}
				Err(NonceOutcome::Failed(error)) => return Err(error),
			}
		};
		let chain = self.clone();
		Ok(Pending(Box::pin(async move {
			loop {
				let next = match first.take() {
					Some(status) => Some(status),
					None => progress.next().await,
				};
				let status = match next {
					Some(Ok(status)) => status,
					Some(Err(e)) => {
						let error = chain.error(e);
						if error.is_disconnected() {
							// The node may have lost its pool: ask it for the nonce again.
							chain.forget_nonce(&account);
						}
						return Err(error);
					}
					// Only a lost connection ends the watch before a final status.
					None => {
						chain.forget_nonce(&account);
						return Err(Error::Disconnected(
							"the node closed the transaction watch".into(),
						));
					}
				};
				match status {
					TransactionStatus::InBestBlock(in_block)
					| TransactionStatus::InFinalizedBlock(in_block) => {
						let block_hash = in_block.block_hash();
						return match in_block.wait_for_success().await {
							Ok(events) => Ok(Submitted { block_hash, events }),
							Err(subxt::error::TransactionEventsError::ExtrinsicFailed(e)) => {
								Err(Error::Rejected(dispatch_error_text(&e)))
							}
							Err(e) => Err(chain.error(e)),
						};
					}
					TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message }
					| TransactionStatus::Error { message } => {
						chain.forget_nonce(&account);
						return Err(Error::Rejected(explain_pool_refusal(message)));
					}
					_ => continue,
				}
			}
		})))
	}

	fn forget_nonce(&self, account: &AccountId) {
		self.nonces.lock().unwrap_or_else(|e| e.into_inner()).remove(&account.0);
	}

	/// A job by id (`aitbc_job`).
	pub async fn job(&self, job_id: JobId) -> Result<Option<JobJson>, Error> {
		self.request("aitbc_job", rpc_params![job_id]).await
	}

	/// The newest jobs, optionally of one client and in one status, only ids below `before` if
	/// given (`aitbc_jobs`). The next page: `before` = the smallest id of this one.
	pub async fn jobs(
		&self,
		client: Option<&AccountId>,
		status: Option<JobStatus>,
		limit: Option<u32>,
		before: Option<JobId>,
	) -> Result<Vec<JobJson>, Error> {
		// Prefix 42 is accepted by every node (a registered prefix); it names the same key.
		let client = client.map(|c| c.to_string());
		let status = status.map(JobStatus::as_str);
		self.request("aitbc_jobs", rpc_params![client, status, limit, before]).await
	}

	/// The jobs `operator` holds now, assigned or running, oldest first (`aitbc_heldJobs`).
	pub async fn held_jobs(&self, operator: &AccountId) -> Result<Vec<JobJson>, Error> {
		self.request("aitbc_heldJobs", rpc_params![operator.to_string()]).await
	}

	/// A miner by operator (`aitbc_miner`).
	pub async fn miner(&self, operator: &AccountId) -> Result<Option<MinerJson>, Error> {
		self.request("aitbc_miner", rpc_params![operator.to_string()]).await
	}

	/// Where miner `operator` serves its jobs' token streams (`Miners.Endpoints` at the best
	/// block): the base URL its operator set, if any.
	pub async fn miner_endpoint(&self, operator: &AccountId) -> Result<Option<String>, Error> {
		let at = self.at_best().await?;
		let value = at
			.storage()
			.try_fetch(runtime::storage().miners().endpoints(), (*operator,))
			.await
			.map_err(|e| self.error(e))?;
		let Some(value) = value else { return Ok(None) };
		let url = value.decode().map_err(|e| Error::Rpc(e.to_string()))?;
		Ok(Some(String::from_utf8_lossy(&url.0).into_owned()))
	}

	/// Registered miners (`aitbc_miners`).
	pub async fn miners(&self, limit: Option<u32>) -> Result<Vec<MinerJson>, Error> {
		self.request("aitbc_miners", rpc_params![limit]).await
	}

	/// A receipt by id (`aitbc_receipt`).
	pub async fn receipt(&self, receipt_id: u64) -> Result<Option<ReceiptJson>, Error> {
		self.request("aitbc_receipt", rpc_params![receipt_id]).await
	}

	/// The newest receipts, or one job's (`aitbc_receipts`).
	pub async fn receipts(
		&self,
		job_id: Option<u64>,
		limit: Option<u32>,
	) -> Result<Vec<ReceiptJson>, Error> {
		self.request("aitbc_receipts", rpc_params![job_id, limit]).await
	}

	/// The price of `max_tokens` on `model` now (`aitbc_quote`).
	pub async fn quote(&self, model: &str, max_tokens: u32) -> Result<QuoteJson, Error> {
		self.request("aitbc_quote", rpc_params![model, max_tokens]).await
	}

	/// The marketplace parameters (`aitbc_parameters`).
	pub async fn parameters(&self) -> Result<ParametersJson, Error> {
		self.request("aitbc_parameters", rpc_params![]).await
	}

	/// The free balance of `who` at the best block.
	pub async fn free_balance(&self, who: &AccountId) -> Result<u128, Error> {
		Ok(self.account_info(who).await?.0)
	}

	/// `(free, reserved + held)` of `who` at the best block.
	pub async fn account_info(&self, who: &AccountId) -> Result<(u128, u128), Error> {
		let at = self.at_best().await?;
		let account = at
			.storage()
			.try_fetch(runtime::storage().system().account(), (*who,))
			.await
			.map_err(|e| self.error(e))?;
		let Some(account) = account else { return Ok((0, 0)) };
		let account = account.decode().map_err(|e| Error::Rpc(e.to_string()))?;
		Ok((account.data.free, account.data.reserved))
	}

	/// The next nonce of `account` as the node sees it: the chain's, past the account's
	/// transactions ready in its pool (`system_accountNextIndex`).
	pub async fn account_next_index(&self, account: &AccountId) -> Result<u64, Error> {
		self.request("system_accountNextIndex", rpc_params![account.to_string()]).await
	}

	/// The subxt client at the best block.
	pub async fn at_best(&self) -> Result<subxt::OnlineClientAtBlock<Config>, Error> {
		let best = self
			.legacy()
			.chain_get_block_hash(None)
			.await?
			.ok_or_else(|| Error::Rpc("the node has no best block".into()))?;
		self.api.at_block(best).await.map_err(|e| self.error(e))
	}

	/// Hands signed transaction bytes to the node's pool (`author_submitExtrinsic`), without
	/// a watch. [`SubmitError::Refused`] carries the pool's reason (the JSON-RPC error's
	/// message and data, e.g. `Invalid Transaction: Transaction is outdated`);
	/// [`SubmitError::Unsure`] says the answer was lost (the pool may have taken it).
	pub async fn submit_extrinsic(&self, encoded: &[u8]) -> Result<(), SubmitError> {
		let params = rpc_params![format!("0x{}", hex::encode(encoded))];
		let submitted: Result<subxt::utils::H256, _> =
			self.rpc.request("author_submitExtrinsic", params).await;
		match submitted {
			Ok(_) => Ok(()),
			Err(subxt::rpcs::Error::User(refusal)) => {
				Err(SubmitError::Refused(match refusal.data {
					Some(data) => format!("{}: {}", refusal.message, data.get().trim_matches('"')),
					None => refusal.message,
				}))
			}
			Err(e) => Err(SubmitError::Unsure(match Error::from(e) {
				Error::Rpc(message) if !self.is_connected() => Error::Disconnected(message),
				other => other,
			})),
		}
	}

	/// The finalized block's number and hash.
	pub async fn finalized_head(&self) -> Result<(u64, subxt::utils::H256), Error> {
		let legacy = self.legacy();
		let hash = legacy.chain_get_finalized_head().await?;
		let header = legacy.chain_get_header(Some(hash)).await?.ok_or_else(|| {
			Error::Rpc(format!("the node has no header for its finalized block {hash:?}"))
		})?;
		Ok((header.number, hash))
	}

	/// The hash of block `number` on the node's best chain, if it has one.
	pub async fn block_hash(&self, number: u64) -> Result<Option<subxt::utils::H256>, Error> {
		Ok(self.legacy().chain_get_block_hash(Some(number.into())).await?)
	}

	/// The best block number.
	pub async fn best_number(&self) -> Result<u64, Error> {
		let header = self.legacy().chain_get_header(None).await?;
		Ok(header.ok_or_else(|| Error::Rpc("the node has no best block".into()))?.number)
	}

	/// The finalized block number.
	pub async fn finalized_number(&self) -> Result<u64, Error> {
		let legacy = self.legacy();
		let hash = legacy.chain_get_finalized_head().await?;
		let header = legacy.chain_get_header(Some(hash)).await?;
		Ok(header
			.ok_or_else(|| {
				Error::Rpc(format!("the node has no header for its finalized block {hash:?}"))
			})?
			.number)
	}
}

/// subxt's reconnecting RPC client, watched: each call's result and each subscription item
/// says whether the connection is up (typed: `DisconnectedWillReconnect` or `Dropped`, no
/// message matching).
struct Watched {
	inner: ReconnectingRpcClient,
	link: Arc<Link>,
}

/// What [`Watched`] saw of the connection.
struct Link {
	up: AtomicBool,
	/// The reconnecting client gave up: the connection is over for good.
	closed: AtomicBool,
	losses: AtomicU64,
}

fn observe<T>(link: &Link, result: &Result<T, subxt::rpcs::Error>) {
	let lost = matches!(result, Err(e) if crate::error::is_disconnect(e));
	if matches!(result, Err(e) if crate::error::is_given_up(e)) {
		link.closed.store(true, Ordering::Relaxed);
	}
	if link.up.swap(!lost, Ordering::Relaxed) && lost {
		link.losses.fetch_add(1, Ordering::Relaxed);
	}
}

impl RpcClientT for Watched {
	fn request_raw<'a>(
		&'a self,
		method: &'a str,
		params: Option<Box<RawValue>>,
	) -> RawRpcFuture<'a, Box<RawValue>> {
		Box::pin(async move {
			let result = self.inner.request_raw(method, params).await;
			observe(&self.link, &result);
			result
		})
	}

	fn subscribe_raw<'a>(
		&'a self,
		sub: &'a str,
		params: Option<Box<RawValue>>,
		unsub: &'a str,
	) -> RawRpcFuture<'a, RawRpcSubscription> {
		Box::pin(async move {
			let result = self.inner.subscribe_raw(sub, params, unsub).await;
			observe(&self.link, &result);
			let RawRpcSubscription { stream, id } = result?;
			let link = self.link.clone();
			let stream =
				subxt::ext::futures::StreamExt::inspect(stream, move |item| observe(&link, item));
			Ok(RawRpcSubscription { stream: Box::pin(stream), id })
		})
	}
}

/// Why [`Chain::submit_extrinsic`] did not hand a transaction over.
#[derive(Debug)]
pub enum SubmitError {
	/// The pool refused it: its reason.
	Refused(String),
	/// The answer was lost (connection lost, timeout): the pool may or may not have it.
	Unsure(Error),
}

/// How many times [`Chain::send`] signs a call whose nonce other transactions keep taking.
pub const NONCE_TRIES: u32 = 8;

/// Why one try of [`Chain::send`] did not get its transaction into the pool.
enum NonceOutcome {
	/// Another transaction of the same signer has the nonce (the pool's message).
	Taken(String),
	/// Anything else: the caller's error.
	Failed(Error),
}

/// Whether the pool refused a transaction because another one of the same signer has its
/// nonce: one in the pool at the same priority (1014), or one already in a block (1010,
/// outdated).
pub(crate) fn nonce_taken(message: &str) -> bool {
	let lower = message.to_ascii_lowercase();
	(lower.contains("priority") && lower.contains("too low"))
		|| lower.contains("transaction is outdated")
		|| lower.contains("already imported")
}

/// The pause before try `tries + 1`: 50 ms per try so far, plus up to 50 ms of jitter, so that
/// processes that collided do not collide again in step.
fn nonce_pause(tries: u32) -> std::time::Duration {
	let jitter = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.subsec_nanos() % 50)
		.unwrap_or(0);
	std::time::Duration::from_millis(u64::from(tries * 50 + jitter))
}

/// A pool refusal's message, with the runtime's own checks (the pool's refusals carry only a
/// number for them) (custom validity errors) named.
pub(crate) fn explain_pool_refusal(message: String) -> String {
	let lower = message.to_ascii_lowercase();
	let explanation = if lower.contains(&format!("custom error: {NOT_HELD}")) {
		"Jobs::CheckJobCalls: the signer does not hold every job named; only the operator a job \
		 is assigned to may acknowledge it, deliver it or give it up"
	} else if lower.contains(&format!("custom error: {TOO_MANY_OPEN}")) {
		"Jobs::CheckJobCalls: the client has max_open_jobs_per_client jobs open; wait for one to \
		 end"
	} else {
		return message;
	};
	format!("{message} ({explanation})")
}

/// `pallet_aitbc_jobs::NOT_HELD` and `TOO_MANY_OPEN`, the custom validity errors of the
/// runtime's `CheckJobCalls` extension. Validity errors are not in the metadata, and the client
/// does not depend on pallets.
pub(crate) const NOT_HELD: u8 = 1;
pub(crate) const TOO_MANY_OPEN: u8 = 2;

#[cfg(test)]
mod tests {
	use super::*;

	fn ms(ms: u64) -> Duration {
		Duration::from_millis(ms)
	}

	#[test]
	fn one_url_is_tried_once_per_round_after_the_backoff() {
		let connect = Connect::new("ws://a");
		let tries: Vec<_> = connect.tries().collect();
		assert_eq!(tries, vec![(ms(0), "ws://a"), (ms(500), "ws://a"), (ms(1000), "ws://a")]);
	}

	#[test]
	fn several_urls_are_tried_round_robin_with_the_backoff_between_rounds() {
		let connect = Connect::any(["ws://a", "ws://b", "ws://c"]).unwrap();
		let tries: Vec<_> = connect.tries().collect();
		assert_eq!(
			tries,
			vec![
				(ms(0), "ws://a"),
				(ms(0), "ws://b"),
				(ms(0), "ws://c"),
				(ms(500), "ws://a"),
				(ms(0), "ws://b"),
				(ms(0), "ws://c"),
				(ms(1000), "ws://a"),
				(ms(0), "ws://b"),
				(ms(0), "ws://c"),
			]
		);
		let daemon = connect.retry_forever();
		let waits: Vec<_> = daemon.tries().step_by(3).map(|(wait, _)| wait).take(8).collect();
		assert_eq!(waits, [0, 500, 1000, 2000, 4000, 8000, 16000, 30000].map(ms));
	}

	#[test]
	fn failing_over_starts_at_the_next_url() {
		let connect = Connect::any(["ws://a", "ws://b", "ws://c"]).unwrap();
		assert_eq!(connect.starting_after("ws://a").urls(), ["ws://b", "ws://c", "ws://a"]);
		assert_eq!(connect.starting_after("ws://c").urls(), ["ws://a", "ws://b", "ws://c"]);
		assert_eq!(connect.starting_after("ws://z").urls(), connect.urls());
		assert_eq!(connect.starting_at("ws://b").urls(), ["ws://b", "ws://c", "ws://a"]);
		let next = connect.starting_after("ws://b");
		let first: Vec<_> = next.tries().take(3).map(|(_, url)| url).collect();
		assert_eq!(first, ["ws://c", "ws://a", "ws://b"]);
		assert_eq!(Connect::new("ws://a").starting_after("ws://a").urls(), ["ws://a"]);
	}

	#[test]
	fn urls_are_checked_and_given_once() {
		let connect = Connect::any(["ws://a:9944", " wss://b.example ", "ws://a:9944"]).unwrap();
		assert_eq!(connect.urls(), ["ws://a:9944", "wss://b.example"]);
		for (urls, expected) in [
			(vec![], "no node URL"),
			(vec!["ws://a", "http://127.0.0.1:9944"], "must start with ws:// or wss://"),
			(vec!["127.0.0.1:9944"], "`127.0.0.1:9944` is not a node URL"),
			(vec!["ws://"], "names no host"),
		] {
			let error = Connect::any(urls).unwrap_err();
			assert!(matches!(&error, Error::Usage(m) if m.contains(expected)), "{error}");
			assert!(!error.to_string().contains('\n'));
		}
	}

	#[test]
	fn a_daemon_retries_its_one_node_forever_and_one_of_several_briefly() {
		let one = Connect::forever("ws://a");
		assert_eq!(one.reconnect_policy().take(100).count(), 100);
		let several = Connect::any(["ws://a", "ws://b"]).unwrap().retry_forever();
		let waits: Vec<_> = several.reconnect_policy().collect();
		assert!(!waits.is_empty());
		assert!(waits.iter().sum::<Duration>() <= several.failover_after, "{waits:?}");
		assert_eq!(Connect::any(["ws://a", "ws://b"]).unwrap().reconnect_policy().count(), 0);
	}

	#[tokio::test]
	async fn unreachable_names_every_url_tried() {
		let closed = || {
			let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
			format!("ws://127.0.0.1:{}", listener.local_addr().unwrap().port())
		};
		let urls = [closed(), closed()];
		let connect =
			Connect { attempts: 2, first_delay: ms(1), ..Connect::any(urls.clone()).unwrap() };
		let Err(error) = Chain::connect(&connect).await else { panic!("nothing listens there") };
		let Error::Unreachable { tried } = &error else { panic!("{error}") };
		assert_eq!(tried.iter().map(|(url, _)| url.clone()).collect::<Vec<_>>(), urls);
		let text = error.to_string();
		assert!(text.contains(&urls[0]) && text.contains(&urls[1]), "{text}");
		assert!(!text.contains('\n'), "{text}");
	}
}
