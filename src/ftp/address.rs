//! Data-connection endpoints announced on the control connection.
//!
//! **Input:** the argument of PORT / EPRT / LPRT (client says where it listens: active
//! mode) or the text of a 227 / 228 / 229 reply (server says where it listens: passive
//! mode), as bytes.
//!
//! **Output:** an [`Announced`] endpoint (address, port, and for the comma forms the
//! `p1*256+p2` arithmetic the articles show), or an [`AddressError`] saying in words what
//! is wrong.
//!
//! **Rules:**
//! * PORT / 227 (RFC 959): six decimal numbers `h1,h2,h3,h4,p1,p2`, each 0..=255; port =
//!   p1*256+p2. Spaces around commas are tolerated. In a 227 reply the numbers may be
//!   anywhere in the text (`(...)`, `=...`, or bare): the first list of exactly six is used.
//! * LPRT / 228 (RFC 1639): `af,hal,h1..hn,pal,p1..pn` with af 4 (hal 4) or 6 (hal 16) and
//!   pal 2.
//! * EPRT (RFC 2428): `<d>af<d>addr<d>port<d>`, where the first character is the delimiter
//!   (printable ASCII 33..=126); af 1 = IPv4, 2 = IPv6, and it must match the address.
//! * 229 (RFC 2428): `(<d><d><d>port<d>)` with any delimiter; the address is not given
//!   (`ip: None`): it is the server address of the control connection.
//! * Numbers of any length are read without overflow (a 64-digit "number" is an error, not
//!   a panic). Address 0.0.0.0 and port 0 are returned as they are: callers decide.
//! * Nothing is allocated unless a result is returned (the arithmetic text or an error).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A data endpoint announced on the control connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    /// `None` for EPSV's `(|||port|)`: the control connection's server address is meant.
    pub ip: Option<IpAddr>,
    /// The announced TCP port.
    pub port: u16,
    /// `"200*256+100 = 51300"` for PORT/PASV/LPRT/LPSV; `None` for EPRT/EPSV.
    pub arithmetic: Option<String>,
}

/// Why an announced endpoint could not be read, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError(pub String);

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AddressError {}

/// Most numbers in any form we read: LPRT for IPv6 has 1+1+16+1+2.
const MAX_NUMBERS: usize = 21;

/// Bytes of the input quoted in an error message.
const QUOTE_MAX: usize = 64;

/// The input, quoted and escaped for an error message, cut to [`QUOTE_MAX`] bytes.
fn quoted(bytes: &[u8]) -> String {
    match bytes.get(..QUOTE_MAX) {
        Some(short) if bytes.len() > QUOTE_MAX => {
            format!("\"{}\"... ({} bytes)", short.escape_ascii(), bytes.len())
        }
        _ => format!("\"{}\"", bytes.escape_ascii()),
    }
}

fn err(msg: String) -> AddressError {
    AddressError(msg)
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| !is_blank(b) && b != b'\r');
    let end = bytes.iter().rposition(|&b| !is_blank(b) && b != b'\r');
    match (start, end) {
        (Some(s), Some(e)) => bytes.get(s..=e).unwrap_or_default(),
        _ => &[],
    }
}

/// Reads a decimal number of any length without overflow: saturates at `u32::MAX`.
/// `None` unless the field is one or more digits.
fn decimal(field: &[u8]) -> Option<u32> {
    if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(field.iter().fold(0u32, |v, &d| {
        v.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    }))
}

/// Reads one comma-separated field as a byte (0..=255).
fn byte_field(what: &str, index: usize, field: &[u8]) -> Result<u8, AddressError> {
    let f = trim(field);
    let value = decimal(f).ok_or_else(|| {
        err(format!(
            "{what}: field {} is not a number ({})",
            index + 1,
            quoted(f)
        ))
    })?;
    u8::try_from(value).map_err(|_| {
        err(format!(
            "{what}: {} is more than 255 (field {})",
            quoted(f),
            index + 1
        ))
    })
}

