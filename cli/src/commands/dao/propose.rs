//! `aitbc dao propose <kind>`: notes the call's preimage, submits the referendum on the track of
//! its origin and places the decision deposit; `dao deposit ID` places a decision deposit later
//! and `dao refund ID` takes back the deposits a finished referendum returns.

use std::io::Write;

use aitbc_client::{
	runtime::{
		self,
		runtime_types::frame_support::traits::{preimages::Bounded, schedule::DispatchTime},
	},
	units::format_ait,
	AccountId, Submitted,
};
use clap::Subcommand;
use serde::Serialize;
use subxt::utils::H256;

use super::{
	calls::{self, Built, CallKind, Change, TrackOrigin},
	state::{Gov, Referendum},
};
use crate::{output, CliError, Ctx};

/// `dao propose` options.
#[derive(clap::Args, Debug)]
pub struct Args {
	/// What to propose.
	#[command(subcommand)]
	pub kind: Kind,
	/// Submit without placing the decision deposit (anyone may place it later with
	/// `aitbc dao deposit ID`; without it the referendum times out).
	#[arg(long, global = true)]
	pub no_decision_deposit: bool,
}

/// Kinds of proposal.
#[derive(Subcommand, Debug)]
// Parsed once per run: the size of the market-params flags does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Kind {
	/// A call the CLI builds.
	#[command(flatten)]
	Call(CallKind),
	/// Cancel an ongoing referendum (track referendum_canceller): the referendum proposes
	/// Referenda::cancel(index); the cancelled referendum's deposits are returned.
	Cancel(Target),
	/// Kill an ongoing referendum (track referendum_killer): the referendum proposes
	/// Referenda::kill(index); the killed referendum's deposits are slashed to the treasury.
	Kill(Target),
	/// Any call, dispatched as Root (track root).
	Root(CallHex),
	/// A call the technical committee whitelisted, dispatched as Root (track
	/// whitelisted_caller): the referendum proposes
	/// Whitelist::dispatch_whitelisted_call_with_preimage(call).
	Whitelisted(CallHex),
}

/// The referendum a `cancel` or `kill` proposal would end.
#[derive(clap::Args, Debug, Clone)]
pub struct Target {
	/// Its index; it must be ongoing.
	pub referendum: String,
}

/// A call given as SCALE hex.
#[derive(clap::Args, Debug, Clone)]
pub struct CallHex {
	/// The call: the SCALE encoding of a RuntimeCall of this chain, as hex (`0x...`).
	#[arg(long)]
	pub call_hex: String,
}

/// A proposed call in JSON.
#[derive(Serialize)]
pub struct CallJson<'a> {
	/// `Pallet.call`.
	pub name: &'a str,
	/// BLAKE2-256 of the call (the preimage's hash).
	pub hash: String,
	/// Its length in bytes.
	pub len: usize,
	/// Its SCALE encoding.
	pub hex: String,
}

impl<'a> CallJson<'a> {
	/// The JSON of `call`.
	pub fn of(call: &'a Built) -> Self {
		CallJson {
			name: &call.name,
			hash: calls::hex0x(&call.hash()),
			len: call.bytes.len(),
			hex: calls::hex0x(&call.bytes),
		}
	}
}

/// Deposits a proposal holds.
#[derive(Serialize)]
struct Deposits {
	/// The preimage's deposit (0 when the preimage was noted already).
	#[serde(with = "aitbc_client::json::decimal")]
	preimage: u128,
	#[serde(with = "aitbc_client::json::decimal")]
	submission: u128,
	/// Null with `--no-decision-deposit`.
	#[serde(with = "aitbc_client::json::decimal::option")]
	decision: Option<u128>,
}

/// `dao propose` `--json` output.
#[derive(Serialize)]
struct ProposeJson<'a> {
	index: u32,
	track: &'a str,
	track_id: u16,
	call: CallJson<'a>,
	proposer: String,
	deposits: Deposits,
	/// `market-params`: the fields that change, `from` and `to`.
	#[serde(skip_serializing_if = "<[Change]>::is_empty")]
	changes: &'a [Change],
	/// `whitelisted`: whether the committee whitelisted the call already (it must be before the
	/// referendum is enacted).
	#[serde(skip_serializing_if = "Option::is_none")]
	whitelisted: Option<bool>,
	/// `cancel`, `kill`: the index of the referendum the call ends.
	#[serde(skip_serializing_if = "Option::is_none")]
	target: Option<u32>,
	/// The hash of the block the referendum was submitted in.
	block: String,
}

