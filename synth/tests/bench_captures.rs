//! The benchmark generators (`ftpflow-synth bench` and `concurrent`), run as the benchmark
//! script runs them: same arguments, same bytes; the requested size reached; the promised
//! mix (active and passive, IPv6, reordering, retransmission); and in the concurrent
//! capture, every session logged in and every data connection open before anything closes.

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn synth(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow-synth"))
        .args(args)
        .output()
        .expect("runs ftpflow-synth");
    assert!(
        out.status.success(),
        "ftpflow-synth {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ftpflow-synth-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn summary(capture: &Path) -> serde_json::Value {
    let mut name = capture.as_os_str().to_owned();
    name.push(".summary.json");
    serde_json::from_str(&std::fs::read_to_string(name).unwrap()).unwrap()
}

/// One TCP packet of a classic pcap file, parsed with etherparse.
struct Pkt {
    ts_us: u64,
    src: String,
    dst: String,
    sport: u16,
    dport: u16,
    seq: u32,
    syn: bool,
    fin: bool,
    rst: bool,
    v6: bool,
    payload: Vec<u8>,
}

fn read_pcap(path: &Path) -> Vec<Pkt> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(
        &b[..4],
        &0xa1b2_c3d4u32.to_le_bytes(),
        "little-endian µs pcap"
    );
    let mut out = Vec::new();
    let mut off = 24;
    while off < b.len() {
        let u = |i: usize| u32::from_le_bytes(b[off + i..off + i + 4].try_into().unwrap());
        let (secs, usecs, caplen) = (u(0) as u64, u(4) as u64, u(8) as usize);
        let frame = &b[off + 16..off + 16 + caplen];
        off += 16 + caplen;
        let s = SlicedPacket::from_ethernet(frame).expect("frame parses");
        let (src, dst, v6) = match s.net.as_ref().expect("IP") {
            NetSlice::Ipv4(v4) => (
                v4.header().source_addr().to_string(),
                v4.header().destination_addr().to_string(),
                false,
            ),
            NetSlice::Ipv6(v6) => (
                v6.header().source_addr().to_string(),
                v6.header().destination_addr().to_string(),
                true,
            ),
            _ => panic!("IPv4 or IPv6"),
        };
        let Some(TransportSlice::Tcp(t)) = &s.transport else {
            panic!("TCP")
        };
        out.push(Pkt {
            ts_us: secs * 1_000_000 + usecs,
            src,
            dst,
            sport: t.source_port(),
            dport: t.destination_port(),
            seq: t.sequence_number(),
            syn: t.syn(),
            fin: t.fin(),
            rst: t.rst(),
            v6,
            payload: t.payload().to_vec(),
        });
    }
    assert_eq!(off, b.len(), "records end with the file");
    out
}

fn control_lines(pkts: &[Pkt]) -> Vec<String> {
    pkts.iter()
        .filter(|p| (p.sport == 21 || p.dport == 21) && !p.payload.is_empty())
        .map(|p| String::from_utf8_lossy(&p.payload).into_owned())
        .collect()
}

