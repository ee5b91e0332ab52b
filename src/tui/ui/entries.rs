//! The entries table: one row per matching entry, only the visible ones
//! built, so a million matches cost no more than twenty.

use super::{App, pane_block, safe, sanitized, thousands, title};
use crate::backend::{EntryRow, Order, PageAt};
use crate::filter::Field;
use crate::log::chain::{Finding, FindingKind};
use crate::store::store::{NO_TIME, Outcome};
use crate::tui::app::Pane;
use crate::tui::clock::{format_time, zone_label};
use crate::tui::layout::{TABLE_CHROME, rows_in};
use ratatui::Frame;
use ratatui::layout::{Constraint, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Cell, HighlightSpacing, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table,
    TableState,
};
use unicode_width::UnicodeWidthStr;

const MARKER: &str = "▶";
/// The mark (space) of an entry kept for export.
const MARKED: &str = "●";
const MARK: u16 = 1;
const TIME: u16 = 19;
/// At most this much of a file's name: enough to tell hosts apart.
const FILE: u16 = 14;
/// The outcome, and `!` when a finding is on the entry's line.
const STATUS: u16 = 2;
const DURATION: u16 = 8;
const ROLE: u16 = 14;
const PURPOSE: u16 = 11;
const COLUMNS: usize = 10;
/// Shown for an entry whose timestamp could not be read: in time order
/// such entries come first, in file order.
const NO_TIMESTAMP: &str = "no timestamp";

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let matching = app.selection.count();
    let total = app.loaded().map_or(0, |backend| backend.entry_count());
    let mut count = format!("{} of {}", thousands(matching), thousands(total));
    if app.querying {
        count.push_str(" …");
    } else if app.paging.is_some() {
        count.push_str(" · looking up …");
    }
    let focused = app.focus == Pane::Entries;
    let order = order_name(app.order);
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
    let widths = column_widths(inner, !app.marks.is_empty(), sources > 1);
    let visible = cursor.visible(height, matching);
    // Only the visible entries, and only if kept: a page the logs must be
    // asked for is fetched by a job (`tui::paging`), and the frame after
    // it shows the rows.
    let page = app
        .selection
        .selected
        .kept(PageAt::Index(visible.start), visible.len())
        .unwrap_or_default();
    let selected = (matching > 0).then(|| cursor.selected - visible.start);
    let (body, gaps, selected) = rows_with_gaps(app, &page.rows, &widths, selected, height);
    let mut state = TableState::new().with_selected(selected);
    let table = table(app, &widths, body, block);
    frame.render_stateful_widget(table, area, &mut state);
    draw_gaps(app, area, gaps, frame);
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

/// The first entries of the logs while they load (`tui::first_entries`),
/// as the table will list them, marked once the verdict is known; nothing
/// to select or filter yet.
pub fn draw_first(app: &App, area: Rect, frame: &mut Frame) {
    let entries = &app.first_entries;
    let order = order_name(app.order);
    let detail = format!(
        "the first {} of the logs, as read · all, {order}, once indexed",
        thousands(entries.len())
    );
    let block = pane_block(app, title(app, "Entries", detail), false);
    let several = entries.iter().any(|e| e.key.source != 0);
    let inner = area.width.saturating_sub(2 + MARKER.width() as u16);
    let widths = column_widths(inner, false, several);
    let height = rows_in(area, TABLE_CHROME);
    let (body, gaps, _) = rows_with_gaps(app, entries, &widths, None, height);
    frame.render_widget(table(app, &widths, body, block), area);
    draw_gaps(app, area, gaps, frame);
}

fn order_name(order: Order) -> &'static str {
    match order {
        Order::Time => "by time",
        Order::File => "file by file",
    }
}

/// The table of `body` with its header.
fn table<'a>(
    app: &App,
    widths: &[u16; COLUMNS],
    body: Vec<Row<'a>>,
    block: Block<'a>,
) -> Table<'a> {
    let header = Row::new(shown(
        widths,
        [
            Cell::from(""),
            Cell::from("time"),
            Cell::from("file"),
            Cell::from("user"),
            Cell::from("tool"),
            Cell::from(""),
            Cell::from(Line::from("ms").right_aligned()),
            Cell::from("conv / patient"),
            Cell::from("role"),
            Cell::from("purpose"),
        ],
    ))
    .style(app.theme.header());
    let constraints = widths
        .iter()
        .copied()
        .filter(|&w| w > 0)
        .map(Constraint::Length);
    Table::new(body, constraints)
        .header(header)
        .column_spacing(1)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always)
        .row_highlight_style(app.theme.selected())
        .block(block)
}

/// A gap spans the columns: written over its blank row.
fn draw_gaps(app: &App, area: Rect, gaps: Vec<(usize, String)>, frame: &mut Frame) {
    let inner = area.inner(Margin::new(1, 1));
    for (index, text) in gaps {
        let y = inner.y + 1 + index as u16;
        if y < inner.bottom() {
            let row = Rect::new(inner.x, y, inner.width, 1);
            frame.render_widget(Line::styled(text, app.theme.broken()), row);
        }
    }
}

