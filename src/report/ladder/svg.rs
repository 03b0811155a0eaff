//! A [`Ladder`] as SVG: lifelines for the client and the server, an arrow per step.
//!
//! Layout, top to bottom: the title and the session's facts, a legend of its connections,
//! the two hosts, then one row per step. Left of the client's lifeline each row shows the
//! time (seconds since the capture's first packet, as the timeline's `-t r`), the step
//! number and the frame; the arrow's ends name the ports. Each connection keeps its colour
//! and its own column (an activation bar beside each lifeline while it is open), so a data
//! connection stands apart from the control connection it was negotiated on. Time runs
//! down the page, compressed: rows a millisecond apart touch, longer pauses add space
//! that grows with the logarithm of the pause, and a pause of a second or more is marked
//! with its length. A finding is a callout box between the lifelines. Every row is a `<g
//! class="step">` with the timeline's words as its `<title>` (a tooltip anywhere an SVG is
//! shown) and `data-` attributes the HTML report uses to show its JSON.

use super::{Dir, Ladder, Rung, RungKind};
use crate::model::Severity;
use std::fmt::Write as _;

/// Width of the drawing.
const WIDTH: f64 = 900.0;
/// The client's and the server's lifelines.
const CLIENT_X: f64 = 270.0;
const SERVER_X: f64 = 770.0;
/// Distance between two connections' columns beside a lifeline.
const LANE_DX: f64 = 9.0;
/// Right edge of the time column, the step number's, and the frame's left edge.
const TIME_X: f64 = 78.0;
const STEP_X: f64 = 116.0;
const FRAME_X: f64 = 124.0;
/// How far an arrow drops from its start to its end (a packet takes time to arrive).
const SLANT: f64 = 6.0;
/// Characters of a callout's line.
const CALLOUT_CHARS: usize = 58;
/// Height of a row without and with a note under its arrow.
const ROW: f64 = 30.0;
const ROW_NOTE: f64 = 46.0;

/// The connections' colours: the control connection's first.
pub const PALETTE: [&str; 7] = [
    "#1f4e9c", "#d35400", "#1e8449", "#8e44ad", "#b03a2e", "#117a8b", "#7d6608",
];

/// The colour of the connection with colour index `i`.
pub fn colour(i: usize) -> &'static str {
    if i == 0 {
        PALETTE[0]
    } else {
        PALETTE[1 + (i - 1) % (PALETTE.len() - 1)]
    }
}

/// Whether the SVG stands alone (a file: XML prolog) or sits in an HTML page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embed {
    /// A file of its own (`--format svg`).
    Standalone,
    /// Inside the HTML report.
    Inline,
}

/// The ladder as an SVG document (or element).
pub fn render(ladder: &Ladder, embed: Embed) -> String {
    let layout = Layout::of(ladder, embed);
    let mut out = String::with_capacity(1024 + ladder.rungs.len() * 700);
    if embed == Embed::Standalone {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    let title = ladder
        .lang
        .tr(&format!(
            "Session {}  client {} → server {}",
            ladder.session, ladder.client, ladder.server
        ))
        .into_owned();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" data-session=\"{}\" \
         data-steps=\"{}\" width=\"{WIDTH}\" height=\"{h:.0}\" viewBox=\"0 0 {WIDTH} {h:.0}\" \
         role=\"img\" aria-label=\"{}\">",
        ladder.session,
        ladder.steps(),
        esc(&title),
        h = layout.height
    );
    out.push_str(STYLE);
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    header(&mut out, ladder, &title, &layout, embed);
    lifelines(&mut out, ladder, &layout);
    for (i, rung) in ladder.rungs.iter().enumerate() {
        if let Some(gap) = layout.pauses.get(&i) {
            pause(&mut out, *gap, layout.y[i]);
        }
        match rung.kind {
            RungKind::Finding(sev) => callout(&mut out, ladder, i, rung, sev, &layout),
            _ => arrow(&mut out, ladder, i, rung, layout.y[i]),
        }
    }
    if let Some(words) = ladder.undrawn_words() {
        let _ = writeln!(
            out,
            "<text class=\"undrawn\" x=\"{:.0}\" y=\"{:.0}\">{}</text>",
            (CLIENT_X + SERVER_X) / 2.0,
            layout.bottom - 14.0,
            esc(&words)
        );
    }
    advice(&mut out, ladder, &layout);
    out.push_str("</svg>\n");
    out
}

