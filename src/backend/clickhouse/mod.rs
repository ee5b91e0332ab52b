//! ClickHouse as a source: the URL, an HTTP client, the tables, and the
//! RowBinary rows that go between them.

pub mod client;
pub mod ingest;
pub mod rowbinary;
pub mod rows;
pub mod schema;
pub mod url;
pub mod verify;

pub use client::Client;
pub use url::Url;
