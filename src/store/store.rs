//! The columnar store: one row per entry, built once while loading.
//!
//! About 35 bytes of heap per row: interned ids for the repeated strings
//! (a byte a row for most columns, see [`super::ids`]), numbers as
//! numbers, and the line's place in its source (see [`super::offsets`]) so
//! details (the full JSON, error text, original timestamp) are re-read
//! only when shown.

use crate::log::chain::LineMap;
use crate::log::entry::{Entry, Fields, Picks, Row, Text, parse_line};
use crate::log::pass::{IdsOf, Keep, Progress, ScanSink, ScannedEntry};
use crate::log::source::Source;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};

use super::ids::Ids;
use super::lazy::{self, Columns};
use super::offsets::Offsets;
use super::pooled::Pooled;
use super::query::RowFilter;
use crate::filter::{Field, Filter};

/// An interned string id; [`MISSING`] when the entry has no such field.
pub type Sym = u32;
pub const MISSING: Sym = 0;

/// Distinct strings of one column, each stored once.
///
/// The texts sit back to back in one buffer and the hash table holds only
/// ids, so a distinct value costs its bytes plus about 16: a million
/// entries hold a quarter of a million conversation ids, which as separate
/// boxed strings (twice, as key and as value) took 140 bytes each.
#[derive(Debug)]
pub struct Interner {
    /// foldhash: several times faster than SipHash on short ids, and
    /// randomly seeded, so crafted log values cannot force collisions.
    hasher: RandomState,
    table: HashTable<Sym>,
    /// Every value's text, in id order.
    text: String,
    /// Index = id: where that value's text ends (it starts where the
    /// previous one ends); slot 0 is the missing value, empty.
    ends: Vec<usize>,
    /// The id last interned in each of a few slots, chosen by a cheap
    /// fingerprint of the text: a value met again soon (a tool, a user
    /// of the conversations going on) is found by one comparison, not
    /// hashed and looked up (BENCHMARKS.md, "Issue 21").
    recent: [Sym; RECENT],
}

/// Slots of [`Interner::recent`], a power of two.
const RECENT: usize = 64;

/// The slot of `text` in [`Interner::recent`]: its last eight bytes (ids
/// differ at their end) and its length, mixed.
fn recent_slot(text: &str) -> usize {
    let bytes = text.as_bytes();
    let tail = match bytes.last_chunk::<8>() {
        Some(tail) => u64::from_le_bytes(*tail),
        None => bytes.iter().fold(0, |n, &b| n << 8 | u64::from(b)),
    };
    let mixed = (tail ^ bytes.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> (64 - RECENT.trailing_zeros())) as usize
}

/// The text of `id` in an interner's buffer.
fn text_of<'t>(text: &'t str, ends: &[usize], id: Sym) -> &'t str {
    let id = id as usize;
    &text[ends[id - 1]..ends[id]]
}

impl Interner {
    pub(super) fn new() -> Self {
        Interner {
            hasher: RandomState::default(),
            table: HashTable::new(),
            text: String::new(),
            ends: vec![0],
            recent: [MISSING; RECENT],
        }
    }

