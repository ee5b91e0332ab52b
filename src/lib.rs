//! auditui: browse and verify hash-chained audit logs of AI tool calls.
//!
//! Data flows one way: `log` (sources, canonical JSON, chain verification)
//! → `store` (columns, queries; the `filter` language) → `views` (plain
//! structs) → `backend` (the query seam) → `export`, `config` → `tui`,
//! `cli`. Lower layers never import upper ones (ARCHITECTURE.md).

pub mod backend;
pub mod cli;
pub mod config;
pub mod export;
pub mod filter;
pub mod generate;
pub mod leaks;
pub mod log;
pub mod store;
pub mod text;
pub mod tui;
pub mod views;
