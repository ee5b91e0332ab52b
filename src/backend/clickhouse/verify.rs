//! `auditui verify clickhouse://...`: every chain re-verified from the
//! original lines stored in the database, streamed in chain order, chains
//! in parallel. The findings are `verify`'s, at the file and line each row
//! came from; a database is just another place a log can be tampered with.
//!
//! Besides the chain itself, each row's columns must be what its stored
//! line gives (an edited `user` column would make queries lie while the
//! line still verifies), and each chain must still hold as many lines as
//! its ingest recorded (deleting the newest rows breaks no link).

use super::client::{Client, string_literal};
use super::rowbinary::{Reader, Writer};
use super::rows::{self, Place};
use super::schema::{self, CHAINS, ENTRIES, Hashes, REJECTED};
use crate::log::chain::{
    FileSummary, FileVerifier, Finding, FindingKind, LineOutcome, Verification, assemble,
};
use crate::log::entry::LineReader;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Read;

/// What the chain's ingest recorded: lines stored and the first file.
struct Record {
    lines: u64,
    first_file: String,
}

/// Re-verify every chain the database holds.
pub fn verify(client: &Client) -> Result<Verification, String> {
    let hashes = schema::check_existing(client)?.hashes;
    let mut chains: BTreeMap<String, Option<Record>> = BTreeMap::new();
    for (chain, record) in recorded_chains(client)? {
        chains.insert(chain, Some(record));
    }
    let sql = format!("SELECT DISTINCT chain FROM {ENTRIES} FORMAT RowBinary");
    let mut reader = Reader::new(client.query_stream(&sql)?);
    let mut chain = Vec::new();
    while let Some(first) = reader.at_end().map_err(|e| read_error(client, e))? {
        reader
            .string_from(first, &mut chain)
            .map_err(|e| read_error(client, e))?;
        chains
            .entry(String::from_utf8_lossy(&chain).into_owned())
            .or_insert(None);
    }
    let summaries: Vec<Vec<FileSummary>> = chains
        .par_iter()
        .map(|(chain, record)| verify_chain(client, chain, record.as_ref(), hashes))
        .collect::<Result<_, _>>()?;
    Ok(assemble(summaries.into_iter().flatten().collect()))
}

fn read_error(client: &Client, e: std::io::Error) -> String {
    client.error(&format!("reading the answer: {e}"))
}

fn recorded_chains(client: &Client) -> Result<Vec<(String, Record)>, String> {
    let sql = format!("SELECT chain, files, lines FROM {CHAINS} FINAL FORMAT RowBinary");
    let mut reader = Reader::new(client.query_stream(&sql)?);
    let mut out = Vec::new();
    let (mut chain, mut file) = (Vec::new(), Vec::new());
    let error = |e| read_error(client, e);
    while let Some(first) = reader.at_end().map_err(error)? {
        reader.string_from(first, &mut chain).map_err(error)?;
        // Array(String): a LEB128 count (one byte for any real chain), the files.
        let count = reader.u8().map_err(error)?;
        let mut first_file = None;
        for _ in 0..count {
            reader.string(&mut file).map_err(error)?;
            first_file.get_or_insert_with(|| String::from_utf8_lossy(&file).into_owned());
        }
        let lines = reader.u64().map_err(error)?;
        let record = Record {
            lines,
            first_file: first_file.unwrap_or_default(),
        };
        out.push((String::from_utf8_lossy(&chain).into_owned(), record));
    }
    Ok(out)
}

/// An entry row as read: its chain, its column values, and where each is.
type StoredRow<'r> = (&'r str, &'r [u8], &'r [std::ops::Range<usize>]);

/// A stored line of one chain, from either table.
struct StoredLine {
    position: u64,
    file: String,
    line: u64,
    raw: Vec<u8>,
}

/// One chain's files, verified line by line in position order.
fn verify_chain(
    client: &Client,
    chain: &str,
    record: Option<&Record>,
    hashes: Hashes,
) -> Result<Vec<FileSummary>, String> {
    let error = |e| read_error(client, e);
    let mut rejected = rejected_lines(client, chain)?.into_iter().peekable();
    let types = hashes.entry_columns();
    let columns: Vec<&str> = types.iter().map(|(name, _)| *name).collect();
    let sql = format!(
        "SELECT {} FROM {ENTRIES} WHERE chain = {} ORDER BY position FORMAT RowBinary",
        columns.join(", "),
        string_literal(chain)
    );
    let mut reader = Reader::new(std::io::BufReader::with_capacity(
        1 << 20,
        client.query_stream(&sql)?,
    ));
    let mut files = Files {
        types,
        hashes,
        ..Files::default()
    };
    let (mut row, mut ranges) = (Vec::new(), Vec::new());
    while let Some(first) = reader.at_end().map_err(error)? {
        reader
            .row(&files.types, first, &mut row, &mut ranges)
            .map_err(error)?;
        let stored = StoredLine {
            position: u64_at(&row, &ranges[1]),
            file: String::from_utf8_lossy(&row[ranges[2].clone()]).into_owned(),
            line: u64_at(&row, &ranges[3]),
            raw: row[ranges[20].clone()].to_vec(),
        };
        while let Some(line) = rejected.next_if(|r| r.position < stored.position) {
            files.push(&line, None);
        }
        files.push(&stored, Some((chain, &row, &ranges)));
    }
    for line in rejected {
        files.push(&line, None);
    }
    if let Some(record) = record {
        files.check_count(record);
    }
    Ok(files.finish())
}

fn u64_at(row: &[u8], range: &std::ops::Range<usize>) -> u64 {
    u64::from_le_bytes(row[range.clone()].try_into().expect("an 8-byte column"))
}

