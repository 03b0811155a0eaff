//! Helpers shared by the unit tests of several modules (compiled for tests only).

use std::path::PathBuf;

/// Every capture file of the project (samples/ and ../shared/corpus/, gzip included),
/// sorted; at least the committed samples must be there.
pub fn project_captures() -> Vec<PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [root.join("samples"), root.join("../shared/corpus")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        paths.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    [".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz"]
                        .iter()
                        .any(|x| name.ends_with(x))
                }),
        );
    }
    paths.sort();
    assert!(paths.len() >= 10, "the samples are missing: {paths:?}");
    paths
}
