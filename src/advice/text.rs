//! The advice as text, for the timeline and the tables: per server, the rules grouped by
//! mode as the articles list them (four per mode, control first), the problems with their
//! fix, and the commands of `--advice`.

use super::{RuleMode, ServerAdvice};
use crate::report::Style;
use crate::report::safe;
use std::io::{self, Write};

/// Writes the "Advice" section (nothing when there is no server).
pub fn write(
    out: &mut dyn Write,
    advice: &[ServerAdvice],
    untracked: u64,
    st: &Style,
) -> io::Result<()> {
    if advice.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        st.bold("Advice: what a firewall in front of each server must allow")
    )?;
    for a in advice {
        server(out, a, st)?;
    }
    if untracked > 0 {
        writeln!(
            out,
            "  ! {untracked} session(s) with further servers not advised on (bound of {} servers)",
            super::MAX_SERVERS
        )?;
    }
    Ok(())
}

fn server(out: &mut dyn Write, a: &ServerAdvice, st: &Style) -> io::Result<()> {
    writeln!(
        out,
        "  server {} — {} session{}, {} active transfer{}, {} passive announcement{}",
        a.server,
        a.sessions,
        if a.sessions == 1 { "" } else { "s" },
        a.active_transfers,
        if a.active_transfers == 1 { "" } else { "s" },
        a.passive_announcements,
        if a.passive_announcements == 1 {
            ""
        } else {
            "s"
        },
    )?;
    let control: Vec<_> = a
        .rules
        .iter()
        .filter(|r| r.mode == RuleMode::Control)
        .collect();
    for (mode, title) in [
        (
            RuleMode::Active,
            "active mode (PORT/EPRT): control client >1023 -> server 21, data client >1023 <- server 20",
        ),
        (
            RuleMode::Passive,
            "passive mode (PASV/EPSV): control client >1023 -> server 21, data client >1023 -> server P",
        ),
    ] {
        let data: Vec<_> = a.rules.iter().filter(|r| r.mode == mode).collect();
        if data.is_empty() {
            continue;
        }
        writeln!(out, "    {}", st.bold(title))?;
        for (i, r) in control.iter().chain(data.iter()).enumerate() {
            let who = |side: &super::Side| match &side.ips {
                Some(v) if !v.is_empty() => v
                    .iter()
                    .map(|ip| ip.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                _ => "any".to_string(),
            };
            writeln!(
                out,
                "      {}. {:<36} {} {} -> {} {}",
                i + 1,
                r.ports,
                r.from.role,
                who(&r.from),
                r.to.role,
                who(&r.to),
            )?;
            writeln!(
                out,
                "         {}",
                st.dim(&format!("{} ({})", r.why, r.state))
            )?;
        }
    }
    if a.rules.iter().all(|r| r.mode == RuleMode::Control) {
        writeln!(
            out,
            "    control connection only (no data connection negotiated):"
        )?;
        for (i, r) in control.iter().enumerate() {
            writeln!(out, "      {}. {}", i + 1, r.ports)?;
        }
    }
    for p in &a.problems {
        let which = match (p.transfer, &p.command) {
            // The finding's message names the transfer already.
            (Some(t), _) if p.what.starts_with(&format!("transfer {t} ")) => {
                format!("session {}", p.session)
            }
            (Some(t), Some(c)) => format!("session {}, transfer {t} ({c})", p.session),
            (Some(t), None) => format!("session {}, transfer {t}", p.session),
            _ => format!("session {}", p.session),
        };
        writeln!(out, "    {} {which}: {}", st.red("✗"), safe::prose(&p.what))?;
        if p.repeats > 0 {
            writeln!(
                out,
                "      (and {} more time{} like it)",
                p.repeats,
                if p.repeats == 1 { "" } else { "s" }
            )?;
        }
        writeln!(out, "      → {}", p.fix)?;
    }
    if a.problems_dropped > 0 {
        writeln!(out, "    … {} more problems not kept", a.problems_dropped)?;
    }
    if let Some(c) = &a.commands {
        writeln!(out, "    {}", st.bold("commands (on the server's host):"))?;
        for l in &c.lines {
            writeln!(out, "      {l}")?;
        }
    }
    Ok(())
}
