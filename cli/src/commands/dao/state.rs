//! What the governance commands read from the chain, at its best block: the tracks and the
//! chain-dependent constants (read without static validation: their values follow the chain's
//! governance timing, so the committed metadata's values are not this chain's), referenda,
//! issuance and the committee's members.

use aitbc_client::{
	runtime::{
		self,
		runtime_types::{
			frame_support::traits::preimages::Bounded,
			pallet_referenda::types::{Curve as RuntimeCurve, Deposit, ReferendumInfo},
		},
	},
	AccountId, Chain, Config,
};
use serde::Serialize;
use subxt::{client::OnlineClientAtBlock, rpcs::rpc_params, storage::Address, utils::H256};

use super::curve::Curve;
use crate::{CliError, Ctx};

/// The chain at one block.
pub type At = OnlineClientAtBlock<Config>;

/// A referendum track, as the connected chain states it (`Referenda.Tracks`).
#[derive(Clone, Debug, Serialize)]
pub struct Track {
	/// Track id.
	pub id: u16,
	/// Track name (`market_params`).
	pub name: String,
	/// Most referenda decided at once on the track; more wait in its queue.
	pub max_deciding: u32,
	/// Deposit for a referendum to be decided (refunded when it ends, unless killed).
	#[serde(with = "aitbc_client::json::decimal")]
	pub decision_deposit: u128,
	/// Blocks from submission before deciding may begin.
	pub prepare_period: u32,
	/// Blocks a referendum is decided for at most.
	pub decision_period: u32,
	/// Blocks a referendum must keep passing to be approved.
	pub confirm_period: u32,
	/// Least blocks from approval to enactment.
	pub min_enactment_period: u32,
	/// Approval (ayes / all votes, conviction-weighted) needed over the decision period.
	pub min_approval: Curve,
	/// Support (capital voting aye / active issuance) needed over the decision period.
	pub min_support: Curve,
}

/// A deposit and who holds it.
#[derive(Clone, Debug, Serialize)]
pub struct Held {
	/// The depositor's address.
	pub who: String,
	/// The amount held.
	#[serde(with = "aitbc_client::json::decimal")]
	pub amount: u128,
}

/// A referendum's tally (`ayes` and `nays` conviction-weighted, `support` the capital behind the
/// ayes, delegations included).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Tally {
	/// Conviction-weighted ayes.
	#[serde(with = "aitbc_client::json::decimal")]
	pub ayes: u128,
	/// Conviction-weighted nays.
	#[serde(with = "aitbc_client::json::decimal")]
	pub nays: u128,
	/// Capital behind the ayes (and abstentions), without conviction.
	#[serde(with = "aitbc_client::json::decimal")]
	pub support: u128,
}

/// An ongoing referendum.
#[derive(Clone, Debug)]
pub struct Ongoing {
	/// Its proposal: the preimage's hash and length.
	pub proposal: Proposal,
	/// When it was submitted.
	pub submitted: u32,
	/// The submission deposit.
	pub submission_deposit: Held,
	/// The decision deposit, once placed.
	pub decision_deposit: Option<Held>,
	/// Since when it is being decided, and until when it confirms.
	pub deciding: Option<(u32, Option<u32>)>,
	/// Its tally.
	pub tally: Tally,
	/// Waiting for a deciding slot on its track.
	pub in_queue: bool,
	/// The next block its state is looked at.
	pub alarm: Option<u32>,
}

/// The proposal of a referendum.
#[derive(Clone, Debug)]
pub struct Proposal {
	/// The call's hash.
	pub hash: H256,
	/// The call's length, when known.
	pub len: Option<u32>,
	/// The call itself when it is stored inline.
	pub inline: Option<Vec<u8>>,
}

/// A referendum, ongoing or ended.
#[derive(Clone, Debug)]
pub enum Referendum {
	/// Not decided yet.
	Ongoing {
		/// Its track.
		track: u16,
		/// Its state.
		status: Box<Ongoing>,
	},
	/// Decided or ended: `status` (`approved`, `rejected`, `cancelled`, `timed_out`, `killed`)
	/// at block `at`, with the deposits still held.
	Ended {
		/// How it ended.
		status: &'static str,
		/// The block it ended in.
		at: u32,
		/// The submission deposit, unless refunded or slashed.
		submission_deposit: Option<Held>,
		/// The decision deposit, unless refunded or slashed.
		decision_deposit: Option<Held>,
	},
}

/// The chain at its best block, with its tracks.
pub struct Gov {
	/// The connection.
	pub chain: Chain,
	/// The best block.
	pub at: At,
	/// Its number.
	pub block: u32,
	/// The tracks, by id.
	pub tracks: Vec<Track>,
}

impl Gov {
	/// Connects and reads the best block and the tracks.
	pub async fn connect(ctx: &Ctx) -> Result<Self, CliError> {
		let chain = ctx.chain().await?;
		Self::at_best(chain).await
	}

