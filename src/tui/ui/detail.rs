//! The selected entry in full: where it is, and its JSON, indented.

use super::{App, pane_block, sanitized, title, wrap};
use crate::store::Store;
use crate::tui::app::Pane;
use crate::tui::layout::{LIST_CHROME, rows_in};
use crate::tui::pretty::pretty_lines;
use crate::views::retention::retention;
use crate::views::timeline::logged_attribution;
use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let focused = app.focus == Pane::Detail;
    let lines = content(app, usize::from(area.width.saturating_sub(2)));
    let height = rows_in(area, LIST_CHROME);
    let scroll = app.detail_scroll.min(lines.len().saturating_sub(height));
    let more = if lines.len() > height {
        format!(
            "{}-{} of {} lines",
            scroll + 1,
            (scroll + height).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    let block = pane_block(app, title(app, "Detail", more), focused);
    let len = lines.len();
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(height)
        .map(Line::from)
        .collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
    if len > height {
        let mut state = ScrollbarState::new(len - height)
            .position(scroll)
            .viewport_content_length(height);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area.inner(Margin::new(0, 1)),
            &mut state,
        );
    }
}

/// The lines of the detail at `width` columns, wrapped.
pub fn content(app: &App, width: usize) -> Vec<String> {
    let (Some(store), Some(row)) = (app.store(), app.selected_row()) else {
        return vec!["no entry selected".into()];
    };
    let (file, line) = store.location(row);
    let mut text = vec![
        format!("{}:{line}", sanitized(file)),
        sanitized(&logged_attribution(store, row)).into_owned(),
        retention_line(app, store, row),
        String::new(),
    ];
    match store.entry(row) {
        Some(entry) => text.extend(pretty_lines(&entry.value)),
        None => text.push(sanitized(&String::from_utf8_lossy(store.raw_line(row))).into_owned()),
    }
    text.iter().flat_map(|l| wrap(l, width)).collect()
}

/// `retention: financial, 2555 days, until 2032-07-06 (retained)`.
fn retention_line(app: &App, store: &Store, row: usize) -> String {
    let settings = &app.retention;
    let entries = retention(
        store,
        &[row as u32],
        &settings.policies,
        app.now,
        settings.due_within,
    );
    let Some(r) = entries.first() else {
        return String::new();
    };
    match (&r.policy, r.retention_days, &r.expires) {
        (Some(policy), Some(days), Some(expires)) => format!(
            "retention: {policy}, {days} days, until {expires} ({})",
            r.status.name()
        ),
        _ => format!("retention: {}", r.status.name()),
    }
}
