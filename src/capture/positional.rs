//! Read-ahead for a regular file: chunks read at their own offsets, by either thread.
//!
//! **Input:** a file and the offset where the analysis has read up to. **Output:** the
//! same [`Filled`] chunks, in order, as the streaming read-ahead in [`super::ahead`]: each
//! in a buffer with `headroom` free bytes in front of the data.
//!
//! Chunk `k` is the `chunk` bytes at `start + k * chunk`, read with `pread`, so reads do
//! not have to happen in order or on one thread. A read-ahead thread claims and reads the
//! next chunk while fewer than `buffers` chunks are waiting; the analysing thread, when
//! the chunk it needs is not there yet, claims and reads the next unclaimed one itself
//! instead of waiting. Why: on the 2-core benchmark machine the read-ahead thread's copy
//! from the page cache was the slower side (the analysing thread waiting for it made up
//! 16-24% of a profile's samples), and a virtual CPU can be paused by its host for
//! milliseconds; two copies at once also move more bytes per second than one.
//!
//! Only for files that are read as they are (not decompressed): a compressed stream has
//! no offsets to read at.

use super::ahead::{Filled, can_spin, lock, spin_until};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::Thread;
use std::time::Duration;

/// Shared by the two threads.
pub struct Positional<'f> {
    file: &'f File,
    /// File offset of chunk 0.
    start: u64,
    chunk: usize,
    headroom: usize,
    /// Chunks that may be claimed ahead of the consumer.
    window: u64,
    /// The next chunk index nobody has claimed.
    next_claim: AtomicU64,
    /// The chunk the consumer takes next.
    consumed: AtomicU64,
    /// One past the last chunk (the first short read or error), once known.
    end: AtomicU64,
    /// `slots[k % window]`: chunk `k` once read.
    slots: Vec<Mutex<Option<(u64, Filled)>>>,
    /// Emptied buffers.
    pool: Mutex<Vec<Vec<u8>>>,
    /// The consumer is gone: the reader stops.
    stop: AtomicBool,
    /// Who to wake when a side parks.
    reader: Mutex<Option<Thread>>,
    consumer: Mutex<Option<Thread>>,
    /// Whether to spin before parking ([`can_spin`]).
    spin: bool,
}

