//! Following a growing log, like `tail -f`: each complete line appended is
//! parsed, hashed and linked to the chain so far as soon as it is read.
//!
//! The file is read with plain `read` calls from where the last one ended,
//! so only the new bytes are touched. A line still being written (no
//! newline yet) waits for the next poll. A file that shrinks was truncated
//! or rewritten: that is a finding, and following goes on from its new end.
//! A file replaced by another (log rotation) is followed into the new file,
//! whose first entry must link to the last entry of the old one.
//!
//! This is the incremental verifier (ARCHITECTURE.md, "Following"): the
//! verified head, the offset verified up to and the file's identity are
//! kept, so a poll costs what was appended. Bytes already verified are not
//! re-read, except the last verified line, compared with its copy on every
//! poll: an edit or a rewrite that reaches the end of what was verified is
//! a finding at once; edits further back are left to the periodic full
//! re-verification (`super::reverify`).

use super::chain::{FileSummary, FileVerifier, Finding, FindingKind};
use super::entry::{Fields, LineReader};
use super::pass::analyse;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Bytes read per call; a longer line is assembled over several reads.
const READ_CHUNK: usize = 1 << 20;

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

/// The last complete line verified, as it read then.
#[derive(Debug, Clone)]
struct VerifiedLine {
    line: usize,
    offset: u64,
    /// With its newline, so a line that grew longer reads different too.
    bytes: Vec<u8>,
}

/// What [`Follower::poll_lines`] reports: a line read, with what it
/// showed, or a finding about the file itself (truncated, rewritten).
pub struct ReadLine<'a> {
    pub line: usize,
    /// Where the line starts in the file.
    pub offset: u64,
    /// The line without its newline; `None` for a finding about the file,
    /// or a line over the entry limit (its bytes are not kept).
    pub bytes: Option<&'a [u8]>,
    /// The entry's indexed fields; `None` when the line is not an entry.
    pub fields: Option<&'a Fields<'a>>,
    /// Integrity findings raised here (empty when it links fine).
    pub findings: &'a [Finding],
}

impl Followed {
    fn of(file: &str, read: ReadLine<'_>) -> Followed {
        Followed {
            file: file.to_owned(),
            line: read.line,
            entry: read.fields.map(|f| EntryLine {
                timestamp: f.timestamp.map(|t| t.decode().into_owned()),
                user: f.user.as_deref().map(str::to_owned),
                tool: f.tool.as_deref().map(str::to_owned),
                success: f.success,
            }),
            findings: read.findings.to_vec(),
        }
    }
}

type OnLine<'c> = dyn FnMut(ReadLine<'_>) + 'c;

