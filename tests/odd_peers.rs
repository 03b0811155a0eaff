//! Peers that break the rules, and a capture that starts mid-session
//! (`ftpflow-synth odd-peers`), through the `ftpflow` binary with default options.
//!
//! * midstream: no greeting; the `425` and `221` in the control connection's first captured
//!   segment are both reported, once each (on commands marked `inferred`, or in the
//!   session's list of replies without a command),
//!   no command is reported as sent; the download already running from port 20 is the
//!   session's unlinked data connection, with all its captured bytes;
//! * pipelining client (USER, PASS, SYST before the 220): the 220 is the greeting and
//!   answers nothing; USER gets 331, PASS 230, SYST 215;
//! * invalid reply lines (`230_no_space`, `SYST not supported`, `99 PASV invalid`): each
//!   is kept as a reply with `"code": null` on the oldest waiting command (PASS, SYST,
//!   PASV), whose `reply_code` is null, with a finding of kind `invalid_reply` at its frame;
//!   TYPE I and PWD keep their 200 and 257;
//! * bytes `00 10` glued in front of `530 Sorry, no access.`: PASS gets 530.
//!
//! Frames come from the generator's truth (1-based, as Wireshark counts).

mod common;

use ftpflow_synth::capfile;
use ftpflow_synth::scenario::odd_peers::{self, Case, MIDSTREAM_DATA_BYTES};
use ftpflow_synth::truth::{Role, SessionTruth, Truth};
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

const SEED: u64 = 1;

/// The truth and ftpflow's report of the capture (generated and analysed once).
fn run() -> &'static (Truth, Value) {
    static RUN: OnceLock<(Truth, Value)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("odd_peers");
        let (trace, truth) = odd_peers::generate(SEED);
        let stem = format!("odd-peers-{SEED}");
        let files = capfile::write_pair(&dir, &stem, &trace, &truth).expect("write capture");
        let report = common::analyze_json(&files[0]);
        (truth, report)
    })
}

fn truth_session(t: &Truth, case: Case) -> &SessionTruth {
    let (c, s) = (case.client().to_string(), case.server().to_string());
    t.sessions
        .iter()
        .find(|x| x.client == c && x.server == s)
        .expect("truth session")
}

/// ftpflow's session with the case's endpoints.
fn session(report: &Value, case: Case) -> &Value {
    let (c, s) = (case.client().to_string(), case.server().to_string());
    report["sessions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| {
            common::endpoint(&x["client"]).as_deref() == Some(c.as_str())
                && common::endpoint(&x["server"]).as_deref() == Some(s.as_str())
        })
        .unwrap_or_else(|| panic!("ftpflow reports no session {c} -> {s} ({case:?})"))
}

/// `VERB reply_code [code@frame, ...]` for each reported command (for failure messages).
fn summary(s: &Value) -> String {
    let rows: Vec<String> = s["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let replies: Vec<String> = c["replies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| format!("{}@{}", r["code"], r["frame"]))
                .collect();
            format!(
                "{}{} (frame {}) reply_code {} [{}]",
                c["command"].as_str().unwrap_or("?"),
                if c["inferred"] == true {
                    " inferred"
                } else {
                    ""
                },
                c["frame"],
                c["reply_code"],
                replies.join(", ")
            )
        })
        .collect();
    format!(
        "greeting {}@{}; commands: {}",
        s["greeting"]["code"],
        s["greeting"]["frame"],
        rows.join("; ")
    )
}

