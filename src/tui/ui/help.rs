//! Every key, generated from the keymap table, and the filter language.

use super::{App, pane_block, title};
use crate::filter::LANGUAGE;
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
    Text(&'static str),
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
    // What to type in the filter bar, after the keys that open it.
    lines.push(HelpLine::Heading("Filter language"));
    lines.extend(LANGUAGE.lines().map(HelpLine::Text));
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
                HelpLine::Text(text) => Line::raw(format!("  {text}")),
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
