//! Ladder diagrams: a session drawn the way the articles draw it — two lifelines, client and
//! server, and an arrow between them for every step of the timeline.
//!
//! [`LadderBuilder`] turns a session's steps (as the event stream tells them) into a
//! [`Ladder`], a drawing-neutral model: one [`Rung`] per step with its number, frame, time,
//! connection, direction, a short label for the arrow, the timeline's explanation as its
//! note, the timeline's whole words and the step's JSON record. [`svg`] lays it out with
//! time on the vertical axis, [`mermaid`] writes it as a Mermaid `sequenceDiagram`; the HTML
//! report ([`super::html`]) puts the SVG in a page and shows a step's words and JSON when it
//! is clicked.

pub mod mermaid;
pub mod svg;

use super::RenderOptions;
use super::safe;
use super::timeline::Narrator;
use crate::endpoint::Endpoint;
use crate::lang::Lang;
use crate::model::records::Record;
use crate::model::steps::{Scope, Step, StepKind};
use crate::model::{Direction, ReplyRecord, Session, Severity, Transfer};
use crate::tcp::CloseKind;
use crate::time::Timestamp;

/// Steps a diagram draws at most; the rest are counted in [`Ladder::undrawn`] and said
/// at its end. A session of thousands of steps (a flood of commands) would be a drawing
/// hundreds of thousands of pixels tall that no one reads, and would cost memory the
/// other formats do not spend; the timeline and JSON Lines keep every step.
pub const MAX_RUNGS: usize = 2000;

/// Characters of an arrow's label and note before they are cut with `…`.
pub const LABEL_CHARS: usize = 58;
/// Characters of an arrow's note (the timeline's explanation) before it is cut.
pub const NOTE_CHARS: usize = 70;

/// Which way an arrow goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the client's lifeline to the server's.
    ToServer,
    /// From the server's lifeline to the client's.
    ToClient,
}

/// What a rung is, for its drawing style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RungKind {
    /// A packet of a three-way handshake (or a SYN sent again).
    Handshake,
    /// A command of the client.
    Command,
    /// A reply (or the greeting) of the server, with its code's first digit (0: none).
    Reply(u8),
    /// A transfer's bytes: one thick arrow.
    Transfer,
    /// A transfer whose data connection was never established: no bytes, a thin arrow.
    NoTransfer,
    /// A packet of a close; `true` for a reset.
    Close(bool),
    /// A segment noted with `-v` (a pure ACK, a data segment).
    Segment,
    /// A finding: a callout, not an arrow.
    Finding(Severity),
}

/// One connection of the session: the control connection or a data connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `control` or `data #N`.
    pub name: String,
    /// The FTP client's end.
    pub client: Endpoint,
    /// The FTP server's end.
    pub server: Endpoint,
    /// What it carried: `LIST, active`.
    pub what: String,
    /// Its first and last rung.
    pub first: usize,
    /// Its last rung.
    pub last: usize,
    /// Its column beside the lifelines (0 for the control connection); data connections
    /// open at once get different columns.
    pub lane: usize,
    /// Its colour among the palette's (0 for the control connection).
    pub colour: usize,
}

/// One step of the session: an arrow, or a callout for a finding.
#[derive(Debug, Clone)]
pub struct Rung {
    /// The timeline's step number (findings have none).
    pub n: Option<u32>,
    /// Frame number, as Wireshark counts them.
    pub frame: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// Index of its connection in [`Ladder::connections`].
    pub conn: usize,
    /// Which way the arrow goes (`None` for a finding).
    pub dir: Option<Dir>,
    /// What it is.
    pub kind: RungKind,
    /// The arrow's label: protocol words (`SYN 1/3`, `USER test`, `331 Please ...`).
    pub label: String,
    /// The timeline's explanation, cut to [`NOTE_CHARS`].
    pub note: Option<String>,
    /// The sender's and receiver's endpoints (for port labels).
    pub from: Endpoint,
    /// The receiver.
    pub to: Endpoint,
    /// The timeline's whole words for the step (its line, explanation and lines below).
    pub words: Vec<String>,
    /// The step's JSON record, as `--format jsonl` writes it.
    pub json: String,
}

/// A session as a ladder diagram.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// The session's number.
    pub session: u32,
    /// The control connection's client.
    pub client: Endpoint,
    /// The control connection's server.
    pub server: Endpoint,
    /// One line of facts under the title: user, mode, transfers, login.
    pub facts: String,
    /// The capture's first packet (times are shown from it, as in the timeline).
    pub t0: Timestamp,
    /// The control connection first, then the data connections in order of appearance.
    pub connections: Vec<Connection>,
    /// Every step, in the timeline's order.
    pub rungs: Vec<Rung>,
    /// Advice about this session (problems and their fixes), drawn after the last step.
    pub advice: Vec<String>,
    /// Steps past [`MAX_RUNGS`], not drawn.
    pub undrawn: u64,
    /// The language of the drawing's own words (roles, columns, facts); protocol text stays.
    pub lang: Lang,
}

