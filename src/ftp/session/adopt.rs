//! Linking by timing: a data connection whose announcement the capture lost (the 227 to
//! a PASV, the PORT line itself) still belongs to the transfer that was under way when it
//! opened, in the direction its mode implies. Such links are marked inexact and say why.
//!
//! Linking by inference: once the control connection is encrypted (AUTH TLS, implicit
//! FTPS) neither the transfer commands nor the announcements can be read. A connection
//! between the session's hosts that opened while the control connection was encrypted,
//! and that the host-pair rules already took for FTP data (port 20 or two unprivileged
//! ports, no other protocol's port, not an FTP control port), is then a transfer of its
//! own: passive when the client opened it, active when the server did (or its end is port
//! 20). Such transfers are marked inferred, with an inferred "?" command.

use super::{Action, ConnLink, Negotiation, SessionCore, TransferState, UNKNOWN_VERB};
use crate::endpoint::Endpoint;
use crate::model::{CommandRecord, ConnRecord, Direction, LinkNote, Mode};

impl SessionCore {
    /// A connection between the session's hosts that no announcement explains, offered
    /// after it closed: a transfer whose announcement the capture lost (the 227 to a PASV,
    /// the PORT line) takes it when it opened while that transfer was being set up or
    /// carried out, in the direction the mode implies. Linked "by timing", and said so.
    /// Gives the record back when no transfer takes it.
    pub fn adopt_connection(&mut self, record: ConnRecord) -> Option<ConnRecord> {
        let opened = record.first_ts;
        let mode = if record.midstream {
            // Who opened it is unknown: active when the server's end is port 20, else the
            // mode of the last setup command before it the capture shows.
            let last_setup = self
                .commands
                .iter()
                .rev()
                .filter(|c| c.ts.0 <= opened.0)
                .find_map(|c| match c.command.as_str() {
                    "PORT" | "EPRT" | "LPRT" => Some(Mode::Active),
                    "PASV" | "EPSV" | "LPSV" => Some(Mode::Passive),
                    _ => None,
                });
            let server_end = if record.orig.ip == self.server.ip {
                record.orig
            } else {
                record.resp
            };
            if server_end.port == 20 {
                Mode::Active
            } else {
                last_setup.unwrap_or(Mode::Passive)
            }
        } else if record.orig.ip == self.client.ip && record.resp.ip == self.server.ip {
            Mode::Passive
        } else if record.orig.ip == self.server.ip && record.resp.ip == self.client.ip {
            Mode::Active
        } else {
            return Some(record);
        };
        let (connector, listener) = match (mode, record.orig.ip == self.client.ip) {
            (Mode::Passive, true) | (Mode::Active, false) => (record.orig, record.resp),
            _ => (record.resp, record.orig),
        };
        if (mode == Mode::Passive && connector.ip != self.client.ip)
            || (mode == Mode::Active && connector.ip != self.server.ip)
        {
            return Some(record);
        }
        let candidate = (0..self.transfers.len()).find(|&t| {
            let tr = &self.transfers[t];
            // A negotiation of the other mode whose connection never came was replaced in
            // bytes the capture lost (a lost PORT after a PASV): it does not count.
            let has_connection = tr
                .negotiation
                .and_then(|n| self.negotiations.get(n))
                .is_some_and(|n| n.conn.is_some() || (n.mode == mode && n.expectation.is_some()));
            // Refused outright: no data connection to expect.
            let refused = tr.final_code.is_some_and(|c| c >= 400) && !tr.preliminary;
            let cmd = tr.command_index;
            let from = cmd
                .checked_sub(1)
                .map_or(self.commands[cmd].ts, |i| self.commands[i].ts);
            // Until its final reply, or else until the client moved on to set up or start
            // another transfer.
            let until = self.commands[cmd]
                .replies
                .last()
                .filter(|_| tr.final_code.is_some())
                .map(|r| r.ts)
                .or_else(|| {
                    self.commands[cmd + 1..]
                        .iter()
                        .find(|c| {
                            use crate::ftp::command::{CommandKind as K, Verb, kind};
                            matches!(
                                kind(Verb::new(c.command.as_bytes())),
                                K::Transfer(_) | K::ActiveSetup(_) | K::PassiveSetup(_)
                            )
                        })
                        .map(|c| c.ts)
                });
            !has_connection
                && !refused
                && opened.0 >= from.0 - 1_000_000_000
                && until.is_none_or(|u| opened.0 <= u.0)
        });
        let Some(t) = candidate else {
            return self.infer_encrypted_transfer(record, mode, connector, listener);
        };
        let cmd = self.transfers[t].command_index;
        // The command that set it up, if the capture holds it.
        let setup = self.commands[..cmd]
            .iter()
            .rposition(|c| {
                matches!(
                    (mode, c.command.as_str()),
                    (Mode::Passive, "PASV" | "EPSV" | "LPSV")
                        | (Mode::Active, "PORT" | "EPRT" | "LPRT")
                )
            })
            .filter(|&i| i + 3 >= cmd);
        let setup_name: &'static str = match setup.map(|i| self.commands[i].command.as_str()) {
            Some("PASV") => "PASV",
            Some("EPSV") => "EPSV",
            Some("LPSV") => "LPSV",
            Some("PORT") => "PORT",
            Some("EPRT") => "EPRT",
            Some("LPRT") => "LPRT",
            _ => UNKNOWN_VERB,
        };
        let what = match mode {
            Mode::Passive => "its 227/229 reply",
            Mode::Active => "its PORT/EPRT command",
        };
        let note = if record.midstream {
            format!(
                "linked by timing: the announcement ({what}) and this connection's handshake are not in the capture; it carried data between {connector} and {listener} while transfer {} was under way",
                t + 1
            )
        } else {
            format!(
                "linked by timing: the announcement ({what}) is not in the capture; {connector} opened this connection to {listener} while transfer {} was under way",
                t + 1
            )
        };
        if let Some(old) = self.transfers[t].negotiation
            && let Some(neg) = self.negotiations.get_mut(old)
        {
            neg.owner = None;
            if let Some(e) = neg.expectation.take() {
                self.actions.push(Action::Cancel(e));
            }
        }
        let n = self.push_taken_link(
            (setup.unwrap_or(cmd), setup_name),
            mode,
            (connector, listener),
            t,
            note,
            record,
        );
        self.transfers[t].negotiation = Some(n);
        None
    }
}

