//! The slow computations behind the panes, run as jobs by the runtime:
//! never on the thread that draws.

use super::app::Jump;
use crate::backend::{self, Backend, BackendError, Order, PageAt};
use crate::config::AlertSettings;
use crate::filter::Filter;
use crate::views::alerts::Alerts;
use crate::views::failures::{Failures, NO_FAILURES};
use crate::views::histogram::{TooManyBuckets, Width};
use crate::views::stats::ToolStats;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

pub use crate::backend::ActivityData;

/// The entries matching the filter, and the panes' views of them.
pub struct Matches {
    /// The backend's selection: counts, pages, and the views of it.
    pub selected: Arc<dyn backend::Selection>,
    /// Busiest tool first; filled after the selection is shown, like the
    /// failures: from a database both are scans of the whole selection,
    /// and the screen of entries must not wait for them.
    pub stats: OnceLock<Vec<ToolStats>>,
    /// Newest first; filled after the stats, because failures re-read
    /// their lines.
    pub failures: OnceLock<Failures>,
}

impl Matches {
    /// Nothing selected: before the first query returns.
    pub fn none() -> Matches {
        Matches {
            selected: Arc::new(backend::Empty),
            stats: OnceLock::new(),
            failures: OnceLock::new(),
        }
    }

    /// How many entries match.
    pub fn count(&self) -> usize {
        self.selected.count()
    }

    /// The per-tool stats, or none while they are being computed.
    pub fn stats(&self) -> &[ToolStats] {
        self.stats.get().map_or(&[], Vec::as_slice)
    }

    /// The failures, or none while they are being computed.
    pub fn failures(&self) -> &Failures {
        self.failures.get().unwrap_or(&NO_FAILURES)
    }
}

/// Compute a selection (its count); `Ok(None)` if cancelled meanwhile (a
/// newer keystroke wants another). `previous` is the selection shown: after
/// entries were appended, the backend may extend it (see
/// [`Backend::reselect`]).
pub fn select(
    backend: &dyn Backend,
    previous: &dyn backend::Selection,
    filter: &Filter,
    order: Order,
    cancel: &AtomicBool,
) -> Result<Option<Matches>, BackendError> {
    let Some(selected) = backend.reselect(previous, filter, order, cancel)? else {
        return Ok(None);
    };
    Ok((!cancel.load(Ordering::Relaxed)).then(|| Matches {
        selected,
        stats: OnceLock::new(),
        failures: OnceLock::new(),
    }))
}

/// The index of `target` in `matches` (the entry after it if it is not
/// there; the first entry without a target; a [`Jump::Shown`] is the
/// entry at that index of `previous`), and the screen of entries
/// around it asked for now: a database selection keeps the page, and the
/// frame that shows the selection draws from it. So the screen's page is
/// asked first, and alone, and the panes' slower questions after it.
pub fn place(
    matches: &Matches,
    previous: &dyn backend::Selection,
    target: Option<Jump>,
    rows: usize,
) -> Result<usize, BackendError> {
    let count = matches.count();
    let key = match target {
        Some(Jump::Shown(index)) => previous
            .page(PageAt::Index(index), 1)?
            .rows
            .pop()
            .map(|e| e.key),
        Some(Jump::To(key)) => Some(key),
        None | Some(Jump::End) => None,
    };
    let index = match (target, key) {
        (Some(Jump::End), _) => count,
        (_, Some(key)) => matches.selected.locate(key)?.unwrap_or_else(|after| after),
        (_, None) => 0,
    };
    if count > 0 {
        // The frame lists `rows` entries at most, with the selected one
        // anywhere among them.
        let selected = index.min(count - 1);
        let start = selected.saturating_sub(rows);
        matches.selected.page(PageAt::Index(start), 2 * rows)?;
    }
    Ok(index)
}

/// Fill in the stats of a selection already shown.
pub fn fill_stats(matches: &Matches) -> Result<(), BackendError> {
    let stats = matches.selected.tool_stats()?;
    let _ = matches.stats.set(stats);
    Ok(())
}

/// Fill in the failures of a selection already shown.
pub fn fill_failures(matches: &Matches) -> Result<(), BackendError> {
    let failures = matches.selected.failures()?;
    let _ = matches.failures.set(failures);
    Ok(())
}

/// Columns of a tool's latency sparkline in the stats pane.
pub const SPARKLINE_WIDTH: usize = 12;

/// The activity pane's histogram and the stats pane's latency sparklines,
/// over the same buckets.
pub fn activity(
    matches: &Matches,
    width: Width,
) -> Result<Result<ActivityData, TooManyBuckets>, BackendError> {
    matches.selected.activity(width, SPARKLINE_WIDTH)
}

/// Alerts over a selection (they scan the whole log for reviews).
pub fn alerts(matches: &Matches, settings: AlertSettings) -> Result<Alerts, BackendError> {
    matches
        .selected
        .alerts(settings.threshold as usize, settings.window)
}
