//! Many FTP sessions open at the same time (`ftpflow-synth concurrent`).
//!
//! Four phases, each going through every session in turn before the next phase starts:
//!
//! 1. connect, greeting, login, and a data-channel negotiation (PASV/EPSV or PORT/EPRT);
//! 2. the transfer command, the data connection's handshake and the `150`;
//! 3. the data (one small listing or file, a single segment), the data connection's close
//!    and the `226`;
//! 4. `QUIT`, `221` and the control connection's close.
//!
//! So every session has logged in before any closes, and after phase 2 all `2 × sessions`
//! connections are open at once: an analyser must hold them all (or evict, and say so).
//! Sessions park their state between phases ([`FtpSession::park`]); packets stream to the
//! file, and what stays in memory is the parked sessions and the truth, about a kilobyte
//! or two per session. Payloads are small, so 100,000 sessions make about 300 MB.

use super::{Meter, Summary};
use ftpflow_synth::capfile::{self, Format};
use ftpflow_synth::ftp::{DataChannel, DataConn, Parked, XferId};
use ftpflow_synth::prelude::*;
use ftpflow_synth::rng::Rng;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub sessions: usize,
    pub seed: u64,
}

/// Capture start: 2024-05-02T00:00:00Z.
const T0_NS: i64 = 1_714_608_000_000_000_000;
/// FTP servers the sessions are spread over.
const SERVERS: usize = 8;

/// What one session does, drawn from the seed.
struct Shape {
    client: SocketAddr,
    server: SocketAddr,
    passive: bool,
    listing: bool,
    size: u64,
    pasv_port: u16,
}

fn shape(i: usize, rng: &mut Rng) -> Shape {
    let v6 = rng.chance(1, 20);
    let srv = i % SERVERS;
    let (client_ip, server_ip): (IpAddr, IpAddr) = if v6 {
        let k = i as u32 + 1;
        (
            Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, (k >> 16) as u16, k as u16).into(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x21 + srv as u16).into(),
        )
    } else {
        // 10.64.0.1, 10.64.0.2, ...: one client host per session.
        (
            Ipv4Addr::from(0x0a40_0001u32.wrapping_add(i as u32)).into(),
            Ipv4Addr::new(10, 0, 1, 1 + srv as u8).into(),
        )
    };
    let listing = rng.chance(2, 5);
    Shape {
        client: SocketAddr::new(client_ip, rng.range(32768, 61000) as u16),
        server: SocketAddr::new(server_ip, 21),
        passive: rng.chance(1, 2),
        listing,
        size: if listing {
            rng.range(200, 1200)
        } else {
            rng.range(1, 1400)
        },
        // Distinct per server for the first 8 × 60,000 sessions.
        pasv_port: 1024 + ((i / SERVERS) % 60_000) as u16,
    }
}

/// A session between phases.
struct Slot {
    parked: Parked,
    chan: DataChannel,
    data: Option<(DataConn, XferId)>,
    listing: bool,
    size: u64,
    seed: u64,
}

fn listing_text(size: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(size as usize + 80);
    let mut k = 0;
    while (out.len() as u64) < size {
        out.extend_from_slice(
            format!(
                "-rw-r--r--    1 ftp      ftp      {:>8} May 02 00:00 file{k}-{seed:x}.dat\r\n",
                (seed >> (k % 32)) & 0xfffff
            )
            .as_bytes(),
        );
        k += 1;
    }
    out.truncate(size as usize);
    out
}

