//! Ctrl-C and SIGTERM for the commands that may run without end (`live`, `analyze -`).
//!
//! The first signal asks for a clean stop: the capture ends, open sessions are finished and
//! summarised, and the exit code is 0. A second signal exits at once with 130 for a user
//! who does not want to wait. [`StoppableStdin`] lets a pipe that has gone quiet be stopped
//! too: stdin is read by a helper thread, so the analysis can notice the stop request
//! between chunks instead of sitting in `read(2)` until the writer sends more.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

/// Installs the handler (once per process) and returns the flag it sets.
pub fn stop_on_signal() -> Result<Arc<AtomicBool>, super::exit::CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            eprintln!("ftpflow: second interrupt, exiting without a summary");
            // Unfinished output files go; the user's previous files stay as they were.
            super::output::remove_unfinished();
            std::process::exit(super::exit::INTERRUPTED);
        }
    })
    .map_err(|e| super::exit::CliError::System(format!("cannot catch Ctrl-C and SIGTERM: {e}")))?;
    Ok(stop)
}

/// Chunks handed from the reading thread; a few are enough to keep it busy.
const CHUNKS_IN_FLIGHT: usize = 4;
const CHUNK_SIZE: usize = 256 * 1024;
/// How often a quiet pipe looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(100);
/// How long data may still be read after a stop request.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// Standard input that ends (as end of file) once `stop` is set.
pub struct StoppableStdin {
    chunks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
    stop: Arc<AtomicBool>,
    finished: bool,
    /// When the stop request was first seen: data still arriving within [`STOP_GRACE`] is
    /// read (the writer's last buffer, flushed as it exits on the same Ctrl-C).
    stop_seen: Option<Instant>,
    /// True when the input ended because of the stop request, not by itself.
    stopped: Arc<AtomicBool>,
}

impl StoppableStdin {
    /// Starts the reading thread. The thread is left behind if the pipe never ends: it
    /// holds nothing but stdin and goes away with the process.
    pub fn new(stop: Arc<AtomicBool>) -> (StoppableStdin, Arc<AtomicBool>) {
        let (tx, rx) = sync_channel(CHUNKS_IN_FLIGHT);
        std::thread::spawn(move || pump(io::stdin().lock(), tx));
        let stopped = Arc::new(AtomicBool::new(false));
        let reader = StoppableStdin {
            chunks: rx,
            current: Vec::new(),
            at: 0,
            stop,
            finished: false,
            stop_seen: None,
            stopped: stopped.clone(),
        };
        (reader, stopped)
    }
}

fn pump(mut input: impl Read, tx: SyncSender<io::Result<Vec<u8>>>) {
    loop {
        let mut buf = vec![0u8; CHUNK_SIZE];
        match input.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                if tx.send(Ok(buf)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

impl StoppableStdin {
    fn end_by_stop(&mut self) -> usize {
        self.finished = true;
        self.stopped.store(true, Ordering::Relaxed);
        0
    }
}

impl Read for StoppableStdin {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.current.len() {
            if self.finished {
                return Ok(0);
            }
            let stopping = self.stop.load(Ordering::Relaxed);
            if stopping {
                let seen = *self.stop_seen.get_or_insert_with(Instant::now);
                if seen.elapsed() >= STOP_GRACE {
                    return Ok(self.end_by_stop());
                }
            }
            match self.chunks.recv_timeout(STOP_POLL) {
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.finished = true;
                    return Err(e);
                }
                Err(RecvTimeoutError::Timeout) if stopping => return Ok(self.end_by_stop()),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    self.finished = true;
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.current.len() - self.at);
        out[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pump_forwards_every_byte_then_ends() {
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let (tx, rx) = sync_channel(2);
        let source = data.clone();
        let t = std::thread::spawn(move || pump(io::Cursor::new(source), tx));
        let mut got = Vec::new();
        while let Ok(chunk) = rx.recv() {
            got.extend_from_slice(&chunk.unwrap());
        }
        t.join().unwrap();
        assert_eq!(got, data);
    }

    #[test]
    fn a_stop_request_ends_a_quiet_input() {
        let (_tx, rx) = sync_channel::<io::Result<Vec<u8>>>(1);
        let stop = Arc::new(AtomicBool::new(true));
        let stopped = Arc::new(AtomicBool::new(false));
        let mut r = StoppableStdin {
            chunks: rx,
            current: b"ab".to_vec(),
            at: 0,
            stop,
            finished: false,
            stop_seen: None,
            stopped: stopped.clone(),
        };
        let mut buf = [0u8; 8];
        // What was already received is still delivered, then the quiet input ends.
        assert_eq!(r.read(&mut buf).unwrap(), 2);
        assert_eq!(r.read(&mut buf).unwrap(), 0);
        assert!(stopped.load(Ordering::Relaxed));
    }
}
