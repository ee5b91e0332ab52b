//! The access report of a filter is one report: `r` in the browser and
//! `auditui report -q` give the same JSON, and both say which filter
//! narrowed it and when the patient id never occurs.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use auditui::tui::testing::Harness;
use serde_json::Value as Json;

const HIPAA: &str = "tests/fixtures/hipaa.jsonl";

/// `r` in the browser on HIPAA with `filter` typed in the bar.
fn browser_report(filter: &str) -> Json {
    let log = std::fs::read_to_string(HIPAA).unwrap();
    let mut h = Harness::loaded(&[(HIPAA, &log)], 120, 35);
    h.keys(&format!("/{filter}"));
    h.key(crossterm::event::KeyCode::Enter);
    h.keys("r");
    let report = h.app.report.as_ref().expect("the report is shown");
    serde_json::to_value(report.as_ref()).unwrap()
}

/// `auditui report HIPAA ARGS --format json`: the report and stderr.
fn cli_report(args: &[&str]) -> (Json, String) {
    let out = support::auditui()
        .args(["report", HIPAA, "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = serde_json::from_slice(&out.stdout).unwrap();
    (report, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_browser_and_the_cli_give_the_same_narrowed_report() {
    let filter = "patient:P-0007 failed";
    let shown = browser_report(filter);
    let (printed, _) = cli_report(&["-q", filter]);
    assert_eq!(shown, printed);
    assert_eq!(shown["filter"], filter);
    assert_eq!(shown["total_accesses"], 3, "only the failed accesses");
    assert!(
        shown["accesses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["success"] == false)
    );
}

#[test]
fn a_report_without_a_filter_says_nothing_about_one() {
    let (report, _) = cli_report(&[
        "--patient",
        "P-0007",
        "--from",
        "2025-07-01",
        "--to",
        "2025-07-31",
    ]);
    assert_eq!(report["total_accesses"], 16);
    assert!(report.get("filter").is_none() && report.get("patient_note").is_none());
}

#[test]
fn an_id_that_never_occurs_is_warned_about_with_the_id_meant() {
    let (report, stderr) = cli_report(&["-q", "patient:p-0007"]);
    let note =
        "no entry for this patient in the log: 'p-0007' never occurs (did you mean 'P-0007'?)";
    assert_eq!(report["patient_note"], note);
    assert!(stderr.contains(&format!("warning: {note}")), "{stderr}");
    assert_eq!(report["integrity_verified"], false);
    assert_eq!(
        report["integrity_note"],
        "nothing to verify: no entry for this patient in the log"
    );
    assert_eq!(browser_report("patient:p-0007")["patient_note"], note);
}

/// A finding in a log that never held the patient is not the report's.
#[test]
fn findings_in_other_logs_are_not_blamed_on_the_report() {
    let out = support::auditui()
        .args([
            "report",
            "sample-logs",
            "--patient",
            "P-0007",
            "--format",
            "json",
        ])
        .args(["--from", "2025-07-06", "--to", "2025-07-06"])
        .output()
        .unwrap();
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    let note = report["integrity_note"].as_str().unwrap();
    assert!(!note.contains("TAMPERED"), "{note}");
    assert!(note.contains("hipaa scheme"), "{note}");
}
