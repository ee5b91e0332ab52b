//! The verification a database's ingest recorded, read back from the
//! chains table for the browser's banner and the views' caveats: opening a
//! database costs one small query, not a re-verification (that is `verify
//! clickhouse://`, which also finds what was changed in the database since).
//! The records also say how many entries each file has, so that opening a
//! database never counts its rows (those counts are the last complete
//! ingest's, like the verdict).

use super::client::Client;
use super::query::{int, query_json};
use super::schema::CHAINS;
use crate::backend::Result;
use crate::log::canonical::parse_hex;
use crate::log::chain::{Chain, FileSummary, Finding, FindingKind, LineMap, Verification};
use crate::log::entry::Scheme;
use crate::store::store::NO_TIME;
use serde_json::Value;
use std::collections::BTreeMap;

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

/// Every chain's newest record. `current`: whether the table has the
/// `newest` and `file_entries` columns (an older auditui's does not).
pub fn records(client: &Client, current: bool) -> Result<Vec<Value>> {
    let per_file = if current {
        ", newest, file_entries"
    } else {
        ""
    };
    query_json(
        client,
        &format!(
            "SELECT chain, files, scheme, entries, head, verdict, findings{per_file} \
             FROM {CHAINS} FINAL ORDER BY chain"
        ),
    )
}

/// What opening a database needs of its rows, as ingest counted them.
pub struct Totals {
    /// Entries per file, in file name order.
    pub files: Vec<(String, usize)>,
    /// The newest entry time, if any entry has one.
    pub newest: Option<i64>,
}

/// The records' [`Totals`]; `None` when a record does not say (an older
/// auditui wrote it) or there are none, and the rows must be counted.
pub fn totals(records: &[Value]) -> Option<Totals> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut newest = NO_TIME;
    for record in records {
        // Older records (or tables) have no `newest`: counted instead.
        record.get("newest")?;
        newest = newest.max(int(record, "newest"));
        let (Some(files), Some(entries)) = (
            record["files"].as_array(),
            record["file_entries"].as_array(),
        ) else {
            return None;
        };
        if files.len() != entries.len() {
            return None;
        }
        for (file, n) in files.iter().zip(entries) {
            // 18.16 quotes 64-bit integers in JSON, newer servers do not.
            let n = match n {
                Value::String(s) => s.parse().ok(),
                n => n.as_u64(),
            };
            *counts.entry(file.as_str()?.to_owned()).or_default() += n? as usize;
        }
    }
    // The entries table lists only files that have entries.
    let files = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    (!records.is_empty()).then_some(Totals {
        files,
        newest: (newest != NO_TIME).then_some(newest),
    })
}

/// The verification the chains' records state; `entries` per file.
pub fn recorded(rows: &[Value], entries: &[(String, usize)]) -> Verification {
    let mut files: Vec<FileSummary> = Vec::new();
    let mut chains = Vec::new();
    let mut findings = Vec::new();
    for row in rows {
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
    Verification {
        files,
        chains,
        findings,
        unverified: Vec::new(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn totals_sum_each_file_over_chains_and_need_every_record_to_say() {
        // 18.16 quotes 64-bit integers, newer servers do not.
        let records = [
            json!({"files": ["b.jsonl", "a.jsonl"], "file_entries": ["3", "0"], "newest": "7"}),
            json!({"files": ["b.jsonl"], "file_entries": [2], "newest": -9223372036854775808i64}),
        ];
        let both = totals(&records).unwrap();
        assert_eq!(both.files, vec![("b.jsonl".to_owned(), 5)]);
        assert_eq!(both.newest, Some(7));

        let older = json!({"files": ["c.jsonl"], "file_entries": []});
        assert!(totals(&[records[0].clone(), older]).is_none());
        assert!(totals(&[json!({"files": ["c.jsonl"]})]).is_none());
        assert!(totals(&[]).is_none());
    }
}
