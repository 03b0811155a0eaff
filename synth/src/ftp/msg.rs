//! FTP commands and replies as bytes on the wire, plus the facts the truth needs about them
//! (an endpoint a PORT announces, a size a 150 announces, a name a STOU reply gives).
//!
//! The bytes are exactly what the caller asked for: `Cmd::new("pwd", None)` sends
//! `pwd\r\n` (the truth says `PWD`); `Cmd::new("PORT", Some("192, 168, 0, 27, 43, 103"))`
//! keeps its spaces. Endpoint formatting follows RFC 959 (PORT, 227), RFC 1639 (LPRT, 228)
//! and RFC 2428 (EPRT, 229).

use std::net::{IpAddr, SocketAddr, SocketAddrV4};

/// Line ending: CRLF (RFC 959) or the bare LF some clients and servers send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Eol {
    #[default]
    CrLf,
    Lf,
}

impl Eol {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Eol::CrLf => b"\r\n",
            Eol::Lf => b"\n",
        }
    }
}

/// A command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cmd {
    /// As typed (`pwd`, `PWD`); the truth upper-cases it.
    pub verb: String,
    pub arg: Option<String>,
    pub eol: Eol,
    /// The data endpoint this command announces (PORT/EPRT/LPRT), when it parses.
    pub endpoint: Option<SocketAddr>,
}

impl Cmd {
    pub fn new(verb: &str, arg: Option<&str>) -> Cmd {
        Cmd {
            verb: verb.to_string(),
            arg: arg.map(str::to_string),
            eol: Eol::CrLf,
            endpoint: None,
        }
    }

    /// `PORT h1,h2,h3,h4,p1,p2`.
    pub fn port(ep: SocketAddrV4) -> Cmd {
        Cmd::new("PORT", Some(&hostport(ep))).with_endpoint(ep.into())
    }

    /// `EPRT |1|192.0.2.1|5282|` or `EPRT |2|2001:db8::1|5282|`.
    pub fn eprt(ep: SocketAddr) -> Cmd {
        let af = if ep.is_ipv4() { 1 } else { 2 };
        Cmd::new("EPRT", Some(&format!("|{af}|{}|{}|", ep.ip(), ep.port()))).with_endpoint(ep)
    }

    /// `LPRT 4,4,h1,h2,h3,h4,2,p1,p2` (or the 6,16,... IPv6 form).
    pub fn lprt(ep: SocketAddr) -> Cmd {
        Cmd::new("LPRT", Some(&long_hostport(ep))).with_endpoint(ep)
    }

    pub fn with_endpoint(mut self, ep: SocketAddr) -> Cmd {
        self.endpoint = Some(ep);
        self
    }

    /// Ends the line with a bare LF.
    pub fn lf(mut self) -> Cmd {
        self.eol = Eol::Lf;
        self
    }

    /// The verb as the truth names it.
    pub fn name(&self) -> String {
        self.verb.to_ascii_uppercase()
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut b = self.verb.as_bytes().to_vec();
        if let Some(a) = &self.arg {
            b.push(b' ');
            b.extend_from_slice(a.as_bytes());
        }
        b.extend_from_slice(self.eol.bytes());
        b
    }
}

/// The data endpoint a passive-mode reply announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyEndpoint {
    Addr(SocketAddr),
    /// EPSV's `(|||port|)`: the port on the control connection's server address.
    ServerPort(u16),
}

/// A reply, single- or multi-line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// Multi-line replies: the text of the `NNN-` first line, then the middle lines as sent.
    pub first: Option<String>,
    pub middle: Vec<String>,
    /// Text of the last (or only) line; `None` sends the bare code (`221\r\n`).
    pub text: Option<String>,
    pub eol: Eol,
    pub endpoint: Option<ReplyEndpoint>,
    /// A size this reply announces (`150 ... (2052 bytes)`, or a 213 to SIZE).
    pub announced_size: Option<u64>,
    /// The name a STOU reply says the file was stored as.
    pub stored_as: Option<String>,
}

impl Reply {
    pub fn new(code: u16, text: &str) -> Reply {
        Reply {
            code,
            first: None,
            middle: Vec::new(),
            text: Some(text.to_string()),
            eol: Eol::CrLf,
            endpoint: None,
            announced_size: None,
            stored_as: None,
        }
    }

    /// The code alone, no text.
    pub fn bare(code: u16) -> Reply {
        Reply {
            text: None,
            ..Reply::new(code, "")
        }
    }

    /// `NNN-first`, the middle lines verbatim, `NNN last`.
    pub fn multi(code: u16, first: &str, middle: &[&str], last: &str) -> Reply {
        Reply {
            first: Some(first.to_string()),
            middle: middle.iter().map(|s| s.to_string()).collect(),
            ..Reply::new(code, last)
        }
    }

    /// `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`.
    pub fn pasv(ep: SocketAddrV4) -> Reply {
        Reply::new(227, &format!("Entering Passive Mode ({})", hostport(ep)))
            .with_endpoint(ep.into())
    }

