//! Helpers shared by the fuzz targets of ftpflow: an output buffer the sinks can own, and
//! an encoder of raw IPv4/TCP packets for targets that build traffic from structured input.
//!
//! The targets themselves live in `fuzz_targets/`; `scripts/fuzz.sh` builds and runs them.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// A byte buffer that a sink owns as its `Box<dyn Write>` while the target keeps a handle
/// to read what was written after the analysis ends (the sinks take their writer by value).
#[derive(Clone, Default)]
pub struct SharedBuf(pub Rc<RefCell<Vec<u8>>>);

impl SharedBuf {
    /// Everything written so far.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One TCP segment to encode.
#[derive(Debug, Clone, Copy)]
pub struct TcpPacket<'a> {
    /// Source IPv4 address.
    pub src: [u8; 4],
    /// Destination IPv4 address.
    pub dst: [u8; 4],
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10).
    pub flags: u8,
    /// IPv4 identification (distinct values keep the duplicate detector out of the way).
    pub ip_id: u16,
    /// TCP payload.
    pub payload: &'a [u8],
}

/// The packet as raw IPv4 (link type `Ipv4`): a 20-byte IPv4 header, a 20-byte TCP header
/// (24 with an MSS option on SYNs, as stacks send), then the payload. Checksums are left
/// zero: the decoder does not verify them (captures taken with offloading have them wrong).
pub fn ipv4_tcp(p: &TcpPacket<'_>) -> Vec<u8> {
    let options: &[u8] = if p.flags & 0x02 != 0 {
        &[2, 4, 0x05, 0xb4]
    } else {
        &[]
    };
    let tcp_len = 20 + options.len();
    // Payloads longer than an IPv4 packet can carry are cut: the length field is 16 bits.
    let payload = &p.payload[..p.payload.len().min(65_535 - 20 - tcp_len)];
    let total = 20 + tcp_len + payload.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&(total as u16).to_be_bytes());
    out.extend_from_slice(&p.ip_id.to_be_bytes());
    out.extend_from_slice(&[0x40, 0, 64, 6, 0, 0]);
    out.extend_from_slice(&p.src);
    out.extend_from_slice(&p.dst);
    out.extend_from_slice(&p.sport.to_be_bytes());
    out.extend_from_slice(&p.dport.to_be_bytes());
    out.extend_from_slice(&p.seq.to_be_bytes());
    out.extend_from_slice(&p.ack.to_be_bytes());
    out.push(((tcp_len / 4) as u8) << 4);
    out.push(p.flags);
    out.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
    out.extend_from_slice(options);
    out.extend_from_slice(payload);
    out
}

/// Checks that `bytes` is one JSON document (`lines == false`) or one JSON document per
/// line (JSON Lines), panicking with the offending text otherwise.
pub fn assert_json(bytes: &[u8], lines: bool) {
    let text = std::str::from_utf8(bytes).expect("JSON output is not UTF-8");
    if lines {
        for line in text.lines() {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
                panic!("JSON Lines output has a line that is not JSON ({e}): {line}");
            }
        }
    } else if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("JSON output does not parse ({e}): {text}");
    }
}

/// The output format a target writes, and what its output must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Numbered steps per session.
    Timeline,
    /// Sessions and transfers as tables.
    Table,
    /// One JSON document.
    Json,
    /// One JSON record per line.
    Jsonl,
    /// The HTML page of ladder diagrams.
    Html,
}

/// Options that matter to an analysis, packed in 8 bytes of fuzz input (so that a seed is
/// those bytes followed by its capture or conversation).
#[derive(Debug, Clone)]
pub struct Options {
    /// The output format.
    pub format: Format,
    /// Every segment in the timeline (`--verbose`).
    pub verbose: bool,
    /// ANSI colours.
    pub color: bool,
    /// The analysis's configuration, bounds mostly small.
    pub config: ftpflow::analyze::Config,
}

