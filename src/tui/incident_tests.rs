//! Key sequences of incident reading: two logs merged by time, jumps
//! between failures and findings, marks and their export, and "around
//! this entry".

use super::app::{Prompt, View};
use super::export::Exporting;
use super::testing::Harness;
use crate::backend::{Order, PageAt};
use crate::filter::Field;
use crate::testing::{chain_log, support_calls};
use crossterm::event::KeyCode;

/// The support calls split between two hosts, alternating: `a.jsonl`
/// holds calls 0, 2, 4, 6 and `b.jsonl` calls 1, 3, 5, 7, so their times
/// interleave.
fn two_hosts() -> (String, String) {
    let calls = support_calls();
    let (a, b): (Vec<_>, Vec<_>) = calls.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let log = |calls: Vec<(usize, serde_json::Value)>| {
        chain_log(&calls.into_iter().map(|(_, c)| c).collect::<Vec<_>>())
    };
    (log(a), log(b))
}

fn hosts() -> Harness {
    let (a, b) = two_hosts();
    Harness::loaded(&[("a.jsonl", &a), ("b.jsonl", &b)], 120, 35)
}

/// Each listed entry's `file:line`, in the order shown.
fn listed(h: &Harness) -> Vec<String> {
    let selection = &h.app.selection.selected;
    let page = selection.page(PageAt::First, selection.count()).unwrap();
    page.rows
        .iter()
        .map(|row| format!("{}:{}", row.file, row.line))
        .collect()
}

fn at(h: &Harness) -> String {
    let entry = h.app.selected_entry().expect("an entry is selected");
    format!("{}:{}", entry.file, entry.line)
}

#[test]
fn two_logs_are_listed_by_time_and_o_lists_them_file_by_file_on_the_same_entry() {
    let mut h = hosts();
    assert_eq!(
        listed(&h),
        [
            "a.jsonl:1",
            "b.jsonl:1",
            "a.jsonl:2",
            "b.jsonl:2",
            "a.jsonl:3",
            "b.jsonl:3",
            "a.jsonl:4",
            "b.jsonl:4"
        ]
    );
    h.keys("jj");
    assert_eq!(at(&h), "a.jsonl:2");
    h.keys("o");
    assert_eq!(h.app.order, Order::File);
    assert_eq!(
        listed(&h),
        [
            "a.jsonl:1",
            "a.jsonl:2",
            "a.jsonl:3",
            "a.jsonl:4",
            "b.jsonl:1",
            "b.jsonl:2",
            "b.jsonl:3",
            "b.jsonl:4"
        ]
    );
    assert_eq!(at(&h), "a.jsonl:2", "the cursor stays on its entry");
    let screen = h.render();
    assert!(screen.contains("file by file"), "{screen}");
    h.keys("o");
    assert_eq!(h.app.order, Order::Time);
    assert_eq!(at(&h), "a.jsonl:2");
    // Each row names the log it came from (without its .jsonl).
    let screen = h.render();
    assert!(
        screen.contains("by time") && screen.contains("09:00:05 b "),
        "{screen}"
    );
}

#[test]
fn n_and_shift_n_step_through_the_failures_shown_in_the_order_shown() {
    let mut h = hosts();
    // Failed: call 4 (a.jsonl:3) and call 7 (b.jsonl:4).
    h.keys("n");
    assert_eq!(at(&h), "a.jsonl:3");
    assert!(
        h.app
            .status
            .as_deref()
            .unwrap()
            .starts_with("failure 1 of 2")
    );
    h.keys("n");
    assert_eq!(at(&h), "b.jsonl:4");
    h.keys("n");
    assert_eq!(at(&h), "b.jsonl:4");
    assert_eq!(
        h.app.status.as_deref(),
        Some("no failure after this entry in this view")
    );
    h.keys("N");
    assert_eq!(at(&h), "a.jsonl:3");
    h.keys("N");
    assert_eq!(at(&h), "a.jsonl:3");
    // Only the failures the filter shows.
    h.keys("/user:usr_300");
    h.key(KeyCode::Enter);
    h.keys("gn");
    assert_eq!(at(&h), "b.jsonl:4");
    h.keys("/ -user:usr_300 ok");
    h.key(KeyCode::Enter);
    h.keys("n");
    assert_eq!(h.app.status.as_deref(), Some("no failure in this view"));
}

