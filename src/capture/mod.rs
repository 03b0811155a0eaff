//! Capture input: pcap and pcapng files, gzip-compressed or not, from a path or stdin.
//!
//! **Input:** an [`Input`] (a path, or `-` for stdin) and the frame number to start at.
//! **Output:** every packet as a [`RawFrame`] handed to a sink, in file order, then an
//! [`InputSummary`] saying what was read and what went wrong.
//!
//! **Rules:**
//! - Streaming, one pass, no seeking (stdin works like a file); memory is one buffer of at
//!   most a few MiB whatever the file size (see [`mod@file`] for how records are framed).
//! - Capture bytes never panic anything: a problem becomes a warning (reading goes on) or
//!   an [`InputProblem`] (reading stops), always with a byte offset.
//! - Frame numbers are 1-based and continue across inputs. Packets that are skipped because
//!   their interface's link type cannot be decoded still consume a number, so numbers match
//!   Wireshark's "frame N" for well-formed files ([`InputSummary::numbered`]).

mod ahead;
pub mod counted;
pub mod file;
pub mod gunzip;
#[cfg(feature = "live")]
pub mod live;
mod magic;
mod positional;
#[cfg(test)]
mod tests;

use crate::time::Timestamp;
use serde::Serialize;
use std::path::PathBuf;

pub use crate::model::capture::{InputProblem, InputSummary};
pub use file::{ReadAhead, read_input, read_input_at_most, read_reader, read_reader_at_most};

/// Where a capture comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-` on the command line).
    Stdin,
    /// A capture file at this path.
    Path(PathBuf),
}

impl Input {
    /// `-` means stdin; anything else is a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    /// The name shown to users: the path as given, or `<stdin>`.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::Path(p) => p.display().to_string(),
        }
    }
}

/// One captured packet, borrowed from the reader's buffer for the duration of the sink call.
#[derive(Clone, Copy, Debug)]
pub struct RawFrame<'a> {
    /// 1-based frame number across the whole capture (continues across inputs).
    pub number: u64,
    /// When the packet was captured.
    pub ts: Timestamp,
    /// The link-layer header the bytes start with.
    pub link: LinkType,
    /// Captured bytes.
    pub data: &'a [u8],
    /// Length on the wire (>= `data.len()` when the snaplen cut the packet).
    pub orig_len: u32,
}

/// The link-layer header types the decoder understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LinkType {
    /// Ethernet II (DLT 1, `EN10MB`).
    Ethernet,
    /// Linux "cooked" capture v1 (DLT 113, `LINUX_SLL`), as from `tcpdump -i any`.
    LinuxSll,
    /// Linux "cooked" capture v2 (DLT 276, `LINUX_SLL2`).
    LinuxSll2,
    /// BSD loopback with a host-order address family word (DLT 0, `NULL`).
    Null,
    /// OpenBSD loopback with a network-order address family word (DLT 108, `LOOP`).
    Loop,
    /// Raw IP, version from the first nibble (DLT 12, 14 or 101, `RAW`).
    Raw,
    /// Raw IPv4 (DLT 228).
    Ipv4,
    /// Raw IPv6 (DLT 229).
    Ipv6,
}

impl LinkType {
    /// Maps a pcap/pcapng link type (DLT/LINKTYPE value) to a supported [`LinkType`].
    /// 12 and 14 are `DLT_RAW` on some systems and appear in files written there.
    pub fn from_dlt(dlt: u32) -> Option<LinkType> {
        Some(match dlt {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::Raw,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            _ => return None,
        })
    }

    /// The libpcap name of the link type.
    pub fn name(self) -> &'static str {
        match self {
            LinkType::Ethernet => "EN10MB",
            LinkType::LinuxSll => "LINUX_SLL",
            LinkType::LinuxSll2 => "LINUX_SLL2",
            LinkType::Null => "NULL",
            LinkType::Loop => "LOOP",
            LinkType::Raw => "RAW",
            LinkType::Ipv4 => "IPV4",
            LinkType::Ipv6 => "IPV6",
        }
    }
}

/// A readable name for any link type value, for messages: `IEEE802_11 (105)`, `DLT 4711`.
pub fn dlt_name(dlt: u32) -> String {
    let name = match dlt {
        0 => "NULL",
        1 => "EN10MB",
        3 => "AX25",
        6 => "IEEE802",
        7 => "ARCNET_BSD",
        8 => "SLIP",
        9 => "PPP",
        10 => "FDDI",
        12 | 14 | 101 => "RAW",
        50 => "PPP_HDLC",
        51 => "PPP_ETHER",
        100 => "ATM_RFC1483",
        104 => "C_HDLC",
        105 => "IEEE802_11",
        107 => "FRELAY",
        108 => "LOOP",
        113 => "LINUX_SLL",
        114 => "LTALK",
        117 => "PFLOG",
        119 => "PRISM_HEADER",
        122 => "IP_OVER_FC",
        123 => "SUNATM",
        127 => "IEEE802_11_RADIO",
        129 => "ARCNET_LINUX",
        138 => "APPLE_IP_OVER_IEEE1394",
        139 => "MTP2_WITH_PHDR",
        140 => "MTP2",
        141 => "MTP3",
        142 => "SCCP",
        143 => "DOCSIS",
        144 => "LINUX_IRDA",
        147..=162 => "USER",
        163 => "IEEE802_11_RADIO_AVS",
        165 => "BACNET_MS_TP",
        166 => "PPP_PPPD",
        169 => "GPRS_LLC",
        177 => "LINUX_LAPD",
        187 => "BLUETOOTH_HCI_H4",
        189 => "USB_LINUX",
        192 => "PPI",
        195 => "IEEE802_15_4_WITHFCS",
        196 => "SITA",
        197 => "ERF",
        201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
        202 => "AX25_KISS",
        203 => "LAPD",
        204 => "PPP_WITH_DIR",
        209 => "IPMB_LINUX",
        215 => "IEEE802_15_4_NONASK_PHY",
        220 => "USB_LINUX_MMAPPED",
        224 => "FC_2",
        225 => "FC_2_WITH_FRAME_DELIMS",
        226 => "IPNET",
        227 => "CAN_SOCKETCAN",
        228 => "IPV4",
        229 => "IPV6",
        230 => "IEEE802_15_4_NOFCS",
        231 => "DBUS",
        235 => "DVB_CI",
        239 => "NFLOG",
        240 => "NETANALYZER",
        241 => "NETANALYZER_TRANSPARENT",
        242 => "IPOIB",
        247 => "INFINIBAND",
        248 => "SCTP",
        249 => "USBPCAP",
        250 => "RTAC_SERIAL",
        251 => "BLUETOOTH_LE_LL",
        252 => "WIRESHARK_UPPER_PDU",
        253 => "NETLINK",
        254 => "BLUETOOTH_LINUX_MONITOR",
        255 => "BLUETOOTH_BREDR_BB",
        256 => "BLUETOOTH_LE_LL_WITH_PHDR",
        263 => "VSOCK",
        264 => "NORDIC_BLE",
        266 => "NETANALYZER_NG",
        267 => "ZBOSS_NCP",
        274 => "ETW",
        276 => "LINUX_SLL2",
        279 => "ETW",
        281 => "ZWAVE_TAP",
        _ => return format!("DLT {dlt}"),
    };
    format!("{name} ({dlt})")
}
