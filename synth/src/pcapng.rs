//! Streaming writer for pcapng files: one or more sections, each with its own interfaces.
//!
//! Blocks written: Section Header (with `shb_userappl`), Interface Description (with
//! `if_name` and `if_tsresol` 6 = microseconds or 9 = nanoseconds) and Enhanced Packet.
//! Either byte order. A packet goes to the selected interface of the current section.

use crate::link::LinkType;
use crate::packet::Packet;
use crate::pcap::{Finish, put16, put32};
use crate::sink::{CaptureWriter, PacketSink};
use std::io::{self, Write};

/// One interface of a section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub link: LinkType,
    /// Power-of-ten timestamp resolution: 6 (µs, the format's default) or 9 (ns).
    pub tsresol: u8,
    pub snaplen: u32,
    pub name: Option<String>,
}

impl Interface {
    pub fn new(link: LinkType, tsresol: u8) -> Interface {
        Interface {
            link,
            tsresol,
            snaplen: 262_144,
            name: None,
        }
    }

    pub fn named(mut self, name: &str) -> Interface {
        self.name = Some(name.to_string());
        self
    }
}

/// Writes pcapng blocks to `W` as packets are pushed.
pub struct PcapngWriter<W: Write> {
    w: W,
    big_endian: bool,
    ifaces: Vec<Interface>,
    selected: usize,
    buf: Vec<u8>,
    err: Option<io::Error>,
    count: u64,
}

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const EPB: u32 = 6;

impl<W: Write> PcapngWriter<W> {
    /// Starts the first section with these interfaces (at least one).
    pub fn new(w: W, big_endian: bool, ifaces: Vec<Interface>) -> io::Result<Self> {
        let mut me = PcapngWriter {
            w,
            big_endian,
            ifaces: Vec::new(),
            selected: 0,
            buf: Vec::with_capacity(2048),
            err: None,
            count: 0,
        };
        me.new_section(ifaces)?;
        Ok(me)
    }

    /// Starts a new section; interface ids restart at 0 with `ifaces`.
    pub fn new_section(&mut self, ifaces: Vec<Interface>) -> io::Result<()> {
        assert!(
            !ifaces.is_empty(),
            "a pcapng section needs an interface to carry packets"
        );
        let be = self.big_endian;
        let mut body = Vec::new();
        put32(&mut body, 0x1A2B_3C4D, be);
        put16(&mut body, 1, be);
        put16(&mut body, 0, be);
        body.extend_from_slice(&u64::MAX.to_le_bytes()); // section length: unspecified (-1)
        option(&mut body, 4, b"ftpflow-synth", be); // shb_userappl
        end_options(&mut body, be);
        self.block(SHB, &body)?;
        for i in &ifaces {
            let mut body = Vec::new();
            put16(&mut body, i.link.code(), be);
            put16(&mut body, 0, be);
            put32(&mut body, i.snaplen, be);
            if let Some(n) = &i.name {
                option(&mut body, 2, n.as_bytes(), be);
            }
            option(&mut body, 9, &[i.tsresol], be);
            end_options(&mut body, be);
            self.block(IDB, &body)?;
        }
        self.ifaces = ifaces;
        self.selected = 0;
        Ok(())
    }

    /// Chooses the interface (index in the current section) for the next pushes.
    pub fn select(&mut self, iface: usize) {
        assert!(
            iface < self.ifaces.len(),
            "no interface {iface} in this section"
        );
        self.selected = iface;
    }

    /// Writes one packet on an interface of the current section.
    pub fn push_on(&mut self, iface: usize, p: &Packet) {
        if self.err.is_some() {
            return;
        }
        match self.write(iface, p) {
            Ok(()) => self.count += 1,
            Err(e) => self.err = Some(e),
        }
    }

    fn write(&mut self, iface: usize, p: &Packet) -> io::Result<()> {
        let be = self.big_endian;
        let i = &self.ifaces[iface];
        let mut data = std::mem::take(&mut self.buf);
        data.clear();
        let orig = i.link.reframe(&p.data, p.orig_len, be, &mut data);
        data.truncate(i.snaplen as usize);
        let units = if i.tsresol == 9 {
            p.ts_ns.max(0) as u64
        } else {
            p.ts_ns.max(0) as u64 / 1000
        };
        let mut body = Vec::with_capacity(20 + data.len() + 3);
        put32(&mut body, iface as u32, be);
        put32(&mut body, (units >> 32) as u32, be);
        put32(&mut body, units as u32, be);
        put32(&mut body, data.len() as u32, be);
        put32(&mut body, orig.max(data.len() as u32), be);
        body.extend_from_slice(&data);
        pad4(&mut body);
        self.buf = data;
        self.block(EPB, &body)
    }

    fn block(&mut self, kind: u32, body: &[u8]) -> io::Result<()> {
        let be = self.big_endian;
        let total = 12 + body.len() as u32;
        let mut h = Vec::with_capacity(8);
        put32(&mut h, kind, be);
        put32(&mut h, total, be);
        self.w.write_all(&h)?;
        self.w.write_all(body)?;
        let mut t = Vec::with_capacity(4);
        put32(&mut t, total, be);
        self.w.write_all(&t)
    }

    /// Flushes and returns the inner writer, or the first error met.
    pub fn into_inner(mut self) -> io::Result<W> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.w.flush()?;
        Ok(self.w)
    }
}

impl<W: Write> PacketSink for PcapngWriter<W> {
    fn push(&mut self, p: Packet) {
        let iface = self.selected;
        self.push_on(iface, &p);
    }
}

impl<W: Write + Finish> CaptureWriter for PcapngWriter<W> {
    fn finish(self: Box<Self>) -> io::Result<()> {
        self.into_inner()?.finish_stream()
    }

    fn packets(&self) -> u64 {
        self.count
    }
}

fn option(body: &mut Vec<u8>, code: u16, value: &[u8], be: bool) {
    put16(body, code, be);
    put16(body, value.len() as u16, be);
    body.extend_from_slice(value);
    pad4(body);
}

fn end_options(body: &mut Vec<u8>, be: bool) {
    put16(body, 0, be);
    put16(body, 0, be);
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}
