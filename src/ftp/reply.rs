//! FTP reply lines and multi-line replies (server -> client).
//!
//! **Input:** lines of the server's stream, as produced by the line splitter.
//!
//! **Output:** [`parse_reply_line`] classifies one line (borrowed, no allocation);
//! [`ReplyAssembler`] turns a sequence of lines into complete [`Reply`] records (owned,
//! bounded), one per reply.
//!
//! **Rules** (RFC 959 §4.2):
//! * A reply line starts with a 3-digit code whose first digit is 1 to 6 (6 is RFC 2228's
//!   protected replies), followed by a space, a hyphen, or the end of the line. Anything
//!   else (`2255 x`, `QUIT`, an empty line) is not a reply line.
//! * `NNN-text` starts a multi-line reply. Every following line belongs to it, whatever it
//!   looks like (other codes, `211-more`, FEAT's indented ` MDTM`), until a line that is
//!   the same code followed by a space or the end of the line.
//! * Inside a multi-line reply, lines that repeat the code with a hyphen (`230-...`, the
//!   ProFTPD style) have that prefix removed; other lines are kept verbatim.
//! * A line that is not a reply where a reply is expected becomes a [`Reply`] with
//!   `code: None`, so the caller can report it.
//! * Bounded: at most `max_lines` lines and `max_bytes` bytes of text are kept per reply
//!   (`first_text`/`last_text` are each cut to `max_bytes`); what was dropped is counted
//!   (`line_count`, `full_text_len`) and flagged (`text_truncated`).

use crate::model::WireText;

/// One line of the server's stream, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyLine<'a> {
    /// `226 Transfer complete.`, or `221` alone (then `text` is empty).
    Final {
        /// The reply code.
        code: u16,
        /// The text after the code and its space.
        text: &'a [u8],
    },
    /// `211-Features:`: the first line of a multi-line reply.
    Start {
        /// The reply code, which the closing line repeats.
        code: u16,
        /// The text after the code and its hyphen.
        text: &'a [u8],
    },
    /// Not a reply line; the whole line.
    Other(&'a [u8]),
}

/// The code at the start of a line, if it has three digits with the first one 1..=6.
fn leading_code(line: &[u8]) -> Option<u16> {
    match line {
        [a @ b'1'..=b'6', b @ b'0'..=b'9', c @ b'0'..=b'9', ..] => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

/// Classifies one server line.
///
/// Wire examples: `226 Transfer complete.` is `Final`, `211-Features:` is `Start`,
/// ` MDTM` is `Other`.
pub fn parse_reply_line(line: &[u8]) -> ReplyLine<'_> {
    let Some(code) = leading_code(line) else {
        return ReplyLine::Other(line);
    };
    let text = line.get(4..).unwrap_or_default();
    match line.get(3) {
        None => ReplyLine::Final { code, text },
        Some(b' ') => ReplyLine::Final { code, text },
        Some(b'-') => ReplyLine::Start { code, text },
        Some(_) => ReplyLine::Other(line),
    }
}

/// How a multi-line reply's middle lines were sent (RFC 959 section 4.2 allows both): its
/// first line is always `NNN-` and its last `NNN `.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Continuation {
    /// No middle lines (a one- or two-line reply).
    #[default]
    None,
    /// As plain text (vsftpd's `211-` status).
    Plain,
    /// Each repeating `NNN-` (Pure-FTPd's greeting).
    Code,
    /// Some one way, some the other.
    Mixed,
}

impl Continuation {
    /// This framing after one more middle line (`coded`: it repeated `NNN-`).
    fn with(self, coded: bool) -> Continuation {
        match (self, coded) {
            (Continuation::None | Continuation::Plain, false) => Continuation::Plain,
            (Continuation::None | Continuation::Code, true) => Continuation::Code,
            _ => Continuation::Mixed,
        }
    }

    /// True when it is [`Continuation::None`] (for serde).
    pub fn is_none(&self) -> bool {
        *self == Continuation::None
    }
}

