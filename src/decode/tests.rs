//! Tests for frame decoding, with packets built by etherparse's `PacketBuilder` and
//! spliced by hand where the builder cannot (link headers, extension headers, fragments).

use super::*;
use crate::capture::{Input, LinkType, RawFrame, read_input};
use etherparse::{PacketBuilder, TcpOptionElement, VlanId};

const A: [u8; 4] = [192, 168, 9, 186];
const B: [u8; 4] = [192, 168, 9, 161];
const A6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const B6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/// An owned copy of a segment, so the decoder can be used again.
#[derive(Debug, Clone, PartialEq)]
struct Seg {
    frame: u64,
    src: String,
    dst: String,
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    payload: Vec<u8>,
    wire_len: u32,
    mss: Option<u16>,
    wscale: Option<u8>,
    sack_permitted: bool,
}

fn run(d: &mut Decoder, link: LinkType, data: &[u8], orig_len: u32, ts_s: i64) -> Option<Seg> {
    let frame = RawFrame {
        number: d.stats().frames + 1,
        ts: Timestamp(ts_s * 1_000_000_000),
        link,
        data,
        orig_len,
    };
    d.decode(frame).map(|s| Seg {
        frame: s.frame,
        src: s.src.to_string(),
        dst: s.dst.to_string(),
        seq: s.seq,
        ack: s.ack,
        flags: s.flags.0,
        window: s.window,
        payload: s.payload.to_vec(),
        wire_len: s.wire_len,
        mss: s.mss,
        wscale: s.wscale,
        sack_permitted: s.sack_permitted,
    })
}

fn one(link: LinkType, data: &[u8]) -> (Option<Seg>, DecodeStats) {
    let mut d = Decoder::new(DecodeLimits::default());
    let seg = run(&mut d, link, data, data.len() as u32, 1);
    (seg, d.stats().clone())
}

/// A raw IPv4 packet carrying TCP 55427 -> 21 with `payload`.
fn tcp_v4(payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ipv4(A, B, 64)
        .tcp(55427, 21, 1000, 64240)
        .ack(77)
        .psh()
        .write(&mut v, payload)
        .unwrap();
    v
}

fn tcp_v6(payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ipv6(A6, B6, 64)
        .tcp(55427, 21, 1000, 64240)
        .ack(77)
        .write(&mut v, payload)
        .unwrap();
    v
}

fn ether(ether_type: u16, ip: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    v.extend_from_slice(&ether_type.to_be_bytes());
    v.extend_from_slice(ip);
    v
}

fn sll(protocol: u16, ip: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
    v.extend_from_slice(&protocol.to_be_bytes());
    v.extend_from_slice(ip);
    v
}

fn sll2(protocol: u16, ip: &[u8]) -> Vec<u8> {
    let mut v = protocol.to_be_bytes().to_vec();
    v.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0]);
    v.extend_from_slice(ip);
    v
}

fn null(af: [u8; 4], ip: &[u8]) -> Vec<u8> {
    let mut v = af.to_vec();
    v.extend_from_slice(ip);
    v
}

fn expect_v4(seg: &Option<Seg>, payload: &[u8]) {
    let s = seg.as_ref().expect("a TCP segment");
    assert_eq!(s.src, "192.168.9.186:55427");
    assert_eq!(s.dst, "192.168.9.161:21");
    assert_eq!(s.seq, 1000);
    assert_eq!(s.ack, 77);
    assert_eq!(s.payload, payload);
    assert_eq!(s.wire_len as usize, payload.len());
}

#[test]
fn flag_labels() {
    assert_eq!(TcpFlags(TcpFlags::SYN).label(), "SYN");
    assert_eq!(TcpFlags(TcpFlags::SYN | TcpFlags::ACK).label(), "SYN-ACK");
    assert_eq!(TcpFlags(TcpFlags::ACK).label(), "ACK");
    assert_eq!(TcpFlags(TcpFlags::PSH | TcpFlags::ACK).label(), "PSH-ACK");
    assert_eq!(TcpFlags(TcpFlags::FIN | TcpFlags::ACK).label(), "FIN-ACK");
    assert_eq!(TcpFlags(TcpFlags::RST).label(), "RST");
    assert_eq!(TcpFlags(TcpFlags::RST | TcpFlags::ACK).label(), "RST-ACK");
    assert_eq!(
        TcpFlags(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::ACK).label(),
        "FIN-PSH-ACK"
    );
    assert_eq!(TcpFlags(0).label(), "NONE");
    let f = TcpFlags(TcpFlags::SYN | TcpFlags::URG);
    assert!(f.syn() && f.urg() && !f.ack() && !f.fin() && !f.rst() && !f.psh());
}

