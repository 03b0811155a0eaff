//! One FTP session: the control connection's state machine.
//!
//! Input: in-order bytes of each direction of a control connection (from the TCP layer),
//! cut into lines by [`LineSplitter`]. Output: the session's commands with their replies,
//! its login attempts, its negotiations (announced data endpoints) and its transfers, plus
//! [`Action`]s asking the tracker to register or cancel expected data connections.
//!
//! Rules (RFC 959 and what real servers do):
//! * The first reply of a connection whose handshake is in the capture is the greeting,
//!   even when the client sent commands before it (pipelining clients). On a connection
//!   picked up mid-stream, a reply before any command is the greeting only if it is a
//!   220, 120 or 421.
//! * Replies are matched to commands by [`PendingQueue`]: first-in first-out, checked
//!   against what each side had received (TCP acknowledgments) and RFC 959's reply sets
//!   when the capture lost bytes; a reply whose command the capture lost is paired with an
//!   inferred command when its code names it (227: PASV), reported as inferred. 1xx
//!   replies are preliminary and leave the command waiting for its final reply; a
//!   multi-line reply counts once. A line that is not a reply answers the oldest waiting
//!   command as an invalid reply (kept, with a finding); binary junk before a reply on the
//!   same line is skipped. A reply no command can have asked for is kept on the last
//!   command (marked unsolicited), or with the session when there is no command yet.
//! * Every command and reply is dated by the segment that carried its line end.
//! * A transfer command (LIST, NLST, MLSD, RETR, STOR, STOU, APPE) uses the session's
//!   current negotiation — the last PORT/EPRT/LPRT or PASV/EPSV/LPSV — not "the last
//!   command". The negotiation is spent once the transfer got a 1xx or a data connection;
//!   a transfer refused outright (550 with no data connection) leaves it for the next one.
//! * A new negotiation supersedes the previous one's unclaimed expectation.
//! * PASS is masked unless asked otherwise. AUTH accepted with 234 ends plain-text parsing
//!   (the rest is TLS, followed record by record) and the session says so; when both sides
//!   close TLS (CCC) and plain text follows, parsing resumes. A connection that opens with
//!   a TLS handshake is implicit FTPS.
//! * Bounded: stored commands, waiting commands, findings, line and reply sizes.

use crate::endpoint::Endpoint;
use crate::ftp::address::{self, Announced};
use crate::ftp::command::parse_command;
use crate::ftp::findings::FindingKind;
use crate::ftp::line::{Line, LineSplitter};
use crate::ftp::pending::{Incoming, PendingQueue, Placement, Stream, Waiting};
use crate::ftp::reply::{Reply, ReplyAssembler};
use crate::ftp::text;
use crate::ftp::tls::{Fed, TlsRecords, looks_like_tls_start};
use crate::ftp::verbs::{reply_fits, verb_for_reply};
use crate::link::expect::ExpId;
use crate::model::events::Progress;
use crate::model::{
    BoundCounters, CommandRecord, Direction, Finding, LinkNote, Login, LoginAttempt, Mode,
    ReplyRecord, TlsEnd, TlsStart, WireText,
};
use crate::tcp::{ConnRecord, Side, Stamp, StreamEvent};
use crate::time::Timestamp;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Limits and display choices for sessions.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Longest command or reply line kept, in bytes; longer lines are cut and reported.
    pub max_line: usize,
    /// Commands stored per session; later ones are counted, not stored.
    pub max_commands: usize,
    /// Commands waiting for their reply at once; beyond it the oldest is dropped.
    pub max_pending: usize,
    /// Lines of text kept per reply.
    pub max_reply_lines: usize,
    /// Bytes of text kept per reply.
    pub max_reply_bytes: usize,
    /// Findings stored per session; later ones are counted, not stored.
    pub max_findings: usize,
    /// Bytes of commands, replies and findings the open sessions may store together
    /// beyond each session's first [`FREE_COMMANDS`] commands and [`FREE_FINDINGS`]
    /// findings; past it, commands and findings are counted, not stored.
    pub max_stored_bytes: usize,
    /// What the open sessions of one analysis store now (the tracker gives each analysis
    /// its own).
    pub stored: StoredBytes,
    /// Keep PASS arguments instead of masking them.
    pub show_passwords: bool,
    /// Tell commands and transfers as they complete ([`SessionState::take_progress`]), for
    /// a live capture.
    pub live_progress: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_line: 8192,
            max_commands: 10_000,
            max_pending: 256,
            max_reply_lines: 1000,
            max_reply_bytes: 64 * 1024,
            max_findings: 1000,
            max_stored_bytes: 24 << 20,
            stored: StoredBytes::default(),
            show_passwords: false,
            live_progress: false,
        }
    }
}

/// Commands every session stores whatever the others hold: a normal session fits in
/// them, so many sessions open at once are never cut by the shared allowance.
pub const FREE_COMMANDS: usize = 32;

/// Findings every session stores whatever the others hold.
pub const FREE_FINDINGS: usize = 8;

/// Bytes stored now by the open sessions of one analysis (an estimate: the records' sizes
/// and the lengths of their texts), shared by them.
#[derive(Debug, Clone, Default)]
pub struct StoredBytes(Arc<AtomicUsize>);

