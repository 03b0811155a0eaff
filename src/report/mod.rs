//! Output formats: each one a sink of the analysis's event stream
//! ([`crate::model::events`]).
//!
//! | format | sink | keeps |
//! |---|---|---|
//! | timeline | [`timeline::TimelineSink`]: each session's numbered steps when it ends | nothing but the unlinked connections' lines |
//! | table | [`table::TableSink`]: sessions and transfers as tables at the end | the rows' text (in a file past 4 MiB) |
//! | json | [`json::DocumentWriter`]: one document, each session when it ends | the unlinked connections, serialized |
//! | jsonl | [`jsonl::JsonLines`]: a record per step, session, unlinked connection | nothing |
//! | stats | [`stats::StatsOnly`]: the statistics section (`--stats` adds it to the others) | bounded counters |
//!
//! [`sink`] chooses one; a new format is one file here and one arm there. [`collect`] is the
//! sink for library callers that want the whole [`Report`](crate::model::Report).

pub mod collect;
pub mod fit;
pub mod fmt;
pub mod json;
pub mod jsonl;
pub mod lessons;
pub mod offthread;
pub mod rows;
pub mod safe;
pub mod stats;
pub mod table;
pub mod timeline;

use crate::model::events::Sink;
use std::io::Write;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Numbered steps per session, like the annotated captures in the articles.
    Timeline,
    /// Sessions and transfers as tables.
    Table,
    /// One JSON document (schema_version 1).
    Json,
    /// JSON Lines: one record per event, each with a "type".
    Jsonl,
    /// The statistics section alone (reply codes, verbs, transfers, hosts, logins).
    Stats,
}

/// What the human-readable formats show, and how.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Add every data segment and the control connection's pure ACKs.
    pub verbose: bool,
    /// ANSI colours.
    pub color: bool,
    /// Show every line of a listing the capture holds (`--full-listing`), not the first
    /// [`timeline::LISTING_LINES`].
    pub full_listing: bool,
    /// `--stats`: the statistics after the timeline or the tables, or as a last JSON
    /// Lines record (the JSON document always has them).
    pub stats: bool,
    /// `--advice`: the firewall advice's rules also as commands of this syntax.
    pub advice: Option<crate::advice::Syntax>,
    /// Language of the human-readable text (`--lang`).
    pub lang: crate::lang::Lang,
    /// Fit the timeline and tables to this many columns (a terminal's width or
    /// `COLUMNS`: [`fit::output_width`]); `None` keeps the fixed layout.
    pub width: Option<usize>,
}

/// The sink that writes `format` to `out`. `flush_each`: flush after each session (a pipe
/// or a live capture: the reader sees each session as it ends). `json_element`: the JSON
/// document is an element of `--separate`'s array (no line end after it).
pub fn sink(
    format: Format,
    opts: &RenderOptions,
    out: Box<dyn Write>,
    flush_each: bool,
    json_element: bool,
) -> Box<dyn Sink> {
    // Text for a terminal: every line fits its width, whatever drew it.
    let out: Box<dyn Write> = match (opts.width, format) {
        (Some(w), Format::Timeline | Format::Table | Format::Stats) => {
            Box::new(fit::FitWriter::new(out, w))
        }
        _ => out,
    };
    let after = match format {
        Format::Timeline | Format::Table => stats::After::Text,
        Format::Jsonl => stats::After::JsonLine,
        Format::Json | Format::Stats => {
            return format_sink(format, opts, out, flush_each, json_element);
        }
    };
    if !opts.stats {
        return format_sink(format, opts, out, flush_each, json_element);
    }
    let shared = stats::SharedOut::new(out);
    let inner = format_sink(
        format,
        opts,
        Box::new(shared.clone()),
        flush_each,
        json_element,
    );
    Box::new(stats::WithStats::new(inner, shared, after, opts))
}

/// The sink of `format` alone (see [`sink`]).
fn format_sink(
    format: Format,
    opts: &RenderOptions,
    out: Box<dyn Write>,
    flush_each: bool,
    json_element: bool,
) -> Box<dyn Sink> {
    // Into a file, the timeline and JSON Lines draw on a second core while the analysis
    // goes on (drawing them costs about as much as the analysis); a pipe or a live capture
    // gets each session as it ends, so it is drawn on the spot.
    let out = if !flush_each && matches!(format, Format::Timeline | Format::Jsonl) {
        let opts = *opts;
        let make: offthread::MakeSink = Box::new(move |out| match format {
            Format::Jsonl => Box::new(jsonl::JsonLines::new(out, false).advice(opts.advice)),
            _ => Box::new(timeline::TimelineSink::new(out, &opts, false)),
        });
        match offthread::OffThread::new(out, make) {
            Ok(sink) => return Box::new(sink),
            Err(out) => out,
        }
    } else {
        out
    };
    match format {
        Format::Timeline => Box::new(timeline::TimelineSink::new(out, opts, flush_each)),
        Format::Table => Box::new(table::TableSink::new(out, opts)),
        Format::Json => Box::new(json::DocumentWriter::new(out, !json_element).advice(opts.advice)),
        Format::Jsonl => Box::new(jsonl::JsonLines::new(out, flush_each).advice(opts.advice)),
        Format::Stats => Box::new(stats::StatsOnly::new(out, opts)),
    }
}

/// ANSI styling that turns itself off.
pub struct Style {
    on: bool,
}

impl Style {
    /// Styling that is applied when `on`, and leaves text unchanged otherwise.
    pub fn new(on: bool) -> Style {
        Style { on }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.on && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold text.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Dim text (secondary details).
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Red text (errors, negative replies).
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    /// Green text (success, positive replies).
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    /// Yellow text (warnings, intermediate replies).
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    /// Cyan text, for commands.
    pub fn command(&self, s: &str) -> String {
        self.paint("36", s)
    }
    /// A reply coloured by its class: 1xx/2xx green, 3xx yellow, 4xx/5xx red.
    pub fn reply(&self, code: Option<u16>, s: &str) -> String {
        match code {
            Some(c) if c < 300 => self.green(s),
            Some(c) if c < 400 => self.yellow(s),
            _ => self.red(s),
        }
    }
    /// The client-to-server arrow `C→S`, styled as a command.
    pub fn arrow_command(&self) -> String {
        self.command("C→S")
    }
    /// The server-to-client arrow `S→C`, styled as a reply.
    pub fn arrow_reply(&self) -> String {
        self.green("S→C")
    }
}
