//! The statistics as a document: the `stats` object of the JSON report, and what the
//! text section draws. Built from the accumulator when the capture ends; every list is
//! cut to the busiest [`TOP`](super::TOP) entries (the codes and verbs are all listed:
//! there are few of them by construction).

use super::{HostCounts, PortSet, Stats, TOP, Tally, UserCounts};
use crate::ftp::meaning::{class_meaning, reply_meaning};
use serde::Serialize;
use std::net::IpAddr;

/// The statistics of a capture (`stats` in the JSON document).
#[derive(Debug, Clone, Serialize)]
pub struct StatsReport {
    /// Sessions, their logins and TLS.
    pub sessions: SessionCounts,
    /// Replies by class (first digit) and by code.
    pub replies: ReplyCounts,
    /// Commands by verb.
    pub commands: CommandCounts,
    /// Transfers by mode, setup, status and direction.
    pub transfers: TransferCounts,
    /// Sessions, transfers and bytes per user (the session's last USER), busiest first.
    pub users: Ranked<UserRow>,
    /// Passive data connections' server ports, per FTP server.
    pub passive_ports: Ranked<PassivePorts>,
    /// The busiest clients and servers.
    pub hosts: Hosts,
    /// Logins the server refused.
    pub failed_logins: FailedLogins,
    /// Connections that looked like FTP data but carried no transfer.
    pub unlinked_data_connections: CountBytes,
}

/// Sessions and their outcomes.
#[derive(Debug, Clone, Serialize)]
pub struct SessionCounts {
    /// FTP sessions.
    pub total: u64,
    /// Sessions whose login succeeded.
    pub login_success: u64,
    /// Sessions whose login failed (and none succeeded).
    pub login_failed: u64,
    /// Sessions without a login verdict.
    pub login_unknown: u64,
    /// Sessions that switched to TLS.
    pub tls: u64,
}

/// Replies by class and by code.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyCounts {
    /// Replies with a code (greetings and replies before any command included).
    pub total: u64,
    /// Lines where a reply was expected that were not one (no code).
    pub not_replies: u64,
    /// Per class (`1xx` ... `6xx`), the classes seen only.
    pub by_class: Vec<ClassRow>,
    /// Per code, in code order.
    pub by_code: Vec<CodeRow>,
}

/// One reply class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    /// `1xx`, `2xx`, ...
    pub class: String,
    /// What the class means (RFC 959 §4.2.1).
    pub meaning: &'static str,
    /// Replies of the class.
    pub count: u64,
}

/// One reply code.
#[derive(Debug, Clone, Serialize)]
pub struct CodeRow {
    /// The code.
    pub code: u16,
    /// What it means.
    pub meaning: &'static str,
    /// Replies with it.
    pub count: u64,
}

/// Commands by verb.
#[derive(Debug, Clone, Serialize)]
pub struct CommandCounts {
    /// Commands stored in the sessions (those past `--max-commands` are not).
    pub total: u64,
    /// Commands sent past the storage bound, counted but not stored: not in `by_verb`.
    pub not_stored: u64,
    /// Per verb, most frequent first.
    pub by_verb: Vec<VerbRow>,
    /// Commands whose verb found no room (more than 128 distinct unknown verbs).
    pub other_verbs: u64,
}

/// One verb.
#[derive(Debug, Clone, Serialize)]
pub struct VerbRow {
    /// The verb, uppercased.
    pub verb: String,
    /// Commands with it.
    pub count: u64,
}

/// Transfers counted several ways.
#[derive(Debug, Clone, Serialize)]
pub struct TransferCounts {
    /// Transfer commands.
    pub total: u64,
    /// By mode: `active`, `passive`, `unknown` (no negotiation seen).
    pub by_mode: ModeCounts,
    /// By the command that negotiated the data connection (`-` when none was seen).
    pub by_setup: Vec<SetupRow>,
    /// By how they ended.
    pub by_status: StatusCounts,
    /// Transfers and bytes per direction.
    pub by_direction: DirectionCounts,
}

/// Transfers per mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeCounts {
    /// PORT, EPRT, LPRT.
    pub active: u64,
    /// PASV, EPSV, LPSV.
    pub passive: u64,
    /// No negotiation seen.
    pub unknown: u64,
}

/// Transfers set up by one command.
#[derive(Debug, Clone, Serialize)]
pub struct SetupRow {
    /// `PORT`, `PASV`, ... or `-`.
    pub setup: String,
    /// Transfers.
    pub count: u64,
}