#[test]
fn syn_with_options() {
    let mut ip = Vec::new();
    PacketBuilder::ipv4(A, B, 64)
        .tcp(55427, 21, 0xffff_fff0, 64240)
        .syn()
        .options(&[
            TcpOptionElement::MaximumSegmentSize(1460),
            TcpOptionElement::SelectiveAcknowledgementPermitted,
            TcpOptionElement::Timestamp(1, 0),
            TcpOptionElement::Noop,
            TcpOptionElement::WindowScale(7),
        ])
        .unwrap()
        .write(&mut ip, &[])
        .unwrap();
    let (seg, stats) = one(LinkType::Ethernet, &ether(0x0800, &ip));
    let s = seg.unwrap();
    assert_eq!(s.flags, TcpFlags::SYN);
    assert_eq!(s.seq, 0xffff_fff0);
    assert_eq!(s.window, 64240);
    assert_eq!(s.mss, Some(1460));
    assert_eq!(s.wscale, Some(7));
    assert!(s.sack_permitted);
    assert!(s.payload.is_empty());
    assert_eq!(s.frame, 1);
    assert_eq!(stats.tcp_segments, 1);
    assert_eq!(stats.ipv4, 1);
}

#[test]
fn every_link_type() {
    let p = b"USER anonymous\r\n";
    let v4 = tcp_v4(p);
    let v6 = tcp_v6(p);
    let cases: Vec<(LinkType, Vec<u8>, bool)> = vec![
        (LinkType::Ethernet, ether(0x0800, &v4), false),
        (LinkType::Ethernet, ether(0x86dd, &v6), true),
        (LinkType::LinuxSll, sll(0x0800, &v4), false),
        (LinkType::LinuxSll, sll(0x86dd, &v6), true),
        (LinkType::LinuxSll2, sll2(0x0800, &v4), false),
        (LinkType::LinuxSll2, sll2(0x86dd, &v6), true),
        (LinkType::Null, null(2u32.to_le_bytes(), &v4), false),
        (LinkType::Null, null(2u32.to_be_bytes(), &v4), false),
        (LinkType::Null, null(30u32.to_le_bytes(), &v6), true),
        (LinkType::Null, null(28u32.to_be_bytes(), &v6), true),
        (LinkType::Null, null(24u32.to_le_bytes(), &v6), true),
        (LinkType::Null, null(10u32.to_le_bytes(), &v6), true),
        (LinkType::Loop, null(2u32.to_be_bytes(), &v4), false),
        (LinkType::Loop, null(24u32.to_be_bytes(), &v6), true),
        (LinkType::Raw, v4.clone(), false),
        (LinkType::Raw, v6.clone(), true),
        (LinkType::Ipv4, v4.clone(), false),
        (LinkType::Ipv6, v6.clone(), true),
    ];
    for (link, data, is_v6) in cases {
        let (seg, stats) = one(link, &data);
        let s = seg.unwrap_or_else(|| panic!("{link:?} v6={is_v6}: {stats:?}"));
        assert_eq!(s.payload, p, "{link:?}");
        if is_v6 {
            assert_eq!(s.src, "[2001:db8::1]:55427");
            assert_eq!(stats.ipv6, 1);
        } else {
            expect_v4(&Some(s), p);
            assert_eq!(stats.ipv4, 1);
        }
    }
    // Unknown address family on a loopback: not IP.
    let (seg, stats) = one(LinkType::Null, &null(7u32.to_le_bytes(), &v4));
    assert!(seg.is_none());
    assert_eq!(stats.non_ip, 1);
}

