//! Opening, verifying and indexing the logs on a background thread, so the
//! first frame appears at once and the UI stays usable while it runs.
//!
//! Logs in memory are verified first, at `verify`'s speed, and indexed
//! after (ARCHITECTURE.md, "The browser's load"): the first entries, the
//! verdict and the loaded logs arrive as three actions.

use super::app::Action;
use super::live::LiveSlot;
use crate::backend::Backend;
use crate::backend::clickhouse::ClickHouseBackend;
use crate::backend::clickhouse::query::database_source;
use crate::backend::memory::MemoryBackend;
use crate::log::pass::{Progress, verify_unless_cancelled};
use crate::log::source::{Access, Source, open_all_with};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How far loading is, with the time it has taken so far (the app reads no
/// clock itself, so that `update` stays a pure function).
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadProgress {
    pub progress: Progress,
    pub elapsed: Duration,
}

impl LoadProgress {
    pub fn entries_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.progress.entries as f64 / seconds
        } else {
            0.0
        }
    }
}

/// Redraws are cheap but not free: a million entries report progress
/// thousands of times, and a person sees no more than this.
const PROGRESS_EVERY: Duration = Duration::from_millis(40);

/// What to load and how.
pub struct Request {
    pub paths: Vec<PathBuf>,
    /// Followed logs are copied, not mapped: one truncated while shown
    /// (copytruncate) would otherwise end the program.
    pub follow: bool,
    /// The logs shown now, when reloading: entries they held that are gone
    /// are findings.
    pub previous: Option<Arc<dyn Backend>>,
    /// Files rotated away while followed, as they were read (the paths no
    /// longer lead to them): loaded again before the paths' files.
    pub kept: Vec<Source>,
}

/// Load on a new thread; results arrive on `tx` as actions. Followed logs
/// are then followed incrementally, in `live`.
pub fn spawn(request: Request, tx: Sender<Action>, cancel: Arc<AtomicBool>, live: LiveSlot) {
    std::thread::Builder::new()
        .name("auditui-load".into())
        .spawn(move || super::live::load(request, &live, &tx, &cancel))
        .expect("spawning a thread");
}

/// Open, verify and index the logs on this thread: the first entries,
/// progress, the verdict (`Verified`), progress again, then `Loaded`; or
/// `LoadFailed`, arrive on `tx`. Returns the logs loaded into memory, if
/// they were, and the backend sent.
pub fn load(
    request: Request,
    tx: &Sender<Action>,
    cancel: &AtomicBool,
) -> Option<(MemoryBackend, Arc<dyn Backend>)> {
    let started = Instant::now();
    match database_source(&request.paths) {
        Ok(Some(url)) => {
            let _ = tx.send(match ClickHouseBackend::open_url(url) {
                Ok(backend) => Action::Loaded(Arc::new(backend), started.elapsed()),
                Err(e) => Action::LoadFailed(e),
            });
            return None;
        }
        Ok(None) => {}
        Err(e) => {
            let _ = tx.send(Action::LoadFailed(e));
            return None;
        }
    }
    let access = if request.follow {
        Access::Copied
    } else {
        Access::Mapped
    };
    let sources = match open_all_with(&request.paths, access) {
        Ok(sources) => request.kept.into_iter().chain(sources).collect::<Vec<_>>(),
        Err(e) => {
            let _ = tx.send(Action::LoadFailed(e.to_string()));
            return None;
        }
    };
    let first = super::first_entries::read(&sources, super::first_entries::SHOWN);
    let _ = tx.send(Action::FirstEntries(first.into()));
    let verification = verify_unless_cancelled(&sources, sending(tx, started), cancel)?;
    let verified_in = started.elapsed();
    // Shared with the app, not copied: a copy of a verdict with a finding
    // per entry held it off the screen (~0.06 s on 200,000 findings).
    let mut verification = Arc::new(verification);
    let _ = tx.send(Action::Verified(Arc::clone(&verification), verified_in));
    let indexing = sending(tx, Instant::now());
    let store = crate::store::index(sources, &verification, indexing, cancel)?;
    if let Some(previous) = &request.previous {
        let lost = super::reload::lost_entries(previous.as_ref(), &store, &verification);
        if !lost.is_empty() {
            Arc::make_mut(&mut verification).add_findings(lost);
        }
    }
    let backend = MemoryBackend::new(store, verification);
    let shown: Arc<dyn Backend> = Arc::new(backend.clone());
    let _ = tx.send(Action::Loaded(Arc::clone(&shown), started.elapsed()));
    Some((backend, shown))
}

/// Reports of a pass's progress, sent on `tx` at most every
/// [`PROGRESS_EVERY`], with the time since `started`.
fn sending(tx: &Sender<Action>, started: Instant) -> impl FnMut(Progress) + '_ {
    let mut last_sent = started;
    move |progress| {
        let now = Instant::now();
        if now.duration_since(last_sent) >= PROGRESS_EVERY {
            last_sent = now;
            let _ = tx.send(Action::Progress(LoadProgress {
                progress,
                elapsed: now.duration_since(started),
            }));
        }
    }
}
