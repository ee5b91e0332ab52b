//! A filter tested on each entry as the pool reads its line
//! (`store::load_matching`, for counts, `stats` and `histogram`: its field
//! terms on the picked texts before the row is read, then the others)
//! against the store's query over a store of every entry: the same rows
//! (their lines in order; for `stats`' columns, their outcomes, durations
//! and texts, interned on the pool; the texts of the columns the filter
//! compares, which are built when asked for), the same per-tool
//! statistics, and from times and outcomes alone the same histogram.
//!
//! Input: a split byte, the filter up to the first newline, then the log,
//! cut in two sources at the split.
#![no_main]

use auditui::filter::{Field, parse_filter};
use auditui::log::entry::Picks;
use auditui::log::source::Source;
use auditui::store::Columns;
use auditui::store::query::select;
use auditui::views::histogram::{HOUR, Width, histogram};
use auditui::views::stats::{COLUMNS, tool_stats};
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::AtomicBool;

fuzz_target!(|data: &[u8]| {
    let [split, rest @ ..] = data else {
        return;
    };
    let Some(newline) = rest.iter().position(|&b| b == b'\n') else {
        return;
    };
    let Some(filter) = std::str::from_utf8(&rest[..newline])
        .ok()
        .and_then(|text| parse_filter(text).ok())
    else {
        return;
    };
    let log = &rest[newline + 1..];
    let cut = log.len() * usize::from(*split) / 255;
    let sources = || {
        vec![
            Source::from_bytes("a.jsonl", log[..cut].to_vec()),
            Source::from_bytes("b.jsonl", log[cut..].to_vec()),
        ]
    };
    let never = AtomicBool::new(false);
    let (whole, _) = auditui::store::load(sources(), |_| {}, &never).expect("not cancelled");
    let expected = select(&whole, &filter);
    let times = Columns::FILTER_ONLY.reading(Picks::TIME.and(Picks::OUTCOME));
    let compared = Columns::FILTER_ONLY.with_filter(&filter);
    for columns in [Columns::FILTER_ONLY, COLUMNS, times] {
        let (kept, _) = auditui::store::load_matching(sources(), columns, &filter, |_| {}, &never)
            .expect("not cancelled");
        let rows = select(&kept, &filter);
        assert_eq!(rows.len(), expected.len(), "{filter}");
        for (&row, &want) in rows.iter().zip(&expected) {
            let (row, want) = (row as usize, want as usize);
            assert_eq!(kept.raw_line(row), whole.raw_line(want));
            // `stats`' columns are interned on the pool (`store::pooled`).
            let interned = if columns == COLUMNS {
                compared.with(Field::Tool).with(Field::User)
            } else {
                compared
            };
            for field in Field::ALL.into_iter().filter(|&f| interned.contains(f)) {
                assert_eq!(kept.text(field, row), whole.text(field, want));
            }
            if columns == COLUMNS {
                assert_eq!(kept.outcome[row], whole.outcome[want]);
                let duration = |store: &auditui::store::Store, row: usize| {
                    store.duration_ms[row].to_bits()
                };
                assert_eq!(duration(&kept, row), duration(&whole, want));
            }
        }
        if columns == COLUMNS {
            assert_eq!(
                tool_stats(&kept, rows.as_slice()),
                tool_stats(&whole, expected.as_slice())
            );
        }
        if columns == times {
            for width in [Width::Auto(60), Width::Fixed(HOUR)] {
                assert_eq!(
                    histogram(&kept, rows.as_slice(), width),
                    histogram(&whole, expected.as_slice(), width)
                );
            }
        }
    }
});
