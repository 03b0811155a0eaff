//! Firewall and NAT advice per FTP server, from what its sessions really did.
//!
//! [`Advisor`] is fed every ended session and keeps, per server (its IP and control port),
//! the rules its sessions needed, in the terms the articles teach:
//!
//! ```text
//! active:  control client >1023 -> server 21     data client >1023 <- server 20
//! passive: control client >1023 -> server 21     data client >1023 -> server P
//! ```
//!
//! each as four concrete rules per mode (the connection that opens, and the traffic that
//! answers it), with the ports actually seen: the server's real control port, the source
//! port its active data connections came from, the passive ports it announced (min-max and
//! how many). Failed data connections, NAT'd announcements, bounce attempts, password
//! guessing and encrypted sessions (whose data connections a firewall's FTP helper cannot
//! follow), from the session's findings, become [`Problem`]s naming the transfer (or the
//! session) and what to change.
//!
//! Memory is bounded: at most [`MAX_SERVERS`] servers, [`MAX_CLIENTS`] client addresses
//! and [`MAX_PROBLEMS`] problems per server; what a bound left out is counted.

pub mod commands;
pub mod text;

use crate::endpoint::Endpoint;
use crate::ftp::findings::FindingKind;
use crate::model::{Mode, Session};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

pub use commands::Syntax;

/// Servers tracked; sessions with further servers are counted, not advised on.
pub const MAX_SERVERS: usize = 256;
/// Client addresses named per server; beyond it the rules say "any address".
pub const MAX_CLIENTS: usize = 16;
/// Problems kept per server; later ones are counted.
pub const MAX_PROBLEMS: usize = 32;
/// Session numbers listed per rule in `seen_in`.
const MAX_SEEN_IN: usize = 32;

/// A port range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ports {
    /// Lowest port.
    pub min: u16,
    /// Highest port.
    pub max: u16,
}

impl Ports {
    /// The unprivileged ports, `>1023` in the articles.
    pub const HIGH: Ports = Ports {
        min: 1024,
        max: 65535,
    };

    /// One port.
    pub fn one(p: u16) -> Ports {
        Ports { min: p, max: p }
    }

    fn widen(&mut self, p: u16) {
        self.min = self.min.min(p);
        self.max = self.max.max(p);
    }

    /// As the articles write it: `21`, `>1023`, `61204-61210`.
    pub fn words(self) -> String {
        if self == Ports::HIGH {
            ">1023".into()
        } else if self.min == self.max {
            self.min.to_string()
        } else if self.max == 65535 {
            format!(">={}", self.min)
        } else {
            format!("{}-{}", self.min, self.max)
        }
    }
}

/// One side of a rule.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// `client` or `server`.
    pub role: &'static str,
    /// The addresses; `null`: any address (more clients than the bound).
    pub ips: Option<Vec<IpAddr>>,
    /// The ports.
    pub ports: Ports,
}

/// Which connection a rule is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleMode {
    /// The control connection (both modes need it).
    Control,
    /// Active data connections (PORT/EPRT: the server connects).
    Active,
    /// Passive data connections (PASV/EPSV: the client connects).
    Passive,
}

/// One traffic rule a firewall in front of the server must allow.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// The connection it is for.
    pub mode: RuleMode,
    /// `client_to_server` or `server_to_client`.
    pub direction: &'static str,
    /// Always `tcp` (FTP has no UDP).
    pub protocol: &'static str,
    /// Where the packets come from.
    pub from: Side,
    /// Where they go.
    pub to: Side,
    /// The rule in the articles' words: `client >1023 -> server 21`.
    pub ports: String,
    /// `new`: these packets open the connection; `established`: they answer it.
    pub state: &'static str,
    /// Why it is needed.
    pub why: String,
    /// Sessions that used it (the first few).
    pub seen_in: Vec<u32>,
}

/// A data connection (or announcement) that failed, and what to change.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The session.
    pub session: u32,
    /// The transfer, when the finding names one.
    pub transfer: Option<u32>,
    /// The transfer's command (`LIST`, `RETR`), when known.
    pub command: Option<String>,
    /// The finding it comes from.
    pub kind: FindingKind,
    /// What happened (the finding's message).
    pub what: String,
    /// What to change.
    pub fix: String,
    /// An address problem (a NAT'd announcement) seen again later: counted, not listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub repeats: u64,
}

