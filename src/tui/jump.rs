//! Jumps whose target the logs must find, answered on a worker: the next
//! or previous failure (`n`/`N`) and integrity finding (`]`/`[`), and Enter
//! on a row that names an entry (timeline, failures, alerts, findings).
//!
//! From a database each is several round trips (the failures selected, the
//! target's place counted), so the event loop asks none of them: the status
//! line says "looking up" until the answer comes. A newer jump cancels the
//! older one, and an answer that comes after the cursor moved or the
//! selection changed is dropped (ARCHITECTURE.md, "The browser never
//! waits").

use super::app::{Action, App, Effect, Jump, Pane, View, entry_changed, set_filter};
use super::worker::Matches;
use crate::backend::{Backend, BackendError, Order, PageAt, RowKey};
use crate::filter::{Filter, Predicate, Term};
use crate::text::for_terminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

/// Which way a jump goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Next,
    Previous,
}

/// Where to go, as the key press asked.
pub enum Question {
    /// The failure after or before the entry `from` (none: the start)
    /// among the entries `filter` selects.
    Failure {
        filter: Filter,
        from: Option<RowKey>,
        direction: Direction,
    },
    /// The entry with an integrity finding after or before the cursor's
    /// index; `keys`: the findings' entries, if known already.
    Finding {
        keys: Option<Vec<RowKey>>,
        cursor: usize,
        direction: Direction,
    },
    /// This entry.
    Entry(RowKey),
    /// The entry on a finding's line, or the nearest one; `kind` names
    /// the finding.
    Line {
        file: String,
        line: usize,
        kind: &'static str,
    },
}

/// The question of one jump, for a worker.
pub struct Job {
    pub generation: u64,
    pub question: Question,
    pub data: Arc<dyn Backend>,
    /// The selection shown when the key was pressed: the answer's index is
    /// in it.
    pub shown: Arc<Matches>,
    pub order: Order,
}

/// Where the jump goes, in the selection it was asked of.
#[derive(Clone)]
pub enum Target {
    /// The entry at this index.
    At(usize),
    /// An entry the filter hides: cleared, and the entry selected after.
    Hidden(RowKey),
    /// Nowhere (the status says why).
    Stay,
}

/// A worker's answer to a [`Job`].
#[derive(Clone)]
pub struct Answer {
    pub target: Target,
    pub status: Option<String>,
    /// The findings' entries, when this jump had to find them.
    pub finding_keys: Option<(Order, Vec<RowKey>)>,
    pub shown: Arc<Matches>,
}

/// The jump awaited, if any.
#[derive(Debug, Default)]
pub struct Jumping {
    /// Generation of the newest jump: answers of older ones are dropped.
    pub generation: u64,
    /// A jump is on its way; the cursor moving stops waiting for it.
    pub waiting: bool,
}

/// Ask a worker where to go; `what` names it for the status line.
pub fn request(app: &mut App, question: Question, what: &str) {
    let Some(data) = app.loaded().cloned() else {
        return;
    };
    app.jumping.generation += 1;
    app.jumping.waiting = true;
    app.status = Some(format!("looking up {what} …"));
    app.effects.push(Effect::Jump(Job {
        generation: app.jumping.generation,
        question,
        data,
        shown: Arc::clone(&app.selection),
        order: app.order,
    }));
}

/// Go where the answer says, if it is about the place still shown.
pub fn received(app: &mut App, generation: u64, answer: Answer) {
    let current = generation == app.jumping.generation && app.jumping.waiting;
    if !current || !Arc::ptr_eq(&answer.shown, &app.selection) {
        return;
    }
    app.jumping.waiting = false;
    if let Some(keys) = answer.finding_keys {
        app.finding_keys = Some(keys);
    }
    app.status = answer.status;
    if matches!(answer.target, Target::Stay) {
        return;
    }
    app.view = View::Panes;
    app.focus = Pane::Entries;
    match answer.target {
        Target::At(index) => {
            app.entries.select(index, app.selection.count());
            app.center_entries = true;
            entry_changed(app);
        }
        Target::Hidden(key) => {
            app.pending_jump = Some(Jump::To(key));
            set_filter(app, "");
            let hidden = "the filter hid that entry: filter cleared";
            app.status = Some(app.status.take().unwrap_or_else(|| hidden.into()));
        }
        Target::Stay => {}
    }
}

/// Answer `job` on this thread; nothing if it was cancelled meanwhile.
pub fn run(job: Job, cancel: &AtomicBool, tx: &Sender<Action>) {
    let target = match answer(&job, cancel) {
        Ok(Some(found)) => found,
        Ok(None) => return,
        Err(e) => Found::stay(format!("the logs could not answer: {e}")),
    };
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let answer = Answer {
        target: target.target,
        status: target.status,
        finding_keys: target.finding_keys,
        shown: job.shown,
    };
    let _ = tx.send(Action::Jumped(job.generation, answer));
}

/// What a worker found, before it is sent.
struct Found {
    target: Target,
    status: Option<String>,
    finding_keys: Option<(Order, Vec<RowKey>)>,
}

impl Found {
    fn go(target: Target) -> Found {
        Found {
            target,
            status: None,
            finding_keys: None,
        }
    }

    fn stay(status: String) -> Found {
        Found::go(Target::Stay).with_status(status)
    }

