//! Verifiable excerpts: some entries of a log, each with its position in the
//! chain and an inclusion proof against a signed checkpoint's Merkle tree,
//! so whoever holds the checkpoint key's public half can check them without
//! the rest of the log. Nothing of the other entries is in an excerpt but
//! the hashes on the audit paths.

use super::chain::{Finding, FindingKind, short};
use super::checkpoint::{Note, TreeHead};
use super::entry::{LineReader, Previous, Scheme};
use super::merkle::{self, Hash, Tree};
use super::signing::{from_hex, to_hex};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// The `format` of every excerpt this version writes and reads.
pub const FORMAT: &str = "auditui excerpt v1";

/// An excerpt as written to (and read from) its JSON file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excerpt {
    pub format: String,
    /// The checkpoint note, signature line included, verbatim.
    pub checkpoint: String,
    pub selection: Selection,
    pub entries: Vec<ExcerptEntry>,
}

/// What was asked for, in the producer's words: the proofs cannot vouch
/// that these are all the entries that match (see the README's threat model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub description: String,
    /// How many entries matched: the length of `entries`.
    pub matched: usize,
}

/// One selected entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcerptEntry {
    /// Its leaf in the checkpoint's tree: its place in the chain, from 0.
    pub index: usize,
    /// Where it was read; for people, not proven.
    pub file: String,
    pub line: usize,
    /// The line as logged, byte for byte.
    pub text: String,
    /// The inclusion proof: sibling hashes bottom up, in hex.
    pub proof: Vec<String>,
}

/// A selected entry before its proof: where it is and what it says.
pub struct Selected {
    pub index: usize,
    pub file: String,
    pub line: usize,
    pub text: String,
}

impl Excerpt {
    /// The excerpt of `selected` (in chain order) against `tree`, the tree
    /// of the checkpoint whose note is `checkpoint`.
    pub fn new(
        checkpoint: &str,
        tree: &Tree,
        description: String,
        selected: Vec<Selected>,
    ) -> Self {
        let entries: Vec<ExcerptEntry> = selected
            .into_iter()
            .map(|s| ExcerptEntry {
                proof: tree
                    .inclusion_proof(s.index)
                    .expect("selected entries are in the tree")
                    .iter()
                    .map(|h| to_hex(h))
                    .collect(),
                index: s.index,
                file: s.file,
                line: s.line,
                text: s.text,
            })
            .collect();
        Excerpt {
            format: FORMAT.to_string(),
            checkpoint: checkpoint.to_string(),
            selection: Selection {
                description,
                matched: entries.len(),
            },
            entries,
        }
    }

    /// Read an excerpt's JSON; an error for what is not one.
    pub fn parse(value: serde_json::Value) -> Result<Excerpt, String> {
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(format!("not an excerpt: its format must be \"{FORMAT}\""));
        }
        serde_json::from_value(value).map_err(|e| format!("a damaged excerpt: {e}"))
    }

    /// Whether some entry is of the hipaa scheme, whose hash leaves most
    /// fields unprotected: a proof vouches only for what the hash covers.
    pub fn weak(&self) -> bool {
        let mut reader = LineReader::new();
        self.entries.iter().any(|e| {
            matches!(reader.read_seal(e.text.as_bytes()), Ok(Some(seal)) if seal.scheme != Scheme::Chain)
        })
    }

    /// Every finding about this excerpt, named `name` in messages: who
    /// signed its checkpoint, then each entry's own hash, place and proof.
    /// An error when its checkpoint cannot be read or has no tree head.
    pub fn check(&self, name: &str, trusted: &VerifyingKey) -> Result<Vec<Finding>, String> {
        let note = Note::parse(&self.checkpoint).map_err(|e| format!("its checkpoint: {e}"))?;
        let tree = note.checkpoint.tree.ok_or(
            "its checkpoint has no Merkle tree head (an auditui checkpoint v1): it cannot prove entries",
        )?;
        let mut findings = note.check_signature(Some(trusted), &format!("{name} (checkpoint)"));
        let mut reader = LineReader::new();
        // The previous entry's position, and its stored hash if it held up.
        let mut last: Option<(usize, Option<Hash>)> = None;
        for (number, entry) in self.entries.iter().enumerate() {
            let finding = |kind, message: String| Finding {
                file: entry.file.clone(),
                line: entry.line,
                kind,
                message: format!("excerpt entry {}: {message}", number + 1),
            };
            if let Some((index, _)) = last.filter(|(index, _)| entry.index <= *index) {
                let message = format!(
                    "position {} does not come after the previous entry's {index}: entries are listed twice or out of order",
                    entry.index
                );
                findings.push(finding(FindingKind::Proof, message));
            }
            let before = last.and_then(|(index, hash)| Some((index, hash?)));
            let stored = check_entry(entry, &tree, &mut reader, before)
                .map_err(|(kind, message)| findings.push(finding(kind, message)))
                .ok();
            last = Some((entry.index, stored));
        }
        if self.entries.len() != self.selection.matched {
            findings.push(Finding {
                file: name.to_string(),
                line: 1,
                kind: FindingKind::Missing,
                message: format!(
                    "the excerpt says {} entries matched but holds {}: entries were dropped or added",
                    self.selection.matched,
                    self.entries.len()
                ),
            });
        }
        Ok(findings)
    }
}

