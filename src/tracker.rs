//! The tracker: routes TCP connections to FTP sessions and links data connections.
//!
//! Input: the TCP table's callbacks ([`FlowHandler`]). Connections to an FTP port become
//! sessions ([`SessionState`]) and get their bytes; every other connection is offered to
//! the expectation table ([`ExpectTable`]) when it appears. A connection that matches no
//! expectation yet is remembered for a while, because the announcement it answers may be
//! parsed a moment later (reordered capture, a 227 reply still held by reassembly).
//!
//! Output: [`Tracker::into_report_parts`] turns the sessions into the model: transfers
//! joined to the records of the data connections that carried them, unlinked connections
//! between FTP hosts listed (never dropped), all other TCP connections counted.

use crate::endpoint::Endpoint;
use crate::expect::{ExpectTable, Expectation, link_note};
use crate::explain;
use crate::model::{
    BoundCounters, DataConnection, Direction, Finding, Login, Mode, Session, SessionSummary,
    Severity, Status, Transfer, UnlinkedConnection,
};
use crate::session::{Action, ConnLink, SessionConfig, SessionState};
use crate::tcp::{ConnInfo, ConnRecord, FlowHandler, Interest, Side, StreamEvent};
use crate::time::Timestamp;
use ahash::AHashMap;
use std::collections::VecDeque;
use std::net::IpAddr;

#[derive(Debug, Clone)]
pub struct TrackerConfig {
    pub ftp_ports: Vec<u16>,
    pub session: SessionConfig,
    pub max_expectations: usize,
    /// An announcement not used within this time (capture time) is forgotten.
    pub expectation_max_age: i64,
    /// Unmatched connections remembered for a late announcement.
    pub max_recent_unmatched: usize,
    /// How long (capture time) an unmatched connection may wait for its announcement.
    pub late_link_window: i64,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            ftp_ports: vec![21],
            session: SessionConfig::default(),
            max_expectations: 1 << 20,
            expectation_max_age: 300 * 1_000_000_000,
            max_recent_unmatched: 256,
            late_link_window: 5 * 1_000_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Role {
    Control(usize),
    Data { session: usize, negotiation: usize },
    Unmatched,
    Free,
}

#[derive(Debug, Clone, Copy)]
struct Recent {
    token: u32,
    orig: Endpoint,
    resp: Endpoint,
    ts: Timestamp,
    frame: u64,
    midstream: bool,
}

pub struct Tracker {
    cfg: TrackerConfig,
    sessions: Vec<SessionState>,
    roles: Vec<Role>,
    free_tokens: Vec<u32>,
    expect: ExpectTable,
    recent: VecDeque<Recent>,
    unlinked: Vec<UnlinkedConnection>,
    /// Latest session per unordered host pair, to recognise unlinked data connections.
    host_pairs: AHashMap<(IpAddr, IpAddr), usize>,
    other_tcp: u64,
    data_connections: u64,
}

/// Everything the tracker contributes to the report.
pub struct TrackerOutput {
    pub sessions: Vec<Session>,
    pub unlinked: Vec<UnlinkedConnection>,
    pub data_connections: u64,
    pub other_tcp_connections: u64,
    pub bounds: BoundCounters,
}

fn pair(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
    if a <= b { (a, b) } else { (b, a) }
}

impl Tracker {
    pub fn new(cfg: TrackerConfig) -> Tracker {
        let expect = ExpectTable::new(cfg.max_expectations, cfg.expectation_max_age);
        Tracker {
            cfg,
            sessions: Vec::new(),
            roles: Vec::new(),
            free_tokens: Vec::new(),
            expect,
            recent: VecDeque::new(),
            unlinked: Vec::new(),
            host_pairs: AHashMap::new(),
            other_tcp: 0,
            data_connections: 0,
        }
    }

    fn token_for(&mut self, role: Role) -> u32 {
        match self.free_tokens.pop() {
            Some(t) => {
                self.roles[t as usize] = role;
                t
            }
            None => {
                self.roles.push(role);
                (self.roles.len() - 1) as u32
            }
        }
    }

    fn is_ftp_port(&self, port: u16) -> bool {
        self.cfg.ftp_ports.contains(&port)
    }

    /// Carries out what a session asked for after it parsed some lines.
    fn run_actions(&mut self, s: usize) {
        let actions = std::mem::take(&mut self.sessions[s].core.actions);
        for action in actions {
            match action {
                Action::Cancel(id) => {
                    self.expect.remove(id);
                }
                Action::Register(n) => self.register(s, n),
            }
        }
    }

