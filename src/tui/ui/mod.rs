//! Drawing: one file per pane, each a function of the state only.
//!
//! Every string that comes from a log is passed through [`safe`] (the one
//! sanitiser, `text::for_terminal`) before it reaches a cell.

pub mod alerts;
pub mod banner;
pub mod detail;
pub mod entries;
pub mod failures;
pub mod filter_bar;
pub mod findings;
pub mod footer;
pub mod help;
pub mod histogram;
pub mod loading;
pub mod prompt;
pub mod report;
pub mod stats;
pub mod timeline;

use super::app::{App, Load, Pane, View};
use super::layout;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};
use std::borrow::Cow;

/// Draw the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let areas = layout::areas(app);
    banner::draw(app, areas.banner, frame);
    filter_bar::draw(app, areas.filter, frame);
    if let Some(area) = areas.filter_error {
        filter_bar::draw_error(app, area, frame);
    }
    match (&app.load, app.view) {
        (Load::Loading(_) | Load::Indexing { .. } | Load::Failed(_), View::Panes) => {
            loading::draw(app, areas.body, frame)
        }
        (_, View::Panes) => {
            for &(pane, area) in &areas.panes {
                draw_pane(app, pane, area, frame);
            }
        }
        (_, View::Help) => help::draw(app, areas.body, frame),
        (_, View::Findings) => findings::draw(app, areas.body, frame),
        (_, View::Report) => report::draw(app, areas.body, frame),
        (_, View::Alerts) => alerts::draw(app, areas.body, frame),
    }
    if app.filter.active {
        filter_bar::draw_completions(app, areas.filter, areas.body, frame);
    }
    prompt::draw(app, areas.body, frame);
    footer::draw(app, areas.footer, frame);
}

fn draw_pane(app: &App, pane: Pane, area: Rect, frame: &mut Frame) {
    match pane {
        Pane::Entries => entries::draw(app, area, frame),
        Pane::Detail => detail::draw(app, area, frame),
        Pane::Timeline => timeline::draw(app, area, frame),
        Pane::Stats => stats::draw(app, area, frame),
        Pane::Failures => failures::draw(app, area, frame),
        Pane::Histogram => histogram::draw(app, area, frame),
    }
}

/// Log text made safe for a cell and cut to `width` columns with `…`.
pub fn safe(text: &str, width: usize) -> String {
    crate::text::truncate_to_width(&crate::text::for_terminal(text), width).into_owned()
}

/// Log text made safe, at any width (the caller wraps or clips it).
pub fn sanitized(text: &str) -> Cow<'_, str> {
    crate::text::for_terminal(text)
}

/// A pane's frame: thick and highlighted when focused, so focus shows
/// without colour too.
pub fn pane_block<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(app.theme.border(focused))
        .title(title)
}

/// ` Title ` followed by dimmed detail, for block titles.
pub fn title<'a>(app: &App, name: &'a str, detail: String) -> Line<'a> {
    let mut spans = vec![Span::styled(format!(" {name} "), Style::new().bold())];
    if !detail.is_empty() {
        spans.push(Span::styled(format!("{detail} "), app.theme.dim()));
    }
    Line::from(spans)
}

/// `1,234,567`: counts people read at a glance.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cut sanitised text into lines of at most `width` columns, preferring to
/// break after a space. Used where the number of lines must be known
/// before drawing (scrolling, the banner's height).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    // Byte index in `line` just after its last space, and the width there.
    let mut last_space: Option<(usize, usize)> = None;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && !line.is_empty() {
            match last_space {
                Some((at, at_width)) if at < line.len() => {
                    let rest = line.split_off(at);
                    lines.push(std::mem::take(&mut line));
                    used -= at_width;
                    line = rest;
                }
                _ => {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
            }
            last_space = None;
        }
        line.push(c);
        used += w;
        if c == ' ' {
            last_space = Some((line.len(), used));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_after_spaces_and_splits_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa ", "bbb ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
