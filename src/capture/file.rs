//! Reading pcap and pcapng captures (optionally gzip-compressed) from files or stdin.
//!
//! **Input:** any byte stream ([`read_input`] opens a path or stdin; [`read_reader`] takes
//! any `Read`, which tests use). **Output:** [`RawFrame`]s handed to a sink in file order,
//! and an [`InputSummary`].
//!
//! **Rules and design:**
//! - One buffer per input, grown on demand from 256 KiB to at most [`MAX_BUF`] (4 MiB),
//!   refilled with large reads and compacted in place. Nothing is ever seeked, so stdin
//!   and gzip streams behave like files (with read-ahead, a regular file's later chunks
//!   are read at their offsets instead, by both threads: the `positional` module). Byte
//!   offsets in messages count from the start of the (decompressed) stream.
//! - **Why `read(2)` and not a memory map:** tried on the 2-core benchmark machine (a
//!   virtual machine, captures in the page cache): analysing through 8 MiB mapped windows
//!   took 0.16-0.20 s on 1 GB, against 0.08-0.09 s with the read-ahead thread. Mapping
//!   and populating a 680 MB capture alone took 38 ms, more than `cat`'s whole copy
//!   (28 ms), and without the copy each record's header is a load from memory whose
//!   address depends on the previous record's length (a bare record walk: 2.7x `cat`).
//! - Formats are recognised by magic number: gzip (`1f 8b`, decompressed with
//!   [`super::gunzip::Gunzip`], then detected again inside), legacy pcap in both byte
//!   orders with micro- or nanosecond timestamps (and Kuznetsov's "modified" records),
//!   pcapng with any number of sections (each may switch byte order) and interfaces.
//! - **Why records are framed here rather than by `pcap-parser`'s readers:** its streaming
//!   readers do not give the byte offset of a failing record, cannot resynchronise after a
//!   corrupt legacy record, refuse records larger than their buffer, and its block parsers
//!   build a `Vec` of options for every Enhanced Packet Block that carries options (a heap
//!   allocation per packet). So this module frames every record itself from the fixed
//!   header fields (length checks, trailing-length check, offsets, resync) and reads the
//!   hot-path packet records (legacy records, EPB, and the Obsolete Packet Block that
//!   pcap-parser lacks) with bounds-checked fixed-offset reads. `pcap-parser`'s block
//!   parsers are used, over this module's buffer, for the rare, option-rich blocks:
//!   section headers, interface descriptions (options) and Simple Packet Blocks.
//!   Interface time resolution and offset are computed here: `pcap-parser` 0.17 reads
//!   `if_tsoffset` as little-endian in big-endian sections and rejects binary `if_tsresol`.
//! - Timestamps are exact integers (nanoseconds); no floating point.
//! - Legacy pcap record whose captured length is absurd (over 256 KiB, or over the
//!   original length): the reader resynchronises by scanning forward one byte at a time
//!   for a plausible record header (timestamp within a day of the previous record,
//!   sub-second field in range, captured length within the snaplen and the original
//!   length) whose *following* record is plausible too (or which ends exactly at the end
//!   of the data). What was skipped is reported in a warning; if nothing plausible
//!   follows, the input ends with `Corrupt`.
//! - pcapng block with a bad length or a trailing length that does not match: skipped by
//!   its declared length when a plausible block header (or the end of the data) follows
//!   it, otherwise `Corrupt` and reading stops. Blocks larger than the buffer are streamed
//!   past (packets in them are counted as skipped).
//! - Packets on an interface whose link type cannot be decoded are counted, with one
//!   warning per interface; if that left nothing to analyse the input's problem is
//!   `UnsupportedLinkType`.
//! - Warnings are capped at [`MAX_WARNINGS`]; the rest are counted in a final warning.

use super::ahead;
pub use super::ahead::ReadAhead;
use super::counted::Counted;
use super::gunzip::Gunzip;
use super::magic::{self, Format};
use super::{InputProblem, InputSummary, LinkType, RawFrame, dlt_name};
use crate::capture::Input;
use crate::time::Timestamp;
use std::io::{self, Cursor, Read};

/// Largest buffer (and so largest record held in memory) per input.
pub const MAX_BUF: usize = 4 * 1024 * 1024;
/// Largest captured length accepted in a legacy pcap record (libpcap's maximum snaplen).
pub const MAX_PCAP_CAPLEN: u32 = 256 * 1024;
/// Warnings kept per input; further ones are only counted.
pub const MAX_WARNINGS: usize = 100;
/// Measured on the 1 GB benchmark with one thread: 256 KiB reads took 6% less time than
/// 64 KiB ones (fewer system calls; the buffer still fits the L2 cache).
const INITIAL_BUF: usize = 256 * 1024;
/// Largest original length a resynchronisation candidate may claim.
const MAX_PLAUSIBLE_ORIG_LEN: u32 = 16 * 1024 * 1024;
/// Interfaces kept per pcapng section (bounds memory against hostile files).
const MAX_INTERFACES: usize = 65_536;
const SECONDS_PER_DAY: i64 = 86_400;

const SHB_TYPE: u32 = 0x0a0d_0d0a;
const IDB_TYPE: u32 = 1;
const OPB_TYPE: u32 = 2;
const SPB_TYPE: u32 = 3;
const EPB_TYPE: u32 = 6;
const BOM: u32 = 0x1a2b_3c4d;

