//! Per-tool statistics over the current selection, sortable, with each
//! tool's p95 duration over time as a sparkline: the tool that slowed
//! down stands out.

use super::{App, pane_block, safe, title};
use crate::tui::app::Pane;
use crate::tui::layout::{TABLE_CHROME, rows_in};
use crate::tui::stats_order::{number, sorted};
use crate::tui::worker::SPARKLINE_WIDTH;
use crate::views::histogram::ToolLatency;
use crate::views::stats::ToolStats;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table};

const HEADERS: [&str; 8] = [
    "tool",
    "calls",
    "ok %",
    "avg ms",
    "p95 ms",
    "max ms",
    "users",
    "p95 trend",
];
const NUMBER_WIDTH: u16 = 7;
/// The sparkline's column.
const TREND: usize = 7;
/// Eighths of a cell, from the bottom; a group without durations is blank.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Narrower than this, a tool name is unreadable.
const MIN_TOOL_WIDTH: u16 = 14;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let focused = app.focus == Pane::Stats;
    let stats = sorted(app.selection.stats(), app.stats_sort);
    let sort = HEADERS[app.stats_sort.column()];
    let tools = if stats.len() == 1 { "tool" } else { "tools" };
    let detail = match app.selection.stats.get() {
        Some(_) => format!("{} {tools} · sorted by {sort}", stats.len()),
        None => "computing…".into(),
    };
    let block = pane_block(app, title(app, "Per-tool stats", detail), focused);
    let height = rows_in(area, TABLE_CHROME);
    let mut cursor = app.stats;
    cursor.fit(height, stats.len());
    let columns = shown_columns(area.width.saturating_sub(2));
    let others: u16 = columns[1..].iter().map(|&c| width_of(c) + 1).sum();
    let tool_width = area.width.saturating_sub(2 + others);
    let latency = app
        .activity
        .data
        .as_ref()
        .map_or(&[][..], |d| d.latency.as_slice());
    let header = Row::new(columns.iter().map(|&i| {
        let text = if i == app.stats_sort.column() {
            format!("{}▼", HEADERS[i])
        } else {
            HEADERS[i].to_string()
        };
        align(text, i)
    }))
    .style(app.theme.header());
    let rows: Vec<Row> = cursor
        .visible(height, stats.len())
        .map(|i| {
            let style = if focused && i == cursor.selected {
                app.theme.selected()
            } else if stats[i].failures > 0 {
                app.theme.failed()
            } else {
                Style::new()
            };
            let cells = cells(stats[i], usize::from(tool_width), latency);
            Row::new(columns.iter().map(|&c| align(cells[c].clone(), c))).style(style)
        })
        .collect();
    let widths = std::iter::once(Constraint::Length(tool_width)).chain(
        columns[1..]
            .iter()
            .map(|&c| Constraint::Length(width_of(c))),
    );
    let table = Table::new(rows, widths).header(header).block(block);
    frame.render_widget(table, area);
}

fn width_of(column: usize) -> u16 {
    if column == TREND {
        SPARKLINE_WIDTH as u16
    } else {
        NUMBER_WIDTH
    }
}

fn align(text: String, column: usize) -> Cell<'static> {
    if column == 0 || column == TREND {
        Cell::from(text)
    } else {
        Cell::from(Line::from(text).right_aligned())
    }
}

/// The columns that fit in `width`, in table order; narrow panes drop the
/// least telling numbers first.
fn shown_columns(width: u16) -> Vec<usize> {
    const PRIORITY: [usize; 8] = [0, 1, 2, 4, TREND, 3, 5, 6];
    let mut used = MIN_TOOL_WIDTH;
    let mut shown: Vec<usize> = PRIORITY
        .into_iter()
        .take_while(|&c| {
            if c == 0 {
                return true;
            }
            used += width_of(c) + 1;
            used <= width
        })
        .collect();
    shown.sort_unstable();
    shown
}

fn cells(s: &ToolStats, tool_width: usize, latency: &[ToolLatency]) -> [String; 8] {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
    [
        s.tool
            .as_deref()
            .map_or_else(|| "(none)".to_string(), |t| safe(t, tool_width)),
        s.total_calls.to_string(),
        format!("{:.1}", s.success_rate * 100.0),
        ms(s.avg_duration_ms),
        ms(s.p95_duration_ms),
        ms(s.max_duration_ms.map(number)),
        s.unique_users.to_string(),
        latency
            .iter()
            .find(|l| l.tool == s.tool)
            .map_or_else(String::new, |l| sparkline(&l.p95_ms)),
    ]
}

/// One character per group, scaled to the tool's own slowest group: a
/// steady tool draws a flat line, one that slowed down a step or a spike.
fn sparkline(values: &[Option<f64>]) -> String {
    let max = values.iter().flatten().copied().fold(0.0, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if max <= 0.0 => LEVELS[0],
            Some(v) => LEVELS[((v / max) * 7.0).round() as usize],
        })
        .collect()
}
