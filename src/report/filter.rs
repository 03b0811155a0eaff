//! The session filter (`--session`, `--host`, `--user`): a sink that wraps the format's
//! sink and passes on only the events of the sessions it keeps.
//!
//! **Input:** the event stream. **Output:** the same stream without the left-out
//! sessions' steps and ends, without their unlinked connections, and with the capture's
//! summary saying what was kept ([`FilterSummary`]). It wraps the statistics and the
//! format (which draws the advice), so both count only kept sessions.
//!
//! **Rules:** a session is kept when it matches one value of every option given (values
//! of one option are alternatives, options are combined with "and"). `--host` matches the
//! client, the server, a data connection's endpoints and an announced data endpoint.
//! A session's steps come just before its end, each carrying the whole session, so each
//! step is judged on its own: nothing is buffered. An unlinked connection is kept when
//! its session was kept, or (when that session has not ended yet) when its own endpoints
//! match `--host`; what was decided is one bit per session number. Live progress lines
//! are passed only for sessions named by `--session` (a host or user is not known for sure
//! before the session ends). The capture's password-guessing runs are kept when they match
//! too (their first session, their client or server, the users tried).

use crate::model::events::{Event, Sink};
use crate::model::{CaptureInfo, FilterSummary, Session, UnlinkedConnection};
use std::io;
use std::net::IpAddr;

/// An address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostMatch {
    net: IpAddr,
    prefix: u8,
}

impl HostMatch {
    /// Parses `IP` or `IP/PREFIX`; an error says what is wrong.
    pub fn parse(s: &str) -> Result<HostMatch, String> {
        let (ip, prefix) = match s.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| format!("--host {s:?}: not an IP address or a CIDR block"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.trim().parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => {
                    return Err(format!(
                        "--host {s:?}: the prefix length must be 0 to {max}"
                    ));
                }
            },
        };
        Ok(HostMatch { net, prefix })
    }

    /// Whether `ip` is this address or inside this block (IPv4-mapped IPv6 addresses
    /// match their IPv4 form).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), self.prefix),
            _ => false,
        }
    }
}

/// Whether the first `bits` bits of `a` and `b` are equal.
fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[full] & mask) == (b[full] & mask)
}

/// What to keep. Empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// Session numbers.
    pub sessions: Vec<u32>,
    /// Addresses or blocks, with the text the user gave.
    pub hosts: Vec<(HostMatch, String)>,
    /// User names (exact, as sent).
    pub users: Vec<String>,
}

impl Criteria {
    /// Whether anything is filtered at all.
    pub fn is_active(&self) -> bool {
        !(self.sessions.is_empty() && self.hosts.is_empty() && self.users.is_empty())
    }

    fn host(&self, ip: IpAddr) -> bool {
        self.hosts.iter().any(|(h, _)| h.contains(ip))
    }

    /// Whether `s` is kept.
    pub fn keeps(&self, s: &Session) -> bool {
        if !self.sessions.is_empty() && !self.sessions.contains(&s.id) {
            return false;
        }
        if !self.hosts.is_empty() {
            let data = s.transfers.iter().flat_map(|t| {
                let conn = t.data.as_ref().map(|d| [d.tcp.orig.ip, d.tcp.resp.ip]);
                conn.into_iter()
                    .flatten()
                    .chain(t.data_endpoint.map(|e| e.ip))
            });
            let announced = s
                .commands
                .iter()
                .filter_map(|c| c.data_endpoint.map(|e| e.ip));
            let mut ips = [s.client.ip, s.server.ip]
                .into_iter()
                .chain(data)
                .chain(announced);
            if !ips.any(|ip| self.host(ip)) {
                return false;
            }
        }
        if !self.users.is_empty() {
            let named = |u: &crate::model::WireText| {
                self.users
                    .iter()
                    .any(|want| u.wire_bytes() == want.as_bytes())
            };
            let tried = s.login_attempts.iter().filter_map(|a| a.user.as_ref());
            if !s.user.iter().chain(tried).any(named) {
                return false;
            }
        }
        true
    }

    fn summary(&self) -> FilterSummary {
        FilterSummary {
            sessions: self.sessions.clone(),
            hosts: self.hosts.iter().map(|(_, s)| s.clone()).collect(),
            users: self.users.clone(),
            ..FilterSummary::default()
        }
    }
}

/// The sink that keeps only the matching sessions' events (see the module's doc).
pub struct SessionFilter {
    inner: Box<dyn Sink>,
    criteria: Criteria,
    /// Bit `id` set: session `id` ended and was kept.
    kept_ids: Vec<u64>,
    /// The session whose steps are passing, and whether it is kept: judged once, not
    /// per step (a long session has many steps and many addresses to look at).
    current: Option<(u32, bool)>,
    summary: FilterSummary,
}

