//! `ftpflow-synth`: writes generated captures.
//!
//! - `samples --out DIR`: every committed sample (capture + `.truth.json`).
//! - `random --seed N --out DIR [--sessions K] [--impair]`: the random scenario a property
//!   test draws from seed N (to replay a failing case by hand), as `random-N.pcap` plus
//!   `random-N.truth.json`.
//! - `bench --out FILE --bytes N [--sessions K] [--seed S]`: a realistic capture of at least
//!   N bytes for benchmarks (see `bench::mixed`), plus `FILE.summary.json` and, for up to
//!   5,000 sessions, `FILE.truth.json`.
//! - `concurrent --out FILE [--sessions K] [--seed S]`: K sessions all open at once (see
//!   `bench::concurrent`), plus `FILE.summary.json`.
//! - `synflood --out FILE [--flows N] [--seed S]`: N SYNs to port 21 that nobody answers
//!   (`bench::synflood`), for the memory benchmark.
//! - `hostile KIND --out FILE [--count N] [--sessions N] [--bytes N]`: a capture aimed at
//!   one bound (`pasv`, `noop`, `long-line`, `hole`, `open`; see `bench::hostile`).
//! - `capture-loss --seed N --out DIR [--transfers K] [--control-loss P] [--data-loss P]`:
//!   one long session whose capture lost packets both ways (`scenario::capture_loss`), as
//!   `capture-loss-N.pcap` plus `capture-loss-N.truth.json`.
//! - `ftp-anywhere --seed N --out DIR`: FTP on 21, 2121, 443 and 8021 next to SMTP and HTTP
//!   (`scenario::ftp_anywhere`), as `ftp-anywhere-N.pcap` plus its truth.
//! - `odd-peers --seed N --out DIR`: peers that break the rules and a capture starting
//!   mid-session (`scenario::odd_peers`), as `odd-peers-N.pcap` plus its truth.

mod bench;

