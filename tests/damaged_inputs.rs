//! Every class of damaged input gets the exit code and the counters README.md promises
//! ("Damaged input" table), one by one: pcap and pcapng fields out of range, blocks ftpflow
//! skips by design, gzip damaged in the middle, and files that change while being read.
//!
//! Exit codes: 0 the input was read completely (blocks skipped by design are not damage);
//! 1 results were printed but the input was damaged (`corrupt_records` > 0 or a `problem`);
//! 2 nothing could be analysed. Captures are built byte by byte here.

use etherparse::PacketBuilder;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("damaged");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn analyze(name: &str, bytes: &[u8]) -> (Output, Option<Value>) {
    let path = tmp(name);
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "-f", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).ok();
    (out, json)
}

/// What one run gave: exit code, packets, skipped, corrupt, problem kind, warnings.
#[derive(Debug)]
struct Got {
    code: i32,
    packets: u64,
    skipped: u64,
    corrupt: u64,
    problem: Option<String>,
    warnings: Vec<String>,
    stderr: String,
}

fn run(name: &str, bytes: &[u8]) -> Got {
    let (out, json) = analyze(name, bytes);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().expect("exited");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    let Some(json) = json else {
        return Got {
            code,
            packets: 0,
            skipped: 0,
            corrupt: 0,
            problem: None,
            warnings: vec![],
            stderr,
        };
    };
    let file = &json["capture"]["files"][0];
    Got {
        code,
        packets: file["packets"].as_u64().unwrap(),
        skipped: file["skipped_packets"].as_u64().unwrap(),
        corrupt: file["corrupt_records"].as_u64().unwrap(),
        problem: file["problem"]["kind"].as_str().map(String::from),
        warnings: file["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect(),
        stderr,
    }
}

/// Ethernet/IPv4/TCP frames of a short FTP login, enough for one session.
fn frames() -> Vec<Vec<u8>> {
    let c = ([10, 0, 0, 1], 40000u16);
    let s = ([10, 0, 0, 2], 21u16);
    let f = |src: ([u8; 4], u16), dst: ([u8; 4], u16), seq, ack, syn: bool, data: &[u8]| {
        let mut b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src.0, dst.0, 64)
            .tcp(src.1, dst.1, seq, 65535);
        if syn {
            b = b.syn();
        }
        if ack != 0 {
            b = b.ack(ack);
        }
        let mut v = Vec::new();
        b.write(&mut v, data).unwrap();
        v
    };
    vec![
        f(c, s, 100, 0, true, b""),
        f(s, c, 500, 101, true, b""),
        f(c, s, 101, 501, false, b""),
        f(s, c, 501, 101, false, b"220 ready\r\n"),
        f(c, s, 101, 512, false, b"USER ftp\r\n"),
        f(s, c, 512, 111, false, b"331 pass\r\n"),
    ]
}

// --- pcap -------------------------------------------------------------------------------

