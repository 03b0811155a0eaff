//! An ended session as rows of Zeek's `ftp.log`, `conn.log` and `files.log`, with Zeek's
//! field names, order, types and value conventions (Zeek 6/7 layouts).
//!
//! * `conn.log`: one row per control and data connection (service `ftp`, `ftp-data`; `-`
//!   for a connection no announcement explains). Duration and byte counts only when the
//!   duration is over zero, as Zeek does; bytes are the sequence space (seen + missed);
//!   `*_ip_bytes` are unknown here and unset.
//! * `ftp.log`: one row per command Zeek logs (`FTP::logged_commands`: APPE DELE RETR STOR
//!   STOU ACCT PORT PASV EPRT EPSV), with the session's user (`<unknown>` before USER) and
//!   password (`<hidden>` unless `--show-passwords`; Zeek also shows anonymous ones),
//!   file commands' argument as a URL through the working directory ([`super::path`]),
//!   RETR's `file_size` from its 150 reply, the announced data channel, and the `fuid` of
//!   the command's own file. (Zeek leaves the last file's `fuid` on the rows after it, so
//!   a PORT or a failed RETR would name a file it did not carry, and joining ftp.log to
//!   files.log would count that file twice: here only the command that carried a file
//!   names it.) User and password are cut at 128 bytes, `arg` and `reply_msg` at 4096,
//!   as Zeek's `FTP::max_*_length` options do.
//! * `files.log`: one row per transfer whose data connection carried bytes in clear.
//!
//! `uid`s and `fuid`s are derived from the connection (endpoints, first packet time,
//! number), so the same capture gives the same logs.

use super::log::{Field, Value};
use crate::model::{ConnRecord, DataConnection, Direction, Session, Side, Transfer};