/// What `build` adds to the call: whether a whitelisted call is whitelisted yet, the referendum
/// a cancel or kill ends.
#[derive(Default)]
struct Extra {
	whitelisted: Option<bool>,
	target: Option<u32>,
}

/// Builds the call of `kind`.
async fn build(ctx: &Ctx, gov: &Gov, kind: &Kind) -> Result<(Built, Extra), CliError> {
	match kind {
		Kind::Call(call) => Ok((call.build(ctx, gov).await?, Extra::default())),
		Kind::Cancel(target) | Kind::Kill(target) => {
			let index = super::referendum_index(&target.referendum)?;
			let call = calls::end_referendum(gov, index, matches!(kind, Kind::Kill(_))).await?;
			Ok((call, Extra { target: Some(index), ..Extra::default() }))
		}
		Kind::Root(hex) => {
			let bytes = calls::from_hex(gov, &hex.call_hex)?;
			let name = calls::name(gov, &bytes);
			let built = Built { bytes, name, origin: TrackOrigin::Root, changes: Vec::new() };
			Ok((built, Extra::default()))
		}
		Kind::Whitelisted(hex) => {
			let inner = calls::from_hex(gov, &hex.call_hex)?;
			let inner_hash = H256(super::state::blake2_256(&inner));
			let whitelisted = gov
				.fetch(runtime::storage().whitelist().whitelisted_call(), (inner_hash,))
				.await?
				.is_some();
			let inner_name = calls::name(gov, &inner);
			let call = runtime::transactions()
				.whitelist()
				.dispatch_whitelisted_call_with_preimage(calls::decode(gov, &inner)?);
			let bytes = calls::encode(gov, &call)?;
			let name = format!("{} ({inner_name})", calls::name(gov, &bytes));
			let built =
				Built { bytes, name, origin: TrackOrigin::WhitelistedCaller, changes: Vec::new() };
			Ok((built, Extra { whitelisted: Some(whitelisted), ..Extra::default() }))
		}
	}
}

