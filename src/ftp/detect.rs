//! FTP on any port: is this connection an FTP control connection, judging by its first
//! bytes?
//!
//! **Input:** the first bytes each side sent (in order, as far as the capture holds them).
//! **Output:** a [`Verdict`]: FTP (and which side is the server), not FTP, or not yet known.
//!
//! **Rules** (like Zeek's dynamic protocol detection, narrowed to what only FTP does):
//! * a server greeting (`220 ` or `220-`) answered by a client command that opens an FTP
//!   session: USER, AUTH, FEAT, OPTS or SYST. SMTP also greets with 220, but its client
//!   opens with EHLO or HELO: not FTP;
//! * a client opening with one of those commands before any greeting (a capture that lost
//!   or cut the greeting), answered by a server line with an FTP reply code. POP3 and IRC
//!   also know USER, but their servers answer `+OK` or `:server ...`: not FTP;
//! * anything else decides "not FTP" as soon as a first line is complete, or after
//!   [`SNIFF_BYTES`] bytes without a decision. TLS (`16 03 ..`) is not FTP here: implicit
//!   FTPS is recognised by its port.

use super::reply::{ReplyLine, parse_reply_line};

/// First bytes of each side looked at, at most.
pub const SNIFF_BYTES: usize = 512;

/// Client commands that open an FTP session.
const OPENING: &[&str] = &["USER", "AUTH", "FEAT", "OPTS", "SYST"];

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not decided yet: more bytes are needed.
    Undecided,
    /// Not an FTP control connection (or TLS, which only the port can tell).
    NotFtp,
    /// An FTP control connection.
    Ftp {
        /// The server's side: 0 for the connection's initiator, 1 for its responder.
        server: usize,
    },
}

/// The first complete line of `bytes`, without its line end.
fn first_line(bytes: &[u8]) -> Option<&[u8]> {
    let end = bytes.iter().position(|&b| b == b'\n')?;
    let line = &bytes[..end];
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

/// The verb of a command line, upper case, if it is one of the opening commands.
fn opening_command(line: &[u8]) -> Option<&'static str> {
    let verb = line.split(|&b| b == b' ').next()?;
    OPENING
        .iter()
        .find(|v| verb.eq_ignore_ascii_case(v.as_bytes()))
        .copied()
}

fn is_greeting(bytes: &[u8]) -> bool {
    bytes.starts_with(b"220 ") || bytes.starts_with(b"220-")
}

fn is_reply(line: &[u8]) -> bool {
    !matches!(parse_reply_line(line), ReplyLine::Other(_))
}

fn looks_like_tls(bytes: &[u8]) -> bool {
    matches!(bytes, [0x14..=0x17, 3, ..])
}

/// Judges a connection by the first bytes of its initiator (`first[0]`) and responder.
pub fn judge(first: [&[u8]; 2]) -> Verdict {
    if first.iter().any(|b| looks_like_tls(b)) {
        return Verdict::NotFtp;
    }
    for server in 0..2 {
        let (s, c) = (first[server], first[1 - server]);
        if is_greeting(s) {
            return match first_line(c) {
                Some(line) if opening_command(line).is_some() => Verdict::Ftp { server },
                Some(_) => Verdict::NotFtp,
                None if c.len() >= SNIFF_BYTES => Verdict::NotFtp,
                None => Verdict::Undecided,
            };
        }
    }
    for client in 0..2 {
        let (c, s) = (first[client], first[1 - client]);
        if let Some(line) = first_line(c)
            && opening_command(line).is_some()
        {
            return match first_line(s) {
                Some(reply) if is_reply(reply) => Verdict::Ftp { server: 1 - client },
                Some(_) => Verdict::NotFtp,
                None if s.len() >= SNIFF_BYTES => Verdict::NotFtp,
                None => Verdict::Undecided,
            };
        }
    }
    // A complete first line that opens nothing FTP knows, or too many bytes.
    let decided = first
        .iter()
        .any(|b| first_line(b).is_some() || b.len() >= SNIFF_BYTES);
    if decided {
        Verdict::NotFtp
    } else {
        Verdict::Undecided
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftp_greeting_answered_by_an_opening_command() {
        let v = judge([b"USER anonymous\r\n", b"220 ProFTPD ready\r\n"]);
        assert_eq!(v, Verdict::Ftp { server: 1 });
        let v = judge([b"AUTH TLS\r\n", b"220-FileZilla Server\r\n220-more\r\n"]);
        assert_eq!(v, Verdict::Ftp { server: 1 });
        // Before the client spoke.
        assert_eq!(judge([b"", b"220 hi\r\n"]), Verdict::Undecided);
        assert_eq!(judge([b"FE", b"220 hi\r\n"]), Verdict::Undecided);
    }

    #[test]
    fn smtp_http_pop3_irc_and_tls_are_not_ftp() {
        assert_eq!(
            judge([b"EHLO client.example\r\n", b"220 mail.example ESMTP\r\n"]),
            Verdict::NotFtp
        );
        assert_eq!(
            judge([b"HELO x\r\n", b"220 mail.example ESMTP\r\n"]),
            Verdict::NotFtp
        );
        assert_eq!(
            judge([b"GET / HTTP/1.1\r\nHost: x\r\n", b""]),
            Verdict::NotFtp
        );
        assert_eq!(
            judge([b"USER bob\r\n", b"+OK POP3 ready\r\n"]),
            Verdict::NotFtp
        );
        assert_eq!(
            judge([b"USER bob 0 * :Bob\r\n", b":irc.example NOTICE * :hi\r\n"]),
            Verdict::NotFtp
        );
        assert_eq!(judge([b"\x16\x03\x01\x02\x00", b""]), Verdict::NotFtp);
        assert_eq!(judge([&[b'x'; SNIFF_BYTES], b""]), Verdict::NotFtp);
    }

    #[test]
    fn a_client_opening_without_a_captured_greeting() {
        assert_eq!(
            judge([b"USER alice\r\n", b"331 Password required\r\n"]),
            Verdict::Ftp { server: 1 }
        );
        assert_eq!(judge([b"SYST\r\n", b""]), Verdict::Undecided);
    }
}