/// The advice for one server.
#[derive(Debug, Clone, Serialize)]
pub struct ServerAdvice {
    /// The server's control endpoint.
    pub server: Endpoint,
    /// Sessions with this server.
    pub sessions: u64,
    /// Active data connections negotiated (PORT/EPRT/LPRT).
    pub active_transfers: u64,
    /// Passive announcements (227/228/229 replies).
    pub passive_announcements: u64,
    /// The passive ports announced, min-max; `null` when none.
    pub passive_ports: Option<Ports>,
    /// Every rule the sessions needed, control first.
    pub rules: Vec<Rule>,
    /// Failed data connections and NAT'd announcements, with the fix.
    pub problems: Vec<Problem>,
    /// Problems past the bound, counted.
    #[serde(skip_serializing_if = "is_zero")]
    pub problems_dropped: u64,
    /// The rules as commands (`--advice iptables|nftables`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands: Option<commands::Commands>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What is known of one server so far.
#[derive(Debug, Default)]
struct Seen {
    sessions: u64,
    session_ids: Vec<u32>,
    clients: BTreeSet<IpAddr>,
    clients_overflow: bool,
    /// Lowest client control port (a client on a port <= 1023 widens the rule).
    client_ctrl_low: Option<u16>,
    active: u64,
    active_sessions: Vec<u32>,
    /// Ports the server's active data connections came from.
    active_src: Option<Ports>,
    /// Ports the clients announced in PORT/EPRT.
    active_client_ports: Option<Ports>,
    passive: u64,
    passive_sessions: Vec<u32>,
    passive_ports: Option<Ports>,
    /// Passive data ports seen on the wire (differ from the announced ones behind NAT).
    passive_conn_ports: Option<Ports>,
    /// Passive data connections seen.
    passive_conns: u64,
    passive_client_ports: Option<Ports>,
    problems: Vec<Problem>,
    problems_dropped: u64,
}

fn widen(slot: &mut Option<Ports>, p: u16) {
    match slot {
        Some(r) => r.widen(p),
        None => *slot = Some(Ports::one(p)),
    }
}

fn note_session(list: &mut Vec<u32>, id: u32) {
    if list.len() < MAX_SEEN_IN && !list.contains(&id) {
        list.push(id);
    }
}

/// Accumulates the advice, server by server (see the module doc).
#[derive(Debug, Default)]
pub struct Advisor {
    servers: BTreeMap<Endpoint, Seen>,
    /// Sessions with servers past [`MAX_SERVERS`].
    untracked_sessions: u64,
}

impl Advisor {
    /// An empty advisor.
    pub fn new() -> Advisor {
        Advisor::default()
    }

    /// Sessions not advised on because [`MAX_SERVERS`] servers were tracked already.
    pub fn untracked_sessions(&self) -> u64 {
        self.untracked_sessions
    }

