//! The capture as a whole: its inputs, what decoding and TCP tracking counted, what the
//! bounds cut, and the warnings the user must read. Written last in every report (its
//! counters are known only at the end).

use crate::time::Timestamp;
use serde::Serialize;

/// Table-wide counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TcpStats {
    /// TCP connections seen (a reused address pair counts again).
    pub connections: u64,
    /// Connections whose SYN is not in the capture (their initiator is guessed).
    pub midstream_connections: u64,
    /// Most connections tracked at the same time.
    pub peak_connections: u64,
    /// Connections finished because they stayed silent longer than the idle timeout.
    pub idle_timeouts: u64,
    /// New connections (a fresh SYN) on the address pair of a tracked connection.
    pub port_reuses: u64,
    /// Most out-of-order bytes held at once across all connections.
    pub peak_held_bytes: u64,
    /// Packets of connections already closed and reported (late retransmitted ACKs).
    pub late_packets: u64,
    /// Packets the capture holds twice (identical copies), counted once.
    pub duplicate_packets: u64,
    /// SYNs sent again with the same initial sequence number (unanswered in time).
    pub syn_retransmissions: u64,
}

/// The capture as a whole: its inputs, time span, connection counts, decoder and TCP
/// counters, bounds hit and warnings (the JSON report's `capture` object).
#[derive(Debug, Clone, Serialize)]
pub struct CaptureInfo {
    /// Each input read, in order.
    pub files: Vec<InputSummary>,
    /// Packets analysed, over all inputs.
    pub packets: u64,
    /// Captured bytes of those packets (not their length on the wire).
    pub bytes: u64,
    /// Earliest packet time; `null` when the capture has no packet.
    pub first_ts: Option<Timestamp>,
    /// Latest packet time; `null` when the capture has no packet.
    pub last_ts: Option<Timestamp>,
    /// Seconds between the first and the last packet.
    pub duration: f64,
    /// TCP connections seen.
    pub tcp_connections: u64,
    /// FTP control connections (sessions) found.
    pub ftp_sessions: u64,
    /// Data connections linked to a transfer.
    pub data_connections: u64,
    /// Connections that look like FTP data but belong to no transfer (see the report's
    /// `unlinked_data_connections`).
    pub unlinked_data_connections: u64,
    /// TCP connections that are neither FTP control nor FTP data.
    pub other_tcp_connections: u64,
    /// What the packet decoder counted, by layer.
    pub decode: DecodeStats,
    /// What the TCP connection table counted.
    pub tcp: TcpStats,
    /// What the analysis's bounds dropped.
    pub bounds: BoundCounters,
    /// Things the user must know about the input as a whole.
    pub warnings: Vec<String>,
    /// A live capture's counters (`ftpflow live`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveCounters>,
    /// Password guessing found across sessions (`--brute-force-logins`, `--brute-force-window`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brute_force: Vec<BruteForceRun>,
    /// Clients (client and server address pairs) whose login failures were forgotten
    /// because too many were watched at once, and runs not kept; both bounded.
    #[serde(skip_serializing_if = "is_zero")]
    pub brute_force_dropped: u64,
    /// `-c COUNT`: reading stopped after this many packets (the rest was not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at_count: Option<u64>,
    /// `--session`, `--host`, `--user`: what the session filter kept and left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterSummary>,
}

/// What the session filter asked for, kept and left out (the capture's other counters
/// count every session: `ftp_sessions` is the capture's, `sessions_kept` the report's).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FilterSummary {
    /// `--session` values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<u32>,
    /// `--host` values (addresses or CIDR blocks), as given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// `--user` values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Sessions in the report.
    pub sessions_kept: u64,
    /// Sessions left out.
    pub sessions_filtered_out: u64,
    /// Unlinked data connections left out.
    pub unlinked_filtered_out: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Failed logins from one client to one server, many within a short time.
#[derive(Debug, Clone, Serialize)]
pub struct BruteForceRun {
    /// The client's address.
    pub client: std::net::IpAddr,
    /// The server's address.
    pub server: std::net::IpAddr,
    /// Time of the first failure counted in the run.
    pub first_ts: Timestamp,
    /// Time of the latest failure of the run.
    pub last_ts: Timestamp,
    /// Failed logins in the run.
    pub failed_logins: u64,
    /// User names tried (the first few).
    pub users: Vec<String>,
    /// User names tried beyond those listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_users: u64,
    /// The session (its id) in which the run crossed the threshold.
    pub first_session: u32,
    /// A login of the client that succeeded during the run, by this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded_as: Option<String>,
}

