//! `auditui ingest`: verified logs into ClickHouse, incrementally and
//! exactly once, in one pass.
//!
//! Which files make which chain, in which order, is known before the pass
//! from the ends of the files (`log::ends`); then one scan verifies every
//! line and, in the same pass, writes it at its place in its chain. What
//! the database already holds of a chain is skipped, after checking that
//! the last stored line is the same line in the files: a chain rewritten
//! since is refused at that line, before any line of it is written (after
//! a crash, the line before the gap is checked too, see `resume`). The
//! chain records (verdict, findings, head: what marks a chain complete)
//! are written only once the verification has finished.
//!
//! Crash safety: rows go out in batches, in chain order, entries streamed
//! (one INSERT, one part per batch), two INSERTs in flight; the chain
//! records come last. A crash leaves a prefix of each of the last two
//! batches, so possibly a gap, which a re-run finds from the stored
//! positions (`resume`): it writes the missing lines and skips the stored
//! ones. Rejected lines (malformed) may be written twice (when the entries
//! after them in their batch were not stored); their table collapses
//! duplicates (`ReplacingMergeTree`, read with `FINAL`).

use super::batches::{Piece, Turn, WRITERS, write_pieces};
use super::client::Client;
use super::resume::{Frontier, stored_frontiers};
use super::rowbinary::Writer;
use super::rows::{self, ChainRecord, Place, chain_id};
use super::schema::{CHAINS, Hashes};
use crate::log::chain::{Finding, FindingKind, Verification};
use crate::log::ends;
use crate::log::pass::{Progress, ScanSink, ScannedEntry, scan};
use crate::log::source::{Line, Source};
use crate::store::store::NO_TIME;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// Rows per batch (one streamed INSERT): below the server's block size
/// (1,048,576 rows) so that a batch is one part; large because every part
/// made smaller is merged again later, but half a million so that a
/// million rows are two batches, the second streamed while the server
/// finishes the first (two INSERTs in flight, BENCHMARKS.md).
pub const DEFAULT_BATCH_ROWS: usize = 500_000;

/// Bytes per batch at most, whatever the row count: the server holds a
/// batch's block in memory to sort it.
const BATCH_BYTES: usize = 1 << 30;

/// Bytes held here at most of a batch after a rejected line (written whole,
/// not streamed): bounds auditui's memory when many lines are malformed.
const HELD_BYTES: usize = 128 << 20;

/// Bytes per piece of a streamed INSERT.
const PIECE_BYTES: usize = 8 << 20;

pub struct Options {
    pub batch_rows: usize,
    /// How the entries table holds hashes (`schema::ensure` says).
    pub hashes: Hashes,
    /// For testing crash recovery: fail after this many batches, as if the
    /// process had died there.
    pub stop_after_batches: Option<usize>,
    /// For testing crash recovery: this batch is not written (as if its
    /// INSERT had failed while the next one's succeeded), and the ingest
    /// fails at its end.
    pub lose_batch: Option<usize>,
}

/// What an ingest did.
pub struct Outcome {
    /// The verification, plus a finding for every refused chain.
    pub verification: Verification,
    /// Lines written now (entries and rejected lines).
    pub written: u64,
    /// Lines skipped because the database already had them.
    pub already_stored: u64,
    pub refused: usize,
}

