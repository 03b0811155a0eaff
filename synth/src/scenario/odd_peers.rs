//! `odd-peers`: FTP peers that break the rules, one session each, in one capture.
//!
//! Why: real clients and servers do not all follow RFC 959, and an analyzer that pairs
//! replies with commands first-in first-out goes wrong in ways that are easy to miss
//! unless the capture holds exactly those cases:
//!
//! * **midstream** (the capture's first packets): the capture starts during a session. The
//!   control connection's first captured packet is a server segment with two replies,
//!   `425` and `221`, to commands sent before the capture; an active data connection from
//!   port 20 is already running (no SYN), carrying a few hundred KB. Truth: no greeting,
//!   both replies unsolicited, the data connection an unlinked data connection of the
//!   session.
//! * **pipelining client**: USER, PASS and SYST in one segment right after the handshake,
//!   before the server's 220 arrives; the server then sends 220, 331, 230, 215. Truth: the
//!   220 is the greeting and answers nothing; USER gets 331, PASS 230, SYST 215.
//! * **invalid replies**: the server answers PASS with `230_no_space`, SYST with `SYST not
//!   supported` and PASV with `99 PASV invalid`, then TYPE I and PWD normally. Truth: each
//!   invalid line answers the oldest waiting command (which gets no reply code: `null`),
//!   and the later commands keep their own replies.
//! * **junk before a reply**: the server's segment starts with the bytes `00 10` and goes on
//!   with `530 Sorry, no access.` without a line break in between. Truth: PASS gets 530.
//!
//! Each session has hosts of its own (see [`Case::client`] and [`Case::server`]), so a
//! test finds it by its endpoints.

use crate::ftp::{Cmd, DataChannel, FtpConfig, FtpSession, Reply, Who};
use crate::impair;
use crate::net::Net;
use crate::packet::Payload;
use crate::rng::Rng;
use crate::sink::Trace;
use crate::tcp::CloseStyle;
use crate::truth::{Setup, Truth};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

const SEC: i64 = 1_000_000_000;

/// The four sessions, in capture order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Midstream,
    Pipelined,
    InvalidReplies,
    JunkBeforeReply,
}

impl Case {
    pub const ALL: [Case; 4] = [
        Case::Midstream,
        Case::Pipelined,
        Case::InvalidReplies,
        Case::JunkBeforeReply,
    ];

    fn host(self) -> u8 {
        match self {
            Case::Midstream => 4,
            Case::Pipelined => 1,
            Case::InvalidReplies => 2,
            Case::JunkBeforeReply => 3,
        }
    }

    /// The client's control endpoint.
    pub fn client(self) -> SocketAddr {
        let h = self.host();
        SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(10, 70, 0, 10 + h)),
            50_000 + 100 * h as u16 + 11,
        )
    }

    /// The server's control endpoint (port 21).
    pub fn server(self) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 70, 0, self.host())), 21)
    }
}

/// Bytes the midstream data connection carries in the capture.
pub const MIDSTREAM_DATA_BYTES: u64 = 400_000;

/// The client port of the midstream session's running active transfer.
pub fn midstream_data_port() -> u16 {
    Case::Midstream.client().port() + 89
}

/// The capture of `seed` (file stem `odd-peers-<seed>`) and its truth, with frames. The
/// seed varies sequence numbers and timestamps, never the shape.
pub fn generate(seed: u64) -> (Trace, Truth) {
    let mut rng = Rng::new(seed ^ 0x0dd_9ee5);
    let start = 1_700_000_000_000_000_000 + rng.range(0, 1 << 40) as i64;
    let mut trace = Trace::new();
    let mut truth = {
        let mut net = Net::new(&mut trace, start, rng.next_u64());
        midstream(&mut net);
        net.advance(SEC);
        pipelined(&mut net);
        net.advance(SEC);
        invalid_replies(&mut net);
        net.advance(SEC);
        junk_before_reply(&mut net);
        net.finish()
    };
    impair::observe(&trace, &mut truth);
    (trace, truth)
}

fn config(case: Case) -> FtpConfig {
    FtpConfig::new(case.client(), case.server())
}

/// The capture begins inside a session: data of a long active download already flowing,
/// then `425` and `221` in one segment.
fn midstream(net: &mut Net<'_>) {
    let case = Case::Midstream;
    let mut s = FtpSession::midstream(net, config(case));
    let listener = SocketAddr::new(case.client().ip(), midstream_data_port());
    let chan = DataChannel {
        setup: Setup::Port,
        announced: listener,
        listener,
        connector: SocketAddr::new(case.server().ip(), 20),
    };
    // Opened long before the capture (a 302 MB download); never linked to a transfer,
    // since its RETR is not in the capture.
    let mut d = s.open_data(&chan);
    d.tcp.assume_open(s.net());
    let payload = Payload::pattern(MIDSTREAM_DATA_BYTES, 302);
    let third = MIDSTREAM_DATA_BYTES / 3;
    s.data_send_payload(&mut d, Who::Server, &payload, 0..third);
    // Replies to a second transfer attempt and to QUIT, typed before the capture began.
    s.replies(&[
        Reply::new(425, "Can't open data connection."),
        Reply::new(221, "Goodbye."),
    ]);
    s.data_send_payload(&mut d, Who::Server, &payload, third..2 * third);
    s.close(CloseStyle::FourWay, Who::Server);
    // The download goes on after the control connection closed, past the capture's end.
    s.data_send_payload(
        &mut d,
        Who::Server,
        &payload,
        2 * third..MIDSTREAM_DATA_BYTES,
    );
}

