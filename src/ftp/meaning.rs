//! What reply codes and commands mean, in one short phrase each.
//!
//! **Input:** a reply code, or a command verb (whose phrase lives in the verb table).
//!
//! **Output:** a static phrase written for a student reading a capture.
//!
//! **Rules:** codes and commands from RFC 959 (the base protocol and seed 003's tables),
//! RFC 2228 (security: AUTH, ADAT, PROT, 6xx), RFC 2428 (EPRT/EPSV, 229, 522), RFC 1639
//! (LPRT/LPSV, 228), RFC 3659 (SIZE, MDTM, MLST/MLSD, REST STREAM), RFC 2389 (FEAT/OPTS),
//! RFC 2640 (LANG), RFC 7151 (HOST), and common practice (CLNT, the X* aliases, 430,
//! 434). A reply code without an entry gets the meaning of its class (first digit); a
//! command without an entry gets `None`.

/// The meaning of a reply code.
///
/// Wire example: `227 Entering Passive Mode (192,168,0,129,170,218)` -> "passive mode: the
/// server says where it listens for the data connection".
pub fn reply_meaning(code: u16) -> &'static str {
    specific_reply_meaning(code).unwrap_or_else(|| class_meaning(code))
}

/// The meaning of the codes that have their own entry.
fn specific_reply_meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        110 => "restart marker: where an interrupted transfer can be resumed",
        120 => "service not ready yet: try again in the given number of minutes",
        125 => "data connection already open: the transfer starts",
        150 => "file status okay: the data connection is about to open",
        200 => "command okay",
        202 => "command not implemented: it is not needed on this server",
        211 => "system status, or help about the server",
        212 => "directory status",
        213 => "file status (for SIZE: the size in bytes; for MDTM: the modification time)",
        214 => "help message for a human reader",
        215 => "system type (the NAME of the operating system)",
        220 => "service ready for a new user: the server's greeting",
        221 => "goodbye: the server closes the control connection",
        225 => "data connection open, no transfer in progress",
        226 => "transfer complete: the server closes the data connection",
        227 => "passive mode: the server says where it listens for the data connection",
        228 => "long passive mode: the server says where it listens (address of any family)",
        229 => {
            "extended passive mode: the server gives the port it listens on; the address is the control connection's"
        }
        230 => "user logged in",
        231 => "user logged out",
        232 => "user logged in, authorized by the security exchange",
        234 => "security mechanism accepted (AUTH): the TLS or security handshake starts now",
        235 => "security data exchange complete",
        250 => "requested file action okay, completed",
        257 => "path name created or reported (the path is in quotes)",
        331 => "user name okay: the password is needed",
        332 => "an account is needed to log in",
        334 => "security mechanism accepted: security data is needed next",
        335 => "security data accepted: more is needed",
        336 => "user name okay: the password is needed, answer the challenge given",
        350 => {
            "requested file action pending: the next command (e.g. RNTO, or the transfer after REST) completes it"
        }
        421 => "service not available: the server closes the control connection",
        425 => "cannot open the data connection",
        426 => "connection closed: the transfer was aborted",
        430 => "invalid user name or password",
        431 => "the security request needs a resource that is not available",
        434 => "requested host unavailable",
        450 => "file action not taken: the file is unavailable right now (e.g. busy)",
        451 => "action aborted: local error on the server",
        452 => "action not taken: not enough storage space on the server",
        500 => "syntax error: command not recognized",
        501 => "syntax error in the parameters or arguments",
        502 => "command not implemented",
        503 => "bad sequence of commands",
        504 => "command not implemented for that parameter",
        522 => {
            "network protocol (address family) not supported: the server names the ones it supports"
        }
        530 => "not logged in",
        532 => "an account is needed for storing files",
        533 => "command protection level denied by policy",
        534 => "request denied by policy (e.g. this security mechanism is refused)",
        535 => "security check failed",
        536 => "the requested protection level is not supported by the security mechanism",
        537 => "command protection level not supported by the security mechanism",
        550 => "action not taken: the file is unavailable (not found, no access)",
        551 => "action aborted: page type unknown",
        552 => "file action aborted: storage allocation exceeded",
        553 => "action not taken: file name not allowed",
        631 => "integrity-protected reply (the real reply is encoded inside)",
        632 => "integrity- and confidentiality-protected reply (the real reply is encoded inside)",
        633 => "confidentiality-protected reply (the real reply is encoded inside)",
        _ => return None,
    })
}

