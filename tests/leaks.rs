//! `auditui scan`: every leak planted in tests/fixtures/leaks.jsonl is found
//! at its line and JSON path with the right kind, its secret never appears
//! in the output, and logs sanitised the lesson's way are clean.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use auditui::leaks::{Kind, Report, UNPARSED_PATH, scan_sources};
use auditui::log::source::open_all;
use std::path::PathBuf;
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn scan(name: &str) -> Report {
    scan_sources(&open_all(&[fixture(name)]).unwrap())
}

/// Each leak as (line, JSON path, kind, masked value), for comparing.
fn located(report: &Report) -> Vec<(usize, &str, Kind, &str)> {
    report
        .leaks
        .iter()
        .map(|l| {
            (
                l.line,
                l.hit.path.as_str(),
                l.hit.kind,
                l.hit.masked.as_str(),
            )
        })
        .collect()
}

fn auditui(args: &[&str]) -> Output {
    support::auditui().args(args).output().unwrap()
}

fn path_of(name: &str) -> String {
    fixture(name).display().to_string()
}

/// The secrets planted in leaks.jsonl, none of which may be printed.
const SECRETS: [&str; 12] = [
    "Jane Q. Doe",
    "123-45-6789",
    "hunter2-correct-horse",
    "219-09-9999",
    "4111 1111 1111 1111",
    "5555555555554444",
    "jane.doe@example.com",
    "eyJhbGciOiJIUzI1NiJ9",
    "sk-proj-AbCdEf0123456789AbCdEf0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "bob.smith@example.org",
];

#[test]
fn every_planted_leak_is_found_where_it_is_with_its_kind_and_mask() {
    let report = scan("leaks.jsonl");
    let found = located(&report);
    assert_eq!(
        found,
        vec![
            (
                3,
                "$.arguments_sanitized.patient_name",
                Kind::PiiField,
                "***(11 chars)"
            ),
            (
                3,
                "$.result_summary.patient.ssn",
                Kind::PiiField,
                "***-**-6789"
            ),
            (
                4,
                "$.arguments.auth.Password",
                Kind::SensitiveKey,
                "***(21 chars)"
            ),
            (5, "$.arguments.note", Kind::Ssn, "***-**-9999"),
            (
                6,
                "$.arguments.card_number",
                Kind::CardNumber,
                "************1111"
            ),
            (
                6,
                "$.result_summary.last_card",
                Kind::CardNumber,
                "************4444"
            ),
            (
                7,
                "$.result_summary.contact",
                Kind::Email,
                "j***@example.com"
            ),
            (
                8,
                "$.arguments.raw_request",
                Kind::BearerToken,
                "Bearer …(75 chars)"
            ),
            (9, "$.result_summary.error", Kind::ApiKey, "sk-…(40 chars)"),
            (
                10,
                "$.arguments.aws_key_id",
                Kind::ApiKey,
                "AKIA…(20 chars)"
            ),
            (10, "$.arguments.repo_url", Kind::ApiKey, "ghp_…(40 chars)"),
            (10, "$.arguments.session_blob", Kind::ApiKey, "…(32 chars)"),
            (11, UNPARSED_PATH, Kind::Email, "b***@example.org"),
        ]
    );
    for kind in Kind::ALL {
        assert!(found.iter().any(|f| f.2 == kind), "no {kind:?} planted");
    }
    assert_eq!(report.lines, 11);
}

#[test]
fn the_same_log_sanitised_the_lessons_way_is_clean() {
    let report = scan("leaks.clean.jsonl");
    assert_eq!(report.leaks, vec![]);
    assert_eq!(report.lines, 11);
}

#[test]
fn logs_written_by_the_lesson_code_are_clean() {
    for name in ["hipaa.jsonl", "bitflip_chain.jsonl", "bitflip_hipaa.jsonl"] {
        assert_eq!(scan(name).leaks, vec![], "{name}");
    }
}

/// The lesson's general `AuditLogger` redacts only its sensitive keys, so
/// the recipient of `send_email` is logged in clear: a true leak (the
/// lesson's own rule is that PII must never appear in logs), and the only
/// one in its log.
#[test]
fn the_general_logger_leaks_email_recipients() {
    let report = scan("chain.jsonl");
    let found = located(&report);
    let at = |line| (line, "$.arguments.to", Kind::Email, "j***@example.com");
    assert_eq!(found, vec![at(6), at(16), at(17), at(56), at(60)]);
}

#[test]
fn text_output_names_each_leak_but_never_its_secret_and_exits_1() {
    let out = auditui(&["scan", &path_of("leaks.jsonl")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for secret in SECRETS {
        assert!(!stdout.contains(secret), "{secret} leaked into:\n{stdout}");
    }
    assert!(
        stdout.contains("leaks.jsonl:5  ssn           $.arguments.note  ***-**-9999\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "FOUND: 13 leaks on 9 of 11 lines in 1 file (pii_field 2, sensitive_key 1, ssn 1, card_number 2, email 2, bearer_token 1, api_key 4)\n"
        ),
        "{stdout}"
    );
}

#[test]
fn json_output_is_ascii_and_holds_no_secret() {
    let out = auditui(&["scan", "--format", "json", &path_of("leaks.jsonl")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.is_ascii());
    for secret in SECRETS {
        assert!(!stdout.contains(secret), "{secret} leaked into:\n{stdout}");
    }
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["clean"], false);
    assert_eq!(json["lines"], 11);
    assert_eq!(json["counts"]["api_key"], 4);
    assert_eq!(json["counts"]["sensitive_key"], 1);
    let first = &json["leaks"][0];
    assert_eq!(first["line"], 3);
    assert_eq!(first["kind"], "pii_field");
    assert_eq!(first["path"], "$.arguments_sanitized.patient_name");
    assert_eq!(first["masked"], "***(11 chars)");
    assert_eq!(json["leaks"][7]["masked"], "Bearer \u{2026}(75 chars)");
}

#[test]
fn a_clean_log_exits_0_and_an_unreadable_path_exits_2() {
    let out = auditui(&[
        "scan",
        &path_of("hipaa.jsonl"),
        &path_of("leaks.clean.jsonl"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "OK: no leaks in 51 lines in 2 files\n"
    );
    let out = auditui(&["scan", "/nonexistent/audit.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no such file or directory")
    );
}

#[test]
fn hostile_keys_and_file_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil\u{1b}[31m.jsonl");
    std::fs::write(&path, "{\"\\u202e\\u001b[2J\": \"mail j@example.com\"}\n").unwrap();
    let out = auditui(&["scan", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout:?}"
    );
    assert!(stdout.contains(r#"$["\u202e\u001b[2J"]"#), "{stdout}");
}
