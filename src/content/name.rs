//! A safe file name from a path on an FTP server.
//!
//! Input: the argument of a transfer command as sent (`../../etc/passwd`, `C:\x`, a name
//! with control characters...). Output: one path component that is safe to create inside
//! the extraction directory on Unix and on Windows: the last component of the server path
//! (after `/` or `\`), without `.`/`..`, NUL, control characters (C0, DEL, C1: terminal
//! escapes), or characters Windows refuses (`<>:"|?*`, so no drive letters or streams);
//! no trailing dots or spaces; not a reserved device name (`CON`, `NUL`, `COM1`...); not
//! the manifest's name; not hidden (no leading dot, so it cannot be mistaken for a
//! temporary file); at most [`MAX_NAME_BYTES`] bytes, keeping the extension.
//! Collisions are the caller's: [`with_suffix`] gives `name (2).ext`.

/// Longest name produced, in bytes (file systems allow 255; room for a suffix).
pub const MAX_NAME_BYTES: usize = 200;

/// Names Windows reserves for devices, with or without an extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "CONIN$",
    "CONOUT$",
];

/// A safe name for the server path `path`; `fallback` when nothing usable is left.
pub fn safe_name(path: &str, fallback: &str) -> String {
    let last = path
        .split(['/', '\\'])
        .rev()
        .find(|c| !c.trim().is_empty() && *c != "." && *c != "..")
        .unwrap_or("");
    let mut name: String = last
        .chars()
        .map(|c| match c {
            c if c.is_control() => '_',
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    // Windows drops trailing dots and spaces (`a.txt.` is `a.txt`); a hidden name could
    // pass for one of our temporary files.
    name = name.trim_end_matches(['.', ' ']).trim_start().to_string();
    if name.starts_with('.') {
        name.insert(0, '_');
    }
    if name.chars().all(|c| c == '_' || c == '.') {
        name = fallback.to_string();
    }
    let stem = name.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem))
        || name.eq_ignore_ascii_case(super::extract::MANIFEST)
    {
        name.insert(0, '_');
    }
    shorten(&name, MAX_NAME_BYTES)
}

/// `name` with a collision number before its extension: `a.txt` -> `a (2).txt`.
pub fn with_suffix(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_string();
    }
    let (stem, ext) = split_ext(name);
    format!("{stem} ({n}){ext}")
}

/// (stem, extension with its dot); a leading dot starts no extension.
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 16 => name.split_at(i),
        _ => (name, ""),
    }
}

/// At most `max` bytes, cut at a character boundary, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, ext) = split_ext(name);
    let mut end = max.saturating_sub(ext.len());
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &stem[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(p: &str) -> String {
        safe_name(p, "transfer")
    }

    #[test]
    fn hostile_paths_become_one_plain_component() {
        let cases = [
            ("../../etc/x", "x"),
            ("/abs/path/file.txt", "file.txt"),
            ("a\\..\\b", "b"),
            ("C:\\Windows\\win.ini", "win.ini"),
            ("C:evil", "C_evil"),
            ("..", "transfer"),
            ("../..", "transfer"),
            ("", "transfer"),
            ("dir/", "dir"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("Com1.log", "_Com1.log"),
            ("nul", "_nul"),
            ("manifest.jsonl", "_manifest.jsonl"),
            (".bashrc", "_.bashrc"),
            ("a\0b", "a_b"),
            ("line\nbreak\r", "line_break_"),
            ("\x1b[31mred\x1b[0m", "_[31mred_[0m"),
            ("\u{9b}31m", "_31m"),
            ("name. . ", "name"),
            ("what?*<>|\".txt", "what______.txt"),
            ("résumé.pdf", "résumé.pdf"),
        ];
        for (path, want) in cases {
            assert_eq!(safe(path), want, "{path:?}");
        }
    }

    #[test]
    fn every_name_is_safe() {
        let hostile = [
            "../../etc/x",
            "/abs",
            "a\\..\\b",
            "CON",
            "x\0y",
            "\n",
            "\x1b]0;t\x07",
            "....",
            "/",
            "\\\\server\\share\\f",
            "C:",
            ". .",
            "aux.tar.gz",
        ];
        let long = "é".repeat(300) + ".tar.gz";
        for p in hostile.iter().copied().chain([long.as_str()]) {
            let n = safe(p);
            assert!(!n.is_empty() && n.len() <= MAX_NAME_BYTES, "{p:?} -> {n:?}");
            assert!(!n.contains(['/', '\\', '\0', ':']), "{p:?} -> {n:?}");
            assert!(!n.chars().any(char::is_control), "{p:?} -> {n:?}");
            assert!(
                n != "." && n != ".." && !n.starts_with('.'),
                "{p:?} -> {n:?}"
            );
        }
        assert!(safe(&long).ends_with(".tar.gz") || safe(&long).ends_with(".gz"));
    }

    #[test]
    fn suffixes_go_before_the_extension() {
        assert_eq!(with_suffix("a.txt", 1), "a.txt");
        assert_eq!(with_suffix("a.txt", 2), "a (2).txt");
        assert_eq!(with_suffix("README", 3), "README (3)");
        assert_eq!(with_suffix("_.bashrc", 2), "_ (2).bashrc");
    }
}
