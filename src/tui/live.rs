//! Follow mode without reloading: once the logs are loaded, each file is
//! handed to the incremental verifier (`crate::log::follow`), resumed at
//! its verified head, and a change on disk appends only the new lines to
//! the store, verified and indexed, in time proportional to them
//! (ARCHITECTURE.md, "Following").
//!
//! Any followed file grows by appending rows to its own source (rows of
//! several files interleave in the store; listings sort them by file and
//! line). A file replaced by another under its name (rotation) is read to
//! its end and kept, as a source of its own; the new file is followed as
//! a new source, whose first entry must link to the old head.
//!
//! What the appended lines alone cannot show falls back to loading
//! everything again, as before: a file that shrank, or whose last
//! verified line changed; a file added, or one gone with another in its
//! place; a line over the entry limit; gzip and mapped (not copied) logs.

use super::app::Action;
use super::loader::{self, Request};
use crate::backend::Backend;
use crate::backend::memory::MemoryBackend;
use crate::log::chain::{FileSummary, Finding, FindingKind, Verification, assemble};
use crate::log::follow::{Follower, ReadLine};
use crate::log::source::Source;
use crate::store::Store;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The logs being followed, shared by the jobs that load and advance them.
pub type LiveSlot = Arc<Mutex<Option<Live>>>;

/// Loaded logs, each with its incremental verifier.
pub struct Live {
    backend: MemoryBackend,
    /// The same, as handed to the app: a reload of anything else (the app
    /// showing other data) loads everything.
    shown: Arc<dyn Backend>,
    /// One per file followed, in the order of the paths' files.
    followers: Vec<Follower>,
    /// Per follower, the store's source its lines are appended to.
    sources: Vec<usize>,
    /// The verdicts of files rotated away, with their sources.
    rotated: Vec<(usize, FileSummary)>,
    /// The paths as given, to notice files added or gone.
    paths: Vec<PathBuf>,
}

impl Live {
    /// Follow `backend`'s files from where the load read them, but its
    /// first `kept` sources, files rotated away before the load; `None`
    /// when one of them cannot be followed incrementally.
    fn start(
        backend: MemoryBackend,
        shown: Arc<dyn Backend>,
        paths: Vec<PathBuf>,
        kept: usize,
    ) -> Option<Live> {
        let (followers, rotated) = {
            let store = backend.store();
            let files = &backend.verification().files;
            if store.sources.len() <= kept || files.len() != store.sources.len() {
                return None;
            }
            let rotated: Vec<(usize, FileSummary)> =
                files[..kept].iter().cloned().enumerate().collect();
            let mut followers = Vec::with_capacity(files.len());
            for (source, summary) in store.sources.iter().zip(files).skip(kept) {
                let path = Path::new(&source.name);
                if source.identity.is_none() || source.name.ends_with(".gz") || summary.entries == 0
                {
                    return None;
                }
                let follower = Follower::resume(path, source.bytes(), summary.clone()).ok()??;
                if Some(follower.identity()) != source.identity {
                    return None;
                }
                followers.push(follower);
            }
            (followers, rotated)
        };
        Some(Live {
            backend,
            shown,
            sources: (kept..kept + followers.len()).collect(),
            followers,
            rotated,
            paths,
        })
    }

    /// The files rotated away, as read, in the order of their sources:
    /// what a full load of the paths alone would no longer show.
    fn rotated_sources(&self) -> Vec<Source> {
        let store = self.backend.store();
        let mut sources: Vec<usize> = self.rotated.iter().map(|(source, _)| *source).collect();
        sources.sort_unstable();
        sources
            .into_iter()
            .filter_map(|index| store.sources.get(index))
            .map(|source| {
                let mut copy = Source::from_bytes(source.name.clone(), source.bytes().to_vec());
                copy.identity = source.identity;
                copy
            })
            .collect()
    }

