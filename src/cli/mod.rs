//! Command line: clap arguments -> validated configuration -> run -> exit code.
//!
//! Exit codes (DESIGN.md): 0 the input was read completely (no FTP is not an error: a note
//! goes to stderr); 1 results were printed but an input was damaged (truncated, corrupt,
//! unreadable among others that were fine); 2 nothing could be analysed (not a capture,
//! unsupported link type, unreadable file, bad arguments). A closed output pipe is success.

use crate::analyze::Config;
use crate::model::Report;
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use exit::{CliError, Exit};

mod analyze;
pub mod exit;
pub mod explain;
pub mod install;
#[cfg(feature = "live")]
mod live;
mod output;
mod progress;
mod signals;
mod write_session;

use std::io::{self, IsTerminal};
use std::path::PathBuf;

/// `--version`: the version and the cargo features built in, so that a user can tell
/// whether `live` will work before trying it.
#[cfg(feature = "live")]
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (features: live)");
/// `--version`: the version and the cargo features built in.
#[cfg(not(feature = "live"))]
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (features: none; live capture not built in: cargo install --features live)"
);

/// The command line: one subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "ftpflow",
    version = VERSION,
    about = "Explains every FTP session in a packet capture: handshakes, commands and replies, \
             active and passive data connections linked to their transfers, and the closes."
)]
pub struct Cli {
    /// What to do: analyse files or watch an interface.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse capture files (pcap or pcapng, gzip or not; "-" reads stdin).
    Analyze(AnalyzeArgs),
    /// Watch FTP on a network interface as it happens (built with the `live` feature).
    Live(LiveArgs),
    /// What a reply code (425), a class (4xx) or a command (PASV) means; alone, list all.
    Explain(explain::ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish...) to stdout.
    Completions(install::CompletionsArgs),
    /// Print the man page (roff) to stdout, or write every page with --out DIR.
    Man(install::ManArgs),
}

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour, even into a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

/// Options about the output, shared by `analyze` and `live`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the output to FILE instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show passwords (PASS arguments) instead of masking them.
    #[arg(long)]
    pub show_passwords: bool,
    /// Colour the timeline and tables (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Also show every data segment and the control connection's pure ACKs.
    #[arg(short, long)]
    pub verbose: bool,
    /// Show every line of each directory listing in the timeline (listings up to 1 MiB
    /// are kept), not only the first lines.
    #[arg(long)]
    pub full_listing: bool,
    /// Add statistics (reply codes, verbs, transfers, users, passive ports, busiest
    /// hosts, failed logins) after the timeline or tables, or as a last JSON Lines record.
    #[arg(long)]
    pub stats: bool,
    /// Also print the firewall advice's rules as commands of this syntax (the advice
    /// itself is always in the output).
    #[arg(long, value_enum, value_name = "SYNTAX")]
    pub advice: Option<crate::advice::Syntax>,
    /// Language of the timeline, tables and notes (JSON keys never change).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: crate::lang::Lang,
    /// How the timeline shows times, with tshark's -t letters (JSON keeps its RFC 3339
    /// timestamps).
    #[arg(
        short = 't',
        long = "time-format",
        value_enum,
        value_name = "FORMAT",
        default_value = "r"
    )]
    pub time_format: crate::report::TimeFormat,
    /// Also write Zeek's ftp.log, conn.log and files.log into DIR (created if missing;
    /// with --separate, one folder per capture inside it).
    #[arg(long, value_name = "DIR")]
    pub zeek_logs: Option<PathBuf>,
    /// Write the --zeek-logs as Zeek's JSON logs (one object per line) instead of TSV.
    #[arg(long, requires = "zeek_logs")]
    pub zeek_json: bool,
    /// Write each transferred file (RETR, STOR, APPE, STOU) into DIR (created if
    /// missing) under a safe name, with DIR/manifest.jsonl (hashes, type, missing bytes);
    /// transfers get `content` in JSON.
    #[arg(long, value_name = "DIR")]
    pub extract: Option<PathBuf>,
    /// With --extract: write directory listings (LIST, NLST, MLSD) too.
    #[arg(long, requires = "extract")]
    pub extract_listings: bool,
}

