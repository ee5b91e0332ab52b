//! Activity over time: how many calls, and how many failed, per time
//! bucket; and each tool's p95 duration over the same buckets.
//!
//! Buckets are intervals of UTC time aligned to whole multiples of their
//! width since the Unix epoch: a `1d` bucket runs from midnight UTC to
//! midnight UTC whatever offset the log wrote its timestamps in, and no
//! bucket is ever 23 or 25 hours long (UTC has no daylight saving). The
//! first and last buckets are aligned the same way, so they may cover time
//! before the first entry or after the last one.

use super::stats::nearest_rank;
use crate::filter::Field;
use crate::store::store::{NO_TIME, Outcome, Sym};
use crate::store::{Rows, Store};
use serde::Serialize;

pub const SECOND: i64 = 1_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// The widths chosen automatically and stepped through with `+`/`-`: each
/// divides the next larger unit, so bucket edges fall on round times.
/// Past a day, widths are whole days.
pub const WIDTHS: [i64; 13] = [
    SECOND,
    5 * SECOND,
    10 * SECOND,
    30 * SECOND,
    MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    30 * MINUTE,
    HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];

/// More buckets than this is a mistake (`1s` over a year), not a histogram.
pub const MAX_BUCKETS: usize = 100_000;

/// How wide the buckets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The narrowest of [`WIDTHS`] (or whole days) that shows the span in at
    /// most this many buckets.
    Auto(usize),
    /// Exactly this many microseconds (positive).
    Fixed(i64),
}

/// One interval: `[start, start + width)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Microseconds since the Unix epoch, UTC.
    pub start: i64,
    pub calls: u32,
    /// Calls that logged `success: false`.
    pub failures: u32,
}

/// How much of a bar `cells` long a bucket fills when `peak` calls fill
/// all of it: the same rule for the terminal's bars and the browser's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarFill {
    /// The calls, in eighths of a cell, rounded up: any call shows.
    pub eighths: usize,
    /// The failed share, in whole cells (block glyphs have no shaded
    /// eighths): any failure shows as one cell, never more than the calls.
    pub failed_cells: usize,
}

impl Bucket {
    pub fn fill(&self, peak: u32, cells: usize) -> BarFill {
        if peak == 0 {
            return BarFill {
                eighths: 0,
                failed_cells: 0,
            };
        }
        let scale = |n: u32| (u64::from(n) * cells as u64 * 8).div_ceil(u64::from(peak)) as usize;
        let eighths = scale(self.calls);
        let failed_cells = match self.failures {
            0 => 0,
            n => (scale(n) / 8).max(1).min(eighths.div_ceil(8)),
        };
        BarFill {
            eighths,
            failed_cells,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    /// Microseconds.
    pub width: i64,
    /// Consecutive buckets from the one holding the earliest selected
    /// entry to the one holding the latest; quiet ones count zero.
    pub buckets: Vec<Bucket>,
    /// Selected entries without a readable timestamp: in no bucket.
    pub untimed: usize,
}

impl Histogram {
    /// These buckets, which cover the times of `rows`, with `rows` counted.
    pub fn counted<'a>(mut self, store: &Store, rows: impl Rows<'a>) -> Histogram {
        let Some(origin) = self.buckets.first().map(|b| b.start) else {
            return self;
        };
        for &row in rows {
            let row = row as usize;
            let time = store.time[row];
            if time == NO_TIME {
                continue;
            }
            let bucket = &mut self.buckets[((time - origin) / self.width) as usize];
            bucket.calls += 1;
            bucket.failures += u32::from(store.outcome[row] == Outcome::Failed);
        }
        self
    }

    /// End (exclusive) of the last bucket.
    pub fn end(&self) -> Option<i64> {
        self.buckets.last().map(|b| b.start + self.width)
    }

    /// The most calls in one bucket.
    pub fn peak(&self) -> u32 {
        self.buckets.iter().map(|b| b.calls).max().unwrap_or(0)
    }

    /// The bucket holding `time`, if the histogram covers it.
    pub fn index_of(&self, time: i64) -> Option<usize> {
        let first = self.buckets.first()?.start;
        let index = usize::try_from((time - first).div_euclid(self.width)).ok()?;
        (index < self.buckets.len()).then_some(index)
    }

    /// Calls and failures of buckets `range`, added up.
    pub fn totals(&self, range: std::ops::RangeInclusive<usize>) -> (u64, u64) {
        self.buckets
            .get(range)
            .unwrap_or_default()
            .iter()
            .fold((0, 0), |(calls, failures), b| {
                (calls + u64::from(b.calls), failures + u64::from(b.failures))
            })
    }
}

/// A width that would need more than [`MAX_BUCKETS`] buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyBuckets {
    pub width: i64,
    pub count: u64,
}

