//! Writing export files so that a reader never sees a half-written file and
//! an existing file is never replaced by accident.
//!
//! The data goes to a temporary file in the target's directory (same
//! filesystem, so the final rename is atomic), is synced, and only then
//! takes the target's name. Any failure before that point deletes the
//! temporary file and leaves the target untouched.

use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Why an export file could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// The target exists and `force` was not given.
    Exists(PathBuf),
    /// Creating, writing, syncing or renaming failed; the target is
    /// unchanged.
    Io {
        /// The target path, as the caller gave it.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

impl WriteError {
    /// The target path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            WriteError::Exists(path) | WriteError::Io { path, .. } => path,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Exists(path) => write!(
                f,
                "refusing to overwrite {}: it exists (use --force to replace it)",
                path.display()
            ),
            WriteError::Io { path, source } => {
                write!(f, "cannot write {}: {}", path.display(), describe(source))
            }
        }
    }
}

/// The OS's wording for `e`, without the "(os error 2)" tail that means
/// nothing to a user.
fn describe(e: &io::Error) -> String {
    let mut msg = e.to_string();
    if let Some(i) = msg.rfind(" (os error ") {
        let code = msg[i + " (os error ".len()..].strip_suffix(')');
        if code.is_some_and(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit())) {
            msg.truncate(i);
        }
    }
    msg
}

// `source()` is deliberately left as `None`: Display already includes the
// cause, and error reporters that walk the chain would print it twice.
// Callers that need the io::Error match on `WriteError::Io`.
impl std::error::Error for WriteError {}

/// Writes `path` atomically with the bytes produced by `write`.
///
/// Without `force`, an existing `path` (even a dangling symlink) gives
/// [`WriteError::Exists`]; that is checked before `write` runs, so no work
/// is wasted, and again atomically at the final rename, so a file that
/// appears meanwhile is not clobbered either. With `force`, the file is
/// replaced in one rename, keeping the old file's permission bits (a
/// symlink at `path` is replaced, not followed).
///
/// `write` receives a buffered writer; it does not need to flush. Path `-`
/// is not special here: callers write stdout directly.
pub fn write_atomic(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    let io_err = |source: io::Error| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(WriteError::Exists(path.to_path_buf()));
    }

    let dir = parent_dir(path);
    let temp = create_temp(path, dir).map_err(|e| io_err(without_temp_path(e)))?;
    // From here on, returning early drops `temp`, which deletes it.

    {
        let mut out = BufWriter::new(temp.as_file());
        write(&mut out).map_err(io_err)?;
        out.flush().map_err(io_err)?;
    }
    if force {
        copy_permissions(path, &temp).map_err(io_err)?;
    }
    // Sync before the rename: otherwise a crash could leave the new name
    // pointing at an empty or partial file.
    temp.as_file().sync_all().map_err(io_err)?;

    let persisted = if force {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    match persisted {
        Ok(_) => {}
        // The PersistError owns the temp file; dropping it deletes it.
        Err(e) if !force && e.error.kind() == io::ErrorKind::AlreadyExists => {
            return Err(WriteError::Exists(path.to_path_buf()));
        }
        Err(e) => return Err(io_err(e.error)),
    }
    sync_dir(dir);
    Ok(())
}

/// The directory the temp file must live in: the target's own, so that the
/// rename never crosses filesystems.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn create_temp(path: &Path, dir: &Path) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    // A hidden name tied to the target tells a user what a leftover file
    // is if the process is killed before cleanup can run.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    builder.prefix(&prefix).suffix(".tmp");
    // Match `File::create`: the kernel applies the umask to 0o666. The
    // tempfile default (0o600) would surprise users expecting a normal file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// tempfile wraps creation errors as "<cause> at path \"<random temp
/// name>\"". That name never exists for the user, so naming it only
/// confuses; the message names the real target instead.
fn without_temp_path(e: io::Error) -> io::Error {
    let msg = e.to_string();
    match msg.rfind(" at path \"") {
        Some(i) => io::Error::new(e.kind(), &msg[..i]),
        None => e,
    }
}

