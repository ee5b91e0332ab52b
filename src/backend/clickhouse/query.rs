//! [`Backend`] over a ClickHouse database that `auditui ingest` filled:
//! every question is a query, and only answers come back, never the table.
//!
//! - a selection is its filter compiled to a condition, and its count;
//! - pages are keyset queries in the selection's order, `(ts, file,
//!   line)` or `(file, line)`: the rows on screen and no more;
//! - counts, the span, the histogram, per-tool stats and latency are
//!   computed by the database (integer arithmetic for buckets, so every
//!   server version agrees);
//! - failures, a conversation's timeline, a patient's report, alerts and
//!   retention fetch just their entries and run the store's own views over
//!   them ([`Subset`]), so their answers are the files' answers.

use super::client::Client;
use super::fetch::{Fetched, Files, Subset, entry_row, fetch, fetch_each, numbers_in, row_numbers};
use super::recorded::{self, Totals};
use super::schema;
use super::schema::ENTRIES;
use super::sql::{NO_TIME, TIME_COLUMN, condition, string_literal};
use super::url::Url;
use crate::backend::{
    ActivityData, Backend, BackendError, Detail, EntryRow, Listed, Order, Page, PageAt, Result,
    RowKey, Selection,
};
use crate::filter::{Field, Filter};
use crate::log::chain::Verification;
use crate::log::entry::parse_line;
use crate::time::Timestamp;
use crate::views::Moment;
use crate::views::alerts::{Alerts, alerts};
use crate::views::failures::{Failures, NEWEST_LISTED, failures};
use crate::views::histogram::{
    Cell, GRID, Histogram, Regridded, Span, TooManyBuckets, ToolLatency, Width, latency_groups,
    regrid,
};
use crate::views::report::{AccessReport, access_report};
use crate::views::retention::{Policies, RetentionEntry, retention};
use crate::views::stats::{ToolStats, ToolTotals, from_totals, max_as_logged, sort_busiest_first};
use crate::views::timeline::{TimelineEntry, attribution, timeline};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What every selection of one database shares.
struct Database {
    client: Client,
    files: Files,
    /// The newest readable timestamp, for `last:`.
    newest: Option<Timestamp>,
    verification: Verification,
}

/// A database that `ingest` wrote.
#[derive(Clone)]
pub struct ClickHouseBackend {
    db: Arc<Database>,
}

impl ClickHouseBackend {
    /// A database named by a `clickhouse://` URL: its tables checked, and
    /// the verification its ingest recorded as the verdict. The entries
    /// per file come from the same records (counting them would read a
    /// column of every row), unless an older auditui wrote them.
    pub fn open_url(url: &str) -> std::result::Result<ClickHouseBackend, String> {
        let client = Client::new(Url::parse(url)?);
        let current = schema::check_existing(&client)?.current;
        let opened = (|| {
            let records = recorded::records(&client, current)?;
            let totals = match recorded::totals(&records) {
                Some(totals) => totals,
                None => count_rows(&client)?,
            };
            let verification = recorded::recorded(&records, &totals.files);
            Ok(ClickHouseBackend::open_with(client, totals, verification))
        })();
        opened.map_err(|e: BackendError| e.0)
    }

    /// A database whose verdict is `verification` (a test's, or a fresh
    /// re-verification's), its rows counted.
    pub fn open(client: Client, verification: Verification) -> Result<ClickHouseBackend> {
        let totals = count_rows(&client)?;
        Ok(ClickHouseBackend::open_with(client, totals, verification))
    }

    fn open_with(client: Client, totals: Totals, verification: Verification) -> ClickHouseBackend {
        let (names, counts) = totals.files.into_iter().unzip();
        ClickHouseBackend {
            db: Arc::new(Database {
                client,
                files: Files { names, counts },
                newest: totals.newest,
                verification,
            }),
        }
    }
}

/// Entries per file and the newest time, counted in the entries table:
/// two scans of a column of every row, for tables an older auditui wrote.
fn count_rows(client: &Client) -> Result<Totals> {
    let rows = query_json(
        client,
        &format!("SELECT file, count() AS n FROM {ENTRIES} GROUP BY file ORDER BY file"),
    )?;
    let files = rows
        .iter()
        .map(|row| (text(row, "file"), int(row, "n") as usize))
        .collect();
    let newest = query_json(
        client,
        &format!(
            "SELECT count() AS n, max({TIME_COLUMN}) AS newest FROM {ENTRIES} \
             WHERE {TIME_COLUMN} != {NO_TIME}"
        ),
    )?;
    let newest = newest
        .first()
        .filter(|row| int(row, "n") > 0)
        .map(|row| int(row, "newest"));
    Ok(Totals { files, newest })
}

/// The database URL among `paths`, if one is a `clickhouse://` URL: then
/// it must be the only source (a database and files are not one log).
pub fn database_source(paths: &[std::path::PathBuf]) -> std::result::Result<Option<&str>, String> {
    let urls: Vec<&str> = paths
        .iter()
        .filter_map(|p| p.to_str())
        .filter(|p| Url::is_clickhouse(p))
        .collect();
    match (urls.as_slice(), paths.len()) {
        ([], _) => Ok(None),
        ([url], 1) => Ok(Some(url)),
        _ => Err("a clickhouse:// URL must be the only source: a database and files (or two databases) are not one log".into()),
    }
}