/// Which sessions to keep (`--session`, `--host`, `--user`), shared by `analyze` and
/// `live`. Each option may be repeated (or given a comma-separated list): a session is kept
/// when it matches one value of every option given.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Keep only session N (its number in the output; repeatable, or N,M,...).
    #[arg(long = "session", value_name = "N", value_delimiter = ',')]
    pub sessions: Vec<u32>,
    /// Keep only sessions where IP (or a CIDR block such as 10.0.0.0/8) is the client,
    /// the server or a data connection's endpoint (repeatable).
    #[arg(long = "host", value_name = "IP", value_delimiter = ',')]
    pub hosts: Vec<String>,
    /// Keep only sessions that logged in (or tried to) as NAME (repeatable).
    #[arg(long = "user", value_name = "NAME")]
    pub users: Vec<String>,
}

/// `--zeek-logs`/`--zeek-json` as sink options.
pub(crate) fn zeek_options(output: &OutputArgs) -> Option<crate::report::zeek::ZeekOptions> {
    output
        .zeek_logs
        .as_ref()
        .map(|dir| crate::report::zeek::ZeekOptions {
            dir: dir.clone(),
            json: output.zeek_json,
        })
}

/// Wraps `sink` with the Zeek logs when asked; a folder that cannot be made or written
/// is an error of the run (exit 2).
pub(crate) fn with_zeek(
    sink: Box<dyn crate::model::events::Sink>,
    zeek: Option<&crate::report::zeek::ZeekOptions>,
) -> Result<Box<dyn crate::model::events::Sink>, CliError> {
    match zeek {
        None => Ok(sink),
        Some(z) => crate::report::zeek::ZeekSink::create(sink, z)
            .map(|s| Box::new(s) as Box<dyn crate::model::events::Sink>)
            .map_err(|error| CliError::OutputFile {
                path: format!("--zeek-logs {}", z.dir.display()),
                error,
            }),
    }
}

/// Which ports are FTP, and the bounds on memory and time, shared by `analyze` and `live`.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Treat connections to PORT as FTP control connections (repeatable; default 21 and
    /// 990, implicit FTPS). FTP on other ports is also found by its content unless
    /// --no-detect.
    #[arg(long = "ftp-port", value_name = "PORT")]
    pub ftp_ports: Vec<u16>,
    /// Do not look for FTP on other ports by the connections' first bytes: only the
    /// --ftp-port ports are FTP.
    #[arg(long)]
    pub no_detect: bool,
    /// Longest command or reply line kept, in bytes (longer lines are cut and reported).
    #[arg(long, value_name = "BYTES", default_value_t = 8192)]
    pub max_line: usize,
    /// Commands stored per session; later ones (and their replies) are counted, not stored.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_commands: usize,
    /// Findings stored per session; later ones are counted, not stored.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,
    /// Bytes of commands, replies and findings stored by the open sessions together,
    /// beyond each session's first 32 commands and 8 findings (later ones are counted,
    /// not stored).
    #[arg(long, value_name = "BYTES", default_value_t = 24 << 20)]
    pub max_stored_bytes: usize,
    /// Connections tracked at once (the least recently active is evicted beyond it). The
    /// default, 131,072, bounds the table of open connections to well under 1 GiB.
    #[arg(long, value_name = "N", default_value_t = 1 << 17)]
    pub max_connections: usize,
    /// Connections tracked at once whose SYN is not answered yet (the oldest is finished
    /// beyond it, so a SYN flood or a scan costs bounded memory).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_half_open: usize,
    /// Out-of-order bytes held per control-connection direction.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub reassembly_limit: usize,
    /// Out-of-order bytes held across all connections.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub reassembly_total: usize,
    /// Announced data endpoints (PORT, PASV...) waiting for their connection at once.
    #[arg(long, value_name = "N", default_value_t = 1 << 20)]
    pub max_expectations: usize,
    /// A connection silent this long (capture time) is finished and reported.
    #[arg(long, value_name = "SECONDS", default_value_t = 7200.0)]
    pub idle_timeout: f64,
    /// Failed logins from one client to one server (across its sessions) within
    /// --brute-force-window that count as password guessing; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub brute_force_logins: usize,
    /// The time window of --brute-force-logins, in seconds (capture time).
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub brute_force_window: f64,
}