pub struct Follower {
    path: PathBuf,
    file: File,
    /// Device and inode: a different pair at `path` means rotation.
    identity: (u64, u64),
    offset: u64,
    /// Where the pending line starts.
    line_start: u64,
    last_verified: Option<VerifiedLine>,
    /// The head of the file before the last rotation: what the current
    /// file's first entry links to.
    rotated_from: Option<[u8; 32]>,
    /// Number of the next complete line.
    line: usize,
    /// Bytes of a line whose newline has not arrived yet.
    pending: Vec<u8>,
    /// Lines longer than this are not read as entries (as for whole files).
    max_entry: usize,
    /// Length of the pending line when it is over `max_entry`: its bytes
    /// are dropped, not kept in memory.
    oversized: Option<usize>,
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
            line_start: 0,
            last_verified: None,
            rotated_from: None,
            line: 1,
            pending: Vec::new(),
            max_entry: super::source::max_entry_bytes(),
            oversized: None,
            verifier: FileVerifier::new(path.display().to_string()),
            reader: LineReader::new(),
            chunk: Vec::new(),
        })
    }

    /// Go on following a file already verified in full: `bytes` is what was
    /// read of it (up to a newline), `summary` its verdict. `None` when the
    /// file at `path` is no longer the one read (rotated, or shorter).
    pub fn resume(path: &Path, bytes: &[u8], summary: FileSummary) -> io::Result<Option<Follower>> {
        let mut follower = Follower::open(path)?;
        let length = follower.file.metadata()?.len();
        if bytes.last().is_some_and(|&b| b != b'\n') || length < bytes.len() as u64 {
            return Ok(None);
        }
        let lines = memchr::memchr_iter(b'\n', bytes).count();
        let last_start = bytes[..bytes.len().saturating_sub(1)]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        follower.offset = bytes.len() as u64;
        follower.file.seek(SeekFrom::Start(follower.offset))?;
        follower.line_start = follower.offset;
        follower.line = lines + 1;
        follower.last_verified = (lines > 0).then(|| VerifiedLine {
            line: lines,
            offset: last_start as u64,
            bytes: bytes[last_start..].to_vec(),
        });
        follower.verifier = FileVerifier::resume(summary, lines);
        Ok(Some(follower))
    }

    /// Follow the file at `path` from its start as the one that replaced
    /// another in a rotation, whose head was `rotated_from`: its verdict
    /// is its own (its first entry's link is judged with the other file's,
    /// as for two files loaded together), and a full re-verification lets
    /// its first entry link to that head.
    pub fn open_rotated(path: &Path, rotated_from: Option<[u8; 32]>) -> io::Result<Follower> {
        let mut follower = Follower::open(path)?;
        follower.rotated_from = rotated_from;
        Ok(follower)
    }

    /// Read the file opened, even if another file took its name since
    /// (rotation), to its end: its last lines, before following another.
    pub fn finish(&mut self, on_line: &mut OnLine<'_>) -> io::Result<()> {
        self.check_last_verified(on_line)?;
        self.read_to_end(on_line)
    }

    /// The verdict on what was verified so far, as for a whole file.
    pub fn summary(&self) -> FileSummary {
        self.verifier.snapshot()
    }

    /// Bytes of the file read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Device and inode of the file followed now.
    pub fn identity(&self) -> (u64, u64) {
        self.identity
    }

    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Entries verified so far, over rotations.
    pub fn entries(&self) -> usize {
        self.verifier.entries()
    }

    /// Findings so far, over rotations.
    pub fn findings(&self) -> &[Finding] {
        self.verifier.findings()
    }

    /// What the first entry of the file now at the path links to when the
    /// follower got there by a rotation: the old file's head.
    pub fn rotated_from(&self) -> Option<[u8; 32]> {
        self.rotated_from
    }

    /// Read whatever was appended since the last poll and verify each
    /// complete line; `on_line` sees them in order.
    pub fn poll(&mut self, on_line: &mut dyn FnMut(Followed)) -> io::Result<()> {
        let name = self.name();
        self.poll_lines(&mut |read| on_line(Followed::of(&name, read)))
    }

    /// [`Follower::poll`], reporting each line with its bytes and fields.
    pub fn poll_lines(&mut self, on_line: &mut OnLine<'_>) -> io::Result<()> {
        self.notice_rotation_or_truncation(on_line)?;
        self.check_last_verified(on_line)?;
        self.read_to_end(on_line)
    }

    /// Re-read the last verified line where it was: different bytes mean
    /// the file was edited or rewritten under the follower (a rewrite that
    /// kept the length or grew it is not caught by the size alone).
    fn check_last_verified(&mut self, on_line: &mut OnLine<'_>) -> io::Result<()> {
        let Some(verified) = &mut self.last_verified else {
            return Ok(());
        };
        let mut now = vec![0; verified.bytes.len()];
        let read = read_at_most(&self.file, &mut now, verified.offset)?;
        if now[..read] == verified.bytes[..] {
            return Ok(());
        }
        let finding = Finding {
            file: self.path.display().to_string(),
            line: verified.line,
            kind: FindingKind::Rewritten,
            message: "this line changed after it was verified: the file was edited or rewritten while followed".into(),
        };
        // Reported once: the copy now holds what is there.
        verified.bytes = now;
        self.report_file_finding(finding, on_line);
        Ok(())
    }

    /// A finding about the file rather than one line read.
    fn report_file_finding(&mut self, finding: Finding, on_line: &mut OnLine<'_>) {
        let line = finding.line;
        self.verifier.add_finding(finding);
        let findings = self.verifier.findings();
        on_line(ReadLine {
            line,
            offset: 0,
            bytes: None,
            fields: None,
            findings: &findings[findings.len() - 1..],
        });
    }

    /// Verify every complete line from the read position to the end of the
    /// open file, a chunk at a time (memory stays bounded on a big file).
    fn read_to_end(&mut self, on_line: &mut OnLine<'_>) -> io::Result<()> {
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
                self.line_start = self.offset - rest.len() as u64;
            }
            self.keep_pending(rest);
        };
        // The buffer is kept for the next poll, once a second.
        self.chunk = chunk;
        result
    }

    fn keep_pending(&mut self, bytes: &[u8]) {
        if let Some(length) = &mut self.oversized {
            *length += bytes.len();
        } else if self.pending.len() + bytes.len() > self.max_entry {
            self.oversized = Some(self.pending.len() + bytes.len());
            self.pending = Vec::new();
        } else {
            self.pending.extend_from_slice(bytes);
        }
    }

    fn take_line(&mut self, tail: &[u8], on_line: &mut OnLine<'_>) {
        self.keep_pending(tail);
        let bytes = std::mem::take(&mut self.pending);
        let line = self.line;
        self.line += 1;
        let before = self.verifier.findings().len();
        let offset = self.line_start;
        if let Some(bytes) = self.oversized.take() {
            let limit = self.max_entry;
            let outcome = super::chain::LineOutcome::TooLarge { bytes, limit };
            self.verifier.push(line, true, &outcome);
            // Not kept: a copy could be gigabytes.
            self.last_verified = None;
            on_line(ReadLine {
                line,
                offset,
                bytes: None,
                fields: None,
                findings: &self.verifier.findings()[before..],
            });
            return;
        }
        let text = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
        let (outcome, fields) = analyse(text, &mut self.reader);
        self.verifier.push(line, true, &outcome);
        on_line(ReadLine {
            line,
            offset,
            bytes: Some(&bytes),
            fields: fields.as_ref(),
            findings: &self.verifier.findings()[before..],
        });
        drop(fields);
        let mut bytes = bytes;
        bytes.push(b'\n');
        self.last_verified = Some(VerifiedLine {
            line,
            offset,
            bytes,
        });
    }

    /// A shorter file was truncated or rewritten in place; a different file
    /// at the path is the next one after a rotation.
    fn notice_rotation_or_truncation(&mut self, on_line: &mut OnLine<'_>) -> io::Result<()> {
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
            self.line_start = 0;
            self.last_verified = None;
            self.rotated_from = self.verifier.head();
            self.line = 1;
            self.pending.clear();
            self.oversized = None;
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
            self.report_file_finding(finding, on_line);
            self.offset = self.file.seek(SeekFrom::End(0))?;
            self.line_start = self.offset;
            self.last_verified = None;
            self.pending.clear();
            self.oversized = None;
        }
        Ok(())
    }
}

