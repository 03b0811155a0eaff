//! The verb table: everything ftpflow knows about each FTP command, in one row per verb.
//!
//! **Input:** a verb (any case). **Output:** its [`VerbInfo`]: what it does for the session
//! ([`CommandKind`]: login, active or passive setup, transfer and its direction, ...), its
//! meaning in one phrase for the reader, the positive replies that may answer it, and the
//! reply codes that identify it when its line is missing from the capture.
//!
//! **Rules** (RFC 959 §5.4 and the extensions: RFC 2228, 2389, 2428, 1639, 3659, 2640,
//! 7151, 4217): any command may get a transient or permanent negative reply (4xx, 5xx);
//! the positive ones depend on the command. A verb without a row is unknown: any reply may
//! answer it and it has no meaning to show. Adding a verb is adding one row.

use super::command::{ActiveKind, CommandKind, LoginKind, PassiveKind, TransferKind};

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct VerbInfo {
    /// The verb, upper case.
    pub name: &'static str,
    /// Its role in the session.
    pub kind: CommandKind,
    /// Positive replies (1xx-3xx) that may answer it; `None`: any.
    pub replies: Option<&'static [u16]>,
    /// Reply codes that identify this verb alone, when the reply is in the capture and the
    /// command is not (227 can only answer PASV).
    pub identified_by: &'static [u16],
    /// What it does, in one phrase for a student reading a capture.
    pub meaning: &'static str,
}

const fn row(
    name: &'static str,
    kind: CommandKind,
    replies: &'static [u16],
    identified_by: &'static [u16],
    meaning: &'static str,
) -> VerbInfo {
    VerbInfo {
        name,
        kind,
        replies: if replies.is_empty() {
            None
        } else {
            Some(replies)
        },
        identified_by,
        meaning,
    }
}

use CommandKind as K;

