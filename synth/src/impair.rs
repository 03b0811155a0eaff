//! Network and capture impairments: seeded transforms of a finished trace, with the truth
//! adjusted where information is genuinely lost.
//!
//! What the endpoints exchanged never changes (they still got every byte); what changes is
//! what the capture holds. After every transform [`observe`] recomputes the capture-side
//! facts of the truth: per connection `missed_orig`/`missed_resp` (payload bytes no captured
//! packet carries), `handshake_seen`, `close_seen` and packet counts; per transfer
//! `missed_bytes`; per command `captured` (its line and all its replies are present); and
//! the frame numbers of the final trace (the packet completing each command, reply and
//! greeting; see [`crate::truth`]).
//!
//! Retransmitted copies that overlap earlier data with *different* bytes are made only on
//! data connections: a TCP receiver keeps the first copy it accepted, so the truth is
//! "first wins", and since the truth counts data bytes (it does not hold their content)
//! it stays exact even when reordering puts the altered copy first. Control connections
//! only ever get identical copies, so their text is never in doubt.
//!
//! Apply several in the order [`random`] returns (coalescing needs whole frames, so it
//! comes before truncation).

use crate::frame;
use crate::packet::{Packet, Side, flags};
use crate::rng::Rng;
use crate::sink::Trace;
use crate::truth::{Role, Truth};
use std::collections::HashMap;

/// Where a capture window starts or ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Before the packet at this index.
    Index(usize),
    /// Before the packet at this percentage of the trace.
    Percent(u8),
    /// Before the first packet at or after this time.
    Time(i64),
}

/// Which packets a loss may hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only data connections' packets (the control text stays complete).
    Data,
    /// Only FTP control connections' packets, both directions: commands and replies go
    /// missing from the capture while the hosts still got them (later ACKs cover them).
    Control,
}

/// One transform of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Impairment {
    /// Coalesces consecutive segments of one direction into TSO-sized segments of up to
    /// `max_payload` bytes (as a capture on the sending host shows them). Only segments
    /// written together are merged: a run ends at anything that may depend on it (the
    /// other direction's payload or FIN, a payload/SYN/FIN packet of another connection of
    /// the same session).
    Tso { max_payload: u32 },
    /// Adds retransmitted copies of `percent`% of the payload segments, later in the trace;
    /// `overlap`: the copy starts inside the segment and runs into the next one; `alter`:
    /// the copy's bytes differ (data connections only).
    Retransmit {
        percent: u8,
        overlap: bool,
        alter: bool,
    },
    /// Duplicates `percent`% of the packets right after themselves.
    Duplicate { percent: u8 },
    /// Moves `percent`% of the packets up to `window` places later, behind later packets of
    /// the same direction of the same connection (TCP out-of-order arrival). A packet never
    /// moves past one that may answer it: past the other direction's payload, SYN or FIN,
    /// or past a payload/SYN/FIN packet of another connection of the same session (so a
    /// command never lands after its reply, a 227 never after the SYN it announced).
    /// Timestamps stay in order: the capture saw the packets arrive in the new order.
    Reorder { window: usize, percent: u8 },
    /// Drops `percent`% of the packets from the capture only.
    Loss { percent: u8, scope: Scope },
    /// The capture starts here (after a handshake, mid-transfer...).
    CaptureFrom(Cut),
    /// The capture ends here.
    CaptureUntil(Cut),
    /// Cuts every frame to `snaplen` bytes (the wire length is kept).
    Snaplen(u32),
    /// Moves `percent`% of the timestamps back by up to `max_back_ns`.
    Jitter { percent: u8, max_back_ns: i64 },
}

