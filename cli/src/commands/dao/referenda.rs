//! `aitbc dao list|show|tracks`: referenda and tracks as the chain has them. `show` measures a
//! referendum's tally against its track's curves now (`pallet_referenda`'s `is_passing`: support
//! against the active issuance, approval against all votes, both at the elapsed fraction of the
//! decision period).

use std::io::Write;

use aitbc_client::units::format_ait;
use serde::Serialize;

use super::{
	calls,
	curve::{percent, ratio, ONE},
	state::{Gov, Held, Ongoing, Referendum, Tally, Track},
};
use crate::{output, CliError, Ctx};

/// `dao list` options.
#[derive(clap::Args, Debug)]
pub struct ListArgs {
	/// Only this track (name or id).
	#[arg(long)]
	pub track: Option<String>,
	/// Most referenda shown.
	#[arg(long, default_value_t = 20)]
	pub limit: u32,
}

/// `dao show` options.
#[derive(clap::Args, Debug)]
pub struct ShowArgs {
	/// Referendum index.
	pub index: String,
}

/// A referendum's phase now: `preparing`, `queued`, `deciding`, `confirming`, or how it ended
/// (`approved`, `rejected`, `cancelled`, `timed_out`, `killed`).
fn phase(referendum: &Referendum) -> &'static str {
	match referendum {
		Referendum::Ongoing { status, .. } => match (status.deciding, status.in_queue) {
			(Some((_, Some(_))), _) => "confirming",
			(Some(_), _) => "deciding",
			(None, true) => "queued",
			(None, false) => "preparing",
		},
		Referendum::Ended { status, .. } => status,
	}
}

fn track_of(referendum: &Referendum) -> Option<u16> {
	match referendum {
		Referendum::Ongoing { track, .. } => Some(*track),
		Referendum::Ended { .. } => None,
	}
}

/// One row of `dao list`.
#[derive(Serialize)]
struct Row {
	index: u32,
	/// Null for an ended referendum (the chain keeps only its outcome).
	track: Option<String>,
	track_id: Option<u16>,
	status: &'static str,
	/// Null for an ended referendum.
	tally: Option<Tally>,
	/// The block it ended in (ended referenda).
	ended_at: Option<u32>,
}

/// `dao list` `--json` output.
#[derive(Serialize)]
struct ListJson {
	/// The best block read.
	block: u32,
	/// How many referenda were ever submitted.
	count: u32,
	referenda: Vec<Row>,
}

/// Lists referenda, newest first.
pub async fn list(ctx: &Ctx, args: ListArgs, out: &mut impl Write) -> Result<(), CliError> {
	let gov = Gov::connect(ctx).await?;
	let only = match &args.track {
		Some(text) => Some(gov.track(text)?.id),
		None => None,
	};
	let count = gov.referendum_count().await?;
	let mut rows = Vec::new();
	for index in (0..count).rev() {
		if rows.len() >= usize::try_from(args.limit).unwrap_or(usize::MAX) {
			break;
		}
		let Some(referendum) = gov.referendum(index).await? else { continue };
		let track = track_of(&referendum);
		if only.is_some() && track != only {
			continue;
		}
		let (tally, ended_at) = match &referendum {
			Referendum::Ongoing { status, .. } => (Some(status.tally), None),
			Referendum::Ended { at, .. } => (None, Some(*at)),
		};
		rows.push(Row {
			index,
			track: track.map(|id| gov.track_name(id)),
			track_id: track,
			status: phase(&referendum),
			tally,
			ended_at,
		});
	}
	let json = ListJson { block: gov.block, count, referenda: rows };
	output::emit(ctx, out, &json, |out| {
		if json.referenda.is_empty() {
			return writeln!(out, "No referenda.");
		}
		writeln!(
			out,
			"{:>5}  {:<20}  {:<11}  {:>20}  {:>20}  {:>20}",
			"INDEX", "TRACK", "STATUS", "AYES", "NAYS", "SUPPORT"
		)?;
		for row in &json.referenda {
			let (ayes, nays, support) = match &row.tally {
				Some(t) => (format_ait(t.ayes), format_ait(t.nays), format_ait(t.support)),
				None => {
					let ended = row.ended_at.map(|b| format!("at block {b}")).unwrap_or_default();
					(ended, String::new(), String::new())
				}
			};
			writeln!(
				out,
				"{:>5}  {:<20}  {:<11}  {:>20}  {:>20}  {:>20}",
				row.index,
				row.track.as_deref().unwrap_or("-"),
				row.status,
				ayes,
				nays,
				support
			)?;
		}
		Ok(())
	})
}

