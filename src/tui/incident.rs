//! Reading an incident: jumping between the failures and the integrity
//! findings of the current view, marking entries to export together, and
//! stepping back from a filter to what happened around an entry.

use super::app::{App, Jump, Pane, set_filter};
use super::jump::{self, Direction, Question};
use crate::backend::Order;
use crate::filter::parse_filter_in;

/// `n` / `N`: the next or previous failed call among the entries shown,
/// in the order shown, found by a worker.
pub fn jump_to_failure(app: &mut App, direction: Direction) {
    let Ok(filter) = parse_filter_in(app.filter.applied(), app.zone()) else {
        app.status = Some("the filter has an error (see under the bar)".into());
        return;
    };
    let from = match app.selected_entry_or_say() {
        Some(entry) => Some(entry.key),
        None if app.selection.count() > 0 => return,
        None => None,
    };
    let what = match direction {
        Direction::Next => "the next failure",
        Direction::Previous => "the previous failure",
    };
    let question = Question::Failure {
        filter,
        from,
        direction,
    };
    jump::request(app, question, what);
}

/// `]` / `[`: the next or previous entry with an integrity finding among
/// the entries shown, found by a worker (the findings' entries are looked
/// up on the first jump after a load, and kept).
pub fn jump_to_finding(app: &mut App, direction: Direction) {
    let keys = match &app.finding_keys {
        Some((order, keys)) if *order == app.order => Some(keys.clone()),
        _ => None,
    };
    let what = match direction {
        Direction::Next => "the next integrity finding",
        Direction::Previous => "the previous integrity finding",
    };
    let question = Question::Finding {
        keys,
        cursor: app.entries.selected,
        direction,
    };
    jump::request(app, question, what);
}

/// Space: mark the selected entry to export with others, or unmark it.
pub fn toggle_mark(app: &mut App) {
    let Some(entry) = app.selected_entry_or_say() else {
        return;
    };
    let marked = app.marks.toggle(&entry.file, entry.line);
    let count = app.marks.len();
    app.status = Some(format!(
        "{} {}:{} · {} marked (E exports them, U clears)",
        if marked { "marked" } else { "unmarked" },
        crate::text::for_terminal(&entry.file),
        entry.line,
        super::ui::thousands(count)
    ));
}

pub fn clear_marks(app: &mut App) {
    let count = app.marks.len();
    app.marks.clear();
    app.status = Some(format!("cleared {} marks", super::ui::thousands(count)));
}

/// `c`: what happened around the selected entry: the filter cleared, all
/// logs merged by time, the cursor still on the entry.
pub fn around_entry(app: &mut App) {
    let Some(key) = app.selected_entry_or_say().map(|entry| entry.key) else {
        return;
    };
    app.pending_jump = Some(Jump::To(key));
    app.order = Order::Time;
    app.focus = Pane::Entries;
    app.filter.remember();
    set_filter(app, "");
    app.status = Some(
        "around this entry: filter cleared, all logs by time (↑ in the filter bar brings the filter back)"
            .into(),
    );
}
