//! Failed calls in the selection, newest first, with their error.

use super::{App, pane_block, safe, title};
use crate::tui::app::Pane;
use crate::tui::clock::format_time;
use crate::tui::layout::{TABLE_CHROME, rows_in};
use crate::views::failures::NEWEST_LISTED;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Row, Table};

const TIME: u16 = 19;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let focused = app.focus == Pane::Failures;
    let failures = app.selection.failures();
    let detail = match app.selection.failures.get() {
        Some(all) if all.len() == NEWEST_LISTED => format!("the newest {NEWEST_LISTED}"),
        Some(all) => format!("{} · newest first", all.len()),
        None => "computing…".into(),
    };
    let block = pane_block(app, title(app, "Failures", detail), focused);
    if app.loaded().is_none() {
        frame.render_widget(block, area);
        return;
    }
    let height = rows_in(area, TABLE_CHROME);
    let mut cursor = app.failures;
    cursor.fit(height, failures.len());
    let free = area.width.saturating_sub(2 + TIME + 3);
    let widths = [TIME, free / 5, free / 4, free - free / 5 - free / 4];
    let rows: Vec<Row> = cursor
        .visible(height, failures.len())
        .filter_map(|i| {
            let f = failures.get(i)?;
            let text = |t: &Option<String>, w: u16| {
                t.as_deref()
                    .map_or_else(|| "-".to_string(), |t| safe(t, usize::from(w)))
            };
            let style = if focused && i == cursor.selected {
                app.theme.selected()
            } else {
                Style::new()
            };
            let row = Row::new([
                format_time(f.key.time, app.utc),
                text(&f.user, widths[1]),
                text(&f.tool, widths[2]),
                text(&f.error, widths[3]),
            ]);
            Some(row.style(style))
        })
        .collect();
    let header = Row::new(["time", "user", "tool", "error"]).style(app.theme.header());
    let table = Table::new(rows, widths.map(Constraint::Length))
        .header(header)
        .block(block);
    frame.render_widget(table, area);
}
