//! Unit tests of linking: the expectation table, the host pairs that list unexplained
//! connections, and the tracker end to end, driven through the TCP table with scripted
//! segments the way [`crate::analyze`] drives it.

use super::expect::{ExpectTable, Expectation};
use super::tracker::{Tracker, TrackerConfig, TrackerCounts};
use super::unlinked::HostPairs;
use crate::decode::TcpFlags;
use crate::endpoint::Endpoint;
use crate::ftp::findings::FindingKind;
use crate::model::events::{Event, Sink};
use crate::model::{
    ConnRecord, DirStats, Direction, EndReason, Mode, Session, Status, TcpState, UnlinkedConnection,
};
use crate::tcp::{TcpConfig, TcpTable};
use crate::time::Timestamp;
use std::cell::RefCell;
use std::rc::Rc;

const SEC: i64 = 1_000_000_000;

fn ep(s: &str) -> Endpoint {
    let (ip, port) = s.rsplit_once(':').unwrap();
    Endpoint::new(ip.parse().unwrap(), port.parse().unwrap())
}

// ---------------------------------------------------------------------------------------
// ExpectTable

/// A passive expectation: the server (`server` on the control connection) announced
/// `announced`; the client `client` is to connect.
fn passive(session: usize, announced: &str, client: &str, server: &str, ts: i64) -> Expectation {
    Expectation {
        session,
        negotiation: 0,
        mode: Mode::Passive,
        announced: ep(announced),
        listener_peer: server.parse().unwrap(),
        connector_peer: client.parse().unwrap(),
        ts: Timestamp(ts),
    }
}

