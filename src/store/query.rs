//! Evaluating a [`Filter`] over a [`Store`]: the selection (row ids in store
//! order) that every view and pane works on.
//!
//! Each term is compiled once against the store (a field value becomes its
//! interned id, `last:` becomes a time range), then terms run cheapest first:
//! the first one scans every row in parallel chunks, each later one only the
//! rows that survived. Free text, the only term that reads the log bytes,
//! therefore runs last and usually over few rows.
//!
//! Semantics worth knowing:
//! - a field value absent from the store's dictionary matches nothing (and
//!   its negation everything), so a typo in a value is an empty result, not
//!   an error: completion in the TUI shows what exists;
//! - `since:` and `until:` are both inclusive, like the lesson's access
//!   report (`start <= t <= end`); rows whose timestamp could not be read
//!   match no time term (and so every negated one);
//! - `last:D` is `since:(newest - D)`, newest being the store's newest entry;
//! - `failed` and `ok` match only entries that logged `success`; an entry
//!   without it is neither;
//! - free text is a case-insensitive substring of the raw line as stored
//!   (JSON escapes included, so `\u00e9` in the file is not `é`). ASCII
//!   needles fold ASCII case only; other needles compare Unicode lowercase.

use super::ids::{Id, IdSlice};
use super::store::{NO_TIME, Outcome, Store, Sym, text};
use crate::filter::{Filter, Predicate, Term};
use crate::log::entry::{Text, Texts};
use crate::log::pass::{Keep, ScannedEntry};
use crate::log::source::Source;
use memchr::arch::all::packedpair::HeuristicFrequencyRank;
use memchr::memmem::{Finder, FinderBuilder};
use rayon::prelude::*;
use std::ops::{Range, RangeInclusive};
use std::sync::atomic::{AtomicBool, Ordering};

/// Rows per parallel work unit, and how often cancellation is checked.
const CHUNK_ROWS: usize = 64 * 1024;

/// The rows matching `filter`, in store order.
pub fn select(store: &Store, filter: &Filter) -> Vec<u32> {
    select_cancellable(store, filter, &AtomicBool::new(false)).expect("never cancelled")
}

/// [`select`] that gives up (returning `None`) soon after `cancel` is set:
/// the TUI re-queries on every keystroke and drops stale answers.
pub fn select_cancellable(store: &Store, filter: &Filter, cancel: &AtomicBool) -> Option<Vec<u32>> {
    select_from(store, filter, 0, cancel)
}

/// The rows from `first` on matching `filter`, in store order: what a
/// selection made before rows were appended lacks, when the filter
/// [`grows_with_store`].
pub fn select_from(
    store: &Store,
    filter: &Filter,
    first: usize,
    cancel: &AtomicBool,
) -> Option<Vec<u32>> {
    let first = first.min(store.len());
    if store.matching.as_ref() == Some(filter) {
        return Some((first as u32..store.len() as u32).collect());
    }
    let mut terms: Vec<Compiled<'_>> = filter
        .terms
        .iter()
        .map(|term| Compiled::new(store, term))
        .collect();
    terms.sort_by_key(Compiled::cost);
    let mut rows: Option<Vec<u32>> = None;
    for term in &terms {
        let kept = match (&term.test, term.negated) {
            (Test::Nothing, false) => Vec::new(),
            // Keeps every candidate: nothing to scan.
            (Test::Nothing, true) => continue,
            _ => term.scan(rows.as_deref(), first..store.len(), cancel)?,
        };
        let empty = kept.is_empty();
        rows = Some(kept);
        if empty {
            break;
        }
    }
    Some(rows.unwrap_or_else(|| (first as u32..store.len() as u32).collect()))
}

/// Whether a row matches `filter` whatever rows are appended after it:
/// then a selection grows by the appended rows that match. Not so for
/// `last:`, whose range moves with the newest entry.
pub fn grows_with_store(filter: &Filter) -> bool {
    !filter
        .terms
        .iter()
        .any(|term| matches!(term.predicate, Predicate::Last(_)))
}

/// Where the window of a filter's `last:` terms starts in `store` (its
/// rows older than this match no longer), when rows only ever leave it as
/// rows are appended: every `last:` term is not negated (a negated one
/// takes old rows in). `None` for a filter without `last:`.
pub fn window_start(store: &Store, filter: &Filter) -> Option<i64> {
    let mut start = None;
    for term in &filter.terms {
        if let Predicate::Last(span) = term.predicate {
            if term.negated {
                return None;
            }
            let newest = store.newest_time().unwrap_or(NO_TIME);
            // As `Compiled::new`: no row matches when no time is known.
            let from = newest.saturating_sub(span).max(NO_TIME + 1);
            let from = if newest == NO_TIME { i64::MAX } else { from };
            start = start.max(Some(from));
        }
    }
    start
}

/// A term resolved against one store.
struct Compiled<'s> {
    negated: bool,
    test: Test<'s>,
}

