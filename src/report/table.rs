//! Tables: every session on one row, every transfer on one row.
//!
//! A sink of the event stream: each ended session becomes its rows' text at once (the
//! session itself is not kept); when the capture ends, the tables are printed (sessions,
//! transfers, unlinked data connections with `comfy-table`), then the findings that are
//! warnings or errors and the capture's warnings. The header line with the capture's
//! totals is printed then too, when they are known.

use super::fmt;
use super::rows::Rows;
use super::safe;
use super::{RenderOptions, Style};
use crate::model::events::{Event, Sink};
use crate::model::{CaptureInfo, EndReason, Login, Session, Severity};
use std::io::{self, Write};

/// The table sink: keeps each session's and transfer's row as text (not the sessions), and
/// prints the tables when the capture ends.
pub struct TableSink {
    out: Box<dyn Write>,
    st: Style,
    lang: crate::lang::Lang,
    inputs: Vec<String>,
    sessions: Rows,
    transfers: Rows,
    unlinked: Rows,
    /// Findings that are warnings or errors, as printed lines.
    notable: Vec<String>,
    advisor: crate::advice::Advisor,
    syntax: Option<crate::advice::Syntax>,
}

/// Characters of capture text (a user name, an argument) shown in a cell.
const CELL_WIDTH: usize = 40;

const SESSION_HEADER: &[&str] = &[
    "session",
    "client",
    "server",
    "user",
    "login",
    "mode",
    "commands",
    "transfers",
    "down",
    "up",
    "listed",
    "control",
    "duration",
];

const TRANSFER_HEADER: &[&str] = &[
    "session",
    "#",
    "command",
    "argument",
    "mode",
    "setup",
    "announced",
    "data connection",
    "opened by",
    "bytes",
    "reply",
    "status",
];

const UNLINKED_HEADER: &[&str] = &["session", "connection", "bytes", "state", "why unlinked"];

impl TableSink {
    /// A table writer to `out`; the tables are printed when the capture ends.
    pub fn new(out: Box<dyn Write>, opts: &RenderOptions) -> TableSink {
        TableSink {
            out,
            st: Style::new(opts.color),
            lang: opts.lang,
            inputs: Vec::new(),
            sessions: Rows::new(&header(SESSION_HEADER, opts.lang)).fit(opts.width),
            transfers: Rows::new(&header(TRANSFER_HEADER, opts.lang)).fit(opts.width),
            unlinked: Rows::new(&header(UNLINKED_HEADER, opts.lang)).fit(opts.width),
            notable: Vec::new(),
            advisor: crate::advice::Advisor::new(),
            syntax: opts.advice,
        }
    }

