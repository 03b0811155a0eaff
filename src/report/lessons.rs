//! The articles' lessons, read off one session for the timeline.
//!
//! **Input:** a finished [`Session`] (its steps are known when the timeline prints it).
//! **Output:** short phrases the timeline adds to its steps and summary: where each data
//! connection's handshake and close are (step numbers), so a 150 can say whether the data
//! connection is already open or opens next and a 226 can say who really closed it; how an
//! announced client port relates to the control port (N+1, N+k, or not); what a pure ACK
//! acknowledges (`-v`); what an MLSD line's facts say; and the session's conclusions (one
//! control connection, one data connection per transfer, data commands and control
//! commands). Everything is taken from the capture; nothing is assumed from the mode.

use super::safe::{self, MAX_SHOWN};
use crate::endpoint::Endpoint;
use crate::ftp::command::CommandKind;
use crate::ftp::verbs;
use crate::model::steps::{Scope, StepKind, role, session_steps};
use crate::model::{CommandRecord, Direction, Mode, ReplyRecord, Session, Transfer};
use crate::tcp::{ConnRecord, SegmentNote, Side};
use std::collections::HashMap;

/// Step numbers of each data connection's handshake and close, by transfer id.
#[derive(Debug, Default)]
pub struct StepIndex {
    /// First and last handshake step, and the handshake's last frame.
    opened: HashMap<u32, (usize, usize, u64)>,
    /// First close step and its frame.
    closed: HashMap<u32, (usize, u64)>,
}

impl StepIndex {
    /// Numbers the session's steps as the timeline does (findings get no number).
    pub fn new(s: &Session) -> StepIndex {
        let mut index = StepIndex::default();
        let mut n = 0;
        for step in session_steps(s) {
            if !step.numbered() {
                continue;
            }
            n += 1;
            match step.kind {
                StepKind::Handshake {
                    scope: Scope::Data(t),
                    ..
                } => {
                    let e = index.opened.entry(t).or_insert((n, n, step.frame));
                    e.1 = n;
                    e.2 = step.frame;
                }
                StepKind::Close {
                    scope: Scope::Data(t),
                    ..
                } => {
                    index.closed.entry(t).or_insert((n, step.frame));
                }
                _ => {}
            }
        }
        index
    }
}

/// "step 12" or "steps 12–14".
fn steps_words(a: usize, b: usize) -> String {
    if a == b {
        format!("step {a}")
    } else {
        format!("steps {a}–{b}")
    }
}

fn transfer_of<'a>(s: &'a Session, cmd: &CommandRecord) -> Option<&'a Transfer> {
    let id = cmd.transfer?;
    s.transfers.iter().find(|t| t.id == id)
}

/// For a 125 or 150: the data connection against what the capture shows (RFC 959 lets a
/// server connect or accept before or after it sends the preliminary reply).
pub fn preliminary_words(
    s: &Session,
    index: &StepIndex,
    cmd: &CommandRecord,
    reply: &ReplyRecord,
) -> Option<String> {
    if !matches!(reply.code, Some(125 | 150)) {
        return None;
    }
    let t = transfer_of(s, cmd)?;
    let code = reply.code.unwrap_or(150);
    let Some(d) = &t.data else {
        return Some("no data connection for it is in the capture".into());
    };
    let &(first, last, last_frame) = index.opened.get(&t.id)?;
    let how = if d.opened_by == "server" {
        "this server connects to the client first"
    } else {
        "this server accepts the client's connection first"
    };
    Some(if last_frame < reply.frame {
        format!(
            "the data connection is already open ({}): {how}, then sends {code}",
            steps_words(first, last)
        )
    } else {
        format!(
            "the data connection opens next ({})",
            steps_words(first, last)
        )
    })
}

