//! `--zeek-logs DIR` / `--zeek-json`: Zeek's ftp.log, conn.log and files.log.
//!
//! * Every sample and every corpus capture (`../shared/corpus*`, skipped when absent) is
//!   analysed twice (`--format json` with TSV logs, `--format jsonl` with JSON logs), and
//!   `tests/zeek_check.py` reads the logs with existing Zeek log readers (zat,
//!   parsezeeklogs) and DuckDB's `read_json_auto`: every cell typed as its `#types` line
//!   says, row counts as the JSON report's commands, connections and transfers, bytes per
//!   user equal. scripts/setup.sh installs the readers; without them the test fails unless
//!   `FTPFLOW_SKIP_ZEEK_READERS=1` says to skip it.
//! * Goldens: the TSV logs of seed001 and of a real vsftpd recording, in
//!   `tests/golden/zeek/<capture>/` (`UPDATE_GOLDEN=1` rewrites them; read the diff).
//! * The folder's rules: created if missing, an error (exit 2) when it cannot be, previous
//!   logs left as they were by a run that analysed nothing, no temporary file left, one
//!   folder per capture with `--separate`, and passwords masked unless `--show-passwords`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ftpflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ftpflow")
}

fn captures_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".pcap.gz")
        })
        .collect();
    v.sort();
    v
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Whether Python has the Zeek log readers and DuckDB.
fn readers_installed() -> bool {
    Command::new("python3")
        .args(["-c", "import zat, parsezeeklogs, duckdb"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn logs_are_read_by_zeek_readers_and_duckdb_and_agree_with_the_report() {
    if !readers_installed() {
        if std::env::var("FTPFLOW_SKIP_ZEEK_READERS").as_deref() == Ok("1") {
            eprintln!(
                "zeek_logs: skipped (FTPFLOW_SKIP_ZEEK_READERS=1): zat, parsezeeklogs or duckdb is missing"
            );
            return;
        }
        panic!(
            "zat, parsezeeklogs and duckdb (pip) are needed to check the Zeek logs: run \
             scripts/setup.sh, or set FTPFLOW_SKIP_ZEEK_READERS=1 to skip this test locally"
        );
    }
    let mut captures = captures_in(&root().join("samples"));
    for corpus in ["../shared/corpus", "../shared/corpus-public"] {
        let found = captures_in(&root().join(corpus));
        if found.is_empty() {
            eprintln!("zeek_logs: {corpus} is absent: its captures are skipped");
        }
        captures.extend(found);
    }
    assert!(captures.len() > 20, "the samples are there");
    let work = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (i, capture) in captures.iter().enumerate() {
        let case = work.path().join(format!("{i:03}"));
        std::fs::create_dir(&case).unwrap();
        let runs = [
            ["--format", "json", "report.json", "tsv", ""],
            ["--format", "jsonl", "report.jsonl", "json", "--zeek-json"],
        ];
        for [flag, format, report, logs, json] in runs {
            let (report, logs) = (case.join(report), case.join(logs));
            let mut args = vec!["analyze", flag, format, "-o", s(&report)];
            args.extend(["--zeek-logs", s(&logs), s(capture)]);
            if !json.is_empty() {
                args.push(json);
            }
            let out = ftpflow(&args);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{}: {}",
                capture.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        cases.push(case);
    }
    let out = Command::new("python3")
        .arg(root().join("tests/zeek_check.py"))
        .args(&cases)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let problems: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("Successfully monitoring"))
        .collect();
    // Name the capture of each case in the failure.
    let mut text = problems.join("\n");
    for (case, capture) in cases.iter().zip(&captures).rev() {
        text = text.replace(s(case), &capture.display().to_string());
    }
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("zeek_check: {} captures, 0 problems", cases.len())),
        "{text}"
    );
}

/// Compares `got` with the golden file, or rewrites it with `UPDATE_GOLDEN=1`.
fn golden(name: &str, got: &str) {
    let path = root().join("tests/golden/zeek").join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        want == got,
        "{} differs (UPDATE_GOLDEN=1 rewrites it; read the diff):\n{got}",
        path.display()
    );
}

