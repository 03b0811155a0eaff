//! The shared world of one script: a clock, a seeded PRNG, the packet sink, and the truth
//! being recorded.
//!
//! Timing rule: a packet is stamped at the current clock; before it, the clock moves by one
//! one-way delay when the packet answers something (the sender changed and the packet is
//! a "turn"), or by a small gap when the same sender keeps sending. [`Net::advance`] and
//! [`Net::at`] put explicit think times or exact timestamps in between.

use crate::packet::{Packet, Side};
use crate::rng::Rng;
use crate::sink::PacketSink;
use crate::truth::{ConnTruth, Role, SessionTruth, Truth};

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

/// One script's clock, randomness, output and truth.
pub struct Net<'s> {
    sink: &'s mut dyn PacketSink,
    now: i64,
    pinned: bool,
    started: bool,
    pub timing: Timing,
    last: Option<(u32, Side)>,
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
            last: None,
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

    pub(crate) fn stamp(&mut self, conn: u32, from: Side, turn: bool) -> i64 {
        if self.pinned {
            self.pinned = false;
        } else if self.started {
            let answer = turn && self.last != Some((conn, from));
            self.now += if answer {
                self.timing.one_way_ns
            } else {
                self.timing.gap_ns
            };
        }
        self.started = true;
        self.last = Some((conn, from));
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
