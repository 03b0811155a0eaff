//! Output language (`--lang en|zh`): a translation layer applied where text is rendered.
//!
//! The report code writes English; with `--lang zh` the timeline, table and stderr notes
//! pass each annotation through [`Lang::tr`], which finds the English template it was made
//! from in a catalogue ([`zh`]) and puts its variable parts (addresses, numbers, names,
//! text the peers sent) into the Chinese template. Text with no template stays English;
//! `--lang zh-check` (hidden, for tests) marks it `⟦…⟧` so a test can list what is missing.
//!
//! Lookup: templates are indexed by their first fixed word (or, when they start with a
//! hole, by their last word); only those few are tried. A text with no whole template is
//! cut at `; ` and then at `, ` (outside brackets and quotes) and its parts translated.

mod template;
pub mod wrap;
mod zh;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use template::{Hole, Piece, Template};

/// The language of the human-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Chinese, in the terms of the articles (主动模式, 三次握手, 四次挥手 ...).
    Zh,
    /// Chinese with every untranslated text marked ⟦…⟧ (for tests).
    #[value(hide = true)]
    ZhCheck,
}

/// Start and end of an untranslated text in `zh-check` output.
pub const MISS_OPEN: char = '⟦';
/// See [`MISS_OPEN`].
pub const MISS_CLOSE: char = '⟧';

impl Lang {
    /// The language's code for an HTML page's `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh | Lang::ZhCheck => "zh",
        }
    }

    /// True for English (nothing to translate).
    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// `s` in this language; leading spaces and an ANSI colour around it are kept.
    pub fn tr<'a>(self, s: &'a str) -> Cow<'a, str> {
        if self.is_en() {
            return Cow::Borrowed(s);
        }
        BUDGET.with(|b| b.set(WORK_BUDGET));
        MEMO.with(|m| m.borrow_mut().clear());
        let body = s.trim_start_matches(' ');
        let indent = &s[..s.len() - body.len()];
        let out = match catalogue().text(body) {
            Some(t) => t,
            None if self == Lang::ZhCheck => format!("{MISS_OPEN}{body}{MISS_CLOSE}"),
            None => body.to_string(),
        };
        Cow::Owned(format!("{indent}{out}"))
    }

    /// A timeline step's head: `control   handshake 1/3  SYN ...`. The connection label is
    /// translated and padded by display width; the rest is translated unless it is a
    /// command or reply (protocol text, kept as sent).
    pub fn head(self, head: &str) -> String {
        if self.is_en() || head.is_empty() {
            return head.to_string();
        }
        let (pre, inner, post) = ansi_wrapped(head);
        let (label, rest) = split_label(inner);
        let Some(label) = label else {
            return format!("{pre}{}{post}", self.tr(inner));
        };
        let zh_label = match label.strip_prefix("data #") {
            Some(n) => format!("数据连接 #{n}"),
            None => "控制连接".to_string(),
        };
        let pad = 11usize.saturating_sub(wrap::width(&zh_label));
        let plain = strip_ansi(rest);
        let rest = if plain.starts_with("C→S") || plain.starts_with("S→C") {
            match rest.strip_suffix(" (inferred)") {
                Some(r) => format!("{r}（推断）"),
                None => rest.to_string(),
            }
        } else {
            self.tr(rest).into_owned()
        };
        format!("{pre}{zh_label}{} {rest}{post}", " ".repeat(pad))
    }
}

/// `control   rest` or `data #2    rest` -> (label, rest).
fn split_label(s: &str) -> (Option<&str>, &str) {
    let label_end = if s.starts_with("control ") {
        7
    } else if let Some(r) = s.strip_prefix("data #") {
        6 + r.find(' ').unwrap_or(r.len())
    } else {
        return (None, s);
    };
    (
        Some(&s[..label_end]),
        s[label_end..].trim_start_matches(' '),
    )
}