/// Where an ongoing referendum stands against its track's curves now.
#[derive(Serialize, Debug)]
struct Standing {
	/// Ayes over all votes (conviction-weighted), percent.
	approval_percent: f64,
	/// The approval needed now, percent.
	approval_threshold_percent: f64,
	/// Support over the active issuance, percent.
	support_percent: f64,
	/// The support needed now, percent.
	support_threshold_percent: f64,
	/// Both thresholds are met.
	passing: bool,
	/// What support is measured against.
	#[serde(with = "aitbc_client::json::decimal")]
	active_issuance: u128,
	/// The elapsed share of the decision period the thresholds are read at, percent.
	decision_elapsed_percent: f64,
}

/// The end of the current phase.
#[derive(Serialize, Debug)]
struct PhaseEnd {
	/// The block the phase ends at (or, for `preparing` without a decision deposit, the block
	/// the referendum times out at).
	block: u32,
	blocks_left: u32,
	secs_left: u64,
	/// What happens then.
	then: String,
}

/// `dao show` `--json` output.
#[derive(Serialize)]
struct ShowJson {
	index: u32,
	/// The best block read.
	block: u32,
	status: &'static str,
	track: Option<String>,
	track_id: Option<u16>,
	/// The proposal: its hash, length and, when its preimage is on chain, `Pallet.call`.
	proposal: Option<ProposalJson>,
	submitted: Option<u32>,
	submission_deposit: Option<Held>,
	decision_deposit: Option<Held>,
	/// Since when it is decided, and until when it must keep passing (confirming).
	deciding_since: Option<u32>,
	confirming_until: Option<u32>,
	tally: Option<Tally>,
	standing: Option<Standing>,
	phase_end: Option<PhaseEnd>,
	/// The block it ended in (ended referenda).
	ended_at: Option<u32>,
}

/// A proposal in JSON.
#[derive(Serialize)]
struct ProposalJson {
	hash: String,
	len: Option<u32>,
	call: Option<String>,
}

/// One referendum against its track's curves.
pub async fn show(ctx: &Ctx, args: ShowArgs, out: &mut impl Write) -> Result<(), CliError> {
	let index = super::referendum_index(&args.index)?;
	let gov = Gov::connect(ctx).await?;
	let referendum = gov.existing_referendum(index).await?;
	let status = phase(&referendum);
	let json = match &referendum {
		Referendum::Ended { at, submission_deposit, decision_deposit, .. } => ShowJson {
			index,
			block: gov.block,
			status,
			track: None,
			track_id: None,
			proposal: None,
			submitted: None,
			submission_deposit: submission_deposit.clone(),
			decision_deposit: decision_deposit.clone(),
			deciding_since: None,
			confirming_until: None,
			tally: None,
			standing: None,
			phase_end: None,
			ended_at: Some(*at),
		},
		Referendum::Ongoing { track: track_id, status: ongoing } => {
			let track = gov.track_by_id(*track_id).cloned().ok_or_else(|| {
				CliError::other(format!(
					"referendum {index} is on track {track_id}, which the chain does not list"
				))
			})?;
			let issuance = gov.active_issuance().await?;
			let call = proposal_call(&gov, ongoing).await?;
			ShowJson {
				index,
				block: gov.block,
				status,
				track: Some(track.name.clone()),
				track_id: Some(track.id),
				proposal: Some(ProposalJson {
					hash: format!("{:?}", ongoing.proposal.hash),
					len: ongoing.proposal.len,
					call,
				}),
				submitted: Some(ongoing.submitted),
				submission_deposit: Some(ongoing.submission_deposit.clone()),
				decision_deposit: ongoing.decision_deposit.clone(),
				deciding_since: ongoing.deciding.map(|(since, _)| since),
				confirming_until: ongoing.deciding.and_then(|(_, until)| until),
				tally: Some(ongoing.tally),
				standing: Some(standing(&track, ongoing, gov.block, issuance)),
				phase_end: phase_end(&gov, &track, ongoing)?,
				ended_at: None,
			}
		}
	};
	output::emit(ctx, out, &json, |out| write_show(out, &json))
}

