//! `ftp-anywhere`: FTP control connections on ports other than 21 (2121, 443, 8021) next to
//! an FTP session on 21, two SMTP sessions (25 and 587) and an HTTP connection (8080).
//!
//! Why: servers run FTP wherever they like (a second daemon on 2121, 443 to get through
//! firewalls, 8021 for an admin instance), so an analyzer that only knows port 21 misses
//! them; and SMTP looks a lot like FTP (a `220` greeting, three-digit replies), so one that
//! recognizes FTP by its dialogue must still tell the two apart. The HTTP connection runs
//! between the hosts of the 2121 session while that session is open, where a loose
//! "connection between FTP hosts" rule would take it for a data connection.
//!
//! Every FTP session: greeting, USER/PASS, one passive transfer, one active transfer,
//! QUIT. In active mode a server connects from its control port minus one (RFC 959's
//! default data port L-1: 20 for 21, 2120 for 2121, 442 for 443, 8020 for 8021). The truth
//! holds the four FTP sessions with their transfers and data connections; the SMTP and HTTP
//! connections are connections of role `other`.
//!
//! The seven scripts overlap in time (merged by the [`Scheduler`]); the seed varies ports,
//! sizes and sequence numbers, never the shape.

use crate::ftp::{Cmd, FtpConfig, FtpSession, Reply, Who, Xfer};
use crate::impair;
use crate::net::Net;
use crate::packet::{Payload, Side};
use crate::rng::Rng;
use crate::sched::Scheduler;
use crate::sink::Trace;
use crate::tcp::{CloseStyle, Peer, TcpConn};
use crate::truth::Truth;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

const MS: i64 = 1_000_000;

/// Control ports of the FTP sessions, in order of their start.
pub const FTP_PORTS: [u16; 4] = [21, 2121, 443, 8021];
/// Ports of the connections that are not FTP.
pub const OTHER_PORTS: [u16; 3] = [25, 587, 8080];

fn v4(a: u8, b: u8, c: u8, d: u8, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), port)
}

/// The capture of `seed` (file stem `ftp-anywhere-<seed>`) and its truth, with frames.
pub fn generate(seed: u64) -> (Trace, Truth) {
    let mut rng = Rng::new(seed ^ 0xa11_f7b);
    let t0 = 1_700_000_000_000_000_000 + rng.range(0, 1 << 40) as i64;
    let mut sched = Scheduler::new();
    for (i, port) in FTP_PORTS.into_iter().enumerate() {
        let client = v4(10, 60, 0, 10 + i as u8, rng.range(40_000, 60_000) as u16);
        let server = v4(10, 60, 0, 1 + i as u8, port);
        let s = rng.next_u64();
        sched.add(t0 + i as i64 * 3 * MS, s, move |net| {
            ftp_session(net, &mut Rng::new(s), client, server)
        });
    }
    let mail = [(25, false, 2), (587, true, 7)];
    for (k, (port, helo, at)) in mail.into_iter().enumerate() {
        let client = v4(10, 60, 0, 20 + k as u8, rng.range(40_000, 60_000) as u16);
        let server = v4(10, 60, 0, 25, port);
        sched.add(t0 + at * MS, rng.next_u64(), move |net| {
            smtp(net, client, server, helo)
        });
    }
    // Between the hosts of the 2121 session, while it is open.
    let client = v4(10, 60, 0, 11, rng.range(40_000, 60_000) as u16);
    let server = v4(10, 60, 0, 2, 8080);
    sched.add(t0 + 5 * MS, rng.next_u64(), move |net| {
        http(net, client, server)
    });
    let mut trace = Trace::new();
    let mut truth = sched.run(&mut trace);
    impair::observe(&trace, &mut truth);
    (trace, truth)
}

/// Greeting, login, a passive and an active transfer, QUIT.
fn ftp_session(net: &mut Net<'_>, rng: &mut Rng, client: SocketAddr, server: SocketAddr) {
    let port = server.port();
    let mut cfg = FtpConfig::new(client, server);
    cfg.server_data_port = port - 1;
    let mut s = FtpSession::connect(net, cfg);
    s.reply(match port {
        21 => Reply::new(220, "(vsFTPd 3.0.5)"),
        2121 => Reply::new(220, "ProFTPD Server (Debian) [10.60.0.2]"),
        443 => Reply::multi(
            220,
            "Welcome to the transfer gateway.",
            &["220-FTP is served on port 443 to get through firewalls."],
            "Ready.",
        ),
        _ => Reply::new(220, "FileZilla Server 1.8.0"),
    });
    s.exchange(
        Cmd::new("USER", Some("carol")),
        Reply::new(331, "Password required for carol"),
    );
    s.exchange(
        Cmd::new("PASS", Some("c4r0l")),
        Reply::new(230, "User carol logged in"),
    );
    // Passive: EPSV on 443, PASV elsewhere; a listing, or an upload on 8021.
    let data_port = rng.range(30_000, 40_000) as u16;
    let chan = if port == 443 {
        s.epsv(data_port)
    } else {
        s.pasv(data_port)
    };
    let (verb, arg, len) = if port == 8021 {
        ("STOR", Some("upload.csv"), rng.range(2_000, 30_000))
    } else {
        ("LIST", None, rng.range(200, 2_000))
    };
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new(verb, arg), Payload::pattern(len, rng.next_u64())),
    );
    // Active: the server connects from its control port minus one.
    let IpAddr::V4(ip) = client.ip() else {
        unreachable!("IPv4 hosts")
    };
    let listen = s.next_port();
    let chan = s.port(SocketAddrV4::new(ip, listen));
    let size = rng.range(5_000, 80_000);
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("RETR", Some("report.pdf")),
            Payload::pattern(size, rng.next_u64()),
        ),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// One SMTP submission: greeting, EHLO (or HELO), MAIL, RCPT, DATA with a short message,