/// A complete reply (or one line that should have been a reply).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The reply code; `None` for a line that is not a reply.
    pub code: Option<u16>,
    /// The text of each kept line (lossy UTF-8): the first without `NNN-`, the last without
    /// `NNN `. At most `max_lines` lines.
    pub lines: Vec<WireText>,
    /// Text of the first line (cut to `max_bytes`).
    pub first_text: WireText,
    /// Text of the last line (cut to `max_bytes`): for a multi-line reply, the closing line.
    pub last_text: WireText,
    /// How the lines between the first and the last were framed.
    pub continuation: Continuation,
    /// Number of lines the reply really had.
    pub line_count: usize,
    /// Some text was not kept: a line was dropped, cut here, or cut by the line splitter.
    pub text_truncated: bool,
    /// Bytes of text the reply really had (all lines, without codes and line ends).
    pub full_text_len: usize,
}

impl Reply {
    /// A 1xx reply: more replies to the same command follow.
    pub fn is_preliminary(&self) -> bool {
        self.class() == Some(1)
    }

    /// The first digit of the code (1 to 6).
    pub fn class(&self) -> Option<u8> {
        self.code.and_then(|c| u8::try_from(c / 100).ok())
    }
}

/// Cuts `bytes` to at most `max` bytes without splitting a UTF-8 character at the cut.
fn cut_utf8(bytes: &[u8], max: usize) -> &[u8] {
    let Some(prefix) = bytes.get(..max) else {
        return bytes;
    };
    match std::str::from_utf8(prefix) {
        // An incomplete character at the end (error_len None): drop its first bytes.
        Err(e) if e.error_len().is_none() => prefix.get(..e.valid_up_to()).unwrap_or(prefix),
        _ => prefix,
    }
}

/// A reply being collected.
#[derive(Debug)]
struct Building {
    code: Option<u16>,
    lines: Vec<WireText>,
    kept_bytes: usize,
    first_text: WireText,
    /// The most recent line (for a reply cut short by `finish`).
    last_text: WireText,
    line_count: usize,
    truncated: bool,
    continuation: Continuation,
    full_text_len: usize,
}

impl Building {
    fn new(code: Option<u16>) -> Building {
        Building {
            code,
            lines: Vec::new(),
            kept_bytes: 0,
            first_text: WireText::default(),
            last_text: WireText::default(),
            line_count: 0,
            truncated: false,
            continuation: Continuation::None,
            full_text_len: 0,
        }
    }

    /// Adds one line's text; `full_len` is the text's length before any upstream cut.
    fn add(&mut self, text: &[u8], full_len: usize, max_lines: usize, max_bytes: usize) {
        self.line_count = self.line_count.saturating_add(1);
        self.full_text_len = self.full_text_len.saturating_add(full_len.max(text.len()));
        if full_len > text.len() {
            self.truncated = true;
        }
        let short = cut_utf8(text, max_bytes);
        if short.len() < text.len() {
            self.truncated = true;
        }
        // Checked as UTF-8 once: the kept line is usually the same bytes.
        let line = WireText::from_bytes(short);
        if self.line_count == 1 {
            self.first_text = line.clone();
        }
        let budget = max_bytes.saturating_sub(self.kept_bytes);
        if self.lines.len() < max_lines && budget > 0 {
            let piece = cut_utf8(text, budget);
            if piece.len() < text.len() {
                self.truncated = true;
            }
            self.kept_bytes = self.kept_bytes.saturating_add(piece.len());
            self.lines.push(if piece.len() == short.len() {
                line.clone()
            } else {
                WireText::from_bytes(piece)
            });
        } else {
            self.truncated = true;
        }
        self.last_text = line;
    }

    fn into_reply(self) -> Reply {
        Reply {
            code: self.code,
            lines: self.lines,
            first_text: self.first_text,
            last_text: self.last_text,
            continuation: self.continuation,
            line_count: self.line_count,
            text_truncated: self.truncated,
            full_text_len: self.full_text_len,
        }
    }
}

/// Collects the lines of one server -> client stream into replies.
#[derive(Debug)]
pub struct ReplyAssembler {
    max_lines: usize,
    max_bytes: usize,
    pending: Option<Building>,
}

