//! `--format html`: one self-contained page with a ladder diagram per session.
//!
//! A sink of the event stream. Each session's [ladder](super::ladder) is drawn as SVG
//! when the session ends, with its steps' JSON records beside it (the same objects
//! `--format jsonl` writes) so that clicking an arrow shows them. The page needs nothing
//! but itself: its style and script are inline ([`STYLE`], [`SCRIPT`]), and it opens from
//! a file with no network.
//!
//! Two layouts, chosen by the capture's size:
//!
//! * **inline** — up to [`INLINE_SESSIONS`] sessions and [`INLINE_BYTES`] of drawings:
//!   every diagram is in the page, readable without script and printable. The first
//!   sessions are held until the page's layout is known, so this costs at most that much
//!   memory.
//! * **lazy** — larger captures: each session's drawing and steps are kept deflated (in
//!   base64) as the text of a script element the browser neither runs nor lays out, and the script draws one session at a time in `#viewer`, chosen
//!   from the paginated, filterable session list. The page stays responsive with
//!   thousands of sessions.
//!
//! The index of sessions (for the list and its filters), the advice (drawn as callouts
//! under the sessions it names), the capture's totals and the statistics come at the end,
//! when they are known.

use super::RenderOptions;
use super::ladder::{Ladder, LadderBuilder, svg};
use super::safe;
use crate::lang::Lang;
use crate::model::events::{Event, Sink};
use crate::model::{CaptureInfo, Session, Severity, Status, UnlinkedConnection};
use crate::time::Timestamp;
use serde_json::json;
use std::io::{self, Write};

/// Sessions drawn in the page itself; more make a lazy page.
pub const INLINE_SESSIONS: usize = 40;
/// Bytes of drawings held before the page's layout is chosen; more make a lazy page.
pub const INLINE_BYTES: usize = 4 << 20;

/// Bytes of drawings past which the run says the page will be slow to open.
pub const LARGE_PAGE: usize = 200_000_000;

/// The page's style.
pub const STYLE: &str = include_str!("report.css");
/// The page's script.
pub const SCRIPT: &str = include_str!("report.js");

/// How the page holds its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Inline,
    Lazy,
}

/// One drawn session, before it is written.
struct Drawn {
    id: u32,
    section: String,
    steps: String,
}

/// The HTML report's sink.
pub struct HtmlSink {
    out: Box<dyn Write>,
    lang: Lang,
    builder: LadderBuilder,
    advisor: crate::advice::Advisor,
    syntax: Option<crate::advice::Syntax>,
    stats: crate::stats::Stats,
    inputs: Vec<String>,
    first_ts: Option<Timestamp>,
    layout: Option<Layout>,
    held: Vec<Drawn>,
    held_bytes: usize,
    /// The session list's entries, as JSON.
    index: IndexEntries,
    /// Entries in `index`.
    sessions: usize,
    unlinked: Vec<String>,
    /// Bytes of drawings written, as the page holds them (for the note about very large
    /// pages).
    drawn_bytes: usize,
}

impl HtmlSink {
    /// An HTML report written to `out`.
    pub fn new(out: Box<dyn Write>, opts: &RenderOptions) -> HtmlSink {
        HtmlSink {
            out,
            lang: opts.lang,
            builder: LadderBuilder::new(opts),
            advisor: crate::advice::Advisor::new(),
            syntax: opts.advice,
            stats: crate::stats::Stats::new(),
            inputs: Vec::new(),
            first_ts: None,
            layout: None,
            held: Vec::new(),
            held_bytes: 0,
            index: IndexEntries::default(),
            sessions: 0,
            unlinked: Vec::new(),
            drawn_bytes: 0,
        }
    }

    fn ended(&mut self, s: &Session) -> io::Result<()> {
        self.advisor.observe(s);
        self.stats.add_session(s);
        let ladder = self.builder.finish(s);
        let entry = index_entry(s, &ladder, self.first_ts);
        let entry = serde_json::to_string(&entry).unwrap_or_else(|_| "null".into());
        let comma = if self.sessions > 0 { "," } else { "" };
        self.index
            .push(&format!("{comma}{}", script_safe(&entry)))?;
        self.sessions += 1;
        let drawn = Drawn {
            id: s.id,
            section: section(s, &ladder, self.lang),
            steps: steps_json(&ladder),
        };
        match self.layout {
            Some(layout) => self.write_session(layout, &drawn),
            None => {
                self.held_bytes += drawn.section.len() + drawn.steps.len();
                self.held.push(drawn);
                if self.held.len() > INLINE_SESSIONS || self.held_bytes > INLINE_BYTES {
                    self.begin(Layout::Lazy)?;
                }
                Ok(())
            }
        }
    }

