//! The tables auditui keeps in a ClickHouse database, in SQL that both
//! 18.16 and current servers accept: `MergeTree() ORDER BY` (new syntax),
//! integer timestamps (no DateTime64), plain String (no LowCardinality), no
//! CODEC or TTL.
//!
//! - `audit_entries`: one row per entry, the indexed fields as columns, and
//!   where it came from: its chain, its position there, file, line, hashes
//!   and the original line byte for byte.
//! - `audit_rejected`: lines of a chain that are not entries (malformed),
//!   kept so that verifying from the database sees what `verify` saw.
//! - `audit_chains`: each chain's verdict at ingest: findings and head.
//!
//! `position` counts a chain's stored lines from 0, entries and rejected
//! lines alike, so the two tables interleave back into the file's order.

use super::client::{Client, string_literal};

// A missing database needs no check of its own: every request names it,
// and the server's answer ("Database x doesn't exist") says it plainly.

pub const ENTRIES: &str = "audit_entries";
pub const REJECTED: &str = "audit_rejected";
pub const CHAINS: &str = "audit_chains";

/// `audit_entries`, in RowBinary order.
pub const ENTRY_COLUMNS: &[(&str, &str)] = &[
    // The chain's identity: its first entry's stored hash, hex.
    ("chain", "String"),
    ("position", "UInt64"),
    ("file", "String"),
    ("line", "UInt64"),
    // Microseconds since the epoch, UTC; the smallest Int64 if unreadable.
    ("ts", "Int64"),
    ("user", "String"),
    ("patient", "String"),
    ("tool", "String"),
    ("conversation", "String"),
    ("model", "String"),
    ("role", "String"),
    ("purpose", "String"),
    ("trigger", "String"),
    ("ip", "String"),
    // 1 succeeded, 0 failed, -1 not recorded.
    ("success", "Int8"),
    // Milliseconds; NaN when missing.
    ("duration_ms", "Float64"),
    // -1 when missing.
    ("turn", "Int32"),
    ("error", "String"),
    // The SHA-256s the line stores, 32 bytes each: as 64 hex digits they
    // were an eighth of the bytes the server parses, copies, compresses and
    // writes per row (BENCHMARKS.md, "Hashes as bytes"). 32 zero bytes
    // for `genesis`, or when absent or invalid (the line says which).
    // Tables made before hold hex, see [`Hashes`].
    ("hash", "FixedString(32)"),
    ("previous", "FixedString(32)"),
    ("raw", "String"),
];

/// How an entries table holds `hash` and `previous`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Hashes {
    /// `FixedString(32)`, [`ENTRY_COLUMNS`]: what auditui creates.
    #[default]
    Bytes,
    /// `String`, as the line has them: hex, `genesis`, or empty when absent
    /// or invalid. An older auditui's tables, still read and written so.
    Hex,
}

impl Hashes {
    /// The entries table's columns, in RowBinary order, for this form.
    pub fn entry_columns(self) -> Vec<(&'static str, &'static str)> {
        ENTRY_COLUMNS
            .iter()
            .map(|&(name, kind)| match (self, name) {
                (Hashes::Hex, "hash" | "previous") => (name, "String"),
                _ => (name, kind),
            })
            .collect()
    }
}

/// `audit_rejected`, in RowBinary order.
pub const REJECTED_COLUMNS: &[(&str, &str)] = &[
    ("chain", "String"),
    ("position", "UInt64"),
    ("file", "String"),
    ("line", "UInt64"),
    ("raw", "String"),
];

/// `audit_chains`, in RowBinary order.
pub const CHAIN_COLUMNS: &[(&str, &str)] = &[
    ("chain", "String"),
    ("files", "Array(String)"),
    ("scheme", "String"),
    // Entries and stored lines (entries plus rejected) at ingest.
    ("entries", "UInt64"),
    ("lines", "UInt64"),
    // The last stored line's hash, hex (empty for plain logs).
    ("head", "String"),
    // `intact` or `broken`.
    ("verdict", "String"),
    // The findings as `verify --format json` gives them.
    ("findings", "String"),
    // Microseconds since the epoch: the newest record of a chain wins.
    ("ingested_at", "Int64"),
    // The newest entry's `ts` (the smallest Int64 if none), and entries
    // per file in `files` order: opening a database reads them here instead
    // of scanning the entries table. Newer than the rest ([`Table::newer`]).
    ("newest", "Int64"),
    ("file_entries", "Array(UInt64)"),
];

