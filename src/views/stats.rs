//! Per-tool statistics: the lesson's `AuditQueryEngine.by_tool` for every
//! tool in the selection, plus failures and duration percentiles.

use super::sorted::Sorted;
use super::{PyNumber, python_round};
use crate::filter::Field;
use crate::log::entry::{Entry, Picks};
use crate::log::json::Value;
use crate::store::store::{Outcome, Sym};
use crate::store::{Columns, Rows, Store};
use foldhash::fast::RandomState;
use serde::Serialize;
use std::collections::HashMap;

/// One tool's numbers. The first six fields are the lesson's `by_tool` keys
/// with its rounding; the rest are extras.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolStats {
    /// `None` for entries that logged no tool name.
    pub tool: Option<String>,
    pub total_calls: usize,
    /// Share of calls that logged `success: true`, `round(…, 3)`.
    pub success_rate: f64,
    /// Mean over the calls that logged a duration, `round(…, 1)`.
    pub avg_duration_ms: Option<f64>,
    /// `round(max(…), 1)`: an integer when the maximum was logged as one.
    pub max_duration_ms: Option<PyNumber>,
    /// Distinct user ids (a missing user counts once, as Python's `None` would).
    pub unique_users: usize,
    pub failures: usize,
    /// Nearest-rank percentiles of the logged durations, `round(…, 1)`.
    pub p50_duration_ms: Option<f64>,
    pub p95_duration_ms: Option<f64>,
}

#[derive(Default, Clone)]
struct Tally {
    calls: usize,
    ok: usize,
    failed: usize,
    /// Logged durations, for the percentiles, of tallies counted on top
    /// of (a followed selection's): kept sorted in shared blocks, so that
    /// a copy of the tallies costs what its appended rows add, not a copy
    /// of every duration.
    durations: Sorted,
    /// Logged durations not in `durations`, in no order: a first count's
    /// percentiles are selected from them in linear time, not sorted
    /// (BENCHMARKS.md, "Issue 21"). Taken into `durations` when rows are
    /// counted on top of them or leave; empty while `durations` is not.
    unsorted: Vec<f64>,
    /// Taken left to right in row order, as Python's `sum()` does, to
    /// round the same way.
    duration_sum: f64,
    /// Row of the first largest duration (Python's `max` keeps the first).
    max_row: Option<(f64, usize)>,
    /// `duration_sum` and `max_row` lost rows (a `last:` window moved):
    /// they are taken again over the rows when next read, as a left to
    /// right sum cannot be undone to the bit.
    stale: bool,
    /// Rows per user, so that rows can leave. foldhash: the ids are
    /// small integers, SipHash was a tenth of the view.
    users: HashMap<Sym, u32, RandomState>,
}

/// What [`tool_stats`] reads of each row: the tools, users, outcomes and
/// durations; a load for it alone reads no time or turn (as a count:
/// BENCHMARKS.md, "Issue 21") unless its filter tests them.
pub const COLUMNS: Columns = Columns::FILTER_ONLY
    .with(Field::Tool)
    .with(Field::User)
    .reading(Picks::OUTCOME.and(Picks::DURATION));

/// Statistics per tool over `rows`, busiest tool first (ties by name).
pub fn tool_stats<'a>(store: &Store, rows: impl Rows<'a>) -> Vec<ToolStats> {
    let mut tallies = Tallies::default();
    tallies.extend(store, rows);
    tallies.stats(store)
}

/// What [`tool_stats`] counts, kept so that rows appended to a selection
/// are counted on top of it rather than all rows again.
#[derive(Default, Clone)]
pub struct Tallies {
    /// Index = tool id (ids are dense: a vector, not a map, a row); a
    /// tool with no calls counted is absent from the stats.
    by_tool: Vec<Tally>,
    /// Whether rows were counted: rows counted on top of them keep the
    /// durations sorted (see [`Tally::unsorted`]).
    counted: bool,
}

