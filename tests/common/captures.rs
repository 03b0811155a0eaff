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
