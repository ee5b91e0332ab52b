//! auditui: browse and verify hash-chained audit logs of AI tool calls.
//!
//! Data flows one way: `log` (sources, canonical JSON, chain verification)
//! → `store` (columns, filter language, queries) → `views` (plain structs)
//! → `tui`, `cli` and `export`. Lower layers never import upper ones.

pub mod backend;
pub mod cli;
pub mod config;
pub mod export;
pub mod generate;
pub mod log;
pub mod scan;
pub mod store;
pub mod text;
pub mod tui;
pub mod views;
