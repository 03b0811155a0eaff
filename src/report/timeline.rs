//! The timeline: each session as numbered steps, like the annotated captures in the articles.
//!
//! A sink of the event stream: prints each session's steps when the session ends (sessions
//! come in the order they end; each is complete, and memory holds none of them). Per
//! session: a header naming the client and server,
//! then one line per step — step number, seconds since the capture's first packet, frame
//! number (as Wireshark counts them), the connection, and what happened, with the meaning
//! of each reply and the reasoning the articles teach (port arithmetic, who opens the data
//! connection and from which port, half-close, RFC states) — and a summary. Unlinked data
//! connections, the capture's totals and its warnings close the output: they are known
//! only at the end. A file, a pipe and a live capture of the same packets print the same,
//! except that a live capture also prints, as they happen, lines marked `~ live` for
//! commands answered and transfers done in sessions that go on.

use super::fmt;
use super::lessons::{self, StepIndex};
use super::listing_table;
use super::safe::{self, MAX_SHOWN};
use super::{RenderOptions, Style};
use crate::endpoint::Endpoint;
use crate::ftp::meaning::{command_meaning, reply_meaning};
use crate::ftp::reply::Continuation;
use crate::lang::{Lang, LineWriter};
use crate::model::conn::TcpState;
use crate::model::events::{Event, Progress, Sink};
use crate::model::steps::{Scope, Step, StepKind, role};
use crate::model::{
    CaptureInfo, Direction, Login, Mode, ReplyRecord, Session, Severity, Status, Transfer,
    UnlinkedConnection,
};
use crate::tcp::{CloseKind, ConnRecord, EndReason, Side};
use crate::time::Timestamp;
use std::io::{self, Write};

/// Lines of a multi-line reply or listing shown before "… N more lines".
const MAX_SHOWN_LINES: usize = 24;

/// The timeline sink: prints each session's steps when the session ends, and the
/// capture's totals, unlinked data connections and warnings when the capture ends.
pub struct TimelineSink {
    out: Box<dyn Write>,
    st: Style,
    lang: Lang,
    /// Time zero: the capture's first packet.
    t0: Timestamp,
    /// Flush after each session (a pipe or a live capture).
    flush_each: bool,
    inputs: Vec<String>,
    /// The session whose steps are being printed, its step counter and its last command.
    current: Option<u32>,
    n: usize,
    last_command: Option<usize>,
    /// Lines of the unlinked data connections, printed at the end.
    unlinked: Vec<String>,
    /// Where the current session's data connections open and close (step numbers).
    index: StepIndex,
    /// `--full-listing`.
    full_listing: bool,
    /// `-v`: listings as a table of their entries.
    verbose: bool,
    advisor: crate::advice::Advisor,
    syntax: Option<crate::advice::Syntax>,
    /// `-t`, and the time of the current session's previous numbered step (for `dd`).
    time_format: super::TimeFormat,
    previous_ts: Option<Timestamp>,
    /// Where the columns go (fitted to a terminal, or the fixed layout).
    layout: Layout,
}

impl TimelineSink {
    /// A timeline writer to `out`; `flush_each`: flush after each session.
    pub fn new(out: Box<dyn Write>, opts: &RenderOptions, flush_each: bool) -> TimelineSink {
        TimelineSink {
            out,
            st: Style::new(opts.color),
            lang: opts.lang,
            t0: Timestamp::default(),
            flush_each,
            inputs: Vec::new(),
            current: None,
            n: 0,
            last_command: None,
            unlinked: Vec::new(),
            index: StepIndex::default(),
            full_listing: opts.full_listing,
            verbose: opts.verbose,
            advisor: crate::advice::Advisor::new(),
            syntax: opts.advice,
            time_format: opts.time_format,
            previous_ts: None,
            layout: Layout::new(opts.width, opts.time_format.width()),
        }
    }

    fn header(&mut self, first_ts: Option<Timestamp>, inputs: &[String]) -> io::Result<()> {
        self.inputs = inputs.to_vec();
        self.t0 = first_ts.unwrap_or_default();
        let names = if inputs.is_empty() {
            self.lang.tr("live capture").into_owned()
        } else {
            safe::prose(&inputs.join(", "))
        };
        writeln!(
            self.out,
            "{} {} — {names}",
            self.st.bold("ftpflow"),
            env!("CARGO_PKG_VERSION")
        )?;
        if let Some(t) = first_ts {
            let line = self.time_format.header(t);
            writeln!(self.out, "{}", self.lang.tr(&line))?;
        }
        Ok(())
    }

    /// The session's title, before its first step.
    fn title(&mut self, s: &Session) -> io::Result<()> {
        self.current = Some(s.id);
        self.index = StepIndex::new(s);
        self.n = 0;
        self.last_command = None;
        self.previous_ts = None;
        writeln!(self.out)?;
        let title = format!(
            "Session {}  client {} → server {}",
            s.id, s.client, s.server
        );
        let title = self.lang.tr(&title);
        writeln!(self.out, "{}", self.st.bold(&format!("━━ {title} ━━")))?;
        let columns = self.layout.column_header(self.time_format);
        writeln!(self.out, "{}", self.st.dim(&self.lang.tr(&columns)))
    }

    fn step(&mut self, s: &Session, step: &Step<'_>) -> io::Result<()> {
        if self.current != Some(s.id) {
            self.title(s)?;
        }
        let st = &self.st;
        let layout = self.layout;
        let ctx = Ctx {
            index: &self.index,
            full_listing: self.full_listing,
            lang: self.lang,
            verbose: self.verbose,
            body: layout.body,
            roles: (layout.narrow && s.client.ip != s.server.ip)
                .then_some((s.client.ip, s.server.ip)),
        };
        let mut d = describe(s, step, &mut self.last_command, st, &ctx);
        if !self.lang.is_en() && !matches!(step.kind, StepKind::Finding(_)) {
            // Findings are translated before they are wrapped (in `describe`); listing
            // and reply lines (`│`) are protocol text.
            d.head = self.lang.head(&d.head);
            d.why = d.why.map(|w| self.lang.tr(&w).into_owned());
            for line in &mut d.more {
                if !crate::lang::strip_ansi(line).starts_with('│') {
                    *line = self.lang.tr(line).into_owned();
                }
            }
        }
        // Where a step's words begin: under the connection column.
        let indent = &" ".repeat(layout.prefix);
        let prefix = if !step.numbered() {
            indent.to_string()
        } else {
            self.n += 1;
            let time = self.time_format.show(step.ts, self.t0, self.previous_ts);
            self.previous_ts = Some(step.ts);
            if layout.narrow {
                // One column less for the time, fewer for the step and frame numbers.
                let w = layout.time_width;
                format!("{:>4} {:>w$} {:>5} ", self.n, time.trim_start(), step.frame)
            } else {
                format!("{:>5} {time} {:>7}  ", self.n, step.frame)
            }
        };
        match &d.why {
            Some(why) if visible_len(&d.head) + visible_len(why) + 3 <= layout.body => {
                writeln!(
                    self.out,
                    "{prefix}{}   {}",
                    d.head,
                    st.dim(&format!("— {why}"))
                )?;
            }
            Some(why) => {
                writeln!(self.out, "{prefix}{}", d.head)?;
                for (i, line) in wrap(why, layout.body - 2).iter().enumerate() {
                    let mark = if i == 0 { "↳ " } else { "  " };
                    writeln!(self.out, "{indent}{}", st.dim(&format!("{mark}{line}")))?;
                }
            }
            None => writeln!(self.out, "{prefix}{}", d.head)?,
        }
        for line in &d.more {
            writeln!(self.out, "{indent}{line}")?;
        }
        Ok(())
    }

