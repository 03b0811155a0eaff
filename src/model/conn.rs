//! A TCP connection as the analysis reports it: handshake, close, per-direction counters,
//! Zeek's `conn_state` and `history`. The TCP table ([`crate::tcp`]) fills these in; every
//! report shows them (the JSON `control` and `data` objects, the timeline's steps).

use crate::endpoint::Endpoint;
use crate::time::Timestamp;
use serde::Serialize;

/// Sequential connection number, in order of first packet.
pub type ConnId = u64;

/// A direction's sender, relative to the connection's initiator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The initiator: the endpoint that sent the SYN (guessed when the SYN is not in the capture).
    Orig,
    /// The responder: the endpoint the SYN went to.
    Resp,
}

impl Side {
    /// The opposite side.
    pub fn other(self) -> Side {
        match self {
            Side::Orig => Side::Resp,
            Side::Resp => Side::Orig,
        }
    }
    /// 0 for the initiator, 1 for the responder (index into per-direction arrays).
    pub fn idx(self) -> usize {
        match self {
            Side::Orig => 0,
            Side::Resp => 1,
        }
    }
}

/// RFC 793 connection states, as inferred for one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TcpState {
    /// Waiting for a connection request.
    #[serde(rename = "LISTEN")]
    Listen,
    /// Sent a SYN, waiting for the SYN-ACK.
    #[serde(rename = "SYN-SENT")]
    SynSent,
    /// Received a SYN and answered it, waiting for the handshake's ACK.
    #[serde(rename = "SYN-RECEIVED")]
    SynReceived,
    /// Open: the handshake completed (or the connection was seen mid-stream).
    #[serde(rename = "ESTABLISHED")]
    Established,
    /// Sent a FIN, not yet acknowledged.
    #[serde(rename = "FIN-WAIT-1")]
    FinWait1,
    /// Its FIN was acknowledged; waiting for the peer's FIN.
    #[serde(rename = "FIN-WAIT-2")]
    FinWait2,
    /// Received the peer's FIN; has not sent its own yet.
    #[serde(rename = "CLOSE-WAIT")]
    CloseWait,
    /// Both sides sent a FIN at once; waiting for the acknowledgment of its own.
    #[serde(rename = "CLOSING")]
    Closing,
    /// Received the peer's FIN, then sent its own; waiting for its acknowledgment.
    #[serde(rename = "LAST-ACK")]
    LastAck,
    /// Both FINs exchanged and acknowledged; lingering for late segments.
    #[serde(rename = "TIME-WAIT")]
    TimeWait,
    /// No connection: fully closed, or reset.
    #[serde(rename = "CLOSED")]
    Closed,
}

impl TcpState {
    /// The RFC 793 name, as serialized: `ESTABLISHED`, `FIN-WAIT-1`, ...
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
            TcpState::Closed => "CLOSED",
        }
    }
}

/// One handshake packet.
#[derive(Debug, Clone, Serialize)]
pub struct HandshakeStep {
    /// Capture time of the packet.
    pub ts: Timestamp,
    /// Frame number of the packet.
    pub frame: u64,
    /// Its sequence number (absolute, as on the wire).
    pub seq: u32,
    /// Its acknowledgment number (absolute, as on the wire; meaningless on a bare SYN).
    pub ack: u32,
    /// Maximum segment size option it carried, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    /// Window scale shift option it carried, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wscale: Option<u8>,
}

/// The three-way handshake as seen.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Handshake {
    /// The initiator's SYN; `null` when the capture lacks it.
    pub syn: Option<HandshakeStep>,
    /// The responder's SYN-ACK; `null` when the capture lacks it.
    pub syn_ack: Option<HandshakeStep>,
    /// The initiator's ACK completing the handshake; `null` when not seen.
    pub ack: Option<HandshakeStep>,
    /// SYNs sent again with the same initial sequence number.
    pub syn_retransmits: u32,
    /// Those retransmitted SYNs (the first few), to show them as steps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub syn_retransmissions: Vec<HandshakeStep>,
    /// SYN to the handshake's ACK, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtt: Option<f64>,
    /// SYN to SYN-ACK: the capture point to the responder and back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtt_resp_side: Option<f64>,
    /// SYN-ACK to ACK: the capture point to the initiator and back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtt_orig_side: Option<f64>,
}

