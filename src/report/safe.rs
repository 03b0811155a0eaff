//! Terminal safety: text from the capture shown so that it cannot act on the terminal.
//!
//! A greeting, an argument, a reply line, a listing line, a file name or a user name is
//! whatever the peers sent. Printed raw, an ESC sequence in it clears the screen, sets the
//! window title or recolours what follows; CR, BS and DEL overwrite what was printed; a
//! bidi override (U+202E) reverses it. The timeline, the table and every message on stderr
//! that quotes the capture go through this module; JSON and JSON Lines do not (JSON's own
//! escaping is safe and they keep the text unchanged).
//!
//! **The convention** (one for all formats; the README repeats it):
//!
//! | what | shown as |
//! |---|---|
//! | a byte that is not valid UTF-8 | `\xNN` (`\xff`) |
//! | an ASCII control, tab included (0x00–0x1F), and DEL (0x7F) | `\xNN` (`\x1b`, `\x09`, `\x7f`) |
//! | a C1 control (U+0080–U+009F, sent as UTF-8) | `\u{NN}` (`\u{9b}`) |
//! | a character that reorders or hides text: bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), line and paragraph separators (U+2028, U+2029), invisible ones (U+180E, U+200B, U+2060–U+2065, U+206A–U+206F, U+FEFF, U+FFF9–U+FFFB, tags U+E0000–U+E007F) | `\u{NNNN}` (`\u{202e}`) |
//! | a backslash | `\\` |
//!
//! So `\x` always stands for a byte and `\u{...}` for a character, and a backslash in the
//! output always starts an escape: the bytes sent can be read back. Zero-width joiners
//! (U+200C, U+200D) stay: scripts and emoji need them and they move nothing.
//!
//! Escaping comes before shortening and measuring: [`shorten`] never cuts an escape in two,
//! and a table's column is as wide as the escaped text.

/// Characters past which [`shorten`]ed text ends in `…`.
pub const MAX_SHOWN: usize = 60;

/// Capture bytes, escaped ([`shorten`] without a limit).
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_escaped(&mut out, bytes, usize::MAX);
    out
}

/// Capture bytes, escaped, at most `max` characters of escaped text; `…` marks a cut.
pub fn shorten(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max.saturating_mul(4)));
    if !push_escaped(&mut out, bytes, max) {
        out.push('…');
    }
    out
}

/// A message of ftpflow's own that may quote the capture (a finding, a warning, a note for
/// stderr): controls and the characters that reorder text are escaped as above, but not
/// the backslash, since the quotes inside are already escaped (Rust's `{:?}` style) and a
/// second escape would double their backslashes.
pub fn prose(text: &str) -> String {
    if !text.chars().any(|c| needs_escape(c) && c != '\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' {
            out.push(c);
        } else {
            push_char(&mut out, c);
        }
    }
    out
}

/// Appends `bytes` escaped, up to `max` characters; false when something was left out.
fn push_escaped(out: &mut String, bytes: &[u8], max: usize) -> bool {
    // Nearly all text is printable ASCII without a backslash: copied as it is.
    if bytes.len() <= max
        && bytes
            .iter()
            .all(|&b| (b' '..=b'~').contains(&b) && b != b'\\')
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        out.push_str(text);
        return true;
    }
    // Each piece is whole: an escape is shown entirely or not at all.
    let mut shown = 0usize;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            shown = shown.saturating_add(escaped_len(c));
            if shown > max {
                return false;
            }
            push_char(out, c);
        }
        for &b in chunk.invalid() {
            shown = shown.saturating_add(4);
            if shown > max {
                return false;
            }
            push_byte(out, b);
        }
    }
    true
}

/// Whether `c` is shown as an escape.
fn needs_escape(c: char) -> bool {
    c == '\\' || c.is_control() || hides_or_reorders(c)
}

/// Format characters that change the order text is shown in, or that show nothing.
fn hides_or_reorders(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Characters `c` takes once escaped.
fn escaped_len(c: char) -> usize {
    if c == '\\' {
        2
    } else if c.is_ascii_control() {
        4
    } else if needs_escape(c) {
        // \u{ + hex digits + }
        4 + format!("{:x}", u32::from(c)).len()
    } else {
        1
    }
}

fn push_char(out: &mut String, c: char) {
    if c == '\\' {
        out.push_str("\\\\");
    } else if c.is_ascii_control() {
        push_byte(out, c as u8);
    } else if needs_escape(c) {
        out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
    } else {
        out.push(c);
    }
}

fn push_byte(out: &mut String, b: u8) {
    out.push_str(&format!("\\x{b:02x}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_sequences_and_invalid_bytes_are_shown_as_escapes() {
        assert_eq!(escape(b"plain text, \xe6\x96\x87"), "plain text, 文");
        assert_eq!(escape(b"\x1b[2J\x1b]0;t\x07"), "\\x1b[2J\\x1b]0;t\\x07");
        assert_eq!(
            escape(b"a\rb\0c\x08d\x7f\te"),
            "a\\x0db\\x00c\\x08d\\x7f\\x09e"
        );
        assert_eq!(escape("\u{9b}31m".as_bytes()), "\\u{9b}31m");
        assert_eq!(escape("abc\u{202e}fed".as_bytes()), "abc\\u{202e}fed");
        assert_eq!(escape(b"\xff\xfe x \xe6\x96"), "\\xff\\xfe x \\xe6\\x96");
        assert_eq!(escape(b"C:\\dir"), "C:\\\\dir");
        // ZWJ stays: emoji sequences need it.
        assert_eq!(escape("👨\u{200d}👩".as_bytes()), "👨\u{200d}👩");
    }

    #[test]
    fn every_control_is_escaped_and_nothing_else_is_lost() {
        for c in (0u32..0x20).chain([0x7f]).chain(0x80..0xa0) {
            let c = char::from_u32(c).unwrap();
            let mut buf = [0u8; 4];
            let shown = escape(c.encode_utf8(&mut buf).as_bytes());
            assert!(shown.starts_with('\\'), "{c:?} shown as {shown:?}");
            assert!(shown.chars().all(|c| c.is_ascii_graphic()), "{shown:?}");
        }
        for b in 0x80u8..=0xff {
            assert_eq!(escape(&[b]), format!("\\x{b:02x}"));
        }
    }

    #[test]
    fn shortening_counts_escaped_characters_and_never_cuts_an_escape() {
        assert_eq!(shorten(b"abcdef", 6), "abcdef");
        assert_eq!(shorten(b"abcdefg", 6), "abcdef…");
        assert_eq!(shorten(b"ab\x1bcd", 5), "ab…");
        assert_eq!(shorten(b"ab\x1bcd", 6), "ab\\x1b…");
        assert_eq!(shorten(b"ab\xffcd", 7), "ab\\xffc…");
        assert_eq!(shorten("文件名称".as_bytes(), 2), "文件…");
        let long = vec![b'u'; 20_000];
        assert_eq!(shorten(&long, MAX_SHOWN).chars().count(), MAX_SHOWN + 1);
    }

    #[test]
    fn prose_keeps_backslashes_and_escapes_controls() {
        assert_eq!(
            prose("client sent \"a\\u{1b}b\""),
            "client sent \"a\\u{1b}b\""
        );
        assert_eq!(prose("x\u{1b}[2Jy\u{202e}"), "x\\x1b[2Jy\\u{202e}");
        assert_eq!(prose("as is"), "as is");
    }
}
