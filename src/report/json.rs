//! JSON: `--format json` writes the [`Report`] as one pretty-printed document (the contract
//! in DESIGN.md), as a sink of the event stream.
//!
//! [`DocumentWriter`] writes the document while the analysis runs: each session as soon as
//! it has ended, so memory holds the open sessions, not every session of the capture.
//! Sessions therefore appear in the order they ended (each carries its `id`), and
//! `capture`, whose counters are known only at the end, comes last. Holding sessions back
//! to print them by number was measured too: the sessions ending after a long one piled
//! up (6 MiB more on the 1 GB benchmark, and unbounded for a session open for hours).

use crate::model::events::{Event, Sink};
use crate::model::{CaptureInfo, Report, SCHEMA_VERSION, Session, Tool};
use crate::stats::Stats;
use serde::Serialize;
use std::io::{self, Write};

/// Writes `report` as one pretty-printed JSON document, with a line end after it.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_document(report, out)?;
    writeln!(out)
}

/// The document without a line end after it (an element of `--separate`'s array).
pub fn render_document(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)
}

/// Writes the document of [`render`] while the analysis runs (see the module doc).
pub struct DocumentWriter {
    out: Box<dyn Write>,
    /// Line end after the document (not for an element of `--separate`'s array).
    newline: bool,
    started: bool,
    sessions_written: usize,
    /// Unlinked data connections by connection number, serialized.
    unlinked: Vec<(u64, Vec<u8>)>,
    /// A session is serialized here, then written with one call: serde_json writes every
    /// token separately, and through `Box<dyn Write>` each was a dynamic call (the JSON of
    /// the 1 GB benchmark took a tenth of the analysis thread's time).
    scratch: Vec<u8>,
    /// The `stats` object's counts, written last.
    stats: Stats,
    advisor: crate::advice::Advisor,
    syntax: Option<crate::advice::Syntax>,
}

impl DocumentWriter {
    /// A writer to `out`; `newline`: end the document with a line end (not for an element
    /// of `--separate`'s array).
    pub fn new(out: Box<dyn Write>, newline: bool) -> DocumentWriter {
        DocumentWriter {
            out,
            newline,
            started: false,
            sessions_written: 0,
            unlinked: Vec::new(),
            scratch: Vec::new(),
            stats: Stats::new(),
            advisor: crate::advice::Advisor::new(),
            syntax: None,
        }
    }

    /// Adds the advice's rules as commands of `syntax` (`--advice`).
    pub fn advice(mut self, syntax: Option<crate::advice::Syntax>) -> DocumentWriter {
        self.syntax = syntax;
        self
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let tool = Tool::ftpflow();
            write!(
                self.out,
                "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"tool\": "
            )?;
            write_pretty(&mut self.out, &tool, 2)?;
            self.out.write_all(b",\n  \"sessions\": [")?;
        }
        Ok(())
    }

    /// Writes a session as the next element of the array.
    fn write_session(&mut self, session: &Session) -> io::Result<()> {
        self.start()?;
        let sep: &[u8] = if self.sessions_written == 0 {
            b"\n    "
        } else {
            b",\n    "
        };
        self.scratch.clear();
        self.scratch.extend_from_slice(sep);
        write_pretty(&mut self.scratch, session, 4)?;
        self.out.write_all(&self.scratch)?;
        self.sessions_written += 1;
        Ok(())
    }
}

impl DocumentWriter {
    /// Closes the sessions' array, writes the unlinked connections and the capture.
    fn finish(&mut self, capture: &CaptureInfo) -> io::Result<()> {
        self.start()?;
        self.out.write_all(if self.sessions_written == 0 {
            b"]"
        } else {
            b"\n  ]"
        })?;
        self.unlinked.sort_by_key(|(id, _)| *id);
        self.out
            .write_all(b",\n  \"unlinked_data_connections\": [")?;
        for (i, (_, bytes)) in self.unlinked.iter().enumerate() {
            self.out
                .write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            self.out.write_all(bytes)?;
        }
        if !self.unlinked.is_empty() {
            self.out.write_all(b"\n  ")?;
        }
        self.out.write_all(b"],\n  \"advice\": ")?;
        let advice = self.advisor.advice(self.syntax);
        write_pretty(&mut self.out, &advice, 2)?;
        self.out.write_all(b",\n  \"capture\": ")?;
        write_pretty(&mut self.out, capture, 2)?;
        self.out.write_all(b",\n  \"stats\": ")?;
        write_pretty(&mut self.out, &self.stats.report(), 2)?;
        self.out
            .write_all(if self.newline { b"\n}\n" } else { b"\n}" })?;
        self.out.flush()
    }
}

