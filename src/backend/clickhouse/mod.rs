//! ClickHouse as a source: the URL, an HTTP client, the tables, the
//! RowBinary rows that go between them, the filter language as SQL, and
//! the [`crate::backend::Backend`] answering from the database.

pub mod client;
pub mod query;
pub mod rowbinary;
pub mod rows;
pub mod schema;
pub mod sql;
pub mod url;

pub use client::Client;
pub use query::ClickHouseBackend;
pub use url::Url;
