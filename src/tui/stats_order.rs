//! The per-tool stats pane's sort orders, cycled with a key.

use crate::views::PyNumber;
use crate::views::stats::ToolStats;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatsSort {
    /// Busiest first, as the view returns them.
    #[default]
    Calls,
    Tool,
    /// Worst success rate first: what an incident looks for.
    Success,
    Average,
    P95,
    Max,
    Users,
}

impl StatsSort {
    const ORDER: [StatsSort; 7] = [
        StatsSort::Calls,
        StatsSort::Tool,
        StatsSort::Success,
        StatsSort::Average,
        StatsSort::P95,
        StatsSort::Max,
        StatsSort::Users,
    ];

    pub fn next(self) -> StatsSort {
        let at = Self::ORDER.iter().position(|&s| s == self).unwrap_or(0);
        Self::ORDER[(at + 1) % Self::ORDER.len()]
    }

    /// Column index in the stats table that this order sorts by.
    pub fn column(self) -> usize {
        match self {
            StatsSort::Tool => 0,
            StatsSort::Calls => 1,
            StatsSort::Success => 2,
            StatsSort::Average => 3,
            StatsSort::P95 => 4,
            StatsSort::Max => 5,
            StatsSort::Users => 6,
        }
    }
}

/// The stats in `order`; ties keep the view's order (busiest first).
pub fn sorted(stats: &[ToolStats], order: StatsSort) -> Vec<&ToolStats> {
    let mut sorted: Vec<&ToolStats> = stats.iter().collect();
    let desc = |a: Option<f64>, b: Option<f64>| {
        b.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.unwrap_or(f64::NEG_INFINITY))
    };
    let compare = |a: &&ToolStats, b: &&ToolStats| -> Ordering {
        match order {
            StatsSort::Calls => Ordering::Equal,
            StatsSort::Tool => a.tool.cmp(&b.tool),
            StatsSort::Success => a.success_rate.total_cmp(&b.success_rate),
            StatsSort::Average => desc(a.avg_duration_ms, b.avg_duration_ms),
            StatsSort::P95 => desc(a.p95_duration_ms, b.p95_duration_ms),
            StatsSort::Max => desc(a.max_duration_ms.map(number), b.max_duration_ms.map(number)),
            StatsSort::Users => b.unique_users.cmp(&a.unique_users),
        }
    };
    sorted.sort_by(compare);
    sorted
}

pub fn number(n: PyNumber) -> f64 {
    match n {
        PyNumber::Int(i) => i as f64,
        PyNumber::Float(x) => x,
    }
}
