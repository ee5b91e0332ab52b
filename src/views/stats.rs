//! Per-tool statistics: the lesson's `AuditQueryEngine.by_tool` for every
//! tool in the selection, plus failures and duration percentiles.

use super::{PyNumber, python_round};
use crate::filter::Field;
use crate::log::json::Value;
use crate::store::Store;
use crate::store::store::{Outcome, Sym};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

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

#[derive(Default)]
struct Tally {
    calls: usize,
    ok: usize,
    failed: usize,
    /// Logged durations in row order: the sum must be taken left to right,
    /// as Python's `sum()` does, to round the same way.
    durations: Vec<f64>,
    /// Row of the first largest duration (Python's `max` keeps the first).
    max_row: Option<(f64, usize)>,
    users: HashSet<Sym>,
}

/// Statistics per tool over `rows`, busiest tool first (ties by name).
pub fn tool_stats(store: &Store, rows: &[u32]) -> Vec<ToolStats> {
    let tools = &store.column(Field::Tool).ids;
    let users = &store.column(Field::User).ids;
    let mut tallies: HashMap<Sym, Tally> = HashMap::new();
    for &row in rows {
        let row = row as usize;
        let tally = tallies.entry(tools[row]).or_default();
        tally.calls += 1;
        match store.outcome[row] {
            Outcome::Ok => tally.ok += 1,
            Outcome::Failed => tally.failed += 1,
            Outcome::Unknown => {}
        }
        let duration = store.duration_ms[row];
        if !duration.is_nan() {
            tally.durations.push(duration);
            if tally.max_row.is_none_or(|(max, _)| duration > max) {
                tally.max_row = Some((duration, row));
            }
        }
        tally.users.insert(users[row]);
    }
    let mut stats: Vec<ToolStats> = tallies
        .into_iter()
        .map(|(tool, tally)| finish(store, tool, tally))
        .collect();
    stats.sort_by(|a, b| {
        b.total_calls
            .cmp(&a.total_calls)
            .then_with(|| a.tool.is_none().cmp(&b.tool.is_none()))
            .then_with(|| a.tool.cmp(&b.tool))
    });
    stats
}

fn finish(store: &Store, tool: Sym, mut tally: Tally) -> ToolStats {
    let tool = store.column(Field::Tool).dict.get(tool).map(str::to_owned);
    let logged = tally.durations.len();
    let avg =
        (logged > 0).then(|| python_round(tally.durations.iter().sum::<f64>() / logged as f64, 1));
    let max = tally
        .max_row
        .map(|(max, row)| max_as_logged(store, row, max));
    tally.durations.sort_by(f64::total_cmp);
    let percentile =
        |p: f64| (logged > 0).then(|| python_round(tally.durations[nearest_rank(p, logged)], 1));
    ToolStats {
        tool,
        total_calls: tally.calls,
        success_rate: python_round(tally.ok as f64 / tally.calls as f64, 3),
        avg_duration_ms: avg,
        max_duration_ms: max,
        unique_users: tally.users.len(),
        failures: tally.failed,
        p50_duration_ms: percentile(0.50),
        p95_duration_ms: percentile(0.95),
    }
}

/// Index of the nearest-rank `p` percentile among `n` sorted values (`n > 0`).
pub fn nearest_rank(p: f64, n: usize) -> usize {
    ((p * n as f64).ceil() as usize).clamp(1, n) - 1
}

/// `round(max, 1)` keeping Python's type: `round(2099, 1)` is the int 2099.
fn max_as_logged(store: &Store, row: usize, max: f64) -> PyNumber {
    let logged = store.entry(row);
    match logged.as_ref().and_then(|e| e.value.get("duration_ms")) {
        Some(Value::Int(text)) => text.parse().map_or(PyNumber::Float(max), PyNumber::Int),
        _ => PyNumber::Float(python_round(max, 1)),
    }
}
