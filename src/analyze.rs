//! The pipeline driver: frames in, events out.
//!
//! [`Analyzer`] owns one instance of each stage (decoder, TCP table, tracker) and pushes
//! every frame through them in order; inputs are read one after the other as a single
//! capture. It is fed either by [`Analyzer::read`] (capture files, stdin) or frame by frame
//! with [`Analyzer::frame`] (live capture). What it finds goes to a [`Sink`] as one stream
//! of events ([`crate::model::events`]); [`Analyzer::finish`] ends every connection and
//! tells the capture's summary. Without a sink of its own, it collects a [`Report`].

use crate::capture::{
    Input, InputSummary, RawFrame, ReadAhead, read_input_at_most, read_reader_at_most,
};
use crate::decode::{DecodeLimits, Decoder};
use crate::link::tracker::{Tracker, TrackerConfig};
use crate::model::events::Sink;
use crate::model::{BoundCounters, CaptureInfo, LiveCounters, Report};
use crate::report::collect::Collector;
use crate::tcp::{TcpConfig, TcpTable};
use crate::time::Timestamp;

/// Everything that tunes an analysis.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Bounds of the packet decoder (IP fragment reassembly).
    pub decode: DecodeLimits,
    /// Bounds and policies of the TCP connection table.
    pub tcp: TcpConfig,
    /// FTP ports, session parsing options and data-connection matching bounds.
    pub tracker: TrackerConfig,
    /// Read capture files on a second thread, ahead of the analysis (`None`: one thread).
    pub read_ahead: Option<ReadAhead>,
    /// Packets to read at most, over all inputs (`-c`, as tcpdump's); `None`: all.
    pub max_packets: Option<u64>,
}

impl Config {
    /// A configuration that shows PASS arguments instead of masking them.
    pub fn show_passwords(mut self) -> Config {
        self.tracker.session.show_passwords = true;
        self
    }

    /// A configuration that hashes each transfer's bytes (`content` on transfers) and,
    /// with `content.extract_dir`, writes the files out.
    pub fn with_content(mut self, content: crate::content::ContentConfig) -> Config {
        self.tracker.content = Some(content);
        self
    }

    /// A configuration whose FTP control ports are `ports` (21, and 990 for implicit FTPS,
    /// when empty).
    pub fn with_ftp_ports(mut self, ports: &[u16]) -> Config {
        let ports = if ports.is_empty() {
            vec![21, 990]
        } else {
            ports.to_vec()
        };
        self.tcp.server_ports = ports.clone();
        self.tracker.ftp_ports = ports;
        self
    }
}

/// The pipeline: decoder, TCP table, tracker, and the capture's own counters.
pub struct Analyzer {
    decoder: Decoder,
    tcp: TcpTable,
    tracker: Tracker,
    inputs: Vec<InputSummary>,
    next_frame: u64,
    packets: u64,
    bytes: u64,
    first_ts: Option<Timestamp>,
    last_ts: Option<Timestamp>,
    live: Option<LiveCounters>,
    read_ahead: Option<ReadAhead>,
    max_packets: Option<u64>,
    /// Times the capture's clock went back by more than a second: the first such frame
    /// and jump, and how many there were.
    time_back: Option<(u64, f64)>,
    time_back_count: u64,
    previous_ts: Option<Timestamp>,
    /// Set when the analysis collects its own report.
    collector: Option<Collector>,
    /// Told the packets and FTP sessions so far every [`PROGRESS_EVERY`] packets.
    progress: Option<ProgressHook>,
}

/// Called with the packets analysed and the FTP sessions seen so far ([`Analyzer::on_progress`]).
pub type ProgressHook = Box<dyn FnMut(u64, u64)>;

/// Packets between two calls of the progress hook (a power of two: the test is a mask).
const PROGRESS_EVERY: u64 = 4096;