/// Applies `imp` with its own PRNG `seed`, then records it and re-observes the truth.
pub fn apply(trace: &mut Trace, truth: &mut Truth, imp: &Impairment, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x1a2b_3c4d_5e6f_7081);
    let session_of = |conn: u32| {
        truth
            .connections
            .get(conn as usize - 1)
            .and_then(|c| c.session)
    };
    let role_of = |conn: u32| truth.connections.get(conn as usize - 1).map(|c| c.role);
    let is_data = |conn: u32| role_of(conn) == Some(Role::Data);
    match *imp {
        Impairment::Tso { max_payload } => tso(trace, max_payload, &session_of),
        Impairment::Retransmit {
            percent,
            overlap,
            alter,
        } => retransmit(trace, &mut rng, percent, overlap, alter, &is_data),
        Impairment::Duplicate { percent } => {
            let old = std::mem::take(trace);
            for p in old {
                let dup = rng.chance(percent as u64, 100);
                if dup {
                    let mut c = p.clone();
                    c.meta.copy = true;
                    trace.push(p);
                    trace.push(c);
                } else {
                    trace.push(p);
                }
            }
        }
        Impairment::Reorder { window, percent } => {
            reorder(trace, &mut rng, window, percent, &session_of)
        }
        Impairment::Loss { percent, scope } => {
            trace.retain(|p| {
                let eligible = match scope {
                    Scope::All => true,
                    Scope::Data => is_data(p.meta.conn),
                    Scope::Control => role_of(p.meta.conn) == Some(Role::Control),
                };
                !(eligible && rng.chance(percent as u64, 100))
            });
        }
        Impairment::CaptureFrom(cut) => {
            let i = cut_index(trace, cut);
            trace.drain(..i);
        }
        Impairment::CaptureUntil(cut) => {
            let i = cut_index(trace, cut);
            trace.truncate(i);
        }
        Impairment::Snaplen(n) => {
            for p in trace.iter_mut() {
                p.data.truncate(n as usize);
            }
        }
        Impairment::Jitter {
            percent,
            max_back_ns,
        } => {
            for p in trace.iter_mut() {
                if rng.chance(percent as u64, 100) {
                    p.ts_ns -= rng.range(1, max_back_ns.max(1) as u64 + 1) as i64;
                }
            }
        }
    }
    truth.impairments.push(format!("{imp:?} (seed {seed})"));
    observe(trace, truth);
}

/// Applies several impairments, each with a seed derived from `seed`.
pub fn apply_all(trace: &mut Trace, truth: &mut Truth, imps: &[Impairment], seed: u64) {
    let mut rng = Rng::new(seed);
    for imp in imps {
        let s = rng.next_u64();
        apply(trace, truth, imp, s);
    }
}

/// A random set of impairments, in an order that composes (see the module doc).
pub fn random(rng: &mut Rng) -> Vec<Impairment> {
    let mut v = Vec::new();
    if rng.chance(1, 4) {
        v.push(Impairment::Tso {
            max_payload: rng.range(4_000, 64_000) as u32,
        });
    }
    if rng.chance(1, 3) {
        v.push(Impairment::Retransmit {
            percent: rng.range(1, 15) as u8,
            overlap: rng.chance(1, 2),
            alter: rng.chance(1, 2),
        });
    }
    if rng.chance(1, 3) {
        v.push(Impairment::Duplicate {
            percent: rng.range(1, 10) as u8,
        });
    }
    if rng.chance(1, 3) {
        v.push(Impairment::Reorder {
            window: rng.range(2, 8) as usize,
            percent: rng.range(1, 20) as u8,
        });
    }
    if rng.chance(1, 3) {
        let scope = if rng.chance(1, 2) {
            Scope::All
        } else {
            Scope::Data
        };
        v.push(Impairment::Loss {
            percent: rng.range(1, 6) as u8,
            scope,
        });
    }
    if rng.chance(1, 6) {
        v.push(Impairment::CaptureFrom(
            Cut::Percent(rng.range(1, 50) as u8),
        ));
    }
    if rng.chance(1, 6) {
        v.push(Impairment::CaptureUntil(Cut::Percent(
            rng.range(50, 100) as u8
        )));
    }
    if rng.chance(1, 6) {
        v.push(Impairment::Snaplen(rng.range(54, 300) as u32));
    }
    if rng.chance(1, 4) {
        v.push(Impairment::Jitter {
            percent: rng.range(1, 5) as u8,
            max_back_ns: rng.range(1, 2_000_000) as i64,
        });
    }
    v
}

fn cut_index(trace: &Trace, cut: Cut) -> usize {
    match cut {
        Cut::Index(i) => i.min(trace.len()),
        Cut::Percent(p) => trace.len() * (p.min(100) as usize) / 100,
        Cut::Time(t) => trace
            .iter()
            .position(|p| p.ts_ns >= t)
            .unwrap_or(trace.len()),
    }
}

/// Offset of the TCP header in a frame built by [`frame::build`].
fn tcp_off(p: &Packet) -> usize {
    let ip = p.meta.ip_off as usize;
    if p.data[ip] >> 4 == 4 {
        ip + (p.data[ip] & 0x0f) as usize * 4
    } else {
        ip + 40
    }
}

fn whole(p: &Packet) -> bool {
    p.data.len() == p.orig_len as usize
}

