//! Transactions of one signer at a high rate: no RPC per transaction but the submission, no
//! watch per transaction.
//!
//! [`Sender`] keeps the signer's next nonce locally (read once from the node, and again after a
//! reset or a refusal that says the nonce is stale), signs against the best block the caller's
//! block subscription last gave it ([`Sender::on_block`]: its runtime and metadata) with a
//! mortality checkpoint that no fork retracts (the finalized block when it is recent, else the
//! best block less two), and hands the bytes to the pool with `author_submitExtrinsic`.
//!
//! The outcome of each transaction comes from that same subscription: for each new best block
//! the caller passes the block and its events, and the sender resolves the transactions in its
//! body (success, or `ExtrinsicFailed` with the pallet error's name and doc). When one has
//! waited [`STALL_BLOCKS`] unseen, the node's next nonce tells what became of them: a nonce the
//! chain used without the transaction being seen is [`Inclusion::Lost`] (the caller reads the
//! state again); the one transaction at the node's next nonce left the pool, and is signed
//! again at the same nonce (or, when the pool no longer takes its content, the nonce is filled
//! with a `System::remark`), so that the transactions after it, waiting in the pool's future
//! queue, still land; those stay pending for another check.
//!
//! Pool refusals: only the runtime's verdict on the call (`CheckJobCalls`' custom validity
//! errors) is [`Error::Rejected`]; a taken nonce is read again, a stale checkpoint (bad
//! signature, ancient birth block) refreshed once, and any other refusal (pool full, banned for
//! a while, fees) is an [`Error::Rpc`] the caller may try again.

use std::{
	collections::HashSet,
	sync::{Arc, Mutex},
};

use subxt::{
	config::PolkadotExtrinsicParamsBuilder, events::Phase, transactions::Payload, utils::H256,
	OnlineClientAtBlock,
};
use subxt_signer::sr25519::Keypair;
use tokio::sync::oneshot;

use crate::{
	chain::{explain_pool_refusal, SubmitError, NONCE_TRIES, NOT_HELD, TOO_MANY_OPEN},
	error::dispatch_error_text,
	keys::Key,
	runtime, Chain, Config, Error,
};

/// Blocks a transaction is valid for after its mortality checkpoint (a power of two).
pub const MORTALITY: u64 = 64;
/// Blocks a transaction may wait unseen before the nonce is read again to tell whether the pool
/// still has it.
pub const STALL_BLOCKS: u64 = 2;
/// Times a transaction that left the pool is signed again at its nonce before it is given up
/// (its nonce then filled with a remark).
const MAX_REFILLS: u32 = 3;

/// What became of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inclusion {
	/// In a best block, its dispatch succeeded.
	Included,
	/// In a best block, its dispatch failed, or the pool refused its content (the runtime's
	/// verdict): the reason.
	Failed(String),
	/// Not in a block and no longer expected to be (dropped by the pool and not taken again,
	/// or its nonce used without it being seen); it may or may not have been included. The
	/// caller reads the state again and sends anew what is still to do.
	Lost(String),
}

/// A transaction in the node's pool.
#[must_use = "a sent transaction's outcome is only known through `included`"]
pub struct Sent {
	/// The transaction's hash (when first sent; signed again at the same nonce, it changes).
	pub hash: H256,
	outcome: oneshot::Receiver<Inclusion>,
}

impl Sent {
	/// Waits until the transaction's fate is known.
	pub async fn included(self) -> Inclusion {
		self.outcome.await.unwrap_or_else(|_| Inclusion::Lost("the sender was dropped".into()))
	}
}

/// Signs a transaction's content at a nonce against a block, with a checkpoint.
type Resign = Arc<
	dyn Fn(&OnlineClientAtBlock<Config>, &Keypair, u64, Checkpoint) -> Result<Signed, String>
		+ Send
		+ Sync,
>;

/// The block a transaction's mortality starts at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Checkpoint {
	number: u64,
	hash: H256,
}

/// A signed transaction.
struct Signed {
	hash: H256,
	bytes: Vec<u8>,
}

/// Sends the transactions of one signer; see the module documentation.
pub struct Sender {
	key: Key,
	state: Mutex<State>,
	/// Serialises nonce assignment and pool submission (and the check for lost transactions),
	/// so that nonces reach the pool in order and a refused one is used again.
	submit_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
	/// The next nonce to use; `None`: read it from the node.
	next_nonce: Option<u64>,
	/// The newest best block seen, to sign against.
	best: Option<Arc<OnlineClientAtBlock<Config>>>,
	/// The mortality checkpoint, and the best block number it was chosen for.
	checkpoint: Option<(u64, Checkpoint)>,
	/// The finalized block last read.
	finalized: Option<Checkpoint>,
	/// Transactions in the pool (or maybe in it), oldest first.
	pending: Vec<InFlight>,
}