impl Analyzer {
    /// An analysis that tells `sink` what it finds, as one stream of events.
    pub fn with_sink(cfg: Config, sink: Box<dyn Sink>) -> Analyzer {
        Analyzer::build(cfg, sink, None)
    }

    /// An analysis that collects its findings: [`Analyzer::finish`] returns the whole
    /// [`Report`] (sessions by number). For tests and library use; the command line
    /// streams to an output format instead.
    pub fn new(cfg: Config) -> Analyzer {
        let collector = Collector::default();
        Analyzer::build(cfg, Box::new(collector.clone()), Some(collector))
    }

    fn build(cfg: Config, sink: Box<dyn Sink>, collector: Option<Collector>) -> Analyzer {
        Analyzer {
            decoder: Decoder::new(cfg.decode),
            tcp: TcpTable::new(cfg.tcp),
            tracker: Tracker::new(cfg.tracker, sink),
            inputs: Vec::new(),
            next_frame: 1,
            packets: 0,
            bytes: 0,
            first_ts: None,
            last_ts: None,
            live: None,
            read_ahead: cfg.read_ahead,
            max_packets: cfg.max_packets,
            time_back: None,
            time_back_count: 0,
            previous_ts: None,
            collector,
            progress: None,
        }
    }

    /// Calls `hook` with the packets analysed and the FTP sessions seen so far, every few
    /// thousand packets and at the end of each input (a progress bar; nothing else is
    /// done per packet).
    pub fn on_progress(&mut self, hook: ProgressHook) {
        self.progress = Some(hook);
    }

    fn tell_progress(&mut self) {
        if let Some(hook) = &mut self.progress {
            hook(self.packets, self.tracker.sessions_seen());
        }
    }

    /// The output failed (a closed pipe): nothing more is analysed.
    pub fn output_failed(&self) -> Option<&std::io::Error> {
        self.tracker.sink_error()
    }

    /// Analyses one frame. Its time is first clamped to the years 1823-2116
    /// ([`Timestamp::clamped`]): every stage may then subtract one time from another.
    pub fn frame(&mut self, frame: RawFrame<'_>) {
        if self.tracker.sink_error().is_some() {
            return;
        }
        let frame = RawFrame {
            ts: frame.ts.clamped(),
            ..frame
        };
        self.packets += 1;
        if self.packets & (PROGRESS_EVERY - 1) == 0 {
            self.tell_progress();
        }
        self.bytes += frame.data.len() as u64;
        self.next_frame = self.next_frame.max(frame.number + 1);
        if let Some(previous) = self.previous_ts
            && frame.ts.0 < previous.0 - 1_000_000_000
        {
            self.time_back_count += 1;
            self.time_back
                .get_or_insert((frame.number, previous.secs_since(frame.ts)));
        }
        self.previous_ts = Some(frame.ts);
        self.tracker.first_packet(frame.ts);
        self.first_ts = Some(self.first_ts.map_or(frame.ts, |t| t.min(frame.ts)));
        self.last_ts = Some(self.last_ts.map_or(frame.ts, |t| t.max(frame.ts)));
        let (tcp, tracker) = (&mut self.tcp, &mut self.tracker);
        self.decoder
            .decode_into(frame, |seg| tcp.process(seg, tracker));
    }

    /// Reads a whole input; its frames continue the numbering of the previous inputs.
    pub fn read(&mut self, input: &Input) -> &InputSummary {
        self.tracker.input(&input.name());
        let first = self.next_frame;
        let ahead = self.read_ahead;
        let left = self.packets_left();
        let summary = read_input_at_most(input, first, ahead, left, &mut |frame| self.frame(frame));
        self.tell_progress();
        // Frames skipped by the reader (unsupported interfaces) keep their numbers, so the
        // next input continues after all of them, as Wireshark counts.
        self.next_frame = self.next_frame.max(first + summary.numbered);
        self.inputs.push(summary);
        self.inputs.last().expect("just pushed")
    }

