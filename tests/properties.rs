//! Property tests: random FTP captures from `ftpflow-synth`, with and without network and
//! capture impairments, analysed in-process and compared with their ground truth.
//!
//! Tiers (see `tests/common` for the comparison rules and docs/impairments.md for what
//! ftpflow reports under each impairment):
//! * clean captures: the report equals the truth;
//! * impairments that lose nothing (TSO-sized segments, retransmissions including
//!   overlapping copies with different bytes, duplicates, reordering, timestamps going
//!   backwards): the report still equals the truth;
//! * impairments that lose data-connection packets, cut frames to a snaplen, or end the
//!   capture early: the control conversation is exact and every transfer's bytes are what
//!   the capture holds (`bytes` = truth - missed, `missed_bytes` = truth's missed);
//! * any impairment, control packets included: nothing is invented — every command
//!   ftpflow reports was sent, in order; no transfer carries more bytes than were sent.
//!
//! Failing cases are shrunk by proptest and kept in `tests/properties.proptest-regressions`;
//! `cargo run -p ftpflow-synth -- random --seed N [--impair]` writes a case to a file.

mod common;

use ftpflow::analyze::{Analyzer, Config};
use ftpflow_synth::impair::{self, Cut, Impairment, Scope};
use ftpflow_synth::pcap::{PcapOptions, PcapWriter};
use ftpflow_synth::scenario::{self, Options};
use ftpflow_synth::sink::{PacketSink, Trace};
use ftpflow_synth::truth::Truth;
use proptest::prelude::*;
use serde_json::Value;

/// Writes a trace as a pcap in memory and analyses it.
fn analyze(trace: &Trace) -> (Value, Vec<u8>) {
    let opts = PcapOptions {
        nanos: true,
        ..PcapOptions::default()
    };
    let mut w = PcapWriter::new(Vec::new(), opts).expect("pcap header");
    for p in trace.iter() {
        w.push(p.clone());
    }
    let bytes = w.into_inner().expect("pcap bytes");
    let mut a = Analyzer::new(Config::default().with_ftp_ports(&[21]).show_passwords());
    a.read_named("property", Box::new(std::io::Cursor::new(&bytes)));
    (
        serde_json::to_value(a.finish().expect("no live output")).expect("report serializes"),
        bytes,
    )
}

/// Like [`check`] with the weak property that holds under any impairment.
fn check_weak(tag: &str, trace: &Trace, truth: &Truth) -> Result<(), String> {
    let (got, bytes) = analyze(trace);
    let truth_json = serde_json::to_value(truth).unwrap();
    let c = common::check_no_invention(&got, &truth_json);
    if c.errors.is_empty() {
        return Ok(());
    }
    if let Some(dir) = std::env::var_os("FTPFLOW_PROPERTY_DUMP") {
        let path = std::path::Path::new(&dir).join(format!("{tag}.pcap"));
        std::fs::write(path, &bytes).expect("write the dump");
        let path = std::path::Path::new(&dir).join(format!("{tag}.truth.json"));
        std::fs::write(path, serde_json::to_vec_pretty(&truth_json).unwrap())
            .expect("write the truth");
    }
    Err(report(&c, truth))
}

/// Compares and, on a mismatch, keeps the capture for the CLI when
/// `FTPFLOW_PROPERTY_DUMP=DIR` is set (`DIR/<test>.pcap` and its `.truth.json`).
fn check(tag: &str, trace: &Trace, truth: &Truth) -> Result<(), String> {
    let (got, bytes) = analyze(trace);
    let truth_json = serde_json::to_value(truth).unwrap();
    let c = common::check_truth(&got, &truth_json);
    if c.errors.is_empty() {
        return Ok(());
    }
    if let Some(dir) = std::env::var_os("FTPFLOW_PROPERTY_DUMP") {
        let path = std::path::Path::new(&dir).join(format!("{tag}.pcap"));
        std::fs::write(path, &bytes).expect("write the dump");
        let path = std::path::Path::new(&dir).join(format!("{tag}.truth.json"));
        std::fs::write(path, serde_json::to_vec_pretty(&truth_json).unwrap())
            .expect("write the truth");
    }
    Err(report(&c, truth))
}

fn report(c: &common::Checker, truth: &Truth) -> String {
    format!(
        "{} mismatches over {} facts (impairments: {:?}):\n{}",
        c.errors.len(),
        c.facts,
        truth.impairments,
        c.errors.join("\n")
    )
}

fn options(sessions: usize) -> Options {
    Options {
        sessions,
        ..Options::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn clean_captures_equal_the_truth(seed in any::<u64>(), sessions in 1usize..5) {
        let (trace, truth) = scenario::capture(seed, &options(sessions));
        let r = check("clean", &trace, &truth);
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn lossless_impairments_change_nothing(seed in any::<u64>(), imp_seed in any::<u64>(), sessions in 1usize..4) {
        let (mut trace, mut truth) = scenario::capture(seed, &options(sessions));
        let imps = lossless(imp_seed);
        impair::apply_all(&mut trace, &mut truth, &imps, imp_seed);
        let r = check("lossless", &trace, &truth);
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn data_loss_and_early_end_are_reported_as_missed(seed in any::<u64>(), imp_seed in any::<u64>(), sessions in 1usize..4) {
        let (mut trace, mut truth) = scenario::capture(seed, &options(sessions));
        impair::apply_all(&mut trace, &mut truth, &control_intact(imp_seed), imp_seed);
        let r = check("data_loss", &trace, &truth);
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn any_impairment_invents_nothing(seed in any::<u64>(), imp_seed in any::<u64>(), sessions in 1usize..4) {
        let (mut trace, mut truth) = scenario::capture(seed, &options(sessions));
        let mut rng = ftpflow_synth::rng::Rng::new(imp_seed);
        let imps = impair::random(&mut rng);
        impair::apply_all(&mut trace, &mut truth, &imps, imp_seed);
        let r = check_weak("any", &trace, &truth);
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

/// Impairments that lose data-connection packets only, or end the capture early: the
/// control conversation the capture holds stays exact.
fn control_intact(seed: u64) -> Vec<Impairment> {
    let mut rng = ftpflow_synth::rng::Rng::new(seed ^ 0x5eed);
    let mut v = lossless(seed);
    v.push(Impairment::Loss {
        percent: rng.range(1, 20) as u8,
        scope: Scope::Data,
    });
    if rng.chance(1, 3) {
        v.push(Impairment::CaptureUntil(Cut::Percent(
            rng.range(30, 100) as u8
        )));
    }
    v
}

/// A random combination of the impairments that lose no information.
fn lossless(seed: u64) -> Vec<Impairment> {
    let mut rng = ftpflow_synth::rng::Rng::new(seed);
    let mut v = Vec::new();
    if rng.chance(1, 2) {
        v.push(Impairment::Tso {
            max_payload: rng.range(4_000, 64_000) as u32,
        });
    }
    if rng.chance(1, 2) {
        v.push(Impairment::Retransmit {
            percent: rng.range(1, 20) as u8,
            overlap: rng.chance(1, 2),
            alter: rng.chance(1, 2),
        });
    }
    if rng.chance(1, 2) {
        v.push(Impairment::Duplicate {
            percent: rng.range(1, 15) as u8,
        });
    }
    if rng.chance(1, 2) {
        v.push(Impairment::Reorder {
            window: rng.range(2, 8) as usize,
            percent: rng.range(1, 25) as u8,
        });
    }
    if rng.chance(1, 2) {
        v.push(Impairment::Jitter {
            percent: rng.range(1, 20) as u8,
            max_back_ns: 200_000,
        });
    }
    v
}
