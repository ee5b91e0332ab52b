//! One pass over every source: lines are parsed, canonicalised and hashed
//! in parallel batches; the link check and the caller's per-entry work
//! (building the store) run in order over each batch, overlapping the
//! analysis of the next.
//!
//! Memory stays bounded: at most three batches of parsed lines are alive.

use super::chain::{FileSummary, FileVerifier, LineOutcome, Verification, assemble};
use super::entry::{Fields, LineReader, Picks, Row, Seal, TextSet, Texts};
use super::source::{Line, Lines, Source};
use rayon::prelude::*;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

/// Lines analysed together; large enough to keep both cores busy, small
/// enough that a batch of parsed fields stays a few MB.
const BATCH_LINES: usize = 8 * 1024;

/// Lines of a source's first batch, which is split while the pool waits:
/// each next batch is twice the one before, up to [`BATCH_LINES`], so that
/// splitting the next one still takes less time than analysing the current
/// one (BENCHMARKS.md, "Issue 21").
const FIRST_BATCH_LINES: usize = 1024;

/// An entry handed to the caller, in file and line order.
pub struct ScannedEntry<'e, 'a> {
    /// Index of the source in the slice given to [`scan`].
    pub source: usize,
    pub line: usize,
    /// Byte offset of the line in its source, to re-read details lazily.
    pub offset: usize,
    /// The timestamp and numbers every row keeps.
    pub row: Row<'a>,
    /// The texts [`ScanSink::picks`] names, borrowed from the batch.
    pub texts: Texts<'e, 'a>,
    /// The ids the pool gave the texts ([`ScanSink::ids`]); empty when
    /// the sink asked for none.
    pub ids: &'e [u32],
    /// [`Row::time`], parsed on the pool with the row.
    pub time: Option<i64>,
    /// `None` for a plain (unchained) entry, and for every entry of an
    /// [`index`] (not hashed again).
    pub seal: Option<Seal>,
    /// The line as stored, without its newline.
    pub bytes: &'a [u8],
}

impl<'e> ScannedEntry<'e, '_> {
    /// The entry's fields, of those picked (the others `None`).
    pub fn fields(&self) -> Fields<'e> {
        Fields::assemble(self.row, |text| self.texts.get(text).map(Cow::Borrowed))
    }
}

/// How far the scan is, for progress bars.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub entries: u64,
}