/// Runs a query and reads its `JSONEachRow` answer (small answers only).
pub(super) fn query_json(client: &Client, sql: &str) -> Result<Vec<Value>> {
    let answer = client
        .query_text(&format!("{sql} FORMAT JSONEachRow"))
        .map_err(BackendError)?;
    answer
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .map_err(|e| BackendError(client.error(&format!("unreadable answer: {e}"))))
        })
        .collect()
}

/// An integer column: 18.16 quotes 64-bit integers in JSON, newer servers do not.
pub(super) fn int(row: &Value, column: &str) -> i64 {
    match &row[column] {
        Value::String(s) => s.parse().unwrap_or(0),
        value => value.as_i64().unwrap_or(0),
    }
}

fn float(row: &Value, column: &str) -> Option<f64> {
    match &row[column] {
        Value::String(s) => s.parse().ok(),
        value => value.as_f64(),
    }
}

fn text(row: &Value, column: &str) -> String {
    row[column].as_str().unwrap_or_default().to_owned()
}

/// A string column where the table keeps a missing field as empty.
fn optional_text(row: &Value, column: &str) -> Option<String> {
    Some(text(row, column)).filter(|t| !t.is_empty())
}

impl Backend for ClickHouseBackend {
    fn verification(&self) -> &Verification {
        &self.db.verification
    }

    fn entry_count(&self) -> usize {
        self.db.files.counts.iter().sum()
    }

    fn source_names(&self) -> Vec<String> {
        self.db.files.names.clone()
    }

    fn source_identities(&self) -> Vec<Option<(u64, u64)>> {
        // Not files on this machine: nothing a reload could compare.
        vec![None; self.db.files.names.len()]
    }

    fn select(
        &self,
        filter: &Filter,
        order: Order,
        cancel: &AtomicBool,
    ) -> Result<Option<Arc<dyn Selection>>> {
        let condition = condition(filter, self.db.newest);
        let counted = query_json(
            &self.db.client,
            &format!("SELECT count() AS n FROM {ENTRIES} WHERE {condition}"),
        )?;
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let count = counted.first().map_or(0, |row| int(row, "n")) as usize;
        Ok(Some(Arc::new(ClickHouseSelection {
            db: Arc::clone(&self.db),
            condition,
            count,
            order,
            last_page: Mutex::default(),
            cells: Mutex::default(),
        })))
    }

    fn detail(&self, key: RowKey) -> Result<Option<Detail>> {
        let db = &self.db;
        let Some(fetched) = db.fetch_one(key)? else {
            return Ok(None);
        };
        let subset = Subset::new(vec![fetched]);
        Ok(Some(Detail {
            row: entry_row(&db.files, &subset.fetched[0]),
            attribution: attribution(&subset.store, 0),
            raw: subset.fetched[0].raw.clone(),
        }))
    }

    fn retention_of(
        &self,
        key: RowKey,
        policies: &Policies,
        now: i64,
        due: i64,
    ) -> Result<Option<RetentionEntry>> {
        let Some(fetched) = self.db.fetch_one(key)? else {
            return Ok(None);
        };
        let subset = Subset::new(vec![fetched]);
        // Without its row number: that is a scan of the table's files (a
        // second at 10M rows), and the entry is named by its file and line.
        let entry = retention(&subset.store, &[0], policies, now, due).pop();
        Ok(entry.map(|entry| RetentionEntry {
            row: 0,
            key,
            file: subset.file(0),
            line: subset.line(0),
            ..entry
        }))
    }

    fn nearest(&self, file: &str, line: usize) -> Result<Option<RowKey>> {
        let db = &self.db;
        let sql = format!(
            "SELECT file, line, raw FROM {ENTRIES} WHERE file = {} \
             ORDER BY abs(toInt64(line) - {line}), line LIMIT 1 FORMAT RowBinary",
            string_literal(file)
        );
        Ok(fetch(&db.client, &sql)?
            .first()
            .map(|fetched| entry_row(&db.files, fetched).key))
    }

    fn values(&self, field: Field, _cancel: &AtomicBool) -> Result<Vec<String>> {
        let column = super::sql::field_column(field);
        let rows = query_json(
            &self.db.client,
            &format!(
                "SELECT DISTINCT {column} AS v FROM {ENTRIES} WHERE {column} != '' ORDER BY v"
            ),
        )?;
        Ok(rows.iter().map(|row| text(row, "v")).collect())
    }
}

impl Database {
    /// `SELECT file, line, raw` of the first `limit` entries matching
    /// `condition`, in `order` (or its reverse). A page further on is
    /// found by its keys first ([`Database::page_condition`]).
    fn rows_sql(&self, condition: &str, order: Order, descending: bool, limit: usize) -> String {
        format!(
            "SELECT file, line, raw FROM {ENTRIES} WHERE {condition} \
             ORDER BY {} LIMIT {limit} FORMAT RowBinary",
            order_by(order, descending)
        )
    }