    /// Writes the page's head once its layout is known, then the sessions held so far.
    fn begin(&mut self, layout: Layout) -> io::Result<()> {
        self.layout = Some(layout);
        let mode = match layout {
            Layout::Inline => "inline",
            Layout::Lazy => "lazy",
        };
        let names = if self.inputs.is_empty() {
            "live capture".to_string()
        } else {
            safe::prose(&self.inputs.join(", "))
        };
        let started = self
            .first_ts
            .map(|t| self.lang.tr(&format!("capture starts {t}")).into_owned())
            .unwrap_or_default();
        write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"{}\" data-ftpflow-report=\"1\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"ftpflow {}\">\n<title>ftpflow — {}</title>\n<style>\n{STYLE}</style>\n</head>\n\
             <body data-mode=\"{mode}\">\n<header class=\"top\"><h1>ftpflow <small>{}</small></h1>\
             <p class=\"inputs\">{}</p><p class=\"started\">{}</p></header>\n\
             {}<main id=\"sessions\">\n",
            self.lang.code(),
            env!("CARGO_PKG_VERSION"),
            svg::esc(&names),
            env!("CARGO_PKG_VERSION"),
            svg::esc(&names),
            svg::esc(&started),
            nav(self.lang),
        )?;
        if layout == Layout::Lazy {
            self.out.write_all(b"<div id=\"viewer\"></div>\n")?;
        }
        let held = std::mem::take(&mut self.held);
        self.held_bytes = 0;
        for drawn in &held {
            self.write_session(layout, drawn)?;
        }
        Ok(())
    }

    fn write_session(&mut self, layout: Layout, d: &Drawn) -> io::Result<()> {
        match layout {
            Layout::Inline => {
                self.drawn_bytes += d.section.len() + d.steps.len();
                write!(
                    self.out,
                    "{}<script type=\"application/json\" class=\"steps\" data-session=\"{}\">{}</script>\n</section>\n",
                    d.section, d.id, d.steps
                )
            }
            Layout::Lazy => {
                // The drawing and its steps' JSON, deflated and in base64, as the text of
                // a script the browser neither runs nor lays out: a session's SVG and JSON
                // shrink about sevenfold, and the page's script inflates the one chosen.
                let packed = packed(&d.section, &d.steps)?;
                self.drawn_bytes += packed.len();
                writeln!(
                    self.out,
                    "<script type=\"application/x-ftpflow-deflate\" class=\"lazy-session\" data-session=\"{}\">{packed}</script>",
                    d.id,
                )
            }
        }
    }

    fn finished(&mut self, c: &CaptureInfo) -> io::Result<()> {
        if self.layout.is_none() {
            self.begin(Layout::Inline)?;
        }
        if self.drawn_bytes > LARGE_PAGE {
            eprintln!(
                "ftpflow: note: the HTML page holds {} MB of diagrams for {} sessions; a browser opens a page this \
                 large slowly. --session, --host or --user keep the sessions you want",
                self.drawn_bytes / 1_000_000,
                self.sessions
            );
        }
        self.out.write_all(b"</main>\n")?;
        let lang = self.lang;
        let advice = self.advisor.advice(self.syntax);
        let untracked = self.advisor.untracked_sessions();
        let mut advice_text = Vec::new();
        crate::advice::text::write(
            &mut advice_text,
            &advice,
            untracked,
            &super::Style::new(false),
            lang,
        )?;
        let mut stats_text = Vec::new();
        super::stats::write_section(
            &self.stats.report(),
            &super::Style::new(false),
            lang,
            &mut stats_text,
        )?;
        let capture = super::timeline::capture_text(c, lang);
        writeln!(self.out, "<footer id=\"capture\">")?;
        let advice_text = String::from_utf8_lossy(&advice_text);
        if !advice_text.trim().is_empty() {
            writeln!(
                self.out,
                "<section id=\"advice\"><h2>{}</h2><pre>{}</pre></section>",
                svg::esc(&lang.tr("Advice")),
                svg::esc(advice_text.trim_matches('\n'))
            )?;
        }
        if !self.unlinked.is_empty() {
            writeln!(
                self.out,
                "<section id=\"unlinked\"><h2>{}</h2><pre>{}</pre></section>",
                svg::esc(&lang.tr("Unlinked data connections")),
                svg::esc(&self.unlinked.join("\n"))
            )?;
        }
        writeln!(
            self.out,
            "<section id=\"totals\"><pre>{}</pre></section>\n<details id=\"statistics\"><summary>{}</summary><pre>{}</pre></details>\n</footer>",
            svg::esc(&capture),
            svg::esc(&lang.tr("Statistics")),
            svg::esc(String::from_utf8_lossy(&stats_text).trim_matches('\n'))
        )?;
        self.out.write_all(
            b"<aside id=\"details\" hidden><button id=\"details-close\" title=\"close (Esc)\">\xc3\x97</button>\
              <div class=\"words\"></div><pre class=\"step-json\"></pre></aside>\n",
        )?;
        let ui: serde_json::Map<String, serde_json::Value> = UI_WORDS
            .iter()
            .map(|w| (w.to_string(), json!(lang.tr(w))))
            .collect();
        // {"sessions": [the kept entries], "ui": ..., "advice": ..., "capture": ...}
        let rest = json!({
            "ui": ui,
            "advice": advice,
            "capture": c,
        });
        let rest = script_safe(&serde_json::to_string(&rest).unwrap_or_else(|_| "{}".into()));
        self.out
            .write_all(b"<script type=\"application/json\" id=\"ftpflow-index\">{\"sessions\":[")?;
        std::mem::take(&mut self.index).copy_to(&mut *self.out)?;
        write!(
            self.out,
            "],{}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
            rest.strip_prefix('{').unwrap_or("}")
        )?;
        self.out.flush()
    }

    fn unlinked(&mut self, u: &UnlinkedConnection) {
        self.unlinked.extend(super::timeline::unlinked_lines(u));
    }
}

