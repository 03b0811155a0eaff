//! Every fact of `../shared/corpus/expected.json` checked against `ftpflow analyze --format json`.
//!
//! The corpus holds real captures from the suricata-verify test suite with the facts a
//! correct FTP analyzer reports for each (see the corpus README). This test runs the
//! binary on each capture and compares sessions, greetings, users, every command with its
//! argument and all its reply codes, announced data endpoints, transfers with their mode,
//! direction, announced size, linked data connection and byte count, and the number of
//! TCP connections that are neither FTP control nor FTP data.
//!
//! Vocabulary mapping: the corpus calls a listing's direction "download" (bytes flow from
//! the server); ftpflow says "listing" for LIST/NLST/MLSD. Overlong arguments and reply
//! texts are given as a length and a run-length pattern; ftpflow keeps a bounded prefix
//! and the full length, so the prefix must match the pattern and the length must match.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn run_json(capture: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json", "--show-passwords"])
        .arg(capture)
        .output()
        .expect("run ftpflow");
    assert!(
        out.status.code() == Some(0),
        "{}: exit {:?}, stderr: {}",
        capture.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// "Ax4092 Z" -> "AAAA…AZ".
fn expand(pattern: &str) -> String {
    let mut s = String::new();
    for token in pattern.split(' ') {
        match token.split_once('x') {
            Some((c, n)) if !c.is_empty() && n.parse::<usize>().is_ok() => {
                s.push_str(&c.repeat(n.parse().unwrap()));
            }
            _ => s.push_str(token),
        }
    }
    s
}

fn endpoint(v: &Value) -> Option<String> {
    let ip = v.get("ip")?.as_str()?;
    let port = v.get("port")?.as_u64()?;
    Some(if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    })
}

/// Compares an argument or text that the corpus may give as length + pattern.
fn check_long_text(ctx: &str, got: &Value, got_len: Option<u64>, expected_len: u64, pattern: &str) {
    let full = expand(pattern);
    assert_eq!(
        full.len() as u64,
        expected_len,
        "{ctx}: the corpus pattern expands to its length"
    );
    let text = got
        .as_str()
        .unwrap_or_else(|| panic!("{ctx}: text present"));
    assert!(
        full.starts_with(text),
        "{ctx}: kept text is a prefix of the real one"
    );
    let len = got_len.unwrap_or(text.len() as u64);
    assert_eq!(len, expected_len, "{ctx}: full length");
}