/// What a live capture did, with libpcap's own counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LiveCounters {
    /// The interface captured on.
    pub interface: String,
    /// The BPF capture filter applied.
    pub filter: String,
    /// Packets handed to the analysis.
    pub packets: u64,
    /// Captured bytes of those packets.
    pub bytes: u64,
    /// libpcap: packets that passed the filter.
    pub received: u32,
    /// libpcap: packets the kernel dropped because the buffer was full (ftpflow too slow).
    pub dropped_by_kernel: u32,
    /// libpcap: packets the interface or its driver dropped.
    pub dropped_by_interface: u32,
    /// Wall-clock seconds the capture ran.
    pub seconds: f64,
    /// Why the capture stopped: "signal", "count", "duration", "output closed".
    pub stopped_by: &'static str,
}

/// What the analysis's bounds dropped (all zero on a normal capture). Each counter that is
/// not zero is also told as one warning naming the option to raise.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct BoundCounters {
    /// Open connections finished early because the connection table was full
    /// (`--max-connections`).
    pub connections_evicted: u64,
    /// Connections finished early, still unanswered, because more than `--max-half-open`
    /// waited for an answer at once: a SYN flood or a scan.
    pub half_open_evicted: u64,
    /// Holes in a stream declared missing early because an out-of-order bound was reached
    /// (`--reassembly-limit`, `--reassembly-total`, or the ranges kept per counted stream).
    pub forced_hole_skips: u64,
    /// Commands not recorded because a session reached its command bound.
    pub commands_not_stored: u64,
    /// Replies not recorded because their session had stopped storing commands (most
    /// answer a command that was counted, not stored).
    pub replies_not_stored: u64,
    /// Commands forgotten while waiting for a reply, because too many were waiting.
    pub pending_commands_dropped: u64,
    /// Announced data endpoints (PORT, PASV, ...) forgotten because their table was full.
    pub expectations_evicted: u64,
    /// Control lines longer than the line bound (cut there).
    pub overlong_lines: u64,
    /// Replies whose text was cut by the reply bound (lines or bytes).
    pub reply_lines_dropped: u64,
    /// Findings not recorded because a session reached its findings bound.
    pub findings_not_stored: u64,
}

impl BoundCounters {
    /// Adds every counter of `other` to this one.
    pub fn add(&mut self, other: &BoundCounters) {
        // Destructured so that a new counter cannot be forgotten here.
        let BoundCounters {
            connections_evicted,
            half_open_evicted,
            forced_hole_skips,
            commands_not_stored,
            replies_not_stored,
            pending_commands_dropped,
            expectations_evicted,
            overlong_lines,
            reply_lines_dropped,
            findings_not_stored,
        } = other;
        self.connections_evicted += connections_evicted;
        self.half_open_evicted += half_open_evicted;
        self.forced_hole_skips += forced_hole_skips;
        self.commands_not_stored += commands_not_stored;
        self.replies_not_stored += replies_not_stored;
        self.pending_commands_dropped += pending_commands_dropped;
        self.expectations_evicted += expectations_evicted;
        self.overlong_lines += overlong_lines;
        self.reply_lines_dropped += reply_lines_dropped;
        self.findings_not_stored += findings_not_stored;
    }
}

/// What reading one input produced.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    /// The input as named on the command line (a path, or `<stdin>`).
    pub name: String,
    /// `"pcap"` or `"pcapng"`; `None` when the format was not recognised.
    pub format: Option<&'static str>,
    /// The input was gzip-compressed.
    pub gzip: bool,
    /// pcap nanosecond magic, or any pcapng interface finer than 1 µs.
    pub nanosecond: bool,
    /// Frames handed to the sink.
    pub packets: u64,
    /// Sum of the captured lengths of those frames.
    pub bytes: u64,
    /// Distinct [`LinkType`](crate::capture::LinkType) names seen.
    pub link_types: Vec<&'static str>,
    /// Packets on interfaces with an unsupported link type, corrupt records skipped.
    pub skipped_packets: u64,
    /// Records or blocks skipped because they were corrupt (the input is damaged).
    pub corrupt_records: u64,
    /// Everything the user must know that is not fatal, in words, with byte offsets.
    pub warnings: Vec<String>,
    /// Why reading stopped before the end; `null` when the whole input was read.
    pub problem: Option<InputProblem>,
    /// Frame numbers this input consumed: `packets` plus the packets skipped only for their
    /// interface's link type. The next input starts at `first_number + numbered`.
    #[serde(skip)]
    pub numbered: u64,
}

