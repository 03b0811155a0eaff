//! Expected data connections: the table that links negotiations to TCP connections.
//!
//! A PORT/EPRT/LPRT command or a 227/228/229 reply announces where a data connection will
//! be accepted. Each announcement registers one [`Expectation`], keyed by the announced port.
//! When a new TCP connection appears, [`ExpectTable::claim`] looks for the expectation whose
//! listening endpoint it reached:
//!
//! * the connection's responder port must equal the announced port;
//! * it must come from the control connection's other peer (the client in passive mode,
//!   the server in active mode), so one session never takes another's connection;
//! * its responder address should equal the announced address; when it does not, a
//!   responder address equal to the control connection's peer on the listening side (NAT
//!   rewrote the announced address, or the capture was rewritten) still links, and the
//!   link says why;
//! * the best score wins (announced address +2, listening peer +1), and
//!   among equals the oldest expectation, so a passive port reused by consecutive
//!   transfers links in time order.
//!
//! Expectations are single use: a claim removes it. They are also removed when superseded by
//! the session's next negotiation, when they expire, and when the table is full (the oldest
//! goes, counted). A connection seen mid-stream (no SYN) is tried in both orientations.

use crate::endpoint::Endpoint;
use crate::model::{LinkNote, Mode};
use crate::time::Timestamp;
use ahash::AHashMap;
use std::collections::VecDeque;
use std::net::IpAddr;

/// Handle of a registered expectation.
pub type ExpId = u32;

/// An announced data endpoint waiting for its connection.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// Index of the session that announced it (session id - 1).
    pub session: usize,
    /// Index of the negotiation inside that session.
    pub negotiation: usize,
    /// Active (PORT...) or passive (PASV...).
    pub mode: Mode,
    /// Where the data connection is to be accepted, as announced.
    pub announced: Endpoint,
    /// The control connection's address on the listening side (client for active mode).
    pub listener_peer: IpAddr,
    /// The control connection's address on the connecting side.
    pub connector_peer: IpAddr,
    /// When it was announced (capture time).
    pub ts: Timestamp,
}

/// A successful match.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The expectation the connection satisfied, now removed from the table.
    pub expectation: Expectation,
    /// How the listening endpoint matched the announced one.
    pub link: LinkNote,
    /// The endpoint that accepted the connection (the responder, or the orig of a
    /// mid-stream connection matched the other way round).
    pub listener: Endpoint,
    /// The endpoint that opened the connection.
    pub connector: Endpoint,
}

/// The expectations waiting for their data connection, indexed by announced port and
/// bounded in number and age.
pub struct ExpectTable {
    slots: Vec<Option<Expectation>>,
    free: Vec<ExpId>,
    by_port: AHashMap<u16, Vec<ExpId>>,
    /// The registration number of each slot's expectation: an id is reused once its
    /// expectation is gone, so `order` names an expectation by id and number.
    serial: Vec<u64>,
    next_serial: u64,
    /// Registration order, oldest first; entries of expectations already gone are
    /// skipped, and dropped when they outnumber the waiting ones (so it stays bounded).
    order: VecDeque<(ExpId, u64)>,
    live: usize,
    max: usize,
    max_age: i64,
    /// Expectations dropped because the table was full.
    pub evicted: u64,
    /// Expectations dropped because no connection came within the maximum age.
    pub expired: u64,
}

/// Connections may appear slightly before the announcement in capture time
/// (timestamps that jitter backwards); they are accepted within this slack.
const TIME_SLACK: i64 = 1_000_000_000;

impl ExpectTable {
    /// A table of at most `max` expectations, each kept at most `max_age` (capture time).
    pub fn new(max: usize, max_age: i64) -> ExpectTable {
        ExpectTable {
            slots: Vec::new(),
            free: Vec::new(),
            by_port: AHashMap::new(),
            serial: Vec::new(),
            next_serial: 0,
            order: VecDeque::new(),
            live: 0,
            max: max.max(1),
            max_age,
            evicted: 0,
            expired: 0,
        }
    }

    /// The session of a passive expectation waiting at exactly `at` (a 227/229 that
    /// announced it), if any.
    pub fn passive_waiting_at(&self, at: Endpoint) -> Option<usize> {
        self.by_port
            .get(&at.port)?
            .iter()
            .filter_map(|&id| self.slots.get(id as usize)?.as_ref())
            .find(|e| e.mode == Mode::Passive && e.announced == at)
            .map(|e| e.session)
    }