#[test]
fn vlan_and_qinq() {
    let p = b"PASV\r\n";
    let v4 = tcp_v4(p);
    let mut single = Vec::new();
    PacketBuilder::ethernet2([1; 6], [2; 6])
        .single_vlan(VlanId::try_new(42).unwrap())
        .ipv4(A, B, 64)
        .tcp(55427, 21, 1000, 64240)
        .ack(77)
        .write(&mut single, p)
        .unwrap();
    expect_v4(&one(LinkType::Ethernet, &single).0, p);

    for outer in [0x88a8u16, 0x9100, 0x8100] {
        let mut frame = vec![1; 12];
        frame.extend_from_slice(&outer.to_be_bytes());
        frame.extend_from_slice(&[0x00, 0x64, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00]);
        frame.extend_from_slice(&v4);
        let (seg, stats) = one(LinkType::Ethernet, &frame);
        expect_v4(&seg, p);
        assert_eq!(stats.malformed_link, 0);
    }
    // A VLAN tag cut short is a link-layer problem.
    let mut cut = vec![1; 12];
    cut.extend_from_slice(&[0x81, 0x00, 0x00]);
    let (seg, stats) = one(LinkType::Ethernet, &cut);
    assert!(seg.is_none());
    assert_eq!(stats.malformed_link, 1);
}

/// IPv6 with a hop-by-hop and a destination-options header before TCP.
#[test]
fn ipv6_extension_headers() {
    let p = b"EPSV\r\n";
    let plain = tcp_v6(p);
    let mut ip = plain[..40].to_vec();
    ip[6] = 0; // next header: hop-by-hop
    let payload_len = u16::from_be_bytes([ip[4], ip[5]]) + 16;
    ip[4..6].copy_from_slice(&payload_len.to_be_bytes());
    ip.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]); // hop-by-hop -> dest options, PadN
    ip.extend_from_slice(&[6, 0, 1, 4, 0, 0, 0, 0]); // dest options -> TCP, PadN
    ip.extend_from_slice(&plain[40..]);
    let (seg, stats) = one(LinkType::Ethernet, &ether(0x86dd, &ip));
    let s = seg.unwrap_or_else(|| panic!("{stats:?}"));
    assert_eq!(s.payload, p);
    assert_eq!(s.dst, "[2001:db8::2]:21");
    assert_eq!(s.wire_len, p.len() as u32);
}

/// Splits a raw IPv4 packet into fragments of at most `chunk` payload bytes (multiple of 8).
fn fragment_v4(ip: &[u8], chunk: usize, id: u16) -> Vec<Vec<u8>> {
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let payload = &ip[ihl..];
    let mut out = Vec::new();
    let mut off = 0;
    while off < payload.len() {
        let end = (off + chunk).min(payload.len());
        let mut f = ip[..ihl].to_vec();
        f[2..4].copy_from_slice(&((ihl + end - off) as u16).to_be_bytes());
        f[4..6].copy_from_slice(&id.to_be_bytes());
        let more = if end < payload.len() { 0x2000 } else { 0 };
        f[6..8].copy_from_slice(&((off / 8) as u16 | more).to_be_bytes());
        f.extend_from_slice(&payload[off..end]);
        out.push(f);
        off = end;
    }
    out
}

/// Splits a raw IPv6 packet (no extension headers) into fragments.
fn fragment_v6(ip: &[u8], chunk: usize, id: u32) -> Vec<Vec<u8>> {
    let next = ip[6];
    let payload = &ip[40..];
    let mut out = Vec::new();
    let mut off = 0;
    while off < payload.len() {
        let end = (off + chunk).min(payload.len());
        let mut f = ip[..40].to_vec();
        f[6] = 44;
        f[4..6].copy_from_slice(&((8 + end - off) as u16).to_be_bytes());
        let more = u16::from(end < payload.len());
        f.extend_from_slice(&[next, 0]);
        f.extend_from_slice(&((off as u16) | more).to_be_bytes());
        f.extend_from_slice(&id.to_be_bytes());
        f.extend_from_slice(&payload[off..end]);
        out.push(f);
        off = end;
    }
    out
}

fn big_payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[test]
fn ipv4_fragments_out_of_order_and_duplicated() {
    let p = big_payload(3000);
    let frags = fragment_v4(&tcp_v4(&p), 1200, 7);
    assert_eq!(frags.len(), 3);
    let mut d = Decoder::new(DecodeLimits::default());
    for i in [2, 0, 0, 1] {
        let f = ether(0x0800, &frags[i]);
        let seg = run(&mut d, LinkType::Ethernet, &f, f.len() as u32, 1);
        if i == 1 {
            expect_v4(&seg, &p);
            assert_eq!(seg.unwrap().frame, 4);
        } else {
            assert!(seg.is_none());
        }
    }
    let s = d.stats();
    assert_eq!((s.fragments, s.reassembled, s.fragments_dropped), (4, 1, 0));
    assert_eq!(s.tcp_segments, 1);
    // The same datagram again works (buffers were recycled).
    for f in &frags {
        let f = ether(0x0800, f);
        run(&mut d, LinkType::Ethernet, &f, f.len() as u32, 2);
    }
    assert_eq!(d.stats().reassembled, 2);
}

