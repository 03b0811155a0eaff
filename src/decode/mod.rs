//! Frame decoding: from a captured frame to a TCP [`Segment`].
//!
//! **Input:** a [`RawFrame`] of any supported [`LinkType`]. **Output:** `Some(Segment)` for
//! a TCP segment (addresses, ports, sequence numbers, flags, window, the options the TCP
//! state machine needs, and the payload borrowed from the frame), `None` for everything
//! else, each case counted in [`DecodeStats`].
//!
//! **Rules:**
//! - Parsing is etherparse's *lax* slicing, so a packet cut by the snaplen still yields its
//!   headers and whatever payload was captured. What stops parsing is counted by layer
//!   (`malformed_link`, `malformed_ip`, `malformed_tcp`); what is simply not TCP is counted
//!   as `non_ip` or `non_tcp`. Capture bytes never panic anything.
//! - Link layers: Ethernet (802.1Q, QinQ 0x88a8 / 0x9100: whatever etherparse handles),
//!   Linux SLL (protocol at bytes 14..16 of a 16-byte header), SLL2 (protocol at bytes 0..2
//!   of a 20-byte header), BSD NULL (4-byte address family in the capturing host's byte
//!   order, detected: a value above 0xffff must be byte-swapped), LOOP (the same in network
//!   byte order), raw IP (the version nibble decides), IPv4, IPv6.
//! - `wire_len`, the TCP payload length on the wire: from the IP length fields when they
//!   were usable; when the IP length was unusable (IPv4 total length 0 in TSO/GSO captures,
//!   IPv6 payload length 0) it is the captured payload plus what the capture cut from the
//!   frame (`orig_len - data.len()`). Never underflows.
//! - IPv4 and IPv6 fragments are reassembled in a bounded pool built on etherparse's
//!   `IpDefragBuf` (its `IpDefragPool` is unbounded and needs strict slicing). Buffers are
//!   keyed by source, destination, identification, protocol and VLAN ids; their number,
//!   their total bytes and their age in capture time are bounded, and every fragment a
//!   bound, a timeout or an inconsistency throws away is counted in `fragments_dropped`.
//!   Fragments of non-TCP datagrams are counted and not buffered. A reassembled segment's
//!   payload borrows a buffer inside the decoder, valid until the next call.
//! - No heap allocation per packet: only fragment buffers allocate, and they are reused.

use crate::capture::{LinkType, RawFrame};
use crate::endpoint::Endpoint;
pub use crate::model::capture::DecodeStats;
use crate::time::Timestamp;
use etherparse::defrag::{IpDefragBuf, IpFragRange};
use etherparse::err::Layer;
use etherparse::{
    EtherType, IpAuthHeaderSlice, IpFragOffset, IpNumber, Ipv6ExtensionSlice, Ipv6ExtensionsSlice,
    LaxIpPayloadSlice, LaxNetSlice, LaxSlicedPacket, LenSource, TcpOptionElement, TcpSlice,
    TransportSlice,
};
use std::net::IpAddr;

/// TCP control bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// No more data from the sender.
    pub const FIN: u8 = 0x01;
    /// Synchronize sequence numbers (connection opening).
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push the buffered data to the application.
    pub const PSH: u8 = 0x08;
    /// The acknowledgment number is valid.
    pub const ACK: u8 = 0x10;
    /// The urgent pointer is valid.
    pub const URG: u8 = 0x20;
    /// ECN echo.
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced.
    pub const CWR: u8 = 0x80;

    /// Whether FIN is set.
    pub fn fin(self) -> bool {
        self.0 & Self::FIN != 0
    }
    /// Whether SYN is set.
    pub fn syn(self) -> bool {
        self.0 & Self::SYN != 0
    }
    /// Whether RST is set.
    pub fn rst(self) -> bool {
        self.0 & Self::RST != 0
    }
    /// Whether PSH is set.
    pub fn psh(self) -> bool {
        self.0 & Self::PSH != 0
    }
    /// Whether ACK is set.
    pub fn ack(self) -> bool {
        self.0 & Self::ACK != 0
    }
    /// Whether URG is set.
    pub fn urg(self) -> bool {
        self.0 & Self::URG != 0
    }

    /// Readable names joined by `-`, in bit order: `SYN`, `SYN-ACK`, `FIN-PSH-ACK`,
    /// `RST-ACK`; `NONE` when no bit is set.
    pub fn label(self) -> String {
        const NAMES: [&str; 8] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
        let mut out = String::new();
        for (bit, name) in NAMES.iter().enumerate() {
            if self.0 & (1 << bit) != 0 {
                if !out.is_empty() {
                    out.push('-');
                }
                out.push_str(name);
            }
        }
        if out.is_empty() {
            out.push_str("NONE");
        }
        out
    }
}