/// A transaction sent and not yet resolved.
struct InFlight {
	/// Its hashes: each signing at its nonce has its own.
	hashes: Vec<H256>,
	nonce: u64,
	/// The best block number when it was sent or last checked: it is checked again
	/// [`STALL_BLOCKS`] after (0: at the next block).
	since: u64,
	/// To sign its content again at its nonce.
	resign: Resign,
	/// Its sender's reply; `None` for a remark filling a nonce.
	reply: Option<oneshot::Sender<Inclusion>>,
	/// Times it was signed again at its nonce.
	refills: u32,
}

impl InFlight {
	fn resolve(self, inclusion: Inclusion) {
		if let Some(reply) = self.reply {
			let _ = reply.send(inclusion);
		}
	}
}

/// What a pool refusal means for the sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
	/// The runtime refused the call itself (`CheckJobCalls`: not held, too many open).
	Verdict,
	/// The same transaction is in the pool already.
	InPool,
	/// Another transaction of the signer is in the pool at this nonce (priority too low).
	NonceTaken,
	/// A block used the nonce (outdated).
	NonceUsed,
	/// The mortality checkpoint is not on the node's chain any more (bad signature, ancient
	/// birth block): sign again against a fresh one.
	StaleCheckpoint,
	/// Anything else (pool full, temporarily banned, cannot pay the fees, ...): may pass later.
	Temporary,
}

/// Sorts the pool's refusal `message`.
fn classify_refusal(message: &str) -> Refusal {
	let lower = message.to_ascii_lowercase();
	let custom = lower.split("custom error: ").nth(1).map(|rest| {
		rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u8>().ok()
	});
	if matches!(custom, Some(Some(code)) if code == NOT_HELD || code == TOO_MANY_OPEN) {
		Refusal::Verdict
	} else if lower.contains("already imported") {
		Refusal::InPool
	} else if lower.contains("priority") && lower.contains("too low") {
		Refusal::NonceTaken
	} else if lower.contains("outdated") {
		Refusal::NonceUsed
	} else if lower.contains("bad signature") || lower.contains("ancient birth block") {
		Refusal::StaleCheckpoint
	} else {
		Refusal::Temporary
	}
}

/// The block number to take as mortality checkpoint with the best block `best` and the
/// finalized block `finalized`: the finalized one when within half the mortality, else the
/// best less two (a fork deeper than that is unlikely; a refusal refreshes it anyway).
fn checkpoint_number(best: u64, finalized: u64) -> u64 {
	if finalized <= best && best - finalized <= MORTALITY / 2 {
		finalized
	} else {
		best.saturating_sub(2)
	}
}

/// What the lost check does with a pending transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
	/// In the pool, ready or waiting on an earlier nonce: check again later.
	Waiting,
	/// Its nonce was used by a block without it being seen: outcome unknown.
	NonceUsed,
	/// At the node's next nonce and not in the pool: sign it again at its nonce.
	Refill,
}

/// The lost check's verdict on a transaction with `nonce`, given the chain's nonce at the
/// checked block (`used`) and the node's next nonce (`next`: past the ready transactions).
fn check(nonce: u64, used: u64, next: u64) -> Check {
	if nonce < used {
		Check::NonceUsed
	} else if nonce == next {
		Check::Refill
	} else {
		Check::Waiting
	}
}

/// Signs `call` at `nonce` against `at` with mortality from `checkpoint`.
fn sign<C: Payload>(
	at: &OnlineClientAtBlock<Config>,
	pair: &Keypair,
	call: &C,
	nonce: u64,
	checkpoint: Checkpoint,
) -> Result<Signed, String> {
	let params = PolkadotExtrinsicParamsBuilder::<Config>::new()
		.nonce(nonce)
		.mortal_from_unchecked(MORTALITY, checkpoint.number, checkpoint.hash)
		.build();
	let signed = at
		.tx()
		.create_signable_offline(call, params)
		.and_then(|mut signable| signable.sign(pair))
		.map_err(|e| e.to_string())?;
	Ok(Signed { hash: signed.hash(), bytes: signed.encoded().to_vec() })
}