/// Hooks for the caller: per-entry work, progress, and cancellation.
pub trait ScanSink {
    fn entry(&mut self, entry: ScannedEntry<'_, '_>);
    /// A line that is not an entry (its finding is in the verification).
    fn not_entry(&mut self, _source: usize, _line: &Line<'_>) {}
    /// An entry among a source's first [`ScanSink::lines_without_fields`]
    /// lines: verified, its fields not picked.
    fn entry_without_fields(&mut self, _source: usize, _line: &Line<'_>) {}
    fn progress(&mut self, _progress: Progress) {}
    /// How many leading lines of `source` need no indexed fields (those
    /// entries go to [`ScanSink::entry_without_fields`]): picking fields is
    /// skipped where only the verdict matters, such as lines a database
    /// already holds. Asked once per source, before the scan starts.
    fn lines_without_fields(&self, _source: usize) -> usize {
        0
    }
    /// Which texts [`ScanSink::entry`] reads: the others are `None`, not
    /// picked (a store picks only the texts of the columns it interns).
    fn picks(&self) -> Picks {
        Picks::ALL
    }
    /// Whether the verdict should keep every entry's stored hash, the
    /// leaves of a Merkle tree (see `FileSummary::leaves`).
    fn wants_leaves(&self) -> bool {
        false
    }
    /// Which entries [`ScanSink::entry`] is given, tested on the pool as
    /// each line is read (every entry when `None`); the others are
    /// verified and counted, nothing more.
    fn keeps(&self) -> Option<Arc<dyn Keep>> {
        None
    }
    /// Ids for the texts of each entry given to [`ScanSink::entry`], as
    /// many as the count says, found on the pool as each line is read,
    /// while its text is in the core's caches: the in-order stage then
    /// need not read the texts from lines read on another core
    /// (BENCHMARKS.md, "Issue 21").
    fn ids(&self) -> Option<(Arc<IdsOf>, usize)> {
        None
    }
}

/// A test of an entry, run on the pool ([`ScanSink::keeps`]) in two
/// steps: on its picked texts as soon as they are read, then on the rest.
pub trait Keep: Send + Sync {
    /// Whether an entry with these picked texts may be kept: one it rules
    /// out is left before its row and time are read (most lines of a
    /// field's count: BENCHMARKS.md, "Issue 21").
    fn texts_match(&self, texts: &Texts<'_, '_>) -> bool;
    /// Whether `entry`, whose texts matched, is kept.
    fn rest_matches(&self, entry: &ScannedEntry<'_, '_>) -> bool;
}

/// The ids of an entry's texts, written to the slice, found on the pool
/// ([`ScanSink::ids`]).
pub type IdsOf = dyn Fn(&Texts<'_, '_>, &mut [u32]) + Send + Sync;

/// A sink that only verifies, and reports progress.
struct VerifyOnly<F> {
    on_progress: F,
    keep_leaves: bool,
}

impl<F: FnMut(Progress)> ScanSink for VerifyOnly<F> {
    fn entry(&mut self, _entry: ScannedEntry<'_, '_>) {}
    fn progress(&mut self, progress: Progress) {
        (self.on_progress)(progress);
    }
    fn lines_without_fields(&self, _source: usize) -> usize {
        usize::MAX
    }
    fn wants_leaves(&self) -> bool {
        self.keep_leaves
    }
}

/// Another sink's work, with the entries' stored hashes kept in the verdict.
/// Every other hook is forwarded.
pub struct KeepingLeaves<'s>(pub &'s mut dyn ScanSink);

impl ScanSink for KeepingLeaves<'_> {
    fn entry(&mut self, entry: ScannedEntry<'_, '_>) {
        self.0.entry(entry);
    }
    fn not_entry(&mut self, source: usize, line: &Line<'_>) {
        self.0.not_entry(source, line);
    }
    fn entry_without_fields(&mut self, source: usize, line: &Line<'_>) {
        self.0.entry_without_fields(source, line);
    }
    fn progress(&mut self, progress: Progress) {
        self.0.progress(progress);
    }
    fn lines_without_fields(&self, source: usize) -> usize {
        self.0.lines_without_fields(source)
    }
    fn picks(&self) -> Picks {
        self.0.picks()
    }
    fn wants_leaves(&self) -> bool {
        true
    }
    fn keeps(&self) -> Option<Arc<dyn Keep>> {
        self.0.keeps()
    }
    fn ids(&self) -> Option<(Arc<IdsOf>, usize)> {
        self.0.ids()
    }
}

/// What the analysing thread hands to the caller's thread.
enum Message<'a> {
    Batch(Batch<'a>),
    /// Every line of the current source was sent.
    EndOfSource,
    /// The current source is not a JSON-lines log (why): none of its lines
    /// were sent, and [`Message::EndOfSource`] follows.
    NotJsonLines(&'static str),
}

/// Lines as analysed.
struct Batch<'a> {
    lines: Vec<Line<'a>>,
    analysed: Vec<Analysed<'a>>,
    /// The texts picked of the lines, `picked.len()` a line, in its place
    /// whether or not it is an entry: one vector a batch, not one a line.
    texts: Vec<Option<Cow<'a, str>>>,
    picked: TextSet,
    /// The ids of the texts, `id_count` a line ([`ScanSink::ids`]).
    ids: Vec<u32>,
    id_count: usize,
}

/// Bytes and non-empty lines looked at to tell a log from another file.
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_LINES: usize = 8;

/// Why `bytes` is not a JSON-lines log at all, if it is not: among its first
/// eight non-empty lines (in its first 64 KiB), at least two, and not one
/// is text with a `{` (valid UTF-8, no NUL byte): a binary file, or text
/// of another kind. Such a file is one finding, not one per line. A log
/// with some garbled lines among entries, with a logging prefix before each
/// object, or with NULs after its entries (a crashed writer) is read line by
/// line; a single line is one finding either way.
pub fn not_json_lines(bytes: &[u8]) -> Option<&'static str> {
    let looked: Vec<&[u8]> = bytes[..bytes.len().min(SNIFF_BYTES)]
        .split(|&b| b == b'\n')
        .filter(|line| !line.trim_ascii().is_empty())
        .take(SNIFF_LINES)
        .collect();
    let json_like = |line: &&[u8]| {
        line.contains(&b'{') && !line.contains(&0) && std::str::from_utf8(line).is_ok()
    };
    if looked.len() < 2 || looked.iter().any(json_like) {
        return None;
    }
    Some(if looked.iter().any(|line| line.contains(&0)) {
        "it holds NUL bytes (a binary file)"
    } else {
        "none of its first lines is a JSON object"
    })
}

