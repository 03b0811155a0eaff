//! Output files that never harm the user's files: `-o` and `live -w`.
//!
//! A capture is evidence. An output path that names an input (the same path, a hard link
//! or a symlink to it) is refused before anything is opened for writing. A regular file is
//! written under a temporary name in its own folder and renamed over the destination only
//! when the run completed, so an interrupted or failed run leaves the previous file as it
//! was. Paths that are not regular files (`/dev/null`, a FIFO, a terminal) are written in
//! place: renaming over them would replace the device or pipe the user named.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use super::exit::CliError;

/// Temporary files not yet renamed into place, removed by [`remove_unfinished`] when a
/// second Ctrl-C ends the process without unwinding.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Tells temporary names of one process apart.
static SERIAL: AtomicU32 = AtomicU32::new(0);

/// A file that becomes the destination only on [`PendingFile::commit`]; dropped without
/// commit, the temporary file is removed and the destination is untouched.
#[derive(Debug)]
pub struct PendingFile {
    /// Where the output goes when complete.
    dest: PathBuf,
    /// Where it is written meanwhile; `None` when written in place (not a regular file).
    temp: Option<PathBuf>,
}

impl PendingFile {
    /// Prepares `dest` for writing: refuses a directory or a path that is one of `inputs`,
    /// and picks the temporary path. Nothing is created yet.
    pub fn plan(dest: &Path, inputs: &[&Path], flag: &str) -> Result<PendingFile, CliError> {
        refuse_inputs(dest, inputs, flag)?;
        // Follow a symlink to the file it names, so the rename replaces that file, not the
        // link (and the temporary file lands on the same file system as the target).
        let dest = match fs::symlink_metadata(dest) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(dest).unwrap_or(dest.into()),
            _ => dest.to_path_buf(),
        };
        let in_place = match fs::metadata(&dest) {
            Ok(m) if m.is_dir() => {
                return Err(CliError::Usage(format!(
                    "{flag} {} is a directory; give a file name",
                    dest.display()
                )));
            }
            Ok(m) => !m.is_file(),
            Err(_) => false,
        };
        let temp = (!in_place).then(|| temp_path(&dest));
        Ok(PendingFile { dest, temp })
    }

    /// Where the output goes when complete.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The path the writer must open: the temporary one, or the destination itself.
    pub fn write_path(&self) -> &Path {
        self.temp.as_deref().unwrap_or(&self.dest)
    }

    /// The path another writer (libpcap's savefile) must create, noted so that a second
    /// Ctrl-C removes it.
    pub fn reserve(&self) -> &Path {
        if let Some(temp) = &self.temp {
            UNFINISHED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(temp.clone());
        }
        self.write_path()
    }

    /// Opens [`write_path`](Self::write_path) for writing, creating it.
    pub fn create(&self) -> Result<File, CliError> {
        let path = self.reserve();
        let opened = match &self.temp {
            Some(_) => OpenOptions::new().write(true).create_new(true).open(path),
            None => File::create(path),
        };
        opened.map_err(|error| CliError::OutputFile {
            path: self.dest.display().to_string(),
            error,
        })
    }

    /// The run completed: the temporary file replaces the destination, keeping the
    /// destination's permissions when it existed.
    pub fn commit(mut self) -> Result<(), CliError> {
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        forget(&temp);
        if let Ok(old) = fs::metadata(&self.dest) {
            let _ = fs::set_permissions(&temp, old.permissions());
        }
        fs::rename(&temp, &self.dest).map_err(|error| {
            let _ = fs::remove_file(&temp);
            CliError::OutputFile {
                path: self.dest.display().to_string(),
                error,
            }
        })
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            forget(&temp);
            let _ = fs::remove_file(temp);
        }
    }
}

/// Removes every temporary output not yet committed (a second Ctrl-C exits at once).
pub fn remove_unfinished() {
    remove_unfinished_in(None);
}

/// [`remove_unfinished`] limited to one folder (`None`: everywhere).
fn remove_unfinished_in(dir: Option<&Path>) {
    let mut list = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    list.retain(|temp| {
        let remove = dir.is_none_or(|d| temp.starts_with(d));
        if remove {
            let _ = fs::remove_file(temp);
        }
        !remove
    });
}

fn forget(temp: &Path) {
    UNFINISHED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|p| p != temp);
}

