//! Unit tests of the control-connection state machine: a [`SessionState`] driven with the
//! bytes of both directions of a control connection, checked through its actions and the
//! [`Session`] record it builds.

use super::*;
use crate::model::{
    BoundCounters, Close, DirStats, EndReason, Handshake, Session, Status, TcpState,
    UnlinkedConnection,
};

const CLIENT: &str = "192.0.2.10:50100";
const SERVER: &str = "198.51.100.20:21";

fn ep(s: &str) -> Endpoint {
    let (ip, port) = s.rsplit_once(':').unwrap();
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    Endpoint::new(ip.parse().unwrap(), port.parse().unwrap())
}

/// A TCP record as the TCP table would give it: `orig` opened it (handshake seen) and,
/// when `closed`, both sides closed it with FIN.
fn conn_record(
    id: u64,
    orig: Endpoint,
    resp: Endpoint,
    (first_frame, last_frame): (u64, u64),
    bytes: [u64; 2],
    closed: bool,
) -> ConnRecord {
    let at = |frame: u64| Timestamp(1_700_000_000_000_000_000 + frame as i64 * 1_000_000);
    let dir = |b: u64| DirStats {
        bytes: b,
        segments: 1 + u64::from(b > 0),
        data_segments: u64::from(b > 0),
        ..DirStats::default()
    };
    ConnRecord {
        id,
        orig,
        resp,
        first_ts: at(first_frame),
        last_ts: at(last_frame),
        first_frame,
        last_frame,
        packets: last_frame - first_frame + 1,
        midstream: false,
        handshake: Some(Handshake::default()),
        close: closed.then(|| Close {
            initiator: Side::Orig,
            style: "four-way",
            complete: true,
            steps: Vec::new(),
            bytes_after_first_fin: 0,
        }),
        state: if closed { "SF" } else { "S1" },
        history: "ShADadFf".into(),
        orig_state: if closed {
            TcpState::TimeWait
        } else {
            TcpState::Established
        },
        resp_state: if closed {
            TcpState::Closed
        } else {
            TcpState::Established
        },
        orig_to_resp: dir(bytes[0]),
        resp_to_orig: dir(bytes[1]),
        end: if closed {
            EndReason::Closed
        } else {
            EndReason::CaptureEnd
        },
        segments: Vec::new(),
        segments_not_noted: 0,
        preview: [Vec::new(), Vec::new()],
        content: None,
    }
}

/// Drives one session: the client opened the control connection (it is `orig`), the
/// handshake is in the capture. Every piece of bytes is one segment, one frame, 1 ms
/// apart, acknowledging everything the other side sent before it (a strictly
/// alternating conversation), unless a test says otherwise.
struct Drive {
    s: SessionState,
    client: Endpoint,
    server: Endpoint,
    frame: u64,
    /// Bytes sent so far by the client and by the server.
    sent: [u64; 2],
}

impl Drive {
    fn new() -> Drive {
        Drive::between(CLIENT, SERVER)
    }

    fn between(client: &str, server: &str) -> Drive {
        Drive::with(client, server, SessionConfig::default())
    }

    fn with(client: &str, server: &str, cfg: SessionConfig) -> Drive {
        let (client, server) = (ep(client), ep(server));
        Drive {
            s: SessionState::new(1, client, server, Side::Orig, false, cfg),
            client,
            server,
            // Frames 1-3 are the handshake.
            frame: 3,
            sent: [0, 0],
        }
    }

    fn stamp(&mut self, ack: u64) -> Stamp {
        self.frame += 1;
        Stamp {
            ts: Timestamp(1_700_000_000_000_000_000 + self.frame as i64 * 1_000_000),
            frame: self.frame,
            ack: Some(ack),
        }
    }

    /// Client bytes (commands), having received every server byte so far.
    fn client(&mut self, text: &str) -> u64 {
        self.client_bytes(text.as_bytes())
    }

    fn client_bytes(&mut self, bytes: &[u8]) -> u64 {
        let stamp = self.stamp(self.sent[1]);
        self.sent[0] += bytes.len() as u64;
        self.s
            .on_stream(Side::Orig, StreamEvent::Bytes(bytes), stamp);
        stamp.frame
    }

    /// Server bytes (replies), having received every client byte so far.
    fn server(&mut self, text: &str) -> u64 {
        self.server_bytes(text.as_bytes())
    }

    fn server_bytes(&mut self, bytes: &[u8]) -> u64 {
        let stamp = self.stamp(self.sent[0]);
        self.sent[1] += bytes.len() as u64;
        self.s
            .on_stream(Side::Resp, StreamEvent::Bytes(bytes), stamp);
        stamp.frame
    }

