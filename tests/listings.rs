//! Directory listings read entry by entry (`listing` on listing transfers), checked on the
//! samples against what their generator and recordings sent, and on the public captures
//! (`../shared/corpus-public`, skipped when absent) for lines left unread.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn analyze(pcap: &Path, extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json"])
        .args(extra)
        .arg(pcap)
        .output()
        .expect("run ftpflow");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        pcap.display()
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn captures(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        let n = p.to_string_lossy();
        n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".pcap.gz")
    });
    v.sort();
    v
}

/// Every listing transfer of a report, with its session id.
fn listings(report: &Value) -> Vec<(u64, &Value)> {
    let mut out = Vec::new();
    for s in report["sessions"].as_array().unwrap() {
        for t in s["transfers"].as_array().unwrap() {
            if t["direction"] == "listing" {
                out.push((s["id"].as_u64().unwrap(), t));
            }
        }
    }
    out
}

/// Seed 001's listing, as the generator wrote it (the article's `ls`).
#[test]
fn seed001_entries_are_the_generated_listing() {
    let r = analyze(&root().join("samples/seed001-active-ls-pwd-quit.pcap"), &[]);
    let ls = listings(&r);
    assert_eq!(ls.len(), 1);
    let l = &ls[0].1["listing"];
    assert_eq!(l["format"], "unix");
    assert_eq!(
        (l["unparsed"].as_u64(), l["truncated"].as_bool()),
        (Some(0), Some(false))
    );
    let got: Vec<(&str, &str, u64, &str)> = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["year_unknown"], true);
            (
                e["name"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
                e["size"].as_u64().unwrap(),
                e["modified"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Desktop", "dir", 4096, "Nov 05 16:20"),
            ("notes.tar", "file", 10240, "Nov 05 17:02"),
            ("todo.txt", "file", 361, "Nov 06 09:55"),
        ]
    );
}

/// Every sample's listings: read whole (no line left unread), cut exactly when the listing
/// is longer than what is kept by default (512 bytes), and whole with `--full-listing`;
/// failed listings that carried nothing have none.
#[test]
fn samples_listings_are_read_whole_and_cut_where_the_preview_ends() {
    let mut seen = 0;
    for pcap in captures(&root().join("samples")) {
        let plain = analyze(&pcap, &[]);
        let full = analyze(&pcap, &["--full-listing"]);
        for ((id, t), (_, tf)) in listings(&plain).into_iter().zip(listings(&full)) {
            let ctx = format!("{} session {id} transfer {}", pcap.display(), t["id"]);
            let bytes = t["bytes"].as_u64().unwrap_or(0);
            let l = &t["listing"];
            if t["encrypted"] == true || (bytes == 0 && t["status"] != "complete") {
                assert!(l.is_null(), "{ctx}: no listing expected");
                continue;
            }
            seen += 1;
            assert_eq!(l["unparsed"], 0, "{ctx}");
            let missed = t["missed_bytes"].as_u64().unwrap_or(0) > 0;
            assert_eq!(l["truncated"], bytes > 512 || missed, "{ctx}: truncated");
            let lf = &tf["listing"];
            assert_eq!(lf["truncated"], missed, "{ctx}: --full-listing");
            let (n, nf) = (
                l["entries"].as_array().unwrap().len(),
                lf["entries"].as_array().unwrap().len(),
            );
            assert!(
                n <= nf && (bytes == 0 || nf > 0),
                "{ctx}: {n} / {nf} entries"
            );
            let format = match t["command"].as_str().unwrap() {
                "NLST" => "nlst",
                "MLSD" => "mlsd",
                _ => "unix",
            };
            assert_eq!(lf["format"], format, "{ctx}");
        }
    }
    assert!(seen >= 20, "only {seen} listings in the samples");
}

