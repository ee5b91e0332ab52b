//! Every view against what the lesson's own Python functions return on the
//! same entries (tests/fixtures/views.expected.json, written by
//! tests/reference/make_fixtures.py running the lesson's code in CPython).
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::filter::{parse_filter, quote_value};
use auditui::log::chain::Verification;
use auditui::log::source::Source;
use auditui::store::query::select;
use auditui::store::{self, Store};
use auditui::views::alerts::alerts;
use auditui::views::failures::failures;
use auditui::views::report::{access_report, accounting};
use auditui::views::retention::{Policies, Status, by_tool, retention};
use auditui::views::stats::tool_stats;
use auditui::views::timeline::{attribution, timeline};
use auditui::views::{Moment, is_emergency};
use serde_json::{Value as Json, json};
use std::sync::atomic::AtomicBool;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn load_bytes(name: &str, bytes: Vec<u8>) -> (Store, Verification, Vec<u32>) {
    let (store, verification) = store::load(
        vec![Source::from_bytes(name, bytes)],
        |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let rows = (0..store.len() as u32).collect();
    (store, verification, rows)
}

fn load(name: &str) -> (Store, Verification, Vec<u32>) {
    load_bytes(name, fixture(name))
}

fn expected() -> Json {
    serde_json::from_slice(&fixture("views.expected.json")).unwrap()
}

#[test]
fn stats_match_the_lessons_by_tool_for_every_tool() {
    let (store, _, rows) = load("chain.jsonl");
    let expected = expected();
    let by_tool = expected["chain"]["by_tool"].as_object().unwrap();
    let ours = tool_stats(&store, &rows);
    // Every tool of the log, and only those: the lesson's answer for a tool
    // that was never called is {"total_calls": 0}, which has no row here.
    assert_eq!(ours.len(), by_tool.len() - 1);
    assert_eq!(by_tool["no_such_tool"]["total_calls"], 0);
    for stats in &ours {
        let name = stats.tool.as_deref().unwrap();
        let mut ours = serde_json::to_value(stats).unwrap();
        for extra in ["failures", "p50_duration_ms", "p95_duration_ms"] {
            ours.as_object_mut().unwrap().remove(extra);
        }
        // Equality of serde_json values also checks int vs float:
        // max_duration_ms 2099 (an int in Python) is not 2099.0.
        assert_eq!(ours, by_tool[name], "{name}");
    }
    let counts: Vec<usize> = ours.iter().map(|s| s.total_calls).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "busiest first");
}

#[test]
fn stats_extras_count_failures_and_percentiles() {
    let (store, _, rows) = load("chain.jsonl");
    let ours = tool_stats(&store, &rows);
    let search = ours
        .iter()
        .find(|s| s.tool.as_deref() == Some("search_kb"))
        .unwrap();
    // success_rate 0.714 of 14 calls: 4 failed.
    assert_eq!((search.total_calls, search.failures), (14, 4));
    assert_eq!(search.p95_duration_ms, Some(30000.5));
    assert!(search.p50_duration_ms.unwrap() <= search.avg_duration_ms.unwrap());
}

#[test]
fn every_conversation_timeline_matches_the_lessons_lines() {
    let (store, _, rows) = load("chain.jsonl");
    let expected = expected();
    let timelines = expected["chain"]["conversation_timeline"]
        .as_object()
        .unwrap();
    assert_eq!(timelines.len(), 10);
    for (conversation, lines) in timelines {
        let ours: Vec<Json> = timeline(&store, &rows, conversation)
            .into_iter()
            .map(|e| Json::String(e.line))
            .collect();
        assert_eq!(&Json::Array(ours), lines, "{conversation:?}");
    }
}

#[test]
fn attribution_follows_the_lessons_summary_and_defaults() {
    let (store, _, _) = load("chain.jsonl");
    assert_eq!(
        attribution(&store, 0),
        "User usr_98765 (support_agent) → gpt-4.1 → get_customer [user_request]"
    );
    let (store, _, _) = load("hipaa.jsonl");
    // The hipaa schema logs no model.
    assert_eq!(
        attribution(&store, 0),
        "User usr_40990 (billing_clerk) → unknown → prescribe_medication [user_request]"
    );
}

#[test]
fn failures_come_newest_first_with_their_error() {
    let (store, _, rows) = load("chain.jsonl");
    let expected = expected();
    let want = &expected["chain"]["failures"];
    let ours = failures(&store, &rows);
    assert_eq!(ours.len() as u64, want["count"].as_u64().unwrap());
    let pairs: Vec<Json> = ours.iter().map(|f| json!([f.timestamp, f.tool])).collect();
    assert_eq!(Json::Array(pairs), want["newest_first"]);
    assert!(ours.iter().all(|f| f.error.is_some()));
    assert_eq!(ours[0].error.as_deref(), Some("Order not found"));
}

