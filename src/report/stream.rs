//! Streaming renderers: each live event printed as it happens, one line at a time.
//!
//! Input: [`LiveEvent`]s in packet order (see [`crate::events`]). Output: a timeline whose
//! lines carry their session number (sessions interleave), or JSON Lines records with a
//! `type`. Every line is flushed at once (unless the input is a file), so `tail -f`, a pipe or a terminal sees each
//! step while the capture is still being read. JSON Lines output from a file uses the same
//! renderer, so a file and a live capture give the same records.

use super::fmt;
use super::timeline::{session_summary, transfer_line};
use super::{RenderOptions, Style};
use crate::endpoint::Endpoint;
use crate::events::{LiveEvent, LiveScope, LiveSink};
use crate::ftp::meaning::{command_meaning, reply_meaning};
use crate::model::TcpState;
use crate::model::{Report, Severity};
use crate::tcp::{CloseKind, FlowStepKind, Side};
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// Output format of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFormat {
    Timeline,
    Jsonl,
}

pub struct StreamRenderer {
    out: Box<dyn Write>,
    format: StreamFormat,
    opts: RenderOptions,
    t0: Option<Timestamp>,
    /// Steps numbered so far, per session (index = id - 1).
    counters: Vec<u32>,
    /// Flush after every line (live capture and pipes); a file being analysed is written
    /// in large blocks instead.
    flush_lines: bool,
}

impl StreamRenderer {
    pub fn new(out: Box<dyn Write>, format: StreamFormat, opts: RenderOptions) -> StreamRenderer {
        StreamRenderer {
            out,
            format,
            opts,
            t0: None,
            counters: Vec::new(),
            flush_lines: true,
        }
    }

    /// Whether every line is flushed as it is written (the default) or left to the buffer.
    pub fn flush_each_line(mut self, on: bool) -> StreamRenderer {
        self.flush_lines = on;
        self
    }

    fn line_done(&mut self) -> io::Result<()> {
        if self.flush_lines {
            self.out.flush()
        } else {
            Ok(())
        }
    }

    fn next_step(&mut self, session: u32) -> u32 {
        let i = session as usize - 1;
        if self.counters.len() <= i {
            self.counters.resize(i + 1, 0);
        }
        self.counters[i] += 1;
        self.counters[i]
    }

    fn rel(&mut self, ts: Timestamp) -> f64 {
        let t0 = *self.t0.get_or_insert(ts);
        ts.secs_since(t0)
    }

    fn line(
        &mut self,
        session: u32,
        ts: Timestamp,
        frame: u64,
        numbered: bool,
        text: &str,
    ) -> io::Result<()> {
        let rel = self.rel(ts);
        let n = if numbered {
            self.next_step(session).to_string()
        } else {
            String::new()
        };
        let head = format!("S{session:<3} {n:>4} {rel:>11.6} {frame:>7}  ");
        let mut first = true;
        for l in text.lines() {
            if first {
                writeln!(self.out, "{head}{l}")?;
                first = false;
            } else {
                writeln!(self.out, "{:width$}{l}", "", width = head.chars().count())?;
            }
        }
        self.line_done()
    }