/// A line's outcome and, when fields are wanted, an entry's row and time:
/// a few dozen bytes a line, where the whole [`Fields`] would be hundreds
/// to build, move through the batch and drop (ARCHITECTURE.md, "Where a
/// verified, indexed entry's time goes").
type Analysed<'a> = (LineOutcome, Read<'a>);

/// What was read of an entry's line besides its outcome.
#[derive(Clone, Copy)]
enum Read<'a> {
    /// Its fields were not wanted ([`ScanSink::lines_without_fields`]),
    /// or the line is no entry.
    Nothing,
    Row(Row<'a>, Option<i64>),
    /// Read, and not kept ([`ScanSink::keeps`]).
    Left,
}

/// Verify every source and feed each entry to `sink`. Returns `None` when
/// `cancel` was set.
///
/// A helper thread splits and analyses batches on the thread pool while
/// this thread links the previous batch and feeds `sink`, so the in-order
/// work overlaps the parallel work instead of idling the pool.
pub fn scan(
    sources: &[Source],
    sink: &mut dyn ScanSink,
    cancel: &AtomicBool,
) -> Option<Verification> {
    Some(assemble(pass(sources, sink, cancel, true)?))
}

/// Feed each entry of sources verified already to `sink`, as [`scan`]
/// does, without verifying them again: a line whose skeleton is known is
/// not hashed, and no link is checked. Returns `None` when `cancel` was
/// set. For a verdict first and a store after (ARCHITECTURE.md, "The
/// browser's load"); the same bytes must be given (the same `sources`).
pub fn index(sources: &[Source], sink: &mut dyn ScanSink, cancel: &AtomicBool) -> Option<()> {
    pass(sources, sink, cancel, false).map(drop)
}

/// [`scan`] when `verifying`, else [`index`]: the files' verdicts, none
/// when indexing.
fn pass(
    sources: &[Source],
    sink: &mut dyn ScanSink,
    cancel: &AtomicBool,
    verifying: bool,
) -> Option<Vec<FileSummary>> {
    let keeps = sink.keeps();
    let ids = sink.ids();
    std::thread::scope(|scope| {
        // One batch in the channel, one being analysed, one being consumed.
        let (sender, receiver) = mpsc::sync_channel(1);
        let without_fields: Vec<usize> = (0..sources.len())
            .map(|source| sink.lines_without_fields(source))
            .collect();
        let reading = Reading {
            picks: sink.picks(),
            hashing: verifying,
            keeps: keeps.as_deref(),
            ids: ids.as_ref().map(|(ids, count)| (&**ids, *count)),
        };
        let analysing = scope
            .spawn(move || analyse_sources(sources, &without_fields, reading, &sender, cancel));
        let summaries = consume(sources, receiver, sink, cancel, verifying);
        // Joined here, not left to the scope: a native join also waits for
        // the thread's thread-locals to be destroyed, so nothing of the
        // scan is still running when it returns (a leak checker saw it).
        if let Err(panic) = analysing.join() {
            std::panic::resume_unwind(panic);
        }
        summaries
    })
}

/// How the pool reads an entry's line after a source's lines without
/// fields: what it picks, and whether it hashes ([`scan`]) or only reads
/// ([`index`]).
#[derive(Clone, Copy)]
struct Reading<'k> {
    picks: Picks,
    hashing: bool,
    keeps: Option<&'k dyn Keep>,
    ids: Option<(&'k IdsOf, usize)>,
}

