//! A SYN flood (`ftpflow-synth synflood`): many connection attempts that never go further.
//!
//! Each flow is one SYN from its own source (10.128.0.0/9 addresses, a port drawn from the
//! seed) to the FTP port of one server, 2 µs apart; none is answered. An analyser must not
//! keep a session or a kilobyte of state for each: with a bounded connection table the
//! oldest are evicted, and memory stays flat however long the flood lasts. Every tenth
//! flow is sent again 1 s later (a retransmitted SYN, as a real client would), so the
//! table sees the same flow twice.

use ftpflow_synth::capfile::{self, Format};
use ftpflow_synth::frame::{self, IpFields, TcpFields};
use ftpflow_synth::packet::{Meta, Packet, Side, flags};
use ftpflow_synth::pcap::PcapOptions;
use ftpflow_synth::rng::Rng;
use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

/// Capture start: 2024-05-02T00:00:00Z.
const T0_NS: i64 = 1_714_608_000_000_000_000;
/// Time between two new flows.
const GAP_NS: i64 = 2_000;
/// When a flow's SYN is sent again.
const RETRY_NS: i64 = 1_000_000_000;

/// What was written.
pub struct Flood {
    pub packets: u64,
    pub flows: u64,
    pub file_bytes: u64,
}

fn syn(i: u64, port: u16, isn: u32, ts_ns: i64) -> Packet {
    let ip = IpFields {
        src_mac: [0x02, 0, 0, 0, 0, 0x01],
        dst_mac: [0x02, 0, 0, 0, 0, 0x02],
        src: IpAddr::V4(Ipv4Addr::from(0x0a80_0000u32 | (i as u32 & 0x007f_ffff))),
        dst: IpAddr::V4(Ipv4Addr::new(10, 0, 1, 21)),
        ttl: 64,
        tos: 0,
        id: i as u16,
        df: true,
    };
    let tcp = TcpFields {
        sport: port,
        dport: 21,
        seq: isn,
        ack: 0,
        flags: flags::SYN,
        window: 64240,
        urg: 0,
        options: &[],
    };
    let (data, payload_off) = frame::build(&ip, &tcp, 0, |_| {});
    Packet {
        ts_ns,
        orig_len: data.len() as u32,
        data,
        meta: Meta {
            conn: i as u32,
            from: Side::Orig,
            seq: isn,
            ack: 0,
            flags: flags::SYN,
            payload_off: payload_off as u32,
            payload_len: 0,
            stream_off: 0,
            ip_off: frame::ETH_LEN as u16,
            copy: false,
        },
    }
}

/// Writes `flows` SYN-only flows to `out` (pcap, gzip when the name ends in `.gz`).
pub fn generate(out: &Path, flows: u64, seed: u64) -> io::Result<Flood> {
    let mut rng = Rng::new(seed);
    let mut w = capfile::create(out, &Format::Pcap(PcapOptions::default()))?;
    // Retransmissions waiting for their time, oldest first (a fixed delay keeps them sorted).
    let mut retries: VecDeque<Packet> = VecDeque::new();
    let mut packets = 0u64;
    for i in 0..flows {
        let ts = T0_NS + i as i64 * GAP_NS;
        while retries.front().is_some_and(|p| p.ts_ns <= ts) {
            w.push(retries.pop_front().expect("checked"));
            packets += 1;
        }
        let port = rng.range(1024, 65535) as u16;
        let isn = rng.next_u64() as u32;
        let p = syn(i, port, isn, ts);
        if i % 10 == 0 {
            let mut again = p.clone();
            again.ts_ns += RETRY_NS;
            again.meta.copy = true;
            retries.push_back(again);
        }
        w.push(p);
        packets += 1;
    }
    for p in retries {
        w.push(p);
        packets += 1;
    }
    w.finish()?;
    Ok(Flood {
        packets,
        flows,
        file_bytes: std::fs::metadata(out)?.len(),
    })
}
