//! A [`Ladder`] as a Mermaid `sequenceDiagram`, for Markdown (GitHub, GitLab and many
//! wikis draw it).
//!
//! The client and the server are the two participants; every step is a message numbered
//! as in the timeline, with its frame, in the ladder's words: solid arrows for the
//! client's commands and TCP packets, dotted ones for replies, a cross for a reset. A data
//! connection's steps sit in a shaded block of its colour, opened by a note naming it;
//! findings and advice are notes; pauses of a second or more are notes with their length.
//! Mermaid has no time axis, so the times are in the steps' JSON and the SVG.

use super::svg::colour;
use super::{Dir, Ladder, RungKind};
use crate::model::Severity;
use std::fmt::Write as _;

/// Characters of a note's line before it breaks (`<br/>`).
const NOTE_CHARS: usize = 64;

/// The ladder as Mermaid text.
pub fn render(ladder: &Ladder) -> String {
    let mut out = String::with_capacity(256 + ladder.rungs.len() * 80);
    let _ = writeln!(
        out,
        "%% ftpflow: session {}, client {} -> server {}",
        ladder.session, ladder.client, ladder.server
    );
    let _ = writeln!(out, "%% {}", one_line(&ladder.facts));
    out.push_str("sequenceDiagram\n");
    let _ = writeln!(
        out,
        "    participant C as client {}",
        text(&ladder.client.ip.to_string())
    );
    let _ = writeln!(
        out,
        "    participant S as server {}",
        text(&ladder.server.ip.to_string())
    );
    // The data connection whose shaded block is open.
    let mut block: Option<usize> = None;
    let mut introduced = vec![false; ladder.connections.len()];
    let mut previous_ts = None;
    for r in &ladder.rungs {
        let conn = &ladder.connections[r.conn];
        let in_block = r.conn != 0 && !matches!(r.kind, RungKind::Finding(_));
        if block.is_some() && block != Some(r.conn).filter(|_| in_block) {
            out.push_str("    end\n");
            block = None;
        }
        if let Some(prev) = previous_ts {
            let dt = r.ts.secs_since(prev);
            if dt >= 1.0 {
                let _ = writeln!(
                    out,
                    "    Note over C,S: … {} later …",
                    text(&crate::report::fmt::duration(dt))
                );
            }
        }
        previous_ts = Some(r.ts);
        if in_block && block.is_none() {
            let _ = writeln!(out, "    rect {}", rgba(colour(conn.colour)));
            block = Some(r.conn);
        }
        if !introduced[r.conn] {
            introduced[r.conn] = true;
            let what = if conn.what.is_empty() {
                String::new()
            } else {
                format!(" ({})", conn.what)
            };
            let _ = writeln!(
                out,
                "    Note over C,S: {}{} client {} ⇄ server {}",
                text(&plain_name(&conn.name)),
                text(&what),
                text(&conn.client.to_string()),
                text(&conn.server.to_string())
            );
        }
        match r.kind {
            RungKind::Finding(sev) => {
                let mark = match sev {
                    Severity::Info => "ℹ",
                    Severity::Warning => "⚠",
                    Severity::Error => "✗",
                };
                let _ = writeln!(
                    out,
                    "    Note right of S: {mark} {}",
                    wrapped(&r.label, NOTE_CHARS)
                );
            }
            _ => {
                let arrow = match (r.kind, r.dir) {
                    (RungKind::Close(true), Some(Dir::ToServer)) => "C-xS",
                    (RungKind::Close(true), _) => "S-xC",
                    (RungKind::Reply(_), _) => "S-->>C",
                    (_, Some(Dir::ToServer)) => "C->>S",
                    _ => "S->>C",
                };
                let ports = match r.kind {
                    RungKind::Handshake
                    | RungKind::Close(_)
                    | RungKind::Segment
                    | RungKind::Transfer
                    | RungKind::NoTransfer => {
                        format!(" · {} → {}", r.from.port, r.to.port)
                    }
                    _ => String::new(),
                };
                let data = if r.conn != 0 {
                    format!(" [{}]", plain_name(&conn.name))
                } else {
                    String::new()
                };
                let thick = match r.kind {
                    RungKind::Transfer => "⇒ ",
                    RungKind::NoTransfer => "✗ ",
                    _ => "",
                };
                let _ = writeln!(
                    out,
                    "    {arrow}: {} (frame {}) {thick}{}{}{}",
                    r.n.unwrap_or(0),
                    r.frame,
                    text(&r.label),
                    text(&ports),
                    text(&data)
                );
            }
        }
    }
    if block.is_some() {
        out.push_str("    end\n");
    }
    if let Some(words) = ladder.undrawn_words() {
        let _ = writeln!(out, "    Note over C,S: {}", wrapped(&words, NOTE_CHARS));
    }
    for a in &ladder.advice {
        let _ = writeln!(out, "    Note over C,S: Advice: {}", wrapped(a, NOTE_CHARS));
    }
    out
}

/// `#rrggbb` as a light `rgba(...)` for a block's shade.
fn rgba(hex: &str) -> String {
    let v = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    format!("rgba({}, {}, {}, 0.12)", v(1), v(3), v(5))
}

/// Text made safe for a Mermaid message or note: characters Mermaid reads as syntax
/// (`;` ends a statement, `#` starts an entity, `%%` a comment, `<` `>` markup) written
/// as its entity codes; line ends become spaces.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '%' => out.push_str("#37;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A connection's name without `#`, which Mermaid's source would show as `#35;`.
fn plain_name(name: &str) -> String {
    name.replace("data #", "data ")
}

/// A comment's text: one line.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A note's text, broken into lines with `<br/>`.
fn wrapped(s: &str, width: usize) -> String {
    crate::lang::wrap::wrap(s, width)
        .iter()
        .map(|l| text(l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_characters_become_entities() {
        assert_eq!(text("a;b#c%%d<e>"), "a#59;b#35;c#37;#37;d#lt;e#gt;");
        assert_eq!(text("two\nlines"), "two lines");
    }

    #[test]
    fn shades_are_the_palette_made_light() {
        assert_eq!(rgba("#1f4e9c"), "rgba(31, 78, 156, 0.12)");
    }
}