enum Test<'s> {
    /// The column's id is one of `ids` (already resolved; never empty).
    Field { column: IdSlice<'s>, ids: Vec<Sym> },
    Outcome {
        column: &'s [Outcome],
        want: Outcome,
    },
    /// `min <= time <= max`, with `min > NO_TIME` so unreadable times never match.
    Time {
        column: &'s [i64],
        min: i64,
        max: i64,
    },
    /// A value no row can have (unknown field value, `last:` on an empty store).
    Nothing,
    Text {
        store: &'s Store,
        needle: Box<Needle>,
    },
}

impl<'s> Compiled<'s> {
    fn new(store: &'s Store, term: &Term) -> Self {
        let time = |min: i64, max: i64| {
            let range = time_range(min, max);
            Test::Time {
                column: &store.time,
                min: *range.start(),
                max: *range.end(),
            }
        };
        let test = match &term.predicate {
            Predicate::Field { field, values } => {
                let column = store.column(*field);
                let ids: Vec<Sym> = values
                    .iter()
                    .filter_map(|v| column.dict.lookup(v))
                    .collect();
                if ids.is_empty() {
                    Test::Nothing
                } else {
                    Test::Field {
                        column: column.ids.slice(),
                        ids,
                    }
                }
            }
            Predicate::Failed | Predicate::Ok => Test::Outcome {
                column: &store.outcome,
                want: wanted_outcome(&term.predicate),
            },
            Predicate::Since(t) => time(*t, i64::MAX),
            Predicate::Until(t) => time(i64::MIN, *t),
            Predicate::Last(span) => match store.newest_time() {
                Some(newest) => time(newest.saturating_sub(*span), i64::MAX),
                None => Test::Nothing,
            },
            Predicate::Text(text) => Test::Text {
                store,
                needle: Box::new(Needle::new(text, &ByteRanks::sample(store))),
            },
        };
        Compiled {
            negated: term.negated,
            test,
        }
    }

    /// Relative cost per row: columns are cheap, raw lines are not.
    fn cost(&self) -> u8 {
        match &self.test {
            Test::Nothing => 0,
            Test::Field { .. } | Test::Outcome { .. } | Test::Time { .. } => 1,
            Test::Text { .. } => 2,
        }
    }

    /// The rows (the store's `all`, or the `candidates`) this term keeps,
    /// in order, scanned in parallel chunks.
    fn scan(
        &self,
        candidates: Option<&[u32]>,
        all: std::ops::Range<usize>,
        cancel: &AtomicBool,
    ) -> Option<Vec<u32>> {
        let count = candidates.map_or(all.len(), <[u32]>::len);
        let chunks: Vec<Vec<u32>> = (0..count.div_ceil(CHUNK_ROWS))
            .into_par_iter()
            .map(|chunk| {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let range = chunk * CHUNK_ROWS..((chunk + 1) * CHUNK_ROWS).min(count);
                let mut kept = Vec::new();
                match (candidates, &self.test) {
                    (None, Test::Text { store, needle }) if needle.spans() => {
                        let rows = all.start + range.start..all.start + range.end;
                        needle.keep_spanning(store, rows, self.negated, &mut kept);
                    }
                    (None, _) => self.keep(range.map(|r| (all.start + r) as u32), &mut kept),
                    (Some(rows), _) => self.keep(rows[range].iter().copied(), &mut kept),
                }
                Some(kept)
            })
            .collect::<Option<_>>()?;
        Some(chunks.concat())
    }

    /// Push the `rows` this term keeps onto `kept`. The test is matched once
    /// per chunk, so each arm is a tight loop of its own.
    fn keep(&self, rows: impl Iterator<Item = u32>, kept: &mut Vec<u32>) {
        let negated = self.negated;
        match &self.test {
            Test::Field { column, ids } => match *column {
                IdSlice::U8(column) => keep_ids(column, ids, negated, rows, kept),
                IdSlice::U16(column) => keep_ids(column, ids, negated, rows, kept),
                IdSlice::U32(column) => keep_ids(column, ids, negated, rows, kept),
            },
            Test::Outcome { column, want } => {
                kept.extend(rows.filter(|&r| (column[r as usize] == *want) != negated));
            }
            Test::Time { column, min, max } => {
                let range = *min..=*max;
                kept.extend(rows.filter(|&r| range.contains(&column[r as usize]) != negated));
            }
            Test::Nothing => {
                if negated {
                    kept.extend(rows);
                }
            }
            Test::Text { store, needle } => {
                kept.extend(
                    rows.filter(|&r| needle.found_in(store.raw_line(r as usize)) != negated),
                );
            }
        }
    }
}

/// `min <= time <= max`, with `min > NO_TIME` so that unreadable times
/// never match.
fn time_range(min: i64, max: i64) -> RangeInclusive<i64> {
    min.max(NO_TIME + 1)..=max
}

