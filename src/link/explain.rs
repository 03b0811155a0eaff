//! Explanations: why a transfer looks the way it does, in the words a network engineer uses.
//!
//! Input: a finished [`Transfer`] and its session's endpoints. Output: [`Finding`]s that say
//! what went wrong (or is unusual) and the likely cause: a firewall or NAT in front of the
//! client in active mode, a server's passive port range blocked, a data connection missing
//! from the capture, a transfer shorter than announced, bytes the capture lost. The rules
//! follow the articles: active mode needs the server to reach the client (port 20 to a
//! client port above 1024); passive mode needs the client to reach a server port above 1024.

use crate::endpoint::Endpoint;
use crate::ftp::findings::FindingKind;
use crate::ftp::session::is_private;
use crate::model::{Finding, Mode, Status, Transfer};

/// Findings about one transfer.
pub fn transfer_findings(client: &Endpoint, _server: &Endpoint, t: &Transfer) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |kind: FindingKind, message: String| {
        out.push(Finding {
            severity: kind.severity(),
            kind,
            message,
            ts: Some(t.ts),
            frame: Some(t.frame),
            transfer: Some(t.id),
        });
    };
    let what = match &t.arg {
        Some(a) => format!("{} {}", t.command, a),
        None => t.command.clone(),
    };

    if let Some(d) = &t.data {
        if let Some(note) = &d.link.note {
            add(
                FindingKind::DataAddressDiffers,
                format!("transfer {} ({what}): {note}", t.id),
            );
        }
        let state = d.tcp.state;
        let target = match t.mode {
            Some(Mode::Active) => d.client,
            _ => d.server,
        };
        match (t.mode, state) {
            (Some(Mode::Active), "S0") => add(
                FindingKind::ActiveConnectUnanswered,
                format!(
                    "transfer {} ({what}): the server's SYN to {target} was never answered. In active mode the server \
                     must reach the client; a firewall or NAT in front of the client{} drops it. Passive mode \
                     (PASV/EPSV) avoids this because the client opens the data connection.",
                    t.id,
                    if is_private(target.ip) && !is_private(client.ip) {
                        " (the announced address is private)"
                    } else {
                        ""
                    }
                ),
            ),
            (Some(Mode::Active), "REJ") => add(
                FindingKind::ActiveConnectRefused,
                format!(
                    "transfer {} ({what}): the client side refused the server's connection to {target} (RST): nothing \
                     listened on that port, or a firewall rejected it.",
                    t.id
                ),
            ),
            (Some(Mode::Passive), "S0") => add(
                FindingKind::PassiveConnectUnanswered,
                format!(
                    "transfer {} ({what}): the client's SYN to the passive port {target} was never answered: the \
                     server's firewall must allow its passive port range (ports above 1024), or the announced \
                     address is not reachable (NAT).",
                    t.id
                ),
            ),
            (Some(Mode::Passive), "REJ") => add(
                FindingKind::PassiveConnectRefused,
                format!(
                    "transfer {} ({what}): the server refused the client's connection to {target} (RST): the passive \
                     port was closed, or a firewall rejected it.",
                    t.id
                ),
            ),
            _ => {}
        }
        if let Some(missed) = t.missed_bytes {
            add(
                FindingKind::BytesMissingFromCapture,
                format!(
                    "transfer {} ({what}): {missed} bytes of the data connection are not in the capture (packet loss \
                     at the capture point); the byte count covers what was seen",
                    t.id
                ),
            );
        }
    } else if t.status == Status::Complete {
        add(
            FindingKind::DataConnectionNotCaptured,
            format!(
                "transfer {} ({what}) completed, but its data connection{} is not in the capture",
                t.id,
                t.data_endpoint
                    .map(|e| format!(" to {e}"))
                    .unwrap_or_default()
            ),
        );
    }

    match (t.reply_code, t.mode) {
        (Some(425), Some(Mode::Active)) => add(
            FindingKind::CannotOpenDataConnection,
            format!(
                "transfer {} ({what}): 425, the server could not open the data connection to the client. In active \
                 mode a firewall or NAT in front of the client usually blocks the server's connection; try passive mode.",
                t.id
            ),
        ),
        (Some(425), Some(Mode::Passive)) => add(
            FindingKind::CannotOpenDataConnection,
            format!(
                "transfer {} ({what}): 425, no data connection reached the server's passive port in time (client-side \
                 firewall, a blocked passive port range, or a wrong announced address behind NAT).",
                t.id
            ),
        ),
        (Some(425), None) => add(
            FindingKind::CannotOpenDataConnection,
            format!(
                "transfer {} ({what}): 425 and no PORT/PASV before it: the client never set up a data connection.",
                t.id
            ),
        ),
        _ => {}
    }

    if t.status == Status::Complete
        && let (Some(size), Some(bytes)) = (t.announced_size, t.bytes)
    {
        let expected = size.saturating_sub(t.rest_offset.unwrap_or(0));
        if bytes < expected && t.missed_bytes.is_none() {
            add(
                FindingKind::ShorterThanAnnounced,
                format!(
                    "transfer {} ({what}): {bytes} bytes carried but {expected} announced",
                    t.id
                ),
            );
        }
    }
    out
}
