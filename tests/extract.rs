//! Files out of the capture (`--extract`): every sample's files are extracted and equal
//! what was sent (the recordings' truth gives their SHA-256; the generated samples' truth
//! their sizes), every written file matches its manifest line, hostile names stay inside
//! the directory (a planted symlink is never written through), impairments that lose
//! nothing (reordering, duplicates, retransmissions, TSO) change no hash, and without the
//! option nothing is hashed or written.

mod common;

use ftpflow::analyze::{Analyzer, Config};
use ftpflow::content::ContentConfig;
use ftpflow::model::Report;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn extract_cfg(dir: &Path) -> Config {
    Config::default().with_content(ContentConfig {
        extract_dir: Some(dir.to_path_buf()),
        listings: true,
    })
}

fn analyze_bytes(cfg: Config, bytes: &[u8]) -> Report {
    let mut a = Analyzer::new(cfg);
    a.read_named("capture", Box::new(bytes));
    a.finish().expect("no output error")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(dir: &Path) -> Vec<Value> {
    match std::fs::read_to_string(dir.join("manifest.jsonl")) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Every line's file exists, directly in `dir`, with the size and SHA-256 it states; no
/// temporary file is left; nothing else is there.
fn check_dir(dir: &Path, lines: &[Value]) {
    let mut expected: BTreeSet<String> = ["manifest.jsonl".to_string()].into();
    for m in lines {
        let name = m["file"].as_str().expect("file");
        assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
        let bytes = std::fs::read(dir.join(name)).expect("the file is there");
        assert_eq!(bytes.len() as u64, m["size"].as_u64().unwrap(), "{name}");
        assert_eq!(sha256(&bytes), m["sha256"].as_str().unwrap(), "{name}");
        assert_eq!(
            name.ends_with(".partial"),
            !m["complete"].as_bool().unwrap(),
            "{name}"
        );
        expected.insert(name.to_string());
    }
    let found: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    if lines.is_empty() {
        assert!(found.len() <= 1, "{found:?}");
    } else {
        assert_eq!(found, expected);
    }
}

/// Takes the first unused manifest line that satisfies `ok`.
fn take(lines: &[Value], used: &mut BTreeSet<usize>, ok: impl Fn(&Value) -> bool) -> bool {
    match (0..lines.len()).find(|i| !used.contains(i) && ok(&lines[*i])) {
        Some(i) => {
            used.insert(i);
            true
        }
        None => false,
    }
}

#[test]
fn every_sample_gives_the_files_that_were_sent() {
    let mut samples: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".pcap.gz")
        })
        .collect();
    samples.sort();
    assert!(samples.len() >= 20);
    let mut hashed = 0;
    let mut sized = 0;
    for capture in &samples {
        let stem = capture.file_name().unwrap().to_string_lossy().into_owned();
        let stem = stem.split(".pcap").next().unwrap().to_string();
        let truth: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join(format!("samples/{stem}.truth.json"))).unwrap(),
        )
        .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let bytes = std::fs::read(capture).unwrap();
        let bytes = if capture.to_string_lossy().ends_with(".gz") {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
                .unwrap();
            out
        } else {
            bytes
        };
        let report = analyze_bytes(extract_cfg(&dir), &bytes);
        let lines = manifest(&dir);
        check_dir(&dir, &lines);
        // The JSON tells the same names.
        let named: usize = report
            .sessions
            .iter()
            .flat_map(|s| &s.transfers)
            .filter(|t| t.content.as_ref().is_some_and(|c| c.extracted_as.is_some()))
            .count();
        assert_eq!(named, lines.len(), "{stem}");
        let mut used = BTreeSet::new();
        let same =
            |m: &Value, t: &Value| m["command"] == t["command"] && m["server_path"] == t["arg"];
        if let Some(transfers) = truth["transfers"].as_array() {
            // A recording: the files' SHA-256 are known.
            for t in transfers {
                let file_cmd =
                    ["RETR", "STOR", "APPE", "STOU"].contains(&t["command"].as_str().unwrap());
                if t["status"] != "complete" || t.get("protected").is_some_and(|p| p == true) {
                    continue;
                }
                let ok = if !file_cmd {
                    match t["bytes"].as_u64() {
                        Some(n) => take(&lines, &mut used, |m| same(m, t) && m["size"] == n),
                        None => take(&lines, &mut used, |m| same(m, t)),
                    }
                } else if t.get("rest").is_some_and(|r| !r.is_null()) {
                    // Only the tail after the offset was sent: its size is known, its hash not.
                    sized += 1;
                    take(&lines, &mut used, |m| {
                        same(m, t)
                            && m["size"] == t["bytes"]
                            && m["complete"] == true
                            && m["rest_offset"] == t["rest"]
                    })
                } else {
                    let want = t
                        .get("payload_sha256")
                        .or_else(|| t["file"].get("sha256"))
                        .and_then(Value::as_str)
                        .expect("a hash")
                        .to_string();
                    hashed += 1;
                    take(&lines, &mut used, |m| {
                        same(m, t) && m["sha256"] == want.as_str() && m["complete"] == true
                    })
                };
                assert!(ok, "{stem}: {t} not extracted; manifest: {lines:#?}");
            }
        } else {
            for s in truth["sessions"].as_array().unwrap() {
                for t in s["transfers"].as_array().unwrap() {
                    let n = t["bytes"].as_u64().unwrap_or(0);
                    if t["status"] != "complete" || n == 0 {
                        continue;
                    }
                    sized += 1;
                    let ok = take(&lines, &mut used, |m| {
                        same(m, t) && m["size"] == n && m["complete"] == true
                    });
                    assert!(ok, "{stem}: {t} not extracted; manifest: {lines:#?}");
                }
            }
        }
    }
    assert!(
        hashed >= 25 && sized >= 20,
        "{hashed} hashed, {sized} sized"
    );
}