/// Splits `list` at commas into bytes. Checks the count (`expect` exact, or up to
/// [`MAX_NUMBERS`] when `None`) before reading any field.
fn byte_list(
    what: &str,
    list: &[u8],
    expect: Option<usize>,
) -> Result<([u8; MAX_NUMBERS], usize), AddressError> {
    let count = if trim(list).is_empty() {
        0
    } else {
        list.split(|&b| b == b',').count()
    };
    match expect {
        Some(n) if count != n => {
            return Err(err(format!(
                "{what} needs {n} numbers, found {count} ({})",
                quoted(list)
            )));
        }
        None if count > MAX_NUMBERS => {
            return Err(err(format!(
                "{what} has too many numbers ({count}) ({})",
                quoted(list)
            )));
        }
        _ => {}
    }
    let mut out = [0u8; MAX_NUMBERS];
    if count > 0 {
        for (i, (slot, field)) in out.iter_mut().zip(list.split(|&b| b == b',')).enumerate() {
            *slot = byte_field(what, i, field)?;
        }
    }
    Ok((out, count))
}

/// Port from two bytes, with the arithmetic shown to the user.
fn port_from(p1: u8, p2: u8) -> (u16, String) {
    let port = u16::from(p1) << 8 | u16::from(p2);
    (port, format!("{p1}*256+{p2} = {port}"))
}

/// h1,h2,h3,h4,p1,p2 -> endpoint.
fn six(n: &[u8]) -> Option<Announced> {
    let [h1, h2, h3, h4, p1, p2] = *n.get(..6)? else {
        return None;
    };
    let (port, arithmetic) = port_from(p1, p2);
    Some(Announced {
        ip: Some(IpAddr::V4(Ipv4Addr::new(h1, h2, h3, h4))),
        port,
        arithmetic: Some(arithmetic),
    })
}

/// Reads the argument of PORT.
///
/// Wire example: `PORT 192,168,120,168,200,100` -> 192.168.120.168 port 51300
/// (`200*256+100 = 51300`).
pub fn parse_port(arg: &[u8]) -> Result<Announced, AddressError> {
    let (n, _) = byte_list("PORT", trim(arg), Some(6))?;
    six(&n).ok_or_else(|| err("PORT needs 6 numbers".into()))
}

/// Reads the numbers of LPRT / 228 (already split into bytes).
fn lprt_numbers(what: &str, n: &[u8], shown: &[u8]) -> Result<Announced, AddressError> {
    let (&af, rest) = n
        .split_first()
        .ok_or_else(|| err(format!("{what} is empty")))?;
    let (&hal, rest) = rest
        .split_first()
        .ok_or_else(|| err(format!("{what} has no address length ({})", quoted(shown))))?;
    let want = match af {
        4 => 4,
        6 => 16,
        _ => {
            return Err(err(format!(
                "{what}: unknown address family {af} (4 = IPv4, 6 = IPv6) ({})",
                quoted(shown)
            )));
        }
    };
    if usize::from(hal) != want {
        return Err(err(format!(
            "{what}: address family {af} needs an address length of {want}, found {hal} ({})",
            quoted(shown)
        )));
    }
    let (addr, rest) = rest.split_at_checked(want).ok_or_else(|| {
        err(format!(
            "{what}: the address is cut short ({})",
            quoted(shown)
        ))
    })?;
    let Some((&pal, port)) = rest.split_first() else {
        return Err(err(format!(
            "{what}: the port length is missing after the address ({})",
            quoted(shown)
        )));
    };
    if pal != 2 {
        return Err(err(format!(
            "{what}: a TCP port has 2 bytes, the port length says {pal} ({})",
            quoted(shown)
        )));
    }
    let [p1, p2] = *port else {
        return Err(err(format!(
            "{what}: the port length says 2 but {} port numbers follow ({})",
            port.len(),
            quoted(shown)
        )));
    };
    let ip = if let Ok(v4) = <[u8; 4]>::try_from(addr) {
        IpAddr::V4(Ipv4Addr::from(v4))
    } else if let Ok(v6) = <[u8; 16]>::try_from(addr) {
        IpAddr::V6(Ipv6Addr::from(v6))
    } else {
        return Err(err(format!("{what}: bad address length")));
    };
    let (port, arithmetic) = port_from(p1, p2);
    Ok(Announced {
        ip: Some(ip),
        port,
        arithmetic: Some(arithmetic),
    })
}

