//! One FTP session: the control connection's state machine.
//!
//! Input: in-order bytes of each direction of a control connection (from the TCP layer),
//! cut into lines by [`LineSplitter`]. Output: the session's commands with their replies,
//! its login attempts, its negotiations (announced data endpoints) and its transfers, plus
//! [`Action`]s asking the tracker to register or cancel expected data connections.
//!
//! Rules (RFC 959 and what real servers do):
//! * Replies are matched to commands first-in first-out; 1xx replies are preliminary and
//!   leave the command waiting for its final reply; a multi-line reply counts once.
//!   A reply with no command waiting is kept on the last command (marked unsolicited),
//!   or is the greeting when no command was sent yet.
//! * A transfer command (LIST, NLST, MLSD, RETR, STOR, STOU, APPE) uses the session's
//!   current negotiation — the last PORT/EPRT/LPRT or PASV/EPSV/LPSV — not "the last
//!   command". The negotiation is spent once the transfer got a 1xx or a data connection;
//!   a transfer refused outright (550 with no data connection) leaves it for the next one.
//! * A new negotiation supersedes the previous one's unclaimed expectation.
//! * PASS is masked unless asked otherwise. AUTH accepted with 234 ends plain-text parsing
//!   (the rest is TLS) and the session says so.
//! * Bounded: stored commands, waiting commands, findings, line and reply sizes.

use crate::endpoint::Endpoint;
use crate::expect::ExpId;
use crate::ftp::address::{self, Announced};
use crate::ftp::command::parse_command;
use crate::ftp::line::{Line, LineSplitter};
use crate::ftp::meaning::reply_fits;
use crate::ftp::reply::{Reply, ReplyAssembler};
use crate::ftp::text;
use crate::model::{
    BoundCounters, CommandRecord, Direction, Finding, LinkNote, Login, LoginAttempt, Mode,
    ReplyRecord, Severity, TlsStart,
};
use crate::tcp::{ConnRecord, Side, StreamEvent};
use crate::time::Timestamp;
use std::collections::VecDeque;
use std::net::IpAddr;

/// Limits and display choices for sessions.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub max_line: usize,
    pub max_commands: usize,
    pub max_pending: usize,
    pub max_reply_lines: usize,
    pub max_reply_bytes: usize,
    pub max_findings: usize,
    pub show_passwords: bool,
    /// Record what happens in `SessionCore::out` for live events (streaming).
    pub emit: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_line: 8192,
            max_commands: 100_000,
            max_pending: 256,
            max_reply_lines: 1000,
            max_reply_bytes: 64 * 1024,
            max_findings: 1000,
            show_passwords: false,
            emit: false,
        }
    }
}

/// Something that just happened in the session, for live events (indices into the
/// session's records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    Greeting,
    Command(usize),
    /// Command index, reply index within it.
    Reply(usize, usize),
    Finding(usize),
    /// A transfer command got its final reply.
    TransferReplied(usize),
}

/// What the tracker must do for the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Register an expectation for this negotiation.
    Register(usize),
    /// Cancel this expectation (superseded or refused).
    Cancel(ExpId),
}

/// A data connection matched to a negotiation.
#[derive(Debug)]
pub struct ConnLink {
    pub token: u32,
    pub link: LinkNote,
    pub listener: Endpoint,
    pub connector: Endpoint,
    pub record: Option<ConnRecord>,
}

/// An announced data endpoint and what became of it.
#[derive(Debug)]
pub struct Negotiation {
    pub command_index: usize,
    pub setup: &'static str,
    pub mode: Mode,
    pub announced: Endpoint,
    pub arithmetic: Option<String>,
    pub ts: Timestamp,
    pub frame: u64,
    pub expectation: Option<ExpId>,
    /// The transfer that uses it.
    pub owner: Option<usize>,
    /// A transfer started on it or a connection used it: the next transfer needs a new one.
    pub spent: bool,
    pub conn: Option<ConnLink>,
}

/// A transfer command and what the control connection said about it.
#[derive(Debug)]
pub struct TransferState {
    pub command_index: usize,
    pub direction: Direction,
    /// The negotiation in force when the command was sent.
    pub negotiation: Option<usize>,
    pub rest_offset: Option<u64>,
    pub announced_size: Option<u64>,
    pub stored_as: Option<String>,
    pub preliminary: bool,
    pub final_code: Option<u16>,
}

