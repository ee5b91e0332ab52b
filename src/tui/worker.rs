//! The slow computations behind the panes, run as jobs by the runtime:
//! never on the thread that draws.

use super::loader::LoadedLogs;
use crate::config::AlertSettings;
use crate::filter::Filter;
use crate::store::query::select_cancellable;
use crate::views::alerts::Alerts;
use crate::views::failures::{Failure, failures};
use crate::views::histogram::{
    Histogram, TooManyBuckets, ToolLatency, Width, histogram, tool_latency,
};
use crate::views::stats::{ToolStats, tool_stats};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The entries matching the filter, and the panes' views of them.
#[derive(Debug, Default)]
pub struct Selection {
    /// Row ids in log order.
    pub rows: Vec<u32>,
    /// Busiest tool first.
    pub stats: Vec<ToolStats>,
    /// Newest first; filled after the selection is shown, because failures
    /// re-read their lines and would otherwise delay the match count.
    pub failures: OnceLock<Vec<Failure>>,
}

impl Selection {
    /// The failures, or none while they are being computed.
    pub fn failures(&self) -> &[Failure] {
        self.failures.get().map_or(&[], Vec::as_slice)
    }
}

/// Compute a selection and its stats; `None` if cancelled meanwhile (a
/// newer keystroke wants another).
pub fn select(loaded: &LoadedLogs, filter: &Filter, cancel: &AtomicBool) -> Option<Selection> {
    let store = &loaded.store;
    let rows = select_cancellable(store, filter, cancel)?;
    let stats = tool_stats(store, &rows);
    (!cancel.load(Ordering::Relaxed)).then(|| Selection {
        rows,
        stats,
        failures: OnceLock::new(),
    })
}

/// Fill in the failures of a selection already shown.
pub fn fill_failures(loaded: &LoadedLogs, selection: &Selection) {
    selection
        .failures
        .get_or_init(|| failures(&loaded.store, &selection.rows));
}

/// The activity pane's histogram and the stats pane's latency sparklines,
/// over the same buckets.
#[derive(Debug)]
pub struct ActivityData {
    pub histogram: Histogram,
    /// Per tool, p95 durations over at most [`SPARKLINE_WIDTH`] groups of buckets.
    pub latency: Vec<ToolLatency>,
}

/// Columns of a tool's latency sparkline in the stats pane.
pub const SPARKLINE_WIDTH: usize = 12;

pub fn activity(
    loaded: &LoadedLogs,
    selection: &Selection,
    width: Width,
) -> Result<ActivityData, TooManyBuckets> {
    let store = &loaded.store;
    let histogram = histogram(store, &selection.rows, width)?;
    let latency = tool_latency(store, &selection.rows, &histogram, SPARKLINE_WIDTH);
    Ok(ActivityData { histogram, latency })
}

/// Alerts over a selection (they scan the whole log for reviews).
pub fn alerts(loaded: &LoadedLogs, selection: &Selection, settings: AlertSettings) -> Alerts {
    crate::views::alerts::alerts(
        &loaded.store,
        &selection.rows,
        settings.threshold as usize,
        settings.window,
    )
}
