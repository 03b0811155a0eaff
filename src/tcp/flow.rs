//! One connection: both directions' sequence spaces and reassembly, the handshake and the
//! close as RFC 793 state machines, the counters of its record, and the shortcut for the
//! in-order bulk segments that make up most of a large capture.

use super::duplicates::{Grave, GraveSide};
use super::reassembly::{Chunk, HeldBudget, Reassembler, StreamLimits};
use super::seq;
use super::state::{self, History, Seen};
use super::{
    Close, CloseKind, CloseStep, ConnId, ConnInfo, ConnRecord, DirStats, EndReason, FlowHandler,
    Handshake, HandshakeStep, SegmentNote, Side, Sniffed, Stamp, StreamEvent, TapEvent, TcpConfig,
    TcpState,
};
use crate::decode::{Segment, TcpFlags};
use crate::endpoint::Endpoint;
use crate::time::Timestamp;

/// Retransmitted SYNs kept as steps per connection.
const MAX_SYN_STEPS: usize = 8;

/// How far back a counted stream seen without its SYN may move its start for late bytes.
const MAX_MIDSTREAM_REBASE: i64 = 16 << 20;

/// One direction's sequence space.
#[derive(Debug)]
pub(super) struct Half {
    /// Sequence number of stream offset 0.
    pub(super) base: Option<u32>,
    pub(super) isn: Option<u32>,
    pub(super) rsm: Reassembler,
    pub(super) fin: Option<u64>,
    pub(super) fin_acked: bool,
    /// Highest offset the peer acknowledged, and packets of this direction since it
    /// acknowledged bytes the capture does not hold.
    pub(super) acked: Option<u64>,
    pub(super) hole_age: u32,
    /// Packets of this direction that arrived while a hole nobody acknowledged was open.
    pub(super) unacked_hole_packets: u32,
    /// A lost stretch was declared missing up to here, one byte short of what the peer
    /// acknowledged, because that byte could have been a FIN.
    pub(super) held_back: Option<u64>,
    /// How far the peer's own stream reached when it last acknowledged more of this one.
    pub(super) acked_at: u64,
    pub(super) stats: DirStats,
    pub(super) state: TcpState,
}

impl Half {
    fn new(content: bool, limits: StreamLimits) -> Half {
        Half {
            base: None,
            isn: None,
            rsm: Reassembler::new(content, limits),
            fin: None,
            fin_acked: false,
            acked: None,
            hole_age: 0,
            unacked_hole_packets: 0,
            held_back: None,
            acked_at: 0,
            stats: DirStats::default(),
            state: TcpState::Established,
        }
    }

    /// The SYN fixes offset 0 at `isn + 1`. If data of this direction was seen first (the
    /// SYN was reordered behind it), its provisional offsets are shifted to match.
    fn set_base_from_syn(&mut self, isn: u32) {
        let base = isn.wrapping_add(1);
        match self.base {
            None => self.base = Some(base),
            Some(old) if old == base => {}
            Some(old) => {
                let delta = old.wrapping_sub(base) as i32;
                if delta > 0 && self.rsm.rebase(delta as u64) {
                    self.base = Some(base);
                }
            }
        }
    }

    /// Stream offset of a sequence number in this direction: the one nearest to the
    /// furthest byte seen (a stream with holes, such as a sampled capture, moves on past
    /// them; wrapping past 2^32 is followed from there).
    fn offset(&self, seq: u32) -> Option<i64> {
        self.base.map(|b| seq::unwrap(b, seq, self.rsm.max_end()))
    }
}

#[derive(Debug)]
pub(super) struct Flow {
    pub(super) id: ConnId,
    pub(super) token: u32,
    pub(super) content: bool,
    pub(super) orig: Endpoint,
    pub(super) resp: Endpoint,
    pub(super) halves: [Half; 2],
    pub(super) handshake: Handshake,
    pub(super) close_steps: Vec<CloseStep>,
    pub(super) first_close: Option<Side>,
    pub(super) bytes_after_first_fin: u64,
    pub(super) seen: Seen,
    pub(super) midstream: bool,
    pub(super) history: History,
    pub(super) first_ts: Timestamp,
    pub(super) last_ts: Timestamp,
    pub(super) first_frame: u64,
    pub(super) last_frame: u64,
    pub(super) packets: u64,
    pub(super) closed_at: Option<Timestamp>,
    pub(super) segments: Vec<SegmentNote>,
    pub(super) segments_not_noted: u64,
    /// Already handed to the handler (closed cleanly); kept only to absorb stragglers.
    pub(super) reported: bool,
    /// The handler looks at the first bytes ([`FlowHandler::sniff`]); each direction's
    /// in-order segments so far, as (stream end, stamp), to hand them over if claimed.
    pub(super) sniffing: bool,
    pub(super) sniffed: [Vec<(u64, Stamp)>; 2],
}

impl Flow {
    /// Opened by a SYN that nothing answered yet: the responder sent no packet.
    pub(super) fn half_open(&self) -> bool {
        !self.midstream && self.halves[Side::Resp as usize].stats.segments == 0
    }