    fn timeline(&mut self, ev: &LiveEvent<'_>) -> io::Result<()> {
        let st = Style::new(self.opts.color);
        match ev {
            LiveEvent::SessionStart {
                session,
                client,
                server,
                ts,
                frame,
                midstream,
            } => {
                let note = if *midstream {
                    " (already open when the capture started)"
                } else {
                    ""
                };
                let text = st.bold(&format!(
                    "session {session}: client {client} → server {server}{note}"
                ));
                self.line(*session, *ts, *frame, false, &text)
            }
            LiveEvent::Step {
                session,
                scope,
                client,
                step,
            } => {
                let label = scope_label(scope);
                let who = |ep: Endpoint| if ep == *client { "client" } else { "server" };
                let text = match &step.kind {
                    FlowStepKind::Handshake { n, rtt } => {
                        let flags = ["SYN", "SYN-ACK", "ACK"][(*n as usize).clamp(1, 3) - 1];
                        let why = match (n, scope) {
                            (1, LiveScope::Control) => {
                                "the client opens the control connection".to_string()
                            }
                            (1, LiveScope::Data { .. }) => {
                                let port20 = if step.from.port == 20 {
                                    " from port 20"
                                } else {
                                    ""
                                };
                                format!("the {} opens the data connection{port20}", who(step.from))
                            }
                            (2, _) => format!("the {} accepts", who(step.from)),
                            _ => match rtt {
                                Some(r) => {
                                    format!("established; handshake RTT {}", fmt::duration(*r))
                                }
                                None => "established".to_string(),
                            },
                        };
                        format!(
                            "{label:<10} handshake {n}/3  {flags:<7}  {} → {}   {}",
                            step.from,
                            step.to,
                            st.dim(&format!("— {why}"))
                        )
                    }
                    FlowStepKind::SynAgain { n } => format!(
                        "{label:<10} handshake 1/3  SYN      {} → {}   (sent again, try {})   {}",
                        step.from,
                        step.to,
                        n + 1,
                        st.dim("— no SYN-ACK came back in time")
                    ),
                    FlowStepKind::Close {
                        n,
                        kind,
                        orig_state,
                        resp_state,
                    } => {
                        let k = match kind {
                            CloseKind::Fin => "FIN",
                            CloseKind::FinAck => "FIN+ACK",
                            CloseKind::Ack => "ACK",
                            CloseKind::Rst => "RST",
                        };
                        let (from_state, to_state) = if step.side == Side::Orig {
                            (orig_state, resp_state)
                        } else {
                            (resp_state, orig_state)
                        };
                        let states = format!(
                            "{} {}, {} {}",
                            who(step.from),
                            from_state.name(),
                            who(step.to),
                            to_state.name()
                        );
                        format!(
                            "{label:<10} close {n}  {k:<7}  {} → {}   {}",
                            step.from,
                            step.to,
                            st.dim(&format!("— {states}"))
                        )
                    }
                    FlowStepKind::Segment {
                        flags,
                        offset,
                        len,
                        note,
                    } => {
                        let extra = note.map(|n| format!(" ({n})")).unwrap_or_default();
                        st.dim(&format!(
                            "{label:<10} segment  {flags:<9} {} → {}  {} at offset {offset}{extra}",
                            step.from,
                            step.to,
                            fmt::bytes(*len)
                        ))
                    }
                };
                let numbered = !matches!(step.kind, FlowStepKind::Segment { .. });
                self.line(*session, step.ts, step.frame, numbered, &text)
            }
            LiveEvent::Greeting { session, reply } => {
                let code = reply.code.map_or("---".to_string(), |c| c.to_string());
                let meaning = reply.code.map_or("not a reply", reply_meaning);
                let text = format!(
                    "{:<10} {}  {}   {}",
                    "control",
                    st.arrow_reply(),
                    st.reply(reply.code, &format!("{code} {}", reply.first_text())),
                    st.dim(&format!("— {meaning}"))
                );
                self.line(*session, reply.ts, reply.frame, true, &text)
            }
            LiveEvent::Command { session, cmd, .. } => {
                let arg = cmd
                    .arg
                    .as_deref()
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default();
                let mut words: Vec<String> = command_meaning(&cmd.command)
                    .map(str::to_string)
                    .into_iter()
                    .collect();
                if let (Some(ep), Some(a)) = (cmd.data_endpoint, &cmd.port_arithmetic) {
                    words.push(format!("the client listens on {ep} ({a})"));
                }
                let text = format!(
                    "{:<10} {}  {}{}   {}",
                    "control",
                    st.arrow_command(),
                    st.command(&cmd.command),
                    st.command(&arg),
                    st.dim(&format!("— {}", words.join("; ")))
                );
                self.line(*session, cmd.ts, cmd.frame, true, &text)
            }
            LiveEvent::Reply {
                session,
                cmd,
                reply,
                ..
            } => {
                let code = reply.code.map_or("???".to_string(), |c| c.to_string());
                let mut words = vec![reply.code.map_or("not an FTP reply".to_string(), |c| {
                    reply_meaning(c).to_string()
                })];
                if let (Some(ep), Some(c)) = (cmd.data_endpoint, reply.code)
                    && matches!(c, 227..=229)
                {
                    words.push(format!("the server listens on {ep}"));
                }
                words.push(format!("to {}", cmd.command));
                let text = format!(
                    "{:<10} {}  {}   {}",
                    "control",
                    st.arrow_reply(),
                    st.reply(reply.code, &format!("{code} {}", reply.first_text())),
                    st.dim(&format!("— {}", words.join("; ")))
                );
                self.line(*session, reply.ts, reply.frame, true, &text)
            }
            LiveEvent::ReplyWithoutCommand { session, reply } => {
                let code = reply.code.map_or("???".to_string(), |c| c.to_string());
                let text = format!(
                    "{:<10} {}  {}   {}",
                    "control",
                    st.arrow_reply(),
                    st.reply(reply.code, &format!("{code} {}", reply.first_text())),
                    st.dim("— no command in the capture asked for it")
                );
                self.line(*session, reply.ts, reply.frame, true, &text)
            }
            LiveEvent::Finding { session, finding } => {
                let mark = match finding.severity {
                    Severity::Info => st.dim("i"),
                    Severity::Warning => st.yellow("!"),
                    Severity::Error => st.red("✗"),
                };
                let ts = finding.ts.unwrap_or_default();
                let text = format!("{mark} {}", finding.message);
                self.line(*session, ts, finding.frame.unwrap_or(0), false, &text)
            }
            LiveEvent::Transfer { session, transfer } => {
                let ts = transfer
                    .data
                    .as_ref()
                    .map_or(transfer.ts, |d| d.tcp.last_ts);
                let frame = transfer
                    .data
                    .as_ref()
                    .map_or(transfer.frame, |d| d.tcp.last_frame);
                let text = st.bold(&transfer_line(transfer, &st));
                self.line(*session, ts, frame, false, &text)
            }
            LiveEvent::Session(s) => {
                let mut buf: Vec<u8> = Vec::new();
                session_summary(s, &st, &mut buf)?;
                let text = String::from_utf8_lossy(&buf).trim_matches('\n').to_string();
                self.line(s.id, s.end, s.control.last_frame, false, &text)
            }
            LiveEvent::Unlinked(u) => {
                let c = &u.tcp;
                let text = format!(
                    "unlinked data connection {} → {} ({} / {}, {}): {}",
                    c.orig,
                    c.resp,
                    fmt::bytes(c.orig_to_resp.bytes),
                    fmt::bytes(c.resp_to_orig.bytes),
                    c.state,
                    u.reason
                );
                self.line(
                    u.session.unwrap_or(0).max(1),
                    c.last_ts,
                    c.last_frame,
                    false,
                    &text,
                )
            }
        }
    }

