//! A miner's reputation: a bounded Beta-style score with decay. No FRAME dependency.
//!
//! Outcomes are counted in thousandths of an event. Before each new outcome both counts decay by
//! [`DECAY_PERCENT`], so old behaviour fades and the counts stay below
//! `1000 / (1 - 0.95) = 20_000`: no overflow, however long a miner lives.
//!
//! The score is the mean of a Beta(successes + 1, failures + 1) distribution:
//! `(s + 1) / (s + f + 2)`. A new miner starts at 50%.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// One outcome, in thousandths.
pub const ONE: u32 = 1_000;
/// Share of the counts kept at each new outcome.
pub const DECAY_PERCENT: u32 = 95;

/// Decayed counts of successes and failures, in thousandths of an event.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct Reputation {
	/// Decayed successes.
	pub successes: u32,
	/// Decayed failures.
	pub failures: u32,
}

fn decay(count: u32) -> u32 {
	// count <= 20_000 and DECAY_PERCENT < 100: no overflow, result < count.
	count.saturating_mul(DECAY_PERCENT) / 100
}

impl Reputation {
	/// Records a completed job.
	pub fn record_success(&mut self) {
		self.successes = decay(self.successes).saturating_add(ONE);
		self.failures = decay(self.failures);
	}

	/// Records a failed or missed job.
	pub fn record_failure(&mut self) {
		self.successes = decay(self.successes);
		self.failures = decay(self.failures).saturating_add(ONE);
	}

	/// The Beta mean `(s + 1) / (s + f + 2)`.
	pub fn score(&self) -> Perbill {
		let s = u64::from(self.successes).saturating_add(u64::from(ONE));
		let total = s.saturating_add(u64::from(self.failures)).saturating_add(u64::from(ONE));
		Perbill::from_rational(s, total)
	}
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	#[test]
	fn a_new_miner_scores_one_half() {
		assert_eq!(Reputation::default().score(), Perbill::from_percent(50));
	}

	#[test]
	fn successes_raise_and_failures_lower_the_score() {
		let mut r = Reputation::default();
		r.record_success();
		let after_success = r.score();
		assert!(after_success > Perbill::from_percent(50));
		r.record_failure();
		assert!(r.score() < after_success);
	}

	#[test]
	fn counts_stay_bounded_forever() {
		let mut r = Reputation::default();
		for _ in 0..100_000 {
			r.record_success();
		}
		assert!(r.successes <= 20 * ONE, "{r:?}");
		assert!(r.score() > Perbill::from_percent(95));
		for _ in 0..100_000 {
			r.record_failure();
		}
		assert!(r.failures <= 20 * ONE && r.successes == 0, "{r:?}");
		assert!(r.score() < Perbill::from_percent(5));
	}

	#[test]
	fn old_outcomes_fade() {
		let mut r = Reputation::default();
		for _ in 0..20 {
			r.record_failure();
		}
		let low = r.score();
		for _ in 0..60 {
			r.record_success();
		}
		assert!(r.score() > Perbill::from_percent(90), "recovered from {low:?} to {:?}", r.score());
	}
}