/// One of auditui's tables: its name, columns and how it is stored.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    /// `ENGINE = ...` for a single server.
    pub engine: &'static str,
    /// How many of the last columns an older auditui's table lacks: such a
    /// table is read without them, and ingest asks for them to be added.
    pub newer: usize,
}

pub const TABLES: [Table; 3] = [
    Table {
        name: ENTRIES,
        columns: ENTRY_COLUMNS,
        // Ordered for the questions users ask: time, then who, then whom.
        engine: "MergeTree() ORDER BY (ts, user, patient)",
        newer: 0,
    },
    Table {
        name: REJECTED,
        columns: REJECTED_COLUMNS,
        // A resumed ingest may write a rejected line twice: the copies
        // collapse, and readers use FINAL.
        engine: "ReplacingMergeTree() ORDER BY (chain, position)",
        newer: 0,
    },
    Table {
        name: CHAINS,
        columns: CHAIN_COLUMNS,
        engine: "ReplacingMergeTree(ingested_at) ORDER BY chain",
        newer: 2,
    },
];

impl Table {
    /// `CREATE TABLE IF NOT EXISTS name (...) ENGINE = engine`; a cluster
    /// setup passes its own name and engine (a shard's local table, or
    /// `Distributed(...)` over them).
    pub fn create_as(&self, name: &str, engine: &str) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(column, kind)| format!("{column} {kind}"))
            .collect();
        format!(
            "CREATE TABLE IF NOT EXISTS {name} ({}) ENGINE = {engine}",
            columns.join(", ")
        )
    }

    pub fn create(&self) -> String {
        self.create_as(self.name, self.engine)
    }
}

/// How a table that exists compares with auditui's.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// Exactly auditui's columns.
    Current,
    /// An older auditui's: all but the [`Table::newer`] columns.
    Older,
    /// An older auditui's entries table, its hashes in hex ([`Hashes::Hex`]).
    HexHashes,
}

/// What reading or writing a database must know of its tables.
#[derive(Debug)]
pub struct Existing {
    /// The chains table records entries per file (false: an older
    /// auditui made it, and they must be counted).
    pub current: bool,
    pub hashes: Hashes,
}

/// Create the tables that are missing, and check that those that exist
/// have exactly auditui's columns (whatever their engine: a `Distributed`
/// table over shards is fine). A table an older auditui made is refused,
/// naming the statement that brings it up to date: ingest changes no
/// existing table itself (on a cluster every shard's table needs it too).
/// An entries table with hex hashes is written as it is.
pub fn ensure(client: &Client) -> Result<Hashes, String> {
    let mut hashes = Hashes::Bytes;
    for table in &TABLES {
        client.execute(&table.create())?;
        let found = check(client, table)?;
        if found == Found::HexHashes {
            hashes = Hashes::Hex;
        }
        if found == Found::Older {
            let added: Vec<String> = table.columns[table.columns.len() - table.newer..]
                .iter()
                .map(|(name, kind)| format!("ADD COLUMN {name} {kind}"))
                .collect();
            return Err(client.error(&format!(
                "table {} was made by an older auditui; to ingest, first run ALTER TABLE {} {} (on every shard's table too), then ingest again",
                table.name,
                table.name,
                added.join(", ")
            )));
        }
    }
    Ok(hashes)
}

/// Check the tables exist with auditui's columns, creating nothing: for
/// reading a database.
pub fn check_existing(client: &Client) -> Result<Existing, String> {
    let mut existing = Existing {
        current: true,
        hashes: Hashes::Bytes,
    };
    for table in &TABLES {
        match check(client, table)? {
            Found::Current => {}
            Found::Older => existing.current = false,
            Found::HexHashes => existing.hashes = Hashes::Hex,
        }
    }
    Ok(existing)
}

