//! The activity histogram: calls per time bucket as bars, the failed share
//! at the foot of each bar in `▒` (red with colour), a cursor and a range
//! marked under the bars, and time labels.

use super::{App, pane_block, thousands, title};
use crate::time::format_duration;
use crate::tui::app::Pane;
use crate::tui::clock::{format_time, format_time_as, zone_label};
use crate::views::histogram::{DAY, Histogram, MINUTE};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Eighths of a cell, from the bottom.
const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const FAILED: &str = "▒";
const CURSOR: &str = "▲";
const RANGE: &str = "━";
/// Rows inside the borders that are not bars: readout, marks, labels.
const TEXT_ROWS: u16 = 3;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let focused = app.focus == Pane::Histogram;
    let state = &app.activity;
    let detail = match state.data.as_deref() {
        None => "…".to_string(),
        Some(data) => summary(app, &data.histogram),
    };
    let block = pane_block(app, title(app, "Activity", detail), focused).title_top(
        Line::from(format!(" times {} ", zone_label(app.utc)))
            .style(app.theme.dim())
            .right_aligned(),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(histogram) = state.data.as_deref().map(|d| &d.histogram) else {
        return;
    };
    if histogram.buckets.is_empty() {
        let note = Line::styled(
            "no selected entry has a readable timestamp",
            app.theme.dim(),
        );
        frame.render_widget(Paragraph::new(note), inner);
        return;
    }
    let len = histogram.buckets.len();
    let mut cursor = state.cursor;
    cursor.fit(visible_buckets(inner.width, len), len);
    let shown = cursor.visible(visible_buckets(inner.width, len), len);
    let columns = usize::from(columns_per_bucket(inner.width, len));
    // Wide buckets keep a blank column between bars, so that neighbours
    // of the same height still read as two.
    let bar = if columns >= 3 { columns - 1 } else { columns };
    let bar_rows = inner.height.saturating_sub(TEXT_ROWS).max(1);
    let peak = histogram.peak();

    let mut lines = vec![readout(app, histogram)];
    for row in (0..usize::from(bar_rows)).rev() {
        let spans = shown.clone().map(|i| {
            let fill = histogram.buckets[i].fill(peak, usize::from(bar_rows));
            let eighths = fill.eighths.saturating_sub(row * 8).min(8);
            // A failed cell the calls only partly fill keeps its height.
            let (symbol, style) = match (row < fill.failed_cells, eighths) {
                (true, 8) => (FAILED, app.theme.failed()),
                (true, _) => (EIGHTHS[eighths], app.theme.failed()),
                (false, _) => (EIGHTHS[eighths], app.theme.bar()),
            };
            Span::styled(symbol.repeat(bar) + &" ".repeat(columns - bar), style)
        });
        lines.push(Line::from(spans.collect::<Vec<_>>()));
    }
    let range = state.mark.and(state.range());
    let marks = shown.clone().map(|i| {
        let in_range = range.as_ref().is_some_and(|r| r.contains(&i));
        let fill = if in_range { RANGE } else { " " };
        if i == cursor.selected {
            let rest = fill.repeat(columns - 1);
            Span::styled(format!("{CURSOR}{rest}"), app.theme.key())
        } else {
            Span::raw(fill.repeat(columns))
        }
    });
    lines.push(Line::from(marks.collect::<Vec<_>>()));
    lines.push(labels(app, histogram, shown, columns, inner.width));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Columns each bucket gets: one at least, more when few buckets share a
/// wide pane.
pub fn columns_per_bucket(width: u16, buckets: usize) -> u16 {
    let buckets = u16::try_from(buckets.max(1)).unwrap_or(u16::MAX);
    (width / buckets).max(1)
}

/// How many buckets fit side by side in `width` columns.
pub fn visible_buckets(width: u16, buckets: usize) -> usize {
    usize::from(width / columns_per_bucket(width, buckets)).max(1)
}

/// The bucket drawn at screen column `column` of the pane at `area`.
pub fn bucket_at(app: &App, area: Rect, column: u16) -> Option<usize> {
    let len = app.activity.bucket_count();
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    if column < inner.x || column >= inner.right() {
        return None;
    }
    let per = columns_per_bucket(inner.width, len);
    let index = app.activity.cursor.offset + usize::from((column - inner.x) / per);
    (index < len).then_some(index)
}

fn summary(app: &App, histogram: &Histogram) -> String {
    let all = histogram.totals(0..=histogram.buckets.len().saturating_sub(1));
    let mut text = format!(
        "{} buckets{} · {} {}, {} failed",
        format_duration(histogram.width),
        if app.activity.chosen.is_none() {
            " (auto)"
        } else {
            ""
        },
        thousands(all.0 as usize),
        crate::text::plural(all.0 as usize, "call", "calls"),
        thousands(all.1 as usize),
    );
    if histogram.untimed > 0 {
        text.push_str(&format!(
            " · {} without a time",
            thousands(histogram.untimed)
        ));
    }
    text
}

/// The marked range in numbers, or the cursor's bucket.
fn readout(app: &App, histogram: &Histogram) -> Line<'static> {
    let state = &app.activity;
    let describe = |range: std::ops::RangeInclusive<usize>| {
        let start = histogram.buckets[*range.start()].start;
        let end = histogram.buckets[*range.end()].start + histogram.width;
        let (calls, failures) = histogram.totals(range);
        let s = if calls == 1 { "" } else { "s" };
        format!(
            "{}  {} call{s}, {} failed",
            interval(app, histogram, start, end),
            thousands(calls as usize),
            thousands(failures as usize)
        )
    };
    let cursor = state.cursor.selected;
    match state.mark.and(state.range()) {
        Some(range) => Line::from(vec![
            Span::styled(format!("{RANGE} range "), app.theme.key()),
            Span::styled(describe(range), Style::new().bold()),
        ]),
        None => Line::from(vec![
            Span::styled(format!("{CURSOR} "), app.theme.key()),
            Span::raw(describe(cursor..=cursor)),
        ]),
    }
}

