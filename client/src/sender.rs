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
//! A best block is not final: with several authors a short fork can retract it, and the
//! transactions in it are then in the canonical chain only if the pool takes them again. So a
//! transaction seen in a best block is only provisionally included: [`Sent::included`] gives that
//! first word at once (the caller goes on), with a [`Confirmation`], the final word. The sender
//! keeps following the transaction: at each new best block it reads the node's best chain at the
//! number of the block it was seen in. Once that block is finalized (or [`CONFIRM_DEPTH`] deep,
//! should finality stall) the confirmation says `Included`. If the block left the best chain, the
//! transaction is pending again and checked at once like any other: seen in a block of the new
//! chain, still in the pool, signed again at its nonce, or lost (its nonce used without it being
//! seen); a confirmation other than `Included` tells the caller to read the state again.
//!
//! Pool refusals: only the runtime's verdict on the call (`CheckJobCalls`' custom validity
//! errors) is [`Error::Rejected`]; a taken nonce is read again, a stale checkpoint (bad
//! signature, ancient birth block) refreshed once, and any other refusal (pool full, banned for
//! a while, fees) is an [`Error::Rpc`] the caller may try again.

use std::{
	collections::{BTreeSet, HashMap, HashSet},
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
/// Blocks on top of the block a transaction was seen in after which it counts as confirmed even
/// while finality stalls: no job deadline is that far, and it bounds what the sender follows.
pub const CONFIRM_DEPTH: u64 = MORTALITY;

/// What became of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inclusion {
	/// In a best block, its dispatch succeeded (from [`Sent::included`]: provisionally, see
	/// [`Confirmation`]; from [`Confirmation::confirmed`]: in a final block).
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
	confirmed: oneshot::Receiver<Inclusion>,
}

impl Sent {
	/// Waits until the transaction's fate is known at the best block: `Included` is provisional
	/// (the block may still be retracted); the [`Confirmation`] gives the final word.
	pub async fn included(self) -> (Inclusion, Confirmation) {
		let inclusion = self.outcome.await.unwrap_or_else(|_| dropped());
		(inclusion, Confirmation(self.confirmed))
	}
}

/// The final word on a sent transaction. Dropping it is fine: the sender still follows the
/// transaction (and signs it again at its nonce if its block is retracted and the pool lost it).
pub struct Confirmation(oneshot::Receiver<Inclusion>);

impl Confirmation {
	/// A final word known already.
	pub fn known(inclusion: Inclusion) -> Self {
		let (confirm, confirmed) = oneshot::channel();
		let _ = confirm.send(inclusion);
		Confirmation(confirmed)
	}

	/// Waits for the transaction's final fate. After a first word `Included`: `Included` once the
	/// block that carried it (or, after a retraction, the block of the new chain that carries it)
	/// is finalized or [`CONFIRM_DEPTH`] deep in the best chain; `Failed` when a block of the new
	/// chain has it and its dispatch failed there; `Lost` when it is in no block the sender saw
	/// and no longer expected to be. Anything but `Included` then means the first word no longer
	/// holds: read the state again. After any other first word, that word.
	pub async fn confirmed(self) -> Inclusion {
		self.0.await.unwrap_or_else(|_| dropped())
	}
}

/// The outcome when the sender is gone.
fn dropped() -> Inclusion {
	Inclusion::Lost("the sender was dropped".into())
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
	/// Transactions seen in a best block that is not final yet, oldest first.
	seen: Vec<Seen>,
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
	/// Its sender's first word ([`Sent::included`]); `None` once given, and for a remark filling
	/// a nonce.
	reply: Option<oneshot::Sender<Inclusion>>,
	/// Its sender's final word ([`Confirmation`]); `None` for a remark filling a nonce.
	confirm: Option<oneshot::Sender<Inclusion>>,
	/// Times it was signed again at its nonce.
	refills: u32,
}

impl InFlight {
	/// Gives its fate as the first word (when not given yet) and as the final one.
	fn resolve(self, inclusion: Inclusion) {
		if let Some(reply) = self.reply {
			let _ = reply.send(inclusion.clone());
		}
		if let Some(confirm) = self.confirm {
			let _ = confirm.send(inclusion);
		}
	}

	/// A remark filling a nonce: nobody waits for it.
	fn is_filler(&self) -> bool {
		self.reply.is_none() && self.confirm.is_none()
	}
}

/// A transaction seen in a best block with its dispatch successful, its block not final yet.
struct Seen {
	tx: InFlight,
	/// The block's number and hash.
	number: u64,
	hash: H256,
}

