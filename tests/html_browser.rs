//! The graphical outputs checked with the real tools a reader would use (issue 17, point 4):
//!
//! - `--format html`: every sample's report (and seed001's with `-v`, and a 1,000-session
//!   capture from ftpflow-synth) is loaded in headless Chromium by
//!   `tests/browser/check_html.mjs` (playwright-core on the system's /usr/bin/chromium):
//!   no console error, no page error, no request but the file itself; the DOM contract
//!   (`<html data-ftpflow-report="1">`, the `#ftpflow-index` JSON, the session list with its
//!   filter and count, one `section.session` with one `svg.ladder` per session, one `g.step`
//!   per numbered timeline step, a click on step 1 shows its JSON record in `#details`); a
//!   screenshot of each lands in `target/browser-report/`. The 1,000-session report must be
//!   in lazy mode: sessions 1, 500 and 1,000 shown one at a time through
//!   `window.ftpflow.show(N)`, never more than one ladder in the DOM, a bounded element count.
//!   Speed is never asserted (benchmarks measure it).
//! - `--format mermaid --session N`: every session of every sample is rendered by the real
//!   Mermaid CLI (mmdc, on the same Chromium), and each SVG it writes must parse as XML and
//!   hold one message per numbered timeline step.
//! - `--format svg --session 1`: every sample's diagram parses with `xmllint` and its root
//!   is an `<svg>` in the SVG namespace.
//!
//! The expected number of steps per session comes from the timeline (`ftpflow analyze
//! CAPTURE` into a pipe: the fixed layout), so a diagram that drops or invents a step fails.
//!
//! Tools: Chromium, node with `tests/browser/node_modules` (`npm ci` there) and xmllint,
//! all installed by scripts/setup.sh. Without them each test is skipped with a message,
//! unless FTPFLOW_REQUIRE_TOOLS is set (scripts/test.sh sets it), when it fails.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MANY_SESSIONS: usize = 1000;
/// The 1,000-session report's element count stays below this (one session rendered at a
/// time, the list paginated).
const MAX_ELEMENTS: u64 = 20_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn browser_dir() -> PathBuf {
    root().join("tests/browser")
}

/// Where reports, screenshots and rendered diagrams are left for a person to look at.
fn out_dir(sub: &str) -> PathBuf {
    let d = root().join("target/browser-report").join(sub);
    fs::create_dir_all(&d).expect("create target/browser-report");
    d
}

fn chromium() -> PathBuf {
    std::env::var_os("FTPFLOW_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn skip(why: &str) {
    if std::env::var_os("FTPFLOW_REQUIRE_TOOLS").is_some() {
        panic!(
            "{why}; run scripts/setup.sh (installs chromium, libxml2-utils and tests/browser's node modules)"
        );
    }
    eprintln!("skipped: {why}");
}

/// Whether `program --version` runs.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The first missing tool of a browser test, if any.
fn missing_browser_tools(node_module: &str) -> Option<String> {
    if !chromium().is_file() {
        return Some(format!("{} not found", chromium().display()));
    }
    if !have("node") {
        return Some("node not found".into());
    }
    let m = browser_dir().join("node_modules").join(node_module);
    if !m.exists() {
        return Some(format!(
            "{} not found (npm ci in tests/browser)",
            m.display()
        ));
    }
    None
}

fn ftpflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ftpflow")
}