    /// Takes in an ended session.
    pub fn observe(&mut self, s: &Session) {
        if !self.servers.contains_key(&s.server) && self.servers.len() >= MAX_SERVERS {
            self.untracked_sessions += 1;
            return;
        }
        let seen = self.servers.entry(s.server).or_default();
        seen.sessions += 1;
        note_session(&mut seen.session_ids, s.id);
        if seen.clients.len() < MAX_CLIENTS || seen.clients.contains(&s.client.ip) {
            seen.clients.insert(s.client.ip);
        } else {
            seen.clients_overflow = true;
        }
        if s.client.port <= 1023 {
            seen.client_ctrl_low = Some(
                seen.client_ctrl_low
                    .map_or(s.client.port, |p| p.min(s.client.port)),
            );
        }
        for c in &s.commands {
            let Some(ep) = c.data_endpoint else { continue };
            match c.command.as_str() {
                "PORT" | "EPRT" | "LPRT" => widen(&mut seen.active_client_ports, ep.port),
                "PASV" | "EPSV" | "LPSV" => {
                    seen.passive += 1;
                    note_session(&mut seen.passive_sessions, s.id);
                    widen(&mut seen.passive_ports, ep.port);
                }
                _ => {}
            }
        }
        for t in &s.transfers {
            match t.mode {
                Some(Mode::Active) => {
                    seen.active += 1;
                    note_session(&mut seen.active_sessions, s.id);
                    if let Some(d) = &t.data {
                        widen(&mut seen.active_src, d.server.port);
                        widen(&mut seen.active_client_ports, d.client.port);
                    }
                }
                Some(Mode::Passive) => {
                    if let Some(d) = &t.data {
                        seen.passive_conns += 1;
                        widen(&mut seen.passive_conn_ports, d.server.port);
                        widen(&mut seen.passive_client_ports, d.client.port);
                        if seen.passive_ports.is_none() {
                            // The announcement is not in the capture: the port used stands in.
                            note_session(&mut seen.passive_sessions, s.id);
                        }
                    }
                }
                None => {}
            }
        }
        for f in &s.findings {
            let Some(fix) = fix_for(f.kind, s, f.transfer) else {
                continue;
            };
            // One problem per transfer and cause: a 425 after an unanswered SYN says no more.
            if f.kind == FindingKind::CannotOpenDataConnection
                && s.findings.iter().any(|g| {
                    g.transfer == f.transfer && g.transfer.is_some() && is_connect_failure(g.kind)
                })
            {
                continue;
            }
            // A NAT'd announcement repeats with every transfer, an encrypted session with
            // every data connection, password guessing with every session: one problem,
            // counted.
            if is_address_problem(f.kind) || is_per_server(f.kind) {
                if f.kind == FindingKind::DataAddressDiffers
                    && s.findings.iter().any(|g| {
                        matches!(
                            g.kind,
                            FindingKind::PasvAddressDiffers | FindingKind::PortAddressDiffers
                        )
                    })
                {
                    // The announcement's own finding says it already.
                    continue;
                }
                if let Some(p) = seen.problems.iter_mut().find(|p| p.kind == f.kind) {
                    p.repeats += 1;
                    continue;
                }
            }
            if seen.problems.len() >= MAX_PROBLEMS {
                seen.problems_dropped += 1;
                continue;
            }
            let command = f
                .transfer
                .and_then(|id| s.transfers.iter().find(|t| t.id == id))
                .map(|t| t.command.clone());
            // Per-server problems are told for the server, not for the first transfer.
            let (transfer, command, what) = match f.kind {
                FindingKind::DataLinkInferred => (None, None, TLS_WHAT.to_string()),
                _ => (f.transfer, command, f.message.clone()),
            };
            seen.problems.push(Problem {
                session: s.id,
                transfer,
                command,
                kind: f.kind,
                what,
                fix,
                repeats: 0,
            });
        }
    }

