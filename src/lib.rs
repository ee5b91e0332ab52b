//! auditui: browse and verify hash-chained audit logs of AI tool calls.
//!
//! Data flows one way: `log` (sources, canonical JSON, chain verification)
//! → `filter` (the filter language) → `store` (columns, queries) → `views`
//! (plain structs) → `backend` (the query seam) → `export`, `config` →
//! `tui`, `cli`. Lower layers never import upper ones (ARCHITECTURE.md);
//! `tests/layers.rs` lists the layers and enforces the order.

pub mod backend;
pub mod cli;
pub mod config;
pub mod export;
pub mod filter;
pub mod generate;
pub mod leaks;
pub mod log;
pub mod store;
pub mod testing;
pub mod text;
pub mod time;
pub mod tui;
pub mod views;