/// Reads the argument of LPRT (RFC 1639).
///
/// Wire example: `LPRT 4,4,192,168,0,1,2,8,86` -> 192.168.0.1 port 2134;
/// `LPRT 6,16,32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1,2,4,1` -> `[2001:db8::1]:1025`.
pub fn parse_lprt(arg: &[u8]) -> Result<Announced, AddressError> {
    let arg = trim(arg);
    let (n, count) = byte_list("LPRT", arg, None)?;
    lprt_numbers("LPRT", n.get(..count).unwrap_or_default(), arg)
}

/// Reads a decimal TCP port (0..=65535).
fn tcp_port(what: &str, field: &[u8]) -> Result<u16, AddressError> {
    let value = decimal(field).ok_or_else(|| {
        err(format!(
            "{what}: the port is not a number ({})",
            quoted(field)
        ))
    })?;
    u16::try_from(value)
        .map_err(|_| err(format!("{what}: port {} is more than 65535", quoted(field))))
}

/// Reads the argument of EPRT (RFC 2428).
///
/// Wire examples: `EPRT |1|132.235.1.2|6275|`,
/// `EPRT |2|2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1|34325|`.
pub fn parse_eprt(arg: &[u8]) -> Result<Announced, AddressError> {
    eprt_like("EPRT", arg)
}

fn eprt_like(what: &str, arg: &[u8]) -> Result<Announced, AddressError> {
    let arg = trim(arg);
    let (&d, rest) = arg
        .split_first()
        .ok_or_else(|| err(format!("{what} argument is empty")))?;
    if !(33..=126).contains(&d) || d.is_ascii_digit() {
        return Err(err(format!(
            "{what}: the first character must be a delimiter such as '|', found {} ({})",
            quoted(&[d]),
            quoted(arg)
        )));
    }
    let mut fields = rest.split(|&b| b == d);
    let (Some(af), Some(addr), Some(port), Some(b""), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(err(format!(
            "{what} needs <d>family<d>address<d>port<d> with delimiter '{}' ({})",
            char::from(d),
            quoted(arg)
        )));
    };
    let text = std::str::from_utf8(addr).ok();
    let ip = match af {
        b"1" => text
            .and_then(|t| t.parse::<Ipv4Addr>().ok())
            .map(IpAddr::V4),
        b"2" => text
            .and_then(|t| t.parse::<Ipv6Addr>().ok())
            .map(IpAddr::V6),
        _ => {
            return Err(err(format!(
                "{what}: unknown address family {} (1 = IPv4, 2 = IPv6)",
                quoted(af)
            )));
        }
    };
    let Some(ip) = ip else {
        let family = if af == b"1" { "1 (IPv4)" } else { "2 (IPv6)" };
        return Err(err(format!(
            "{what}: address family {family} but the address is {}",
            quoted(addr)
        )));
    };
    Ok(Announced {
        ip: Some(ip),
        port: tcp_port(what, port)?,
        arithmetic: None,
    })
}

/// Finds lists of comma-separated numbers (`12, 34,56`) in free text: yields each list's
/// byte range. Numbers inside a longer digit run are not split.
fn number_lists(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let digit = |i: usize| text.get(i).is_some_and(u8::is_ascii_digit);
    let skip = |mut i: usize, f: &dyn Fn(u8) -> bool| {
        while text.get(i).is_some_and(|&b| f(b)) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < text.len() {
            if !digit(i) {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = skip(i, &|b| b.is_ascii_digit());
            loop {
                let j = skip(end, &is_blank);
                if text.get(j) != Some(&b',') {
                    break;
                }
                let j = skip(j + 1, &is_blank);
                if !digit(j) {
                    break;
                }
                end = skip(j, &|b| b.is_ascii_digit());
            }
            i = end;
            return text.get(start..end);
        }
        None
    })
}

