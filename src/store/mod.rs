//! The in-memory columnar store and its filter language.
pub mod filter;
