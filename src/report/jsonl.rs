//! JSON Lines: `--format jsonl` writes one compact record per event ([`Record`]), a
//! session's records when it ends, in capture order within it.
//!
//! A sink of the event stream: nothing is kept; each record is serialized into a reused
//! buffer and written with one call (serde's token-by-token writes through a boxed writer
//! cost more than the rest). Flushed after each session when reading a pipe or a live
//! interface, so a reader sees each session as it ends. A live capture adds
//! `live_command` and `live_transfer` records as they happen (see [`Progress`]).

use crate::model::events::{Event, Progress, Sink};
use crate::model::records::Record;
use crate::model::{SCHEMA_VERSION, Session};
use std::io::{self, Write};

/// The JSON Lines sink.
pub struct JsonLines {
    out: Box<dyn Write>,
    flush_each: bool,
    /// The session whose records are being written (its start record went out).
    current: Option<u32>,
    line: Vec<u8>,
    advisor: crate::advice::Advisor,
    syntax: Option<crate::advice::Syntax>,
}

impl JsonLines {
    /// A JSON Lines writer to `out`; `flush_each`: flush after each session.
    pub fn new(out: Box<dyn Write>, flush_each: bool) -> JsonLines {
        JsonLines {
            out,
            flush_each,
            current: None,
            line: Vec::with_capacity(1024),
            advisor: crate::advice::Advisor::new(),
            syntax: None,
        }
    }

    /// Adds the advice's rules as commands of `syntax` (`--advice`).
    pub fn advice(mut self, syntax: Option<crate::advice::Syntax>) -> JsonLines {
        self.syntax = syntax;
        self
    }

    fn write(&mut self, record: &Record<'_>) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record).map_err(io::Error::from)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn start(&mut self, s: &Session) -> io::Result<()> {
        if self.current != Some(s.id) {
            self.current = Some(s.id);
            self.write(&Record::session_start(s))?;
        }
        Ok(())
    }

    fn ended(&mut self, s: &Session) -> io::Result<()> {
        self.advisor.observe(s);
        self.start(s)?;
        // Transfers without a data connection had no step of their own.
        for t in s.transfers.iter().filter(|t| t.data.is_none()) {
            self.write(&Record::Transfer {
                session: s.id,
                transfer: t,
            })?;
        }
        self.write(&Record::session_end(s))?;
        self.current = None;
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }
}

impl Sink for JsonLines {
    fn wants_steps(&self) -> bool {
        true
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Started { .. } => Ok(()),
            Event::Step { session, step } => {
                self.start(session)?;
                self.write(&Record::step(session, step))
            }
            Event::SessionEnded(s) => self.ended(s),
            Event::Unlinked(connection) => self.write(&Record::Unlinked { connection }),
            Event::Progress { session, progress } => {
                let session = *session;
                match progress {
                    Progress::Command(command) => {
                        self.write(&Record::LiveCommand { session, command })?
                    }
                    Progress::Transfer(transfer) => {
                        self.write(&Record::LiveTransfer { session, transfer })?
                    }
                }
                self.out.flush()
            }
            Event::Finished(capture) => {
                for advice in &self.advisor.advice(self.syntax) {
                    self.write(&Record::Advice { advice })?;
                }
                self.write(&Record::Capture {
                    schema_version: SCHEMA_VERSION,
                    capture,
                })?;
                self.out.flush()
            }
        }
    }
}
