//! The in-memory columnar store and the queries over it.
//!
//! The store is the seam for other backends (a column database past what one
//! machine holds): views ask it for columns and rows, never for files.

pub mod query;
#[allow(clippy::module_inception)]
pub mod store;

pub use store::{RowKey, Store, StoreBuilder};

use crate::log::chain::Verification;
use crate::log::pass::{Progress, scan};
use crate::log::source::Source;
use std::sync::atomic::AtomicBool;

/// Verify the sources and build their store in one pass. `None` if cancelled.
pub fn load(
    sources: Vec<Source>,
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<(Store, Verification)> {
    let mut builder = StoreBuilder::new(on_progress);
    let verification = scan(&sources, &mut builder, cancel)?;
    let mut store = builder.store;
    store.sources = sources;
    store.lines = verification.files.iter().map(|f| f.lines.clone()).collect();
    Some((store, verification))
}
