//! `capture-loss`: one long interactive FTP session captured next to the client, with a
//! few percent of the packets of both directions of the control connection (and of the
//! data connections) missing from the capture.
//!
//! Why: a capture point that drops packets (a busy mirror port, a full ring buffer) loses
//! commands and replies that the hosts did get. Nothing is retransmitted, the peer's later
//! ACKs simply cover the missing bytes, so an analyzer sees replies whose command it never
//! saw and commands whose reply it never sees. The truth says for every command whether
//! the capture holds its line and each of its replies, and in which frame, so a test can
//! demand that every reply lands on its own command (or on a command the analyzer says it
//! inferred), never on a neighbour.
//!
//! The session is strictly sequential: one command, then its replies, one round trip
//! (20-60 ms, drawn per answer; see [`Vantage`]) later; no pipelining, so every command and
//! every reply has a packet, and a frame, of its own. It is a mirror script's session:
//! login, SYST, PWD, CWD, TYPE I, then rounds of SIZE + PASV/PORT + RETR, or PASV/PORT +
//! LIST, with some 550s (missing files, refused downloads, missing directories), then QUIT.

use crate::ftp::{Cmd, FinalAt, FtpConfig, FtpSession, Reply, SynAt, Who, Xfer};
use crate::impair::{self, Impairment, Scope};
use crate::net::{Net, Timing, Vantage};
use crate::packet::Payload;
use crate::rng::Rng;
use crate::sink::Trace;
use crate::tcp::CloseStyle;
use crate::truth::Truth;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

const MS: i64 = 1_000_000;

/// Shape of the capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Rounds of data-channel setup and transfer (some end in a 550 without data).
    pub transfers: usize,
    /// Percent of the control connection's packets (both directions) the capture lost.
    pub control_loss: u8,
    /// Percent of the data connections' packets the capture lost.
    pub data_loss: u8,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            transfers: 400,
            control_loss: 3,
            data_loss: 1,
        }
    }
}

impl Options {
    /// A few rounds with a higher loss rate: cheap enough for unit tests, and still losing
    /// packets of both directions.
    pub fn small() -> Options {
        Options {
            transfers: 16,
            control_loss: 8,
            data_loss: 2,
        }
    }
}

const SERVER: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 21)), 21);
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 34);

/// The capture of `seed` (file stem `capture-loss-<seed>`): the trace after the losses, and
/// the truth with frame numbers.
pub fn generate(seed: u64, opts: &Options) -> (Trace, Truth) {
    let mut trace = Trace::new();
    let mut rng = Rng::new(seed ^ 0xc0_10_55);
    let start = 1_700_000_000_000_000_000 + rng.range(0, 1 << 40) as i64;
    let mut truth = {
        let mut net = Net::new(&mut trace, start, rng.next_u64());
        session(&mut net, &mut rng, opts);
        net.finish()
    };
    let losses = [
        (opts.control_loss, Scope::Control),
        (opts.data_loss, Scope::Data),
    ];
    for (percent, scope) in losses {
        if percent > 0 {
            let imp = Impairment::Loss { percent, scope };
            impair::apply(&mut trace, &mut truth, &imp, rng.next_u64());
        }
    }
    // Frame numbers even when nothing was lost.
    impair::observe(&trace, &mut truth);
    (trace, truth)
}

/// The whole session on `net`.
fn session(net: &mut Net<'_>, rng: &mut Rng, opts: &Options) {
    let client = SocketAddr::new(CLIENT_IP.into(), rng.range(40_000, 60_000) as u16);
    net.vantage = Some(Vantage {
        near: client.ip(),
        rtt_min_ns: 20 * MS,
        rtt_max_ns: 60 * MS,
    });
    // The client reacts within a third of a millisecond; a 100 Mbit/s access link spaces
    // full-size frames about 120 µs apart.
    net.timing = Timing {
        one_way_ns: 300_000,
        gap_ns: 120_000,
    };
    let mut s = FtpSession::connect(net, FtpConfig::new(client, SERVER));
    s.reply(Reply::new(
        220,
        "ProFTPD 1.3.8 Server (Public mirror) [198.51.100.21]",
    ));
    s.exchange(
        Cmd::new("USER", Some("anonymous")),
        Reply::new(
            331,
            "Anonymous login ok, send your complete email address as your password",
        ),
    );
    s.exchange(
        Cmd::new("PASS", Some("mirror@example.org")),
        Reply::new(230, "Anonymous access granted, restrictions apply"),
    );
    s.exchange(Cmd::new("SYST", None), Reply::new(215, "UNIX Type: L8"));
    s.exchange(
        Cmd::new("PWD", None),
        Reply::new(257, "\"/\" is the current directory"),
    );
    s.exchange(
        Cmd::new("CWD", Some("/pub")),
        Reply::new(250, "CWD command successful"),
    );
    s.exchange(
        Cmd::new("TYPE", Some("I")),
        Reply::new(200, "Type set to I"),
    );
    for i in 0..opts.transfers {
        round(&mut s, rng, i);
        pause(&mut s, rng);
    }
    s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
    s.close(CloseStyle::FourWay, Who::Server);
}

