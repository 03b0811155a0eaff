//! FTP on ports other than 21, told apart from SMTP and HTTP (`ftpflow-synth ftp-anywhere`).
//!
//! The capture holds FTP control connections on 21, 2121, 443 and 8021 (each with a
//! passive and an active transfer; active data comes from the control port minus one),
//! SMTP on 25 (EHLO) and 587 (HELO), and HTTP on 8080 between the hosts of the 2121
//! session while it is open. Run through the `ftpflow` binary:
//!
//! * default options: exactly the four FTP sessions, each equal to the truth (commands,
//!   replies, transfers linked to the right data connections, bytes; see `tests/common`),
//!   none on 25, 587 or 8080, and no unlinked data connection;
//! * `--no-detect`: only the session on 21;
//! * `--no-detect --ftp-port 2121`: only the session on 2121.

mod common;

use ftpflow_synth::capfile;
use ftpflow_synth::scenario::ftp_anywhere::{self, FTP_PORTS, OTHER_PORTS};
use ftpflow_synth::truth::Truth;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SEED: u64 = 1;

/// The capture (written once per test binary) and its truth.
fn capture() -> &'static (PathBuf, Truth) {
    static CAPTURE: OnceLock<(PathBuf, Truth)> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ftp_anywhere");
        let (trace, truth) = ftp_anywhere::generate(SEED);
        let stem = format!("ftp-anywhere-{SEED}");
        let files = capfile::write_pair(&dir, &stem, &trace, &truth).expect("write capture");
        (files[0].clone(), truth)
    })
}

/// `ftpflow analyze --format json --show-passwords EXTRA... CAPTURE`.
fn analyze(extra: &[&str]) -> Value {
    let (path, _) = capture();
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json", "--show-passwords"])
        .args(extra)
        .arg(path)
        .output()
        .expect("run ftpflow");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "ftpflow analyze {extra:?} {} exited with {:?}: {}",
        path.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Server ports of the reported sessions, in report order.
fn session_ports(report: &Value) -> Vec<u64> {
    report["sessions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["server"]["port"].as_u64().unwrap_or(0))
        .collect()
}

/// The truth with only the session on `port` (for runs that should see only that one).
fn truth_for_port(truth: &Truth, port: u16) -> Value {
    let mut v = serde_json::to_value(truth).unwrap();
    let suffix = format!(":{port}");
    v["sessions"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["server"].as_str().is_some_and(|x| x.ends_with(&suffix)));
    v
}

/// Compares one run with (part of) the truth; capture-wide counters are left to the caller
/// when `whole` is false (connections of the sessions not analysed count differently).
fn compare(report: &Value, truth: &Value, whole: bool) -> Vec<String> {
    common::check_truth(report, truth)
        .errors
        .into_iter()
        .filter(|e| whole || !e.starts_with("capture:"))
        .collect()
}

#[test]
fn default_options_find_ftp_on_every_port_and_nothing_else() {
    let (_, truth) = capture();
    let report = analyze(&[]);
    let mut ports = session_ports(&report);
    ports.sort_unstable();
    let mut want: Vec<u64> = FTP_PORTS.iter().map(|&p| p as u64).collect();
    want.sort_unstable();
    let mut problems = Vec::new();
    if ports != want {
        problems.push(format!(
            "sessions on server ports {ports:?}, expected exactly {want:?}"
        ));
    }
    for p in OTHER_PORTS {
        if ports.contains(&(p as u64)) {
            problems.push(format!("a session on port {p}, which is not FTP"));
        }
    }
    let unlinked = &report["unlinked_data_connections"];
    if unlinked.as_array().is_none_or(|v| !v.is_empty()) {
        problems.push(format!("unlinked data connections: {unlinked}"));
    }
    let counter = &report["capture"]["unlinked_data_connections"];
    if counter != 0 {
        problems.push(format!("capture.unlinked_data_connections = {counter}"));
    }
    for s in report["sessions"].as_array().into_iter().flatten() {
        for t in s["transfers"].as_array().into_iter().flatten() {
            if t["data"].is_null() {
                problems.push(format!(
                    "session on port {}: transfer {} {} has no data connection",
                    s["server"]["port"], t["id"], t["command"]
                ));
            }
        }
    }
    let truth_json = serde_json::to_value(truth).unwrap();
    problems.extend(compare(&report, &truth_json, true));
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// With detection off, only the sessions on the given ports; each still equal to the truth.
fn only_port(extra: &[&str], port: u16) {
    let (_, truth) = capture();
    let report = analyze(extra);
    let ports = session_ports(&report);
    assert_eq!(
        ports,
        [port as u64],
        "ftpflow analyze {extra:?}: sessions on server ports {ports:?}, expected only {port}"
    );
    let errors = compare(&report, &truth_for_port(truth, port), false);
    assert!(
        errors.is_empty(),
        "ftpflow analyze {extra:?}: {} problems with the session on {port}:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn no_detect_keeps_only_port_21() {
    only_port(&["--no-detect"], 21);
}

#[test]
fn no_detect_with_ftp_port_2121_keeps_only_that_port() {
    only_port(&["--no-detect", "--ftp-port", "2121"], 2121);
}
