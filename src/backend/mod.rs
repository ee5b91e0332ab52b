//! Where views get their data: the in-memory store, or a database.

pub mod clickhouse;
