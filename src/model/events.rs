//! The analysis's output: one ordered stream of events, and the [`Sink`] every output
//! format implements.
//!
//! ```text
//! Started ─▶ ( Step* ─▶ SessionEnded )* , Unlinked* (interleaved, as they are known) ─▶ Finished
//! ```
//!
//! * [`Event::Started`] comes first: the capture's first timestamp (the timeline's time
//!   zero) and its inputs' names.
//! * A session's events come when it ends (its control connection and every data
//!   connection closed, timed out, or the capture ended), so each is complete: a close is
//!   numbered `1/4`, a transfer has its bytes, a reply knows which command it answers.
//!   First every [`Step`] of the session in capture order (only to sinks that ask for
//!   them), then [`Event::SessionEnded`] with the whole [`Session`]. Sessions come in the
//!   order they end; each carries its `id` (the order they began).
//! * [`Event::Unlinked`]: a connection between a session's hosts that no announcement
//!   explains, when that is known.
//! * [`Event::Finished`] comes last, with the capture's counters and warnings.
//! * [`Event::Progress`], from a live capture only: a command answered or a transfer done,
//!   told as soon as it is known so that a user watching sees the session unfold. It is
//!   printed before the session is known whole (a transfer's link may still gain a note,
//!   a close its number), so sinks mark it as such; the session's complete events still
//!   come when it ends, the same as for a file of the same packets.
//!
//! Memory follows the sessions open at once: a sink gets each session once and keeps what
//! it must (the timeline nothing, the table its rows' text). The same packets give the
//! same events whether they come from a file, a pipe or a live interface.

use super::steps::Step;
use super::{CaptureInfo, CommandRecord, Session, Transfer, UnlinkedConnection};
use crate::time::Timestamp;
use std::io;

/// One event of the stream.
#[derive(Debug)]
pub enum Event<'a> {
    /// The capture's first packet (or its end, for a capture without packets).
    Started {
        /// Time zero of the timeline.
        first_ts: Option<Timestamp>,
        /// The inputs' names (`-` for stdin, the interface for a live capture).
        inputs: &'a [String],
    },
    /// One step of an ended session, in capture order.
    Step {
        /// The session the step belongs to.
        session: &'a Session,
        /// The step.
        step: &'a Step<'a>,
    },
    /// A session ended; its steps came just before.
    SessionEnded(&'a Session),
    /// A connection between a session's hosts that matches none of its announcements.
    Unlinked(&'a UnlinkedConnection),
    /// The capture ended: the last event.
    Finished(&'a CaptureInfo),
    /// Live capture only: something a session did, told before the session ends.
    Progress {
        /// The session's number.
        session: u32,
        /// What it did.
        progress: &'a Progress,
    },
}

/// What a session did, told as it happens during a live capture.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A command got its final reply (or the line that stood in for one).
    Command(Box<CommandRecord>),
    /// A transfer is over: its final reply came and its data connection closed.
    Transfer(Box<Transfer>),
}

/// Receives the events; an error (a closed pipe, a full disk) stops the analysis.
pub trait Sink {
    /// Whether the sink wants every [`Event::Step`] (making them costs time).
    fn wants_steps(&self) -> bool {
        false
    }
    /// Handles one event, in stream order.
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()>;
}
