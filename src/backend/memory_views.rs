//! The views a selection of the in-memory store has computed, kept so that
//! the selection made after rows were appended (follow mode) extends them
//! by the appended rows instead of computing them over every row again
//! (ARCHITECTURE.md, "Following"). A full computation is the extension of
//! nothing: both go through the same `extend` of each view.

use super::ActivityData;
use crate::store::store::NO_TIME;
use crate::store::store::Outcome;
use crate::store::{Grown, Store};
use crate::views::alerts::{Alerts, Found};
use crate::views::failures::{Failures, failures};
use crate::views::histogram::{self, Histogram, LatencyCounts, Span, TooManyBuckets, Width, span};
use crate::views::stats::{Tallies, ToolStats};

/// A selection's views, each kept once asked for.
#[derive(Default)]
pub struct Views {
    /// Earliest and latest times of the rows, and how many had none: the
    /// activity histogram's too (asked for with it).
    span: Option<Span>,
    stats: Option<Tallies>,
    failures: Option<Failures>,
    activity: Option<Activity>,
    /// Computed only while the alerts view is open.
    alerts: Option<Found>,
}

/// The activity pane's histogram and latency counts for one request.
#[derive(Clone)]
struct Activity {
    width: Width,
    groups: usize,
    histogram: Result<Histogram, TooManyBuckets>,
    latency: LatencyCounts,
}

impl Activity {
    /// Counted over `rows`, whose span is `span`.
    fn new(store: &Store, rows: &Grown<u32>, span: Span, width: Width, groups: usize) -> Activity {
        let histogram =
            histogram::empty_buckets(span.0, span.1, width).map(|empty| empty.counted(store, rows));
        let mut latency =
            LatencyCounts::new(histogram.as_ref().unwrap_or(&Histogram::default()), groups);
        latency.count(store, rows);
        Activity {
            width,
            groups,
            histogram,
            latency,
        }
    }

    /// These counts with `added` (the rows appended after those they
    /// counted; `rows` are all of them, whose span is `span`) counted in;
    /// when the buckets move, `rows` are counted again.
    fn extended(&self, store: &Store, rows: &Grown<u32>, span: Span, added: &[u32]) -> Activity {
        let again = || Activity::new(store, rows, span, self.width, self.groups);
        let previous = match &self.histogram {
            Ok(histogram) => histogram,
            Err(_) => return again(),
        };
        let Some(histogram) = histogram::extended(previous, span, store, added, self.width) else {
            return again();
        };
        let latency = match &histogram {
            Ok(h) if self.latency.fits(h, self.groups) => {
                let mut latency = self.latency.clone();
                latency.count(store, added);
                latency
            }
            _ => return again(),
        };
        Activity {
            histogram,
            latency,
            ..*self
        }
    }

    fn data(&self, store: &Store) -> Result<ActivityData, TooManyBuckets> {
        self.histogram.clone().map(|histogram| ActivityData {
            histogram,
            latency: self.latency.latency(store),
        })
    }
}

impl Views {
    /// The views computed so far without `left` and grown by `added`.
    /// `left`: the first rows these views counted (in row order), which
    /// left a `last:` window, older than every row that stays. `added`:
    /// rows appended to the store after those counted, matching the same
    /// filter. `rows` lists the rows now: those counted but `left`, then
    /// `added`; `by_time` lists them in time order (`rows` itself when
    /// that is their time order).
    pub fn extended(
        &self,
        store: &Store,
        rows: &Grown<u32>,
        by_time: &Grown<u32>,
        left: &[u32],
        added: &[u32],
    ) -> Views {
        let failed = || {
            let failed = |&&row: &&u32| store.outcome[row as usize] == Outcome::Failed;
            left.iter().filter(failed).count()
        };
        let span = self
            .span
            .map(|before| span_extended(store, before, by_time, left, added));
        Views {
            span,
            stats: self.stats.as_ref().map(|tallies| {
                let mut tallies = tallies.clone();
                tallies.remove(store, left);
                tallies.extend(store, added);
                tallies
            }),
            failures: self
                .failures
                .as_ref()
                .map(|before| before.without_oldest(failed()).extended(store, added)),
            // Asked for with the span: without it, it is asked again.
            activity: self
                .activity
                .as_ref()
                .zip(span)
                .map(|(activity, span)| match left {
                    // Its buckets move with the window: counted again.
                    [_, ..] => Activity::new(store, rows, span, activity.width, activity.groups),
                    [] => activity.extended(store, rows, span, added),
                }),
            alerts: self.alerts.as_ref().map(|found| {
                let mut found = found.clone();
                found.remove(store, left);
                found.extend(store, added);
                found
            }),
        }
    }

    pub fn span(&mut self, store: &Store, rows: &Grown<u32>) -> Span {
        *self.span.get_or_insert_with(|| span(store, rows))
    }

