//! Streaming writer for classic libpcap files.
//!
//! Microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) magic, either byte order, any
//! snaplen, any [`LinkType`]. Frames longer than the snaplen are cut, as a capturing kernel
//! would; the record keeps the wire length. Our own writer instead of a crate: the format is
//! a 24-byte header plus 16-byte record headers, and we need the unusual corners (big-endian,
//! nanosecond magic, NULL family in file byte order) that writers rarely expose.

use crate::link::LinkType;
use crate::packet::Packet;
use crate::sink::{CaptureWriter, PacketSink};
use std::io::{self, Write};

/// How a pcap file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcapOptions {
    pub link: LinkType,
    /// Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds.
    pub nanos: bool,
    pub big_endian: bool,
    pub snaplen: u32,
}

impl Default for PcapOptions {
    fn default() -> Self {
        PcapOptions {
            link: LinkType::Ethernet,
            nanos: false,
            big_endian: false,
            snaplen: 262_144,
        }
    }
}

/// Writes packets to `W` as they are pushed.
pub struct PcapWriter<W: Write> {
    w: W,
    opts: PcapOptions,
    buf: Vec<u8>,
    err: Option<io::Error>,
    count: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut w: W, opts: PcapOptions) -> io::Result<Self> {
        let magic: u32 = if opts.nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut h = Vec::with_capacity(24);
        put32(&mut h, magic, opts.big_endian);
        put16(&mut h, 2, opts.big_endian);
        put16(&mut h, 4, opts.big_endian);
        put32(&mut h, 0, opts.big_endian); // thiszone
        put32(&mut h, 0, opts.big_endian); // sigfigs
        put32(&mut h, opts.snaplen, opts.big_endian);
        put32(&mut h, opts.link.code() as u32, opts.big_endian);
        w.write_all(&h)?;
        Ok(PcapWriter {
            w,
            opts,
            buf: Vec::with_capacity(2048),
            err: None,
            count: 0,
        })
    }

    fn write(&mut self, p: &Packet) -> io::Result<()> {
        let be = self.opts.big_endian;
        self.buf.clear();
        self.buf.resize(16, 0);
        let orig = self
            .opts
            .link
            .reframe(&p.data, p.orig_len, be, &mut self.buf);
        let cap = (self.buf.len() - 16).min(self.opts.snaplen as usize);
        self.buf.truncate(16 + cap);
        let secs = p.ts_ns.div_euclid(1_000_000_000) as u32;
        let frac = p.ts_ns.rem_euclid(1_000_000_000) as u32;
        let frac = if self.opts.nanos { frac } else { frac / 1000 };
        let mut h = Vec::with_capacity(16);
        put32(&mut h, secs, be);
        put32(&mut h, frac, be);
        put32(&mut h, cap as u32, be);
        put32(&mut h, orig.max(cap as u32), be);
        self.buf[..16].copy_from_slice(&h);
        self.w.write_all(&self.buf)
    }

    /// Flushes and returns the inner writer, or the first error met.
    pub fn into_inner(mut self) -> io::Result<W> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.w.flush()?;
        Ok(self.w)
    }

    pub fn packets(&self) -> u64 {
        self.count
    }
}

impl<W: Write> PacketSink for PcapWriter<W> {
    fn push(&mut self, p: Packet) {
        if self.err.is_some() {
            return;
        }
        match self.write(&p) {
            Ok(()) => self.count += 1,
            Err(e) => self.err = Some(e),
        }
    }
}

impl<W: Write + Finish> CaptureWriter for PcapWriter<W> {
    fn finish(self: Box<Self>) -> io::Result<()> {
        self.into_inner()?.finish_stream()
    }

    fn packets(&self) -> u64 {
        self.count
    }
}

/// Ends a byte stream: a plain file flushes, a gzip stream writes its trailer.
pub trait Finish {
    fn finish_stream(self) -> io::Result<()>;
}

impl<W: Write> Finish for io::BufWriter<W> {
    fn finish_stream(mut self) -> io::Result<()> {
        self.flush()
    }
}

impl<W: Write> Finish for flate2::write::GzEncoder<W> {
    fn finish_stream(self) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl Finish for Vec<u8> {
    fn finish_stream(self) -> io::Result<()> {
        Ok(())
    }
}

pub(crate) fn put16(out: &mut Vec<u8>, v: u16, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

pub(crate) fn put32(out: &mut Vec<u8>, v: u32, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}
