//! The FTP parsers on their own, fast: the first byte picks the family, the rest is input.
//!
//! * `0`: the line splitter (Telnet IAC sequences, CR/LF variants, the line bound). The
//!   same bytes pushed whole and pushed in pieces must give the same lines.
//! * `1`: command lines (verb and argument), the verb tables and meanings.
//! * `2`: reply lines and the multi-line reply assembler, with tiny bounds.
//! * `3`: announced data endpoints: PORT, LPRT, EPRT, 227, 228, 229. What PORT and EPRT
//!   accept, written back in their canonical form, reads back the same.
//! * `4`: texts inside replies (sizes, STOU names, quoted paths), FTP detection by first
//!   bytes, TLS record framing fed in pieces.
//! * `5`: directory listings (LIST as `ls -l` or DOS, NLST, MLSD): each entry comes from
//!   its own line, in order, with its name (and link target) taken from that line; a cut
//!   listing gives a prefix of the whole one's entries.

#![no_main]

use ftpflow::ftp::command::{Verb, kind, parse_command};
use ftpflow::ftp::reply::{ReplyAssembler, ReplyLine, parse_reply_line};
use ftpflow::ftp::tls::{TlsRecords, looks_like_tls_start};
use ftpflow::ftp::{LineSplitter, address, command_meaning, detect, reply_meaning, text, verbs};
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;

/// A line as the splitter gave it, owned.
type Got = (Vec<u8>, usize, bool, bool, bool, bool, u64, u64);

fn split(max_line: usize, data: &[u8], piece: usize) -> Vec<Got> {
    let mut s = LineSplitter::new(max_line);
    let mut lines = Vec::new();
    let mut out = |l: ftpflow::ftp::Line<'_>| {
        assert!(
            l.text.len() <= max_line,
            "line of {} bytes over the bound {max_line}",
            l.text.len()
        );
        assert!(l.text.len() <= l.full_len, "text longer than the line");
        assert!(l.start <= l.end, "line ends before it starts");
        lines.push((
            l.text.to_vec(),
            l.full_len,
            l.truncated,
            l.bare_lf,
            l.unterminated,
            l.after_gap,
            l.start,
            l.end,
        ));
    };
    for chunk in data.chunks(piece.max(1)) {
        s.push(chunk, &mut out);
    }
    s.finish(&mut out);
    assert_eq!(s.position(), data.len() as u64);
    if let Some(last) = lines.last() {
        assert!(last.7 <= data.len() as u64, "a line ends after the data");
    }
    lines
}

fn lines(data: &[u8]) {
    let [bound, piece, rest @ ..] = data else {
        return;
    };
    let max_line = 1 + usize::from(*bound);
    let whole = split(max_line, rest, rest.len());
    let pieces = split(max_line, rest, usize::from(*piece % 16));
    assert_eq!(whole, pieces, "pushing in pieces changed the lines");
}

fn commands(data: &[u8]) {
    for line in data.split(|&b| b == b'\n') {
        let c = parse_command(line);
        assert!(c.verb.len() <= Verb::MAX_LEN);
        assert!(
            line.starts_with(c.verb_raw),
            "the raw verb is not where the line starts"
        );
        if let Some(arg) = c.arg {
            assert!(
                line.ends_with(arg),
                "the argument is not the end of the line"
            );
            assert!(c.verb_raw.len() + 1 + arg.len() == line.len());
        }
        let _ = kind(c.verb);
        let verb = c.verb.as_str();
        let _ = command_meaning(verb);
        if let Some(info) = verbs::lookup(verb) {
            let _ = format!("{info:?}");
        }
        for code in [150, 200, 226, 227, 229, 250, 331, 425, 550] {
            let _ = verbs::reply_fits(verb, code);
        }
    }
}