    pub fn tool_stats(&mut self, store: &Store, rows: &Grown<u32>) -> Vec<ToolStats> {
        let tallies = self.stats.get_or_insert_with(|| {
            let mut tallies = Tallies::default();
            tallies.extend(store, rows);
            tallies
        });
        tallies.refresh(store, rows);
        tallies.stats(store)
    }

    /// The failures, sharing their chunks with these views (and, once
    /// extended, with the next selection's).
    pub fn failures(&mut self, store: &Store, rows: &Grown<u32>) -> Failures {
        self.failures
            .get_or_insert_with(|| failures(store, rows).into())
            .clone()
    }

    pub fn alerts(
        &mut self,
        store: &Store,
        rows: &Grown<u32>,
        threshold: usize,
        window_micros: i64,
    ) -> Alerts {
        let kept = self
            .alerts
            .take()
            .filter(|f| (f.threshold, f.window_micros) == (threshold, window_micros));
        let found = kept.unwrap_or_else(|| {
            let mut found = Found::new(threshold, window_micros);
            found.extend(store, rows);
            found
        });
        self.alerts.insert(found).alerts(store)
    }

    pub fn activity(
        &mut self,
        store: &Store,
        rows: &Grown<u32>,
        width: Width,
        groups: usize,
    ) -> Result<ActivityData, TooManyBuckets> {
        let span = self.span(store, rows);
        let kept = self
            .activity
            .take()
            .filter(|a| (a.width, a.groups) == (width, groups));
        self.activity
            .insert(kept.unwrap_or_else(|| Activity::new(store, rows, span, width, groups)))
            .data(store)
    }
}

/// `before`, the [`Span`] of some rows, without `left` (their oldest in
/// time order) and with `added`: what [`span`] of `by_time`, the rows now
/// in time order, gives, at the cost of `left` and `added`.
fn span_extended(
    store: &Store,
    before: Span,
    by_time: &Grown<u32>,
    left: &[u32],
    added: &[u32],
) -> Span {
    let time = |row: &u32| store.time[*row as usize];
    let (mut times, mut untimed) = before;
    untimed -= left.iter().filter(|row| time(row) == NO_TIME).count();
    if !left.is_empty() {
        // Untimed rows sort first (NO_TIME is the least time): the first
        // timed row heads the rest. The latest stays, or else every row
        // that stays is later than it (rows that leave are the oldest).
        let head = by_time.partition_point(|row| time(row) == NO_TIME);
        times = match (times, by_time.get(head)) {
            (Some((_, last)), Some(row)) => Some((time(row), last)),
            _ => None,
        };
    }
    histogram::joined((times, untimed), span(store, added))
}

#[cfg(test)]
mod tests {
    use crate::backend::memory::{MemoryBackend, left_window_of};
    use crate::backend::{Backend, Order, PageAt, Selection};
    use crate::filter::parse_filter;
    use crate::log::entry::parse_line;
    use crate::testing::{call, chain_log, load};
    use crate::views::histogram::{HOUR, Width};
    use proptest::prelude::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    /// A call `minutes` after the first (`None`: no readable time).
    fn entry(i: usize, minutes: Option<u32>, user: u8, tool: u8, ok: bool) -> serde_json::Value {
        // A few patients, read in bursts; now and then an emergency
        // access or a review.
        let purposes = ["treatment", "emergency", "review", "treatment"];
        let time = minutes.map_or("garbled".into(), |m| {
            format!("2025-07-06T{:02}:{:02}:00+00:00", 8 + m / 60, m % 60)
        });
        let error = (!ok).then_some("Timed out");
        let tools = ["get_order", "issue_refund", "search_kb"];
        // Tenths: sums taken in another order would differ in the last bit.
        let duration = (100 + i * 37 % 5000) as f64 * 0.1;
        let mut call = call(
            &time,
            &format!("conv_{}", i % 4),
            i as u32,
            &format!("usr_{user}"),
            tools[tool as usize % 3],
            ok,
            duration,
            error,
        );
        call["patient_id"] = format!("P-{}", (i / 3) % 2).into();
        call["purpose"] = purposes[i * 7 % 4].into();
        call
    }

    fn ask(selection: &dyn Selection, width: Width) -> impl PartialEq + std::fmt::Debug {
        let count = selection.count();
        (
            count,
            selection.page(PageAt::First, count).unwrap(),
            selection.span().unwrap(),
            selection.tool_stats().unwrap(),
            selection.failures().unwrap(),
            selection.activity(width, 3).unwrap(),
            selection.alerts(2, 20 * 60_000_000).unwrap(),
        )
    }

    /// `backend` with `lines[from..]` appended, as a follower appends them.
    fn grow(backend: &MemoryBackend, lines: &[&str], from: usize) -> MemoryBackend {
        // The line numbers of the entries and the verdict, as a follower's.
        let (whole, verification) = load(&[("live.jsonl", &(lines.join("\n") + "\n"))]);
        backend
            .appended(|store| {
                for line in &lines[from..] {
                    let entry = parse_line(line.as_bytes()).unwrap();
                    assert!(store.append_line(0, line.as_bytes(), Some(&entry.fields())));
                }
                store.lines = whole.lines;
                (verification, ())
            })
            .0
    }

