//! `auditui excerpt`: some entries with inclusion proofs against a signed
//! checkpoint; `auditui verify-excerpt`: checks one offline.

use super::EXIT_OK;
use super::common::{self, Input, Output};
use super::report::parse_moment;
use super::verify::{Format, print_verdict, read_note_text, read_trusted_key};
use crate::backend::{Backend, PageAt, RowKey};
use crate::log::chain::HIPAA_NOTE;
use crate::log::chain::short;
use crate::log::checkpoint::{Note, chain_leaves};
use crate::log::excerpt::{self, Excerpt, Selected};
use crate::log::merkle::Tree;
use crate::text::{for_terminal, plural};
use crate::views::Moment;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;

/// Write entries with proofs that a signed checkpoint covers them
#[derive(clap::Args, Debug)]
#[command(
    group(clap::ArgGroup::new("selection").required(true).args(["query", "patient"])),
    after_help = "The excerpt holds the selected entries' lines byte for byte, each with its position in the chain and an RFC 6962 inclusion proof, and the signed checkpoint: whoever has the checkpoint key's public half can check it offline with `auditui verify-excerpt`, without the log. Of the other entries it holds only the hashes on the proofs' paths. It cannot prove that no other entry matches (see the README's threat model).\n\n\
Examples:\n  auditui excerpt logs/ --checkpoint audit.checkpoint --patient P-0007 -o p7.excerpt.json\n  \
auditui excerpt logs/ --checkpoint audit.checkpoint --patient P-0007 --from 2025-07-01 --to 2025-07-31 -o p7.excerpt.json\n  \
auditui excerpt logs/ --checkpoint audit.checkpoint -q 'conv:conv_abc123' -o incident.excerpt.json\n  \
auditui verify-excerpt p7.excerpt.json --trusted-key checkpoints.pub"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// A checkpoint with a Merkle tree head (`auditui checkpoint --key`)
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    /// Select the entries about this patient_id
    #[arg(long, value_name = "ID", conflicts_with = "query")]
    pub patient: Option<String>,
    /// With --patient: only entries at or after TIME
    #[arg(long, value_name = "TIME", value_parser = parse_moment, requires = "patient")]
    pub from: Option<Moment>,
    /// With --patient: only entries at or before TIME
    #[arg(long, value_name = "TIME", value_parser = parse_moment, requires = "patient")]
    pub to: Option<Moment>,
    #[command(flatten)]
    pub output: Output,
}

pub fn run(args: Args) -> Result<u8, String> {
    let (note, note_text) = read_note_text(&args.checkpoint)?;
    let loaded = common::load_keeping(&args.input, true)?;
    let (keys, description) = match &args.patient {
        Some(patient) => {
            let utc = |micros| Moment {
                micros,
                offset: Some(0),
            };
            let from = args.from.unwrap_or(utc(i64::MIN));
            let to = args.to.unwrap_or(utc(i64::MAX));
            let report = loaded.selection.access_report(patient, from, to)?;
            (
                report.keys,
                patient_description(patient, args.from, args.to),
            )
        }
        None => {
            let all = loaded
                .selection
                .page(PageAt::First, loaded.selection.count())?;
            let query = args.input.query.as_ref().map(ToString::to_string);
            let description = format!("query: {}", query.unwrap_or_default());
            (all.rows.iter().map(|r| r.key).collect(), description)
        }
    };
    let excerpt = excerpt_of(
        loaded.backend.as_ref(),
        &note,
        &note_text,
        &keys,
        description,
    )?;
    common::write_output(&args.output, &args.input, |out| {
        serde_json::to_writer_pretty(&mut *out, &excerpt)?;
        writeln!(out)
    })?;
    eprintln!(
        "auditui: {} {} with inclusion proofs",
        excerpt.entries.len(),
        plural(excerpt.entries.len(), "entry", "entries")
    );
    Ok(EXIT_OK)
}

fn patient_description(patient: &str, from: Option<Moment>, to: Option<Moment>) -> String {
    let mut text = format!("patient {patient}");
    if let Some(from) = from {
        text.push_str(&format!(" from {}", from.isoformat()));
    }
    if let Some(to) = to {
        text.push_str(&format!(" to {}", to.isoformat()));
    }
    text
}

