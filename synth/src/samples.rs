//! The committed sample captures: the source articles' scenarios (seeds 000-003) with their
//! own addresses, ports, commands and replies, plus captures of behaviours real servers
//! produce. Each sample is a script on a [`Net`], a start time, a seed and a file layout;
//! [`write_all`] writes `<name>.<ext>` and `<name>.truth.json` for every sample.
//!
//! Where an article leaves something out (a client port, a user name, a size, the timing),
//! the script chooses a plausible value and says so in a comment.

use crate::capfile::{self, Format};
use crate::ftp::{
    Abort, Cmd, CtrlAcks, DataChannel, FinalAt, FtpConfig, FtpSession, Reply, SynAt, Who, Xfer,
    tls_record,
};
use crate::link::LinkType;
use crate::net::{Net, Timing};
use crate::packet::{Payload, Side};
use crate::pcap::PcapOptions;
use crate::pcapng::{Interface, PcapngWriter};
use crate::sink::{PacketSink, Trace};
use crate::tcp::{AckPolicy, CloseStyle, Peer, TcpConn, Ts};
use crate::truth::{self, Setup, Truth};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};

/// How a sample's packets are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    Pcap(PcapOptions),
    /// pcapng; a packet goes to the last section whose start time is not after it, on that
    /// section's first interface.
    Pcapng {
        big_endian: bool,
        sections: Vec<(i64, Vec<Interface>)>,
    },
}

/// One committed sample.
pub struct Sample {
    pub name: &'static str,
    /// File extension: `pcap`, `pcapng` or `pcap.gz`.
    pub ext: &'static str,
    pub layout: Layout,
    pub start_ns: i64,
    pub seed: u64,
    pub script: fn(&mut Net<'_>),
}

impl Sample {
    /// Runs the script: the packets and the finalized truth.
    pub fn generate(&self) -> (Trace, Truth) {
        let mut trace = Trace::new();
        let mut net = Net::new(&mut trace, self.start_ns, self.seed);
        (self.script)(&mut net);
        let truth = net.finish();
        (trace, truth)
    }

    pub fn capture_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.{}", self.name, self.ext))
    }

    pub fn truth_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.truth.json", self.name))
    }

    /// Writes the capture and its truth into `dir`.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let (trace, truth) = self.generate();
        let path = self.capture_path(dir);
        match &self.layout {
            Layout::Pcap(o) => {
                let mut w = capfile::create(&path, &Format::Pcap(*o))?;
                for p in trace {
                    w.push(p);
                }
                w.finish()?;
            }
            Layout::Pcapng {
                big_endian,
                sections,
            } => {
                let file = BufWriter::new(File::create(&path)?);
                if self.ext.ends_with(".gz") {
                    let gz = GzEncoder::new(file, Compression::default());
                    write_sections(gz, *big_endian, sections, trace)?
                        .finish()?
                        .flush()?;
                } else {
                    write_sections(file, *big_endian, sections, trace)?.flush()?;
                }
            }
        }
        std::fs::write(self.truth_path(dir), truth.to_json())
    }
}

fn write_sections<W: Write>(
    w: W,
    big_endian: bool,
    sections: &[(i64, Vec<Interface>)],
    trace: Trace,
) -> io::Result<W> {
    let mut w = PcapngWriter::new(w, big_endian, sections[0].1.clone())?;
    let mut current = 0;
    for p in trace {
        while current + 1 < sections.len() && p.ts_ns >= sections[current + 1].0 {
            current += 1;
            w.new_section(sections[current].1.clone())?;
        }
        w.push(p);
    }
    w.into_inner()
}

/// Every sample, in the order of the README.
pub fn all() -> Vec<Sample> {
    let pcap = |link| {
        Layout::Pcap(PcapOptions {
            link,
            ..PcapOptions::default()
        })
    };
    vec![
        Sample {
            name: "seed000-filezilla-active-mlsd-stor",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2025, 1, 2, 1, 20, 5, 117_000_000),
            seed: 0,
            script: seed000,
        },
        Sample {
            name: "seed001-active-ls-pwd-quit",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2008, 11, 6, 10, 12, 31, 402_000_000),
            seed: 1,
            script: seed001,
        },
        Sample {
            name: "seed002-servu-passive-active-upload",
            ext: "pcapng",
            // Client and server are one host: a Windows loopback capture (Npcap's loopback
            // adapter writes BSD NULL headers).
            layout: Layout::Pcapng {
                big_endian: false,
                sections: vec![(
                    i64::MIN,
                    vec![Interface::new(LinkType::Null, 6).named("\\Device\\NPF_Loopback")],
                )],
            },
            start_ns: utc(2018, 3, 23, 9, 40, 12, 250_000_000),
            seed: 2,
            script: seed002,
        },
        Sample {
            name: "seed003-vsftpd-stat-pasv-port",
            ext: "pcapng",
            // Two captures of two networks in one file: one section each; the second keeps
            // tcpdump's microseconds.
            layout: Layout::Pcapng {
                big_endian: false,
                sections: vec![
                    (
                        i64::MIN,
                        vec![Interface::new(LinkType::Ethernet, 9).named("eth0")],
                    ),
                    (
                        utc(2010, 10, 22, 14, 50, 0, 0),
                        vec![Interface::new(LinkType::Ethernet, 6).named("eth1")],
                    ),
                ],
            },
            start_ns: utc(2010, 10, 22, 14, 38, 2, 0),
            seed: 3,
            script: seed003,
        },
        Sample {
            name: "seed004-firewall-active-dropped-passive-ok",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2022, 7, 17, 1, 21, 3, 0),
            seed: 4,
            script: seed004,
        },
        Sample {
            name: "epsv-eprt-ipv6",
            ext: "pcap",
            layout: Layout::Pcap(PcapOptions {
                nanos: true,
                big_endian: true,
                ..PcapOptions::default()
            }),
            start_ns: utc(2024, 5, 14, 8, 0, 0, 123_456_789),
            seed: 10,
            script: epsv_eprt_ipv6,
        },
        Sample {
            name: "abort-rest-stou",
            ext: "pcap",
            layout: pcap(LinkType::Raw),
            start_ns: utc(2024, 5, 14, 9, 30, 0, 0),
            seed: 11,
            script: abort_rest_stou,
        },
        Sample {
            name: "nat-pasv-rewritten",
            ext: "pcap.gz",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2024, 5, 14, 11, 0, 0, 0),
            seed: 12,
            script: nat_pasv_rewritten,
        },
        Sample {
            name: "pipelined-multiline-odd-replies",
            ext: "pcap",
            layout: pcap(LinkType::LinuxSll),
            start_ns: utc(2024, 5, 14, 12, 0, 0, 0),
            seed: 13,
            script: pipelined_odd,
        },
        Sample {
            name: "failed-data-connection",
            ext: "pcap",
            layout: Layout::Pcap(PcapOptions {
                big_endian: true,
                ..PcapOptions::default()
            }),
            start_ns: utc(2024, 5, 14, 13, 0, 0, 0),
            seed: 14,
            script: failed_data_connection,
        },
        Sample {
            name: "auth-tls-opaque",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2024, 5, 14, 14, 0, 0, 0),
            seed: 15,
            script: auth_tls,
        },
        Sample {
            name: "brute-force-logins",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2024, 5, 14, 15, 0, 0, 0),
            seed: 16,
            script: brute_force,
        },
        Sample {
            name: "ftps-explicit-prot-p",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2024, 5, 14, 16, 0, 0, 0),
            seed: 17,
            script: ftps_explicit,
        },
        Sample {
            name: "ftps-implicit-990",
            ext: "pcap",
            layout: pcap(LinkType::Ethernet),
            start_ns: utc(2024, 5, 14, 17, 0, 0, 0),
            seed: 18,
            script: ftps_implicit,
        },
    ]
}