/// `Pallet.call` of the proposal, when its preimage is on chain.
async fn proposal_call(gov: &Gov, ongoing: &Ongoing) -> Result<Option<String>, CliError> {
	if let Some(bytes) = &ongoing.proposal.inline {
		return Ok(Some(calls::name(gov, bytes)));
	}
	let Some(len) = ongoing.proposal.len else { return Ok(None) };
	let preimage = aitbc_client::runtime::storage().preimage().preimage_for();
	let bytes = gov.fetch(preimage, ((ongoing.proposal.hash, len),)).await?;
	Ok(bytes.map(|b| calls::name(gov, &b.0)))
}

/// The tally against the curves at block `now`.
fn standing(track: &Track, ongoing: &Ongoing, now: u32, issuance: u128) -> Standing {
	// Thresholds at the elapsed share of the decision period (its start before deciding).
	let x = match ongoing.deciding {
		Some((since, _)) if track.decision_period > 0 => {
			let elapsed = now.saturating_sub(since).min(track.decision_period);
			ratio(u128::from(elapsed), u128::from(track.decision_period))
		}
		_ => 0,
	};
	let tally = ongoing.tally;
	let approval = ratio(tally.ayes, tally.ayes.saturating_add(tally.nays));
	let support = ratio(tally.support, issuance);
	let (approval_needed, support_needed) =
		(track.min_approval.threshold(x), track.min_support.threshold(x));
	Standing {
		approval_percent: percent(approval),
		approval_threshold_percent: percent(approval_needed),
		support_percent: percent(support),
		support_threshold_percent: percent(support_needed),
		passing: approval >= approval_needed && support >= support_needed && x <= ONE,
		active_issuance: issuance,
		decision_elapsed_percent: percent(x),
	}
}

/// When the current phase of an ongoing referendum ends, and what happens then.
fn phase_end(gov: &Gov, track: &Track, ongoing: &Ongoing) -> Result<Option<PhaseEnd>, CliError> {
	let (block, then) = match (ongoing.deciding, &ongoing.decision_deposit, ongoing.in_queue) {
		(Some((_, Some(until))), _, _) => (until, "approved, if it keeps passing".to_string()),
		(Some((since, None)), _, _) => (
			since.saturating_add(track.decision_period),
			"rejected, unless it passes and confirms first".to_string(),
		),
		(None, _, true) => return Ok(None),
		(None, Some(_), false) => {
			let prepared = ongoing.submitted.saturating_add(track.prepare_period);
			if prepared <= gov.block {
				// prepared: it enters deciding at its next alarm (a slot is free)
				(ongoing.alarm.unwrap_or(gov.block), "deciding begins".to_string())
			} else {
				(prepared, "deciding begins (if a slot is free)".to_string())
			}
		}
		(None, None, false) => (
			ongoing.submitted.saturating_add(gov.undeciding_timeout()?),
			format!(
				"timed out, unless its decision deposit is placed first (aitbc dao deposit; {} on this track)",
				format_ait(track.decision_deposit)
			),
		),
	};
	let blocks_left = block.saturating_sub(gov.block);
	Ok(Some(PhaseEnd { block, blocks_left, secs_left: gov.secs(blocks_left), then }))
}

