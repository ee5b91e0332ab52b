//! The generator's pieces against Python and libm.

use super::isoformat::IsoFormat;
use super::pyjson::{PyJson, canonicalize_own};
use super::rng::{det_exp, det_ln, mix32};
use super::world::hash_pii;
use super::*;
use crate::log::canonical::write_canonical_without;
use crate::log::json;

fn py(build: impl FnOnce(&mut PyJson<'_>)) -> String {
    let mut out = Vec::new();
    build(&mut PyJson::new(&mut out));
    String::from_utf8(out).unwrap()
}

#[test]
fn the_writer_prints_like_json_dumps() {
    let text = py(|w| {
        w.begin_object();
        w.key("a").int(-3).key("b").float(25.0).key("c").bool(true);
        w.key("e")
            .begin_array()
            .str("José")
            .text(format_args!("x{}", "\u{1F4E6}"))
            .end_array();
        w.key("f")
            .begin_object()
            .end_object()
            .key("g")
            .begin_array()
            .end_array();
        w.end_object();
    });
    assert_eq!(
        text,
        r#"{"a": -3, "b": 25.0, "c": true, "e": ["Jos\u00e9", "x\ud83d\udce6"], "f": {}, "g": []}"#
    );
}

#[test]
fn own_canonical_form_matches_the_verifier() {
    let line = py(|w| {
        w.begin_object();
        w.key("z")
            .str("a \"quoted\", {braced} [list] \\ text")
            .key("b")
            .begin_array();
        w.begin_object()
            .key("y")
            .int(1)
            .key("x")
            .begin_object()
            .end_object()
            .end_object();
        w.begin_array().end_array().float(1e-5).str("}").end_array();
        w.key("a")
            .begin_object()
            .key("d")
            .bool(false)
            .key("c")
            .str("é😀")
            .end_object();
        w.key("_previous_hash").str("genesis");
        w.end_object();
    });
    let mut ours = Vec::new();
    canonicalize_own(line.as_bytes(), &mut ours, &mut Vec::new());
    let mut reference = Vec::new();
    write_canonical_without(&json::parse(&line).unwrap(), "_hash", &mut reference);
    assert_eq!(
        String::from_utf8(ours).unwrap(),
        String::from_utf8(reference).unwrap()
    );
}

#[test]
fn timestamps_match_python_isoformat() {
    let start = parse_start("2025-07-06T14:23:01.456789Z").unwrap();
    assert_eq!(
        IsoFormat::new(start).as_str(),
        "2025-07-06T14:23:01.456789+00:00"
    );
    assert_eq!(
        IsoFormat::new(start - 456_789).as_str(),
        "2025-07-06T14:23:01+00:00"
    );
    assert_eq!(
        IsoFormat::new(parse_start("2024-02-29").unwrap()).as_str(),
        "2024-02-29T00:00:00+00:00"
    );
    assert_eq!(IsoFormat::new(0).as_str(), "1970-01-01T00:00:00+00:00");
}

#[test]
fn deterministic_math_is_close_to_libm() {
    for x in [-20.0, -1.5, -0.1, 0.0, 0.3, 1.0, 2.5, 10.0] {
        let (ours, std) = (det_exp(x), f64::exp(x));
        assert!(
            ((ours - std) / std).abs() < 1e-14,
            "exp({x}) = {ours} vs {std}"
        );
    }
    for x in [1e-300, 1e-5, 0.1, 0.5, 1.0, 2.0, 123.456, 1e300] {
        let (ours, std) = (det_ln(x), f64::ln(x));
        assert!(
            (ours - std).abs() < 1e-12 * std.abs().max(1.0),
            "ln({x}) = {ours} vs {std}"
        );
    }
}

#[test]
fn pii_hashes_match_the_lesson() {
    // hashlib.sha256("José Müller".encode()).hexdigest()[:16]
    assert_eq!(hash_pii("José Müller"), "sha256:7d47d57d70551eb7");
}

#[test]
fn rotated_names_are_newest_first() {
    let mut options = Options::new(10);
    options.files = 3;
    assert_eq!(
        options.file_names(),
        ["audit.2.jsonl", "audit.1.jsonl", "audit.jsonl"]
    );
    assert_eq!(options.file_entries(), [3, 3, 4]);
}

#[test]
fn conversation_ids_do_not_collide() {
    let ids: std::collections::HashSet<u32> = (0..100_000u32).map(mix32).collect();
    assert_eq!(ids.len(), 100_000);
}