impl State {
	/// Takes out of the pending list the transactions with a hash in `hashes` (a block's body).
	fn take_in(&mut self, hashes: &HashSet<H256>) -> Vec<InFlight> {
		let (found, waiting) = std::mem::take(&mut self.pending)
			.into_iter()
			.partition(|tx| tx.hashes.iter().any(|hash| hashes.contains(hash)));
		self.pending = waiting;
		found
	}

	/// `tx`, seen in the best block `number` (`hash`) with `outcome`: gives the first word. A
	/// success is followed until its block is final ([`State::review`]); anything else is final.
	fn saw(&mut self, mut tx: InFlight, number: u64, hash: H256, outcome: Inclusion) {
		if outcome != Inclusion::Included || tx.is_filler() {
			tx.resolve(outcome);
			return;
		}
		if let Some(reply) = tx.reply.take() {
			let _ = reply.send(Inclusion::Included);
		}
		self.seen.push(Seen { tx, number, hash });
	}

	/// Sorts the transactions seen in blocks not final yet against the node's best chain
	/// (`canonical`: its block hash at their block numbers, `None` above its head; a number
	/// missing was not read), its finalized block number `finalized` and the best block number
	/// `best`. A block still in the best chain and finalized, or [`CONFIRM_DEPTH`] deep, confirms
	/// its transactions; one that left it makes them pending again, checked at the next lost
	/// check (at once). Returns how many left.
	fn review(
		&mut self,
		canonical: &HashMap<u64, Option<H256>>,
		finalized: u64,
		best: u64,
	) -> usize {
		let mut retracted = 0;
		for seen in std::mem::take(&mut self.seen) {
			match canonical.get(&seen.number) {
				None => self.seen.push(seen),
				Some(hash) if *hash == Some(seen.hash) => {
					if seen.number <= finalized || best >= seen.number.saturating_add(CONFIRM_DEPTH)
					{
						seen.tx.resolve(Inclusion::Included);
					} else {
						self.seen.push(seen);
					}
				}
				Some(now) => {
					tracing::debug!(block = seen.number, seen_in = ?seen.hash, best_chain_has = ?now, nonce = seen.tx.nonce, "the block a transaction was seen in left the best chain");
					let mut tx = seen.tx;
					tx.since = 0;
					self.pending.push(tx);
					retracted += 1;
				}
			}
		}
		if retracted > 0 {
			self.pending.sort_by_key(|tx| tx.nonce);
		}
		retracted
	}

