//! Streaming impairments for multi-GB captures: a little reordering and retransmission,
//! applied through a bounded delay line, so memory stays constant whatever the size.
//!
//! [`ftpflow_synth::impair`] transforms a whole trace in memory; this does the two
//! impairments a benchmark needs on the fly, with rules that keep the truth exact:
//!
//! - **Reorder**: a bulk data segment swaps places with the segment of the same stream
//!   right before it (the earlier one arrives late), when nothing else of that connection
//!   lies between them. Other connections' packets in between may be passed: they belong to
//!   other sessions. Timestamps stay where they were, so the capture stays in time order.
//! - **Retransmit**: after a bulk data segment, a copy of an earlier segment of the same
//!   stream that is still in the delay line (a sender retransmitting what the receiver
//!   had already received: a spurious retransmission, bytes counted once). The copy gets a
//!   new IPv4 id, as a real retransmission does.
//!
//! Only segments with at least [`BULK_MIN`] payload bytes are touched, so control
//! connections (short lines) never are and every command and reply stays in order.

use ftpflow_synth::frame;
use ftpflow_synth::packet::{Packet, flags};
use ftpflow_synth::rng::Rng;
use ftpflow_synth::sink::PacketSink;
use std::collections::{HashMap, VecDeque};

/// Smallest payload of a segment the impairments may touch.
pub const BULK_MIN: u32 = 512;

/// How much to impair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rates {
    /// Chance per bulk segment, in parts per million, of arriving before its predecessor.
    pub reorder_ppm: u64,
    /// Chance per bulk segment, in parts per million, of being followed by a retransmission.
    pub retransmit_ppm: u64,
    /// Packets held back (the farthest a retransmitted copy can come from).
    pub window: usize,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            reorder_ppm: 3_000,
            retransmit_ppm: 2_000,
            window: 64,
        }
    }
}

/// A [`PacketSink`] that impairs and forwards (call [`Jumble::finish`] at the end).
pub struct Jumble<S: PacketSink> {
    out: S,
    rng: Rng,
    rates: Rates,
    line: VecDeque<Packet>,
    line_bytes: u64,
    /// Added to every packet's connection id (several generator runs in one file).
    pub conn_shift: u32,
    pub reordered: u64,
    pub retransmitted: u64,
    /// Extra packets per connection id (retransmitted copies), to correct the truth.
    pub extra_packets: HashMap<u32, u64>,
}

fn bulk(p: &Packet) -> bool {
    p.meta.payload_len >= BULK_MIN
        && !p.meta.copy
        && p.data.len() == p.orig_len as usize
        && p.meta.flags & (flags::SYN | flags::FIN | flags::RST | flags::URG) == 0
}

impl<S: PacketSink> Jumble<S> {
    pub fn new(out: S, seed: u64, rates: Rates) -> Jumble<S> {
        Jumble {
            out,
            rng: Rng::new(seed ^ 0x6a75_6d62_6c65),
            rates,
            line: VecDeque::with_capacity(rates.window + 2),
            line_bytes: 0,
            conn_shift: 0,
            reordered: 0,
            retransmitted: 0,
            extra_packets: HashMap::new(),
        }
    }

    /// File bytes of the packets still held back (pcap record headers included).
    pub fn held_bytes(&self) -> u64 {
        self.line_bytes
    }

    pub fn inner(&self) -> &S {
        &self.out
    }

    /// Forwards everything still held; the inner sink.
    pub fn finish(mut self) -> S {
        while let Some(p) = self.line.pop_front() {
            self.out.push(p);
        }
        self.out
    }

    fn hold(&mut self, p: Packet) {
        self.line_bytes += super::PCAP_RECORD_HEADER + p.data.len() as u64;
        self.line.push_back(p);
        while self.line.len() > self.rates.window {
            let q = self.line.pop_front().expect("non-empty");
            self.line_bytes -= super::PCAP_RECORD_HEADER + q.data.len() as u64;
            self.out.push(q);
        }
    }

    /// Index in the line of the last packet of `p`'s connection, if it is `p`'s direct
    /// predecessor in its stream (bulk, same direction, ends where `p` starts).
    fn predecessor(&self, p: &Packet) -> Option<usize> {
        let (i, q) = self
            .line
            .iter()
            .enumerate()
            .rev()
            .find(|(_, q)| q.meta.conn == p.meta.conn)?;
        let ok = bulk(q)
            && q.meta.from == p.meta.from
            && q.meta.stream_off + q.meta.payload_len as u64 == p.meta.stream_off;
        ok.then_some(i)
    }

    /// Puts `p` at `i` in the line; packets keep the timestamps of the slots.
    fn insert_before(&mut self, i: usize, mut p: Packet) {
        let mut times: Vec<i64> = self.line.range(i..).map(|q| q.ts_ns).collect();
        times.push(p.ts_ns);
        p.ts_ns = times[0];
        self.line_bytes += super::PCAP_RECORD_HEADER + p.data.len() as u64;
        self.line.insert(i, p);
        for (k, t) in times.into_iter().enumerate().skip(1) {
            self.line[i + k].ts_ns = t;
        }
    }

