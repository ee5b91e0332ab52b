//! Whole-log costs: verification alone and verification plus the store,
//! on generated entries held in memory. Run: `cargo bench --bench load`.

use auditui::generate::{Options, generate};
use auditui::log::pass;
use auditui::log::source::Source;
use auditui::store;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

const ENTRIES: u64 = 200_000;

/// A way of loading, returning a count so that nothing is optimised away.
type Run = fn(Vec<Source>) -> usize;

fn sources(bytes: &[u8]) -> Vec<Source> {
    vec![Source::from_bytes("bench.jsonl", bytes.to_vec())]
}

fn benches(c: &mut Criterion) {
    let files = generate(&Options::new(ENTRIES)).expect("valid options");
    let bytes: Vec<u8> = files.into_iter().flat_map(|f| f.bytes).collect();

    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    let runs: [(&str, Run); 2] = [
        ("verify", |sources| pass::verify(&sources).entries()),
        ("verify + store", |sources| {
            store::load(sources, |_| {}, &AtomicBool::new(false))
                .map_or(0, |(store, _)| store.len())
        }),
    ];
    for (name, run) in runs {
        group.bench_function(name, |b| {
            b.iter_batched(
                || sources(&bytes),
                |sources| black_box(run(sources)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(load, benches);
criterion_main!(load);
