//! The statistics (`stats` in the JSON document, `--stats`, `--format stats`) checked
//! against the sessions of the same document: every count is computed again here, from
//! the JSON report of each capture in `samples/`, by plain loops that share no code with
//! `src/stats`, and compared with what the tool printed. Also: `--stats` JSON Lines ends
//! with the same object as a last record, and `--stats` after the timeline or the table
//! is the `--format stats` section.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".pcap.gz")
        })
        .collect();
    v.sort();
    v
}

fn run(sample: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .arg("analyze")
        .args(args)
        .arg(sample)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ftpflow");
    assert_eq!(out.status.code(), Some(0), "{}", sample.display());
    String::from_utf8(out.stdout).unwrap()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// The address of an endpoint object (`{"ip": ..., "port": ...}`).
fn ip(endpoint: &Value) -> String {
    endpoint["ip"].as_str().unwrap().to_string()
}

/// Counts per key, as the list of `{key: k, count: n}` objects sorted like the tool
/// (count descending, then key).
fn counted(map: &BTreeMap<String, u64>, key: &str) -> Vec<Value> {
    let mut v: Vec<(&String, &u64)> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.into_iter()
        .map(|(k, n)| json!({ key: k, "count": n }))
        .collect()
}

/// Checks `doc["stats"]` against the sessions of `doc`; returns the facts compared.
fn check(name: &str, doc: &Value) -> usize {
    let st = &doc["stats"];
    let sessions = doc["sessions"].as_array().unwrap();
    let mut facts = 0;
    let mut eq = |what: &str, got: &Value, want: Value| {
        assert_eq!(got, &want, "{name}: {what}");
        facts += 1;
    };

    let login = |l: &str| sessions.iter().filter(|s| s["login"] == l).count();
    eq(
        "sessions.total",
        &st["sessions"]["total"],
        json!(sessions.len()),
    );
    eq(
        "login_success",
        &st["sessions"]["login_success"],
        json!(login("success")),
    );
    eq(
        "login_failed",
        &st["sessions"]["login_failed"],
        json!(login("failed")),
    );
    eq(
        "login_unknown",
        &st["sessions"]["login_unknown"],
        json!(login("unknown")),
    );
    let tls = sessions.iter().filter(|s| !s["tls"].is_null()).count();
    eq("tls", &st["sessions"]["tls"], json!(tls));

    // Replies: the greeting, replies before any command, and every command's replies.
    let mut codes: BTreeMap<u64, u64> = BTreeMap::new();
    let mut not_replies = 0u64;
    for s in sessions {
        let mut all: Vec<&Value> = Vec::new();
        if !s["greeting"].is_null() {
            all.push(&s["greeting"]);
        }
        if let Some(r) = s["replies_without_command"].as_array() {
            all.extend(r);
        }
        for c in s["commands"].as_array().unwrap() {
            all.extend(c["replies"].as_array().unwrap());
        }
        for r in all {
            match r["code"].as_u64() {
                Some(c) => *codes.entry(c).or_default() += 1,
                None => not_replies += 1,
            }
        }
    }
    let by_code: Vec<(u64, u64)> = st["replies"]["by_code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (u(&r["code"]), u(&r["count"])))
        .collect();
    eq(
        "by_code",
        &json!(by_code),
        json!(codes.iter().collect::<Vec<_>>()),
    );
    let mut classes: BTreeMap<String, u64> = BTreeMap::new();
    for (c, n) in &codes {
        *classes.entry(format!("{}xx", c / 100)).or_default() += n;
    }
    let by_class: Vec<(String, u64)> = st["replies"]["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["class"].as_str().unwrap().to_string(), u(&r["count"])))
        .collect();
    eq(
        "by_class",
        &json!(by_class),
        json!(classes.iter().collect::<Vec<_>>()),
    );
    eq(
        "replies.total",
        &st["replies"]["total"],
        json!(codes.values().sum::<u64>()),
    );
    eq(
        "not_replies",
        &st["replies"]["not_replies"],
        json!(not_replies),
    );

    // Commands by verb.
    let mut verbs: BTreeMap<String, u64> = BTreeMap::new();
    for s in sessions {
        for c in s["commands"].as_array().unwrap() {
            *verbs
                .entry(c["command"].as_str().unwrap().into())
                .or_default() += 1;
        }
    }
    eq(
        "by_verb",
        &st["commands"]["by_verb"],
        json!(counted(&verbs, "verb")),
    );
    eq(
        "commands.total",
        &st["commands"]["total"],
        json!(verbs.values().sum::<u64>()),
    );

    // Transfers.
    let transfers: Vec<(&Value, &Value)> = sessions
        .iter()
        .flat_map(|s| {
            s["transfers"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| (s, t))
        })
        .collect();
    let t = &st["transfers"];
    eq("transfers.total", &t["total"], json!(transfers.len()));
    let mode = |m: Value| transfers.iter().filter(|(_, t)| t["mode"] == m).count();
    eq(
        "by_mode",
        &t["by_mode"],
        json!({"active": mode(json!("active")), "passive": mode(json!("passive")), "unknown": mode(Value::Null)}),
    );
    let status = |x: &str| transfers.iter().filter(|(_, t)| t["status"] == x).count();
    eq(
        "by_status",
        &t["by_status"],
        json!({"complete": status("complete"), "aborted": status("aborted"), "failed": status("failed"), "incomplete": status("incomplete")}),
    );
    let mut setups: BTreeMap<String, u64> = BTreeMap::new();
    for (_, x) in &transfers {
        *setups
            .entry(x["setup"].as_str().unwrap_or("-").into())
            .or_default() += 1;
    }
    eq("by_setup", &t["by_setup"], json!(counted(&setups, "setup")));
    for dir in ["download", "upload", "listing"] {
        let of: Vec<_> = transfers
            .iter()
            .filter(|(_, t)| t["direction"] == dir)
            .collect();
        let bytes: u64 = of.iter().map(|(_, t)| u(&t["bytes"])).sum();
        eq(
            dir,
            &t["by_direction"][dir],
            json!({"count": of.len(), "bytes": bytes}),
        );
    }

    // Bytes per user (the session's last USER).
    let mut users: BTreeMap<Option<String>, [u64; 5]> = BTreeMap::new();
    for s in sessions {
        let e = users
            .entry(s["user"].as_str().map(String::from))
            .or_default();
        e[0] += 1;
        for x in s["transfers"].as_array().unwrap() {
            e[1] += 1;
            let i = match x["direction"].as_str().unwrap() {
                "download" => 2,
                "upload" => 3,
                _ => 4,
            };
            e[i] += u(&x["bytes"]);
        }
    }
    let listed = st["users"]["list"].as_array().unwrap();
    eq(
        "users.distinct",
        &st["users"]["distinct"],
        json!(users.len()),
    );
    eq(
        "users.len",
        &json!(listed.len()),
        json!(users.len().min(10)),
    );
    for row in listed {
        let e = users[&row["user"].as_str().map(String::from)];
        eq(
            "user row",
            row,
            json!({"user": row["user"], "sessions": e[0], "transfers": e[1], "bytes_downloaded": e[2], "bytes_uploaded": e[3], "listing_bytes": e[4]}),
        );
    }

    // Passive ports per server: the server ports of linked passive data connections.
    let mut ports: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (s, x) in &transfers {
        if x["mode"] == "passive" && !x["data"].is_null() {
            let port = u(&x["data"]["server"]["port"]);
            ports.entry(ip(&s["server"])).or_default().push(port);
        }
    }
    let pp = st["passive_ports"]["list"].as_array().unwrap();
    eq(
        "passive servers",
        &json!(pp.len()),
        json!(ports.len().min(10)),
    );
    for row in pp {
        let list = &ports[row["server"].as_str().unwrap()];
        let distinct: BTreeSet<u64> = list.iter().copied().collect();
        eq(
            "passive connections",
            &row["connections"],
            json!(list.len()),
        );
        eq(
            "passive distinct",
            &row["distinct_ports"],
            json!(distinct.len()),
        );
        eq("passive min", &row["min"], json!(distinct.first()));
        eq("passive max", &row["max"], json!(distinct.last()));
        eq("passive list", &row["ports"], json!(distinct));
    }

    // Hosts: sessions and transfer bytes per client and server address.
    for (side, key) in [("client", "clients"), ("server", "servers")] {
        let mut hosts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for s in sessions {
            let e = hosts.entry(ip(&s[side])).or_default();
            e.0 += 1;
            e.1 += s["transfers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| u(&x["bytes"]))
                .sum::<u64>();
        }
        for by in ["sessions", "bytes"] {
            let list = &st["hosts"][format!("{key}_by_{by}")];
            let rows = list["list"].as_array().unwrap();
            eq("hosts.distinct", &list["distinct"], json!(hosts.len()));
            eq("hosts.len", &json!(rows.len()), json!(hosts.len().min(10)));
            let mut prev = u64::MAX;
            for row in rows {
                let (n, b) = hosts[row["host"].as_str().unwrap()];
                eq(
                    "host row",
                    row,
                    json!({"host": row["host"], "sessions": n, "bytes": b}),
                );
                let score = if by == "sessions" { n } else { b };
                assert!(score <= prev, "{name}: {key} by {by} not busiest first");
                prev = score;
            }
        }
    }

    // Failed logins: refused attempts, per client address and per user tried.
    let mut by_client: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_user: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for s in sessions {
        for a in s["login_attempts"].as_array().unwrap() {
            if a["result"] == "failed" {
                *by_client.entry(ip(&s["client"])).or_default() += 1;
                *by_user
                    .entry(a["user"].as_str().map(String::from))
                    .or_default() += 1;
            }
        }
    }
    let f = &st["failed_logins"];
    eq(
        "failed total",
        &f["total"],
        json!(by_client.values().sum::<u64>()),
    );
    eq("failed sessions", &f["sessions"], json!(login("failed")));
    for row in f["by_client"]["list"].as_array().unwrap() {
        eq(
            "failed client",
            &row["count"],
            json!(by_client[row["client"].as_str().unwrap()]),
        );
    }
    eq(
        "failed clients",
        &f["by_client"]["distinct"],
        json!(by_client.len()),
    );
    for row in f["by_user"]["list"].as_array().unwrap() {
        let user = row["user"].as_str().map(String::from);
        eq("failed user", &row["count"], json!(by_user[&user]));
    }
    eq(
        "failed users",
        &f["by_user"]["distinct"],
        json!(by_user.len()),
    );

    // Unlinked data connections.
    let unlinked = doc["unlinked_data_connections"].as_array().unwrap();
    let bytes: u64 = unlinked
        .iter()
        .map(|x| u(&x["orig_to_resp"]["bytes"]) + u(&x["resp_to_orig"]["bytes"]))
        .sum();
    eq(
        "unlinked",
        &st["unlinked_data_connections"],
        json!({"count": unlinked.len(), "bytes": bytes}),
    );
    facts
}

#[test]
fn stats_agree_with_the_sessions_of_every_sample() {
    let samples = samples();
    assert!(samples.len() >= 10);
    let mut facts = 0;
    let mut failed_logins = 0;
    let mut passive = 0;
    for s in &samples {
        let doc: Value = serde_json::from_str(&run(s, &["--format", "json"])).unwrap();
        facts += check(&s.display().to_string(), &doc);
        failed_logins += u(&doc["stats"]["failed_logins"]["total"]);
        passive += doc["stats"]["passive_ports"]["list"]
            .as_array()
            .unwrap()
            .len();
    }
    // The samples exercise the parts that could otherwise be trivially empty.
    assert!(failed_logins > 0 && passive > 0);
    assert!(facts > 500, "{facts} facts");
}

#[test]
fn the_stats_record_and_section_are_the_same_statistics() {
    for name in [
        "seed001-active-ls-pwd-quit.pcap",
        "failed-data-connection.pcap",
    ] {
        let s = root().join("samples").join(name);
        let doc: Value = serde_json::from_str(&run(&s, &["--format", "json"])).unwrap();
        let jsonl = run(&s, &["--format", "jsonl", "--stats"]);
        let mut last: Value = serde_json::from_str(jsonl.lines().last().unwrap()).unwrap();
        assert_eq!(last["type"], "stats");
        last.as_object_mut().unwrap().remove("type");
        assert_eq!(last, doc["stats"], "{name}");
        // Without --stats, JSON Lines has no stats record.
        let plain = run(&s, &["--format", "jsonl"]);
        assert!(!plain.contains("\"type\":\"stats\""));

        let section = run(&s, &["--format", "stats"]);
        assert!(section.starts_with("Statistics\n"));
        for format in ["timeline", "table"] {
            let with = run(&s, &["--format", format, "--stats"]);
            let without = run(&s, &["--format", format]);
            assert_eq!(with, format!("{without}\n{section}"), "{name} {format}");
        }
    }
}