impl Ladder {
    /// The words said after the last drawn step when some were not drawn.
    pub fn undrawn_words(&self) -> Option<String> {
        (self.undrawn > 0).then(|| {
            let n = super::fmt::thousands(self.undrawn);
            let more = format!(
                "{n} more step{} not drawn: a diagram holds at most {} (the timeline and JSON Lines have them all)",
                super::fmt::plural(self.undrawn),
                super::fmt::thousands(MAX_RUNGS as u64)
            );
            self.lang.tr(&more).into_owned()
        })
    }

    /// Number of arrows (the timeline's numbered steps).
    pub fn steps(&self) -> usize {
        self.rungs.iter().filter(|r| r.n.is_some()).count()
    }

    /// Adds this session's problems from the advice (`--format svg`, `mermaid`: the advice
    /// is known when the capture ends).
    pub fn add_advice(&mut self, advice: &[crate::advice::ServerAdvice]) {
        for server in advice {
            for p in server.problems.iter().filter(|p| p.session == self.session) {
                let what = self.lang.tr(&safe::prose(&p.what)).into_owned();
                let fix = self.lang.tr(&safe::prose(&p.fix)).into_owned();
                let fix_word = self.lang.tr("Fix");
                self.advice.push(format!("{what} {fix_word}: {fix}"));
            }
        }
    }
}

/// Builds each session's [`Ladder`] from its steps.
pub struct LadderBuilder {
    narrator: Narrator,
    lang: Lang,
    t0: Timestamp,
    current: Option<Ladder>,
    numbered: u32,
}

impl LadderBuilder {
    /// A builder telling steps in `opts`'s words (language, `-v`, `--full-listing`).
    pub fn new(opts: &RenderOptions) -> LadderBuilder {
        LadderBuilder {
            narrator: Narrator::new(opts),
            lang: opts.lang,
            t0: Timestamp::default(),
            current: None,
            numbered: 0,
        }
    }

    /// Times are shown from `t0`, the capture's first packet.
    pub fn start(&mut self, t0: Option<Timestamp>) {
        self.t0 = t0.unwrap_or_default();
    }

    /// Adds one step of `s`; the steps of a session come in order, then [`Self::finish`].
    pub fn push(&mut self, s: &Session, step: &Step<'_>) {
        if self.current.as_ref().is_none_or(|l| l.session != s.id) {
            self.current = Some(self.empty(s));
            self.numbered = 0;
        }
        let n = step.numbered().then(|| {
            self.numbered += 1;
            self.numbered
        });
        if let Some(ladder) = self.current.as_mut()
            && ladder.rungs.len() >= MAX_RUNGS
        {
            ladder.undrawn += 1;
            return;
        }
        let told = self.narrator.words(s, step);
        let words = told.lines();
        let json = serde_json::to_string(&Record::step(s, step)).unwrap_or_default();
        let Some(ladder) = self.current.as_mut() else {
            return;
        };
        let index = ladder.rungs.len();
        let conn = connection_of(ladder, s, step, index);
        let (kind, label, dir, from, to) = shape(s, step, &ladder.connections[conn], ladder.lang);
        let note = match step.kind {
            StepKind::Finding(_) => None,
            _ => told.why.as_deref().map(|w| cut(w, NOTE_CHARS)),
        };
        let c = &mut ladder.connections[conn];
        c.last = index;
        ladder.rungs.push(Rung {
            n,
            frame: step.frame,
            ts: step.ts,
            conn,
            dir,
            kind,
            label,
            note,
            from,
            to,
            words,
            json,
        });
    }

    /// The ladder of `s`, whose steps came before (none: an empty ladder).
    pub fn finish(&mut self, s: &Session) -> Ladder {
        let mut ladder = match self.current.take() {
            Some(l) if l.session == s.id => l,
            _ => self.empty(s),
        };
        assign_lanes(&mut ladder.connections);
        ladder
    }

    fn empty(&self, s: &Session) -> Ladder {
        Ladder {
            session: s.id,
            client: s.client,
            server: s.server,
            facts: facts(s, self.lang),
            t0: self.t0,
            connections: vec![Connection {
                name: self.lang.tr("control").into_owned(),
                client: s.client,
                server: s.server,
                what: String::new(),
                first: 0,
                last: 0,
                lane: 0,
                colour: 0,
            }],
            rungs: Vec::new(),
            advice: Vec::new(),
            undrawn: 0,
            lang: self.lang,
        }
    }
}

