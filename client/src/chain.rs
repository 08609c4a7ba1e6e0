//! One connection to an AITBC node: subxt for transactions, storage and blocks, the raw RPC
//! client for the node's `aitbc_*` and `system_*` methods.

use std::{
	collections::HashMap,
	future::Future,
	pin::Pin,
	sync::{Arc, Mutex},
	time::Duration,
};

use serde::de::DeserializeOwned;
use subxt::{
	config::PolkadotExtrinsicParamsBuilder,
	extrinsics::ExtrinsicEvents,
	rpcs::{rpc_params, RpcClient},
	transactions::{Payload, TransactionStatus},
	OnlineClient,
};

use crate::{
	error::dispatch_error_text,
	json::{JobJson, MinerJson, ParametersJson, QuoteJson, ReceiptJson},
	keys::Key,
	AccountId, Config, Error,
};

/// How to connect: the URL and how many times to try, with exponential backoff.
#[derive(Clone, Debug)]
pub struct Connect {
	/// `ws://` or `wss://` URL of the node's RPC.
	pub url: String,
	/// Tries before giving up (`u32::MAX`: forever).
	pub attempts: u32,
	/// Wait after the first failure; doubled after each one.
	pub first_delay: Duration,
	/// The longest wait between tries.
	pub max_delay: Duration,
}

impl Connect {
	/// Three tries, 0.5 s then 1 s apart: for people and agents, who want an answer.
	pub fn new(url: impl Into<String>) -> Self {
		Connect {
			url: url.into(),
			attempts: 3,
			first_delay: Duration::from_millis(500),
			max_delay: Duration::from_secs(4),
		}
	}

	/// Forever, backing off up to 30 s: for daemons.
	pub fn forever(url: impl Into<String>) -> Self {
		Connect { attempts: u32::MAX, max_delay: Duration::from_secs(30), ..Connect::new(url) }
	}

