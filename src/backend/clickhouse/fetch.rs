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
use super::sql::{TIME_COLUMN, string_literal};
use crate::backend::{BackendError, EntryRow, Order, Result};
use crate::log::chain::LineMap;
use crate::log::entry::parse_line;
use crate::log::source::Source;
use crate::store::store::{NO_TIME, Outcome};
use crate::store::{RowKey, Store};
use crate::time::parse_timestamp;

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
    /// (`>`) `key` in `order`, written out as plain comparisons (no tuple
    /// comparison), like every condition the queries use. The entry at a
    /// key is named with its time too, whatever the order: the table is
    /// ordered by time, so the primary key then finds its one granule
    /// instead of scanning `file` and `line` of every row.
    pub fn compare(&self, key: RowKey, op: &str, order: Order) -> String {
        let file = self
            .names
            .get(key.source as usize)
            .map_or_else(|| "''".to_owned(), |name| string_literal(name));
        let line = key.position;
        let time = key.time;
        let in_file = format!("(file {op} {file} OR (file = {file} AND line {op} {line}))");
        match (op, order) {
            ("=", _) => format!("({TIME_COLUMN} = {time} AND file = {file} AND line = {line})"),
            (_, Order::File) => in_file,
            (_, Order::Time) => {
                format!("({TIME_COLUMN} {op} {time} OR ({TIME_COLUMN} = {time} AND {in_file}))")
            }
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
    /// One source per file, named as the file, so views that name files
    /// (the report's integrity) name the real ones; their lines are
    /// numbered from 1 in the subset, so line numbers come from
    /// [`Subset::line`].
    pub fn new(fetched: Vec<Fetched>) -> Subset {
        let mut sources: Vec<(String, Vec<u8>)> = Vec::new();
        let mut places = Vec::with_capacity(fetched.len());
        for row in &fetched {
            if sources.last().is_none_or(|(name, _)| *name != row.file) {
                sources.push((row.file.clone(), Vec::new()));
            }
            let index = sources.len() - 1;
            let bytes = &mut sources[index].1;
            places.push((index, bytes.len()));
            bytes.extend_from_slice(&row.raw);
            bytes.push(b'\n');
        }
        let mut store = Store::new(Vec::new());
        store.lines = vec![LineMap::default(); sources.len()];
        store.sources = sources
            .into_iter()
            .map(|(name, bytes)| Source::from_bytes(name, bytes))
            .collect();
        for (row, (source, offset)) in fetched.iter().zip(places) {
            let entry = parse_line(&row.raw).ok();
            let fields = entry.as_ref().map(|e| e.fields()).unwrap_or_default();
            store.push(source, offset, &fields, fields.time());
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

/// Lines per block when counting a file's entries before a line.
const BLOCK: u64 = 1024;

/// Row numbers (places in log order over the whole table) of `keys`, as
/// the in-memory store numbers its rows: entries of earlier files, plus
/// entries of the same file on earlier lines. The table is ordered by time,
/// not line, so the database counts the keys' files' entries per block of
/// lines and lists the lines of just the blocks the keys fall in (a short
/// answer); the rest is arithmetic here. One query whatever the number of
/// files: `file` is not in the primary key, so every query is a scan of
/// the column (two per file before: a second at 10M rows each).
pub fn row_numbers(
    client: &Client,
    table: &str,
    files: &Files,
    keys: &[RowKey],
) -> Result<Vec<u32>> {
    let mut sources: Vec<u32> = keys.iter().map(|key| key.source).collect();
    sources.sort_unstable();
    sources.dedup();
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = sources
        .iter()
        .map(|&s| string_literal(files.names.get(s as usize).map_or("", String::as_str)))
        .collect();
    let mut blocks: Vec<String> = keys
        .iter()
        .map(|key| {
            let s = sources.partition_point(|&s| s < key.source) + 1;
            format!("({s}, {})", key.position / BLOCK)
        })
        .collect();
    blocks.sort_unstable();
    blocks.dedup();
    // Files are named by their place in `sources` (from 1), not by their
    // name, which may hold tabs or newlines.
    let answer = client
        .query_text(&format!(
            "SELECT indexOf([{names}], file) AS s, intDiv(line, {BLOCK}) AS b, count(), \
             groupArrayIf(line, (s, b) IN ({blocks})) FROM {table} WHERE file IN ({names}) \
             GROUP BY s, b ORDER BY s, b FORMAT TabSeparated",
            names = names.join(", "),
            blocks = blocks.join(", ")
        ))
        .map_err(BackendError)?;
    let mut per_file: Vec<Vec<(u64, u64)>> = vec![Vec::new(); sources.len()];
    let mut lines: Vec<Vec<u64>> = vec![Vec::new(); sources.len()];
    for row in answer.lines() {
        let (s, block, count, listed) = block_row(row)
            .ok_or_else(|| BackendError(client.error(&format!("unexpected row {row:?}"))))?;
        if let Some(index) = (s as usize).checked_sub(1).filter(|&i| i < sources.len()) {
            per_file[index].push((block, count));
            lines[index].extend(listed);
        }
    }
    let numbered: Vec<FileBlocks> = per_file
        .iter()
        .zip(lines)
        .map(|(counts, mut lines)| {
            lines.sort_unstable();
            FileBlocks::new(counts, lines)
        })
        .collect();
    Ok(keys
        .iter()
        .map(|key| {
            let at = sources.partition_point(|&s| s < key.source);
            let before = numbered.get(at).map_or(0, |b| b.before(key.position));
            (files.first_row(key.source) as u64 + before) as u32
        })
        .collect())
}

/// A row of the row-number query: file, block, entries and `[line,...]`,
/// tab-separated.
fn block_row(row: &str) -> Option<(u64, u64, u64, Vec<u64>)> {
    let mut fields = row.split('\t');
    let mut number = || fields.next()?.parse::<u64>().ok();
    let (s, block, count) = (number()?, number()?, number()?);
    let listed = fields.next()?.strip_prefix('[')?.strip_suffix(']')?;
    let lines = listed
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().ok())
        .collect::<Option<Vec<u64>>>()?;
    Some((s, block, count, lines))
}

/// One file's entries per block of lines, and the lines of the blocks
/// some keys fall in.
struct FileBlocks {
    /// (block, entries in the blocks before it), in block order.
    before_block: Vec<(u64, u64)>,
    total: u64,
    /// The lines of the keys' blocks, sorted.
    lines: Vec<u64>,
}

impl FileBlocks {
    /// From (block, entries) in block order.
    fn new(counts: &[(u64, u64)], lines: Vec<u64>) -> FileBlocks {
        let mut before_block = Vec::with_capacity(counts.len());
        let mut total = 0;
        for &(block, count) in counts {
            before_block.push((block, total));
            total += count;
        }
        FileBlocks {
            before_block,
            total,
            lines,
        }
    }

    /// Entries of the file on lines before `line` (whose block is listed).
    fn before(&self, line: u64) -> u64 {
        let block = line / BLOCK;
        let at = self.before_block.partition_point(|&(b, _)| b < block);
        let earlier = match self.before_block.get(at) {
            Some(&(_, before)) => before,
            None => self.total,
        };
        let in_block = self.lines.partition_point(|&l| l < line)
            - self.lines.partition_point(|&l| l < block * BLOCK);
        earlier + in_block as u64
    }
}

/// Every number of a tab-separated answer, in order.
pub fn numbers_in<N: std::str::FromStr>(client: &Client, sql: &str) -> Result<Vec<N>> {
    let answer = client.query_text(sql).map_err(BackendError)?;
    answer
        .split(['\t', '\n'])
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.parse()
                .map_err(|_| BackendError(client.error(&format!("unexpected number {n:?}"))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        Files {
            names: vec!["a.jsonl".into(), "b.jsonl".into()],
            counts: vec![3, 4],
        }
    }

    #[test]
    fn a_block_row_reads_its_counts_and_listed_lines() {
        assert_eq!(
            block_row("2\t3\t1024\t[3074,3072]"),
            Some((2, 3, 1024, vec![3074, 3072]))
        );
        assert_eq!(block_row("1\t0\t7\t[]"), Some((1, 0, 7, vec![])));
        assert_eq!(block_row("1\t0\t7"), None);
        assert_eq!(block_row("1\t0\tx\t[]"), None);
        assert_eq!(block_row("1\t0\t7\t[1,a]"), None);
    }

    #[test]
    fn an_entry_is_named_by_its_time_too_so_the_primary_key_finds_it() {
        let key = RowKey {
            time: 1_700_000_000_000_000,
            source: 1,
            position: 7,
        };
        for order in [Order::File, Order::Time] {
            assert_eq!(
                files().compare(key, "=", order),
                format!("({TIME_COLUMN} = 1700000000000000 AND file = 'b.jsonl' AND line = 7)")
            );
        }
    }

    #[test]
    fn file_order_compares_places_and_time_order_time_first() {
        let key = RowKey {
            time: 5,
            source: 0,
            position: 2,
        };
        let in_file = "(file < 'a.jsonl' OR (file = 'a.jsonl' AND line < 2))";
        assert_eq!(files().compare(key, "<", Order::File), in_file);
        assert_eq!(
            files().compare(key, "<", Order::Time),
            format!("({TIME_COLUMN} < 5 OR ({TIME_COLUMN} = 5 AND {in_file}))")
        );
    }
}
