//! Tests for capture input: captures written byte by byte in the tests, truncated and
//! damaged at every offset, plus the real captures in `/work/shared/corpus` when present.

use super::file::{MAX_BUF, ReadAhead, read_reader};
use super::*;
use std::io::{self, Read, Write};

// ---------------------------------------------------------------------------------------
// Helpers: writing captures by hand

fn w16(v: &mut Vec<u8>, x: u16, be: bool) {
    v.extend_from_slice(&if be { x.to_be_bytes() } else { x.to_le_bytes() });
}

fn w32(v: &mut Vec<u8>, x: u32, be: bool) {
    v.extend_from_slice(&if be { x.to_be_bytes() } else { x.to_le_bytes() });
}

struct Rec<'a> {
    sec: u32,
    frac: u32,
    data: &'a [u8],
    orig: u32,
}

fn rec(sec: u32, frac: u32, data: &[u8]) -> Rec<'_> {
    Rec {
        sec,
        frac,
        data,
        orig: data.len() as u32,
    }
}

/// A legacy pcap file; returns the bytes and the end offset of every record.
fn pcap(be: bool, nano: bool, dlt: u32, recs: &[Rec<'_>]) -> (Vec<u8>, Vec<usize>) {
    let mut v = Vec::new();
    w32(&mut v, if nano { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }, be);
    w16(&mut v, 2, be);
    w16(&mut v, 4, be);
    w32(&mut v, 0, be);
    w32(&mut v, 0, be);
    w32(&mut v, 65535, be);
    w32(&mut v, dlt, be);
    let mut ends = Vec::new();
    for r in recs {
        w32(&mut v, r.sec, be);
        w32(&mut v, r.frac, be);
        w32(&mut v, r.data.len() as u32, be);
        w32(&mut v, r.orig, be);
        v.extend_from_slice(r.data);
        ends.push(v.len());
    }
    (v, ends)
}

/// pcapng block builder.
struct Ng {
    v: Vec<u8>,
    be: bool,
    /// End offset of every packet block.
    packet_ends: Vec<usize>,
}

impl Ng {
    fn new() -> Ng {
        Ng {
            v: Vec::new(),
            be: false,
            packet_ends: Vec::new(),
        }
    }

    fn block(&mut self, btype: u32, body: &[u8]) {
        let len = 12 + body.len() as u32;
        assert_eq!(len % 4, 0, "test bug: unpadded block");
        w32(&mut self.v, btype, self.be);
        w32(&mut self.v, len, self.be);
        self.v.extend_from_slice(body);
        w32(&mut self.v, len, self.be);
    }

    fn shb(&mut self, be: bool) {
        self.be = be;
        let mut body = Vec::new();
        w32(&mut body, 0x1a2b_3c4d, be);
        w16(&mut body, 1, be);
        w16(&mut body, 0, be);
        body.extend_from_slice(&(-1i64).to_le_bytes());
        self.block(0x0a0d_0d0a, &body);
    }

    fn opt(&self, body: &mut Vec<u8>, code: u16, value: &[u8]) {
        w16(body, code, self.be);
        w16(body, value.len() as u16, self.be);
        body.extend_from_slice(value);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
    }

    fn idb(&mut self, dlt: u16, tsresol: Option<u8>, tsoffset: Option<i64>) {
        let mut body = Vec::new();
        w16(&mut body, dlt, self.be);
        w16(&mut body, 0, self.be);
        w32(&mut body, 262_144, self.be);
        self.opt(&mut body, 2, b"eth0");
        if let Some(r) = tsresol {
            self.opt(&mut body, 9, &[r]);
        }
        if let Some(o) = tsoffset {
            let bytes = if self.be {
                o.to_be_bytes()
            } else {
                o.to_le_bytes()
            };
            self.opt(&mut body, 14, &bytes);
        }
        self.opt(&mut body, 0, &[]);
        self.block(1, &body);
    }

    fn epb(&mut self, if_id: u32, ts: u64, data: &[u8], orig: u32, with_options: bool) {
        let mut body = Vec::new();
        w32(&mut body, if_id, self.be);
        w32(&mut body, (ts >> 32) as u32, self.be);
        w32(&mut body, ts as u32, self.be);
        w32(&mut body, data.len() as u32, self.be);
        w32(&mut body, orig, self.be);
        body.extend_from_slice(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        if with_options {
            let mut flags = Vec::new();
            w32(&mut flags, 1, self.be);
            self.opt(&mut body, 2, &flags);
            self.opt(&mut body, 1, b"a comment");
            self.opt(&mut body, 0, &[]);
        }
        self.block(6, &body);
        self.packet_ends.push(self.v.len());
    }

    fn opb(&mut self, if_id: u16, ts: u64, data: &[u8]) {
        let mut body = Vec::new();
        w16(&mut body, if_id, self.be);
        w16(&mut body, 0, self.be);
        w32(&mut body, (ts >> 32) as u32, self.be);
        w32(&mut body, ts as u32, self.be);
        w32(&mut body, data.len() as u32, self.be);
        w32(&mut body, data.len() as u32, self.be);
        body.extend_from_slice(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        self.block(2, &body);
        self.packet_ends.push(self.v.len());
    }

    fn spb(&mut self, data: &[u8], orig: u32) {
        let mut body = Vec::new();
        w32(&mut body, orig, self.be);
        body.extend_from_slice(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        self.block(3, &body);
        self.packet_ends.push(self.v.len());
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Got {
    number: u64,
    ts: i64,
    link: LinkType,
    data: Vec<u8>,
    orig_len: u32,
}

fn read_once(
    reader: Box<dyn Read + Send + '_>,
    first: u64,
    ahead: Option<ReadAhead>,
) -> (InputSummary, Vec<Got>) {
    let mut got = Vec::new();
    let summary = read_reader(
        "test".to_string(),
        reader,
        first,
        ahead,
        &mut |f: RawFrame<'_>| {
            got.push(Got {
                number: f.number,
                ts: f.ts.0,
                link: f.link,
                data: f.data.to_vec(),
                orig_len: f.orig_len,
            })
        },
    );
    assert_eq!(summary.packets, got.len() as u64);
    (summary, got)
}

/// Read-ahead settings that put chunk boundaries everywhere: one byte per chunk, records
/// carried through a small headroom, and no headroom at all (every carry copies).
const TINY_READ_AHEADS: [ReadAhead; 3] = [
    ReadAhead {
        chunk: 1,
        headroom: 0,
        buffers: 2,
    },
    ReadAhead {
        chunk: 7,
        headroom: 5,
        buffers: 3,
    },
    ReadAhead {
        chunk: 61,
        headroom: 40,
        buffers: 2,
    },
];

/// Reads on this thread, then with each read-ahead setting, and requires the same frames
/// and the same summary (problems, offsets, warnings) every time.
fn read_with<'a>(
    make: &dyn Fn() -> Box<dyn Read + Send + 'a>,
    first: u64,
) -> (InputSummary, Vec<Got>) {
    let direct = read_once(make(), first, None);
    // Tiny chunks only for small inputs: every chunk is a hand-over between threads, and
    // large inputs still meet chunk boundaries at every record with a 4 KiB chunk.
    let input_len = io::copy(&mut make(), &mut io::sink()).unwrap_or(u64::MAX);
    let tiny: &[ReadAhead] = match input_len {
        0..4096 => &TINY_READ_AHEADS,
        4096..65536 => &TINY_READ_AHEADS[1..],
        _ => &[ReadAhead {
            chunk: 4096,
            headroom: 100,
            buffers: 3,
        }],
    };
    for &cfg in tiny.iter().chain(&[ReadAhead::default()]) {
        let (summary, got) = read_once(make(), first, Some(cfg));
        assert_eq!(
            format!("{summary:?}"),
            format!("{:?}", direct.0),
            "read-ahead {cfg:?}"
        );
        assert!(got == direct.1, "read-ahead {cfg:?} gave other frames");
    }
    direct
}

fn read_bytes(bytes: &[u8]) -> (InputSummary, Vec<Got>) {
    read_with(&|| Box::new(bytes), 1)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A reader that hands out a few bytes at a time, like a pipe.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.step = self.step % 7 + 1;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A reader that fails after some bytes.
struct Failing<'a> {
    data: &'a [u8],
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let n = buf.len().min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn three_records() -> (Vec<u8>, Vec<usize>) {
    pcap(
        false,
        false,
        1,
        &[
            rec(1_700_000_000, 1, &[1; 60]),
            rec(1_700_000_001, 999_999, &[2; 61]),
            rec(1_700_000_002, 500_000, &[3; 62]),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// Input, LinkType, messages

#[test]
fn input_parsing_and_names() {
    assert_eq!(Input::parse("-"), Input::Stdin);
    assert_eq!(Input::Stdin.name(), "<stdin>");
    assert_eq!(Input::parse("a.pcap").name(), "a.pcap");
}

#[test]
fn link_types_and_names() {
    for (dlt, lt, name) in [
        (1, LinkType::Ethernet, "EN10MB"),
        (113, LinkType::LinuxSll, "LINUX_SLL"),
        (276, LinkType::LinuxSll2, "LINUX_SLL2"),
        (0, LinkType::Null, "NULL"),
        (108, LinkType::Loop, "LOOP"),
        (101, LinkType::Raw, "RAW"),
        (12, LinkType::Raw, "RAW"),
        (14, LinkType::Raw, "RAW"),
        (228, LinkType::Ipv4, "IPV4"),
        (229, LinkType::Ipv6, "IPV6"),
    ] {
        assert_eq!(LinkType::from_dlt(dlt), Some(lt));
        assert_eq!(lt.name(), name);
    }
    assert_eq!(LinkType::from_dlt(105), None);
    assert_eq!(dlt_name(105), "IEEE802_11 (105)");
    assert_eq!(dlt_name(4711), "DLT 4711");
}

#[test]
fn problem_messages_name_the_file() {
    let p = InputProblem::Truncated {
        offset: 42,
        message: "x".into(),
    };
    assert!(!p.is_fatal());
    assert!(p.message("f.pcap").starts_with("f.pcap: "));
    assert!(p.message("f.pcap").contains("42"));
    assert!(InputProblem::NotACapture { found: "x".into() }.is_fatal());
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains("\"kind\":\"truncated\""), "{json}");
}

// ---------------------------------------------------------------------------------------
// Legacy pcap

#[test]
fn pcap_all_byte_orders_and_resolutions() {
    for be in [false, true] {
        for nano in [false, true] {
            let frac = if nano { 123_456_789 } else { 123_456 };
            let mut r2 = rec(1_700_000_001, frac, &[9; 10]);
            r2.orig = 1514;
            let (bytes, _) = pcap(be, nano, 1, &[rec(1_700_000_000, 0, &[7; 54]), r2]);
            let (s, got) = read_bytes(&bytes);
            assert!(s.problem.is_none(), "{:?}", s.problem);
            assert_eq!(s.format, Some("pcap"));
            assert_eq!(s.nanosecond, nano);
            assert_eq!(s.packets, 2);
            assert_eq!(s.bytes, 64);
            assert_eq!(s.link_types, vec!["EN10MB"]);
            assert_eq!(got[0].number, 1);
            assert_eq!(got[0].ts, 1_700_000_000_000_000_000);
            assert_eq!(got[0].data, vec![7; 54]);
            assert_eq!(got[1].number, 2);
            let want = if nano {
                1_700_000_001_123_456_789
            } else {
                1_700_000_001_123_456_000
            };
            assert_eq!(got[1].ts, want);
            assert_eq!(got[1].orig_len, 1514);
            assert_eq!(got[1].link, LinkType::Ethernet);
        }
    }
}

#[test]
fn pcap_modified_format() {
    let mut v = Vec::new();
    w32(&mut v, 0xa1b2_cd34, false);
    w16(&mut v, 2, false);
    w16(&mut v, 4, false);
    v.extend_from_slice(&[0; 8]);
    w32(&mut v, 65535, false);
    w32(&mut v, 101, false);
    w32(&mut v, 5, false);
    w32(&mut v, 6, false);
    w32(&mut v, 3, false);
    w32(&mut v, 3, false);
    v.extend_from_slice(&[0; 8]); // ifindex, protocol, pkt_type, pad
    v.extend_from_slice(&[0x45, 0, 0]);
    let (s, got) = read_bytes(&v);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].ts, 5_000_006_000);
    assert_eq!(got[0].link, LinkType::Raw);
    assert_eq!(got[0].data, vec![0x45, 0, 0]);
}

#[test]
fn frame_numbers_continue_from_first_number() {
    let (bytes, _) = three_records();
    let (s, got) = read_with(&|| Box::new(&bytes[..]), 101);
    assert_eq!(
        got.iter().map(|g| g.number).collect::<Vec<_>>(),
        [101, 102, 103]
    );
    assert_eq!(s.numbered, 3);
}

#[test]
fn pcap_truncated_at_every_offset() {
    let (bytes, ends) = three_records();
    for cut in 0..=bytes.len() {
        let (s, got) = read_bytes(&bytes[..cut]);
        let complete = ends.iter().filter(|&&e| e <= cut).count();
        assert_eq!(got.len(), complete, "cut at {cut}");
        let at_boundary = cut == 24 || ends.contains(&cut);
        match &s.problem {
            None => assert!(at_boundary, "cut at {cut}: no problem"),
            Some(InputProblem::Truncated { offset, .. }) => {
                assert!(!at_boundary && cut >= 4, "cut at {cut}");
                let record_start = if cut < 24 {
                    0
                } else {
                    ends.iter()
                        .copied()
                        .filter(|&e| e <= cut)
                        .max()
                        .unwrap_or(24)
                };
                assert_eq!(*offset as usize, record_start, "cut at {cut}");
            }
            Some(InputProblem::NotACapture { .. }) => assert!(cut < 4, "cut at {cut}"),
            Some(p) => panic!("cut at {cut}: {p:?}"),
        }
    }
}

#[test]
fn pcap_through_a_trickling_pipe() {
    let (bytes, _) = three_records();
    let (s, got) = read_with(
        &|| {
            Box::new(Trickle {
                data: &bytes,
                step: 0,
            })
        },
        1,
    );
    assert!(s.problem.is_none());
    assert_eq!(got.len(), 3);
    let (_, direct) = read_bytes(&bytes);
    assert_eq!(got, direct);
}

#[test]
fn read_error_in_the_middle() {
    let (bytes, ends) = three_records();
    let (s, got) = read_with(
        &|| {
            Box::new(Failing {
                data: &bytes[..ends[1] + 5],
            })
        },
        1,
    );
    assert_eq!(got.len(), 2);
    match s.problem {
        Some(InputProblem::ReadError { offset, message }) => {
            assert_eq!(offset as usize, ends[1] + 5);
            assert!(message.contains("disk on fire"));
        }
        p => panic!("{p:?}"),
    }
    let (s, _) = read_with(&|| Box::new(Failing { data: &[] }), 1);
    assert!(matches!(s.problem, Some(InputProblem::Unreadable { .. })));
}

#[test]
fn pcap_corrupt_record_is_resynchronised() {
    let (mut bytes, ends) = three_records();
    // Record 2 claims 16 MiB.
    bytes[ends[0] + 8..ends[0] + 12].copy_from_slice(&0x0100_0000u32.to_le_bytes());
    let (s, got) = read_bytes(&bytes);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].data, vec![3; 62]);
    assert_eq!(s.skipped_packets, 1);
    assert_eq!(s.warnings.len(), 1);
    assert!(
        s.warnings[0].contains(&format!("offset {}", ends[0])),
        "{}",
        s.warnings[0]
    );
    assert!(s.warnings[0].contains(&format!("offset {}", ends[1])));

    // Garbage inserted between two records.
    let (bytes, ends) = three_records();
    let mut spliced = bytes[..ends[0]].to_vec();
    spliced.extend_from_slice(&[0xff; 7]);
    spliced.extend_from_slice(&bytes[ends[0]..]);
    let (s, got) = read_bytes(&spliced);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].data, vec![2; 61]);
    assert!(
        s.warnings[0].contains("skipped 7 bytes"),
        "{}",
        s.warnings[0]
    );

    // Captured length above the original length, in the last record: nothing follows.
    let (mut bytes, ends) = three_records();
    bytes[ends[1] + 12..ends[1] + 16].copy_from_slice(&10u32.to_le_bytes());
    let (s, got) = read_bytes(&bytes);
    assert_eq!(got.len(), 2);
    match s.problem {
        Some(InputProblem::Corrupt { offset, .. }) => assert_eq!(offset as usize, ends[1]),
        p => panic!("{p:?}"),
    }
}

#[test]
fn pcap_zero_filled_tail_is_a_warning() {
    let (mut bytes, _) = three_records();
    bytes.extend_from_slice(&[0; 5000]);
    let (s, got) = read_bytes(&bytes);
    assert_eq!(got.len(), 3);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(s.warnings.len(), 1);
    assert!(
        s.warnings[0].contains("5000 zero bytes"),
        "{}",
        s.warnings[0]
    );
}

#[test]
fn pcap_resync_over_a_mebibyte_of_garbage() {
    let (bytes, ends) = three_records();
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut spliced = bytes[..ends[0]].to_vec();
    for _ in 0..(1 << 20) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        spliced.push(seed as u8);
    }
    spliced.extend_from_slice(&bytes[ends[0]..]);
    let (s, got) = read_bytes(&spliced);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].data, vec![3; 62]);
}

