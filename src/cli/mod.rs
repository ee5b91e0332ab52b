//! Command-line interface: one file per subcommand, each returning an exit code.
//!
//! Exit codes: 0 ok, 1 integrity (or leak) findings, 2 usage or I/O error.
//! Data goes to stdout, diagnostics to stderr.

mod checkpoint;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "auditui",
    version,
    about = "Browse and verify hash-chained audit logs of AI tool calls"
)]
#[command(args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Exit codes: 0 ok, 1 integrity findings, 2 usage or I/O error.\n\nWith no command, opens the terminal browser on PATH (default: ./sample-logs)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Log files or directories to browse
    pub paths: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Verify(verify::Args),
    Checkpoint(checkpoint::Args),
}

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Some(Command::Verify(args)) => verify::run(args),
        Some(Command::Checkpoint(args)) => checkpoint::run(args),
        None => Err(format!(
            "the terminal browser is not built yet; run `auditui verify {}`",
            cli.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        )),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("auditui: {}", crate::text::for_terminal(&message));
            EXIT_ERROR
        }
    }
}

/// Open the given paths as sources, as a one-line error message on failure.
fn open_sources(paths: &[PathBuf]) -> Result<Vec<crate::log::source::Source>, String> {
    crate::log::source::open_all(paths).map_err(|e| e.to_string())
}