    /// A retransmitted copy of an earlier segment of `p`'s stream still in the line.
    fn copy_of_earlier(&mut self, p: &Packet) -> Option<Packet> {
        let candidates: Vec<usize> = self
            .line
            .iter()
            .enumerate()
            .filter(|(_, q)| {
                q.meta.conn == p.meta.conn
                    && q.meta.from == p.meta.from
                    && bulk(q)
                    && q.meta.stream_off < p.meta.stream_off
            })
            .map(|(i, _)| i)
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = *self.rng.pick(&candidates);
        let mut c = self.line[i].clone();
        c.meta.copy = true;
        c.ts_ns = p.ts_ns;
        let ip = c.meta.ip_off as usize;
        if c.data[ip] >> 4 == 4 {
            let id = u16::from_be_bytes([c.data[ip + 4], c.data[ip + 5]]).wrapping_add(0x1000);
            c.data[ip + 4..ip + 6].copy_from_slice(&id.to_be_bytes());
            frame::refresh_lengths_and_checksums(&mut c.data, ip);
        }
        Some(c)
    }
}

impl<S: PacketSink> PacketSink for Jumble<S> {
    fn push(&mut self, mut p: Packet) {
        p.meta.conn += self.conn_shift;
        if !bulk(&p) {
            self.hold(p);
            return;
        }
        if self.rng.chance(self.rates.reorder_ppm, 1_000_000)
            && let Some(i) = self.predecessor(&p)
        {
            self.reordered += 1;
            self.insert_before(i, p);
            // Keep the line bounded.
            while self.line.len() > self.rates.window {
                let q = self.line.pop_front().expect("non-empty");
                self.line_bytes -= super::PCAP_RECORD_HEADER + q.data.len() as u64;
                self.out.push(q);
            }
            return;
        }
        let copy = if self.rng.chance(self.rates.retransmit_ppm, 1_000_000) {
            self.copy_of_earlier(&p)
        } else {
            None
        };
        self.hold(p);
        if let Some(c) = copy {
            self.retransmitted += 1;
            *self.extra_packets.entry(c.meta.conn).or_insert(0) += 1;
            self.hold(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ftpflow_synth::prelude::*;

    fn bulk_trace() -> Vec<Packet> {
        let mut trace = Trace::new();
        let mut net = Net::new(&mut trace, 1_700_000_000_000_000_000, 5);
        let mut s = FtpSession::connect(
            &mut net,
            FtpConfig::new(
                "10.0.0.2:40000".parse().unwrap(),
                "10.0.0.1:21".parse().unwrap(),
            ),
        );
        s.reply(Reply::new(220, "ready"));
        s.login("u", "p");
        let chan = s.pasv(50000);
        s.transfer(
            Some(&chan),
            Xfer::new(
                Cmd::new("RETR", Some("a.bin")),
                Payload::pattern(3_000_000, 1),
            ),
        );
        s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
        s.close(CloseStyle::FourWay, Who::Server);
        net.finish();
        trace
    }

    #[test]
    fn impairs_only_bulk_data_and_keeps_time_order_and_bytes() {
        let trace = bulk_trace();
        let rates = Rates {
            reorder_ppm: 50_000,
            retransmit_ppm: 50_000,
            window: 16,
        };
        let mut j = Jumble::new(Vec::new(), 9, rates);
        for p in trace.clone() {
            j.push(p);
        }
        let (reordered, retransmitted) = (j.reordered, j.retransmitted);
        let out = j.finish();
        assert!(
            reordered > 10 && retransmitted > 10,
            "{reordered} {retransmitted}"
        );
        assert_eq!(out.len(), trace.len() + retransmitted as usize);
        assert!(out.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
        // The same packets (copies aside); small packets in their original order.
        let small = |v: &[Packet]| -> Vec<Vec<u8>> {
            v.iter()
                .filter(|p| p.meta.payload_len < BULK_MIN)
                .map(|p| p.data.clone())
                .collect()
        };
        assert_eq!(small(&trace), small(&out));
        let mut a: Vec<&[u8]> = trace.iter().map(|p| &p.data[..]).collect();
        let mut b: Vec<&[u8]> = out
            .iter()
            .filter(|p| !p.meta.copy)
            .map(|p| &p.data[..])
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        // Every copy repeats bytes its stream already carried.
        for c in out.iter().filter(|p| p.meta.copy) {
            let orig = trace
                .iter()
                .find(|p| p.meta.conn == c.meta.conn && p.meta.stream_off == c.meta.stream_off)
                .unwrap();
            let off = c.meta.payload_off as usize;
            assert_eq!(orig.data[off..], c.data[off..]);
        }
    }
}