    fn ended(&mut self, s: &Session) -> io::Result<()> {
        if self.current != Some(s.id) {
            self.title(s)?;
        }
        self.current = None;
        self.advisor.observe(s);
        if self.lang.is_en() {
            session_summary(s, &self.st, &mut self.out)?;
        } else {
            let mut out = LineWriter::new(&mut *self.out, self.lang);
            session_summary(s, &self.st, &mut out)?;
            out.flush()?;
        }
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Live capture: one line, marked `~ live`, for a command answered or a transfer done
    /// while its session goes on. The session's full steps follow when it ends.
    fn progress(&mut self, session: u32, p: &Progress) -> io::Result<()> {
        let (ts, frame, what) = match p {
            Progress::Command(c) => {
                let arg = c
                    .arg
                    .as_ref()
                    .map(|a| format!(" {}", safe::shorten(a.wire_bytes(), MAX_SHOWN)))
                    .unwrap_or_default();
                let reply = match (c.reply_code, &c.reply_text) {
                    (Some(code), Some(text)) => {
                        format!(" → {code} {}", safe::shorten(text.wire_bytes(), MAX_SHOWN))
                    }
                    _ => String::new(),
                };
                let verb = safe::escape(c.command.as_bytes());
                (c.ts, c.frame, format!("{verb}{arg}{reply}"))
            }
            Progress::Transfer(t) => {
                let mode = t.mode.map_or("mode unknown", Mode::name);
                let bytes = t
                    .bytes
                    .map_or("data connection not seen".to_string(), fmt::bytes);
                let status = t.status.name();
                let arg = t
                    .arg
                    .as_ref()
                    .map(|a| format!(" {}", safe::shorten(a.wire_bytes(), MAX_SHOWN)))
                    .unwrap_or_default();
                let what = format!(
                    "transfer {} done: {}{arg}, {mode}, {bytes}, {status}",
                    t.id, t.command
                );
                (t.ts, t.frame, what)
            }
        };
        // `dd` has no previous step here: such a line is told apart from its session.
        let time = match self.time_format {
            super::TimeFormat::Dd => super::TimeFormat::R,
            f => f,
        }
        .show(ts, self.t0, None);
        let line = format!("~ live  session {session} {time} {frame:>7}  {what}");
        writeln!(self.out, "{}", self.st.dim(&line))?;
        self.out.flush()
    }

    fn unlinked(&mut self, u: &UnlinkedConnection) {
        self.unlinked.extend(unlinked_lines(u));
    }

    fn finished(&mut self, c: &CaptureInfo) -> io::Result<()> {
        let advice = self.advisor.advice(self.syntax);
        let untracked = self.advisor.untracked_sessions();
        let (st, lang) = (&self.st, self.lang);
        if lang.is_en() {
            unlinked_to(&mut *self.out, st, &self.unlinked)?;
        } else {
            let mut out = LineWriter::new(&mut *self.out, lang);
            unlinked_to(&mut out, st, &self.unlinked)?;
            out.flush()?;
        }
        // The advice translates its own lines (its rules have their own notation).
        crate::advice::text::write(&mut *self.out, &advice, untracked, st, lang)?;
        if lang.is_en() {
            return capture_to(&mut *self.out, st, c);
        }
        let mut out = LineWriter::new(&mut *self.out, lang);
        capture_to(&mut out, st, c)?;
        out.flush()
    }
}

/// An unlinked data connection's two lines: its endpoints, frames, bytes and state, then
/// why no announcement explains it (the HTML report lists them too).
pub(crate) fn unlinked_lines(u: &UnlinkedConnection) -> [String; 2] {
    let c = &u.tcp;
    [
        format!(
            "  {} → {}  frames {}–{}  {} / {}  state {} {}",
            c.orig,
            c.resp,
            c.first_frame,
            c.last_frame,
            fmt::bytes(c.orig_to_resp.bytes),
            fmt::bytes(c.resp_to_orig.bytes),
            c.state,
            c.history
        ),
        format!("      {}", safe::prose(&u.reason)),
    ]
}

/// The unlinked data connections.
fn unlinked_to(out: &mut dyn Write, st: &Style, unlinked: &[String]) -> io::Result<()> {
    if !unlinked.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", st.bold("Unlinked data connections"))?;
        for line in unlinked {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The capture's totals and warnings.
fn capture_to(out: &mut dyn Write, st: &Style, c: &CaptureInfo) -> io::Result<()> {
    {
        writeln!(out)?;
        let names: Vec<String> = c
            .files
            .iter()
            .map(|f| match f.format {
                Some(fmt) => format!(
                    "{} ({}{})",
                    safe::prose(&f.name),
                    fmt,
                    if f.gzip { ", gzip" } else { "" }
                ),
                None => safe::prose(&f.name),
            })
            .collect();
        writeln!(
            out,
            "{} {}",
            st.bold("Capture"),
            if names.is_empty() {
                "live".to_string()
            } else {
                names.join(", ")
            }
        )?;
        writeln!(
            out,
            "  {} packets, {}, {} · {} FTP session{}, {} data connection{} linked, {} unlinked data connection{}, {} other TCP connection{}",
            fmt::thousands(c.packets),
            fmt::size(c.bytes),
            fmt::duration(c.duration),
            c.ftp_sessions,
            plural(c.ftp_sessions),
            c.data_connections,
            plural(c.data_connections),
            c.unlinked_data_connections,
            plural(c.unlinked_data_connections),
            c.other_tcp_connections,
            plural(c.other_tcp_connections),
        )?;
        for line in super::filter::summary_lines(c) {
            writeln!(out, "  {line}")?;
        }
        for r in &c.brute_force {
            writeln!(out, "  {}", st.yellow(&brute_force_line(r)))?;
        }
        if !c.warnings.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", st.yellow("Warnings"))?;
            for w in &c.warnings {
                writeln!(out, "  ! {}", safe::prose(w))?;
            }
        }
        out.flush()
    }
}

impl Sink for TimelineSink {
    fn wants_steps(&self) -> bool {
        true
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Started { first_ts, inputs } => self.header(*first_ts, inputs),
            Event::Step { session, step } => self.step(session, step),
            Event::SessionEnded(s) => self.ended(s),
            Event::Unlinked(u) => {
                self.unlinked(u);
                Ok(())
            }
            Event::Finished(c) => self.finished(c),
            Event::Progress { session, progress } => self.progress(*session, progress),
        }
    }
}

/// A step in the timeline's words: what the pictures ([`super::ladder`]) show when a step is
/// pointed at or clicked, so that a picture and the timeline never say different things.
#[derive(Debug, Clone, Default)]
pub struct StepWords {
    /// The step's line (connection, arrow or handshake/close position, endpoints or text).
    pub head: String,
    /// Its explanation.
    pub why: Option<String>,
    /// Lines below it (a reply's other lines, a listing).
    pub more: Vec<String>,
}

impl StepWords {
    /// The words as plain lines (head, explanation, the lines below).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.head.split_whitespace().collect::<Vec<_>>().join(" ")];
        lines.extend(self.why.iter().cloned());
        lines.extend(self.more.iter().map(|l| l.trim().to_string()));
        lines
    }
}