/// Where everything goes.
struct Layout {
    /// Rows of the legend (three connections a row).
    legend_rows: usize,
    /// Where the legend starts: below the title (standalone) or at the top (in a page,
    /// whose heading names the session).
    legend_y: f64,
    /// Top of the lifelines (below the host boxes).
    top: f64,
    /// Each rung's y (an arrow's start; a callout's top).
    y: Vec<f64>,
    /// Rung index → the pause before it (seconds), when it is a second or more.
    pauses: std::collections::HashMap<usize, f64>,
    /// The callouts' wrapped lines, by rung index.
    callout_lines: std::collections::HashMap<usize, Vec<String>>,
    /// Where the lifelines end.
    bottom: f64,
    /// The advice's wrapped lines.
    advice_lines: Vec<String>,
    /// Height of the whole drawing.
    height: f64,
}

impl Layout {
    fn of(ladder: &Ladder, embed: Embed) -> Layout {
        let legend_rows = ladder.connections.len().div_ceil(3);
        let legend_y = match embed {
            Embed::Standalone => 68.0,
            Embed::Inline => 38.0,
        };
        let top = legend_y - 4.0 + 18.0 * legend_rows as f64 + 46.0;
        let mut y = Vec::with_capacity(ladder.rungs.len());
        let mut pauses = std::collections::HashMap::new();
        let mut callout_lines = std::collections::HashMap::new();
        let mut at = top + 34.0;
        let mut previous: Option<&Rung> = None;
        for (i, r) in ladder.rungs.iter().enumerate() {
            if let Some(p) = previous {
                let dt = r.ts.secs_since(p.ts).max(0.0);
                at += pause_space(dt);
                if dt >= 1.0 {
                    pauses.insert(i, dt);
                }
            }
            y.push(at);
            at += match r.kind {
                RungKind::Finding(_) => {
                    let lines = wrap(&r.label, CALLOUT_CHARS);
                    let h = 30.0 + 15.0 * lines.len() as f64;
                    callout_lines.insert(i, lines);
                    h
                }
                RungKind::Transfer => 52.0,
                _ if r.note.is_some() => ROW_NOTE,
                _ => ROW,
            };
            previous = Some(r);
        }
        if ladder.rungs.is_empty() || ladder.undrawn > 0 {
            at += 30.0;
        }
        let bottom = at + 6.0;
        let advice_lines: Vec<String> = ladder
            .advice
            .iter()
            .flat_map(|a| {
                let mut lines = wrap(a, 110);
                lines.push(String::new());
                lines
            })
            .collect();
        let advice_h = if advice_lines.is_empty() {
            0.0
        } else {
            36.0 + 15.0 * advice_lines.len() as f64
        };
        Layout {
            legend_rows,
            legend_y,
            top,
            y,
            pauses,
            callout_lines,
            bottom,
            advice_lines,
            height: bottom + 20.0 + advice_h,
        }
    }
}

/// Space added for a pause of `dt` seconds: none up to a millisecond, then growing with
/// its logarithm (10 ms: 9 px, 100 ms: 18, 1 s: 27, 10 s: 36); a marked pause needs 26.
fn pause_space(dt: f64) -> f64 {
    if dt <= 0.001 {
        return 0.0;
    }
    let space = (9.0 * (dt * 1000.0).log10()).min(40.0);
    if dt >= 1.0 { space.max(26.0) } else { space }
}