/// The meaning of a code's class (its first digit), RFC 959 §4.2.1.
pub fn class_meaning(code: u16) -> &'static str {
    match code / 100 {
        1 => "positive preliminary: the action has started, another reply will follow",
        2 => "positive completion: the action succeeded",
        3 => "positive intermediate: accepted, more information is needed",
        4 => "transient negative: not done this time, the same command may work later",
        5 => "permanent negative: not done, repeating the same command will not help",
        6 => "protected reply: the real reply is encoded inside (RFC 2228)",
        _ => "not an FTP reply code",
    }
}

/// The meaning of a command verb (any case), or `None` when it is not a known command
/// (from the verb table, [`super::verbs`]).
///
/// Wire example: `PORT 192,168,0,27,43,103` -> "active mode: the client says where it
/// listens for the data connection".
pub fn command_meaning(verb: &str) -> Option<&'static str> {
    super::verbs::lookup(verb).map(|v| v.meaning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_003_reply_code_has_its_own_meaning() {
        let codes = [
            110, 120, 125, 150, 200, 202, 211, 212, 213, 214, 215, 220, 221, 225, 226, 227, 230,
            250, 257, 331, 332, 350, 421, 425, 426, 450, 451, 452, 500, 501, 502, 503, 504, 530,
            532, 550, 551, 552, 553,
        ];
        let extra = [
            228, 229, 232, 234, 235, 334, 335, 336, 430, 431, 434, 522, 533, 534, 535, 536, 537,
            631, 632, 633,
        ];
        for c in codes.into_iter().chain(extra) {
            let m = reply_meaning(c);
            assert!(!m.is_empty());
            // A specific entry, not the class fallback.
            assert_ne!(m, reply_meaning(c / 100 * 100 + 99), "{c}");
        }
        assert_eq!(
            reply_meaning(221),
            "goodbye: the server closes the control connection"
        );
    }

    #[test]
    fn unknown_codes_fall_back_to_class() {
        assert!(reply_meaning(199).starts_with("positive preliminary"));
        assert!(reply_meaning(299).starts_with("positive completion"));
        assert!(reply_meaning(399).starts_with("positive intermediate"));
        assert!(reply_meaning(499).starts_with("transient negative"));
        assert!(reply_meaning(599).starts_with("permanent negative"));
        assert!(reply_meaning(699).starts_with("protected reply"));
        assert_eq!(reply_meaning(0), "not an FTP reply code");
        assert_eq!(reply_meaning(700), "not an FTP reply code");
        assert_eq!(reply_meaning(u16::MAX), "not an FTP reply code");
    }

    #[test]
    fn every_seed_003_command_has_a_meaning() {
        let seed = [
            "ABOR", "ACCT", "ALLO", "APPE", "CDUP", "CWD", "DELE", "HELP", "LIST", "MODE", "MKD",
            "NLST", "NOOP", "PASS", "PASV", "PORT", "PWD", "QUIT", "REIN", "REST", "RETR", "RMD",
            "RNFR", "RNTO", "SITE", "SMNT", "STAT", "STOR", "STOU", "STRU", "SYST", "TYPE", "USER",
        ];
        let extensions = [
            "FEAT", "OPTS", "MLSD", "MLST", "SIZE", "MDTM", "EPRT", "EPSV", "LPRT", "LPSV", "AUTH",
            "PBSZ", "PROT", "CCC", "ADAT", "LANG", "HOST", "CLNT", "XPWD", "XCUP", "XMKD", "XRMD",
            "XCWD", "MIC", "ENC",
        ];
        for v in seed.into_iter().chain(extensions) {
            assert!(command_meaning(v).is_some(), "{v}");
        }
        assert_eq!(
            command_meaning("PORT"),
            Some("active mode: the client says where it listens for the data connection")
        );
    }

    #[test]
    fn command_meaning_any_case_and_unknown() {
        assert_eq!(command_meaning("retr"), command_meaning("RETR"));
        assert_eq!(command_meaning("Epsv"), command_meaning("EPSV"));
        assert_eq!(command_meaning(""), None);
        assert_eq!(command_meaning("XX"), None);
        assert_eq!(command_meaning("AAAAAAAA"), None);
        assert_eq!(command_meaning("??AB"), None);
        assert_eq!(command_meaning("新建"), None);
        assert_eq!(command_meaning("220"), None);
    }
}
