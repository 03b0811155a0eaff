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
use crate::ftp::reply::Continuation;
use crate::time::Timestamp;
use serde::Serialize;

pub mod capture;
pub mod conn;
pub mod content;
pub mod events;
pub mod listing;
pub mod records;
pub mod steps;
pub mod text;

pub use capture::{
    BoundCounters, BruteForceRun, CaptureInfo, DecodeStats, FilterSummary, InputProblem,
    InputSummary, LiveCounters, TcpStats,
};
pub use conn::{
    Close, CloseKind, CloseStep, ConnId, ConnRecord, DirStats, EndReason, Handshake, HandshakeStep,
    SegmentNote, Side, TcpState,
};
pub use content::ContentFacts;
pub use text::WireText;

/// Version of the JSON layout, written as `schema_version` in every report.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole analysis of a run: every FTP session, the unlinked data connections and
/// the capture's summary (the `--format json` document).
#[derive(Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`] of this document.
    pub schema_version: u32,
    /// The program and version that wrote the report.
    pub tool: Tool,
    /// Every FTP session, one per control connection.
    pub sessions: Vec<Session>,
    /// Connections that look like FTP data (between an FTP session's hosts) but match no
    /// negotiation, or matched one that no transfer command used.
    pub unlinked_data_connections: Vec<UnlinkedConnection>,
    /// Firewall and NAT advice, one element per server ([`crate::advice`]).
    pub advice: Vec<crate::advice::ServerAdvice>,
    /// Last: its counters are known only at the end, and `--format json` writes the
    /// sessions as they finish (see `report::json::DocumentWriter`).
    pub capture: CaptureInfo,
    /// Statistics over the sessions (bounded, see [`crate::stats`]); after the capture.
    pub stats: crate::stats::StatsReport,
}

impl Report {
    /// A report of the capture's summary alone (its sessions went to a sink).
    pub fn summary(capture: CaptureInfo) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::ftpflow(),
            sessions: Vec::new(),
            unlinked_data_connections: Vec::new(),
            advice: Vec::new(),
            capture,
            stats: crate::stats::Stats::new().report(),
        }
    }
}

/// The program that wrote the report.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// The program's name, `ftpflow`.
    pub name: &'static str,
    /// The program's version.
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

/// The outcome of a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Login {
    /// The server accepted it (230, or 202 for a needless PASS/ACCT).
    Success,
    /// The server refused it (a 4xx or 5xx reply to USER, PASS or ACCT).
    Failed,
    /// No verdict in the capture (no login, no reply, or only 331/332 "need password").
    Unknown,
}

/// How a data connection was set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The client listens and the server connects (PORT, EPRT, LPRT).
    Active,
    /// The server listens and the client connects (PASV, EPSV, LPSV).
    Passive,
}

impl Mode {
    /// Its word in reports (the same as in JSON).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Active => "active",
            Mode::Passive => "passive",
        }
    }
}

/// Which way a transfer's data flows.
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

/// How a transfer ended, from its final reply.
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

impl Status {
    /// Its word in reports (the same as in JSON).
    pub fn name(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Aborted => "aborted",
            Status::Failed => "failed",
            Status::Incomplete => "incomplete",
        }
    }
}

/// One FTP session: a control connection with its commands, replies, transfers and findings.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// Session number, in order of the control connections' start (1-based).
    pub id: u32,
    /// The FTP client's control endpoint.
    pub client: Endpoint,
    /// The FTP server's control endpoint.
    pub server: Endpoint,
    /// Capture time of the control connection's first packet.
    pub start: Timestamp,
    /// Capture time of the control connection's last packet.
    pub end: Timestamp,
    /// Seconds from `start` to `end`.
    pub duration: f64,
    /// The server's greeting (normally 220); `null` when the capture lacks it.
    pub greeting: Option<ReplyRecord>,
    /// The last USER argument, `null` when no USER was seen.
    pub user: Option<WireText>,
    /// The session's login outcome: `success` if any attempt succeeded, else `failed` if any
    /// failed, else `unknown`.
    pub login: Login,
    /// Each USER (or login reply without its USER), in order.
    pub login_attempts: Vec<LoginAttempt>,
    /// Set when AUTH TLS/SSL was accepted: what follows is encrypted and not parsed.
    pub tls: Option<TlsStart>,
    /// "active", "passive", "mixed", or null when no transfer was negotiated.
    pub mode: Option<&'static str>,
    /// Every command the client sent (bounded), in order, each with its replies.
    pub commands: Vec<CommandRecord>,
    /// Replies before any command of the capture (it started mid-session): no command in
    /// the capture asked for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replies_without_command: Vec<ReplyRecord>,
    /// Every transfer command (RETR, STOR, LIST, ...), in order, with its data connection.
    pub transfers: Vec<Transfer>,
    /// The control connection's TCP record.
    pub control: ConnRecord,
    /// Protocol oddities and explanations, in frame order.
    pub findings: Vec<Finding>,
    /// Counts and byte totals over the session's commands and transfers.
    pub summary: SessionSummary,
}

