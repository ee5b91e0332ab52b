//! Command-line interface: one file per subcommand, each returning an exit code.
//!
//! Exit codes: 0 ok, 1 integrity (or leak) findings, 2 usage or I/O error.
//! Data goes to stdout, diagnostics to stderr.

mod alerts;
mod checkpoint;
mod common;
mod export;
mod generate;
mod keygen;
mod query;
mod report;
mod retention;
mod scan;
mod stats;
mod timeline;
pub(crate) mod verify;

use clap::{CommandFactory, Parser, Subcommand};
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
    Generate(generate::Args),
    Query(query::Args),
    Stats(stats::Args),
    Timeline(timeline::Args),
    Report(report::Args),
    Alerts(alerts::Args),
    Retention(retention::Args),
    Export(export::Args),
    Scan(scan::Args),
    Keygen(keygen::Args),
}

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Some(Command::Verify(args)) => verify::run(args),
        Some(Command::Checkpoint(args)) => checkpoint::run(args),
        Some(Command::Generate(args)) => generate::run(args),
        Some(Command::Query(args)) => query::run(args),
        Some(Command::Stats(args)) => stats::run(args),
        Some(Command::Timeline(args)) => timeline::run(args),
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Alerts(args)) => alerts::run(args),
        Some(Command::Retention(args)) => retention::run(args),
        Some(Command::Export(args)) => export::run(args),
        Some(Command::Scan(args)) => scan::run(args),
        Some(Command::Keygen(args)) => keygen::run(args),
        None => crate::tui::run(cli.paths, &Cli::command().render_usage().to_string()),
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