/// An ANSI colour around the whole text: (opening code, inner text, reset).
fn ansi_wrapped(s: &str) -> (&str, &str, &str) {
    if s.starts_with("\x1b[")
        && let Some(m) = s.find('m')
        && let Some(inner) = s[m + 1..].strip_suffix("\x1b[0m")
        && !inner.contains('\x1b')
    {
        return (&s[..=m], inner, "\x1b[0m");
    }
    ("", s, "")
}

/// The text without ANSI colour codes.
pub(crate) fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut esc = false;
    for c in s.chars() {
        match (esc, c) {
            (false, '\x1b') => esc = true,
            (true, 'm') => esc = false,
            (true, _) => {}
            (false, c) => out.push(c),
        }
    }
    out
}

/// Template lookups allowed for one text.
const WORK_BUDGET: u32 = 100_000;

thread_local! {
    /// What each text tried as a whole gave, within one translated text.
    static MEMO: std::cell::RefCell<HashMap<String, Option<String>>> = std::cell::RefCell::new(HashMap::new());
    static BUDGET: std::cell::Cell<u32> = const { std::cell::Cell::new(WORK_BUDGET) };
}

/// The catalogue, indexed.
struct Catalogue {
    exact: HashMap<&'static str, &'static str>,
    by_first: HashMap<String, Vec<Template>>,
    by_last: HashMap<String, Vec<Template>>,
    loose: Vec<Template>,
}

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::build(zh::ENTRIES))
}

/// The first word of `s` (up to a space).
fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

fn last_word(s: &str) -> &str {
    s.rsplit(' ').next().unwrap_or("")
}

impl Catalogue {
    fn build(entries: &[(&'static str, &'static str)]) -> Catalogue {
        let mut c = Catalogue {
            exact: HashMap::new(),
            by_first: HashMap::new(),
            by_last: HashMap::new(),
            loose: Vec::new(),
        };
        for &(en, zh) in entries {
            if !en.contains('{') && !en.contains('[') {
                c.exact.insert(en, zh);
                continue;
            }
            for v in template::variants(en) {
                let t = template::parse(&v, zh);
                match (t.pieces.first(), t.pieces.last()) {
                    (Some(Piece::Lit(l)), _) if l.contains(' ') => c
                        .by_first
                        .entry(first_word(l).to_string())
                        .or_default()
                        .push(t),
                    (_, Some(Piece::Lit(l))) if l.contains(' ') => c
                        .by_last
                        .entry(last_word(l).to_string())
                        .or_default()
                        .push(t),
                    _ => c.loose.push(t),
                }
            }
        }
        for list in c.by_first.values_mut().chain(c.by_last.values_mut()) {
            list.sort_by_key(|t| std::cmp::Reverse(t.fixed));
        }
        c.loose.sort_by_key(|t| std::cmp::Reverse(t.fixed));
        c
    }

    /// `s` translated whole or by parts; None when some part has no template.
    fn text(&self, s: &str) -> Option<String> {
        if s.is_empty() || !s.bytes().any(|b| b.is_ascii_alphabetic()) {
            return Some(s.to_string());
        }
        let (pre, inner, post) = ansi_wrapped(s);
        if !pre.is_empty() {
            return self.text(inner).map(|t| format!("{pre}{t}{post}"));
        }
        if let Some(t) = self.whole(s) {
            return Some(t);
        }
        for (sep, zh_sep) in [("; ", "；"), (", ", "，")] {
            let parts = split_top(s, sep);
            if parts.len() > 1 {
                return self.parts(&parts, sep, zh_sep);
            }
        }
        None
    }

