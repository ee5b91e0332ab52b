//! The [`Backend`] over the in-memory columnar store: a selection is the
//! vector of matching row ids, and every question is a `views` function
//! over it. Keys are row numbers, so finding an entry costs nothing.
//!
//! A followed log grows by appending rows (`MemoryBackend::appended`): the
//! store is shared behind a lock by the backends before and after, each
//! with its own verdict, and a selection lists only the rows that existed
//! when it was made. The next selection with the same filter extends it
//! and its views by the appended rows (`Backend::reselect`).

use super::memory_views::Views;
use super::{
    ActivityData, Backend, Detail, EntryRow, Listed, Order, Page, PageAt, Result, RowKey, Selection,
};
use crate::filter::{Field, Filter};
use crate::log::chain::Verification;
use crate::log::pass::Progress;
use crate::log::source::Source;
use crate::store::query::{grows_with_store, select_from, window_start};
use crate::store::{Grown, Store, load};
use crate::views::Moment;
use crate::views::alerts::Alerts;
use crate::views::failures::Failures;
use crate::views::histogram::{Histogram, TooManyBuckets, Width, histogram};
use crate::views::report::{AccessReport, access_report};
use crate::views::retention::{Policies, RetentionEntry, retention};
use crate::views::stats::ToolStats;
use crate::views::timeline::{TimelineEntry, attribution, timeline};
use rayon::slice::ParallelSliceMut;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

/// The store, shared by the backend, its successors while following, and
/// their selections.
type Shared = Arc<RwLock<Store>>;

fn read(store: &Shared) -> RwLockReadGuard<'_, Store> {
    // Appending panicked halfway at worst: the rows before are whole.
    store.read().unwrap_or_else(PoisonError::into_inner)
}

/// Logs loaded into memory.
#[derive(Clone)]
pub struct MemoryBackend {
    store: Shared,
    verification: Arc<Verification>,
}

impl MemoryBackend {
    /// The verdict may be shared already (the browser shows it while the
    /// store is built).
    pub fn new(store: Store, verification: impl Into<Arc<Verification>>) -> MemoryBackend {
        MemoryBackend {
            store: Arc::new(RwLock::new(store)),
            verification: verification.into(),
        }
    }

    /// This backend after `append` added rows to the store, with the
    /// verdict `append` returns. Selections of this backend keep listing
    /// the rows they had.
    pub fn appended<T>(
        &self,
        append: impl FnOnce(&mut Store) -> (Verification, T),
    ) -> (MemoryBackend, T) {
        let mut store = self.store.write().unwrap_or_else(PoisonError::into_inner);
        let (verification, result) = append(&mut store);
        drop(store);
        let next = MemoryBackend {
            store: Arc::clone(&self.store),
            verification: Arc::new(verification),
        };
        (next, result)
    }

    /// Read the store (a follower appends under the same lock).
    pub fn store(&self) -> RwLockReadGuard<'_, Store> {
        read(&self.store)
    }

    /// Verify `sources` and load them in one pass; `None` if cancelled.
    pub fn load(
        sources: Vec<Source>,
        on_progress: impl FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Option<MemoryBackend> {
        let (store, verification) = load(sources, on_progress, cancel)?;
        Some(MemoryBackend::new(store, verification))
    }
}

/// The columns of a row, owned.
fn entry_row(store: &Store, row: usize) -> EntryRow {
    let text = |field| store.text(field, row).map(str::to_owned);
    let (file, line) = store.location(row);
    let duration = store.duration_ms[row];
    EntryRow {
        key: store.key(row),
        user: text(Field::User),
        tool: text(Field::Tool),
        outcome: store.outcome[row],
        duration_ms: (!duration.is_nan()).then_some(duration),
        conversation: text(Field::Conversation),
        patient: text(Field::Patient),
        turn: store.turn(row),
        role: text(Field::Role),
        purpose: text(Field::Purpose),
        model: text(Field::Model),
        trigger: text(Field::Trigger),
        ip: text(Field::Ip),
        file: file.to_owned(),
        line,
    }
}

impl Backend for MemoryBackend {
    fn verification(&self) -> &Verification {
        &self.verification
    }

