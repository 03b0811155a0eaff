//! `ftpflow live` against a real FTP server and client on loopback.
//!
//! Starts pyftpdlib on 127.0.0.1, runs `ftpflow live -i lo` with a capture filter on the
//! server's and the transfers' ports, drives Python's ftplib through a passive download
//! and an active upload, and checks that the streamed JSON Lines report both transfers
//! with their byte counts while the session is still open; then stops ftpflow with
//! SIGTERM (exit 0, libpcap's counters, no drops) and checks that the `-w` file gives the
//! same transfers through `ftpflow analyze`. Needs root (capturing) and pyftpdlib, which
//! `scripts/test.sh` installs; without them the test is skipped, or fails when
//! `FTPFLOW_REQUIRE_TOOLS=1`.

#![cfg(feature = "live")]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Kills the child it holds (by its own PID) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn skip_or_fail(why: &str) {
    if std::env::var_os("FTPFLOW_REQUIRE_TOOLS").is_some() {
        panic!("{why}; run scripts/setup.sh and the tests as root");
    }
    eprintln!("skipped: {why}");
}

/// `n` distinct ports free on 127.0.0.1, below the kernel's ephemeral range: a port the
/// kernel hands out to any `connect` or `bind(0)` on the machine (other tests, other
/// builds) could be taken between this check and the server's or client's bind, one
/// below that range is only ever taken by a program that names it. The search starts at
/// a place that depends on the process id, so that two runs at once look at different
/// ports first; every port is held until all are found, so they differ.
fn free_ports(n: usize) -> Vec<u16> {
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|x| x.parse::<u16>().ok())
        })
        .unwrap_or(32768);
    let (low, high) = (10_000u16, ephemeral_low.max(10_000 + 1_000));
    let span = u32::from(high - low);
    let start = std::process::id() * 7 % span;
    let mut held = Vec::new();
    for step in 0..span {
        let port = low + ((start + step) % span) as u16;
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
            held.push(l);
            if held.len() == n {
                return held
                    .iter()
                    .map(|l| l.local_addr().unwrap().port())
                    .collect();
            }
        }
    }
    panic!("fewer than {n} free ports between {low} and {high}");
}

fn lines<R: std::io::Read + Send + 'static>(r: R) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits (bounded) for a line satisfying `pred`.
fn wait_line(
    rx: &Receiver<String>,
    what: &str,
    secs: u64,
    mut pred: impl FnMut(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if pred(&l) => return l,
            Ok(_) => continue,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("timed out after {secs} s waiting for {what}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the output ended before {what}")
            }
        }
    }
}

fn records(
    rx: &Receiver<String>,
    until: impl Fn(&[Value]) -> bool,
    secs: u64,
    what: &str,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut got = Vec::new();
    while !until(&got) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => got
                .push(serde_json::from_str(&l).unwrap_or_else(|e| panic!("JSON line {l:?}: {e}"))),
            Err(e) => {
                panic!("{e} after waiting up to {secs} s for {what}; records so far: {got:?}")
            }
        }
    }
    got
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every line still to come, up to the end of the output (the writer has exited, so its
/// pipe ends once the reading thread has passed on what it read); bounded by `secs`.
fn rest_of(rx: &Receiver<String>, secs: u64, what: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut got = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => got.push(l),
            Err(mpsc::RecvTimeoutError::Disconnected) => return got,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{what} did not end within {secs} s; lines so far: {got:?}")
            }
        }
    }
}

/// The transfers told while their session goes on.
fn transfers_of(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| r["type"] == "live_transfer")
        .collect()
}