impl SessionFilter {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn Sink>, criteria: Criteria) -> SessionFilter {
        let summary = criteria.summary();
        SessionFilter {
            inner,
            criteria,
            kept_ids: Vec::new(),
            current: None,
            summary,
        }
    }

    fn keeps(&mut self, s: &Session) -> bool {
        match self.current {
            Some((id, keep)) if id == s.id => keep,
            _ => {
                let keep = self.criteria.keeps(s);
                self.current = Some((s.id, keep));
                keep
            }
        }
    }

    fn mark_kept(&mut self, id: u32) {
        let (word, bit) = (id as usize / 64, id % 64);
        if self.kept_ids.len() <= word {
            self.kept_ids.resize(word + 1, 0);
        }
        self.kept_ids[word] |= 1 << bit;
    }

    fn was_kept(&self, id: u32) -> bool {
        let (word, bit) = (id as usize / 64, id % 64);
        self.kept_ids.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    fn keeps_unlinked(&self, u: &UnlinkedConnection) -> bool {
        if let Some(id) = u.session
            && self.was_kept(id)
        {
            return true;
        }
        // Its session has not ended (or was left out): only its own hosts can tell.
        let c = &self.criteria;
        let id_ok = c.sessions.is_empty() || u.session.is_some_and(|id| c.sessions.contains(&id));
        let hosts_ok = c.host(u.tcp.orig.ip) || c.host(u.tcp.resp.ip);
        id_ok && !c.hosts.is_empty() && hosts_ok && c.users.is_empty()
    }

    fn finished(&mut self, c: &CaptureInfo) -> io::Result<()> {
        let mut c = c.clone();
        c.filter = Some(self.summary.clone());
        // Password guessing is told with the capture: only the runs of the kept view.
        let crit = &self.criteria;
        c.brute_force.retain(|r| {
            (crit.sessions.is_empty() || crit.sessions.contains(&r.first_session))
                && (crit.hosts.is_empty() || crit.host(r.client) || crit.host(r.server))
                && (crit.users.is_empty()
                    || crit
                        .users
                        .iter()
                        .any(|u| r.users.contains(u) || r.succeeded_as.as_ref() == Some(u)))
        });
        self.inner.event(&Event::Finished(&c))
    }
}

impl Sink for SessionFilter {
    fn wants_steps(&self) -> bool {
        self.inner.wants_steps()
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Step { session, .. } if !self.keeps(session) => Ok(()),
            Event::SessionEnded(s) => {
                let keep = self.keeps(s);
                self.current = None;
                if keep {
                    self.summary.sessions_kept += 1;
                    self.mark_kept(s.id);
                    self.inner.event(ev)
                } else {
                    self.summary.sessions_filtered_out += 1;
                    Ok(())
                }
            }
            Event::Unlinked(u) => {
                if self.keeps_unlinked(u) {
                    self.inner.event(ev)
                } else {
                    self.summary.unlinked_filtered_out += 1;
                    Ok(())
                }
            }
            Event::Progress { session, .. } => {
                let c = &self.criteria;
                if c.sessions.contains(session) && c.hosts.is_empty() && c.users.is_empty() {
                    self.inner.event(ev)
                } else {
                    Ok(())
                }
            }
            Event::Finished(c) => self.finished(c),
            _ => self.inner.event(ev),
        }
    }
}

/// The capture summary's lines about the filter and `-c`, in English (the timeline and
/// the table translate them): what was asked, kept and left out; where reading stopped.
pub fn summary_lines(c: &CaptureInfo) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(f) = &c.filter {
        let mut asked = Vec::new();
        let list = |v: Vec<String>| v.join(",");
        if !f.sessions.is_empty() {
            asked.push(format!(
                "--session {}",
                list(f.sessions.iter().map(u32::to_string).collect())
            ));
        }
        if !f.hosts.is_empty() {
            asked.push(format!("--host {}", list(f.hosts.clone())));
        }
        for u in &f.users {
            asked.push(format!("--user {}", crate::report::safe::prose(u)));
        }
        lines.push(format!(
            "filter {}: {} FTP session{} kept, {} left out ({} unlinked data connection{} left out)",
            asked.join(" "),
            f.sessions_kept,
            super::fmt::plural(f.sessions_kept),
            f.sessions_filtered_out,
            f.unlinked_filtered_out,
            super::fmt::plural(f.unlinked_filtered_out),
        ));
    }
    if let Some(n) = c.stopped_at_count {
        lines.push(format!(
            "stopped after {n} packets (-c {n}): the rest of the input was not read"
        ));
    }
    lines
}

/// `sink`, behind a [`SessionFilter`] when `criteria` filter anything (otherwise as it
/// is: no cost without the options).
pub fn wrap(sink: Box<dyn Sink>, criteria: &Criteria) -> Box<dyn Sink> {
    if criteria.is_active() {
        Box::new(SessionFilter::new(sink, criteria.clone()))
    } else {
        sink
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_blocks_match_by_prefix() {
        let h = |s: &str| HostMatch::parse(s).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(h("10.0.0.1").contains(ip("10.0.0.1")));
        assert!(!h("10.0.0.1").contains(ip("10.0.0.2")));
        assert!(h("10.0.0.0/8").contains(ip("10.200.3.4")));
        assert!(!h("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(h("192.168.1.128/25").contains(ip("192.168.1.200")));
        assert!(!h("192.168.1.128/25").contains(ip("192.168.1.100")));
        assert!(h("0.0.0.0/0").contains(ip("1.2.3.4")));
        assert!(!h("0.0.0.0/0").contains(ip("::1")));
        assert!(h("2001:db8::/32").contains(ip("2001:db8:1::5")));
        assert!(h("10.0.0.1").contains(ip("::ffff:10.0.0.1")));
        for bad in ["10.0.0", "10.0.0.0/33", "::/129", "host", "10.0.0.0/x", ""] {
            assert!(HostMatch::parse(bad).is_err(), "{bad}");
        }
    }
}