/// `.NAME.ftpflow-PID-N.tmp` beside `dest`: hidden, and named after the run that owns it.
fn temp_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    let temp = format!(".{name}.ftpflow-{}-{serial}.tmp", std::process::id());
    match dest.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp),
        _ => PathBuf::from(temp),
    }
}

/// Refuses `dest` when it is one of `inputs`: the same file by device and inode (a hard
/// link or a symlink to it too), or the same path when the input cannot be looked at.
fn refuse_inputs(dest: &Path, inputs: &[&Path], flag: &str) -> Result<(), CliError> {
    let dest_id = fs::metadata(dest).ok().map(|m| (m.dev(), m.ino()));
    for input in inputs {
        let same = match (dest_id, fs::metadata(input)) {
            (Some(d), Ok(m)) => d == (m.dev(), m.ino()),
            _ => dest == *input,
        };
        if same {
            return Err(CliError::Usage(format!(
                "{flag} {} is the input {}: refusing to overwrite a capture (choose another output file)",
                dest.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Where the report goes: a pending file, or stdout; buffered.
pub fn report_writer(pending: Option<&PendingFile>) -> Result<Box<dyn Write>, CliError> {
    match pending {
        Some(file) => Ok(Box::new(BufWriter::new(file.create()?))),
        None => Ok(Box::new(BufWriter::new(io::stdout().lock()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn refused(r: Result<PendingFile, CliError>) -> bool {
        matches!(r, Err(CliError::Usage(m)) if m.contains("refusing to overwrite"))
    }

    #[test]
    fn an_input_is_refused_by_path_link_and_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("x.pcap");
        fs::write(&input, b"evidence").unwrap();
        let hard = dir.path().join("hard.pcap");
        fs::hard_link(&input, &hard).unwrap();
        let soft = dir.path().join("soft.pcap");
        symlink(&input, &soft).unwrap();
        for dest in [&input, &hard, &soft] {
            assert!(
                refused(PendingFile::plan(dest, &[&input], "-o")),
                "{dest:?}"
            );
        }
        // The input named through a symlink, the output by its real path.
        assert!(refused(PendingFile::plan(&input, &[&soft], "-o")));
        assert_eq!(fs::read(&input).unwrap(), b"evidence");
        let other = dir.path().join("report.json");
        assert!(PendingFile::plan(&other, &[&input], "-o").is_ok());
    }

    #[test]
    fn the_destination_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("report.json");
        fs::write(&dest, b"previous").unwrap();
        {
            let pending = PendingFile::plan(&dest, &[], "-o").unwrap();
            let mut w = report_writer(Some(&pending)).unwrap();
            w.write_all(b"half a report").unwrap();
            w.flush().unwrap();
            // Dropped without commit: a failed run.
        }
        assert_eq!(fs::read(&dest).unwrap(), b"previous");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );

        let pending = PendingFile::plan(&dest, &[], "-o").unwrap();
        let mut w = report_writer(Some(&pending)).unwrap();
        w.write_all(b"new").unwrap();
        drop(w);
        pending.commit().unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_second_interrupt_removes_unfinished_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("report.txt");
        fs::write(&dest, b"previous").unwrap();
        let pending = PendingFile::plan(&dest, &[], "-o").unwrap();
        let mut w = report_writer(Some(&pending)).unwrap();
        w.write_all(b"partial").unwrap();
        w.flush().unwrap();
        assert!(pending.write_path().exists());
        // Other tests' files are in the same list: only this folder's are removed here.
        remove_unfinished_in(Some(dir.path()));
        assert!(!pending.write_path().exists());
        assert_eq!(fs::read(&dest).unwrap(), b"previous");
        std::mem::forget(pending); // the process would be gone: no Drop
    }

    #[test]
    fn a_symlinked_destination_replaces_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.json");
        symlink(&target, &link).unwrap();
        let pending = PendingFile::plan(&link, &[], "-o").unwrap();
        fs::write(pending.write_path(), b"new").unwrap();
        pending.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn devices_are_written_in_place_and_directories_refused() {
        let pending = PendingFile::plan(Path::new("/dev/null"), &[], "-o").unwrap();
        assert_eq!(pending.write_path(), Path::new("/dev/null"));
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            PendingFile::plan(dir.path(), &[], "-o"),
            Err(CliError::Usage(m)) if m.contains("directory")
        ));
    }
}
