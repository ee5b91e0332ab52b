//! `auditui ingest`: verified logs into ClickHouse, incrementally and
//! exactly once.
//!
//! The chains are verified first, exactly as `verify` does; then the files
//! are read again in chain order and every line is written at its place in
//! its chain. What the database already holds of a chain is skipped, after
//! checking that the last stored line is the same line in the files: a
//! chain rewritten since is refused, and nothing of it is written.
//!
//! Crash safety: rows go out in batches, each one INSERT (one block, stored
//! whole or not at all), in chain order; the chain records come last. A
//! re-run reads how far each chain got from the entries themselves, so an
//! interrupted ingest resumes where its last whole batch ended. Rejected
//! lines (malformed) may be written twice that way; their table collapses
//! duplicates (`ReplacingMergeTree`, read with `FINAL`).

use super::client::{Client, string_literal};
use super::rowbinary::{Reader, Writer};
use super::rows::{self, ChainRecord, Place, chain_id};
use super::schema::{CHAINS, ENTRIES, REJECTED};
use crate::log::chain::{Finding, FindingKind, Verification};
use crate::log::pass::{Progress, ScanSink, ScannedEntry, scan};
use crate::log::source::{Line, Source};
use crate::store::store::NO_TIME;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// Rows per INSERT: large enough that per-request costs vanish, below the
/// server's block size (1,048,576 rows) so that a batch stays one block.
pub const DEFAULT_BATCH_ROWS: usize = 200_000;

/// Bytes per INSERT at most, whatever the row count: bounds memory when
/// lines are long.
const BATCH_BYTES: usize = 128 << 20;

pub struct Options {
    pub batch_rows: usize,
    /// For testing crash recovery: fail after this many batches, as if the
    /// process had died there.
    pub stop_after_batches: Option<usize>,
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

/// Write what the database lacks of `sources`, verified as `verification`
/// says (from [`crate::log::pass::verify`] over the same sources).
pub fn ingest(
    client: &Client,
    sources: Vec<Source>,
    mut verification: Verification,
    options: &Options,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, String> {
    let ids: Vec<String> = verification.chains.iter().map(chain_id).collect();
    let stored = stored_frontiers(client, &ids)?;
    let (sources, source_chain) = in_chain_order(sources, &verification);
    let chains = ids
        .into_iter()
        .map(|id| {
            let (lines, last) = stored.get(&id).cloned().unwrap_or((0, Vec::new()));
            ChainState {
                id,
                next: 0,
                stored: lines,
                stored_last: last,
                refused: None,
                last_place: None,
                newest: NO_TIME,
            }
        })
        .collect();
    let failed = AtomicBool::new(false);
    let (sender, receiver) = mpsc::sync_channel::<Batch>(1);
    let mut sink = Ingester {
        chains,
        source_chain,
        names: sources.iter().map(|s| s.name.clone()).collect(),
        batch: Batch::with_room(),
        batch_rows: options.batch_rows.max(1),
        sender: Some(sender),
        failed: &failed,
        on_progress,
    };
    let written = std::thread::scope(|scope| {
        let writer = scope.spawn(|| write_batches(client, receiver, options, &failed));
        scan(&sources, &mut sink, &failed);
        sink.flush();
        sink.sender = None;
        writer.join().expect("the writer thread does not panic")
    })?;
    let refused: Vec<Finding> = sink.finish_refusals();
    record_chains(client, &verification, &sink.chains)?;
    let already_stored = sink.chains.iter().map(|c| c.next.min(c.stored)).sum();
    let outcome_refused = refused.len();
    verification.add_findings(refused);
    Ok(Outcome {
        verification,
        written,
        already_stored,
        refused: outcome_refused,
    })
}

/// For each chain already in the database: how many lines it holds there
/// (the last entry's position + 1) and that last entry's line.
fn stored_frontiers(
    client: &Client,
    ids: &[String],
) -> Result<HashMap<String, (u64, Vec<u8>)>, String> {
    let mut frontiers = HashMap::new();
    if ids.is_empty() {
        return Ok(frontiers);
    }
    let list: Vec<String> = ids.iter().map(|id| string_literal(id)).collect();
    let sql = format!(
        "SELECT chain, max(position) + 1 FROM {ENTRIES} WHERE chain IN ({}) GROUP BY chain FORMAT RowBinary",
        list.join(", ")
    );
    let mut reader = Reader::new(client.query_stream(&sql)?);
    let read_error = |e: std::io::Error| client.error(&format!("reading stored chains: {e}"));
    let mut counts = Vec::new();
    while let Some(first) = reader.at_end().map_err(read_error)? {
        let mut chain = Vec::new();
        reader.string_from(first, &mut chain).map_err(read_error)?;
        let lines = reader.u64().map_err(read_error)?;
        counts.push((String::from_utf8_lossy(&chain).into_owned(), lines));
    }
    for (chain, lines) in counts {
        let sql = format!(
            "SELECT raw FROM {ENTRIES} WHERE chain = {} AND position = {} LIMIT 1 FORMAT RowBinary",
            string_literal(&chain),
            lines - 1
        );
        let mut raw = Vec::new();
        Reader::new(client.query_stream(&sql)?)
            .string(&mut raw)
            .map_err(read_error)?;
        frontiers.insert(chain, (lines, raw));
    }
    Ok(frontiers)
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
    /// Lines the database holds already, and the last of them.
    stored: u64,
    stored_last: Vec<u8>,
    refused: Option<Finding>,
    /// File and line of the last line seen, to place a finding.
    last_place: Option<(String, usize)>,
    /// The newest entry time in the files, stored or not.
    newest: i64,
}

#[derive(Default)]
struct Batch {
    entries: Writer,
    rejected: Writer,
    rows: usize,
}

impl Batch {
    /// An empty batch with room for a full one: growing by doubling would
    /// copy every row about once more (pages are only taken as written).
    fn with_room() -> Batch {
        Batch {
            entries: Writer {
                bytes: Vec::with_capacity(BATCH_BYTES + (1 << 20)),
            },
            ..Batch::default()
        }
    }
}

/// The scan's sink: places every line in its chain and batches the new ones.
struct Ingester<'s> {
    chains: Vec<ChainState>,
    source_chain: Vec<usize>,
    names: Vec<String>,
    batch: Batch,
    batch_rows: usize,
    sender: Option<mpsc::SyncSender<Batch>>,
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
        if position + 1 == chain.stored && raw != chain.stored_last.as_slice() {
            chain.refused = Some(Finding {
                file: name.clone(),
                line,
                kind: FindingKind::Rewritten,
                message: "differs from the line stored at this place in the database: the chain was rewritten since it was ingested, so nothing of it was written".into(),
            });
        }
        (position >= chain.stored).then_some(position)
    }