/// Writes every sample into `dir` (created if needed); the files written.
pub fn write_all(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for s in all() {
        s.write(dir)?;
        out.push(s.capture_path(dir));
        out.push(s.truth_path(dir));
    }
    Ok(out)
}

/// Nanoseconds since the Unix epoch of a UTC date and time (days-from-civil, proleptic
/// Gregorian).
pub fn utc(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32, ns: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 86_400 + hh as i64 * 3600 + mm as i64 * 60 + ss as i64) * 1_000_000_000) + ns as i64
}

fn sa(s: &str) -> SocketAddr {
    s.parse().expect("a literal socket address")
}

fn v4(s: &str) -> SocketAddrV4 {
    s.parse().expect("a literal IPv4 socket address")
}

const MS: i64 = 1_000_000;
const SEC: i64 = 1_000_000_000;

/// Lines joined with CRLF, CRLF-terminated (listings as servers send them in ASCII mode).
fn crlf_lines(lines: &[&str]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| format!("{l}\r\n").into_bytes())
        .collect()
}

/// Seed 000: FileZilla 3.66.5 (Windows) against FileZilla Server 0.9.60.2, active mode.
fn seed000(net: &mut Net<'_>) {
    net.timing = Timing {
        one_way_ns: 250_000,
        gap_ns: 15_000,
    };
    let mut cfg = FtpConfig::new(sa("192.168.9.186:55427"), sa("192.168.9.161:21"));
    cfg.client = Peer::windows(cfg.client.addr);
    cfg.server = Peer::windows(cfg.server.addr);
    cfg.server_think_ns = 300_000;
    let mut s = FtpSession::connect(net, cfg);
    // The article starts at PORT ("before PORT, as in passive mode"); the login and the
    // commands FileZilla sends before listing are FileZilla's usual ones. User name chosen.
    s.reply(Reply::multi(
        220,
        "FileZilla Server 0.9.60 beta",
        &["220-written by Tim Kosse (tim.kosse@filezilla-project.org)"],
        "Please visit https://filezilla-project.org/",
    ));
    s.exchange(
        Cmd::new("USER", Some("test")),
        Reply::new(331, "Password required for test"),
    );
    s.exchange(
        Cmd::new("PASS", Some("test123")),
        Reply::new(230, "Logged on"),
    );
    s.exchange(
        Cmd::new("OPTS", Some("UTF8 ON")),
        Reply::new(
            202,
            "UTF8 mode is always enabled. No need to explicitly enable it.",
        ),
    );
    s.exchange(
        Cmd::new("PWD", None),
        Reply::new(257, "\"/\" is current directory."),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I"),
    );
    // 2.1-2.2: PORT 192,168,9,186,216,142 (55438), 200.
    let chan = s
        .setup(
            Cmd::port(v4("192.168.9.186:55438")),
            Reply::new(200, "PORT command successful."),
        )
        .expect("200");
    // 2.3-2.8: MLSD, 150, the server's SYN from port 20, the MLSD line, 226, then the
    // four-way close with the server's FIN first.
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("MLSD", None),
            Payload::bytes(&b"type=dir;modify=20250102011711; my2024\r\n"[..]),
        )
        .prelim(Some(Reply::new(
            150,
            "Opening data channel for directory listing of \"/\"",
        )))
        .done(Reply::new(226, "Successfully transferred \"/\""))
        .syn_at(SynAt::AfterPrelim)
        .final_at(FinalAt::BeforeClose)
        .close(CloseStyle::FourWay, Some(Who::Server)),
    );
    // 3.1-3.3: the upload, on the next client port. File name and content chosen (the
    // article shows neither); 1,000 bytes.
    s.net().advance(2 * SEC);
    let chan = s
        .setup(
            Cmd::port(v4("192.168.9.186:55439")),
            Reply::new(200, "PORT command successful."),
        )
        .expect("200");
    let body: Vec<u8> = (1..=100)
        .flat_map(|i| format!("line {i:03}\r\n").into_bytes())
        .collect();
    debug_assert_eq!(body.len(), 1000);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("STOR", Some("test.txt")), Payload::bytes(body))
            .prelim(Some(Reply::new(
                150,
                "Opening data channel for file upload to server of \"/test.txt\"",
            )))
            .done(Reply::new(226, "Successfully transferred \"/test.txt\""))
            .syn_at(SynAt::AfterPrelim)
            .final_at(FinalAt::AfterClose),
    );
    // The article ends here; the session is closed politely (chosen).
    s.net().advance(5 * SEC);
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye"));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// Seed 001: the 32 numbered steps, one emitted packet (or packet group) per step.
fn seed001(net: &mut Net<'_>) {
    // Client port N = 51299, so that the first data port N+1 is the article's 51300
    // (PORT ...,200,100), as its conclusion 2 says. Linux command-line client; the server
    // software is not named: vsftpd's replies are used.
    let mut cfg = FtpConfig::new(sa("192.168.120.168:51299"), sa("192.168.120.240:21"));
    cfg.data_acks = AckPolicy::Manual;
    let mut s = FtpSession::new(net, cfg);
    s.handshake(); // 1: SYN, SYN-ACK, ACK from client port N to 21
    s.net().advance(2 * MS);
    s.reply(Reply::new(220, "(vsFTPd 2.0.5)")); // 2: the server answers on the control channel
    s.net().advance(40 * MS);
    s.ack(Who::Client); // 3: client ACK
    s.net().advance(3 * SEC); // the user types the name (chosen: "test")
    s.command(Cmd::new("USER", Some("test"))); // 4: user name
    s.net().advance(40 * MS);
    s.ack(Who::Server); // 5: server ACK
    s.reply(Reply::new(331, "Please specify the password.")); // 6: password request
    s.net().advance(40 * MS);
    s.ack(Who::Client); // 7: client ACK
    s.net().advance(2 * SEC);
    s.command(Cmd::new("PASS", Some("test1234"))); // 8: password in clear text (chosen)
    s.net().advance(40 * MS);
    s.ack(Who::Server); // 9: server ACK
    s.reply(Reply::new(230, "Login successful.")); // 10: logged in
    s.net().advance(40 * MS);
    s.ack(Who::Client); // 11: client ACK
    s.net().advance(4 * SEC); // the user types `ls`
    let announced = sa("192.168.120.168:51300");
    s.command(Cmd::port(v4("192.168.120.168:51300"))); // 12: PORT N+1
    s.net().advance(40 * MS);
    s.ack(Who::Server); // 13: server ACK
    s.reply(Reply::new(
        200,
        "PORT command successful. Consider using PASV.",
    )); // 14
    let chan = DataChannel {
        setup: Setup::Port,
        announced,
        listener: announced,
        connector: sa("192.168.120.240:20"),
    };
    let x = s.begin_transfer(Cmd::new("LIST", None), Some(&chan)); // 15: ls
    let mut d = s.open_data(&chan);
    s.link_data(&d, x);
    s.data_handshake(&mut d); // 16: SYN from 20 to N+1, SYN-ACK, ACK
    s.reply(Reply::new(150, "Here comes the directory listing.")); // 17: listing starts (fig. 16)
    let listing = crlf_lines(&[
        "drwxr-xr-x    2 500      500          4096 Nov 05 16:20 Desktop",
        "-rw-r--r--    1 500      500         10240 Nov 05 17:02 notes.tar",
        "-rw-r--r--    1 500      500           361 Nov 06 09:55 todo.txt",
    ]);
    s.data_send(&mut d, Who::Server, &listing); // 17: the listing itself (fig. 17)
    s.data_fin(&mut d, Who::Server); // 18: server FIN (first of four)
    s.net().advance(MS / 5);
    s.data_ack(&mut d, Who::Client); // 19: client ACK: the half-close
    s.reply(Reply::new(226, "Directory send OK.")); // 20: ls done
    s.net().advance(MS);
    s.ack(Who::Client); // 21: client ACK
    s.data_fin(&mut d, Who::Client); // 22: client FIN (third of four)
    s.data_ack(&mut d, Who::Server); // 23: server ACK (fourth of four)
    s.net().advance(5 * SEC);
    s.command(Cmd::new("PWD", None)); // 24: pwd
    s.reply(Reply::new(257, "\"/home/test\"")); // 25: its result
    s.net().advance(40 * MS);
    s.ack(Who::Client); // 26: client ACK
    s.net().advance(4 * SEC);
    s.command(Cmd::new("QUIT", None)); // 27: quit
    s.reply(Reply::new(221, "Goodbye.")); // 28: its result
    s.fin(Who::Server); // 29: server FIN (first of four)
    s.ack(Who::Client); // 30: client ACK
    s.fin(Who::Client); // 31: client FIN (third of four)
    s.ack(Who::Server); // 32: server ACK (fourth of four)
}