impl InputSummary {
    /// An empty summary for the input called `name`.
    pub fn new(name: String) -> InputSummary {
        InputSummary {
            name,
            format: None,
            gzip: false,
            nanosecond: false,
            packets: 0,
            bytes: 0,
            link_types: Vec::new(),
            skipped_packets: 0,
            corrupt_records: 0,
            warnings: Vec::new(),
            problem: None,
            numbered: 0,
        }
    }
}

/// Why an input could not be read completely.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputProblem {
    /// Open/read I/O error before anything was read.
    Unreadable {
        /// The operating system's error.
        message: String,
    },
    /// Not a pcap or pcapng capture; `found` says what it looks like.
    NotACapture {
        /// What the input looks like instead: "an empty file", "text: ...", its first bytes.
        found: String,
    },
    /// The whole input uses a link type the decoder cannot handle.
    UnsupportedLinkType {
        /// The pcap/pcapng link type value.
        dlt: u32,
        /// Its libpcap name, or `DLT n` when unknown.
        name: String,
    },
    /// The input ends inside a record; `offset` is where that record starts.
    Truncated {
        /// Byte offset in the (decompressed) input where the cut record starts.
        offset: u64,
        /// What was being read.
        message: String,
    },
    /// A record that cannot be parsed and reading could not continue past it.
    Corrupt {
        /// Byte offset in the (decompressed) input of the corrupt record.
        offset: u64,
        /// What is wrong with it.
        message: String,
    },
    /// I/O or gzip error in the middle of the input.
    ReadError {
        /// Byte offset in the (decompressed) input where reading failed.
        offset: u64,
        /// The I/O or gzip error.
        message: String,
    },
}

impl InputProblem {
    /// True when nothing from this input was analysed.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            InputProblem::Unreadable { .. }
                | InputProblem::NotACapture { .. }
                | InputProblem::UnsupportedLinkType { .. }
        )
    }

    /// One clear sentence for stderr, naming the input and what to do.
    pub fn message(&self, input_name: &str) -> String {
        match self {
            InputProblem::Unreadable { message } => {
                format!(
                    "{input_name}: cannot read it ({message}); check the path and its permissions."
                )
            }
            InputProblem::NotACapture { found } => format!(
                "{input_name}: not a pcap or pcapng capture ({found}); give a file written by tcpdump, dumpcap or Wireshark."
            ),
            InputProblem::UnsupportedLinkType { name, .. } => format!(
                "{input_name}: link type {name} is not supported (ftpflow decodes Ethernet, Linux cooked SLL/SLL2, BSD loopback and raw IP); capture again on an Ethernet interface or on Linux's \"any\" interface."
            ),
            InputProblem::Truncated { offset, message } => format!(
                "{input_name}: the capture ends in the middle of a record at byte offset {offset} ({message}); every complete packet before it was analysed (was the file still being written, or cut short?)."
            ),
            InputProblem::Corrupt { offset, message } => format!(
                "{input_name}: corrupt record at byte offset {offset} ({message}); the packets before it were analysed, the rest of the file could not be read."
            ),
            InputProblem::ReadError { offset, message } => format!(
                "{input_name}: read error at byte offset {offset} ({message}); the packets before it were analysed."
            ),
        }
    }
}

/// What the decoder saw, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecodeStats {
    /// Frames handed to the decoder.
    pub frames: u64,
    /// TCP segments decoded (a reassembled datagram counts once).
    pub tcp_segments: u64,
    /// IPv4 packets (fragments included).
    pub ipv4: u64,
    /// IPv6 packets (fragments included).
    pub ipv6: u64,
    /// ARP, LLDP, ...
    pub non_ip: u64,
    /// UDP, ICMP, ... over IP.
    pub non_tcp: u64,
    /// Frames whose link-layer header could not be parsed.
    pub malformed_link: u64,
    /// Packets whose IP header could not be parsed.
    pub malformed_ip: u64,
    /// IP packets whose TCP header could not be parsed.
    pub malformed_tcp: u64,
    /// TCP segments whose payload the capture cut.
    pub snaplen_cut: u64,
    /// IP fragments seen.
    pub fragments: u64,
    /// Datagrams reassembled from fragments.
    pub reassembled: u64,
    /// Fragments dropped by a bound, a timeout or an inconsistency.
    pub fragments_dropped: u64,
}