fn write_show(out: &mut impl Write, json: &ShowJson) -> std::io::Result<()> {
	writeln!(out, "Referendum {}: {}", json.index, json.status)?;
	if let Some(at) = json.ended_at {
		writeln!(out, "Ended at block {at} (best block {})", json.block)?;
	}
	if let (Some(track), Some(id)) = (&json.track, json.track_id) {
		writeln!(out, "Track: {track} ({id})")?;
	}
	if let Some(p) = &json.proposal {
		let call = p.call.as_deref().unwrap_or("preimage not on chain");
		writeln!(out, "Proposal: {call} (hash {})", p.hash)?;
	}
	if let Some(submitted) = json.submitted {
		writeln!(out, "Submitted at block {submitted}; best block {}", json.block)?;
	}
	let deposit = |d: &Option<Held>| match d {
		Some(d) => format!("{} from {}", format_ait(d.amount), d.who),
		None => "none".to_string(),
	};
	writeln!(out, "Submission deposit: {}", deposit(&json.submission_deposit))?;
	writeln!(out, "Decision deposit: {}", deposit(&json.decision_deposit))?;
	if let Some(t) = &json.tally {
		writeln!(
			out,
			"Tally: ayes {}, nays {}, support {}",
			format_ait(t.ayes),
			format_ait(t.nays),
			format_ait(t.support)
		)?;
	}
	if let Some(s) = &json.standing {
		writeln!(
			out,
			"Approval: {:.2}% (needs {:.2}%)  Support: {:.4}% of {} (needs {:.4}%)  -> {}",
			s.approval_percent,
			s.approval_threshold_percent,
			s.support_percent,
			format_ait(s.active_issuance),
			s.support_threshold_percent,
			if s.passing { "passing" } else { "not passing" }
		)?;
	}
	if let Some(since) = json.deciding_since {
		writeln!(out, "Deciding since block {since}")?;
	}
	if let Some(end) = &json.phase_end {
		writeln!(
			out,
			"Phase ends at block {} ({} blocks, ~{}): {}",
			end.block,
			end.blocks_left,
			super::duration(end.secs_left),
			end.then
		)?;
	}
	Ok(())
}

/// `dao tracks` `--json` output.
#[derive(Serialize)]
struct TracksJson<'a> {
	/// Held from a proposer until the referendum is approved or cancelled.
	#[serde(with = "aitbc_client::json::decimal")]
	submission_deposit: u128,
	/// Blocks a referendum may wait for its decision deposit before it times out.
	undeciding_timeout: u32,
	/// Blocks a conviction-1 vote stays locked after its referendum ends.
	vote_locking_period: u32,
	/// Milliseconds per block.
	block_time_ms: u64,
	tracks: &'a [Track],
}

/// The tracks of the connected chain.
pub async fn tracks(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
	let gov = Gov::connect(ctx).await?;
	let json = TracksJson {
		submission_deposit: gov.submission_deposit()?,
		undeciding_timeout: gov.undeciding_timeout()?,
		vote_locking_period: gov.vote_locking_period()?,
		block_time_ms: u64::try_from(gov.chain.constants().block_time.as_millis())
			.unwrap_or(u64::MAX),
		tracks: &gov.tracks,
	};
	output::emit(ctx, out, &json, |out| {
		let blocks = |n: u32| format!("{n} ({})", super::duration(gov.secs(n)));
		writeln!(
			out,
			"{:>3}  {:<19} {:>4}  {:>14}  {:<16} {:<18} {:<16} {:<16}",
			"ID",
			"TRACK",
			"MAX",
			"DECISION DEP.",
			"PREPARE",
			"DECISION",
			"CONFIRM",
			"MIN ENACTMENT"
		)?;
		for t in json.tracks {
			writeln!(
				out,
				"{:>3}  {:<19} {:>4}  {:>14}  {:<16} {:<18} {:<16} {:<16}",
				t.id,
				t.name,
				t.max_deciding,
				format_ait(t.decision_deposit),
				blocks(t.prepare_period),
				blocks(t.decision_period),
				blocks(t.confirm_period),
				blocks(t.min_enactment_period)
			)?;
			writeln!(out, "       approval {}; support {}", t.min_approval, t.min_support)?;
		}
		writeln!(
			out,
			"Submission deposit {}; a referendum without its decision deposit times out after {}; votes lock {} per conviction level",
			format_ait(json.submission_deposit),
			blocks(json.undeciding_timeout),
			blocks(json.vote_locking_period)
		)
	})
}
