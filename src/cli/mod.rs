//! Command-line interface: one file per subcommand, each returning an exit code.
//!
//! Exit codes: 0 ok, 1 integrity (or leak) findings, 2 usage or I/O error.
//! Data goes to stdout, diagnostics to stderr.

mod alerts;
mod checkpoint;
mod color;
mod common;
mod completions;
mod config;
mod consistency;
mod excerpt;
mod export;
mod follow;
mod generate;
mod histogram;
mod ingest;
mod keygen;
mod man;
mod progress;
mod query;
mod report;
mod retention;
mod scan;
mod stats;
mod terminal_out;
mod timeline;
pub(crate) mod verify;

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// `--version`: the version, the commit it was built from, and the target.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("AUDITUI_COMMIT"),
    ", ",
    env!("AUDITUI_TARGET"),
    ", ",
    env!("AUDITUI_PROFILE"),
    " build)"
);

#[derive(Parser, Debug)]
#[command(
    name = "auditui",
    version,
    long_version = LONG_VERSION,
    about = "Browse and verify hash-chained audit logs of AI tool calls"
)]
#[command(
    after_help = "With no command, opens the terminal browser on PATH (default: the configuration's paths, else ./sample-logs).\n\nExamples:\n  auditui logs/                                  browse, with the integrity banner\n  auditui verify logs/ --format json             CI: exit 1 on any tampering\n  auditui query logs/ -q 'patient:P-0007 last:7d' --format csv\n  auditui report logs/ --patient P-0007 --format fhir -o p7.json\n\nExit codes: 0 ok, 1 integrity or leak findings, 2 usage or I/O error.\nData goes to stdout, diagnostics to stderr.\n\nConfiguration: $XDG_CONFIG_HOME/auditui/config.toml (see auditui config --print-default)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Log files or directories to browse
    pub paths: Vec<PathBuf>,
    /// Browse with follow mode on: verify and show appended entries as the logs grow (F toggles it)
    #[arg(long)]
    pub follow: bool,
    /// When to use colour
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = color::ColorWhen::Auto)]
    pub color: color::ColorWhen,
    /// Read the configuration from FILE instead of $XDG_CONFIG_HOME/auditui/config.toml
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not read lines longer than SIZE (bytes, or 512KiB, 64MiB, 2GiB): they are reported as not verified, exit 2 (default: unlimited)
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_entry_limit)]
    pub max_entry_bytes: Option<usize>,
    /// While following (follow, --follow), verify the logs again in full this often, at the lowest CPU priority: 10m, 1h; 0 turns it off (default: the configuration's verify.reverify_every, 10m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_every)]
    pub reverify_every: Option<Every>,
}

/// An interval that may be off (clap takes no `Option<Option<_>>` value).
#[derive(Debug, Clone, Copy)]
pub struct Every(Option<std::time::Duration>);

fn parse_every(text: &str) -> Result<Every, String> {
    crate::log::reverify::parse_every(text).map(Every)
}

fn parse_entry_limit(text: &str) -> Result<usize, String> {
    crate::config::parse_size(text)
        .filter(|&n| n > 0)
        .ok_or_else(|| "expected a size like 1048576, 512KiB, 64MiB or 2GiB".into())
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Verify(verify::Args),
    Checkpoint(checkpoint::Args),
    Excerpt(excerpt::Args),
    VerifyExcerpt(excerpt::VerifyArgs),
    Consistency(consistency::Args),
    VerifyConsistency(consistency::VerifyArgs),
    Generate(generate::Args),
    Query(query::Args),
    Stats(stats::Args),
    Histogram(histogram::Args),
    Timeline(timeline::Args),
    Report(report::Args),
    Alerts(alerts::Args),
    Retention(retention::Args),
    Export(export::Args),
    Ingest(ingest::Args),
    Scan(scan::Args),
    Follow(follow::Args),
    Completions(completions::Args),
    Man(man::Args),
    Config(config::Args),
    Keygen(keygen::Args),
}

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    color::init(cli.color);
    let mut loaded = match &cli.command {
        // These need no configuration; `config` reports problems itself.
        Some(Command::Completions(_) | Command::Man(_) | Command::Config(_)) => {
            crate::config::LoadedConfig::default()
        }
        _ => crate::config::Config::load(cli.config.as_deref()),
    };
    // The TOML error spans lines (a caret under the bad key).
    if let Some(problem) = &loaded.problem {
        eprintln!("auditui: {}", crate::text::for_terminal_multiline(problem));
    }
    if let Some(Every(every)) = cli.reverify_every {
        loaded.config.verify.reverify_every = every;
    }
    let settings = &loaded.config;
    if let Some(limit) = cli.max_entry_bytes.or(settings.verify.max_entry_bytes) {
        crate::log::source::set_max_entry_bytes(limit);
    }
    let result = match cli.command {
        Some(Command::Verify(args)) => verify::run(args),
        Some(Command::Checkpoint(args)) => checkpoint::run(args),
        Some(Command::Excerpt(args)) => excerpt::run(args),
        Some(Command::VerifyExcerpt(args)) => excerpt::run_verify(args),
        Some(Command::Consistency(args)) => consistency::run(args),
        Some(Command::VerifyConsistency(args)) => consistency::run_verify(args),
        Some(Command::Generate(args)) => generate::run(args),
        Some(Command::Query(args)) => query::run(args),
        Some(Command::Stats(args)) => stats::run(args),
        Some(Command::Histogram(args)) => histogram::run(args),
        Some(Command::Timeline(args)) => timeline::run(args),
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Alerts(args)) => alerts::run(args, &settings.alerts),
        Some(Command::Retention(args)) => retention::run(args, &settings.retention),
        Some(Command::Export(args)) => export::run(args),
        Some(Command::Ingest(args)) => ingest::run(args),
        Some(Command::Scan(args)) => scan::run(args),
        Some(Command::Keygen(args)) => keygen::run(args),
        Some(Command::Follow(args)) => follow::run(args, &settings.verify),
        Some(Command::Completions(args)) => completions::run(args),
        Some(Command::Man(args)) => man::run(args),
        Some(Command::Config(args)) => config::run(args, cli.config.as_deref()),
        None => match mistyped_command(&cli.paths) {
            Some(message) => Err(message),
            None => crate::tui::run(
                cli.paths,
                &Cli::command().render_usage().to_string(),
                loaded,
                color::stdout_has_color(),
                cli.follow,
            )
            .map(|outcome| match outcome {
                crate::tui::Outcome::Closed => EXIT_OK,
                crate::tui::Outcome::Failed => EXIT_ERROR,
            }),
        },
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("auditui: {}", crate::text::for_terminal(&message));
            EXIT_ERROR
        }
    }
}

/// `auditui verfy logs/` is a typo, not a log called `verfy`: the message
/// names the command it likely meant.
fn mistyped_command(paths: &[PathBuf]) -> Option<String> {
    let first = paths.first()?;
    let word = first
        .to_str()
        .filter(|w| !first.exists() && !w.contains(['/', '.']))?;
    let command = Cli::command();
    let names = command.get_subcommands().map(|c| c.get_name());
    let meant = crate::text::closest(word, names)?;
    Some(format!(
        "no such file or command {:?}; did you mean `auditui {meant}`?",
        crate::text::for_terminal(word)
    ))
}

/// Open the given paths as sources, as a one-line error message on failure.
fn open_sources(paths: &[PathBuf]) -> Result<Vec<crate::log::source::Source>, String> {
    crate::log::source::open_all(paths).map_err(|e| e.to_string())
}