    pub fn intern(&mut self, text: Option<&str>) -> Sym {
        let Some(text) = text else { return MISSING };
        let slot = recent_slot(text);
        let recent = self.recent[slot];
        if recent != MISSING && text_of(&self.text, &self.ends, recent) == text {
            return recent;
        }
        let hash = self.hasher.hash_one(text);
        if let Some(id) = self.find(hash, text) {
            self.recent[slot] = id;
            return id;
        }
        let id = self.ends.len() as Sym;
        self.recent[slot] = id;
        self.text.push_str(text);
        self.ends.push(self.text.len());
        let (buffer, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        self.table
            .insert_unique(hash, id, |&id| hasher.hash_one(text_of(buffer, ends, id)));
        id
    }

    fn find(&self, hash: u64, text: &str) -> Option<Sym> {
        self.table
            .find(hash, |&id| text_of(&self.text, &self.ends, id) == text)
            .copied()
    }

    /// The id of an existing string, without adding it.
    pub fn lookup(&self, text: &str) -> Option<Sym> {
        self.find(self.hasher.hash_one(text), text)
    }

    /// The text of an id; `None` for [`MISSING`].
    pub fn get(&self, id: Sym) -> Option<&str> {
        (id != MISSING && (id as usize) < self.ends.len())
            .then(|| text_of(&self.text, &self.ends, id))
    }

    /// Every distinct value (for completion), without the missing slot.
    pub fn values(&self) -> impl Iterator<Item = (Sym, &str)> {
        (1..self.ends.len() as Sym).map(|id| (id, text_of(&self.text, &self.ends, id)))
    }

    /// Number of distinct values.
    pub fn len(&self) -> usize {
        self.ends.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Success as logged: true, false, or not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
    Unknown,
}

impl Outcome {
    /// The outcome of an entry that logged `success`.
    pub fn of(success: Option<bool>) -> Outcome {
        match success {
            Some(true) => Outcome::Ok,
            Some(false) => Outcome::Failed,
            None => Outcome::Unknown,
        }
    }
}

/// A timestamp that could not be read is kept as this, sorting first.
pub const NO_TIME: i64 = i64::MIN;

/// Which entry a row is, independent of where it is held. Keys compare in
/// file order, source by source and line by line (for a hash chain, the
/// order it was written in); `time` makes them comparable in time order too
/// (`crate::backend::Order`), so a database pages by `(time, source,
/// position)` or `(source, position)` with keyset queries.
#[derive(Debug, Clone, Copy)]
pub struct RowKey {
    /// Microseconds since the Unix epoch, UTC; [`NO_TIME`] if unreadable.
    pub time: i64,
    /// Index of the source (file) among those loaded, in the given order.
    pub source: u32,
    /// The entry's place in log order: increasing within a source. The
    /// in-memory store uses its row number, which orders the same way.
    pub position: u64,
}

/// Keys are equal when they name the same entry.
impl PartialEq for RowKey {
    fn eq(&self, other: &Self) -> bool {
        (self.source, self.position) == (other.source, other.position)
    }
}

impl Eq for RowKey {}

impl Ord for RowKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.source, self.position).cmp(&(other.source, other.position))
    }
}

impl PartialOrd for RowKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One interned column per [`Field`].
#[derive(Debug)]
pub struct Column {
    pub dict: Interner,
    pub ids: Ids,
}

/// Rows from `first` to the next run's first, all of `source`: its
/// entries from `index` on (its first entry is index 0).
#[derive(Debug, Clone, Copy)]
struct Run {
    first: usize,
    source: usize,
    index: usize,
}

impl Column {
    /// An empty column with room for `rows` ids.
    pub(super) fn with_rows(rows: usize) -> Column {
        let mut ids = Ids::default();
        ids.reserve_exact(rows);
        Column {
            dict: Interner::new(),
            ids,
        }
    }

    /// Add the next row's value. A value repeated from the row before is
    /// found in the interner's recent slots by one comparison: checking
    /// the last id first compared most texts twice (a repeat is a tenth
    /// of the tools, a thirtieth of the users; BENCHMARKS.md, "Issue 21").
    pub(super) fn push(&mut self, text: Option<&str>) {
        self.ids.push(self.dict.intern(text));
    }
}

/// Gives each built column ([`Store::push_built`]) its text as `text`
/// says, interned.
fn interning<'t>(
    text: impl Fn(Field) -> Option<&'t str>,
) -> impl FnMut(Field, Option<&mut Column>) {
    move |field, column| {
        if let Some(column) = column {
            column.push(text(field));
        }
    }
}

/// The text a column holds.
pub(super) fn text(field: Field) -> Text {
    match field {
        Field::User => Text::User,
        Field::Patient => Text::Patient,
        Field::Tool => Text::Tool,
        Field::Conversation => Text::Conversation,
        Field::Model => Text::Model,
        Field::Role => Text::Role,
        Field::Purpose => Text::Purpose,
        Field::Trigger => Text::Trigger,
        Field::Ip => Text::Ip,
    }
}

