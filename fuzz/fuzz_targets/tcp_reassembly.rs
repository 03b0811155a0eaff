//! TCP reassembly, at two levels, chosen by the input's first byte:
//!
//! * one [`Reassembler`]: inserts at arbitrary offsets (negative, overlapping, cut by a
//!   snaplen), skips, rebases and a finish, with tiny bounds and budget;
//! * the [`TcpTable`]: segments of one or two connections (both directions, arbitrary
//!   flags, sequence numbers near the ISN or wrapping around 2^32, acknowledgments, port
//!   reuse), with small table bounds, through to `finish_all`.
//!
//! Every payload byte is the low byte of its own sequence number (or stream offset), so
//! the bytes delivered in order can be checked without knowing where the stream starts:
//! each one is the previous plus one, plus the length of any gap between them. Checked as
//! well: nothing is delivered beyond what was given; each direction's stream ends at most
//! once and nothing follows its end; every connection opened is closed exactly once; the
//! shared reassembly budget comes back whole when nothing is held any more.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use ftpflow::decode::{Segment, TcpFlags};
use ftpflow::endpoint::Endpoint;
use ftpflow::model::{ConnRecord, Side};
use ftpflow::tcp::reassembly::{Chunk, HeldBudget, Reassembler, StreamLimits};
use ftpflow::tcp::{
    ConnInfo, FlowHandler, Interest, Sniffed, Stamp, StreamEvent, TcpConfig, TcpTable,
};
use ftpflow::time::Timestamp;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// The byte at sequence number (or stream offset) `x`.
fn pattern(x: u64) -> u8 {
    x as u8
}

/// Checks one direction's delivered stream: consecutive, gap-aware, pattern-following.
#[derive(Default, Debug)]
struct StreamCheck {
    /// The byte expected next, once the first byte fixed where the pattern starts.
    expect: Option<u8>,
    /// Bytes missing since the last byte (added to the expectation).
    gap: u64,
    delivered: u64,
    gaps: u64,
    ended: bool,
}

impl StreamCheck {
    fn bytes(&mut self, bytes: &[u8], check_content: bool) {
        assert!(!self.ended, "bytes after the end of the stream");
        for &b in bytes {
            if let Some(e) = self.expect
                && check_content
            {
                let want = e.wrapping_add(self.gap as u8);
                assert_eq!(
                    b, want,
                    "byte {} of the stream is out of place",
                    self.delivered
                );
            }
            self.gap = 0;
            self.expect = Some(b.wrapping_add(1));
            self.delivered += 1;
        }
    }

    fn gap(&mut self, n: u64) {
        assert!(!self.ended, "a gap after the end of the stream");
        assert!(n > 0, "an empty gap");
        self.gap = self.gap.wrapping_add(n);
        self.gaps += n;
    }
}

// ---------------------------------------------------------------------------------------
// One reassembler.

#[derive(Arbitrary, Debug)]
enum Op {
    Insert {
        offset: i16,
        len: u8,
        extra_on_wire: u8,
        garble: bool,
    },
    SkipTo {
        target: u16,
    },
    Rebase {
        delta: u8,
    },
    Finish {
        end: Option<u16>,
    },
}

