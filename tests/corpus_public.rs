//! Third-party captures (`../shared/corpus-public/`) checked against their `NAME.expect.json`.
//!
//! Nobody on this project recorded these captures: they come from other analysers' test
//! suites, a textbook and CTF repositories, and show servers, clients and capture accidents
//! that no generator here imitates (FTP on port 443, a file holding its packets twice, TLS
//! shut down by CCC, a stray segment of an unseen connection). Each capture is analysed with
//! `ftpflow analyze --format json --show-passwords` and *no* `--ftp-port`: the control
//! connection on 443 has to be found by its content.
//!
//! Required per capture:
//!
//! * exactly the expected sessions, matched by client and server endpoints, none missing and
//!   none extra (a capture holding its packets twice must not give every session twice);
//! * per session: the user; the greeting's code when the control connection's SYN is in the
//!   capture (in a mid-stream session the first reply is a greeting only if it is
//!   220/120/421, so only such a code is required there); the commands in wire order with
//!   frame, verb, argument (`""` and `null` are the same) and final reply code, records
//!   marked `"inferred": true` being skipped; the codes of every reply where the expect file
//!   lists them; the announced data endpoint; every reply the expect file calls
//!   unsolicited, somewhere in the session;
//! * per transfer whose data connection is in the capture: command, argument, mode, the data
//!   connection's two endpoints, byte count, final reply and status;
//! * `capture.other_tcp_connections`, and no unlinked data connection unless the expect file
//!   gives `unlinked_data_connections`.
//!
//! Every mismatch of every capture is collected; the failure lists them all, each naming the
//! capture, the session and the command or transfer index.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-public")
}

/// `{"ip": "10.0.0.1", "port": 21}` -> `"10.0.0.1:21"`, IPv6 in brackets as the expect files
/// write it.
fn endpoint(v: &Value) -> Option<String> {
    let ip = v.get("ip")?.as_str()?;
    let port = v.get("port")?.as_u64()?;
    Some(if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    })
}

fn endpoint_value(v: &Value) -> Value {
    endpoint(v).map_or(Value::Null, Value::String)
}

/// An argument as compared: `""` and `null` both mean "no argument".
fn arg(v: &Value) -> Value {
    match v {
        Value::String(s) if s.is_empty() => Value::Null,
        other => other.clone(),
    }
}

