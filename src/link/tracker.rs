//! The tracker: routes TCP connections to FTP sessions and links data connections.
//!
//! Input: the TCP table's callbacks ([`FlowHandler`]). Connections to an FTP port, or
//! whose first bytes are FTP's, become sessions ([`SessionState`]) and get their bytes;
//! every other connection is offered to the expectation table ([`ExpectTable`]) when it
//! appears. A connection that matches no expectation yet is remembered for a while,
//! because the announcement it answers may be parsed a moment later (reordered capture, a
//! 227 reply still held by reassembly). The tracker never writes into a session: it tells
//! it what happened (an expectation registered, a data connection opened or closed).
//!
//! Output: events to a [`Sink`]. A session is finished as soon as its control connection
//! and all its data connections have left the TCP table (closed, timed out, or the capture
//! ended): it becomes the model ([`SessionState::finish`]), its steps and its end are
//! told to the sink, and its parsing state is freed, so memory follows open sessions.
//! Connections between a session's hosts that no announcement explains are told as
//! unlinked ([`crate::link::unlinked`]); the rest are counted.

use crate::content::{ConnTap, ContentConfig, Extractor};
use crate::endpoint::Endpoint;
use crate::ftp::detect::{self, Verdict};
use crate::ftp::session::{Action, SessionConfig, SessionState, StoredBytes};
use crate::link::expect::{ExpectTable, Expectation, link_note};
use crate::link::logins::{BruteForceConfig, LoginWatch};
use crate::link::unlinked::{HostPairs, Listed};
use crate::model::events::{Event, Sink};
use crate::model::steps::session_steps;
use crate::model::{BoundCounters, Mode, Session, UnlinkedConnection};
use crate::tcp::{
    ConnInfo, ConnRecord, FlowHandler, Interest, Side, Sniffed, Stamp, StreamEvent, TapEvent,
};
use crate::time::Timestamp;
use ahash::AHashMap;
use std::collections::VecDeque;
use std::io;

/// What the tracker treats as FTP, and its bounds.
#[derive(Debug, Clone)]
pub struct TrackerConfig {
    /// Ports whose connections are FTP control connections.
    pub ftp_ports: Vec<u16>,
    /// Limits and display choices for each session.
    pub session: SessionConfig,
    /// Announced data endpoints waiting for their connection at once.
    pub max_expectations: usize,
    /// An announcement not used within this time (capture time) is forgotten.
    pub expectation_max_age: i64,
    /// Unmatched connections remembered for a late announcement.
    pub max_recent_unmatched: usize,
    /// How long (capture time) an unmatched connection may wait for its announcement.
    pub late_link_window: i64,
    /// Find FTP control connections on any port by their first bytes.
    pub detect: bool,
    /// When failed logins across a client's sessions count as password guessing.
    pub brute_force: BruteForceConfig,
    /// Hash data connections' bytes, and write the files out (`--extract`); `None`: off.
    pub content: Option<ContentConfig>,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            ftp_ports: vec![21, 990],
            session: SessionConfig::default(),
            max_expectations: 1 << 20,
            expectation_max_age: 300 * 1_000_000_000,
            max_recent_unmatched: 256,
            late_link_window: 5 * 1_000_000_000,
            detect: true,
            brute_force: BruteForceConfig::default(),
            content: None,
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

/// A session being parsed, and what the tracker knows about it.
struct Live {
    state: SessionState,
    /// Its control connection carried FTP bytes.
    established: bool,
    /// Data connections linked to it still in the TCP table.
    open_data: usize,
    /// Connections between its hosts that no announcement explains, kept until it ends
    /// (a transfer may still take them by timing), with the reason to list them.
    unlinked: Vec<(String, ConnRecord)>,
    /// Connections seen without their handshake that began during it: its transfers may
    /// take them by timing; otherwise they are other TCP connections.
    maybe_data: Vec<ConnRecord>,
}

/// Unexplained connections a session keeps until it ends; more are listed at once.
const MAX_HELD_UNLINKED: usize = 64;

/// Where events go: the sink, what it must hear first, and the first error writing.
struct Output {
    sink: Box<dyn Sink>,
    error: Option<io::Error>,
    started: bool,
    first_ts: Option<Timestamp>,
    inputs: Vec<String>,
}

impl Output {
    fn tell(&mut self, ev: &Event<'_>) {
        if self.error.is_some() {
            return;
        }
        if !self.started {
            self.started = true;
            let start = Event::Started {
                first_ts: self.first_ts,
                inputs: &self.inputs,
            };
            if let Err(e) = self.sink.event(&start) {
                self.error = Some(e);
                return;
            }
        }
        if let Err(e) = self.sink.event(ev) {
            self.error = Some(e);
        }
    }
}

/// The sessions still open, by index (id - 1). Finished sessions leave nothing behind, so
/// memory follows the sessions open at once, not all the sessions of the capture (a
/// slot per session ever seen cost 1.8 KB each: 35 MiB for 20,000 sessions).
#[derive(Default)]
struct OpenSessions {
    /// Boxed: the table's spare slots then cost a pointer, not a whole session.
    open: AHashMap<usize, Box<Live>>,
    /// Sessions ever started: the next index.
    total: usize,
}

impl OpenSessions {
    fn get(&self, s: usize) -> Option<&Live> {
        self.open.get(&s).map(|b| &**b)
    }

