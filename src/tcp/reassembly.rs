//! One direction of a TCP stream, put back in order.
//!
//! Input: segments as (stream offset, captured bytes, length on the wire), in capture order.
//! Output: in-order [`Chunk`]s (bytes, or a gap of known length) handed to a callback, and
//! counters: distinct bytes seen, bytes retransmitted, bytes declared missing.
//!
//! Two modes:
//! * **content** (FTP control connections): out-of-order bytes are held until the hole before
//!   them fills, then delivered in order;
//! * **count** (data and other connections): only the covered *ranges* are kept, never the
//!   bytes, so a multi-gigabyte transfer costs a few words of memory. The first bytes in order
//!   are kept as a short preview (a directory listing's first lines).
//!
//! Rules:
//! * Overlaps are **first-wins**: bytes already delivered or held are never replaced by a later
//!   copy (a TCP receiver keeps the copy it accepted first). A later copy that disagrees with a
//!   held copy is counted as an inconsistent retransmission.
//! * A hole is declared missing only when the caller says so ([`Reassembler::skip_to`]: the
//!   peer acknowledged past it, or the stream ended) or when a bound forces it.
//! * Bytes a snaplen cut from a captured segment are known by length only: they count as seen,
//!   and are delivered as a gap because their content is unknown.
//! * Everything is bounded: held bytes per stream (and a shared budget across streams), and
//!   held ranges per stream. Forcing a hole closed to respect a bound is counted.
//! * Held bytes keep the [`Stamp`] of the segment that carried them: a line released
//!   later, when its hole fills or is declared missing, is still dated by its own packet.

use crate::time::Timestamp;
use std::collections::BTreeMap;

/// Where some bytes came from: the capture time and frame of the segment that carried
/// them, and the offset in the other direction's stream that this segment acknowledged
/// (what its sender had received when it sent it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    /// Capture time of the segment.
    pub ts: Timestamp,
    /// Frame number of the segment.
    pub frame: u64,
    /// Offset in the other direction's stream it acknowledged; `None` when it acknowledged
    /// nothing usable (no ACK flag, a retransmission, or an offset not known).
    pub ack: Option<u64>,
}

/// What the consumer receives, in stream order.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// Bytes, with the stamp of the segment that carried them.
    Bytes(&'a [u8], Stamp),
    /// `n` bytes whose content is not in the capture.
    Gap(u64),
    /// A tapped count stream: bytes seen for the first time, at their stream offset, in
    /// arrival order (not necessarily in stream order).
    Tapped(u64, &'a [u8]),
}

/// Out-of-order content bytes held across all streams, against their bound. Holding adds
/// the exact length of the piece kept and delivering or dropping it subtracts that same
/// length, so `held` is always the sum of every stream's held bytes and never wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldBudget {
    limit: usize,
    held: usize,
}

impl HeldBudget {
    /// Nothing held yet; at most `limit` bytes may stay held once a segment is processed.
    pub fn new(limit: usize) -> HeldBudget {
        HeldBudget { limit, held: 0 }
    }

    /// Bytes held now, across all streams.
    pub fn held(&self) -> usize {
        self.held
    }

    /// More is held than allowed: the stream that just added bytes must release some.
    fn over(&self) -> bool {
        self.held > self.limit
    }

    fn take(&mut self, n: usize) {
        self.held += n;
    }

    /// Gives back bytes this stream took. A stream gives back only what it holds, and
    /// its own count is part of `held`, so this cannot go below zero.
    fn give_back(&mut self, n: usize) {
        debug_assert!(n <= self.held, "giving back more than was held");
        self.held -= n;
    }
}

/// Limits for one stream.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// Out-of-order bytes held for a content stream.
    pub max_held_bytes: usize,
    /// Out-of-order ranges held for a count stream.
    pub max_held_ranges: usize,
    /// First in-order bytes kept for a count stream (0: none).
    pub preview_bytes: usize,
}

/// How a segment related to what was already seen.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// Bytes of this segment not seen before.
    pub new_bytes: u64,
    /// Bytes of this segment already seen (retransmitted or overlapping).
    pub old_bytes: u64,
    /// New bytes arrived before the bytes preceding them (a hole opened or remains).
    pub out_of_order: bool,
    /// An overlapping copy disagreed with the copy held.
    pub inconsistent: bool,
}

