//! A column's interned ids, each as narrow as the column's dictionary
//! allows.
//!
//! Most columns hold a handful of distinct values (tools, roles, models)
//! and fit a byte per row; only the conversation ids need four. The ids
//! are widened, copied once, when the dictionary outgrows their width
//! (ids are handed out in order, so that happens at most twice a column).

use super::store::Sym;

/// The ids of one column, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ids {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Self {
        Ids::U8(Vec::new())
    }
}

/// Reads a row's id the same way whatever the width: for loops written
/// once and run on each width's slice (see [`Ids::slice`]).
pub trait Id: Copy {
    fn sym(self) -> Sym;
}

impl Id for u8 {
    fn sym(self) -> Sym {
        Sym::from(self)
    }
}

impl Id for u16 {
    fn sym(self) -> Sym {
        Sym::from(self)
    }
}

impl Id for u32 {
    fn sym(self) -> Sym {
        self
    }
}

/// The ids as a slice of their width, for loops over many rows.
#[derive(Debug, Clone, Copy)]
pub enum IdSlice<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
}

impl Ids {
    pub fn len(&self) -> usize {
        match self {
            Ids::U8(ids) => ids.len(),
            Ids::U16(ids) => ids.len(),
            Ids::U32(ids) => ids.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of `row` (which must exist).
    pub fn get(&self, row: usize) -> Sym {
        match self {
            Ids::U8(ids) => ids[row].sym(),
            Ids::U16(ids) => ids[row].sym(),
            Ids::U32(ids) => ids[row].sym(),
        }
    }

    pub fn slice(&self) -> IdSlice<'_> {
        match self {
            Ids::U8(ids) => IdSlice::U8(ids),
            Ids::U16(ids) => IdSlice::U16(ids),
            Ids::U32(ids) => IdSlice::U32(ids),
        }
    }

    /// Every row's id, in row order.
    pub fn iter(&self) -> impl Iterator<Item = Sym> + '_ {
        (0..self.len()).map(|row| self.get(row))
    }

    pub fn reserve_exact(&mut self, additional: usize) {
        match self {
            Ids::U8(ids) => ids.reserve_exact(additional),
            Ids::U16(ids) => ids.reserve_exact(additional),
            Ids::U32(ids) => ids.reserve_exact(additional),
        }
    }

    fn capacity(&self) -> usize {
        match self {
            Ids::U8(ids) => ids.capacity(),
            Ids::U16(ids) => ids.capacity(),
            Ids::U32(ids) => ids.capacity(),
        }
    }

    /// Append `id`, widening every id first if it does not fit.
    pub fn push(&mut self, id: Sym) {
        match self {
            Ids::U8(ids) => match u8::try_from(id) {
                Ok(id) => ids.push(id),
                Err(_) => self.widen(id),
            },
            Ids::U16(ids) => match u16::try_from(id) {
                Ok(id) => ids.push(id),
                Err(_) => self.widen(id),
            },
            Ids::U32(ids) => ids.push(id),
        }
    }

    /// Copy the ids to the next width that holds `id`, then append it.
    #[cold]
    fn widen(&mut self, id: Sym) {
        // Keep the room reserved for the whole load: growing the wide copy
        // by doubling would leave up to half of it unused.
        let room = self.capacity().max(self.len() + self.len() / 2 + 1);
        *self = match u16::try_from(id) {
            Ok(_) => {
                let mut wide = Vec::with_capacity(room);
                wide.extend(self.iter().map(|id| id as u16));
                Ids::U16(wide)
            }
            Err(_) => {
                let mut wide = Vec::with_capacity(room);
                wide.extend(self.iter());
                Ids::U32(wide)
            }
        };
        self.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_widen_as_the_dictionary_grows_and_keep_their_values() {
        let mut ids = Ids::default();
        let pushed: Vec<Sym> = [0, 1, 255, 3, 256, 7, 65_535, 65_536, 2, 1 << 31]
            .into_iter()
            .collect();
        let mut widths = Vec::new();
        for &id in &pushed {
            ids.push(id);
            widths.push(match ids.slice() {
                IdSlice::U8(_) => 1,
                IdSlice::U16(_) => 2,
                IdSlice::U32(_) => 4,
            });
        }
        assert_eq!(widths, [1, 1, 1, 1, 2, 2, 2, 4, 4, 4]);
        assert_eq!(ids.iter().collect::<Vec<_>>(), pushed);
        assert_eq!(ids.get(9), 1 << 31);
        assert_eq!(ids.get(4), 256);
        assert_eq!(ids.len(), pushed.len());
    }

    #[test]
    fn a_column_of_small_ids_stays_a_byte_a_row() {
        let mut ids = Ids::default();
        ids.reserve_exact(1000);
        for row in 0..1000u32 {
            ids.push(row % 200);
        }
        assert!(matches!(ids.slice(), IdSlice::U8(s) if s.len() == 1000));
        // Widening keeps the room reserved for the rows still to come.
        let mut ids = Ids::default();
        ids.reserve_exact(1000);
        for id in [1, 2, 300] {
            ids.push(id);
        }
        assert!(matches!(&ids, Ids::U16(wide) if wide.capacity() >= 1000));
        assert!(Ids::default().is_empty());
    }
}
