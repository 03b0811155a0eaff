//! Read-ahead: a thread that reads (and decompresses) the next chunks of an input while
//! the analysis works on the current one.
//!
//! **Input:** any `Read + Send` (a file, stdin, a gzip decoder). **Output:** [`Filled`]
//! chunks in order, each in a buffer that keeps [`ReadAhead::headroom`] free bytes in
//! front of the data. The reader of the chunks copies the unconsumed end of the previous
//! chunk (a record cut by the chunk boundary) into that headroom, so records stay
//! contiguous without copying whole chunks: the only bytes copied twice are those of
//! records that straddle a boundary.
//!
//! A fixed pool of buffers circulates between the two threads (bounded memory: `buffers`
//! chunks at most), and the thread stops when the input ends, fails, or the consumer is
//! gone. Measured on the 2-core benchmark machine; see README's performance section.
//!
//! A regular file read as it is (not decompressed) is read differently, behind the same
//! [`Chunks`]: each chunk at its own offset, by whichever thread gets to it first
//! ([`super::positional`]).

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use super::positional::Positional;

/// How the read-ahead thread reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAhead {
    /// Bytes read per chunk.
    pub chunk: usize,
    /// Free bytes kept in front of each chunk's data.
    pub headroom: usize,
    /// Buffers in circulation (chunks read ahead, plus the one being analysed).
    pub buffers: usize,
}

impl Default for ReadAhead {
    /// Measured on the 2-core benchmark machine (a virtual machine): reads of 128 KiB or
    /// more ran two to three times slower while the other core analysed, and waking the
    /// other thread for every chunk cost more than reading it. So: 64 KiB chunks, 32 of
    /// them (2.5 MiB), and wake-ups only in bursts.
    fn default() -> Self {
        ReadAhead {
            chunk: 64 << 10,
            // Ethernet and jumbo-frame records fit; larger ones are carried by a copy.
            headroom: 16 << 10,
            buffers: 32,
        }
    }
}

/// One chunk: data at `buf[headroom..headroom + len]`.
pub struct Filled {
    pub buf: Vec<u8>,
    pub len: usize,
    /// The input ended after this chunk (cleanly, or with `error`).
    pub last: bool,
    pub error: Option<io::Error>,
}

struct State {
    full: VecDeque<Filled>,
    free: Vec<Vec<u8>>,
    reader_waiting: bool,
    consumer_waiting: bool,
    consumer_gone: bool,
    reader_done: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Chunks in `full`, plus 1 once the reader is done; read without the lock while
    /// spinning (the decisions are still taken under the lock).
    full_hint: AtomicUsize,
    /// Buffers in `free`; read without the lock while spinning.
    free_hint: AtomicUsize,
    /// Whether to spin before sleeping ([`can_spin`]).
    spin: bool,
    /// Signalled when chunks are there for the consumer.
    filled: Condvar,
    /// Signalled when buffers are free for the reader.
    freed: Condvar,
}

/// The consumer's side: chunks come in, emptied buffers go back.
pub struct Chunks<'f> {
    from: From<'f>,
    pub cfg: ReadAhead,
}

enum From<'f> {
    /// A stream read in order by the read-ahead thread (this module).
    Stream(Arc<Shared>),
    /// A file read at offsets by either thread ([`super::positional`]).
    File(Arc<Positional<'f>>),
}

impl Chunks<'_> {
    /// The next chunk in order; `None` once the reading thread has ended without one.
    pub fn next(&self) -> Option<Filled> {
        match &self.from {
            From::Stream(shared) => next_streamed(shared),
            From::File(p) => p.next(),
        }
    }

    /// Hands a pool buffer back for reuse.
    pub fn recycle(&self, buf: Vec<u8>) {
        debug_assert_eq!(buf.len(), self.cfg.headroom + self.cfg.chunk);
        match &self.from {
            From::Stream(shared) => recycle_streamed(shared, &self.cfg, buf),
            From::File(p) => p.recycle(buf),
        }
    }
}

impl Drop for Chunks<'_> {
    fn drop(&mut self) {
        match &self.from {
            From::Stream(shared) => {
                lock(&shared.state).consumer_gone = true;
                shared.freed.notify_one();
            }
            From::File(p) => p.stop(),
        }
    }
}

/// Starts reading `file` from its offset `start` on a thread of `scope`, each chunk at
/// its own offset, by either thread (see [`super::positional`]).
pub fn start_file<'scope, 'env, 'f: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    file: &'f std::fs::File,
    start: u64,
    cfg: ReadAhead,
) -> Chunks<'f> {
    let p = Arc::new(Positional::new(
        file,
        start,
        cfg.chunk,
        cfg.headroom,
        cfg.buffers,
    ));
    Chunks {
        from: From::File(super::positional::start(scope, p)),
        cfg,
    }
}

