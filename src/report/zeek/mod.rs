//! `--zeek-logs DIR`: Zeek's `ftp.log`, `conn.log` and `files.log`, written beside the
//! main format by a sink of the same event stream.
//!
//! [`ZeekSink`] wraps the main format's sink: every event goes to it first, then each
//! ended session becomes rows of the three logs at once ([`rows`]), so nothing is held
//! but the files' buffers. The logs are written as Zeek's TSV or, with `--zeek-json`,
//! as Zeek's JSON logs ([`log`]). Each is written under a hidden temporary name in DIR and
//! renamed into place when the capture ends, so an interrupted run leaves the previous
//! logs as they were; nothing else in DIR is touched. TSV's `#open`/`#close` are the
//! capture's first and last packet times (not the wall clock), so the same capture gives
//! the same files.

pub mod log;
pub mod path;
pub mod rows;

use crate::model::events::{Event, Sink};
use crate::model::{Session, UnlinkedConnection};
use crate::time::Timestamp;
use log::{Field, LogWriter};
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Where and how to write the logs.
#[derive(Debug, Clone)]
pub struct ZeekOptions {
    /// The folder of the logs (created if missing).
    pub dir: PathBuf,
    /// Zeek's JSON logs instead of TSV.
    pub json: bool,
}

/// Tells temporary names of one process apart.
static SERIAL: AtomicU32 = AtomicU32::new(0);

/// A log file under its temporary name until [`Pending::commit`].
struct Pending {
    temp: PathBuf,
    dest: PathBuf,
}

impl Pending {
    /// Creates the temporary file (never an existing one, never through a symlink).
    fn create(dir: &Path, name: &str) -> io::Result<(Pending, File)> {
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(
            ".{name}.ftpflow-{}-{serial}.tmp",
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        let dest = dir.join(name);
        Ok((Pending { temp, dest }, file))
    }

    /// Puts the file in place (a symlink at the destination is replaced, not followed).
    fn commit(&mut self) -> io::Result<()> {
        fs::rename(&self.temp, &self.dest)?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// One of the three logs: its file, then (once the capture's start is known) its writer.
enum Log {
    Opened(&'static str, &'static [Field], BufWriter<File>),
    Writing(LogWriter<BufWriter<File>>),
    Closed,
}

impl Log {
    /// Writes the header (TSV) with `open` as its time, once.
    fn start(&mut self, json: bool, open: Timestamp) -> io::Result<()> {
        *self = match std::mem::replace(self, Log::Closed) {
            Log::Opened(path, fields, out) => {
                Log::Writing(LogWriter::new(out, path, fields, json, open)?)
            }
            other => other,
        };
        Ok(())
    }

    fn row(&mut self, values: &[log::Value]) -> io::Result<()> {
        match self {
            Log::Writing(w) => w.row(values),
            _ => Ok(()),
        }
    }

    fn close(&mut self, close: Timestamp) -> io::Result<()> {
        if let Log::Writing(w) = std::mem::replace(self, Log::Closed) {
            w.close(close)?;
        }
        Ok(())
    }
}

/// The main format's sink, plus the Zeek logs.
pub struct ZeekSink {
    inner: Box<dyn Sink>,
    json: bool,
    /// ftp, conn, files.
    logs: [Log; 3],
    pending: Vec<Pending>,
    first_ts: Option<Timestamp>,
    /// The folder, when this sink made it: removed again if the run ends without logs
    /// (with `--separate`, a file that is not a capture leaves no empty folder).
    made_dir: Option<PathBuf>,
    committed: bool,
}

impl ZeekSink {
    /// Creates DIR if missing and the logs' temporary files in it; `inner` is the main
    /// format's sink.
    pub fn create(inner: Box<dyn Sink>, opts: &ZeekOptions) -> io::Result<ZeekSink> {
        let made_dir = (!opts.dir.is_dir()).then(|| opts.dir.clone());
        fs::create_dir_all(&opts.dir)?;
        let mut pending = Vec::new();
        let mut open = |name: &str| -> io::Result<BufWriter<File>> {
            let (p, file) = Pending::create(&opts.dir, name)?;
            pending.push(p);
            Ok(BufWriter::with_capacity(64 << 10, file))
        };
        let logs = [
            Log::Opened("ftp", rows::FTP_FIELDS, open("ftp.log")?),
            Log::Opened("conn", rows::CONN_FIELDS, open("conn.log")?),
            Log::Opened("files", rows::FILES_FIELDS, open("files.log")?),
        ];
        Ok(ZeekSink {
            inner,
            json: opts.json,
            logs,
            pending,
            first_ts: None,
            made_dir,
            committed: false,
        })
    }

    fn start(&mut self, first_ts: Option<Timestamp>) -> io::Result<()> {
        let open = first_ts.or(self.first_ts).unwrap_or(Timestamp::ZERO);
        self.first_ts.get_or_insert(open);
        for log in &mut self.logs {
            log.start(self.json, open)?;
        }
        Ok(())
    }

    fn session(&mut self, s: &Session) -> io::Result<()> {
        let [ftp, conn, files] = &mut self.logs;
        let ctl_uid = rows::uid(&s.control);
        let mut refs = Vec::new();
        let mut seen = HashSet::new();
        for t in &s.transfers {
            let Some(data) = &t.data else { continue };
            let data_uid = rows::uid(&data.tcp);
            if seen.insert(data.tcp.id) {
                conn.row(&rows::conn_row(&data.tcp, &data_uid, Some("ftp-data")))?;
            }
            if rows::has_file(t) {
                let fuid = rows::fuid(&data_uid, t);
                let facts = rows::file_facts(t);
                files.row(&rows::file_row(t, data, &data_uid, &fuid, &facts))?;
                refs.push(rows::FileRef {
                    transfer: t.id,
                    fuid,
                    mime_type: facts.mime_type,
                });
            }
        }
        conn.row(&rows::conn_row(&s.control, &ctl_uid, Some("ftp")))?;
        for row in rows::ftp_rows(s, &ctl_uid, &refs) {
            ftp.row(&row)?;
        }
        Ok(())
    }

    fn unlinked(&mut self, u: &UnlinkedConnection) -> io::Result<()> {
        let uid = rows::uid(&u.tcp);
        self.logs[1].row(&rows::conn_row(&u.tcp, &uid, None))
    }

    fn finish(&mut self, last_ts: Option<Timestamp>) -> io::Result<()> {
        self.start(None)?;
        let close = last_ts.or(self.first_ts).unwrap_or(Timestamp::ZERO);
        for log in &mut self.logs {
            log.close(close)?;
        }
        for p in &mut self.pending {
            p.commit()?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for ZeekSink {
    fn drop(&mut self) {
        if !self.committed {
            // Temporary files first, then the folder if this run made it (and it is empty).
            self.pending.clear();
            if let Some(dir) = &self.made_dir {
                let _ = fs::remove_dir(dir);
            }
        }
    }
}

impl Sink for ZeekSink {
    fn wants_steps(&self) -> bool {
        self.inner.wants_steps()
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        self.inner.event(ev)?;
        match ev {
            Event::Started { first_ts, .. } => self.start(*first_ts),
            Event::SessionEnded(s) => {
                self.start(Some(s.start))?;
                self.session(s)
            }
            Event::Unlinked(u) => {
                self.start(Some(u.tcp.first_ts))?;
                self.unlinked(u)
            }
            Event::Finished(info) => self.finish(info.last_ts),
            Event::Step { .. } | Event::Progress { .. } => Ok(()),
        }
    }
}