use clap::{Parser, Subcommand};
use ftpflow_synth::capfile::{self, Format};
use ftpflow_synth::rng::Rng;
use ftpflow_synth::{impair, scenario};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ftpflow-synth",
    version,
    about = "Deterministic FTP capture generator with ground truth"
)]
struct Args {
    #[command(subcommand)]
    cmd: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write every article sample and its truth file into a directory.
    Samples {
        #[arg(long, default_value = "samples")]
        out: PathBuf,
    },
    /// Write the random scenario of one seed (what the property tests generate).
    Random {
        #[arg(long)]
        seed: u64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
        #[arg(long, default_value_t = 3)]
        sessions: usize,
        /// Also apply the random impairments drawn from the same seed.
        #[arg(long)]
        impair: bool,
    },
    /// Write a realistic benchmark capture of at least --bytes bytes (streams to disk).
    Bench {
        #[arg(long)]
        out: PathBuf,
        /// Smallest file size: 1000000, 100M, 1G, 4GiB, ...
        #[arg(long, value_parser = bench::parse_size)]
        bytes: u64,
        #[arg(long, default_value_t = 400)]
        sessions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a capture in which all sessions are open at the same time.
    Concurrent {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        sessions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a SYN flood: --flows SYNs to port 21 from as many sources, none answered.
    Synflood {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        flows: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a capture aimed at one bound of an analyser (see bench::hostile).
    Hostile {
        #[arg(value_enum)]
        kind: bench::hostile::Kind,
        #[arg(long)]
        out: PathBuf,
        /// Commands per session (pasv, noop).
        #[arg(long, default_value_t = 200_000)]
        count: u64,
        /// Sessions (noop, open).
        #[arg(long, default_value_t = 1)]
        sessions: u64,
        /// Bytes of the long line (long-line) or behind the hole (hole): 50M, 1G, ...
        #[arg(long, value_parser = bench::parse_size, default_value = "50M")]
        bytes: u64,
    },
    /// Write one long FTP session whose capture lost packets of both directions.
    CaptureLoss {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Rounds of data-channel setup and transfer.
        #[arg(long, default_value_t = 400)]
        transfers: usize,
        /// Percent of the control connection's packets missing from the capture.
        #[arg(long, default_value_t = 3)]
        control_loss: u8,
        /// Percent of the data connections' packets missing from the capture.
        #[arg(long, default_value_t = 1)]
        data_loss: u8,
    },
    /// Write FTP sessions on ports 21, 2121, 443 and 8021 next to SMTP and HTTP.
    FtpAnywhere {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Write sessions whose peers break the rules, and one the capture joins mid-session.
    OddPeers {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// Sessions up to which `bench` writes the full truth next to the capture.
const BENCH_TRUTH_MAX_SESSIONS: usize = 5_000;

fn create_parent(out: &Path) -> std::io::Result<()> {
    match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => std::fs::create_dir_all(d),
        _ => Ok(()),
    }
}

fn bench(out: &Path, opts: &bench::mixed::Options) -> std::io::Result<Vec<PathBuf>> {
    create_parent(out)?;
    let (summary, truth) = bench::mixed::generate(out, opts)?;
    let mut files = vec![out.to_path_buf()];
    let truth_file = bench::side_file(out, ".truth.json");
    if truth.sessions.len() <= BENCH_TRUTH_MAX_SESSIONS {
        std::fs::write(&truth_file, truth.to_json())?;
        files.push(truth_file);
    } else if truth_file.exists() {
        // A stale truth of another capture must not sit next to this one.
        std::fs::remove_file(&truth_file)?;
    }
    let summary_file = bench::side_file(out, ".summary.json");
    std::fs::write(&summary_file, summary.to_json())?;
    files.push(summary_file);
    eprintln!(
        "ftpflow-synth: {} bytes, {} packets, {} sessions, {} transfers ({} payload bytes), {} reordered, {} retransmitted",
        summary.file_bytes,
        summary.packets,
        summary.ftp_sessions,
        summary.transfers.total,
        summary.transfers.bytes,
        summary.reordered_segments,
        summary.retransmitted_segments
    );
    Ok(files)
}

fn concurrent(out: &Path, opts: &bench::concurrent::Options) -> std::io::Result<Vec<PathBuf>> {
    create_parent(out)?;
    let summary = bench::concurrent::generate(out, opts)?;
    let summary_file = bench::side_file(out, ".summary.json");
    std::fs::write(&summary_file, summary.to_json())?;
    eprintln!(
        "ftpflow-synth: {} bytes, {} packets, {} sessions, {} connections open at once",
        summary.file_bytes, summary.packets, summary.ftp_sessions, summary.peak_open_connections
    );
    Ok(vec![out.to_path_buf(), summary_file])
}

fn random(
    seed: u64,
    out: &Path,
    sessions: usize,
    with_impairments: bool,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let opts = scenario::Options {
        sessions,
        ..scenario::Options::default()
    };
    let (mut trace, mut truth) = scenario::capture(seed, &opts);
    if with_impairments {
        let imps = impair::random(&mut Rng::new(seed ^ 0xabc));
        impair::apply_all(&mut trace, &mut truth, &imps, seed);
    }
    let pcap = out.join(format!("random-{seed}.pcap"));
    let mut w = capfile::create(&pcap, &Format::Pcap(Default::default()))?;
    for p in trace {
        w.push(p);
    }
    w.finish()?;
    let json = out.join(format!("random-{seed}.truth.json"));
    std::fs::write(&json, truth.to_json())?;
    Ok(vec![pcap, json])
}

fn main() -> ExitCode {
    let (result, out) = match Args::parse().cmd {
        Command::Samples { out } => (ftpflow_synth::samples::write_all(&out), out),
        Command::Random {
            seed,
            out,
            sessions,
            impair,
        } => (random(seed, &out, sessions, impair), out),
        Command::Bench {
            out,
            bytes,
            sessions,
            seed,
        } => {
            let opts = bench::mixed::Options {
                bytes,
                sessions,
                seed,
            };
            (bench(&out, &opts), out)
        }
        Command::Concurrent {
            out,
            sessions,
            seed,
        } => {
            let opts = bench::concurrent::Options { sessions, seed };
            (concurrent(&out, &opts), out)
        }
        Command::Synflood { out, flows, seed } => {
            let written =
                create_parent(&out).and_then(|_| bench::synflood::generate(&out, flows, seed));
            if let Ok(f) = &written {
                eprintln!(
                    "ftpflow-synth: {} bytes, {} packets, {} SYN-only flows",
                    f.file_bytes, f.packets, f.flows
                );
            }
            (written.map(|_| vec![out.clone()]), out)
        }
        Command::Hostile {
            kind,
            out,
            count,
            sessions,
            bytes,
        } => {
            let opts = bench::hostile::Options {
                kind,
                count,
                sessions,
                bytes,
            };
            let written = create_parent(&out).and_then(|_| bench::hostile::generate(&out, &opts));
            if let Ok(f) = &written {
                eprintln!(
                    "ftpflow-synth: {} bytes, {} packets ({kind:?})",
                    f.file_bytes, f.packets
                );
            }
            (written.map(|_| vec![out.clone()]), out)
        }
        Command::CaptureLoss {
            seed,
            out,
            transfers,
            control_loss,
            data_loss,
        } => {
            let opts = scenario::capture_loss::Options {
                transfers,
                control_loss,
                data_loss,
            };
            let (trace, truth) = scenario::capture_loss::generate(seed, &opts);
            let stem = format!("capture-loss-{seed}");
            (capfile::write_pair(&out, &stem, &trace, &truth), out)
        }
        Command::FtpAnywhere { seed, out } => {
            let (trace, truth) = scenario::ftp_anywhere::generate(seed);
            let stem = format!("ftp-anywhere-{seed}");
            (capfile::write_pair(&out, &stem, &trace, &truth), out)
        }
        Command::OddPeers { seed, out } => {
            let (trace, truth) = scenario::odd_peers::generate(seed);
            let stem = format!("odd-peers-{seed}");
            (capfile::write_pair(&out, &stem, &trace, &truth), out)
        }
    };
    match result {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ftpflow-synth: writing to {}: {e}", out.display());
            ExitCode::from(2)
        }
    }
}