#[test]
fn ipv6_fragments() {
    let p = big_payload(2500);
    let frags = fragment_v6(&tcp_v6(&p), 1000, 0xdead_beef);
    assert_eq!(frags.len(), 3);
    let mut d = Decoder::new(DecodeLimits::default());
    let mut got = None;
    for i in [1, 2, 0] {
        let f = ether(0x86dd, &frags[i]);
        got = run(&mut d, LinkType::Ethernet, &f, f.len() as u32, 1);
    }
    let s = got.unwrap_or_else(|| panic!("{:?}", d.stats()));
    assert_eq!(s.payload, p);
    assert_eq!(s.src, "[2001:db8::1]:55427");
    assert_eq!(d.stats().reassembled, 1);
}

/// A destination-options header after the fragment header belongs to the fragmentable
/// part: it is skipped after reassembly.
#[test]
fn ipv6_fragments_with_destination_options_inside() {
    let p = big_payload(1500);
    let plain = tcp_v6(&p);
    let mut ip = plain[..40].to_vec();
    ip[6] = 60;
    let payload_len = u16::from_be_bytes([ip[4], ip[5]]) + 8;
    ip[4..6].copy_from_slice(&payload_len.to_be_bytes());
    ip.extend_from_slice(&[6, 0, 1, 4, 0, 0, 0, 0]);
    ip.extend_from_slice(&plain[40..]);
    let mut d = Decoder::new(DecodeLimits::default());
    let mut got = None;
    for f in fragment_v6(&ip, 512, 5).iter().rev() {
        got = run(&mut d, LinkType::Raw, f, f.len() as u32, 1);
    }
    assert_eq!(got.unwrap_or_else(|| panic!("{:?}", d.stats())).payload, p);
}

/// Fragments with the same addresses and id on different VLANs are different datagrams.
#[test]
fn fragments_are_keyed_by_vlan() {
    let p = big_payload(2000);
    let frags = fragment_v4(&tcp_v4(&p), 1000, 3);
    let tagged = |vlan: u8, ip: &[u8]| {
        let mut f = vec![1; 12];
        f.extend_from_slice(&[0x81, 0x00, 0x00, vlan, 0x08, 0x00]);
        f.extend_from_slice(ip);
        f
    };
    let mut d = Decoder::new(DecodeLimits::default());
    let a = tagged(10, &frags[0]);
    let b = tagged(20, &frags[1]);
    assert!(run(&mut d, LinkType::Ethernet, &a, a.len() as u32, 1).is_none());
    assert!(run(&mut d, LinkType::Ethernet, &b, b.len() as u32, 1).is_none());
    assert_eq!(d.frags.entries.len(), 2);
    let mut seg = None;
    for f in &frags[1..] {
        let f = tagged(10, f);
        seg = run(&mut d, LinkType::Ethernet, &f, f.len() as u32, 1);
    }
    expect_v4(&seg, &p);
    assert_eq!(d.frags.entries.len(), 1);
}

#[test]
fn non_tcp_fragments_are_not_buffered() {
    let mut udp = Vec::new();
    PacketBuilder::ipv4(A, B, 64)
        .udp(53, 53)
        .write(&mut udp, &big_payload(2000))
        .unwrap();
    let mut d = Decoder::new(DecodeLimits::default());
    for f in fragment_v4(&udp, 800, 9) {
        assert!(run(&mut d, LinkType::Raw, &f, f.len() as u32, 1).is_none());
    }
    let s = d.stats();
    assert_eq!((s.fragments, s.non_tcp, s.reassembled), (3, 3, 0));
    assert_eq!(d.frags.entries.len(), 0);
}