/// Mark, time, file, user, tool, status, duration, conversation, role,
/// purpose: fixed widths for the fixed-format columns, the rest shared among
/// the free-text ones. A width of 0 hides a column: the mark without marks,
/// the file with one log; who and why need room, so on a narrow screen
/// purpose is dropped first, then role; user, tool and conversation stay.
fn column_widths(inner: u16, marks: bool, several_files: bool) -> [u16; COLUMNS] {
    let mark = if marks { MARK } else { 0 };
    let file = if several_files { FILE } else { 0 };
    let spacing = 5 + u16::from(marks) + u16::from(several_files);
    let mut free = inner.saturating_sub(mark + TIME + file + STATUS + DURATION + spacing);
    let mut take = |width: u16, room: u16| {
        if free >= room {
            free -= width + 1;
            width
        } else {
            0
        }
    };
    let role = take(ROLE, 50);
    let purpose = take(PURPOSE, 50);
    let user = free * 3 / 10;
    let tool = free * 35 / 100;
    let conversation = free - user - tool;
    [
        mark,
        TIME,
        file,
        user,
        tool,
        STATUS,
        DURATION,
        conversation,
        role,
        purpose,
    ]
}

/// The cells of the columns that have room (a width above 0).
fn shown<'a>(widths: &[u16; COLUMNS], cells: [Cell<'a>; COLUMNS]) -> Vec<Cell<'a>> {
    widths
        .iter()
        .zip(cells)
        .filter_map(|(&width, cell)| (width > 0).then_some(cell))
        .collect()
}

/// The table's rows: each entry, and before an entry whose link to the one
/// before it is broken, a blank row for a gap line (returned with its index
/// and text) saying entries may be missing there. Gap rows push entries
/// down, so the window is cut to `height` rows around the selected one
/// (whose new index is returned).
fn rows_with_gaps<'a>(
    app: &App,
    entries: &[EntryRow],
    widths: &[u16; COLUMNS],
    selected: Option<usize>,
    height: usize,
) -> (Vec<Row<'a>>, Vec<(usize, String)>, Option<usize>) {
    let mut rows = Vec::with_capacity(entries.len().min(height + 1));
    let mut gaps = Vec::new();
    let mut selected_row = None;
    for (i, entry) in entries.iter().enumerate() {
        // Rows past the window are not built: the first entries are more
        // than a screen, and a frame while loading builds them all again.
        if rows.len() >= height && selected.is_none_or(|s| s < i) {
            break;
        }
        // Once verified: the first entries are marked before they are indexed.
        let findings: Vec<&Finding> = app.findings_on(&entry.file, entry.line).collect();
        if findings.iter().any(|f| f.kind == FindingKind::Link) {
            gaps.push((rows.len(), gap_text(entry)));
            rows.push(Row::new([Cell::from("")]));
        }
        if selected == Some(i) {
            selected_row = Some(rows.len());
        }
        rows.push(entry_row(app, entry, widths, !findings.is_empty()));
    }
    let skip = selected_row.map_or(0, |s| (s + 1).saturating_sub(height));
    let rows = rows.into_iter().skip(skip).take(height).collect();
    let gaps = gaps
        .into_iter()
        .filter_map(|(index, text)| index.checked_sub(skip).map(|i| (i, text)))
        .collect();
    (rows, gaps, selected_row.map(|s| s - skip))
}

/// `⋯ chain break before file:line: entries deleted, inserted or reordered`.
fn gap_text(before: &EntryRow) -> String {
    format!(
        " ⋯ chain break before {}:{}: entries deleted, inserted or reordered here ⋯",
        sanitized(&before.file),
        before.line
    )
}

/// The last part of a file's path without the extensions every log has:
/// which log (host) an entry came from, in the few columns there are.
fn file_label(file: &str, width: u16) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let name = name.strip_suffix(".gz").unwrap_or(name);
    let name = name.strip_suffix(".jsonl").unwrap_or(name);
    safe(name, usize::from(width))
}

fn entry_row<'a>(app: &App, entry: &EntryRow, widths: &[u16; COLUMNS], tampered: bool) -> Row<'a> {
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
    // A finding on this line: `!` beside the status, and the time flagged.
    let (finding, time_style) = if tampered {
        ("!", app.theme.broken())
    } else {
        (" ", Style::new())
    };
    let time = match entry.key.time {
        NO_TIME => Span::styled(NO_TIMESTAMP, app.theme.dim().patch(time_style)),
        time => Span::styled(format_time(time, app.utc), time_style),
    };
    let mark = if app.marks.contains(&entry.file, entry.line) {
        MARKED
    } else {
        ""
    };
    let cells = [
        Cell::from(Span::styled(mark, app.theme.header())),
        Cell::from(time),
        Cell::from(Span::styled(
            file_label(&entry.file, widths[2]),
            app.theme.dim(),
        )),
        Cell::from(text(Field::User, widths[3])),
        Cell::from(text(Field::Tool, widths[4])),
        Cell::from(Line::from(vec![
            Span::styled(status, status_style),
            Span::styled(finding, app.theme.broken()),
        ])),
        Cell::from(Line::from(duration).right_aligned()),
        Cell::from(place),
        Cell::from(text(Field::Role, widths[8])),
        Cell::from(text(Field::Purpose, widths[9])),
    ];
    Row::new(shown(widths, cells))
}

#[cfg(test)]
mod tests {
    use super::file_label;

    #[test]
    fn file_labels_drop_the_directory_and_the_log_extensions() {
        assert_eq!(file_label("logs/host-a/audit.1.jsonl", 14), "audit.1");
        assert_eq!(file_label("hosts/web-3.jsonl.gz", 14), "web-3");
        assert_eq!(file_label("notes.txt", 14), "notes.txt");
        assert_eq!(
            file_label("TAMPERED-support-chain.jsonl", 14),
            "TAMPERED-supp…"
        );
    }
}
