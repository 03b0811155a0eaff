//! Tables: every session on one row, every transfer on one row.
//!
//! Input: the [`Report`]. Output: two `comfy-table` tables (sessions, transfers), then the
//! unlinked data connections and the findings that are warnings or errors.

use super::fmt;
use super::{RenderOptions, Style};
use crate::model::{Login, Report, Severity, Status};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use std::io::{self, Write};

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    t
}

pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let st = Style::new(opts.color);
    let c = &report.capture;
    let files: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
    writeln!(
        out,
        "{} — {} packets, {} · {} FTP sessions · {} data connections linked · {} unlinked · {} other TCP connections",
        files.join(", "),
        fmt::thousands(c.packets),
        fmt::size(c.bytes),
        c.ftp_sessions,
        c.data_connections,
        c.unlinked_data_connections,
        c.other_tcp_connections
    )?;

    let mut sessions = table(&[
        "session",
        "client",
        "server",
        "user",
        "login",
        "mode",
        "commands",
        "transfers",
        "down",
        "up",
        "listed",
        "control",
        "duration",
    ]);
    for s in &report.sessions {
        sessions.add_row(vec![
            s.id.to_string(),
            s.client.to_string(),
            s.server.to_string(),
            s.user.clone().unwrap_or_else(|| "-".into()),
            match s.login {
                Login::Success => "success",
                Login::Failed => "failed",
                Login::Unknown => "unknown",
            }
            .to_string(),
            format!(
                "{}{}",
                s.mode.unwrap_or("-"),
                if s.tls.is_some() { " +TLS" } else { "" }
            ),
            s.summary.commands.to_string(),
            format!(
                "{} ({} ok)",
                s.summary.transfers, s.summary.transfers_complete
            ),
            fmt::size(s.summary.bytes_downloaded),
            fmt::size(s.summary.bytes_uploaded),
            fmt::size(s.summary.listing_bytes),
            format!("{} {}", s.control.state, s.control.history),
            fmt::duration(s.duration),
        ]);
    }
    writeln!(out, "\n{}\n{sessions}", st.bold("Sessions"))?;

    let mut transfers = table(&[
        "session",
        "#",
        "command",
        "argument",
        "mode",
        "setup",
        "announced",
        "data connection",
        "opened by",
        "bytes",
        "reply",
        "status",
    ]);
    for s in &report.sessions {
        for t in &s.transfers {
            transfers.add_row(vec![
                s.id.to_string(),
                t.id.to_string(),
                t.command.clone(),
                t.arg.clone().map(|a| shorten(&a, 40)).unwrap_or_default(),
                t.mode
                    .map(|m| format!("{m:?}").to_lowercase())
                    .unwrap_or_else(|| "-".into()),
                t.setup.clone().unwrap_or_else(|| "-".into()),
                t.data_endpoint
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "-".into()),
                t.data
                    .as_ref()
                    .map(|d| format!("{} → {}", d.tcp.orig, d.tcp.resp))
                    .unwrap_or_else(|| "not captured".into()),
                t.data
                    .as_ref()
                    .map(|d| d.opened_by.to_string())
                    .unwrap_or_else(|| "-".into()),
                t.bytes.map(fmt::thousands).unwrap_or_else(|| "-".into()),
                t.reply_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                match t.status {
                    Status::Complete => "complete",
                    Status::Aborted => "aborted",
                    Status::Failed => "failed",
                    Status::Incomplete => "incomplete",
                }
                .to_string(),
            ]);
        }
    }
    writeln!(out, "\n{}\n{transfers}", st.bold("Transfers"))?;

    if !report.unlinked_data_connections.is_empty() {
        let mut u = table(&["session", "connection", "bytes", "state", "why unlinked"]);
        for x in &report.unlinked_data_connections {
            u.add_row(vec![
                x.session
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                format!("{} → {}", x.tcp.orig, x.tcp.resp),
                fmt::thousands(x.tcp.orig_to_resp.bytes + x.tcp.resp_to_orig.bytes),
                x.tcp.state.to_string(),
                x.reason.clone(),
            ]);
        }
        writeln!(out, "\n{}\n{u}", st.bold("Unlinked data connections"))?;
    }

    let notable: Vec<_> = report
        .sessions
        .iter()
        .flat_map(|s| s.findings.iter().map(move |f| (s.id, f)))
        .filter(|(_, f)| f.severity >= Severity::Warning)
        .collect();
    if !notable.is_empty() {
        writeln!(out, "\n{}", st.bold("Findings"))?;
        for (id, f) in notable {
            let mark = if f.severity == Severity::Error {
                st.red("✗")
            } else {
                st.yellow("!")
            };
            writeln!(out, "  {mark} session {id}: {}", f.message)?;
        }
    }
    for w in &c.warnings {
        writeln!(out, "  {} {w}", st.yellow("!"))?;
    }
    Ok(())
}

fn shorten(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
