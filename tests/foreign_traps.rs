//! Traps that third-party captures set, rebuilt as small captures in memory.
//!
//! The public corpus (`tests/corpus_public.rs`) holds one instance of each; these tests hold
//! the trap alone, so that a regression names it: a capture holding every packet twice (two
//! bridge interfaces, or a file concatenated with itself), a connection seen without its SYN
//! whose sequence numbers jump by 150 million per segment, a refused control connection next
//! to HTTP connections between the same hosts, a client that pipelines its login before the
//! greeting and a reply with binary junk glued in front, TLS shut down by CCC with plain FTP
//! after it, implicit FTPS on port 990, and a command line the capture lost whose reply was
//! captured. Each capture is written as a classic pcap (Ethernet, microseconds) and analysed
//! by the built binary with `--format json`.

use etherparse::{PacketBuilder, SlicedPacket, TransportSlice};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

type Ep = ([u8; 4], u16);

/// An Ethernet/IPv4/TCP frame; `flags` holds any of S, A, F, P, R.
fn tcp_frame(src: Ep, dst: Ep, seq: u32, ack: u32, flags: &str, payload: &[u8]) -> Vec<u8> {
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
    if flags.contains('R') {
        b = b.rst();
    }
    let mut v = Vec::with_capacity(b.size(payload.len()));
    b.write(&mut v, payload).unwrap();
    v
}

