//! Renderers: one model, many views.
//!
//! Input: a [`Report`]. Output: bytes on a writer: the numbered timeline (default), tables,
//! or one JSON document. JSON Lines, and the timeline of a capture read from a pipe or a
//! live interface, are written while the analysis runs by [`stream::StreamRenderer`].

pub mod collect;
pub mod fmt;
pub mod json;
pub mod rows;
pub mod stream;
pub mod table;
pub mod timeline;

use crate::model::Report;
use std::io::{self, Write};

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
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Add every data segment and the control connection's pure ACKs.
    pub verbose: bool,
    /// ANSI colours.
    pub color: bool,
}

/// Renders a finished report. JSON Lines are written by [`stream::StreamRenderer`] while
/// analysing; asking for them here is an error.
pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Timeline => timeline::render(report, opts, out),
        Format::Table => table::render(report, opts, out),
        Format::Json => json::render(report, out),
        Format::Jsonl => Err(io::Error::other(
            "JSON Lines are streamed while analysing (report::stream)",
        )),
    }
}

/// ANSI styling that turns itself off.
pub struct Style {
    on: bool,
}

impl Style {
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

    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
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
    pub fn arrow_command(&self) -> String {
        self.command("C→S")
    }
    pub fn arrow_reply(&self) -> String {
        self.green("S→C")
    }
}