    /// Greeting and a successful login.
    fn login(&mut self) {
        self.server("220 (vsFTPd 3.0.5)\r\n");
        self.client("USER alice\r\n");
        self.server("331 Please specify the password.\r\n");
        self.client("PASS s3cret-pw\r\n");
        self.server("230 Login successful.\r\n");
    }

    /// Ends both directions; `closed`: with FIN (else the capture just stops).
    fn end(&mut self, closed: bool) -> ConnRecord {
        let stamp = self.stamp(self.sent[1]);
        for side in [Side::Orig, Side::Resp] {
            self.s.on_stream(side, StreamEvent::End { closed }, stamp);
        }
        conn_record(
            1,
            self.client,
            self.server,
            (1, self.frame),
            self.sent,
            closed,
        )
    }

    /// The control connection closes with FIN; the session as the model shows it.
    fn finish(self) -> Session {
        self.finish_with_unlinked(true).0
    }

    fn finish_with_unlinked(mut self, closed: bool) -> (Session, Vec<UnlinkedConnection>) {
        let record = self.end(closed);
        self.s.on_control_closed(record);
        let (session, unlinked) = self.s.finish(&mut BoundCounters::default());
        (session.expect("the control connection ended"), unlinked)
    }
}

fn kinds(s: &Session) -> Vec<FindingKind> {
    s.findings.iter().map(|f| f.kind).collect()
}

fn command<'a>(s: &'a Session, verb: &str) -> &'a CommandRecord {
    s.commands
        .iter()
        .find(|c| c.command == verb)
        .unwrap_or_else(|| panic!("no {verb} in {:#?}", s.commands))
}

/// A pipelining client sends USER before the server's 220 arrives. The 220 is still the
/// greeting (RFC 959: the server's first reply on connection), and the USER is answered by
/// the 331 that follows, not by the greeting.
#[test]
fn pipelined_user_is_answered_by_331_not_by_the_greeting() {
    let mut d = Drive::new();
    d.client("USER alice\r\n");
    // The server's segment acknowledges the USER: only the rule "first reply is the
    // greeting" keeps the 220 from answering it.
    d.server("220 Welcome\r\n");
    d.server("331 Password required\r\n");
    let s = d.finish();
    let greeting = s.greeting.as_ref().expect("a greeting");
    assert_eq!(greeting.code, Some(220));
    assert_eq!(greeting.text, "Welcome");
    let user = command(&s, "USER");
    assert_eq!(user.reply_code, Some(331));
    assert_eq!(user.replies.len(), 1, "{:?}", user.replies);
    assert!(!kinds(&s).contains(&FindingKind::NoReply));
}

/// USER then PASS accepted with 230: the user and a successful login are recorded, the
/// password is masked everywhere in the record, and the clear-text password is pointed out.
#[test]
fn user_pass_login_is_recorded_with_the_password_masked_and_flagged() {
    let mut d = Drive::new();
    d.login();
    let s = d.finish();
    assert_eq!(s.user.as_deref(), Some("alice"));
    assert_eq!(s.login, Login::Success);
    assert_eq!(s.login_attempts.len(), 1);
    assert_eq!(s.login_attempts[0].result, Login::Success);
    assert_eq!(s.login_attempts[0].reply_code, Some(230));
    let pass = command(&s, "PASS");
    assert!(pass.masked);
    assert_eq!(pass.arg.as_deref(), Some("********"));
    assert_eq!(pass.reply_code, Some(230));
    assert!(
        !serde_json::to_string(&s).unwrap().contains("s3cret-pw"),
        "the password leaks into the record"
    );
    let clear: Vec<_> = s
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::ClearTextPassword)
        .collect();
    assert_eq!(clear.len(), 1);
    // Dated by the PASS command (frame 7: handshake 1-3, 220, USER, 331, PASS).
    assert_eq!(clear[0].frame, Some(pass.frame));
}

/// A 530 fails the first attempt; a second USER/PASS accepted with 230 makes the session's
/// login a success, with both attempts kept in order.
#[test]
fn failed_then_successful_login_keeps_both_attempts() {
    let mut d = Drive::new();
    d.server("220 ready\r\n");
    d.client("USER alice\r\n");
    d.server("331 Password required\r\n");
    d.client("PASS wrong\r\n");
    d.server("530 Login incorrect.\r\n");
    d.client("USER bob\r\n");
    d.server("331 Password required\r\n");
    d.client("PASS right\r\n");
    d.server("230 Logged in\r\n");
    let s = d.finish();
    assert_eq!(s.login_attempts.len(), 2);
    assert_eq!(s.login_attempts[0].user.as_deref(), Some("alice"));
    assert_eq!(s.login_attempts[0].result, Login::Failed);
    assert_eq!(s.login_attempts[0].reply_code, Some(530));
    assert_eq!(s.login_attempts[1].user.as_deref(), Some("bob"));
    assert_eq!(s.login_attempts[1].result, Login::Success);
    assert_eq!(s.login, Login::Success);
    assert_eq!(s.user.as_deref(), Some("bob"));
}