    fn entry_count(&self) -> usize {
        self.store().len()
    }

    fn source_names(&self) -> Vec<String> {
        self.store()
            .sources
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    fn source_identities(&self) -> Vec<Option<(u64, u64)>> {
        self.store().sources.iter().map(|s| s.identity).collect()
    }

    fn select(
        &self,
        filter: &Filter,
        order: Order,
        cancel: &AtomicBool,
    ) -> Result<Option<Arc<dyn Selection>>> {
        Ok(self
            .selection(None, filter, order, cancel)
            .map(|s| Arc::new(s) as Arc<dyn Selection>))
    }

    fn reselect(
        &self,
        previous: &dyn Selection,
        filter: &Filter,
        order: Order,
        cancel: &AtomicBool,
    ) -> Result<Option<Arc<dyn Selection>>> {
        let previous = (previous as &dyn std::any::Any)
            .downcast_ref::<MemorySelection>()
            .filter(|p| {
                // A rotation renames a source its views may name: they
                // are computed again.
                Arc::ptr_eq(&p.store, &self.store)
                    && p.sources == self.store().sources.len()
                    && (&p.filter, p.order) == (filter, order)
                    && (grows_with_store(filter) || window_start(&self.store(), filter).is_some())
            });
        Ok(self
            .selection(previous, filter, order, cancel)
            .map(|s| Arc::new(s) as Arc<dyn Selection>))
    }

    fn detail(&self, key: RowKey) -> Result<Option<Detail>> {
        let store = &self.store();
        Ok(store.row_of(key).map(|row| Detail {
            row: entry_row(store, row),
            raw: store.raw_line(row).to_vec(),
            attribution: attribution(store, row),
        }))
    }

    fn retention_of(
        &self,
        key: RowKey,
        policies: &Policies,
        now: i64,
        due: i64,
    ) -> Result<Option<RetentionEntry>> {
        let store = &self.store();
        Ok(store
            .row_of(key)
            .and_then(|row| retention(store, &[row as u32], policies, now, due).pop()))
    }

    fn nearest(&self, file: &str, line: usize) -> Result<Option<RowKey>> {
        let store = &self.store();
        let row = store.row_at(file, line).or_else(|| {
            (0..store.len())
                .filter(|&row| store.location(row).0 == file)
                .min_by_key(|&row| store.location(row).1.abs_diff(line))
        });
        Ok(row.map(|row| store.key(row)))
    }

    fn values(&self, field: Field, cancel: &AtomicBool) -> Result<Vec<String>> {
        let mut values = Vec::new();
        for (_, value) in self.store().column(field).dict.values() {
            // Checked now and then: a million conversation ids take a while.
            if values.len() % 4096 == 0 && cancel.load(Ordering::Relaxed) {
                break;
            }
            values.push(value.to_owned());
        }
        Ok(values)
    }
}

impl MemoryBackend {
    /// The rows matching `filter`: those of `previous` (a selection of this
    /// store with the same filter, made before rows were appended) but
    /// those that left its `last:` window, and the matching rows after
    /// them; or all matching rows. `None` if cancelled.
    fn selection(
        &self,
        previous: Option<&MemorySelection>,
        filter: &Filter,
        order: Order,
        cancel: &AtomicBool,
    ) -> Option<MemorySelection> {
        let store = &self.store();
        let shrunk = previous.and_then(|p| Some((p, left_window(store, p, filter)?)));
        let added = select_from(
            store,
            filter,
            shrunk.as_ref().map_or(0, |(p, _)| p.end),
            cancel,
        )?;
        let (rows, sorted, views) = match shrunk {
            None => {
                let sorted = sorted(store, order, &added).map(Grown::from);
                (Grown::from(added), sorted, Views::default())
            }
            Some((previous, left)) => {
                // The rows and views shared with `previous`, without the
                // rows that left and grown by what was appended
                // (ARCHITECTURE.md, "Following").
                let mut kept = previous.rows.clone();
                kept.drop_front(left.len());
                let mut kept_sorted = previous.sorted.clone();
                if let Some(sorted) = &mut kept_sorted {
                    sorted.drop_front(left.len());
                }
                let sorted = sorted_extended(store, order, &kept, kept_sorted, &added);
                let mut rows = kept;
                rows.extend_from_slice(&added);
                // Rows leave only a time-ordered selection's window: the
                // listing is its time order then.
                let listed = sorted.as_ref().unwrap_or(&rows);
                let views = previous
                    .views()
                    .extended(store, &rows, listed, &left, &added);
                (rows, sorted, views)
            }
        };
        Some(MemorySelection {
            store: Arc::clone(&self.store),
            verification: Arc::clone(&self.verification),
            filter: filter.clone(),
            end: store.len(),
            sources: store.sources.len(),
            rows,
            order,
            sorted,
            views: Mutex::new(views),
        })
    }
}

/// Where a row goes in `order`: by time (ties by file, then line), or by
/// file, then line. Rows appended to several followed files are not in
/// file order (ARCHITECTURE.md, "Following").
fn order_key(store: &Store, order: Order) -> impl Fn(&u32) -> (i64, u64) + '_ {
    move |&row: &u32| {
        let time = match order {
            Order::Time => store.time[row as usize],
            Order::File => 0,
        };
        (time, store.file_rank(row))
    }
}

