//! Number and time formatting shared by the human-readable renderers.

/// `2052` -> `"2,052"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2052` -> `"2,052 bytes"`, `1` -> `"1 byte"`.
pub fn bytes(n: u64) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{} bytes", thousands(n))
    }
}

/// Compact size: `"679 B"`, `"2.0 KiB"`, `"300.0 MiB"`.
pub fn size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Seconds in the most readable unit: `"412 µs"`, `"12.3 ms"`, `"1.234 s"`.
pub fn duration(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 1e-3 {
        format!("{:.0} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.1} ms", secs * 1e3)
    } else if secs < 600.0 {
        format!("{secs:.3} s")
    } else {
        let m = (secs / 60.0).floor();
        format!("{m:.0} min {:.0} s", secs - m * 60.0)
    }
}

/// Bytes per second: `"1.2 MB/s"` (decimal units, as network people quote rates).
pub fn rate(bytes_per_sec: f64) -> String {
    let v = bytes_per_sec.max(0.0);
    if v < 1e3 {
        format!("{v:.0} B/s")
    } else if v < 1e6 {
        format!("{:.1} kB/s", v / 1e3)
    } else if v < 1e9 {
        format!("{:.1} MB/s", v / 1e6)
    } else {
        format!("{:.2} GB/s", v / 1e9)
    }
}

/// `""` for one, `"s"` otherwise: the English plural ending.
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `n` and `word`, in the plural unless `n` is one: `1 session`, `2 sessions`.
pub fn count(n: u64, word: &str) -> String {
    format!("{} {word}{}", thousands(n), plural(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(2052), "2,052");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(39424), "39,424 bytes");
        assert_eq!(size(679), "679 B");
        assert_eq!(size(2048), "2.0 KiB");
        assert_eq!(duration(0.000412), "412 µs");
        assert_eq!(duration(0.0123), "12.3 ms");
        assert_eq!(duration(1.5), "1.500 s");
        assert_eq!(rate(2_500_000.0), "2.5 MB/s");
    }
}
