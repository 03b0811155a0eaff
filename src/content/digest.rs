//! One direction of a data connection, put in order and digested.
//!
//! Input: bytes at stream offsets, each byte once, in arrival order ([`Digest::push`]),
//! then the stream's length ([`Digest::finish`]). Output: [`ContentFacts`] (size, SHA-256,
//! SHA-1, MD5, type by content, missing ranges) and, when given a temporary file, the
//! bytes written to it in order.
//!
//! Rules:
//! * Bytes ahead of a hole wait in a reorder buffer of at most [`MAX_HELD`] bytes (and
//!   [`MAX_HELD_TOTAL`] across all directions); past it, or at the end, the hole is
//!   declared missing. Bytes of a hole that come after it
//!   was declared missing are dropped (their offset is already written).
//! * A missing range is fed as zeros: the file keeps its offsets and length, and the
//!   hashes are those of the file as written.
//! * Memory: the buffer, the first [`SNIFF_BYTES`] bytes for the type, the hashers.

use crate::model::ContentFacts;
use crate::model::content::MAX_MISSING_RANGES;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use tempfile::NamedTempFile;

/// Out-of-order bytes held per direction before a hole is declared missing.
pub const MAX_HELD: usize = 4 << 20;
/// Out-of-order bytes held across all directions: a direction that adds bytes beyond it
/// declares its own holes missing.
pub const MAX_HELD_TOTAL: usize = 64 << 20;
/// First bytes kept to tell the type by content.
pub const SNIFF_BYTES: usize = 8192;

/// One direction's bytes being put in order, hashed and written.
pub struct Digest {
    next: u64,
    held: BTreeMap<u64, Vec<u8>>,
    held_bytes: usize,
    sha256: Sha256,
    sha1: Sha1,
    md5: Md5,
    head: Vec<u8>,
    missing: Vec<[u64; 2]>,
    missing_dropped: u64,
    file: Option<BufWriter<NamedTempFile>>,
    error: Option<String>,
}

impl Digest {
    /// A direction with nothing yet; its bytes go to `file` too when given.
    pub fn new(file: Option<NamedTempFile>) -> Digest {
        Digest {
            next: 0,
            held: BTreeMap::new(),
            held_bytes: 0,
            sha256: Sha256::new(),
            sha1: Sha1::new(),
            md5: Md5::new(),
            head: Vec::new(),
            missing: Vec::new(),
            missing_dropped: 0,
            file: file.map(|f| BufWriter::with_capacity(1 << 16, f)),
            error: None,
        }
    }

    /// Out-of-order bytes held now.
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Bytes first seen at `offset`; `total` counts the bytes all directions hold.
    pub fn push(&mut self, offset: u64, bytes: &[u8], total: &mut usize) {
        let end = offset.saturating_add(bytes.len() as u64);
        if end <= self.next || bytes.is_empty() {
            return;
        }
        // Bytes of a hole already declared missing: only what follows it is new.
        let skip = self.next.saturating_sub(offset) as usize;
        let (offset, bytes) = (offset.max(self.next), &bytes[skip..]);
        if offset == self.next {
            self.feed(bytes);
            self.drain(total);
            return;
        }
        self.held_bytes += bytes.len();
        *total += bytes.len();
        self.held.insert(offset, bytes.to_vec());
        while self.held_bytes > MAX_HELD || (*total > MAX_HELD_TOTAL && self.held_bytes > 0) {
            let Some(first) = self.held.keys().next().copied() else {
                break;
            };
            self.gap_to(first);
            self.drain(total);
        }
    }

    /// The stream is `len` bytes long: holes left are missing; `moved`: its start moved
    /// after bytes were given (a late SYN). The temporary file goes to `ex`.
    pub fn finish(mut self, len: u64, moved: bool, ex: &mut super::Extractor) -> ContentFacts {
        while let Some(first) = self.held.keys().next().copied() {
            self.gap_to(first);
            self.drain(&mut ex.held);
        }
        if len > self.next {
            self.gap_to(len);
        }
        let mut pending = None;
        if let Some(w) = self.file.take() {
            match w.into_inner() {
                Ok(f) => pending = Some(ex.keep(f.into_temp_path())),
                Err(e) => {
                    self.error
                        .get_or_insert_with(|| format!("writing the file: {}", e.error()));
                }
            }
        }
        ContentFacts {
            size: self.next,
            sha256: hex(&self.sha256.finalize()),
            sha1: hex(&self.sha1.finalize()),
            md5: hex(&self.md5.finalize()),
            mime_type: (self.next > 0).then(|| mime_type(&self.head).to_string()),
            missing: self.missing,
            missing_ranges_dropped: self.missing_dropped,
            start_moved: moved,
            extracted_as: None,
            extract_error: self.error,
            pending,
        }
    }