#[test]
fn fragment_bounds_and_timeout() {
    // Count bound: 10 datagrams started, room for 4.
    let limits = DecodeLimits {
        max_fragment_buffers: 4,
        ..DecodeLimits::default()
    };
    let mut d = Decoder::new(limits);
    let ip = tcp_v4(&big_payload(2000));
    for id in 0..10 {
        let f = &fragment_v4(&ip, 1000, id)[0];
        run(&mut d, LinkType::Raw, f, f.len() as u32, 1);
    }
    assert_eq!(d.stats().fragments_dropped, 6);
    assert_eq!(d.frags.entries.len(), 4);
    // The newest datagram still completes.
    let last = &fragment_v4(&ip, 1000, 9)[1..];
    let mut seg = None;
    for f in last {
        seg = run(&mut d, LinkType::Raw, f, f.len() as u32, 1);
    }
    assert!(seg.is_some());

    // Byte bound: one datagram of 2000 bytes fits in 3000, two do not.
    let limits = DecodeLimits {
        max_fragment_bytes: 3000,
        ..DecodeLimits::default()
    };
    let mut d = Decoder::new(limits);
    let ip = tcp_v4(&big_payload(4000));
    for id in 0..2 {
        // The second fragment (bytes 2000..4000) makes each buffer 4000 bytes long.
        let f = &fragment_v4(&ip, 2000, id)[1];
        run(&mut d, LinkType::Raw, f, f.len() as u32, 1);
    }
    assert_eq!(d.stats().fragments_dropped, 2);
    assert!(d.frags.bytes <= 3000);

    // Timeout in capture time.
    let mut d = Decoder::new(DecodeLimits::default());
    let frags = fragment_v4(&tcp_v4(&big_payload(2000)), 1000, 1);
    run(&mut d, LinkType::Raw, &frags[0], frags[0].len() as u32, 0);
    let other = tcp_v4(b"x");
    run(&mut d, LinkType::Raw, &other, other.len() as u32, 31);
    assert_eq!(d.stats().fragments_dropped, 1);
    assert!(run(&mut d, LinkType::Raw, &frags[1], frags[1].len() as u32, 31).is_none());
    d.flush_fragments();
    assert_eq!(d.stats().fragments_dropped, 2);
    assert_eq!(d.frags.bytes, 0);

    // Inconsistent fragments: a middle fragment whose length is not a multiple of 8.
    let mut d = Decoder::new(DecodeLimits::default());
    let mut frags = fragment_v4(&tcp_v4(&big_payload(2000)), 1000, 1);
    frags[0].pop();
    let len = (frags[0].len() as u16).to_be_bytes();
    frags[0][2..4].copy_from_slice(&len);
    for f in &frags {
        assert!(run(&mut d, LinkType::Raw, f, f.len() as u32, 0).is_none());
    }
    assert!(d.stats().fragments_dropped >= 1);
    assert_eq!(d.stats().reassembled, 0);
}

#[test]
fn fragment_flood_stays_bounded() {
    let mut d = Decoder::new(DecodeLimits::default());
    let ip = tcp_v4(&big_payload(60_000));
    for id in 0..2000u16 {
        // Last fragment of a big datagram: a buffer of ~60 KB each.
        let frags = fragment_v4(&ip, 8000, id);
        let f = frags.last().unwrap();
        run(&mut d, LinkType::Raw, f, f.len() as u32, 1);
    }
    assert!(d.frags.entries.len() <= 256);
    assert!(d.frags.bytes <= 4 * 1024 * 1024);
    assert!(d.stats().fragments_dropped > 1000);
}

#[test]
fn snaplen_cut_packet() {
    let p = big_payload(1000);
    let frame = ether(0x0800, &tcp_v4(&p));
    let mut d = Decoder::new(DecodeLimits::default());
    let s = run(
        &mut d,
        LinkType::Ethernet,
        &frame[..100],
        frame.len() as u32,
        1,
    )
    .unwrap();
    assert_eq!(s.payload, &p[..100 - 54]);
    assert_eq!(s.wire_len, 1000);
    assert_eq!(d.stats().snaplen_cut, 1);

    // Ethernet padding after a short IP packet is not payload.
    let mut padded = ether(0x0800, &tcp_v4(b""));
    padded.extend_from_slice(&[0; 6]);
    let (seg, stats) = one(LinkType::Ethernet, &padded);
    let seg = seg.unwrap();
    assert!(seg.payload.is_empty());
    assert_eq!(seg.wire_len, 0);
    assert_eq!(stats.snaplen_cut, 0);
}