    #[test]
    fn rows_leave_a_last_window_from_its_oldest_end() {
        let calls: Vec<_> = (0..6)
            .map(|i| entry(i, Some(i as u32 * 10), 1, 0, i % 2 == 0))
            .collect();
        let log = chain_log(&calls);
        let lines: Vec<&str> = log.lines().collect();
        let (store, verification) = load(&[("live.jsonl", &(lines[..4].join("\n") + "\n"))]);
        let backend = MemoryBackend::new(store, verification);
        let filter = parse_filter("last:25m").unwrap();
        let never = AtomicBool::new(false);
        // 08:00 to 08:30: the window starts at 08:05.
        let shown = backend
            .select(&filter, Order::Time, &never)
            .unwrap()
            .unwrap();
        assert_eq!(shown.count(), 3);
        let stats = shown.tool_stats().unwrap();
        let backend = grow(&backend, &lines, 4);
        // The newest is 08:50: the window starts at 08:25, and rows 1
        // (08:10) and 2 (08:20) leave it.
        let left = left_window_of(&backend.store(), shown.as_ref(), &filter);
        assert_eq!(left, Some(vec![1, 2]));
        let moved = backend
            .reselect(shown.as_ref(), &filter, Order::Time, &never)
            .unwrap()
            .unwrap();
        let afresh = backend
            .select(&filter, Order::Time, &never)
            .unwrap()
            .unwrap();
        assert_eq!(moved.count(), 3);
        assert_eq!(
            ask(moved.as_ref(), HOUR_WIDTH),
            ask(afresh.as_ref(), HOUR_WIDTH)
        );
        assert_ne!(moved.tool_stats().unwrap(), stats);
    }

    const HOUR_WIDTH: Width = Width::Fixed(HOUR);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(160))]

        #[test]
        fn a_selection_extended_by_appended_rows_equals_one_made_afresh(
            calls in prop::collection::vec(
                (prop::option::weighted(0.9, 0u32..900), 0u8..3, 0u8..3, prop::bool::weighted(0.7)),
                2..60,
            ),
            cuts in prop::collection::vec(1usize..60, 1..5),
            filter in prop::sample::select(vec![
                "", "failed", "tool:get_order", "usr_1 -failed", "\"refund\"", "last:2h",
                "last:40m", "last:3h failed", "-last:1h",
            ]),
            order in prop::sample::select(vec![Order::Time, Order::File]),
            width in prop::sample::select(vec![Width::Auto(12), Width::Fixed(HOUR)]),
            in_order in any::<bool>(),
        ) {
            let mut calls: Vec<_> = calls.into_iter().enumerate().collect();
            if in_order {
                // Mostly what a live log does: each entry newer than the last.
                calls.sort_by_key(|(_, (minutes, ..))| *minutes);
            }
            let calls: Vec<_> = calls
                .into_iter()
                .map(|(i, (minutes, user, tool, ok))| entry(i, minutes, user, tool, ok))
                .collect();
            let log = chain_log(&calls);
            let lines: Vec<&str> = log.lines().collect();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(lines.len())).collect();
            cuts.sort_unstable();
            let first = cuts[0];
            let (store, verification) = load(&[("live.jsonl", &(lines[..first].join("\n") + "\n"))]);
            let mut backend = MemoryBackend::new(store, verification);
            let filter = parse_filter(filter).unwrap();
            let never = AtomicBool::new(false);
            let mut shown: Arc<dyn Selection> = backend.select(&filter, order, &never).unwrap().unwrap();
            ask(shown.as_ref(), width);
            let mut at = first;
            for &cut in cuts.iter().skip(1).chain([&lines.len()]) {
                backend = grow(&backend, &lines[..cut.max(at)], at);
                at = cut.max(at);
                // A live log's `last:` window drops its oldest rows rather
                // than selecting again.
                let left = left_window_of(&backend.store(), shown.as_ref(), &filter);
                let windowed = filter.terms.iter().all(|t| !t.negated);
                if in_order && order == Order::Time && windowed {
                    prop_assert!(left.is_some());
                }
                let extended = backend.reselect(shown.as_ref(), &filter, order, &never).unwrap().unwrap();
                let afresh = backend.select(&filter, order, &never).unwrap().unwrap();
                prop_assert_eq!(ask(extended.as_ref(), width), ask(afresh.as_ref(), width));
                let listed = extended.page(PageAt::First, extended.count()).unwrap().rows;
                prop_assert!(listed.is_sorted_by(|a, b| order.compare(&a.key, &b.key).is_le()));
                shown = extended;
            }
        }
    }
}
