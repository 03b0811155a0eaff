//! Line splitter for one direction of an FTP control connection.
//!
//! **Input:** the in-order bytes of one TCP direction, in pieces of any size
//! ([`LineSplitter::push`]), plus "bytes are missing here" ([`LineSplitter::gap`]) and
//! "the stream ended" ([`LineSplitter::finish`]).
//!
//! **Output:** one [`Line`] per line, in order: its text without the line end and with
//! Telnet commands removed, the length it really had, and flags for what was odd about it.
//!
//! **Rules** (RFC 959 §2.2/§4.1, RFC 854 for the Telnet part):
//! * A line ends at LF. CR LF is the correct end; a bare LF is accepted and flagged.
//! * A CR that is not followed by LF is data. CR NUL (Telnet's "bare carriage return") is
//!   one CR byte.
//! * Telnet commands are removed: IAC IAC is one 0xFF data byte; IAC WILL/WONT/DO/DONT x,
//!   IAC SB ... IAC SE, IAC IP, IAC DM and the one-byte commands (NOP, BRK, AO, AYT, EC, EL,
//!   GA, SE) are dropped and recorded in [`TelnetSeen`]. EC and EL are not applied: FTP
//!   servers do not edit lines either. IAC followed by a byte below 240 is not Telnet, so
//!   both bytes are kept as data (a client that sends a raw 0xFF in a file name).
//! * A line, a CR LF pair and a Telnet sequence may be split across any number of pushes.
//! * Memory is bounded: at most `max_line` bytes of a line are kept (the rest is counted in
//!   [`Line::full_len`]), and a subnegotiation that never ends is abandoned after
//!   [`MAX_SUBNEGOTIATION`] bytes so that it cannot swallow the rest of the stream.
//! * A line that lies completely inside one push is handed out as a slice of that push
//!   (no copy); only lines spanning pushes or containing Telnet commands go through the
//!   internal buffer, which is reused.

/// Telnet "interpret as command".
const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
/// Subnegotiation begin.
const SB: u8 = 250;
const GA: u8 = 249;
const EL: u8 = 248;
const EC: u8 = 247;
const AYT: u8 = 246;
const AO: u8 = 245;
/// Interrupt process: sent before ABOR (RFC 959 §4.1.3).
const IP: u8 = 244;
const BRK: u8 = 243;
/// Data mark: the Telnet "synch", sent as TCP urgent data before ABOR.
const DM: u8 = 242;
const NOP: u8 = 241;
/// Subnegotiation end.
const SE: u8 = 240;

/// A subnegotiation (IAC SB ...) longer than this is given up on; real ones are a few bytes.
pub const MAX_SUBNEGOTIATION: usize = 512;

/// Telnet commands that appeared inside one line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TelnetSeen {
    /// IAC IP (interrupt process), part of the ABOR sequence.
    pub interrupt: bool,
    /// IAC DM (data mark, the "synch"), part of the ABOR sequence.
    pub synch: bool,
    /// Option negotiation: WILL/WONT/DO/DONT or a subnegotiation.
    pub negotiation: bool,
    /// Any other command (NOP, BRK, AO, AYT, EC, EL, GA, stray SE, IAC + non-command byte).
    pub other: bool,
}

impl TelnetSeen {
    /// True when any Telnet command was seen.
    pub fn any(&self) -> bool {
        self.interrupt || self.synch || self.negotiation || self.other
    }
}

/// One line of the control connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line without its CR LF / LF, Telnet commands removed (IAC IAC -> one 0xFF byte),
    /// cut to `max_line` bytes.
    pub text: &'a [u8],
    /// Length of the whole line before cutting (after Telnet removal, without the line end).
    pub full_len: usize,
    /// `full_len > max_line`: `text` is only the start of the line.
    pub truncated: bool,
    /// Ended by LF without CR.
    pub bare_lf: bool,
    /// The stream ended (or [`LineSplitter::finish`] was called) before the line end.
    pub unterminated: bool,
    /// Telnet commands that appeared in this line.
    pub telnet: TelnetSeen,
    /// The line began right after a gap (missing bytes): its start may be lost.
    pub after_gap: bool,
    /// Stream offset of the line's first byte (right after the previous line or gap).
    pub start: u64,
    /// Stream offset just past the line's end (its LF, or the last byte of an
    /// unterminated line).
    pub end: u64,
}

