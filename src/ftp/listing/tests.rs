//! Listing parsers: each layout with lines as servers write them, the rules that refuse a
//! line, truncation, and arbitrary bytes.

use super::*;
use crate::model::listing::EntryType;

fn one(command: &str, line: &str) -> Listing {
    parse(command, format!("{line}\r\n").as_bytes(), true).expect("a listing verb")
}

fn entry(command: &str, line: &str) -> ListEntry {
    let l = one(command, line);
    assert_eq!(l.unparsed, 0, "{line:?} not read");
    l.entries.into_iter().next().expect("one entry")
}

#[test]
fn unix_file_dir_and_time_without_year() {
    let text = "total 12\r\n\
        drwxr-xr-x    2 500      500          4096 Nov 05 16:20 Desktop\r\n\
        -rw-r--r--    1 500      500         10240 Nov  5 17:02 notes.tar\r\n";
    let l = parse("LIST", text.as_bytes(), true).unwrap();
    assert_eq!(l.format, Some(ListingFormat::Unix));
    assert_eq!((l.unparsed, l.truncated, l.entries.len()), (0, false, 2));
    let d = &l.entries[0];
    assert_eq!(d.name.as_str(), "Desktop");
    assert_eq!(d.kind, Some(EntryType::Dir));
    assert_eq!(d.size, Some(4096));
    assert_eq!(d.modified.as_deref(), Some("Nov 05 16:20"));
    assert!(d.year_unknown);
    assert_eq!(d.permissions.as_deref(), Some("drwxr-xr-x"));
    assert_eq!(d.line, 1);
    // As written: the double blank of a one-digit day stays.
    assert_eq!(l.entries[1].modified.as_deref(), Some("Nov  5 17:02"));
    assert_eq!(l.entries[1].line, 2);
}

#[test]
fn unix_year_symlink_device_no_group_and_spaces_in_names() {
    let e = entry(
        "LIST",
        "lrwxrwxrwx    1 1000     100            14 Dec 19  2005 howto -> sites/a b",
    );
    assert_eq!((e.name.as_str(), e.kind), ("howto", Some(EntryType::Link)));
    assert_eq!(
        e.link_target.as_ref().map(|t| t.as_str()),
        Some("sites/a b")
    );
    assert_eq!(
        (e.modified.as_deref(), e.year_unknown),
        (Some("2005-12-19"), false)
    );

    let e = entry(
        "LIST",
        "crw-rw-rw-    1 0        0          1,   3 Jan 01  2020 null",
    );
    assert_eq!(
        (e.name.as_str(), e.kind, e.size),
        ("null", Some(EntryType::Other), None)
    );
    let e = entry(
        "LIST",
        "brw-rw----    1 0        6          8,0 Feb 29  2020 sda",
    );
    assert_eq!((e.kind, e.size), (Some(EntryType::Other), None));

    let e = entry("LIST", "-rw-r--r--  1 owner  361 Nov 06 09:55 no group.txt");
    assert_eq!((e.name.as_str(), e.size), ("no group.txt", Some(361)));

    // A name that is not a link keeps its arrow; a name with leading blank keeps it.
    let e = entry("LIST", "-rw-r--r-- 1 0 0 5 Oct 15 04:46 a -> b");
    assert_eq!((e.name.as_str(), e.link_target.is_none()), ("a -> b", true));
    let e = entry("LIST", "-rw-r--r-- 1 0 0 5 Oct 15 04:46  lead");
    assert_eq!(e.name.as_str(), " lead");

    // Extended attributes / ACL marks, case of month, a Chinese locale's month, big sizes.
    let e = entry(
        "LIST",
        "-rw-r--r--+ 1 a b 1073741824000 feb 19  2016 1000GB.zip",
    );
    assert_eq!(
        (e.size, e.modified.as_deref()),
        (Some(1_073_741_824_000), Some("2016-02-19"))
    );
    let e = entry("LIST", "-rw-r--r-- 1 0 0 1782 10月 22 05:05 新文件 3");
    assert_eq!(
        (e.name.as_str(), e.modified.as_deref()),
        ("新文件 3", Some("10月 22 05:05"))
    );
    let e = entry("LIST", "drwxr-xr-x   2 ftp ftp 4096 Mar 05  2011 dir");
    assert_eq!(e.modified.as_deref(), Some("2011-03-05"));
}

