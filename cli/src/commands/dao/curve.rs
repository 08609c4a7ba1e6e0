//! The referenda pallet's curves (`pallet_referenda::Curve`), as the chain states them in
//! `Referenda.Tracks`: the least approval or support a referendum needs at a point of its
//! decision period. [`Curve::threshold`] follows `Curve::threshold` of
//! `pallet-referenda` (`types.rs`) in the same fixed-point units: `Perbill` parts (10^9 = 100 %)
//! and `FixedI64` inner values (10^9 = 1).

use serde::{Serialize, Serializer};

/// 100 % in `Perbill` parts, and 1 in `FixedI64`'s inner unit.
pub const ONE: u32 = 1_000_000_000;

/// A curve of the chain's tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
	/// From `ceil` down to `floor` linearly over the first `length` of the period, then flat.
	LinearDecreasing {
		/// Perbill parts.
		length: u32,
		/// Perbill parts.
		floor: u32,
		/// Perbill parts.
		ceil: u32,
	},
	/// From `begin`, down by `step` every `period`, never below `end`.
	SteppedDecreasing {
		/// Perbill parts.
		begin: u32,
		/// Perbill parts.
		end: u32,
		/// Perbill parts.
		step: u32,
		/// Perbill parts.
		period: u32,
	},
	/// `factor / (x + x_offset) + y_offset`, clamped to 0..=100 %.
	Reciprocal {
		/// FixedI64 inner value.
		factor: i64,
		/// FixedI64 inner value.
		x_offset: i64,
		/// FixedI64 inner value.
		y_offset: i64,
	},
}

impl Curve {
	/// The curve's value, in Perbill parts, at `x` Perbill parts of the decision period.
	pub fn threshold(&self, x: u32) -> u32 {
		let x = x.min(ONE);
		match *self {
			Curve::LinearDecreasing { length, floor, ceil } => {
				// `x.min(length).saturating_div(length, Down)`: 100 % for a zero length
				let progress = if length == 0 {
					ONE
				} else {
					per_mul_div(x.min(length), ONE, length, false).min(ONE)
				};
				let drop = per_mul_div(progress, ceil.saturating_sub(floor), ONE, true);
				ceil.saturating_sub(drop)
			}
			Curve::SteppedDecreasing { begin, end, step, period } => {
				let steps = x.checked_div(period).unwrap_or(u32::MAX);
				let fallen = step.saturating_mul(steps).min(ONE).min(begin);
				begin.saturating_sub(fallen).max(end)
			}
			Curve::Reciprocal { factor, x_offset, y_offset } => {
				let denominator = i128::from(x).saturating_add(i128::from(x_offset));
				if denominator == 0 {
					return ONE;
				}
				// `checked_rounding_div(.., Low)`: rounded towards negative infinity
				let quotient =
					(i128::from(factor).saturating_mul(i128::from(ONE))).div_euclid(denominator);
				let value = quotient.saturating_add(i128::from(y_offset));
				u32::try_from(value.clamp(0, i128::from(ONE))).unwrap_or(ONE)
			}
		}
	}

	/// Whether `y` (Perbill parts) meets the curve at `x`.
	pub fn passing(&self, x: u32, y: u32) -> bool {
		y >= self.threshold(x)
	}
}

/// `a * b / c` on Perbill parts; rounded to the nearest when `nearest`, else down.
fn per_mul_div(a: u32, b: u32, c: u32, nearest: bool) -> u32 {
	let (a, b, c) = (u128::from(a), u128::from(b), u128::from(c).max(1));
	let product = a.saturating_mul(b);
	let value = if nearest { product.saturating_add(c / 2) / c } else { product / c };
	u32::try_from(value).unwrap_or(u32::MAX)
}

/// Perbill parts of `part / whole` (`Perbill::from_rational`, rounded down); 0 of nothing.
pub fn ratio(part: u128, whole: u128) -> u32 {
	if whole == 0 {
		return 0;
	}
	let part = part.min(whole);
	// part * 10^9 / whole; for balances near u128::MAX both are scaled down by 2^30 first
	let value = match part.checked_mul(u128::from(ONE)) {
		Some(scaled) => scaled / whole,
		None => (part >> 30).saturating_mul(u128::from(ONE)) / (whole >> 30).max(1),
	};
	u32::try_from(value.min(u128::from(ONE))).unwrap_or(ONE)
}

/// Perbill parts as a percentage for people and JSON (`1_000_000` → 0.1).
pub fn percent(parts: u32) -> f64 {
	f64::from(parts) / 10_000_000.0
}

