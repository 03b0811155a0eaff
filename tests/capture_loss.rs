//! A long FTP session whose capture lost a few percent of the control connection's packets
//! in both directions (`ftpflow-synth capture-loss`): replies must stay with their own
//! commands.
//!
//! The hosts got every byte (nothing is retransmitted; later ACKs cover the holes), so the
//! analyzer sees replies whose command line is missing and command lines whose reply is
//! missing. The generator's truth gives, per command, whether the capture holds its line
//! and each reply and the frame of each (1-based, as Wireshark counts). Required here, over
//! several seeds:
//!
//! * every command line the capture holds is reported, with its own frame, verb and
//!   argument, and no command is reported that the capture does not hold (outside records
//!   marked `inferred`);
//! * when its final reply is in the capture, `reply_code` is exactly that reply's code and
//!   the reply (same frame) is among its `replies`; when it is not, `reply_code` is null;
//!   a command never carries a reply that answered another command;
//! * a command whose line was lost but some of whose replies were captured is reported as
//!   a record with `"inferred": true` at the frame of its first captured reply, with the
//!   same reply rules; a 227/228/229 makes it PASV/LPSV/EPSV (other verbs, 150/125 ones
//!   included, are not checked: many commands share those codes);
//! * the records are in wire order (frames strictly increasing).
//!
//! Failure messages name the truth's command index, verb, frames and replies and what
//! ftpflow reported instead. Replay a seed by hand with
//! `cargo run -p ftpflow-synth -- capture-loss --seed N --out DIR` and
//! `ftpflow analyze DIR/capture-loss-N.pcap`.

use ftpflow::analyze::{Analyzer, Config};
use ftpflow_synth::pcap::{PcapOptions, PcapWriter};
use ftpflow_synth::scenario::capture_loss::{self, Options};
use ftpflow_synth::sink::{PacketSink, Trace};
use ftpflow_synth::truth::{CommandTruth, SessionTruth, Truth};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Seeds of the full-size (400-transfer) capture.
const SEEDS: [u64; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/// Problems listed per seed before the rest are only counted.
const SHOWN: usize = 40;

/// Writes the trace as a pcap in memory and analyses it as the CLI would.
fn analyze(trace: &Trace) -> Value {
    let opts = PcapOptions {
        nanos: true,
        ..PcapOptions::default()
    };
    let mut w = PcapWriter::new(Vec::new(), opts).expect("pcap header");
    for p in trace.iter() {
        w.push(p.clone());
    }
    let bytes = w.into_inner().expect("pcap bytes");
    let mut a = Analyzer::new(Config::default().with_ftp_ports(&[21]).show_passwords());
    a.read_named("capture-loss", Box::new(std::io::Cursor::new(bytes)));
    serde_json::to_value(a.finish().expect("no live output")).expect("report serializes")
}

fn endpoint(v: &Value) -> String {
    let ip = v["ip"].as_str().unwrap_or("?");
    let port = v["port"].as_u64().unwrap_or(0);
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

fn code_text(c: Option<u16>) -> String {
    c.map_or("null".into(), |c| c.to_string())
}

/// One command as the truth has it: `#12 PASV (line frame 40; replies 227@41)`.
fn describe(i: usize, c: &CommandTruth) -> String {
    let arg = c
        .arg
        .as_deref()
        .map(|a| format!(" {a}"))
        .unwrap_or_default();
    let line = c.frame.map_or("line not captured".to_string(), |f| {
        format!("line frame {f}")
    });
    let replies: Vec<String> = c
        .reply_codes
        .iter()
        .zip(&c.reply_frames)
        .map(|(code, f)| {
            let at = f.map_or("lost".to_string(), |f| f.to_string());
            format!("{}@{at}", code_text(*code))
        })
        .collect();
    format!(
        "#{i} {}{arg} ({line}; replies {})",
        c.command,
        if replies.is_empty() {
            "none".to_string()
        } else {
            replies.join(", ")
        }
    )
}

/// One ftpflow command record: `[7] PASV at frame 40, reply_code 227, replies 227@41`.
fn describe_got(k: usize, g: &Value) -> String {
    let replies: Vec<String> = g["replies"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| format!("{}@{}", r["code"], r["frame"]))
                .collect()
        })
        .unwrap_or_default();
    let arg = g["arg"]
        .as_str()
        .map(|a| format!(" {a}"))
        .unwrap_or_default();
    format!(
        "[{k}]{} {}{arg} at frame {}, reply_code {}, replies [{}]",
        if g["inferred"] == true {
            " inferred"
        } else {
            ""
        },
        g["command"].as_str().unwrap_or("?"),
        g["frame"],
        g["reply_code"],
        replies.join(", ")
    )
}

