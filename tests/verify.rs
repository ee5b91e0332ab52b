//! Verification on logs written by the lesson's own code (tests/fixtures),
//! and every tamper class located at its line with the right kind.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::log::chain::{FindingKind, Verification};
use auditui::log::checkpoint::Checkpoint;
use auditui::log::pass::verify;
use auditui::log::source::Source;
use serde_json::Value as Json;

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn lines_of(name: &str) -> Vec<String> {
    String::from_utf8(fixture_bytes(name))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn verify_bytes(bytes: &[u8]) -> Verification {
    verify(&[Source::from_bytes("log.jsonl", bytes.to_vec())])
}

fn verify_lines(lines: &[String]) -> Verification {
    verify_bytes((lines.join("\n") + "\n").as_bytes())
}

fn findings(v: &Verification) -> Vec<(usize, FindingKind)> {
    v.findings.iter().map(|f| (f.line, f.kind)).collect()
}

/// Rewrite one entry's JSON and re-serialise it as Python would not care to.
fn edit(line: &str, change: impl FnOnce(&mut Json)) -> String {
    let mut value: Json = serde_json::from_str(line).unwrap();
    change(&mut value);
    serde_json::to_string(&value).unwrap()
}

/// Chain lines the strict serde_json can read (no NaN, no lone surrogates).
fn strict_chain() -> Vec<String> {
    lines_of("bitflip_chain.jsonl")
}

#[test]
fn logs_written_by_the_lesson_code_verify_intact() {
    for name in [
        "chain.jsonl",
        "hipaa.jsonl",
        "bitflip_chain.jsonl",
        "bitflip_hipaa.jsonl",
    ] {
        let v = verify_bytes(&fixture_bytes(name));
        assert!(v.intact(), "{name}: {:?}", v.findings);
        assert!(v.entries() >= 20);
    }
    let hipaa = verify_bytes(&fixture_bytes("hipaa.jsonl"));
    assert!(hipaa.weak(), "the hipaa scheme protects five fields only");
    assert_eq!(hipaa.scheme(), "hipaa");
}

#[test]
fn an_edited_value_is_modified_at_its_line() {
    let mut lines = strict_chain();
    lines[6] = edit(&lines[6], |v| v["tool_name"] = "drop_database".into());
    assert_eq!(
        findings(&verify_lines(&lines)),
        vec![(7, FindingKind::Modified)]
    );
}

#[test]
fn an_edited_nested_value_is_modified_at_its_line() {
    let mut lines = strict_chain();
    lines[11] = edit(&lines[11], |v| {
        v["session_metadata"]["user_role"] = "admin".into()
    });
    assert_eq!(
        findings(&verify_lines(&lines)),
        vec![(12, FindingKind::Modified)]
    );
}

#[test]
fn a_deleted_entry_breaks_the_link_at_the_next_line() {
    let mut lines = strict_chain();
    lines.remove(9);
    assert_eq!(
        findings(&verify_lines(&lines)),
        vec![(10, FindingKind::Link)]
    );
}

#[test]
fn swapped_entries_break_the_link_at_the_first() {
    let mut lines = strict_chain();
    lines.swap(4, 5);
    let v = verify_lines(&lines);
    assert_eq!(v.findings[0].line, 5);
    assert!(v.findings.iter().all(|f| f.kind == FindingKind::Link));
}

#[test]
fn a_forged_self_consistent_entry_is_caught_at_the_entry_after_it() {
    let mut lines = strict_chain();
    // Forge entry 4' linking to entry 4 and hashing correctly by itself.
    let forged = edit(&lines[3], |v| {
        v["_previous_hash"] = v["_hash"].clone();
        v["tool_name"] = "issue_refund".into();
    });
    let forged = rehash(&forged);
    lines.insert(4, forged);
    let v = verify_lines(&lines);
    assert_eq!(findings(&v), vec![(6, FindingKind::Link)]);
    assert!(
        v.findings[0].message.contains("line 5 was inserted"),
        "{}",
        v.findings[0].message
    );
}

/// Recompute `_hash` with auditui's own canonicaliser (a forger's tool).
fn rehash(line: &str) -> String {
    use auditui::log::canonical::{sha256, to_hex, write_canonical_without};
    let entry = auditui::log::entry::parse_line(line.as_bytes()).unwrap();
    let mut canonical = Vec::new();
    write_canonical_without(&entry.value, "_hash", &mut canonical);
    edit(line, |v| v["_hash"] = to_hex(&sha256(&canonical)).into())
}

#[test]
fn a_garbled_line_is_malformed_and_the_chain_resyncs() {
    let mut lines = strict_chain();
    lines[7] = lines[7].replace("\"tool_name\"", "\"tool_name");
    assert_eq!(
        findings(&verify_lines(&lines)),
        vec![(8, FindingKind::Malformed)]
    );
}

#[test]
fn a_final_line_cut_mid_write_is_incomplete_not_tampering() {
    let text = String::from_utf8(fixture_bytes("bitflip_chain.jsonl")).unwrap();
    let cut = &text[..text.len() - 40];
    let v = verify_bytes(cut.as_bytes());
    assert_eq!(findings(&v), vec![(20, FindingKind::Incomplete)]);
}

#[test]
fn tail_truncation_is_seen_only_with_a_checkpoint() {
    let lines = strict_chain();
    let full = verify_lines(&lines);
    let checkpoint = Checkpoint::of(full.main_chain().unwrap(), None).unwrap();
    let short: Vec<String> = lines[..15].to_vec();
    let sources = [Source::from_bytes(
        "log.jsonl",
        (short.join("\n") + "\n").into_bytes(),
    )];
    let v = verify(&sources);
    assert!(v.intact(), "a plain chain cannot see its tail cut off");
    let found = checkpoint.check(&v, &sources);
    assert_eq!(
        found.iter().map(|f| (f.line, f.kind)).collect::<Vec<_>>(),
        vec![(15, FindingKind::Truncated)]
    );
}

#[test]
fn a_rewrite_from_an_entry_onwards_is_seen_only_with_a_checkpoint() {
    let lines = strict_chain();
    let checkpoint = Checkpoint::of(verify_lines(&lines).main_chain().unwrap(), None).unwrap();
    // Rewrite entries 12.. and re-chain them: self-consistent, so intact.
    let mut rewritten = lines[..11].to_vec();
    let mut previous: Json = serde_json::from_str::<Json>(&lines[10]).unwrap()["_hash"].clone();
    for line in &lines[11..] {
        let changed = rehash(&edit(line, |v| {
            v["_previous_hash"] = previous.clone();
            v["duration_ms"] = 1.into();
        }));
        previous = serde_json::from_str::<Json>(&changed).unwrap()["_hash"].clone();
        rewritten.push(changed);
    }
    let sources = [Source::from_bytes(
        "log.jsonl",
        (rewritten.join("\n") + "\n").into_bytes(),
    )];
    let v = verify(&sources);
    assert!(v.intact());
    let found = checkpoint.check(&v, &sources);
    assert_eq!(
        found.iter().map(|f| (f.line, f.kind)).collect::<Vec<_>>(),
        vec![(20, FindingKind::Rewritten)]
    );
}

#[test]
fn a_checkpoint_of_the_same_log_finds_nothing() {
    let bytes = fixture_bytes("chain.jsonl");
    let sources = [Source::from_bytes("a.jsonl", bytes)];
    let v = verify(&sources);
    let checkpoint = Checkpoint::of(v.main_chain().unwrap(), None).unwrap();
    assert!(checkpoint.check(&v, &sources).is_empty());
}

#[test]
fn hipaa_edits_outside_the_five_hashed_fields_go_unseen_but_are_flagged_weak() {
    let mut lines = lines_of("hipaa.jsonl");
    lines[3] = edit(&lines[3], |v| v["purpose"] = "research".into());
    let v = verify_lines(&lines);
    assert!(v.intact() && v.weak());
    lines[4] = edit(&lines[4], |v| v["patient_id"] = "P-0001".into());
    assert_eq!(
        findings(&verify_lines(&lines)),
        vec![(5, FindingKind::Modified)]
    );
}

#[test]
fn bad_input_gets_a_finding_with_its_line_never_a_panic() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "empty file"),
        (b"  \n\t\n", "blank line"),
        (b"\x00\x01\x02\xff\xfe binary junk\n", "invalid UTF-8"),
        (b"{\"a\": \"\xc3\x28\"}\n", "invalid UTF-8 at byte 8"),
        (b"[[[[[[", "incomplete"),
        (b"{}\r\n{}\r\n", ""),
    ];
    for (bytes, expected) in cases {
        let v = verify_bytes(bytes);
        let text: Vec<String> = v
            .findings
            .iter()
            .map(|f| format!("{}:{} {}", f.line, f.kind.name(), f.message))
            .collect();
        assert!(
            text.iter().any(|t| t.contains(expected)) || expected.is_empty(),
            "{bytes:?}: {text:?}"
        );
    }
    // CRLF and a BOM are tolerated: plain entries, no findings.
    let v = verify_bytes(b"\xEF\xBB\xBF{\"a\": 1}\r\n{\"b\": 2}\r\n");
    assert!(v.intact() && v.entries() == 2, "{:?}", v.findings);
}

