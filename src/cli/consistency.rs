//! `auditui consistency`: the proof that a newer checkpoint's tree extends
//! an older one's; `auditui verify-consistency`: checks it offline, so a
//! monitor that keeps every checkpoint can show that nothing was rewritten
//! or removed between any two, without keeping the log.

use super::common::{Output, write_stdout};
use super::verify::{Format, print_verdict, read_note_text, read_trusted_key};
use super::{EXIT_FINDINGS, EXIT_OK, open_sources};
use crate::export::atomic::{refuse_evidence, write_atomic};
use crate::log::chain::{Finding, FindingKind, short};
use crate::log::checkpoint::{Note, TreeHead, chain_leaves};
use crate::log::merkle::{self, Tree};
use crate::log::pass;
use crate::log::signing::{from_hex, to_hex};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The `format` of a consistency proof file.
const FORMAT: &str = "auditui consistency v1";

/// A consistency proof file: which two tree heads, and the proof.
#[derive(Debug, Serialize, Deserialize)]
struct ProofFile {
    format: String,
    old: Head,
    new: Head,
    /// RFC 6962 section 2.1.2's proof nodes, in hex.
    proof: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Head {
    size: usize,
    root: String,
}

impl From<TreeHead> for Head {
    fn from(head: TreeHead) -> Head {
        Head {
            size: head.size,
            root: to_hex(&head.root),
        }
    }
}

/// Prove that a newer checkpoint of a log extends an older one
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Both checkpoints need a Merkle tree head (auditui checkpoint writes one) and must name the same chain; the log must still match the newer one.\n\n\
Examples:\n  auditui consistency monday.checkpoint friday.checkpoint --log logs/ -o monday-friday.proof\n  \
auditui verify-consistency monday.checkpoint friday.checkpoint monday-friday.proof --trusted-key checkpoints.pub"
)]
pub struct Args {
    /// The older checkpoint
    pub old: PathBuf,
    /// The newer checkpoint
    pub new: PathBuf,
    /// Log files or directories holding the checkpointed chain
    #[arg(long = "log", value_name = "PATH", required = true, num_args = 1..)]
    pub logs: Vec<PathBuf>,
    #[command(flatten)]
    pub output: Output,
}

pub fn run(args: Args) -> Result<u8, String> {
    let (old, _) = read_note_text(&args.old)?;
    let (new, _) = read_note_text(&args.new)?;
    let (old_head, new_head) = tree_heads(&old, &new, &args.old, &args.new)?;
    let sources = open_sources(&args.logs)?;
    let verification = pass::verify_keeping(&sources, true, |_| {});
    let leaves = verification
        .chains
        .iter()
        .find(|c| c.origin == Some(new.checkpoint.origin))
        .and_then(|chain| chain_leaves(&verification, chain))
        .ok_or("no intact chain in these logs starts at the checkpoints' origin")?;
    let tree = Tree::new(leaves.get(..new_head.size).ok_or(
        "the log has fewer entries than the newer checkpoint: it was truncated (see auditui verify --checkpoint)",
    )?);
    if tree.root() != new_head.root {
        return Err(format!(
            "the log no longer has the newer checkpoint's tree root {}: see auditui verify --checkpoint",
            short(&new_head.root)
        ));
    }
    if merkle::root(&leaves[..old_head.size]) != old_head.root {
        eprintln!(
            "auditui: the log's first {} entries no longer have the older checkpoint's tree root {}: they were rewritten, so no consistency proof exists",
            old_head.size,
            short(&old_head.root)
        );
        return Ok(EXIT_FINDINGS);
    }
    let proof = tree
        .consistency_proof(old_head.size)
        .expect("the old tree is not larger");
    let file = ProofFile {
        format: FORMAT.to_string(),
        old: old_head.into(),
        new: new_head.into(),
        proof: proof.iter().map(|h| to_hex(h)).collect(),
    };
    let write = |out: &mut dyn std::io::Write| {
        serde_json::to_writer_pretty(&mut *out, &file)?;
        writeln!(out)
    };
    match args.output.output.as_deref() {
        Some(path) if path != Path::new("-") => {
            refuse_evidence(path, &args.logs)?;
            write_atomic(path, args.output.force, write).map_err(|e| e.to_string())?;
        }
        _ => write_stdout(write)?,
    }
    Ok(EXIT_OK)
}

