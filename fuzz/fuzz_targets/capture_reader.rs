//! The capture reader (pcap, pcapng, gzip of either) on arbitrary file bytes.
//!
//! The input is the file itself, so real captures seed it as they are. Every input is read
//! twice: once straight from memory, once another way chosen from the input's length
//! (a reader that hands out a few bytes per call, the read-ahead thread with small chunks,
//! or a temporary file read ahead at offsets). How the bytes arrive must not change what
//! is read: the frames and the summary have to be identical.

#![no_main]

use ftpflow::capture::{Input, InputSummary, RawFrame, ReadAhead, read_input, read_reader};
use libfuzzer_sys::fuzz_target;
use std::io::{self, Cursor, Read};

/// A frame as the sink saw it (its bytes copied out of the reader's buffer).
type Seen = (u64, i64, &'static str, Vec<u8>, u32);

const FIRST_NUMBER: u64 = 7;

/// Hands out at most `step` bytes per `read`: records then straddle every refill.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn collect(
    read: impl FnOnce(&mut dyn FnMut(RawFrame<'_>)) -> InputSummary,
) -> (Vec<Seen>, InputSummary) {
    let mut frames = Vec::new();
    let summary = read(&mut |f: RawFrame<'_>| {
        frames.push((f.number, f.ts.0, f.link.name(), f.data.to_vec(), f.orig_len));
    });
    (frames, summary)
}

fn check_consistent(frames: &[Seen], summary: &InputSummary) {
    assert_eq!(summary.packets, frames.len() as u64, "packets counted");
    let bytes: u64 = frames.iter().map(|f| f.3.len() as u64).sum();
    assert_eq!(summary.bytes, bytes, "bytes counted");
    assert!(summary.numbered >= summary.packets);
    let mut previous = None;
    for f in frames {
        assert!(
            f.0 >= FIRST_NUMBER && f.0 < FIRST_NUMBER + summary.numbered,
            "frame number {} out of range",
            f.0
        );
        if let Some(p) = previous {
            assert!(f.0 > p, "frame numbers go back: {p} then {}", f.0);
        }
        previous = Some(f.0);
        assert!(f.3.len() <= ftpflow::capture::file::MAX_BUF);
        assert!(
            summary.link_types.contains(&f.2),
            "link type {} not in the summary",
            f.2
        );
    }
    assert!(summary.warnings.len() <= ftpflow::capture::file::MAX_WARNINGS + 1);
}

fn same(a: &(Vec<Seen>, InputSummary), b: &(Vec<Seen>, InputSummary), how: &str) {
    assert_eq!(
        a.0.len(),
        b.0.len(),
        "{how}: a different number of frames\n{:?}\n{:?}",
        a.1,
        b.1
    );
    for (x, y) in a.0.iter().zip(&b.0) {
        assert_eq!(x, y, "{how}: a frame differs");
    }
    let summary = |s: &InputSummary| {
        // Messages name the input: a temporary file's path, or "fuzz".
        let mut s = s.clone();
        for w in &mut s.warnings {
            *w = w.replace(&s.name, "<input>");
        }
        s.name = String::new();
        (
            serde_json::to_string(&s).expect("summary serializes"),
            s.numbered,
        )
    };
    assert_eq!(summary(&a.1), summary(&b.1), "{how}: the summaries differ");
}

fuzz_target!(|data: &[u8]| {
    let plain = collect(|sink| {
        read_reader(
            "fuzz".into(),
            Box::new(Cursor::new(data)),
            FIRST_NUMBER,
            None,
            sink,
        )
    });
    check_consistent(&plain.0, &plain.1);

    // The length picks the second way of reading and its sizes, so mutations visit all.
    let step = 1 + data.len() % 61;
    let other = match data.len() % 3 {
        0 => collect(|sink| {
            let trickle = Trickle { data, step };
            read_reader("fuzz".into(), Box::new(trickle), FIRST_NUMBER, None, sink)
        }),
        1 => {
            // Chunks of 65 bytes to 4 KiB: records straddle them, and a capture of 64 KiB
            // is still a few hundred hand-overs between the threads, not thousands.
            let ahead = ReadAhead {
                chunk: step * 65,
                headroom: step * 16,
                buffers: 2 + step % 3,
            };
            collect(|sink| {
                read_reader(
                    "fuzz".into(),
                    Box::new(Cursor::new(data)),
                    FIRST_NUMBER,
                    Some(ahead),
                    sink,
                )
            })
        }
        _ => {
            let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
            io::Write::write_all(&mut file, data).expect("the temporary file is written");
            let input = Input::Path(file.path().to_path_buf());
            let ahead = ReadAhead {
                chunk: step * 67,
                headroom: step * 13,
                buffers: 2 + step % 4,
            };
            collect(|sink| read_input(&input, FIRST_NUMBER, Some(ahead), sink))
        }
    };
    same(&plain, &other, "read another way");
});