impl Tally {
    /// Take `row`'s logged `duration` into the sum and the first maximum.
    fn sum_and_max(&mut self, store: &Store, duration: f64, row: usize) {
        self.duration_sum += duration;
        if self
            .max_row
            .is_none_or(|max| first_max(store, (duration, row), max))
        {
            self.max_row = Some((duration, row));
        }
    }

    /// Take the unsorted durations into the sorted ones.
    fn sort_durations(&mut self) {
        if !self.unsorted.is_empty() {
            self.durations.extend(std::mem::take(&mut self.unsorted));
        }
    }

    /// The nearest-rank p50 and p95 of the logged durations.
    fn percentiles(&mut self) -> Option<(f64, f64)> {
        if !self.durations.is_empty() {
            self.sort_durations();
            let durations = &self.durations;
            let rank = |p| durations.nth(nearest_rank(p, durations.len()));
            return Some((rank(0.50)?, rank(0.95)?));
        }
        select_percentiles(&mut self.unsorted)
    }
}

/// The nearest-rank p50 and p95 of `values` (reordered), by selection.
/// Numbers equal by `f64::total_cmp` have the same bits, so this is the
/// number a sort would put at each rank (checked against [`Sorted`] by
/// the `percentiles` fuzz target).
pub fn select_percentiles(values: &mut [f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let (p50, p95) = (
        nearest_rank(0.50, values.len()),
        nearest_rank(0.95, values.len()),
    );
    let (_, &mut median, above) = values.select_nth_unstable_by(p50, f64::total_cmp);
    let high = match p95.checked_sub(p50 + 1) {
        Some(rank) => *above.select_nth_unstable_by(rank, f64::total_cmp).1,
        None => median,
    };
    Some((median, high))
}

impl Tallies {
    /// Count `rows`, which come after every row counted so far.
    pub fn extend<'a>(&mut self, store: &Store, rows: impl Rows<'a>) {
        let tools = &store.column(Field::Tool).ids;
        let users = &store.column(Field::User).ids;
        for &row in rows {
            let row = row as usize;
            let tally = self.tally(tools.get(row));
            tally.calls += 1;
            match store.outcome[row] {
                Outcome::Ok => tally.ok += 1,
                Outcome::Failed => tally.failed += 1,
                Outcome::Unknown => {}
            }
            let duration = store.duration_ms[row];
            if !duration.is_nan() {
                tally.unsorted.push(duration);
                tally.sum_and_max(store, duration, row);
            }
            *tally.users.entry(users.get(row)).or_default() += 1;
        }
        if self.counted {
            self.by_tool.iter_mut().for_each(Tally::sort_durations);
        }
        self.counted = true;
    }

    /// The tally of `tool`, made when first met.
    fn tally(&mut self, tool: Sym) -> &mut Tally {
        let index = tool as usize;
        if index >= self.by_tool.len() {
            self.by_tool.resize_with(index + 1, Tally::default);
        }
        &mut self.by_tool[index]
    }

    /// Take out `rows`, counted before: the counts, users and durations
    /// at once; the sums and maxima of the tools they were of are taken
    /// again by [`Tallies::refresh`].
    pub fn remove(&mut self, store: &Store, rows: &[u32]) {
        let tools = &store.column(Field::Tool).ids;
        let users = &store.column(Field::User).ids;
        self.by_tool.iter_mut().for_each(Tally::sort_durations);
        for &row in rows {
            let row = row as usize;
            let tool = tools.get(row) as usize;
            let Some(tally) = self.by_tool.get_mut(tool).filter(|t| t.calls > 0) else {
                continue;
            };
            tally.calls -= 1;
            match store.outcome[row] {
                Outcome::Ok => tally.ok -= 1,
                Outcome::Failed => tally.failed -= 1,
                Outcome::Unknown => {}
            }
            let duration = store.duration_ms[row];
            if !duration.is_nan() {
                tally.durations.remove(duration);
                tally.stale = true;
            }
            let user = users.get(row);
            if let Some(count) = tally.users.get_mut(&user) {
                *count -= 1;
                if *count == 0 {
                    tally.users.remove(&user);
                }
            }
            if tally.calls == 0 {
                *tally = Tally::default();
            }
        }
    }

    /// The sums and maxima that rows left taken again over `rows` (all
    /// the rows counted, in order): one pass, for the stale tools only.
    pub fn refresh<'a>(&mut self, store: &Store, rows: impl Rows<'a>) {
        if !self.by_tool.iter().any(|tally| tally.stale) {
            return;
        }
        let tools = &store.column(Field::Tool).ids;
        for tally in self.by_tool.iter_mut().filter(|tally| tally.stale) {
            tally.duration_sum = 0.0;
            tally.max_row = None;
        }
        for &row in rows {
            let row = row as usize;
            let duration = store.duration_ms[row];
            let tally = self.by_tool.get_mut(tools.get(row) as usize);
            if let Some(tally) = tally.filter(|t| t.stale && !duration.is_nan()) {
                tally.sum_and_max(store, duration, row);
            }
        }
        for tally in &mut self.by_tool {
            tally.stale = false;
        }
    }

    /// The statistics of the rows counted, busiest tool first.
    pub fn stats(&mut self, store: &Store) -> Vec<ToolStats> {
        let mut stats: Vec<ToolStats> = (self.by_tool.iter_mut().enumerate())
            .filter(|(_, tally)| tally.calls > 0)
            .map(|(tool, tally)| {
                let percentiles = tally.percentiles();
                finish(store, tool as Sym, tally, percentiles)
            })
            .collect();
        sort_busiest_first(&mut stats);
        stats
    }
}

