//! Where `ingest` resumes each chain: what the database holds of it.
//!
//! Two INSERTs are in flight at once (`batches`), so a crash can leave a
//! gap: a later batch stored, an earlier one not, or only its first rows.
//! A chain's stored positions (entries and rejected lines together) are
//! whole when the entries' `count()` plus the rejected lines' distinct
//! positions below `max(position) + 1` make that number. Otherwise the
//! positions stored at or above the window the last two batches can cover
//! are read (all of them when the positions below the window are not
//! whole either: batches of another size, or a resume cut short), and the
//! chain resumes at the first missing one, skipping those stored above it
//! (ARCHITECTURE.md, "ClickHouse").

use super::client::{Client, string_literal};
use super::rowbinary::Reader;
use super::schema::{ENTRIES, REJECTED};
use std::collections::{HashMap, HashSet};

/// What the database holds of a chain.
#[derive(Default)]
pub struct Frontier {
    /// The last entry's position + 1.
    pub lines: u64,
    /// The first position missing (`lines` when none is missing below it).
    pub resume: u64,
    /// Positions stored above `resume`: not written again.
    pub stored_above: HashSet<u64>,
    /// Stored lines the files must still have at the same place, or the
    /// chain was rewritten since: the last entry, and the line before
    /// `resume` when that is another.
    pub checks: Vec<(u64, Vec<u8>)>,
    /// Where the line before `resume` came from.
    pub file: String,
    pub line: u64,
    /// The newest entry time stored, or [`crate::store::store::NO_TIME`].
    pub newest: i64,
}

/// For each chain already in the database, what it holds there. `window`:
/// how many positions below the last one two batches in flight can cover.
pub fn stored_frontiers(
    client: &Client,
    ids: &[String],
    window: u64,
) -> Result<HashMap<String, Frontier>, String> {
    let mut frontiers = HashMap::new();
    if ids.is_empty() {
        return Ok(frontiers);
    }
    let list: Vec<String> = ids.iter().map(|id| string_literal(id)).collect();
    let sql = format!(
        "SELECT chain, max(position) + 1, max(ts), count() FROM {ENTRIES} WHERE chain IN ({}) GROUP BY chain FORMAT RowBinary",
        list.join(", ")
    );
    let mut reader = Reader::new(client.query_stream(&sql)?);
    let read_error = |e: std::io::Error| client.error(&format!("reading stored chains: {e}"));
    let mut counts = Vec::new();
    while let Some(first) = reader.at_end().map_err(read_error)? {
        let mut chain = Vec::new();
        reader.string_from(first, &mut chain).map_err(read_error)?;
        let lines = reader.u64().map_err(read_error)?;
        let newest = reader.i64().map_err(read_error)?;
        let entries = reader.u64().map_err(read_error)?;
        counts.push((
            String::from_utf8_lossy(&chain).into_owned(),
            lines,
            newest,
            entries,
        ));
    }
    for (chain, lines, newest, entries) in counts {
        let (resume, stored_above) = if entries == lines {
            (lines, HashSet::new())
        } else {
            find_gap(client, &chain, lines, window)?
        };
        let last = stored_line(client, &chain, lines - 1)?;
        let mut frontier = Frontier {
            lines,
            resume,
            stored_above,
            checks: vec![(lines - 1, last.0)],
            file: last.1,
            line: last.2,
            newest,
        };
        if resume > 0 && resume != lines {
            let before = stored_line(client, &chain, resume - 1)?;
            frontier.checks.push((resume - 1, before.0));
            (frontier.file, frontier.line) = (before.1, before.2);
        }
        frontiers.insert(chain, frontier);
    }
    Ok(frontiers)
}

/// The first position of `chain` missing in the database, and the
/// positions stored above it, for a chain whose entries and rejected
/// lines below `lines` are fewer than `lines` (or only rejected lines
/// make the difference: then nothing is missing below `lines`).
fn find_gap(
    client: &Client,
    chain: &str,
    lines: u64,
    window: u64,
) -> Result<(u64, HashSet<u64>), String> {
    let chain = string_literal(chain);
    let mut from = lines.saturating_sub(window);
    if from > 0 {
        let below = client.query_text(&format!(
            "SELECT (SELECT count() FROM {ENTRIES} WHERE chain = {chain} AND position < {from}) + (SELECT uniqExact(position) FROM {REJECTED} WHERE chain = {chain} AND position < {from})"
        ))?;
        if below.trim().parse::<u64>() != Ok(from) {
            from = 0;
        }
    }
    let sql = format!(
        "SELECT position FROM (SELECT position FROM {ENTRIES} WHERE chain = {chain} AND position >= {from} UNION ALL SELECT DISTINCT position FROM {REJECTED} WHERE chain = {chain} AND position >= {from}) FORMAT RowBinary"
    );
    let mut reader = Reader::new(client.query_stream(&sql)?);
    let read_error = |e: std::io::Error| client.error(&format!("reading stored positions: {e}"));
    let mut stored = HashSet::new();
    while let Some(first) = reader.at_end().map_err(read_error)? {
        let mut rest = [0u8; 7];
        for byte in &mut rest {
            *byte = reader.u8().map_err(read_error)?;
        }
        let mut bytes = [first; 8];
        bytes[1..].copy_from_slice(&rest);
        stored.insert(u64::from_le_bytes(bytes));
    }
    Ok(first_missing(from, stored))
}

/// The first position from `from` up that is not in `stored`, and the
/// positions of `stored` above it.
fn first_missing(from: u64, mut stored: HashSet<u64>) -> (u64, HashSet<u64>) {
    let mut missing = from;
    while stored.contains(&missing) {
        missing += 1;
    }
    stored.retain(|&p| p > missing);
    (missing, stored)
}

/// The stored line at `position` of `chain` (an entry or a rejected line),
/// its file and line number; empty when there is none.
fn stored_line(
    client: &Client,
    chain: &str,
    position: u64,
) -> Result<(Vec<u8>, String, u64), String> {
    let chain = string_literal(chain);
    let sql = format!(
        "SELECT raw, file, line FROM (SELECT raw, file, line FROM {ENTRIES} WHERE chain = {chain} AND position = {position} UNION ALL SELECT raw, file, line FROM {REJECTED} WHERE chain = {chain} AND position = {position}) LIMIT 1 FORMAT RowBinary"
    );
    let read_error = |e: std::io::Error| client.error(&format!("reading a stored line: {e}"));
    let mut reader = Reader::new(client.query_stream(&sql)?);
    let (mut raw, mut file) = (Vec::new(), Vec::new());
    let Some(first) = reader.at_end().map_err(read_error)? else {
        return Ok((raw, String::new(), 0));
    };
    reader.string_from(first, &mut raw).map_err(read_error)?;
    reader.string(&mut file).map_err(read_error)?;
    let line = reader.u64().map_err(read_error)?;
    Ok((raw, String::from_utf8_lossy(&file).into_owned(), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumes_at_the_first_missing_position_and_skips_those_stored_above() {
        let stored: HashSet<u64> = [10, 11, 12, 15, 16, 20].into();
        let (missing, above) = first_missing(10, stored);
        assert_eq!(missing, 13);
        assert_eq!(above, [15, 16, 20].into());
    }

    #[test]
    fn nothing_missing_resumes_after_the_last() {
        let (missing, above) = first_missing(4, [4, 5, 6].into());
        assert_eq!((missing, above.len()), (7, 0));
        let (missing, above) = first_missing(0, HashSet::new());
        assert_eq!((missing, above.len()), (0, 0));
    }
}