/// Every known verb, sorted by name.
pub static VERBS: &[VerbInfo] = &[
    row(
        "ABOR",
        K::Abort,
        &[225, 226],
        &[],
        "abort: stop the transfer in progress and close its data connection",
    ),
    row(
        "ACCT",
        K::Login(LoginKind::Acct),
        &[230, 202],
        &[],
        "send the account name some servers need after the password",
    ),
    row(
        "ADAT",
        K::Other,
        &[235, 335],
        &[],
        "send security data for the authentication exchange (RFC 2228)",
    ),
    row(
        "ALLO",
        K::Other,
        &[200, 202],
        &[],
        "reserve storage on the server before an upload",
    ),
    row(
        "APPE",
        K::Transfer(TransferKind::Appe),
        &[110, 125, 150, 226, 250],
        &[],
        "upload: append the data to a file on the server (create it if missing)",
    ),
    row(
        "AUTH",
        K::Auth,
        &[234, 334],
        &[234],
        "ask to secure the control connection (AUTH TLS starts FTPS)",
    ),
    row(
        "CCC",
        K::Other,
        &[200, 202],
        &[],
        "clear command channel: go back to plain text after TLS",
    ),
    row(
        "CDUP",
        K::Other,
        &[200, 250],
        &[],
        "change to the parent directory",
    ),
    row(
        "CLNT",
        K::Other,
        &[],
        &[],
        "tell the server the name of the client program",
    ),
    row(
        "CWD",
        K::Other,
        &[200, 250],
        &[],
        "change the working directory",
    ),
    row("DELE", K::Other, &[250], &[], "delete a file on the server"),
    row(
        "ENC",
        K::Other,
        &[],
        &[],
        "send a confidentiality-protected command (RFC 2228)",
    ),
    row(
        "EPRT",
        K::ActiveSetup(ActiveKind::Eprt),
        &[200, 202],
        &[],
        "extended active mode: the client says where it listens (IPv4 or IPv6 address and port)",
    ),
    row(
        "EPSV",
        K::PassiveSetup(PassiveKind::Epsv),
        &[229, 200],
        &[229],
        "extended passive mode: ask the server to listen; it answers with a port only",
    ),
    row(
        "FEAT",
        K::Other,
        &[211],
        &[],
        "ask which extensions the server supports",
    ),
    row(
        "HELP",
        K::Other,
        &[211, 214],
        &[],
        "ask for help about the server or a command",
    ),
    row(
        "HOST",
        K::Other,
        &[],
        &[],
        "name the virtual host wanted, before login (RFC 7151)",
    ),
    row(
        "LANG",
        K::Other,
        &[],
        &[],
        "choose the language of the server's messages",
    ),
    row(
        "LIST",
        K::Transfer(TransferKind::List),
        &[110, 125, 150, 226, 250],
        &[],
        "list a directory (or one file) in human-readable form over a data connection",
    ),
    row(
        "LPRT",
        K::ActiveSetup(ActiveKind::Lprt),
        &[200, 202],
        &[],
        "long active mode: the client says where it listens (address of any family)",
    ),
    row(
        "LPSV",
        K::PassiveSetup(PassiveKind::Lpsv),
        &[228],
        &[228],
        "long passive mode: ask the server to listen and say where (any address family)",
    ),
    row(
        "MDTM",
        K::Other,
        &[213],
        &[],
        "ask for a file's last modification time",
    ),
    row(
        "MIC",
        K::Other,
        &[],
        &[],
        "send an integrity-protected command (RFC 2228)",
    ),
    row("MKD", K::Other, &[257], &[], "make a directory"),
    row(
        "MLSD",
        K::Transfer(TransferKind::Mlsd),
        &[110, 125, 150, 226, 250],
        &[],
        "list a directory in machine-readable form over a data connection",
    ),
    row(
        "MLST",
        K::Other,
        &[250],
        &[],
        "describe one file in machine-readable form on the control connection",
    ),
    row(
        "MODE",
        K::Other,
        &[200, 202],
        &[],
        "set the transfer mode (S stream, B block, C compressed)",
    ),
    row(
        "NLST",
        K::Transfer(TransferKind::Nlst),
        &[110, 125, 150, 226, 250],
        &[],
        "list the names in a directory over a data connection",
    ),
    row(
        "NOOP",
        K::Other,
        &[200, 202],
        &[],
        "do nothing; the server just answers OK (keeps the connection alive)",
    ),
    row(
        "OPTS",
        K::Other,
        &[200, 202],
        &[],
        "set options of a command (e.g. OPTS UTF8 ON)",
    ),
    row(
        "PASS",
        K::Login(LoginKind::Pass),
        &[230, 202, 332],
        &[230],
        "send the password (in clear text unless the connection uses TLS)",
    ),
    row(
        "PASV",
        K::PassiveSetup(PassiveKind::Pasv),
        &[227],
        &[227],
        "passive mode: ask the server to listen and say where (IPv4 address and port)",
    ),
    row(
        "PBSZ",
        K::Other,
        &[200, 202],
        &[],
        "set the protection buffer size (sent before PROT with TLS)",
    ),
    row(
        "PORT",
        K::ActiveSetup(ActiveKind::Port),
        &[200, 202],
        &[],
        "active mode: the client says where it listens for the data connection",
    ),
    row(
        "PROT",
        K::Other,
        &[200, 202],
        &[],
        "set data connection protection (C clear, P private with TLS)",
    ),
    row("PWD", K::Other, &[257], &[], "print the working directory"),
    row(
        "QUIT",
        K::Quit,
        &[221, 200],
        &[221],
        "log out and close the control connection",
    ),
    row(
        "REIN",
        K::Other,
        &[120, 220],
        &[],
        "reinitialize: log out but keep the connection open",
    ),
    row(
        "REST",
        K::Rest,
        &[350],
        &[],
        "restart: the next transfer begins at this byte offset",
    ),
    row(
        "RETR",
        K::Transfer(TransferKind::Retr),
        &[110, 125, 150, 226, 250],
        &[],
        "download: retrieve a copy of a file over a data connection",
    ),
    row("RMD", K::Other, &[250], &[], "remove a directory"),
    row(
        "RNFR",
        K::Other,
        &[350],
        &[],
        "rename, step 1: the file to rename",
    ),
    row(
        "RNTO",
        K::Other,
        &[250],
        &[],
        "rename, step 2: the new name",
    ),
    row(
        "SITE",
        K::Other,
        &[200, 202, 214, 250],
        &[],
        "a server-specific command (e.g. SITE CHMOD)",
    ),
    row(
        "SIZE",
        K::Other,
        &[213],
        &[],
        "ask for a file's size in bytes",
    ),
    row(
        "SMNT",
        K::Other,
        &[202, 250],
        &[],
        "mount a different file system structure",
    ),
    row(
        "STAT",
        K::Other,
        &[211, 212, 213],
        &[],
        "ask for status (of the server, or of a file or directory)",
    ),
    row(
        "STOR",
        K::Transfer(TransferKind::Stor),
        &[110, 125, 150, 226, 250],
        &[],
        "upload: store a file on the server over a data connection",
    ),
    row(
        "STOU",
        K::Transfer(TransferKind::Stou),
        &[110, 125, 150, 226, 250],
        &[],
        "upload under a name the server makes unique",
    ),
    row(
        "STRU",
        K::Other,
        &[200, 202],
        &[],
        "set the file structure (F file, R record, P page)",
    ),
    row(
        "SYST",
        K::Other,
        &[215],
        &[215],
        "ask which operating system type the server runs",
    ),
    row(
        "TYPE",
        K::Other,
        &[200, 202],
        &[],
        "set the data type (A ASCII, I binary/image, E EBCDIC)",
    ),
    row(
        "USER",
        K::Login(LoginKind::User),
        &[230, 331, 332, 232],
        &[331],
        "send the user name: starts a login",
    ),
    row(
        "XCUP",
        K::Other,
        &[200, 250],
        &[],
        "old alias of CDUP: change to the parent directory",
    ),
    row(
        "XCWD",
        K::Other,
        &[200, 250],
        &[],
        "old alias of CWD: change the working directory",
    ),
    row(
        "XMKD",
        K::Other,
        &[257],
        &[],
        "old alias of MKD: make a directory",
    ),
    row(
        "XPWD",
        K::Other,
        &[257],
        &[],
        "old alias of PWD: print the working directory",
    ),
    row(
        "XRMD",
        K::Other,
        &[250],
        &[],
        "old alias of RMD: remove a directory",
    ),
];