fn header(out: &mut String, ladder: &Ladder, title: &str, layout: &Layout, embed: Embed) {
    if embed == Embed::Standalone {
        let _ = writeln!(
            out,
            "<text class=\"h1\" x=\"16\" y=\"26\">{}</text>",
            esc(title)
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"facts\" x=\"16\" y=\"{:.0}\">{}</text>",
        layout.legend_y - 22.0,
        esc(&ladder.facts)
    );
    for (i, c) in ladder.connections.iter().enumerate() {
        let (row, col) = (i / 3, i % 3);
        let (x, y) = (
            16.0 + 290.0 * col as f64,
            layout.legend_y + 18.0 * row as f64,
        );
        let ports = if i == 0 {
            format!("{} ⇄ {}", port_of(c.client, ladder.client), c.server.port)
        } else {
            format!(
                "{} ⇄ {}",
                port_of(c.client, ladder.client),
                port_of(c.server, ladder.server)
            )
        };
        let what = if c.what.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.what)
        };
        let _ = writeln!(
            out,
            "<g class=\"legend\"><rect x=\"{x}\" y=\"{:.0}\" width=\"14\" height=\"8\" fill=\"{}\"/>\
             <text x=\"{:.0}\" y=\"{y:.0}\">{}</text></g>",
            y - 8.0,
            colour(c.colour),
            x + 20.0,
            esc(&super::cut(&format!("{} {ports}{what}", c.name), 40))
        );
    }
    let box_y = layout.legend_y + 18.0 * layout.legend_rows as f64;
    for (x, role, ep) in [
        (CLIENT_X, ladder.lang.tr("client"), ladder.client),
        (SERVER_X, ladder.lang.tr("server"), ladder.server),
    ] {
        let _ = writeln!(
            out,
            "<g class=\"host\"><rect x=\"{:.0}\" y=\"{box_y:.0}\" width=\"200\" height=\"38\" rx=\"5\"/>\
             <text class=\"role\" x=\"{x:.0}\" y=\"{:.0}\">{role}</text>\
             <text class=\"ip\" x=\"{x:.0}\" y=\"{:.0}\">{}</text></g>",
            x - 100.0,
            box_y + 16.0,
            box_y + 31.0,
            esc(&ep.ip.to_string())
        );
    }
    let head_y = layout.top + 16.0;
    let tr = |w: &str| esc(&ladder.lang.tr(w));
    let _ = writeln!(
        out,
        "<g class=\"columns\"><text x=\"{TIME_X}\" y=\"{head_y:.0}\" text-anchor=\"end\">{}</text>\
         <text x=\"{STEP_X}\" y=\"{head_y:.0}\" text-anchor=\"end\">{}</text>\
         <text x=\"{FRAME_X}\" y=\"{head_y:.0}\">{}</text></g>",
        tr("time"),
        tr("step"),
        tr("frame")
    );
}

fn lifelines(out: &mut String, ladder: &Ladder, layout: &Layout) {
    for x in [CLIENT_X, SERVER_X] {
        let _ = writeln!(
            out,
            "<line class=\"lifeline\" x1=\"{x}\" y1=\"{:.0}\" x2=\"{x}\" y2=\"{:.0}\"/>",
            layout.top, layout.bottom
        );
    }
    // Each connection's column: a bar beside each lifeline while it is open.
    for c in &ladder.connections {
        let (Some(&y1), Some(&y2)) = (layout.y.get(c.first), layout.y.get(c.last)) else {
            continue;
        };
        let h = (y2 - y1 + SLANT + 8.0).max(10.0);
        for x in [lane_x(c.lane, true), lane_x(c.lane, false)] {
            let _ = writeln!(
                out,
                "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"{h:.1}\" \
                 fill=\"{}\" stroke=\"{}\"/>",
                x - 3.0,
                y1 - 4.0,
                colour(c.colour),
                colour(c.colour)
            );
        }
    }
}

/// The x of a connection's column beside the client's lifeline (`client`) or the
/// server's; columns step inwards.
fn lane_x(lane: usize, client: bool) -> f64 {
    if client {
        CLIENT_X + LANE_DX * lane as f64
    } else {
        SERVER_X - LANE_DX * lane as f64
    }
}