/// The client's connection to exactly the announced address and port claims the
/// expectation, once; a connection to another port of the same host does not.
#[test]
fn expect_claims_by_exact_address_and_port_once() {
    let mut t = ExpectTable::new(16, 300 * SEC);
    t.register(passive(
        3,
        "198.51.100.20:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    let client = ep("192.0.2.10:50101");
    assert!(
        t.claim(client, ep("198.51.100.20:50001"), Timestamp(SEC), false)
            .is_none(),
        "another port"
    );
    let c = t
        .claim(client, ep("198.51.100.20:50000"), Timestamp(SEC), false)
        .expect("the announced endpoint");
    assert_eq!(c.expectation.session, 3);
    assert!(c.link.exact);
    assert!(c.link.note.is_none());
    assert_eq!(c.listener, ep("198.51.100.20:50000"));
    assert_eq!(c.connector, client);
    assert!(t.is_empty());
    assert!(
        t.claim(client, ep("198.51.100.20:50000"), Timestamp(SEC), false)
            .is_none(),
        "an expectation is single use"
    );
}

/// Only the control connection's other host may answer: a third host connecting to the
/// announced endpoint does not take the session's data connection.
#[test]
fn expect_ignores_a_third_host_on_the_announced_port() {
    let mut t = ExpectTable::new(16, 300 * SEC);
    t.register(passive(
        0,
        "198.51.100.20:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    assert!(
        t.claim(
            ep("203.0.113.7:40000"),
            ep("198.51.100.20:50000"),
            Timestamp(1),
            false
        )
        .is_none()
    );
    assert_eq!(t.len(), 1);
}

/// Behind NAT the server announces its private address, but the client connects to the
/// server's public address (the control connection's): linked by port and peer, marked
/// inexact, with a note naming both addresses and NAT.
#[test]
fn expect_links_by_port_and_peer_behind_nat_with_a_note() {
    let mut t = ExpectTable::new(16, 300 * SEC);
    t.register(passive(
        0,
        "10.0.0.5:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    let c = t
        .claim(
            ep("192.0.2.10:50101"),
            ep("198.51.100.20:50000"),
            Timestamp(1),
            false,
        )
        .expect("linked by port and peer");
    assert!(!c.link.exact);
    let note = c.link.note.expect("a note");
    assert!(note.contains("10.0.0.5:50000"), "{note}");
    assert!(note.contains("198.51.100.20:50000"), "{note}");
    assert!(note.contains("NAT"), "{note}");
    // Neither the announced address nor the server's: no link.
    let mut t = ExpectTable::new(16, 300 * SEC);
    t.register(passive(
        0,
        "10.0.0.5:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    assert!(
        t.claim(
            ep("192.0.2.10:50101"),
            ep("198.51.100.99:50000"),
            Timestamp(1),
            false
        )
        .is_none()
    );
}

/// When two expectations share the port, the one whose announced address the connection
/// reached wins over one matched only by peer, even if that one is older.
#[test]
fn expect_prefers_the_announced_address_over_a_peer_match() {
    let mut t = ExpectTable::new(16, 300 * SEC);
    t.register(passive(
        0,
        "10.0.0.5:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    t.register(passive(
        1,
        "198.51.100.20:50000",
        "192.0.2.10",
        "198.51.100.20",
        SEC,
    ));
    let c = t
        .claim(
            ep("192.0.2.10:50101"),
            ep("198.51.100.20:50000"),
            Timestamp(2 * SEC),
            false,
        )
        .unwrap();
    assert_eq!(c.expectation.session, 1);
    assert!(c.link.exact);
    assert_eq!(t.len(), 1);
}

/// An announcement not used within the maximum age is forgotten: a connection after that
/// no longer links to it.
#[test]
fn expect_expires_by_age() {
    let mut t = ExpectTable::new(16, 10 * SEC);
    t.register(passive(
        0,
        "198.51.100.20:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    t.expire(Timestamp(9 * SEC));
    assert_eq!(t.len(), 1, "still young");
    t.expire(Timestamp(11 * SEC));
    assert_eq!(t.len(), 0);
    assert_eq!(t.expired, 1);
    assert!(
        t.claim(
            ep("192.0.2.10:50101"),
            ep("198.51.100.20:50000"),
            Timestamp(11 * SEC),
            false
        )
        .is_none()
    );
}

/// A connection that opened well before the announcement (beyond clock jitter) cannot be
/// the one it announces.
#[test]
fn expect_refuses_a_connection_older_than_the_announcement() {
    let mut t = ExpectTable::new(16, 300 * SEC);
    t.register(passive(
        0,
        "198.51.100.20:50000",
        "192.0.2.10",
        "198.51.100.20",
        10 * SEC,
    ));
    let (c, s) = (ep("192.0.2.10:50101"), ep("198.51.100.20:50000"));
    assert!(t.claim(c, s, Timestamp(5 * SEC), false).is_none());
    // Within the slack (timestamps that jitter backwards) it still links.
    assert!(
        t.claim(c, s, Timestamp(10 * SEC - SEC / 2), false)
            .is_some()
    );
}

/// The table is bounded: past its size the oldest announcement goes (counted), the newer
/// ones still link. A removed (superseded) one does not link either.
#[test]
fn expect_is_bounded_and_evicts_the_oldest() {
    let mut t = ExpectTable::new(2, 300 * SEC);
    let ids: Vec<_> = (0..3)
        .map(|i| {
            t.register(passive(
                i,
                &format!("198.51.100.20:{}", 50000 + i),
                "192.0.2.10",
                "198.51.100.20",
                i as i64,
            ))
        })
        .collect();
    assert_eq!(t.len(), 2);
    assert_eq!(t.evicted, 1);
    let client = ep("192.0.2.10:40000");
    let at = Timestamp(10);
    assert!(
        t.claim(client, ep("198.51.100.20:50000"), at, false)
            .is_none(),
        "the oldest was evicted"
    );
    assert!(t.remove(ids[1]).is_some());
    assert!(
        t.claim(client, ep("198.51.100.20:50001"), at, false)
            .is_none(),
        "removed"
    );
    let c = t
        .claim(client, ep("198.51.100.20:50002"), at, false)
        .unwrap();
    assert_eq!(c.expectation.session, 2);
}

/// `matches` (for a connection seen before its announcement was parsed) agrees with
/// `claim` and leaves the expectation in place.
#[test]
fn expect_matches_without_removing() {
    let mut t = ExpectTable::new(16, 300 * SEC);
    let id = t.register(passive(
        0,
        "198.51.100.20:50000",
        "192.0.2.10",
        "198.51.100.20",
        0,
    ));
    let (c, s) = (ep("192.0.2.10:50101"), ep("198.51.100.20:50000"));
    assert_eq!(t.matches(id, c, s, false), Some((s, c)));
    assert_eq!(t.matches(id, s, c, false), None, "wrong way round");
    assert_eq!(
        t.matches(id, s, c, true),
        Some((s, c)),
        "mid-stream: either way"
    );
    assert_eq!(t.len(), 1);
}

// ---------------------------------------------------------------------------------------
// HostPairs

const CLIENT_IP: &str = "192.0.2.10";
const SERVER_IP: &str = "198.51.100.20";

/// A connection record between `orig` and `resp`, open from `first` to `last` seconds.
fn record(orig: &str, resp: &str, first: i64, last: i64, midstream: bool) -> ConnRecord {
    ConnRecord {
        id: 99,
        orig: ep(orig),
        resp: ep(resp),
        first_ts: Timestamp(first * SEC),
        last_ts: Timestamp(last * SEC),
        first_frame: 1,
        last_frame: 2,
        packets: 2,
        midstream,
        handshake: None,
        close: None,
        state: "SF",
        history: "ShADadFf".into(),
        orig_state: TcpState::Closed,
        resp_state: TcpState::Closed,
        orig_to_resp: DirStats::default(),
        resp_to_orig: DirStats::default(),
        end: EndReason::Closed,
        segments: Vec::new(),
        segments_not_noted: 0,
        preview: [Vec::new(), Vec::new()],
        content: None,
    }
}

/// Session 0 between the client and the server, opened at 100 s and established.
fn pairs_with_session() -> HostPairs {
    let mut p = HostPairs::new(16);
    let (c, s) = (CLIENT_IP.parse().unwrap(), SERVER_IP.parse().unwrap());
    assert!(p.opened(0, c, s, Timestamp(100 * SEC), false).is_empty());
    assert!(p.established(0).is_empty());
    p
}

/// A connection from the server's port 20 to the client during the session, that no
/// announcement explains, is listed for the session as active-mode data.
#[test]
fn pairs_list_a_port_20_connection_during_the_session() {
    let mut p = pairs_with_session();
    let mut other = Vec::new();
    let l = p
        .closed(
            record("198.51.100.20:20", "192.0.2.10:40000", 110, 112, false),
            &mut other,
        )
        .expect("listed");
    assert!(other.is_empty());
    assert_eq!(l.session, 0);
    assert!(l.reason.contains("FTP session 1"), "{}", l.reason);
    assert!(l.reason.contains("port 20"), "{}", l.reason);
    // Between two unprivileged ports (a passive connection): listed too.
    let l = p
        .closed(
            record("192.0.2.10:40001", "198.51.100.20:50000", 120, 121, false),
            &mut other,
        )
        .expect("listed");
    assert!(l.reason.contains("matches none"), "{}", l.reason);
}

/// Connections between the same hosts to another service (MySQL on 3306, HTTPS on 443)
/// are not FTP data: not listed, handed back as other traffic. A port the session
/// announced is data even if it is another service's well-known port.
#[test]
fn pairs_do_not_list_other_services_unless_announced() {
    let mut p = pairs_with_session();
    let mut other = Vec::new();
    for resp in [
        "198.51.100.20:3306",
        "198.51.100.20:443",
        "198.51.100.20:8080",
    ] {
        assert!(
            p.closed(
                record("192.0.2.10:40000", resp, 110, 111, false),
                &mut other
            )
            .is_none(),
            "{resp}"
        );
    }
    assert_eq!(other.len(), 3);
    assert!(p.announced(0, 8080).is_empty());
    let l = p
        .closed(
            record("192.0.2.10:40002", "198.51.100.20:8080", 120, 121, false),
            &mut other,
        )
        .expect("an announced port");
    assert!(l.reason.contains("port 8080"), "{}", l.reason);
    assert!(l.reason.contains("announced"), "{}", l.reason);
}

/// A session whose control connection never carried FTP (a refused port-21 SYN) does not
/// make its hosts' other traffic FTP data; nor does a session that ended long before.
#[test]
fn pairs_need_an_established_session_in_its_lifetime() {
    let mut p = HostPairs::new(16);
    let (c, s) = (CLIENT_IP.parse().unwrap(), SERVER_IP.parse().unwrap());
    p.opened(0, c, s, Timestamp(100 * SEC), false);
    let mut other = Vec::new();
    assert!(
        p.closed(
            record("198.51.100.20:20", "192.0.2.10:40000", 110, 111, false),
            &mut other
        )
        .is_none(),
        "not established"
    );
    let mut p = pairs_with_session();
    p.ended(0, Timestamp(200 * SEC));
    assert!(
        p.closed(
            record("198.51.100.20:20", "192.0.2.10:40000", 260, 261, false),
            &mut other
        )
        .is_none(),
        "opened a minute after the session ended"
    );
    assert!(
        p.closed(
            record("198.51.100.20:20", "192.0.2.10:40001", 150, 151, false),
            &mut other
        )
        .is_some(),
        "opened while it was open"
    );
}

/// A transfer that ended before its session's first captured packet (the capture began
/// mid-session) waits and is listed when the session appears.
#[test]
fn pairs_keep_an_early_connection_until_its_session_appears() {
    let mut p = HostPairs::new(16);
    let mut other = Vec::new();
    assert!(
        p.closed(
            record("198.51.100.20:20", "192.0.2.10:40000", 10, 50, false),
            &mut other
        )
        .is_none()
    );
    assert!(other.is_empty(), "it waits");
    let (c, s) = (CLIENT_IP.parse().unwrap(), SERVER_IP.parse().unwrap());
    let listed = p.opened(4, c, s, Timestamp(51 * SEC), true);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].session, 4);
    assert!(p.drain().is_empty());
}

// ---------------------------------------------------------------------------------------
// The tracker, end to end through the TCP table

/// What the tracker told its sink.
#[derive(Default)]
struct Got {
    sessions: Vec<Session>,
    unlinked: Vec<UnlinkedConnection>,
}

#[derive(Clone, Default)]
struct Collect(Rc<RefCell<Got>>);

impl Sink for Collect {
    fn event(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        match ev {
            Event::SessionEnded(s) => self.0.borrow_mut().sessions.push((*s).clone()),
            Event::Unlinked(u) => self.0.borrow_mut().unlinked.push((*u).clone()),
            _ => {}
        }
        Ok(())
    }
}

/// One TCP connection being scripted: `a` opened it; the next sequence number of each.
struct Tcp {
    a: Endpoint,
    b: Endpoint,
    next: [u32; 2],
}

/// The TCP table and the tracker, fed scripted segments 1 ms apart.
struct Net {
    table: TcpTable,
    tracker: Tracker,
    frame: u64,
    got: Collect,
}

const SYN: u8 = TcpFlags::SYN;
const ACK: u8 = TcpFlags::ACK;
const FIN: u8 = TcpFlags::FIN;
const PSH: u8 = TcpFlags::PSH;

impl Net {
    fn new() -> Net {
        let got = Collect::default();
        Net {
            table: TcpTable::new(TcpConfig::default()),
            tracker: Tracker::new(TrackerConfig::default(), Box::new(got.clone())),
            frame: 0,
            got,
        }
    }

    fn seg(&mut self, src: Endpoint, dst: Endpoint, flags: u8, seq: u32, ack: u32, data: &[u8]) {
        self.frame += 1;
        let seg = crate::test_support::segment(
            self.frame,
            Timestamp(1_700_000_000 * SEC + self.frame as i64 * 1_000_000),
            src,
            dst,
            seq,
            ack,
            flags,
            data,
        );
        self.tracker.first_packet(seg.ts);
        self.table.process(&seg, &mut self.tracker);
    }

    /// `a` opens a connection to `b` (three-way handshake).
    fn connect(&mut self, a: &str, b: &str) -> Tcp {
        let (a, b) = (ep(a), ep(b));
        let isn = [
            1000 + 7919 * self.frame as u32,
            50_000 + 104_729 * self.frame as u32,
        ];
        self.seg(a, b, SYN, isn[0], 0, b"");
        self.seg(b, a, SYN | ACK, isn[1], isn[0] + 1, b"");
        self.seg(a, b, ACK, isn[0] + 1, isn[1] + 1, b"");
        Tcp {
            a,
            b,
            next: [isn[0] + 1, isn[1] + 1],
        }
    }

    /// Payload from `a` (or from `b`), acknowledged by the peer, in segments of at most
    /// 1000 bytes.
    fn send(&mut self, c: &mut Tcp, from_a: bool, data: &[u8]) {
        let (i, src, dst) = if from_a { (0, c.a, c.b) } else { (1, c.b, c.a) };
        for chunk in data.chunks(1000) {
            self.seg(src, dst, PSH | ACK, c.next[i], c.next[1 - i], chunk);
            c.next[i] = c.next[i].wrapping_add(chunk.len() as u32);
            self.seg(dst, src, ACK, c.next[1 - i], c.next[i], b"");
        }
    }

    /// `a` closes first, then `b` (four-way close).
    fn close(&mut self, c: &mut Tcp) {
        self.seg(c.a, c.b, FIN | ACK, c.next[0], c.next[1], b"");
        c.next[0] += 1;
        self.seg(c.b, c.a, ACK, c.next[1], c.next[0], b"");
        self.seg(c.b, c.a, FIN | ACK, c.next[1], c.next[0], b"");
        c.next[1] += 1;
        self.seg(c.a, c.b, ACK, c.next[0], c.next[1], b"");
    }

    /// The end of the capture, as the analyzer ends it.
    fn finish(mut self) -> (Got, TrackerCounts) {
        self.tracker.capture_ending();
        self.table.finish_all(&mut self.tracker);
        let counts = self.tracker.counts();
        drop(self.tracker);
        let got = Rc::try_unwrap(self.got.0)
            .ok()
            .expect("the tracker is gone")
            .into_inner();
        (got, counts)
    }
}

const CLIENT: &str = "192.0.2.10:50100";
const SERVER: &str = "198.51.100.20:21";

/// Client command on the control connection.
fn cmd(n: &mut Net, ctl: &mut Tcp, line: &str) {
    n.send(ctl, true, format!("{line}\r\n").as_bytes());
}

/// Server reply on the control connection.
fn reply(n: &mut Net, ctl: &mut Tcp, line: &str) {
    n.send(ctl, false, format!("{line}\r\n").as_bytes());
}

/// Opens the control connection, greets and logs in.
fn logged_in(n: &mut Net) -> Tcp {
    let mut ctl = n.connect(CLIENT, SERVER);
    reply(n, &mut ctl, "220 (vsFTPd 3.0.5)");
    cmd(n, &mut ctl, "USER alice");
    reply(n, &mut ctl, "331 Please specify the password.");
    cmd(n, &mut ctl, "PASS pw");
    reply(n, &mut ctl, "230 Login successful.");
    ctl
}

fn quit(n: &mut Net, ctl: &mut Tcp) {
    cmd(n, ctl, "QUIT");
    reply(n, ctl, "221 Goodbye.");
    n.close(ctl);
}

/// Passive mode: the client's connection to the 227's address and port is the data
/// connection of the RETR that follows, linked exactly, carrying the file's bytes.
#[test]
fn tracker_links_a_passive_data_connection_to_its_retr() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PASV");
    reply(
        &mut n,
        &mut ctl,
        "227 Entering Passive Mode (198,51,100,20,195,80).",
    );
    let mut data = n.connect("192.0.2.10:50101", "198.51.100.20:50000");
    cmd(&mut n, &mut ctl, "RETR file.bin");
    reply(
        &mut n,
        &mut ctl,
        "150 Opening BINARY mode data connection for file.bin (2500 bytes).",
    );
    n.send(&mut data, false, &[0x5a; 2500]);
    n.close(&mut data);
    reply(&mut n, &mut ctl, "226 Transfer complete.");
    quit(&mut n, &mut ctl);
    let (got, counts) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    assert_eq!(got.sessions.len(), 1);
    let s = &got.sessions[0];
    assert_eq!(s.transfers.len(), 1);
    let t = &s.transfers[0];
    assert_eq!(t.command, "RETR");
    assert_eq!(t.mode, Some(Mode::Passive));
    assert_eq!(t.status, Status::Complete);
    assert_eq!(t.bytes, Some(2500));
    assert_eq!(t.announced_size, Some(2500));
    let d = t.data.as_ref().expect("linked");
    assert!(d.link.exact);
    assert_eq!(d.server, ep("198.51.100.20:50000"));
    assert_eq!(d.client, ep("192.0.2.10:50101"));
    assert_eq!(d.opened_by, "client");
    assert_eq!(counts.data_connections, 1);
    assert_eq!(counts.unlinked_total, 0);
}

/// Active mode: the server connects from port 20 to the address and port the PORT
/// command announced (RFC 959 §3.2); that connection carries the LIST's listing.
#[test]
fn tracker_links_an_active_data_connection_from_port_20() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PORT 192,0,2,10,200,100");
    reply(&mut n, &mut ctl, "200 PORT command successful.");
    cmd(&mut n, &mut ctl, "LIST");
    let mut data = n.connect("198.51.100.20:20", "192.0.2.10:51300");
    reply(&mut n, &mut ctl, "150 Here comes the directory listing.");
    let listing = b"-rw-r--r--    1 0        0            2500 Jan 01 00:00 file.bin\r\n";
    n.send(&mut data, true, listing);
    n.close(&mut data);
    reply(&mut n, &mut ctl, "226 Directory send OK.");
    quit(&mut n, &mut ctl);
    let (got, _) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    let t = &got.sessions[0].transfers[0];
    assert_eq!(t.direction, Direction::Listing);
    assert_eq!(t.mode, Some(Mode::Active));
    assert_eq!(t.setup.as_deref(), Some("PORT"));
    assert_eq!(t.bytes, Some(listing.len() as u64));
    let d = t.data.as_ref().expect("linked");
    assert!(d.link.exact);
    assert_eq!(d.client, ep("192.0.2.10:51300"));
    assert_eq!(d.server, ep("198.51.100.20:20"));
    assert_eq!(d.opened_by, "server");
    assert_eq!(got.sessions[0].mode, Some("active"));
}

/// A server behind NAT announces its private address; the client connects to the
/// server's public address and the announced port. The tracker still links it, marked
/// inexact, and the session explains both the announcement and the link.
#[test]
fn tracker_links_a_nat_rewritten_passive_connection_with_a_note() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PASV");
    reply(
        &mut n,
        &mut ctl,
        "227 Entering Passive Mode (10,0,0,5,195,80).",
    );
    let mut data = n.connect("192.0.2.10:50101", "198.51.100.20:50000");
    cmd(&mut n, &mut ctl, "RETR file.bin");
    reply(&mut n, &mut ctl, "150 Opening BINARY mode data connection.");
    n.send(&mut data, false, &[1; 300]);
    n.close(&mut data);
    reply(&mut n, &mut ctl, "226 Transfer complete.");
    quit(&mut n, &mut ctl);
    let (got, _) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    let s = &got.sessions[0];
    let t = &s.transfers[0];
    assert_eq!(t.data_endpoint, Some(ep("10.0.0.5:50000")));
    assert_eq!(t.bytes, Some(300));
    let d = t.data.as_ref().expect("linked by port and peer");
    assert!(!d.link.exact);
    assert_eq!(d.server, ep("198.51.100.20:50000"));
    let kinds: Vec<_> = s.findings.iter().map(|f| f.kind).collect();
    assert!(
        kinds.contains(&FindingKind::PasvAddressDiffers),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&FindingKind::DataAddressDiffers),
        "{kinds:?}"
    );
}

/// The same passive port announced twice in a row: each data connection goes to the
/// transfer whose 227 it answered, in time order, with its own byte count.
#[test]
fn tracker_links_a_reused_passive_port_in_order() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    for (name, size, port) in [("a.txt", 100usize, 50101), ("b.txt", 200, 50102)] {
        cmd(&mut n, &mut ctl, "PASV");
        reply(
            &mut n,
            &mut ctl,
            "227 Entering Passive Mode (198,51,100,20,195,80).",
        );
        let mut data = n.connect(&format!("192.0.2.10:{port}"), "198.51.100.20:50000");
        cmd(&mut n, &mut ctl, &format!("RETR {name}"));
        reply(&mut n, &mut ctl, "150 Opening BINARY mode data connection.");
        n.send(&mut data, false, &vec![b'x'; size]);
        n.close(&mut data);
        reply(&mut n, &mut ctl, "226 Transfer complete.");
    }
    quit(&mut n, &mut ctl);
    let (got, counts) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    let t = &got.sessions[0].transfers;
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].arg.as_deref(), Some("a.txt"));
    assert_eq!(t[0].bytes, Some(100));
    assert_eq!(
        t[0].data.as_ref().map(|d| d.client),
        Some(ep("192.0.2.10:50101"))
    );
    assert_eq!(t[1].arg.as_deref(), Some("b.txt"));
    assert_eq!(t[1].bytes, Some(200));
    assert_eq!(
        t[1].data.as_ref().map(|d| d.client),
        Some(ep("192.0.2.10:50102"))
    );
    assert_eq!(counts.data_connections, 2);
}