/// Earliest and latest readable timestamps of some rows, and how many had
/// none.
pub type Span = (Option<(i64, i64)>, usize);

/// The [`Span`] of `rows`.
pub fn span<'a>(store: &Store, rows: impl Rows<'a>) -> Span {
    let (mut first, mut last, mut untimed) = (i64::MAX, i64::MIN, 0);
    for &row in rows {
        let time = store.time[row as usize];
        if time == NO_TIME {
            untimed += 1;
        } else {
            first = first.min(time);
            last = last.max(time);
        }
    }
    ((first <= last).then_some((first, last)), untimed)
}

/// The [`Span`] of two sets of rows together.
pub fn joined((one, untimed): Span, (other, more): Span) -> Span {
    let times = match (one, other) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (one, other) => one.or(other),
    };
    (times, untimed + more)
}

/// How many buckets of `width` cover `first..=last`.
pub fn bucket_count((first, last): (i64, i64), width: i64) -> u64 {
    (last.div_euclid(width) - first.div_euclid(width)) as u64 + 1
}

/// The narrowest width of [`WIDTHS`] that shows the span in at most
/// `max` buckets; whole days when even a day is too narrow.
pub fn auto_width(span: (i64, i64), max: usize) -> i64 {
    let max = max.max(1) as u64;
    if let Some(&width) = WIDTHS.iter().find(|&&w| bucket_count(span, w) <= max) {
        return width;
    }
    let days = (span.1 - span.0) / DAY + 1;
    let mut width = (days as u64).div_ceil(max) as i64 * DAY;
    // Aligned days may straddle one more bucket than the division says.
    // Past the farthest time from the epoch a wider bucket changes
    // nothing: a span across the epoch (a multiple of every width) is two
    // buckets however wide, even when one is asked for.
    let farthest = span.0.unsigned_abs().max(span.1.unsigned_abs());
    while bucket_count(span, width) > max && (width as u64) <= farthest {
        width += DAY;
    }
    width
}

/// The next width up from `width`: the ladder, then doubling days.
pub fn wider(width: i64) -> i64 {
    WIDTHS
        .iter()
        .copied()
        .find(|&w| w > width)
        .unwrap_or_else(|| (width / DAY * 2).max(2) * DAY)
}

/// The next width down from `width`, if any.
pub fn narrower(width: i64) -> Option<i64> {
    if width > 2 * DAY {
        return Some((width / DAY / 2).max(1) * DAY);
    }
    WIDTHS.iter().copied().rev().find(|&w| w < width)
}

/// Calls and failures of `rows` per bucket: one pass for the span, one to
/// count, nothing allocated per row.
pub fn histogram<'a>(
    store: &Store,
    rows: impl Rows<'a>,
    width: Width,
) -> Result<Histogram, TooManyBuckets> {
    let (span, untimed) = span(store, rows);
    Ok(empty_buckets(span, untimed, width)?.counted(store, rows))
}