    fn jsonl(&mut self, ev: &LiveEvent<'_>) -> io::Result<()> {
        write_record(ev, &mut self.out)?;
        self.out.write_all(b"\n")?;
        self.line_done()
    }
}

impl LiveSink for StreamRenderer {
    fn finish(&mut self, report: &Report) -> io::Result<()> {
        match self.format {
            StreamFormat::Jsonl => {
                let mut cap = serde_json::to_value(&report.capture).map_err(io::Error::from)?;
                if let Value::Object(m) = &mut cap {
                    m.insert("schema_version".into(), json!(report.schema_version));
                }
                let v = tagged("capture", cap);
                serde_json::to_writer(&mut self.out, &v).map_err(io::Error::from)?;
                self.out.write_all(b"\n")?;
            }
            StreamFormat::Timeline => {
                let c = &report.capture;
                writeln!(
                    self.out,
                    "\n{} packets, {} · {} FTP session(s), {} data connection(s) linked, {} unlinked, {} other TCP connection(s)",
                    fmt::thousands(c.packets),
                    fmt::size(c.bytes),
                    c.ftp_sessions,
                    c.data_connections,
                    c.unlinked_data_connections,
                    c.other_tcp_connections
                )?;
                for w in &c.warnings {
                    writeln!(self.out, "  ! {w}")?;
                }
            }
        }
        self.out.flush()
    }

    fn event(&mut self, ev: &LiveEvent<'_>) -> io::Result<()> {
        if let LiveEvent::Step { step, .. } = ev
            && matches!(step.kind, FlowStepKind::Segment { .. })
            && !self.opts.verbose
        {
            return Ok(());
        }
        match self.format {
            StreamFormat::Timeline => self.timeline(ev),
            StreamFormat::Jsonl => self.jsonl(ev),
        }
    }
}