/// The 2,052-byte 404.htm of seed 002 (content invented; the size is the article's).
fn page_404() -> Vec<u8> {
    let head = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\r\n<html>\r\n<head>\r\n\
                <meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\r\n\
                <title>404 - File not found</title>\r\n</head>\r\n<body>\r\n<h1>404</h1>\r\n<p>";
    let tail = "</p>\r\n</body>\r\n</html>\r\n";
    let sentence = "The page you are looking for might have been removed, had its name changed, \
                    or is temporarily unavailable. ";
    let mut body = head.as_bytes().to_vec();
    let room = 2052 - head.len() - tail.len();
    body.extend(sentence.bytes().cycle().take(room));
    body.extend_from_slice(tail.as_bytes());
    body
}

/// One Serv-U 6.4 login as FileZilla logs it.
fn servu_login(s: &mut FtpSession<'_, '_>) {
    s.reply(Reply::new(
        220,
        "Serv-U FTP Server v6.4 for WinSock ready...",
    ));
    s.exchange(
        Cmd::new("USER", Some("test")),
        Reply::new(331, "User name okay, need password."),
    );
    // FileZilla logs the password as ****; chosen.
    s.exchange(
        Cmd::new("PASS", Some("test")),
        Reply::new(230, "User logged in, proceed."),
    );
}

/// Seed 002: FileZilla and Serv-U 6.4 on one host (172.16.101.104), passive then active.
fn seed002(net: &mut Net<'_>) {
    net.timing = Timing {
        one_way_ns: 20_000,
        gap_ns: 5_000,
    };
    let servu_listing = crlf_lines(&[
        "type=cdir;modify=20180323013842;perm=fdelcmp; /",
        "type=file;size=2052;modify=20180323094013;perm=rwd; 404.htm",
        "type=dir;modify=20180301080000;perm=fdelcmp; upload",
    ]);
    let cfg = |port: u16| {
        let mut c = FtpConfig::new(
            SocketAddr::new([172, 16, 101, 104].into(), port),
            sa("172.16.101.104:21"),
        );
        c.client = Peer::windows(c.client.addr);
        c.server = Peer::windows(c.server.addr);
        c.server_think_ns = 200_000;
        c
    };
    // Client ports are not logged: Windows XP-era ephemeral ports (1025-5000) near the
    // PORT ports 2124/2125 the article shows.
    // First connection: FileZilla's browsing connection, left open (the log never QUITs).
    let mut s = FtpSession::connect(net, cfg(2110));
    servu_login(&mut s);
    s.exchange(
        Cmd::new("PWD", None),
        Reply::new(257, "\"/\" is current directory."),
    );
    let browse = s.park();

    // Second connection: the passive upload. FileZilla connects the data channel as soon
    // as it has the 227, before sending STOR/MLSD.
    net.advance(3 * SEC);
    let mut s = FtpSession::connect(net, cfg(2112));
    servu_login(&mut s);
    s.exchange(
        Cmd::new("CWD", Some("/")),
        Reply::new(250, "Directory changed to /"),
    );
    s.exchange(
        Cmd::new("TYPE", Some("A")),
        Reply::new(200, "Type set to A."),
    );
    let chan = s
        .setup(
            Cmd::new("PASV", None),
            Reply::pasv(v4("172.16.101.104:2134")),
        )
        .expect("227");
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("STOR", Some("404.htm")),
            Payload::bytes(page_404()),
        )
        .syn_at(SynAt::BeforeCommand)
        .prelim(Some(Reply::new(
            150,
            "Opening ASCII mode data connection for 404.htm.",
        )))
        .done(Reply::new(226, "Transfer complete.")),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I."),
    );
    let chan = s
        .setup(
            Cmd::new("PASV", None),
            Reply::pasv(v4("172.16.101.104:2136")),
        )
        .expect("227");
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("MLSD", None),
            Payload::bytes(servu_listing.clone()),
        )
        .syn_at(SynAt::BeforeCommand)
        .prelim(Some(Reply::new(
            150,
            "Opening BINARY mode data connection for MLSD.",
        )))
        .done(Reply::new(226, "Transfer complete.")),
    );
    let passive = s.park();

    // Third connection: the active variant; Serv-U connects from port 20 after its 150.
    net.advance(20 * SEC);
    let mut s = FtpSession::connect(net, cfg(2123));
    servu_login(&mut s);
    s.exchange(
        Cmd::new("CWD", Some("/")),
        Reply::new(250, "Directory changed to /"),
    );
    s.exchange(
        Cmd::new("TYPE", Some("A")),
        Reply::new(200, "Type set to A."),
    );
    let chan = s
        .setup(
            Cmd::port(v4("172.16.101.104:2124")),
            Reply::new(200, "PORT Command successful."),
        )
        .expect("200");
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("STOR", Some("404.htm")),
            Payload::bytes(page_404()),
        )
        .syn_at(SynAt::AfterPrelim)
        .prelim(Some(Reply::new(
            150,
            "Opening ASCII mode data connection for 404.htm.",
        )))
        .done(Reply::new(226, "Transfer complete.")),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I."),
    );
    let chan = s
        .setup(
            Cmd::port(v4("172.16.101.104:2125")),
            Reply::new(200, "PORT Command successful."),
        )
        .expect("200");
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("MLSD", None), Payload::bytes(servu_listing))
            .syn_at(SynAt::AfterPrelim)
            .prelim(Some(Reply::new(
                150,
                "Opening BINARY mode data connection for MLSD.",
            )))
            .done(Reply::new(226, "Transfer complete.")),
    );
    // All three control connections stay open, as in the log: FileZilla keeps them.
    drop((browse, passive));
}

