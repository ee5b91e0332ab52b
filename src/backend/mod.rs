//! Where entries live besides local files.

pub mod clickhouse;
