//! Every key, generated from the keymap table.

use super::{App, pane_block, title};
use crate::tui::keymap::{BINDINGS, Binding, Context};
use crate::tui::layout::{LIST_CHROME, rows_in};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Sections in reading order: what works everywhere first.
const ORDER: [Context; 12] = [
    Context::Global,
    Context::App,
    Context::Navigate,
    Context::Panes,
    Context::Stats,
    Context::Histogram,
    Context::View,
    Context::Jump,
    Context::Filter,
    Context::TextInput,
    Context::Prompt,
    Context::Confirm,
];

/// Width of the key column.
const KEYS_WIDTH: usize = 20;

enum HelpLine {
    Heading(&'static str),
    Binding(&'static Binding),
}

fn help_lines() -> Vec<HelpLine> {
    let mut lines = Vec::new();
    for context in ORDER {
        lines.push(HelpLine::Heading(context.title()));
        lines.extend(
            BINDINGS
                .iter()
                .filter(|b| b.context == context)
                .map(HelpLine::Binding),
        );
    }
    lines
}

pub fn line_count() -> usize {
    help_lines().len()
}

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let lines = help_lines();
    let height = rows_in(area, LIST_CHROME);
    let mut cursor = app.view_cursor;
    cursor.fit(height, lines.len());
    let shown: Vec<Line> = cursor
        .visible(height, lines.len())
        .map(|i| {
            let line = match &lines[i] {
                HelpLine::Heading(title) => Line::from(Span::styled(*title, app.theme.header())),
                HelpLine::Binding(b) => {
                    let keys: Vec<String> = app.keymap.keys(b).iter().map(|k| k.label()).collect();
                    Line::from(vec![
                        Span::styled(
                            format!("  {:<KEYS_WIDTH$}", keys.join(" ")),
                            app.theme.key(),
                        ),
                        Span::raw(b.description),
                    ])
                }
            };
            if i == cursor.selected {
                line.style(app.theme.selected())
            } else {
                line.style(Style::new())
            }
        })
        .collect();
    let block = pane_block(
        app,
        title(app, "Keys", "Esc or ? closes · j/k scroll".into()),
        true,
    );
    frame.render_widget(Paragraph::new(shown).block(block), area);
}