#[derive(Debug)]
enum Piece {
    Data(Vec<u8>, Stamp),
    /// Known length, unknown content (cut by the snaplen).
    Cut(u64),
    /// Count mode: a covered range.
    Range(u64),
}

impl Piece {
    fn len(&self) -> u64 {
        match self {
            Piece::Data(d, _) => d.len() as u64,
            Piece::Cut(n) | Piece::Range(n) => *n,
        }
    }
}

/// Reassembly state of one direction.
#[derive(Debug)]
pub struct Reassembler {
    content: bool,
    limits: StreamLimits,
    /// Everything before this offset has been delivered or declared missing.
    next: u64,
    /// Highest offset + length seen.
    max_end: u64,
    held: BTreeMap<u64, Piece>,
    held_bytes: usize,
    /// Distinct bytes seen (delivered, held, or cut by the snaplen).
    pub seen: u64,
    /// Bytes declared missing (never seen).
    pub missed: u64,
    /// Bytes seen only as lengths because the snaplen cut them.
    pub cut: u64,
    /// Holes closed early because a bound was reached.
    pub forced_skips: u64,
    /// Count mode: the first in-order bytes.
    pub preview: Vec<u8>,
    preview_done: bool,
    /// Count mode: hand every new byte to the caller ([`Chunk::Tapped`]) as it arrives.
    tap: bool,
    /// A tapped stream's offsets moved after bytes were tapped (a late SYN): the offsets
    /// tapped before are wrong.
    pub tap_moved: bool,
}

impl Reassembler {
    /// A reassembler that delivers bytes (`content`) or only counts them, within `limits`.
    pub fn new(content: bool, limits: StreamLimits) -> Reassembler {
        Reassembler {
            content,
            limits,
            next: 0,
            max_end: 0,
            held: BTreeMap::new(),
            held_bytes: 0,
            seen: 0,
            missed: 0,
            cut: 0,
            forced_skips: 0,
            preview: Vec::new(),
            preview_done: limits.preview_bytes == 0,
            tap: false,
            tap_moved: false,
        }
    }

    /// Count mode: also hand new bytes to the caller as they arrive (file extraction,
    /// hashing); it puts them in order itself.
    pub fn set_tap(&mut self, tap: bool) {
        self.tap = tap && !self.content;
    }

    /// New bytes are tapped.
    pub fn tapped(&self) -> bool {
        self.tap
    }

    /// Next offset expected in order.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Highest offset + length seen so far.
    pub fn max_end(&self) -> u64 {
        self.max_end
    }

    /// Out-of-order content bytes held now.
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// True when data beyond a hole is waiting.
    pub fn has_hole(&self) -> bool {
        !self.held.is_empty()
    }

    /// A counted stream whose every byte so far is in its preview (no hole, nothing cut by
    /// the snaplen, the preview not full): it could become a content stream.
    pub fn preview_is_whole(&self) -> bool {
        !self.content
            && self.held.is_empty()
            && self.cut == 0
            && self.preview.len() as u64 == self.next
            && self.preview.len() < self.limits.preview_bytes
    }

    /// Turns a counted stream into a content stream (its connection turned out to be an
    /// FTP control connection): returns the bytes so far, which the caller delivers.
    /// Only valid when [`Self::preview_is_whole`].
    pub fn into_content(&mut self) -> Vec<u8> {
        debug_assert!(self.preview_is_whole());
        self.content = true;
        self.tap = false;
        self.preview_done = true;
        std::mem::take(&mut self.preview)
    }

    /// Where the first piece held beyond a hole starts.
    pub fn first_held(&self) -> Option<u64> {
        self.held.first_key_value().map(|(k, _)| *k)
    }

