//! Log sources: files (memory-mapped, read-only), gzip, stdin, directories.
//!
//! Evidence is never written: files are opened read-only and mapped
//! private (a file truncated under the map is reported by `sigbus`). Non-seekable inputs (stdin, FIFOs) and gzip are read into memory
//! by streaming, holding one decompressed copy.

use super::sigbus::{self, Watch};
use flate2::read::MultiGzDecoder;
use memmap2::{Mmap, UncheckedAdvice};
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// File name endings read when a directory is given.
pub const LOG_EXTENSIONS: [&str; 4] = ["jsonl", "log", "json", "gz"];

/// Longest line that can be read as an entry at all: the parser's spans
/// are 32-bit. Any smaller limit is the user's choice (`--max-entry-bytes`).
pub const MAX_READABLE_LINE: usize = u32::MAX as usize;

/// The entry limit of sources opened from now on; set once from the
/// command line or configuration, before any log is opened.
static DEFAULT_MAX_ENTRY: AtomicUsize = AtomicUsize::new(MAX_READABLE_LINE);

/// Limit the entries of the sources opened from now on to `bytes` (at most
/// [`MAX_READABLE_LINE`]). A longer line is reported as not verified, not
/// as a finding: it may well be an intact entry.
pub fn set_max_entry_bytes(bytes: usize) {
    DEFAULT_MAX_ENTRY.store(bytes.min(MAX_READABLE_LINE), Ordering::Relaxed);
}

/// The entry limit of sources opened now.
pub fn max_entry_bytes() -> usize {
    DEFAULT_MAX_ENTRY.load(Ordering::Relaxed)
}

/// One input's bytes and the name to show for it.
pub struct Source {
    /// As the user named it (or as found under a directory), for messages.
    pub name: String,
    data: Data,
    /// Lines longer than this are not read as entries.
    max_entry: usize,
    /// Device and inode of a file: the same file under another name after
    /// a rotation, or another file under the same name.
    pub identity: Option<(u64, u64)>,
    /// Whether a pass hands each batch's pages back once it is done with
    /// them ([`Source::read_once`]).
    read_once: bool,
}

/// How a file's bytes are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Mapped: nothing is copied, but a file truncated while it is mapped
    /// ends the program (SIGBUS, exit 2).
    Mapped,
    /// Read into memory: for logs that may be truncated while shown
    /// (followed logs, rotated with copytruncate).
    Copied,
}

enum Data {
    /// The watch comes first so it is dropped before the map is unmapped.
    Mapped {
        _watch: Watch,
        map: Mmap,
    },
    Owned(Vec<u8>),
}

/// An input that could not be read at all (exit code 2, not a finding).
#[derive(Debug)]
pub struct SourceError {
    pub name: String,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for SourceError {}

impl Source {
    /// A source from bytes already in memory (tests, follow mode).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Source::new(name.into(), Data::Owned(bytes))
    }

    fn new(name: String, data: Data) -> Self {
        Source {
            name,
            data,
            max_entry: max_entry_bytes(),
            identity: None,
            read_once: false,
        }
    }

    /// This source, read by one pass and then hardly again (`verify`): the
    /// pass hands the mapped pages of each batch back to the kernel once it
    /// is done with them. Unmapping a whole file at the end took the last
    /// ~4 % of `verify`'s time on 200,000 entries, with one core idle;
    /// spread over the pass it overlaps the analysis (BENCHMARKS.md,
    /// "Issue 21"), and the resident pages stay a few batches'. A later read
    /// faults them in again, with the same bytes.
    pub fn read_once(mut self) -> Self {
        self.read_once = true;
        self
    }