/// Where the Telnet decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Telnet {
    /// Plain data.
    Data,
    /// After IAC.
    Iac,
    /// After IAC WILL/WONT/DO/DONT: the next byte is the option code.
    Option,
    /// Inside IAC SB ...
    Sub,
    /// After IAC inside a subnegotiation.
    SubIac,
}

/// Splits one direction's byte stream into lines. State is bounded by `max_line`.
#[derive(Debug)]
pub struct LineSplitter {
    max_line: usize,
    /// The kept part of the current line (at most `max_line` bytes).
    buf: Vec<u8>,
    /// Length of the current line so far, kept or not.
    full_len: usize,
    /// Something of the current line was consumed (data, CR, or Telnet bytes).
    started: bool,
    /// A CR was seen; whether it ends the line depends on the next byte.
    pending_cr: bool,
    telnet_state: Telnet,
    /// Bytes inside the current subnegotiation.
    sub_len: usize,
    seen: TelnetSeen,
    /// The next line starts after a gap.
    after_gap: bool,
    dropped: u64,
    /// Stream offset of the next byte pushed (gaps count).
    pos: u64,
    /// Stream offsets of the current line's start and of the end of what emits next.
    line_begin: u64,
    line_end: u64,
}

impl LineSplitter {
    /// A splitter that keeps at most `max_line` bytes of each line (typically 8192).
    pub fn new(max_line: usize) -> LineSplitter {
        LineSplitter {
            max_line,
            buf: Vec::new(),
            full_len: 0,
            started: false,
            pending_cr: false,
            telnet_state: Telnet::Data,
            sub_len: 0,
            seen: TelnetSeen::default(),
            after_gap: false,
            dropped: 0,
            pos: 0,
            line_begin: 0,
            line_end: 0,
        }
    }

