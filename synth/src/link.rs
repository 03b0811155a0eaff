//! Link-layer types a capture file can declare, and re-encapsulation of our Ethernet frames.
//!
//! Packets are always generated as Ethernet II; a writer for another link type replaces the
//! 14-byte Ethernet header with that type's header, so the IP packet is byte-identical
//! whatever the file says.

/// A capture's link-layer header type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkType {
    /// LINKTYPE_ETHERNET (1).
    Ethernet,
    /// LINKTYPE_LINUX_SLL (113), the "any" device's cooked header.
    LinuxSll,
    /// LINKTYPE_RAW (101): the frame starts with the IPv4 or IPv6 header.
    Raw,
    /// LINKTYPE_NULL (0): BSD loopback, a 4-byte address family in the file's byte order.
    Null,
}

/// BSD address families as libpcap reads them from LINKTYPE_NULL headers.
const AF_INET: u32 = 2;
/// Darwin's AF_INET6 (libpcap accepts 24, 28 and 30); macOS's lo0 is the common NULL source.
const AF_INET6: u32 = 30;

impl LinkType {
    /// The LINKTYPE_ value written in pcap and pcapng headers.
    pub fn code(self) -> u16 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::LinuxSll => 113,
            LinkType::Raw => 101,
            LinkType::Null => 0,
        }
    }

    /// Appends `frame` (Ethernet II, maybe truncated) re-encapsulated for this link type to
    /// `out`; returns the wire length for an Ethernet frame of wire length `orig_len`.
    pub fn reframe(self, frame: &[u8], orig_len: u32, big_endian: bool, out: &mut Vec<u8>) -> u32 {
        const ETH: usize = 14;
        if self == LinkType::Ethernet {
            out.extend_from_slice(frame);
            return orig_len;
        }
        // A frame cut inside the Ethernet header keeps nothing of the IP packet.
        let ethertype = if frame.len() >= ETH {
            [frame[12], frame[13]]
        } else {
            [0x08, 0x00]
        };
        let l3 = frame.get(ETH..).unwrap_or(&[]);
        let l3_orig = orig_len.saturating_sub(ETH as u32);
        match self {
            LinkType::Ethernet => unreachable!(),
            LinkType::LinuxSll => {
                // packet type 0 ("to us"), ARPHRD_ETHER, 6-byte source address padded to 8.
                out.extend_from_slice(&[0, 0, 0, 1, 0, 6]);
                let mut addr = [0u8; 8];
                if frame.len() >= 12 {
                    addr[..6].copy_from_slice(&frame[6..12]);
                }
                out.extend_from_slice(&addr);
                out.extend_from_slice(&ethertype);
                out.extend_from_slice(l3);
                l3_orig + 16
            }
            LinkType::Raw => {
                out.extend_from_slice(l3);
                l3_orig
            }
            LinkType::Null => {
                let af = if ethertype == [0x86, 0xdd] {
                    AF_INET6
                } else {
                    AF_INET
                };
                out.extend_from_slice(&if big_endian {
                    af.to_be_bytes()
                } else {
                    af.to_le_bytes()
                });
                out.extend_from_slice(l3);
                l3_orig + 4
            }
        }
    }
}