/// After a round the client sometimes ACKs on its own and waits (the script writes its
/// log); otherwise the next command carries the ACK.
fn pause(s: &mut FtpSession<'_, '_>, rng: &mut Rng) {
    if rng.chance(1, 3) {
        s.ack(Who::Client);
        s.net().advance(rng.range(5, 200) as i64 * MS);
    }
}

/// A data channel: PASV four times in five, else PORT.
fn channel(s: &mut FtpSession<'_, '_>, rng: &mut Rng) -> crate::ftp::DataChannel {
    if rng.chance(4, 5) {
        s.pasv(rng.range(40_000, 50_000) as u16)
    } else {
        let port = s.next_port();
        s.port(SocketAddrV4::new(CLIENT_IP, port))
    }
}

fn round(s: &mut FtpSession<'_, '_>, rng: &mut Rng, i: usize) {
    if rng.chance(1, 10) {
        let dir = format!("/pub/dir{}", rng.range(0, 40));
        let r = if rng.chance(1, 4) {
            Reply::new(550, &format!("{dir}: No such file or directory"))
        } else {
            Reply::new(250, "CWD command successful")
        };
        s.exchange(Cmd::new("CWD", Some(&dir)), r);
    }
    if rng.chance(1, 5) {
        let chan = channel(s, rng);
        let passive = chan.opener() == Who::Client;
        let listing = Payload::pattern(rng.range(300, 4_000), rng.next_u64());
        let x = Xfer::new(Cmd::new("LIST", None), listing)
            .prelim(Some(Reply::new(
                150,
                "Opening ASCII mode data connection for file list",
            )))
            .done(Reply::new(226, "Transfer complete"))
            .syn_at(syn_at(rng, passive))
            .final_at(final_at(rng));
        s.transfer(Some(&chan), x);
        return;
    }
    let name = format!("file-{i:04}.bin");
    if rng.chance(1, 12) {
        // The mirror list is stale: the file is gone, so there is nothing to set up.
        s.exchange(
            Cmd::new("SIZE", Some(&name)),
            Reply::new(550, &format!("{name}: No such file or directory")),
        );
        return;
    }
    // Sizes spread over two orders of magnitude, as a mirror's files are.
    let bits = rng.range(8, 17);
    let size = rng.range(1 << (bits - 1), 1 << bits);
    s.exchange(
        Cmd::new("SIZE", Some(&name)),
        Reply::new(213, &size.to_string()).announcing(size),
    );
    let chan = channel(s, rng);
    if rng.chance(1, 15) {
        // Refused after the setup: no 150, no data connection.
        s.begin_transfer(Cmd::new("RETR", Some(&name)), Some(&chan));
        s.reply(Reply::new(550, &format!("{name}: Permission denied")));
        return;
    }
    let passive = chan.opener() == Who::Client;
    let x = Xfer::new(
        Cmd::new("RETR", Some(&name)),
        Payload::pattern(size, rng.next_u64()),
    )
    .prelim(Some(
        Reply::new(
            150,
            &format!("Opening BINARY mode data connection for {name} ({size} bytes)"),
        )
        .announcing(size),
    ))
    .done(Reply::new(226, "Transfer complete"))
    .syn_at(syn_at(rng, passive))
    .final_at(final_at(rng));
    s.transfer(Some(&chan), x);
}

/// Passive clients connect right after the 227 or after sending the command; an active
/// server connects before or after its 150.
fn syn_at(rng: &mut Rng, passive: bool) -> SynAt {
    match (passive, rng.chance(1, 2)) {
        (true, true) => SynAt::BeforeCommand,
        (_, false) => SynAt::AfterCommand,
        (false, true) => SynAt::AfterPrelim,
    }
}

