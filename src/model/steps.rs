//! A session as an ordered list of steps, the way the articles number them.
//!
//! Input: one [`Session`] of the model. Output: [`Step`]s in capture order (frame number,
//! then a fixed order for steps carried by the same packet: handshake, command or reply,
//! data, close, finding): the control connection's three-way handshake, the greeting, each
//! command and each reply, each data connection's handshake, its transfer summary and its
//! close, the control connection's close; when the TCP table noted them (`-v`), also the
//! control connection's pure ACKs and every data segment. The analysis tells these to the
//! sinks ([`super::events::Event::Step`]): the timeline and JSON Lines print them.

use crate::endpoint::Endpoint;
use crate::model::{CommandRecord, Finding, ReplyRecord, Session, Transfer};
use crate::tcp::{CloseStep, ConnRecord, HandshakeStep, SegmentNote, Side};
use crate::time::Timestamp;

/// Which connection a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The session's control connection.
    Control,
    /// The data connection of transfer `n`.
    Data(u32),
}

impl Scope {
    /// The scope as the timeline names it: `control`, `data #2`.
    pub fn label(self) -> String {
        match self {
            Scope::Control => "control".into(),
            Scope::Data(n) => format!("data #{n}"),
        }
    }
}

/// What a step is, with the records it shows.
#[derive(Debug, Clone, Copy)]
pub enum StepKind<'a> {
    /// A packet of a connection's three-way handshake.
    Handshake {
        /// The connection it belongs to.
        scope: Scope,
        /// 1, 2 or 3.
        n: u8,
        /// The packet.
        step: &'a HandshakeStep,
        /// Its sender.
        from: Endpoint,
        /// Its receiver.
        to: Endpoint,
        /// The connection's whole record (for its round-trip times).
        conn: &'a ConnRecord,
    },
    /// A SYN sent again (the `n`-th retransmission): no SYN-ACK came back in time.
    SynAgain {
        /// The connection it belongs to.
        scope: Scope,
        /// Which retransmission (1 for the first).
        n: u8,
        /// The packet.
        step: &'a HandshakeStep,
        /// Its sender (the initiator).
        from: Endpoint,
        /// Its receiver.
        to: Endpoint,
    },
    /// The server's greeting.
    Greeting(&'a ReplyRecord),
    /// A reply before any command of the capture.
    ReplyWithoutCommand(&'a ReplyRecord),
    /// A command of the client.
    Command {
        /// Its index in the session's `commands`.
        index: usize,
        /// The command.
        cmd: &'a CommandRecord,
    },
    /// A reply to a command.
    Reply {
        /// The command's index in the session's `commands`.
        index: usize,
        /// The command it answers.
        cmd: &'a CommandRecord,
        /// The reply.
        reply: &'a ReplyRecord,
    },
    /// The bytes of a transfer, at its first data segment.
    Data(&'a Transfer),
    /// A segment noted by the TCP table (`-v`): a pure ACK of the control connection or a data
    /// segment.
    Segment {
        /// The connection it belongs to.
        scope: Scope,
        /// The segment.
        note: &'a SegmentNote,
        /// Its sender.
        from: Endpoint,
        /// Its receiver.
        to: Endpoint,
    },
    /// A packet of a connection's close (FIN, ACK of a FIN, RST).
    Close {
        /// The connection it belongs to.
        scope: Scope,
        /// Its position in the close (1-based).
        n: usize,
        /// The close's number of packets.
        of: usize,
        /// The packet.
        step: &'a CloseStep,
        /// Its sender.
        from: Endpoint,
        /// Its receiver.
        to: Endpoint,
        /// The connection's whole record (for the close's style and completeness).
        conn: &'a ConnRecord,
    },
    /// A finding tied to a packet.
    Finding(&'a Finding),
}

/// One step of a session, dated by the packet that carried it.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// Capture time of that packet.
    pub ts: Timestamp,
    /// Frame number of that packet (steps are ordered by it).
    pub frame: u64,
    /// What the step is.
    pub kind: StepKind<'a>,
}

impl Step<'_> {
    /// Order among steps of the same frame.
    fn rank(&self) -> u8 {
        match self.kind {
            StepKind::Handshake { .. } | StepKind::SynAgain { .. } => 0,
            StepKind::Greeting(_)
            | StepKind::ReplyWithoutCommand(_)
            | StepKind::Command { .. }
            | StepKind::Reply { .. } => 1,
            StepKind::Data(_) | StepKind::Segment { .. } => 2,
            StepKind::Close { .. } => 3,
            StepKind::Finding(_) => 4,
        }
    }

    /// True for steps that get a number in the timeline (findings are notes).
    pub fn numbered(&self) -> bool {
        !matches!(self.kind, StepKind::Finding(_))
    }
}

/// The FTP role of one endpoint of a connection: "client" or "server".
pub fn role(ep: Endpoint, client: Endpoint) -> &'static str {
    if ep == client { "client" } else { "server" }
}

