//! The generated samples (`samples/*.truth.json` written by `ftpflow-synth samples`)
//! analysed by ftpflow and compared with their ground truth (see `tests/common`).

mod common;

use std::path::Path;

#[test]
fn generated_samples_match_their_ground_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut checked = 0;
    let mut facts = 0;
    let mut errors = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for truth_path in entries {
        let name = truth_path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".truth.json") || name.starts_with("real-") {
            continue;
        }
        let stem = name.trim_end_matches(".truth.json");
        let capture = ["pcap", "pcapng", "pcap.gz"]
            .iter()
            .map(|ext| dir.join(format!("{stem}.{ext}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("capture for {name}"));
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&truth_path).unwrap()).unwrap();
        let got = common::analyze_json(&capture);
        let c = common::check_truth(&got, &truth);
        facts += c.facts;
        errors.extend(c.errors.into_iter().map(|e| format!("{stem}: {e}")));
        checked += 1;
    }
    assert!(checked >= 8, "the generated samples are committed");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    eprintln!("{checked} samples, {facts} facts");
}