/// USER, PASS and SYST in one segment before the greeting.
fn pipelined(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(net, config(Case::Pipelined));
    s.commands(&[
        Cmd::new("USER", Some("anonymous")),
        Cmd::new("PASS", Some("guest@example.org")),
        Cmd::new("SYST", None),
    ]);
    s.greeting(Reply::new(220, "Service ready for new user."));
    s.reply(Reply::new(
        331,
        "Guest login ok, send your e-mail as password.",
    ));
    s.reply(Reply::new(
        230,
        "Guest login ok, access restrictions apply.",
    ));
    s.reply(Reply::new(215, "UNIX Type: L8"));
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// Lines that are not replies, where replies are due.
fn invalid_replies(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(net, config(Case::InvalidReplies));
    s.reply(Reply::new(220, "Embedded FTP server ready"));
    s.exchange(
        Cmd::new("USER", Some("admin")),
        Reply::new(331, "Password required"),
    );
    s.command(Cmd::new("PASS", Some("admin")));
    s.invalid_reply("230_no_space");
    s.command(Cmd::new("SYST", None));
    s.invalid_reply("SYST not supported");
    s.command(Cmd::new("PASV", None));
    s.invalid_reply("99 PASV invalid");
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I"),
    );
    s.exchange(
        Cmd::new("PWD", None),
        Reply::new(257, "\"/\" is current directory"),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Bye"));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// Binary bytes glued in front of a reply.
fn junk_before_reply(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(net, config(Case::JunkBeforeReply));
    s.reply(Reply::new(220, "FTP server ready."));
    s.exchange(
        Cmd::new("USER", Some("guest")),
        Reply::new(331, "Password required for guest."),
    );
    s.command(Cmd::new("PASS", Some("guest")));
    s.reply_after_junk(&[0x00, 0x10], Reply::new(530, "Sorry, no access."));
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truth::{HandshakeKind, Role, SessionTruth};

    fn session(t: &Truth, case: Case) -> &SessionTruth {
        let (c, s) = (case.client().to_string(), case.server().to_string());
        t.sessions
            .iter()
            .find(|x| x.client == c && x.server == s)
            .expect("session")
    }

    fn codes(s: &SessionTruth) -> Vec<(String, Vec<Option<u16>>, Option<u16>)> {
        s.commands
            .iter()
            .map(|c| (c.command.clone(), c.reply_codes.clone(), c.reply_code))
            .collect()
    }

    fn row(
        v: &str,
        codes: &[Option<u16>],
        fin: Option<u16>,
    ) -> (String, Vec<Option<u16>>, Option<u16>) {
        (v.to_string(), codes.to_vec(), fin)
    }

    #[test]
    fn truth_says_what_each_odd_peer_did() {
        let (trace, t) = generate(1);
        assert_eq!(t.sessions.len(), 4);

        let m = session(&t, Case::Midstream);
        assert_eq!(m.id, 1, "the capture starts with the midstream session");
        assert_eq!(m.greeting, None);
        assert_eq!(m.unsolicited_replies, [425, 221]);
        let f = m.unsolicited_frames[0].expect("captured");
        assert_eq!(m.unsolicited_frames, [Some(f), Some(f)], "one segment");
        assert!(m.commands.is_empty());
        let ctrl = t.conn(m.control_conn);
        assert_eq!(ctrl.handshake, HandshakeKind::None);
        assert!(
            trace[..f as usize - 1]
                .iter()
                .all(|p| p.meta.conn != m.control_conn),
            "the two replies are the control connection's first packet"
        );
        assert_eq!(t.unlinked_data_connections, 1);
        let d = t
            .connections
            .iter()
            .find(|c| c.role == Role::Data)
            .expect("the running download");
        assert_eq!(d.session, Some(m.id));
        assert_eq!(d.handshake, HandshakeKind::None);
        assert_eq!(d.bytes_orig, MIDSTREAM_DATA_BYTES);
        assert!(d.orig.ends_with(":20"));
        assert_eq!(trace[0].meta.conn, d.id, "the capture starts mid-download");

        let p = session(&t, Case::Pipelined);
        assert_eq!(p.greeting, Some(220));
        assert_eq!(
            codes(p),
            [
                row("USER", &[Some(331)], Some(331)),
                row("PASS", &[Some(230)], Some(230)),
                row("SYST", &[Some(215)], Some(215)),
                row("QUIT", &[Some(221)], Some(221)),
            ]
        );
        let f = p.commands[0].frame.unwrap();
        assert!(
            p.commands[..3].iter().all(|c| c.frame == Some(f)),
            "one segment"
        );
        assert!(
            p.greeting_frame.unwrap() > f,
            "the greeting comes after the commands"
        );

        let b = session(&t, Case::InvalidReplies);
        assert_eq!(
            codes(b),
            [
                row("USER", &[Some(331)], Some(331)),
                row("PASS", &[None], None),
                row("SYST", &[None], None),
                row("PASV", &[None], None),
                row("TYPE", &[Some(200)], Some(200)),
                row("PWD", &[Some(257)], Some(257)),
                row("QUIT", &[Some(221)], Some(221)),
            ]
        );

        let j = session(&t, Case::JunkBeforeReply);
        assert_eq!(j.commands[1].command, "PASS");
        assert_eq!(j.commands[1].reply_code, Some(530));
        let f = j.commands[1].reply_frames[0].unwrap();
        let pk = &trace[f as usize - 1];
        let payload = &pk.data[pk.meta.payload_off as usize..];
        assert_eq!(payload, b"\x00\x10530 Sorry, no access.\r\n");
    }

    #[test]
    fn generation_is_deterministic() {
        let a = generate(9);
        let b = generate(9);
        assert_eq!(a.0, b.0);
        assert_eq!(a.1.to_json(), b.1.to_json());
    }
}
