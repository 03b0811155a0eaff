//! `--write-session N FILE`: the packets of one session, written to a pcap file.
//!
//! **Why a second pass:** which connections belong to session N is known only when the
//! session ends (its data connections are linked as they come, an unlinked one may be
//! attributed at the very end), and buffering its packets meanwhile would hold a whole
//! transfer in memory. So the analysis taps the stream for session N's connections ([`Tap`]:
//! each connection's address pair and first and last frame numbers, a few bytes each), and
//! [`write`] then reads the inputs again, decodes each frame's TCP address pair and copies
//! the frames of those connections, untouched (same bytes, original length, timestamp and
//! link type), into a nanosecond pcap. Reading twice needs files: stdin is refused.
//!
//! A frame belongs to a connection when its address pair is the connection's (either
//! direction) and its number lies within the connection's first and last frame. The
//! fragments of a fragmented IP datagram other than the one completing it are not
//! written (the decoder hands the segment over with the last fragment).

use super::exit::CliError;
use super::output::PendingFile;
use crate::capture::{Input, LinkType, RawFrame, read_input_at_most};
use crate::decode::{DecodeLimits, Decoder};
use crate::endpoint::Endpoint;
use crate::model::events::{Event, Sink};
use crate::model::{ConnRecord, Session};
use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex};

/// One connection of the session: its two endpoints and the frames it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    a: Endpoint,
    b: Endpoint,
    first: u64,
    last: u64,
}

impl Span {
    fn of(c: &ConnRecord) -> Span {
        Span {
            a: c.orig,
            b: c.resp,
            first: c.first_frame,
            last: c.last_frame,
        }
    }

    fn holds(&self, frame: u64, src: Endpoint, dst: Endpoint) -> bool {
        (self.first..=self.last).contains(&frame)
            && ((src == self.a && dst == self.b) || (src == self.b && dst == self.a))
    }
}

/// The connections of session `id` as the analysis tells them (empty: never seen).
#[derive(Debug, Default)]
pub struct Found {
    /// Whether the session ended in the stream.
    pub seen: bool,
    /// Its connections.
    pub spans: Vec<Span>,
}

/// Fixed bound on the unlinked connections noted for the session (each is a few bytes).
const MAX_SPANS: usize = 65_536;

/// A sink that notes session `id`'s connections and passes every event on.
pub struct Tap {
    inner: Box<dyn Sink>,
    id: u32,
    found: Arc<Mutex<Found>>,
}

impl Tap {
    /// Wraps `inner`; what is found goes to `found`.
    pub fn new(inner: Box<dyn Sink>, id: u32, found: Arc<Mutex<Found>>) -> Tap {
        Tap { inner, id, found }
    }

    fn session(&self, s: &Session) {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        found.seen = true;
        found.spans.push(Span::of(&s.control));
        for t in &s.transfers {
            if let Some(d) = &t.data {
                found.spans.push(Span::of(&d.tcp));
            }
        }
    }
}

impl Sink for Tap {
    fn wants_steps(&self) -> bool {
        self.inner.wants_steps()
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::SessionEnded(s) if s.id == self.id => self.session(s),
            Event::Unlinked(u) if u.session == Some(self.id) => {
                let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
                if found.spans.len() < MAX_SPANS {
                    found.spans.push(Span::of(&u.tcp));
                }
            }
            _ => {}
        }
        self.inner.event(ev)
    }
}

/// The pcap link type value of a link type ftpflow reads.
fn dlt(link: LinkType) -> u32 {
    match link {
        LinkType::Null => 0,
        LinkType::Ethernet => 1,
        LinkType::Raw => 101,
        LinkType::Loop => 108,
        LinkType::LinuxSll => 113,
        LinkType::Ipv4 => 228,
        LinkType::Ipv6 => 229,
        LinkType::LinuxSll2 => 276,
    }
}

/// Largest record length written in the file header (libpcap's maximum snaplen).
const SNAPLEN: u32 = 262_144;

/// Writes a nanosecond pcap: the file header with the first frame's link type, then
/// each record.
struct PcapOut<W: Write> {
    out: W,
    link: Option<LinkType>,
    written: u64,
    /// Frames of another link type than the first (a pcapng with several interfaces):
    /// a pcap has one link type, so they are left out and counted.
    other_link: u64,
}

impl<W: Write> PcapOut<W> {
    fn frame(&mut self, f: &RawFrame<'_>) -> io::Result<()> {
        match self.link {
            None => {
                self.link = Some(f.link);
                self.header(f.link)?;
            }
            Some(l) if l != f.link => {
                self.other_link += 1;
                return Ok(());
            }
            Some(_) => {}
        }
        let ns = f.ts.nanos();
        let secs = u32::try_from(ns.div_euclid(1_000_000_000)).unwrap_or(0);
        let frac = ns.rem_euclid(1_000_000_000) as u32;
        let caplen = u32::try_from(f.data.len()).unwrap_or(u32::MAX);
        for v in [secs, frac, caplen, f.orig_len.max(caplen)] {
            self.out.write_all(&v.to_le_bytes())?;
        }
        self.out.write_all(f.data)?;
        self.written += 1;
        Ok(())
    }

    fn header(&mut self, link: LinkType) -> io::Result<()> {
        // Nanosecond magic: the timestamps are kept exactly.
        self.out.write_all(&0xa1b2_3c4du32.to_le_bytes())?;
        self.out.write_all(&2u16.to_le_bytes())?;
        self.out.write_all(&4u16.to_le_bytes())?;
        self.out.write_all(&[0; 8])?;
        self.out.write_all(&SNAPLEN.to_le_bytes())?;
        self.out.write_all(&dlt(link).to_le_bytes())
    }
}

/// What the second pass wrote.
#[derive(Debug)]
pub struct Written {
    /// Frames written.
    pub frames: u64,
    /// Frames of the session left out because their link type differs from the first.
    pub other_link: u64,
}

/// Reads `inputs` again (numbering frames as the analysis did, up to `max_packets`) and
/// writes the frames of `spans` to `file`, which is put in place only when complete.
pub fn write(
    inputs: &[Input],
    spans: &[Span],
    max_packets: Option<u64>,
    file: PendingFile,
) -> Result<Written, CliError> {
    let created = file.create()?;
    let mut out = PcapOut {
        out: BufWriter::with_capacity(1 << 16, created),
        link: None,
        written: 0,
        other_link: 0,
    };
    let mut decoder = Decoder::new(DecodeLimits::default());
    let mut error: Option<io::Error> = None;
    let (mut first, mut read) = (1u64, 0u64);
    for input in inputs {
        let left = max_packets.map(|m| m.saturating_sub(read));
        let summary = read_input_at_most(input, first, None, left, &mut |frame| {
            if error.is_some() {
                return;
            }
            let mut keep = false;
            decoder.decode_into(frame, |seg| {
                keep = spans.iter().any(|s| s.holds(seg.frame, seg.src, seg.dst));
            });
            if keep && let Err(e) = out.frame(&frame) {
                error = Some(e);
            }
        });
        first = first.max(first + summary.numbered);
        read += summary.packets;
    }
    if out.link.is_none() {
        // No frame: still a valid (empty) capture file.
        out.header(LinkType::Ethernet).map_err(CliError::Output)?;
    }
    if let Some(e) = error {
        return Err(CliError::Output(e));
    }
    out.out.flush().map_err(CliError::Output)?;
    let written = Written {
        frames: out.written,
        other_link: out.other_link,
    };
    drop(out);
    file.commit()?;
    Ok(written)
}
