//! FTP command lines (client -> server).
//!
//! **Input:** one line of the client's stream, as produced by the line splitter (no CR LF,
//! Telnet commands removed).
//!
//! **Output:** a [`Command`]: the verb (uppercased, stored inline, no allocation), the verb
//! as sent, and the argument as a slice of the line; plus the verb's role in a transfer
//! ([`kind`], [`transfer_direction`]).
//!
//! **Rules** (RFC 959 §5.3): a command is `<verb>[<SP><argument>]`. Verbs are
//! case-insensitive. The argument is exactly the bytes after the first space, kept as sent
//! (further spaces, trailing spaces, any bytes), because a file name may contain them. A
//! verb of 1 to 8 ASCII letters is well formed (standard verbs have 3 or 4; 8 leaves room
//! for extensions); anything else is still returned, cut to 8 printable bytes, with
//! `well_formed: false`.

use serde::{Serialize, Serializer};
use std::fmt;

/// A command verb, uppercased and stored inline (at most [`Verb::MAX_LEN`] bytes).
///
/// Always ASCII: bytes that are not printable ASCII are replaced by `?`. Compares equal to
/// a `&str` ignoring ASCII case, so `verb == "RETR"` and `verb == "retr"` both work.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Verb {
    bytes: [u8; Verb::MAX_LEN],
    len: u8,
}

impl Verb {
    /// Longest verb kept.
    pub const MAX_LEN: usize = 8;

    /// Builds a verb from the first token of a command line: cut to 8 bytes, uppercased,
    /// bytes that are not printable ASCII shown as `?`.
    ///
    /// Wire example: the `retr` of `retr temp.txt` becomes `RETR`.
    pub fn new(token: &[u8]) -> Verb {
        let mut bytes = [0u8; Verb::MAX_LEN];
        let mut len = 0u8;
        for (slot, &b) in bytes.iter_mut().zip(token) {
            *slot = if b.is_ascii_graphic() {
                b.to_ascii_uppercase()
            } else {
                b'?'
            };
            len += 1;
        }
        Verb { bytes, len }
    }

    /// The verb as text.
    pub fn as_str(&self) -> &str {
        let used = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Only printable ASCII is ever stored, so this cannot fail.
        std::str::from_utf8(used).unwrap_or_default()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True for the empty verb (an empty line, or a line starting with a space).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verb({:?})", self.as_str())
    }
}

impl PartialEq<str> for Verb {
    fn eq(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for Verb {
    fn eq(&self, other: &&str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl PartialEq<Verb> for str {
    fn eq(&self, other: &Verb) -> bool {
        other == self
    }
}

impl PartialEq<Verb> for &str {
    fn eq(&self, other: &Verb) -> bool {
        other == *self
    }
}

impl Serialize for Verb {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One parsed command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    /// The verb, uppercased, at most 8 bytes.
    pub verb: Verb,
    /// The first token exactly as sent (any case, any length).
    pub verb_raw: &'a [u8],
    /// The bytes after the single space that follows the verb, exactly as sent;
    /// `None` when the line has no space, `Some(b"")` for `CWD ` .
    pub arg: Option<&'a [u8]>,
    /// The verb is 1 to 8 ASCII letters.
    pub well_formed: bool,
}

/// Splits a command line into verb and argument.
///
/// Wire example: `PORT 192,168,120,168,200,100` gives verb `PORT` and argument
/// `192,168,120,168,200,100`.
pub fn parse_command(line: &[u8]) -> Command<'_> {
    let (verb_raw, arg) = match line.iter().position(|&b| b == b' ') {
        Some(p) => {
            let (verb, rest) = line.split_at(p);
            (verb, Some(rest.get(1..).unwrap_or_default()))
        }
        None => (line, None),
    };
    let well_formed = !verb_raw.is_empty()
        && verb_raw.len() <= Verb::MAX_LEN
        && verb_raw.iter().all(u8::is_ascii_alphabetic);
    Command {
        verb: Verb::new(verb_raw),
        verb_raw,
        arg,
        well_formed,
    }
}

/// Login commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginKind {
    /// `USER`: the user name.
    User,
    /// `PASS`: the password.
    Pass,
    /// `ACCT`: account information.
    Acct,
}

/// Active-mode setup: the client announces where it listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActiveKind {
    /// `PORT h1,h2,h3,h4,p1,p2` (RFC 959, IPv4 only).
    Port,
    /// `EPRT |af|addr|port|` (RFC 2428, IPv4 or IPv6).
    Eprt,
    /// `LPRT af,hal,h1,...,pal,p1,p2` (RFC 1639, long addresses).
    Lprt,
}

/// Passive-mode setup: the client asks the server to listen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassiveKind {
    /// `PASV`, answered by 227 (RFC 959, IPv4 only).
    Pasv,
    /// `EPSV`, answered by 229 with a port only (RFC 2428).
    Epsv,
    /// `LPSV`, answered by 228 (RFC 1639).
    Lpsv,
}