#[test]
fn live_capture_streams_transfers_and_writes_a_file_analyze_reads_back() {
    if effective_uid() != 0 {
        return skip_or_fail("live capture needs root");
    }
    let ok = Command::new("python3")
        .args(["-c", "import pyftpdlib"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return skip_or_fail("python3 with pyftpdlib is not installed");
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live-{}", std::process::id()));
    let files = dir.join("root");
    std::fs::create_dir_all(&files).unwrap();
    let big: Vec<u8> = (0..300 * 1024u32).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(files.join("big.bin"), &big).unwrap();
    let ports = free_ports(3);
    let (port, pasv, active) = (ports[0], ports[1], ports[2]);

    let mut server = Guard(
        Command::new("python3")
            .arg(root().join("tests/live/server.py"))
            .args([
                files.to_str().unwrap(),
                &port.to_string(),
                &pasv.to_string(),
                &pasv.to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start pyftpdlib"),
    );
    let server_out = lines(server.0.stdout.take().unwrap());
    wait_line(&server_out, "the server's \"ready\"", 20, |l| l == "ready");

    let pcap_file = dir.join("live.pcap");
    let filter = format!("tcp port {port} or tcp port {pasv} or tcp port {active}");
    let mut ftpflow = Guard(
        Command::new(env!("CARGO_BIN_EXE_ftpflow"))
            .args(["live", "-i", "lo", "--ftp-port", &port.to_string()])
            .args([
                "-F",
                "jsonl",
                "--show-passwords",
                "-w",
                pcap_file.to_str().unwrap(),
            ])
            // The capture filter as tcpdump takes it: the trailing words.
            .args(filter.split(' '))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ftpflow live"),
    );
    let out: ChildStdout = ftpflow.0.stdout.take().unwrap();
    let out = lines(out);
    let err = lines(ftpflow.0.stderr.take().unwrap());
    wait_line(&err, "ftpflow's \"capturing on lo\"", 20, |l| {
        l.contains("capturing on lo")
    });

    let mut client = Guard(
        Command::new("python3")
            .arg(root().join("tests/live/client.py"))
            .args([&port.to_string(), &active.to_string(), "100000"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the ftplib client"),
    );
    let client_out = lines(client.0.stdout.take().unwrap());
    let done = wait_line(&client_out, "the client's transfers", 30, |l| {
        l.starts_with("transfers done")
    });
    assert_eq!(done, format!("transfers done {}", big.len()));

    // Both transfers are reported while the client is still logged in.
    let so_far = records(
        &out,
        |r| transfers_of(r).len() >= 2,
        20,
        "two transfer records",
    );
    assert!(
        !so_far.iter().any(|r| r["type"] == "session"),
        "the session must still be open"
    );
    let t = transfers_of(&so_far);
    assert_eq!(
        (t[0]["command"].as_str(), t[0]["mode"].as_str()),
        (Some("RETR"), Some("passive"))
    );
    assert_eq!(t[0]["bytes"], big.len());
    assert_eq!(t[0]["status"], "complete");
    assert_eq!(
        (t[1]["command"].as_str(), t[1]["mode"].as_str()),
        (Some("STOR"), Some("active"))
    );
    assert_eq!(t[1]["bytes"], 100_000);
    assert!(
        so_far.iter().any(|r| r["type"] == "live_command"
            && r["command"] == "PASS"
            && r["arg"] == "live-pw")
    );
    let streamed: Vec<(Value, Value, Value)> = t
        .iter()
        .map(|x| (x["command"].clone(), x["mode"].clone(), x["bytes"].clone()))
        .collect();

    // QUIT: the session ends and is summarised.
    client.0.stdin.take().unwrap().write_all(b"\n").unwrap();
    wait_line(&client_out, "the client's QUIT", 20, |l| l == "quit");
    let mut all = so_far.clone();
    all.extend(records(
        &out,
        |r| r.iter().any(|x| x["type"] == "session"),
        20,
        "the session record",
    ));

    // SIGTERM: clean stop, exit 0, counters, nothing dropped.
    let pid = ftpflow.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = ftpflow.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "ftpflow did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let summary = wait_line(&err, "libpcap's counters", 5, |l| {
        l.contains("dropped by the kernel")
    });
    assert!(summary.contains(" 0 dropped by the kernel"), "{summary}");
    // What ftpflow wrote after the session record, read to the end of its output (not
    // just what the reading thread had passed on by now).
    let rest: Vec<Value> = rest_of(&out, 10, "ftpflow's output")
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    all.extend(rest.iter().cloned());
    let capture = rest.last().expect("a final capture record");
    assert_eq!(capture["type"], "capture");
    assert_eq!(capture["live"]["dropped_by_kernel"], 0);

    // The -w file reads back to the same transfers.
    let o = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "-f", "json", "--ftp-port", &port.to_string()])
        .arg(&pcap_file)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();

    // Apart from what it told early, live wrote the session's records exactly as
    // `analyze -f jsonl` writes them for the same packets.
    let o = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "-f", "jsonl", "--show-passwords", "--ftp-port"])
        .arg(port.to_string())
        .arg(&pcap_file)
        .output()
        .unwrap();
    let from_file: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &Value| r["type"] != "capture")
        .collect();
    let from_live: Vec<Value> = all
        .iter()
        .filter(|r| {
            !r["type"].as_str().unwrap_or("").starts_with("live_") && r["type"] != "capture"
        })
        .cloned()
        .collect();
    assert!(from_file.len() > 10, "{from_file:?}");
    for (i, (a, b)) in from_live.iter().zip(&from_file).enumerate() {
        assert_eq!(a, b, "record {i}");
    }
    assert_eq!(from_live.len(), from_file.len());
    let again: Vec<(Value, Value, Value)> = report["sessions"][0]["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["command"].clone(), x["mode"].clone(), x["bytes"].clone()))
        .collect();
    assert_eq!(again, streamed);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The errors a user meets, each with its fix: no such interface (the list of those there
/// are), a filter that does not compile (libpcap's words), no permission (root or setcap).
#[test]
fn live_errors_name_the_fix() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ftpflow"))
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["live", "-i", "no-such-if0"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("there is no interface no-such-if0") && err.contains("lo"),
        "{err}"
    );

    if effective_uid() != 0 {
        return skip_or_fail("the filter and permission checks need root");
    }
    // --filter (-f) and tcpdump's trailing expression are the same filter.
    for args in [&["-f", "tcp port"][..], &["tcp", "port"]] {
        let mut all = vec!["live", "-i", "lo"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("\"tcp port\" does not compile") && err.contains("pcap-filter"),
            "{err}"
        );
    }
    // Both at once is refused.
    let o = run(&["live", "-i", "lo", "--filter", "tcp", "port", "21"]);
    assert_eq!(o.status.code(), Some(2));

    // An unprivileged user: the binary is copied where that user may run it.
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live-perm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("ftpflow");
    std::fs::copy(env!("CARGO_BIN_EXE_ftpflow"), &bin).unwrap();
    let open = |p: &Path, mode: &str| {
        Command::new("chmod")
            .args([mode])
            .arg(p)
            .status()
            .unwrap()
            .success()
    };
    assert!(open(&dir, "755") && open(&bin, "755"));
    let mut ancestors_open = true;
    for a in dir.ancestors().skip(1) {
        ancestors_open &= std::fs::metadata(a)
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o001 != 0)
            .unwrap_or(false);
    }
    if !ancestors_open {
        let _ = std::fs::remove_dir_all(&dir);
        return skip_or_fail("the target directory is not reachable by the user nobody");
    }
    let o = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(&bin)
        .args(["live", "-i", "lo"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no permission to capture on lo")
            && err.contains("setcap cap_net_raw,cap_net_admin=eip"),
        "{err}"
    );
}

fn effective_uid() -> u32 {
    // Without a libc dependency: the effective uid from /proc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).and_then(|u| u.parse().ok()))
        })
        .unwrap_or(u32::MAX)
}

/// `-w` and `-o` never harm a file: the same file for both is refused, and a capture that
/// fails leaves a previous file of that name as it was.
#[test]
fn live_output_files_are_put_in_place_only_when_complete() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let previous = dir.join("evidence.pcap");
    std::fs::write(&previous, b"an earlier capture").unwrap();
    let link = dir.join("link.pcap");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&previous, &link).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ftpflow"))
            .args(args)
            .output()
            .unwrap()
    };
    let p = previous.to_str().unwrap();
    for (w, o) in [(p, p), (p, link.to_str().unwrap())] {
        let out = run(&["live", "-i", "lo", "-w", w, "-o", o]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("refusing to overwrite"), "{err}");
    }
    // The capture cannot start: the file named by -w stays as it was.
    let out = run(&["live", "-i", "no-such-if0", "-w", p]);
    assert_eq!(out.status.code(), Some(2));
    if effective_uid() == 0 {
        let out = run(&[
            "live",
            "-i",
            "lo",
            "-f",
            "tcp port",
            "-w",
            p,
            "-o",
            link.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2));
    }
    assert_eq!(std::fs::read(&previous).unwrap(), b"an earlier capture");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "no temporary file left"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