	/// Resolves as lost the pending transactions whose nonce the chain used (`used`: its nonce at
	/// the checked block; `next`: the node's next nonce) without them being seen.
	fn lose_used(&mut self, used: u64, next: u64) {
		let (lost, waiting): (Vec<InFlight>, _) = std::mem::take(&mut self.pending)
			.into_iter()
			.partition(|tx| check(tx.nonce, used, next) == Check::NonceUsed);
		self.pending = waiting;
		for tx in lost {
			tracing::debug!(hash = ?tx.hashes.last(), nonce = tx.nonce, used, "nonce used without the transaction seen");
			let reason = format!(
				"transaction {:?} (nonce {}): its nonce was used without it being seen in a block",
				tx.hashes.last(),
				tx.nonce
			);
			tx.resolve(Inclusion::Lost(reason));
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

	/// How many transactions wait for their first word (not yet in a block).
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
			let (confirm, confirmed) = oneshot::channel();
			// In the list before the pool has it: the block including it may come first.
			self.state().pending.push(InFlight {
				hashes: vec![signed.hash],
				nonce,
				since: best.block_number(),
				resign: resign.clone(),
				reply: Some(reply),
				confirm: Some(confirm),
				refills: 0,
			});
			match self.hand(chain, &signed).await {
				Handed::Taken(hash) => {
					self.state().next_nonce = Some(nonce.saturating_add(1));
					return Ok(Sent { hash, outcome, confirmed });
				}
				Handed::Unsure(hash, error) => {
					tracing::debug!(%error, ?hash, nonce, "no answer from the pool; checking at the next block");
					let mut state = self.state();
					state.next_nonce = Some(nonce.saturating_add(1));
					if let Some(tx) = state.pending.iter_mut().find(|tx| tx.hashes[0] == hash) {
						tx.since = 0;
					}
					return Ok(Sent { hash, outcome, confirmed });
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

	/// Takes a new best block `at` with its `events`: signs against it from now on, confirms the
	/// transactions seen in blocks now final and makes those whose block left the best chain
	/// pending again, resolves the pending transactions in its body, and, when one has waited
	/// [`STALL_BLOCKS`] unseen (or its block was retracted), checks what became of them (see the
	/// module documentation). An error leaves every transaction where it was: the next block
	/// checks again.
	pub async fn on_block(
		&self,
		chain: &Chain,
		at: OnlineClientAtBlock<Config>,
		events: &subxt::events::Events<Config>,
	) -> Result<(), Error> {
		let number = at.block_number();
		let block_hash = at.block_hash();
		let at = Arc::new(at);
		{
			let mut state = self.state();
			state.best = Some(at.clone());
			if state.pending.is_empty() && state.seen.is_empty() {
				return Ok(());
			}
		}
		// Its error is returned after the body is matched, so that the transactions in it are
		// not missed.
		let reviewed = self.review_seen(chain, number).await;
		let stalled = {
			let state = self.state();
			if state.pending.is_empty() {
				return reviewed;
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
		let found = self.state().take_in(&hashes);
		for tx in found {
			let index = in_block
				.iter()
				.find(|(hash, _)| tx.hashes.contains(hash))
				.map(|(_, index)| *index)
				.unwrap_or_default();
			let outcome = dispatch_outcome(&at, events, index);
			self.state().saw(tx, number, block_hash, outcome);
		}
		if stalled {
			self.check_lost(chain, &at).await?;
		}
		reviewed
	}

	/// Reads the node's finalized block and its best chain at the numbers of the blocks the
	/// transactions not yet final were seen in (one call per block, a handful while finality
	/// follows), and sorts those transactions with it ([`State::review`]).
	async fn review_seen(&self, chain: &Chain, best: u64) -> Result<(), Error> {
		let numbers: BTreeSet<u64> = self.state().seen.iter().map(|seen| seen.number).collect();
		if numbers.is_empty() {
			return Ok(());
		}
		let (finalized, hash) = chain.finalized_head().await?;
		self.state().finalized = Some(Checkpoint { number: finalized, hash });
		let mut canonical = HashMap::with_capacity(numbers.len());
		for number in numbers {
			canonical.insert(number, chain.block_hash(number).await?);
		}
		let retracted = self.state().review(&canonical, finalized, best);
		if retracted > 0 {
			tracing::info!(
				retracted,
				best,
				"blocks with transactions of this signer left the best chain; checking them again"
			);
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
		self.state().lose_used(used, next);
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
				Some(tx) if tx.refills < MAX_REFILLS || tx.is_filler() => tx,
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
						remark = tx.is_filler(),
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
					if tx.is_filler() {
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
			confirm: None,
			refills: 0,
		}
	}

	/// After a lost connection: forgets the nonce and the block to sign against, and marks every
	/// pending transaction for a check at the next block (the node may or may not have kept
	/// them). Those seen in a block not final yet are reviewed at the next block as before.
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

	const A: H256 = H256::repeat_byte(0xa);
	const B: H256 = H256::repeat_byte(0xb);
	const C: H256 = H256::repeat_byte(0xc);

	/// A transaction sent at `nonce` in best block `since`, with its two receivers.
	fn in_flight(nonce: u64, since: u64) -> (InFlight, Sent) {
		let (reply, outcome) = oneshot::channel();
		let (confirm, confirmed) = oneshot::channel();
		let tx = InFlight {
			hashes: vec![H256::from_low_u64_be(nonce)],
			nonce,
			since,
			resign: remark(),
			reply: Some(reply),
			confirm: Some(confirm),
			refills: 0,
		};
		(tx, Sent { hash: H256::from_low_u64_be(nonce), outcome, confirmed })
	}

	/// The best chain's hash at each `(number, hash)`.
	fn chain(blocks: &[(u64, H256)]) -> HashMap<u64, Option<H256>> {
		blocks.iter().map(|(number, hash)| (*number, Some(*hash))).collect()
	}

	/// The first word, and the final one once given.
	fn words(sent: &mut Sent) -> (Option<Inclusion>, Option<Inclusion>) {
		(sent.outcome.try_recv().ok(), sent.confirmed.try_recv().ok())
	}

	#[test]
	fn a_transaction_whose_block_stays_is_confirmed_once_finalized() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		state.saw(tx, 10, A, Inclusion::Included);
		assert_eq!(words(&mut sent), (Some(Inclusion::Included), None), "included at once");
		// Block 10 still in the best chain, finalized up to 9: not final yet.
		assert_eq!(state.review(&chain(&[(10, A)]), 9, 11), 0);
		assert_eq!(sent.confirmed.try_recv().ok(), None);
		assert_eq!(state.seen.len(), 1);
		// Finalized: confirmed, nothing left to check or send again.
		assert_eq!(state.review(&chain(&[(10, A)]), 10, 12), 0);
		assert_eq!(sent.confirmed.try_recv().ok(), Some(Inclusion::Included));
		assert!(state.seen.is_empty() && state.pending.is_empty());
	}

	#[test]
	fn a_transaction_deep_in_the_best_chain_is_confirmed_while_finality_stalls() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		state.saw(tx, 10, A, Inclusion::Included);
		assert_eq!(state.review(&chain(&[(10, A)]), 5, 10 + CONFIRM_DEPTH - 1), 0);
		assert_eq!(words(&mut sent), (Some(Inclusion::Included), None));
		assert_eq!(state.review(&chain(&[(10, A)]), 5, 10 + CONFIRM_DEPTH), 0);
		assert_eq!(sent.confirmed.try_recv().ok(), Some(Inclusion::Included));
		assert!(state.seen.is_empty());
	}

	#[test]
	fn a_block_not_read_leaves_its_transactions_as_they_were() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		state.saw(tx, 10, A, Inclusion::Included);
		assert_eq!(state.review(&HashMap::new(), 20, 20), 0);
		assert_eq!(words(&mut sent), (Some(Inclusion::Included), None));
		assert_eq!(state.seen.len(), 1);
	}

	#[test]
	fn a_transaction_whose_block_left_the_best_chain_is_checked_again_at_once() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		let (later, _later_sent) = in_flight(8, 10);
		state.pending.push(later);
		state.saw(tx, 10, A, Inclusion::Included);
		assert_eq!(words(&mut sent), (Some(Inclusion::Included), None));
		// A fork: the best chain has another block 10.
		assert_eq!(state.review(&chain(&[(10, B)]), 9, 11), 1);
		assert!(state.seen.is_empty());
		assert_eq!(state.pending.iter().map(|tx| tx.nonce).collect::<Vec<_>>(), vec![7, 8]);
		let again = &state.pending[0];
		assert_eq!(again.since, 0, "checked at this block");
		assert!(!again.is_filler(), "its content is signed again, not replaced by a remark");
		assert_eq!(sent.confirmed.try_recv().ok(), None, "its fate is open again");
		// Not in the pool any more (the node's next nonce is its own): signed again at its nonce.
		assert_eq!(check(7, 7, 7), Check::Refill);
		// The best chain went back below it: retracted too.
		let (tx, _sent) = in_flight(9, 11);
		state.saw(tx, 12, C, Inclusion::Included);
		assert_eq!(state.review(&HashMap::from([(12, None)]), 9, 11), 1);
	}

	#[test]
	fn a_retracted_transaction_whose_nonce_the_new_chain_used_unseen_is_lost() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		state.saw(tx, 10, A, Inclusion::Included);
		state.review(&chain(&[(10, B)]), 9, 11);
		// The new chain's nonce is past it, yet no block the sender saw had it.
		state.lose_used(8, 8);
		assert!(state.pending.is_empty());
		assert!(
			matches!(sent.confirmed.try_recv(), Ok(Inclusion::Lost(_))),
			"the caller reads the state again"
		);
	}

	#[test]
	fn a_retracted_transaction_seen_again_is_confirmed_in_its_new_block() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		state.saw(tx, 10, A, Inclusion::Included);
		state.review(&chain(&[(10, B)]), 9, 11);
		let hashes = HashSet::from([H256::from_low_u64_be(7)]);
		let found = state.take_in(&hashes);
		assert_eq!(found.len(), 1);
		for tx in found {
			state.saw(tx, 11, C, Inclusion::Included);
		}
		assert_eq!(sent.confirmed.try_recv().ok(), None);
		assert_eq!(state.review(&chain(&[(11, C)]), 11, 12), 0);
		assert_eq!(sent.confirmed.try_recv().ok(), Some(Inclusion::Included));
	}

	#[test]
	fn a_failed_dispatch_is_final_at_once() {
		let mut state = State::default();
		let (tx, mut sent) = in_flight(7, 9);
		state.saw(tx, 10, A, Inclusion::Failed("JobNotHeld".into()));
		let failed = Some(Inclusion::Failed("JobNotHeld".into()));
		assert_eq!(words(&mut sent), (failed.clone(), failed));
		assert!(state.seen.is_empty());
	}

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