/// `conn.log`'s fields.
pub const CONN_FIELDS: &[Field] = &[
    ("ts", "time"),
    ("uid", "string"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("proto", "enum"),
    ("service", "string"),
    ("duration", "interval"),
    ("orig_bytes", "count"),
    ("resp_bytes", "count"),
    ("conn_state", "string"),
    ("local_orig", "bool"),
    ("local_resp", "bool"),
    ("missed_bytes", "count"),
    ("history", "string"),
    ("orig_pkts", "count"),
    ("orig_ip_bytes", "count"),
    ("resp_pkts", "count"),
    ("resp_ip_bytes", "count"),
    ("tunnel_parents", "set[string]"),
];

/// `ftp.log`'s fields.
pub const FTP_FIELDS: &[Field] = &[
    ("ts", "time"),
    ("uid", "string"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("user", "string"),
    ("password", "string"),
    ("command", "string"),
    ("arg", "string"),
    ("mime_type", "string"),
    ("file_size", "count"),
    ("reply_code", "count"),
    ("reply_msg", "string"),
    ("data_channel.passive", "bool"),
    ("data_channel.orig_h", "addr"),
    ("data_channel.resp_h", "addr"),
    ("data_channel.resp_p", "port"),
    ("fuid", "string"),
];

/// `files.log`'s fields.
pub const FILES_FIELDS: &[Field] = &[
    ("ts", "time"),
    ("fuid", "string"),
    ("uid", "string"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("source", "string"),
    ("depth", "count"),
    ("analyzers", "set[string]"),
    ("mime_type", "string"),
    ("filename", "string"),
    ("duration", "interval"),
    ("local_orig", "bool"),
    ("is_orig", "bool"),
    ("seen_bytes", "count"),
    ("total_bytes", "count"),
    ("missing_bytes", "count"),
    ("overflow_bytes", "count"),
    ("timedout", "bool"),
    ("parent_fuid", "string"),
    ("md5", "string"),
    ("sha1", "string"),
    ("sha256", "string"),
    ("extracted", "string"),
    ("extracted_cutoff", "bool"),
    ("extracted_size", "count"),
];

/// Commands Zeek writes to ftp.log (`FTP::logged_commands`).
const LOGGED: &[&str] = &[
    "APPE", "DELE", "RETR", "STOR", "STOU", "ACCT", "PORT", "PASV", "EPRT", "EPSV",
];

/// Logged commands whose argument Zeek writes as an `ftp://` URL.
const URL_ARG: &[&str] = &["APPE", "DELE", "RETR", "STOR", "STOU"];

/// What a transfer's content tells: MIME type by content and hashes (lowercase hex).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// MIME type sniffed from the content.
    pub mime_type: Option<String>,
    /// MD5 of the content.
    pub md5: Option<String>,
    /// SHA-1 of the content.
    pub sha1: Option<String>,
    /// SHA-256 of the content.
    pub sha256: Option<String>,
}

/// The content facts of `t`, for `mime_type`, `analyzers` and the hashes: those the
/// content hook computed (`--zeek-logs` and `--extract` turn it on), unset (`-`) when the
/// transfer has none (no data connection, or TLS bytes whose hashes say nothing of the file).
pub fn file_facts(t: &Transfer) -> FileFacts {
    match &t.content {
        Some(c) if !t.encrypted => FileFacts {
            mime_type: c.mime_type.clone(),
            md5: Some(c.md5.clone()),
            sha1: Some(c.sha1.clone()),
            sha256: Some(c.sha256.clone()),
        },
        _ => FileFacts::default(),
    }
}

/// Zeek-like identifier: `prefix` and 96 bits in base62, from `key`'s hash.
fn ident(prefix: char, key: &[u64]) -> String {
    // Two FNV-1a lanes with different offsets, each finished by splitmix64's mixer: a
    // stable hash (unlike std's, fixed forever) so the same capture gives the same uids.
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let lane = |offset: u64| {
        let mut h = offset;
        for word in key {
            for b in word.to_le_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        mix(h)
    };
    let bits = (u128::from(lane(0xcbf2_9ce4_8422_2325)) << 32
        | u128::from(lane(0x9e37_79b9_7f4a_7c15) >> 32))
        & ((1u128 << 96) - 1);
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = bits;
    let mut out = Vec::with_capacity(18);
    while n > 0 {
        out.push(DIGITS[(n % 62) as usize]);
        n /= 62;
    }
    out.push(prefix as u8);
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// An address as two words, for hashing.
fn ip_words(ip: std::net::IpAddr) -> [u64; 2] {
    let bits = match ip {
        std::net::IpAddr::V4(v4) => u128::from(u32::from(v4)),
        std::net::IpAddr::V6(v6) => u128::from(v6),
    };
    [(bits >> 64) as u64, bits as u64]
}

/// The connection's `uid` (`C...`).
pub fn uid(c: &ConnRecord) -> String {
    let [o1, o2] = ip_words(c.orig.ip);
    let [r1, r2] = ip_words(c.resp.ip);
    let ports = u64::from(c.orig.port) << 16 | u64::from(c.resp.port);
    ident(
        'C',
        &[o1, o2, r1, r2, ports, c.first_ts.nanos() as u64, c.id],
    )
}

/// The `fuid` (`F...`) of the file transfer `t` carried over the connection `data_uid`.
pub fn fuid(data_uid: &str, t: &Transfer) -> String {
    let mut key: Vec<u64> = data_uid.bytes().map(u64::from).collect();
    key.push(u64::from(t.id));
    key.push(t.ts.nanos() as u64);
    ident('F', &key)
}

/// The `conn.log` row of `c`.
pub fn conn_row(c: &ConnRecord, uid: &str, service: Option<&str>) -> Vec<Value> {
    let duration = c.duration();
    let timed = duration > 0.0;
    let size = |d: &crate::model::DirStats| d.bytes.saturating_add(d.missed_bytes);
    let or_unset = |s: &str| {
        if s.is_empty() {
            Value::Unset
        } else {
            Value::str(s)
        }
    };
    vec![
        Value::Time(c.first_ts),
        Value::str(uid),
        Value::Addr(c.orig.ip),
        Value::Port(c.orig.port),
        Value::Addr(c.resp.ip),
        Value::Port(c.resp.port),
        Value::str("tcp"),
        service.map_or(Value::Unset, Value::str),
        if timed {
            Value::Interval(duration)
        } else {
            Value::Unset
        },
        if timed {
            Value::Count(size(&c.orig_to_resp))
        } else {
            Value::Unset
        },
        if timed {
            Value::Count(size(&c.resp_to_orig))
        } else {
            Value::Unset
        },
        or_unset(c.state),
        Value::Unset,
        Value::Unset,
        Value::Count(
            c.orig_to_resp
                .missed_bytes
                .saturating_add(c.resp_to_orig.missed_bytes),
        ),
        or_unset(&c.history),
        Value::Count(c.orig_to_resp.segments),
        Value::Unset,
        Value::Count(c.resp_to_orig.segments),
        Value::Unset,
        Value::Unset,
    ]
}

/// The side of `data` that sent `t`'s bytes: the server, or the client for an upload.
fn sender(t: &Transfer, data: &DataConnection) -> Side {
    let from = match t.direction {
        Direction::Upload => data.client,
        Direction::Download | Direction::Listing => data.server,
    };
    if from == data.tcp.orig {
        Side::Orig
    } else {
        Side::Resp
    }
}

/// Whether `t` gets a file (a `files.log` row and a `fuid`): its data connection carried
/// bytes in its direction, in clear.
pub fn has_file(t: &Transfer) -> bool {
    !t.encrypted
        && t.data
            .as_ref()
            .is_some_and(|d| d.tcp.dir(sender(t, d)).bytes > 0)
}

/// The `files.log` row of `t`, carried over `data` (connection `data_uid`).
pub fn file_row(
    t: &Transfer,
    data: &DataConnection,
    data_uid: &str,
    fuid: &str,
    facts: &FileFacts,
) -> Vec<Value> {
    let side = sender(t, data);
    let dir = data.tcp.dir(side);
    let first = dir.first_data_ts.unwrap_or(data.tcp.first_ts);
    let duration = match (dir.first_data_ts, dir.last_data_ts) {
        (Some(a), Some(b)) => Value::Interval(b.secs_since(a).max(0.0)),
        _ => Value::Unset,
    };
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Unset, Value::str);
    let analyzers = [
        ("MD5", &facts.md5),
        ("SHA1", &facts.sha1),
        ("SHA256", &facts.sha256),
    ]
    .iter()
    .filter(|(_, h)| h.is_some())
    .map(|(n, _)| n.to_string())
    .collect();
    let filename = match t.direction {
        Direction::Listing => Value::Unset,
        _ => t
            .file_name
            .as_ref()
            .map_or(Value::Unset, |n| Value::Str(n.wire_bytes().to_vec())),
    };
    vec![
        Value::Time(first),
        Value::str(fuid),
        Value::str(data_uid),
        Value::Addr(data.tcp.orig.ip),
        Value::Port(data.tcp.orig.port),
        Value::Addr(data.tcp.resp.ip),
        Value::Port(data.tcp.resp.port),
        Value::str("FTP_DATA"),
        Value::Count(0),
        Value::Set(analyzers),
        opt(&facts.mime_type),
        filename,
        duration,
        Value::Unset,
        Value::Bool(side == Side::Orig),
        Value::Count(dir.bytes),
        Value::count(t.announced_size),
        Value::Count(t.missed_bytes.unwrap_or(dir.missed_bytes)),
        Value::Count(0),
        Value::Bool(false),
        Value::Unset,
        opt(&facts.md5),
        opt(&facts.sha1),
        opt(&facts.sha256),
        Value::Unset,
        Value::Unset,
        Value::Unset,
    ]
}

/// Zeek's `FTP::max_user_length` and `max_password_length`: longer values are cut.
const MAX_USER: usize = 128;
/// Zeek's `FTP::max_arg_length` and `max_reply_msg_length`.
const MAX_ARG: usize = 4096;

/// The first `max` bytes of `bytes`, as Zeek cuts long values.
fn cut(bytes: &[u8], max: usize) -> Vec<u8> {
    bytes[..bytes.len().min(max)].to_vec()
}

/// The last number in `text` (Zeek's `extract_count(msg, F)`: 0 when there is none).
fn last_number(text: &str) -> u64 {
    text.split(|c: char| !c.is_ascii_digit())
        .rfind(|s| !s.is_empty())
        .map_or(0, |s| s.parse().unwrap_or(u64::MAX))
}

/// A transfer's file, for the ftp.log rows: its `fuid` and MIME type.
pub struct FileRef {
    /// The transfer's `id`.
    pub transfer: u32,
    /// Its `fuid`.
    pub fuid: String,
    /// Its MIME type, if known.
    pub mime_type: Option<String>,
}

/// The `ftp.log` rows of `s`, whose control connection is `uid`; `files` are its
/// transfers' files.
pub fn ftp_rows(s: &Session, uid: &str, files: &[FileRef]) -> Vec<Vec<Value>> {
    let ctl = &s.control;
    let mut user = b"<unknown>".to_vec();
    let mut password: Option<Vec<u8>> = None;
    let mut cwd = ".".to_string();
    let mut rows = Vec::new();
    for c in &s.commands {
        // A command that is not in the capture (inferred from its reply) Zeek never saw.
        if c.inferred {
            continue;
        }
        let arg = c.arg.as_ref().map(|a| a.wire_bytes()).unwrap_or_default();
        let arg_text = c.arg.as_deref().unwrap_or("");
        match c.command.as_str() {
            "USER" => user = cut(arg, MAX_USER),
            "PASS" => {
                password = Some(if c.masked {
                    b"<hidden>".to_vec()
                } else {
                    cut(arg, MAX_USER)
                })
            }
            _ => {}
        }
        // The working directory changes with the first successful reply (as Zeek's
        // `directory_cmds`), before the command's row is written.
        if let Some(r) = c.replies.iter().find(|r| {
            matches!(
                (c.command.as_str(), r.code),
                ("CWD", Some(250)) | ("CDUP", Some(200 | 250)) | ("PWD" | "XPWD", Some(257))
            )
        }) {
            cwd = match c.command.as_str() {
                "CWD" => super::path::change_dir(&cwd, arg_text),
                "CDUP" => super::path::change_dir(&cwd, "/.."),
                _ => super::path::extract_path(&r.text),
            };
        }
        let file = c
            .transfer
            .and_then(|id| files.iter().find(|f| f.transfer == id));
        if !LOGGED.contains(&c.command.as_str()) {
            continue;
        }
        let arg_value = if URL_ARG.contains(&c.command.as_str()) {
            Value::Str(cut(
                super::path::url(ctl.resp.ip, &cwd, arg_text).as_bytes(),
                MAX_ARG,
            ))
        } else if arg.is_empty() {
            Value::Unset
        } else {
            Value::Str(cut(arg, MAX_ARG))
        };
        let file_size = if c.command == "RETR" {
            c.replies
                .iter()
                .find(|r| r.code == Some(150))
                .map_or(Value::Unset, |r| Value::Count(last_number(r.first_text())))
        } else {
            Value::Unset
        };
        let last = c.replies.last();
        let reply_code = c.reply_code.or(last.and_then(|r| r.code));
        let reply_msg = c
            .reply_text
            .as_ref()
            .or(last.map(|r| &r.text))
            .map_or(Value::Unset, |t| Value::Str(cut(t.wire_bytes(), MAX_ARG)));
        // The data channel Zeek expects: PORT/EPRT as sent, PASV/EPSV from their reply.
        let channel = match (c.command.as_str(), c.data_endpoint, reply_code) {
            ("PORT" | "EPRT", Some(ep), _) => Some((false, ctl.resp.ip, ep)),
            ("PASV", Some(ep), Some(227)) | ("EPSV", Some(ep), Some(229)) => {
                Some((true, ctl.orig.ip, ep))
            }
            _ => None,
        };
        let (passive, orig_h, resp_h, resp_p) = match channel {
            Some((p, o, ep)) => (
                Value::Bool(p),
                Value::Addr(o),
                Value::Addr(ep.ip),
                Value::Port(ep.port),
            ),
            None => (Value::Unset, Value::Unset, Value::Unset, Value::Unset),
        };
        rows.push(vec![
            Value::Time(c.ts),
            Value::str(uid),
            Value::Addr(ctl.orig.ip),
            Value::Port(ctl.orig.port),
            Value::Addr(ctl.resp.ip),
            Value::Port(ctl.resp.port),
            Value::Str(user.clone()),
            password.clone().map_or(Value::Unset, Value::Str),
            Value::str(&c.command),
            arg_value,
            file.and_then(|f| f.mime_type.as_deref())
                .map_or(Value::Unset, Value::str),
            file_size,
            Value::count(reply_code.map(u64::from)),
            reply_msg,
            passive,
            orig_h,
            resp_h,
            resp_p,
            file.map_or(Value::Unset, |f| Value::str(&f.fuid)),
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_look_like_zeeks_and_are_stable() {
        let a = ident('C', &[1, 2, 3]);
        assert!(a.starts_with('C') && (12..=18).contains(&a.len()), "{a}");
        assert!(a[1..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(a, ident('C', &[1, 2, 3]));
        assert_ne!(a, ident('C', &[1, 2, 4]));
    }

    #[test]
    fn file_size_is_the_last_number_of_the_150_reply() {
        assert_eq!(
            last_number("Opening BINARY mode data connection for a2.txt (1234 bytes)."),
            1234
        );
        assert_eq!(
            last_number("File status okay. About to open data connection."),
            0
        );
    }
}