#[test]
fn by_user_counts_with_since_match_the_lesson() {
    let (store, _, _) = load("chain.jsonl");
    let expected = expected();
    let by_user = &expected["chain"]["by_user"];
    let since = by_user["since"].as_str().unwrap();
    for (user, counts) in by_user["users"].as_object().unwrap() {
        let count = |query: String| select(&store, &parse_filter(&query).unwrap()).len() as u64;
        let term = format!("user:{}", quote_value(user));
        assert_eq!(
            count(term.clone()),
            counts["all"].as_u64().unwrap(),
            "{user}"
        );
        assert_eq!(
            count(format!("{term} since:{since}")),
            counts["since"].as_u64().unwrap(),
            "{user}"
        );
        // The lesson's failures(since) is the same filter with `failed`.
        let failed_since = count(format!("{term} failed since:{since}"));
        let rows = select(
            &store,
            &parse_filter(&format!("{term} since:{since}")).unwrap(),
        );
        assert_eq!(failures(&store, &rows).len() as u64, failed_since);
    }
}

#[test]
fn retention_periods_are_the_lessons() {
    let expected = expected();
    let policies = Policies::default();
    for (tool, days) in expected["chain"]["retention_days"].as_object().unwrap() {
        let policy = policies.policy_for(tool).unwrap();
        assert_eq!(
            u64::from(policy.retention_days),
            days.as_u64().unwrap(),
            "{tool}"
        );
    }
}

#[test]
fn retention_status_is_relative_to_now() {
    let (store, _, rows) = load("hipaa.jsonl");
    let policies = Policies::default();
    let day = 86_400_000_000;
    let at = |date: &str| Moment::parse(date).unwrap().micros;
    // The log runs from 2025-07-07 for a few days. One year on, the general
    // (365 days) entries are past or due; healthcare ones (2190) are kept.
    let entries = retention(&store, &rows, &policies, at("2026-07-09"), 30 * day);
    for e in &entries {
        let days = e.retention_days.unwrap();
        let status = e.status;
        match days {
            365 => assert!(matches!(status, Status::Past | Status::Due), "{e:?}"),
            2190 => assert_eq!(status, Status::Retained, "{e:?}"),
            other => panic!("unexpected period {other}"),
        }
    }
    let early = retention(&store, &rows, &policies, at("2025-08-01"), 30 * day);
    assert!(early.iter().all(|e| e.status == Status::Retained));
    let first = &entries[0];
    assert_eq!(
        (first.tool.as_deref(), first.expires.as_deref()),
        (Some("prescribe_medication"), Some("2026-07-07"))
    );
    let summary = by_tool(&entries);
    assert_eq!(
        summary.iter().map(|t| t.entries).sum::<usize>(),
        store.len()
    );
}

/// Our report without the extras the lesson's has no key for.
fn lesson_keys(mut report: Json) -> Json {
    report.as_object_mut().unwrap().remove("integrity_note");
    for access in report["accesses"].as_array_mut().unwrap() {
        access.as_object_mut().unwrap().remove("emergency");
    }
    report
}

#[test]
fn access_reports_match_the_lesson_except_for_integrity() {
    let (store, verification, rows) = load("hipaa.jsonl");
    let expected = expected();
    let reports = expected["hipaa"]["access_reports"].as_array().unwrap();
    assert_eq!(reports.len(), 4);
    for case in reports {
        let patient = case["patient_id"].as_str().unwrap();
        let start = Moment::parse(case["start"].as_str().unwrap()).unwrap();
        let end = Moment::parse(case["end"].as_str().unwrap()).unwrap();
        let report = access_report(&store, &verification, &rows, patient, start, end);
        let ours = serde_json::to_value(&report).unwrap();
        let mut want = case["report"].clone();

        // The one intended difference. The lesson's verify_integrity only
        // follows previous_hash links, so it vouches for this log; but the
        // hipaa scheme leaves role, purpose and success unhashed, so
        // auditui refuses to call the report verified and says why.
        assert_eq!(want["integrity_verified"], true);
        assert_eq!(ours["integrity_verified"], false);
        let note = report.integrity_note.as_deref().unwrap();
        assert!(note.contains("hipaa") && note.contains("purpose"), "{note}");
        want["integrity_verified"] = json!(false);

        assert_eq!(lesson_keys(ours.clone()), want, "{patient}");
        for access in ours["accesses"].as_array().unwrap() {
            let emergency = access["purpose"].as_str().is_some_and(is_emergency);
            assert_eq!(access.get("emergency").is_some(), emergency, "{access}");
        }
    }
}