/// Transfers per status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCounts {
    /// A 2xx final reply.
    pub complete: u64,
    /// 426.
    pub aborted: u64,
    /// Another negative reply.
    pub failed: u64,
    /// No final reply.
    pub incomplete: u64,
}

/// Transfers and bytes per direction.
#[derive(Debug, Clone, Serialize)]
pub struct DirectionCounts {
    /// RETR.
    pub download: CountBytes,
    /// STOR, STOU, APPE.
    pub upload: CountBytes,
    /// LIST, NLST, MLSD.
    pub listing: CountBytes,
}

/// A count and its bytes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CountBytes {
    /// How many.
    pub count: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// A list cut to the busiest entries, and what it leaves out.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked<T> {
    /// Distinct entries kept (the list shows the first [`TOP`] of them).
    pub distinct: usize,
    /// More distinct entries came than are kept: some were counted under `other` only.
    pub bound_hit: bool,
    /// The busiest entries.
    pub list: Vec<T>,
}

/// One user.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    /// The last USER argument of the sessions (cut to 64 bytes); `null`: no USER seen.
    pub user: Option<String>,
    /// Sessions.
    pub sessions: u64,
    /// Transfers.
    pub transfers: u64,
    /// Bytes downloaded.
    pub bytes_downloaded: u64,
    /// Bytes uploaded.
    pub bytes_uploaded: u64,
    /// Bytes of directory listings.
    pub listing_bytes: u64,
}

/// The passive ports of one server.
#[derive(Debug, Clone, Serialize)]
pub struct PassivePorts {
    /// The FTP server's address (its control connection's).
    pub server: IpAddr,
    /// Passive data connections linked to a transfer.
    pub connections: u64,
    /// Distinct server ports they used.
    pub distinct_ports: u32,
    /// Lowest port.
    pub min: u16,
    /// Highest port.
    pub max: u16,
    /// The ports, when there are at most 16.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u16>>,
}

/// The busiest hosts.
#[derive(Debug, Clone, Serialize)]
pub struct Hosts {
    /// Clients by sessions.
    pub clients_by_sessions: Ranked<HostRow>,
    /// Clients by transfer bytes.
    pub clients_by_bytes: Ranked<HostRow>,
    /// Servers by sessions.
    pub servers_by_sessions: Ranked<HostRow>,
    /// Servers by transfer bytes.
    pub servers_by_bytes: Ranked<HostRow>,
    /// Sessions of hosts that found no room (client or server side).
    pub untracked_sessions: u64,
}

/// One host.
#[derive(Debug, Clone, Serialize)]
pub struct HostRow {
    /// Its address.
    pub host: IpAddr,
    /// Sessions.
    pub sessions: u64,
    /// Bytes their transfers carried.
    pub bytes: u64,
}

/// Failed logins.
#[derive(Debug, Clone, Serialize)]
pub struct FailedLogins {
    /// Login attempts refused.
    pub total: u64,
    /// Sessions whose login failed (none succeeded).
    pub sessions: u64,
    /// Per client address.
    pub by_client: Ranked<ClientCount>,
    /// Per user name tried.
    pub by_user: Ranked<UserCount>,
}

/// Failed logins of one client.
#[derive(Debug, Clone, Serialize)]
pub struct ClientCount {
    /// The client's address.
    pub client: IpAddr,
    /// Refused attempts.
    pub count: u64,
}

/// Failed logins of one user name.
#[derive(Debug, Clone, Serialize)]
pub struct UserCount {
    /// The name tried; `null` when the USER is not in the capture.
    pub user: Option<String>,
    /// Refused attempts.
    pub count: u64,
}

