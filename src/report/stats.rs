//! The statistics section (`--stats`, `--format stats`), and the sinks that feed it.
//!
//! [`WithStats`] wraps another format's sink: it counts each session as it passes, and
//! when the capture ends, after the wrapped sink wrote its last line, it writes the
//! "Statistics" section (after the timeline or the tables) or one `{"type":"stats"}`
//! record (JSON Lines) to the same output. [`StatsOnly`] writes the section alone. The
//! JSON document carries the statistics itself (see `json::DocumentWriter`).

use super::fmt;
use super::rows::Rows;
use super::safe;
use super::{RenderOptions, Style};
use crate::lang::{Lang, LineWriter};
use crate::model::events::{Event, Sink};
use crate::stats::{Ranked, Stats, StatsReport};
use serde::Serialize;
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// Characters of a user name shown in a cell.
const CELL_WIDTH: usize = 40;

/// An output shared by the wrapped sink and [`WithStats`].
#[derive(Clone)]
pub struct SharedOut(Rc<RefCell<Box<dyn Write>>>);

impl SharedOut {
    /// Shares `out`.
    pub fn new(out: Box<dyn Write>) -> SharedOut {
        SharedOut(Rc::new(RefCell::new(out)))
    }
}

impl Write for SharedOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// How the statistics are written after the wrapped format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// A text section, after a blank line.
    Text,
    /// One JSON Lines record.
    JsonLine,
}

/// Another format's sink, followed by the statistics.
pub struct WithStats {
    inner: Box<dyn Sink>,
    out: SharedOut,
    stats: Stats,
    after: After,
    st: Style,
    lang: Lang,
}

impl WithStats {
    /// Wraps `inner`, which writes to `out` (a clone of the same [`SharedOut`]).
    pub fn new(inner: Box<dyn Sink>, out: SharedOut, after: After, opts: &RenderOptions) -> Self {
        WithStats {
            inner,
            out,
            stats: Stats::new(),
            after,
            st: Style::new(opts.color),
            lang: opts.lang,
        }
    }
}

impl Sink for WithStats {
    fn wants_steps(&self) -> bool {
        self.inner.wants_steps()
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        count(&mut self.stats, ev);
        self.inner.event(ev)?;
        if let Event::Finished(_) = ev {
            let report = self.stats.report();
            match self.after {
                After::Text => {
                    writeln!(self.out)?;
                    write_section(&report, &self.st, self.lang, &mut self.out)?;
                }
                After::JsonLine => {
                    let mut line = serde_json::to_vec(&StatsRecord {
                        kind: "stats",
                        stats: &report,
                    })
                    .map_err(io::Error::from)?;
                    line.push(b'\n');
                    self.out.write_all(&line)?;
                }
            }
            self.out.flush()?;
        }
        Ok(())
    }
}

/// The JSON Lines record of the statistics.
#[derive(Serialize)]
struct StatsRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    stats: &'a StatsReport,
}

/// `--format stats`: the statistics section alone.
pub struct StatsOnly {
    out: Box<dyn Write>,
    stats: Stats,
    st: Style,
    lang: Lang,
}

impl StatsOnly {
    /// A writer of the section to `out` when the capture ends.
    pub fn new(out: Box<dyn Write>, opts: &RenderOptions) -> StatsOnly {
        StatsOnly {
            out,
            stats: Stats::new(),
            st: Style::new(opts.color),
            lang: opts.lang,
        }
    }
}

impl Sink for StatsOnly {
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        count(&mut self.stats, ev);
        if let Event::Finished(c) = ev {
            write_section(&self.stats.report(), &self.st, self.lang, &mut self.out)?;
            // The section has no capture summary: say what a filter or -c left out.
            let notes = super::filter::summary_lines(c);
            if !notes.is_empty() {
                writeln!(self.out)?;
            }
            for line in notes {
                writeln!(self.out, "  {}", self.lang.tr(&line))?;
            }
            self.out.flush()?;
        }
        Ok(())
    }
}

/// Feeds the accumulator the events it counts.
pub fn count(stats: &mut Stats, ev: &Event<'_>) {
    match ev {
        Event::SessionEnded(s) => stats.add_session(s),
        Event::Unlinked(u) => stats.add_unlinked(u),
        _ => {}
    }
}

