//! How a run ends: the exit codes and the errors that stop a run, mapped in one place.
//!
//! Commands return `Result<Exit, CliError>`; [`finish`] prints the error (if any) once,
//! as `ftpflow: ...` on stderr, and turns the result into the process exit code. Notes
//! about single inputs (a truncated file among good ones) are not errors: the run goes on
//! and they show in the [`Exit`] it returns.

use std::fmt;
use std::io;

/// The process exit code of a run that was not stopped by an error (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Every input was read completely. A capture without FTP is complete too.
    Complete = 0,
    /// Results were printed, but an input was damaged (truncated, corrupt records, or
    /// unreadable beside inputs that were fine).
    Partial = 1,
    /// Nothing could be analysed: not a capture, an unsupported link type, unreadable.
    Failed = 2,
}

impl Exit {
    /// The exit of one capture from how many of its inputs were usable and damaged.
    pub fn of_inputs(usable: usize, damaged: usize) -> Exit {
        match (usable, damaged) {
            (0, _) => Exit::Failed,
            (_, 0) => Exit::Complete,
            _ => Exit::Partial,
        }
    }

    /// The exit of several separate captures: failed only if all failed.
    pub fn combine(exits: &[Exit]) -> Exit {
        if exits.iter().all(|&e| e == Exit::Failed) {
            Exit::Failed
        } else if exits.iter().any(|&e| e != Exit::Complete) {
            Exit::Partial
        } else {
            Exit::Complete
        }
    }
}

/// The exit code when a second Ctrl-C ends the run at once, without a summary (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

/// What stops a run before or while it writes its output.
#[derive(Debug)]
pub enum CliError {
    /// Arguments that make no sense together or out of range.
    Usage(String),
    /// The output file cannot be created.
    OutputFile {
        /// The path given with `-o`.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// Writing the output failed. A closed pipe (`| head`) is not an error: see [`finish`].
    Output(io::Error),
    /// The system refused something the run needs (a signal handler).
    System(String),
    /// Live capture could not start or failed (permissions, interface, filter).
    Capture(String),
    /// `live` in a binary built without libpcap.
    NoLiveSupport,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::System(m) | CliError::Capture(m) => f.write_str(m),
            CliError::OutputFile { path, error } => write!(f, "cannot write {path}: {error}"),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
            CliError::NoLiveSupport => f.write_str(
                "this binary was built without live capture. Install libpcap's headers \
                 (Debian/Ubuntu: sudo apt-get install libpcap-dev) and build with: \
                 cargo build --release --features live",
            ),
        }
    }
}

impl std::error::Error for CliError {}

impl CliError {
    /// The exit code this error ends the run with.
    pub fn exit_code(&self) -> i32 {
        match self {
            // The reader went away: it has what it wanted.
            CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
            _ => Exit::Failed as i32,
        }
    }
}

/// A failed write to the output; a sink's refusal of what it was given (`InvalidInput`:
/// `--format svg` with several sessions) is a usage error.
impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        if e.kind() == io::ErrorKind::InvalidInput {
            return CliError::Usage(e.to_string());
        }
        CliError::Output(e)
    }
}

/// Prints the error, if any, and gives the process exit code.
pub fn finish(result: Result<Exit, CliError>) -> i32 {
    match result {
        Ok(exit) => exit as i32,
        Err(e) => {
            if e.exit_code() != 0 {
                eprintln!("ftpflow: {}", crate::report::safe::prose(&e.to_string()));
            }
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_captures_fail_only_when_all_fail() {
        use Exit::*;
        assert_eq!(Exit::combine(&[Complete, Complete]), Complete);
        assert_eq!(Exit::combine(&[Complete, Partial]), Partial);
        assert_eq!(Exit::combine(&[Failed, Complete]), Partial);
        assert_eq!(Exit::combine(&[Failed, Failed]), Failed);
        assert_eq!(Exit::combine(&[]), Failed);
    }

    #[test]
    fn inputs_decide_one_capture() {
        assert_eq!(Exit::of_inputs(0, 1), Exit::Failed);
        assert_eq!(Exit::of_inputs(0, 0), Exit::Failed);
        assert_eq!(Exit::of_inputs(2, 0), Exit::Complete);
        assert_eq!(Exit::of_inputs(2, 1), Exit::Partial);
    }

    #[test]
    fn closed_pipe_is_success_other_errors_are_2() {
        let pipe = CliError::Output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(finish(Err(pipe)), 0);
        let full = CliError::Output(io::Error::other("disk full"));
        assert_eq!(full.exit_code(), 2);
        assert_eq!(finish(Err(CliError::Usage("x".into()))), 2);
        assert_eq!(finish(Ok(Exit::Partial)), 1);
    }
}
