//! The selected entry's conversation, call by call, in the lesson's line
//! format; ▶ marks the entry selected in the table, `!` a tampered one.

use super::{App, pane_block, safe, title};
use crate::tui::app::Pane;
use crate::tui::clock::format_time;
use crate::tui::layout::{LIST_CHROME, rows_in};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let focused = app.focus == Pane::Timeline;
    let width = usize::from(area.width.saturating_sub(2));
    let Some(conversation) = app.conversation.as_ref() else {
        let block = pane_block(app, title(app, "Timeline", String::new()), focused);
        let note = match &app.lookup.conversation {
            Some(id) => format!(" looking up {} …", safe(id, width.saturating_sub(16))),
            None => " the selected entry has no conversation_id".into(),
        };
        let note = Line::styled(note, app.theme.dim());
        frame.render_widget(Paragraph::new(note).block(block), area);
        return;
    };
    let entries = &conversation.entries;
    let detail = format!(
        "{} · {} {}",
        safe(&conversation.id, width / 2),
        entries.len(),
        crate::text::plural(entries.len(), "call", "calls")
    );
    let block = pane_block(app, title(app, "Timeline", detail), focused);
    let height = rows_in(area, LIST_CHROME);
    let mut cursor = app.timeline;
    cursor.fit(height, entries.len());
    let current = app.lookup.key;
    let lines: Vec<Line> = cursor
        .visible(height, entries.len())
        .map(|i| {
            let entry = &entries[i];
            let marker = if current == Some(entry.key) {
                "▶"
            } else {
                " "
            };
            let time = format_time(entry.key.time, app.utc);
            // Keep the clock time only: the date is in the table.
            let clock = time.get(11..).unwrap_or(&time).to_string();
            // `!`: an integrity finding is on this entry's line.
            let flag = if conversation.tampered.contains(&entry.key) {
                "!"
            } else {
                " "
            };
            let used = clock.chars().count() + 4;
            let style = if focused && i == cursor.selected {
                app.theme.selected()
            } else if entry.success == Some(false) {
                app.theme.failed()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::raw(format!("{marker}{clock}")),
                Span::styled(flag, app.theme.broken()),
                Span::raw(" "),
                Span::raw(safe(&entry.line, width.saturating_sub(used))),
            ])
            .style(style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
