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
    pub const ZERO: Timestamp = Timestamp(0);

    pub fn from_secs_nanos(secs: i64, nanos: u32) -> Timestamp {
        Timestamp(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(nanos as i64),
        )
    }

    pub fn from_secs_f64(secs: f64) -> Timestamp {
        Timestamp((secs * 1e9).round() as i64)
    }

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
        let secs = self.0.div_euclid(1_000_000_000);
        let nanos = self.0.rem_euclid(1_000_000_000) as u32;
        let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(secs) else {
            return format!("{secs}.{nanos:09}");
        };
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let base = dt.format(&fmt).unwrap_or_else(|_| secs.to_string());
        if nanos.is_multiple_of(1000) {
            format!("{base}.{:06}Z", nanos / 1000)
        } else {
            format!("{base}.{nanos:09}Z")
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
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
    fn differences_in_seconds() {
        let a = Timestamp::from_secs_nanos(10, 0);
        let b = Timestamp::from_secs_nanos(12, 500_000_000);
        assert_eq!(b.secs_since(a), 2.5);
    }
}