    /// The number of expectations waiting.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no expectation is waiting.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds an expectation, evicting the oldest when the table is full; returns its handle.
    pub fn register(&mut self, e: Expectation) -> ExpId {
        while self.live >= self.max {
            let Some((oldest, serial)) = self.order.pop_front() else {
                break;
            };
            if self.is_waiting(oldest, serial) && self.remove(oldest).is_some() {
                self.evicted += 1;
            }
        }
        let port = e.announced.port;
        let id = match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = Some(e);
                id
            }
            None => {
                self.slots.push(Some(e));
                self.serial.push(0);
                (self.slots.len() - 1) as ExpId
            }
        };
        self.next_serial += 1;
        self.serial[id as usize] = self.next_serial;
        self.by_port.entry(port).or_default().push(id);
        self.order.push_back((id, self.next_serial));
        self.live += 1;
        if self.order.len() > 2 * self.live + 64 {
            let (slots, serial) = (&self.slots, &self.serial);
            self.order
                .retain(|&(id, s)| slots[id as usize].is_some() && serial[id as usize] == s);
        }
        id
    }

    /// Whether the `order` entry `(id, serial)` still names a waiting expectation.
    fn is_waiting(&self, id: ExpId, serial: u64) -> bool {
        self.slots.get(id as usize).is_some_and(|s| s.is_some())
            && self.serial[id as usize] == serial
    }

    /// Removes an expectation (superseded, refused); returns it if it was still there.
    pub fn remove(&mut self, id: ExpId) -> Option<Expectation> {
        let e = self.slots.get_mut(id as usize)?.take()?;
        if let Some(list) = self.by_port.get_mut(&e.announced.port) {
            list.retain(|&x| x != id);
            if list.is_empty() {
                self.by_port.remove(&e.announced.port);
            }
        }
        self.free.push(id);
        self.live -= 1;
        Some(e)
    }

    /// Drops expectations older than the maximum age.
    pub fn expire(&mut self, now: Timestamp) {
        while let Some(&(id, serial)) = self.order.front() {
            if !self.is_waiting(id, serial) {
                // Already removed (claimed or superseded); its id may be in use again.
                self.order.pop_front();
                continue;
            }
            match self.slots.get(id as usize).and_then(|s| s.as_ref()) {
                Some(e) if now.0 - e.ts.0 > self.max_age => {
                    self.order.pop_front();
                    self.remove(id);
                    self.expired += 1;
                }
                _ => break,
            }
        }
    }

    /// Finds and removes the expectation a new connection satisfies.
    pub fn claim(
        &mut self,
        orig: Endpoint,
        resp: Endpoint,
        ts: Timestamp,
        midstream: bool,
    ) -> Option<Claim> {
        let mut best: Option<(u32, ExpId, Endpoint, Endpoint)> = None;
        let consider =
            |listener: Endpoint,
             connector: Endpoint,
             best: &mut Option<(u32, ExpId, Endpoint, Endpoint)>| {
                let Some(ids) = self.by_port.get(&listener.port) else {
                    return;
                };
                for &id in ids {
                    let Some(e) = self.slots[id as usize].as_ref() else {
                        continue;
                    };
                    if ts.0 < e.ts.0 - TIME_SLACK {
                        continue;
                    }
                    let Some(score) = score(e, listener, connector) else {
                        continue;
                    };
                    let better = match best {
                        None => true,
                        Some((s, bid, _, _)) => {
                            score > *s
                                || (score == *s
                                    && e.ts
                                        < self.slots[*bid as usize].as_ref().map_or(e.ts, |b| b.ts))
                        }
                    };
                    if better {
                        *best = Some((score, id, listener, connector));
                    }
                }
            };
        consider(resp, orig, &mut best);
        if midstream {
            consider(orig, resp, &mut best);
        }
        let (_, id, listener, connector) = best?;
        let e = self.remove(id)?;
        let link = link_note(&e, listener, connector);
        Some(Claim {
            expectation: e,
            link,
            listener,
            connector,
        })
    }

    /// Would this connection satisfy expectation `id`? (For connections seen before the
    /// announcement was parsed.)
    pub fn matches(
        &self,
        id: ExpId,
        orig: Endpoint,
        resp: Endpoint,
        midstream: bool,
    ) -> Option<(Endpoint, Endpoint)> {
        let e = self.slots.get(id as usize)?.as_ref()?;
        if resp.port == e.announced.port && score(e, resp, orig).is_some() {
            return Some((resp, orig));
        }
        if midstream && orig.port == e.announced.port && score(e, orig, resp).is_some() {
            return Some((orig, resp));
        }
        None
    }
}

fn score(e: &Expectation, listener: Endpoint, connector: Endpoint) -> Option<u32> {
    if listener.port != e.announced.port {
        return None;
    }
    // The connection must come from the other end of the control connection: the client
    // in passive mode, the server in active mode. (In a server-to-server transfer the
    // session whose PORT names the other server is the one that matches.)
    if connector.ip != e.connector_peer {
        return None;
    }
    let announced = listener.ip == e.announced.ip;
    let peer = listener.ip == e.listener_peer;
    if !(announced || peer) {
        return None;
    }
    Some(2 * announced as u32 + peer as u32)
}

