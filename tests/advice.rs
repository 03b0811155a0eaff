//! The firewall advice against the captures' facts, and its commands against the real
//! firewall tools.
//!
//! * Every sample's JSON `advice`: one element per server of the sessions; the passive
//!   range is the min-max of the ports its PASV/EPSV replies announced, and their count;
//!   active rules exactly when an active transfer was negotiated; the control rule names
//!   the server's real control port.
//! * `--advice iptables` and `--advice nftables` on every sample: the commands pass
//!   `iptables-restore --test` / `ip6tables-restore --test` and `nft -c -f`. Skipped when a
//!   tool is missing or cannot run, unless `FTPFLOW_REQUIRE_TOOLS=1`.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn samples() -> Vec<PathBuf> {
    common::captures::samples()
}

fn json(sample: &Path, extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze", "--format", "json"])
        .args(extra)
        .arg(sample)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", sample.display());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn endpoint(v: &Value) -> String {
    format!("{}:{}", v["ip"].as_str().unwrap(), v["port"])
}

#[test]
fn the_advice_follows_the_captures_facts() {
    let mut with_passive = 0;
    let mut with_active = 0;
    for sample in samples() {
        let doc = json(&sample, &[]);
        let name = sample.display().to_string();
        // Per server: announced passive ports, and whether an active transfer was seen.
        let mut facts: BTreeMap<String, (Vec<u64>, bool)> = BTreeMap::new();
        for s in doc["sessions"].as_array().unwrap() {
            let f = facts.entry(endpoint(&s["server"])).or_default();
            for c in s["commands"].as_array().unwrap() {
                let verb = c["command"].as_str().unwrap();
                if ["PASV", "EPSV", "LPSV"].contains(&verb) && !c["data_endpoint"].is_null() {
                    f.0.push(c["data_endpoint"]["port"].as_u64().unwrap());
                }
            }
            f.1 |= s["transfers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["mode"] == "active");
        }
        let advice = doc["advice"].as_array().expect("advice is always present");
        assert_eq!(advice.len(), facts.len(), "{name}: one advice per server");
        for a in advice {
            let server = endpoint(&a["server"]);
            let (ports, active) = &facts[&server];
            assert_eq!(a["passive_announcements"], ports.len(), "{name} {server}");
            let rules = a["rules"].as_array().unwrap();
            let of = |mode: &str| rules.iter().filter(|r| r["mode"] == mode).count();
            if ports.is_empty() {
                assert!(a["passive_ports"].is_null(), "{name} {server}");
            } else {
                with_passive += 1;
                let (min, max) = (ports.iter().min().unwrap(), ports.iter().max().unwrap());
                assert_eq!(a["passive_ports"]["min"], *min, "{name} {server}");
                assert_eq!(a["passive_ports"]["max"], *max, "{name} {server}");
                let open = rules
                    .iter()
                    .find(|r| r["mode"] == "passive" && r["state"] == "new")
                    .unwrap();
                assert_eq!(open["to"]["ports"]["min"], *min);
                assert_eq!(open["to"]["ports"]["max"], *max);
                assert_eq!(open["direction"], "client_to_server");
                assert_eq!(of("passive"), 2);
            }
            if *active {
                with_active += 1;
                let open = rules
                    .iter()
                    .find(|r| r["mode"] == "active" && r["state"] == "new")
                    .unwrap();
                assert_eq!(open["direction"], "server_to_client", "{name}");
            }
            assert_eq!(of("active"), if *active { 2 } else { 0 }, "{name} {server}");
            assert_eq!(of("control"), 2);
            assert_eq!(
                rules[0]["to"]["ports"]["min"], a["server"]["port"],
                "{name}"
            );
            assert_eq!(rules[0]["state"], "new");
        }
    }
    assert!(
        with_passive >= 3 && with_active >= 3,
        "too few samples exercise both modes"
    );
}

#[test]
fn seed004_gets_the_articles_four_rules_per_mode_and_names_the_failed_transfer() {
    let doc = json(
        &root().join("samples/seed004-firewall-active-dropped-passive-ok.pcap"),
        &[],
    );
    let advice = doc["advice"].as_array().unwrap();
    assert_eq!(advice.len(), 1);
    let a = &advice[0];
    let rules: Vec<(&str, &str, &str)> = a["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["mode"].as_str().unwrap(),
                r["ports"].as_str().unwrap(),
                r["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("control", "client >1023 -> server 21", "new"),
            ("control", "server 21 -> client >1023", "established"),
            ("active", "server 20 -> client >1023", "new"),
            ("active", "client >1023 -> server 20", "established"),
            ("passive", "client >1023 -> server 61204", "new"),
            ("passive", "server 61204 -> client >1023", "established"),
        ]
    );
    let problems = a["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["session"], 1);
    assert_eq!(problems[0]["transfer"], 1);
    assert_eq!(problems[0]["command"], "LIST");
    assert_eq!(problems[0]["kind"], "active_connect_unanswered");
    assert!(
        problems[0]["fix"]
            .as_str()
            .unwrap()
            .contains("passive mode")
    );
}

/// Runs `tool args` with `input` on stdin: Some(success), None when it cannot run here.
fn run(tool: &str, args: &[&str], input: &str) -> Option<(bool, String)> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn skip(why: &str) {
    if std::env::var_os("FTPFLOW_REQUIRE_TOOLS").is_some() {
        panic!("{why}; install iptables and nftables and run the tests as root");
    }
    eprintln!("skipped: {why}");
}

/// The checker for a batch of lines, given as a restore file or an nft script.
type Check = fn(&[String]) -> Option<(bool, String)>;

fn iptables_check(lines: &[String]) -> Option<(bool, String)> {
    let (v4, v6): (Vec<&String>, Vec<&String>) =
        lines.iter().partition(|l| l.starts_with("iptables "));
    for (tool, batch) in [("iptables-restore", v4), ("ip6tables-restore", v6)] {
        if batch.is_empty() {
            continue;
        }
        let mut file = String::from("*filter\n");
        for l in batch {
            file.push_str(l.split_once(' ').unwrap().1);
            file.push('\n');
        }
        file.push_str("COMMIT\n");
        let r = run(tool, &["--test"], &file)?;
        if !r.0 {
            return Some(r);
        }
    }
    Some((true, String::new()))
}

fn nft_check(lines: &[String]) -> Option<(bool, String)> {
    let script: String = lines
        .iter()
        .map(|l| {
            let l = l.strip_prefix("nft ").unwrap();
            let l = l
                .strip_prefix('\'')
                .and_then(|x| x.strip_suffix('\''))
                .unwrap_or(l);
            format!("{l}\n")
        })
        .collect();
    run("nft", &["-c", "-f", "-"], &script)
}

fn check_syntax(syntax: &str, check: Check, broken: &str) {
    // The tool must be there and must reject a broken rule, or it checks nothing.
    match check(&[broken.to_string()]) {
        None => return skip(&format!("{syntax}: the tool cannot run here")),
        Some((true, _)) => return skip(&format!("{syntax}: the tool accepts a broken rule here")),
        Some((false, _)) => {}
    }
    let mut checked = 0;
    for sample in samples() {
        let doc = json(&sample, &["--advice", syntax]);
        for a in doc["advice"].as_array().unwrap() {
            assert_eq!(a["commands"]["syntax"], syntax);
            let lines: Vec<String> = a["commands"]["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            let (ok, err) = check(&lines).expect("the tool ran a moment ago");
            assert!(
                ok,
                "{}: {syntax} rejects\n{}\n{err}",
                sample.display(),
                lines.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked > 5);
}

#[test]
fn iptables_commands_are_valid() {
    check_syntax(
        "iptables",
        iptables_check,
        "iptables -A INPUT -p tcp --dport 99999 -j ACCEPT",
    );
}

#[test]
fn nftables_commands_are_valid() {
    check_syntax(
        "nftables",
        nft_check,
        "nft add rule inet ftpflow input tcp dport 99999 accept",
    );
}