/// Which way a line travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    ClientToServer,
    ServerToClient,
}

/// The parts of a session the line handler changes (split from the line splitters so a
/// splitter can call back into it).
#[derive(Debug)]
pub struct SessionCore {
    pub id: u32,
    pub client: Endpoint,
    pub server: Endpoint,
    cfg: SessionConfig,
    replies: ReplyAssembler,
    pending: VecDeque<usize>,
    pub commands: Vec<CommandRecord>,
    /// Index of the first command not stored (bound) — commands past it are counted only.
    commands_seen: u64,
    pub transfers: Vec<TransferState>,
    pub negotiations: Vec<Negotiation>,
    current_negotiation: Option<usize>,
    pending_rest: Option<u64>,
    last_size: Option<(String, u64)>,
    pub greeting: Option<ReplyRecord>,
    pub user: Option<String>,
    pub login_attempts: Vec<LoginAttempt>,
    pub tls: Option<TlsStart>,
    auth_command: Option<usize>,
    pub findings: Vec<Finding>,
    pub bounds: BoundCounters,
    pub actions: Vec<Action>,
    /// Live events not yet told (only with `SessionConfig::emit`).
    pub out: Vec<Out>,
    saw_clear_password: bool,
    replies_seen: u64,
    /// Bytes went missing (a capture gap) since the last reply that fitted its command:
    /// replies are re-aligned by what they can answer, not first-in first-out.
    resync: Option<Dir>,
    /// The next line of each direction may begin mid-line (after a gap, or at the start of
    /// a connection picked up mid-stream).
    maybe_partial: [bool; 2],
    /// The sender closed this direction (FIN/RST) rather than the capture ending.
    stream_closed: [bool; 2],
}

/// An FTP session in progress.
#[derive(Debug)]
pub struct SessionState {
    pub core: SessionCore,
    /// Which TCP side is the FTP client.
    pub client_side: Side,
    splitters: [LineSplitter; 2],
    ended: [bool; 2],
    pub control: Option<ConnRecord>,
}

impl SessionState {
    /// A session on a control connection; `midstream` when the capture started after it opened.
    pub fn new(
        id: u32,
        client: Endpoint,
        server: Endpoint,
        client_side: Side,
        midstream: bool,
        cfg: SessionConfig,
    ) -> SessionState {
        let splitters = [
            LineSplitter::new(cfg.max_line),
            LineSplitter::new(cfg.max_line),
        ];
        SessionState {
            core: SessionCore {
                id,
                client,
                server,
                replies: ReplyAssembler::new(cfg.max_reply_lines, cfg.max_reply_bytes),
                cfg,
                pending: VecDeque::new(),
                commands: Vec::new(),
                commands_seen: 0,
                transfers: Vec::new(),
                negotiations: Vec::new(),
                current_negotiation: None,
                pending_rest: None,
                last_size: None,
                greeting: None,
                user: None,
                login_attempts: Vec::new(),
                tls: None,
                auth_command: None,
                findings: Vec::new(),
                bounds: BoundCounters::default(),
                actions: Vec::new(),
                out: Vec::new(),
                saw_clear_password: false,
                replies_seen: 0,
                resync: None,
                maybe_partial: [midstream; 2],
                stream_closed: [false; 2],
            },
            client_side,
            splitters,
            ended: [false; 2],
            control: None,
        }
    }