/// `rows` (in store order) sorted in `order`; `None` when they already
/// are.
fn sorted(store: &Store, order: Order, rows: &[u32]) -> Option<Vec<u32>> {
    let key = order_key(store, order);
    if rows.is_sorted_by_key(&key) {
        return None;
    }
    let mut sorted = rows.to_vec();
    // Stable: it finds each source's ascending run and merges them.
    sorted.par_sort_by_key(key);
    Some(sorted)
}

/// The rows of `previous` that left its `last:` window in `store` (the
/// window's start moved with the newest entry), in row order: the first
/// ones it lists in time order. `None` when they are not its first rows
/// in row order too (a log out of time order), or when it is listed in
/// file order: then it is not extended but selected again.
fn left_window(store: &Store, previous: &MemorySelection, filter: &Filter) -> Option<Vec<u32>> {
    let Some(start) = window_start(store, filter) else {
        return Some(Vec::new());
    };
    if previous.order != Order::Time {
        return None;
    }
    let listed = previous.listed();
    let count = listed.partition_point(|&row| store.time[row as usize] < start);
    let mut left: Vec<u32> = listed.iter().take(count).copied().collect();
    left.sort_unstable();
    previous.rows.iter().take(count).eq(&left).then_some(left)
}

/// [`left_window`] of `previous`, a selection of `store` by this backend.
#[cfg(test)]
pub(super) fn left_window_of(
    store: &Store,
    previous: &dyn Selection,
    filter: &Filter,
) -> Option<Vec<u32>> {
    let previous = (previous as &dyn std::any::Any).downcast_ref::<MemorySelection>()?;
    left_window(store, previous, filter)
}

/// The order of `rows` and `added` (rows appended after them, in store
/// order), as [`sorted`] of all of them: `sorted`, the order of `rows` if
/// it differs from theirs, shared, with `added` merged in. They usually
/// go at the end: a live log's are its newest, and the last file's.
fn sorted_extended(
    store: &Store,
    order: Order,
    rows: &Grown<u32>,
    sorted: Option<Grown<u32>>,
    added: &[u32],
) -> Option<Grown<u32>> {
    let key = order_key(store, order);
    let mut sorted = match sorted {
        Some(sorted) => sorted,
        None if rows.last().into_iter().chain(added).is_sorted_by_key(&key) => return None,
        None => rows.clone(),
    };
    let mut added = added.to_vec();
    added.par_sort_by_key(&key);
    sorted.merge(added, key);
    Some(sorted)
}

/// The matching row ids, in store (file) order, and in the order shown.
struct MemorySelection {
    store: Shared,
    verification: Arc<Verification>,
    filter: Filter,
    /// The store's rows when selected: those after are not looked at.
    end: usize,
    /// The store's sources when selected.
    sources: usize,
    /// In store order: what the views read (their sums and ties follow it).
    /// Shared with the selection this one extends, if any.
    rows: Grown<u32>,
    order: Order,
    /// `rows` in `order`, when that differs from store order.
    sorted: Option<Grown<u32>>,
    /// The views asked for so far, for the next selection to extend.
    views: Mutex<Views>,
}