/// The row of `verb` (any case), if it is a known command.
pub fn lookup(verb: &str) -> Option<&'static VerbInfo> {
    let mut buf = [0u8; 4];
    let bytes = verb.as_bytes();
    if bytes.len() > buf.len() || bytes.len() < 3 {
        return None;
    }
    for (slot, b) in buf.iter_mut().zip(bytes) {
        *slot = b.to_ascii_uppercase();
    }
    let upper = buf.get(..bytes.len())?;
    VERBS
        .binary_search_by(|v| v.name.as_bytes().cmp(upper))
        .ok()
        .and_then(|i| VERBS.get(i))
}

/// Could `code` be a reply to `verb`? Every command may get a negative reply (4xx, 5xx);
/// the positive ones are the row's. Unknown verbs accept anything.
pub fn reply_fits(verb: &str, code: u16) -> bool {
    if code >= 400 {
        return true;
    }
    match lookup(verb).and_then(|v| v.replies) {
        Some(replies) => replies.contains(&code),
        None => true,
    }
}

/// The verb of a command the capture lost, told by the reply that answered it: `227` can
/// only answer PASV, `150 Here comes the directory listing` a LIST. `None` when the code
/// could answer several commands (200, 250, 550...).
///
/// Transfer replies (125, 150, 226, 425, 426) name a transfer command; its verb comes from
/// the text where servers say it (listing, "ok to send data"), else RETR, which the data
/// connection may later correct (see the session).
pub fn verb_for_reply(code: u16, text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let has = |w: &str| lower.contains(w);
    match code {
        125 | 150 | 226 | 425 | 426 => Some(if has("list") || has("director") {
            "LIST"
        } else if has("ok to send") || has("stor") || has("upload") || has("receiv") {
            "STOR"
        } else {
            "RETR"
        }),
        // SIZE answers a number of bytes, MDTM a YYYYMMDDHHMMSS time.
        213 => {
            let t = text.trim();
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            match (digits, t.len()) {
                (0, _) => None,
                (14, _) if t.len() == 14 || t.as_bytes().get(14) == Some(&b'.') => Some("MDTM"),
                (d, n) if d == n => Some("SIZE"),
                _ => None,
            }
        }
        257 if has("creat") => Some("MKD"),
        257 => Some("PWD"),
        350 if has("restart") || has("rest ") => Some("REST"),
        350 if has("rnto") || has("rename") || has("exists") => Some("RNFR"),
        211 if has("feature") || has("extension") => Some("FEAT"),
        _ => {
            let mut found = VERBS.iter().filter(|v| v.identified_by.contains(&code));
            let first = found.next()?;
            found.next().is_none().then_some(first.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_every_row_is_found() {
        for pair in VERBS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} {}",
                pair[0].name,
                pair[1].name
            );
        }
        for v in VERBS {
            assert_eq!(lookup(v.name).map(|r| r.name), Some(v.name));
            assert_eq!(
                lookup(&v.name.to_ascii_lowercase()).map(|r| r.name),
                Some(v.name)
            );
            assert!(!v.meaning.is_empty());
        }
        assert!(lookup("XYZZY").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn positive_replies_depend_on_the_command() {
        assert!(reply_fits("PASV", 227));
        assert!(!reply_fits("PASV", 150));
        assert!(reply_fits("retr", 150));
        assert!(!reply_fits("USER", 257));
        assert!(reply_fits("USER", 530));
        assert!(reply_fits("XYZZY", 299));
    }

    #[test]
    fn replies_that_name_their_command() {
        assert_eq!(
            verb_for_reply(227, "Entering Passive Mode (1,2,3,4,5,6)"),
            Some("PASV")
        );
        assert_eq!(
            verb_for_reply(229, "Entering Extended Passive Mode (|||5000|)"),
            Some("EPSV")
        );
        assert_eq!(
            verb_for_reply(331, "Please specify the password."),
            Some("USER")
        );
        assert_eq!(
            verb_for_reply(150, "Here comes the directory listing."),
            Some("LIST")
        );
        assert_eq!(verb_for_reply(150, "Ok to send data."), Some("STOR"));
        assert_eq!(
            verb_for_reply(
                150,
                "Opening BINARY mode data connection for a.bin (5 bytes)."
            ),
            Some("RETR")
        );
        assert_eq!(verb_for_reply(213, "262144"), Some("SIZE"));
        assert_eq!(verb_for_reply(213, "20240102030405"), Some("MDTM"));
        assert_eq!(
            verb_for_reply(257, "\"/home\" is the current directory"),
            Some("PWD")
        );
        assert_eq!(verb_for_reply(221, "Goodbye."), Some("QUIT"));
        assert_eq!(verb_for_reply(200, "Command okay."), None);
        assert_eq!(verb_for_reply(250, "Directory successfully changed."), None);
        assert_eq!(verb_for_reply(550, "No such file."), None);
    }
}
