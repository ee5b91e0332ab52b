//! The in-memory columnar store and the queries over it.
//!
//! The store is the seam for other backends (a column database past what one
//! machine holds): views ask it for columns and rows, never for files.

pub mod grown;
pub mod ids;
pub mod lazy;
pub mod offsets;
pub mod query;
#[allow(clippy::module_inception)]
pub mod store;

pub use grown::{Grown, Rows};
pub use lazy::Columns;
pub use store::{RowKey, Store, StoreBuilder};

use crate::log::chain::Verification;
use crate::log::pass::{KeepingLeaves, Progress, scan};
use crate::log::source::Source;
use std::sync::atomic::AtomicBool;

/// Verify the sources and build their store in one pass. `None` if cancelled.
pub fn load(
    sources: Vec<Source>,
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<(Store, Verification)> {
    load_keeping(sources, false, Columns::ALL, on_progress, cancel)
}

/// [`load`], keeping the entries' stored hashes in the verdict when
/// `keep_leaves` (for Merkle proofs), and interning only `columns` while
/// loading (the others are built if and when asked for: see [`lazy`]).
pub fn load_keeping(
    sources: Vec<Source>,
    keep_leaves: bool,
    columns: Columns,
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<(Store, Verification)> {
    let mut builder = StoreBuilder::new(columns, on_progress);
    let verification = if keep_leaves {
        scan(&sources, &mut KeepingLeaves(&mut builder), cancel)?
    } else {
        scan(&sources, &mut builder, cancel)?
    };
    let mut store = builder.store;
    release_freed_memory();
    store.sources = sources;
    store.lines = verification.files.iter().map(|f| f.lines.clone()).collect();
    Some((store, verification))
}

/// Hand the memory the load freed back to the system: the pool threads'
/// batches (parsed fields, canonical buffers) leave tens of megabytes in
/// glibc's per-thread arenas, which it does not return by itself and
/// which the browser would then hold for as long as it runs.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only returns free pages
    // of the allocator's arenas to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