    fn register(&mut self, s: usize, n: usize) {
        let core = &self.sessions[s].core;
        let neg = &core.negotiations[n];
        let (listener_peer, connector_peer) = match neg.mode {
            Mode::Active => (core.client.ip, core.server.ip),
            Mode::Passive => (core.server.ip, core.client.ip),
        };
        let asked_at = core.commands[neg.command_index].frame;
        let e = Expectation {
            session: s,
            negotiation: n,
            mode: neg.mode,
            announced: neg.announced,
            listener_peer,
            connector_peer,
            ts: neg.ts,
        };
        let id = self.expect.register(e.clone());
        self.sessions[s].core.negotiations[n].expectation = Some(id);

        // A connection seen before the announcement was parsed.
        let window = self.cfg.late_link_window;
        // Only a connection that opened in the capture (its SYN seen) can answer an
        // announcement; one already running when the capture started belongs to an older one.
        // It must also have appeared after the command that asked for it (PORT, PASV...).
        let found = self.recent.iter().position(|r| {
            !r.midstream
                && r.frame > asked_at
                && (e.ts.0 - r.ts.0).abs() <= window
                && self
                    .expect
                    .matches(id, r.orig, r.resp, r.midstream)
                    .is_some()
        });
        if let Some(i) = found {
            let r = self.recent.remove(i).expect("position is in range");
            let (listener, connector) = self
                .expect
                .matches(id, r.orig, r.resp, r.midstream)
                .expect("checked above");
            self.expect.remove(id);
            self.sessions[s].core.negotiations[n].expectation = None;
            self.link(r.token, &e, listener, connector);
        }
    }

    /// Makes connection `token` the data connection of the expectation's negotiation.
    fn link(&mut self, token: u32, e: &Expectation, listener: Endpoint, connector: Endpoint) {
        self.roles[token as usize] = Role::Data {
            session: e.session,
            negotiation: e.negotiation,
        };
        self.data_connections += 1;
        let neg = &mut self.sessions[e.session].core.negotiations[e.negotiation];
        neg.spent = true;
        neg.conn = Some(ConnLink {
            token,
            link: link_note(e, listener, connector),
            listener,
            connector,
            record: None,
        });
    }

    /// Turns the tracked sessions into the model.
    pub fn into_report_parts(mut self) -> TrackerOutput {
        let mut bounds = BoundCounters {
            expectations_evicted: self.expect.evicted,
            ..BoundCounters::default()
        };
        let mut sessions = Vec::new();
        let states = std::mem::take(&mut self.sessions);
        for state in states {
            let (session, unlinked) = build_session(state, &mut bounds);
            self.unlinked.extend(unlinked);
            if let Some(session) = session {
                sessions.push(session);
            }
        }
        self.unlinked.sort_by_key(|u| u.tcp.id);
        TrackerOutput {
            sessions,
            unlinked: self.unlinked,
            data_connections: self.data_connections,
            other_tcp_connections: self.other_tcp,
            bounds,
        }
    }
}

impl FlowHandler for Tracker {
    fn open(&mut self, info: &ConnInfo) -> Interest {
        self.expect.expire(info.ts);
        while self
            .recent
            .front()
            .is_some_and(|r| info.ts.0 - r.ts.0 > self.cfg.late_link_window)
        {
            self.recent.pop_front();
        }
        if self.is_ftp_port(info.resp.port) || (info.midstream && self.is_ftp_port(info.orig.port))
        {
            let (client, server, client_side) = if self.is_ftp_port(info.resp.port) {
                (info.orig, info.resp, Side::Orig)
            } else {
                (info.resp, info.orig, Side::Resp)
            };
            let s = self.sessions.len();
            let id = s as u32 + 1;
            self.sessions.push(SessionState::new(
                id,
                client,
                server,
                client_side,
                info.midstream,
                self.cfg.session.clone(),
            ));
            self.host_pairs.insert(pair(client.ip, server.ip), s);
            let token = self.token_for(Role::Control(s));
            return Interest {
                token,
                content: true,
            };
        }
        if let Some(claim) = self
            .expect
            .claim(info.orig, info.resp, info.ts, info.midstream)
        {
            let token = self.token_for(Role::Unmatched);
            let e = claim.expectation.clone();
            self.sessions[e.session].core.negotiations[e.negotiation].expectation = None;
            self.link(token, &e, claim.listener, claim.connector);
            return Interest {
                token,
                content: false,
            };
        }
        let token = self.token_for(Role::Unmatched);
        if self.recent.len() >= self.cfg.max_recent_unmatched {
            self.recent.pop_front();
        }
        self.recent.push_back(Recent {
            token,
            orig: info.orig,
            resp: info.resp,
            ts: info.ts,
            frame: info.frame,
            midstream: info.midstream,
        });
        Interest {
            token,
            content: false,
        }
    }

