//! Generated packets: a link-layer frame plus the facts impairments and checks need.
//!
//! Every frame is built as Ethernet II (writers re-encapsulate for other link types, see
//! [`crate::link`]). Next to the bytes, [`Meta`] keeps which connection, which direction,
//! which sequence range and which flags a packet carries, so a transform such as "drop 1% of
//! the data packets" or "duplicate a retransmission" never has to re-parse the frame.

use crate::rng::mix;
use serde::{Deserialize, Serialize};

/// Which end of a TCP connection sent a packet: the initiator (sent the SYN) or the responder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Orig,
    Resp,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Orig => Side::Resp,
            Side::Resp => Side::Orig,
        }
    }

    pub fn idx(self) -> usize {
        match self {
            Side::Orig => 0,
            Side::Resp => 1,
        }
    }
}

/// TCP flag bits as they sit in the header's flags byte.
pub mod flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub const URG: u8 = 0x20;
}

/// What a packet carries, recorded when it is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Connection id, as in [`crate::truth::ConnTruth::id`].
    pub conn: u32,
    pub from: Side,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    /// Offset of the TCP payload inside `Packet::data`.
    pub payload_off: u32,
    /// Payload length as sent (the frame may be cut shorter by a snaplen).
    pub payload_len: u32,
    /// Offset of the first payload byte in the sender's byte stream (0 = first byte after
    /// the SYN); unlike `seq` it never wraps, which keeps coverage arithmetic simple.
    pub stream_off: u64,
    /// Offset of the IP header inside `Packet::data` (14 for Ethernet II).
    pub ip_off: u16,
    /// Set on copies made by an impairment (duplicates, retransmissions).
    pub copy: bool,
}

impl Meta {
    pub fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    /// Payload bytes actually present in the (possibly truncated) frame.
    pub fn captured_payload(&self, data_len: usize) -> u32 {
        let have = data_len.saturating_sub(self.payload_off as usize) as u64;
        have.min(self.payload_len as u64) as u32
    }
}

/// One captured packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// Link-layer frame (Ethernet II), possibly truncated by a snaplen.
    pub data: Vec<u8>,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    pub meta: Meta,
}

/// Bytes to send on a connection: literal, or a deterministic pattern of any length that is
/// produced segment by segment (a multi-GB transfer never sits in memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    Bytes(Vec<u8>),
    Pattern { len: u64, seed: u64 },
}

impl Payload {
    pub fn bytes(b: impl Into<Vec<u8>>) -> Payload {
        Payload::Bytes(b.into())
    }

    pub fn pattern(len: u64, seed: u64) -> Payload {
        Payload::Pattern { len, seed }
    }

    pub fn len(&self) -> u64 {
        match self {
            Payload::Bytes(b) => b.len() as u64,
            Payload::Pattern { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes bytes `off .. off + buf.len()` of the payload into `buf`.
    pub fn fill(&self, off: u64, buf: &mut [u8]) {
        match self {
            Payload::Bytes(b) => buf.copy_from_slice(&b[off as usize..off as usize + buf.len()]),
            Payload::Pattern { seed, .. } => {
                // Position-addressed: byte i depends only on (seed, i), so any range can be
                // produced without generating what comes before it.
                for (i, out) in buf.iter_mut().enumerate() {
                    let pos = off + i as u64;
                    let word = mix(seed ^ (pos >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    *out = (word >> ((pos & 7) * 8)) as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_is_position_addressed() {
        let p = Payload::pattern(100, 3);
        let mut whole = vec![0; 100];
        p.fill(0, &mut whole);
        let mut part = vec![0; 17];
        p.fill(41, &mut part);
        assert_eq!(&whole[41..58], &part[..]);
    }
}
