//! Carrying out the effects that `update` queues: queries, alerts and
//! exports as jobs whose result comes back as an action, and requests to
//! the terminal through a [`Host`].

use super::app::{Action, Effect, Export, ExportOutcome, Jump};
use super::completion::{COMPLETIONS_SHOWN, complete};
use super::export::{Format, write_entries, write_report};
use super::live::LiveSlot;
use super::worker;
use super::worker::Matches;
use crate::backend::{self, Backend, BackendError};
use crate::export::atomic::WriteError;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

/// What the browser asks of the terminal besides drawing; tests pass a
/// host that records the requests.
pub trait Host {
    fn set_mouse_capture(&mut self, on: bool) -> io::Result<()>;
    /// Write an OSC 52 sequence (or record it).
    fn write_osc52(&mut self, sequence: &str) -> io::Result<()>;
}

pub struct Runtime<H: Host> {
    tx: Sender<Action>,
    pub host: H,
    /// Run jobs on the calling thread, so tests are deterministic.
    inline: bool,
    /// Cancel flags of the running query and completion, set when a
    /// newer one starts.
    query: Option<Arc<AtomicBool>>,
    completion: Option<Arc<AtomicBool>>,
    /// Cancel flag of the newest lookup of the selected entry, and the
    /// turn lookups take one after the other (see `lookup`).
    lookup: Option<Arc<AtomicBool>>,
    lookup_turn: Arc<Mutex<()>>,
    /// Cancel flags of the newest jump's job and page's job.
    jump: Option<Arc<AtomicBool>>,
    page: Option<Arc<AtomicBool>>,
    /// The followed logs, advanced by reload jobs.
    live: LiveSlot,
}

impl<H: Host> Runtime<H> {
    /// Jobs run on worker threads: the UI never waits for them.
    pub fn threaded(tx: Sender<Action>, host: H) -> Self {
        Runtime {
            tx,
            host,
            inline: false,
            query: None,
            completion: None,
            lookup: None,
            jump: None,
            page: None,
            lookup_turn: Arc::default(),
            live: LiveSlot::default(),
        }
    }

    /// Where the loads of followed logs leave them to be followed.
    pub fn live(&self) -> LiveSlot {
        Arc::clone(&self.live)
    }

    /// Jobs run before `execute` returns; their results still arrive on
    /// the channel, in order.
    pub fn inline(tx: Sender<Action>, host: H) -> Self {
        Runtime {
            inline: true,
            ..Runtime::threaded(tx, host)
        }
    }