fn pcap_header(linktype: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    for v in [0u32, 0, 65535, linktype] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

fn pcap_record(i: u32, caplen: u32, orig: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [1_700_000_000 + i, i * 1000, caplen, orig] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(data);
    out
}

fn pcap_of(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = pcap_header(1);
    for (i, f) in frames.iter().enumerate() {
        out.extend(pcap_record(i as u32, f.len() as u32, f.len() as u32, f));
    }
    out
}

#[test]
fn pcap_classes() {
    let fr = frames();
    let good = pcap_of(&fr);
    let g = run("pcap-good.pcap", &good);
    assert_eq!(
        (g.code, g.packets, g.corrupt, g.problem.as_deref()),
        (0, 6, 0, None)
    );

    // File header cut: a truncated capture of no packets.
    let g = run("pcap-header-cut.pcap", &good[..20]);
    assert_eq!(
        (g.code, g.packets, g.problem.as_deref()),
        (1, 0, Some("truncated")),
        "{g:?}"
    );

    // Record header cut, and record data cut: the packets before are analysed.
    let first_two = 24 + 2 * 16 + fr[0].len() + fr[1].len();
    for (name, cut) in [
        ("pcap-rechdr-cut.pcap", first_two + 9),
        ("pcap-data-cut.pcap", first_two + 16 + 5),
    ] {
        let g = run(name, &good[..cut]);
        assert_eq!(
            (g.code, g.packets, g.problem.as_deref()),
            (1, 2, Some("truncated")),
            "{name}: {g:?}"
        );
        assert!(
            g.stderr.contains(&format!("byte offset {first_two}")),
            "{name}: {}",
            g.stderr
        );
    }

    // A captured length beyond the original length, an absurd one, an original length of
    // 0: corrupt, skipped, and reading resumes at the next plausible record.
    for (name, caplen, orig) in [
        ("pcap-caplen-over-orig.pcap", fr[2].len() as u32, 10),
        ("pcap-caplen-absurd.pcap", 0x0100_0000, 0x0100_0000),
        ("pcap-orig-zero.pcap", fr[2].len() as u32, 0),
    ] {
        let mut bytes = pcap_header(1);
        for (i, f) in fr.iter().enumerate() {
            let (c, o) = if i == 2 {
                (caplen, orig)
            } else {
                (f.len() as u32, f.len() as u32)
            };
            bytes.extend(pcap_record(i as u32, c, o, f));
        }
        let g = run(name, &bytes);
        assert_eq!(
            (g.code, g.corrupt, g.skipped, g.problem.as_deref()),
            (1, 1, 1, None),
            "{name}: {g:?}"
        );
        assert_eq!(g.packets, 5, "{name}");
    }

    // A corrupt record with nothing plausible after it: the reading stops there.
    let mut bytes = good[..first_two].to_vec();
    bytes.extend_from_slice(&[0xff; 40]);
    let g = run("pcap-garbage-tail.pcap", &bytes);
    assert_eq!(
        (g.code, g.packets, g.problem.as_deref()),
        (1, 2, Some("corrupt")),
        "{g:?}"
    );

    // A zero-filled tail (preallocated file): not damage, said in a warning.
    let mut bytes = good.clone();
    bytes.extend_from_slice(&[0; 4096]);
    let g = run("pcap-zero-tail.pcap", &bytes);
    assert_eq!((g.code, g.packets, g.corrupt), (0, 6, 0), "{g:?}");
    assert!(g.warnings.iter().any(|w| w.contains("zero bytes")), "{g:?}");

    // A link type ftpflow cannot decode: nothing to analyse.
    let mut bytes = good.clone();
    bytes[20..24].copy_from_slice(&147u32.to_le_bytes());
    let g = run("pcap-linktype.pcap", &bytes);
    assert_eq!(g.code, 2);
    assert!(
        g.stderr.contains("link type USER (147) is not supported"),
        "{g:?}"
    );
}

// --- pcapng -----------------------------------------------------------------------------

/// A pcapng block: type, body, padding to 4 bytes, lengths at both ends.
fn block(be: bool, btype: u32, body: &[u8]) -> Vec<u8> {
    let w = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
    let padded = body.len().div_ceil(4) * 4;
    let len = (12 + padded) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&w(btype));
    out.extend_from_slice(&w(len));
    out.extend_from_slice(body);
    out.resize(8 + padded, 0);
    out.extend_from_slice(&w(len));
    out
}

fn u16b(be: bool, v: u16) -> [u8; 2] {
    if be { v.to_be_bytes() } else { v.to_le_bytes() }
}
fn u32b(be: bool, v: u32) -> [u8; 4] {
    if be { v.to_be_bytes() } else { v.to_le_bytes() }
}

fn shb(be: bool, major: u16) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&u32b(be, 0x1a2b_3c4d));
    body.extend_from_slice(&u16b(be, major));
    body.extend_from_slice(&u16b(be, 0));
    body.extend_from_slice(&[0xff; 8]); // section length: unknown
    block(be, 0x0a0d_0d0a, &body)
}

/// An interface description; `options` are raw option bytes (ending with opt_endofopt).
fn idb(be: bool, linktype: u16, options: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&u16b(be, linktype));
    body.extend_from_slice(&u16b(be, 0));
    body.extend_from_slice(&u32b(be, 65535));
    body.extend_from_slice(options);
    block(be, 1, &body)
}

fn epb(be: bool, iface: u32, i: u32, caplen: u32, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let ts = (1_700_000_000u64 + u64::from(i)) * 1_000_000;
    for v in [
        iface,
        (ts >> 32) as u32,
        ts as u32,
        caplen,
        data.len() as u32,
    ] {
        body.extend_from_slice(&u32b(be, v));
    }
    body.extend_from_slice(data);
    block(be, 6, &body)
}