fn reassembler(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let content = bool::arbitrary(u)?;
    let limits = StreamLimits {
        max_held_bytes: usize::from(u8::arbitrary(u)?),
        max_held_ranges: usize::from(u8::arbitrary(u)? % 8),
        preview_bytes: usize::from(u8::arbitrary(u)? % 64),
    };
    let budget_limit = usize::from(u16::arbitrary(u)? % 1024);
    let mut budget = HeldBudget::new(budget_limit);
    let mut r = Reassembler::new(content, limits);
    let mut check = StreamCheck::default();
    let mut garbled = false;
    let mut rebased = false;
    let mut given_wire = 0u64;
    let mut finished = false;
    let ops: Vec<Op> = u.arbitrary()?;
    for op in ops.into_iter().take(64) {
        if finished {
            break;
        }
        if let Op::Insert { garble: true, .. } = op {
            garbled = true;
        }
        let check_content = !garbled && !rebased;
        let mut out = |c: Chunk<'_>| match c {
            Chunk::Bytes(b, _) => check.bytes(b, check_content),
            Chunk::Gap(n) => check.gap(n),
            Chunk::Tapped(..) => unreachable!("this stream is not tapped"),
        };
        match op {
            Op::Insert {
                offset,
                len,
                extra_on_wire,
                garble,
            } => {
                let offset = i64::from(offset);
                let bytes: Vec<u8> = (0..u64::from(len))
                    .map(|i| pattern(offset.wrapping_add(i as i64) as u64) ^ u8::from(garble))
                    .collect();
                let wire = u64::from(len) + u64::from(extra_on_wire);
                given_wire += wire;
                let arrival = r.insert(
                    offset,
                    &bytes,
                    wire,
                    Stamp::default(),
                    &mut budget,
                    &mut out,
                );
                assert!(
                    arrival.new_bytes + arrival.old_bytes <= wire,
                    "{arrival:?} of {wire}"
                );
            }
            Op::SkipTo { target } => r.skip_to(u64::from(target), &mut budget, &mut out),
            Op::Rebase { delta } => {
                // Only before anything was delivered in content mode (the reassembler
                // refuses otherwise); a count stream moves what it holds.
                rebased |= r.rebase(u64::from(delta)) && r.seen > 0;
            }
            Op::Finish { end } => {
                r.finish(end.map(u64::from), &mut budget, &mut out);
                finished = true;
            }
        }
        assert!(
            r.seen <= given_wire,
            "seen {} of {given_wire} bytes given",
            r.seen
        );
        assert!(
            r.next() <= r.max_end(),
            "next {} beyond the highest end {}",
            r.next(),
            r.max_end()
        );
        if content {
            assert_eq!(
                check.delivered + check.gaps,
                r.next(),
                "delivered and next disagree"
            );
            assert!(
                r.held_bytes() <= limits.max_held_bytes,
                "holds {} bytes",
                r.held_bytes()
            );
        }
        // The shared budget counts exactly what this (only) stream holds, and never
        // more than its bound once a segment is processed.
        assert_eq!(budget.held(), r.held_bytes(), "budget and stream disagree");
        assert!(
            budget.held() <= budget_limit,
            "{} bytes held over the bound {budget_limit}",
            budget.held()
        );
    }
    if !finished {
        r.finish(None, &mut budget, &mut |_| {});
    }
    assert_eq!(r.held_bytes(), 0, "bytes still held after finish");
    assert!(!r.has_hole());
    assert_eq!(budget.held(), 0, "the budget did not come back whole");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The connection table.

#[derive(Arbitrary, Debug)]
struct Seg {
    /// Which connection (of two) and which side sends it.
    conn: bool,
    from_responder: bool,
    /// Relative to that side's ISN.
    seq: i16,
    ack: i16,
    flags: u8,
    len: u8,
    extra_on_wire: u8,
    /// Milliseconds since the previous segment (a few large jumps make idle timeouts).
    step: u8,
}

struct Conn {
    check: [StreamCheck; 2],
    claimed: bool,
    closed: bool,
}

#[derive(Default)]
struct Handler {
    conns: HashMap<u32, Conn>,
    next_token: u32,
    content: bool,
    sniff: bool,
    claim_at: usize,
    garbled: bool,
}

impl FlowHandler for Handler {
    fn open(&mut self, _info: &ConnInfo) -> Interest {
        self.next_token += 1;
        let check = [StreamCheck::default(), StreamCheck::default()];
        self.conns.insert(
            self.next_token,
            Conn {
                check,
                claimed: false,
                closed: false,
            },
        );
        Interest {
            token: self.next_token,
            content: self.content,
            sniff: self.sniff,
            tap: false,
        }
    }

    fn stream(&mut self, token: u32, side: Side, event: StreamEvent<'_>, _stamp: Stamp) {
        let garbled = self.garbled;
        let conn = self
            .conns
            .get_mut(&token)
            .expect("stream event for a token never opened");
        assert!(!conn.closed, "stream event after the connection closed");
        assert!(
            self.content || conn.claimed,
            "bytes of a counted connection"
        );
        let check = &mut conn.check[side as usize];
        match event {
            // A claimed connection gets what came before the claim in capture order.
            StreamEvent::Bytes(b) => check.bytes(b, !garbled && !conn.claimed),
            StreamEvent::Gap(n) => check.gap(n),
            StreamEvent::End { .. } => {
                assert!(!check.ended, "a direction ended twice");
                check.ended = true;
            }
        }
    }

    fn closed(&mut self, token: u32, record: ConnRecord) {
        let conn = self
            .conns
            .get_mut(&token)
            .expect("close of a token never opened");
        assert!(!conn.closed, "a connection closed twice");
        conn.closed = true;
        for (side, stats) in [(0, &record.orig_to_resp), (1, &record.resp_to_orig)] {
            let delivered = conn.check[side].delivered;
            assert!(
                delivered <= stats.bytes,
                "delivered {delivered} of {} bytes seen",
                stats.bytes
            );
        }
        assert!(record.first_ts <= record.last_ts || record.first_frame <= record.last_frame);
    }

