//! A sink that draws on another thread: the analysis hands each finished session over and
//! goes on with the next packets while the session is written.
//!
//! Turning a session into text (the timeline's sentences, JSON Lines' records) costs about
//! as much as analysing its packets; on a second core the two overlap. The adapter owns
//! the output: the drawing thread sends back the bytes it wrote, in order, and they are
//! written here, so the output needs not move between threads. Memory stays bounded: at
//! most `QUEUE` sessions wait to be drawn and `QUEUE` chunks of text to be written.
//!
//! Used for files only: on a pipe or a live capture each session must reach the reader
//! as soon as it ends, which the drawing thread cannot promise between two events.

use crate::model::events::{Event, Progress, Sink};
use crate::model::steps::session_steps;
use crate::model::{CaptureInfo, Session, UnlinkedConnection};
use crate::time::Timestamp;
use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, TrySendError, bounded};
use std::io::{self, Write};
use std::thread::JoinHandle;

/// Events and chunks that may wait between the threads.
const QUEUE: usize = 16;
/// Text the drawing thread gathers before it sends it back.
const CHUNK: usize = 64 * 1024;

/// An event the drawing thread owns.
enum Owned {
    Started {
        first_ts: Option<Timestamp>,
        inputs: Vec<String>,
    },
    Session(Box<Session>),
    Unlinked(Box<UnlinkedConnection>),
    Progress {
        session: u32,
        progress: Progress,
    },
    Finished(Box<CaptureInfo>),
}

/// Makes the sink that draws, given where it writes (on the drawing thread).
pub type MakeSink = Box<dyn FnOnce(Box<dyn Write>) -> Box<dyn Sink> + Send>;

/// The adapter: a [`Sink`] whose drawing happens on its own thread.
pub struct OffThread {
    out: Box<dyn Write>,
    events: Option<Sender<Owned>>,
    chunks: Receiver<io::Result<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl OffThread {
    /// Starts the drawing thread with the sink `make` builds; its text goes to `out`.
    /// Gives `out` back when no thread can be started.
    pub fn new(out: Box<dyn Write>, make: MakeSink) -> Result<OffThread, Box<dyn Write>> {
        let (events, inbox) = bounded::<Owned>(QUEUE);
        let (send_chunks, chunks) = bounded::<io::Result<Vec<u8>>>(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("ftpflow-draw".into())
            .spawn(move || draw(inbox, send_chunks, make));
        let Ok(thread) = spawned else {
            return Err(out);
        };
        Ok(OffThread {
            out,
            events: Some(events),
            chunks,
            thread: Some(thread),
        })
    }

    /// Writes the chunks drawn so far; the drawing thread's error, if any.
    fn write_ready(&mut self) -> io::Result<()> {
        loop {
            match self.chunks.try_recv() {
                Ok(chunk) => self.out.write_all(&chunk?)?,
                Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => return Ok(()),
            }
        }
    }

    fn send(&mut self, ev: Owned) -> io::Result<()> {
        let Some(events) = self.events.clone() else {
            return Ok(());
        };
        // A full queue makes this thread wait until the drawing catches up; the chunks it
        // sends meanwhile must be written, or both threads would wait for each other.
        let mut ev = ev;
        loop {
            match events.try_send(ev) {
                Ok(()) => return self.write_ready(),
                Err(TrySendError::Full(back)) => {
                    ev = back;
                    let mut wait = Select::new();
                    wait.send(&events);
                    wait.recv(&self.chunks);
                    wait.ready();
                    self.write_ready()?;
                }
                Err(TrySendError::Disconnected(_)) => {
                    // The drawing thread stopped: its error is among the chunks.
                    return self.finish();
                }
            }
        }
    }

    /// Waits for the drawing thread to end and writes everything it drew.
    fn finish(&mut self) -> io::Result<()> {
        self.events = None;
        let mut result = Ok(());
        for chunk in self.chunks.iter() {
            match chunk {
                Ok(c) if result.is_ok() => result = self.out.write_all(&c),
                Ok(_) => {}
                Err(e) if result.is_ok() => result = Err(e),
                Err(_) => {}
            }
        }
        if let Some(t) = self.thread.take()
            && t.join().is_err()
            && result.is_ok()
        {
            result = Err(io::Error::other("the output thread failed"));
        }
        result?;
        self.out.flush()
    }
}

impl Sink for OffThread {
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Started { first_ts, inputs } => self.send(Owned::Started {
                first_ts: *first_ts,
                inputs: inputs.to_vec(),
            }),
            // The drawing thread makes the steps itself.
            Event::Step { .. } => Ok(()),
            Event::SessionEnded(s) => self.send(Owned::Session(Box::new((*s).clone()))),
            Event::Unlinked(u) => self.send(Owned::Unlinked(Box::new((*u).clone()))),
            Event::Progress { session, progress } => self.send(Owned::Progress {
                session: *session,
                progress: (*progress).clone(),
            }),
            Event::Finished(c) => {
                self.send(Owned::Finished(Box::new((*c).clone())))?;
                self.finish()
            }
        }
    }
}

/// Text written on the drawing thread, sent back in chunks.
struct ChunkWriter {
    buf: Vec<u8>,
    to: Sender<io::Result<Vec<u8>>>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.to
            .send(Ok(chunk))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl Drop for ChunkWriter {
    /// What the sink wrote last and did not flush still goes out.
    fn drop(&mut self) {
        let _ = self.send();
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// The drawing thread: events in, text out.
fn draw(inbox: Receiver<Owned>, chunks: Sender<io::Result<Vec<u8>>>, make: MakeSink) {
    let writer = ChunkWriter {
        buf: Vec::with_capacity(CHUNK),
        to: chunks.clone(),
    };
    let mut sink = make(Box::new(writer));
    let steps = sink.wants_steps();
    for ev in inbox {
        let done = match &ev {
            Owned::Started { first_ts, inputs } => sink.event(&Event::Started {
                first_ts: *first_ts,
                inputs,
            }),
            Owned::Session(s) => {
                let mut r = Ok(());
                if steps {
                    for step in &session_steps(s) {
                        r = sink.event(&Event::Step { session: s, step });
                        if r.is_err() {
                            break;
                        }
                    }
                }
                r.and_then(|_| sink.event(&Event::SessionEnded(s)))
            }
            Owned::Unlinked(u) => sink.event(&Event::Unlinked(u)),
            Owned::Progress { session, progress } => sink.event(&Event::Progress {
                session: *session,
                progress,
            }),
            Owned::Finished(c) => sink.event(&Event::Finished(c)),
        };
        if let Err(e) = done {
            let _ = chunks.send(Err(e));
            return;
        }
    }
}