/// The outcome `failed` or `ok` matches.
fn wanted_outcome(predicate: &Predicate) -> Outcome {
    if matches!(predicate, Predicate::Failed) {
        Outcome::Failed
    } else {
        Outcome::Ok
    }
}

/// A filter tested on one entry alone, on the pool as its line is read:
/// a load keeps only the entries it matches (`store::load_matching`), so
/// that a count or `stats` neither pushes the other rows in order nor
/// searches the lines again after loading (ARCHITECTURE.md, "The
/// pipeline"). Each term means what it means over a store: the same
/// needle and search of the raw line, the same time range and outcome,
/// and a field's text compared with the values, where the store compares
/// their interned ids (equal exactly when the texts are).
pub struct RowFilter {
    /// Each field term: the text compared, its values, and whether it is
    /// negated; tested first, on the texts alone ([`Keep::texts_match`]).
    fields: Vec<(Text, Vec<String>, bool)>,
    /// Each other term's test, and whether it is negated.
    rest: Vec<(RowTest, bool)>,
}

enum RowTest {
    Outcome(Outcome),
    Time(RangeInclusive<i64>),
    Text(Needle),
}

impl RowFilter {
    /// `filter` tested one entry at a time, the needles' rarest bytes
    /// those of the first lines of `sources`; `None` when a term needs the
    /// whole log (`last:` counts back from the newest entry).
    pub fn new(filter: &Filter, sources: &[Source]) -> Option<RowFilter> {
        let ranks = || {
            let lines = sources.iter().flat_map(Source::lines);
            ByteRanks::from_lines(lines.take(SAMPLE_LINES).map(|line| line.bytes))
        };
        let mut tests = RowFilter {
            fields: Vec::new(),
            rest: Vec::new(),
        };
        for term in &filter.terms {
            let test = match &term.predicate {
                Predicate::Field { field, values } => {
                    tests
                        .fields
                        .push((text(*field), values.clone(), term.negated));
                    continue;
                }
                Predicate::Failed | Predicate::Ok => {
                    RowTest::Outcome(wanted_outcome(&term.predicate))
                }
                Predicate::Since(t) => RowTest::Time(time_range(*t, i64::MAX)),
                Predicate::Until(t) => RowTest::Time(time_range(i64::MIN, *t)),
                Predicate::Last(_) => return None,
                Predicate::Text(text) => RowTest::Text(Needle::new(text, &ranks())),
            };
            tests.rest.push((test, term.negated));
        }
        Some(tests)
    }
}

/// An entry matches every term: its texts must include those of the
/// fields compared, and its time be read for a time term
/// (`Columns::with_filter`).
impl Keep for RowFilter {
    /// The field terms: each text compared with the values.
    fn texts_match(&self, texts: &Texts<'_, '_>) -> bool {
        self.fields.iter().all(|(text, values, negated)| {
            let found = texts
                .get(*text)
                .is_some_and(|found| values.iter().any(|v| v == found));
            found != *negated
        })
    }

    /// The other terms.
    fn rest_matches(&self, entry: &ScannedEntry<'_, '_>) -> bool {
        self.rest.iter().all(|(test, negated)| {
            let found = match test {
                RowTest::Outcome(want) => Outcome::of(entry.row.success) == *want,
                RowTest::Time(range) => range.contains(&entry.time.unwrap_or(NO_TIME)),
                RowTest::Text(needle) => needle.found_in(entry.bytes),
            };
            found != *negated
        })
    }
}

/// Push the `rows` whose id in `column` is one of `ids` (`!= negated`):
/// one tight loop per id width.
fn keep_ids<T: Id>(
    column: &[T],
    ids: &[Sym],
    negated: bool,
    rows: impl Iterator<Item = u32>,
    kept: &mut Vec<u32>,
) {
    match ids {
        &[id] => kept.extend(rows.filter(|&r| (column[r as usize].sym() == id) != negated)),
        ids => kept.extend(rows.filter(|&r| ids.contains(&column[r as usize].sym()) != negated)),
    }
}

/// A lowercased search string, prepared for case-insensitive search of raw
/// lines.
enum Needle {
    /// No ASCII letters: case cannot matter, so the raw text is searched
    /// by memchr's SIMD `memmem`.
    Caseless(Box<Finder<'static>>),
    /// ASCII with letters: found whatever the text's case, which is not
    /// folded first (see [`AnyCase`]).
    Ascii(AnyCase),
    /// Non-ASCII: Unicode-lowercased lines are searched. Lowercasing ASCII
    /// gives ASCII, so a pure-ASCII line (every line CPython's default
    /// `ensure_ascii` writes) is ruled out without that cost.
    Unicode(String),
}

impl Needle {
    fn new(lowercase: &str, ranks: &ByteRanks) -> Needle {
        if !lowercase.is_ascii() {
            Needle::Unicode(lowercase.to_owned())
        } else if lowercase.bytes().any(|b| b.is_ascii_alphabetic()) {
            Needle::Ascii(AnyCase::new(lowercase.as_bytes(), ranks))
        } else {
            let builder = FinderBuilder::new();
            let finder = builder.build_forward_with_ranker_owned(ranks, lowercase.as_bytes());
            Needle::Caseless(Box::new(finder))
        }
    }

