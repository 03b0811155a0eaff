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
            if glue && !space {
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
    let mut line = String::new();
    for (sp, u) in units {
        // Closing punctuation glued to the unit before it.
        let glue_back = u.chars().next().is_some_and(no_break_before) && !sp;
        let add = if sp && !line.is_empty() { 1 } else { 0 };
        if !line.is_empty() && !glue_back && line.width() + add + u.width() > max {
            lines.push(std::mem::take(&mut line));
        } else if sp && !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&u);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
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
