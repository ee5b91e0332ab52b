//! The verification a database's ingest recorded, read back from the
//! chains table for the browser's banner and the views' caveats: opening a
//! database costs one small query, not a re-verification (that is `verify
//! clickhouse://`, which also finds what was changed in the database since).

use super::client::Client;
use super::query::{int, query_json};
use super::schema::CHAINS;
use crate::backend::Result;
use crate::log::canonical::parse_hex;
use crate::log::chain::{Chain, FileSummary, Finding, FindingKind, LineMap, Verification};
use crate::log::entry::Scheme;
use serde_json::Value;

const KINDS: [FindingKind; 7] = [
    FindingKind::Modified,
    FindingKind::Link,
    FindingKind::Malformed,
    FindingKind::Incomplete,
    FindingKind::Truncated,
    FindingKind::Rewritten,
    FindingKind::Signature,
];

const SCHEMES: [Scheme; 3] = [Scheme::Chain, Scheme::Hipaa, Scheme::Plain];

/// Every chain's newest record; `entries` per file as the table holds them.
pub fn recorded(client: &Client, entries: &[(String, usize)]) -> Result<Verification> {
    let rows = query_json(
        client,
        &format!(
            "SELECT chain, files, scheme, entries, head, verdict, findings \
             FROM {CHAINS} FINAL ORDER BY chain"
        ),
    )?;
    let mut files: Vec<FileSummary> = Vec::new();
    let mut chains = Vec::new();
    let mut findings = Vec::new();
    for row in &rows {
        // `none`: a chain of no entries.
        let scheme = SCHEMES
            .into_iter()
            .find(|s| Some(s.name()) == row["scheme"].as_str());
        let chain_findings: Vec<Finding> = row["findings"]
            .as_str()
            .and_then(|text| serde_json::from_str::<Vec<Value>>(text).ok())
            .unwrap_or_default()
            .iter()
            .filter_map(finding)
            .collect();
        let names: Vec<String> = row["files"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut members = Vec::new();
        for name in &names {
            members.push(files.len());
            files.push(FileSummary {
                name: name.clone(),
                scheme,
                mixed_schemes: false,
                entries: entries
                    .iter()
                    .find(|(file, _)| file == name)
                    .map_or(0, |(_, n)| *n),
                first: None,
                first_hash: None,
                last_hash: None,
                lines: LineMap::default(),
                leaves: None,
                findings: chain_findings
                    .iter()
                    .filter(|f| &f.file == name)
                    .cloned()
                    .collect(),
                empty: false,
                // Ingest refuses logs with unverified lines.
                unverified: Vec::new(),
                opens_unverified: false,
                ends_unverified: false,
            });
        }
        chains.push(Chain {
            files: names,
            scheme,
            entries: int(row, "entries") as usize,
            origin: row["chain"].as_str().and_then(parse_hex),
            head: row["head"].as_str().and_then(parse_hex),
            intact: row["verdict"].as_str() == Some("intact"),
            members,
        });
        findings.extend(chain_findings);
    }
    Ok(Verification {
        files,
        chains,
        findings,
        unverified: Vec::new(),
    })
}

/// A finding as `verify --format json` writes it.
fn finding(value: &Value) -> Option<Finding> {
    let kind = value["kind"].as_str()?;
    Some(Finding {
        file: value["file"].as_str()?.to_owned(),
        line: value["line"].as_u64()? as usize,
        kind: KINDS.into_iter().find(|k| k.name() == kind)?,
        message: value["message"].as_str()?.to_owned(),
    })
}