#[test]
fn unix_lines_that_are_not_entries_are_counted_not_guessed() {
    for bad in [
        "-rw-r--r-- 1 0 0 12 Foo 05 16:20 bad-month",
        "-rw-r--r-- 1 0 0 12 Nov 32 16:20 bad-day",
        "-rw-r--r-- 1 0 0 12 Nov 05 25:20 bad-hour",
        "-rw-r--r-- 1 0 0 1x2 Nov 05 16:20 bad-size",
        "-rw-r--r-- 1 0 0 12 Nov 05 16:20",
        "xrw-r--r-- 1 0 0 12 Nov 05 16:20 bad-type",
        "-rw-r--r-Z 1 0 0 12 Nov 05 16:20 bad-mode",
        "some text the server wrote",
    ] {
        let l = one("LIST", bad);
        assert_eq!((l.entries.len(), l.unparsed), (0, 1), "{bad:?}");
        assert_eq!(l.format, None);
    }
    // Once the layout is known, a line of another layout is not read in it.
    let l = parse(
        "LIST",
        b"-rw-r--r-- 1 0 0 12 Nov 05 16:20 a\r\n06-25-19  02:02AM  <DIR>  b\r\n\r\n",
        true,
    )
    .unwrap();
    assert_eq!(
        (l.format, l.entries.len(), l.unparsed),
        (Some(ListingFormat::Unix), 1, 1)
    );
}

#[test]
fn dos_directories_files_clock_and_years() {
    let e = entry(
        "LIST",
        "06-25-19  02:02AM       <DIR>          aspnet_client",
    );
    assert_eq!(
        (e.name.as_str(), e.kind, e.size),
        ("aspnet_client", Some(EntryType::Dir), None)
    );
    assert_eq!(e.modified.as_deref(), Some("2019-06-25T02:02:00"));
    assert_eq!(e.permissions, None);

    let e = entry("LIST", "10-27-13 10:21PM                38470 imag 1.jpg");
    assert_eq!((e.name.as_str(), e.size), ("imag 1.jpg", Some(38470)));
    assert_eq!(e.modified.as_deref(), Some("2013-10-27T22:21:00"));
    let e = entry("LIST", "12-31-99  12:15AM        1,234,567 old.txt");
    assert_eq!(
        (e.size, e.modified.as_deref()),
        (Some(1_234_567), Some("1999-12-31T00:15:00"))
    );
    let e = entry("LIST", "12-31-2020  12:05 PM  <dir>  noon");
    assert_eq!(
        (e.kind, e.modified.as_deref()),
        (Some(EntryType::Dir), Some("2020-12-31T12:05:00"))
    );
    let e = entry("LIST", "01-02-2021  23:59   7 late");
    assert_eq!(
        (e.size, e.modified.as_deref()),
        (Some(7), Some("2021-01-02T23:59:00"))
    );
    assert_eq!(
        one("LIST", "01-02-21  02:02AM  <DIR>  x").format,
        Some(ListingFormat::Dos)
    );

    for bad in [
        "13-25-19  02:02AM  <DIR>  bad-month",
        "06-25-19  13:02AM  <DIR>  bad-hour",
        "06-25-19  02:02AM  <JUNCTION>  unknown-kind",
        "06-25-19  02:02AM  1,2,  bad-size",
        "06-25-19  02:02AM  <DIR>",
    ] {
        assert_eq!(one("LIST", bad).unparsed, 1, "{bad:?}");
    }
}