/// Verify `sources` as `verify` does and write what the database lacks of
/// them, in one pass.
pub fn ingest(
    client: &Client,
    sources: Vec<Source>,
    options: &Options,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, String> {
    let planned = ends::chains(&sources).map_err(|u| {
        // A line that could not be verified has no verdict to store.
        format!("{}:{}: {}; nothing written", u.file, u.line, u.message())
    })?;
    let ids: Vec<String> = planned.chains.iter().map(chain_id).collect();
    let window = (WRITERS * options.batch_rows.max(1)) as u64;
    let mut stored = stored_frontiers(client, &ids, window)?;
    let (sources, source_chain) = in_chain_order(sources, &planned);
    let chains: Vec<ChainState> = ids
        .into_iter()
        .map(|id| ChainState::new(stored.remove(&id), id))
        .collect();
    let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let without_fields = stored_lines(&names, &source_chain, &chains);
    let failed = AtomicBool::new(false);
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..WRITERS).map(|_| mpsc::sync_channel::<Piece>(4)).unzip();
    let (give_back, emptied) = mpsc::channel::<Vec<u8>>();
    let mut sink = Ingester {
        chains,
        source_chain,
        names,
        without_fields,
        batch: Batch::default(),
        batch_rows: options.batch_rows.max(1),
        hashes: options.hashes,
        senders,
        batches: 0,
        stop_after_batches: options.stop_after_batches,
        stopped: false,
        emptied,
        failed: &failed,
        on_progress,
    };
    let (scanned, written) = std::thread::scope(|scope| {
        let (give_back, failed) = (&give_back, &failed);
        let writers: Vec<_> = (receivers.into_iter().enumerate())
            .map(|(first, receiver)| {
                let turn = Turn {
                    first,
                    step: WRITERS,
                    lose: options.lose_batch,
                };
                scope.spawn(move || write_pieces(client, receiver, give_back, turn, failed))
            })
            .collect();
        let scanned = scan(&sources, &mut sink, failed);
        sink.flush();
        sink.senders.clear();
        let written: Result<Vec<u64>, String> = (writers.into_iter())
            .map(|w| w.join().expect("the writer threads do not panic"))
            .collect();
        (scanned, written.map(|w| w.iter().sum::<u64>()))
    });
    let written = written?;
    if let (true, Some(batches)) = (sink.stopped, options.stop_after_batches) {
        return Err(client.error(&format!("stopped after {batches} batches, as asked")));
    }
    // The scan stops early only when the writer failed, which `written` says.
    let mut verification = scanned.ok_or_else(|| client.error("ingest stopped"))?;
    if !ends::same_chains(&planned, &verification) {
        // Cannot happen unless assembly reads more of a file than its ends.
        return Err(client.error(
            "the files' chains differ from what their ends said; entries written, no chain recorded",
        ));
    }
    let refused: Vec<Finding> = sink.finish_refusals();
    record_chains(client, &verification, &sink.chains)?;
    let already_stored = sink.chains.iter().map(|c| c.skipped).sum();
    let outcome_refused = refused.len();
    verification.add_findings(refused);
    Ok(Outcome {
        verification,
        written,
        already_stored,
        refused: outcome_refused,
    })
}

/// The sources in the order of their chains (files of a chain together,
/// in linkage order), and the chain of each.
fn in_chain_order(sources: Vec<Source>, verification: &Verification) -> (Vec<Source>, Vec<usize>) {
    let mut slots: Vec<Option<Source>> = sources.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(slots.len());
    let mut chain_of = Vec::with_capacity(slots.len());
    for (index, chain) in verification.chains.iter().enumerate() {
        for &member in &chain.members {
            if let Some(source) = slots[member].take() {
                ordered.push(source);
                chain_of.push(index);
            }
        }
    }
    (ordered, chain_of)
}

/// One chain's progress through the files and against the database.
struct ChainState {
    id: String,
    /// Position of the next line of this chain in the files.
    next: u64,
    /// The last stored entry's position + 1.
    stored: u64,
    /// The first position the database lacks, and those it has above it.
    resume: u64,
    stored_above: HashSet<u64>,
    /// Stored lines the files must have at the same position.
    checks: Vec<(u64, Vec<u8>)>,
    /// Where the line before `resume` came from.
    stored_place: Option<(String, usize)>,
    /// Lines skipped because the database has them.
    skipped: u64,
    refused: Option<Finding>,
    /// File and line of the last line seen, to place a finding.
    last_place: Option<(String, usize)>,
    /// The newest entry time, stored or new (lines already stored are not
    /// read for their fields: their newest time comes from the database).
    newest: i64,
}

