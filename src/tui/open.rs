//! Enter and Esc: opening what is selected, jumping to an entry, going back.

use super::app::{App, Pane, View, entry_changed, set_filter};
use super::reports::alert_items;
use super::stats_order::sorted;
use crate::filter::quote_value;
use crate::store::Store;
use crate::text::for_terminal;

pub fn open(app: &mut App) {
    match app.view {
        View::Findings => jump_to_finding(app),
        View::Alerts => {
            let row = app.alerts.as_ref().and_then(|a| {
                alert_items(a)
                    .get(app.view_cursor.selected)
                    .map(|i| i.row())
            });
            if let Some(row) = row {
                jump_to_row(app, row as usize);
            }
        }
        View::Help | View::Report => {}
        View::Panes => open_pane(app),
    }
}

fn open_pane(app: &mut App) {
    match app.focus {
        Pane::Entries if app.selected_row().is_some() => app.focus = Pane::Detail,
        Pane::Entries | Pane::Detail => {}
        Pane::Timeline => {
            let row = app
                .conversation
                .as_ref()
                .and_then(|c| c.entries.get(app.timeline.selected))
                .map(|e| e.row);
            if let Some(row) = row {
                jump_to_row(app, row as usize);
            }
        }
        Pane::Failures => {
            if let Some(failure) = app.selection.failures().get(app.failures.selected) {
                jump_to_row(app, failure.row as usize);
            }
        }
        Pane::Stats => filter_by_tool(app),
        Pane::Histogram => super::activity::apply_range(app),
    }
}

/// Enter on a tool narrows the filter to it.
fn filter_by_tool(app: &mut App) {
    let stats = sorted(&app.selection.stats, app.stats_sort);
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
    let Some(finding) = data.verification.findings.get(app.view_cursor.selected) else {
        return;
    };
    let store = &data.store;
    let file = for_terminal(&finding.file);
    let row = match store.row_at(&finding.file, finding.line) {
        Some(row) => row,
        None => match nearest_row(store, &finding.file, finding.line) {
            Some(row) => {
                app.status = Some(format!(
                    "{file}:{} is not an entry ({}); showing the nearest entry, line {}",
                    finding.line,
                    finding.kind.name(),
                    store.location(row).1
                ));
                row
            }
            None => {
                app.status = Some(format!("{file} has no entry left to show"));
                return;
            }
        },
    };
    jump_to_row(app, row);
}

/// The entry of `file` closest to `line`, for findings on lines that are
/// not entries (malformed, truncated).
fn nearest_row(store: &Store, file: &str, line: usize) -> Option<usize> {
    (0..store.len())
        .filter(|&row| store.location(row).0 == file)
        .min_by_key(|&row| store.location(row).1.abs_diff(line))
}

/// Select an entry in the table, clearing the filter if it hides the entry.
pub fn jump_to_row(app: &mut App, row: usize) {
    app.view = View::Panes;
    app.focus = Pane::Entries;
    match app.selection.rows.binary_search(&(row as u32)) {
        Ok(index) => {
            app.entries.select(index, app.selection.rows.len());
            entry_changed(app);
        }
        Err(_) => {
            app.pending_jump = Some(row as u32);
            set_filter(app, "");
            app.status = Some("the filter hid that entry: filter cleared".into());
        }
    }
}