	/// The chain's best block now.
	pub async fn at_best(chain: Chain) -> Result<Self, CliError> {
		let hash: H256 = chain.request("chain_getBlockHash", rpc_params![]).await?;
		let at = chain.api().at_block(hash).await.map_err(|e| CliError::from(chain.error(e)))?;
		let block = u32::try_from(at.block_number())
			.map_err(|_| CliError::other("the best block number does not fit 32 bits"))?;
		let tracks = read_tracks(&at)?;
		Ok(Gov { chain, at, block, tracks })
	}

	/// The same connection at the best block now (after a transaction).
	pub async fn refresh(self) -> Result<Self, CliError> {
		Self::at_best(self.chain).await
	}

	/// An account's address with the chain's prefix.
	pub fn address(&self, account: &AccountId) -> String {
		self.chain.address(account)
	}

	/// Seconds of `blocks` blocks at the chain's block time.
	pub fn secs(&self, blocks: u32) -> u64 {
		let millis = self.chain.constants().block_time.as_millis();
		u64::try_from(millis.saturating_mul(u128::from(blocks)) / 1_000).unwrap_or(u64::MAX)
	}

	/// The track with this id.
	pub fn track_by_id(&self, id: u16) -> Option<&Track> {
		self.tracks.iter().find(|t| t.id == id)
	}

	/// A track's name, or its id when the chain has no such track.
	pub fn track_name(&self, id: u16) -> String {
		self.track_by_id(id).map_or_else(|| id.to_string(), |t| t.name.clone())
	}

	/// A track given by name (`market_params`, `market-params`) or id.
	pub fn track(&self, text: &str) -> Result<&Track, CliError> {
		let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
		let found = match wanted.parse::<u16>() {
			Ok(id) => self.track_by_id(id),
			Err(_) => self.tracks.iter().find(|t| t.name == wanted),
		};
		found.ok_or_else(|| {
			CliError::usage(format!("unknown track {text}; tracks: {}", self.track_names()))
		})
	}

	/// The tracks' names, comma-separated.
	pub fn track_names(&self) -> String {
		self.tracks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
	}

	/// `Referenda.SubmissionDeposit`.
	pub fn submission_deposit(&self) -> Result<u128, CliError> {
		let address = runtime::constants().referenda().submission_deposit();
		self.at.constants().entry(address).map_err(constant_error)
	}

	/// `Referenda.UndecidingTimeout` (follows the chain's governance timing).
	pub fn undeciding_timeout(&self) -> Result<u32, CliError> {
		let address = runtime::constants().referenda().undeciding_timeout().unvalidated();
		self.at.constants().entry(address).map_err(constant_error)
	}

	/// `ConvictionVoting.VoteLockingPeriod` (follows the chain's governance timing).
	pub fn vote_locking_period(&self) -> Result<u32, CliError> {
		let address = runtime::constants().conviction_voting().vote_locking_period().unvalidated();
		self.at.constants().entry(address).map_err(constant_error)
	}

	/// `Treasury.PayoutPeriod` (follows the chain's governance timing).
	pub fn payout_period(&self) -> Result<u32, CliError> {
		let address = runtime::constants().treasury().payout_period().unvalidated();
		self.at.constants().entry(address).map_err(constant_error)
	}

	/// A storage value at this block, decoded; `None` when absent.
	pub async fn fetch<A: Address>(
		&self,
		address: A,
		keys: A::KeyParts,
	) -> Result<Option<A::Value>, CliError> {
		let value = self
			.at
			.storage()
			.try_fetch(address, keys)
			.await
			.map_err(|e| CliError::from(self.chain.error(e)))?;
		value
			.map(|v| v.decode().map_err(|e| CliError::other(format!("cannot decode storage: {e}"))))
			.transpose()
	}

	/// How many referenda were ever submitted (the next index).
	pub async fn referendum_count(&self) -> Result<u32, CliError> {
		let count = self.fetch(runtime::storage().referenda().referendum_count(), ()).await?;
		Ok(count.unwrap_or_default())
	}

	/// Referendum `index`, if it exists.
	pub async fn referendum(&self, index: u32) -> Result<Option<Referendum>, CliError> {
		let info =
			self.fetch(runtime::storage().referenda().referendum_info_for(), (index,)).await?;
		Ok(info.map(|info| self.convert(info)))
	}

	/// Referendum `index`, or a `not_found` error naming the indexes that exist.
	pub async fn existing_referendum(&self, index: u32) -> Result<Referendum, CliError> {
		match self.referendum(index).await? {
			Some(referendum) => Ok(referendum),
			None => {
				let count = self.referendum_count().await?;
				let known = match count {
					0 => "there are no referenda yet".to_string(),
					1 => "the only referendum is 0".to_string(),
					n => format!("referenda are 0 to {}", n.saturating_sub(1)),
				};
				Err(CliError::not_found(format!(
					"referendum {index} does not exist ({known}; see aitbc dao list)"
				)))
			}
		}
	}