/// Reads [`Options`] from the first 8 bytes of `data` (missing bytes count as zero) and
/// returns the rest. Each bound is either the default or small, so both the normal path
/// and the bound's eviction path are reached; the clamps are the command line's.
pub fn options(data: &[u8]) -> (Options, &[u8]) {
    let mut b = [0u8; 8];
    let n = data.len().min(8);
    b[..n].copy_from_slice(&data[..n]);
    let rest = &data[n..];
    let mut cfg = ftpflow::analyze::Config::default().with_ftp_ports(if b[0] & 0x10 != 0 {
        &[21, 2121]
    } else {
        &[]
    });
    let small = |byte: u8, default: usize, min: usize| {
        if byte == 0 {
            default
        } else {
            usize::from(byte).max(min)
        }
    };
    cfg.tracker.detect = b[0] & 0x20 == 0;
    cfg.tracker.session.show_passwords = b[0] & 0x40 != 0;
    cfg.tracker.session.max_line = small(b[1], cfg.tracker.session.max_line, 16);
    cfg.tcp.max_connections = small(b[2] & 0x3f, cfg.tcp.max_connections, 16);
    cfg.tcp.max_half_open = small(b[2] >> 6, cfg.tcp.max_half_open, 16);
    cfg.tcp.max_held_bytes_per_stream = small(b[3], cfg.tcp.max_held_bytes_per_stream, 0);
    cfg.tcp.max_held_bytes_total = small(b[4], cfg.tcp.max_held_bytes_total, 0) * 4;
    cfg.tracker.max_expectations = small(b[5] & 0x0f, cfg.tracker.max_expectations, 1);
    if b[5] >> 4 != 0 {
        cfg.tcp.idle_timeout = i64::from(b[5] >> 4) * 1_000_000_000;
    }
    cfg.tracker.session.max_commands = small(b[6] & 0x0f, cfg.tracker.session.max_commands, 1);
    cfg.tracker.session.max_pending = small(b[6] >> 4, cfg.tracker.session.max_pending, 1);
    cfg.tracker.session.max_reply_lines =
        small(b[7] & 0x0f, cfg.tracker.session.max_reply_lines, 1);
    cfg.tracker.session.max_findings = small(b[7] >> 4, cfg.tracker.session.max_findings, 1);
    let verbose = b[0] & 0x04 != 0;
    if verbose {
        cfg.tcp.max_segment_notes = 100_000;
    }
    // The high bit draws the HTML page instead (its ladders come from the same steps).
    let format = if b[0] & 0x80 != 0 {
        Format::Html
    } else {
        [Format::Timeline, Format::Table, Format::Json, Format::Jsonl][usize::from(b[0] & 3)]
    };
    let opts = Options {
        format,
        verbose,
        color: b[0] & 0x08 != 0,
        config: cfg,
    };
    (opts, rest)
}

/// The sink of `opts.format`, writing into the returned buffer (on this thread: the
/// fuzzer wants one thread, and the off-thread drawing has tests of its own).
pub fn sink(opts: &Options) -> (Box<dyn ftpflow::model::events::Sink>, SharedBuf) {
    use ftpflow::report::{RenderOptions, html, json, jsonl, table, timeline};
    let buf = SharedBuf::default();
    let out: Box<dyn Write> = Box::new(buf.clone());
    let render = RenderOptions {
        verbose: opts.verbose,
        color: opts.color,
        ..RenderOptions::default()
    };
    let sink: Box<dyn ftpflow::model::events::Sink> = match opts.format {
        Format::Timeline => Box::new(timeline::TimelineSink::new(out, &render, true)),
        Format::Table => Box::new(table::TableSink::new(out, &render)),
        Format::Json => Box::new(json::DocumentWriter::new(out, true)),
        Format::Jsonl => Box::new(jsonl::JsonLines::new(out, true)),
        Format::Html => Box::new(html::HtmlSink::new(out, &render)),
    };
    (sink, buf)
}

/// Checks what the analysis wrote: JSON parses, every format is UTF-8 text that ends with
/// a line end once something was written.
pub fn check_output(format: Format, out: &[u8]) {
    match format {
        Format::Json => assert_json(out, false),
        Format::Jsonl => assert_json(out, true),
        Format::Timeline | Format::Table => {
            assert!(
                std::str::from_utf8(out).is_ok(),
                "{format:?} output is not UTF-8"
            );
        }
        Format::Html => assert_html(out),
    }
    if !out.is_empty() {
        assert!(
            out.ends_with(b"\n"),
            "{format:?} output does not end with a line end"
        );
    }
}

/// The page is UTF-8, complete, and each diagram in it is well-formed XML.
fn assert_html(out: &[u8]) {
    let text = std::str::from_utf8(out).expect("HTML output is not UTF-8");
    assert!(
        text.starts_with("<!DOCTYPE html>") && text.ends_with("</html>\n"),
        "HTML page is not whole"
    );
    for part in text.split("<svg ").skip(1) {
        let svg = format!("<svg {}</svg>", part.split("</svg>").next().unwrap_or(""));
        if let Err(e) = roxmltree::Document::parse(&svg) {
            panic!("a diagram is not XML ({e}): {svg}");
        }
    }
}
