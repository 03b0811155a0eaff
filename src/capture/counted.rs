//! How many bytes of capture input this process has read so far, for the progress bar.
//!
//! One process-wide counter, added to once per read system call (a few hundred KiB each:
//! nothing per packet), by whichever thread reads: the analysing thread, the read-ahead
//! thread, the positional reads of a regular file. For a gzip file it counts compressed
//! bytes, so it compares with the file's size; several inputs read at once
//! (`--separate -j N`) add up, as their sizes do.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

static READ: AtomicU64 = AtomicU64::new(0);

/// Bytes of capture input read so far by this process (every input, every thread).
pub fn bytes_read() -> u64 {
    READ.load(Ordering::Relaxed)
}

/// Counts `n` bytes read.
pub(super) fn add(n: usize) {
    READ.fetch_add(n as u64, Ordering::Relaxed);
}

/// A reader whose reads are counted in [`bytes_read`].
pub struct Counted<R>(pub R);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        add(n);
        Ok(n)
    }
}
