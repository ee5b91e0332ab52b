//! Where each row's line starts in its source, four bytes a row.
//!
//! Offsets are kept as `u32` while every source is under 4 GiB, which is
//! nearly always; the first offset past that widens the column to `u64`,
//! copied once (ARCHITECTURE.md, "The pipeline").

/// Byte offsets of the rows' lines, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offsets {
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Default for Offsets {
    fn default() -> Self {
        Offsets::U32(Vec::new())
    }
}

impl Offsets {
    pub fn len(&self) -> usize {
        match self {
            Offsets::U32(offsets) => offsets.len(),
            Offsets::U64(offsets) => offsets.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The offset of `row` (which must exist).
    pub fn get(&self, row: usize) -> u64 {
        match self {
            Offsets::U32(offsets) => u64::from(offsets[row]),
            Offsets::U64(offsets) => offsets[row],
        }
    }

    pub fn reserve_exact(&mut self, additional: usize) {
        match self {
            Offsets::U32(offsets) => offsets.reserve_exact(additional),
            Offsets::U64(offsets) => offsets.reserve_exact(additional),
        }
    }

    /// Append `offset`, widening the column first if it does not fit.
    pub fn push(&mut self, offset: u64) {
        match self {
            Offsets::U32(offsets) => match u32::try_from(offset) {
                Ok(offset) => offsets.push(offset),
                Err(_) => self.widen(offset),
            },
            Offsets::U64(offsets) => offsets.push(offset),
        }
    }

    /// Copy the offsets to `u64` (keeping the room reserved), then append.
    #[cold]
    fn widen(&mut self, offset: u64) {
        if let Offsets::U32(narrow) = self {
            let mut wide = Vec::with_capacity(narrow.capacity().max(narrow.len() + 1));
            wide.extend(narrow.iter().map(|&o| u64::from(o)));
            *self = Offsets::U64(wide);
        }
        self.push(offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_widen_past_four_gibibytes_and_keep_their_values() {
        let mut offsets = Offsets::default();
        offsets.reserve_exact(8);
        let pushed = [0, 17, u64::from(u32::MAX), 1 << 32, 5, u64::MAX];
        let mut wide = Vec::new();
        for &offset in &pushed {
            offsets.push(offset);
            wide.push(matches!(offsets, Offsets::U64(_)));
        }
        assert_eq!(wide, [false, false, false, true, true, true]);
        let read: Vec<u64> = (0..offsets.len()).map(|row| offsets.get(row)).collect();
        assert_eq!(read, pushed);
        assert!(matches!(&offsets, Offsets::U64(o) if o.capacity() >= 8));
        assert!(Offsets::default().is_empty());
    }
}
