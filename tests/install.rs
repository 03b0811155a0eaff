//! What a packaged ftpflow installs beside its binary: shell completions that the shells
//! accept, a man page that renders and documents every subcommand and option (compared
//! with the clap definitions themselves, so a new option without a page fails here), and
//! `--version` naming the features built in.

use clap::CommandFactory;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(args)
        .output()
        .expect("run ftpflow")
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The subcommands a user can type (not clap's own `help`).
fn subcommands() -> Vec<String> {
    ftpflow::cli::Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect()
}

/// Whether `program` can be run at all.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs `program args` with `input` on stdin; its output, or `None` without the program.
fn pipe(program: &str, args: &[&str], input: &str) -> Option<Output> {
    use std::io::Write;
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return None,
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn bash_completion_is_valid_bash_and_knows_the_subcommands() {
    let script = stdout(&["completions", "bash"]);
    for sub in subcommands() {
        assert!(script.contains(&sub), "bash completion lacks {sub}");
    }
    assert!(script.contains("--format") && script.contains("--ftp-port"));
    let checked = pipe("bash", &["-n"], &script).expect("bash is present");
    assert!(
        checked.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn zsh_and_fish_completions_name_every_subcommand() {
    for shell in ["zsh", "fish"] {
        let script = stdout(&["completions", shell]);
        for sub in subcommands() {
            assert!(script.contains(&sub), "{shell} completion lacks {sub}");
        }
    }
    let zsh = stdout(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef ftpflow"));
    if have("zsh") {
        let checked = pipe("zsh", &["-n"], &zsh).unwrap();
        assert!(
            checked.status.success(),
            "zsh -n: {}",
            String::from_utf8_lossy(&checked.stderr)
        );
    } else {
        eprintln!("zsh not installed (scripts/setup.sh installs it): syntax not checked");
    }
    let bad = run(&["completions", "tcsh"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// The man page as text, rendered by groff; `None` without groff.
fn rendered(roff: &str) -> Option<String> {
    let out = pipe("groff", &["-man", "-Tutf8", "-P-cbou", "-rLL=200n"], roff)?;
    assert!(
        out.status.success(),
        "groff: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // groff hyphenates and may use Unicode hyphens; join what it split for the search.
    let text = String::from_utf8_lossy(&out.stdout)
        .replace(['\u{2010}', '\u{2212}'], "-")
        .replace("-\n", "-");
    Some(text)
}

#[test]
fn man_page_renders_and_documents_every_subcommand_and_option() {
    let roff = stdout(&["man"]);
    assert!(roff.contains(".TH ftpflow 1"));
    let text = match rendered(&roff) {
        Some(t) => t,
        None => {
            eprintln!("groff not installed (scripts/setup.sh installs groff-base): not rendered");
            roff.replace("\\-", "-")
        }
    };
    let cmd = ftpflow::cli::Cli::command();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let heading = format!("COMMAND: FTPFLOW {}", sub.get_name().to_uppercase());
        assert!(text.contains(&heading), "man page lacks {heading}");
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                assert!(
                    text.contains(&format!("--{long}")),
                    "man page lacks {} --{long}",
                    sub.get_name()
                );
            }
        }
    }
}

#[test]
fn man_out_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut want: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("ftpflow-{s}.1"))
        .collect();
    want.push("ftpflow.1".into());
    want.sort();
    assert_eq!(pages, want);
}

#[test]
fn version_names_the_features_built_in() {
    let v = stdout(&["--version"]);
    assert!(v.starts_with(&format!("ftpflow {}", env!("CARGO_PKG_VERSION"))));
    if cfg!(feature = "live") {
        assert!(v.contains("(features: live)"), "{v}");
    } else {
        assert!(v.contains("live capture not built in"), "{v}");
    }
}
