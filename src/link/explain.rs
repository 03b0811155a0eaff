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
use crate::model::{CommandRecord, ConnRecord, Finding, Mode, Status, Transfer};
use crate::tcp::Side;
use crate::time::Timestamp;

/// How the SYNs of a connection that never opened were sent: "3 SYNs, 2 retries, over
/// 3.0 s", or "1 SYN, no retry".
fn syn_tries(c: &ConnRecord) -> String {
    let Some(h) = &c.handshake else {
        return "its SYN is not in the capture".into();
    };
    let n = u64::from(h.syn_retransmits) + 1;
    if n == 1 {
        return "1 SYN, no retry".into();
    }
    let first = h.syn.as_ref().map_or(c.first_ts, |s| s.ts);
    let last = h.syn_retransmissions.last().map_or(c.last_ts, |s| s.ts);
    format!(
        "{n} SYNs, {} retr{}, over {:.1} s",
        n - 1,
        if n == 2 { "y" } else { "ies" },
        last.max(c.last_ts).secs_since(first).max(0.0)
    )
}

/// A data connection opened for an announcement that no transfer command used, which never
/// opened: the client (passive) or server (active) gave up on it. `None` when it opened.
pub fn unused_connection_finding(
    server: &Endpoint,
    setup: &str,
    announced: Endpoint,
    announce_frame: u64,
    c: &ConnRecord,
) -> Option<Finding> {
    let active = matches!(setup, "PORT" | "EPRT" | "LPRT");
    let (kind, what) = match (active, c.state) {
        (false, "S0") => (
            FindingKind::PassiveConnectUnanswered,
            format!(
                "the client's SYN to the announced {announced} was never answered ({})",
                syn_tries(c)
            ),
        ),
        (false, "REJ") => (
            FindingKind::PassiveConnectRefused,
            format!("the client's connection to the announced {announced} was refused (RST)"),
        ),
        (true, "S0") => (
            FindingKind::ActiveConnectUnanswered,
            format!(
                "the server's SYN to the announced {announced} was never answered ({})",
                syn_tries(c)
            ),
        ),
        (true, "REJ") => (
            FindingKind::ActiveConnectRefused,
            format!("the server's connection to the announced {announced} was refused (RST)"),
        ),
        _ => return None,
    };
    let cause = if !active && announced.ip != server.ip {
        format!(
            ": the announced address is not the server's address on the control connection ({}), so a server behind \
             NAT announced an address the client cannot reach; the server must announce its public address (vsftpd \
             pasv_address) or the client use EPSV",
            server.ip
        )
    } else if active {
        ": a firewall or NAT in front of the client drops the server's connection; passive mode avoids it".to_string()
    } else {
        ": the server's firewall must allow its passive port range".to_string()
    };
    Some(Finding {
        severity: kind.severity(),
        kind,
        message: format!(
            "{what}, and no transfer command used the {setup} announcement (frame {announce_frame}){cause}"
        ),
        ts: Some(c.last_ts),
        frame: Some(c.last_frame),
        transfer: None,
    })
}

/// Capture time of a transfer's final reply.
fn final_reply_ts(t: &Transfer, commands: &[CommandRecord]) -> Option<Timestamp> {
    t.reply_code?;
    commands
        .get(t.command_index)
        .and_then(|c| c.replies.iter().rev().find(|r| r.code == t.reply_code))
        .map(|r| r.ts)
}

/// Where a failed data connection is told: at the 425/426 that reported it, or else at
/// the connection's last segment (its last SYN), so that the timeline shows the SYNs first.
fn failure_at(t: &Transfer, c: &ConnRecord, commands: &[CommandRecord]) -> (Timestamp, u64) {
    let reply = matches!(t.reply_code, Some(425 | 426))
        .then(|| commands.get(t.command_index))
        .flatten()
        .and_then(|cmd| cmd.replies.iter().rev().find(|r| r.code == t.reply_code));
    match reply {
        Some(r) => (r.ts, r.frame),
        None => (c.last_ts, c.last_frame),
    }
}