fn replies(data: &[u8]) {
    let [lines_bound, bytes_bound, rest @ ..] = data else {
        return;
    };
    let max_lines = 1 + usize::from(*lines_bound % 8);
    let max_bytes = usize::from(*bytes_bound);
    let mut assembler = ReplyAssembler::new(max_lines, max_bytes);
    let check = |r: ftpflow::ftp::Reply| {
        assert!(
            r.lines.len() <= max_lines + 1,
            "{} lines kept of {max_lines}",
            r.lines.len()
        );
        if let Some(code) = r.code {
            assert!((100..700).contains(&code), "reply code {code}");
            let _ = reply_meaning(code);
            let _ = verbs::verb_for_reply(code, &r.first_text);
            let _ = r.class();
        }
        assert!(r.line_count >= 1);
    };
    for line in rest.split(|&b| b == b'\n') {
        match parse_reply_line(line) {
            ReplyLine::Final { code, text } | ReplyLine::Start { code, text } => {
                assert!((100..700).contains(&code));
                assert!(line.ends_with(text));
            }
            ReplyLine::Other(l) => assert_eq!(l, line),
        }
        if let Some(r) = assembler.push_line(line) {
            check(r);
        }
    }
    if let Some(r) = assembler.finish() {
        check(r);
    }
    assert!(!assembler.pending());
}

fn addresses(data: &[u8]) {
    if let Ok(a) = address::parse_port(data) {
        let Some(IpAddr::V4(ip)) = a.ip else {
            panic!("PORT gave no IPv4 address: {a:?}")
        };
        let [h1, h2, h3, h4] = ip.octets();
        let canonical = format!("{h1},{h2},{h3},{h4},{},{}", a.port >> 8, a.port & 0xff);
        let again = address::parse_port(canonical.as_bytes()).expect("canonical PORT reads back");
        assert_eq!((again.ip, again.port), (a.ip, a.port), "PORT {canonical}");
    }
    if let Ok(a) = address::parse_eprt(data) {
        let canonical = match a.ip {
            Some(IpAddr::V4(ip)) => format!("|1|{ip}|{}|", a.port),
            Some(IpAddr::V6(ip)) => format!("|2|{ip}|{}|", a.port),
            None => panic!("EPRT gave no address: {a:?}"),
        };
        let again = address::parse_eprt(canonical.as_bytes()).expect("canonical EPRT reads back");
        assert_eq!((again.ip, again.port), (a.ip, a.port), "EPRT {canonical}");
    }
    let _ = address::parse_lprt(data);
    let _ = address::parse_227(data);
    let _ = address::parse_228(data);
    if let Ok(a) = address::parse_229(data) {
        assert!(a.ip.is_none(), "229 announces a port only: {a:?}");
    }
}

fn texts(data: &[u8]) {
    let _ = text::announced_size(data);
    if let Some(name) = text::stou_file_name(data) {
        assert!(name.len() <= data.len());
    }
    let _ = text::size_reply(data);
    let _ = text::quoted_path(data);
    let half = data.len() / 2;
    let _ = detect::judge([&data[..half], &data[half..]]);
    let _ = looks_like_tls_start(data);
    let mut records = TlsRecords::default();
    for chunk in data.chunks(3) {
        let _ = records.feed(chunk);
    }
    records.lost();
    let _ = records.feed(data);
}

fn listings(data: &[u8]) {
    use ftpflow::ftp::listing;
    let Some((&how, rest)) = data.split_first() else {
        return;
    };
    let verb = ["LIST", "NLST", "MLSD"][how as usize % 3];
    let whole = listing::parse(verb, rest, true).expect("a listing verb");
    let cut = listing::parse(verb, rest, false).expect("a listing verb");
    let lines: Vec<&[u8]> = rest.split(|&b| b == b'\n').collect();
    let contains = |hay: &[u8], needle: &[u8]| {
        needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
    };
    for l in [&whole, &cut] {
        assert!(l.entries.len() as u64 + l.unparsed <= lines.len() as u64);
        assert!(
            l.entries.windows(2).all(|w| w[0].line < w[1].line),
            "entries out of order"
        );
        for e in &l.entries {
            let line = lines[e.line];
            assert!(
                contains(line, e.name.wire_bytes()),
                "name not from its line"
            );
            if let Some(t) = &e.link_target {
                assert!(
                    contains(line, t.wire_bytes()),
                    "link target not from its line"
                );
            }
        }
    }
    assert!(cut.truncated);
    assert!(cut.entries.len() <= whole.entries.len());
    for (a, b) in cut.entries.iter().zip(&whole.entries) {
        assert_eq!((a.line, a.name.wire_bytes()), (b.line, b.name.wire_bytes()));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 6 {
        0 => lines(rest),
        1 => commands(rest),
        2 => replies(rest),
        3 => addresses(rest),
        4 => texts(rest),
        _ => listings(rest),
    }
});
