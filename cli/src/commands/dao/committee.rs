//! `aitbc dao committee propose|whitelist|vote|close|list`: the technical committee's motions.
//! A motion dispatches with the committee's origin, which the runtime accepts for
//! `Whitelist::whitelist_call` only (two thirds of the members); `whitelist` is the usual one.
//! The committee cannot cancel or kill referenda: those are referenda on their own tracks
//! (`aitbc dao propose cancel|kill`). The proposer's aye is not implied by the pallet: `propose` and `whitelist`
//! cast it right after the motion.

use std::io::Write;

use aitbc_client::{
	runtime::{self, runtime_types::sp_weights::weight_v2::Weight},
	AccountId,
};
use clap::Subcommand;
use serde::Serialize;
use subxt::utils::H256;

use super::{
	calls::{self, Built, CallKind, TrackOrigin},
	state::Gov,
	voting::Choice,
};
use crate::{output, CliError, Ctx};

/// `dao committee` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// What to do.
	#[command(subcommand)]
	pub action: Action,
}

/// Committee actions.
#[derive(Subcommand, Debug)]
// Parsed once per run: the size of the market-params flags does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Action {
	/// Propose a motion (a call the committee dispatches once enough members approve), with
	/// your aye.
	Propose(ProposeArgs),
	/// Propose a motion to whitelist a call (Whitelist::whitelist_call(hash)), with your aye;
	/// once closed, a whitelisted referendum may dispatch the call.
	Whitelist(WhitelistArgs),
	/// Vote on a motion.
	Vote(VoteArgs),
	/// Close a motion that has its votes (or ran out of time): it passes or fails.
	Close(MotionArgs),
	/// The members and the open motions.
	List,
}

/// `committee propose` options: a call kind, or `--call-hex`.
#[derive(clap::Args, Debug)]
pub struct ProposeArgs {
	/// The call the CLI builds.
	#[command(subcommand)]
	pub kind: Option<CallKind>,
	/// Or any call, as SCALE hex of a RuntimeCall.
	#[arg(long, global = true)]
	pub call_hex: Option<String>,
	/// Ayes needed [default: two thirds of the members, rounded up].
	#[arg(long, global = true)]
	pub threshold: Option<u32>,
}

/// `committee whitelist` options.
#[derive(clap::Args, Debug)]
pub struct WhitelistArgs {
	/// The call to whitelist, as SCALE hex of a RuntimeCall.
	#[arg(long)]
	pub call_hex: String,
	/// Ayes needed [default: two thirds of the members, rounded up].
	#[arg(long)]
	pub threshold: Option<u32>,
}

/// `committee vote` options.
#[derive(clap::Args, Debug)]
pub struct VoteArgs {
	/// The motion: its hash (0x...) or its index.
	pub motion: String,
	/// aye or nay.
	#[arg(value_parser = ["aye", "nay"])]
	pub vote: String,
}

/// `committee close` options.
#[derive(clap::Args, Debug)]
pub struct MotionArgs {
	/// The motion: its hash (0x...) or its index.
	pub motion: String,
}

/// The JSON `operation`.
pub fn operation(args: &Args) -> &'static str {
	match args.action {
		Action::Propose(_) => "dao.committee.propose",
		Action::Whitelist(_) => "dao.committee.whitelist",
		Action::Vote(_) => "dao.committee.vote",
		Action::Close(_) => "dao.committee.close",
		Action::List => "dao.committee.list",
	}
}

/// Runs a committee action.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	match args.action {
		Action::Propose(args) => propose(ctx, args, out).await,
		Action::Whitelist(args) => whitelist(ctx, args, out).await,
		Action::Vote(args) => vote(ctx, args, out).await,
		Action::Close(args) => close(ctx, args, out).await,
		Action::List => list(ctx, out).await,
	}
}

/// An open motion.
#[derive(Serialize)]
struct MotionJson {
	index: u32,
	hash: String,
	/// `Pallet.call` of the motion's call.
	call: String,
	threshold: u32,
	ayes: Vec<String>,
	nays: Vec<String>,
	/// The block after which it may be closed without all votes.
	end: u32,
}

/// `committee list` `--json` output.
#[derive(Serialize)]
struct ListJson {
	members: Vec<String>,
	prime: Option<String>,
	/// The best block read.
	block: u32,
	motions: Vec<MotionJson>,
}

