//! The progress of `ftpflow analyze` on stderr: bytes read of the inputs' total size,
//! packets analysed, FTP sessions seen.
//!
//! A bar (indicatif) when stderr is a terminal, shown once the reading has taken a second
//! (short inputs never show one); off with `-q`, or when stderr is not a terminal. The
//! hidden `--progress` flag prints plain `ftpflow: progress:` lines instead, whatever
//! stderr is (for tests and logs).
//!
//! The analysis pays nothing per packet: the analyser adds its counts to two atomics every
//! few thousand packets ([`crate::analyze::Analyzer::on_progress`]), the capture reader
//! counts bytes per read call ([`crate::capture::counted`]), and a thread of its own
//! draws ten times a second. When stdout is the same terminal, the report's lines pass
//! through [`Progress::stdout`], which hides the bar while whole lines are written, so
//! the two never mix on one line.

use crate::capture::counted;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar on the terminal, after a second.
    Bar,
    /// Plain lines on stderr (`--progress`).
    Lines,
}

/// Time between two drawings.
const TICK: Duration = Duration::from_millis(100);
/// How long the reading goes on before a bar appears.
const DELAY: Duration = Duration::from_secs(1);
/// Output held while waiting for a line's end, at most (then written as it is).
const HOLD: usize = 64 * 1024;

/// What the analysis and the drawing thread share.
struct Shared {
    packets: AtomicU64,
    sessions: AtomicU64,
    stop: AtomicBool,
    /// The bar, once shown.
    bar: Mutex<Option<ProgressBar>>,
    /// Bytes the process had read before this run began.
    base: u64,
    total: Option<u64>,
}

impl Shared {
    fn bytes(&self) -> u64 {
        counted::bytes_read().saturating_sub(self.base)
    }

    fn counts(&self) -> String {
        let sessions = self.sessions.load(Ordering::Relaxed);
        format!(
            "{} packets, {} FTP session{}",
            crate::report::fmt::thousands(self.packets.load(Ordering::Relaxed)),
            crate::report::fmt::thousands(sessions),
            if sessions == 1 { "" } else { "s" }
        )
    }

    /// Runs `f` with the bar hidden.
    fn suspended<R>(&self, f: impl FnOnce() -> R) -> R {
        let bar = self.bar.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

/// The progress display of one run; dropping it stops the drawing and clears the bar.
pub struct Progress {
    shared: Arc<Shared>,
    mode: Mode,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing progress; `total`: the inputs' size in bytes, when known.
    pub fn start(mode: Mode, total: Option<u64>) -> Progress {
        let shared = Arc::new(Shared {
            packets: AtomicU64::new(0),
            sessions: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            bar: Mutex::new(None),
            base: counted::bytes_read(),
            total,
        });
        let drawing = shared.clone();
        let thread = std::thread::Builder::new()
            .name("ftpflow-progress".into())
            .spawn(move || draw(&drawing, mode))
            .ok();
        Progress {
            shared,
            mode,
            thread,
        }
    }

    /// The hook an analyser calls with its counts so far; several analysers (`--separate
    /// -j N`) add up.
    pub fn hook(&self) -> crate::analyze::ProgressHook {
        let shared = self.shared.clone();
        let (mut packets, mut sessions) = (0u64, 0u64);
        Box::new(move |p, s| {
            shared
                .packets
                .fetch_add(p.saturating_sub(packets), Ordering::Relaxed);
            shared
                .sessions
                .fetch_add(s.saturating_sub(sessions), Ordering::Relaxed);
            (packets, sessions) = (p, s);
        })
    }

    /// Prints a note on stderr without breaking the bar.
    pub fn note(&self, line: &str) {
        self.shared.suspended(|| eprintln!("{line}"));
    }

    /// Stdout for the report, when it is the terminal the bar is drawn on: whole lines are
    /// written with the bar hidden.
    pub fn stdout(&self) -> Box<dyn Write> {
        Box::new(Suspending {
            shared: self.shared.clone(),
            held: Vec::new(),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        if self.mode == Mode::Lines {
            eprintln!("ftpflow: progress: done, {}", line(&self.shared));
        }
    }
}

/// `1,258,291 of 5,242,880 bytes (24%), 1,000 packets, 2 FTP sessions`.
fn line(shared: &Shared) -> String {
    use crate::report::fmt::thousands;
    let bytes = shared.bytes();
    let read = match shared.total {
        Some(t) if t > 0 => format!(
            "{} of {} bytes ({}%)",
            thousands(bytes),
            thousands(t),
            (bytes.min(t) * 100 / t)
        ),
        _ => format!("{} bytes read", thousands(bytes)),
    };
    format!("{read}, {}", shared.counts())
}

/// The drawing thread: waits a second, then draws every tick until stopped.
fn draw(shared: &Shared, mode: Mode) {
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    while !shared.stop.load(Ordering::Relaxed) {
        std::thread::park_timeout(TICK);
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        match mode {
            Mode::Lines => eprintln!("ftpflow: progress: {}", line(shared)),
            Mode::Bar if started.elapsed() < DELAY => {}
            Mode::Bar => {
                let bar = bar.get_or_insert_with(|| {
                    let bar = new_bar(shared.total);
                    *shared.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
                    bar
                });
                bar.set_position(shared.bytes());
                bar.set_message(shared.counts());
            }
        }
    }
    if let Some(bar) = bar {
        *shared.bar.lock().unwrap_or_else(|e| e.into_inner()) = None;
        bar.finish_and_clear();
    }
}

fn new_bar(total: Option<u64>) -> ProgressBar {
    let (bar, template) = match total {
        Some(t) => (
            ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
            "{bar:20} {percent:>3}% of {binary_total_bytes} · {msg}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} {binary_bytes} read · {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
    }
    bar
}

/// Stdout shared with the bar: only whole lines are written, each time with the bar
/// hidden (a bar drawn after half a line would erase it).
struct Suspending {
    shared: Arc<Shared>,
    held: Vec<u8>,
}

impl Suspending {
    fn write_held(&mut self, upto: usize) -> io::Result<()> {
        let part: Vec<u8> = self.held.drain(..upto).collect();
        self.shared.suspended(|| {
            let mut out = io::stdout().lock();
            out.write_all(&part)?;
            out.flush()
        })
    }
}

impl Write for Suspending {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.held.extend_from_slice(buf);
        if let Some(nl) = self.held.iter().rposition(|&b| b == b'\n') {
            self.write_held(nl + 1)?;
        }
        if self.held.len() > HOLD {
            self.write_held(self.held.len())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_held(self.held.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_of_several_analysers_add_up() {
        let p = Progress {
            shared: Arc::new(Shared {
                packets: AtomicU64::new(0),
                sessions: AtomicU64::new(0),
                stop: AtomicBool::new(true),
                bar: Mutex::new(None),
                base: 0,
                total: Some(100),
            }),
            mode: Mode::Bar,
            thread: None,
        };
        let (mut a, mut b) = (p.hook(), p.hook());
        a(4096, 1);
        b(100, 0);
        a(8192, 2);
        b(150, 1);
        assert_eq!(p.shared.packets.load(Ordering::Relaxed), 8192 + 150);
        assert_eq!(p.shared.sessions.load(Ordering::Relaxed), 3);
        assert_eq!(p.shared.counts(), "8,342 packets, 3 FTP sessions");
    }
}
