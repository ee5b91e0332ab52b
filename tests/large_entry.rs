//! An intact chain holding a 50 MB entry, written by the lesson's own code
//! (tests/reference/make_fixtures.py): auditui must call it intact, with
//! the hashes CPython computed, and a configured limit must leave it "not
//! verified", never a finding. The log is built from a committed recipe.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::log::canonical::to_hex;
use auditui::log::entry::LineReader;
use auditui::log::pass::verify;
use auditui::log::source::Source;
use serde_json::Value as Json;
use std::sync::atomic::AtomicBool;

struct Large {
    bytes: Vec<u8>,
    /// (line, length without newline, CPython's hash) of each line.
    expected: Vec<(usize, usize, String)>,
}

/// Expand the recipe: each placeholder becomes its unit repeated `count`
/// times, joined by its separator, exactly as CPython's json.dumps wrote it.
fn large_log() -> Large {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/large_entry.recipe.json"
    );
    let recipe: Json = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut bytes = Vec::new();
    for template in recipe["lines"].as_array().unwrap() {
        let mut line = template.as_str().unwrap().to_owned();
        for p in recipe["placeholders"].as_array().unwrap() {
            let unit = p["unit"].as_str().unwrap();
            let count = p["count"].as_u64().unwrap() as usize;
            let expanded = vec![unit; count].join(p["separator"].as_str().unwrap());
            line = line.replace(p["placeholder"].as_str().unwrap(), &expanded);
        }
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    let expected = recipe["expected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap() as usize,
                e["bytes"].as_u64().unwrap() as usize,
                e["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    Large { bytes, expected }
}

#[test]
fn a_chain_with_a_50_mb_entry_is_intact_with_the_hashes_cpython_computed() {
    let log = large_log();
    let lines: Vec<&[u8]> = log.bytes.split(|&b| b == b'\n').take(3).collect();
    assert!(lines[1].len() > 50_000_000, "{} bytes", lines[1].len());
    let mut reader = LineReader::new();
    for ((line, length, sha256), bytes) in log.expected.iter().zip(&lines) {
        assert_eq!(bytes.len(), *length, "line {line}");
        let seal = reader.read_seal(bytes).unwrap().expect("chained");
        assert_eq!(to_hex(&seal.computed), *sha256, "line {line}");
        assert_eq!(seal.stored, Some(seal.computed), "line {line}");
    }

    let sources = vec![Source::from_bytes("big.jsonl", log.bytes.clone())];
    let (store, v) = auditui::store::load(sources, |_| {}, &AtomicBool::new(false)).unwrap();
    assert!(
        v.intact() && v.complete(),
        "{:?} {:?}",
        v.findings,
        v.unverified
    );
    assert_eq!(v.entries(), 3);
    let head = v.main_chain().unwrap().head.map(|h| to_hex(&h));
    assert_eq!(head.as_deref(), Some(log.expected[2].2.as_str()));
    assert_eq!(store.len(), 3, "the large entry is listed like any other");
}

#[test]
fn past_a_configured_limit_the_entry_is_not_verified_and_nothing_is_accused() {
    let log = large_log();
    let limit = 1 << 20;
    let source = Source::from_bytes("big.jsonl", log.bytes).with_max_entry_bytes(limit);
    let v = verify(&[source]);
    assert!(v.intact(), "no finding: {:?}", v.findings);
    assert!(!v.complete());
    let unverified: Vec<(usize, usize, usize)> = v
        .unverified
        .iter()
        .map(|u| (u.line, u.bytes, u.limit))
        .collect();
    assert_eq!(unverified, vec![(2, log.expected[1].1, limit)]);
    assert!(
        v.unverified[0]
            .message()
            .contains("not verified: too large")
    );
    assert_eq!(v.entries(), 2);
}