/// Tells each step of a session in the timeline's words, without colours or wrapping.
pub struct Narrator {
    lang: Lang,
    verbose: bool,
    full_listing: bool,
    session: Option<u32>,
    index: StepIndex,
    last_command: Option<usize>,
}

impl Narrator {
    /// A narrator in `opts`'s language, with `-v`'s and `--full-listing`'s details.
    pub fn new(opts: &RenderOptions) -> Narrator {
        Narrator {
            lang: opts.lang,
            verbose: opts.verbose,
            full_listing: opts.full_listing,
            session: None,
            index: StepIndex::default(),
            last_command: None,
        }
    }

    /// The words of `step`; steps come in the session's order, as the timeline gets them.
    pub fn words(&mut self, s: &Session, step: &Step<'_>) -> StepWords {
        if self.session != Some(s.id) {
            self.session = Some(s.id);
            self.index = StepIndex::new(s);
            self.last_command = None;
        }
        let ctx = Ctx {
            index: &self.index,
            full_listing: self.full_listing,
            lang: self.lang,
            verbose: self.verbose,
            // No wrapping: a picture lays out its own lines.
            body: usize::MAX / 4,
            roles: None,
        };
        let d = describe(s, step, &mut self.last_command, &Style::new(false), &ctx);
        let lang = self.lang;
        if lang.is_en() || matches!(step.kind, StepKind::Finding(_)) {
            return StepWords {
                head: d.head,
                why: d.why,
                more: d.more,
            };
        }
        StepWords {
            head: lang.head(&d.head),
            why: d.why.map(|w| lang.tr(&w).into_owned()),
            more: d
                .more
                .into_iter()
                .map(|l| {
                    if l.starts_with('│') {
                        l
                    } else {
                        lang.tr(&l).into_owned()
                    }
                })
                .collect(),
        }
    }
}

/// A session's summary as the timeline prints it after its steps (no colours), in `lang`.
pub fn summary_text(s: &Session, lang: Lang) -> String {
    let mut buf = Vec::new();
    let st = Style::new(false);
    // Writing into memory cannot fail.
    if lang.is_en() {
        let _ = session_summary(s, &st, &mut buf);
    } else {
        let mut out = LineWriter::new(&mut buf, lang);
        let _ = session_summary(s, &st, &mut out);
        let _ = out.flush();
    }
    String::from_utf8_lossy(&buf).trim_matches('\n').to_string()
}

/// The capture's totals and warnings as the timeline ends with them (no colours), in `lang`.
pub fn capture_text(c: &CaptureInfo, lang: Lang) -> String {
    let mut buf = Vec::new();
    let st = Style::new(false);
    if lang.is_en() {
        let _ = capture_to(&mut buf, &st, c);
    } else {
        let mut out = LineWriter::new(&mut buf, lang);
        let _ = capture_to(&mut out, &st, c);
        let _ = out.flush();
    }
    String::from_utf8_lossy(&buf).trim_matches('\n').to_string()
}

use fmt::plural;

/// Width of the descriptive part of a timeline line (after step, time and frame) when the
/// output is not fitted to a terminal.
const LINE_WIDTH: usize = 120;

/// Terminals narrower than this get the narrow layout.
const NARROW: usize = 100;

/// Where a timeline's columns go.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Columns of `step time frame` before a step's words, and the indent of the lines
    /// under a step.
    prefix: usize,
    /// Columns of a step's words.
    body: usize,
    /// Columns of the time (`-t` decides; seconds take one less in the narrow layout).
    time_width: usize,
    /// Narrow terminals: compact step columns, and the session's client and server named
    /// by role in the steps (the session's title gives their addresses).
    narrow: bool,
}

impl Layout {
    /// The fixed layout for `None`; else one that fills `width` columns. `time`: columns
    /// of the `-t` time format.
    fn new(width: Option<usize>, time: usize) -> Layout {
        // `step time frame` and their spaces: 5+1+time+1+7+2, narrow 4+1+time+1+5+1 with
        // the seconds' column one narrower (a date or epoch time keeps its width).
        let wide = 16 + time;
        let narrow_time = if time == 11 { 10 } else { time };
        let compact = 12 + narrow_time;
        match width {
            None => Layout {
                prefix: wide,
                body: LINE_WIDTH,
                time_width: time,
                narrow: false,
            },
            Some(w) if w < NARROW => Layout {
                prefix: compact,
                body: w.max(super::fit::MIN_WIDTH).saturating_sub(compact).max(20),
                time_width: narrow_time,
                narrow: true,
            },
            Some(w) => Layout {
                prefix: wide,
                body: w.saturating_sub(wide).max(20),
                time_width: time,
                narrow: false,
            },
        }
    }

    /// The column header over the steps, aligned with them.
    fn column_header(self, time: super::TimeFormat) -> String {
        if !self.narrow {
            return time.column_header().to_string();
        }
        let w = self.time_width;
        format!(
            "{:>4} {:>w$} {:>5} connection",
            "step",
            time.label(),
            "frame"
        )
    }
}