/// The truth's replies of one session, by frame: (command index, code).
fn reply_owners(ws: &SessionTruth) -> HashMap<u64, (usize, Option<u16>)> {
    let mut m = HashMap::new();
    for (i, c) in ws.commands.iter().enumerate() {
        for (code, f) in c.reply_codes.iter().zip(&c.reply_frames) {
            if let Some(f) = f {
                m.insert(*f, (i, *code));
            }
        }
    }
    m
}

/// The final reply of a command and its frame when captured (`None` frame: lost).
fn final_reply(c: &CommandTruth) -> Option<(Option<u16>, Option<u64>)> {
    c.reply_codes
        .iter()
        .zip(&c.reply_frames)
        .find(|(code, _)| code.is_none_or(|x| x >= 200))
        .map(|(code, f)| (*code, *f))
}

/// Checks the replies ftpflow gives record `g` (truth command `i`).
fn check_replies(
    errors: &mut Vec<String>,
    ws: &SessionTruth,
    owners: &HashMap<u64, (usize, Option<u16>)>,
    i: usize,
    k: usize,
    g: &Value,
) {
    let c = &ws.commands[i];
    let who = format!(
        "command {} reported as {}",
        describe(i, c),
        describe_got(k, g)
    );
    let got_code = g["reply_code"].as_u64().map(|x| x as u16);
    match final_reply(c) {
        Some((code, Some(f))) => {
            if got_code != code {
                errors.push(format!(
                    "{who}: reply_code {} but its final reply {} (frame {f}) is in the capture",
                    code_text(got_code),
                    code_text(code)
                ));
            }
            let has = g["replies"].as_array().is_some_and(|rs| {
                rs.iter().any(|r| {
                    r["frame"].as_u64() == Some(f) && r["code"].as_u64() == code.map(u64::from)
                })
            });
            if !has {
                errors.push(format!(
                    "{who}: its final reply {} at frame {f} is not among its replies",
                    code_text(code)
                ));
            }
        }
        _ => {
            if got_code.is_some() {
                errors.push(format!(
                    "{who}: reply_code {} but its final reply is not in the capture (expected null)",
                    code_text(got_code)
                ));
            }
        }
    }
    for r in g["replies"].as_array().into_iter().flatten() {
        let frame = r["frame"].as_u64().unwrap_or(0);
        let code = r["code"].as_u64().map(|x| x as u16);
        match owners.get(&frame) {
            Some(&(owner, want)) if owner == i && want == code => {}
            Some(&(owner, want)) if owner == i => errors.push(format!(
                "{who}: its reply at frame {frame} has code {} (truth {})",
                code_text(code),
                code_text(want)
            )),
            Some(&(owner, _)) => errors.push(format!(
                "{who}: carries reply {} at frame {frame}, which answered command {}",
                code_text(code),
                describe(owner, &ws.commands[owner])
            )),
            None => errors.push(format!(
                "{who}: carries reply {} at frame {frame}, where the truth has no reply",
                code_text(code)
            )),
        }
    }
}

/// What ftpflow did with the reply at `frame`: the record holding it, if any.
fn holder_of(cmds: &[Value], frame: u64) -> String {
    for (k, g) in cmds.iter().enumerate() {
        let holds = g["replies"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(|r| r["frame"].as_u64() == Some(frame)));
        if holds {
            return format!("ftpflow put it on {}", describe_got(k, g));
        }
    }
    "ftpflow reports no reply at that frame".to_string()
}