#[test]
fn pcap_unsupported_link_type() {
    let (bytes, _) = pcap(false, false, 105, &[rec(1, 0, &[0; 30])]);
    let (s, got) = read_bytes(&bytes);
    assert!(got.is_empty());
    match &s.problem {
        Some(p @ InputProblem::UnsupportedLinkType { dlt: 105, name }) => {
            assert_eq!(name, "IEEE802_11 (105)");
            assert!(p.is_fatal());
            assert!(p.message("w.pcap").contains("IEEE802_11 (105)"));
        }
        p => panic!("{p:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// pcapng

/// Two sections of different byte order; interfaces with different link types and
/// resolutions; EPB (with and without options), OPB, SPB, and blocks to skip.
fn two_section_pcapng() -> Ng {
    let mut ng = Ng::new();
    ng.shb(false);
    ng.idb(1, Some(9), None); // Ethernet, nanoseconds
    ng.idb(101, Some(6), None); // raw IP, microseconds
    ng.epb(0, 1_700_000_000_123_456_789, &[0xaa; 60], 60, false);
    ng.block(4, &[0, 0, 0, 0]); // name resolution block: skipped
    ng.epb(1, 1_700_000_001_000_001, &[0x45; 41], 1500, true);
    ng.shb(true);
    ng.idb(113, Some(0x80 | 20), Some(100)); // Linux SLL, 2^-20 s, +100 s
    ng.epb(0, 3 << 20 | 1 << 19, &[0xbb; 44], 44, true); // 3.5 s
    ng.opb(0, 1 << 20, &[0xcc; 45]);
    ng.spb(&[0xdd; 47], 47);
    ng.block(0x0000_0bad, &[1, 2, 3, 4]); // custom block: skipped
    ng
}

#[test]
fn pcapng_sections_interfaces_and_resolutions() {
    let ng = two_section_pcapng();
    let (s, got) = read_bytes(&ng.v);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert!(s.warnings.len() == 1 && s.warnings[0].contains("no timestamp"));
    assert_eq!(s.format, Some("pcapng"));
    assert!(s.nanosecond);
    assert_eq!(s.link_types, vec!["EN10MB", "RAW", "LINUX_SLL"]);
    assert_eq!(got.len(), 5);
    assert_eq!(got[0].ts, 1_700_000_000_123_456_789);
    assert_eq!(got[0].link, LinkType::Ethernet);
    assert_eq!(got[0].data, vec![0xaa; 60]);
    assert_eq!(got[1].ts, 1_700_000_001_000_001_000);
    assert_eq!(got[1].link, LinkType::Raw);
    assert_eq!(got[1].data, vec![0x45; 41]);
    assert_eq!(got[1].orig_len, 1500);
    assert_eq!(got[2].ts, 103_500_000_000);
    assert_eq!(got[2].link, LinkType::LinuxSll);
    assert_eq!(got[2].data, vec![0xbb; 44]);
    assert_eq!(got[3].ts, 101_000_000_000);
    assert_eq!(got[3].data, vec![0xcc; 45]);
    // SPB: interface 0, the previous packet's time, data without padding.
    assert_eq!(got[4].ts, 101_000_000_000);
    assert_eq!(got[4].data, vec![0xdd; 47]);
    assert_eq!(
        got.iter().map(|g| g.number).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
}

#[test]
fn pcapng_binary_resolution_is_exact() {
    let mut ng = Ng::new();
    ng.shb(false);
    ng.idb(1, Some(0x80 | 10), None); // 1/1024 s
    ng.epb(0, 1024 * 5 + 1, &[0; 20], 20, false);
    let (_, got) = read_bytes(&ng.v);
    assert_eq!(got[0].ts, 5_000_000_000 + 976_562); // 1/1024 s = 976562.5 ns, truncated
}

#[test]
fn pcapng_truncated_at_every_offset() {
    let ng = two_section_pcapng();
    let bytes = &ng.v;
    for cut in 0..=bytes.len() {
        let (s, got) = read_bytes(&bytes[..cut]);
        let complete = ng.packet_ends.iter().filter(|&&e| e <= cut).count();
        assert_eq!(got.len(), complete, "cut at {cut}");
        if cut >= 12 {
            match &s.problem {
                None | Some(InputProblem::Truncated { .. }) => {}
                Some(p) => panic!("cut at {cut}: {p:?}"),
            }
        }
    }
}

#[test]
fn pcapng_unsupported_interface_is_counted_once() {
    let mut ng = Ng::new();
    ng.shb(false);
    ng.idb(1, None, None);
    ng.idb(105, None, None); // 802.11: unsupported
    ng.epb(1, 1, &[0; 24], 24, false);
    ng.epb(0, 2, &[0; 24], 24, false);
    ng.epb(1, 3, &[0; 24], 24, false);
    let (s, got) = read_bytes(&ng.v);
    assert!(s.problem.is_none());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].number, 2, "skipped packets keep their frame numbers");
    assert_eq!(s.skipped_packets, 2);
    assert_eq!(s.numbered, 3);
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("IEEE802_11 (105)") && s.warnings[0].contains("2 packets"));

    let mut ng = Ng::new();
    ng.shb(false);
    ng.idb(105, None, None);
    ng.epb(0, 1, &[0; 24], 24, false);
    let (s, got) = read_bytes(&ng.v);
    assert!(got.is_empty());
    assert!(matches!(
        s.problem,
        Some(InputProblem::UnsupportedLinkType { dlt: 105, .. })
    ));
}

#[test]
fn pcapng_damaged_blocks() {
    // Trailing length mismatch with a good block after it: skipped.
    let mut ng = Ng::new();
    ng.shb(false);
    ng.idb(1, None, None);
    ng.epb(0, 1, &[1; 20], 20, false);
    let bad_end = ng.v.len();
    ng.epb(0, 2, &[2; 20], 20, false);
    let mut bytes = ng.v.clone();
    bytes[bad_end - 4] ^= 0x40;
    let (s, got) = read_bytes(&bytes);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, vec![2; 20]);
    assert_eq!(s.skipped_packets, 1);

    // Same, but garbage after it: corrupt, stop.
    let mut bytes = ng.v.clone();
    bytes[bad_end - 4] ^= 0x40;
    bytes[bad_end] = 0x77;
    bytes[bad_end + 4] = 0x03;
    let (s, got) = read_bytes(&bytes);
    assert!(got.is_empty());
    assert!(
        matches!(s.problem, Some(InputProblem::Corrupt { .. })),
        "{:?}",
        s.problem
    );

    // A length below 12: corrupt.
    let mut bytes = ng.v.clone();
    let first_epb = ng.packet_ends[0] - 52;
    bytes[first_epb + 4..first_epb + 8].copy_from_slice(&8u32.to_le_bytes());
    let (s, _) = read_bytes(&bytes);
    match s.problem {
        Some(InputProblem::Corrupt { offset, .. }) => assert_eq!(offset as usize, first_epb),
        p => panic!("{p:?}"),
    }

    // Captured length larger than the block: skipped with a warning.
    let mut bytes = ng.v.clone();
    bytes[first_epb + 20..first_epb + 24].copy_from_slice(&999u32.to_le_bytes());
    let (s, got) = read_bytes(&bytes);
    assert!(s.problem.is_none());
    assert_eq!(got.len(), 1);
    assert!(s.warnings[0].contains("claims 999"), "{}", s.warnings[0]);

    // Packet on an interface that was never described.
    let mut ng2 = Ng::new();
    ng2.shb(false);
    ng2.epb(3, 1, &[1; 20], 20, false);
    let (s, got) = read_bytes(&ng2.v);
    assert!(got.is_empty());
    assert_eq!(s.skipped_packets, 1);
    assert!(s.warnings[0].contains("no interface description"));
}