    /// Joins runs of parts greedily (longest run with a template first).
    fn parts(&self, parts: &[&str], sep: &str, zh_sep: &str) -> Option<String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let mut done = false;
            for j in (i + 1..=parts.len()).rev() {
                let run = parts[i..j].join(sep);
                let t = if j == i + 1 {
                    self.text(&run)
                } else {
                    self.whole(&run)
                };
                if let Some(t) = t {
                    out.push(t);
                    i = j;
                    done = true;
                    break;
                }
            }
            if !done {
                return None;
            }
        }
        Some(out.join(zh_sep))
    }

    /// A hole's text: without letters, or matched whole (inside a colour).
    fn hole(&self, s: &str) -> Option<String> {
        if !s.bytes().any(|b| b.is_ascii_alphabetic()) {
            return Some(s.to_string());
        }
        let (pre, inner, post) = ansi_wrapped(s);
        self.whole(inner).map(|t| format!("{pre}{t}{post}"))
    }

    /// `s` matched by one template.
    fn whole(&self, s: &str) -> Option<String> {
        // Holes inside holes could make the tries grow fast on long text: a bound per
        // translated text keeps it linear (past it, the text counts as untranslated).
        if BUDGET.with(|b| {
            let left = b.get();
            b.set(left.saturating_sub(1));
            left == 0
        }) {
            return None;
        }
        if let Some(known) = MEMO.with(|m| m.borrow().get(s).cloned()) {
            return known;
        }
        let found = self.whole_uncached(s);
        MEMO.with(|m| m.borrow_mut().insert(s.to_string(), found.clone()));
        found
    }

    fn whole_uncached(&self, s: &str) -> Option<String> {
        if let Some(t) = self.exact.get(s) {
            return Some(t.to_string());
        }
        let fill = |h: Hole, v: &str| -> Option<String> {
            if !template::fits(h, v) {
                return None;
            }
            match h {
                // One template per hole, no cutting at separators: a cut inside a hole
                // would multiply the tries.
                Hole::Translated => self.hole(v),
                // `; ` joins clauses: a kept hole does not swallow the next clause (it
                // would stay English), unless the `; ` is inside brackets or quotes; nor
                // does it end or open a bracket of the text around it (`ports {})` must
                // not take `61204) (new`).
                Hole::Any if split_top(v, "; ").len() > 1 || !balanced(v) => None,
                _ => Some(v.to_string()),
            }
        };
        let lists = [
            self.by_first.get(first_word(s)),
            self.by_last.get(last_word(s)),
            Some(&self.loose),
        ];
        for t in lists.into_iter().flatten().flatten() {
            let mut caps = Vec::new();
            if template::matches(&t.pieces, s, &mut caps, &fill) {
                return Some(template::render(&t.out, &caps));
            }
        }
        None
    }
}

/// Whether the round brackets of `s` (outside double quotes) pair up.
fn balanced(s: &str) -> bool {
    let quotes_even = s.matches('"').count().is_multiple_of(2);
    let (mut depth, mut quoted) = (0i32, false);
    for c in s.chars() {
        match c {
            '"' if quotes_even => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `s` cut at `sep` where it is outside brackets and double quotes.
fn split_top<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let quotes_even = s.matches('"').count().is_multiple_of(2);
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            '"' if quotes_even => quoted = !quoted,
            _ => {}
        }
        if depth <= 0 && !quoted && i >= start && s[i..].starts_with(sep) && i > start {
            parts.push(&s[start..i]);
            start = i + sep.len();
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests;

/// A writer that translates each whole line written through it (the session summary, the
/// capture's totals): leading spaces and colours are kept, a line without letters passes.
pub struct LineWriter<'a> {
    out: &'a mut dyn std::io::Write,
    lang: Lang,
    buf: Vec<u8>,
}

impl<'a> LineWriter<'a> {
    /// Lines written are translated into `lang` and written to `out`.
    pub fn new(out: &'a mut dyn std::io::Write, lang: Lang) -> LineWriter<'a> {
        LineWriter {
            out,
            lang,
            buf: Vec::new(),
        }
    }

    fn line(&mut self, line: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(line);
        // A table's borders and rows (box drawing) were translated cell by cell.
        if strip_ansi(text.trim_start())
            .starts_with(|c: char| ('\u{2500}'..='\u{257f}').contains(&c))
        {
            return self.out.write_all(line);
        }
        self.out.write_all(self.lang.tr(&text).as_bytes())
    }
}

impl std::io::Write for LineWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        while let Some(nl) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=nl).collect();
            self.line(&line[..nl])?;
            self.out.write_all(b"\n")?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let line = std::mem::take(&mut self.buf);
            self.line(&line)?;
        }
        self.out.flush()
    }
}