    fn with_status(mut self, status: String) -> Found {
        self.status = Some(status);
        self
    }
}

type Result<T> = std::result::Result<T, BackendError>;

fn answer(job: &Job, cancel: &AtomicBool) -> Result<Option<Found>> {
    match &job.question {
        Question::Failure {
            filter,
            from,
            direction,
        } => failure(job, filter, *from, *direction, cancel),
        Question::Finding {
            keys,
            cursor,
            direction,
        } => finding(job, keys.as_deref(), *cursor, *direction).map(Some),
        Question::Entry(key) => locate(job, *key).map(Some),
        Question::Line { file, line, kind } => nearest(job, file, *line, kind).map(Some),
    }
}

/// The entry `key` in the selection shown, or hidden by its filter.
fn locate(job: &Job, key: RowKey) -> Result<Found> {
    Ok(Found::go(match job.shown.selected.locate(key)? {
        Ok(index) => Target::At(index),
        Err(_) => Target::Hidden(key),
    }))
}

/// The index in a listing of `count` entries to go to from the cursor's
/// place (`Ok` if the cursor's entry is listed, else where it would be).
fn step(
    place: std::result::Result<usize, usize>,
    count: usize,
    direction: Direction,
) -> Option<usize> {
    let target = match (place, direction) {
        (Ok(at), Direction::Next) => at.checked_add(1)?,
        (Err(at), Direction::Next) => at,
        (Ok(at) | Err(at), Direction::Previous) => at.checked_sub(1)?,
    };
    (target < count).then_some(target)
}

fn no_more(what: &str, count: usize, direction: Direction) -> String {
    match (count, direction) {
        (0, _) => format!("no {what} in this view"),
        (_, Direction::Next) => format!("no {what} after this entry in this view"),
        (_, Direction::Previous) => format!("no {what} before this entry in this view"),
    }
}

/// `n` / `N`: the next or previous failed call among the entries shown,
/// in the order shown.
fn failure(
    job: &Job,
    filter: &Filter,
    from: Option<RowKey>,
    direction: Direction,
    cancel: &AtomicBool,
) -> Result<Option<Found>> {
    let with_failed = with_failed(filter.clone());
    let Some(failed) = job.data.select(&with_failed, job.order, cancel)? else {
        return Ok(None);
    };
    let place = match from {
        Some(key) => failed.locate(key)?,
        None => Err(0),
    };
    let count = failed.count();
    let row = match step(place, count, direction) {
        Some(index) => failed
            .page(PageAt::Index(index), 1)?
            .rows
            .pop()
            .map(|r| (index, r)),
        None => None,
    };
    let Some((index, row)) = row else {
        return Ok(Some(Found::stay(no_more("failure", count, direction))));
    };
    let status = format!(
        "failure {} of {} in this view",
        super::ui::thousands(index + 1),
        super::ui::thousands(count)
    );
    Ok(Some(locate(job, row.key)?.with_status(status)))
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

/// The entries the integrity findings are on (or nearest to, for a line
/// that is not an entry), each once, listed in `order`.
fn finding_keys(data: &dyn Backend, order: Order) -> Result<Vec<RowKey>> {
    let mut keys = Vec::new();
    for finding in &data.verification().findings {
        keys.extend(data.nearest(&finding.file, finding.line)?);
    }
    keys.sort_by(|a, b| order.compare(a, b));
    keys.dedup();
    Ok(keys)
}

/// `]` / `[`: the next or previous entry with an integrity finding among
/// the entries shown.
fn finding(
    job: &Job,
    keys: Option<&[RowKey]>,
    cursor: usize,
    direction: Direction,
) -> Result<Found> {
    let (keys, found_keys) = match keys {
        Some(keys) => (keys.to_vec(), None),
        None => {
            let keys = finding_keys(job.data.as_ref(), job.order)?;
            (keys.clone(), Some((job.order, keys)))
        }
    };
    // Only the findings on entries the filter shows, in the order shown.
    let mut shown = Vec::new();
    for key in keys {
        if let Ok(index) = job.shown.selected.locate(key)? {
            shown.push(index);
        }
    }
    let place = shown.binary_search(&cursor);
    let mut found = match step(place, shown.len(), direction) {
        Some(i) => Found::go(Target::At(shown[i])).with_status(format!(
            "entry with an integrity finding {} of {} in this view (i lists them)",
            i + 1,
            shown.len()
        )),
        None => Found::stay(no_more("integrity finding", shown.len(), direction)),
    };
    found.finding_keys = found_keys;
    Ok(found)
}

/// Enter on a finding: its entry, or the nearest one if its line is not
/// an entry (said in the status).
fn nearest(job: &Job, file: &str, line: usize, kind: &str) -> Result<Found> {
    let data = job.data.as_ref();
    let shown_file = for_terminal(file);
    let Some(key) = data.nearest(file, line)? else {
        return Ok(Found::stay(format!(
            "{shown_file} has no entry left to show"
        )));
    };
    let found = locate(job, key)?;
    match data.detail(key)? {
        Some(detail) if detail.row.line != line => Ok(found.with_status(format!(
            "{shown_file}:{line} is not an entry ({kind}); showing the nearest entry, line {}",
            detail.row.line
        ))),
        Some(_) => Ok(found),
        None => Ok(Found::stay(format!(
            "{shown_file} has no entry left to show"
        ))),
    }
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
