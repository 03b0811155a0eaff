//! Statistics over a whole capture, like `tshark -z`: reply codes, command verbs,
//! transfers, bytes per user, passive ports per server, the busiest hosts and failed
//! logins (`--stats`, `--format stats`, and the `stats` object of the JSON document).
//!
//! **Input:** each session as it ends ([`Stats::add_session`]) and each unlinked data
//! connection ([`Stats::add_unlinked`]), from the event stream. **Output:** a
//! [`StatsReport`] (serialized as is into JSON, drawn as text by
//! `report::stats`).
//!
//! **Memory** does not grow with the number of sessions: every map is a [`Tally`] with a
//! fixed bound on its keys (hosts, users, verbs, servers); what finds no room is counted
//! in an `other` bucket and the report says the bound was hit. Every number is taken from
//! the session as the JSON report shows it, so it can be checked against that report.

mod ports;
mod summary;
mod tally;

pub use ports::PortSet;
pub use summary::*;
pub use tally::Tally;

use crate::ftp::verbs;
use crate::model::{
    Direction, Login, Mode, ReplyRecord, Session, Status, UnlinkedConnection, WireText,
};
use std::net::IpAddr;

/// Distinct verbs outside the verb table kept before the rest count as `other`: a
/// hostile capture may invent a million verbs (the known ones are always kept).
pub const UNKNOWN_VERBS: usize = 128;
/// Distinct hosts kept per role (clients, servers, failed-login clients).
pub const HOSTS: usize = 4096;
/// Distinct user names kept (per bytes, per failed login).
pub const USERS: usize = 1024;
/// Servers whose passive ports are kept (each may cost an 8 KiB bitmap).
pub const PASSIVE_SERVERS: usize = 256;
/// Bytes of a user name kept as its key (longer names are cut, ending in `…`).
pub const USER_KEY_BYTES: usize = 64;
/// Entries of each list in the report (the busiest first).
pub const TOP: usize = 10;

/// Counts of one user's sessions and transfers.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserCounts {
    /// Sessions whose last USER was this name.
    pub sessions: u64,
    /// Their transfers.
    pub transfers: u64,
    /// Bytes downloaded, uploaded and listed, in this order.
    pub bytes: [u64; 3],
}

/// Counts of one host's sessions.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostCounts {
    /// Sessions with this host as client (or server).
    pub sessions: u64,
    /// Bytes their transfers carried (all directions).
    pub bytes: u64,
}

/// The accumulator: fed each session as it ends, bounded whatever the capture.
#[derive(Debug, Clone)]
pub struct Stats {
    sessions: u64,
    /// Sessions by login outcome: success, failed, unknown.
    logins: [u64; 3],
    tls: u64,
    commands: u64,
    commands_not_stored: u64,
    verbs: Tally<String, u64>,
    replies: Tally<u16, u64>,
    /// Lines where a reply was expected that were not one (no code).
    not_replies: u64,
    /// Transfers by mode: active, passive, none seen.
    modes: [u64; 3],
    setups: Tally<String, u64>,
    /// Transfers by status: complete, aborted, failed, incomplete.
    statuses: [u64; 4],
    /// Transfers and bytes by direction: download, upload, listing.
    directions: [(u64, u64); 3],
    users: Tally<Option<String>, UserCounts>,
    passive: Tally<IpAddr, PortSet>,
    clients: Tally<IpAddr, HostCounts>,
    servers: Tally<IpAddr, HostCounts>,
    failed_logins: u64,
    failed_sessions: u64,
    failed_by_client: Tally<IpAddr, u64>,
    failed_by_user: Tally<Option<String>, u64>,
    unlinked: (u64, u64),
}

impl Default for Stats {
    fn default() -> Stats {
        Stats::new()
    }
}

impl Stats {
    /// An empty accumulator.
    pub fn new() -> Stats {
        Stats {
            sessions: 0,
            logins: [0; 3],
            tls: 0,
            commands: 0,
            commands_not_stored: 0,
            verbs: Tally::new(UNKNOWN_VERBS),
            // Codes are three digits: at most 1000 of them, all kept.
            replies: Tally::new(1000),
            not_replies: 0,
            modes: [0; 3],
            setups: Tally::new(16),
            statuses: [0; 4],
            directions: [(0, 0); 3],
            users: Tally::new(USERS),
            passive: Tally::new(PASSIVE_SERVERS),
            clients: Tally::new(HOSTS),
            servers: Tally::new(HOSTS),
            failed_logins: 0,
            failed_sessions: 0,
            failed_by_client: Tally::new(HOSTS),
            failed_by_user: Tally::new(USERS),
            unlinked: (0, 0),
        }
    }

