//! Enter and Esc: opening what is selected, jumping to an entry, going back.

use super::app::{App, Pane, View, set_filter};
use super::jump::{self, Question};
use super::reports::alert_items;
use super::stats_order::sorted;
use crate::backend::RowKey;
use crate::filter::quote_value;

pub fn open(app: &mut App) {
    match app.view {
        View::Findings => jump_to_finding(app),
        View::Alerts => {
            let key = app.alerts.as_ref().and_then(|a| {
                alert_items(a)
                    .get(app.view_cursor.selected)
                    .map(|i| i.key())
            });
            if let Some(key) = key {
                jump_to(app, key);
            }
        }
        View::Help | View::Report => {}
        View::Panes => open_pane(app),
    }
}

fn open_pane(app: &mut App) {
    match app.focus {
        Pane::Entries if app.selection.count() > 0 => app.focus = Pane::Detail,
        Pane::Entries | Pane::Detail => {}
        Pane::Timeline => {
            let key = app
                .conversation
                .as_ref()
                .and_then(|c| c.entries.get(app.timeline.selected))
                .map(|e| e.key);
            if let Some(key) = key {
                jump_to(app, key);
            }
        }
        Pane::Failures => {
            if let Some(failure) = app.selection.failures().get(app.failures.selected) {
                jump_to(app, failure.key);
            }
        }
        Pane::Stats => filter_by_tool(app),
        Pane::Histogram => super::activity::apply_range(app),
    }
}

/// Enter on a tool narrows the filter to it.
fn filter_by_tool(app: &mut App) {
    let stats = sorted(app.selection.stats(), app.stats_sort);
    let Some(tool) = stats.get(app.stats.selected).map(|s| s.tool.clone()) else {
        return;
    };
    let Some(tool) = tool else {
        app.status = Some("these entries logged no tool name".into());
        return;
    };
    let text = format!(
        "{} tool:{}",
        app.filter.input.text().trim(),
        quote_value(&tool)
    );
    set_filter(app, text.trim_start());
    app.filter.remember();
    app.focus = Pane::Entries;
}

pub fn back(app: &mut App) {
    if app.view != View::Panes {
        app.view = View::Panes;
    } else if app.zoomed {
        app.zoomed = false;
    } else {
        app.focus = Pane::Entries;
    }
}

/// Enter on a finding: its entry, or the nearest one (found by a worker).
fn jump_to_finding(app: &mut App) {
    let Some(finding) = app
        .loaded()
        .and_then(|data| data.verification().findings.get(app.view_cursor.selected))
    else {
        return;
    };
    let question = Question::Line {
        file: finding.file.clone(),
        line: finding.line,
        kind: finding.kind.name(),
    };
    jump::request(app, question, "the finding's entry");
}

/// Select an entry in the table, clearing the filter if it hides the entry
/// (where it is listed is found by a worker).
pub fn jump_to(app: &mut App, key: RowKey) {
    jump::request(app, Question::Entry(key), "the entry");
}
