//! The `ftpflow` command: parses the arguments and runs [`ftpflow::cli::run`].

use clap::Parser;

fn main() {
    let cli = ftpflow::cli::Cli::parse();
    std::process::exit(ftpflow::cli::run(cli));
}
