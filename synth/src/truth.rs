//! Ground truth: what really happened, in ftpflow's JSON vocabulary.
//!
//! Recorded while a script runs (by [`crate::tcp`] and [`crate::ftp`]) and completed by
//! [`Truth::finalize`], which derives what follows from the record: each transfer's bytes,
//! reply code and status, each command's first final reply, the login outcome, handshake and
//! close styles, session numbering. Bookkeeping that only the generator needs (stream
//! offsets of every command and reply, links between records) is kept in `#[serde(skip)]`
//! fields so impairments can recompute what a capture still shows.
//!
//! Conventions: endpoints are `"ip:port"` (`"[v6]:port"`); a command's `arg` is the exact
//! text after the verb and its single space; `reply_codes` lists every reply that the FIFO
//! of pending commands gives that command, preliminary ones included; `reply_text` is the
//! text of the last line of the first final reply (`""` for a bare `221`). A transfer's
//! `bytes` is the payload its data connection carried in the transfer's direction (what the
//! receiver accepted: first copy wins) or `null` when there was no data connection; its
//! `data_conn` is present as soon as the connection was attempted (a SYN was sent).
//!
//! Frame numbers (`frame`, `reply_frames`, `greeting_frame`, `unsolicited_frames`) are
//! facts about one written capture, so they exist only once the trace is final:
//! [`crate::impair::observe`] computes them (and sets [`Truth::frames`]); a truth made by
//! [`Truth::finalize`] alone has none, and its JSON leaves the keys out.

use crate::packet::Side;
use serde::{Deserialize, Serialize};

/// Everything a capture contains.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub generator: String,
    pub packets: u64,
    pub sessions: Vec<SessionTruth>,
    /// Every TCP connection, ids `1..=n`: in order of creation for one script, of first
    /// packet for a merged capture ([`crate::sched`]).
    pub connections: Vec<ConnTruth>,
    pub non_ftp_tcp_connections: u32,
    pub unlinked_data_connections: u32,
    /// Impairments applied to the capture, in order (empty for a clean capture).
    pub impairments: Vec<String>,
    /// The frame-number fields were computed from the final trace (1-based, as Wireshark
    /// counts); when true, an absent `frame` means the capture does not hold the line.
    #[serde(default, skip_serializing_if = "is_false")]
    pub frames: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Control,
    Data,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Login {
    Success,
    Failed,
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Download,
    Upload,
    Listing,
}

impl Direction {
    /// The transfer direction of a data command (`None` for other verbs).
    pub fn of(verb: &str) -> Option<Direction> {
        match verb {
            "RETR" => Some(Direction::Download),
            "STOR" | "STOU" | "APPE" => Some(Direction::Upload),
            "LIST" | "NLST" | "MLSD" => Some(Direction::Listing),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Active,
    Passive,
}

/// The command that negotiated a data connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Setup {
    Port,
    Eprt,
    Lprt,
    Pasv,
    Epsv,
    Lpsv,
}

impl Setup {
    pub fn of(verb: &str) -> Option<Setup> {
        Some(match verb {
            "PORT" => Setup::Port,
            "EPRT" => Setup::Eprt,
            "LPRT" => Setup::Lprt,
            "PASV" => Setup::Pasv,
            "EPSV" => Setup::Epsv,
            "LPSV" => Setup::Lpsv,
            _ => return None,
        })
    }