#[test]
fn deep_nesting_is_reported_not_crashed_on_and_huge_lines_are_entries() {
    let deep = format!("{{\"a\": {}}}\n", "[".repeat(100_000));
    let v = verify_bytes(deep.as_bytes());
    assert!(
        v.findings[0].message.contains("nesting"),
        "{:?}",
        v.findings
    );
    let mut huge = b"{\"a\": \"".to_vec();
    huge.resize(50 << 20, b'x');
    huge.extend_from_slice(b"\"}\n");
    let v = verify_bytes(&huge);
    assert!(v.intact() && v.complete(), "{:?}", v.findings);
    assert_eq!(v.entries(), 1);
}

/// Flip every bit of a small log: each variant must be caught unless
/// CPython's json.loads sees the same data (decided by the reference script).
fn every_bit_flip_is_detected(name: &str) {
    let original = fixture_bytes(name);
    let manifest: Json =
        serde_json::from_slice(&fixture_bytes(&name.replace(".jsonl", ".equivalent.json")))
            .unwrap();
    let equivalent: std::collections::HashSet<(usize, u8)> = manifest["equivalent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as u8,
            )
        })
        .collect();
    let mut missed = Vec::new();
    let mut variant = original.clone();
    for offset in 0..original.len() {
        for bit in 0..8u8 {
            variant[offset] ^= 1 << bit;
            let detected = !verify_bytes(&variant).intact();
            variant[offset] = original[offset];
            if detected == equivalent.contains(&(offset, bit)) {
                missed.push((offset, bit, detected));
            }
        }
    }
    assert_eq!(
        manifest["variants"].as_u64().unwrap() as usize,
        original.len() * 8
    );
    assert!(
        missed.is_empty(),
        "{name}: {} variants judged wrongly, first: {:?}",
        missed.len(),
        &missed[..missed.len().min(10)]
    );
}

#[test]
fn every_bit_flip_of_a_chained_log_is_detected() {
    every_bit_flip_is_detected("bitflip_chain.jsonl");
}

#[test]
fn every_bit_flip_of_the_hashed_hipaa_fields_is_detected() {
    every_bit_flip_is_detected("bitflip_hipaa.jsonl");
}