/// What a close step was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CloseKind {
    /// A FIN sent before the peer's FIN was received.
    #[serde(rename = "FIN")]
    Fin,
    /// A FIN that also acknowledges the peer's FIN (three-way close).
    #[serde(rename = "FIN+ACK")]
    FinAck,
    /// The acknowledgment of the peer's FIN.
    #[serde(rename = "ACK")]
    Ack,
    /// A reset.
    #[serde(rename = "RST")]
    Rst,
}

/// One packet of the close, with both endpoints' states after it.
#[derive(Debug, Clone, Serialize)]
pub struct CloseStep {
    /// Capture time of the packet.
    pub ts: Timestamp,
    /// Frame number of the packet.
    pub frame: u64,
    /// Which side sent it.
    pub from: Side,
    /// What it was.
    pub kind: CloseKind,
    /// The initiator's state after it.
    pub orig_state: TcpState,
    /// The responder's state after it.
    pub resp_state: TcpState,
}

/// How the connection ended.
#[derive(Debug, Clone, Serialize)]
pub struct Close {
    /// Who sent the first FIN or RST.
    pub initiator: Side,
    /// "four-way", "three-way", "simultaneous", "reset", or "incomplete".
    pub style: &'static str,
    /// Both FINs were acknowledged, or a reset ended the connection.
    pub complete: bool,
    /// The close's packets, in capture order.
    pub steps: Vec<CloseStep>,
    /// Payload the other side still sent after the first FIN (a real half-close in use).
    pub bytes_after_first_fin: u64,
}

/// Per-direction counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DirStats {
    /// Distinct payload bytes seen (reassembled; retransmissions counted once).
    pub bytes: u64,
    /// Segments this side sent, with or without payload.
    pub segments: u64,
    /// Segments that carried payload.
    pub data_segments: u64,
    /// Segments that carried only bytes already seen.
    pub retransmitted_segments: u64,
    /// Payload bytes seen more than once (retransmitted or overlapping).
    pub retransmitted_bytes: u64,
    /// Segments whose bytes arrived before the bytes preceding them.
    pub out_of_order_segments: u64,
    /// Bytes the sender sent that the capture does not have.
    pub missed_bytes: u64,
    /// When bytes are missing: the size of the sequence space the capture saw this
    /// direction use (first to last byte), which `bytes` and `missed_bytes` share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_span: Option<u64>,
    /// Bytes seen only by length because the capture's snaplen cut them.
    pub snaplen_cut_bytes: u64,
    /// Retransmitted bytes that differ from the first copy (first copy kept).
    pub inconsistent_retransmissions: u64,
    /// Segments advertising a zero receive window (the sender's buffer is full).
    pub zero_windows: u64,
    /// Capture time of the first segment with new payload; absent when none carried any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_data_ts: Option<Timestamp>,
    /// Capture time of the last segment with new payload; absent when none carried any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_data_ts: Option<Timestamp>,
    /// Frame number of the first segment with new payload; absent when none carried any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_data_frame: Option<u64>,
    /// Frame number of the last segment with new payload; absent when none carried any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_data_frame: Option<u64>,
}

/// A segment, for the verbose timeline.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentNote {
    /// Capture time of the segment.
    pub ts: Timestamp,
    /// Frame number of the segment.
    pub frame: u64,
    /// Which side sent it.
    pub from: Side,
    /// Its TCP flags joined by `-`: `ACK`, `PSH-ACK`, `FIN-ACK`, ...
    pub flags: String,
    /// Offset of the first payload byte in the sender's stream.
    pub offset: i64,
    /// Payload length on the wire, in bytes.
    pub len: u64,
    /// Offset in the peer's stream up to which it acknowledges (the next byte it expects),
    /// when it carries an ACK and the peer's stream start is known; for the timeline.
    #[serde(skip)]
    pub acked: Option<i64>,
    /// "retransmission", "partial overlap" or "out of order"; absent for an ordinary segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// Why a connection left the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Closed by FIN or RST (and the linger time passed, or the capture ended).
    Closed,
    /// Still open when the capture ended.
    CaptureEnd,
    /// Silent longer than the idle timeout.
    IdleTimeout,
    /// Pushed out of the full connection table.
    Evicted,
    /// A new connection (new SYN) reused its addresses.
    PortReused,
}

