//! A realistic benchmark capture of a requested size (`ftpflow-synth bench`).
//!
//! The shape, all drawn from the seed:
//!
//! - `sessions` FTP sessions (default 400) from distinct client hosts to three IPv4 servers
//!   and one IPv6 server, starting at random moments over `sessions × 50 ms` whatever the
//!   size, so tens of them overlap at any moment (for 400) in a small or a large capture.
//! - About 80% of the payload in a few large transfers (one per ~128 MiB, at least two:
//!   a passive and an active download), the rest in small ones: listings of a few KB and
//!   files from a few hundred bytes to a few MB (log-uniform), 1 to 6 per session and
//!   12 to 40 for one session in twenty (an `mget`).
//! - Active (PORT, EPRT) and passive (PASV, EPSV) sessions; 10% over IPv6; a third of the
//!   clients with Windows stacks (no TCP timestamps); failed logins, `550` for a missing
//!   file, `ABOR` mid-transfer, clients that reset instead of `QUIT`, all rare.
//! - Bulk data segments slightly reordered and retransmitted ([`super::jumble`]).
//!
//! Packets stream to the file: memory depends on the sessions open at once, not on the
//! size. When the planned sessions end before the file has reached the requested size
//! (the plan estimates framing overhead), one more download tops it up, so the file is
//! always at least `bytes` long: a few KB more, unless the sessions' commands and
//! small transfers alone need more room than that (tens of thousands of sessions in a few
//! hundred MB), in which case it is as long as they make it.

use super::jumble::{Jumble, Rates};
use super::{Meter, Summary, append_truth};
use ftpflow_synth::capfile::{self, Format};
use ftpflow_synth::ftp::{Abort, FinalAt, SynAt};
use ftpflow_synth::prelude::*;
use ftpflow_synth::rng::Rng;
use ftpflow_synth::sched::Scheduler;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Smallest file size, in bytes.
    pub bytes: u64,
    pub sessions: usize,
    pub seed: u64,
}

