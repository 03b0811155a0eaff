//! One Zeek log file's layout and encoding: the fields with their Zeek types, and a row's
//! values written as Zeek's ASCII (TSV) writer or its JSON writer would write them.
//!
//! TSV: a header (`#separator \x09`, `#set_separator ,`, `#empty_field (empty)`,
//! `#unset_field -`, `#path`, `#open`, `#fields`, `#types`), one line per row, `#close`.
//! Unset values are `-`, an empty string or set is `(empty)`; in strings every byte outside
//! printable ASCII and the tab is written `\xNN`, a backslash `\\`, and a string that is
//! exactly `-` is written `\x2d` so that it cannot read as unset (Zeek's own rules).
//! JSON: one object per line with the dotted field names as keys, unset fields left out,
//! `time` as epoch seconds (Zeek's default `JSON::TS_EPOCH`), sets as arrays.

use crate::time::Timestamp;
use std::io::{self, Write};
use std::net::IpAddr;

/// A field: its name in `#fields` and its type in `#types`.
pub type Field = (&'static str, &'static str);

/// One value of a row, typed as its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Not set: `-` in TSV, left out in JSON.
    Unset,
    /// `time`: seconds since the epoch, 6 decimals.
    Time(Timestamp),
    /// `interval`: seconds, 6 decimals.
    Interval(f64),
    /// `string` or `enum`: bytes as sent (escaped when written).
    Str(Vec<u8>),
    /// `addr`.
    Addr(IpAddr),
    /// `port`.
    Port(u16),
    /// `count`.
    Count(u64),
    /// `bool`: `T`/`F` in TSV.
    Bool(bool),
    /// `set[string]`.
    Set(Vec<String>),
}

impl Value {
    /// A string value from text.
    pub fn str(s: &str) -> Value {
        Value::Str(s.as_bytes().to_vec())
    }

    /// A count, or unset.
    pub fn count(n: Option<u64>) -> Value {
        n.map_or(Value::Unset, Value::Count)
    }
}

/// Seconds with six decimals, as Zeek prints `time` and `interval` (`%.6f`).
fn secs6(secs: f64) -> String {
    format!("{secs:.6}")
}

/// Appends `bytes` with Zeek's TSV escaping (see the module doc); `extra` is one more byte
/// that must be escaped (the set separator inside a set).
fn escape_tsv(out: &mut Vec<u8>, bytes: &[u8], extra: Option<u8>) {
    if bytes == b"-" {
        out.extend_from_slice(b"\\x2d");
        return;
    }
    for &b in bytes {
        if b == b'\\' {
            out.extend_from_slice(b"\\\\");
        } else if (0x20..0x7f).contains(&b) && Some(b) != extra {
            out.push(b);
        } else {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        }
    }
}

/// The TSV text of one value.
fn tsv_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Unset => out.push(b'-'),
        Value::Time(ts) => out.extend_from_slice(secs6(ts.as_secs_f64()).as_bytes()),
        Value::Interval(s) => out.extend_from_slice(secs6(*s).as_bytes()),
        Value::Str(s) if s.is_empty() => out.extend_from_slice(b"(empty)"),
        Value::Str(s) => escape_tsv(out, s, None),
        Value::Addr(ip) => out.extend_from_slice(ip.to_string().as_bytes()),
        Value::Port(p) => out.extend_from_slice(p.to_string().as_bytes()),
        Value::Count(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Bool(b) => out.push(if *b { b'T' } else { b'F' }),
        Value::Set(items) if items.is_empty() => out.extend_from_slice(b"(empty)"),
        Value::Set(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                escape_tsv(out, item.as_bytes(), Some(b','));
            }
        }
    }
}

/// The JSON text of one value (never called for [`Value::Unset`]).
fn json_value(out: &mut Vec<u8>, v: &Value) -> io::Result<()> {
    match v {
        Value::Unset => out.extend_from_slice(b"null"),
        Value::Time(ts) => out.extend_from_slice(secs6(ts.as_secs_f64()).as_bytes()),
        Value::Interval(s) if s.is_finite() => out.extend_from_slice(secs6(*s).as_bytes()),
        Value::Interval(_) => out.extend_from_slice(b"null"),
        Value::Str(s) => serde_json::to_writer(&mut *out, &json_text(s))?,
        Value::Addr(ip) => serde_json::to_writer(&mut *out, &ip.to_string())?,
        Value::Port(p) => out.extend_from_slice(p.to_string().as_bytes()),
        Value::Count(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Set(items) => serde_json::to_writer(&mut *out, items)?,
    }
    Ok(())
}

/// A string's bytes as JSON text: valid UTF-8 as it is, each byte of an invalid sequence
/// as the four characters `\xNN` (as Zeek's JSON writer does), so nothing is lost.
fn json_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.into();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.into()
}