/// The curve for JSON: its shape and points as percentages.
impl Serialize for Curve {
	fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
		#[derive(Serialize)]
		#[serde(tag = "shape", rename_all = "snake_case")]
		enum Json {
			LinearDecreasing {
				length_percent: f64,
				floor_percent: f64,
				ceil_percent: f64,
			},
			SteppedDecreasing {
				begin_percent: f64,
				end_percent: f64,
				step_percent: f64,
				period_percent: f64,
			},
			Reciprocal {
				factor: f64,
				x_offset: f64,
				y_offset: f64,
			},
		}
		let fixed = |inner: i64| inner as f64 / f64::from(ONE);
		let json = match *self {
			Curve::LinearDecreasing { length, floor, ceil } => Json::LinearDecreasing {
				length_percent: percent(length),
				floor_percent: percent(floor),
				ceil_percent: percent(ceil),
			},
			Curve::SteppedDecreasing { begin, end, step, period } => Json::SteppedDecreasing {
				begin_percent: percent(begin),
				end_percent: percent(end),
				step_percent: percent(step),
				period_percent: percent(period),
			},
			Curve::Reciprocal { factor, x_offset, y_offset } => Json::Reciprocal {
				factor: fixed(factor),
				x_offset: fixed(x_offset),
				y_offset: fixed(y_offset),
			},
		};
		json.serialize(s)
	}
}

impl std::fmt::Display for Curve {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match *self {
			Curve::LinearDecreasing { length, floor, ceil } => write!(
				f,
				"{}% → {}% over {}% of the period",
				percent(ceil),
				percent(floor),
				percent(length)
			),
			Curve::SteppedDecreasing { begin, end, step, period } => write!(
				f,
				"{}% → {}% by {}% every {}% of the period",
				percent(begin),
				percent(end),
				percent(step),
				percent(period)
			),
			Curve::Reciprocal { .. } => write!(
				f,
				"reciprocal: {}% at the start, {}% at the end",
				percent(self.threshold(0)),
				percent(self.threshold(ONE))
			),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const PERCENT: u32 = 10_000_000;

	/// The `market_params` support curve: 10 % to 1 % over the whole period.
	const SUPPORT: Curve =
		Curve::LinearDecreasing { length: ONE, floor: PERCENT, ceil: 10 * PERCENT };

	#[test]
	fn linear_curves_fall_from_ceil_to_floor_then_stay() {
		assert_eq!(SUPPORT.threshold(0), 10 * PERCENT);
		assert_eq!(SUPPORT.threshold(ONE / 2), 55 * PERCENT / 10);
		assert_eq!(SUPPORT.threshold(ONE), PERCENT);
		// `whitelisted_caller`: 5 % to 0.2 % over the first half, then flat
		let half =
			Curve::LinearDecreasing { length: ONE / 2, floor: PERCENT / 5, ceil: 5 * PERCENT };
		assert_eq!(half.threshold(ONE / 4), 26 * PERCENT / 10);
		assert_eq!(half.threshold(ONE / 2), PERCENT / 5);
		assert_eq!(half.threshold(ONE * 3 / 4), PERCENT / 5);
		assert!(SUPPORT.passing(0, 10 * PERCENT) && !SUPPORT.passing(0, 10 * PERCENT - 1));
	}

	#[test]
	fn stepped_curves_fall_by_steps_to_their_end() {
		let stepped = Curve::SteppedDecreasing {
			begin: 80 * PERCENT,
			end: 30 * PERCENT,
			step: 10 * PERCENT,
			period: 10 * PERCENT,
		};
		assert_eq!(stepped.threshold(0), 80 * PERCENT);
		assert_eq!(stepped.threshold(19 * PERCENT), 70 * PERCENT);
		assert_eq!(stepped.threshold(20 * PERCENT), 60 * PERCENT);
		assert_eq!(stepped.threshold(ONE), 30 * PERCENT);
	}

	#[test]
	fn reciprocal_curves_follow_factor_over_x() {
		// 0.1 / (x + 0.1) + 0: 100 % at 0, 50 % at 0.1, 1/11 at 1
		let curve = Curve::Reciprocal { factor: 100_000_000, x_offset: 100_000_000, y_offset: 0 };
		assert_eq!(curve.threshold(0), ONE);
		assert_eq!(curve.threshold(ONE / 10), ONE / 2);
		assert_eq!(curve.threshold(ONE), 90_909_090);
	}

	#[test]
	fn ratios_and_percentages() {
		assert_eq!(ratio(1, 4), ONE / 4);
		assert_eq!(ratio(5, 0), 0);
		assert!(ratio(u128::MAX / 2, u128::MAX).abs_diff(ONE / 2) <= 1);
		assert!((percent(ONE / 8) - 12.5).abs() < 1e-9);
	}
}
