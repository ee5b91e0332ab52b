//! Audit logs stored in ClickHouse.

pub mod sql;