#[test]
fn tso_packet_with_total_length_zero() {
    let p = big_payload(3000);
    let mut ip = tcp_v4(&p);
    ip[2] = 0;
    ip[3] = 0;
    let frame = ether(0x0800, &ip);
    let mut d = Decoder::new(DecodeLimits::default());
    let s = run(&mut d, LinkType::Ethernet, &frame, frame.len() as u32, 1).unwrap();
    assert_eq!(s.payload, p);
    assert_eq!(s.wire_len, 3000);
    // Also cut by the snaplen: the frame's original length tells what is missing.
    let s = run(
        &mut d,
        LinkType::Ethernet,
        &frame[..1054],
        frame.len() as u32,
        1,
    )
    .unwrap();
    assert_eq!(s.payload.len(), 1000);
    assert_eq!(s.wire_len, 3000);
    assert_eq!(d.stats().snaplen_cut, 1);
    // An original length smaller than the captured length never underflows.
    let s = run(&mut d, LinkType::Ethernet, &frame, 10, 1).unwrap();
    assert_eq!(s.wire_len, 3000);
}

#[test]
fn truncation_is_counted_by_layer() {
    let frame = ether(0x0800, &tcp_v4(b"RETR file\r\n"));
    for cut in 0..=frame.len() {
        let (seg, s) = one(LinkType::Ethernet, &frame[..cut]);
        let (want_link, want_ip, want_tcp) = match cut {
            0..14 => (1, 0, 0),
            14..34 => (0, 1, 0),
            34..54 => (0, 0, 1),
            _ => (0, 0, 0),
        };
        assert_eq!(
            (s.malformed_link, s.malformed_ip, s.malformed_tcp),
            (want_link, want_ip, want_tcp),
            "cut at {cut}"
        );
        assert_eq!(seg.is_some(), cut >= 54, "cut at {cut}");
        if let Some(seg) = seg {
            assert_eq!(seg.wire_len, 11, "cut at {cut}");
        }
    }
}