/// A pause of a second or more: its length between the rows.
fn pause(out: &mut String, dt: f64, next_y: f64) {
    let y = next_y - 13.0;
    let _ = writeln!(
        out,
        "<g class=\"pause\"><line x1=\"{:.0}\" y1=\"{y:.0}\" x2=\"{:.0}\" y2=\"{y:.0}\"/>\
         <text x=\"4\" y=\"{:.0}\">⋯ {} ⋯</text></g>",
        CLIENT_X - 40.0,
        SERVER_X + 40.0,
        y + 4.0,
        esc(&crate::report::fmt::duration(dt))
    );
}

fn arrow(out: &mut String, ladder: &Ladder, i: usize, r: &Rung, y: f64) {
    let c = &ladder.connections[r.conn];
    let col = colour(c.colour);
    let dir = r.dir.unwrap_or(Dir::ToClient);
    let (x_client, x_server) = (lane_x(c.lane, true) + 3.0, lane_x(c.lane, false) - 3.0);
    let (x1, x2) = match dir {
        Dir::ToServer => (x_client, x_server),
        Dir::ToClient => (x_server, x_client),
    };
    let (y1, y2) = (y, y + SLANT);
    let kind = kind_class(r.kind);
    let n = r.n.map_or(String::new(), |n| n.to_string());
    let _ = write!(
        out,
        "<g class=\"step {kind}\" data-step=\"{n}\" data-frame=\"{}\" data-i=\"{i}\" data-conn=\"{}\">\
         <title>{}</title><rect class=\"hit\" x=\"0\" y=\"{:.1}\" width=\"{WIDTH}\" height=\"{:.1}\"/>",
        r.frame,
        esc(&c.name),
        esc(&r.words.join("\n")),
        y - 20.0,
        if r.note.is_some() { ROW_NOTE } else { ROW },
    );
    let (width, head_len, head_w) = match r.kind {
        RungKind::Transfer => (7.0, 16.0, 9.0),
        _ => (1.6, 9.0, 4.5),
    };
    // The shaft stops where the head begins.
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (x2 - ux * head_len, y2 - uy * head_len);
    let dash = match r.kind {
        RungKind::Reply(_) => " stroke-dasharray=\"7 4\"",
        RungKind::Segment | RungKind::NoTransfer => " stroke-dasharray=\"2 3\"",
        _ => "",
    };
    let _ = write!(
        out,
        "<line class=\"shaft\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{bx:.1}\" y2=\"{by:.1}\" \
         stroke=\"{col}\" stroke-width=\"{width}\"{dash}/>\
         <polygon points=\"{x2:.1},{y2:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{col}\"/>",
        bx - uy * head_w,
        by + ux * head_w,
        bx + uy * head_w,
        by - ux * head_w,
    );
    if r.kind == RungKind::Close(true) {
        // A reset: a cross where it lands.
        let _ = write!(
            out,
            "<path class=\"rst\" d=\"M{:.1},{:.1} l10,10 m0,-10 l-10,10\"/>",
            x2 - 5.0,
            y2 - 5.0
        );
    }
    let mid = (CLIENT_X + SERVER_X) / 2.0;
    let _ = write!(
        out,
        "<text class=\"label {}\" x=\"{mid:.0}\" y=\"{:.1}\">{}</text>",
        label_class(r.kind),
        y - 5.0,
        esc(&r.label)
    );
    if let Some(note) = &r.note {
        let _ = write!(
            out,
            "<text class=\"note\" x=\"{mid:.0}\" y=\"{:.1}\">{}</text>",
            y + SLANT + 15.0,
            esc(note)
        );
    }
    let t = r.ts.secs_since(ladder.t0);
    let _ = write!(
        out,
        "<text class=\"t\" x=\"{TIME_X}\" y=\"{:.1}\">{t:.6}</text>\
         <text class=\"n\" x=\"{STEP_X}\" y=\"{:.1}\">{n}</text>\
         <text class=\"f\" x=\"{FRAME_X}\" y=\"{:.1}\">{}</text>",
        y + 4.0,
        y + 4.0,
        y + 4.0,
        r.frame
    );
    // The ports at each end, outside the lifelines.
    let (client_ep, server_ep) = match dir {
        Dir::ToServer => (r.from, r.to),
        Dir::ToClient => (r.to, r.from),
    };
    let _ = writeln!(
        out,
        "<text class=\"port\" x=\"{:.0}\" y=\"{:.1}\" fill=\"{col}\" text-anchor=\"end\">{}</text>\
         <text class=\"port\" x=\"{:.0}\" y=\"{:.1}\" fill=\"{col}\">{}</text></g>",
        CLIENT_X - 8.0,
        y + 4.0,
        esc(&port_of(client_ep, ladder.client)),
        SERVER_X + 8.0,
        y + SLANT + 4.0,
        esc(&port_of(server_ep, ladder.server)),
    );
}