/// Compares every command of a session with the truth: verb, frame, `reply_code`, and each
/// reply's code and frame.
fn same_commands(case: Case) -> Vec<String> {
    let (truth, report) = run();
    let ws = truth_session(truth, case);
    let gs = session(report, case);
    let got: Vec<&Value> = gs["commands"].as_array().into_iter().flatten().collect();
    let mut errors = Vec::new();
    if got.len() != ws.commands.len() {
        errors.push(format!(
            "{} commands reported, {} sent",
            got.len(),
            ws.commands.len()
        ));
    }
    for (i, (w, g)) in ws.commands.iter().zip(&got).enumerate() {
        let ctx = format!("command {i} {}", w.command);
        if g["command"].as_str() != Some(w.command.as_str()) {
            errors.push(format!("{ctx}: reported as {}", g["command"]));
        }
        if g["frame"].as_u64() != w.frame {
            errors.push(format!("{ctx}: frame {}, truth {:?}", g["frame"], w.frame));
        }
        if g["reply_code"].as_u64() != w.reply_code.map(u64::from) {
            errors.push(format!(
                "{ctx}: reply_code {}, truth {:?}",
                g["reply_code"], w.reply_code
            ));
        }
        let replies: Vec<(Option<u64>, Option<u64>)> = g["replies"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| (r["code"].as_u64(), r["frame"].as_u64()))
            .collect();
        let want: Vec<(Option<u64>, Option<u64>)> = w
            .reply_codes
            .iter()
            .zip(&w.reply_frames)
            .map(|(c, f)| (c.map(u64::from), *f))
            .collect();
        if replies != want {
            errors.push(format!(
                "{ctx}: replies (code, frame) {replies:?}, truth {want:?}"
            ));
        }
    }
    if !errors.is_empty() {
        errors.push(format!("ftpflow: {}", summary(gs)));
    }
    errors
}

fn assert_none(case: Case, errors: Vec<String>) {
    assert!(
        errors.is_empty(),
        "{case:?} session, {} problems:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn one_session_per_case() {
    let (truth, report) = run();
    let n = report["sessions"].as_array().map_or(0, Vec::len);
    assert_eq!(
        n,
        truth.sessions.len(),
        "sessions reported: {:?}",
        report["sessions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| format!(
                "{} -> {}",
                common::endpoint(&s["client"]).unwrap_or_default(),
                common::endpoint(&s["server"]).unwrap_or_default()
            ))
            .collect::<Vec<_>>()
    );
}

#[test]
fn pipelined_commands_before_the_greeting_keep_their_replies() {
    let (truth, report) = run();
    let ws = truth_session(truth, Case::Pipelined);
    let gs = session(report, Case::Pipelined);
    let mut errors = Vec::new();
    let g = &gs["greeting"];
    if g["code"].as_u64() != Some(220) || g["frame"].as_u64() != ws.greeting_frame {
        errors.push(format!(
            "greeting: ftpflow {}@{}, truth 220@{:?}",
            g["code"], g["frame"], ws.greeting_frame
        ));
    }
    errors.extend(same_commands(Case::Pipelined));
    assert_none(Case::Pipelined, errors);
}

