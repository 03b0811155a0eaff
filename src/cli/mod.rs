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
    #[arg(required = true, value_name = "CAPTURE")]
    pub captures: Vec<String>,
    /// Analyse each file as a capture of its own, with a report of its own (JSON: an
    /// array of documents), in the order given.
    #[arg(long)]
    pub separate: bool,
    /// With --separate: files analysed at once (default: the number of cores). The output
    /// is the same as with --jobs 1.
    #[arg(short = 'j', long, value_name = "N", requires = "separate")]
    pub jobs: Option<usize>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value = "timeline")]
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
    /// Capture filter (BPF, as for tcpdump).
    #[arg(
        short = 'f',
        long = "filter",
        value_name = "BPF",
        default_value = "tcp"
    )]
    pub filter: String,
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
    #[arg(long, value_enum, default_value = "timeline")]
    pub format: Format,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
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
    Ok(cfg)
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
