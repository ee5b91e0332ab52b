//! Numbers kept in ascending order, for percentiles by rank: the per-tool
//! durations of the stats, which a followed selection extends on each
//! append (ARCHITECTURE.md, "Following").
//!
//! The numbers sit in sorted blocks behind `Arc`s: a copy shares every
//! block, and an insert copies the one block it goes into (when shared)
//! and the list of blocks, not every number.

use std::sync::Arc;

/// Numbers per block, at most twice as many before it is split: copying
/// one costs little, and a million numbers are a thousand pointers.
const BLOCK: usize = 1024;

/// Numbers in ascending order (by `f64::total_cmp`).
#[derive(Clone, Debug, Default)]
pub struct Sorted {
    /// Each block ascending, and every number of a block at most the
    /// first of the next; no block empty.
    blocks: Vec<Arc<Vec<f64>>>,
    len: usize,
}

impl Sorted {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Insert `values`: one by one when they are few, else by sorting
    /// them and merging them with these (linear, and no insert moves a
    /// block's numbers).
    pub fn extend(&mut self, mut values: Vec<f64>) {
        if values.len() <= BLOCK {
            values.into_iter().for_each(|value| self.insert(value));
            return;
        }
        sort_numbers(&mut values);
        let all = if self.blocks.is_empty() {
            values
        } else {
            let mut all: Vec<f64> = self.blocks.iter().flat_map(|b| b.iter()).copied().collect();
            all.extend(values);
            // Two ascending runs: the stable sort merges them in linear time.
            all.sort_by(f64::total_cmp);
            all
        };
        self.len = all.len();
        self.blocks = all.chunks(BLOCK).map(|b| Arc::new(b.to_vec())).collect();
    }

    pub fn insert(&mut self, value: f64) {
        let after = |x: &f64| x.total_cmp(&value).is_le();
        // The first block whose last number is past `value`, or the last.
        let at = self
            .blocks
            .partition_point(|b| b.last().is_some_and(after))
            .min(self.blocks.len().saturating_sub(1));
        let Some(block) = self.blocks.get_mut(at) else {
            self.blocks.push(Arc::new(vec![value]));
            self.len = 1;
            return;
        };
        let block = Arc::make_mut(block);
        block.insert(block.partition_point(after), value);
        if block.len() > 2 * BLOCK {
            let upper = block.split_off(BLOCK);
            self.blocks.insert(at + 1, Arc::new(upper));
        }
        self.len += 1;
    }

    /// Take out one number equal to `value` (by `f64::total_cmp`),
    /// copying the block it was in; false if there is none.
    pub fn remove(&mut self, value: f64) -> bool {
        let before = |x: &f64| x.total_cmp(&value).is_lt();
        // The first block whose last number is not below `value`.
        let at = self
            .blocks
            .partition_point(|b| b.last().is_some_and(before));
        let Some(block) = self.blocks.get_mut(at) else {
            return false;
        };
        let index = block.partition_point(before);
        if block.get(index).is_none_or(|x| x.total_cmp(&value).is_ne()) {
            return false;
        }
        Arc::make_mut(block).remove(index);
        if block.is_empty() {
            self.blocks.remove(at);
        }
        self.len -= 1;
        true
    }

    /// The number of rank `rank` (0 the smallest), if there are that many.
    pub fn nth(&self, mut rank: usize) -> Option<f64> {
        for block in &self.blocks {
            match block.get(rank) {
                Some(&value) => return Some(value),
                None => rank -= block.len(),
            }
        }
        None
    }
}

/// `values` in ascending `f64::total_cmp` order, by a radix sort of
/// their bits: linear, where comparing cost `stats` ~200 instructions a
/// logged duration (BENCHMARKS.md, "Issue 21"). Numbers equal by
/// `total_cmp` have the same bits, so any correct sort gives these.
fn sort_numbers(values: &mut [f64]) {
    const SIGN: u64 = 1 << 63;
    // `total_cmp` flips a negative number's other bits and compares as
    // signed; flipping the sign too makes that the unsigned order. Either
    // flip leaves the sign as it was, so doing both again undoes them.
    let flip = |bits: u64| bits ^ ((((bits as i64) >> 63) as u64) >> 1) ^ SIGN;
    let mut keys: Vec<u64> = values.iter().map(|x| flip(x.to_bits())).collect();
    let byte = |key: u64, digit: usize| usize::from((key >> (8 * digit)) as u8);
    let mut counts = [[0usize; 256]; 8];
    for &key in &keys {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[byte(key, digit)] += 1;
        }
    }
    let mut spare = vec![0; keys.len()];
    for (digit, count) in counts.iter().enumerate() {
        // A byte every key shares orders nothing.
        if count.contains(&keys.len()) {
            continue;
        }
        let mut next = [0; 256];
        let mut at = 0;
        for (next, count) in next.iter_mut().zip(count) {
            *next = at;
            at += count;
        }
        for &key in &keys {
            let next = &mut next[byte(key, digit)];
            spare[*next] = key;
            *next += 1;
        }
        std::mem::swap(&mut keys, &mut spare);
    }
    for (value, key) in values.iter_mut().zip(keys) {
        *value = f64::from_bits(flip(key ^ SIGN) ^ SIGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_sort_by_their_bits_as_by_comparing() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let special = [
            0.0,
            -0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let special = special
            .into_iter()
            .chain([f64::MIN_POSITIVE / 2.0, -5e-324, 72.67]);
        let mut values: Vec<f64> = special.collect();
        values.extend((0..5000).map(|_| f64::from_bits(next())));
        values.extend((0..5000).map(|_| (next() % 100_000) as f64 / 100.0));
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        sort_numbers(&mut values);
        let bits = |values: &[f64]| values.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }

    proptest! {
        #[test]
        fn sorted_numbers_and_their_copies_rank_as_a_sorted_vector(
            batches in prop::collection::vec(
                (
                    prop::collection::vec(
                        prop_oneof![
                            prop::sample::select(vec![-0.0, 0.0, 1.5, 7.0, 12.25, 1e9]),
                            (0u32..5000).prop_map(f64::from),
                        ],
                        0..3000,
                    ),
                    0usize..1500,
                ),
                1..5,
            ),
        ) {
            // Each batch is inserted, then `removed` of its numbers (and
            // 1e9 + 1, never there) taken out again.
            let mut kept: Vec<(Sorted, Vec<f64>)> = vec![(Sorted::default(), Vec::new())];
            for (batch, removed) in batches {
                let (mut sorted, mut plain) = kept[kept.len() - 1].clone();
                plain.extend(&batch);
                sorted.extend(batch.clone());
                plain.sort_by(f64::total_cmp);
                for &value in batch.iter().step_by(3).take(removed).chain([&(1e9 + 1.0)]) {
                    let found = plain.iter().position(|x| x.total_cmp(&value).is_eq());
                    prop_assert_eq!(sorted.remove(value), found.is_some());
                    if let Some(index) = found {
                        plain.remove(index);
                    }
                }
                kept.push((sorted, plain));
                for (sorted, plain) in &kept {
                    prop_assert_eq!(sorted.len(), plain.len());
                    let ranked: Vec<u64> = (0..=plain.len()).filter_map(|r| sorted.nth(r)).map(f64::to_bits).collect();
                    let expected: Vec<u64> = plain.iter().map(|x| x.to_bits()).collect();
                    prop_assert_eq!(ranked, expected);
                }
            }
        }
    }
}
