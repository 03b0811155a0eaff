//! From a session's parsing state to the model: sessions, transfers, data connections.
//!
//! Input: a [`SessionState`] whose control connection has ended, with the records of the
//! data connections linked to its negotiations. Output: a [`Session`] of the model, with
//! each transfer joined to the data connection that carried it (bytes in the transfer's
//! direction, duration, throughput, status from the final reply), the explanations of
//! [`explain`], and the data connections that no transfer used (listed, not dropped).

use super::{ConnLink, SessionCore, SessionState};
use crate::endpoint::Endpoint;
use crate::ftp::findings::FindingKind;
use crate::ftp::tls::looks_like_tls_start;
use crate::link::explain;
use crate::model::events::Progress;
use crate::model::{
    BoundCounters, DataConnection, Direction, Finding, LinkNote, Login, Mode, Session,
    SessionSummary, Status, Transfer, UnlinkedConnection,
};
use crate::tcp::{ConnRecord, EndReason, Side};

/// The transfer `t` of a session; `link` is its data connection with the connection's
/// record when it has closed.
fn transfer_model(core: &SessionCore, t: usize, link: Option<(&ConnLink, ConnRecord)>) -> Transfer {
    let ts = &core.transfers[t];
    let cmd = &core.commands[ts.command_index];
    let neg = ts.negotiation.and_then(|n| core.negotiations.get(n));
    let mode = neg.map(|n| n.mode);
    let data = link.map(|(l, record)| {
        data_connection(
            mode.unwrap_or(Mode::Passive),
            l.listener,
            l.connector,
            l.link.clone(),
            record,
        )
    });
    let (bytes, missed, duration, preview, content) = match &data {
        Some(d) => {
            let server_side = if d.tcp.orig == d.server {
                Side::Orig
            } else {
                Side::Resp
            };
            let from = match ts.direction {
                Direction::Upload => server_side.other(),
                _ => server_side,
            };
            let st = d.tcp.dir(from);
            (
                Some(st.bytes),
                Some(st.missed_bytes).filter(|&m| m > 0),
                Some(d.tcp.duration()),
                d.tcp.preview(from).to_vec(),
                d.tcp.content.as_ref().and_then(|c| c[from.idx()].clone()),
            )
        }
        None => (None, None, None, Vec::new(), None),
    };
    // PROT P: the data connection opens with a TLS handshake, whichever side sends first.
    let encrypted = data.as_ref().is_some_and(|d| {
        looks_like_tls_start(d.tcp.preview(Side::Orig))
            || looks_like_tls_start(d.tcp.preview(Side::Resp))
    });
    let status = match ts.final_code {
        Some(c) if (200..300).contains(&c) => Status::Complete,
        Some(426) => Status::Aborted,
        Some(_) => Status::Failed,
        None => Status::Incomplete,
    };
    // A listing that carried nothing is an empty directory only when the server said the
    // transfer completed; otherwise there is no listing to speak of (a 425, a refused
    // data connection).
    let listing = if bytes == Some(0) && status != Status::Complete {
        None
    } else {
        listing(
            ts.direction,
            &cmd.command,
            &data,
            &preview,
            bytes,
            missed,
            encrypted,
        )
    };
    Transfer {
        id: t as u32 + 1,
        command: cmd.command.clone(),
        arg: cmd.arg.clone(),
        file_name: match ts.direction {
            Direction::Listing => None,
            _ => cmd.arg.clone(),
        },
        ts: cmd.ts,
        frame: cmd.frame,
        command_index: ts.command_index,
        mode,
        setup: neg.map(|n| n.setup.to_string()),
        setup_command_index: neg.map(|n| n.command_index),
        data_endpoint: neg.map(|n| n.announced),
        port_arithmetic: neg.and_then(|n| n.arithmetic.clone()),
        direction: ts.direction,
        data,
        bytes,
        missed_bytes: missed,
        duration,
        throughput: match (bytes, duration) {
            (Some(b), Some(d)) if d > 0.0 => Some(b as f64 / d),
            _ => None,
        },
        reply_code: cmd.reply_code,
        reply_text: cmd.reply_text.clone(),
        status,
        announced_size: ts.announced_size,
        rest_offset: ts.rest_offset,
        stored_as: ts.stored_as.clone(),
        inferred: ts.inferred,
        encrypted,
        preview,
        listing,
        content,
    }
}