/// The text of `field` in an entry's fields.
pub(super) fn field_text<'f>(fields: &'f Fields<'_>, field: Field) -> Option<&'f str> {
    match field {
        Field::User => fields.user.as_deref(),
        Field::Patient => fields.patient.as_deref(),
        Field::Tool => fields.tool.as_deref(),
        Field::Conversation => fields.conversation.as_deref(),
        Field::Model => fields.model.as_deref(),
        Field::Role => fields.role.as_deref(),
        Field::Purpose => fields.purpose.as_deref(),
        Field::Trigger => fields.trigger.as_deref(),
        Field::Ip => fields.ip.as_deref(),
    }
}

/// Every entry of the loaded sources, column by column.
pub struct Store {
    pub sources: Vec<Source>,
    /// Index = [`Field`]; a column the load did not build is built on
    /// first use (see [`super::lazy`]).
    columns: Vec<OnceLock<Column>>,
    /// Microseconds since the Unix epoch, UTC; [`NO_TIME`] if unreadable.
    pub time: Vec<i64>,
    pub outcome: Vec<Outcome>,
    /// Milliseconds; NaN when missing.
    pub duration_ms: Vec<f64>,
    /// Turn number plus one, [`MISSING`] when missing or negative: a byte
    /// a row for the usual short conversations (see [`Store::turn`]).
    turns: Ids,
    /// Which source each row is of, as runs of rows from one source (a
    /// row's run is found by bisecting, with no column): one per source
    /// when loaded, and one more each time a followed file other than the
    /// one appended to last grows (ARCHITECTURE.md, "Following").
    runs: Vec<Run>,
    /// Per source, how many rows it has.
    counts: Vec<usize>,
    /// Whether some run is of a source before the previous run's: then
    /// row order is not file order (see [`Store::file_rank`]).
    interleaved: bool,
    /// Per source, where its entries are among its lines: a row's line
    /// number follows from its place in its source, with no column.
    pub lines: Vec<LineMap>,
    /// Where the row's line starts; it ends at the next newline (lines
    /// are re-read only to show or export one).
    offsets: Offsets,
    /// The largest of `time`, [`NO_TIME`] if none: kept as rows are
    /// pushed, so that `last:` costs no scan of every row.
    newest: i64,
    /// The filter every row matches, when the load kept only those
    /// entries (`super::load_matching`): selecting by it selects every row.
    /// Such a store knows no row's line number (`lines` is empty).
    pub(super) matching: Option<Filter>,
}

impl Store {
    pub fn new(sources: Vec<Source>) -> Store {
        Store::with_columns(sources, Columns::ALL)
    }

    /// A store that builds `columns` as rows are pushed, and the others
    /// when first asked for.
    pub fn with_columns(sources: Vec<Source>, columns: Columns) -> Store {
        Store {
            sources,
            columns: Field::ALL
                .iter()
                .map(|&field| {
                    let slot = OnceLock::new();
                    if columns.contains(field) {
                        let _ = slot.set(Column::with_rows(0));
                    }
                    slot
                })
                .collect(),
            time: Vec::new(),
            outcome: Vec::new(),
            duration_ms: Vec::new(),
            turns: Ids::default(),
            runs: Vec::new(),
            counts: Vec::new(),
            interleaved: false,
            lines: Vec::new(),
            offsets: Offsets::default(),
            newest: NO_TIME,
            matching: None,
        }
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn column(&self, field: Field) -> &Column {
        let slot = &self.columns[field as usize];
        if slot.get().is_none() {
            self.build_missing();
        }
        // Invariant: `build_missing` has built every column not built yet.
        slot.get().expect("every column is built")
    }

    /// Whether `field`'s column is built (a load's own, or asked for).
    #[cfg(test)]
    pub(super) fn built(&self, field: Field) -> bool {
        self.columns[field as usize].get().is_some()
    }

    /// Build every column the load did not, in one re-read of the lines.
    /// No lock is held meanwhile (the build runs on the thread pool, whose
    /// tasks could be waiting on one): two threads asking at once may
    /// both build, the same columns, and the first to finish sets them.
    #[cold]
    fn build_missing(&self) {
        let missing: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|&field| self.columns[field as usize].get().is_none())
            .collect();
        for (field, column) in missing.iter().zip(lazy::build(self, &missing)) {
            // Already set by a build that finished first: the same column.
            let _ = self.columns[*field as usize].set(column);
        }
    }

