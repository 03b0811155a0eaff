//! Hostile captures for the memory benchmark (`ftpflow-synth hostile KIND`).
//!
//! Each one aims at one bound of an analyser; packets are written as they are made, so a
//! capture of a gigabyte costs the generator a few kilobytes:
//!
//! - `pasv`: one session that sends `--count` PASV commands, each answered by a 227 with a
//!   new port and never used (announcements pile up);
//! - `noop`: `--sessions` sessions, each sending `--count` NOOPs answered by 200 (stored
//!   commands pile up);
//! - `long-line`: one session whose client sends `--bytes` bytes without a line end after
//!   USER (a line splitter that waits for CR LF);
//! - `hole`: one session whose client's first data segment is missing from the capture and
//!   `--bytes` bytes follow it in 60,000-byte segments that nobody acknowledges
//!   (reassembly that holds bytes behind a hole);
//! - `open`: `--sessions` sessions that connect, log in and announce a passive endpoint,
//!   and are still open when the capture ends (every one is held to the end).
//!
//! The TCP here is plain on purpose: handshakes, in-order segments and acknowledgments,
//! no loss but the one asked for. Timestamps advance 10 µs per packet.

use ftpflow_synth::capfile::{self, Format};
use ftpflow_synth::frame::{self, IpFields, TcpFields};
use ftpflow_synth::packet::{Meta, Packet, Side, flags};
use ftpflow_synth::sink::CaptureWriter;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

/// Capture start: 2024-05-02T00:00:00Z.
const T0_NS: i64 = 1_714_608_000_000_000_000;
/// Time between two packets.
const STEP_NS: i64 = 10_000;
/// Payload of one bulk segment (TSO-sized, within IPv4's 64 KiB).
const BULK: usize = 60_000;

/// Which hostile capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Pasv,
    Noop,
    LongLine,
    Hole,
    Open,
}

/// What to write.
#[derive(Clone, Debug)]
pub struct Options {
    pub kind: Kind,
    /// Commands per session (`pasv`, `noop`).
    pub count: u64,
    /// Sessions (`noop`, `open`).
    pub sessions: u64,
    /// Bytes of the long line or behind the hole.
    pub bytes: u64,
}

/// What was written.
pub struct Written {
    pub packets: u64,
    pub file_bytes: u64,
}

/// The capture being written: a clock and a packet counter.
struct Wire {
    w: Box<dyn CaptureWriter>,
    ts: i64,
    packets: u64,
}

impl Wire {
    fn send(&mut self, c: &mut Conn, from_client: bool, fl: u8, payload: &[u8]) {
        let p = c.packet(from_client, fl, payload, self.ts);
        self.ts += STEP_NS;
        self.packets += 1;
        self.w.push(p);
    }

    /// Advances the sender's sequence number as if `len` bytes were sent, without writing
    /// them (a segment the capture lost).
    fn lose(&mut self, c: &mut Conn, from_client: bool, len: usize) {
        c.advance(from_client, len as u32);
    }
}

/// One TCP connection between a client and the server's port 21.
struct Conn {
    client: (IpAddr, u16),
    server: (IpAddr, u16),
    /// Next sequence number of each side (client, server).
    seq: [u32; 2],
    /// Bytes each side sent so far (stream offsets).
    sent: [u64; 2],
    id: u32,
}

impl Conn {
    fn new(id: u32, client: IpAddr, port: u16) -> Conn {
        Conn {
            client: (client, port),
            server: (IpAddr::V4(Ipv4Addr::new(10, 0, 1, 21)), 21),
            seq: [
                1_000_000u32.wrapping_mul(id + 1),
                2_000_000u32.wrapping_mul(id + 7),
            ],
            sent: [0, 0],
            id,
        }
    }

    fn advance(&mut self, from_client: bool, n: u32) {
        let i = usize::from(!from_client);
        self.seq[i] = self.seq[i].wrapping_add(n);
        self.sent[i] += u64::from(n);
    }

    fn packet(&mut self, from_client: bool, fl: u8, payload: &[u8], ts_ns: i64) -> Packet {
        let (me, peer) = if from_client { (0, 1) } else { (1, 0) };
        let (src, dst) = if from_client {
            (self.client, self.server)
        } else {
            (self.server, self.client)
        };
        let ip = IpFields {
            src_mac: [0x02, 0, 0, 0, 0, 1 + me as u8],
            dst_mac: [0x02, 0, 0, 0, 0, 1 + peer as u8],
            src: src.0,
            dst: dst.0,
            ttl: 64,
            tos: 0,
            id: (ts_ns / STEP_NS) as u16,
            df: true,
        };
        let seq = self.seq[me];
        let ack = if fl & flags::ACK != 0 {
            self.seq[peer]
        } else {
            0
        };
        let tcp = TcpFields {
            sport: src.1,
            dport: dst.1,
            seq,
            ack,
            flags: fl,
            window: 65535,
            urg: 0,
            options: &[],
        };
        let (data, payload_off) =
            frame::build(&ip, &tcp, payload.len(), |b| b.copy_from_slice(payload));
        let stream_off = self.sent[me];
        let syn_fin = u32::from(fl & (flags::SYN | flags::FIN) != 0);
        self.advance(from_client, payload.len() as u32 + syn_fin);
        if syn_fin == 1 {
            // SYN and FIN take a sequence number, not a stream byte.
            self.sent[me] -= 1;
        }
        Packet {
            ts_ns,
            orig_len: data.len() as u32,
            data,
            meta: Meta {
                conn: self.id,
                from: if from_client { Side::Orig } else { Side::Resp },
                seq,
                ack,
                flags: fl,
                payload_off: payload_off as u32,
                payload_len: payload.len() as u32,
                stream_off,
                ip_off: frame::ETH_LEN as u16,
                copy: false,
            },
        }
    }
}

