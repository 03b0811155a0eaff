//! tcpdump habits on the committed samples: `-r`, `--session`/`--host`/`--user`, `-c`,
//! `-t`, `--write-session`, `-F`.
//!
//! Each filter is checked against the unfiltered run's JSON: what it should keep is
//! computed here from the full report (clients, servers, data endpoints, users), never
//! written down, so a filter that keeps too much or too little fails.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("filters");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(args)
        .output()
        .expect("run ftpflow")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&stdout(&run(args))).expect("JSON")
}

/// The samples the filters are tried on: several sessions, hosts, users, an unlinked one.
const SAMPLES: &[&str] = &[
    "seed003-vsftpd-stat-pasv-port.pcapng",
    "nat-pasv-rewritten.pcap.gz",
    "brute-force-logins.pcap",
    "real-vsftpd-nat-passive.pcap",
    "seed002-servu-passive-active-upload.pcapng",
    "failed-data-connection.pcap",
];

#[test]
fn the_samples_hold_what_the_filters_are_tried_on() {
    // Several sessions, several users, an unlinked connection: else the tests below
    // would prove less than they claim.
    let docs: Vec<Value> = SAMPLES
        .iter()
        .map(|n| json(&["analyze", "-F", "json", sample(n).to_str().unwrap()]))
        .collect();
    assert!(
        docs.iter()
            .any(|d| d["sessions"].as_array().unwrap().len() >= 4)
    );
    assert!(
        docs.iter()
            .any(|d| d["unlinked_data_connections"].as_array().unwrap().len() == 1)
    );
    let users: BTreeSet<String> = docs
        .iter()
        .flat_map(|d| d["sessions"].as_array().unwrap().iter().flat_map(users))
        .collect();
    assert!(users.len() >= 3, "{users:?}");
}

fn ids(doc: &Value) -> BTreeSet<u64> {
    doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect()
}

/// Every address a session touches: client, server, data connections, announced endpoints.
fn addresses(s: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |v: &Value| {
        if let Some(ip) = v["ip"].as_str() {
            out.insert(ip.to_string());
        }
    };
    add(&s["client"]);
    add(&s["server"]);
    for t in s["transfers"].as_array().unwrap() {
        add(&t["data"]["client"]);
        add(&t["data"]["server"]);
        add(&t["data_endpoint"]);
    }
    for c in s["commands"].as_array().unwrap() {
        add(&c["data_endpoint"]);
    }
    out
}

fn users(s: &Value) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = s["login_attempts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|a| a["user"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(u) = s["user"].as_str() {
        out.insert(u.to_string());
    }
    out
}

