//! The query seam: the one interface between the data and what shows it.
//!
//! The TUI and the CLI hold a `dyn` [`Backend`] and ask it questions; they
//! never see how entries are stored. [`memory::MemoryBackend`] answers from
//! the in-memory columnar store (the `views` functions do the work); a
//! database implements the same two traits.
//!
//! A question about "the entries matching a filter" goes through a
//! [`Selection`], made once per filter and [`Order`] by [`Backend::select`].
//! Selections list their entries merged by time (ties by source, then
//! position) or in file order (source by source, line by line), and are
//! paged by [`RowKey`]: `page_after`/`page_before` a key, the first or last
//! page, and a key's position for a scrollbar, which a database answers
//! with keyset queries on `(time, source, position)` or
//! `(source, position)`. [`PageAt::Index`] is for jumps
//! to a place on the scrollbar; the in-memory selection answers every
//! kind from its vector of row ids.
//!
//! Every answer is a `Result`, since a database can fail; slow questions
//! take a cancel flag, set when a newer keystroke makes the answer stale.

pub mod clickhouse;
#[cfg(test)]
pub(crate) mod conformance;
pub mod memory;
mod memory_views;
pub mod report;

use crate::filter::{Field, Filter};
use crate::log::chain::{Finding, Verification};
pub use crate::store::RowKey;
use crate::store::store::Outcome;
use crate::views::Moment;
use crate::views::alerts::Alerts;
use crate::views::failures::Failures;
use crate::views::histogram::{Histogram, TooManyBuckets, ToolLatency, Width};
use crate::views::report::AccessReport;
use crate::views::retention::{Policies, RetentionEntry};
use crate::views::stats::ToolStats;
use crate::views::timeline::TimelineEntry;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// A question the backend could not answer (a database that is down, a
/// log that changed underneath): shown to the user, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError(pub String);

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BackendError {}

pub type Result<T> = std::result::Result<T, BackendError>;

/// The order a selection lists its entries in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// All sources merged by timestamp; ties by source, then position.
    /// Entries whose timestamp could not be read come first, in file order.
    #[default]
    Time,
    /// Source by source, each in line order (a hash chain's own order).
    File,
}

impl Order {
    /// How two keys order in this order.
    pub fn compare(self, a: &RowKey, b: &RowKey) -> std::cmp::Ordering {
        match self {
            Order::Time => (a.time, a.source, a.position).cmp(&(b.time, b.source, b.position)),
            Order::File => a.cmp(b),
        }
    }

    /// The other order: what the browser's order key switches to.
    pub fn toggled(self) -> Order {
        match self {
            Order::Time => Order::File,
            Order::File => Order::Time,
        }
    }
}

/// One entry's columns, as the entries table and the exports show them.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    pub key: RowKey,
    pub user: Option<String>,
    pub tool: Option<String>,
    pub outcome: Outcome,
    /// Milliseconds, if logged.
    pub duration_ms: Option<f64>,
    pub conversation: Option<String>,
    pub patient: Option<String>,
    pub turn: Option<i32>,
    pub role: Option<String>,
    pub purpose: Option<String>,
    pub model: Option<String>,
    pub trigger: Option<String>,
    pub ip: Option<String>,
    /// The file it was read from and its 1-based line.
    pub file: String,
    pub line: usize,
}

impl EntryRow {
    /// The text of a field, as the filter language names fields.
    pub fn field(&self, field: Field) -> Option<&str> {
        match field {
            Field::User => self.user.as_deref(),
            Field::Patient => self.patient.as_deref(),
            Field::Tool => self.tool.as_deref(),
            Field::Conversation => self.conversation.as_deref(),
            Field::Model => self.model.as_deref(),
            Field::Role => self.role.as_deref(),
            Field::Purpose => self.purpose.as_deref(),
            Field::Trigger => self.trigger.as_deref(),
            Field::Ip => self.ip.as_deref(),
        }
    }
}

/// One entry in full: its columns, its line as logged and who did what.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub row: EntryRow,
    /// The line's bytes as read (hostile: sanitise before showing).
    pub raw: Vec<u8>,
    /// `User u (role) → model → tool [trigger]`.
    pub attribution: String,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    First,
    Last,
    /// The entries after this key (not including it).
    After(RowKey),
    /// The entries before this key (not including it), ending next to it.
    Before(RowKey),
    /// The entries from this index on: a jump to a place on the scrollbar.
    Index(usize),
}

/// Consecutive entries of a selection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Index in the selection of the first of `rows`.
    pub start: usize,
    pub rows: Vec<EntryRow>,
}