/// The session's facts under its title.
fn facts(s: &Session, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(u) = &s.user {
        let user = format!("user {}", safe::shorten(u.wire_bytes(), 32));
        parts.push(lang.tr(&user).into_owned());
    }
    if let Some(m) = s.mode {
        parts.push(lang.tr(&format!("{m} mode")).into_owned());
    }
    let n = s.transfers.len() as u64;
    parts.push(lang.tr(&super::fmt::count(n, "transfer")).into_owned());
    let login = match s.login {
        crate::model::Login::Success => "login succeeded",
        crate::model::Login::Failed => "login failed",
        crate::model::Login::Unknown => "login not seen",
    };
    parts.push(lang.tr(login).into_owned());
    if s.tls.is_some() {
        parts.push("TLS".into());
    }
    parts.join(" · ")
}

/// The connection a step belongs to, added to the ladder when it first appears.
fn connection_of(ladder: &mut Ladder, s: &Session, step: &Step<'_>, index: usize) -> usize {
    let scope = match step.kind {
        StepKind::Handshake { scope, .. }
        | StepKind::SynAgain { scope, .. }
        | StepKind::Segment { scope, .. }
        | StepKind::Close { scope, .. } => scope,
        StepKind::Data(t) => Scope::Data(t.id),
        StepKind::Finding(f) => f.transfer.map_or(Scope::Control, Scope::Data),
        _ => Scope::Control,
    };
    let Scope::Data(id) = scope else {
        return 0;
    };
    let name = ladder.lang.tr(&scope.label()).into_owned();
    if let Some(i) = ladder.connections.iter().position(|c| c.name == name) {
        return i;
    }
    let t = transfer(s, id);
    let (client, server) = match t.and_then(|t| t.data.as_ref()) {
        Some(d) => (d.client, d.server),
        None => match step.kind {
            StepKind::Handshake { from, to, .. } | StepKind::SynAgain { from, to, .. } => {
                (from, to)
            }
            _ => (s.client, s.server),
        },
    };
    let what = t
        .map(|t| {
            let mode = t
                .mode
                .map(|m| format!(", {}", ladder.lang.tr(m.name())))
                .unwrap_or_default();
            format!("{}{mode}", safe::escape(t.command.as_bytes()))
        })
        .unwrap_or_default();
    let colour = ladder.connections.len();
    ladder.connections.push(Connection {
        name,
        client,
        server,
        what,
        first: index,
        last: index,
        lane: 0,
        colour,
    });
    ladder.connections.len() - 1
}

fn transfer(s: &Session, id: u32) -> Option<&Transfer> {
    s.transfers.iter().find(|t| t.id == id)
}

/// The arrow of a step: its kind, label, direction and ends.
fn shape(
    s: &Session,
    step: &Step<'_>,
    c: &Connection,
    lang: Lang,
) -> (RungKind, String, Option<Dir>, Endpoint, Endpoint) {
    let dir = |from: Endpoint| {
        if from == c.client || (from.ip == c.client.ip && from != c.server) {
            Dir::ToServer
        } else {
            Dir::ToClient
        }
    };
    let (to_server, to_client) = ((s.client, s.server), (s.server, s.client));
    match step.kind {
        StepKind::Handshake { n, from, to, .. } => {
            let flags = ["SYN", "SYN-ACK", "ACK"][usize::from(n.clamp(1, 3)) - 1];
            let label = format!("{flags} {n}/3");
            (RungKind::Handshake, label, Some(dir(from)), from, to)
        }
        StepKind::SynAgain { n, from, to, .. } => {
            let label = lang
                .tr(&format!("SYN again (try {})", u32::from(n) + 1))
                .into_owned();
            (RungKind::Handshake, label, Some(dir(from)), from, to)
        }
        StepKind::Greeting(r) | StepKind::ReplyWithoutCommand(r) => reply(r, to_client, lang),
        StepKind::Reply { reply: r, .. } => reply(r, to_client, lang),
        StepKind::Command { cmd, .. } => {
            let arg = cmd
                .arg
                .as_ref()
                .map(|a| format!(" {}", safe::escape(a.wire_bytes())))
                .unwrap_or_default();
            let label = cut(
                &format!("{}{arg}", safe::escape(cmd.command.as_bytes())),
                LABEL_CHARS,
            );
            let (from, to) = to_server;
            (RungKind::Command, label, Some(Dir::ToServer), from, to)
        }
        StepKind::Data(t) => {
            let what = match &t.arg {
                Some(a) => format!(
                    "{} {}",
                    safe::escape(t.command.as_bytes()),
                    safe::shorten(a.wire_bytes(), 24)
                ),
                None => safe::escape(t.command.as_bytes()),
            };
            let d = match t.direction {
                Direction::Upload => Dir::ToServer,
                Direction::Download | Direction::Listing => Dir::ToClient,
            };
            let (from, to) = match d {
                Dir::ToServer => (c.client, c.server),
                Dir::ToClient => (c.server, c.client),
            };
            // As the timeline says it: a connection that never opened carried nothing.
            let state = t.data.as_ref().map_or("", |d| d.tcp.state);
            if t.bytes.unwrap_or(0) == 0 && matches!(state, "S0" | "REJ" | "RSTOS0" | "SH") {
                let words = lang
                    .tr(&format!("no data, never established ({state})"))
                    .into_owned();
                let label = cut(&format!("{what}: {words}"), LABEL_CHARS);
                return (RungKind::NoTransfer, label, Some(d), from, to);
            }
            let bytes = match t.bytes {
                Some(b) => super::fmt::bytes(b),
                None => "no data seen".into(),
            };
            let bytes = lang.tr(&bytes);
            let time = t
                .duration
                .map(|d| format!(" · {}", super::fmt::duration(d)))
                .unwrap_or_default();
            let enc = if t.encrypted {
                format!(" ({})", lang.tr("encrypted"))
            } else {
                String::new()
            };
            let label = cut(&format!("{what}: {bytes}{time}{enc}"), LABEL_CHARS);
            (RungKind::Transfer, label, Some(d), from, to)
        }
        StepKind::Segment { note, from, to, .. } => {
            let label = if note.len > 0 {
                format!("{} {} B", note.flags, note.len)
            } else {
                note.flags.clone()
            };
            (RungKind::Segment, label, Some(dir(from)), from, to)
        }
        StepKind::Close {
            n,
            of,
            step: cs,
            from,
            to,
            ..
        } => {
            let kind = match cs.kind {
                CloseKind::Fin => "FIN",
                CloseKind::FinAck => "FIN+ACK",
                CloseKind::Ack => "ACK",
                CloseKind::Rst => "RST",
            };
            let label = format!("{kind} {n}/{of}");
            let reset = cs.kind == CloseKind::Rst;
            (RungKind::Close(reset), label, Some(dir(from)), from, to)
        }
        StepKind::Finding(f) => {
            let label = lang.tr(&safe::prose(&f.message)).into_owned();
            (
                RungKind::Finding(f.severity),
                label,
                None,
                s.server,
                s.client,
            )
        }
    }
}

