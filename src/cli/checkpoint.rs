//! `auditui checkpoint`: print the note that `verify --checkpoint` checks.

use super::{EXIT_OK, open_sources};
use crate::log::checkpoint::Checkpoint;
use crate::log::scan;
use std::path::PathBuf;

/// Print a checkpoint (origin, entry count, head hash) of a chain
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Keep the checkpoint where the log writer cannot change it (another host, a ticket, a signed commit).\n\nExamples:\n  auditui checkpoint logs/ > /secure/audit.checkpoint\n  auditui verify logs/ --checkpoint /secure/audit.checkpoint"
)]
pub struct Args {
    /// Log files or directories holding one chain
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<u8, String> {
    let sources = open_sources(&args.paths)?;
    let verification = scan::verify(&sources);
    if verification.chains.len() > 1 {
        return Err(format!(
            "these paths hold {} separate chains; checkpoint one chain at a time",
            verification.chains.len()
        ));
    }
    let chain = verification
        .main_chain()
        .ok_or("no entries to checkpoint")?;
    let checkpoint =
        Checkpoint::of(chain).ok_or("this log has no hash chain to checkpoint (plain scheme)")?;
    if !verification.intact() {
        eprintln!(
            "auditui: warning: the chain has {} integrity findings; the checkpoint records it as it is now",
            verification.findings.len()
        );
    }
    super::common::write_stdout(|out| write!(out, "{checkpoint}"))?;
    Ok(EXIT_OK)
}