/// The final reply of a transfer whose data connection failed, tied to that failure.
fn tied_reply(t: &Transfer, c: &ConnRecord, commands: &[CommandRecord]) -> String {
    let Some(code @ (425 | 426)) = t.reply_code else {
        return String::new();
    };
    let text = t
        .reply_text
        .as_ref()
        .map(|x| format!(" \"{}\"", x.as_str()))
        .unwrap_or_default();
    let after = final_reply_ts(t, commands)
        .map(|ts| {
            format!(
                ", {:.1} s after the first SYN,",
                ts.secs_since(c.first_ts).max(0.0)
            )
        })
        .unwrap_or_default();
    format!(" The server's {code}{text}{after} is this failure as the server reports it.")
}

/// Frame of an ABOR the client sent while transfer `t` was under way (before the next
/// transfer command).
fn abor_during(t: &Transfer, commands: &[CommandRecord]) -> Option<u64> {
    commands
        .iter()
        .skip(t.command_index + 1)
        .take_while(|c| {
            !matches!(
                c.command.as_str(),
                "RETR" | "STOR" | "STOU" | "APPE" | "LIST" | "NLST" | "MLSD"
            )
        })
        .find(|c| c.command == "ABOR")
        .map(|c| c.frame)
}

/// "262,144 bytes" with thousands separators.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Which side sent the RST of a connection reset mid-transfer, in FTP terms.
fn reset_by(t: &Transfer) -> Option<&'static str> {
    let d = t.data.as_ref()?;
    let close = d.tcp.close.as_ref()?;
    let rst = close
        .steps
        .iter()
        .find(|s| s.kind == crate::model::CloseKind::Rst)?;
    let from = match rst.from {
        Side::Orig => d.tcp.orig,
        Side::Resp => d.tcp.resp,
    };
    Some(if from == d.client {
        "the client"
    } else {
        "the server"
    })
}