/// For the final reply of a transfer (226, 250...): who really closed its data connection,
/// from that connection's close (the FIN that came first), and where.
pub fn closed_by_words(
    s: &Session,
    index: &StepIndex,
    cmd: &CommandRecord,
    reply: &ReplyRecord,
) -> Option<String> {
    let code = reply.code?;
    if code / 100 != 2 {
        return None;
    }
    let t = transfer_of(s, cmd)?;
    let d = t.data.as_ref()?;
    let close = d.tcp.close.as_ref()?;
    let &(n, frame) = index.closed.get(&t.id)?;
    let closer = match close.initiator {
        Side::Orig => d.tcp.orig,
        Side::Resp => d.tcp.resp,
    };
    let who = role(closer, d.client);
    let when = if frame < reply.frame {
        "closed"
    } else {
        "closes"
    };
    let mut w = format!(
        "transfer complete; the {who} {when} the data connection first ({})",
        steps_words(n, n)
    );
    if who == "client" && t.direction == Direction::Upload {
        w.push_str(": its FIN ends the upload (end of file in stream mode)");
    } else if who == "server" && t.direction != Direction::Upload {
        w.push_str(": its FIN marks the end of the data (stream mode)");
    }
    Some(w)
}

/// How a port the client announces (PORT, EPRT) relates to its control port N: "N+1" when
/// it follows it, "N+k", or not related.
pub fn port_words(s: &Session, index: usize, cmd: &CommandRecord) -> Option<String> {
    let ep = cmd.data_endpoint?;
    if !matches!(cmd.command.as_str(), "PORT" | "EPRT" | "LPRT") || ep.ip != s.client.ip {
        return None;
    }
    let n = s.client.port;
    let previous = s.commands[..index]
        .iter()
        .rev()
        .filter(|c| matches!(c.command.as_str(), "PORT" | "EPRT" | "LPRT"))
        .find_map(|c| c.data_endpoint)
        .filter(|p| p.ip == ep.ip);
    let k = i32::from(ep.port) - i32::from(n);
    let mut w = if (1..=1000).contains(&k) {
        format!(
            "data port {} = N+{k}, N = {n} being the client's control port",
            ep.port
        )
    } else {
        format!(
            "data port {} does not follow the control port (N = {n}): not N+1, the client chose it",
            ep.port
        )
    };
    if let Some(p) = previous {
        if ep.port == p.port.wrapping_add(1) {
            w.push_str(&format!(
                "; one more than the previous data port {}",
                p.port
            ));
        } else if ep.port == p.port {
            w.push_str("; the same port as the previous transfer");
        }
    }
    Some(w)
}

/// For a pure ACK (`-v`): what it acknowledges, by the peer's segment that ends where the
/// acknowledgment points.
pub fn ack_words(
    s: &Session,
    scope: Scope,
    conn: &ConnRecord,
    note: &SegmentNote,
    client: Endpoint,
) -> Option<String> {
    if note.len > 0 {
        return None;
    }
    let acked = note.acked?;
    let peer = note.from.other();
    let peer_ep = match peer {
        Side::Orig => conn.orig,
        Side::Resp => conn.resp,
    };
    let stream = format!("the {}'s stream", role(peer_ep, client));
    let seg = conn
        .segments
        .iter()
        .filter(|n| n.from == peer && n.len > 0 && n.frame < note.frame)
        .rfind(|n| n.offset + n.len as i64 == acked);
    let Some(seg) = seg else {
        return Some(if acked <= 0 {
            format!("acknowledges nothing of {stream} yet")
        } else {
            format!("acknowledges {stream} up to byte {acked}")
        });
    };
    let range = format!("bytes {}–{acked} of {stream}", seg.offset + 1);
    let what = match scope {
        Scope::Control => message_at(s, seg.frame),
        Scope::Data(_) => None,
    };
    Some(match what {
        Some(w) => format!("acknowledges {w} ({range})"),
        None => format!("acknowledges {range}"),
    })
}