/// Totals of one session.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionSummary {
    /// Commands the client sent, including those past the storage bound.
    pub commands: u64,
    /// Transfer commands.
    pub transfers: u64,
    /// Transfers with status `complete`.
    pub transfers_complete: u64,
    /// Transfers with status `failed` or `aborted`.
    pub transfers_failed: u64,
    /// Bytes carried by downloads (RETR).
    pub bytes_downloaded: u64,
    /// Bytes carried by uploads (STOR, STOU, APPE).
    pub bytes_uploaded: u64,
    /// Bytes carried by directory listings (LIST, NLST, MLSD).
    pub listing_bytes: u64,
}

/// One login: a USER command and the replies to it and to the PASS/ACCT that followed.
#[derive(Debug, Clone, Serialize)]
pub struct LoginAttempt {
    /// The USER argument; `null` when the USER command is not in the capture.
    pub user: Option<WireText>,
    /// Capture time of the USER command (of the first login reply when USER is missing).
    pub ts: Timestamp,
    /// Frame number of the USER command (of the first login reply when USER is missing).
    pub frame: u64,
    /// Whether the login succeeded, from the last login reply.
    pub result: Login,
    /// Code of the last reply to USER, PASS or ACCT; `null` when none came.
    pub reply_code: Option<u16>,
}

impl LoginAttempt {
    /// A login whose user is not known yet (inferred USER, or a capture started after it).
    pub fn unknown(ts: Timestamp, frame: u64) -> LoginAttempt {
        LoginAttempt {
            user: None,
            ts,
            frame,
            result: Login::Unknown,
            reply_code: None,
        }
    }
}

/// Where the control connection switched to TLS.
#[derive(Debug, Clone, Serialize)]
pub struct TlsStart {
    /// What started TLS: `AUTH TLS`, `AUTH SSL`, ... or `implicit TLS (FTPS)`.
    pub command: String,
    /// Capture time of the server's acceptance (234), or of the first TLS bytes for implicit
    /// FTPS.
    pub ts: Timestamp,
    /// Frame number of that packet.
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
    /// Capture time of the packet that closed TLS on the second side.
    pub ts: Timestamp,
    /// Frame number of that packet.
    pub frame: u64,
}

/// One command of the client, with every reply assigned to it.
#[derive(Debug, Clone, Serialize)]
pub struct CommandRecord {
    /// Capture time of the packet that carried the command line.
    pub ts: Timestamp,
    /// Frame number of the packet that carried the command line.
    pub frame: u64,
    /// The verb, uppercased: `USER`, `RETR`, `PORT`, ...
    pub command: String,
    /// Exactly as sent (lossy UTF-8), or masked for PASS.
    pub arg: Option<WireText>,
    /// Length of the whole argument when `arg` was cut at the line bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arg_len: Option<usize>,
    /// The line was longer than the line bound, so `arg` is cut.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub arg_truncated: bool,
    /// `arg` is a masked password (`********`); `--show-passwords` shows it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
    /// Code of the final (non-1xx) reply; `null` when none came.
    pub reply_code: Option<u16>,
    /// Text of the final reply's last line; `null` when none came.
    pub reply_text: Option<WireText>,
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

impl CommandRecord {
    /// A command the capture does not show but the session implies (a reply naming it, a
    /// data connection of an encrypted session): `verb`, no argument, no reply yet.
    pub fn inferred(ts: Timestamp, frame: u64, verb: &str) -> CommandRecord {
        CommandRecord {
            ts,
            frame,
            command: verb.to_string(),
            arg: None,
            arg_len: None,
            arg_truncated: false,
            masked: false,
            reply_code: None,
            reply_text: None,
            replies: Vec::new(),
            data_endpoint: None,
            port_arithmetic: None,
            address_error: None,
            transfer: None,
            after_gap: false,
            telnet_interrupt: false,
            inferred: true,
        }
    }
}

/// One server reply (all lines of a multi-line reply).
#[derive(Debug, Clone, Serialize)]
pub struct ReplyRecord {
    /// Capture time of the packet that completed the reply.
    pub ts: Timestamp,
    /// Frame number of the packet that completed the reply.
    pub frame: u64,
    /// None: a line where a reply was expected that is not one.
    pub code: Option<u16>,
    /// Text of the last line (the only line of a one-line reply).
    pub text: WireText,
    /// Every line's text, for multi-line replies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<WireText>,
    /// For a multi-line reply with middle lines, how they were framed on the wire:
    /// `plain` (sent as text), `code` (each repeating `211-`) or `mixed`. `lines` keep the
    /// text without codes; the first line was sent as `211-`, the last as `211 `.
    #[serde(skip_serializing_if = "Continuation::is_none")]
    pub continuation: Continuation,
    /// Lines the reply really had (kept or not).
    pub line_count: usize,
    /// Some of the reply's text was not kept (a bound cut a line or dropped lines).
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
    /// Text of the first line (the only line of a one-line reply).
    pub fn first_text(&self) -> &str {
        self.first_line()
    }