    /// A pass is done with `bytes[range]`: the pages wholly before its end
    /// are handed back if this source is [read once](Source::read_once)
    /// and mapped (a page shared with the next line is kept: another thread
    /// may be reading it).
    pub fn done_with(&self, range: std::ops::Range<usize>) {
        let Data::Mapped { map, .. } = &self.data else {
            return;
        };
        let end = range.end - range.end % PAGE;
        if self.read_once && end > range.start {
            // SAFETY: as in `Lines::release`: the map is never written, so
            // its pages dropped are faulted in again with the same bytes.
            let _ = unsafe {
                map.unchecked_advise_range(
                    UncheckedAdvice::DontNeed,
                    range.start,
                    end - range.start,
                )
            };
        }
    }

    /// This source with its own entry limit (at most [`MAX_READABLE_LINE`]).
    pub fn with_max_entry_bytes(mut self, bytes: usize) -> Self {
        self.max_entry = bytes.min(MAX_READABLE_LINE);
        self
    }

    /// Lines longer than this are not read as entries.
    pub fn max_entry_bytes(&self) -> usize {
        self.max_entry
    }

    /// Add bytes read since (a followed file that grew); false for a
    /// mapped file, which is never written through.
    pub fn append(&mut self, bytes: &[u8]) -> bool {
        match &mut self.data {
            Data::Owned(v) => {
                v.extend_from_slice(bytes);
                true
            }
            Data::Mapped { .. } => false,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Mapped { map, .. } => map,
            Data::Owned(v) => v,
        }
    }

    /// Iterate the lines (without their `\n`) with 1-based numbers and byte
    /// offsets. A UTF-8 BOM on the first line is skipped.
    pub fn lines(&self) -> Lines<'_> {
        let mut lines = Lines::new(self.bytes());
        lines.max_entry = self.max_entry;
        if let Data::Mapped { map, .. } = &self.data {
            lines.mapping = Some(map);
        }
        lines
    }
}

/// Lines of a byte buffer, split with memchr.
pub struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    number: usize,
    /// Lines longer than this are not entries: only their end is looked for.
    max_entry: usize,
    /// The map behind `bytes`, if any: the pages of a long line are handed
    /// back to the kernel as soon as they are scanned, so a file that is one
    /// huge line (NUL-filled after a crash, say) is read in bounded memory.
    mapping: Option<&'a Mmap>,
    /// Where the text is asked for next ([`PREFETCH_AHEAD`]).
    prefetched: usize,
}

/// How much of an overlong line is scanned between two releases.
const RELEASE_CHUNK: usize = 64 << 20;

/// How far ahead of the line being split its text is asked for. Splitting
/// is the first read of the text, from memory, and the processor's own
/// prefetcher stops at each 4 KiB page: `memchr` waited on memory for most
/// of its time (BENCHMARKS.md, "Issue 21").
const PREFETCH_AHEAD: usize = 4096;

/// The unit of memory the processor fetches.
const CACHE_LINE: usize = 64;

/// The smallest page size; `madvise` rounds a range's start down to a page
/// itself, its end is rounded down here.
const PAGE: usize = 4096;

/// One line of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of the line's first byte in the source.
    pub offset: usize,
    pub bytes: &'a [u8],
    /// False for a last line that has no final newline (a writer may have
    /// crashed in the middle of it).
    pub terminated: bool,
}