#[test]
fn corpus_facts() {
    let dir = corpus_dir();
    let expected_path = dir.join("expected.json");
    let Ok(text) = std::fs::read_to_string(&expected_path) else {
        eprintln!("skipping: {} not found", expected_path.display());
        return;
    };
    let expected: Value = serde_json::from_str(&text).unwrap();
    let mut checked_facts = 0usize;
    for (file, facts) in expected.as_object().unwrap() {
        let got = run_json(&dir.join(file));
        let ctx = file.as_str();
        let want_sessions = facts["sessions"].as_array().unwrap();
        let got_sessions = got["sessions"].as_array().unwrap();
        assert_eq!(
            got_sessions.len(),
            want_sessions.len(),
            "{ctx}: number of sessions"
        );
        for want in want_sessions {
            let client = want["client"].as_str().unwrap();
            let server = want["server"].as_str().unwrap();
            let s = got_sessions
                .iter()
                .find(|s| {
                    endpoint(&s["client"]).as_deref() == Some(client)
                        && endpoint(&s["server"]).as_deref() == Some(server)
                })
                .unwrap_or_else(|| panic!("{ctx}: session {client} -> {server}"));
            let ctx = format!("{file} {client}");
            checked_facts += 2;

            // Greeting.
            match &want["greeting"] {
                Value::Null => assert!(s["greeting"].is_null(), "{ctx}: no greeting"),
                g => {
                    assert_eq!(s["greeting"]["code"], g["code"], "{ctx}: greeting code");
                    assert_eq!(s["greeting"]["text"], g["text"], "{ctx}: greeting text");
                    assert_eq!(
                        s["greeting"]["line_count"], g["lines"],
                        "{ctx}: greeting lines"
                    );
                    checked_facts += 3;
                }
            }
            assert_eq!(s["user"], want["user"], "{ctx}: user");
            checked_facts += 1;

            // Commands, in wire order, with every reply.
            let want_cmds = want["commands"].as_array().unwrap();
            let got_cmds = s["commands"].as_array().unwrap();
            assert_eq!(got_cmds.len(), want_cmds.len(), "{ctx}: number of commands");
            for (i, (w, g)) in want_cmds.iter().zip(got_cmds).enumerate() {
                let ctx = format!("{ctx} command {i} {}", w["command"]);
                assert_eq!(g["command"], w["command"], "{ctx}: verb");
                match w.get("arg_pattern") {
                    Some(p) => check_long_text(
                        &ctx,
                        &g["arg"],
                        g["arg_len"].as_u64(),
                        w["arg_len"].as_u64().unwrap(),
                        p.as_str().unwrap(),
                    ),
                    None => assert_eq!(g["arg"], w["arg"], "{ctx}: argument"),
                }
                let codes: Vec<Value> = g["replies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["code"].clone())
                    .collect();
                assert_eq!(Value::Array(codes), w["reply_codes"], "{ctx}: reply codes");
                assert_eq!(g["reply_code"], w["reply_code"], "{ctx}: final reply code");
                match w.get("reply_text_pattern") {
                    Some(p) => {
                        let last = g["replies"].as_array().unwrap().last().unwrap();
                        check_long_text(
                            &ctx,
                            &last["text"],
                            last["text_len"].as_u64(),
                            w["reply_text_len"].as_u64().unwrap(),
                            p.as_str().unwrap(),
                        );
                    }
                    None => assert_eq!(g["reply_text"], w["reply_text"], "{ctx}: reply text"),
                }
                if let Some(lines) = w.get("reply_lines") {
                    let fin = g["replies"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|r| r["code"] == w["reply_code"])
                        .unwrap();
                    assert_eq!(fin["line_count"], *lines, "{ctx}: reply lines");
                    assert_eq!(
                        fin["lines"][0], w["reply_first_text"],
                        "{ctx}: first line of the reply"
                    );
                    checked_facts += 2;
                }
                if let Some(ep) = w.get("data_endpoint") {
                    let got_ep = g.get("data_endpoint").and_then(endpoint);
                    assert_eq!(got_ep.as_deref(), ep.as_str(), "{ctx}: data endpoint");
                    checked_facts += 1;
                }
                checked_facts += 5;
            }

            // Negotiations: every announced endpoint appears on its command.
            for ch in want["data_channels"].as_array().unwrap() {
                let found = got_cmds.iter().any(|c| {
                    c["command"] == ch["command"]
                        && c.get("data_endpoint").and_then(endpoint).as_deref()
                            == ch["endpoint"].as_str()
                });
                assert!(found, "{ctx}: data channel {ch}");
                checked_facts += 1;
            }

            // Transfers.
            let want_tr = want["transfers"].as_array().unwrap();
            let got_tr = s["transfers"].as_array().unwrap();
            assert_eq!(got_tr.len(), want_tr.len(), "{ctx}: number of transfers");
            for (i, (w, g)) in want_tr.iter().zip(got_tr).enumerate() {
                let ctx = format!("{ctx} transfer {i} {}", w["command"]);
                assert_eq!(g["command"], w["command"], "{ctx}: command");
                if w.get("arg").is_some_and(|a| !a.is_null()) {
                    assert_eq!(g["arg"], w["arg"], "{ctx}: argument");
                    assert_eq!(g["file_name"], w["file_name"], "{ctx}: file name");
                }
                let direction = match g["direction"].as_str().unwrap() {
                    "listing" => "download",
                    d => d,
                };
                assert_eq!(Some(direction), w["direction"].as_str(), "{ctx}: direction");
                assert_eq!(g["mode"], w["mode"], "{ctx}: mode");
                assert_eq!(
                    g["data_endpoint"].is_null(),
                    w["data_endpoint"].is_null(),
                    "{ctx}: endpoint presence"
                );
                if let Some(ep) = w["data_endpoint"].as_str() {
                    assert_eq!(
                        endpoint(&g["data_endpoint"]).as_deref(),
                        Some(ep),
                        "{ctx}: announced endpoint"
                    );
                }
                assert_eq!(
                    g["announced_size"], w["announced_size"],
                    "{ctx}: announced size"
                );
                match &w["data_conn"] {
                    Value::Null => assert!(g["data"].is_null(), "{ctx}: no data connection"),
                    dc => {
                        assert_eq!(
                            endpoint(&g["data"]["orig"]).as_deref(),
                            dc["orig"].as_str(),
                            "{ctx}: data initiator"
                        );
                        assert_eq!(
                            endpoint(&g["data"]["resp"]).as_deref(),
                            dc["resp"].as_str(),
                            "{ctx}: data responder"
                        );
                        let by_dir = &w["data_bytes_by_direction"];
                        assert_eq!(
                            g["data"]["orig_to_resp"]["bytes"], by_dir["orig_to_resp"],
                            "{ctx}: bytes orig->resp"
                        );
                        assert_eq!(
                            g["data"]["resp_to_orig"]["bytes"], by_dir["resp_to_orig"],
                            "{ctx}: bytes resp->orig"
                        );
                        let exact = !w
                            .get("linked_despite_address_mismatch")
                            .is_some_and(|v| v == true);
                        assert_eq!(g["data"]["link"]["exact"], exact, "{ctx}: exact link");
                        checked_facts += 5;
                    }
                }
                assert_eq!(g["bytes"], w["bytes"], "{ctx}: bytes");
                let codes: Vec<Value> = s["commands"]
                    [g["command_index"].as_u64().unwrap() as usize]["replies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["code"].clone())
                    .collect();
                assert_eq!(
                    Value::Array(codes),
                    w["reply_codes"],
                    "{ctx}: transfer reply codes"
                );
                checked_facts += 8;
            }
        }
        assert_eq!(
            got["capture"]["other_tcp_connections"], facts["non_ftp_tcp_connections"],
            "{ctx}: TCP connections that are neither FTP control nor data"
        );
        checked_facts += 1;
    }
    eprintln!("checked {checked_facts} facts");
    assert!(checked_facts > 500, "the corpus was really checked");
}
