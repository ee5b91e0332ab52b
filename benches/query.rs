//! Store build, query and histogram speed on 1,000,000 generated entries
//! and through the query seam (`Backend`) against the store directly
//! (targets and figures in BENCHMARKS.md).
//!
//! Run: `cargo bench --bench query`. The log is generated in memory by
//! `auditui::generate` (never committed).

use auditui::backend::memory::MemoryBackend;
use auditui::backend::{self, Backend, Order, PageAt};
use auditui::filter::{Field, parse_filter, quote_value};
use auditui::generate::{Options, generate};
use auditui::log::pass;
use auditui::log::source::Source;
use auditui::store::query::select;
use auditui::store::{self, Store};
use auditui::views::histogram::{Width, histogram, tool_latency};
use auditui::views::stats::tool_stats;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const ENTRIES: u64 = 1_000_000;

fn log_bytes() -> Vec<u8> {
    let files = generate(&Options::new(ENTRIES)).expect("valid options");
    files.into_iter().flat_map(|f| f.bytes).collect()
}

fn sources(bytes: &[u8]) -> Vec<Source> {
    vec![Source::from_bytes("bench.jsonl", bytes.to_vec())]
}

fn load(bytes: &[u8]) -> Store {
    store::load(sources(bytes), |_| {}, &AtomicBool::new(false))
        .expect("never cancelled")
        .0
}

/// A value of `field` that occurs in the store, as a filter term.
fn term(store: &Store, field: Field, nth: usize) -> String {
    let dict = &store.column(field).dict;
    let (_, value) = dict
        .values()
        .nth(nth % dict.len().max(1))
        .unwrap_or_else(|| panic!("the generated log has no {field:?} values"));
    format!("{}:{}", field.key(), quote_value(value))
}

fn benches(c: &mut Criterion) {
    let bytes = log_bytes();
    eprintln!("{ENTRIES} entries, {} MB", bytes.len() >> 20);

    let mut build = c.benchmark_group("build");
    build
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    build.bench_function("verify only", |b| {
        b.iter_batched(
            || sources(&bytes),
            |sources| black_box(pass::verify(&sources)),
            BatchSize::PerIteration,
        )
    });
    build.bench_function("verify + store", |b| {
        b.iter_batched(
            || sources(&bytes),
            |sources| black_box(store::load(sources, |_| {}, &AtomicBool::new(false))),
            BatchSize::PerIteration,
        )
    });
    build.finish();

    let store = load(&bytes);
    let structured = [
        ("user", term(&store, Field::User, 7)),
        (
            "tool alternatives",
            format!("{}|{}", term(&store, Field::Tool, 1), "search_kb"),
        ),
        ("conversation", term(&store, Field::Conversation, 1000)),
        ("patient", term(&store, Field::Patient, 3)),
        (
            "negated model",
            format!("-{}", term(&store, Field::Model, 0)),
        ),
        (
            "role + model",
            format!(
                "{} {}",
                term(&store, Field::Role, 2),
                term(&store, Field::Model, 1)
            ),
        ),
        ("trigger", term(&store, Field::Trigger, 1)),
        ("ip", term(&store, Field::Ip, 5)),
        ("failed", "failed".to_owned()),
        (
            "since + until",
            "since:2025-07-07 until:2025-07-08T12:00".to_owned(),
        ),
        ("last", "last:1h".to_owned()),
        ("absent value", "user:nobody_at_all".to_owned()),
    ];
    let mut group = c.benchmark_group("structured");
    for (name, query) in &structured {
        let filter = parse_filter(query).expect(query);
        eprintln!("{name}: {query} → {} rows", select(&store, &filter).len());
        group.bench_function(*name, |b| b.iter(|| black_box(select(&store, &filter))));
    }
    group.finish();

    let text = [
        ("ascii word", "\"timed out\"".to_owned()),
        (
            "ascii phrase, mixed case",
            "\"Cannot CANCEL shipped\"".to_owned(),
        ),
        ("ascii, no match", "\"zqxj nowhere\"".to_owned()),
        ("no letters", "\"(503)\"".to_owned()),
        ("non-ascii", "\"müller\"".to_owned()),
        (
            "text after a field",
            format!("{} \"timed out\"", term(&store, Field::Tool, 1)),
        ),
    ];
    let mut group = c.benchmark_group("free text");
    group.sample_size(20);
    for (name, query) in &text {
        let filter = parse_filter(query).expect(query);
        eprintln!("{name}: {query} → {} rows", select(&store, &filter).len());
        group.bench_function(*name, |b| b.iter(|| black_box(select(&store, &filter))));
    }
    group.finish();
}

/// What the browser recomputes when the selection or the bucket width
/// changes: the histogram over a 160-column screen, and the per-tool p95
/// sparklines over the same buckets.
fn histograms(c: &mut Criterion) {
    let store = load(&log_bytes());
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let failed = select(&store, &parse_filter("failed").expect("a filter"));
    let mut group = c.benchmark_group("histogram");
    for (name, rows) in [("all rows", &all), ("failed rows", &failed)] {
        let h = histogram(&store, rows, Width::Auto(158)).expect("fits");
        eprintln!(
            "{name}: {} rows → {} buckets of {} µs",
            rows.len(),
            h.buckets.len(),
            h.width
        );
        group.bench_function(format!("calls and failures, {name}"), |b| {
            b.iter(|| black_box(histogram(&store, rows, Width::Auto(158))))
        });
        group.bench_function(format!("per-tool p95, {name}"), |b| {
            b.iter(|| black_box(tool_latency(&store, rows, &h, 12)))
        });
    }
    group.finish();
}

/// The same questions asked of the store directly and through the query
/// seam (`MemoryBackend`): the seam should cost nothing visible.
fn seam(c: &mut Criterion) {
    let bytes = log_bytes();
    let backend = MemoryBackend::load(sources(&bytes), |_| {}, &AtomicBool::new(false))
        .expect("never cancelled");
    let store = load(&bytes);
    let never = AtomicBool::new(false);
    let mut group = c.benchmark_group("seam");
    for (name, query) in [
        ("user", term(&store, Field::User, 7)),
        ("failed", "failed".into()),
    ] {
        let filter = parse_filter(&query).expect("a filter");
        group.bench_function(format!("select {name}, store"), |b| {
            b.iter(|| black_box(select(&store, &filter)))
        });
        group.bench_function(format!("select {name}, backend"), |b| {
            b.iter(|| black_box(backend.select(&filter, Order::Time, &never)))
        });
    }
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let everything = backend::everything(&backend, Order::Time).expect("in memory");
    group.bench_function("stats of all, store", |b| {
        b.iter(|| black_box(tool_stats(&store, &all)))
    });
    group.bench_function("stats of all, backend", |b| {
        b.iter(|| black_box(everything.tool_stats()))
    });
    // What the entries pane draws per frame: 40 rows from the middle.
    let middle = store.len() / 2;
    group.bench_function("page of 40, store", |b| {
        b.iter(|| {
            black_box(
                all[middle..middle + 40]
                    .iter()
                    .map(|&r| {
                        let r = r as usize;
                        (store.text(Field::User, r), store.location(r), store.time[r])
                    })
                    .count(),
            )
        })
    });
    group.bench_function("page of 40, backend", |b| {
        b.iter(|| black_box(everything.page(PageAt::Index(middle), 40)))
    });
    group.finish();
}

criterion_group!(query, benches, histograms, seam);
criterion_main!(query);