/// Reads one input completely, calling `sink` for every frame in file order.
/// Never panics; problems go in the summary.
pub fn read_input(
    input: &Input,
    first_number: u64,
    read_ahead: Option<ReadAhead>,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> InputSummary {
    read_input_at_most(input, first_number, read_ahead, None, sink)
}

/// Like [`read_input`], stopping after `max_packets` packets delivered (tcpdump's `-c`):
/// nothing after them is read.
pub fn read_input_at_most(
    input: &Input,
    first_number: u64,
    read_ahead: Option<ReadAhead>,
    max_packets: Option<u64>,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> InputSummary {
    let name = input.name();
    match input {
        // A pipe is read as its data comes (each step shown as it happens), never a chunk
        // ahead.
        Input::Stdin => read_stream(
            name,
            Box::new(Counted(io::stdin())),
            None,
            (first_number, max_packets),
            None,
            sink,
        ),
        Input::Path(path) => match std::fs::File::open(path) {
            Ok(f) => {
                // A regular file can be read ahead at offsets, by both threads.
                let file = f.metadata().is_ok_and(|m| m.is_file()).then_some(&f);
                let at = (first_number, max_packets);
                read_stream(name, Box::new(Counted(&f)), file, at, read_ahead, sink)
            }
            Err(e) => {
                let mut summary = InputSummary::new(name);
                summary.problem = Some(InputProblem::Unreadable {
                    message: e.to_string(),
                });
                summary
            }
        },
    }
}

/// Like [`read_input`], over any byte stream (`name` is used in messages). With
/// `read_ahead`, a second thread reads (and decompresses) while this one analyses.
pub fn read_reader(
    name: String,
    reader: Box<dyn Read + Send + '_>,
    first_number: u64,
    read_ahead: Option<ReadAhead>,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> InputSummary {
    read_reader_at_most(name, reader, first_number, read_ahead, None, sink)
}

/// Like [`read_reader`], stopping after `max_packets` packets delivered.
pub fn read_reader_at_most(
    name: String,
    reader: Box<dyn Read + Send + '_>,
    first_number: u64,
    read_ahead: Option<ReadAhead>,
    max_packets: Option<u64>,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> InputSummary {
    let at = (first_number, max_packets);
    read_stream(name, reader, None, at, read_ahead, sink)
}

/// The first [`magic::PEEK`] bytes of what the stream holds: a file that is not a capture
/// is described by them alone, so that the description does not depend on how much a
/// read happened to bring in (found by the `capture_reader` fuzz target: text that turns
/// binary after 64 bytes was "HTML text" read in pieces and "unknown format" read whole).
fn peeked(available: &[u8]) -> &[u8] {
    &available[..available.len().min(magic::PEEK)]
}

/// `file`: the regular file `reader` reads, if it is one (read ahead at offsets then).
/// `(first_number, max_packets)`: the first frame's number, and the packets to deliver at
/// most.
fn read_stream<'r>(
    name: String,
    reader: Box<dyn Read + Send + 'r>,
    mut file: Option<&'r std::fs::File>,
    (first_number, max_packets): (u64, Option<u64>),
    read_ahead: Option<ReadAhead>,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> InputSummary {
    let mut ctx = Ctx {
        summary: InputSummary::new(name),
        sink,
        max_packets,
        first_number,
        next_number: first_number,
        suppressed_warnings: 0,
    };
    let mut stream = Stream::new(reader);
    stream.fill(magic::PEEK);
    if stream.available().is_empty()
        && let Some(e) = stream.error.take()
    {
        ctx.summary.problem = Some(InputProblem::Unreadable {
            message: e.to_string(),
        });
        return ctx.finish();
    }
    let mut format = magic::detect(stream.available());
    if format == Some(Format::Gzip) {
        ctx.summary.gzip = true;
        // Decompressed bytes have no file offsets.
        file = None;
        let (prefix, src) = stream.into_parts();
        let inner = Gunzip::new(Cursor::new(prefix).chain(src));
        stream = Stream::new(Box::new(inner));
        stream.fill(magic::PEEK);
        let head = stream.available();
        if head.is_empty() {
            let found = match stream.error.take() {
                Some(e) => format!("gzip-compressed data that cannot be decompressed ({e})"),
                None => "gzip-compressed data that decompresses to nothing".to_string(),
            };
            ctx.summary.problem = Some(InputProblem::NotACapture { found });
            return ctx.finish();
        }
        format = magic::detect(head);
        let found = match format {
            Some(Format::Gzip) => Some(
                "gzip-compressed data containing gzip-compressed data: decompress it first"
                    .to_string(),
            ),
            None => Some(format!("gzip-compressed {}", magic::describe(peeked(head)))),
            _ => None,
        };
        if let Some(found) = found {
            ctx.summary.problem = Some(InputProblem::NotACapture { found });
            return ctx.finish();
        }
    }
    std::thread::scope(|scope| {
        if format.is_some()
            && let Some(cfg) = read_ahead
        {
            stream.start_read_ahead(scope, cfg, file);
        }
        match format {
            Some(Format::Pcap {
                big_endian,
                nanosecond,
                modified,
            }) => read_pcap(&mut stream, &mut ctx, big_endian, nanosecond, modified),
            Some(Format::Pcapng) => read_pcapng(&mut stream, &mut ctx),
            _ => {
                ctx.summary.problem = Some(InputProblem::NotACapture {
                    found: magic::describe(peeked(stream.available())),
                });
            }
        }
        // Ends the read-ahead thread before the scope waits for it.
        drop(stream);
    });
    ctx.finish()
}

// ---------------------------------------------------------------------------------------
// Streaming buffer

/// A growable window over a byte stream, tracking the stream offset of its first byte.
struct Stream<'r> {
    src: Source<'r>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Stream offset of `buf[0]` (wrapping: with read-ahead, `buf[0]` may lie before the
    /// stream's first byte, in a chunk's headroom).
    base: u64,
    eof: bool,
    /// The read error that ended the stream, if any.
    error: Option<io::Error>,
    /// With read-ahead: an emptied spill buffer, kept for the next record that is longer
    /// than a chunk's headroom.
    spare: Vec<u8>,
    /// With read-ahead: `buf` is a pool buffer (to be handed back), not a spill buffer.
    buf_from_pool: bool,
}

enum Source<'r> {
    /// Read on this thread, into `buf`.
    Direct(Box<dyn Read + Send + 'r>),
    /// Read by a read-ahead thread, chunk by chunk.
    Ahead(ahead::Chunks<'r>),
    /// Moved out (only between two states).
    Gone,
}

impl<'r> Stream<'r> {
    fn new(src: Box<dyn Read + Send + 'r>) -> Stream<'r> {
        Stream {
            src: Source::Direct(src),
            buf: Vec::new(),
            start: 0,
            end: 0,
            base: 0,
            eof: false,
            error: None,
            spare: Vec::new(),
            buf_from_pool: false,
        }
    }

    /// Buffered bytes not consumed yet, and the reader, for re-reading them through a
    /// decompressor. Only before read-ahead starts.
    fn into_parts(self) -> (Vec<u8>, Box<dyn Read + Send + 'r>) {
        let mut buf = self.buf;
        buf.truncate(self.end);
        buf.drain(..self.start);
        match self.src {
            Source::Direct(src) => (buf, src),
            _ => (buf, Box::new(io::empty())),
        }
    }

    /// From here on, a thread of `scope` reads the input ahead of the analysis: at file
    /// offsets when `file` is the regular file this stream reads, else in order.
    fn start_read_ahead<'scope, 'env>(
        &mut self,
        scope: &'scope std::thread::Scope<'scope, 'env>,
        cfg: ahead::ReadAhead,
        file: Option<&'r std::fs::File>,
    ) where
        'r: 'scope,
    {
        if self.eof {
            return;
        }
        if let Source::Direct(src) = std::mem::replace(&mut self.src, Source::Gone) {
            // Where this stream has read up to in the file (reads so far were in order).
            let at = file.and_then(|mut f| io::Seek::stream_position(&mut f).ok());
            self.src = Source::Ahead(match (file, at) {
                (Some(f), Some(at)) if at == self.end_offset() => {
                    drop(src);
                    ahead::start_file(scope, f, at, cfg)
                }
                _ => ahead::start(scope, src, cfg),
            });
        }
    }

    /// Stream offset of the first unconsumed byte.
    fn offset(&self) -> u64 {
        self.base.wrapping_add(self.start as u64)
    }

    /// Stream offset just past the last byte read.
    fn end_offset(&self) -> u64 {
        self.base.wrapping_add(self.end as u64)
    }

    fn available(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// Makes at least `need` bytes available; false if the stream ended (or failed) first,
    /// or if `need` exceeds [`MAX_BUF`]. Whatever could be read stays available.
    #[inline]
    fn fill(&mut self, need: usize) -> bool {
        // Inlined for the common case, once or twice per record: the bytes are there.
        if self.end - self.start >= need && need <= MAX_BUF {
            return true;
        }
        self.fill_more(need)
    }

    fn fill_more(&mut self, need: usize) -> bool {
        if need > MAX_BUF {
            return false;
        }
        while self.end - self.start < need {
            if self.eof {
                return false;
            }
            match &mut self.src {
                Source::Direct(_) => self.read_direct(need),
                Source::Ahead(_) => self.next_chunk(),
                Source::Gone => self.eof = true,
            }
        }
        true
    }

    fn read_direct(&mut self, need: usize) {
        let Source::Direct(src) = &mut self.src else {
            return;
        };
        if self.buf.len() - self.start < need {
            // Move the unconsumed bytes to the front, growing the buffer if needed.
            self.buf.copy_within(self.start..self.end, 0);
            self.base = self.base.wrapping_add(self.start as u64);
            self.end -= self.start;
            self.start = 0;
            // Twice what is needed, so that compaction (a copy of up to `need` bytes)
            // happens at most once per `need` bytes consumed, not once per record.
            let want = need.saturating_mul(2).clamp(INITIAL_BUF, MAX_BUF).max(need);
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
        }
        match src.read(&mut self.buf[self.end..]) {
            Ok(0) => self.eof = true,
            Ok(n) => self.end = (self.end + n).min(self.buf.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                self.error = Some(e);
                self.eof = true;
            }
        }
    }

    /// Switches to the next read-ahead chunk, carrying the unconsumed bytes over into its
    /// headroom (or, when they do not fit there, into a buffer holding both).
    fn next_chunk(&mut self) {
        let Source::Ahead(chunks) = &self.src else {
            return;
        };
        let Some(filled) = chunks.next() else {
            // The thread is gone without saying why: treat as the end.
            self.eof = true;
            return;
        };
        let offset = self.offset();
        let carried = self.end - self.start;
        let head = chunks.cfg.headroom;
        let mut next = filled.buf;
        let (start, end) = if carried <= head {
            next[head - carried..head].copy_from_slice(&self.buf[self.start..self.end]);
            let old = std::mem::replace(&mut self.buf, next);
            if self.buf_from_pool {
                chunks.recycle(old);
            } else if old.capacity() <= SPARE_KEPT && old.capacity() > self.spare.capacity() {
                self.spare = old;
            }
            self.buf_from_pool = true;
            (head - carried, head + filled.len)
        } else {
            // A record longer than the headroom: gather it in a spill buffer that grows
            // by doubling. While the record is incomplete nothing is consumed (start is
            // 0 from the second chunk on), so each byte is copied once, not once per chunk.
            let mut spill = if self.buf_from_pool {
                let mut spill = std::mem::take(&mut self.spare);
                spill.clear();
                spill.extend_from_slice(&self.buf[self.start..self.end]);
                let old = std::mem::take(&mut self.buf);
                chunks.recycle(old);
                spill
            } else {
                let mut spill = std::mem::take(&mut self.buf);
                if self.start > 0 {
                    spill.copy_within(self.start..self.end, 0);
                }
                spill.truncate(carried);
                spill
            };
            spill.extend_from_slice(&next[head..head + filled.len]);
            chunks.recycle(next);
            let len = spill.len();
            self.buf = spill;
            self.buf_from_pool = false;
            (0, len)
        };
        self.start = start;
        self.end = end;
        self.base = offset.wrapping_sub(start as u64);
        if filled.last {
            self.eof = true;
        }
        if let Some(e) = filled.error {
            self.error = Some(e);
        }
    }

    fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
    }

    /// Consumes `n` bytes, reading through the buffer as needed; returns how many were
    /// actually skipped (fewer at the end of the stream).
    fn skip(&mut self, n: u64) -> u64 {
        let mut left = n;
        while left > 0 {
            if self.start == self.end && !self.fill(1) {
                break;
            }
            let take = (self.end - self.start).min(usize::try_from(left).unwrap_or(usize::MAX));
            self.consume(take);
            left -= take as u64;
        }
        n - left
    }
}

/// The largest spill buffer kept between long records (a few TSO-sized records).
const SPARE_KEPT: usize = 1 << 20;

// ---------------------------------------------------------------------------------------
// Shared state: the summary, the sink, numbering, warnings

struct Ctx<'s> {
    summary: InputSummary,
    sink: &'s mut dyn FnMut(RawFrame<'_>),
    /// Packets to deliver at most (`-c`); reading stops at a record boundary after them.
    max_packets: Option<u64>,
    first_number: u64,
    next_number: u64,
    suppressed_warnings: u64,
}

impl Ctx<'_> {
    /// The `-c` count is reached: read nothing more.
    fn full(&self) -> bool {
        self.max_packets
            .is_some_and(|max| self.summary.packets >= max)
    }

    fn warn(&mut self, message: String) {
        if self.summary.warnings.len() < MAX_WARNINGS {
            self.summary.warnings.push(message);
        } else {
            self.suppressed_warnings += 1;
        }
    }

    fn note_link(&mut self, link: LinkType) {
        if !self.summary.link_types.contains(&link.name()) {
            self.summary.link_types.push(link.name());
        }
    }

    fn deliver(&mut self, ts: Timestamp, link: LinkType, data: &[u8], orig_len: u32) {
        let captured = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let frame = RawFrame {
            number: self.next_number,
            ts,
            link,
            data,
            orig_len: orig_len.max(captured),
        };
        self.next_number = self.next_number.saturating_add(1);
        self.summary.packets += 1;
        self.summary.bytes = self.summary.bytes.saturating_add(data.len() as u64);
        (self.sink)(frame);
    }

    /// A packet record that is not delivered but still takes a frame number.
    fn skip_numbered(&mut self) {
        self.next_number = self.next_number.saturating_add(1);
        self.summary.skipped_packets += 1;
    }

    fn set_problem(&mut self, problem: InputProblem) {
        if self.summary.problem.is_none() {
            self.summary.problem = Some(problem);
        }
    }

    /// The problem for a stream that stopped inside a record starting at `record_offset`:
    /// a read error if there was one, else truncation.
    fn stopped(&mut self, stream: &mut Stream<'_>, record_offset: u64, what: String) {
        let gzip = self.summary.gzip;
        let note = if gzip {
            " (offsets count decompressed bytes)"
        } else {
            ""
        };
        let problem = match stream.error.take() {
            Some(e) if gzip && e.kind() == io::ErrorKind::UnexpectedEof => {
                InputProblem::Truncated {
                    offset: record_offset,
                    message: format!("{what}; the compressed gzip data itself ends early{note}"),
                }
            }
            Some(e) => InputProblem::ReadError {
                offset: stream.end_offset(),
                message: format!("{}{}{note}", if gzip { "gzip: " } else { "" }, e),
            },
            None => InputProblem::Truncated {
                offset: record_offset,
                message: format!("{what}{note}"),
            },
        };
        self.set_problem(problem);
    }

    /// End of the data at a record boundary: fine unless a read error ended it.
    fn ended(&mut self, stream: &mut Stream<'_>) {
        let gzip_cut = self.summary.gzip
            && stream
                .error
                .as_ref()
                .is_some_and(|e| e.kind() == io::ErrorKind::UnexpectedEof);
        if gzip_cut {
            // Every record is whole; what is wrong is the gzip framing after them.
            stream.error = None;
            self.set_problem(InputProblem::ReadError {
                offset: stream.end_offset(),
                message: "gzip: after the last complete record the compressed data ends early \
                          (a cut trailer) or is followed by bytes that are not gzip \
                          (offsets count decompressed bytes)"
                    .to_string(),
            });
            return;
        }
        if stream.error.is_some() {
            let offset = stream.end_offset();
            self.stopped(
                stream,
                offset,
                "the data ends at a record boundary".to_string(),
            );
        }
    }

    fn finish(mut self) -> InputSummary {
        if self.suppressed_warnings > 0 {
            let n = self.suppressed_warnings;
            self.summary.warnings.push(format!(
                "{n} more warnings like the ones above were not listed"
            ));
        }
        self.summary.numbered = self.next_number.saturating_sub(self.first_number);
        self.summary
    }
}

fn rd16(b: &[u8], at: usize, be: bool) -> u16 {
    match b
        .get(at..at.saturating_add(2))
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
    {
        Some(a) if be => u16::from_be_bytes(a),
        Some(a) => u16::from_le_bytes(a),
        None => 0,
    }
}

/// Reads a u32 at `at`; 0 when out of range (callers check lengths first).
fn rd32(b: &[u8], at: usize, be: bool) -> u32 {
    match b
        .get(at..at.saturating_add(4))
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
    {
        Some(a) if be => u32::from_be_bytes(a),
        Some(a) => u32::from_le_bytes(a),
        None => 0,
    }
}

// ---------------------------------------------------------------------------------------
// Legacy pcap

#[derive(Clone, Copy, Debug)]
struct RecHdr {
    sec: u32,
    frac: u32,
    caplen: u32,
    orig_len: u32,
}

impl RecHdr {
    fn parse(b: &[u8], be: bool) -> RecHdr {
        RecHdr {
            sec: rd32(b, 0, be),
            frac: rd32(b, 4, be),
            caplen: rd32(b, 8, be),
            orig_len: rd32(b, 12, be),
        }
    }
}

/// What legacy records look like in this file.
struct PcapLayout {
    be: bool,
    nanosecond: bool,
    /// Record header length: 16, or 24 for the "modified" format.
    hdr_len: usize,
    snaplen: u32,
}

impl PcapLayout {
    fn timestamp(&self, h: &RecHdr) -> Timestamp {
        let frac_ns = if self.nanosecond {
            i64::from(h.frac)
        } else {
            i64::from(h.frac) * 1000
        };
        Timestamp(
            i64::from(h.sec)
                .saturating_mul(1_000_000_000)
                .saturating_add(frac_ns),
        )
    }

    /// Could a record header with these fields start here? (For resynchronisation.)
    fn plausible(&self, h: &RecHdr, prev_sec: Option<u32>) -> bool {
        let frac_limit = if self.nanosecond {
            1_000_000_000
        } else {
            1_000_000
        };
        let cap_limit = if self.snaplen > 0 && self.snaplen <= MAX_PCAP_CAPLEN {
            self.snaplen
        } else {
            MAX_PCAP_CAPLEN
        };
        let near = match prev_sec {
            Some(p) => (i64::from(h.sec) - i64::from(p)).abs() <= SECONDS_PER_DAY,
            None => true,
        };
        near && h.frac < frac_limit
            && h.caplen > 0
            && h.caplen <= cap_limit
            && h.caplen <= h.orig_len
            && h.orig_len <= MAX_PLAUSIBLE_ORIG_LEN
    }

    /// A resynchronisation candidate at the start of `avail`: plausible itself, and followed
    /// by a plausible record header, or by the end of the data.
    fn candidate(&self, avail: &[u8], at_eof: bool, prev_sec: Option<u32>) -> bool {
        let h = RecHdr::parse(avail, self.be);
        if avail.len() < self.hdr_len || !self.plausible(&h, prev_sec) {
            return false;
        }
        let next = self.hdr_len.saturating_add(h.caplen as usize);
        match avail.get(next..) {
            // The candidate's data is not all there: not verifiable.
            None => false,
            Some(rest) if rest.len() < self.hdr_len => at_eof,
            Some(rest) => self.plausible(&RecHdr::parse(rest, self.be), Some(h.sec)),
        }
    }
}

fn read_pcap(s: &mut Stream<'_>, ctx: &mut Ctx<'_>, be: bool, nanosecond: bool, modified: bool) {
    ctx.summary.format = Some("pcap");
    ctx.summary.nanosecond = nanosecond;
    if !s.fill(24) {
        let what = format!(
            "the file ends inside the 24-byte pcap file header ({} bytes present)",
            s.available().len()
        );
        ctx.stopped(s, 0, what);
        return;
    }
    let head = s.available();
    let snaplen = rd32(head, 16, be);
    // The upper bits of the link type field carry FCS information (LT_FCS_*).
    let dlt = rd32(head, 20, be) & 0xffff;
    let Some(link) = LinkType::from_dlt(dlt) else {
        ctx.set_problem(InputProblem::UnsupportedLinkType {
            dlt,
            name: dlt_name(dlt),
        });
        return;
    };
    ctx.note_link(link);
    s.consume(24);
    let layout = PcapLayout {
        be,
        nanosecond,
        hdr_len: if modified { 24 } else { 16 },
        snaplen,
    };
    let hdr_len = layout.hdr_len;
    let mut prev_sec: Option<u32> = None;
    loop {
        if ctx.full() {
            return;
        }
        let off = s.offset();
        if !s.fill(hdr_len) {
            let have = s.available().len();
            if have == 0 {
                ctx.ended(s);
            } else {
                let what =
                    format!("the data ends inside a record header ({have} of {hdr_len} bytes)");
                ctx.stopped(s, off, what);
            }
            return;
        }
        let h = RecHdr::parse(s.available(), be);
        // An original length of 0 is impossible too (tcpdump: "Invalid header").
        if h.caplen > MAX_PCAP_CAPLEN || h.caplen > h.orig_len || h.orig_len == 0 {
            let why = format!(
                "captured length {} with original length {}",
                h.caplen, h.orig_len
            );
            if resync_pcap(s, ctx, &layout, prev_sec, off, &why) {
                continue;
            }
            return;
        }
        let total = hdr_len + h.caplen as usize;
        if !s.fill(total) {
            let have = s.available().len().saturating_sub(hdr_len);
            let what = format!(
                "the data ends inside a record of {} captured bytes ({have} present)",
                h.caplen
            );
            ctx.stopped(s, off, what);
            return;
        }
        let data = s.available().get(hdr_len..total).unwrap_or(&[]);
        ctx.deliver(layout.timestamp(&h), link, data, h.orig_len);
        prev_sec = Some(h.sec);
        s.consume(total);
    }
}

/// Scans forward from the corrupt record at `bad_offset` for the next plausible record.
/// True when reading can go on (the stream is positioned at that record).
fn resync_pcap(
    s: &mut Stream<'_>,
    ctx: &mut Ctx<'_>,
    layout: &PcapLayout,
    prev_sec: Option<u32>,
    bad_offset: u64,
    why: &str,
) -> bool {
    // Enough to verify a candidate of maximum size and the header after it.
    let window = layout.hdr_len * 2 + MAX_PCAP_CAPLEN as usize;
    // A zero-filled tail (preallocated or padded file) is reported as such.
    let mut all_zero = s.available().first() == Some(&0);
    s.consume(1);
    loop {
        let full = s.fill(window);
        let avail = s.available();
        if avail.len() < layout.hdr_len {
            all_zero &= avail.iter().all(|&b| b == 0);
            break;
        }
        if layout.candidate(avail, !full, prev_sec) {
            let at = s.offset();
            ctx.summary.skipped_packets += 1;
            ctx.summary.corrupt_records += 1;
            ctx.warn(format!(
                "corrupt pcap record at byte offset {bad_offset} ({why}): skipped {} bytes and resumed at the next plausible record, at offset {at}",
                at.saturating_sub(bad_offset)
            ));
            return true;
        }
        all_zero &= avail.first() == Some(&0);
        s.consume(1);
    }
    let remaining = s.end_offset().saturating_sub(bad_offset);
    if s.error.is_some() {
        let off = s.offset();
        ctx.stopped(
            s,
            off,
            "read error while looking for a valid record".to_string(),
        );
    } else if all_zero {
        ctx.warn(format!(
            "the capture ends with {remaining} zero bytes after its last record, from byte offset {bad_offset} (a preallocated or padded file?); ignored them"
        ));
    } else {
        ctx.set_problem(InputProblem::Corrupt {
            offset: bad_offset,
            message: format!(
                "{why}, and no plausible record follows it in the remaining {remaining} bytes"
            ),
        });
    }
    false
}

// ---------------------------------------------------------------------------------------
// pcapng

struct Iface {
    dlt: u32,
    link: Option<LinkType>,
    snaplen: u32,
    /// Timestamp units per second (`if_tsresol`).
    units: u64,
    /// Seconds added to every timestamp (`if_tsoffset`).
    offset_secs: i64,
    /// Packets skipped because the link type is unsupported.
    skipped: u64,
}

impl Iface {
    fn timestamp(&self, hi: u32, lo: u32) -> Timestamp {
        let raw = (u128::from(hi) << 32) | u128::from(lo);
        let units = u128::from(self.units.max(1));
        let nanos: u128 = if 1_000_000_000u128.is_multiple_of(units) {
            raw * (1_000_000_000 / units)
        } else {
            (raw / units) * 1_000_000_000 + (raw % units) * 1_000_000_000 / units
        };
        let total = i128::try_from(nanos)
            .unwrap_or(i128::MAX)
            .saturating_add(i128::from(self.offset_secs) * 1_000_000_000);
        Timestamp(total.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
}

/// Units per second for an `if_tsresol` value: 10^n, or 2^n when the top bit is set.
fn ts_units(tsresol: u8) -> Option<u64> {
    if tsresol & 0x80 == 0 {
        10u64.checked_pow(u32::from(tsresol))
    } else {
        1u64.checked_shl(u32::from(tsresol & 0x7f))
    }
}

#[derive(Default)]
struct NgState {
    be: bool,
    section: u32,
    ifaces: Vec<Iface>,
    last_ts: Option<Timestamp>,
    undefined_iface_packets: u64,
    /// Interface descriptions ignored because a section had more than [`MAX_INTERFACES`].
    ignored_interfaces: usize,
    first_undefined_offset: u64,
    spb_warned: bool,
    interfaces_seen: u64,
    unsupported_interfaces: u64,
    unsupported_packets: u64,
    first_unsupported_dlt: Option<u32>,
}

impl NgState {
    /// One warning per interface of the ending section whose packets were skipped.
    fn end_section(&mut self, ctx: &mut Ctx<'_>) {
        for (i, iface) in self.ifaces.iter().enumerate() {
            if iface.link.is_none() && iface.skipped > 0 {
                ctx.warn(format!(
                    "interface {i} of section {} uses link type {}, which ftpflow cannot decode: its {} packets were skipped",
                    self.section,
                    dlt_name(iface.dlt),
                    iface.skipped
                ));
            }
        }
        self.ifaces.clear();
        self.ignored_interfaces = 0;
    }
}

fn block_name(t: u32) -> &'static str {
    match t {
        SHB_TYPE => "section header",
        IDB_TYPE => "interface description",
        OPB_TYPE => "obsolete packet",
        SPB_TYPE => "simple packet",
        4 => "name resolution",
        5 => "interface statistics",
        EPB_TYPE => "enhanced packet",
        9 => "systemd journal export",
        10 => "decryption secrets",
        _ => "unknown",
    }
}

fn is_packet_block(t: u32) -> bool {
    matches!(t, EPB_TYPE | OPB_TYPE | SPB_TYPE)
}

/// Does a plausible block header (or the end of the data) sit `at` bytes into the buffer?
fn block_follows(s: &mut Stream<'_>, at: usize, be: bool) -> bool {
    if !s.fill(at.saturating_add(8)) {
        return s.available().len() == at && s.error.is_none();
    }
    let b = s.available();
    let t_le = rd32(b, at, false);
    if t_le == SHB_TYPE {
        let (le, be_len) = (rd32(b, at + 4, false), rd32(b, at + 4, true));
        return (le >= 28 && le.is_multiple_of(4)) || (be_len >= 28 && be_len.is_multiple_of(4));
    }
    let t = rd32(b, at, be);
    let len = rd32(b, at + 4, be);
    let known = matches!(t, 1..=10 | 0xbad | 0x4000_0bad) || t & 0x8000_0000 != 0;
    known && len >= 12 && len.is_multiple_of(4)
}

fn read_pcapng(s: &mut Stream<'_>, ctx: &mut Ctx<'_>) {
    ctx.summary.format = Some("pcapng");
    let mut st = NgState::default();
    loop {
        if ctx.full() {
            break;
        }
        let off = s.offset();
        if !s.fill(8) {
            let have = s.available().len();
            if have == 0 {
                ctx.ended(s);
            } else {
                let what = format!("the data ends inside a block header ({have} of 8 bytes)");
                ctx.stopped(s, off, what);
            }
            break;
        }
        if rd32(s.available(), 0, false) == SHB_TYPE {
            // The block type is a palindrome; the byte-order magic decides the order of
            // everything else in the section, including this block's length.
            if !s.fill(12) {
                let what = "the data ends inside a section header block".to_string();
                ctx.stopped(s, off, what);
                break;
            }
            let bom = rd32(s.available(), 8, false);
            st.be = if bom == BOM {
                false
            } else if bom == BOM.swap_bytes() {
                true
            } else if off == 0 {
                ctx.set_problem(InputProblem::NotACapture {
                    found: format!(
                        "first bytes {} (the pcapng magic, but no valid byte-order magic)",
                        magic::hex_prefix(s.available())
                    ),
                });
                break;
            } else {
                ctx.set_problem(InputProblem::Corrupt {
                    offset: off,
                    message: format!(
                        "section header block with an invalid byte-order magic {bom:08x}"
                    ),
                });
                break;
            };
        }
        let be = st.be;
        let btype = rd32(s.available(), 0, be);
        let len = rd32(s.available(), 4, be);
        let len_us = len as usize;
        let name = block_name(btype);

        if len < 12 || !len.is_multiple_of(4) {
            if len >= 12 && block_follows(s, len_us, be) {
                ctx.warn(format!(
                    "{name} block at byte offset {off} has length {len}, which is not a multiple of 4; skipped it"
                ));
                ctx.summary.corrupt_records += 1;
                if is_packet_block(btype) {
                    ctx.summary.skipped_packets += 1;
                }
                s.skip(u64::from(len));
                continue;
            }
            ctx.set_problem(InputProblem::Corrupt {
                offset: off,
                message: format!("{name} block (type 0x{btype:08x}) with impossible length {len}"),
            });
            break;
        }

        if len_us > MAX_BUF {
            // Too big to hold: stream past it, still checking the trailing length.
            if is_packet_block(btype) {
                ctx.summary.skipped_packets += 1;
                ctx.warn(format!(
                    "{name} block at byte offset {off} is {len} bytes, more than the {MAX_BUF}-byte limit; skipped it"
                ));
                ctx.summary.corrupt_records += 1;
            }
            let body = u64::from(len) - 4;
            if s.skip(body) < body || !s.fill(4) {
                let what = format!("the data ends inside a {name} block of {len} bytes");
                ctx.stopped(s, off, what);
                break;
            }
            let trailer = rd32(s.available(), 0, be);
            if trailer != len {
                ctx.set_problem(InputProblem::Corrupt {
                    offset: off,
                    message: format!(
                        "{name} block length {len} does not match its trailing length {trailer}"
                    ),
                });
                break;
            }
            s.consume(4);
            continue;
        }

        if !s.fill(len_us) {
            let what = format!(
                "the data ends inside a {name} block of {len} bytes ({} present)",
                s.available().len()
            );
            ctx.stopped(s, off, what);
            break;
        }
        let trailer = rd32(s.available(), len_us - 4, be);
        if trailer != len {
            if block_follows(s, len_us, be) {
                ctx.warn(format!(
                    "{name} block at byte offset {off}: trailing length {trailer} does not match its length {len}; skipped it"
                ));
                ctx.summary.corrupt_records += 1;
                if is_packet_block(btype) {
                    ctx.summary.skipped_packets += 1;
                }
                s.consume(len_us);
                continue;
            }
            ctx.set_problem(InputProblem::Corrupt {
                offset: off,
                message: format!(
                    "{name} block length {len} does not match its trailing length {trailer}"
                ),
            });
            break;
        }

        let min_len = match btype {
            SHB_TYPE => 28,
            IDB_TYPE => 20,
            EPB_TYPE | OPB_TYPE => 32,
            SPB_TYPE => 16,
            _ => 12,
        };
        if len < min_len {
            ctx.warn(format!(
                "{name} block at byte offset {off} is only {len} bytes (at least {min_len} needed); skipped it"
            ));
            ctx.summary.corrupt_records += 1;
            if is_packet_block(btype) {
                ctx.summary.skipped_packets += 1;
            }
            s.consume(len_us);
            continue;
        }

        let block = s.available().get(..len_us).unwrap_or(&[]);
        match btype {
            SHB_TYPE => {
                st.end_section(ctx);
                st.section += 1;
                if !options_fit(block, 24, st.be) {
                    ctx.summary.corrupt_records += 1;
                    ctx.warn(format!(
                        "section header at byte offset {off} has options that run past the end of the block; ignored them"
                    ));
                }
                match pcap_parser::parse_sectionheaderblock(block) {
                    Ok((_, shb)) if shb.major_version != 1 => ctx.warn(format!(
                        "section header at byte offset {off} has version {}.{}; read it as 1.0",
                        shb.major_version, shb.minor_version
                    )),
                    Ok(_) => {}
                    Err(_) => {
                        ctx.summary.corrupt_records += 1;
                        ctx.warn(format!(
                            "section header at byte offset {off} has unreadable options; ignored them"
                        ));
                    }
                }
            }
            IDB_TYPE => add_interface(&mut st, ctx, block, off),
            EPB_TYPE | OPB_TYPE => {
                // The layouts differ only in the interface id: 32 bits (EPB), or 16 bits
                // followed by a drop count (OPB).
                let if_id = if btype == EPB_TYPE {
                    rd32(block, 8, be)
                } else {
                    u32::from(rd16(block, 8, be))
                };
                let (hi, lo) = (rd32(block, 12, be), rd32(block, 16, be));
                let (caplen, orig) = (rd32(block, 20, be), rd32(block, 24, be));
                // Packet data sits between the 28-byte header and the 4-byte trailer.
                match block.get(28..28usize.saturating_add(caplen as usize)) {
                    Some(data) if data.len() <= len_us - 32 => {
                        packet(&mut st, ctx, off, if_id, data, orig, |iface| {
                            iface.timestamp(hi, lo)
                        });
                    }
                    _ => {
                        ctx.summary.skipped_packets += 1;
                        ctx.summary.corrupt_records += 1;
                        ctx.warn(format!(
                            "{name} block at byte offset {off} claims {caplen} captured bytes but holds {}; skipped it",
                            len_us - 32
                        ));
                    }
                }
            }
            SPB_TYPE => {
                let parsed = if be {
                    pcap_parser::parse_simplepacketblock_be(block)
                } else {
                    pcap_parser::parse_simplepacketblock_le(block)
                };
                match parsed {
                    Ok((_, spb)) => {
                        let mut caplen = (spb.origlen as usize).min(spb.data.len());
                        if let Some(snap) = st.ifaces.first().map(|i| i.snaplen as usize)
                            && snap > 0
                        {
                            caplen = caplen.min(snap);
                        }
                        let data = spb.data.get(..caplen).unwrap_or(&[]);
                        if !st.spb_warned {
                            st.spb_warned = true;
                            ctx.warn(format!(
                                "simple packet blocks (the first at byte offset {off}) carry no timestamp; each was given the time of the packet before it"
                            ));
                        }
                        let ts = st.last_ts.unwrap_or(Timestamp::ZERO);
                        packet(&mut st, ctx, off, 0, data, spb.origlen, |_| ts);
                    }
                    Err(_) => {
                        ctx.summary.skipped_packets += 1;
                        ctx.summary.corrupt_records += 1;
                        ctx.warn(format!(
                            "simple packet block at byte offset {off} could not be parsed; skipped it"
                        ));
                    }
                }
            }
            // Name resolution, statistics, journal, secrets, custom blocks: not needed.
            _ => {}
        }
        s.consume(len_us);
    }
    st.end_section(ctx);
    if st.undefined_iface_packets > 0 {
        ctx.warn(format!(
            "{} packets (the first at byte offset {}) name an interface that no interface description block defined; skipped them",
            st.undefined_iface_packets, st.first_undefined_offset
        ));
    }
    let all_unsupported = st.interfaces_seen > 0 && st.unsupported_interfaces == st.interfaces_seen;
    if ctx.summary.packets == 0
        && (st.unsupported_packets > 0 || all_unsupported)
        && let Some(dlt) = st.first_unsupported_dlt
    {
        // Nothing could be analysed: that is the problem to report; keep any other one
        // (truncation, corruption) as a warning.
        if let Some(previous) = ctx.summary.problem.take() {
            let name = ctx.summary.name.clone();
            ctx.warn(previous.message(&name));
        }
        ctx.summary.problem = Some(InputProblem::UnsupportedLinkType {
            dlt,
            name: dlt_name(dlt),
        });
    }
}

/// Delivers (or counts) one packet from a pcapng packet block.
fn packet(
    st: &mut NgState,
    ctx: &mut Ctx<'_>,
    off: u64,
    if_id: u32,
    data: &[u8],
    orig_len: u32,
    ts: impl FnOnce(&Iface) -> Timestamp,
) {
    let Some(iface) = st.ifaces.get_mut(if_id as usize) else {
        if st.undefined_iface_packets == 0 {
            st.first_undefined_offset = off;
        }
        st.undefined_iface_packets += 1;
        ctx.summary.skipped_packets += 1;
        // An interface ignored for the interface bound is not damage; any other is.
        if (if_id as usize) >= st.ifaces.len() + st.ignored_interfaces {
            ctx.summary.corrupt_records += 1;
        }
        return;
    };
    let Some(link) = iface.link else {
        iface.skipped += 1;
        st.unsupported_packets += 1;
        ctx.skip_numbered();
        return;
    };
    let ts = ts(iface);
    st.last_ts = Some(ts);
    ctx.deliver(ts, link, data, orig_len);
}

/// Do the options of `block` (from byte `start` to its trailing length) each fit inside
/// it? Each is a 2-byte code and a 2-byte length, its value padded to 4 bytes; code 0 ends
/// the list, and so may the end of the block.
fn options_fit(block: &[u8], start: usize, be: bool) -> bool {
    let end = block.len().saturating_sub(4);
    let mut at = start;
    while at < end {
        if at + 4 > end {
            return false;
        }
        let code = rd16(block, at, be);
        let len = usize::from(rd16(block, at + 2, be));
        if code == 0 {
            return true;
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    at == end
}

fn add_interface(st: &mut NgState, ctx: &mut Ctx<'_>, block: &[u8], off: u64) {
    if st.ifaces.len() >= MAX_INTERFACES {
        ctx.warn(format!(
            "interface description block at byte offset {off}: more than {MAX_INTERFACES} interfaces in one section; ignored it"
        ));
        st.ignored_interfaces += 1;
        return;
    }
    let be = st.be;
    // Fallbacks from the fixed fields, used if the options cannot be parsed.
    let mut dlt = u32::from(rd16(block, 8, be));
    let mut snaplen = rd32(block, 12, be);
    let mut units = 1_000_000u64;
    let mut offset_secs = 0i64;
    let parsed = if !options_fit(block, 16, be) {
        ctx.summary.corrupt_records += 1;
        ctx.warn(format!(
            "interface description block at byte offset {off} has options that run past the end of the block; ignored them and assumed microsecond timestamps"
        ));
        None
    } else if be {
        Some(pcap_parser::parse_interfacedescriptionblock_be(block))
    } else {
        Some(pcap_parser::parse_interfacedescriptionblock_le(block))
    };
    match parsed {
        None => {}
        Some(Ok((_, idb))) => {
            dlt = (idb.linktype.0 as u32) & 0xffff;
            snaplen = idb.snaplen;
            for opt in &idb.options {
                let Ok(value) = opt.as_bytes() else { continue };
                match opt.code.0 {
                    9 => match value.first().copied().map(|r| (r, ts_units(r))) {
                        Some((_, Some(u))) => units = u,
                        Some((r, None)) => {
                            ctx.summary.corrupt_records += 1;
                            ctx.warn(format!(
                                "interface {} at byte offset {off} has an invalid time resolution (if_tsresol 0x{r:02x}); assumed microseconds",
                                st.ifaces.len()
                            ));
                        }
                        None => {}
                    },
                    14 => {
                        if let Ok(a) = <[u8; 8]>::try_from(value) {
                            offset_secs = if be {
                                i64::from_be_bytes(a)
                            } else {
                                i64::from_le_bytes(a)
                            };
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(Err(_)) => {
            ctx.summary.corrupt_records += 1;
            ctx.warn(format!(
                "interface description block at byte offset {off} has unreadable options; assumed microsecond timestamps"
            ));
        }
    }
    let link = LinkType::from_dlt(dlt);
    st.interfaces_seen += 1;
    match link {
        Some(l) => ctx.note_link(l),
        None => {
            st.unsupported_interfaces += 1;
            st.first_unsupported_dlt.get_or_insert(dlt);
        }
    }
    if units > 1_000_000 {
        ctx.summary.nanosecond = true;
    }
    st.ifaces.push(Iface {
        dlt,
        link,
        snaplen,
        units,
        offset_secs,
        skipped: 0,
    });
}