#[test]
fn mlsd_facts_in_any_order_and_case() {
    let e = entry(
        "MLSD",
        "type=file;size=2052;modify=20180323094013;perm=rwd; 404.htm",
    );
    assert_eq!(
        (e.name.as_str(), e.kind, e.size),
        ("404.htm", Some(EntryType::File), Some(2052))
    );
    assert_eq!(e.modified.as_deref(), Some("2018-03-23T09:40:13Z"));
    assert_eq!(e.permissions.as_deref(), Some("rwd"));

    let e = entry(
        "MLSD",
        "modify=20261122023107;perm=radfwMT;size=65536;type=file;unique=fe00g990095; up 64k.bin",
    );
    assert_eq!((e.name.as_str(), e.size), ("up 64k.bin", Some(65536)));
    let e = entry(
        "mlsd",
        "Type=cdir;Modify=20250102011711.5;UNIX.mode=0755; /",
    );
    assert_eq!(
        (e.kind, e.modified.as_deref()),
        (Some(EntryType::Dir), Some("2025-01-02T01:17:11.5Z"))
    );
    assert_eq!(e.permissions.as_deref(), Some("0755"));
    let e = entry("MLSD", "type=OS.unix=slink:/srv/target;size=10; link");
    assert_eq!(
        (e.kind, e.link_target.as_ref().map(|t| t.as_str())),
        (Some(EntryType::Link), Some("/srv/target"))
    );
    let e = entry("MLSD", "type=OS.unix=blk;modify=bad; sda");
    assert_eq!((e.kind, e.modified), (Some(EntryType::Other), None));

    for bad in [
        "no facts here",
        "type=file;size=1;",
        "type=file size=1; x",
        "type;x; y",
    ] {
        assert_eq!(one("MLSD", bad).unparsed, 1, "{bad:?}");
    }
}

#[test]
fn nlst_names_as_sent() {
    let l = parse(
        "NLST",
        b"docs\r\nREADME\r\n\r\nwith space\nbad\xff\r\n",
        true,
    )
    .unwrap();
    assert_eq!(l.format, Some(ListingFormat::Nlst));
    let names: Vec<&str> = l.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["docs", "README", "with space", "bad\u{fffd}"]);
    assert_eq!(l.entries[3].name.wire_bytes(), b"bad\xff");
    assert_eq!(l.entries[3].line, 4);
    assert!(
        l.entries
            .iter()
            .all(|e| e.kind.is_none() && e.size.is_none())
    );
}

#[test]
fn a_cut_listing_drops_its_last_partial_line_and_says_so() {
    let l = parse("NLST", b"one\r\ntwo\r\nthr", false).unwrap();
    assert_eq!((l.entries.len(), l.truncated), (2, true));
    let l = parse("NLST", b"one\r\ntwo\r\nthr", true).unwrap();
    assert_eq!((l.entries.len(), l.truncated), (3, false));
    let l = parse("LIST", b"", true).unwrap();
    assert_eq!((l.format, l.entries.len(), l.unparsed), (None, 0, 0));
    assert!(parse("RETR", b"x\r\n", true).is_none());
}

#[test]
fn entries_are_bounded() {
    let many = "a\n".repeat(MAX_ENTRIES + 10);
    let l = parse("NLST", many.as_bytes(), true).unwrap();
    assert_eq!((l.entries.len(), l.truncated), (MAX_ENTRIES, true));
}

/// Arbitrary bytes, biased to what the parsers decide on: nothing panics, and every entry
/// names a line that exists.
#[test]
fn garbage_never_panics() {
    const ALPHABET: &[u8] =
        b"0123456789-:;=, \t\r\ndlrwx<>DIRAMPtypefilesizemodNovDec\xe6\x9c\x88\xff";
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..4000 {
        let len = (next() % 200) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 5 == 0 {
                    (r >> 8) as u8
                } else {
                    ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                }
            })
            .collect();
        let lines = data.split(|&b| b == b'\n').count();
        for verb in ["LIST", "NLST", "MLSD"] {
            for complete in [true, false] {
                let l = parse(verb, &data, complete).unwrap();
                assert!(l.entries.iter().all(|e| e.line < lines));
                assert!(l.entries.len() as u64 + l.unparsed <= lines as u64);
            }
        }
    }
}