impl StoredBytes {
    /// Bytes stored now.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// One session's part of [`StoredBytes`], given back when the session is dropped (after
/// it was reported, or forgotten).
#[derive(Debug)]
struct StoredShare {
    all: StoredBytes,
    limit: usize,
    mine: usize,
}

impl StoredShare {
    /// The allowance has room for `n` more bytes. (One analysis runs on one thread: this
    /// check and the take that follows cannot interleave with another session's.)
    fn fits(&self, n: usize) -> bool {
        self.all.get().saturating_add(n) <= self.limit
    }

    /// Takes `n` bytes if the allowance has room for them.
    fn try_take(&mut self, n: usize) -> bool {
        if !self.fits(n) {
            return false;
        }
        self.take(n);
        true
    }

    /// Takes `n` bytes whatever the allowance says (what a session always stores).
    fn take(&mut self, n: usize) {
        self.all.0.fetch_add(n, Ordering::Relaxed);
        self.mine += n;
    }
}

impl Drop for StoredShare {
    fn drop(&mut self) {
        self.all.0.fetch_sub(self.mine, Ordering::Relaxed);
    }
}

/// What an allocated string costs beyond its bytes (the allocator's rounding, on average).
const STRING_OVERHEAD: usize = 16;

/// A command's strings (its record is counted when the list grows: [`SessionCore::grow_commands`]).
fn command_cost(verb: &str, arg: Option<&str>) -> usize {
    verb.len() + STRING_OVERHEAD + arg.map_or(0, |a| a.len() + STRING_OVERHEAD)
}

fn reply_cost(r: &ReplyRecord) -> usize {
    // The text is kept twice: in the reply, and as the command's reply_text.
    std::mem::size_of::<ReplyRecord>()
        + 2 * (r.text.len() + STRING_OVERHEAD)
        + r.lines
            .iter()
            .map(|l| l.len() + STRING_OVERHEAD + std::mem::size_of::<String>())
            .sum::<usize>()
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
struct ConnLink {
    link: LinkNote,
    listener: Endpoint,
    connector: Endpoint,
    record: Option<ConnRecord>,
}

/// An announced data endpoint and what became of it.
#[derive(Debug)]
struct Negotiation {
    command_index: usize,
    setup: &'static str,
    mode: Mode,
    announced: Endpoint,
    arithmetic: Option<String>,
    ts: Timestamp,
    frame: u64,
    expectation: Option<ExpId>,
    /// The transfer that uses it.
    owner: Option<usize>,
    /// A transfer started on it or a connection used it: the next transfer needs a new one.
    spent: bool,
    /// Boxed: most negotiations never see their connection, and inline it would make
    /// every one of them (and a session announcing thousands) 8x larger.
    conn: Option<Box<ConnLink>>,
}

/// A transfer command and what the control connection said about it.
#[derive(Debug)]
struct TransferState {
    command_index: usize,
    direction: Direction,
    /// The negotiation in force when the command was sent.
    negotiation: Option<usize>,
    rest_offset: Option<u64>,
    announced_size: Option<u64>,
    stored_as: Option<WireText>,
    preliminary: bool,
    final_code: Option<u16>,
    /// Told as live progress already.
    told: bool,
    /// Inferred from a connection of an encrypted session: no command was read.
    inferred: bool,
}

/// The verb of an inferred command whose reply does not say which command it answered.
pub const UNKNOWN_VERB: &str = "?";

/// Which way a line travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    ClientToServer,
    ServerToClient,
}

/// The parts of a session the line handler changes (split from the line splitters so a
/// splitter can call back into it).
#[derive(Debug)]
struct SessionCore {
    id: u32,
    client: Endpoint,
    server: Endpoint,
    cfg: SessionConfig,
    replies: ReplyAssembler,
    /// Where the reply being assembled started, and the stamp of its first line.
    reply_began: Option<(u64, Stamp)>,
    /// Where the latest reply line ended in the server's stream.
    reply_ended: u64,
    pending: PendingQueue,
    commands: Vec<CommandRecord>,
    /// Replies seen before any command, that no command in the capture asked for (a
    /// capture that starts mid-session).
    replies_without_command: Vec<ReplyRecord>,
    /// Index of the first command not stored (bound) — commands past it are counted only.
    commands_seen: u64,
    transfers: Vec<TransferState>,
    negotiations: Vec<Negotiation>,
    current_negotiation: Option<usize>,
    pending_rest: Option<u64>,
    /// Boxed: few sessions send SIZE, and every open session pays for the field.
    last_size: Option<Box<(WireText, u64)>>,
    greeting: Option<ReplyRecord>,
    /// Boxed like `last_size`: one pointer per open session until USER is seen.
    user: Option<Box<WireText>>,
    login_attempts: Vec<LoginAttempt>,
    /// Boxed, as the record framing below: most sessions never speak TLS.
    tls: Option<Box<TlsStart>>,
    /// Record framing of each direction while it speaks TLS.
    tls_records: [Option<Box<TlsRecords>>; 2],
    auth_command: Option<usize>,
    findings: Vec<Finding>,
    /// This session's part of the bytes stored by all open sessions.
    stored: StoredShare,
    bounds: BoundCounters,
    actions: Vec<Action>,
    saw_clear_password: bool,
    replies_seen: u64,
    /// The control connection's handshake is in the capture: its first reply is the
    /// greeting.
    from_handshake: bool,
    /// The server said 120 (ready later) first: its 220 is still the greeting.
    delayed_greeting: bool,
    /// The next line of each direction may begin mid-line (after a gap, or at the start of
    /// a connection picked up mid-stream).
    maybe_partial: [bool; 2],
    /// The sender closed this direction (FIN/RST) rather than the capture ending.
    stream_closed: [bool; 2],
    /// What the session did since the tracker last asked (with `live_progress` only).
    progress: Vec<Progress>,
    /// Transfers before this one have all been told as progress.
    untold_transfer: usize,
}

/// An FTP session in progress.
#[derive(Debug)]
pub struct SessionState {
    core: SessionCore,
    /// Which TCP side is the FTP client.
    client_side: Side,
    splitters: [LineSplitter; 2],
    ended: [bool; 2],
    /// The stamp of the latest bytes of each direction (dates an unterminated last line).
    last_stamp: [Stamp; 2],
    /// Nothing of this direction has been parsed yet (implicit TLS shows in the first bytes).
    first_bytes: [bool; 2],
    /// Boxed: known only when the control connection ended; inline it would double the
    /// size of every open session.
    control: Option<Box<ConnRecord>>,
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
        let stored = StoredShare {
            all: cfg.stored.clone(),
            limit: cfg.max_stored_bytes,
            mine: 0,
        };
        SessionState {
            core: SessionCore {
                id,
                client,
                server,
                replies: ReplyAssembler::new(cfg.max_reply_lines, cfg.max_reply_bytes),
                reply_began: None,
                reply_ended: 0,
                pending: PendingQueue::new(cfg.max_pending),
                cfg,
                commands: Vec::new(),
                replies_without_command: Vec::new(),
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
                tls_records: [None, None],
                auth_command: None,
                findings: Vec::new(),
                stored,
                bounds: BoundCounters::default(),
                actions: Vec::new(),
                saw_clear_password: false,
                replies_seen: 0,
                from_handshake: !midstream,
                delayed_greeting: false,
                maybe_partial: [midstream; 2],
                stream_closed: [false; 2],
                progress: Vec::new(),
                untold_transfer: 0,
            },
            client_side,
            splitters,
            ended: [false; 2],
            last_stamp: [Stamp::default(); 2],
            first_bytes: [true; 2],
            control: None,
        }
    }