    fn flush(&mut self) {
        if self.batch.rows == 0 {
            return;
        }
        let batch = std::mem::replace(&mut self.batch, Batch::with_room());
        let sent = self.sender.as_ref().is_some_and(|s| s.send(batch).is_ok());
        if !sent {
            // The writer stopped on an error: stop reading too.
            self.failed.store(true, Ordering::Relaxed);
        }
    }

    fn row_added(&mut self) {
        self.batch.rows += 1;
        let bytes = self.batch.entries.bytes.len() + self.batch.rejected.bytes.len();
        if self.batch.rows >= self.batch_rows || bytes >= BATCH_BYTES {
            self.flush();
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
        let ts = rows::timestamp(entry.fields);
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
            entry.fields,
            ts,
            entry.seal.as_ref(),
            entry.bytes,
        );
        self.row_added();
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

/// The writing side: one batch at a time, rejected lines before entries
/// (a resumed ingest finds its place from the entries).
fn write_batches(
    client: &Client,
    receiver: mpsc::Receiver<Batch>,
    options: &Options,
    failed: &AtomicBool,
) -> Result<u64, String> {
    let mut written = 0u64;
    for (done, batch) in receiver.into_iter().enumerate() {
        if options.stop_after_batches == Some(done) {
            failed.store(true, Ordering::Relaxed);
            return Err(client.error(&format!("stopped after {done} batches, as asked")));
        }
        let result = (|| {
            if !batch.rejected.bytes.is_empty() {
                client.insert_row_binary(REJECTED, &batch.rejected.bytes)?;
            }
            if !batch.entries.bytes.is_empty() {
                client.insert_row_binary(ENTRIES, &batch.entries.bytes)?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            failed.store(true, Ordering::Relaxed);
            return Err(e);
        }
        written += batch.rows as u64;
    }
    Ok(written)
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