impl ReplyAssembler {
    /// Keeps at most `max_lines` lines and `max_bytes` bytes of text per reply.
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        ReplyAssembler {
            max_lines,
            max_bytes,
            pending: None,
        }
    }

    /// Takes the next server line; returns a reply when one is complete.
    ///
    /// Wire example: `211-Features:`, ` MDTM`, ` REST STREAM`, ` SIZE`, `211 End` give
    /// `None` four times, then one reply with five lines.
    pub fn push_line(&mut self, line: &[u8]) -> Option<Reply> {
        self.push_line_with_len(line, line.len())
    }

    /// Like [`push_line`](Self::push_line) for a line the splitter cut: `full_len` is the
    /// line's real length ([`Line::full_len`](super::line::Line::full_len)), so that
    /// `full_text_len` and `text_truncated` tell the truth about a 112,717-byte reply.
    pub fn push_line_with_len(&mut self, line: &[u8], full_len: usize) -> Option<Reply> {
        let (max_lines, max_bytes) = (self.max_lines, self.max_bytes);
        // Length of the text part before the cut, given the prefix that was removed.
        let text_full =
            |text: &[u8]| full_len.saturating_sub(line.len().saturating_sub(text.len()));
        let parsed = parse_reply_line(line);
        if let Some(b) = self.pending.as_mut() {
            match parsed {
                ReplyLine::Final { code, text } if Some(code) == b.code => {
                    b.add(text, text_full(text), max_lines, max_bytes);
                    return self.pending.take().map(Building::into_reply);
                }
                ReplyLine::Start { code, text } if Some(code) == b.code => {
                    b.continuation = b.continuation.with(true);
                    b.add(text, text_full(text), max_lines, max_bytes);
                }
                _ => {
                    b.continuation = b.continuation.with(false);
                    b.add(line, full_len, max_lines, max_bytes)
                }
            }
            return None;
        }
        match parsed {
            ReplyLine::Final { code, text } => {
                let mut b = Building::new(Some(code));
                b.add(text, text_full(text), max_lines, max_bytes);
                Some(b.into_reply())
            }
            ReplyLine::Start { code, text } => {
                let mut b = Building::new(Some(code));
                b.add(text, text_full(text), max_lines, max_bytes);
                self.pending = Some(b);
                None
            }
            ReplyLine::Other(text) => {
                let mut b = Building::new(None);
                b.add(text, full_len, max_lines, max_bytes);
                Some(b.into_reply())
            }
        }
    }

    /// A multi-line reply is open (its closing line has not arrived).
    pub fn pending(&self) -> bool {
        self.pending.is_some()
    }

    /// The stream ended: returns an unfinished multi-line reply, if any. Its `last_text` is
    /// the last line received, not a closing line.
    pub fn finish(&mut self) -> Option<Reply> {
        self.pending.take().map(Building::into_reply)
    }

    /// Forgets an unfinished multi-line reply (after a gap: its end may be lost).
    pub fn reset(&mut self) {
        self.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn final_(code: u16, text: &[u8]) -> ReplyLine<'_> {
        ReplyLine::Final { code, text }
    }

    #[test]
    fn reply_lines() {
        assert_eq!(
            parse_reply_line(b"226 Transfer complete."),
            final_(226, b"Transfer complete.")
        );
        assert_eq!(parse_reply_line(b"221"), final_(221, b""));
        assert_eq!(parse_reply_line(b"221 "), final_(221, b""));
        assert_eq!(
            parse_reply_line(b"211-Features:"),
            ReplyLine::Start {
                code: 211,
                text: b"Features:"
            }
        );
        assert_eq!(
            parse_reply_line(b"631 base64stuff=="),
            final_(631, b"base64stuff==")
        );
        assert_eq!(
            parse_reply_line(b"257 \"/\" is current directory."),
            final_(257, b"\"/\" is current directory.")
        );
    }

    #[test]
    fn middle_lines_keep_how_they_were_framed() {
        let mut a = ReplyAssembler::new(10, 1000);
        let mut reply = |lines: &[&[u8]]| {
            for l in &lines[..lines.len() - 1] {
                assert!(a.push_line(l).is_none());
            }
            a.push_line(lines[lines.len() - 1]).unwrap()
        };
        let r = reply(&[b"211-FTP server status:", b"Connected", b"211 End"]);
        assert_eq!(r.continuation, Continuation::Plain);
        assert_eq!(r.lines[1].wire_bytes(), b"Connected");
        let r = reply(&[b"220-a", b"220-b", b"220 c"]);
        assert_eq!(r.continuation, Continuation::Code);
        assert_eq!(r.lines[1].wire_bytes(), b"b");
        let r = reply(&[b"211-a", b" b", b"211-c", b"211 d"]);
        assert_eq!(r.continuation, Continuation::Mixed);
        assert_eq!(
            reply(&[b"211-a", b"211 b"]).continuation,
            Continuation::None
        );
        assert_eq!(reply(&[b"200 OK"]).continuation, Continuation::None);
    }

    #[test]
    fn not_reply_lines() {
        for l in [
            &b""[..],
            b"2",
            b"22",
            b"2255 x",
            b"226x",
            b"026 x",
            b"726 x",
            b"QUIT",
            b" MDTM",
            b"\xff\xfe\xfd",
            b"22a b",
        ] {
            assert_eq!(parse_reply_line(l), ReplyLine::Other(l), "{l:?}");
        }
    }

    #[test]
    fn single_line_reply() {
        let mut a = ReplyAssembler::new(64, 4096);
        let r = a.push_line(b"220 (vsFTPd 2.3.5)").unwrap();
        assert_eq!(r.code, Some(220));
        assert_eq!(r.lines, vec!["(vsFTPd 2.3.5)"]);
        assert_eq!(r.first_text, "(vsFTPd 2.3.5)");
        assert_eq!(r.last_text, "(vsFTPd 2.3.5)");
        assert_eq!(r.line_count, 1);
        assert_eq!(r.full_text_len, 14);
        assert!(!r.text_truncated);
        assert_eq!(r.class(), Some(2));
        assert!(!r.is_preliminary());
        assert!(!a.pending());

        let r = a
            .push_line(b"150 Here comes the directory listing.")
            .unwrap();
        assert!(r.is_preliminary());
        let r = a.push_line(b"221").unwrap();
        assert_eq!(r.code, Some(221));
        assert_eq!(r.last_text, "");
    }

    #[test]
    fn feat_multiline_proftpd() {
        let mut a = ReplyAssembler::new(64, 4096);
        assert!(a.push_line(b"211-Features:").is_none());
        assert!(a.pending());
        assert!(a.push_line(b" MDTM").is_none());
        assert!(a.push_line(b" REST STREAM").is_none());
        assert!(a.push_line(b" SIZE").is_none());
        let r = a.push_line(b"211 End").unwrap();
        assert_eq!(r.code, Some(211));
        assert_eq!(
            r.lines,
            vec!["Features:", " MDTM", " REST STREAM", " SIZE", "End"]
        );
        assert_eq!(r.first_text, "Features:");
        assert_eq!(r.last_text, "End");
        assert_eq!(r.line_count, 5);
        assert!(!a.pending());
    }

    #[test]
    fn vsftpd_stat_multiline_from_seed() {
        let lines: &[&[u8]] = &[
            b"211-FTP server status:",
            b"Connected to 192.168.0.110",
            b"Logged in as ftp",
            b"TYPE: ASCII",
            b"No session bandwidth limit",
            b"Session timeout in seconds is 300",
            b"Control connection is plain text",
            b"Data connections will be plain text",
            b"At session startup, client count was 5",
            b"vsFTPd 2.0.5 - secure, fast, stable",
        ];
        let mut a = ReplyAssembler::new(64, 4096);
        for l in lines {
            assert!(a.push_line(l).is_none());
        }
        let r = a.push_line(b"211 End of status").unwrap();
        assert_eq!(r.line_count, 11);
        assert_eq!(r.first_text, "FTP server status:");
        assert_eq!(r.last_text, "End of status");
        assert_eq!(r.lines[1], "Connected to 192.168.0.110");
    }

    #[test]
    fn multiline_continues_through_other_codes_and_hyphens() {
        let mut a = ReplyAssembler::new(64, 4096);
        assert!(a.push_line(b"230-Welcome to the server").is_none());
        assert!(a.push_line(b"230-Be nice").is_none());
        assert!(a.push_line(b"220 this is not the end").is_none());
        assert!(a.push_line(b"2301 nor this").is_none());
        assert!(a.push_line(b"230x nor this").is_none());
        assert!(a.push_line(b"").is_none());
        let r = a.push_line(b"230").unwrap();
        assert_eq!(
            r.lines,
            vec![
                "Welcome to the server",
                "Be nice",
                "220 this is not the end",
                "2301 nor this",
                "230x nor this",
                "",
                ""
            ]
        );
        assert_eq!(r.code, Some(230));
    }

    #[test]
    fn non_reply_where_reply_expected() {
        // suricata detect-ftp-active-dynamic-port-02: a stray QUIT on the server stream.
        let mut a = ReplyAssembler::new(64, 4096);
        let r = a.push_line(b"QUIT").unwrap();
        assert_eq!(r.code, None);
        assert_eq!(r.lines, vec!["QUIT"]);
        assert_eq!(r.class(), None);
        assert!(!r.is_preliminary());
        let r = a.push_line(b"2255 x").unwrap();
        assert_eq!(r.code, None);
        assert_eq!(r.first_text, "2255 x");
        let r = a.push_line(b"").unwrap();
        assert_eq!(r.code, None);
    }

    #[test]
    fn bounds_on_lines_and_bytes() {
        let mut a = ReplyAssembler::new(3, 20);
        assert!(
            a.push_line(b"214-The following commands are recognized")
                .is_none()
        );
        for _ in 0..100 {
            assert!(a.push_line(b" ABOR ACCT ALLO APPE CDUP CWD").is_none());
        }
        let r = a.push_line(b"214 Help OK.").unwrap();
        assert_eq!(r.line_count, 102);
        assert!(r.lines.len() <= 3);
        assert!(r.lines.iter().map(|l| l.len()).sum::<usize>() <= 20);
        assert!(r.text_truncated);
        assert_eq!(r.first_text, "The following comman");
        assert_eq!(r.last_text, "Help OK.");
        assert_eq!(r.full_text_len, 37 + 100 * 29 + 8);
    }

    #[test]
    fn huge_reply_line_cut_by_splitter() {
        // suricata-ftp-too-long-response: "227 AAAA...Z", 112,721 bytes with the code.
        let mut line = b"227 ".to_vec();
        line.extend(std::iter::repeat_n(b'A', 8188));
        let mut a = ReplyAssembler::new(64, 1024);
        let r = a.push_line_with_len(&line, 112_721).unwrap();
        assert_eq!(r.code, Some(227));
        assert_eq!(r.full_text_len, 112_717);
        assert!(r.text_truncated);
        assert_eq!(r.first_text.len(), 1024);
        assert_eq!(r.lines[0].len(), 1024);
    }

    #[test]
    fn non_utf8_text_is_lossy_and_cut_on_char_boundary() {
        let mut a = ReplyAssembler::new(8, 5);
        // "新建" in UTF-8 is 6 bytes: a cut at 5 must not leave half a character.
        let r = a.push_line("550 新建".as_bytes()).unwrap();
        assert_eq!(r.first_text, "新");
        assert!(r.text_truncated);
        let r = a.push_line(b"550 \xd0\xc2\xbd\xa8").unwrap();
        assert_eq!(r.code, Some(550));
        assert!(r.first_text.contains('\u{fffd}'));
    }

    #[test]
    fn finish_and_reset() {
        let mut a = ReplyAssembler::new(64, 4096);
        assert!(a.finish().is_none());
        assert!(a.push_line(b"211-Features:").is_none());
        assert!(a.push_line(b" MDTM").is_none());
        let r = a.finish().unwrap();
        assert_eq!(r.code, Some(211));
        assert_eq!(r.line_count, 2);
        assert_eq!(r.last_text, " MDTM");
        assert!(!a.pending());

        assert!(a.push_line(b"220-Hello").is_none());
        a.reset();
        assert!(!a.pending());
        let r = a.push_line(b"220 Again").unwrap();
        assert_eq!(r.lines, vec!["Again"]);
    }

    #[test]
    fn zero_bounds_do_not_panic() {
        let mut a = ReplyAssembler::new(0, 0);
        let r = a.push_line(b"200 Type set to I").unwrap();
        assert!(r.lines.is_empty());
        assert_eq!(r.first_text, "");
        assert!(r.text_truncated);
        assert_eq!(r.full_text_len, 13);
    }
}