fn plain_data(p: &Packet) -> bool {
    p.meta.payload_len > 0
        && !p.meta.copy
        && whole(p)
        && p.meta.flags & (flags::SYN | flags::FIN | flags::RST | flags::URG) == 0
}

/// A packet something else may depend on: payload, SYN, FIN or RST.
fn significant(p: &Packet) -> bool {
    p.meta.payload_len > 0 || p.meta.flags & (flags::SYN | flags::FIN | flags::RST) != 0
}

/// Whether `q`, seen after `p`, may be an answer to it (so `p` must stay before `q`).
fn may_answer(p: &Packet, q: &Packet, session_of: &dyn Fn(u32) -> Option<u32>) -> bool {
    if !significant(q) {
        return false;
    }
    if q.meta.conn == p.meta.conn {
        q.meta.from != p.meta.from
    } else {
        session_of(q.meta.conn).is_some() && session_of(q.meta.conn) == session_of(p.meta.conn)
    }
}

fn reorder(
    trace: &mut Trace,
    rng: &mut Rng,
    window: usize,
    percent: u8,
    session_of: &dyn Fn(u32) -> Option<u32>,
) {
    let n = trace.len();
    let times: Vec<i64> = trace.iter().map(|p| p.ts_ns).collect();
    for i in 0..n {
        if window == 0 || !rng.chance(percent as u64, 100) {
            continue;
        }
        let p = &trace[i];
        let mut targets = Vec::new();
        let end = (i + 1 + window).min(n);
        for (k, q) in trace.iter().enumerate().take(end).skip(i + 1) {
            if may_answer(p, q, session_of) {
                break;
            }
            if q.meta.conn == p.meta.conn && q.meta.from == p.meta.from {
                targets.push(k);
            }
        }
        if !targets.is_empty() {
            let j = *rng.pick(&targets);
            trace[i..=j].rotate_left(1);
        }
    }
    for (p, t) in trace.iter_mut().zip(times) {
        p.ts_ns = t;
    }
}

fn tso(trace: &mut Trace, max_payload: u32, session_of: &dyn Fn(u32) -> Option<u32>) {
    let old = std::mem::take(trace);
    // Per (connection, direction): index in the output of the segment being grown.
    let mut open: HashMap<(u32, Side), usize> = HashMap::new();
    let mut grown = Vec::new();
    for p in old {
        let key = (p.meta.conn, p.meta.from);
        if plain_data(&p)
            && let Some(&k) = open.get(&key)
        {
            let q: &mut Packet = &mut trace[k];
            let room = 65_535 - (q.meta.payload_off - q.meta.ip_off as u32) as u64;
            let total = q.meta.payload_len as u64 + p.meta.payload_len as u64;
            if q.meta.stream_off + q.meta.payload_len as u64 == p.meta.stream_off
                && total <= (max_payload as u64).min(room)
            {
                q.data
                    .extend_from_slice(&p.data[p.meta.payload_off as usize..]);
                q.meta.payload_len = total as u32;
                q.meta.ack = p.meta.ack;
                q.meta.flags |= p.meta.flags & flags::PSH;
                q.orig_len = q.data.len() as u32;
                if grown.last() != Some(&k) {
                    grown.push(k);
                }
                continue;
            }
        }
        // Anything else from this direction ends the run (so no packet of the direction
        // is moved across another), and so does anything that may answer a run.
        open.remove(&key);
        if significant(&p) {
            open.retain(|&(c, side), &mut k| {
                !may_answer(&trace[k], &p, session_of) || (c, side) == key
            });
        }
        if plain_data(&p) {
            open.insert(key, trace.len());
        }
        trace.push(p);
    }
    for k in grown {
        let p = &mut trace[k];
        let t = tcp_off(p);
        let ack = p.meta.ack.to_be_bytes();
        p.data[t + 8..t + 12].copy_from_slice(&ack);
        p.data[t + 13] = p.meta.flags;
        frame::refresh_lengths_and_checksums(&mut p.data, p.meta.ip_off as usize);
    }
}

/// Largest IP packet (header included) a length field can describe.
const MAX_IP_PAYLOAD: usize = 65_535;