const C: bool = true;
const S: bool = false;

fn handshake(w: &mut Wire, c: &mut Conn) {
    w.send(c, C, flags::SYN, b"");
    w.send(c, S, flags::SYN | flags::ACK, b"");
    w.send(c, C, flags::ACK, b"");
}

/// A command and its reply, each acknowledged by the reply or a bare ACK.
fn exchange(w: &mut Wire, c: &mut Conn, cmd: &str, reply: &str) {
    w.send(
        c,
        C,
        flags::PSH | flags::ACK,
        format!("{cmd}\r\n").as_bytes(),
    );
    w.send(
        c,
        S,
        flags::PSH | flags::ACK,
        format!("{reply}\r\n").as_bytes(),
    );
    w.send(c, C, flags::ACK, b"");
}

fn login(w: &mut Wire, c: &mut Conn) {
    handshake(w, c);
    w.send(c, S, flags::PSH | flags::ACK, b"220 (vsFTPd 3.0.3)\r\n");
    w.send(c, C, flags::ACK, b"");
    exchange(w, c, "USER bench", "331 Please specify the password.");
    exchange(w, c, "PASS bench", "230 Login successful.");
}

fn quit(w: &mut Wire, c: &mut Conn) {
    exchange(w, c, "QUIT", "221 Goodbye.");
    w.send(c, S, flags::FIN | flags::ACK, b"");
    w.send(c, C, flags::FIN | flags::ACK, b"");
    w.send(c, S, flags::ACK, b"");
}

fn client_ip(i: u64) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a40_0001u32.wrapping_add(i as u32)))
}

fn pasv_reply(k: u64) -> String {
    let port = 1024 + (k % 64_000) as u16;
    format!(
        "227 Entering Passive Mode (10,0,1,21,{},{}).",
        port >> 8,
        port & 0xff
    )
}

/// Writes the capture `opts` asks for to `out` (pcap, gzip when the name ends in `.gz`).
pub fn generate(out: &Path, opts: &Options) -> io::Result<Written> {
    let mut w = Wire {
        w: capfile::create(out, &Format::Pcap(Default::default()))?,
        ts: T0_NS,
        packets: 0,
    };
    match opts.kind {
        Kind::Pasv => {
            let mut c = Conn::new(0, client_ip(0), 40000);
            login(&mut w, &mut c);
            for k in 0..opts.count {
                exchange(&mut w, &mut c, "PASV", &pasv_reply(k));
            }
            quit(&mut w, &mut c);
        }
        Kind::Noop => {
            let mut conns: Vec<Conn> = (0..opts.sessions)
                .map(|i| Conn::new(i as u32, client_ip(i), 40000 + (i % 20_000) as u16))
                .collect();
            for c in &mut conns {
                login(&mut w, c);
            }
            // Interleaved, so that every session is open (and holds its commands) at once.
            for _ in 0..opts.count {
                for c in &mut conns {
                    exchange(&mut w, c, "NOOP", "200 NOOP ok.");
                }
            }
            for c in &mut conns {
                quit(&mut w, c);
            }
        }
        Kind::LongLine => {
            let mut c = Conn::new(0, client_ip(0), 40000);
            login(&mut w, &mut c);
            let chunk = vec![b'A'; 1448];
            let mut left = opts.bytes;
            let mut since_ack = 0;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                w.send(&mut c, C, flags::ACK, &chunk[..n]);
                left -= n as u64;
                since_ack += 1;
                if since_ack == 2 {
                    w.send(&mut c, S, flags::ACK, b"");
                    since_ack = 0;
                }
            }
            w.send(&mut c, C, flags::PSH | flags::ACK, b"\r\n");
            w.send(
                &mut c,
                S,
                flags::PSH | flags::ACK,
                b"500 Unknown command.\r\n",
            );
            quit(&mut w, &mut c);
        }
        Kind::Hole => {
            let mut c = Conn::new(0, client_ip(0), 40000);
            handshake(&mut w, &mut c);
            w.send(
                &mut c,
                S,
                flags::PSH | flags::ACK,
                b"220 (vsFTPd 3.0.3)\r\n",
            );
            // The client's first segment is not in the capture, and the server's
            // acknowledgments are not either: everything after it waits behind a hole.
            w.lose(&mut c, C, 12);
            let mut line = Vec::with_capacity(BULK);
            while line.len() < BULK {
                line.extend_from_slice(b"NOOP\r\n");
            }
            line.truncate(BULK);
            let mut left = opts.bytes;
            while left > 0 {
                let n = left.min(BULK as u64) as usize;
                w.send(&mut c, C, flags::ACK, &line[..n]);
                left -= n as u64;
            }
            w.send(&mut c, C, flags::FIN | flags::ACK, b"");
            w.send(&mut c, S, flags::FIN | flags::ACK, b"");
            w.send(&mut c, C, flags::ACK, b"");
        }
        Kind::Open => {
            for i in 0..opts.sessions {
                let mut c = Conn::new(i as u32, client_ip(i), 40000 + (i % 20_000) as u16);
                login(&mut w, &mut c);
                exchange(&mut w, &mut c, "PASV", &pasv_reply(i));
                // No QUIT, no close: the capture ends with the session open.
            }
        }
    }
    let packets = w.packets;
    w.w.finish()?;
    Ok(Written {
        packets,
        file_bytes: std::fs::metadata(out)?.len(),
    })
}
