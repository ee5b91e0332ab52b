//! The filter language (TUI bar and `-q`): no input panics, errors point
//! inside the input, and an accepted filter's canonical text parses back to
//! the same terms.
#![no_main]

use auditui::filter::{completion_at, parse_filter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for cursor in [0, input.len() / 2, input.len()] {
        if let Some(c) = completion_at(input, cursor) {
            assert!(c.replace.start <= c.replace.end && c.replace.end <= input.len());
        }
    }
    match parse_filter(input) {
        Ok(filter) => {
            let text = filter.to_string();
            let again = parse_filter(&text).expect("the canonical form parses");
            let terms = |f: &auditui::filter::Filter| {
                f.terms
                    .iter()
                    .map(|t| (t.negated, t.predicate.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(terms(&again), terms(&filter), "canonical text {text:?}");
        }
        Err(e) => {
            assert!(
                e.column >= 1 && e.column <= input.chars().count() + 1,
                "column {} outside {input:?}",
                e.column
            );
        }
    }
});
