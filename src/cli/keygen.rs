//! `auditui keygen`: a key pair for signing checkpoints.

use super::EXIT_OK;
use crate::export::atomic::write_atomic;
use crate::log::signing::{generate, public_key_text, secret_key_text};
use crate::text::for_terminal;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Make an Ed25519 key pair for signing checkpoints
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Writes PREFIX.key (secret, mode 600) and PREFIX.pub. Keep PREFIX.key on the host that \
takes checkpoints, never on the host that writes the log; give PREFIX.pub to whoever verifies.\n\n\
Examples:\n  auditui keygen --out /secure/checkpoints\n  \
auditui checkpoint logs/ --key /secure/checkpoints.key > audit.checkpoint\n  \
auditui verify logs/ --checkpoint audit.checkpoint --trusted-key checkpoints.pub"
)]
pub struct Args {
    /// Path prefix: writes PREFIX.key and PREFIX.pub
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
    /// Replace existing key files
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> Result<u8, String> {
    let secret_path = with_suffix(&args.out, "key");
    let public_path = with_suffix(&args.out, "pub");
    if !args.force {
        for path in [&secret_path, &public_path] {
            if path.symlink_metadata().is_ok() {
                return Err(format!(
                    "{} exists; use --force to replace it (signatures by the old key will no longer verify against the new one)",
                    path.display()
                ));
            }
        }
    }
    let key = generate()?;
    write_secret(&secret_path, &secret_key_text(&key), args.force)
        .map_err(|e| format!("{}: {e}", secret_path.display()))?;
    let public = public_key_text(&key.verifying_key());
    write_atomic(&public_path, args.force, |out| {
        out.write_all(public.as_bytes())
    })
    .map_err(|e| e.to_string())?;
    eprintln!(
        "auditui: wrote {} (secret: keep it off the log writer) and {}",
        for_terminal(&secret_path.display().to_string()),
        for_terminal(&public_path.display().to_string())
    );
    Ok(EXIT_OK)
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Write the secret key through a temp file that is mode 600 from its
/// creation, so the key is never readable by others, even for a moment.
fn write_secret(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".auditui-key.").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    let persisted = if force {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    persisted.map(drop).map_err(|e| e.error)
}
