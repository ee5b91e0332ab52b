//! What a follow-mode reload must notice that verifying the new logs alone
//! cannot: entries that were shown before and are gone or changed now. A
//! file that lost its last entries is still a valid chain on its own.

use crate::backend::Backend;
use crate::log::chain::{Finding, FindingKind, Verification, short};
use crate::log::entry::LineReader;
use crate::store::Store;
use std::collections::HashSet;

/// Findings about the files of `before` as they are in `after`: each kept
/// file (the same device and inode; by name for sources that are not
/// files) must still hold the head it had, at the same place. Entries
/// moved to another open file (copytruncate) are not lost. Findings of
/// earlier reloads are carried over: a truncation stays a finding.
pub fn lost_entries(before: &dyn Backend, store: &Store, after: &Verification) -> Vec<Finding> {
    let followed = |f: &&Finding| matches!(f.kind, FindingKind::Truncated | FindingKind::Rewritten);
    let mut found: Vec<Finding> = before
        .verification()
        .findings
        .iter()
        .filter(followed)
        .cloned()
        .collect();
    let heads_now: HashSet<[u8; 32]> = after.files.iter().filter_map(|f| f.last_hash).collect();
    let (names, identities) = (before.source_names(), before.source_identities());
    for (old_index, old) in before.verification().files.iter().enumerate() {
        let (Some(head), Some(new_index)) = (
            old.last_hash,
            same_file(&names[old_index], identities[old_index], store),
        ) else {
            continue;
        };
        let new = &after.files[new_index];
        let last = old.entries - 1;
        let finding = if heads_now.contains(&head) {
            None
        } else if new.entries > last {
            let line = new.entry_line(last).expect("an entry at this index");
            let now = stored_hash(store, &new.name, line);
            (now != Some(head)).then(|| Finding {
                file: new.name.clone(),
                line,
                kind: FindingKind::Rewritten,
                message: format!(
                    "the entry here had hash {} when last read and is now different: rewritten while followed",
                    short(&head)
                ),
            })
        } else {
            Some(Finding {
                file: new.name.clone(),
                line: new.entry_line(new.entries.saturating_sub(1)).unwrap_or(0) + 1,
                kind: FindingKind::Truncated,
                message: format!(
                    "the file had {} entries when last read and has {} now: truncated while followed",
                    old.entries, new.entries
                ),
            })
        };
        found.extend(finding.filter(|f| !found.contains(f)));
    }
    found
}

/// The index in `store`'s sources of the file called `name` with
/// `identity` before.
fn same_file(name: &str, identity: Option<(u64, u64)>, store: &Store) -> Option<usize> {
    store
        .sources
        .iter()
        .position(|s| match (identity, s.identity) {
            (Some(a), Some(b)) => a == b,
            _ => s.name == name,
        })
}

/// The stored hash of the entry at `file`:`line`.
fn stored_hash(store: &Store, file: &str, line: usize) -> Option<[u8; 32]> {
    let row = store.row_at(file, line)?;
    let seal = LineReader::new().read_seal(store.raw_line(row)).ok()??;
    seal.stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::memory::MemoryBackend;
    use crate::testing::{chain_log, load as store_of, support_calls};
    use crate::tui::testing::load;

    /// What a reload of `logs` finds lost since `before`.
    fn lost(before: &dyn Backend, logs: &[(&str, &str)]) -> Vec<Finding> {
        let (store, verification) = store_of(logs);
        lost_entries(before, &store, &verification)
    }

    fn kinds(findings: &[Finding]) -> Vec<(usize, FindingKind)> {
        findings.iter().map(|f| (f.line, f.kind)).collect()
    }

    #[test]
    fn a_file_that_lost_its_last_entries_is_truncated_and_stays_so() {
        let calls = support_calls();
        let full = load(&[("live.jsonl", &chain_log(&calls))]);
        let shorter = [("live.jsonl", chain_log(&calls[..5]))];
        let shorter = [(shorter[0].0, shorter[0].1.as_str())];
        let (store, mut verification) = store_of(&shorter);
        assert!(verification.intact(), "alone, it is a valid chain");
        let found = lost(full.as_ref(), &shorter);
        assert_eq!(kinds(&found), vec![(6, FindingKind::Truncated)]);
        assert!(found[0].message.contains("had 8 entries") && found[0].message.contains("has 5"));

        // The next reload still reports it, once.
        verification.add_findings(found.clone());
        let shown = MemoryBackend::new(store, verification);
        assert_eq!(lost(&shown, &shorter), found);
    }

    #[test]
    fn growth_is_no_finding_and_an_edited_head_is_rewritten() {
        let calls = support_calls();
        let before = load(&[("live.jsonl", &chain_log(&calls[..4]))]);
        let grown = chain_log(&calls);
        assert_eq!(lost(before.as_ref(), &[("live.jsonl", &grown)]), vec![]);
        let mut other = calls.clone();
        other[3]["user_id"] = "usr_999".into();
        let resealed = chain_log(&other);
        assert_eq!(
            kinds(&lost(before.as_ref(), &[("live.jsonl", &resealed)])),
            vec![(4, FindingKind::Rewritten)]
        );
    }

    #[test]
    fn entries_moved_to_another_open_file_are_not_lost() {
        // copytruncate: the entries went to live.1.jsonl, live.jsonl is
        // empty, or has grown again before the next look.
        let calls = support_calls();
        let log = chain_log(&calls[..4]);
        let before = load(&[("live.jsonl", &log)]);
        let emptied = [("live.1.jsonl", log.as_str()), ("live.jsonl", "")];
        assert_eq!(lost(before.as_ref(), &emptied), vec![]);
        let whole = chain_log(&calls);
        let regrown = [
            ("live.1.jsonl", log.as_str()),
            ("live.jsonl", &whole[log.len()..]),
        ];
        assert_eq!(lost(before.as_ref(), &regrown), vec![]);
    }
}
