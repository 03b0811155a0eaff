//! Serializes Ethernet II + IPv4/IPv6 + TCP frames with correct checksums.
//!
//! Written by hand rather than with a packet-builder crate because the samples need exact
//! control over fields a builder hides (IP id, TOS, DF, TCP option order, a SYN's TSecr) and
//! because the benchmark builds millions of frames with one allocation each. The tests parse
//! every frame back with etherparse, an independent implementation.

use std::net::IpAddr;

/// Fields below TCP.
#[derive(Clone, Debug)]
pub struct IpFields {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ttl: u8,
    /// IPv4 TOS, IPv6 traffic class.
    pub tos: u8,
    /// IPv4 identification (ignored for IPv6).
    pub id: u16,
    /// IPv4 Don't Fragment.
    pub df: bool,
}

/// TCP options we emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpOpt {
    Nop,
    Mss(u16),
    SackPerm,
    WindowScale(u8),
    Timestamp(u32, u32),
}

impl TcpOpt {
    fn len(self) -> usize {
        match self {
            TcpOpt::Nop => 1,
            TcpOpt::Mss(_) => 4,
            TcpOpt::SackPerm => 2,
            TcpOpt::WindowScale(_) => 3,
            TcpOpt::Timestamp(..) => 10,
        }
    }

    fn write(self, out: &mut Vec<u8>) {
        match self {
            TcpOpt::Nop => out.push(1),
            TcpOpt::Mss(v) => out.extend_from_slice(&[2, 4, (v >> 8) as u8, v as u8]),
            TcpOpt::SackPerm => out.extend_from_slice(&[4, 2]),
            TcpOpt::WindowScale(s) => out.extend_from_slice(&[3, 3, s]),
            TcpOpt::Timestamp(v, e) => {
                out.extend_from_slice(&[8, 10]);
                out.extend_from_slice(&v.to_be_bytes());
                out.extend_from_slice(&e.to_be_bytes());
            }
        }
    }
}

/// The TCP header's fields.
#[derive(Clone, Debug)]
pub struct TcpFields<'a> {
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
    pub urg: u16,
    pub options: &'a [TcpOpt],
}

pub const ETH_LEN: usize = 14;

/// Builds a frame; `fill` writes the `payload_len` payload bytes in place.
/// Returns the frame and the payload's offset inside it.
pub fn build(
    ip: &IpFields,
    tcp: &TcpFields,
    payload_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> (Vec<u8>, usize) {
    let opt_len: usize = tcp.options.iter().map(|o| o.len()).sum();
    let tcp_hlen = 20 + opt_len.div_ceil(4) * 4;
    let ip_hlen = if ip.src.is_ipv4() { 20 } else { 40 };
    let total = ETH_LEN + ip_hlen + tcp_hlen + payload_len;
    let mut f = Vec::with_capacity(total);

    f.extend_from_slice(&ip.dst_mac);
    f.extend_from_slice(&ip.src_mac);
    let l4_len = tcp_hlen + payload_len;
    match (ip.src, ip.dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            f.extend_from_slice(&[0x08, 0x00]);
            let tot = (20 + l4_len) as u16;
            let frag: u16 = if ip.df { 0x4000 } else { 0 };
            f.extend_from_slice(&[0x45, ip.tos]);
            f.extend_from_slice(&tot.to_be_bytes());
            f.extend_from_slice(&ip.id.to_be_bytes());
            f.extend_from_slice(&frag.to_be_bytes());
            f.extend_from_slice(&[ip.ttl, 6, 0, 0]);
            f.extend_from_slice(&s.octets());
            f.extend_from_slice(&d.octets());
            let c = fold(sum(&f[ETH_LEN..ETH_LEN + 20], 0));
            f[ETH_LEN + 10..ETH_LEN + 12].copy_from_slice(&c.to_be_bytes());
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            f.extend_from_slice(&[0x86, 0xdd]);
            f.extend_from_slice(&[0x60 | (ip.tos >> 4), ip.tos << 4, 0, 0]);
            f.extend_from_slice(&(l4_len as u16).to_be_bytes());
            f.extend_from_slice(&[6, ip.ttl]);
            f.extend_from_slice(&s.octets());
            f.extend_from_slice(&d.octets());
        }
        _ => panic!("mixed IPv4/IPv6 endpoints in one packet"),
    }

    let t0 = f.len();
    f.extend_from_slice(&tcp.sport.to_be_bytes());
    f.extend_from_slice(&tcp.dport.to_be_bytes());
    f.extend_from_slice(&tcp.seq.to_be_bytes());
    f.extend_from_slice(&tcp.ack.to_be_bytes());
    f.extend_from_slice(&[((tcp_hlen / 4) as u8) << 4, tcp.flags]);
    f.extend_from_slice(&tcp.window.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&tcp.urg.to_be_bytes());
    for o in tcp.options {
        o.write(&mut f);
    }
    // End-of-option-list padding up to the 32-bit boundary.
    f.resize(t0 + tcp_hlen, 0);
    let p0 = f.len();
    f.resize(p0 + payload_len, 0);
    fill(&mut f[p0..]);

    let c = tcp_checksum(ip.src, ip.dst, &f[t0..]);
    f[t0 + 16..t0 + 18].copy_from_slice(&c.to_be_bytes());
    (f, p0)
}