fn retransmit(
    trace: &mut Trace,
    rng: &mut Rng,
    percent: u8,
    overlap: bool,
    alter: bool,
    is_data: &dyn Fn(u32) -> bool,
) {
    let mut inserts: Vec<(usize, Packet)> = Vec::new();
    for i in 0..trace.len() {
        let p = &trace[i];
        if !plain_data(p) || (alter && !is_data(p.meta.conn)) || !rng.chance(percent as u64, 100) {
            continue;
        }
        let off = p.meta.payload_off as usize;
        let mut payload = p.data[off..].to_vec();
        let mut start = 0usize;
        let mut after = i;
        let mut extra_flags = 0;
        if overlap && payload.len() > 1 {
            // The copy starts inside this segment and runs into the next one of the stream.
            let next = trace[i + 1..].iter().position(|q| {
                q.meta.conn == p.meta.conn
                    && q.meta.from == p.meta.from
                    && plain_data(q)
                    && q.meta.stream_off == p.meta.stream_off + p.meta.payload_len as u64
            });
            start = rng.range(1, payload.len() as u64) as usize;
            payload.drain(..start);
            if let Some(n) = next {
                let q = &trace[i + 1 + n];
                // An IP packet holds at most 65,535 bytes: the copy must still fit in one.
                let room =
                    MAX_IP_PAYLOAD.saturating_sub(payload.len() + (off - p.meta.ip_off as usize));
                let take = rng.range(1, q.meta.payload_len as u64 + 1) as usize;
                let take = take.min(room);
                let qo = q.meta.payload_off as usize;
                payload.extend_from_slice(&q.data[qo..qo + take]);
                extra_flags = q.meta.flags & flags::PSH;
                after = i + 1 + n;
            }
        }
        if alter {
            for b in &mut payload {
                *b ^= 0x5a;
            }
        }
        // The retransmission leaves a little later than what it repeats.
        let at = (after + rng.range(1, 6) as usize).min(trace.len() - 1);
        let mut c = p.clone();
        c.data.truncate(off);
        c.data.extend_from_slice(&payload);
        c.orig_len = c.data.len() as u32;
        c.meta.seq = p.meta.seq.wrapping_add(start as u32);
        c.meta.stream_off = p.meta.stream_off + start as u64;
        c.meta.payload_len = payload.len() as u32;
        c.meta.flags |= extra_flags;
        c.meta.copy = true;
        c.ts_ns = trace[at].ts_ns;
        let t = tcp_off(&c);
        c.data[t + 4..t + 8].copy_from_slice(&c.meta.seq.to_be_bytes());
        c.data[t + 13] = c.meta.flags;
        frame::refresh_lengths_and_checksums(&mut c.data, c.meta.ip_off as usize);
        inserts.push((at, c));
    }
    // Insert from the back so indices stay valid; equal positions keep their order.
    inserts.sort_by_key(|(at, _)| *at);
    for (at, c) in inserts.into_iter().rev() {
        trace.insert(at + 1, c);
    }
}

