//! Opening, verifying and indexing the logs on a background thread, so the
//! first frame appears at once and the UI stays usable while it runs.

use super::app::Action;
use crate::backend::memory::MemoryBackend;
use crate::log::pass::Progress;
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

/// Load `paths` on a new thread; results arrive on `tx` as actions.
pub fn spawn(paths: Vec<PathBuf>, tx: Sender<Action>, cancel: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("auditui-load".into())
        .spawn(move || load(paths, tx, cancel))
        .expect("spawning a thread");
}

/// Open, verify and index `paths` on this thread: progress, then
/// `Loaded` or `LoadFailed`, arrive on `tx`.
pub fn load(paths: Vec<PathBuf>, tx: Sender<Action>, cancel: Arc<AtomicBool>) {
    let started = Instant::now();
    let sources = match crate::log::source::open_all(&paths) {
        Ok(sources) => sources,
        Err(e) => {
            let _ = tx.send(Action::LoadFailed(e.to_string()));
            return;
        }
    };
    let mut last_sent = started;
    let on_progress = |progress: Progress| {
        let now = Instant::now();
        if now.duration_since(last_sent) >= PROGRESS_EVERY {
            last_sent = now;
            let _ = tx.send(Action::Progress(LoadProgress {
                progress,
                elapsed: now.duration_since(started),
            }));
        }
    };
    if let Some(backend) = MemoryBackend::load(sources, on_progress, &cancel) {
        let _ = tx.send(Action::Loaded(Arc::new(backend), started.elapsed()));
    }
}
