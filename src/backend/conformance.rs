//! The questions every [`Backend`] must answer alike, on the same logs: a
//! second backend's tests load [`sources`] and call [`check`].

use super::{Backend, Order, Page, PageAt, RowKey, Selection, everything};
use crate::filter::{Field, parse_filter};
use crate::log::source::Source;
use crate::store::store::Outcome;
use crate::views::histogram::Width;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Four entries and a line that is not one, twice: `a.jsonl`, `b.jsonl`.
const LOG: &str = concat!(
    r#"{"timestamp": "2025-07-06T10:00:00+00:00", "user_id": "usr_1", "tool_name": "get_order", "success": true, "duration_ms": 12.5, "conversation_id": "c1"}"#,
    "\n",
    "not json\n",
    r#"{"timestamp": "2025-07-06T11:00:00+00:00", "user_id": "usr_2", "tool_name": "issue_refund", "success": false, "conversation_id": "c1"}"#,
    "\n",
    r#"{"timestamp": "2025-07-06T12:00:00+00:00", "user_id": "usr_1", "tool_name": "get_order", "success": true, "patient_id": "P-1", "purpose": "emergency"}"#,
    "\n",
    r#"{"timestamp": "2025-07-06T13:00:00+00:00", "user_id": "usr_3", "tool_name": "get_order", "success": false}"#,
    "\n",
);

/// The logs the questions are about.
pub fn sources() -> Vec<Source> {
    vec![
        Source::from_bytes("a.jsonl", LOG.as_bytes().to_vec()),
        Source::from_bytes("b.jsonl", LOG.as_bytes().to_vec()),
    ]
}

/// Ask every question of `backend`, loaded with [`sources`].
pub fn check(backend: &dyn Backend) {
    pages_walk_the_selection_in_log_order_by_key(backend);
    pages_in_time_order_merge_the_sources_ties_by_source(backend);
    keys_locate_entries_inside_and_outside_the_selection(backend);
    details_name_file_line_and_bytes_as_logged(backend);
    views_answer_about_the_selected_entries(backend);
    the_logs_themselves_are_described(backend);
}

fn select(backend: &dyn Backend, filter: &str) -> Arc<dyn Selection> {
    select_in(backend, filter, Order::File)
}

fn select_in(backend: &dyn Backend, filter: &str, order: Order) -> Arc<dyn Selection> {
    let filter = parse_filter(filter).expect("a valid filter");
    backend
        .select(&filter, order, &AtomicBool::new(false))
        .expect("answered")
        .expect("not cancelled")
}

fn users(page: &Page) -> Vec<&str> {
    page.rows
        .iter()
        .map(|r| r.user.as_deref().unwrap_or("-"))
        .collect()
}

fn pages_walk_the_selection_in_log_order_by_key(backend: &dyn Backend) {
    let selection = select(backend, "tool:get_order");
    assert_eq!(selection.count(), 6);
    let first = selection.page(PageAt::First, 4).unwrap();
    assert_eq!(first.start, 0);
    assert_eq!(users(&first), ["usr_1", "usr_1", "usr_3", "usr_1"]);
    assert_eq!(
        (first.rows[3].file.as_str(), first.rows[3].line),
        ("b.jsonl", 1)
    );
    let next = selection.page(PageAt::After(first.rows[3].key), 4).unwrap();
    assert_eq!((next.start, users(&next)), (4, vec!["usr_1", "usr_3"]));
    let back = selection.page(PageAt::Before(next.rows[0].key), 2).unwrap();
    assert_eq!(back.start, 2);
    assert_eq!(back.rows, first.rows[2..4]);
    let last = selection.page(PageAt::Last, 3).unwrap();
    assert_eq!(last.start, 3);
    assert_eq!(last.rows[1..], next.rows[..]);
    assert_eq!(
        selection.page(PageAt::Index(5), 10).unwrap().rows,
        next.rows[1..]
    );
    // Past the end: no rows, and the page starts at the end.
    let past = selection.page(PageAt::Index(99), 10).unwrap();
    assert_eq!((past.start, past.rows.len()), (6, 0));
    let after_last = selection.page(PageAt::After(last.rows[2].key), 10).unwrap();
    assert!(after_last.rows.is_empty());
    assert!(
        selection
            .page(PageAt::Before(first.rows[0].key), 10)
            .unwrap()
            .rows
            .is_empty()
    );
}

