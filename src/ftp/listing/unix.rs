//! `ls -l` lines, as most Unix FTP servers send LIST:
//!
//! ```text
//! drwxr-xr-x    2 500      500          4096 Nov 05 16:20 Desktop
//! lrwxrwxrwx    1 1000     100            14 Dec 19  2005 Linux-HOWTO -> sites/tldp.org
//! crw-rw-rw-    1 0        0          1,   3 Jan 01  2020 null
//! -rw-r--r--    1 owner             361 Nov 06 09:55 no-group.txt
//! ```
//!
//! Rules: a mode of ten characters (type letter, then nine of `rwxsStTlL-`, an optional
//! `+`, `@` or `.`), then fields up to a date of three fields: a month (English
//! abbreviation in any case, or `N月` as a Chinese locale writes it), a day, and a time
//! `HH:MM` (the last six months: the year is not given) or a year. The field before the
//! date is the size (a device's `major, minor` gives none). The name is the rest of the
//! line after one blank; a link's ` -> target` is split off.

use super::{ascii, fields, number};
use crate::model::WireText;
use crate::model::listing::{EntryType, ListEntry};

/// `total 12`: the block count `ls -l` prints first.
pub fn is_total(line: &[u8]) -> bool {
    let f = fields(line, 3);
    f.len() == 2 && &line[f[0].0..f[0].1] == b"total" && number(&line[f[1].0..f[1].1]).is_some()
}

/// The entry an `ls -l` line describes; `None` when it is not one.
pub fn parse_line(line: &[u8], index: usize) -> Option<ListEntry> {
    // Mode, links, owner, group, size (or major, minor), month, day, time: at most 9
    // fields before the name.
    let f = fields(line, 9);
    let field = |i: usize| &line[f[i].0..f[i].1];
    let mode = field(0);
    let kind = mode_type(mode)?;
    // The date: the first month/day/time-or-year triple after mode, links and size.
    let m = (3..f.len().saturating_sub(2)).find(|&i| {
        month(field(i)).is_some() && day(field(i + 1)).is_some() && clock_or_year(field(i + 2))
    })?;
    let size = match number(field(m - 1)) {
        // `1,   3`: a device's major and minor numbers, no size.
        Some(_) if matches!(mode[0], b'b' | b'c') && field(m - 2).ends_with(b",") => None,
        Some(n) => Some(n),
        None if matches!(mode[0], b'b' | b'c') && field(m - 1).contains(&b',') => None,
        None => return None,
    };
    // One blank after the date, then the name (which may start with a blank of its own).
    let rest = line.get(f[m + 2].1 + 1..).unwrap_or(&[]);
    if rest.is_empty() {
        return None;
    }
    let (name, target) = match (kind, find(rest, b" -> ")) {
        (EntryType::Link, Some(i)) => (&rest[..i], Some(&rest[i + 4..])),
        _ => (rest, None),
    };
    let (mon, d, last) = (month(field(m))?, day(field(m + 1))?, field(m + 2));
    let (modified, year_unknown) = match number(last) {
        Some(year) if last.len() == 4 => (format!("{year:04}-{mon:02}-{d:02}"), false),
        // As written, from the month to the time (the year is not in the line).
        _ => (ascii(&line[f[m].0..f[m + 2].1]), true),
    };
    Some(ListEntry {
        name: WireText::from_bytes(name),
        kind: Some(kind),
        size,
        modified: Some(modified),
        year_unknown,
        permissions: Some(ascii(mode)),
        link_target: target.map(WireText::from_bytes),
        line: index,
    })
}

/// The entry type of an `ls -l` mode (`drwxr-xr-x`), `None` when it is not a mode.
fn mode_type(mode: &[u8]) -> Option<EntryType> {
    if !(10..=11).contains(&mode.len()) {
        return None;
    }
    if !mode[1..10].iter().all(|b| b"rwxsStTlL-".contains(b)) {
        return None;
    }
    if mode.len() == 11 && !b"+@.".contains(&mode[10]) {
        return None;
    }
    Some(match mode[0] {
        b'-' => EntryType::File,
        b'd' => EntryType::Dir,
        b'l' => EntryType::Link,
        b'b' | b'c' | b'p' | b's' | b'D' | b'n' | b'?' => EntryType::Other,
        _ => return None,
    })
}

/// `Nov` (any case) or `11月` as a month number.
fn month(field: &[u8]) -> Option<u32> {
    const NAMES: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    if field.len() == 3 {
        let lower = field.to_ascii_lowercase();
        return NAMES
            .iter()
            .position(|n| *n == lower.as_slice())
            .map(|i| i as u32 + 1);
    }
    let n = number(field.strip_suffix("月".as_bytes())?)?;
    (1..=12).contains(&n).then_some(n as u32)
}

/// A day of the month, 1 to 31.
fn day(field: &[u8]) -> Option<u32> {
    let n = number(field).filter(|_| field.len() <= 2)?;
    (1..=31).contains(&n).then_some(n as u32)
}

/// `16:20` (hours and minutes) or a four-digit year.
fn clock_or_year(field: &[u8]) -> bool {
    if field.len() == 4 && number(field).is_some() {
        return true;
    }
    let Some(colon) = field.iter().position(|&b| b == b':') else {
        return false;
    };
    let (h, m) = (&field[..colon], &field[colon + 1..]);
    (1..=2).contains(&h.len())
        && m.len() == 2
        && number(h).is_some_and(|h| h < 24)
        && number(m).is_some_and(|m| m < 60)
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