    /// Feeds one piece of the control connection's stream.
    pub fn on_stream(&mut self, side: Side, event: StreamEvent<'_>, stamp: Stamp) {
        let dir = if side == self.client_side {
            Dir::ClientToServer
        } else {
            Dir::ServerToClient
        };
        let i = dir as usize;
        let core = &mut self.core;
        match event {
            StreamEvent::Bytes(bytes) => {
                self.last_stamp[i] = stamp;
                // Implicit FTPS: the client's first bytes are a TLS handshake.
                if std::mem::take(&mut self.first_bytes[i])
                    && dir == Dir::ClientToServer
                    && core.tls.is_none()
                    && self.splitters[i].position() == 0
                    && core.from_handshake
                    && looks_like_tls_start(bytes)
                {
                    core.implicit_tls(stamp);
                }
                let mut plain = bytes;
                if core.tls_records[i].is_some() {
                    // TLS records are not lines, but they keep their place in the stream.
                    let rest = core.tls_bytes(i, bytes, stamp).unwrap_or_default();
                    self.splitters[i].skip((bytes.len() - rest.len()) as u64);
                    if rest.is_empty() {
                        return;
                    }
                    // Plain text again (after CCC): the lines start afresh.
                    plain = rest;
                }
                let splitter = &mut self.splitters[i];
                splitter.push(plain, &mut |line| core.on_line(dir, line, stamp));
            }
            StreamEvent::Gap(n) => {
                let start = self.splitters[i].position();
                self.splitters[i].gap(n);
                if let Some(t) = core.tls_records[i].as_mut() {
                    t.lost();
                    if let Some(tls) = core.tls.as_mut() {
                        tls.encrypted_bytes[i] += n;
                    }
                    return;
                }
                if dir == Dir::ServerToClient {
                    core.replies.reset();
                    core.reply_began = None;
                }
                let stream = match dir {
                    Dir::ClientToServer => Stream::Client,
                    Dir::ServerToClient => Stream::Server,
                };
                core.pending.lost(stream, start, start + n);
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
                if core.tls_records[i].is_none() {
                    // Dated by the segment that carried its last bytes.
                    let at = self.last_stamp[i];
                    self.splitters[i].finish(&mut |line| core.on_line(dir, line, at));
                    if dir == Dir::ServerToClient
                        && let Some(reply) = core.replies.finish()
                    {
                        core.on_reply(reply, at);
                    }
                }
            }
        }
    }

    /// The connection was recognised as FTP by its first bytes, not by its port: say so.
    pub fn detected_by_content(&mut self, ts: Timestamp, frame: u64) {
        let port = self.core.server.port;
        self.core.finding(
            FindingKind::FtpOnOtherPort,
            format!(
                "FTP on port {port}: recognised by its first bytes (a 220 greeting and an FTP client command), not by its port"
            ),
            ts,
            frame,
        );
    }

    /// The control connection left the TCP table.
    pub fn on_control_closed(&mut self, record: ConnRecord) {
        self.control = Some(Box::new(record));
    }

