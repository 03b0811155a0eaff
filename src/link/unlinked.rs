//! Connections between an FTP session's hosts that match none of its announcements: which
//! of them are worth listing as the session's unlinked data connections, and why.
//!
//! **Input:** sessions as they open, carry FTP, announce data ports and end; connections no
//! announcement claimed, when they close. **Output:** for each such connection, the session
//! it belongs to with the reason, or nothing (it is counted as another TCP connection).
//!
//! **Rules.** A connection is listed for a session only when all of these hold:
//! * the session was established (its control connection carried FTP): a port-21 SYN
//!   refused with RST is a refused attempt, and its hosts' other traffic is not FTP data;
//! * it looks like FTP data: from or to port 20, or between two unprivileged ports, and not
//!   to or from a well-known port of another protocol (HTTP on 8080, databases, ...),
//!   unless the session announced that port;
//! * it lies in the session's lifetime: it opened (SYN seen) while the session's control
//!   connection was open; or it was already running when the capture started, and so was
//!   the session; or its port is one the session announced, before or after.
//!
//! A connection may end before its session shows up in the capture (a long active transfer
//! that finishes before the control connection's first captured packet, the 226): such
//! connections wait, bounded in number and age, for a session of their hosts.

use crate::tcp::ConnRecord;
use crate::time::Timestamp;
use ahash::AHashMap;
use std::collections::VecDeque;
use std::net::IpAddr;

/// Sessions remembered per host pair.
const SESSIONS_PER_PAIR: usize = 8;
/// Ended sessions remembered for their hosts' late connections, across all host pairs:
/// memory stays flat however many sessions (or SYNs to port 21) the capture holds.
const ENDED_SESSIONS: usize = 16_384;
/// Announced ports remembered per session.
const PORTS_PER_SESSION: usize = 64;
/// A connection waits at most this long (capture time) for its session to appear.
const WAIT_NS: i64 = 300 * 1_000_000_000;
/// Slack around a session's lifetime (clocks of merged captures, a close that trails).
const SLACK_NS: i64 = 2 * 1_000_000_000;

/// Well-known ports of protocols other than FTP (at or above 1024; below 1024 every port
/// but 20 is excluded anyway).
const OTHER_SERVICES: &[u16] = &[
    1080, 1194, 1433, 1521, 1723, 1883, 2049, 2375, 2376, 3128, 3306, 3389, 5060, 5061, 5222, 5432,
    5672, 5900, 5938, 6379, 6443, 6667, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9092, 9200,
    9418, 11211, 27017,
];

/// What is known of one session, for its hosts' other connections.
#[derive(Debug, Clone)]
struct Life {
    /// Session index (id - 1).
    session: usize,
    start: Timestamp,
    end: Option<Timestamp>,
    established: bool,
    midstream: bool,
    announced: Vec<u16>,
}

/// The sessions of each host pair, and the connections waiting for a session.
#[derive(Default)]
pub struct HostPairs {
    pairs: AHashMap<(IpAddr, IpAddr), Vec<Life>>,
    /// Session index -> its host pair, while it may still change.
    of_session: AHashMap<usize, (IpAddr, IpAddr)>,
    waiting: VecDeque<ConnRecord>,
    max_waiting: usize,
    /// Ended established sessions, oldest first, as (host pair, session).
    ended: VecDeque<((IpAddr, IpAddr), usize)>,
}

/// A connection listed for a session.
pub struct Listed {
    /// Index of the session it is listed for (session id - 1).
    pub session: usize,
    /// Why it counts as one of the session's data connections, in words.
    pub reason: String,
    /// The connection.
    pub record: ConnRecord,
}

fn pair(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
    if a <= b { (a, b) } else { (b, a) }
}

impl HostPairs {
    /// Remembers at most `max_waiting` connections waiting for a session.
    pub fn new(max_waiting: usize) -> HostPairs {
        HostPairs {
            max_waiting,
            ..HostPairs::default()
        }
    }