#[test]
fn pcapng_blocks_bigger_than_the_buffer_are_streamed_past() {
    let mut ng = Ng::new();
    ng.shb(false);
    ng.idb(1, None, None);
    ng.block(0x4000_0bad, &vec![0u8; MAX_BUF + 4096]);
    let big = vec![0u8; MAX_BUF + 100];
    ng.epb(0, 1, &big, big.len() as u32, false);
    ng.epb(0, 2, &[5; 20], 20, false);
    let (s, got) = read_bytes(&ng.v);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 1);
    assert_eq!(s.skipped_packets, 1);
    assert_eq!(s.warnings.len(), 1);
}

#[test]
fn pcapng_bad_byte_order_magic() {
    let mut ng = Ng::new();
    ng.shb(false);
    ng.v[8] = 0x99;
    let (s, _) = read_bytes(&ng.v);
    assert!(matches!(s.problem, Some(InputProblem::NotACapture { .. })));
}

// ---------------------------------------------------------------------------------------
// gzip

#[test]
fn gzip_pcap_and_pcapng() {
    let (bytes, _) = three_records();
    let (s, got) = read_bytes(&gzip(&bytes));
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert!(s.gzip);
    assert_eq!(got, read_bytes(&bytes).1);

    let ng = two_section_pcapng();
    let (s, got) = read_bytes(&gzip(&ng.v));
    assert!(s.problem.is_none() && s.gzip);
    assert_eq!(got.len(), 5);

    // Several gzip members, split in the middle of a record.
    let mut multi = gzip(&bytes[..50]);
    multi.extend_from_slice(&gzip(&bytes[50..]));
    let (s, got) = read_bytes(&multi);
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert_eq!(got.len(), 3);
}