    /// Feeds one piece of the control connection's stream.
    pub fn on_stream(&mut self, side: Side, event: StreamEvent<'_>, ts: Timestamp, frame: u64) {
        let dir = if side == self.client_side {
            Dir::ClientToServer
        } else {
            Dir::ServerToClient
        };
        let i = dir as usize;
        let core = &mut self.core;
        match event {
            StreamEvent::Bytes(bytes) => {
                if let Some(tls) = core.tls.as_mut() {
                    tls.encrypted_bytes[i] += bytes.len() as u64;
                    return;
                }
                self.splitters[i].push(bytes, &mut |line| core.on_line(dir, line, ts, frame));
            }
            StreamEvent::Gap(n) => {
                if let Some(tls) = core.tls.as_mut() {
                    tls.encrypted_bytes[i] += n;
                    return;
                }
                self.splitters[i].gap();
                if dir == Dir::ServerToClient {
                    core.replies.reset();
                }
                core.resync = Some(dir);
                core.maybe_partial[i] = true;
            }
            StreamEvent::End { closed } => {
                if self.ended[i] {
                    return;
                }
                self.ended[i] = true;
                // A line without its line end counts only if the sender closed the stream
                // right after it; if the capture just stops, the rest of it may follow.
                core.stream_closed[i] = closed;
                if core.tls.is_none() {
                    self.splitters[i].finish(&mut |line| core.on_line(dir, line, ts, frame));
                    if dir == Dir::ServerToClient
                        && let Some(reply) = core.replies.finish()
                    {
                        core.on_reply(reply, ts, frame);
                    }
                }
            }
        }
    }

    /// The control connection left the TCP table.
    pub fn on_control_closed(&mut self, record: ConnRecord) {
        self.control = Some(record);
    }
}

impl SessionCore {
    fn emit(&mut self, out: Out) {
        if self.cfg.emit {
            self.out.push(out);
        }
    }

    fn finding(
        &mut self,
        severity: Severity,
        kind: &'static str,
        message: String,
        ts: Timestamp,
        frame: u64,
    ) {
        if self.findings.len() >= self.cfg.max_findings {
            self.bounds.findings_not_stored += 1;
            return;
        }
        self.findings.push(Finding {
            severity,
            kind,
            message,
            ts: Some(ts),
            frame: Some(frame),
            transfer: None,
        });
        self.emit(Out::Finding(self.findings.len() - 1));
    }

    fn on_line(&mut self, dir: Dir, line: Line<'_>, ts: Timestamp, frame: u64) {
        if self.tls.is_some() {
            return;
        }
        if line.truncated {
            self.bounds.overlong_lines += 1;
            let what = if dir == Dir::ClientToServer {
                "command"
            } else {
                "reply"
            };
            self.finding(
                Severity::Warning,
                if dir == Dir::ClientToServer { "overlong_command" } else { "overlong_reply" },
                format!(
                    "a {what} line of {} bytes without a line end within {} bytes; kept the first {} bytes",
                    line.full_len, self.cfg.max_line, self.cfg.max_line
                ),
                ts,
                frame,
            );
        }
        if line.unterminated
            && !(self.stream_closed[dir as usize] && plausible_line(dir, line.text))
        {
            // Trailing bytes without a line end: the capture ended inside a line, or they do
            // not even look like a command or a reply. Say so; invent nothing.
            let who = if dir == Dir::ClientToServer {
                "client"
            } else {
                "server"
            };
            self.finding(
                Severity::Info,
                "partial_line",
                format!(
                    "the {who}'s stream ends with {} bytes that are not a complete line: {:?}",
                    line.full_len,
                    lossy_prefix(line.text, 40)
                ),
                ts,
                frame,
            );
            return;
        }
        let mut line = line;
        let partial = std::mem::take(&mut self.maybe_partial[dir as usize]);
        if partial {
            // The rest of a Telnet command cut by the gap (the DM after a lost IAC) is not
            // part of the line.
            let telnet = line.text.iter().take_while(|&&b| b >= 0xf0).count();
            if telnet > 0 && plausible_start(dir, &line.text[telnet..]) {
                line.text = &line.text[telnet..];
                line.telnet.synch = true;
            }
        }
        if partial && !plausible_start(dir, line.text) {
            // The line's beginning is not in the capture: no command or reply is invented.
            let who = if dir == Dir::ClientToServer {
                "client"
            } else {
                "server"
            };
            self.finding(
                Severity::Info,
                "partial_line",
                format!(
                    "the {who}'s line {:?} begins where bytes are missing from the capture; skipped it",
                    lossy_prefix(line.text, 40)
                ),
                ts,
                frame,
            );
            return;
        }
        match dir {
            Dir::ClientToServer => self.on_command_line(&line, ts, frame),
            Dir::ServerToClient => {
                if let Some(reply) = self.replies.push_line_with_len(line.text, line.full_len) {
                    self.on_reply(reply, ts, frame);
                }
            }
        }
    }

