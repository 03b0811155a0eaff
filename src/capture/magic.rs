//! Recognising capture formats by their first bytes, and describing what a file that is
//! not a capture looks like.
//!
//! **Input:** the first bytes of an input (up to [`PEEK`]).
//! **Output:** a [`Format`], or a short description for `InputProblem::NotACapture`:
//! `first bytes 50 4b 03 04 ... (a ZIP archive)`, `text: "hello world"`, `an empty file`.
//!
//! **Rules:** pure functions over a byte slice; never index without a bounds check.

/// How many bytes detection looks at.
pub(crate) const PEEK: usize = 64;

/// A recognised container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Legacy pcap: byte order, nanosecond timestamps, Kuznetsov "modified" record headers.
    Pcap {
        big_endian: bool,
        nanosecond: bool,
        modified: bool,
    },
    Pcapng,
    Gzip,
}

/// Recognises a capture (or gzip) by its magic number.
pub(crate) fn detect(head: &[u8]) -> Option<Format> {
    let m: [u8; 4] = head.get(..4)?.try_into().ok()?;
    if m[..2] == [0x1f, 0x8b] {
        return Some(Format::Gzip);
    }
    let pcap = |big_endian, nanosecond, modified| {
        Some(Format::Pcap {
            big_endian,
            nanosecond,
            modified,
        })
    };
    match u32::from_le_bytes(m) {
        0xa1b2_c3d4 => pcap(false, false, false),
        0xd4c3_b2a1 => pcap(true, false, false),
        0xa1b2_3c4d => pcap(false, true, false),
        0x4d3c_b2a1 => pcap(true, true, false),
        0xa1b2_cd34 => pcap(false, false, true),
        0x34cd_b2a1 => pcap(true, false, true),
        0x0a0d_0d0a => Some(Format::Pcapng),
        _ => None,
    }
}

/// Hex of the first up to 16 bytes: `50 4b 03 04`.
pub(crate) fn hex_prefix(head: &[u8]) -> String {
    let mut s = String::new();
    for (i, b) in head.iter().take(16).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Describes bytes that are not a capture, for a user who gave the wrong file.
pub(crate) fn describe(head: &[u8]) -> String {
    if head.is_empty() {
        return "an empty file".to_string();
    }
    if let Some(text) = as_text(head) {
        let kind = match text.trim_start().as_bytes().first() {
            Some(b'{') | Some(b'[') => "JSON text",
            Some(b'<') => "HTML or XML text",
            _ => "text",
        };
        return format!("{kind}: {:?}", first_line(text));
    }
    let guess = guess_binary(head);
    let hex = hex_prefix(head);
    let more = if head.len() > 16 { " ..." } else { "" };
    if head.len() < 4 {
        return format!("only {} bytes: {hex}", head.len());
    }
    format!("first bytes {hex}{more} ({guess})")
}

fn guess_binary(head: &[u8]) -> &'static str {
    let starts = |sig: &[u8]| head.starts_with(sig);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "a ZIP archive"
    } else if starts(b"\x7fELF") {
        "an ELF executable"
    } else if starts(b"MZ") {
        "a Windows executable"
    } else if starts(b"%PDF") {
        "a PDF document"
    } else if starts(b"BZh") {
        "bzip2-compressed data: decompress it first with bunzip2"
    } else if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        "xz-compressed data: decompress it first with unxz"
    } else if starts(&[0x28, 0xb5, 0x2f, 0xfd]) {
        "zstd-compressed data: decompress it first with unzstd"
    } else if starts(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
        "a 7-Zip archive"
    } else if starts(b"\x89PNG") {
        "a PNG image"
    } else if starts(&[0xff, 0xd8, 0xff]) {
        "a JPEG image"
    } else if starts(b"snoop\0\0\0") {
        "a Solaris snoop capture: convert it with editcap -F pcap"
    } else if starts(b"GMBU") {
        "a Microsoft Network Monitor capture: convert it with editcap -F pcap"
    } else if starts(b"XCP\0") {
        "a NetXRay/Sniffer capture: convert it with editcap -F pcap"
    } else if starts(b"\xd4\xc3\xb2") || starts(b"\xa1\xb2") {
        "close to a pcap magic number, but not one"
    } else {
        "unknown format"
    }
}

/// The bytes as text when they look like text (printable UTF-8 and whitespace).
fn as_text(head: &[u8]) -> Option<&str> {
    // The peeked prefix may end in the middle of a UTF-8 sequence: accept the valid part.
    let s = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    let printable = s
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    printable.then_some(s)
}

/// The first non-empty line, at most 40 characters.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim_end();
    let mut out: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_all_magics() {
        assert_eq!(
            detect(&[0xd4, 0xc3, 0xb2, 0xa1]),
            Some(Format::Pcap {
                big_endian: false,
                nanosecond: false,
                modified: false
            })
        );
        assert_eq!(
            detect(&[0xa1, 0xb2, 0x3c, 0x4d]),
            Some(Format::Pcap {
                big_endian: true,
                nanosecond: true,
                modified: false
            })
        );
        assert_eq!(detect(&[0x0a, 0x0d, 0x0d, 0x0a]), Some(Format::Pcapng));
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0]), Some(Format::Gzip));
        assert_eq!(detect(&[0x1f, 0x8b]), None);
        assert_eq!(detect(b"hello"), None);
    }

    #[test]
    fn describes_non_captures() {
        assert_eq!(describe(b""), "an empty file");
        assert_eq!(describe(b"hello world\n"), "text: \"hello world\"");
        assert_eq!(
            describe(b"{\"a\": 1}"),
            "JSON text: \"{\\\"a\\\": 1}\"".to_string()
        );
        assert_eq!(
            describe(b"PK\x03\x04\x14\x00\x00\x00"),
            "first bytes 50 4b 03 04 14 00 00 00 (a ZIP archive)"
        );
        assert!(
            describe(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02")
                .contains("ELF")
        );
        assert!(describe(&[0xff, 0x00]).starts_with("only 2 bytes"));
        // A multi-byte character cut by the peek is still text.
        assert!(describe("héllo".as_bytes().get(..2).unwrap()).starts_with("text"));
    }
}
