//! Every integrity finding, in chain order; Enter jumps to the entry.

use super::{App, pane_block, safe, sanitized, title};
use crate::tui::layout::{LIST_CHROME, rows_in};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let findings = app
        .verification()
        .map(|v| v.findings.as_slice())
        .unwrap_or_default();
    let count = match findings.len() {
        0 => "none".to_string(),
        1 => "1 finding · Enter jumps to the entry".to_string(),
        n => format!("{n} findings · Enter jumps to the entry"),
    };
    let block = pane_block(app, title(app, "Integrity findings", count), true);
    let width = usize::from(area.width.saturating_sub(2));
    let height = rows_in(area, LIST_CHROME);
    let mut cursor = app.view_cursor;
    cursor.fit(height, findings.len());
    let mut lines: Vec<Line> = cursor
        .visible(height, findings.len())
        .map(|i| {
            let f = &findings[i];
            let place = format!(" {}:{}", sanitized(&f.file), f.line);
            let style = if i == cursor.selected {
                app.theme.selected()
            } else {
                Style::new()
            };
            let kind = format!(" {:<10} ", f.kind.name());
            let used = place.chars().count() + kind.len();
            Line::from(vec![
                Span::raw(place),
                Span::styled(kind, app.theme.failed()),
                Span::raw(safe(&f.message, width.saturating_sub(used))),
            ])
            .style(style)
        })
        .collect();
    if findings.is_empty() {
        lines.push(Line::styled(
            " no integrity findings: every chain verified",
            app.theme.ok(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