/// Runs the analyzer the way a user would on a capture they know nothing about.
fn analyze(capture: &Path) -> Result<Value, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json", "--show-passwords"])
        .arg(capture)
        .output()
        .map_err(|e| format!("cannot run ftpflow: {e}"))?;
    if out.status.code() != Some(0) {
        return Err(format!(
            "exit {:?}, stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("output is not JSON: {e}"))
}

/// Collects every mismatch of one capture.
struct Check {
    errors: Vec<String>,
    facts: usize,
}

impl Check {
    fn eq(&mut self, ctx: &str, what: &str, got: &Value, want: &Value) {
        self.facts += 1;
        if got != want {
            self.errors
                .push(format!("{ctx}: {what}: ftpflow {got}, expected {want}"));
        }
    }

    fn fail(&mut self, msg: String) {
        self.facts += 1;
        self.errors.push(msg);
    }
}

fn session_key(client: &str, server: &str) -> String {
    format!("{client} -> {server}")
}

fn check_capture(name: &str, got: &Value, want: &Value, c: &mut Check) {
    let got_sessions = got["sessions"].as_array().cloned().unwrap_or_default();
    let want_sessions = want["sessions"].as_array().cloned().unwrap_or_default();

    // Sessions by endpoints: how often ftpflow reports each one.
    let mut by_key: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for s in &got_sessions {
        let key = session_key(
            &endpoint(&s["client"]).unwrap_or_default(),
            &endpoint(&s["server"]).unwrap_or_default(),
        );
        by_key.entry(key).or_default().push(s);
    }
    let mut expected_keys = BTreeMap::new();
    for ws in &want_sessions {
        let key = session_key(
            ws["client"].as_str().unwrap_or_default(),
            ws["server"].as_str().unwrap_or_default(),
        );
        *expected_keys.entry(key).or_insert(0usize) += 1;
    }
    c.eq(
        name,
        "number of sessions",
        &Value::from(got_sessions.len()),
        &Value::from(want_sessions.len()),
    );
    for (key, found) in &by_key {
        let wanted = expected_keys.get(key).copied().unwrap_or(0);
        if found.len() != wanted {
            c.fail(format!(
                "{name}: session {key}: reported {} time(s), expected {wanted}",
                found.len()
            ));
        }
    }

    for ws in &want_sessions {
        let key = session_key(
            ws["client"].as_str().unwrap_or_default(),
            ws["server"].as_str().unwrap_or_default(),
        );
        let ctx = format!("{name}: session {key}");
        let Some(gs) = by_key.get(&key).and_then(|v| v.first()) else {
            c.fail(format!("{ctx}: missing"));
            continue;
        };
        check_session(&ctx, gs, ws, c);
    }

    c.eq(
        name,
        "capture.other_tcp_connections",
        &got["capture"]["other_tcp_connections"],
        &want["other_tcp_connections"],
    );
    let want_unlinked = want
        .get("unlinked_data_connections")
        .cloned()
        .unwrap_or(Value::from(0));
    let unlinked = got["unlinked_data_connections"]
        .as_array()
        .map_or(0, Vec::len);
    c.eq(
        name,
        "number of unlinked_data_connections",
        &Value::from(unlinked),
        &want_unlinked,
    );
    c.eq(
        name,
        "capture.unlinked_data_connections",
        &got["capture"]["unlinked_data_connections"],
        &want_unlinked,
    );
}

fn check_session(ctx: &str, gs: &Value, ws: &Value, c: &mut Check) {
    c.eq(ctx, "user", &gs["user"], &ws["user"]);
    // With the SYN in the capture the first reply is the greeting (or there is none). In a
    // session already running, a reply before any command is a greeting only if its code
    // is one a greeting has (220, 120, 421); otherwise it answered a command before the
    // capture.
    let want_greeting = ws
        .get("greeting")
        .map_or(Value::Null, |g| g["code"].clone());
    let greeting_code = want_greeting
        .as_u64()
        .is_some_and(|c| [120, 220, 421].contains(&c));
    if ws["syn_seen"] == true || greeting_code {
        c.eq(
            ctx,
            "greeting code",
            &gs["greeting"]["code"],
            &want_greeting,
        );
    }

    // Commands, records the analyzer inferred from replies left out.
    let got_cmds: Vec<&Value> = gs["commands"]
        .as_array()
        .map(|v| v.iter().filter(|x| x["inferred"] != true).collect())
        .unwrap_or_default();
    let want_cmds: Vec<&Value> = ws["commands"]
        .as_array()
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    // Where the two lists stop naming the same lines (frame and verb): compared up to there,
    // so that one missing command does not turn every later one into a mismatch.
    let same_line = |g: &Value, w: &Value| g["frame"] == w["frame"] && g["command"] == w["command"];
    let diverge = got_cmds
        .iter()
        .zip(&want_cmds)
        .position(|(g, w)| !same_line(g, w));
    if got_cmds.len() != want_cmds.len() || diverge.is_some() {
        let i = diverge.unwrap_or(got_cmds.len().min(want_cmds.len()));
        let show = |x: Option<&&Value>| {
            x.map_or("nothing".to_string(), |x| {
                format!("{} {} at frame {}", x["command"], x["arg"], x["frame"])
            })
        };
        c.fail(format!(
            "{ctx}: {} commands (not inferred), expected {}; first difference at command {i}: \
             ftpflow {}, expected {}",
            got_cmds.len(),
            want_cmds.len(),
            show(got_cmds.get(i)),
            show(want_cmds.get(i)),
        ));
    }
    let compared = diverge.unwrap_or(got_cmds.len().min(want_cmds.len()));
    for (i, (g, w)) in got_cmds.iter().zip(&want_cmds).take(compared).enumerate() {
        let ctx = format!(
            "{ctx}: command {i} ({} at frame {})",
            w["command"], w["frame"]
        );
        c.eq(&ctx, "argument", &arg(&g["arg"]), &arg(&w["arg"]));
        c.eq(&ctx, "reply_code", &g["reply_code"], &w["reply_code"]);
        if let Some(want_codes) = w.get("replies") {
            let codes: Vec<Value> = g["replies"]
                .as_array()
                .map(|r| r.iter().map(|x| x["code"].clone()).collect())
                .unwrap_or_default();
            c.eq(&ctx, "reply codes", &Value::Array(codes), want_codes);
        }
        if let Some(want_ep) = w.get("data_endpoint") {
            c.eq(
                &ctx,
                "data_endpoint",
                &endpoint_value(&g["data_endpoint"]),
                want_ep,
            );
        }
    }

    // Replies nobody asked for: in `replies_without_command` or kept on a command.
    if let Some(unsolicited) = ws.get("unsolicited_replies").and_then(Value::as_array) {
        let mut seen: Vec<&Value> = gs["replies_without_command"]
            .as_array()
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        for cmd in gs["commands"].as_array().into_iter().flatten() {
            for r in cmd["replies"].as_array().into_iter().flatten() {
                if r["unsolicited"] == true {
                    seen.push(r);
                }
            }
        }
        for u in unsolicited {
            let line = u["line"].as_str().unwrap_or_default();
            let code: Option<u64> = line.get(..3).and_then(|s| s.parse().ok());
            let text = line.get(4..).unwrap_or_default();
            let found = seen.iter().any(|r| {
                r["frame"] == u["frame"]
                    && r["code"].as_u64() == code
                    && r["text"].as_str() == Some(text)
            });
            if !found {
                c.fail(format!(
                    "{ctx}: unsolicited reply {line:?} at frame {} not reported \
                     (replies without command or unsolicited on a command: {})",
                    u["frame"],
                    Value::Array(seen.iter().map(|r| (*r).clone()).collect())
                ));
            } else {
                c.facts += 1;
            }
        }
    }

    // Transfers whose data connection is in the capture, found by their command's frame.
    let got_transfers = gs["transfers"].as_array().cloned().unwrap_or_default();
    for (i, wt) in ws["transfers"].as_array().into_iter().flatten().enumerate() {
        if wt["data_server"].is_null() {
            continue;
        }
        let ctx = format!(
            "{ctx}: transfer {i} ({} {} at frame {})",
            wt["command"], wt["arg"], wt["cmd_frame"]
        );
        let Some(gt) = got_transfers.iter().find(|t| t["frame"] == wt["cmd_frame"]) else {
            c.fail(format!("{ctx}: no transfer for the command at that frame"));
            continue;
        };
        c.eq(&ctx, "command", &gt["command"], &wt["command"]);
        c.eq(&ctx, "argument", &arg(&gt["arg"]), &arg(&wt["arg"]));
        c.eq(&ctx, "mode", &gt["mode"], &wt["mode"]);
        c.eq(
            &ctx,
            "data server endpoint",
            &endpoint_value(&gt["data"]["server"]),
            &wt["data_server"],
        );
        c.eq(
            &ctx,
            "data client endpoint",
            &endpoint_value(&gt["data"]["client"]),
            &wt["data_client"],
        );
        c.eq(&ctx, "bytes", &gt["bytes"], &wt["bytes"]);
        c.eq(&ctx, "reply_code", &gt["reply_code"], &wt["reply_code"]);
        c.eq(&ctx, "status", &gt["status"], &wt["status"]);
    }
}

#[test]
fn public_captures_match_their_expect_files() {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} not found", dir.display());
        return;
    };
    let mut expects: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".expect.json"))
        })
        .collect();
    expects.sort();
    assert!(!expects.is_empty(), "no *.expect.json in {}", dir.display());

    let mut errors = Vec::new();
    let mut facts = 0;
    for path in &expects {
        let want: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = want["capture"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no \"capture\"", path.display()))
            .to_string();
        let got = match analyze(&dir.join(&name)) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut c = Check {
            errors: Vec::new(),
            facts: 0,
        };
        check_capture(&name, &got, &want, &mut c);
        eprintln!(
            "{name}: {} facts checked, {} mismatches",
            c.facts,
            c.errors.len()
        );
        facts += c.facts;
        errors.extend(c.errors);
    }
    assert!(
        errors.is_empty(),
        "{} mismatches in {} captures ({facts} facts):\n{}",
        errors.len(),
        expects.len(),
        errors.join("\n")
    );
}
