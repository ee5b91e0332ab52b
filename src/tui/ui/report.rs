//! The access report of the filter's patient: who accessed the record,
//! when, why, and whether the log behind it can be trusted.

use super::{App, pane_block, safe, sanitized, title};
use crate::tui::app::View;
use crate::tui::layout::{REPORT_SUMMARY, rows_in, view_chrome};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

const HEADERS: [&str; 6] = ["timestamp", "accessed by", "role", "tool", "purpose", "ok"];

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let Some(report) = &app.report else { return };
    let detail = format!(
        "patient {} · e exports (.json .csv .md .fhir.json)",
        sanitized(&report.patient_id)
    );
    let block = pane_block(app, title(app, "Access report", detail), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [summary, table_area] =
        Layout::vertical([Constraint::Length(REPORT_SUMMARY), Constraint::Fill(1)]).areas(inner);
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let counts = Line::from(format!(
        "{} {} by {} {}",
        report.total_accesses,
        plural(report.total_accesses, "access", "accesses"),
        report.unique_users,
        plural(report.unique_users, "user", "users"),
    ));
    // An id that never occurs is said where the count is read.
    let counts = match &report.patient_note {
        Some(note) => Line::styled(format!("{counts}: {}", sanitized(note)), app.theme.failed()),
        None => counts,
    };
    let period = Line::from(format!(
        "from {} to {}",
        report.report_period.start, report.report_period.end
    ));
    let filter = Line::from(match &report.filter {
        Some(filter) => format!(
            "filter: {} (only entries matching every term)",
            sanitized(filter)
        ),
        None => "every entry of this patient in the period".to_owned(),
    });
    let integrity = if report.integrity_verified {
        Line::styled(
            "✓ integrity verified: the chain holding these entries is intact and hashes every field",
            app.theme.ok(),
        )
    } else {
        let note = report
            .integrity_note
            .as_deref()
            .unwrap_or("no reason given");
        Line::styled(
            format!("✗ integrity NOT verified: {}", sanitized(note)),
            app.theme.failed(),
        )
    };
    // The integrity note may take three lines at 80 columns: it is the one
    // thing a compliance officer must not miss.
    frame.render_widget(
        Paragraph::new(vec![counts, period, filter, integrity]).wrap(Wrap { trim: false }),
        summary,
    );

    let accesses = &report.accesses;
    let height = rows_in(area, view_chrome(View::Report));
    let mut cursor = app.view_cursor;
    cursor.fit(height, accesses.len());
    // A timestamp as logged is up to 32 wide; narrow screens keep the second.
    let time = if table_area.width >= 120 { 32 } else { 20 };
    let free = table_area.width.saturating_sub(time + 3 + 5);
    let widths = [time, free / 4, free / 4, free / 4, free - 3 * (free / 4), 3];
    let rows: Vec<Row> = cursor
        .visible(height, accesses.len())
        .map(|i| {
            let a = &accesses[i];
            let text = |t: &Option<String>, w: u16| {
                t.as_deref()
                    .map_or_else(|| "-".to_string(), |t| safe(t, usize::from(w)))
            };
            let mut purpose = text(&a.purpose, widths[4]);
            if a.emergency {
                purpose = safe(&format!("⚠ {purpose}"), usize::from(widths[4]));
            }
            let style = match (i == cursor.selected, a.emergency) {
                (true, _) => app.theme.selected(),
                (false, true) => app.theme.alarm(),
                (false, false) => Style::new(),
            };
            let ok = match a.success {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "?",
            };
            Row::new([
                safe(&a.timestamp, usize::from(widths[0])),
                text(&a.accessed_by, widths[1]),
                text(&a.role, widths[2]),
                text(&a.tool, widths[3]),
                purpose,
                ok.to_string(),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(rows, widths.map(Constraint::Length))
        .header(Row::new(HEADERS).style(app.theme.header()));
    frame.render_widget(table, table_area);
}