fn places(page: &Page) -> Vec<String> {
    page.rows
        .iter()
        .map(|r| format!("{}:{}", r.file, r.line))
        .collect()
}

fn pages_in_time_order_merge_the_sources_ties_by_source(backend: &dyn Backend) {
    // The two files hold the same times: each time twice, `a` first.
    let selection = select_in(backend, "tool:get_order", Order::Time);
    let first = selection.page(PageAt::First, 3).unwrap();
    assert_eq!(places(&first), ["a.jsonl:1", "b.jsonl:1", "a.jsonl:4"]);
    let next = selection
        .page(PageAt::After(first.rows[2].key), 10)
        .unwrap();
    assert_eq!(next.start, 3);
    assert_eq!(places(&next), ["b.jsonl:4", "a.jsonl:5", "b.jsonl:5"]);
    let back = selection.page(PageAt::Before(next.rows[1].key), 2).unwrap();
    assert_eq!(
        (back.start, places(&back)),
        (2, vec!["a.jsonl:4".to_owned(), "b.jsonl:4".to_owned()])
    );
    let last = selection.page(PageAt::Last, 2).unwrap();
    assert_eq!(
        (last.start, places(&last)),
        (4, vec!["a.jsonl:5".to_owned(), "b.jsonl:5".to_owned()])
    );
    assert_eq!(
        selection.page(PageAt::Index(1), 1).unwrap().rows,
        first.rows[1..2]
    );
    let past = selection.page(PageAt::Index(99), 10).unwrap();
    assert_eq!((past.start, past.rows.len()), (6, 0));
    // A key outside the selection (a failed refund, at 11:00) falls
    // between the entries of 10:00 and 12:00.
    let all = select_in(backend, "", Order::Time);
    let refund = all.page(PageAt::Index(2), 1).unwrap().rows[0].clone();
    assert_eq!((refund.file.as_str(), refund.line), ("a.jsonl", 3));
    assert_eq!(selection.locate(refund.key).unwrap(), Err(2));
    assert_eq!(selection.locate(next.rows[0].key).unwrap(), Ok(3));
    let mut listed = Vec::new();
    selection
        .for_each(&mut |row, _| {
            listed.push(format!("{}:{}", row.file, row.line));
            Ok(())
        })
        .unwrap()
        .unwrap();
    assert_eq!(listed, [places(&first), places(&next)].concat());
}

fn keys_locate_entries_inside_and_outside_the_selection(backend: &dyn Backend) {
    let all = everything(backend, Order::File).unwrap();
    let keys: Vec<RowKey> = all
        .page(PageAt::First, 8)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys.len(), 8);
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "keys order as the log does"
    );
    // Entries 1 and 3 of each file failed.
    let failed = select(backend, "failed");
    assert_eq!(failed.locate(keys[1]).unwrap(), Ok(0));
    assert_eq!(failed.locate(keys[2]).unwrap(), Err(1));
    assert_eq!(failed.locate(keys[7]).unwrap(), Ok(3));
    assert_eq!(failed.locate(keys[0]).unwrap(), Err(0));
    assert_eq!(all.locate(keys[5]).unwrap(), Ok(5));
}