    /// `228 Entering Long Passive Mode (4,4,...,2,p1,p2)`.
    pub fn lpsv(ep: SocketAddr) -> Reply {
        Reply::new(
            228,
            &format!("Entering Long Passive Mode ({})", long_hostport(ep)),
        )
        .with_endpoint(ep)
    }

    /// `229 Entering Extended Passive Mode (|||port|)` with any delimiter.
    pub fn epsv(port: u16, delim: char) -> Reply {
        let d = delim;
        let mut r = Reply::new(
            229,
            &format!("Entering Extended Passive Mode ({d}{d}{d}{port}{d})"),
        );
        r.endpoint = Some(ReplyEndpoint::ServerPort(port));
        r
    }

    pub fn with_endpoint(mut self, ep: SocketAddr) -> Reply {
        self.endpoint = Some(ReplyEndpoint::Addr(ep));
        self
    }

    /// Records that the text announces `size` bytes (the caller wrote it into the text).
    pub fn announcing(mut self, size: u64) -> Reply {
        debug_assert!(
            self.text
                .as_deref()
                .is_some_and(|t| t.contains(&size.to_string()))
        );
        self.announced_size = Some(size);
        self
    }

    /// Records the name a STOU reply gives (the caller wrote it into the text).
    pub fn storing(mut self, name: &str) -> Reply {
        self.stored_as = Some(name.to_string());
        self
    }

    pub fn lf(mut self) -> Reply {
        self.eol = Eol::Lf;
        self
    }

    pub fn is_final(&self) -> bool {
        self.code >= 200
    }

    /// Text of the last line, as the truth reports it.
    pub fn last_text(&self) -> String {
        self.text.clone().unwrap_or_default()
    }

    pub fn bytes(&self) -> Vec<u8> {
        let eol = self.eol.bytes();
        let mut b = Vec::new();
        if let Some(first) = &self.first {
            b.extend_from_slice(format!("{}-{first}", self.code).as_bytes());
            b.extend_from_slice(eol);
            for m in &self.middle {
                b.extend_from_slice(m.as_bytes());
                b.extend_from_slice(eol);
            }
        }
        b.extend_from_slice(self.code.to_string().as_bytes());
        if let Some(t) = &self.text {
            b.push(b' ');
            b.extend_from_slice(t.as_bytes());
        }
        b.extend_from_slice(eol);
        b
    }
}

/// `h1,h2,h3,h4,p1,p2` (RFC 959).
pub fn hostport(ep: SocketAddrV4) -> String {
    let o = ep.ip().octets();
    format!(
        "{},{},{},{},{},{}",
        o[0],
        o[1],
        o[2],
        o[3],
        ep.port() >> 8,
        ep.port() & 0xff
    )
}

/// `af,hal,h1,...,pal,p1,p2` (RFC 1639): `4,4,...` for IPv4, `6,16,...` for IPv6.
pub fn long_hostport(ep: SocketAddr) -> String {
    let (af, addr): (u8, Vec<u8>) = match ep.ip() {
        IpAddr::V4(v4) => (4, v4.octets().to_vec()),
        IpAddr::V6(v6) => (6, v6.octets().to_vec()),
    };
    let mut parts = vec![af.to_string(), addr.len().to_string()];
    parts.extend(addr.iter().map(|b| b.to_string()));
    parts.extend([
        "2".to_string(),
        (ep.port() >> 8).to_string(),
        (ep.port() & 0xff).to_string(),
    ]);
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_exact_bytes() {
        assert_eq!(
            Cmd::port("192.168.9.186:55438".parse().unwrap()).bytes(),
            b"PORT 192,168,9,186,216,142\r\n"
        );
        assert_eq!(Cmd::new("pwd", None).lf().bytes(), b"pwd\n");
        assert_eq!(Cmd::new("pwd", None).name(), "PWD");
        assert_eq!(
            Cmd::eprt("[2001:db8::5]:6446".parse().unwrap()).bytes(),
            b"EPRT |2|2001:db8::5|6446|\r\n"
        );
        assert_eq!(
            Cmd::lprt("10.1.2.3:258".parse().unwrap()).bytes(),
            b"LPRT 4,4,10,1,2,3,2,1,2\r\n"
        );
    }

    #[test]
    fn replies_are_exact_bytes() {
        assert_eq!(
            Reply::pasv("192.168.0.129:43738".parse().unwrap()).bytes(),
            b"227 Entering Passive Mode (192,168,0,129,170,218)\r\n"
        );
        assert_eq!(
            Reply::epsv(6446, '!').bytes(),
            b"229 Entering Extended Passive Mode (!!!6446!)\r\n"
        );
        assert_eq!(Reply::bare(221).bytes(), b"221\r\n");
        assert_eq!(
            Reply::multi(211, "Features:", &[" MDTM", " SIZE"], "End").bytes(),
            b"211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n"
        );
    }
}