    /// The condition selecting exactly the entries [`Database::rows_sql`]
    /// would list (`None`: there are none). Their keys are found first,
    /// sorting three narrow columns: sorting with `raw` alongside would
    /// read the line of every selected entry to return a screenful. The
    /// time list lets the primary key find the page's granules.
    fn page_condition(
        &self,
        condition: &str,
        order: Order,
        descending: bool,
        offset: usize,
        limit: usize,
    ) -> Result<Option<String>> {
        let keys = query_json(
            &self.client,
            &format!(
                "SELECT {TIME_COLUMN} AS t, file, line FROM {ENTRIES} WHERE {condition} \
                 ORDER BY {} LIMIT {offset}, {limit}",
                order_by(order, descending)
            ),
        )?;
        if keys.is_empty() {
            return Ok(None);
        }
        let times: Vec<String> = keys.iter().map(|k| int(k, "t").to_string()).collect();
        // Lines listed per file: 18.16 took 2 s over one comparison per
        // entry for 500 entries, 0.08 s over `line IN (...)` per file.
        let mut lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for k in &keys {
            lines
                .entry(text(k, "file"))
                .or_default()
                .push(int(k, "line").to_string());
        }
        let places: Vec<String> = lines
            .iter()
            .map(|(file, lines)| {
                format!(
                    "(file = {} AND line IN ({}))",
                    string_literal(file),
                    lines.join(", ")
                )
            })
            .collect();
        Ok(Some(format!(
            "{TIME_COLUMN} IN ({}) AND ({})",
            times.join(", "),
            places.join(" OR ")
        )))
    }

    /// The line of the entry at `[ts, file, line]` (a tuple as JSON gives
    /// it). Naming the time lets the database read only the part of the
    /// table (ordered by time) that holds it, not every line.
    fn line_at(&self, at: &Value) -> Result<Option<Vec<u8>>> {
        let Some([ts, file, line]) = at.as_array().map(Vec::as_slice) else {
            return Ok(None);
        };
        let number = |v: &Value| match v {
            Value::String(s) => s.parse::<i64>().ok(),
            v => v.as_i64(),
        };
        let (Some(ts), Some(line), Some(file)) = (number(ts), number(line), file.as_str()) else {
            return Ok(None);
        };
        let condition = format!(
            "{TIME_COLUMN} = {ts} AND file = {} AND line = {line}",
            string_literal(file)
        );
        Ok(fetch(
            &self.client,
            &self.rows_sql(&condition, Order::File, false, 1),
        )?
        .pop()
        .map(|f| f.raw))
    }

    fn fetch_one(&self, key: RowKey) -> Result<Option<Fetched>> {
        let at = self.files.compare(key, "=", Order::File);
        Ok(fetch(&self.client, &self.rows_sql(&at, Order::File, false, 1))?.pop())
    }

    /// How many entries matching `condition` satisfy `extra` too.
    fn count(&self, condition: &str, extra: &str) -> Result<usize> {
        let rows = query_json(
            &self.client,
            &format!("SELECT count() AS n FROM {ENTRIES} WHERE {condition} AND {extra}"),
        )?;
        Ok(rows.first().map_or(0, |row| int(row, "n")) as usize)
    }

    /// The entries matching `condition` in a store of their own.
    fn subset(&self, condition: &str) -> Result<Subset> {
        let sql = self.rows_sql(condition, Order::File, false, ALL);
        Ok(Subset::new(fetch(&self.client, &sql)?))
    }

    /// The database's row numbers of subset rows.
    fn rows_of(&self, subset: &Subset, rows: &[u32]) -> Result<Vec<u32>> {
        let keys: Vec<RowKey> = rows.iter().map(|&r| subset.key(&self.files, r)).collect();
        row_numbers(&self.client, ENTRIES, &self.files, &keys)
    }

    fn retention_rows(
        &self,
        subset: &Subset,
        mut entries: Vec<RetentionEntry>,
    ) -> Result<Vec<RetentionEntry>> {
        let local: Vec<u32> = entries.iter().map(|e| e.row).collect();
        let numbers = self.rows_of(subset, &local)?;
        for ((entry, row), number) in entries.iter_mut().zip(local).zip(numbers) {
            entry.key = subset.key(&self.files, row);
            entry.file = subset.file(row);
            entry.line = subset.line(row);
            entry.row = number;
        }
        Ok(entries)
    }
}

/// The entries matching one filter: its condition, how many there are,
/// and the order they are listed in.
struct ClickHouseSelection {
    db: Arc<Database>,
    condition: String,
    count: usize,
    order: Order,
    /// The last page asked for: the browser draws the same page on every
    /// frame, and from a database each is two round trips and a sort of
    /// the selection's keys. A selection is counted once, so its pages
    /// are answers to keep.
    last_page: Mutex<Option<(PageAt, usize, Page)>>,
    /// The selection per hour ([`ClickHouseSelection::cells`]), counted
    /// once: the histogram's buckets, and where in time a page by index
    /// lies.
    cells: Mutex<Option<Arc<Cells>>>,
}

