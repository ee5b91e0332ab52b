//! The in-memory columnar store and the queries over it.
//!
//! The store is the seam for other backends (a column database past what one
//! machine holds): views ask it for columns and rows, never for files.

pub mod grown;
pub mod ids;
pub mod lazy;
pub mod offsets;
pub mod pooled;
pub mod query;
#[allow(clippy::module_inception)]
pub mod store;

pub use grown::{Grown, Rows};
pub use lazy::Columns;
pub use store::{RowKey, Store, StoreBuilder};

use crate::filter::Filter;
use crate::log::chain::{LineMap, Verification};
use crate::log::pass::{self, KeepingLeaves, Progress, scan};
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
    let builder = StoreBuilder::new(columns, on_progress);
    load_with(builder, sources, keep_leaves, cancel)
}

/// [`load_keeping`] with `builder`.
fn load_with(
    mut builder: StoreBuilder<'_>,
    sources: Vec<Source>,
    keep_leaves: bool,
    cancel: &AtomicBool,
) -> Option<(Store, Verification)> {
    let verification = if keep_leaves {
        scan(&sources, &mut KeepingLeaves(&mut builder), cancel)?
    } else {
        scan(&sources, &mut builder, cancel)?
    };
    let store = finish(builder, sources, lines_of(&verification));
    Some((store, verification))
}