/// PASV answered by 227 (h1,h2,h3,h4,p1,p2): the tracker is asked to expect a connection
/// from the client to the announced address and port p1*256+p2 (RFC 959 §4.1.2).
#[test]
fn pasv_227_registers_a_passive_expectation_for_the_announced_endpoint() {
    let mut d = Drive::new();
    d.login();
    assert!(d.s.take_actions().is_empty(), "login announces nothing");
    d.client("PASV\r\n");
    assert!(
        d.s.take_actions().is_empty(),
        "nothing is known before the 227"
    );
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    let want = d.s.expected_connection(0);
    assert_eq!(want.mode, Mode::Passive);
    // 195*256+80 = 50000.
    assert_eq!(want.announced, ep("198.51.100.20:50000"));
    assert_eq!(want.listener_peer, d.server.ip);
    assert_eq!(want.connector_peer, d.client.ip);
    let s = d.finish();
    let pasv = command(&s, "PASV");
    assert_eq!(pasv.data_endpoint, Some(ep("198.51.100.20:50000")));
    assert_eq!(pasv.port_arithmetic.as_deref(), Some("195*256+80 = 50000"));
    assert!(!kinds(&s).contains(&FindingKind::PasvAddressDiffers));
}

/// A server behind NAT announces its private address in the 227: the expectation keeps
/// the announced endpoint, the listening peer is the control connection's server address
/// (where the client really connects), and the session says why they differ.
#[test]
fn pasv_announcing_a_private_address_is_explained_as_nat() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    d.server("227 Entering Passive Mode (10,0,0,5,195,81)\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    let want = d.s.expected_connection(0);
    assert_eq!(want.announced, ep("10.0.0.5:50001"));
    assert_eq!(want.listener_peer, d.server.ip);
    let s = d.finish();
    let f = s
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::PasvAddressDiffers)
        .expect("pasv_address_differs");
    assert!(f.message.contains("behind NAT"), "{}", f.message);
}

