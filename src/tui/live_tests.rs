//! Several followed files growing at once, in any order, and one of them
//! (not the last) rotated: after every change, what follow mode shows
//! (appended, never loaded again) equals a full verification and a fresh
//! load of the same bytes, in both orders.

use super::app::Action;
use super::live::{self, LiveSlot};
use super::loader::Request;
use crate::backend::memory::MemoryBackend;
use crate::backend::{Backend, EntryRow, Order, PageAt, Selection};
use crate::filter::{Filter, parse_filter};
use crate::log::source::Source;
use crate::testing::{call, chain_log};
use crate::views::histogram::{HOUR, Width};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

/// Lines a host writes: a chain of its own, its calls a minute and a
/// half apart, so that the hosts' times interleave and some are equal.
fn host_lines(host: usize, count: usize) -> Vec<String> {
    let tools = ["get_order", "issue_refund", "search_kb"];
    let purposes = ["treatment", "emergency", "review", "treatment"];
    let calls: Vec<_> = (0..count)
        .map(|i| {
            let minute = (i * 3 + host) / 2;
            let time = format!(
                "2025-07-06T{:02}:{:02}:00+00:00",
                8 + minute / 60,
                minute % 60
            );
            let ok = !(i + host).is_multiple_of(4);
            // Whole milliseconds: sums taken in any order are exact.
            let duration = (10 + (i * 7 + host) % 50) as f64;
            let error = (!ok).then_some("Timed out");
            let user = format!("usr_{}", (i + host) % 3);
            let tool = tools[(i + host) % 3];
            let mut call = call(&time, "conv_1", i as u32, &user, tool, ok, duration, error);
            call["patient_id"] = format!("P-{}", i % 2).into();
            call["purpose"] = purposes[(i + host) % 4].into();
            call
        })
        .collect();
    chain_log(&calls)
        .lines()
        .map(|line| format!("{line}\n"))
        .collect()
}

fn append(path: &Path, lines: &[String]) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    std::io::Write::write_all(&mut file, lines.concat().as_bytes()).unwrap();
}

/// The logs the last action sent show; panics on a full load when
/// `appended` (follow mode fell back to loading everything).
fn shown(rx: &Receiver<Action>, appended: bool) -> Arc<dyn Backend> {
    let mut data = None;
    for action in rx.try_iter() {
        match action {
            Action::Appended(backend, ..) => data = Some(backend),
            Action::Loaded(backend, _) => {
                assert!(!appended, "loaded again in full instead of appending");
                data = Some(backend);
            }
            _ => {}
        }
    }
    data.expect("an answer")
}

/// The same bytes, loaded afresh: each source from the file of its name,
/// a rotated-away one from where it was renamed to.
fn afresh(shown: &dyn Backend, rotated_to: &Path) -> MemoryBackend {
    let sources = shown
        .source_names()
        .into_iter()
        .map(|name| {
            let path = match name.strip_suffix(" (rotated away)") {
                Some(_) => rotated_to.to_owned(),
                None => PathBuf::from(&name),
            };
            Source::from_bytes(name, std::fs::read(path).unwrap())
        })
        .collect();
    MemoryBackend::load(sources, |_| {}, &AtomicBool::new(false)).expect("not cancelled")
}

/// Every listed entry with its line, but for its row number (the stores'
/// rows differ; its source and place in its file must not).
fn listing(selection: &dyn Selection) -> Vec<(EntryRow, String)> {
    let mut listed = Vec::new();
    selection
        .for_each(&mut |row, raw| {
            let mut row = row.clone();
            row.key.position = 0;
            listed.push((row, String::from_utf8_lossy(raw).into_owned()));
            Ok(())
        })
        .unwrap()
        .unwrap();
    listed
}

/// A view as JSON without the row numbers it names.
fn without_rows(view: impl serde::Serialize) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("row");
                map.remove("rows");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(view).unwrap();
    strip(&mut value);
    value
}

