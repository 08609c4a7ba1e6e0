//! # `aitbc_*`: the marketplace over JSON-RPC
//!
//! Each method reads the runtime API [`MarketplaceApi`] at the best block, or at the block
//! whose hash is passed as the optional last parameter `at`, and answers with the JSON objects
//! of [`aitbc_primitives::json`] (documented in `docs/rpc.md`). Balances are decimal strings
//! (they exceed JSON's safe integers); accounts are SS58 strings with the chain's prefix; model
//! ids, prompts, outputs and reasons are UTF-8 strings; statuses, unit types and failure
//! reasons are the chain's own enums, spelled snake_case.
//!
//! Errors carry the codes of [`Error`]; a parameter that does not parse (e.g. an unknown
//! status name) is JSON-RPC's `-32602` (invalid params).
//!
//! Generic over the block, the account id and the balance, like
//! `pallet-transaction-payment-rpc`: the node instantiates it with its runtime's types.

mod convert;

use std::{fmt::Display, marker::PhantomData, sync::Arc};

use aitbc_primitives::{
	json::{JobJson, MinerJson, ParametersJson, QuoteJson, ReceiptJson},
	JobId, JobStatus, ReceiptId,
};
pub use aitbc_runtime_api::{MarketplaceApi, MAX_LIST_LIMIT};
use codec::Codec;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use serde::de::DeserializeOwned;
use sp_api::{ApiExt, ApiRef, ProvideRuntimeApi, RuntimeApiInfo};
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

/// The `limit` of a listing that names none.
pub const DEFAULT_LIMIT: u32 = 100;

/// The `aitbc_*` methods. `at`: the block to read at (default: the best block).
#[rpc(server, namespace = "aitbc")]
pub trait MarketplaceRpc<BlockHash, AccountId> {
	/// A job by id.
	#[method(name = "job")]
	fn job(&self, job_id: JobId, at: Option<BlockHash>) -> RpcResult<Option<JobJson>>;
	/// The newest jobs, optionally of one client and/or in one status; with `before`, only
	/// ids below it (the next page: `before` = the smallest id of the last one).
	#[method(name = "jobs")]
	fn jobs(
		&self,
		client: Option<AccountId>,
		status: Option<JobStatus>,
		limit: Option<u32>,
		before: Option<JobId>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<JobJson>>;
	/// The jobs an operator holds now (assigned or running), oldest first.
	#[method(name = "heldJobs")]
	fn held_jobs(&self, operator: AccountId, at: Option<BlockHash>) -> RpcResult<Vec<JobJson>>;
	/// A miner by operator key.
	#[method(name = "miner")]
	fn miner(&self, operator: AccountId, at: Option<BlockHash>) -> RpcResult<Option<MinerJson>>;
	/// Registered miners.
	#[method(name = "miners")]
	fn miners(&self, limit: Option<u32>, at: Option<BlockHash>) -> RpcResult<Vec<MinerJson>>;
	/// A receipt by id.
	#[method(name = "receipt")]
	fn receipt(
		&self,
		receipt_id: ReceiptId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ReceiptJson>>;
	/// The newest receipts, or the receipt of one job.
	#[method(name = "receipts")]
	fn receipts(
		&self,
		job_id: Option<JobId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ReceiptJson>>;
	/// What a job of `max_tokens` on `model` costs now.
	#[method(name = "quote")]
	fn quote(&self, model: String, max_tokens: u32, at: Option<BlockHash>) -> RpcResult<QuoteJson>;
	/// The marketplace parameters.
	#[method(name = "parameters")]
	fn parameters(&self, at: Option<BlockHash>) -> RpcResult<ParametersJson>;
}

/// The error codes of the `aitbc_*` methods (besides JSON-RPC's own, e.g. `-32602`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
	/// The runtime API call failed (e.g. the runtime at `at` has no marketplace API).
	RuntimeError,
	/// `at` names a block this node does not have.
	UnknownBlock,
}

impl Error {
	/// The JSON-RPC error code.
	pub const fn code(self) -> i32 {
		match self {
			Error::RuntimeError => 9000,
			Error::UnknownBlock => 9001,
		}
	}

	fn with(self, message: impl Display) -> ErrorObjectOwned {
		ErrorObject::owned(self.code(), message.to_string(), None::<()>)
	}
}

/// The types a [`Marketplace`] serves, as a zero-sized marker.
type Types<Block, AccountId, Balance> = PhantomData<fn() -> (Block, AccountId, Balance)>;

/// The `aitbc_*` methods over a client of blocks `Block` whose runtime has the marketplace API
/// with accounts `AccountId` and balances `Balance`.
pub struct Marketplace<C, Block, AccountId, Balance> {
	client: Arc<C>,
	_types: Types<Block, AccountId, Balance>,
}

impl<C, Block, AccountId, Balance> Marketplace<C, Block, AccountId, Balance> {
	/// The methods over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _types: PhantomData }
	}
}

fn limit(limit: Option<u32>) -> u32 {
	limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIST_LIMIT)
}