/// The command or reply a control-connection frame carried, in a few words.
fn message_at(s: &Session, frame: u64) -> Option<String> {
    if let Some(g) = &s.greeting
        && g.frame == frame
    {
        let code = g.code.map_or(String::new(), |c| format!("{c} "));
        return Some(format!("the {code}greeting"));
    }
    let mut found = Vec::new();
    for c in &s.commands {
        if c.frame == frame {
            let arg = match &c.arg {
                Some(_) if c.masked => " (the password)".to_string(),
                Some(a) => format!(" {}", safe::shorten(a.wire_bytes(), MAX_SHOWN)),
                None => String::new(),
            };
            found.push(format!("{}{arg}", safe::escape(c.command.as_bytes())));
        }
        for r in &c.replies {
            if r.frame == frame {
                found.push(match r.code {
                    Some(c) => format!("the {c} reply"),
                    None => "a line without a reply code".to_string(),
                });
            }
        }
    }
    (!found.is_empty()).then(|| found.join(", "))
}

/// What an MLSD/MLST line's facts say (RFC 3659 section 7): `type=dir;modify=20250102011711;
/// my2024` -> "directory my2024, modified 2025-01-02 01:17:11 UTC". `None` for a line
/// without facts.
pub fn mlsd_facts(line: &str) -> Option<String> {
    let (facts, name) = crate::ftp::listing::mlsd::facts(line.as_bytes())?;
    // Split at ASCII bytes of a `&str`: each part is valid UTF-8.
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let name = text(name);
    let mut kind = "entry".to_string();
    let mut rest = Vec::new();
    for (key, value) in facts {
        let (key, value) = (text(key).to_ascii_lowercase(), text(value));
        let value = value.as_str();
        match key.as_str() {
            "type" => {
                kind = match value.to_ascii_lowercase().as_str() {
                    "file" => "file".into(),
                    "dir" => "directory".into(),
                    "cdir" => "the listed directory itself".into(),
                    "pdir" => "the parent directory".into(),
                    v if v.contains("slink") => "symbolic link".into(),
                    _ => format!("entry of type {value}"),
                }
            }
            "modify" => rest.push(format!("modified {}", fact_time(value))),
            "create" => rest.push(format!("created {}", fact_time(value))),
            "size" => rest.push(format!("{value} bytes")),
            "sizd" => rest.push(format!("{value} bytes as a directory entry")),
            "perm" => rest.push(format!("may {}", perm_words(value))),
            "unique" => rest.push(format!("unique id {value}")),
            "unix.mode" => rest.push(format!("mode {value}")),
            "unix.owner" | "unix.uid" => rest.push(format!("owner {value}")),
            "unix.group" | "unix.gid" => rest.push(format!("group {value}")),
            "lang" => rest.push(format!("language {value}")),
            "charset" => rest.push(format!("character set {value}")),
            "media-type" => rest.push(format!("media type {value}")),
            _ => rest.push(format!("{key} {value}")),
        }
    }
    let mut out = format!("{kind} {name}");
    for r in rest {
        out.push_str(", ");
        out.push_str(&r);
    }
    Some(out)
}

/// `20250102011711` (or with `.sss`) as `2025-01-02 01:17:11 UTC`; other text as sent.
fn fact_time(v: &str) -> String {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return v.to_string();
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!(
        "{}-{}-{} {}:{}:{}{frac} UTC",
        &whole[0..4],
        &whole[4..6],
        &whole[6..8],
        &whole[8..10],
        &whole[10..12],
        &whole[12..14]
    )
}

/// RFC 3659 section 7.5.5's permission letters in words.
fn perm_words(v: &str) -> String {
    let words: Vec<&str> = v
        .chars()
        .filter_map(|c| {
            Some(match c.to_ascii_lowercase() {
                'a' => "append",
                'c' => "create files",
                'd' => "delete",
                'e' => "enter",
                'f' => "rename",
                'l' => "list",
                'm' => "make directories",
                'p' => "purge",
                'r' => "retrieve",
                'w' => "store",
                _ => return None,
            })
        })
        .collect();
    if words.is_empty() {
        "nothing".into()
    } else {
        words.join("/")
    }
}

