//! A selection that keeps one page, as a database's does: between a move
//! past it and the paging job's answer, the event loop asks it for no page
//! (the row shows as being looked up, and keys that act on the selected
//! entry say so).

use super::app::{Action, Effect};
use super::testing::Harness;
use super::worker::Matches;
use crate::backend::{ActivityData, EntryRow, Listed, Page, PageAt, Result, RowKey, Selection};
use crate::generate::{Options, generate};
use crate::views::Moment;
use crate::views::alerts::Alerts;
use crate::views::failures::Failures;
use crate::views::histogram::{Histogram, TooManyBuckets, Width};
use crate::views::report::AccessReport;
use crate::views::retention::{Policies, RetentionEntry};
use crate::views::stats::ToolStats;
use crate::views::timeline::TimelineEntry;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// An in-memory selection that keeps only the last page asked for, and
/// counts the pages asked for.
struct KeepsOnePage {
    inner: Arc<dyn Selection>,
    last: Mutex<Option<Page>>,
    pages: AtomicUsize,
}

impl Listed for KeepsOnePage {
    fn count(&self) -> usize {
        self.inner.count()
    }
    fn for_each(
        &self,
        visit: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>> {
        self.inner.for_each(visit)
    }
}

impl Selection for KeepsOnePage {
    fn page(&self, at: PageAt, len: usize) -> Result<Page> {
        self.pages.fetch_add(1, Ordering::SeqCst);
        let page = self.inner.page(at, len)?;
        *self.last.lock().unwrap() = Some(page.clone());
        Ok(page)
    }
    fn kept(&self, at: PageAt, len: usize) -> Option<Page> {
        let PageAt::Index(start) = at else {
            return None;
        };
        let last = self.last.lock().unwrap();
        let page = last.as_ref()?;
        let skip = start.checked_sub(page.start)?;
        let end = (start + len).min(self.count());
        (page.start + page.rows.len() >= end).then(|| Page {
            start,
            rows: page.rows[skip..skip + (end - start)].to_vec(),
        })
    }
    fn locate(&self, key: RowKey) -> Result<std::result::Result<usize, usize>> {
        self.inner.locate(key)
    }
    fn span(&self) -> Result<(Option<(i64, i64)>, usize)> {
        self.inner.span()
    }
    fn tool_stats(&self) -> Result<Vec<ToolStats>> {
        self.inner.tool_stats()
    }
    fn failures(&self) -> Result<Failures> {
        self.inner.failures()
    }
    fn histogram(&self, width: Width) -> Result<std::result::Result<Histogram, TooManyBuckets>> {
        self.inner.histogram(width)
    }
    fn activity(
        &self,
        width: Width,
        groups: usize,
    ) -> Result<std::result::Result<ActivityData, TooManyBuckets>> {
        self.inner.activity(width, groups)
    }
    fn alerts(&self, threshold: usize, window_micros: i64) -> Result<Alerts> {
        self.inner.alerts(threshold, window_micros)
    }
    fn retention(&self, policies: &Policies, now: i64, due: i64) -> Result<Vec<RetentionEntry>> {
        self.inner.retention(policies, now, due)
    }
    fn timeline(&self, conversation: &str) -> Result<Vec<TimelineEntry>> {
        self.inner.timeline(conversation)
    }
    fn access_report(&self, patient: &str, start: Moment, end: Moment) -> Result<AccessReport> {
        self.inner.access_report(patient, start, end)
    }
}

const ROWS: u16 = 24;

/// A browser on 300 generated entries whose selection keeps one page (the
/// first screen, as a query's job leaves it), and that selection.
fn keeping_one_page() -> (Harness, Arc<KeepsOnePage>) {
    let bytes: Vec<u8> = generate(&Options::new(300))
        .expect("valid options")
        .into_iter()
        .flat_map(|f| f.bytes)
        .collect();
    let text = String::from_utf8(bytes).expect("generated logs are text");
    let mut h = Harness::loaded(&[("audit.jsonl", &text)], 120, ROWS);
    let kept = Arc::new(KeepsOnePage {
        inner: Arc::clone(&h.app.selection.selected),
        last: Mutex::new(None),
        pages: AtomicUsize::new(0),
    });
    kept.page(PageAt::Index(0), 2 * usize::from(ROWS))
        .expect("in memory");
    let matches = Matches {
        selected: kept.clone(),
        stats: OnceLock::new(),
        failures: OnceLock::new(),
    };
    let generation = h.app.generation;
    h.send(Action::Selected(generation, Arc::new(matches), 0));
    (h, kept)
}

/// Apply `action` as the event loop does (its jobs held back) and draw a
/// frame: the pages asked for meanwhile.
fn pages_asked_by_the_loop(h: &mut Harness, kept: &KeepsOnePage, action: Action) -> usize {
    let before = kept.pages.load(Ordering::SeqCst);
    h.send_before_jobs(action);
    h.render();
    kept.pages.load(Ordering::SeqCst) - before
}

#[test]
fn past_the_kept_page_the_event_loop_asks_for_no_page_and_says_looking_up() {
    let (mut h, kept) = keeping_one_page();
    assert_eq!(pages_asked_by_the_loop(&mut h, &kept, Action::Bottom), 0);
    assert!(h.app.selected_entry().is_none(), "its page is on its way");
    for action in [Action::ToggleMark, Action::AroundEntry, Action::NextFailure] {
        assert_eq!(pages_asked_by_the_loop(&mut h, &kept, action.clone()), 0);
        let status = h.app.status.clone().unwrap_or_default();
        assert!(status.contains("still being looked up"), "{status}");
    }
    assert!(h.app.marks.is_empty(), "nothing marked without its row");
    let effects = h.app.take_effects();
    let paged = effects.iter().filter(|e| matches!(e, Effect::Page(_)));
    assert_eq!(paged.count(), 1, "the page is asked for by a job");
    h.runtime.execute(effects);
    // Already at the bottom: only the job's answer is taken in.
    h.send(Action::Bottom);
    let last = h.app.selected_entry().expect("the page came");
    assert_eq!(last.key.position, 299);
    assert_eq!(
        pages_asked_by_the_loop(&mut h, &kept, Action::ToggleMark),
        0
    );
    assert_eq!(h.app.marks.len(), 1, "marked once its row is here");
}

#[test]
fn a_new_query_before_the_page_came_keeps_the_place() {
    let (mut h, kept) = keeping_one_page();
    h.send_before_jobs(Action::Bottom);
    h.app.take_effects();
    assert_eq!(
        pages_asked_by_the_loop(&mut h, &kept, Action::ToggleOrder),
        0
    );
    // Already at the bottom: only the query's job runs.
    h.send(Action::Down);
    let selected = h.app.selected_entry().expect("the new selection's page");
    assert_eq!(selected.key.position, 299, "still on the last entry");
}