/// The chain's rejected lines: few, so read whole.
fn rejected_lines(client: &Client, chain: &str) -> Result<Vec<StoredLine>, String> {
    let sql = format!(
        "SELECT position, file, line, raw FROM {REJECTED} FINAL WHERE chain = {} ORDER BY position FORMAT RowBinary",
        string_literal(chain)
    );
    let mut body = Vec::new();
    client
        .query_stream(&sql)?
        .read_to_end(&mut body)
        .map_err(|e| read_error(client, e))?;
    let mut reader = Reader::new(&body[..]);
    let types = &schema::REJECTED_COLUMNS[1..];
    let (mut row, mut ranges) = (Vec::new(), Vec::new());
    let mut lines = Vec::new();
    while let Some(first) = reader.at_end().map_err(|e| read_error(client, e))? {
        reader
            .row(types, first, &mut row, &mut ranges)
            .map_err(|e| read_error(client, e))?;
        lines.push(StoredLine {
            position: u64_at(&row, &ranges[0]),
            file: String::from_utf8_lossy(&row[ranges[1].clone()]).into_owned(),
            line: u64_at(&row, &ranges[2]),
            raw: row[ranges[3].clone()].to_vec(),
        });
    }
    Ok(lines)
}

/// The files of one chain as their lines come, each verified as `verify`
/// verifies a file.
#[derive(Default)]
struct Files {
    /// The entries table's columns and its form of hashes.
    types: Vec<(&'static str, &'static str)>,
    hashes: Hashes,
    done: Vec<FileSummary>,
    current: Option<FileVerifier>,
    current_name: String,
    reader: LineReader,
    expected: Writer,
    expected_ranges: Vec<std::ops::Range<usize>>,
    scratch: Vec<u8>,
    /// One past the highest position seen, and the last line's number.
    end: u64,
    last_line: usize,
}

impl Files {
    /// Verify one line; for an entry row, also check its columns against
    /// what the line gives.
    fn push(&mut self, stored: &StoredLine, row: Option<StoredRow<'_>>) {
        if self.current.is_none() || self.current_name != stored.file {
            self.done
                .extend(self.current.take().map(FileVerifier::finish));
            self.current = Some(FileVerifier::new(stored.file.clone()));
            self.current_name = stored.file.clone();
        }
        let line = stored.line as usize;
        let (outcome, edited) = match self.reader.read(&stored.raw) {
            Ok((seal, fields)) => {
                let edited = row.and_then(|(chain, row, ranges)| {
                    let place = Place {
                        chain,
                        position: stored.position,
                        file: &stored.file,
                        line: stored.line,
                    };
                    self.expected.bytes.clear();
                    rows::entry(
                        &mut self.expected,
                        &place,
                        &fields,
                        rows::timestamp(&fields),
                        seal.as_ref(),
                        self.hashes,
                        &stored.raw,
                    );
                    edited_columns(
                        &self.types,
                        &self.expected.bytes,
                        &mut self.scratch,
                        &mut self.expected_ranges,
                        row,
                        ranges,
                    )
                });
                (LineOutcome::Entry(seal), edited)
            }
            Err(e) => (LineOutcome::NotEntry(e), None),
        };
        let verifier = self.current.as_mut().expect("a file in progress");
        verifier.push(line, true, &outcome);
        if let Some(columns) = edited {
            verifier.add_finding(Finding {
                file: stored.file.clone(),
                line,
                kind: FindingKind::Modified,
                message: format!(
                    "{columns} from what its stored line gives: edited in the database"
                ),
            });
        }
        self.end = self.end.max(stored.position + 1);
        self.last_line = line;
    }

    /// Rows deleted from the end of a chain break no link: the count of
    /// lines its ingest recorded says they are gone.
    fn check_count(&mut self, record: &Record) {
        if self.end >= record.lines {
            return;
        }
        let finding = Finding {
            file: if self.current.is_some() {
                self.current_name.clone()
            } else {
                record.first_file.clone()
            },
            line: self.last_line.max(1),
            kind: FindingKind::Truncated,
            message: format!(
                "the chain's ingest stored {} lines, the database now ends after {}: its newest rows were deleted",
                record.lines, self.end
            ),
        };
        match self.current.as_mut() {
            Some(verifier) => verifier.add_finding(finding),
            None => {
                let mut verifier = FileVerifier::new(record.first_file.clone());
                verifier.add_finding(finding);
                self.current = Some(verifier);
            }
        }
    }

    fn finish(mut self) -> Vec<FileSummary> {
        self.done
            .extend(self.current.take().map(FileVerifier::finish));
        self.done
    }
}

/// The names of the columns whose stored value differs from `expected`
/// (a row encoded from the stored line), or `None` if all agree.
fn edited_columns(
    types: &[(&str, &str)],
    expected: &[u8],
    scratch: &mut Vec<u8>,
    expected_ranges: &mut Vec<std::ops::Range<usize>>,
    row: &[u8],
    ranges: &[std::ops::Range<usize>],
) -> Option<String> {
    let mut reader = Reader::new(expected);
    let first = reader.at_end().ok()??;
    reader.row(types, first, scratch, expected_ranges).ok()?;
    let differing: Vec<&str> = types
        .iter()
        .zip(ranges.iter().zip(expected_ranges.iter()))
        .filter(|(_, (stored, wanted))| row[(*stored).clone()] != scratch[(*wanted).clone()])
        .map(|((name, _), _)| *name)
        .collect();
    match differing.as_slice() {
        [] => None,
        [one] => Some(format!("column {one} differs")),
        many => Some(format!("columns {} differ", many.join(", "))),
    }
}