/// The in-order side: link each batch (when `verifying`) and feed `sink`,
/// source by source. Returns when every source is done (`None` if
/// cancelled), dropping `receiver` so that the analysing thread stops too.
fn consume<'a>(
    sources: &[Source],
    receiver: mpsc::Receiver<Message<'a>>,
    sink: &mut dyn ScanSink,
    cancel: &AtomicBool,
    verifying: bool,
) -> Option<Vec<FileSummary>> {
    let bytes_total = sources.iter().map(|s| s.bytes().len() as u64).sum();
    let mut progress = Progress {
        bytes_total,
        ..Progress::default()
    };
    let mut summaries = Vec::with_capacity(sources.len());
    let mut source = 0;
    let keep_leaves = sink.wants_leaves();
    let new_verifier = |source: &Source| {
        let verifier = FileVerifier::new(source.name.clone());
        if keep_leaves {
            verifier.keeping_leaves()
        } else {
            verifier
        }
    };
    let mut verifier = sources.first().filter(|_| verifying).map(new_verifier);
    for message in receiver {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let batch = match message {
            Message::Batch(batch) => batch,
            Message::NotJsonLines(why) => {
                if let Some(current) = verifier.as_mut() {
                    current.not_json_lines(why);
                }
                progress.bytes_done += sources[source].bytes().len() as u64;
                sink.progress(progress);
                continue;
            }
            Message::EndOfSource => {
                summaries.extend(verifier.take().map(FileVerifier::finish));
                source += 1;
                verifier = sources.get(source).filter(|_| verifying).map(new_verifier);
                continue;
            }
        };
        let (stride, id_count) = (batch.picked.len(), batch.id_count);
        for (index, (line, (outcome, row))) in batch.lines.iter().zip(&batch.analysed).enumerate() {
            // Texts given ids on the pool are not read here, nor those
            // of an entry left on the pool: the sink is not given it.
            if stride > 0
                && id_count == 0
                && matches!(
                    batch.analysed.get(index + TEXTS_AHEAD),
                    Some((_, Read::Row(..)))
                )
            {
                let ahead = (index + TEXTS_AHEAD) * stride;
                prefetch(batch.texts.get(ahead..ahead + stride).unwrap_or_default());
            }
            if let Some(current) = verifier.as_mut() {
                current.push(line.number, line.terminated, outcome);
            }
            if let LineOutcome::Entry(_) = outcome {
                progress.entries += 1;
            }
            match (outcome, row) {
                (LineOutcome::Entry(seal), Read::Row(row, time)) => sink.entry(ScannedEntry {
                    source,
                    line: line.number,
                    offset: line.offset,
                    row: *row,
                    texts: Texts::new(batch.picked, &batch.texts[index * stride..][..stride]),
                    ids: &batch.ids[index * id_count..][..id_count],
                    time: *time,
                    seal: *seal,
                    bytes: line.bytes,
                }),
                (LineOutcome::NotEntry(_) | LineOutcome::TooLarge { .. }, _) => {
                    sink.not_entry(source, line)
                }
                (LineOutcome::Entry(_), Read::Nothing) => sink.entry_without_fields(source, line),
                (LineOutcome::Entry(_), Read::Left) => {}
            }
        }
        let (first, last) = (
            &batch.lines[0],
            batch.lines.last().expect("non-empty batch"),
        );
        let end = last.offset + last.bytes.len();
        progress.bytes_done += (end + 1 - first.offset) as u64;
        sources[source].done_with(first.offset..end);
        sink.progress(progress);
    }
    // The analysing thread stops early only when cancelled.
    (!cancel.load(Ordering::Relaxed)).then_some(summaries)
}

/// How many entries ahead the in-order thread asks for the picked texts:
/// they lie in lines the pool read on another core, and comparing them
/// when interning waited for each (a tenth of `stats`' CPU in `memcmp`;
/// BENCHMARKS.md, "Issue 21").
const TEXTS_AHEAD: usize = 8;

/// Ask the cache for the start of each text (a hint: nothing is read).
fn prefetch(texts: &[Option<Cow<'_, str>>]) {
    #[cfg(target_arch = "x86_64")]
    for text in texts.iter().flatten() {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch neither reads nor faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(text.as_ptr().cast()) };
    }
}

thread_local! {
    /// One reader per pool thread, kept between batches and scans: its
    /// buffers stay warm and the skeletons it learnt stay known.
    static READER: RefCell<LineReader> = RefCell::new(LineReader::new());
}