/// `before`, the histogram at `width` of some rows, with `rows` (appended
/// after them) counted in, `span` being the span of them all: the same as
/// [`histogram`] of all of them. `None` when the buckets move (an
/// automatic width grew, or a row came before the first bucket) and every
/// row must be counted again.
pub fn extended<'a>(
    before: &Histogram,
    span: Span,
    store: &Store,
    rows: impl Rows<'a>,
    width: Width,
) -> Option<Result<Histogram, TooManyBuckets>> {
    let mut layout = match empty_buckets(span.0, span.1, width) {
        Ok(histogram) => histogram,
        Err(too_many) => return Some(Err(too_many)),
    };
    let moved = layout.width != before.width
        || before.buckets.first().map(|b| b.start) != layout.buckets.first().map(|b| b.start);
    if moved && !before.buckets.is_empty() {
        return None;
    }
    for (bucket, counted) in layout.buckets.iter_mut().zip(&before.buckets) {
        *bucket = *counted;
    }
    Some(Ok(layout.counted(store, rows)))
}

/// The buckets, all zero, of a histogram over `span` (earliest and latest
/// readable times) with `untimed` entries outside it: every backend lays
/// them out this way and then counts.
pub fn empty_buckets(
    span: Option<(i64, i64)>,
    untimed: usize,
    width: Width,
) -> Result<Histogram, TooManyBuckets> {
    let width = match width {
        Width::Auto(max) => span.map_or(MINUTE, |span| auto_width(span, max)),
        Width::Fixed(width) => width.max(1),
    };
    let Some((first, last)) = span else {
        return Ok(Histogram {
            width,
            buckets: Vec::new(),
            untimed,
        });
    };
    let count = bucket_count((first, last), width);
    if count > MAX_BUCKETS as u64 {
        return Err(TooManyBuckets { width, count });
    }
    let origin = first.div_euclid(width) * width;
    let buckets = (0..count as i64)
        .map(|i| Bucket {
            start: origin + i * width,
            calls: 0,
            failures: 0,
        })
        .collect();
    Ok(Histogram {
        width,
        buckets,
        untimed,
    })
}

/// The grid a database counts on in its one pass over the times: every
/// automatic width from an hour up (and every fixed width of whole hours)
/// is a whole number of its cells, so the buckets are laid out from the
/// cells without a pass for the span first. Cells are few (a year is
/// 8,760), whatever the number of entries.
pub const GRID: i64 = HOUR;

/// The entries of one cell of a grid: `[index * grid, (index + 1) * grid)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// `floor(time / grid)`.
    pub index: i64,
    pub calls: u32,
    /// Calls that logged `success: false`.
    pub failures: u32,
}

/// A histogram laid out from cells ([`regrid`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regridded {
    /// Its buckets are whole cells: counted.
    Counted(Histogram),
    /// Its buckets are narrower than a cell (or not whole cells): laid out
    /// over the exact span, all zero, to be counted at their own width.
    Uncounted(Histogram),
}

/// The histogram at `width` of the entries counted in `cells` (on a grid
/// of `grid` microseconds, in any order), whose [`Span`] is `span`: the
/// same as [`histogram`] of those entries.
pub fn regrid(
    cells: &[Cell],
    grid: i64,
    (span, untimed): Span,
    width: Width,
) -> Result<Regridded, TooManyBuckets> {
    let mut layout = empty_buckets(span, untimed, width)?;
    let Some((first, _)) = span else {
        return Ok(Regridded::Counted(layout));
    };
    if layout.width % grid != 0 {
        return Ok(Regridded::Uncounted(layout));
    }
    // floor(t / width) = floor(floor(t / grid) / (width / grid)) when the
    // grid divides the width, negative times included.
    let per_bucket = layout.width / grid;
    let origin = first.div_euclid(layout.width);
    for cell in cells {
        // Cells and span come from two queries of a database: rows written
        // or removed between them may put a cell outside the span.
        let index = usize::try_from(cell.index.div_euclid(per_bucket) - origin).ok();
        let Some(bucket) = index.and_then(|index| layout.buckets.get_mut(index)) else {
            continue;
        };
        bucket.calls += cell.calls;
        bucket.failures += cell.failures;
    }
    Ok(Regridded::Counted(layout))
}

/// One tool's p95 duration per group of buckets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolLatency {
    /// `None` for entries that logged no tool name.
    pub tool: Option<String>,
    /// Milliseconds, within [`LATENCY_ERROR`] of the nearest-rank p95;
    /// `None` for a group in which the tool logged no duration.
    pub p95_ms: Vec<Option<f64>>,
}