/// The entries of a listing transfer, read from its preview: only when a data connection
/// carried it in clear. The preview is cut when it holds less than the bytes counted, or
/// when the capture missed some (the preview stops at the first hole).
fn listing(
    direction: Direction,
    command: &str,
    data: &Option<DataConnection>,
    preview: &[u8],
    bytes: Option<u64>,
    missed: Option<u64>,
    encrypted: bool,
) -> Option<crate::model::listing::Listing> {
    if direction != Direction::Listing || data.is_none() || encrypted {
        return None;
    }
    let complete = missed.is_none() && preview.len() as u64 >= bytes.unwrap_or(0);
    crate::ftp::listing::parse(command, preview, complete)
}

impl SessionCore {
    /// Live capture: tells the transfers that are over (final reply in, data connection
    /// closed or never to come) as progress, in order; a transfer still moving holds back
    /// those after it, so progress comes in command order.
    pub(super) fn transfers_done(&mut self) {
        if !self.cfg.live_progress {
            return;
        }
        while self.untold_transfer < self.transfers.len() {
            let t = self.untold_transfer;
            let tr = &self.transfers[t];
            if tr.told {
                self.untold_transfer += 1;
                continue;
            }
            if tr.final_code.is_none() {
                return;
            }
            let link = if owns_connection(self, t) {
                let n = tr.negotiation.expect("owns a negotiation");
                self.negotiations[n].conn.as_ref()
            } else {
                None
            };
            let transfer = match link {
                Some(l) => match &l.record {
                    Some(record) => transfer_model(self, t, Some((l, record.clone()))),
                    // Its data connection is still open.
                    None => return,
                },
                None => transfer_model(self, t, None),
            };
            self.progress.push(Progress::Transfer(Box::new(transfer)));
            self.transfers[t].told = true;
            self.untold_transfer += 1;
        }
    }
}

/// Does transfer `t` own the data connection of its negotiation?
fn owns_connection(core: &SessionCore, t: usize) -> bool {
    core.transfers[t]
        .negotiation
        .and_then(|n| core.negotiations.get(n))
        .is_some_and(|n| n.owner == Some(t) && n.conn.is_some())
}

impl SessionState {
    /// The session as the model shows it, and the data connections no transfer used; its
    /// bounds' counts are added to `bounds`. `None` before its control connection ended.
    pub fn finish(self, bounds: &mut BoundCounters) -> (Option<Session>, Vec<UnlinkedConnection>) {
        build_session(self, bounds)
    }
}

