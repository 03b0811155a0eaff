//! Random scenarios for property tests, and bulk captures for benchmarks.
//!
//! Everything is drawn from a seed, so a property test only has to draw `u64`s:
//! `capture(seed, &opts)` gives a trace and its truth, `impair::random` then
//! `impair::apply_all` degrade it. A random session varies what real clients and servers
//! vary: stacks (Linux or Windows options), ISNs (some close to 2^32 so sequence numbers wrap
//! mid-transfer), ACK habits, greeting and login shapes (failed logins included), every
//! PORT/EPRT/LPRT/PASV/EPSV/LPSV form allowed for the address family, the order of the data
//! SYN, the 150, the data and the 226, every close style, REST, SIZE, STOU, ABOR, failed
//! data connections, NAT-rewritten 227s, pipelining, split replies, bare LFs. Sessions of one
//! capture overlap in time and use the same server ports and client port numbers (on
//! different client hosts), so data connections reuse ports across sessions; within a
//! session the same PORT port may be used twice in a row (the same 4-tuple reopened).
//!
//! Hand-built captures aimed at one analyzer behaviour each live in submodules:
//! [`capture_loss`] (a long session whose capture lost packets both ways), [`ftp_anywhere`]
//! (FTP on non-standard ports next to SMTP and HTTP) and [`odd_peers`] (clients and servers
//! that break the rules, and a capture that starts mid-session).

use crate::ftp::{
    Abort, Cmd, CtrlAcks, DataChannel, DataFail, FinalAt, FtpConfig, FtpSession, Reply, SynAt, Who,
    Xfer,
};
use crate::net::Net;
use crate::packet::Payload;
use crate::rng::Rng;
use crate::sched::Scheduler;
use crate::sink::{PacketSink, Trace};
use crate::tcp::{AckPolicy, CloseStyle, Peer};
use crate::truth::Truth;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

pub mod capture_loss;
pub mod ftp_anywhere;
pub mod odd_peers;

/// Shape of a random capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Sessions, started a few milliseconds apart so they interleave.
    pub sessions: usize,
    pub max_transfers: usize,
    /// Largest payload of one transfer.
    pub max_bytes: u64,
    /// Chance (in percent) that a session uses IPv6.
    pub ipv6_percent: u8,
    /// Allow the rarer shapes (aborts, failures, NAT, odd line ends, pipelining).
    pub oddities: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sessions: 3,
            max_transfers: 4,
            max_bytes: 200_000,
            ipv6_percent: 25,
            oddities: true,
        }
    }
}

/// A random capture: several random sessions merged by the [`Scheduler`].
pub fn capture(seed: u64, opts: &Options) -> (Trace, Truth) {
    let mut rng = Rng::new(seed);
    let mut sched = Scheduler::new();
    let t0 = 1_700_000_000_000_000_000 + rng.range(0, 1 << 40) as i64;
    for i in 0..opts.sessions {
        let start = t0 + rng.range(0, 20_000_000) as i64;
        let session_seed = rng.next_u64();
        let opts = opts.clone();
        sched.add(start, session_seed, move |net| {
            let mut rng = Rng::new(session_seed);
            let v6 = rng.chance(opts.ipv6_percent as u64, 100);
            // One host per session; the same port numbers everywhere.
            let (client_ip, server_ip): (IpAddr, IpAddr) = if v6 {
                (
                    Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0x100 + i as u16).into(),
                    "2001:db8::21".parse().unwrap(),
                )
            } else {
                (
                    Ipv4Addr::new(10, 1, (i / 250) as u8, 10 + (i % 250) as u8).into(),
                    "10.0.0.21".parse().unwrap(),
                )
            };
            let client = SocketAddr::new(client_ip, 40000 + rng.range(0, 2) as u16);
            random_session(net, &mut rng, client, SocketAddr::new(server_ip, 21), &opts);
        });
    }
    let mut trace = Trace::new();
    let truth = sched.run(&mut trace);
    (trace, truth)
}

fn random_peer(rng: &mut Rng, addr: SocketAddr) -> Peer {
    let mut p = if rng.chance(1, 3) {
        Peer::windows(addr)
    } else {
        Peer::linux(addr)
    };
    if rng.chance(1, 4) {
        // Close to 2^32: the sequence numbers wrap during the session.
        p.isn = Some(u32::MAX - rng.range(0, 300_000) as u32);
    }
    p
}