/// `#open`/`#close` time: `YYYY-MM-DD-HH-MM-SS` in UTC.
fn header_time(ts: Timestamp) -> String {
    // RFC 3339 is `YYYY-MM-DDTHH:MM:SS[.frac]Z`: keep the first 19 characters.
    let s = ts.rfc3339();
    s.get(..19).unwrap_or(&s).replace(['T', ':'], "-")
}

/// A log being written: its path name (`ftp`, `conn`, `files`), fields and format.
pub struct LogWriter<W: Write> {
    out: W,
    fields: &'static [Field],
    json: bool,
    line: Vec<u8>,
}

impl<W: Write> LogWriter<W> {
    /// Starts a log of `fields` in `out`; TSV writes its header now, with `open` as
    /// `#open`.
    pub fn new(
        mut out: W,
        path: &str,
        fields: &'static [Field],
        json: bool,
        open: Timestamp,
    ) -> io::Result<LogWriter<W>> {
        if !json {
            let names: Vec<&str> = fields.iter().map(|f| f.0).collect();
            let types: Vec<&str> = fields.iter().map(|f| f.1).collect();
            write!(
                out,
                "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n\
                 #path\t{path}\n#open\t{}\n#fields\t{}\n#types\t{}\n",
                header_time(open),
                names.join("\t"),
                types.join("\t"),
            )?;
        }
        Ok(LogWriter {
            out,
            fields,
            json,
            line: Vec::with_capacity(512),
        })
    }

    /// Writes one row; `values` are in the order of the fields.
    pub fn row(&mut self, values: &[Value]) -> io::Result<()> {
        debug_assert_eq!(values.len(), self.fields.len());
        self.line.clear();
        if self.json {
            self.line.push(b'{');
            let mut first = true;
            for ((name, _), v) in self.fields.iter().zip(values) {
                if *v == Value::Unset {
                    continue;
                }
                if !first {
                    self.line.push(b',');
                }
                first = false;
                serde_json::to_writer(&mut self.line, name)?;
                self.line.push(b':');
                json_value(&mut self.line, v)?;
            }
            self.line.push(b'}');
        } else {
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    self.line.push(b'\t');
                }
                tsv_value(&mut self.line, v);
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    /// Ends the log: TSV writes `#close` with `close`; then everything is flushed.
    pub fn close(mut self, close: Timestamp) -> io::Result<W> {
        if !self.json {
            writeln!(self.out, "#close\t{}", header_time(close))?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tsv(v: &Value) -> String {
        let mut out = Vec::new();
        tsv_value(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_are_written_as_zeek_writes_them() {
        assert_eq!(tsv(&Value::Unset), "-");
        assert_eq!(tsv(&Value::str("")), "(empty)");
        assert_eq!(tsv(&Value::str("-")), "\\x2d");
        assert_eq!(tsv(&Value::str("a\tb\\c")), "a\\x09b\\\\c");
        assert_eq!(tsv(&Value::Str(vec![b'x', 0xff, 0])), "x\\xff\\x00");
        assert_eq!(
            tsv(&Value::Time(Timestamp::from_secs_nanos(
                1329843175,
                680_248_400
            ))),
            "1329843175.680248"
        );
        assert_eq!(tsv(&Value::Interval(0.1124321)), "0.112432");
        assert_eq!(tsv(&Value::Bool(true)), "T");
        assert_eq!(tsv(&Value::Set(vec![])), "(empty)");
        assert_eq!(
            tsv(&Value::Set(vec!["MD5".into(), "a,b".into()])),
            "MD5,a\\x2cb"
        );
        assert_eq!(
            tsv(&Value::Addr("2001:db8::1".parse().unwrap())),
            "2001:db8::1"
        );
    }

    #[test]
    fn header_and_json_rows() {
        const FIELDS: &[Field] = &[("ts", "time"), ("id.orig_h", "addr"), ("x", "count")];
        let ts = Timestamp::from_secs_nanos(1_700_000_000, 0);
        let mut w = LogWriter::new(Vec::new(), "t", FIELDS, false, ts).unwrap();
        w.row(&[
            Value::Time(ts),
            Value::Addr("10.0.0.1".parse().unwrap()),
            Value::Unset,
        ])
        .unwrap();
        let buf = w.close(ts).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("#separator \\x09\n#set_separator\t,\n"));
        assert!(text.contains("#open\t2023-11-14-22-13-20\n"));
        assert!(text.contains("#types\ttime\taddr\tcount\n1700000000.000000\t10.0.0.1\t-\n"));
        assert!(text.ends_with("#close\t2023-11-14-22-13-20\n"));

        let mut w = LogWriter::new(Vec::new(), "t", FIELDS, true, ts).unwrap();
        w.row(&[
            Value::Time(ts),
            Value::Addr("10.0.0.1".parse().unwrap()),
            Value::Unset,
        ])
        .unwrap();
        let buf = w.close(ts).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "{\"ts\":1700000000.000000,\"id.orig_h\":\"10.0.0.1\"}\n"
        );
        assert_eq!(json_text(b"caf\xc3\xa9"), "café");
        assert_eq!(json_text(b"a\xffb"), "a\\xffb");
    }
}
