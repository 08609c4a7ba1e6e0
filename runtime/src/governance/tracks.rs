//! The referendum tracks: one per kind of proposal, each with its origin, deposit, periods and
//! curves (`docs/governance.md` has the same table in prose).
//!
//! Periods come in two sets, chosen by the governed [`GovernanceTiming`]: production periods
//! for a public chain (days, at 2-second blocks) and development periods of a few blocks, so that
//! one runtime build serves both. The curves are the same in both: their time axis is a fraction
//! of the decision period.

use super::origins::pallet_origins::{GovernanceTiming, Origin, Timing};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, MINUTES, UNIT};
use alloc::{borrow::Cow, vec::Vec};
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::FixedI64;

/// Track ids. Numbered by family: 0-9 root powers and referendum control, 10-19 marketplace
/// and network operations, 20-29 treasury.
pub mod id {
	/// `root`: anything, as Root (runtime upgrades, committee membership).
	pub const ROOT: u16 = 0;
	/// `whitelisted_caller`: a call the technical committee whitelisted, as Root.
	pub const WHITELISTED_CALLER: u16 = 1;
	/// `referendum_canceller`: cancel a referendum (its deposits are returned).
	pub const REFERENDUM_CANCELLER: u16 = 2;
	/// `referendum_killer`: kill a referendum (its deposits go to the treasury).
	pub const REFERENDUM_KILLER: u16 = 3;
	/// `market_params`: the marketplace parameters.
	pub const MARKET_PARAMS: u16 = 10;
	/// `miner_admin`: ban or unban a miner, reverse a slash, end a jail.
	pub const MINER_ADMIN: u16 = 11;
	/// `validator_admin`: add or remove a validator, set the session length.
	pub const VALIDATOR_ADMIN: u16 = 12;
	/// `small_spender`: treasury spends up to 10,000 AIT.
	pub const SMALL_SPENDER: u16 = 20;
	/// `big_spender`: treasury spends up to 100,000 AIT.
	pub const BIG_SPENDER: u16 = 21;
}

/// The durations of a track, in blocks.
#[derive(Clone, Copy)]
struct Periods {
	prepare: BlockNumber,
	decision: BlockNumber,
	confirm: BlockNumber,
	min_enactment: BlockNumber,
}

/// What defines a track apart from its periods.
struct Shape {
	id: u16,
	name: &'static str,
	max_deciding: u32,
	decision_deposit: Balance,
	production: Periods,
	min_approval: Curve,
	min_support: Curve,
}

const fn percent(x: i64) -> FixedI64 {
	FixedI64::from_rational(x as u128, 100)
}

const fn permille(x: i64) -> FixedI64 {
	FixedI64::from_rational(x as u128, 1_000)
}

/// Approval falls linearly from 100 % to 50 % over the whole decision period.
const APPROVAL_HALF: Curve = Curve::make_linear(1, 1, percent(50), percent(100));

/// Every track, sorted by id.
const SHAPES: [Shape; 9] = [
	Shape {
		id: id::ROOT,
		name: "root",
		max_deciding: 1,
		decision_deposit: 10_000 * UNIT,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: DAYS,
			min_enactment: DAYS,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(5), percent(50)),
	},
	Shape {
		id: id::WHITELISTED_CALLER,
		name: "whitelisted_caller",
		max_deciding: 10,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: 10 * MINUTES,
			decision: 14 * DAYS,
			confirm: 10 * MINUTES,
			min_enactment: 10 * MINUTES,
		},
		min_approval: APPROVAL_HALF,
		// the committee has already judged the call: little support needed
		min_support: Curve::make_linear(1, 2, permille(2), percent(5)),
	},
	Shape {
		id: id::REFERENDUM_CANCELLER,
		name: "referendum_canceller",
		max_deciding: 20,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: 10 * MINUTES,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(1), percent(10)),
	},
	Shape {
		id: id::REFERENDUM_KILLER,
		name: "referendum_killer",
		max_deciding: 20,
		decision_deposit: 5_000 * UNIT,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: 10 * MINUTES,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(1), percent(10)),
	},
	Shape {
		id: id::MARKET_PARAMS,
		name: "market_params",
		max_deciding: 10,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: 2 * HOURS,
			decision: 14 * DAYS,
			confirm: 12 * HOURS,
			min_enactment: DAYS,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(1), percent(10)),
	},
	Shape {
		id: id::MINER_ADMIN,
		name: "miner_admin",
		max_deciding: 20,
		decision_deposit: 500 * UNIT,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: 10 * MINUTES,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(1), percent(10)),
	},
	Shape {
		id: id::VALIDATOR_ADMIN,
		name: "validator_admin",
		max_deciding: 10,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 3 * HOURS,
			min_enactment: 10 * MINUTES,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(1), percent(10)),
	},
	Shape {
		id: id::SMALL_SPENDER,
		name: "small_spender",
		max_deciding: 20,
		decision_deposit: 100 * UNIT,
		production: Periods {
			prepare: HOURS,
			decision: 7 * DAYS,
			confirm: 12 * HOURS,
			min_enactment: DAYS,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, permille(5), percent(5)),
	},
	Shape {
		id: id::BIG_SPENDER,
		name: "big_spender",
		max_deciding: 10,
		decision_deposit: 1_000 * UNIT,
		production: Periods {
			prepare: 4 * HOURS,
			decision: 14 * DAYS,
			confirm: 2 * DAYS,
			min_enactment: DAYS,
		},
		min_approval: APPROVAL_HALF,
		min_support: Curve::make_linear(1, 1, percent(1), percent(15)),
	},
];