/// Columns a terminal gives `s` (ANSI colour codes take none; CJK characters two).
fn visible_len(s: &str) -> usize {
    crate::lang::wrap::width(s)
}

/// Word-wraps plain text to `width` columns (Chinese breaks between characters).
fn wrap(text: &str, width: usize) -> Vec<String> {
    crate::lang::wrap::wrap(text, width)
}

/// One step in words: a head line, an explanation (inline when it fits), lines below.
struct Described {
    head: String,
    why: Option<String>,
    more: Vec<String>,
}

impl Described {
    fn new(head: String, why: Option<String>) -> Described {
        Described {
            head,
            why,
            more: Vec::new(),
        }
    }
}

/// What a step's words may draw on beyond the step itself.
struct Ctx<'a> {
    index: &'a StepIndex,
    full_listing: bool,
    lang: Lang,
    /// `-v`: listings as a table of their entries ([`listing_table`]).
    verbose: bool,
    /// Columns of a step's words.
    body: usize,
    /// Narrow layout: the session's client and server addresses, named by role.
    roles: Option<(std::net::IpAddr, std::net::IpAddr)>,
}

impl Ctx<'_> {
    /// An endpoint in a step's head: `client:51299` for the session's client in the
    /// narrow layout, the address otherwise.
    fn ep(&self, e: Endpoint) -> String {
        let role = match self.roles {
            Some((client, _)) if e.ip == client => "client",
            Some((_, server)) if e.ip == server => "server",
            _ => return e.to_string(),
        };
        let role = match (self.lang.is_en(), role) {
            (true, r) => r,
            (false, "client") => "客户端",
            (false, _) => "服务器",
        };
        format!("{role}:{}", e.port)
    }
}

fn describe(
    s: &Session,
    step: &Step<'_>,
    last_command: &mut Option<usize>,
    st: &Style,
    ctx: &Ctx<'_>,
) -> Described {
    let lang = ctx.lang;
    match step.kind {
        StepKind::Handshake {
            scope,
            n,
            from,
            to,
            conn,
            ..
        } => {
            let flags = ["SYN", "SYN-ACK", "ACK"][(n - 1) as usize];
            let head = format!(
                "{:<9} handshake {n}/3  {flags:<7}  {} → {}",
                scope.label(),
                ctx.ep(from),
                ctx.ep(to)
            );
            Described::new(head, Some(handshake_words(s, scope, n, from, conn)))
        }
        StepKind::SynAgain {
            scope, n, from, to, ..
        } => {
            let head = format!(
                "{:<9} handshake 1/3  SYN      {} → {}   (sent again, try {})",
                scope.label(),
                ctx.ep(from),
                ctx.ep(to),
                n + 1
            );
            let why = match scope {
                Scope::Control => {
                    "no SYN-ACK came back in time: the client retransmits its SYN".to_string()
                }
                Scope::Data(_) => format!(
                    "no SYN-ACK came back in time: the {} retransmits its SYN",
                    role(from, client_of(s, scope))
                ),
            };
            Described::new(head, Some(why))
        }
        StepKind::Greeting(r) => {
            let code = r.code.map_or("---".to_string(), |c| c.to_string());
            let head = format!(
                "{:<9} {}  {}",
                "control",
                st.arrow_reply(),
                st.reply(
                    r.code,
                    &format!("{}{}", code_prefix(&code, r), reply_text(r))
                ),
            );
            let why = r.code.map_or("not a reply", reply_meaning).to_string();
            let mut d = Described::new(head, Some(why));
            d.more = more_lines(r, st);
            d
        }
        StepKind::ReplyWithoutCommand(r) => {
            let code = r.code.map_or("---".to_string(), |c| c.to_string());
            let head = format!(
                "{:<9} {}  {}",
                "control",
                st.arrow_reply(),
                st.reply(
                    r.code,
                    &format!("{}{}", code_prefix(&code, r), reply_text(r))
                ),
            );
            let meaning = r.code.map_or("not an FTP reply", reply_meaning);
            let why = format!("{meaning}; it answers a command from before the capture started");
            let mut d = Described::new(head, Some(why));
            d.more = more_lines(r, st);
            d
        }
        StepKind::Command { index, cmd } => {
            *last_command = Some(index);
            let arg = match &cmd.arg {
                Some(a) if cmd.arg_truncated => format!(
                    " {} ({} bytes)",
                    safe::shorten(a.wire_bytes(), MAX_SHOWN),
                    fmt::thousands(cmd.arg_len.unwrap_or(a.len()) as u64)
                ),
                Some(a) => format!(" {}", safe::escape(a.wire_bytes())),
                None => String::new(),
            };
            let mut words: Vec<String> = Vec::new();
            if cmd.inferred && s.tls.is_some() && cmd.replies.is_empty() && cmd.transfer.is_some() {
                words.push(
                    "inferred: the control connection is encrypted, so the transfer command cannot be read; a new \
                     data connection opens here"
                        .into(),
                );
            } else if cmd.inferred {
                words.push(
                    "inferred: the command is in bytes missing from the capture; its reply names it"
                        .into(),
                );
            }
            if let Some(m) = command_meaning(&cmd.command) {
                words.push(m.to_string());
            }
            if cmd.masked {
                words.push("password masked; --show-passwords shows it".into());
            }
            if let (Some(ep), Some(arith)) = (cmd.data_endpoint, &cmd.port_arithmetic)
                && matches!(cmd.command.as_str(), "PORT" | "LPRT")
            {
                words.push(format!("the client listens on {ep} ({arith})"));
                words.extend(lessons::port_words(s, index, cmd));
            } else if let Some(ep) = cmd.data_endpoint
                && cmd.command == "EPRT"
            {
                words.push(format!("the client listens on {ep}"));
                words.extend(lessons::port_words(s, index, cmd));
            }
            if let Some(t) = cmd.transfer {
                words.push(format!("starts transfer {t}"));
            }
            if cmd.telnet_interrupt {
                words
                    .push("preceded by Telnet IP and DM (urgent), as RFC 959 asks for ABOR".into());
            }
            let head = format!(
                "{:<9} {}  {}{}{}",
                "control",
                st.arrow_command(),
                // The verb holds printable ASCII only, but may hold a backslash.
                st.command(&safe::escape(cmd.command.as_bytes())),
                st.command(&arg),
                if cmd.inferred { " (inferred)" } else { "" },
            );
            Described::new(head, (!words.is_empty()).then(|| words.join("; ")))
        }
        StepKind::Reply { index, cmd, reply } => {
            let code = reply.code.map_or("???".to_string(), |c| c.to_string());
            let mut words = vec![reply.code.map_or("not an FTP reply".to_string(), |c| {
                reply_meaning(c).to_string()
            })];
            if let Some(w) = lessons::preliminary_words(s, ctx.index, cmd, reply) {
                // The class meaning says "about to open"; the capture says when it did.
                words[0] = match reply.code {
                    Some(150) => "file status okay".into(),
                    _ => "the transfer starts".into(),
                };
                words.push(w);
            } else if let Some(w) = lessons::closed_by_words(s, ctx.index, cmd, reply) {
                if reply.code == Some(226) {
                    words[0] = w;
                } else {
                    words.push(w);
                }
            }
            if let (Some(ep), Some(c)) = (cmd.data_endpoint, reply.code)
                && matches!(c, 227..=229)
            {
                match &cmd.port_arithmetic {
                    Some(a) => words.push(format!("the server listens on {ep} ({a})")),
                    None => words.push(format!("the server listens on {ep}")),
                }
            }
            if reply.unsolicited {
                words.push("no command was waiting for it".into());
            } else if *last_command != Some(index) {
                words.push(format!("answers {}", safe::escape(cmd.command.as_bytes())));
            }
            let text = format!("{}{}", code_prefix(&code, reply), reply_text(reply));
            let head = format!(
                "{:<9} {}  {}",
                "control",
                st.arrow_reply(),
                st.reply(reply.code, &text)
            );
            let mut d = Described::new(head, Some(words.join("; ")));
            d.more = more_lines(reply, st);
            d
        }
        StepKind::Data(t) => data_lines(t, st, ctx.full_listing, ctx.verbose.then_some(ctx.lang)),
        StepKind::Segment {
            scope,
            note,
            from,
            to,
        } => {
            let conn = match scope {
                Scope::Control => Some(&s.control),
                Scope::Data(t) => s
                    .transfers
                    .iter()
                    .find(|x| x.id == t)
                    .and_then(|x| x.data.as_ref())
                    .map(|d| &d.tcp),
            };
            let acked =
                conn.and_then(|c| lessons::ack_words(s, scope, c, note, client_of(s, scope)));
            let what = if note.len > 0 {
                format!("{} at offset {}", fmt::bytes(note.len), note.offset)
            } else {
                acked.unwrap_or_else(|| "no payload".to_string())
            };
            let extra = note.note.map(|n| format!(" ({n})")).unwrap_or_default();
            let head = st.dim(&format!(
                "{:<9} segment  {:<9} {} → {}  {what}{extra}",
                scope.label(),
                note.flags,
                ctx.ep(from),
                ctx.ep(to)
            ));
            Described::new(head, None)
        }
        StepKind::Close {
            scope,
            n,
            of,
            step,
            from,
            to,
            conn,
        } => {
            let kind = match step.kind {
                CloseKind::Fin => "FIN",
                CloseKind::FinAck => "FIN+ACK",
                CloseKind::Ack => "ACK",
                CloseKind::Rst => "RST",
            };
            let client = client_of(s, scope);
            let why = close_words(conn, n, step.kind, step.from, from, to, client, step, of);
            let complete = conn.close.as_ref().is_some_and(|c| c.complete);
            let head = format!(
                "{:<9} close {n}/{of}{}  {kind:<7}  {} → {}",
                scope.label(),
                if complete { "" } else { "?" },
                ctx.ep(from),
                ctx.ep(to)
            );
            Described::new(head, Some(why))
        }
        StepKind::Finding(f) => {
            let paint = |t: &str| match f.severity {
                Severity::Info => st.dim(t),
                Severity::Warning => st.yellow(t),
                Severity::Error => st.red(t),
            };
            let mark = match f.severity {
                Severity::Info => "i",
                Severity::Warning => "!",
                Severity::Error => "✗",
            };
            let mut d = Described::new(String::new(), None);
            let message = lang.tr(&safe::prose(&f.message)).into_owned();
            for (i, line) in wrap(&message, ctx.body - 2).iter().enumerate() {
                if i == 0 {
                    d.head = paint(&format!("{mark} {line}"));
                } else {
                    d.more.push(paint(&format!("  {line}")));
                }
            }
            d
        }
    }
}