/// `09:01:00–09:01:05` when the whole histogram lies in one day (the
/// labels under it show the date), else with dates where they change.
fn interval(app: &App, histogram: &Histogram, start: i64, end: i64) -> String {
    let date = |t: i64| format_time_as(t, app.utc, "%Y-%m-%d");
    let time = |t: i64| format_time_as(t, app.utc, "%H:%M:%S");
    let first = histogram.buckets[0].start;
    let last = histogram.end().unwrap_or(first) - 1;
    let start_text = if date(first) == date(last) {
        time(start)
    } else {
        format_time(start, app.utc)
    };
    let end_text = if date(start) == date(end) {
        time(end)
    } else {
        format_time(end, app.utc)
    };
    format!("{start_text}–{end_text}")
}

/// Times under the bars, each starting at its bucket's column, as many as
/// fit with two spaces between; the first with its date.
fn labels(
    app: &App,
    histogram: &Histogram,
    shown: std::ops::Range<usize>,
    columns: usize,
    width: u16,
) -> Line<'static> {
    let span = histogram.end().unwrap_or(0) - histogram.buckets[0].start;
    let format = match histogram.width {
        w if w >= DAY => "%Y-%m-%d",
        w if w >= MINUTE && span > DAY => "%m-%d %H:%M",
        w if w >= MINUTE => "%H:%M",
        _ => "%H:%M:%S",
    };
    let mut text = String::new();
    for (n, i) in shown.enumerate() {
        let column = n * columns;
        let format = match n {
            0 if histogram.width < DAY && span <= DAY => "%Y-%m-%d %H:%M:%S",
            _ => format,
        };
        let label = format_time_as(histogram.buckets[i].start, app.utc, format);
        if column >= text.chars().count() + usize::from(!text.is_empty()) * 2
            && column + label.len() <= usize::from(width)
        {
            text.push_str(&" ".repeat(column - text.chars().count()));
            text.push_str(&label);
        }
    }
    Line::styled(text, app.theme.dim())
}
