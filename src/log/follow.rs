//! Following a growing log, like `tail -f`: each complete line appended is
//! parsed, hashed and linked to the chain so far as soon as it is read.
//!
//! The file is read with plain `read` calls from where the last one ended,
//! so only the new bytes are touched. A line still being written (no
//! newline yet) waits for the next poll. A file that shrinks was truncated
//! or rewritten: that is a finding, and following goes on from its new end.
//! A file replaced by another (log rotation) is followed into the new file,
//! whose first entry must link to the last entry of the old one.

use super::chain::{FileVerifier, Finding, FindingKind};
use super::entry::LineReader;
use super::pass::analyse;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Bytes read per call; a longer line is assembled over several reads.
const READ_CHUNK: usize = 1 << 20;

/// A line longer than this is reported without being kept in memory
/// (the same bound as for whole files).
const MAX_PENDING: usize = super::entry::MAX_LINE_BYTES;

/// One line read while following, with what it showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub file: String,
    pub line: usize,
    /// Timestamp, user, tool and outcome, for a one-line summary; `None`
    /// when the line is not an entry.
    pub entry: Option<EntryLine>,
    /// Integrity findings this line raised (empty when it links fine).
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLine {
    pub timestamp: Option<String>,
    pub user: Option<String>,
    pub tool: Option<String>,
    pub success: Option<bool>,
}

pub struct Follower {
    path: PathBuf,
    file: File,
    /// Device and inode: a different pair at `path` means rotation.
    identity: (u64, u64),
    offset: u64,
    /// Number of the next complete line.
    line: usize,
    /// Bytes of a line whose newline has not arrived yet.
    pending: Vec<u8>,
    /// The pending line is over [`MAX_PENDING`]; its bytes are dropped.
    oversized: bool,
    verifier: FileVerifier,
    reader: LineReader,
    /// Read buffer, reused between polls.
    chunk: Vec<u8>,
}