fn callout(out: &mut String, ladder: &Ladder, i: usize, r: &Rung, sev: Severity, layout: &Layout) {
    let y = layout.y[i];
    let lines = layout.callout_lines.get(&i).cloned().unwrap_or_default();
    let (class, mark) = match sev {
        Severity::Info => ("info", "i"),
        Severity::Warning => ("warning", "!"),
        Severity::Error => ("error", "✗"),
    };
    let (x, w) = (CLIENT_X + 30.0, SERVER_X - CLIENT_X - 60.0);
    let h = 8.0 + 15.0 * lines.len() as f64;
    let _ = write!(
        out,
        "<g class=\"callout {class}\" data-frame=\"{}\" data-i=\"{i}\" data-conn=\"{}\"><title>{}</title>\
         <rect x=\"{x:.0}\" y=\"{:.1}\" width=\"{w:.0}\" height=\"{h:.1}\" rx=\"4\"/>\
         <text class=\"mark\" x=\"{:.0}\" y=\"{:.1}\">{mark}</text>",
        r.frame,
        esc(&ladder.connections[r.conn].name),
        esc(&r.words.join("\n")),
        y - 4.0,
        x + 10.0,
        y + 11.0,
    );
    for (k, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.0}\" y=\"{:.1}\">{}</text>",
            x + 24.0,
            y + 11.0 + 15.0 * k as f64,
            esc(line)
        );
    }
    out.push_str("</g>\n");
}

fn advice(out: &mut String, ladder: &Ladder, layout: &Layout) {
    if layout.advice_lines.is_empty() {
        return;
    }
    let y = layout.bottom + 14.0;
    let h = 22.0 + 15.0 * layout.advice_lines.len() as f64;
    let _ = write!(
        out,
        "<g class=\"callout advice\"><rect x=\"16\" y=\"{y:.0}\" width=\"{:.0}\" height=\"{h:.0}\" rx=\"4\"/>\
         <text class=\"mark\" x=\"26\" y=\"{:.0}\">{}</text>",
        WIDTH - 32.0,
        y + 16.0,
        esc(&ladder.lang.tr("Advice"))
    );
    for (k, line) in layout.advice_lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"26\" y=\"{:.0}\">{}</text>",
            y + 32.0 + 15.0 * k as f64,
            esc(line)
        );
    }
    out.push_str("</g>\n");
}

fn kind_class(k: RungKind) -> &'static str {
    match k {
        RungKind::Handshake => "k-handshake",
        RungKind::Command => "k-command",
        RungKind::Reply(_) => "k-reply",
        RungKind::Transfer => "k-transfer",
        RungKind::NoTransfer => "k-notransfer",
        RungKind::Close(false) => "k-close",
        RungKind::Close(true) => "k-reset",
        RungKind::Segment => "k-segment",
        RungKind::Finding(_) => "k-finding",
    }
}

fn label_class(k: RungKind) -> &'static str {
    match k {
        RungKind::Reply(1 | 2) => "ok",
        RungKind::Reply(3) => "more",
        RungKind::Reply(_) => "bad",
        RungKind::Command => "cmd",
        RungKind::Transfer => "xfer",
        RungKind::Segment => "seg",
        RungKind::Close(true) | RungKind::NoTransfer => "bad",
        _ => "tcp",
    }
}