/// PORT h1,h2,h3,h4,p1,p2 announces where the client listens: the expectation (active
/// mode) is registered as soon as the command is seen, for a connection from the server.
#[test]
fn port_registers_an_active_expectation_at_the_client_address() {
    let mut d = Drive::new();
    d.login();
    d.client("PORT 192,0,2,10,200,100\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    let want = d.s.expected_connection(0);
    assert_eq!(want.mode, Mode::Active);
    // 200*256+100 = 51300.
    assert_eq!(want.announced, ep("192.0.2.10:51300"));
    assert_eq!(want.listener_peer, d.client.ip);
    assert_eq!(want.connector_peer, d.server.ip);
    d.server("200 PORT command successful.\r\n");
    let s = d.finish();
    let port = command(&s, "PORT");
    assert_eq!(port.reply_code, Some(200));
    assert_eq!(port.data_endpoint, Some(ep("192.0.2.10:51300")));
    assert!(!kinds(&s).contains(&FindingKind::PortAddressDiffers));
}

/// A PORT the server refuses (500) will never be used: its expectation is cancelled, and a
/// later transfer has no negotiation to use.
#[test]
fn refused_port_cancels_its_expectation() {
    let mut d = Drive::new();
    d.login();
    d.client("PORT 192,0,2,10,200,100\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    d.s.expectation_registered(0, 41);
    d.server("500 Illegal PORT command.\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Cancel(41)]);
    assert_eq!(d.s.expectations().count(), 0);
    d.client("RETR a.txt\r\n");
    d.server("425 Use PORT or PASV first.\r\n");
    let s = d.finish();
    assert_eq!(s.transfers.len(), 1);
    assert_eq!(s.transfers[0].mode, None);
    assert_eq!(s.transfers[0].setup, None);
}

/// A second PASV supersedes the first one's unclaimed expectation: it is cancelled when the
/// new PASV is sent, and the new 227 registers a new one.
#[test]
fn a_new_pasv_cancels_the_previous_unclaimed_expectation() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    d.s.expectation_registered(0, 7);
    d.client("PASV\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Cancel(7)]);
    d.server("227 Entering Passive Mode (198,51,100,20,195,90).\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(1)]);
    assert_eq!(
        d.s.expected_connection(1).announced,
        ep("198.51.100.20:50010")
    );
}

/// EPSV's 229 reply carries only a port, `(|||port|)` (RFC 2428 §3): the data connection
/// goes to the control connection's server address, here over IPv6.
#[test]
fn epsv_229_over_ipv6_expects_the_control_connection_server_address() {
    let mut d = Drive::between("[2001:db8::10]:50100", "[2001:db8::20]:21");
    d.login();
    d.client("EPSV\r\n");
    d.server("229 Entering Extended Passive Mode (|||50003|)\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    let want = d.s.expected_connection(0);
    assert_eq!(want.mode, Mode::Passive);
    assert_eq!(want.announced, ep("[2001:db8::20]:50003"));
    assert_eq!(want.connector_peer, d.client.ip);
    let s = d.finish();
    assert_eq!(
        command(&s, "EPSV").data_endpoint,
        Some(ep("[2001:db8::20]:50003"))
    );
    assert!(!kinds(&s).contains(&FindingKind::PasvAddressDiffers));
}

/// EPRT |2|addr|port| (RFC 2428 §2) announces an IPv6 listening endpoint for active mode.
#[test]
fn eprt_announces_an_ipv6_active_endpoint() {
    let mut d = Drive::between("[2001:db8::10]:50100", "[2001:db8::20]:21");
    d.login();
    d.client("EPRT |2|2001:db8::10|50004|\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    let want = d.s.expected_connection(0);
    assert_eq!(want.mode, Mode::Active);
    assert_eq!(want.announced, ep("[2001:db8::10]:50004"));
    assert_eq!(want.connector_peer, d.server.ip);
}

/// A multi-line reply (`230-...` lines up to `230 ...`, RFC 959 §4.2) is one reply to one
/// command, its lines kept; the next command gets the next reply.
#[test]
fn multi_line_reply_counts_once_and_the_next_reply_stays_paired() {
    let mut d = Drive::new();
    d.server("220 ready\r\n");
    d.client("USER alice\r\n");
    d.server("331 Password required\r\n");
    d.client("PASS pw\r\n");
    // The lines come in separate segments, one of them cut mid-line.
    d.server("230-Welcome to the archive.\r\n230-Usage is logged.\r\n");
    d.server("230 Log");
    d.server("in successful.\r\n");
    d.client("PWD\r\n");
    d.server("257 \"/home/alice\" is the current directory\r\n");
    let s = d.finish();
    let pass = command(&s, "PASS");
    assert_eq!(pass.replies.len(), 1, "{:?}", pass.replies);
    let r = &pass.replies[0];
    assert_eq!(r.code, Some(230));
    assert_eq!(r.line_count, 3);
    assert_eq!(r.text, "Login successful.");
    assert_eq!(r.first_text(), "Welcome to the archive.");
    let pwd = command(&s, "PWD");
    assert_eq!(pwd.reply_code, Some(257));
    assert_eq!(pwd.replies.len(), 1);
    assert!(!kinds(&s).contains(&FindingKind::InvalidReply));
}

/// A server line that is not a reply (`SYST not supported`, no code) is where SYST's reply
/// was due: it answers SYST as an invalid reply, and the next command's 200 stays with that
/// command instead of being shifted onto SYST.
#[test]
fn a_line_that_is_not_a_reply_answers_the_oldest_command_as_invalid() {
    let mut d = Drive::new();
    d.login();
    d.client("SYST\r\n");
    d.server("SYST not supported\r\n");
    d.client("TYPE I\r\n");
    d.server("200 Switching to Binary mode.\r\n");
    let s = d.finish();
    let syst = command(&s, "SYST");
    assert_eq!(syst.replies.len(), 1);
    assert_eq!(syst.replies[0].code, None);
    assert_eq!(syst.replies[0].text, "SYST not supported");
    assert_eq!(syst.reply_code, None);
    let ty = command(&s, "TYPE");
    assert_eq!(ty.reply_code, Some(200));
    assert_eq!(ty.replies.len(), 1);
    let k = kinds(&s);
    assert!(k.contains(&FindingKind::InvalidReply), "{k:?}");
    // Neither command is left waiting.
    assert!(!k.contains(&FindingKind::NoReply), "{k:?}");
}

/// 425 to a transfer after PASV: the transfer failed because its data connection could not
/// be opened, and the session says so for passive mode.
#[test]
fn reply_425_after_pasv_is_cannot_open_data_connection() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    d.client("LIST\r\n");
    d.server("425 Failed to establish connection.\r\n");
    let s = d.finish();
    assert_eq!(s.transfers.len(), 1);
    let t = &s.transfers[0];
    assert_eq!(t.status, Status::Failed);
    assert_eq!(t.reply_code, Some(425));
    assert_eq!(t.mode, Some(Mode::Passive));
    assert!(t.data.is_none());
    let f = s
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::CannotOpenDataConnection)
        .expect("cannot_open_data_connection");
    assert_eq!(f.transfer, Some(1));
    assert!(f.message.contains("passive port"), "{}", f.message);
    // A failed transfer is not one whose data connection the capture missed.
    assert!(!kinds(&s).contains(&FindingKind::DataConnectionNotCaptured));
}

/// RETR after PASV with its data connection linked: the transfer is a complete download
/// whose byte count is the server-to-client bytes of the data connection (not the other
/// direction's), opened by the client to the announced port.
#[test]
fn retr_with_a_linked_passive_connection_counts_the_downloaded_bytes() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    d.s.expectation_registered(0, 0);
    let (listener, connector) = (ep("198.51.100.20:50000"), ep("192.0.2.10:50101"));
    let syn = d.frame + 1;
    d.s.data_connection_opened(
        0,
        LinkNote {
            exact: true,
            note: None,
        },
        listener,
        connector,
    );
    d.client("RETR report.pdf\r\n");
    d.server("150 Opening BINARY mode data connection for report.pdf (1234 bytes).\r\n");
    // The client sent 3 bytes on the data connection (a probe): they are not the download.
    d.s.data_connection_closed(
        0,
        conn_record(2, connector, listener, (syn, syn + 10), [3, 1234], true),
    );
    d.server("226 Transfer complete.\r\n");
    let (s, unlinked) = d.finish_with_unlinked(true);
    assert!(unlinked.is_empty());
    assert_eq!(s.transfers.len(), 1);
    let t = &s.transfers[0];
    assert_eq!(t.command, "RETR");
    assert_eq!(t.file_name.as_deref(), Some("report.pdf"));
    assert_eq!(t.direction, Direction::Download);
    assert_eq!(t.status, Status::Complete);
    assert_eq!(t.mode, Some(Mode::Passive));
    assert_eq!(t.setup.as_deref(), Some("PASV"));
    assert_eq!(t.data_endpoint, Some(listener));
    assert_eq!(t.bytes, Some(1234));
    assert_eq!(t.announced_size, Some(1234));
    let data = t.data.as_ref().expect("its data connection");
    assert_eq!(data.server, listener);
    assert_eq!(data.client, connector);
    assert_eq!(data.opened_by, "client");
    assert!(data.link.exact);
    assert_eq!(s.summary.bytes_downloaded, 1234);
    assert_eq!(s.summary.transfers_complete, 1);
    assert_eq!(s.mode, Some("passive"));
    let k = kinds(&s);
    assert!(!k.contains(&FindingKind::ShorterThanAnnounced), "{k:?}");
    assert!(
        !k.contains(&FindingKind::DataConnectionNotCaptured),
        "{k:?}"
    );
}

/// STOR in active mode: the server connects from port 20 to the PORT address, and the
/// uploaded bytes are the ones the client (the connection's responder) sent.
#[test]
fn stor_in_active_mode_counts_the_bytes_the_client_sent() {
    let mut d = Drive::new();
    d.login();
    d.client("PORT 192,0,2,10,200,100\r\n");
    d.server("200 PORT command successful.\r\n");
    d.client("STOR backup.tar\r\n");
    d.server("150 Ok to send data.\r\n");
    let (listener, connector) = (ep("192.0.2.10:51300"), ep("198.51.100.20:20"));
    let syn = d.frame + 1;
    d.s.data_connection_opened(
        0,
        LinkNote {
            exact: true,
            note: None,
        },
        listener,
        connector,
    );
    // Opened by the server (orig): the client's 5000 bytes go resp -> orig.
    d.s.data_connection_closed(
        0,
        conn_record(2, connector, listener, (syn, syn + 20), [0, 5000], true),
    );
    d.server("226 Transfer complete.\r\n");
    let s = d.finish();
    let t = &s.transfers[0];
    assert_eq!(t.direction, Direction::Upload);
    assert_eq!(t.mode, Some(Mode::Active));
    assert_eq!(t.setup.as_deref(), Some("PORT"));
    assert_eq!(t.bytes, Some(5000));
    let data = t.data.as_ref().expect("its data connection");
    assert_eq!(data.client, listener);
    assert_eq!(data.server, connector);
    assert_eq!(data.opened_by, "server");
    assert_eq!(s.summary.bytes_uploaded, 5000);
    assert_eq!(s.summary.bytes_downloaded, 0);
    assert_eq!(s.mode, Some("active"));
}

/// A transfer refused outright (550, no data connection) leaves the PASV for the next
/// transfer command, which then owns the data connection.
#[test]
fn a_refused_transfer_leaves_the_negotiation_to_the_next_command() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    d.client("RETR missing.txt\r\n");
    d.server("550 Failed to open file.\r\n");
    let (listener, connector) = (ep("198.51.100.20:50000"), ep("192.0.2.10:50101"));
    let syn = d.frame + 1;
    d.s.data_connection_opened(
        0,
        LinkNote {
            exact: true,
            note: None,
        },
        listener,
        connector,
    );
    d.client("RETR present.txt\r\n");
    d.server("150 Opening BINARY mode data connection.\r\n");
    d.s.data_connection_closed(
        0,
        conn_record(2, connector, listener, (syn, syn + 5), [0, 77], true),
    );
    d.server("226 Transfer complete.\r\n");
    let s = d.finish();
    assert_eq!(s.transfers.len(), 2);
    let (refused, used) = (&s.transfers[0], &s.transfers[1]);
    assert_eq!(refused.status, Status::Failed);
    assert!(refused.data.is_none());
    assert_eq!(refused.bytes, None);
    assert_eq!(used.arg.as_deref(), Some("present.txt"));
    assert_eq!(used.status, Status::Complete);
    assert_eq!(used.mode, Some(Mode::Passive));
    let pasv = s.commands.iter().position(|c| c.command == "PASV");
    assert_eq!(used.setup_command_index, pasv);
    assert_eq!(used.bytes, Some(77));
}

/// A command with no reply when the control connection closes gets a no_reply finding
/// that says the connection ended, dated by the command; one the capture merely stops
/// after says the capture ended.
#[test]
fn a_command_without_reply_at_the_end_gives_no_reply() {
    for closed in [true, false] {
        let mut d = Drive::new();
        d.login();
        let frame = d.client("NOOP\r\n");
        let (s, _) = d.finish_with_unlinked(closed);
        let noop = command(&s, "NOOP");
        assert_eq!(noop.reply_code, None);
        assert!(noop.replies.is_empty());
        let f: Vec<_> = s
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::NoReply)
            .collect();
        assert_eq!(f.len(), 1, "closed {closed}: {f:?}");
        assert_eq!(f[0].frame, Some(frame));
        let why = if closed {
            "before the control connection ended"
        } else {
            "the capture ends first"
        };
        assert!(f[0].message.contains(why), "{}", f[0].message);
    }
}

/// A TLS record: content type, version 3.3, length, body.
fn tls_record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![kind, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// AUTH TLS accepted with 234 (RFC 4217): everything after it is TLS. Bytes that happen to
/// read like commands inside the records are not parsed, they are counted as encrypted,
/// and no clear-text password is claimed for the encrypted login.
#[test]
fn auth_tls_234_makes_the_rest_of_the_connection_encrypted() {
    let mut d = Drive::new();
    d.server("220 ready\r\n");
    d.client("AUTH TLS\r\n");
    let at = d.server("234 Proceed with negotiation.\r\n");
    let hello = tls_record(22, b"\x01\x00\x00\x10USER x\r\nPASS y\r\n");
    let app = tls_record(23, b"PASV\r\nRETR secret\r\n");
    d.client_bytes(&hello);
    d.server_bytes(&tls_record(22, b"\x02\x00\x00\x0c227 (1,2,3,4,5,6)\r\n"));
    d.client_bytes(&app);
    let s = d.finish();
    let tls = s.tls.as_ref().expect("tls started");
    assert_eq!(tls.command, "AUTH TLS");
    assert_eq!(tls.frame, at);
    assert!(!tls.implicit);
    assert_eq!(
        tls.encrypted_bytes[0],
        (hello.len() + app.len()) as u64,
        "client bytes after 234"
    );
    let verbs: Vec<_> = s.commands.iter().map(|c| c.command.as_str()).collect();
    assert_eq!(verbs, ["AUTH"]);
    assert_eq!(s.commands[0].reply_code, Some(234));
    assert!(s.transfers.is_empty());
    let k = kinds(&s);
    assert!(k.contains(&FindingKind::TlsStarted), "{k:?}");
    assert!(!k.contains(&FindingKind::ClearTextPassword), "{k:?}");
    assert!(!k.contains(&FindingKind::NoReply), "{k:?}");
}

/// ABOR during a RETR (RFC 959 §4.1.3): the server answers the aborted RETR with 426 and
/// the ABOR itself with 226. The 226 must not complete the RETR: the transfer is aborted.
#[test]
fn abor_426_then_226_leaves_the_transfer_aborted() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    d.client("RETR big.iso\r\n");
    d.server("150 Opening BINARY mode data connection for big.iso (999999 bytes).\r\n");
    // Telnet IP and Synch (IAC IP IAC DM) before ABOR, as RFC 959 asks.
    d.client_bytes(b"\xff\xf4\xff\xf2ABOR\r\n");
    d.server("426 Connection closed; transfer aborted.\r\n");
    d.server("226 Abort successful\r\n");
    let s = d.finish();
    let retr = command(&s, "RETR");
    let codes: Vec<_> = retr.replies.iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(150), Some(426)]);
    let abor = command(&s, "ABOR");
    assert!(abor.telnet_interrupt);
    assert_eq!(abor.reply_code, Some(226));
    let t = &s.transfers[0];
    assert_eq!(t.status, Status::Aborted);
    assert_eq!(t.reply_code, Some(426));
    assert_eq!(s.summary.transfers_complete, 0);
    assert_eq!(s.summary.transfers_failed, 1);
}

