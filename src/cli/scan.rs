//! `auditui scan`: PII and secrets that sanitisation missed.

use super::common;
use super::verify::Format;
use super::{EXIT_FINDINGS, EXIT_OK, open_sources};
use crate::leaks::{Kind, Report, ensure_ascii, scan_sources};
use crate::text::{for_terminal, plural};
use serde_json::json;
use std::path::PathBuf;

/// Find unhashed PII, unredacted secrets, card numbers, e-mail addresses
/// and tokens left in logs (shown masked, never in full)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 nothing found, 1 leaks found, 2 usage or I/O error.\n\nExamples:\n  auditui scan logs/\n  auditui scan audit.jsonl --format json | jq '.leaks[] | select(.kind == \"card_number\")'"
)]
pub struct Args {
    /// Log files, directories, or - for stdin
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args) -> Result<u8, String> {
    let sources = open_sources(&args.paths)?;
    let report = scan_sources(&sources);
    match args.format {
        Format::Json => common::write_stdout(|out| {
            writeln!(out, "{}", ensure_ascii(&to_json(&report).to_string()))
        })?,
        Format::Text => common::write_stdout(|out| out.write_all(to_text(&report).as_bytes()))?,
    }
    Ok(if report.leaks.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// How many leaks of each kind, every kind listed so scripts need no default.
fn counts(report: &Report) -> Vec<(Kind, usize)> {
    Kind::ALL
        .iter()
        .map(|&kind| {
            (
                kind,
                report.leaks.iter().filter(|l| l.hit.kind == kind).count(),
            )
        })
        .collect()
}

fn to_json(report: &Report) -> serde_json::Value {
    let counts: serde_json::Map<String, serde_json::Value> = counts(report)
        .into_iter()
        .map(|(kind, n)| (kind.name().to_owned(), n.into()))
        .collect();
    json!({
        "clean": report.leaks.is_empty(),
        "files": report.files,
        "lines": report.lines,
        "counts": counts,
        "leaks": report.leaks,
    })
}

/// One line per leak, then a summary line.
fn to_text(report: &Report) -> String {
    let mut out = String::new();
    for leak in &report.leaks {
        out.push_str(&format!(
            "{}:{}  {:<13} {}  {}\n",
            for_terminal(&leak.file),
            leak.line,
            leak.hit.kind.name(),
            for_terminal(&leak.hit.path),
            for_terminal(&leak.hit.masked)
        ));
    }
    let files = report.files.len();
    let scope = format!(
        "{} {} in {} {}",
        report.lines,
        plural(report.lines, "line", "lines"),
        files,
        plural(files, "file", "files")
    );
    if report.leaks.is_empty() {
        out.push_str(&format!("OK: no leaks in {scope}\n"));
    } else {
        let mut lines: Vec<(&str, usize)> = report
            .leaks
            .iter()
            .map(|l| (l.file.as_str(), l.line))
            .collect();
        lines.dedup();
        let by_kind: Vec<String> = counts(report)
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(kind, n)| format!("{} {n}", kind.name()))
            .collect();
        out.push_str(&format!(
            "FOUND: {} {} on {} of {scope} ({})\n",
            report.leaks.len(),
            plural(report.leaks.len(), "leak", "leaks"),
            lines.len(),
            by_kind.join(", ")
        ));
    }
    out
}