/// Writes the "Statistics" section in `lang`: its lines are translated as they are
/// written, the tables' headers and words before they are laid out.
pub fn write_section(
    r: &StatsReport,
    st: &Style,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    if lang.is_en() {
        return section(r, st, lang, out);
    }
    let mut out = LineWriter::new(out, lang);
    section(r, st, lang, &mut out)?;
    out.flush()
}

/// Table headers in `lang`.
fn header(lang: Lang, names: &[&str]) -> Vec<String> {
    names.iter().map(|h| lang.tr(h).into_owned()).collect()
}

fn section(r: &StatsReport, st: &Style, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.sessions;
    writeln!(out, "{}", st.bold("Statistics"))?;
    writeln!(
        out,
        "  {} · logins: {} succeeded, {} failed, {} unknown · {} with TLS",
        fmt::count(s.total, "FTP session"),
        s.login_success,
        s.login_failed,
        s.login_unknown,
        s.tls
    )?;

    writeln!(out, "\n{}", st.bold("Replies by class"))?;
    let mut rows = Rows::new(&header(lang, &["class", "count", "meaning"]));
    for c in &r.replies.by_class {
        rows.push(vec![
            c.class.clone(),
            c.count.to_string(),
            lang.tr(c.meaning).into_owned(),
        ])?;
    }
    if r.replies.not_replies > 0 {
        rows.push(vec![
            "-".into(),
            r.replies.not_replies.to_string(),
            lang.tr("lines where a reply was expected that are not one")
                .into_owned(),
        ])?;
    }
    write_rows(&mut rows, out)?;

    writeln!(out, "\n{}", st.bold("Replies by code"))?;
    let mut rows = Rows::new(&header(lang, &["code", "count", "meaning"]));
    for c in &r.replies.by_code {
        rows.push(vec![
            c.code.to_string(),
            c.count.to_string(),
            lang.tr(c.meaning).into_owned(),
        ])?;
    }
    write_rows(&mut rows, out)?;

    let c = &r.commands;
    writeln!(out, "\n{}", st.bold("Commands by verb"))?;
    let verbs: Vec<String> = c
        .by_verb
        .iter()
        .map(|v| format!("{} {}", safe::shorten(v.verb.as_bytes(), 16), v.count))
        .collect();
    writeln!(
        out,
        "  {}: {}",
        fmt::count(c.total, "command"),
        none_or(verbs.join(", "))
    )?;
    if c.other_verbs > 0 {
        writeln!(
            out,
            "  {} commands with other verbs (too many distinct unknown verbs to list)",
            c.other_verbs
        )?;
    }
    if c.not_stored > 0 {
        writeln!(
            out,
            "  {} commands past --max-commands were counted but not stored, and are not above",
            c.not_stored
        )?;
    }

    let t = &r.transfers;
    writeln!(out, "\n{}", st.bold("Transfers"))?;
    let setups: Vec<String> = t
        .by_setup
        .iter()
        .map(|x| format!("{} {}", safe::shorten(x.setup.as_bytes(), 16), x.count))
        .collect();
    writeln!(
        out,
        "  {} · mode: {} active, {} passive, {} unknown · setup: {}",
        fmt::count(t.total, "transfer"),
        t.by_mode.active,
        t.by_mode.passive,
        t.by_mode.unknown,
        none_or(setups.join(", "))
    )?;
    writeln!(
        out,
        "  status: {} complete, {} aborted, {} failed, {} incomplete",
        t.by_status.complete, t.by_status.aborted, t.by_status.failed, t.by_status.incomplete
    )?;
    let d = &t.by_direction;
    for (name, cb) in [
        ("downloads", d.download),
        ("uploads", d.upload),
        ("listings", d.listing),
    ] {
        writeln!(out, "  {name}: {} ({})", cb.count, fmt::bytes(cb.bytes))?;
    }

    writeln!(out, "\n{}", st.bold("Bytes per user"))?;
    let mut rows = Rows::new(&header(
        lang,
        &["user", "sessions", "transfers", "down", "up", "listed"],
    ));
    for u in &r.users.list {
        rows.push(vec![
            user_cell(lang, u.user.as_deref()),
            u.sessions.to_string(),
            u.transfers.to_string(),
            fmt::thousands(u.bytes_downloaded),
            fmt::thousands(u.bytes_uploaded),
            fmt::thousands(u.listing_bytes),
        ])?;
    }
    write_rows(&mut rows, out)?;
    bound_note(&r.users, "users", out)?;

    writeln!(out, "\n{}", st.bold("Passive ports per server"))?;
    let mut rows = Rows::new(&header(
        lang,
        &["server", "connections", "ports", "range", "list"],
    ));
    for p in &r.passive_ports.list {
        rows.push(vec![
            p.server.to_string(),
            p.connections.to_string(),
            p.distinct_ports.to_string(),
            format!("{}-{}", p.min, p.max),
            p.ports.as_ref().map_or_else(
                || lang.tr("(too many to list)").into_owned(),
                |v| v.iter().map(u16::to_string).collect::<Vec<_>>().join(" "),
            ),
        ])?;
    }
    write_rows(&mut rows, out)?;
    bound_note(&r.passive_ports, "servers", out)?;

    let h = &r.hosts;
    for (title, list) in [
        ("Busiest clients by sessions", &h.clients_by_sessions),
        ("Busiest clients by bytes", &h.clients_by_bytes),
        ("Busiest servers by sessions", &h.servers_by_sessions),
        ("Busiest servers by bytes", &h.servers_by_bytes),
    ] {
        writeln!(out, "\n{}", st.bold(title))?;
        let mut rows = Rows::new(&header(lang, &["host", "sessions", "bytes"]));
        for x in &list.list {
            rows.push(vec![
                x.host.to_string(),
                x.sessions.to_string(),
                fmt::thousands(x.bytes),
            ])?;
        }
        write_rows(&mut rows, out)?;
        bound_note(list, "hosts", out)?;
    }
    if h.untracked_sessions > 0 {
        writeln!(
            out,
            "  {} sessions of hosts past the bound are not in these lists",
            h.untracked_sessions
        )?;
    }

    let f = &r.failed_logins;
    writeln!(out, "\n{}", st.bold("Failed logins"))?;
    writeln!(
        out,
        "  {}; {} never logged in",
        fmt::count(f.total, "refused login attempt"),
        fmt::count(f.sessions, "session")
    )?;
    if f.total > 0 {
        let clients: Vec<String> = f
            .by_client
            .list
            .iter()
            .map(|c| format!("{} {}", c.client, c.count))
            .collect();
        writeln!(out, "  by client: {}", clients.join(", "))?;
        bound_note(&f.by_client, "clients", out)?;
        let users: Vec<String> = f
            .by_user
            .list
            .iter()
            .map(|u| format!("{} {}", user_cell(lang, u.user.as_deref()), u.count))
            .collect();
        writeln!(out, "  by user: {}", users.join(", "))?;
        bound_note(&f.by_user, "users", out)?;
    }
    let u = &r.unlinked_data_connections;
    if u.count > 0 {
        writeln!(
            out,
            "\n  {} ({})",
            fmt::count(u.count, "unlinked data connection"),
            fmt::bytes(u.bytes)
        )?;
    }
    Ok(())
}

fn write_rows(rows: &mut Rows, out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        writeln!(out, "  none")
    } else {
        rows.write(out)
    }
}

fn none_or(s: String) -> String {
    if s.is_empty() { "none".into() } else { s }
}

fn user_cell(lang: Lang, user: Option<&str>) -> String {
    user.map_or_else(
        || lang.tr("(no USER)").into_owned(),
        |u| safe::shorten(u.as_bytes(), CELL_WIDTH),
    )
}

/// Says when a list is cut: only the busiest shown, or a bound on what was tracked.
fn bound_note<T>(r: &Ranked<T>, what: &str, out: &mut dyn Write) -> io::Result<()> {
    if r.bound_hit {
        writeln!(
            out,
            "  ! more {what} than the {} tracked: later ones are counted only in the totals",
            r.distinct
        )?;
    } else if r.distinct > r.list.len() {
        writeln!(
            out,
            "  (the busiest {} of {} {what})",
            r.list.len(),
            r.distinct
        )?;
    }
    Ok(())
}
