//! `ftpflow-synth`: writes generated captures.
//!
//! - `samples --out DIR`: every committed sample (capture + `.truth.json`).
//! - `random --seed N --out DIR [--sessions K] [--impair]`: the random scenario a property
//!   test draws from seed N (to replay a failing case by hand), as `random-N.pcap` plus
//!   `random-N.truth.json`.

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