/// Explains a claim whose listening address is not the announced one.
pub fn link_note(e: &Expectation, listener: Endpoint, _connector: Endpoint) -> LinkNote {
    if listener.ip == e.announced.ip {
        return LinkNote {
            exact: true,
            note: None,
        };
    }
    let who = match e.mode {
        Mode::Passive => "server",
        Mode::Active => "client",
    };
    let note = if listener.ip == e.listener_peer {
        format!(
            "announced {} but the connection went to {} (the {who}'s address on the control connection): \
             NAT or a rewritten capture changed the address; linked by port and peer",
            e.announced, listener
        )
    } else {
        format!(
            "announced {} but the connection went to {}; linked by port and the connecting host",
            e.announced, listener
        )
    };
    LinkNote {
        exact: false,
        note: Some(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> Endpoint {
        let (ip, port) = s.rsplit_once(':').unwrap();
        Endpoint::new(ip.parse().unwrap(), port.parse().unwrap())
    }

    fn active(session: usize, announced: &str, client: &str, server: &str, t: i64) -> Expectation {
        Expectation {
            session,
            negotiation: 0,
            mode: Mode::Active,
            announced: ep(announced),
            listener_peer: client.parse().unwrap(),
            connector_peer: server.parse().unwrap(),
            ts: Timestamp(t),
        }
    }

    #[test]
    fn exact_active_link() {
        let mut t = ExpectTable::new(16, i64::MAX);
        t.register(active(
            0,
            "192.168.120.168:51300",
            "192.168.120.168",
            "192.168.120.240",
            0,
        ));
        let c = t
            .claim(
                ep("192.168.120.240:20"),
                ep("192.168.120.168:51300"),
                Timestamp(5),
                false,
            )
            .unwrap();
        assert!(c.link.exact);
        assert!(t.is_empty());
        // Single use.
        assert!(
            t.claim(
                ep("192.168.120.240:20"),
                ep("192.168.120.168:51300"),
                Timestamp(6),
                false
            )
            .is_none()
        );
    }

    #[test]
    fn rewritten_addresses_link_to_the_right_session() {
        // Ten sessions all announce 192.168.0.13:59914; each data connection goes to its own client.
        let mut t = ExpectTable::new(64, i64::MAX);
        for k in 0..10u8 {
            let client = format!("192.168.0.{}", 13 + k);
            let server = format!("192.168.0.{}", 10 - k);
            t.register(active(
                k as usize,
                "192.168.0.13:59914",
                &client,
                &server,
                0,
            ));
        }
        let c = t
            .claim(
                ep("192.168.0.9:20"),
                ep("192.168.0.14:59914"),
                Timestamp(1),
                false,
            )
            .unwrap();
        assert_eq!(c.expectation.session, 1);
        assert!(!c.link.exact);
        assert!(c.link.note.unwrap().contains("NAT"));
        let c = t
            .claim(
                ep("192.168.0.10:20"),
                ep("192.168.0.13:59914"),
                Timestamp(1),
                false,
            )
            .unwrap();
        assert_eq!(c.expectation.session, 0);
        assert!(c.link.exact);
    }

    #[test]
    fn oldest_wins_among_equals_and_unrelated_hosts_do_not_link() {
        let mut t = ExpectTable::new(16, i64::MAX);
        let pasv = |n: usize, ts: i64| Expectation {
            session: 0,
            negotiation: n,
            mode: Mode::Passive,
            announced: ep("172.23.0.2:21008"),
            listener_peer: "172.23.0.2".parse().unwrap(),
            connector_peer: "172.23.0.3".parse().unwrap(),
            ts: Timestamp(ts),
        };
        t.register(pasv(1, 10));
        t.register(pasv(2, 20));
        assert!(
            t.claim(
                ep("10.9.9.9:4000"),
                ep("10.8.8.8:21008"),
                Timestamp(30),
                false
            )
            .is_none()
        );
        let c = t
            .claim(
                ep("172.23.0.3:46274"),
                ep("172.23.0.2:21008"),
                Timestamp(30),
                false,
            )
            .unwrap();
        assert_eq!(c.expectation.negotiation, 1);
    }

    #[test]
    fn bound_evicts_oldest_and_age_expires() {
        let mut t = ExpectTable::new(2, 100);
        for i in 0..3 {
            t.register(active(
                0,
                &format!("10.0.0.1:{}", 5000 + i),
                "10.0.0.1",
                "10.0.0.2",
                i,
            ));
        }
        assert_eq!(t.len(), 2);
        assert_eq!(t.evicted, 1);
        t.expire(Timestamp(1000));
        assert_eq!(t.len(), 0);
        assert_eq!(t.expired, 2);
    }

    #[test]
    fn midstream_connection_matches_either_way() {
        let mut t = ExpectTable::new(16, i64::MAX);
        t.register(active(0, "10.0.0.1:5000", "10.0.0.1", "10.0.0.2", 0));
        // The capture guessed the direction wrong: the listener appears as orig.
        let c = t
            .claim(ep("10.0.0.1:5000"), ep("10.0.0.2:20"), Timestamp(1), true)
            .unwrap();
        assert_eq!(c.listener, ep("10.0.0.1:5000"));
    }
}