/// Sub-bins per power of two of a duration.
const SUB_BINS: usize = 16;
/// Bins cover 2^-10 ms (about 1 µs) to 2^26 ms (about 18 hours); shorter
/// and longer durations count in the end bins.
const MIN_EXPONENT: i64 = -10;
const MAX_EXPONENT: i64 = 26;
const BINS: usize = (MAX_EXPONENT - MIN_EXPONENT) as usize * SUB_BINS;
/// How far a p95 from the bins may be from the exact one, relatively: half
/// a bin, far finer than a sparkline's eight levels.
pub const LATENCY_ERROR: f64 = 0.5 / SUB_BINS as f64;

/// Each tool's p95 duration over `histogram`'s buckets, taken together in
/// runs of consecutive buckets so that there are at most `groups` values
/// (a sparkline's width). Percentiles do not add up, and sorting a
/// million durations would not fit the time a keystroke has, so durations
/// are counted in log-scale bins (one pass, nothing allocated per row) and
/// the p95 read from the counts. Sorted by tool.
pub fn tool_latency<'a>(
    store: &Store,
    rows: impl Rows<'a>,
    histogram: &Histogram,
    groups: usize,
) -> Vec<ToolLatency> {
    let mut counts = LatencyCounts::new(histogram, groups);
    counts.count(store, rows);
    counts.latency(store)
}

/// What [`tool_latency`] counts, kept so that appended rows are counted on
/// top of it while the groups stay where they are.
#[derive(Clone)]
pub struct LatencyCounts {
    /// Start of the first group and the groups' layout; `None` when the
    /// histogram has no buckets.
    layout: Option<(i64, usize, i64)>,
    /// By tool (its interned id), then group, then bin.
    counts: Vec<Option<Vec<u32>>>,
}

impl LatencyCounts {
    /// Nothing counted yet, in groups of `histogram`'s buckets.
    pub fn new(histogram: &Histogram, groups: usize) -> LatencyCounts {
        let layout = histogram.buckets.first().map(|b| {
            let (groups, group_width) = latency_groups(histogram, groups);
            (b.start, groups, group_width)
        });
        LatencyCounts {
            layout,
            counts: Vec::new(),
        }
    }

    /// Whether these counts group `histogram`'s buckets as
    /// [`LatencyCounts::new`] would.
    pub fn fits(&self, histogram: &Histogram, groups: usize) -> bool {
        self.layout == LatencyCounts::new(histogram, groups).layout
    }

    /// Count the durations of `rows`, which fall in the groups.
    pub fn count<'a>(&mut self, store: &Store, rows: impl Rows<'a>) {
        let Some((origin, groups, group_width)) = self.layout else {
            return;
        };
        let column = store.column(Field::Tool);
        self.counts.resize(column.dict.len() + 1, None);
        for &row in rows {
            let row = row as usize;
            let (time, duration) = (store.time[row], store.duration_ms[row]);
            if time == NO_TIME || duration.is_nan() {
                continue;
            }
            let group = ((time - origin) / group_width) as usize;
            let tool = self.counts[column.ids.get(row) as usize]
                .get_or_insert_with(|| vec![0; groups * BINS]);
            tool[group * BINS + bin_of(duration)] += 1;
        }
    }

    /// Each tool's p95 per group, sorted by tool.
    pub fn latency(&self, store: &Store) -> Vec<ToolLatency> {
        let column = store.column(Field::Tool);
        let mut latency: Vec<ToolLatency> = self
            .counts
            .iter()
            .enumerate()
            .filter_map(|(tool, counts)| {
                Some(ToolLatency {
                    tool: column.dict.get(tool as Sym).map(str::to_owned),
                    p95_ms: counts.as_ref()?.chunks(BINS).map(p95).collect(),
                })
            })
            .collect();
        latency.sort_by(|a, b| a.tool.cmp(&b.tool));
        latency
    }
}