/// QUIT. Not FTP: the truth counts it as an `other` connection.
fn smtp(net: &mut Net<'_>, client: SocketAddr, server: SocketAddr, helo: bool) {
    let mut c = TcpConn::new(net, Peer::linux(client), Peer::linux(server));
    c.handshake(net);
    let mut say = |net: &mut Net<'_>, side: Side, text: &str| c.send(net, side, text.as_bytes());
    say(net, Side::Resp, "220 mail.example ESMTP\r\n");
    if helo {
        say(net, Side::Orig, "HELO client.example\r\n");
        say(net, Side::Resp, "250 mail.example\r\n");
    } else {
        say(net, Side::Orig, "EHLO client.example\r\n");
        say(
            net,
            Side::Resp,
            "250-mail.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
        );
    }
    say(net, Side::Orig, "MAIL FROM:<alice@client.example>\r\n");
    say(net, Side::Resp, "250 2.1.0 Ok\r\n");
    say(net, Side::Orig, "RCPT TO:<bob@mail.example>\r\n");
    say(net, Side::Resp, "250 2.1.5 Ok\r\n");
    say(net, Side::Orig, "DATA\r\n");
    say(net, Side::Resp, "354 End data with <CR><LF>.<CR><LF>\r\n");
    say(
        net,
        Side::Orig,
        "From: alice@client.example\r\nTo: bob@mail.example\r\nSubject: numbers\r\n\r\n\
         Hello Bob,\r\nthe quarterly numbers are in the shared folder.\r\n.\r\n",
    );
    say(net, Side::Resp, "250 2.0.0 Ok: queued as 4F2A81C0B7\r\n");
    say(net, Side::Orig, "QUIT\r\n");
    say(net, Side::Resp, "221 2.0.0 Bye\r\n");
    c.close(net, CloseStyle::FourWay, Side::Resp);
}

/// One HTTP request and response on 8080.
fn http(net: &mut Net<'_>, client: SocketAddr, server: SocketAddr) {
    let mut c = TcpConn::new(net, Peer::linux(client), Peer::linux(server));
    c.handshake(net);
    c.send(
        net,
        Side::Orig,
        b"GET /status HTTP/1.1\r\nHost: 10.60.0.2:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
    );
    let body = "{\"ftp\":\"up\",\"sessions\":1}\n";
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    c.send(net, Side::Resp, format!("{head}{body}").as_bytes());
    c.close(net, CloseStyle::ThreeWay, Side::Orig);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truth::{Mode, Role, Status};

    #[test]
    fn truth_holds_the_four_ftp_sessions_and_three_other_connections() {
        let (trace, truth) = generate(1);
        assert_eq!(truth.packets as usize, trace.len());
        let ports: Vec<u16> = truth
            .sessions
            .iter()
            .map(|s| s.server.rsplit(':').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(ports, FTP_PORTS);
        assert_eq!(truth.non_ftp_tcp_connections, 3);
        assert_eq!(truth.unlinked_data_connections, 0);
        for c in truth.connections.iter().filter(|c| c.role == Role::Other) {
            let port: u16 = c.resp.rsplit(':').next().unwrap().parse().unwrap();
            assert!(OTHER_PORTS.contains(&port), "{}", c.resp);
            assert_eq!(c.session, None);
        }
        for s in &truth.sessions {
            assert_eq!(s.greeting, Some(220));
            assert!(s.greeting_frame.is_some());
            let port: u16 = s.server.rsplit(':').next().unwrap().parse().unwrap();
            let modes: Vec<_> = s.transfers.iter().map(|t| t.mode).collect();
            assert_eq!(modes, [Some(Mode::Passive), Some(Mode::Active)]);
            for t in &s.transfers {
                assert_eq!(t.status, Status::Complete);
                let dc = t.data_conn.as_ref().expect("a data connection");
                if t.mode == Some(Mode::Active) {
                    // RFC 959's L-1.
                    assert!(dc.orig.ends_with(&format!(":{}", port - 1)), "{}", dc.orig);
                }
                assert_eq!(truth.conn(dc.conn).session, Some(s.id));
            }
            for c in &s.commands {
                assert!(c.frame.is_some() && c.reply_frames.iter().all(Option::is_some));
            }
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let a = generate(5);
        let b = generate(5);
        assert_eq!(a.0, b.0);
        assert_eq!(a.1.to_json(), b.1.to_json());
    }
}
