//! Captures recorded from real servers and clients (`samples/real-*.pcap`, made by
//! `scripts/real/record.py`) checked against what the recording script did and verified:
//! every session's user, login result and commands with their reply codes, and every
//! transfer's command, argument, mode, setup, announced endpoint, direction, status, final
//! reply and byte count (sizes of the files on disk, checked with sha256 by the script).
//!
//! Some recordings need more than that: an FTPS session (the capture shows its commands
//! only up to AUTH TLS; its data connections are compared by ports and bytes on the wire),
//! a data connection a firewall never let open (unanswered SYNs), a passive server behind
//! NAT (the client connected to another address than the 227 announced).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn analyze(pcap: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json", "--show-passwords"])
        .arg(pcap)
        .output()
        .expect("run ftpflow");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Checks one recording against its truth file; returns the number of facts compared.
pub fn check_recording(truth_path: &Path) -> usize {
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(truth_path).unwrap()).unwrap();
    let pcap = truth_path.with_file_name(truth["pcap"].as_str().unwrap());
    let got = analyze(&pcap);
    let name = truth["scenario"].as_str().unwrap();
    let sessions = got["sessions"].as_array().unwrap();
    let want_sessions = truth["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), want_sessions.len(), "{name}: sessions");
    let mut facts = 1;
    for (w, g) in want_sessions.iter().zip(sessions) {
        let ctx = format!("{name} session {}", w["index"]);
        if let Some(port) = w["client_port"].as_u64() {
            assert_eq!(
                g["client"]["port"].as_u64(),
                Some(port),
                "{ctx}: client port"
            );
            facts += 1;
        }
        // Commands ftpflow inferred (`?`, the transfers of an encrypted session) are not
        // sent in clear; they are checked with the transfers.
        let cmds: Vec<&Value> = g["commands"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["inferred"] != true)
            .collect();
        let mut want_cmds = &w["commands"].as_array().unwrap()[..];
        if w["tls"].is_object() {
            // Only what went before TLS is readable; the login and the rest are encrypted.
            assert_eq!(g["tls"]["command"], w["tls"]["command"], "{ctx}: TLS");
            let clear = w["tls"]["commands_in_clear"].as_u64().unwrap() as usize;
            want_cmds = &want_cmds[..clear];
            facts += 1;
        } else {
            assert_eq!(g["user"], w["user"], "{ctx}: user");
            assert_eq!(g["login"], w["login"], "{ctx}: login");
        }
        assert_eq!(cmds.len(), want_cmds.len(), "{ctx}: number of commands");
        for (i, (wc, gc)) in want_cmds.iter().zip(cmds).enumerate() {
            let ctx = format!("{ctx} command {i}");
            assert_eq!(gc["command"], wc["command"], "{ctx}: verb");
            assert_eq!(gc["arg"], wc["arg"], "{ctx}: argument");
            let codes: Vec<Value> = gc["replies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].clone())
                .collect();
            assert_eq!(Value::Array(codes), wc["reply_codes"], "{ctx}: reply codes");
            facts += 3;
        }
        facts += 3;
    }
    for w in want_sessions {
        facts += check_attempt(name, &got, w);
    }
    let (protected, visible): (Vec<&Value>, Vec<&Value>) = truth["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|t| t["protected"] == true);
    facts += check_protected(name, &got, &protected);
    // Transfers are numbered across the recording; ftpflow numbers them per session.
    let mut per_session = vec![0usize; sessions.len() + 1];
    for wt in visible {
        let s = wt["session"].as_u64().unwrap() as usize;
        per_session[s] += 1;
        let i = per_session[s];
        let ctx = format!("{name} session {s} transfer {i} {}", wt["command"]);
        let gt = &sessions[s - 1]["transfers"][i - 1];
        for key in [
            "command",
            "arg",
            "mode",
            "setup",
            "data_endpoint",
            "direction",
            "status",
            "reply_code",
        ] {
            assert_eq!(gt[key], wt[key], "{ctx}: {key}");
            facts += 1;
        }
        if !wt["bytes"].is_null() {
            assert_eq!(gt["bytes"], wt["bytes"], "{ctx}: bytes");
            facts += 1;
        }
        facts += check_data_connection(&ctx, &gt["data"], wt);
    }
    let transfers: usize = sessions
        .iter()
        .map(|s| s["transfers"].as_array().unwrap().len())
        .sum();
    let inferred = sessions
        .iter()
        .flat_map(|s| s["transfers"].as_array().unwrap())
        .filter(|t| is_inferred(t))
        .count();
    assert_eq!(
        transfers - inferred,
        truth["transfers"].as_array().unwrap().len() - protected.len(),
        "{name}: number of transfers"
    );
    facts
}

/// A transfer ftpflow did not read from the control connection but inferred (from an
/// encrypted session's data connections).
fn is_inferred(t: &Value) -> bool {
    !t["inferred"].is_null() && t["inferred"] != false
}

/// What the recording knows about a transfer's data connection beyond the endpoint: it
/// was never answered (a firewall), or it went to another address than announced (NAT).
fn check_data_connection(ctx: &str, data: &Value, wt: &Value) -> usize {
    let mut facts = 0;
    let dc = &wt["data_connection"];
    if dc["answered"] == false {
        assert_eq!(data["opened_by"], dc["opened_by"], "{ctx}: opened by");
        assert!(
            data["handshake"]["syn_ack"].is_null(),
            "{ctx}: SYN answered?"
        );
        let syns = dc["syns"].as_u64().unwrap();
        assert_eq!(
            data["handshake"]["syn_retransmits"].as_u64(),
            Some(syns - 1),
            "{ctx}: SYN retransmissions"
        );
        facts += 3;
    }
    if wt["connected_to"].is_object() {
        assert_eq!(data["server"], wt["connected_to"], "{ctx}: connected to");
        facts += 1;
    }
    facts
}

/// A session whose client tried a data connection that never opened and never sent the
/// transfer command (behind NAT, to the private address a 227 announced): ftpflow shows it
/// as an unlinked data connection of that session, SYNs unanswered, and the session has a
/// finding that says so.
fn check_attempt(name: &str, got: &Value, w: &Value) -> usize {
    let attempt = &w["data_connection_attempt"];
    if !attempt.is_object() {
        return 0;
    }
    let ctx = format!("{name} session {} data connection attempt", w["index"]);
    let unlinked = got["unlinked_data_connections"].as_array().unwrap();
    let u = unlinked
        .iter()
        .find(|u| u["resp"]["ip"] == attempt["ip"] && u["resp"]["port"] == attempt["port"])
        .unwrap_or_else(|| panic!("{ctx}: not among the unlinked data connections"));
    assert_eq!(u["session"], w["index"], "{ctx}: session");
    assert!(u["handshake"]["syn_ack"].is_null(), "{ctx}: SYN answered?");
    assert_eq!(
        u["handshake"]["syn_retransmits"].as_u64(),
        Some(attempt["syns"].as_u64().unwrap() - 1),
        "{ctx}: SYN retransmissions"
    );
    // And the session says so: the client's SYNs to the announced endpoint went unanswered.
    let session = got["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == w["index"])
        .unwrap_or_else(|| panic!("{ctx}: session not found"));
    let announced = format!("{}:{}", attempt["ip"].as_str().unwrap(), attempt["port"]);
    assert!(
        session["findings"].as_array().unwrap().iter().any(|f| {
            f["kind"] == "passive_connect_unanswered"
                && f["message"].as_str().unwrap().contains(&announced)
        }),
        "{ctx}: no passive_connect_unanswered finding naming {announced}"
    );
    5
}

/// Transfers of a session with PROT P: their data connections carry TLS records, so the
/// truth gives each one's ports and bytes on the wire. Today ftpflow reports them as data
/// connections it could not link (the PASV replies are encrypted); once it infers the
/// transfers (marked `inferred`), they are checked as transfers instead.
fn check_protected(name: &str, got: &Value, protected: &[&Value]) -> usize {
    let mut facts = 0;
    let sessions = got["sessions"].as_array().unwrap();
    let inferred: Vec<&Value> = sessions
        .iter()
        .flat_map(|s| s["transfers"].as_array().unwrap())
        .filter(|t| is_inferred(t))
        .collect();
    if !inferred.is_empty() {
        return facts + check_inferred_tls_transfers(name, &inferred, protected);
    }
    let unlinked = got["unlinked_data_connections"].as_array().unwrap();
    for wt in protected {
        let ctx = format!("{name} transfer {} {} (TLS)", wt["index"], wt["command"]);
        let dc = &wt["data_connection"];
        let (client, server) = (&dc["client_port"], &dc["server_port"]);
        let found = unlinked.iter().find(|u| {
            let (c, s) = if dc["opened_by"] == "client" {
                (&u["orig"], &u["resp"])
            } else {
                (&u["resp"], &u["orig"])
            };
            c["port"] == *client && s["port"] == *server
        });
        let u = found.unwrap_or_else(|| panic!("{ctx}: no data connection {client} <-> {server}"));
        assert_eq!(u["session"], wt["session"], "{ctx}: session");
        let (c2s, s2c) = if dc["opened_by"] == "client" {
            (&u["orig_to_resp"]["bytes"], &u["resp_to_orig"]["bytes"])
        } else {
            (&u["resp_to_orig"]["bytes"], &u["orig_to_resp"]["bytes"])
        };
        assert_eq!(
            c2s, &dc["wire_bytes"]["client_to_server"],
            "{ctx}: bytes up"
        );
        assert_eq!(
            s2c, &dc["wire_bytes"]["server_to_client"],
            "{ctx}: bytes down"
        );
        facts += 4;
    }
    let in_tls: usize = protected.len();
    let tls_sessions: Vec<&Value> = protected.iter().map(|t| &t["session"]).collect();
    let unlinked_there = unlinked
        .iter()
        .filter(|u| tls_sessions.contains(&&u["session"]))
        .count();
    assert_eq!(
        unlinked_there, in_tls,
        "{name}: data connections of the TLS sessions"
    );
    facts + 1
}

/// Enabled once ftpflow infers the transfers of an encrypted session: one inferred transfer
/// per protected data connection, in order, on the same ports, opened by the same side.
fn check_inferred_tls_transfers(name: &str, inferred: &[&Value], protected: &[&Value]) -> usize {
    assert_eq!(
        inferred.len(),
        protected.len(),
        "{name}: inferred transfers"
    );
    for (gt, wt) in inferred.iter().zip(protected) {
        let ctx = format!(
            "{name} inferred transfer for {} {}",
            wt["index"], wt["command"]
        );
        let dc = &wt["data_connection"];
        assert_eq!(gt["data"]["opened_by"], dc["opened_by"], "{ctx}: opened by");
        assert_eq!(
            gt["data"]["client"]["port"], dc["client_port"],
            "{ctx}: client port"
        );
        assert_eq!(
            gt["data"]["server"]["port"], dc["server_port"],
            "{ctx}: server port"
        );
        assert_eq!(gt["mode"], wt["mode"], "{ctx}: mode");
    }
    inferred.len() * 4
}

fn truths_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut truths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("real-") && n.ends_with(".truth.json")
        })
        .collect();
    truths.sort();
    truths
}

#[test]
fn recordings_of_real_servers_and_clients_match_what_was_done() {
    let truths = truths_in(&root().join("samples"));
    assert!(
        truths.len() >= 2,
        "at least two real recordings are committed"
    );
    let facts: usize = truths.iter().map(|t| check_recording(t)).sum();
    eprintln!("{} recordings, {facts} facts", truths.len());
}

/// Recordings made just now by `scripts/real/record.py --all --out DIR` (scripts/test.sh
/// does this when it runs as root): `FTPFLOW_FRESH_RECORDINGS=DIR`.
#[test]
fn fresh_recordings_match_what_was_done() {
    let Some(dir) = std::env::var_os("FTPFLOW_FRESH_RECORDINGS") else {
        eprintln!("skipped: FTPFLOW_FRESH_RECORDINGS is not set (scripts/test.sh sets it as root)");
        return;
    };
    let truths = truths_in(Path::new(&dir));
    assert!(
        truths.len() >= 9,
        "every scenario was recorded into {}",
        Path::new(&dir).display()
    );
    let facts: usize = truths.iter().map(|t| check_recording(t)).sum();
    eprintln!("{} fresh recordings, {facts} facts", truths.len());
}