fn finish(store: &Store, tool: Sym, tally: &Tally, percentiles: Option<(f64, f64)>) -> ToolStats {
    let logged = tally.durations.len() + tally.unsorted.len();
    from_totals(ToolTotals {
        tool: store.column(Field::Tool).dict.get(tool).map(str::to_owned),
        calls: tally.calls,
        ok: tally.ok,
        failed: tally.failed,
        logged,
        duration_sum: tally.duration_sum,
        users: tally.users.len(),
        p50: percentiles.map(|(p50, _)| p50),
        p95: percentiles.map(|(_, p95)| p95),
        max: tally
            .max_row
            .map(|(max, row)| max_as_logged(store.entry(row).as_ref(), max)),
    })
}

/// What a backend counts for one tool; [`from_totals`] rounds it as the
/// lesson does.
pub struct ToolTotals {
    pub tool: Option<String>,
    pub calls: usize,
    pub ok: usize,
    pub failed: usize,
    /// Calls that logged a duration.
    pub logged: usize,
    pub duration_sum: f64,
    pub users: usize,
    /// Nearest-rank percentiles of the logged durations, unrounded.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<PyNumber>,
}

pub fn from_totals(totals: ToolTotals) -> ToolStats {
    let round = |x: Option<f64>| x.map(|x| python_round(x, 1));
    ToolStats {
        tool: totals.tool,
        total_calls: totals.calls,
        success_rate: python_round(totals.ok as f64 / totals.calls as f64, 3),
        avg_duration_ms: round(
            (totals.logged > 0).then(|| totals.duration_sum / totals.logged as f64),
        ),
        max_duration_ms: totals.max,
        unique_users: totals.users,
        failures: totals.failed,
        p50_duration_ms: round(totals.p50),
        p95_duration_ms: round(totals.p95),
    }
}

/// Whether `(duration, row)` is the maximum rather than `max`: the
/// larger, or the first in file order of equal ones (rows appended to
/// several followed files are counted out of file order).
fn first_max(store: &Store, (duration, row): (f64, usize), (max, max_row): (f64, usize)) -> bool {
    duration > max
        || (duration == max && store.file_rank(row as u32) < store.file_rank(max_row as u32))
}

/// Busiest tool first, then by name, the calls without a tool last.
pub fn sort_busiest_first(stats: &mut [ToolStats]) {
    stats.sort_by(|a, b| {
        b.total_calls
            .cmp(&a.total_calls)
            .then_with(|| a.tool.is_none().cmp(&b.tool.is_none()))
            .then_with(|| a.tool.cmp(&b.tool))
    });
}