/// Everything known about one connection when it leaves the table.
#[derive(Debug, Clone, Serialize)]
pub struct ConnRecord {
    /// Connection number, in order of first packet (1-based).
    pub id: ConnId,
    /// The initiator's endpoint.
    pub orig: Endpoint,
    /// The responder's endpoint.
    pub resp: Endpoint,
    /// Capture time of its first packet.
    pub first_ts: Timestamp,
    /// Capture time of its last packet.
    pub last_ts: Timestamp,
    /// Frame number of its first packet.
    pub first_frame: u64,
    /// Frame number of its last packet.
    pub last_frame: u64,
    /// Packets of this connection, both directions (identical copies counted once).
    pub packets: u64,
    /// The capture has no SYN for it: who opened it is a guess.
    pub midstream: bool,
    /// The three-way handshake; `null` when neither SYN nor SYN-ACK is in the capture.
    pub handshake: Option<Handshake>,
    /// How it closed; `null` when no FIN or RST was seen.
    pub close: Option<Close>,
    /// Zeek `conn_state`.
    pub state: &'static str,
    /// Zeek `history`.
    pub history: String,
    /// The initiator's TCP state at the end.
    pub orig_state: TcpState,
    /// The responder's TCP state at the end.
    pub resp_state: TcpState,
    /// Counters of the initiator-to-responder direction.
    pub orig_to_resp: DirStats,
    /// Counters of the responder-to-initiator direction.
    pub resp_to_orig: DirStats,
    /// Why the connection left the table.
    pub end: EndReason,
    /// Segments noted for the verbose timeline (`--verbose` only, bounded; omitted when
    /// empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentNote>,
    /// Segments not noted because of the bound.
    #[serde(skip_serializing_if = "is_zero")]
    pub segments_not_noted: u64,
    /// First in-order bytes of each direction of a counted connection.
    #[serde(skip)]
    pub preview: [Vec<u8>; 2],
    /// What each direction's bytes were (initiator's first), when hashing or extraction
    /// was asked for and the connection was tapped.
    #[serde(skip)]
    pub content: Option<Box<[Option<super::ContentFacts>; 2]>>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ConnRecord {
    /// Swaps initiator and responder: for a connection seen without its SYN whose real
    /// initiator became known later (a data connection matched to its announcement).
    pub fn flip(&mut self) {
        let swap = |s: Side| s.other();
        std::mem::swap(&mut self.orig, &mut self.resp);
        std::mem::swap(&mut self.orig_to_resp, &mut self.resp_to_orig);
        std::mem::swap(&mut self.orig_state, &mut self.resp_state);
        self.preview.swap(0, 1);
        if let Some(c) = &mut self.content {
            c.swap(0, 1);
        }
        for n in &mut self.segments {
            n.from = swap(n.from);
        }
        if let Some(c) = &mut self.close {
            c.initiator = swap(c.initiator);
            for st in &mut c.steps {
                st.from = swap(st.from);
                std::mem::swap(&mut st.orig_state, &mut st.resp_state);
            }
        }
        self.history = self
            .history
            .chars()
            .map(|c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
    }

    /// Counters of the direction sent by `from`.
    pub fn dir(&self, from: Side) -> &DirStats {
        match from {
            Side::Orig => &self.orig_to_resp,
            Side::Resp => &self.resp_to_orig,
        }
    }
    /// The endpoint of `side`.
    pub fn endpoint(&self, side: Side) -> Endpoint {
        match side {
            Side::Orig => self.orig,
            Side::Resp => self.resp,
        }
    }
    /// Seconds from the first to the last packet (never negative).
    pub fn duration(&self) -> f64 {
        self.last_ts.secs_since(self.first_ts).max(0.0)
    }
    /// The first in-order bytes `from` sent (kept for counted connections only).
    pub fn preview(&self, from: Side) -> &[u8] {
        &self.preview[from.idx()]
    }
}