/// A classic pcap (microseconds, little endian, Ethernet); frame `i` is stamped `i` ms after
/// the first.
fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        let ms = i as u32;
        out.extend_from_slice(&(1_700_000_000u32 + ms / 1000).to_le_bytes());
        out.extend_from_slice(&((ms % 1000) * 1000).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("foreign_traps");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `ftpflow analyze --format json --show-passwords FILE`, which must read it completely.
fn analyze(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json", "--show-passwords"])
        .arg(path)
        .output()
        .expect("run ftpflow");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: stderr {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn analyze_frames(name: &str, frames: &[Vec<u8>]) -> Value {
    analyze(&write(name, &pcap(frames)))
}

fn endpoint(v: &Value) -> String {
    format!("{}:{}", v["ip"].as_str().unwrap_or("?"), v["port"])
}

/// One TCP connection being written: each side's next sequence number.
struct Conn {
    c: Ep,
    s: Ep,
    cseq: u32,
    sseq: u32,
}

impl Conn {
    fn new(c: Ep, s: Ep) -> Self {
        Conn {
            c,
            s,
            cseq: 1_000,
            sseq: 900_000,
        }
    }

    fn handshake(&mut self, cap: &mut Vec<Vec<u8>>) {
        cap.push(tcp_frame(self.c, self.s, self.cseq, 0, "S", b""));
        cap.push(tcp_frame(
            self.s,
            self.c,
            self.sseq,
            self.cseq + 1,
            "SA",
            b"",
        ));
        self.cseq += 1;
        self.sseq += 1;
        cap.push(tcp_frame(self.c, self.s, self.cseq, self.sseq, "A", b""));
    }

    /// The client sends `data`; returns its frame number (1-based, as Wireshark counts).
    fn client(&mut self, cap: &mut Vec<Vec<u8>>, data: &[u8]) -> u64 {
        cap.push(tcp_frame(self.c, self.s, self.cseq, self.sseq, "PA", data));
        self.cseq = self.cseq.wrapping_add(data.len() as u32);
        cap.len() as u64
    }

    /// The server sends `data`, acknowledging everything the client sent; returns its frame.
    fn server(&mut self, cap: &mut Vec<Vec<u8>>, data: &[u8]) -> u64 {
        cap.push(tcp_frame(self.s, self.c, self.sseq, self.cseq, "PA", data));
        self.sseq = self.sseq.wrapping_add(data.len() as u32);
        cap.len() as u64
    }

    /// The client sent `len` bytes the capture does not hold.
    fn client_lost(&mut self, len: usize) {
        self.cseq = self.cseq.wrapping_add(len as u32);
    }
}

/// The session's commands as `(verb, final reply code)`.
fn verbs_and_codes(session: &Value) -> Vec<(String, Value)> {
    session["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["command"].as_str().unwrap_or("?").to_string(),
                c["reply_code"].clone(),
            )
        })
        .collect()
}

fn finding_kinds(session: &Value) -> Vec<String> {
    session["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn only_session(report: &Value) -> &Value {
    let sessions = report["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "one session: {sessions:#?}");
    &sessions[0]
}

// ---------------------------------------------------------------------------------------
// a. A capture holding its packets twice.

/// The records of a classic pcap file, each with its 16-byte record header, and the file
/// header.
fn pcap_records(bytes: &[u8]) -> (&[u8], Vec<&[u8]>) {
    let magic = u32::from_le_bytes(bytes[..4].try_into().unwrap());
    let little = match magic {
        0xa1b2_c3d4 | 0xa1b2_3c4d => true,
        0xd4c3_b2a1 | 0x4d3c_b2a1 => false,
        _ => panic!("not a classic pcap: magic {magic:#x}"),
    };
    let mut records = Vec::new();
    let mut off = 24;
    while off < bytes.len() {
        let field: [u8; 4] = bytes[off + 8..off + 12].try_into().unwrap();
        let incl = if little {
            u32::from_le_bytes(field)
        } else {
            u32::from_be_bytes(field)
        } as usize;
        records.push(&bytes[off..off + 16 + incl]);
        off += 16 + incl;
    }
    (&bytes[..24], records)
}

/// Whether an Ethernet frame is a TCP segment with payload, SYN or FIN (a segment whose
/// copy the analyzer must recognise as a copy, unlike a bare ACK that may repeat).
fn carries_something(record: &[u8]) -> bool {
    match SlicedPacket::from_ethernet(&record[16..]) {
        Ok(SlicedPacket {
            transport: Some(TransportSlice::Tcp(t)),
            ..
        }) => !t.payload().is_empty() || t.syn() || t.fin(),
        _ => false,
    }
}

/// What must not change when the packets are doubled: commands (frame mapped by `frame`),
/// transfers and their data connections, the summary.
fn assert_same_analysis(ctx: &str, got: &Value, orig: &Value, frame: impl Fn(u64) -> u64) {
    let g = only_session(got);
    let o = only_session(orig);
    assert_eq!(
        endpoint(&g["client"]),
        endpoint(&o["client"]),
        "{ctx}: client"
    );
    assert_eq!(
        endpoint(&g["server"]),
        endpoint(&o["server"]),
        "{ctx}: server"
    );
    let gc = g["commands"].as_array().unwrap();
    let oc = o["commands"].as_array().unwrap();
    assert_eq!(
        verbs_and_codes(g),
        verbs_and_codes(o),
        "{ctx}: commands and their final replies"
    );
    for (i, (gc, oc)) in gc.iter().zip(oc).enumerate() {
        let want = frame(oc["frame"].as_u64().unwrap());
        assert_eq!(
            gc["frame"], want,
            "{ctx}: command {i} {}: frame",
            oc["command"]
        );
        assert_eq!(gc["arg"], oc["arg"], "{ctx}: command {i}: argument");
        let codes = |c: &Value| -> Vec<Value> {
            c["replies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].clone())
                .collect()
        };
        assert_eq!(codes(gc), codes(oc), "{ctx}: command {i}: reply codes");
    }
    let gt = g["transfers"].as_array().unwrap();
    let ot = o["transfers"].as_array().unwrap();
    assert_eq!(gt.len(), ot.len(), "{ctx}: number of transfers");
    for (i, (gt, ot)) in gt.iter().zip(ot).enumerate() {
        for key in ["command", "arg", "mode", "bytes", "reply_code", "status"] {
            assert_eq!(gt[key], ot[key], "{ctx}: transfer {i}: {key}");
        }
        for side in ["client", "server"] {
            assert_eq!(
                endpoint(&gt["data"][side]),
                endpoint(&ot["data"][side]),
                "{ctx}: transfer {i}: data {side}"
            );
        }
        for dir in ["orig_to_resp", "resp_to_orig"] {
            assert_eq!(
                gt["data"][dir]["bytes"], ot["data"][dir]["bytes"],
                "{ctx}: transfer {i}: data {dir} bytes"
            );
        }
    }
    assert_eq!(g["summary"], o["summary"], "{ctx}: session summary");
    assert_eq!(
        got["unlinked_data_connections"], orig["unlinked_data_connections"],
        "{ctx}: unlinked data connections"
    );
    assert_eq!(
        got["capture"]["data_connections"], orig["capture"]["data_connections"],
        "{ctx}: data connections"
    );
}

/// `text` names `frame N` (not `frame N0`).
fn names_frame(text: &str, n: usize) -> bool {
    let needle = format!("frame {n}");
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

#[test]
fn duplicated_capture_counts_every_packet_once() {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed001-active-ls-pwd-quit.pcap");
    let bytes = std::fs::read(&sample).unwrap();
    let (header, records) = pcap_records(&bytes);
    let n = records.len();
    let must_be_copies = records.iter().filter(|r| carries_something(r)).count();
    assert!(must_be_copies > 0 && must_be_copies < n);
    let orig = analyze(&sample);
    assert_eq!(orig["capture"]["tcp"]["duplicate_packets"], 0);

    // Two bridge interfaces: every record twice in a row, same timestamps.
    let mut twice = header.to_vec();
    for r in &records {
        twice.extend_from_slice(r);
        twice.extend_from_slice(r);
    }
    // `mergecap -a f f`: the file followed by itself; time goes back at record n + 1.
    let mut again = header.to_vec();
    for _ in 0..2 {
        for r in &records {
            again.extend_from_slice(r);
        }
    }

    let mut reports = Vec::new();
    for (name, file, frame) in [
        (
            "each-record-twice.pcap",
            twice,
            (|f| 2 * f - 1) as fn(u64) -> u64,
        ),
        ("file-then-itself.pcap", again, (|f| f) as fn(u64) -> u64),
    ] {
        let got = analyze(&write(name, &file));
        assert_same_analysis(name, &got, &orig, frame);
        let dups = got["capture"]["tcp"]["duplicate_packets"].as_u64().unwrap();
        assert!(
            dups >= must_be_copies as u64 && dups <= n as u64,
            "{name}: duplicate_packets {dups}: the {must_be_copies} copies of segments with \
             payload, SYN or FIN at least, the {n} copies at most"
        );
        reports.push(got);
    }

    let got = &reports[1];
    let warnings: Vec<&str> = got["capture"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("time goes back") && names_frame(w, n + 1)),
        "a warning says that time goes back at frame {}: {warnings:#?}",
        n + 1
    );
}

// ---------------------------------------------------------------------------------------
// b. Sequence numbers that jump.

/// Where the data connection's packets are, relative to the control connection's.
#[derive(Debug, Clone, Copy)]
enum Placement {
    /// Its packets come first, then the session's: it waits for a session of its hosts.
    BeforeSession,
    /// Between two of the session's exchanges: the session is open when it shows up.
    DuringSession,
}

/// Checks the one connection 10.0.0.1:20 -> 10.0.0.2:40000 of `report`.
fn check_jumping_connection(ctx: &str, report: &Value, segments: u64, len: u64, jump: u64) {
    let wanted = |conn: &Value| {
        let mut eps = [endpoint(&conn["orig"]), endpoint(&conn["resp"])];
        eps.sort();
        eps == ["10.0.0.1:20".to_string(), "10.0.0.2:40000".to_string()]
    };
    let mut found: Vec<&Value> = report["unlinked_data_connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| wanted(c))
        .collect();
    for s in report["sessions"].as_array().unwrap() {
        for t in s["transfers"].as_array().unwrap() {
            if wanted(&t["data"]) {
                found.push(&t["data"]);
            }
        }
    }
    assert_eq!(
        found.len(),
        1,
        "{ctx}: one connection 10.0.0.1:20 -> 10.0.0.2:40000 listed for the session, not {} \
         (tcp_connections {}, other_tcp_connections {}, unlinked {:#})",
        found.len(),
        report["capture"]["tcp_connections"],
        report["capture"]["other_tcp_connections"],
        report["unlinked_data_connections"],
    );
    let conn = found[0];
    let dir = if endpoint(&conn["orig"]) == "10.0.0.1:20" {
        &conn["orig_to_resp"]
    } else {
        &conn["resp_to_orig"]
    };
    let span = (segments - 1) * jump + len;
    assert_eq!(
        dir["bytes"],
        segments * len,
        "{ctx}: bytes captured: {dir:#}"
    );
    assert_eq!(
        dir["bytes"].as_u64().unwrap() + dir["missed_bytes"].as_u64().unwrap(),
        span,
        "{ctx}: bytes + missed_bytes cover the sequence space used: {dir:#}"
    );
    assert_eq!(dir["sequence_span"], span, "{ctx}: sequence_span: {dir:#}");
}

#[test]
fn sequence_jumps_stay_one_connection() {
    const SEGMENTS: u64 = 30;
    const LEN: usize = 1000;
    const JUMP: u64 = 150_000_000;
    let server_data: Ep = ([10, 0, 0, 1], 20);
    let client_data: Ep = ([10, 0, 0, 2], 40000);
    // 30 segments whose sequence numbers advance by 150,000,000 each: past 2^32 by the end.
    let first_seq = 4_000_000_000u32;
    let data: Vec<Vec<u8>> = (0..SEGMENTS)
        .map(|i| {
            let seq = first_seq.wrapping_add((i * JUMP) as u32);
            tcp_frame(server_data, client_data, seq, 77_777, "PA", &[b'x'; LEN])
        })
        .collect();
    for placement in [Placement::BeforeSession, Placement::DuringSession] {
        // A control session already running when the capture starts.
        let mut ctl = Conn::new(([10, 0, 0, 2], 50000), ([10, 0, 0, 1], 21));
        let mut cap = Vec::new();
        if let Placement::DuringSession = placement {
            ctl.client(&mut cap, b"NOOP\r\n");
            ctl.server(&mut cap, b"200 NOOP ok.\r\n");
        }
        cap.extend(data.iter().cloned());
        ctl.client(&mut cap, b"NOOP\r\n");
        ctl.server(&mut cap, b"200 NOOP ok.\r\n");
        let report = analyze_frames(&format!("sequence-jumps-{placement:?}.pcap"), &cap);
        only_session(&report);
        let ctx = format!("data connection {placement:?}");
        check_jumping_connection(&ctx, &report, SEGMENTS, LEN as u64, JUMP);
    }
}

// ---------------------------------------------------------------------------------------
// c. A refused control connection and HTTP between the same hosts.

#[test]
fn refused_control_connection_next_to_http() {
    let client = [10, 9, 0, 1];
    let server = [10, 9, 0, 2];
    let mut cap = Vec::new();
    cap.push(tcp_frame((client, 40100), (server, 21), 5_000, 0, "S", b""));
    cap.push(tcp_frame(
        (server, 21),
        (client, 40100),
        0,
        5_001,
        "RA",
        b"",
    ));
    for i in 0..5 {
        let mut http = Conn::new((client, 40200 + i), (server, 8080));
        http.handshake(&mut cap);
        http.client(&mut cap, b"GET / HTTP/1.1\r\nHost: 10.9.0.2\r\n\r\n");
        http.server(
            &mut cap,
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
        );
    }
    let report = analyze_frames("refused-then-http.pcap", &cap);
    let s = only_session(&report);
    assert_eq!(endpoint(&s["server"]), "10.9.0.2:21");
    assert_eq!(s["commands"], serde_json::json!([]), "no commands");
    assert_eq!(
        report["unlinked_data_connections"],
        serde_json::json!([]),
        "HTTP is not FTP data"
    );
    assert_eq!(
        report["capture"]["unlinked_data_connections"], 0,
        "capture.unlinked_data_connections"
    );
    assert_eq!(
        report["capture"]["other_tcp_connections"], 5,
        "the five HTTP connections are other TCP connections"
    );
}

// ---------------------------------------------------------------------------------------
// d. Commands before the greeting, junk before a reply.

#[test]
fn pipelined_login_before_greeting_and_junk_before_reply() {
    let mut ctl = Conn::new(([10, 0, 0, 1], 40000), ([10, 0, 0, 2], 21));
    let mut cap = Vec::new();
    ctl.handshake(&mut cap);
    ctl.client(&mut cap, b"USER anna\r\nPASS secret\r\nSYST\r\n");
    ctl.server(&mut cap, b"220 ready\r\n");
    ctl.server(&mut cap, b"331 pw\r\n");
    ctl.server(&mut cap, b"230 ok\r\n");
    ctl.server(&mut cap, b"\x00\x10215 UNIX\r\n");
    let report = analyze_frames("pipelined-junk.pcap", &cap);
    let s = only_session(&report);
    assert_eq!(s["greeting"]["code"], 220, "greeting: {:#}", s["greeting"]);
    let want: Vec<(String, Value)> = [("USER", 331), ("PASS", 230), ("SYST", 215)]
        .iter()
        .map(|(v, c)| (v.to_string(), Value::from(*c)))
        .collect();
    assert_eq!(verbs_and_codes(s), want, "commands: {:#}", s["commands"]);
    assert!(
        finding_kinds(s).iter().any(|k| k == "junk_before_reply"),
        "a junk_before_reply finding: {:#}",
        s["findings"]
    );
}

// ---------------------------------------------------------------------------------------
// e. AUTH TLS, then CCC: plain text again.

/// A TLS record: content type, version 3.1, length, and a body that looks encrypted.
fn tls_record(content_type: u8, len: usize) -> Vec<u8> {
    let mut r = vec![content_type, 0x03, 0x01];
    r.extend_from_slice(&(len as u16).to_be_bytes());
    r.extend((0..len).map(|i| (i * 37 + 11) as u8 | 0x80));
    r
}

#[test]
fn auth_tls_then_ccc_goes_back_to_plain_text() {
    let mut ctl = Conn::new(([10, 0, 0, 1], 40000), ([10, 0, 0, 2], 21));
    let mut cap = Vec::new();
    ctl.handshake(&mut cap);
    ctl.server(&mut cap, b"220 ready\r\n");
    ctl.client(&mut cap, b"AUTH TLS\r\n");
    ctl.server(&mut cap, b"234 go\r\n");
    ctl.client(&mut cap, &tls_record(0x16, 180));
    ctl.server(&mut cap, &tls_record(0x16, 900));
    ctl.client(&mut cap, &tls_record(0x16, 300));
    ctl.server(&mut cap, &tls_record(0x16, 60));
    // PBSZ, PROT, CCC and their replies, encrypted.
    for _ in 0..3 {
        ctl.client(&mut cap, &tls_record(0x17, 40));
        ctl.server(&mut cap, &tls_record(0x17, 56));
    }
    // Each side closes TLS with an alert (close_notify, encrypted: 26 bytes).
    ctl.client(&mut cap, &tls_record(0x15, 0x1a));
    ctl.server(&mut cap, &tls_record(0x15, 0x1a));
    let pasv = ctl.client(&mut cap, b"PASV\r\n");
    ctl.server(&mut cap, b"227 Entering Passive Mode (10,0,0,2,200,10)\r\n");
    let stor = ctl.client(&mut cap, b"STOR a.txt\r\n");
    ctl.server(&mut cap, b"150 ok\r\n");
    let report = analyze_frames("auth-tls-ccc.pcap", &cap);
    let s = only_session(&report);
    let cmds = s["commands"].as_array().unwrap();
    assert!(cmds.len() >= 2, "commands: {cmds:#?}");
    let (p, st) = (&cmds[cmds.len() - 2], &cmds[cmds.len() - 1]);
    assert_eq!(p["command"], "PASV", "commands: {cmds:#?}");
    assert_eq!(p["frame"], pasv);
    assert_eq!(p["reply_code"], 227);
    assert_eq!(endpoint(&p["data_endpoint"]), "10.0.0.2:51210");
    assert_eq!(st["command"], "STOR", "commands: {cmds:#?}");
    assert_eq!(st["frame"], stor);
    assert_eq!(st["arg"], "a.txt");
    let codes: Vec<&Value> = st["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["code"])
        .collect();
    assert_eq!(codes, [&Value::from(150)], "STOR's replies");
    assert!(
        s["tls"]["ended"].is_object(),
        "tls.ended is given: {:#}",
        s["tls"]
    );
    assert!(
        finding_kinds(s).iter().any(|k| k == "tls_ended"),
        "a tls_ended finding: {:#}",
        s["findings"]
    );
}

// ---------------------------------------------------------------------------------------
// f. Implicit FTPS.

#[test]
fn implicit_ftps_on_990() {
    let mut ctl = Conn::new(([10, 0, 0, 1], 40000), ([10, 0, 0, 2], 990));
    let mut cap = Vec::new();
    ctl.handshake(&mut cap);
    ctl.client(&mut cap, &tls_record(0x16, 200));
    ctl.server(&mut cap, &tls_record(0x16, 1200));
    ctl.client(&mut cap, &tls_record(0x17, 40));
    ctl.server(&mut cap, &tls_record(0x17, 60));
    let report = analyze_frames("implicit-ftps.pcap", &cap);
    let s = only_session(&report);
    assert_eq!(endpoint(&s["server"]), "10.0.0.2:990");
    assert_eq!(s["tls"]["implicit"], true, "tls: {:#}", s["tls"]);
}

// ---------------------------------------------------------------------------------------
// g. A command line lost by the capture, its reply captured.

#[test]
fn lost_command_line_gives_an_inferred_record() {
    let mut ctl = Conn::new(([10, 0, 0, 1], 40000), ([10, 0, 0, 2], 21));
    let mut cap = Vec::new();
    ctl.handshake(&mut cap);
    ctl.server(&mut cap, b"220 ready\r\n");
    let user = ctl.client(&mut cap, b"USER anna\r\n");
    ctl.server(&mut cap, b"331 pw\r\n");
    ctl.client_lost(b"PASS secret\r\n".len());
    let logged_in = ctl.server(&mut cap, b"230 ok\r\n");
    let syst = ctl.client(&mut cap, b"SYST\r\n");
    ctl.server(&mut cap, b"215 UNIX Type: L8\r\n");
    let report = analyze_frames("lost-pass.pcap", &cap);
    let s = only_session(&report);
    let cmds = s["commands"].as_array().unwrap();
    let brief: Vec<String> = cmds
        .iter()
        .map(|c| {
            format!(
                "{} frame {} reply {} inferred {}",
                c["command"], c["frame"], c["reply_code"], c["inferred"]
            )
        })
        .collect();
    assert_eq!(cmds.len(), 3, "USER, an inferred record, SYST: {brief:#?}");
    assert_eq!(cmds[0]["command"], "USER", "{brief:#?}");
    assert_eq!(cmds[0]["frame"], user, "{brief:#?}");
    assert_eq!(cmds[0]["reply_code"], 331, "{brief:#?}");
    assert_eq!(cmds[1]["inferred"], true, "{brief:#?}");
    assert_eq!(cmds[1]["frame"], logged_in, "{brief:#?}");
    assert_eq!(cmds[1]["reply_code"], 230, "{brief:#?}");
    assert_eq!(cmds[2]["command"], "SYST", "{brief:#?}");
    assert_eq!(cmds[2]["frame"], syst, "SYST's own frame: {brief:#?}");
    assert_eq!(cmds[2]["reply_code"], 215, "{brief:#?}");
    assert!(cmds[2]["inferred"].is_null(), "{brief:#?}");
}