/// Sorted, merged intervals.
fn merge(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    v.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn covered(iv: &[(u64, u64)], lo: u64, hi: u64) -> u64 {
    iv.iter()
        .map(|&(a, b)| b.min(hi).saturating_sub(a.max(lo)))
        .sum()
}

fn covers(iv: &[(u64, u64)], (lo, hi): (u64, u64)) -> bool {
    covered(iv, lo, hi) == hi - lo
}

/// The captured payload of one direction of one connection: `(start, end, frame)` stream
/// ranges sorted by start, to find the packet that completes a line.
#[derive(Default)]
struct Carriers {
    segs: Vec<(u64, u64, u64)>,
    /// Longest range, which bounds how far before a line a carrier may start.
    longest: u64,
}

impl Carriers {
    fn push(&mut self, start: u64, end: u64, frame: u64) {
        self.segs.push((start, end, frame));
        self.longest = self.longest.max(end - start);
    }

    /// The first frame (in capture order) by which the capture holds every byte of
    /// `lo..hi`: where an analyzer reading the capture gets the whole line.
    fn completion(&self, (lo, hi): (u64, u64)) -> Option<u64> {
        if hi <= lo {
            return None;
        }
        let from = self
            .segs
            .partition_point(|&(s, _, _)| s < lo.saturating_sub(self.longest));
        let mut hits: Vec<(u64, u64, u64)> = self.segs[from..]
            .iter()
            .take_while(|&&(s, _, _)| s < hi)
            .filter(|&&(_, e, _)| e > lo)
            .map(|&(s, e, f)| (f, s.max(lo), e.min(hi)))
            .collect();
        hits.sort_unstable();
        let mut have = Vec::with_capacity(hits.len());
        for (f, s, e) in hits {
            have.push((s, e));
            have = merge(have);
            if covers(&have, (lo, hi)) {
                return Some(f);
            }
        }
        None
    }
}

/// Recomputes what the capture shows (see the module doc) and finalizes the truth.
pub fn observe(trace: &[Packet], truth: &mut Truth) {
    let n = truth.connections.len();
    let mut cov: Vec<[Vec<(u64, u64)>; 2]> = vec![[Vec::new(), Vec::new()]; n];
    let mut hs = vec![[false; 3]; n];
    let mut fin = vec![[false; 2]; n];
    let mut rst = vec![[false; 2]; n];
    let mut packets = vec![0u64; n];
    // Only control connections' lines get frame numbers.
    let mut carriers: HashMap<(usize, usize), Carriers> = truth
        .sessions
        .iter()
        .flat_map(|s| [0, 1].map(|d| ((s.control_conn as usize - 1, d), Carriers::default())))
        .collect();
    for (i, p) in trace.iter().enumerate() {
        let m = &p.meta;
        let c = m.conn as usize - 1;
        packets[c] += 1;
        // A frame cut inside its headers shows nothing an analyzer could use.
        if p.data.len() < m.payload_off as usize {
            continue;
        }
        let got = m.captured_payload(p.data.len()) as u64;
        if got > 0 {
            cov[c][m.from.idx()].push((m.stream_off, m.stream_off + got));
            if let Some(k) = carriers.get_mut(&(c, m.from.idx())) {
                k.push(m.stream_off, m.stream_off + got, i as u64 + 1);
            }
        }
        let ct = &truth.connections[c];
        let f = m.flags;
        match (
            m.from,
            f & (flags::SYN | flags::ACK | flags::RST | flags::FIN),
        ) {
            (Side::Orig, flags::SYN) => hs[c][0] = true,
            (Side::Resp, x) if x == flags::SYN | flags::ACK => hs[c][1] = true,
            (Side::Orig, flags::ACK)
                if m.payload_len == 0
                    && m.seq == ct.isn_orig.wrapping_add(1)
                    && Some(m.ack) == ct.isn_resp.map(|i| i.wrapping_add(1)) =>
            {
                hs[c][2] = true
            }
            _ => {}
        }
        if f & flags::FIN != 0 {
            fin[c][m.from.idx()] = true;
        }
        if f & flags::RST != 0 {
            rst[c][m.from.idx()] = true;
        }
    }
    let cov: Vec<[Vec<(u64, u64)>; 2]> =
        cov.into_iter().map(|[a, b]| [merge(a), merge(b)]).collect();
    for (c, ct) in truth.connections.iter_mut().enumerate() {
        ct.observed = true;
        ct.packets = packets[c];
        ct.missed_orig = ct.bytes_orig - covered(&cov[c][0], 0, ct.bytes_orig);
        ct.missed_resp = ct.bytes_resp - covered(&cov[c][1], 0, ct.bytes_resp);
        ct.handshake_seen = hs[c].iter().all(|&x| x);
        let fins_seen = ct.ev.fins.iter().all(|(side, _)| fin[c][side.idx()]);
        let rst_seen = ct.ev.rst.is_none_or(|side| rst[c][side.idx()]);
        ct.close_seen = fins_seen && rst_seen;
    }
    for k in carriers.values_mut() {
        k.segs.sort_unstable();
    }
    let none = Carriers::default();
    for s in &mut truth.sessions {
        let c = s.control_conn as usize - 1;
        let to_server = carriers.get(&(c, 0)).unwrap_or(&none);
        let to_client = carriers.get(&(c, 1)).unwrap_or(&none);
        s.greeting_frame = s
            .greeting_wire
            .as_ref()
            .and_then(|w| to_client.completion(w.range));
        s.unsolicited_frames = s
            .unsolicited_wire
            .iter()
            .map(|w| to_client.completion(w.range))
            .collect();
        for cmd in &mut s.commands {
            cmd.frame = to_server.completion(cmd.wire.range);
            cmd.reply_frames = cmd
                .wire
                .replies
                .iter()
                .map(|r| to_client.completion(r.range))
                .collect();
            cmd.line_captured = covers(&cov[c][0], cmd.wire.range);
            cmd.replies_captured = cmd
                .wire
                .replies
                .iter()
                .filter(|r| covers(&cov[c][1], r.range))
                .map(|r| r.code)
                .collect();
            cmd.captured =
                cmd.line_captured && cmd.replies_captured.len() == cmd.wire.replies.len();
        }
    }
    truth.packets = trace.len() as u64;
    truth.frames = true;
    truth.finalize();
}