/// Writes the capture and returns its summary (the truth would be hundreds of MB: not kept).
pub fn generate(out: &Path, opts: &Options) -> io::Result<Summary> {
    let n = opts.sessions.max(1);
    let writer = capfile::create(out, &Format::Pcap(Default::default()))?;
    let mut meter = Meter::new(writer);
    let mut rng = Rng::new(opts.seed ^ 0x636f_6e63);
    let truth = {
        let mut net = Net::new(&mut meter, T0_NS, opts.seed);
        // A busy LAN segment: answers after 40 µs, back-to-back packets 8 µs apart.
        net.timing = Timing {
            one_way_ns: 40_000,
            gap_ns: 8_000,
        };
        // 1: everyone connects and logs in.
        let mut slots: Vec<Slot> = Vec::with_capacity(n);
        for i in 0..n {
            let mut r = rng.fork(i as u64);
            let sh = shape(i, &mut r);
            let mut cfg = FtpConfig::new(sh.client, sh.server);
            if r.chance(1, 3) {
                cfg.client = Peer::windows(sh.client);
            }
            let mut s = FtpSession::connect(&mut net, cfg);
            s.reply(Reply::new(220, "(vsFTPd 3.0.3)"));
            s.exchange(
                Cmd::new("USER", Some(&format!("u{i}"))),
                Reply::new(331, "Please specify the password."),
            );
            s.exchange(
                Cmd::new("PASS", Some("pw")),
                Reply::new(230, "Login successful."),
            );
            let chan = match (sh.passive, sh.client.ip()) {
                (true, IpAddr::V4(_)) => s.pasv(sh.pasv_port),
                (true, IpAddr::V6(_)) => s.epsv(sh.pasv_port),
                (false, IpAddr::V4(ip)) => {
                    let port = s.next_port();
                    s.port(SocketAddrV4::new(ip, port))
                }
                (false, ip) => {
                    let port = s.next_port();
                    s.eprt(SocketAddr::new(ip, port))
                }
            };
            slots.push(Slot {
                parked: s.park(),
                chan,
                data: None,
                listing: sh.listing,
                size: sh.size,
                seed: r.next_u64(),
            });
        }
        // 2: every transfer starts and its data connection opens.
        slots = slots
            .into_iter()
            .map(|slot| {
                let mut s = slot.parked.resume(&mut net);
                let cmd = if slot.listing {
                    Cmd::new("LIST", None)
                } else {
                    Cmd::new("RETR", Some(&format!("f{:x}.bin", slot.seed & 0xffff)))
                };
                let id = s.begin_transfer(cmd, Some(&slot.chan));
                let mut d = s.open_data(&slot.chan);
                s.link_data(&d, id);
                s.data_handshake(&mut d);
                let prelim = if slot.listing {
                    Reply::new(150, "Here comes the directory listing.")
                } else {
                    Reply::new(
                        150,
                        &format!("Opening BINARY mode data connection ({} bytes).", slot.size),
                    )
                    .announcing(slot.size)
                };
                s.reply(prelim);
                Slot {
                    parked: s.park(),
                    data: Some((d, id)),
                    ..slot
                }
            })
            .collect();
        // 3: every transfer's data flows, its connection closes, 226.
        slots = slots
            .into_iter()
            .map(|mut slot| {
                let mut s = slot.parked.resume(&mut net);
                let (mut d, _) = slot.data.take().expect("opened in phase 2");
                let payload = if slot.listing {
                    Payload::bytes(listing_text(slot.size, slot.seed))
                } else {
                    Payload::pattern(slot.size, slot.seed)
                };
                s.data_send_payload(&mut d, Who::Server, &payload, 0..slot.size);
                s.data_close(&mut d, CloseStyle::FourWay, Who::Server);
                s.reply(if slot.listing {
                    Reply::new(226, "Directory send OK.")
                } else {
                    Reply::new(226, "Transfer complete.")
                });
                Slot {
                    parked: s.park(),
                    ..slot
                }
            })
            .collect();
        // 4: everyone leaves.
        for slot in slots {
            let mut s = slot.parked.resume(&mut net);
            s.exchange(Cmd::new("QUIT", None), Reply::new(221, "Goodbye."));
            s.close(CloseStyle::FourWay, Who::Server);
        }
        net.finish()
    };
    let mut summary = Summary {
        generator: format!("ftpflow-synth {}", env!("CARGO_PKG_VERSION")),
        kind: "concurrent".into(),
        seed: opts.seed,
        requested_bytes: None,
        file_bytes: meter.file_bytes,
        packets: meter.packets,
        first_ts_ns: T0_NS,
        last_ts_ns: meter.last_ts_ns,
        peak_open_connections: meter.peak_open,
        peak_open_sessions: meter.peak_open_control,
        ..Summary::default()
    };
    summary.count_truth(&truth);
    drop(truth);
    meter.out.finish()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_text_has_the_exact_size() {
        for n in [1, 200, 1199] {
            assert_eq!(listing_text(n, 7).len() as u64, n);
        }
    }
}
