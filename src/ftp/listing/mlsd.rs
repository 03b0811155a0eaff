//! MLSD/MLST lines (RFC 3659 section 7): facts, one blank, the name.
//!
//! ```text
//! type=file;size=2052;modify=20180323094013;perm=rwd; 404.htm
//! modify=20261122023107;perm=radfwMT;size=65536;type=file;unique=fe00g990095; up-64k.bin
//! type=OS.unix=slink:/srv/target;UNIX.mode=0777; link
//! ```
//!
//! [`facts`] splits a line (the timeline's words for MLSD lines use it too); [`parse_line`]
//! makes an entry: `type` (file; dir, cdir and pdir as directories; a `slink` as a link),
//! `size` (or `sizd`), `modify` (UTC, as RFC 3339), `perm` (or `UNIX.mode`) as written.
//! Fact names are case-insensitive.

use super::{ascii, number};
use crate::model::WireText;
use crate::model::listing::{EntryType, ListEntry};

/// A line's facts as (name, value), in the order sent.
pub type Facts<'a> = Vec<(&'a [u8], &'a [u8])>;

/// The facts and the name of a fact line; `None` for a line without facts (no `;` before
/// the first blank, or a fact without `=`).
pub fn facts(line: &[u8]) -> Option<(Facts<'_>, &[u8])> {
    let blank = line.iter().position(|&b| b == b' ')?;
    let (facts, name) = (&line[..blank], &line[blank + 1..]);
    if !facts.ends_with(b";") || !facts.contains(&b'=') {
        return None;
    }
    let mut out = Vec::new();
    for fact in facts.split(|&b| b == b';').filter(|f| !f.is_empty()) {
        let eq = fact.iter().position(|&b| b == b'=')?;
        out.push((&fact[..eq], &fact[eq + 1..]));
    }
    Some((out, name))
}

/// The entry a fact line describes; `None` when it is not one.
pub fn parse_line(line: &[u8], index: usize) -> Option<ListEntry> {
    let (list, name) = facts(line)?;
    if name.is_empty() {
        return None;
    }
    let mut e = ListEntry {
        name: WireText::from_bytes(name),
        kind: None,
        size: None,
        modified: None,
        year_unknown: false,
        permissions: None,
        link_target: None,
        line: index,
    };
    let mut mode = None;
    for (key, value) in list {
        match key.to_ascii_lowercase().as_slice() {
            b"type" => {
                let (kind, target) = fact_type(value);
                e.kind = Some(kind);
                e.link_target = target.map(WireText::from_bytes);
            }
            b"size" | b"sizd" => e.size = e.size.or(number(value)),
            b"modify" => e.modified = time(value),
            b"perm" => e.permissions = Some(ascii(value)),
            b"unix.mode" => mode = Some(ascii(value)),
            _ => {}
        }
    }
    e.permissions = e.permissions.or(mode);
    Some(e)
}

/// The entry type of a `type` fact, with a link's target when the value names it
/// (`OS.unix=slink:/target`).
fn fact_type(value: &[u8]) -> (EntryType, Option<&[u8]>) {
    let lower = value.to_ascii_lowercase();
    match lower.as_slice() {
        b"file" => (EntryType::File, None),
        b"dir" | b"cdir" | b"pdir" => (EntryType::Dir, None),
        v if v.windows(5).any(|w| w == b"slink") || v.windows(7).any(|w| w == b"symlink") => {
            let target = value
                .iter()
                .position(|&b| b == b':')
                .map(|i| &value[i + 1..])
                .filter(|t| !t.is_empty());
            (EntryType::Link, target)
        }
        _ => (EntryType::Other, None),
    }
}

/// `20250102011711` or `20250102011711.5` (UTC) as `2025-01-02T01:17:11Z` /
/// `2025-01-02T01:17:11.5Z`; `None` when it is not such a time.
pub fn time(value: &[u8]) -> Option<String> {
    let (whole, frac) = match value.iter().position(|&b| b == b'.') {
        Some(i) => (&value[..i], &value[i + 1..]),
        None => (value, &[][..]),
    };
    if whole.len() != 14 || (!frac.is_empty() && number(frac).is_none()) {
        return None;
    }
    let n = |a: usize, b: usize| number(&whole[a..b]);
    let (y, mo, d, h, mi, s) = (
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{}", ascii(frac))
    };
    Some(format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}Z"
    ))
}
