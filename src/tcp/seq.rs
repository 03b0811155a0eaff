//! Wrap-aware TCP sequence numbers.
//!
//! Sequence numbers are 32-bit and wrap; a transfer of more than 4 GiB wraps at least once,
//! and a connection whose initial sequence number is near 2^32 wraps within its first bytes.
//! Everything above this module works in 64-bit *stream offsets* instead: offset 0 is the
//! first byte after the SYN (or the first byte seen when the capture starts mid-stream).
//! [`unwrap`] turns a 32-bit number into the offset nearest to a reference offset, which is
//! correct as long as the two are less than 2 GiB apart (RFC 793's window rule guarantees it).

/// The stream offset of `seq`, given the sequence number of offset 0 (`base`) and a
/// reference offset known to be close (usually the next expected offset).
/// Negative results are bytes before offset 0 (the SYN is at -1).
pub fn unwrap(base: u32, seq: u32, reference: u64) -> i64 {
    const SPAN: i64 = 1 << 32;
    const HALF: i64 = 1 << 31;
    let diff = seq.wrapping_sub(base) as i64; // 0 ..= 2^32-1
    let reference = reference.min(i64::MAX as u64 / 2) as i64;
    let mut candidate = (reference & !(SPAN - 1)) | diff;
    if candidate - reference > HALF {
        candidate -= SPAN;
    } else if reference - candidate > HALF {
        candidate += SPAN;
    }
    candidate
}

/// `a` is before `b` in sequence space (RFC 1982 serial number arithmetic).
pub fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_offsets() {
        assert_eq!(unwrap(1000, 1000, 0), 0);
        assert_eq!(unwrap(1000, 1500, 0), 500);
        assert_eq!(unwrap(1000, 999, 0), -1);
    }

    #[test]
    fn base_near_wrap() {
        let base = u32::MAX - 10;
        assert_eq!(unwrap(base, 5, 0), 16);
        assert_eq!(unwrap(base, base.wrapping_sub(1), 0), -1);
    }

    #[test]
    fn beyond_four_gib() {
        let base = 7;
        // 5 GiB into the stream, the 32-bit number has wrapped once.
        let offset: u64 = 5 << 30;
        let seq = (base as u64 + offset) as u32;
        assert_eq!(unwrap(base, seq, offset - 1000), offset as i64);
        // A retransmission slightly before the reference.
        let old = (base as u64 + offset - 3000) as u32;
        assert_eq!(unwrap(base, old, offset), offset as i64 - 3000);
    }

    #[test]
    fn serial_comparison() {
        assert!(before(1, 2));
        assert!(before(u32::MAX, 0));
        assert!(!before(0, u32::MAX));
    }
}
