//! Frame decoding: link layers, IPv4/IPv6, IP fragment reassembly, TCP headers.
//!
//! Input layout (so that frames cut out of real captures seed it, see `seed.py`):
//! `[link][limits][record]*`, each record `[len: u16 BE][ts step: u8][cut: u8][len bytes]`;
//! the last record takes what is left when fewer than `len` bytes remain. `link` picks the
//! link type of every frame, `limits` the fragment pool's bounds (small, so eviction and
//! timeouts happen), `ts step` advances the clock in tenths of a second, `cut` makes the
//! wire length longer than what was captured.
//!
//! Checked: the whole decoder (`decode`) and the way the analysis calls it (`decode_into`)
//! agree segment for segment and count the same; the hand-written fast path gives exactly
//! the general path's segment and counters whenever it takes a frame; a segment never
//! claims fewer bytes on the wire than it carries.

#![no_main]

use ftpflow::capture::{LinkType, RawFrame};
use ftpflow::decode::{DecodeLimits, DecodeStats, Decoder, Segment};
use ftpflow::time::Timestamp;
use libfuzzer_sys::fuzz_target;

const LINKS: [LinkType; 8] = [
    LinkType::Ethernet,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
    LinkType::Null,
    LinkType::Loop,
    LinkType::Raw,
    LinkType::Ipv4,
    LinkType::Ipv6,
];

/// What a segment said, owned (so that both decoders' outputs can be compared).
fn describe(s: &Segment<'_>) -> String {
    format!("{s:?}")
}

fn check_segment(s: &Segment<'_>) {
    assert!(
        s.payload.len() as u64 <= u64::from(s.wire_len),
        "payload of {} bytes but {} on the wire",
        s.payload.len(),
        s.wire_len
    );
}

fuzz_target!(|data: &[u8]| {
    let [link, limits, rest @ ..] = data else {
        return;
    };
    let mut rest = rest;
    let link = LINKS[usize::from(link % 8)];
    let limits = DecodeLimits {
        max_fragment_buffers: 1 + usize::from(limits & 0x7),
        max_fragment_bytes: 64 << (limits >> 3 & 0x7),
        fragment_timeout_ns: if limits & 0x40 != 0 {
            1_000_000_000
        } else {
            30_000_000_000
        },
    };
    let mut whole = Decoder::new(limits);
    let mut into = Decoder::new(limits);
    let mut frames = 0u64;
    let mut ts = 1_700_000_000_000_000_000i64;
    while let [hi, lo, step, cut, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        frames += 1;
        ts += i64::from(*step) * 100_000_000;
        let frame = RawFrame {
            number: frames,
            ts: Timestamp(ts),
            link,
            data: bytes,
            orig_len: len as u32 + u32::from(*cut) * u32::from(*cut & 1),
        };

        // The fast path against the general path, on fresh decoders (no fragment state).
        let mut fast_stats = DecodeStats::default();
        match Decoder::decode_fast_only(&frame, &mut fast_stats) {
            Some(fast) => {
                check_segment(&fast);
                let mut general = Decoder::new(DecodeLimits::default());
                let slow = general.decode_general_only(frame);
                assert_eq!(Some(fast), slow, "the fast and the general path disagree");
                assert_eq!(&fast_stats, general.stats(), "the paths count differently");
            }
            None => assert_eq!(
                fast_stats,
                DecodeStats::default(),
                "the fast path counted a frame it left"
            ),
        }

        let a = whole.decode(frame).map(|s| {
            check_segment(&s);
            describe(&s)
        });
        let mut b = None;
        into.decode_into(frame, |s| b = Some(describe(s)));
        assert_eq!(a, b, "decode and decode_into disagree on frame {frames}");
    }
    whole.flush_fragments();
    into.flush_fragments();
    assert_eq!(whole.stats(), into.stats());
    let s = whole.stats();
    assert_eq!(s.frames, frames);
    assert!(
        s.tcp_segments <= s.frames,
        "more segments than frames: {s:?}"
    );
});