/// Runs ftpflow and returns its stdout; panics with its stderr when it fails.
fn ftpflow_ok(args: &[&str]) -> String {
    let out = ftpflow(args);
    assert!(
        out.status.success(),
        "ftpflow {}: {}\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Every capture in samples/, sorted.
fn samples() -> Vec<PathBuf> {
    common::captures::samples()
}

/// The sample's name without its capture extension.
fn stem(p: &Path) -> String {
    let n = p.file_name().unwrap().to_string_lossy();
    for ext in [".pcap.gz", ".pcapng", ".pcap"] {
        if let Some(s) = n.strip_suffix(ext) {
            return s.to_string();
        }
    }
    n.into_owned()
}

/// Sessions of a timeline and their number of numbered steps (the highest step number):
/// a session starts at its `━━ Session N ` header, its steps are the lines
/// `  step  time  frame ...` up to the next header or its `Summary of session` line.
fn timeline_steps(text: &str) -> BTreeMap<u64, u64> {
    let mut out = BTreeMap::new();
    let mut cur: Option<u64> = None;
    for line in text.lines() {
        if let Some(rest) = line.split("━━ Session ").nth(1) {
            let id: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if let (Ok(id), Some(' ')) = (id.parse::<u64>(), rest[id.len()..].chars().next()) {
                out.insert(id, 0);
                cur = Some(id);
                continue;
            }
        }
        if line.contains("Summary of session") {
            cur = None;
            continue;
        }
        let Some(id) = cur else { continue };
        if let Some(step) = step_number(line) {
            let e = out.get_mut(&id).unwrap();
            *e = (*e).max(step);
        }
    }
    out
}

/// The step number of a line matching `^\s+(\d+)\s+\S+\s+(\d+)\s`, if it is one.
fn step_number(line: &str) -> Option<u64> {
    fn ws(s: &str) -> Option<&str> {
        let t = s.trim_start();
        (t.len() < s.len()).then_some(t)
    }
    fn take(s: &str, digits: bool) -> Option<(&str, &str)> {
        let end = s
            .find(|c: char| c.is_whitespace() || (digits && !c.is_ascii_digit()))
            .unwrap_or(s.len());
        (end > 0).then(|| s.split_at(end))
    }
    let rest = ws(line)?;
    let (step, rest) = take(rest, true)?;
    let (_time, rest) = take(ws(rest)?, false)?;
    let (_frame, rest) = take(ws(rest)?, true)?;
    ws(rest)?;
    step.parse().ok()
}

#[test]
fn timeline_steps_parse() {
    let text = "\
━━ Session 1  client 10.0.0.1:1000 → server 10.0.0.2:21 ━━
 step        time   frame  connection
    1    0.000000       1  control   handshake 1/3  SYN      a → b
                           ↳ the client opens the control connection to port 21
    2    0.000150       2  control   S→C  220 hi
   10    9.242336      16  control   S→C  200 PORT command successful.

  Summary of session 1
    1 transfer
━━ Session 12  client 10.0.0.1:1001 → server 10.0.0.2:21 ━━
    1    0.000000       3  control   handshake 1/3  SYN      a → b
";
    let s = timeline_steps(text);
    assert_eq!(s, BTreeMap::from([(1, 10), (12, 1)]));
}

struct Entry {
    name: String,
    html: PathBuf,
    steps: BTreeMap<u64, u64>,
    probe: Vec<u64>,
}

/// Writes the timeline and the HTML report of `capture` (with `extra` options).
fn report(
    dir: &Path,
    name: &str,
    capture: &Path,
    extra: &[&str],
    probe: Option<Vec<u64>>,
) -> Entry {
    let cap = capture.to_str().unwrap();
    let mut args: Vec<&str> = vec!["analyze"];
    args.extend_from_slice(extra);
    args.push(cap);
    let steps = timeline_steps(&ftpflow_ok(&args));
    assert!(!steps.is_empty(), "{name}: no session in the timeline");
    let html = dir.join(format!("{name}.html"));
    let html_s = html.to_str().unwrap().to_string();
    let mut args: Vec<&str> = vec!["analyze", "-F", "html", "-o", &html_s];
    args.extend_from_slice(extra);
    args.push(cap);
    ftpflow_ok(&args);
    assert!(html.is_file(), "{name}: no {}", html.display());
    let probe = probe.unwrap_or_else(|| steps.keys().copied().collect());
    Entry {
        name: name.to_string(),
        html,
        steps,
        probe,
    }
}

/// Runs the workspace's capture generator: the binary beside ftpflow's (built by `cargo
/// test --workspace`), else built first with the cargo running this test.
fn synth(args: &[&str]) {
    let bin = Path::new(env!("CARGO_BIN_EXE_ftpflow")).with_file_name("ftpflow-synth");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "ftpflow-synth"])
            .current_dir(root());
        if bin.parent().and_then(Path::file_name) == Some("release".as_ref()) {
            cmd.arg("--release");
        }
        let st = cmd.status().expect("run cargo build -p ftpflow-synth");
        assert!(st.success(), "cargo build -p ftpflow-synth: {st}");
    }
    let out = Command::new(&bin)
        .args(args)
        .output()
        .expect("run ftpflow-synth");
    assert!(
        out.status.success(),
        "ftpflow-synth {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn html_reports_in_chromium() {
    if let Some(why) = missing_browser_tools("playwright-core/package.json") {
        return skip(&why);
    }
    let dir = out_dir("");
    let mut entries = Vec::new();
    for s in samples() {
        entries.push(report(&dir, &stem(&s), &s, &[], None));
    }
    let seed001 = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    entries.push(report(
        &dir,
        "seed001-active-ls-pwd-quit-v",
        &seed001,
        &["-v"],
        None,
    ));

    // 1,000 sessions one after another, from the benchmarks' generator (small transfers).
    let many = dir.join(format!("many-{MANY_SESSIONS}.pcap"));
    synth(&[
        "bench",
        "--out",
        many.to_str().unwrap(),
        "--bytes",
        &(MANY_SESSIONS * 2000).to_string(),
        "--sessions",
        &MANY_SESSIONS.to_string(),
        "--seed",
        "1",
    ]);
    let probe = vec![1, MANY_SESSIONS as u64 / 2, MANY_SESSIONS as u64];
    let many_entry = report(
        &dir,
        &format!("many-{MANY_SESSIONS}"),
        &many,
        &[],
        Some(probe),
    );
    assert_eq!(
        many_entry.steps.len(),
        MANY_SESSIONS,
        "sessions in the generated capture's timeline"
    );
    entries.push(many_entry);

    let manifest: Vec<Value> = entries
        .iter()
        .map(|e| {
            let sessions: serde_json::Map<String, Value> = e
                .steps
                .iter()
                .map(|(id, n)| (id.to_string(), Value::from(*n)))
                .collect();
            serde_json::json!({
                "html": e.html,
                "screenshot": dir.join(format!("{}.png", e.name)),
                "sessions": sessions,
                "probe": e.probe,
            })
        })
        .collect();
    let results = check_html(&dir, &manifest);

    let mut failures = Vec::new();
    for (e, r) in entries.iter().zip(&results) {
        let mut fail = |m: String| failures.push(format!("{}: {m}", e.name));
        for key in ["errors", "problems"] {
            for m in r[key].as_array().into_iter().flatten() {
                fail(m.as_str().unwrap_or_default().to_string());
            }
        }
        let mode = r["mode"].as_str().unwrap_or_default();
        let checked: Vec<u64> = if mode == "lazy" {
            e.probe.clone()
        } else {
            e.steps.keys().copied().collect()
        };
        for id in checked {
            let want = e.steps[&id];
            match r["arrows"][id.to_string()].as_u64() {
                Some(got) if got == want => {}
                Some(got) => fail(format!(
                    "session {id}: {got} arrows (g.step), the timeline has {want} steps"
                )),
                None => fail(format!("session {id}: no diagram checked")),
            }
        }
        if e.name.starts_with("many-") {
            if mode != "lazy" {
                fail(format!(
                    "a {MANY_SESSIONS}-session report is in mode {mode:?}, not lazy"
                ));
            }
            if r["ladders_max"].as_u64().unwrap_or(u64::MAX) > 1 {
                fail(format!(
                    "{} svg.ladder in the DOM at once (lazy mode keeps one)",
                    r["ladders_max"]
                ));
            }
            let elements = r["elements_max"].as_u64().unwrap_or(u64::MAX);
            if elements >= MAX_ELEMENTS {
                fail(format!(
                    "{elements} DOM elements (bounded: fewer than {MAX_ELEMENTS})"
                ));
            }
        }
        eprintln!(
            "{}: mode {mode}, {} elements after load ({} at most), {} sessions",
            e.name,
            r["elements"],
            r["elements_max"],
            e.steps.len()
        );
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in the HTML reports (details in {}):\n{}",
        failures.len(),
        dir.join("results.json").display(),
        failures.join("\n")
    );
}