    /// A new connection, as the handler wants it (bytes delivered or only counted).
    pub(super) fn new(info: &ConnInfo, interest: super::Interest, cfg: &TcpConfig) -> Flow {
        let limits = StreamLimits {
            max_held_bytes: cfg.max_held_bytes_per_stream,
            max_held_ranges: cfg.max_held_ranges_per_stream,
            preview_bytes: if interest.content {
                0
            } else {
                cfg.preview_bytes
            },
        };
        let mut halves = [
            Half::new(interest.content, limits),
            Half::new(interest.content, limits),
        ];
        if interest.tap {
            halves.iter_mut().for_each(|h| h.rsm.set_tap(true));
        }
        if !info.midstream {
            halves[0].state = TcpState::SynSent;
            halves[1].state = TcpState::Listen;
        }
        Flow {
            id: info.id,
            token: interest.token,
            content: interest.content,
            orig: info.orig,
            resp: info.resp,
            halves,
            handshake: Handshake::default(),
            close_steps: Vec::new(),
            first_close: None,
            bytes_after_first_fin: 0,
            seen: Seen::default(),
            midstream: info.midstream,
            history: History::default(),
            first_ts: info.ts,
            last_ts: info.ts,
            first_frame: info.frame,
            last_frame: info.frame,
            packets: 0,
            closed_at: None,
            segments: Vec::new(),
            segments_not_noted: 0,
            reported: false,
            sniffing: interest.sniff && !interest.content,
            sniffed: [Vec::new(), Vec::new()],
        }
    }

    /// A SYN with a different initial sequence number on a known address pair, or data on
    /// a closed connection that cannot belong to it (the new connection's SYN was lost).
    pub(super) fn is_new_connection(&self, seg: &Segment<'_>) -> bool {
        let flow = self;
        let from_orig = seg.src == flow.orig;
        if !seg.flags.syn() {
            // Without a SYN, a new connection starts only on evidence: the old one ended (FIN
            // exchange or RST) or never got past its handshake, a side sends after its own
            // FIN, or both sequence spaces disagree at once (new initial sequence numbers).
            // An open connection whose sequence numbers jump in one direction (a sampled or
            // filtered capture, a long transfer with most segments missing) stays one. Late
            // segments of an ended connection (reordered behind its FIN or RST) lie just past
            // what was seen, in both directions' sequence spaces; a new connection's random
            // ISNs land far away.
            let (mine, peer) = if from_orig {
                (&flow.halves[0], &flow.halves[1])
            } else {
                (&flow.halves[1], &flow.halves[0])
            };
            let over = flow.ended() || flow.only_handshake();
            let window: u64 = 1 << 20;
            let far = |h: &Half, seq: u32| {
                let end = h.fin.unwrap_or(h.rsm.max_end());
                h.offset(seq).is_some_and(|off| {
                    off < -(window as i64) || (off > 0 && off as u64 > end + window)
                })
            };
            let seq_far = far(mine, seg.seq);
            // Its acknowledgment must acknowledge the peer's stream.
            let ack_far = seg.flags.ack() && far(peer, seg.ack);
            if over {
                return seq_far || ack_far;
            }
            // A side that sent its FIN sends nothing more on this connection, and nothing
            // more of it can be acknowledged. Otherwise a jump of one sequence space is a
            // sampled capture; both spaces at once are new initial sequence numbers.
            return (mine.fin.is_some() && seq_far)
                || (peer.fin.is_some() && ack_far)
                || (seq_far && ack_far);
        }
        let half = &flow.halves[if from_orig { 0 } else { 1 }];
        if seg.flags.ack() {
            // A SYN-ACK after the connection carried data or closed, other than a
            // retransmission of the one seen or a late answer to this connection's SYN: the
            // answer to a new SYN the capture lost.
            let answers_our_syn = flow.halves[0]
                .isn
                .is_some_and(|isn| seg.ack == isn.wrapping_add(1));
            let moved_on = flow.closed_at.is_some()
                || flow
                    .halves
                    .iter()
                    .any(|h| h.rsm.seen > 0 || h.fin.is_some());
            // A SYN-ACK that does not answer the SYN this connection has answers a newer SYN.
            let other_syn = flow.halves[0].isn.is_some();
            // A late SYN-ACK of this very connection (its SYN not seen) starts the stream
            // its responder already sends.
            let fits_stream = half
                .offset(seg.seq.wrapping_add(1))
                .is_some_and(|o| o.unsigned_abs() <= MAX_MIDSTREAM_REBASE as u64);
            return (moved_on || other_syn)
                && half.isn != Some(seg.seq)
                && !answers_our_syn
                && !fits_stream;
        }
        match half.isn {
            Some(isn) => isn != seg.seq,
            None => match &flow.handshake.syn_ack {
                // The SYN-ACK came first: a late SYN belongs with it only if it is the SYN
                // that SYN-ACK acknowledged.
                Some(sa) => !from_orig || sa.ack != seg.seq.wrapping_add(1),
                // A SYN from the side that was the responder, on a mid-stream flow, or
                // after the conversation already carried data or closed.
                None => {
                    flow.closed_at.is_some()
                        || flow.midstream
                        || !from_orig
                        || flow
                            .halves
                            .iter()
                            .any(|h| h.rsm.seen > 0 || h.fin.is_some())
                }
            },
        }
    }

