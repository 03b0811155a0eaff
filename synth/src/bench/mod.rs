//! Benchmark captures (the `bench` and `concurrent` subcommands).
//!
//! - [`mixed`]: a realistic capture of a requested size: hundreds of overlapping sessions,
//!   a few large transfers and many small ones, active and passive, IPv4 and some IPv6,
//!   with a little reordering and retransmission ([`jumble`]). Streams to disk.
//! - [`concurrent`]: N sessions that are all open at once (every login happens before any
//!   session closes, every data connection of the first transfers is open at once), so an
//!   analyser has to hold 2N flows.
//!
//! Both write `FILE.summary.json` ([`Summary`]): what the capture holds, in numbers a
//! benchmark can check an analyser's output against.

pub mod concurrent;
pub mod hostile;
pub mod jumble;
pub mod mixed;
pub mod synflood;

use ftpflow_synth::packet::{Packet, flags};
use ftpflow_synth::sink::PacketSink;
use ftpflow_synth::truth::{Mode, Status, Truth};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bytes of a classic pcap file header, and of each record header.
pub const PCAP_FILE_HEADER: u64 = 24;
pub const PCAP_RECORD_HEADER: u64 = 16;

/// Parses a byte count: `1000`, `100M`, `1G`, `1.5G` (powers of 1000), `512MiB`, `4GiB`
/// (powers of 1024); a trailing `B` is allowed.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num
        .parse()
        .map_err(|_| format!("not a size: {s:?} (examples: 1G, 100M, 512MiB, 4096)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "ti" | "tib" => 1024.0f64.powi(4),
        _ => {
            return Err(format!(
                "unknown size unit in {s:?} (use K, M, G, KiB, MiB, GiB)"
            ));
        }
    };
    let v = num * mult;
    if !v.is_finite() || v < 0.0 || v > u64::MAX as f64 {
        return Err(format!("size out of range: {s:?}"));
    }
    Ok(v.round() as u64)
}

/// `FILE.summary.json` next to `FILE`.
pub fn side_file(capture: &Path, suffix: &str) -> PathBuf {
    let mut name = capture.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Counts what reaches the file (pcap sizes) and how many connections are open at once,
/// then forwards every packet.
pub struct Meter<S: PacketSink> {
    pub out: S,
    pub packets: u64,
    /// File bytes so far, header included (classic pcap, untruncated Ethernet frames).
    pub file_bytes: u64,
    pub last_ts_ns: i64,
    /// Connections seen and not yet closed (a FIN each way, or a RST): id -> FIN bits.
    open: HashMap<u32, u8>,
    /// Connection ids seen so far (a bit each).
    seen: Vec<u64>,
    pub peak_open: u64,
    /// The open connections that are FTP control connections (port 21 on one side).
    open_control: u64,
    pub peak_open_control: u64,
}

impl<S: PacketSink> Meter<S> {
    pub fn new(out: S) -> Meter<S> {
        Meter {
            out,
            packets: 0,
            file_bytes: PCAP_FILE_HEADER,
            last_ts_ns: i64::MIN,
            open: HashMap::new(),
            seen: Vec::new(),
            peak_open: 0,
            open_control: 0,
            peak_open_control: 0,
        }
    }
}

impl<S: PacketSink> PacketSink for Meter<S> {
    fn push(&mut self, p: Packet) {
        self.packets += 1;
        self.file_bytes += PCAP_RECORD_HEADER + p.data.len() as u64;
        self.last_ts_ns = self.last_ts_ns.max(p.ts_ns);
        let m = &p.meta;
        let control = is_control(&p);
        let was_open = self.open.contains_key(&m.conn);
        let (word, bit) = (m.conn as usize / 64, 1u64 << (m.conn % 64));
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        if !was_open && self.seen[word] & bit != 0 {
            // The last ACK of a close, or anything after it: the connection stays closed.
            self.out.push(p);
            return;
        }
        self.seen[word] |= bit;
        let fins = self.open.entry(m.conn).or_insert(0);
        if m.has(flags::FIN) {
            *fins |= 1 << m.from.idx();
        }
        let closes = m.has(flags::RST) || *fins == 3;
        if closes {
            self.open.remove(&m.conn);
        }
        match (was_open, !closes && control) {
            (false, true) => self.open_control += 1,
            (true, false) if control => self.open_control -= 1,
            _ => {}
        }
        self.peak_open = self.peak_open.max(self.open.len() as u64);
        self.peak_open_control = self.peak_open_control.max(self.open_control);
        self.out.push(p);
    }
}

/// TCP source and destination ports of a frame built by the generator (Ethernet, IPv4
/// without options or IPv6 without extension headers).
pub fn ports(p: &Packet) -> (u16, u16) {
    let ip = p.meta.ip_off as usize;
    let t = if p.data[ip] >> 4 == 4 {
        ip + (p.data[ip] & 0x0f) as usize * 4
    } else {
        ip + 40
    };
    (
        u16::from_be_bytes([p.data[t], p.data[t + 1]]),
        u16::from_be_bytes([p.data[t + 2], p.data[t + 3]]),
    )
}

/// A packet of an FTP control connection (port 21 on either side).
pub fn is_control(p: &Packet) -> bool {
    let (s, d) = ports(p);
    s == 21 || d == 21
}

/// Transfers of a capture, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TransferCounts {
    pub total: u64,
    pub complete: u64,
    pub failed: u64,
    pub aborted: u64,
    pub incomplete: u64,
    pub active: u64,
    pub passive: u64,
    /// Transfers whose data connection was opened.
    pub with_data_connection: u64,
    /// Payload bytes of all transfers in their direction (what an analyser should report
    /// as transfer bytes, retransmissions counted once).
    pub bytes: u64,
    pub largest: u64,
}