/// One decoded TCP segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment<'a> {
    /// Frame number of the packet that carried it (for a reassembled datagram, the fragment
    /// that completed it).
    pub frame: u64,
    /// Capture time of that packet.
    pub ts: Timestamp,
    /// Sender address and port.
    pub src: Endpoint,
    /// Receiver address and port.
    pub dst: Endpoint,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (meaningful when the ACK flag is set).
    pub ack: u32,
    /// Control bits.
    pub flags: TcpFlags,
    /// Advertised receive window, unscaled.
    pub window: u16,
    /// Urgent pointer (meaningful when the URG flag is set).
    pub urgent: u16,
    /// Captured TCP payload bytes.
    pub payload: &'a [u8],
    /// TCP payload length on the wire: more than `payload.len()` when the capture cut the
    /// packet (snaplen).
    pub wire_len: u32,
    /// Maximum segment size option, when present (SYN segments).
    pub mss: Option<u16>,
    /// Window scale shift option, when present (SYN segments).
    pub wscale: Option<u8>,
    /// The SACK-permitted option is present.
    pub sack_permitted: bool,
    /// The IPv4 identification (0 for IPv6): with the TCP checksum, it tells a packet
    /// captured twice from a retransmission (which gets a new identification).
    pub ip_id: u16,
    /// The TCP checksum as sent (not verified): it covers the payload and the options.
    pub checksum: u16,
}

/// Bounds of the fragment reassembly pool.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Datagrams being reassembled at once.
    pub max_fragment_buffers: usize,
    /// Bytes held in all reassembly buffers together.
    pub max_fragment_bytes: usize,
    /// A datagram not complete this long (capture time) after its first fragment is dropped.
    pub fragment_timeout_ns: i64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_fragment_buffers: 256,
            max_fragment_bytes: 4 * 1024 * 1024,
            fragment_timeout_ns: 30_000_000_000,
        }
    }
}

/// Turns frames into TCP segments; owns the fragment reassembly pool.
pub struct Decoder {
    limits: DecodeLimits,
    stats: DecodeStats,
    frags: FragPool,
    /// The last reassembled datagram; a returned [`Segment`] may borrow it.
    reassembled: Vec<u8>,
}

impl Decoder {
    /// A decoder with empty counters and fragment pool, bounded by `limits`.
    pub fn new(limits: DecodeLimits) -> Decoder {
        Decoder {
            limits,
            stats: DecodeStats::default(),
            frags: FragPool::default(),
            reassembled: Vec::new(),
        }
    }

    /// What has been decoded and dropped so far, by layer.
    pub fn stats(&self) -> &DecodeStats {
        &self.stats
    }

    /// Drops every datagram still waiting for fragments, counting them as dropped (for the
    /// end of a capture).
    pub fn flush_fragments(&mut self) {
        while let Some(e) = self.frags.entries.pop() {
            self.stats.fragments_dropped += e.fragments;
            self.frags.recycle(e);
        }
        self.frags.bytes = 0;
    }

    /// Decodes one frame. `None`: not TCP, malformed (counted), or a fragment still waiting.
    pub fn decode<'a>(&'a mut self, frame: RawFrame<'a>) -> Option<Segment<'a>> {
        self.begin(&frame);
        if let Some(segment) = fast::decode(&frame, &mut self.stats) {
            return Some(segment);
        }
        self.decode_general(frame)
    }

