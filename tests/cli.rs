//! The view subcommands as a user runs them: the built binary on the
//! fixtures, checking output shapes, exit codes, safe files and safe text.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use serde_json::{Value as Json, json};
use std::path::Path;
use std::process::Output;

const CHAIN: &str = "tests/fixtures/chain.jsonl";
const HIPAA: &str = "tests/fixtures/hipaa.jsonl";

fn auditui<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    support::auditui().args(args).output().unwrap()
}

/// Stdout of a run that must succeed.
fn ok<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Vec<u8> {
    let out = auditui(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn json_of<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Json {
    serde_json::from_slice(&ok(args)).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

fn expected() -> Json {
    serde_json::from_slice(&fixture("tests/fixtures/views.expected.json")).unwrap()
}

#[test]
fn query_jsonl_gives_back_the_original_lines_byte_for_byte() {
    assert_eq!(ok(&["query", CHAIN, "--format", "jsonl"]), fixture(CHAIN));
    let failed = ok(&["query", CHAIN, "-q", "failed", "--format", "jsonl"]);
    let original = String::from_utf8(fixture(CHAIN)).unwrap();
    for line in String::from_utf8(failed).unwrap().lines() {
        assert!(original.lines().any(|l| l == line));
    }
}

#[test]
fn query_counts_and_lists_the_matching_entries() {
    assert_eq!(ok(&["query", CHAIN, "-q", "failed", "--count"]), b"8\n");
    assert_eq!(
        ok(&[
            "query",
            CHAIN,
            "-q",
            "user:usr_98765 tool:search_kb|send_email",
            "--count"
        ]),
        b"7\n"
    );
    let array = json_of(&["query", HIPAA, "-q", "patient:P-0007", "--format", "json"]);
    let objects = array.as_array().unwrap();
    assert_eq!(objects.len(), 16);
    assert!(objects.iter().all(|o| o["patient_id"] == "P-0007"));
    let text = String::from_utf8(ok(&["query", CHAIN, "-q", "failed"])).unwrap();
    assert_eq!(text.lines().count(), 9, "a header and 8 rows:\n{text}");
    assert!(text.starts_with("time "));
}

#[test]
fn stats_json_has_the_lessons_keys_then_the_extras() {
    let stats = json_of(&["stats", CHAIN, "--format", "json"]);
    let first = &stats[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "tool",
        "total_calls",
        "success_rate",
        "avg_duration_ms",
        "max_duration_ms",
        "unique_users",
        "failures",
        "p50_duration_ms",
        "p95_duration_ms",
    ];
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    want.sort_unstable();
    assert_eq!(sorted, want);
    let expected = expected();
    let lesson = &expected["chain"]["by_tool"]["search_kb"];
    assert_eq!(first["tool"], "search_kb");
    for key in [
        "total_calls",
        "success_rate",
        "avg_duration_ms",
        "max_duration_ms",
        "unique_users",
    ] {
        assert_eq!(first[key], lesson[key], "{key}");
    }
    // The order the lesson's keys are written in is the lesson's.
    let text = String::from_utf8(ok(&["stats", CHAIN, "--format", "json"])).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("tool") < at("total_calls") && at("success_rate") < at("unique_users"));
    let csv = String::from_utf8(ok(&["stats", CHAIN, "--format", "csv", "-q", "failed"])).unwrap();
    assert!(csv.starts_with("tool,total_calls,success_rate,"), "{csv}");
}

#[test]
fn timeline_seed_prints_exactly_the_lessons_lines_when_piped() {
    let expected = expected();
    let timelines = expected["chain"]["conversation_timeline"]
        .as_object()
        .unwrap();
    for (conversation, lines) in timelines {
        let out = ok(&[
            "timeline",
            CHAIN,
            "--conversation",
            conversation,
            "--format",
            "seed",
        ]);
        let want: String = lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{}\n", l.as_str().unwrap()))
            .collect();
        assert_eq!(String::from_utf8(out).unwrap(), want, "{conversation:?}");
    }
    let json = json_of(&[
        "timeline",
        CHAIN,
        "--conversation",
        "conv_abc123",
        "--format",
        "json",
    ]);
    assert_eq!(json["conversation"], "conv_abc123");
    assert_eq!(
        json["entries"][0]["attribution"],
        "User usr_98765 (support_agent) → gpt-4.1 → get_customer [user_request]"
    );
}

#[test]
fn report_json_is_the_lessons_report_with_real_integrity() {
    let expected = expected();
    let case = &expected["hipaa"]["access_reports"][1];
    let out = auditui(&[
        "report",
        HIPAA,
        "--patient",
        case["patient_id"].as_str().unwrap(),
        "--from",
        case["start"].as_str().unwrap(),
        "--to",
        case["end"].as_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    // The weak scheme is said once on stderr, and in the report itself.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("hipaa"));
    let mut report: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["integrity_verified"], false);
    assert!(report["integrity_note"].as_str().unwrap().contains("hipaa"));
    report.as_object_mut().unwrap().remove("integrity_note");
    let mut want = case["report"].clone();
    want["integrity_verified"] = json!(false);
    for access in report["accesses"].as_array_mut().unwrap() {
        access.as_object_mut().unwrap().remove("emergency");
    }
    assert_eq!(report, want);
}

#[test]
fn report_without_a_period_covers_the_whole_log() {
    let report = |period: &[&str]| {
        let base = ["report", HIPAA, "--patient", "P-0007", "--format", "json"];
        json_of(&[&base[..], period].concat())
    };
    let whole = report(&[]);
    // The fixture's first and last entries, whoever they are about.
    assert_eq!(
        whole["report_period"]["start"],
        "2025-07-07T08:00:00.123456+00:00"
    );
    assert_eq!(
        whole["report_period"]["end"],
        "2025-07-08T07:30:25.855916+00:00"
    );
    let explicit = report(&[
        "--from",
        "2025-07-07T08:00:00.123456Z",
        "--to",
        "2025-07-08T07:30:25.855916Z",
    ]);
    assert_eq!(whole, explicit);
    assert!(whole["total_accesses"].as_u64().unwrap() > 0);
    // One end given: the other is still the log's.
    let from = report(&["--from", "2025-07-08"]);
    assert_eq!(from["report_period"]["end"], whole["report_period"]["end"]);
    assert!(from["total_accesses"].as_u64() < whole["total_accesses"].as_u64());
}

#[test]
fn report_formats_and_accounting() {
    let base = [
        "report",
        HIPAA,
        "--patient",
        "P-0007",
        "--from",
        "2025-07-07",
        "--to",
        "2025-07-07",
    ];
    let with = |extra: &[&str]| String::from_utf8(ok(&[&base[..], extra].concat())).unwrap();
    let md = with(&["--format", "md"]);
    assert!(md.starts_with("# Access report: P-0007\n"), "{md}");
    assert!(md.contains("**not verified**"));
    let csv = with(&["--format", "csv"]);
    assert!(csv.starts_with(
        "patient_id,timestamp,accessed_by,role,tool,purpose,success,emergency,justification\r\n"
    ));
    assert_eq!(csv.lines().count(), 16);
    let accounting: Json =
        serde_json::from_str(&with(&["--accounting", "--format", "json"])).unwrap();
    assert_eq!(accounting["total_disclosures"], 13);
    assert_eq!(accounting["disclosures"][0]["date"], "2025-07-07");
    let text = with(&["--accounting"]);
    assert!(
        text.starts_with("Accounting of disclosures: P-0007\n"),
        "{text}"
    );
}

#[test]
fn a_date_alone_in_to_includes_that_whole_day() {
    let day = |from: &str, to: &str| -> Json {
        json_of(&[
            "report",
            "sample-logs",
            "--patient",
            "P-0007",
            "--from",
            from,
            "--to",
            to,
            "--format",
            "json",
        ])
    };
    let whole_day = day("2025-07-06", "2025-07-06");
    let explicit = day("2025-07-06T00:00:00Z", "2025-07-06T23:59:59.999999Z");
    assert!(whole_day["total_accesses"].as_u64().unwrap() > 0);
    assert_eq!(whole_day["accesses"], explicit["accesses"]);
    assert_eq!(
        whole_day["report_period"]["end"],
        "2025-07-06T23:59:59.999999"
    );
    let help = String::from_utf8(ok(&["report", "--help"])).unwrap();
    assert!(
        help.contains("a date alone is the end of that day"),
        "{help}"
    );
}

#[test]
fn csv_exports_carry_the_error_each_failed_call_logged() {
    let csv = String::from_utf8(ok(&[
        "export", CHAIN, "-q", "failed", "--format", "csv", "-o", "-",
    ]))
    .unwrap();
    assert!(csv.lines().next().unwrap().split(',').any(|c| c == "error"));
    let log = String::from_utf8(fixture(CHAIN)).unwrap();
    let errors: Vec<String> = log
        .lines()
        // serde_json refuses the fixture's lone surrogates; the other
        // lines are enough to check.
        .filter_map(|line| serde_json::from_str::<Json>(line).ok())
        .filter(|entry| entry["success"] == false)
        .map(|entry| {
            entry["result_summary"]["error"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(errors.len() >= 5, "{errors:?}");
    for error in errors {
        assert!(csv.contains(&error), "{error} missing from\n{csv}");
    }
}

#[test]
fn output_files_are_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, b"precious").unwrap();
    let args = |force: bool| {
        let mut args = vec![
            "report".to_owned(),
            HIPAA.into(),
            "--patient".into(),
            "P-0007".into(),
            "--from".into(),
            "2025-07-07".into(),
            "--to".into(),
            "2025-07-08".into(),
            "--format".into(),
            "json".into(),
            "-o".into(),
            path.display().to_string(),
        ];
        if force {
            args.push("--force".into());
        }
        args
    };
    let refused = auditui(&args(false));
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to overwrite"));
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    assert!(refused.stdout.is_empty());

    ok(&args(true));
    let report: Json = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(report["patient_id"], "P-0007");

    let export = dir.path().join("all.jsonl");
    let export_args = ["export", CHAIN, "-o", export.to_str().unwrap()];
    ok(&export_args);
    assert_eq!(std::fs::read(&export).unwrap(), fixture(CHAIN));
    assert_eq!(auditui(&export_args).status.code(), Some(2));
    assert_eq!(std::fs::read(&export).unwrap(), fixture(CHAIN));
}

#[test]
fn a_bad_filter_is_a_usage_error_pointing_at_its_column() {
    let out = auditui(&["query", CHAIN, "-q", "tool:x usr:y"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("column 8: unknown key 'usr'"), "{stderr}");
    assert!(stderr.contains("did you mean 'user'?"));
    assert!(
        stderr.contains("\n  tool:x usr:y\n         ^^^^^\n"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(
        auditui(&["stats", "no/such/file.jsonl"]).status.code(),
        Some(2)
    );
    assert_eq!(auditui(&["export", CHAIN]).status.code(), Some(2));
    assert_eq!(
        auditui(&["alerts", CHAIN, "--window", "1 hour"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        auditui(&[
            "report",
            HIPAA,
            "--patient",
            "P",
            "--from",
            "July",
            "--to",
            "2025-08-01"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn broken_chains_are_reported_on_stderr_and_still_answered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tampered.jsonl");
    let text = String::from_utf8(fixture(CHAIN)).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"success\": true", "\"success\": false", 1),
    )
    .unwrap();
    let out = auditui(&["query", path.to_str().unwrap(), "--count"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"60\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1);
    assert!(
        stderr.contains("1 integrity finding") && stderr.contains(":1 (modified)"),
        "{stderr}"
    );
}

#[test]
fn csv_defuses_formulas_in_text_cells_and_keeps_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("formulas.jsonl");
    std::fs::write(
        &log,
        concat!(
            r#"{"timestamp": "2025-07-07T10:00:00+00:00", "user_id": "=HYPERLINK(\"http://x\")", "tool_name": "+1", "conversation_id": "-2", "patient_id": "@SUM(A1)", "duration_ms": -2, "success": true}"#,
            "\n"
        ),
    )
    .unwrap();
    let csv = String::from_utf8(ok(&[
        "export",
        log.to_str().unwrap(),
        "--format",
        "csv",
        "-o",
        "-",
    ]))
    .unwrap();
    let row = csv.lines().nth(1).unwrap();
    for cell in [
        r#""'=HYPERLINK(""http://x"")""#,
        r#""'+1""#,
        r#""'-2""#,
        r#""'@SUM(A1)""#,
    ] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    assert!(
        row.contains(",-2,"),
        "the numeric duration stays a number: {row}"
    );
    let report = String::from_utf8(ok(&[
        "report",
        log.to_str().unwrap(),
        "--patient",
        "@SUM(A1)",
        "--from",
        "2025-07-07",
        "--to",
        "2025-07-08",
        "--format",
        "csv",
    ]))
    .unwrap();
    assert!(
        report.contains(r#""'@SUM(A1)",2025-07-07T10:00:00+00:00,"'=HYPERLINK(""http://x"")""#),
        "{report}"
    );
}

#[test]
fn no_text_output_sends_a_raw_escape_to_the_terminal() {
    let hostile_conversation = "conv_9c2d\u{1b}]52;c;aGVsbG8=\u{7}";
    let runs: Vec<Vec<&str>> = vec![
        vec!["query", CHAIN],
        vec!["query", CHAIN, "-q", "ok"],
        vec!["stats", CHAIN],
        vec!["histogram", CHAIN],
        vec!["timeline", CHAIN, "--conversation", hostile_conversation],
        vec![
            "timeline",
            CHAIN,
            "--conversation",
            hostile_conversation,
            "--format",
            "seed",
        ],
        vec!["timeline", CHAIN, "--conversation", "conv_sys01"],
        vec![
            "report",
            CHAIN,
            "--patient",
            "P-0005",
            "--from",
            "2025-01-01",
            "--to",
            "2026-01-01",
        ],
        vec![
            "report",
            CHAIN,
            "--patient",
            "P-0005",
            "--from",
            "2025-01-01",
            "--to",
            "2026-01-01",
            "--format",
            "md",
        ],
        vec!["alerts", CHAIN, "--threshold", "2"],
        vec!["retention", CHAIN, "--now", "2026-07-01"],
        vec!["query", CHAIN, "-q", "\"\u{1b}[31m\""],
    ];
    for args in runs {
        let out = auditui(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!bytes.contains(&0x1b), "raw ESC on {stream} of {args:?}");
        }
    }
    // The hostile values are shown, escaped, not dropped.
    let text = String::from_utf8(ok(&[
        "query",
        CHAIN,
        "-q",
        &format!("conv:{hostile_conversation}"),
    ]))
    .unwrap();
    assert!(text.contains("conv_9c2d\\x1b]52;c;aGVsbG8=\\x07"), "{text}");
}

#[test]
fn alerts_and_retention_json() {
    let alerts = json_of(&["alerts", HIPAA, "--format", "json"]);
    assert_eq!(alerts["threshold"], 10);
    assert_eq!(alerts["window"], "1h");
    assert_eq!(alerts["bursts"].as_array().unwrap().len(), 1);
    assert_eq!(alerts["bursts"][0]["count"], 12);
    assert_eq!(alerts["emergencies"].as_array().unwrap().len(), 9);
    let retention = json_of(&[
        "retention",
        HIPAA,
        "--now",
        "2026-07-09",
        "--format",
        "json",
    ]);
    assert_eq!(retention["due_within_days"], 30.0);
    assert_eq!(retention["entries"].as_array().unwrap().len(), 40);
    assert_eq!(retention["entries"][0]["status"], "past");
    assert_eq!(retention["policies"][0]["name"], "financial");
    let csv = String::from_utf8(ok(&[
        "retention",
        HIPAA,
        "--now",
        "2026-07-09",
        "--format",
        "csv",
    ]))
    .unwrap();
    assert!(csv.starts_with("time,tool,policy,retention_days,expires,status,file,line\r\n"));
}

#[test]
fn histogram_counts_calls_and_failures_per_utc_bucket_in_every_format() {
    let all = json_of(&["histogram", CHAIN, "--bucket", "1d", "--format", "json"]);
    let failed = json_of(&["query", CHAIN, "-q", "failed", "--format", "json"]);
    assert_eq!(
        (all["bucket"].as_str(), all["bucket_seconds"].as_f64()),
        (Some("1d"), Some(86_400.0))
    );
    assert_eq!(all["calls"], 60);
    assert_eq!(all["failures"], failed.as_array().unwrap().len());
    let buckets = all["buckets"].as_array().unwrap();
    assert!(
        buckets
            .iter()
            .all(|b| b["start"].as_str().unwrap().ends_with("T00:00:00Z"))
    );
    let sum: u64 = buckets.iter().map(|b| b["calls"].as_u64().unwrap()).sum();
    assert_eq!(sum, 60);

    let csv = String::from_utf8(ok(&[
        "histogram",
        CHAIN,
        "--bucket",
        "1d",
        "--format",
        "csv",
    ]))
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "start,end,calls,failures");
    assert_eq!(lines.len(), buckets.len() + 1);

    let text =
        String::from_utf8(ok(&["histogram", CHAIN, "-q", "failed", "--bucket", "1d"])).unwrap();
    let mut lines = text.lines();
    assert!(
        lines.next().unwrap().starts_with("1d buckets (UTC) from "),
        "{text}"
    );
    assert!(lines.next().unwrap().starts_with("start "));
    assert!(text.contains('▒'), "failed calls draw as ▒:\n{text}");
}

#[test]
fn histogram_refuses_bad_or_too_fine_buckets() {
    for bucket in ["0s", "5M", "soon"] {
        let out = auditui(&["histogram", CHAIN, "--bucket", bucket]);
        assert_eq!(out.status.code(), Some(2), "--bucket {bucket}");
    }
    let out = auditui(&["histogram", CHAIN, "--bucket", "1us"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("choose a wider one"), "{stderr}");
}

#[test]
fn exports_never_land_on_or_among_the_input_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let log = logs.join("audit.jsonl");
    std::fs::copy(CHAIN, &log).unwrap();
    let before = std::fs::read(&log).unwrap();
    for (input, target) in [
        (log.clone(), log.clone()),
        (logs.clone(), logs.join("export.jsonl")),
        (logs.clone(), logs.join("audit.jsonl")),
    ] {
        let out = auditui(&[
            "export".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            target.as_os_str(),
            "--force".as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{target:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("never writes there"), "{err}");
    }
    assert_eq!(std::fs::read(&log).unwrap(), before);
    assert_eq!(std::fs::read_dir(&logs).unwrap().count(), 1);
}

#[test]
fn an_entry_over_the_configured_limit_is_not_verified_exit_2_not_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    std::fs::write(&path, fixture(CHAIN)).unwrap();
    let path = path.to_str().unwrap();
    let out = auditui(&["verify", path, "--max-entry-bytes", "1000"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("not verified: too large"), "{text}");
    assert!(
        text.contains("NOT VERIFIED") && !text.contains("FAILED"),
        "{text}"
    );
    let json: Json = serde_json::from_slice(
        &auditui(&[
            "verify",
            path,
            "--max-entry-bytes",
            "1KiB",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(json["findings"], json!([]));
    assert_eq!(json["complete"], json!(false));
    assert!(!json["unverified"].as_array().unwrap().is_empty());
    // Without a limit, the same log is intact.
    assert_eq!(auditui(&["verify", path]).status.code(), Some(0));
}

/// `(time, file, line)` of each row of `query --format csv`.
fn csv_places(args: &[&str]) -> Vec<(String, String, usize)> {
    let out = String::from_utf8(ok(args)).unwrap();
    out.lines()
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split(',').collect();
            let n = cells.len();
            (
                cells[0].to_owned(),
                cells[n - 2].to_owned(),
                cells[n - 1].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn query_lists_all_logs_merged_by_time_as_the_browser_does_or_file_by_file() {
    let merged = csv_places(&["query", "sample-logs", "--format", "csv"]);
    let by_file = csv_places(&["query", "sample-logs", "--format", "csv", "--file-order"]);
    assert_eq!(merged.len(), by_file.len());
    let files = |rows: &[(String, String, usize)]| {
        let mut files: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        files.dedup();
        files.len()
    };
    // File by file: each file once, in line order.
    let distinct = {
        let mut all: Vec<&String> = by_file.iter().map(|r| &r.1).collect();
        all.sort();
        all.dedup();
        all.len()
    };
    assert!(distinct > 1);
    assert_eq!(files(&by_file), distinct);
    assert!(
        by_file
            .windows(2)
            .all(|w| w[0].1 != w[1].1 || w[0].2 < w[1].2)
    );
    // By time: times never go back (RFC 3339 UTC with a `Z` sorts as text
    // once the fraction is padded), so the files come in another order
    // than their names', and the same entries are listed.
    assert_ne!(merged, by_file);
    let instant = |t: &str| {
        let (whole, fraction) = t
            .trim_end_matches('Z')
            .split_once('.')
            .unwrap_or((t.trim_end_matches('Z'), ""));
        format!("{whole}.{fraction:0<6}")
    };
    assert!(
        merged
            .windows(2)
            .all(|w| instant(&w[0].0) <= instant(&w[1].0))
    );
    let mut sorted = merged.clone();
    sorted.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let mut expected = by_file.clone();
    expected.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    assert_eq!(sorted, expected);
}

#[test]
fn a_binary_or_non_json_file_is_one_finding_not_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("core.bin");
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(40_000).collect();
    bytes.extend(b"\n{\"user_id\": \"u\"}\n");
    std::fs::write(&binary, &bytes).unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "line one\nline two\nline three\n").unwrap();
    for (path, why) in [(&binary, "NUL bytes"), (&text, "none of its first lines")] {
        let out = auditui(&["verify".to_owned(), path.display().to_string()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("1 finding:"), "{stdout}");
        let expected = format!("{}:1  malformed  not a JSON-lines log: ", path.display());
        assert!(stdout.contains(&expected), "{stdout}");
        assert!(stdout.contains(why), "{stdout}");
        // Not a log of any scheme: no "plain" label, no plain-log note.
        assert!(stdout.contains("1 chain (none)"), "{stdout}");
        assert!(!stdout.contains("plain"), "{stdout}");
        let json = auditui(&[
            "verify".to_owned(),
            path.display().to_string(),
            "--format".to_owned(),
            "json".to_owned(),
        ]);
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(json["scheme"], "none");
        assert_eq!(json["chains"][0]["scheme"], "none");
        assert_eq!(json["weak"], false);
    }
}

#[test]
fn the_filter_language_is_in_help_and_the_man_page_cites_no_missing_pages() {
    let help = String::from_utf8(ok(&["query", "--help"])).unwrap();
    for needle in [
        "last:1h",
        "NEWEST ENTRY IN THE LOG",
        "keys",
        "-tool:search_kb",
    ] {
        assert!(help.contains(needle), "{needle} missing from\n{help}");
    }
    let man = String::from_utf8(ok(&["man"])).unwrap();
    assert!(
        !man.contains("(1)"),
        "cites pages that are not installed:\n{man}"
    );
    assert!(man.contains(".SS \"auditui query\""), "{man}");
    assert!(man.contains("NEWEST ENTRY IN THE LOG"), "{man}");
}

#[test]
fn break_glass_justification_is_in_every_report_format_and_in_alerts() {
    const CLINIC: &str = "sample-logs/clinic-hipaa.jsonl";
    for format in ["text", "json", "csv", "md", "fhir"] {
        let out = auditui(&[
            "report",
            CLINIC,
            "--patient",
            "P-0011",
            "--from",
            "2025-07-06",
            "--to",
            "2025-07-07",
            "--format",
            format,
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("Code blue on ward 4B"),
            "{format}:\n{stdout}"
        );
    }
    let alerts = String::from_utf8(ok(&["alerts", CLINIC])).unwrap();
    assert!(alerts.contains("justification"), "{alerts}");
    assert!(alerts.contains("Code blue on ward 4B"), "{alerts}");
}