fn details_name_file_line_and_bytes_as_logged(backend: &dyn Backend) {
    let all = everything(backend, Order::File).unwrap();
    let row = &all.page(PageAt::Index(5), 1).unwrap().rows[0];
    let detail = backend.detail(row.key).unwrap().expect("a loaded entry");
    assert_eq!((detail.row.file.as_str(), detail.row.line), ("b.jsonl", 3));
    assert_eq!(detail.row.outcome, Outcome::Failed);
    assert_eq!(detail.row.duration_ms, None);
    assert!(
        detail
            .raw
            .starts_with(br#"{"timestamp": "2025-07-06T11:00"#)
    );
    assert_eq!(
        detail.attribution,
        "User usr_2 (unknown) → unknown → issue_refund [user_request]"
    );
    // Line 2 of a.jsonl is not an entry: the nearest one is line 1 or 3.
    let near = backend
        .nearest("a.jsonl", 2)
        .unwrap()
        .expect("an entry nearby");
    let near = backend.detail(near).unwrap().unwrap();
    assert_eq!(near.row.file, "a.jsonl");
    assert!([1, 3].contains(&near.row.line));
    let exact = backend.nearest("b.jsonl", 4).unwrap().unwrap();
    assert_eq!(backend.detail(exact).unwrap().unwrap().row.line, 4);
    assert_eq!(backend.nearest("c.jsonl", 1).unwrap(), None);
}

fn views_answer_about_the_selected_entries(backend: &dyn Backend) {
    let selection = select(backend, "user:usr_1|usr_2");
    let stats = selection.tool_stats().unwrap();
    let calls: Vec<(Option<&str>, usize)> = stats
        .iter()
        .map(|s| (s.tool.as_deref(), s.total_calls))
        .collect();
    assert_eq!(calls, [(Some("get_order"), 4), (Some("issue_refund"), 2)]);
    let failures = selection.failures().unwrap();
    assert_eq!(failures.len(), 2);
    assert!(failures.iter().all(|f| f.user.as_deref() == Some("usr_2")));
    assert_eq!(selection.timeline("c1").unwrap().len(), 4);
    let (span, untimed) = selection.span().unwrap();
    assert_eq!(
        (span.map(|(a, b)| b - a), untimed),
        (Some(2 * 3_600_000_000), 0)
    );
    let hour = Width::Fixed(3_600_000_000);
    let activity = selection.activity(hour, 12).unwrap().unwrap();
    assert_eq!(
        activity.histogram,
        selection.histogram(hour).unwrap().unwrap()
    );
    let calls: Vec<u32> = activity.histogram.buckets.iter().map(|b| b.calls).collect();
    assert_eq!(calls, [2, 2, 2]);
    let alerts = selection.alerts(2, 3_600_000_000).unwrap();
    assert_eq!(alerts.emergencies.len(), 2);
    let mut lines = 0;
    selection
        .for_each(&mut |row, raw| {
            assert!(raw.starts_with(b"{\"timestamp\""), "the line as logged");
            assert!(row.user.is_some());
            lines += 1;
            Ok(())
        })
        .unwrap()
        .unwrap();
    assert_eq!(lines, 6);
}

fn the_logs_themselves_are_described(backend: &dyn Backend) {
    let never = AtomicBool::new(false);
    let mut users = backend.values(Field::User, &never).unwrap();
    users.sort();
    assert_eq!(users, ["usr_1", "usr_2", "usr_3"]);
    assert_eq!(backend.entry_count(), 8);
    assert_eq!(backend.source_names(), ["a.jsonl", "b.jsonl"]);
    let verification = backend.verification();
    assert_eq!(verification.files.len(), 2);
    assert_eq!(
        verification.findings.len(),
        2,
        "one malformed line per file"
    );
    let at_line_2 = backend.findings_at("b.jsonl", 2);
    assert_eq!(at_line_2.len(), 1, "b.jsonl:2 is not json");
    assert_eq!(
        (at_line_2[0].file.as_str(), at_line_2[0].line),
        ("b.jsonl", 2)
    );
    assert!(backend.findings_at("b.jsonl", 1).is_empty());
    assert!(backend.findings_at("c.jsonl", 2).is_empty());
    let cancelled = backend.select(
        &parse_filter("ok").unwrap(),
        Order::Time,
        &AtomicBool::new(true),
    );
    assert!(cancelled.unwrap().is_none());
    let gone = RowKey {
        time: 0,
        source: 0,
        position: 99,
    };
    assert_eq!(backend.detail(gone).unwrap(), None);
}