/// The same session in two reports: equal but for nothing (the filter changes no session).
fn session(doc: &Value, id: u64) -> &Value {
    doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

#[test]
fn host_keeps_exactly_the_sessions_that_touch_the_address() {
    for name in SAMPLES {
        let path = sample(name);
        let p = path.to_str().unwrap();
        let full = json(&["analyze", "-F", "json", p]);
        let all: BTreeSet<String> = full["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(addresses)
            .collect();
        assert!(!all.is_empty(), "{name}");
        for ip in &all {
            let want: BTreeSet<u64> = full["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| addresses(s).contains(ip))
                .map(|s| s["id"].as_u64().unwrap())
                .collect();
            let got = json(&["analyze", "-F", "json", "--host", ip, p]);
            assert_eq!(ids(&got), want, "{name} --host {ip}");
            for id in &want {
                assert_eq!(session(&got, *id), session(&full, *id), "{name} {id}");
            }
            let f = &got["capture"]["filter"];
            assert_eq!(f["sessions_kept"], want.len(), "{name} {ip}");
            assert_eq!(
                f["sessions_filtered_out"].as_u64().unwrap() + want.len() as u64,
                full["sessions"].as_array().unwrap().len() as u64,
                "{name} {ip}"
            );
            assert_eq!(f["hosts"][0], ip.as_str());
            // Unlinked connections go with their session, or with their own hosts.
            let unlinked = full["unlinked_data_connections"].as_array().unwrap();
            let kept_unlinked: Vec<&Value> = unlinked
                .iter()
                .filter(|u| {
                    u["session"].as_u64().is_some_and(|s| want.contains(&s))
                        || u["orig"]["ip"] == ip.as_str()
                        || u["resp"]["ip"] == ip.as_str()
                })
                .collect();
            let got_unlinked: Vec<&Value> = got["unlinked_data_connections"]
                .as_array()
                .unwrap()
                .iter()
                .collect();
            assert_eq!(got_unlinked, kept_unlinked, "{name} {ip}");
            assert_eq!(
                f["unlinked_filtered_out"].as_u64().unwrap() as usize,
                unlinked.len() - kept_unlinked.len()
            );
            // Statistics and advice count only the kept sessions.
            assert_eq!(got["stats"]["sessions"]["total"], want.len(), "{name} {ip}");
            let advised: u64 = got["advice"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["sessions"].as_u64().unwrap())
                .sum();
            assert!(advised <= want.len() as u64, "{name} {ip}");
        }
        // A block holding every address keeps everything; one holding none, nothing.
        let v4 = all.iter().all(|a| !a.contains(':'));
        let (every, none) = if v4 {
            ("0.0.0.0/0", "255.255.255.255/32")
        } else {
            ("::/0", "ff00::/8")
        };
        let got = json(&["analyze", "-F", "json", "--host", every, p]);
        assert_eq!(ids(&got), ids(&full), "{name} {every}");
        let got = json(&["analyze", "-F", "json", "--host", none, p]);
        assert!(ids(&got).is_empty(), "{name} {none}");
        assert_eq!(got["unlinked_data_connections"], serde_json::json!([]));
        assert_eq!(
            got["capture"]["filter"]["unlinked_filtered_out"],
            full["unlinked_data_connections"].as_array().unwrap().len()
        );
        assert_eq!(
            got["capture"]["ftp_sessions"], full["capture"]["ftp_sessions"],
            "the capture's own counters are the capture's"
        );
    }
}

#[test]
fn session_and_user_keep_what_they_name_and_combine_with_and() {
    for name in SAMPLES {
        let path = sample(name);
        let p = path.to_str().unwrap();
        let full = json(&["analyze", "-F", "json", p]);
        let sessions = full["sessions"].as_array().unwrap();
        let every: Vec<u64> = ids(&full).into_iter().collect();
        // One session, then every other one as a list.
        let odd: Vec<String> = every.iter().step_by(2).map(u64::to_string).collect();
        let got = json(&["analyze", "-F", "json", "--session", &odd.join(","), p]);
        let want: BTreeSet<u64> = every.iter().step_by(2).copied().collect();
        assert_eq!(ids(&got), want, "{name} --session {odd:?}");
        for id in &want {
            assert_eq!(session(&got, *id), session(&full, *id));
        }
        let last = every.last().unwrap().to_string();
        let got = json(&[
            "analyze",
            "-F",
            "json",
            "--session",
            "1",
            "--session",
            &last,
            p,
        ]);
        assert_eq!(
            ids(&got),
            BTreeSet::from([1, every[every.len() - 1]]),
            "{name}"
        );
        // Users.
        let names: BTreeSet<String> = sessions.iter().flat_map(users).collect();
        for user in &names {
            let want: BTreeSet<u64> = sessions
                .iter()
                .filter(|s| users(s).contains(user))
                .map(|s| s["id"].as_u64().unwrap())
                .collect();
            let got = json(&["analyze", "-F", "json", "--user", user, p]);
            assert_eq!(ids(&got), want, "{name} --user {user}");
            // --user and --session: both must match.
            let first = *want.iter().next().unwrap();
            let got = json(&[
                "analyze",
                "-F",
                "json",
                "--user",
                user,
                "--session",
                &first.to_string(),
                "--session",
                &(every.last().unwrap() + 1).to_string(),
                p,
            ]);
            assert_eq!(ids(&got), BTreeSet::from([first]), "{name} {user} {first}");
        }
        let got = json(&["analyze", "-F", "json", "--user", "no such user here", p]);
        assert!(ids(&got).is_empty());
    }
}

/// Every format shows the same kept sessions: the timeline's titles, the table's rows,
/// the JSON Lines session records, the statistics.
#[test]
fn every_format_is_filtered() {
    let path = sample("seed003-vsftpd-stat-pasv-port.pcapng");
    let p = path.to_str().unwrap();
    let full = json(&["analyze", "-F", "json", p]);
    let host = full["sessions"][0]["client"]["ip"].as_str().unwrap();
    let want: BTreeSet<u64> = full["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| addresses(s).contains(host))
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert!(want.len() < full["sessions"].as_array().unwrap().len());
    let left_out = full["sessions"].as_array().unwrap().len() - want.len();
    let args = |format: &'static str| vec!["analyze", "-F", format, "--host", host, p];

    let timeline = stdout(&run(&args("timeline")));
    let titles: BTreeSet<u64> = timeline
        .lines()
        .filter_map(|l| l.strip_prefix("━━ Session "))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(titles, want);
    let summary = format!(
        "filter --host {host}: {} FTP sessions kept, {left_out} left out",
        want.len()
    );
    assert!(timeline.contains(&summary), "{timeline}");

    let table = stdout(&run(&args("table")));
    assert!(table.contains(&summary), "{table}");
    let rows: BTreeSet<u64> = table
        .split("\nTransfers")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("│"))
        .filter_map(|l| l.split('┆').next()?.trim().parse().ok())
        .collect();
    assert_eq!(rows, want, "{table}");

    let jsonl = stdout(&run(&args("jsonl")));
    let records: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let in_records: BTreeSet<u64> = records
        .iter()
        .filter(|r| r["type"] == "session")
        .map(|r| r["session"].as_u64().unwrap())
        .collect();
    assert_eq!(in_records, want);
    // Steps of left-out sessions are dropped too.
    for r in &records {
        if let Some(s) = r["session"].as_u64() {
            assert!(want.contains(&s), "{r}");
        }
    }
    let capture = records.iter().find(|r| r["type"] == "capture").unwrap();
    assert_eq!(capture["filter"]["sessions_kept"], want.len());

    let stats = stdout(&run(&args("stats")));
    let line = format!("{} FTP session", want.len());
    assert!(stats.contains(&line), "{stats}");
    assert!(stats.contains(&summary), "{stats}");
}

/// The capture's password-guessing runs follow the filter.
#[test]
fn brute_force_runs_follow_the_filter() {
    let path = sample("brute-force-logins.pcap");
    let p = path.to_str().unwrap();
    let full = json(&["analyze", "-F", "json", p]);
    let runs = full["capture"]["brute_force"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run0 = &runs[0];
    let client = run0["client"].as_str().unwrap();
    let first = run0["first_session"].as_u64().unwrap();
    let got = json(&["analyze", "-F", "json", "--host", client, p]);
    assert_eq!(
        got["capture"]["brute_force"],
        full["capture"]["brute_force"]
    );
    let got = json(&["analyze", "-F", "json", "--host", "192.0.2.99", p]);
    assert!(got["capture"].get("brute_force").is_none());
    let got = json(&["analyze", "-F", "json", "--session", &first.to_string(), p]);
    assert_eq!(
        got["capture"]["brute_force"],
        full["capture"]["brute_force"]
    );
    let other = if first == 1 { 2 } else { 1 };
    let got = json(&["analyze", "-F", "json", "--session", &other.to_string(), p]);
    assert!(got["capture"].get("brute_force").is_none());
    let user = run0["users"][0].as_str().unwrap();
    let got = json(&["analyze", "-F", "json", "--user", user, p]);
    assert_eq!(
        got["capture"]["brute_force"],
        full["capture"]["brute_force"]
    );
}

#[test]
fn bad_filters_are_refused_with_exit_2() {
    let path = sample("seed001-active-ls-pwd-quit.pcap");
    let p = path.to_str().unwrap();
    for args in [
        &["--host", "10.0.0"][..],
        &["--host", "10.0.0.0/33"],
        &["--session", "0"],
        &["--session", "x"],
        &["-t", "q"],
        &["-c", "0"],
    ] {
        let mut all = vec!["analyze"];
        all.extend_from_slice(args);
        all.push(p);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
}

#[test]
fn dash_r_reads_files_like_the_positional_arguments() {
    let a = sample("seed001-active-ls-pwd-quit.pcap");
    let b = sample("failed-data-connection.pcap");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let positional = stdout(&run(&["analyze", "-F", "jsonl", a, b]));
    assert_eq!(
        stdout(&run(&["analyze", "-F", "jsonl", "-r", a, "-r", b])),
        positional
    );
    assert_eq!(
        stdout(&run(&["analyze", "-F", "jsonl", "-r", a, b])),
        positional
    );
    assert_eq!(
        stdout(&run(&["analyze", "-F", "jsonl", "--read", a, b])),
        positional
    );
    // -f stays the format, as before.
    assert_eq!(stdout(&run(&["analyze", "-f", "jsonl", a, b])), positional);
    // -r - is stdin.
    let o = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "-F", "json", "-r", "-"])
        .stdin(std::fs::File::open(a).unwrap())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    // Nothing to read at all: bad arguments.
    assert_eq!(run(&["analyze"]).status.code(), Some(2));
}

/// The records of a little-endian microsecond pcap: (offset, length) of each.
fn pcap_records(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        out.push((at, 16 + caplen));
        at += 16 + caplen;
    }
    out
}

/// `-c N` analyses exactly what a file of the first N packets gives (tcpdump -c), exits
/// 0 and says it stopped; a count past the end changes nothing.
#[test]
fn count_reads_the_first_packets_only() {
    let path = sample("seed001-active-ls-pwd-quit.pcap");
    let bytes = std::fs::read(&path).unwrap();
    let records = pcap_records(&bytes);
    assert!(records.len() > 30);
    let p = path.to_str().unwrap();
    for n in [1usize, 5, 17, 29] {
        let (at, len) = records[n - 1];
        let cut = tmp(&format!("first-{n}.pcap"));
        std::fs::write(&cut, &bytes[..at + len]).unwrap();
        let want = json(&["analyze", "-F", "json", cut.to_str().unwrap()]);
        let got = json(&["analyze", "-F", "json", "-c", &n.to_string(), p]);
        assert_eq!(got["sessions"], want["sessions"], "-c {n}");
        assert_eq!(got["capture"]["packets"], n);
        assert_eq!(got["capture"]["stopped_at_count"], n);
        let text = stdout(&run(&["analyze", "-c", &n.to_string(), p]));
        assert!(
            text.contains(&format!("stopped after {n} packets (-c {n})")),
            "{text}"
        );
    }
    let all = records.len().to_string();
    let more = (records.len() + 1).to_string();
    let got = json(&["analyze", "-F", "json", "-c", &more, p]);
    assert_eq!(got["capture"]["packets"], records.len());
    assert!(got["capture"].get("stopped_at_count").is_none());
    let got = json(&["analyze", "-F", "json", "-c", &all, p]);
    assert_eq!(got["capture"]["stopped_at_count"], records.len());
    // The count runs over the files as one capture: the second file is not opened past it.
    let got = json(&["analyze", "-F", "json", "-c", "40", p, p]);
    assert_eq!(got["capture"]["packets"], 40);
    assert_eq!(got["capture"]["files"][1]["packets"], 40 - records.len());
    let got = json(&["analyze", "-F", "json", "-c", "10", p, p]);
    assert_eq!(got["capture"]["files"].as_array().unwrap().len(), 1);
    // From stdin, gzip and pcapng alike.
    let o = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "-F", "json", "-c", "5", "-"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(got["capture"]["packets"], 5);
    for name in [
        "nat-pasv-rewritten.pcap.gz",
        "seed002-servu-passive-active-upload.pcapng",
    ] {
        let f = sample(name);
        let got = json(&["analyze", "-F", "json", "-c", "7", f.to_str().unwrap()]);
        assert_eq!(got["capture"]["packets"], 7, "{name}");
        assert_eq!(got["capture"]["stopped_at_count"], 7, "{name}");
    }
}

/// The numbered steps' (session, time column, frame) of a timeline.
fn step_times(text: &str) -> Vec<(u64, String, u64)> {
    let mut session = 0;
    text.lines()
        .filter_map(|l| {
            if let Some(rest) = l.strip_prefix("━━ Session ") {
                session = rest.split(' ').next()?.parse().ok()?;
                return None;
            }
            let cut = l.find("  control").or_else(|| l.find("  data #"))?;
            let head = l[..cut].trim_end();
            let (rest, frame) = head.rsplit_once(' ')?;
            let (num, time) = rest.trim_start().split_once(' ')?;
            num.parse::<u64>().ok()?;
            Some((session, time.trim().to_string(), frame.parse().ok()?))
        })
        .collect()
}

/// Seconds since the epoch of `YYYY-MM-DD HH:MM:SS.ffffff` (UTC).
fn epoch_of(date_time: &str) -> f64 {
    let (date, time) = date_time.split_once(' ').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400) as f64 + time_of_day(time)
}

fn time_of_day(t: &str) -> f64 {
    let p: Vec<f64> = t.split(':').map(|x| x.parse().unwrap()).collect();
    p[0] * 3600.0 + p[1] * 60.0 + p[2]
}

#[test]
fn time_formats_tell_the_same_instants() {
    let path = sample("seed003-vsftpd-stat-pasv-port.pcapng");
    let p = path.to_str().unwrap();
    let full = json(&["analyze", "-F", "json", p]);
    let first = full["capture"]["first_ts"].as_str().unwrap();
    let t0 = epoch_of(&first[..26].replace('T', " "));
    let rel = step_times(&stdout(&run(&["analyze", p])));
    assert!(rel.len() > 20);
    let same_default = step_times(&stdout(&run(&["analyze", "-t", "r", p])));
    assert_eq!(same_default, rel);
    let e = step_times(&stdout(&run(&["analyze", "-t", "e", p])));
    let ad = step_times(&stdout(&run(&["analyze", "-t", "ad", p])));
    let a = step_times(&stdout(&run(&["analyze", "-t", "a", p])));
    let dd_text = stdout(&run(&["analyze", "-t", "dd", p]));
    assert!(dd_text.contains("seconds since the session's previous step"));
    let dd = step_times(&dd_text);
    for list in [&e, &ad, &a, &dd] {
        assert_eq!(list.len(), rel.len());
    }
    // dd restarts at each session: its running sum within a session is the relative
    // time minus the session's first step's.
    let (mut session, mut session_start, mut sum) = (0, 0.0, 0.0);
    for i in 0..rel.len() {
        let r: f64 = rel[i].1.parse().unwrap();
        assert_eq!((e[i].0, e[i].2), (rel[i].0, rel[i].2));
        let epoch: f64 = e[i].1.parse().unwrap();
        assert!(
            (epoch - (t0 + r)).abs() < 2e-6,
            "{} vs {}",
            e[i].1,
            rel[i].1
        );
        assert!((epoch_of(&ad[i].1) - epoch).abs() < 2e-6, "{}", ad[i].1);
        assert!((time_of_day(&a[i].1) - epoch.rem_euclid(86_400.0)).abs() < 2e-6);
        let d: f64 = dd[i].1.parse().unwrap();
        if rel[i].0 != session {
            assert_eq!(d, 0.0, "a session's first step");
            (session, session_start, sum) = (rel[i].0, r, 0.0);
        }
        sum += d;
        assert!(
            (sum - (r - session_start)).abs() < 1e-5,
            "step {i}: {d} {r}"
        );
    }
    // JSON keeps its timestamps whatever -t says.
    assert_eq!(json(&["analyze", "-F", "json", "-t", "e", p]), full);
}

/// The verbs, arguments, transfer bytes and user of a session.
fn gist(s: &Value) -> Value {
    serde_json::json!({
        "user": s["user"],
        "login": s["login"],
        "commands": s["commands"].as_array().unwrap().iter()
            .map(|c| (c["command"].clone(), c["arg"].clone(), c["reply_code"].clone()))
            .collect::<Vec<_>>(),
        "transfers": s["transfers"].as_array().unwrap().iter()
            .map(|t| (t["command"].clone(), t["bytes"].clone(), t["status"].clone(),
                      t["data"]["client"].clone(), t["data"]["server"].clone()))
            .collect::<Vec<_>>(),
        "client": s["client"],
        "server": s["server"],
    })
}

#[test]
fn write_session_gives_a_pcap_of_that_session_alone() {
    for name in SAMPLES {
        let path = sample(name);
        let p = path.to_str().unwrap();
        let full = json(&["analyze", "-F", "json", p]);
        for id in ids(&full) {
            let out = tmp(&format!("{name}-{id}.pcap"));
            let _ = std::fs::remove_file(&out);
            let o = run(&[
                "analyze",
                "-F",
                "json",
                "--write-session",
                &id.to_string(),
                out.to_str().unwrap(),
                p,
            ]);
            let same: Value = serde_json::from_str(&stdout(&o)).unwrap();
            assert_eq!(same, full, "the report is unchanged");
            let alone = json(&["analyze", "-F", "json", out.to_str().unwrap()]);
            let sessions = alone["sessions"].as_array().unwrap();
            assert_eq!(sessions.len(), 1, "{name} session {id}");
            assert_eq!(
                gist(&sessions[0]),
                gist(session(&full, id)),
                "{name} session {id}"
            );
            if Command::new("tcpdump").arg("--version").output().is_ok() {
                let t = Command::new("tcpdump")
                    .args(["-nr", out.to_str().unwrap()])
                    .output()
                    .unwrap();
                assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
                let lines = String::from_utf8_lossy(&t.stdout).lines().count() as u64;
                assert_eq!(lines, alone["capture"]["packets"].as_u64().unwrap());
            }
        }
    }
}

/// tshark reads the written file too, and finds the same FTP commands.
#[test]
fn write_session_file_reads_in_tshark() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("skipped: tshark is not installed (scripts/setup.sh installs it)");
        return;
    }
    let path = sample("seed003-vsftpd-stat-pasv-port.pcapng");
    let out = tmp("tshark-3.pcap");
    let _ = std::fs::remove_file(&out);
    let o = out.to_str().unwrap();
    stdout(&run(&[
        "analyze",
        "-F",
        "json",
        "--write-session",
        "3",
        o,
        path.to_str().unwrap(),
    ]));
    let t = Command::new("tshark")
        .args([
            "-r",
            o,
            "-Y",
            "ftp.request",
            "-T",
            "fields",
            "-e",
            "ftp.request.command",
        ])
        .output()
        .unwrap();
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let verbs: Vec<String> = String::from_utf8_lossy(&t.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let alone = json(&["analyze", "-F", "json", o]);
    let want: Vec<String> = alone["sessions"][0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(verbs, want);
}

#[test]
fn write_session_refuses_what_it_cannot_do() {
    let path = sample("seed001-active-ls-pwd-quit.pcap");
    let p = path.to_str().unwrap();
    let out = tmp("refused.pcap");
    let _ = std::fs::remove_file(&out);
    let o = out.to_str().unwrap();
    // stdin cannot be read twice.
    let r = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--write-session", "1", o, "-"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("stdin"));
    // No such session: nothing written.
    let r = run(&["analyze", "--write-session", "7", o, p]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no session 7"));
    assert!(!out.exists());
    // Never over an input.
    let copy = tmp("input-copy.pcap");
    std::fs::copy(&path, &copy).unwrap();
    let c = copy.to_str().unwrap();
    let r = run(&["analyze", "--write-session", "1", c, c]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&path).unwrap());
}