/// The recordings: a file the client downloaded (its size on disk checked by the recording
/// script) is listed with that size, wherever a LIST or MLSD of the capture names it.
#[test]
fn recorded_listings_give_the_sizes_of_the_files_on_disk() {
    let mut compared = 0;
    for pcap in captures(&root().join("samples")) {
        let name = pcap.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name
            .strip_suffix(".pcap")
            .filter(|n| n.starts_with("real-"))
        else {
            continue;
        };
        let truth: Value = serde_json::from_str(
            &std::fs::read_to_string(pcap.with_file_name(format!("{stem}.truth.json"))).unwrap(),
        )
        .unwrap();
        let mut sizes: HashMap<String, u64> = HashMap::new();
        for t in truth["transfers"].as_array().unwrap() {
            if let (Some(arg), Some(size)) = (t["arg"].as_str(), t["file"]["size"].as_u64())
                && t["direction"] == "download"
            {
                sizes.insert(arg.rsplit('/').next().unwrap().to_string(), size);
            }
        }
        let r = analyze(&pcap, &["--full-listing"]);
        for (id, t) in listings(&r) {
            let Some(entries) = t["listing"]["entries"].as_array() else {
                continue;
            };
            for e in entries {
                if let (Some(n), Some(size)) = (e["name"].as_str(), e["size"].as_u64())
                    && let Some(&want) = sizes.get(n)
                {
                    assert_eq!(size, want, "{name} session {id}: {n}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 5, "only {compared} listed files compared");
}

/// The public captures' listings (vsftpd, IIS, an FTP server on 443 with MLSD, a mirror's
/// symlinks, pyftpdlib): every line read, in the layout the server uses.
#[test]
fn public_captures_listings_are_read_without_unparsed_lines() {
    let dir = root().join("../shared/corpus-public");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let want = [
        ("docker-vsftpd-epsv", "unix"),
        ("hawk-pasv-port-reuse", "dos"),
        ("iis-passive-cgnat", "dos"),
        ("ndpi-ncftp-vsftpd", "unix"),
        ("ppa3-ftp-on-443", "mlsd"),
        ("sv-pyftpdlib-all-data-ipv6", "unix"),
        ("ustc-mirror-browse", "unix"),
    ];
    let mut checked = 0;
    for pcap in captures(&dir) {
        let r = analyze(&pcap, &["--full-listing"]);
        let stem = pcap.file_stem().unwrap().to_string_lossy().into_owned();
        for (id, t) in listings(&r) {
            let l = &t["listing"];
            if l.is_null() {
                continue;
            }
            let ctx = format!("{stem} session {id} transfer {}", t["id"]);
            assert_eq!(l["unparsed"], 0, "{ctx}");
            // An empty LIST (an empty directory) has no layout to tell.
            if t["command"] == "LIST"
                && t["bytes"] != 0
                && let Some((_, f)) = want.iter().find(|(n, _)| *n == stem)
            {
                assert_eq!(l["format"], *f, "{ctx}");
                checked += 1;
            }
            for e in l["entries"].as_array().unwrap() {
                if e["type"] == "link" {
                    assert!(e["link_target"].is_string(), "{ctx}: {e}");
                }
            }
        }
    }
    assert!(checked >= want.len(), "only {checked} listings checked");
}

fn timeline(pcap: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--color", "never"])
        .args(extra)
        .arg(pcap)
        .output()
        .expect("run ftpflow");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// `-v` shows a listing as an aligned table of its entries; the plain timeline keeps the
/// lines as sent; `--lang zh` translates the header and the types.
#[test]
fn verbose_timeline_shows_the_entries_as_a_table() {
    let pcap = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    let rows = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.trim_start().strip_prefix("│ "))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    assert_eq!(
        rows(&timeline(&pcap, &["-v"])),
        [
            "type    size  modified      name",
            "dir    4,096  Nov 05 16:20  Desktop",
            "file  10,240  Nov 05 17:02  notes.tar",
            "file     361  Nov 06 09:55  todo.txt",
        ]
    );
    let plain = rows(&timeline(&pcap, &[]));
    assert_eq!(plain.len(), 3);
    assert!(plain[0].starts_with("drwxr-xr-x"), "{plain:?}");
    let zh = rows(&timeline(&pcap, &["-v", "--lang", "zh"]));
    assert_eq!(zh[0], "类型    大小  修改时间      名称");
    assert!(zh[1].starts_with("目录   4,096"), "{zh:?}");

    // A cut listing keeps the timeline's bound and says how much more there was.
    let pcap = root().join("samples/seed003-vsftpd-stat-pasv-port.pcapng");
    let v = timeline(&pcap, &["-v"]);
    assert!(
        v.contains("│ link") || v.contains("│ file"),
        "no table rows"
    );
    assert!(v.contains("more; --full-listing shows all"));
}