/// Proposes a referendum.
pub async fn run(ctx: &Ctx, args: Args, out: &mut impl Write) -> Result<(), CliError> {
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let (call, Extra { whitelisted, target }) = build(ctx, &gov, &args.kind).await?;
	let track = gov.track(call.origin.track_name()).map_err(|_| {
		CliError::other(format!(
			"the chain has no track `{}` (tracks: {})",
			call.origin.track_name(),
			gov.track_names()
		))
	})?;
	let (track_id, track_name) = (track.id, track.name.clone());
	let submission = gov.submission_deposit()?;
	let decision = (!args.no_decision_deposit).then_some(track.decision_deposit);
	let proposer = key.account();
	check_deposits(&gov, &proposer, &track_name, submission, decision).await?;

	// The preimage, unless noted already, then the referendum: two transactions for one block.
	let hash = H256(call.hash());
	let len = u32::try_from(call.bytes.len())
		.map_err(|_| CliError::usage("the call is too long for a preimage"))?;
	let noted = gov.fetch(runtime::storage().preimage().preimage_for(), ((hash, len),)).await?;
	let chain = &gov.chain;
	let note = match noted {
		Some(_) => None,
		None => Some(
			chain
				.send(&runtime::transactions().preimage().note_preimage(call.bytes.clone()), &key)
				.await?,
		),
	};
	let submit = runtime::transactions().referenda().submit(
		call.origin.caller(),
		Bounded::Lookup { hash, len },
		DispatchTime::After(1),
	);
	let submit = chain.send(&submit, &key).await;
	let preimage = match note {
		Some(note) => held_by(&note.in_block().await?, &proposer),
		None => 0,
	};
	let submitted = submit?.in_block().await?;
	let event = submitted
		.events
		.find_first::<runtime::referenda::events::Submitted>()
		.and_then(Result::ok)
		.ok_or_else(|| CliError::other("the submission has no Referenda::Submitted event"))?;
	let index = event.index;
	let decision = match decision {
		Some(_) => Some(place_decision_deposit(&gov, index, &key).await?),
		None => None,
	};

	let json = ProposeJson {
		index,
		track: &track_name,
		track_id,
		call: CallJson::of(&call),
		proposer: gov.address(&proposer),
		deposits: Deposits { preimage, submission, decision },
		changes: &call.changes,
		whitelisted,
		target,
		block: format!("{:?}", submitted.block_hash),
	};
	let track = gov.track_by_id(event.track).cloned();
	output::emit(ctx, out, &json, |out| {
		writeln!(out, "Referendum {index} submitted on track {track_name}: {}", call.name)?;
		if let Some(target) = target {
			let what = match call.origin {
				TrackOrigin::ReferendumKiller => "killed: its deposits go to the treasury",
				_ => "cancelled: its deposits are returned",
			};
			writeln!(out, "  once enacted, referendum {target} is {what} (if still ongoing then)")?;
		}
		for change in &call.changes {
			writeln!(out, "  {}: {} → {}", change.field, change.from, change.to)?;
		}
		writeln!(out, "Call hash: {} ({} bytes)", json.call.hash, json.call.len)?;
		let decision = match decision {
			Some(amount) => format!("decision {}", format_ait(amount)),
			None => format!("no decision deposit yet (aitbc dao deposit {index})"),
		};
		writeln!(
			out,
			"Deposits held: preimage {}, submission {}, {decision}",
			format_ait(preimage),
			format_ait(submission)
		)?;
		if let Some(track) = &track {
			writeln!(
				out,
				"Deciding starts after {} blocks and lasts up to {} blocks (~{}); it must pass for {} blocks to be approved",
				track.prepare_period,
				track.decision_period,
				super::duration(gov.secs(track.decision_period)),
				track.confirm_period
			)?;
		}
		if whitelisted == Some(false) {
			writeln!(
				out,
				"Note: the call is not whitelisted yet; the technical committee must whitelist it before enactment (aitbc dao committee whitelist --call-hex ...)"
			)?;
		}
		writeln!(out, "Vote with: aitbc dao vote {index} aye --conviction 1 --amount <AIT>")
	})
}

/// Refuses to propose when the proposer's free balance does not cover the deposits.
async fn check_deposits(
	gov: &Gov,
	proposer: &AccountId,
	track: &str,
	submission: u128,
	decision: Option<u128>,
) -> Result<(), CliError> {
	let needed = submission.saturating_add(decision.unwrap_or_default());
	let free = gov.chain.free_balance(proposer).await?;
	if free > needed {
		return Ok(());
	}
	let what = match decision {
		Some(decision) => format!(
			"the submission + decision deposit ({} needed: {} submission + {} decision on track {track}, plus the preimage deposit and fees)",
			format_ait(needed),
			format_ait(submission),
			format_ait(decision)
		),
		None => format!(
			"the submission deposit ({} needed, plus the preimage deposit and fees)",
			format_ait(submission)
		),
	};
	Err(CliError::rejected(format!(
		"deposit too low: the balance of {} ({} free) is below {what}",
		gov.address(proposer),
		format_ait(free)
	)))
}

/// What a transaction put on hold from `who` (the preimage deposit).
fn held_by(submitted: &Submitted, who: &AccountId) -> u128 {
	submitted
		.events
		.find::<runtime::balances::events::Held>()
		.filter_map(Result::ok)
		.filter(|e| e.who == *who)
		.map(|e| e.amount)
		.sum()
}

/// Places the decision deposit of referendum `index`; the amount held.
async fn place_decision_deposit(
	gov: &Gov,
	index: u32,
	key: &aitbc_client::keys::Key,
) -> Result<u128, CliError> {
	let call = runtime::transactions().referenda().place_decision_deposit(index);
	let placed = gov.chain.submit(&call, key).await?;
	Ok(placed
		.events
		.find_first::<runtime::referenda::events::DecisionDepositPlaced>()
		.and_then(Result::ok)
		.map(|e| e.amount)
		.unwrap_or_default())
}

/// `dao deposit` options.
#[derive(clap::Args, Debug)]
pub struct DepositArgs {
	/// Referendum index.
	pub index: String,
}

/// `dao deposit` `--json` output.
#[derive(Serialize)]
struct DepositJson<'a> {
	index: u32,
	track: &'a str,
	depositor: String,
	#[serde(with = "aitbc_client::json::decimal")]
	amount: u128,
}