    /// The bulk of a large capture, handled without the general path: an ACK (with or
    /// without data) on an open, counted (not parsed) connection of the previous packet,
    /// with no SYN, FIN or RST seen or carried, its data exactly next in order. It changes
    /// exactly what [`Flow::process`] would (a test runs every capture both ways), or
    /// nothing and returns false.
    #[inline]
    pub(super) fn counted_in_order(&mut self, seg: &Segment<'_>, cfg: &TcpConfig) -> bool {
        let flags = seg.flags;
        if self.content
            || self.reported
            || self.sniffing
            || self.halves[0].rsm.tapped()
            || cfg.max_segment_notes > 0
            || cfg.general_path_only
            || flags.0 & (TcpFlags::SYN | TcpFlags::FIN | TcpFlags::RST | TcpFlags::ACK)
                != TcpFlags::ACK
            || seg.window == 0
            || self.closed_at.is_some()
            || self.first_close.is_some()
        {
            return false;
        }
        let side = if seg.src == self.orig && seg.dst == self.resp {
            Side::Orig
        } else {
            Side::Resp
        };
        // The handshake's third step is the general path's.
        if side == Side::Orig && self.handshake.ack.is_none() && self.handshake.syn_ack.is_some() {
            return false;
        }
        let me = side.idx();
        let [a, b] = &mut self.halves;
        let (mine, theirs) = if me == 0 { (a, b) } else { (b, a) };
        if mine.fin.is_some() || theirs.fin.is_some() || mine.rsm.has_hole() {
            return false;
        }
        let (Some(offset), Some(ack_off)) = (mine.offset(seg.seq), theirs.offset(seg.ack)) else {
            return false;
        };
        let wire_len = (seg.wire_len as u64).max(seg.payload.len() as u64);
        // Data exactly in order; a pure ACK anywhere the general path would accept quietly.
        let in_order = if wire_len > 0 {
            offset >= 0 && offset as u64 == mine.rsm.next()
        } else {
            offset >= 0 && offset as u64 <= mine.rsm.max_end()
        };
        // The acknowledgment within what was seen: not a new connection, not absurd.
        if !in_order || ack_off < 0 || ack_off as u64 > theirs.rsm.max_end() {
            return false;
        }
        let is_orig = side == Side::Orig;
        #[cfg(test)]
        super::SHORTCUT_TAKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.packets += 1;
        self.last_ts = self.last_ts.max(seg.ts);
        self.last_frame = seg.frame;
        mine.stats.segments += 1;
        if wire_len > 0 {
            mine.rsm.append_counted(seg.payload, wire_len);
            let st = &mut mine.stats;
            st.data_segments += 1;
            st.first_data_ts.get_or_insert(seg.ts);
            st.first_data_frame.get_or_insert(seg.frame);
            st.last_data_ts = Some(seg.ts);
            st.last_data_frame = Some(seg.frame);
            self.history.note(is_orig, b'D');
        } else {
            self.history.note(is_orig, b'A');
        }
        let ack_off = ack_off as u64;
        theirs.acked = Some(theirs.acked.map_or(ack_off, |a| a.max(ack_off)));
        true
    }