    /// The session's number (1-based, in order of appearance).
    pub fn id(&self) -> u32 {
        self.core.id
    }

    /// The FTP client's end of the control connection.
    pub fn client(&self) -> Endpoint {
        self.core.client
    }

    /// The FTP server's end of the control connection.
    pub fn server(&self) -> Endpoint {
        self.core.server
    }

    /// Its control connection has left the TCP table.
    pub fn control_ended(&self) -> bool {
        self.control.is_some()
    }

    /// What the tracker must do now (register or cancel expected data connections).
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.core.actions)
    }

    /// Negotiation `n` as an expected data connection: who listens where.
    pub fn expected_connection(&self, n: usize) -> ExpectedConnection {
        let c = &self.core;
        let neg = &c.negotiations[n];
        let (listener_peer, connector_peer) = match neg.mode {
            Mode::Active => (c.client.ip, c.server.ip),
            Mode::Passive => (c.server.ip, c.client.ip),
        };
        ExpectedConnection {
            mode: neg.mode,
            announced: neg.announced,
            listener_peer,
            connector_peer,
            ts: neg.ts,
            asked_at: c.commands[neg.command_index].frame,
        }
    }

    /// Negotiation `n` (a PORT/EPRT naming a third host) names the passive endpoint that
    /// session `other`'s server (`other_server`) announced: a server-to-server transfer.
    /// Its bounce finding becomes an FXP one.
    pub fn fxp(&mut self, n: usize, other: u32, other_server: Endpoint) {
        let c = &mut self.core;
        let Some(neg) = c.negotiations.get(n) else {
            return;
        };
        let (frame, announced, setup) = (neg.frame, neg.announced, neg.setup);
        let message = format!(
            "{setup} names {announced}, where the FTP server {} of session {other} listens (its passive reply): a \
             server-to-server transfer (FXP) the client {} arranged; the data goes from server to server, not \
             through the client",
            other_server.ip, c.client.ip
        );
        if let Some(f) = c
            .findings
            .iter_mut()
            .find(|f| f.frame == Some(frame) && f.kind == FindingKind::PortBounce)
        {
            f.kind = FindingKind::Fxp;
            f.severity = FindingKind::Fxp.severity();
            f.message = message;
        }
    }

    /// The tracker registered negotiation `n`'s expectation as `id`.
    pub fn expectation_registered(&mut self, n: usize, id: ExpId) {
        self.core.negotiations[n].expectation = Some(id);
    }

    /// The expectations still waiting for their connection.
    pub fn expectations(&self) -> impl Iterator<Item = ExpId> + '_ {
        self.core.negotiations.iter().filter_map(|n| n.expectation)
    }

    /// A connection answered negotiation `n`: it is that negotiation's data connection.
    pub fn data_connection_opened(
        &mut self,
        n: usize,
        link: LinkNote,
        listener: Endpoint,
        connector: Endpoint,
    ) {
        let neg = &mut self.core.negotiations[n];
        neg.expectation = None;
        neg.spent = true;
        neg.conn = Some(Box::new(ConnLink {
            link,
            listener,
            connector,
            record: None,
        }));
    }

    /// Negotiation `n`'s data connection left the TCP table.
    pub fn data_connection_closed(&mut self, n: usize, record: ConnRecord) {
        if let Some(link) = self.core.negotiations[n].conn.as_mut() {
            link.record = Some(record);
        }
        self.core.transfers_done();
    }

    /// Commands answered and transfers done since the last call (live capture only).
    pub fn take_progress(&mut self) -> Vec<Progress> {
        std::mem::take(&mut self.core.progress)
    }

    /// Offers a connection no announcement explains to a transfer whose announcement the
    /// capture lost (see the `adopt` module); gives it back when no transfer takes it.
    pub fn adopt_connection(&mut self, record: ConnRecord) -> Option<ConnRecord> {
        self.core.adopt_connection(record)
    }
}

/// A negotiation seen as the data connection it expects.
#[derive(Debug, Clone, Copy)]
pub struct ExpectedConnection {
    /// Active (PORT...) or passive (PASV...).
    pub mode: Mode,
    /// Where the data connection is to be accepted, as announced.
    pub announced: Endpoint,
    /// The control connection's address on the listening side (client in active mode).
    pub listener_peer: IpAddr,
    /// The control connection's address on the connecting side.
    pub connector_peer: IpAddr,
    /// When it was announced.
    pub ts: Timestamp,
    /// Frame of the command that asked for it (PORT, PASV...).
    pub asked_at: u64,
}

mod adopt;
mod build;

impl SessionCore {
    fn finding(&mut self, kind: FindingKind, message: String, ts: Timestamp, frame: u64) {
        let cost = std::mem::size_of::<Finding>() + message.len();
        let stored = if self.findings.len() >= self.cfg.max_findings {
            false
        } else if self.findings.len() < FREE_FINDINGS {
            self.stored.take(cost);
            true
        } else {
            self.stored.try_take(cost)
        };
        if !stored {
            self.bounds.findings_not_stored += 1;
            return;
        }
        push_tight(
            &mut self.findings,
            Finding {
                severity: kind.severity(),
                kind,
                message,
                ts: Some(ts),
                frame: Some(frame),
                transfer: None,
            },
        );
    }

