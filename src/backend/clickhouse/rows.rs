//! Entries fetched from the database, few at a time: the rows on screen,
//! one conversation, one patient's accesses. Each comes back as its file,
//! line and original bytes, and is read here by the same parser as a file,
//! so a field means what it means in the in-memory store (a missing field
//! stays missing, whatever the table stores for it).
//!
//! Views that need a [`Store`] get a small one holding just these lines
//! ([`Subset`]); their answers then name rows and keys of that store, which
//! [`Subset`] maps back to the database's.

use super::client::Client;
use super::rowbinary::Reader;
use super::sql::string_literal;
use crate::backend::{BackendError, EntryRow, Result};
use crate::log::chain::LineMap;
use crate::log::entry::parse_line;
use crate::log::source::Source;
use crate::store::filter::parse_timestamp;
use crate::store::store::{NO_TIME, Outcome};
use crate::store::{RowKey, Store};

/// One entry as stored: where it came from and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub file: String,
    pub line: u64,
    pub raw: Vec<u8>,
}

/// The entries a `SELECT file, line, raw … FORMAT RowBinary` returns, read
/// one by one as they arrive.
pub fn fetch_each(
    client: &Client,
    sql: &str,
    mut visit: impl FnMut(Fetched) -> Result<()>,
) -> Result<()> {
    let stream = client.query_stream(sql).map_err(BackendError)?;
    let mut reader = Reader::new(stream);
    let broken = |e: std::io::Error| BackendError(client.error(&format!("reading rows: {e}")));
    let mut file = Vec::new();
    while let Some(first) = reader.at_end().map_err(broken)? {
        reader.string_from(first, &mut file).map_err(broken)?;
        let line = reader.u64().map_err(broken)?;
        let mut raw = Vec::new();
        reader.string(&mut raw).map_err(broken)?;
        visit(Fetched {
            file: String::from_utf8_lossy(&file).into_owned(),
            line,
            raw,
        })?;
    }
    Ok(())
}

/// [`fetch_each`] collected: for answers known to be small.
pub fn fetch(client: &Client, sql: &str) -> Result<Vec<Fetched>> {
    let mut rows = Vec::new();
    fetch_each(client, sql, |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// The files the entries came from, sorted: a file's index here is the
/// `source` of its keys, and the order of files is log order.
pub struct Files {
    pub names: Vec<String>,
    /// Entries in each file, in `names` order.
    pub counts: Vec<usize>,
}

impl Files {
    pub fn index(&self, file: &str) -> u32 {
        self.names
            .binary_search_by(|name| name.as_str().cmp(file))
            .map_or(u32::MAX, |i| i as u32)
    }

    /// Entries in the files before `source`: the row number of its first.
    pub fn first_row(&self, source: u32) -> usize {
        self.counts[..(source as usize).min(self.counts.len())]
            .iter()
            .sum()
    }

    /// The condition selecting entries before (`<`), at (`=`) or after
    /// (`>`) `key` in log order.
    pub fn compare(&self, key: RowKey, op: &str) -> String {
        let file = self
            .names
            .get(key.source as usize)
            .map_or_else(|| "''".to_owned(), |name| string_literal(name));
        let line = key.position;
        match op {
            "=" => format!("(file = {file} AND line = {line})"),
            _ => format!("(file {op} {file} OR (file = {file} AND line {op} {line}))"),
        }
    }

    /// The key and row of a fetched entry, given its columns.
    pub fn key(&self, fetched: &Fetched, time: i64) -> RowKey {
        RowKey {
            time,
            source: self.index(&fetched.file),
            position: fetched.line,
        }
    }
}

/// The columns of a fetched entry, read from its line.
pub fn entry_row(files: &Files, fetched: &Fetched) -> EntryRow {
    let entry = parse_line(&fetched.raw).ok();
    let fields = entry.as_ref().map(|e| e.fields()).unwrap_or_default();
    let text = |value: Option<std::borrow::Cow<'_, str>>| value.map(|v| v.into_owned());
    let time = fields
        .timestamp
        .and_then(|t| parse_timestamp(&t.decode()))
        .unwrap_or(NO_TIME);
    EntryRow {
        key: files.key(fetched, time),
        user: text(fields.user),
        tool: text(fields.tool),
        outcome: match fields.success {
            Some(true) => Outcome::Ok,
            Some(false) => Outcome::Failed,
            None => Outcome::Unknown,
        },
        duration_ms: fields.duration_ms,
        conversation: text(fields.conversation),
        patient: text(fields.patient),
        turn: fields.turn.and_then(|t| i32::try_from(t).ok()),
        role: text(fields.role),
        purpose: text(fields.purpose),
        model: text(fields.model),
        trigger: text(fields.trigger),
        ip: text(fields.ip),
        file: fetched.file.clone(),
        line: fetched.line as usize,
    }
}

/// Fetched entries in a store of their own, for the views that read one.
pub struct Subset {
    pub store: Store,
    pub fetched: Vec<Fetched>,
}

impl Subset {
    pub fn new(fetched: Vec<Fetched>) -> Subset {
        let mut bytes = Vec::new();
        let mut offsets = Vec::with_capacity(fetched.len());
        for row in &fetched {
            offsets.push(bytes.len());
            bytes.extend_from_slice(&row.raw);
            bytes.push(b'\n');
        }
        let mut store = Store::new(vec![Source::from_bytes("clickhouse", bytes)]);
        store.lines = vec![LineMap::default()];
        for (row, offset) in fetched.iter().zip(offsets) {
            let entry = parse_line(&row.raw).ok();
            let fields = entry.as_ref().map(|e| e.fields()).unwrap_or_default();
            store.push(0, offset, &fields);
        }
        Subset { store, fetched }
    }

    /// Every row of the subset.
    pub fn all(&self) -> Vec<u32> {
        (0..self.fetched.len() as u32).collect()
    }

    /// The database's key of a subset row.
    pub fn key(&self, files: &Files, row: u32) -> RowKey {
        files.key(&self.fetched[row as usize], self.store.time[row as usize])
    }

    pub fn file(&self, row: u32) -> String {
        self.fetched[row as usize].file.clone()
    }

    pub fn line(&self, row: u32) -> usize {
        self.fetched[row as usize].line as usize
    }
}

/// Row numbers (places in log order over the whole table) of `keys`, as
/// the in-memory store numbers its rows: entries of earlier files, plus
/// entries of the same file on earlier lines. Counted in the database, a
/// batch of keys per scan.
pub fn row_numbers(client: &Client, table: &str, files: &Files, keys: &[RowKey]) -> Result<Vec<u32>> {
    const BATCH: usize = 100;
    let mut rows = Vec::with_capacity(keys.len());
    for batch in keys.chunks(BATCH) {
        let counts: Vec<String> = batch
            .iter()
            .map(|&key| {
                let name = files.names.get(key.source as usize).map_or("", String::as_str);
                format!(
                    "countIf(file = {} AND line < {})",
                    string_literal(name),
                    key.position
                )
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {table} FORMAT TabSeparated",
            counts.join(", ")
        );
        let answer = client.query_text(&sql).map_err(BackendError)?;
        for (key, count) in batch.iter().zip(answer.trim_end().split('\t')) {
            let before: usize = count
                .parse()
                .map_err(|_| BackendError(client.error(&format!("unexpected count {count:?}"))))?;
            rows.push((files.first_row(key.source) + before) as u32);
        }
    }
    Ok(rows)
}