    pub(super) fn process<H: FlowHandler>(
        &mut self,
        seg: &Segment<'_>,
        cfg: &TcpConfig,
        budget: &mut HeldBudget,
        h: &mut H,
    ) {
        let side = if seg.src == self.orig && seg.dst == self.resp {
            Side::Orig
        } else {
            Side::Resp
        };
        let me = side.idx();
        let peer = side.other().idx();
        let is_orig = side == Side::Orig;
        let flags = seg.flags;
        self.packets += 1;
        self.last_ts = self.last_ts.max(seg.ts);
        self.last_frame = seg.frame;
        self.halves[me].stats.segments += 1;
        let wire_len = (seg.wire_len as u64).max(seg.payload.len() as u64);

        if flags.syn() && (flags.fin() || flags.rst()) {
            self.history.note(is_orig, b'Q');
        }
        if seg.window == 0 && !flags.rst() && !flags.syn() {
            self.halves[me].stats.zero_windows += 1;
            self.history.note(is_orig, b'W');
        }

        // Handshake.
        if flags.syn() {
            self.on_syn(seg, side);
        } else if self.halves[me].base.is_none() {
            // First packet of a direction without SYN: offset 0 is this segment.
            self.halves[me].base = Some(seg.seq);
        }
        // An acknowledgment names the next byte the peer will send: before any SYN or data
        // of the peer is seen, that is where the peer's stream starts in this capture.
        if flags.ack() && self.halves[peer].base.is_none() {
            self.halves[peer].base = Some(seg.ack);
        }
        if flags.ack()
            && !flags.syn()
            && side == Side::Orig
            && self.handshake.ack.is_none()
            && let (Some(_), Some(resp_isn)) = (&self.handshake.syn_ack, self.halves[1].isn)
            && seg.ack == resp_isn.wrapping_add(1)
        {
            self.handshake.ack = Some(step_of(seg));
            let hs = &mut self.handshake;
            if let (Some(syn), Some(sa), Some(ack)) = (&hs.syn, &hs.syn_ack, &hs.ack) {
                hs.rtt = Some(ack.ts.secs_since(syn.ts));
                hs.rtt_resp_side = Some(sa.ts.secs_since(syn.ts));
                hs.rtt_orig_side = Some(ack.ts.secs_since(sa.ts));
            }
            if self.halves[0].state == TcpState::SynSent {
                self.halves[0].state = TcpState::Established;
            }
            if self.halves[1].state == TcpState::SynReceived {
                self.halves[1].state = TcpState::Established;
            }
        }
        if flags.ack() && !flags.syn() && !flags.fin() && !flags.rst() && wire_len == 0 {
            self.history.note(is_orig, b'A');
        }

        // What dates this segment's bytes: its time, frame, and what it acknowledged. A
        // segment that repeats bytes already seen is a retransmission (or a capture's
        // re-cut copy) whose acknowledgment need not be the one the bytes were first sent
        // with: it is not passed on.
        let data_seq = if flags.syn() {
            seg.seq.wrapping_add(1)
        } else {
            seg.seq
        };
        let repeats = self.halves[me]
            .offset(data_seq)
            .is_some_and(|o| o < self.halves[me].rsm.next() as i64);
        let stamp = Stamp {
            ts: seg.ts,
            frame: seg.frame,
            ack: if flags.ack() && !repeats {
                self.halves[peer].offset(seg.ack).map(|o| o.max(0) as u64)
            } else {
                None
            },
        };

        // What the peer's stream is acknowledged up to.
        if flags.ack()
            && !flags.rst()
            && let Some(ack_off) = self.halves[peer].offset(seg.ack)
        {
            let my_end = self.halves[me].rsm.max_end();
            let p = &mut self.halves[peer];
            let data_end = match p.fin {
                Some(f) => (ack_off.max(0) as u64).min(f),
                None => ack_off.max(0) as u64,
            };
            // Ignore absurd acknowledgments: more than any real window past what was seen.
            if data_end <= p.rsm.max_end().saturating_add(64 << 20)
                && p.acked.is_none_or(|a| data_end > a)
            {
                p.acked = Some(data_end);
                p.acked_at = my_end;
            }
        }
        // A segment that carries bytes and acknowledges bytes of the other direction the
        // capture does not hold: its sender had them, so they came first (the command
        // before the reply that answers it). They are missing from the capture now, before
        // this segment's own bytes are delivered.
        if self.content && wire_len > 0 && flags.ack() {
            self.settle_hole(peer, true, cfg, budget, h, stamp);
            // And a hole of this very direction that the peer acknowledged before it sent
            // bytes this segment acknowledges: the lost bytes went a round trip ago, they
            // are not merely late.
            let mine = &self.halves[me];
            if stamp.ack.is_some_and(|a| a > mine.acked_at) {
                self.settle_hole(me, true, cfg, budget, h, stamp);
            }
        }

        // Payload.
        let mut note: Option<&'static str> = None;
        let mut offset = self.halves[me].offset(data_seq).unwrap_or(0);
        // Without a SYN, offset 0 was a guess (the first byte seen or acknowledged); earlier
        // bytes arriving late move it back, for streams that are counted, not parsed.
        let half = &mut self.halves[me];
        if offset < 0
            && half.isn.is_none()
            && !self.content
            && -offset <= MAX_MIDSTREAM_REBASE
            && half.rsm.rebase((-offset) as u64)
        {
            half.base = Some(data_seq);
            offset = 0;
        }
        if wire_len > 0 {
            self.history.note(is_orig, b'D');
            if let Some(first) = self.first_close
                && first != side
            {
                self.bytes_after_first_fin += wire_len;
            }
            let token = self.token;
            let half = &mut self.halves[me];
            let wanted = self.content || half.rsm.tapped();
            let arrival = half
                .rsm
                .insert(offset, seg.payload, wire_len, stamp, budget, &mut |c| {
                    if wanted {
                        deliver(h, token, side, c, stamp);
                    }
                });
            let st = &mut half.stats;
            st.data_segments += 1;
            if arrival.new_bytes > 0 {
                st.first_data_ts.get_or_insert(seg.ts);
                st.first_data_frame.get_or_insert(seg.frame);
                st.last_data_ts = Some(seg.ts);
                st.last_data_frame = Some(seg.frame);
            }
            if arrival.old_bytes > 0 {
                st.retransmitted_bytes += arrival.old_bytes;
                if arrival.new_bytes == 0 {
                    st.retransmitted_segments += 1;
                    note = Some("retransmission");
                    self.history.note(is_orig, b'T');
                } else {
                    note = Some("partial overlap");
                }
            }
            if arrival.out_of_order {
                st.out_of_order_segments += 1;
                note = Some("out of order");
            }
            if arrival.inconsistent {
                st.inconsistent_retransmissions += 1;
                self.history.note(is_orig, b'I');
            }
            if self.sniffing && arrival.new_bytes > 0 {
                self.sniff(me, stamp, h);
            }
        }

        // FIN.
        if flags.fin() {
            self.seen_fin(side);
            let fin_off = offset.max(0) as u64 + wire_len;
            if self.halves[me].fin.is_none() {
                let acks_peer_fin = flags.ack() && self.fin_acked_by(seg, side);
                let peer = side.other().idx();
                // The peer's FIN is out and this FIN does not acknowledge it: this FIN left
                // before the peer's arrived (simultaneous close).
                let crossing = !acks_peer_fin
                    && self.halves[peer].fin.is_some()
                    && !self.halves[peer].fin_acked;
                self.history.note(is_orig, b'F');
                if self.first_close.is_none() {
                    self.first_close = Some(side);
                }
                // A FIN that also acknowledges the peer's FIN: the peer leaves FIN-WAIT-1.
                if acks_peer_fin {
                    self.ack_peer_fin(side);
                }
                if crossing {
                    self.undo_close_wait(side);
                }
                let half = &mut self.halves[me];
                half.fin = Some(fin_off);
                half.state = half.state.after_sending_fin();
                if crossing {
                    // Its FIN sent, it now receives the peer's: FIN-WAIT-1 -> CLOSING.
                    half.state = half.state.after_receiving_fin();
                }
                // States are told as after the segment arrives.
                self.halves[peer].state = self.halves[peer].state.after_receiving_fin();
                let kind = if acks_peer_fin {
                    CloseKind::FinAck
                } else {
                    CloseKind::Fin
                };
                self.push_close(seg, side, kind);
            } else {
                note.get_or_insert("FIN retransmission");
            }
        }

        // ACK: the peer's FIN and the peer's data.
        if flags.ack() && !flags.rst() && !flags.fin() && self.fin_acked_by(seg, side) {
            self.ack_peer_fin(side);
            self.push_close(seg, side, CloseKind::Ack);
        }

        // RST. While only the SYN is known (SYN-SENT), RFC 793 accepts a reset only if it
        // acknowledges that SYN; any other is left over from an earlier connection.
        if flags.rst() && !self.stale_reset(seg, side) {
            self.history.note(is_orig, b'R');
            if is_orig {
                self.seen.rst_orig = true;
            } else {
                self.seen.rst_resp = true;
            }
            self.seen.first_rst_by_orig.get_or_insert(is_orig);
            if self.first_close.is_none() {
                self.first_close = Some(side);
            }
            self.halves[0].state = TcpState::Closed;
            self.halves[1].state = TcpState::Closed;
            self.push_close(seg, side, CloseKind::Rst);
            self.closed_at.get_or_insert(seg.ts);
        }

        // Holes: missing from the capture once the receiver acknowledged past them and
        // another packet followed (reordering at the capture point gets one packet), or
        // once enough packets of their own direction arrived beyond them without any
        // acknowledgment. Only content streams need this (their parser waits on the hole);
        // a counted stream keeps its ranges and settles holes when it ends.
        if self.content {
            for i in 0..2 {
                if i == me {
                    if wire_len > 0 {
                        self.halves[i].unacked_hole_packets += 1;
                    }
                    self.halves[i].hole_age += 1;
                }
                self.settle_hole(i, false, cfg, budget, h, stamp);
            }
        }

        // Closed when both FINs are acknowledged.
        if self.halves[0].fin_acked && self.halves[1].fin_acked {
            self.closed_at.get_or_insert(seg.ts);
        }

        if cfg.max_segment_notes > 0 {
            // Streaming, verbose: every segment that is not already a handshake or close step.
            if self.segments.len() < cfg.max_segment_notes {
                self.segments.push(SegmentNote {
                    ts: seg.ts,
                    frame: seg.frame,
                    from: side,
                    flags: flags.label(),
                    offset,
                    len: wire_len,
                    acked: if flags.ack() {
                        self.halves[side.other().idx()].offset(seg.ack)
                    } else {
                        None
                    },
                    note,
                });
            } else {
                self.segments_not_noted += 1;
            }
        }
    }