#[test]
fn gzip_truncated_at_every_offset() {
    let (bytes, ends) = three_records();
    let gz = gzip(&bytes);
    for cut in 0..gz.len() {
        let (s, got) = read_bytes(&gz[..cut]);
        assert!(got.len() <= ends.len());
        assert!(s.problem.is_some(), "cut at {cut}: no problem reported");
        if let Some(InputProblem::Truncated { message, .. }) = &s.problem {
            assert!(message.contains("decompressed"), "{message}");
        }
    }
    // Cut inside the trailer: all data is there, the damage is still reported.
    let (s, got) = read_bytes(&gz[..gz.len() - 2]);
    assert_eq!(got.len(), 3);
    assert!(s.problem.is_some());
}

// ---------------------------------------------------------------------------------------
// Not captures

#[test]
fn garbage_inputs_are_described() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![], "an empty file"),
        (
            b"hello world, this is text\n".to_vec(),
            "text: \"hello world",
        ),
        (b"{\"json\": true}".to_vec(), "JSON text"),
        (b"PK\x03\x04\x14\x00\x08\x00".to_vec(), "ZIP"),
        (b"\x7fELF\x02\x01\x01\x00".to_vec(), "ELF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3".to_vec(), "PDF"),
        (
            vec![0x00, 0x01, 0x02, 0x03, 0xfe, 0xff],
            "first bytes 00 01 02 03 fe ff",
        ),
        (
            gzip(b"just some text"),
            "gzip-compressed text: \"just some text\"",
        ),
        (gzip(b""), "decompresses to nothing"),
        (gzip(&gzip(b"x")), "gzip-compressed data containing gzip"),
        (
            vec![0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad],
            "cannot be decompressed",
        ),
    ];
    for (bytes, want) in cases {
        let (s, got) = read_bytes(&bytes);
        assert!(got.is_empty());
        match &s.problem {
            Some(p @ InputProblem::NotACapture { found }) => {
                assert!(found.contains(want), "{found:?} should contain {want:?}");
                assert!(p.is_fatal());
            }
            p => panic!("{bytes:?}: {p:?}"),
        }
    }
}