/// The arguments of `ftpflow analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Capture files, read in order as one capture (see --separate); "-" is stdin.
    #[arg(value_name = "CAPTURE", required_unless_present = "read")]
    pub captures: Vec<String>,
    /// A capture file to read, as tcpdump's and tshark's -r (repeatable; read before the
    /// CAPTURE arguments; "-" is stdin).
    #[arg(short = 'r', long = "read", value_name = "FILE")]
    pub read: Vec<String>,
    /// Stop after COUNT packets read (as tcpdump -c); the summary says so.
    #[arg(short = 'c', long = "count", value_name = "COUNT")]
    pub count: Option<u64>,
    /// Also write the packets of session N (its control connection and every data
    /// connection of it) to FILE, a pcap (a second pass over the inputs: not from stdin).
    #[arg(long = "write-session", num_args = 2, value_names = ["N", "FILE"])]
    pub write_session: Vec<String>,
    /// Analyse each file as a capture of its own, with a report of its own (JSON: an
    /// array of documents), in the order given.
    #[arg(long)]
    pub separate: bool,
    /// With --separate: files analysed at once (default: the number of cores). The output
    /// is the same as with --jobs 1.
    #[arg(short = 'j', long, value_name = "N", requires = "separate")]
    pub jobs: Option<usize>,
    /// Output format (-f is accepted too, as before).
    #[arg(
        short = 'F',
        short_alias = 'f',
        long,
        value_enum,
        default_value = "timeline"
    )]
    pub format: Format,
    /// Read each capture file on the analysing thread instead of a second thread that
    /// reads ahead.
    #[arg(long)]
    pub no_read_ahead: bool,
    /// No progress bar on stderr (shown, when stderr is a terminal, for inputs that take
    /// over a second: bytes read of the total, packets, FTP sessions).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Progress as plain lines on stderr, terminal or not (tests, logs).
    #[arg(long, hide = true, conflicts_with = "quiet")]
    pub progress: bool,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Which sessions to keep.
    #[command(flatten)]
    pub keep: FilterArgs,
    /// FTP ports and limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The arguments of `ftpflow live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Interface to capture on (e.g. eth0, lo, any).
    #[arg(
        short = 'i',
        long,
        value_name = "IFACE",
        required_unless_present = "list_interfaces"
    )]
    pub interface: Option<String>,
    /// Capture filter (BPF, as for tcpdump; default "tcp"). -f is accepted too, as before,
    /// except that `-f json` (a format's name) means -F json.
    #[arg(short = 'f', long = "filter", value_name = "BPF")]
    pub filter: Option<String>,
    /// The capture filter as tcpdump's trailing expression: `ftpflow live -i lo tcp port 21`.
    #[arg(value_name = "EXPRESSION", trailing_var_arg = true)]
    pub expression: Vec<String>,
    /// Also write every captured packet to FILE (pcap), for `ftpflow analyze` later.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Stop after COUNT packets.
    #[arg(short = 'c', long, value_name = "COUNT")]
    pub count: Option<u64>,
    /// Stop after SECONDS.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Bytes captured per packet.
    #[arg(long, value_name = "BYTES", default_value_t = 262_144)]
    pub snaplen: i32,
    /// Put the interface in promiscuous mode.
    #[arg(long)]
    pub promisc: bool,
    /// Kernel capture buffer, in MiB (raise it if libpcap reports drops).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub buffer: i32,
    /// List the interfaces libpcap can capture on, and exit.
    #[arg(long)]
    pub list_interfaces: bool,
    /// Output format (timeline and jsonl print each step as it happens).
    #[arg(short = 'F', long, value_enum, default_value = "timeline")]
    pub format: Format,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Which sessions to keep.
    #[command(flatten)]
    pub keep: FilterArgs,
    /// FTP ports and limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs the command line and returns the process exit code: errors are printed and
/// mapped to codes in one place, [`exit::finish`].
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Live(args) => live_command(args),
        Command::Explain(args) => explain::run(args),
        Command::Completions(args) => install::completions(args),
        Command::Man(args) => install::man(args),
    };
    exit::finish(result)
}

#[cfg(feature = "live")]
fn live_command(args: LiveArgs) -> Result<Exit, CliError> {
    live::run(args)
}

#[cfg(not(feature = "live"))]
fn live_command(_args: LiveArgs) -> Result<Exit, CliError> {
    Err(CliError::NoLiveSupport)
}

/// Bytes of each data direction kept for the timeline with `--full-listing`.
const FULL_LISTING_BYTES: usize = 1 << 20;

