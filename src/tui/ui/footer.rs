//! The bottom line: the last action's message, else the keys that work
//! here, read from the keymap.

use super::{App, sanitized};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let mut spans = vec![Span::raw(" ")];
    match &app.status {
        Some(status) => spans.push(Span::raw(sanitized(status).into_owned())),
        None => {
            // Whole hints only: a cut-off "r r" helps nobody.
            let mut room = usize::from(area.width).saturating_sub(1);
            for (key, hint) in app.keymap.hints(&app.contexts()) {
                let label = format!(" {hint}  ");
                let width = key.width() + label.width();
                if width > room + 2 {
                    break;
                }
                room = room.saturating_sub(width);
                spans.push(Span::styled(key, app.theme.key()));
                spans.push(Span::raw(label));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if !app.mouse {
        let label = " mouse released (m) ";
        let width = (label.len() as u16).min(area.width);
        let corner = Rect {
            x: area.right() - width,
            width,
            ..area
        };
        frame.render_widget(Span::styled(label, app.theme.selected()), corner);
    }
}