/// The session's conclusions, as article 001 draws them: one control connection carries
/// the data connections, one data connection per transfer, which commands used one.
pub fn session_lessons(s: &Session) -> Vec<String> {
    let mut out = Vec::new();
    let with_data: Vec<&Transfer> = s.transfers.iter().filter(|t| t.data.is_some()).collect();
    if !s.transfers.is_empty() {
        let verbs: Vec<String> = with_data.iter().map(|t| t.command.clone()).collect();
        let mut line = format!(
            "one control connection ({} → {}) carried {} data connection{}",
            s.client,
            s.server,
            with_data.len(),
            if with_data.len() == 1 { "" } else { "s" }
        );
        if !with_data.is_empty() {
            line.push_str(&format!(
                ", one per transfer ({}), each with its own three-way handshake and close",
                verbs.join(", ")
            ));
        }
        let missing = s.transfers.len() - with_data.len();
        if missing > 0 {
            line.push_str(&format!(
                "; {missing} transfer{} had no data connection in the capture",
                if missing == 1 { "" } else { "s" }
            ));
        }
        out.push(line);
    }
    let mut data_cmds: Vec<String> = Vec::new();
    let mut control_cmds: Vec<String> = Vec::new();
    for c in &s.commands {
        let verb = safe::escape(c.command.as_bytes());
        let is_data = c.transfer.is_some()
            || matches!(
                verbs::lookup(&c.command).map(|v| v.kind),
                Some(CommandKind::Transfer(_))
            );
        let list = if is_data {
            &mut data_cmds
        } else {
            &mut control_cmds
        };
        if !list.contains(&verb) {
            list.push(verb);
        }
    }
    if !data_cmds.is_empty() {
        out.push(format!(
            "data commands (they use a data connection): {}; control commands (answered on the control connection alone): {}",
            data_cmds.join(", "),
            if control_cmds.is_empty() {
                "none".to_string()
            } else {
                control_cmds.join(", ")
            }
        ));
    }
    let ports: Vec<String> = s
        .transfers
        .iter()
        .filter(|t| t.mode == Some(Mode::Active))
        .filter_map(|t| t.data.as_ref())
        .filter(|d| d.client.ip == s.client.ip)
        .map(|d| {
            let k = i32::from(d.client.port) - i32::from(s.client.port);
            if (1..=1000).contains(&k) {
                format!("{} (N+{k})", d.client.port)
            } else {
                d.client.port.to_string()
            }
        })
        .collect();
    if !ports.is_empty() {
        let from20 = s
            .transfers
            .iter()
            .filter(|t| t.mode == Some(Mode::Active))
            .filter_map(|t| t.data.as_ref())
            .filter(|d| d.opened_by == "server" && d.tcp.orig.port == 20)
            .count();
        let by_server = match (from20, ports.len()) {
            (0, _) => "none opened by the server from port 20".to_string(),
            (1, 1) => "opened by the server from its port 20".to_string(),
            (a, b) if a == b => "each opened by the server from its port 20".to_string(),
            (a, b) => format!("{a} of {b} opened by the server from its port 20"),
        };
        out.push(format!(
            "active mode: control port N = {}, client data port{} {}, {by_server}",
            s.client.port,
            if ports.len() == 1 { "" } else { "s" },
            ports.join(", "),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlsd_facts_in_words() {
        assert_eq!(
            mlsd_facts("type=dir;modify=20250102011711; my2024").as_deref(),
            Some("directory my2024, modified 2025-01-02 01:17:11 UTC")
        );
        assert_eq!(
            mlsd_facts("type=file;size=1000;perm=rw;UNIX.mode=0644;unique=803g1; a b.txt")
                .as_deref(),
            Some("file a b.txt, 1000 bytes, may retrieve/store, mode 0644, unique id 803g1")
        );
        assert_eq!(
            mlsd_facts("type=cdir;modify=20250102011711.5; /").as_deref(),
            Some("the listed directory itself /, modified 2025-01-02 01:17:11.5 UTC")
        );
        assert_eq!(
            mlsd_facts("Type=pdir;Modify=bad; ..").as_deref(),
            Some("the parent directory .., modified bad")
        );
        assert_eq!(
            mlsd_facts("-rw-r--r-- 1 0 0 4520 Oct 15 04:46 iptab.txt"),
            None
        );
        assert_eq!(mlsd_facts("nofacts"), None);
    }
}