/// A session that uploads and downloads files under hostile names.
fn hostile_capture(names: &[&str]) -> (Vec<u8>, Vec<Vec<u8>>) {
    use ftpflow_synth::ftp::{Cmd, FtpConfig, FtpSession, Reply, Who, Xfer};
    use ftpflow_synth::packet::Payload;
    use ftpflow_synth::tcp::CloseStyle;
    let mut contents = Vec::new();
    let capture = common::captures::synth_pcap(7, |net| {
        let mut s = FtpSession::connect(
            net,
            FtpConfig::new(
                "10.9.0.2:40000".parse().unwrap(),
                "10.9.0.1:21".parse().unwrap(),
            ),
        );
        s.reply(Reply::new(220, "ready"));
        s.exchange(Cmd::new("USER", Some("eve")), Reply::new(331, "password"));
        s.exchange(Cmd::new("PASS", Some("x")), Reply::new(230, "ok"));
        for (i, name) in names.iter().enumerate() {
            let verb = if i % 2 == 0 { "STOR" } else { "RETR" };
            let payload = Payload::pattern(1000 + i as u64 * 37, i as u64 + 1);
            let mut want = vec![0; payload.len() as usize];
            payload.fill(0, &mut want);
            contents.push(want);
            let chan = s.pasv(50000 + i as u16);
            s.transfer(Some(&chan), Xfer::new(Cmd::new(verb, Some(name)), payload));
        }
        s.exchange(Cmd::new("QUIT", None), Reply::new(221, "bye"));
        s.close(CloseStyle::FourWay, Who::Server);
    });
    (capture, contents)
}