/// The analysing side: batches of each source in order, the next batch
/// split from the text while the current one is analysed.
fn analyse_sources<'a>(
    sources: &'a [Source],
    without_fields: &[usize],
    reading: Reading<'_>,
    sender: &mpsc::SyncSender<Message<'a>>,
    cancel: &AtomicBool,
) {
    let next_batch =
        |lines: &mut Lines<'a>, size: usize| -> Vec<Line<'a>> { lines.take(size).collect() };
    for (index, (source, &without_fields)) in sources.iter().zip(without_fields).enumerate() {
        if let Some(why) = not_json_lines(source.bytes()) {
            let told = sender.send(Message::NotJsonLines(why));
            if told
                .and_then(|()| sender.send(Message::EndOfSource))
                .is_err()
            {
                return;
            }
            continue;
        }
        let limit = source.max_entry_bytes();
        let mut lines = source.lines();
        let mut size = FIRST_BATCH_LINES;
        let mut batch = next_batch(&mut lines, size);
        while !batch.is_empty() {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            size = (2 * size).min(BATCH_LINES);
            let (next, analysed) = rayon::join(
                || next_batch(&mut lines, size),
                || analyse_batch(batch, index, limit, without_fields, reading),
            );
            // A closed channel means the caller stopped listening.
            if sender.send(Message::Batch(analysed)).is_err() {
                return;
            }
            batch = next;
        }
        if sender.send(Message::EndOfSource).is_err() {
            return;
        }
    }
}

/// Analyse lines of source `source` on the pool, reading those after line
/// `without_fields` as `reading` says.
fn analyse_batch<'a>(
    lines: Vec<Line<'a>>,
    source: usize,
    limit: usize,
    without_fields: usize,
    reading: Reading<'_>,
) -> Batch<'a> {
    let last = lines.last().expect("non-empty batch").number;
    let picked = if last > without_fields {
        reading.picks.text_set()
    } else {
        TextSet::NONE
    };
    let stride = picked.len();
    let mut texts = Vec::new();
    texts.resize(lines.len() * stride, None);
    let id_count = reading.ids.map_or(0, |(_, count)| count);
    let mut ids = vec![0; lines.len() * id_count];
    let analyse = |at: usize, texts: &mut [Option<Cow<'a, str>>], ids: &mut [u32]| {
        if let Some(ahead) = lines.get(at + LINES_AHEAD) {
            prefetch_line(ahead.bytes);
        }
        let line = &lines[at];
        let reading = (line.number > without_fields).then_some(reading);
        let (outcome, read) = analyse_line(line, limit, reading, picked, texts);
        let read = match (read, reading.and_then(|r| r.keeps), &outcome) {
            (Read::Row(row, time), Some(keep), &LineOutcome::Entry(seal)) => {
                let entry = ScannedEntry {
                    source,
                    line: line.number,
                    offset: line.offset,
                    row,
                    texts: Texts::new(picked, texts),
                    ids: &[],
                    time,
                    seal,
                    bytes: line.bytes,
                };
                if keep.rest_matches(&entry) {
                    read
                } else {
                    Read::Left
                }
            }
            _ => read,
        };
        if let (Read::Row(..), Some((ids_of, _))) = (&read, reading.and_then(|r| r.ids)) {
            ids_of(&Texts::new(picked, texts), ids);
        }
        (outcome, read)
    };
    // Chunks of no texts or ids cannot be split (a chunk size of 0).
    let lines_at = || (0..lines.len()).into_par_iter();
    let analysed = match (stride, id_count) {
        (0, _) => lines_at().map(|at| analyse(at, &mut [], &mut [])).collect(),
        (_, 0) => (lines_at().zip(texts.par_chunks_mut(stride)))
            .map(|(at, texts)| analyse(at, texts, &mut []))
            .collect(),
        _ => (lines_at().zip(texts.par_chunks_mut(stride)))
            .zip(ids.par_chunks_mut(id_count))
            .map(|((at, texts), ids)| analyse(at, texts, ids))
            .collect(),
    };
    Batch {
        lines,
        analysed,
        texts,
        picked,
        ids,
        id_count,
    }
}

/// How many lines ahead of the one it analyses a pool thread asks for the
/// text of: split a batch earlier (a few MB), the text has left the core's
/// caches, and the skeleton walk waited for it (BENCHMARKS.md, "Issue 21").
const LINES_AHEAD: usize = 2;

/// How much of a line is asked for: an entry's worth (~1 KB), not all of
/// an overlong one.
const PREFETCH_LINE: usize = 4096;

/// Ask the cache for a line's text (a hint: nothing is read).
fn prefetch_line(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for at in (0..bytes.len().min(PREFETCH_LINE)).step_by(64) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch neither reads nor faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(bytes.as_ptr().add(at).cast()) };
    }
}