/// Commands that move data over a data connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferKind {
    /// `RETR`: download a file.
    Retr,
    /// `STOR`: upload a file.
    Stor,
    /// `STOU`: upload under a name the server chooses.
    Stou,
    /// `APPE`: upload, appending to a file.
    Appe,
    /// `LIST`: directory listing, human-readable.
    List,
    /// `NLST`: directory listing, names only.
    Nlst,
    /// `MLSD`: directory listing, machine-readable (RFC 3659).
    Mlsd,
}

impl TransferKind {
    /// Which way the data flows.
    pub fn direction(self) -> Direction {
        transfer_direction(self)
    }
}

/// What a command does, as far as the session tracker cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// `USER`, `PASS` or `ACCT`.
    Login(LoginKind),
    /// `PORT`, `EPRT` or `LPRT`: the client announces a data endpoint.
    ActiveSetup(ActiveKind),
    /// `PASV`, `EPSV` or `LPSV`: the client asks the server for one.
    PassiveSetup(PassiveKind),
    /// A command that moves data over a data connection.
    Transfer(TransferKind),
    /// `REST`: the next transfer starts at an offset.
    Rest,
    /// `ABOR`: abort the transfer in progress.
    Abort,
    /// `AUTH`: switch the control connection to TLS (or another security mechanism).
    Auth,
    /// `QUIT`: end the session.
    Quit,
    /// Any other verb, known or not.
    Other,
}

/// The role of a verb (`RETR` -> `Transfer(Retr)`, `EPSV` -> `PassiveSetup(Epsv)`).
///
/// Wire example: the verb of `EPRT |2|2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1|34325|` is
/// `ActiveSetup(Eprt)`.
pub fn kind(verb: Verb) -> CommandKind {
    super::verbs::lookup(verb.as_str()).map_or(CommandKind::Other, |v| v.kind)
}

/// Which way a transfer's data flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Server to client: a file (RETR).
    Download,
    /// Client to server (STOR, STOU, APPE).
    Upload,
    /// Server to client: a directory listing (LIST, NLST, MLSD).
    Listing,
}

