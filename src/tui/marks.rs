//! Entries marked (Space) while reading, to export together: kept by file
//! and line, which name the same entry whatever the filter or the order,
//! and across a follow-mode reload (row numbers shift when a log grows).

use crate::backend::{Backend, Order, Picked, Result};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    lines: BTreeMap<String, BTreeSet<usize>>,
}

impl Marks {
    /// Mark the entry at `file:line`, or unmark it if it was; true if it
    /// is marked now.
    pub fn toggle(&mut self, file: &str, line: usize) -> bool {
        let lines = self.lines.entry(file.to_owned()).or_default();
        let marked = lines.insert(line) || !lines.remove(&line);
        if lines.is_empty() {
            self.lines.remove(file);
        }
        marked
    }

    pub fn contains(&self, file: &str, line: usize) -> bool {
        self.lines
            .get(file)
            .is_some_and(|lines| lines.contains(&line))
    }

    pub fn len(&self) -> usize {
        self.lines.values().map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// The marked entries the backend holds, fetched in `order`; a mark on
    /// a line that is no longer an entry (the log was replaced) is dropped.
    pub fn picked(&self, backend: &dyn Backend, order: Order) -> Result<Picked> {
        let mut entries = Vec::with_capacity(self.len());
        for (file, lines) in &self.lines {
            for &line in lines {
                let Some(key) = backend.nearest(file, line)? else {
                    continue;
                };
                // `nearest` answers another line when this one is gone.
                entries.extend(
                    backend
                        .detail(key)?
                        .filter(|d| d.row.file == *file && d.row.line == line),
                );
            }
        }
        Ok(Picked::new(entries, order))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_toggles_and_counts_per_entry() {
        let mut marks = Marks::default();
        assert!(marks.toggle("a.jsonl", 3));
        assert!(marks.toggle("b.jsonl", 3));
        assert!(marks.contains("a.jsonl", 3));
        assert!(!marks.contains("a.jsonl", 4));
        assert_eq!(marks.len(), 2);
        assert!(!marks.toggle("a.jsonl", 3));
        assert!(!marks.contains("a.jsonl", 3));
        assert_eq!(marks.len(), 1);
        marks.clear();
        assert!(marks.is_empty());
    }
}
