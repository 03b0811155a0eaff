//! The connection table's key: a connection's two endpoints in a fixed order, as plain
//! integers, so that both directions of a connection find the same entry.

use crate::endpoint::Endpoint;
use std::net::IpAddr;

/// Connection key: both endpoints as plain integers (an IPv4 address in the low 32 bits,
/// and a flag so that it never equals an IPv6 address), in a fixed order. Comparing and
/// hashing it is a handful of word operations, once per packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    lo: (u128, u16),
    hi: (u128, u16),
    v6: bool,
}

impl Key {
    pub(crate) fn of(a: &Endpoint, b: &Endpoint) -> Key {
        let (a, v6) = key_part(a);
        let (b, _) = key_part(b);
        if a <= b {
            Key { lo: a, hi: b, v6 }
        } else {
            Key { lo: b, hi: a, v6 }
        }
    }
}

// By reference, and IPv6 out of line: for an IPv4 address the compiler must then not read
// the 16 bytes of both variants before the branch. That wide read covers the 4-byte store
// that wrote the address a moment before and waits for it (a store-forwarding stall on
// every packet).
fn key_part(e: &Endpoint) -> ((u128, u16), bool) {
    match &e.ip {
        IpAddr::V4(ip) => ((u128::from(u32::from(*ip)), e.port), false),
        IpAddr::V6(ip) => ((v6_bits(ip), e.port), true),
    }
}

#[inline(never)]
fn v6_bits(ip: &std::net::Ipv6Addr) -> u128 {
    u128::from(*ip)
}