impl ChainState {
    fn new(stored: Option<Frontier>, id: String) -> ChainState {
        let stored = stored.unwrap_or(Frontier {
            newest: NO_TIME,
            ..Frontier::default()
        });
        ChainState {
            id,
            next: 0,
            stored: stored.lines,
            resume: stored.resume,
            stored_above: stored.stored_above,
            checks: stored.checks,
            stored_place: (stored.resume > 0).then(|| {
                let line = usize::try_from(stored.line).unwrap_or(0);
                (stored.file, line)
            }),
            skipped: 0,
            refused: None,
            last_place: None,
            newest: stored.newest,
        }
    }
}

/// For each source (in chain order, of chain `source_chain[i]`), how many
/// of its leading lines the database holds already, so that their fields
/// need not be picked: every line of the files before the one the last
/// stored entry came from, and that file's lines up to it. A chain whose
/// stored file is not among its sources gets fields everywhere.
fn stored_lines(names: &[String], source_chain: &[usize], chains: &[ChainState]) -> Vec<usize> {
    let mut lines = vec![0; names.len()];
    for (index, chain) in chains.iter().enumerate() {
        let Some((file, line)) = &chain.stored_place else {
            continue;
        };
        let members = || (0..names.len()).filter(|&s| source_chain[s] == index);
        let Some(head) = members().find(|&s| &names[s] == file) else {
            continue;
        };
        for source in members().take_while(|&s| s != head) {
            lines[source] = usize::MAX;
        }
        lines[head] = *line;
    }
    lines
}

/// The batch being filled: its entries since the last piece sent, and,
/// after a rejected line, everything else of it (held, see `batches`).
#[derive(Default)]
struct Batch {
    entries: Writer,
    rejected: Writer,
    /// Lines in the batch, and of them in `entries` and `rejected`.
    rows: usize,
    unsent: usize,
    /// Bytes of the batch already sent.
    sent: usize,
    /// Pieces sent since the stream was last closed.
    streaming: bool,
    /// A rejected line came: the rest of the batch is held.
    held: bool,
}

/// The scan's sink: places every line in its chain and batches the new ones.
struct Ingester<'s> {
    chains: Vec<ChainState>,
    source_chain: Vec<usize>,
    names: Vec<String>,
    /// [`stored_lines`] of each source.
    without_fields: Vec<usize>,
    batch: Batch,
    batch_rows: usize,
    hashes: Hashes,
    /// One channel per writer; batch `k` goes to writer `k % WRITERS`.
    senders: Vec<mpsc::SyncSender<Piece>>,
    /// Batches ended so far.
    batches: usize,
    stop_after_batches: Option<usize>,
    /// Stopped at `stop_after_batches`, as asked.
    stopped: bool,
    /// Buffers the writer is done with, to be filled again: their pages
    /// are taken already (a fresh buffer costs its page faults).
    emptied: mpsc::Receiver<Vec<u8>>,
    failed: &'s AtomicBool,
    on_progress: &'s mut dyn FnMut(Progress),
}