    /// Declares missing the hole of direction `i` that its receiver acknowledged (at once
    /// when `now`, else once a packet went by since), or that too many packets of its own
    /// direction arrived beyond without any acknowledgment.
    fn settle_hole<H: FlowHandler>(
        &mut self,
        i: usize,
        now: bool,
        cfg: &TcpConfig,
        budget: &mut HeldBudget,
        h: &mut H,
        stamp: Stamp,
    ) {
        let half = &mut self.halves[i];
        // The byte held back after a declared loss was no FIN when more bytes came after
        // it: it belongs to the lost stretch.
        if half.held_back.is_some_and(|x| half.rsm.next() != x) {
            // Settled some other way (the byte arrived, or a later skip covered it).
            half.held_back = None;
        }
        if let Some(x) = half.held_back
            && half.rsm.max_end() > x
        {
            half.held_back = None;
            let s = if i == 0 { Side::Orig } else { Side::Resp };
            let token = self.token;
            half.rsm.skip_to(x + 1, budget, &mut |c| {
                deliver(h, token, s, c, stamp);
            });
        }
        // An acknowledgment beyond everything seen may cover a FIN not seen yet, whose
        // sequence number is not a byte: hold back that one.
        let held = half.fin.is_none() && half.acked.is_some_and(|a| a > half.rsm.max_end());
        let acked = half.acked.map(|acked| match half.fin {
            Some(f) => acked.min(f),
            None if acked > half.rsm.max_end() => acked - 1,
            None => acked,
        });
        let target = match acked {
            Some(a) if a > half.rsm.next() => {
                (now || half.hole_age > cfg.reorder_tolerance).then_some(a)
            }
            _ => {
                half.hole_age = 0;
                None
            }
        };
        let target = target.or_else(|| {
            if !half.rsm.has_hole() {
                half.unacked_hole_packets = 0;
                return None;
            }
            (half.unacked_hole_packets > cfg.unacked_hole_tolerance)
                .then(|| half.rsm.first_held().unwrap_or(half.rsm.next()))
        });
        let Some(target) = target else { return };
        half.hole_age = 0;
        half.unacked_hole_packets = 0;
        if held && Some(target) == acked {
            half.held_back = Some(target);
        }
        let s = if i == 0 { Side::Orig } else { Side::Resp };
        let token = self.token;
        half.rsm.skip_to(target, budget, &mut |c| {
            deliver(h, token, s, c, stamp);
        });
        self.history.note(i == 0, b'G');
    }