    fn found_in(&self, line: &[u8]) -> bool {
        match self {
            Needle::Caseless(finder) => finder.find(line).is_some(),
            Needle::Ascii(needle) => needle.find(line, 0).is_some(),
            Needle::Unicode(text) => {
                !line.is_ascii()
                    && String::from_utf8_lossy(line)
                        .to_lowercase()
                        .contains(text.as_str())
            }
        }
    }

    /// Whether [`Needle::keep_spanning`] can search this needle: a
    /// non-empty ASCII one.
    fn spans(&self) -> bool {
        match self {
            Needle::Caseless(finder) => !finder.needle().is_empty(),
            Needle::Ascii(_) => true,
            Needle::Unicode(_) => false,
        }
    }

    /// [`Needle::found_in`] each row of `rows` (`!= negated`), pushing the
    /// rows kept: one search over the text holding their lines instead of
    /// one per line (and no look for each line's end), so that a row costs
    /// nothing but where a hit is. A hit counts for the row whose line
    /// holds all of it; a needle never holds a newline that a line could.
    fn keep_spanning(&self, store: &Store, rows: Range<usize>, negated: bool, kept: &mut Vec<u32>) {
        let mut row = rows.start;
        while row < rows.end {
            let (end, text) = store.text_of_rows(row, rows.end);
            let base = store.offset(row);
            // Rows before `next` are decided; `at` is the row a hit may be in.
            let (mut next, mut at) = (row, row);
            self.each_hit(text, |hit, len| {
                let hit = base + hit;
                while at + 1 < end && store.offset(at + 1) <= hit {
                    at += 1;
                }
                if at >= next && hit + len <= store.offset(at) + store.raw_line(at).len() {
                    if negated {
                        kept.extend((next..at).map(|r| r as u32));
                    } else {
                        kept.push(at as u32);
                    }
                    next = at + 1;
                }
            });
            if negated {
                kept.extend((next..end).map(|r| r as u32));
            }
            row = end;
        }
    }

    /// The non-overlapping hits in `text`, as their start and length, in
    /// order.
    fn each_hit(&self, text: &[u8], mut hit: impl FnMut(usize, usize)) {
        match self {
            Needle::Caseless(finder) => {
                let len = finder.needle().len();
                finder.find_iter(text).for_each(|at| hit(at, len));
            }
            Needle::Ascii(needle) => {
                let len = needle.lowercase.len();
                let mut from = 0;
                while let Some(at) = needle.find(text, from) {
                    hit(at, len);
                    from = at + len;
                }
            }
            Needle::Unicode(_) => {}
        }
    }
}

/// An ASCII needle with letters, found in text whatever its case without
/// a folded copy of the text: folding it first cost more than the search
/// (BENCHMARKS.md, "Issue 21"). Two of the needle's bytes, its rarest in
/// the log, are looked for together at 64 places at a time, each place's
/// byte folded by setting bit 5 where the needle has a letter (a byte
/// with it set equals a lowercase letter only if it is that letter or its
/// capital); where both match, the place is compared whole.
struct AnyCase {
    lowercase: Vec<u8>,
    /// The two bytes looked for: where in the needle, the bit that folds
    /// a letter's case there (none for another byte), and the byte.
    pair: [(usize, u8, u8); 2],
}

/// Places an [`AnyCase`] looks at together (two AVX2 registers).
const LANES: usize = 64;

impl AnyCase {
    fn new(lowercase: &[u8], ranks: &ByteRanks) -> AnyCase {
        let mut places: Vec<usize> = (0..lowercase.len()).collect();
        places.sort_by_key(|&at| ranks.0[usize::from(lowercase[at])]);
        let byte = |at: usize| {
            let fold = if lowercase[at].is_ascii_alphabetic() {
                0x20
            } else {
                0
            };
            (at, fold, lowercase[at])
        };
        let first = places[0];
        AnyCase {
            lowercase: lowercase.to_vec(),
            pair: [byte(first), byte(*places.get(1).unwrap_or(&first))],
        }
    }

    /// Where the needle is first found in `text` starting at `from` or
    /// later.
    fn find(&self, text: &[u8], from: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: this CPU has AVX2.
            return self.find_by(text, from, |text, at| unsafe {
                self.next_pairs_avx2(text, at)
            });
        }
        self.find_by(text, from, |text, at| self.next_pairs(text, at))
    }

