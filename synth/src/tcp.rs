//! The TCP connection model: correct packets for handshakes, data, ACKs and closes.
//!
//! A [`TcpConn`] holds both ends' state (sequence numbers, what each has received, IP id,
//! timestamp clock) and emits packets through a [`Net`], which stamps them and records the
//! truth. Sequence numbers are `u32` with wrapping arithmetic, so an ISN near 2^32 makes a
//! transfer wrap mid-stream. Delivery is instantaneous: when a segment is emitted, the
//! receiver's next expected sequence number moves at once, so every later packet from the
//! receiver acknowledges it (except the explicit cases: simultaneous close, an ACK sent
//! before a FIN arrived, a refused SYN).

use crate::frame::{self, IpFields, TcpFields, TcpOpt};
use crate::net::Net;
use crate::packet::{Meta, Packet, Payload, Side, flags};
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;

/// How a host fills in the TCP timestamp option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ts {
    Off,
    /// A random base at connection creation, ticking every millisecond (Linux).
    Auto,
    /// Value `val` at `at_ns`, one tick every `tick_ns` (to reproduce a published trace).
    Clock {
        val: u32,
        at_ns: i64,
        tick_ns: i64,
    },
}

/// One end's configuration: address, and how its stack behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub addr: SocketAddr,
    pub mac: [u8; 6],
    /// Initial sequence number; drawn from the script's PRNG when `None`.
    pub isn: Option<u32>,
    pub mss: u16,
    /// Window field in the SYN (never scaled).
    pub win_syn: u16,
    /// Window field after the handshake when window scaling is in use.
    pub win: u16,
    pub wscale: Option<u8>,
    pub sack_perm: bool,
    pub ts: Ts,
    pub ttl: u8,
    pub tos: u8,
    /// First IPv4 id; drawn from the PRNG when `None`. Increments per packet.
    pub ip_id: Option<u16>,
    pub df: bool,
}

impl Peer {
    /// A Linux host: MSS 1460 (1440 over IPv6), SACK, timestamps, window scale 7, TTL 64.
    pub fn linux(addr: SocketAddr) -> Peer {
        Peer {
            addr,
            mac: mac_for(addr.ip()),
            isn: None,
            mss: if addr.is_ipv4() { 1460 } else { 1440 },
            win_syn: 64240,
            win: 502,
            wscale: Some(7),
            sack_perm: true,
            ts: Ts::Auto,
            ttl: 64,
            tos: 0,
            ip_id: None,
            df: true,
        }
    }

    /// A Windows host: no timestamps, window scale 8, TTL 128.
    pub fn windows(addr: SocketAddr) -> Peer {
        Peer {
            ts: Ts::Off,
            wscale: Some(8),
            win: 1026,
            ttl: 128,
            ..Peer::linux(addr)
        }
    }

    /// The same host's stack on another address or port (fresh ISN and IP id).
    pub fn at(&self, addr: SocketAddr) -> Peer {
        let mac = if addr.ip() == self.addr.ip() {
            self.mac
        } else {
            mac_for(addr.ip())
        };
        Peer {
            addr,
            mac,
            isn: None,
            ip_id: None,
            ..self.clone()
        }
    }

    pub fn isn(mut self, isn: u32) -> Peer {
        self.isn = Some(isn);
        self
    }

    pub fn mac(mut self, mac: [u8; 6]) -> Peer {
        self.mac = mac;
        self
    }

    pub fn ip_id(mut self, id: u16) -> Peer {
        self.ip_id = Some(id);
        self
    }
}

/// A locally administered MAC derived from the address (02:00 + its last four bytes).
pub fn mac_for(ip: IpAddr) -> [u8; 6] {
    let b = match ip {
        IpAddr::V4(v4) => v4.octets(),
        IpAddr::V6(v6) => v6.octets()[12..].try_into().unwrap(),
    };
    [0x02, 0x00, b[0], b[1], b[2], b[3]]
}

