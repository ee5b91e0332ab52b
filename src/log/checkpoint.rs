//! Checkpoints: a small note of (origin, entry count, head hash) kept away
//! from the writer, like Certificate Transparency tree heads or CloudTrail
//! digest files. A hash chain alone cannot see its tail cut off or the whole
//! log rewritten; a checkpoint can.

use super::canonical::{parse_hex, to_hex};
use super::chain::{Chain, Finding, FindingKind, Verification, short};
use super::entry::parse_line;
use super::source::Source;
use std::fmt;

const HEADER: &str = "auditui checkpoint v1";

/// What a checkpoint records about one chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Hash of the chain's first entry: names the chain, not a file.
    pub origin: [u8; 32],
    pub entries: usize,
    /// Stored hash of entry number `entries`.
    pub head: [u8; 32],
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{HEADER}")?;
        writeln!(f, "origin {}", to_hex(&self.origin))?;
        writeln!(f, "entries {}", self.entries)?;
        writeln!(f, "head {}", to_hex(&self.head))
    }
}

impl Checkpoint {
    /// The checkpoint of a chain as it is now.
    pub fn of(chain: &Chain) -> Option<Checkpoint> {
        Some(Checkpoint {
            origin: chain.origin?,
            entries: chain.entries,
            head: chain.head?,
        })
    }

    /// Parse the text [`Display`](fmt::Display) writes.
    pub fn parse(text: &str) -> Result<Checkpoint, String> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(HEADER) {
            return Err(format!(
                "not a checkpoint: the first line must be \"{HEADER}\""
            ));
        }
        let mut field = |name: &str| -> Result<String, String> {
            let line = lines
                .next()
                .ok_or_else(|| format!("checkpoint has no \"{name}\" line"))?;
            line.strip_prefix(name)
                .and_then(|v| v.strip_prefix(' '))
                .map(str::to_string)
                .ok_or_else(|| format!("expected \"{name} ...\", found {line:?}"))
        };
        let hash = |name: &str, v: String| {
            parse_hex(&v).ok_or_else(|| format!("{name} is not a SHA-256 hex digest"))
        };
        let origin = hash("origin", field("origin")?)?;
        let entries = field("entries")?
            .parse()
            .map_err(|_| "entries is not a number".to_string())?;
        let head = hash("head", field("head")?)?;
        Ok(Checkpoint {
            origin,
            entries,
            head,
        })
    }

    /// Findings when the verified log no longer extends this checkpoint.
    pub fn check(&self, verification: &Verification, sources: &[Source]) -> Vec<Finding> {
        let Some(chain) = verification
            .chains
            .iter()
            .find(|c| c.origin == Some(self.origin))
        else {
            let file = verification
                .files
                .first()
                .map(|f| f.name.clone())
                .unwrap_or_default();
            return vec![Finding {
                file,
                line: 1,
                kind: FindingKind::Rewritten,
                message: format!(
                    "no chain here starts at the checkpoint's origin {}: the log was rewritten from its first entry, or is another log",
                    short(&self.origin)
                ),
            }];
        };
        let Some((file, line)) = locate(verification, chain, self.entries) else {
            let (file, line) = locate(verification, chain, chain.entries).unwrap_or_default();
            return vec![Finding {
                file,
                line,
                kind: FindingKind::Truncated,
                message: format!(
                    "the checkpoint covers {} entries but only {} remain: the log was truncated after this line",
                    self.entries, chain.entries
                ),
            }];
        };
        let source = sources.iter().find(|s| s.name == file);
        let stored = source
            .and_then(|s| s.lines().nth(line - 1))
            .and_then(|l| stored_hash(l.bytes));
        if stored == Some(self.head) {
            return Vec::new();
        }
        vec![Finding {
            file,
            line,
            kind: FindingKind::Rewritten,
            message: format!(
                "entry {} no longer has the checkpoint's head hash {}: the log was rewritten up to here",
                self.entries,
                short(&self.head)
            ),
        }]
    }
}

/// File and line of the `position`-th (1-based) entry of a chain.
fn locate(verification: &Verification, chain: &Chain, position: usize) -> Option<(String, usize)> {
    let mut remaining = position.checked_sub(1)?;
    for &member in &chain.members {
        let file = &verification.files[member];
        if remaining < file.entries {
            return Some((file.name.clone(), file.entry_lines[remaining] as usize));
        }
        remaining -= file.entries;
    }
    None
}

fn stored_hash(line: &[u8]) -> Option<[u8; 32]> {
    let entry = parse_line(line).ok()?;
    let (own, _) = entry.scheme().hash_keys()?;
    parse_hex(entry.value.get(own)?.as_str()?.raw())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_through_text() {
        let cp = Checkpoint {
            origin: [1; 32],
            entries: 42,
            head: [2; 32],
        };
        assert_eq!(Checkpoint::parse(&cp.to_string()), Ok(cp));
    }

    #[test]
    fn a_damaged_checkpoint_is_rejected_with_a_reason() {
        assert!(
            Checkpoint::parse("hello")
                .unwrap_err()
                .contains("not a checkpoint")
        );
        let text = format!("{HEADER}\norigin zz\nentries 1\nhead 00\n");
        assert!(
            Checkpoint::parse(&text)
                .unwrap_err()
                .contains("origin is not")
        );
    }
}