/// Both tree heads, when the notes have them, name one chain and are in order.
fn tree_heads(
    old: &Note,
    new: &Note,
    old_path: &Path,
    new_path: &Path,
) -> Result<(TreeHead, TreeHead), String> {
    let head = |note: &Note, path: &Path| {
        note.checkpoint.tree.ok_or_else(|| {
            format!(
                "{}: no Merkle tree head (an auditui checkpoint v1): nothing to prove consistency against",
                path.display()
            )
        })
    };
    let (old_head, new_head) = (head(old, old_path)?, head(new, new_path)?);
    if old.checkpoint.origin != new.checkpoint.origin {
        return Err("the checkpoints name different chains (their origins differ)".into());
    }
    if old_head.size > new_head.size {
        return Err(format!(
            "the older checkpoint covers {} entries, more than the newer one's {}: swap them",
            old_head.size, new_head.size
        ));
    }
    Ok((old_head, new_head))
}

/// Check offline that a newer checkpoint extends an older one
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Checks both checkpoints' signatures by the trusted key and the proof from `auditui consistency`: the newer tree holds the older one's entries unchanged, in the same places. Exit 0 when it does, 1 with findings (signature, proof), 2 when a file cannot be read.\n\n\
Examples:\n  auditui verify-consistency monday.checkpoint friday.checkpoint monday-friday.proof --trusted-key checkpoints.pub\n  \
auditui verify-consistency monday.checkpoint friday.checkpoint monday-friday.proof --trusted-key checkpoints.pub --format json"
)]
pub struct VerifyArgs {
    /// The older checkpoint
    pub old: PathBuf,
    /// The newer checkpoint
    pub new: PathBuf,
    /// The proof from `auditui consistency`
    pub proof: PathBuf,
    /// The public key that must have signed both checkpoints
    #[arg(long, value_name = "PUBLIC_KEY_FILE")]
    pub trusted_key: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run_verify(args: VerifyArgs) -> Result<u8, String> {
    let trusted = read_trusted_key(&args.trusted_key)?;
    let (old, _) = read_note_text(&args.old)?;
    let (new, _) = read_note_text(&args.new)?;
    let name = args.proof.display().to_string();
    let text = std::fs::read_to_string(&args.proof).map_err(|e| format!("{name}: {e}"))?;
    let file: ProofFile = serde_json::from_str(&text)
        .ok()
        .filter(|f: &ProofFile| f.format == FORMAT)
        .ok_or_else(|| format!("{name}: not a consistency proof (\"{FORMAT}\")"))?;
    let mut findings = old.check_signature(Some(&trusted), &args.old.display().to_string());
    findings.extend(new.check_signature(Some(&trusted), &args.new.display().to_string()));
    let (old_head, new_head) = tree_heads(&old, &new, &args.old, &args.new)?;
    findings.extend(proof_findings(&file, old_head, new_head, &name));
    let report = json!({
        "intact": findings.is_empty(),
        "old": Head::from(old_head),
        "new": Head::from(new_head),
        "findings": findings,
    });
    let heading = format!(
        "tree of {} entries (root {}) → tree of {} entries (root {})\n",
        old_head.size,
        short(&old_head.root),
        new_head.size,
        short(&new_head.root)
    );
    let ok = "OK: the newer checkpoint extends the older one; nothing before it was rewritten or removed";
    print_verdict(args.format, &report, &heading, &findings, ok)
}

/// Whether the proof file is about these two tree heads and proves them.
fn proof_findings(file: &ProofFile, old: TreeHead, new: TreeHead, name: &str) -> Vec<Finding> {
    let finding = |message: String| {
        vec![Finding {
            file: name.to_string(),
            line: 1,
            kind: FindingKind::Proof,
            message,
        }]
    };
    if file.old != Head::from(old) || file.new != Head::from(new) {
        return finding(
            "the proof is about other tree heads than these checkpoints' (sizes or roots differ)"
                .into(),
        );
    }
    let proof: Option<Vec<_>> = file.proof.iter().map(|h| from_hex(h)).collect();
    let proven = proof.is_some_and(|proof| {
        merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &proof)
    });
    if proven {
        Vec::new()
    } else {
        finding(format!(
            "the proof does not show the tree of {} entries extending the tree of {}: entries before position {} were rewritten or removed, or the proof was altered",
            new.size, old.size, old.size
        ))
    }
}
