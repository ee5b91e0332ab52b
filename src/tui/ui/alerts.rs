//! Emergency (break-the-glass) accesses, highlighted, then access bursts.

use super::{App, pane_block, safe, title};
use crate::text::plural;
use crate::tui::layout::{LIST_CHROME, rows_in};
use crate::tui::reports::{AlertItem, alert_items};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let Some(alerts) = &app.alerts else {
        let block = pane_block(app, title(app, "Alerts", "computing…".into()), true);
        frame.render_widget(block, area);
        return;
    };
    let items = alert_items(alerts);
    let detail = format!(
        "{} emergency · {} {} of ≥{} in {} · Enter jumps",
        alerts.emergencies.len(),
        alerts.bursts.len(),
        plural(alerts.bursts.len(), "burst", "bursts"),
        alerts.threshold,
        alerts.window
    );
    let block = pane_block(app, title(app, "Alerts", detail), true);
    let width = usize::from(area.width.saturating_sub(2));
    let height = rows_in(area, LIST_CHROME);
    let mut cursor = app.view_cursor;
    cursor.fit(height, items.len());
    let mut lines: Vec<Line> = cursor
        .visible(height, items.len())
        .map(|i| {
            let line = Line::raw(safe(&describe(&items[i]), width));
            match (&items[i], i == cursor.selected) {
                (_, true) => line.style(app.theme.selected()),
                (AlertItem::Emergency(_), false) => line.style(app.theme.alarm()),
                (AlertItem::Burst(_), false) => line,
            }
        })
        .collect();
    if items.is_empty() {
        lines.push(Line::styled(
            " no emergency access and no burst in these entries",
            app.theme.ok(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One line per alert (log text; the caller sanitises it).
fn describe(item: &AlertItem<'_>) -> String {
    let or_dash = |t: &Option<String>| t.clone().unwrap_or_else(|| "-".into());
    // What needs action first, so a narrow screen never cuts it off.
    match item {
        AlertItem::Emergency(e) => format!(
            "⚠ EMERGENCY {} · {} ({}) → patient {} · {} · purpose {} · why: {} · {}",
            match &e.review_timestamp {
                Some(t) if e.reviewed => format!("reviewed {t}"),
                _ => "NOT REVIEWED".into(),
            },
            or_dash(&e.user),
            or_dash(&e.role),
            or_dash(&e.patient),
            or_dash(&e.tool),
            or_dash(&e.purpose),
            e.justification.as_deref().unwrap_or("none logged"),
            or_dash(&e.timestamp),
        ),
        AlertItem::Burst(b) => format!(
            "  BURST {}× · {} read patient {} · {} → {}",
            b.count,
            or_dash(&b.user),
            b.patient,
            b.first,
            b.last
        ),
    }
}
