//! The working directory as Zeek's FTP analyzer follows it, and the `ftp://` URL it logs as
//! the argument of a file command (`RETR pub/a.txt` after `CWD /srv` is
//! `ftp://192.0.2.1/srv/pub/a.txt`). Rules as in Zeek's `build_path`, `compress_path`
//! and `extract_path`: an unknown directory is `.`, so a RETR before any CWD or PWD logs
//! `ftp://host/./name`, as Zeek does.

use std::net::IpAddr;

/// `file` in `dir`: `file` itself when absolute (`/x`, `C:\x`) or when `dir` is empty.
fn build_path(dir: &str, file: &str) -> String {
    if is_absolute(file) || dir.is_empty() {
        return file.to_string();
    }
    let sep = if dir.ends_with('/') { "" } else { "/" };
    format!("{dir}{sep}{file}")
}

/// Starts with `/`, or a drive letter and a separator.
fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    b.first() == Some(&b'/')
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'/' | b'\\'))
}

/// Removes `//`, inner `/./` and `dir/..` from a path; a leading `.` stays (Zeek keeps
/// `./name`), and `..` above the root of an absolute path is dropped.
pub fn compress(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for (i, comp) in path.split('/').enumerate() {
        match comp {
            "" => {}
            "." if i == 0 => parts.push("."),
            "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." && last != "." => {
                    parts.pop();
                }
                None if absolute => {}
                _ => parts.push(".."),
            },
            _ => parts.push(comp),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The directory after a successful CWD to `arg` from `cwd`.
pub fn change_dir(cwd: &str, arg: &str) -> String {
    compress(&build_path(cwd, arg))
}

/// The directory a 257 reply names: the first quoted absolute path (`"/pub" is current
/// directory`), else the first unquoted one up to a space or quote; empty when none.
pub fn extract_path(msg: &str) -> String {
    let mut rest = msg;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        match after.find('"') {
            Some(close) if is_absolute(&after[..close]) => return after[..close].to_string(),
            Some(close) => rest = &after[close..],
            None => break,
        }
    }
    for (i, _) in msg.char_indices() {
        if is_absolute(&msg[i..]) {
            let tail = &msg[i..];
            let end = tail.find([' ', '"']).unwrap_or(tail.len());
            return tail[..end].to_string();
        }
    }
    String::new()
}

/// The URL Zeek logs for a file command's argument: `ftp://<server>/<path>`.
pub fn url(server: IpAddr, cwd: &str, arg: &str) -> String {
    let mut path = change_dir(cwd, arg);
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    match server {
        IpAddr::V4(ip) => format!("ftp://{ip}{path}"),
        IpAddr::V6(ip) => format!("ftp://[{ip}]{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_working_directory_as_zeek_does() {
        let ip: IpAddr = "199.233.217.249".parse().unwrap();
        assert_eq!(
            url(ip, ".", "robots.txt"),
            "ftp://199.233.217.249/./robots.txt"
        );
        let cwd = change_dir(".", "/mirror/internic");
        assert_eq!(cwd, "/mirror/internic");
        let cwd = change_dir(&cwd, "rfc");
        assert_eq!(
            url(ip, &cwd, "rfc1001.txt"),
            "ftp://199.233.217.249/mirror/internic/rfc/rfc1001.txt"
        );
        assert_eq!(
            url(ip, &cwd, "/etc//passwd"),
            "ftp://199.233.217.249/etc/passwd"
        );
        assert_eq!(
            url(ip, &cwd, "../x/./y"),
            "ftp://199.233.217.249/mirror/internic/x/y"
        );
        assert_eq!(change_dir("/a", "/.."), "/");
        assert_eq!(
            url("2001:db8::1".parse().unwrap(), "/", "f"),
            "ftp://[2001:db8::1]/f"
        );
    }

    #[test]
    fn pwd_replies_name_the_directory() {
        assert_eq!(
            extract_path("\"/pub/incoming\" is the current directory"),
            "/pub/incoming"
        );
        assert_eq!(extract_path("\"x\" then /srv/ftp here"), "/srv/ftp");
        assert_eq!(extract_path("\"C:\\ftp\" is current"), "C:\\ftp");
        assert_eq!(extract_path("no path"), "");
    }
}
