//! The timeline's `-v` table of a listing: its entries as aligned rows (type, size,
//! modified, name) in place of the lines as sent.
//!
//! Input: the transfer's [`Listing`] and the listing lines the timeline shows (its usual
//! bound: 10 lines unless `--full-listing`). Output: `│ `-prefixed rows: a header (through
//! the language layer), an entry's row for each line read, a line no rule read as sent
//! (marked `?`), nothing for blank and `total N` lines. Capture text is escaped
//! ([`safe::escape`]).

use super::fmt;
use super::safe;
use crate::lang::{Lang, wrap::width};
use crate::model::listing::{ListEntry, Listing, ListingFormat};

/// A table is worth it for layouts with more than names (NLST keeps its lines).
pub fn applies(l: &Listing) -> bool {
    matches!(
        l.format,
        Some(ListingFormat::Unix | ListingFormat::Dos | ListingFormat::Mlsd)
    )
}

/// The rows for `lines` (the shown lines of the listing, from its first).
pub fn rows(l: &Listing, lines: &[&[u8]], lang: Lang) -> Vec<String> {
    let by_line = |i: usize| -> Option<&ListEntry> {
        l.entries
            .binary_search_by_key(&i, |e| e.line)
            .ok()
            .map(|k| &l.entries[k])
    };
    let header = [
        lang.tr("type").into_owned(),
        lang.tr("size").into_owned(),
        lang.tr("modified").into_owned(),
        lang.tr("name").into_owned(),
    ];
    // Cells of each row; `None` for a line not read (shown as sent).
    let mut cells: Vec<Result<[String; 4], String>> = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        match by_line(i) {
            Some(e) => cells.push(Ok(entry_cells(e, lang))),
            None if raw.iter().all(u8::is_ascii_whitespace)
                || crate::ftp::listing::unix::is_total(raw) => {}
            None => cells.push(Err(safe::escape(raw))),
        }
    }
    let mut w = header.clone().map(|h| width(&h));
    for c in cells.iter().flatten() {
        for k in 0..3 {
            w[k] = w[k].max(width(&c[k]));
        }
    }
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n.saturating_sub(width(s))));
    let padl = |s: &str, n: usize| format!("{}{s}", " ".repeat(n.saturating_sub(width(s))));
    let row = |c: &[String; 4]| {
        format!(
            "│ {}  {}  {}  {}",
            pad(&c[0], w[0]),
            padl(&c[1], w[1]),
            pad(&c[2], w[2]),
            c[3]
        )
    };
    let mut out = vec![row(&header)];
    for c in &cells {
        out.push(match c {
            Ok(c) => row(c),
            Err(raw) => format!("│ {}  {raw}", pad("?", w[0])),
        });
    }
    out
}

/// An entry's cells: type, size, modified (as in JSON), name (` -> target` for a link).
fn entry_cells(e: &ListEntry, lang: Lang) -> [String; 4] {
    let kind = e
        .kind
        .map_or("-".into(), |k| lang.tr(k.word()).into_owned());
    let size = e.size.map_or("-".into(), fmt::thousands);
    let modified = e
        .modified
        .clone()
        .map_or("-".into(), |m| safe::escape(m.as_bytes()));
    let mut name = safe::escape(e.name.wire_bytes());
    if let Some(t) = &e.link_target {
        name.push_str(" -> ");
        name.push_str(&safe::escape(t.wire_bytes()));
    }
    [kind, size, modified, name]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::listing::parse;

    #[test]
    fn rows_align_read_entries_and_show_unread_lines_as_sent() {
        let text: &[u8] = b"total 8\r\n\
            drwxr-xr-x 2 0 0 4096 Dec 19  2005 docs\r\n\
            garbage \x1b[2J line\r\n\
            lrwxrwxrwx 1 0 0 14 Dec 19  2005 howto -> sites/tldp.org\r\n";
        let l = parse("LIST", text, true).unwrap();
        assert!(applies(&l));
        let lines: Vec<&[u8]> = text
            .strip_suffix(b"\r\n")
            .unwrap()
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        assert_eq!(
            rows(&l, &lines, Lang::En),
            [
                "│ type   size  modified    name",
                "│ dir   4,096  2005-12-19  docs",
                "│ ?     garbage \\x1b[2J line",
                "│ link     14  2005-12-19  howto -> sites/tldp.org",
            ]
        );
        // Only the lines shown get rows (the timeline's bound).
        assert_eq!(rows(&l, &lines[..2], Lang::En).len(), 2);
        assert!(!applies(&parse("NLST", b"a\r\n", true).unwrap()));
    }
}
