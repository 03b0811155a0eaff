//! The common case, decoded by hand: Ethernet II (no tag or one 802.1Q tag) or Linux cooked
//! (SLL, SLL2) carrying an
//! unfragmented IPv4 or IPv6 packet whose next header is TCP, every header complete and the
//! IP length consistent with the frame.
//!
//! **Input:** a frame's link type and bytes. **Output:** the same [`Segment`] fields the
//! general path (etherparse's lax slicing) produces, or `None` for anything else, which the
//! general path then decodes and counts. Nothing here decides what is malformed: a packet
//! that is not plainly well-formed simply leaves the fast path. A test decodes every
//! capture of the project both ways and requires identical segments.
//!
//! Why: bulk data connections make up nearly every packet of a large capture, and slicing
//! each through every layer's general parser cost more than the rest of the analysis.

use super::{DecodeStats, Segment};
use crate::capture::{LinkType, RawFrame};
use crate::endpoint::Endpoint;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const PROTO_TCP: u8 = 6;

/// Which IP version a fast-decoded segment had (for the decoder's counters).
enum Family {
    V4,
    V6,
}

/// A segment, if the frame is the common case; counted in `stats` (IP version, TCP
/// segment) only then.
// Always inlined: out of line, the segment was written to a return slot and read back
// through the TCP table's first loads (measured 2-4% with one thread).
#[inline(always)]
pub(super) fn decode<'a>(frame: &RawFrame<'a>, stats: &mut DecodeStats) -> Option<Segment<'a>> {
    let data = frame.data;
    let (ethertype, at) = match frame.link {
        LinkType::Ethernet => match be16(data, 12)? {
            ETHERTYPE_VLAN => (be16(data, 16)?, 18),
            other => (other, 14),
        },
        LinkType::LinuxSll => (be16(data, 14)?, 16),
        LinkType::LinuxSll2 => (be16(data, 0)?, 20),
        _ => return None,
    };
    let ip = data.get(at..)?;
    let (src, dst, tcp, family, ip_id) = match ethertype {
        ETHERTYPE_IPV4 => {
            let (&vihl, _) = ip.split_first()?;
            let header_len = usize::from(vihl & 0x0f) * 4;
            if vihl >> 4 != 4 || header_len < 20 || ip.len() < header_len {
                return None;
            }
            let total = usize::from(be16(ip, 2)?);
            let flags_offset = be16(ip, 6)?;
            // More fragments, or a fragment offset: the general path reassembles.
            if total < header_len
                || total > ip.len()
                || flags_offset & 0x3fff != 0
                || ip[9] != PROTO_TCP
            {
                return None;
            }
            let src = Ipv4Addr::from(<[u8; 4]>::try_from(&ip[12..16]).ok()?);
            let dst = Ipv4Addr::from(<[u8; 4]>::try_from(&ip[16..20]).ok()?);
            (
                IpAddr::V4(src),
                IpAddr::V4(dst),
                &ip[header_len..total],
                Family::V4,
                be16(ip, 4)?,
            )
        }
        ETHERTYPE_IPV6 => {
            if ip.len() < 40 || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP {
                return None;
            }
            let payload = usize::from(be16(ip, 4)?);
            // A zero payload length (jumbogram, or offload) goes the general way.
            if payload == 0 || 40 + payload > ip.len() {
                return None;
            }
            let src = Ipv6Addr::from(<[u8; 16]>::try_from(&ip[8..24]).ok()?);
            let dst = Ipv6Addr::from(<[u8; 16]>::try_from(&ip[24..40]).ok()?);
            (
                IpAddr::V6(src),
                IpAddr::V6(dst),
                &ip[40..40 + payload],
                Family::V6,
                0,
            )
        }
        _ => return None,
    };
    if tcp.len() < 20 {
        return None;
    }
    let header_len = usize::from(tcp[12] >> 4) * 4;
    if header_len < 20 || tcp.len() < header_len {
        return None;
    }
    let (mss, wscale, sack_permitted) = super::handshake_options(&tcp[20..header_len]);
    let payload = &tcp[header_len..];
    let segment = Segment {
        frame: frame.number,
        ts: frame.ts,
        src: Endpoint::new(src, be16(tcp, 0)?),
        dst: Endpoint::new(dst, be16(tcp, 2)?),
        seq: be32(tcp, 4)?,
        ack: be32(tcp, 8)?,
        flags: super::TcpFlags(tcp[13]),
        window: be16(tcp, 14)?,
        urgent: be16(tcp, 18)?,
        payload,
        wire_len: u32::try_from(payload.len()).ok()?,
        mss,
        wscale,
        sack_permitted,
        ip_id,
        checksum: be16(tcp, 16)?,
    };
    match family {
        Family::V4 => stats.ipv4 += 1,
        Family::V6 => stats.ipv6 += 1,
    }
    stats.tcp_segments += 1;
    Some(segment)
}

#[inline]
fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

#[inline]
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