/// A client that pipelines PASV and LIST in one segment: the LIST is sent before the 227
/// arrives, yet it uses the endpoint that 227 announces.
#[test]
fn pipelined_pasv_and_list_use_the_announced_endpoint() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\nLIST\r\n");
    d.server("227 Entering Passive Mode (198,51,100,20,195,80).\r\n");
    assert_eq!(d.s.take_actions(), vec![Action::Register(0)]);
    d.server("150 Here comes the directory listing.\r\n226 Directory send OK.\r\n");
    let s = d.finish();
    assert_eq!(command(&s, "PASV").reply_code, Some(227));
    let list = command(&s, "LIST");
    let codes: Vec<_> = list.replies.iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(150), Some(226)]);
    let t = &s.transfers[0];
    assert_eq!(t.direction, Direction::Listing);
    assert_eq!(t.mode, Some(Mode::Passive));
    assert_eq!(t.data_endpoint, Some(ep("198.51.100.20:50000")));
    assert_eq!(
        t.setup_command_index,
        s.commands.iter().position(|c| c.command == "PASV")
    );
}

/// The 227 is in bytes the capture lost: the client's connection to the server, opened
/// while the RETR was under way, is still that transfer's data connection, linked by
/// timing and marked inexact with the reason. One opened after the transfer's final
/// reply is not taken.
#[test]
fn a_lost_227s_data_connection_is_adopted_by_timing() {
    let mut d = Drive::new();
    d.login();
    d.client("PASV\r\n");
    // The 227 is missing from the capture; the client received it (its later segments
    // acknowledge it).
    let lost = b"227 Entering Passive Mode (198,51,100,20,195,80).\r\n".len() as u64;
    let stamp = d.stamp(d.sent[0]);
    d.sent[1] += lost;
    d.s.on_stream(Side::Resp, StreamEvent::Gap(lost), stamp);
    d.client("RETR file.bin\r\n");
    d.server("150 Opening BINARY mode data connection.\r\n");
    let (client, server) = (ep("192.0.2.10:50101"), ep("198.51.100.20:50000"));
    let syn = d.frame + 1;
    d.frame += 5;
    let during = conn_record(2, client, server, (syn, syn + 4), [0, 4242], true);
    d.server("226 Transfer complete.\r\n");
    let after = d.frame + 10;
    let late = conn_record(
        3,
        ep("192.0.2.10:50102"),
        ep("198.51.100.20:50001"),
        (after, after + 2),
        [0, 9],
        true,
    );
    assert!(d.s.adopt_connection(late).is_some(), "opened after the 226");
    assert!(d.s.adopt_connection(during).is_none(), "taken by the RETR");
    let s = d.finish();
    let t = &s.transfers[0];
    assert_eq!(t.bytes, Some(4242));
    assert_eq!(t.mode, Some(Mode::Passive));
    let data = t.data.as_ref().expect("adopted");
    assert!(!data.link.exact);
    let note = data.link.note.as_deref().unwrap_or("");
    assert!(note.contains("linked by timing"), "{note}");
    let k = kinds(&s);
    assert!(k.contains(&FindingKind::ReplyLost), "{k:?}");
    assert!(k.contains(&FindingKind::DataAddressDiffers), "{k:?}");
}