/// A reply's arrow.
fn reply(
    r: &ReplyRecord,
    (from, to): (Endpoint, Endpoint),
    lang: Lang,
) -> (RungKind, String, Option<Dir>, Endpoint, Endpoint) {
    let code = r.code.map_or("---".to_string(), |c| c.to_string());
    let more = if r.line_count > 1 {
        format!(" ({})", lang.tr(&format!("+{} lines", r.line_count - 1)))
    } else {
        String::new()
    };
    let text = safe::escape(r.text.wire_bytes());
    let label = cut(
        &format!("{code} {text}"),
        LABEL_CHARS - more.chars().count(),
    );
    let class = r.code.map_or(0, |c| (c / 100) as u8);
    (
        RungKind::Reply(class),
        format!("{label}{more}"),
        Some(Dir::ToClient),
        from,
        to,
    )
}

/// `text` cut to `max` characters, with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Gives each data connection a column: the first one free when it opens (a column is
/// free once its last connection's last step has passed). Columns are few: a session
/// rarely has more than two data connections open at once; past four they are shared.
fn assign_lanes(connections: &mut [Connection]) {
    const LANES: usize = 4;
    let mut busy_until: Vec<Option<usize>> = vec![None; LANES];
    for c in connections.iter_mut().skip(1) {
        let lane = (0..LANES)
            .find(|&l| busy_until[l].is_none_or(|last| last < c.first))
            .unwrap_or(c.colour % LANES);
        busy_until[lane] = Some(c.last);
        c.lane = lane + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_short_text_and_marks_a_cut() {
        assert_eq!(cut("  USER test ", 10), "USER test");
        assert_eq!(cut("abcdefghijk", 5), "abcd…");
        assert_eq!(cut("中文中文中文", 4), "中文中…");
    }

    fn conn(first: usize, last: usize, colour: usize) -> Connection {
        let ep = Endpoint::new([10, 0, 0, 1].into(), 1);
        Connection {
            name: String::new(),
            client: ep,
            server: ep,
            what: String::new(),
            first,
            last,
            lane: 0,
            colour,
        }
    }

    #[test]
    fn data_connections_open_at_once_get_different_columns() {
        let mut c = vec![
            conn(0, 50, 0),
            conn(5, 10, 1),
            conn(8, 20, 2),
            conn(21, 30, 3),
        ];
        assign_lanes(&mut c);
        let lanes: Vec<usize> = c.iter().map(|c| c.lane).collect();
        // The control connection keeps column 0; the third reuses the first's column.
        assert_eq!(lanes, vec![0, 1, 2, 1]);
    }
}