    fn on_command_line(&mut self, line: &Line<'_>, ts: Timestamp, frame: u64) {
        if line.text.is_empty() && !line.telnet.interrupt && !line.telnet.synch {
            return; // An empty line (a bare CR LF) is not a command.
        }
        let cmd = parse_command(line.text);
        let verb = cmd.verb.as_str().to_string();
        self.commands_seen += 1;
        if !cmd.well_formed {
            self.finding(
                Severity::Warning,
                "malformed_command",
                format!(
                    "client sent a line that is not an FTP command: {:?}",
                    lossy_prefix(line.text, 60)
                ),
                ts,
                frame,
            );
        }
        if self.commands.len() >= self.cfg.max_commands {
            self.bounds.commands_not_stored += 1;
            return;
        }
        let mut arg = cmd.arg.map(|a| String::from_utf8_lossy(a).into_owned());
        let arg_len = if line.truncated {
            // The line bound cut the argument: report its real length.
            Some(line.full_len.saturating_sub(cmd.verb_raw.len() + 1))
        } else {
            None
        };
        let mut masked = false;
        if verb == "PASS" {
            if self.tls.is_none() && !self.saw_clear_password {
                self.saw_clear_password = true;
                self.finding(
                    Severity::Info,
                    "clear_text_password",
                    "the password travels in clear text on the control connection (plain FTP, no AUTH TLS)".into(),
                    ts,
                    frame,
                );
            }
            if !self.cfg.show_passwords && arg.is_some() {
                arg = Some("********".into());
                masked = true;
            }
        }
        let index = self.commands.len();
        self.commands.push(CommandRecord {
            ts,
            frame,
            command: verb.clone(),
            arg,
            arg_len,
            arg_truncated: line.truncated,
            masked,
            reply_code: None,
            reply_text: None,
            replies: Vec::new(),
            data_endpoint: None,
            port_arithmetic: None,
            address_error: None,
            transfer: None,
            after_gap: line.after_gap,
            telnet_interrupt: line.telnet.interrupt || line.telnet.synch,
        });
        self.emit(Out::Command(index));
        if self.pending.len() >= self.cfg.max_pending {
            self.pending.pop_front();
            self.bounds.pending_commands_dropped += 1;
        }
        self.pending.push_back(index);

        let raw_arg = cmd.arg.unwrap_or(b"");
        match verb.as_str() {
            "USER" => {
                let user = self.commands[index].arg.clone();
                self.user = user.clone();
                self.login_attempts.push(LoginAttempt {
                    user,
                    ts,
                    frame,
                    result: Login::Unknown,
                    reply_code: None,
                });
            }
            "PORT" => self.on_active_setup(index, "PORT", address::parse_port(raw_arg), ts, frame),
            "EPRT" => self.on_active_setup(index, "EPRT", address::parse_eprt(raw_arg), ts, frame),
            "LPRT" => self.on_active_setup(index, "LPRT", address::parse_lprt(raw_arg), ts, frame),
            "REST" => {
                self.pending_rest = std::str::from_utf8(raw_arg)
                    .ok()
                    .and_then(|s| s.trim().parse().ok());
            }
            "AUTH" => self.auth_command = Some(index),
            "RETR" | "STOR" | "STOU" | "APPE" | "LIST" | "NLST" | "MLSD" => {
                self.on_transfer_command(index, &verb)
            }
            _ => {}
        }
    }