    /// Reads a capture from any byte stream (a pipe, memory), named `name` in the report.
    pub fn read_named(
        &mut self,
        name: &str,
        reader: Box<dyn std::io::Read + Send + '_>,
    ) -> &InputSummary {
        self.tracker.input(name);
        let first = self.next_frame;
        let left = self.packets_left();
        let summary =
            read_reader_at_most(name.to_string(), reader, first, None, left, &mut |frame| {
                self.frame(frame)
            });
        self.tell_progress();
        self.next_frame = self.next_frame.max(first + summary.numbered);
        self.inputs.push(summary);
        self.inputs.last().expect("just pushed")
    }

    /// Packets still to read under `-c` (`None`: no count).
    fn packets_left(&self) -> Option<u64> {
        self.max_packets.map(|max| max.saturating_sub(self.packets))
    }

    /// Reading stopped at the `-c` count: later inputs need not be opened.
    pub fn count_reached(&self) -> bool {
        self.packets_left() == Some(0)
    }

    /// Records a live capture's counters for the report.
    pub fn set_live_counters(&mut self, counters: LiveCounters) {
        self.live = Some(counters);
    }

    /// Names an input read elsewhere (a live interface), before its first frame.
    pub fn name_input(&mut self, name: &str) {
        self.tracker.input(name);
    }

    /// Records an input read elsewhere (live capture).
    pub fn add_input_summary(&mut self, summary: InputSummary) {
        self.inputs.push(summary);
    }

    /// Connections currently open in the TCP table.
    pub fn open_connections(&self) -> usize {
        self.tcp.open_connections()
    }

    /// Ends every connection, tells the sink the capture's summary (its last event) and
    /// returns the report: whole when the analysis collected it ([`Analyzer::new`]), else
    /// the capture's summary with no sessions (the sink had them).
    pub fn finish(mut self) -> std::io::Result<Report> {
        self.tracker.capture_ending();
        self.tcp.finish_all(&mut self.tracker);
        self.decoder.flush_fragments();
        let tcp_stats = self.tcp.stats().clone();
        let decode = self.decoder.stats().clone();
        let out = self.tracker.counts();
        let mut warnings = Vec::new();
        for input in &self.inputs {
            warnings.extend(
                input
                    .warnings
                    .iter()
                    .map(|w| format!("{}: {w}", input.name)),
            );
            if let Some(p) = &input.problem {
                warnings.push(p.message(&input.name));
            }
        }
        let d = &decode;
        let malformed = d.malformed_link + d.malformed_ip + d.malformed_tcp;
        if malformed > 0 {
            warnings.push(format!(
                "{malformed} malformed frames were counted and skipped ({} at the link layer, {} IP, {} TCP)",
                d.malformed_link, d.malformed_ip, d.malformed_tcp
            ));
        }
        if d.snaplen_cut > 0 {
            warnings.push(format!(
                "{} TCP segments were cut by the capture's snapshot length: their bytes are counted, their content is missing",
                d.snaplen_cut
            ));
        }
        if d.fragments_dropped > 0 {
            warnings.push(format!(
                "{} IP fragments could not be reassembled (incomplete, inconsistent, or beyond a bound)",
                d.fragments_dropped
            ));
        }
        if let Some((frame, jump)) = self.time_back {
            let more = match self.time_back_count {
                1 => String::new(),
                n => format!(" (and {} more times)", n - 1),
            };
            warnings.push(format!(
                "time goes back {} at frame {frame}{more}: the capture's packets are not in time order \
                 (files merged or given out of order, or a file that holds the same packets twice)",
                crate::report::fmt::duration(jump)
            ));
        }
        if tcp_stats.duplicate_packets > 0 {
            warnings.push(format!(
                "{} packets are identical copies of packets already seen (a capture taken on two interfaces, \
                 a SPAN port copying traffic twice, or a file merged with itself): each was counted once",
                tcp_stats.duplicate_packets
            ));
        }
        if let Some((_, Some(problem))) = self.tracker.extracted() {
            warnings.push(problem.to_string());
        }
        let mut bounds = out.bounds;
        bounds.add(self.tcp.bounds());
        warnings.extend(bound_warnings(
            &bounds,
            self.tcp.config(),
            self.tracker.config(),
        ));
        if let Some(live) = &self.live
            && live.dropped_by_kernel + live.dropped_by_interface > 0
        {
            warnings.push(format!(
                "libpcap dropped {} packets (kernel buffer full: {}, interface: {}): they are missing from this analysis; raise --buffer or narrow the filter",
                live.dropped_by_kernel as u64 + live.dropped_by_interface as u64,
                live.dropped_by_kernel,
                live.dropped_by_interface
            ));
        }
        let duration = match (self.first_ts, self.last_ts) {
            (Some(a), Some(b)) => b.secs_since(a).max(0.0),
            _ => 0.0,
        };
        let capture = CaptureInfo {
            files: self.inputs,
            packets: self.packets,
            bytes: self.bytes,
            first_ts: self.first_ts,
            last_ts: self.last_ts,
            duration,
            tcp_connections: tcp_stats.connections,
            ftp_sessions: out.sessions_total,
            data_connections: out.data_connections,
            unlinked_data_connections: out.unlinked_total,
            other_tcp_connections: out.other_tcp_connections,
            decode,
            tcp: tcp_stats,
            bounds,
            warnings,
            live: self.live,
            brute_force: out.brute_force,
            brute_force_dropped: out.brute_force_dropped,
            stopped_at_count: self.max_packets.filter(|&max| self.packets >= max),
            filter: None,
        };
        self.tracker.finished(&capture)?;
        Ok(match self.collector {
            Some(c) => c.into_report(capture),
            None => Report::summary(capture),
        })
    }
}