/// Size of one large transfer, on average.
const BIG: f64 = 128.0 * 1024.0 * 1024.0;
/// File bytes per payload byte of a bulk transfer: 1448-byte segments in 1514-byte frames,
/// a 16-byte pcap record header each, one 82-byte ACK per two segments.
const FRAMING: f64 = 1.085;
/// Estimated file bytes of a session that are not transfer payload.
const SESSION_OVERHEAD: f64 = 4_000.0;
const TRANSFER_OVERHEAD: f64 = 2_200.0;
/// Capture start: 2024-05-01T00:00:00Z.
const T0_NS: i64 = 1_714_521_600_000_000_000;
/// Rounds of top-up downloads at most.
const TOP_UP_ROUNDS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Listing,
    Download,
    Upload,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// `550`: no such file, no data connection.
    Missing,
    /// `ABOR` after this many bytes.
    Abort(u64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct XferPlan {
    kind: Kind,
    size: u64,
    outcome: Outcome,
    /// Port a passive reply announces (unique across the capture while it lasts).
    pasv_port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct SessionPlan {
    start_ns: i64,
    seed: u64,
    client: SocketAddr,
    server: SocketAddr,
    passive: bool,
    windows: bool,
    xfers: Vec<XferPlan>,
}

fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn client_addr(host: usize, v6: bool, rng: &mut Rng) -> SocketAddr {
    let ip: IpAddr = if v6 {
        let k = host as u32 + 1;
        Ipv6Addr::new(
            0x2001,
            0xdb8,
            1,
            0,
            0,
            0,
            (k >> 16) as u16,
            (k & 0xffff) as u16,
        )
        .into()
    } else {
        // 10.1.0.16, 10.1.0.17, ...: one host per session.
        Ipv4Addr::from(0x0a01_0010u32.wrapping_add(host as u32)).into()
    };
    SocketAddr::new(ip, rng.range(32768, 61000) as u16)
}

fn server_addr(host: usize, v6: bool) -> SocketAddr {
    if v6 {
        "[2001:db8::21]:21".parse().unwrap()
    } else {
        SocketAddr::new(Ipv4Addr::new(10, 0, 0, 21 + (host % 3) as u8).into(), 21)
    }
}

/// Draws the sessions and sizes the transfers so the capture comes close to `bytes`.
fn plan(opts: &Options) -> Vec<SessionPlan> {
    let n = opts.sessions.max(1);
    let mut rng = Rng::new(opts.seed ^ 0x0062_656e_6368);
    let mut sessions: Vec<SessionPlan> = Vec::with_capacity(n);
    let mut pasv_port = 0u32;
    let mut next_pasv = || {
        pasv_port += 1;
        40000 + (pasv_port % 20000) as u16
    };
    // Shapes first.
    for i in 0..n {
        let mut r = rng.fork(i as u64);
        let v6 = r.chance(1, 10);
        let count = if r.chance(1, 20) {
            r.range(12, 41)
        } else {
            r.range(1, 7)
        };
        let xfers = (0..count)
            .map(|_| {
                let kind = match r.range(0, 100) {
                    0..30 => Kind::Listing,
                    30..78 => Kind::Download,
                    _ => Kind::Upload,
                };
                XferPlan {
                    kind,
                    size: 0,
                    outcome: Outcome::Ok,
                    pasv_port: next_pasv(),
                }
            })
            .collect();
        sessions.push(SessionPlan {
            start_ns: 0,
            seed: r.next_u64(),
            client: client_addr(i, v6, &mut r),
            server: server_addr(i, v6),
            passive: r.chance(1, 2),
            windows: r.chance(1, 3),
            xfers,
        });
    }
    // The payload the file can hold once control traffic is accounted for.
    let xfer_count: usize = sessions.iter().map(|s| s.xfers.len()).sum();
    let overhead = n as f64 * SESSION_OVERHEAD + xfer_count as f64 * TRANSFER_OVERHEAD;
    let payload = ((opts.bytes as f64 * 0.99 - overhead) / FRAMING).max(0.0);
    // Large transfers: one per ~128 MiB, at least two when there are sessions enough.
    let most = (n / 4).max(1);
    let least = 2.min(most);
    let big_count = ((payload * 0.8 / BIG).round() as usize).clamp(least, most);
    let big_share = if big_count >= n { 1.0 } else { 0.8 };
    let stride = n / big_count;
    let weights: Vec<f64> = (0..big_count).map(|_| rng.range(60, 141) as f64).collect();
    let wsum: f64 = weights.iter().sum();
    let mut big_sessions = Vec::with_capacity(big_count);
    for (j, w) in weights.iter().enumerate() {
        let i = j * stride + rng.range(0, stride as u64) as usize;
        big_sessions.push(i);
        let s = &mut sessions[i];
        let size = (payload * big_share * w / wsum).round().max(1.0) as u64;
        let kind = if j < 2 || rng.chance(7, 10) {
            Kind::Download
        } else {
            Kind::Upload
        };
        // The first two: a passive and an active download over IPv4 (like the issue's
        // vsftpd/lftp capture).
        if j < 2 {
            s.client = client_addr(i, false, &mut rng);
            s.server = server_addr(i, false);
            s.passive = j == 0;
        }
        let pasv_port = next_pasv();
        s.xfers = vec![
            XferPlan {
                kind: Kind::Listing,
                size: 0,
                outcome: Outcome::Ok,
                pasv_port: next_pasv(),
            },
            XferPlan {
                kind,
                size,
                outcome: Outcome::Ok,
                pasv_port,
            },
        ];
    }
    // Small transfers share the rest: listings keep their size, files scale.
    let mut listed = 0u64;
    let mut raw_total = 0.0;
    let mut raws: Vec<Vec<f64>> = Vec::with_capacity(n);
    for (i, s) in sessions.iter_mut().enumerate() {
        let big = big_sessions.contains(&i);
        let mut raw = Vec::with_capacity(s.xfers.len());
        for (k, x) in s.xfers.iter_mut().enumerate() {
            if big && k == 1 {
                raw.push(0.0);
                continue;
            }
            match x.kind {
                Kind::Listing => {
                    x.size = rng.range(150, 6000);
                    listed += x.size;
                    raw.push(0.0);
                }
                _ => {
                    // Log-uniform between 200 bytes and 4 MB.
                    let v = (200f64.ln() + unit(&mut rng) * (4e6f64.ln() - 200f64.ln())).exp();
                    raw_total += v;
                    raw.push(v);
                }
            }
        }
        raws.push(raw);
    }
    let small_budget = (payload * (1.0 - big_share) - listed as f64).max(0.0);
    let scale = if raw_total > 0.0 {
        small_budget / raw_total
    } else {
        0.0
    };
    for (s, raw) in sessions.iter_mut().zip(&raws) {
        for (x, &v) in s.xfers.iter_mut().zip(raw) {
            if v > 0.0 {
                x.size = (v * scale).round().max(1.0) as u64;
                x.outcome = match rng.range(0, 100) {
                    0..2 => Outcome::Missing,
                    2..3 if x.size > 20_000 => {
                        Outcome::Abort(rng.range(x.size / 4, x.size * 3 / 4))
                    }
                    _ => Outcome::Ok,
                };
            }
        }
    }
    // Start times: large transfers spread evenly, the others anywhere in the span. The span
    // depends on the number of sessions, not on the size, so captures of any size have
    // about as many sessions open at once (tens, for the default 400).
    let span = (n as u64 * 50_000_000).max(2_000_000_000);
    for (i, s) in sessions.iter_mut().enumerate() {
        s.start_ns = T0_NS
            + match big_sessions.iter().position(|&b| b == i) {
                Some(j) => (span * j as u64 / big_count as u64) + rng.range(0, 200_000_000),
                None => rng.range(0, span),
            } as i64;
    }
    sessions
}

/// A client's think time: mostly a script's few milliseconds, sometimes a human's seconds.
fn think(rng: &mut Rng) -> i64 {
    if rng.chance(1, 12) {
        rng.range(300_000_000, 3_000_000_000) as i64
    } else {
        rng.range(1_000_000, 40_000_000) as i64
    }
}

const FILE_NAMES: &[&str] = &[
    "report.pdf",
    "backup.tar.gz",
    "img_0042.jpg",
    "data.csv",
    "firmware.bin",
    "notes.txt",
    "release.zip",
    "dump.sql",
    "video.mp4",
    "setup.exe",
];

fn file_name(rng: &mut Rng) -> String {
    format!("f{:04}-{}", rng.range(0, 10_000), rng.pick(FILE_NAMES))
}

/// `ls -l`-style text of about `size` bytes (exactly `size`).
fn listing(size: u64, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(size as usize + 100);
    while (out.len() as u64) < size {
        let line = format!(
            "-rw-r--r--    1 ftp      ftp      {:>10} May 0{} 1{}:{:02} {}\r\n",
            rng.range(0, 50_000_000),
            rng.range(1, 10),
            rng.range(0, 10),
            rng.range(0, 60),
            file_name(rng)
        );
        out.extend_from_slice(line.as_bytes());
    }
    out.truncate(size as usize);
    out
}

/// One planned session, scripted.
fn run_session(net: &mut Net<'_>, p: &SessionPlan) {
    let mut rng = Rng::new(p.seed);
    let mut cfg = FtpConfig::new(p.client, p.server);
    if p.windows {
        cfg.client = Peer::windows(p.client);
    }
    cfg.ctrl_acks = if rng.chance(1, 3) {
        CtrlAcks::Pure
    } else {
        CtrlAcks::Piggyback
    };
    cfg.data_acks = if rng.chance(1, 10) {
        AckPolicy::EverySegment
    } else {
        AckPolicy::Delayed2
    };
    cfg.server_think_ns = rng.range(30_000, 500_000) as i64;
    let mut s = FtpSession::connect(net, cfg);
    if rng.chance(1, 4) {
        s.reply(Reply::multi(
            220,
            "Welcome to the benchmark FTP service.",
            &["220-Unauthorized access is prohibited."],
            "Service ready.",
        ));
    } else {
        s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
    }
    let user = if rng.chance(1, 3) {
        "anonymous".to_string()
    } else {
        format!("user{}", rng.range(1, 500))
    };
    s.net().advance(think(&mut rng));
    if rng.chance(1, 30) {
        s.exchange(
            Cmd::new("USER", Some(&user)),
            Reply::new(331, "Please specify the password."),
        );
        s.net().advance(think(&mut rng));
        s.exchange(
            Cmd::new("PASS", Some("wrong")),
            Reply::new(530, "Login incorrect."),
        );
        s.net().advance(think(&mut rng));
    }
    s.exchange(
        Cmd::new("USER", Some(&user)),
        Reply::new(331, "Please specify the password."),
    );
    s.net().advance(think(&mut rng));
    s.exchange(
        Cmd::new("PASS", Some("bench-secret")),
        Reply::new(230, "Login successful."),
    );
    if rng.chance(1, 2) {
        s.exchange(Cmd::new("SYST", None), Reply::new(215, "UNIX Type: L8"));
    }
    if rng.chance(1, 3) {
        s.exchange(
            Cmd::new("FEAT", None),
            Reply::multi(
                211,
                "Features:",
                &[" EPRT", " EPSV", " MDTM", " PASV", " REST STREAM", " SIZE"],
                "End",
            ),
        );
    }
    s.exchange(
        Cmd::new("PWD", None),
        Reply::new(257, "\"/\" is the current directory"),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Switching to Binary mode."),
    );
    for x in &p.xfers {
        s.net().advance(think(&mut rng));
        one_transfer(&mut s, &mut rng, p, x);
    }
    s.net().advance(think(&mut rng));
    if rng.chance(1, 25) {
        // The client goes away without QUIT.
        s.close(CloseStyle::Rst, Who::Client);
        return;
    }
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    if rng.chance(4, 5) {
        s.close(CloseStyle::FourWay, Who::Server);
    } else {
        s.close(CloseStyle::ThreeWay, Who::Client);
    }
}

fn one_transfer(s: &mut FtpSession<'_, '_>, rng: &mut Rng, p: &SessionPlan, x: &XferPlan) {
    let v4 = p.client.is_ipv4();
    if rng.chance(1, 8) {
        s.exchange(
            Cmd::new("CWD", Some(&format!("dir{}", rng.range(0, 50)))),
            Reply::new(250, "Directory successfully changed."),
        );
    }
    let name = file_name(rng);
    if x.kind == Kind::Download && x.outcome == Outcome::Ok && rng.chance(1, 3) {
        s.exchange(
            Cmd::new("SIZE", Some(&name)),
            Reply::new(213, &x.size.to_string()).announcing(x.size),
        );
    }
    let chan = if p.passive {
        if v4 && rng.chance(3, 4) {
            s.pasv(x.pasv_port)
        } else {
            s.epsv(x.pasv_port)
        }
    } else {
        let port = s.next_port();
        match p.client.ip() {
            IpAddr::V4(ip) if rng.chance(3, 4) => s.port(SocketAddrV4::new(ip, port)),
            ip => s.eprt(SocketAddr::new(ip, port)),
        }
    };
    let (cmd, payload, prelim, done) = match x.kind {
        Kind::Listing => {
            let verb = *rng.pick(&["LIST", "LIST", "NLST", "MLSD"]);
            let arg = rng.chance(1, 3).then_some("-la");
            (
                Cmd::new(verb, arg.filter(|_| verb == "LIST")),
                Payload::bytes(listing(x.size, rng)),
                Reply::new(150, "Here comes the directory listing."),
                Reply::new(226, "Directory send OK."),
            )
        }
        Kind::Download => (
            Cmd::new("RETR", Some(&name)),
            Payload::pattern(x.size, rng.next_u64()),
            Reply::new(
                150,
                &format!(
                    "Opening BINARY mode data connection for {name} ({} bytes).",
                    x.size
                ),
            )
            .announcing(x.size),
            Reply::new(226, "Transfer complete."),
        ),
        Kind::Upload => (
            Cmd::new(if rng.chance(1, 10) { "APPE" } else { "STOR" }, Some(&name)),
            Payload::pattern(x.size, rng.next_u64()),
            Reply::new(150, "Ok to send data."),
            Reply::new(226, "Transfer complete."),
        ),
    };
    if x.outcome == Outcome::Missing {
        // Negotiated, refused before any data connection: a failed transfer in that mode.
        s.begin_transfer(cmd, Some(&chan));
        s.reply(Reply::new(550, "Failed to open file."));
        return;
    }
    let mut xf = Xfer::new(cmd, payload).prelim(Some(prelim)).done(done);
    xf.syn_at = if p.passive {
        if rng.chance(3, 5) {
            SynAt::BeforeCommand
        } else {
            SynAt::AfterCommand
        }
    } else if rng.chance(1, 5) {
        SynAt::AfterPrelim
    } else {
        SynAt::AfterCommand
    };
    xf.final_at = match rng.range(0, 10) {
        0..6 => FinalAt::AfterClose,
        6..8 => FinalAt::AfterHalfClose,
        _ => FinalAt::BeforeClose,
    };
    if rng.chance(1, 5) {
        xf.close = CloseStyle::ThreeWay;
    }
    if let Outcome::Abort(after) = x.outcome {
        xf.abort = Some(Abort::after(after));
    }
    s.transfer(Some(&chan), xf);
}

fn scheduler(plans: Vec<SessionPlan>) -> Scheduler {
    let mut sched = Scheduler::new();
    for p in plans {
        sched.add(p.start_ns, p.seed, move |net| run_session(net, &p));
    }
    sched
}

/// A passive IPv4 download of `size` bytes that starts at `start_ns` (the top-up).
fn top_up(host: usize, size: u64, start_ns: i64, seed: u64) -> SessionPlan {
    let mut rng = Rng::new(seed ^ host as u64);
    SessionPlan {
        start_ns,
        seed: rng.next_u64(),
        client: client_addr(host, false, &mut rng),
        server: server_addr(host, false),
        passive: true,
        windows: false,
        xfers: vec![XferPlan {
            kind: Kind::Download,
            size,
            outcome: Outcome::Ok,
            pasv_port: 39999 - (host % 1000) as u16,
        }],
    }
}

/// Writes the capture (classic pcap, microseconds, Ethernet) and returns its summary; the
/// truth is returned too (the caller decides whether to write it).
pub fn generate(out: &Path, opts: &Options) -> io::Result<(Summary, Truth)> {
    let plans = plan(opts);
    let planned = plans.len();
    let writer = capfile::create(out, &Format::Pcap(Default::default()))?;
    let mut jumble = Jumble::new(Meter::new(writer), opts.seed, Rates::default());
    let mut truth = scheduler(plans).run(&mut jumble);
    for round in 0..TOP_UP_ROUNDS {
        let written = jumble.inner().file_bytes + jumble.held_bytes();
        if written >= opts.bytes {
            break;
        }
        let need = (opts.bytes - written) as f64;
        let size = ((need - SESSION_OVERHEAD - TRANSFER_OVERHEAD) / FRAMING).max(1.0) as u64;
        let last = truth
            .connections
            .iter()
            .map(|c| c.last_ts_ns)
            .max()
            .unwrap_or(T0_NS);
        let p = top_up(planned + round, size, last + 5_000_000, opts.seed);
        jumble.conn_shift = truth.connections.len() as u32;
        let more = scheduler(vec![p]).run(&mut jumble);
        append_truth(&mut truth, more);
    }
    let rates = Rates::default();
    truth.impairments.push(format!(
        "streaming reorder ({} ppm of bulk segments: {} moved) and retransmission ({} ppm: {} copies), window {}",
        rates.reorder_ppm, jumble.reordered, rates.retransmit_ppm, jumble.retransmitted, rates.window
    ));
    for (&conn, &extra) in &jumble.extra_packets {
        truth.connections[conn as usize - 1].packets += extra;
        truth.packets += extra;
    }
    truth.finalize();
    let (reordered, retransmitted) = (jumble.reordered, jumble.retransmitted);
    let meter = jumble.finish();
    let mut summary = Summary {
        generator: format!("ftpflow-synth {}", env!("CARGO_PKG_VERSION")),
        kind: "bench".into(),
        seed: opts.seed,
        requested_bytes: Some(opts.bytes),
        file_bytes: meter.file_bytes,
        packets: meter.packets,
        first_ts_ns: truth
            .connections
            .iter()
            .map(|c| c.first_ts_ns)
            .min()
            .unwrap_or(0),
        last_ts_ns: meter.last_ts_ns,
        peak_open_connections: meter.peak_open,
        peak_open_sessions: meter.peak_open_control,
        reordered_segments: reordered,
        retransmitted_segments: retransmitted,
        ..Summary::default()
    };
    summary.count_truth(&truth);
    meter.out.finish()?;
    Ok((summary, truth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_deterministic_and_mixed() {
        let opts = Options {
            bytes: 2_000_000_000,
            sessions: 400,
            seed: 1,
        };
        let a = plan(&opts);
        assert_eq!(a, plan(&opts));
        assert_eq!(a.len(), 400);
        let sizes: Vec<u64> = a.iter().flat_map(|s| &s.xfers).map(|x| x.size).collect();
        let total: u64 = sizes.iter().sum();
        let est = total as f64 * FRAMING;
        assert!(
            est > 1.8e9 && est < 2.0e9,
            "planned payload {total} should fill most of 2 GB"
        );
        let big = sizes.iter().filter(|&&s| s > 50_000_000).count();
        assert!((8..=20).contains(&big), "{big} large transfers");
        assert!(sizes.iter().filter(|&&s| s < 100_000).count() > 500);
        assert!(a.iter().any(|s| s.passive) && a.iter().any(|s| !s.passive));
        let v6 = a.iter().filter(|s| s.client.is_ipv6()).count();
        assert!((10..100).contains(&v6), "{v6} IPv6 sessions");
        // One host per session: no two sessions share a client address.
        let mut hosts: Vec<IpAddr> = a.iter().map(|s| s.client.ip()).collect();
        hosts.sort();
        hosts.dedup();
        assert_eq!(hosts.len(), 400);
    }

    #[test]
    fn listing_has_the_exact_size() {
        let mut rng = Rng::new(3);
        for n in [0, 1, 77, 5000] {
            assert_eq!(listing(n, &mut rng).len() as u64, n);
        }
    }
}
