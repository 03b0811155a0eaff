//! Templates with holes: an English phrase with `{}` holes matched against rendered text,
//! and the Chinese phrase the holes are put back into.
//!
//! English side: `{}` any text (kept as sent), `{n}` a number (digits, `,` `.`), `{s}` an
//! RFC 793 state name (kept), `{w}` a name in a list (kept; no `, ` nor `; ` in it), `{t}`
//! text that is itself translated (a role, a byte count); `[x]` an optional literal
//! (`command[s]`). Chinese side: `{}` the next hole, `{N}` hole N.
//! Holes are matched shortest first, with backtracking; a hole is never empty.

/// One part of an English template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Lit(String),
    Hole(Hole),
}

/// What a hole accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hole {
    Any,
    Num,
    State,
    Word,
    Translated,
}

/// One part of a Chinese template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Out {
    Lit(String),
    Ref(usize),
}

/// A parsed entry of the catalogue.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) pieces: Vec<Piece>,
    pub(crate) out: Vec<Out>,
    /// Characters of fixed text: more fixed text is tried first.
    pub(crate) fixed: usize,
}

/// Expands `[x]` optional literals into every variant.
pub(crate) fn variants(en: &str) -> Vec<String> {
    let Some(open) = en.find('[') else {
        return vec![en.to_string()];
    };
    let Some(close) = en[open..].find(']').map(|c| open + c) else {
        return vec![en.to_string()];
    };
    let (head, opt, tail) = (&en[..open], &en[open + 1..close], &en[close + 1..]);
    let mut out = Vec::new();
    for rest in variants(tail) {
        out.push(format!("{head}{opt}{rest}"));
        out.push(format!("{head}{rest}"));
    }
    out
}

/// Parses one English variant and its Chinese text.
pub(crate) fn parse(en: &str, zh: &str) -> Template {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut rest = en;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}').map(|j| i + j) else {
            break;
        };
        let hole = match &rest[i + 1..j] {
            "" => Hole::Any,
            "n" => Hole::Num,
            "s" => Hole::State,
            "w" => Hole::Word,
            "t" => Hole::Translated,
            _ => {
                lit.push_str(&rest[..=j]);
                rest = &rest[j + 1..];
                continue;
            }
        };
        lit.push_str(&rest[..i]);
        if !lit.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        pieces.push(Piece::Hole(hole));
        rest = &rest[j + 1..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    let mut out = Vec::new();
    let mut next = 0;
    let mut rest = zh;
    let mut lit = String::new();
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}').map(|j| i + j) else {
            break;
        };
        let inner = &rest[i + 1..j];
        let index = if inner.is_empty() {
            next += 1;
            Some(next - 1)
        } else {
            inner.parse::<usize>().ok()
        };
        lit.push_str(&rest[..i]);
        match index {
            Some(n) => {
                if !lit.is_empty() {
                    out.push(Out::Lit(std::mem::take(&mut lit)));
                }
                out.push(Out::Ref(n));
            }
            None => lit.push_str(&rest[i..=j]),
        }
        rest = &rest[j + 1..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        out.push(Out::Lit(lit));
    }
    let fixed = pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(l) => l.chars().count(),
            Piece::Hole(_) => 0,
        })
        .sum();
    Template { pieces, out, fixed }
}

/// Whether `s` can fill a hole of kind `h` (translated holes are checked by the caller).
pub(crate) fn fits(h: Hole, s: &str) -> bool {
    !s.is_empty()
        && match h {
            Hole::Any | Hole::Translated => true,
            Hole::Num => s
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.'),
            Hole::State => s
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '-' || c.is_ascii_digit()),
            Hole::Word => !s.contains(", ") && !s.contains("; "),
        }
}

/// Matches `pieces` against all of `s`; `fill` decides a hole's value (None: it does not
/// fit). Filled values are pushed on `caps`.
pub(crate) fn matches(
    pieces: &[Piece],
    s: &str,
    caps: &mut Vec<String>,
    fill: &dyn Fn(Hole, &str) -> Option<String>,
) -> bool {
    match pieces.split_first() {
        None => s.is_empty(),
        Some((Piece::Lit(l), rest)) => {
            s.starts_with(l.as_str()) && matches(rest, &s[l.len()..], caps, fill)
        }
        Some((Piece::Hole(h), rest)) => match rest.first() {
            None => match fill(*h, s) {
                Some(v) => {
                    caps.push(v);
                    true
                }
                None => false,
            },
            Some(Piece::Lit(next)) => {
                let mut from = 1;
                while from <= s.len() {
                    let Some(at) = s.get(from..).and_then(|t| t.find(next.as_str())) else {
                        // `from` inside a character: move on to the next boundary.
                        if !s.is_char_boundary(from) {
                            from += 1;
                            continue;
                        }
                        return false;
                    };
                    let at = from + at;
                    if let Some(v) = fill(*h, &s[..at]) {
                        let keep = caps.len();
                        caps.push(v);
                        if matches(rest, &s[at..], caps, fill) {
                            return true;
                        }
                        caps.truncate(keep);
                    }
                    from = at + 1;
                }
                false
            }
            // Two holes side by side are refused when the catalogue is built.
            Some(Piece::Hole(_)) => false,
        },
    }
}

/// The Chinese text with the holes' values put in.
pub(crate) fn render(out: &[Out], caps: &[String]) -> String {
    let mut s = String::new();
    for o in out {
        match o {
            Out::Lit(l) => s.push_str(l),
            Out::Ref(n) => s.push_str(caps.get(*n).map_or("", String::as_str)),
        }
    }
    s
}
