//! Reading audit logs: sources, Python-exact canonical JSON, chain verification.

pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod ends;
pub mod entry;
pub mod excerpt;
pub mod follow;
pub mod json;
mod memo;
pub mod merkle;
pub mod pass;
pub mod reverify;
pub(crate) mod sigbus;
pub mod signing;
pub mod source;
pub mod tape;
