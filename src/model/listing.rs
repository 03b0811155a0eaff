//! A directory listing read from a LIST, NLST or MLSD transfer: the `listing` object of a
//! transfer in JSON and JSON Lines, and the `-v` table of the timeline.
//!
//! Built by [`crate::ftp::listing::parse`] from the bytes of the listing that the capture
//! kept (the transfer's preview); nothing here is guessed: a line no rule reads is counted
//! in `unparsed`, a value a line does not give is `null`.

use super::text::WireText;
use serde::Serialize;

/// What a listing's lines said, entry by entry.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// The layout the lines were written in; `null` for a LIST none of whose lines could
    /// be read (or an empty LIST).
    pub format: Option<ListingFormat>,
    /// The entries, in the order sent.
    pub entries: Vec<ListEntry>,
    /// Lines that were not blank, not a `total N` line, and not readable in `format`.
    pub unparsed: u64,
    /// Only the first part of the listing was kept or captured (the preview's bound,
    /// `--full-listing`'s 1 MiB, or bytes missing from the capture): entries stop there.
    pub truncated: bool,
}

/// How a listing's lines are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingFormat {
    /// `ls -l` (vsftpd, pyftpdlib, ProFTPD, Pure-FTPd, FileZilla Server's LIST, ...).
    Unix,
    /// Windows/IIS: `12-31-20  10:15AM  <DIR>  name` or `... 1234 name`.
    Dos,
    /// RFC 3659 machine listing: `type=file;size=12;modify=20250102011711; name`.
    Mlsd,
    /// NLST: one name per line.
    Nlst,
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryType {
    /// A regular file.
    File,
    /// A directory (MLSD's `cdir` and `pdir` too: the listed directory and its parent).
    Dir,
    /// A symbolic link.
    Link,
    /// A device, socket, pipe, or a type the server named otherwise.
    Other,
}

impl EntryType {
    /// The word the `-v` table shows.
    pub fn word(self) -> &'static str {
        match self {
            EntryType::File => "file",
            EntryType::Dir => "dir",
            EntryType::Link => "link",
            EntryType::Other => "other",
        }
    }
}

/// One entry of a listing.
#[derive(Debug, Clone, Serialize)]
pub struct ListEntry {
    /// The name as sent (without a symlink's ` -> target`).
    pub name: WireText,
    /// What it is; `null` for NLST, which gives names only.
    #[serde(rename = "type")]
    pub kind: Option<EntryType>,
    /// Size in bytes; `null` for a directory without one, a device, or NLST.
    pub size: Option<u64>,
    /// When it was last modified: RFC 3339 where the listing gives the year (MLSD's
    /// `modify` is UTC: `2025-01-02T01:17:11Z`; a DOS line's time is the server's local
    /// time, without offset: `2019-06-25T14:02:00`; `ls -l` with a year gives the date:
    /// `2022-08-08`); as written when it does not (`ls -l`'s `Nov 05 16:20`: see
    /// `year_unknown`). `null` when the line has none.
    pub modified: Option<String>,
    /// `modified` is as written, without a year (`ls -l` prints the time instead of the
    /// year for the last six months).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub year_unknown: bool,
    /// Permissions as written (`drwxr-xr-x`; MLSD's `perm` fact, or its `UNIX.mode`).
    pub permissions: Option<String>,
    /// A symbolic link's target (`ls -l`'s `name -> target`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<WireText>,
    /// Index of the line in the listing (0-based, counting every line sent).
    pub line: usize,
}
