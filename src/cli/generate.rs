//! `auditui generate`: realistic, deterministic logs for demos, tests and
//! benchmarks (bench data is generated, never committed).

use super::EXIT_OK;
use crate::generate::{self, DEFAULT_START, Options, Scenario};
use crate::log::entry::Scheme;
use std::io::Write;
use std::path::PathBuf;

/// Write realistic, deterministic audit logs in the lesson's formats
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The same arguments always write byte-identical files. Rotated files are named like \
logrotate: NAME.jsonl holds the newest entries, NAME.1.jsonl the ones before, and so on.\n\n\
Examples:\n  auditui generate /tmp/logs --entries 10000\n  \
auditui generate bench-data --entries 1000000 --files 4 --seed 7\n  \
auditui generate /tmp/clinic --scenario clinic --entries 1500 --name clinic-hipaa"
)]
pub struct Args {
    /// Directory to write into (created if missing)
    pub outdir: PathBuf,
    /// Number of entries over all files
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..))]
    pub entries: u64,
    /// Seed for the traffic: same seed, same bytes
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Log format [default: chain, or hipaa with --scenario clinic]
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// Split the chain over K rotated files that still form one chain
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub files: u64,
    /// Time of the first entry (RFC 3339; UTC when no offset is given)
    #[arg(long, default_value = DEFAULT_START)]
    pub start: String,
    /// Traffic mix; `clinic` plants an access burst and reviewed emergencies
    #[arg(long, value_enum, default_value_t = ScenarioArg::Mixed)]
    pub scenario: ScenarioArg,
    /// File name stem: NAME.jsonl, NAME.1.jsonl, ...
    #[arg(long, default_value = "audit")]
    pub name: String,
    /// Prefix lines with INFO:tool_audit: as Python's logging does (plain only; files end in .log)
    #[arg(long)]
    pub logging_prefix: bool,
    /// Overwrite existing files
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeArg {
    /// Every field hashed (`_previous_hash`, `_hash`)
    Chain,
    /// Medical entries; only five fields hashed (`previous_hash`, `entry_hash`)
    Hipaa,
    /// No hashes
    Plain,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScenarioArg {
    /// Customer support with some clinic staff
    Mixed,
    /// Clinic staff, a planted access burst, reviewed emergencies
    Clinic,
}

pub fn run(args: Args) -> Result<u8, String> {
    let scenario = match args.scenario {
        ScenarioArg::Mixed => Scenario::Mixed,
        ScenarioArg::Clinic => Scenario::Clinic,
    };
    let scheme = match (args.scheme, scenario) {
        (Some(SchemeArg::Chain), _) => Scheme::Chain,
        (Some(SchemeArg::Hipaa), _) | (None, Scenario::Clinic) => Scheme::Hipaa,
        (Some(SchemeArg::Plain), _) => Scheme::Plain,
        (None, Scenario::Mixed) => Scheme::Chain,
    };
    let options = Options {
        entries: args.entries,
        seed: args.seed,
        scheme,
        scenario,
        files: args.files,
        start_micros: generate::parse_start(&args.start)?,
        name: args.name,
        logging_prefix: args.logging_prefix,
    };
    let written = generate::write_dir(&args.outdir, &options, args.force)?;
    // Newest first, as `ls` of a logrotate directory reads. The files are
    // written by now, so a closed stdout (`| head`) is no reason to fail.
    let mut stdout = std::io::stdout().lock();
    for file in written.iter().rev() {
        let _ = writeln!(
            stdout,
            "{}  {} entries  {} bytes",
            file.path.display(),
            file.entries,
            file.bytes
        );
    }
    Ok(EXIT_OK)
}