/// When the receiver of data sends ACKs during [`TcpConn::send`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckPolicy {
    /// Never on its own: the script calls [`TcpConn::ack`] (or later packets piggyback).
    Manual,
    EverySegment,
    /// Every second segment, and the odd last one at the end (the delayed-ACK timer).
    Delayed2,
}

/// How a connection is torn down by [`TcpConn::close`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseStyle {
    /// FIN, ACK, FIN, ACK.
    FourWay,
    /// FIN, FIN+ACK, ACK.
    ThreeWay,
    /// Both FINs cross, then both ACKs.
    Simultaneous,
    /// One RST (+ACK).
    Rst,
}

#[derive(Clone, Debug)]
struct End {
    cfg: Peer,
    isn: u32,
    snd_nxt: u32,
    rcv_nxt: u32,
    sent: u64,
    fin_sent: bool,
    fin_rcvd: bool,
    ip_id: u16,
    /// (value, at, tick) of the timestamp clock.
    ts: Option<(u32, i64, i64)>,
    ts_recent: u32,
    unacked: u32,
}

impl End {
    fn tsval(&self, now: i64) -> u32 {
        match self.ts {
            Some((val, at, tick)) => val.wrapping_add((now - at).div_euclid(tick) as u32),
            None => 0,
        }
    }
}

/// One TCP connection between `orig` (sends the SYN) and `resp`.
#[derive(Clone, Debug)]
pub struct TcpConn {
    pub id: u32,
    ends: [End; 2],
    pub acks: AckPolicy,
    /// TSecr of the first SYN (0 normally; some stacks leak a stale value).
    pub syn_tsecr: u32,
    ts_on: bool,
    ws_on: bool,
    sack_on: bool,
    established: bool,
}

/// What one emitted packet looks like.
struct Out<'a> {
    flags: u8,
    len: u32,
    fill: &'a mut dyn FnMut(&mut [u8]),
    /// The packet answers the peer (see [`Net`]'s timing rule).
    turn: bool,
    urg: u16,
    /// Whether the receiver takes it in now (false: the caller updates state itself).
    deliver: bool,
    /// Explicit sequence / ack numbers (retransmitted SYN, RST to a SYN, stale ACK).
    seq: Option<u32>,
    ack: Option<u32>,
}

impl<'a> Out<'a> {
    fn new(flags: u8, fill: &'a mut dyn FnMut(&mut [u8])) -> Out<'a> {
        Out {
            flags,
            len: 0,
            fill,
            turn: true,
            urg: 0,
            deliver: true,
            seq: None,
            ack: None,
        }
    }
}

fn nothing(_: &mut [u8]) {}

impl TcpConn {
    /// Registers a connection in `net`'s truth; emits nothing.
    pub fn new(net: &mut Net, orig: Peer, resp: Peer) -> TcpConn {
        let mk = |net: &mut Net, cfg: Peer| {
            let isn = cfg.isn.unwrap_or_else(|| net.rng().next_u32());
            let ip_id = cfg.ip_id.unwrap_or_else(|| net.rng().next_u32() as u16);
            let ts = match cfg.ts {
                Ts::Off => None,
                Ts::Auto => Some((net.rng().next_u32(), net.now(), 1_000_000)),
                Ts::Clock {
                    val,
                    at_ns,
                    tick_ns,
                } => Some((val, at_ns, tick_ns)),
            };
            End {
                cfg,
                isn,
                snd_nxt: isn,
                rcv_nxt: 0,
                sent: 0,
                fin_sent: false,
                fin_rcvd: false,
                ip_id,
                ts,
                ts_recent: 0,
                unacked: 0,
            }
        };
        let o = mk(net, orig);
        let r = mk(net, resp);
        let id = net.new_conn(o.cfg.addr.to_string(), r.cfg.addr.to_string(), o.isn);
        TcpConn {
            id,
            ends: [o, r],
            acks: AckPolicy::Delayed2,
            syn_tsecr: 0,
            ts_on: false,
            ws_on: false,
            sack_on: false,
            established: false,
        }
    }