/// `committee propose|whitelist` `--json` output.
#[derive(Serialize)]
struct ProposedJson {
	/// The motion's index (null when a threshold of 1 dispatched the call at once).
	index: Option<u32>,
	/// The motion's hash (the hash of its call).
	hash: String,
	call: String,
	threshold: u32,
	/// Dispatched at once (threshold 1) without error, and no motion left.
	executed: bool,
	/// Ayes so far (the proposer's).
	ayes: u32,
	/// The dispatch error of a call dispatched at once (threshold 1) that failed.
	error: Option<String>,
	/// `whitelist`: the hash of the call whitelisted once the motion passes.
	#[serde(skip_serializing_if = "Option::is_none")]
	whitelisted_call_hash: Option<String>,
}

/// `committee vote` `--json` output.
#[derive(Serialize)]
struct VotedJson {
	index: u32,
	hash: String,
	vote: Choice,
	ayes: u32,
	nays: u32,
	threshold: u32,
}

/// `committee close` `--json` output.
#[derive(Serialize)]
struct ClosedJson {
	index: u32,
	hash: String,
	/// The motion passed.
	approved: bool,
	ayes: u32,
	nays: u32,
	/// A passed motion's call dispatched without error.
	executed: Option<bool>,
	/// The dispatch error of a passed motion whose call failed.
	error: Option<String>,
}

/// The signer, who must be a member: the error names the members.
async fn member(gov: &Gov, who: &AccountId) -> Result<Vec<AccountId>, CliError> {
	let members = gov.members().await?;
	if members.contains(who) {
		return Ok(members);
	}
	let listed = gov.addresses(&members);
	let listed = if listed.is_empty() { "none".to_string() } else { listed.join(", ") };
	Err(CliError::usage(format!(
		"{} is not on the technical committee (members: {listed})",
		gov.address(who)
	)))
}

/// Two thirds of `members`, rounded up (the runtime's `TechnicalTwoThirds`).
pub fn two_thirds(members: usize) -> u32 {
	u32::try_from(members.saturating_mul(2).div_ceil(3)).unwrap_or(u32::MAX)
}

async fn propose(ctx: &Ctx, args: ProposeArgs, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let call = match (&args.kind, &args.call_hex) {
		(Some(kind), None) => kind.build(ctx, &gov).await?,
		(None, Some(hex)) => {
			let bytes = calls::from_hex(&gov, hex)?;
			Built {
				name: calls::name(&gov, &bytes),
				bytes,
				origin: TrackOrigin::Root,
				changes: Vec::new(),
			}
		}
		_ => return Err(CliError::usage(
			"give the call: a kind (market-params, miner-admin, spend, validator-admin) or --call-hex HEX, not both",
		)),
	};
	motion(ctx, gov, &key, call, args.threshold, None, out).await
}

async fn whitelist(ctx: &Ctx, args: WhitelistArgs, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let inner = calls::from_hex(&gov, &args.call_hex)?;
	let hash = H256(super::state::blake2_256(&inner));
	let whitelisted = runtime::storage().whitelist().whitelisted_call();
	if gov.fetch(whitelisted, (hash,)).await?.is_some() {
		return Err(CliError::usage(format!(
			"the call {hash:?} is whitelisted already; propose it with aitbc dao propose whitelisted --call-hex ..."
		)));
	}
	let bytes = calls::encode(&gov, &runtime::transactions().whitelist().whitelist_call(hash))?;
	let call = Built {
		name: format!("{} ({})", calls::name(&gov, &bytes), calls::name(&gov, &inner)),
		bytes,
		origin: TrackOrigin::Root,
		changes: Vec::new(),
	};
	motion(ctx, gov, &key, call, args.threshold, Some(format!("{hash:?}")), out).await
}