impl MemorySelection {
    fn store(&self) -> RwLockReadGuard<'_, Store> {
        read(&self.store)
    }

    /// Taken after the store's lock, never before: a follower waiting to
    /// append would otherwise deadlock with a reader of both.
    fn views(&self) -> MutexGuard<'_, Views> {
        // A view that panicked halfway is not kept: the others are whole.
        self.views.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The rows in the order they are listed.
    fn listed(&self) -> &Grown<u32> {
        self.sorted.as_ref().unwrap_or(&self.rows)
    }

    /// The index in the listing of the selection's first row at or after
    /// `key` (a key's position is its row number).
    fn index_of(&self, key: RowKey) -> std::result::Result<usize, usize> {
        let row = u32::try_from(key.position).unwrap_or(u32::MAX);
        let store = self.store();
        let time = match self.order {
            Order::Time => key.time,
            Order::File => 0,
        };
        let sought = (time, store.key_rank(key));
        let key_of = order_key(&store, self.order);
        let index = self.listed().partition_point(|r| key_of(r) < sought);
        match self.listed().get(index) {
            Some(&found) if found == row => Ok(index),
            _ => Err(index),
        }
    }

    fn page_of(&self, start: usize, end: usize) -> Page {
        let store = self.store();
        let listed = self.listed();
        let (start, end) = (start.min(listed.len()), end.min(listed.len()));
        Page {
            start,
            rows: listed
                .iter_from(start)
                .take(end.saturating_sub(start))
                .map(|&row| entry_row(&store, row as usize))
                .collect(),
        }
    }
}

impl Listed for MemorySelection {
    fn count(&self) -> usize {
        self.rows.len()
    }