    pub fn addr(&self, side: Side) -> SocketAddr {
        self.ends[side.idx()].cfg.addr
    }

    pub fn isn(&self, side: Side) -> u32 {
        self.ends[side.idx()].isn
    }

    /// Next sequence number `side` will use.
    pub fn next_seq(&self, side: Side) -> u32 {
        self.ends[side.idx()].snd_nxt
    }

    /// Payload bytes `side` has sent so far.
    pub fn sent(&self, side: Side) -> u64 {
        self.ends[side.idx()].sent
    }

    pub fn peer(&self, side: Side) -> &Peer {
        &self.ends[side.idx()].cfg
    }

    /// Changes a host's IP TOS from now on (vsftpd marks data packets 0x08 after connecting).
    pub fn set_tos(&mut self, side: Side, tos: u8) {
        self.ends[side.idx()].cfg.tos = tos;
    }

    /// Sets the next IPv4 id `side` uses (Linux sends a SYN-ACK with id 0 under DF).
    pub fn set_ip_id(&mut self, side: Side, id: u16) {
        self.ends[side.idx()].ip_id = id;
    }

    /// Largest payload per segment from `side`: the smaller MSS minus the timestamp option.
    pub fn seg_size(&self) -> u32 {
        let mss = self.ends[0].cfg.mss.min(self.ends[1].cfg.mss) as u32;
        mss - if self.ts_on { 12 } else { 0 }
    }

    fn emit(&mut self, net: &mut Net, from: Side, o: Out) {
        let host = self.ends[from.idx()].cfg.addr.ip();
        let ts = net.stamp(self.id, from, host, o.turn);
        let (fi, ti) = (from.idx(), from.other().idx());
        let syn = o.flags & flags::SYN != 0;
        let fin = o.flags & flags::FIN != 0;
        let seq = o.seq.unwrap_or(self.ends[fi].snd_nxt);
        let ack = if o.flags & flags::ACK != 0 {
            o.ack.unwrap_or(self.ends[fi].rcv_nxt)
        } else {
            0
        };
        let s = &self.ends[fi];
        let r = &self.ends[ti];
        let tsval = s.tsval(ts);
        let mut opts: Vec<TcpOpt> = Vec::with_capacity(6);
        if syn {
            let answering = from == Side::Resp;
            let with_ts = s.ts.is_some() && (!answering || self.ts_on);
            let with_sack = s.cfg.sack_perm && (!answering || self.sack_on);
            let with_ws = s.cfg.wscale.is_some() && (!answering || self.ws_on);
            let tsecr = if answering {
                s.ts_recent
            } else {
                self.syn_tsecr
            };
            opts.push(TcpOpt::Mss(s.cfg.mss));
            // Linux's order with timestamps, Windows' without: both 4-byte aligned.
            if with_ts {
                if with_sack {
                    opts.push(TcpOpt::SackPerm);
                } else {
                    opts.extend([TcpOpt::Nop, TcpOpt::Nop]);
                }
                opts.push(TcpOpt::Timestamp(tsval, tsecr));
                if let (true, Some(ws)) = (with_ws, s.cfg.wscale) {
                    opts.extend([TcpOpt::Nop, TcpOpt::WindowScale(ws)]);
                }
            } else {
                if let (true, Some(ws)) = (with_ws, s.cfg.wscale) {
                    opts.extend([TcpOpt::Nop, TcpOpt::WindowScale(ws)]);
                }
                if with_sack {
                    opts.extend([TcpOpt::Nop, TcpOpt::Nop, TcpOpt::SackPerm]);
                }
            }
        } else if self.ts_on && o.flags & flags::RST == 0 {
            opts.extend([
                TcpOpt::Nop,
                TcpOpt::Nop,
                TcpOpt::Timestamp(tsval, s.ts_recent),
            ]);
        }
        let window = if syn || !self.ws_on {
            s.cfg.win_syn
        } else {
            s.cfg.win
        };
        let window = if o.flags & flags::RST != 0 && o.seq.is_some() {
            0
        } else {
            window
        };
        let ip = IpFields {
            src_mac: s.cfg.mac,
            dst_mac: r.cfg.mac,
            src: s.cfg.addr.ip(),
            dst: r.cfg.addr.ip(),
            ttl: s.cfg.ttl,
            tos: s.cfg.tos,
            id: s.ip_id,
            df: s.cfg.df,
        };
        let tcp = TcpFields {
            sport: s.cfg.addr.port(),
            dport: r.cfg.addr.port(),
            seq,
            ack,
            flags: o.flags,
            window,
            urg: o.urg,
            options: &opts,
        };
        let fill = o.fill;
        let (data, off) = frame::build(&ip, &tcp, o.len as usize, |b| fill(b));
        let stream_off = s.sent;
        let has_ts = opts.iter().any(|o| matches!(o, TcpOpt::Timestamp(..)));

        let s = &mut self.ends[fi];
        s.ip_id = s.ip_id.wrapping_add(1);
        let consumed = o.len + syn as u32 + fin as u32;
        if o.seq.is_none() {
            s.snd_nxt = s.snd_nxt.wrapping_add(consumed);
            s.sent += o.len as u64;
            if fin {
                s.fin_sent = true;
            }
        }
        if o.deliver {
            let r = &mut self.ends[ti];
            r.rcv_nxt = seq.wrapping_add(consumed);
            if has_ts {
                r.ts_recent = tsval;
            }
            if fin {
                r.fin_rcvd = true;
            }
        }
        if o.seq.is_none() && o.len > 0 {
            let other_fin = self.ends[ti].fin_sent;
            let t = net.conn(self.id);
            *t.bytes_mut(from) += o.len as u64;
            if other_fin {
                t.data_after_fin = true;
            }
        }
        let len = data.len() as u32;
        net.emit(Packet {
            ts_ns: ts,
            data,
            orig_len: len,
            meta: Meta {
                conn: self.id,
                from,
                seq,
                ack,
                flags: o.flags,
                payload_off: off as u32,
                payload_len: o.len,
                stream_off,
                ip_off: frame::ETH_LEN as u16,
                copy: false,
            },
        });
    }

