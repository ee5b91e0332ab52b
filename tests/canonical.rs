//! Differential tests: our canonical JSON and hashes against what CPython,
//! running the lesson's own code, wrote into tests/fixtures/.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::log::canonical::{
    sha256, to_hex, write_canonical, write_canonical_without, write_float, write_node,
};
use auditui::log::entry::parse_line;
use auditui::log::json;
use auditui::log::tape::Tape;
use proptest::prelude::*;
use serde_json::Value as Json;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn jsonl(name: &str) -> Vec<Json> {
    fixture(name)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for b in text.bytes().filter(|&b| b != b'=') {
        acc = acc << 6 | ALPHABET.iter().position(|&a| a == b).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Our verdict on raw bytes: the canonical text, or None where CPython's
/// `json.loads(raw.decode("utf-8"))` raises.
fn ours(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    let value = json::parse(text).ok()?;
    let mut out = Vec::new();
    write_canonical(&value, &mut out);
    let tree = String::from_utf8(out).unwrap();
    // The verifier's hot path canonicalises straight from the token tape;
    // it must agree with the tree walk on every input.
    let mut tape = Tape::new();
    let mut out = Vec::new();
    write_node(tape.parse(text).ok()?, None, &mut out, &mut Vec::new());
    assert_eq!(
        String::from_utf8(out).unwrap(),
        tree,
        "tape and tree differ on {text:?}"
    );
    Some(tree)
}

/// The canonical text of a float written as `text` in a log.
fn float_from_text(text: &str) -> String {
    let mut out = Vec::new();
    write_node(
        Tape::new().parse(text).unwrap(),
        None,
        &mut out,
        &mut Vec::new(),
    );
    String::from_utf8(out).unwrap()
}

#[test]
fn every_handcrafted_case_matches_cpython() {
    let cases = jsonl("canonical_cases.jsonl");
    assert!(cases.len() > 100, "the fixture holds the CPython cases");
    let mut failures = Vec::new();
    for case in &cases {
        let raw = base64_decode(case["input_b64"].as_str().unwrap());
        let want = case["canonical"].as_str().map(str::to_string);
        let got = ours(&raw);
        if got != want {
            failures.push(format!(
                "{}: cpython {:?}, ours {:?}",
                case["name"], want, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn chain_entries_canonicalise_and_hash_exactly_as_the_lesson_wrote_them() {
    let lines = fixture("chain.jsonl");
    let expected = jsonl("chain.expected.jsonl");
    assert_eq!(lines.lines().count(), expected.len());
    for (line, want) in lines.lines().zip(&expected) {
        let entry = parse_line(line.as_bytes()).unwrap();
        let mut canonical = Vec::new();
        write_canonical_without(&entry.value, "_hash", &mut canonical);
        assert_eq!(
            std::str::from_utf8(&canonical).unwrap(),
            want["canonical"].as_str().unwrap(),
            "line {}",
            want["line"]
        );
        assert_eq!(
            to_hex(&sha256(&canonical)),
            want["sha256"].as_str().unwrap()
        );
        let seal = entry.seal(&mut Vec::new()).unwrap().unwrap();
        assert_eq!(
            seal.stored,
            Some(seal.computed),
            "line {} verifies",
            want["line"]
        );
    }
}

#[test]
fn hipaa_entries_hash_their_five_fields_as_the_lesson_does() {
    let lines = fixture("hipaa.jsonl");
    let expected = jsonl("hipaa.expected.jsonl");
    assert_eq!(lines.lines().count(), expected.len());
    for (line, want) in lines.lines().zip(&expected) {
        let entry = parse_line(line.as_bytes()).unwrap();
        let seal = entry.seal(&mut Vec::new()).unwrap().unwrap();
        assert_eq!(
            to_hex(&seal.computed),
            want["sha256"].as_str().unwrap(),
            "line {}",
            want["line"]
        );
        assert_eq!(seal.stored, Some(seal.computed));
    }
}

/// A second, independent path: serde_json (with its own float parser and
/// sorted maps) printing Python-style, for values where both agree by
/// construction (finite floats that serde_json round-trips exactly).
fn python_dumps_reference(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
        Json::Number(n) => {
            let mut buf = Vec::new();
            auditui::log::canonical::write_float(n.as_f64().unwrap(), &mut buf);
            out.push_str(std::str::from_utf8(&buf).unwrap());
        }
        Json::String(s) => {
            let mut buf = Vec::new();
            auditui::log::canonical::write_python_str(s, &mut buf);
            out.push_str(std::str::from_utf8(&buf).unwrap());
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_dumps_reference(item, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.chars().cmp(b.chars()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let mut buf = Vec::new();
                auditui::log::canonical::write_python_str(k, &mut buf);
                out.push_str(std::str::from_utf8(&buf).unwrap());
                out.push_str(": ");
                python_dumps_reference(&map[*k], out);
            }
            out.push('}');
        }
    }
}

/// Prints `v` as JSON with formatting choices read from `choices`: mostly
/// `json.dumps`'s own (so whole sub-objects are already canonical and take
/// the verifier's copying path), sometimes another key order, spacing,
/// string escaping or float spelling (so a copy would be wrong).
fn styled(v: &Json, choices: &mut impl Iterator<Item = u8>, out: &mut String) {
    // Three times in four, the first option: what json.dumps writes.
    fn pick(choices: &mut impl Iterator<Item = u8>, options: &[&'static str]) -> &'static str {
        let c = choices.next().unwrap_or(0) as usize;
        if !c.is_multiple_of(4) {
            options[0]
        } else {
            options[c / 4 % options.len()]
        }
    }
    match v {
        Json::Number(n) if n.is_f64() => {
            if pick(choices, &["repr", "debug"]) == "debug" {
                out.push_str(&format!("{:?}", n.as_f64().unwrap()));
            } else {
                python_dumps_reference(v, out);
            }
        }
        Json::String(s) => {
            if pick(choices, &["ascii", "utf8"]) == "utf8" {
                out.push_str(&serde_json::to_string(s).unwrap());
            } else {
                python_dumps_reference(v, out);
            }
        }
        Json::Array(items) => {
            out.push('[');
            out.push_str(pick(choices, &["", " ", "\n"]));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(pick(choices, &[", ", ",", " , ", ",  "]));
                }
                styled(item, choices, out);
            }
            out.push_str(pick(choices, &["", " "]));
            out.push(']');
        }
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.chars().cmp(b.chars()));
            match pick(choices, &["sorted", "reversed", "rotated"]) {
                "reversed" => keys.reverse(),
                "rotated" if !keys.is_empty() => keys.rotate_left(1),
                _ => {}
            }
            out.push('{');
            out.push_str(pick(choices, &["", " ", "\t"]));
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(pick(choices, &[", ", ",", " , ", ",\n"]));
                }
                styled(&Json::String(k.to_string()), choices, out);
                out.push_str(pick(choices, &[": ", ":", " : ", ":  "]));
                styled(&map[*k], choices, out);
            }
            out.push_str(pick(choices, &["", " "]));
            out.push('}');
        }
        _ => python_dumps_reference(v, out),
    }
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Json::from),
        "\\PC{0,12}".prop_map(Json::String),
        any::<String>().prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..6)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn canonical_form_agrees_with_an_independent_printer(value in arb_json()) {
        // serde_json writes floats with a decimal point or exponent, so they
        // stay floats on re-reading; its float text round-trips exactly.
        let text = serde_json::to_string(&value).unwrap();
        let mut want = String::new();
        python_dumps_reference(&value, &mut want);
        prop_assert_eq!(ours(text.as_bytes()), Some(want));
    }

    /// Floats already in `repr` form are copied, not reformatted: the copy
    /// must be what reformatting would print, however the float is written.
    #[test]
    fn floats_print_as_repr_however_they_were_written(
        x in any::<f64>().prop_filter("finite", |x| x.is_finite()),
        decimals in 0usize..20,
    ) {
        let mut repr = Vec::new();
        write_float(x, &mut repr);
        let repr = String::from_utf8(repr).unwrap();
        for text in [format!("{x:.decimals$}"), format!("{x:?}"), repr.clone()] {
            let text = if text.contains(['.', 'e']) { text } else { format!("{text}.0") };
            let mut want = Vec::new();
            write_float(text.parse::<f64>().unwrap(), &mut want);
            prop_assert_eq!(float_from_text(&text), String::from_utf8(want).unwrap(), "{}", text);
        }
    }

    /// Decimals as log writers print them, short and long, near and far
    /// from the point where repr switches to exponent notation.
    #[test]
    fn written_decimals_print_as_repr(text in "-?(0|[1-9][0-9]{0,17})\\.[0-9]{1,18}") {
        let mut want = Vec::new();
        write_float(text.parse::<f64>().unwrap(), &mut want);
        prop_assert_eq!(float_from_text(&text), String::from_utf8(want).unwrap(), "{}", text);
    }

    /// However a writer formatted the value, the canonical form is the
    /// same; text already canonical in part is copied only where it is.
    #[test]
    fn formatting_never_changes_the_canonical_form(
        value in arb_json(),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut text = String::new();
        styled(&value, &mut choices.iter().copied().cycle(), &mut text);
        let mut want = String::new();
        python_dumps_reference(&value, &mut want);
        prop_assert_eq!(ours(text.as_bytes()), Some(want), "{}", text);
    }

    #[test]
    fn canonicalising_is_idempotent(value in arb_json()) {
        let text = serde_json::to_string(&value).unwrap();
        let once = ours(text.as_bytes()).unwrap();
        prop_assert_eq!(ours(once.as_bytes()), Some(once));
    }
}
