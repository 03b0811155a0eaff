//! The pictures (`--format html`, `svg`, `mermaid`) without a browser: what can be checked
//! from the text itself. `tests/html_browser.rs` loads the pages in Chromium.
//!
//! * The committed pictures of `samples/pictures/` are what the current build draws
//!   (`scripts/pictures.sh` redraws them), and samples/README.md's Mermaid block is the
//!   committed one.
//! * Every session of every sample drawn as SVG is well-formed XML (parsed by roxmltree)
//!   with one arrow per numbered step of the timeline, in its order and with its frame.
//! * The HTML report of every sample holds each session once, with one arrow per step.
//! * A capture of many sessions gets the lazy page: no diagram laid out until chosen.
//! * The one-session formats refuse what they cannot draw, with a usage message.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ftpflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(args)
        .output()
        .expect("run ftpflow")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn samples() -> Vec<PathBuf> {
    let v = common::captures::samples();
    assert!(v.len() >= 20, "samples/ has {} captures", v.len());
    v
}

/// The timeline's numbered steps per session: (step, frame) in order.
fn timeline_steps(capture: &Path, extra: &[&str]) -> BTreeMap<u32, Vec<(u32, u64)>> {
    let mut args = vec!["analyze", "-q"];
    args.extend_from_slice(extra);
    let path = capture.to_str().unwrap();
    args.push(path);
    let out = ftpflow(&args);
    assert!(out.status.code().unwrap_or(9) <= 1, "{}", capture.display());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut sessions = BTreeMap::new();
    let mut current: Option<u32> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("━━ Session ") {
            let id = rest.split_whitespace().next().unwrap().parse().unwrap();
            current = Some(id);
            sessions.insert(id, Vec::new());
            continue;
        }
        if line.trim_start().starts_with("Summary of session") {
            current = None;
            continue;
        }
        let Some(id) = current else { continue };
        // " step  time  frame  connection ..."
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with(' ')
            && words.len() > 3
            && let (Ok(n), Ok(_), Ok(frame)) = (
                words[0].parse::<u32>(),
                words[1].parse::<f64>(),
                words[2].parse::<u64>(),
            )
        {
            sessions.get_mut(&id).unwrap().push((n, frame));
        }
    }
    sessions
}

