//! The catalogue of findings: everything ftpflow points out, each kind with its severity,
//! what it means and what to do about it.
//!
//! A finding in a report names its kind (`"kind": "clear_text_password"`); the message
//! gives the particulars (which transfer, which address). Adding a finding is adding a
//! variant here and its entry in [`FindingKind::entry`]; the test below checks that every
//! variant has one and that the names are unique.

use crate::model::Severity;
use serde::Serialize;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    // The control connection.
    /// A password crossed the network in clear text.
    ClearTextPassword,
    /// The control connection became encrypted (AUTH TLS or implicit FTPS).
    TlsStarted,
    /// Both sides closed TLS (CCC) and plain text followed.
    TlsEnded,
    /// FTP control found by its content on a port other than 21.
    FtpOnOtherPort,
    /// The server answered 120: ready later.
    DelayedService,
    /// The capture starts after the control connection opened.
    Midstream,
    /// The client sent a line that is not an FTP command.
    MalformedCommand,
    /// The server sent a line that is not a valid FTP reply.
    InvalidReply,
    /// Binary bytes came right before a reply on the same line.
    JunkBeforeReply,
    /// A command line longer than `--max-line`.
    OverlongCommand,
    /// A reply line longer than `--max-line`.
    OverlongReply,
    /// Bytes that are not a complete line (the capture lost its start or end).
    PartialLine,
    /// A command got no reply before the connection or the capture ended.
    NoReply,
    /// A command's reply is in bytes the capture lost.
    ReplyLost,
    /// A reply answers a command in bytes the capture lost.
    CommandLost,
    // Announcements.
    /// A PORT/EPRT argument or a 227/228/229 reply whose address cannot be read.
    BadAddress,
    /// A passive reply announces an address other than the server's.
    PasvAddressDiffers,
    /// PORT/EPRT announces an address other than the client's.
    PortAddressDiffers,
    /// PORT/EPRT points at a privileged port of a third host (FTP bounce).
    PortBounce,
    // Data connections and transfers.
    /// A data connection linked although it does not match its announcement exactly.
    DataAddressDiffers,
    /// Active mode: the server's SYN to the client got no answer.
    ActiveConnectUnanswered,
    /// Active mode: the client side reset the server's data connection.
    ActiveConnectRefused,
    /// Passive mode: the client's SYN to the announced port got no answer.
    PassiveConnectUnanswered,
    /// Passive mode: the server reset the client's data connection.
    PassiveConnectRefused,
    /// The server replied 425: the data connection could not be opened.
    CannotOpenDataConnection,
    /// A transfer completed but its data connection is not in the capture.
    DataConnectionNotCaptured,
    /// Bytes of a data connection are missing from the capture.
    BytesMissingFromCapture,
    /// A transfer completed with fewer bytes than announced.
    ShorterThanAnnounced,
    // Added with the failure and FTPS explanations.
    /// PORT/EPRT names a passive endpoint another server announced: a server-to-server
    /// transfer (FXP).
    Fxp,
    /// A transfer was cut off: ABOR, a 426, or its data connection reset mid-transfer.
    TransferAborted,
    /// A transfer resumed at a REST offset: it carries the file from there.
    TransferResumed,
    /// Many failed logins from one client to one server within a short time.
    BruteForce,
    /// AUTH TLS/SSL refused: the session stays in clear text.
    AuthRefused,
    /// The data connections of an FTPS session are encrypted (PROT P): counted, not read.
    DataEncrypted,
    /// A data connection of an encrypted session linked by inference (its announcement is
    /// encrypted).
    DataLinkInferred,
}

/// A catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The name in reports.
    pub name: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// What it means, in one sentence.
    pub meaning: &'static str,
    /// What to do about it.
    pub what_to_do: &'static str,
}

/// Every kind, in catalogue order.
pub const ALL: &[FindingKind] = &[
    FindingKind::ClearTextPassword,
    FindingKind::TlsStarted,
    FindingKind::TlsEnded,
    FindingKind::FtpOnOtherPort,
    FindingKind::DelayedService,
    FindingKind::Midstream,
    FindingKind::MalformedCommand,
    FindingKind::InvalidReply,
    FindingKind::JunkBeforeReply,
    FindingKind::OverlongCommand,
    FindingKind::OverlongReply,
    FindingKind::PartialLine,
    FindingKind::NoReply,
    FindingKind::ReplyLost,
    FindingKind::CommandLost,
    FindingKind::BadAddress,
    FindingKind::PasvAddressDiffers,
    FindingKind::PortAddressDiffers,
    FindingKind::PortBounce,
    FindingKind::DataAddressDiffers,
    FindingKind::ActiveConnectUnanswered,
    FindingKind::ActiveConnectRefused,
    FindingKind::PassiveConnectUnanswered,
    FindingKind::PassiveConnectRefused,
    FindingKind::CannotOpenDataConnection,
    FindingKind::DataConnectionNotCaptured,
    FindingKind::BytesMissingFromCapture,
    FindingKind::ShorterThanAnnounced,
    FindingKind::Fxp,
    FindingKind::TransferAborted,
    FindingKind::TransferResumed,
    FindingKind::BruteForce,
    FindingKind::AuthRefused,
    FindingKind::DataEncrypted,
    FindingKind::DataLinkInferred,
];

