//! Per-line costs of verification: splitting lines, canonicalising one
//! entry, hashing. Run: `cargo bench --bench line`.

use auditui::generate::{Options, generate};
use auditui::log::canonical::{sha256, write_node};
use auditui::log::entry::LineReader;
use auditui::log::source::Source;
use auditui::log::tape::Tape;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const ENTRIES: u64 = 100_000;

fn log_bytes() -> Vec<u8> {
    let files = generate(&Options::new(ENTRIES)).expect("valid options");
    files.into_iter().flat_map(|f| f.bytes).collect()
}

/// A line of typical length: the median of the generated ones.
fn typical_line(bytes: &[u8]) -> String {
    let mut lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort_by_key(|l| l.len());
    String::from_utf8(lines[lines.len() / 2].to_vec()).expect("generated logs are ASCII")
}

fn benches(c: &mut Criterion) {
    let bytes = log_bytes();
    let line = typical_line(&bytes);

    let mut group = c.benchmark_group("line");
    group.throughput(Throughput::Bytes(line.len() as u64));
    let (mut tape, mut out, mut order) = (Tape::new(), Vec::new(), Vec::new());
    group.bench_function("parse typical entry", |b| {
        b.iter(|| black_box(tape.parse(black_box(&line)).is_ok()))
    });
    group.bench_function("canonicalise typical entry", |b| {
        b.iter(|| {
            out.clear();
            let root = tape.parse(black_box(&line)).expect("valid JSON");
            write_node(root, Some("_hash"), &mut out, &mut order);
            black_box(out.len())
        })
    });
    let mut reader = LineReader::new();
    group.bench_function("read typical entry (parse, hash, fields)", |b| {
        b.iter(|| black_box(reader.read(black_box(line.as_bytes())).is_ok()))
    });
    group.bench_function("sha256 typical entry", |b| {
        b.iter(|| black_box(sha256(black_box(line.as_bytes()))))
    });
    group.finish();

    let mut group = c.benchmark_group("bulk");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    group.bench_function("sha256", |b| {
        b.iter(|| black_box(sha256(black_box(&bytes))))
    });
    let source = Source::from_bytes("bench.jsonl", bytes.clone());
    group.bench_function("split lines", |b| {
        b.iter(|| black_box(source.lines().map(|l| l.bytes.len()).sum::<usize>()))
    });
    // One thread over every line: the per-core cost behind `verify`.
    let texts: Vec<&str> = source
        .lines()
        .map(|l| std::str::from_utf8(l.bytes).expect("generated logs are UTF-8"))
        .collect();
    let (mut tape, mut out, mut order) = (Tape::new(), Vec::new(), Vec::new());
    group.bench_function("parse", |b| {
        b.iter(|| texts.iter().filter(|t| tape.parse(t).is_ok()).count())
    });
    group.bench_function("canonicalise", |b| {
        b.iter(|| {
            for text in &texts {
                out.clear();
                let root = tape.parse(text).expect("valid JSON");
                write_node(root, Some("_hash"), &mut out, &mut order);
            }
            black_box(out.len())
        })
    });
    let mut reader = LineReader::new();
    let entries =
        |read: &mut dyn FnMut(&[u8]) -> bool| texts.iter().filter(|t| read(t.as_bytes())).count();
    group.bench_function("read (parse, hash, fields)", |b| {
        b.iter(|| entries(&mut |line| reader.read(line).is_ok()))
    });
    group.bench_function("read seal (parse, hash: verify alone)", |b| {
        b.iter(|| entries(&mut |line| reader.read_seal(line).is_ok()))
    });
    group.finish();
}

criterion_group!(line, benches);
criterion_main!(line);