fn next_streamed(shared: &Shared) -> Option<Filled> {
    spin_until(shared.spin, || shared.full_hint.load(Ordering::Acquire) > 0);
    let mut st = lock(&shared.state);
    loop {
        if let Some(f) = st.full.pop_front() {
            shared.full_hint.fetch_sub(1, Ordering::Release);
            return Some(f);
        }
        if st.reader_done {
            return None;
        }
        st.consumer_waiting = true;
        st = shared.filled.wait(st).unwrap_or_else(|e| e.into_inner());
        st.consumer_waiting = false;
    }
}

/// The reader, if it waits, is woken only once half the pool is free, so that it reads
/// a burst of chunks per wake-up rather than one.
fn recycle_streamed(shared: &Shared, cfg: &ReadAhead, buf: Vec<u8>) {
    let mut st = lock(&shared.state);
    st.free.push(buf);
    shared.free_hint.fetch_add(1, Ordering::Release);
    if st.reader_waiting && st.free.len() * 2 >= cfg.buffers {
        shared.freed.notify_one();
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Neither side panics while holding a lock; if one did, the data is still whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts reading `src` on a thread of `scope`.
pub fn start<'scope, 'env, R: Read + Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    src: R,
    cfg: ReadAhead,
) -> Chunks<'static> {
    let cfg = ReadAhead {
        buffers: cfg.buffers.max(2),
        ..cfg
    };
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            full: VecDeque::with_capacity(cfg.buffers),
            free: (0..cfg.buffers)
                .map(|_| vec![0u8; cfg.headroom + cfg.chunk])
                .collect(),
            reader_waiting: false,
            consumer_waiting: false,
            consumer_gone: false,
            reader_done: false,
        }),
        filled: Condvar::new(),
        freed: Condvar::new(),
        full_hint: AtomicUsize::new(0),
        free_hint: AtomicUsize::new(cfg.buffers),
        spin: can_spin(),
    });
    let theirs = shared.clone();
    scope.spawn(move || pump(src, cfg, &theirs));
    Chunks {
        from: From::Stream(shared),
        cfg,
    }
}

fn pump(mut src: impl Read, cfg: ReadAhead, shared: &Shared) {
    loop {
        spin_until(shared.spin, || shared.free_hint.load(Ordering::Acquire) > 0);
        let mut b = {
            let mut st = lock(&shared.state);
            loop {
                if st.consumer_gone {
                    return;
                }
                if let Some(b) = st.free.pop() {
                    shared.free_hint.fetch_sub(1, Ordering::Release);
                    break b;
                }
                st.reader_waiting = true;
                st = shared.freed.wait(st).unwrap_or_else(|e| e.into_inner());
                st.reader_waiting = false;
            }
        };
        let (mut len, mut last, mut error) = (0, false, None);
        // Fill the chunk: a decoder returns less than asked at a time.
        while len < cfg.chunk {
            match src.read(&mut b[cfg.headroom + len..cfg.headroom + cfg.chunk]) {
                Ok(0) => {
                    last = true;
                    break;
                }
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    last = true;
                    error = Some(e);
                    break;
                }
            }
        }
        let mut st = lock(&shared.state);
        st.full.push_back(Filled {
            buf: b,
            len,
            last,
            error,
        });
        st.reader_done = last;
        shared
            .full_hint
            .fetch_add(1 + usize::from(last), Ordering::Release);
        if st.consumer_waiting {
            shared.filled.notify_one();
        }
        if last {
            return;
        }
    }
}

/// How long a side that finds nothing to take spins before it sleeps. Measured on the
/// 2-core benchmark machine (a virtual machine), where putting a thread to sleep and
/// waking it costs tens of microseconds on both cores: the two threads waited for each
/// other ~500 times per 680 MB capture, and spinning first made the read-ahead run
/// 1.1x-1.15x faster (spins of ~0.1 ms gained less than ~1 ms). A side spins only
/// while the other works (it takes a chunk or a buffer within a millisecond), so a
/// slow input (a pipe from a live capture) costs at most this much per chunk.
const SPIN: std::time::Duration = std::time::Duration::from_millis(1);

/// Whether waiting should spin first: not on one core, where the other side cannot run
/// meanwhile.
pub(super) fn can_spin() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// Spins until `ready()` or [`SPIN`] has passed (at once when `!enabled`); the caller
/// then looks under its lock and, if still nothing is there, sleeps.
pub(super) fn spin_until(enabled: bool, ready: impl Fn() -> bool) {
    if !enabled || ready() {
        return;
    }
    let start = std::time::Instant::now();
    loop {
        // The clock costs about as much as a pause: read it every 64 rounds.
        for _ in 0..64 {
            if ready() {
                return;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return;
        }
    }
}
