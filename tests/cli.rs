//! The command line from the outside: inputs, formats, bad input and exit codes.
//!
//! Exit codes (DESIGN.md): 0 read completely, 1 results printed but an input was damaged,
//! 2 nothing could be analysed. Captures are built here byte by byte (pcap records around
//! packets made with etherparse's builder) or taken from the shared corpus.

use etherparse::PacketBuilder;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ftpflow"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run ftpflow")
}

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn corpus(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    p.exists().then_some(p)
}

/// A classic pcap (microseconds, little endian) from raw frames.
fn pcap(linktype: u32, frames: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&linktype.to_le_bytes());
    for (i, (usec, f)) in frames.iter().enumerate() {
        out.extend_from_slice(&(1_700_000_000u32 + i as u32 / 1000).to_le_bytes());
        out.extend_from_slice(&usec.to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// An Ethernet/IPv4/TCP frame.
fn tcp_frame(
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    ack: u32,
    flags: &str,
    payload: &[u8],
) -> Vec<u8> {
    let mut b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(src.0, dst.0, 64)
        .tcp(src.1, dst.1, seq, 65535);
    if flags.contains('S') {
        b = b.syn();
    }
    if flags.contains('A') {
        b = b.ack(ack);
    }
    if flags.contains('F') {
        b = b.fin();
    }
    if flags.contains('P') {
        b = b.psh();
    }
    let mut v = Vec::with_capacity(b.size(payload.len()));
    b.write(&mut v, payload).unwrap();
    v
}

/// A short FTP login and QUIT over one control connection; `extra_client` is sent after USER.
fn ftp_session(extra_client: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let c = ([10, 0, 0, 1], 40000);
    let s = ([10, 0, 0, 2], 21);
    let mut f = vec![
        tcp_frame(c, s, 100, 0, "S", b""),
        tcp_frame(s, c, 500, 101, "SA", b""),
        tcp_frame(c, s, 101, 501, "A", b""),
        tcp_frame(s, c, 501, 101, "PA", b"220 ready\r\n"),
        tcp_frame(c, s, 101, 512, "PA", b"USER ftp\r\n"),
        tcp_frame(s, c, 512, 111, "PA", b"331 pass\r\n"),
    ];
    let mut cseq = 111u32;
    if !extra_client.is_empty() {
        f.push(tcp_frame(c, s, cseq, 522, "PA", extra_client));
        cseq += extra_client.len() as u32;
    }
    f.push(tcp_frame(c, s, cseq, 522, "PA", b"QUIT\r\n"));
    f.push(tcp_frame(s, c, 522, cseq + 6, "PA", b"221 bye\r\n"));
    f.into_iter()
        .enumerate()
        .map(|(i, x)| (i as u32 * 10, x))
        .collect()
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("JSON: {e}; stderr {}", stderr(o)))
}

#[test]
fn a_small_session_gives_timeline_json_table_and_jsonl() {
    let p = write("small.pcap", &pcap(1, &ftp_session(b"")));
    let o = run(&["analyze", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("handshake 1/3"), "{text}");
    assert!(text.contains("USER ftp"));
    assert!(text.contains("221 bye"));

    let o = run(&["analyze", "-f", "json", p.to_str().unwrap()]);
    let v = json(&o);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["sessions"][0]["user"], "ftp");
    assert_eq!(v["sessions"][0]["commands"][1]["command"], "QUIT");
    assert_eq!(v["sessions"][0]["control"]["handshake"]["syn"]["frame"], 1);

    let o = run(&["analyze", "-f", "table", p.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("10.0.0.1:40000"));

    let o = run(&["analyze", "-f", "jsonl", p.to_str().unwrap()]);
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let types: Vec<&str> = lines.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert_eq!(types[..2], ["session_start", "handshake"]);
    assert!(
        lines
            .iter()
            .all(|l| l.as_object().unwrap().keys().next().map(String::as_str) == Some("type"))
    );
    assert!(types.contains(&"greeting") && types.contains(&"command") && types.contains(&"reply"));
    assert_eq!(types.iter().filter(|t| **t == "session").count(), 1);
    assert_eq!(types.last(), Some(&"capture"));
}

#[test]
fn output_file_and_stdin() {
    let bytes = pcap(1, &ftp_session(b""));
    let p = write("stdin.pcap", &bytes);
    let out = tmp("out.json");
    let o = run(&[
        "analyze",
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let from_file: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();

    let mut child = bin()
        .args(["analyze", "-f", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let from_stdin = json(&o);
    assert_eq!(from_stdin["sessions"], from_file["sessions"]);
    assert_eq!(from_stdin["capture"]["files"][0]["name"], "<stdin>");
}

#[test]
fn gzip_and_several_files_as_one_capture() {
    let frames = ftp_session(b"");
    let whole = write("whole.pcap", &pcap(1, &frames));
    let first = write("part1.pcap", &pcap(1, &frames[..5]));
    let second = write("part2.pcap", &pcap(1, &frames[5..]));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&whole).unwrap()).unwrap();
    let gzp = write("whole.pcap.gz", &gz.finish().unwrap());

    let a = json(&run(&["analyze", "-f", "json", whole.to_str().unwrap()]));
    let b = json(&run(&[
        "analyze",
        "-f",
        "json",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
    ]));
    let c = json(&run(&["analyze", "-f", "json", gzp.to_str().unwrap()]));
    assert_eq!(a["sessions"], b["sessions"]);
    assert_eq!(a["sessions"], c["sessions"]);
    assert_eq!(b["capture"]["files"].as_array().unwrap().len(), 2);
    assert_eq!(c["capture"]["files"][0]["gzip"], true);
}

#[test]
fn not_a_capture_exits_2_naming_what_was_found() {
    let p = write("notes.txt", b"hello, this is not a capture\n");
    let o = run(&["analyze", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("hello"), "{e}");
    assert!(o.stdout.is_empty());

    let p = write("empty.pcap", b"");
    let o = run(&["analyze", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));

    let o = run(&["analyze", "/nonexistent/ftpflow/file.pcap"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unsupported_link_type_exits_2_naming_it() {
    let p = write("wifi.pcap", &pcap(105, &[(0, vec![0u8; 40])]));
    let o = run(&["analyze", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("105"), "{}", stderr(&o));
}

#[test]
fn truncated_capture_prints_results_warns_with_offset_and_exits_1() {
    let bytes = pcap(1, &ftp_session(b""));
    // Cut in the middle of the last record.
    let cut = &bytes[..bytes.len() - 7];
    let p = write("cut.pcap", cut);
    let o = run(&["analyze", "-f", "json", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("offset"), "{e}");
    let v = json(&o);
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(v["sessions"][0]["commands"][1]["command"], "QUIT");
    assert_eq!(v["capture"]["packets"], 7, "every complete record");
}

#[test]
fn one_bad_input_does_not_abort_the_others() {
    let good = write("good.pcap", &pcap(1, &ftp_session(b"")));
    let bad = write("bad.txt", b"garbage");
    let o = run(&[
        "analyze",
        "-f",
        "json",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn no_ftp_exits_0_with_a_note() {
    let c = ([10, 0, 0, 1], 40000);
    let s = ([10, 0, 0, 2], 80);
    let frames = vec![
        (0, tcp_frame(c, s, 1, 0, "S", b"")),
        (1, tcp_frame(s, c, 9, 2, "SA", b"")),
    ];
    let p = write("http.pcap", &pcap(1, &frames));
    let o = run(&["analyze", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(e.contains("no FTP"), "{e}");
    assert_eq!(e.lines().count(), 1);
}

#[test]
fn ftp_on_another_port_with_ftp_port() {
    let c = ([10, 0, 0, 1], 40000);
    let s = ([10, 0, 0, 2], 2121);
    let frames = vec![
        (0, tcp_frame(c, s, 1, 0, "S", b"")),
        (1, tcp_frame(s, c, 9, 2, "SA", b"")),
        (2, tcp_frame(s, c, 10, 2, "PA", b"220 hi\r\n")),
    ];
    let p = write("port2121.pcap", &pcap(1, &frames));
    let v = json(&run(&["analyze", "-f", "json", p.to_str().unwrap()]));
    assert!(v["sessions"].as_array().unwrap().is_empty());
    let v = json(&run(&[
        "analyze",
        "-f",
        "json",
        "--ftp-port",
        "2121",
        p.to_str().unwrap(),
    ]));
    assert_eq!(v["sessions"][0]["greeting"]["code"], 220);
}

#[test]
fn passwords_are_masked_unless_asked() {
    let p = write("pass.pcap", &pcap(1, &ftp_session(b"PASS s3cret\r\n")));
    let masked = json(&run(&["analyze", "-f", "json", p.to_str().unwrap()]));
    let pass = &masked["sessions"][0]["commands"][1];
    assert_eq!(pass["command"], "PASS");
    assert_eq!(pass["masked"], true);
    assert!(!serde_json::to_string(&masked).unwrap().contains("s3cret"));
    let text = String::from_utf8(run(&["analyze", p.to_str().unwrap()]).stdout).unwrap();
    assert!(!text.contains("s3cret"));
    let shown = json(&run(&[
        "analyze",
        "-f",
        "json",
        "--show-passwords",
        p.to_str().unwrap(),
    ]));
    assert_eq!(shown["sessions"][0]["commands"][1]["arg"], "s3cret");
}

#[test]
fn overlong_line_is_cut_and_reported() {
    let mut long = b"RETR ".to_vec();
    long.extend(std::iter::repeat_n(b'A', 3 * 1024 * 1024));
    long.extend_from_slice(b"\r\n");
    // Split into MSS-sized segments so it is a realistic TCP stream.
    let c = ([10, 0, 0, 1], 40000);
    let s = ([10, 0, 0, 2], 21);
    let mut frames = vec![
        (0, tcp_frame(c, s, 100, 0, "S", b"")),
        (1, tcp_frame(s, c, 500, 101, "SA", b"")),
        (2, tcp_frame(c, s, 101, 501, "A", b"")),
    ];
    let mut seq = 101u32;
    for chunk in long.chunks(1460) {
        frames.push((3, tcp_frame(c, s, seq, 501, "A", chunk)));
        seq += chunk.len() as u32;
    }
    frames.push((4, tcp_frame(s, c, 501, seq, "PA", b"550 no\r\n")));
    let p = write("long.pcap", &pcap(1, &frames));
    let o = run(&[
        "analyze",
        "-f",
        "json",
        "--max-line",
        "4096",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    let cmd = &v["sessions"][0]["commands"][0];
    assert_eq!(cmd["command"], "RETR");
    assert_eq!(cmd["arg_truncated"], true);
    assert_eq!(cmd["arg_len"], 3 * 1024 * 1024);
    assert!(cmd["arg"].as_str().unwrap().len() <= 4096);
    assert_eq!(cmd["reply_code"], 550);
    assert_eq!(v["capture"]["bounds"]["overlong_lines"], 1);
    let kinds: Vec<&str> = v["sessions"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"overlong_command"));
}

#[test]
fn broken_pipe_is_success() {
    let Some(p) = corpus("suricata-ftp-ippair-leak-5204.pcap") else {
        return;
    };
    for format in ["timeline", "json", "jsonl", "table"] {
        let mut child = bin()
            .args(["analyze", "-v", "-f", format])
            .arg(&p)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(run(&["analyze"]).status.code(), Some(2));
    assert_eq!(
        run(&["analyze", "--format", "xml", "x.pcap"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["analyze", "--ftp-port", "0", "x.pcap"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["analyze", "-", "-"]).status.code(), Some(2));
}

#[test]
fn corrupt_record_is_skipped_counted_and_exits_1() {
    let frames = ftp_session(b"");
    let mut bytes = pcap(1, &frames);
    // The caplen field of the fourth record (the 220 greeting) becomes absurd.
    let mut off = 24;
    for (_, f) in &frames[..3] {
        off += 16 + f.len();
    }
    bytes[off + 8..off + 12].copy_from_slice(&0x00ff_ffffu32.to_le_bytes());
    let p = write("corrupt.pcap", &bytes);
    let o = run(&["analyze", "-f", "json", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("corrupt") && e.contains(&format!("offset {off}")),
        "{e}"
    );
    let v = json(&o);
    assert_eq!(v["capture"]["files"][0]["corrupt_records"], 1);
    // Everything after the corrupt record was still analysed.
    assert_eq!(v["sessions"][0]["commands"][0]["command"], "USER");
    assert!(v["sessions"][0]["greeting"].is_null());
}

#[test]
fn capture_starting_mid_session() {
    let frames = ftp_session(b"");
    // Drop the handshake and the greeting: the capture starts at USER.
    let p = write("mid.pcap", &pcap(1, &frames[4..]));
    let v = json(&run(&["analyze", "-f", "json", p.to_str().unwrap()]));
    let s = &v["sessions"][0];
    assert_eq!(s["client"]["port"], 40000);
    assert_eq!(s["server"]["port"], 21);
    assert!(s["control"]["midstream"].as_bool().unwrap());
    assert!(s["control"]["handshake"].is_null());
    assert_eq!(s["control"]["state"], "OTH");
    assert!(s["greeting"].is_null());
    let cmds: Vec<&str> = s["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(cmds, ["USER", "QUIT"]);
    assert!(
        s["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "midstream")
    );
}

#[test]
fn stdin_gives_the_timeline_a_file_gives_and_jsonl_records() {
    let bytes = pcap(1, &ftp_session(b""));
    let mut child = bin()
        .args(["analyze", "--color", "never", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let piped = String::from_utf8(o.stdout).unwrap();
    let p = write("stream.pcap", &bytes);
    let file = String::from_utf8(run(&["analyze", "--color", "never", p.to_str().unwrap()]).stdout)
        .unwrap();
    // The same timeline, but for the input's name.
    let name = p.to_str().unwrap();
    assert_eq!(piped.replace("<stdin>", "X"), file.replace(name, "X"));
    assert!(piped.contains("Summary of session 1"), "{piped}");
    assert!(piped.contains("USER ftp"), "{piped}");

    let o = run(&[
        "analyze",
        "-f",
        "jsonl",
        "--idle-timeout",
        "60",
        p.to_str().unwrap(),
    ]);
    let types: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(types.first().map(String::as_str), Some("session_start"));
    let session_at = types.iter().position(|t| t == "session").unwrap();
    assert!(types[..session_at].iter().any(|t| t == "command"));
    assert_eq!(types.last().map(String::as_str), Some("capture"));
    assert_eq!(
        run(&["analyze", "--idle-timeout", "0", p.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}

/// Frames of a session from client port `port` that ends with a four-way close, starting
/// at `t` microseconds.
fn closed_session(port: u16, t: u32) -> Vec<(u32, Vec<u8>)> {
    let c = ([10, 0, 0, 1], port);
    let s = ([10, 0, 0, 2], 21);
    [
        tcp_frame(c, s, 100, 0, "S", b""),
        tcp_frame(s, c, 500, 101, "SA", b""),
        tcp_frame(c, s, 101, 501, "A", b""),
        tcp_frame(s, c, 501, 101, "PA", b"220 ready\r\n"),
        tcp_frame(c, s, 101, 512, "PA", b"QUIT\r\n"),
        tcp_frame(s, c, 512, 107, "PA", b"221 bye\r\n"),
        tcp_frame(s, c, 521, 107, "FA", b""),
        tcp_frame(c, s, 107, 522, "A", b""),
        tcp_frame(c, s, 107, 522, "FA", b""),
        tcp_frame(s, c, 522, 108, "A", b""),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, f)| (t + i as u32 * 10, f))
    .collect()
}

/// `analyze -` on a pipe that stays open: a session that ended is written while the pipe
/// is still open, and SIGTERM ends the input, finishes the open session and exits 0, even
/// with the stream cut inside a record.
#[test]
fn a_pipe_streams_and_sigterm_finishes_with_a_summary() {
    let mut frames = closed_session(40001, 0);
    // A second session that is still open when the writer stops.
    frames.extend(ftp_session(b"").into_iter().map(|(t, f)| (t + 1000, f)));
    let bytes = pcap(1, &frames);
    let mut child = bin()
        .args(["analyze", "-f", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Everything but the end of the last record; the pipe stays open.
    stdin.write_all(&bytes[..bytes.len() - 7]).unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !lines
        .iter()
        .any(|l: &String| l.contains("\"type\":\"session\""))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(
            !left.is_zero(),
            "the ended session was not written while the pipe was open: {lines:?}"
        );
        if let Ok(line) = rx.recv_timeout(left) {
            lines.push(line);
        }
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "ftpflow ended although its input is open"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Bounded: a stop that never comes fails the test instead of hanging it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ftpflow did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    drop(stdin);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.contains("stopped by a signal"), "stderr: {err}");
    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sessions: Vec<&Value> = records.iter().filter(|r| r["type"] == "session").collect();
    assert_eq!(
        sessions.len(),
        2,
        "the open session is finished at the stop"
    );
    assert_eq!(records.last().unwrap()["type"], "capture");
}

/// Built without the `live` feature, `ftpflow live` says how to get it.
#[cfg(not(feature = "live"))]
#[test]
fn live_without_the_feature_says_how_to_build_it() {
    let o = run(&["live", "-i", "lo"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("libpcap-dev") && err.contains("--features live"),
        "{err}"
    );
}

/// Every committed sample, in a fixed order.
fn samples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".pcap.gz")
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    v.sort();
    assert!(v.len() >= 10, "samples: {v:?}");
    v
}

#[test]
fn separate_captures_in_parallel_print_what_one_by_one_prints() {
    let mut files = samples();
    // A file that is not a capture, in the middle: reported, skipped, exit 1.
    let bad = write("separate-not-a-capture.txt", b"hello, not a capture\n");
    files.insert(3, bad.to_string_lossy().into_owned());
    for format in ["timeline", "table", "json", "jsonl"] {
        let with = |jobs: &str| {
            let mut args = vec!["analyze", "--separate", "-j", jobs, "-f", format];
            args.extend(files.iter().map(String::as_str));
            run(&args)
        };
        let one = with("1");
        assert_eq!(one.status.code(), Some(1), "{format}: {}", stderr(&one));
        assert!(stderr(&one).contains("separate-not-a-capture.txt"));
        for jobs in ["2", "5"] {
            let many = with(jobs);
            assert_eq!(many.status.code(), Some(1), "{format} -j {jobs}");
            assert!(
                many.stdout == one.stdout,
                "{format}: -j {jobs} printed something else than -j 1"
            );
            assert_eq!(stderr(&many), stderr(&one), "{format} -j {jobs}");
        }
        // Each capture's part is what analysing that file alone prints.
        let alone: Vec<Output> = files
            .iter()
            .map(|f| run(&["analyze", "-f", format, f]))
            .collect();
        match format {
            "json" => {
                let all: Value = serde_json::from_slice(&one.stdout).expect("a JSON array");
                let docs: Vec<Value> = alone
                    .iter()
                    .filter(|o| o.status.code() != Some(2))
                    .map(json)
                    .collect();
                assert_eq!(all, Value::Array(docs));
            }
            _ => {
                let sep: &[u8] = if format == "jsonl" { b"" } else { b"\n" };
                let parts: Vec<&[u8]> = alone
                    .iter()
                    .filter(|o| !o.stdout.is_empty())
                    .map(|o| &o.stdout[..])
                    .collect();
                assert!(one.stdout == parts.join(sep), "{format}: parts differ");
            }
        }
    }
}

#[test]
fn separate_exit_codes_and_jobs_argument() {
    let bad = write("separate-bad.txt", b"not a capture");
    let s = samples();
    let all_bad = run(&[
        "analyze",
        "--separate",
        bad.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(all_bad.status.code(), Some(2));
    let fine = run(&["analyze", "--separate", "-f", "json", &s[0], &s[1]]);
    assert_eq!(fine.status.code(), Some(0), "{}", stderr(&fine));
    assert_eq!(json(&fine).as_array().map(Vec::len), Some(2));
    assert_eq!(
        run(&["analyze", "-j", "2", &s[0]]).status.code(),
        Some(2),
        "--jobs without --separate"
    );
    assert_eq!(
        run(&["analyze", "--separate", "-j", "0", &s[0]])
            .status
            .code(),
        Some(2)
    );
}

/// `-o` naming an input (by path, hard link or symlink) is refused before anything is
/// written: the capture is evidence.
#[test]
fn output_naming_an_input_is_refused_and_the_capture_kept() {
    let bytes = pcap(1, &ftp_session(b""));
    let dir = tmp("refuse");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let capture = dir.join("x.pcap");
    std::fs::write(&capture, &bytes).unwrap();
    let hard = dir.join("hard.pcap");
    std::fs::hard_link(&capture, &hard).unwrap();
    let soft = dir.join("soft.pcap");
    std::os::unix::fs::symlink(&capture, &soft).unwrap();
    let other = write("refuse-other.pcap", &bytes);
    for output in [&capture, &hard, &soft] {
        for format in ["timeline", "json"] {
            let o = run(&[
                "analyze",
                "-f",
                format,
                "-o",
                output.to_str().unwrap(),
                other.to_str().unwrap(),
                capture.to_str().unwrap(),
            ]);
            assert_eq!(o.status.code(), Some(2), "{output:?}");
            assert!(
                stderr(&o).contains("refusing to overwrite a capture"),
                "{}",
                stderr(&o)
            );
            assert_eq!(std::fs::read(&capture).unwrap(), bytes, "{output:?}");
        }
    }
    // The same with --separate.
    let o = run(&[
        "analyze",
        "--separate",
        "-o",
        soft.to_str().unwrap(),
        capture.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&capture).unwrap(), bytes);
    // Only the temporary-free folder remains: nothing was created beside the capture.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

/// The output is written under a temporary name and put in place when the run completes:
/// a run that could analyse nothing leaves the previous file as it was.
#[test]
fn a_failed_run_leaves_the_previous_output_intact() {
    let dir = tmp("atomic");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report.json");
    std::fs::write(&out, b"the previous report").unwrap();
    let not_capture = dir.join("notes.txt");
    std::fs::write(&not_capture, b"hello, this is text\n").unwrap();
    for args in [
        vec!["--separate"],
        vec![],
        vec!["-f", "timeline"],
        vec!["-f", "jsonl"],
    ] {
        let mut all = vec!["analyze", "-o", out.to_str().unwrap()];
        all.extend(args);
        all.push(not_capture.to_str().unwrap());
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert_eq!(std::fs::read(&out).unwrap(), b"the previous report");
    }
    // A damaged but readable input (exit 1) and a good one replace it.
    let mut truncated = pcap(1, &ftp_session(b""));
    truncated.truncate(truncated.len() - 5);
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &truncated).unwrap();
    let o = run(&[
        "analyze",
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        cut.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["sessions"].as_array().unwrap().len(), 1);
    // No temporary file is left behind in either case.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    // Permissions of the file replaced are kept.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    let good = write("atomic-good.pcap", &pcap(1, &ftp_session(b"")));
    let o = run(&[
        "analyze",
        "-o",
        out.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&std::fs::read(&out).unwrap()).contains("USER"));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // Not a regular file: written in place.
    let o = run(&["analyze", "-o", "/dev/null", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
}

/// A bound that cut something is counted in `capture.bounds` and every format shows its
/// warning, naming the option to raise.
#[test]
fn a_bound_that_cut_something_is_counted_and_warned_in_every_format() {
    let p = write(
        "bounded.pcap",
        &pcap(1, &ftp_session(b"NOOP\r\nNOOP\r\nNOOP\r\n")),
    );
    let path = p.to_str().unwrap();
    let o = run(&["analyze", "-f", "json", "--max-commands", "2", path]);
    let v = json(&o);
    let session = &v["sessions"][0];
    assert_eq!(session["commands"].as_array().unwrap().len(), 2);
    assert_eq!(session["summary"]["commands"], 5);
    assert_eq!(v["capture"]["bounds"]["commands_not_stored"], 3);
    assert!(v["capture"]["tcp"].get("evicted_by_bound").is_none());
    let warned = |text: &str| {
        text.contains("3 commands were counted but not stored") && text.contains("--max-commands")
    };
    assert!(
        v["capture"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| warned(w.as_str().unwrap())),
        "{}",
        v["capture"]["warnings"]
    );
    for format in ["timeline", "table", "jsonl"] {
        let o = run(&["analyze", "-f", format, "--max-commands", "2", path]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(warned(&text), "{format}: {text}");
    }
}

/// Sessions evicted from a full connection table are said to be evicted, never "still
/// open when the capture ended", and counted in `capture.bounds`.
#[test]
fn evicted_sessions_are_called_evicted_in_every_format() {
    let s = ([10, 0, 0, 2], 21);
    let mut frames = Vec::new();
    // 20 logins that stay open, 1 ms apart: with room for 16, the oldest are evicted.
    for i in 0..20u16 {
        let c = ([10, 0, 1, i as u8 + 1], 40000 + i);
        frames.push(tcp_frame(c, s, 100, 0, "S", b""));
        frames.push(tcp_frame(s, c, 500, 101, "SA", b""));
        frames.push(tcp_frame(c, s, 101, 501, "A", b""));
        frames.push(tcp_frame(s, c, 501, 101, "PA", b"220 ready\r\n"));
        frames.push(tcp_frame(c, s, 101, 512, "PA", b"USER ftp\r\n"));
    }
    let frames: Vec<(u32, Vec<u8>)> = frames
        .into_iter()
        .enumerate()
        .map(|(i, x)| (i as u32 * 200, x))
        .collect();
    let p = write("evicted.pcap", &pcap(1, &frames));
    let path = p.to_str().unwrap();
    let o = run(&["analyze", "-f", "json", "--max-connections", "16", path]);
    let v = json(&o);
    let evicted = v["capture"]["bounds"]["connections_evicted"]
        .as_u64()
        .unwrap();
    assert!(evicted >= 4, "{}", v["capture"]["bounds"]);
    let o = run(&["analyze", "--max-connections", "16", path]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        text.matches("evicted from the full connection table (--max-connections)")
            .count() as u64,
        evicted,
        "{text}"
    );
    assert_eq!(
        text.matches("still open when the capture ended").count() as u64,
        20 - evicted,
        "{text}"
    );
    assert!(text.contains("--max-connections 16"), "{text}");
    let o = run(&["analyze", "-f", "table", "--max-connections", "16", path]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.matches(" evicted").count() as u64, evicted, "{text}");
}

#[test]
fn explain_reply_codes_and_commands_any_case() {
    let out = run(&["explain", "425", "pasv", "Stor", "5xx"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("425  cannot open the data connection"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("PASV") && lines[1].contains("227"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("STOR") && lines[2].contains("data command"),
        "{text}"
    );
    assert!(lines[3].starts_with("5xx  permanent negative"), "{text}");
}

#[test]
fn explain_alone_lists_the_tables_and_unknown_words_fail() {
    let out = run(&["explain"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    // Seed 003's tables: every command and code it lists is there.
    for word in [
        "ABOR",
        "SMNT",
        "STOU",
        "USER",
        "110",
        "227",
        "553",
        "Reply classes",
    ] {
        assert!(text.contains(word), "{word} missing");
    }
    let out = run(&["explain", "226", "NOSUCH"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("NOSUCH"), "{err}");
    assert!(out.stdout.is_empty(), "nothing printed before the error");
}

#[test]
fn full_listing_shows_every_line_and_lines_are_never_cut() {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed003-vsftpd-stat-pasv-port.pcapng");
    let s = sample.to_str().unwrap();
    let short = String::from_utf8(run(&["analyze", "--color", "never", s]).stdout).unwrap();
    let full = String::from_utf8(run(&["analyze", "--color", "never", "--full-listing", s]).stdout)
        .unwrap();
    assert!(short.contains("--full-listing shows all"), "{short}");
    assert!(!full.contains("--full-listing shows all"), "{full}");
    let listed = |t: &str| {
        t.lines()
            .filter(|l| l.contains("│ -") || l.contains("│ d"))
            .count()
    };
    assert!(listed(&full) > listed(&short), "{full}");
    // Every listing line shown is whole: ls -l lines end with a name, not with spaces.
    for l in short.lines().filter(|l| l.contains("│ -r")) {
        assert!(!l.ends_with(' '), "cut line: {l}");
    }
}

/// The timeline of a sample, without colour.
fn sample_timeline(name: &str, verbose: bool) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    let mut args = vec!["analyze", "--color", "never", p.to_str().unwrap()];
    if verbose {
        args.push("-v");
    }
    String::from_utf8(run(&args).stdout)
        .unwrap()
        .replace("\n                             ", " ")
}

#[test]
fn the_articles_lessons_are_in_the_timeline() {
    let t = sample_timeline("seed001-active-ls-pwd-quit.pcap", false);
    assert!(t.contains("data port 51300 = N+1, N = 51299"), "{t}");
    assert!(t.contains("the data connection is already open (steps 12–14): this server connects to the client first, then sends 150"), "{t}");
    assert!(
        t.contains("data commands (they use a data connection): LIST; control commands"),
        "{t}"
    );
    let v = sample_timeline("seed001-active-ls-pwd-quit.pcap", true);
    assert!(
        v.contains("acknowledges the 220 greeting (bytes 1–20 of the server's stream)"),
        "{v}"
    );
    assert!(v.contains("acknowledges USER test"), "{v}");
    let t = sample_timeline("seed000-filezilla-active-mlsd-stor.pcap", false);
    assert!(
        t.contains("the data connection opens next (steps 19–21)"),
        "{t}"
    );
    assert!(
        t.contains("directory my2024, modified 2025-01-02 01:17:11 UTC"),
        "{t}"
    );
    assert!(
        t.contains(
            "the client closed the data connection first (step 36): its FIN ends the upload"
        ),
        "{t}"
    );
    let t = sample_timeline("seed003-vsftpd-stat-pasv-port.pcapng", false);
    assert!(t.contains("211-FTP server status:"), "{t}");
    assert!(t.contains("│ 211 End of status"), "{t}");
    assert!(t.contains("(client LAST-ACK, server TIME-WAIT)"), "{t}");
    assert!(
        t.contains("192.168.0.254:62515 (244*256+51 = 62515)"),
        "{t}"
    );
}