/// How many groups of consecutive buckets at most `groups` makes, and
/// how wide each is (microseconds).
pub fn latency_groups(histogram: &Histogram, groups: usize) -> (usize, i64) {
    let per_group = histogram.buckets.len().div_ceil(groups.max(1)).max(1);
    (
        histogram.buckets.len().div_ceil(per_group),
        histogram.width * per_group as i64,
    )
}

/// The bin of a duration: its power of two and the next four bits.
fn bin_of(ms: f64) -> usize {
    if ms.is_nan() || ms <= 0.0 {
        return 0;
    }
    let bits = ms.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let sub = ((bits >> (52 - SUB_BINS.trailing_zeros())) as usize) & (SUB_BINS - 1);
    match exponent {
        e if e < MIN_EXPONENT => 0,
        e if e >= MAX_EXPONENT => BINS - 1,
        e => (e - MIN_EXPONENT) as usize * SUB_BINS + sub,
    }
}

/// The middle of a bin.
fn bin_value(bin: usize) -> f64 {
    let exponent = (bin / SUB_BINS) as i64 + MIN_EXPONENT;
    let sub = (bin % SUB_BINS) as f64;
    2f64.powi(exponent as i32) * (1.0 + (sub + 0.5) / SUB_BINS as f64)
}

/// The nearest-rank p95 of the durations counted in `bins`.
fn p95(bins: &[u32]) -> Option<f64> {
    let total: usize = bins.iter().map(|&n| n as usize).sum();
    if total == 0 {
        return None;
    }
    let rank = nearest_rank(0.95, total);
    let mut seen = 0;
    bins.iter()
        .position(|&n| {
            seen += n as usize;
            seen > rank
        })
        .map(bin_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{call, chain_log, load};
    use crate::time::parse_timestamp;

    fn at(text: &str) -> i64 {
        parse_timestamp(text).expect(text)
    }

    /// A store of calls at `times`, failing where the flag says so.
    fn store_of(calls: &[(&str, bool)]) -> crate::store::Store {
        let entries: Vec<_> = calls
            .iter()
            .enumerate()
            .map(|(i, &(time, ok))| {
                call(
                    time,
                    "conv",
                    i as u32,
                    "usr",
                    "get_order",
                    ok,
                    10.0 * (i + 1) as f64,
                    None,
                )
            })
            .collect();
        load(&[("log.jsonl", &chain_log(&entries))]).0
    }

    fn all(store: &Store) -> Vec<u32> {
        (0..store.len() as u32).collect()
    }

    #[test]
    fn offsets_are_read_as_utc_and_buckets_align_to_utc_hours() {
        // 01:30+02:00 is 23:30 UTC the day before; 21:15-05:00 is 02:15 UTC.
        let store = store_of(&[
            ("2025-07-07T01:30:00+02:00", true),
            ("2025-07-06T23:59:59Z", false),
            ("2025-07-06T21:15:00-05:00", true),
        ]);
        let h = histogram(&store, &all(&store), Width::Fixed(HOUR)).unwrap();
        let starts: Vec<i64> = h.buckets.iter().map(|b| b.start).collect();
        assert_eq!(
            starts,
            [
                at("2025-07-06T23:00Z"),
                at("2025-07-07T00:00Z"),
                at("2025-07-07T01:00Z"),
                at("2025-07-07T02:00Z")
            ]
        );
        let counts: Vec<(u32, u32)> = h.buckets.iter().map(|b| (b.calls, b.failures)).collect();
        assert_eq!(counts, [(2, 1), (0, 0), (0, 0), (1, 0)]);
    }

    #[test]
    fn day_buckets_run_midnight_to_midnight_utc_across_a_dst_change() {
        // Europe's clocks went forward on 2025-03-30: local days were 23
        // hours long there, UTC days never are.
        let store = store_of(&[
            ("2025-03-29T23:30:00+01:00", true),
            ("2025-03-30T03:30:00+02:00", true),
            ("2025-03-31T00:30:00+02:00", true),
        ]);
        let h = histogram(&store, &all(&store), Width::Fixed(DAY)).unwrap();
        let buckets: Vec<(i64, u32)> = h.buckets.iter().map(|b| (b.start, b.calls)).collect();
        assert_eq!(
            buckets,
            [(at("2025-03-29"), 1), (at("2025-03-30"), 2)],
            "00:30+02:00 on the 31st is 22:30 UTC on the 30th"
        );
        assert_eq!(h.end(), Some(at("2025-03-31")));
    }

    #[test]
    fn quiet_buckets_between_bursts_count_zero() {
        let store = store_of(&[
            ("2025-07-06T09:00:10Z", true),
            ("2025-07-06T09:04:50Z", false),
        ]);
        let h = histogram(&store, &all(&store), Width::Fixed(MINUTE)).unwrap();
        let counts: Vec<(u32, u32)> = h.buckets.iter().map(|b| (b.calls, b.failures)).collect();
        assert_eq!(counts, [(1, 0), (0, 0), (0, 0), (0, 0), (1, 1)]);
        assert_eq!(h.totals(1..=3), (0, 0));
        assert_eq!(h.totals(0..=4), (2, 1));
    }

    #[test]
    fn partial_first_and_last_buckets_are_aligned_and_hold_their_edges() {
        // The span starts 40 s into its first minute and ends 1 µs before
        // the end of its last: both buckets still cover whole minutes, an
        // entry on an edge belongs to the bucket it starts.
        let store = store_of(&[
            ("2025-07-06T09:00:40Z", true),
            ("2025-07-06T09:01:00Z", true),
            ("2025-07-06T09:02:59.999999Z", true),
        ]);
        let h = histogram(&store, &all(&store), Width::Fixed(MINUTE)).unwrap();
        assert_eq!(h.buckets[0].start, at("2025-07-06T09:00Z"));
        assert_eq!(h.end(), Some(at("2025-07-06T09:03Z")));
        let calls: Vec<u32> = h.buckets.iter().map(|b| b.calls).collect();
        assert_eq!(calls, [1, 1, 1]);
        assert_eq!(h.index_of(at("2025-07-06T09:01Z")), Some(1));
        assert_eq!(h.index_of(at("2025-07-06T09:03Z")), None);
        assert_eq!(h.index_of(at("2025-07-06T08:59:59Z")), None);
    }

    #[test]
    fn entries_without_a_readable_time_are_counted_apart() {
        let store = store_of(&[("yesterday", true), ("2025-07-06T09:00:00Z", false)]);
        let h = histogram(&store, &all(&store), Width::Auto(60)).unwrap();
        assert_eq!((h.untimed, h.buckets.len()), (1, 1));
        let none = histogram(&store, &[0], Width::Auto(60)).unwrap();
        assert_eq!((none.untimed, none.buckets.len(), none.end()), (1, 0, None));
    }

    #[test]
    fn automatic_widths_are_the_narrowest_that_fit() {
        let span = |a: &str, b: &str| (at(a), at(b));
        let minutes = span("2025-07-06T09:00:00Z", "2025-07-06T09:03:00Z");
        assert_eq!(auto_width(minutes, 200), SECOND);
        assert_eq!(auto_width(minutes, 78), 5 * SECOND);
        assert_eq!(auto_width(minutes, 4), MINUTE);
        let days = span("2025-07-01T12:00:00Z", "2025-07-03T11:00:00Z");
        assert_eq!(auto_width(days, 48), HOUR);
        assert_eq!(auto_width(days, 3), DAY);
        let year = span("2025-01-01T00:00:00Z", "2025-12-31T23:00:00Z");
        let width = auto_width(year, 60);
        assert_eq!(width, 7 * DAY);
        assert!(bucket_count(year, width) <= 60);
    }

    #[test]
    fn one_bucket_asked_of_a_span_across_the_epoch_is_two() {
        let span = (at("1969-12-28T00:00:00Z"), at("1970-01-03T00:00:00Z"));
        let width = auto_width(span, 1);
        assert_eq!(bucket_count(span, width), 2);
        assert_eq!(width, 7 * DAY);
        let after = (at("1970-01-05T00:00:00Z"), at("1970-01-06T12:00:00Z"));
        assert_eq!(bucket_count(after, auto_width(after, 1)), 1);
    }

    #[test]
    fn widths_step_along_the_ladder_then_by_whole_days() {
        assert_eq!(wider(5 * SECOND), 10 * SECOND);
        assert_eq!(wider(DAY), 2 * DAY);
        assert_eq!(wider(3 * DAY), 6 * DAY);
        assert_eq!(narrower(MINUTE), Some(30 * SECOND));
        assert_eq!(narrower(4 * DAY), Some(2 * DAY));
        assert_eq!(narrower(2 * DAY), Some(DAY));
        assert_eq!(narrower(SECOND), None);
    }

    #[test]
    fn a_width_that_needs_too_many_buckets_is_refused() {
        let store = store_of(&[
            ("2025-01-01T00:00:00Z", true),
            ("2025-12-31T00:00:00Z", true),
        ]);
        let err = histogram(&store, &all(&store), Width::Fixed(SECOND)).unwrap_err();
        assert_eq!(err.count, 364 * 86_400 + 1);
    }

    /// Every row counted per cell of [`GRID`], as a database answers, and
    /// their span.
    fn cells_of(store: &Store) -> (Vec<Cell>, Span) {
        let mut cells: Vec<Cell> = Vec::new();
        let rows = all(store);
        for &row in &rows {
            let time = store.time[row as usize];
            if time == NO_TIME {
                continue;
            }
            let index = time.div_euclid(GRID);
            let failed = u32::from(store.outcome[row as usize] == Outcome::Failed);
            match cells.iter_mut().find(|c| c.index == index) {
                Some(cell) => {
                    cell.calls += 1;
                    cell.failures += failed;
                }
                None => cells.push(Cell {
                    index,
                    calls: 1,
                    failures: failed,
                }),
            }
        }
        // A database returns its groups in no particular order.
        cells.reverse();
        (cells, span(store, &rows))
    }

    #[test]
    fn buckets_laid_out_from_cells_are_the_buckets_counted_from_entries() {
        let logs: [&[(&str, bool)]; 3] = [
            // Before the epoch, across it, and after.
            &[
                ("1969-12-28T05:10:00-03:00", false),
                ("1969-12-31T23:59:59.999999Z", true),
                ("1970-01-01T00:00:00Z", false),
                ("1970-01-02T13:00:00Z", true),
                ("1970-01-09T01:00:00Z", true),
            ],
            &[
                ("2025-07-06T09:00:10Z", true),
                ("not a time", false),
                ("2025-07-06T09:59:59.999999Z", false),
                ("2025-07-06T10:00:00Z", true),
            ],
            // A span too long for minute buckets.
            &[
                ("1969-03-01T00:00:00Z", true),
                ("1969-12-31T12:00:00Z", false),
                ("1970-11-30T12:00:00Z", true),
            ],
        ];
        let widths = [
            Width::Auto(60),
            Width::Auto(3),
            Width::Auto(1),
            Width::Auto(500),
            Width::Fixed(HOUR),
            Width::Fixed(3 * DAY),
            Width::Fixed(7 * HOUR),
            Width::Fixed(MINUTE),
        ];
        for log in logs {
            let store = store_of(log);
            let rows = all(&store);
            let (cells, span) = cells_of(&store);
            for width in widths {
                let counted = histogram(&store, &rows, width);
                match regrid(&cells, GRID, span, width) {
                    Ok(Regridded::Counted(h)) => assert_eq!(Ok(h), counted, "{log:?} {width:?}"),
                    Ok(Regridded::Uncounted(layout)) => {
                        assert!(layout.width < GRID || layout.width % GRID != 0);
                        assert_eq!(Ok(layout.counted(&store, &rows)), counted);
                    }
                    Err(too_many) => assert_eq!(Err(too_many), counted),
                }
            }
        }
    }

    #[test]
    fn cells_say_when_buckets_need_counting_at_their_own_width() {
        let store = store_of(&[
            ("2025-07-06T09:00:10Z", true),
            ("2025-07-06T09:04:50Z", false),
        ]);
        let (cells, span) = cells_of(&store);
        let Regridded::Uncounted(layout) = regrid(&cells, GRID, span, Width::Auto(60)).unwrap()
        else {
            panic!("five minutes are not whole hours");
        };
        assert_eq!((layout.width, layout.buckets.len()), (5 * SECOND, 57));
        assert!(matches!(
            regrid(&cells, GRID, span, Width::Fixed(2 * HOUR)),
            Ok(Regridded::Counted(_))
        ));
        assert_eq!(
            regrid(&[], GRID, (None, 2), Width::Auto(60)),
            Ok(Regridded::Counted(Histogram {
                width: MINUTE,
                buckets: Vec::new(),
                untimed: 2
            }))
        );
    }

    #[test]
    fn cells_outside_the_span_are_left_out_not_a_panic() {
        // Span and cells are two queries: a row written between them may
        // land in an hour before or after the span.
        let store = store_of(&[
            ("2025-07-06T09:00:10Z", true),
            ("2025-07-06T11:30:00Z", false),
        ]);
        let (mut cells, span) = cells_of(&store);
        let first = cells.iter().map(|c| c.index).min().unwrap();
        let last = cells.iter().map(|c| c.index).max().unwrap();
        cells.push(Cell {
            index: first - 5,
            calls: 7,
            failures: 7,
        });
        cells.push(Cell {
            index: last + 50,
            calls: 9,
            failures: 0,
        });
        let Ok(Regridded::Counted(h)) = regrid(&cells, GRID, span, Width::Fixed(HOUR)) else {
            panic!("hours are whole cells");
        };
        let calls: u32 = h.buckets.iter().map(|b| b.calls).sum();
        assert_eq!((calls, h.buckets.len()), (2, 3));
    }

    #[test]
    fn tool_latency_takes_the_p95_of_each_group_of_buckets() {
        // Durations are 10, 20, 30, 40 ms; minutes 0 and 1 form one group.
        let store = store_of(&[
            ("2025-07-06T09:00:00Z", true),
            ("2025-07-06T09:01:00Z", true),
            ("2025-07-06T09:02:00Z", true),
            ("2025-07-06T09:03:30Z", true),
        ]);
        let rows = all(&store);
        let h = histogram(&store, &rows, Width::Fixed(MINUTE)).unwrap();
        let near = |latency: &[ToolLatency], exact: &[f64]| {
            let p95: Vec<f64> = latency[0].p95_ms.iter().map(|v| v.unwrap()).collect();
            assert_eq!(p95.len(), exact.len());
            for (got, want) in p95.iter().zip(exact) {
                assert!(
                    (got - want).abs() <= want * LATENCY_ERROR,
                    "{p95:?} vs {exact:?}"
                );
            }
        };
        let latency = tool_latency(&store, &rows, &h, 2);
        assert_eq!(latency.len(), 1);
        assert_eq!(latency[0].tool.as_deref(), Some("get_order"));
        near(&latency, &[20.0, 40.0]);
        near(
            &tool_latency(&store, &rows, &h, 10),
            &[10.0, 20.0, 30.0, 40.0],
        );
    }

    #[test]
    fn duration_bins_keep_p95s_within_half_a_bin() {
        for ms in [0.0012, 0.5, 1.0, 80.4, 95.0, 333.3, 30_000.5, 3.6e6] {
            let value = bin_value(bin_of(ms));
            assert!((value - ms).abs() <= ms * LATENCY_ERROR, "{ms} → {value}");
        }
        assert_eq!(bin_of(0.0), 0);
        assert_eq!(bin_of(-5.0), 0);
        assert_eq!(bin_of(f64::INFINITY), BINS - 1);
        let mut bins = vec![0; BINS];
        for ms in 1..=100 {
            bins[bin_of(f64::from(ms))] += 1;
        }
        let p = p95(&bins).unwrap();
        assert!((p - 95.0).abs() <= 95.0 * LATENCY_ERROR, "{p}");
        assert_eq!(p95(&vec![0; BINS]), None);
    }
}
