//! One pass over every source: lines are parsed, canonicalised and hashed
//! in parallel batches; the link check and the caller's per-entry work
//! (building the store) then run in order over each batch.
//!
//! Memory stays bounded: only one batch of parsed lines is alive at a time.

use super::chain::{FileVerifier, LineOutcome, Verification, assemble};
use super::entry::{Fields, LineReader};
use super::source::{Line, Source};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Lines analysed together; large enough to keep both cores busy, small
/// enough that a batch of parsed fields stays a few MB.
const BATCH_LINES: usize = 16 * 1024;

/// An entry handed to the caller, in file and line order.
pub struct ScannedEntry<'a> {
    /// Index of the source in the slice given to [`scan`].
    pub source: usize,
    pub line: usize,
    /// Byte offset of the line in its source, to re-read details lazily.
    pub offset: usize,
    pub len: usize,
    pub fields: Fields<'a>,
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
    fn entry(&mut self, entry: ScannedEntry<'_>);
    fn progress(&mut self, _progress: Progress) {}
}

/// A sink that only verifies.
pub struct VerifyOnly;

impl ScanSink for VerifyOnly {
    fn entry(&mut self, _entry: ScannedEntry<'_>) {}
}

/// Verify every source and feed each entry to `sink`. Returns `None` when
/// `cancel` was set.
pub fn scan(
    sources: &[Source],
    sink: &mut dyn ScanSink,
    cancel: &AtomicBool,
) -> Option<Verification> {
    let bytes_total = sources.iter().map(|s| s.bytes().len() as u64).sum();
    let mut progress = Progress {
        bytes_total,
        ..Progress::default()
    };
    let mut summaries = Vec::with_capacity(sources.len());
    for (index, source) in sources.iter().enumerate() {
        let mut verifier = FileVerifier::new(source.name.clone());
        let mut lines = source.lines();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let batch: Vec<Line<'_>> = lines.by_ref().take(BATCH_LINES).collect();
            if batch.is_empty() {
                break;
            }
            let analysed: Vec<(LineOutcome, Option<Fields<'_>>)> = batch
                .par_iter()
                .map_init(LineReader::new, |reader, line| analyse(line.bytes, reader))
                .collect();
            for (line, (outcome, fields)) in batch.iter().zip(analysed) {
                verifier.push(line.number, line.terminated, &outcome);
                if let Some(fields) = fields {
                    progress.entries += 1;
                    sink.entry(ScannedEntry {
                        source: index,
                        line: line.number,
                        offset: line.offset,
                        len: line.bytes.len(),
                        fields,
                    });
                }
            }
            let last = batch.last().expect("non-empty batch");
            progress.bytes_done += (last.offset + last.bytes.len() + 1 - batch[0].offset) as u64;
            sink.progress(progress);
        }
        summaries.push(verifier.finish());
    }
    Some(assemble(summaries))
}

/// Parse, canonicalise and hash one line.
pub fn analyse<'a>(bytes: &'a [u8], reader: &mut LineReader) -> (LineOutcome, Option<Fields<'a>>) {
    match reader.read(bytes) {
        Ok((seal, fields)) => (LineOutcome::Entry(seal), Some(fields)),
        Err(e) => (LineOutcome::NotEntry(e), None),
    }
}

/// Verify sources without keeping anything else.
pub fn verify(sources: &[Source]) -> Verification {
    scan(sources, &mut VerifyOnly, &AtomicBool::new(false)).expect("never cancelled")
}