/// vsFTPd's greeting and a login typed over telnet.
fn vsftpd_telnet_login(s: &mut FtpSession<'_, '_>, pass: &str) {
    s.reply(Reply::new(220, "(vsFTPd 2.0.5)"));
    s.net().advance(4 * SEC);
    s.exchange(
        Cmd::new("USER", Some("ftp")),
        Reply::new(331, "Please specify the password."),
    );
    s.net().advance(3 * SEC);
    s.exchange(
        Cmd::new("PASS", Some(pass)),
        Reply::new(230, "Login successful."),
    );
}

/// Seed 003: vsFTPd 2.0.5 driven by hand over telnet; STAT, PASV + nc, PORT + nc -l.
fn seed003(net: &mut Net<'_>) {
    // Part 1 (first pcapng section): client 192.168.0.110, server 192.168.0.129. The
    // article shows two telnet sessions; client ports and the timing are chosen; the
    // session times are placed before the tcpdump excerpt of part 2 (14:51:29).
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("192.168.0.110:45871"), sa("192.168.0.129:21")),
    );
    vsftpd_telnet_login(&mut s, "123");
    s.net().advance(5 * SEC);
    s.exchange(Cmd::new("PWD", None), Reply::new(257, "\"/\""));
    s.net().advance(6 * SEC);
    // The article's lines, as printed there (vsftpd indents the middle lines; the blog
    // lost the indentation, and the sample keeps the article's text).
    s.exchange(
        Cmd::new("STAT", None),
        Reply::multi(
            211,
            "FTP server status:",
            &[
                "Connected to 192.168.0.110",
                "Logged in as ftp",
                "TYPE: ASCII",
                "No session bandwidth limit",
                "Session timeout in seconds is 300",
                "Control connection is plain text",
                "Data connections will be plain text",
                "At session startup, client count was 5",
                "vsFTPd 2.0.5 - secure, fast, stable",
            ],
            "End of status",
        ),
    );
    // The user leaves telnet (^] quit): the client closes first.
    s.net().advance(20 * SEC);
    s.close(CloseStyle::FourWay, Who::Client);

    net.advance(40 * SEC);
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("192.168.0.110:45874"), sa("192.168.0.129:21")),
    );
    vsftpd_telnet_login(&mut s, "123");
    s.net().advance(5 * SEC);
    let chan = s
        .setup(
            Cmd::new("PASV", None),
            Reply::pasv(v4("192.168.0.129:43738")),
        )
        .expect("227");
    s.net().advance(3 * SEC);
    let listing = crlf_lines(&[
        "-rwxrwxrwx 1 0 0 4520 Oct 15 04:46 iptab.txt",
        "drwxr-xr-x 11 0 0 4096 Oct 22 10:34 pub",
        "-rwxrwxrwx 1 0 0 3111600128 Oct 14 03:26 rhel5u5.iso",
        "-rw-r--r-- 1 0 0 1280 Oct 15 06:37 trustdb.gpg",
        "-rw-r--r-- 1 0 0 4303 Oct 15 04:37 新建 文本文档 (2).txt~",
        "-rw-r--r-- 1 0 0 1782 Oct 22 05:05 新文件 3",
    ]);
    // vsftpd waits for the connection after LIST; the user computes 170*256+218 and runs
    // `nc 192.168.0.129 43738` in another shell (12 s, chosen). vsftpd then says 150,
    // sends, closes (FIN), and says 226 while nc's half of the close is still pending.
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(listing))
            .syn_delay(12 * SEC)
            .prelim(Some(Reply::new(150, "Here comes the directory listing.")))
            .done(Reply::new(226, "Directory send OK."))
            .final_at(FinalAt::AfterHalfClose),
    );
    // The article stops here: this control connection stays open.
    let _open = s.park();

    // Part 2 (second section): client 192.168.0.27, server 192.168.0.254, at the
    // tcpdump excerpt's time of day (taken as UTC).
    let t0 = utc(2010, 10, 22, 14, 51, 29, 833_966_000);
    net.at(t0 - 38 * SEC);
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("192.168.0.27:38020"), sa("192.168.0.254:21")),
    );
    s.reply(Reply::new(220, "(vsFTPd 2.0.5)"));
    s.net().advance(5 * SEC);
    s.exchange(
        Cmd::new("USER", Some("ftp")),
        Reply::new(331, "Please specify the password."),
    );
    s.net().advance(4 * SEC);
    s.exchange(
        Cmd::new("PASS", Some("123123")),
        Reply::new(230, "Login successful."),
    );
    s.net().advance(9 * SEC);
    let chan = s
        .setup(
            Cmd::port(v4("192.168.0.27:11111")),
            Reply::new(200, "PORT command successful. Consider using PASV."),
        )
        .expect("200");
    s.net().at(t0 - 300_000);
    let x = s.begin_transfer(Cmd::new("LIST", None), Some(&chan));
    // The data connection exactly as tcpdump printed it: ISNs, IP ids, TOS, windows,
    // options, timestamp values (each host's clock ticks every ms; the phases are chosen
    // so the printed values come out) and the server SYN's stale TSecr.
    let server = Peer {
        win_syn: 5792,
        win: 46,
        ts: Ts::Clock {
            val: 2_951_005,
            at_ns: t0 - 866_000,
            tick_ns: MS,
        },
        ..Peer::linux(sa("192.168.0.254:20"))
    }
    .isn(4_177_100_919)
    .ip_id(34602);
    let client = Peer {
        win_syn: 5792,
        win: 56,
        ts: Ts::Clock {
            val: 18_726_092,
            at_ns: t0 + 72_000,
            tick_ns: MS,
        },
        ..Peer::linux(sa("192.168.0.27:11111"))
    }
    .isn(688_182_270)
    .ip_id(0);
    let mut d = s.open_data_with(&chan, client, server);
    s.link_data(&d, x);
    d.tcp.syn_tsecr = 18_706_057;
    d.tcp.acks = AckPolicy::Manual;
    let listing = part2_listing();
    let us = |n: i64| t0 + n * 1000;
    let wire = s.net();
    wire.at(us(0));
    d.tcp.syn(wire); // 14:51:29.833966 S 4177100919 win 5792
    wire.at(us(193));
    d.tcp.syn_ack(wire); // .834159 S. 688182270 ack 4177100920 (IP id 0)
    d.tcp.set_ip_id(Side::Resp, 28467);
    wire.at(us(226));
    d.tcp.ack(wire, Side::Orig); // .834192 . ack 1 win 46
    d.tcp.set_tos(Side::Orig, 0x08); // vsftpd marks the data packets IPTOS_THROUGHPUT
    wire.at(us(480));
    s.reply(Reply::new(150, "Here comes the directory listing.")); // (control; time chosen)
    let wire = s.net();
    wire.at(us(774));
    d.tcp.send(wire, Side::Orig, &listing); // .834740 P 1:680(679)
    wire.at(us(813));
    d.tcp.fin(wire, Side::Orig); // .834779 F 680:680(0)
    wire.at(us(1072));
    d.tcp.ack_before_fin(wire, Side::Resp); // .835038 . ack 680 win 56
    wire.at(us(1353));
    d.tcp.fin(wire, Side::Resp); // .835319 F 1:1(0) ack 681
    wire.at(us(1378));
    d.tcp.ack(wire, Side::Orig); // .835344 . ack 2
    wire.at(us(1700));
    s.reply(Reply::new(226, "Directory send OK.")); // (control; time chosen)
    // The article leaves this control connection open.
    let _open = s.park();

    // The article's second passive example, against the same server: `telnet
    // 192.168.0.254 21`, USER ftp / PASS 12312, PASV -> (192,168,0,254,244,51) = 62515,
    // LIST, then `telnet 192.168.0.254 62515` in another shell to read the listing. The
    // client ports, the timing and the listing (the article does not show it) are chosen.
    net.at(t0 + 60 * SEC);
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("192.168.0.27:38026"), sa("192.168.0.254:21")),
    );
    s.reply(Reply::new(220, "(vsFTPd 2.0.5)"));
    s.net().advance(4 * SEC);
    s.exchange(
        Cmd::new("USER", Some("ftp")),
        Reply::new(331, "Please specify the password."),
    );
    s.net().advance(3 * SEC);
    s.exchange(
        Cmd::new("PASS", Some("12312")),
        Reply::new(230, "Login successful."),
    );
    s.net().advance(5 * SEC);
    let chan = s
        .setup(
            Cmd::new("PASV", None),
            Reply::pasv(v4("192.168.0.254:62515")),
        )
        .expect("227");
    s.net().advance(2 * SEC);
    let listing = crlf_lines(&[
        "drwxr-xr-x    2 0        0            4096 Oct 21 17:03 backup",
        "drwxr-xr-x   11 0        0            4096 Oct 22 10:34 pub",
        "drwxr-xr-x    2 0        0            4096 Oct 22 14:38 upload",
    ]);
    // vsftpd waits for the connection after LIST (the user computes 244*256+51 first).
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(listing))
            .syn_delay(15 * SEC)
            .prelim(Some(Reply::new(150, "Here comes the directory listing.")))
            .done(Reply::new(226, "Directory send OK."))
            .final_at(FinalAt::AfterHalfClose),
    );
    // The article stops here: the control connection stays open.
    let _open = s.park();
}