impl Sink for DocumentWriter {
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        super::stats::count(&mut self.stats, ev);
        match ev {
            Event::SessionEnded(s) => {
                self.advisor.observe(s);
                self.write_session(s)
            }
            Event::Unlinked(u) => {
                self.unlinked.push((u.tcp.id, pretty(u, 4)?));
                Ok(())
            }
            Event::Finished(c) => self.finish(c),
            Event::Started { .. } | Event::Step { .. } | Event::Progress { .. } => Ok(()),
        }
    }
}

/// Writes `value` pretty-printed as it appears `indent` spaces deep in the document.
fn write_pretty<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
    indent: usize,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Nested::new(indent));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// `value` pretty-printed as it appears `indent` spaces deep in the document.
fn pretty<T: Serialize + ?Sized>(value: &T, indent: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_pretty(&mut out, value, indent)?;
    Ok(out)
}

/// serde_json's pretty layout (two spaces a level, `": "` between key and value, empty
/// objects and arrays as `{}` and `[]`) for a value nested `base` spaces deep, so that
/// a part of the document can be written on its own and still line up.
struct Nested {
    base: usize,
    level: usize,
    /// The object or array being written has an element already.
    has_value: bool,
}

impl Nested {
    fn new(base: usize) -> Nested {
        Nested {
            base,
            level: 0,
            has_value: false,
        }
    }

    fn line<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        out.write_all(b"\n")?;
        let mut n = self.base + 2 * self.level;
        while n > 0 {
            let k = n.min(SPACES.len());
            out.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(out)?;
        }
        out.write_all(bracket)
    }

    fn element<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.line(out)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.element(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.element(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Analyzer, Config};
    use ftpflow_synth::sink::PacketSink;
    use std::cell::RefCell;
    use std::rc::Rc;

    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The document of `bytes` streamed, and rendered from the whole report.
    fn both_ways(name: &str, bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut batch = Analyzer::new(Config::default());
        batch.read_named(name, Box::new(bytes));
        let report = batch.finish().unwrap();
        let mut rendered = Vec::new();
        render(&report, &mut rendered).unwrap();

        let buf = Rc::new(RefCell::new(Vec::new()));
        let writer = DocumentWriter::new(Box::new(Shared(buf.clone())), true);
        let mut streamed = Analyzer::with_sink(Config::default(), Box::new(writer));
        streamed.read_named(name, Box::new(bytes));
        streamed.finish().unwrap();
        let got = buf.borrow().clone();
        (got, rendered)
    }

    /// The session numbers in a document, in order.
    fn ids(doc: &serde_json::Value) -> Vec<u64> {
        doc["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn the_streamed_document_holds_the_rendered_sessions_in_the_order_they_ended() {
        let files = crate::test_support::project_captures();
        assert!(files.len() >= 10);
        let mut cases: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
            .collect();
        // Interleaved sessions from the generator: some end before older ones.
        for seed in 1..=6 {
            let opts = ftpflow_synth::scenario::Options {
                sessions: 6,
                ..Default::default()
            };
            let (trace, _) = ftpflow_synth::scenario::capture(seed, &opts);
            let mut w =
                ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default()).unwrap();
            for p in trace.iter() {
                w.push(p.clone());
            }
            cases.push((format!("generated seed {seed}"), w.into_inner().unwrap()));
        }
        let mut reordered = 0;
        for (name, bytes) in &cases {
            let (streamed, rendered) = both_ways(name, bytes);
            let mut got: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
            let want: serde_json::Value = serde_json::from_slice(&rendered).unwrap();
            let order = ids(&got);
            if order.is_sorted() {
                // Same order: the very same bytes.
                assert!(
                    streamed == rendered,
                    "{name}: streamed document differs:\n{}",
                    String::from_utf8_lossy(&streamed)
                );
            } else {
                reordered += 1;
                got["sessions"]
                    .as_array_mut()
                    .unwrap()
                    .sort_by_key(|s| s["id"].as_u64());
            }
            assert_eq!(got, want, "{name}");
        }
        assert!(reordered > 0, "no capture had sessions ending out of order");
    }
}