/// After AUTH TLS and CCC (RFC 4217 §6: both sides send close_notify, then plain text), a
/// PASS sent in plain text did cross the network in clear text, and the session even read
/// it (it masks it). The clear_text_password finding is expected, but the session gives
/// none because any TLS ever started suppresses it (`self.tls.is_none()` in
/// `on_command_line`).
#[test]
fn pass_in_plain_text_after_ccc_is_flagged_as_clear_text() {
    let mut d = Drive::new();
    d.server("220 ready\r\n");
    d.client("AUTH TLS\r\n");
    d.server("234 Proceed with negotiation.\r\n");
    d.client_bytes(&tls_record(22, b"client hello"));
    d.server_bytes(&tls_record(22, b"server hello"));
    d.client_bytes(&tls_record(23, b"CCC\r\n"));
    d.server_bytes(&tls_record(23, b"200 CCC ok\r\n"));
    d.client_bytes(&tls_record(21, b"\x01\x00"));
    d.server_bytes(&tls_record(21, b"\x01\x00"));
    d.client("USER bob\r\n");
    d.server("331 Password required\r\n");
    d.client("PASS plain-after-ccc\r\n");
    d.server("230 Logged in\r\n");
    let s = d.finish();
    // The session did go back to plain text and read the login.
    assert!(s.tls.as_ref().is_some_and(|t| t.ended.is_some()));
    assert_eq!(command(&s, "PASS").reply_code, Some(230));
    assert!(
        kinds(&s).contains(&FindingKind::ClearTextPassword),
        "{:?}",
        kinds(&s)
    );
}