/// A selection counted per cell of [`GRID`], in time order, and its
/// entries without a readable time (listed first by time: their `ts` is
/// the smallest).
struct Cells {
    cells: Vec<Cell>,
    /// The earliest and latest readable time, and the untimed entries.
    span: Span,
}

/// Cells (hours) between the earliest readable time (year 0, less a day
/// of offset) and zero, and then some: times shifted by this many are
/// positive.
const SHIFT_CELLS: i64 = 20_000_000;

/// Fewer rows than this are never asked for by index: the browser asks
/// for the selected entry alone and then for the screen around it, which
/// one window answers.
const WINDOW: usize = 64;

/// Pages ending within this many entries of the start are looked for in
/// the first hour before the hours are counted (see
/// [`ClickHouseSelection::page_in_first_hour`]).
const FIRST_SCREENS: usize = 4 * WINDOW;

impl ClickHouseSelection {
    fn fetch_page(&self, at: PageAt, len: usize) -> Result<Page> {
        let (start, rows) = match at {
            PageAt::First | PageAt::Last | PageAt::Index(_) if self.order == Order::Time => {
                let index = match at {
                    PageAt::Index(index) => index,
                    PageAt::Last => self.count.saturating_sub(len),
                    _ => 0,
                };
                (index, self.page_in_time(index, len)?)
            }
            PageAt::First => (0, self.page_from("1", false, 0, len)?),
            PageAt::Index(index) => (index, self.page_from("1", false, index, len)?),
            PageAt::Last => {
                let rows = self.page_from("1", true, 0, len)?;
                (self.count - rows.len(), rows)
            }
            PageAt::After(key) => {
                let rows = self.page_from(&self.compare(key, ">"), false, 0, len)?;
                let start =
                    self.before(key)? + self.db.count(&self.condition, &self.compare(key, "="))?;
                (start, rows)
            }
            PageAt::Before(key) => {
                let rows = self.page_from(&self.compare(key, "<"), true, 0, len)?;
                (self.before(key)? - rows.len(), rows)
            }
        };
        // A page asked for past the end starts at the end, as in the files.
        let start = start.min(self.count);
        Ok(Page { start, rows })
    }

    /// The `len` entries from `index` on in time order, found within the
    /// hours that hold them: the per-hour counts say how many come before
    /// each hour, so the database sorts just those hours' keys (the
    /// primary key reads only their granules) instead of every selected
    /// entry's (a second at 10M rows for every page).
    fn page_in_time(&self, index: usize, len: usize) -> Result<Vec<EntryRow>> {
        if let Some(rows) = self.page_in_first_hour(index, len)? {
            return Ok(rows);
        }
        let cells = self.cached_cells()?;
        let untimed = (cells.span.1 > 0).then_some((NO_TIME, NO_TIME, cells.span.1));
        let timed = cells.cells.iter().map(|c| {
            (
                c.index * GRID,
                c.index * GRID + (GRID - 1),
                c.calls as usize,
            )
        });
        let (mut before, mut from, mut to) = (0, None, None);
        for (first, last, count) in untimed.into_iter().chain(timed) {
            if from.is_none() && before + count > index {
                from = Some((first, index - before));
            }
            if from.is_some() && before + count >= index + len {
                to = Some(last);
                break;
            }
            before += count;
        }
        let Some((first, offset)) = from else {
            return Ok(Vec::new());
        };
        let until = to.map_or(String::new(), |last| {
            format!(" AND {TIME_COLUMN} <= {last}")
        });
        self.page_from(
            &format!("{TIME_COLUMN} >= {first}{until}"),
            false,
            offset,
            len,
        )
    }

    /// The `len` entries from `index` on in time order, if they are among
    /// the entries up to the end of the selection's first hour (with those
    /// without a time): found by the earliest time, before the selection
    /// is counted per hour. That count is a pass over every selected entry
    /// (half a second and more at 10M rows on a busy server); the browser's
    /// first screen needs only the first hour. `None` when the hours are
    /// counted already (they find any page), for a page past the first
    /// few, or when the first hour holds too few entries.
    fn page_in_first_hour(&self, index: usize, len: usize) -> Result<Option<Vec<EntryRow>>> {
        let counted = self
            .cells
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        if counted || self.count == 0 || index + len > FIRST_SCREENS {
            return Ok(None);
        }
        // No readable time at all: every entry is before any hour's end.
        let end = match self.earliest()? {
            Some(first) => first.saturating_add(GRID - 1),
            None => i64::MAX,
        };
        let rows = self.page_from(&format!("{TIME_COLUMN} <= {end}"), false, index, len)?;
        // Entries after `end` come after all of these: the page is whole
        // if it is full, or if it reaches the selection's last entry.
        Ok((rows.len() == len || index + rows.len() == self.count).then_some(rows))
    }

