//! The progress shown on stderr while `analyze` reads: nothing when stderr is not a
//! terminal (scripts and pipes see only the report and real notes); with the hidden
//! `--progress`, plain lines whose last one gives the bytes read (compressed bytes for a
//! gzip file, the bytes of a pipe), packets and FTP sessions, equal to what the report
//! counts. The bar itself needs a terminal; it draws the same counters.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ftpflow");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// (bytes, total, packets, sessions) from the last `--progress` line.
fn done(stderr: &[u8]) -> (u64, Option<u64>, u64, u64) {
    let text = String::from_utf8_lossy(stderr);
    let last = text
        .lines()
        .rfind(|l| l.starts_with("ftpflow: progress: done, "))
        .unwrap_or_else(|| panic!("no final progress line in {text:?}"));
    let nums: Vec<u64> = last
        .split(|c: char| !c.is_ascii_digit() && c != ',')
        .map(|w| w.replace(',', ""))
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    if last.contains(" bytes read") {
        (nums[0], None, nums[1], nums[2])
    } else {
        // bytes, total, percent, packets, sessions
        (nums[0], Some(nums[1]), nums[3], nums[4])
    }
}

fn report_counts(stdout: &[u8]) -> (u64, u64) {
    let v: Value = serde_json::from_slice(stdout).expect("JSON report");
    (
        v["capture"]["packets"].as_u64().unwrap(),
        v["capture"]["ftp_sessions"].as_u64().unwrap(),
    )
}

#[test]
fn nothing_on_stderr_when_it_is_not_a_terminal() {
    let seed = sample("seed001-active-ls-pwd-quit.pcap");
    for args in [&["analyze"][..], &["analyze", "-q"]] {
        let mut args = args.to_vec();
        args.push(seed.to_str().unwrap());
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let both = run(
        &["analyze", "-q", "--progress", seed.to_str().unwrap()],
        None,
    );
    assert_eq!(both.status.code(), Some(2), "-q and --progress conflict");
}

#[test]
fn progress_lines_count_what_the_report_counts() {
    let big = sample("real-vsftpd-ftplib-netem.pcap");
    let size = std::fs::metadata(&big).unwrap().len();
    let out = run(
        &["analyze", "--progress", "-f", "json", big.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let (bytes, total, packets, sessions) = done(&out.stderr);
    assert_eq!((bytes, total), (size, Some(size)));
    assert_eq!((packets, sessions), report_counts(&out.stdout));
    assert!(packets > 4096, "enough packets for the periodic counts");

    // Without the read-ahead thread, and from a pipe (no total).
    let out = run(
        &[
            "analyze",
            "--progress",
            "--no-read-ahead",
            "-f",
            "json",
            big.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(done(&out.stderr).0, size);
    let bytes_in = std::fs::read(&big).unwrap();
    let out = run(
        &["analyze", "--progress", "-f", "json", "-"],
        Some(&bytes_in),
    );
    let (bytes, total, packets, _) = done(&out.stderr);
    assert_eq!((bytes, total), (size, None));
    assert_eq!(packets, report_counts(&out.stdout).0);
}

#[test]
fn a_gzip_file_counts_compressed_bytes_and_separate_files_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let seed = sample("seed001-active-ls-pwd-quit.pcap");
    let gz = dir.path().join("seed.pcap.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&std::fs::read(&seed).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let gz_size = std::fs::metadata(&gz).unwrap().len();
    let out = run(
        &["analyze", "--progress", "-f", "json", gz.to_str().unwrap()],
        None,
    );
    let (bytes, total, packets, sessions) = done(&out.stderr);
    assert_eq!((bytes, total), (gz_size, Some(gz_size)));
    assert_eq!((packets, sessions), (37, 1));

    let seed_size = std::fs::metadata(&seed).unwrap().len();
    let out = run(
        &[
            "analyze",
            "--progress",
            "--separate",
            "-j",
            "2",
            "-f",
            "stats",
            gz.to_str().unwrap(),
            seed.to_str().unwrap(),
        ],
        None,
    );
    let (bytes, total, packets, sessions) = done(&out.stderr);
    let both = gz_size + seed_size;
    assert_eq!((bytes, total), (both, Some(both)));
    assert_eq!((packets, sessions), (74, 2));
}