    /// Feeds in-order bytes; calls `out` once per complete line, in order.
    ///
    /// Wire example (one push, two lines): `USER anonymous\r\nPASS anonymous\r\n`.
    pub fn push(&mut self, data: &[u8], out: &mut dyn FnMut(Line<'_>)) {
        let base = self.pos;
        self.pos += data.len() as u64;
        let consumed = |rest: &[u8]| base + (data.len() - rest.len()) as u64;
        let mut rest = data;
        while !rest.is_empty() {
            if self.telnet_state == Telnet::Data && !self.pending_cr {
                // Move a run of ordinary bytes in one go; only LF, CR and IAC need a decision.
                let special = rest
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r' || b == IAC);
                let run_end = special.unwrap_or(rest.len());
                if !self.started
                    && let Some(p) = special
                {
                    let end_len = match rest.get(p) {
                        Some(b'\n') => Some(1),
                        Some(b'\r') if rest.get(p + 1) == Some(&b'\n') => Some(2),
                        _ => None,
                    };
                    if let Some(n) = end_len {
                        // The whole line is in this push: hand out a borrowed slice.
                        self.line_end = consumed(rest) + (p + n) as u64;
                        let (text, tail) = rest.split_at(p);
                        self.emit_borrowed(text, n == 1, out);
                        rest = tail.get(n..).unwrap_or_default();
                        continue;
                    }
                }
                let (run, tail) = rest.split_at(run_end);
                self.append(run);
                rest = tail;
            }
            if let Some((&b, tail)) = rest.split_first() {
                rest = tail;
                self.line_end = consumed(rest);
                self.step(b, out);
            }
        }
    }

    /// `n` bytes are missing from the stream here: drops the partial line (counted in
    /// [`dropped_partial_lines`](Self::dropped_partial_lines)) and marks the next line
    /// `after_gap`.
    pub fn gap(&mut self, n: u64) {
        self.pos += n;
        if self.started {
            self.dropped = self.dropped.saturating_add(1);
        }
        self.reset_line();
        // A Telnet sequence may have been cut by the gap; start clean.
        self.telnet_state = Telnet::Data;
        self.sub_len = 0;
        self.after_gap = true;
        self.line_begin = self.pos;
    }

    /// `n` bytes of the stream are not text (TLS records before plain text resumed): the
    /// offsets move on, nothing is flagged, any partial line is forgotten.
    pub fn skip(&mut self, n: u64) {
        self.pos += n;
        self.reset_line();
        self.telnet_state = Telnet::Data;
        self.sub_len = 0;
        self.line_begin = self.pos;
    }

    /// The stream ended: emits the partial line, if any, with `unterminated` set.
    ///
    /// A trailing lone CR is taken as the start of a line end and not included in the text.
    /// Wire example: `QUIT` followed by FIN, no CR LF.
    pub fn finish(&mut self, out: &mut dyn FnMut(Line<'_>)) {
        self.line_end = self.pos;
        if self.started {
            self.pending_cr = false;
            self.emit(false, true, out);
        }
        self.reset_line();
        self.telnet_state = Telnet::Data;
        self.sub_len = 0;
    }

    /// Stream offset of the next byte to come (bytes pushed and gaps so far).
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Partial lines thrown away by [`gap`](Self::gap).
    pub fn dropped_partial_lines(&self) -> u64 {
        self.dropped
    }

    /// Bytes of the current line held in memory (never more than `max_line + 1`).
    pub fn buffered(&self) -> usize {
        self.buf.len() + usize::from(self.pending_cr)
    }

    /// One byte through the CR and Telnet state machines.
    fn step(&mut self, b: u8, out: &mut dyn FnMut(Line<'_>)) {
        match self.telnet_state {
            Telnet::Data => {
                if self.pending_cr {
                    self.pending_cr = false;
                    match b {
                        b'\n' => {
                            self.emit(false, false, out);
                            return;
                        }
                        // Telnet CR NUL stands for a bare CR.
                        0 => {
                            self.append(b"\r");
                            return;
                        }
                        // A lone CR is data; `b` is handled below.
                        _ => self.append(b"\r"),
                    }
                }
                match b {
                    b'\n' => self.emit(true, false, out),
                    b'\r' => {
                        self.pending_cr = true;
                        self.started = true;
                    }
                    IAC => {
                        self.telnet_state = Telnet::Iac;
                        self.started = true;
                    }
                    _ => self.append(&[b]),
                }
            }
            Telnet::Iac => {
                self.telnet_state = Telnet::Data;
                match b {
                    IAC => self.append(&[IAC]),
                    WILL | WONT | DO | DONT => {
                        self.seen.negotiation = true;
                        self.telnet_state = Telnet::Option;
                    }
                    SB => {
                        self.seen.negotiation = true;
                        self.telnet_state = Telnet::Sub;
                        self.sub_len = 0;
                    }
                    IP => self.seen.interrupt = true,
                    DM => self.seen.synch = true,
                    SE | NOP | BRK | AO | AYT | EC | EL | GA => self.seen.other = true,
                    _ => {
                        // Not a Telnet command: keep the 0xFF and treat `b` as data (it
                        // may be the LF that ends the line).
                        self.seen.other = true;
                        self.append(&[IAC]);
                        self.step(b, out);
                    }
                }
            }
            Telnet::Option => self.telnet_state = Telnet::Data,
            Telnet::Sub => {
                if b == IAC {
                    self.telnet_state = Telnet::SubIac;
                } else {
                    self.count_sub();
                }
            }
            Telnet::SubIac => {
                if b == SE {
                    self.telnet_state = Telnet::Data;
                } else {
                    // IAC IAC inside SB is an escaped 0xFF of the subnegotiation data.
                    self.telnet_state = Telnet::Sub;
                    self.count_sub();
                }
            }
        }
    }

    /// Counts a subnegotiation byte; gives up on endless ones so lines keep coming.
    fn count_sub(&mut self) {
        self.sub_len = self.sub_len.saturating_add(1);
        if self.sub_len > MAX_SUBNEGOTIATION {
            self.seen.other = true;
            self.telnet_state = Telnet::Data;
            self.sub_len = 0;
        }
    }

    /// Adds data bytes to the current line, keeping at most `max_line` of them.
    fn append(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.started = true;
        self.full_len = self.full_len.saturating_add(bytes.len());
        let room = self.max_line.saturating_sub(self.buf.len());
        let take = bytes.get(..room.min(bytes.len())).unwrap_or_default();
        if take.is_empty() {
            return;
        }
        let needed = self.buf.len() + take.len();
        if needed > self.buf.capacity() {
            // Grow geometrically but never beyond max_line, so capacity stays bounded.
            let target = needed
                .max(self.buf.capacity().saturating_mul(2))
                .max(64)
                .min(self.max_line);
            self.buf
                .reserve_exact(target.saturating_sub(self.buf.len()));
        }
        self.buf.extend_from_slice(take);
    }

    /// Hands out the buffered line and starts a new one.
    fn emit(&mut self, bare_lf: bool, unterminated: bool, out: &mut dyn FnMut(Line<'_>)) {
        out(Line {
            text: &self.buf,
            full_len: self.full_len,
            truncated: self.full_len > self.max_line,
            bare_lf,
            unterminated,
            telnet: self.seen,
            after_gap: self.after_gap,
            start: self.line_begin,
            end: self.line_end,
        });
        self.line_begin = self.line_end;
        self.reset_line();
    }

    /// Hands out a line found whole inside one push, without copying it.
    fn emit_borrowed(&mut self, text: &[u8], bare_lf: bool, out: &mut dyn FnMut(Line<'_>)) {
        let kept = text.get(..self.max_line).unwrap_or(text);
        out(Line {
            text: kept,
            full_len: text.len(),
            truncated: text.len() > self.max_line,
            bare_lf,
            unterminated: false,
            telnet: TelnetSeen::default(),
            after_gap: self.after_gap,
            start: self.line_begin,
            end: self.line_end,
        });
        self.line_begin = self.line_end;
        self.after_gap = false;
    }

    fn reset_line(&mut self) {
        self.buf.clear();
        self.full_len = 0;
        self.started = false;
        self.pending_cr = false;
        self.seen = TelnetSeen::default();
        self.after_gap = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owned copy of a [`Line`] for comparisons.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Owned {
        text: Vec<u8>,
        full_len: usize,
        truncated: bool,
        bare_lf: bool,
        unterminated: bool,
        telnet: TelnetSeen,
        after_gap: bool,
    }

    fn own(l: Line<'_>) -> Owned {
        Owned {
            text: l.text.to_vec(),
            full_len: l.full_len,
            truncated: l.truncated,
            bare_lf: l.bare_lf,
            unterminated: l.unterminated,
            telnet: l.telnet,
            after_gap: l.after_gap,
        }
    }

    /// Splits `data` fed in the given chunk sizes (cycled), then finishes.
    fn split_chunks(max: usize, data: &[u8], sizes: &mut dyn FnMut() -> usize) -> Vec<Owned> {
        let mut s = LineSplitter::new(max);
        let mut lines = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let n = sizes().clamp(1, rest.len());
            let (a, b) = rest.split_at(n);
            s.push(a, &mut |l| lines.push(own(l)));
            assert!(s.buffered() <= max + 1);
            rest = b;
        }
        s.finish(&mut |l| lines.push(own(l)));
        lines
    }

    fn split(max: usize, data: &[u8]) -> Vec<Owned> {
        split_chunks(max, data, &mut || usize::MAX)
    }

    fn texts(lines: &[Owned]) -> Vec<&[u8]> {
        lines.iter().map(|l| l.text.as_slice()).collect()
    }

    #[test]
    fn crlf_lines_in_one_push() {
        let lines = split(8192, b"220 (vsFTPd 2.3.5)\r\nUSER anonymous\r\n");
        assert_eq!(
            texts(&lines),
            vec![&b"220 (vsFTPd 2.3.5)"[..], &b"USER anonymous"[..]]
        );
        assert!(
            lines
                .iter()
                .all(|l| !l.bare_lf && !l.unterminated && !l.truncated)
        );
        assert_eq!(lines[0].full_len, 18);
    }

    #[test]
    fn bare_lf_and_empty_lines() {
        let lines = split(8192, b"PWD\n\r\n\nNOOP\r\n");
        assert_eq!(texts(&lines), vec![&b"PWD"[..], b"", b"", b"NOOP"]);
        assert_eq!(
            lines.iter().map(|l| l.bare_lf).collect::<Vec<_>>(),
            vec![true, false, true, false]
        );
    }

    #[test]
    fn crlf_split_across_pushes() {
        let mut s = LineSplitter::new(8192);
        let mut lines = Vec::new();
        s.push(b"TYPE I\r", &mut |l| lines.push(own(l)));
        assert!(lines.is_empty());
        assert_eq!(s.buffered(), 7);
        s.push(b"\nPASV\r\n", &mut |l| lines.push(own(l)));
        assert_eq!(texts(&lines), vec![&b"TYPE I"[..], b"PASV"]);
        assert!(!lines[0].bare_lf);
        assert_eq!(s.buffered(), 0);
    }

    #[test]
    fn lone_cr_is_data_and_cr_nul_is_cr() {
        let lines = split(8192, b"STOR a\rb\r\nSTOR c\r\0d\r\n");
        assert_eq!(texts(&lines), vec![&b"STOR a\rb"[..], b"STOR c\rd"]);
        // CR CR LF: the first CR is data.
        let lines = split(8192, b"NOOP\r\r\n");
        assert_eq!(texts(&lines), vec![&b"NOOP\r"[..]]);
    }

    #[test]
    fn abort_sequence_with_telnet_ip_and_dm() {
        // What a client sends for ABOR (RFC 959 §4.1.3): IAC IP, IAC DM (urgent), ABOR.
        let lines = split(8192, b"\xff\xf4\xff\xf2ABOR\r\n");
        assert_eq!(texts(&lines), vec![&b"ABOR"[..]]);
        let t = lines[0].telnet;
        assert!(t.interrupt && t.synch && !t.negotiation && !t.other);
        assert_eq!(lines[0].full_len, 4);
    }

    #[test]
    fn telnet_negotiation_and_escapes() {
        let lines = split(
            8192,
            b"\xff\xfb\x01USER a\xff\xffb\r\n\xff\xfa\x18\x01\xff\xff\x02\xff\xf0PWD\r\nNOOP\xff\xf1\r\n",
        );
        assert_eq!(texts(&lines), vec![&b"USER a\xffb"[..], b"PWD", b"NOOP"]);
        assert!(lines[0].telnet.negotiation && !lines[0].telnet.other);
        assert!(lines[1].telnet.negotiation);
        assert!(lines[2].telnet.other && !lines[2].telnet.negotiation);
    }

    #[test]
    fn iac_before_non_command_byte_is_kept() {
        let lines = split(8192, b"RETR \xffa\xff\n");
        // IAC 'a' keeps both; IAC LF keeps the 0xFF and the LF still ends the line.
        assert_eq!(texts(&lines), vec![&b"RETR \xffa\xff"[..]]);
        assert!(lines[0].telnet.other);
        assert!(lines[0].bare_lf);
    }

    #[test]
    fn endless_subnegotiation_is_abandoned() {
        let mut data = b"\xff\xfa".to_vec();
        data.extend(std::iter::repeat_n(b'x', MAX_SUBNEGOTIATION + 1));
        data.extend_from_slice(b"\r\nQUIT\r\n");
        let lines = split(8192, &data);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].text, b"QUIT");
        assert!(lines[0].telnet.negotiation && lines[0].telnet.other);
    }

    #[test]
    fn long_command_in_41_segments_is_one_line() {
        // suricata-ftp-too-long-command-buffered: RETR + 42056 bytes of arg, 1024-byte segments.
        let mut data = b"RETR ".to_vec();
        data.extend(std::iter::repeat_n(b'A', 42061 - 5 - 1));
        data.push(b'Z');
        data.extend_from_slice(b"\r\nRETR index.html\r\n");
        let mut s = LineSplitter::new(8192);
        let mut lines = Vec::new();
        for chunk in data.chunks(1024) {
            s.push(chunk, &mut |l| lines.push(own(l)));
            assert!(s.buffered() <= 8193);
        }
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].full_len, 42061);
        assert!(lines[0].truncated);
        assert_eq!(lines[0].text.len(), 8192);
        assert!(lines[0].text.starts_with(b"RETR AAAA"));
        assert_eq!(lines[1].text, b"RETR index.html");
        assert!(!lines[1].truncated);
    }

    #[test]
    fn long_line_in_one_push_is_cut_too() {
        let mut data = b"227 ".to_vec();
        data.extend(std::iter::repeat_n(b'A', 112_717));
        data.extend_from_slice(b"\r\n");
        let lines = split(8192, &data);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].full_len, 112_721);
        assert_eq!(lines[0].text.len(), 8192);
        assert!(lines[0].truncated);
    }

    #[test]
    fn megabytes_without_line_end_stay_bounded() {
        let mut s = LineSplitter::new(100);
        let chunk = [b'x'; 4096];
        let mut n = 0;
        for _ in 0..512 {
            s.push(&chunk, &mut |_| n += 1);
            assert!(s.buffered() <= 101);
        }
        assert_eq!(n, 0);
        assert!(s.buf.capacity() <= 100);
        let mut lines = Vec::new();
        s.finish(&mut |l| lines.push(own(l)));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].unterminated && lines[0].truncated);
        assert_eq!(lines[0].full_len, 4096 * 512);
        assert_eq!(lines[0].text.len(), 100);
    }

    #[test]
    fn max_line_zero_keeps_nothing_but_counts() {
        let lines = split(0, b"NOOP\r\nX\xff\xffY\r\n");
        assert_eq!(texts(&lines), vec![&b""[..], b""]);
        assert_eq!(lines[0].full_len, 4);
        assert_eq!(lines[1].full_len, 3);
        assert!(lines.iter().all(|l| l.truncated));
    }

    #[test]
    fn finish_emits_unterminated_partial_line() {
        let lines = split(8192, b"221 Goodbye.\r\nQUIT");
        assert_eq!(texts(&lines), vec![&b"221 Goodbye."[..], b"QUIT"]);
        assert!(lines[1].unterminated && !lines[0].unterminated);
        // Trailing CR is not text.
        let lines = split(8192, b"QUIT\r");
        assert_eq!(texts(&lines), vec![&b"QUIT"[..]]);
        assert!(lines[0].unterminated);
        // Nothing pending: nothing emitted, and finish twice is harmless.
        let mut s = LineSplitter::new(10);
        let mut n = 0;
        s.push(b"A\r\n", &mut |_| n += 1);
        s.finish(&mut |_| n += 1);
        s.finish(&mut |_| n += 1);
        assert_eq!(n, 1);
    }

    #[test]
    fn gap_drops_partial_line_and_flags_next() {
        let mut s = LineSplitter::new(8192);
        let mut lines = Vec::new();
        s.push(b"USER anonymous\r\nPASS anon", &mut |l| lines.push(own(l)));
        s.gap(3);
        assert_eq!(s.dropped_partial_lines(), 1);
        assert_eq!(s.buffered(), 0);
        s.push(b"ymous\r\nPWD\r\n", &mut |l| lines.push(own(l)));
        assert_eq!(
            texts(&lines),
            vec![&b"USER anonymous"[..], b"ymous", b"PWD"]
        );
        assert!(!lines[0].after_gap && lines[1].after_gap && !lines[2].after_gap);
        // A gap between lines drops nothing, but the next line may still be a tail.
        s.gap(3);
        assert_eq!(s.dropped_partial_lines(), 1);
        s.push(b"\xff", &mut |l| lines.push(own(l)));
        s.gap(3); // cuts the IAC sequence: counted, state reset
        assert_eq!(s.dropped_partial_lines(), 2);
        s.push(b"\xf4NOOP\r\n", &mut |l| lines.push(own(l)));
        let last = lines.last().unwrap();
        assert_eq!(last.text, b"\xf4NOOP");
        assert!(last.after_gap && !last.telnet.interrupt);
    }

    #[test]
    fn lines_know_their_stream_offsets_across_pushes_and_gaps() {
        let mut s = LineSplitter::new(8192);
        let mut spans = Vec::new();
        let mut keep = |l: Line<'_>| spans.push((l.text.to_vec(), l.start, l.end));
        s.push(b"USER a\r\nPA", &mut keep);
        s.push(b"SS b\r\n", &mut keep);
        s.gap(10);
        s.push(b"PWD\r\nQU", &mut keep);
        s.push(b"\xff\xf4IT", &mut keep);
        s.finish(&mut keep);
        assert_eq!(
            spans,
            vec![
                (b"USER a".to_vec(), 0, 8),
                (b"PASS b".to_vec(), 8, 16),
                (b"PWD".to_vec(), 26, 31),
                (b"QUIT".to_vec(), 31, 37),
            ]
        );
    }

    #[test]
    fn non_utf8_bytes_pass_through() {
        let lines = split(8192, b"RETR \xe6\x96\xb0\xc0\x80\x00x\r\n");
        assert_eq!(lines[0].text, b"RETR \xe6\x96\xb0\xc0\x80\x00x");
    }

    /// xorshift64*: a tiny deterministic generator for the chunking test.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn chunking_does_not_change_lines() {
        let pieces: [&[u8]; 16] = [
            b"220 (vsFTPd 2.3.5)\r\n",
            b"USER anonymous\r\n",
            b"\xff\xf4\xff\xf2ABOR\r\n",
            b"STOR a\rb\r\n",
            b"X\r\0Y\n",
            b"\xff\xfb\x03\xff\xfd\x01PWD\r\n",
            b"\xff\xfa\x18\x00VT100\xff\xff\xff\xf0NOOP\r\n",
            b"RETR \xff\xff\xe6\x96\xb0\r\n",
            b"\r\n",
            b"\n",
            b"211-Features:\r\n MDTM\r\n211 End\r\n",
            b"\xff\xf1",
            b"A\xffB\r\n",
            b"\r\r\n",
            b"CWD \r\n",
            b"LIST -la\r\n",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut data = Vec::new();
        for _ in 0..400 {
            let i = rng.below(pieces.len() as u64) as usize;
            data.extend_from_slice(pieces[i]);
            if rng.below(20) == 0 {
                // An over-long line now and then.
                let n = 30 + rng.below(200) as usize;
                data.extend(std::iter::repeat_n(b'L', n));
                data.extend_from_slice(b"\r\n");
            }
        }
        data.extend_from_slice(b"TAIL\xff");
        let max = 64;
        let whole = split(max, &data);
        assert!(whole.len() > 400);
        let bytewise = split_chunks(max, &data, &mut || 1);
        assert_eq!(whole, bytewise);
        for seed in 1..20u64 {
            let mut r = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
            let chunked = split_chunks(max, &data, &mut || 1 + r.below(97) as usize);
            assert_eq!(whole, chunked, "seed {seed}");
        }
    }
}
