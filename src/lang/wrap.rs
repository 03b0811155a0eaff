//! Display width and word wrapping that also breaks Chinese text, which has no spaces.
//!
//! A line may break at a space, or before or after a wide (CJK) character, but never before
//! closing punctuation (，。；：）) nor after an opening bracket (（).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns a terminal gives `s` (ANSI colour codes take none).
pub fn width(s: &str) -> usize {
    if !s.contains('\x1b') {
        return s.width();
    }
    super::strip_ansi(s).width()
}

fn wide(c: char) -> bool {
    c.width().unwrap_or(0) >= 2
}

fn no_break_before(c: char) -> bool {
    "，。；：、）」』！？%".contains(c)
}

/// Wraps `text` to `width` columns.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    // Units that stay together: ASCII words (with the space before them) or one wide char.
    let mut units: Vec<(bool, String)> = Vec::new(); // (space before, text)
    let mut space = false;
    let mut word = String::new();
    let flush = |units: &mut Vec<(bool, String)>, word: &mut String, space: &mut bool| {
        if !word.is_empty() {
            units.push((*space, std::mem::take(word)));
            *space = false;
        }
    };
    for c in text.chars() {
        if c == ' ' {
            flush(&mut units, &mut word, &mut space);
            space = true;
        } else if wide(c) || no_break_before(c) {
            let glue = no_break_before(c) || word.ends_with('（');
            // `space` is the word's own space before it: a char right after the word's
            // last char is glued to it.
            if glue && !(word.is_empty() && space) {
                word.push(c);
            } else {
                flush(&mut units, &mut word, &mut space);
                word.push(c);
            }
            if c != '（' {
                flush(&mut units, &mut word, &mut space);
            }
        } else {
            if word.chars().last().is_some_and(wide) && !word.ends_with('（') {
                flush(&mut units, &mut word, &mut space);
            }
            word.push(c);
        }
    }
    flush(&mut units, &mut word, &mut space);
    let mut lines = Vec::new();
    let mut line: Vec<(bool, String)> = Vec::new();
    for (sp, u) in units {
        let add = usize::from(sp && !line.is_empty());
        if !line.is_empty() && joined(&line).width() + add + u.width() > max {
            // Closing punctuation may not begin a line: the units before it go down with
            // it (one unit at least stays, or the line is left too long).
            let mut keep = line.len();
            if u.chars().next().is_some_and(no_break_before) && !sp {
                keep -= 1;
                while keep > 0 && line[keep].1.starts_with(no_break_before) && !line[keep].0 {
                    keep -= 1;
                }
            }
            if keep > 0 {
                let down = line.split_off(keep);
                lines.push(joined(&line));
                line = down;
            }
        }
        line.push((sp, u));
    }
    if !line.is_empty() {
        lines.push(joined(&line));
    }
    lines
}

/// Units of one line, a space where one stood (not before the first).
fn joined(units: &[(bool, String)]) -> String {
    let mut s = String::new();
    for (i, (sp, u)) in units.iter().enumerate() {
        if *sp && i > 0 {
            s.push(' ');
        }
        s.push_str(u);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
    }

    #[test]
    fn chinese_wraps_between_characters_by_width() {
        let lines = wrap("客户端向服务器发起控制连接，端口 21", 10);
        for l in &lines {
            assert!(l.width() <= 10, "{l}");
            assert!(!l.starts_with('，'), "{l}");
        }
        assert_eq!(
            lines.concat().replace(' ', ""),
            "客户端向服务器发起控制连接，端口21"
        );
    }
}
