//! The entries on screen when the selection has not kept them (a database
//! keeps one page): fetched by a job, never by the event loop. The entries
//! pane says "looking up" until the page comes, and the selected entry is
//! looked up once its row is there (ARCHITECTURE.md, "The browser never
//! waits").

use super::app::{Action, App, Effect};
use super::lookup;
use super::worker::Matches;
use crate::backend::PageAt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

/// A page of the selection shown, for a worker.
pub struct Job {
    pub selection: Arc<Matches>,
    pub start: usize,
    pub len: usize,
}

/// Ask for the `rows` entries the screen shows from the cursor's offset,
/// unless the selection has them or they are asked for already.
pub fn request(app: &mut App, rows: usize) {
    let visible = app.entries.visible(rows, app.selection.count());
    let wanted = (visible.start, visible.len());
    let selected = &app.selection.selected;
    if visible.is_empty() || selected.kept(PageAt::Index(wanted.0), wanted.1).is_some() {
        app.paging = None;
        return;
    }
    if app.paging == Some(wanted) {
        return;
    }
    app.paging = Some(wanted);
    app.effects.push(Effect::Page(Job {
        selection: Arc::clone(&app.selection),
        start: wanted.0,
        len: wanted.1,
    }));
}

/// Fetch the page (the selection keeps it); nothing if a newer page was
/// asked for meanwhile.
pub fn run(job: Job, cancel: &AtomicBool, tx: &Sender<Action>) {
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let fetched = job
        .selection
        .selected
        .page(PageAt::Index(job.start), job.len)
        .map(drop)
        .map_err(|e| e.to_string());
    let _ = tx.send(Action::Paged(job.selection, fetched));
}

/// A page came: the next frame shows it, and the selected entry, if it
/// waited for its row, is looked up now. A failed page stays asked for
/// (no retry loop), with the error in the status line.
pub fn received(app: &mut App, selection: Arc<Matches>, fetched: Result<(), String>) {
    if !Arc::ptr_eq(&selection, &app.selection) {
        return;
    }
    if let Err(e) = fetched {
        app.status = Some(format!("the logs could not answer: {e}"));
        return;
    }
    app.paging = None;
    if app.lookup.key.is_none() && app.selection.count() > 0 {
        lookup::request(app);
    }
}