#[test]
fn invalid_reply_lines_answer_the_oldest_waiting_command() {
    let (truth, report) = run();
    let ws = truth_session(truth, Case::InvalidReplies);
    let gs = session(report, Case::InvalidReplies);
    let mut errors = same_commands(Case::InvalidReplies);
    // One `invalid_reply` finding per invalid line, at its frame.
    let invalid: Vec<(String, u64)> = ws
        .commands
        .iter()
        .flat_map(|c| {
            c.reply_codes
                .iter()
                .zip(&c.reply_frames)
                .filter(|(code, _)| code.is_none())
                .map(|(_, f)| (c.command.clone(), f.expect("captured")))
        })
        .collect();
    assert_eq!(invalid.len(), 3, "the truth has three invalid lines");
    let findings: Vec<&Value> = gs["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == "invalid_reply")
        .collect();
    for (cmd, frame) in &invalid {
        if !findings.iter().any(|f| f["frame"].as_u64() == Some(*frame)) {
            errors.push(format!(
                "no invalid_reply finding for the line answering {cmd} at frame {frame}"
            ));
        }
    }
    if findings.len() != invalid.len() {
        errors.push(format!(
            "{} invalid_reply findings, expected {}; all findings: {}",
            findings.len(),
            invalid.len(),
            gs["findings"]
        ));
    }
    assert_none(Case::InvalidReplies, errors);
}

#[test]
fn junk_before_a_reply_does_not_hide_it() {
    assert_none(Case::JunkBeforeReply, same_commands(Case::JunkBeforeReply));
}

/// Every reply of a session outside its greeting: the replies of its commands and those
/// of a session-level list of replies no command owns (`replies_without_command`, or
/// `unsolicited_replies`), whichever the report has.
fn replies_of(s: &Value) -> Vec<(String, &Value)> {
    let mut v = Vec::new();
    for c in s["commands"].as_array().into_iter().flatten() {
        let verb = c["command"].as_str().unwrap_or("?");
        let tag = if c["inferred"] == true {
            format!("inferred {verb}")
        } else {
            verb.to_string()
        };
        for r in c["replies"].as_array().into_iter().flatten() {
            v.push((format!("on {tag}"), r));
        }
    }
    for key in ["replies_without_command", "unsolicited_replies"] {
        for r in s[key].as_array().into_iter().flatten() {
            v.push((key.to_string(), r));
        }
    }
    v
}

#[test]
fn midstream_session_keeps_both_replies_and_its_running_download() {
    let (truth, report) = run();
    let ws = truth_session(truth, Case::Midstream);
    let gs = session(report, Case::Midstream);
    let mut errors = Vec::new();
    if !gs["greeting"].is_null() {
        errors.push(format!(
            "greeting {}: the session began before the capture, it has none",
            gs["greeting"]
        ));
    }
    for c in gs["commands"].as_array().into_iter().flatten() {
        if c["inferred"] != true {
            errors.push(format!(
                "command {} at frame {} reported as sent, but the capture holds no command",
                c["command"], c["frame"]
            ));
        }
    }
    let replies = replies_of(gs);
    for (code, frame) in ws.unsolicited_replies.iter().zip(&ws.unsolicited_frames) {
        let frame = frame.expect("captured");
        let hits: Vec<&(String, &Value)> = replies
            .iter()
            .filter(|(_, r)| r["code"].as_u64() == Some(*code as u64))
            .collect();
        let at_frame = hits
            .iter()
            .filter(|(_, r)| r["frame"].as_u64() == Some(frame))
            .count();
        if hits.len() != 1 || at_frame != 1 {
            errors.push(format!(
                "reply {code} (frame {frame}): expected once, found {:?}",
                hits.iter()
                    .map(|(w, r)| format!("{w} at frame {}", r["frame"]))
                    .collect::<Vec<_>>()
            ));
        }
    }
    // The download from port 20, already running when the capture began.
    let data = truth
        .connections
        .iter()
        .find(|c| c.role == Role::Data && c.session.is_some())
        .expect("truth: the running download");
    let unlinked: Vec<&Value> = report["unlinked_data_connections"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let ends = |u: &Value| {
        (
            common::endpoint(&u["orig"]).unwrap_or_default(),
            common::endpoint(&u["resp"]).unwrap_or_default(),
        )
    };
    let ours: Vec<&&Value> = unlinked
        .iter()
        .filter(|u| {
            let (o, r) = ends(u);
            (o == data.orig && r == data.resp) || (o == data.resp && r == data.orig)
        })
        .collect();
    match ours.as_slice() {
        [u] => {
            if u["session"] != gs["id"] {
                errors.push(format!(
                    "the running download is listed for session {}, expected {} (the midstream one)",
                    u["session"], gs["id"]
                ));
            }
            // Bytes from port 20, whichever side ftpflow took for the initiator.
            let (o, _) = ends(u);
            let dir = if o == data.orig {
                "orig_to_resp"
            } else {
                "resp_to_orig"
            };
            if u[dir]["bytes"].as_u64() != Some(MIDSTREAM_DATA_BYTES) {
                errors.push(format!(
                    "the running download carried {} bytes from {}, ftpflow counts {}",
                    MIDSTREAM_DATA_BYTES, data.orig, u[dir]["bytes"]
                ));
            }
        }
        _ => errors.push(format!(
            "expected the download {} -> {} once among the unlinked data connections, found {} (all unlinked: {:?})",
            data.orig,
            data.resp,
            ours.len(),
            unlinked.iter().map(|u| ends(u)).collect::<Vec<_>>()
        )),
    }
    if unlinked.len() != 1 || report["capture"]["unlinked_data_connections"] != 1 {
        errors.push(format!(
            "unlinked data connections: {} listed, counter {}; the truth has 1",
            unlinked.len(),
            report["capture"]["unlinked_data_connections"]
        ));
    }
    if !errors.is_empty() {
        errors.push(format!("ftpflow: {}", summary(gs)));
    }
    assert_none(Case::Midstream, errors);
}