fn scope_label(scope: &LiveScope) -> String {
    match scope {
        LiveScope::Control => "control".to_string(),
        LiveScope::Data {
            transfer: Some(t), ..
        } => format!("data #{t}"),
        LiveScope::Data {
            transfer: None,
            setup,
            endpoint,
        } => format!("data ({setup} {endpoint})"),
    }
}

/// Puts `"type"` first in an object.
fn tagged(kind: &str, v: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("type".into(), json!(kind));
    if let Value::Object(rest) = v {
        for (k, x) in rest {
            m.insert(k, x);
        }
    }
    Value::Object(m)
}

/// Writes the JSON Lines record of an event (without the line end). The frequent ones
/// (steps, commands, replies) are written straight from typed structs, without a map
/// per record.
fn write_record(ev: &LiveEvent<'_>, out: &mut dyn Write) -> io::Result<()> {
    let result = match ev {
        LiveEvent::SessionStart {
            session,
            client,
            server,
            ts,
            frame,
            midstream,
        } => serde_json::to_writer(
            out,
            &SessionStartRecord {
                kind: "session_start",
                session: *session,
                ts: *ts,
                frame: *frame,
                client: *client,
                server: *server,
                midstream: *midstream,
            },
        ),
        LiveEvent::Step {
            session,
            scope,
            step,
            ..
        } => {
            let (connection, transfer, setup, data_endpoint) = match scope {
                LiveScope::Control => ("control", None, None, None),
                LiveScope::Data {
                    transfer,
                    setup,
                    endpoint,
                } => ("data", *transfer, Some(*setup), Some(*endpoint)),
            };
            let (kind, detail) = match &step.kind {
                FlowStepKind::Handshake { n, rtt } => (
                    "handshake",
                    StepDetail::Handshake {
                        step: *n,
                        of: 3,
                        flags: ["SYN", "SYN-ACK", "ACK"][(*n as usize).clamp(1, 3) - 1],
                        rtt: *rtt,
                    },
                ),
                FlowStepKind::SynAgain { .. } => (
                    "handshake",
                    StepDetail::Handshake {
                        step: 1,
                        of: 3,
                        flags: "SYN",
                        rtt: None,
                    },
                ),
                FlowStepKind::Close {
                    n,
                    kind,
                    orig_state,
                    resp_state,
                } => (
                    "close",
                    StepDetail::Close {
                        step: *n,
                        kind: *kind,
                        orig_state: *orig_state,
                        resp_state: *resp_state,
                    },
                ),
                FlowStepKind::Segment {
                    flags,
                    offset,
                    len,
                    note,
                } => (
                    "segment",
                    StepDetail::Segment {
                        flags,
                        offset: *offset,
                        len: *len,
                        note: *note,
                    },
                ),
            };
            serde_json::to_writer(
                out,
                &StepRecord {
                    kind,
                    session: *session,
                    ts: step.ts,
                    frame: step.frame,
                    connection,
                    transfer,
                    setup,
                    data_endpoint,
                    from: step.from,
                    to: step.to,
                    detail,
                },
            )
        }
        LiveEvent::Greeting { session, reply } => serde_json::to_writer(
            out,
            &GreetingRecord {
                kind: "greeting",
                session: *session,
                ts: reply.ts,
                frame: reply.frame,
                code: reply.code,
                text: &reply.text,
                lines: &reply.lines,
                line_count: reply.line_count,
            },
        ),
        LiveEvent::Command {
            session,
            index,
            cmd,
        } => serde_json::to_writer(
            out,
            &CommandLine {
                kind: "command",
                session: *session,
                ts: cmd.ts,
                frame: cmd.frame,
                index: *index,
                command: &cmd.command,
                arg: cmd.arg.as_deref(),
                masked: cmd.masked,
                data_endpoint: cmd.data_endpoint,
                port_arithmetic: cmd.port_arithmetic.as_deref(),
            },
        ),
        LiveEvent::Reply {
            session,
            index,
            cmd,
            reply,
        } => serde_json::to_writer(
            out,
            &ReplyLine {
                kind: "reply",
                session: *session,
                ts: reply.ts,
                frame: reply.frame,
                command_index: *index,
                command: &cmd.command,
                code: reply.code,
                text: &reply.text,
                lines: &reply.lines,
                line_count: reply.line_count,
                preliminary: reply.code.is_some_and(|c| c < 200),
                unsolicited: reply.unsolicited,
                data_endpoint: if reply.code.is_some_and(|c| (227..=229).contains(&c)) {
                    cmd.data_endpoint
                } else {
                    None
                },
            },
        ),
        // The rarer records: built as JSON values.
        LiveEvent::ReplyWithoutCommand { session, reply } => {
            let mut v = serde_json::to_value(reply).map_err(io::Error::from)?;
            if let Value::Object(m) = &mut v {
                m.insert("session".into(), json!(session));
                m.insert("command_index".into(), Value::Null);
                m.insert("command".into(), Value::Null);
            }
            serde_json::to_writer(out, &tagged("reply", v))
        }
        LiveEvent::Finding { session, finding } => {
            let mut v = serde_json::to_value(finding).map_err(io::Error::from)?;
            if let Value::Object(m) = &mut v {
                m.insert("session".into(), json!(session));
            }
            serde_json::to_writer(out, &tagged("finding", v))
        }
        LiveEvent::Transfer { session, transfer } => {
            let mut v = serde_json::to_value(transfer).map_err(io::Error::from)?;
            if let Value::Object(m) = &mut v {
                m.insert("session".into(), json!(session));
            }
            serde_json::to_writer(out, &tagged("transfer", v))
        }
        LiveEvent::Session(s) => {
            let v = json!({"type": "session", "session": s.id, "client": s.client, "server": s.server,
            "start": s.start, "end": s.end, "duration": s.duration, "user": s.user, "login": s.login,
            "login_attempts": s.login_attempts, "mode": s.mode, "tls": s.tls, "summary": s.summary,
            "greeting": s.greeting.as_ref().map(|g| json!({"code": g.code, "text": g.text})),
            "findings": s.findings,
            "control": {"orig": s.control.orig, "resp": s.control.resp, "state": s.control.state,
                        "history": s.control.history, "handshake": s.control.handshake, "close": s.control.close,
                        "packets": s.control.packets}});
            serde_json::to_writer(out, &v)
        }
        LiveEvent::Unlinked(u) => {
            let v = serde_json::to_value(u).map_err(io::Error::from)?;
            serde_json::to_writer(out, &tagged("unlinked", v))
        }
    };
    result.map_err(io::Error::from)
}

