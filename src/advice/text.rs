//! The advice as text, for the timeline and the tables: per server, the rules grouped by
//! mode as the articles list them (four per mode, control first), the problems with their
//! fix, and the commands of `--advice`. With `--lang zh` each line is translated as it is
//! written, and the rules take the article's own notation (客户端 >1023端口 -> 服务器 21端口).

use super::{RuleMode, ServerAdvice};
use crate::lang::Lang;
use crate::report::Style;
use crate::report::safe;
use std::io::{self, Write};

/// Writes the lines given to it in a language: each whole line through [`Lang::tr`].
struct Out<'a> {
    out: &'a mut dyn Write,
    lang: Lang,
}

impl Out<'_> {
    fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{}", self.lang.tr(text))
    }

    /// A line that is already in the output language.
    fn raw(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }
}

/// A rule's ports in the article's Chinese notation: `client >1023 -> server 21` becomes
/// `客户端 >1023端口 -> 服务器 21端口`.
fn ports_zh(ports: &str) -> String {
    let words: Vec<String> = ports
        .split(' ')
        .map(|w| match w {
            "client" => "客户端".to_string(),
            "server" => "服务器".to_string(),
            "any" => "任意".to_string(),
            "->" | "<-" => w.to_string(),
            _ if w.starts_with(|c: char| c.is_ascii_digit() || c == '>' || c == 'P') => {
                format!("{w}端口")
            }
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

/// `s` left-aligned in `width` display columns (CJK characters take two).
fn pad(s: &str, width: usize) -> String {
    let w = crate::lang::wrap::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Writes the "Advice" section (nothing when there is no server).
pub fn write(
    out: &mut dyn Write,
    advice: &[ServerAdvice],
    untracked: u64,
    st: &Style,
    lang: Lang,
) -> io::Result<()> {
    if advice.is_empty() {
        return Ok(());
    }
    let out = &mut Out { out, lang };
    out.raw("")?;
    out.line(&st.bold("Advice: what a firewall in front of each server must allow"))?;
    for a in advice {
        server(out, a, st)?;
    }
    if untracked > 0 {
        out.line(&format!(
            "  ! {untracked} session(s) with further servers not advised on (bound of {} servers)",
            super::MAX_SERVERS
        ))?;
    }
    Ok(())
}

fn server(out: &mut Out<'_>, a: &ServerAdvice, st: &Style) -> io::Result<()> {
    out.line(&format!(
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
    ))?;
    let control: Vec<_> = a
        .rules
        .iter()
        .filter(|r| r.mode == RuleMode::Control)
        .collect();
    // The articles' summary line of each mode, with this server's ports.
    let ctrl = a.server.port;
    let active_src = a
        .rules
        .iter()
        .find(|r| r.mode == RuleMode::Active && r.from.role == "server")
        .map_or_else(|| "20".to_string(), |r| r.from.ports.words());
    for (mode, title) in [
        (
            RuleMode::Active,
            format!(
                "active mode (PORT/EPRT): control client >1023 -> server {ctrl}, data client >1023 <- server {active_src}"
            ),
        ),
        (
            RuleMode::Passive,
            format!(
                "passive mode (PASV/EPSV): control client >1023 -> server {ctrl}, data client >1023 -> server P"
            ),
        ),
    ] {
        let data: Vec<_> = a.rules.iter().filter(|r| r.mode == mode).collect();
        if data.is_empty() {
            continue;
        }
        out.line(&format!("    {}", st.bold(&title)))?;
        for (i, r) in control.iter().chain(data.iter()).enumerate() {
            let who = |side: &super::Side| match &side.ips {
                Some(v) if !v.is_empty() => v
                    .iter()
                    .map(|ip| ip.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                _ => "any".to_string(),
            };
            if out.lang.is_en() {
                out.raw(&format!(
                    "      {}. {:<36} {} {} -> {} {}",
                    i + 1,
                    r.ports,
                    r.from.role,
                    who(&r.from),
                    r.to.role,
                    who(&r.to),
                ))?;
            } else {
                out.raw(&format!(
                    "      {}. {} {} {} -> {} {}",
                    i + 1,
                    pad(&ports_zh(&r.ports), 44),
                    ports_zh(r.from.role),
                    who(&r.from),
                    ports_zh(r.to.role),
                    who(&r.to),
                ))?;
            }
            out.line(&format!(
                "         {}",
                st.dim(&format!("{} ({})", r.why, r.state))
            ))?;
        }
    }
    if a.rules.iter().all(|r| r.mode == RuleMode::Control) {
        out.line("    control connection only (no data connection negotiated):")?;
        for (i, r) in control.iter().enumerate() {
            if out.lang.is_en() {
                out.raw(&format!("      {}. {}", i + 1, r.ports))?;
            } else {
                out.raw(&format!("      {}. {}", i + 1, ports_zh(&r.ports)))?;
            }
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
        // The mark's colour is outside the text translated; the finding's message and its
        // fix have their own templates.
        let what = safe::prose(&p.what);
        let (which, what) = (out.lang.tr(&which), out.lang.tr(&what));
        out.raw(&format!("    {} {which}: {what}", st.red("✗")))?;
        if p.repeats > 0 {
            out.line(&format!(
                "      (and {} more time{} like it)",
                p.repeats,
                if p.repeats == 1 { "" } else { "s" }
            ))?;
        }
        let fix = out.lang.tr(&p.fix);
        out.raw(&format!("      → {fix}"))?;
    }
    if a.problems_dropped > 0 {
        out.line(&format!(
            "    … {} more problems not kept",
            a.problems_dropped
        ))?;
    }
    if let Some(c) = &a.commands {
        out.line(&format!(
            "    {}",
            st.bold("commands (on the server's host):")
        ))?;
        for l in &c.lines {
            // Commands are typed as they are, in every language.
            out.raw(&format!("      {l}"))?;
        }
    }
    Ok(())
}