    /// The text of a field of a row, if present.
    pub fn text(&self, field: Field, row: usize) -> Option<&str> {
        let column = self.column(field);
        column.dict.get(column.ids.get(row))
    }

    /// The turn number of a row, if it has one.
    pub fn turn(&self, row: usize) -> Option<i32> {
        let turn = self.turns.get(row).checked_sub(1)?;
        i32::try_from(turn).ok()
    }

    /// The run holding a row (which must exist).
    fn run(&self, row: usize) -> &Run {
        &self.runs[self.runs.partition_point(|run| run.first <= row) - 1]
    }

    /// The index of a row's source (the row must exist).
    pub fn source(&self, row: usize) -> usize {
        self.run(row).source
    }

    /// A row's place in file order (source, then line), comparable with
    /// that of every other row of this store and with [`Store::key_rank`]:
    /// the row number itself while rows are in file order, so that sorting
    /// a loaded log costs no bisecting.
    pub fn file_rank(&self, row: u32) -> u64 {
        if self.interleaved {
            (self.source(row as usize) as u64) << 32 | u64::from(row)
        } else {
            u64::from(row)
        }
    }

    /// [`Store::file_rank`] of the row a key of this store names.
    pub fn key_rank(&self, key: RowKey) -> u64 {
        if self.interleaved {
            u64::from(key.source) << 32 | key.position
        } else {
            key.position
        }
    }

    /// The key of a row (which must exist).
    pub fn key(&self, row: usize) -> RowKey {
        RowKey {
            time: self.time[row],
            source: self.source(row) as u32,
            position: row as u64,
        }
    }

    /// The row a key names, if this store holds that entry.
    pub fn row_of(&self, key: RowKey) -> Option<usize> {
        let row = usize::try_from(key.position).ok()?;
        (row < self.len() && self.source(row) as u32 == key.source).then_some(row)
    }