/// `call`, kept to be signed again.
fn resigner<C: Payload + Send + Sync + 'static>(call: C) -> Resign {
	Arc::new(move |at, pair, nonce, checkpoint| sign(at, pair, &call, nonce, checkpoint))
}

/// Fills a nonce: `System::remark` with nothing.
fn remark() -> Resign {
	resigner(runtime::transactions().system().remark(Vec::new()))
}

/// What became of one signing handed to the pool.
enum Handed {
	/// The pool took it (or has it already).
	Taken(H256),
	/// The pool may have it (the answer was lost).
	Unsure(H256, Error),
	/// The pool refused it.
	Refused(Refusal, String),
}

impl Sender {
	/// A sender signing with `key`.
	pub fn new(key: Key) -> Self {
		Sender { key, state: Mutex::default(), submit_lock: tokio::sync::Mutex::new(()) }
	}

	fn state(&self) -> std::sync::MutexGuard<'_, State> {
		self.state.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// How many transactions wait for their outcome.
	pub fn pending(&self) -> usize {
		self.state().pending.iter().filter(|tx| tx.reply.is_some()).count()
	}

	/// Signs `call` with the next local nonce against the newest best block and hands it to the
	/// pool. A refusal because the nonce is taken or outdated reads the nonce again and signs
	/// again (at most [`NONCE_TRIES`] times), a stale checkpoint is refreshed once; the
	/// runtime's refusal of the call is [`Error::Rejected`], any other refusal an
	/// [`Error::Rpc`] worth trying again later. The nonce of a refused transaction is used by
	/// the next one. When the pool's answer is lost, the transaction is kept as sent: the next
	/// block's check finds out.
	pub async fn send<C>(&self, chain: &Chain, call: C) -> Result<Sent, Error>
	where
		C: Payload + Send + Sync + 'static,
	{
		let resign = resigner(call);
		let _guard = self.submit_lock.lock().await;
		let mut tries = 0;
		let mut refreshed = false;
		loop {
			tries += 1;
			let nonce = self.nonce(chain).await?;
			let (best, checkpoint) = self.best_and_checkpoint(chain).await?;
			let signed = resign(&best, self.key.pair(), nonce, checkpoint).map_err(Error::Rpc)?;
			let (reply, outcome) = oneshot::channel();
			// In the list before the pool has it: the block including it may come first.
			self.state().pending.push(InFlight {
				hashes: vec![signed.hash],
				nonce,
				since: best.block_number(),
				resign: resign.clone(),
				reply: Some(reply),
				refills: 0,
			});
			match self.hand(chain, &signed).await {
				Handed::Taken(hash) => {
					self.state().next_nonce = Some(nonce.saturating_add(1));
					return Ok(Sent { hash, outcome });
				}
				Handed::Unsure(hash, error) => {
					tracing::debug!(%error, ?hash, nonce, "no answer from the pool; checking at the next block");
					let mut state = self.state();
					state.next_nonce = Some(nonce.saturating_add(1));
					if let Some(tx) = state.pending.iter_mut().find(|tx| tx.hashes[0] == hash) {
						tx.since = 0;
					}
					return Ok(Sent { hash, outcome });
				}
				Handed::Refused(refusal, message) => {
					let mut state = self.state();
					state.pending.retain(|tx| tx.hashes[0] != signed.hash);
					match refusal {
						Refusal::NonceTaken | Refusal::NonceUsed if tries < NONCE_TRIES => {
							tracing::debug!(%message, nonce, "nonce outdated or taken; reading it again");
							state.next_nonce = None;
						}
						Refusal::StaleCheckpoint if !refreshed => {
							tracing::debug!(%message, "stale mortality checkpoint; signing again");
							refreshed = true;
							state.best = None;
							state.checkpoint = None;
							state.finalized = None;
						}
						Refusal::Verdict => {
							return Err(Error::Rejected(explain_pool_refusal(message)))
						}
						refusal => {
							if matches!(refusal, Refusal::NonceTaken | Refusal::NonceUsed) {
								state.next_nonce = None;
							}
							if refusal == Refusal::StaleCheckpoint {
								state.best = None;
								state.checkpoint = None;
							}
							return Err(Error::Rpc(format!(
								"refused by the pool for now: {}",
								explain_pool_refusal(message)
							)));
						}
					}
				}
			}
		}
	}