#[cfg(test)]
thread_local! {
    /// Chunks this thread read (tests: the analysing thread reads some itself).
    pub(crate) static CHUNKS_READ_HERE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A parked side wakes at least this often to look again (a missed wake-up costs this).
const PARK: Duration = Duration::from_millis(5);

impl<'f> Positional<'f> {
    pub fn new(file: &'f File, start: u64, chunk: usize, headroom: usize, buffers: usize) -> Self {
        let window = buffers.max(1);
        Positional {
            file,
            start,
            chunk: chunk.max(1),
            headroom,
            window: window as u64,
            next_claim: AtomicU64::new(0),
            consumed: AtomicU64::new(0),
            end: AtomicU64::new(u64::MAX),
            slots: (0..window).map(|_| Mutex::new(None)).collect(),
            pool: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            reader: Mutex::new(None),
            consumer: Mutex::new(None),
            spin: can_spin(),
        }
    }

    /// Claims the next chunk and reads it into its slot. False when nothing may be
    /// claimed now (the window is full, or the file's end is known and reached).
    fn claim_and_read(&self) -> bool {
        let consumed = self.consumed.load(Ordering::Acquire);
        let k = self.next_claim.load(Ordering::Acquire);
        if k >= consumed + self.window || k >= self.end.load(Ordering::Acquire) {
            return false;
        }
        if self
            .next_claim
            .compare_exchange(k, k + 1, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return true; // the other side took it: look again
        }
        let mut buf = lock(&self.pool)
            .pop()
            .unwrap_or_else(|| vec![0u8; self.headroom + self.chunk]);
        #[cfg(test)]
        CHUNKS_READ_HERE.with(|n| n.set(n.get() + 1));
        let at = self.start + k * self.chunk as u64;
        let (mut len, mut error) = (0, None);
        while len < self.chunk {
            let dst = &mut buf[self.headroom + len..self.headroom + self.chunk];
            match self.file.read_at(dst, at + len as u64) {
                Ok(0) => break,
                Ok(n) => {
                    len += n;
                    super::counted::add(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let last = len < self.chunk || error.is_some();
        if last {
            self.end.fetch_min(k + 1, Ordering::AcqRel);
        }
        *lock(&self.slots[(k % self.window) as usize]) = Some((
            k,
            Filled {
                buf,
                len,
                last,
                error,
            },
        ));
        wake(&self.consumer);
        true
    }

    /// The read-ahead thread: reads chunks while the window has room.
    pub fn pump(&self) {
        *lock(&self.reader) = Some(std::thread::current());
        while !self.stop.load(Ordering::Acquire) {
            if self.claim_and_read() {
                continue;
            }
            if self.consumed.load(Ordering::Acquire) >= self.end.load(Ordering::Acquire) {
                return; // the consumer has the last chunk
            }
            // The window is full: the consumer is the slower side, so sleep until it
            // frees a slot rather than spin (spinning here burnt a core that the
            // analysis and the output could use).
            self.sleep_until(|| {
                let (claim, consumed) = (
                    self.next_claim.load(Ordering::Acquire),
                    self.consumed.load(Ordering::Acquire),
                );
                let end = self.end.load(Ordering::Acquire);
                self.stop.load(Ordering::Acquire)
                    || consumed >= end
                    || (claim < consumed + self.window && claim < end)
            });
        }
    }

    /// The consumer: the next chunk in order, read by whichever thread got to it first;
    /// `None` after the last one.
    pub fn next(&self) -> Option<Filled> {
        let k = self.consumed.load(Ordering::Acquire);
        if k >= self.end.load(Ordering::Acquire) {
            return None;
        }
        {
            let mut me = lock(&self.consumer);
            if me.is_none() {
                *me = Some(std::thread::current());
            }
        }
        let slot = &self.slots[(k % self.window) as usize];
        loop {
            {
                let mut s = lock(slot);
                if matches!(*s, Some((at, _)) if at == k) {
                    let (_, filled) = s.take().expect("checked just above");
                    drop(s);
                    self.consumed.store(k + 1, Ordering::Release);
                    wake(&self.reader);
                    return Some(filled);
                }
            }
            // Not read yet: read a chunk here rather than wait (this one, if the reader
            // has not claimed it, else one further on).
            if !self.claim_and_read() {
                self.wait(|| lock(slot).as_ref().is_some_and(|(at, _)| *at == k));
            }
        }
    }

    /// Hands an emptied chunk buffer back.
    pub fn recycle(&self, buf: Vec<u8>) {
        lock(&self.pool).push(buf);
    }

    /// The consumer is gone.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        wake(&self.reader);
    }

    /// Spins a while until `ready()` ([`spin_until`]), then parks for at most [`PARK`];
    /// the caller looks again either way.
    fn sleep_until(&self, ready: impl Fn() -> bool) {
        if !ready() {
            std::thread::park_timeout(PARK);
        }
    }

    fn wait(&self, ready: impl Fn() -> bool) {
        spin_until(self.spin, &ready);
        if !ready() {
            std::thread::park_timeout(PARK);
        }
    }
}

/// Starts the read-ahead thread for `p` on `scope`.
pub fn start<'scope, 'env, 'f: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    p: Arc<Positional<'f>>,
) -> Arc<Positional<'f>> {
    let theirs = p.clone();
    scope.spawn(move || theirs.pump());
    p
}

fn wake(who: &Mutex<Option<Thread>>) {
    if let Some(t) = lock(who).as_ref() {
        t.unpark();
    }
}