    /// SYN from the initiator; a second call retransmits it.
    pub fn syn(&mut self, net: &mut Net) {
        let again = net.conn(self.id).ev.syns > 0;
        net.conn(self.id).ev.syns += 1;
        let mut f = nothing;
        let mut o = Out::new(flags::SYN, &mut f);
        if again {
            o.seq = Some(self.ends[0].isn);
        }
        self.emit(net, Side::Orig, o);
    }

    /// SYN-ACK from the responder; options are answered only where the SYN offered them.
    pub fn syn_ack(&mut self, net: &mut Net) {
        let (o, r) = (&self.ends[0].cfg, &self.ends[1].cfg);
        self.ts_on = o.ts != Ts::Off && r.ts != Ts::Off;
        self.ws_on = o.wscale.is_some() && r.wscale.is_some();
        self.sack_on = o.sack_perm && r.sack_perm;
        let isn = self.ends[1].isn;
        let t = net.conn(self.id);
        t.ev.syn_ack = true;
        t.isn_resp = Some(isn);
        let mut f = nothing;
        self.emit(net, Side::Resp, Out::new(flags::SYN | flags::ACK, &mut f));
    }

    /// Makes this a connection that was open before the capture began: no packet is
    /// emitted, but both ends now know each other's next sequence number and the options a
    /// handshake would have agreed, so the script's first packet is plainly mid-stream (a
    /// correct ACK number, timestamps with an echo). The truth's handshake stays `none`.
    pub fn assume_open(&mut self, net: &Net) {
        let (o, r) = (&self.ends[0].cfg, &self.ends[1].cfg);
        self.ts_on = o.ts != Ts::Off && r.ts != Ts::Off;
        self.ws_on = o.wscale.is_some() && r.wscale.is_some();
        self.sack_on = o.sack_perm && r.sack_perm;
        self.established = true;
        for side in [Side::Orig, Side::Resp] {
            let (me, peer) = (side.idx(), side.other().idx());
            self.ends[me].rcv_nxt = self.ends[peer].snd_nxt;
            self.ends[me].ts_recent = self.ends[peer].tsval(net.now());
        }
    }