impl<'a> Lines<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let pos = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Lines {
            bytes,
            pos,
            number: 0,
            max_entry: MAX_READABLE_LINE,
            mapping: None,
            prefetched: pos,
        }
    }

    /// Ask the cache for the text up to [`PREFETCH_AHEAD`] past `self.pos`,
    /// a line at a time (a hint: nothing is read, nothing faults).
    fn prefetch(&mut self) {
        let until = self.bytes.len().min(self.pos + PREFETCH_AHEAD);
        // Behind after a long line: what it skipped was read already.
        let mut at = self.prefetched.max(self.pos);
        while at < until {
            #[cfg(target_arch = "x86_64")]
            {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                // SAFETY: `at` is within `bytes`; a prefetch neither reads
                // nor faults.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(self.bytes.as_ptr().add(at).cast()) };
            }
            at += CACHE_LINE;
        }
        self.prefetched = at;
    }

    /// Length of the line starting at `self.pos` and whether a newline ends it.
    fn line_end(&self) -> (usize, bool) {
        let rest = &self.bytes[self.pos..];
        // Past the limit, or past one chunk, scanned pages are handed back: a
        // long entry faults them in again when it is parsed.
        let window = rest
            .len()
            .min(self.max_entry.saturating_add(1))
            .min(RELEASE_CHUNK);
        if let Some(i) = memchr::memchr(b'\n', &rest[..window]) {
            return (i, true);
        }
        // A long line: its pages are released as its end is looked for.
        let mut scanned = window;
        while scanned < rest.len() {
            let end = rest.len().min(scanned + RELEASE_CHUNK);
            let found = memchr::memchr(b'\n', &rest[scanned..end]);
            self.release(self.pos + scanned, end - scanned);
            if let Some(i) = found {
                return (scanned + i, true);
            }
            scanned = end;
        }
        (rest.len(), false)
    }

    fn release(&self, offset: usize, len: usize) {
        if let Some(map) = self.mapping {
            // SAFETY: the map is private and never written, so dropping its
            // pages only means that a later read faults them in again from
            // the file, with the same bytes. Failure only costs memory.
            let _ = unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, offset, len) };
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        self.prefetch();
        let rest = &self.bytes[self.pos..];
        let (len, terminated) = self.line_end();
        self.number += 1;
        let line = Line {
            number: self.number,
            offset: self.pos,
            bytes: &rest[..len],
            terminated,
        };
        self.pos += len + usize::from(terminated);
        Some(line)
    }
}

/// Expand the user's paths into sources, in the order given (directories
/// sorted by name; chains are ordered by linkage later, not here).
pub fn open_all(paths: &[PathBuf]) -> Result<Vec<Source>, SourceError> {
    open_all_with(paths, Access::Mapped)
}

/// [`open_all`], holding files as `access` says.
pub fn open_all_with(paths: &[PathBuf], access: Access) -> Result<Vec<Source>, SourceError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(read_stdin()?);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        if meta.is_dir() {
            let files = log_files_in(path)?;
            if files.is_empty() {
                return Err(SourceError {
                    name: path.display().to_string(),
                    message: format!(
                        "no log files (*.{}) in this directory",
                        LOG_EXTENSIONS.join(", *.")
                    ),
                });
            }
            for file in files {
                sources.push(open_file(&file, access)?);
            }
        } else {
            sources.push(open_file(path, access)?);
        }
    }
    Ok(sources)
}

/// Log files under a directory, recursively, sorted, hidden entries skipped.
pub fn log_files_in(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| io_error(&current, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&current, e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| io_error(&path, e))?;
            if file_type.is_dir() {
                pending.push(path);
            } else if has_log_extension(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn has_log_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| LOG_EXTENSIONS.contains(&e))
}

/// Open one file read-only: gzip by streaming, regular files by mapping,
/// anything else (FIFO, character device) by reading.
pub fn open_file(path: &Path, access: Access) -> Result<Source, SourceError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let meta = file.metadata().map_err(|e| io_error(path, e))?;
    let of_file = |data| Source {
        identity: Some((meta.dev(), meta.ino())),
        ..Source::new(name.clone(), data)
    };
    if meta.is_dir() {
        return Err(SourceError {
            name,
            message: "is a directory".into(),
        });
    }
    if path.extension().is_some_and(|e| e == "gz") {
        let mut bytes = Vec::new();
        MultiGzDecoder::new(io::BufReader::new(file))
            .read_to_end(&mut bytes)
            .map_err(|e| SourceError {
                name: name.clone(),
                message: format!("not valid gzip: {e}"),
            })?;
        return Ok(of_file(Data::Owned(bytes)));
    }
    if meta.is_file() && meta.len() > 0 && !has_data(&file) {
        return Err(SourceError {
            name,
            message: format!(
                "{} bytes and every one a zero byte never written (a sparse or preallocated file): there is no log in it",
                meta.len()
            ),
        });
    }
    if access == Access::Mapped && meta.is_file() && meta.len() > 0 {
        // SAFETY: the map is read-only and private, and appends do not
        // affect the mapped range. If another process truncates the file
        // while we read, the kernel raises SIGBUS: the watch turns that into
        // a message naming the file and exit status 2.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| io_error(path, e))?;
        let watch = sigbus::watch(&map, &name);
        return Ok(of_file(Data::Mapped { _watch: watch, map }));
    }
    let mut bytes = Vec::new();
    (&file)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    Ok(of_file(Data::Owned(bytes)))
}