/// A capture that shows the client's data SYN before the 227 that announced its port
/// (reordering at the capture point): the connection is remembered and linked when the
/// 227 is parsed.
#[test]
fn tracker_links_a_data_connection_seen_before_its_227() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PASV");
    let mut data = n.connect("192.0.2.10:50101", "198.51.100.20:50000");
    reply(
        &mut n,
        &mut ctl,
        "227 Entering Passive Mode (198,51,100,20,195,80).",
    );
    cmd(&mut n, &mut ctl, "RETR file.bin");
    reply(&mut n, &mut ctl, "150 Opening BINARY mode data connection.");
    n.send(&mut data, false, &[7; 1500]);
    n.close(&mut data);
    reply(&mut n, &mut ctl, "226 Transfer complete.");
    quit(&mut n, &mut ctl);
    let (got, _) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    let t = &got.sessions[0].transfers[0];
    assert_eq!(t.bytes, Some(1500));
    assert!(t.data.as_ref().is_some_and(|d| d.link.exact));
}

/// A host that is not the session's client connecting to the announced passive port does
/// not take the transfer: the client's own connection, which comes after, is its data
/// connection.
#[test]
fn tracker_does_not_link_a_third_hosts_connection() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PASV");
    reply(
        &mut n,
        &mut ctl,
        "227 Entering Passive Mode (198,51,100,20,195,80).",
    );
    let mut intruder = n.connect("203.0.113.7:40000", "198.51.100.20:50000");
    n.close(&mut intruder);
    let mut data = n.connect("192.0.2.10:50101", "198.51.100.20:50000");
    cmd(&mut n, &mut ctl, "RETR file.bin");
    reply(&mut n, &mut ctl, "150 Opening BINARY mode data connection.");
    n.send(&mut data, false, &[7; 10]);
    n.close(&mut data);
    reply(&mut n, &mut ctl, "226 Transfer complete.");
    quit(&mut n, &mut ctl);
    let (got, counts) = n.finish();
    let d = got.sessions[0].transfers[0].data.as_ref().expect("linked");
    assert_eq!(d.client, ep("192.0.2.10:50101"));
    // Not between the session's hosts: other traffic, not one of its unlinked connections.
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    assert_eq!(counts.other_tcp_connections, 1);
}

