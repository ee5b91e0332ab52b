//! Checkpoints: a small note of (origin, entry count, head hash) kept away
//! from the writer, like Certificate Transparency tree heads or CloudTrail
//! digest files. A hash chain alone cannot see its tail cut off or the whole
//! log rewritten; a checkpoint can. Signed with a key the writer never
//! holds, a checkpoint can also not be forged by whoever rewrote the log.

use super::canonical::{parse_hex, to_hex};
use super::chain::{Chain, Finding, FindingKind, Verification, short};
use super::entry::parse_line;
use super::merkle::{self, Hash};
use super::signing::{from_hex, to_hex as to_hex_bytes};
use super::source::Source;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::fmt;

/// A note without a tree head, as written before there were proofs.
const HEADER_V1: &str = "auditui checkpoint v1";
/// A note with a `tree` line after the head: the same lines, plus one.
const HEADER_V2: &str = "auditui checkpoint v2";
/// Optional last line: an Ed25519 signature over the lines before it,
/// so a checkpoint copied to an untrusted place can still be trusted.
const SIGNATURE_PREFIX: &str = "signature ed25519 ";

/// What a checkpoint records about one chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Hash of the chain's first entry: names the chain, not a file.
    pub origin: [u8; 32],
    pub entries: usize,
    /// Stored hash of entry number `entries`.
    pub head: [u8; 32],
    /// The Merkle tree head over the first `entries` stored hashes, which
    /// inclusion and consistency proofs are checked against.
    pub tree: Option<TreeHead>,
}

/// An RFC 6962 tree head: how many leaves, and their root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: usize,
    pub root: Hash,
}

impl TreeHead {
    /// The tree head over `leaves` (stored hashes in chain order).
    pub fn of(leaves: &[Hash]) -> TreeHead {
        TreeHead {
            size: leaves.len(),
            root: merkle::root(leaves),
        }
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = if self.tree.is_some() {
            HEADER_V2
        } else {
            HEADER_V1
        };
        writeln!(f, "{header}")?;
        writeln!(f, "origin {}", to_hex(&self.origin))?;
        writeln!(f, "entries {}", self.entries)?;
        writeln!(f, "head {}", to_hex(&self.head))?;
        match &self.tree {
            Some(tree) => writeln!(f, "tree {} {}", tree.size, to_hex(&tree.root)),
            None => Ok(()),
        }
    }
}

impl Checkpoint {
    /// The checkpoint of a chain as it is now; with its tree head when
    /// every entry's stored hash is known (`leaves`).
    pub fn of(chain: &Chain, leaves: Option<&[Hash]>) -> Option<Checkpoint> {
        Some(Checkpoint {
            origin: chain.origin?,
            entries: chain.entries,
            head: chain.head?,
            tree: leaves
                .filter(|l| l.len() == chain.entries)
                .map(TreeHead::of),
        })
    }

    /// The note followed by a signature line over exactly its bytes.
    pub fn signed(&self, key: &SigningKey) -> String {
        let body = self.to_string();
        let signature = key.sign(body.as_bytes());
        format!(
            "{body}{SIGNATURE_PREFIX}{} {}\n",
            to_hex_bytes(key.verifying_key().as_bytes()),
            to_hex_bytes(&signature.to_bytes())
        )
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
        let rewritten = |message: String| {
            vec![Finding {
                file: file.clone(),
                line,
                kind: FindingKind::Rewritten,
                message,
            }]
        };
        if stored != Some(self.head) {
            return rewritten(format!(
                "entry {} no longer has the checkpoint's head hash {}: the log was rewritten up to here",
                self.entries,
                short(&self.head)
            ));
        }
        let Some(tree) = &self.tree else {
            return Vec::new();
        };
        match chain_leaves(verification, chain) {
            Some(leaves) if TreeHead::of(&leaves[..tree.size.min(leaves.len())]) == *tree => {
                Vec::new()
            }
            Some(_) => rewritten(format!(
                "the Merkle tree over the first {} entries no longer has the checkpoint's root {}: an entry before here was rewritten",
                tree.size,
                short(&tree.root)
            )),
            None => rewritten(
                "the checkpoint's Merkle tree cannot be recomputed: an entry has no valid stored hash"
                    .to_string(),
            ),
        }
    }
}

/// The stored hashes of a chain's entries in chain order, if the scan kept
/// them and every entry has one.
pub fn chain_leaves(verification: &Verification, chain: &Chain) -> Option<Vec<Hash>> {
    let mut leaves = Vec::with_capacity(chain.entries);
    for &member in &chain.members {
        leaves.extend_from_slice(verification.files[member].leaves.as_deref()?);
    }
    Some(leaves)
}

/// A checkpoint file as read: the note and, if it was signed, the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub checkpoint: Checkpoint,
    pub signature: Option<NoteSignature>,
}