	/// Hands `signed` to the pool.
	async fn hand(&self, chain: &Chain, signed: &Signed) -> Handed {
		match chain.submit_extrinsic(&signed.bytes).await {
			Ok(()) => Handed::Taken(signed.hash),
			Err(SubmitError::Unsure(error)) => Handed::Unsure(signed.hash, error),
			Err(SubmitError::Refused(message)) => match classify_refusal(&message) {
				Refusal::InPool => Handed::Taken(signed.hash),
				refusal => Handed::Refused(refusal, message),
			},
		}
	}

	/// The nonce to sign with, read from the node when unknown.
	async fn nonce(&self, chain: &Chain) -> Result<u64, Error> {
		if let Some(nonce) = self.state().next_nonce {
			return Ok(nonce);
		}
		let nonce = chain.account_next_index(&self.key.account()).await?;
		self.state().next_nonce = Some(nonce);
		Ok(nonce)
	}

	/// The block to sign against (read from the node when unknown) and the mortality
	/// checkpoint for it (see [`checkpoint_number`]).
	async fn best_and_checkpoint(
		&self,
		chain: &Chain,
	) -> Result<(Arc<OnlineClientAtBlock<Config>>, Checkpoint), Error> {
		let (best, checkpoint, finalized) = {
			let state = self.state();
			(state.best.clone(), state.checkpoint, state.finalized)
		};
		let best = match best {
			Some(best) => best,
			None => {
				let best = Arc::new(chain.at_best().await?);
				self.state().best.get_or_insert(best).clone()
			}
		};
		let number = best.block_number();
		if let Some((chosen_for, checkpoint)) = checkpoint {
			if chosen_for == number {
				return Ok((best, checkpoint));
			}
		}
		// The finalized block, read again once it may be too old.
		let finalized = match finalized {
			Some(finalized) if checkpoint_number(number, finalized.number) == finalized.number => {
				finalized
			}
			_ => {
				let (number, hash) = chain.finalized_head().await?;
				let finalized = Checkpoint { number, hash };
				self.state().finalized = Some(finalized);
				finalized
			}
		};
		let wanted = checkpoint_number(number, finalized.number);
		let checkpoint = if wanted == finalized.number {
			finalized
		} else if wanted == number {
			Checkpoint { number, hash: best.block_hash() }
		} else {
			match chain.block_hash(wanted).await? {
				Some(hash) => Checkpoint { number: wanted, hash },
				None => Checkpoint { number, hash: best.block_hash() },
			}
		};
		self.state().checkpoint = Some((number, checkpoint));
		Ok((best, checkpoint))
	}

	/// Takes a new best block `at` with its `events`: signs against it from now on, resolves the
	/// pending transactions in its body, and, when one has waited [`STALL_BLOCKS`] unseen, checks
	/// what became of them (see the module documentation). An error leaves every pending
	/// transaction pending: the next block checks again.
	pub async fn on_block(
		&self,
		chain: &Chain,
		at: OnlineClientAtBlock<Config>,
		events: &subxt::events::Events<Config>,
	) -> Result<(), Error> {
		let number = at.block_number();
		let at = Arc::new(at);
		let stalled = {
			let mut state = self.state();
			state.best = Some(at.clone());
			if state.pending.is_empty() {
				return Ok(());
			}
			state.pending.iter().any(|tx| number >= tx.since.saturating_add(STALL_BLOCKS))
		};
		let extrinsics = at.extrinsics().fetch().await.map_err(|e| chain.error(e))?;
		let in_block: Vec<(H256, u32)> = extrinsics
			.iter()
			.filter_map(Result::ok)
			.map(|ext| (ext.hash(), ext.index() as u32))
			.collect();
		let hashes: HashSet<H256> = in_block.iter().map(|(hash, _)| *hash).collect();
		let found: Vec<InFlight> = {
			let mut state = self.state();
			let (found, waiting) = state
				.pending
				.drain(..)
				.partition(|tx| tx.hashes.iter().any(|hash| hashes.contains(hash)));
			state.pending = waiting;
			found
		};
		for tx in found {
			let index = in_block
				.iter()
				.find(|(hash, _)| tx.hashes.contains(hash))
				.map(|(_, index)| *index)
				.unwrap_or_default();
			tx.resolve(dispatch_outcome(&at, events, index));
		}
		if stalled {
			self.check_lost(chain, &at).await?;
		}
		Ok(())
	}