    /// Decodes one frame and hands its segment, if it has one, to `use_segment`.
    ///
    /// The analysis's way: the segment is used where it was built. Returned, it was copied
    /// out of the return slot in wide moves right after the narrow stores that built it (a
    /// store-forwarding stall per packet, 3-4% of the time on a large capture).
    #[inline]
    pub fn decode_into<'a>(
        &'a mut self,
        frame: RawFrame<'a>,
        use_segment: impl FnOnce(&Segment<'_>),
    ) {
        self.begin(&frame);
        if let Some(segment) = fast::decode(&frame, &mut self.stats) {
            use_segment(&segment);
        } else if let Some(segment) = self.decode_general(frame) {
            use_segment(&segment);
        }
    }

    /// The hand-written fast path alone (`None`: the frame is not its common case, and
    /// nothing was counted). For cross-checks such as the fuzz targets': whenever it gives
    /// a segment, [`Decoder::decode_general_only`] must give the same one and count the same.
    pub fn decode_fast_only<'a>(
        frame: &RawFrame<'a>,
        stats: &mut DecodeStats,
    ) -> Option<Segment<'a>> {
        fast::decode(frame, stats)
    }

    /// The general path alone (etherparse's lax slicing, fragment reassembly), without
    /// counting the frame in `frames` or expiring fragments. For cross-checks against
    /// [`Decoder::decode_fast_only`]; the analysis uses [`Decoder::decode`].
    pub fn decode_general_only<'a>(&'a mut self, frame: RawFrame<'a>) -> Option<Segment<'a>> {
        self.decode_general(frame)
    }

    #[inline]
    fn begin(&mut self, frame: &RawFrame<'_>) {
        self.stats.frames += 1;
        self.frags
            .expire(frame.ts, self.limits.fragment_timeout_ns, &mut self.stats);
    }

    /// Every frame the fast path leaves: etherparse's lax slicing, each failure counted.
    fn decode_general<'a>(&'a mut self, frame: RawFrame<'a>) -> Option<Segment<'a>> {
        let data = frame.data;
        // Each arm hands the sliced packet to `process` by reference: the packet is a few
        // hundred bytes, and moving it through `Option`s cost more than slicing it.
        match frame.link {
            LinkType::Ethernet => match LaxSlicedPacket::from_ethernet(data) {
                Ok(packet) => self.process(frame, &packet),
                Err(_) => {
                    self.stats.malformed_link += 1;
                    None
                }
            },
            LinkType::LinuxSll | LinkType::LinuxSll2 => {
                let (proto, rest) = if frame.link == LinkType::LinuxSll {
                    (data.get(14..16), data.get(16..))
                } else {
                    (data.get(0..2), data.get(20..))
                };
                let (Some(&[hi, lo]), Some(rest)) = (proto, rest) else {
                    self.stats.malformed_link += 1;
                    return None;
                };
                let proto = EtherType(u16::from_be_bytes([hi, lo]));
                let packet = LaxSlicedPacket::from_ether_type(proto, rest);
                self.process(frame, &packet)
            }
            LinkType::Null | LinkType::Loop => {
                let Some(af) = data.get(0..4).and_then(|b| <[u8; 4]>::try_from(b).ok()) else {
                    self.stats.malformed_link += 1;
                    return None;
                };
                let af = if frame.link == LinkType::Loop {
                    u32::from_be_bytes(af)
                } else {
                    // Host byte order of the capturing machine: families are small numbers,
                    // so a value above 0xffff was written in the other order.
                    let le = u32::from_le_bytes(af);
                    if le > 0xffff { le.swap_bytes() } else { le }
                };
                // AF_INET = 2; AF_INET6 = 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD),
                // 30 (macOS).
                if !matches!(af, 2 | 10 | 24 | 28 | 30) {
                    self.stats.non_ip += 1;
                    return None;
                }
                self.ip(frame, data.get(4..).unwrap_or(&[]))
            }
            LinkType::Raw | LinkType::Ipv4 | LinkType::Ipv6 => self.ip(frame, data),
        }
    }

    /// A packet that starts with its IP header.
    fn ip<'a>(&'a mut self, frame: RawFrame<'a>, data: &'a [u8]) -> Option<Segment<'a>> {
        match LaxSlicedPacket::from_ip(data) {
            Ok(packet) => self.process(frame, &packet),
            Err(_) => {
                self.stats.malformed_ip += 1;
                None
            }
        }
    }

    /// From the sliced packet to a segment (or a fragment, or a counted reason why not).
    fn process<'a>(
        &'a mut self,
        frame: RawFrame<'a>,
        packet: &LaxSlicedPacket<'a>,
    ) -> Option<Segment<'a>> {
        let (ip_payload, src, dst, declared, ip_id) = match &packet.net {
            Some(LaxNetSlice::Ipv4(v4)) => {
                self.stats.ipv4 += 1;
                let h = v4.header();
                if h.is_fragmenting_payload() {
                    let p = v4.payload();
                    // The fragment's bytes: from the end of the IPv4 header to the end of
                    // the IP payload (an authentication header belongs to the datagram).
                    let start = offset_in(frame.data, h.slice()).map(|o| o + h.slice().len());
                    let end = offset_in(frame.data, p.payload).map(|o| o + p.payload.len());
                    let Some(data) = start.zip(end).and_then(|(s, e)| frame.data.get(s..e)) else {
                        self.stats.malformed_ip += 1;
                        return None;
                    };
                    let frag = Fragment {
                        v6: false,
                        src: IpAddr::V4(h.source_addr()),
                        dst: IpAddr::V4(h.destination_addr()),
                        id: u32::from(h.identification()),
                        proto: h.protocol(),
                        offset: h.fragments_offset(),
                        more: h.more_fragments(),
                        data,
                        incomplete: p.incomplete,
                    };
                    return self.fragment(frame, packet, frag);
                }
                let auth = v4.extensions().auth.map_or(0, |a| a.slice().len());
                let declared = usize::from(h.total_len()).saturating_sub(h.slice().len() + auth);
                (
                    v4.payload(),
                    IpAddr::V4(h.source_addr()),
                    IpAddr::V4(h.destination_addr()),
                    declared,
                    h.identification(),
                )
            }
            Some(LaxNetSlice::Ipv6(v6)) => {
                self.stats.ipv6 += 1;
                let h = v6.header();
                if v6.payload().fragmented {
                    let Some(frag) = ipv6_fragment(frame.data, v6.extensions(), v6.payload())
                    else {
                        self.stats.malformed_ip += 1;
                        return None;
                    };
                    let frag = Fragment {
                        v6: true,
                        src: IpAddr::V6(h.source_addr()),
                        dst: IpAddr::V6(h.destination_addr()),
                        ..frag
                    };
                    return self.fragment(frame, packet, frag);
                }
                let declared =
                    usize::from(h.payload_length()).saturating_sub(v6.extensions().slice().len());
                (
                    v6.payload(),
                    IpAddr::V6(h.source_addr()),
                    IpAddr::V6(h.destination_addr()),
                    declared,
                    0,
                )
            }
            Some(LaxNetSlice::Arp(_)) => {
                self.stats.non_ip += 1;
                return None;
            }
            None => {
                match &packet.stop_err {
                    Some((_, layer)) => self.count_stop(*layer),
                    None => self.stats.non_ip += 1,
                }
                return None;
            }
        };

        if let Some((_, layer)) = &packet.stop_err {
            self.count_stop(*layer);
            return None;
        }
        if ip_payload.ip_number != IpNumber::TCP {
            self.stats.non_tcp += 1;
            return None;
        }
        let Some(TransportSlice::Tcp(tcp)) = &packet.transport else {
            self.stats.malformed_tcp += 1;
            return None;
        };

        let captured = tcp.payload().len();
        let wire = if ip_payload.incomplete {
            // The IP length says more was sent than was captured.
            captured.saturating_add(declared.saturating_sub(ip_payload.payload.len()))
        } else if ip_payload.len_source == LenSource::Slice {
            // The IP length was unusable (TSO/GSO): trust the frame's lengths.
            let cut = (frame.orig_len as usize).saturating_sub(frame.data.len());
            captured.saturating_add(cut)
        } else {
            captured
        };
        let wire_len = u32::try_from(wire).unwrap_or(u32::MAX);
        if wire > captured {
            self.stats.snaplen_cut += 1;
        }
        self.stats.tcp_segments += 1;
        Some(segment(frame, src, dst, tcp, wire_len, ip_id))
    }

    /// Counts a packet whose parsing stopped at `layer`.
    fn count_stop(&mut self, layer: Layer) {
        match layer {
            Layer::LinuxSllHeader
            | Layer::Ethernet2Header
            | Layer::EtherPayload
            | Layer::VlanHeader
            | Layer::MacsecHeader
            | Layer::MacsecPacket => self.stats.malformed_link += 1,
            Layer::TcpHeader => self.stats.malformed_tcp += 1,
            Layer::UdpHeader
            | Layer::UdpPayload
            | Layer::Icmpv4
            | Layer::Icmpv4Timestamp
            | Layer::Icmpv4TimestampReply
            | Layer::Icmpv6
            | Layer::Igmp => self.stats.non_tcp += 1,
            Layer::Arp => self.stats.non_ip += 1,
            _ => self.stats.malformed_ip += 1,
        }
    }

    /// Adds a fragment to its datagram; returns the segment when the datagram completes.
    fn fragment<'a>(
        &'a mut self,
        frame: RawFrame<'a>,
        packet: &LaxSlicedPacket<'a>,
        frag: Fragment<'a>,
    ) -> Option<Segment<'a>> {
        self.stats.fragments += 1;
        // Only TCP is of interest: do not let other protocols' fragments fill the pool.
        let tcp_possible = frag.proto == IpNumber::TCP
            || frag.proto == IpNumber::AUTHENTICATION_HEADER
            || (frag.v6
                && matches!(
                    frag.proto,
                    IpNumber::IPV6_DESTINATION_OPTIONS | IpNumber::IPV6_ROUTE_HEADER
                ));
        if !tcp_possible {
            self.stats.non_tcp += 1;
            return None;
        }
        if frag.incomplete {
            // A fragment cut by the snaplen leaves a hole that can never be filled.
            self.stats.fragments_dropped += 1;
            return None;
        }
        let mut key = FragKey {
            src: frag.src,
            dst: frag.dst,
            id: frag.id,
            proto: frag.proto.0,
            vlans: [0; 3],
        };
        for (slot, vlan) in key.vlans.iter_mut().zip(packet.vlan_ids()) {
            // Keep 0 free for "no tag".
            *slot = vlan.value() | 0x8000;
        }
        let done = self
            .frags
            .add(key, frame.ts, &frag, &self.limits, &mut self.stats)?;
        self.stats.reassembled += 1;
        let old = std::mem::replace(&mut self.reassembled, done);
        if self.frags.spare_data.len() < 8 {
            self.frags.spare_data.push(old);
        }

        // Find the TCP header behind any extension headers, counting what is not TCP.
        let Some((start, number)) = transport_start(&self.reassembled, frag.proto, frag.v6) else {
            self.stats.malformed_ip += 1;
            return None;
        };
        if number != IpNumber::TCP {
            self.stats.non_tcp += 1;
            return None;
        }
        // Checked here, while `self` can still be updated; parsed again below for the
        // borrow that the returned segment keeps.
        let tcp_ok = self
            .reassembled
            .get(start..)
            .is_some_and(|b| TcpSlice::from_slice(b).is_ok());
        if !tcp_ok {
            self.stats.malformed_tcp += 1;
            return None;
        }
        self.stats.tcp_segments += 1;
        let this: &'a Decoder = self;
        let tcp = TcpSlice::from_slice(this.reassembled.get(start..)?).ok()?;
        let wire_len = u32::try_from(tcp.payload().len()).unwrap_or(u32::MAX);
        Some(segment(
            frame,
            frag.src,
            frag.dst,
            &tcp,
            wire_len,
            frag.id as u16,
        ))
    }
}