/// Reads the text of a 227 reply (answer to PASV).
///
/// Wire examples: `Entering Passive Mode (192,168,0,129,170,218)` (vsFTPd) -> port 43738;
/// `Entering Passive Mode (172,16,101,104,8,86)` (Serv-U); `Entering Passive Mode
/// =127,0,0,1,4,5`; `Entering Passive Mode 10, 0, 0, 5, 19, 137`.
pub fn parse_227(text: &[u8]) -> Result<Announced, AddressError> {
    let mut first_error = None;
    for list in number_lists(text) {
        if list.split(|&b| b == b',').count() != 6 {
            continue;
        }
        match byte_list("227", list, Some(6)) {
            Ok((n, _)) => {
                if let Some(a) = six(&n) {
                    return Ok(a);
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        err(format!(
            "227 reply has no h1,h2,h3,h4,p1,p2 numbers ({})",
            quoted(text)
        ))
    }))
}

/// Reads the text of a 228 reply (answer to LPSV, RFC 1639).
///
/// Wire example: `Entering Long Passive Mode (4,4,192,168,0,1,2,8,86)` -> 192.168.0.1
/// port 2134.
pub fn parse_228(text: &[u8]) -> Result<Announced, AddressError> {
    let mut first_error = None;
    for list in number_lists(text) {
        let count = list.split(|&b| b == b',').count();
        if !(3..=MAX_NUMBERS).contains(&count) {
            continue;
        }
        let r = byte_list("228", list, None)
            .and_then(|(n, c)| lprt_numbers("228", n.get(..c).unwrap_or_default(), list));
        match r {
            Ok(a) => return Ok(a),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        err(format!(
            "228 reply has no af,hal,address,pal,port numbers ({})",
            quoted(text)
        ))
    }))
}

