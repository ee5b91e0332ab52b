//! A vector that grows at its end and shares what it had with its copies:
//! what a followed selection keeps (its rows, their time order, its
//! failures), so that the selection made after rows were appended costs
//! what was appended, not a copy of everything (ARCHITECTURE.md,
//! "Following").
//!
//! The items sit in chunks of 16 KiB behind `Arc`s. A copy shares every
//! chunk; growing it copies at most its last chunk (the one it writes to)
//! and the list of chunks, a pointer per chunk. Dropping items at the
//! front (rows leaving a `last:` window) lets go of whole chunks and
//! skips into the first one: nothing is copied.

use std::sync::Arc;

/// Bytes per chunk: a chunk copied when written to after a copy costs
/// little (4,096 row ids), and a million rows are 245 pointers. Tests use
/// tiny chunks, so that their few rows and failures cross chunks.
const CHUNK_BYTES: usize = if cfg!(test) { 64 } else { 16 << 10 };

/// Items in shared chunks: every chunk but the last holds
/// [`Grown::CHUNK`], the last between one and [`Grown::CHUNK`] (no chunk
/// when empty); the first `skip` items of the first chunk were dropped.
#[derive(Clone, Debug)]
pub struct Grown<T> {
    chunks: Vec<Arc<Vec<T>>>,
    /// Items dropped from the front of the first chunk (fewer than
    /// [`Grown::CHUNK`]; 0 when empty).
    skip: usize,
    len: usize,
}

impl<T: Clone + PartialEq> PartialEq for Grown<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

/// The row ids a view reads: a slice, a vector or a [`Grown`], each read
/// as many times as the view needs.
pub trait Rows<'a>: IntoIterator<Item = &'a u32> + Copy {}

impl<'a, T: IntoIterator<Item = &'a u32> + Copy> Rows<'a> for T {}

impl<T> Default for Grown<T> {
    fn default() -> Self {
        Grown::new()
    }
}

impl<T> Grown<T> {
    /// Items per chunk: [`CHUNK_BYTES`] of them (a failure is some 200
    /// bytes, and copying a chunk of them copies their strings too).
    const CHUNK: usize = {
        let size = std::mem::size_of::<T>();
        if size == 0 || size >= CHUNK_BYTES {
            1
        } else {
            CHUNK_BYTES / size
        }
    };

    pub const fn new() -> Self {
        Grown {
            chunks: Vec::new(),
            skip: 0,
            len: 0,
        }
    }
}

/// The items of a chunk (a function, so that [`Iter`] can name its type).
fn items<T>(chunk: &Arc<Vec<T>>) -> std::slice::Iter<'_, T> {
    chunk.iter()
}

/// `chunk`, copied first if a copy of its vector shares it.
fn owned<T: Clone>(chunk: &mut Arc<Vec<T>>, capacity: usize) -> &mut Vec<T> {
    if Arc::get_mut(chunk).is_none() {
        let mut own = Vec::with_capacity(capacity);
        own.extend_from_slice(chunk);
        *chunk = Arc::new(own);
    }
    Arc::make_mut(chunk)
}

impl<T: Clone> Grown<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        let at = index.checked_add(self.skip)?;
        self.chunks
            .get(at / Self::CHUNK)
            .and_then(|chunk| chunk.get(at % Self::CHUNK))
    }

    pub fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|chunk| chunk.last())
    }

    /// The items in order, chunk by chunk.
    pub fn iter(&self) -> Iter<'_, T> {
        let items: fn(&Arc<Vec<T>>) -> std::slice::Iter<'_, T> = items;
        let (first, rest) = self
            .chunks
            .split_first()
            .map_or((&[][..], &[][..]), |(first, rest)| {
                (first.get(self.skip..).unwrap_or_default(), rest)
            });
        first.iter().chain(rest.iter().flat_map(items))
    }

    /// The items from `start` on.
    pub fn iter_from(&self, start: usize) -> impl DoubleEndedIterator<Item = &T> {
        let start = start.saturating_add(self.skip);
        let (first, skip) = (start / Self::CHUNK, start % Self::CHUNK);
        let chunks = self.chunks.get(first..).unwrap_or_default();
        chunks.iter().enumerate().flat_map(move |(i, chunk)| {
            let from = if i == 0 { skip } else { 0 };
            chunk.get(from..).unwrap_or_default().iter()
        })
    }

    /// Append `items`: the last chunk is copied first if a copy of this
    /// vector shares it, no other.
    pub fn extend_from_slice(&mut self, mut items: &[T]) {
        while !items.is_empty() {
            if self
                .chunks
                .last()
                .is_none_or(|last| last.len() == Self::CHUNK)
            {
                self.chunks.push(Arc::new(Vec::with_capacity(Self::CHUNK)));
            }
            let Some(last) = self.chunks.last_mut() else {
                return;
            };
            let last = owned(last, Self::CHUNK);
            let (now, later) = items.split_at((Self::CHUNK - last.len()).min(items.len()));
            last.extend_from_slice(now);
            self.len += now.len();
            items = later;
        }
    }

    /// Keep the first `len` items (all of them when there are fewer).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        if len == 0 {
            *self = Grown::new();
            return;
        }
        let end = len + self.skip;
        self.chunks.truncate(end.div_ceil(Self::CHUNK));
        let kept = end - (end - 1) / Self::CHUNK * Self::CHUNK;
        if let Some(last) = self.chunks.last_mut().filter(|last| last.len() > kept) {
            owned(last, Self::CHUNK).truncate(kept);
        }
        self.len = len;
    }

    /// Drop the first `count` items (all of them when there are fewer):
    /// whole chunks are let go, the first one kept is skipped into.
    pub fn drop_front(&mut self, count: usize) {
        if count >= self.len {
            *self = Grown::new();
            return;
        }
        let start = self.skip + count;
        self.chunks.drain(..start / Self::CHUNK);
        self.skip = start % Self::CHUNK;
        self.len -= count;
    }

    /// The index of the first item for which `is_before` is false, all
    /// those before it being true (as `slice::partition_point`).
    pub fn partition_point(&self, mut is_before: impl FnMut(&T) -> bool) -> usize {
        let chunk = self
            .chunks
            .partition_point(|c| c.last().is_some_and(&mut is_before));
        match self.chunks.get(chunk) {
            Some(items) if chunk == 0 => {
                let items = items.get(self.skip..).unwrap_or_default();
                items.partition_point(is_before)
            }
            Some(items) => chunk * Self::CHUNK + items.partition_point(is_before) - self.skip,
            None => self.len,
        }
    }

    /// `added`, sorted by `key`, merged into these items, sorted by `key`
    /// too (stably: an item already here goes before an added one of the
    /// same key). Only the items from the first place an added one goes
    /// are moved: none when all go after the last, as for a live log's.
    pub fn merge<K: Ord>(&mut self, added: Vec<T>, key: impl Fn(&T) -> K) {
        let Some(first) = added.first() else { return };
        let first = key(first);
        let start = self.partition_point(|item| key(item) <= first);
        if start == self.len {
            self.extend_from_slice(&added);
            return;
        }
        let mut moved: Vec<T> = self.iter_from(start).cloned().collect();
        moved.extend(added);
        // Two ascending runs: a stable sort merges them in linear time.
        moved.sort_by_key(&key);
        self.truncate(start);
        self.extend_from_slice(&moved);
    }
}