    /// The selection's earliest readable time, without a scan of `ts`
    /// (18.16 cannot read in key order): the time of the first selected
    /// row the server reads, one thread reading one part in key order (a
    /// part's earliest; for a log ingested in order, the table's), and
    /// then the smallest at or before it, which the primary key finds in
    /// the granules up to it. Exact whoever wrote the table: the first
    /// time is one a selected entry has, so the smallest time is at or
    /// before it; a poor first guess costs reads, never the answer.
    fn earliest(&self) -> Result<Option<i64>> {
        let timed = format!("{} AND {TIME_COLUMN} != {NO_TIME}", self.condition);
        let client = &self.db.client;
        let some = query_json(
            client,
            &format!(
                "SELECT {TIME_COLUMN} AS t FROM {ENTRIES} WHERE {timed} LIMIT 1 \
                 SETTINGS max_threads = 1"
            ),
        )?;
        let Some(some) = some.first().map(|row| int(row, "t")) else {
            return Ok(None);
        };
        let first = query_json(
            client,
            &format!(
                "SELECT min({TIME_COLUMN}) AS first FROM {ENTRIES} \
                 WHERE {timed} AND {TIME_COLUMN} <= {some}"
            ),
        )?;
        Ok(Some(first.first().map_or(some, |row| int(row, "first"))))
    }

    /// The selection's [`Cells`], counted on first use.
    fn cached_cells(&self) -> Result<Arc<Cells>> {
        let mut cached = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cells) = cached.as_ref() {
            return Ok(Arc::clone(cells));
        }
        let (mut cells, untimed) = self.cells()?;
        cells.sort_unstable_by_key(|c| c.index);
        let span = (self.span_of(&cells)?, untimed);
        let cells = Arc::new(Cells { cells, span });
        *cached = Some(Arc::clone(&cells));
        Ok(cells)
    }

    fn page_from(
        &self,
        extra: &str,
        descending: bool,
        offset: usize,
        len: usize,
    ) -> Result<Vec<EntryRow>> {
        let condition = format!("{} AND {extra}", self.condition);
        let db = &self.db;
        let Some(on_page) = db.page_condition(&condition, self.order, descending, offset, len)?
        else {
            return Ok(Vec::new());
        };
        let sql = db.rows_sql(&on_page, self.order, descending, len);
        let mut rows: Vec<EntryRow> = fetch(&self.db.client, &sql)?
            .iter()
            .map(|fetched| entry_row(&self.db.files, fetched))
            .collect();
        if descending {
            rows.reverse();
        }
        Ok(rows)
    }

    /// How many selected entries come before `key` in the listing.
    fn before(&self, key: RowKey) -> Result<usize> {
        self.db.count(&self.condition, &self.compare(key, "<"))
    }

    /// The condition selecting entries before, at or after `key` in the
    /// listing (see [`Files::compare`]).
    fn compare(&self, key: RowKey, op: &str) -> String {
        self.db.files.compare(key, op, self.order)
    }

    /// The histogram's buckets over the selection, counted by the
    /// database in one pass over the times, per hour ([`GRID`]), and laid
    /// out here: a pass for the span first was half of the time at 10M
    /// rows. Buckets narrower than an hour are counted again at their own
    /// width, over just their span (the primary key starts with the time,
    /// so only that span's granules are read).
    fn count_buckets(
        &self,
        width: Width,
    ) -> Result<std::result::Result<Histogram, TooManyBuckets>> {
        let counted = self.cached_cells()?;
        let mut histogram = match regrid(&counted.cells, GRID, counted.span, width) {
            Ok(Regridded::Counted(histogram)) => return Ok(Ok(histogram)),
            Ok(Regridded::Uncounted(layout)) => layout,
            Err(too_many) => return Ok(Err(too_many)),
        };
        let (Some(origin), Some((_, last))) =
            (histogram.buckets.first().map(|b| b.start), counted.span.0)
        else {
            return Ok(Ok(histogram));
        };
        let width = histogram.width;
        let rows = query_json(
            &self.db.client,
            &format!(
                "SELECT intDiv({TIME_COLUMN} - {origin}, {width}) AS b, count() AS calls, \
                 countIf(success = 0) AS failures FROM {ENTRIES} \
                 WHERE {} AND {TIME_COLUMN} >= {origin} AND {TIME_COLUMN} <= {last} GROUP BY b",
                self.condition
            ),
        )?;
        for row in rows {
            if let Some(bucket) = histogram.buckets.get_mut(int(&row, "b") as usize) {
                bucket.calls = int(&row, "calls") as u32;
                bucket.failures = int(&row, "failures") as u32;
            }
        }
        Ok(Ok(histogram))
    }

    /// The selection's timed entries counted per cell of [`GRID`], and how
    /// many are untimed: one pass over the times, an answer of one row per
    /// hour that has entries. Numbers as text: a year is 8,760 rows, which
    /// as JSON values took 10 MB here.
    fn cells(&self) -> Result<(Vec<Cell>, usize)> {
        // Shifted so that every readable time (years 0 to 9999) is past
        // zero, where `intDiv` (which rounds towards zero) is the floor;
        // the untimed (`NO_TIME`, the smallest Int64) fall below zero.
        // Cheaper than correcting the quotient of negative times.
        let numbers: Vec<i64> = numbers_in(
            &self.db.client,
            &format!(
                "SELECT intDiv({TIME_COLUMN} + {}, {GRID}) AS cell, count(), sum(success = 0) \
                 FROM {ENTRIES} WHERE {} GROUP BY cell FORMAT TabSeparated",
                SHIFT_CELLS * GRID,
                self.condition
            ),
        )?;
        let mut untimed = 0;
        let mut cells = Vec::with_capacity(numbers.len() / 3);
        for row in numbers.chunks_exact(3) {
            let &[cell, calls, failures] = row else {
                continue;
            };
            if cell < 0 {
                untimed += calls as usize;
                continue;
            }
            cells.push(Cell {
                index: cell - SHIFT_CELLS,
                calls: calls as u32,
                failures: failures as u32,
            });
        }
        Ok((cells, untimed))
    }

    /// The earliest and latest readable time of the selection, whose
    /// cells (sorted) are `cells`: read in just the first and last cell's
    /// hours, which the primary key finds.
    fn span_of(&self, cells: &[Cell]) -> Result<Option<(i64, i64)>> {
        let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
            return Ok(None);
        };
        let hour = |cell: &Cell| {
            let start = cell.index * GRID;
            format!(
                "({TIME_COLUMN} >= {start} AND {TIME_COLUMN} <= {})",
                start + (GRID - 1)
            )
        };
        let rows = query_json(
            &self.db.client,
            &format!(
                "SELECT count() AS n, min({TIME_COLUMN}) AS first, max({TIME_COLUMN}) AS last \
                 FROM {ENTRIES} \
                 WHERE {} AND ({} OR {})",
                self.condition,
                hour(first),
                hour(last)
            ),
        )?;
        Ok(rows
            .first()
            .filter(|row| int(row, "n") > 0)
            .map(|row| (int(row, "first"), int(row, "last"))))
    }

    /// Each tool's nearest-rank p95 over groups of the histogram's
    /// buckets, exact (the in-memory store reads it from log-scale bins,
    /// within `LATENCY_ERROR` of this).
    fn latency(&self, histogram: &Histogram, groups: usize) -> Result<Vec<ToolLatency>> {
        let Some(origin) = histogram.buckets.first().map(|b| b.start) else {
            return Ok(Vec::new());
        };
        let (groups, group_width) = latency_groups(histogram, groups);
        let rows = query_json(
            &self.db.client,
            &format!(
                "SELECT tool, intDiv({TIME_COLUMN} - {origin}, {group_width}) AS g, count() AS n, \
                 arrayElement(arraySort(groupArray(duration_ms)), \
                 toUInt64(greatest(1., least(toFloat64(n), ceil(0.95 * n))))) AS p95 \
                 FROM {ENTRIES} WHERE {} AND {TIME_COLUMN} != {NO_TIME} \
                 AND NOT isNaN(duration_ms) GROUP BY tool, g ORDER BY tool",
                self.condition
            ),
        )?;
        let mut latency: Vec<ToolLatency> = Vec::new();
        for row in rows {
            let tool = optional_text(&row, "tool");
            if latency.last().is_none_or(|last| last.tool != tool) {
                latency.push(ToolLatency {
                    tool: tool.clone(),
                    p95_ms: vec![None; groups],
                });
            }
            let group = int(&row, "g") as usize;
            if let Some(slot) = latency.last_mut().and_then(|l| l.p95_ms.get_mut(group)) {
                *slot = float(&row, "p95");
            }
        }
        latency.sort_by(|a, b| a.tool.cmp(&b.tool));
        Ok(latency)
    }

    /// The selection's entries that also match `extra`, in a store of their own.
    fn subset(&self, extra: &str) -> Result<Subset> {
        self.db.subset(&format!("{} AND {extra}", self.condition))
    }
}