	/// The wait after failed try number `attempt` (0-based).
	pub fn delay(&self, attempt: u32) -> Duration {
		self.first_delay.saturating_mul(1u32 << attempt.min(16)).min(self.max_delay)
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
	url: String,
	/// The next nonce this client will use per signer (covers transactions the node's pool
	/// has not reported yet).
	nonces: Arc<Mutex<HashMap<[u8; 32], u64>>>,
	/// Serialises nonce assignment and pool submission per process.
	submit_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Chain {
	/// Connects, retrying as `connect` says; logs each failed try.
	pub async fn connect(connect: &Connect) -> Result<Self, Error> {
		let mut attempt = 0u32;
		loop {
			match Self::connect_once(&connect.url).await {
				Ok(chain) => return Ok(chain),
				Err(reason) => {
					attempt = attempt.saturating_add(1);
					if attempt >= connect.attempts {
						return Err(Error::Unreachable { url: connect.url.clone(), reason });
					}
					let delay = connect.delay(attempt.saturating_sub(1));
					tracing::warn!(url = %connect.url, attempt, retry_in_ms = delay.as_millis() as u64, %reason, "node unreachable");
					tokio::time::sleep(delay).await;
				}
			}
		}
	}

	async fn connect_once(url: &str) -> Result<Self, String> {
		let rpc = RpcClient::from_insecure_url(url).await.map_err(|e| e.to_string())?;
		let api = OnlineClient::<Config>::from_rpc_client(rpc.clone())
			.await
			.map_err(|e| e.to_string())?;
		Ok(Chain {
			api,
			rpc,
			url: url.to_string(),
			nonces: Arc::default(),
			submit_lock: Arc::default(),
		})
	}

	/// The subxt client.
	pub fn api(&self) -> &OnlineClient<Config> {
		&self.api
	}

	/// The chain's genesis hash, as receipt payloads (v2) and operator proofs bind it.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.api.genesis_hash().0
	}

	/// The URL connected to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// A raw JSON-RPC call.
	pub async fn request<R: DeserializeOwned>(
		&self,
		method: &str,
		params: subxt::rpcs::client::RpcParams,
	) -> Result<R, Error> {
		self.rpc.request(method, params).await.map_err(Error::from)
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
	pub async fn send<C: Payload>(&self, call: &C, key: &Key) -> Result<Pending, Error> {
		let account = key.account();
		let mut progress = {
			let _guard = self.submit_lock.lock().await;
			let on_chain: u64 =
				self.request("system_accountNextIndex", rpc_params![account.to_string()]).await?;
			let nonce = {
				let nonces = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
				nonces.get(&account.0).copied().unwrap_or(0).max(on_chain)
			};
			let params = PolkadotExtrinsicParamsBuilder::<Config>::new().nonce(nonce).build();
			let at = self.api.at_current_block().await.map_err(|e| Error::Rpc(e.to_string()))?;
			let signed = at
				.transactions()
				.create_signed(call, key.pair(), params)
				.await
				.map_err(|e| Error::Rejected(e.to_string()))?;
			let progress = signed.submit_and_watch().await.map_err(|e| {
				self.forget_nonce(&account);
				Error::Rejected(e.to_string())
			})?;
			self.nonces
				.lock()
				.unwrap_or_else(|e| e.into_inner())
				.insert(account.0, nonce.saturating_add(1));
			progress
		};
		let chain = self.clone();
		Ok(Pending(Box::pin(async move {
			loop {
				let status = match progress.next().await {
					Some(Ok(status)) => status,
					Some(Err(e)) => return Err(Error::Rpc(e.to_string())),
					None => return Err(Error::Rpc("the node closed the transaction watch".into())),
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
							Err(e) => Err(Error::Rpc(e.to_string())),
						};
					}
					TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message }
					| TransactionStatus::Error { message } => {
						chain.forget_nonce(&account);
						return Err(Error::Rejected(message));
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
	pub async fn job(&self, job_id: u64) -> Result<Option<JobJson>, Error> {
		self.request("aitbc_job", rpc_params![job_id]).await
	}

	/// The newest jobs, optionally of one client and in one status (`aitbc_jobs`).
	pub async fn jobs(
		&self,
		client: Option<&AccountId>,
		status: Option<&str>,
		limit: Option<u32>,
	) -> Result<Vec<JobJson>, Error> {
		// Prefix 42 is accepted by every node (a registered prefix); it names the same key.
		let client = client.map(|c| c.to_string());
		self.request("aitbc_jobs", rpc_params![client, status, limit]).await
	}

	/// A miner by operator (`aitbc_miner`).
	pub async fn miner(&self, operator: &AccountId) -> Result<Option<MinerJson>, Error> {
		self.request("aitbc_miner", rpc_params![operator.to_string()]).await
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

	/// `(free, reserved + held)` of `who` at the best block, read with `state_getStorage`.
	pub async fn account_info(&self, who: &AccountId) -> Result<(u128, u128), Error> {
		use codec::Decode;
		let key = account_storage_key(who);
		let raw: Option<String> = self
			.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key))])
			.await?;
		let Some(raw) = raw else { return Ok((0, 0)) };
		let bytes =
			hex::decode(raw.trim_start_matches("0x")).map_err(|e| Error::Rpc(e.to_string()))?;
		// frame_system::AccountInfo { nonce: u32, consumers: u32, providers: u32,
		// sufficients: u32, data: AccountData { free, reserved, frozen, flags } }
		let mut input = bytes.get(16..).unwrap_or_default();
		let free = u128::decode(&mut input).map_err(|e| Error::Rpc(e.to_string()))?;
		let reserved = u128::decode(&mut input).map_err(|e| Error::Rpc(e.to_string()))?;
		Ok((free, reserved))
	}

	/// The best block number.
	pub async fn best_number(&self) -> Result<u64, Error> {
		let header: serde_json::Value = self.request("chain_getHeader", rpc_params![]).await?;
		parse_number(&header["number"])
	}

	/// The finalized block number.
	pub async fn finalized_number(&self) -> Result<u64, Error> {
		let hash: String = self.request("chain_getFinalizedHead", rpc_params![]).await?;
		let header: serde_json::Value = self.request("chain_getHeader", rpc_params![hash]).await?;
		parse_number(&header["number"])
	}
}

fn parse_number(value: &serde_json::Value) -> Result<u64, Error> {
	let text = value.as_str().unwrap_or_default();
	u64::from_str_radix(text.trim_start_matches("0x"), 16)
		.map_err(|_| Error::Rpc(format!("bad block number `{value}`")))
}

/// `System::Account(who)`: twox128("System") ++ twox128("Account") ++ blake2_128(who) ++ who.
fn account_storage_key(who: &AccountId) -> Vec<u8> {
	use sp_crypto_hashing::{blake2_128, twox_128};
	let mut key = twox_128(b"System").to_vec();
	key.extend_from_slice(&twox_128(b"Account"));
	key.extend_from_slice(&blake2_128(&who.0));
	key.extend_from_slice(&who.0);
	key
}