#[test]
fn truncation_never_panics_on_any_link_type() {
    let v4 = tcp_v4(b"LIST\r\n");
    let v6 = tcp_v6(b"LIST\r\n");
    let frames = [
        (LinkType::Ethernet, ether(0x86dd, &v6)),
        (LinkType::LinuxSll, sll(0x0800, &v4)),
        (LinkType::LinuxSll2, sll2(0x86dd, &v6)),
        (LinkType::Null, null(2u32.to_le_bytes(), &v4)),
        (LinkType::Loop, null(30u32.to_be_bytes(), &v6)),
        (LinkType::Raw, v4.clone()),
        (LinkType::Ipv6, v6.clone()),
    ];
    for (link, frame) in frames {
        for cut in 0..=frame.len() {
            let (seg, s) = one(link, &frame[..cut]);
            let counted = s.tcp_segments
                + s.non_ip
                + s.non_tcp
                + s.malformed_link
                + s.malformed_ip
                + s.malformed_tcp;
            assert_eq!(counted, 1, "{link:?} cut at {cut}: {s:?}");
            assert_eq!(seg.is_some(), s.tcp_segments == 1);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let links = [
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::Null,
        LinkType::Loop,
        LinkType::Raw,
        LinkType::Ipv4,
        LinkType::Ipv6,
    ];
    let base = ether(0x0800, &tcp_v4(b"STOR x\r\n"));
    let mut d = Decoder::new(DecodeLimits::default());
    for i in 0..20_000u64 {
        let mut b = base.clone();
        for _ in 0..(next() % 6 + 1) {
            let at = (next() % b.len() as u64) as usize;
            b[at] = next() as u8;
        }
        let cut = (next() % (b.len() as u64 + 1)) as usize;
        let link = links[(i % links.len() as u64) as usize];
        // Random starts give every link type a go at the bytes.
        let start = (next() % 16) as usize;
        let data = b.get(start..cut).unwrap_or(&[]);
        run(&mut d, link, data, next() as u32, (i / 100) as i64);
    }
    assert_eq!(d.stats().frames, 20_000);
}

#[test]
fn non_tcp_traffic_is_counted() {
    let mut udp = Vec::new();
    PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv4(A, B, 64)
        .udp(5353, 5353)
        .write(&mut udp, b"dns")
        .unwrap();
    let mut icmp = Vec::new();
    PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv6(A6, B6, 64)
        .icmpv6_echo_request(1, 1)
        .write(&mut icmp, b"ping")
        .unwrap();
    let mut arp = vec![0xff; 6];
    arp.extend_from_slice(&[1; 6]);
    arp.extend_from_slice(&[0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
    arp.extend_from_slice(&[1; 6]);
    arp.extend_from_slice(&A);
    arp.extend_from_slice(&[0; 6]);
    arp.extend_from_slice(&B);
    let mut lldp = vec![1; 12];
    lldp.extend_from_slice(&[0x88, 0xcc, 2, 7, 4]);
    let mut d = Decoder::new(DecodeLimits::default());
    for f in [&udp, &icmp, &arp, &lldp] {
        assert!(run(&mut d, LinkType::Ethernet, f, f.len() as u32, 1).is_none());
    }
    let s = d.stats();
    assert_eq!((s.non_tcp, s.non_ip, s.ipv4, s.ipv6), (2, 2, 1, 1));
    assert_eq!(s.malformed_link + s.malformed_ip + s.malformed_tcp, 0);
}

/// Every TCP packet of the real captures in ../shared/corpus decodes, and the count
/// matches tcpdump's `tcp` filter. Skipped when the corpus or tcpdump is absent.
#[test]
fn corpus_tcp_counts_match_tcpdump() {
    let Ok(dir) = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
    else {
        return;
    };
    let mut paths: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    paths.sort();
    for path in paths {
        let mut d = Decoder::new(DecodeLimits::default());
        let mut payload = 0u64;
        let summary = read_input(&Input::Path(path.clone()), 1, None, &mut |f: RawFrame<
            '_,
        >| {
            if let Some(s) = d.decode(f) {
                payload += s.payload.len() as u64;
            }
        });
        assert!(summary.problem.is_none());
        let s = d.stats().clone();
        assert_eq!(s.frames, summary.packets);
        assert_eq!(
            s.malformed_link + s.malformed_ip + s.malformed_tcp,
            0,
            "{}: {s:?}",
            path.display()
        );
        let Ok(out) = std::process::Command::new("tcpdump")
            .arg("-nr")
            .arg(&path)
            .arg("tcp")
            .stderr(std::process::Stdio::null())
            .output()
        else {
            return;
        };
        let lines = out.stdout.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(s.tcp_segments, lines, "{}", path.display());
        let _ = payload;
    }
}

/// The fast path gives exactly the general path's segment whenever it gives one, on every
/// frame of every capture and on thousands of corrupted copies of them (header bytes
/// overwritten), and it takes the common frames.
#[test]
fn fast_path_agrees_with_the_general_path() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut frames, mut fast_taken, mut mutants, mut mutants_taken) = (0u64, 0u64, 0u64, 0u64);
    for path in crate::test_support::project_captures() {
        read_input(&Input::Path(path.clone()), 1, None, &mut |f: RawFrame<
            '_,
        >| {
            frames += 1;
            let check = |f: &RawFrame<'_>| -> bool {
                let mut fast_stats = DecodeStats::default();
                let Some(fast) = fast::decode(f, &mut fast_stats) else {
                    assert_eq!(
                        fast_stats,
                        DecodeStats::default(),
                        "counted a frame it left"
                    );
                    return false;
                };
                let mut general = Decoder::new(DecodeLimits::default());
                let slow = general.decode_general(*f);
                assert_eq!(Some(fast), slow, "{} frame {}", path.display(), f.number);
                // The same counters, but `frames`, which `decode` counts before either path.
                let general_stats = DecodeStats {
                    frames: 0,
                    ..general.stats.clone()
                };
                assert_eq!(
                    fast_stats,
                    general_stats,
                    "{} frame {}",
                    path.display(),
                    f.number
                );
                true
            };
            if !check(&f) {
                return;
            }
            fast_taken += 1;
            // Corrupt copies: a few bytes of the first 80 (link, IP and TCP headers).
            for _ in 0..4 {
                let mut bytes = f.data.to_vec();
                for _ in 0..1 + rand() % 3 {
                    let at = (rand() as usize) % bytes.len().min(80);
                    bytes[at] = rand() as u8;
                }
                if rand() % 4 == 0 {
                    bytes.truncate((rand() as usize) % bytes.len());
                }
                mutants += 1;
                let mutant = RawFrame { data: &bytes, ..f };
                if check(&mutant) {
                    mutants_taken += 1;
                }
            }
        });
    }
    eprintln!(
        "fast path: {fast_taken} of {frames} frames; {mutants_taken} of {mutants} corrupted copies"
    );
    assert!(
        fast_taken * 10 >= frames * 8,
        "the fast path took only {fast_taken} of {frames} frames"
    );
    assert!(
        mutants_taken > 0 && mutants_taken < mutants,
        "{mutants_taken} of {mutants} corrupted frames"
    );
}