/// A data-like connection between the session's hosts (server port 20 to a client high
/// port) while no PORT/PASV was sent and no transfer is under way: listed as the
/// session's unlinked data connection, with why, and the session has no transfer.
#[test]
fn tracker_lists_an_unannounced_data_connection_as_unlinked() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PWD");
    reply(&mut n, &mut ctl, "257 \"/\" is the current directory");
    let mut stray = n.connect("198.51.100.20:20", "192.0.2.10:40000");
    n.send(&mut stray, true, b"stray bytes");
    n.close(&mut stray);
    // A MySQL connection between the same hosts is not FTP data.
    let mut db = n.connect("192.0.2.10:40001", "198.51.100.20:3306");
    n.send(&mut db, true, b"select 1");
    n.close(&mut db);
    quit(&mut n, &mut ctl);
    let (got, counts) = n.finish();
    assert_eq!(got.sessions.len(), 1);
    assert!(got.sessions[0].transfers.is_empty());
    assert_eq!(got.unlinked.len(), 1, "{:?}", got.unlinked);
    let u = &got.unlinked[0];
    assert_eq!(u.session, Some(1));
    assert_eq!(u.tcp.orig, ep("198.51.100.20:20"));
    assert!(u.reason.contains("port 20"), "{}", u.reason);
    assert!(u.reason.contains("matches none"), "{}", u.reason);
    assert_eq!(counts.unlinked_total, 1);
    assert_eq!(counts.data_connections, 0);
    assert_eq!(counts.other_tcp_connections, 1);
}