    /// [`AnyCase::find`] with `next_pairs` for [`AnyCase::next_pairs`].
    fn find_by(
        &self,
        text: &[u8],
        from: usize,
        next_pairs: impl Fn(&[u8], usize) -> (usize, u64),
    ) -> Option<usize> {
        let last = text.len().checked_sub(self.lowercase.len())?;
        let mut at = from;
        loop {
            let (block, mut found) = next_pairs(text, at);
            at = block;
            if found == 0 {
                break;
            }
            while found != 0 {
                let start = block + found.trailing_zeros() as usize;
                if start <= last && self.whole_at(text, start) {
                    return Some(start);
                }
                found &= found - 1;
            }
            at += LANES;
        }
        // The places left, fewer than a step's, compared as one step over a
        // copy padded past the text's end (where no place is taken: `start
        // <= last`): a search of one line at a time ends so on every line,
        // and a loop over them was most of its cost.
        let mut tail = [0; 2 * LANES];
        let rest = &text[at.min(text.len())..];
        if self.widest() + LANES > tail.len() || rest.len() > tail.len() {
            return (at..=last)
                .find(|&start| self.pair_at(text, start) && self.whole_at(text, start));
        }
        tail[..rest.len()].copy_from_slice(rest);
        let (_, mut found) = next_pairs(&tail, 0);
        while found != 0 {
            let start = at + found.trailing_zeros() as usize;
            if start <= last && self.whole_at(text, start) {
                return Some(start);
            }
            found &= found - 1;
        }
        None
    }

    /// Whether the pair is found with the needle starting at `start`.
    fn pair_at(&self, text: &[u8], start: usize) -> bool {
        self.pair
            .iter()
            .all(|&(at, fold, byte)| text[start + at] | fold == byte)
    }

    fn whole_at(&self, text: &[u8], start: usize) -> bool {
        text[start..start + self.lowercase.len()].eq_ignore_ascii_case(&self.lowercase)
    }

    /// The first [`LANES`] places from `at` on, `at` stepping by that many,
    /// where the pair is found with the needle starting at some, and a bit
    /// for each such place; else, with none, the first `at` whose places'
    /// bytes are not all within `text`.
    fn next_pairs(&self, text: &[u8], mut at: usize) -> (usize, u64) {
        while at + self.widest() + LANES <= text.len() {
            let found = (0..LANES).fold(0, |found, lane| {
                found | u64::from(self.pair_at(text, at + lane)) << lane
            });
            if found != 0 {
                return (at, found);
            }
            at += LANES;
        }
        (at, 0)
    }

    /// [`AnyCase::next_pairs`], 32 places compared at once.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn next_pairs_avx2(&self, text: &[u8], mut at: usize) -> (usize, u64) {
        use std::arch::x86_64::{
            __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
            _mm256_or_si256, _mm256_set1_epi8,
        };
        let [
            (first, first_fold, first_byte),
            (second, second_fold, second_byte),
        ] = self.pair.map(|(at, fold, byte)| {
            let splat = |byte: u8| _mm256_set1_epi8(byte as i8);
            (at, splat(fold), splat(byte))
        });
        let bytes = text.as_ptr();
        let both = |at: usize| {
            // SAFETY: 32 bytes from `at` + `first` or `second`, which the
            // loop below keeps in `text`.
            let [first_bytes, second_bytes] = [first, second].map(|place| unsafe {
                _mm256_loadu_si256(bytes.add(at + place).cast::<__m256i>())
            });
            let first = _mm256_cmpeq_epi8(_mm256_or_si256(first_bytes, first_fold), first_byte);
            let second = _mm256_cmpeq_epi8(_mm256_or_si256(second_bytes, second_fold), second_byte);
            u64::from(_mm256_movemask_epi8(_mm256_and_si256(first, second)) as u32)
        };
        while at + self.widest() + LANES <= text.len() {
            let found = both(at) | both(at + 32) << 32;
            if found != 0 {
                return (at, found);
            }
            at += LANES;
        }
        (at, 0)
    }

    /// How far into the needle the pair's second byte may be.
    fn widest(&self) -> usize {
        self.pair[0].0.max(self.pair[1].0)
    }
}

/// How often each byte occurs in this store's lines, case folded, as the
/// rank memchr's substring search (and [`AnyCase`]) uses to pick which
/// needle bytes to look for first. memchr's built-in ranking is for prose; in audit logs the letters
/// of the keys repeated on every line (`timestamp`, `session_metadata`) are
/// the common ones, and a phrase like `timed out` is found markedly faster
/// (1.4-1.7x in benches/query.rs) with ranks measured on the log itself.
struct ByteRanks([u8; 256]);

/// Lines read to estimate byte frequencies: enough for a stable estimate,
/// few enough to cost well under a millisecond.
const SAMPLE_LINES: usize = 2048;

impl ByteRanks {
    fn sample(store: &Store) -> ByteRanks {
        let step = (store.len() / SAMPLE_LINES).max(1);
        ByteRanks::from_lines((0..store.len()).step_by(step).map(|r| store.raw_line(r)))
    }