impl<C, Block, AccountId, Balance> Marketplace<C, Block, AccountId, Balance>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	C::Api: MarketplaceApi<Block, AccountId, Balance>,
	AccountId: Codec,
	Balance: Codec,
{
	/// The runtime API and the block to call it at: `at` if this node has it, else the best.
	/// The runtime there must have the [`MarketplaceApi`] version this crate was built
	/// against (or a later one).
	fn at(&self, at: Option<Block::Hash>) -> RpcResult<(ApiRef<'_, C::Api>, Block::Hash)> {
		let hash = match at {
			Some(hash) => {
				let known = self.client.header(hash).map_err(|e| Error::UnknownBlock.with(e))?;
				known.ok_or_else(|| Error::UnknownBlock.with(format!("unknown block {hash}")))?;
				hash
			}
			None => self.client.info().best_hash,
		};
		let api = self.client.runtime_api();
		let wanted = <dyn MarketplaceApi<Block, AccountId, Balance> as RuntimeApiInfo>::VERSION;
		match api.api_version::<dyn MarketplaceApi<Block, AccountId, Balance>>(hash) {
			Ok(Some(version)) if version >= wanted => Ok((api, hash)),
			Ok(Some(version)) => Err(Error::RuntimeError.with(format!(
				"the runtime at block {hash} has MarketplaceApi version {version}; this node reads version {wanted} (upgrade the runtime, or query a later block)"
			))),
			Ok(None) => Err(Error::RuntimeError
				.with(format!("the runtime at block {hash} has no MarketplaceApi"))),
			Err(e) => Err(api_error(e)),
		}
	}
}

fn api_error(e: sp_api::ApiError) -> ErrorObjectOwned {
	Error::RuntimeError.with(format!("runtime API call failed: {e}"))
}

impl<C, Block, AccountId, Balance> MarketplaceRpcServer<Block::Hash, AccountId>
	for Marketplace<C, Block, AccountId, Balance>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MarketplaceApi<Block, AccountId, Balance>,
	AccountId: Codec + Clone + Display + DeserializeOwned + Send + Sync + 'static,
	Balance: Codec + Copy + Into<u128> + Send + Sync + 'static,
{
	fn job(&self, job_id: JobId, at: Option<Block::Hash>) -> RpcResult<Option<JobJson>> {
		let (api, at) = self.at(at)?;
		Ok(api.job(at, job_id).map_err(api_error)?.map(convert::job))
	}

	fn jobs(
		&self,
		client: Option<AccountId>,
		status: Option<JobStatus>,
		limit_: Option<u32>,
		before: Option<JobId>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<JobJson>> {
		let (api, at) = self.at(at)?;
		let jobs = api.jobs(at, client, status, before, limit(limit_)).map_err(api_error)?;
		Ok(jobs.into_iter().map(convert::job).collect())
	}

	fn held_jobs(&self, operator: AccountId, at: Option<Block::Hash>) -> RpcResult<Vec<JobJson>> {
		let (api, at) = self.at(at)?;
		let jobs = api.held_jobs(at, operator).map_err(api_error)?;
		Ok(jobs.into_iter().map(convert::job).collect())
	}

	fn miner(&self, operator: AccountId, at: Option<Block::Hash>) -> RpcResult<Option<MinerJson>> {
		let (api, at) = self.at(at)?;
		Ok(api.miner(at, operator).map_err(api_error)?.map(convert::miner))
	}

	fn miners(&self, limit_: Option<u32>, at: Option<Block::Hash>) -> RpcResult<Vec<MinerJson>> {
		let (api, at) = self.at(at)?;
		let miners = api.miners(at, limit(limit_)).map_err(api_error)?;
		Ok(miners.into_iter().map(convert::miner).collect())
	}

	fn receipt(
		&self,
		receipt_id: ReceiptId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ReceiptJson>> {
		let (api, at) = self.at(at)?;
		Ok(api.receipt(at, receipt_id).map_err(api_error)?.map(convert::receipt))
	}

	fn receipts(
		&self,
		job_id: Option<JobId>,
		limit_: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ReceiptJson>> {
		let (api, at) = self.at(at)?;
		let receipts = match job_id {
			Some(job_id) => {
				api.receipt_of_job(at, job_id).map_err(api_error)?.into_iter().collect()
			}
			None => api.receipts(at, limit(limit_)).map_err(api_error)?,
		};
		Ok(receipts.into_iter().map(convert::receipt).collect())
	}

	fn quote(
		&self,
		model: String,
		max_tokens: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<QuoteJson> {
		let (api, at) = self.at(at)?;
		let quote = api.quote(at, model.clone().into_bytes(), max_tokens).map_err(api_error)?;
		Ok(QuoteJson {
			model,
			max_tokens,
			available_miners: quote.available_miners,
			min_price: quote.min_price.map(Into::into),
		})
	}

	fn parameters(&self, at: Option<Block::Hash>) -> RpcResult<ParametersJson> {
		let (api, at) = self.at(at)?;
		Ok(convert::parameters(api.parameters(at).map_err(api_error)?))
	}
}
