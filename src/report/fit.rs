//! Fitting the human-readable output to a terminal's width.
//!
//! [`output_width`] decides the width: `COLUMNS` when set (as `ls` does: a user piping into
//! `less` may ask for a width), else the terminal's when stdout is one; otherwise `None`,
//! and the timeline and tables keep their fixed layout, so files, pipes and tests get the
//! same bytes whatever terminal started them.
//!
//! [`FitWriter`] is the guarantee behind the layouts that use the width: every line that
//! reaches it wider than the width is wrapped at spaces (a word wider than a line is cut
//! by display columns, so Chinese wraps between characters), continuation lines indented
//! under the line's text. It counts display columns (CJK characters take two, ANSI
//! colour codes none), and holds one line at a time.

use crate::lang::wrap::width as columns;
use std::io::{self, IsTerminal, Write};
use unicode_width::UnicodeWidthChar;

/// The narrowest width the layouts honour; a smaller `COLUMNS` is taken as this.
pub const MIN_WIDTH: usize = 40;
/// The widest width used (a `COLUMNS` beyond it is taken as this).
const MAX_WIDTH: usize = 1000;

/// The width to fit the timeline and tables to: `COLUMNS` if set to a number, else the
/// terminal's when the output is stdout and stdout is a terminal; `None` keeps the fixed
/// layout.
pub fn output_width(to_stdout: bool) -> Option<usize> {
    if let Some(cols) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return Some(cols.clamp(MIN_WIDTH, MAX_WIDTH));
    }
    if to_stdout && io::stdout().is_terminal() {
        let (terminal_size::Width(w), _) = terminal_size::terminal_size_of(io::stdout())?;
        return Some((w as usize).clamp(MIN_WIDTH, MAX_WIDTH));
    }
    None
}

/// A writer that wraps each line wider than `width` display columns.
pub struct FitWriter {
    inner: Box<dyn Write>,
    width: usize,
    /// The line being written, up to its newline.
    line: Vec<u8>,
}

impl FitWriter {
    /// Wraps the lines written to `inner` to `width` columns (at least [`MIN_WIDTH`]).
    pub fn new(inner: Box<dyn Write>, width: usize) -> FitWriter {
        FitWriter {
            inner,
            width: width.max(MIN_WIDTH),
            line: Vec::new(),
        }
    }

    fn emit_line(&mut self) -> io::Result<()> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        for part in fit_line(&line, self.width) {
            self.inner.write_all(part.as_bytes())?;
            self.inner.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl Write for FitWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..nl]);
            self.emit_line()?;
            rest = &rest[nl + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for FitWriter {
    fn drop(&mut self) {
        // A last line without its newline: written as it is (nothing can be reported now).
        if !self.line.is_empty() {
            let _ = self.inner.write_all(&std::mem::take(&mut self.line));
            let _ = self.inner.flush();
        }
    }
}

/// Where the text of a timeline step line begins: after `step time frame` and two
/// spaces (`   12    9.242486      17  control ...`), in bytes; `None` for other lines.
fn step_prefix(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut fields = 0;
    while fields < 3 {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_digit() || (fields == 1 && *c == b'.'))
        {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b' ') {
            return None;
        }
        fields += 1;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    Some(i)
}

/// `line` as lines of at most `width` columns: wrapped at spaces, continuation lines
/// indented two columns past where the line's text begins.
pub fn fit_line(line: &str, width: usize) -> Vec<String> {
    if columns(line) <= width {
        return vec![line.to_string()];
    }
    let plain = crate::lang::strip_ansi(line);
    let lead = match step_prefix(&plain) {
        Some(p) => p,
        None => plain.len() - plain.trim_start_matches(' ').len(),
    };
    let hang = (lead + 2).min(width / 2);
    // The line's own leading spaces stay on its first line.
    let body_start = line.len() - line.trim_start_matches(' ').len();
    let mut out = Vec::new();
    let mut cur = line[..body_start].to_string();
    let mut cur_w = body_start;
    let mut fresh = true; // no word on `cur` yet
    for word in line[body_start..].split(' ') {
        let w = columns(word);
        let space = usize::from(!fresh);
        if cur_w + space + w <= width {
            if !fresh {
                cur.push(' ');
            }
            cur.push_str(word);
            cur_w += space + w;
            fresh = false;
            continue;
        }
        if !fresh {
            out.push(std::mem::take(&mut cur));
            cur = " ".repeat(hang);
            cur_w = hang;
        }
        if cur_w + w <= width || word.is_empty() {
            cur.push_str(word);
            cur_w += w;
            fresh = false;
            continue;
        }
        // Wider than a whole line: cut by columns (its colours are dropped).
        for c in crate::lang::strip_ansi(word).chars() {
            let cw = c.width().unwrap_or(0);
            if cur_w + cw > width && cur_w > hang {
                out.push(std::mem::take(&mut cur));
                cur = " ".repeat(hang);
                cur_w = hang;
            }
            cur.push(c);
            cur_w += cw;
        }
        fresh = false;
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(lines: &[String], width: usize) {
        for l in lines {
            assert!(columns(l) <= width, "{} columns: {l:?}", columns(l));
        }
    }

    #[test]
    fn short_lines_are_untouched() {
        assert_eq!(fit_line("  a b c", 40), vec!["  a b c"]);
        assert_eq!(fit_line("", 40), vec![""]);
    }

    #[test]
    fn long_lines_wrap_at_spaces_under_their_text() {
        let line = format!("    {}", "word ".repeat(30).trim_end());
        let lines = fit_line(&line, 40);
        fits(&lines, 40);
        assert!(lines.len() > 3);
        assert!(lines[0].starts_with("    word"));
        assert!(lines[1].starts_with("      word"), "{:?}", lines[1]);
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(words.len(), 30, "no word lost");
    }

    #[test]
    fn step_lines_continue_after_the_step_columns() {
        let line = format!(
            "   12    9.242486      17  control   C→S  {}",
            "x".repeat(30) + " " + &"y".repeat(30)
        );
        let lines = fit_line(&line, 60);
        fits(&lines, 60);
        assert_eq!(lines[1].len() - lines[1].trim_start().len(), 29);
    }

    #[test]
    fn words_wider_than_a_line_and_chinese_are_cut_by_columns() {
        let long = "a".repeat(100);
        let lines = fit_line(&format!("  {long}"), 40);
        fits(&lines, 40);
        assert_eq!(lines.concat().replace(' ', ""), long);
        let zh = "客户端向服务器发起控制连接".repeat(6);
        let lines = fit_line(&zh, 41);
        fits(&lines, 41);
        assert_eq!(lines.concat().replace(' ', ""), zh);
    }

    #[test]
    fn colours_take_no_columns() {
        let red = format!("\x1b[31m{}\x1b[0m", "r".repeat(30));
        assert_eq!(fit_line(&red, 40), vec![red.clone()]);
        let lines = fit_line(&format!("{red} {red}"), 40);
        assert_eq!(lines.len(), 2);
        fits(&lines, 40);
    }

    #[test]
    fn the_writer_wraps_line_by_line_across_writes() {
        let buf = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        {
            let mut w = FitWriter::new(Box::new(Shared(buf.clone())), 40);
            w.write_all(b"short\n").unwrap();
            w.write_all("long ".repeat(10).as_bytes()).unwrap();
            w.write_all("line\nend".as_bytes()).unwrap();
        }
        let text = String::from_utf8(buf.borrow().clone()).unwrap();
        assert!(text.starts_with("short\nlong"));
        assert!(text.ends_with("\nend"));
        fits(&text.lines().map(String::from).collect::<Vec<_>>(), 40);
    }
}
