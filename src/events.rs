//! Live events: what the analysis learns, told as it happens (streaming output).
//!
//! In batch mode the renderers read the finished [`crate::model::Report`]. When output must
//! appear while the capture is still being read (`ftpflow live`, `analyze -` from a pipe,
//! JSON Lines), the tracker calls a [`LiveSink`] with each [`LiveEvent`] in packet order:
//! a session's start, every handshake and close step, every command and reply, each
//! finding, each transfer once its final reply and its data connection are both known,
//! each session once its control and data connections are closed (or timed out), and
//! each data connection no negotiation explains.

use crate::endpoint::Endpoint;
use crate::model::{CommandRecord, Finding, ReplyRecord, Session, Transfer, UnlinkedConnection};
use crate::tcp::FlowStep;
use crate::time::Timestamp;
use std::io;

/// Which connection of a session a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveScope {
    Control,
    /// A data connection, with the transfer that uses it when already known (a passive
    /// connection may open before its RETR) and the negotiation it answers.
    Data {
        transfer: Option<u32>,
        setup: &'static str,
        endpoint: Endpoint,
    },
}

#[derive(Debug)]
pub enum LiveEvent<'a> {
    SessionStart {
        session: u32,
        client: Endpoint,
        server: Endpoint,
        ts: Timestamp,
        frame: u64,
        midstream: bool,
    },
    Step {
        session: u32,
        scope: LiveScope,
        /// The FTP client's endpoint on this connection (to name the sides).
        client: Endpoint,
        step: &'a FlowStep,
    },
    Greeting {
        session: u32,
        reply: &'a ReplyRecord,
    },
    Command {
        session: u32,
        index: usize,
        cmd: &'a CommandRecord,
    },
    Reply {
        session: u32,
        index: usize,
        cmd: &'a CommandRecord,
        reply: &'a ReplyRecord,
    },
    /// A reply before any command of the capture (it started mid-session).
    ReplyWithoutCommand {
        session: u32,
        reply: &'a ReplyRecord,
    },
    Finding {
        session: u32,
        finding: &'a Finding,
    },
    Transfer {
        session: u32,
        transfer: &'a Transfer,
    },
    Session(&'a Session),
    Unlinked(&'a UnlinkedConnection),
}

impl LiveEvent<'_> {
    /// The session the event belongs to, if any.
    pub fn session(&self) -> Option<u32> {
        match self {
            LiveEvent::SessionStart { session, .. }
            | LiveEvent::Step { session, .. }
            | LiveEvent::Greeting { session, .. }
            | LiveEvent::Command { session, .. }
            | LiveEvent::Reply { session, .. }
            | LiveEvent::ReplyWithoutCommand { session, .. }
            | LiveEvent::Finding { session, .. }
            | LiveEvent::Transfer { session, .. } => Some(*session),
            LiveEvent::Session(s) => Some(s.id),
            LiveEvent::Unlinked(u) => u.session,
        }
    }
}

/// Receives live events; an error (a closed pipe) stops the analysis.
pub trait LiveSink {
    fn event(&mut self, ev: &LiveEvent<'_>) -> io::Result<()>;
    /// Whether the sink wants every step (handshakes, commands, replies...) or only
    /// finished sessions, transfers and unlinked connections; steps cost time to make.
    fn wants_steps(&self) -> bool {
        true
    }
    /// The analysis is over: write the capture's counters and flush.
    fn finish(&mut self, _report: &crate::model::Report) -> io::Result<()> {
        Ok(())
    }
}
