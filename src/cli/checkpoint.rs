//! `auditui checkpoint`: print the note that `verify --checkpoint` checks,
//! signed when given a key.

use super::{EXIT_OK, open_sources};
use crate::log::checkpoint::{Checkpoint, chain_leaves};
use crate::log::pass;
use crate::log::signing::parse_secret_key;
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};

/// Print a checkpoint (origin, entry count, head hash, Merkle tree head) of a chain
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Keep the checkpoint where the log writer cannot change it (another host, a ticket, a signed commit). \
Sign it with a key the writer never holds, so a copy anywhere can be trusted.\n\n\
Examples:\n  auditui checkpoint logs/ > /secure/audit.checkpoint\n  \
auditui verify logs/ --checkpoint /secure/audit.checkpoint\n  \
auditui checkpoint logs/ --key checkpoints.key > audit.checkpoint\n  \
auditui verify logs/ --checkpoint audit.checkpoint --trusted-key checkpoints.pub"
)]
pub struct Args {
    /// Log files or directories holding one chain
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Sign the checkpoint with this secret key (from `auditui keygen`)
    #[arg(long, value_name = "SECRET_KEY_FILE")]
    pub key: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<u8, String> {
    let key = args.key.as_deref().map(read_secret_key).transpose()?;
    let sources = open_sources(&args.paths)?;
    let verification = pass::verify_keeping(&sources, true, |_| {});
    if verification.chains.len() > 1 {
        return Err(format!(
            "these paths hold {} separate chains; checkpoint one chain at a time",
            verification.chains.len()
        ));
    }
    let chain = verification
        .main_chain()
        .ok_or("no entries to checkpoint")?;
    let leaves = chain_leaves(&verification, chain);
    let checkpoint = Checkpoint::of(chain, leaves.as_deref())
        .ok_or("this log has no hash chain to checkpoint (plain scheme)")?;
    if checkpoint.tree.is_none() {
        eprintln!(
            "auditui: warning: an entry has no valid stored hash, so the checkpoint has no Merkle tree head (no excerpts or consistency proofs against it)"
        );
    }
    if !verification.intact() {
        eprintln!(
            "auditui: warning: the chain has {} integrity findings; the checkpoint records it as it is now",
            verification.findings.len()
        );
    }
    super::common::write_stdout(|out| match &key {
        Some(key) => write!(out, "{}", checkpoint.signed(key)),
        None => write!(out, "{checkpoint}"),
    })?;
    Ok(EXIT_OK)
}

/// Read a secret key, warning when others may read it too.
fn read_secret_key(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0, |m| m.permissions().mode());
        if mode & 0o077 != 0 {
            eprintln!(
                "auditui: warning: {} can be read by other users (mode {:o}); chmod 600 it",
                crate::text::for_terminal(&path.display().to_string()),
                mode & 0o777
            );
        }
    }
    parse_secret_key(&text).map_err(|e| format!("{}: {e}", path.display()))
}