    /// The advice for every server, by server address; `syntax`: add the rules as commands.
    pub fn advice(&self, syntax: Option<Syntax>) -> Vec<ServerAdvice> {
        self.servers
            .iter()
            .map(|(server, seen)| {
                let mut a = build(*server, seen);
                a.commands = syntax.map(|x| commands::render(x, &a));
                a
            })
            .collect()
    }
}

fn is_address_problem(k: FindingKind) -> bool {
    matches!(
        k,
        FindingKind::PasvAddressDiffers
            | FindingKind::PortAddressDiffers
            | FindingKind::DataAddressDiffers
    )
}

/// Problems of the server rather than of one transfer: kept once, later ones counted.
fn is_per_server(k: FindingKind) -> bool {
    matches!(k, FindingKind::DataLinkInferred | FindingKind::BruteForce)
}

fn is_connect_failure(k: FindingKind) -> bool {
    matches!(
        k,
        FindingKind::ActiveConnectUnanswered
            | FindingKind::ActiveConnectRefused
            | FindingKind::PassiveConnectUnanswered
            | FindingKind::PassiveConnectRefused
    )
}

const ACTIVE_FIX: &str = "a firewall or NAT drops the server's connection to the client: use passive mode (PASV/EPSV); or, on a firewall in front of the server, allow active rules 3 and 4 (server 20 -> client >1023 and back); in front of the client, allow inbound connections from the server's data port to the client's ports >1023, or let a stateful firewall track FTP (Linux: the nf_conntrack_ftp helper and a RELATED rule)";
const PASSIVE_FIX: &str = "open (and behind NAT, forward) a fixed passive port range on the server's firewall, and configure the same range on the server (vsftpd pasv_min_port/pasv_max_port, proftpd PassivePorts, pure-ftpd -p)";
const PASV_NAT_FIX: &str = "the server is behind NAT and announces its private address: set the public address for passive replies (vsftpd pasv_address, proftpd MasqueradeAddress, pure-ftpd -P), or use EPSV, which announces no address";
const TLS_WHAT: &str = "the control connection is encrypted (FTPS): its PORT/PASV announcements cannot be read, by ftpflow or by a firewall; the data connections were linked by inference";
const TLS_FIX: &str = "a stateful firewall's FTP helper (Linux nf_conntrack_ftp) cannot open the data connections of an encrypted session: allow the data ports explicitly, with a fixed passive port range on the server (vsftpd pasv_min_port/pasv_max_port, proftpd PassivePorts) opened in the firewall; or let the client send CCC after login so the helper can read the announcements";
const BRUTE_FIX: &str = "block or rate-limit the client on the firewall (for example fail2ban on the server's log, or an nftables meter on new connections to port 21), and cap failed logins on the server (vsftpd max_login_fails, proftpd MaxLoginAttempts); check the accounts it tried";
const BOUNCE_FIX: &str = "refuse PORT/EPRT to other hosts and to ports below 1024 on the server (vsftpd port_promiscuous=NO, the default; proftpd AllowForeignAddress off), as RFC 2577 recommends; a firewall in front of the server can also drop its data connections to third hosts";
const PORT_NAT_FIX: &str = "the client is behind a NAT that does not rewrite PORT: use passive mode, or an FTP-aware NAT (Linux: nf_nat_ftp)";

/// What to change for a finding, or `None` when it is not about firewalls or NAT.
fn fix_for(kind: FindingKind, s: &Session, transfer: Option<u32>) -> Option<String> {
    let mode = transfer
        .and_then(|id| s.transfers.iter().find(|t| t.id == id))
        .and_then(|t| t.mode);
    Some(match kind {
        FindingKind::ActiveConnectUnanswered | FindingKind::ActiveConnectRefused => {
            ACTIVE_FIX.into()
        }
        // A connection to an announced private address: the announcement is the fault.
        FindingKind::PassiveConnectUnanswered | FindingKind::PassiveConnectRefused
            if s.findings
                .iter()
                .any(|f| f.kind == FindingKind::PasvAddressDiffers) =>
        {
            PASV_NAT_FIX.into()
        }
        FindingKind::PassiveConnectUnanswered | FindingKind::PassiveConnectRefused => {
            PASSIVE_FIX.into()
        }
        FindingKind::CannotOpenDataConnection => match mode {
            Some(Mode::Active) => ACTIVE_FIX.into(),
            Some(Mode::Passive) => PASSIVE_FIX.into(),
            None => format!("active mode: {ACTIVE_FIX}; passive mode: {PASSIVE_FIX}"),
        },
        FindingKind::PasvAddressDiffers => PASV_NAT_FIX.into(),
        FindingKind::DataLinkInferred => TLS_FIX.into(),
        FindingKind::BruteForce => BRUTE_FIX.into(),
        FindingKind::PortBounce => BOUNCE_FIX.into(),
        FindingKind::PortAddressDiffers => PORT_NAT_FIX.into(),
        FindingKind::DataAddressDiffers => format!(
            "a NAT between client and server rewrote the data connection: {}",
            match mode {
                Some(Mode::Active) => PORT_NAT_FIX,
                _ => PASV_NAT_FIX,
            }
        ),
        _ => return None,
    })
}

/// The rules and problems of one server.
fn build(server: Endpoint, seen: &Seen) -> ServerAdvice {
    let clients = if seen.clients_overflow {
        None
    } else {
        Some(seen.clients.iter().copied().collect::<Vec<_>>())
    };
    let client = |ports: Ports| Side {
        role: "client",
        ips: clients.clone(),
        ports,
    };
    let srv = |ports: Ports| Side {
        role: "server",
        ips: Some(vec![server.ip]),
        ports,
    };
    // Clients normally use ports >1023; one seen on a lower port widens the rule.
    let high_from = |low: Option<u16>| match low {
        Some(p) if p < 1024 => Ports { min: p, max: 65535 },
        _ => Ports::HIGH,
    };
    let ctrl_client = high_from(seen.client_ctrl_low);
    let ctrl = Ports::one(server.port);
    let mut rules = Vec::new();
    let low_note = match seen.client_ctrl_low {
        Some(p) => format!(" (a client used port {p}, below 1024)"),
        None => String::new(),
    };
    let mut pair = |mode: RuleMode,
                    opener_is_client: bool,
                    c: Ports,
                    s: Ports,
                    why_open: String,
                    why_answer: String,
                    seen_in: &[u32]| {
        let (c2s, s2c) = (
            format!("client {} -> server {}", c.words(), s.words()),
            format!("server {} -> client {}", s.words(), c.words()),
        );
        let c2s_rule = Rule {
            mode,
            direction: "client_to_server",
            protocol: "tcp",
            from: client(c),
            to: srv(s),
            ports: c2s,
            state: if opener_is_client {
                "new"
            } else {
                "established"
            },
            why: if opener_is_client {
                why_open.clone()
            } else {
                why_answer.clone()
            },
            seen_in: seen_in.to_vec(),
        };
        let s2c_rule = Rule {
            mode,
            direction: "server_to_client",
            protocol: "tcp",
            from: srv(s),
            to: client(c),
            ports: s2c,
            state: if opener_is_client {
                "established"
            } else {
                "new"
            },
            why: if opener_is_client {
                why_answer
            } else {
                why_open
            },
            seen_in: seen_in.to_vec(),
        };
        if opener_is_client {
            rules.push(c2s_rule);
            rules.push(s2c_rule);
        } else {
            rules.push(s2c_rule);
            rules.push(c2s_rule);
        }
    };
    pair(
        RuleMode::Control,
        true,
        ctrl_client,
        ctrl,
        format!(
            "the client opens the control connection to the server's port {}{low_note}",
            server.port
        ),
        "the server answers on the control connection (replies to the client's control port)"
            .into(),
        &seen.session_ids,
    );
    if seen.active > 0 {
        let (src, how) = match seen.active_src {
            Some(p) => (p, "the port the server's data connections came from"),
            None => (
                Ports::one(server.port.saturating_sub(1)),
                "no server SYN in the capture: the usual port, one below the control port",
            ),
        };
        let client_ports = high_from(seen.active_client_ports.map(|p| p.min));
        pair(
            RuleMode::Active,
            false,
            client_ports,
            src,
            format!(
                "active mode: the server opens the data connection from port {} ({how}) to the data port the client announced in PORT/EPRT",
                src.words()
            ),
            "active mode: the client acknowledges (and, for uploads, sends data) back to the server's data port".into(),
            &seen.active_sessions,
        );
    }
    if let Some(p) = seen.passive_ports.or(seen.passive_conn_ports) {
        let client_ports = high_from(seen.passive_client_ports.map(|p| p.min));
        let mut why = if seen.passive > 0 {
            format!(
                "passive mode: the client opens the data connection to the port P the server announced ({} announcement{}, ports {})",
                seen.passive,
                if seen.passive == 1 { "" } else { "s" },
                p.words()
            )
        } else {
            // Encrypted or not captured: the ports come from the connections themselves.
            format!(
                "passive mode: the client opens the data connection to the server's port P (ports {} seen on {} data connection{}; no announcement could be read)",
                p.words(),
                seen.passive_conns,
                if seen.passive_conns == 1 { "" } else { "s" }
            )
        };
        if let (Some(a), Some(c)) = (seen.passive_ports, seen.passive_conn_ports)
            && a != c
        {
            why.push_str(&format!(
                "; the connections reached ports {} (a NAT in between maps them)",
                c.words()
            ));
        }
        pair(
            RuleMode::Passive,
            true,
            client_ports,
            p,
            why,
            "passive mode: the server acknowledges and sends data back from port P".into(),
            &seen.passive_sessions,
        );
    }
    ServerAdvice {
        server,
        sessions: seen.sessions,
        active_transfers: seen.active,
        passive_announcements: seen.passive,
        passive_ports: seen.passive_ports,
        rules,
        problems: seen.problems.clone(),
        problems_dropped: seen.problems_dropped,
        commands: None,
    }
}

#[cfg(test)]
mod tests;