    fn session(&mut self, s: &Session) -> io::Result<()> {
        self.advisor.observe(s);
        let lang = self.lang;
        self.sessions.push(cells(
            lang,
            SESSION_WORDS,
            vec![
                s.id.to_string(),
                s.client.to_string(),
                s.server.to_string(),
                s.user
                    .as_ref()
                    .map_or_else(|| "-".into(), |u| safe::shorten(u.wire_bytes(), CELL_WIDTH)),
                match s.login {
                    Login::Success => "success",
                    Login::Failed => "failed",
                    Login::Unknown => "unknown",
                }
                .to_string(),
                format!(
                    "{}{}",
                    s.mode.unwrap_or("-"),
                    if s.tls.is_some() { " +TLS" } else { "" }
                ),
                s.summary.commands.to_string(),
                format!(
                    "{} ({} ok)",
                    s.summary.transfers, s.summary.transfers_complete
                ),
                fmt::size(s.summary.bytes_downloaded),
                fmt::size(s.summary.bytes_uploaded),
                fmt::size(s.summary.listing_bytes),
                format!(
                    "{} {}{}",
                    s.control.state,
                    s.control.history,
                    // Finished by a bound, not by its peers or the capture's end.
                    if s.control.end == EndReason::Evicted {
                        " evicted"
                    } else {
                        ""
                    }
                ),
                fmt::duration(s.duration),
            ],
        ))?;
        for t in &s.transfers {
            self.transfers.push(cells(
                lang,
                TRANSFER_WORDS,
                vec![
                    s.id.to_string(),
                    t.id.to_string(),
                    t.command.clone(),
                    t.arg
                        .as_ref()
                        .map(|a| safe::shorten(a.wire_bytes(), CELL_WIDTH))
                        .unwrap_or_default(),
                    t.mode
                        .map(|m| format!("{m:?}").to_lowercase())
                        .unwrap_or_else(|| "-".into()),
                    t.setup.clone().unwrap_or_else(|| "-".into()),
                    t.data_endpoint
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| "-".into()),
                    t.data
                        .as_ref()
                        .map(|d| format!("{} → {}", d.tcp.orig, d.tcp.resp))
                        .unwrap_or_else(|| "not captured".into()),
                    t.data
                        .as_ref()
                        .map(|d| d.opened_by.to_string())
                        .unwrap_or_else(|| "-".into()),
                    t.bytes.map(fmt::thousands).unwrap_or_else(|| "-".into()),
                    t.reply_code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "-".into()),
                    t.status.name().to_string(),
                ],
            ))?;
        }
        for f in s
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            let mark = if f.severity == Severity::Error {
                self.st.red("✗")
            } else {
                self.st.yellow("!")
            };
            self.notable.push(format!(
                "  {mark} {}: {}",
                lang.tr(&format!("session {}", s.id)),
                lang.tr(&safe::prose(&f.message))
            ));
        }
        Ok(())
    }

    fn finish(&mut self, c: &CaptureInfo) -> io::Result<()> {
        let st = &self.st;
        let lang = self.lang;
        let totals = format!(
            "{} — {}, {} · {} · {} linked · {} unlinked · {}",
            safe::prose(&self.inputs.join(", ")),
            fmt::count(c.packets, "packet"),
            fmt::size(c.bytes),
            fmt::count(c.ftp_sessions, "FTP session"),
            fmt::count(c.data_connections, "data connection"),
            fmt::thousands(c.unlinked_data_connections),
            fmt::count(c.other_tcp_connections, "other TCP connection"),
        );
        writeln!(self.out, "{}", lang.tr(&totals))?;
        for line in super::filter::summary_lines(c) {
            writeln!(self.out, "{}", lang.tr(&line))?;
        }
        writeln!(self.out, "\n{}", st.bold(&lang.tr("Sessions")))?;
        self.sessions.write(&mut self.out)?;
        writeln!(self.out, "\n{}", st.bold(&lang.tr("Transfers")))?;
        self.transfers.write(&mut self.out)?;
        if !self.unlinked.is_empty() {
            writeln!(
                self.out,
                "\n{}",
                st.bold(&lang.tr("Unlinked data connections"))
            )?;
            self.unlinked.write(&mut self.out)?;
        }
        if !self.notable.is_empty() {
            writeln!(self.out, "\n{}", st.bold(&lang.tr("Findings")))?;
            for line in &self.notable {
                writeln!(self.out, "{line}")?;
            }
        }
        for r in &c.brute_force {
            writeln!(
                self.out,
                "  {}",
                st.yellow(&lang.tr(&super::timeline::brute_force_line(r)))
            )?;
        }
        for w in &c.warnings {
            writeln!(
                self.out,
                "  {} {}",
                st.yellow("!"),
                lang.tr(&safe::prose(w))
            )?;
        }
        crate::advice::text::write(
            &mut self.out,
            &self.advisor.advice(self.syntax),
            self.advisor.untracked_sessions(),
            st,
            lang,
        )?;
        self.out.flush()
    }
}

/// Which cells of a row are ftpflow's words (translated with `--lang`); the others are
/// addresses, numbers and what the peers sent.
const SESSION_WORDS: &[usize] = &[4, 5, 7];
const TRANSFER_WORDS: &[usize] = &[4, 7, 8, 11];

fn header(names: &[&str], lang: crate::lang::Lang) -> Vec<String> {
    names.iter().map(|h| lang.tr(h).into_owned()).collect()
}

fn cells(lang: crate::lang::Lang, words: &[usize], mut row: Vec<String>) -> Vec<String> {
    if !lang.is_en() {
        for &i in words {
            // A cell with an arrow is a connection's endpoints.
            if let Some(cell) = row.get_mut(i).filter(|c| !c.contains(" → ")) {
                *cell = lang.tr(cell).into_owned();
            }
        }
    }
    row
}

impl Sink for TableSink {
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Started { inputs, .. } => {
                self.inputs = inputs.to_vec();
                Ok(())
            }
            Event::SessionEnded(s) => self.session(s),
            Event::Unlinked(x) => self.unlinked.push(vec![
                x.session
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                format!("{} → {}", x.tcp.orig, x.tcp.resp),
                fmt::thousands(x.tcp.orig_to_resp.bytes + x.tcp.resp_to_orig.bytes),
                x.tcp.state.to_string(),
                self.lang.tr(&safe::prose(&x.reason)).into_owned(),
            ]),
            Event::Finished(c) => self.finish(c),
            Event::Step { .. } | Event::Progress { .. } => Ok(()),
        }
    }
}