/// The control connection closes (QUIT, FIN) while the data connection still carries the
/// file: the session is not told until its data connection has closed too, and then its
/// transfer has every byte.
#[test]
fn tracker_waits_for_the_data_connection_before_ending_the_session() {
    let mut n = Net::new();
    let mut ctl = logged_in(&mut n);
    cmd(&mut n, &mut ctl, "PASV");
    reply(
        &mut n,
        &mut ctl,
        "227 Entering Passive Mode (198,51,100,20,195,80).",
    );
    let mut data = n.connect("192.0.2.10:50101", "198.51.100.20:50000");
    cmd(&mut n, &mut ctl, "RETR file.bin");
    reply(&mut n, &mut ctl, "150 Opening BINARY mode data connection.");
    n.send(&mut data, false, &[0x5a; 2500]);
    reply(&mut n, &mut ctl, "226 Transfer complete.");
    quit(&mut n, &mut ctl);
    assert!(
        n.got.0.borrow().sessions.is_empty(),
        "told before its data connection closed"
    );
    n.send(&mut data, false, &[0x5a; 500]);
    n.close(&mut data);
    assert_eq!(n.got.0.borrow().sessions.len(), 1, "told once both closed");
    let (got, _) = n.finish();
    assert_eq!(got.sessions.len(), 1);
    assert_eq!(got.sessions[0].transfers[0].bytes, Some(3000));
}

