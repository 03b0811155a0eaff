//! The shared world of one script: a clock, a seeded PRNG, the packet sink, and the truth
//! being recorded.
//!
//! Timing rule: a packet is stamped at the current clock; before it, the clock moves by one
//! one-way delay when the packet answers something (the sender changed and the packet is
//! a "turn"), or by a small gap when the same sender keeps sending. [`Net::advance`] and
//! [`Net::at`] put explicit think times or exact timestamps in between.
//!
//! With a [`Vantage`] the capture point sits next to one host, so the two directions are
//! not alike: that host's packets are seen as they leave, and the far end's answer is seen
//! a whole round trip later. Explicit times ([`Net::advance`], [`Net::at`]) win over both
//! rules.

use crate::packet::{Packet, Side};
use crate::rng::Rng;
use crate::sink::PacketSink;
use crate::truth::{ConnTruth, Role, SessionTruth, Truth};
use std::net::IpAddr;

/// Delays of the simulated network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Time for a packet to reach the other end (and for an answer to start).
    pub one_way_ns: i64,
    /// Spacing of packets sent back to back.
    pub gap_ns: i64,
}

impl Default for Timing {
    fn default() -> Self {
        // A switched LAN: 150 µs one way, a full-size frame every ~12 µs (1 Gbit/s).
        Timing {
            one_way_ns: 150_000,
            gap_ns: 12_000,
        }
    }
}

/// Where the capture point sits: next to `near`, a round trip away from everyone else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vantage {
    /// The host whose packets are seen as they leave; its answers to what it receives take
    /// [`Timing::one_way_ns`] (its reaction time).
    pub near: IpAddr,
    /// A far host's answer to a near packet is seen a round trip later, drawn per answer
    /// between these two (queueing makes real round trips vary).
    pub rtt_min_ns: i64,
    pub rtt_max_ns: i64,
}

/// One script's clock, randomness, output and truth.
pub struct Net<'s> {
    sink: &'s mut dyn PacketSink,
    now: i64,
    pinned: bool,
    started: bool,
    pub timing: Timing,
    /// `None`: the capture point is in the middle (the symmetric rule of the module doc).
    pub vantage: Option<Vantage>,
    last: Option<(u32, Side)>,
    last_host: Option<IpAddr>,
    rng: Rng,
    pub(crate) truth: Truth,
}

impl<'s> Net<'s> {
    /// A world whose first packet is stamped `start_ns` (ns since the Unix epoch).
    pub fn new(sink: &'s mut dyn PacketSink, start_ns: i64, seed: u64) -> Net<'s> {
        Net {
            sink,
            now: start_ns,
            pinned: true,
            started: false,
            timing: Timing::default(),
            vantage: None,
            last: None,
            last_host: None,
            rng: Rng::new(seed),
            truth: Truth::default(),
        }
    }

    /// Timestamp of the last packet (or the start time before any packet).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The next packet comes `ns` after the last one (think time, timers).
    pub fn advance(&mut self, ns: i64) {
        self.now += ns;
        self.pinned = true;
    }

    /// The next packet is stamped exactly `ts_ns` (to reproduce a published trace).
    pub fn at(&mut self, ts_ns: i64) {
        self.now = ts_ns;
        self.pinned = true;
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// The truth so far (not yet finalized).
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// Ends the script: the finalized truth of everything it generated.
    pub fn finish(self) -> Truth {
        let mut t = self.truth;
        t.finalize();
        t
    }

    /// The timestamp of the next packet, sent by `host` on `conn` from side `from`; `turn`:
    /// it answers something (see the module doc).
    pub(crate) fn stamp(&mut self, conn: u32, from: Side, host: IpAddr, turn: bool) -> i64 {
        if self.pinned {
            self.pinned = false;
        } else if self.started {
            self.now += match self.vantage {
                None => {
                    let answer = turn && self.last != Some((conn, from));
                    if answer {
                        self.timing.one_way_ns
                    } else {
                        self.timing.gap_ns
                    }
                }
                // Seen from one end, what matters is which host speaks: a host that keeps
                // sending (a reply, then the data it announced) does so back to back.
                Some(v) => {
                    let answer = turn && self.last_host != Some(host);
                    if !answer {
                        self.timing.gap_ns
                    } else if host == v.near {
                        self.timing.one_way_ns
                    } else {
                        let lo = v.rtt_min_ns.max(0) as u64;
                        let hi = (v.rtt_max_ns.max(0) as u64).max(lo + 1);
                        self.rng.range(lo, hi) as i64
                    }
                }
            };
        }
        self.started = true;
        self.last = Some((conn, from));
        self.last_host = Some(host);
        self.now
    }

    pub(crate) fn emit(&mut self, p: Packet) {
        self.truth.packets += 1;
        let c = &mut self.truth.connections[p.meta.conn as usize - 1];
        if c.packets == 0 {
            c.first_ts_ns = p.ts_ns;
        }
        c.packets += 1;
        c.last_ts_ns = p.ts_ns;
        self.sink.push(p);
    }

    pub(crate) fn new_conn(&mut self, orig: String, resp: String, isn_orig: u32) -> u32 {
        let id = self.truth.connections.len() as u32 + 1;
        self.truth
            .connections
            .push(ConnTruth::new(id, orig, resp, isn_orig));
        id
    }

    pub(crate) fn conn(&mut self, id: u32) -> &mut ConnTruth {
        &mut self.truth.connections[id as usize - 1]
    }

    pub(crate) fn set_role(&mut self, id: u32, role: Role) {
        self.conn(id).role = role;
    }

    pub(crate) fn new_session(&mut self, s: SessionTruth) -> usize {
        self.truth.sessions.push(s);
        self.truth.sessions.len() - 1
    }

    pub(crate) fn session(&mut self, idx: usize) -> &mut SessionTruth {
        &mut self.truth.sessions[idx]
    }
}