	/// The lost check at block `at`: pending transactions whose nonce a block used without
	/// them being seen are lost; the one at the node's next nonce left the pool and is signed
	/// again at its nonce (its content, or a remark once the pool refuses that), again while
	/// that lets the node's next nonce move on; the others wait for another check.
	async fn check_lost(
		&self,
		chain: &Chain,
		at: &OnlineClientAtBlock<Config>,
	) -> Result<(), Error> {
		let _guard = self.submit_lock.lock().await;
		let account = self.key.account();
		let used = match at
			.storage()
			.try_fetch(runtime::storage().system().account(), (account,))
			.await
			.map_err(|e| chain.error(e))?
		{
			Some(info) => u64::from(info.decode().map_err(|e| Error::Rpc(e.to_string()))?.nonce),
			None => 0,
		};
		let number = at.block_number();
		let mut next = chain.account_next_index(&account).await?;
		let lost: Vec<InFlight> = {
			let mut state = self.state();
			let (lost, waiting) = state
				.pending
				.drain(..)
				.partition(|tx| check(tx.nonce, used, next) == Check::NonceUsed);
			state.pending = waiting;
			lost
		};
		for tx in lost {
			tracing::debug!(hash = ?tx.hashes.last(), nonce = tx.nonce, used, "nonce used without the transaction seen");
			let reason = format!(
				"transaction {:?} (nonce {}): its nonce was used without it being seen in a block",
				tx.hashes.last(),
				tx.nonce
			);
			tx.resolve(Inclusion::Lost(reason));
		}
		// Fill the node's next nonce while a pending transaction waits on it.
		let (best, checkpoint) = self.best_and_checkpoint(chain).await?;
		let mut rounds = self.state().pending.len() + 1;
		while rounds > 0 {
			rounds -= 1;
			let (filler, waits) = {
				let mut state = self.state();
				let waits = state.pending.iter().any(|tx| tx.nonce >= next);
				let position = state
					.pending
					.iter()
					.position(|tx| check(tx.nonce, used, next) == Check::Refill);
				(position.map(|i| state.pending.remove(i)), waits)
			};
			if !waits {
				break;
			}
			let mut tx = match filler {
				Some(tx) if tx.refills < MAX_REFILLS || tx.reply.is_none() => tx,
				Some(tx) => {
					let reason = format!(
						"transaction (nonce {}) left the pool {} times",
						tx.nonce,
						tx.refills + 1
					);
					tx.resolve(Inclusion::Lost(reason));
					self.remark_at(next, number)
				}
				None => self.remark_at(next, number),
			};
			let signed = match (tx.resign)(&best, self.key.pair(), next, checkpoint) {
				Ok(signed) => signed,
				Err(e) => {
					tx.resolve(Inclusion::Lost(format!("cannot sign it again: {e}")));
					continue;
				}
			};
			tx.hashes.push(signed.hash);
			tx.refills += 1;
			tx.since = number;
			match self.hand(chain, &signed).await {
				Handed::Taken(_) => {
					tracing::debug!(
						nonce = next,
						remark = tx.reply.is_none(),
						"transaction left the pool; signed again at its nonce"
					);
					self.state().pending.push(tx);
				}
				Handed::Unsure(_, error) => {
					self.state().pending.push(tx);
					return Err(error);
				}
				Handed::Refused(Refusal::NonceTaken | Refusal::NonceUsed, message) => {
					// Its nonce is taken after all: the next check tells.
					tracing::debug!(%message, nonce = next, "nonce taken while signing again");
					self.state().pending.push(tx);
					break;
				}
				Handed::Refused(refusal, message) => {
					let message = explain_pool_refusal(message);
					tracing::debug!(%message, nonce = next, "the pool refuses it again; filling its nonce");
					if tx.reply.is_none() {
						// Even a remark is refused (pool full, fees): the next check again.
						tx.since = number;
						self.state().pending.push(tx);
						break;
					}
					tx.resolve(if refusal == Refusal::Verdict {
						Inclusion::Failed(message)
					} else {
						Inclusion::Lost(format!("left the pool, and refused again: {message}"))
					});
					// The next round fills the nonce with a remark.
					continue;
				}
			}
			// The pool takes the refilled one as ready: the node's next nonce moves past it,
			// to the next gap if there is one. If it does not (yet), the next check tells.
			let filled = next;
			next = chain.account_next_index(&account).await?;
			if next <= filled {
				break;
			}
		}
		let mut state = self.state();
		for tx in state.pending.iter_mut() {
			tx.since = tx.since.max(number);
		}
		let highest = state.pending.iter().map(|tx| tx.nonce.saturating_add(1)).max().unwrap_or(0);
		let local = state.next_nonce.unwrap_or(0);
		state.next_nonce = Some(local.max(next).max(highest));
		Ok(())
	}