impl Stats {
    /// The statistics so far.
    pub fn report(&self) -> StatsReport {
        StatsReport {
            sessions: SessionCounts {
                total: self.sessions,
                login_success: self.logins[0],
                login_failed: self.logins[1],
                login_unknown: self.logins[2],
                tls: self.tls,
            },
            replies: self.replies(),
            commands: CommandCounts {
                total: self.commands,
                not_stored: self.commands_not_stored,
                by_verb: self
                    .verbs
                    .top(usize::MAX, |n| *n)
                    .into_iter()
                    .map(|(verb, count)| VerbRow {
                        verb: verb.clone(),
                        count: *count,
                    })
                    .collect(),
                other_verbs: *self.verbs.other(),
            },
            transfers: self.transfers(),
            users: ranked(&self.users, bytes_total, |(user, u)| UserRow {
                user: user.clone(),
                sessions: u.sessions,
                transfers: u.transfers,
                bytes_downloaded: u.bytes[0],
                bytes_uploaded: u.bytes[1],
                listing_bytes: u.bytes[2],
            }),
            passive_ports: ranked(&self.passive, PortSet::connections, |(ip, p)| {
                let (min, max) = p.range().unwrap_or_default();
                PassivePorts {
                    server: *ip,
                    connections: p.connections(),
                    distinct_ports: p.distinct(),
                    min,
                    max,
                    ports: p.listed(),
                }
            }),
            hosts: Hosts {
                clients_by_sessions: ranked(&self.clients, |h| h.sessions, host_row),
                clients_by_bytes: ranked(&self.clients, |h| h.bytes, host_row),
                servers_by_sessions: ranked(&self.servers, |h| h.sessions, host_row),
                servers_by_bytes: ranked(&self.servers, |h| h.bytes, host_row),
                untracked_sessions: self
                    .clients
                    .other()
                    .sessions
                    .max(self.servers.other().sessions),
            },
            failed_logins: FailedLogins {
                total: self.failed_logins,
                sessions: self.failed_sessions,
                by_client: ranked(
                    &self.failed_by_client,
                    |n| *n,
                    |(ip, n)| ClientCount {
                        client: *ip,
                        count: *n,
                    },
                ),
                by_user: ranked(
                    &self.failed_by_user,
                    |n| *n,
                    |(user, n)| UserCount {
                        user: user.clone(),
                        count: *n,
                    },
                ),
            },
            unlinked_data_connections: CountBytes {
                count: self.unlinked.0,
                bytes: self.unlinked.1,
            },
        }
    }

    fn replies(&self) -> ReplyCounts {
        let mut classes = [0u64; 10];
        let mut total = 0u64;
        let mut by_code = Vec::new();
        for (&code, &count) in self.replies.iter() {
            total += count;
            if let Some(c) = classes.get_mut(usize::from(code / 100)) {
                *c += count;
            }
            by_code.push(CodeRow {
                code,
                meaning: reply_meaning(code),
                count,
            });
        }
        let by_class = classes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(digit, &count)| ClassRow {
                class: format!("{digit}xx"),
                meaning: class_meaning(digit as u16 * 100),
                count,
            })
            .collect();
        ReplyCounts {
            total,
            not_replies: self.not_replies,
            by_class,
            by_code,
        }
    }

    fn transfers(&self) -> TransferCounts {
        let cb = |(count, bytes): (u64, u64)| CountBytes { count, bytes };
        TransferCounts {
            total: self.modes.iter().sum(),
            by_mode: ModeCounts {
                active: self.modes[0],
                passive: self.modes[1],
                unknown: self.modes[2],
            },
            by_setup: self
                .setups
                .top(usize::MAX, |n| *n)
                .into_iter()
                .map(|(setup, count)| SetupRow {
                    setup: setup.clone(),
                    count: *count,
                })
                .collect(),
            by_status: StatusCounts {
                complete: self.statuses[0],
                aborted: self.statuses[1],
                failed: self.statuses[2],
                incomplete: self.statuses[3],
            },
            by_direction: DirectionCounts {
                download: cb(self.directions[0]),
                upload: cb(self.directions[1]),
                listing: cb(self.directions[2]),
            },
        }
    }
}

fn bytes_total(u: &UserCounts) -> u64 {
    u.bytes.iter().fold(0u64, |a, b| a.saturating_add(*b))
}

fn host_row((ip, h): (&IpAddr, &HostCounts)) -> HostRow {
    HostRow {
        host: *ip,
        sessions: h.sessions,
        bytes: h.bytes,
    }
}

/// The [`TOP`] entries of `tally` by `score`, each made a row by `row`.
fn ranked<K: Ord, V: Default, S: Ord, T>(
    tally: &Tally<K, V>,
    score: impl Fn(&V) -> S,
    row: impl Fn((&K, &V)) -> T,
) -> Ranked<T> {
    Ranked {
        distinct: tally.len(),
        bound_hit: tally.bound_hit(),
        list: tally.top(TOP, score).into_iter().map(row).collect(),
    }
}