/// Findings about one transfer; `commands` are its session's.
pub fn transfer_findings(
    client: &Endpoint,
    _server: &Endpoint,
    t: &Transfer,
    commands: &[CommandRecord],
) -> Vec<Finding> {
    let mut out = Vec::new();
    // Findings are told at the transfer command, unless `at` says where.
    let at: std::cell::Cell<Option<(Timestamp, u64)>> = std::cell::Cell::new(None);
    let mut add = |kind: FindingKind, message: String| {
        let (ts, frame) = at.get().unwrap_or((t.ts, t.frame));
        out.push(Finding {
            severity: kind.severity(),
            kind,
            message,
            ts: Some(ts),
            frame: Some(frame),
            transfer: Some(t.id),
        });
    };
    let what = match &t.arg {
        Some(a) => format!("{} {}", t.command, a),
        None => t.command.clone(),
    };
    // The connection failure explained the 425/426 already.
    let mut reply_tied = false;

    if let Some(d) = &t.data {
        if t.inferred {
            add(
                FindingKind::DataLinkInferred,
                format!(
                    "transfer {}: {}; which command it served (RETR, STOR, LIST...) is encrypted too, the direction \
                     is the busier one",
                    t.id,
                    d.link
                        .note
                        .as_deref()
                        .unwrap_or("data connection inferred: the announcement is encrypted")
                ),
            );
        } else if let Some(note) = &d.link.note {
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
        let tried = syn_tries(&d.tcp);
        let tied = tied_reply(t, &d.tcp, commands);
        at.set(Some(failure_at(t, &d.tcp, commands)));
        match (t.mode, state) {
            (Some(Mode::Active), "S0") => add(
                FindingKind::ActiveConnectUnanswered,
                format!(
                    "transfer {} ({what}): the server's SYN to {target} was never answered ({tried}). In active mode the \
                     server must reach the client; a firewall or NAT in front of the client{} drops it.{tied} Passive \
                     mode (PASV/EPSV) avoids this because the client opens the data connection.",
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
                     listened on that port, or a firewall rejected it.{tied}",
                    t.id
                ),
            ),
            (Some(Mode::Passive), "S0") => add(
                FindingKind::PassiveConnectUnanswered,
                format!(
                    "transfer {} ({what}): the client's SYN to the passive port {target} was never answered ({tried}): the \
                     server's firewall must allow its passive port range (ports above 1024), or the announced \
                     address is not reachable (NAT).{tied}",
                    t.id
                ),
            ),
            (Some(Mode::Passive), "REJ") => add(
                FindingKind::PassiveConnectRefused,
                format!(
                    "transfer {} ({what}): the server refused the client's connection to {target} (RST): the passive \
                     port was closed, or a firewall rejected it.{tied}",
                    t.id
                ),
            ),
            _ => {}
        }
        at.set(None);
        reply_tied = matches!(state, "S0" | "REJ") && !tied.is_empty();
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

    // A 425 is told where the server said it.
    if t.reply_code == Some(425) {
        let reply = commands
            .get(t.command_index)
            .and_then(|c| c.replies.iter().rev().find(|r| r.code == Some(425)));
        at.set(reply.map(|r| (r.ts, r.frame)));
    }
    match (t.reply_code, t.mode) {
        _ if reply_tied => {}
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

    if let Some(message) = aborted(t, &what, commands) {
        // Told at the reply that ended the transfer (426, 226 after ABOR), when there is one.
        let end = commands
            .get(t.command_index)
            .and_then(|c| c.replies.iter().rev().find(|r| r.code == t.reply_code));
        at.set(end.map(|r| (r.ts, r.frame)));
        add(FindingKind::TransferAborted, message);
    }
    at.set(None);
    if let Some(offset) = t.rest_offset
        && let Some(bytes) = t.bytes
        && bytes > 0
    {
        let end = offset.saturating_add(bytes);
        let whole = match t.announced_size {
            Some(size) if end == size => format!(
                "; the file has {} bytes, so it is whole if its first {} came before",
                count(size),
                count(offset)
            ),
            Some(size) if size == bytes => {
                format!(
                    "; the {} announced are the bytes from the offset",
                    count(size)
                )
            }
            Some(size) => format!(
                "; {} announced, so {} of the file are not in this transfer",
                count(size),
                count(size.saturating_sub(end))
            ),
            None => String::new(),
        };
        add(
            FindingKind::TransferResumed,
            format!(
                "transfer {} ({what}) resumed at byte {} (REST {offset}): it carried {} bytes, the file's bytes {} to {}{whole}",
                t.id,
                count(offset),
                count(bytes),
                count(offset),
                count(end.saturating_sub(1)),
            ),
        );
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

/// The explanation of a transfer cut off before its end: by ABOR, by a 426 without ABOR,
/// or by a reset of its data connection after data flowed; `None` for the others.
fn aborted(t: &Transfer, what: &str, commands: &[CommandRecord]) -> Option<String> {
    let abor = abor_during(t, commands);
    let reset = t
        .data
        .as_ref()
        .is_some_and(|d| d.tcp.state.starts_with("RST") && t.bytes.unwrap_or(0) > 0);
    if t.status != Status::Aborted && abor.is_none() && !(reset && t.status != Status::Complete) {
        return None;
    }
    let bytes = t.bytes.unwrap_or(0);
    let of = match t.announced_size {
        Some(size) if size > 0 => format!(
            " of {} announced ({:.1}%)",
            count(size),
            100.0 * bytes as f64 / size as f64
        ),
        _ => String::new(),
    };
    let reply = match t.reply_code {
        Some(code) => format!("the server answered {code}"),
        None => "no final reply is in the capture".into(),
    };
    let cause = match (abor, reset_by(t)) {
        (Some(frame), _) => format!(
            "the client sent ABOR (frame {frame}) and {reply}: the user or the client cancelled it"
        ),
        (None, Some(who)) if reset => format!(
            "{who} reset the data connection (RST) mid-transfer and {reply}: a crashed or killed program, a \
             timeout, or a firewall cutting the connection"
        ),
        _ => format!(
            "{reply} without any ABOR from the client: the server or the network cut the data connection \
             (a reset, a timeout, disk full, a file locked)"
        ),
    };
    Some(format!(
        "transfer {} ({what}) was cut off after {} bytes{of}: {cause}",
        t.id,
        count(bytes),
    ))
}