fn build_session(
    state: SessionState,
    bounds: &mut BoundCounters,
) -> (Option<Session>, Vec<UnlinkedConnection>) {
    let SessionState {
        mut core, control, ..
    } = state;
    let Some(control) = control else {
        return (None, Vec::new());
    };
    let session_id = core.id;
    bounds.add(&core.bounds);
    let login = core.login();

    // Whether the control connection really ended (FIN or RST) or the capture simply holds
    // no more of it.
    let closed = control.close.is_some() && control.end == EndReason::Closed;
    for i in core.pending_commands().collect::<Vec<_>>() {
        let c = &core.commands[i];
        let msg = if closed {
            format!(
                "{} got no reply before the control connection ended",
                c.command
            )
        } else {
            let why = match control.end {
                EndReason::IdleTimeout => "the control connection went silent (idle timeout)",
                EndReason::Evicted => {
                    "the connection table was full and this connection was evicted"
                }
                _ => "the capture ends first",
            };
            format!("{} got no reply in the capture: {why}", c.command)
        };
        core.findings.push(Finding {
            severity: FindingKind::NoReply.severity(),
            kind: FindingKind::NoReply,
            message: msg,
            ts: Some(c.ts),
            frame: Some(c.frame),
            transfer: None,
        });
    }
    if control.midstream {
        core.findings.push(Finding {
            severity: FindingKind::Midstream.severity(),
            kind: FindingKind::Midstream,
            message: format!(
                "the capture starts after this control connection opened: its handshake and everything before frame {} \
                 are not in the capture; the client and server sides are inferred from port {}",
                control.first_frame, core.server.port
            ),
            ts: Some(control.first_ts),
            frame: Some(control.first_frame),
            transfer: None,
        });
    }

    let mut transfers = Vec::new();
    for t in 0..core.transfers.len() {
        let link = if owns_connection(&core, t) {
            let n = core.transfers[t].negotiation.expect("owns a negotiation");
            core.negotiations[n].conn.take()
        } else {
            None
        };
        let transfer = match link {
            Some(mut l) => match l.record.take() {
                Some(record) => transfer_model(&core, t, Some((&l, record))),
                None => transfer_model(&core, t, None),
            },
            None => transfer_model(&core, t, None),
        };
        transfers.push(transfer);
    }

    // Data connections opened for a negotiation that no transfer command used.
    let mut unlinked = Vec::new();
    for n in core.negotiations.iter_mut() {
        if let Some(l) = n.conn.take()
            && let Some(record) = l.record
        {
            // One that never opened is a failure of the session: the client gave up.
            if let Some(f) = explain::unused_connection_finding(
                &core.server,
                n.setup,
                n.announced,
                n.frame,
                &record,
            ) {
                core.findings.push(f);
            }
            unlinked.push(UnlinkedConnection {
                session: Some(session_id),
                reason: format!(
                    "opened for the {} announcement {} (frame {}) but no transfer command used it",
                    n.setup, n.announced, n.frame
                ),
                tcp: record,
            });
        }
    }

    for t in &transfers {
        for f in explain::transfer_findings(&core.client, &core.server, t, &core.commands) {
            core.findings.push(f);
        }
    }
    let encrypted = transfers.iter().filter(|t| t.encrypted).count();
    if let Some(first) = transfers.iter().find(|t| t.encrypted) {
        core.findings.push(Finding {
            severity: FindingKind::DataEncrypted.severity(),
            kind: FindingKind::DataEncrypted,
            message: format!(
                "{encrypted} of {} data connections carry TLS (PROT P, from transfer {} on): their bytes are counted, \
                 their content (files, listings) cannot be read",
                transfers.iter().filter(|t| t.data.is_some()).count(),
                first.id
            ),
            ts: Some(first.ts),
            frame: Some(first.frame),
            transfer: Some(first.id),
        });
    }
    core.findings
        .sort_by_key(|f| (f.frame.unwrap_or(u64::MAX), f.severity));

    let summary = summarize(core.commands_seen(), &transfers);
    let (any_active, any_passive) = (
        transfers.iter().any(|t| t.mode == Some(Mode::Active)),
        transfers.iter().any(|t| t.mode == Some(Mode::Passive)),
    );
    let mode = match (any_active, any_passive) {
        (true, true) => Some("mixed"),
        (true, false) => Some("active"),
        (false, true) => Some("passive"),
        (false, false) => None,
    };
    let (start, end) = (control.first_ts, control.last_ts);
    let session = Session {
        id: session_id,
        client: core.client,
        server: core.server,
        start,
        end,
        duration: end.secs_since(start).max(0.0),
        greeting: core.greeting,
        user: core.user.map(|u| *u),
        login: if core.login_attempts.is_empty() {
            Login::Unknown
        } else {
            login
        },
        login_attempts: core.login_attempts,
        tls: core.tls.map(|t| *t),
        mode,
        commands: core.commands,
        replies_without_command: core.replies_without_command,
        transfers,
        control: *control,
        findings: core.findings,
        summary,
    };
    (Some(session), unlinked)
}

fn summarize(commands: u64, transfers: &[Transfer]) -> SessionSummary {
    let mut s = SessionSummary {
        commands,
        ..SessionSummary::default()
    };
    for t in transfers {
        s.transfers += 1;
        match t.status {
            Status::Complete => s.transfers_complete += 1,
            Status::Failed | Status::Aborted => s.transfers_failed += 1,
            Status::Incomplete => {}
        }
        let b = t.bytes.unwrap_or(0);
        match t.direction {
            Direction::Download => s.bytes_downloaded += b,
            Direction::Upload => s.bytes_uploaded += b,
            Direction::Listing => s.listing_bytes += b,
        }
    }
    s
}

/// A data connection in FTP terms: who is the client and the server, who opened it.
pub fn data_connection(
    mode: Mode,
    listener: Endpoint,
    connector: Endpoint,
    link: LinkNote,
    tcp: ConnRecord,
) -> DataConnection {
    let mut tcp = tcp;
    if tcp.midstream && tcp.orig == listener && tcp.resp == connector {
        // Seen without its SYN: the announcement tells who accepted it, so who opened it.
        tcp.flip();
    }
    let (client, server) = match mode {
        Mode::Active => (listener, connector),
        Mode::Passive => (connector, listener),
    };
    let opened_by = if tcp.midstream {
        "unknown"
    } else if tcp.orig == client {
        "client"
    } else if tcp.orig == server {
        "server"
    } else {
        "unknown"
    };
    DataConnection {
        client,
        server,
        opened_by,
        link,
        tcp,
    }
}