#[test]
fn unreadable_path() {
    let s = read_input_direct(
        &Input::parse("/nonexistent/dir/x.pcap"),
        1,
        &mut |_: RawFrame<'_>| {},
    );
    assert!(matches!(s.problem, Some(InputProblem::Unreadable { .. })));
    let s = read_input_direct(&Input::parse("/"), 1, &mut |_: RawFrame<'_>| {});
    assert!(
        matches!(s.problem, Some(InputProblem::Unreadable { .. })),
        "{:?}",
        s.problem
    );
}

/// Random damage to valid captures never panics, and packet counts stay sane.
#[test]
fn random_damage_never_panics() {
    let (pcap_bytes, _) = three_records();
    let ng = two_section_pcapng();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for base in [&pcap_bytes, &ng.v] {
        for _ in 0..3000 {
            let mut b = base.clone();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() % b.len() as u64) as usize;
                b[i] = next() as u8;
            }
            let cut = (next() % (b.len() as u64 + 1)) as usize;
            let (s, got) = read_bytes(&b[..cut]);
            assert!(got.len() <= 6, "{} packets from {} bytes", got.len(), cut);
            assert_eq!(s.packets, got.len() as u64);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Real captures

/// The captures in /work/shared/corpus read without problems and with the packet counts
/// tcpdump reports. Skipped when the directory or tcpdump is absent.
#[test]
fn corpus_matches_tcpdump() {
    let Ok(dir) = std::fs::read_dir("/work/shared/corpus") else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let mut paths: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    paths.sort();
    for path in paths {
        let mut n = 0u64;
        let s = read_input_direct(&Input::Path(path.clone()), 1, &mut |_: RawFrame<'_>| n += 1);
        assert!(s.problem.is_none(), "{}: {:?}", path.display(), s.problem);
        assert!(
            s.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            s.warnings
        );
        assert_eq!(n, s.packets);
        let Ok(out) = std::process::Command::new("tcpdump")
            .arg("-nr")
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .output()
        else {
            eprintln!("tcpdump absent: count check skipped");
            return;
        };
        let lines = out.stdout.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(
            n,
            lines,
            "{}: packet count differs from tcpdump",
            path.display()
        );
    }
}

/// The corpus converted by Wireshark's editcap (pcapng, nanosecond pcap, Kuznetsov's
/// modified pcap, gzip) reads exactly like the original: same frames, data and times.
/// Skipped when the corpus or editcap is absent.
#[test]
fn corpus_converted_by_editcap_reads_the_same() {
    let Ok(dir) = std::fs::read_dir("/work/shared/corpus") else {
        return;
    };
    let mut paths: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    paths.sort();
    let tmp = std::env::temp_dir().join(format!("ftpflow-capture-test-{}", std::process::id()));
    if std::fs::create_dir_all(&tmp).is_err() {
        return;
    }
    let frames = |path: &std::path::Path| {
        let mut got = Vec::new();
        let s = read_input_direct(&Input::Path(path.to_path_buf()), 1, &mut |f: RawFrame<
            '_,
        >| {
            got.push((f.number, f.ts.0, f.link, f.data.to_vec(), f.orig_len))
        });
        (s, got)
    };
    'files: for path in paths.iter().take(6) {
        let (_, want) = frames(path);
        for format in ["pcapng", "nsecpcap", "modpcap"] {
            let out = tmp.join(format);
            let Ok(status) = std::process::Command::new("editcap")
                .arg("-F")
                .arg(format)
                .arg(path)
                .arg(&out)
                .stderr(std::process::Stdio::null())
                .status()
            else {
                eprintln!("editcap absent: skipped");
                break 'files;
            };
            if !status.success() {
                eprintln!("editcap cannot write {format} here: skipped");
                continue;
            }
            let (s, got) = frames(&out);
            assert!(
                s.problem.is_none(),
                "{} as {format}: {:?}",
                path.display(),
                s.problem
            );
            assert_eq!(got, want, "{} as {format}", path.display());
            // The same, gzip-compressed.
            let compressed = gzip(&std::fs::read(&out).unwrap());
            let (s, got) = read_bytes(&compressed);
            assert!(s.problem.is_none() && s.gzip, "{:?}", s.problem);
            let got: Vec<_> = got
                .into_iter()
                .map(|g| (g.number, g.ts, g.link, g.data, g.orig_len))
                .collect();
            assert_eq!(got, want, "{} as gzip-compressed {format}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

fn read_input_direct(
    input: &Input,
    first: u64,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> InputSummary {
    read_input(input, first, None, sink)
}

/// A frame's number, timestamp, bytes and original length.
type Frame = (u64, i64, Vec<u8>, u32);

/// A file's summary (as text) and frames, read with `ahead`.
fn read_path(path: &std::path::Path, ahead: Option<ReadAhead>) -> (String, Vec<Frame>) {
    let mut got = Vec::new();
    let s = read_input(
        &Input::Path(path.to_path_buf()),
        1,
        ahead,
        &mut |f: RawFrame<'_>| got.push((f.number, f.ts.0, f.data.to_vec(), f.orig_len)),
    );
    (format!("{s:?}"), got)
}

/// Every capture of the project (samples/, ../shared/corpus/, gzip included) gives the
/// same frames and summary with the default read-ahead and with chunk boundaries
/// everywhere.
#[test]
fn read_ahead_reads_every_project_capture_like_one_thread() {
    let paths = crate::test_support::project_captures();
    assert!(paths.iter().any(|p| p.to_string_lossy().ends_with(".gz")));
    for path in paths {
        let read = |ahead: Option<ReadAhead>| read_path(&path, ahead);
        let direct = read(None);
        assert!(!direct.1.is_empty(), "{}", path.display());
        for cfg in [
            ReadAhead::default(),
            TINY_READ_AHEADS[1],
            TINY_READ_AHEADS[2],
        ] {
            assert!(read(Some(cfg)) == direct, "{} with {cfg:?}", path.display());
        }
    }
}

/// A regular file is read ahead at offsets (by the read-ahead thread and, when it is
/// behind, by the analysing thread itself) and gives what reading on one thread gives:
/// whole, and cut at every kind of place (inside the file header, a record header, a
/// record's data, at a record boundary).
#[test]
fn files_read_ahead_at_offsets_read_like_one_thread() {
    let bytes = std::fs::read("samples/real-vsftpd-lftp-passive-active.pcap").unwrap();
    assert!(bytes.len() > 100_000);
    let dir = std::env::temp_dir().join(format!("ftpflow-positional-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cut.pcap");
    // The first record's end: 24-byte file header, 16-byte record header, its data.
    let first_end = 24 + 16 + u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    let mut read_here = 0;
    for cut in [
        bytes.len(),
        bytes.len() - 1,
        bytes.len() / 2,
        first_end,
        first_end + 5,
        first_end - 5,
        30,
        24,
        10,
        0,
    ] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let read = |ahead: Option<ReadAhead>| read_path(&path, ahead);
        let direct = read(None);
        for cfg in TINY_READ_AHEADS.iter().chain(&[ReadAhead::default()]) {
            // One-byte chunks only for the small cuts (each chunk is a hand-over).
            if cfg.chunk == 1 && cut > 4096 {
                continue;
            }
            let before = super::positional::CHUNKS_READ_HERE.with(|n| n.get());
            assert!(read(Some(*cfg)) == direct, "cut at {cut}, {cfg:?}");
            read_here += super::positional::CHUNKS_READ_HERE.with(|n| n.get()) - before;
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    // The analysing thread read chunks itself (it always does when it starts ahead of
    // the other thread, and with 7-byte chunks the other thread is behind all the time).
    assert!(read_here > 0);
}