/// `signature ed25519 <public key> <signature>` as found in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteSignature {
    pub key: [u8; 32],
    pub signature: [u8; 64],
    /// 1-based line of the signature in the checkpoint file.
    pub line: usize,
}

impl Note {
    /// Parse what [`Checkpoint::signed`] or [`Display`](fmt::Display) writes.
    pub fn parse(text: &str) -> Result<Note, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty());
        let with_tree = match lines.next().map(|(_, l)| l) {
            Some(HEADER_V1) => false,
            Some(HEADER_V2) => true,
            _ => {
                return Err(format!(
                    "not a checkpoint: the first line must be \"{HEADER_V2}\" (or \"{HEADER_V1}\")"
                ));
            }
        };
        let mut field = |name: &str| -> Result<String, String> {
            let (_, line) = lines
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
        let tree = if with_tree {
            Some(parse_tree(&field("tree")?, entries)?)
        } else {
            None
        };
        let signature = lines
            .next()
            .map(|(number, line)| parse_signature(number, line))
            .transpose()?;
        if let Some((number, _)) = lines.next() {
            return Err(format!(
                "line {number}: nothing may follow the head, tree and signature lines"
            ));
        }
        Ok(Note {
            checkpoint: Checkpoint {
                origin,
                entries,
                head,
                tree,
            },
            signature,
        })
    }

    /// Findings about who vouches for this checkpoint. With `trusted`, the
    /// note must be signed by exactly that key; without it, a signature
    /// present must still match (it cannot say who signed, though).
    pub fn check_signature(&self, trusted: Option<&VerifyingKey>, file: &str) -> Vec<Finding> {
        let finding = |line: usize, message: String| {
            vec![Finding {
                file: file.to_string(),
                line,
                kind: FindingKind::Signature,
                message,
            }]
        };
        let Some(signed) = &self.signature else {
            return match trusted {
                Some(key) => finding(
                    1,
                    format!(
                        "the checkpoint is not signed, but a signature by the trusted key {} is required: anyone could have written it",
                        short_key(key.as_bytes())
                    ),
                ),
                None => Vec::new(),
            };
        };
        let body = self.checkpoint.to_string();
        let valid = VerifyingKey::from_bytes(&signed.key).is_ok_and(|key| {
            key.verify_strict(body.as_bytes(), &Signature::from_bytes(&signed.signature))
                .is_ok()
        });
        if !valid {
            return finding(
                signed.line,
                format!(
                    "the signature by key {} does not match this checkpoint: it was edited after signing",
                    short_key(&signed.key)
                ),
            );
        }
        match trusted {
            Some(key) if key.as_bytes() != &signed.key => finding(
                signed.line,
                format!(
                    "signed by key {}, not by the trusted key {}: the checkpoint was re-signed by someone else",
                    short_key(&signed.key),
                    short_key(key.as_bytes())
                ),
            ),
            _ => Vec::new(),
        }
    }
}

/// `tree <size> <root>`; the size is the note's entry count.
fn parse_tree(value: &str, entries: usize) -> Result<TreeHead, String> {
    let (size, root) = value
        .split_once(' ')
        .ok_or("the tree line needs a size and a root hash")?;
    let size: usize = size
        .parse()
        .map_err(|_| "the tree size is not a number".to_string())?;
    if size != entries {
        return Err(format!(
            "the tree covers {size} entries, but the checkpoint {entries}"
        ));
    }
    let root = parse_hex(root).ok_or("the tree root is not a SHA-256 hex digest")?;
    Ok(TreeHead { size, root })
}

fn parse_signature(number: usize, line: &str) -> Result<NoteSignature, String> {
    let bad = |what: &str| format!("line {number}: {what}");
    let rest = line
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or_else(|| bad("expected \"signature ed25519 <public key> <signature>\""))?;
    let (key, signature) = rest
        .split_once(' ')
        .ok_or_else(|| bad("the signature line needs a public key and a signature"))?;
    Ok(NoteSignature {
        key: from_hex(key).ok_or_else(|| bad("the public key is not 64 hex digits"))?,
        signature: from_hex(signature).ok_or_else(|| bad("the signature is not 128 hex digits"))?,
        line: number,
    })
}

/// Enough of a public key to tell keys apart in a message.
fn short_key(key: &[u8; 32]) -> String {
    to_hex_bytes(&key[..8])
}