/// The 679 bytes of the listing in seed 003's tcpdump excerpt (`P 1:680(679)`); the
/// article does not show them, so these lines are invented to that exact size.
pub fn part2_listing() -> Vec<u8> {
    let l = crlf_lines(&[
        "-rw-r--r--    1 0        0            1420 Oct 20 09:12 anaconda-ks.cfg",
        "drwxr-xr-x    2 0        0            4096 Oct 21 17:03 backup",
        "-rw-r--r--    1 0        0           22541 Oct 20 09:12 install.log",
        "-rw-r--r--    1 0        0            3482 Oct 20 09:11 install.log.syslog",
        "-rwxrwxrwx    1 0        0            4520 Oct 15 04:46 iptab.txt",
        "drwxr-xr-x   11 0        0            4096 Oct 22 10:34 pub",
        "-rwxrwxrwx    1 0        0      3111600128 Oct 14 03:26 rhel5u5.iso",
        "-rw-r--r--    1 0        0            1280 Oct 15 06:37 trustdb.gpg",
        "drwxr-xr-x    2 0        0            4096 Oct 22 14:38 upload",
        "-rw-r--r--    1 0        0             612 Oct 22 14:40 user_list",
    ]);
    assert_eq!(l.len(), 679);
    l
}

/// IPv6 control and data with every extended and long form: EPSV, EPRT, LPSV, LPRT
/// (FreeBSD's ftpd supports all four; its reply texts).
fn epsv_eprt_ipv6(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("[2001:db8:10::20]:50123"), sa("[2001:db8:10::21]:21")),
    );
    s.reply(Reply::new(
        220,
        "ftp.example.org FTP server (Version 6.00LS) ready.",
    ));
    s.exchange(
        Cmd::new("USER", Some("alice")),
        Reply::new(331, "Password required for alice."),
    );
    s.exchange(
        Cmd::new("PASS", Some("wonderland")),
        Reply::new(230, "User alice logged in."),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I."),
    );
    let chan = s.epsv(40012);
    let listing = crlf_lines(&[
        "total 12",
        "drwxr-xr-x  2 alice  staff   512 May 14 07:58 docs",
        "-rw-r--r--  1 alice  staff  4210 May 13 18:21 README",
        "-rw-r--r--  1 alice  staff  9000 May 13 18:22 data.bin",
    ]);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(listing)).prelim(Some(Reply::new(
            150,
            "Opening BINARY mode data connection for '/bin/ls'.",
        ))),
    );
    let chan = s.eprt(sa("[2001:db8:10::20]:50200"));
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("RETR", Some("README")), Payload::pattern(4210, 1)).prelim(Some(
            Reply::new(
                150,
                "Opening BINARY mode data connection for 'README' (4210 bytes).",
            )
            .announcing(4210),
        )),
    );
    let chan = s.lpsv(40013);
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("NLST", None),
            Payload::bytes(crlf_lines(&["docs", "README", "data.bin"])),
        )
        .prelim(Some(Reply::new(
            150,
            "Opening BINARY mode data connection for 'file list'.",
        ))),
    );
    let chan = s.lprt(sa("[2001:db8:10::20]:50201"));
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("STOR", Some("upload.bin")),
            Payload::pattern(9000, 2),
        )
        .prelim(Some(Reply::new(
            150,
            "Opening BINARY mode data connection for 'upload.bin'.",
        ))),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// REST + RETR (a resumed download), STOU with the stored name, and ABOR mid-transfer