/// Builds the analysis configuration from the arguments.
pub fn config(limits: &LimitArgs, output: &OutputArgs) -> Result<Config, CliError> {
    let usage = |m: &str| Err(CliError::Usage(m.into()));
    if limits.ftp_ports.contains(&0) {
        return usage("--ftp-port 0 is not a TCP port");
    }
    if limits.max_line < 16 {
        return usage("--max-line must be at least 16 bytes");
    }
    if !(limits.brute_force_window.is_finite() && limits.brute_force_window > 0.0) {
        return usage("--brute-force-window must be a positive number of seconds");
    }
    let mut cfg = Config::default().with_ftp_ports(&limits.ftp_ports);
    cfg.tracker.detect = !limits.no_detect;
    cfg.tracker.brute_force.logins = limits.brute_force_logins;
    cfg.tracker.brute_force.window_ns = (limits.brute_force_window.min(1e9) * 1e9) as i64;
    cfg.tracker.session.max_line = limits.max_line;
    cfg.tracker.session.show_passwords = output.show_passwords;
    cfg.tracker.session.max_commands = limits.max_commands;
    cfg.tracker.session.max_findings = limits.max_findings;
    cfg.tracker.session.max_stored_bytes = limits.max_stored_bytes;
    cfg.tcp.max_connections = limits.max_connections.max(16);
    cfg.tcp.max_half_open = limits.max_half_open.max(16);
    cfg.tcp.max_held_bytes_per_stream = limits.reassembly_limit;
    cfg.tcp.max_held_bytes_total = limits.reassembly_total;
    cfg.tracker.max_expectations = limits.max_expectations.max(1);
    if limits.idle_timeout.is_nan() || limits.idle_timeout <= 0.0 {
        return usage("--idle-timeout must be a positive number of seconds");
    }
    cfg.tcp.idle_timeout = (limits.idle_timeout * 1e9).min(i64::MAX as f64) as i64;
    if output.verbose {
        cfg.tcp.max_segment_notes = 100_000;
    }
    if output.full_listing {
        cfg.tcp.preview_bytes = FULL_LISTING_BYTES;
    }
    if let Some(dir) = &output.extract {
        // Made now, so a directory that cannot be is a bad argument, before any reading.
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage(&format!("--extract {}: {e}", dir.display()));
        }
        cfg.tracker.content = Some(crate::content::ContentConfig {
            extract_dir: Some(dir.clone()),
            listings: output.extract_listings,
        });
    } else if output.zeek_logs.is_some() {
        // files.log's hashes and MIME type: the content is hashed, not written.
        cfg.tracker.content = Some(crate::content::ContentConfig {
            extract_dir: None,
            listings: false,
        });
    }
    Ok(cfg)
}

/// `live`'s capture filter and format from `-f`/`--filter`, the trailing expression and
/// `-F`: the BPF expression (default `tcp`) and the format, with a note when `-f` named a
/// format (`live -i lo -f json`: an old habit of `analyze -f json`), which is then taken
/// as `-F`.
pub fn live_filter(args: &LiveArgs) -> (String, Format, Option<String>) {
    if let Some(f) = &args.filter {
        if let Ok(format) = Format::from_str(f, true) {
            let note = format!(
                "ftpflow: note: -f {f} taken as the output format (-F {f}); the capture filter is --filter BPF or tcpdump's trailing expression"
            );
            let bpf = if args.expression.is_empty() {
                "tcp".to_string()
            } else {
                args.expression.join(" ")
            };
            return (bpf, format, Some(note));
        }
        return (f.clone(), args.format, None);
    }
    let bpf = if args.expression.is_empty() {
        "tcp".to_string()
    } else {
        args.expression.join(" ")
    };
    (bpf, args.format, None)
}

/// Checks what the drawing formats need: `svg` and `mermaid` draw one session (one
/// `--session` at most), a page or a picture is one document (no `--separate`), and an
/// HTML or SVG document is not for a terminal.
pub fn check_drawing(
    format: Format,
    keep: &FilterArgs,
    separate: bool,
    to_file: bool,
) -> Result<(), CliError> {
    let name = format!("{format:?}").to_lowercase();
    if format.draws_one_session() && keep.sessions.len() > 1 {
        return Err(CliError::Usage(format!(
            "--format {name} draws one session: give one --session N (--format html draws them all)"
        )));
    }
    if separate && (format.draws_one_session() || format == Format::Html) {
        return Err(CliError::Usage(format!(
            "--format {name} writes one document: analyse the captures together, or run once per capture"
        )));
    }
    if format.is_picture() && !to_file && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(CliError::Usage(format!(
            "--format {name} writes a document, not text for a terminal: add -o FILE (for example -o report.{name})"
        )));
    }
    Ok(())
}