/// Runs check_html.mjs on a manifest and returns its results, one per entry.
fn check_html(dir: &Path, manifest: &[Value]) -> Vec<Value> {
    let manifest_path = dir.join("manifest.json");
    fs::write(
        &manifest_path,
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
    let out = Command::new("node")
        .arg(browser_dir().join("check_html.mjs"))
        .arg(&manifest_path)
        .env("FTPFLOW_CHROMIUM", chromium())
        .stdin(Stdio::null())
        .output()
        .expect("run node");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "check_html.mjs: {}\n{stderr}",
        out.status
    );
    let results: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check_html.mjs printed no JSON ({e}):\n{}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    fs::write(
        dir.join("results.json"),
        serde_json::to_string_pretty(&results).unwrap(),
    )
    .unwrap();
    let results = results["results"]
        .as_array()
        .expect("results array")
        .clone();
    assert_eq!(results.len(), manifest.len(), "one result per report");
    results
}

/// The checker itself: a report broken on purpose (a step's arrow no longer a `g.step`, a
/// script error, a request to the network) must be reported, its intact copy not.
#[test]
fn html_checker_finds_a_broken_report() {
    if let Some(why) = missing_browser_tools("playwright-core/package.json") {
        return skip(&why);
    }
    let dir = out_dir("self-test");
    let seed001 = root().join("samples/seed001-active-ls-pwd-quit.pcap");
    let good = report(&dir, "intact", &seed001, &[], None);
    let html = fs::read_to_string(&good.html).unwrap();
    let broken_html = html
        .replacen(
            "<g class=\"step k-handshake\" data-step=\"2\"",
            "<g class=\"stepx k-handshake\" data-step=\"2\"",
            1,
        )
        .replacen(
            "<body data-mode=\"inline\">",
            "<body data-mode=\"inline\"><script>null.x;</script><img src=\"http://127.0.0.1:9/x.png\">",
            1,
        );
    let broken = dir.join("broken.html");
    fs::write(&broken, &broken_html).unwrap();
    assert!(
        broken_html.contains("stepx") && broken_html.contains("null.x"),
        "the report's markup changed: update this test"
    );
    let sessions: serde_json::Map<String, Value> = good
        .steps
        .iter()
        .map(|(id, n)| (id.to_string(), Value::from(*n)))
        .collect();
    let entry =
        |html: &Path| serde_json::json!({ "html": html, "sessions": sessions, "probe": [1] });
    let r = check_html(&dir, &[entry(&good.html), entry(&broken)]);
    assert_eq!(r[0]["errors"], serde_json::json!([]), "{:#}", r[0]);
    assert_eq!(r[0]["problems"], serde_json::json!([]), "{:#}", r[0]);
    let want = good.steps[&1];
    for (key, needle) in [
        ("errors", "page error".to_string()),
        ("errors", "request other than the report itself".to_string()),
        ("problems", "external resource".to_string()),
        (
            "problems",
            format!("{} g.step, the timeline has {want} steps", want - 1),
        ),
        ("problems", "no g.step for timeline steps 2".to_string()),
    ] {
        assert!(
            r[1][key].to_string().contains(&needle),
            "{key} lacks {needle:?}: {:#}",
            r[1]
        );
    }
}

