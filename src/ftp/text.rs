//! Small facts pulled out of reply text.
//!
//! **Input:** the text of one reply line (after the code), as bytes.
//!
//! **Output:** the announced transfer size (150), the name a server chose for STOU, the
//! size answered to SIZE (213), and the path of a 257 reply.
//!
//! **Rules:** these formats are conventions, not RFC 959 rules (except 257's quoting,
//! RFC 959 Appendix II), so each extractor accepts the spellings of common servers and
//! returns `None` rather than guess. Numbers that do not fit in a `u64` give `None`. Only
//! [`quoted_path`] allocates (it must unescape `""`).

/// Position of the first `needle` in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Digits as a `u64`; `None` if empty, not all digits, or too big.
fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |v, &d| {
        if d.is_ascii_digit() {
            v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

/// The size a server announces when it opens a data connection: `(N bytes)`, any case.
///
/// Wire examples: `Opening BINARY mode data connection for temp.txt (1164 bytes).`
/// (vsFTPd), `Opening BINARY mode data connection for resume.doc (39424 bytes)` (ProFTPD),
/// `Opening ASCII mode data connection for /x.txt (1164 Bytes).`. The last `(N bytes)` in
/// the text is used, because a file name may itself contain one.
pub fn announced_size(text: &[u8]) -> Option<u64> {
    // One pass over the "bytes" words from the end; the first preceded by "(digits " wins.
    let candidates = text
        .windows(b"bytes".len())
        .enumerate()
        .rev()
        .filter(|(_, w)| w.eq_ignore_ascii_case(b"bytes"));
    for (at, _) in candidates {
        let before = text.get(..at)?;
        let before_digits = before.trim_ascii_end();
        if before_digits.len() == before.len() {
            continue; // "(1164bytes)" or "xbytes": not the pattern
        }
        let digits_len = before_digits
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let start = before_digits.len() - digits_len;
        if start == 0 || before_digits.get(start - 1) != Some(&b'(') {
            continue;
        }
        if let Some(n) = parse_u64(before_digits.get(start..)?) {
            return Some(n);
        }
    }
    None
}

/// The file name a server chose for STOU.
///
/// Wire examples: `FILE: upload.1` (vsFTPd, pyftpdlib: `150 FILE: upload.1`),
/// `Transfer started okay. FILE: upload.1` (250), `Transfer complete (unique file
/// name:upload.1).` (226, wu-ftpd style).
pub fn stou_file_name(text: &[u8]) -> Option<&[u8]> {
    if let Some(at) = find_ci(text, b"unique file name:") {
        let rest = text.get(at + b"unique file name:".len()..)?;
        let end = rest.iter().rposition(|&b| b == b')').unwrap_or(rest.len());
        let name = rest.get(..end)?.trim_ascii();
        return (!name.is_empty()).then_some(name);
    }
    let at = find_ci(text, b"FILE: ")?;
    let name = text.get(at + b"FILE: ".len()..)?.trim_ascii();
    (!name.is_empty()).then_some(name)
}

/// The size in a 213 reply to SIZE.
///
/// Wire example: `213 39424` (ProFTPD) -> 39424. A 213 to MDTM (`213 20070815022252`)
/// looks the same: the caller must know which command it answers.
pub fn size_reply(text: &[u8]) -> Option<u64> {
    parse_u64(text.trim_ascii())
}

/// The path in a 257 reply (PWD, MKD): the text between the first quote and its closing
/// quote, with `""` inside meaning one `"` (RFC 959 Appendix II).
///
/// Wire examples: `"/" is current directory.` (ProFTPD) -> `/`; `"/"` (vsFTPd);
/// `"/say ""hi""" created.` -> `/say "hi"`.
pub fn quoted_path(text: &[u8]) -> Option<String> {
    let open = text.iter().position(|&b| b == b'"')?;
    let mut rest = text.get(open + 1..)?;
    let mut path = Vec::new();
    loop {
        let q = rest.iter().position(|&b| b == b'"')?;
        path.extend_from_slice(rest.get(..q)?);
        match rest.get(q + 1) {
            Some(b'"') => {
                path.push(b'"');
                rest = rest.get(q + 2..)?;
            }
            _ => break,
        }
    }
    Some(String::from_utf8_lossy(&path).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_sizes_from_servers() {
        assert_eq!(
            announced_size(b"Opening BINARY mode data connection for temp.txt (1164 bytes)."),
            Some(1164)
        );
        assert_eq!(
            announced_size(b"Opening BINARY mode data connection for resume.doc (39424 bytes)"),
            Some(39424)
        );
        assert_eq!(
            announced_size(b"Opening ASCII mode data connection for /x.txt (1164 Bytes)."),
            Some(1164)
        );
        assert_eq!(
            announced_size(b"Opening (a (12 bytes).txt (7 BYTES)"),
            Some(7)
        );
        assert_eq!(
            announced_size(b"Opening for x (12 bytes) (no size)"),
            Some(12)
        );
        assert_eq!(announced_size(b"data (0 bytes)"), Some(0));
    }

    #[test]
    fn announced_size_absent_or_malformed() {
        assert_eq!(announced_size(b"Here comes the directory listing."), None);
        assert_eq!(
            announced_size(b"Opening BINARY mode data connection for secret_file.txt."),
            None
        );
        assert_eq!(
            announced_size(b"Opening data channel for file download"),
            None
        );
        assert_eq!(announced_size(b""), None);
        assert_eq!(announced_size(b"bytes"), None);
        assert_eq!(announced_size(b"(1164bytes)"), None);
        assert_eq!(announced_size(b"1164 bytes"), None);
        assert_eq!(announced_size(b"( bytes)"), None);
        assert_eq!(announced_size(b"(-5 bytes)"), None);
        assert_eq!(
            announced_size(b"(99999999999999999999999999999999 bytes)"),
            None
        );
        assert_eq!(
            announced_size(b"(18446744073709551615 bytes)"),
            Some(u64::MAX)
        );
        assert_eq!(announced_size(b"\xff(\xfe12 bytes)"), None);
        assert_eq!(announced_size(&b"(1 byte".repeat(10_000)), None);
        // Many candidates: one linear pass, not one scan per candidate.
        assert_eq!(announced_size(&b"x bytes ".repeat(100_000)), None);
        assert_eq!(announced_size(&b"(2 bytes ".repeat(100_000)), Some(2));
    }

    #[test]
    fn stou_names() {
        assert_eq!(stou_file_name(b"FILE: upload.1"), Some(&b"upload.1"[..]));
        assert_eq!(
            stou_file_name(b"Transfer started okay. FILE: upload.1"),
            Some(&b"upload.1"[..])
        );
        assert_eq!(
            stou_file_name(b"Transfer complete (unique file name:foo)."),
            Some(&b"foo"[..])
        );
        assert_eq!(
            stou_file_name(b"FILE: name with spaces.txt "),
            Some(&b"name with spaces.txt"[..])
        );
        assert_eq!(
            stou_file_name(b"FILE: \xe6\x96\xb0"),
            Some(&b"\xe6\x96\xb0"[..])
        );
        assert_eq!(stou_file_name(b"FILE: "), None);
        assert_eq!(stou_file_name(b"FILE:x"), None);
        assert_eq!(stou_file_name(b"Ok to send data."), None);
        assert_eq!(stou_file_name(b""), None);
        assert_eq!(stou_file_name(b"(unique file name:)"), None);
    }

    #[test]
    fn size_replies() {
        assert_eq!(size_reply(b"39424"), Some(39424));
        assert_eq!(size_reply(b" 1164 \r"), Some(1164));
        assert_eq!(size_reply(b"0"), Some(0));
        assert_eq!(size_reply(b""), None);
        assert_eq!(size_reply(b"File status"), None);
        assert_eq!(size_reply(b"12 34"), None);
        assert_eq!(size_reply(b"-1"), None);
        assert_eq!(
            size_reply(b"1234123412341234123412341234123412341234123412341234123412341234"),
            None
        );
        assert_eq!(size_reply(b"\xff"), None);
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(
            quoted_path(b"\"/\" is current directory.").as_deref(),
            Some("/")
        );
        assert_eq!(quoted_path(b"\"/\"").as_deref(), Some("/"));
        assert_eq!(
            quoted_path(b"\"/say \"\"hi\"\"\" created.").as_deref(),
            Some("/say \"hi\"")
        );
        assert_eq!(
            quoted_path(b"MKD command successful: \"/pub/new\"").as_deref(),
            Some("/pub/new")
        );
        assert_eq!(quoted_path(b"\"\"").as_deref(), Some(""));
        assert_eq!(
            quoted_path(b"\"/\xe6\x96\xb0\xff\"").as_deref(),
            Some("/\u{65b0}\u{fffd}")
        );
        assert_eq!(quoted_path(b"is current directory."), None);
        assert_eq!(quoted_path(b"\"/unterminated"), None);
        assert_eq!(quoted_path(b"\"/a\"\""), None);
        assert_eq!(quoted_path(b""), None);
    }
}