#[test]
fn reports_on_an_intact_chain_are_verified_and_tampering_is_named() {
    let (store, verification, rows) = load("chain.jsonl");
    let from = Moment::parse("2025-07-01").unwrap();
    let to = Moment::parse("2025-08-01").unwrap();
    let report = access_report(&store, &verification, &rows, "P-0005", from, to);
    assert!(report.total_accesses > 0);
    assert!(report.integrity_verified);
    assert_eq!(report.integrity_note, None);
    let json = serde_json::to_value(&report).unwrap();
    assert!(json.get("integrity_note").is_none());

    let tampered = String::from_utf8(fixture("chain.jsonl")).unwrap().replacen(
        "\"success\": true",
        "\"success\": false",
        1,
    );
    let (store, verification, rows) = load_bytes("chain.jsonl", tampered.into_bytes());
    let report = access_report(&store, &verification, &rows, "P-0005", from, to);
    assert!(!report.integrity_verified);
    let note = report.integrity_note.unwrap();
    assert!(note.contains("chain.jsonl:1 (modified)"), "{note}");
}

#[test]
fn accounting_lists_successful_disclosures_by_date() {
    let (store, verification, rows) = load("hipaa.jsonl");
    let from = Moment::parse("2025-07-07T00:00:00+02:00").unwrap();
    let to = Moment::parse("2025-07-12T00:00:00+02:00").unwrap();
    let report = access_report(&store, &verification, &rows, "P-0007", from, to);
    let accounting = accounting(&report);
    let failed = report
        .accesses
        .iter()
        .filter(|a| a.success == Some(false))
        .count();
    assert!(failed > 0);
    assert_eq!(accounting.total_disclosures, report.total_accesses - failed);
    assert_eq!(accounting.disclosures[0].date, "2025-07-07");
    assert_eq!(accounting.integrity_verified, report.integrity_verified);
}

#[test]
fn alerts_find_the_planted_burst_and_every_emergency() {
    let (store, _, rows) = load("hipaa.jsonl");
    let hour = 3_600_000_000;
    let found = alerts(&store, &rows, 10, hour);
    let burst = found
        .bursts
        .iter()
        .find(|b| b.patient == "P-0007" && b.user.as_deref() == Some("usr_20417"))
        .expect("the planted burst");
    // Entries 11..=22 of the fixture: 12 accesses in under an hour.
    assert_eq!(burst.count, 12);
    assert_eq!(burst.first, "2025-07-07T15:29:36.169478+00:00");
    assert_eq!(burst.last, "2025-07-07T16:14:29.945869+00:00");
    assert_eq!(found.bursts.len(), 1, "{:?}", found.bursts);
    // Reported once, however many windows of 10 it holds.
    assert_eq!(alerts(&store, &rows, 12, hour).bursts.len(), 1);
    assert!(alerts(&store, &rows, 13, hour).bursts.is_empty());

    let purposes = String::from_utf8(fixture("hipaa.jsonl")).unwrap();
    let planted = purposes.matches("\"purpose\": \"emergency\"").count();
    assert_eq!(found.emergencies.len(), planted);
    assert!(found.emergencies.iter().all(|e| !e.reviewed));
}

#[test]
fn emergencies_are_reviewed_by_a_later_review_entry() {
    let lines = [
        r#"{"timestamp": "2025-07-07T08:00:00+00:00", "user_id": "u1", "tool_name": "access_patient_record", "patient_id": "P-1", "purpose": "break-the-glass"}"#,
        r#"{"timestamp": "2025-07-07T07:00:00+00:00", "user_id": "a1", "tool_name": "review_access", "patient_id": "P-1", "purpose": "audit"}"#,
        r#"{"timestamp": "2025-07-07T09:00:00+00:00", "user_id": "u2", "tool_name": "access_patient_record", "patient_id": "P-2", "purpose": "BTG"}"#,
        r#"{"timestamp": "2025-07-08T09:00:00+00:00", "user_id": "a1", "tool_name": "get_chart", "patient_id": "P-2", "purpose": "Review"}"#,
    ];
    let (store, _, rows) = load_bytes("t.jsonl", (lines.join("\n") + "\n").into_bytes());
    let found = alerts(&store, &rows, 10, 3_600_000_000);
    let reviewed: Vec<(Option<&str>, bool)> = found
        .emergencies
        .iter()
        .map(|e| (e.patient.as_deref(), e.reviewed))
        .collect();
    // P-1's review was logged an hour before the access: not a review of it.
    assert_eq!(reviewed, [(Some("P-1"), false), (Some("P-2"), true)]);
    assert_eq!(
        found.emergencies[1].review_timestamp.as_deref(),
        Some("2025-07-08T09:00:00+00:00")
    );
}
