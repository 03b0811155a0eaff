//! `--lang zh`: golden timelines of seed 001 in Chinese, and a check that every annotation
//! of every sample has a Chinese template.
//!
//! What counts as an annotation: every text ftpflow writes itself — the words after the
//! step columns (handshake/close/transfer heads, the meaning after `—`, the `↳` lines), the
//! `i` / `!` / `✗` findings, the session summary, the capture's totals and warnings, the
//! table's headers and word cells. Not annotations (kept as sent): commands and their
//! arguments, reply text, addresses, file and user names, listing and multi-line reply
//! lines under `│`. ftpflow's hidden `--lang zh-check` marks each annotation without a
//! template `⟦like this⟧`; the check collects them.
//!
//! After new English strings are added: `cargo test --test lang_zh` lists the templates
//! to add to `src/lang/zh.rs`; `cargo test --test lang_zh -- --ignored` does the same for
//! the public captures in `../shared/corpus*` when they are there.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn captures(dir: &Path) -> Vec<PathBuf> {
    common::captures::in_dir(dir)
}

fn run(capture: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .current_dir(root())
        .arg("analyze")
        .args(["--color", "never"])
        .args(args)
        .arg(capture)
        .output()
        .expect("run ftpflow");
    let mut text = String::from_utf8(out.stdout).expect("UTF-8 output");
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// Every `⟦…⟧` in the output of each capture, in the timeline (plain with the statistics and
/// the advice's commands, and -v), table (with the statistics) and HTML page.
fn misses(files: &[PathBuf]) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        for args in [
            &["--lang", "zh-check", "--stats", "--advice", "nftables"][..],
            &["--lang", "zh-check", "-v"],
            &["--lang", "zh-check", "-f", "table", "--stats"],
            // The page: each diagram's own words, its steps' words, summaries, advice.
            &["--lang", "zh-check", "-F", "html"],
        ] {
            let text = run(f, args);
            let mut rest = text.as_str();
            while let Some(i) = rest.find('⟦') {
                let after = &rest[i + '⟦'.len_utf8()..];
                let end = after.find('⟧').unwrap_or(after.len());
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                let seen = found.entry(after[..end].to_string()).or_default();
                if !seen.contains(&name) {
                    seen.push(name);
                }
                rest = &after[end..];
            }
        }
    }
    found
}

fn report(found: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = format!(
        "{} English annotation text(s) have no Chinese template; add them to src/lang/zh.rs \
         (with {{}} holes for their variable parts):\n",
        found.len()
    );
    for (text, files) in found {
        s.push_str(&format!("  {text:?}   (in {})\n", files.join(", ")));
    }
    s
}

#[test]
fn every_annotation_of_every_sample_has_a_chinese_template() {
    let files = captures(&root().join("samples"));
    assert!(!files.is_empty());
    let found = misses(&files);
    assert!(found.is_empty(), "{}", report(&found));
}

#[test]
#[ignore = "the public captures are outside the repository; run with --ignored"]
fn every_annotation_of_the_public_captures_has_a_chinese_template() {
    let mut files = captures(&root().join("../shared/corpus"));
    files.extend(captures(&root().join("../shared/corpus-public")));
    let found = misses(&files);
    assert!(found.is_empty(), "{}", report(&found));
}

#[test]
fn seed001_timeline_in_english_and_chinese_matches_golden() {
    let seed = Path::new("samples/seed001-active-ls-pwd-quit.pcap");
    let mut failures = Vec::new();
    for (suffix, args) in [
        ("en", &["--lang", "en"][..]),
        ("zh", &["--lang", "zh"]),
        ("zh-v", &["--lang", "zh", "-v"]),
    ] {
        let got = run(seed, args);
        let golden = root().join(format!("tests/golden/lang/seed001.{suffix}.timeline.txt"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if want != got {
            failures.push(format!("{} differs:\n{got}", golden.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // English stays the default.
    assert_eq!(run(seed, &[]), run(seed, &["--lang", "en"]));
}

#[test]
fn chinese_lines_stay_within_the_timeline_width() {
    use unicode_width::UnicodeWidthStr;
    for f in captures(&root().join("samples")) {
        for line in run(&f, &["--lang", "zh"]).lines() {
            // Wrapped explanation lines: 27 columns of indent, 120 of text.
            if line.trim_start().starts_with('↳') {
                assert!(line.width() <= 27 + 120, "{}: {line}", f.display());
            }
        }
    }
}