impl Direction {
    /// `download`, `upload` or `listing` (the JSON spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Download => "download",
            Direction::Upload => "upload",
            Direction::Listing => "listing",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way the data of a transfer command flows.
///
/// Takes the transfer kind rather than any [`CommandKind`], so that every input has an
/// answer. Wire example: `STOR 404.htm` -> [`Direction::Upload`].
pub fn transfer_direction(kind: TransferKind) -> Direction {
    match kind {
        TransferKind::Retr => Direction::Download,
        TransferKind::Stor | TransferKind::Stou | TransferKind::Appe => Direction::Upload,
        TransferKind::List | TransferKind::Nlst | TransferKind::Mlsd => Direction::Listing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_commands() {
        let c = parse_command(b"USER anonymous");
        assert_eq!(c.verb, "USER");
        assert_eq!(c.verb_raw, b"USER");
        assert_eq!(c.arg, Some(&b"anonymous"[..]));
        assert!(c.well_formed);

        let c = parse_command(b"PASV");
        assert_eq!(c.verb.as_str(), "PASV");
        assert_eq!(c.arg, None);
        assert!(c.well_formed);

        let c = parse_command(b"PORT 192,168,0,27,43,103");
        assert_eq!(c.arg, Some(&b"192,168,0,27,43,103"[..]));
        assert_eq!(kind(c.verb), CommandKind::ActiveSetup(ActiveKind::Port));
    }

    #[test]
    fn case_insensitive_verb_uppercased() {
        let c = parse_command(b"retr temp.txt");
        assert_eq!(c.verb.as_str(), "RETR");
        assert_eq!(c.verb_raw, b"retr");
        assert_eq!(c.verb, "retr");
        assert!("RETR" == c.verb);
        assert_eq!(c.verb.to_string(), "RETR");
        assert_eq!(format!("{:?}", c.verb), "Verb(\"RETR\")");
        assert_eq!(kind(c.verb), CommandKind::Transfer(TransferKind::Retr));
    }

    #[test]
    fn argument_is_exact() {
        // Empty argument after the space.
        let c = parse_command(b"CWD ");
        assert_eq!(c.arg, Some(&b""[..]));
        // Further and trailing spaces are kept: they can be part of a file name.
        let c = parse_command(b"STOR  two  spaces ");
        assert_eq!(c.arg, Some(&b" two  spaces "[..]));
        // Non-UTF-8 bytes are kept as is.
        let c = parse_command(b"RETR \xd0\xc2\xce\xc4\xbc\xfe.txt");
        assert_eq!(c.arg, Some(&b"\xd0\xc2\xce\xc4\xbc\xfe.txt"[..]));
        // EPRT with IPv6 (suricata detect-ftp active dynamic port).
        let c = parse_command(b"EPRT |2|2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1|34325|");
        assert_eq!(
            c.arg,
            Some(&b"|2|2601:191:8500:2e00:7c0f:78e0:dc5b:f7c1|34325|"[..])
        );
        assert_eq!(kind(c.verb), CommandKind::ActiveSetup(ActiveKind::Eprt));
    }

    #[test]
    fn malformed_verbs() {
        let c = parse_command(b"");
        assert!(c.verb.is_empty() && !c.well_formed && c.arg.is_none());

        let c = parse_command(b" USER x");
        assert!(c.verb.is_empty() && !c.well_formed);
        assert_eq!(c.arg, Some(&b"USER x"[..]));

        let c = parse_command(b"AAAAAAAAAAAAAAAAAAAA");
        assert_eq!(c.verb.as_str(), "AAAAAAAA");
        assert_eq!(c.verb.len(), 8);
        assert_eq!(c.verb_raw.len(), 20);
        assert!(!c.well_formed);

        let c = parse_command(b"\xff\x00ab1 x");
        assert_eq!(c.verb.as_str(), "??AB1");
        assert!(!c.well_formed);
        assert_eq!(kind(c.verb), CommandKind::Other);

        let c = parse_command(b"220 (vsFTPd 2.3.5)");
        assert!(!c.well_formed);
        assert_eq!(c.verb.as_str(), "220");

        let c = parse_command(b"XCRC\tfile");
        assert!(!c.well_formed);
        assert_eq!(c.verb.as_str(), "XCRC?FIL");
    }

    #[test]
    fn kinds_and_directions() {
        let cases: &[(&str, CommandKind)] = &[
            ("USER", CommandKind::Login(LoginKind::User)),
            ("PASS", CommandKind::Login(LoginKind::Pass)),
            ("ACCT", CommandKind::Login(LoginKind::Acct)),
            ("EPRT", CommandKind::ActiveSetup(ActiveKind::Eprt)),
            ("LPRT", CommandKind::ActiveSetup(ActiveKind::Lprt)),
            ("PASV", CommandKind::PassiveSetup(PassiveKind::Pasv)),
            ("epsv", CommandKind::PassiveSetup(PassiveKind::Epsv)),
            ("LPSV", CommandKind::PassiveSetup(PassiveKind::Lpsv)),
            ("STOR", CommandKind::Transfer(TransferKind::Stor)),
            ("STOU", CommandKind::Transfer(TransferKind::Stou)),
            ("APPE", CommandKind::Transfer(TransferKind::Appe)),
            ("LIST", CommandKind::Transfer(TransferKind::List)),
            ("NLST", CommandKind::Transfer(TransferKind::Nlst)),
            ("MLSD", CommandKind::Transfer(TransferKind::Mlsd)),
            ("REST", CommandKind::Rest),
            ("ABOR", CommandKind::Abort),
            ("AUTH", CommandKind::Auth),
            ("QUIT", CommandKind::Quit),
            ("MLST", CommandKind::Other),
            ("SIZE", CommandKind::Other),
        ];
        for (v, k) in cases {
            assert_eq!(kind(Verb::new(v.as_bytes())), *k, "{v}");
        }
        assert_eq!(transfer_direction(TransferKind::Retr), Direction::Download);
        assert_eq!(TransferKind::Appe.direction(), Direction::Upload);
        assert_eq!(transfer_direction(TransferKind::Stou), Direction::Upload);
        assert_eq!(transfer_direction(TransferKind::Mlsd), Direction::Listing);
        assert_eq!(Direction::Listing.to_string(), "listing");
        assert_eq!(
            serde_json::to_string(&Direction::Download).unwrap(),
            "\"download\""
        );
        assert_eq!(
            serde_json::to_string(&Verb::new(b"mlsd")).unwrap(),
            "\"MLSD\""
        );
    }
}