impl<T: Clone> From<Vec<T>> for Grown<T> {
    fn from(items: Vec<T>) -> Self {
        let mut grown = Grown::default();
        grown.extend_from_slice(&items);
        grown
    }
}

/// Iterator over a [`Grown`]'s items.
pub type Iter<'a, T> = std::iter::Chain<
    std::slice::Iter<'a, T>,
    std::iter::FlatMap<
        std::slice::Iter<'a, Arc<Vec<T>>>,
        std::slice::Iter<'a, T>,
        fn(&'a Arc<Vec<T>>) -> std::slice::Iter<'a, T>,
    >,
>;

impl<'a, T: Clone> IntoIterator for &'a Grown<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHUNK_U32: usize = Grown::<u32>::CHUNK;

    proptest! {
        #[test]
        fn a_grown_vector_and_its_copies_hold_what_vectors_would(
            steps in prop::collection::vec((0usize..3 * CHUNK_U32, 0usize..2 * CHUNK_U32, 0u8..3), 1..16),
        ) {
            // Each step copies the last vector, then appends to, truncates,
            // drops the front of or merges into the copy; every earlier
            // copy must be unchanged.
            let mut kept: Vec<(Grown<u32>, Vec<u32>)> = vec![(Grown::default(), Vec::new())];
            for (k, &(count, cut, how)) in steps.iter().enumerate() {
                let (mut grown, mut plain) = kept[kept.len() - 1].clone();
                let items: Vec<u32> = (0..count as u32).map(|i| i * 7 % 1000 + k as u32).collect();
                match how {
                    0 => {
                        grown.extend_from_slice(&items);
                        plain.extend_from_slice(&items);
                    }
                    1 => {
                        grown.truncate(cut);
                        plain.truncate(cut);
                    }
                    2 if k % 2 == 1 => {
                        grown.drop_front(cut);
                        plain.drain(..cut.min(plain.len()));
                    }
                    _ => {
                        let mut sorted = items;
                        sorted.sort_unstable();
                        plain.sort_unstable();
                        grown = Grown::from(plain.clone());
                        grown.merge(sorted.clone(), |&x| x);
                        plain.extend(sorted);
                        plain.sort();
                    }
                }
                kept.push((grown, plain));
                for (grown, plain) in &kept {
                    prop_assert_eq!(grown.len(), plain.len());
                    prop_assert!(grown.iter().eq(plain));
                    prop_assert_eq!(grown.last(), plain.last());
                    let at = cut.min(plain.len());
                    prop_assert_eq!(grown.get(at), plain.get(at));
                    prop_assert_eq!(grown.iter_from(at).rev().count(), plain.len() - at);
                    prop_assert!(grown.iter_from(at).eq(&plain[at..]));
                    if plain.is_sorted() {
                        let split = plain.get(at).copied().unwrap_or(0);
                        prop_assert_eq!(
                            grown.partition_point(|&x| x < split),
                            plain.partition_point(|&x| x < split)
                        );
                    }
                }
            }
        }

        #[test]
        fn partition_point_and_merge_agree_with_a_sorted_vector(
            mut before in prop::collection::vec(0u32..50, 0..3 * CHUNK_U32),
            mut added in prop::collection::vec(0u32..50, 0..300),
            split in 0u32..50,
        ) {
            before.sort_unstable();
            added.sort_unstable();
            let mut grown = Grown::from(before.clone());
            prop_assert_eq!(grown.partition_point(|&x| x < split), before.partition_point(|&x| x < split));
            // Pairs (value, origin): stability shows as the origin's order.
            let tagged = |items: &[u32], origin| items.iter().map(|&x| (x, origin)).collect::<Vec<_>>();
            let mut pairs = Grown::from(tagged(&before, 0));
            pairs.merge(tagged(&added, 1), |&(x, _)| x);
            let mut expected = [tagged(&before, 0), tagged(&added, 1)].concat();
            expected.sort_by_key(|&(x, _)| x);
            prop_assert!(pairs.iter().eq(&expected));
            grown.merge(added, |&x| x);
            prop_assert!(grown.iter().is_sorted());
        }
    }
}
