//! Capture timestamps.
//!
//! A [`Timestamp`] is nanoseconds since the Unix epoch, as read from a pcap record
//! (microsecond or nanosecond resolution) or a pcapng block (any `if_tsresol`).
//! It prints as RFC 3339 UTC (`2025-01-02T01:17:11.123456Z`), with nine fractional
//! digits only when the capture really carries sub-microsecond precision.

use serde::{Serialize, Serializer};
use std::fmt;

/// Nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const ZERO: Timestamp = Timestamp(0);

    /// The earliest time the analysis works with: -2^62 ns, in the year 1823.
    pub const EARLIEST: Timestamp = Timestamp(-(1 << 62));
    /// The latest time the analysis works with: 2^62 ns, in the year 2116 (after the
    /// last second a pcap record's 32-bit field can hold, in 2106).
    pub const LATEST: Timestamp = Timestamp((1 << 62) - 1);

    /// The timestamp moved into [`Timestamp::EARLIEST`, `Timestamp::LATEST`]. Within that
    /// window the difference of any two timestamps, or one plus or minus a day, fits in
    /// an i64, so the analysis's time arithmetic cannot overflow whatever a damaged or
    /// hostile capture claims (a pcapng time stamp of 2^64 units, an `if_tsoffset` of
    /// -2^63 seconds).
    pub fn clamped(self) -> Timestamp {
        Timestamp(self.0.clamp(Self::EARLIEST.0, Self::LATEST.0))
    }

    /// A timestamp from whole seconds and a nanosecond part (saturating far outside the i64 range).
    pub fn from_secs_nanos(secs: i64, nanos: u32) -> Timestamp {
        Timestamp(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(nanos as i64),
        )
    }

    /// A timestamp from fractional seconds since the epoch, rounded to the nanosecond.
    pub fn from_secs_f64(secs: f64) -> Timestamp {
        Timestamp((secs * 1e9).round() as i64)
    }

    /// Nanoseconds since the Unix epoch.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// Seconds as a float (for durations and rates; not for printing absolute times).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// `self - earlier` in seconds (negative if `earlier` is later).
    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        (self.0 - earlier.0) as f64 / 1e9
    }

    /// RFC 3339 in UTC, microseconds unless nanoseconds are needed.
    pub fn rfc3339(self) -> String {
        let mut buf = [0u8; RFC3339_MAX];
        let n = self.format_rfc3339(&mut buf);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    /// Writes the RFC 3339 form into `out` and returns its length. By hand, without
    /// allocating: reports print a timestamp for nearly every step. The i64 nanosecond
    /// range (years 1677 to 2262) always has four-digit years.
    fn format_rfc3339(self, out: &mut [u8; RFC3339_MAX]) -> usize {
        let secs = self.0.div_euclid(1_000_000_000);
        let nanos = self.0.rem_euclid(1_000_000_000) as u32;
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400) as u32;
        let mut n = 0;
        let mut put = |value: u32, digits: usize, after: u8| {
            let mut v = value;
            for i in (0..digits).rev() {
                out[n + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            n += digits;
            out[n] = after;
            n += 1;
        };
        put(year as u32, 4, b'-');
        put(month, 2, b'-');
        put(day, 2, b'T');
        put(sod / 3600, 2, b':');
        put(sod / 60 % 60, 2, b':');
        put(sod % 60, 2, b'.');
        if nanos.is_multiple_of(1000) {
            put(nanos / 1000, 6, b'Z');
        } else {
            put(nanos, 9, b'Z');
        }
        n
    }
}

/// `2262-04-11T23:47:16.854775807Z`
const RFC3339_MAX: usize = 30;

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01: the
/// era-of-400-years method, with March as the first month of the computing year so that
/// the leap day falls at its end.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days from 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
    let mp = (5 * doy + 2) / 153; // March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; RFC3339_MAX];
        let n = self.format_rfc3339(&mut buf);
        s.serialize_str(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_microseconds_when_exact() {
        let ts = Timestamp::from_secs_nanos(1_735_780_631, 123_456_000);
        assert_eq!(ts.rfc3339(), "2025-01-02T01:17:11.123456Z");
    }

    #[test]
    fn prints_nanoseconds_when_needed() {
        let ts = Timestamp::from_secs_nanos(0, 1);
        assert_eq!(ts.rfc3339(), "1970-01-01T00:00:00.000000001Z");
    }

    #[test]
    fn negative_times_do_not_panic() {
        let ts = Timestamp(-1);
        assert_eq!(ts.rfc3339(), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn extremes_of_the_range() {
        assert_eq!(
            Timestamp(i64::MAX).rfc3339(),
            "2262-04-11T23:47:16.854775807Z"
        );
        assert_eq!(
            Timestamp(i64::MIN).rfc3339(),
            "1677-09-21T00:12:43.145224192Z"
        );
    }

    /// Against the `time` crate over the whole range, leap days and centuries included.
    #[test]
    fn agrees_with_the_time_crate() {
        let fmt = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        );
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut samples: Vec<i64> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Whole microseconds, anywhere in the range.
                (x as i64) / 1000 * 1000
            })
            .collect();
        // Around leap days and the turn of centuries.
        for day in [
            -25_567i64, 11_016, 10_956, 10_957, 10_958, 47_541, 47_542, -1, 0, 59, 60,
        ] {
            for s in [0i64, 86_399] {
                samples.push((day * 86_400 + s) * 1_000_000_000);
            }
        }
        for ns in samples {
            let ours = Timestamp(ns).rfc3339();
            let dt = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)).unwrap();
            assert_eq!(ours, dt.format(&fmt).unwrap(), "{ns}");
        }
    }

    #[test]
    fn differences_in_seconds() {
        let a = Timestamp::from_secs_nanos(10, 0);
        let b = Timestamp::from_secs_nanos(12, 500_000_000);
        assert_eq!(b.secs_since(a), 2.5);
    }
}
