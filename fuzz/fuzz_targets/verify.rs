//! The whole verification path on arbitrary bytes: lines, entries, seals,
//! links, findings. Nothing may panic and every finding must point at a
//! line that exists.
#![no_main]

use auditui::log::scan::verify;
use auditui::log::source::Source;
use libfuzzer_sys::fuzz_target;

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
});
