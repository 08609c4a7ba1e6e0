//! AIT amounts: 12 decimals; the chain counts in the smallest unit.

use crate::Error;

/// Decimals of AIT.
pub const DECIMALS: u32 = 12;
/// One AIT in the smallest unit.
pub const AIT: u128 = 1_000_000_000_000;

/// Formats an amount in the smallest unit as AIT, without trailing zeros: `1.5 AIT`.
pub fn format_ait(amount: u128) -> String {
	let whole = amount / AIT;
	let frac = amount % AIT;
	if frac == 0 {
		return format!("{whole} AIT");
	}
	let frac = format!("{frac:012}");
	format!("{whole}.{} AIT", frac.trim_end_matches('0'))
}

/// Parses an amount given as AIT (`1.5`, `0.000001`, `2 AIT`) or as the smallest unit with a
/// `u` suffix (`1500000u`).
pub fn parse_ait(text: &str) -> Result<u128, Error> {
	let bad = || {
		Error::usage(format!(
			"`{text}` is not an amount (use AIT like `1.5`, or `1500u` for the smallest unit)"
		))
	};
	let t = text.trim().trim_end_matches("AIT").trim();
	if let Some(raw) = t.strip_suffix('u') {
		return raw.parse::<u128>().map_err(|_| bad());
	}
	let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
	if whole.is_empty() && frac.is_empty() {
		return Err(bad());
	}
	if frac.len() > DECIMALS as usize || !frac.chars().all(|c| c.is_ascii_digit()) {
		return Err(bad());
	}
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
	let frac_value: u128 =
		if frac.is_empty() { 0 } else { format!("{frac:0<12}").parse().map_err(|_| bad())? };
	whole.checked_mul(AIT).and_then(|w| w.checked_add(frac_value)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn formats_and_parses() {
		assert_eq!(format_ait(AIT), "1 AIT");
		assert_eq!(format_ait(1_500_000_000_000), "1.5 AIT");
		assert_eq!(format_ait(1), "0.000000000001 AIT");
		assert_eq!(parse_ait("1.5").unwrap(), 1_500_000_000_000);
		assert_eq!(parse_ait("2 AIT").unwrap(), 2 * AIT);
		assert_eq!(parse_ait(".25").unwrap(), AIT / 4);
		assert_eq!(parse_ait("1500u").unwrap(), 1500);
		assert!(parse_ait("1.0000000000001").is_err());
		assert!(parse_ait("abc").is_err());
		assert!(parse_ait("").is_err());
	}
}
