//! ClickHouse as a source: the URL, an HTTP client, the tables, the
//! RowBinary rows that go between them, ingest and verify, the filter
//! language as SQL, and the [`crate::backend::Backend`] that answers every
//! question from the database.

mod batches;
pub mod client;
pub mod fetch;
pub mod ingest;
pub mod query;
pub mod recorded;
mod resume;
pub mod rowbinary;
pub mod rows;
pub mod schema;
pub mod sql;
pub mod url;
pub mod verify;

pub use client::Client;
pub use query::ClickHouseBackend;
pub use url::Url;
