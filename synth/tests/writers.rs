//! Capture writers: every layout is read back by tcpdump (skipped when it is not
//! installed) with the right packet count and timestamps, and the record headers say
//! what was asked (snaplen cut, wire length kept).

use ftpflow_synth::capfile::{self, Format};
use ftpflow_synth::link::LinkType;
use ftpflow_synth::packet::Packet;
use ftpflow_synth::pcap::{PcapOptions, PcapWriter};
use ftpflow_synth::pcapng::{Interface, PcapngWriter};
use ftpflow_synth::samples;
use ftpflow_synth::sink::PacketSink;
use std::path::{Path, PathBuf};
use std::process::Command;

fn trace() -> Vec<Packet> {
    // IPv4 and IPv6 packets together.
    let mut all = Vec::new();
    for name in ["seed001-active-ls-pwd-quit", "epsv-eprt-ipv6"] {
        let s = samples::all().into_iter().find(|s| s.name == name).unwrap();
        all.extend(s.generate().0);
    }
    all
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ftpflow-synth-writers-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

/// tcpdump's output lines (one per packet) for a file, decompressing `.gz` through gzip.
fn tcpdump(path: &Path, nano: bool) -> Vec<String> {
    let mut args = vec!["-n", "-tt"];
    if nano {
        args.push("--nano");
    }
    let out = if path.extension().is_some_and(|e| e == "gz") {
        let script = format!(
            "gzip -dc '{}' | tcpdump {} -r -",
            path.display(),
            args.join(" ")
        );
        Command::new("sh").args(["-c", &script]).output().unwrap()
    } else {
        Command::new("tcpdump")
            .args(&args)
            .arg("-r")
            .arg(path)
            .output()
            .unwrap()
    };
    assert!(
        out.status.success(),
        "tcpdump failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn check(path: &Path, packets: &[Packet], nano: bool) {
    if !have("tcpdump") {
        eprintln!("tcpdump not installed: skipping {}", path.display());
        return;
    }
    let lines = tcpdump(path, nano);
    assert_eq!(lines.len(), packets.len(), "{}", path.display());
    let first = &packets[0];
    let want = if nano {
        format!(
            "{}.{:09}",
            first.ts_ns / 1_000_000_000,
            first.ts_ns % 1_000_000_000
        )
    } else {
        format!(
            "{}.{:06}",
            first.ts_ns / 1_000_000_000,
            first.ts_ns % 1_000_000_000 / 1000
        )
    };
    assert!(
        lines[0].starts_with(&want),
        "{}: {} vs {want}",
        path.display(),
        lines[0]
    );
    assert!(
        lines.iter().any(|l| l.contains("IP6 ")),
        "{}: IPv6 decoded",
        path.display()
    );
    assert!(
        lines.iter().any(|l| l.contains("192.168.120.240.21 >")),
        "{}: IPv4 decoded",
        path.display()
    );
}

#[test]
fn pcap_every_link_type_byte_order_and_resolution() {
    let packets = trace();
    for link in [
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::Raw,
        LinkType::Null,
    ] {
        for big_endian in [false, true] {
            for nanos in [false, true] {
                let name = format!("t-{link:?}-{big_endian}-{nanos}.pcap");
                let path = tmp(&name);
                let opts = PcapOptions {
                    link,
                    nanos,
                    big_endian,
                    snaplen: 65535,
                };
                let mut w = capfile::create(&path, &Format::Pcap(opts)).unwrap();
                for p in &packets {
                    w.push(p.clone());
                }
                assert_eq!(w.packets(), packets.len() as u64);
                w.finish().unwrap();
                check(&path, &packets, nanos);
            }
        }
    }
}

#[test]
fn pcapng_sections_interfaces_and_gzip() {
    let packets = trace();
    for big_endian in [false, true] {
        for tsresol in [6u8, 9] {
            for gz in [false, true] {
                let path = tmp(&format!(
                    "t-{big_endian}-{tsresol}.pcapng{}",
                    if gz { ".gz" } else { "" }
                ));
                // libpcap wants one link type per file; the second interface differs in
                // resolution only, and carries nothing.
                let ifaces = vec![
                    Interface::new(LinkType::Ethernet, tsresol).named("eth0"),
                    Interface::new(LinkType::Ethernet, 15 - tsresol),
                ];
                let mut w = capfile::create(&path, &Format::Pcapng { big_endian, ifaces }).unwrap();
                for p in &packets {
                    w.push(p.clone());
                }
                w.finish().unwrap();
                check(&path, &packets, tsresol == 9);
            }
        }
    }
    // Two sections, packets on two interfaces of different resolutions in the second.
    let path = tmp("t-sections.pcapng");
    sections(&path, &packets, LinkType::Ethernet);
    if have("tcpdump") {
        assert_eq!(tcpdump(&path, false).len(), packets.len());
    }
    // libpcap refuses a second link type; Wireshark's reader takes it.
    let path = tmp("t-sections-raw.pcapng");
    sections(&path, &packets, LinkType::Raw);
    if have("tshark") {
        let out = Command::new("tshark")
            .arg("-r")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().lines().count(),
            packets.len()
        );
    }
}

fn sections(path: &Path, packets: &[Packet], second: LinkType) {
    let file = std::fs::File::create(path).unwrap();
    let mut w =
        PcapngWriter::new(file, false, vec![Interface::new(LinkType::Ethernet, 9)]).unwrap();
    let half = packets.len() / 2;
    for p in &packets[..half] {
        w.push(p.clone());
    }
    w.new_section(vec![Interface::new(second, 6), Interface::new(second, 9)])
        .unwrap();
    for (i, p) in packets[half..].iter().enumerate() {
        w.push_on(i % 2, p);
    }
    w.into_inner().unwrap();
}

#[test]
fn pcap_snaplen_cuts_and_keeps_wire_length() {
    let packets = trace();
    let mut w = PcapWriter::new(
        Vec::new(),
        PcapOptions {
            snaplen: 64,
            ..PcapOptions::default()
        },
    )
    .unwrap();
    for p in &packets {
        w.push(p.clone());
    }
    let bytes = w.into_inner().unwrap();
    assert_eq!(u32::from_le_bytes(bytes[16..20].try_into().unwrap()), 64);
    let mut off = 24;
    for p in &packets {
        let incl = u32::from_le_bytes(bytes[off + 8..off + 12].try_into().unwrap()) as usize;
        let orig = u32::from_le_bytes(bytes[off + 12..off + 16].try_into().unwrap()) as usize;
        assert_eq!(incl, p.data.len().min(64));
        assert_eq!(orig, p.data.len());
        off += 16 + incl;
    }
    assert_eq!(off, bytes.len());
    let path = tmp("t-snap.pcap");
    std::fs::write(&path, &bytes).unwrap();
    if have("tcpdump") {
        assert_eq!(tcpdump(&path, false).len(), packets.len());
    }
}

#[test]
fn committed_samples_read_back() {
    let dir = tmp("samples");
    samples::write_all(&dir).unwrap();
    for s in samples::all() {
        let (trace, _) = s.generate();
        let nano = matches!(&s.layout, samples::Layout::Pcap(o) if o.nanos);
        if have("tcpdump") {
            let lines = tcpdump(&s.capture_path(&dir), nano);
            assert_eq!(lines.len(), trace.len(), "{}", s.name);
        }
    }
}