/// A section in byte order `be` with one Ethernet interface and the session's packets;
/// `patch` may replace the packet block of frame `i`.
/// Replaces the packet block of frame `i` (given its bytes), or keeps it (`None`).
type Patch = dyn Fn(usize, &[u8]) -> Option<Vec<u8>>;

fn section(be: bool, patch: &Patch) -> Vec<u8> {
    let mut out = shb(be, 1);
    out.extend(idb(be, 1, &[]));
    for (i, f) in frames().iter().enumerate() {
        match patch(i, f) {
            Some(b) => out.extend(b),
            None => out.extend(epb(be, 0, i as u32, f.len() as u32, f)),
        }
    }
    out
}

fn none(_: usize, _: &[u8]) -> Option<Vec<u8>> {
    None
}

#[test]
fn pcapng_sections_and_blocks_read_completely() {
    // Both byte orders, and a second section of the other byte order: all read.
    let mut two = section(false, &none);
    two.extend(section(true, &none));
    let g = run("ng-two-orders.pcapng", &two);
    assert_eq!(
        (g.code, g.packets, g.corrupt, g.skipped),
        (0, 12, 0, 0),
        "{g:?}"
    );

    // Blocks skipped by design are not damage: unknown and custom block types, name
    // resolution and statistics blocks, a block bigger than the read buffer.
    let mut bytes = section(false, &none);
    bytes.extend(block(false, 0x0000_0bad, &[1, 2, 3, 4]));
    bytes.extend(block(false, 0x4000_0bad, &[0; 8]));
    bytes.extend(block(false, 4, &[0; 4]));
    bytes.extend(block(false, 5, &[0; 12]));
    bytes.extend(block(false, 0x0000_0bad, &vec![7u8; 5 << 20]));
    bytes.extend(epb(false, 0, 9, frames()[0].len() as u32, &frames()[0]));
    let g = run("ng-skipped-blocks.pcapng", &bytes);
    assert_eq!(
        (g.code, g.packets, g.corrupt, g.problem.as_deref()),
        (0, 7, 0, None),
        "{g:?}"
    );

    // An interface whose link type cannot be decoded beside one that can: its packets are
    // skipped and counted, with a warning; not damage.
    let mut bytes = shb(false, 1);
    bytes.extend(idb(false, 1, &[]));
    bytes.extend(idb(false, 147, &[]));
    for (i, f) in frames().iter().enumerate() {
        bytes.extend(epb(false, (i % 2) as u32, i as u32, f.len() as u32, f));
    }
    let g = run("ng-one-unsupported-iface.pcapng", &bytes);
    assert_eq!(
        (g.code, g.packets, g.skipped, g.corrupt),
        (0, 3, 3, 0),
        "{g:?}"
    );
    assert!(
        g.warnings.iter().any(|w| w.contains("cannot decode")),
        "{g:?}"
    );

    // Only undecodable interfaces: nothing to analyse.
    let mut bytes = shb(false, 1);
    bytes.extend(idb(false, 147, &[]));
    bytes.extend(epb(false, 0, 0, 4, &[1, 2, 3, 4]));
    let g = run("ng-all-unsupported.pcapng", &bytes);
    assert_eq!(g.code, 2, "{g:?}");
    assert!(
        g.stderr.contains("link type USER (147) is not supported"),
        "{g:?}"
    );

    // A section of a later major version: read as 1.0 with a warning.
    let mut bytes = shb(false, 2);
    bytes.extend(section(false, &none)[shb(false, 1).len()..].iter());
    let g = run("ng-version-2.pcapng", &bytes);
    assert_eq!((g.code, g.packets, g.corrupt), (0, 6, 0), "{g:?}");
    assert!(
        g.warnings.iter().any(|w| w.contains("version 2.0")),
        "{g:?}"
    );
}

