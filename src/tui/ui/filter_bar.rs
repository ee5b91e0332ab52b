//! The filter bar, its error line with a caret under the bad term, and the
//! completion popup.

use super::{App, safe, sanitized};
use crate::text::truncate_to_width;
use crate::tui::clock::zone_label;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The bar starts with this prompt; the caret and cursor are offset by it.
const PROMPT: &str = " / ";

const PLACEHOLDER: &str =
    "press / to filter: user:… patient:… tool:… conv:… failed since:2025-07-06 last:1h \"text\"";

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let bar = &app.filter;
    let prompt_style = if bar.active {
        app.theme.key()
    } else {
        app.theme.dim()
    };
    let mut spans = vec![Span::styled(PROMPT, prompt_style)];
    if bar.input.text().is_empty() && !bar.active {
        spans.push(Span::styled(PLACEHOLDER, app.theme.dim()));
    } else {
        spans.push(Span::raw(sanitized(bar.input.text()).into_owned()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if bar.active {
        // Times typed without an offset are read in the zone shown.
        let zone = format!(" times {} ", zone_label(app.utc));
        let typed = PROMPT.len() + sanitized(bar.input.text()).width();
        let width = zone.len() as u16 + 3;
        if usize::from(area.width) > typed + usize::from(width) {
            let at = Rect {
                x: area.right() - width,
                width: width - 3,
                ..area
            };
            frame.render_widget(Span::styled(zone, app.theme.dim()), at);
        }
    }
    if app.querying {
        let busy = Rect {
            x: area.right().saturating_sub(3),
            width: 3.min(area.width),
            ..area
        };
        frame.render_widget(Span::styled(" … ", app.theme.dim()), busy);
    }
    if bar.active {
        let x = area.x + (PROMPT.len() + bar.input.cursor_column()) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}

/// `^ message` under the column where the bad term starts.
pub fn draw_error(app: &App, area: Rect, frame: &mut Frame) {
    let Some(error) = &app.filter.error else {
        return;
    };
    let before: String = app
        .filter
        .input
        .text()
        .chars()
        .take(error.column.saturating_sub(1))
        .collect();
    let indent = (PROMPT.len() + sanitized(&before).width()).min(usize::from(area.width) / 2);
    let message = format!("^ {}", sanitized(&error.message));
    let line = Line::from(vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(
            truncate_to_width(&message, usize::from(area.width) - indent).into_owned(),
            app.theme.error(),
        ),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Candidates under the word being completed, over the body.
pub fn draw_completions(app: &App, bar: Rect, body: Rect, frame: &mut Frame) {
    let completions = &app.filter.completions;
    if completions.candidates.is_empty() {
        return;
    }
    let label_width = completions
        .candidates
        .iter()
        .map(|c| sanitized(&c.label).width())
        .max()
        .unwrap_or(0)
        .clamp(16, 48);
    let width = (label_width as u16 + 4).min(body.width);
    // Anchored in the text they were computed for: the bar may have
    // changed since (Ctrl-U, history) while fresh ones are computed.
    let text_before = completions
        .text
        .get(..completions.replace.start)
        .unwrap_or_default();
    let x = bar.x + (PROMPT.len() + sanitized(text_before).width()) as u16;
    // One line down, so the entries' title and match count stay in view.
    let area = Rect {
        x: x.min(body.right().saturating_sub(width)),
        y: body.y + 1,
        width,
        height: (completions.candidates.len() as u16 + 2).min(body.height.saturating_sub(1)),
    };
    let items: Vec<ListItem> = completions
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let style = if i == completions.highlighted {
                app.theme.selected()
            } else {
                Style::new()
            };
            ListItem::new(format!(" {}", safe(&c.label, label_width))).style(style)
        })
        .collect();
    let block = Block::bordered()
        .border_style(app.theme.key())
        .title(format!(" {} · Tab ", completions.what));
    frame.render_widget(Clear, area);
    frame.render_widget(List::new(items).block(block), area);
}
