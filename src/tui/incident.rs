//! Reading an incident: jumping between the failures and the integrity
//! findings of the current view, marking entries to export together, and
//! stepping back from a filter to what happened around an entry.

use super::app::{App, Jump, Pane, set_filter};
use super::open::jump_to;
use crate::backend::{Order, PageAt, RowKey};
use crate::filter::{Filter, Predicate, Term, parse_filter_in};
use std::sync::atomic::AtomicBool;

/// Which way a jump goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Next,
    Previous,
}

/// The index in a listing of `count` entries to go to from the cursor's
/// place (`Ok` if the cursor's entry is listed, else where it would be).
fn step(place: Result<usize, usize>, count: usize, direction: Direction) -> Option<usize> {
    let target = match (place, direction) {
        (Ok(at), Direction::Next) => at.checked_add(1)?,
        (Err(at), Direction::Next) => at,
        (Ok(at) | Err(at), Direction::Previous) => at.checked_sub(1)?,
    };
    (target < count).then_some(target)
}

/// `n` / `N`: the next or previous failed call among the entries shown,
/// in the order shown.
pub fn jump_to_failure(app: &mut App, direction: Direction) {
    let Some(data) = app.loaded().cloned() else {
        return;
    };
    let Ok(filter) = parse_filter_in(app.filter.applied(), app.zone()) else {
        app.status = Some("the filter has an error (see under the bar)".into());
        return;
    };
    let filter = with_failed(filter);
    let failed = match data.select(&filter, app.order, &AtomicBool::new(false)) {
        Ok(Some(failed)) => failed,
        Ok(None) => return,
        Err(e) => {
            app.status = Some(format!("the logs could not answer: {e}"));
            return;
        }
    };
    let place = match app.selected_key() {
        Some(key) => failed.locate(key),
        None => Ok(Err(0)),
    };
    let target = place.and_then(|place| {
        let Some(index) = step(place, failed.count(), direction) else {
            return Ok(None);
        };
        let row = failed.page(PageAt::Index(index), 1)?.rows.pop();
        Ok(row.map(|row| (index, row.key)))
    });
    match target {
        Ok(Some((index, key))) => {
            jump_to(app, key);
            app.status = Some(format!(
                "failure {} of {} in this view",
                super::ui::thousands(index + 1),
                super::ui::thousands(failed.count())
            ));
        }
        Ok(None) => app.status = Some(no_more("failure", failed.count(), direction)),
        Err(e) => app.status = Some(format!("the logs could not answer: {e}")),
    }
}

fn no_more(what: &str, count: usize, direction: Direction) -> String {
    match (count, direction) {
        (0, _) => format!("no {what} in this view"),
        (_, Direction::Next) => format!("no {what} after this entry in this view"),
        (_, Direction::Previous) => format!("no {what} before this entry in this view"),
    }
}

/// The entries the integrity findings are on (or nearest to, for a line
/// that is not an entry), each once, listed in `order`.
pub fn finding_keys(app: &App, order: Order) -> Result<Vec<RowKey>, String> {
    let Some(data) = app.loaded() else {
        return Ok(Vec::new());
    };
    let mut keys = Vec::new();
    for finding in &data.verification().findings {
        let key = data
            .nearest(&finding.file, finding.line)
            .map_err(|e| format!("the logs could not answer: {e}"))?;
        keys.extend(key);
    }
    keys.sort_by(|a, b| order.compare(a, b));
    keys.dedup();
    Ok(keys)
}

/// `]` / `[`: the next or previous entry with an integrity finding among
/// the entries shown.
pub fn jump_to_finding(app: &mut App, direction: Direction) {
    if app
        .finding_keys
        .as_ref()
        .is_none_or(|(o, _)| *o != app.order)
    {
        match finding_keys(app, app.order) {
            Ok(keys) => app.finding_keys = Some((app.order, keys)),
            Err(message) => {
                app.status = Some(message);
                return;
            }
        }
    }
    let Some((_, keys)) = &app.finding_keys else {
        return;
    };
    // Only the findings on entries the filter shows, in the order shown.
    let selection = &app.selection.selected;
    let mut shown = Vec::new();
    for &key in keys {
        match selection.locate(key) {
            Ok(Ok(index)) => shown.push((index, key)),
            Ok(Err(_)) => {}
            Err(e) => {
                app.status = Some(format!("the logs could not answer: {e}"));
                return;
            }
        }
    }
    let cursor = app.entries.selected;
    let place = shown.binary_search_by_key(&cursor, |&(index, _)| index);
    match step(place, shown.len(), direction).map(|i| (i, shown[i].1)) {
        Some((i, key)) => {
            let finding_count = shown.len();
            jump_to(app, key);
            app.status = Some(format!(
                "entry with an integrity finding {} of {} in this view (i lists them)",
                i + 1,
                finding_count
            ));
        }
        None => app.status = Some(no_more("integrity finding", shown.len(), direction)),
    }
}

/// Space: mark the selected entry to export with others, or unmark it.
pub fn toggle_mark(app: &mut App) {
    let Some(entry) = app.selected_entry() else {
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
    let Some(key) = app.selected_key() else {
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

/// A filter that keeps the entries `filter` keeps that failed.
fn with_failed(mut filter: Filter) -> Filter {
    filter.terms.push(Term {
        negated: false,
        predicate: Predicate::Failed,
        span: 0..0,
    });
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_goes_past_the_cursor_and_stops_at_the_ends() {
        assert_eq!(step(Ok(2), 5, Direction::Next), Some(3));
        assert_eq!(step(Err(2), 5, Direction::Next), Some(2));
        assert_eq!(step(Ok(2), 5, Direction::Previous), Some(1));
        assert_eq!(step(Err(2), 5, Direction::Previous), Some(1));
        assert_eq!(step(Ok(4), 5, Direction::Next), None);
        assert_eq!(step(Err(0), 5, Direction::Previous), None);
        assert_eq!(step(Err(0), 0, Direction::Next), None);
    }
}