/// False when the whole file is one hole (nothing but zero bytes that were
/// never written): scanning it would fault in every page to find no line.
/// Filesystems without hole support report all data, so this never errs
/// towards rejecting a real log.
fn has_data(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: lseek on a file descriptor we own; SEEK_DATA only reads.
    let offset = unsafe { libc::lseek(file.as_raw_fd(), 0, libc::SEEK_DATA) };
    offset >= 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ENXIO)
}

fn read_stdin() -> Result<Source, SourceError> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError {
            name: "<stdin>".into(),
            message: e.to_string(),
        })?;
    Ok(Source::new("<stdin>".into(), Data::Owned(bytes)))
}

fn io_error(path: &Path, e: io::Error) -> SourceError {
    let message = match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => {
            "permission denied (auditui only needs read access)".to_string()
        }
        _ => e.to_string(),
    };
    SourceError {
        name: path.display().to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_report_numbers_offsets_and_a_missing_final_newline() {
        let lines: Vec<_> = Lines::new(b"\xEF\xBB\xBFa\r\nbb\nc").collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            (lines[0].number, lines[0].offset, lines[0].bytes),
            (1, 3, &b"a\r"[..])
        );
        assert_eq!((lines[1].offset, lines[1].terminated), (6, true));
        assert_eq!((lines[2].bytes, lines[2].terminated), (&b"c"[..], false));
    }

    #[test]
    fn a_line_longer_than_any_entry_is_scanned_to_its_end_in_chunks() {
        let limit = 1 << 20;
        let mut bytes = vec![b'x'; limit + RELEASE_CHUNK + 5];
        bytes.extend_from_slice(b"\n{}\n");
        let source = Source::from_bytes("long", bytes).with_max_entry_bytes(limit);
        let lines: Vec<_> = source.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].bytes.len(), limit + RELEASE_CHUNK + 5);
        assert_eq!((lines[1].bytes, lines[1].terminated), (&b"{}"[..], true));
    }

    #[test]
    fn lines_split_alike_before_during_and_after_a_line_longer_than_the_prefetch() {
        let text = format!(
            "a\n{}\nbb\n{}\nc",
            "x".repeat(3 * PREFETCH_AHEAD),
            "y".repeat(CACHE_LINE + 1)
        );
        let got: Vec<&[u8]> = Lines::new(text.as_bytes()).map(|l| l.bytes).collect();
        let want: Vec<&[u8]> = text.as_bytes().split(|&b| b == b'\n').collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_read_once_file_reads_the_same_after_its_pages_are_handed_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let text: Vec<u8> = (0..3 * PAGE + 7).map(|i| b"{}\n"[i % 3]).collect();
        std::fs::write(&path, &text).unwrap();
        let source = open_file(&path, Access::Mapped).unwrap().read_once();
        assert_eq!(source.bytes(), &text[..]);
        source.done_with(PAGE / 2..text.len());
        assert_eq!(source.bytes(), &text[..]);
    }

    #[test]
    fn missing_files_are_named_in_the_error() {
        let err = open_all(&[PathBuf::from("/nonexistent/audit.jsonl")])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "/nonexistent/audit.jsonl: no such file or directory"
        );
    }

    #[test]
    fn a_directory_without_logs_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let err = open_all(&[dir.path().to_path_buf()]).err().unwrap();
        assert!(err.message.contains("no log files"), "{err}");
    }
}
