//! The content of data connections: hashes, type by content, missing ranges, and files
//! written out of the capture (`--extract DIR`).
//!
//! Off by default, and then it costs nothing: the TCP table only counts data bytes. When
//! [`ContentConfig`] is set, the tracker asks the TCP table to *tap* every connection that
//! may be a data connection (one an announcement claimed, or one between the hosts of an
//! open session, which a later announcement may still claim): each new byte is handed
//! over once, at its stream offset, as it arrives ([`crate::tcp::TapEvent`]). A
//! [`Digest`] per direction puts them in order (a bounded reorder buffer; holes beyond it
//! count as missing), hashes them, sniffs the type, and with an extraction directory
//! writes them to a temporary file there. When the connection closes, the facts
//! ([`ContentFacts`]) ride on its [`crate::model::ConnRecord`]; the transfer that takes the
//! connection gets those of its direction; when its session ends, the [`Extractor`] gives
//! each file its safe name ([`name`]) and a line of `manifest.jsonl`. Temporary files of
//! connections no transfer took are removed.
//!
//! | module | job |
//! |---|---|
//! | [`digest`] | one direction: order, hashes, type, missing ranges, temporary file |
//! | [`name`] | a safe file name from a server path |
//! | [`extract`] | naming, writing the manifest, discarding what no transfer used |

pub mod digest;
pub mod extract;
pub mod name;

pub use digest::Digest;
pub use extract::Extractor;

use crate::model::ContentFacts;
use std::path::PathBuf;

/// What to do with the content of data connections.
#[derive(Debug, Clone, Default)]
pub struct ContentConfig {
    /// Write each transferred file into this directory (`--extract`); `None`: hash only.
    pub extract_dir: Option<PathBuf>,
    /// Write directory listings too (`--extract-listings`).
    pub listings: bool,
}

/// Both directions of one tapped connection.
#[derive(Default)]
pub struct ConnTap {
    sides: [Option<Digest>; 2],
    /// Each direction's end: its length, and whether its start moved.
    ends: [Option<(u64, bool)>; 2],
}

impl ConnTap {
    /// Bytes of direction `side` (0: initiator) first seen at `offset`.
    pub fn bytes(&mut self, side: usize, offset: u64, bytes: &[u8], ex: &mut Extractor) {
        self.sides[side]
            .get_or_insert_with(|| Digest::new(ex.temp_file()))
            .push(offset, bytes, &mut ex.held);
    }

    /// Direction `side` is over: `len` bytes long.
    pub fn end(&mut self, side: usize, len: u64, moved: bool) {
        self.ends[side] = Some((len, moved));
    }

    /// The connection is no data connection after all (it turned out to be FTP control):
    /// its bytes are forgotten, its temporary files removed.
    pub fn abandon(self, ex: &mut Extractor) {
        for d in self.sides.into_iter().flatten() {
            ex.held -= d.held_bytes();
        }
    }

    /// The facts of each direction that carried bytes; temporary files go to `ex`.
    pub fn finish(self, ex: &mut Extractor) -> Option<Box<[Option<ContentFacts>; 2]>> {
        let [a, b] = self.sides;
        let mut out = [None, None];
        for (i, d) in [a, b].into_iter().enumerate() {
            let (len, moved) = self.ends[i].unwrap_or((0, false));
            let d = match d {
                Some(d) => d,
                // Nothing tapped: a stream of missing bytes only, or none at all.
                None if len > 0 => Digest::new(ex.temp_file()),
                None => continue,
            };
            out[i] = Some(d.finish(len, moved, ex));
        }
        out.iter().any(Option::is_some).then(|| Box::new(out))
    }
}