    /// Counts an ended session.
    pub fn add_session(&mut self, s: &Session) {
        self.sessions += 1;
        self.logins[login_index(s.login)] += 1;
        if s.login == Login::Failed {
            self.failed_sessions += 1;
        }
        self.tls += u64::from(s.tls.is_some());
        self.commands += s.commands.len() as u64;
        self.commands_not_stored += s.summary.commands.saturating_sub(s.commands.len() as u64);

        let replies = s.commands.iter().flat_map(|c| &c.replies);
        for r in s
            .greeting
            .iter()
            .chain(&s.replies_without_command)
            .chain(replies)
        {
            self.add_reply(r);
        }
        for c in &s.commands {
            self.add_verb(&c.command);
        }

        let mut bytes = 0u64;
        for t in &s.transfers {
            self.modes[match t.mode {
                Some(Mode::Active) => 0,
                Some(Mode::Passive) => 1,
                None => 2,
            }] += 1;
            *self
                .setups
                .entry(t.setup.clone().unwrap_or_else(|| "-".into())) += 1;
            self.statuses[status_index(t.status)] += 1;
            let b = t.bytes.unwrap_or(0);
            let d = &mut self.directions[direction_index(t.direction)];
            d.0 += 1;
            d.1 = d.1.saturating_add(b);
            bytes = bytes.saturating_add(b);
            if t.mode == Some(Mode::Passive)
                && let Some(data) = &t.data
            {
                self.passive.entry(s.server.ip).add(data.server.port);
            }
        }

        let user = self.users.entry(s.user.as_ref().map(user_key));
        user.sessions += 1;
        user.transfers += s.transfers.len() as u64;
        let sum = &s.summary;
        for (total, b) in
            user.bytes
                .iter_mut()
                .zip([sum.bytes_downloaded, sum.bytes_uploaded, sum.listing_bytes])
        {
            *total = total.saturating_add(b);
        }
        for (tally, ip) in [
            (&mut self.clients, s.client.ip),
            (&mut self.servers, s.server.ip),
        ] {
            let host = tally.entry(ip);
            host.sessions += 1;
            host.bytes = host.bytes.saturating_add(bytes);
        }

        for a in s
            .login_attempts
            .iter()
            .filter(|a| a.result == Login::Failed)
        {
            self.failed_logins += 1;
            *self.failed_by_client.entry(s.client.ip) += 1;
            *self.failed_by_user.entry(a.user.as_ref().map(user_key)) += 1;
        }
    }

    /// Counts a data connection that carried no transfer.
    pub fn add_unlinked(&mut self, u: &UnlinkedConnection) {
        self.unlinked.0 += 1;
        let bytes = u
            .tcp
            .orig_to_resp
            .bytes
            .saturating_add(u.tcp.resp_to_orig.bytes);
        self.unlinked.1 = self.unlinked.1.saturating_add(bytes);
    }

    fn add_reply(&mut self, r: &ReplyRecord) {
        match r.code {
            Some(code) => *self.replies.entry(code) += 1,
            None => self.not_replies += 1,
        }
    }

    fn add_verb(&mut self, verb: &str) {
        // Known verbs come from a closed table: always kept.
        if verbs::lookup(verb).is_some() {
            *self.verbs.entry_unbounded(verb.to_string()) += 1;
        } else {
            *self.verbs.entry(verb.to_string()) += 1;
        }
    }
}

/// A user name as a key: its text, cut to [`USER_KEY_BYTES`] on a character boundary.
fn user_key(user: &WireText) -> String {
    let s = user.as_str();
    if s.len() <= USER_KEY_BYTES {
        return s.to_string();
    }
    let mut end = USER_KEY_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn login_index(l: Login) -> usize {
    match l {
        Login::Success => 0,
        Login::Failed => 1,
        Login::Unknown => 2,
    }
}

fn status_index(s: Status) -> usize {
    match s {
        Status::Complete => 0,
        Status::Aborted => 1,
        Status::Failed => 2,
        Status::Incomplete => 3,
    }
}

fn direction_index(d: Direction) -> usize {
    match d {
        Direction::Download => 0,
        Direction::Upload => 1,
        Direction::Listing => 2,
    }
}
