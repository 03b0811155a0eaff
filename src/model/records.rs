//! JSON Lines records: one compact JSON object per event, each with a `type`, `session`,
//! `ts` and `frame` (where they apply).
//!
//! A session's records come when it ends, in capture order: `session_start`, then one per
//! step (`handshake`, `greeting`, `command`, `reply`, `transfer`, `segment`, `close`,
//! `finding`), then `session` (its summary). `unlinked` records come as they are known and
//! a last `capture` record carries the counters. The records borrow from the model: making
//! one allocates nothing.

use super::steps::{Scope, Step, StepKind};
use super::{
    CaptureInfo, CloseKind, Finding, ReplyRecord, Session, TcpState, Transfer, UnlinkedConnection,
};
use crate::endpoint::Endpoint;
use crate::time::Timestamp;
use serde::Serialize;

/// One JSON Lines record.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record<'a> {
    SessionStart {
        session: u32,
        ts: Timestamp,
        frame: u64,
        client: Endpoint,
        server: Endpoint,
        midstream: bool,
    },
    Handshake {
        #[serde(flatten)]
        at: At,
        #[serde(flatten)]
        conn: Conn,
        /// 1, 2 or 3.
        step: u8,
        flags: &'static str,
        /// A SYN sent again: the how-many-th retransmission.
        #[serde(skip_serializing_if = "Option::is_none")]
        retransmission: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rtt: Option<f64>,
    },
    Close {
        #[serde(flatten)]
        at: At,
        #[serde(flatten)]
        conn: Conn,
        step: usize,
        of: usize,
        complete: bool,
        kind: CloseKind,
        orig_state: TcpState,
        resp_state: TcpState,
    },
    Segment {
        #[serde(flatten)]
        at: At,
        #[serde(flatten)]
        conn: Conn,
        flags: &'a str,
        offset: i64,
        len: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<&'static str>,
    },
    /// The greeting (its own `ts` and `frame` are the reply's).
    Greeting {
        session: u32,
        #[serde(flatten)]
        reply: &'a ReplyRecord,
    },
    Command {
        #[serde(flatten)]
        at: At,
        index: usize,
        command: &'a str,
        arg: Option<&'a str>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        masked: bool,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        inferred: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        data_endpoint: Option<Endpoint>,
        #[serde(skip_serializing_if = "Option::is_none")]
        port_arithmetic: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        transfer: Option<u32>,
    },
    /// A reply (its own `ts` and `frame`).
    Reply {
        session: u32,
        /// The command it answers (`null`: no command in the capture asked for it).
        command_index: Option<usize>,
        command: Option<&'a str>,
        preliminary: bool,
        #[serde(flatten)]
        reply: &'a ReplyRecord,
    },
    /// A transfer, whole (its `ts` and `frame` are its command's).
    Transfer {
        session: u32,
        #[serde(flatten)]
        transfer: &'a Transfer,
    },
    Finding {
        session: u32,
        #[serde(flatten)]
        finding: &'a Finding,
    },
    Session {
        session: u32,
        #[serde(flatten)]
        summary: SessionRecord<'a>,
    },
    Unlinked {
        #[serde(flatten)]
        connection: &'a UnlinkedConnection,
    },
    Capture {
        schema_version: u32,
        #[serde(flatten)]
        capture: &'a CaptureInfo,
    },
}

/// Where a record happened.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct At {
    pub session: u32,
    pub ts: Timestamp,
    pub frame: u64,
}

/// The connection a TCP step belongs to.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Conn {
    /// `control` or `data`.
    pub connection: &'static str,
    /// For a data connection: the transfer it carried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<u32>,
    pub from: Endpoint,
    pub to: Endpoint,
}

/// A session's summary record (without its commands and transfers, which had their own).
#[derive(Debug, Serialize)]
pub struct SessionRecord<'a> {
    pub client: Endpoint,
    pub server: Endpoint,
    pub start: Timestamp,
    pub end: Timestamp,
    pub duration: f64,
    pub user: Option<&'a str>,
    pub login: super::Login,
    pub mode: Option<&'static str>,
    pub tls: Option<&'a super::TlsStart>,
    pub greeting: Option<&'a ReplyRecord>,
    pub control_state: &'static str,
    pub control_history: &'a str,
    pub summary: &'a super::SessionSummary,
}

