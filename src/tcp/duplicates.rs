//! Packets the capture holds twice, and connections that come back after they ended.
//!
//! A capture can hold the same packet more than once without any host sending it twice: a
//! file merged with itself, a capture taken on two interfaces of a bridge, a SPAN port that
//! copies both directions twice. Counted as retransmissions, such copies distort the
//! statistics; after their connection ended, they would even open new connections and new
//! FTP sessions. Two mechanisms catch them:
//!
//! * [`RecentPackets`]: a digest of each segment that carries something (addresses, ports, sequence and
//!   acknowledgment numbers, flags, window, IPv4 identification, TCP checksum, length)
//!   compared with the last few packets. A real retransmission is sent anew, with a new IP
//!   identification and usually a new TCP timestamp, so it does not match; a copy matches,
//!   and arrives within moments of the original.
//! * [`Graveyard`]: what is needed to recognise an ended connection's packets: its
//!   initial sequence numbers and the sequence space each side used. A packet for an ended
//!   connection that lies inside that space is a copy (the capture replays the same
//!   packets, time going back) or a straggler, never a new connection.
//!
//! Both are bounded: the ring holds [`RING`] digests, the graveyard [`GRAVES`] connections.

use super::key::Key;
use crate::decode::Segment;
use crate::time::Timestamp;
use ahash::AHashMap;
use std::collections::VecDeque;

/// Packets compared with each new one.
pub const RING: usize = 8;
/// Ended connections remembered.
pub const GRAVES: usize = 8192;
/// A copy arrives within this time of the original (capture time).
const COPY_WINDOW_NS: i64 = 50_000_000;

/// The last few packets' digests.
#[derive(Debug, Default)]
pub struct RecentPackets {
    digests: [u64; RING],
    times: [i64; RING],
    next: usize,
}

impl RecentPackets {
    /// Whether `seg` is a copy of one of the last packets; remembers it either way. Only
    /// segments that carry something (bytes, SYN, FIN) are compared: bare ACKs and RSTs
    /// are sent identical many times by the hosts themselves (an RST for each segment
    /// that arrives after a close, with IP identification 0), and copies of them change
    /// nothing in the analysis.
    #[inline]
    pub fn is_copy(&mut self, seg: &Segment<'_>) -> bool {
        use crate::decode::TcpFlags;
        if seg.wire_len == 0 && seg.flags.0 & (TcpFlags::SYN | TcpFlags::FIN) == 0 {
            return false;
        }
        let d = digest(seg);
        let ts = seg.ts.0;
        let copy = self
            .digests
            .iter()
            .zip(self.times.iter())
            .any(|(&x, &t)| x == d && (ts - t).abs() <= COPY_WINDOW_NS);
        if !copy {
            self.digests[self.next] = d;
            self.times[self.next] = ts;
            self.next = (self.next + 1) % RING;
        }
        copy
    }
}

/// Mixes the fields that differ between two distinct packets of a connection.
#[inline]
fn digest(seg: &Segment<'_>) -> u64 {
    let ports = (u64::from(seg.src.port) << 16) | u64::from(seg.dst.port);
    let a = (u64::from(seg.seq) << 32) | u64::from(seg.ack);
    let b = (u64::from(seg.flags.0) << 56)
        | (u64::from(seg.window) << 40)
        | (u64::from(seg.ip_id) << 24)
        | (u64::from(seg.checksum) << 8)
        | u64::from(seg.wire_len & 0xff);
    let c = (u64::from(seg.wire_len) << 32) | ports;
    let ip = match (seg.src.ip, seg.dst.ip) {
        (std::net::IpAddr::V4(s), std::net::IpAddr::V4(d)) => {
            (u64::from(u32::from(s)) << 32) | u64::from(u32::from(d))
        }
        (s, d) => {
            let h = |ip: std::net::IpAddr| match ip {
                std::net::IpAddr::V6(v) => {
                    let x = u128::from(v);
                    (x as u64) ^ ((x >> 64) as u64).rotate_left(17)
                }
                std::net::IpAddr::V4(v) => u64::from(u32::from(v)),
            };
            h(s) ^ h(d).rotate_left(31)
        }
    };
    mix(mix(mix(a ^ 0x9e37_79b9_7f4a_7c15) ^ b) ^ c) ^ mix(ip)
}

#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One direction of an ended connection, as far as recognising its packets needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct GraveSide {
    /// Sequence number of stream offset 0, and the initial sequence number if its SYN was seen.
    pub base: Option<u32>,
    pub isn: Option<u32>,
    /// Stream offsets used (everything seen, and its FIN).
    pub end: u64,
}

/// An ended connection.
#[derive(Debug, Clone, Copy)]
pub struct Grave {
    /// The initiator's address and port (side 0 sends from it).
    pub orig: crate::endpoint::Endpoint,
    pub sides: [GraveSide; 2],
    pub last_ts: Timestamp,
}

/// How a packet relates to an ended connection on its addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Afterlife {
    /// A copy of the ended connection's packets (time went back to its lifetime).
    Copy,
    /// A late packet of the ended connection (a straggler after it was reported).
    Late,
    /// Something new.
    New,
}

/// Ended connections, by key, oldest evicted first.
#[derive(Default)]
pub struct Graveyard {
    graves: AHashMap<Key, Grave>,
    order: VecDeque<Key>,
}

impl Graveyard {
    pub fn bury(&mut self, key: Key, grave: Grave) {
        if self.graves.insert(key, grave).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > GRAVES {
            if let Some(old) = self.order.pop_front() {
                self.graves.remove(&old);
            }
        }
    }

    /// A new connection took the addresses: the old one is no longer what they mean.
    pub fn forget(&mut self, key: &Key) {
        self.graves.remove(key);
    }

    /// What `seg` is, for an ended connection on its addresses.
    pub fn judge(&self, key: &Key, seg: &Segment<'_>) -> Afterlife {
        let Some(g) = self.graves.get(key) else {
            return Afterlife::New;
        };
        let from_orig = seg.src == g.orig;
        let (mine, peer) = if from_orig {
            (&g.sides[0], &g.sides[1])
        } else {
            (&g.sides[1], &g.sides[0])
        };
        let inside = |side: &GraveSide, seq: u32| {
            side.base.is_some_and(|b| {
                let off = i64::from(seq.wrapping_sub(b) as i32);
                // The SYN sits at -1; a FIN at `end`.
                off >= -1 && off <= side.end as i64 + 1
            })
        };
        let fits = if seg.flags.syn() {
            // A SYN (or SYN-ACK) with the initial sequence number the old one had.
            mine.isn == Some(seg.seq)
        } else {
            inside(mine, seg.seq)
                && (!seg.flags.ack() || peer.base.is_none() || inside(peer, seg.ack))
        };
        if !fits {
            return Afterlife::New;
        }
        if seg.ts.0 <= g.last_ts.0 {
            Afterlife::Copy
        } else {
            Afterlife::Late
        }
    }
}
