//! The whole verification path on arbitrary bytes: lines, entries, seals,
//! links, findings, and the store built in the same pass. Nothing may
//! panic, every finding must point at a line that exists, and the store
//! holds one row per entry.
#![no_main]

use auditui::log::pass::verify;
use auditui::log::source::Source;
use auditui::store::load;
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::AtomicBool;

fuzz_target!(|data: &[u8]| {
    let source = Source::from_bytes("fuzz.jsonl", data.to_vec());
    let lines = source.lines().count();
    let verification = verify(std::slice::from_ref(&source));
    for finding in &verification.findings {
        assert!(
            finding.line <= lines.max(1),
            "finding at line {} of {lines}: {finding:?}",
            finding.line
        );
    }
    assert!(verification.entries() <= lines);
    let (store, loaded) =
        load(vec![source], |_| {}, &AtomicBool::new(false)).expect("never cancelled");
    assert_eq!(store.len(), verification.entries());
    assert_eq!(loaded.findings, verification.findings);
});