#[test]
fn pcapng_fields_out_of_range_are_damage() {
    let len_of = |i: usize| epb(false, 0, i as u32, frames()[i].len() as u32, &frames()[i]).len();
    // Each case replaces the packet block of frame 2; the others are read.
    let cases: Vec<(&str, Box<Patch>)> = vec![
        // The captured length runs past the block.
        (
            "caplen-beyond-block",
            Box::new(|i, f| (i == 2).then(|| epb(false, 0, 2, f.len() as u32 + 100, f))),
        ),
        // The packet names an interface never described.
        (
            "undefined-iface",
            Box::new(|i, f| (i == 2).then(|| epb(false, 7, 2, f.len() as u32, f))),
        ),
        // The trailing length differs from the leading one.
        (
            "trailer-mismatch",
            Box::new(|i, f| {
                (i == 2).then(|| {
                    let mut b = epb(false, 0, 2, f.len() as u32, f);
                    let n = b.len();
                    b[n - 4..].copy_from_slice(&(n as u32 + 4).to_le_bytes());
                    b
                })
            }),
        ),
        // A length that is not a multiple of 4 (with the next block where it says).
        (
            "length-not-multiple-of-4",
            Box::new(|i, _| {
                (i == 2).then(|| {
                    let mut b = block(false, 6, &[0; 22]);
                    b.truncate(30);
                    b[4..8].copy_from_slice(&30u32.to_le_bytes());
                    b[26..30].copy_from_slice(&30u32.to_le_bytes());
                    b
                })
            }),
        ),
        // A packet block too short for its fixed fields.
        (
            "block-too-short",
            Box::new(|i, _| (i == 2).then(|| block(false, 6, &[0; 8]))),
        ),
        // A simple packet block too short to parse.
        (
            "spb-too-short",
            Box::new(|i, _| (i == 2).then(|| block(false, 3, &[]))),
        ),
    ];
    for (name, patch) in &cases {
        let g = run(
            &format!("ng-{name}.pcapng"),
            &section(false, patch.as_ref()),
        );
        assert_eq!(g.code, 1, "{name}: {g:?}");
        assert_eq!(g.corrupt, 1, "{name}: {g:?}");
        assert_eq!(g.packets, 5, "{name}: {g:?}");
        assert!(g.problem.is_none(), "{name}: {g:?}");
        assert!(!g.warnings.is_empty(), "{name}: {g:?}");
    }
    let _ = len_of;

    // Options of an interface description that run past the block, and an invalid time
    // resolution: damage; the packets are read with microsecond timestamps.
    let mut past = Vec::new();
    past.extend_from_slice(&9u16.to_le_bytes());
    past.extend_from_slice(&200u16.to_le_bytes());
    past.extend_from_slice(&[6, 0, 0, 0]);
    let bad_resol = [9u8, 0, 1, 0, 0x7f, 0, 0, 0, 0, 0, 0, 0];
    for (name, opts) in [
        ("idb-options-past-block", &past[..]),
        ("idb-bad-tsresol", &bad_resol[..]),
    ] {
        let mut bytes = shb(false, 1);
        bytes.extend(idb(false, 1, opts));
        for (i, f) in frames().iter().enumerate() {
            bytes.extend(epb(false, 0, i as u32, f.len() as u32, f));
        }
        let g = run(&format!("ng-{name}.pcapng"), &bytes);
        assert_eq!((g.code, g.corrupt, g.packets), (1, 1, 6), "{name}: {g:?}");
    }

    // Block lengths that cannot be followed: the reading stops there, with the offset.
    let good = section(false, &none);
    let at = shb(false, 1).len() + idb(false, 1, &[]).len() + len_of(0) + len_of(1);
    for (name, len) in [("length-under-12", 8u32), ("length-past-end", 1 << 20)] {
        let mut bytes = good.clone();
        bytes[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
        let g = run(&format!("ng-{name}.pcapng"), &bytes);
        assert_eq!(g.code, 1, "{name}: {g:?}");
        assert_eq!(g.packets, 2, "{name}: {g:?}");
        assert!(g.problem.is_some(), "{name}: {g:?}");
        assert!(
            g.stderr.contains(&format!("byte offset {at}")),
            "{name}: {}",
            g.stderr
        );
    }
    // Cut inside a block.
    let g = run("ng-cut.pcapng", &good[..at + 20]);
    assert_eq!(
        (g.code, g.packets, g.problem.as_deref()),
        (1, 2, Some("truncated")),
        "{g:?}"
    );

    // A later section header with an invalid byte-order magic: damage, reading stops.
    let mut bytes = good.clone();
    let mut bad = shb(false, 1);
    bad[8..12].copy_from_slice(&[1, 2, 3, 4]);
    bytes.extend(bad);
    let g = run("ng-bad-bom-later.pcapng", &bytes);
    assert_eq!(
        (g.code, g.packets, g.problem.as_deref()),
        (1, 6, Some("corrupt")),
        "{g:?}"
    );
    // ... and in the first one: not a capture.
    let g = run("ng-bad-bom-first.pcapng", &bytes[good.len()..]);
    assert_eq!(g.code, 2, "{g:?}");
    assert!(g.stderr.contains("no valid byte-order magic"), "{g:?}");
}

// --- gzip -------------------------------------------------------------------------------

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_damage() {
    // Enough packets that the damage lands after some of them.
    let many: Vec<Vec<u8>> = (0..200).flat_map(|_| frames()).collect();
    let plain = pcap_of(&many);
    let gz = gzip(&plain);
    let g = run("gz-good.pcap.gz", &gz);
    assert_eq!((g.code, g.packets), (0, 1200));

    // Bytes flipped in the middle, the stream cut, the trailer cut, bytes after the end.
    let mut flipped = gz.clone();
    let mid = gz.len() / 2;
    for b in &mut flipped[mid..mid + 16] {
        *b ^= 0x5a;
    }
    let cases = [
        ("gz-flipped", flipped),
        ("gz-cut", gz[..mid].to_vec()),
        ("gz-trailer-cut", gz[..gz.len() - 3].to_vec()),
        ("gz-trailing-garbage", [&gz[..], b"garbage!"].concat()),
    ];
    for (name, bytes) in cases {
        let g = run(&format!("{name}.pcap.gz"), &bytes);
        assert_eq!(g.code, 1, "{name}: {g:?}");
        assert!(
            matches!(g.problem.as_deref(), Some("truncated") | Some("read_error")),
            "{name}: {g:?}"
        );
        assert!(g.packets < 1200 || name != "gz-cut", "{name}: {g:?}");
        assert!(g.stderr.contains("byte offset"), "{name}: {}", g.stderr);
    }

    // gzip of something that is not a capture.
    let g = run("gz-text.pcap.gz", &gzip(b"just some text\n"));
    assert_eq!(g.code, 2, "{g:?}");
    assert!(g.stderr.contains("gzip-compressed text"), "{g:?}");
}

// --- a file that changes while it is read -----------------------------------------------

/// Truncated while ftpflow reads it (at a point inside a record): whatever the timing, the
/// result is consistent: every packet and exit 0 (read before the cut), or fewer packets,
/// exit 1 and the problem named with its offset. Never a panic, never a silent loss.
#[test]
fn a_file_shrinking_while_read() {
    let many: Vec<Vec<u8>> = (0..40_000).flat_map(|_| frames()).collect();
    let bytes = pcap_of(&many);
    let total = many.len() as u64;
    for round in 0..3 {
        let path = tmp(&format!("shrinking-{round}.pcap"));
        std::fs::write(&path, &bytes).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
            .args(["analyze", "-f", "json"])
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len((bytes.len() / (2 + round)) as u64 + 7).unwrap();
        let out = child.wait_with_output().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let file = &json["capture"]["files"][0];
        let packets = file["packets"].as_u64().unwrap();
        match out.status.code() {
            Some(0) => assert_eq!(packets, total, "exit 0 means every packet"),
            Some(1) => {
                assert!(packets < total);
                assert!(file["problem"]["kind"].is_string(), "{file}");
                assert!(String::from_utf8_lossy(&out.stderr).contains("byte offset"));
            }
            other => panic!("exit {other:?}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }
}

/// A file that grows while it is read is read up to where it ended when reading got
/// there: a stream cut at a record boundary is complete (exit 0), one cut inside a record
/// is truncated (exit 1); `analyze -` on `tail -f` follows a growing file instead.
#[test]
fn a_file_growing_while_read() {
    let fr = frames();
    let good = pcap_of(&fr);
    let cut = good.len() - 10;
    let path = tmp("growing.pcap");
    std::fs::write(&path, &good[..cut]).unwrap();
    let first = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "-f", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(1));
    // The rest arrives: read again, the capture is whole.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(&good[cut..])
        .unwrap();
    let g = run("growing-whole.pcap", &std::fs::read(&path).unwrap());
    assert_eq!((g.code, g.packets), (0, 6));
}