/// with the Telnet IP/DM urgent sequence, answered 426 then 226 (ProFTPD's texts).
fn abort_rest_stou(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("10.1.1.50:41000"), sa("10.1.1.10:21")),
    );
    s.reply(Reply::new(220, "ProFTPD Server (Debian) [10.1.1.10]"));
    s.exchange(
        Cmd::new("USER", Some("alice")),
        Reply::new(331, "Password required for alice"),
    );
    s.exchange(
        Cmd::new("PASS", Some("s3cret")),
        Reply::new(230, "User alice logged in"),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I"),
    );
    s.exchange(
        Cmd::new("SIZE", Some("images/disk.img")),
        Reply::new(213, "1048576").announcing(1_048_576),
    );
    s.exchange(
        Cmd::new("REST", Some("524288")),
        Reply::new(
            350,
            "Restarting at 524288. Send STORE or RETRIEVE to initiate transfer",
        ),
    );
    let chan = s.epsv(49152);
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("RETR", Some("images/disk.img")),
            Payload::pattern(524_288, 3),
        )
        .prelim(Some(
            Reply::new(
                150,
                "Opening BINARY mode data connection for images/disk.img (1048576 bytes)",
            )
            .announcing(1_048_576),
        )),
    );
    let chan = s.epsv(49153);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("STOU", None), Payload::pattern(3000, 4)).prelim(Some(
            Reply::new(150, "FILE: ftp.upload.5Fq2x1").storing("ftp.upload.5Fq2x1"),
        )),
    );
    let chan = s.port(v4("10.1.1.50:50000"));
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("RETR", Some("images/big.iso")),
            Payload::pattern(104_857_600, 5),
        )
        .prelim(Some(
            Reply::new(
                150,
                "Opening BINARY mode data connection for images/big.iso (104857600 bytes)",
            )
            .announcing(104_857_600),
        ))
        .abort(Abort {
            aborted: Reply::new(426, "Transfer aborted. Data connection closed."),
            done: Reply::new(226, "Abort successful"),
            ..Abort::after(262_144)
        }),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// A server behind NAT announcing its private address in 227 while the client connects to
/// the public one; and a client behind NAT whose PORT names its private address, which the
/// server cannot reach (seed 002's explanation of why such clients need passive mode).
fn nat_pasv_rewritten(net: &mut Net<'_>) {
    net.timing = Timing {
        one_way_ns: 9 * MS,
        gap_ns: 20_000,
    };
    // Server 203.0.113.10 is 10.0.5.20 inside (vsftpd without pasv_address). The capture
    // is taken at the server's public side.
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("198.51.100.7:52114"), sa("203.0.113.10:21")),
    );
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("USER", Some("carol")),
        Reply::new(331, "Please specify the password."),
    );
    s.exchange(
        Cmd::new("PASS", Some("c4r0l")),
        Reply::new(230, "Login successful."),
    );
    let chan = s
        .setup(Cmd::new("PASV", None), Reply::pasv(v4("10.0.5.20:50210")))
        .expect("227");
    // The client (FileZilla: "server sent unroutable address, using the server's address
    // instead") connects to 203.0.113.10:50210; the setup already points there.
    let listing =
        crlf_lines(&["-rw-r--r--    1 1001     1001        52000 May 13 20:00 report.pdf"]);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(listing))
            .prelim(Some(Reply::new(150, "Here comes the directory listing.")))
            .done(Reply::new(226, "Directory send OK."))
            .final_at(FinalAt::AfterHalfClose),
    );
    let chan = s
        .setup(Cmd::new("PASV", None), Reply::pasv(v4("10.0.5.20:50211")))
        .expect("227");
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("RETR", Some("report.pdf")),
            Payload::pattern(52_000, 6),
        )
        .prelim(Some(
            Reply::new(
                150,
                "Opening BINARY mode data connection for report.pdf (52000 bytes).",
            )
            .announcing(52_000),
        ))
        .final_at(FinalAt::AfterHalfClose),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);

    // A client at 192.168.1.33 behind a NAT without an FTP helper: its packets come from
    // 198.51.100.23, its PORT names 192.168.1.33. The server connects where PORT says; the
    // SYN never gets an answer; 425. The client then falls back to passive mode.
    net.advance(30 * SEC);
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("198.51.100.23:61001"), sa("203.0.113.10:21")),
    );
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("USER", Some("dave")),
        Reply::new(331, "Please specify the password."),
    );
    s.exchange(
        Cmd::new("PASS", Some("d4ve")),
        Reply::new(230, "Login successful."),
    );
    let mut chan = s
        .setup(
            Cmd::port(v4("192.168.1.33:52998")),
            Reply::new(200, "PORT command successful. Consider using PASV."),
        )
        .expect("200");
    chan.listener = chan.announced;
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(Vec::new()))
            .prelim(None)
            .fail(crate::ftp::DataFail::Unanswered { tries: 3 })
            .done(Reply::new(425, "Failed to establish connection.")),
    );
    let chan = s
        .setup(Cmd::new("PASV", None), Reply::pasv(v4("10.0.5.20:50212")))
        .expect("227");
    let listing =
        crlf_lines(&["-rw-r--r--    1 1002     1002         1234 May 13 21:00 notes.txt"]);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(listing))
            .prelim(Some(Reply::new(150, "Here comes the directory listing.")))
            .done(Reply::new(226, "Directory send OK."))
            .final_at(FinalAt::AfterHalfClose),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// A composite of odd but real wire behaviours (from different servers and clients).
fn pipelined_odd(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("192.0.2.20:53200"), sa("192.0.2.10:21")),
    );
    // Pure-FTPd's multi-line greeting, cut in two segments in the middle of a line.
    let greeting = Reply::multi(
        220,
        "--------- Welcome to Pure-FTPd [privsep] [TLS] ----------",
        &[
            "220-You are user number 1 of 50 allowed.",
            "220-Local time is now 12:00. Server port: 21.",
        ],
        "You will be disconnected after 15 minutes of inactivity.",
    );
    s.reply_split(greeting, 75);
    s.exchange(
        Cmd::new("USER", Some("erin")),
        Reply::new(331, "User erin OK. Password required"),
    );
    s.exchange(
        Cmd::new("PASS", Some("3r1n")),
        Reply::new(230, "OK. Current directory is /"),
    );
    // Two commands in one segment, two replies (one of them a FEAT block) in one segment.
    s.commands(&[Cmd::new("SYST", None), Cmd::new("FEAT", None)]);
    s.replies(&[
        Reply::new(215, "UNIX Type: L8"),
        Reply::multi(
            211,
            "Extensions supported:",
            &[
                " EPRT",
                " IDLE",
                " MDTM",
                " SIZE",
                " MFMT",
                " REST STREAM",
                " MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;",
                " MLSD",
                " UTF8",
                " EPSV",
                " PASV",
            ],
            "End.",
        ),
    ]);
    // Bare LF line ends, one each way.
    s.exchange(
        Cmd::new("PWD", None).lf(),
        Reply::new(257, "\"/\" is your current location"),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "TYPE is now 8-bit binary").lf(),
    );
    // 227 without parentheses; the client connects before sending RETR.
    let chan = s
        .setup(
            Cmd::new("PASV", None),
            Reply::new(227, "Entering Passive Mode 192,0,2,10,195,149")
                .with_endpoint(sa("192.0.2.10:50069")),
        )
        .expect("227");
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("RETR", Some("notes.txt")),
            Payload::pattern(6000, 7),
        )
        .syn_at(SynAt::BeforeCommand)
        .prelim(Some(Reply::new(150, "Accepted data connection")))
        .done(Reply::new(226, "File successfully transferred")),
    );
    // EPSV with '!' as the delimiter; the server writes the listing before its 150.
    let chan = s
        .setup(Cmd::new("EPSV", None), Reply::epsv(50001, '!'))
        .expect("229");
    let listing = crlf_lines(&[
        "drwxr-xr-x    2 1000       1000             4096 May 14 11:58 .",
        "drwxr-xr-x    3 0          0                4096 May 14 11:00 ..",
        "-rw-r--r--    1 1000       1000             6000 May 14 11:59 notes.txt",
    ]);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", Some("-la")), Payload::bytes(listing))
            .data_before_prelim()
            .prelim(Some(Reply::new(150, "Accepted data connection")))
            .done(Reply::new(226, "3 matches total")),
    );
    // PORT with spaces after the commas; the server (not running as root) connects from
    // an unprivileged port, not 20; the 150 and 226 leave in one segment after the data.
    let mut chan = s
        .setup(
            Cmd::new("PORT", Some("192, 0, 2, 20, 200, 10")).with_endpoint(sa("192.0.2.20:51210")),
            Reply::new(200, "PORT command successful"),
        )
        .expect("200");
    chan.connector = sa("192.0.2.10:41822");
    let x = s.begin_transfer(Cmd::new("NLST", None), Some(&chan));
    let mut d = s.open_data(&chan);
    s.link_data(&d, x);
    s.data_handshake(&mut d);
    s.data_send(&mut d, Who::Server, &crlf_lines(&["notes.txt"]));
    s.data_close(&mut d, CloseStyle::ThreeWay, Who::Server);
    s.replies(&[
        Reply::new(150, "Connecting to port 51210"),
        Reply::new(226, "1 matches total"),
    ]);
    // QUIT answered by a bare `221`.
    s.exchange(Cmd::new("QUIT", None), Reply::bare(221));
    s.close(CloseStyle::ThreeWay, Who::Server);
}

