//! Enter and Esc: opening what is selected, jumping to an entry, going back.

use super::app::{App, Jump, Pane, View, entry_changed, set_filter};
use super::reports::alert_items;
use super::stats_order::sorted;
use crate::backend::RowKey;
use crate::filter::quote_value;
use crate::text::for_terminal;

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

fn jump_to_finding(app: &mut App) {
    let Some(data) = app.loaded().cloned() else {
        return;
    };
    let Some(finding) = data.verification().findings.get(app.view_cursor.selected) else {
        return;
    };
    let file = for_terminal(&finding.file);
    let nearest = data
        .nearest(&finding.file, finding.line)
        .and_then(|key| match key {
            Some(key) => Ok(data.detail(key)?.map(|detail| (key, detail))),
            None => Ok(None),
        });
    match nearest {
        Ok(Some((key, detail))) => {
            if detail.row.line != finding.line {
                app.status = Some(format!(
                    "{file}:{} is not an entry ({}); showing the nearest entry, line {}",
                    finding.line,
                    finding.kind.name(),
                    detail.row.line
                ));
            }
            jump_to(app, key);
        }
        Ok(None) => app.status = Some(format!("{file} has no entry left to show")),
        Err(e) => app.status = Some(format!("the logs could not answer: {e}")),
    }
}

/// Select an entry in the table, clearing the filter if it hides the entry.
pub fn jump_to(app: &mut App, key: RowKey) {
    app.view = View::Panes;
    app.focus = Pane::Entries;
    match app.selection.selected.locate(key) {
        Ok(Ok(index)) => {
            app.entries.select(index, app.selection.count());
            entry_changed(app);
        }
        Ok(Err(_)) => {
            app.pending_jump = Some(Jump::To(key));
            set_filter(app, "");
            app.status = Some("the filter hid that entry: filter cleared".into());
        }
        Err(e) => app.status = Some(format!("the logs could not answer: {e}")),
    }
}