    /// The raw bytes of a row's line.
    pub fn raw_line(&self, row: usize) -> &[u8] {
        let bytes = self.sources[self.source(row)].bytes();
        let rest = &bytes[self.offsets.get(row) as usize..];
        // The search stops at the entry's own newline.
        &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())]
    }

    /// Where a row's line starts in its source.
    pub(super) fn offset(&self, row: usize) -> usize {
        self.offsets.get(row) as usize
    }

    /// The rows from `row` (up to `end`) that are of its source, as the
    /// end of that range, and the text holding their lines: from the
    /// first one's start to the last one's end, with any lines between
    /// that are not entries. One search of it replaces one per line
    /// (free text: `store::query`).
    pub(super) fn text_of_rows(&self, row: usize, end: usize) -> (usize, &[u8]) {
        let run = self.runs.partition_point(|run| run.first <= row) - 1;
        let run_end = self.runs.get(run + 1).map_or(self.len(), |next| next.first);
        let end = run_end.min(end);
        let last = end - 1;
        let bytes = self.sources[self.runs[run].source].bytes();
        let stop = self.offset(last) + self.raw_line(last).len();
        (end, &bytes[self.offset(row)..stop])
    }

    /// Re-parse a row's line for its details. Rows were parsed successfully
    /// at load, so this only fails if the source changed underneath.
    pub fn entry(&self, row: usize) -> Option<Entry<'_>> {
        parse_line(self.raw_line(row)).ok()
    }

    /// The source file name and 1-based line of a row.
    pub fn location(&self, row: usize) -> (&str, usize) {
        let run = self.run(row);
        let line = self.lines[run.source].line(run.index + row - run.first);
        (&self.sources[run.source].name, line)
    }

    /// The row at a file and line, if that line is an entry.
    pub fn row_at(&self, file: &str, line: usize) -> Option<usize> {
        let source = self.sources.iter().position(|s| s.name == file)?;
        let index = self.lines.get(source)?.index(line)?;
        // The run of that source holding its entry `index`.
        let ends = self
            .runs
            .iter()
            .skip(1)
            .map(|r| r.first)
            .chain([self.len()]);
        self.runs
            .iter()
            .zip(ends)
            .find(|(run, end)| {
                run.source == source && (run.index..run.index + end - run.first).contains(&index)
            })
            .map(|(run, _)| run.first + index - run.index)
    }

    /// Make room for `additional` more rows in every column at once.
    fn reserve(&mut self, additional: usize) {
        for column in self.columns.iter_mut().filter_map(OnceLock::get_mut) {
            column.ids.reserve_exact(additional);
        }
        self.time.reserve_exact(additional);
        self.outcome.reserve_exact(additional);
        self.duration_ms.reserve_exact(additional);
        self.turns.reserve_exact(additional);
        self.offsets.reserve_exact(additional);
    }

    /// Add one entry (in source and line order); `time` is [`Fields::time`].
    pub fn push(&mut self, source: usize, offset: usize, fields: &Fields<'_>, time: Option<i64>) {
        let built = Field::ALL
            .into_iter()
            .zip(&self.columns)
            .filter(|(_, slot)| slot.get().is_some())
            .fold(Columns::NONE, |built, (field, _)| built.with(field));
        let text = |field| field_text(fields, field);
        self.push_built(built, source, offset, &fields.row(), time, interning(text));
    }

    /// [`Store::push`] where `built` is the set of columns built: a load
    /// knows it (the columns it named; none is built lazily meanwhile,
    /// the store being the loader's alone), sparing each row a look at
    /// every column's slot. `push` gives each of those columns its value,
    /// in field order (a text interned: [`interning`], or an id found on
    /// the pool); a column not built yet is `None`.
    fn push_built(
        &mut self,
        built: Columns,
        source: usize,
        offset: usize,
        row: &Row<'_>,
        time: Option<i64>,
        mut push: impl FnMut(Field, Option<&mut Column>),
    ) {
        let first = self.len();
        // A column not built yet gets this row when it is: it is built
        // from every row's line.
        for field in built.fields() {
            push(field, self.columns[field as usize].get_mut());
        }
        let time = time.unwrap_or(NO_TIME);
        self.newest = self.newest.max(time);
        self.time.push(time);
        self.outcome.push(Outcome::of(row.success));
        self.duration_ms.push(row.duration_ms.unwrap_or(f64::NAN));
        let turn = row.turn.and_then(|t| i32::try_from(t).ok());
        self.turns.push(match turn {
            Some(turn) if turn >= 0 => turn as Sym + 1,
            _ => MISSING,
        });
        // A scan goes file by file; a follower appends to any file.
        let previous = self.runs.last().map(|run| run.source);
        if previous != Some(source) {
            if self.counts.len() <= source {
                self.counts.resize(source + 1, 0);
            }
            self.interleaved |= previous.is_some_and(|p| p > source);
            self.runs.push(Run {
                first,
                source,
                index: self.counts[source],
            });
        }
        self.counts[source] += 1;
        self.offsets.push(offset as u64);
    }

    /// Append a line read from `source` as it grew (follow mode): its
    /// bytes and newline go to the source and, for an entry, a row to the
    /// columns. False, with nothing changed, when that source cannot grow
    /// (it is mapped, or there is no such source); the caller then loads
    /// everything again.
    pub fn append_line(&mut self, source: usize, line: &[u8], fields: Option<&Fields<'_>>) -> bool {
        if source >= self.sources.len() {
            return false;
        }
        let offset = self.sources[source].bytes().len();
        if !self.sources[source].append(line) {
            return false;
        }
        self.sources[source].append(b"\n");
        if let Some(fields) = fields {
            // The appended rows were not tested.
            self.matching = None;
            self.push(source, offset, fields, fields.time());
        }
        true
    }

    /// Add an empty source after the others, for a followed file that
    /// replaced another (rotation): lines appended from then on go to it,
    /// and the rotated-away file's rows stay. Its index.
    pub fn add_source(&mut self, source: Source) -> usize {
        self.sources.push(source);
        self.lines.push(LineMap::default());
        self.sources.len() - 1
    }

    /// The newest timestamp, for `last:1h`.
    pub fn newest_time(&self) -> Option<i64> {
        (self.newest != NO_TIME).then_some(self.newest)
    }
}