/// The FTP client's endpoint on a connection.
fn client_of(s: &Session, scope: Scope) -> Endpoint {
    match scope {
        Scope::Control => s.client,
        Scope::Data(t) => s
            .transfers
            .iter()
            .find(|x| x.id == t)
            .and_then(|x| x.data.as_ref())
            .map_or(s.client, |d| d.client),
    }
}

fn handshake_words(s: &Session, scope: Scope, n: u8, from: Endpoint, conn: &ConnRecord) -> String {
    let client = client_of(s, scope);
    let who = role(from, client);
    match (scope, n) {
        (Scope::Control, 1) => format!(
            "the client opens the control connection to port {}",
            s.server.port
        ),
        (Scope::Data(t), 1) => {
            let tr = s.transfers.iter().find(|x| x.id == t);
            let mode = tr.and_then(|x| x.mode);
            let port = from.port;
            match mode {
                Some(Mode::Active) if who == "server" && port == 20 => {
                    "active mode: the server opens the data connection from its port 20".to_string()
                }
                Some(Mode::Active) if who == "server" => {
                    format!("active mode: the server opens the data connection (from port {port}, not 20)")
                }
                // An encrypted session's announcement could not be read.
                Some(Mode::Passive) if who == "client" && tr.is_some_and(|x| x.inferred) => {
                    format!(
                        "passive mode: the client opens the data connection to the server's port {} (the announcement is encrypted)",
                        conn.resp.port
                    )
                }
                Some(Mode::Passive) if who == "client" => {
                    "passive mode: the client opens the data connection to the port the server announced".to_string()
                }
                _ => format!("the {who} opens the data connection"),
            }
        }
        (_, 2) => format!("the {who} accepts"),
        (_, _) => match conn.handshake.as_ref().and_then(|h| h.rtt) {
            Some(rtt) => format!(
                "connection established; handshake RTT {}",
                fmt::duration(rtt)
            ),
            None => "connection established".to_string(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn close_words(
    conn: &ConnRecord,
    n: usize,
    kind: CloseKind,
    side: Side,
    from: Endpoint,
    to: Endpoint,
    client: Endpoint,
    step: &crate::tcp::CloseStep,
    of: usize,
) -> String {
    let who = role(from, client);
    let other = role(to, client);
    let state = |ep: Endpoint| -> &'static str {
        if ep == conn.orig {
            step.orig_state.name()
        } else {
            step.resp_state.name()
        }
    };
    let states = format!("{who} {}, {other} {}", state(from), state(to));
    let first_closer = conn.close.as_ref().map(|c| c.initiator);
    match kind {
        CloseKind::Rst if conn.state == "REJ" && n == 1 => format!(
            "the {who} refuses the connection: a reset answers the SYN, nothing listens on port {}",
            from.port
        ),
        CloseKind::Rst => format!("the {who} resets the connection ({states})"),
        CloseKind::Fin if n == 1 => {
            format!("the {who} closes first: no more data from it ({states})")
        }
        CloseKind::Fin
            if step.orig_state == TcpState::Closing && step.resp_state == TcpState::Closing =>
        {
            format!(
                "the {who} closes too, before the {other}'s FIN reached it: simultaneous close ({states})"
            )
        }
        CloseKind::Fin => format!("the {who} closes its direction too ({states})"),
        CloseKind::FinAck => {
            format!("the {who} acknowledges the {other}'s FIN and closes in one segment ({states})")
        }
        CloseKind::Ack if first_closer == Some(side.other()) && n == 2 => format!(
            "the {who} acknowledges: the {other}→{who} direction is closed, the {who} may still send (half-close; {states})"
        ),
        CloseKind::Ack if n < of => format!("the {who} acknowledges the {other}'s FIN ({states})"),
        CloseKind::Ack => format!("closed ({states})"),
    }
}

/// Lines of a listing shown in the timeline without `--full-listing`.
pub const LISTING_LINES: usize = 10;

fn data_lines(t: &Transfer, st: &Style, full_listing: bool, table: Option<Lang>) -> Described {
    let Some(d) = &t.data else {
        return Described::new(String::new(), None);
    };
    let dir = match t.direction {
        Direction::Download => "server → client",
        Direction::Upload => "client → server",
        Direction::Listing => "server → client (listing)",
    };
    let bytes = t.bytes.unwrap_or(0);
    let server_side = if d.tcp.orig == d.server {
        Side::Orig
    } else {
        Side::Resp
    };
    let from = if t.direction == Direction::Upload {
        server_side.other()
    } else {
        server_side
    };
    let segs = d.tcp.dir(from).data_segments;
    let what = match &t.arg {
        Some(a) => format!("{} {}", t.command, safe::shorten(a.wire_bytes(), 40)),
        None => t.command.clone(),
    };
    if bytes == 0 && matches!(d.tcp.state, "S0" | "REJ" | "RSTOS0" | "SH") {
        let why = match d.tcp.state {
            "REJ" => "refused with RST",
            _ => "the SYN was never answered",
        };
        let head = format!(
            "{:<9} transfer  {what}: no data, the connection was never established ({why}, state {})",
            Scope::Data(t.id).label(),
            d.tcp.state
        );
        return Described::new(head, None);
    }
    let mut head = format!(
        "{:<9} transfer  {what}: {} {dir} in {} segment{}, {}",
        Scope::Data(t.id).label(),
        st.bold(&fmt::bytes(bytes)),
        fmt::thousands(segs),
        plural(segs),
        fmt::duration(t.duration.unwrap_or(0.0))
    );
    if let Some(rate) = t.throughput
        && bytes >= 64 * 1024
    {
        head.push_str(&format!(" ({})", fmt::rate(rate)));
    }
    let mut notes = Vec::new();
    if t.encrypted {
        notes.push("encrypted (PROT P): counted, content not shown".to_string());
    }
    if t.inferred {
        notes.push("data connection inferred: the announcement is encrypted".to_string());
    }
    if let Some(name) = t.content.as_ref().and_then(|c| c.extracted_as.as_ref()) {
        notes.push(format!(
            "extracted as {}",
            safe::shorten(name.as_bytes(), 60)
        ));
    }
    let mut out = Described::new(head, (!notes.is_empty()).then(|| notes.join("; ")));
    if let Some(m) = t.missed_bytes {
        let span = d.tcp.dir(from).sequence_span.unwrap_or(bytes + m);
        out.more.push(st.yellow(&format!(
            "! {} missing from the capture: it holds {} of a sequence space of {} ({:.1}%)",
            fmt::bytes(m),
            fmt::bytes(bytes),
            fmt::bytes(span),
            100.0 * bytes as f64 / span.max(1) as f64
        )));
    }
    if t.direction == Direction::Listing && !t.preview.is_empty() && !t.encrypted {
        listing_lines(t, bytes, st, full_listing, table, &mut out.more);
    }
    out
}

/// A listing's lines as sent, whole: up to [`LISTING_LINES`] (all with `full_listing`),
/// then how many more lines (or bytes, when the capture's preview did not keep them all).
/// MLSD lines get their facts in words below them. `table` (`-v`, in this language): the
/// lines read as entries become a table instead ([`listing_table`]).
fn listing_lines(
    t: &Transfer,
    bytes: u64,
    st: &Style,
    full_listing: bool,
    table: Option<Lang>,
    more: &mut Vec<String>,
) {
    let complete = t.preview.len() as u64 >= bytes;
    // Whole lines only: a line the preview cut is not shown.
    let kept = if complete {
        &t.preview[..]
    } else {
        match t.preview.iter().rposition(|&b| b == b'\n') {
            Some(i) => &t.preview[..=i],
            None => &[],
        }
    };
    let body = kept.strip_suffix(b"\n").unwrap_or(kept);
    // Split as `str::lines` would (LF, and a CR before it), but on the bytes sent, so that
    // invalid UTF-8 shows as escapes.
    let lines: Vec<&[u8]> = if body.is_empty() && kept.is_empty() {
        Vec::new()
    } else {
        body.split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect()
    };
    let limit = if full_listing {
        usize::MAX
    } else {
        LISTING_LINES
    };
    let shown = lines.len().min(limit);
    let mlsd = matches!(t.command.as_str(), "MLSD");
    let parsed = t.listing.as_ref().filter(|l| listing_table::applies(l));
    if let (Some(lang), Some(l)) = (table, parsed) {
        let rows = listing_table::rows(l, &lines[..shown], lang);
        more.extend(rows.iter().map(|r| st.dim(r)));
    }
    for l in lines[..shown]
        .iter()
        .filter(|_| table.is_none() || parsed.is_none())
    {
        more.push(st.dim(&format!("│ {}", safe::escape(l))));
        if mlsd && let Some(w) = lessons::mlsd_facts(&String::from_utf8_lossy(l)) {
            more.push(st.dim(&format!("│   = {}", safe::prose(&w))));
        }
    }
    let hint = if full_listing {
        ""
    } else {
        "; --full-listing shows all"
    };
    if complete && shown < lines.len() {
        more.push(st.dim(&format!(
            "│ … {} more line{}{hint}",
            lines.len() - shown,
            plural((lines.len() - shown) as u64)
        )));
    } else if !complete {
        let seen: usize = lines[..shown].iter().map(|l| l.len() + 1).sum();
        more.push(st.dim(&format!(
            "│ … {} more{}",
            fmt::bytes(bytes.saturating_sub(seen as u64)),
            if full_listing {
                " (beyond what is kept of a listing)"
            } else {
                hint
            }
        )));
    }
}

/// The framing the reply's first line was sent with: `211-` opens a multi-line reply
/// (RFC 959 section 4.2), `211 ` is a one-line reply.
fn code_prefix(code: &str, r: &ReplyRecord) -> String {
    if r.line_count > 1 && r.code.is_some() {
        format!("{code}-")
    } else {
        format!("{code} ")
    }
}

/// The lines of a multi-line reply after the first, framed as on the wire: the middle
/// lines as sent (with `211-` when the server repeated it; a reply that mixed both shows
/// them plain), the closing line with `211 `. Beyond [`MAX_SHOWN_LINES`], "… N more
/// lines", then the closing line.
fn more_lines(r: &ReplyRecord, st: &Style) -> Vec<String> {
    let lines = &r.lines;
    if lines.len() <= 1 {
        return Vec::new();
    }
    let code = r.code.map(|c| c.to_string());
    let shown = |i: usize| {
        let prefix = match &code {
            Some(c) if i + 1 == r.line_count => format!("{c} "),
            Some(c) if r.continuation == Continuation::Code => format!("{c}-"),
            _ => String::new(),
        };
        st.dim(&format!(
            "│ {prefix}{}",
            safe::escape(lines[i].wire_bytes())
        ))
    };
    let last = lines.len() - 1;
    if last <= MAX_SHOWN_LINES {
        return (1..=last).map(shown).collect();
    }
    let mut v: Vec<String> = (1..MAX_SHOWN_LINES).map(shown).collect();
    v.push(st.dim(&format!(
        "│ … {} more lines",
        r.line_count.saturating_sub(MAX_SHOWN_LINES + 1)
    )));
    // The closing line, when kept, shows where the reply ends.
    if r.line_count == lines.len() {
        v.push(shown(last));
    }
    v
}

/// A reply's first line, escaped; shortened when a bound cut it, with its real length.
fn reply_text(r: &ReplyRecord) -> String {
    let first = r.first_line().wire_bytes();
    if r.text_truncated {
        format!(
            "{} ({} bytes)",
            safe::shorten(first, MAX_SHOWN),
            fmt::thousands(r.text_len.unwrap_or(0) as u64)
        )
    } else {
        safe::escape(first)
    }
}

/// A greeting for a one-line summary: shortened, and in quotes unless it brings its own
/// (`220 "Welcome"` would otherwise show `""Welcome""`).
fn greeting_words(g: &ReplyRecord) -> String {
    let text = safe::shorten(g.first_line().wire_bytes(), 50);
    if text.starts_with('"') {
        text
    } else {
        format!("\"{text}\"")
    }
}

/// One password-guessing run for the capture's summary.
pub(crate) fn brute_force_line(r: &crate::model::BruteForceRun) -> String {
    let more = if r.more_users > 0 {
        format!(" and {} more", r.more_users)
    } else {
        String::new()
    };
    let success = r
        .succeeded_as
        .as_ref()
        .map(|u| format!("; a login as {} succeeded during it", safe::prose(u)))
        .unwrap_or_default();
    format!(
        "! brute force: {} failed logins from {} to {} in {} (from session {}), users tried: {}{more}{success}",
        fmt::thousands(r.failed_logins),
        r.client,
        r.server,
        fmt::duration(r.last_ts.secs_since(r.first_ts).max(0.0)),
        r.first_session,
        safe::prose(&r.users.join(", ")),
    )
}

/// The session's logins per user, when it tried more than one: "alice failed 3 times,
/// bob succeeded", users in order of their first attempt.
pub(crate) fn logins_by_user(s: &Session) -> Option<String> {
    if s.login_attempts.len() < 2 {
        return None;
    }
    let mut users: Vec<(String, u64, u64, u64)> = Vec::new();
    for a in &s.login_attempts {
        let name = a.user.as_ref().map_or("(user not seen)".to_string(), |u| {
            safe::shorten(u.wire_bytes(), MAX_SHOWN)
        });
        let i = match users.iter().position(|u| u.0 == name) {
            Some(i) => i,
            None => {
                users.push((name, 0, 0, 0));
                users.len() - 1
            }
        };
        match a.result {
            Login::Failed => users[i].1 += 1,
            Login::Success => users[i].2 += 1,
            Login::Unknown => users[i].3 += 1,
        }
    }
    let times = |n: u64| {
        if n == 1 {
            "once".to_string()
        } else {
            format!("{n} times")
        }
    };
    let words: Vec<String> = users
        .iter()
        .map(|(name, failed, ok, unknown)| {
            let mut parts = Vec::new();
            if *failed > 0 {
                parts.push(format!("failed {}", times(*failed)));
            }
            if *ok > 0 {
                parts.push(if *ok == 1 {
                    "succeeded".into()
                } else {
                    format!("succeeded {}", times(*ok))
                });
            }
            if *unknown > 0 {
                parts.push(format!("no verdict {}", times(*unknown)));
            }
            // Counts per outcome, not their order.
            format!("{name} {}", parts.join(" and "))
        })
        .collect();
    Some(words.join(", "))
}

/// The summary printed after a session's steps.
pub(crate) fn session_summary(s: &Session, st: &Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "  {}",
        st.bold(&format!("Summary of session {}", s.id))
    )?;
    let greeting = s
        .greeting
        .as_ref()
        .map(|g| format!(", greeting {}", greeting_words(g)))
        .unwrap_or_default();
    let login = match s.login {
        Login::Success => "login succeeded",
        Login::Failed => "login failed",
        Login::Unknown => "login not seen",
    };
    let user = s
        .user
        .as_ref()
        .map(|u| format!("user {}, ", safe::shorten(u.wire_bytes(), MAX_SHOWN)))
        .unwrap_or_default();
    writeln!(
        out,
        "    client {} → server {}{greeting}",
        s.client, s.server
    )?;
    writeln!(
        out,
        "    {user}{login}{}",
        s.tls
            .as_ref()
            .map(|t| {
                let until = t
                    .ended
                    .as_ref()
                    .map(|e| format!(" to frame {}, plain text again after CCC", e.frame))
                    .unwrap_or_default();
                format!(
                    ", then {} (encrypted from frame {}{until})",
                    safe::shorten(t.command.as_bytes(), MAX_SHOWN),
                    t.frame
                )
            })
            .unwrap_or_default()
    )?;
    if let Some(line) = logins_by_user(s) {
        writeln!(out, "    logins: {line}")?;
    }
    let sm = &s.summary;
    writeln!(
        out,
        "    {} command{}, {} transfer{} ({} complete, {} failed), {} down, {} up, {} listed{}",
        sm.commands,
        plural(sm.commands),
        sm.transfers,
        plural(sm.transfers),
        sm.transfers_complete,
        sm.transfers_failed,
        fmt::bytes(sm.bytes_downloaded),
        fmt::bytes(sm.bytes_uploaded),
        fmt::bytes(sm.listing_bytes),
        s.mode.map(|m| format!(", {m} mode")).unwrap_or_default()
    )?;
    let c = &s.control;
    let close = match &c.close {
        _ if c.state == "S0" && c.end == EndReason::Evicted => format!(
            "{}; evicted while waiting (--max-half-open, --max-connections)",
            not_established(c)
        ),
        _ if c.state == "S0" => not_established(c),
        Some(_) if c.state == "REJ" => {
            "refused: the SYN was answered with a reset (no FTP server listening)".into()
        }
        Some(cl) => format!(
            "closed by the {} ({})",
            if cl.initiator == Side::Orig {
                role(c.orig, s.client)
            } else {
                role(c.resp, s.client)
            },
            cl.style
        ),
        None => match c.end {
            EndReason::IdleTimeout => "silent longer than --idle-timeout: finished there".into(),
            EndReason::Evicted => {
                "evicted from the full connection table (--max-connections)".into()
            }
            _ if c.midstream => "open when the capture started and ended".into(),
            _ => "still open when the capture ended".into(),
        },
    };
    writeln!(
        out,
        "    control connection: {} packets, {} {}, {close}, {}",
        c.packets,
        c.state,
        c.history,
        fmt::duration(s.duration)
    )?;
    for t in &s.transfers {
        writeln!(out, "    {}", transfer_line(t, st))?;
    }
    for line in lessons::session_lessons(s) {
        writeln!(out, "    {}", st.dim(&format!("· {line}")))?;
    }
    Ok(())
}

/// A connection whose SYN was never answered, in words.
fn not_established(c: &ConnRecord) -> String {
    let tries = c.handshake.as_ref().map_or(0, |h| h.syn_retransmits) + 1;
    format!(
        "not established: its SYN was never answered ({tries} {})",
        if tries == 1 { "try" } else { "tries" }
    )
}

/// One line about a transfer: what, how it was set up, its data connection, bytes, outcome.
pub(crate) fn transfer_line(t: &Transfer, st: &Style) -> String {
    let mut what = match &t.arg {
        Some(a) => format!("{} {}", t.command, safe::shorten(a.wire_bytes(), 40)),
        None => t.command.clone(),
    };
    if let Some(offset) = t.rest_offset {
        what.push_str(&format!(" (restarted at byte {})", fmt::thousands(offset)));
    }
    if let Some(name) = &t.stored_as {
        what.push_str(&format!(
            " (stored as {})",
            safe::shorten(name.wire_bytes(), 40)
        ));
    }
    if t.inferred {
        what = "command encrypted".to_string();
    }
    let how = match (t.mode, &t.setup, t.data_endpoint) {
        (Some(m), _, _) if t.inferred => {
            format!("{} (inferred: the announcement is encrypted)", m.name())
        }
        (Some(m), Some(setup), Some(ep)) => format!("{} via {setup} {ep}", m.name()),
        _ => "no PORT/PASV".to_string(),
    };
    let data = match &t.data {
        Some(d) => {
            let from20 = if d.opened_by == "server" && d.tcp.orig.port == 20 {
                " from port 20"
            } else {
                ""
            };
            format!(
                "data {} → {} opened by the {}{from20}",
                d.tcp.orig, d.tcp.resp, d.opened_by
            )
        }
        None => "no data connection in the capture".to_string(),
    };
    let bytes = t.bytes.map(fmt::bytes).unwrap_or_else(|| "—".into());
    let status = match t.status {
        // Its reply is encrypted: whether it succeeded is not in the capture.
        Status::Incomplete if t.inferred && t.reply_code.is_none() => {
            st.yellow("so its outcome is unknown (status incomplete)")
        }
        Status::Complete => st.green(t.status.name()),
        Status::Failed => st.red(t.status.name()),
        Status::Aborted | Status::Incomplete => st.yellow(t.status.name()),
    };
    let bytes = if t.encrypted {
        format!("{bytes} encrypted (PROT P)")
    } else {
        bytes
    };
    let reply = match t.reply_code {
        Some(c) => c.to_string(),
        None if t.inferred => "reply encrypted,".into(),
        None => "no reply,".into(),
    };
    format!(
        "transfer {}: {what}, {how}; {data}; {bytes}; {reply} {status}",
        t.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WireText;

    fn greeting(wire: &[u8]) -> ReplyRecord {
        ReplyRecord {
            ts: Timestamp::default(),
            frame: 4,
            code: Some(220),
            text: WireText::from_bytes(wire),
            lines: Vec::new(),
            continuation: Continuation::None,
            line_count: 1,
            text_truncated: false,
            text_len: None,
            unsolicited: false,
        }
    }

    #[test]
    fn a_greeting_in_quotes_is_not_quoted_twice() {
        assert_eq!(
            greeting_words(&greeting(b"(vsFTPd 3.0.3)")),
            "\"(vsFTPd 3.0.3)\""
        );
        assert_eq!(
            greeting_words(&greeting(b"\"Welcome\" to the archive")),
            "\"Welcome\" to the archive"
        );
    }

    #[test]
    fn a_greeting_is_escaped_then_shortened() {
        let long = [b"\x1b[2J".as_slice(), &[b'x'; 100]].concat();
        let shown = greeting_words(&greeting(&long));
        assert!(shown.starts_with("\"\\x1b[2Jxxx"), "{shown}");
        assert!(shown.ends_with("x…\""), "{shown}");
        assert_eq!(shown.chars().count(), 50 + 3);
        assert_eq!(
            reply_text(&greeting(b"bad \xff\xfe bytes")),
            "bad \\xff\\xfe bytes"
        );
    }
}
