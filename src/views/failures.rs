//! Failed calls, newest first, with the error each one logged: the lesson's
//! `AuditQueryEngine.failures`. Narrowing by user and time is the filter's
//! job (`user:usr_1 since:2025-07-06` selects the rows given here), exactly
//! as the lesson's `by_user(user, since)` and `failures(since)` narrow.

use super::field_text;
use crate::filter::Field;
use crate::store::store::Outcome;
use crate::store::{Grown, RowKey, Rows, Store};
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
pub fn failures<'a>(store: &Store, rows: impl Rows<'a>) -> Vec<Failure> {
    let mut failed: Vec<u32> = rows
        .into_iter()
        .copied()
        .filter(|&r| store.outcome[r as usize] == Outcome::Failed)
        .collect();
    failed.sort_by_key(|&r| Reverse((store.time[r as usize], store.file_rank(r))));
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

/// A list of failures, newest first, as [`failures`] makes it, shared
/// between the selections of a followed log: the list of the next one
/// shares this one's failures and adds those of the appended rows
/// (ARCHITECTURE.md, "Following").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failures {
    /// Oldest first, so that the newest failures, those a live log
    /// appends, go at its end.
    oldest_first: Grown<Failure>,
}

/// How [`failures`] orders: newest first by this key.
fn age(failure: &Failure) -> (i64, u32, u32) {
    // As `Store::file_rank` orders rows of one time: by file, then line.
    (failure.key.time, failure.key.source, failure.row)
}

/// No failures, for a list not yet computed.
pub static NO_FAILURES: Failures = Failures {
    oldest_first: Grown::new(),
};

impl Failures {
    pub fn len(&self) -> usize {
        self.oldest_first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.oldest_first.is_empty()
    }

    /// The `index`th newest failure.
    pub fn get(&self, index: usize) -> Option<&Failure> {
        let from_oldest = self.len().checked_sub(index + 1)?;
        self.oldest_first.get(from_oldest)
    }

    /// Newest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Failure> {
        self.oldest_first.iter().rev()
    }

    /// These failures, those of rows selected earlier, with those of
    /// `rows`, which come after them in the store: the same list as
    /// [`failures`] of all of them, re-reading only the new lines. New
    /// failures are usually the newest and go first; a merge places any
    /// that are not.
    pub fn extended(&self, store: &Store, rows: &[u32]) -> Failures {
        let mut added = failures(store, rows);
        added.reverse();
        let mut oldest_first = self.oldest_first.clone();
        oldest_first.merge(added, age);
        Failures { oldest_first }
    }

    /// These failures without the `count` oldest: those of rows that
    /// left a `last:` window, older than every row that stays.
    pub fn without_oldest(&self, count: usize) -> Failures {
        let mut oldest_first = self.oldest_first.clone();
        oldest_first.drop_front(count);
        Failures { oldest_first }
    }
}

impl From<Vec<Failure>> for Failures {
    /// `newest_first`, ordered as [`failures`] orders.
    fn from(mut newest_first: Vec<Failure>) -> Failures {
        newest_first.reverse();
        Failures {
            oldest_first: Grown::from(newest_first),
        }
    }
}
