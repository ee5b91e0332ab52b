//! What the panes show about the selected entry (its detail, its
//! retention, its conversation), looked up on a worker.
//!
//! From a database each is one round trip or more (the conversation: a
//! count, its lines and their row numbers; the retention: the row number),
//! and the event loop makes none of them: the detail and timeline panes say
//! "looking up" until the answers come. Someone holding Down passes over
//! entries whose answers nobody will read, so a newer lookup cancels the
//! one before it, and lookups run one at a time: a cancelled one stops
//! before its next question, and one cancelled while it waited for its
//! turn asks nothing (ARCHITECTURE.md, "The browser never waits").

use super::app::{Action, App, Conversation, Effect, field_filter};
use crate::backend::{Backend, BackendError, Detail, Order, PageAt, RowKey};
use crate::config::RetentionSettings;
use crate::filter::Field;
use crate::views::retention::RetentionEntry;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

/// An answer still on its way, or the answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Pending<T> {
    #[default]
    Loading,
    Ready(T),
}

/// The selected entry's line and columns; `Ok(None)` if the logs no longer
/// hold it; `Err` what the backend said instead.
pub type DetailAnswer = Result<Option<Detail>, String>;

/// The selected entry's retention; `Ok(None)` when it has none to show
/// (no policy applies); `Err` what the backend said instead.
pub type RetentionAnswer = Result<Option<Arc<RetentionEntry>>, String>;

/// What the lookup of the selected entry has answered so far.
#[derive(Default)]
pub struct Lookup {
    /// Generation of the newest lookup: answers of older ones are dropped.
    pub generation: u64,
    /// The entry being looked up (the one selected).
    pub key: Option<RowKey>,
    pub detail: Pending<Arc<DetailAnswer>>,
    pub retention: Pending<RetentionAnswer>,
    /// The id of the conversation being looked up for the timeline.
    pub conversation: Option<String>,
}

/// An answer of one lookup.
#[derive(Clone)]
pub enum Looked {
    Detail(Arc<DetailAnswer>),
    Conversation(Result<Conversation, String>),
    Retention(RetentionAnswer),
}

/// The questions of one lookup, for a worker.
pub struct Job {
    pub generation: u64,
    pub key: RowKey,
    /// The conversation to look up, if the timeline does not show it yet.
    pub conversation: Option<String>,
    pub data: Arc<dyn Backend>,
    pub retention: RetentionSettings,
    pub now: i64,
}

/// The selected entry changed: forget the answers about the last one and
/// ask about this one.
pub fn request(app: &mut App) {
    let lookup = &mut app.lookup;
    lookup.generation += 1;
    lookup.detail = Pending::Loading;
    lookup.retention = Pending::Loading;
    lookup.conversation = None;
    lookup.key = None;
    let Some(data) = app.loaded().cloned() else {
        app.conversation = None;
        return;
    };
    let Some(entry) = app.selected_entry() else {
        // Not on a page the selection has: asked again when the page comes
        // (`tui::paging`).
        if app.selection.count() == 0 {
            app.conversation = None;
        }
        return;
    };
    app.lookup.key = Some(entry.key);
    let conversation = match entry.conversation {
        Some(id) if app.conversation.as_ref().is_some_and(|c| c.id == id) => {
            place_timeline(app);
            None
        }
        Some(id) => {
            app.conversation = None;
            app.lookup.conversation = Some(id.clone());
            Some(id)
        }
        None => {
            app.conversation = None;
            None
        }
    };
    app.effects.push(Effect::Lookup(Job {
        generation: app.lookup.generation,
        key: entry.key,
        conversation,
        data,
        retention: app.retention.clone(),
        now: app.now,
    }));
}

/// An answer came: keep it if it is about the entry still selected.
pub fn received(app: &mut App, generation: u64, looked: Looked) {
    if generation != app.lookup.generation {
        return;
    }
    match looked {
        Looked::Detail(detail) => app.lookup.detail = Pending::Ready(detail),
        Looked::Retention(retention) => app.lookup.retention = Pending::Ready(retention),
        Looked::Conversation(found) => {
            app.lookup.conversation = None;
            match found {
                Ok(conversation) => {
                    app.conversation = Some(conversation);
                    place_timeline(app);
                }
                Err(e) => app.status = Some(format!("the logs could not answer: {e}")),
            }
        }
    }
}

/// Put the timeline's cursor on the selected entry.
fn place_timeline(app: &mut App) {
    let (Some(conversation), Some(key)) = (&app.conversation, app.lookup.key) else {
        return;
    };
    let at = conversation.entries.iter().position(|e| e.key == key);
    app.timeline
        .select(at.unwrap_or(0), conversation.entries.len());
}

/// Answer `job` on this thread, one answer at a time, the detail first:
/// it is what the pane beside the entries shows. `turn` is held while
/// asking, so that lookups never run side by side.
pub fn run(job: Job, turn: &Mutex<()>, cancel: &AtomicBool, tx: &Sender<Action>) {
    let _turn = turn.lock().unwrap_or_else(|e| e.into_inner());
    let cancelled = || cancel.load(Ordering::Relaxed);
    let send = |looked: Looked| drop(tx.send(Action::Looked(job.generation, looked)));
    if cancelled() {
        return;
    }
    let detail = job.data.detail(job.key).map_err(|e| e.to_string());
    send(Looked::Detail(Arc::new(detail)));
    if let Some(id) = &job.conversation {
        match conversation(job.data.as_ref(), id, cancel) {
            Ok(Some(found)) => send(Looked::Conversation(Ok(found))),
            Ok(None) => return,
            Err(e) => send(Looked::Conversation(Err(e.to_string()))),
        }
    }
    if cancelled() {
        return;
    }
    let settings = &job.retention;
    let retention =
        job.data
            .retention_of(job.key, &settings.policies, job.now, settings.due_within);
    send(Looked::Retention(
        retention
            .map(|r| r.map(Arc::new))
            .map_err(|e| e.to_string()),
    ));
}

/// Every call of a conversation, whatever the filter: the timeline is
/// context for the selected entry, not part of the selection. `None` if
/// cancelled.
fn conversation(
    backend: &dyn Backend,
    id: &str,
    cancel: &AtomicBool,
) -> Result<Option<Conversation>, BackendError> {
    let filter = field_filter(Field::Conversation, id);
    let Some(selection) = backend.select(&filter, Order::File, cancel)? else {
        return Ok(None);
    };
    let tampered = if backend.verification().intact() {
        Vec::new()
    } else {
        let rows = selection.page(PageAt::First, selection.count())?.rows;
        rows.into_iter()
            .filter(|row| !backend.findings_at(&row.file, row.line).is_empty())
            .map(|row| row.key)
            .collect()
    };
    if cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    Ok(Some(Conversation {
        id: id.to_owned(),
        entries: selection.timeline(id)?,
        tampered,
    }))
}