    pub fn mode(self) -> Mode {
        match self {
            Setup::Port | Setup::Eprt | Setup::Lprt => Mode::Active,
            _ => Mode::Passive,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Complete,
    Aborted,
    Failed,
    Incomplete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandshakeKind {
    /// SYN, SYN-ACK, ACK.
    Complete,
    /// SYN-ACK sent but its ACK not (yet).
    Partial,
    /// SYN (and its retransmissions) never answered.
    Unanswered,
    /// SYN answered by RST.
    Refused,
    /// No SYN: the connection was already open.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloseKind {
    /// FIN, ACK, FIN, ACK (the peer ACKed the first FIN on its own before its FIN).
    FourWay,
    /// FIN, FIN+ACK, ACK.
    ThreeWay,
    /// Both FINs sent before either was received.
    Simultaneous,
    /// Only one side sent a FIN.
    HalfClosed,
    Rst,
    /// Neither FIN nor RST.
    Open,
}

/// One FTP control connection and what was said on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionTruth {
    /// 1-based, in order of the control connection's first packet.
    pub id: u32,
    pub client: String,
    pub server: String,
    /// Id of the control connection in [`Truth::connections`].
    pub control_conn: u32,
    pub user: Option<String>,
    pub login: Login,
    pub tls: bool,
    /// The reply sent before any command (normally 220); `None` when the session began
    /// before the capture (see [`crate::ftp::FtpSession::midstream`]).
    pub greeting: Option<u16>,
    /// Frame of the packet that completes the greeting, when the capture holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting_frame: Option<u64>,
    /// Replies that arrived while no command was waiting (after the greeting, or any reply
    /// of a session that began before the capture).
    pub unsolicited_replies: Vec<u16>,
    /// Parallel to `unsolicited_replies`: the frame completing each one, `null` when the
    /// capture does not hold it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsolicited_frames: Vec<Option<u64>>,
    pub commands: Vec<CommandTruth>,
    pub transfers: Vec<TransferTruth>,
    #[serde(skip)]
    pub(crate) greeting_wire: Option<ReplyWire>,
    #[serde(skip)]
    pub(crate) unsolicited_wire: Vec<ReplyWire>,
    /// Every data connection opened for this session, linked to a transfer or not: one
    /// that no transfer used still belongs to the session ([`ConnTruth::session`]).
    #[serde(skip)]
    pub(crate) data_conns: Vec<u32>,
    /// Implicit FTPS: the control connection is TLS from its first byte (no AUTH).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implicit_tls: bool,
    /// Data connections of the session opened while its control connection was
    /// encrypted: no command or announcement can be read, an analyzer can only infer
    /// them (ftpflow: transfers with `inferred: true`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred_transfers: Vec<InferredTruth>,
}

/// A data connection of an encrypted session: who opened it (the mode) and which way
/// the bulk of its bytes went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InferredTruth {
    pub data_conn: DataConnTruth,
    pub mode: Mode,
    pub direction: Direction,
    /// The data connection carries TLS (PROT P).
    pub encrypted: bool,
}

/// One command and the replies the FIFO of pending commands assigns to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandTruth {
    pub ts_ns: i64,
    pub command: String,
    pub arg: Option<String>,
    /// `null` for a line that answered the command but is not a valid reply (no 3-digit
    /// code; see [`crate::ftp::FtpSession::invalid_reply`]), as ftpflow's `code: null`.
    pub reply_codes: Vec<Option<u16>>,
    pub reply_code: Option<u16>,
    pub reply_text: Option<String>,
    pub data_endpoint: Option<String>,
    /// The command line and all its replies are in the capture (false only when an
    /// impairment lost some of their bytes).
    pub captured: bool,
    /// The command line is in the capture (its replies may not be).
    #[serde(default = "yes")]
    pub line_captured: bool,
    /// Codes of the replies whose bytes are all in the capture, in order (all of
    /// `reply_codes` in a clean capture).
    #[serde(default)]
    pub replies_captured: Vec<Option<u16>>,
    /// Frame of the packet that completes the command line (several pipelined commands
    /// share one); absent when the capture does not hold the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    /// Parallel to `reply_codes`: the frame completing each reply, `null` when the capture
    /// does not hold all of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_frames: Vec<Option<u64>>,
    #[serde(skip)]
    pub(crate) wire: CmdWire,
}

/// Where a command and its replies sit in the control streams (never serialized).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CmdWire {
    /// Client-to-server stream offsets of the command line.
    pub range: (u64, u64),
    pub replies: Vec<ReplyWire>,
    /// From the command itself (PORT/EPRT/LPRT).
    pub endpoint: Option<String>,
    pub transfer: Option<usize>,
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ReplyWire {
    /// `None` for a line that is not a valid reply.
    pub code: Option<u16>,
    pub last_text: String,
    /// Server-to-client stream offsets of the whole (possibly multi-line) reply.
    pub range: (u64, u64),
    /// From a 227/228/229 reply.
    pub endpoint: Option<String>,
}

/// One data transfer (LIST/NLST/MLSD/RETR/STOR/STOU/APPE).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferTruth {
    pub command: String,
    pub arg: Option<String>,
    pub direction: Direction,
    pub mode: Option<Mode>,
    pub setup: Option<Setup>,
    /// The endpoint as announced by PORT/EPRT/LPRT or 227/228/229.
    pub data_endpoint: Option<String>,
    pub data_conn: Option<DataConnTruth>,
    pub bytes: Option<u64>,
    pub status: Status,
    pub reply_code: Option<u16>,
    pub announced_size: Option<u64>,
    pub rest_offset: Option<u64>,
    pub stored_as: Option<String>,
    /// Bytes the endpoints exchanged that the capture does not hold (impairments only).
    pub missed_bytes: u64,
    /// The transfer command and its replies are in the capture (see `CommandTruth`).
    pub captured: bool,
    /// The transfer command's line is in the capture (its replies may not be).
    #[serde(default = "yes")]
    pub line_captured: bool,
    #[serde(skip)]
    pub(crate) cmd: usize,
    #[serde(skip)]
    pub(crate) aborted: bool,
}

/// The data connection a transfer used: `orig` sent the SYN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataConnTruth {
    pub conn: u32,
    pub orig: String,
    pub resp: String,
}