impl Ingester<'_> {
    /// The position of the next line of `source`'s chain if it is to be
    /// written; `None` if the database has it (or the chain is refused).
    fn place(&mut self, source: usize, line: usize, raw: &[u8]) -> Option<u64> {
        let name = &self.names[source];
        let chain = &mut self.chains[self.source_chain[source]];
        chain.last_place = Some((name.clone(), line));
        if chain.refused.is_some() {
            return None;
        }
        let position = chain.next;
        chain.next += 1;
        let check = chain.checks.iter().find(|(at, _)| *at == position);
        if check.is_some_and(|(_, stored)| raw != stored.as_slice()) {
            chain.refused = Some(Finding {
                file: name.clone(),
                line,
                kind: FindingKind::Rewritten,
                message: "differs from the line stored at this place in the database: the chain was rewritten since it was ingested, so nothing of it was written".into(),
            });
        }
        if position < chain.resume || chain.stored_above.contains(&position) {
            chain.skipped += 1;
            return None;
        }
        Some(position)
    }

    /// A line the database holds already (its fields not picked): counted
    /// in its chain.
    fn place_stored(&mut self, source: usize, line: &Line<'_>) {
        if self.place(source, line.number, line.bytes).is_none() {
            return;
        }
        // Only when lines were inserted before the stored head (a
        // duplicate of it among them kept the chain from being refused):
        // the stored lines are not a prefix of the files.
        let chain = &mut self.chains[self.source_chain[source]];
        chain.refused = Some(Finding {
            file: self.names[source].clone(),
            line: line.number,
            kind: FindingKind::Rewritten,
            message: "lines were inserted before the last line stored in the database: the chain was rewritten since it was ingested, so nothing of it was written".into(),
        });
    }

    fn send(&mut self, piece: Piece) {
        if self.stop_after_batches == Some(self.batches) {
            self.stopped = true;
            self.senders.clear();
        }
        let sender = self.senders.get(self.batches % WRITERS);
        let sent = sender.is_some_and(|s| s.send(piece).is_ok());
        if !sent {
            // The writer stopped on an error: stop reading too.
            self.failed.store(true, Ordering::Relaxed);
        }
    }

    /// A buffer to fill: one the writer gave back, else a new one.
    fn buffer(&mut self) -> Vec<u8> {
        match self.emptied.try_recv() {
            Ok(mut bytes) => {
                bytes.clear();
                bytes
            }
            Err(_) => Vec::with_capacity(PIECE_BYTES + (1 << 20)),
        }
    }

    /// Send the entries gathered so far to the streamed INSERT.
    fn send_rows(&mut self) {
        if self.batch.unsent == 0 {
            return;
        }
        let fresh = self.buffer();
        let bytes = std::mem::replace(&mut self.batch.entries.bytes, fresh);
        self.batch.sent += bytes.len();
        let rows = std::mem::take(&mut self.batch.unsent);
        self.batch.streaming = true;
        self.send(Piece::Rows { bytes, rows });
    }

    /// End the batch: the last piece or what was held, then [`Piece::End`].
    fn flush(&mut self) {
        if self.batch.rows == 0 {
            return;
        }
        if self.batch.held {
            let fresh = (self.buffer(), self.buffer());
            let held = Piece::Held {
                entries: std::mem::replace(&mut self.batch.entries.bytes, fresh.0),
                rejected: std::mem::replace(&mut self.batch.rejected.bytes, fresh.1),
                rows: self.batch.unsent,
            };
            self.send(held);
        } else {
            self.send_rows();
        }
        self.send(Piece::End);
        self.batches += 1;
        let (entries, rejected) = (
            std::mem::take(&mut self.batch.entries),
            std::mem::take(&mut self.batch.rejected),
        );
        self.batch = Batch {
            entries,
            rejected,
            ..Batch::default()
        };
    }

    /// A rejected line is next: close the stream (its entries all precede
    /// the line) and hold the rest of the batch.
    fn hold(&mut self) {
        if self.batch.held {
            return;
        }
        self.send_rows();
        if self.batch.streaming {
            self.send(Piece::Close);
        }
        self.batch.held = true;
    }

    fn row_added(&mut self) {
        let batch = &mut self.batch;
        batch.rows += 1;
        batch.unsent += 1;
        let unsent = batch.entries.bytes.len() + batch.rejected.bytes.len();
        if batch.rows >= self.batch_rows
            || batch.sent + unsent >= BATCH_BYTES
            || (batch.held && unsent >= HELD_BYTES)
        {
            self.flush();
        } else if !batch.held && unsent >= PIECE_BYTES {
            self.send_rows();
        }
    }

    /// Chains the files hold fewer lines of than the database: refused too.
    fn finish_refusals(&mut self) -> Vec<Finding> {
        for chain in &mut self.chains {
            if chain.refused.is_none() && chain.next < chain.stored {
                let (file, line) = chain.last_place.clone().unwrap_or_default();
                chain.refused = Some(Finding {
                    file,
                    line,
                    kind: FindingKind::Rewritten,
                    message: format!(
                        "the database holds {} lines of this chain, the files only {}: entries were removed since it was ingested, so nothing of it was written",
                        chain.stored, chain.next
                    ),
                });
            }
        }
        self.chains
            .iter()
            .filter_map(|c| c.refused.clone())
            .collect()
    }
}