    fn is_showing(&self, data: &Arc<dyn Backend>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.shown), Arc::as_ptr(data))
    }

    /// Verify and append what was appended; `None` when only a full load
    /// can show what changed. Returns the new backend and how many entries
    /// it gained.
    fn advance(&mut self) -> Option<(Arc<dyn Backend>, usize)> {
        let rotated = self.rotation()?;
        let carried = carried_findings(self.backend.verification());
        let (followers, sources, kept) =
            (&mut self.followers, &mut self.sources, &mut self.rotated);
        let (backend, added) = self.backend.appended(|store| {
            let mut added = Some(0);
            for index in rotated {
                let (follower, source) = (&mut followers[index], &mut sources[index]);
                if rotate(store, follower, source, kept, &mut added).is_err() {
                    added = None;
                }
            }
            for (follower, &source) in followers.iter_mut().zip(sources.iter()) {
                let polled = follower.poll_lines(&mut |read| take(store, &mut added, source, read));
                if polled.is_err() {
                    added = None;
                }
            }
            let summaries = by_source(followers, sources, kept);
            store.lines = summaries.iter().map(|s| s.lines.clone()).collect();
            let mut verification = assemble(summaries);
            verification.add_findings(carried);
            (verification, added)
        });
        let added = added?;
        self.backend = backend;
        self.shown = Arc::new(self.backend.clone());
        Some((Arc::clone(&self.shown), added))
    }

    /// The followers whose file was replaced by another under its name
    /// (rotation); `None` when appending cannot show what changed: the
    /// files under the paths are not those followed, or one of them is
    /// shorter than what was read.
    fn rotation(&self) -> Option<Vec<usize>> {
        let now = super::watch::fingerprint(&self.paths);
        let mut now = now.iter().peekable();
        let mut rotated = Vec::new();
        for (index, follower) in self.followers.iter().enumerate() {
            let Some((path, length, _)) = now.next_if(|(path, ..)| path == follower.path()) else {
                // Between a rotation's rename and the new file's creation
                // the file is missing: the old one is still read, through
                // its handle. Another file in its place is not that.
                if follower.path().exists() {
                    return None;
                }
                continue;
            };
            let meta = std::fs::metadata(path).ok()?;
            if (meta.dev(), meta.ino()) != follower.identity() {
                rotated.push(index);
            } else if *length < follower.offset() {
                return None;
            }
        }
        // A file added (a rotated-away file renamed into a directory
        // followed is one): loaded with the others.
        now.next().is_none().then_some(rotated)
    }
}

/// The verdicts of the followed and rotated-away files, in the order of
/// their sources (each source is one follower's or one rotated away's).
fn by_source(
    followers: &[Follower],
    sources: &[usize],
    kept: &[(usize, FileSummary)],
) -> Vec<FileSummary> {
    let mut all: Vec<(usize, FileSummary)> = followers
        .iter()
        .zip(sources)
        .map(|(follower, &source)| (source, follower.summary()))
        .chain(kept.iter().cloned())
        .collect();
    all.sort_by_key(|(source, _)| *source);
    all.into_iter().map(|(_, summary)| summary).collect()
}

/// Append a line `follower` read to the store's `source`: `added` counts
/// the entries, and becomes `None` when the line cannot be appended (a
/// line over the limit, a file rewritten or truncated).
fn take(store: &mut Store, added: &mut Option<usize>, source: usize, read: ReadLine<'_>) {
    let whole = read
        .findings
        .iter()
        .all(|f| !matches!(f.kind, FindingKind::Rewritten | FindingKind::Truncated));
    *added = match (*added, read.bytes) {
        (Some(n), Some(bytes)) if whole && store.append_line(source, bytes, read.fields) => {
            Some(n + usize::from(read.fields.is_some()))
        }
        _ => None,
    };
}

/// A followed file was rotated away: read it to its end, keep its verdict
/// in `kept` with its `source` (its source and its findings renamed, as
/// its name is now the new file's), and follow the new file as a new
/// source, which becomes `source`.
fn rotate(
    store: &mut Store,
    follower: &mut Follower,
    source: &mut usize,
    kept: &mut Vec<(usize, FileSummary)>,
    added: &mut Option<usize>,
) -> std::io::Result<()> {
    follower.finish(&mut |read| take(store, added, *source, read))?;
    let name = follower.name();
    let next = Follower::open_rotated(follower.path(), follower.summary().last_hash)?;
    let away = format!("{name} (rotated away)");
    let mut summary = std::mem::replace(follower, next).summary();
    summary.name.clone_from(&away);
    for finding in summary.findings.iter_mut().filter(|f| f.file == name) {
        finding.file.clone_from(&away);
    }
    kept.push((*source, summary));
    if let Some(old) = store.sources.get_mut(*source) {
        old.name = away;
    }
    let mut new = Source::from_bytes(name, Vec::new());
    new.identity = Some(follower.identity());
    *source = store.add_source(new);
    Ok(())
}