impl FindingKind {
    /// The kind's catalogue entry.
    pub fn entry(self) -> Entry {
        use FindingKind as K;
        use Severity::{Error, Info, Warning};
        let (name, severity, meaning, what_to_do) = match self {
            K::ClearTextPassword => (
                "clear_text_password",
                Info,
                "the password crossed the network in clear text (plain FTP, no AUTH TLS)",
                "use FTPS (AUTH TLS, or implicit FTPS on 990) or SFTP; treat the password as exposed",
            ),
            K::TlsStarted => (
                "tls_started",
                Info,
                "the control connection is encrypted from here on (AUTH TLS, or implicit FTPS)",
                "nothing to fix; commands, replies and data-connection announcements can no longer be read",
            ),
            K::TlsEnded => (
                "tls_ended",
                Info,
                "both sides closed TLS (as after CCC) and the control connection is plain text again",
                "expected with CCC, which lets NAT and firewalls read the data-connection announcements",
            ),
            K::FtpOnOtherPort => (
                "ftp_on_other_port",
                Info,
                "an FTP control connection on a port other than 21, recognised by its content",
                "firewalls and NAT helpers that watch port 21 only do not see it; give them its port",
            ),
            K::DelayedService => (
                "delayed_service",
                Info,
                "the server said it will be ready later (120)",
                "wait for its 220, or look at the server's load",
            ),
            K::Midstream => (
                "midstream",
                Info,
                "the capture starts after this control connection opened",
                "capture from before the session starts to see its login and the client and server sides for sure",
            ),
            K::MalformedCommand => (
                "malformed_command",
                Warning,
                "the client sent a line that is not an FTP command",
                "check the client; a line of binary bytes may be a different protocol on the FTP port",
            ),
            K::InvalidReply => (
                "invalid_reply",
                Warning,
                "the server sent a line that is not a valid FTP reply; it answers the oldest waiting command",
                "check the server; clients may misread such replies",
            ),
            K::JunkBeforeReply => (
                "junk_before_reply",
                Warning,
                "binary bytes came right before a reply on the same line",
                "check the server (or a middlebox rewriting the control connection)",
            ),
            K::OverlongCommand => (
                "overlong_command",
                Warning,
                "a command line longer than --max-line; the rest was counted, not kept",
                "raise --max-line to see it whole; very long commands can be attacks on servers",
            ),
            K::OverlongReply => (
                "overlong_reply",
                Warning,
                "a reply line longer than --max-line; the rest was counted, not kept",
                "raise --max-line to see it whole",
            ),
            K::PartialLine => (
                "partial_line",
                Info,
                "bytes that are not a complete line: the capture lost or cut its start or end",
                "capture with a larger buffer or without loss to see the whole line",
            ),
            K::NoReply => (
                "no_reply",
                Info,
                "a command got no reply before the control connection ended (or the capture did)",
                "if the connection ended, the server dropped the session; otherwise capture longer",
            ),
            K::ReplyLost => (
                "reply_lost",
                Info,
                "a command's reply is in bytes the capture lost (the client acknowledged them)",
                "capture with a larger buffer (tcpdump -B) or a filter that keeps fewer packets",
            ),
            K::CommandLost => (
                "command_lost",
                Info,
                "a reply answers a command that is in bytes the capture lost; the command is shown as inferred",
                "capture with a larger buffer (tcpdump -B) or a filter that keeps fewer packets",
            ),
            K::BadAddress => (
                "bad_address",
                Warning,
                "a PORT/EPRT argument or a 227/228/229 reply whose address cannot be read",
                "check the client or server (or a NAT helper that rewrote it badly)",
            ),
            K::PasvAddressDiffers => (
                "pasv_address_differs",
                Warning,
                "the passive reply announces another address than the server's on the control connection",
                "the server is behind NAT and must change: configure its public address for passive mode (vsftpd pasv_address, \
                 ProFTPD MasqueradeAddress), or have clients use EPSV, which names no address",
            ),
            K::PortAddressDiffers => (
                "port_address_differs",
                Warning,
                "PORT/EPRT announces another address than the client's on the control connection",
                "the client is behind NAT and must change: use passive mode (PASV/EPSV), or an FTP-aware NAT that rewrites PORT",
            ),
            K::PortBounce => (
                "port_bounce",
                Error,
                "PORT/EPRT asks the server to connect to a third host, or to a privileged port (FTP bounce attack, RFC 2577)",
                "refuse PORT to third hosts and to ports below 1024 on the server",
            ),
            K::DataAddressDiffers => (
                "data_address_differs",
                Warning,
                "a data connection was linked although it does not match its announcement exactly (NAT, a lost announcement)",
                "read the link note: it says what differed and how the connection was linked",
            ),
            K::ActiveConnectUnanswered => (
                "active_connect_unanswered",
                Error,
                "in active mode the server's SYN to the client was never answered",
                "a firewall or NAT in front of the client drops it: use passive mode, or open the client's ports",
            ),
            K::ActiveConnectRefused => (
                "active_connect_refused",
                Error,
                "in active mode the client side refused the server's data connection (RST)",
                "nothing listened on the announced port, or a firewall rejected it: use passive mode",
            ),
            K::PassiveConnectUnanswered => (
                "passive_connect_unanswered",
                Error,
                "in passive mode the client's SYN to the server's announced port was never answered",
                "open the server's passive port range in its firewall (and forward it behind NAT)",
            ),
            K::PassiveConnectRefused => (
                "passive_connect_refused",
                Error,
                "in passive mode the server refused the client's data connection (RST)",
                "the passive port was closed or a firewall rejected it: check the server's passive range",
            ),
            K::CannotOpenDataConnection => (
                "cannot_open_data_connection",
                Error,
                "425: the data connection could not be opened",
                "active mode: firewall or NAT in front of the client; passive mode: the server's passive ports",
            ),
            K::DataConnectionNotCaptured => (
                "data_connection_not_captured",
                Info,
                "a transfer completed but its data connection is not in the capture",
                "capture the data ports too (passive: the server's high ports; active: the client's)",
            ),
            K::BytesMissingFromCapture => (
                "bytes_missing_from_capture",
                Warning,
                "bytes of a data connection are not in the capture (loss at the capture point)",
                "the byte count covers what was seen; capture with a larger buffer for exact counts",
            ),
            K::ShorterThanAnnounced => (
                "shorter_than_announced",
                Warning,
                "a transfer completed with fewer bytes than announced",
                "the file changed during the transfer, or the server's announcement is wrong",
            ),
            K::Fxp => (
                "fxp",
                Info,
                "PORT/EPRT names the passive endpoint another FTP server announced: a server-to-server transfer (FXP)",
                "expected when a client copies between two servers; servers that must not do FXP refuse PORT to third hosts",
            ),
            K::TransferAborted => (
                "transfer_aborted",
                Warning,
                "a transfer was cut off before its end: ABOR from the client, a 426 from the server, or a reset data connection",
                "ABOR: the user or client cancelled it; 426 or a reset without ABOR: look at the server's log and the network path",
            ),
            K::TransferResumed => (
                "transfer_resumed",
                Info,
                "a transfer resumed at a REST offset: its bytes are the file from that offset on",
                "nothing to fix; the file is whole when the earlier part was transferred before",
            ),
            K::BruteForce => (
                "brute_force",
                Warning,
                "many failed logins from one client to one server in a short time: password guessing",
                "block or rate-limit the client (fail2ban, the server's max-login settings); check the users it tried",
            ),
            K::AuthRefused => (
                "auth_refused",
                Warning,
                "the server refused AUTH TLS/SSL: the session stays in clear text, password included",
                "enable TLS on the server (vsftpd ssl_enable, ProFTPD mod_tls), or do not send the password",
            ),
            K::DataEncrypted => (
                "data_encrypted",
                Info,
                "the data connections carry TLS (PROT P): their bytes are counted, their content cannot be read",
                "nothing to fix; listings and files are not shown",
            ),
            K::DataLinkInferred => (
                "data_link_inferred",
                Info,
                "a data connection of an encrypted session was linked by inference: its PORT/PASV announcement is encrypted",
                "the link rests on hosts, ports and timing; CCC or PROT C would make announcements readable (at a cost)",
            ),
        };
        Entry {
            name,
            severity,
            meaning,
            what_to_do,
        }
    }

    /// The name in reports.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// How serious it is.
    pub fn severity(self) -> Severity {
        self.entry().severity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_unique_name_that_is_its_json_spelling() {
        let mut names = std::collections::HashSet::new();
        for &k in ALL {
            let e = k.entry();
            assert!(names.insert(e.name), "{} twice", e.name);
            assert!(!e.meaning.is_empty() && !e.what_to_do.is_empty());
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(e.name),
                "{k:?}"
            );
        }
        let mut sorted = ALL.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ALL.len());
        // A new variant missing from ALL shows here: the last variant is the last entry.
        assert_eq!(ALL.last(), Some(&FindingKind::DataLinkInferred));
    }
}