/// An endpoint at a lifeline: its port when it is the lifeline's host, else all of it.
fn port_of(ep: crate::endpoint::Endpoint, host: crate::endpoint::Endpoint) -> String {
    if ep.ip == host.ip {
        ep.port.to_string()
    } else {
        ep.to_string()
    }
}

/// Word-wraps a callout's text.
fn wrap(text: &str, width: usize) -> Vec<String> {
    crate::lang::wrap::wrap(text, width)
}

/// Text made safe for XML: markup characters escaped, characters XML 1.0 forbids replaced.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The drawing's own style (kept with it, so a standalone file looks the same).
const STYLE: &str = "<style>\
.ladder{background:#fff}\
.ladder text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#222}\
.ladder .h1{font-family:system-ui,'DejaVu Sans',sans-serif;font-size:16px;font-weight:bold}\
.ladder .facts{font-family:system-ui,'DejaVu Sans',sans-serif;fill:#555}\
.ladder .legend text{font-size:11px;fill:#333}\
.ladder .host rect{fill:#f4f6fa;stroke:#556}\
.ladder .host text{text-anchor:middle}\
.ladder .host .role{font-weight:bold}\
.ladder .columns text{font-size:10px;fill:#888}\
.ladder .lifeline{stroke:#99a;stroke-width:1.5;stroke-dasharray:4 4}\
.ladder .bar{fill-opacity:.18;stroke-opacity:.5}\
.ladder .hit{fill:transparent}\
.ladder .step{cursor:pointer}\
.ladder .step:hover .hit,.ladder .step.selected .hit{fill:#fff6c8}\
.ladder .label{text-anchor:middle}\
.ladder .label.cmd{font-weight:bold;fill:#173f7a}\
.ladder .label.ok{fill:#1d6b30}\
.ladder .label.more{fill:#8a5a00}\
.ladder .label.bad{fill:#b03a2e;font-weight:bold}\
.ladder .label.xfer{font-weight:bold}\
.ladder .label.seg,.ladder .label.tcp{fill:#444}\
.ladder .note{text-anchor:middle;font-size:10.5px;fill:#666;font-style:italic}\
.ladder .t{text-anchor:end;font-size:10.5px;fill:#555}\
.ladder .n{text-anchor:end;font-weight:bold}\
.ladder .f{font-size:10.5px;fill:#777}\
.ladder .port{font-size:10.5px}\
.ladder .pause line{stroke:#bbb;stroke-dasharray:2 6}\
.ladder .pause text{font-size:10.5px;fill:#888;font-style:italic}\
.ladder .rst{stroke:#b03a2e;stroke-width:2}\
.ladder .callout{cursor:pointer}\
.ladder .callout rect{stroke-width:1.2}\
.ladder .callout text{font-size:11.5px}\
.ladder .callout .mark{font-weight:bold}\
.ladder .info rect{fill:#eaf2fc;stroke:#4a7bd0}\
.ladder .warning rect{fill:#fff4d6;stroke:#c98a00}\
.ladder .error rect{fill:#fde2e1;stroke:#c43b32}\
.ladder .advice rect{fill:#eef7ee;stroke:#3c8d40}\
.ladder .k-segment{opacity:.75}\
.ladder .undrawn{text-anchor:middle;font-style:italic;fill:#8a5a00}\
</style>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_well_formed_xml() {
        assert_eq!(esc("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(esc("bell\u{7}"), "bell\u{FFFD}");
    }

    #[test]
    fn pauses_grow_with_their_logarithm_and_long_ones_have_room_for_a_mark() {
        assert_eq!(pause_space(0.0005), 0.0);
        assert!((pause_space(0.01) - 9.0).abs() < 1e-9);
        assert!(pause_space(0.1) < pause_space(0.5));
        assert!(pause_space(1.0) >= 26.0);
        assert!(pause_space(3600.0) <= 40.0);
    }

    #[test]
    fn data_connections_cycle_through_the_palette_without_the_control_colour() {
        assert_eq!(colour(0), PALETTE[0]);
        for i in 1..20 {
            assert_ne!(colour(i), PALETTE[0]);
        }
        assert_eq!(colour(1), colour(PALETTE.len()));
    }
}