/// The histogram of a selection and, over the same buckets, each tool's
/// p95 latency in at most `groups` groups of buckets (a sparkline).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityData {
    pub histogram: Histogram,
    pub latency: Vec<ToolLatency>,
}

/// Entries in the order they are listed, each with its line as logged:
/// what an export writes (a selection, or the entries marked in one).
pub trait Listed: Send + Sync {
    /// How many entries there are.
    fn count(&self) -> usize;

    /// Visit every entry with its line as logged, in order, for exports;
    /// stops at the first error `visit` returns.
    fn for_each(
        &self,
        visit: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>>;
}

/// The entries matching one filter, and every question asked of them.
/// (`Any`: a backend recognises its own selections in
/// [`Backend::reselect`].)
pub trait Selection: Listed + std::any::Any {
    /// Up to `len` consecutive entries from `at`.
    fn page(&self, at: PageAt, len: usize) -> Result<Page>;

    /// What [`Selection::page`] answers, if that asks the logs nothing (in
    /// memory, or a database's kept page); `None` when it would be a round
    /// trip, which the browser makes on a worker.
    fn kept(&self, at: PageAt, len: usize) -> Option<Page> {
        self.page(at, len).ok()
    }

    /// Where `key` is: `Ok(index)` if selected, else `Err(index)` of the
    /// first selected entry after it (as `binary_search` answers).
    fn locate(&self, key: RowKey) -> Result<std::result::Result<usize, usize>>;

    /// Earliest and latest readable timestamps (micros, UTC) and how many
    /// entries had none.
    fn span(&self) -> Result<(Option<(i64, i64)>, usize)>;

    /// Calls, failures and latency per tool, busiest first.
    fn tool_stats(&self) -> Result<Vec<ToolStats>>;

    /// The failed calls, newest first (shared: a followed log's list is
    /// long and grows in shared chunks); a database lists only the newest
    /// [`crate::views::failures::NEWEST_LISTED`].
    fn failures(&self) -> Result<Failures>;

    /// Calls and failures per bucket of `width`; the inner error when the
    /// width would need too many buckets.
    fn histogram(&self, width: Width) -> Result<std::result::Result<Histogram, TooManyBuckets>>;

    /// [`Selection::histogram`] with per-tool latency over `groups` groups.
    fn activity(
        &self,
        width: Width,
        groups: usize,
    ) -> Result<std::result::Result<ActivityData, TooManyBuckets>>;

    /// Bursts of `threshold` accesses within `window_micros`, and
    /// emergency accesses (reviews are looked for in the whole log).
    fn alerts(&self, threshold: usize, window_micros: i64) -> Result<Alerts>;

    /// Each entry against retention `policies` at `now`; `due` is how
    /// close to its end a period counts as due.
    fn retention(&self, policies: &Policies, now: i64, due: i64) -> Result<Vec<RetentionEntry>>;

    /// The calls of `conversation` among the selection, in log order.
    fn timeline(&self, conversation: &str) -> Result<Vec<TimelineEntry>>;

    /// Every access to `patient` from `start` to `end` (inclusive).
    fn access_report(&self, patient: &str, start: Moment, end: Moment) -> Result<AccessReport>;
}

/// The loaded logs: what was verified, and the questions asked of it.
pub trait Backend: Send + Sync {
    /// The integrity verdict: files, chains and findings.
    fn verification(&self) -> &Verification;

    /// Entries held, whatever the filter.
    fn entry_count(&self) -> usize;

    /// The file names of the sources, in load order.
    fn source_names(&self) -> Vec<String>;

    /// Device and inode of each source, in load order (`None` for one that
    /// is not a file): what a reload compares to tell a rotated file from
    /// a new one.
    fn source_identities(&self) -> Vec<Option<(u64, u64)>>;

    /// The entries matching `filter`, listed in `order`; `Ok(None)` if
    /// `cancel` was set meanwhile.
    fn select(
        &self,
        filter: &Filter,
        order: Order,
        cancel: &AtomicBool,
    ) -> Result<Option<Arc<dyn Selection>>>;

    /// [`Backend::select`], where `previous` is the selection the app
    /// shows, perhaps made with the same filter and order before entries
    /// were appended to these logs (follow mode): a backend that can tell
    /// extends it, and the views it computed, by the appended entries
    /// instead of selecting everything again.
    fn reselect(
        &self,
        _previous: &dyn Selection,
        filter: &Filter,
        order: Order,
        cancel: &AtomicBool,
    ) -> Result<Option<Arc<dyn Selection>>> {
        self.select(filter, order, cancel)
    }