#[test]
fn goldens_of_seed001_and_a_real_vsftpd_session() {
    for sample in [
        "seed001-active-ls-pwd-quit.pcap",
        "real-vsftpd-curl-ipv4-rest.pcap",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let capture = format!("samples/{sample}");
        let out = ftpflow(&[
            "analyze",
            "--format",
            "stats",
            "--zeek-logs",
            s(dir.path()),
            &capture,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for log in ["ftp.log", "conn.log", "files.log"] {
            let got = std::fs::read_to_string(dir.path().join(log)).unwrap();
            golden(&format!("{sample}/{log}"), &got);
        }
        // The same capture gives the same logs (uids included).
        let again = tempfile::tempdir().unwrap();
        ftpflow(&[
            "analyze",
            "--format",
            "stats",
            "--zeek-logs",
            s(again.path()),
            &capture,
        ]);
        for log in ["ftp.log", "conn.log", "files.log"] {
            assert_eq!(
                std::fs::read(dir.path().join(log)).unwrap(),
                std::fs::read(again.path().join(log)).unwrap(),
                "{sample} {log}"
            );
        }
    }
}

/// The folder's files, sorted, hidden ones included.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_folder_is_made_kept_or_refused_as_it_should() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = "samples/seed001-active-ls-pwd-quit.pcap";

    // Made when missing, nested too; only the three logs in it.
    let dir = tmp.path().join("a/b/zeek");
    let out = ftpflow(&[
        "analyze",
        "--format",
        "stats",
        "--zeek-logs",
        s(&dir),
        sample,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(listing(&dir), ["conn.log", "files.log", "ftp.log"]);

    // A run that analyses nothing (not a capture) leaves the previous logs and no
    // temporary file.
    let before = std::fs::read(dir.join("ftp.log")).unwrap();
    let junk = tmp.path().join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture at all").unwrap();
    let out = ftpflow(&["analyze", "--zeek-logs", s(&dir), s(&junk)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.join("ftp.log")).unwrap(), before);
    assert_eq!(listing(&dir), ["conn.log", "files.log", "ftp.log"]);

    // A folder that cannot be made: exit 2, saying which.
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let under_file = file.join("zeek");
    let out = ftpflow(&["analyze", "--zeek-logs", s(&under_file), sample]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--zeek-logs") && err.contains("plain-file"),
        "{err}"
    );

    // A symlink where a log goes is replaced, never followed.
    let linked = tmp.path().join("linked");
    std::fs::create_dir(&linked).unwrap();
    let precious = tmp.path().join("precious.txt");
    std::fs::write(&precious, b"keep me").unwrap();
    std::os::unix::fs::symlink(&precious, linked.join("ftp.log")).unwrap();
    let out = ftpflow(&[
        "analyze",
        "--format",
        "stats",
        "--zeek-logs",
        s(&linked),
        sample,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&precious).unwrap(), b"keep me");
    let meta = std::fs::symlink_metadata(linked.join("ftp.log")).unwrap();
    assert!(meta.is_file(), "the link was replaced by the log");

    // --zeek-json needs --zeek-logs.
    let out = ftpflow(&["analyze", "--zeek-json", sample]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn separate_captures_get_a_folder_each() {
    let tmp = tempfile::tempdir().unwrap();
    let a = "samples/seed001-active-ls-pwd-quit.pcap";
    let b = "samples/seed000-filezilla-active-mlsd-stor.pcap";
    // The same file name twice (from another folder) gets a suffix.
    let copy_dir = tmp.path().join("other");
    std::fs::create_dir(&copy_dir).unwrap();
    let copy = copy_dir.join("seed001-active-ls-pwd-quit.pcap");
    std::fs::copy(root().join(a), &copy).unwrap();
    // A file that is not a capture gets no folder.
    let junk = tmp.path().join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture at all").unwrap();
    let dir = tmp.path().join("logs");
    let out = ftpflow(&[
        "analyze",
        "--separate",
        "-j",
        "2",
        "--format",
        "json",
        "--zeek-logs",
        s(&dir),
        "--zeek-json",
        a,
        b,
        s(&copy),
        s(&junk),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        listing(&dir),
        [
            "seed000-filezilla-active-mlsd-stor.pcap",
            "seed001-active-ls-pwd-quit.pcap",
            "seed001-active-ls-pwd-quit.pcap-2",
        ]
    );
    let one =
        std::fs::read_to_string(dir.join("seed001-active-ls-pwd-quit.pcap/conn.log")).unwrap();
    let two =
        std::fs::read_to_string(dir.join("seed001-active-ls-pwd-quit.pcap-2/conn.log")).unwrap();
    assert_eq!(one, two, "the same packets give the same rows");
    let stor = std::fs::read_to_string(dir.join("seed000-filezilla-active-mlsd-stor.pcap/ftp.log"))
        .unwrap();
    let rows: Vec<serde_json::Value> = stor
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        rows.iter().any(|r| r["command"] == "STOR"
            && r["arg"]
                .as_str()
                .is_some_and(|a| a.starts_with("ftp://192.168.9.161/"))
            && r["fuid"].as_str().is_some_and(|f| f.starts_with('F'))),
        "{stor}"
    );
}

#[test]
fn passwords_are_hidden_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = "samples/seed001-active-ls-pwd-quit.pcap";
    let hidden = tmp.path().join("hidden");
    let shown = tmp.path().join("shown");
    ftpflow(&[
        "analyze",
        "--format",
        "stats",
        "--zeek-logs",
        s(&hidden),
        sample,
    ]);
    ftpflow(&[
        "analyze",
        "--format",
        "stats",
        "--show-passwords",
        "--zeek-logs",
        s(&shown),
        sample,
    ]);
    let column = |dir: &Path| -> Vec<String> {
        std::fs::read_to_string(dir.join("ftp.log"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').nth(7).unwrap().to_string())
            .collect()
    };
    let (h, v) = (column(&hidden), column(&shown));
    assert!(!h.is_empty());
    assert!(h.iter().all(|p| p == "<hidden>"), "{h:?}");
    assert!(v.iter().all(|p| p != "<hidden>" && p != "-"), "{v:?}");
}