#[test]
fn bench_capture_is_deterministic_sized_and_mixed() {
    let d = dir("mixed");
    let (a, b, c) = (d.join("a.pcap"), d.join("b.pcap"), d.join("c.pcap"));
    let args = |out: &Path, seed: &str| {
        synth(&[
            "bench",
            "--out",
            out.to_str().unwrap(),
            "--bytes",
            "12M",
            "--sessions",
            "60",
            "--seed",
            seed,
        ])
    };
    args(&a, "7");
    args(&b, "7");
    args(&c, "8");
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes == std::fs::read(&b).unwrap(), "same seed, same bytes");
    assert!(
        bytes != std::fs::read(&c).unwrap(),
        "another seed, another capture"
    );
    let len = bytes.len() as u64;
    assert!(
        (12_000_000..12_200_000).contains(&len),
        "{len} bytes for 12M"
    );
    let s = summary(&a);
    assert_eq!(s["file_bytes"], len);
    assert!(a.with_extension("pcap.truth.json").exists());

    let pkts = read_pcap(&a);
    assert_eq!(s["packets"], pkts.len() as u64);
    assert!(pkts.windows(2).all(|w| w[0].ts_us <= w[1].ts_us));
    assert!(pkts.iter().any(|p| p.v6) && pkts.iter().any(|p| !p.v6));
    let sessions = s["ftp_sessions"].as_u64().unwrap();
    assert!(sessions >= 60, "{sessions} sessions");
    assert_eq!(
        pkts.iter().filter(|p| p.syn && p.dport == 21).count() as u64,
        sessions
    );
    let lines = control_lines(&pkts);
    for verb in [
        "PORT ", "EPRT ", "PASV", "EPSV", "RETR ", "STOR ", "LIST", "QUIT",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(verb)),
            "no {verb} command"
        );
    }
    let t = &s["transfers"];
    assert!(t["active"].as_u64().unwrap() > 0 && t["passive"].as_u64().unwrap() > 0);
    assert!(
        t["largest"].as_u64().unwrap() > 1_000_000,
        "a large transfer"
    );
    assert!(t["total"].as_u64().unwrap() > 100, "many small transfers");
    assert!(s["reordered_segments"].as_u64().unwrap() > 0);
    assert!(s["retransmitted_segments"].as_u64().unwrap() > 0);

    // Retransmissions are visible on the wire: a data segment's sequence number again.
    let mut seen = HashSet::new();
    let repeats = pkts
        .iter()
        .filter(|p| p.payload.len() >= 512)
        .filter(|p| !seen.insert((p.src.clone(), p.sport, p.dst.clone(), p.dport, p.seq)))
        .count() as u64;
    assert_eq!(repeats, s["retransmitted_segments"].as_u64().unwrap());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn concurrent_sessions_are_all_open_at_once() {
    let d = dir("concurrent");
    let (a, b) = (d.join("a.pcap"), d.join("b.pcap"));
    for out in [&a, &b] {
        synth(&[
            "concurrent",
            "--out",
            out.to_str().unwrap(),
            "--sessions",
            "400",
            "--seed",
            "3",
        ]);
    }
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    let s = summary(&a);
    assert_eq!(s["ftp_sessions"], 400);
    assert_eq!(s["tcp_connections"], 800);
    assert_eq!(s["peak_open_connections"], 800);
    assert_eq!(s["peak_open_sessions"], 400);
    assert_eq!(s["transfers"]["complete"], 400);

    let pkts = read_pcap(&a);
    assert!(pkts.windows(2).all(|w| w[0].ts_us <= w[1].ts_us));
    let first_close = pkts
        .iter()
        .position(|p| p.fin || p.rst)
        .expect("connections close");
    let before = &pkts[..first_close];
    // Every connection (control and data) opened before the first FIN...
    let syns = before
        .iter()
        .filter(|p| p.syn && !p.payload.is_empty())
        .count();
    assert_eq!(syns, 0);
    let opened: HashSet<(String, u16, String, u16)> = before
        .iter()
        .filter(|p| p.syn)
        .map(|p| (p.src.clone(), p.sport, p.dst.clone(), p.dport))
        .collect();
    assert_eq!(opened.len(), 800 * 2, "a SYN and a SYN-ACK per connection");
    assert!(pkts[first_close..].iter().all(|p| !p.syn));
    // ... and every session logged in by then.
    let logged_in = control_lines(before)
        .iter()
        .filter(|l| l.starts_with("230 "))
        .count();
    assert_eq!(logged_in, 400);
    // Each session's control connection carries one transfer's commands.
    let mut per_client: HashMap<(String, u16), usize> = HashMap::new();
    for p in pkts
        .iter()
        .filter(|p| p.dport == 21 && !p.payload.is_empty())
    {
        *per_client.entry((p.src.clone(), p.sport)).or_default() += 1;
    }
    assert_eq!(per_client.len(), 400);
    assert!(
        per_client.values().all(|&n| n == 5),
        "USER PASS setup xfer QUIT"
    );
    assert!(pkts.iter().any(|p| p.v6));
    let _ = std::fs::remove_dir_all(&d);
}