/// Proposes `call` as a motion and casts the proposer's aye.
async fn motion(
	ctx: &Ctx,
	gov: Gov,
	key: &aitbc_client::keys::Key,
	call: Built,
	threshold: Option<u32>,
	whitelisted_call_hash: Option<String>,
	out: &mut impl Write,
) -> Result<(), CliError> {
	let who = key.account();
	let members = member(&gov, &who).await?;
	let threshold = threshold.unwrap_or_else(|| two_thirds(members.len()));
	let count = u32::try_from(members.len()).unwrap_or(u32::MAX);
	if threshold == 0 || threshold > count {
		return Err(CliError::usage(format!(
			"--threshold must be 1 to {count} (the committee's size)"
		)));
	}
	let len =
		u32::try_from(call.bytes.len()).map_err(|_| CliError::usage("the call is too long"))?;
	let runtime_call = calls::decode(&gov, &call.bytes)?;
	let committee = runtime::transactions().technical_committee();
	let proposed = gov.chain.submit(&committee.propose(threshold, runtime_call, len), key).await?;
	let hash = format!("{:?}", H256(call.hash()));
	let event = proposed
		.events
		.find_first::<runtime::technical_committee::events::Proposed>()
		.and_then(Result::ok);
	let (index, ayes) = match &event {
		Some(event) => {
			let vote = committee.vote(event.proposal_hash, event.proposal_index, true);
			gov.chain.submit(&vote, key).await?;
			(Some(event.proposal_index), 1)
		}
		None => (None, 0),
	};
	let error = proposed
		.events
		.find_first::<runtime::technical_committee::events::Executed>()
		.and_then(Result::ok)
		.and_then(|e| e.result.err())
		.map(|e| format!("{e:?}"));
	let json = ProposedJson {
		index,
		hash,
		call: call.name.clone(),
		threshold,
		executed: event.is_none() && error.is_none(),
		ayes,
		error,
		whitelisted_call_hash,
	};
	output::emit(ctx, out, &json, |out| {
		match json.index {
			Some(index) => {
				writeln!(out, "Motion {index} proposed: {} (hash {})", json.call, json.hash)?;
				writeln!(
					out,
					"Ayes 1 of {threshold} needed (yours). Others: aitbc dao committee vote {index} aye; then aitbc dao committee close {index}"
				)?;
			}
			None => match &json.error {
				None => writeln!(out, "Dispatched at once (threshold 1): {}", json.call)?,
				Some(e) => writeln!(
					out,
					"Dispatched at once (threshold 1): {} failed: {e} (the committee's origin may only whitelist calls)",
					json.call
				)?,
			},
		}
		if let Some(hash) = &json.whitelisted_call_hash {
			writeln!(out, "Whitelists the call {hash} once it passes")?;
		}
		Ok(())
	})
}

/// A motion found by hash or index: its hash, index, votes and call.
struct Motion {
	hash: H256,
	index: u32,
	threshold: u32,
	ayes: Vec<AccountId>,
	nays: Vec<AccountId>,
	end: u32,
	call: Vec<u8>,
}

/// Every open motion.
async fn motions(gov: &Gov) -> Result<Vec<Motion>, CliError> {
	let storage = runtime::storage().technical_committee();
	let hashes = gov.fetch(storage.proposals(), ()).await?.map(|p| p.0).unwrap_or_default();
	let mut motions = Vec::new();
	for hash in hashes {
		let Some(votes) = gov.fetch(storage.voting(), (hash,)).await? else { continue };
		let call = gov
			.at
			.storage()
			.try_fetch(storage.proposal_of(), (hash,))
			.await
			.map_err(|e| CliError::from(gov.chain.error(e)))?
			.map(|v| v.into_bytes())
			.unwrap_or_default();
		motions.push(Motion {
			hash,
			index: votes.index,
			threshold: votes.threshold,
			ayes: votes.ayes,
			nays: votes.nays,
			end: votes.end,
			call,
		});
	}
	motions.sort_by_key(|m| m.index);
	Ok(motions)
}

/// The open motion named by `text` (a hash or an index).
async fn find(gov: &Gov, text: &str) -> Result<Motion, CliError> {
	let all = motions(gov).await?;
	let wanted = text.trim();
	let found = if wanted.starts_with("0x") {
		let bytes = hex::decode(wanted.trim_start_matches("0x"))
			.ok()
			.and_then(|b| <[u8; 32]>::try_from(b).ok())
			.ok_or_else(|| {
				CliError::usage(format!("`{text}` is not a motion hash (0x + 64 hex digits)"))
			})?;
		all.into_iter().find(|m| m.hash.0 == bytes)
	} else {
		let index: u32 = wanted.trim_start_matches('#').parse().map_err(|_| {
			CliError::usage(format!("`{text}` is not a motion hash (0x...) or index (a number)"))
		})?;
		all.into_iter().find(|m| m.index == index)
	};
	found.ok_or_else(|| {
		CliError::not_found(format!(
			"no open motion {text} (closed motions are gone; see aitbc dao committee list)"
		))
	})
}

