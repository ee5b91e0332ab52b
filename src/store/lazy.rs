//! Columns built on first use.
//!
//! A load interns only the columns its caller says it will read (the CLI's
//! `stats` reads tools and users, a `--count` only what its filter names):
//! interning is the load's one serial stage (ARCHITECTURE.md, "Where a
//! verified, indexed entry's time goes"). Any other column is built the
//! first time something asks for it, from every row's line read again, so
//! an answer never depends on what was declared: only its cost does.

use super::store::{Column, Store, field_text, text};
use crate::filter::{Field, Filter, Predicate};
use crate::log::entry::{Picks, parse_line};
use rayon::prelude::*;

/// A set of columns: the [`Field`]s interned while loading, and of each
/// row's time and numbers those read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    fields: u16,
    /// The seal and the row's values read: [`Picks::NUMBERS`] but for
    /// [`Columns::FILTER_ONLY`].
    numbers: Picks,
}

impl Columns {
    pub const ALL: Columns = Columns {
        fields: (1 << Field::ALL.len()) - 1,
        numbers: Picks::NUMBERS,
    };
    /// No text column; every row's time and numbers.
    pub const NONE: Columns = Columns {
        fields: 0,
        numbers: Picks::NUMBERS,
    };
    /// Nothing at all but what [`Columns::with_filter`] adds: a store
    /// loaded so answers that filter alone, its rows holding no time,
    /// outcome, duration or turn the filter does not test (a count reads
    /// nothing else, and the time and numbers are a fifth of a load's
    /// reading: BENCHMARKS.md, "Issue 21").
    pub const FILTER_ONLY: Columns = Columns {
        fields: 0,
        numbers: Picks::SEAL,
    };

    pub fn contains(self, field: Field) -> bool {
        self.fields & (1 << field as u16) != 0
    }

    pub const fn with(self, field: Field) -> Columns {
        Columns {
            fields: self.fields | (1 << field as u16),
            ..self
        }
    }

    /// These columns in [`Field`] order, one step per column in the set
    /// (a row's push looks at no other).
    pub fn fields(self) -> impl Iterator<Item = Field> {
        let mut bits = self.fields;
        std::iter::from_fn(move || {
            let bit = bits.trailing_zeros() as usize;
            bits &= bits.wrapping_sub(1);
            Field::ALL.get(bit).copied()
        })
    }

    /// What a load's reader picks of each entry: the texts of these
    /// columns, and the time and numbers read.
    pub fn picks(self) -> Picks {
        self.fields().fold(self.numbers, |picks, field| {
            picks.and(Picks::text(text(field)))
        })
    }

    /// These, each row's `picks` (its time or numbers) read too.
    pub const fn reading(self, picks: Picks) -> Columns {
        Columns {
            numbers: self.numbers.and(picks),
            ..self
        }
    }

    /// These and what `filter` tests: the columns it compares values of,
    /// the time and the outcome.
    pub fn with_filter(self, filter: &Filter) -> Columns {
        filter
            .terms
            .iter()
            .fold(self, |columns, term| match &term.predicate {
                Predicate::Field { field, .. } => columns.with(*field),
                Predicate::Failed | Predicate::Ok => columns.reading(Picks::OUTCOME),
                Predicate::Since(_) | Predicate::Until(_) | Predicate::Last(_) => {
                    columns.reading(Picks::TIME)
                }
                Predicate::Text(_) => columns,
            })
    }
}

/// Rows read again at a time: their fields are a few hundred bytes each.
const CHUNK_ROWS: usize = 16 * 1024;

/// The `fields` columns of every row of `store`, built from the rows' lines
/// as a load would have built them (the same values in the same order, so
/// the same ids: the load's reader gives `parse_line`'s fields, which
/// debug builds check on every replayed line), the lines parsed in
/// parallel and interned in order.
pub fn build(store: &Store, fields: &[Field]) -> Vec<Column> {
    let mut columns: Vec<Column> = fields
        .iter()
        .map(|_| Column::with_rows(store.len()))
        .collect();
    for start in (0..store.len()).step_by(CHUNK_ROWS) {
        let end = (start + CHUNK_ROWS).min(store.len());
        let read: Vec<_> = (start..end)
            .into_par_iter()
            // Rows were entries when loaded: a line that no longer parses
            // (its source changed underneath) has no fields, as
            // `Store::entry` then has no entry.
            .map(|row| parse_line(store.raw_line(row)).ok().map(|e| e.fields()))
            .collect();
        for entry in &read {
            for (&field, column) in fields.iter().zip(&mut columns) {
                column.push(entry.as_ref().and_then(|f| field_text(f, field)));
            }
        }
    }
    columns
}