impl Listed for ClickHouseSelection {
    fn count(&self) -> usize {
        self.count
    }

    fn for_each(
        &self,
        visit: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>> {
        let sql = self.db.rows_sql(&self.condition, self.order, false, ALL);
        let mut failed = None;
        fetch_each(&self.db.client, &sql, |fetched| {
            if failed.is_none()
                && let Err(e) = visit(&entry_row(&self.db.files, &fetched), &fetched.raw)
            {
                failed = Some(e);
            }
            Ok(())
        })?;
        Ok(failed.map_or(Ok(()), Err))
    }
}

impl Selection for ClickHouseSelection {
    fn page(&self, at: PageAt, len: usize) -> Result<Page> {
        let mut last = self.last_page.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(page) = kept_in(last.as_ref(), at, len, self.count) {
            return Ok(page);
        }
        let asked = match at {
            PageAt::Index(_) => len.max(WINDOW),
            _ => len,
        };
        let page = self.fetch_page(at, asked)?;
        let part = match at {
            PageAt::Index(index) => part_of(&page, index, len, self.count),
            _ => None,
        };
        *last = Some((at, asked, page.clone()));
        Ok(part.unwrap_or(page))
    }

    fn kept(&self, at: PageAt, len: usize) -> Option<Page> {
        // Locked while a page is fetched: not kept yet, and the event loop
        // must not wait for it.
        let last = self.last_page.try_lock().ok()?;
        kept_in(last.as_ref(), at, len, self.count)
    }

    fn locate(&self, key: RowKey) -> Result<std::result::Result<usize, usize>> {
        let before = self.before(key)?;
        let at = self.db.count(&self.condition, &self.compare(key, "="))?;
        Ok(if at > 0 { Ok(before) } else { Err(before) })
    }

