//! The body while the logs load: a progress bar with bytes and speed, or
//! why loading failed.

use super::{App, pane_block, sanitized, thousands, title};
use crate::tui::app::Load;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Wrap};

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    match &app.load {
        Load::Loading(p) => {
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
            let block = pane_block(
                app,
                title(app, "Loading and verifying", String::new()),
                false,
            );
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let [_, bar, _, note] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .areas(inner);
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(label)
                    .gauge_style(app.theme.key()),
                bar,
            );
            frame.render_widget(
                Line::from(
                    "every line is parsed and hashed; entries appear when the chain is checked",
                )
                .style(app.theme.dim())
                .centered(),
                note,
            );
        }
        Load::Failed(message) => {
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
        Load::Ready(_) => {}
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
