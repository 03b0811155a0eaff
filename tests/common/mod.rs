//! Comparing ftpflow's JSON with the generator's ground truth (`ftpflow-synth`).
//!
//! The truth says what really happened and, after impairments, what the capture still
//! shows (`captured`, `missed_bytes`, `handshake_seen`, `close_seen`). The rules:
//!
//! * sessions match by client and server endpoints; user, login, TLS and greeting agree;
//! * the commands the capture holds (`captured`) appear in order with their argument,
//!   every reply code, the final code and text and the announced data endpoint;
//! * the transfers the capture holds appear in order with command, argument, direction,
//!   mode, setup, announced endpoint, linked data connection (initiator and responder),
//!   status, final reply, announced size, REST offset and stored name;
//! * bytes: ftpflow counts what the capture shows, so its `bytes` equals the truth's
//!   `bytes - missed_bytes`, and its `missed_bytes` equals the truth's (lost bytes are
//!   reported as missed, never invented);
//! * every connection whose handshake the capture holds has its three handshake steps,
//!   and the capture-wide counts of other and unlinked connections agree.

#![allow(dead_code)]

pub mod captures;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs `ftpflow analyze --format json --show-passwords` on a capture file.
pub fn analyze_json(capture: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json", "--show-passwords"])
        .arg(capture)
        .output()
        .expect("run ftpflow");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}: {}",
        capture.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// `{"ip": "10.0.0.1", "port": 21}` -> `"10.0.0.1:21"` (IPv6 in brackets).
pub fn endpoint(v: &Value) -> Option<String> {
    let ip = v.get("ip")?.as_str()?;
    let port = v.get("port")?.as_u64()?;
    Some(if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    })
}

/// Collects mismatches instead of stopping at the first.
#[derive(Default)]
pub struct Checker {
    pub facts: usize,
    pub errors: Vec<String>,
}

impl Checker {
    fn eq(&mut self, ctx: &str, what: &str, got: &Value, want: &Value) {
        self.facts += 1;
        if got != want {
            self.errors
                .push(format!("{ctx}: {what}: ftpflow {got}, truth {want}"));
        }
    }

    fn cond(&mut self, ctx: &str, what: &str, ok: bool) {
        self.facts += 1;
        if !ok {
            self.errors.push(format!("{ctx}: {what}"));
        }
    }
}

fn ep_value(v: &Value) -> Value {
    endpoint(v).map_or(Value::Null, Value::String)
}

