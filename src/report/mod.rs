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
//! | html | [`html::HtmlSink`]: a page with a ladder diagram per session | the first sessions' drawings until the layout is chosen, then nothing but the session list |
//! | svg, mermaid | [`picture::PictureSink`]: one session's ladder diagram | that session's ladder |
//! | `--zeek-logs` | [`zeek::ZeekSink`]: Zeek's ftp.log, conn.log, files.log beside another format | nothing: rows are written as sessions end |
//!
//! [`sink`] chooses one; a new format is one file here and one arm there. [`collect`] is the
//! sink for library callers that want the whole [`Report`](crate::model::Report).

pub mod collect;
pub mod filter;
pub mod fit;
pub mod fmt;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod ladder;
pub mod lessons;
pub mod listing_table;
pub mod offthread;
pub mod picture;
pub mod rows;
pub mod safe;
pub mod stats;
pub mod table;
pub mod timeline;
pub mod zeek;

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
    /// One self-contained HTML page with a ladder diagram per session (use with -o).
    Html,
    /// The ladder diagram of one session (--session N) as SVG.
    Svg,
    /// The ladder diagram of one session (--session N) as a Mermaid sequenceDiagram.
    Mermaid,
}

impl Format {
    /// Whether the format draws one session only (`--session N` chooses it).
    pub fn draws_one_session(self) -> bool {
        matches!(self, Format::Svg | Format::Mermaid)
    }

    /// Whether the format is a document that a terminal cannot show.
    pub fn is_picture(self) -> bool {
        matches!(self, Format::Html | Format::Svg)
    }
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
    /// How the timeline shows times (`-t`).
    pub time_format: TimeFormat,
    /// Fit the timeline and tables to this many columns (a terminal's width or
    /// `COLUMNS`: [`fit::output_width`]); `None` keeps the fixed layout.
    pub width: Option<usize>,
}

/// How the timeline shows a step's time (`-t`, tshark's letters); JSON keeps RFC 3339.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeFormat {
    /// Seconds since the capture's first packet.
    #[default]
    R,
    /// Time of day, UTC (`10:12:40.604324`).
    A,
    /// Date and time, UTC (`2008-11-06 10:12:40.604324`).
    Ad,
    /// Seconds since 1970-01-01 UTC (`1225966360.604324`).
    E,
    /// Seconds since the previous step of the same session.
    Dd,
}

impl TimeFormat {
    /// Columns of the time column.
    pub fn width(self) -> usize {
        match self {
            TimeFormat::R | TimeFormat::Dd => 11,
            TimeFormat::A => 15,
            TimeFormat::Ad => 26,
            TimeFormat::E => 17,
        }
    }

    /// `ts` as this format shows it, `width` columns, right-aligned. `t0`: the capture's
    /// first packet; `previous`: the session's previous step (for `dd`; none: 0).
    pub fn show(
        self,
        ts: crate::time::Timestamp,
        t0: crate::time::Timestamp,
        previous: Option<crate::time::Timestamp>,
    ) -> String {
        let w = self.width();
        match self {
            TimeFormat::R => format!("{:>w$.6}", ts.secs_since(t0)),
            TimeFormat::Dd => format!("{:>w$.6}", previous.map_or(0.0, |p| ts.secs_since(p))),
            // RFC 3339 is `YYYY-MM-DDTHH:MM:SS.ffffff[fff]Z`: cut to microseconds.
            TimeFormat::A => format!("{:>w$}", ts.rfc3339().get(11..26).unwrap_or_default()),
            TimeFormat::Ad => {
                format!(
                    "{:>w$}",
                    ts.rfc3339().get(..26).unwrap_or_default().replace('T', " ")
                )
            }
            TimeFormat::E => {
                let n = ts.nanos();
                let sign = if n < 0 { "-" } else { "" };
                let n = n.unsigned_abs();
                let (secs, micros) = (n / 1_000_000_000, n % 1_000_000_000 / 1000);
                format!("{:>w$}", format!("{sign}{secs}.{micros:06}"))
            }
        }
    }

    /// The timeline header's sentence about the times after `capture starts T; `.
    pub fn header(self, first: crate::time::Timestamp) -> String {
        match self {
            TimeFormat::R => format!("capture starts {first}; times below are seconds since then"),
            TimeFormat::A | TimeFormat::Ad => {
                format!("capture starts {first}; times below are UTC")
            }
            TimeFormat::E => format!(
                "capture starts {first}; times below are seconds since 1970-01-01 00:00:00 UTC"
            ),
            TimeFormat::Dd => format!(
                "capture starts {first}; times below are seconds since the session's previous step"
            ),
        }
    }

    /// The name of the time column.
    pub fn label(self) -> &'static str {
        match self {
            TimeFormat::R | TimeFormat::Dd => "time",
            TimeFormat::A => "time (UTC)",
            TimeFormat::Ad => "date and time (UTC)",
            TimeFormat::E => "epoch time",
        }
    }

    /// The timeline's column header.
    pub fn column_header(self) -> &'static str {
        match self {
            TimeFormat::R | TimeFormat::Dd => " step        time   frame  connection",
            TimeFormat::A => " step      time (UTC)   frame  connection",
            TimeFormat::Ad => " step        date and time (UTC)   frame  connection",
            TimeFormat::E => " step        epoch time   frame  connection",
        }
    }
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
        // A page and a picture have no place for a text section after them; the page
        // carries the statistics itself.
        Format::Json | Format::Stats | Format::Html | Format::Svg | Format::Mermaid => {
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
        Format::Html => Box::new(html::HtmlSink::new(out, opts)),
        Format::Svg => Box::new(picture::PictureSink::new(out, picture::Picture::Svg, opts)),
        Format::Mermaid => Box::new(picture::PictureSink::new(
            out,
            picture::Picture::Mermaid,
            opts,
        )),
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

#[cfg(test)]
mod time_format_tests {
    use super::TimeFormat;
    use crate::time::Timestamp;

    #[test]
    fn each_format_shows_the_instant_in_its_column() {
        let t0 = Timestamp::from_secs_nanos(1_225_966_351, 402_000_000);
        let ts = Timestamp::from_secs_nanos(1_225_966_360, 604_324_123);
        let prev = Timestamp::from_secs_nanos(1_225_966_360, 600_000_000);
        let show = |f: TimeFormat, p| f.show(ts, t0, p);
        assert_eq!(show(TimeFormat::R, None), "   9.202324");
        assert_eq!(show(TimeFormat::A, None), "10:12:40.604324");
        assert_eq!(show(TimeFormat::Ad, None), "2008-11-06 10:12:40.604324");
        assert_eq!(show(TimeFormat::E, None), "1225966360.604324");
        assert_eq!(show(TimeFormat::Dd, Some(prev)), "   0.004324");
        assert_eq!(show(TimeFormat::Dd, None), "   0.000000");
        for f in [
            TimeFormat::R,
            TimeFormat::A,
            TimeFormat::Ad,
            TimeFormat::E,
            TimeFormat::Dd,
        ] {
            assert_eq!(show(f, Some(prev)).chars().count(), f.width(), "{f:?}");
            // The column header puts "frame" right after the time column.
            let header = f.column_header();
            assert_eq!(header.find("   frame"), Some(6 + f.width()), "{f:?}");
        }
        let before_1970 = Timestamp(-1_500_000);
        assert_eq!(
            TimeFormat::E.show(before_1970, t0, None).trim(),
            "-0.001500"
        );
    }
}