/// One line's outcome, and if `reading` is given, an entry's row and time,
/// its picked texts (`picked`) written to `texts`; [`Read::Left`] if its
/// texts rule it out ([`Keep::texts_match`]).
fn analyse_line<'a>(
    line: &Line<'a>,
    limit: usize,
    reading: Option<Reading<'_>>,
    picked: TextSet,
    texts: &mut [Option<Cow<'a, str>>],
) -> Analysed<'a> {
    if line.bytes.len() > limit {
        let bytes = line.bytes.len();
        return (LineOutcome::TooLarge { bytes, limit }, Read::Nothing);
    }
    READER.with_borrow_mut(|reader| {
        let Some(Reading {
            picks,
            hashing,
            keeps,
            ..
        }) = reading
        else {
            return (verify_line(line.bytes, reader), Read::Nothing);
        };
        let wanted = |texts: &[Option<Cow<'a, str>>]| {
            keeps.is_none_or(|keep| keep.texts_match(&Texts::new(picked, texts)))
        };
        // Verified already when not hashing: its seal is not asked for again.
        match reader.read_row_if(line.bytes, picks, texts, hashing, wanted) {
            // The time parsed here, in parallel, rather than in order.
            Ok((seal, Some(row))) => (LineOutcome::Entry(seal), Read::Row(row, reader.time(&row))),
            Ok((seal, None)) => (LineOutcome::Entry(seal), Read::Left),
            Err(e) => (LineOutcome::NotEntry(e), Read::Nothing),
        }
    })
}

/// Parse, canonicalise and hash one line, and read all its fields.
pub fn analyse<'a>(bytes: &'a [u8], reader: &mut LineReader) -> (LineOutcome, Option<Fields<'a>>) {
    match reader.read(bytes) {
        Ok((seal, fields)) => (LineOutcome::Entry(seal), Some(fields)),
        Err(e) => (LineOutcome::NotEntry(e), None),
    }
}

/// Parse, canonicalise and hash one line, without picking its fields.
fn verify_line(bytes: &[u8], reader: &mut LineReader) -> LineOutcome {
    match reader.read_seal(bytes) {
        Ok(seal) => LineOutcome::Entry(seal),
        Err(e) => LineOutcome::NotEntry(e),
    }
}

/// Verify sources without keeping anything else.
pub fn verify(sources: &[Source]) -> Verification {
    verify_with_progress(sources, |_| {})
}

/// [`verify`], reporting progress after each batch.
pub fn verify_with_progress(sources: &[Source], on_progress: impl FnMut(Progress)) -> Verification {
    verify_keeping(sources, false, on_progress)
}

/// [`verify_with_progress`], keeping the entries' stored hashes when
/// `keep_leaves` (for a checkpoint's Merkle tree).
pub fn verify_keeping(
    sources: &[Source],
    keep_leaves: bool,
    on_progress: impl FnMut(Progress),
) -> Verification {
    let never = AtomicBool::new(false);
    verify_sink(sources, keep_leaves, on_progress, &never).expect("never cancelled")
}