    /// New bytes while the handler looks at the first ones: note where they end, and ask.
    /// A claimed connection becomes a content connection and gets its bytes so far.
    fn sniff<H: FlowHandler>(&mut self, me: usize, stamp: Stamp, h: &mut H) {
        const MAX_SNIFFED_SEGMENTS: usize = 32;
        let whole = self.halves.iter().all(|x| x.rsm.preview_is_whole());
        let log = &mut self.sniffed[me];
        if !whole || log.len() >= MAX_SNIFFED_SEGMENTS {
            self.stop_sniffing();
            return;
        }
        log.push((self.halves[me].rsm.next(), stamp));
        let info = ConnInfo {
            id: self.id,
            orig: self.orig,
            resp: self.resp,
            ts: self.first_ts,
            frame: self.first_frame,
            midstream: self.midstream,
        };
        let first = [
            self.halves[0].rsm.preview.as_slice(),
            self.halves[1].rsm.preview.as_slice(),
        ];
        match h.sniff(self.token, &info, first) {
            Sniffed::Undecided => {}
            Sniffed::No => self.stop_sniffing(),
            Sniffed::Claim => {
                let bytes = [
                    self.halves[0].rsm.into_content(),
                    self.halves[1].rsm.into_content(),
                ];
                self.content = true;
                let logs = std::mem::take(&mut self.sniffed);
                self.sniffing = false;
                // Both directions' segments in capture order, each with its own stamp.
                let mut pieces: Vec<(u64, usize, u64, u64, Stamp)> = Vec::new();
                for (i, log) in logs.iter().enumerate() {
                    let mut from = 0;
                    for &(end, st) in log {
                        pieces.push((st.frame, i, from, end, st));
                        from = end;
                    }
                }
                pieces.sort_by_key(|p| (p.0, p.1));
                for (_, i, from, end, st) in pieces {
                    if let Some(b) = bytes[i].get(from as usize..end as usize) {
                        let side = if i == 0 { Side::Orig } else { Side::Resp };
                        h.stream(self.token, side, StreamEvent::Bytes(b), st);
                    }
                }
            }
        }
    }

    fn stop_sniffing(&mut self) {
        self.sniffing = false;
        self.sniffed = [Vec::new(), Vec::new()];
    }

    /// What recognising this connection's packets after it ended needs.
    pub(super) fn grave(&self) -> Grave {
        let side = |h: &Half| GraveSide {
            base: h.base,
            isn: h.isn,
            end: h.rsm.max_end().max(h.fin.map_or(0, |f| f + 1)),
        };
        Grave {
            orig: self.orig,
            sides: [side(&self.halves[0]), side(&self.halves[1])],
            last_ts: self.last_ts,
        }
    }

    /// A packet from more than a second before this connection's latest one, carrying
    /// nothing it has not already seen: the capture replays packets it already holds (a
    /// file merged with itself). Earlier packets with new content are not copies (files
    /// given out of order) and go through.
    pub(super) fn replayed(&self, seg: &Segment<'_>) -> bool {
        if seg.ts.0 + 1_000_000_000 >= self.last_ts.0 {
            return false;
        }
        let from_orig = seg.src == self.orig;
        let half = &self.halves[if from_orig { 0 } else { 1 }];
        if seg.flags.syn() {
            return half.isn == Some(seg.seq);
        }
        let wire_len = (seg.wire_len as u64).max(seg.payload.len() as u64);
        half.offset(seg.seq).is_some_and(|off| {
            off >= 0
                && (off as u64).saturating_add(wire_len)
                    <= half.rsm.max_end().max(half.fin.unwrap_or(0))
        })
    }

