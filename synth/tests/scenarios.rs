//! The hand-built scenarios (`capture-loss`, `ftp-anywhere`, `odd-peers`): every packet
//! re-parsed independently, sequence and ACK bookkeeping replayed, and the files the CLI
//! writes identical from run to run.

mod common;

use ftpflow_synth::capfile;
use ftpflow_synth::scenario::{capture_loss, ftp_anywhere, odd_peers};

#[test]
fn clean_scenarios_pass_the_packet_checks() {
    let lossless = capture_loss::Options {
        control_loss: 0,
        data_loss: 0,
        ..capture_loss::Options::small()
    };
    for seed in 0..3 {
        let (trace, truth) = capture_loss::generate(seed, &lossless);
        common::verify(&trace, &truth);
        let (trace, truth) = ftp_anywhere::generate(seed);
        common::verify(&trace, &truth);
        let (trace, truth) = odd_peers::generate(seed);
        common::verify(&trace, &truth);
    }
}

#[test]
fn lossy_capture_frames_are_well_formed() {
    // The losses remove whole packets: what is left still parses, checksums included.
    let (trace, truth) = capture_loss::generate(2, &capture_loss::Options::small());
    assert_eq!(truth.packets as usize, trace.len());
    for p in &trace {
        common::parse(p);
    }
}

#[test]
fn written_files_are_deterministic() {
    let dir = std::env::temp_dir().join(format!("ftpflow-synth-scenarios-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut first = Vec::new();
    for round in 0..2 {
        let mut files = Vec::new();
        let (t, u) = capture_loss::generate(4, &capture_loss::Options::small());
        files.extend(capfile::write_pair(&dir, "capture-loss-4", &t, &u).unwrap());
        let (t, u) = ftp_anywhere::generate(4);
        files.extend(capfile::write_pair(&dir, "ftp-anywhere-4", &t, &u).unwrap());
        let (t, u) = odd_peers::generate(4);
        files.extend(capfile::write_pair(&dir, "odd-peers-4", &t, &u).unwrap());
        let bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
        if round == 0 {
            first = bytes;
        } else {
            assert_eq!(first, bytes);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