/// What the panes and exports read of a selection, store rows aside,
/// each named.
fn asked(selection: &dyn Selection) -> Vec<(&'static str, String)> {
    let activity = selection.activity(Width::Auto(12), 3).unwrap().unwrap();
    let failures: Vec<_> = selection.failures().unwrap().iter().cloned().collect();
    let alerts = selection.alerts(2, 20 * 60_000_000).unwrap();
    vec![
        ("listing", format!("{:#?}", listing(selection))),
        ("span", format!("{:?}", selection.span().unwrap())),
        ("stats", format!("{:#?}", selection.tool_stats().unwrap())),
        ("failures", format!("{:#}", without_rows(failures))),
        (
            "histogram",
            format!("{:?}", selection.histogram(Width::Fixed(HOUR)).unwrap()),
        ),
        ("activity", format!("{:?}", activity.histogram)),
        ("latency", format!("{:#}", without_rows(activity.latency))),
        ("alerts", format!("{:#}", without_rows(alerts))),
    ]
}

/// Each listed entry is found at its place by its key.
fn located(selection: &dyn Selection) -> bool {
    let rows = selection
        .page(PageAt::First, selection.count())
        .unwrap()
        .rows;
    rows.iter()
        .enumerate()
        .all(|(index, row)| selection.locate(row.key).unwrap() == Ok(index))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn files_growing_in_any_order_and_rotated_show_what_a_fresh_load_shows(
        steps in prop::collection::vec((0usize..3, 1usize..4), 1..10),
        rotate_at in 0usize..10,
        filter in prop::sample::select(vec!["", "failed", "usr_1", "last:30m"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|name| dir.path().join(format!("{name}.jsonl")))
            .collect();
        let rotated_to = dir.path().join("b.1.jsonl");
        let hosts: Vec<Vec<String>> = (0..3).map(|host| host_lines(host, 40)).collect();
        let mut written = [2, 2, 2];
        for (path, lines) in paths.iter().zip(&hosts) {
            append(path, &lines[..2]);
        }
        let slot: LiveSlot = Arc::new(Mutex::new(None));
        let (tx, rx) = channel();
        let never = AtomicBool::new(false);
        let request = Request { paths: paths.clone(), follow: true, previous: None, kept: Vec::new() };
        live::load(request, &slot, &tx, &never);
        let mut data = shown(&rx, false);
        let filter: Filter = parse_filter(filter).unwrap();
        let mut selections: Vec<Arc<dyn Selection>> = [Order::Time, Order::File]
            .iter()
            .map(|&order| data.select(&filter, order, &never).unwrap().unwrap())
            .collect();
        for (step, &(file, count)) in steps.iter().enumerate() {
            if step == rotate_at {
                // The middle file renamed away; nothing changes until a
                // file under its name continues its chain.
                std::fs::rename(&paths[1], &rotated_to).unwrap();
                live::reload(paths.clone(), Arc::clone(&data), &slot, &tx);
                data = shown(&rx, true);
                append(&paths[1], &hosts[1][written[1]..written[1] + 1]);
                written[1] += 1;
            }
            let lines = &hosts[file][written[file]..written[file] + count];
            append(&paths[file], lines);
            written[file] += count;
            live::reload(paths.clone(), Arc::clone(&data), &slot, &tx);
            data = shown(&rx, true);
            let fresh = afresh(data.as_ref(), &rotated_to);
            let verdict = |v: &crate::log::chain::Verification| (v.entries(), v.findings.clone());
            prop_assert_eq!(verdict(data.verification()), verdict(fresh.verification()));
            prop_assert!(data.verification().intact());
            for (selection, order) in selections.iter_mut().zip([Order::Time, Order::File]) {
                let extended = data.reselect(selection.as_ref(), &filter, order, &never).unwrap().unwrap();
                let made = fresh.select(&filter, order, &never).unwrap().unwrap();
                for (shown, fresh) in asked(extended.as_ref()).into_iter().zip(asked(made.as_ref())) {
                    prop_assert_eq!(shown, fresh, "{:?}", order);
                }
                prop_assert!(located(extended.as_ref()));
                *selection = extended;
            }
        }
    }
}