    pub fn execute(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Query {
                    generation,
                    filter,
                    order,
                    data,
                    previous,
                    target,
                    rows,
                } => {
                    let cancel = restart(&mut self.query);
                    self.spawn(move |tx| {
                        let selected = worker::select(
                            data.as_ref(),
                            previous.as_ref(),
                            &filter,
                            order,
                            &cancel,
                        );
                        match selected {
                            Ok(Some(matches)) => {
                                let shown = previous.as_ref();
                                show(tx, generation, matches, shown, target, rows, &cancel)
                            }
                            Ok(None) => {}
                            Err(e) => failed(tx, e),
                        }
                    });
                }
                Effect::Activity {
                    generation,
                    selection,
                    width,
                } => self.spawn(move |tx| match worker::activity(&selection, width) {
                    Ok(result) => {
                        let result = result.map(Arc::new);
                        let _ = tx.send(Action::ActivityReady(generation, result));
                    }
                    Err(e) => failed(tx, e),
                }),
                Effect::Complete {
                    generation,
                    text,
                    cursor,
                    data,
                } => {
                    let cancel = restart(&mut self.completion);
                    self.spawn(move |tx| {
                        let backend = data.as_deref();
                        if let Some(completions) =
                            complete(backend, &text, cursor, COMPLETIONS_SHOWN, &cancel)
                        {
                            let _ = tx.send(Action::Completed(generation, completions));
                        }
                    });
                }
                Effect::Lookup(job) => {
                    let cancel = restart(&mut self.lookup);
                    let turn = Arc::clone(&self.lookup_turn);
                    self.spawn(move |tx| super::lookup::run(job, &turn, &cancel, tx));
                }
                Effect::Jump(job) => {
                    let cancel = restart(&mut self.jump);
                    self.spawn(move |tx| super::jump::run(job, &cancel, tx));
                }
                Effect::Page(job) => {
                    let cancel = restart(&mut self.page);
                    self.spawn(move |tx| super::paging::run(job, &cancel, tx));
                }
                Effect::Reload { paths, previous } => {
                    let live = self.live();
                    self.spawn(move |tx| super::live::reload(paths, previous, &live, tx));
                }
                Effect::Alerts {
                    generation,
                    selection,
                    settings,
                } => self.spawn(move |tx| match worker::alerts(&selection, settings) {
                    Ok(alerts) => drop(tx.send(Action::AlertsReady(generation, Arc::new(alerts)))),
                    Err(e) => failed(tx, e),
                }),
                Effect::Export {
                    path,
                    format,
                    force,
                    what,
                    data,
                } => self.spawn(move |tx| {
                    let outcome = export(&path, format, force, &what, data.as_ref());
                    let _ = tx.send(Action::Exported(path, outcome));
                }),
                // A terminal that refuses these is gone; the loop ends when
                // its input does, and there is no one left to tell.
                Effect::Copy(text) => {
                    let _ = self.host.write_osc52(&super::clipboard::osc52(&text));
                }
                Effect::SetMouse(on) => {
                    let _ = self.host.set_mouse_capture(on);
                }
            }
        }
    }

    /// Run a job that reports on the channel. A send fails only when the
    /// loop has ended, and then nobody is waiting for the answer.
    fn spawn(&self, job: impl FnOnce(&Sender<Action>) + Send + 'static) {
        let tx = self.tx.clone();
        let run = move || job(&tx);
        if self.inline {
            run();
        } else {
            std::thread::Builder::new()
                .name("auditui-job".into())
                .spawn(run)
                .expect("spawning a thread");
        }
    }
}

/// Hand a query's selection over with the screen of entries found first,
/// then fill in its panes one after the other, each after the screen was
/// asked for: the page comes first.
fn show(
    tx: &Sender<Action>,
    generation: u64,
    matches: Matches,
    previous: &dyn backend::Selection,
    target: Option<Jump>,
    rows: usize,
    cancel: &AtomicBool,
) {
    let index = worker::place(&matches, previous, target, rows).unwrap_or_else(|e| {
        failed(tx, e);
        0
    });
    let matches = Arc::new(matches);
    let _ = tx.send(Action::Selected(generation, Arc::clone(&matches), index));
    for fill in [worker::fill_stats, worker::fill_failures] {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        match fill(&matches) {
            Ok(()) => drop(tx.send(Action::PaneReady)),
            Err(e) => return failed(tx, e),
        }
    }
}

/// Write an export; what became of it.
fn export(
    path: &Path,
    format: Format,
    force: bool,
    what: &Export,
    data: &dyn Backend,
) -> ExportOutcome {
    let written = match what {
        Export::Report(report) => write_report(path, format, force, report, data),
        Export::Entries(matches) => {
            write_entries(path, format, force, data, matches.selected.as_ref())
        }
        Export::Marked(marks, order) => match marks.picked(data, *order) {
            Ok(picked) => write_entries(path, format, force, data, &picked),
            Err(e) => Err(WriteError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(e),
            }),
        },
    };
    match written {
        Ok(()) => ExportOutcome::Written,
        Err(WriteError::Exists(_)) => ExportOutcome::Exists,
        Err(e) => ExportOutcome::Failed(e.to_string()),
    }
}

/// Report a question the backend could not answer.
fn failed(tx: &Sender<Action>, error: BackendError) {
    let _ = tx.send(Action::BackendFailed(error.to_string()));
}

/// Cancel the job in `slot`, if any, and make the flag for its successor.
fn restart(slot: &mut Option<Arc<AtomicBool>>) -> Arc<AtomicBool> {
    if let Some(stale) = slot.take() {
        stale.store(true, Ordering::Relaxed);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    *slot = Some(Arc::clone(&cancel));
    cancel
}
