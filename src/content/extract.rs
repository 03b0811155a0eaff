//! Files out of the capture: naming, the manifest, and cleaning up.
//!
//! Input: temporary files written by [`super::Digest`] (one per tapped direction that
//! carried bytes) and, when a session ends, its transfers. Output: in the extraction
//! directory, each transferred file under a safe name ([`super::name`]) and one line of
//! `manifest.jsonl` per file; temporary files no transfer took are removed.
//!
//! Rules:
//! * Nothing is written outside the directory: temporary files are created there with
//!   `O_EXCL` (never through an existing name or symlink), then renamed to their final
//!   name without replacing anything (a name already there, a symlink included, gets the
//!   next suffix: `name (2).ext`); the manifest is opened with `O_NOFOLLOW`. The
//!   directory itself is the user's choice, and may be a symlink.
//! * A file is complete when its transfer's final reply said so (2xx) and the capture
//!   holds every byte; otherwise its name ends in `.partial` and the manifest says what
//!   is missing. Missing bytes are zeros at their offsets, so the size is the stream's.
//! * After a REST, the file holds the server file's bytes from `rest_offset` on.
//! * Listings are written only with `--extract-listings`; TLS data connections (PROT P)
//!   never (ciphertext; their hashes are still on the transfer).

use super::name::{safe_name, with_suffix};
use crate::model::{ConnRecord, Direction, Session, Status, Transfer};
use ahash::AHashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::{NamedTempFile, TempPath};

/// The manifest's file name in the extraction directory.
pub const MANIFEST: &str = "manifest.jsonl";

/// Names tried for one file before giving up.
const MAX_SUFFIX: u32 = 10_000;

/// Where files go, the manifest, and the temporary files waiting for their transfer.
#[derive(Default)]
pub struct Extractor {
    dir: Option<PathBuf>,
    listings: bool,
    manifest: Option<File>,
    pending: AHashMap<u64, TempPath>,
    next_id: u64,
    /// The first problem met (a directory not writable, a full disk), for a warning.
    problem: Option<String>,
    written: u64,
    /// Out-of-order bytes all [`super::Digest`]s hold now (their shared bound).
    pub held: usize,
}

impl Extractor {
    /// Hashes only: nothing is written.
    pub fn hash_only() -> Extractor {
        Extractor::default()
    }

    /// Hashes only, because the directory could not be used (`problem` says why).
    pub fn failed(problem: String) -> Extractor {
        Extractor {
            problem: Some(problem),
            ..Extractor::default()
        }
    }

    /// Writes files into `dir` (created if missing), listings too when `listings`.
    pub fn open(dir: &Path, listings: bool) -> std::io::Result<Extractor> {
        std::fs::create_dir_all(dir)?;
        let mut opts = OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.custom_flags(libc::O_NOFOLLOW);
        }
        let manifest = opts.open(dir.join(MANIFEST))?;
        Ok(Extractor {
            dir: Some(dir.to_path_buf()),
            listings,
            manifest: Some(manifest),
            ..Extractor::default()
        })
    }

    /// Files written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The first problem met, if any (for the capture's warnings).
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// A new temporary file in the directory; `None` when hashing only or on an error
    /// (noted once).
    pub fn temp_file(&mut self) -> Option<NamedTempFile> {
        let dir = self.dir.as_ref()?;
        match tempfile::Builder::new()
            .prefix(".ftpflow-")
            .suffix(".part")
            .tempfile_in(dir)
        {
            Ok(f) => Some(f),
            Err(e) => {
                self.problem.get_or_insert_with(|| {
                    format!("--extract: cannot create a file in {}: {e}", dir.display())
                });
                None
            }
        }
    }

    /// Keeps a finished temporary file until its transfer is named; returns its key.
    pub fn keep(&mut self, path: TempPath) -> u64 {
        self.next_id += 1;
        self.pending.insert(self.next_id, path);
        self.next_id
    }

    /// Removes the temporary files of a connection no transfer took.
    pub fn discard(&mut self, record: &ConnRecord) {
        for facts in record.content.iter().flat_map(|c| c.iter().flatten()) {
            if let Some(id) = facts.pending {
                self.pending.remove(&id);
            }
        }
    }

    /// A session ended: names its transfers' files, writes their manifest lines, and
    /// removes the temporary files its transfers did not take (other directions).
    pub fn session(&mut self, session: &mut Session) {
        let id = session.id;
        for t in &mut session.transfers {
            self.transfer(id, t);
        }
        for t in &session.transfers {
            if let Some(d) = &t.data {
                self.discard(&d.tcp);
            }
        }
    }

    fn transfer(&mut self, session: u32, t: &mut Transfer) {
        let Some(facts) = t.content.as_mut() else {
            return;
        };
        let Some(temp) = facts.pending.take().and_then(|id| self.pending.remove(&id)) else {
            return;
        };
        // TLS (PROT P): the bytes are ciphertext, no file.
        if (t.direction == Direction::Listing && !self.listings) || t.encrypted {
            return;
        }
        let Some(dir) = self.dir.clone() else { return };
        let complete = t.status == Status::Complete && facts.whole();
        let verb = match t.command.chars().all(|c| c.is_ascii_alphanumeric()) {
            true => t.command.as_str(),
            false => "transfer",
        };
        let fallback = format!("s{session}-{verb}-{}", t.id);
        let base = match (t.direction, &t.stored_as, &t.file_name) {
            (Direction::Listing, _, _) => format!("{fallback}.txt"),
            (_, Some(stored), _) => safe_name(stored.as_str(), &fallback),
            (_, None, Some(f)) => safe_name(f.as_str(), &fallback),
            _ => fallback,
        };
        let partial = if complete { "" } else { ".partial" };
        let mut temp = temp;
        let mut written = None;
        for n in 1..=MAX_SUFFIX {
            let name = format!("{}{partial}", with_suffix(&base, n));
            match temp.persist_noclobber(dir.join(&name)) {
                Ok(()) => {
                    written = Some(name);
                    break;
                }
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => temp = e.path,
                Err(e) => {
                    facts.extract_error = Some(e.error.to_string());
                    break;
                }
            }
        }
        let Some(name) = written else {
            facts
                .extract_error
                .get_or_insert_with(|| "no free name for the file".into());
            self.problem
                .get_or_insert_with(|| format!("--extract: could not write {base}"));
            return;
        };
        facts.extracted_as = Some(name.clone());
        self.written += 1;
        let line = serde_json::json!({
            "file": name,
            "session": session,
            "transfer": t.id,
            "command": t.command,
            "server_path": t.arg.as_ref().map(|a| a.as_str()),
            "stored_as": t.stored_as.as_ref().map(|a| a.as_str()),
            "direction": t.direction,
            "status": t.status,
            "complete": complete,
            "size": facts.size,
            "announced_size": t.announced_size,
            "rest_offset": t.rest_offset,
            "missing": facts.missing,
            "missing_ranges_dropped": facts.missing_ranges_dropped,
            "sha256": facts.sha256,
            "sha1": facts.sha1,
            "md5": facts.md5,
            "mime_type": facts.mime_type,
        });
        if let Some(m) = &mut self.manifest {
            // One write per line: lines of analyses sharing the directory do not mix.
            let mut text = line.to_string();
            text.push('\n');
            if let Err(e) = m.write_all(text.as_bytes()) {
                self.problem
                    .get_or_insert_with(|| format!("--extract: writing {MANIFEST}: {e}"));
            }
        }
    }
}