    /// One entry in full; `None` if the backend holds no such entry.
    fn detail(&self, key: RowKey) -> Result<Option<Detail>>;

    /// One entry against retention `policies` at `now` (see
    /// [`Selection::retention`]), for the browser's detail; `None` if the
    /// backend holds no such entry. A database leaves its `row` at 0:
    /// numbering one entry is a scan of the table.
    fn retention_of(
        &self,
        key: RowKey,
        policies: &Policies,
        now: i64,
        due: i64,
    ) -> Result<Option<RetentionEntry>>;

    /// The entry at `file:line`, or the nearest entry of that file when
    /// that line is not one (a finding on a line that did not parse).
    fn nearest(&self, file: &str, line: usize) -> Result<Option<RowKey>>;

    /// Every distinct value of `field` (for completion); stops early when
    /// `cancel` is set.
    fn values(&self, field: Field, cancel: &AtomicBool) -> Result<Vec<String>>;

    /// The integrity findings located at `file:line`: what the browser marks
    /// on that entry's row, detail and timeline. Answered from
    /// [`Backend::verification`], which a database reads from what its
    /// ingest recorded.
    fn findings_at(&self, file: &str, line: usize) -> Vec<Finding> {
        self.verification()
            .findings
            .iter()
            .filter(|f| f.line == line && f.file == file)
            .cloned()
            .collect()
    }
}

/// Every entry, in `order`: a selection with no filter.
pub fn everything(backend: &dyn Backend, order: Order) -> Result<Arc<dyn Selection>> {
    backend
        .select(&Filter::default(), order, &AtomicBool::new(false))?
        .ok_or_else(|| BackendError("never cancelled".into()))
}

/// The selection of nothing: what the browser holds before its first
/// query returns.
pub struct Empty;

impl Listed for Empty {
    fn count(&self) -> usize {
        0
    }

    fn for_each(
        &self,
        _: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>> {
        Ok(Ok(()))
    }
}

impl Selection for Empty {
    fn page(&self, _: PageAt, _: usize) -> Result<Page> {
        Ok(Page::default())
    }

    fn locate(&self, _: RowKey) -> Result<std::result::Result<usize, usize>> {
        Ok(Err(0))
    }

    fn span(&self) -> Result<(Option<(i64, i64)>, usize)> {
        Ok((None, 0))
    }

    fn tool_stats(&self) -> Result<Vec<ToolStats>> {
        Ok(Vec::new())
    }

    fn failures(&self) -> Result<Failures> {
        Ok(Failures::default())
    }

    fn histogram(&self, _: Width) -> Result<std::result::Result<Histogram, TooManyBuckets>> {
        Ok(Ok(Histogram::default()))
    }

    fn activity(
        &self,
        _: Width,
        _: usize,
    ) -> Result<std::result::Result<ActivityData, TooManyBuckets>> {
        Ok(Ok(ActivityData {
            histogram: Histogram::default(),
            latency: Vec::new(),
        }))
    }

    fn alerts(&self, threshold: usize, window_micros: i64) -> Result<Alerts> {
        Ok(Alerts {
            threshold,
            window: crate::time::format_duration(window_micros),
            bursts: Vec::new(),
            emergencies: Vec::new(),
        })
    }

    fn retention(&self, _: &Policies, _: i64, _: i64) -> Result<Vec<RetentionEntry>> {
        Ok(Vec::new())
    }

    fn timeline(&self, _: &str) -> Result<Vec<TimelineEntry>> {
        Ok(Vec::new())
    }

    fn access_report(&self, _: &str, _: Moment, _: Moment) -> Result<AccessReport> {
        Err(BackendError("nothing is loaded".into()))
    }
}

/// Entries picked out of a selection (the browser's marks), fetched with
/// their lines: listed, and so exported, like a selection.
pub struct Picked {
    pub entries: Vec<Detail>,
}

impl Picked {
    /// `entries` listed in `order`.
    pub fn new(mut entries: Vec<Detail>, order: Order) -> Picked {
        entries.sort_by(|a, b| order.compare(&a.row.key, &b.row.key));
        Picked { entries }
    }
}

impl Listed for Picked {
    fn count(&self) -> usize {
        self.entries.len()
    }

    fn for_each(
        &self,
        visit: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>> {
        for entry in &self.entries {
            if let Err(e) = visit(&entry.row, &entry.raw) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }
}
