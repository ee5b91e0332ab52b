//! The selected entry in full: where it is, and its JSON, indented.

use super::{App, pane_block, sanitized, title, wrap};
use crate::backend::EntryRow;
use crate::log::chain::{Finding, FindingKind};
use crate::log::entry::parse_line;
use crate::tui::app::Pane;
use crate::tui::layout::{LIST_CHROME, rows_in};
use crate::tui::lookup::{Pending, RetentionAnswer};
use crate::tui::pretty::pretty_lines;
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

/// The lines of the detail at `width` columns, wrapped: what the lookup of
/// the selected entry has answered (the event loop asks the logs nothing).
pub fn content(app: &App, width: usize) -> Vec<String> {
    if app.loaded().is_none() {
        return vec!["no entry selected".into()];
    }
    if app.lookup.key.is_none() {
        // Entries but no key: its row is on a page still being fetched.
        let waiting = app.selection.count() > 0;
        let text = if waiting {
            "looking up the entry …"
        } else {
            "no entry selected"
        };
        return vec![text.into()];
    }
    let detail = match &app.lookup.detail {
        Pending::Loading => return vec!["looking up the entry …".into()],
        Pending::Ready(answer) => match answer.as_ref() {
            Ok(Some(detail)) => detail,
            Ok(None) => return vec!["the entry is gone from the logs".into()],
            Err(e) => {
                return vec![sanitized(&format!("the logs could not answer: {e}")).into_owned()];
            }
        },
    };
    let mut text = vec![format!(
        "{}:{}",
        sanitized(&detail.row.file),
        detail.row.line
    )];
    text.extend(
        app.findings_on(&detail.row.file, detail.row.line)
            .map(finding_line),
    );
    text.extend([
        sanitized(&logged_attribution(&detail.row)).into_owned(),
        retention_line(&app.lookup.retention),
        String::new(),
    ]);
    match parse_line(&detail.raw) {
        Ok(entry) => text.extend(pretty_lines(&entry.value)),
        Err(_) => text.push(sanitized(&String::from_utf8_lossy(&detail.raw)).into_owned()),
    }
    text.iter().flat_map(|l| wrap(l, width)).collect()
}

/// `! TAMPERED file:line modified: content does not match its hash …`: the
/// finding that concerns the shown entry, first thing under its place.
fn finding_line(finding: &Finding) -> String {
    let what = match finding.kind {
        FindingKind::Modified => "this entry was edited after it was sealed",
        FindingKind::Link => "entries before this one were deleted, inserted or reordered",
        _ => "this line is not a sound entry",
    };
    format!(
        "! TAMPERED {}:{} {}: {what} ({})",
        sanitized(&finding.file),
        finding.line,
        finding.kind.name(),
        sanitized(&finding.message)
    )
}

/// `retention: financial, 2555 days, until 2032-07-06 (retained)`.
fn retention_line(retention: &Pending<RetentionAnswer>) -> String {
    let r = match retention {
        Pending::Loading => return "retention: looking up …".into(),
        Pending::Ready(Ok(None)) => return String::new(),
        Pending::Ready(Ok(Some(r))) => r,
        Pending::Ready(Err(e)) => {
            return sanitized(&format!("retention: the logs could not answer: {e}")).into_owned();
        }
    };
    match (&r.policy, r.retention_days, &r.expires) {
        (Some(policy), Some(days), Some(expires)) => format!(
            "retention: {policy}, {days} days, until {expires} ({})",
            r.status.name()
        ),
        _ => format!("retention: {}", r.status.name()),
    }
}

/// Who did what and why, as logged: the lesson's attribution chain without
/// its invented defaults (a hipaa entry has no model and no trigger), with
/// the purpose: `User usr_1 (nurse) → get_order · purpose treatment`.
fn logged_attribution(row: &EntryRow) -> String {
    let mut out = format!("User {}", row.user.as_deref().unwrap_or("(none logged)"));
    if let Some(role) = &row.role {
        out.push_str(&format!(" ({role})"));
    }
    for step in [&row.model, &row.tool].into_iter().flatten() {
        out.push_str(&format!(" → {step}"));
    }
    if let Some(trigger) = &row.trigger {
        out.push_str(&format!(" [{trigger}]"));
    }
    if let Some(purpose) = &row.purpose {
        out.push_str(&format!(" · purpose {purpose}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retention_the_logs_could_not_answer_says_so() {
        let line = retention_line(&Pending::Ready(Err("connection refused".into())));
        assert_eq!(
            line,
            "retention: the logs could not answer: connection refused"
        );
        assert_eq!(retention_line(&Pending::Ready(Ok(None))), "");
    }
}