/// Seed 004: the article's firewall in front of the FTP server. A stateful firewall lets
/// the control connection and passive data in, but drops the server's active data
/// connection from port 20 (its rule 3, "server 20 -> client >1023", is missing): PORT +
/// LIST times out with 425, then PASV `227 Entering Passive Mode (172,16,0,1,239,20)` (the
/// article's example, 239*256+20 = 61204) + LIST works. The client's address and ports,
/// the texts (vsftpd's) and the listing are chosen.
fn seed004(net: &mut Net<'_>) {
    let client = sa("172.16.0.10:51034");
    let server = sa("172.16.0.1:21");
    let mut s = FtpSession::connect(net, FtpConfig::new(client, server));
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("USER", Some("ftpuser")),
        Reply::new(331, "Please specify the password."),
    );
    s.exchange(
        Cmd::new("PASS", Some("ftppass")),
        Reply::new(230, "Login successful."),
    );
    // Active: the client listens on N+1 and sends PORT; the server's SYNs from port 20
    // (at 0, 1 and 3 s) never get through the firewall, and vsftpd gives up: 425.
    let chan = s.setup(
        Cmd::port(v4("172.16.0.10:51035")),
        Reply::new(200, "PORT command successful. Consider using PASV."),
    );
    s.transfer(
        chan.as_ref(),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(Vec::new()))
            .prelim(None)
            .fail(crate::ftp::DataFail::Unanswered { tries: 3 })
            .done(Reply::new(425, "Failed to establish connection.")),
    );
    // Passive: the client opens the data connection itself, to port P = 61204.
    let chan = s.pasv(61204);
    let listing = crlf_lines(&[
        "-rw-r--r--    1 1000     1000         2052 Jul 17 01:20 404.htm",
        "drwxr-xr-x    2 1000     1000         4096 Jul 16 22:10 pub",
    ]);
    s.transfer(
        Some(&chan),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(listing))
            .prelim(Some(Reply::new(150, "Here comes the directory listing.")))
            .done(Reply::new(226, "Directory send OK.")),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// Data connections that never open (425) and a failed login (530); an unrelated HTTP
/// connection in between.
fn failed_data_connection(net: &mut Net<'_>) {
    let client = sa("10.20.0.5:40001");
    let server = sa("10.20.0.1:21");
    let mut s = FtpSession::connect(net, FtpConfig::new(client, server));
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("USER", Some("bob")),
        Reply::new(331, "Please specify the password."),
    );
    s.exchange(
        Cmd::new("PASS", Some("wrong-password")),
        Reply::new(530, "Login incorrect."),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);

    // Not FTP: the same client fetches a page from the server's web port.
    net.advance(2 * SEC);
    let mut http = TcpConn::new(
        net,
        Peer::linux(sa("10.20.0.5:40006")),
        Peer::linux(sa("10.20.0.1:80")),
    );
    http.handshake(net);
    http.send(
        net,
        Side::Orig,
        b"GET / HTTP/1.1\r\nHost: 10.20.0.1\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
    );
    http.send(
        net,
        Side::Resp,
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    );
    http.close(net, CloseStyle::ThreeWay, Side::Orig);

    net.advance(3 * SEC);
    let mut cfg = FtpConfig::new(sa("10.20.0.5:40010"), server);
    // This client's stack ACKs every reply on its own (a slow, chatty peer).
    cfg.ctrl_acks = CtrlAcks::Pure;
    let mut s = FtpSession::connect(net, cfg);
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("USER", Some("bob")),
        Reply::new(331, "Please specify the password."),
    );
    s.exchange(
        Cmd::new("PASS", Some("right-password")),
        Reply::new(230, "Login successful."),
    );
    // The client's firewall drops the server's SYNs (sent at 0, 1 and 3 s): 425.
    let chan = s.setup(
        Cmd::port(v4("10.20.0.5:40011")),
        Reply::new(200, "PORT command successful. Consider using PASV."),
    );
    s.transfer(
        chan.as_ref(),
        Xfer::new(Cmd::new("LIST", None), Payload::bytes(Vec::new()))
            .prelim(None)
            .fail(crate::ftp::DataFail::Unanswered { tries: 3 })
            .done(Reply::new(425, "Failed to establish connection.")),
    );
    // In passive mode a firewall in front of the server rejects the client's SYN with RST;
    // vsftpd gives up after its 60 s accept timeout: 425.
    let chan = s.pasv(30123);
    s.transfer(
        Some(&chan),
        Xfer::new(
            Cmd::new("RETR", Some("file.dat")),
            Payload::bytes(Vec::new()),
        )
        .prelim(None)
        .fail(crate::ftp::DataFail::Refused)
        .fail_delay(60 * SEC)
        .done(Reply::new(425, "Failed to establish connection.")),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// AUTH TLS accepted (234); everything after is TLS records, opaque to an analyzer.
fn auth_tls(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("10.30.0.5:45500"), sa("10.30.0.1:21")),
    );
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("AUTH", Some("TLS")),
        Reply::new(234, "Proceed with negotiation."),
    );
    // Records with real TLS headers and pseudo-random bodies (not a real handshake).
    let record = tls_record;
    s.raw(Who::Client, &record(0x16, 512, 1)); // ClientHello
    s.raw(Who::Server, &record(0x16, 2400, 2)); // ServerHello .. Finished
    s.raw(Who::Client, &record(0x17, 80, 3)); // application data (USER, PASS, ...)
    s.raw(Who::Server, &record(0x17, 120, 4));
    s.close(CloseStyle::FourWay, Who::Client);
}