async fn vote(ctx: &Ctx, args: VoteArgs, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let who = key.account();
	member(&gov, &who).await?;
	let motion = find(&gov, &args.motion).await?;
	let aye = args.vote == "aye";
	let call = runtime::transactions().technical_committee().vote(motion.hash, motion.index, aye);
	let voted = gov.chain.submit(&call, &key).await?;
	let event = voted
		.events
		.find_first::<runtime::technical_committee::events::Voted>()
		.and_then(Result::ok);
	let (ayes, nays) = event.map_or((0, 0), |e| (e.yes, e.no));
	let json = VotedJson {
		index: motion.index,
		hash: format!("{:?}", motion.hash),
		vote: if aye { Choice::Aye } else { Choice::Nay },
		ayes,
		nays,
		threshold: motion.threshold,
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(
			out,
			"Voted {} on motion {}: ayes {ayes}, nays {nays}, {} needed",
			args.vote, motion.index, motion.threshold
		)?;
		if ayes >= motion.threshold {
			writeln!(out, "It has its ayes: aitbc dao committee close {}", motion.index)?;
		}
		Ok(())
	})
}

async fn close(ctx: &Ctx, args: MotionArgs, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let motion = find(&gov, &args.motion).await?;
	let len = u32::try_from(motion.call.len())
		.map_err(|_| CliError::other("the motion's call is too long"))?;
	// The weight bound: what the runtime says the call weighs.
	let info = runtime::runtime_apis()
		.transaction_payment_call_api()
		.query_call_info(calls::decode(&gov, &motion.call)?, len);
	let weight = match gov.at.runtime_apis().call(info).await {
		Ok(info) => info.weight,
		Err(_) => gov
			.at
			.constants()
			.entry(runtime::constants().technical_committee().max_proposal_weight())
			.map_err(|e| {
				CliError::other(format!("cannot read the committee's weight bound: {e}"))
			})?,
	};
	let weight = Weight { ref_time: weight.ref_time, proof_size: weight.proof_size };
	let call =
		runtime::transactions().technical_committee().close(motion.hash, motion.index, weight, len);
	let closed = gov.chain.submit(&call, &key).await?;
	let events = &closed.events;
	use runtime::technical_committee::events::{Approved, Closed, Executed};
	let (ayes, nays) =
		events.find_first::<Closed>().and_then(Result::ok).map_or((0, 0), |e| (e.yes, e.no));
	let approved = events.has::<Approved>();
	let executed = events.find_first::<Executed>().and_then(Result::ok).map(|e| e.result);
	let error = match &executed {
		Some(Err(e)) => Some(format!("{e:?}")),
		_ => None,
	};
	let json = ClosedJson {
		index: motion.index,
		hash: format!("{:?}", motion.hash),
		approved,
		ayes,
		nays,
		executed: executed.as_ref().map(Result::is_ok),
		error,
	};
	output::emit(ctx, out, &json, |out| {
		let outcome = if approved { "approved" } else { "disapproved" };
		writeln!(out, "Motion {} closed: {outcome} (ayes {ayes}, nays {nays})", motion.index)?;
		match (&json.executed, &json.error) {
			(Some(true), _) => writeln!(out, "Its call ran: {}", calls::name(&gov, &motion.call)),
			(Some(false), Some(e)) => writeln!(out, "Its call failed: {e}"),
			_ => Ok(()),
		}
	})
}

async fn list(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
	let gov = Gov::connect(ctx).await?;
	let members = gov.members().await?;
	let prime = gov.fetch(runtime::storage().technical_committee().prime(), ()).await?;
	let motions = motions(&gov).await?;
	let json = ListJson {
		members: gov.addresses(&members),
		prime: prime.map(|p| gov.address(&p)),
		block: gov.block,
		motions: motions
			.iter()
			.map(|m| MotionJson {
				index: m.index,
				hash: format!("{:?}", m.hash),
				call: calls::name(&gov, &m.call),
				threshold: m.threshold,
				ayes: gov.addresses(&m.ayes),
				nays: gov.addresses(&m.nays),
				end: m.end,
			})
			.collect(),
	};
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Members ({}): {}", json.members.len(), json.members.join(", "))?;
		if json.motions.is_empty() {
			return writeln!(out, "No open motions.");
		}
		for m in &json.motions {
			writeln!(
				out,
				"Motion {} {}: {} — ayes {}, nays {}, {} needed; ends at block {}",
				m.index,
				m.hash,
				m.call,
				m.ayes.len(),
				m.nays.len(),
				m.threshold,
				m.end
			)?;
		}
		Ok(())
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn two_thirds_rounds_up() {
		assert_eq!(two_thirds(3), 2);
		assert_eq!(two_thirds(4), 3);
		assert_eq!(two_thirds(6), 4);
		assert_eq!(two_thirds(1), 1);
	}
}