/// [`load_keeping`] of the entries `filter` matches alone, tested as the
/// pool reads each line (`query::RowFilter`), when it can be tested on one
/// entry: for a command that reads the selection's rows and no line after
/// the load (a count, `stats`, `histogram`), which may pass its sources
/// [read once](Source::read_once).
/// Selecting by `filter` then selects every row; only `columns` are
/// interned (a column the filter compares is built if something asks for
/// it), other questions get that store's answers, and it knows no line
/// number. With no filter, or one with `last:` (the newest entry decides),
/// every entry is loaded as by [`load_keeping`], with the filter's columns.
pub fn load_matching(
    sources: Vec<Source>,
    columns: Columns,
    filter: &Filter,
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<(Store, Verification)> {
    // The store interns the caller's columns alone; the pool picks the
    // filter's too, to test it.
    let tested = columns.with_filter(filter);
    let test = (!filter.is_empty())
        .then(|| query::RowFilter::new(filter, &sources))
        .flatten();
    // Interned on the pool: such a store answers counts and texts, not
    // the order of its ids (`store::pooled`).
    let Some(test) = test else {
        let builder = StoreBuilder::new(tested, on_progress).interning_on_pool();
        return load_with(builder, sources, false, cancel);
    };
    let mut builder =
        (StoreBuilder::new(columns, on_progress).interning_on_pool()).keeping(test, tested);
    let verification = scan(&sources, &mut builder, cancel)?;
    // Its rows are some of the entries: the files' line maps would not
    // number them.
    let mut store = finish(builder, sources, Vec::new());
    store.matching = Some(filter.clone());
    Some((store, verification))
}

/// The store of `sources` verified already (`verification` is their
/// verdict), every column interned, built without hashing them again: the
/// browser shows the verdict first (ARCHITECTURE.md, "The browser's
/// load"). `None` if cancelled.
pub fn index(
    sources: Vec<Source>,
    verification: &Verification,
    on_progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Option<Store> {
    let mut builder = StoreBuilder::new(Columns::ALL, on_progress);
    pass::index(&sources, &mut builder, cancel)?;
    Some(finish(builder, sources, lines_of(verification)))
}

/// The store a load built, given its sources and where their entries are
/// among their lines.
fn finish(builder: StoreBuilder<'_>, sources: Vec<Source>, lines: Vec<LineMap>) -> Store {
    let mut store = builder.into_store();
    release_freed_memory();
    store.sources = sources;
    store.lines = lines;
    store
}

/// Where each verified file's entries are among its lines.
fn lines_of(verification: &Verification) -> Vec<LineMap> {
    verification.files.iter().map(|f| f.lines.clone()).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{Field, parse_filter};
    use crate::generate::{Options, generate};
    use crate::log::entry::{Picks, Scheme};
    use crate::store::query::select;

    /// Two files of a generated log of `scheme`, with a line that is not
    /// JSON, a tampered timestamp and, for the chains, an entry without
    /// its link.
    fn tampered(scheme: Scheme) -> Vec<Source> {
        let options = Options {
            scheme,
            files: 2,
            ..Options::new(600)
        };
        let files = generate(&options).expect("valid options");
        files
            .into_iter()
            .map(|file| {
                let text = String::from_utf8(file.bytes).unwrap();
                let mut lines: Vec<String> = text.lines().map(|l| format!("{l}\n")).collect();
                lines[7] = lines[7].replacen("\"timestamp\": \"2", "\"timestamp\": \"1", 1);
                lines[20] = lines[20]
                    .replacen("\"_previous_hash\"", "\"_gone\"", 1)
                    .replacen("\"previous_hash\"", "\"gone\"", 1);
                lines.insert(40, "not json\n".into());
                Source::from_bytes(file.name, lines.concat().into_bytes())
            })
            .collect()
    }

    /// Everything a row holds, as the browser reads it.
    fn rows(store: &Store) -> Vec<String> {
        (0..store.len())
            .map(|row| {
                let key = store.key(row);
                let texts: Vec<Option<&str>> =
                    Field::ALL.iter().map(|&f| store.text(f, row)).collect();
                format!(
                    "{} {} {} {texts:?} {:?} {:?} {:?} {:?} {:?}",
                    key.time,
                    key.source,
                    key.position,
                    store.outcome[row],
                    store.duration_ms[row].to_bits(),
                    store.turn(row),
                    store.location(row),
                    String::from_utf8_lossy(store.raw_line(row)),
                )
            })
            .collect()
    }

    #[test]
    fn a_store_indexed_after_verifying_is_the_one_loaded_with_its_verdict() {
        let go_on = AtomicBool::new(false);
        for scheme in [Scheme::Chain, Scheme::Hipaa, Scheme::Plain] {
            let (loaded, verdict) = load(tampered(scheme), |_| {}, &go_on).unwrap();
            let verified = pass::verify(&tampered(scheme));
            assert_eq!(verified.findings, verdict.findings, "{scheme:?}");
            assert!(verified.findings.len() >= 2, "{:?}", verified.findings);
            let indexed = index(tampered(scheme), &verified, |_| {}, &go_on).unwrap();
            assert_eq!(indexed.len(), verified.entries(), "{scheme:?}");
            assert_eq!(rows(&indexed), rows(&loaded), "{scheme:?}");
        }
        let cancelled = AtomicBool::new(true);
        let verified = pass::verify(&tampered(Scheme::Chain));
        assert!(index(tampered(Scheme::Chain), &verified, |_| {}, &cancelled).is_none());
    }

    #[test]
    fn a_store_interned_on_the_pool_holds_each_rows_texts_and_each_text_once() {
        let go_on = AtomicBool::new(false);
        let sources = lazy::generated_sources(5_000);
        let (whole, _) = load(sources(), |_| {}, &go_on).unwrap();
        let fields = [Field::Tool, Field::User, Field::Conversation];
        let columns = fields.iter().fold(Columns::FILTER_ONLY, |c, &f| c.with(f));
        // Loads one after another: a pool thread's dictionaries of the
        // load before are not taken for this one's.
        for query in ["", "failed", "last:3h", "", "refund"] {
            let filter = parse_filter(query).expect("a valid filter");
            let (pooled, _) = load_matching(sources(), columns, &filter, |_| {}, &go_on).unwrap();
            let (rows, whole_rows) = (select(&pooled, &filter), select(&whole, &filter));
            for field in fields {
                let texts = |store: &Store, rows: &[u32]| -> Vec<Option<String>> {
                    let rows = rows.iter().map(|&row| store.text(field, row as usize));
                    rows.map(|text| text.map(str::to_owned)).collect()
                };
                let kept = texts(&pooled, &rows);
                assert_eq!(kept, texts(&whole, &whole_rows), "{query} {field:?}");
                let distinct: std::collections::HashSet<_> = kept.iter().flatten().collect();
                let dict = &pooled.column(field).dict;
                assert_eq!(dict.len(), distinct.len(), "{query} {field:?}");
            }
        }
    }

    #[test]
    fn a_store_of_the_matching_entries_holds_the_rows_a_whole_one_selects() {
        let go_on = AtomicBool::new(false);
        for scheme in [Scheme::Chain, Scheme::Hipaa] {
            let (whole, verdict) = load(tampered(scheme), |_| {}, &go_on).unwrap();
            let some_user = whole.text(Field::User, 3).unwrap().to_owned();
            let some_patient = (0..whole.len())
                .find_map(|row| whole.text(Field::Patient, row))
                .unwrap()
                .to_owned();
            for query in [
                "".to_owned(),
                "tool:get_order".to_owned(),
                "-tool:get_order|search_kb failed".to_owned(),
                "refund".to_owned(),
                "-REFUND ok".to_owned(),
                "\"timed out\"".to_owned(),
                "café -ok".to_owned(),
                "since:2025-07-06T09:00:00Z until:2025-07-06T20:00:00Z".to_owned(),
                "-since:2025-07-06T09:00:00Z".to_owned(),
                "last:3h tool:get_order".to_owned(),
                "tool:no_such_tool".to_owned(),
                "-tool:no_such_tool".to_owned(),
                format!("user:{some_user}"),
                format!("patient:{some_patient} -failed"),
            ] {
                let filter = parse_filter(&query).expect("a valid filter");
                let wanted: Vec<&[u8]> = (select(&whole, &filter).into_iter())
                    .map(|row| whole.raw_line(row as usize))
                    .collect();
                // As `histogram` loads: times and outcomes alone, the
                // sources read once.
                let times = Columns::FILTER_ONLY.reading(Picks::TIME.and(Picks::OUTCOME));
                let once = tampered(scheme)
                    .into_iter()
                    .map(Source::read_once)
                    .collect();
                let (kept, kept_verdict) =
                    load_matching(once, times, &filter, |_| {}, &go_on).unwrap();
                assert_eq!(kept_verdict.findings, verdict.findings, "{query}");
                let rows = select(&kept, &filter);
                let lines: Vec<&[u8]> = rows.iter().map(|&r| kept.raw_line(r as usize)).collect();
                assert_eq!(lines, wanted, "{scheme:?} {query}");
                if !query.starts_with("last:") {
                    assert_eq!(kept.len(), wanted.len(), "only the matching rows: {query}");
                }
                // What `histogram` reads of its rows: equal, its buckets
                // are too.
                let whole_rows = select(&whole, &filter);
                let times = |store: &Store, rows: &[u32]| -> Vec<_> {
                    let rows = rows.iter().map(|&row| row as usize);
                    rows.map(|row| (store.time[row], store.outcome[row]))
                        .collect()
                };
                assert_eq!(times(&kept, &rows), times(&whole, &whole_rows), "{query}");
                // The columns the filter compares are not interned while
                // loading (the pool tested them), and are built, the
                // same, when asked for.
                let filtered = !filter.is_empty() && !query.starts_with("last:");
                let compared = Columns::FILTER_ONLY.with_filter(&filter);
                for field in Field::ALL {
                    let interned = compared.contains(field) && !filtered;
                    assert_eq!(kept.built(field), interned, "{query} {field:?}");
                }
                let texts = |store: &Store, rows: &[u32]| -> Vec<Option<String>> {
                    let texts = rows.iter().flat_map(|&row| {
                        [Field::Tool, Field::User].map(|f| store.text(f, row as usize))
                    });
                    texts.map(|text| text.map(str::to_owned)).collect()
                };
                assert_eq!(texts(&kept, &rows), texts(&whole, &whole_rows), "{query}");
            }
        }
    }
}
