//! The body while the logs load: the first entries read, over a progress
//! bar with bytes and speed (verifying, then indexing); or why loading
//! failed.

use super::{App, entries, pane_block, sanitized, thousands, title};
use crate::tui::app::Load;
use crate::tui::loader::LoadProgress;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Wrap};

/// The progress block's rows under the first entries: borders, bar, note.
const PROGRESS_ROWS: u16 = 4;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let (name, progress, note) = match &app.load {
        Load::Loading(p) => (
            "Loading and verifying",
            p,
            "every line is parsed and hashed for the verdict; then the entries are indexed"
                .to_owned(),
        ),
        Load::Indexing {
            verification,
            progress,
            ..
        } => (
            "Indexing",
            progress,
            format!(
                "verified; the filter and the panes work once all {} entries are indexed",
                thousands(verification.entries())
            ),
        ),
        Load::Failed(message) => return failed(app, message, area, frame),
        Load::Ready(_) => return,
    };
    let area = if app.first_entries.is_empty() {
        area
    } else {
        let [list, rest] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(PROGRESS_ROWS)]).areas(area);
        entries::draw_first(app, list, frame);
        rest
    };
    let block = pane_block(app, title(app, name, String::new()), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [_, bar, note_row, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let (ratio, label) = gauge(progress);
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(label)
            .gauge_style(app.theme.key()),
        bar,
    );
    frame.render_widget(Line::from(note).style(app.theme.dim()).centered(), note_row);
}

/// How far a pass is, and its label: share, bytes, entries and speed.
fn gauge(p: &LoadProgress) -> (f64, String) {
    let done = p.progress.bytes_done;
    let total = p.progress.bytes_total;
    let ratio = if total > 0 {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let label = format!(
        "{}% · {} of {} · {} entries · {} entries/s",
        (ratio * 100.0).floor(),
        megabytes(done),
        megabytes(total),
        thousands(p.progress.entries as usize),
        thousands(p.entries_per_second() as usize),
    );
    (ratio, label)
}

fn failed(app: &App, message: &str, area: Rect, frame: &mut Frame) {
    let block = pane_block(app, title(app, "Cannot load", String::new()), true);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(sanitized(message).into_owned()).style(app.theme.error()),
            Line::from(""),
            Line::from("q quits"),
        ])
        .wrap(Wrap { trim: false })
        .block(block),
        area,
    );
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