    fn span(&self) -> Result<(Option<(i64, i64)>, usize)> {
        let rows = query_json(
            &self.db.client,
            &format!(
                "SELECT countIf({TIME_COLUMN} = {NO_TIME}) AS untimed, \
                 countIf({TIME_COLUMN} != {NO_TIME}) AS timed, \
                 minIf({TIME_COLUMN}, {TIME_COLUMN} != {NO_TIME}) AS first, \
                 maxIf({TIME_COLUMN}, {TIME_COLUMN} != {NO_TIME}) AS last \
                 FROM {ENTRIES} WHERE {}",
                self.condition
            ),
        )?;
        let Some(row) = rows.first() else {
            return Ok((None, 0));
        };
        let span = (int(row, "timed") > 0).then(|| (int(row, "first"), int(row, "last")));
        Ok((span, int(row, "untimed") as usize))
    }

    fn tool_stats(&self) -> Result<Vec<ToolStats>> {
        let logged = "NOT isNaN(duration_ms)";
        let percentile = |p: &str| {
            format!(
                "if(logged = 0, nan, arrayElement(sorted, \
                 toUInt64(greatest(1., least(toFloat64(logged), ceil({p} * logged))))))"
            )
        };
        // The sum is the database's, in its order; the store adds in log
        // order. Rounded to 0.1 ms they agree unless a mean falls within
        // an ulp of a rounding edge. The outer SELECT leaves the sorted
        // durations in the server: only the two ranks picked from them
        // come back (a million durations would otherwise be sent as JSON).
        let sql = format!(
            "SELECT tool, calls, ok, failed, logged, total, users, p50, p95, max_at, max FROM (\
             SELECT tool, count() AS calls, countIf(success = 1) AS ok, \
             countIf(success = 0) AS failed, countIf({logged}) AS logged, \
             sumIf(duration_ms, {logged}) AS total, uniqExact(user) AS users, \
             arraySort(groupArrayIf(duration_ms, {logged})) AS sorted, \
             {} AS p50, {} AS p95, argMaxIf((ts, file, line), duration_ms, {logged}) AS max_at, \
             maxIf(duration_ms, {logged}) AS max \
             FROM {ENTRIES} WHERE {} GROUP BY tool)",
            percentile("0.5"),
            percentile("0.95"),
            self.condition
        );
        let rows = query_json(&self.db.client, &sql)?;
        let mut stats: Vec<ToolStats> = rows
            .iter()
            .map(|row| -> Result<ToolStats> {
                let logged = int(row, "logged") as usize;
                let logged_float = |column| (logged > 0).then(|| float(row, column)).flatten();
                let max_line = self.db.line_at(&row["max_at"])?;
                let max_entry = max_line.as_deref().and_then(|raw| parse_line(raw).ok());
                Ok(from_totals(ToolTotals {
                    tool: optional_text(row, "tool"),
                    calls: int(row, "calls") as usize,
                    ok: int(row, "ok") as usize,
                    failed: int(row, "failed") as usize,
                    logged,
                    duration_sum: float(row, "total").unwrap_or(0.0),
                    users: int(row, "users") as usize,
                    p50: logged_float("p50"),
                    p95: logged_float("p95"),
                    max: logged_float("max").map(|max| max_as_logged(max_entry.as_ref(), max)),
                }))
            })
            .collect::<Result<_>>()?;
        sort_busiest_first(&mut stats);
        Ok(stats)
    }

    fn failures(&self) -> Result<Failures> {
        // The newest few, found by their keys over narrow columns: every
        // failure with its line was hundreds of MB at 10M rows, held by
        // the pane that shows a screenful.
        let failed = format!("{} AND success = 0", self.condition);
        let Some(newest) = self
            .db
            .page_condition(&failed, Order::Time, true, 0, NEWEST_LISTED)?
        else {
            return Ok(Failures::default());
        };
        let subset = self.db.subset(&newest)?;
        let mut found = failures(&subset.store, &subset.all());
        let local: Vec<u32> = found.iter().map(|f| f.row).collect();
        let numbers = self.db.rows_of(&subset, &local)?;
        for ((failure, row), number) in found.iter_mut().zip(local).zip(numbers) {
            failure.key = subset.key(&self.db.files, row);
            failure.file = subset.file(row);
            failure.line = subset.line(row);
            failure.row = number;
        }
        // The subset is in log order, so ties in time kept their order.
        Ok(found.into())
    }

    fn histogram(&self, width: Width) -> Result<std::result::Result<Histogram, TooManyBuckets>> {
        self.count_buckets(width)
    }

    fn activity(
        &self,
        width: Width,
        groups: usize,
    ) -> Result<std::result::Result<ActivityData, TooManyBuckets>> {
        let histogram = match self.count_buckets(width)? {
            Ok(histogram) => histogram,
            Err(too_many) => return Ok(Err(too_many)),
        };
        let latency = self.latency(&histogram, groups)?;
        Ok(Ok(ActivityData { histogram, latency }))
    }