/// Checks that `file` is well-formed XML whose root is `<svg>` in the SVG namespace; the
/// problem, if any.
fn svg_problem(file: &Path) -> Option<String> {
    let out = Command::new("xmllint")
        .args(["--noout"])
        .arg(file)
        .output()
        .expect("run xmllint");
    if !out.status.success() {
        return Some(format!(
            "not well-formed XML: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let q = |xpath: &str| {
        let o = Command::new("xmllint")
            .args(["--xpath", xpath])
            .arg(file)
            .output()
            .expect("run xmllint");
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    let name = q("local-name(/*)");
    let ns = q("namespace-uri(/*)");
    if name != "svg" || ns != "http://www.w3.org/2000/svg" {
        return Some(format!(
            "root element {name:?} in namespace {ns:?}, not svg in http://www.w3.org/2000/svg"
        ));
    }
    None
}

#[test]
fn svg_diagrams_are_xml() {
    if !have("xmllint") {
        return skip("xmllint not found (Debian package libxml2-utils)");
    }
    let dir = out_dir("svg");
    let mut failures = Vec::new();
    for s in samples() {
        let file = dir.join(format!("{}-1.svg", stem(&s)));
        let f = file.to_str().unwrap();
        let out = ftpflow(&[
            "analyze",
            "-F",
            "svg",
            "--session",
            "1",
            "-o",
            f,
            s.to_str().unwrap(),
        ]);
        if !out.status.success() {
            failures.push(format!(
                "{}: ftpflow -F svg --session 1: {}",
                stem(&s),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            continue;
        }
        let text = fs::read_to_string(&file).unwrap_or_default();
        let root_tag = text
            .find("<svg")
            .map(|i| &text[i..i + text[i..].find('>').unwrap_or(text.len() - i)]);
        if !root_tag.is_some_and(|t| t.contains(r#"xmlns="http://www.w3.org/2000/svg""#)) {
            failures.push(format!(
                "{}: the <svg> root does not declare xmlns=\"http://www.w3.org/2000/svg\"",
                stem(&s)
            ));
        }
        if let Some(p) = svg_problem(&file) {
            failures.push(format!("{}: {p}", stem(&s)));
        }
    }
    assert!(
        failures.is_empty(),
        "SVG diagrams:\n{}",
        failures.join("\n")
    );
}

/// Renders `input` (a .mmd, or a Markdown file of mermaid blocks) with the Mermaid CLI.
fn mmdc(input: &Path, output: &Path) -> Output {
    let bin = browser_dir().join("node_modules/.bin/mmdc");
    Command::new(bin)
        .arg("-i")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("-p")
        .arg(browser_dir().join("puppeteer-config.json"))
        .arg("-q")
        .env("PUPPETEER_EXECUTABLE_PATH", chromium())
        .stdin(Stdio::null())
        .output()
        .expect("run mmdc")
}

/// Whether a Mermaid CLI run printed an error.
fn mermaid_error(out: &Output) -> Option<String> {
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || err.to_lowercase().contains("error") {
        return Some(format!("mmdc {}: {}", out.status, err.trim()));
    }
    None
}

#[test]
fn mermaid_renders_with_mermaid_cli() {
    if let Some(why) = missing_browser_tools("@mermaid-js/mermaid-cli/package.json") {
        return skip(&why);
    }
    if !have("xmllint") {
        return skip("xmllint not found (Debian package libxml2-utils)");
    }
    let dir = out_dir("mermaid");
    // Every session of every sample, as one Markdown file: one browser for all diagrams.
    let mut diagrams: Vec<(String, PathBuf)> = Vec::new();
    let mut steps_of: BTreeMap<String, u64> = BTreeMap::new();
    let mut markdown = String::from("# ftpflow --format mermaid, every sample's sessions\n");
    let mut failures = Vec::new();
    for s in samples() {
        let cap = s.to_str().unwrap();
        let steps = timeline_steps(&ftpflow_ok(&["analyze", cap]));
        for id in steps.keys() {
            let name = format!("{}-{id}", stem(&s));
            let out = ftpflow(&[
                "analyze",
                "-F",
                "mermaid",
                "--session",
                &id.to_string(),
                cap,
            ]);
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            if !out.status.success() || text.trim().is_empty() {
                failures.push(format!(
                    "{name}: ftpflow -F mermaid --session {id}: {} {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
                continue;
            }
            let mmd = dir.join(format!("{name}.mmd"));
            fs::write(&mmd, &text).unwrap();
            markdown.push_str(&format!(
                "\n## {name}\n\n```mermaid\n{}\n```\n",
                text.trim_end()
            ));
            steps_of.insert(name.clone(), steps[id]);
            diagrams.push((name, mmd));
        }
    }
    let md = dir.join("all.md");
    fs::write(&md, &markdown).unwrap();
    let rendered = dir.join("rendered.md");
    for n in 1..=diagrams.len() {
        let _ = fs::remove_file(dir.join(format!("rendered-{n}.svg")));
    }
    let out = mmdc(&md, &rendered);
    let svgs: Vec<(String, PathBuf)> = if mermaid_error(&out).is_none() {
        diagrams
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), dir.join(format!("rendered-{}.svg", i + 1))))
            .collect()
    } else {
        // The batch failed: render each diagram alone to name the ones at fault.
        eprintln!("mermaid batch: {}", mermaid_error(&out).unwrap());
        let mut v = Vec::new();
        for (name, mmd) in &diagrams {
            let svg = dir.join(format!("{name}.svg"));
            let out = mmdc(mmd, &svg);
            match mermaid_error(&out) {
                Some(e) => failures.push(format!("{name}: {e}")),
                None => v.push((name.clone(), svg)),
            }
        }
        v
    };
    for (name, svg) in &svgs {
        if !svg.is_file() {
            failures.push(format!("{name}: mmdc wrote no {}", svg.display()));
            continue;
        }
        if let Some(p) = svg_problem(svg) {
            failures.push(format!("{name}: {p}"));
        }
        let text = fs::read_to_string(svg).unwrap_or_default();
        if text.contains("Syntax error in text") {
            failures.push(format!("{name}: Mermaid drew its syntax-error diagram"));
        }
        // One message (arrow and label) per numbered timeline step, as Mermaid drew them.
        let messages = text.matches(r#"class="messageText""#).count() as u64;
        if messages != steps_of[name] {
            failures.push(format!(
                "{name}: Mermaid drew {messages} messages, the timeline has {} steps",
                steps_of[name]
            ));
        }
    }
    eprintln!(
        "mermaid: {} diagrams rendered by mmdc into {}",
        svgs.len(),
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "Mermaid diagrams:\n{}",
        failures.join("\n")
    );
}