/// The excerpt of the entries `keys` against the checkpoint `note` (whose file text
/// is `note_text`). An error when the log no longer matches the checkpoint
/// or a row is not covered by it: no proof could be honest then.
pub(super) fn excerpt_of(
    backend: &dyn Backend,
    note: &Note,
    note_text: &str,
    keys: &[RowKey],
    description: String,
) -> Result<Excerpt, String> {
    let checkpoint = &note.checkpoint;
    let head = checkpoint.tree.ok_or(
        "the checkpoint has no Merkle tree head (an auditui checkpoint v1): take a new one with `auditui checkpoint`",
    )?;
    let v = backend.verification();
    let chain = v
        .chains
        .iter()
        .find(|c| c.origin == Some(checkpoint.origin))
        .ok_or("no chain in these logs starts at the checkpoint's origin: it is another log's")?;
    let leaves = chain_leaves(v, chain).ok_or(
        "an entry of the checkpointed chain has no valid stored hash, so its tree cannot be rebuilt (see auditui verify)",
    )?;
    let tree = Tree::new(leaves.get(..head.size).ok_or(
        "the log has fewer entries than the checkpoint: it was truncated (see auditui verify --checkpoint)",
    )?);
    if tree.root() != head.root {
        return Err(format!(
            "the log no longer has the checkpoint's tree root {}: it was rewritten (see auditui verify --checkpoint)",
            short(&head.root)
        ));
    }
    // Chain position of each member file's first entry, by file name.
    let mut first_position = HashMap::new();
    let mut position = 0;
    for &member in &chain.members {
        let file = &v.files[member];
        first_position.insert(file.name.as_str(), (member, position));
        position += file.entries;
    }
    let mut selected = Vec::with_capacity(keys.len());
    for &key in keys {
        let detail = backend
            .detail(key)?
            .ok_or("a selected entry is gone from the logs")?;
        let (file, line) = (detail.row.file, detail.row.line);
        let index = first_position
            .get(file.as_str())
            .and_then(|&(member, first)| Some(first + v.files[member].lines.index(line)?))
            .filter(|&index| index < head.size)
            .ok_or_else(|| {
                format!(
                    "{file}:{line} matches but is not among the checkpoint's {} entries (another chain, or logged after it): take a new checkpoint or narrow the selection",
                    head.size
                )
            })?;
        let text =
            String::from_utf8(detail.raw).map_err(|_| format!("{file}:{line}: not UTF-8"))?;
        selected.push(Selected {
            index,
            file,
            line,
            text,
        });
    }
    selected.sort_by_key(|s| s.index);
    Ok(Excerpt::new(note_text, &tree, description, selected))
}

/// Check an excerpt (or a report carrying one) offline
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Checks the checkpoint's signature by the trusted key, each entry's own hash (recomputed from its line) and each entry's inclusion proof against the checkpoint's Merkle tree head. Exit 0 when all hold, 1 with findings (signature, modified, link, proof, missing), 2 when the file cannot be read as an excerpt.\n\n\
Examples:\n  auditui verify-excerpt p7.excerpt.json --trusted-key checkpoints.pub\n  \
auditui verify-excerpt p7-report.md --trusted-key checkpoints.pub --format json"
)]
pub struct VerifyArgs {
    /// An excerpt from `auditui excerpt`, or a report written with --with-proofs
    pub file: PathBuf,
    /// The public key that must have signed the checkpoint (from `auditui keygen`)
    #[arg(long, value_name = "PUBLIC_KEY_FILE")]
    pub trusted_key: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run_verify(args: VerifyArgs) -> Result<u8, String> {
    let trusted = read_trusted_key(&args.trusted_key)?;
    let name = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("{name}: {e}"))?;
    let excerpt = excerpt::find(&text).map_err(|e| format!("{name}: {e}"))?;
    let findings = excerpt
        .check(&name, &trusted)
        .map_err(|e| format!("{name}: {e}"))?;
    let report = json!({
        "intact": findings.is_empty(),
        "weak": excerpt.weak(),
        "entries": excerpt.entries.len(),
        "selection": excerpt.selection,
        "findings": findings,
    });
    let count = excerpt.entries.len();
    let mut heading = format!(
        "{count} {} selected by {}\n",
        plural(count, "entry", "entries"),
        for_terminal(&excerpt.selection.description)
    );
    if excerpt.weak() {
        heading.push_str(&format!("  note: {HIPAA_NOTE}\n"));
    }
    let ok = "OK: each entry is unaltered and in the checkpoint signed by the trusted key";
    print_verdict(args.format, &report, &heading, &findings, ok)
}
