//! `auditui verify`: the integrity verdict, for people and for CI.

use super::color::Paint;
use super::common::{total_bytes, write_stdout};
use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, open_sources};
use crate::log::chain::{Finding, Verification};
use crate::log::checkpoint::Note;
use crate::log::pass;
use crate::log::signing::parse_public_key;
use crate::log::source::Source;
use crate::text::for_terminal;
use ed25519_dalek::VerifyingKey;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Verify hash chains and report every break with file and line
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  auditui verify logs/\n  auditui verify audit.jsonl --format json | jq .findings\n  auditui verify logs/ --checkpoint audit.checkpoint\n  auditui verify logs/ --checkpoint audit.checkpoint --trusted-key checkpoints.pub"
)]
pub struct Args {
    /// Log files, directories, or - for stdin
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// A checkpoint from `auditui checkpoint`: also detect truncation and rewrites
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Require the checkpoint to be signed by this public key (from `auditui keygen`)
    #[arg(long, value_name = "PUBLIC_KEY_FILE", requires = "checkpoint")]
    pub trusted_key: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> Result<u8, String> {
    if let Some(url) = database_url(&args)? {
        let client = crate::backend::clickhouse::Client::new(url);
        let verification = crate::backend::clickhouse::verify::verify(&client)?;
        return report(&verification, args.format);
    }
    let note = args.checkpoint.as_deref().map(read_note).transpose()?;
    let trusted = args
        .trusted_key
        .as_deref()
        .map(read_trusted_key)
        .transpose()?;
    // Read once: only a checkpoint's check reads some lines again.
    let sources: Vec<_> = open_sources(&args.paths)?
        .into_iter()
        .map(Source::read_once)
        .collect();
    let bar = Bar::new(total_bytes(&sources), "verifying");
    // The tree head is recomputed from the stored hashes, kept only then.
    let keep_leaves = note.as_ref().is_some_and(|n| n.checkpoint.tree.is_some());
    let mut verification = pass::verify_keeping(&sources, keep_leaves, |p| bar.update(p));
    bar.finish();
    if let (Some(note), Some(path)) = (&note, &args.checkpoint) {
        verification.add_findings(checkpoint_findings(
            note,
            path,
            trusted.as_ref(),
            &verification,
            &sources,
        ));
    }
    report(&verification, args.format)
}

/// The one ClickHouse URL among the paths, if that is what they are.
fn database_url(args: &Args) -> Result<Option<crate::backend::clickhouse::Url>, String> {
    use crate::backend::clickhouse::Url;
    let urls: Vec<&str> = args
        .paths
        .iter()
        .filter_map(|p| p.to_str())
        .filter(|p| Url::is_clickhouse(p))
        .collect();
    match (urls.as_slice(), args.paths.len()) {
        ([], _) => Ok(None),
        ([url], 1) if args.checkpoint.is_none() => Url::parse(url).map(Some),
        ([_], 1) => Err("--checkpoint works on log files, not on a database".into()),
        _ => Err("verify one database at a time, without log files beside it".into()),
    }
}

fn report(verification: &Verification, format: Format) -> Result<u8, String> {
    match format {
        Format::Json => write_stdout(|out| writeln!(out, "{}", to_json(verification)))?,
        Format::Text => {
            write_stdout(|out| out.write_all(to_text(verification, Paint::stdout()).as_bytes()))?
        }
    }
    Ok(exit_code(verification))
}

/// Findings are exit 1; otherwise lines not verified leave no verdict: 2.
pub fn exit_code(v: &Verification) -> u8 {
    if !v.intact() {
        EXIT_FINDINGS
    } else if !v.complete() {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

fn read_note(path: &Path) -> Result<Note, String> {
    read_note_text(path).map(|(note, _)| note)
}

/// A checkpoint file, parsed and as written (an excerpt carries its text).
pub(super) fn read_note_text(path: &Path) -> Result<(Note, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let note = Note::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((note, text))
}

pub(super) fn read_trusted_key(path: &Path) -> Result<VerifyingKey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_public_key(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Who vouches for the checkpoint, then whether the log still extends it.
fn checkpoint_findings(
    note: &Note,
    path: &Path,
    trusted: Option<&VerifyingKey>,
    verification: &Verification,
    sources: &[Source],
) -> Vec<Finding> {
    if trusted.is_none() && note.signature.is_some() {
        eprintln!(
            "auditui: note: the checkpoint is signed, but only --trusted-key says whether by the right key"
        );
    }
    let mut found = note.check_signature(trusted, &path.display().to_string());
    found.extend(note.checkpoint.check(verification, sources));
    found
}

/// The JSON shape of ARCHITECTURE.md's "Verification", plus the chains.
pub fn to_json(v: &Verification) -> serde_json::Value {
    let main = v.main_chain();
    json!({
        "intact": v.intact(),
        "entries": v.entries(),
        "files": v.files.iter().map(|f| &f.name).collect::<Vec<_>>(),
        "scheme": v.scheme(),
        "weak": v.weak(),
        "head": {
            "hash": main.and_then(|c| c.head).map(|h| crate::log::canonical::to_hex(&h)),
            "count": main.map_or(0, |c| c.entries),
        },
        "chains": v.chains,
        "findings": v.findings,
        "complete": v.complete(),
        "unverified": v.unverified,
    })
}

/// Counts first, then one line per finding: readable in two seconds.
pub fn to_text(v: &Verification, paint: Paint) -> String {
    let mut out = String::new();
    let files = v.files.len();
    out.push_str(&format!(
        "{} {} in {} {}, {} {} ({})\n",
        v.entries(),
        plural(v.entries(), "entry", "entries"),
        files,
        plural(files, "file", "files"),
        v.chains.len(),
        plural(v.chains.len(), "chain", "chains"),
        v.scheme()
    ));
    for chain in &v.chains {
        let status = if chain.intact {
            paint.good("intact ")
        } else {
            paint.bad("BROKEN ")
        };
        let head = chain
            .head
            .map(|h| crate::log::chain::short(&h))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "  {status}{:<6} {:>8} entries  head {head}  {}\n",
            chain.scheme_name(),
            chain.entries,
            for_terminal(&chain.files.join(" → "))
        ));
    }
    for warning in v.weakness_notes() {
        out.push_str(&format!("  note: {warning}\n"));
    }
    out.push_str(&findings_text(&v.findings, paint));
    let unverified = v
        .unverified
        .iter()
        .map(|u| (&u.file, u.line, paint.warn(&u.message())));
    let heading = plural(v.unverified.len(), "line", "lines");
    let heading = format!("{} {heading} not verified", v.unverified.len());
    located_list(&mut out, &heading, unverified);
    let verdict = match (v.intact(), v.complete(), v.weak()) {
        (true, false, _) => paint.warn(&format!(
            "NOT VERIFIED: no finding, but {} {} too large to read (see above)",
            v.unverified.len(),
            plural(v.unverified.len(), "line was", "lines were")
        )),
        (true, true, false) => paint.good("OK: every chain is intact"),
        (true, true, true) => {
            paint.warn("OK, but WEAK: intact as far as the hashes reach (see notes)")
        }
        (false, _, _) => paint.bad(&format!(
            "FAILED: {} integrity {}",
            v.findings.len(),
            plural(v.findings.len(), "finding", "findings")
        )),
    };
    out.push_str(&verdict);
    out.push('\n');
    out
}

/// `heading:` and one indented `file:line  text` line per item; nothing
/// without items.
fn located_list<'a>(
    out: &mut String,
    heading: &str,
    items: impl ExactSizeIterator<Item = (&'a String, usize, String)>,
) {
    if items.len() == 0 {
        return;
    }
    out.push_str(&format!("{heading}:\n"));
    for (file, line, text) in items {
        out.push_str(&format!("  {}:{line}  {text}\n", for_terminal(file)));
    }
}

/// "N findings:" and one line per finding; nothing when there are none.
fn findings_text(findings: &[Finding], paint: Paint) -> String {
    let items = findings.iter().map(|f| {
        let kind = paint.bad(&format!("{:<10}", f.kind.name()));
        (
            &f.file,
            f.line,
            format!("{kind} {}", for_terminal(&f.message)),
        )
    });
    let heading = plural(findings.len(), "finding", "findings");
    let mut out = String::new();
    located_list(&mut out, &format!("{} {heading}", findings.len()), items);
    out
}

/// What `verify-excerpt` and `verify-consistency` print: the JSON `report`,
/// or `heading`, the findings and a verdict; and their exit code.
pub fn print_verdict(
    format: Format,
    report: &serde_json::Value,
    heading: &str,
    findings: &[Finding],
    ok: &str,
) -> Result<u8, String> {
    let intact = findings.is_empty();
    match format {
        Format::Json => write_stdout(|out| writeln!(out, "{report}"))?,
        Format::Text => {
            let paint = Paint::stdout();
            let mut out = heading.to_string();
            out.push_str(&findings_text(findings, paint));
            out.push_str(&if intact {
                paint.good(ok)
            } else {
                paint.bad(&format!(
                    "FAILED: {} integrity {}",
                    findings.len(),
                    plural(findings.len(), "finding", "findings")
                ))
            });
            out.push('\n');
            write_stdout(|o| o.write_all(out.as_bytes()))?;
        }
    }
    Ok(if intact { EXIT_OK } else { EXIT_FINDINGS })
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