/// One TCP connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnTruth {
    pub id: u32,
    pub role: Role,
    pub session: Option<u32>,
    pub orig: String,
    pub resp: String,
    pub handshake: HandshakeKind,
    pub syn_retransmits: u32,
    pub close: CloseKind,
    pub close_first: Option<Side>,
    /// The side that had not sent a FIN kept sending data after the other side's FIN.
    pub data_after_fin: bool,
    pub bytes_orig: u64,
    pub bytes_resp: u64,
    pub isn_orig: u32,
    pub isn_resp: Option<u32>,
    pub packets: u64,
    pub first_ts_ns: i64,
    pub last_ts_ns: i64,
    /// Payload bytes sent but absent from the capture (impairments only).
    pub missed_orig: u64,
    pub missed_resp: u64,
    /// SYN, SYN-ACK and the handshake's ACK are all in the capture.
    pub handshake_seen: bool,
    /// Every FIN and RST the endpoints sent is in the capture (true when none was sent).
    pub close_seen: bool,
    #[serde(skip)]
    pub(crate) ev: ConnEvents,
    /// Set by [`crate::impair::observe`]: the `*_seen` and `missed_*` fields come from a
    /// capture rather than from the record.
    #[serde(skip)]
    pub(crate) observed: bool,
}

/// TCP events the close and handshake styles are derived from.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ConnEvents {
    pub syns: u32,
    pub syn_ack: bool,
    pub hs_ack: bool,
    pub refused: bool,
    /// FINs in order: sender, and whether that FIN also acknowledged the other's FIN.
    pub fins: Vec<(Side, bool)>,
    /// A pure ACK covering the other side's FIN was sent by this side (index = Side::idx).
    pub acked_fin_alone: [bool; 2],
    pub simultaneous: bool,
    pub rst: Option<Side>,
}

impl ConnTruth {
    pub(crate) fn new(id: u32, orig: String, resp: String, isn_orig: u32) -> ConnTruth {
        ConnTruth {
            id,
            role: Role::Other,
            session: None,
            orig,
            resp,
            handshake: HandshakeKind::None,
            syn_retransmits: 0,
            close: CloseKind::Open,
            close_first: None,
            data_after_fin: false,
            bytes_orig: 0,
            bytes_resp: 0,
            isn_orig,
            isn_resp: None,
            packets: 0,
            first_ts_ns: 0,
            last_ts_ns: 0,
            missed_orig: 0,
            missed_resp: 0,
            handshake_seen: false,
            close_seen: true,
            ev: ConnEvents::default(),
            observed: false,
        }
    }

    pub fn bytes(&self, side: Side) -> u64 {
        match side {
            Side::Orig => self.bytes_orig,
            Side::Resp => self.bytes_resp,
        }
    }

    pub(crate) fn bytes_mut(&mut self, side: Side) -> &mut u64 {
        match side {
            Side::Orig => &mut self.bytes_orig,
            Side::Resp => &mut self.bytes_resp,
        }
    }

    pub fn missed(&self, side: Side) -> u64 {
        match side {
            Side::Orig => self.missed_orig,
            Side::Resp => self.missed_resp,
        }
    }

    fn derive(&mut self) {
        let ev = &self.ev;
        self.syn_retransmits = ev.syns.saturating_sub(1);
        self.handshake = if ev.refused {
            HandshakeKind::Refused
        } else if ev.syns > 0 && ev.syn_ack && ev.hs_ack {
            HandshakeKind::Complete
        } else if ev.syn_ack {
            HandshakeKind::Partial
        } else if ev.syns > 0 {
            HandshakeKind::Unanswered
        } else {
            HandshakeKind::None
        };
        (self.close, self.close_first) = if let Some(by) = ev.rst {
            (CloseKind::Rst, Some(by))
        } else if ev.simultaneous {
            (CloseKind::Simultaneous, None)
        } else {
            match ev.fins.as_slice() {
                [] => (CloseKind::Open, None),
                [(first, _)] => (CloseKind::HalfClosed, Some(*first)),
                [(first, _), (second, _), ..] => {
                    if ev.acked_fin_alone[second.idx()] {
                        (CloseKind::FourWay, Some(*first))
                    } else {
                        (CloseKind::ThreeWay, Some(*first))
                    }
                }
            }
        };
        if !self.observed {
            self.handshake_seen = self.handshake == HandshakeKind::Complete;
            self.close_seen = true;
            self.missed_orig = 0;
            self.missed_resp = 0;
        }
    }
}