    fn from_lines<'a>(lines: impl Iterator<Item = &'a [u8]>) -> ByteRanks {
        let mut counts = [0u64; 256];
        for line in lines {
            for &b in line {
                counts[usize::from(b.to_ascii_lowercase())] += 1;
            }
        }
        let most = counts.iter().copied().max().unwrap_or(0).max(1);
        ByteRanks(counts.map(|n| (n * 255 / most) as u8))
    }
}

impl HeuristicFrequencyRank for &ByteRanks {
    fn rank(&self, byte: u8) -> u8 {
        self.0[usize::from(byte)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{Field, parse_filter};
    use crate::log::source::Source;
    use proptest::prelude::*;

    const LINES: &[&str] = &[
        r#"{"timestamp": "2025-07-06T10:00:00+00:00", "user_id": "usr_1", "tool_name": "get_order", "success": true, "conversation_id": "conv_a", "session_metadata": {"user_role": "agent", "client_ip": "10.0.0.1"}}"#,
        r#"{"timestamp": "2025-07-06T11:00:00+00:00", "user_id": "usr_2", "tool_name": "issue_refund", "success": false, "result_summary": {"error": "Refund EXCEEDS charge"}}"#,
        r#"{"timestamp": "2025-07-06T12:00:00+01:00", "user_id": "usr_1", "tool_name": "search_kb", "arguments": {"query": "Caf\u00e9 CRÈME"}}"#,
        r#"{"timestamp": "not a time", "user_id": "usr_3", "tool_name": "get_order", "success": true, "patient_id": "P-1", "purpose": "emergency"}"#,
        r#"INFO:tool_audit:{"timestamp": "2025-07-07T09:30:00Z", "tool_name": "get_customer", "success": false, "model": "gpt-4.1"}"#,
    ];

    fn store_of(lines: &[&str]) -> Store {
        let bytes = lines.join("\n").into_bytes();
        let (store, _) = crate::store::load(
            vec![Source::from_bytes("t.jsonl", bytes)],
            |_| {},
            &AtomicBool::new(false),
        )
        .unwrap();
        store
    }

    fn rows(query: &str) -> Vec<u32> {
        select(&store_of(LINES), &parse_filter(query).unwrap())
    }

    #[test]
    fn empty_filter_selects_everything() {
        assert_eq!(rows(""), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn field_terms_match_exact_values_with_alternatives_and_negation() {
        assert_eq!(rows("user:usr_1"), vec![0, 2]);
        assert_eq!(rows("tool:get_order|get_customer"), vec![0, 3, 4]);
        assert_eq!(rows("-tool:get_order"), vec![1, 2, 4]);
        assert_eq!(rows("tool:get_orde"), Vec::<u32>::new());
        assert_eq!(rows("-user:nobody"), vec![0, 1, 2, 3, 4]);
        assert_eq!(rows("role:agent ip:10.0.0.1"), vec![0]);
        assert_eq!(rows("patient:P-1 purpose:emergency"), vec![3]);
        assert_eq!(rows("model:gpt-4.1"), vec![4]);
    }

    #[test]
    fn field_terms_match_in_columns_of_every_id_width() {
        // 70,000 distinct users take four bytes a row, 300 tools two, and
        // the single role one.
        let lines: Vec<String> = (0..70_000)
            .map(|i| {
                format!(
                    r#"{{"user_id": "u{i}", "tool_name": "t{}", "session_metadata": {{"user_role": "r"}}}}"#,
                    i % 300
                )
            })
            .collect();
        let store = store_of(&lines.iter().map(String::as_str).collect::<Vec<_>>());
        let select = |query: &str| select(&store, &parse_filter(query).unwrap());
        assert_eq!(select("user:u69999|u3"), vec![3, 69_999]);
        assert_eq!(select("tool:t299").len(), 233);
        assert_eq!(select("tool:t299")[0], 299);
        assert_eq!(select("-role:r"), Vec::<u32>::new());
        assert_eq!(store.text(Field::User, 65_600), Some("u65600"));
        let width = |field| match store.column(field).ids.slice() {
            IdSlice::U8(_) => 1,
            IdSlice::U16(_) => 2,
            IdSlice::U32(_) => 4,
        };
        assert_eq!(
            [Field::User, Field::Tool, Field::Role].map(width),
            [4, 2, 1]
        );
    }

    #[test]
    fn missing_values_match_negated_field_terms() {
        // Row 4 has no user at all: it is not usr_1, so -user:usr_1 keeps it.
        assert_eq!(rows("-user:usr_1"), vec![1, 3, 4]);
    }

    #[test]
    fn outcome_terms_skip_entries_without_success() {
        assert_eq!(rows("failed"), vec![1, 4]);
        assert_eq!(rows("ok"), vec![0, 3]);
        assert_eq!(rows("-failed"), vec![0, 2, 3]);
    }

    #[test]
    fn time_terms_are_inclusive_instants_and_skip_unreadable_times() {
        assert_eq!(rows("since:2025-07-06T11:00"), vec![1, 2, 4]);
        // 12:00+01:00 is 11:00 UTC: included by an inclusive until.
        assert_eq!(rows("until:2025-07-06T11:00"), vec![0, 1, 2]);
        assert_eq!(rows("-since:2025-07-06T11:00"), vec![0, 3]);
        assert_eq!(rows("last:22h30m"), vec![1, 2, 4]);
        assert_eq!(rows("last:1s"), vec![4]);
    }

    #[test]
    fn free_text_is_a_case_insensitive_substring_of_the_raw_line() {
        assert_eq!(rows("exceeds"), vec![1]);
        assert_eq!(rows("\"REFUND exceeds\""), vec![1]);
        assert_eq!(rows("\"info:tool_audit\""), vec![4]);
        // The raw line holds the escape, not the decoded character.
        assert_eq!(rows("caf\\u00e9"), vec![2]);
        assert_eq!(rows("crème"), vec![2]);
        assert_eq!(rows("-exceeds"), vec![0, 2, 3, 4]);
    }

    #[test]
    fn one_search_over_many_lines_keeps_the_rows_a_search_per_line_keeps() {
        // Long lines and hits at every place of the 64 bytes looked at
        // together, lines that are not entries between rows (a hit there
        // is nobody's), two sources.
        let long = "x".repeat(64 * 1024 - 40);
        let lines: Vec<String> = (0..400)
            .map(|i| match i % 7 {
                0 => format!(r#"{{"note": "{long}Refund"}}"#),
                1 => "refund, not an entry".to_owned(),
                2 => format!(r#"{{"n": {i}, "s": "aaRefUNDrefund-{i}"}}"#),
                3 => format!(r#"{{"n": {i}, "s": "{}refu"}}"#, &long[..(i * 37) % 900]),
                _ => format!(r#"{{"n": {i}, "s": "nd {}"}}"#, "a".repeat(i)),
            })
            .collect();
        let text = |part: &[String]| (part.join("\n") + "\n").into_bytes();
        let sources = vec![
            Source::from_bytes("a.jsonl", text(&lines[..250])),
            Source::from_bytes("b.jsonl", text(&lines[250..])),
        ];
        let never = AtomicBool::new(false);
        let (store, _) = crate::store::load(sources, |_| {}, &never).unwrap();
        let ranks = ByteRanks::sample(&store);
        for query in [
            "refund",
            "REFUND-1",
            "4",
            "aaaa",
            "d",
            "nd aaaa",
            "u\"",
            "refund\nnd",
        ] {
            let needle = Needle::new(&query.to_lowercase(), &ranks);
            assert!(needle.spans(), "{query}");
            for negated in [false, true] {
                for rows in [0..store.len(), 3..200, 100..101, 40..40] {
                    let mut spanning = Vec::new();
                    needle.keep_spanning(&store, rows.clone(), negated, &mut spanning);
                    let per_line: Vec<u32> = rows
                        .map(|r| r as u32)
                        .filter(|&r| needle.found_in(store.raw_line(r as usize)) != negated)
                        .collect();
                    assert_eq!(spanning, per_line, "{query} {negated}");
                }
            }
        }
    }

    #[test]
    fn terms_are_anded_whatever_their_order() {
        assert_eq!(rows("order user:usr_3 ok"), vec![3]);
        assert_eq!(rows("ok user:usr_3 order"), vec![3]);
        assert_eq!(rows("failed -user:usr_2"), vec![4]);
    }

    #[test]
    fn needles_find_every_position_and_case() {
        let lines: [&[u8]; 2] = [b"ABCX abcx", b"\"timestamp\": \"2025\""];
        let ranks = ByteRanks::from_lines(lines.into_iter());
        assert_eq!(ranks.0[usize::from(b'"')], 255);
        let found = |needle: &str, line: &[u8]| Needle::new(needle, &ranks).found_in(line);
        assert!(found("abcx", b"ABCX"));
        assert!(found("abcx", b"xx abcX"));
        assert!(found("abcx", b"abcabcx"));
        assert!(!found("abcx", b"abc"));
        assert!(!found("abcx", b"xabc"));
        assert!(found("-0007", b"P-0007"));
        assert!(found("\"", b"a\"b"));
        assert!(found("é", "CAFÉ".as_bytes()));
        assert!(!found("é", b"CAF\\u00c9"));
    }

    #[test]
    fn cancelled_queries_return_none() {
        let store = store_of(LINES);
        let cancel = AtomicBool::new(true);
        let filter = parse_filter("ok").unwrap();
        assert_eq!(select_cancellable(&store, &filter, &cancel), None);
    }

    fn any_term() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec!["usr_1", "usr_2", "usr_3", "nobody"])
                .prop_map(|u| format!("user:{u}")),
            prop::sample::select(vec!["get_order", "search_kb", "get_customer"])
                .prop_map(|t| format!("tool:{t}|issue_refund")),
            Just("failed".to_string()),
            Just("ok".to_string()),
            (0u32..48).prop_map(|h| format!(
                "since:2025-07-06T00:00+00:00 until:2025-07-0{}",
                6 + h / 24
            )),
            (0u32..30).prop_map(|h| format!("last:{h}h")),
            prop::sample::select(vec!["order", "ERROR", "crème", "\"", "zz"])
                .prop_map(|t| format!("\"{}\"", t.replace('"', "\\\""))),
        ]
    }

    #[test]
    fn a_needle_wider_than_the_padded_last_step_is_found_at_every_place() {
        // The pair's second byte 70 bytes in: the last places are compared
        // one by one, not as a step over a padded copy.
        let needle: Vec<u8> = (0..72).map(|i| if i == 70 { b'z' } else { b'a' }).collect();
        let mut ranks = ByteRanks([128; 256]);
        ranks.0[usize::from(b'z')] = 0;
        ranks.0[usize::from(b'a')] = 1;
        let found = AnyCase::new(&needle, &ranks);
        assert!(found.widest() + LANES > 2 * LANES);
        for at in 0..150 {
            let mut text = vec![b'-'; at];
            text.extend(needle.to_ascii_uppercase());
            text.extend(b"--");
            assert_eq!(found.find(&text, 0), Some(at));
            let portable = found.find_by(&text, 0, |text, at| found.next_pairs(text, at));
            assert_eq!(portable, Some(at));
            assert_eq!(found.find(&text[..text.len() - 3], 0), None);
        }
    }

    proptest! {
        /// Bytes that fold to one another, or differ as cases do but do
        /// not fold (`@` and `` ` ``, bit 5; 0xD0 is `P` with the high
        /// bit), in texts long and short, every start tried, with this
        /// CPU's search and the portable one.
        #[test]
        fn any_case_finds_what_a_search_of_the_folded_text_finds(
            text in prop::collection::vec(prop::sample::select(b"pPrR@`_-\n\xd0".to_vec()), 0..200),
            needle in prop::collection::vec(prop::sample::select(b"pr_-@`".to_vec()), 1..5),
            rare in any::<u8>(),
        ) {
            prop_assume!(needle.iter().any(u8::is_ascii_alphabetic));
            let mut ranks = ByteRanks([128; 256]);
            ranks.0[usize::from(rare)] = 0;
            let found = AnyCase::new(&needle, &ranks);
            let folded = text.to_ascii_lowercase();
            for from in 0..=text.len() {
                let wanted = folded
                    .get(from..)
                    .and_then(|rest| rest.windows(needle.len()).position(|w| w == needle))
                    .map(|at| from + at);
                prop_assert_eq!(found.find(&text, from), wanted, "from {}", from);
                let portable = found.find_by(&text, from, |text, at| found.next_pairs(text, at));
                prop_assert_eq!(portable, wanted, "portably from {}", from);
            }
        }

        #[test]
        fn a_term_and_its_negation_partition_the_rows(term in any_term()) {
            let store = store_of(LINES);
            let filter = parse_filter(&term).unwrap();
            let mut negated = filter.clone();
            for t in &mut negated.terms {
                t.negated = !t.negated;
            }
            // For one term, negation is a partition; a two-term filter is
            // checked term by term (NOT of an AND is not one filter).
            for (one, not_one) in filter.terms.iter().zip(&negated.terms) {
                let yes = select(&store, &Filter { terms: vec![one.clone()] });
                let no = select(&store, &Filter { terms: vec![not_one.clone()] });
                let mut all: Vec<u32> = yes.iter().chain(&no).copied().collect();
                all.sort_unstable();
                prop_assert_eq!(all, (0..store.len() as u32).collect::<Vec<_>>());
            }
        }

        #[test]
        fn a_conjunction_is_the_intersection_of_its_terms(a in any_term(), b in any_term()) {
            let store = store_of(LINES);
            let both = select(&store, &parse_filter(&format!("{a} {b}")).unwrap());
            let left = select(&store, &parse_filter(&a).unwrap());
            let right = select(&store, &parse_filter(&b).unwrap());
            let expected: Vec<u32> = left.into_iter().filter(|r| right.contains(r)).collect();
            prop_assert_eq!(both, expected);
        }

        #[test]
        fn rows_from_a_point_on_are_the_tail_of_the_whole_selection(
            a in any_term(),
            b in any_term(),
            first in 0usize..7,
        ) {
            let store = store_of(LINES);
            let filter = parse_filter(&format!("{a} {b}")).unwrap();
            let tail: Vec<u32> = select(&store, &filter)
                .into_iter()
                .filter(|&r| r as usize >= first)
                .collect();
            let from = select_from(&store, &filter, first, &AtomicBool::new(false));
            prop_assert_eq!(from, Some(tail));
        }
    }
}