/// Findings of earlier loads that no verdict of the files alone repeats:
/// entries lost or rewritten since they were shown stay reported.
fn carried_findings(verification: &Verification) -> Vec<Finding> {
    verification
        .findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Truncated | FindingKind::Rewritten))
        .cloned()
        .collect()
}

fn lock(slot: &LiveSlot) -> std::sync::MutexGuard<'_, Option<Live>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Load the logs in full; followed ones are then followed from `slot`.
/// The slot stays locked meanwhile, so a change noticed during the load
/// waits for it and is then appended.
pub fn load(request: Request, slot: &LiveSlot, tx: &Sender<Action>, cancel: &AtomicBool) {
    let mut live = lock(slot);
    *live = None;
    let (follow, paths, kept) = (request.follow, request.paths.clone(), request.kept.len());
    if let Some((backend, shown)) = loader::load(request, tx, cancel)
        && follow
    {
        *live = Live::start(backend, shown, paths, kept);
    }
}

/// Follow mode noticed a change: append what was appended to the logs
/// the app shows (`previous`), or load them again in full when that cannot
/// show what changed.
pub fn reload(
    paths: Vec<PathBuf>,
    previous: Arc<dyn Backend>,
    slot: &LiveSlot,
    tx: &Sender<Action>,
) {
    let started = Instant::now();
    let (advanced, kept) = {
        let mut live = lock(slot);
        let showing = live.as_mut().filter(|live| live.is_showing(&previous));
        let mut kept = Vec::new();
        let advanced = showing.and_then(|live| {
            let advanced = live.advance();
            if advanced.is_none() {
                kept = live.rotated_sources();
            }
            advanced
        });
        if advanced.is_none() {
            *live = None;
        }
        (advanced, kept)
    };
    match advanced {
        Some((data, added)) => drop(tx.send(Action::Appended(data, added, started.elapsed()))),
        None => {
            // What was rotated away is not under the paths any more: it is
            // loaded again from what was read of it.
            let request = Request {
                paths,
                follow: true,
                previous: Some(previous),
                kept,
            };
            load(request, slot, tx, &AtomicBool::new(false));
        }
    }
}

/// The verdict of a full re-verification of the followed logs.
#[derive(Debug, Clone, PartialEq)]
pub struct FullCheck {
    pub entries: usize,
    pub findings: Vec<Finding>,
    /// How many of the findings the logs shown do not report yet.
    pub new_findings: usize,
    pub took: Duration,
}

/// Verify every followed file again in full, as `verify` does (the
/// incremental verifier re-reads only each file's last verified line).
/// `None` when nothing is followed. When something new is found, the logs
/// are no longer followed incrementally: the next load reads them in full,
/// which lists the findings.
pub fn full_check(slot: &LiveSlot) -> Option<FullCheck> {
    let (files, known) = {
        let live = lock(slot);
        let live = live.as_ref()?;
        let files: Vec<(PathBuf, Option<[u8; 32]>)> = live
            .followers
            .iter()
            .map(|f| (f.path().to_owned(), f.rotated_from()))
            .collect();
        (files, live.backend.verification().findings.clone())
    };
    let started = Instant::now();
    let (mut entries, mut findings) = (0, Vec::new());
    for (path, rotated_from) in files {
        // A file gone between the steps of a rotation, say, is skipped:
        // the watcher notices the change, and the load that follows says
        // what it cannot read.
        if let Ok(Some(v)) = crate::log::reverify::reverify(&path, rotated_from) {
            entries += v.entries();
            findings.extend(v.findings);
        }
    }
    let place = |f: &Finding| (f.file.clone(), f.line, f.kind);
    let new_findings = findings
        .iter()
        .filter(|f| !known.iter().any(|k| place(k) == place(f)))
        .count();
    if new_findings > 0 {
        *lock(slot) = None;
    }
    Some(FullCheck {
        entries,
        findings,
        new_findings,
        took: started.elapsed(),
    })
}

/// Run [`full_check`] every `every` on a thread at the lowest priority;
/// verdicts arrive on `tx` as `Action::FullyChecked`.
pub fn spawn_full_checks(slot: LiveSlot, every: Duration, tx: Sender<Action>) {
    std::thread::Builder::new()
        .name("auditui-reverify".into())
        .spawn(move || {
            // The verification pass's threads inherit it.
            crate::log::reverify::lower_priority();
            loop {
                std::thread::sleep(every);
                let Some(check) = full_check(&slot) else {
                    continue;
                };
                if tx.send(Action::FullyChecked(check)).is_err() {
                    break;
                }
            }
        })
        .expect("spawning a thread");
}