    /// Only handshake packets so far: no byte and no FIN in either direction (a SYN that
    /// went unanswered, or was answered and then nothing).
    fn only_handshake(&self) -> bool {
        (self.handshake.syn.is_some() || self.handshake.syn_ack.is_some())
            && self
                .halves
                .iter()
                .all(|h| h.rsm.max_end() == 0 && h.fin.is_none())
    }

    /// The connection is over: reset, or both sides sent their FIN.
    fn ended(&self) -> bool {
        self.closed_at.is_some()
            || self.seen.rst_orig
            || self.seen.rst_resp
            || (self.seen.fin_orig && self.seen.fin_resp)
    }

    /// Both FINs acknowledged and no hole left in either direction.
    pub(super) fn closed_cleanly(&self) -> bool {
        self.halves
            .iter()
            .all(|h| h.fin_acked && h.fin.is_some_and(|f| h.rsm.next() >= f) && !h.rsm.has_hole())
    }

    fn on_syn(&mut self, seg: &Segment<'_>, side: Side) {
        let me = side.idx();
        let is_orig = side == Side::Orig;
        let half = &mut self.halves[me];
        if seg.flags.ack() {
            // A SYN-ACK must acknowledge the SYN seen; otherwise it answers another attempt.
            if let Some(orig_isn) = self.halves[side.other().idx()].isn
                && seg.ack != orig_isn.wrapping_add(1)
            {
                return;
            }
            let half = &mut self.halves[me];
            self.history.note(is_orig, b'H');
            self.seen.syn_ack = true;
            if half.isn.is_none() {
                half.isn = Some(seg.seq);
                half.set_base_from_syn(seg.seq);
                half.state = TcpState::SynReceived;
                self.handshake.syn_ack = Some(step_of(seg));
                if self.handshake.syn.is_none() {
                    self.halves[Side::Orig.idx()].state = TcpState::SynSent;
                }
            } else if half.isn == Some(seg.seq) {
                self.history.note(is_orig, b'T');
            }
        } else {
            self.history.note(is_orig, b'S');
            self.seen.syn = true;
            match half.isn {
                None => {
                    half.isn = Some(seg.seq);
                    half.set_base_from_syn(seg.seq);
                    self.handshake.syn = Some(step_of(seg));
                }
                Some(isn) if isn == seg.seq => {
                    self.handshake.syn_retransmits += 1;
                    if self.handshake.syn_retransmissions.len() < MAX_SYN_STEPS {
                        self.handshake.syn_retransmissions.push(step_of(seg));
                    }
                    self.history.note(is_orig, b'T');
                }
                Some(_) => {}
            }
        }
    }

    /// A reset that does not belong to this connection (see RFC 793, SYN-SENT state).
    fn stale_reset(&self, seg: &Segment<'_>, side: Side) -> bool {
        let syn_sent = self.handshake.syn.is_some() && self.handshake.syn_ack.is_none();
        match (side, self.halves[0].isn) {
            (Side::Resp, Some(isn)) if syn_sent => {
                !seg.flags.ack() || seg.ack != isn.wrapping_add(1)
            }
            _ => false,
        }
    }

    fn seen_fin(&mut self, side: Side) {
        match side {
            Side::Orig => self.seen.fin_orig = true,
            Side::Resp => self.seen.fin_resp = true,
        }
    }

    /// This segment (from `side`) acknowledges the other side's FIN for the first time.
    fn fin_acked_by(&self, seg: &Segment<'_>, side: Side) -> bool {
        let p = &self.halves[side.other().idx()];
        match (p.fin, p.fin_acked, p.offset(seg.ack)) {
            (Some(fin), false, Some(ack_off)) => ack_off > fin as i64,
            _ => false,
        }
    }

    /// `side` acknowledged the other side's FIN (its own state changed when that FIN
    /// arrived).
    fn ack_peer_fin(&mut self, side: Side) {
        let peer = side.other().idx();
        self.halves[peer].fin_acked = true;
        self.halves[peer].state = self.halves[peer].state.after_fin_acked();
    }

    /// Simultaneous close: `side` sent its FIN before the peer's FIN reached it, so it was
    /// still ESTABLISHED, not CLOSE-WAIT, since the peer's FIN; the steps recorded so far
    /// are corrected.
    fn undo_close_wait(&mut self, side: Side) {
        let me = side.idx();
        if self.halves[me].state == TcpState::CloseWait {
            self.halves[me].state = TcpState::Established;
        }
        for st in &mut self.close_steps {
            let s = match side {
                Side::Orig => &mut st.orig_state,
                Side::Resp => &mut st.resp_state,
            };
            if *s == TcpState::CloseWait {
                *s = TcpState::Established;
            }
        }
    }

    fn push_close(&mut self, seg: &Segment<'_>, from: Side, kind: CloseKind) {
        // Bounded: a close has a handful of steps; RST storms are not interesting beyond that.
        if self.close_steps.len() >= 16 {
            return;
        }
        let (orig_state, resp_state) = (self.halves[0].state, self.halves[1].state);
        self.close_steps.push(CloseStep {
            ts: seg.ts,
            frame: seg.frame,
            from,
            kind,
            orig_state,
            resp_state,
        });
    }

