//! TCP connection tracking: one state machine per connection, both directions reassembled.
//!
//! Input: [`Segment`](crate::decode::Segment)s in capture order. Output, through a [`FlowHandler`]:
//! * `open`: a new connection appeared; the handler says whether it wants its bytes
//!   (FTP control) or only counts (data and everything else), and gives it a token;
//! * `stream`: in-order bytes, gaps and ends of each direction of a content connection;
//! * `closed`: the connection left the table, with its [`ConnRecord`]: handshake steps and
//!   RTT, close steps in order with each endpoint's RFC state, Zeek `conn_state` and
//!   `history`, per-direction byte and segment counts, retransmissions, missed bytes.
//!
//! Rules:
//! * The initiator (`orig`) is the sender of the first SYN. With no SYN (the capture started
//!   mid-connection) the side using a known server port is the responder; failing that, the
//!   sender of the first packet is the initiator, and the record says `midstream`.
//! * A SYN with a new initial sequence number on a closed or reset connection's addresses
//!   starts a new connection (port reuse).
//! * A hole in a direction is declared missing as soon as a segment of the peer that
//!   acknowledges it and carries bytes arrives (its sender had the hole's bytes: they come
//!   before what it says), or after `reorder_tolerance` packets of the hole's own direction
//!   once a bare ACK acknowledged it (capture-point reordering), or once
//!   `unacked_hole_tolerance` packets of its direction arrived beyond it without any
//!   acknowledgment, when the connection ends, or when a bound forces it. Bytes keep the
//!   [`Stamp`] of the segment that carried them, however late they are delivered.
//! * A segment without SYN starts a new connection on the same addresses and ports only on
//!   evidence (the old one ended, or never got past its handshake, or a side sends after
//!   its own FIN, or both sequence spaces are new); an open connection whose sequence
//!   numbers jump (a sampled or filtered capture) stays one connection with holes.
//! * Identical copies of a packet (two capture interfaces, a SPAN port) and replays of an
//!   ended connection (a file merged with itself) are counted as duplicates, not analysed
//!   again.
//! * Bounded: connections in the table (the least recently active is evicted and counted),
//!   held out-of-order bytes per direction and in total, close-step and segment notes.
//!
//! | module | job |
//! |---|---|
//! | [`table`](TcpTable) | finds or starts each segment's connection; sweeps, evicts |
//! | `flow` | one connection: sequence spaces, handshake, close, counters |
//! | `key` | the table's key: both endpoints in a fixed order |
//! | [`reassembly`] | one direction put back in order (bytes, or covered ranges only) |
//! | `duplicates` | packets captured twice, replays of ended connections |
//! | [`seq`] | wrap-aware sequence numbers |
//! | [`state`] | RFC 793 states, Zeek's `conn_state` and `history` |

mod duplicates;
mod flow;
mod key;
pub mod reassembly;
pub mod seq;
pub mod state;
mod table;

use crate::endpoint::Endpoint;
pub use crate::model::capture::TcpStats;
pub use crate::model::conn::{
    Close, CloseKind, CloseStep, ConnId, ConnRecord, DirStats, EndReason, Handshake, HandshakeStep,
    SegmentNote, Side, TcpState,
};
use crate::time::Timestamp;
pub use reassembly::Stamp;
#[cfg(test)]
pub(crate) use table::SHORTCUT_TAKEN;
pub use table::TcpTable;

/// Bounds and policies of the connection table.
#[derive(Debug, Clone)]
pub struct TcpConfig {
    /// Connections tracked at once; beyond it the least recently active is evicted.
    pub max_connections: usize,
    /// Connections tracked at once whose SYN got no answer yet; beyond it the oldest is
    /// finished (a SYN flood then costs a bounded table, not a flow per SYN).
    pub max_half_open: usize,
    /// Out-of-order bytes held per content direction.
    pub max_held_bytes_per_stream: usize,
    /// Out-of-order bytes held across all connections.
    pub max_held_bytes_total: usize,
    /// Out-of-order ranges held per counted direction.
    pub max_held_ranges_per_stream: usize,
    /// First bytes of a counted direction kept as a preview.
    pub preview_bytes: usize,
    /// A connection silent this long (capture time) is finished.
    pub idle_timeout: i64,
    /// A closed connection stays this long to absorb late retransmissions.
    pub closed_linger: i64,
    /// Packets of a hole's own direction that may arrive after the peer acknowledged the
    /// hole with a bare ACK before it is declared missing (reordering at the capture
    /// point). A segment of the peer that carries bytes and acknowledges the hole declares
    /// it missing at once.
    pub reorder_tolerance: u32,
    /// Packets of a direction that may arrive beyond a hole nobody acknowledged before it
    /// is declared missing (the peer's acknowledgments may be missing from the capture).
    pub unacked_hole_tolerance: u32,
    /// Ports whose side is the responder when no SYN was seen (FTP control ports).
    pub server_ports: Vec<u16>,
    /// Keep a note of every segment (for `-v`), up to this many per connection.
    pub max_segment_notes: usize,
    /// Send every segment through the general path, none through the shortcut for
    /// in-order bulk data (tests compare the two).
    pub general_path_only: bool,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            max_connections: 1 << 17,
            max_half_open: 4096,
            max_held_bytes_per_stream: 1 << 20,
            max_held_bytes_total: 16 << 20,
            max_held_ranges_per_stream: 256,
            preview_bytes: 512,
            idle_timeout: 2 * 3600 * 1_000_000_000,
            closed_linger: 2 * 1_000_000_000,
            reorder_tolerance: 3,
            unacked_hole_tolerance: 8,
            server_ports: vec![21, 990],
            max_segment_notes: 0,
            general_path_only: false,
        }
    }
}

