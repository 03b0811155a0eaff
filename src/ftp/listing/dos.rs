//! Windows/IIS ("MS-DOS style") LIST lines:
//!
//! ```text
//! 06-25-19  02:02AM       <DIR>          aspnet_client
//! 10-28-22  08:00PM             13992947 Infoblox.tar.gz
//! 12-28-15 09:39AM                  259 test.txt
//! 12-31-2020  23:15                 1234 24-hour clock.txt
//! ```
//!
//! Rules: a date `MM-DD-YY` or `MM-DD-YYYY` (two-digit years below 70 are 20YY, as IIS
//! means them), a time `HH:MM` with `AM`/`PM` attached or as its own field (or a 24-hour
//! time), then `<DIR>` or the size (digits, thousands commas allowed), then the name: the
//! rest of the line after the blanks. The time is the server's local time: `modified` has
//! no offset.

use super::{fields, number};
use crate::model::WireText;
use crate::model::listing::{EntryType, ListEntry};

/// The entry a DOS-style line describes; `None` when it is not one.
pub fn parse_line(line: &[u8], index: usize) -> Option<ListEntry> {
    let f = fields(line, 4);
    if f.len() < 4 {
        return None;
    }
    let field = |i: usize| &line[f[i].0..f[i].1];
    let (year, mon, day) = date(field(0))?;
    // `02:02AM`, or `02:02 AM` (the meridiem a field of its own).
    let (hour, minute, next) = match clock(field(1), field(2)) {
        Some((h, m, own_field)) => (h, m, if own_field { 3 } else { 2 }),
        None => return None,
    };
    let (kind, size, name_from) = if next == 3 {
        // The size and the name come after a fourth field: read one more.
        let f = fields(line, 5);
        let (s, e) = *f.get(3)?;
        let after = f.get(4).map(|x| x.0)?;
        size_field(&line[s..e]).map(|(k, n)| (k, n, after))?
    } else {
        let (k, n) = size_field(field(2))?;
        (k, n, f[3].0)
    };
    let name = &line[name_from..];
    Some(ListEntry {
        name: WireText::from_bytes(name),
        kind: Some(kind),
        size,
        modified: Some(format!(
            "{year:04}-{mon:02}-{day:02}T{hour:02}:{minute:02}:00"
        )),
        year_unknown: false,
        permissions: None,
        link_target: None,
        line: index,
    })
}

/// `06-25-19` or `12-31-2020` as (year, month, day).
fn date(field: &[u8]) -> Option<(u64, u64, u64)> {
    let mut parts = field.split(|&b| b == b'-');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (mon, day, y_num) = (number(m)?, number(d)?, number(y)?);
    let year = match y.len() {
        2 if y_num < 70 => 2000 + y_num,
        2 => 1900 + y_num,
        4 => y_num,
        _ => return None,
    };
    ((1..=12).contains(&mon) && (1..=31).contains(&day)).then_some((year, mon, day))
}

/// `10:21PM` (or `10:21` followed by a field `PM`, or a 24-hour `22:21`) as 24-hour
/// (hour, minute, whether the meridiem was the next field).
fn clock(field: &[u8], next: &[u8]) -> Option<(u64, u64, bool)> {
    let upper = field.to_ascii_uppercase();
    let (hm, meridiem, own_field) = if let Some(hm) = upper
        .strip_suffix(b"AM")
        .map(|x| (x, Some(false)))
        .or_else(|| upper.strip_suffix(b"PM").map(|x| (x, Some(true))))
    {
        (hm.0.to_vec(), hm.1, false)
    } else {
        match next.to_ascii_uppercase().as_slice() {
            b"AM" => (upper.clone(), Some(false), true),
            b"PM" => (upper.clone(), Some(true), true),
            _ => (upper.clone(), None, false),
        }
    };
    let colon = hm.iter().position(|&b| b == b':')?;
    let (h, m) = (&hm[..colon], &hm[colon + 1..]);
    if !(1..=2).contains(&h.len()) || m.len() != 2 {
        return None;
    }
    let (h, m) = (number(h)?, number(m)?);
    if m > 59 {
        return None;
    }
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None if h < 24 => h,
        None => return None,
    };
    Some((hour, m, own_field))
}

/// `<DIR>` (a directory) or a size with optional thousands commas (a file).
fn size_field(field: &[u8]) -> Option<(EntryType, Option<u64>)> {
    if field.eq_ignore_ascii_case(b"<DIR>") {
        return Some((EntryType::Dir, None));
    }
    let digits: Vec<u8> = field.iter().copied().filter(|&b| b != b',').collect();
    if field.first() == Some(&b',') || field.last() == Some(&b',') {
        return None;
    }
    number(&digits).map(|n| (EntryType::File, Some(n)))
}