/// Recomputes the TCP checksum of a complete (untruncated) frame built by [`build`], after
/// an impairment edited its payload.
pub fn refresh_tcp_checksum(frame: &mut [u8], ip_off: usize) {
    let (src, dst, t0) = if frame[ip_off] >> 4 == 4 {
        let s: [u8; 4] = frame[ip_off + 12..ip_off + 16].try_into().unwrap();
        let d: [u8; 4] = frame[ip_off + 16..ip_off + 20].try_into().unwrap();
        let ihl = (frame[ip_off] & 0x0f) as usize * 4;
        (IpAddr::from(s), IpAddr::from(d), ip_off + ihl)
    } else {
        let s: [u8; 16] = frame[ip_off + 8..ip_off + 24].try_into().unwrap();
        let d: [u8; 16] = frame[ip_off + 24..ip_off + 40].try_into().unwrap();
        (IpAddr::from(s), IpAddr::from(d), ip_off + 40)
    };
    frame[t0 + 16] = 0;
    frame[t0 + 17] = 0;
    let c = tcp_checksum(src, dst, &frame[t0..]);
    frame[t0 + 16..t0 + 18].copy_from_slice(&c.to_be_bytes());
}

/// After an impairment changed a complete frame's length (coalescing segments): rewrites
/// the IP length field and recomputes the IPv4 header checksum and the TCP checksum.
pub fn refresh_lengths_and_checksums(frame: &mut [u8], ip_off: usize) {
    let ip_len = frame.len() - ip_off;
    if frame[ip_off] >> 4 == 4 {
        frame[ip_off + 2..ip_off + 4].copy_from_slice(&(ip_len as u16).to_be_bytes());
        frame[ip_off + 10] = 0;
        frame[ip_off + 11] = 0;
        let ihl = (frame[ip_off] & 0x0f) as usize * 4;
        let c = fold(sum(&frame[ip_off..ip_off + ihl], 0));
        frame[ip_off + 10..ip_off + 12].copy_from_slice(&c.to_be_bytes());
    } else {
        frame[ip_off + 4..ip_off + 6].copy_from_slice(&((ip_len - 40) as u16).to_be_bytes());
    }
    refresh_tcp_checksum(frame, ip_off);
}

fn tcp_checksum(src: IpAddr, dst: IpAddr, segment: &[u8]) -> u16 {
    let mut acc = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => sum(&d.octets(), sum(&s.octets(), 0)),
        (IpAddr::V6(s), IpAddr::V6(d)) => sum(&d.octets(), sum(&s.octets(), 0)),
        _ => unreachable!(),
    };
    acc += 6 + segment.len() as u64;
    fold(sum(segment, acc))
}

/// One's-complement sum of big-endian 16-bit words (odd tail padded with zero).
fn sum(data: &[u8], mut acc: u64) -> u64 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u16::from_be_bytes([c[0], c[1]]) as u64;
    }
    if let [last] = chunks.remainder() {
        acc += (*last as u64) << 8;
    }
    acc
}

fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    fn fields(src: &str, dst: &str) -> IpFields {
        IpFields {
            src_mac: [2, 0, 0, 0, 0, 1],
            dst_mac: [2, 0, 0, 0, 0, 2],
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ttl: 64,
            tos: 0,
            id: 7,
            df: true,
        }
    }

    #[test]
    fn v4_and_v6_frames_parse_with_valid_checksums() {
        for (s, d) in [("10.0.0.1", "10.0.0.2"), ("2001:db8::1", "2001:db8::2")] {
            let ip = fields(s, d);
            let opts = [
                TcpOpt::Mss(1460),
                TcpOpt::SackPerm,
                TcpOpt::Timestamp(1, 0),
                TcpOpt::Nop,
                TcpOpt::WindowScale(7),
            ];
            let tcp = TcpFields {
                sport: 20,
                dport: 11111,
                seq: 1,
                ack: 2,
                flags: 0x18,
                window: 5792,
                urg: 0,
                options: &opts,
            };
            let (f, off) = build(&ip, &tcp, 5, |b| b.copy_from_slice(b"hello"));
            assert_eq!(&f[off..], b"hello");
            let p = SlicedPacket::from_ethernet(&f).unwrap();
            let Some(TransportSlice::Tcp(t)) = p.transport else {
                panic!()
            };
            assert_eq!(t.payload(), b"hello");
            let want = match p.net.unwrap() {
                NetSlice::Ipv4(v4) => t
                    .to_header()
                    .calc_checksum_ipv4(&v4.header().to_header(), b"hello")
                    .unwrap(),
                NetSlice::Ipv6(v6) => t
                    .to_header()
                    .calc_checksum_ipv6(&v6.header().to_header(), b"hello")
                    .unwrap(),
                _ => panic!(),
            };
            assert_eq!(t.checksum(), want);
        }
    }
}