/// Read into `buffer` from `offset` until it is full or the file ends;
/// how many bytes were read.
fn read_at_most(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buffer.len() {
        match file.read_at(&mut buffer[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
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

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    fn kinds(seen: &[Followed]) -> Vec<(usize, FindingKind)> {
        seen.iter()
            .flat_map(|f| f.findings.iter().map(|x| (x.line, x.kind)))
            .collect()
    }

    #[test]
    fn an_edit_of_the_last_verified_line_is_found_without_rereading_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(4);
        let text = format!("{}\n{}\n{}\n", all[0], all[1], all[2]);
        std::fs::write(&path, &text).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        assert_eq!(collect(&mut follower).len(), 3);
        // Same length, one byte changed in the last verified line.
        let at = text.len() - 10;
        let mut bytes = text.clone().into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        std::fs::write(&path, &bytes).unwrap();
        let seen = collect(&mut follower);
        assert_eq!(kinds(&seen), vec![(3, FindingKind::Rewritten)]);
        // Reported once; an append afterwards is judged on its own.
        assert!(collect(&mut follower).is_empty());
        append(&path, &format!("{}\n", all[3]));
        let next = collect(&mut follower);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].line, 4);
    }

    #[test]
    fn a_rewrite_that_grew_the_file_is_found_at_the_last_verified_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(5);
        std::fs::write(&path, format!("{}\n{}\n", all[0], all[1])).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        assert_eq!(collect(&mut follower).len(), 2);
        // Rewritten in place (same inode) with other, longer content.
        std::fs::write(&path, format!("{}\n{}\n{}\n", all[0], all[2], all[3])).unwrap();
        let seen = collect(&mut follower);
        assert_eq!(kinds(&seen)[0], (2, FindingKind::Rewritten));
    }

    #[test]
    fn a_rotated_file_that_does_not_continue_the_chain_is_a_link_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(6);
        std::fs::write(&path, format!("{}\n{}\n", all[0], all[1])).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        assert_eq!(collect(&mut follower).len(), 2);
        let head = follower.verifier.head();
        std::fs::rename(&path, dir.path().join("audit.jsonl.1")).unwrap();
        // Entry 3 (index 2) is missing: the new file starts at entry 4.
        std::fs::write(&path, format!("{}\n", all[3])).unwrap();
        let seen = collect(&mut follower);
        assert_eq!(kinds(&seen), vec![(1, FindingKind::Link)]);
        assert_eq!(follower.rotated_from(), head);
        assert_eq!(
            follower.entries(),
            3,
            "the rotated-away entries still count"
        );
    }

    #[test]
    fn a_line_written_in_pieces_is_verified_once_whole_and_never_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(2);
        std::fs::write(&path, format!("{}\n", all[0])).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        assert_eq!(collect(&mut follower).len(), 1);
        let bytes = all[1].as_bytes();
        for piece in bytes.chunks(bytes.len() / 5 + 1) {
            append(&path, std::str::from_utf8(piece).unwrap());
            assert!(collect(&mut follower).is_empty());
        }
        append(&path, "\n");
        let seen = collect(&mut follower);
        assert_eq!(seen.len(), 1);
        assert!(seen[0].findings.is_empty(), "{:?}", seen[0].findings);
        assert!(follower.findings().is_empty());
    }

    #[test]
    fn the_incremental_verdict_matches_full_verification_as_the_log_grows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(40);
        std::fs::write(&path, "").unwrap();
        let mut follower = Follower::open(&path).unwrap();
        // Batches of uneven size, one with a deleted entry.
        let mut written = Vec::new();
        for (i, line) in all.iter().enumerate() {
            if i == 17 {
                continue;
            }
            written.push(line.as_str());
            if i % 7 == 3 {
                std::fs::write(&path, format!("{}\n", written.join("\n"))).unwrap();
                collect(&mut follower);
            }
        }
        std::fs::write(&path, format!("{}\n", written.join("\n"))).unwrap();
        collect(&mut follower);
        let full = crate::log::pass::verify(&[crate::log::source::Source::from_bytes(
            follower.name(),
            std::fs::read(&path).unwrap(),
        )]);
        assert_eq!(follower.entries(), full.entries());
        assert_eq!(follower.findings(), &full.findings[..]);
        assert_eq!(follower.verifier.head(), full.chains[0].head);
    }

    #[test]
    fn a_line_over_the_limit_is_unverified_and_the_next_link_is_not_judged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let all = lines(3);
        std::fs::write(&path, format!("{}\n{}\n{}\n", all[0], all[1], all[2])).unwrap();
        let mut follower = Follower::open(&path).unwrap();
        follower.max_entry = all[1].len() - 1;
        let seen = collect(&mut follower);
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|f| f.findings.is_empty()), "{seen:?}");
        assert!(seen[1].entry.is_none());
        assert_eq!(follower.verifier.finish().unverified[0].line, 2);
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