/// Two sessions of the same client to the same server, interleaved: each one's data
/// connection goes to its own transfer (the announced ports differ).
#[test]
fn tracker_keeps_concurrent_sessions_of_the_same_hosts_apart() {
    let mut n = Net::new();
    let mut c1 = logged_in(&mut n);
    let mut c2 = n.connect("192.0.2.10:50200", SERVER);
    reply(&mut n, &mut c2, "220 (vsFTPd 3.0.5)");
    cmd(&mut n, &mut c2, "USER anonymous");
    reply(&mut n, &mut c2, "230 Login successful.");
    cmd(&mut n, &mut c1, "PASV");
    reply(
        &mut n,
        &mut c1,
        "227 Entering Passive Mode (198,51,100,20,195,80).",
    );
    cmd(&mut n, &mut c2, "PASV");
    reply(
        &mut n,
        &mut c2,
        "227 Entering Passive Mode (198,51,100,20,195,81).",
    );
    // The second session's data connection opens first.
    let mut d2 = n.connect("192.0.2.10:50202", "198.51.100.20:50001");
    let mut d1 = n.connect("192.0.2.10:50201", "198.51.100.20:50000");
    cmd(&mut n, &mut c1, "RETR one");
    cmd(&mut n, &mut c2, "RETR two");
    reply(&mut n, &mut c1, "150 Opening BINARY mode data connection.");
    reply(&mut n, &mut c2, "150 Opening BINARY mode data connection.");
    n.send(&mut d1, false, &[1; 111]);
    n.send(&mut d2, false, &[2; 222]);
    n.close(&mut d1);
    n.close(&mut d2);
    reply(&mut n, &mut c1, "226 Transfer complete.");
    reply(&mut n, &mut c2, "226 Transfer complete.");
    quit(&mut n, &mut c1);
    quit(&mut n, &mut c2);
    let (got, _) = n.finish();
    assert!(got.unlinked.is_empty(), "{:?}", got.unlinked);
    let mut sessions: Vec<_> = got.sessions.iter().collect();
    sessions.sort_by_key(|s| s.id);
    assert_eq!(sessions.len(), 2);
    let got: Vec<_> = sessions
        .iter()
        .map(|s| {
            let t = &s.transfers[0];
            (
                s.client.port,
                t.arg.clone(),
                t.bytes,
                t.data.as_ref().map(|d| d.client.port),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (50100, Some("one".into()), Some(111), Some(50201)),
            (50200, Some("two".into()), Some(222), Some(50202)),
        ]
    );
}

/// Registers a passive expectation for each port, port 50000 + k announced at k seconds.
fn register_ports(t: &mut ExpectTable, ports: std::ops::Range<u16>) -> Vec<u32> {
    ports
        .map(|p| {
            t.register(passive(
                p as usize,
                &format!("198.51.100.20:{p}"),
                "192.0.2.10",
                "198.51.100.20",
                (p as i64 - 50000) * SEC,
            ))
        })
        .collect()
}

/// The bound must evict the oldest expectation still waiting. After one expectation is
/// claimed, its id is reused by a new one, but the eviction queue (`order`) still holds
/// the claimed one's stale id at its front: the bound then evicts whichever expectation
/// now has that id (here one announced after the oldest) and keeps the oldest.
#[test]
fn expect_bound_evicts_the_oldest_even_after_an_id_was_reused() {
    let mut t = ExpectTable::new(2, 300 * SEC);
    let client = ep("192.0.2.10:40000");
    register_ports(&mut t, 50000..50002);
    assert!(
        t.claim(client, ep("198.51.100.20:50000"), Timestamp(2 * SEC), false)
            .is_some()
    );
    register_ports(&mut t, 50003..50005);
    // 50001 (announced at 1 s) is the oldest waiting: it goes; 50003 and 50004 stay.
    let at = Timestamp(5 * SEC);
    assert!(
        t.claim(client, ep("198.51.100.20:50003"), at, false)
            .is_some(),
        "the newer expectation was evicted"
    );
    assert!(
        t.claim(client, ep("198.51.100.20:50001"), at, false)
            .is_none(),
        "the oldest expectation survived the bound"
    );
}

/// Expiry must drop every expectation older than the maximum age. In the tracker's call
/// pattern (register on the 227, expire then claim when a connection opens) a claimed
/// expectation's id is reused before `expire` runs again; the stale id at the front of
/// `order` now names a young expectation, `expire` stops there, and older expectations
/// behind it never expire: a 14 s old announcement (maximum age 10 s) still links.
/// The same stale entries also make `order` grow by one per registration while ids keep
/// being reused (checked outside this file: 100,000 register/claim cycles left 100,000
/// entries in `order` with no expectation waiting), an unbounded buffer.
#[test]
fn expect_expires_old_announcements_even_after_an_id_was_reused() {
    let mut t = ExpectTable::new(16, 10 * SEC);
    let client = ep("192.0.2.10:40000");
    register_ports(&mut t, 50000..50002);
    assert!(
        t.claim(client, ep("198.51.100.20:50000"), Timestamp(2 * SEC), false)
            .is_some()
    );
    // Reuses the claimed one's id; announced at 9 s.
    register_ports(&mut t, 50009..50010);
    t.expire(Timestamp(15 * SEC));
    // 50001 was announced at 1 s: 14 s old, past the 10 s maximum age.
    assert!(
        t.claim(
            client,
            ep("198.51.100.20:50001"),
            Timestamp(15 * SEC),
            false
        )
        .is_none(),
        "an expired announcement still links"
    );
    assert_eq!(t.expired, 1);
}

/// A SYN flood to port 21 opens a "session" per SYN; none carried FTP, so none is
/// remembered once it ended. Of sessions that did carry FTP, a bounded number is kept,
/// the most recent ones, which still explain their hosts' connections.
#[test]
fn pairs_forget_sessions_that_never_carried_ftp_and_keep_a_bounded_number() {
    let mut p = HostPairs::new(16);
    let s: std::net::IpAddr = SERVER_IP.parse().unwrap();
    for i in 0..50_000u32 {
        let c = std::net::IpAddr::from([10, 128 + (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        p.opened(i as usize, c, s, Timestamp(i64::from(i)), false);
        p.ended(i as usize, Timestamp(i64::from(i) + 1));
    }
    assert_eq!(p.remembered(), 0);
    for i in 0..20_000u32 {
        let c = std::net::IpAddr::from([10, 200, (i >> 8) as u8, i as u8]);
        let n = 50_000 + i as usize;
        p.opened(n, c, s, Timestamp(100 * SEC + i64::from(i)), false);
        p.established(n);
        p.ended(n, Timestamp(100 * SEC + i64::from(i) + 1));
    }
    assert!(p.remembered() <= 16_384, "{}", p.remembered());
    assert!(p.remembered() >= 16_000, "{}", p.remembered());
    // The last session's hosts: a port-20 connection during it is still listed for it.
    let mut other = Vec::new();
    let last = 19_999u32;
    let mut r = record(
        &format!("{SERVER_IP}:20"),
        &format!("10.200.{}.{}:40000", (last >> 8) as u8, last as u8),
        100,
        100,
        false,
    );
    r.first_ts = Timestamp(100 * SEC + i64::from(last));
    r.last_ts = r.first_ts;
    let listed = p
        .closed(r, &mut other)
        .expect("listed for the last session");
    assert_eq!(listed.session, 50_000 + last as usize);
}

mod ftps;