    /// SYN, SYN-ACK, ACK.
    pub fn handshake(&mut self, net: &mut Net) {
        self.syn(net);
        self.syn_ack(net);
        self.ack(net, Side::Orig);
    }

    /// A SYN nobody answers, sent `tries` times with Linux's doubling timeout (1 s, 2 s, ...).
    pub fn syn_unanswered(&mut self, net: &mut Net, tries: u32) {
        for i in 0..tries {
            if i > 0 {
                net.advance(1_000_000_000 << (i - 1));
            }
            self.syn(net);
        }
    }

    /// A SYN answered by RST+ACK (nothing listens on the port).
    pub fn syn_refused(&mut self, net: &mut Net) {
        self.syn(net);
        net.conn(self.id).ev.refused = true;
        let ack = self.ends[0].isn.wrapping_add(1);
        let mut f = nothing;
        let mut o = Out::new(flags::RST | flags::ACK, &mut f);
        o.seq = Some(0);
        o.ack = Some(ack);
        o.deliver = false;
        self.emit(net, Side::Resp, o);
    }

    /// A pure ACK from `side` (the handshake's third packet when it is still due).
    pub fn ack(&mut self, net: &mut Net, side: Side) {
        let completes_handshake =
            !self.established && side == Side::Orig && net.conn(self.id).ev.syn_ack;
        let e = &self.ends[side.idx()];
        if e.fin_rcvd && !e.fin_sent {
            net.conn(self.id).ev.acked_fin_alone[side.idx()] = true;
        }
        let mut f = nothing;
        self.emit(net, side, Out::new(flags::ACK, &mut f));
        self.ends[side.idx()].unacked = 0;
        if completes_handshake {
            self.established = true;
            net.conn(self.id).ev.hs_ack = true;
        }
    }

    /// A pure ACK from `side` that does not yet cover the peer's FIN: the ACK for data that
    /// left before the FIN arrived (tcpdump's `.` before the `F` in seed 003).
    pub fn ack_before_fin(&mut self, net: &mut Net, side: Side) {
        let e = &self.ends[side.idx()];
        let ack = if e.fin_rcvd {
            e.rcv_nxt.wrapping_sub(1)
        } else {
            e.rcv_nxt
        };
        let mut f = nothing;
        let mut o = Out::new(flags::ACK, &mut f);
        o.ack = Some(ack);
        self.emit(net, side, o);
        self.ends[side.idx()].unacked = 0;
    }

    /// Sends bytes from `side`, cut at the segment size, PSH on the last segment, with the
    /// receiver's ACKs as [`TcpConn::acks`] says.
    pub fn send(&mut self, net: &mut Net, side: Side, bytes: &[u8]) {
        self.send_with(net, side, bytes.len() as u64, &mut |off, buf| {
            buf.copy_from_slice(&bytes[off as usize..off as usize + buf.len()])
        });
    }

    /// Sends bytes `range` of a payload (see [`TcpConn::send`]).
    pub fn send_payload(&mut self, net: &mut Net, side: Side, p: &Payload, range: Range<u64>) {
        let start = range.start;
        self.send_with(net, side, range.end - range.start, &mut |off, buf| {
            p.fill(start + off, buf)
        });
    }