fn check(client: &Client, table: &Table) -> Result<Found, String> {
    let sql = format!(
        "SELECT name, type FROM system.columns WHERE database = {} AND table = {} FORMAT TabSeparated",
        string_literal(&client.url().database),
        string_literal(table.name)
    );
    let found = client.query_text(&sql)?;
    if found.is_empty() {
        return Err(client.error(&format!("table {} does not exist", table.name)));
    }
    let Some(why) = schema_difference(table.columns, &found) else {
        return Ok(Found::Current);
    };
    let older = &table.columns[..table.columns.len() - table.newer];
    if table.newer > 0 && schema_difference(older, &found).is_none() {
        return Ok(Found::Older);
    }
    if table.name == ENTRIES && schema_difference(&Hashes::Hex.entry_columns(), &found).is_none() {
        return Ok(Found::HexHashes);
    }
    Err(client.error(&format!(
        "table {} has another schema: {why}; auditui does not change existing tables",
        table.name
    )))
}

/// What differs between the expected columns and `name\ttype` lines as
/// `system.columns` lists them (in table order on every version).
fn schema_difference(columns: &[(&str, &str)], found: &str) -> Option<String> {
    let found: Vec<(&str, &str)> = found
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect();
    for (i, (name, kind)) in columns.iter().enumerate() {
        match found.get(i) {
            Some((n, k)) if n == name && k == kind => {}
            Some((n, k)) => {
                return Some(format!(
                    "column {} is {n} {k}, expected {name} {kind}",
                    i + 1
                ));
            }
            None => return Some(format!("column {name} {kind} is missing")),
        }
    }
    found
        .get(columns.len())
        .map(|(n, k)| format!("unexpected column {n} {k}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_listed(columns: &[(&str, &str)]) -> String {
        columns.iter().map(|(n, k)| format!("{n}\t{k}\n")).collect()
    }

    #[test]
    fn the_expected_columns_pass_and_any_difference_is_named() {
        let table = TABLES[1].columns;
        assert_eq!(schema_difference(table, &as_listed(table)), None);
        let retyped = as_listed(table).replace("line\tUInt64", "line\tUInt32");
        assert_eq!(
            schema_difference(table, &retyped).unwrap(),
            "column 4 is line UInt32, expected line UInt64"
        );
        let fewer = as_listed(&table[..2]);
        assert_eq!(
            schema_difference(table, &fewer).unwrap(),
            "column file String is missing"
        );
        let more = as_listed(table) + "extra\tString\n";
        assert_eq!(
            schema_difference(table, &more).unwrap(),
            "unexpected column extra String"
        );
    }

    #[test]
    fn an_older_entries_table_with_hex_hashes_is_told_apart() {
        let hex = Hashes::Hex.entry_columns();
        let changed: Vec<&str> = (ENTRY_COLUMNS.iter().zip(&hex))
            .filter(|(current, older)| current != older)
            .map(|((name, _), _)| *name)
            .collect();
        assert_eq!(changed, ["hash", "previous"]);
        assert_eq!(Hashes::Bytes.entry_columns(), ENTRY_COLUMNS);
        assert!(schema_difference(ENTRY_COLUMNS, &as_listed(&hex)).is_some());
        assert_eq!(schema_difference(&hex, &as_listed(&hex)), None);
    }

    #[test]
    fn ddl_uses_only_what_every_server_version_accepts() {
        for table in &TABLES {
            let sql = table.create();
            assert!(sql.starts_with(&format!("CREATE TABLE IF NOT EXISTS {} (", table.name)));
            for newer in ["DateTime64", "LowCardinality", "CODEC", "TTL", "Nullable"] {
                assert!(!sql.contains(newer), "{sql}");
            }
        }
        assert_eq!(
            TABLES[1].create_as("r_local", "Log"),
            "CREATE TABLE IF NOT EXISTS r_local (chain String, position UInt64, file String, line UInt64, raw String) ENGINE = Log"
        );
    }
}