    fn get_mut(&mut self, s: usize) -> Option<&mut Live> {
        self.open.get_mut(&s).map(|b| &mut **b)
    }

    fn take(&mut self, s: usize) -> Option<Live> {
        let live = self.open.remove(&s).map(|b| *b);
        if self.open.is_empty() {
            // Give back a table grown by a burst of concurrent sessions.
            self.open.shrink_to(64);
        }
        live
    }

    fn push(&mut self, live: Live) {
        self.open.insert(self.total, Box::new(live));
        self.total += 1;
    }

    fn total(&self) -> usize {
        self.total
    }

    /// The open sessions' indices, oldest first.
    fn open_indices(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.open.keys().copied().collect();
        v.sort_unstable();
        v
    }
}

/// Routes TCP connections to FTP sessions, links data connections to negotiations, and
/// tells a [`Sink`] what it finds.
pub struct Tracker {
    cfg: TrackerConfig,
    /// Open sessions by index (id - 1).
    sessions: OpenSessions,
    roles: Vec<Role>,
    free_tokens: Vec<u32>,
    expect: ExpectTable,
    recent: VecDeque<Recent>,
    /// Sessions per host pair, to recognise unlinked data connections.
    pairs: HostPairs,
    out: Output,
    bounds: BoundCounters,
    /// The capture ended and its connections are being finished.
    ending: bool,
    other_tcp: u64,
    linked_data: u64,
    unlinked_total: u64,
    /// Failed logins across sessions (brute force).
    logins: LoginWatch,
    /// Content of tapped connections by token, and where it goes (only when asked for).
    taps: AHashMap<u32, ConnTap>,
    extract: Option<Extractor>,
}

/// The tracker's counters for the capture's summary.
pub struct TrackerCounts {
    /// FTP control connections (sessions) found.
    pub sessions_total: u64,
    /// Transfers with a data connection.
    pub data_connections: u64,
    /// Connections that look like FTP data but belong to no transfer.
    pub unlinked_total: u64,
    /// TCP connections that are neither FTP control nor FTP data.
    pub other_tcp_connections: u64,
    /// What the bounds dropped.
    pub bounds: BoundCounters,
    /// Password guessing found across sessions.
    pub brute_force: Vec<crate::model::BruteForceRun>,
    /// Address pairs and runs the login watch forgot (bounded).
    pub brute_force_dropped: u64,
}

impl Tracker {
    /// A tracker that tells `sink` what it finds.
    pub fn new(mut cfg: TrackerConfig, sink: Box<dyn Sink>) -> Tracker {
        // The sessions of this analysis share an allowance of stored bytes of their own.
        cfg.session.stored = StoredBytes::default();
        let waiting = cfg.max_recent_unmatched;
        let expect = ExpectTable::new(cfg.max_expectations, cfg.expectation_max_age);
        let logins = LoginWatch::new(cfg.brute_force);
        let extract = cfg.content.as_ref().map(|c| match &c.extract_dir {
            Some(dir) => Extractor::open(dir, c.listings)
                .unwrap_or_else(|e| Extractor::failed(format!("--extract {}: {e}", dir.display()))),
            None => Extractor::hash_only(),
        });
        Tracker {
            taps: AHashMap::new(),
            extract,
            logins,
            cfg,
            sessions: OpenSessions::default(),
            roles: Vec::new(),
            free_tokens: Vec::new(),
            expect,
            recent: VecDeque::new(),
            pairs: HostPairs::new(waiting),
            out: Output {
                sink,
                error: None,
                started: false,
                first_ts: None,
                inputs: Vec::new(),
            },
            bounds: BoundCounters::default(),
            ending: false,
            other_tcp: 0,
            linked_data: 0,
            unlinked_total: 0,
        }
    }