fn conn(scope: Scope, from: Endpoint, to: Endpoint) -> Conn {
    let (connection, transfer) = match scope {
        Scope::Control => ("control", None),
        Scope::Data(n) => ("data", Some(n)),
    };
    Conn {
        connection,
        transfer,
        from,
        to,
    }
}

impl<'a> Record<'a> {
    /// The record of a session's start (before its first step).
    pub fn session_start(s: &Session) -> Record<'static> {
        Record::SessionStart {
            session: s.id,
            ts: s.start,
            frame: s.control.first_frame,
            client: s.client,
            server: s.server,
            midstream: s.control.midstream,
        }
    }

    /// The record of one step of session `s`.
    pub fn step(s: &'a Session, step: &Step<'a>) -> Record<'a> {
        let at = At {
            session: s.id,
            ts: step.ts,
            frame: step.frame,
        };
        match step.kind {
            StepKind::Handshake {
                scope,
                n,
                from,
                to,
                conn: c,
                ..
            } => Record::Handshake {
                at,
                conn: conn(scope, from, to),
                step: n,
                flags: ["SYN", "SYN-ACK", "ACK"][usize::from(n.clamp(1, 3)) - 1],
                retransmission: None,
                rtt: if n == 3 {
                    c.handshake.as_ref().and_then(|h| h.rtt)
                } else {
                    None
                },
            },
            StepKind::SynAgain {
                scope, n, from, to, ..
            } => Record::Handshake {
                at,
                conn: conn(scope, from, to),
                step: 1,
                flags: "SYN",
                retransmission: Some(n),
                rtt: None,
            },
            StepKind::Close {
                scope,
                n,
                of,
                step: cs,
                from,
                to,
                conn: c,
            } => Record::Close {
                at,
                conn: conn(scope, from, to),
                step: n,
                of,
                complete: c.close.as_ref().is_some_and(|x| x.complete),
                kind: cs.kind,
                orig_state: cs.orig_state,
                resp_state: cs.resp_state,
            },
            StepKind::Segment {
                scope,
                note,
                from,
                to,
            } => Record::Segment {
                at,
                conn: conn(scope, from, to),
                flags: &note.flags,
                offset: note.offset,
                len: note.len,
                note: note.note,
            },
            StepKind::Greeting(reply) => Record::Greeting {
                session: s.id,
                reply,
            },
            StepKind::ReplyWithoutCommand(reply) => Record::Reply {
                session: s.id,
                command_index: None,
                command: None,
                preliminary: reply.code.is_some_and(|c| c < 200),
                reply,
            },
            StepKind::Command { index, cmd } => Record::Command {
                at,
                index,
                command: &cmd.command,
                arg: cmd.arg.as_deref(),
                masked: cmd.masked,
                inferred: cmd.inferred,
                data_endpoint: cmd.data_endpoint,
                port_arithmetic: cmd.port_arithmetic.as_deref(),
                transfer: cmd.transfer,
            },
            StepKind::Reply { index, cmd, reply } => Record::Reply {
                session: s.id,
                command_index: Some(index),
                command: Some(&cmd.command),
                preliminary: reply.code.is_some_and(|c| c < 200),
                reply,
            },
            StepKind::Data(transfer) => Record::Transfer {
                session: s.id,
                transfer,
            },
            StepKind::Finding(finding) => Record::Finding {
                session: s.id,
                finding,
            },
        }
    }

    /// The summary record after a session's steps.
    pub fn session_end(s: &'a Session) -> Record<'a> {
        Record::Session {
            session: s.id,
            summary: SessionRecord {
                client: s.client,
                server: s.server,
                start: s.start,
                end: s.end,
                duration: s.duration,
                user: s.user.as_deref(),
                login: s.login,
                mode: s.mode,
                tls: s.tls.as_ref(),
                greeting: s.greeting.as_ref(),
                control_state: s.control.state,
                control_history: &s.control.history,
                summary: &s.summary,
            },
        }
    }
}
