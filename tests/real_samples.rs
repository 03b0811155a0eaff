//! Captures recorded from real servers and clients (`samples/real-*.pcap`, made by
//! `scripts/real/record.py`) checked against what the recording script did and verified:
//! every session's user, login result and commands with their reply codes, and every
//! transfer's command, argument, mode, setup, announced endpoint, direction, status, final
//! reply and byte count (sizes of the files on disk, checked with sha256 by the script).

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
        assert_eq!(g["user"], w["user"], "{ctx}: user");
        assert_eq!(g["login"], w["login"], "{ctx}: login");
        let cmds = g["commands"].as_array().unwrap();
        let want_cmds = w["commands"].as_array().unwrap();
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
    // Transfers are numbered across the recording; ftpflow numbers them per session.
    let mut per_session = vec![0usize; sessions.len() + 1];
    for wt in truth["transfers"].as_array().unwrap() {
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
    }
    let transfers: usize = sessions
        .iter()
        .map(|s| s["transfers"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        transfers,
        truth["transfers"].as_array().unwrap().len(),
        "{name}: number of transfers"
    );
    facts
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
        truths.len() >= 5,
        "every scenario was recorded into {}",
        Path::new(&dir).display()
    );
    let facts: usize = truths.iter().map(|t| check_recording(t)).sum();
    eprintln!("{} fresh recordings, {facts} facts", truths.len());
}