/// One random session on `net` between `client` and `server`.
pub fn random_session(
    net: &mut Net<'_>,
    rng: &mut Rng,
    client: SocketAddr,
    server: SocketAddr,
    opts: &Options,
) {
    let odd = opts.oddities;
    let mut cfg = FtpConfig::new(client, server);
    cfg.client = random_peer(rng, client);
    cfg.server = random_peer(rng, server);
    cfg.ctrl_acks = if rng.chance(1, 3) {
        CtrlAcks::Pure
    } else {
        CtrlAcks::Piggyback
    };
    cfg.data_acks = *rng.pick(&[
        AckPolicy::Delayed2,
        AckPolicy::EverySegment,
        AckPolicy::Manual,
    ]);
    if rng.chance(1, 5) {
        cfg.server_data_port = 2020;
    }
    let mut s = FtpSession::connect(net, cfg);
    let greeting = if rng.chance(1, 3) {
        Reply::multi(
            220,
            "Welcome",
            &["220-This is a test server.", " with an indented line"],
            "Ready.",
        )
    } else {
        Reply::new(220, "Service ready.")
    };
    if odd && rng.chance(1, 4) {
        let cut = rng.range(1, greeting.bytes().len() as u64) as usize;
        s.reply_split(greeting, cut);
    } else {
        s.reply(greeting);
    }
    // Login: sometimes a failure first, sometimes only a failure.
    let user = *rng.pick(&["anonymous", "alice", "bob"]);
    if rng.chance(1, 5) {
        s.exchange(
            Cmd::new("USER", Some(user)),
            Reply::new(331, "Password required."),
        );
        s.exchange(
            Cmd::new("PASS", Some("bad")),
            Reply::new(530, "Login incorrect."),
        );
        if rng.chance(1, 2) {
            quit(&mut s, rng);
            return;
        }
    }
    if odd && rng.chance(1, 5) {
        s.commands(&[
            Cmd::new("USER", Some(user)),
            Cmd::new("PASS", Some("secret")),
        ]);
        s.replies(&[
            Reply::new(331, "Password required."),
            Reply::new(230, "Logged in."),
        ]);
    } else {
        s.exchange(
            Cmd::new("USER", Some(user)),
            Reply::new(331, "Password required."),
        );
        s.exchange(
            Cmd::new("PASS", Some("secret")),
            Reply::new(230, "Logged in."),
        );
    }
    if rng.chance(1, 3) {
        s.exchange(
            Cmd::new("FEAT", None),
            Reply::multi(
                211,
                "Features:",
                &[" EPSV", " EPRT", " SIZE", " REST STREAM"],
                "End",
            ),
        );
    }
    if odd && rng.chance(1, 4) {
        s.exchange(
            Cmd::new("PWD", None).lf(),
            Reply::new(257, "\"/\" is current directory.").lf(),
        );
    }
    let n = rng.range(0, opts.max_transfers as u64 + 1);
    let mut last_port: Option<u16> = None;
    for _ in 0..n {
        random_transfer(&mut s, rng, opts, &mut last_port);
    }
    if rng.chance(4, 5) {
        quit(&mut s, rng);
    }
}

fn quit(s: &mut FtpSession<'_, '_>, rng: &mut Rng) {
    let r = if rng.chance(1, 6) {
        Reply::bare(221)
    } else {
        Reply::new(221, "Goodbye.")
    };
    s.exchange(Cmd::new("QUIT", None), r);
    let style = *rng.pick(&[
        CloseStyle::FourWay,
        CloseStyle::ThreeWay,
        CloseStyle::Simultaneous,
        CloseStyle::Rst,
    ]);
    let first = if rng.chance(2, 3) {
        Who::Server
    } else {
        Who::Client
    };
    s.close(style, first);
}