    /// A session's control connection appeared. One already running when the capture
    /// started counts as established: waiting connections may belong to it.
    pub fn opened(
        &mut self,
        session: usize,
        a: IpAddr,
        b: IpAddr,
        ts: Timestamp,
        midstream: bool,
    ) -> Vec<Listed> {
        let key = pair(a, b);
        let list = self.pairs.entry(key).or_default();
        if list.len() >= SESSIONS_PER_PAIR {
            let old = list.remove(0);
            self.of_session.remove(&old.session);
        }
        if list.len() == list.capacity() {
            // Most host pairs carry one session at a time: grow 1, 2, 4..., not to four
            // at once (every open session paid for three empty records).
            list.reserve_exact(list.len().max(1));
        }
        list.push(Life {
            session,
            start: ts,
            end: None,
            established: midstream,
            midstream,
            announced: Vec::new(),
        });
        self.of_session.insert(session, key);
        if midstream {
            self.retry(session)
        } else {
            Vec::new()
        }
    }

    fn life(&mut self, session: usize) -> Option<&mut Life> {
        let key = self.of_session.get(&session)?;
        self.pairs
            .get_mut(key)?
            .iter_mut()
            .find(|l| l.session == session)
    }

    /// The session's control connection carried FTP: connections waiting for its hosts
    /// may now be listed.
    pub fn established(&mut self, session: usize) -> Vec<Listed> {
        match self.life(session) {
            Some(l) if !l.established => l.established = true,
            _ => return Vec::new(),
        }
        self.retry(session)
    }

    /// The session announced a data port.
    pub fn announced(&mut self, session: usize, port: u16) -> Vec<Listed> {
        let Some(l) = self.life(session) else {
            return Vec::new();
        };
        if l.announced.contains(&port) {
            return Vec::new();
        }
        if l.announced.len() >= PORTS_PER_SESSION {
            l.announced.remove(0);
        }
        l.announced.push(port);
        self.retry(session)
    }

    /// The session's control connection left the table. One that never carried FTP
    /// (a SYN nobody answered) explains no connection and is forgotten; of the others,
    /// the most recent `ENDED_SESSIONS` are remembered.
    pub fn ended(&mut self, session: usize, ts: Timestamp) {
        let Some(&key) = self.of_session.get(&session) else {
            return;
        };
        let established = match self.life(session) {
            Some(l) => {
                l.end = Some(ts);
                l.established
            }
            None => false,
        };
        self.of_session.remove(&session);
        if !established {
            self.forget(key, session);
            return;
        }
        self.ended.push_back((key, session));
        while self.ended.len() > ENDED_SESSIONS {
            if let Some((key, old)) = self.ended.pop_front() {
                self.forget(key, old);
            }
        }
    }

    /// Drops what is known of an ended session (and of its host pair, if nothing is left).
    fn forget(&mut self, key: (IpAddr, IpAddr), session: usize) {
        if let Some(list) = self.pairs.get_mut(&key) {
            list.retain(|l| l.session != session);
            if list.is_empty() {
                self.pairs.remove(&key);
            }
        }
    }

    /// A connection no announcement claimed has closed: listed for a session, or kept
    /// waiting for one, or (`Err`) not FTP data (counted elsewhere). Waiting connections
    /// that grew too old come back in `expired`.
    pub fn closed(&mut self, record: ConnRecord, expired: &mut Vec<ConnRecord>) -> Option<Listed> {
        self.expire(record.last_ts, expired);
        if let Some(l) = self.find(&record) {
            return Some(l.listed(record));
        }
        if !looks_like_data(&record, &[]) {
            expired.push(record);
            return None;
        }
        if self.waiting.len() >= self.max_waiting
            && let Some(old) = self.waiting.pop_front()
        {
            expired.push(old);
        }
        self.waiting.push_back(record);
        None
    }