impl Follower {
    /// Start at the beginning of `path`: the first poll verifies what is
    /// already there.
    pub fn open(path: &Path) -> io::Result<Follower> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        Ok(Follower {
            path: path.to_owned(),
            identity: (meta.dev(), meta.ino()),
            file,
            offset: 0,
            line: 1,
            pending: Vec::new(),
            oversized: false,
            verifier: FileVerifier::new(path.display().to_string()),
            reader: LineReader::new(),
            chunk: Vec::new(),
        })
    }

    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// Entries verified so far, over rotations.
    pub fn entries(&self) -> usize {
        self.verifier.entries()
    }

    /// Read whatever was appended since the last poll and verify each
    /// complete line; `on_line` sees them in order.
    pub fn poll(&mut self, on_line: &mut dyn FnMut(Followed)) -> io::Result<()> {
        self.notice_rotation_or_truncation(on_line)?;
        self.read_to_end(on_line)
    }

    /// Verify every complete line from the read position to the end of the
    /// open file, a chunk at a time (memory stays bounded on a big file).
    fn read_to_end(&mut self, on_line: &mut dyn FnMut(Followed)) -> io::Result<()> {
        let mut chunk = std::mem::take(&mut self.chunk);
        chunk.resize(READ_CHUNK, 0);
        let result = loop {
            let n = match self.file.read(&mut chunk) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) => break Err(e),
            };
            self.offset += n as u64;
            let mut rest = &chunk[..n];
            while let Some(end) = memchr::memchr(b'\n', rest) {
                self.take_line(&rest[..end], on_line);
                rest = &rest[end + 1..];
            }
            self.keep_pending(rest);
        };
        // The buffer is kept for the next poll, once a second.
        self.chunk = chunk;
        result
    }

    fn keep_pending(&mut self, bytes: &[u8]) {
        if self.pending.len() + bytes.len() > MAX_PENDING {
            self.oversized = true;
            self.pending = Vec::new();
        } else if !self.oversized {
            self.pending.extend_from_slice(bytes);
        }
    }

    fn take_line(&mut self, tail: &[u8], on_line: &mut dyn FnMut(Followed)) {
        self.keep_pending(tail);
        let bytes = std::mem::take(&mut self.pending);
        let line = self.line;
        self.line += 1;
        let before = self.verifier.findings().len();
        let entry = if std::mem::take(&mut self.oversized) {
            let outcome = super::chain::LineOutcome::NotEntry(super::entry::LineError(format!(
                "line longer than {} MiB: not parsed",
                MAX_PENDING >> 20
            )));
            self.verifier.push(line, true, &outcome);
            None
        } else {
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
            let (outcome, fields) = analyse(bytes, &mut self.reader);
            self.verifier.push(line, true, &outcome);
            fields.map(|f| EntryLine {
                timestamp: f.timestamp.map(|t| t.decode().into_owned()),
                user: f.user.map(|u| u.into_owned()),
                tool: f.tool.map(|t| t.into_owned()),
                success: f.success,
            })
        };
        on_line(Followed {
            file: self.name(),
            line,
            entry,
            findings: self.verifier.findings()[before..].to_vec(),
        });
    }

    /// A shorter file was truncated or rewritten in place; a different file
    /// at the path is the next one after a rotation.
    fn notice_rotation_or_truncation(
        &mut self,
        on_line: &mut dyn FnMut(Followed),
    ) -> io::Result<()> {
        let at_path = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            // Between the rename and the new file's creation: keep reading
            // the old file until the new one appears.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if (at_path.dev(), at_path.ino()) != self.identity {
            // Finish the old file first: lines written before the rename.
            self.read_to_end(on_line)?;
            self.file = File::open(&self.path)?;
            self.identity = (at_path.dev(), at_path.ino());
            self.offset = 0;
            self.line = 1;
            self.pending.clear();
            self.verifier.continue_into(self.name());
            return Ok(());
        }
        let length = self.file.metadata()?.len();
        if length < self.offset {
            let finding = Finding {
                file: self.name(),
                line: self.line,
                kind: FindingKind::Truncated,
                message: format!(
                    "the file shrank from {} to {length} bytes while followed: truncated or rewritten",
                    self.offset
                ),
            };
            self.verifier.add_finding(finding.clone());
            on_line(Followed {
                file: self.name(),
                line: self.line,
                entry: None,
                findings: vec![finding],
            });
            self.offset = self.file.seek(SeekFrom::End(0))?;
            self.pending.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Options, generate};
    use std::io::Write;

    /// `n` chained entries, one string each.
    fn lines(n: u64) -> Vec<String> {
        let files = generate(&Options::new(n)).unwrap();
        let text = String::from_utf8(files[0].bytes.clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    fn collect(follower: &mut Follower) -> Vec<Followed> {
        let mut seen = Vec::new();
        follower.poll(&mut |f| seen.push(f)).unwrap();
        seen
    }

    #[test]
    fn appended_entries_are_verified_as_they_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(6);
        std::fs::write(&path, format!("{}\n{}\n", all[0], all[1])).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        let first = collect(&mut follower);
        assert_eq!(first.len(), 2);
        assert!(
            first
                .iter()
                .all(|f| f.findings.is_empty() && f.entry.is_some())
        );
        assert!(collect(&mut follower).is_empty());

        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        // Half a line: nothing yet.
        let (head, tail) = all[2].split_at(40);
        write!(file, "{head}").unwrap();
        assert!(collect(&mut follower).is_empty());
        writeln!(file, "{tail}").unwrap();
        let third = collect(&mut follower);
        assert_eq!(third.len(), 1);
        assert_eq!(third[0].line, 3);
        assert!(third[0].findings.is_empty(), "{:?}", third[0].findings);

        // Skipping an entry breaks the link at once.
        writeln!(file, "{}", all[4]).unwrap();
        let broken = collect(&mut follower);
        assert_eq!(broken[0].line, 4);
        assert_eq!(broken[0].findings[0].kind, FindingKind::Link);
        assert_eq!(follower.entries(), 4);
    }

    #[test]
    fn truncation_is_a_finding_and_rotation_continues_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(5);
        std::fs::write(&path, format!("{}\n{}\n{}\n", all[0], all[1], all[2])).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        assert_eq!(collect(&mut follower).len(), 3);

        // Rotation: the old file is renamed, a new one continues the chain.
        std::fs::rename(&path, dir.path().join("audit.jsonl.1")).unwrap();
        std::fs::write(&path, format!("{}\n", all[3])).unwrap();
        let rotated = collect(&mut follower);
        assert_eq!(rotated.len(), 1);
        assert_eq!(rotated[0].line, 1);
        assert!(rotated[0].findings.is_empty(), "{:?}", rotated[0].findings);

        std::fs::write(&path, "").unwrap();
        let truncated = collect(&mut follower);
        assert_eq!(truncated.len(), 1);
        assert_eq!(truncated[0].findings[0].kind, FindingKind::Truncated);
    }

    #[test]
    fn garbage_lines_are_malformed_findings_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "not json\n\u{1b}[2J\n").unwrap();
        let mut follower = Follower::open(&path).unwrap();
        let seen = collect(&mut follower);
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|f| f.entry.is_none()));
        assert_eq!(seen[1].findings[0].kind, FindingKind::Malformed);
        assert_eq!(seen[1].findings[0].line, 2);
    }
}