/// Builds a [`Store`] during a scan, reporting progress to a callback.
pub struct StoreBuilder<'p> {
    pub store: Store,
    on_progress: Box<dyn FnMut(Progress) + 'p>,
    /// Columns are sized once from the first batch, so they do not double
    /// their way up (briefly holding old and new copies) on large logs.
    sized: bool,
    /// The columns interned while loading.
    columns: Columns,
    /// What the reader picks: the columns' texts and numbers, and those a
    /// test on the pool reads besides ([`StoreBuilder::keeping`]).
    picks: Picks,
    /// The entries pushed, when not all (tested on the pool).
    keeps: Option<Arc<dyn Keep>>,
    /// The columns' dictionaries, when interned on the pool
    /// ([`StoreBuilder::interning_on_pool`]).
    pooled: Option<Arc<Pooled>>,
}

impl<'p> StoreBuilder<'p> {
    /// A builder of a store that interns `columns` while loading.
    pub fn new(columns: Columns, on_progress: impl FnMut(Progress) + 'p) -> Self {
        StoreBuilder {
            store: Store::with_columns(Vec::new(), columns),
            on_progress: Box::new(on_progress),
            sized: false,
            columns,
            picks: columns.picks(),
            keeps: None,
            pooled: None,
        }
    }

    /// This builder, its columns interned on the pool (`store::pooled`):
    /// their ids then follow the order in which the pool met the texts,
    /// not the rows' order. With no column to intern (a count,
    /// `histogram`) the pool is asked for no ids at all.
    pub fn interning_on_pool(mut self) -> Self {
        let any = self.columns.fields().next().is_some();
        self.pooled = any.then(|| Arc::new(Pooled::new(self.columns.fields())));
        self
    }

    /// The store built, its columns given the dictionaries of the pool.
    pub fn into_store(self) -> Store {
        let mut store = self.store;
        let pooled = self
            .pooled
            .map(|pooled| Arc::into_inner(pooled).expect("the pass let go of the dictionaries"));
        for (field, dict) in pooled.into_iter().flat_map(Pooled::into_dicts) {
            if let Some(column) = store.columns[field as usize].get_mut() {
                column.dict = dict;
            }
        }
        store
    }

    /// This builder, pushing only the entries `filter` matches, tested on
    /// what `tested` picks besides the columns: its rows match, so the
    /// columns it compares need not be interned in order (a count's tool
    /// was a third of its in-order work: BENCHMARKS.md, "Issue 21").
    pub fn keeping(mut self, filter: RowFilter, tested: Columns) -> Self {
        self.picks = self.picks.and(tested.picks());
        self.keeps = Some(Arc::new(filter));
        self
    }
}

