//! auditui: browse and verify hash-chained audit logs of AI tool calls.
//!
//! Data flows one way: `log` (sources, canonical JSON, chain verification)
//! → `store` (columns, filter language, queries) → `views` (plain structs)
//! → `tui`, `cli` and `export`. Lower layers never import upper ones.

pub mod cli;
pub mod config;
pub mod export;
pub mod filter;
pub mod generate;
pub mod leaks;
pub mod log;
pub mod store;
pub mod text;
pub mod time;
pub mod tui;
pub mod views;