/// Every problem with ftpflow's report of one capture.
fn check(got: &Value, truth: &Truth) -> Vec<String> {
    let mut errors = Vec::new();
    let ws = &truth.sessions[0];
    let Some(gs) = got["sessions"].as_array().and_then(|ss| {
        ss.iter()
            .find(|s| endpoint(&s["client"]) == ws.client && endpoint(&s["server"]) == ws.server)
    }) else {
        return vec![format!("no session {} -> {}", ws.client, ws.server)];
    };
    if let Some(f) = ws.greeting_frame {
        let g = &gs["greeting"];
        if g["frame"].as_u64() != Some(f) || g["code"].as_u64() != Some(220) {
            errors.push(format!(
                "greeting: truth 220 at frame {f}, ftpflow {} at frame {}",
                g["code"], g["frame"]
            ));
        }
    }
    let cmds = gs["commands"].as_array().cloned().unwrap_or_default();
    let owners = reply_owners(ws);
    let by_frame: HashMap<u64, usize> = ws
        .commands
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.frame.map(|f| (f, i)))
        .collect();
    // Lines lost, some reply captured: an inferred record at the first captured reply.
    let want_inferred: HashMap<u64, usize> = ws
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.line_captured)
        .filter_map(|(i, c)| c.reply_frames.iter().flatten().next().map(|&f| (f, i)))
        .collect();
    let mut reported = HashSet::new();
    let mut inferred = HashSet::new();
    let mut last_frame = 0;
    for (k, g) in cmds.iter().enumerate() {
        let frame = g["frame"].as_u64().unwrap_or(0);
        if frame <= last_frame {
            errors.push(format!(
                "{} comes after a record at frame {last_frame}: not in wire order",
                describe_got(k, g)
            ));
        }
        last_frame = last_frame.max(frame);
        if g["inferred"] == true {
            let Some(&i) = want_inferred.get(&frame) else {
                let there = match owners.get(&frame) {
                    Some(&(o, _)) => {
                        format!("the reply there answered {}", describe(o, &ws.commands[o]))
                    }
                    None => "the truth has no reply there".to_string(),
                };
                errors.push(format!(
                    "{}: no command was inferred at this frame ({there})",
                    describe_got(k, g)
                ));
                continue;
            };
            inferred.insert(i);
            let c = &ws.commands[i];
            let first = c
                .reply_codes
                .iter()
                .zip(&c.reply_frames)
                .find(|(_, f)| f.is_some())
                .and_then(|(code, _)| *code);
            let verb = match first {
                Some(227) => Some("PASV"),
                Some(228) => Some("LPSV"),
                Some(229) => Some("EPSV"),
                _ => None,
            };
            if let Some(v) = verb
                && g["command"].as_str() != Some(v)
            {
                errors.push(format!(
                    "command {} inferred as {}: a {} means {v}",
                    describe(i, c),
                    describe_got(k, g),
                    code_text(first)
                ));
            }
            check_replies(&mut errors, ws, &owners, i, k, g);
            continue;
        }
        let Some(&i) = by_frame.get(&frame) else {
            errors.push(format!(
                "{}: not sent (the capture holds no command line at frame {frame})",
                describe_got(k, g)
            ));
            continue;
        };
        let c = &ws.commands[i];
        if g["command"].as_str() != Some(c.command.as_str())
            || g["arg"].as_str() != c.arg.as_deref()
        {
            errors.push(format!(
                "command {} reported as {}: another command",
                describe(i, c),
                describe_got(k, g)
            ));
        }
        if !reported.insert(i) {
            errors.push(format!(
                "command {} reported twice (again as {})",
                describe(i, c),
                describe_got(k, g)
            ));
            continue;
        }
        check_replies(&mut errors, ws, &owners, i, k, g);
    }
    for (i, c) in ws.commands.iter().enumerate() {
        if c.line_captured && !reported.contains(&i) {
            errors.push(format!("command {}: not reported", describe(i, c)));
        }
    }
    let mut missing: Vec<(u64, usize)> = want_inferred
        .iter()
        .filter(|(_, i)| !inferred.contains(i))
        .map(|(&f, &i)| (f, i))
        .collect();
    missing.sort_unstable();
    for (f, i) in missing {
        errors.push(format!(
            "command {}: line lost, reply captured at frame {f}, but no inferred record there ({})",
            describe(i, &ws.commands[i]),
            holder_of(&cmds, f)
        ));
    }
    errors.extend(check_links(got, gs, truth));
    errors
}