/// One entry's own hash, its inclusion proof, and its link to the entry
/// before it when that is the previous position; its stored hash if all
/// hold.
fn check_entry(
    entry: &ExcerptEntry,
    tree: &TreeHead,
    reader: &mut LineReader,
    before: Option<(usize, Hash)>,
) -> Result<Hash, (FindingKind, String)> {
    let seal = reader
        .read_seal(entry.text.as_bytes())
        .map_err(|e| (FindingKind::Malformed, e.0))?
        .ok_or((
            FindingKind::Malformed,
            "the entry has no hash to prove".to_string(),
        ))?;
    let stored = match seal.stored {
        Some(stored) if stored == seal.computed => stored,
        Some(_) => {
            let message = format!(
                "content does not match its hash (recomputed {})",
                short(&seal.computed)
            );
            return Err((FindingKind::Modified, message));
        }
        None => {
            let message = "stored hash is not a lowercase SHA-256 hex digest".to_string();
            return Err((FindingKind::Modified, message));
        }
    };
    let proof: Option<Vec<Hash>> = entry.proof.iter().map(|h| from_hex(h)).collect();
    let proven = proof.is_some_and(|proof| {
        let leaf = merkle::leaf_hash(&stored);
        merkle::verify_inclusion(&leaf, entry.index, tree.size, &proof, &tree.root)
    });
    if !proven {
        let message = format!(
            "its proof does not place it at position {} of the checkpoint's tree of {} entries (root {}): it was moved, comes from another log, or the proof was altered",
            entry.index,
            tree.size,
            short(&tree.root)
        );
        return Err((FindingKind::Proof, message));
    }
    if let Some((index, hash)) = before.filter(|(index, _)| index + 1 == entry.index)
        && seal.previous != Previous::Hash(hash)
    {
        let message = format!("does not link to the entry at position {index} before it");
        return Err((FindingKind::Link, message));
    }
    Ok(stored)
}

/// The lines around an excerpt carried by a text, Markdown or CSV report.
const BEGIN: &str = "-----BEGIN AUDITUI EXCERPT-----";
const END: &str = "-----END AUDITUI EXCERPT-----";

/// `excerpt` as a block to append to a text report, each line after
/// `prefix` (`"# "` keeps CSV readers that skip comments reading the table).
pub fn armoured(excerpt: &Excerpt, prefix: &str) -> String {
    let json = serde_json::to_string(excerpt).expect("an excerpt serialises");
    format!("{prefix}{BEGIN}\n{prefix}{json}\n{prefix}{END}\n")
}

/// The excerpt in a file: an excerpt's JSON, a JSON or FHIR report that
/// carries one (as an object or as JSON text), or a text, Markdown or CSV
/// report with an armoured block.
pub fn find(text: &str) -> Result<Excerpt, String> {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let found = find_in_json(value).ok_or(
            "no auditui excerpt in this JSON (was the report written with --with-proofs?)",
        )?;
        return Excerpt::parse(found);
    }
    let mut lines = text.lines().map(|l| l.trim_start_matches('#').trim());
    if !lines.any(|l| l == BEGIN) {
        return Err(format!(
            "no auditui excerpt here: neither JSON nor a report with a \"{BEGIN}\" block (was it written with --with-proofs?)"
        ));
    }
    let body: String = lines.take_while(|l| *l != END).collect();
    let value = serde_json::from_str(&body).map_err(|e| format!("the excerpt block: {e}"))?;
    Excerpt::parse(value)
}

/// The first object (or JSON text) with the excerpt format, depth first.
fn find_in_json(value: serde_json::Value) -> Option<serde_json::Value> {
    use serde_json::Value;
    match value {
        Value::Object(map) if map.get("format").and_then(Value::as_str) == Some(FORMAT) => {
            Some(Value::Object(map))
        }
        Value::Object(map) => map.into_iter().find_map(|(_, v)| find_in_json(v)),
        Value::Array(items) => items.into_iter().find_map(find_in_json),
        Value::String(text) if text.contains(FORMAT) => serde_json::from_str(&text).ok(),
        _ => None,
    }
}