    /// What it treats as FTP, and its bounds.
    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    /// The capture's first packet: the events' time zero.
    pub fn first_packet(&mut self, ts: Timestamp) {
        self.out.first_ts.get_or_insert(ts);
    }

    /// An input begins (its name, for the sink's heading).
    pub fn input(&mut self, name: &str) {
        self.out.inputs.push(name.to_string());
    }

    /// The first error the sink returned (a closed pipe): the caller stops reading.
    pub fn sink_error(&self) -> Option<&io::Error> {
        self.out.error.as_ref()
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

    fn live(&mut self, s: usize) -> Option<&mut Live> {
        self.sessions.get_mut(s)
    }

    /// Carries out what a session asked for after it parsed some lines.
    fn after_parsing(&mut self, s: usize) {
        let Some(live) = self.live(s) else { return };
        for action in live.state.take_actions() {
            match action {
                Action::Cancel(id) => {
                    self.expect.remove(id);
                }
                Action::Register(n) => self.register(s, n),
            }
        }
        self.tell_progress(s);
    }

    /// Live capture: tells what the session did since it was last asked.
    fn tell_progress(&mut self, s: usize) {
        if !self.cfg.session.live_progress {
            return;
        }
        let Some(live) = self.live(s) else { return };
        let session = live.state.id();
        for progress in live.state.take_progress() {
            self.out.tell(&Event::Progress {
                session,
                progress: &progress,
            });
        }
    }

    fn register(&mut self, s: usize, n: usize) {
        let Some(live) = self.live(s) else { return };
        let want = live.state.expected_connection(n);
        let e = Expectation {
            session: s,
            negotiation: n,
            mode: want.mode,
            announced: want.announced,
            listener_peer: want.listener_peer,
            connector_peer: want.connector_peer,
            ts: want.ts,
        };
        for l in self.pairs.announced(s, want.announced.port) {
            self.list_unlinked(l);
        }
        // FXP: a PORT naming the passive endpoint another session's server announced (the
        // client told that server to listen, and now tells this one to connect there).
        if want.mode == Mode::Active
            && want.announced.ip != want.listener_peer
            && let Some(other) = self.expect.passive_waiting_at(want.announced)
            && other != s
            && let Some(other_server) = self.sessions.get(other).map(|l| l.state.server())
            && let Some(live) = self.live(s)
        {
            live.state.fxp(n, other as u32 + 1, other_server);
        }
        let id = self.expect.register(e.clone());
        if let Some(live) = self.live(s) {
            live.state.expectation_registered(n, id);
        }

        // A connection seen before the announcement was parsed. Only a connection that
        // opened in the capture (its SYN seen) can answer an announcement; one already
        // running when the capture started belongs to an older one. It must also have
        // appeared after the command that asked for it (PORT, PASV...).
        let window = self.cfg.late_link_window;
        let found = self.recent.iter().position(|r| {
            !r.midstream
                && r.frame > want.asked_at
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
            self.link(r.token, &e, listener, connector);
        }
    }

    /// Makes connection `token` the data connection of the expectation's negotiation.
    fn link(&mut self, token: u32, e: &Expectation, listener: Endpoint, connector: Endpoint) {
        self.roles[token as usize] = Role::Data {
            session: e.session,
            negotiation: e.negotiation,
        };
        let Some(live) = self.live(e.session) else {
            return;
        };
        live.open_data += 1;
        let note = link_note(e, listener, connector);
        live.state
            .data_connection_opened(e.negotiation, note, listener, connector);
    }

    /// The capture ended: every connection is about to be finished. Sessions wait until
    /// all of them are (their transfers may still take a connection by timing), then
    /// [`Tracker::finish_sessions`] finishes them.
    pub fn capture_ending(&mut self) {
        self.ending = true;
    }

    /// Finishes session `s` if its control and data connections have all closed.
    fn maybe_finish(&mut self, s: usize) {
        if self.ending {
            return;
        }
        let ready =
            matches!(self.sessions.get(s), Some(l) if l.state.control_ended() && l.open_data == 0);
        if ready {
            self.finish_session(s);
        }
    }

    fn finish_session(&mut self, s: usize) {
        let Some(mut live) = self.sessions.take(s) else {
            return;
        };
        let mut left = Vec::new();
        for (reason, record) in std::mem::take(&mut live.unlinked) {
            if let Some(record) = live.state.adopt_connection(record) {
                left.push((reason, record));
            }
        }
        let mut unexplained = Vec::new();
        for record in std::mem::take(&mut live.maybe_data) {
            if let Some(record) = live.state.adopt_connection(record) {
                unexplained.push(record);
            }
        }
        // Its announcements can no longer be answered.
        for id in live.state.expectations() {
            self.expect.remove(id);
        }
        let (session, unlinked) = live.state.finish(&mut self.bounds);
        if let Some(mut session) = session {
            self.logins.session(&mut session);
            if let Some(ex) = &mut self.extract {
                ex.session(&mut session);
            }
            self.linked_data += session
                .transfers
                .iter()
                .filter(|t| t.data.is_some())
                .count() as u64;
            self.tell_session(&session);
        }
        for u in unlinked {
            self.add_unlinked(u);
        }
        for (reason, tcp) in left {
            self.add_unlinked(UnlinkedConnection {
                session: Some(s as u32 + 1),
                reason,
                tcp,
            });
        }
        // No transfer took them: listed for a session when the rules for unexplained
        // connections say so, otherwise other traffic.
        for record in unexplained {
            let mut other = Vec::new();
            if let Some(l) = self.pairs.closed(record, &mut other) {
                self.add_unlinked(UnlinkedConnection {
                    session: Some(l.session as u32 + 1),
                    reason: l.reason,
                    tcp: l.record,
                });
            }
            self.discard_others(&other);
            self.other_tcp += other.len() as u64;
        }
    }

    /// Tells a finished session: its steps (to a sink that wants them), then its end.
    fn tell_session(&mut self, session: &Session) {
        if self.out.sink.wants_steps() {
            for step in &session_steps(session) {
                self.out.tell(&Event::Step { session, step });
            }
        }
        self.out.tell(&Event::SessionEnded(session));
    }

    fn list_unlinked(&mut self, l: Listed) {
        // A transfer whose announcement the capture lost may still own it, by timing; the
        // transfer command may not be parsed yet (held behind a hole), so the session keeps
        // it until it ends.
        let record = match self.live(l.session) {
            Some(live) => match live.state.adopt_connection(l.record) {
                None => {
                    self.after_parsing(l.session);
                    return;
                }
                Some(record) if live.unlinked.len() < MAX_HELD_UNLINKED => {
                    live.unlinked.push((l.reason, record));
                    return;
                }
                Some(record) => record,
            },
            None => l.record,
        };
        self.add_unlinked(UnlinkedConnection {
            session: Some(l.session as u32 + 1),
            reason: l.reason,
            tcp: record,
        });
    }

    fn add_unlinked(&mut self, u: UnlinkedConnection) {
        if let Some(ex) = &mut self.extract {
            ex.discard(&u.tcp);
        }
        self.unlinked_total += 1;
        self.out.tell(&Event::Unlinked(&u));
    }

    /// Removes the temporary files of connections that are no FTP data after all.
    fn discard_others(&mut self, records: &[ConnRecord]) {
        if let Some(ex) = &mut self.extract {
            records.iter().for_each(|r| ex.discard(r));
        }
    }

    /// Files written by `--extract`, and the first problem met writing them.
    pub fn extracted(&self) -> Option<(u64, Option<&str>)> {
        self.extract.as_ref().map(|e| (e.written(), e.problem()))
    }

    /// Whether a new connection may be FTP data worth tapping: content is asked for and
    /// it joins the hosts of an open session (an announcement may still claim it).
    fn tap_candidate(&self, info: &ConnInfo) -> bool {
        self.extract.is_some()
            && self.sessions.open.values().any(|l| {
                let (c, s) = (l.state.client().ip, l.state.server().ip);
                [info.orig.ip, info.resp.ip]
                    .iter()
                    .any(|ip| *ip == c || *ip == s)
            })
    }

    /// Finishes every session still open (end of capture or shutdown).
    pub fn finish_sessions(&mut self) {
        for s in self.sessions.open_indices() {
            self.finish_session(s);
        }
    }

    /// FTP sessions seen so far (open or ended), for the progress bar.
    pub fn sessions_seen(&self) -> u64 {
        self.sessions.total() as u64
    }

    /// Finishes what is open and gives the counters for the capture's summary.
    pub fn counts(&mut self) -> TrackerCounts {
        self.finish_sessions();
        let rest = self.pairs.drain();
        self.discard_others(&rest);
        self.other_tcp += rest.len() as u64;
        self.bounds.expectations_evicted = self.expect.evicted;
        TrackerCounts {
            sessions_total: self.sessions.total() as u64,
            data_connections: self.linked_data,
            unlinked_total: self.unlinked_total,
            other_tcp_connections: self.other_tcp,
            bounds: self.bounds.clone(),
            brute_force: std::mem::take(&mut self.logins.runs),
            brute_force_dropped: self.logins.pairs_dropped + self.logins.runs_dropped,
        }
    }

    /// The capture is over: tells the sink its summary, the last event.
    pub fn finished(&mut self, capture: &crate::model::CaptureInfo) -> io::Result<()> {
        self.out.tell(&Event::Finished(capture));
        match self.out.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A new session on the control connection `info`; `client_side` is the FTP client's
    /// side; `detected`: found by its content rather than its port.
    fn start_session(&mut self, info: &ConnInfo, client_side: Side, detected: bool) -> usize {
        let (client, server) = match client_side {
            Side::Orig => (info.orig, info.resp),
            Side::Resp => (info.resp, info.orig),
        };
        let s = self.sessions.total();
        let id = s as u32 + 1;
        let mut state = SessionState::new(
            id,
            client,
            server,
            client_side,
            info.midstream,
            self.cfg.session.clone(),
        );
        if detected {
            state.detected_by_content(info.ts, info.frame);
        }
        self.sessions.push(Live {
            state,
            established: false,
            open_data: 0,
            unlinked: Vec::new(),
            maybe_data: Vec::new(),
        });
        for l in self
            .pairs
            .opened(s, client.ip, server.ip, info.ts, info.midstream)
        {
            self.list_unlinked(l);
        }
        s
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
            let client_side = if self.is_ftp_port(info.resp.port) {
                Side::Orig
            } else {
                Side::Resp
            };
            let s = self.start_session(info, client_side, false);
            let token = self.token_for(Role::Control(s));
            return Interest {
                token,
                content: true,
                sniff: false,
                tap: false,
            };
        }
        if let Some(claim) = self
            .expect
            .claim(info.orig, info.resp, info.ts, info.midstream)
        {
            let token = self.token_for(Role::Unmatched);
            let e = claim.expectation.clone();
            self.link(token, &e, claim.listener, claim.connector);
            let tap = self.extract.is_some();
            if tap {
                self.taps.insert(token, ConnTap::default());
            }
            return Interest {
                token,
                content: false,
                sniff: false,
                tap,
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
        let tap = self.tap_candidate(info);
        if tap {
            self.taps.insert(token, ConnTap::default());
        }
        Interest {
            token,
            content: false,
            sniff: self.cfg.detect && !OTHER_PROTOCOL_PORTS.contains(&info.resp.port),
            tap,
        }
    }

    fn sniff(&mut self, token: u32, info: &ConnInfo, first: [&[u8]; 2]) -> Sniffed {
        if !matches!(self.roles.get(token as usize), Some(Role::Unmatched)) {
            return Sniffed::No;
        }
        match detect::judge(first) {
            Verdict::Undecided => Sniffed::Undecided,
            Verdict::NotFtp => Sniffed::No,
            Verdict::Ftp { server } => {
                let client_side = if server == 1 { Side::Orig } else { Side::Resp };
                self.recent.retain(|r| r.token != token);
                if let Some(tap) = self.taps.remove(&token)
                    && let Some(ex) = &mut self.extract
                {
                    tap.abandon(ex);
                }
                let s = self.start_session(info, client_side, true);
                self.roles[token as usize] = Role::Control(s);
                Sniffed::Claim
            }
        }
    }

    fn stream(&mut self, token: u32, side: Side, event: StreamEvent<'_>, stamp: Stamp) {
        if let Some(Role::Control(s)) = self.roles.get(token as usize).copied()
            && let Some(live) = self.live(s)
        {
            let first = matches!(event, StreamEvent::Bytes(_)) && !live.established;
            if first {
                live.established = true;
            }
            live.state.on_stream(side, event, stamp);
            if first {
                for l in self.pairs.established(s) {
                    self.list_unlinked(l);
                }
            }
            self.after_parsing(s);
        }
    }

    fn tapped(&mut self, token: u32, side: Side, event: TapEvent<'_>) {
        let (Some(tap), Some(ex)) = (self.taps.get_mut(&token), self.extract.as_mut()) else {
            return;
        };
        match event {
            TapEvent::Bytes { offset, bytes } => tap.bytes(side.idx(), offset, bytes, ex),
            TapEvent::End { len, moved } => tap.end(side.idx(), len, moved),
        }
    }

    fn closed(&mut self, token: u32, mut record: ConnRecord) {
        if let Some(tap) = self.taps.remove(&token)
            && let Some(ex) = &mut self.extract
        {
            record.content = tap.finish(ex);
        }
        let Some(role) = self.roles.get(token as usize).copied() else {
            if let Some(ex) = &mut self.extract {
                ex.discard(&record);
            }
            return;
        };
        self.roles[token as usize] = Role::Free;
        self.free_tokens.push(token);
        match role {
            Role::Control(s) => {
                self.pairs.ended(s, record.last_ts);
                if let Some(live) = self.live(s) {
                    live.state.on_control_closed(record);
                }
                self.maybe_finish(s);
            }
            Role::Data {
                session,
                negotiation,
            } => match self.live(session) {
                Some(live) => {
                    live.open_data = live.open_data.saturating_sub(1);
                    live.state.data_connection_closed(negotiation, record);
                    self.tell_progress(session);
                    self.maybe_finish(session);
                }
                None => {
                    let reason = format!(
                        "data connection of FTP session {}, which had already ended",
                        session + 1
                    );
                    self.add_unlinked(UnlinkedConnection {
                        session: Some(session as u32 + 1),
                        reason,
                        tcp: record,
                    });
                }
            },
            Role::Unmatched => {
                self.recent.retain(|r| r.token != token);
                // Its handshake is not in the capture but it began during a session: a
                // transfer whose announcement was lost too may own it, by timing.
                let record = match self.pairs.session_during(&record) {
                    Some(s) if record.midstream => match self.live(s) {
                        Some(live) => match live.state.adopt_connection(record) {
                            None => {
                                self.after_parsing(s);
                                return;
                            }
                            Some(record) if live.maybe_data.len() < MAX_HELD_UNLINKED => {
                                live.maybe_data.push(record);
                                return;
                            }
                            Some(record) => record,
                        },
                        None => record,
                    },
                    _ => record,
                };
                let mut other = Vec::new();
                if let Some(l) = self.pairs.closed(record, &mut other) {
                    self.list_unlinked(l);
                }
                self.discard_others(&other);
                self.other_tcp += other.len() as u64;
            }
            Role::Free => {
                if let Some(ex) = &mut self.extract {
                    ex.discard(&record);
                }
            }
        }
    }
}

/// Ports whose connections are not sniffed for FTP: protocols that also greet with 220
/// (SMTP, submission) or are never FTP. Their content would say so anyway; this saves the
/// look.
const OTHER_PROTOCOL_PORTS: &[u16] = &[22, 25, 53, 80, 110, 143, 465, 587, 993, 995];
