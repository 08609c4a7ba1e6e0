//! Times as RFC 3339 UTC strings (`2026-11-23T19:05:00Z`), without a calendar crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `time` as RFC 3339 UTC, to the second.
pub fn rfc3339(time: SystemTime) -> String {
	let secs = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs();
	from_unix_secs(secs)
}

/// Milliseconds since the Unix epoch (a block's timestamp) as RFC 3339 UTC, to the second.
pub fn from_unix_ms(ms: u64) -> String {
	from_unix_secs(ms / 1_000)
}

/// Seconds since the Unix epoch as RFC 3339 UTC.
pub fn from_unix_secs(secs: u64) -> String {
	let days = secs / 86_400;
	let rest = secs % 86_400;
	let (year, month, day) = civil_from_days(days);
	format!(
		"{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
		rest / 3_600,
		rest % 3_600 / 60,
		rest % 60
	)
}

/// Seconds since the Unix epoch now.
pub fn unix_now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs()
}

/// The civil date of `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
	let z = days + 719_468;
	let era = z / 146_097;
	let doe = z - era * 146_097;
	let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
	let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	let mp = (5 * doy + 2) / 153;
	let day = doy - (153 * mp + 2) / 5 + 1;
	let month = if mp < 10 { mp + 3 } else { mp - 9 };
	let year = yoe + era * 400 + u64::from(month <= 2);
	(year, month, day)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn formats_utc_dates() {
		assert_eq!(from_unix_secs(0), "1970-01-01T00:00:00Z");
		assert_eq!(from_unix_secs(951_782_400), "2000-02-29T00:00:00Z");
		assert_eq!(from_unix_ms(1_738_162_201_500), "2025-01-29T14:50:01Z");
		assert_eq!(from_unix_secs(4_102_444_799), "2099-12-31T23:59:59Z");
	}
}