/// Index of the nearest-rank `p` percentile among `n` sorted values (`n > 0`).
pub fn nearest_rank(p: f64, n: usize) -> usize {
    ((p * n as f64).ceil() as usize).clamp(1, n) - 1
}

/// `round(max, 1)` keeping Python's type: `round(2099, 1)` is the int 2099.
/// `entry` is the one that logged the maximum.
pub fn max_as_logged(entry: Option<&Entry<'_>>, max: f64) -> PyNumber {
    match entry.and_then(|e| e.value.get("duration_ms")) {
        Some(Value::Int(text)) => text.parse().map_or(PyNumber::Float(max), PyNumber::Int),
        _ => PyNumber::Float(python_round(max, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_of_the_stats_columns_alone_gives_a_whole_ones_stats() {
        use crate::filter::parse_filter;
        use crate::store::query::select;
        let load = crate::store::lazy::generated_loader(3_000);
        let whole = load(Columns::ALL);
        for query in [
            "",
            "tool:get_order",
            "refund",
            "failed",
            "-ok",
            "last:3h",
            "since:2025-07-06T09:00:00Z",
        ] {
            let filter = parse_filter(query).expect("a valid filter");
            let alone = load(COLUMNS.with_filter(&filter));
            let stats = tool_stats(&alone, &select(&alone, &filter));
            assert!(!stats.is_empty(), "{query}");
            assert_eq!(
                stats,
                tool_stats(&whole, &select(&whole, &filter)),
                "{query}"
            );
        }
    }

    #[test]
    fn a_store_interned_on_the_pool_gives_the_stats_of_one_interned_in_order() {
        use crate::filter::parse_filter;
        use crate::store::lazy::generated_sources;
        use crate::store::query::select;
        use crate::store::{load_keeping, load_matching};
        use std::sync::atomic::AtomicBool;
        let never = AtomicBool::new(false);
        // Several batches, each read by both pool threads.
        let sources = generated_sources(6_000);
        let (whole, _) = load_keeping(sources(), false, Columns::ALL, |_| {}, &never).unwrap();
        for query in ["", "tool:get_order", "refund", "failed", "last:2h"] {
            let filter = parse_filter(query).expect("a valid filter");
            // As `stats` loads (`cli::common::load_matching`).
            let (pooled, _) = load_matching(sources(), COLUMNS, &filter, |_| {}, &never).unwrap();
            let rows = select(&pooled, &filter);
            assert_eq!(
                tool_stats(&pooled, &rows),
                tool_stats(&whole, &select(&whole, &filter)),
                "{query}"
            );
        }
    }

    #[test]
    fn percentiles_selected_are_those_of_the_sorted_numbers() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let special = [0.0, -0.0, f64::NAN, -f64::NAN, f64::INFINITY, -5e-324];
        // Sizes around each rank's steps and the sorted blocks' size;
        // few distinct values (ties), any bits, durations.
        for n in (1..=41).chain([99, 100, 101, 1024, 1025, 2049, 5000]) {
            let values: Vec<f64> = (0..n)
                .map(|i| match next() % 4 {
                    0 => special[i % special.len()],
                    1 => f64::from_bits(next()),
                    2 => (next() % 7) as f64,
                    _ => (next() % 100_000) as f64 / 100.0,
                })
                .collect();
            let mut sorted = Sorted::default();
            sorted.extend(values.clone());
            let rank = |p| sorted.nth(nearest_rank(p, n)).map(f64::to_bits);
            let mut unsorted = values;
            let selected = select_percentiles(&mut unsorted);
            let bits = selected.map(|(p50, p95)| (p50.to_bits(), p95.to_bits()));
            assert_eq!(bits, rank(0.50).zip(rank(0.95)), "{n} numbers");
        }
        assert_eq!(select_percentiles(&mut []), None);
    }
}
