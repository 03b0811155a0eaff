//! Inputs the fuzz targets (fuzz/, scripts/fuzz.sh) found to crash the analysis, kept as
//! byte literals and run through the library as `ftpflow analyze` runs them, so that each
//! bug stays fixed. Each test says what the input is and what went wrong.

use ftpflow::analyze::{Analyzer, Config};
use std::io::Cursor;

/// Analyses `capture` with the default configuration; returns the report's packet count.
fn analyze(capture: &'static [u8]) -> u64 {
    let mut analyzer = Analyzer::new(Config::default());
    analyzer.read_named("regression.pcapng", Box::new(Cursor::new(capture)));
    let report = analyzer.finish().expect("a report");
    report.capture.packets
}

/// pipeline target: a pcapng file whose interface has an invalid `if_tsresol` (read as
/// microseconds) and whose packet, a SYN, counts about 1.3 * 10^18 of
/// them: saturated to the last nanosecond an i64 holds. Checking whether the packet
/// replays one seen before added a second to its time and overflowed. Times are now clamped to
/// the years 1823-2116 before the analysis.
#[test]
fn pcapng_time_stamps_at_the_end_of_the_range_do_not_overflow() {
    const CAPTURE: &[u8] = &[
        0x0a, 0x0d, 0x0d, 0x0a, 0x34, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x0d, 0x00, 0x66, 0x74,
        0x70, 0x66, 0x6c, 0x6f, 0x77, 0x2d, 0x73, 0x79, 0x6e, 0x74, 0x68, 0x00, 0x00, 0x00, 0xfe,
        0xff, 0x2f, 0xb3, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x00, 0x04, 0x00, 0x65, 0x74, 0x68,
        0x30, 0x09, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x28, 0x00,
        0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x6c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x55,
        0x09, 0xdf, 0x11, 0x00, 0x64, 0x2d, 0xab, 0x4a, 0x00, 0x00, 0x00, 0x4a, 0x00, 0x00, 0x00,
        0x02, 0x00, 0xc0, 0xa8, 0x00, 0x81, 0x02, 0x00, 0xc0, 0xa8, 0x00, 0x6e, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x3c, 0x6f, 0x8a, 0x40, 0x00, 0x40, 0x06, 0x48, 0xf2, 0xc0, 0xa8, 0x00, 0x6e,
        0xc0, 0xa8, 0x00, 0x81, 0xb3, 0x2f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
        0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x60, 0x09, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
        0x08, 0x0a, 0x9c, 0xeb, 0xe8, 0xa6, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07, 0x00,
        0x00, 0x6c, 0x00, 0x00, 0x00,
    ];
    assert_eq!(analyze(CAPTURE), 1);
}

/// A legacy pcap of `n` records of 60 bytes (their content does not matter here).
fn pcap_of(n: u32) -> Vec<u8> {
    let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for i in 0..n {
        out.extend_from_slice(&(1_700_000_000 + i).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&60u32.to_le_bytes());
        out.extend_from_slice(&60u32.to_le_bytes());
        out.extend_from_slice(&[i as u8; 60]);
    }
    out
}

/// capture_reader target: a gzip file whose deflate data turns corrupt after 31 packets.
/// Read whole, flate2's reader answered the read that met the fault with an error and
/// dropped what it had decompressed: no packet at all, "cannot be decompressed"; read in
/// small pieces, the same file gave its 31 packets. Here the file is a pcap in stored
/// deflate blocks followed by a block of the reserved type 3.
#[test]
fn packets_before_a_corrupt_gzip_stretch_are_read_whatever_the_read_size() {
    let pcap = pcap_of(31);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for block in pcap.chunks(1000) {
        let len = block.len() as u16;
        gz.push(0);
        gz.extend_from_slice(&len.to_le_bytes());
        gz.extend_from_slice(&(!len).to_le_bytes());
        gz.extend_from_slice(block);
    }
    gz.push(0b111);
    gz.extend_from_slice(&[0; 8]);
    let mut frames = 0;
    let summary = ftpflow::capture::read_reader(
        "damaged.pcap.gz".into(),
        Box::new(Cursor::new(gz)),
        1,
        None,
        &mut |_| frames += 1,
    );
    assert_eq!(frames, 31, "{summary:?}");
    assert!(summary.gzip);
    assert!(summary.problem.is_some(), "the damage is reported");
}

/// capture_reader target: a file that is not a capture, text for its first 64 bytes and
/// binary after. It was described from however many bytes the first read brought in:
/// "HTML or XML text" read in pieces, "unknown format" read whole. Now from its first 64
/// bytes, whatever the reads.
#[test]
fn a_file_that_is_not_a_capture_is_described_the_same_whatever_the_reads() {
    struct Pieces(Vec<u8>);
    impl std::io::Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(16).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }
    let mut bytes = b"\n\r".to_vec();
    bytes.extend_from_slice(&[b'<'; 130]);
    bytes.extend_from_slice(b"\r\n\x1c\x00\x00\x00M<+\x1a\x01Q\x00\x00\xff\xff");
    let found = |reader: Box<dyn std::io::Read + Send>| {
        let summary = ftpflow::capture::read_reader("x".into(), reader, 1, None, &mut |_| {});
        match summary.problem {
            Some(ftpflow::capture::InputProblem::NotACapture { found }) => found,
            other => panic!("{other:?}"),
        }
    };
    let whole = found(Box::new(Cursor::new(bytes.clone())));
    let pieces = found(Box::new(Pieces(bytes)));
    assert_eq!(whole, pieces);
    assert!(whole.starts_with("HTML or XML text"), "{whole}");
}
