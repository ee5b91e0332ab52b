//! Noticing that the logs on disk changed, for follow mode: a thread looks
//! at sizes and modification times once a second (no inotify: it works the
//! same on every filesystem, network mounts included, for a few `stat`
//! calls a second).

use super::app::Action;
use crate::log::source::log_files_in;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::{Duration, SystemTime};

const EVERY: Duration = Duration::from_secs(1);

/// Each log file's path, size and modification time.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// What `paths` look like now; files that vanished simply drop out.
pub fn fingerprint(paths: &[PathBuf]) -> Fingerprint {
    let mut files = Vec::new();
    for path in paths {
        if path == Path::new("-") {
            continue;
        }
        if path.is_dir() {
            files.extend(log_files_in(path).unwrap_or_default());
        } else {
            files.push(path.clone());
        }
    }
    files
        .into_iter()
        .filter_map(|file| {
            let meta = std::fs::metadata(&file).ok()?;
            Some((file, meta.len(), meta.modified().ok()))
        })
        .collect()
}

/// Send `SourcesChanged` whenever the fingerprint of `paths` changes.
pub fn spawn(paths: Vec<PathBuf>, tx: Sender<Action>) {
    std::thread::Builder::new()
        .name("auditui-watch".into())
        .spawn(move || {
            let mut last = fingerprint(&paths);
            loop {
                std::thread::sleep(EVERY);
                let now = fingerprint(&paths);
                if now != last {
                    last = now;
                    if tx.send(Action::SourcesChanged).is_err() {
                        break;
                    }
                }
            }
        })
        .expect("spawning a thread");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_and_new_files_change_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.jsonl");
        std::fs::write(&log, "{}\n").unwrap();
        let paths = [dir.path().to_owned()];
        let before = fingerprint(&paths);
        assert_eq!(before, fingerprint(&paths));
        std::fs::write(&log, "{}\n{}\n").unwrap();
        let grown = fingerprint(&paths);
        assert_ne!(before, grown);
        std::fs::write(dir.path().join("b.jsonl"), "{}\n").unwrap();
        assert_ne!(grown, fingerprint(&paths));
        assert_eq!(fingerprint(&[PathBuf::from("-")]), []);
    }
}
