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
    #[serde(rename = "LISTEN")]
    Listen,
    #[serde(rename = "SYN-SENT")]
    SynSent,
    #[serde(rename = "SYN-RECEIVED")]
    SynReceived,
    #[serde(rename = "ESTABLISHED")]
    Established,
    #[serde(rename = "FIN-WAIT-1")]
    FinWait1,
    #[serde(rename = "FIN-WAIT-2")]
    FinWait2,
    #[serde(rename = "CLOSE-WAIT")]
    CloseWait,
    #[serde(rename = "CLOSING")]
    Closing,
    #[serde(rename = "LAST-ACK")]
    LastAck,
    #[serde(rename = "TIME-WAIT")]
    TimeWait,
    #[serde(rename = "CLOSED")]
    Closed,
}

impl TcpState {
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
    pub ts: Timestamp,
    pub frame: u64,
    pub seq: u32,
    pub ack: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wscale: Option<u8>,
}

/// The three-way handshake as seen.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Handshake {
    pub syn: Option<HandshakeStep>,
    pub syn_ack: Option<HandshakeStep>,
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
    #[serde(rename = "FIN")]
    Fin,
    /// A FIN that also acknowledges the peer's FIN (three-way close).
    #[serde(rename = "FIN+ACK")]
    FinAck,
    /// The acknowledgment of the peer's FIN.
    #[serde(rename = "ACK")]
    Ack,
    #[serde(rename = "RST")]
    Rst,
}

/// One packet of the close, with both endpoints' states after it.
#[derive(Debug, Clone, Serialize)]
pub struct CloseStep {
    pub ts: Timestamp,
    pub frame: u64,
    pub from: Side,
    pub kind: CloseKind,
    pub orig_state: TcpState,
    pub resp_state: TcpState,
}

/// How the connection ended.
#[derive(Debug, Clone, Serialize)]
pub struct Close {
    /// Who sent the first FIN or RST.
    pub initiator: Side,
    /// "four-way", "three-way", "simultaneous", "reset", or "incomplete".
    pub style: &'static str,
    pub complete: bool,
    pub steps: Vec<CloseStep>,
    /// Payload the other side still sent after the first FIN (a real half-close in use).
    pub bytes_after_first_fin: u64,
}

/// Per-direction counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DirStats {
    /// Distinct payload bytes seen (reassembled; retransmissions counted once).
    pub bytes: u64,
    pub segments: u64,
    pub data_segments: u64,
    pub retransmitted_segments: u64,
    pub retransmitted_bytes: u64,
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
    pub zero_windows: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_data_ts: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_data_ts: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_data_frame: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_data_frame: Option<u64>,
}

/// A segment, for the verbose timeline.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentNote {
    pub ts: Timestamp,
    pub frame: u64,
    pub from: Side,
    pub flags: String,
    /// Offset of the first payload byte in the sender's stream.
    pub offset: i64,
    pub len: u64,
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
    pub id: ConnId,
    pub orig: Endpoint,
    pub resp: Endpoint,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub first_frame: u64,
    pub last_frame: u64,
    pub packets: u64,
    /// The capture has no SYN for it: who opened it is a guess.
    pub midstream: bool,
    pub handshake: Option<Handshake>,
    pub close: Option<Close>,
    /// Zeek `conn_state`.
    pub state: &'static str,
    /// Zeek `history`.
    pub history: String,
    pub orig_state: TcpState,
    pub resp_state: TcpState,
    pub orig_to_resp: DirStats,
    pub resp_to_orig: DirStats,
    pub end: EndReason,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentNote>,
    /// Segments not noted because of the bound.
    #[serde(skip_serializing_if = "is_zero")]
    pub segments_not_noted: u64,
    /// First in-order bytes of each direction of a counted connection.
    #[serde(skip)]
    pub preview: [Vec<u8>; 2],
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

    pub fn dir(&self, from: Side) -> &DirStats {
        match from {
            Side::Orig => &self.orig_to_resp,
            Side::Resp => &self.resp_to_orig,
        }
    }
    pub fn endpoint(&self, side: Side) -> Endpoint {
        match side {
            Side::Orig => self.orig,
            Side::Resp => self.resp,
        }
    }
    pub fn duration(&self) -> f64 {
        self.last_ts.secs_since(self.first_ts).max(0.0)
    }
    pub fn preview(&self, from: Side) -> &[u8] {
        &self.preview[from.idx()]
    }
}