    /// The first line (the only line of a one-line reply), with its bytes as sent.
    pub fn first_line(&self) -> &WireText {
        self.lines.first().unwrap_or(&self.text)
    }
}

/// One transfer command (RETR, STOR, STOU, APPE, LIST, NLST, MLSD) and its data.
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    /// Transfer number within the session (1-based); commands refer to it.
    pub id: u32,
    /// The transfer command's verb.
    pub command: String,
    /// Its argument as sent; `null` when it had none.
    pub arg: Option<WireText>,
    /// The file transferred (the argument); `null` for listings and for commands without one.
    pub file_name: Option<WireText>,
    /// Capture time of the transfer command.
    pub ts: Timestamp,
    /// Frame number of the transfer command.
    pub frame: u64,
    /// Index in the session's `commands`.
    pub command_index: usize,
    /// Active or passive, from the negotiation in force; `null` when none was seen.
    pub mode: Option<Mode>,
    /// The command that negotiated the data connection (`PORT`, `PASV`, `EPSV`, ...); `null`
    /// when none was seen.
    pub setup: Option<String>,
    /// Index in `commands` of the PORT/EPRT/LPRT/PASV/EPSV/LPSV that set this transfer up.
    pub setup_command_index: Option<usize>,
    /// The endpoint that negotiation announced; `null` when none was seen.
    pub data_endpoint: Option<Endpoint>,
    /// How the announced port was computed ("200*256+100 = 51300"), for the commands that
    /// send it as two bytes (PORT, PASV, LPRT, LPSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_arithmetic: Option<String>,
    /// Download, upload or listing.
    pub direction: Direction,
    /// The data connection that carried it; `null` when none was matched to it.
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
    /// Code of the transfer command's final reply; `null` when none came.
    pub reply_code: Option<u16>,
    /// Text of that reply's last line; `null` when none came.
    pub reply_text: Option<WireText>,
    /// How the transfer ended, from the final reply.
    pub status: Status,
    /// Size in bytes the server announced (`(1234 bytes)` in a reply to the command, or a
    /// SIZE answer for the same file before a download); `null` when not announced.
    pub announced_size: Option<u64>,
    /// Byte offset from a REST before the command (a resumed transfer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest_offset: Option<u64>,
    /// The name the server gave an STOU upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_as: Option<WireText>,
    /// The transfer was inferred from a data connection of an encrypted session (the
    /// command and the announcement are in TLS): `command` is "?".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// The data connection carries TLS (PROT P): bytes counted, content not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub encrypted: bool,
    /// First bytes of a listing (for the timeline), not serialized.
    #[serde(skip)]
    pub preview: Vec<u8>,
    /// A listing transfer's entries, read from what the capture kept of it (LIST, NLST,
    /// MLSD with a data connection, not encrypted); omitted on other transfers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<listing::Listing>,
    /// Hashes, type and missing ranges of the transfer's bytes, and the file they were
    /// extracted to: only when asked for (`--extract`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentFacts>,
}

/// A data connection in FTP terms, with its TCP record.
#[derive(Debug, Clone, Serialize)]
pub struct DataConnection {
    /// The FTP client's end of the data connection.
    pub client: Endpoint,
    /// The FTP server's end of the data connection.
    pub server: Endpoint,
    /// "client", "server", or "unknown" (no SYN in the capture).
    pub opened_by: &'static str,
    /// How the connection was matched to the negotiation.
    pub link: LinkNote,
    /// The connection's TCP record (flattened into this object).
    #[serde(flatten)]
    pub tcp: ConnRecord,
}

/// How a data connection was matched to the endpoint a negotiation announced.
#[derive(Debug, Clone, Serialize)]
pub struct LinkNote {
    /// The connection's listening endpoint equals the announced one.
    pub exact: bool,
    /// Why not, in words (NAT rewriting, a rewritten capture, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A connection that looks like FTP data but carried no transfer.
#[derive(Debug, Clone, Serialize)]
pub struct UnlinkedConnection {
    /// The session whose hosts it connects, if any.
    pub session: Option<u32>,
    /// Why it is not linked, in words.
    pub reason: String,
    /// The connection's TCP record (flattened into this object).
    #[serde(flatten)]
    pub tcp: ConnRecord,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// An explanation; nothing is wrong.
    Info,
    /// Something unusual or risky that may explain a problem.
    Warning,
    /// Something failed or is broken.
    Error,
}

/// A protocol oddity or an explanation worth the user's attention.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// How much it matters (from the catalogue).
    pub severity: Severity,
    /// Stable identifier, e.g. `pasv_address_differs` (the catalogue:
    /// [`crate::ftp::findings`]).
    pub kind: crate::ftp::findings::FindingKind,
    /// What happened, in words, with the specifics of this case.
    pub message: String,
    /// Capture time of the packet it is about; absent when it concerns no single packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<Timestamp>,
    /// Frame number of the packet it is about; absent when it concerns no single packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    /// The transfer (its `id`) it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<u32>,
}