/// Builds the segment from a parsed TCP header.
fn segment<'a>(
    frame: RawFrame<'_>,
    src: IpAddr,
    dst: IpAddr,
    tcp: &TcpSlice<'a>,
    wire_len: u32,
    ip_id: u16,
) -> Segment<'a> {
    let (mss, wscale, sack_permitted) = handshake_options(tcp.options());
    Segment {
        frame: frame.number,
        ts: frame.ts,
        src: Endpoint::new(src, tcp.source_port()),
        dst: Endpoint::new(dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        flags: TcpFlags(tcp.header_slice().get(13).copied().unwrap_or(0)),
        window: tcp.window_size(),
        urgent: tcp.urgent_pointer(),
        payload: tcp.payload(),
        wire_len,
        mss,
        wscale,
        sack_permitted,
        ip_id,
        checksum: tcp.checksum(),
    }
}

/// MSS, window scale and SACK-permitted from a TCP header's option bytes (the fast and
/// the general path both read them here). The options of nearly every segment after the
/// handshake are none, or two NOPs and a timestamp: those carry none of the three and
/// skip the iterator.
#[inline]
fn handshake_options(opts: &[u8]) -> (Option<u16>, Option<u8>, bool) {
    if opts.is_empty() || (opts.len() == 12 && opts[..4] == [1, 1, 8, 10]) {
        return (None, None, false);
    }
    let (mut mss, mut wscale, mut sack_permitted) = (None, None, false);
    for option in etherparse::TcpOptionsIterator::from_slice(opts) {
        match option {
            Ok(TcpOptionElement::MaximumSegmentSize(m)) => mss = Some(m),
            Ok(TcpOptionElement::WindowScale(w)) => wscale = Some(w),
            Ok(TcpOptionElement::SelectiveAcknowledgementPermitted) => sack_permitted = true,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    (mss, wscale, sack_permitted)
}

/// Where `inner` starts inside `outer`, if it is a subslice of it.
fn offset_in(outer: &[u8], inner: &[u8]) -> Option<usize> {
    let off = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    (off.checked_add(inner.len())? <= outer.len()).then_some(off)
}

/// Start of the transport header in a reassembled datagram whose first header is `proto`,
/// skipping the authentication header (and, for IPv6, extension headers); `None` when those
/// headers are malformed.
fn transport_start(data: &[u8], proto: IpNumber, v6: bool) -> Option<(usize, IpNumber)> {
    if v6 {
        let (exts, number, _, err) = Ipv6ExtensionsSlice::from_slice_lax(proto, data);
        err.is_none().then(|| (exts.slice().len(), number))
    } else if proto == IpNumber::AUTHENTICATION_HEADER {
        let auth = IpAuthHeaderSlice::from_slice(data).ok()?;
        Some((auth.slice().len(), auth.next_header()))
    } else {
        Some((0, proto))
    }
}

/// One fragment's reassembly facts.
struct Fragment<'a> {
    v6: bool,
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    /// The protocol of the reassembled payload (IPv6: the fragment header's next header).
    proto: IpNumber,
    offset: IpFragOffset,
    more: bool,
    /// The fragment's bytes: everything after the IPv4 header / IPv6 fragment header.
    data: &'a [u8],
    /// The capture cut this fragment.
    incomplete: bool,
}

/// The fragment header of an IPv6 packet and the bytes after it. Later extension headers
/// belong to the fragmentable part and are parsed after reassembly.
fn ipv6_fragment<'a>(
    frame: &'a [u8],
    exts: &Ipv6ExtensionsSlice<'a>,
    payload: &LaxIpPayloadSlice<'a>,
) -> Option<Fragment<'a>> {
    let header = exts.clone().into_iter().find_map(|e| match e {
        Ipv6ExtensionSlice::Fragment(f) => Some(f),
        _ => None,
    })?;
    let start = offset_in(frame, header.slice())?.checked_add(header.slice().len())?;
    let end = offset_in(frame, payload.payload)?.checked_add(payload.payload.len())?;
    Some(Fragment {
        v6: true,
        src: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        dst: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        id: header.identification(),
        proto: header.next_header(),
        offset: header.fragment_offset(),
        more: header.more_fragments(),
        data: frame.get(start..end)?,
        incomplete: payload.incomplete,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct FragKey {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    proto: u8,
    /// VLAN ids with bit 15 set, 0 where there is no tag.
    vlans: [u16; 3],
}

struct FragEntry {
    key: FragKey,
    buf: IpDefragBuf,
    first_ts: i64,
    fragments: u64,
    bytes: usize,
}

/// Datagrams being reassembled; a short list scanned linearly (fragments are rare and the
/// list is bounded), with spare buffers reused so steady state does not allocate.
#[derive(Default)]
struct FragPool {
    entries: Vec<FragEntry>,
    bytes: usize,
    /// Capture time at which the oldest entry expires.
    next_expiry: Option<i64>,
    spare_data: Vec<Vec<u8>>,
    spare_sections: Vec<Vec<IpFragRange>>,
}

impl FragPool {
    fn recycle(&mut self, e: FragEntry) {
        let (data, sections) = e.buf.take_bufs();
        self.keep_spare(data, sections);
    }

    fn keep_spare(&mut self, data: Vec<u8>, sections: Vec<IpFragRange>) {
        // Keep a handful of spares; more would only hold memory.
        if self.spare_data.len() < 8 {
            self.spare_data.push(data);
        }
        if self.spare_sections.len() < 8 {
            self.spare_sections.push(sections);
        }
    }

    fn remove(&mut self, index: usize, stats: &mut DecodeStats) {
        let e = self.entries.swap_remove(index);
        self.bytes = self.bytes.saturating_sub(e.bytes);
        stats.fragments_dropped += e.fragments;
        self.recycle(e);
    }

    fn update_expiry(&mut self, timeout: i64) {
        self.next_expiry = self
            .entries
            .iter()
            .map(|e| e.first_ts.saturating_add(timeout))
            .min();
    }

    /// Drops datagrams older than the timeout (capture time).
    fn expire(&mut self, now: Timestamp, timeout: i64, stats: &mut DecodeStats) {
        match self.next_expiry {
            Some(t) if now.0 > t => {}
            _ => return,
        }
        let mut i = 0;
        while i < self.entries.len() {
            if now.0 > self.entries[i].first_ts.saturating_add(timeout) {
                self.remove(i, stats);
            } else {
                i += 1;
            }
        }
        self.update_expiry(timeout);
    }

    fn oldest_except(&self, keep: Option<usize>) -> Option<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != keep)
            .min_by_key(|(_, e)| e.first_ts)
            .map(|(i, _)| i)
    }

    /// Adds a fragment; returns the datagram's bytes once complete.
    fn add(
        &mut self,
        key: FragKey,
        ts: Timestamp,
        frag: &Fragment<'_>,
        limits: &DecodeLimits,
        stats: &mut DecodeStats,
    ) -> Option<Vec<u8>> {
        let mut index = self.entries.iter().position(|e| e.key == key);
        if index.is_none() {
            if limits.max_fragment_buffers == 0 {
                stats.fragments_dropped += 1;
                return None;
            }
            while self.entries.len() >= limits.max_fragment_buffers {
                let oldest = self.oldest_except(None)?;
                self.remove(oldest, stats);
            }
            let data = self.spare_data.pop().unwrap_or_default();
            let sections = self.spare_sections.pop().unwrap_or_default();
            self.entries.push(FragEntry {
                key,
                buf: IpDefragBuf::new(frag.proto, data, sections),
                first_ts: ts.0,
                fragments: 0,
                bytes: 0,
            });
            index = Some(self.entries.len() - 1);
            self.update_expiry(limits.fragment_timeout_ns);
        }
        let mut i = index?;
        let entry = self.entries.get_mut(i)?;
        entry.fragments += 1;
        if entry.buf.add(frag.offset, frag.more, frag.data).is_err() {
            // Inconsistent fragments (unaligned, conflicting ends, too long): give up on
            // the datagram.
            self.remove(i, stats);
            self.update_expiry(limits.fragment_timeout_ns);
            return None;
        }
        let new_bytes = entry.buf.data().len();
        self.bytes = self
            .bytes
            .saturating_sub(entry.bytes)
            .saturating_add(new_bytes);
        entry.bytes = new_bytes;
        // Byte bound: evict the oldest other datagrams, then this one if still too big.
        while self.bytes > limits.max_fragment_bytes {
            match self.oldest_except(Some(i)) {
                Some(j) => {
                    self.remove(j, stats);
                    // swap_remove moved the last entry into j.
                    if i == self.entries.len() {
                        i = j;
                    }
                }
                None => {
                    self.remove(i, stats);
                    self.update_expiry(limits.fragment_timeout_ns);
                    return None;
                }
            }
        }
        if !self.entries.get(i)?.buf.is_complete() {
            self.update_expiry(limits.fragment_timeout_ns);
            return None;
        }
        let e = self.entries.swap_remove(i);
        self.bytes = self.bytes.saturating_sub(e.bytes);
        self.update_expiry(limits.fragment_timeout_ns);
        let (data, sections) = e.buf.take_bufs();
        if self.spare_sections.len() < 8 {
            self.spare_sections.push(sections);
        }
        Some(data)
    }
}

mod fast;
#[cfg(test)]
mod tests;