    pub(super) fn finish<H: FlowHandler>(
        &mut self,
        reason: EndReason,
        budget: &mut HeldBudget,
        h: &mut H,
    ) -> ConnRecord {
        let token = self.token;
        let content = self.content;
        let stamp = Stamp {
            ts: self.last_ts,
            frame: self.last_frame,
            ack: None,
        };
        let fin_seen = [self.seen.fin_orig, self.seen.fin_resp];
        for (i, side) in [(0usize, Side::Orig), (1usize, Side::Resp)] {
            let half = &mut self.halves[i];
            // The stream ends at its FIN; without one, where the peer acknowledged. When the
            // peer closed too, its last acknowledgment also covers the unseen FIN, whose
            // sequence number is not a byte.
            let peer_closed = fin_seen[1 - i];
            let end = half.fin.or(half.acked.map(|a| {
                if peer_closed && a > half.rsm.max_end() {
                    a - 1
                } else {
                    a
                }
            }));
            let missed_before = half.rsm.missed;
            half.rsm.finish(end, budget, &mut |c| {
                if content {
                    deliver(h, token, side, c, stamp);
                }
            });
            if half.rsm.tapped() {
                let (len, moved) = (half.rsm.next(), half.rsm.tap_moved);
                h.tapped(token, side, TapEvent::End { len, moved });
            }
            if half.rsm.missed > missed_before {
                self.history.note(i == 0, b'G');
            }
            if content {
                let closed = half.fin.is_some() || self.seen.rst_orig || self.seen.rst_resp;
                h.stream(token, side, StreamEvent::End { closed }, stamp);
            }
            let st = &mut half.stats;
            st.bytes = half.rsm.seen;
            st.missed_bytes = half.rsm.missed;
            st.sequence_span = (st.missed_bytes > 0).then(|| half.rsm.max_end());
            st.snaplen_cut_bytes = half.rsm.cut;
        }
        let close = self.first_close.map(|initiator| {
            let complete = self.seen.rst_orig
                || self.seen.rst_resp
                || (self.halves[0].fin_acked && self.halves[1].fin_acked);
            Close {
                initiator,
                style: close_style(&self.close_steps, complete),
                complete,
                steps: std::mem::take(&mut self.close_steps),
                bytes_after_first_fin: self.bytes_after_first_fin,
            }
        });
        let handshake = if self.handshake.syn.is_some() || self.handshake.syn_ack.is_some() {
            Some(std::mem::take(&mut self.handshake))
        } else {
            None
        };
        ConnRecord {
            id: self.id,
            orig: self.orig,
            resp: self.resp,
            first_ts: self.first_ts,
            last_ts: self.last_ts,
            first_frame: self.first_frame,
            last_frame: self.last_frame,
            packets: self.packets,
            midstream: self.midstream,
            handshake,
            close,
            state: state::conn_state(self.seen),
            history: self.history.as_str().to_string(),
            orig_state: self.halves[0].state,
            resp_state: self.halves[1].state,
            orig_to_resp: std::mem::take(&mut self.halves[0].stats),
            resp_to_orig: std::mem::take(&mut self.halves[1].stats),
            end: reason,
            segments: std::mem::take(&mut self.segments),
            segments_not_noted: self.segments_not_noted,
            preview: [
                std::mem::take(&mut self.halves[0].rsm.preview),
                std::mem::take(&mut self.halves[1].rsm.preview),
            ],
            content: None,
        }
    }
}

/// Hands a chunk to the handler: bytes with their own stamp, a gap with the stamp of the
/// segment that made it known.
fn deliver<H: FlowHandler>(h: &mut H, token: u32, side: Side, c: Chunk<'_>, now: Stamp) {
    match c {
        Chunk::Bytes(b, stamp) => h.stream(token, side, StreamEvent::Bytes(b), stamp),
        Chunk::Gap(n) => h.stream(token, side, StreamEvent::Gap(n), now),
        Chunk::Tapped(offset, bytes) => h.tapped(token, side, TapEvent::Bytes { offset, bytes }),
    }
}

fn step_of(seg: &Segment<'_>) -> HandshakeStep {
    HandshakeStep {
        ts: seg.ts,
        frame: seg.frame,
        seq: seg.seq,
        ack: seg.ack,
        mss: seg.mss,
        wscale: seg.wscale,
    }
}

/// Names the shape of a close from its steps.
fn close_style(steps: &[CloseStep], complete: bool) -> &'static str {
    if steps.iter().any(|s| s.kind == CloseKind::Rst) {
        return "reset";
    }
    let kinds: Vec<CloseKind> = steps.iter().map(|s| s.kind).collect();
    let fins: Vec<usize> = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(k, CloseKind::Fin | CloseKind::FinAck))
        .map(|(i, _)| i)
        .collect();
    if !complete {
        return "incomplete";
    }
    if kinds.contains(&CloseKind::FinAck) {
        "three-way"
    } else if fins.len() == 2 && fins[1] == 1 {
        // The second FIN came before anyone acknowledged the first.
        "simultaneous"
    } else {
        "four-way"
    }
}
