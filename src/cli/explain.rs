//! `ftpflow explain`: what a reply code or a command means, from the tables the timeline
//! uses ([`crate::ftp::meaning`], [`crate::ftp::verbs`]), as article 003 tabulates them.
//!
//! Input: words such as `425`, `PASV`, `pasv`, `4xx`; none lists both tables. Output: one
//! line per word on stdout. An unknown word is a usage error (exit 2) naming it.

use super::exit::{CliError, Exit};
use crate::ftp::command::CommandKind;
use crate::ftp::meaning::{class_meaning, specific_reply_meaning};
use crate::ftp::verbs::{self, VERBS};
use std::io::{self, Write};

/// Arguments of `ftpflow explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Reply codes (425), classes (4xx) or commands (PASV, any case); none: list all.
    pub items: Vec<String>,
}

/// Prints the meaning of each item, or both tables when there is none.
pub fn run(args: ExplainArgs) -> Result<Exit, CliError> {
    let mut lines = Vec::new();
    if args.items.is_empty() {
        lines = tables();
    } else {
        for item in &args.items {
            match explain(item) {
                Some(line) => lines.push(line),
                None => {
                    return Err(CliError::Usage(format!(
                        "explain: {:?} is not a reply code (100-699, or a class such as 4xx) nor a known FTP command; `ftpflow explain` lists them",
                        crate::report::safe::prose(item)
                    )));
                }
            }
        }
    }
    let mut out = io::stdout().lock();
    for l in lines {
        if let Err(e) = writeln!(out, "{l}") {
            return Err(CliError::Output(e));
        }
    }
    Ok(Exit::Complete)
}

/// One line about a code, a class or a command; `None` when it is none of them.
pub fn explain(item: &str) -> Option<String> {
    let word = item.trim();
    let upper = word.to_ascii_uppercase();
    if let Some(digit) = upper.strip_suffix("XX")
        && let Ok(d) = digit.parse::<u16>()
        && (1..=6).contains(&d)
    {
        return Some(format!("{d}xx  {}", class_meaning(d * 100)));
    }
    if word.len() == 3 && word.bytes().all(|b| b.is_ascii_digit()) {
        let code: u16 = word.parse().ok()?;
        if !(100..=699).contains(&code) {
            return None;
        }
        let class = class_meaning(code);
        return Some(match specific_reply_meaning(code) {
            Some(m) => format!("{code}  {m} (class {}xx: {class})", code / 100),
            None => format!(
                "{code}  no entry of its own; class {}xx: {class}",
                code / 100
            ),
        });
    }
    let v = verbs::lookup(&upper)?;
    Some(command_line(v))
}

fn command_line(v: &verbs::VerbInfo) -> String {
    let kind = match v.kind {
        CommandKind::Transfer(_) => "data command: uses a data connection",
        CommandKind::ActiveSetup(_) => "active mode setup",
        CommandKind::PassiveSetup(_) => "passive mode setup",
        _ => "control command: answered on the control connection alone",
    };
    let replies = match v.replies {
        Some(r) => {
            let codes: Vec<String> = r.iter().map(u16::to_string).collect();
            format!("; positive replies {}", codes.join(", "))
        }
        None => String::new(),
    };
    format!("{:<5} {} ({kind}{replies})", v.name, v.meaning)
}

/// Both tables: the commands, the reply codes with their own meaning, the classes.
fn tables() -> Vec<String> {
    let mut lines = vec!["Commands".to_string()];
    lines.extend(VERBS.iter().map(|v| format!("  {}", command_line(v))));
    lines.push(String::new());
    lines.push("Reply codes".into());
    for code in 100..=699u16 {
        if let Some(m) = specific_reply_meaning(code) {
            lines.push(format!("  {code}  {m}"));
        }
    }
    lines.push(String::new());
    lines.push("Reply classes (first digit)".into());
    for d in 1..=6u16 {
        lines.push(format!("  {d}xx  {}", class_meaning(d * 100)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classes_and_commands() {
        assert!(
            explain("425")
                .unwrap()
                .contains("cannot open the data connection")
        );
        assert!(explain("299").unwrap().contains("class 2xx"));
        assert!(
            explain("4xx")
                .unwrap()
                .starts_with("4xx  transient negative")
        );
        let pasv = explain("pasv").unwrap();
        assert!(pasv.starts_with("PASV"), "{pasv}");
        assert!(pasv.contains("227"), "{pasv}");
        assert!(explain("LIST").unwrap().contains("data command"));
        assert!(explain("PWD").unwrap().contains("control command"));
        for bad in ["999", "099", "FOO", "", "7xx", "42"] {
            assert_eq!(explain(bad), None, "{bad}");
        }
    }
}