/// One sentence per bound that cut or evicted something: what was lost, and the option
/// that sets the bound (or that the bound is fixed).
fn bound_warnings(b: &BoundCounters, tcp: &TcpConfig, tracker: &TrackerConfig) -> Vec<String> {
    let s = &tracker.session;
    let mut out = Vec::new();
    let mut say = |n: u64, text: String| {
        if n > 0 {
            out.push(text);
        }
    };
    say(
        b.connections_evicted,
        format!(
            "{} connections were finished early because the connection table was full (--max-connections {}): \
             what they did after that is not in this analysis",
            b.connections_evicted, tcp.max_connections
        ),
    );
    say(
        b.half_open_evicted,
        format!(
            "{} connection attempts were still unanswered when more than {} waited at once (a SYN flood or a scan?): \
             each was finished then as not established (--max-half-open)",
            b.half_open_evicted, tcp.max_half_open
        ),
    );
    say(
        b.forced_hole_skips,
        format!(
            "{} holes in TCP streams were declared missing early because too many bytes waited behind them \
             (--reassembly-limit {} per control direction, --reassembly-total {} in all, {} ranges per data direction): \
             a line that spanned one may be cut; raise the limits if the bytes came later",
            b.forced_hole_skips,
            tcp.max_held_bytes_per_stream,
            tcp.max_held_bytes_total,
            tcp.max_held_ranges_per_stream
        ),
    );
    say(
        b.commands_not_stored,
        format!(
            "{} commands were counted but not stored because their session already had {} (--max-commands) \
             or the open sessions already stored {} (--max-stored-bytes): the session's summary counts them, \
             its command list stops there",
            b.commands_not_stored,
            s.max_commands,
            crate::report::fmt::size(s.max_stored_bytes as u64)
        ),
    );
    say(
        b.replies_not_stored,
        format!(
            "{} replies were counted but not stored because their session had stopped storing commands, \
             or nobody asked for them and the open sessions already stored {} (--max-commands, --max-stored-bytes)",
            b.replies_not_stored,
            crate::report::fmt::size(s.max_stored_bytes as u64)
        ),
    );
    say(
        b.pending_commands_dropped,
        format!(
            "{} commands were forgotten while waiting for a reply because more than {} waited at once in a session \
             (a fixed bound): replies after that may be paired with a later command",
            b.pending_commands_dropped, s.max_pending
        ),
    );
    say(
        b.expectations_evicted,
        format!(
            "{} announced data endpoints (PORT, PASV...) were forgotten because {} waited at once \
             (--max-expectations): a data connection to one of them is reported as unlinked",
            b.expectations_evicted, tracker.max_expectations
        ),
    );
    say(
        b.overlong_lines,
        format!(
            "{} control lines were longer than {} bytes and were cut there (--max-line)",
            b.overlong_lines, s.max_line
        ),
    );
    say(
        b.reply_lines_dropped,
        format!(
            "{} replies had more than {} lines or {} bytes of text: the rest of their text was not kept (a fixed bound)",
            b.reply_lines_dropped, s.max_reply_lines, s.max_reply_bytes
        ),
    );
    say(
        b.findings_not_stored,
        format!(
            "{} findings were not stored because their session already had {} (--max-findings) \
             or the open sessions already stored {} (--max-stored-bytes)",
            b.findings_not_stored,
            s.max_findings,
            crate::report::fmt::size(s.max_stored_bytes as u64)
        ),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_json(bytes: &[u8], general_path_only: bool) -> serde_json::Value {
        let mut cfg = Config::default();
        cfg.tcp.general_path_only = general_path_only;
        let mut a = Analyzer::new(cfg);
        a.read_named("capture", Box::new(bytes));
        serde_json::to_value(a.finish().unwrap()).unwrap()
    }

    /// The shortcut for in-order bulk segments changes nothing: every project capture, and
    /// generated captures with random impairments (loss, reordering, retransmission,
    /// duplicates, TSO, cuts), give the same report with and without it.
    #[test]
    fn the_bulk_shortcut_gives_the_general_paths_report() {
        use ftpflow_synth::sink::PacketSink;
        let mut cases: Vec<(String, Vec<u8>)> = crate::test_support::project_captures()
            .iter()
            .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
            .collect();
        for seed in 1..=40u64 {
            let opts = ftpflow_synth::scenario::Options {
                sessions: 3,
                ..Default::default()
            };
            let (mut trace, mut truth) = ftpflow_synth::scenario::capture(seed, &opts);
            let mut rng = ftpflow_synth::rng::Rng::new(seed ^ 0xb01c);
            let imps = ftpflow_synth::impair::random(&mut rng);
            ftpflow_synth::impair::apply_all(&mut trace, &mut truth, &imps, seed);
            let mut w =
                ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default()).unwrap();
            for p in trace.iter() {
                w.push(p.clone());
            }
            cases.push((format!("seed {seed} {imps:?}"), w.into_inner().unwrap()));
        }
        let before = crate::tcp::SHORTCUT_TAKEN.load(std::sync::atomic::Ordering::Relaxed);
        for (name, bytes) in &cases {
            let general = report_json(bytes, true);
            let shortcut = report_json(bytes, false);
            assert!(general == shortcut, "{name}: the reports differ");
        }
        let taken = crate::tcp::SHORTCUT_TAKEN.load(std::sync::atomic::Ordering::Relaxed) - before;
        assert!(taken > 10_000, "the shortcut was taken only {taken} times");
    }

    /// Each bound counter that is not zero gives one warning, naming its option or saying
    /// the bound is fixed; none when nothing was cut.
    #[test]
    fn every_bound_that_cut_something_is_one_warning() {
        let tcp = TcpConfig::default();
        let tracker = TrackerConfig::default();
        assert!(bound_warnings(&BoundCounters::default(), &tcp, &tracker).is_empty());
        let all = BoundCounters {
            connections_evicted: 1,
            half_open_evicted: 2,
            forced_hole_skips: 3,
            commands_not_stored: 4,
            replies_not_stored: 5,
            pending_commands_dropped: 6,
            expectations_evicted: 7,
            overlong_lines: 8,
            reply_lines_dropped: 9,
            findings_not_stored: 10,
        };
        let warnings = bound_warnings(&all, &tcp, &tracker);
        assert_eq!(warnings.len(), 10, "{warnings:#?}");
        for (n, w) in (1..=10).zip(&warnings) {
            assert!(w.starts_with(&format!("{n} ")), "{w}");
            assert!(
                w.contains("--max-") || w.contains("--reassembly-") || w.contains("fixed bound"),
                "{w}"
            );
        }
        // Counters add up one for one (a session's and the table's share).
        let mut twice = all.clone();
        twice.add(&all);
        assert_eq!(twice.findings_not_stored, 20);
        assert_eq!(twice.connections_evicted, 2);
    }

    /// A SYN flood past --max-half-open is counted in `capture.bounds` and warned about.
    #[test]
    fn half_open_evictions_are_counted_in_bounds_and_warned() {
        use ftpflow_synth::frame::{self, IpFields, TcpFields};
        use ftpflow_synth::sink::PacketSink;
        let mut w = ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default()).unwrap();
        for i in 0..200u32 {
            let ip = IpFields {
                src_mac: [2, 0, 0, 0, 0, 1],
                dst_mac: [2, 0, 0, 0, 0, 2],
                src: std::net::Ipv4Addr::from(0x0a80_0000 | i).into(),
                dst: std::net::Ipv4Addr::new(10, 0, 1, 21).into(),
                ttl: 64,
                tos: 0,
                id: i as u16,
                df: true,
            };
            let tcp = TcpFields {
                sport: 40000,
                dport: 21,
                seq: i,
                ack: 0,
                flags: ftpflow_synth::packet::flags::SYN,
                window: 64240,
                urg: 0,
                options: &[],
            };
            let (data, _) = frame::build(&ip, &tcp, 0, |_| {});
            w.push(ftpflow_synth::packet::Packet {
                ts_ns: 1_700_000_000_000_000_000 + i64::from(i) * 1000,
                orig_len: data.len() as u32,
                data,
                meta: ftpflow_synth::packet::Meta {
                    conn: i,
                    from: ftpflow_synth::packet::Side::Orig,
                    seq: i,
                    ack: 0,
                    flags: ftpflow_synth::packet::flags::SYN,
                    payload_off: 0,
                    payload_len: 0,
                    stream_off: 0,
                    ip_off: frame::ETH_LEN as u16,
                    copy: false,
                },
            });
        }
        let trace = w.into_inner().unwrap();
        let mut cfg = Config::default();
        cfg.tcp.max_half_open = 16;
        let mut a = Analyzer::new(cfg);
        a.read_named("flood", Box::new(&trace[..]));
        let report = a.finish().unwrap();
        let b = &report.capture.bounds;
        assert!(b.half_open_evicted >= 200 - 16, "{b:?}");
        assert!(
            report
                .capture
                .warnings
                .iter()
                .any(|w| w.contains("--max-half-open")),
            "{:?}",
            report.capture.warnings
        );
    }

    #[test]
    fn libpcap_drops_become_a_warning() {
        let warned = |kernel, interface| {
            let mut a = Analyzer::new(Config::default());
            a.set_live_counters(LiveCounters {
                dropped_by_kernel: kernel,
                dropped_by_interface: interface,
                ..LiveCounters::default()
            });
            let report = a.finish().unwrap();
            assert!(report.capture.live.is_some());
            report
                .capture
                .warnings
                .into_iter()
                .find(|w| w.contains("libpcap dropped"))
        };
        assert_eq!(warned(0, 0), None);
        let w = warned(7, 2).expect("a warning");
        assert!(
            w.contains("dropped 9 packets") && w.contains("kernel buffer full: 7"),
            "{w}"
        );
    }
}
