//! Shared checks: every packet re-parsed with etherparse (an independent implementation),
//! TCP sequence/ACK bookkeeping replayed per connection, and the truth compared with what
//! the packets carry.

#![allow(dead_code)]

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use ftpflow_synth::packet::{Packet, Side, flags};
use ftpflow_synth::truth::{CloseKind, HandshakeKind, Truth};
use std::collections::HashMap;

/// What one packet says, parsed independently of the generator.
pub struct Parsed {
    pub src: String,
    pub dst: String,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload: Vec<u8>,
    pub window: u16,
    pub checksum: u16,
}

/// Parses an Ethernet frame and checks its IPv4 header and TCP checksums.
pub fn parse(p: &Packet) -> Parsed {
    let s = SlicedPacket::from_ethernet(&p.data).expect("frame parses");
    let Some(TransportSlice::Tcp(t)) = &s.transport else {
        panic!("not TCP")
    };
    let payload = t.payload().to_vec();
    let hdr = t.to_header();
    let (src, dst) = match s.net.as_ref().expect("IP") {
        NetSlice::Ipv4(v4) => {
            let h = v4.header().to_header();
            assert_eq!(
                h.header_checksum,
                h.calc_header_checksum(),
                "IPv4 header checksum"
            );
            assert_eq!(
                hdr.calc_checksum_ipv4(&h, &payload).unwrap(),
                t.checksum(),
                "TCP checksum (v4)"
            );
            (
                format!("{}:{}", std::net::Ipv4Addr::from(h.source), t.source_port()),
                format!(
                    "{}:{}",
                    std::net::Ipv4Addr::from(h.destination),
                    t.destination_port()
                ),
            )
        }
        NetSlice::Ipv6(v6) => {
            let h = v6.header().to_header();
            assert_eq!(
                hdr.calc_checksum_ipv6(&h, &payload).unwrap(),
                t.checksum(),
                "TCP checksum (v6)"
            );
            (
                format!(
                    "[{}]:{}",
                    std::net::Ipv6Addr::from(h.source),
                    t.source_port()
                ),
                format!(
                    "[{}]:{}",
                    std::net::Ipv6Addr::from(h.destination),
                    t.destination_port()
                ),
            )
        }
        _ => panic!("not IP"),
    };
    let mut f = 0u8;
    for (set, bit) in [
        (t.fin(), flags::FIN),
        (t.syn(), flags::SYN),
        (t.rst(), flags::RST),
        (t.psh(), flags::PSH),
        (t.ack(), flags::ACK),
        (t.urg(), flags::URG),
    ] {
        if set {
            f |= bit;
        }
    }
    Parsed {
        src,
        dst,
        seq: t.sequence_number(),
        ack: t.acknowledgment_number(),
        flags: f,
        payload,
        window: t.window_size(),
        checksum: t.checksum(),
    }
}

#[derive(Default)]
struct Dir {
    isn: Option<u32>,
    /// Next sequence number this side will send.
    nxt: Option<u32>,
    last_ack: Option<u32>,
    payload: u64,
}

/// Replays a clean (unimpaired) trace and checks it against itself and the truth.
pub fn verify(trace: &[Packet], truth: &Truth) {
    assert_eq!(truth.packets as usize, trace.len(), "packet count");
    let mut prev = i64::MIN;
    let mut dirs: HashMap<(u32, Side), Dir> = HashMap::new();
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for (i, p) in trace.iter().enumerate() {
        assert!(p.ts_ns >= prev, "packet {i}: time goes backwards");
        prev = p.ts_ns;
        assert_eq!(p.orig_len as usize, p.data.len());
        let x = parse(p);
        let m = &p.meta;
        let c = truth.conn(m.conn);
        let (from, to) = match m.from {
            Side::Orig => (&c.orig, &c.resp),
            Side::Resp => (&c.resp, &c.orig),
        };
        assert_eq!((&x.src, &x.dst), (from, to), "packet {i}: endpoints");
        assert_eq!(
            (x.seq, x.ack, x.flags),
            (m.seq, m.ack, m.flags),
            "packet {i}: meta"
        );
        assert_eq!(
            x.payload.len(),
            m.payload_len as usize,
            "packet {i}: payload length"
        );
        *counts.entry(m.conn).or_default() += 1;

        let peer_nxt = dirs.get(&(m.conn, m.from.other())).and_then(|d| d.nxt);
        let me = dirs.entry((m.conn, m.from)).or_default();
        if x.flags & flags::SYN != 0 {
            if let Some(isn) = me.isn {
                assert_eq!(x.seq, isn, "packet {i}: a retransmitted SYN keeps its ISN");
            }
            me.isn = Some(x.seq);
            me.nxt = Some(x.seq.wrapping_add(1));
        } else if x.flags & flags::RST != 0 && x.seq == 0 && me.nxt.is_none() {
            // RST answering a SYN: nothing sent before.
        } else {
            let nxt = me.nxt.unwrap_or(x.seq);
            assert_eq!(
                x.seq, nxt,
                "packet {i}: sequence continues where {from} stopped"
            );
            let used = x.payload.len() as u32 + (x.flags & flags::FIN != 0) as u32;
            me.nxt = Some(nxt.wrapping_add(used));
            me.payload += x.payload.len() as u64;
        }
        // A connection open before the capture may acknowledge bytes the trace never had.
        let midstream = c.handshake == HandshakeKind::None;
        if x.flags & flags::ACK != 0 && !(midstream && peer_nxt.is_none()) {
            let peer = peer_nxt.expect("ACK of nothing");
            // ACKs never cover more than the peer has sent, and never go backwards.
            let ahead = peer.wrapping_sub(x.ack) as i32;
            assert!(
                ahead >= 0,
                "packet {i}: ACK {} beyond the peer's {}",
                x.ack,
                peer
            );
            if let Some(last) = me.last_ack {
                assert!(
                    x.ack.wrapping_sub(last) as i32 >= 0,
                    "packet {i}: ACK went backwards"
                );
            }
            me.last_ack = Some(x.ack);
        }
    }
    for c in &truth.connections {
        assert_eq!(
            counts.get(&c.id).copied().unwrap_or(0),
            c.packets,
            "conn {}: packets",
            c.id
        );
        for side in [Side::Orig, Side::Resp] {
            let sent = dirs.get(&(c.id, side)).map_or(0, |d| d.payload);
            assert_eq!(sent, c.bytes(side), "conn {} {side:?}: payload bytes", c.id);
        }
        // A connection closed both ways: each side's last ACK covers all the peer sent.
        if matches!(
            c.close,
            CloseKind::FourWay | CloseKind::ThreeWay | CloseKind::Simultaneous
        ) {
            for side in [Side::Orig, Side::Resp] {
                let me = &dirs[&(c.id, side)];
                let peer = &dirs[&(c.id, side.other())];
                assert_eq!(
                    me.last_ack, peer.nxt,
                    "conn {} {side:?}: final ACK covers everything",
                    c.id
                );
            }
        }
    }
    for s in &truth.sessions {
        for t in &s.transfers {
            if let Some(dc) = &t.data_conn {
                let c = truth.conn(dc.conn);
                assert_eq!((&c.orig, &c.resp), (&dc.orig, &dc.resp));
                let sent = dirs
                    .get(&(dc.conn, t.sender_side()))
                    .map_or(0, |d| d.payload);
                assert_eq!(
                    t.bytes,
                    Some(sent),
                    "transfer {} {:?}: bytes",
                    t.command,
                    t.arg
                );
            } else {
                assert_eq!(t.bytes, None);
            }
        }
    }
}
