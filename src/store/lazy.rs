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

/// A set of columns ([`Field`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns(u16);

impl Columns {
    pub const ALL: Columns = Columns((1 << Field::ALL.len()) - 1);
    pub const NONE: Columns = Columns(0);

    pub fn contains(self, field: Field) -> bool {
        self.0 & (1 << field as u16) != 0
    }

    pub fn with(self, field: Field) -> Columns {
        Columns(self.0 | (1 << field as u16))
    }

    /// These columns in [`Field`] order, one step per column in the set
    /// (a row's push looks at no other).
    pub fn fields(self) -> impl Iterator<Item = Field> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            let bit = bits.trailing_zeros() as usize;
            bits &= bits.wrapping_sub(1);
            Field::ALL.get(bit).copied()
        })
    }

    /// What a load's reader picks of each entry: the texts of these
    /// columns and every row's numbers and time.
    pub fn picks(self) -> Picks {
        self.fields().fold(Picks::NUMBERS, |picks, field| {
            picks.and(Picks::text(text(field)))
        })
    }

    /// These and the columns `filter` compares values of.
    pub fn with_filter(self, filter: &Filter) -> Columns {
        filter
            .terms
            .iter()
            .fold(self, |columns, term| match &term.predicate {
                Predicate::Field { field, .. } => columns.with(*field),
                _ => columns,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse_filter;

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
}