/// Password guessing: one client opens 8 control connections to one server within 20 s,
/// trying admin, root and test (two passwords per connection, as guessing tools do, then
/// the server's 530 and a new connection); the ninth connection logs in as test. ftpflow's
/// default threshold (5 failed logins within 60 s) is crossed in the third session.
fn brute_force(net: &mut Net<'_>) {
    let server = sa("198.51.100.7:21");
    let users = ["admin", "root", "test"];
    let passwords = [
        "123456", "password", "admin", "qwerty", "letmein", "root", "toor", "welcome", "test",
        "1234", "master", "dragon", "monkey", "shadow", "abc123", "secret",
    ];
    for i in 0..8u16 {
        let client = SocketAddr::from(([203, 0, 113, 66], 51000 + 2 * i));
        let mut s = FtpSession::connect(net, FtpConfig::new(client, server));
        s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
        let user = users[usize::from(i) % users.len()];
        for k in 0..2 {
            s.exchange(
                Cmd::new("USER", Some(user)),
                Reply::new(331, "Please specify the password."),
            );
            // vsftpd waits a moment before its 530 (delay_failed_login).
            s.command(Cmd::new("PASS", Some(passwords[usize::from(2 * i + k)])));
            s.net().advance(MS * 900);
            s.reply(Reply::new(530, "Login incorrect."));
        }
        s.close(CloseStyle::FourWay, Who::Client);
        net.advance(400 * MS);
    }
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(SocketAddr::from(([203, 0, 113, 66], 51100)), server),
    );
    s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    s.exchange(
        Cmd::new("USER", Some("test")),
        Reply::new(331, "Please specify the password."),
    );
    s.exchange(
        Cmd::new("PASS", Some("test123")),
        Reply::new(230, "Login successful."),
    );
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// Explicit FTPS as vsftpd with `ssl_enable=YES` and `force_local_data_ssl` runs it: AUTH
/// TLS (234), then everything on the control connection is TLS records (PBSZ 0, PROT P,
/// USER, PASS, PASV, LIST, PASV, RETR, PORT, STOR are inside them), and each data
/// connection opens with its own TLS handshake: a passive listing and download (the
/// client connects to ports 40100 and 40101), and an active upload the server opens from
/// port 20. Between them the client also opens SSH to the server (port 22): not FTP data.
fn ftps_explicit(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("10.40.0.5:47000"), sa("10.40.0.1:21")),
    );
    s.reply(Reply::new(220, "(vsFTPd 3.0.5)"));
    s.exchange(
        Cmd::new("AUTH", Some("TLS")),
        Reply::new(234, "Proceed with negotiation."),
    );
    s.raw(Who::Client, &tls_record(0x16, 517, 1)); // ClientHello
    s.raw(Who::Server, &tls_record(0x16, 2400, 2)); // ServerHello .. Finished
    s.raw(Who::Client, &tls_record(0x14, 1, 3));
    s.raw(Who::Client, &tls_record(0x17, 90, 4)); // PBSZ 0, PROT P, USER, PASS
    s.raw(Who::Server, &tls_record(0x17, 140, 5)); // 200, 200, 331, 230
    s.net().advance(20 * MS);
    s.raw(Who::Client, &tls_record(0x17, 30, 6)); // PASV, LIST
    s.raw(Who::Server, &tls_record(0x17, 60, 7)); // 227, 150
    s.tls_data(
        truth::Mode::Passive,
        (47001, 40100),
        truth::Direction::Download,
        700,
        10,
    );
    s.raw(Who::Server, &tls_record(0x17, 40, 8)); // 226
    s.net().advance(30 * MS);
    s.raw(Who::Client, &tls_record(0x17, 40, 9)); // PASV, RETR
    s.raw(Who::Server, &tls_record(0x17, 80, 10));
    s.tls_data(
        truth::Mode::Passive,
        (47002, 40101),
        truth::Direction::Download,
        60_000,
        20,
    );
    s.raw(Who::Server, &tls_record(0x17, 40, 11));
    s.net().advance(30 * MS);
    // Not FTP data: SSH between the same hosts while the session is open.
    let mut ssh = TcpConn::new(
        s.net(),
        Peer::linux(sa("10.40.0.5:47010")),
        Peer::linux(sa("10.40.0.1:22")),
    );
    ssh.handshake(s.net());
    ssh.send(s.net(), Side::Resp, b"SSH-2.0-OpenSSH_9.6\r\n");
    ssh.send(s.net(), Side::Orig, b"SSH-2.0-OpenSSH_9.6\r\n");
    ssh.close(s.net(), CloseStyle::FourWay, Side::Orig);
    s.raw(Who::Client, &tls_record(0x17, 50, 12)); // PORT, STOR
    s.raw(Who::Server, &tls_record(0x17, 60, 13)); // 200, 150
    s.tls_data(
        truth::Mode::Active,
        (47020, 20),
        truth::Direction::Upload,
        20_000,
        30,
    );
    s.raw(Who::Server, &tls_record(0x17, 40, 14)); // 226
    s.raw(Who::Client, &tls_record(0x17, 20, 15)); // QUIT
    s.raw(Who::Server, &tls_record(0x17, 30, 16)); // 221
    s.close(CloseStyle::FourWay, Who::Server);
}

/// Implicit FTPS on port 990: TLS from the first byte (no AUTH, no plain greeting); two
/// passive data connections (a listing, a download), each with its own TLS handshake.
fn ftps_implicit(net: &mut Net<'_>) {
    let mut s = FtpSession::connect(
        net,
        FtpConfig::new(sa("10.50.0.5:52000"), sa("10.50.0.1:990")),
    );
    s.implicit_tls();
    s.raw(Who::Client, &tls_record(0x16, 517, 1));
    s.raw(Who::Server, &tls_record(0x16, 2400, 2));
    s.raw(Who::Client, &tls_record(0x14, 1, 3));
    s.raw(Who::Server, &tls_record(0x17, 40, 4)); // 220
    s.raw(Who::Client, &tls_record(0x17, 90, 5)); // USER, PASS, PBSZ, PROT P
    s.raw(Who::Server, &tls_record(0x17, 140, 6));
    s.raw(Who::Client, &tls_record(0x17, 30, 7)); // EPSV, MLSD
    s.raw(Who::Server, &tls_record(0x17, 70, 8));
    s.tls_data(
        truth::Mode::Passive,
        (52001, 50000),
        truth::Direction::Download,
        900,
        10,
    );
    s.raw(Who::Server, &tls_record(0x17, 40, 9));
    s.net().advance(25 * MS);
    s.raw(Who::Client, &tls_record(0x17, 40, 10)); // EPSV, RETR
    s.raw(Who::Server, &tls_record(0x17, 80, 11));
    s.tls_data(
        truth::Mode::Passive,
        (52002, 50001),
        truth::Direction::Download,
        120_000,
        20,
    );
    s.raw(Who::Server, &tls_record(0x17, 40, 12));
    s.raw(Who::Client, &tls_record(0x17, 20, 13));
    s.close(CloseStyle::FourWay, Who::Client);
}