	/// A remark to fill `nonce`.
	fn remark_at(&self, nonce: u64, number: u64) -> InFlight {
		InFlight {
			hashes: Vec::new(),
			nonce,
			since: number,
			resign: remark(),
			reply: None,
			refills: 0,
		}
	}

	/// After a lost connection: forgets the nonce and the block to sign against, and marks every
	/// pending transaction for a check at the next block (the node may or may not have kept
	/// them).
	pub async fn reset(&self) {
		let _guard = self.submit_lock.lock().await;
		let mut state = self.state();
		state.next_nonce = None;
		state.best = None;
		state.checkpoint = None;
		state.finalized = None;
		for tx in state.pending.iter_mut() {
			tx.since = 0;
		}
	}
}

/// The outcome of the extrinsic at `index` of the block `at`, from the block's `events`.
fn dispatch_outcome(
	at: &OnlineClientAtBlock<Config>,
	events: &subxt::events::Events<Config>,
	index: u32,
) -> Inclusion {
	for event in events.iter().filter_map(Result::ok) {
		if event.phase() == Phase::ApplyExtrinsic(index)
			&& event.pallet_name() == "System"
			&& event.event_name() == "ExtrinsicFailed"
		{
			return Inclusion::Failed(
				match subxt::error::DispatchError::decode_from(event.field_bytes(), at.metadata()) {
					Ok(error) => dispatch_error_text(&error),
					Err(e) => format!("the dispatch failed (undecodable error: {e})"),
				},
			);
		}
	}
	Inclusion::Included
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_the_transaction_at_the_next_nonce_is_refilled() {
		// Chain nonce 5, pool ready up to 7 (next 7): 7 left the pool, 8 and 9 wait on it.
		let checks: Vec<Check> = (4..=9).map(|nonce| check(nonce, 5, 7)).collect();
		assert_eq!(
			checks,
			vec![
				Check::NonceUsed,
				Check::Waiting,
				Check::Waiting,
				Check::Refill,
				Check::Waiting,
				Check::Waiting
			]
		);
		// Nothing ready: the first pending one is the gap.
		assert_eq!(check(5, 5, 5), Check::Refill);
		assert_eq!(check(6, 5, 5), Check::Waiting);
	}

	#[test]
	fn refusals_sorted() {
		assert_eq!(classify_refusal("Invalid Transaction: Custom error: 1"), Refusal::Verdict);
		assert_eq!(classify_refusal("Invalid Transaction: Custom error: 2"), Refusal::Verdict);
		assert_eq!(classify_refusal("Invalid Transaction: Custom error: 12"), Refusal::Temporary);
		assert_eq!(classify_refusal("Transaction Already Imported"), Refusal::InPool);
		assert_eq!(classify_refusal("Priority is too low: (100 vs 100)"), Refusal::NonceTaken);
		assert_eq!(
			classify_refusal("Invalid Transaction: Transaction is outdated"),
			Refusal::NonceUsed
		);
		assert_eq!(
			classify_refusal("Invalid Transaction: Transaction has a bad signature"),
			Refusal::StaleCheckpoint
		);
		assert_eq!(
			classify_refusal("Invalid Transaction: Transaction has an ancient birth block"),
			Refusal::StaleCheckpoint
		);
		for temporary in [
			"Immediately Dropped: The transaction couldn't enter the pool because of the limit",
			"Transaction is temporarily banned",
			"Invalid Transaction: Inability to pay some fees (e.g. account balance too low)",
			"Invalid Transaction: Transaction would exhaust the block limits",
		] {
			assert_eq!(classify_refusal(temporary), Refusal::Temporary, "{temporary}");
		}
	}

	#[test]
	fn checkpoint_is_the_finalized_block_when_recent() {
		assert_eq!(checkpoint_number(100, 90), 90);
		assert_eq!(checkpoint_number(100, 100 - MORTALITY / 2), 100 - MORTALITY / 2);
		assert_eq!(checkpoint_number(100, 100 - MORTALITY / 2 - 1), 98);
		assert_eq!(checkpoint_number(1, 0), 0);
		assert_eq!(checkpoint_number(1, 5), 0, "a finalized block above the best one: best - 2");
	}
}