impl SessionCore {
    /// A connection no transfer took, opened while the control connection was encrypted:
    /// a transfer of its own, inferred. Gives the record back when the session was not
    /// encrypted then, or when commands the capture shows came after it (after CCC: those
    /// would have announced it in plain text).
    fn infer_encrypted_transfer(
        &mut self,
        record: ConnRecord,
        mode: Mode,
        connector: Endpoint,
        listener: Endpoint,
    ) -> Option<ConnRecord> {
        let opened = record.first_ts;
        let encrypted = self.tls.as_ref().is_some_and(|t| {
            t.ts.0 <= opened.0 && t.ended.as_ref().is_none_or(|e| opened.0 < e.ts.0)
        });
        let later_command = self
            .commands
            .last()
            .is_some_and(|c| c.frame > record.first_frame);
        if !encrypted || later_command {
            return Some(record);
        }
        // The busier direction is the transfer's: TLS handshakes are small next to it.
        let client_sent = if record.orig.ip == self.client.ip {
            record.orig_to_resp.bytes
        } else {
            record.resp_to_orig.bytes
        };
        let server_sent = record.orig_to_resp.bytes + record.resp_to_orig.bytes - client_sent;
        let direction = if client_sent > server_sent {
            Direction::Upload
        } else {
            Direction::Download
        };
        let t = self.transfers.len();
        let index = self.commands.len();
        let growth = self.commands_growth();
        self.grow_commands(growth);
        self.commands.push(CommandRecord {
            transfer: Some(t as u32 + 1),
            ..CommandRecord::inferred(opened, record.first_frame, UNKNOWN_VERB)
        });
        let who = match mode {
            Mode::Passive => "the client opened it: passive mode",
            Mode::Active if connector.port == 20 => {
                "the server opened it from port 20: active mode"
            }
            Mode::Active => "the server opened it: active mode",
        };
        let note = format!(
            "data connection inferred: the announcement is encrypted; a new connection from {connector} \
             to {listener} while the encrypted session was open ({who})"
        );
        let n = self.push_taken_link(
            (index, UNKNOWN_VERB),
            mode,
            (connector, listener),
            t,
            note,
            record,
        );
        self.transfers.push(TransferState {
            command_index: index,
            direction,
            negotiation: Some(n),
            rest_offset: None,
            announced_size: None,
            stored_as: None,
            preliminary: false,
            final_code: None,
            told: true,
            inferred: true,
        });
        None
    }
}

impl SessionCore {
    /// Records a data connection linked without its announcement (by timing, or by
    /// inference in an encrypted session) as a spent negotiation of transfer `owner`, set up
    /// by command `command_index` (`setup`, `?` when unknown), with an inexact link that says
    /// why. Returns the negotiation's index.
    fn push_taken_link(
        &mut self,
        (command_index, setup): (usize, &'static str),
        mode: Mode,
        (connector, listener): (Endpoint, Endpoint),
        owner: usize,
        note: String,
        record: ConnRecord,
    ) -> usize {
        self.negotiations.push(Negotiation {
            command_index,
            setup,
            mode,
            announced: listener,
            arithmetic: None,
            ts: record.first_ts,
            frame: record.first_frame,
            expectation: None,
            owner: Some(owner),
            spent: true,
            conn: Some(Box::new(ConnLink {
                link: LinkNote {
                    exact: false,
                    note: Some(note),
                },
                listener,
                connector,
                record: Some(record),
            })),
        });
        self.negotiations.len() - 1
    }
}