impl TransferTruth {
    fn derive(&mut self, cmd: &CommandTruth, conns: &[ConnTruth]) {
        self.reply_code = cmd.reply_code;
        self.captured = cmd.captured;
        self.line_captured = cmd.line_captured;
        self.status = if self.aborted || self.reply_code == Some(426) {
            Status::Aborted
        } else {
            match self.reply_code {
                None => Status::Incomplete,
                Some(c) if (200..300).contains(&c) => Status::Complete,
                Some(_) => Status::Failed,
            }
        };
        if let Some(dc) = &self.data_conn {
            let c = &conns[dc.conn as usize - 1];
            let side = self.sender_side();
            self.bytes = Some(c.bytes(side));
            self.missed_bytes = c.missed(side);
        } else {
            self.bytes = None;
            self.missed_bytes = 0;
        }
    }

    /// Which TCP side of the data connection carries the payload: active connections are
    /// opened by the server, passive ones by the client; uploads flow from the client.
    pub fn sender_side(&self) -> Side {
        let client_opened = self.mode != Some(Mode::Active);
        let client_sends = self.direction == Direction::Upload;
        if client_opened == client_sends {
            Side::Orig
        } else {
            Side::Resp
        }
    }
}

impl Truth {
    /// Derives every computed field from the record. Idempotent; call again after editing
    /// the record (impairments do).
    pub fn finalize(&mut self) {
        self.generator = format!("ftpflow-synth {}", env!("CARGO_PKG_VERSION"));
        for c in &mut self.connections {
            c.derive();
        }
        // Sessions are numbered in order of their control connection's first packet.
        let conns = &self.connections;
        self.sessions.sort_by_key(|s| {
            (
                conns[s.control_conn as usize - 1].first_ts_ns,
                s.control_conn,
            )
        });
        for (i, s) in self.sessions.iter_mut().enumerate() {
            s.id = i as u32 + 1;
        }
        for c in &mut self.connections {
            c.session = None;
        }
        let mut linked = vec![false; self.connections.len()];
        for s in &mut self.sessions {
            self.connections[s.control_conn as usize - 1].session = Some(s.id);
            for cmd in &mut s.commands {
                let first_final = cmd
                    .wire
                    .replies
                    .iter()
                    .find(|r| r.code.is_some_and(|c| c >= 200));
                cmd.reply_codes = cmd.wire.replies.iter().map(|r| r.code).collect();
                if self.impairments.is_empty() {
                    cmd.line_captured = true;
                    cmd.replies_captured = cmd.reply_codes.clone();
                }
                cmd.reply_code = first_final.and_then(|r| r.code);
                cmd.reply_text = first_final.map(|r| r.last_text.clone());
                cmd.data_endpoint = cmd.wire.endpoint.clone().or_else(|| {
                    first_final
                        .filter(|r| r.code.is_some_and(|c| (200..300).contains(&c)))
                        .and_then(|r| r.endpoint.clone())
                });
            }
            for t in &mut s.transfers {
                t.derive(&s.commands[t.cmd], &self.connections);
                if let Some(dc) = &t.data_conn {
                    linked[dc.conn as usize - 1] = true;
                    self.connections[dc.conn as usize - 1].session = Some(s.id);
                }
            }
            for t in &s.inferred_transfers {
                linked[t.data_conn.conn as usize - 1] = true;
            }
            (s.user, s.login, s.tls) = login_of(&s.commands);
            s.tls |= s.implicit_tls;
        }
        // A data connection opened for a session but used by no transfer is still that
        // session's (an analyzer lists it as the session's unlinked data connection).
        for s in &self.sessions {
            for &id in &s.data_conns {
                let c = &mut self.connections[id as usize - 1];
                c.session.get_or_insert(s.id);
            }
        }
        self.non_ftp_tcp_connections = self
            .connections
            .iter()
            .filter(|c| c.role == Role::Other)
            .count() as u32;
        self.unlinked_data_connections = self
            .connections
            .iter()
            .filter(|c| c.role == Role::Data && !linked[c.id as usize - 1])
            .count() as u32;
    }

    /// The connection with this id.
    pub fn conn(&self, id: u32) -> &ConnTruth {
        &self.connections[id as usize - 1]
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("truth serializes");
        s.push('\n');
        s
    }
}

/// The last USER's argument, the outcome of the last login attempt, and whether AUTH
/// succeeded (after which the control channel is encrypted).
fn login_of(cmds: &[CommandTruth]) -> (Option<String>, Login, bool) {
    let mut user = None;
    let mut login = Login::Unknown;
    let mut tls = false;
    for c in cmds {
        match (c.command.as_str(), c.reply_code) {
            ("USER", code) => {
                user = c.arg.clone();
                match code {
                    Some(230) => login = Login::Success,
                    Some(530) => login = Login::Failed,
                    _ => {}
                }
            }
            ("PASS", Some(230)) => login = Login::Success,
            ("PASS", Some(c)) if c >= 400 => login = Login::Failed,
            ("AUTH", Some(234)) => tls = true,
            _ => {}
        }
    }
    (user, login, tls)
}