    /// What [`Reassembler::insert`] does for bytes that continue a counted stream (not
    /// delivered) in order with nothing held, without its general checks: the shortcut
    /// of the bulk of a large capture. The caller has checked that `!has_hole()` and that
    /// the segment starts at [`Reassembler::next`].
    #[inline]
    pub fn append_counted(&mut self, captured: &[u8], wire_len: u64) {
        debug_assert!(!self.content && !self.tap && self.held.is_empty());
        let wire_len = wire_len.max(captured.len() as u64);
        let from = self.next;
        let end = from.saturating_add(wire_len);
        self.seen += end - from;
        self.max_end = self.max_end.max(end);
        // The preview and the snaplen's cut bytes are the only things left to account.
        if !self.preview_done || end - from != captured.len() as u64 {
            self.deliver_range(from, captured, from, end, Stamp::default(), &mut |_| {});
        }
        self.next = end;
    }

    /// Adds one segment at stream offset `offset` (may be negative: bytes before the stream
    /// start are ignored). `captured` holds the bytes the capture has; `wire_len >=
    /// captured.len()` is the segment's payload length on the wire. `budget` counts the
    /// held bytes of all streams; past its limit this stream releases its own (only the
    /// stream that added bytes can have pushed the total over, so the total is within its
    /// limit again when this returns).
    pub fn insert(
        &mut self,
        offset: i64,
        captured: &[u8],
        wire_len: u64,
        stamp: Stamp,
        budget: &mut HeldBudget,
        out: &mut dyn FnMut(Chunk<'_>),
    ) -> Arrival {
        let wire_len = wire_len.max(captured.len() as u64);
        let end = offset.saturating_add(wire_len.min(i64::MAX as u64) as i64);
        if end <= 0 || wire_len == 0 {
            return Arrival::default();
        }
        let start = offset.max(0) as u64;
        let end = end as u64;
        // Bytes of the segment before `start` (negative offsets) are dropped from `captured`.
        let skip_front = (start as i64 - offset) as u64;
        let captured = slice_from(captured, skip_front);
        let seg_start = start;

        let mut arrival = Arrival::default();
        if end <= self.next {
            arrival.old_bytes = end - start;
            return arrival;
        }
        let from = start.max(self.next);
        arrival.old_bytes += from - start;

        // Fast path: in order with nothing held: deliver straight from the packet.
        if from == self.next && self.held.is_empty() {
            arrival.new_bytes = end - from;
            self.seen += end - from;
            self.max_end = self.max_end.max(end);
            self.deliver_range(seg_start, captured, from, end, stamp, out);
            self.next = end;
            return arrival;
        }

        // General path: keep only the parts not already held (first copy wins), then drain.
        let mut cursor = from;
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        for (&k, piece) in self.held.range(..end) {
            let k_end = k + piece.len();
            if k_end <= cursor {
                continue;
            }
            if k > cursor {
                pieces.push((cursor, k.min(end)));
            }
            // Overlap with a held piece: compare bytes where both copies are known.
            if let Piece::Data(held, _) = piece {
                let o_start = k.max(cursor);
                let o_end = k_end.min(end);
                if let (Some(a), Some(b)) = (
                    sub(held, o_start - k, o_end - k),
                    sub(
                        captured,
                        o_start.saturating_sub(seg_start),
                        o_end.saturating_sub(seg_start),
                    ),
                ) && a != b
                {
                    arrival.inconsistent = true;
                }
            }
            cursor = cursor.max(k_end);
            if cursor >= end {
                break;
            }
        }
        if cursor < end {
            pieces.push((cursor, end));
        }
        let new: u64 = pieces.iter().map(|(a, b)| b - a).sum();
        arrival.new_bytes = new;
        arrival.old_bytes += (end - from) - new;
        arrival.out_of_order = pieces.first().is_some_and(|(a, _)| *a > self.next);
        self.seen += new;
        self.max_end = self.max_end.max(end);

        for (a, b) in pieces {
            if a == self.next && self.held.range(..=a).next().is_none() {
                self.deliver_range(seg_start, captured, a, b, stamp, out);
                self.next = b;
                self.drain(budget, out);
            } else {
                if self.tap {
                    // Out of order: the tap gets them now, the ranges are held.
                    let data_end = b.min(seg_start + captured.len() as u64).max(a);
                    if data_end > a {
                        let bytes =
                            &captured[(a - seg_start) as usize..(data_end - seg_start) as usize];
                        out(Chunk::Tapped(a, bytes));
                    }
                }
                self.hold(seg_start, captured, a, b, stamp, budget);
            }
        }
        self.drain(budget, out);
        self.enforce_bounds(budget, out);
        arrival
    }

    /// Moves offset 0 back by `delta` bytes: what was taken for the start of the stream is
    /// `delta` bytes into it (its SYN arrived late). Count streams shift what they hold;
    /// a content stream can only do so before delivering anything. False when refused.
    pub fn rebase(&mut self, delta: u64) -> bool {
        if self.seen == 0 && self.held.is_empty() {
            return true;
        }
        if self.content {
            return false;
        }
        let held = std::mem::take(&mut self.held);
        for (k, p) in held {
            self.held.insert(k + delta, p);
        }
        self.tap_moved |= self.tap;
        if self.next > 0 {
            // What was delivered in order now sits after a hole at the real start.
            self.hold_range(delta, delta + self.next);
        }
        self.next = 0;
        self.max_end += delta;
        self.preview.clear();
        self.preview_done = true;
        true
    }

    /// Declares everything before `target` that was not seen as missing (the peer
    /// acknowledged it, or the stream ended), delivering held pieces on the way.
    pub fn skip_to(
        &mut self,
        target: u64,
        budget: &mut HeldBudget,
        out: &mut dyn FnMut(Chunk<'_>),
    ) {
        while self.next < target {
            let first = self.held.first_key_value().map(|(k, _)| *k);
            match first {
                Some(k) if k <= self.next => self.drain(budget, out),
                _ => {
                    let gap_end = first.map_or(target, |k| k.min(target));
                    let n = gap_end - self.next;
                    self.missed += n;
                    if self.content {
                        out(Chunk::Gap(n));
                    }
                    self.next = gap_end;
                    self.preview_done = true;
                    self.drain(budget, out);
                }
            }
        }
        self.max_end = self.max_end.max(self.next);
    }

    /// End of stream: every hole is missing; held pieces are delivered. `end` is the offset
    /// where the stream is known to end (FIN, or the peer's highest acknowledgment), if any.
    pub fn finish(
        &mut self,
        end: Option<u64>,
        budget: &mut HeldBudget,
        out: &mut dyn FnMut(Chunk<'_>),
    ) {
        let last_held = self.held.last_key_value().map(|(k, p)| k + p.len());
        let target = [end, last_held, Some(self.next)]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        self.skip_to(target, budget, out);
    }

    fn deliver_range(
        &mut self,
        seg_start: u64,
        captured: &[u8],
        from: u64,
        to: u64,
        stamp: Stamp,
        out: &mut dyn FnMut(Chunk<'_>),
    ) {
        let have_end = seg_start + captured.len() as u64;
        let data_end = to.min(have_end).max(from);
        if data_end > from {
            let bytes = &captured[(from - seg_start) as usize..(data_end - seg_start) as usize];
            if self.tap {
                out(Chunk::Tapped(from, bytes));
            }
            self.emit_bytes(bytes, stamp, out);
        }
        if to > data_end {
            self.cut += to - data_end;
            self.preview_done = true;
            if self.content {
                out(Chunk::Gap(to - data_end));
            }
        }
    }

    fn emit_bytes(&mut self, bytes: &[u8], stamp: Stamp, out: &mut dyn FnMut(Chunk<'_>)) {
        if self.content {
            out(Chunk::Bytes(bytes, stamp));
        } else if !self.preview_done {
            let room = self.limits.preview_bytes.saturating_sub(self.preview.len());
            self.preview
                .extend_from_slice(&bytes[..room.min(bytes.len())]);
            if self.preview.len() >= self.limits.preview_bytes {
                self.preview_done = true;
            }
        }
    }

    fn hold(
        &mut self,
        seg_start: u64,
        captured: &[u8],
        from: u64,
        to: u64,
        stamp: Stamp,
        budget: &mut HeldBudget,
    ) {
        if !self.content {
            self.hold_range(from, to);
            return;
        }
        let have_end = seg_start + captured.len() as u64;
        let data_end = to.min(have_end).max(from);
        if data_end > from {
            let bytes =
                captured[(from - seg_start) as usize..(data_end - seg_start) as usize].to_vec();
            self.held_bytes += bytes.len();
            budget.take(bytes.len());
            self.held.insert(from, Piece::Data(bytes, stamp));
        }
        if to > data_end {
            self.held.insert(data_end, Piece::Cut(to - data_end));
        }
    }

    /// Count mode: merge `[from, to)` into the held ranges (which never overlap it).
    fn hold_range(&mut self, from: u64, to: u64) {
        let mut start = from;
        let mut end = to;
        if let Some((&k, p)) = self.held.range(..from).next_back()
            && k + p.len() == from
        {
            start = k;
            self.held.remove(&k);
        }
        if let Some(p) = self.held.remove(&to) {
            end = to + p.len();
        }
        self.held.insert(start, Piece::Range(end - start));
    }

    /// Delivers held pieces that now start at or before `next`.
    fn drain(&mut self, budget: &mut HeldBudget, out: &mut dyn FnMut(Chunk<'_>)) {
        while let Some(entry) = self.held.first_entry() {
            let k = *entry.key();
            if k > self.next {
                break;
            }
            let piece = entry.remove();
            let len = piece.len();
            let end = k + len;
            if let Piece::Data(d, _) = &piece {
                self.held_bytes -= d.len();
                budget.give_back(d.len());
            }
            if end <= self.next {
                continue;
            }
            let skip = self.next - k;
            match &piece {
                Piece::Data(d, stamp) => {
                    let d = &d[skip as usize..];
                    self.emit_bytes(d, *stamp, out);
                }
                Piece::Cut(_) => {
                    self.cut += len - skip;
                    self.preview_done = true;
                    if self.content {
                        out(Chunk::Gap(len - skip));
                    }
                }
                Piece::Range(_) => {
                    // Bytes never kept: the preview cannot continue past here.
                    self.preview_done = true;
                }
            }
            self.next = end;
        }
    }

    fn enforce_bounds(&mut self, budget: &mut HeldBudget, out: &mut dyn FnMut(Chunk<'_>)) {
        loop {
            let over = if self.content {
                self.held_bytes > self.limits.max_held_bytes
                    || (budget.over() && self.held_bytes > 0)
            } else {
                self.held.len() > self.limits.max_held_ranges
            };
            if !over {
                return;
            }
            let Some((&k, _)) = self.held.first_key_value() else {
                return;
            };
            self.forced_skips += 1;
            self.skip_to(k, budget, out);
            self.drain(budget, out);
        }
    }
}

fn slice_from(data: &[u8], skip: u64) -> &[u8] {
    if skip >= data.len() as u64 {
        &[]
    } else {
        &data[skip as usize..]
    }
}

fn sub(data: &[u8], from: u64, to: u64) -> Option<&[u8]> {
    if to > data.len() as u64 || from > to {
        None
    } else {
        Some(&data[from as usize..to as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: StreamLimits = StreamLimits {
        max_held_bytes: 1 << 20,
        max_held_ranges: 64,
        preview_bytes: 8,
    };

    /// Collects what a content stream delivers: bytes, with `#N` for a gap of N.
    fn run(segments: &[(i64, &[u8], u64)]) -> (String, Reassembler) {
        let mut r = Reassembler::new(true, LIMITS);
        let mut budget = HeldBudget::new(usize::MAX);
        let mut text = String::new();
        for (off, data, wire) in segments {
            r.insert(*off, data, *wire, Stamp::default(), &mut budget, &mut |c| {
                push(&mut text, c)
            });
        }
        r.finish(None, &mut budget, &mut |c| push(&mut text, c));
        (text, r)
    }

    fn push(text: &mut String, c: Chunk<'_>) {
        match c {
            Chunk::Bytes(b, _) => text.push_str(&String::from_utf8_lossy(b)),
            Chunk::Gap(n) => text.push_str(&format!("#{n}")),
            Chunk::Tapped(..) => text.push('?'),
        }
    }

    /// A tapped count stream hands over each byte once, at its offset, as it arrives
    /// (out of order, retransmitted, overlapping), and still only counts.
    #[test]
    fn a_tapped_count_stream_hands_over_each_byte_once() {
        let limits = StreamLimits {
            max_held_bytes: 1 << 20,
            max_held_ranges: 64,
            preview_bytes: 4,
        };
        let mut r = Reassembler::new(false, limits);
        r.set_tap(true);
        let mut budget = HeldBudget::new(1 << 20);
        let mut got: Vec<(u64, Vec<u8>)> = Vec::new();
        let segs: &[(i64, &[u8])] = &[
            (0, b"abcd"),
            (8, b"ijkl"),
            (0, b"abcd"),
            (6, b"ghij"),
            (4, b"efgh"),
            (12, b"mn"),
        ];
        for (off, data) in segs {
            r.insert(
                *off,
                data,
                data.len() as u64,
                Stamp::default(),
                &mut budget,
                &mut |c| {
                    if let Chunk::Tapped(o, b) = c {
                        got.push((o, b.to_vec()));
                    } else {
                        panic!("a count stream delivers nothing else: {c:?}");
                    }
                },
            );
        }
        let mut whole = vec![0u8; 14];
        let mut covered = 0;
        for (o, b) in &got {
            whole[*o as usize..*o as usize + b.len()].copy_from_slice(b);
            covered += b.len();
        }
        assert_eq!(covered, 14, "{got:?}");
        assert_eq!(&whole, b"abcdefghijklmn");
        assert_eq!(r.seen, 14);
        assert_eq!(r.preview, b"abcd");
    }

    #[test]
    fn in_order() {
        let (t, r) = run(&[(0, b"USER ", 5), (5, b"ftp\r\n", 5)]);
        assert_eq!(t, "USER ftp\r\n");
        assert_eq!((r.seen, r.missed), (10, 0));
    }

    #[test]
    fn out_of_order_is_held_then_delivered() {
        let (t, r) = run(&[(5, b"ftp\r\n", 5), (0, b"USER ", 5)]);
        assert_eq!(t, "USER ftp\r\n");
        assert_eq!(r.seen, 10);
    }

    #[test]
    fn retransmission_is_not_delivered_twice() {
        let mut r = Reassembler::new(true, LIMITS);
        let mut budget = HeldBudget::new(usize::MAX);
        let mut t = String::new();
        r.insert(0, b"abc", 3, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        let a = r.insert(0, b"abc", 3, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        assert_eq!(a.old_bytes, 3);
        assert_eq!(a.new_bytes, 0);
        assert_eq!(t, "abc");
    }

    #[test]
    fn overlap_first_copy_wins() {
        // "XYZ" at 2..5 arrives first (out of order), then "abcde" at 0..5 disagrees.
        let mut r = Reassembler::new(true, LIMITS);
        let mut budget = HeldBudget::new(usize::MAX);
        let mut t = String::new();
        r.insert(2, b"XYZ", 3, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        let a = r.insert(0, b"abcde", 5, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        assert!(a.inconsistent);
        assert_eq!(t, "abXYZ");
        // A later copy of already-delivered bytes changes nothing.
        r.insert(0, b"!!!!!!", 6, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        assert_eq!(t, "abXYZ!");
    }

    #[test]
    fn hole_declared_missing_at_finish() {
        let (t, r) = run(&[(0, b"ab", 2), (5, b"fg", 2)]);
        assert_eq!(t, "ab#3fg");
        assert_eq!((r.seen, r.missed), (4, 3));
    }

    #[test]
    fn skip_to_fills_hole_with_gap() {
        let mut r = Reassembler::new(true, LIMITS);
        let mut budget = HeldBudget::new(usize::MAX);
        let mut t = String::new();
        r.insert(0, b"ab", 2, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        r.insert(4, b"ef", 2, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        r.skip_to(8, &mut budget, &mut |c| push(&mut t, c));
        assert_eq!(t, "ab#2ef#2");
        assert_eq!(r.missed, 4);
        assert_eq!(r.next(), 8);
    }

    #[test]
    fn snaplen_cut_is_seen_but_gapped() {
        let (t, r) = run(&[(0, b"RETR", 10), (10, b"xy", 2)]);
        assert_eq!(t, "RETR#6xy");
        assert_eq!((r.seen, r.cut, r.missed), (12, 6, 0));
    }

    #[test]
    fn negative_offsets_are_trimmed() {
        let (t, _) = run(&[(-2, b"..ok", 4)]);
        assert_eq!(t, "ok");
    }

    #[test]
    fn count_mode_counts_distinct_bytes_and_keeps_a_preview() {
        let mut r = Reassembler::new(false, LIMITS);
        let mut budget = HeldBudget::new(usize::MAX);
        let mut nothing = |_c: Chunk<'_>| panic!("count mode delivers nothing");
        let data = b"type=dir;modify=20250102011711; my2024\r\n";
        r.insert(
            0,
            &data[..8],
            8,
            Stamp::default(),
            &mut budget,
            &mut nothing,
        );
        r.insert(
            20,
            &data[20..30],
            10,
            Stamp::default(),
            &mut budget,
            &mut nothing,
        );
        r.insert(
            8,
            &data[8..20],
            12,
            Stamp::default(),
            &mut budget,
            &mut nothing,
        );
        r.insert(
            10,
            &data[10..15],
            5,
            Stamp::default(),
            &mut budget,
            &mut nothing,
        ); // retransmitted
        assert_eq!(r.seen, 30);
        assert_eq!(r.cut, 0);
        assert_eq!(r.next(), 30);
        assert_eq!(r.preview, b"type=dir");
        r.finish(Some(40), &mut budget, &mut nothing);
        assert_eq!(r.missed, 10);
    }

    #[test]
    fn count_mode_range_bound_forces_skips() {
        let limits = StreamLimits {
            max_held_ranges: 2,
            ..LIMITS
        };
        let mut r = Reassembler::new(false, limits);
        let mut budget = HeldBudget::new(usize::MAX);
        let mut ignore = |_c: Chunk<'_>| {};
        for i in 1..6u64 {
            r.insert(
                (i * 10) as i64,
                b"",
                5,
                Stamp::default(),
                &mut budget,
                &mut ignore,
            );
        }
        assert!(r.forced_skips > 0);
        assert!(r.held.len() <= 2);
        r.finish(None, &mut budget, &mut ignore);
        assert_eq!(r.seen, 25);
        assert_eq!(r.seen + r.missed, 55);
    }

    #[test]
    fn content_bound_forces_skip_and_credits_budget() {
        let limits = StreamLimits {
            max_held_bytes: 4,
            ..LIMITS
        };
        let mut r = Reassembler::new(true, limits);
        let mut budget = HeldBudget::new(100);
        let mut t = String::new();
        r.insert(10, b"abcdef", 6, Stamp::default(), &mut budget, &mut |c| {
            push(&mut t, c)
        });
        assert_eq!(t, "#10abcdef");
        assert_eq!(r.forced_skips, 1);
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn random_permutations_deliver_the_same_stream() {
        let text: Vec<u8> = (0..200u32).map(|i| b'a' + (i % 26) as u8).collect();
        let mut seed = 0x1234_5678u64;
        for _ in 0..200 {
            let mut segs = Vec::new();
            let mut off = 0usize;
            while off < text.len() {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let len = 1 + (seed >> 33) as usize % 17;
                let end = (off + len).min(text.len());
                segs.push((off, end));
                off = end;
            }
            // Shuffle and duplicate some segments.
            for i in (1..segs.len()).rev() {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let j = (seed >> 33) as usize % (i + 1);
                segs.swap(i, j);
            }
            let dup = segs[0];
            segs.push(dup);
            let mut r = Reassembler::new(true, LIMITS);
            let mut budget = HeldBudget::new(usize::MAX);
            let mut got = Vec::new();
            for (a, b) in &segs {
                r.insert(
                    *a as i64,
                    &text[*a..*b],
                    (*b - *a) as u64,
                    Stamp::default(),
                    &mut budget,
                    &mut |c| {
                        if let Chunk::Bytes(x, _) = c {
                            got.extend_from_slice(x)
                        }
                    },
                );
            }
            assert_eq!(got, text);
            assert_eq!(r.seen, text.len() as u64);
            assert_eq!(budget.held(), 0);
        }
    }
}