/// Places the decision deposit of a referendum submitted without one.
pub async fn deposit(ctx: &Ctx, args: DepositArgs, out: &mut impl Write) -> Result<(), CliError> {
	let index = super::referendum_index(&args.index)?;
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let Referendum::Ongoing { track, status } = gov.existing_referendum(index).await? else {
		return Err(CliError::usage(format!(
			"referendum {index} is not ongoing; only an ongoing referendum takes a decision deposit"
		)));
	};
	if let Some(held) = &status.decision_deposit {
		return Err(CliError::usage(format!(
			"referendum {index} has its decision deposit already ({} from {})",
			format_ait(held.amount),
			held.who
		)));
	}
	let track_name = gov.track_name(track);
	let needed = gov.track_by_id(track).map(|t| t.decision_deposit).unwrap_or_default();
	let free = gov.chain.free_balance(&key.account()).await?;
	if free <= needed {
		return Err(CliError::rejected(format!(
			"deposit too low: the balance of {} ({} free) is below the decision deposit of track {track_name} ({} needed, plus fees)",
			gov.address(&key.account()),
			format_ait(free),
			format_ait(needed)
		)));
	}
	let amount = place_decision_deposit(&gov, index, &key).await?;
	let json =
		DepositJson { index, track: &track_name, depositor: gov.address(&key.account()), amount };
	output::emit(ctx, out, &json, |out| {
		writeln!(
			out,
			"Decision deposit of {} placed on referendum {index} (track {track_name})",
			format_ait(amount)
		)
	})
}

/// `dao refund` `--json` output.
#[derive(Serialize)]
struct RefundJson {
	index: u32,
	/// The submission deposit refunded (0 if none was due).
	#[serde(with = "aitbc_client::json::decimal")]
	submission: u128,
	/// The decision deposit refunded (0 if none was due).
	#[serde(with = "aitbc_client::json::decimal")]
	decision: u128,
}

/// Takes back the deposits a finished referendum returns: the decision deposit of any that was
/// not killed, the submission deposit of an approved or cancelled one. Anyone may send it; the
/// deposits go to their depositors.
pub async fn refund(ctx: &Ctx, args: DepositArgs, out: &mut impl Write) -> Result<(), CliError> {
	let index = super::referendum_index(&args.index)?;
	let key = ctx.signer()?;
	let gov = Gov::connect(ctx).await?;
	let Referendum::Ended { status, submission_deposit, decision_deposit, .. } =
		gov.existing_referendum(index).await?
	else {
		return Err(CliError::usage(format!(
			"referendum {index} is still ongoing; deposits come back once it ends"
		)));
	};
	let referenda = runtime::transactions().referenda();
	let decision = match decision_deposit {
		Some(_) => Some(gov.chain.send(&referenda.refund_decision_deposit(index), &key).await?),
		None => None,
	};
	let submission = match submission_deposit {
		Some(_) if matches!(status, "approved" | "cancelled") => {
			Some(gov.chain.send(&referenda.refund_submission_deposit(index), &key).await?)
		}
		_ => None,
	};
	if decision.is_none() && submission.is_none() {
		return Err(CliError::usage(format!(
			"referendum {index} ({status}) has no deposit to refund: refunded already, or kept \
			 (a rejected or timed-out referendum keeps its submission deposit)"
		)));
	}
	let mut json = RefundJson { index, submission: 0, decision: 0 };
	if let Some(pending) = decision {
		json.decision = pending
			.in_block()
			.await?
			.events
			.find_first::<runtime::referenda::events::DecisionDepositRefunded>()
			.and_then(Result::ok)
			.map(|e| e.amount)
			.unwrap_or_default();
	}
	if let Some(pending) = submission {
		json.submission = pending
			.in_block()
			.await?
			.events
			.find_first::<runtime::referenda::events::SubmissionDepositRefunded>()
			.and_then(Result::ok)
			.map(|e| e.amount)
			.unwrap_or_default();
	}
	output::emit(ctx, out, &json, |out| {
		writeln!(
			out,
			"Referendum {index}: refunded submission deposit {}, decision deposit {}",
			format_ait(json.submission),
			format_ait(json.decision)
		)
	})
}
