//! Free text: the store's one search over many lines at a time (hits
//! mapped back to rows, ASCII case matched without folding the text) against
//! a plain search of each row's line, negated or not, over all rows and
//! over a sparse candidate set (an earlier term), lines split over two
//! sources.
//!
//! Input: a flags byte, a split byte, a repeat byte, the needle up to the
//! first newline, then the log. The log is repeated so that lines fall at
//! shifting places of the search's 64 bytes at a time.
#![no_main]

use auditui::filter::{Filter, Predicate, Term};
use auditui::log::source::Source;
use auditui::store::query::select;
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::AtomicBool;

fuzz_target!(|data: &[u8]| {
    let [flags, split, repeat, rest @ ..] = data else {
        return;
    };
    let Some(newline) = rest.iter().position(|&b| b == b'\n') else {
        return;
    };
    let Ok(needle) = std::str::from_utf8(&rest[..newline]) else {
        return;
    };
    let needle = needle.to_lowercase();
    let log = rest[newline + 1..].repeat(usize::from(*repeat) % 64 + 1);
    let cut = log.len() * usize::from(*split) / 255;
    let sources = vec![
        Source::from_bytes("a.jsonl", log[..cut].to_vec()),
        Source::from_bytes("b.jsonl", log[cut..].to_vec()),
    ];
    let Some((store, _)) = auditui::store::load(sources, |_| {}, &AtomicBool::new(false)) else {
        return;
    };
    let negated = flags & 1 != 0;
    let text = |negated, text: &str| Term {
        negated,
        predicate: Predicate::Text(text.to_owned()),
        span: 0..0,
    };
    let mut filter = Filter {
        terms: vec![text(negated, &needle)],
    };
    // Every row's line, searched on its own.
    let mut expected: Vec<u32> = (0..store.len())
        .filter(|&row| found_in(store.raw_line(row), &needle) != negated)
        .map(|row| row as u32)
        .collect();
    if flags & 2 != 0 {
        // A cheaper term first leaves a sparse set of candidates.
        filter.terms.push(text(false, "\"s"));
        expected.retain(|&row| found_in(store.raw_line(row as usize), "\"s"));
    }
    assert_eq!(select(&store, &filter), expected, "{needle:?}");
});

/// Whether `line` holds `needle` (lowercase) case-insensitively: ASCII
/// case folded for an ASCII needle, Unicode lowercasing otherwise (where a
/// line of ASCII alone cannot hold it), as the filter language defines.
fn found_in(line: &[u8], needle: &str) -> bool {
    if needle.is_ascii() {
        let line = line.to_ascii_lowercase();
        needle.is_empty() || line.windows(needle.len()).any(|w| w == needle.as_bytes())
    } else {
        !line.is_ascii()
            && String::from_utf8_lossy(line)
                .to_lowercase()
                .contains(needle)
    }
}