/// Every data connection the capture holds is the data connection of the transfer that
/// used it (linked through its announcement, or by timing when the announcement was
/// lost), and no connection is listed as unlinked.
fn check_links(got: &Value, gs: &Value, truth: &Truth) -> Vec<String> {
    let mut errors = Vec::new();
    let ws = &truth.sessions[0];
    let transfers = gs["transfers"].as_array().cloned().unwrap_or_default();
    let linked: HashMap<(String, String), &Value> = transfers
        .iter()
        .filter(|t| t["data"].is_object())
        .map(|t| {
            let d = &t["data"];
            ((endpoint(&d["orig"]), endpoint(&d["resp"])), t)
        })
        .collect();
    // The transfer commands, in the order of the transfers they started.
    let transfer_commands: Vec<&CommandTruth> = ws
        .commands
        .iter()
        .filter(|c| {
            matches!(
                c.command.as_str(),
                "RETR" | "STOR" | "STOU" | "APPE" | "LIST" | "NLST" | "MLSD"
            )
        })
        .collect();
    for (k, t) in ws.transfers.iter().enumerate() {
        let Some(dc) = &t.data_conn else { continue };
        // A transfer whose command line and replies are all lost leaves no trace on the
        // control connection: its data connection can only be listed as unlinked.
        let traced = transfer_commands
            .get(k)
            .is_some_and(|c| c.line_captured || c.reply_frames.iter().any(Option::is_some));
        if !traced {
            continue;
        }
        let conn = &truth.connections[dc.conn as usize - 1];
        if conn.packets == 0 || (!conn.handshake_seen && conn.bytes_orig + conn.bytes_resp == 0) {
            continue;
        }
        match linked.get(&(dc.orig.clone(), dc.resp.clone())) {
            None => errors.push(format!(
                "transfer #{k} {} {}: its data connection {} -> {} is not linked to any transfer",
                t.command,
                t.arg.as_deref().unwrap_or(""),
                dc.orig,
                dc.resp
            )),
            Some(g) => {
                let inferred_or_same =
                    g["command"] == t.command.as_str()
                        || transfers.iter().any(|x| {
                            x["id"] == g["id"]
                                && gs["commands"][x["command_index"].as_u64().unwrap_or(0) as usize]
                                    ["inferred"]
                                    == true
                        });
                if !inferred_or_same {
                    errors.push(format!(
                        "transfer #{k} {}: its data connection {} -> {} is linked to {} {}",
                        t.command, dc.orig, dc.resp, g["command"], g["arg"]
                    ));
                }
            }
        }
    }
    let untraced = ws
        .transfers
        .iter()
        .enumerate()
        .filter(|(k, t)| {
            t.data_conn.is_some()
                && !transfer_commands
                    .get(*k)
                    .is_some_and(|c| c.line_captured || c.reply_frames.iter().any(Option::is_some))
        })
        .count();
    if let Some(u) = got["unlinked_data_connections"].as_array()
        && u.len() > untraced
    {
        errors.push(format!(
            "{} unlinked data connections, {untraced} of transfers the control connection shows nothing of",
            u.len()
        ));
    }
    errors
}

#[test]
fn replies_stay_with_their_commands_when_the_capture_loses_packets() {
    let mut failures = Vec::new();
    for seed in SEEDS {
        let (trace, truth) = capture_loss::generate(seed, &Options::default());
        let ws = &truth.sessions[0];
        let lost = ws.commands.iter().filter(|c| !c.line_captured).count();
        let lost_replies: usize = ws
            .commands
            .iter()
            .map(|c| c.reply_frames.iter().filter(|f| f.is_none()).count())
            .sum();
        let errors = check(&analyze(&trace), &truth);
        if errors.is_empty() {
            continue;
        }
        let mut msg = format!(
            "seed {seed} ({} commands, {lost} lines and {lost_replies} replies lost): {} problems",
            ws.commands.len(),
            errors.len()
        );
        for e in errors.iter().take(SHOWN) {
            msg.push_str("\n  ");
            msg.push_str(e);
        }
        if errors.len() > SHOWN {
            msg.push_str(&format!("\n  ... and {} more", errors.len() - SHOWN));
        }
        failures.push(msg);
    }
    assert!(
        failures.is_empty(),
        "{}\nreplay: cargo run -p ftpflow-synth -- capture-loss --seed N --out DIR",
        failures.join("\n")
    );
}

#[test]
fn a_clean_capture_of_the_same_session_is_reported_exactly() {
    // The same session without losses: the checks above must hold trivially, so a
    // failure here is not about loss at all.
    let opts = Options {
        control_loss: 0,
        data_loss: 0,
        ..Options::default()
    };
    let (trace, truth) = capture_loss::generate(1, &opts);
    let errors = check(&analyze(&trace), &truth);
    assert!(
        errors.is_empty(),
        "{} problems:\n  {}",
        errors.len(),
        errors
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}