/// The development periods of every track: a referendum that has its votes passes in about
/// 10 blocks (prepare, confirm, enact), and one without them times out in 5 minutes.
const DEVELOPMENT: Periods =
	Periods { prepare: 2, decision: 5 * MINUTES, confirm: 5, min_enactment: 2 };

/// How long a submitted referendum may wait for its decision deposit before it times out.
pub fn undeciding_timeout(timing: Timing) -> BlockNumber {
	match timing {
		Timing::Production => 14 * DAYS,
		Timing::Development => 5 * MINUTES,
	}
}

/// How long votes stay locked per conviction level (conviction N locks for 2^(N-1) times it).
pub fn vote_locking_period(timing: Timing) -> BlockNumber {
	match timing {
		Timing::Production => 7 * DAYS,
		Timing::Development => 10,
	}
}

/// How long a technical committee motion stays open.
pub fn motion_duration(timing: Timing) -> BlockNumber {
	match timing {
		Timing::Production => 3 * DAYS,
		Timing::Development => 20,
	}
}

/// How long a whitelisted call the `whitelisted_caller` track dispatched before the committee
/// whitelisted it stays claimable (`pallet_whitelist` defers it until then).
pub fn deferred_dispatch_expiration(timing: Timing) -> BlockNumber {
	match timing {
		Timing::Production => 7 * DAYS,
		Timing::Development => 5 * MINUTES,
	}
}

/// How long an approved treasury spend may wait for its `payout`.
pub fn payout_period(timing: Timing) -> BlockNumber {
	match timing {
		Timing::Production => 30 * DAYS,
		Timing::Development => 10 * MINUTES,
	}
}

/// The tracks under `timing`.
pub fn tracks(timing: Timing) -> Vec<Track<u16, Balance, BlockNumber>> {
	SHAPES
		.iter()
		.map(|shape| {
			let periods = match timing {
				Timing::Production => shape.production,
				Timing::Development => DEVELOPMENT,
			};
			let mut name = [0u8; 25];
			for (slot, byte) in name.iter_mut().zip(shape.name.bytes()) {
				*slot = byte;
			}
			Track {
				id: shape.id,
				info: TrackInfo {
					name,
					max_deciding: shape.max_deciding,
					decision_deposit: shape.decision_deposit,
					prepare_period: periods.prepare,
					decision_period: periods.decision,
					confirm_period: periods.confirm,
					min_enactment_period: periods.min_enactment,
					min_approval: shape.min_approval.clone(),
					min_support: shape.min_support.clone(),
				},
			}
		})
		.collect()
}

/// The tracks of this chain, as the referenda pallet reads them: the governed timing picks the
/// periods.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		tracks(GovernanceTiming::<Runtime>::get()).into_iter().map(Cow::Owned)
	}

	fn track_for(origin: &OriginCaller) -> Result<u16, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(id::ROOT),
			OriginCaller::Origins(custom) => Ok(match custom {
				Origin::WhitelistedCaller => id::WHITELISTED_CALLER,
				Origin::ReferendumCanceller => id::REFERENDUM_CANCELLER,
				Origin::ReferendumKiller => id::REFERENDUM_KILLER,
				Origin::MarketParams => id::MARKET_PARAMS,
				Origin::MinerAdmin => id::MINER_ADMIN,
				Origin::ValidatorAdmin => id::VALIDATOR_ADMIN,
				Origin::SmallSpender => id::SMALL_SPENDER,
				Origin::BigSpender => id::BIG_SPENDER,
			}),
			_ => Err(()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tracks_are_sorted_and_named() {
		for timing in [Timing::Production, Timing::Development] {
			let tracks = tracks(timing);
			assert!(tracks.windows(2).all(|w| w[0].id < w[1].id));
			for track in &tracks {
				assert!(track.info.prepare_period > 0 && track.info.confirm_period > 0);
				assert!(track.info.decision_period > track.info.confirm_period);
			}
		}
	}
}