/// What a generated benchmark capture holds (`FILE.summary.json`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub generator: String,
    pub kind: String,
    pub seed: u64,
    pub requested_bytes: Option<u64>,
    pub file_bytes: u64,
    pub packets: u64,
    pub first_ts_ns: i64,
    pub last_ts_ns: i64,
    pub ftp_sessions: u64,
    pub ipv6_sessions: u64,
    pub tcp_connections: u64,
    pub data_connections: u64,
    /// Most TCP connections open at the same moment (from the first packet to a FIN each
    /// way or a RST).
    pub peak_open_connections: u64,
    /// Most FTP sessions whose control connection was open at the same moment.
    pub peak_open_sessions: u64,
    pub transfers: TransferCounts,
    /// Data segments moved behind a later segment of their stream.
    pub reordered_segments: u64,
    /// Retransmitted copies of data segments added to the capture.
    pub retransmitted_segments: u64,
}

impl Summary {
    /// The counts a truth gives (sessions, connections, transfers).
    pub fn count_truth(&mut self, truth: &Truth) {
        self.ftp_sessions = truth.sessions.len() as u64;
        self.ipv6_sessions = truth
            .sessions
            .iter()
            .filter(|s| s.client.starts_with('['))
            .count() as u64;
        self.tcp_connections = truth.connections.len() as u64;
        self.data_connections = truth
            .connections
            .iter()
            .filter(|c| c.role == ftpflow_synth::truth::Role::Data)
            .count() as u64;
        let mut t = TransferCounts::default();
        for s in &truth.sessions {
            for x in &s.transfers {
                t.total += 1;
                match x.status {
                    Status::Complete => t.complete += 1,
                    Status::Failed => t.failed += 1,
                    Status::Aborted => t.aborted += 1,
                    Status::Incomplete => t.incomplete += 1,
                }
                match x.mode {
                    Some(Mode::Active) => t.active += 1,
                    Some(Mode::Passive) => t.passive += 1,
                    None => {}
                }
                if x.data_conn.is_some() {
                    t.with_data_connection += 1;
                }
                let b = x.bytes.unwrap_or(0);
                t.bytes += b;
                t.largest = t.largest.max(b);
            }
        }
        self.transfers = t;
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("summary serializes");
        s.push('\n');
        s
    }
}

/// Appends `more` (a later, separately generated part of the same capture whose packets'
/// connection ids were shifted by `acc.connections.len()`) to `acc`. Call
/// [`Truth::finalize`] on the result.
pub fn append_truth(acc: &mut Truth, more: Truth) {
    let shift = acc.connections.len() as u32;
    acc.packets += more.packets;
    for mut c in more.connections {
        c.id += shift;
        acc.connections.push(c);
    }
    for mut s in more.sessions {
        s.control_conn += shift;
        for x in &mut s.transfers {
            if let Some(dc) = &mut x.data_conn {
                dc.conn += shift;
            }
        }
        acc.sessions.push(s);
    }
    acc.impairments.extend(more.impairments);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("100M").unwrap(), 100_000_000);
        assert_eq!(parse_size("1G").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("1.5G").unwrap(), 1_500_000_000);
        assert_eq!(parse_size("4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_size("512mib").unwrap(), 512 << 20);
        assert_eq!(parse_size("10kB").unwrap(), 10_000);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("1X").is_err());
    }

    #[test]
    fn side_file_appends() {
        assert_eq!(
            side_file(Path::new("/tmp/a.pcap"), ".summary.json"),
            PathBuf::from("/tmp/a.pcap.summary.json")
        );
    }
}
