//! The capture files the tests read: `samples/`, or any folder (`../shared/corpus*`).

use std::path::{Path, PathBuf};

/// The captures (`.pcap`, `.pcapng`, `.pcap.gz`) in `dir`, sorted; none when the folder is
/// missing.
pub fn in_dir(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.expect("read the folder").path())
        .filter(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".pcap.gz")
        })
        .collect();
    v.sort();
    v
}

/// The project's own captures in `samples/`, sorted (at least one).
pub fn samples() -> Vec<PathBuf> {
    let v = in_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples"));
    assert!(!v.is_empty(), "no capture in samples/");
    v
}

/// A pcap file of what `script` makes happen on a network simulated by ftpflow-synth
/// (time starts at 2023-11-14T22:13:20Z; `seed` drives its choices).
pub fn synth_pcap(seed: u64, script: impl FnOnce(&mut ftpflow_synth::net::Net<'_>)) -> Vec<u8> {
    let mut trace = ftpflow_synth::sink::Trace::new();
    {
        let mut net = ftpflow_synth::net::Net::new(&mut trace, 1_700_000_000_000_000_000, seed);
        script(&mut net);
        net.finish();
    }
    pcap_of(trace)
}

/// The packets of `trace` as a pcap file.
pub fn pcap_of(trace: ftpflow_synth::sink::Trace) -> Vec<u8> {
    use ftpflow_synth::sink::PacketSink as _;
    let mut w = ftpflow_synth::pcap::PcapWriter::new(Vec::new(), Default::default())
        .expect("a pcap header into memory");
    for p in trace {
        w.push(p);
    }
    w.into_inner().expect("pcap into memory")
}