/// The session filter of `--session`, `--host`, `--user`.
pub fn criteria(args: &FilterArgs) -> Result<crate::report::filter::Criteria, CliError> {
    use crate::report::filter::{Criteria, HostMatch};
    let hosts = args
        .hosts
        .iter()
        .map(|h| HostMatch::parse(h).map(|m| (m, h.clone())))
        .collect::<Result<Vec<_>, String>>()
        .map_err(CliError::Usage)?;
    if args.sessions.contains(&0) {
        return Err(CliError::Usage(
            "--session 0: sessions are numbered from 1".into(),
        ));
    }
    Ok(Criteria {
        sessions: args.sessions.clone(),
        hosts,
        users: args.users.clone(),
    })
}

/// Colours on or off, from --color, NO_COLOR and whether stdout is a terminal.
pub fn use_color(output: &OutputArgs) -> bool {
    match output.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.output.is_none()
                && std::env::var_os("NO_COLOR").is_none()
                && io::stdout().is_terminal()
        }
    }
}

/// The one-line note for a capture without FTP.
pub fn no_ftp_note(report: &Report, ports: &[u16]) -> String {
    let list = if ports.is_empty() {
        "21, 990".to_string()
    } else {
        ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "ftpflow: note: no FTP session found ({} packets, {} TCP connections; FTP control port{} {list}, and any port whose first bytes are FTP's unless --no-detect; use --ftp-port for others)",
        report.capture.packets,
        report.capture.tcp_connections,
        if ports.len() != 1 { "s" } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(args: &[&str]) -> LiveArgs {
        let all = ["ftpflow", "live"].iter().chain(args).copied();
        match Cli::try_parse_from(all).expect("parses").command {
            Command::Live(l) => l,
            _ => unreachable!(),
        }
    }

    /// `live` takes tcpdump's trailing expression, --filter, -F; `-f json` (a format's
    /// name, the old habit of `analyze -f json`) is the format, other `-f` values BPF.
    #[test]
    fn live_filter_and_format_as_tcpdump_users_type_them() {
        let (bpf, format, note) = live_filter(&live(&["-i", "lo", "tcp", "port", "21"]));
        assert_eq!(
            (bpf.as_str(), format, note),
            ("tcp port 21", Format::Timeline, None)
        );
        let (bpf, format, note) = live_filter(&live(&["-i", "lo", "-F", "jsonl"]));
        assert_eq!((bpf.as_str(), format, note), ("tcp", Format::Jsonl, None));
        let (bpf, format, note) = live_filter(&live(&["-i", "lo", "-f", "json"]));
        assert_eq!((bpf.as_str(), format), ("tcp", Format::Json));
        assert!(note.unwrap().contains("-F json"));
        let (bpf, format, _) = live_filter(&live(&["-i", "lo", "-f", "json", "port", "2121"]));
        assert_eq!((bpf.as_str(), format), ("port 2121", Format::Json));
        let (bpf, ..) = live_filter(&live(&["-i", "lo", "--filter", "tcp port 21"]));
        assert_eq!(bpf, "tcp port 21");
        let (bpf, ..) = live_filter(&live(&["-i", "lo", "-f", "tcp port 21", "-c", "5"]));
        assert_eq!(bpf, "tcp port 21");
        let l = live(&[
            "-i", "lo", "-c", "5", "--host", "10.0.0.1", "-t", "ad", "host", "x",
        ]);
        assert_eq!((l.count, l.expression.len()), (Some(5), 2));
        assert_eq!(l.keep.hosts, ["10.0.0.1"]);
    }

    #[test]
    fn analyze_takes_dash_r_and_both_format_letters() {
        let parse = |args: &[&str]| {
            let all = ["ftpflow", "analyze"].iter().chain(args).copied();
            match Cli::try_parse_from(all).map(|c| c.command) {
                Ok(Command::Analyze(a)) => Ok(a),
                Ok(_) => unreachable!(),
                Err(e) => Err(e),
            }
        };
        let a = parse(&["-r", "x.pcap", "-F", "json"]).unwrap();
        assert_eq!(
            (a.read, a.format),
            (vec!["x.pcap".to_string()], Format::Json)
        );
        let a = parse(&[
            "-f",
            "table",
            "y.pcap",
            "--session",
            "1,3",
            "--session",
            "4",
        ])
        .unwrap();
        assert_eq!(
            (a.captures, a.format),
            (vec!["y.pcap".to_string()], Format::Table)
        );
        assert_eq!(a.keep.sessions, [1, 3, 4]);
        assert!(parse(&["-F", "json"]).is_err(), "a capture is needed");
        assert!(parse(&["--write-session", "1", "out.pcap", "in.pcap"]).is_ok());
    }
}