impl Sink for HtmlSink {
    fn wants_steps(&self) -> bool {
        true
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Started { first_ts, inputs } => {
                self.first_ts = *first_ts;
                self.inputs = inputs.to_vec();
                self.builder.start(*first_ts);
                Ok(())
            }
            Event::Step { session, step } => {
                self.builder.push(session, step);
                Ok(())
            }
            Event::SessionEnded(s) => self.ended(s),
            Event::Unlinked(u) => {
                self.stats.add_unlinked(u);
                self.unlinked(u);
                Ok(())
            }
            Event::Finished(c) => self.finished(c),
            // A page is read when the capture ends; live lines are for terminals.
            Event::Progress { .. } => Ok(()),
        }
    }
}

/// The words of the page's script, in the report's language.
const UI_WORDS: &[&str] = &[
    "sessions",
    "page",
    "previous",
    "next",
    "Advice",
    "transfer",
    "Fix",
    "Step",
    "frame",
    "Finding",
    "No FTP session in this capture.",
    "error",
    "warning",
];

/// The session list's filters and table head (the script fills its rows).
fn nav(lang: Lang) -> String {
    let tr = |w: &str| svg::esc(&lang.tr(w));
    let heads: String = [
        "#",
        "start",
        "client",
        "server",
        "user",
        "mode",
        "transfers",
        "bytes",
        "steps",
        "findings",
        "problems",
    ]
    .iter()
    .map(|h| format!("<th>{}</th>", if *h == "#" { "#".into() } else { tr(h) }))
    .collect();
    format!(
        "<nav id=\"nav\" hidden><div class=\"filters\">\
         <input id=\"filter\" type=\"search\" placeholder=\"{}\" autocomplete=\"off\">\
         <select id=\"filter-status\"><option value=\"\">{}</option>\
         <option value=\"error\">{}</option><option value=\"warning\">{}</option>\
         <option value=\"ok\">{}</option></select>\
         <span id=\"session-count\"></span></div>\
         <table id=\"session-list\"><thead><tr>{heads}</tr></thead>\
         <tbody></tbody></table><div id=\"pager\"></div></nav>\n",
        tr("filter: address, port, user, command, status"),
        tr("all sessions"),
        tr("with errors"),
        tr("with warnings"),
        tr("without problems"),
    )
}

/// The session list's entries (compact JSON, safe in a script) until the page ends: in
/// memory, then past [`IndexEntries::IN_MEMORY`] (1 MiB) in a temporary file, so that a capture of a
/// million sessions (a SYN flood) costs disk, not memory.
#[derive(Default)]
struct IndexEntries {
    text: String,
    file: Option<io::BufWriter<std::fs::File>>,
}

impl IndexEntries {
    const IN_MEMORY: usize = 1 << 20;

    fn push(&mut self, entry: &str) -> io::Result<()> {
        if let Some(f) = &mut self.file {
            return f.write_all(entry.as_bytes());
        }
        self.text.push_str(entry);
        if self.text.len() > Self::IN_MEMORY {
            let mut f = io::BufWriter::new(tempfile::tempfile()?);
            f.write_all(std::mem::take(&mut self.text).as_bytes())?;
            self.file = Some(f);
        }
        Ok(())
    }

    fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        use std::io::Seek as _;
        match self.file {
            None => out.write_all(self.text.as_bytes()),
            Some(f) => {
                let mut f = f.into_inner().map_err(|e| e.into_error())?;
                f.rewind()?;
                io::copy(&mut f, out).map(|_| ())
            }
        }
    }
}

/// A session's section, without its closing tag (the steps' JSON goes before it).
fn section(s: &Session, ladder: &Ladder, lang: Lang) -> String {
    let summary = super::timeline::summary_text(s, lang);
    let title = lang
        .tr(&format!(
            "Session {}  client {} → server {}",
            s.id, s.client, s.server
        ))
        .into_owned();
    format!(
        "<section class=\"session\" id=\"session-{id}\" data-session=\"{id}\">\n<h2>{}</h2>\n\
         <div class=\"diagram\">\n{}</div>\n<div class=\"advice-callouts\"></div>\n\
         <details class=\"summary\"><summary>{}</summary><pre>{}</pre></details>\n",
        svg::esc(&title),
        svg::render(ladder, svg::Embed::Inline),
        svg::esc(&lang.tr("Summary")),
        svg::esc(summary.trim_matches('\n')),
        id = s.id,
    )
}

/// The steps' JSON records, in the ladder's order, as one array safe inside `<script>`.
fn steps_json(ladder: &Ladder) -> String {
    let mut out = String::with_capacity(ladder.rungs.iter().map(|r| r.json.len() + 1).sum());
    out.push('[');
    for (i, r) in ladder.rungs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(if r.json.is_empty() { "null" } else { &r.json });
    }
    out.push(']');
    script_safe(&out)
}

/// A lazy session's text: its section (closed), a NUL (which escaped HTML never holds),
/// its steps' JSON; raw deflate (RFC 1951, what the browser's `DecompressionStream
/// ("deflate-raw")` reads), then base64.
pub fn packed(section: &str, steps: &str) -> io::Result<String> {
    use base64::Engine as _;
    use flate2::{Compression, write::DeflateEncoder};
    let mut z = DeflateEncoder::new(
        Vec::with_capacity((section.len() + steps.len()) / 5),
        Compression::default(),
    );
    z.write_all(section.as_bytes())?;
    z.write_all(b"</section>\0")?;
    z.write_all(steps.as_bytes())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(z.finish()?))
}

/// JSON text made safe inside a `<script>` element: `<`, `>` and `&` (which JSON only
/// has inside strings) written as `\u` escapes, so no `</script>` can end it early.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The session list's entry: what its columns show and its filter searches.
fn index_entry(s: &Session, ladder: &Ladder, t0: Option<Timestamp>) -> serde_json::Value {
    let worst = s
        .findings
        .iter()
        .map(|f| f.severity)
        .max_by_key(|sev| match sev {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Error => 2,
        });
    let failed = s
        .transfers
        .iter()
        .any(|t| matches!(t.status, Status::Failed | Status::Aborted));
    let verdict = match (worst, failed) {
        (Some(Severity::Error), _) | (_, true) => "error",
        (Some(Severity::Warning), _) => "warning",
        _ => "ok",
    };
    let mut verbs: Vec<&str> = s.commands.iter().map(|c| c.command.as_str()).collect();
    verbs.sort_unstable();
    verbs.dedup();
    let bytes = s.summary.bytes_downloaded + s.summary.bytes_uploaded + s.summary.listing_bytes;
    json!({
        "id": s.id,
        "start": s.start,
        "t": t0.map(|t0| s.start.secs_since(t0)),
        "client": s.client.to_string(),
        "server": s.server.to_string(),
        "user": s.user.as_ref().map(|u| safe::shorten(u.wire_bytes(), 40)),
        "mode": s.mode,
        "transfers": s.transfers.len(),
        "bytes": bytes,
        "steps": ladder.steps(),
        "undrawn": ladder.undrawn,
        "findings": s.findings.len(),
        "status": verdict,
        "commands": verbs.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_entries_past_memory_go_to_a_file_and_come_back_whole() {
        let mut index = IndexEntries::default();
        let mut want = String::new();
        for i in 0..10_000 {
            let entry = format!("{{\"id\":{i},\"pad\":\"{}\"}},", "x".repeat(1000));
            index.push(&entry).unwrap();
            want.push_str(&entry);
        }
        assert!(index.file.is_some(), "10 MB stayed in memory");
        let mut got = Vec::new();
        index.copy_to(&mut got).unwrap();
        assert!(got == want.as_bytes());
    }

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let safe = script_safe(r#"{"a":"</script><b>&"}"#);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["a"], "</script><b>&");
    }
}
