//! The analysis result: serde types that are the JSON contract.
//!
//! One [`Report`] per run, holding the capture's counters and every FTP [`Session`] with its
//! commands (each with all its replies), its transfers (each linked to the data connection
//! that really carried it) and its control connection's TCP record. Every renderer (timeline,
//! table, JSON, JSON Lines) reads this model; none of them looks at packets.
//!
//! Stable keys (see DESIGN.md): `schema_version`, `capture`, `sessions[].{id, client, server,
//! user, login, commands[].{ts, command, arg, reply_code, reply_text, data_endpoint},
//! transfers[].{command, arg, mode, setup, direction, data.{client, server}, bytes,
//! reply_code, status, announced_size}, control.{handshake, close, state, history}}`.
//! Keys are added around them, never renamed. Absent values are `null` for the stable keys
//! and omitted for optional extras.

use crate::endpoint::Endpoint;
use crate::time::Timestamp;
use serde::Serialize;

pub mod capture;
pub mod conn;
pub mod events;
pub mod records;
pub mod steps;

pub use capture::{
    BoundCounters, CaptureInfo, DecodeStats, InputProblem, InputSummary, LiveCounters, TcpStats,
};
pub use conn::{
    Close, CloseKind, CloseStep, ConnId, ConnRecord, DirStats, EndReason, Handshake, HandshakeStep,
    SegmentNote, Side, TcpState,
};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub sessions: Vec<Session>,
    /// Connections that look like FTP data (between an FTP session's hosts) but match no
    /// negotiation, or matched one that no transfer command used.
    pub unlinked_data_connections: Vec<UnlinkedConnection>,
    /// Last: its counters are known only at the end, and `--format json` writes the
    /// sessions as they finish (see `report::json::DocumentWriter`).
    pub capture: CaptureInfo,
}

impl Report {
    /// A report of the capture's summary alone (its sessions went to a sink).
    pub fn summary(capture: CaptureInfo) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::ftpflow(),
            sessions: Vec::new(),
            unlinked_data_connections: Vec::new(),
            capture,
        }
    }
}