    fn drain(&mut self, total: &mut usize) {
        while let Some(entry) = self.held.first_entry() {
            if *entry.key() > self.next {
                break;
            }
            let (k, v) = entry.remove_entry();
            self.held_bytes -= v.len();
            *total -= v.len();
            let end = k + v.len() as u64;
            if end > self.next {
                let skip = (self.next - k) as usize;
                self.feed(&v[skip..]);
            }
        }
    }

    /// Declares `[next, to)` missing and feeds it as zeros.
    fn gap_to(&mut self, to: u64) {
        if to <= self.next {
            return;
        }
        if self.missing.len() < MAX_MISSING_RANGES {
            self.missing.push([self.next, to]);
        } else {
            self.missing_dropped += 1;
        }
        static ZEROS: [u8; 1 << 16] = [0; 1 << 16];
        let mut left = to - self.next;
        while left > 0 {
            let n = left.min(ZEROS.len() as u64) as usize;
            self.feed(&ZEROS[..n]);
            left -= n as u64;
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        self.sha1.update(bytes);
        self.md5.update(bytes);
        if self.head.len() < SNIFF_BYTES {
            let room = SNIFF_BYTES - self.head.len();
            self.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
        }
        if let Some(w) = &mut self.file
            && let Err(e) = w.write_all(bytes)
        {
            self.error = Some(format!("writing the file: {e}"));
            self.file = None;
        }
        self.next += bytes.len() as u64;
    }
}

/// The media type of content starting with `head`: a known magic number, else
/// `text/plain` for text (UTF-8 without control characters other than tab, CR, LF, FF),
/// else `application/octet-stream`.
pub fn mime_type(head: &[u8]) -> &'static str {
    if let Some(t) = infer::get(head) {
        return t.mime_type();
    }
    let text = match std::str::from_utf8(head) {
        Ok(s) => Some(s),
        // A character cut by the end of the sample is still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text {
        Some(s)
            if !s
                .chars()
                .any(|c| c.is_control() && !"\t\r\n\x0c".contains(c)) =>
        {
            "text/plain"
        }
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(pieces: &[(u64, &[u8])], len: u64) -> ContentFacts {
        let mut ex = super::super::Extractor::hash_only();
        let mut d = Digest::new(None);
        for (o, b) in pieces {
            d.push(*o, b, &mut ex.held);
        }
        d.finish(len, false, &mut ex)
    }

    #[test]
    fn bytes_in_any_order_give_the_hashes_of_the_whole() {
        let whole = digest(&[(0, b"hello world")], 11);
        assert_eq!(
            whole.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(whole.md5, "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(whole.sha1, "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed");
        assert_eq!(whole.mime_type.as_deref(), Some("text/plain"));
        let shuffled = digest(&[(6, b"world"), (0, b"hel"), (3, b"lo ")], 11);
        assert_eq!(shuffled, whole);
        assert!(shuffled.whole());
    }

    #[test]
    fn holes_are_zeros_and_listed() {
        let d = digest(&[(0, b"ab"), (4, b"ef")], 8);
        let zeros = digest(&[(0, b"ab\0\0ef\0\0")], 8);
        assert_eq!(d.sha256, zeros.sha256);
        assert_eq!(d.size, 8);
        assert_eq!(d.missing, vec![[2, 4], [6, 8]]);
        // Late bytes of a hole already declared missing are dropped, the rest is kept.
        let mut ex = super::super::Extractor::hash_only();
        let mut dg = Digest::new(None);
        dg.push(0, b"a", &mut ex.held);
        dg.push(MAX_HELD as u64 + 10, &vec![1u8; MAX_HELD + 1], &mut ex.held);
        dg.push(1, b"late", &mut ex.held);
        let f = dg.finish(0, false, &mut ex);
        assert_eq!(f.missing, vec![[1, MAX_HELD as u64 + 10]]);
        assert_eq!(f.size, 2 * MAX_HELD as u64 + 11);
        assert_eq!(ex.held, 0);
    }

    #[test]
    fn types_by_content() {
        assert_eq!(mime_type(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(mime_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(mime_type("caf\u{e9}\n".as_bytes()), "text/plain");
        assert_eq!(mime_type(&[0xc3]), "text/plain");
        assert_eq!(mime_type(&[0, 1, 2, 0xff]), "application/octet-stream");
        assert_eq!(digest(&[], 0).mime_type, None);
    }
}