/// All steps of a session in capture order.
pub fn session_steps(s: &Session) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    connection_steps(&s.control, Scope::Control, &mut steps);
    if let Some(g) = &s.greeting {
        steps.push(Step {
            ts: g.ts,
            frame: g.frame,
            kind: StepKind::Greeting(g),
        });
    }
    for reply in &s.replies_without_command {
        steps.push(Step {
            ts: reply.ts,
            frame: reply.frame,
            kind: StepKind::ReplyWithoutCommand(reply),
        });
    }
    for (index, cmd) in s.commands.iter().enumerate() {
        steps.push(Step {
            ts: cmd.ts,
            frame: cmd.frame,
            kind: StepKind::Command { index, cmd },
        });
        for reply in &cmd.replies {
            steps.push(Step {
                ts: reply.ts,
                frame: reply.frame,
                kind: StepKind::Reply { index, cmd, reply },
            });
        }
    }
    for t in &s.transfers {
        let Some(d) = &t.data else { continue };
        let scope = Scope::Data(t.id);
        connection_steps(&d.tcp, scope, &mut steps);
        let at = [&d.tcp.orig_to_resp, &d.tcp.resp_to_orig]
            .into_iter()
            .filter_map(|st| st.first_data_frame.zip(st.first_data_ts))
            .min();
        let (frame, ts) = at.unwrap_or((d.tcp.last_frame, d.tcp.last_ts));
        steps.push(Step {
            ts,
            frame,
            kind: StepKind::Data(t),
        });
    }
    for f in &s.findings {
        if let (Some(ts), Some(frame)) = (f.ts, f.frame) {
            steps.push(Step {
                ts,
                frame,
                kind: StepKind::Finding(f),
            });
        }
    }
    steps.sort_by_key(|st| (st.frame, st.rank()));
    steps
}

/// Handshake, close and (verbose) segment steps of one connection.
pub fn connection_steps<'a>(c: &'a ConnRecord, scope: Scope, steps: &mut Vec<Step<'a>>) {
    let (o, r) = (c.orig, c.resp);
    let mut special = Vec::new();
    if let Some(h) = &c.handshake {
        for (i, step) in h.syn_retransmissions.iter().enumerate() {
            special.push(step.frame);
            steps.push(Step {
                ts: step.ts,
                frame: step.frame,
                kind: StepKind::SynAgain {
                    scope,
                    n: i as u8 + 1,
                    step,
                    from: o,
                    to: r,
                },
            });
        }
        for (n, step, from, to) in [
            (1u8, &h.syn, o, r),
            (2, &h.syn_ack, r, o),
            (3, &h.ack, o, r),
        ] {
            if let Some(step) = step {
                special.push(step.frame);
                steps.push(Step {
                    ts: step.ts,
                    frame: step.frame,
                    kind: StepKind::Handshake {
                        scope,
                        n,
                        step,
                        from,
                        to,
                        conn: c,
                    },
                });
            }
        }
    }
    if let Some(close) = &c.close {
        let of = close.steps.len();
        for (i, step) in close.steps.iter().enumerate() {
            let (from, to) = if step.from == Side::Orig {
                (o, r)
            } else {
                (r, o)
            };
            special.push(step.frame);
            steps.push(Step {
                ts: step.ts,
                frame: step.frame,
                kind: StepKind::Close {
                    scope,
                    n: i + 1,
                    of,
                    step,
                    from,
                    to,
                    conn: c,
                },
            });
        }
    }
    {
        for note in &c.segments {
            if special.contains(&note.frame) {
                continue;
            }
            // Control segments with payload are already commands and replies.
            if scope == Scope::Control && note.len > 0 {
                continue;
            }
            let (from, to) = if note.from == Side::Orig {
                (o, r)
            } else {
                (r, o)
            };
            steps.push(Step {
                ts: note.ts,
                frame: note.frame,
                kind: StepKind::Segment {
                    scope,
                    note,
                    from,
                    to,
                },
            });
        }
    }
}