    fn on_active_setup(
        &mut self,
        index: usize,
        setup: &'static str,
        parsed: Result<Announced, address::AddressError>,
        ts: Timestamp,
        frame: u64,
    ) {
        match parsed {
            Ok(a) => {
                let ip = a.ip.unwrap_or(self.client.ip);
                let announced = Endpoint::new(ip, a.port);
                self.commands[index].data_endpoint = Some(announced);
                self.commands[index].port_arithmetic = a.arithmetic.clone();
                if ip != self.client.ip {
                    let bounce = !same_family(ip, self.client.ip) || a.port < 1024;
                    let (kind, msg) = if bounce && a.port < 1024 {
                        (
                            "port_bounce",
                            format!(
                                "{setup} asks the server to connect to {announced}, a privileged port on another host than the client {}: an FTP bounce",
                                self.client.ip
                            ),
                        )
                    } else {
                        (
                            "port_address_differs",
                            format!(
                                "{setup} announces {announced} but the client's address on the control connection is {}: \
                                 a NAT without FTP support, a rewritten capture, or a third host (FTP bounce)",
                                self.client.ip
                            ),
                        )
                    };
                    self.finding(Severity::Warning, kind, msg, ts, frame);
                }
                self.new_negotiation(
                    index,
                    setup,
                    Mode::Active,
                    announced,
                    a.arithmetic,
                    ts,
                    frame,
                );
            }
            Err(e) => {
                self.commands[index].address_error = Some(e.0.clone());
                self.finding(
                    Severity::Warning,
                    "bad_address",
                    format!("{setup}: {}", e.0),
                    ts,
                    frame,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn new_negotiation(
        &mut self,
        command_index: usize,
        setup: &'static str,
        mode: Mode,
        announced: Endpoint,
        arithmetic: Option<String>,
        ts: Timestamp,
        frame: u64,
    ) {
        self.supersede_current();
        let n = self.negotiations.len();
        if n == self.negotiations.capacity() {
            // Grow 1, 2, 4...: a Vec's first allocation would hold four of these large
            // records (3.6 KB) where most sessions use one (measured with heaptrack on
            // 10,000 concurrent sessions: a quarter of the memory).
            self.negotiations.reserve_exact(n.max(1));
        }
        self.negotiations.push(Negotiation {
            command_index,
            setup,
            mode,
            announced,
            arithmetic,
            ts,
            frame,
            expectation: None,
            owner: None,
            spent: false,
            conn: None,
        });
        self.current_negotiation = Some(n);
        self.actions.push(Action::Register(n));
        // A transfer command already waiting for a negotiation (pipelined) takes this one.
        if let Some(t) = self
            .transfers
            .iter()
            .rposition(|t| t.negotiation.is_none() && t.final_code.is_none() && !t.preliminary)
            && self.transfers[t].command_index > command_index
        {
            self.transfers[t].negotiation = Some(n);
            self.negotiations[n].owner = Some(t);
        }
    }

    /// The previous negotiation can no longer be used: drop its unclaimed expectation.
    fn supersede_current(&mut self) {
        if let Some(prev) = self.current_negotiation.take() {
            let p = &mut self.negotiations[prev];
            if p.conn.is_none()
                && let Some(e) = p.expectation.take()
            {
                self.actions.push(Action::Cancel(e));
            }
        }
    }

    fn on_transfer_command(&mut self, index: usize, verb: &str) {
        let direction = match verb {
            "RETR" => Direction::Download,
            "STOR" | "STOU" | "APPE" => Direction::Upload,
            _ => Direction::Listing,
        };
        let t = self.transfers.len();
        let negotiation = self
            .current_negotiation
            .filter(|&n| self.negotiations[n].owner.is_none() && !self.negotiations[n].spent);
        // A connection opened before the command (passive SYN before RETR) stays usable.
        let negotiation = negotiation.or_else(|| {
            self.current_negotiation.filter(|&n| {
                self.negotiations[n].owner.is_none() && self.negotiations[n].conn.is_some()
            })
        });
        if let Some(n) = negotiation {
            self.negotiations[n].owner = Some(t);
        }
        let rest_offset = match direction {
            Direction::Listing => None,
            _ => self.pending_rest.take(),
        };
        let announced_size = match (&self.last_size, &self.commands[index].arg) {
            (Some((path, size)), Some(arg)) if direction == Direction::Download && path == arg => {
                Some(*size)
            }
            _ => None,
        };
        self.commands[index].transfer = Some(t as u32 + 1);
        self.transfers.push(TransferState {
            command_index: index,
            direction,
            negotiation,
            rest_offset,
            announced_size,
            stored_as: None,
            preliminary: false,
            final_code: None,
        });
    }

    fn on_reply(&mut self, reply: Reply, ts: Timestamp, frame: u64) {
        self.replies_seen += 1;
        if reply.text_truncated {
            self.bounds.reply_lines_dropped += 1;
        }
        let record = ReplyRecord {
            ts,
            frame,
            code: reply.code,
            text: reply.last_text.clone(),
            lines: if reply.line_count > 1 {
                reply.lines.clone()
            } else {
                Vec::new()
            },
            line_count: reply.line_count,
            text_truncated: reply.text_truncated,
            text_len: reply.text_truncated.then_some(reply.full_text_len),
            unsolicited: false,
        };
        let Some(code) = reply.code else {
            self.finding(
                Severity::Warning,
                "not_a_reply",
                format!(
                    "server sent a line that is not an FTP reply: {:?}",
                    truncate(&reply.last_text, 60)
                ),
                ts,
                frame,
            );
            self.attach_unmatched(record);
            return;
        };

        // The greeting: the first reply before any command (120 then 220 also counts).
        if self.greeting.is_none()
            && (self.commands.is_empty()
                || (matches!(code, 220 | 120 | 421)
                    && self.replies_seen == 1
                    && self.commands.len() <= 2))
        {
            if code == 120 {
                self.finding(
                    Severity::Info,
                    "delayed_service",
                    "the server says it will be ready later (120)".into(),
                    ts,
                    frame,
                );
                return;
            }
            self.greeting = Some(record);
            self.emit(Out::Greeting);
            return;
        }

        if self.resync.is_some() && !self.realign(code, &record, ts, frame) {
            return;
        }
        let Some(&index) = self.pending.front() else {
            self.attach_unmatched(ReplyRecord {
                unsolicited: true,
                ..record
            });
            return;
        };
        let preliminary = (100..200).contains(&code);
        push_reply(&mut self.commands[index].replies, record);
        self.emit(Out::Reply(index, self.commands[index].replies.len() - 1));
        if preliminary {
            self.on_preliminary(index, code, &reply);
            return;
        }
        self.pending.pop_front();
        self.commands[index].reply_code = Some(code);
        self.commands[index].reply_text = Some(reply.last_text.clone());
        self.on_final(index, code, &reply, ts, frame);
    }

    /// After bytes went missing, matches a reply to the command it can answer (RFC 959's
    /// reply sets) instead of blindly to the oldest waiting one. Returns false when the
    /// reply was disposed of here (it answers a command the capture lost).
    fn realign(&mut self, code: u16, record: &ReplyRecord, ts: Timestamp, frame: u64) -> bool {
        let Some(gap) = self.resync else { return true };
        let fits = |c: &CommandRecord| reply_fits(&c.command, code);
        let Some(&front) = self.pending.front() else {
            return true;
        };
        if fits(&self.commands[front]) {
            self.resync = None;
            return true;
        }
        let later = self.pending.iter().position(|&i| fits(&self.commands[i]));
        match (gap, later) {
            (Dir::ServerToClient, Some(n)) => {
                // The replies to the commands before it were in the gap.
                for _ in 0..n {
                    if let Some(lost) = self.pending.pop_front() {
                        let c = &self.commands[lost];
                        let msg = format!(
                            "the reply to {} (frame {}) is in bytes missing from the capture",
                            c.command, c.frame
                        );
                        self.finding(Severity::Info, "reply_lost", msg, ts, frame);
                    }
                }
                self.resync = None;
                true
            }
            _ => {
                // It answers a command the capture lost.
                let msg = format!(
                    "reply {code} answers a command that is in bytes missing from the capture"
                );
                self.finding(Severity::Info, "command_lost", msg, ts, frame);
                self.attach_unmatched(ReplyRecord {
                    unsolicited: true,
                    ..record.clone()
                });
                false
            }
        }
    }

    /// A reply with no command waiting: kept on the last command, or as the greeting.
    fn attach_unmatched(&mut self, record: ReplyRecord) {
        if let Some(index) = self.commands.len().checked_sub(1) {
            push_reply(&mut self.commands[index].replies, record);
            let k = self.commands[index].replies.len() - 1;
            self.emit(Out::Reply(index, k));
        } else if self.greeting.is_none() {
            self.greeting = Some(record);
            self.emit(Out::Greeting);
        }
    }

    fn transfer_of(&self, index: usize) -> Option<usize> {
        self.commands[index].transfer.map(|t| t as usize - 1)
    }

    fn on_preliminary(&mut self, index: usize, _code: u16, reply: &Reply) {
        let Some(t) = self.transfer_of(index) else {
            return;
        };
        let text = reply.last_text.as_bytes();
        let tr = &mut self.transfers[t];
        tr.preliminary = true;
        if let Some(size) = text::announced_size(text) {
            tr.announced_size = Some(size);
        }
        if self.commands[index].command == "STOU"
            && let Some(name) = text::stou_file_name(text)
        {
            tr.stored_as = Some(String::from_utf8_lossy(name).into_owned());
        }
        if let Some(n) = tr.negotiation {
            self.negotiations[n].spent = true;
        }
    }

    fn on_final(&mut self, index: usize, code: u16, reply: &Reply, ts: Timestamp, frame: u64) {
        let verb = self.commands[index].command.clone();
        let text = reply.last_text.as_bytes();
        match verb.as_str() {
            "PASV" if code == 227 => {
                self.on_passive_reply(index, "PASV", address::parse_227(text), ts, frame)
            }
            "LPSV" if code == 228 => {
                self.on_passive_reply(index, "LPSV", address::parse_228(text), ts, frame)
            }
            "EPSV" if code == 229 => {
                self.on_passive_reply(index, "EPSV", address::parse_229(text), ts, frame)
            }
            "PORT" | "EPRT" | "LPRT" if code >= 400 => {
                // Refused: the announced endpoint will not be used.
                if let Some(n) = self
                    .negotiations
                    .iter()
                    .rposition(|n| n.command_index == index)
                {
                    if let Some(e) = self.negotiations[n].expectation.take() {
                        self.actions.push(Action::Cancel(e));
                    }
                    self.negotiations[n].spent = true;
                    if self.current_negotiation == Some(n) {
                        self.current_negotiation = None;
                    }
                }
            }
            "USER" | "PASS" | "ACCT" => self.on_login_reply(code, ts, frame),
            "AUTH" if code == 234 || code == 334 => {
                self.tls = Some(TlsStart {
                    command: format!(
                        "AUTH {}",
                        self.commands[index].arg.clone().unwrap_or_default()
                    ),
                    ts,
                    frame,
                    encrypted_bytes: [0, 0],
                });
                self.finding(
                    Severity::Info,
                    "tls_started",
                    format!(
                        "AUTH was accepted ({code}): the control connection is encrypted from here on; \
                         commands, replies and data-connection announcements can no longer be read"
                    ),
                    ts,
                    frame,
                );
            }
            "SIZE" if code == 213 => {
                if let (Some(size), Some(arg)) =
                    (text::size_reply(text), self.commands[index].arg.clone())
                {
                    self.last_size = Some((arg, size));
                }
            }
            "REST" if code >= 400 => self.pending_rest = None,
            _ => {}
        }
        if let Some(t) = self.transfer_of(index) {
            let tr = &mut self.transfers[t];
            tr.final_code = Some(code);
            if verb == "STOU"
                && tr.stored_as.is_none()
                && let Some(name) = text::stou_file_name(text)
            {
                tr.stored_as = Some(String::from_utf8_lossy(name).into_owned());
            }
            if tr.announced_size.is_none()
                && let Some(size) = text::announced_size(text)
            {
                tr.announced_size = Some(size);
            }
            if let Some(n) = tr.negotiation {
                let neg = &mut self.negotiations[n];
                if (200..300).contains(&code) || tr.preliminary || neg.conn.is_some() {
                    neg.spent = true;
                } else {
                    // Refused before any data connection: the negotiation stays for the next command.
                    neg.owner = None;
                }
            }
            self.emit(Out::TransferReplied(t));
        }
    }

    fn on_passive_reply(
        &mut self,
        index: usize,
        setup: &'static str,
        parsed: Result<Announced, address::AddressError>,
        ts: Timestamp,
        frame: u64,
    ) {
        match parsed {
            Ok(a) => {
                // EPSV names no address: the control connection's server address is meant.
                let ip = a.ip.unwrap_or(self.server.ip);
                let announced = Endpoint::new(ip, a.port);
                self.commands[index].data_endpoint = Some(announced);
                self.commands[index].port_arithmetic = a.arithmetic.clone();
                if ip != self.server.ip {
                    let why = if is_private(ip) && !is_private(self.server.ip) {
                        "the server is behind NAT and announces its private address; clients must use the control connection's address instead"
                    } else {
                        "NAT rewriting, a server configured with another public address, or a rewritten capture"
                    };
                    self.finding(
                        Severity::Warning,
                        "pasv_address_differs",
                        format!(
                            "{setup} reply announces {announced} but the server's address on the control connection is {}: {why}",
                            self.server.ip
                        ),
                        ts,
                        frame,
                    );
                }
                self.new_negotiation(
                    index,
                    setup,
                    Mode::Passive,
                    announced,
                    a.arithmetic,
                    ts,
                    frame,
                );
            }
            Err(e) => {
                self.commands[index].address_error = Some(e.0.clone());
                self.finding(
                    Severity::Warning,
                    "bad_address",
                    format!("{setup} reply: {}", e.0),
                    ts,
                    frame,
                );
            }
        }
    }

    fn on_login_reply(&mut self, code: u16, ts: Timestamp, frame: u64) {
        if self.login_attempts.is_empty() {
            // The USER command is not in the capture (it started mid-session).
            self.login_attempts.push(LoginAttempt {
                user: None,
                ts,
                frame,
                result: Login::Unknown,
                reply_code: None,
            });
        }
        let Some(attempt) = self.login_attempts.last_mut() else {
            return;
        };
        attempt.reply_code = Some(code);
        attempt.result = match code {
            230 | 202 => Login::Success,
            331 | 332 => Login::Unknown,
            c if c >= 400 => Login::Failed,
            _ => attempt.result,
        };
    }

    /// The session's overall login result.
    pub fn login(&self) -> Login {
        if self
            .login_attempts
            .iter()
            .any(|a| a.result == Login::Success)
        {
            Login::Success
        } else if self
            .login_attempts
            .iter()
            .any(|a| a.result == Login::Failed)
        {
            Login::Failed
        } else {
            Login::Unknown
        }
    }

    /// Commands counted, stored or not.
    pub fn commands_seen(&self) -> u64 {
        self.commands_seen
    }

    /// Commands still waiting for a final reply.
    pub fn pending_commands(&self) -> impl Iterator<Item = usize> + '_ {
        self.pending.iter().copied()
    }
}

/// A line that may have lost its beginning is kept only when it still starts like a
/// reply (a code) or a known command.
fn plausible_start(dir: Dir, text: &[u8]) -> bool {
    match dir {
        Dir::ServerToClient => !matches!(
            crate::ftp::reply::parse_reply_line(text),
            crate::ftp::reply::ReplyLine::Other(_)
        ),
        Dir::ClientToServer => {
            let cmd = parse_command(text);
            cmd.well_formed && crate::ftp::meaning::command_meaning(cmd.verb.as_str()).is_some()
        }
    }
}

/// An unterminated line worth parsing: a reply with its code, or a command with a verb.
fn plausible_line(dir: Dir, text: &[u8]) -> bool {
    match dir {
        Dir::ServerToClient => !matches!(
            crate::ftp::reply::parse_reply_line(text),
            crate::ftp::reply::ReplyLine::Other(_)
        ),
        Dir::ClientToServer => parse_command(text).well_formed,
    }
}

fn same_family(a: IpAddr, b: IpAddr) -> bool {
    a.is_ipv4() == b.is_ipv4()
}

/// RFC 1918 / RFC 4193 / loopback / link-local addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

fn lossy_prefix(bytes: &[u8], n: usize) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(n)]).into_owned()
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Most commands get one reply, some two (150 then 226): grow 1, 2, 4... instead of a
/// first allocation for four.
fn push_reply(replies: &mut Vec<ReplyRecord>, record: ReplyRecord) {
    if replies.len() == replies.capacity() {
        replies.reserve_exact(replies.len().max(1));
    }
    replies.push(record);
}