#[derive(Serialize)]
struct SessionStartRecord {
    #[serde(rename = "type")]
    kind: &'static str,
    session: u32,
    ts: Timestamp,
    frame: u64,
    client: Endpoint,
    server: Endpoint,
    midstream: bool,
}

#[derive(Serialize)]
struct StepRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session: u32,
    ts: Timestamp,
    frame: u64,
    connection: &'static str,
    transfer: Option<u32>,
    setup: Option<&'static str>,
    data_endpoint: Option<Endpoint>,
    from: Endpoint,
    to: Endpoint,
    #[serde(flatten)]
    detail: StepDetail<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum StepDetail<'a> {
    Handshake {
        step: u8,
        of: u8,
        flags: &'static str,
        rtt: Option<f64>,
    },
    Close {
        step: usize,
        kind: CloseKind,
        orig_state: TcpState,
        resp_state: TcpState,
    },
    Segment {
        flags: &'a str,
        offset: i64,
        len: u64,
        note: Option<&'static str>,
    },
}

#[derive(Serialize)]
struct GreetingRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session: u32,
    ts: Timestamp,
    frame: u64,
    code: Option<u16>,
    text: &'a str,
    lines: &'a [String],
    line_count: usize,
}

#[derive(Serialize)]
struct CommandLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session: u32,
    ts: Timestamp,
    frame: u64,
    index: usize,
    command: &'a str,
    arg: Option<&'a str>,
    masked: bool,
    data_endpoint: Option<Endpoint>,
    port_arithmetic: Option<&'a str>,
}

#[derive(Serialize)]
struct ReplyLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    session: u32,
    ts: Timestamp,
    frame: u64,
    command_index: usize,
    command: &'a str,
    code: Option<u16>,
    text: &'a str,
    lines: &'a [String],
    line_count: usize,
    preliminary: bool,
    unsolicited: bool,
    data_endpoint: Option<Endpoint>,
}