    fn alerts(&self, threshold: usize, window_micros: i64) -> Result<Alerts> {
        // Bursts need a patient and emergencies a purpose; reviews come
        // from the whole table, as the store looks for them in the whole log.
        let review = "(positionCaseInsensitive(tool, 'review') > 0 \
                      OR lower(purpose) IN ('review', 'audit'))";
        let selected = fetch(
            &self.db.client,
            &self.db.rows_sql(
                &format!("{} AND (patient != '' OR purpose != '')", self.condition),
                Order::File,
                false,
                ALL,
            ),
        )?;
        let reviews = fetch(
            &self.db.client,
            &self.db.rows_sql(
                &format!("patient != '' AND {review} AND NOT ({})", self.condition),
                Order::File,
                false,
                ALL,
            ),
        )?;
        let (merged, chosen) = merge_in_log_order(selected, reviews);
        let subset = Subset::new(merged);
        let mut found = alerts(&subset.store, &chosen, threshold, window_micros);
        let files = &self.db.files;
        for burst in &mut found.bursts {
            burst.first_key = subset.key(files, burst.rows[0]);
            burst.rows = self.db.rows_of(&subset, &burst.rows)?;
        }
        let local: Vec<u32> = found.emergencies.iter().map(|e| e.row).collect();
        let numbers = self.db.rows_of(&subset, &local)?;
        for ((emergency, row), number) in found.emergencies.iter_mut().zip(local).zip(numbers) {
            emergency.key = subset.key(files, row);
            emergency.row = number;
        }
        Ok(found)
    }

    fn retention(&self, policies: &Policies, now: i64, due: i64) -> Result<Vec<RetentionEntry>> {
        let subset = self.subset("1")?;
        let entries = retention(&subset.store, &subset.all(), policies, now, due);
        self.db.retention_rows(&subset, entries)
    }

    fn timeline(&self, conversation: &str) -> Result<Vec<TimelineEntry>> {
        let subset = self.subset(&format!("conversation = {}", string_literal(conversation)))?;
        let mut entries = timeline(&subset.store, &subset.all(), conversation);
        let local: Vec<u32> = entries.iter().map(|e| e.row).collect();
        let numbers = self.db.rows_of(&subset, &local)?;
        for ((entry, row), number) in entries.iter_mut().zip(local).zip(numbers) {
            entry.key = subset.key(&self.db.files, row);
            entry.row = number;
        }
        Ok(entries)
    }

    fn access_report(&self, patient: &str, start: Moment, end: Moment) -> Result<AccessReport> {
        let subset = self.subset(&format!(
            "patient = {} AND {TIME_COLUMN} >= {} AND {TIME_COLUMN} <= {}",
            string_literal(patient),
            start.micros,
            end.micros
        ))?;
        let mut report = access_report(
            &subset.store,
            &self.db.verification,
            &subset.all(),
            patient,
            start,
            end,
        );
        let files = &self.db.files;
        for key in &mut report.keys {
            *key = subset.key(files, key.position as u32);
        }
        Ok(report)
    }
}

/// The page asked for, from the page kept (`(at, len, page)`): the same
/// question, or a part of an index page.
fn kept_in(
    last: Option<&(PageAt, usize, Page)>,
    at: PageAt,
    len: usize,
    count: usize,
) -> Option<Page> {
    let (kept_at, kept_len, page) = last?;
    if (*kept_at, *kept_len) == (at, len) {
        return Some(page.clone());
    }
    match at {
        PageAt::Index(index) => part_of(page, index, len, count),
        _ => None,
    }
}

/// The `len` entries from `index` on, when `page` holds them all (or holds
/// every entry from `index` to the end of a selection of `count`).
fn part_of(page: &Page, index: usize, len: usize, count: usize) -> Option<Page> {
    let end = page.start + page.rows.len();
    let wanted = index.checked_add(len)?;
    let covered = page.start <= index && (wanted <= end || (end == count && index <= end));
    covered.then(|| Page {
        start: index,
        rows: page.rows[index - page.start..wanted.min(end) - page.start].to_vec(),
    })
}

/// `ORDER BY` for listing in `order`, or its reverse.
fn order_by(order: Order, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let time = match order {
        Order::Time => format!("{TIME_COLUMN} {direction}, "),
        Order::File => String::new(),
    };
    format!("{time}file {direction}, line {direction}")
}

/// A `LIMIT` that lets every row through.
const ALL: usize = usize::MAX >> 1;

/// Two lists of entries in log order as one, and the places in it of the
/// first list's entries.
fn merge_in_log_order(first: Vec<Fetched>, second: Vec<Fetched>) -> (Vec<Fetched>, Vec<u32>) {
    let mut merged = Vec::with_capacity(first.len() + second.len());
    let mut chosen = Vec::with_capacity(first.len());
    let (mut first, mut second) = (first.into_iter().peekable(), second.into_iter().peekable());
    loop {
        let take_first = match (first.peek(), second.peek()) {
            (Some(a), Some(b)) => (&a.file, a.line) < (&b.file, b.line),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_first {
            chosen.push(merged.len() as u32);
            merged.extend(first.next());
        } else {
            merged.extend(second.next());
        }
    }
    (merged, chosen)
}