	/// The active issuance: what support is measured against (`MaxTurnout`).
	pub async fn active_issuance(&self) -> Result<u128, CliError> {
		let balances = runtime::storage().balances();
		let total = self.fetch(balances.total_issuance(), ()).await?.unwrap_or_default();
		let inactive = self.fetch(balances.inactive_issuance(), ()).await?.unwrap_or_default();
		Ok(total.saturating_sub(inactive))
	}

	/// The technical committee's members.
	pub async fn members(&self) -> Result<Vec<AccountId>, CliError> {
		let members = self.fetch(runtime::storage().technical_committee().members(), ()).await?;
		Ok(members.unwrap_or_default())
	}

	/// The members' addresses, comma-separated.
	pub fn addresses(&self, accounts: &[AccountId]) -> Vec<String> {
		accounts.iter().map(|a| self.address(a)).collect()
	}

	fn held(&self, deposit: Option<Deposit<AccountId, u128>>) -> Option<Held> {
		deposit.map(|d| Held { who: self.address(&d.who), amount: d.amount })
	}

	fn convert(&self, info: RuntimeInfo) -> Referendum {
		let ended = |status, at, submission, decision| Referendum::Ended {
			status,
			at,
			submission_deposit: self.held(submission),
			decision_deposit: self.held(decision),
		};
		match info {
			ReferendumInfo::Ongoing(status) => {
				let proposal = match status.proposal {
					Bounded::Lookup { hash, len } => {
						Proposal { hash, len: Some(len), inline: None }
					}
					Bounded::Legacy { hash } => Proposal { hash, len: None, inline: None },
					Bounded::Inline(bytes) => Proposal {
						hash: H256(blake2_256(&bytes.0)),
						len: u32::try_from(bytes.0.len()).ok(),
						inline: Some(bytes.0),
					},
					Bounded::__Ignore(_) => {
						Proposal { hash: H256::zero(), len: None, inline: None }
					}
				};
				Referendum::Ongoing {
					track: status.track,
					status: Box::new(Ongoing {
						proposal,
						submitted: status.submitted,
						submission_deposit: Held {
							who: self.address(&status.submission_deposit.who),
							amount: status.submission_deposit.amount,
						},
						decision_deposit: self.held(status.decision_deposit),
						deciding: status.deciding.map(|d| (d.since, d.confirming)),
						tally: Tally {
							ayes: status.tally.ayes,
							nays: status.tally.nays,
							support: status.tally.support,
						},
						in_queue: status.in_queue,
						alarm: status.alarm.map(|(at, _)| at),
					}),
				}
			}
			ReferendumInfo::Approved(at, s, d) => ended("approved", at, s, d),
			ReferendumInfo::Rejected(at, s, d) => ended("rejected", at, s, d),
			ReferendumInfo::Cancelled(at, s, d) => ended("cancelled", at, s, d),
			ReferendumInfo::TimedOut(at, s, d) => ended("timed_out", at, s, d),
			ReferendumInfo::Killed(at) => ended("killed", at, None, None),
		}
	}
}

/// `Referenda.ReferendumInfoFor`'s value, as generated.
type RuntimeInfo = runtime::referenda::storage::referendum_info_for::Output;

/// BLAKE2b-256 with subxt's hasher (the chain's call hashing).
pub fn blake2_256(bytes: &[u8]) -> [u8; 32] {
	use subxt::config::{substrate::BlakeTwo256, Hasher};
	// `BlakeTwo256::new` ignores the metadata it is given; hashing needs none.
	BlakeTwo256.hash(bytes).0
}

/// `Referenda.Tracks` of the chain at `at`, read without static validation (the periods follow
/// the chain's governance timing).
fn read_tracks(at: &At) -> Result<Vec<Track>, CliError> {
	let address = runtime::constants().referenda().tracks().unvalidated();
	let tracks = at.constants().entry(address).map_err(constant_error)?;
	Ok(tracks
		.into_iter()
		.map(|(id, t)| Track {
			id,
			name: t.name.trim_end_matches('\0').to_string(),
			max_deciding: t.max_deciding,
			decision_deposit: t.decision_deposit,
			prepare_period: t.prepare_period,
			decision_period: t.decision_period,
			confirm_period: t.confirm_period,
			min_enactment_period: t.min_enactment_period,
			min_approval: curve(t.min_approval),
			min_support: curve(t.min_support),
		})
		.collect())
}

fn curve(c: RuntimeCurve) -> Curve {
	match c {
		RuntimeCurve::LinearDecreasing { length, floor, ceil } => {
			Curve::LinearDecreasing { length: length.0, floor: floor.0, ceil: ceil.0 }
		}
		RuntimeCurve::SteppedDecreasing { begin, end, step, period } => {
			Curve::SteppedDecreasing { begin: begin.0, end: end.0, step: step.0, period: period.0 }
		}
		RuntimeCurve::Reciprocal { factor, x_offset, y_offset } => {
			Curve::Reciprocal { factor: factor.0, x_offset: x_offset.0, y_offset: y_offset.0 }
		}
	}
}

fn constant_error(e: subxt::error::ConstantError) -> CliError {
	CliError::other(format!(
		"the chain's governance constants do not match this client ({e}); use a client built for this chain"
	))
}