/// Compares ftpflow's report with a truth; returns the checker with facts and errors.
pub fn check_truth(got: &Value, truth: &Value) -> Checker {
    let mut c = Checker::default();
    let sessions = got["sessions"].as_array().cloned().unwrap_or_default();
    let want_sessions = truth["sessions"].as_array().cloned().unwrap_or_default();
    // A command (or transfer) is expected when its line is in the capture; of its
    // replies, those whose bytes the capture holds.
    let line_captured = |x: &Value| {
        x.get("line_captured")
            .map_or(x["captured"] == true, |l| l == true)
    };
    for ws in &want_sessions {
        let client = ws["client"].as_str().unwrap_or_default();
        let server = ws["server"].as_str().unwrap_or_default();
        let ctx = format!("session {client} -> {server}");
        let commands = ws["commands"].as_array().cloned().unwrap_or_default();
        let any_captured = commands.iter().any(line_captured);
        let Some(gs) = sessions.iter().find(|s| {
            endpoint(&s["client"]).as_deref() == Some(client)
                && endpoint(&s["server"]).as_deref() == Some(server)
        }) else {
            if any_captured {
                c.errors.push(format!("{ctx}: missing"));
            }
            continue;
        };
        c.facts += 1;
        if commands.iter().all(|x| x["captured"] == true) {
            c.eq(&ctx, "user", &gs["user"], &ws["user"]);
            c.eq(&ctx, "login", &gs["login"], &ws["login"]);
            c.eq(&ctx, "tls", &Value::Bool(!gs["tls"].is_null()), &ws["tls"]);
            c.eq(&ctx, "greeting", &gs["greeting"]["code"], &ws["greeting"]);
        }

        let want_cmds: Vec<&Value> = commands.iter().filter(|x| line_captured(x)).collect();
        // Transfers of an encrypted session that ftpflow inferred from its data connections
        // (with their inferred "?" commands) are compared with `inferred_transfers` below.
        let inferred = |x: &Value| {
            x["inferred"] == true && x["replies"].as_array().is_none_or(|r| r.is_empty())
        };
        let got_cmds: Vec<Value> = gs["commands"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|x| !(inferred(x) && x["command"] == "?" && !x["transfer"].is_null()))
            .collect();
        let (got_inferred, got_plain): (Vec<Value>, Vec<Value>) = gs["transfers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .partition(|t| t["inferred"] == true);
        let want_inferred = ws["inferred_transfers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        c.eq(
            &ctx,
            "number of inferred transfers",
            &Value::from(got_inferred.len()),
            &Value::from(want_inferred.len()),
        );
        for (i, (w, g)) in want_inferred.iter().zip(&got_inferred).enumerate() {
            let ctx = format!("{ctx} inferred transfer {i}");
            c.eq(&ctx, "mode", &g["mode"], &w["mode"]);
            c.eq(&ctx, "direction", &g["direction"], &w["direction"]);
            c.eq(&ctx, "encrypted", &g["encrypted"], &w["encrypted"]);
            c.eq(
                &ctx,
                "data initiator",
                &ep_value(&g["data"]["orig"]),
                &w["data_conn"]["orig"],
            );
            c.eq(
                &ctx,
                "data responder",
                &ep_value(&g["data"]["resp"]),
                &w["data_conn"]["resp"],
            );
        }
        c.eq(
            &ctx,
            "number of commands",
            &Value::from(got_cmds.len()),
            &Value::from(want_cmds.len()),
        );
        // Once a reply is missing from the capture, the replies after it may be given to
        // another waiting command that could take them (ABOR's 226 or the transfer's):
        // from there on only the commands themselves are compared.
        let mut reply_lost = false;
        for (i, (w, g)) in want_cmds.iter().zip(&got_cmds).enumerate() {
            let ctx = format!("{ctx} command {i} {}", w["command"]);
            c.eq(&ctx, "verb", &g["command"], &w["command"]);
            c.eq(&ctx, "argument", &g["arg"], &w["arg"]);
            let codes: Vec<Value> = g["replies"]
                .as_array()
                .map(|r| r.iter().map(|x| x["code"].clone()).collect())
                .unwrap_or_default();
            let want_codes = w
                .get("replies_captured")
                .cloned()
                .unwrap_or_else(|| w["reply_codes"].clone());
            if want_codes != w["reply_codes"] {
                reply_lost = true;
            }
            if reply_lost {
                continue;
            }
            c.eq(&ctx, "reply codes", &Value::Array(codes), &want_codes);
            if w["captured"] == true {
                c.eq(&ctx, "final reply", &g["reply_code"], &w["reply_code"]);
                c.eq(&ctx, "reply text", &g["reply_text"], &w["reply_text"]);
                c.eq(
                    &ctx,
                    "data endpoint",
                    &ep_value(&g["data_endpoint"]),
                    &w["data_endpoint"],
                );
            }
        }

        let want_tr: Vec<&Value> = ws["transfers"]
            .as_array()
            .map(|v| v.iter().filter(|x| line_captured(x)).collect())
            .unwrap_or_default();
        let got_tr = got_plain;
        c.eq(
            &ctx,
            "number of transfers",
            &Value::from(got_tr.len()),
            &Value::from(want_tr.len()),
        );
        for (i, (w, g)) in want_tr.iter().zip(&got_tr).enumerate() {
            let ctx = format!("{ctx} transfer {i} {}", w["command"]);
            // Without the final reply in the capture, status and reply are unknown.
            let keys: &[&str] = if w["captured"] == true {
                &[
                    "command",
                    "arg",
                    "direction",
                    "mode",
                    "setup",
                    "status",
                    "reply_code",
                    "announced_size",
                ]
            } else {
                &["command", "arg", "direction", "mode", "setup"]
            };
            for &key in keys {
                c.eq(&ctx, key, &g[key], &w[key]);
            }
            if w["captured"] == true {
                c.eq(
                    &ctx,
                    "rest offset",
                    &g.get("rest_offset").cloned().unwrap_or(Value::Null),
                    &w["rest_offset"],
                );
                c.eq(
                    &ctx,
                    "stored as",
                    &g.get("stored_as").cloned().unwrap_or(Value::Null),
                    &w["stored_as"],
                );
            }
            c.eq(
                &ctx,
                "announced endpoint",
                &ep_value(&g["data_endpoint"]),
                &w["data_endpoint"],
            );
            let conn = w["data_conn"]["conn"].as_u64().and_then(|id| {
                truth["connections"]
                    .as_array()?
                    .iter()
                    .find(|x| x["id"].as_u64() == Some(id))
                    .cloned()
            });
            // The data connection is expected when the capture holds its SYN.
            let conn_opened_in_capture = conn.as_ref().is_some_and(|x| x["handshake_seen"] == true);
            match (&w["data_conn"], &g["data"]) {
                (Value::Null, Value::Null) => c.facts += 1,
                (Value::Null, d) => c.errors.push(format!(
                    "{ctx}: ftpflow links a data connection {d}, truth has none"
                )),
                (wd, Value::Null) => {
                    if conn_opened_in_capture {
                        c.errors
                            .push(format!("{ctx}: data connection {wd} not linked"));
                    }
                }
                (wd, gd) => {
                    c.eq(&ctx, "data initiator", &ep_value(&gd["orig"]), &wd["orig"]);
                    c.eq(&ctx, "data responder", &ep_value(&gd["resp"]), &wd["resp"]);
                }
            }
            let missed = w["missed_bytes"].as_u64().unwrap_or(0);
            if !g["data"].is_null() {
                let want_bytes = w["bytes"]
                    .as_u64()
                    .map(|b| Value::from(b.saturating_sub(missed)))
                    .unwrap_or(Value::Null);
                c.eq(&ctx, "bytes seen", &g["bytes"], &want_bytes);
                let got_missed = g.get("missed_bytes").and_then(Value::as_u64).unwrap_or(0);
                // Exact when the capture holds the connection's handshake and its FINs (a
                // reset leaves the end of the stream unknown).
                let ends_known = |x: &Value| {
                    x["handshake_seen"] == true
                        && x["close_seen"] == true
                        && !matches!(x["close"].as_str(), Some("rst" | "open"))
                };
                if conn.as_ref().is_some_and(ends_known) {
                    c.eq(
                        &ctx,
                        "missed bytes",
                        &Value::from(got_missed),
                        &Value::from(missed),
                    );
                } else {
                    // The capture lacks the connection's start or end: bytes sent before its
                    // first or after its last packet cannot be known, only holes the capture
                    // proves. An acknowledgment of a FIN the capture lacks may count the
                    // FIN's sequence number as a byte.
                    c.cond(
                        &ctx,
                        &format!("missed bytes: ftpflow {got_missed} at most truth {missed} (+1 for an unseen FIN)"),
                        got_missed <= missed + 1,
                    );
                }
            }
        }
    }
    let expected_sessions = want_sessions
        .iter()
        .filter(|s| {
            s["commands"]
                .as_array()
                .is_some_and(|v| v.iter().any(line_captured))
                || s["implicit_tls"] == true
        })
        .count();
    if sessions.len() > expected_sessions {
        // Sessions whose commands were all lost may still appear (handshake only).
        let empty = sessions
            .iter()
            .filter(|s| s["commands"].as_array().is_some_and(|v| v.is_empty()))
            .count();
        c.cond(
            "capture",
            "no invented sessions",
            sessions.len() - expected_sessions <= empty,
        );
    }
    if truth["impairments"].as_array().is_none_or(|v| v.is_empty()) {
        c.eq(
            "capture",
            "other TCP connections",
            &got["capture"]["other_tcp_connections"],
            &truth["non_ftp_tcp_connections"],
        );
        c.eq(
            "capture",
            "unlinked data connections",
            &got["capture"]["unlinked_data_connections"],
            &truth["unlinked_data_connections"],
        );
    }
    c
}

/// The weak property that holds under every impairment: nothing is invented. Every
/// command ftpflow reports (outside lines flagged `after_gap`) was sent, with its argument,
/// in the order sent; every session it reports exists; no data connection carries more
/// bytes than its transfer sent.
pub fn check_no_invention(got: &Value, truth: &Value) -> Checker {
    let mut c = Checker::default();
    let want_sessions = truth["sessions"].as_array().cloned().unwrap_or_default();
    for gs in got["sessions"].as_array().cloned().unwrap_or_default() {
        let client = endpoint(&gs["client"]).unwrap_or_default();
        let server = endpoint(&gs["server"]).unwrap_or_default();
        let ctx = format!("session {client} -> {server}");
        let Some(ws) = want_sessions
            .iter()
            .find(|s| s["client"] == client.as_str() && s["server"] == server.as_str())
        else {
            let empty = gs["commands"].as_array().is_none_or(|v| v.is_empty());
            c.cond(&ctx, "an FTP session that does not exist", empty);
            continue;
        };
        c.facts += 1;
        // Commands: an in-order subsequence of what was sent.
        let sent = ws["commands"].as_array().cloned().unwrap_or_default();
        let mut at = 0usize;
        for g in gs["commands"].as_array().cloned().unwrap_or_default() {
            if g["after_gap"] == true {
                continue;
            }
            let found = sent[at..]
                .iter()
                .position(|w| w["command"] == g["command"] && w["arg"] == g["arg"]);
            match found {
                Some(k) => {
                    at += k + 1;
                    c.facts += 1;
                }
                None => c.errors.push(format!(
                    "{ctx}: command {} {} (frame {}) was not sent (or not in this order)",
                    g["command"], g["arg"], g["frame"]
                )),
            }
        }
        // Transfers: never more bytes than the data connection carried.
        let want_tr = ws["transfers"].as_array().cloned().unwrap_or_default();
        for gt in gs["transfers"].as_array().cloned().unwrap_or_default() {
            let Some(d) = gt.get("data").filter(|d| !d.is_null()) else {
                continue;
            };
            let (o, r) = (ep_value(&d["orig"]), ep_value(&d["resp"]));
            // Without its handshake in the capture, who opened a connection is a guess.
            let either_way = d["midstream"] == true;
            let max_sent = want_tr
                .iter()
                .filter(|w| {
                    let (wo, wr) = (&w["data_conn"]["orig"], &w["data_conn"]["resp"]);
                    (*wo == o && *wr == r) || (either_way && *wo == r && *wr == o)
                })
                .filter_map(|w| w["bytes"].as_u64())
                .max();
            let seen = gt["bytes"].as_u64().unwrap_or(0);
            match max_sent {
                Some(m) => c.cond(
                    &ctx,
                    &format!(
                        "transfer {} {}: {seen} bytes seen but at most {m} sent",
                        gt["id"], gt["command"]
                    ),
                    seen <= m,
                ),
                None => c.errors.push(format!(
                    "{ctx}: transfer {} {} linked to {o} -> {r}, which carried no transfer",
                    gt["id"], gt["command"]
                )),
            }
        }
    }
    c
}