fn random_transfer(
    s: &mut FtpSession<'_, '_>,
    rng: &mut Rng,
    opts: &Options,
    last_port: &mut Option<u16>,
) {
    let odd = opts.oddities;
    let v4 = s.client().is_ipv4();
    let setups: &[&str] = if v4 {
        &["PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV"]
    } else {
        &["EPRT", "LPRT", "EPSV", "LPSV"]
    };
    let setup = *rng.pick(setups);
    let client_ip = s.client().ip();
    let server_ip = s.server().ip();
    let chan: DataChannel = match setup {
        "PORT" | "EPRT" | "LPRT" => {
            // Sometimes the same port as the previous transfer: the same 4-tuple again.
            let port = match *last_port {
                Some(p) if rng.chance(1, 3) => p,
                _ => s.next_port(),
            };
            *last_port = Some(port);
            let ep = SocketAddr::new(client_ip, port);
            match setup {
                "PORT" => {
                    let IpAddr::V4(ip) = client_ip else {
                        unreachable!()
                    };
                    s.port(SocketAddrV4::new(ip, port))
                }
                "EPRT" => s.eprt(ep),
                _ => s.lprt(ep),
            }
        }
        _ => {
            let port = rng.range(30000, 60000) as u16;
            match setup {
                "PASV" => {
                    let IpAddr::V4(ip) = server_ip else {
                        unreachable!()
                    };
                    // NAT: the 227 names a private address; the client uses the real one.
                    let announced = if odd && rng.chance(1, 5) {
                        Ipv4Addr::new(192, 168, 7, 7)
                    } else {
                        ip
                    };
                    let ep = SocketAddrV4::new(announced, port);
                    let reply = if odd && rng.chance(1, 4) {
                        Reply::new(
                            227,
                            &format!("Entering Passive Mode {}", crate::ftp::hostport(ep)),
                        )
                        .with_endpoint(ep.into())
                    } else {
                        Reply::pasv(ep)
                    };
                    s.setup(Cmd::new("PASV", None), reply).expect("227")
                }
                "EPSV" => {
                    let delim = *rng.pick(&['|', '!', '#']);
                    s.setup(Cmd::new("EPSV", None), Reply::epsv(port, delim))
                        .expect("229")
                }
                _ => s.lpsv(port),
            }
        }
    };
    let verb = *rng.pick(&["RETR", "STOR", "LIST", "NLST", "MLSD", "APPE", "STOU"]);
    let size = if rng.chance(1, 8) {
        0
    } else {
        rng.range(1, opts.max_bytes.max(2))
    };
    if verb == "RETR" && rng.chance(1, 4) {
        let off = rng.range(0, 1_000_000);
        s.exchange(
            Cmd::new("REST", Some(&off.to_string())),
            Reply::new(350, "Restart position accepted."),
        );
    }
    let arg = match verb {
        "LIST" | "NLST" | "MLSD" if rng.chance(1, 2) => None,
        "STOU" => None,
        _ => Some(format!("file{}.bin", rng.range(0, 100))),
    };
    let mut prelim = Reply::new(150, "Opening data connection.");
    if verb == "RETR" && rng.chance(1, 2) {
        prelim = Reply::new(
            150,
            &format!("Opening BINARY mode data connection ({size} bytes)"),
        )
        .announcing(size);
    }
    if verb == "STOU" {
        prelim = Reply::new(150, "FILE: unique.1").storing("unique.1");
    }
    let mut x = Xfer::new(
        Cmd::new(verb, arg.as_deref()),
        Payload::pattern(size, rng.next_u64()),
    );
    x.prelim = if rng.chance(1, 8) && verb != "STOU" {
        None
    } else {
        Some(prelim)
    };
    let passive = chan.opener() == Who::Client;
    x.syn_at = match rng.range(0, 3) {
        0 if passive => SynAt::BeforeCommand,
        1 => SynAt::AfterPrelim,
        _ => SynAt::AfterCommand,
    };
    x.data_before_prelim = x.syn_at != SynAt::AfterPrelim && rng.chance(1, 5);
    x.final_at = *rng.pick(&[
        FinalAt::BeforeClose,
        FinalAt::AfterHalfClose,
        FinalAt::AfterClose,
    ]);
    x.close = *rng.pick(&[
        CloseStyle::FourWay,
        CloseStyle::ThreeWay,
        CloseStyle::Simultaneous,
        CloseStyle::Rst,
    ]);
    if rng.chance(1, 4) {
        x.closer = Some(x.sender().other());
    }
    if odd && rng.chance(1, 10) {
        x.fail = Some(if rng.chance(1, 2) {
            DataFail::Refused
        } else {
            DataFail::Unanswered {
                tries: rng.range(1, 4) as u32,
            }
        });
        x.done = Reply::new(425, "Can't open data connection.");
    } else if odd && size > 1 && rng.chance(1, 10) {
        x.abort = Some(Abort::after(rng.range(0, size)));
    }
    s.transfer(Some(&chan), x);
}

/// Sessions for a benchmark capture: `sessions` concurrent sessions, each downloading
/// `bytes_per_session` in passive mode (1448-byte segments, delayed ACKs). Run the
/// scheduler into a file writer: memory stays flat whatever the size.
pub fn bulk(sessions: usize, bytes_per_session: u64, seed: u64) -> Scheduler {
    let mut sched = Scheduler::new();
    for i in 0..sessions {
        sched.add(
            1_700_000_000_000_000_000 + i as i64 * 1_000_000,
            seed ^ i as u64,
            move |net| {
                let client = SocketAddr::new(
                    Ipv4Addr::new(10, 2, (i / 250) as u8, 10 + (i % 250) as u8).into(),
                    50000,
                );
                let mut s = FtpSession::connect(
                    net,
                    FtpConfig::new(client, "10.0.0.21:21".parse().unwrap()),
                );
                s.reply(Reply::new(220, "bench"));
                s.login("bench", "bench");
                let chan = s.pasv(40000 + i as u16);
                let size = bytes_per_session;
                s.transfer(
                    Some(&chan),
                    Xfer::new(
                        Cmd::new("RETR", Some("big.bin")),
                        Payload::pattern(size, i as u64),
                    )
                    .prelim(Some(
                        Reply::new(
                            150,
                            &format!(
                                "Opening BINARY mode data connection for big.bin ({size} bytes)"
                            ),
                        )
                        .announcing(size),
                    )),
                );
                s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
                s.close(CloseStyle::FourWay, Who::Server);
            },
        );
    }
    sched
}

/// Generates a bulk capture of about `total_bytes` of payload into `sink`; the truth.
pub fn bulk_into(sink: &mut dyn PacketSink, total_bytes: u64, sessions: usize, seed: u64) -> Truth {
    let sessions = sessions.max(1);
    bulk(sessions, total_bytes.div_ceil(sessions as u64), seed).run(sink)
}
