//! Failed calls, newest first, with the error each one logged: the lesson's
//! `AuditQueryEngine.failures`. Narrowing by user and time is the filter's
//! job (`user:usr_1 since:2025-07-06` selects the rows given here), exactly
//! as the lesson's `by_user(user, since)` and `failures(since)` narrow.

use super::field_text;
use crate::filter::Field;
use crate::store::store::Outcome;
use crate::store::{RowKey, Store};
use serde::Serialize;
use std::cmp::Reverse;

/// The most failures a backend that cannot hold them all (a database)
/// lists: the newest, a few screens' worth. The in-memory store lists all.
pub const NEWEST_LISTED: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub row: u32,
    /// Which entry, for finding it again through the backend.
    #[serde(skip)]
    pub key: RowKey,
    pub file: String,
    pub line: usize,
    /// As logged.
    pub timestamp: Option<String>,
    pub user: Option<String>,
    pub tool: Option<String>,
    pub conversation: Option<String>,
    pub patient: Option<String>,
    /// `result_summary.error`, re-read from the line.
    pub error: Option<String>,
}

/// The failed calls among `rows`, newest first; calls logged at the same
/// instant (or with unreadable times, which come last) in reverse log order,
/// as the lesson's `reversed(failures())` lists them.
pub fn failures(store: &Store, rows: &[u32]) -> Vec<Failure> {
    let mut failed: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|&r| store.outcome[r as usize] == Outcome::Failed)
        .collect();
    failed.sort_by_key(|&r| Reverse((store.time[r as usize], r)));
    failed
        .into_iter()
        .map(|row| {
            let r = row as usize;
            let entry = store.entry(r);
            let fields = entry.as_ref().map(|e| e.fields());
            let (file, line) = store.location(r);
            Failure {
                row,
                key: store.key(r),
                file: file.to_owned(),
                line,
                timestamp: fields
                    .as_ref()
                    .and_then(|f| f.timestamp)
                    .map(|t| t.decode().into_owned()),
                user: field_text(store, Field::User, r),
                tool: field_text(store, Field::Tool, r),
                conversation: field_text(store, Field::Conversation, r),
                patient: field_text(store, Field::Patient, r),
                error: fields.and_then(|f| f.error).map(|e| e.into_owned()),
            }
        })
        .collect()
}

/// `before`, the failures of rows selected earlier, with those of `rows`,
/// which come after them in the store: the same list as [`failures`] of
/// all of them, re-reading only the new lines. New failures are usually
/// the newest and go first; a merge places any that are not.
pub fn extended(before: &[Failure], store: &Store, rows: &[u32]) -> Vec<Failure> {
    let newest_first = |f: &Failure| Reverse((f.key.time, f.row));
    let mut added = failures(store, rows).into_iter().peekable();
    let mut merged = Vec::with_capacity(before.len() + added.len());
    for failure in before {
        while let Some(new) = added.next_if(|new| newest_first(new) < newest_first(failure)) {
            merged.push(new);
        }
        merged.push(failure.clone());
    }
    merged.extend(added);
    merged
}