impl ScanSink for Ingester<'_> {
    fn entry(&mut self, entry: ScannedEntry<'_, '_>) {
        // Parsed on the pool already (`Fields::time`, as `rows::timestamp`).
        let ts = entry.time.unwrap_or(NO_TIME);
        let chain = &mut self.chains[self.source_chain[entry.source]];
        chain.newest = chain.newest.max(ts);
        let Some(position) = self.place(entry.source, entry.line, entry.bytes) else {
            return;
        };
        let place = Place {
            chain: &self.chains[self.source_chain[entry.source]].id,
            position,
            file: &self.names[entry.source],
            line: entry.line as u64,
        };
        rows::entry(
            &mut self.batch.entries,
            &place,
            &entry.fields(),
            ts,
            entry.seal.as_ref(),
            self.hashes,
            entry.bytes,
        );
        self.row_added();
    }

    fn entry_without_fields(&mut self, source: usize, line: &Line<'_>) {
        self.place_stored(source, line);
    }

    fn lines_without_fields(&self, source: usize) -> usize {
        self.without_fields[source]
    }

    fn not_entry(&mut self, source: usize, line: &Line<'_>) {
        // A last line still being written is left for the next ingest;
        // its `incomplete` finding is in the chain's record.
        if !line.terminated {
            return;
        }
        let Some(position) = self.place(source, line.number, line.bytes) else {
            return;
        };
        self.hold();
        let place = Place {
            chain: &self.chains[self.source_chain[source]].id,
            position,
            file: &self.names[source],
            line: line.number as u64,
        };
        rows::rejected(&mut self.batch.rejected, &place, line.bytes);
        self.row_added();
    }

    fn progress(&mut self, progress: Progress) {
        (self.on_progress)(progress);
    }
}

/// Each chain's verdict, findings and head, for every chain not refused.
fn record_chains(
    client: &Client,
    verification: &Verification,
    states: &[ChainState],
) -> Result<(), String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let mut out = Writer::default();
    for (chain, state) in verification.chains.iter().zip(states) {
        if state.refused.is_some() {
            continue;
        }
        let findings: Vec<&Finding> = verification
            .findings
            .iter()
            .filter(|f| chain.files.contains(&f.file))
            .collect();
        let record = ChainRecord {
            chain,
            lines: state.next,
            findings_json: serde_json::to_string(&findings).expect("findings serialise"),
            ingested_at: now,
            newest: state.newest,
            file_entries: chain
                .members
                .iter()
                .map(|&m| verification.files[m].entries as u64)
                .collect(),
        };
        rows::chain(&mut out, &record);
    }
    if out.bytes.is_empty() {
        return Ok(());
    }
    client.insert_row_binary(CHAINS, &out.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(id: &str, stored: Option<(&str, u64)>) -> ChainState {
        let frontier = stored.map(|(file, line)| Frontier {
            lines: line,
            resume: line,
            file: file.into(),
            line,
            ..Frontier::default()
        });
        ChainState::new(frontier, id.into())
    }

    #[test]
    fn lines_up_to_the_stored_head_need_no_fields() {
        let names: Vec<String> = ["a.1", "a.2", "a.3", "b", "c", "d"]
            .map(String::from)
            .into();
        let source_chain = [0, 0, 0, 1, 2, 3];
        let chains = [
            chain("a", Some(("a.2", 7))),
            chain("b", None),
            chain("c", Some(("renamed", 5))),
            chain("d", Some(("d", 9))),
        ];
        assert_eq!(
            stored_lines(&names, &source_chain, &chains),
            [usize::MAX, 7, 0, 0, 0, 9],
            "files before the head's whole, the head's up to it, none after; none for a file not found"
        );
    }
}
