//! Directory listings read entry by entry: the bytes a LIST, NLST or MLSD data connection
//! carried (as much of them as the capture kept) into a [`Listing`] of the model.
//!
//! | module | reads | example line |
//! |---|---|---|
//! | [`unix`] | `ls -l` (vsftpd, pyftpdlib, ProFTPD, Pure-FTPd, FileZilla Server) | `-rw-r--r--    1 500  500  361 Nov 06 09:55 todo.txt` |
//! | [`dos`] | Windows/IIS | `06-25-19  02:02AM       <DIR>          aspnet_client` |
//! | [`mlsd`] | RFC 3659 facts | `type=file;size=2052;modify=20180323094013;perm=rwd; 404.htm` |
//!
//! NLST lines are names. A LIST takes the layout of its first line that the Unix or the DOS
//! rules read; later lines are read in that layout only, and a line neither reads is
//! counted as `unparsed`, never guessed at. Blank lines and `ls`'s `total N` are skipped.
//!
//! Bounds: the input is already bounded (the preview: 512 bytes, 1 MiB with
//! `--full-listing`); at most [`MAX_ENTRIES`] entries are made from it, when the session
//! ends, and they live as long as its report. Pure functions over bytes: nothing here
//! panics on what a server sent.
//!
//! Why the default stays 512 bytes rather than, say, 64 KiB for listings: the TCP layer
//! keeps the preview of every counted data connection from its first byte, before the
//! session knows which command will use it (a passive client connects, then sends LIST),
//! and previews are not charged to `--max-stored-bytes`. 64 KiB each would let the open
//! data connections of a hostile capture (one per PASV, up to `--max-connections`) hold
//! gigabytes. Raising it for listings only needs the tracker to widen one connection's
//! preview once its LIST is parsed; until then `--full-listing` is the way to the whole
//! listing, and `truncated` says when it is cut.

pub mod dos;
pub mod mlsd;
pub mod unix;

#[cfg(test)]
mod tests;

use crate::model::WireText;
use crate::model::listing::{ListEntry, Listing, ListingFormat};

/// Entries made from one listing at most (1 MiB of one-letter NLST names would otherwise
/// be half a million entries); beyond it the listing is marked truncated.
pub const MAX_ENTRIES: usize = 65_536;

/// The listing that `command` (LIST, NLST, MLSD; any other verb gives `None`) sent as
/// `bytes`. `complete`: `bytes` is all the listing; otherwise a last line without its
/// line end is left out (the capture cut it) and the listing is marked truncated.
pub fn parse(command: &str, bytes: &[u8], complete: bool) -> Option<Listing> {
    let layout = match command.to_ascii_uppercase().as_str() {
        "LIST" => None,
        "NLST" => Some(ListingFormat::Nlst),
        "MLSD" => Some(ListingFormat::Mlsd),
        _ => return None,
    };
    let kept = if complete {
        bytes
    } else {
        match bytes.iter().rposition(|&b| b == b'\n') {
            Some(i) => &bytes[..=i],
            None => &[],
        }
    };
    let mut out = Listing {
        format: layout,
        entries: Vec::new(),
        unparsed: 0,
        truncated: !complete,
    };
    for (index, line) in lines(kept).enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if out.entries.len() >= MAX_ENTRIES {
            out.truncated = true;
            break;
        }
        let entry = match out.format {
            Some(ListingFormat::Nlst) => Some(name_only(line, index)),
            Some(ListingFormat::Mlsd) => mlsd::parse_line(line, index),
            Some(ListingFormat::Dos) => dos::parse_line(line, index),
            Some(ListingFormat::Unix) if unix::is_total(line) => continue,
            Some(ListingFormat::Unix) => unix::parse_line(line, index),
            None if unix::is_total(line) => continue,
            None => {
                let found = unix::parse_line(line, index)
                    .map(|e| (ListingFormat::Unix, e))
                    .or_else(|| dos::parse_line(line, index).map(|e| (ListingFormat::Dos, e)));
                found.map(|(format, e)| {
                    out.format = Some(format);
                    e
                })
            }
        };
        match entry {
            Some(e) => out.entries.push(e),
            None => out.unparsed += 1,
        }
    }
    Some(out)
}

/// Lines split at LF with a CR before it removed (as `str::lines`), on the bytes sent.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let none = bytes.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !none)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// An NLST line: a name, nothing else known.
fn name_only(line: &[u8], index: usize) -> ListEntry {
    ListEntry {
        name: WireText::from_bytes(line),
        kind: None,
        size: None,
        modified: None,
        year_unknown: false,
        permissions: None,
        link_target: None,
        line: index,
    }
}

/// Byte ranges of the fields of `line` separated by runs of spaces or tabs, at most `max`
/// of them (the rest of the line is the name, found from the last field's end).
fn fields(line: &[u8], max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < max {
        while i < line.len() && is_blank(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            break;
        }
        let start = i;
        while i < line.len() && !is_blank(line[i]) {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A whole field of ASCII digits as a number (no sign, no overflow).
fn number(field: &[u8]) -> Option<u64> {
    if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// Text from bytes that are known to be ASCII (checked fields): lossy for safety.
fn ascii(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}