    fn stream(
        &mut self,
        token: u32,
        side: Side,
        event: StreamEvent<'_>,
        ts: Timestamp,
        frame: u64,
    ) {
        if let Some(Role::Control(s)) = self.roles.get(token as usize).copied() {
            self.sessions[s].on_stream(side, event, ts, frame);
            if !self.sessions[s].core.actions.is_empty() {
                self.run_actions(s);
            }
        }
    }

    fn closed(&mut self, token: u32, record: ConnRecord) {
        let Some(role) = self.roles.get(token as usize).copied() else {
            return;
        };
        match role {
            Role::Control(s) => self.sessions[s].on_control_closed(record),
            Role::Data {
                session,
                negotiation,
            } => {
                if let Some(link) = self.sessions[session].core.negotiations[negotiation]
                    .conn
                    .as_mut()
                {
                    link.record = Some(record);
                }
            }
            Role::Unmatched => {
                self.recent.retain(|r| r.token != token);
                match self.host_pairs.get(&pair(record.orig.ip, record.resp.ip)) {
                    Some(&s) if looks_like_data(&record) => {
                        self.unlinked.push(UnlinkedConnection {
                            session: Some(s as u32 + 1),
                            reason: format!(
                                "connects the hosts of FTP session {} but matches none of its PORT/EPRT/PASV/EPSV announcements",
                                s + 1
                            ),
                            tcp: record,
                        });
                    }
                    _ => self.other_tcp += 1,
                }
            }
            Role::Free => {}
        }
        self.roles[token as usize] = Role::Free;
        self.free_tokens.push(token);
    }
}

/// A connection between FTP hosts that could be a data connection: from port 20, or
/// between two unprivileged ports.
fn looks_like_data(r: &ConnRecord) -> bool {
    r.orig.port == 20 || r.resp.port == 20 || (r.orig.port >= 1024 && r.resp.port >= 1024)
}

fn build_session(
    state: SessionState,
    bounds: &mut BoundCounters,
) -> (Option<Session>, Vec<UnlinkedConnection>) {
    let SessionState {
        mut core, control, ..
    } = state;
    let Some(control) = control else {
        return (None, Vec::new());
    };
    let session_id = core.id;
    add_bounds(bounds, &core.bounds);
    let login = core.login();

    for i in core.pending_commands().collect::<Vec<_>>() {
        let c = &core.commands[i];
        let msg = format!(
            "{} got no reply before the control connection ended",
            c.command
        );
        core.findings.push(Finding {
            severity: Severity::Info,
            kind: "no_reply",
            message: msg,
            ts: Some(c.ts),
            frame: Some(c.frame),
            transfer: None,
        });
    }

    if control.midstream {
        core.findings.push(Finding {
            severity: Severity::Info,
            kind: "midstream",
            message: format!(
                "the capture starts after this control connection opened: its handshake and everything before frame {} \
                 are not in the capture; the client and server sides are inferred from port {}",
                control.first_frame, core.server.port
            ),
            ts: Some(control.first_ts),
            frame: Some(control.first_frame),
            transfer: None,
        });
    }
    let mut negotiations = std::mem::take(&mut core.negotiations);
    let mut transfers = Vec::new();
    let mut summary = SessionSummary {
        commands: core.commands_seen(),
        ..SessionSummary::default()
    };
    let (mut any_active, mut any_passive) = (false, false);
    for (t, ts) in core.transfers.iter().enumerate() {
        let cmd = &core.commands[ts.command_index];
        let neg = ts.negotiation.map(|n| &mut negotiations[n]);
        let (mode, setup, setup_idx, endpoint, arithmetic) = match &neg {
            Some(n) => (
                Some(n.mode),
                Some(n.setup.to_string()),
                Some(n.command_index),
                Some(n.announced),
                n.arithmetic.clone(),
            ),
            None => (None, None, None, None, None),
        };
        let owns = neg.as_ref().is_some_and(|n| n.owner == Some(t));
        let link = match neg {
            Some(n) if owns => n.conn.take(),
            _ => None,
        };
        let data = link.and_then(|l| {
            let record = l.record?;
            Some(data_connection(
                mode.unwrap_or(Mode::Passive),
                l.listener,
                l.connector,
                l.link,
                record,
            ))
        });
        let (bytes, missed, duration, preview) = match &data {
            Some(d) => {
                let server_side = if d.tcp.orig == d.server {
                    Side::Orig
                } else {
                    Side::Resp
                };
                let from = match ts.direction {
                    Direction::Upload => server_side.other(),
                    _ => server_side,
                };
                let st = d.tcp.dir(from);
                (
                    Some(st.bytes),
                    Some(st.missed_bytes).filter(|&m| m > 0),
                    Some(d.tcp.duration()),
                    d.tcp.preview(from).to_vec(),
                )
            }
            None => (None, None, None, Vec::new()),
        };
        let status = match ts.final_code {
            Some(c) if (200..300).contains(&c) => Status::Complete,
            Some(426) => Status::Aborted,
            Some(_) => Status::Failed,
            None => Status::Incomplete,
        };
        match mode {
            Some(Mode::Active) => any_active = true,
            Some(Mode::Passive) => any_passive = true,
            None => {}
        }
        summary.transfers += 1;
        match status {
            Status::Complete => summary.transfers_complete += 1,
            Status::Failed | Status::Aborted => summary.transfers_failed += 1,
            Status::Incomplete => {}
        }
        let b = bytes.unwrap_or(0);
        match ts.direction {
            Direction::Download => summary.bytes_downloaded += b,
            Direction::Upload => summary.bytes_uploaded += b,
            Direction::Listing => summary.listing_bytes += b,
        }
        let file_name = match ts.direction {
            Direction::Listing => None,
            _ => cmd.arg.clone(),
        };
        transfers.push(Transfer {
            id: t as u32 + 1,
            command: cmd.command.clone(),
            arg: cmd.arg.clone(),
            file_name,
            ts: cmd.ts,
            frame: cmd.frame,
            command_index: ts.command_index,
            mode,
            setup,
            setup_command_index: setup_idx,
            data_endpoint: endpoint,
            port_arithmetic: arithmetic,
            direction: ts.direction,
            data,
            bytes,
            missed_bytes: missed,
            duration,
            throughput: match (bytes, duration) {
                (Some(b), Some(d)) if d > 0.0 => Some(b as f64 / d),
                _ => None,
            },
            reply_code: cmd.reply_code,
            reply_text: cmd.reply_text.clone(),
            status,
            announced_size: ts.announced_size,
            rest_offset: ts.rest_offset,
            stored_as: ts.stored_as.clone(),
            preview,
        });
    }

    // Data connections opened for a negotiation that no transfer command used.
    let mut unlinked = Vec::new();
    for n in negotiations.iter_mut() {
        if let Some(l) = n.conn.take()
            && let Some(record) = l.record
        {
            unlinked.push(UnlinkedConnection {
                session: Some(session_id),
                reason: format!(
                    "opened for the {} announcement {} (frame {}) but no transfer command used it",
                    n.setup, n.announced, n.frame
                ),
                tcp: record,
            });
        }
    }

    for t in &transfers {
        let found = explain::transfer_findings(&core.client, &core.server, t);
        for f in found {
            if core.findings.len() < core.findings.capacity().max(1000) {
                core.findings.push(f);
            }
        }
    }
    core.findings
        .sort_by_key(|f| (f.frame.unwrap_or(u64::MAX), f.severity));

    let mode = match (any_active, any_passive) {
        (true, true) => Some("mixed"),
        (true, false) => Some("active"),
        (false, true) => Some("passive"),
        (false, false) => None,
    };
    let start = control.first_ts;
    let end = control.last_ts;
    let session = Session {
        id: session_id,
        client: core.client,
        server: core.server,
        start,
        end,
        duration: end.secs_since(start).max(0.0),
        greeting: core.greeting,
        user: core.user,
        login: if core.login_attempts.is_empty() {
            Login::Unknown
        } else {
            login
        },
        login_attempts: core.login_attempts,
        tls: core.tls,
        mode,
        commands: core.commands,
        transfers,
        control,
        findings: core.findings,
        summary,
    };
    (Some(session), unlinked)
}

fn data_connection(
    mode: Mode,
    listener: Endpoint,
    connector: Endpoint,
    link: crate::model::LinkNote,
    tcp: ConnRecord,
) -> DataConnection {
    let mut tcp = tcp;
    if tcp.midstream && tcp.orig == listener && tcp.resp == connector {
        // Seen without its SYN: the announcement tells who accepted it, so who opened it.
        tcp.flip();
    }
    let (client, server) = match mode {
        Mode::Active => (listener, connector),
        Mode::Passive => (connector, listener),
    };
    let opened_by = if tcp.midstream {
        "unknown"
    } else if tcp.orig == client {
        "client"
    } else if tcp.orig == server {
        "server"
    } else {
        "unknown"
    };
    DataConnection {
        client,
        server,
        opened_by,
        link,
        tcp,
    }
}

fn add_bounds(total: &mut BoundCounters, b: &BoundCounters) {
    total.commands_not_stored += b.commands_not_stored;
    total.pending_commands_dropped += b.pending_commands_dropped;
    total.overlong_lines += b.overlong_lines;
    total.reply_lines_dropped += b.reply_lines_dropped;
    total.findings_not_stored += b.findings_not_stored;
}