    fn for_each(
        &self,
        visit: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>> {
        let store = self.store();
        for &row in self.listed() {
            let row = row as usize;
            if let Err(e) = visit(&entry_row(&store, row), store.raw_line(row)) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }
}

impl Selection for MemorySelection {
    fn page(&self, at: PageAt, len: usize) -> Result<Page> {
        let count = self.rows.len();
        let start = match at {
            PageAt::First => 0,
            PageAt::Last => count.saturating_sub(len),
            PageAt::Index(index) => index,
            PageAt::After(key) => match self.index_of(key) {
                Ok(index) => index + 1,
                Err(index) => index,
            },
            PageAt::Before(key) => {
                let end = self.index_of(key).unwrap_or_else(|index| index);
                return Ok(self.page_of(end.saturating_sub(len), end));
            }
        };
        Ok(self.page_of(start, start.saturating_add(len)))
    }

    fn locate(&self, key: RowKey) -> Result<std::result::Result<usize, usize>> {
        Ok(self.index_of(key))
    }

    fn span(&self) -> Result<(Option<(i64, i64)>, usize)> {
        let store = self.store();
        Ok(self.views().span(&store, &self.rows))
    }

    fn tool_stats(&self) -> Result<Vec<ToolStats>> {
        let store = self.store();
        Ok(self.views().tool_stats(&store, &self.rows))
    }

    fn failures(&self) -> Result<Failures> {
        let store = self.store();
        Ok(self.views().failures(&store, &self.rows))
    }

    fn histogram(&self, width: Width) -> Result<std::result::Result<Histogram, TooManyBuckets>> {
        Ok(histogram(&self.store(), &self.rows, width))
    }

    fn activity(
        &self,
        width: Width,
        groups: usize,
    ) -> Result<std::result::Result<ActivityData, TooManyBuckets>> {
        let store = self.store();
        Ok(self.views().activity(&store, &self.rows, width, groups))
    }

    fn alerts(&self, threshold: usize, window_micros: i64) -> Result<Alerts> {
        let store = self.store();
        Ok(self
            .views()
            .alerts(&store, &self.rows, threshold, window_micros))
    }

    fn retention(&self, policies: &Policies, now: i64, due: i64) -> Result<Vec<RetentionEntry>> {
        let store = self.store();
        // Listed in file order, which row order is unless several followed
        // files grew (then the sort moves few rows).
        let mut rows: Vec<u32> = self.rows.iter().copied().collect();
        rows.sort_by_key(|&row| store.file_rank(row));
        Ok(retention(&store, &rows, policies, now, due))
    }

    fn timeline(&self, conversation: &str) -> Result<Vec<TimelineEntry>> {
        Ok(timeline(&self.store(), &self.rows, conversation))
    }

    fn access_report(&self, patient: &str, start: Moment, end: Moment) -> Result<AccessReport> {
        Ok(access_report(
            &self.store(),
            &self.verification,
            &self.rows,
            patient,
            start,
            end,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::conformance;
    use crate::filter::parse_filter;
    use crate::store::Columns;
    use crate::views::failures::failures;
    use crate::views::histogram::span;
    use crate::views::stats::tool_stats;

    fn backend() -> MemoryBackend {
        MemoryBackend::load(conformance::sources(), |_| {}, &AtomicBool::new(false))
            .expect("not cancelled")
    }

    #[test]
    fn the_memory_backend_answers_the_conformance_questions() {
        conformance::check(&backend());
    }

    #[test]
    fn columns_left_out_of_a_load_give_the_same_answers_built_on_first_use() {
        let never = AtomicBool::new(false);
        let sources = conformance::sources();
        let (store, verification) =
            crate::store::load_keeping(sources, false, Columns::NONE, |_| {}, &never)
                .expect("not cancelled");
        conformance::check(&MemoryBackend::new(store, verification));
    }

    #[test]
    fn by_time_lists_untimed_entries_first_in_file_order_and_keeps_no_copy_when_sorted() {
        let line = |time: &str, user: &str| {
            format!(r#"{{"timestamp": "{time}", "user_id": "{user}", "tool_name": "t"}}"#) + "\n"
        };
        let a = line("2025-07-06T10:00:00+00:00", "a1") + &line("not a time", "a2");
        let b = line("2025-07-06T09:00:00+00:00", "b1") + &line("garbled", "b2");
        let sources = vec![
            Source::from_bytes("a.jsonl", a.into_bytes()),
            Source::from_bytes("b.jsonl", b.into_bytes()),
        ];
        let backend =
            MemoryBackend::load(sources, |_| {}, &AtomicBool::new(false)).expect("not cancelled");
        let all = backend
            .select(&Filter::default(), Order::Time, &AtomicBool::new(false))
            .unwrap()
            .unwrap();
        let users: Vec<String> = all
            .page(PageAt::First, 4)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.user.unwrap())
            .collect();
        assert_eq!(users, ["a2", "b2", "b1", "a1"]);
        let store = &backend.store();
        let whole = |rows: &[u32]| sorted(store, Order::Time, rows);
        assert!(whole(&[0, 1, 2, 3]).is_some());
        // Entries already in time order (untimed first): no second vector.
        assert_eq!(whole(&[1, 2]), None);
        assert_eq!(whole(&[0, 2]), Some(vec![2, 0]));
    }

    #[test]
    fn views_of_a_selection_are_the_views_of_its_rows() {
        let backend = backend();
        let filter = parse_filter("user:usr_1|usr_2").unwrap();
        let selection = backend
            .select(&filter, Order::Time, &AtomicBool::new(false))
            .unwrap()
            .unwrap();
        let store = &backend.store();
        let rows = crate::store::query::select(store, &filter);
        assert_eq!(rows.len(), 6);
        assert_eq!(selection.tool_stats().unwrap(), tool_stats(store, &rows));
        assert_eq!(selection.failures().unwrap(), failures(store, &rows).into());
        assert_eq!(selection.span().unwrap(), span(store, &rows));
        assert_eq!(
            selection.timeline("c1").unwrap(),
            timeline(store, &rows, "c1")
        );
        let width = Width::Fixed(3_600_000_000);
        assert_eq!(
            selection.histogram(width).unwrap(),
            histogram(store, &rows, width)
        );
    }
}