/// The program that wrote the report.
#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    /// This program.
    pub fn ftpflow() -> Tool {
        Tool {
            name: "ftpflow",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Login {
    Success,
    Failed,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Active,
    Passive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Server to client (RETR).
    Download,
    /// Client to server (STOR, STOU, APPE).
    Upload,
    /// A directory listing, server to client (LIST, NLST, MLSD).
    Listing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 226 or 250 (any 2xx final reply).
    Complete,
    /// 426: the transfer was cut off (typically after ABOR).
    Aborted,
    /// 425, 451, 550 and other negative replies.
    Failed,
    /// No final reply before the capture (or the control connection) ended.
    Incomplete,
}

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: u32,
    pub client: Endpoint,
    pub server: Endpoint,
    pub start: Timestamp,
    pub end: Timestamp,
    pub duration: f64,
    pub greeting: Option<ReplyRecord>,
    pub user: Option<String>,
    pub login: Login,
    pub login_attempts: Vec<LoginAttempt>,
    /// Set when AUTH TLS/SSL was accepted: what follows is encrypted and not parsed.
    pub tls: Option<TlsStart>,
    /// "active", "passive", "mixed", or null when no transfer was negotiated.
    pub mode: Option<&'static str>,
    pub commands: Vec<CommandRecord>,
    /// Replies before any command of the capture (it started mid-session): no command in
    /// the capture asked for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replies_without_command: Vec<ReplyRecord>,
    pub transfers: Vec<Transfer>,
    pub control: ConnRecord,
    pub findings: Vec<Finding>,
    pub summary: SessionSummary,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionSummary {
    pub commands: u64,
    pub transfers: u64,
    pub transfers_complete: u64,
    pub transfers_failed: u64,
    pub bytes_downloaded: u64,
    pub bytes_uploaded: u64,
    pub listing_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginAttempt {
    pub user: Option<String>,
    pub ts: Timestamp,
    pub frame: u64,
    pub result: Login,
    pub reply_code: Option<u16>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TlsStart {
    pub command: String,
    pub ts: Timestamp,
    pub frame: u64,
    /// Bytes seen on the control connection after TLS began (client→server, server→client).
    pub encrypted_bytes: [u64; 2],
    /// Implicit FTPS: the connection opened with a TLS handshake (no AUTH).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub implicit: bool,
    /// Both sides closed TLS (as after CCC) and plain text followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<TlsEnd>,
}

/// Where the control connection went back to plain text.
#[derive(Debug, Clone, Serialize)]
pub struct TlsEnd {
    pub ts: Timestamp,
    pub frame: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommandRecord {
    pub ts: Timestamp,
    pub frame: u64,
    pub command: String,
    /// Exactly as sent (lossy UTF-8), or masked for PASS.
    pub arg: Option<String>,
    /// Length of the whole argument when `arg` was cut at the line bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arg_len: Option<usize>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub arg_truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
    pub reply_code: Option<u16>,
    pub reply_text: Option<String>,
    /// Every reply assigned to this command, preliminary ones included, in order.
    pub replies: Vec<ReplyRecord>,
    /// The data endpoint this command announced (PORT/EPRT/LPRT) or got (PASV/EPSV/LPSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_endpoint: Option<Endpoint>,
    /// The port arithmetic, as the articles teach it: "200*256+100 = 51300".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_arithmetic: Option<String>,
    /// Why an address argument or reply could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_error: Option<String>,
    /// The transfer this command started (its `id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<u32>,
    /// The line began after bytes missing from the capture.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_gap: bool,
    /// Telnet interrupt (IP) / synch (DM) sent with this command (ABOR as RFC 959 asks).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub telnet_interrupt: bool,
    /// The command is not in the capture: its reply names it (227 answers a PASV). `ts`
    /// and `frame` are the reply's; `arg` is unknown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyRecord {
    pub ts: Timestamp,
    pub frame: u64,
    /// None: a line where a reply was expected that is not one.
    pub code: Option<u16>,
    /// Text of the last line (the only line of a one-line reply).
    pub text: String,
    /// Every line's text, for multi-line replies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    pub line_count: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub text_truncated: bool,
    /// Length of the reply's text before cutting, when cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_len: Option<usize>,
    /// The reply arrived when no command was waiting for one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unsolicited: bool,
}

impl ReplyRecord {
    pub fn first_text(&self) -> &str {
        self.lines.first().map(String::as_str).unwrap_or(&self.text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub id: u32,
    pub command: String,
    pub arg: Option<String>,
    pub file_name: Option<String>,
    pub ts: Timestamp,
    pub frame: u64,
    /// Index in the session's `commands`.
    pub command_index: usize,
    pub mode: Option<Mode>,
    pub setup: Option<String>,
    /// Index in `commands` of the PORT/EPRT/LPRT/PASV/EPSV/LPSV that set this transfer up.
    pub setup_command_index: Option<usize>,
    pub data_endpoint: Option<Endpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_arithmetic: Option<String>,
    pub direction: Direction,
    pub data: Option<DataConnection>,
    /// Reassembled payload bytes in the transfer's direction.
    pub bytes: Option<u64>,
    /// Bytes the capture is missing in the transfer's direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missed_bytes: Option<u64>,
    /// Seconds from the data connection's first to its last packet.
    pub duration: Option<f64>,
    /// Bytes per second over `duration`.
    pub throughput: Option<f64>,
    pub reply_code: Option<u16>,
    pub reply_text: Option<String>,
    pub status: Status,
    pub announced_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest_offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_as: Option<String>,
    /// First bytes of a listing (for the timeline), not serialized.
    #[serde(skip)]
    pub preview: Vec<u8>,
}

/// A data connection in FTP terms, with its TCP record.
#[derive(Debug, Clone, Serialize)]
pub struct DataConnection {
    pub client: Endpoint,
    pub server: Endpoint,
    /// "client", "server", or "unknown" (no SYN in the capture).
    pub opened_by: &'static str,
    /// How the connection was matched to the negotiation.
    pub link: LinkNote,
    #[serde(flatten)]
    pub tcp: ConnRecord,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkNote {
    /// The connection's listening endpoint equals the announced one.
    pub exact: bool,
    /// Why not, in words (NAT rewriting, a rewritten capture, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnlinkedConnection {
    /// The session whose hosts it connects, if any.
    pub session: Option<u32>,
    pub reason: String,
    #[serde(flatten)]
    pub tcp: ConnRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A protocol oddity or an explanation worth the user's attention.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier, e.g. `pasv_address_differs` (the catalogue:
    /// [`crate::ftp::findings`]).
    pub kind: crate::ftp::findings::FindingKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<u32>,
}
