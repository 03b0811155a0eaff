//! JSON and JSON Lines.
//!
//! `--format json` writes the [`Report`] as one pretty-printed document (the contract in
//! DESIGN.md). `--format jsonl` writes one compact record per event, in capture order across
//! all sessions, each with a `type`: `handshake`, `greeting`, `command`, `reply`, `data`,
//! `segment` (with `-v`), `close`, `finding`, `transfer` (the whole transfer, once its
//! final reply and its data connection are both known), `session` (a session's summary,
//! after its last packet), `unlinked` (a data connection no negotiation explains), and a
//! final `capture` record with the capture's counters.

use super::RenderOptions;
use super::steps::{Scope, StepKind, session_steps};
use crate::model::{Report, Session};
use serde_json::{Value, json};
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)?;
    writeln!(out)
}

pub fn render_lines(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    // (frame, rank, record): records are ordered like the packets that carried them.
    let mut records: Vec<(u64, u8, Value)> = Vec::new();
    for s in &report.sessions {
        session_records(s, opts.verbose, &mut records);
    }
    for u in &report.unlinked_data_connections {
        let mut v = serde_json::to_value(u).map_err(io::Error::from)?;
        tag(&mut v, "unlinked");
        records.push((u.tcp.last_frame, 6, v));
    }
    records.sort_by_key(|(frame, rank, _)| (*frame, *rank));
    for (_, _, v) in records {
        serde_json::to_writer(&mut *out, &v).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    }
    let mut cap = serde_json::to_value(&report.capture).map_err(io::Error::from)?;
    tag(&mut cap, "capture");
    if let Value::Object(m) = &mut cap {
        m.insert("schema_version".into(), json!(report.schema_version));
    }
    serde_json::to_writer(&mut *out, &cap).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Puts `"type"` first in an object.
fn tag(v: &mut Value, kind: &str) {
    if let Value::Object(m) = v {
        let mut tagged = serde_json::Map::new();
        tagged.insert("type".into(), json!(kind));
        tagged.append(m);
        *m = tagged;
    }
}

fn scope_fields(scope: Scope) -> (&'static str, Option<u32>) {
    match scope {
        Scope::Control => ("control", None),
        Scope::Data(t) => ("data", Some(t)),
    }
}

fn session_records(s: &Session, verbose: bool, records: &mut Vec<(u64, u8, Value)>) {
    let id = s.id;
    for step in session_steps(s, verbose) {
        let (ts, frame) = (step.ts, step.frame);
        let v = match step.kind {
            StepKind::Handshake {
                scope,
                n,
                step,
                from,
                to,
                conn,
            } => {
                let (connection, transfer) = scope_fields(scope);
                let flags = ["SYN", "SYN-ACK", "ACK"][(n - 1) as usize];
                json!({"type": "handshake", "session": id, "ts": ts, "frame": frame, "connection": connection,
                       "transfer": transfer, "step": n, "of": 3, "flags": flags,
                       "from": from, "to": to, "seq": step.seq, "ack": step.ack,
                       "rtt": if n == 3 { conn.handshake.as_ref().and_then(|h| h.rtt) } else { None }})
            }
            StepKind::Greeting(r) => {
                json!({"type": "greeting", "session": id, "ts": ts, "frame": frame,
                       "code": r.code, "text": r.text, "lines": r.lines, "line_count": r.line_count})
            }
            StepKind::Command { index, cmd } => {
                json!({"type": "command", "session": id, "ts": ts, "frame": frame,
                       "index": index, "command": cmd.command, "arg": cmd.arg, "masked": cmd.masked,
                       "data_endpoint": cmd.data_endpoint, "port_arithmetic": cmd.port_arithmetic,
                       "transfer": cmd.transfer})
            }
            StepKind::Reply { index, cmd, reply } => {
                json!({"type": "reply", "session": id, "ts": ts, "frame": frame,
                       "command_index": index, "command": cmd.command, "code": reply.code, "text": reply.text,
                       "lines": reply.lines, "line_count": reply.line_count,
                       "preliminary": reply.code.is_some_and(|c| c < 200), "unsolicited": reply.unsolicited})
            }
            StepKind::Data(t) => {
                json!({"type": "data", "session": id, "ts": ts, "frame": frame, "transfer": t.id,
                       "command": t.command, "arg": t.arg, "direction": t.direction, "bytes": t.bytes})
            }
            StepKind::Segment {
                scope,
                note,
                from,
                to,
            } => {
                let (connection, transfer) = scope_fields(scope);
                json!({"type": "segment", "session": id, "ts": ts, "frame": frame, "connection": connection,
                       "transfer": transfer, "from": from, "to": to, "flags": note.flags, "offset": note.offset,
                       "len": note.len, "note": note.note})
            }
            StepKind::Close {
                scope,
                n,
                of,
                step,
                from,
                to,
                ..
            } => {
                let (connection, transfer) = scope_fields(scope);
                json!({"type": "close", "session": id, "ts": ts, "frame": frame, "connection": connection,
                       "transfer": transfer, "step": n, "of": of, "kind": step.kind, "from": from, "to": to,
                       "orig_state": step.orig_state, "resp_state": step.resp_state})
            }
            StepKind::Finding(f) => {
                let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("session".into(), json!(id));
                }
                tag(&mut v, "finding");
                v
            }
        };
        let rank = match step.kind {
            StepKind::Handshake { .. } => 0,
            StepKind::Greeting(_) | StepKind::Command { .. } | StepKind::Reply { .. } => 1,
            StepKind::Data(_) | StepKind::Segment { .. } => 2,
            StepKind::Close { .. } => 3,
            StepKind::Finding(_) => 4,
        };
        records.push((frame, rank, v));
    }
    // A transfer's record once both its final reply and its data connection are known.
    for t in &s.transfers {
        let reply_frame = s
            .commands
            .get(t.command_index)
            .and_then(|c| c.replies.last())
            .map_or(t.frame, |r| r.frame);
        let data_frame = t.data.as_ref().map_or(0, |d| d.tcp.last_frame);
        let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("session".into(), json!(id));
        }
        tag(&mut v, "transfer");
        records.push((reply_frame.max(data_frame), 5, v));
    }
    let last = s.control.last_frame.max(
        s.transfers
            .iter()
            .filter_map(|t| t.data.as_ref())
            .map(|d| d.tcp.last_frame)
            .max()
            .unwrap_or(0),
    );
    let v = json!({"type": "session", "session": id, "client": s.client, "server": s.server, "start": s.start,
                   "end": s.end, "duration": s.duration, "user": s.user, "login": s.login, "mode": s.mode,
                   "tls": s.tls, "summary": s.summary, "greeting": s.greeting.as_ref().map(|g| json!({"code": g.code, "text": g.text})),
                   "control": {"state": s.control.state, "history": s.control.history,
                               "handshake": s.control.handshake, "close": s.control.close}});
    records.push((last, 7, v));
}
