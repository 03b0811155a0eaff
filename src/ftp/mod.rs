//! Everything FTP: the control channel's parsers (pure functions over bytes), the verb
//! table, the findings' catalogue, and the session state machine that uses them.
//!
//! **Input:** the in-order bytes of each direction of a control connection (from `tcp`),
//! with gaps and the end of the stream marked.
//!
//! **Output:** lines, commands, replies, announced data endpoints, and the meanings and
//! small facts the reports show. The session state machine ([`session`]: which reply
//! answers which command, which data connection a transfer used) calls these; the tracker
//! in [`crate::link`] drives it.
//!
//! | module | turns | into |
//! |---|---|---|
//! | [`mod@line`] | bytes of one direction (any chunking, Telnet IAC sequences, gaps) | [`Line`]s, bounded |
//! | [`command`] | a client line `RETR temp.txt` | [`Command`] (verb, exact argument), [`CommandKind`], [`Direction`] |
//! | [`reply`] | server lines `211-Features:` ... `211 End` | [`ReplyLine`], [`Reply`] (multi-line assembled, bounded) |
//! | [`address`] | PORT / EPRT / LPRT arguments, 227 / 228 / 229 texts | [`Announced`] endpoint or [`AddressError`] |
//! | [`meaning`] | a reply code or a verb | a short phrase for the reader |
//! | [`detect`] | the first bytes of both sides of any connection | FTP control or not (FTP on any port) |
//! | [`findings`] | — | the catalogue of findings: severity, meaning, what to do |
//! | [`pending`] | commands sent, replies received, stretches lost | which command each reply answers |
//! | [`tls`] | bytes after AUTH TLS | TLS record framing, where plain text resumes (CCC) |
//! | [`verbs`] | a verb | its row: kind, direction, meaning, replies that may answer it |
//! | [`text`] | reply texts | announced size, STOU file name, SIZE answer, 257 path |
//! | [`listing`] | the bytes of a LIST/NLST/MLSD data connection | a model [`Listing`](crate::model::listing::Listing): entries, unparsed lines |
//! | [`session`] | a control connection's bytes and its data connections | a session of the model |
//!
//! Rules shared by all of them: capture bytes never panic (no unchecked indexing, no
//! unwrap on input, no arithmetic overflow); what is borrowed stays borrowed (lines and
//! arguments are slices of the input); every buffer is bounded and what a bound dropped
//! is counted.

pub mod address;
pub mod command;
pub mod detect;
pub mod findings;
pub mod line;
pub mod listing;
pub mod meaning;
pub mod pending;
pub mod reply;
pub mod session;
pub mod text;
pub mod tls;
pub mod verbs;

pub use address::{
    AddressError, Announced, parse_227, parse_228, parse_229, parse_eprt, parse_lprt, parse_port,
};
pub use command::{
    ActiveKind, Command, CommandKind, Direction, LoginKind, PassiveKind, TransferKind, Verb, kind,
    parse_command, transfer_direction,
};
pub use line::{Line, LineSplitter, TelnetSeen};
pub use meaning::{command_meaning, reply_meaning};
pub use reply::{Reply, ReplyAssembler, ReplyLine, parse_reply_line};
pub use text::{announced_size, quoted_path, size_reply, stou_file_name};

#[cfg(test)]
mod tests {
    use super::*;

    /// Random bytes, biased towards the ones the parsers decide on, through every parser:
    /// nothing may panic, and the splitter must stay bounded.
    #[test]
    fn garbage_never_panics() {
        const ALPHABET: &[u8] = b"0123456789,|!()=-  \r\n\xff\xf4\xf2\xfa\xf0\xfb\"aZB:.\x00\x80";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut splitter = LineSplitter::new(256);
        let mut replies = ReplyAssembler::new(8, 512);
        for round in 0..3000 {
            let len = (next() % 300) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 4 == 0 {
                        (r >> 8) as u8
                    } else {
                        ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                    }
                })
                .collect();
            let mut lines = Vec::new();
            splitter.push(&data, &mut |l| lines.push((l.text.to_vec(), l.full_len)));
            assert!(splitter.buffered() <= 257);
            if round % 97 == 0 {
                splitter.gap(1);
                replies.reset();
            }
            for (text, full_len) in lines
                .iter()
                .chain(std::iter::once(&(data.clone(), data.len())))
            {
                let c = parse_command(text);
                let _ = kind(c.verb);
                let _ = command_meaning(c.verb.as_str());
                let arg = c.arg.unwrap_or(text);
                let _ = parse_port(arg);
                let _ = parse_eprt(arg);
                let _ = parse_lprt(arg);
                let _ = parse_227(text);
                let _ = parse_228(text);
                let _ = parse_229(text);
                let _ = parse_reply_line(text);
                if let Some(r) = replies.push_line_with_len(text, *full_len) {
                    assert!(r.lines.len() <= 8);
                    assert!(r.lines.iter().map(|l| l.len()).sum::<usize>() <= 512 * 3);
                    let _ = r.code.map(reply_meaning);
                }
                let _ = announced_size(text);
                let _ = stou_file_name(text);
                let _ = size_reply(text);
                let _ = quoted_path(text);
            }
        }
        splitter.finish(&mut |_| {});
        let _ = replies.finish();
    }
}
