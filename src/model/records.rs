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
    /// A session begins (`session_start`), before its first step.
    SessionStart {
        /// The session's `id`.
        session: u32,
        /// Capture time of the control connection's first packet.
        ts: Timestamp,
        /// Frame number of the control connection's first packet.
        frame: u64,
        /// The FTP client's control endpoint.
        client: Endpoint,
        /// The FTP server's control endpoint.
        server: Endpoint,
        /// The capture starts after the control connection opened (no SYN in it).
        midstream: bool,
    },
    /// A packet of a connection's three-way handshake, or a SYN sent again.
    Handshake {
        /// Session, time and frame of the packet.
        #[serde(flatten)]
        at: At,
        /// The connection and the packet's direction.
        #[serde(flatten)]
        conn: Conn,
        /// 1, 2 or 3.
        step: u8,
        /// `SYN`, `SYN-ACK` or `ACK`.
        flags: &'static str,
        /// A SYN sent again: the how-many-th retransmission.
        #[serde(skip_serializing_if = "Option::is_none")]
        retransmission: Option<u8>,
        /// On step 3: seconds from the SYN to this ACK.
        #[serde(skip_serializing_if = "Option::is_none")]
        rtt: Option<f64>,
    },
    /// A packet of a connection's close (FIN, the ACK of a FIN, RST).
    Close {
        /// Session, time and frame of the packet.
        #[serde(flatten)]
        at: At,
        /// The connection and the packet's direction.
        #[serde(flatten)]
        conn: Conn,
        /// Its position in the close (1-based).
        step: usize,
        /// How many packets the close has.
        of: usize,
        /// The close completed (both FINs acknowledged, or a reset).
        complete: bool,
        /// What the packet was.
        kind: CloseKind,
        /// The initiator's TCP state after it.
        orig_state: TcpState,
        /// The responder's TCP state after it.
        resp_state: TcpState,
    },
    /// A segment noted with `-v`: a pure ACK of the control connection or a data segment.
    Segment {
        /// Session, time and frame of the segment.
        #[serde(flatten)]
        at: At,
        /// The connection and the segment's direction.
        #[serde(flatten)]
        conn: Conn,
        /// Its TCP flags joined by `-`: `ACK`, `PSH-ACK`, ...
        flags: &'a str,
        /// Offset of its first payload byte in the sender's stream.
        offset: i64,
        /// Payload length on the wire, in bytes.
        len: u64,
        /// "retransmission", "partial overlap" or "out of order"; absent for an ordinary segment.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<&'static str>,
    },
    /// The greeting (its own `ts` and `frame` are the reply's).
    Greeting {
        /// The session's `id`.
        session: u32,
        /// The reply's fields.
        #[serde(flatten)]
        reply: &'a ReplyRecord,
    },
    /// A command of the client.
    Command {
        /// Session, time and frame of the packet that carried it.
        #[serde(flatten)]
        at: At,
        /// Its index in the session's `commands` (replies refer to it).
        index: usize,
        /// The verb, uppercased.
        command: &'a str,
        /// The argument as sent (masked for PASS); `null` when it had none.
        arg: Option<&'a str>,
        /// The argument is a masked password.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        masked: bool,
        /// The command is not in the capture; its reply names it.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        inferred: bool,
        /// The data endpoint it announced (PORT/EPRT/LPRT) or got (PASV/EPSV/LPSV).
        #[serde(skip_serializing_if = "Option::is_none")]
        data_endpoint: Option<Endpoint>,
        /// How the announced port was computed ("200*256+100 = 51300").
        #[serde(skip_serializing_if = "Option::is_none")]
        port_arithmetic: Option<&'a str>,
        /// The transfer (its `id`) this command started.
        #[serde(skip_serializing_if = "Option::is_none")]
        transfer: Option<u32>,
    },
    /// A reply (its own `ts` and `frame`).
    Reply {
        /// The session's `id`.
        session: u32,
        /// The command it answers (`null`: no command in the capture asked for it).
        command_index: Option<usize>,
        /// The verb of the command it answers (`null` as for `command_index`).
        command: Option<&'a str>,
        /// A 1xx reply: the command's final reply is still to come.
        preliminary: bool,
        /// The reply's fields.
        #[serde(flatten)]
        reply: &'a ReplyRecord,
    },
    /// A transfer, whole (its `ts` and `frame` are its command's).
    Transfer {
        /// The session's `id`.
        session: u32,
        /// The transfer's fields.
        #[serde(flatten)]
        transfer: &'a Transfer,
    },
    /// A finding of the session.
    Finding {
        /// The session's `id`.
        session: u32,
        /// The finding's fields.
        #[serde(flatten)]
        finding: &'a Finding,
    },
    /// A session's summary (`session`), after its steps.
    Session {
        /// The session's `id`.
        session: u32,
        /// The summary's fields.
        #[serde(flatten)]
        summary: SessionRecord<'a>,
    },
    /// A connection that looks like FTP data but carried no transfer.
    Unlinked {
        /// The connection's fields.
        #[serde(flatten)]
        connection: &'a UnlinkedConnection,
    },
    /// Live capture: a command got its final reply, told before its session ends (the
    /// session's `command` and `reply` records follow when it does).
    LiveCommand {
        /// The session's number.
        session: u32,
        /// The command with its replies so far.
        #[serde(flatten)]
        command: &'a super::CommandRecord,
    },
    /// Live capture: a transfer is over, told before its session ends (its `transfer`
    /// record follows when the session does).
    LiveTransfer {
        /// The session's number.
        session: u32,
        /// The transfer as known now.
        #[serde(flatten)]
        transfer: &'a Transfer,
    },
    /// Firewall and NAT advice for one server, after the sessions.
    Advice {
        /// The advice's fields.
        #[serde(flatten)]
        advice: &'a crate::advice::ServerAdvice,
    },
    /// The capture's summary and counters, the last record.
    Capture {
        /// The JSON layout version ([`super::SCHEMA_VERSION`]).
        schema_version: u32,
        /// The capture's fields.
        #[serde(flatten)]
        capture: &'a CaptureInfo,
    },
}

/// Where a record happened.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct At {
    /// The session's `id`.
    pub session: u32,
    /// Capture time of the packet.
    pub ts: Timestamp,
    /// Frame number of the packet.
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
    /// The packet's sender.
    pub from: Endpoint,
    /// The packet's receiver.
    pub to: Endpoint,
}

/// A session's summary record (without its commands and transfers, which had their own).
#[derive(Debug, Serialize)]
pub struct SessionRecord<'a> {
    /// The FTP client's control endpoint.
    pub client: Endpoint,
    /// The FTP server's control endpoint.
    pub server: Endpoint,
    /// Capture time of the control connection's first packet.
    pub start: Timestamp,
    /// Capture time of the control connection's last packet.
    pub end: Timestamp,
    /// Seconds from `start` to `end`.
    pub duration: f64,
    /// The last USER argument; `null` when no USER was seen.
    pub user: Option<&'a str>,
    /// The session's login outcome.
    pub login: super::Login,
    /// "active", "passive", "mixed", or `null` when no transfer was negotiated.
    pub mode: Option<&'static str>,
    /// Where TLS began; `null` for a plain-text session.
    pub tls: Option<&'a super::TlsStart>,
    /// The server's greeting; `null` when the capture lacks it.
    pub greeting: Option<&'a ReplyRecord>,
    /// The control connection's Zeek `conn_state`.
    pub control_state: &'static str,
    /// The control connection's Zeek `history`.
    pub control_history: &'a str,
    /// Counts and byte totals.
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
