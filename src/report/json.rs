//! JSON: `--format json` writes the [`Report`] as one pretty-printed document (the contract
//! in DESIGN.md). JSON Lines are written as the analysis runs (`super::stream`).

use crate::model::Report;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_document(report, out)?;
    writeln!(out)
}

/// The document without a line end after it (an element of `--separate`'s array).
pub fn render_document(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)
}