fn final_at(rng: &mut Rng) -> FinalAt {
    if rng.chance(1, 4) {
        FinalAt::BeforeClose
    } else {
        FinalAt::AfterClose
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{Packet, Side};
    use crate::truth::CommandTruth;

    /// The bytes of stream range `lo..hi` of the packet at `frame`, which must hold them.
    fn bytes_at(trace: &[Packet], frame: u64, (lo, hi): (u64, u64)) -> Vec<u8> {
        let p = &trace[frame as usize - 1];
        let m = &p.meta;
        assert!(
            m.stream_off <= lo && hi <= m.stream_off + m.payload_len as u64,
            "frame {frame} holds {lo}..{hi}"
        );
        let at = m.payload_off as usize + (lo - m.stream_off) as usize;
        p.data[at..at + (hi - lo) as usize].to_vec()
    }

    fn line_of(c: &CommandTruth) -> Vec<u8> {
        let mut b = c.command.clone().into_bytes();
        if let Some(a) = &c.arg {
            b.push(b' ');
            b.extend_from_slice(a.as_bytes());
        }
        b.extend_from_slice(b"\r\n");
        b
    }

    /// What one seed lost: (command lines lost with a reply captured, commands captured
    /// with a reply lost).
    fn check_seed(seed: u64) -> (usize, usize) {
        let (trace, truth) = generate(seed, &Options::small());
        assert!(truth.frames);
        assert_eq!(truth.sessions.len(), 1);
        let s = &truth.sessions[0];
        let ctrl = s.control_conn;
        let conn = truth.conn(ctrl);
        assert!(
            conn.missed_orig > 0 && conn.missed_resp > 0,
            "seed {seed}: loss both ways"
        );
        // Only the capture lost packets: no byte appears twice.
        let mut seen: Vec<(u32, Side, u64, u64)> = trace
            .iter()
            .filter(|p| p.meta.payload_len > 0)
            .map(|p| {
                let m = &p.meta;
                (
                    m.conn,
                    m.from,
                    m.stream_off,
                    m.stream_off + m.payload_len as u64,
                )
            })
            .collect();
        seen.sort_unstable();
        for w in seen.windows(2) {
            let same_stream = (w[0].0, w[0].1) == (w[1].0, w[1].1);
            assert!(
                !same_stream || w[0].3 <= w[1].2,
                "seed {seed}: retransmission {w:?}"
            );
        }
        let (mut lost_line, mut lost_reply) = (0, 0);
        let mut last_frame = 0;
        for (i, c) in s.commands.iter().enumerate() {
            let ctx = format!("seed {seed} command {i} {}", c.command);
            assert_eq!(c.frame.is_some(), c.line_captured, "{ctx}");
            if let Some(f) = c.frame {
                let p = &trace[f as usize - 1];
                assert_eq!((p.meta.conn, p.meta.from), (ctrl, Side::Orig), "{ctx}");
                assert_eq!(bytes_at(&trace, f, c.wire.range), line_of(c), "{ctx}");
                assert!(f > last_frame, "{ctx}: wire order");
                last_frame = f;
            }
            assert_eq!(c.reply_frames.len(), c.reply_codes.len(), "{ctx}");
            let mut captured = Vec::new();
            for ((f, code), w) in c
                .reply_frames
                .iter()
                .zip(&c.reply_codes)
                .zip(&c.wire.replies)
            {
                let Some(f) = *f else { continue };
                captured.push(*code);
                let p = &trace[f as usize - 1];
                assert_eq!((p.meta.conn, p.meta.from), (ctrl, Side::Resp), "{ctx}");
                let text = bytes_at(&trace, f, w.range);
                let want = format!("{} ", code.expect("a valid reply"));
                assert!(
                    text.starts_with(want.as_bytes()),
                    "{ctx}: reply at frame {f}"
                );
                assert!(f > last_frame, "{ctx}: reply in wire order");
                last_frame = f;
            }
            assert_eq!(captured, c.replies_captured, "{ctx}");
            if !c.line_captured && !captured.is_empty() {
                lost_line += 1;
            }
            if c.line_captured && captured.len() < c.reply_codes.len() {
                lost_reply += 1;
            }
        }
        // The transfers follow their commands.
        for t in &s.transfers {
            assert_eq!(t.line_captured, s.commands[t.cmd].line_captured);
        }
        (lost_line, lost_reply)
    }

    #[test]
    fn small_captures_have_consistent_frames_and_lose_both_ways() {
        let (mut lines, mut replies) = (0, 0);
        for seed in 0..6 {
            let (l, r) = check_seed(seed);
            lines += l;
            replies += r;
        }
        assert!(
            lines > 0,
            "some command lines are lost while a reply is captured"
        );
        assert!(
            replies > 0,
            "some replies are lost while their command is captured"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        let a = generate(7, &Options::small());
        let b = generate(7, &Options::small());
        assert_eq!(a.0, b.0);
        assert_eq!(a.1.to_json(), b.1.to_json());
    }

    #[test]
    fn answers_come_a_round_trip_after_the_client() {
        // Without losses, a reply is seen 20-60 ms after the packet carrying its command
        // (a transfer command's first reply may wait for the data connection's handshake,
        // a second round trip).
        let opts = Options {
            control_loss: 0,
            data_loss: 0,
            ..Options::small()
        };
        let (trace, truth) = generate(3, &opts);
        for c in truth.sessions[0].commands.iter() {
            if c.wire.transfer.is_some() {
                continue;
            }
            let sent = trace[c.frame.unwrap() as usize - 1].ts_ns;
            if let Some(Some(f)) = c.reply_frames.first() {
                let dt = trace[*f as usize - 1].ts_ns - sent;
                assert!(
                    (20 * MS..=60 * MS).contains(&dt),
                    "{} answered after {dt} ns",
                    c.command
                );
            }
        }
    }
}
