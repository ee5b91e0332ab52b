//! The entries table: one row per matching entry, only the visible ones
//! built, so a million matches cost no more than twenty.

use super::{App, pane_block, safe, thousands, title};
use crate::filter::Field;
use crate::store::Store;
use crate::store::store::Outcome;
use crate::tui::app::Pane;
use crate::tui::clock::{format_time, zone_label};
use crate::tui::layout::{TABLE_CHROME, rows_in};
use ratatui::Frame;
use ratatui::layout::{Constraint, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Cell, HighlightSpacing, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, TableState,
};
use unicode_width::UnicodeWidthStr;

const MARKER: &str = "▶";
const TIME: u16 = 19;
const STATUS: u16 = 1;
const DURATION: u16 = 8;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let rows = &app.selection.rows;
    let total = app.store().map_or(0, Store::len);
    let mut count = format!("{} of {}", thousands(rows.len()), thousands(total));
    if app.querying {
        count.push_str(" …");
    }
    let focused = app.focus == Pane::Entries;
    let block = pane_block(app, title(app, "Entries", count), focused).title_top(
        Line::from(format!(" times {} ", zone_label(app.utc)))
            .style(app.theme.dim())
            .right_aligned(),
    );
    let Some(store) = app.store() else {
        frame.render_widget(block, area);
        return;
    };
    let height = rows_in(area, TABLE_CHROME);
    let mut cursor = app.entries;
    cursor.fit(height, rows.len());
    // The marker column shows the selection as a glyph, not only in reverse.
    let widths = column_widths(area.width.saturating_sub(2 + MARKER.width() as u16));
    let visible = cursor.visible(height, rows.len());
    let mut state = TableState::new()
        .with_selected((!rows.is_empty()).then(|| cursor.selected - visible.start));
    let body: Vec<Row> = visible
        .map(|i| entry_row(app, store, rows[i] as usize, &widths))
        .collect();
    let header = Row::new([
        Cell::from("time"),
        Cell::from("user"),
        Cell::from("tool"),
        Cell::from(""),
        Cell::from(Line::from("ms").right_aligned()),
        Cell::from("conv / patient"),
    ])
    .style(app.theme.header());
    let table = Table::new(body, widths.map(Constraint::Length))
        .header(header)
        .column_spacing(1)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always)
        .row_highlight_style(app.theme.selected())
        .block(block);
    frame.render_stateful_widget(table, area, &mut state);
    if rows.len() > height {
        let mut state = ScrollbarState::new(rows.len().saturating_sub(height))
            .position(cursor.offset)
            .viewport_content_length(height);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area.inner(Margin::new(0, 1)),
            &mut state,
        );
    }
    if rows.is_empty() && !app.querying {
        let hint = Line::from(Span::styled("no entry matches the filter", app.theme.dim()));
        let inner = area.inner(Margin::new(2, 2));
        frame.render_widget(hint, inner);
    }
}

/// Time, user, tool, status, duration, conversation: fixed widths for the
/// fixed-format columns, the rest shared among the free-text ones.
fn column_widths(inner: u16) -> [u16; 6] {
    let spacing = 5;
    let free = inner.saturating_sub(TIME + STATUS + DURATION + spacing);
    let user = free * 3 / 10;
    let tool = free * 35 / 100;
    let conversation = free - user - tool;
    [TIME, user, tool, STATUS, DURATION, conversation]
}

fn entry_row<'a>(app: &App, store: &Store, row: usize, widths: &[u16; 6]) -> Row<'a> {
    let text = |field: Field, width: u16| {
        store
            .text(field, row)
            .map_or_else(|| "-".to_string(), |t| safe(t, usize::from(width)))
    };
    let (status, status_style) = match store.outcome[row] {
        Outcome::Ok => ("✓", app.theme.ok()),
        Outcome::Failed => ("✗", app.theme.failed()),
        Outcome::Unknown => ("?", app.theme.dim()),
    };
    let duration = store.duration_ms[row];
    let duration = if duration.is_nan() {
        "-".to_string()
    } else {
        format!("{duration:.1}")
    };
    let place = match store.text(Field::Conversation, row) {
        Some(_) => text(Field::Conversation, widths[5]),
        None => text(Field::Patient, widths[5]),
    };
    Row::new([
        Cell::from(format_time(store.time[row], app.utc)),
        Cell::from(text(Field::User, widths[1])),
        Cell::from(text(Field::Tool, widths[2])),
        Cell::from(Span::styled(status, status_style)),
        Cell::from(Line::from(duration).right_aligned()),
        Cell::from(place),
    ])
}