/// [`verify_with_progress`], stopped when `cancel` is set (`None`).
pub fn verify_unless_cancelled(
    sources: &[Source],
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<Verification> {
    verify_sink(sources, false, on_progress, cancel)
}

fn verify_sink(
    sources: &[Source],
    keep_leaves: bool,
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<Verification> {
    let mut sink = VerifyOnly {
        on_progress,
        keep_leaves,
    };
    scan(sources, &mut sink, cancel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Options, generate};
    use crate::log::entry::Text;

    #[test]
    fn only_files_that_are_not_json_lines_at_all_are_sniffed_out() {
        assert!(not_json_lines(b"\x00\x01\n\xff\x00\n").is_some());
        assert!(not_json_lines(b"plain text\nmore\n").is_some());
        assert_eq!(
            not_json_lines(b"{\"a\": 1}\n\x00\x00\n"),
            None,
            "a crashed writer"
        );
        assert_eq!(
            not_json_lines(b"INFO:x:{}\nINFO:x:{}\n"),
            None,
            "a logging prefix"
        );
        assert_eq!(
            not_json_lines(b"\x00 junk"),
            None,
            "one line, one finding anyway"
        );
        assert_eq!(not_json_lines(b""), None, "empty is its own finding");
        assert_eq!(not_json_lines(b"garbled\n\n  {\"a\": 1}\n"), None);
        let late = "x\n".repeat(SNIFF_LINES) + "{}\n";
        assert!(not_json_lines(late.as_bytes()).is_some());
    }

    /// Counts entries and remembers where they came from.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<(usize, usize)>,
    }

    impl ScanSink for Recorder {
        fn entry(&mut self, entry: ScannedEntry<'_, '_>) {
            self.seen.push((entry.source, entry.line));
        }
    }

    fn chain_bytes(entries: u64) -> Vec<u8> {
        generate(&Options::new(entries))
            .expect("valid options")
            .into_iter()
            .flat_map(|f| f.bytes)
            .collect()
    }

    #[test]
    fn entries_arrive_in_source_and_line_order_across_batches_and_empty_files() {
        let entries = BATCH_LINES + 3;
        let sources = vec![
            Source::from_bytes("empty-first.jsonl", Vec::new()),
            Source::from_bytes("big.jsonl", chain_bytes(entries as u64)),
            Source::from_bytes("empty-last.jsonl", Vec::new()),
        ];
        let mut recorder = Recorder::default();
        let v = scan(&sources, &mut recorder, &AtomicBool::new(false)).expect("not cancelled");
        let want: Vec<(usize, usize)> = (1..=entries).map(|line| (1, line)).collect();
        assert_eq!(recorder.seen, want);
        let files: Vec<(&str, usize)> = v
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.entries))
            .collect();
        assert_eq!(
            files,
            vec![
                ("empty-first.jsonl", 0),
                ("big.jsonl", entries),
                ("empty-last.jsonl", 0)
            ]
        );
        assert_eq!(v.findings.len(), 2, "two empty files: {:?}", v.findings);
    }

    #[test]
    fn batches_grow_from_the_first_size_to_the_full_one() {
        let lines = 2 * BATCH_LINES + 5;
        let source = Source::from_bytes("plain.jsonl", b"{}\n".repeat(lines));
        let mut done = Vec::new();
        verify_with_progress(&[source], |p| done.push(p.bytes_done / 3));
        let (mut want, mut size, mut total) = (Vec::new(), FIRST_BATCH_LINES, 0);
        while total < lines {
            total = lines.min(total + size);
            want.push(total as u64);
            size = BATCH_LINES.min(2 * size);
        }
        assert_eq!(done, want);
        assert_eq!(want[0], FIRST_BATCH_LINES as u64);
    }

    #[test]
    fn a_cancelled_scan_returns_nothing() {
        let sources = vec![Source::from_bytes("a.jsonl", chain_bytes(100))];
        let cancel = AtomicBool::new(true);
        let mut sink = VerifyOnly {
            on_progress: |_| {},
            keep_leaves: false,
        };
        assert!(scan(&sources, &mut sink, &cancel).is_none());
    }

    #[test]
    fn leaves_are_the_stored_hashes_in_order_across_batches() {
        let bytes = chain_bytes(BATCH_LINES as u64 + 3);
        let expected: Vec<[u8; 32]> = bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_slice(l).unwrap();
                let hash = v.get("_hash").or(v.get("hash")).unwrap();
                crate::log::canonical::parse_hex(hash.as_str().unwrap()).unwrap()
            })
            .collect();
        let sources = vec![Source::from_bytes("a.jsonl", bytes)];
        let kept = verify_keeping(&sources, true, |_| {});
        assert_eq!(kept.files[0].leaves.as_deref(), Some(&expected[..]));
        assert_eq!(verify(&sources).files[0].leaves, None);
    }

    /// Checks each entry's row and picked texts against a full parse of its
    /// line.
    struct Checker {
        picks: Picks,
        entries: usize,
    }

    impl ScanSink for Checker {
        fn entry(&mut self, entry: ScannedEntry<'_, '_>) {
            let full = crate::log::entry::parse_line(entry.bytes).unwrap().fields();
            assert_eq!((entry.row, entry.time), (full.row(), full.time()));
            if self.picks == Picks::ALL {
                assert_eq!(entry.fields(), full);
            } else {
                let tool = full.tool.as_deref();
                let conversation = full.conversation.as_deref();
                assert_eq!(entry.texts.get(Text::Tool), tool);
                assert_eq!(entry.texts.get(Text::Conversation), conversation);
                assert_eq!(entry.texts.get(Text::User), None, "not picked");
            }
            self.entries += 1;
        }
        fn picks(&self) -> Picks {
            self.picks
        }
    }

    #[test]
    fn each_entry_gets_its_own_row_and_texts_across_batches_and_files() {
        let some = Picks::NUMBERS
            .and(Picks::text(Text::Tool))
            .and(Picks::text(Text::Conversation));
        // Strides of ten, two and three texts a line.
        for picks in [Picks::ALL, some, some.and(Picks::text(Text::Patient))] {
            let mut checker = Checker { picks, entries: 0 };
            scan(&tampered_sources(), &mut checker, &AtomicBool::new(false));
            assert_eq!(checker.entries, BATCH_LINES + 100);
        }
    }

    /// Which hook saw each line, and a stored head: source 0 whole, source
    /// 1 up to line `head`, need no fields.
    #[derive(Default)]
    struct Split {
        head: usize,
        with_fields: Vec<(usize, usize)>,
        without_fields: Vec<(usize, usize)>,
        not_entries: Vec<(usize, usize)>,
    }

    impl ScanSink for Split {
        fn entry(&mut self, entry: ScannedEntry<'_, '_>) {
            assert!(entry.row.timestamp.is_some(), "fields were picked");
            self.with_fields.push((entry.source, entry.line));
        }
        fn entry_without_fields(&mut self, source: usize, line: &Line<'_>) {
            self.without_fields.push((source, line.number));
        }
        fn not_entry(&mut self, source: usize, line: &Line<'_>) {
            self.not_entries.push((source, line.number));
        }
        fn lines_without_fields(&self, source: usize) -> usize {
            [usize::MAX, self.head][source]
        }
    }

    /// A two-file chain, tampered before and after line `BATCH_LINES + 20`
    /// of its second file, with a malformed line 11 there.
    fn tampered_sources() -> Vec<Source> {
        let text = String::from_utf8(chain_bytes(BATCH_LINES as u64 + 100)).unwrap();
        let mut lines: Vec<String> = text.lines().map(|l| format!("{l}\n")).collect();
        for tampered in [10, 60, BATCH_LINES + 60] {
            lines[tampered] =
                lines[tampered].replacen("\"timestamp\": \"2", "\"timestamp\": \"1", 1);
        }
        lines.insert(40, "not json\n".into());
        vec![
            Source::from_bytes("a.jsonl", lines[..30].concat().into_bytes()),
            Source::from_bytes("b.jsonl", lines[30..].concat().into_bytes()),
        ]
    }

    /// The stored head in [`tampered_sources`].
    const HEAD: usize = BATCH_LINES + 20;

    /// [`tampered_sources`] scanned through [`KeepingLeaves`] (which must
    /// forward every hook), its head at [`HEAD`]; and the lines it holds
    /// after the head, which are read with their fields.
    fn split_scan() -> (Split, Verification, Vec<(usize, usize)>) {
        let mut split = Split {
            head: HEAD,
            ..Split::default()
        };
        let cancel = AtomicBool::new(false);
        let scanned = scan(&tampered_sources(), &mut KeepingLeaves(&mut split), &cancel);
        let after: Vec<(usize, usize)> = (HEAD + 1..=BATCH_LINES + 71).map(|l| (1, l)).collect();
        (split, scanned.expect("not cancelled"), after)
    }

    #[test]
    fn lines_before_a_stored_head_get_no_fields_and_the_findings_are_unchanged() {
        let (split, scanned, after) = split_scan();
        let head = HEAD;
        let without: Vec<(usize, usize)> = (1..=30)
            .map(|line| (0, line))
            .chain((1..=head).filter(|&l| l != 11).map(|line| (1, line)))
            .collect();
        assert_eq!(split.without_fields, without);
        assert_eq!(split.with_fields, after);
        assert_eq!(split.not_entries, vec![(1, 11)]);
        let verified = verify(&tampered_sources());
        assert_eq!(scanned.findings, verified.findings);
        let places: Vec<(&str, usize)> = verified
            .findings
            .iter()
            .map(|f| (f.file.as_str(), f.line))
            .collect();
        // Tampered before the head (in both files) and after it.
        let tampered = [
            ("a.jsonl", 11),
            ("b.jsonl", 32),
            ("b.jsonl", BATCH_LINES + 32),
        ];
        for place in tampered {
            assert!(places.contains(&place), "{place:?} in {places:?}");
        }
    }
}
