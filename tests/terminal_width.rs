//! The timeline and tables fit the terminal: with `COLUMNS=80` no line of any sample's
//! timeline or table (English or Chinese, where a CJK character takes two columns) is wider
//! than 80 columns; with `COLUMNS=200` the lines use the room (wider than the fixed 120-column
//! text); and without a width (not a terminal, no COLUMNS) the output is the fixed layout
//! the goldens hold (tests/golden.rs).

use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_width::UnicodeWidthStr;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .expect("samples/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".pcap.gz")
        })
        .collect();
    v.sort();
    v
}

/// The output of `analyze` with `columns` as COLUMNS (`None`: unset).
fn analyze(sample: &Path, columns: Option<&str>, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftpflow"));
    cmd.current_dir(root())
        .arg("analyze")
        .args(["--color", "never"])
        .args(args)
        .arg(sample.strip_prefix(root()).unwrap());
    match columns {
        Some(c) => cmd.env("COLUMNS", c),
        None => cmd.env_remove("COLUMNS"),
    };
    let out = cmd.output().expect("run ftpflow");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}: {}",
        sample.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn widest(text: &str) -> (usize, String) {
    text.lines()
        .map(|l| (l.width(), l.to_string()))
        .max_by_key(|(w, _)| *w)
        .unwrap_or_default()
}

#[test]
fn every_line_fits_80_columns() {
    let mut over = Vec::new();
    for sample in samples() {
        for lang in ["en", "zh"] {
            for args in [
                &["-f", "timeline"][..],
                &["-f", "timeline", "-v", "--stats"],
                &["-f", "table"],
            ] {
                let args: Vec<&str> = args.iter().copied().chain(["--lang", lang]).collect();
                let text = analyze(&sample, Some("80"), &args);
                let (w, line) = widest(&text);
                if w > 80 {
                    over.push(format!(
                        "{} {args:?}: {w} columns: {line}",
                        sample.display()
                    ));
                }
            }
        }
    }
    assert!(over.is_empty(), "{}", over.join("\n"));
}

#[test]
fn a_narrow_timeline_names_the_hosts_by_role_and_keeps_every_step() {
    let seed = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    let narrow = analyze(&seed, Some("80"), &[]);
    let fixed = analyze(&seed, None, &[]);
    assert!(narrow.contains("handshake 1/3  SYN      client:51299 → server:21"));
    // The session's title still gives the addresses.
    assert!(narrow.contains("client 192.168.120.168:51299 → server 192.168.120.240:21"));
    let steps = |t: &str| {
        t.lines()
            .filter(|l| {
                let mut f = l.split_whitespace();
                f.next().is_some_and(|s| s.parse::<u32>().is_ok())
                    && f.next().is_some_and(|s| s.contains('.'))
            })
            .count()
    };
    assert_eq!(steps(&narrow), steps(&fixed));
    assert!(steps(&fixed) >= 25, "{}", steps(&fixed));
}

#[test]
fn wide_terminals_get_wide_lines() {
    let seed = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    let wide = analyze(&seed, Some("200"), &[]);
    let (w, line) = widest(&wide);
    assert!(w > 120 && w <= 200, "{w}: {line}");
    // A reason that wraps below its step in the fixed layout fits beside it.
    assert!(wide.lines().count() < analyze(&seed, None, &[]).lines().count());
}

#[test]
fn without_a_width_the_layout_is_fixed() {
    let seed = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    let fixed = analyze(&seed, None, &[]);
    let golden = std::fs::read_to_string(
        root().join("tests/golden/seed001-active-ls-pwd-quit.pcap.timeline.txt"),
    )
    .unwrap();
    assert_eq!(fixed, golden);
    // A COLUMNS that is not a number is ignored.
    assert_eq!(analyze(&seed, Some("wide"), &[]), golden);
    // JSON never changes with the width.
    assert_eq!(
        analyze(&seed, Some("80"), &["-f", "json"]),
        analyze(&seed, None, &["-f", "json"])
    );
}