    /// The established session of this connection's hosts whose lifetime its first packet
    /// falls in (for a connection whose handshake the capture lost).
    pub fn session_during(&self, r: &ConnRecord) -> Option<usize> {
        let list = self.pairs.get(&pair(r.orig.ip, r.resp.ip))?;
        list.iter()
            .rev()
            .find(|l| {
                l.established
                    && r.first_ts.0 >= l.start.0
                    && l.end.is_none_or(|e| r.first_ts.0 <= e.0)
            })
            .map(|l| l.session)
    }

    /// Sessions remembered (tests check that memory stays bounded).
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.pairs.values().map(Vec::len).sum()
    }

    /// Every connection still waiting (end of the capture).
    pub fn drain(&mut self) -> Vec<ConnRecord> {
        self.waiting.drain(..).collect()
    }

    fn expire(&mut self, now: Timestamp, expired: &mut Vec<ConnRecord>) {
        while self
            .waiting
            .front()
            .is_some_and(|r| now.0 - r.last_ts.0 > WAIT_NS)
        {
            expired.extend(self.waiting.pop_front());
        }
    }

    /// Waiting connections of a session's hosts that now belong to it.
    fn retry(&mut self, session: usize) -> Vec<Listed> {
        let Some(&key) = self.of_session.get(&session) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut keep = VecDeque::with_capacity(self.waiting.len());
        while let Some(r) = self.waiting.pop_front() {
            if pair(r.orig.ip, r.resp.ip) == key
                && let Some(l) = self.find(&r)
            {
                out.push(l.listed(r));
            } else {
                keep.push_back(r);
            }
        }
        self.waiting = keep;
        out
    }

    /// The session a connection belongs to, latest first, with the reason.
    fn find(&self, r: &ConnRecord) -> Option<Why> {
        let list = self.pairs.get(&pair(r.orig.ip, r.resp.ip))?;
        list.iter().rev().find_map(|l| why(l, r))
    }
}

/// Why a connection is listed for a session.
struct Why {
    session: usize,
    reason: String,
}

impl Why {
    fn listed(self, record: ConnRecord) -> Listed {
        Listed {
            session: self.session,
            reason: self.reason,
            record,
        }
    }
}

fn why(l: &Life, r: &ConnRecord) -> Option<Why> {
    if !l.established || !looks_like_data(r, &l.announced) {
        return None;
    }
    let id = l.session + 1;
    let announced = [r.orig.port, r.resp.port]
        .into_iter()
        .find(|p| l.announced.contains(p));
    let port20 = if r.orig.port == 20 || r.resp.port == 20 {
        " from port 20 (active-mode data)"
    } else {
        ""
    };
    let reason = if let Some(p) = announced {
        format!(
            "connects the hosts of FTP session {id} on port {p}, which the session announced, but no announcement in the capture explains this connection{}",
            if r.midstream {
                " (it was already running when the capture started)"
            } else {
                ""
            }
        )
    } else if r.midstream {
        if !l.midstream {
            return None;
        }
        format!(
            "already running when the capture started, like FTP session {id}, between its hosts{port20}: its PORT/PASV is before the capture"
        )
    } else {
        let opened = r.first_ts.0;
        let after_start = opened >= l.start.0 - SLACK_NS || l.midstream;
        let before_end = l.end.is_none_or(|e| opened <= e.0 + SLACK_NS);
        if !(after_start && before_end) {
            return None;
        }
        format!(
            "opened during FTP session {id} between its hosts{port20}, but matches none of its PORT/EPRT/PASV/EPSV announcements"
        )
    };
    Some(Why {
        session: l.session,
        reason,
    })
}

/// A connection that could be FTP data: from or to port 20, or between two unprivileged
/// ports neither of which is a well-known port of another protocol (unless announced).
pub fn looks_like_data(r: &ConnRecord, announced: &[u16]) -> bool {
    let (a, b) = (r.orig.port, r.resp.port);
    if announced.contains(&a) || announced.contains(&b) {
        return true;
    }
    if (a == 20) != (b == 20) {
        return true;
    }
    a >= 1024 && b >= 1024 && !OTHER_SERVICES.contains(&a) && !OTHER_SERVICES.contains(&b)
}