/// Replacing a file should not silently change who may read it.
fn copy_permissions(path: &Path, temp: &NamedTempFile) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) => temp.as_file().set_permissions(meta.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes the rename itself durable. Best effort: the file is already
/// complete under its new name, so failing here must not report the export
/// as failed.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// An output that is one of the input logs, or inside an input directory,
/// would change the evidence (even with `--force`): refused.
pub fn refuse_evidence(path: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let target = match path.canonicalize() {
        Ok(target) => target,
        Err(_) => {
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            match (parent.canonicalize(), path.file_name()) {
                (Ok(parent), Some(name)) => parent.join(name),
                // write_atomic reports a missing directory itself.
                _ => return Ok(()),
            }
        }
    };
    let evidence = inputs
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .find(|p| target == *p || (p.is_dir() && target.starts_with(p)));
    match evidence {
        Some(log) => Err(format!(
            "{} is {} the logs being read ({}); auditui never writes there, choose another path",
            crate::text::for_terminal(&path.display().to_string()),
            if target == log { "one of" } else { "inside" },
            crate::text::for_terminal(&log.display().to_string())
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        write_atomic(&path, false, |w| w.write_all(b"a,b\r\n1,2\r\n")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\r\n1,2\r\n");
        assert_eq!(entries(dir.path()), ["report.csv"]);
    }

    #[test]
    fn many_small_writes_all_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        write_atomic(&path, false, |w| {
            for i in 0..100_000u32 {
                writeln!(w, "{i}")?;
            }
            Ok(())
        })
        .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 100_000);
        assert!(text.ends_with("99999\n"));
    }

    #[test]
    fn refuses_existing_file_and_leaves_it_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        let original = b"original \x00\xff bytes\r\n".to_vec();
        fs::write(&path, &original).unwrap();
        let mut called = false;
        let err = write_atomic(&path, false, |w| {
            called = true;
            w.write_all(b"new")
        })
        .unwrap_err();
        assert!(matches!(&err, WriteError::Exists(p) if p == &path));
        assert!(!called, "the export should not run when it cannot be saved");
        assert_eq!(fs::read(&path).unwrap(), original);
        assert_eq!(entries(dir.path()), ["report.csv"]);
    }

    #[test]
    fn file_appearing_during_write_is_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.json");
        let err = write_atomic(&path, false, |w| {
            fs::write(&path, b"theirs")?;
            w.write_all(b"ours")
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::Exists(_)), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"theirs");
        assert_eq!(entries(dir.path()), ["race.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn dangling_symlink_counts_as_existing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &path).unwrap();
        let err = write_atomic(&path, false, |w| w.write_all(b"x")).unwrap_err();
        assert!(matches!(err, WriteError::Exists(_)));
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn force_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        fs::write(&path, b"a much longer original file").unwrap();
        write_atomic(&path, true, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(entries(dir.path()), ["report.csv"]);
    }

    #[test]
    fn force_creates_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.md");
        write_atomic(&path, true, |w| w.write_all(b"# hi\n")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"# hi\n");
    }

    #[cfg(unix)]
    #[test]
    fn permissions_match_a_plain_create_and_survive_replacement() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        fs::File::create(&plain).unwrap();
        let atomic = dir.path().join("atomic");
        write_atomic(&atomic, false, |w| w.write_all(b"x")).unwrap();
        assert_eq!(mode(&atomic), mode(&plain));

        fs::set_permissions(&atomic, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&atomic, true, |w| w.write_all(b"y")).unwrap();
        assert_eq!(mode(&atomic), 0o640);
    }

    #[test]
    fn failing_writer_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let err = write_atomic(&path, false, |w| {
            w.write_all(b"{\"partial\":")?;
            Err(io::Error::other("serialiser exploded"))
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot write {}: serialiser exploded", path.display())
        );
        assert!(!path.exists());
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    }

    #[test]
    fn failing_writer_with_force_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        fs::write(&path, b"old").unwrap();
        let err = write_atomic(&path, true, |w| {
            w.write_all(&[b'x'; 100_000])?;
            Err(io::Error::other("disk on fire"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(dir.path()), ["report.json"]);
    }

    #[test]
    fn missing_directory_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonexistent").join("x.json");
        let err = write_atomic(&path, false, |w| w.write_all(b"{}")).unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.path(), path);
        assert!(
            matches!(&err, WriteError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
        );
        #[cfg(unix)]
        assert_eq!(
            msg,
            format!("cannot write {}: No such file or directory", path.display())
        );
        assert!(!msg.contains("os error"), "{msg}");
    }

    #[test]
    fn exists_message_names_path_and_force() {
        let err = WriteError::Exists(PathBuf::from("report.csv"));
        assert_eq!(
            err.to_string(),
            "refusing to overwrite report.csv: it exists (use --force to replace it)"
        );
    }

    #[test]
    fn temp_file_lives_next_to_the_target() {
        assert_eq!(parent_dir(Path::new("report.csv")), Path::new("."));
        assert_eq!(parent_dir(Path::new("out/report.csv")), Path::new("out"));
        assert_eq!(parent_dir(Path::new("/report.csv")), Path::new("/"));
    }

    #[test]
    fn target_that_is_a_directory_is_refused_or_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        assert!(matches!(
            write_atomic(&sub, false, |w| w.write_all(b"x")),
            Err(WriteError::Exists(_))
        ));
        assert!(write_atomic(&sub, true, |w| w.write_all(b"x")).is_err());
        assert!(sub.is_dir());
        assert_eq!(entries(dir.path()), ["sub"]);
    }
}