#[test]
fn hostile_names_stay_inside_the_directory() {
    let long = "A".repeat(400) + ".txt";
    let names = [
        "../../etc/x",
        "/abs/x",
        "a\\..\\x",
        "x",
        "C:\\evil.bat",
        "CON",
        "com1.txt",
        "\u{1b}[31mred",
        "trail. . ",
        "..",
        "manifest.jsonl",
        long.as_str(),
        "planted",
    ];
    let (capture, contents) = hostile_capture(&names);
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let dir = tmp.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    // A symlink planted where a file will be named: never written through.
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.join("victim"), dir.join("planted")).unwrap();

    let report = analyze_bytes(extract_cfg(&dir), &capture);
    let transfers: Vec<_> = report.sessions.iter().flat_map(|s| &s.transfers).collect();
    assert_eq!(transfers.len(), names.len());
    let mut lines = manifest(&dir);
    check_dir_with_planted(&dir, &lines);
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "written outside"
    );
    #[cfg(unix)]
    assert!(
        std::fs::symlink_metadata(dir.join("planted"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    lines.sort_by_key(|m| m["transfer"].as_u64());
    let got: Vec<&str> = lines.iter().map(|m| m["file"].as_str().unwrap()).collect();
    let want_prefix = [
        "x",
        "x (2)",
        "x (3)",
        "x (4)",
        "evil.bat",
        "_CON",
        "_com1.txt",
        "_[31mred",
        "trail",
        "s1-RETR-10",
        "_manifest.jsonl",
    ];
    for (g, w) in got.iter().zip(want_prefix) {
        assert_eq!(*g, w);
    }
    assert!(
        got[11].len() <= 200 && got[11].ends_with(".txt"),
        "{}",
        got[11]
    );
    // The planted name is taken: the file gets the next one.
    #[cfg(unix)]
    assert_eq!(got[12], "planted (2)");
    for (m, want) in lines.iter().zip(&contents) {
        let bytes = std::fs::read(dir.join(m["file"].as_str().unwrap())).unwrap();
        assert_eq!(&bytes, want, "{m}");
    }
}

/// [`check_dir`], with the planted symlink also there.
fn check_dir_with_planted(dir: &Path, lines: &[Value]) {
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "planted" {
            std::fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
        }
    }
    check_dir(tmp.path(), lines);
}

#[cfg(unix)]
#[test]
fn a_planted_manifest_symlink_is_not_followed() {
    let (capture, _) = hostile_capture(&["f"]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let target = tmp.path().join("target");
    std::os::unix::fs::symlink(&target, dir.join("manifest.jsonl")).unwrap();
    let report = analyze_bytes(extract_cfg(&dir), &capture);
    assert!(!target.exists());
    assert!(
        report
            .capture
            .warnings
            .iter()
            .any(|w| w.contains("--extract")),
        "{:?}",
        report.capture.warnings
    );
    // Hashes are still given; nothing is written.
    let t = &report.sessions[0].transfers[0];
    assert!(t.content.as_ref().is_some_and(|c| c.extracted_as.is_none()));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn without_the_option_nothing_is_hashed_and_hashing_alone_writes_nothing() {
    let (capture, contents) = hostile_capture(&["a.bin", "b.bin"]);
    let off = analyze_bytes(Config::default(), &capture);
    assert!(
        off.sessions[0]
            .transfers
            .iter()
            .all(|t| t.content.is_none())
    );
    let json = serde_json::to_string(&off).unwrap();
    assert!(!json.contains("\"content\""));
    let on = analyze_bytes(
        Config::default().with_content(ContentConfig::default()),
        &capture,
    );
    for (t, want) in on.sessions[0].transfers.iter().zip(&contents) {
        let c = t.content.as_ref().expect("content");
        assert_eq!(c.sha256, sha256(want));
        assert_eq!(c.size, want.len() as u64);
        assert!(c.extracted_as.is_none() && c.missing.is_empty());
    }
    // Everything else in the report is unchanged.
    let mut on_json = serde_json::to_value(&on).unwrap();
    for s in on_json["sessions"].as_array_mut().unwrap() {
        for t in s["transfers"].as_array_mut().unwrap() {
            t.as_object_mut().unwrap().remove("content");
        }
    }
    assert_eq!(on_json, serde_json::to_value(&off).unwrap());
}

/// Reordering, duplicates, retransmissions (overlapping too) and TSO lose no byte: every
/// transfer's hashes are those of the clean capture.
#[test]
fn impairments_that_lose_nothing_change_no_hash() {
    use ftpflow_synth::impair::Impairment;
    use ftpflow_synth::sink::PacketSink;
    let write = |trace: &ftpflow_synth::sink::Trace| {
        let mut w = ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default()).unwrap();
        for p in trace.iter() {
            w.push(p.clone());
        }
        w.into_inner().unwrap()
    };
    let hashes = |r: &Report| -> Vec<(u32, u32, String, u64)> {
        r.sessions
            .iter()
            .flat_map(|s| {
                s.transfers.iter().filter_map(move |t| {
                    let c = t.content.as_ref()?;
                    Some((s.id, t.id, c.sha256.clone(), c.size))
                })
            })
            .collect()
    };
    let hash_cfg = || Config::default().with_content(ContentConfig::default());
    let mut compared = 0;
    for seed in 1..=12u64 {
        let opts = ftpflow_synth::scenario::Options {
            sessions: 2,
            ..Default::default()
        };
        let (trace, truth) = ftpflow_synth::scenario::capture(seed, &opts);
        let clean = hashes(&analyze_bytes(hash_cfg(), &write(&trace)));
        let imps = [
            Impairment::Reorder {
                window: 4,
                percent: 20,
            },
            Impairment::Duplicate { percent: 10 },
            Impairment::Retransmit {
                percent: 10,
                overlap: seed % 2 == 0,
                alter: false,
            },
            Impairment::Tso { max_payload: 9000 },
        ];
        let imp = &imps[seed as usize % imps.len()];
        let (mut t2, mut truth2) = (trace.clone(), truth.clone());
        ftpflow_synth::impair::apply(&mut t2, &mut truth2, imp, seed);
        let impaired = hashes(&analyze_bytes(hash_cfg(), &write(&t2)));
        assert_eq!(clean, impaired, "seed {seed}, {imp:?}");
        compared += clean.len();
    }
    assert!(compared > 10, "only {compared} transfers compared");
}

/// Packets lost from the capture: each transfer's missing ranges add up to its missed
/// bytes, its size is the stream's, and its file is marked partial.
#[test]
fn lost_packets_are_missing_ranges_of_a_partial_file() {
    use ftpflow_synth::impair::{Impairment, Scope};
    use ftpflow_synth::sink::PacketSink;
    let mut with_holes = 0;
    for seed in 1..=8u64 {
        let opts = ftpflow_synth::scenario::Options {
            sessions: 2,
            ..Default::default()
        };
        let (mut trace, mut truth) = ftpflow_synth::scenario::capture(seed, &opts);
        let loss = Impairment::Loss {
            percent: 10,
            scope: Scope::Data,
        };
        ftpflow_synth::impair::apply(&mut trace, &mut truth, &loss, seed);
        let mut w = ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default()).unwrap();
        for p in trace.iter() {
            w.push(p.clone());
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let report = analyze_bytes(extract_cfg(&dir), &w.into_inner().unwrap());
        let lines = manifest(&dir);
        check_dir(&dir, &lines);
        for t in report.sessions.iter().flat_map(|s| &s.transfers) {
            let Some(c) = &t.content else { continue };
            let missing: u64 = c.missing.iter().map(|[a, b]| b - a).sum();
            let missed = t.missed_bytes.unwrap_or(0);
            assert_eq!(missing, missed, "seed {seed}, transfer {}: {c:?}", t.id);
            assert_eq!(c.size, t.bytes.unwrap_or(0) + missed, "seed {seed}");
            if missed > 0 {
                with_holes += 1;
                if let Some(name) = &c.extracted_as {
                    assert!(name.ends_with(".partial"), "{name}");
                }
            }
        }
    }
    assert!(with_holes > 3, "only {with_holes} transfers lost bytes");
}

/// The command line: `--extract DIR` writes the files and the timeline names them; JSON
/// transfers carry `content`; a directory that cannot be made is a bad argument (exit 2);
/// `--extract-listings` needs `--extract`.
#[test]
fn the_command_line_extracts_and_says_so() {
    let bin = env!("CARGO_BIN_EXE_ftpflow");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("files");
    let sample = root().join("samples/abort-rest-stou.pcap");
    let out = std::process::Command::new(bin)
        .args(["analyze", "--color", "never", "--extract"])
        .arg(&dir)
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("extracted as disk.img"), "{text}");
    assert!(text.contains("extracted as big.iso.partial"), "{text}");
    assert_eq!(manifest(&dir).len(), 3);

    let json_dir = tmp.path().join("json");
    let out = std::process::Command::new(bin)
        .args(["analyze", "--format", "json", "--extract"])
        .arg(&json_dir)
        .arg(&sample)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["sessions"][0]["transfers"][0]["content"];
    assert_eq!(c["extracted_as"], "disk.img");
    assert_eq!(c["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(c["missing"], serde_json::json!([]));

    let bad = std::process::Command::new(bin)
        .args(["analyze", "--extract", "/dev/null/x"])
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let alone = std::process::Command::new(bin)
        .args(["analyze", "--extract-listings"])
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(alone.status.code(), Some(2));
}

/// A data connection seen before the announcement that explains it (the 227 moved behind
/// the data connection's first bytes): it is linked late, and its content is whole from
/// its first byte.
#[test]
fn a_connection_linked_late_keeps_its_first_bytes() {
    use ftpflow_synth::ftp::{Cmd, FtpConfig, FtpSession, Reply, SynAt, Who, Xfer};
    use ftpflow_synth::packet::Payload;
    use ftpflow_synth::sink::{PacketSink, Trace};
    use ftpflow_synth::tcp::CloseStyle;
    let mut trace = Trace::new();
    let payload = Payload::pattern(20_000, 9);
    {
        let mut net = ftpflow_synth::net::Net::new(&mut trace, 1_700_000_000_000_000_000, 3);
        let mut s = FtpSession::connect(
            &mut net,
            FtpConfig::new(
                "10.9.0.2:40000".parse().unwrap(),
                "10.9.0.1:21".parse().unwrap(),
            ),
        );
        s.reply(Reply::new(220, "ready"));
        s.exchange(Cmd::new("USER", Some("u")), Reply::new(230, "ok"));
        let chan = s.pasv(50100);
        s.transfer(
            Some(&chan),
            Xfer::new(Cmd::new("RETR", Some("late.bin")), payload.clone())
                .syn_at(SynAt::BeforeCommand),
        );
        s.exchange(Cmd::new("QUIT", None), Reply::new(221, "bye"));
        s.close(CloseStyle::FourWay, Who::Server);
        net.finish();
    }
    let is_227 = |p: &ftpflow_synth::packet::Packet| {
        p.data[p.meta.payload_off as usize..].starts_with(b"227")
    };
    let at = trace.iter().position(is_227).expect("a 227");
    let first_data = trace
        .iter()
        .position(|p| p.meta.payload_len > 1000)
        .expect("data");
    assert!(first_data > at);
    let moved = trace.remove(at);
    trace.insert(first_data, moved);
    let mut w = ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default()).unwrap();
    for p in trace {
        w.push(p);
    }
    let report = analyze_bytes(
        Config::default().with_content(ContentConfig::default()),
        &w.into_inner().unwrap(),
    );
    let t = &report.sessions[0].transfers[0];
    assert!(t.data.is_some(), "linked");
    let mut want = vec![0; 20_000];
    payload.fill(0, &mut want);
    let c = t.content.as_ref().expect("content");
    assert_eq!(
        (c.size, c.sha256.as_str()),
        (20_000, sha256(&want).as_str())
    );
}