/// Reads the text of a 229 reply (answer to EPSV, RFC 2428).
///
/// Wire examples: `Entering Extended Passive Mode (|||58612|)` (ProFTPD) -> port 58612,
/// address `None`; `Entering Extended Passive Mode (!!!6446!)`. A non-standard reply that
/// fills in the address (`(|1|10.0.0.5|6446|)`) is read like EPRT.
pub fn parse_229(text: &[u8]) -> Result<Announced, AddressError> {
    let mut first_error = None;
    for (i, &d) in text.iter().enumerate() {
        if !(33..=126).contains(&d) || d.is_ascii_digit() {
            continue;
        }
        if text.get(i + 1) != Some(&d) || text.get(i + 2) != Some(&d) {
            continue;
        }
        let Some(after) = text.get(i + 3..) else {
            continue;
        };
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || after.get(digits) != Some(&d) {
            continue;
        }
        match tcp_port("229", after.get(..digits).unwrap_or_default()) {
            Ok(port) => {
                return Ok(Announced {
                    ip: None,
                    port,
                    arithmetic: None,
                });
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    // Some servers put the address in as well: "(|1|10.0.0.5|6446|)".
    let open = text.iter().position(|&b| b == b'(');
    let close = text.iter().rposition(|&b| b == b')');
    if let (Some(o), Some(c)) = (open, close)
        && let Some(inner) = text.get(o + 1..c)
        && let Ok(a) = eprt_like("229", inner)
    {
        return Ok(a);
    }
    Err(err(format!(
        "229 reply has no (|||port|) ({})",
        quoted(text)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn ok(ip: &str, port: u16, arith: &str) -> Announced {
        Announced {
            ip: v4(ip),
            port,
            arithmetic: Some(arith.to_string()),
        }
    }

    fn msg(r: Result<Announced, AddressError>) -> String {
        r.unwrap_err().0
    }

    #[test]
    fn port_from_articles() {
        assert_eq!(
            parse_port(b"192,168,120,168,200,100"),
            Ok(ok("192.168.120.168", 51300, "200*256+100 = 51300"))
        );
        assert_eq!(
            parse_port(b"192,168,9,186,216,142"),
            Ok(ok("192.168.9.186", 55438, "216*256+142 = 55438"))
        );
        assert_eq!(parse_port(b"192,168,0,27,43,103").unwrap().port, 11111);
        // FTP bounce: a third host and port 80 is still a valid PORT.
        assert_eq!(
            parse_port(b"2,2,2,3,0,80"),
            Ok(ok("2.2.2.3", 80, "0*256+80 = 80"))
        );
    }

    #[test]
    fn port_with_spaces_and_edge_values() {
        assert_eq!(
            parse_port(b"192, 168, 120, 168, 200, 100"),
            Ok(ok("192.168.120.168", 51300, "200*256+100 = 51300"))
        );
        assert_eq!(
            parse_port(b" 0,0,0,0,0,0 \r"),
            Ok(ok("0.0.0.0", 0, "0*256+0 = 0"))
        );
        assert_eq!(parse_port(b"255,255,255,255,255,255").unwrap().port, 65535);
        assert_eq!(parse_port(b"010,0,0,1,0,21").unwrap().ip, v4("10.0.0.1"));
    }

    #[test]
    fn port_malformed() {
        assert_eq!(
            msg(parse_port(b"1234")),
            "PORT needs 6 numbers, found 1 (\"1234\")"
        );
        let long = b"1234123412341234123412341234123412341234123412341234123412341234";
        assert_eq!(
            msg(parse_port(long)),
            "PORT needs 6 numbers, found 1 (\"1234123412341234123412341234123412341234123412341234123412341234\")"
        );
        assert_eq!(msg(parse_port(b"")), "PORT needs 6 numbers, found 0 (\"\")");
        assert_eq!(
            msg(parse_port(b"192,168,0,300,1,1")),
            "PORT: \"300\" is more than 255 (field 4)"
        );
        let e = msg(parse_port(
            b"1,1,1,1,1,99999999999999999999999999999999999999999999999999999999999999",
        ));
        assert!(e.contains("is more than 255 (field 6)"), "{e}");
        assert_eq!(
            msg(parse_port(b"1,2,3,4,5,")),
            "PORT: field 6 is not a number (\"\")"
        );
        assert_eq!(
            msg(parse_port(b"1,2,3,4,-5,6")),
            "PORT: field 5 is not a number (\"-5\")"
        );
        assert!(parse_port(b"1,2,3,4,5,6,7").is_err());
        assert!(parse_port(b"1.2.3.4.5.6").is_err());
        assert!(parse_port(b"1,2,3,4,5 6,7").is_err());
        assert!(parse_port(b"\xff,\xfe,1,1,1,1").is_err());
        let huge = vec![b','; 1 << 20];
        let e = msg(parse_port(&huge));
        assert!(e.starts_with("PORT needs 6 numbers, found 1048577"), "{e}");
        assert!(e.len() < 200);
    }

    #[test]
    fn eprt_rfc2428_examples() {
        assert_eq!(
            parse_eprt(b"|1|132.235.1.2|6275|"),
            Ok(Announced {
                ip: v4("132.235.1.2"),
                port: 6275,
                arithmetic: None
            })
        );
        assert_eq!(
            parse_eprt(b"|2|1080::8:800:200C:417A|5282|").unwrap().ip,
            Some("1080::8:800:200c:417a".parse().unwrap())
        );
        let a = parse_eprt(b"|2|2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1|34325|").unwrap();
        assert_eq!(a.port, 34325);
        assert!(a.ip.unwrap().is_ipv6());
        // Any printable delimiter.
        assert_eq!(parse_eprt(b"!1!10.0.0.1!21!").unwrap().port, 21);
        assert_eq!(parse_eprt(b"|1|10.0.0.1|21| \r").unwrap().port, 21);
    }

    #[test]
    fn eprt_malformed() {
        assert_eq!(msg(parse_eprt(b"")), "EPRT argument is empty");
        assert!(msg(parse_eprt(b"|1|10.0.0.1|21")).starts_with("EPRT needs"));
        assert!(msg(parse_eprt(b"|1|10.0.0.1|21|x|")).starts_with("EPRT needs"));
        assert!(msg(parse_eprt(b"|1|10.0.0.1!21|")).starts_with("EPRT needs"));
        assert!(msg(parse_eprt(b"1|1|10.0.0.1|21|")).contains("delimiter"));
        assert!(msg(parse_eprt(b" \x01|1|10.0.0.1|21|")).contains("delimiter"));
        assert_eq!(
            msg(parse_eprt(b"|3|10.0.0.1|21|")),
            "EPRT: unknown address family \"3\" (1 = IPv4, 2 = IPv6)"
        );
        assert_eq!(
            msg(parse_eprt(b"|1|::1|21|")),
            "EPRT: address family 1 (IPv4) but the address is \"::1\""
        );
        assert_eq!(
            msg(parse_eprt(b"|2|10.0.0.1|21|")),
            "EPRT: address family 2 (IPv6) but the address is \"10.0.0.1\""
        );
        assert_eq!(
            msg(parse_eprt(b"|1|10.0.0.1|65536|")),
            "EPRT: port \"65536\" is more than 65535"
        );
        assert!(
            msg(parse_eprt(
                b"|1|10.0.0.1|1234123412341234123412341234123412341234123412341234123412341234|"
            ))
            .contains("more than 65535")
        );
        assert!(msg(parse_eprt(b"|1|10.0.0.1||")).contains("not a number"));
        assert!(parse_eprt(b"|1|10.0.0.\xff|21|").is_err());
        assert!(parse_eprt(b"|1|300.0.0.1|21|").is_err());
    }

    #[test]
    fn lprt_rfc1639() {
        assert_eq!(
            parse_lprt(b"4,4,192,168,0,1,2,8,86"),
            Ok(ok("192.168.0.1", 2134, "8*256+86 = 2134"))
        );
        let a = parse_lprt(b"6,16,32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1,2,4,1").unwrap();
        assert_eq!(a.ip, Some("2001:db8::1".parse().unwrap()));
        assert_eq!(a.port, 1025);
        assert_eq!(a.arithmetic.as_deref(), Some("4*256+1 = 1025"));
    }

    #[test]
    fn lprt_malformed() {
        assert_eq!(msg(parse_lprt(b"")), "LPRT is empty");
        assert!(msg(parse_lprt(b"4")).contains("no address length"));
        assert!(msg(parse_lprt(b"5,4,1,2,3,4,2,0,21")).contains("unknown address family 5"));
        assert!(msg(parse_lprt(b"4,16,1,2,3,4,2,0,21")).contains("address length of 4"));
        assert!(msg(parse_lprt(b"4,4,1,2,3")).contains("cut short"));
        assert!(msg(parse_lprt(b"4,4,1,2,3,4")).contains("port length is missing"));
        assert!(msg(parse_lprt(b"4,4,1,2,3,4,2,0")).contains("but 1 port numbers follow"));
        assert!(msg(parse_lprt(b"4,4,1,2,3,4,2,0,21,5")).contains("but 3 port numbers"));
        assert!(msg(parse_lprt(b"4,4,1,2,3,4,3,0,0,21")).contains("port length says 3"));
        assert!(msg(parse_lprt(b"4,4,1,2,3,400,2,0,21")).contains("more than 255"));
        let many = b"1,".repeat(30);
        assert!(msg(parse_lprt(&many)).contains("too many numbers"));
    }

    #[test]
    fn pasv_227_real_servers() {
        assert_eq!(
            parse_227(b"Entering Passive Mode (192,168,0,129,170,218)"),
            Ok(ok("192.168.0.129", 43738, "170*256+218 = 43738"))
        );
        assert_eq!(
            parse_227(b"Entering Passive Mode (172,16,101,104,8,86)")
                .unwrap()
                .port,
            2134
        );
        assert_eq!(
            parse_227(b"Entering Passive Mode (2,2,2,2,185,13).")
                .unwrap()
                .port,
            47373
        );
        assert_eq!(
            parse_227(b"Entering Passive Mode =127,0,0,1,4,5")
                .unwrap()
                .port,
            1029
        );
        assert_eq!(
            parse_227(b"Entering Passive Mode 10, 0, 0, 5, 19, 137")
                .unwrap()
                .ip,
            v4("10.0.0.5")
        );
        // Other numbers before the list are skipped.
        assert_eq!(
            parse_227(b"Mode 2 of 3 10,20 ok (1,2,3,4,5,6)")
                .unwrap()
                .port,
            1286
        );
    }

    #[test]
    fn pasv_227_malformed() {
        let mut aaaa = b"AAAA".repeat(28_000);
        aaaa.push(b'Z');
        assert!(msg(parse_227(&aaaa)).starts_with("227 reply has no h1,h2,h3,h4,p1,p2"));
        assert!(msg(parse_227(&aaaa)).len() < 200);
        assert!(parse_227(b"").is_err());
        assert!(parse_227(b"Entering Passive Mode (1,2,3,4,5)").is_err());
        assert!(parse_227(b"Entering Passive Mode (1,2,3,4,5,6,7)").is_err());
        assert_eq!(
            msg(parse_227(b"Entering Passive Mode (1,2,3,4,256,6)")),
            "227: \"256\" is more than 255 (field 5)"
        );
        assert!(
            parse_227(
                b"(1,2,3,4,5,1234123412341234123412341234123412341234123412341234123412341234)"
            )
            .is_err()
        );
        assert!(parse_227(b"\xff\xfe(\xff,1,1,1,1,1)").is_err());
    }

    #[test]
    fn lpsv_228() {
        assert_eq!(
            parse_228(b"Entering Long Passive Mode (4,4,192,168,0,1,2,8,86)"),
            Ok(ok("192.168.0.1", 2134, "8*256+86 = 2134"))
        );
        let a = parse_228(
            b"Entering Long Passive Mode (6,16,32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1,2,19,137)",
        )
        .unwrap();
        assert_eq!(a.ip, Some("2001:db8::1".parse().unwrap()));
        assert_eq!(a.port, 5001);
        assert!(parse_228(b"Entering Long Passive Mode").is_err());
        assert!(msg(parse_228(b"(5,4,1,2,3,4,2,0,21)")).contains("unknown address family"));
        assert!(parse_228(b"(4,4,1,2,3,4,2,0)").is_err());
    }

    #[test]
    fn epsv_229() {
        let a = parse_229(b"Entering Extended Passive Mode (|||58612|)").unwrap();
        assert_eq!(
            a,
            Announced {
                ip: None,
                port: 58612,
                arithmetic: None
            }
        );
        assert_eq!(
            parse_229(b"Entering Extended Passive Mode (!!!6446!)")
                .unwrap()
                .port,
            6446
        );
        assert_eq!(parse_229(b"(||||6446|)").unwrap().port, 6446);
        assert_eq!(parse_229(b"|||0|").unwrap().port, 0);
        let a = parse_229(b"Entering Extended Passive Mode (|1|10.0.0.5|6446|)").unwrap();
        assert_eq!(a.ip, v4("10.0.0.5"));
        assert_eq!(a.port, 6446);
    }

    #[test]
    fn epsv_229_malformed() {
        assert!(parse_229(b"").is_err());
        assert!(parse_229(b"Entering Extended Passive Mode").is_err());
        assert!(parse_229(b"(|||6446)").is_err());
        assert!(parse_229(b"(||6446|)").is_err());
        assert!(parse_229(b"(|!|6446|)").is_err());
        assert!(parse_229(b"(111644611)").is_err());
        assert_eq!(
            msg(parse_229(b"(|||65536|)")),
            "229: port \"65536\" is more than 65535"
        );
        assert!(
            msg(parse_229(
                b"(|||1234123412341234123412341234123412341234123412341234123412341234|)"
            ))
            .contains("more than 65535")
        );
        assert!(parse_229(b"\xff\xff\xff1\xff").is_err());
        assert!(parse_229(&b"|".repeat(100_000)).is_err());
    }
}