/// File and line of the `position`-th (1-based) entry of a chain.
fn locate(verification: &Verification, chain: &Chain, position: usize) -> Option<(String, usize)> {
    let mut remaining = position.checked_sub(1)?;
    for &member in &chain.members {
        let file = &verification.files[member];
        if remaining < file.entries {
            return Some((file.name.clone(), file.entry_line(remaining)?));
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
    use crate::log::signing::generate;

    const CP: Checkpoint = Checkpoint {
        origin: [1; 32],
        entries: 42,
        head: [2; 32],
        tree: None,
    };
    const CP_TREE: Checkpoint = Checkpoint {
        tree: Some(TreeHead {
            size: 42,
            root: [3; 32],
        }),
        ..CP
    };

    fn kinds(findings: &[Finding]) -> Vec<(usize, FindingKind)> {
        findings.iter().map(|f| (f.line, f.kind)).collect()
    }

    #[test]
    fn checkpoints_round_trip_through_text() {
        let note = Note::parse(&CP.to_string()).unwrap();
        assert_eq!((note.checkpoint, note.signature), (CP, None));
        let key = generate().unwrap();
        let note = Note::parse(&CP.signed(&key)).unwrap();
        assert_eq!(note.checkpoint, CP);
        assert_eq!(note.signature.unwrap().key, key.verifying_key().to_bytes());
    }

    #[test]
    fn a_tree_head_makes_a_v2_note_and_round_trips() {
        let key = generate().unwrap();
        let text = CP_TREE.signed(&key);
        assert!(text.starts_with("auditui checkpoint v2\n"), "{text}");
        assert!(text.contains(&format!("\ntree 42 {}\n", to_hex(&[3; 32]))));
        let note = Note::parse(&text).unwrap();
        assert_eq!(note.checkpoint, CP_TREE);
        assert_eq!(note.check_signature(Some(&key.verifying_key()), "cp"), []);
        // A tree head cannot be dropped or added without breaking the signature.
        let stripped = text
            .replace("v2", "v1")
            .lines()
            .filter(|l| !l.starts_with("tree "))
            .collect::<Vec<_>>()
            .join("\n");
        let found = Note::parse(&stripped).unwrap().check_signature(None, "cp");
        assert_eq!(kinds(&found), vec![(5, FindingKind::Signature)]);
    }

    #[test]
    fn a_damaged_checkpoint_is_rejected_with_a_reason() {
        let fails = |text: &str, reason: &str| {
            let err = Note::parse(text).unwrap_err();
            assert!(err.contains(reason), "{text:?}: {err}");
        };
        fails("hello", "not a checkpoint");
        fails(
            &format!("{HEADER_V1}\norigin zz\nentries 1\nhead 00\n"),
            "origin is not",
        );
        let signed = CP.signed(&generate().unwrap());
        fails(&format!("{signed}more\n"), "line 6: nothing may follow");
        fails(&format!("{HEADER_V1}\norigin zz\n"), "origin is not");
        fails(&signed.replace("ed25519 ", "rsa "), "line 5: expected");
        fails(&signed.replace("entries 42", "entries x"), "not a number");
        let tree = CP_TREE.to_string();
        fails(&tree.replace("tree 42", "tree 41"), "covers 41 entries");
        fails(
            &tree.replace("tree 42 ", "tree 42"),
            "needs a size and a root",
        );
        fails(&tree.replace("\ntree", "\nhead"), "expected \"tree ...\"");
        let (body, sig) = signed.rsplit_once(' ').unwrap();
        fails(&format!("{body} {}", &sig[2..]), "128 hex digits");
    }

    #[test]
    fn a_signature_by_the_trusted_key_is_accepted() {
        let key = generate().unwrap();
        let note = Note::parse(&CP.signed(&key)).unwrap();
        assert_eq!(
            note.check_signature(Some(&key.verifying_key()), "cp"),
            vec![]
        );
        assert_eq!(note.check_signature(None, "cp"), vec![]);
    }

    #[test]
    fn an_edited_signed_checkpoint_fails_even_without_a_trusted_key() {
        let key = generate().unwrap();
        let edited = CP.signed(&key).replace("entries 42", "entries 41");
        let note = Note::parse(&edited).unwrap();
        let found = note.check_signature(None, "cp");
        assert_eq!(kinds(&found), vec![(5, FindingKind::Signature)]);
        assert!(
            found[0].message.contains("edited after signing"),
            "{found:?}"
        );
    }

    #[test]
    fn a_checkpoint_re_signed_by_another_key_fails() {
        let trusted = generate().unwrap().verifying_key();
        let note = Note::parse(&CP.signed(&generate().unwrap())).unwrap();
        let found = note.check_signature(Some(&trusted), "cp");
        assert_eq!(kinds(&found), vec![(5, FindingKind::Signature)]);
        assert!(
            found[0].message.contains("not by the trusted key"),
            "{found:?}"
        );
    }

    #[test]
    fn an_unsigned_checkpoint_fails_only_when_a_signature_is_required() {
        let note = Note::parse(&CP.to_string()).unwrap();
        assert_eq!(note.check_signature(None, "cp"), vec![]);
        let trusted = generate().unwrap().verifying_key();
        let found = note.check_signature(Some(&trusted), "cp");
        assert_eq!(kinds(&found), vec![(1, FindingKind::Signature)]);
        assert!(found[0].message.contains("not signed"), "{found:?}");
    }
}