/// Past --max-commands a session counts commands and their replies without storing them:
/// its memory stays bounded however long it runs (no inferred commands, no replies piled
/// on the last stored command), and the summary still counts every command.
#[test]
fn commands_past_the_bound_are_counted_with_their_replies_not_stored() {
    let mut d = Drive::new();
    d.s.core.cfg.max_commands = 4;
    d.login();
    for _ in 0..50 {
        d.client("PASV\r\n");
        d.server("227 Entering Passive Mode (198,51,100,20,19,137).\r\n");
    }
    let mut bounds = BoundCounters::default();
    let record = d.end(true);
    d.s.on_control_closed(record);
    let (session, _) = d.s.finish(&mut bounds);
    let session = session.unwrap();
    assert_eq!(session.commands.len(), 4);
    assert_eq!(session.summary.commands, 52);
    assert_eq!(bounds.commands_not_stored, 48);
    assert_eq!(bounds.replies_not_stored, 48);
    assert!(
        session
            .commands
            .iter()
            .all(|c| c.replies.len() == 1 && !c.inferred)
    );
}

/// The open sessions share an allowance of stored bytes: past each one's first
/// FREE_COMMANDS commands, a session stores more only while the allowance has room, and a
/// session that ends gives its bytes back.
#[test]
fn open_sessions_share_an_allowance_of_stored_bytes() {
    let cfg = SessionConfig {
        max_stored_bytes: 64 << 10,
        ..SessionConfig::default()
    };
    let all = cfg.stored.clone();
    let noops = |d: &mut Drive, n: usize| {
        for _ in 0..n {
            d.client("NOOP\r\n");
            d.server("200 NOOP ok.\r\n");
        }
    };
    let mut a = Drive::with(CLIENT, SERVER, cfg.clone());
    let mut b = Drive::with("192.0.2.11:50200", SERVER, cfg.clone());
    a.login();
    noops(&mut a, 2000);
    let a_stored = a.s.core.commands.len();
    assert!(
        a_stored > FREE_COMMANDS && a_stored < 2000,
        "{a_stored} stored"
    );
    // The allowance is spent: the other session stores its free commands, no more.
    b.login();
    noops(&mut b, 100);
    assert_eq!(b.s.core.commands.len(), FREE_COMMANDS);
    assert_eq!(
        b.s.core.bounds.commands_not_stored,
        102 - FREE_COMMANDS as u64
    );
    let before = all.get();
    drop(a);
    assert!(all.get() < before / 2, "{} then {}", before, all.get());
    noops(&mut b, 100);
    // b already stopped storing (its list has a hole): it stays stopped, counted.
    assert_eq!(b.s.core.commands.len(), FREE_COMMANDS);
    // A new session finds the room a gave back.
    let mut c = Drive::with("192.0.2.12:50300", SERVER, cfg);
    c.login();
    noops(&mut c, 100);
    assert_eq!(c.s.core.commands.len(), 102);
    drop((b, c));
    assert_eq!(all.get(), 0);
}

/// Findings past --max-findings are counted, not stored.
#[test]
fn findings_past_the_bound_are_counted() {
    let mut d = Drive::new();
    d.s.core.cfg.max_findings = 2;
    d.login();
    for _ in 0..5 {
        d.client("\x01\x02 not a command\r\n");
        d.server("500 Unknown command.\r\n");
    }
    let mut bounds = BoundCounters::default();
    let record = d.end(true);
    d.s.on_control_closed(record);
    let (session, _) = d.s.finish(&mut bounds);
    assert_eq!(session.unwrap().findings.len(), 2);
    assert!(bounds.findings_not_stored >= 4, "{bounds:?}");
}

/// What an open session costs before it stores anything: regressions show here (the
/// control connection's record, TLS state and a negotiation's data connection are boxed).
#[test]
fn an_open_session_and_a_negotiation_stay_small() {
    let session = std::mem::size_of::<SessionState>();
    let negotiation = std::mem::size_of::<Negotiation>();
    // With the tracker's own fields around it, a boxed session then fits mimalloc's
    // 1,280-byte size class (1,536 bytes before TLS state was boxed).
    assert!(session <= 1216, "SessionState is {session} bytes");
    assert!(negotiation <= 128, "Negotiation is {negotiation} bytes");
}