/// For tests: one generated log of `entries`, as a source each call.
#[cfg(test)]
pub fn generated_sources(entries: u64) -> impl Fn() -> Vec<crate::log::source::Source> {
    let bytes: Vec<u8> = crate::generate::generate(&crate::generate::Options::new(entries))
        .expect("valid options")
        .into_iter()
        .flat_map(|file| file.bytes)
        .collect();
    move || {
        vec![crate::log::source::Source::from_bytes(
            "a.jsonl",
            bytes.clone(),
        )]
    }
}

/// For tests: a loader of one generated log of `entries`, as a store of
/// the columns it is given.
#[cfg(test)]
pub fn generated_loader(entries: u64) -> impl Fn(Columns) -> Store {
    let sources = generated_sources(entries);
    move |columns| {
        let never = std::sync::atomic::AtomicBool::new(false);
        crate::store::load_keeping(sources(), false, columns, |_| {}, &never)
            .expect("not cancelled")
            .0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse_filter;
    use crate::store::query::select;

    #[test]
    fn a_filter_adds_the_columns_it_compares_and_nothing_else() {
        let filter = parse_filter("tool:get_order -conv:c1 refund failed since:2025-01-01")
            .expect("a valid filter");
        let columns = Columns::NONE.with(Field::User).with_filter(&filter);
        let wanted = [Field::User, Field::Tool, Field::Conversation];
        for field in Field::ALL {
            assert_eq!(
                columns.contains(field),
                wanted.contains(&field),
                "{field:?}"
            );
        }
        assert!(Field::ALL.iter().all(|&f| Columns::ALL.contains(f)));
        assert!(!Field::ALL.iter().any(|&f| Columns::NONE.contains(f)));
        let fields = |columns: Columns| columns.fields().collect::<Vec<_>>();
        assert_eq!(fields(columns), wanted);
        assert_eq!(
            (fields(Columns::ALL), fields(Columns::NONE)),
            (Field::ALL.to_vec(), vec![])
        );
    }

    #[test]
    fn a_filter_alone_reads_the_time_and_outcome_only_if_it_tests_them() {
        let picks = |query: &str| {
            let filter = parse_filter(query).expect("a valid filter");
            Columns::FILTER_ONLY.with_filter(&filter).picks()
        };
        let tool = Picks::SEAL.and(Picks::text(text(Field::Tool)));
        assert_eq!(picks("tool:get_order refund"), tool);
        assert_eq!(picks("refund"), Picks::SEAL);
        assert_eq!(picks("-failed"), Picks::SEAL.and(Picks::OUTCOME));
        assert_eq!(picks("ok until:2025-01-01"), picks("failed last:2h"));
        assert_eq!(
            picks("since:2025-01-01 failed tool:x"),
            tool.and(Picks::TIME).and(Picks::OUTCOME)
        );
        let filter = parse_filter("failed since:2025-01-01").expect("a valid filter");
        assert_eq!(Columns::NONE.with_filter(&filter).picks(), Picks::NUMBERS);
    }

    #[test]
    fn a_store_of_a_filter_alone_selects_what_a_whole_one_does() {
        let load = generated_loader(3_000);
        let whole = load(Columns::ALL);
        for query in [
            "tool:get_order",
            "refund",
            "-REFUND tool:get_order",
            "failed",
            "-ok tool:get_order",
            "since:2025-07-06T09:00:00Z",
            "until:2025-07-06T08:30:00Z -failed",
            "last:3h",
            "last:20m refund",
        ] {
            let filter = parse_filter(query).expect("a valid filter");
            let alone = load(Columns::FILTER_ONLY.with_filter(&filter));
            let wanted = select(&whole, &filter);
            assert_eq!(select(&alone, &filter), wanted, "{query}");
            assert!(!wanted.is_empty(), "{query}");
        }
    }
}