#[test]
fn brackets_step_through_the_entries_with_integrity_findings() {
    let (a, b) = two_hosts();
    // Two users edited after sealing: b.jsonl lines 1 and 2 (usr_200).
    let b = b.replacen("\"user_id\":\"usr_200\"", "\"user_id\":\"usr_999\"", 2);
    let mut h = Harness::loaded(&[("a.jsonl", &a), ("b.jsonl", &b)], 120, 35);
    assert!(!h.app.loaded().unwrap().verification().findings.is_empty());
    h.keys("]");
    assert_eq!(at(&h), "b.jsonl:1");
    h.keys("]");
    assert_eq!(at(&h), "b.jsonl:2");
    h.keys("]");
    assert_eq!(at(&h), "b.jsonl:2");
    assert!(
        h.app
            .status
            .as_deref()
            .unwrap()
            .starts_with("no integrity finding after")
    );
    h.keys("[");
    assert_eq!(at(&h), "b.jsonl:1");
    // A filter that hides them leaves none to jump to.
    h.keys("/user:usr_100");
    h.key(KeyCode::Enter);
    h.keys("]");
    assert_eq!(
        h.app.status.as_deref(),
        Some("no integrity finding in this view")
    );
}

#[test]
fn marked_entries_are_exported_together_in_the_order_shown() {
    let (a, b) = two_hosts();
    let mut h = Harness::loaded(&[("a.jsonl", &a), ("b.jsonl", &b)], 120, 35);
    h.keys("E");
    assert_eq!(
        h.app.status.as_deref(),
        Some("no entry is marked: Space marks the selected entry")
    );
    // Mark b.jsonl:4 (last), then a.jsonl:1 (first), across a filter change.
    h.keys("G ");
    h.keys("/user:usr_100");
    h.key(KeyCode::Enter);
    h.keys("g ");
    assert_eq!(h.app.marks.len(), 2);
    h.keys("/");
    h.ctrl('u');
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert_eq!(screen.matches('●').count(), 2, "{screen}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("marked.jsonl");
    h.keys("E");
    assert!(matches!(
        &h.app.prompt,
        Some(Prompt::ExportPath(input, Exporting::Marked)) if input.text() == "marked.jsonl"
    ));
    h.ctrl('u');
    h.keys(&path.display().to_string());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.prompt, None, "{:?}", h.app.status);
    assert!(
        h.app
            .status
            .as_deref()
            .unwrap()
            .starts_with("wrote 2 marked entries to")
    );
    let written = std::fs::read_to_string(&path).unwrap();
    let expected = [a.lines().next().unwrap(), b.lines().nth(3).unwrap()];
    assert_eq!(written.lines().collect::<Vec<_>>(), expected);
    // Space again unmarks; U clears the rest.
    h.keys("g ");
    assert_eq!(h.app.marks.len(), 1);
    h.keys("U");
    assert!(h.app.marks.is_empty());
    assert!(!h.render().contains('●'));
}

#[test]
fn c_clears_the_filter_and_stays_on_the_entry_among_all_logs_by_time() {
    let mut h = hosts();
    h.keys("o");
    h.keys("/failed");
    h.key(KeyCode::Enter);
    h.keys("j");
    assert_eq!(at(&h), "b.jsonl:4");
    h.keys("c");
    assert_eq!(h.app.filter.input.text(), "");
    assert_eq!(h.app.selection.count(), 8);
    assert_eq!(h.app.order, Order::Time);
    assert_eq!(at(&h), "b.jsonl:4");
    assert_eq!(h.app.entries.selected, 7);
    let before = h
        .app
        .selection
        .selected
        .page(PageAt::Index(6), 1)
        .unwrap()
        .rows
        .pop()
        .unwrap();
    assert_eq!(before.field(Field::User), Some("usr_200"));
    assert_eq!(h.app.view, View::Panes);
    // The filter comes back from the bar's history.
    h.keys("/");
    h.key(KeyCode::Up);
    assert_eq!(h.app.filter.input.text(), "failed");
}
