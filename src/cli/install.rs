//! `ftpflow completions SHELL` and `ftpflow man`: what a packaged tool installs beside its
//! binary, generated from the clap definitions so they never drift from the real options.
//!
//! Completions (clap_complete) are printed to stdout for the shell named. The man pages
//! (clap_mangen) are roff: `ftpflow man` prints `ftpflow(1)`, which lists every
//! subcommand; `ftpflow man --out DIR` writes `ftpflow.1` and one page per subcommand
//! (`ftpflow-analyze.1`...) into DIR, as `man ftpflow-analyze` expects.

use super::exit::{CliError, Exit};
use clap::{Args, CommandFactory, ValueEnum};
use std::io::{self, Write};
use std::path::PathBuf;

/// The shells completions are generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// bash (bash-completion).
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// elvish.
    Elvish,
    /// PowerShell.
    Powershell,
}

/// The arguments of `ftpflow completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The arguments of `ftpflow man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ftpflow.1 and a page per subcommand (ftpflow-analyze.1, ...) into DIR
    /// instead of printing ftpflow.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Prints the completion script for `args.shell`.
pub fn completions(args: CompletionsArgs) -> Result<Exit, CliError> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut super::Cli::command(), "ftpflow", &mut buf);
    write_stdout(&buf)
}

/// Prints `ftpflow(1)`, or writes every page into `--out DIR`.
pub fn man(args: ManArgs) -> Result<Exit, CliError> {
    let cmd = super::Cli::command();
    let Some(dir) = args.out else {
        return write_stdout(&one_page(cmd).map_err(CliError::Output)?);
    };
    std::fs::create_dir_all(&dir).map_err(|error| CliError::OutputFile {
        path: dir.display().to_string(),
        error,
    })?;
    clap_mangen::generate_to(cmd, &dir).map_err(|error| CliError::OutputFile {
        path: dir.display().to_string(),
        error,
    })?;
    Ok(Exit::Complete)
}

/// `ftpflow(1)` whole: the usual sections, then a section per subcommand with its
/// synopsis, description and every option, so one installed file documents everything.
fn one_page(mut cmd: clap::Command) -> io::Result<Vec<u8>> {
    cmd = cmd.disable_help_subcommand(true);
    // Gives each subcommand its full name ("ftpflow analyze") for the synopses.
    cmd.build();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        writeln!(
            page,
            ".SH \"COMMAND: FTPFLOW {}\"",
            sub.get_name().to_uppercase()
        )?;
        let mut part = Vec::new();
        let man = clap_mangen::Man::new(sub.clone());
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        man.render_options_section(&mut part)?;
        // The subcommand's own sections become subsections of its section.
        for line in String::from_utf8_lossy(&part).lines() {
            match line.strip_prefix(".SH ") {
                Some(title) => writeln!(page, ".SS {title}")?,
                None => writeln!(page, "{line}")?,
            }
        }
    }
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// Writes `buf` to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(buf: &[u8]) -> Result<Exit, CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(buf).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(e)),
        _ => Ok(Exit::Complete),
    }
}