/// `(data-step, data-frame)` of every arrow of an SVG document, in document order,
/// after checking that it is well-formed XML whose root is an SVG element.
fn svg_arrows(svg: &str, what: &str) -> Vec<(u32, u64)> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what}: not XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{what}");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg"),
        "{what}"
    );
    root.descendants()
        .filter(|n| {
            n.tag_name().name() == "g"
                && n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == "step"))
        })
        .map(|n| {
            (
                n.attribute("data-step").unwrap().parse().unwrap(),
                n.attribute("data-frame").unwrap().parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_session_drawn_as_svg_is_xml_with_one_arrow_per_timeline_step() {
    let mut drawn = 0;
    for capture in samples() {
        let steps = timeline_steps(&capture, &[]);
        assert!(!steps.is_empty(), "{}", capture.display());
        for (id, expected) in &steps {
            let n = id.to_string();
            let out = ftpflow(&[
                "analyze",
                "-q",
                "-F",
                "svg",
                "--session",
                &n,
                capture.to_str().unwrap(),
            ]);
            let what = format!("{} session {id}", capture.display());
            assert!(out.status.code().unwrap_or(9) <= 1, "{what}");
            let arrows = svg_arrows(&String::from_utf8(out.stdout).unwrap(), &what);
            assert_eq!(&arrows, expected, "{what}: arrows against the timeline");
            drawn += 1;
        }
    }
    assert!(drawn >= 40, "only {drawn} sessions drawn");
}

#[test]
fn verbose_pictures_draw_the_acks_too() {
    let capture = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    let steps = timeline_steps(&capture, &["-v"]);
    let out = ftpflow(&[
        "analyze",
        "-q",
        "-v",
        "-F",
        "svg",
        capture.to_str().unwrap(),
    ]);
    let arrows = svg_arrows(&String::from_utf8(out.stdout).unwrap(), "seed001 -v");
    assert_eq!(arrows, steps[&1]);
    // The article's 32 steps are the 29 of the plain timeline plus its ACK-only steps.
    assert!(arrows.len() > timeline_steps(&capture, &[])[&1].len());
}

/// The picture list: (file, sample, session, flags).
fn picture_list() -> Vec<(String, String, String, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("samples/pictures/pictures.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 3, "pictures.tsv: {l:?}");
            let flags = f
                .get(3)
                .map(|s| s.split_whitespace().map(String::from).collect())
                .unwrap_or_default();
            (f[0].to_string(), f[1].to_string(), f[2].to_string(), flags)
        })
        .collect()
}

#[test]
fn committed_pictures_are_what_the_build_draws() {
    let list = picture_list();
    let dir = root().join("samples/pictures");
    let mut stale = Vec::new();
    for (file, sample, session, flags) in &list {
        let format = if file.ends_with(".svg") {
            "svg"
        } else {
            "mermaid"
        };
        let sample = root().join("samples").join(sample);
        let mut args = vec!["analyze", "-q", "-F", format, "--session", session];
        args.extend(flags.iter().map(String::as_str));
        args.push(sample.to_str().unwrap());
        let out = ftpflow(&args);
        assert_eq!(out.status.code(), Some(0), "{file}");
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        if committed != out.stdout {
            stale.push(file.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "pictures differ from what this build draws: {stale:?}; run scripts/pictures.sh and read `git diff samples/pictures`"
    );
    // Every picture in the folder is listed (none left behind by a rename).
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "pictures.tsv" {
            assert!(
                list.iter().any(|(f, ..)| *f == name),
                "{name} is not in pictures.tsv"
            );
        }
    }
}

#[test]
fn readme_pictures_exist_and_the_mermaid_block_is_current() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("samples/pictures/seed001-session1.svg"));
    let samples_readme = std::fs::read_to_string(root().join("samples/README.md")).unwrap();
    let list = picture_list();
    for (file, ..) in list.iter().filter(|(f, ..)| f.ends_with(".svg")) {
        assert!(
            samples_readme.contains(&format!("pictures/{file}")),
            "samples/README.md does not show {file}"
        );
    }
    // The Mermaid block samples/README.md shows is the committed seed 001 diagram.
    let block = samples_readme
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("samples/README.md has a mermaid block");
    let committed =
        std::fs::read_to_string(root().join("samples/pictures/seed001-session1.mmd")).unwrap();
    assert_eq!(
        block, committed,
        "run scripts/pictures.sh, then paste the .mmd"
    );
}

/// `(session, arrows)` of each `<section class="session">` of a report written inline.
fn html_sections(html: &str) -> Vec<(u32, usize)> {
    html.split("<section class=\"session\"")
        .skip(1)
        .map(|part| {
            let id = part
                .split("data-session=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let body = part.split("</section>").next().unwrap();
            (id, body.matches("<g class=\"step ").count())
        })
        .collect()
}

#[test]
fn every_sample_report_holds_each_session_once_with_its_steps() {
    for capture in samples() {
        let steps = timeline_steps(&capture, &[]);
        let out = ftpflow(&["analyze", "-q", "-F", "html", capture.to_str().unwrap()]);
        let html = String::from_utf8(out.stdout).unwrap();
        let what = capture.display();
        assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
        assert!(html.trim_end().ends_with("</html>"), "{what}");
        assert!(html.contains("<body data-mode=\"inline\">"), "{what}");
        // Self-contained: nothing is fetched.
        for fetch in ["src=\"http", "href=\"http", "@import", "url(http"] {
            assert!(!html.contains(fetch), "{what}: {fetch}");
        }
        let mut sections = html_sections(&html);
        sections.sort();
        let expected: Vec<(u32, usize)> = steps.iter().map(|(id, s)| (*id, s.len())).collect();
        assert_eq!(sections, expected, "{what}");
    }
}

/// A capture of `n` short sessions (login, PASV, LIST, QUIT) from different clients.
fn many_sessions(n: u16) -> Vec<u8> {
    use ftpflow_synth::ftp::{Cmd, FtpConfig, FtpSession, Reply, Who, Xfer};
    use ftpflow_synth::packet::Payload;
    use ftpflow_synth::tcp::CloseStyle;
    common::captures::synth_pcap(3, |net| {
        for i in 0..n {
            let client = format!("10.1.{}.{}:{}", i / 200, 1 + i % 200, 40000 + i);
            let mut s = FtpSession::connect(
                net,
                FtpConfig::new(client.parse().unwrap(), "10.0.0.1:21".parse().unwrap()),
            );
            s.reply(Reply::new(220, "ready"));
            s.exchange(Cmd::new("USER", Some("u")), Reply::new(331, "password"));
            s.exchange(Cmd::new("PASS", Some("p")), Reply::new(230, "ok"));
            let chan = s.pasv(50000 + i);
            s.transfer(
                Some(&chan),
                Xfer::new(Cmd::new("LIST", None), Payload::pattern(100, 1)),
            );
            s.exchange(Cmd::new("QUIT", None), Reply::new(221, "bye"));
            s.close(CloseStyle::FourWay, Who::Server);
        }
    })
}

#[test]
fn many_sessions_make_a_lazy_page_that_holds_every_session_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("many.pcap");
    std::fs::write(&capture, many_sessions(60)).unwrap();
    let report = dir.path().join("many.html");
    let out = ftpflow(&[
        "analyze",
        "-q",
        "-F",
        "html",
        "-o",
        report.to_str().unwrap(),
        capture.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<body data-mode=\"lazy\">"));
    // No diagram in the page itself: each session is deflated text until it is chosen.
    assert_eq!(html.matches("<svg").count(), 0);
    let chunks: Vec<&str> = html
        .split(
            "<script type=\"application/x-ftpflow-deflate\" class=\"lazy-session\" data-session=\"",
        )
        .skip(1)
        .collect();
    assert_eq!(chunks.len(), 60);
    let mut packed_bytes = 0;
    let mut plain_bytes = 0;
    for chunk in chunks {
        let b64 = chunk
            .split_once("\">")
            .unwrap()
            .1
            .split("</script>")
            .next()
            .unwrap();
        let text = inflate(b64);
        packed_bytes += b64.len();
        plain_bytes += text.len();
        let (section, steps) = text.split_once('\0').expect("section NUL steps");
        assert!(section.starts_with("<section class=\"session\""));
        assert!(section.ends_with("</section>"));
        let steps: serde_json::Value = serde_json::from_str(steps).unwrap();
        let arrows = section.matches("<g class=\"step ").count();
        // Each step's JSON record is there for its arrow (and each finding's for its callout).
        let callouts = section.matches("<g class=\"callout ").count();
        assert_eq!(arrows + callouts, steps.as_array().unwrap().len());
        assert!(arrows >= 20, "{arrows} arrows");
    }
    assert!(
        packed_bytes * 3 < plain_bytes,
        "deflate and base64 should shrink the sessions: {packed_bytes} of {plain_bytes}"
    );
    let index = html
        .split("id=\"ftpflow-index\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .unwrap();
    let index: serde_json::Value = serde_json::from_str(index).unwrap();
    assert_eq!(index["sessions"].as_array().unwrap().len(), 60);
}

/// One session of `n` NOOP exchanges.
fn noops(n: usize) -> Vec<u8> {
    use ftpflow_synth::ftp::{Cmd, FtpConfig, FtpSession, Reply, Who};
    use ftpflow_synth::tcp::CloseStyle;
    common::captures::synth_pcap(5, |net| {
        let mut s = FtpSession::connect(
            net,
            FtpConfig::new(
                "10.2.0.2:40000".parse().unwrap(),
                "10.2.0.1:21".parse().unwrap(),
            ),
        );
        s.reply(Reply::new(220, "ready"));
        for _ in 0..n {
            s.exchange(Cmd::new("NOOP", None), Reply::new(200, "ok"));
        }
        s.close(CloseStyle::FourWay, Who::Client);
    })
}

#[test]
fn a_diagram_draws_at_most_2000_steps_and_says_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("noops.pcap");
    std::fs::write(&capture, noops(1100)).unwrap();
    let steps = timeline_steps(&capture, &[]);
    let all = steps[&1].len();
    assert!(all > 2200, "{all} steps");
    let out = ftpflow(&["analyze", "-q", "-F", "svg", capture.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let svg = String::from_utf8(out.stdout).unwrap();
    let arrows = svg_arrows(&svg, "noops");
    // The first 2,000 steps, as the timeline numbers them, then the count of the rest.
    assert_eq!(arrows[..], steps[&1][..2000]);
    let more = format!("{} more steps not drawn", all - 2000);
    assert!(svg.contains(&more), "no {more:?}");
    let out = ftpflow(&["analyze", "-q", "-F", "mermaid", capture.to_str().unwrap()]);
    assert!(String::from_utf8(out.stdout).unwrap().contains(&more));
}

#[test]
fn one_session_formats_say_which_sessions_there_are() {
    let capture = root().join("samples/seed002-servu-passive-active-upload.pcapng");
    let capture = capture.to_str().unwrap();
    for format in ["svg", "mermaid"] {
        let out = ftpflow(&["analyze", "-q", "-F", format, capture]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("this capture has 3") && err.contains("sessions 1, 2, 3"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "{format}: half a picture");
        let out = ftpflow(&["analyze", "-q", "-F", format, "--session", "9", capture]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no FTP session to draw"));
        let out = ftpflow(&["analyze", "-q", "-F", format, "--session", "1,2", capture]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("give one --session N"));
    }
    let out = ftpflow(&[
        "analyze",
        "-q",
        "-F",
        "html",
        "--separate",
        capture,
        capture,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("writes one document"));
}

#[test]
fn mermaid_text_keeps_to_the_sequence_diagram_grammar() {
    // The statements ftpflow writes, checked line by line (tests/html_browser.rs renders
    // them with the real Mermaid).
    for capture in samples() {
        let out = ftpflow(&[
            "analyze",
            "-q",
            "-F",
            "mermaid",
            "--session",
            "1",
            capture.to_str().unwrap(),
        ]);
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines().skip_while(|l| l.starts_with("%%"));
        assert_eq!(lines.next(), Some("sequenceDiagram"));
        let mut depth = 0;
        for line in lines {
            let l = line.trim_start();
            let ok = l.starts_with("participant C as client ")
                || l.starts_with("participant S as server ")
                || l.starts_with("Note over C,S: ")
                || l.starts_with("Note right of S: ")
                || ["C->>S: ", "S->>C: ", "S-->>C: ", "C-xS: ", "S-xC: "]
                    .iter()
                    .any(|a| l.starts_with(a))
                || l.starts_with("rect rgba(")
                || l == "end";
            assert!(ok, "{}: {line:?}", capture.display());
            if l.starts_with("rect ") {
                depth += 1;
            } else if l == "end" {
                depth -= 1;
            }
            assert!((0..=1).contains(&depth), "{}: {line:?}", capture.display());
            // The message text holds no statement separator or comment start.
            let message = l.split_once(": ").map_or("", |m| m.1);
            assert!(!without_entities(message).contains(';'), "{line:?}");
            assert!(!message.contains("%%"), "{line:?}");
        }
        assert_eq!(depth, 0, "{}", capture.display());
    }
}

/// `text` without Mermaid's entity codes (`#59;`, `#lt;`).
fn without_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';') {
            Some(j) if j > 0 && after[..j].chars().all(|c| c.is_ascii_alphanumeric()) => {
                rest = &after[j + 1..];
            }
            _ => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// base64, then raw deflate: a lazy session's text.
fn inflate(b64: &str) -> String {
    use base64::Engine as _;
    use std::io::Read as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("raw deflate of UTF-8");
    text
}
