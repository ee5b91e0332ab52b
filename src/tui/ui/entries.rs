//! The entries table: one row per matching entry, only the visible ones
//! built, so a million matches cost no more than twenty.

use super::{App, pane_block, safe, thousands, title};
use crate::backend::{EntryRow, PageAt};
use crate::filter::Field;
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
    let matching = app.selection.count();
    let total = app.loaded().map_or(0, |backend| backend.entry_count());
    let mut count = format!("{} of {}", thousands(matching), thousands(total));
    if app.querying {
        count.push_str(" …");
    }
    let focused = app.focus == Pane::Entries;
    let block = pane_block(app, title(app, "Entries", count), focused).title_top(
        Line::from(format!(" times {} ", zone_label(app.utc)))
            .style(app.theme.dim())
            .right_aligned(),
    );
    if app.loaded().is_none() {
        frame.render_widget(block, area);
        return;
    }
    let height = rows_in(area, TABLE_CHROME);
    let mut cursor = app.entries;
    cursor.fit(height, matching);
    // The marker column shows the selection as a glyph, not only in reverse.
    let widths = column_widths(area.width.saturating_sub(2 + MARKER.width() as u16));
    let visible = cursor.visible(height, matching);
    let mut state =
        TableState::new().with_selected((matching > 0).then(|| cursor.selected - visible.start));
    // Only the visible entries are asked for: one page per frame.
    let page = app
        .selection
        .selected
        .page(PageAt::Index(visible.start), visible.len())
        .unwrap_or_default();
    let body: Vec<Row> = page
        .rows
        .iter()
        .map(|entry| entry_row(app, entry, &widths))
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
    if matching > height {
        let mut state = ScrollbarState::new(matching.saturating_sub(height))
            .position(cursor.offset)
            .viewport_content_length(height);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area.inner(Margin::new(0, 1)),
            &mut state,
        );
    }
    if matching == 0 && !app.querying {
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

fn entry_row<'a>(app: &App, entry: &EntryRow, widths: &[u16; 6]) -> Row<'a> {
    let text = |field: Field, width: u16| {
        entry
            .field(field)
            .map_or_else(|| "-".to_string(), |t| safe(t, usize::from(width)))
    };
    let (status, status_style) = match entry.outcome {
        Outcome::Ok => ("✓", app.theme.ok()),
        Outcome::Failed => ("✗", app.theme.failed()),
        Outcome::Unknown => ("?", app.theme.dim()),
    };
    let duration = entry
        .duration_ms
        .map_or_else(|| "-".to_string(), |ms| format!("{ms:.1}"));
    let place = match entry.conversation {
        Some(_) => text(Field::Conversation, widths[5]),
        None => text(Field::Patient, widths[5]),
    };
    Row::new([
        Cell::from(format_time(entry.key.time, app.utc)),
        Cell::from(text(Field::User, widths[1])),
        Cell::from(text(Field::Tool, widths[2])),
        Cell::from(Span::styled(status, status_style)),
        Cell::from(Line::from(duration).right_aligned()),
        Cell::from(place),
    ])
}