/// What the handler learns when a connection appears.
#[derive(Debug, Clone, Copy)]
pub struct ConnInfo {
    /// Connection number, in order of first packet.
    pub id: ConnId,
    /// The initiator (guessed from the ports when midstream).
    pub orig: Endpoint,
    /// The responder.
    pub resp: Endpoint,
    /// Capture time of the connection's first packet.
    pub ts: Timestamp,
    /// Frame number of the connection's first packet.
    pub frame: u64,
    /// No SYN: the connection began before the capture (or its SYN was lost).
    pub midstream: bool,
}

/// The handler's answer to [`FlowHandler::open`].
#[derive(Debug, Clone, Copy)]
pub struct Interest {
    /// Opaque number handed back with every later call.
    pub token: u32,
    /// Deliver the bytes (true) or only count them (false).
    pub content: bool,
    /// For a counted connection: show the handler its first bytes ([`FlowHandler::sniff`])
    /// until it decides; it may then ask for the bytes after all.
    pub sniff: bool,
    /// For a counted connection: also hand its bytes to [`FlowHandler::tapped`] as they
    /// first arrive (file extraction and hashing; off, it costs nothing).
    pub tap: bool,
}

/// Bytes of a tapped connection ([`Interest::tap`]), for a consumer that puts them in
/// order itself: each byte comes once (the first copy), at its stream offset.
#[derive(Debug)]
pub enum TapEvent<'a> {
    /// Bytes first seen, at this offset of the direction's stream.
    Bytes {
        /// Stream offset of the first byte.
        offset: u64,
        /// The bytes the capture holds (a snaplen may have cut the rest: never tapped).
        bytes: &'a [u8],
    },
    /// The direction is over: its stream is `len` bytes long (bytes never tapped are
    /// missing); `moved`: its start moved after bytes were tapped (a late SYN), so the
    /// offsets given before were wrong.
    End {
        /// Length of the stream.
        len: u64,
        /// The stream's start moved after bytes were tapped.
        moved: bool,
    },
}

/// The handler's answer to [`FlowHandler::sniff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Show me more.
    Undecided,
    /// Not interesting: count it.
    No,
    /// Deliver its bytes from the start (the ones so far come at once, in capture order,
    /// each with its own stamp).
    Claim,
}

/// A piece of one direction's stream, in order.
#[derive(Debug)]
pub enum StreamEvent<'a> {
    /// Bytes of the stream, in order.
    Bytes(&'a [u8]),
    /// Bytes missing from the capture (or cut by the snaplen).
    Gap(u64),
    /// The direction ended. `closed`: its sender closed it (FIN or RST); otherwise the
    /// capture simply holds no more of it (capture end, eviction, idle timeout).
    End {
        /// Its sender closed it (FIN or RST).
        closed: bool,
    },
}

/// Receives what the table learns.
pub trait FlowHandler {
    /// A connection appeared: say whether to deliver its bytes, count them, or sniff them.
    fn open(&mut self, info: &ConnInfo) -> Interest;
    /// A piece of one direction's stream; `stamp` dates it (for bytes: the segment that
    /// carried them, even when reassembly released them later).
    fn stream(&mut self, token: u32, side: Side, event: StreamEvent<'_>, stamp: Stamp);
    /// The connection left the table; `record` is everything known about it.
    fn closed(&mut self, token: u32, record: ConnRecord);
    /// The first bytes of a connection opened with `sniff` grew (`first[0]` from the
    /// initiator, `first[1]` from the responder).
    fn sniff(&mut self, _token: u32, _info: &ConnInfo, _first: [&[u8]; 2]) -> Sniffed {
        Sniffed::No
    }
    /// Bytes of a connection opened with [`Interest::tap`] (before [`FlowHandler::closed`]).
    fn tapped(&mut self, _token: u32, _side: Side, _event: TapEvent<'_>) {}
}

#[cfg(test)]
mod tests;