    fn sniff(&mut self, token: u32, _info: &ConnInfo, first: [&[u8]; 2]) -> Sniffed {
        if first[0].len() + first[1].len() >= self.claim_at {
            self.conns.get_mut(&token).expect("sniffed token").claimed = true;
            Sniffed::Claim
        } else {
            Sniffed::Undecided
        }
    }
}

fn table(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let knobs = u16::arbitrary(u)?;
    let cfg = TcpConfig {
        max_connections: 1 + usize::from(knobs & 1),
        max_half_open: 1 + usize::from(knobs >> 1 & 1),
        max_held_bytes_per_stream: usize::from(u8::arbitrary(u)?),
        max_held_bytes_total: usize::from(u8::arbitrary(u)?),
        max_held_ranges_per_stream: usize::from(knobs >> 2 & 7),
        preview_bytes: usize::from(knobs >> 5 & 63),
        idle_timeout: 1_000_000_000 * i64::from(1 + (knobs >> 11 & 3)),
        closed_linger: 100_000_000,
        reorder_tolerance: u32::from(knobs >> 13 & 3),
        unacked_hole_tolerance: u32::from(knobs >> 13 & 7),
        server_ports: vec![21],
        max_segment_notes: usize::from(knobs & 0x10),
        general_path_only: knobs & 0x8000 != 0,
    };
    let mode = u8::arbitrary(u)?;
    let mut h = Handler {
        content: mode & 1 != 0,
        sniff: mode & 2 != 0,
        claim_at: usize::from(mode >> 2),
        garbled: false,
        ..Handler::default()
    };
    // ISNs: anywhere, so that some sit just below 2^32 and the sequence numbers wrap.
    let isn: [[u32; 2]; 2] = u.arbitrary()?;
    let garble = bool::arbitrary(u)?;
    h.garbled = garble;
    let ip = |last: u8| IpAddr::V4(Ipv4Addr::new(192, 0, 2, last));
    let ends = [
        [Endpoint::new(ip(1), 40000), Endpoint::new(ip(2), 21)],
        [Endpoint::new(ip(1), 40001), Endpoint::new(ip(2), 20)],
    ];
    let mut table = TcpTable::new(cfg);
    let mut ts = 1_700_000_000_000_000_000i64;
    let segs: Vec<Seg> = u.arbitrary()?;
    let mut given = [[0u64; 2]; 2];
    for (frame, s) in segs.iter().take(48).enumerate() {
        let (c, side) = (usize::from(s.conn), usize::from(s.from_responder));
        let seq = isn[c][side].wrapping_add(s.seq as i32 as u32);
        let ack = isn[c][1 - side].wrapping_add(s.ack as i32 as u32);
        // A SYN takes a sequence number itself: its data starts one after it.
        let first = seq.wrapping_add(u32::from(s.flags & TcpFlags::SYN != 0));
        let payload: Vec<u8> = (0..u32::from(s.len))
            .map(|i| pattern(u64::from(first.wrapping_add(i))) ^ u8::from(garble && i % 7 == 3))
            .collect();
        given[c][side] += u64::from(s.len) + u64::from(s.extra_on_wire);
        ts += i64::from(s.step)
            * if s.step > 250 {
                1_000_000_000
            } else {
                1_000_000
            };
        let seg = Segment {
            frame: frame as u64 + 1,
            ts: Timestamp(ts),
            src: ends[c][side],
            dst: ends[c][1 - side],
            seq,
            ack,
            flags: TcpFlags(s.flags),
            window: 65535,
            urgent: 0,
            payload: &payload,
            wire_len: u32::from(s.len) + u32::from(s.extra_on_wire),
            mss: (s.flags & TcpFlags::SYN != 0).then_some(1460),
            wscale: None,
            sack_permitted: false,
            ip_id: frame as u16,
            checksum: frame as u16,
        };
        table.process(&seg, &mut h);
    }
    table.finish_all(&mut h);
    assert_eq!(table.open_connections(), 0);
    let stats = table.stats();
    assert_eq!(
        stats.connections,
        u64::from(h.next_token),
        "connections counted and opened"
    );
    for (token, conn) in &h.conns {
        assert!(conn.closed, "connection {token} never closed");
    }
    let delivered: u64 = h
        .conns
        .values()
        .map(|c| c.check[0].delivered + c.check[1].delivered)
        .sum();
    let total: u64 = given.iter().flatten().sum();
    assert!(
        delivered <= total,
        "delivered {delivered} bytes of {total} given"
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = match u.arbitrary::<bool>() {
        Ok(true) => table(&mut u),
        _ => reassembler(&mut u),
    };
});
