//! The entries table: one row per matching entry, only the visible ones
//! built, so a million matches cost no more than twenty.

use super::{App, pane_block, safe, thousands, title};
use crate::backend::{EntryRow, Order, PageAt};
use crate::filter::Field;
use crate::store::store::{NO_TIME, Outcome};
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
/// The mark (space) of an entry kept for export.
const MARKED: &str = "●";
const MARK: u16 = 1;
const TIME: u16 = 19;
/// At most this much of a file's name: enough to tell hosts apart.
const FILE: u16 = 14;
const STATUS: u16 = 1;
const DURATION: u16 = 8;
/// Shown for an entry whose timestamp could not be read: in time order
/// such entries come first, in file order.
const NO_TIMESTAMP: &str = "no timestamp";

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let matching = app.selection.count();
    let total = app.loaded().map_or(0, |backend| backend.entry_count());
    let mut count = format!("{} of {}", thousands(matching), thousands(total));
    if app.querying {
        count.push_str(" …");
    }
    let focused = app.focus == Pane::Entries;
    let order = match app.order {
        Order::Time => "by time",
        Order::File => "file by file",
    };
    let block = pane_block(app, title(app, "Entries", count), focused).title_top(
        Line::from(format!(" {order} · times {} ", zone_label(app.utc)))
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
    let inner = area.width.saturating_sub(2 + MARKER.width() as u16);
    let sources = app
        .loaded()
        .map_or(0, |backend| backend.source_names().len());
    // With several logs, each row says which one it came from; the marks
    // column appears with the first mark.
    let shown = [
        !app.marks.is_empty(),
        true,
        sources > 1,
        true,
        true,
        true,
        true,
        true,
    ];
    let widths = column_widths(inner, shown);
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
        .map(|entry| Row::new(only(shown, entry_cells(app, entry, &widths))))
        .collect();
    let header = Row::new(only(
        shown,
        [
            Cell::from(""),
            Cell::from("time"),
            Cell::from("file"),
            Cell::from("user"),
            Cell::from("tool"),
            Cell::from(""),
            Cell::from(Line::from("ms").right_aligned()),
            Cell::from("conv / patient"),
        ],
    ))
    .style(app.theme.header());
    let constraints = only(shown, widths.map(Constraint::Length));
    let table = Table::new(body, constraints)
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

/// The items of the columns `shown`.
fn only<T>(shown: [bool; 8], items: [T; 8]) -> Vec<T> {
    shown
        .into_iter()
        .zip(items)
        .filter_map(|(shown, item)| shown.then_some(item))
        .collect()
}

/// Mark, time, file, user, tool, status, duration, conversation: fixed
/// widths for the fixed-format columns of those `shown`, the rest shared
/// among the free-text ones.
fn column_widths(inner: u16, shown: [bool; 8]) -> [u16; 8] {
    let fixed: u16 = only(shown, [MARK, TIME, FILE, 0, 0, STATUS, DURATION, 0])
        .iter()
        .sum();
    let spacing = only(shown, [(); 8]).len() as u16 - 1;
    let free = inner.saturating_sub(fixed + spacing);
    let user = free * 3 / 10;
    let tool = free * 35 / 100;
    let conversation = free - user - tool;
    [MARK, TIME, FILE, user, tool, STATUS, DURATION, conversation]
}

/// The last part of a file's path: which log (host) an entry came from.
fn file_label(file: &str, width: u16) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    safe(name, usize::from(width))
}

fn entry_cells<'a>(app: &App, entry: &EntryRow, widths: &[u16; 8]) -> [Cell<'a>; 8] {
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
        Some(_) => text(Field::Conversation, widths[7]),
        None => text(Field::Patient, widths[7]),
    };
    let time = match entry.key.time {
        NO_TIME => Span::styled(NO_TIMESTAMP, app.theme.dim()),
        time => Span::raw(format_time(time, app.utc)),
    };
    let mark = if app.marks.contains(&entry.file, entry.line) {
        MARKED
    } else {
        ""
    };
    [
        Cell::from(Span::styled(mark, app.theme.header())),
        Cell::from(time),
        Cell::from(Span::styled(
            file_label(&entry.file, widths[2]),
            app.theme.dim(),
        )),
        Cell::from(text(Field::User, widths[3])),
        Cell::from(text(Field::Tool, widths[4])),
        Cell::from(Span::styled(status, status_style)),
        Cell::from(Line::from(duration).right_aligned()),
        Cell::from(place),
    ]
}
