//! What a transfer's bytes were: hashes, type by content, the byte ranges the capture
//! lacks, and the file they were extracted to.
//!
//! Present on a transfer (`content` in JSON) only when hashing or extraction was asked
//! for (`--extract`, or [`crate::content::ContentConfig`] in a library `Config`): an
//! additive key of the JSON contract. Computed by [`crate::content`] from the data
//! connection's bytes in the transfer's direction, in stream order; bytes missing from
//! the capture count as zeros (so `size` is the stream's length and the hashes are those
//! of the extracted file, holes included).

use serde::Serialize;

/// Most missing ranges listed per transfer; `missing_ranges_dropped` counts the rest.
pub const MAX_MISSING_RANGES: usize = 64;

/// Facts about the bytes of one direction of a data connection.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ContentFacts {
    /// Bytes in the stream, missing ones included (offset of its end).
    pub size: u64,
    /// SHA-256 of those bytes, lowercase hex (holes as zeros).
    pub sha256: String,
    /// SHA-1, lowercase hex.
    pub sha1: String,
    /// MD5, lowercase hex.
    pub md5: String,
    /// Media type from the first bytes (magic numbers; `text/plain` for text,
    /// `application/octet-stream` otherwise); `null` for an empty stream.
    pub mime_type: Option<String>,
    /// Byte ranges `[start, end)` the capture lacks, in order (at most
    /// [`MAX_MISSING_RANGES`]).
    pub missing: Vec<[u64; 2]>,
    /// Missing ranges beyond those listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub missing_ranges_dropped: u64,
    /// The stream's start moved after its first bytes were read (a SYN seen late): the
    /// offsets, and so the content, may be shifted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub start_moved: bool,
    /// Name of the file written in the extraction directory (`--extract`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extracted_as: Option<String>,
    /// Why the bytes could not be written (a full disk...), if they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract_error: Option<String>,
    /// The temporary file holding the bytes until the transfer is named (extractor's key).
    #[serde(skip)]
    pub pending: Option<u64>,
}

impl ContentFacts {
    /// Every byte is in the capture.
    pub fn whole(&self) -> bool {
        self.missing.is_empty() && self.missing_ranges_dropped == 0 && !self.start_moved
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
