//! Golden tests: every capture in `samples/` analysed in every format (timeline, table,
//! JSON, JSON Lines), compared byte for byte with `tests/golden/<capture>.timeline.txt`,
//! `.table.txt`, `.json` and `.jsonl` (and `.stats.txt` for a few); and the timeline of the capture read from a pipe
//! (`analyze - < FILE`), which must be the file's timeline but for the input's name.
//!
//! After a deliberate change of the output, run `UPDATE_GOLDEN=1 cargo test --test golden`,
//! then READ the difference (`git diff tests/golden`) before committing it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .expect("samples/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".pcap.gz")
        })
        .collect();
    v.sort();
    v
}

/// The timeline of `sample` given on stdin.
fn analyze_piped(sample: &Path) -> String {
    let bytes = std::fs::read(sample).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--color", "never", "-"])
        // The fixed layout: no terminal width (COLUMNS would fit the text to it).
        .env_remove("COLUMNS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run ftpflow");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(&bytes).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", sample.display());
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn analyze(sample: &Path, args: &[&str]) -> String {
    let rel = sample.strip_prefix(root()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .current_dir(root())
        .arg("analyze")
        .args(args)
        .arg(rel)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("run ftpflow");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        rel.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn check(golden: &Path, got: &str, failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(golden, got).unwrap();
        return;
    }
    match std::fs::read_to_string(golden) {
        Ok(want) if want == got => {}
        Ok(want) => {
            let line = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(want.lines().count().min(got.lines().count()));
            failures.push(format!(
                "{} differs from line {}:\n  want: {}\n  got:  {}",
                golden.display(),
                line + 1,
                want.lines().nth(line).unwrap_or("<end>"),
                got.lines().nth(line).unwrap_or("<end>")
            ));
        }
        Err(_) => failures.push(format!("{} is missing", golden.display())),
    }
}

/// Captures whose `--format stats` output has a golden file.
const STATS_SAMPLES: &[&str] = &[
    "seed001-",
    "failed-data-connection.",
    "real-vsftpd-lftp-passive-active.",
];

#[test]
fn samples_match_golden_outputs() {
    let samples = samples();
    assert!(!samples.is_empty(), "samples/ holds captures");
    let mut failures = Vec::new();
    for s in &samples {
        let name = s.file_name().unwrap().to_string_lossy().into_owned();
        let dir = root().join("tests/golden");
        check(
            &dir.join(format!("{name}.timeline.txt")),
            &analyze(s, &["--color", "never"]),
            &mut failures,
        );
        check(
            &dir.join(format!("{name}.table.txt")),
            &analyze(s, &["--format", "table", "--color", "never"]),
            &mut failures,
        );
        check(
            &dir.join(format!("{name}.json")),
            &analyze(s, &["--format", "json"]),
            &mut failures,
        );
        check(
            &dir.join(format!("{name}.jsonl")),
            &analyze(s, &["--format", "jsonl"]),
            &mut failures,
        );
        // The statistics of a few captures: reply codes, verbs, transfers, hosts, logins.
        if STATS_SAMPLES.iter().any(|p| name.starts_with(p)) {
            check(
                &dir.join(format!("{name}.stats.txt")),
                &analyze(s, &["--format", "stats", "--color", "never"]),
                &mut failures,
            );
        }
        // Seed 004 (the firewall article): its advice also as iptables commands.
        if name.starts_with("seed004-") {
            check(
                &dir.join(format!("{name}.advice-iptables.txt")),
                &analyze(s, &["--color", "never", "--advice", "iptables"]),
                &mut failures,
            );
        }
        let rel = s
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let timeline = analyze(s, &["--color", "never"]);
        let piped = analyze_piped(s);
        if piped.replace("<stdin>", &rel) != timeline {
            failures.push(format!(
                "{name}: the timeline read from a pipe differs from the file's"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended: UPDATE_GOLDEN=1 cargo test --test golden, then read git diff tests/golden",
        failures.join("\n")
    );
}