    fn on_line(&mut self, dir: Dir, line: Line<'_>, stamp: Stamp) {
        let (ts, frame) = (stamp.ts, stamp.frame);
        if self.tls_records[dir as usize].is_some() {
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
                if dir == Dir::ClientToServer {
                    FindingKind::OverlongCommand
                } else {
                    FindingKind::OverlongReply
                },
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
                FindingKind::PartialLine,
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
            self.finding(FindingKind::PartialLine,
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
            Dir::ClientToServer => self.on_command_line(&line, stamp),
            Dir::ServerToClient => {
                if !self.replies.pending()
                    && let Some(skip) = junk_before_reply(line.text)
                {
                    // Binary bytes glued to the front of a reply (no line break between).
                    self.finding(FindingKind::JunkBeforeReply,
                        format!(
                            "the server sent {skip} bytes of binary data right before a reply on the same line: {:?}",
                            lossy_prefix(&line.text[..skip], 16)
                        ),
                        ts,
                        frame,
                    );
                    line.text = &line.text[skip..];
                    line.full_len = line.full_len.saturating_sub(skip);
                }
                if !self.replies.pending() {
                    self.reply_began = Some((line.start, stamp));
                }
                self.reply_ended = line.end;
                if let Some(reply) = self.replies.push_line_with_len(line.text, line.full_len) {
                    self.on_reply(reply, stamp);
                }
            }
        }
    }

    fn on_command_line(&mut self, line: &Line<'_>, stamp: Stamp) {
        let (ts, frame) = (stamp.ts, stamp.frame);
        if line.text.is_empty() && !line.telnet.interrupt && !line.telnet.synch {
            return; // An empty line (a bare CR LF) is not a command.
        }
        let cmd = parse_command(line.text);
        let verb = cmd.verb.as_str().to_string();
        self.commands_seen += 1;
        if !cmd.well_formed {
            self.finding(
                FindingKind::MalformedCommand,
                format!(
                    "client sent a line that is not an FTP command: {:?}",
                    lossy_prefix(line.text, 60)
                ),
                ts,
                frame,
            );
        }
        let mut arg = cmd.arg.map(WireText::from_bytes);
        if !self.may_store_command(command_cost(&verb, arg.as_deref())) {
            self.bounds.commands_not_stored += 1;
            return;
        }
        let arg_len = if line.truncated {
            // The line bound cut the argument: report its real length.
            Some(line.full_len.saturating_sub(cmd.verb_raw.len() + 1))
        } else {
            None
        };
        let mut masked = false;
        if verb == "PASS" {
            // A command line parsed here crossed in plain text (lines inside TLS are not
            // parsed): before any AUTH, or after TLS ended (CCC).
            if !self.saw_clear_password {
                self.saw_clear_password = true;
                let why = if self.tls.is_some() {
                    "TLS had ended (CCC) before it was sent"
                } else {
                    "plain FTP, no AUTH TLS"
                };
                self.finding(
                    FindingKind::ClearTextPassword,
                    format!("the password travels in clear text on the control connection ({why})"),
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
            inferred: false,
        });
        let dropped = self.pending.dropped;
        self.pending.push(Waiting {
            index,
            start: line.start,
            end: line.end,
            ack: stamp.ack,
            replied_to: 0,
        });
        self.bounds.pending_commands_dropped += self.pending.dropped - dropped;

        let raw_arg = cmd.arg.unwrap_or(b"");
        match verb.as_str() {
            "USER" => {
                let user = self.commands[index].arg.clone();
                self.user = user.clone().map(Box::new);
                push_tight(
                    &mut self.login_attempts,
                    LoginAttempt {
                        user,
                        ts,
                        frame,
                        result: Login::Unknown,
                        reply_code: None,
                    },
                );
            }
            "PORT" => self.on_active_setup(index, "PORT", address::parse_port(raw_arg), ts, frame),
            "EPRT" => self.on_active_setup(index, "EPRT", address::parse_eprt(raw_arg), ts, frame),
            "LPRT" => self.on_active_setup(index, "LPRT", address::parse_lprt(raw_arg), ts, frame),
            // A new passive setup ends the previous negotiation now, even if its reply (which
            // brings the new one) never shows up in the capture.
            "PASV" | "EPSV" | "LPSV" => self.supersede_current(),
            "REST" => {
                self.pending_rest = std::str::from_utf8(raw_arg)
                    .ok()
                    .and_then(|s| s.trim().parse().ok());
            }
            "AUTH" => self.auth_command = Some(index),
            _ => self.on_command_effects(index, &verb),
        }
    }

    /// What a command changes that does not depend on its argument's parsing (shared by
    /// commands seen and commands inferred from their reply).
    fn on_command_effects(&mut self, index: usize, verb: &str) {
        use crate::ftp::command::{self as c, CommandKind, Verb};
        if let CommandKind::Transfer(kind) = c::kind(Verb::new(verb.as_bytes())) {
            let direction = match kind.direction() {
                c::Direction::Download => Direction::Download,
                c::Direction::Upload => Direction::Upload,
                c::Direction::Listing => Direction::Listing,
            };
            self.on_transfer_command(index, direction);
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
                    let (kind, msg) = port_address_finding(setup, announced, self.client.ip);
                    self.finding(kind, msg, ts, frame);
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
                    FindingKind::BadAddress,
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

    fn on_transfer_command(&mut self, index: usize, direction: Direction) {
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
        let announced_size = match (self.last_size.as_deref(), &self.commands[index].arg) {
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
            told: false,
            inferred: false,
        });
    }

    fn on_reply(&mut self, reply: Reply, stamp: Stamp) {
        let (ts, frame) = (stamp.ts, stamp.frame);
        let (start, first) = self.reply_began.take().unwrap_or((0, stamp));
        let end = self.reply_ended;
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
            continuation: reply.continuation,
            line_count: reply.line_count,
            text_truncated: reply.text_truncated,
            text_len: reply.text_truncated.then_some(reply.full_text_len),
            unsolicited: false,
        };
        let code = reply.code;

        // The greeting: the first reply of a connection whose start is in the capture (a
        // 220, 120 or 421 even if the client already sent commands: pipelining clients);
        // mid-stream, a 220/120/421 at the start of what the capture holds, before any
        // command. A greeting the capture lost (its bytes are missing) is not replaced by
        // the next reply.
        let at_start = start == 0 || self.delayed_greeting;
        if self.greeting.is_none()
            && at_start
            && let Some(c) = code
            && ((self.from_handshake && (self.commands.is_empty() || matches!(c, 220 | 120 | 421)))
                || (self.commands.is_empty()
                    && self.replies_without_command.is_empty()
                    && matches!(c, 220 | 120 | 421)))
        {
            if c == 120 {
                self.delayed_greeting = true;
                self.finding(
                    FindingKind::DelayedService,
                    "the server says it will be ready later (120)".into(),
                    ts,
                    frame,
                );
                return;
            }
            self.greeting = Some(record);
            return;
        }

        if code.is_none() {
            self.finding(
                FindingKind::InvalidReply,
                format!(
                    "server sent a line that is not an FTP reply: {:?}",
                    truncate(&reply.last_text, 60)
                ),
                ts,
                frame,
            );
            // Before the greeting (a banner line), it answers nothing.
            if self.greeting.is_none() && self.from_handshake {
                self.keep_unmatched(record);
                return;
            }
        }

        // What the server had received when it sent the reply: the larger of what its first
        // and last segments acknowledge (a retransmitted copy may carry an older number).
        let incoming = Incoming {
            code,
            start,
            ack: first.ack.max(stamp.ack),
        };
        let commands = &self.commands;
        let fits = |i: usize, c: u16| reply_fits(&commands[i].command, c);
        let guess = code.and_then(|c| verb_for_reply(c, &reply.last_text));
        let placement = self.pending.place(incoming, &fits, guess.is_some());
        let full = self.bounds.commands_not_stored > 0
            || (matches!(placement, Placement::LostCommand { .. })
                && !self.may_store_command(command_cost(guess.unwrap_or(UNKNOWN_VERB), None)));
        if full && !matches!(placement, Placement::Answers { .. }) {
            // Past --max-commands the commands are counted, not stored, so a reply no stored
            // command waits for most likely answers one of them: inferring a command for it,
            // or keeping it on the last stored one, would grow without bound.
            self.bounds.replies_not_stored += 1;
            return;
        }
        let lost_replies = match &placement {
            Placement::Answers { lost_replies, .. }
            | Placement::LostCommand { lost_replies, .. }
            | Placement::Nothing { lost_replies } => lost_replies.clone(),
        };
        for lost in lost_replies {
            let c = &self.commands[lost];
            let msg = format!(
                "the reply to {} (frame {}) is in bytes missing from the capture",
                c.command, c.frame
            );
            self.finding(FindingKind::ReplyLost, msg, ts, frame);
        }
        let index = match placement {
            Placement::Answers { index, .. } => index,
            Placement::LostCommand { end, .. } => {
                self.pending.inferred(end);
                // The code names the command (227: PASV), or it stays unknown ("?").
                let verb = guess.unwrap_or(UNKNOWN_VERB);
                let index = self.infer_command(verb, code, stamp);
                // Sent before the client received this reply (which may be a 150, the final
                // reply still to come).
                self.pending.push(Waiting {
                    index,
                    start: end,
                    end,
                    ack: Some(start),
                    replied_to: 0,
                });
                index
            }
            Placement::Nothing { .. } => {
                self.keep_unmatched(ReplyRecord {
                    unsolicited: true,
                    ..record
                });
                return;
            }
        };

        self.store_reply(index, record);
        let Some(code) = code else {
            // Not a reply, but where the reply was expected: it ends the wait.
            self.pending.answered(index);
            return;
        };
        if (100..200).contains(&code) {
            self.pending.preliminary(index, end);
            self.on_preliminary(index, code, &reply);
            return;
        }
        self.pending.answered(index);
        self.commands[index].reply_code = Some(code);
        self.commands[index].reply_text = Some(reply.last_text.clone());
        self.on_final(index, code, &reply, ts, frame);
        if self.cfg.live_progress {
            self.progress
                .push(Progress::Command(Box::new(self.commands[index].clone())));
            self.transfers_done();
        }
    }

    /// A command the capture lost, known from the reply that answered it: recorded as
    /// inferred, dated by that reply, and given the effects of its verb.
    fn infer_command(&mut self, verb: &'static str, code: Option<u16>, stamp: Stamp) -> usize {
        let (ts, frame) = (stamp.ts, stamp.frame);
        self.commands_seen += 1;
        let what = code.map_or("a line that is not a reply".to_string(), |c| {
            format!("reply {c}")
        });
        let msg = if verb == UNKNOWN_VERB {
            format!(
                "{what} answers a command that is in bytes missing from the capture; its code does not say which \
                 (shown as an inferred command \"{UNKNOWN_VERB}\")"
            )
        } else {
            format!(
                "{what} answers a {verb} that is in bytes missing from the capture; shown as an inferred {verb}"
            )
        };
        self.finding(FindingKind::CommandLost, msg, ts, frame);
        let index = self.commands.len();
        // It stands where the capture lost bytes.
        self.commands.push(CommandRecord {
            after_gap: true,
            ..CommandRecord::inferred(ts, frame, verb)
        });
        if verb == "USER" {
            push_tight(&mut self.login_attempts, LoginAttempt::unknown(ts, frame));
        }
        self.on_command_effects(index, verb);
        index
    }

    /// A reply no command in the capture asked for: kept on the last command (marked
    /// unsolicited), or with the session when there is no command yet.
    /// Whether a command costing `cost` bytes may be stored, taking them if so: within
    /// --max-commands, within the shared allowance past the first few, and only while
    /// no command of the session was left out.
    fn may_store_command(&mut self, cost: usize) -> bool {
        // Once a command was not stored the list stops there for good: a list with a
        // hole in the middle would read as if the missing commands were never sent.
        if self.bounds.commands_not_stored > 0 || self.commands.len() >= self.cfg.max_commands {
            return false;
        }
        let growth = self.commands_growth();
        let records = growth * std::mem::size_of::<CommandRecord>();
        if self.commands.len() >= FREE_COMMANDS && !self.stored.fits(cost + records) {
            return false;
        }
        self.stored.take(cost);
        self.grow_commands(growth);
        true
    }

    /// Records the list must grow by to take one more command: none while it has room,
    /// else half its length (at least 4), so that the spare room is at most a third.
    fn commands_growth(&self) -> usize {
        if self.commands.len() < self.commands.capacity() {
            0
        } else {
            (self.commands.len() / 2).max(4)
        }
    }

    /// Grows the command list by `n` records, counting them as stored.
    fn grow_commands(&mut self, n: usize) {
        if n > 0 {
            self.commands.reserve_exact(n);
            self.stored.take(n * std::mem::size_of::<CommandRecord>());
        }
    }

    /// Stores a reply on a stored command. Its bytes are counted but never refused: the
    /// command is stored, and its replies are bounded by the reply bounds.
    fn store_reply(&mut self, index: usize, record: ReplyRecord) {
        self.stored.take(reply_cost(&record));
        push_reply(&mut self.commands[index].replies, record);
    }

    fn keep_unmatched(&mut self, record: ReplyRecord) {
        if let Some(index) = self.commands.len().checked_sub(1) {
            // Nobody asked for it: a server sending such replies without end would pile
            // them onto one command, so they draw on the shared allowance.
            if !self.stored.try_take(reply_cost(&record)) {
                self.bounds.replies_not_stored += 1;
                return;
            }
            push_reply(&mut self.commands[index].replies, record);
        } else if self.replies_without_command.len() < self.cfg.max_findings {
            self.replies_without_command.push(record);
        }
    }

    /// Implicit FTPS: the connection opened with a TLS handshake.
    fn implicit_tls(&mut self, stamp: Stamp) {
        self.tls = Some(Box::new(TlsStart {
            command: "implicit TLS (FTPS)".into(),
            ts: stamp.ts,
            frame: stamp.frame,
            encrypted_bytes: [0, 0],
            implicit: true,
            ended: None,
        }));
        self.tls_records = [Some(Box::default()), Some(Box::default())];
        self.finding(FindingKind::TlsStarted,
            "the control connection opens with a TLS handshake (implicit FTPS): commands, replies and \
             data-connection announcements are encrypted and cannot be read"
                .into(),
            stamp.ts,
            stamp.frame,
        );
    }

    /// Bytes of direction `i` while it speaks TLS: counted; returns the plain text that
    /// follows when TLS ends in this direction (after CCC's close_notify).
    fn tls_bytes<'a>(&mut self, i: usize, bytes: &'a [u8], stamp: Stamp) -> Option<&'a [u8]> {
        let records = self.tls_records[i].as_mut()?;
        let fed = records.feed(bytes);
        let tls_len = match fed {
            Fed::Tls => bytes.len(),
            Fed::PlainFrom(at) => at,
        };
        if let Some(tls) = self.tls.as_mut() {
            tls.encrypted_bytes[i] += tls_len as u64;
        }
        let Fed::PlainFrom(at) = fed else {
            return None;
        };
        self.tls_records[i] = None;
        if self.tls_records.iter().all(Option::is_none)
            && let Some(tls) = self.tls.as_mut()
            && tls.ended.is_none()
        {
            tls.ended = Some(TlsEnd {
                ts: stamp.ts,
                frame: stamp.frame,
            });
            self.finding(FindingKind::TlsEnded,
                "both sides closed TLS (close_notify alerts, as after CCC): the control connection \
                 is plain text again from here on"
                    .into(),
                stamp.ts,
                stamp.frame,
            );
        }
        Some(&bytes[at..])
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
        // The name as sent (the lossy text would lose invalid bytes the timeline shows).
        if self.commands[index].command == "STOU"
            && let Some(name) = text::stou_file_name(reply.last_text.wire_bytes())
        {
            tr.stored_as = Some(WireText::from_bytes(name));
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
                self.tls = Some(Box::new(TlsStart {
                    command: format!(
                        "AUTH {}",
                        self.commands[index].arg.clone().unwrap_or_default()
                    ),
                    ts,
                    frame,
                    encrypted_bytes: [0, 0],
                    implicit: false,
                    ended: None,
                }));
                self.tls_records = [Some(Box::default()), Some(Box::default())];
                self.finding(FindingKind::TlsStarted,
                    format!(
                        "AUTH was accepted ({code}): the control connection is encrypted from here on; \
                         commands, replies and data-connection announcements can no longer be read"
                    ),
                    ts,
                    frame,
                );
            }
            "AUTH" if code >= 400 => self.finding(
                FindingKind::AuthRefused,
                format!(
                    "the server refused {} ({code}): the session stays in clear text, and the password that follows \
                     crosses the network readable",
                    self.commands[index].arg.as_ref().map_or("AUTH".to_string(), |a| format!("AUTH {a}"))
                ),
                ts,
                frame,
            ),
            "SIZE" if code == 213 => {
                if let (Some(size), Some(arg)) =
                    (text::size_reply(text), self.commands[index].arg.clone())
                {
                    self.last_size = Some(Box::new((arg, size)));
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
                && let Some(name) = text::stou_file_name(reply.last_text.wire_bytes())
            {
                tr.stored_as = Some(WireText::from_bytes(name));
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
                        "the server is behind NAT and announces its private address, which the client cannot reach. \
                         The server side must change: configure its public address for passive mode (vsftpd pasv_address, \
                         ProFTPD MasqueradeAddress); EPSV, which names no address, avoids the problem (some clients also \
                         ignore the announced address and use the control connection's)"
                    } else {
                        "NAT rewriting, a server configured with another public address, or a rewritten capture; if the \
                         client cannot reach the announced address, the server's passive address setting must change"
                    };
                    self.finding(FindingKind::PasvAddressDiffers,
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
                    FindingKind::BadAddress,
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
            push_tight(&mut self.login_attempts, LoginAttempt::unknown(ts, frame));
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
        self.pending.iter().map(|w| w.index)
    }
}

/// Bytes that are not text (control or binary bytes) at the start of a server line that is
/// a reply after them: how many to skip.
fn junk_before_reply(text: &[u8]) -> Option<usize> {
    use crate::ftp::reply::{ReplyLine, parse_reply_line};
    if !matches!(parse_reply_line(text), ReplyLine::Other(_)) {
        return None;
    }
    let junk = text
        .iter()
        .take_while(|&&b| (b < 0x20 && b != b'\t') || b >= 0x7f)
        .count();
    (junk > 0 && !matches!(parse_reply_line(&text[junk..]), ReplyLine::Other(_))).then_some(junk)
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

/// The finding for a PORT/EPRT that names another address than the client's: the client
/// behind NAT (a private address), a third host (an FTP bounce, or FXP once the tracker
/// finds the other server's passive announcement), or a privileged port (a bounce attack).
fn port_address_finding(setup: &str, announced: Endpoint, client: IpAddr) -> (FindingKind, String) {
    if announced.port < 1024 {
        return (
            FindingKind::PortBounce,
            format!(
                "{setup} asks the server to connect to {announced}, a privileged port on another host than the client {client}: \
                 an FTP bounce attack (RFC 2577), the server would open a connection to that service on the client's behalf"
            ),
        );
    }
    if !same_family(announced.ip, client) {
        return (
            FindingKind::PortAddressDiffers,
            format!(
                "{setup} announces {announced} but the client's address on the control connection is {client} \
                 (another address family): a dual-stack client naming its other address"
            ),
        );
    }
    if is_private(announced.ip) && (!is_private(client) || announced.ip != client) {
        return (
            FindingKind::PortAddressDiffers,
            format!(
                "{setup} announces {announced} but the server sees the client as {client}: the client is behind NAT and names \
                 its private address, which the server cannot reach. The client side must change: use passive mode \
                 (PASV/EPSV), or an FTP-aware NAT that rewrites PORT"
            ),
        );
    }
    (
        FindingKind::PortBounce,
        format!(
            "{setup} names a third host, {announced} (the client is {client}): the server is asked to connect to another \
             machine, an FTP bounce (RFC 2577), unless that host is an FTP server listening for a server-to-server \
             transfer (FXP)"
        ),
    )
}

/// RFC 1918 / RFC 4193 / loopback / link-local / shared (CGNAT) addresses.
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

/// Pushes onto a list that most sessions keep short (a command's replies: one, sometimes
/// two; a session's login attempts and findings: one or two): grow 1, 2, 4... instead of
/// a first allocation for four, which every open session would carry.
fn push_tight<T>(list: &mut Vec<T>, item: T) {
    if list.len() == list.capacity() {
        list.reserve_exact(list.len().max(1));
    }
    list.push(item);
}

fn push_reply(replies: &mut Vec<ReplyRecord>, record: ReplyRecord) {
    push_tight(replies, record);
}

#[cfg(test)]
mod tests;