impl ScanSink for StoreBuilder<'_> {
    fn entry(&mut self, e: ScannedEntry<'_, '_>) {
        let store = &mut self.store;
        if e.ids.is_empty() {
            let text = interning(|field| e.texts.get(text(field)));
            store.push_built(self.columns, e.source, e.offset, &e.row, e.time, text);
            return;
        }
        let mut ids = e.ids.iter();
        store.push_built(
            self.columns,
            e.source,
            e.offset,
            &e.row,
            e.time,
            |_, column| {
                let id = ids.next().copied().unwrap_or(MISSING);
                if let Some(column) = column {
                    column.ids.push(id);
                }
            },
        );
    }

    fn picks(&self) -> Picks {
        self.picks
    }

    fn keeps(&self) -> Option<Arc<dyn Keep>> {
        self.keeps.clone()
    }

    fn ids(&self) -> Option<(Arc<IdsOf>, usize)> {
        let pooled = self.pooled.clone()?;
        let count = pooled.count();
        let ids_of: Arc<IdsOf> = Arc::new(move |texts, ids| pooled.ids(texts, ids));
        Some((ids_of, count))
    }

    fn progress(&mut self, progress: Progress) {
        if !self.sized && progress.bytes_done > 0 {
            self.sized = true;
            // Rows the whole input holds at the first batch's density, plus 5%.
            let estimate = progress.entries as f64 * progress.bytes_total as f64
                / progress.bytes_done as f64
                * 1.05;
            let rows = self.store.len();
            self.store.reserve((estimate as usize).saturating_sub(rows));
        }
        (self.on_progress)(progress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_know_their_source_line_and_turn_without_a_column_for_either() {
        let bytes = |text: &str| text.as_bytes().to_vec();
        let sources = vec![
            Source::from_bytes("a", bytes("{}\n{}\n")),
            Source::from_bytes("b", Vec::new()),
            Source::from_bytes("c", bytes("{\"x\":1}\n")),
            Source::from_bytes("d", Vec::new()),
        ];
        let mut store = Store::new(sources);
        store.lines = vec![LineMap::default(); 4];
        let turn = |turn| Fields {
            turn,
            ..Fields::default()
        };
        store.push(0, 0, &turn(Some(3)), None);
        store.push(0, 3, &turn(None), None);
        store.push(2, 0, &turn(Some(-2)), None);
        let sources: Vec<usize> = (0..3).map(|row| store.source(row)).collect();
        assert_eq!(sources, [0, 0, 2]);
        assert_eq!((store.location(1), store.location(2)), (("a", 2), ("c", 1)));
        assert_eq!(store.raw_line(2), b"{\"x\":1}");
        let at = |file, line| store.row_at(file, line);
        assert_eq!((at("a", 2), at("a", 3), at("b", 1)), (Some(1), None, None));
        assert_eq!((at("c", 1), at("d", 1), at("e", 1)), (Some(2), None, None));
        let turns: Vec<Option<i32>> = (0..3).map(|row| store.turn(row)).collect();
        assert_eq!(turns, [Some(3), None, None]);
        let key = store.key(2);
        assert_eq!((key.source, store.row_of(key)), (2, Some(2)));
        assert_eq!(store.row_of(RowKey { source: 0, ..key }), None);
    }

    /// Every column's ids and dictionary, in field order.
    fn columns_of(store: &Store) -> Vec<(Vec<Sym>, Vec<String>)> {
        Field::ALL
            .iter()
            .map(|&field| {
                let column = store.column(field);
                let values = column.dict.values().map(|(_, v)| v.to_owned()).collect();
                (column.ids.iter().collect(), values)
            })
            .collect()
    }

    #[test]
    fn columns_built_on_first_use_are_those_a_load_builds_and_grow_with_appends() {
        let text: String = (0..300)
            .map(|i| {
                let conversation = format!("c{}", i % 97);
                let line = serde_json::json!({
                    "timestamp": "2025-07-06T10:00:00+00:00",
                    "user_id": format!("usr_{}", i % 7),
                    "tool_name": if i % 3 == 0 { "get\"\u{e9}" } else { "get_order" },
                    "conversation_id": conversation,
                    "patient_id": i,
                    "model": "m",
                });
                format!("{line}\n{}", if i % 50 == 0 { "not json\n" } else { "" })
            })
            .collect();
        let load = |columns| {
            let sources = vec![Source::from_bytes("a.jsonl", text.clone().into_bytes())];
            let never = std::sync::atomic::AtomicBool::new(false);
            let loaded = crate::store::load_keeping(sources, false, columns, |_| {}, &never);
            loaded.expect("not cancelled").0
        };
        let mut eager = load(Columns::ALL);
        let mut lazy = load(Columns::NONE.with(Field::Tool));
        // Asked for by two threads at once: both see the same columns.
        let (first, second) = std::thread::scope(|scope| {
            let other = scope.spawn(|| columns_of(&lazy));
            (columns_of(&lazy), other.join().expect("no panic"))
        });
        assert_eq!(
            (&first, &second),
            (&columns_of(&eager), &columns_of(&eager))
        );
        // Rows appended to built columns, or before the columns are built
        // (then read from the appended line), are the same rows.
        let mut appended_early = load(Columns::NONE);
        let line = br#"{"user_id": "usr_new", "conversation_id": "c3"}"#;
        let fields = Fields {
            user: Some("usr_new".into()),
            conversation: Some("c3".into()),
            ..Fields::default()
        };
        for store in [&mut eager, &mut lazy, &mut appended_early] {
            assert!(store.append_line(0, line, Some(&fields)));
        }
        assert_eq!(columns_of(&lazy), columns_of(&eager));
        assert_eq!(columns_of(&appended_early), columns_of(&eager));
        assert_eq!(eager.text(Field::User, 300), Some("usr_new"));
    }

    #[test]
    fn rows_appended_to_any_source_keep_their_source_line_and_file_order() {
        let sources = ["a", "b", "c"].map(|name| Source::from_bytes(name, Vec::new()));
        let mut store = Store::new(sources.into());
        store.lines = vec![LineMap::default(); 3];
        // As a follower appends: b, b, a, c, a, b.
        let pushed = [1, 1, 0, 2, 0, 1];
        for (offset, &source) in pushed.iter().enumerate() {
            store.push(source, offset, &Fields::default(), None);
        }
        let located: Vec<(&str, usize)> = (0..6).map(|row| store.location(row)).collect();
        let expected = [("b", 1), ("b", 2), ("a", 1), ("c", 1), ("a", 2), ("b", 3)];
        assert_eq!(located, expected);
        let at: Vec<Option<usize>> = expected.iter().map(|&(f, l)| store.row_at(f, l)).collect();
        assert_eq!(at, (0..6).map(Some).collect::<Vec<_>>());
        assert_eq!((store.row_at("a", 3), store.row_at("c", 2)), (None, None));
        // File order: a's rows, then b's, then c's, each in line order.
        let mut rows: Vec<u32> = (0..6).collect();
        rows.sort_by_key(|&row| store.file_rank(row));
        assert_eq!(rows, [2, 4, 0, 1, 5, 3]);
        for row in 0..6 {
            let key = store.key(row as usize);
            assert_eq!(store.key_rank(key), store.file_rank(row));
            assert_eq!(store.row_of(key), Some(row as usize));
        }
    }

    #[test]
    fn interning_keeps_one_copy_and_zero_for_missing() {
        let mut dict = Interner::new();
        let a = dict.intern(Some("usr_1"));
        assert_eq!(dict.intern(Some("usr_1")), a);
        assert_eq!(dict.intern(None), MISSING);
        assert_eq!(
            (dict.get(a), dict.get(MISSING), dict.len()),
            (Some("usr_1"), None, 1)
        );
        // Many values: the table grows, rehashing from the shared buffer.
        let ids: Vec<Sym> = (0..10_000)
            .map(|i| dict.intern(Some(&format!("conv_{i:08x}"))))
            .collect();
        for (i, &id) in ids.iter().enumerate() {
            let text = format!("conv_{i:08x}");
            assert_eq!(dict.get(id), Some(text.as_str()));
            assert_eq!(dict.lookup(&text), Some(id));
            assert_eq!(dict.intern(Some(&text)), id);
        }
        assert_eq!(dict.lookup("conv_absent"), None);
        assert_eq!(dict.get(ids[ids.len() - 1] + 1), None);
        assert_eq!(dict.values().count(), 10_001);
        assert_eq!(dict.intern(Some("")), dict.intern(Some("")));
        assert_ne!(dict.intern(Some("")), MISSING);
    }

    #[test]
    fn values_met_again_get_their_ids_whichever_share_a_recent_slot() {
        // Far more values than slots, met again near and far, short and
        // long, so that slots are shared and overwritten: each value keeps
        // the id it got first, in order of first appearance.
        let mut dict = Interner::new();
        let mut first: std::collections::HashMap<String, usize> = Default::default();
        let mut seed = 11_u64;
        for _ in 0..50_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = (seed >> 33) % 700;
            let text = match n % 3 {
                0 => format!("u{n}"),
                1 => format!("usr_{n:05}"),
                _ => format!("a longer value, number {n}"),
            };
            let id = dict.intern(Some(&text));
            let next = first.len() + 1;
            let expected = *first.entry(text.clone()).or_insert(next);
            assert_eq!(id as usize, expected, "{text}");
            assert_eq!(dict.get(id), Some(text.as_str()));
        }
    }
}