    /// Sends `len` bytes produced by `fill(offset, buf)` (see [`TcpConn::send`]).
    pub fn send_with(
        &mut self,
        net: &mut Net,
        side: Side,
        len: u64,
        fill: &mut dyn FnMut(u64, &mut [u8]),
    ) {
        let seg = self.seg_size() as u64;
        let rx = side.other();
        let mut off = 0;
        while off < len {
            let n = seg.min(len - off);
            let last = off + n == len;
            let mut f = |b: &mut [u8]| fill(off, b);
            let mut o = Out::new(flags::ACK | if last { flags::PSH } else { 0 }, &mut f);
            o.len = n as u32;
            o.turn = off == 0;
            self.emit(net, side, o);
            self.ends[rx.idx()].unacked += 1;
            let due = match self.acks {
                AckPolicy::Manual => false,
                AckPolicy::EverySegment => true,
                AckPolicy::Delayed2 => self.ends[rx.idx()].unacked >= 2 || last,
            };
            if due {
                let mut f = nothing;
                let mut o = Out::new(flags::ACK, &mut f);
                // ACKs of a stream in flight go out while the next segments are on the wire.
                o.turn = last;
                self.emit(net, rx, o);
                self.ends[rx.idx()].unacked = 0;
            }
            off += n;
        }
    }

    /// Exactly one segment from `side` (any length: a TSO-sized segment is fine), with PSH
    /// and any `extra` flags; no ACK policy.
    pub fn send_segment(&mut self, net: &mut Net, side: Side, bytes: &[u8], extra: u8, urg: u16) {
        let mut f = |b: &mut [u8]| b.copy_from_slice(bytes);
        let mut o = Out::new(flags::ACK | flags::PSH | extra, &mut f);
        o.len = bytes.len() as u32;
        o.urg = urg;
        self.emit(net, side, o);
        self.ends[side.other().idx()].unacked += 1;
    }

    /// One segment of urgent data: URG set, the urgent pointer just past its last byte (the
    /// BSD convention that Linux follows), as a client sends the Telnet DM before ABOR.
    pub fn send_urgent(&mut self, net: &mut Net, side: Side, bytes: &[u8]) {
        self.send_segment(net, side, bytes, flags::URG, bytes.len() as u16);
    }

    /// FIN+ACK from `side`.
    pub fn fin(&mut self, net: &mut Net, side: Side) {
        let acks_other = self.ends[side.idx()].fin_rcvd;
        net.conn(self.id).ev.fins.push((side, acks_other));
        let mut f = nothing;
        self.emit(net, side, Out::new(flags::FIN | flags::ACK, &mut f));
    }

    /// RST+ACK from `side`.
    pub fn rst(&mut self, net: &mut Net, side: Side) {
        let t = net.conn(self.id);
        t.ev.rst.get_or_insert(side);
        let mut f = nothing;
        let mut o = Out::new(flags::RST | flags::ACK, &mut f);
        o.deliver = false;
        self.emit(net, side, o);
    }

    /// Tears the connection down, `first` starting.
    pub fn close(&mut self, net: &mut Net, style: CloseStyle, first: Side) {
        let other = first.other();
        match style {
            CloseStyle::FourWay => {
                self.fin(net, first);
                self.ack(net, other);
                self.fin(net, other);
                self.ack(net, first);
            }
            CloseStyle::ThreeWay => {
                self.fin(net, first);
                self.fin(net, other);
                self.ack(net, first);
            }
            CloseStyle::Simultaneous => self.simultaneous_close(net, first),
            CloseStyle::Rst => self.rst(net, first),
        }
    }

    /// Both FINs leave before either arrives; then each side ACKs the other's.
    fn simultaneous_close(&mut self, net: &mut Net, first: Side) {
        net.conn(self.id).ev.simultaneous = true;
        for side in [first, first.other()] {
            net.conn(self.id).ev.fins.push((side, false));
            let mut f = nothing;
            let mut o = Out::new(flags::FIN | flags::ACK, &mut f);
            o.deliver = false;
            o.turn = false;
            self.emit(net, side, o);
        }
        for side in [Side::Orig, Side::Resp] {
            let peer_next = self.ends[side.other().idx()].snd_nxt;
            let e = &mut self.ends[side.idx()];
            e.rcv_nxt = peer_next;
            e.fin_rcvd = true;
        }
        let mut f = nothing;
        self.emit(net, first, Out::new(flags::ACK, &mut f));
        let mut f = nothing;
        let mut o = Out::new(flags::ACK, &mut f);
        o.turn = false;
        self.emit(net, first.other(), o);
    }
}
