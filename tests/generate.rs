//! `auditui generate`: its logs verify, are deterministic and realistic, and
//! the committed `sample-logs/` are exactly what the generator and
//! `scripts/make-sample-logs.sh` produce, verifying as their README says.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::generate::{
    self, BURST_ACCESSES, BURST_PATIENT, BURST_USER, GeneratedFile, Options, Scenario, parse_start,
};
use auditui::log::chain::{FindingKind, Verification};
use auditui::log::entry::Scheme;
use auditui::log::json::{self, Value};
use auditui::log::pass::verify;
use auditui::log::source::{Source, open_all};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn options(entries: u64, scheme: Scheme) -> Options {
    let mut options = Options::new(entries);
    options.scheme = scheme;
    options
}

fn generated(options: &Options) -> Vec<GeneratedFile> {
    generate::generate(options).expect("valid options")
}

fn verify_files(files: &[GeneratedFile]) -> Verification {
    let sources: Vec<Source> = files
        .iter()
        .map(|f| Source::from_bytes(f.name.clone(), f.bytes.clone()))
        .collect();
    verify(&sources)
}

fn lines(file: &GeneratedFile) -> Vec<&str> {
    std::str::from_utf8(&file.bytes)
        .expect("ASCII")
        .lines()
        .collect()
}

/// The JSON object of a line, skipping a logging prefix.
fn parse(line: &str) -> Value<'_> {
    let start = line.find('{').expect("an object");
    json::parse(&line[start..]).expect("valid JSON")
}

fn keys<'a>(value: &Value<'a>) -> Vec<&'a str> {
    match value {
        Value::Object(members) => members.iter().map(|(k, _)| k.raw()).collect(),
        _ => panic!("not an object"),
    }
}

fn text(value: &Value<'_>, path: &[&str]) -> Option<String> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().map(|s| s.decode().into_owned())
}

fn success(value: &Value<'_>) -> bool {
    matches!(value.get("success"), Some(Value::Bool(true)))
}

fn micros(timestamp: &str) -> i64 {
    parse_start(timestamp).expect("an ISO timestamp")
}

#[test]
fn chain_hipaa_and_rotated_logs_verify_intact() {
    let chain = generated(&options(3000, Scheme::Chain));
    let v = verify_files(&chain);
    assert!(v.intact(), "{:?}", v.findings);
    assert_eq!(
        (v.entries(), v.scheme(), v.weak(), v.chains.len()),
        (3000, "chain", false, 1)
    );

    let hipaa = generated(&options(3000, Scheme::Hipaa));
    let v = verify_files(&hipaa);
    assert!(v.intact(), "{:?}", v.findings);
    assert_eq!(
        (v.entries(), v.scheme(), v.weak(), v.chains.len()),
        (3000, "hipaa", true, 1)
    );

    for scheme in [Scheme::Chain, Scheme::Hipaa] {
        let mut rotated = options(3000, scheme);
        rotated.files = 4;
        let v = verify_files(&generated(&rotated));
        assert!(v.intact(), "{:?}", v.findings);
        assert_eq!(
            (v.entries(), v.chains.len(), v.chains[0].files.len()),
            (3000, 1, 4)
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
    for scheme in [Scheme::Chain, Scheme::Hipaa, Scheme::Plain] {
        let a = generated(&options(2000, scheme));
        assert_eq!(a, generated(&options(2000, scheme)), "{scheme:?}");
        let mut other = options(2000, scheme);
        other.seed = 2;
        let b = generated(&other);
        assert_ne!(a[0].bytes, b[0].bytes, "{scheme:?}");
    }
}

#[test]
fn rotation_only_splits_the_same_chain() {
    let single = generated(&options(1001, Scheme::Chain));
    let mut split = options(1001, Scheme::Chain);
    split.files = 3;
    let files = generated(&split);
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["audit.2.jsonl", "audit.1.jsonl", "audit.jsonl"]);
    assert_eq!(
        files.iter().map(|f| f.entries).collect::<Vec<_>>(),
        [333, 334, 334]
    );
    let joined: Vec<u8> = files.iter().flat_map(|f| f.bytes.iter().copied()).collect();
    assert_eq!(joined, single[0].bytes);
}

#[test]
fn rotated_files_are_ordered_by_linkage_not_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut rotated = options(900, Scheme::Chain);
    rotated.files = 3;
    generate::write_dir(dir.path(), &rotated, false).unwrap();
    // Reading the directory takes the files in name order: audit.1, audit.2,
    // audit; the chain runs audit.2 -> audit.1 -> audit.
    let sources = open_all(&[dir.path().to_path_buf()]).unwrap();
    let by_name: Vec<String> = sources.iter().map(|s| file_name(&s.name)).collect();
    assert_eq!(by_name, ["audit.1.jsonl", "audit.2.jsonl", "audit.jsonl"]);
    let v = verify(&sources);
    assert!(v.intact(), "{:?}", v.findings);
    assert_eq!(v.chains.len(), 1);
    let chain_order: Vec<String> = v.chains[0].files.iter().map(|f| file_name(f)).collect();
    assert_eq!(
        chain_order,
        ["audit.2.jsonl", "audit.1.jsonl", "audit.jsonl"]
    );
    assert_ne!(by_name, chain_order);
    assert_eq!(v.chains[0].entries, 900);

    // With two files, given newest first as a user lists them.
    let two = tempfile::tempdir().unwrap();
    rotated.files = 2;
    generate::write_dir(two.path(), &rotated, false).unwrap();
    let v = verify(
        &open_all(&[
            two.path().join("audit.jsonl"),
            two.path().join("audit.1.jsonl"),
        ])
        .unwrap(),
    );
    assert!(v.intact(), "{:?}", v.findings);
    let chain_order: Vec<String> = v.chains[0].files.iter().map(|f| file_name(f)).collect();
    assert_eq!(
        (v.chains.len(), chain_order),
        (
            1,
            vec!["audit.1.jsonl".to_string(), "audit.jsonl".to_string()]
        )
    );
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn lines_have_the_lesson_key_order() {
    let chain_keys = [
        "timestamp",
        "conversation_id",
        "turn_number",
        "user_id",
        "tool_name",
        "arguments",
        "result_summary",
        "duration_ms",
        "model",
        "success",
        "session_metadata",
        "_previous_hash",
        "_hash",
    ];
    let hipaa_keys = [
        "timestamp",
        "user_id",
        "user_role",
        "tool_name",
        "patient_id",
        "purpose",
        "arguments_sanitized",
        "result_summary",
        "success",
        "previous_hash",
        "entry_hash",
    ];
    for line in lines(&generated(&options(500, Scheme::Chain))[0]) {
        let entry = parse(line);
        assert_eq!(keys(&entry), chain_keys);
        let meta = entry.get("session_metadata").unwrap();
        assert_eq!(
            keys(meta),
            ["user_role", "client_ip", "user_agent", "call_trigger"]
        );
        assert_eq!(keys(entry.get("result_summary").unwrap())[0], "success");
        assert!(
            line.contains("\", \"conversation_id\": \"conv_"),
            "separators as json.dumps: {line}"
        );
    }
    for line in lines(&generated(&options(500, Scheme::Hipaa))[0]) {
        assert_eq!(keys(&parse(line)), hipaa_keys);
    }
}

#[test]
fn plain_logs_have_no_hashes_and_may_carry_the_logging_prefix() {
    let mut plain = options(500, Scheme::Plain);
    let file = &generated(&plain)[0];
    assert_eq!(file.name, "audit.jsonl");
    for line in lines(file) {
        let entry = parse(line);
        assert!(line.starts_with('{'));
        for key in ["_hash", "_previous_hash", "entry_hash", "previous_hash"] {
            assert!(entry.get(key).is_none(), "{key} in {line}");
        }
    }
    plain.logging_prefix = true;
    let file = &generated(&plain)[0];
    assert_eq!(file.name, "audit.log");
    assert!(
        lines(file)
            .iter()
            .all(|l| l.starts_with("INFO:tool_audit:{"))
    );
    let v = verify_files(&generated(&plain));
    assert_eq!(
        (v.scheme(), v.entries(), v.findings.len()),
        ("plain", 500, 0)
    );

    let mut chained = options(10, Scheme::Chain);
    chained.logging_prefix = true;
    assert!(
        generate::generate(&chained)
            .unwrap_err()
            .contains("--logging-prefix")
    );
}

#[test]
fn about_eight_percent_of_calls_fail() {
    for scheme in [Scheme::Chain, Scheme::Hipaa] {
        let file = &generated(&options(10_000, scheme))[0];
        let entries: Vec<Value<'_>> = lines(file).into_iter().map(parse).collect();
        let failed = entries.iter().filter(|e| !success(e)).count();
        let rate = failed as f64 / entries.len() as f64;
        assert!(
            (0.05..=0.12).contains(&rate),
            "{scheme:?} failure rate {rate}"
        );
        for entry in entries.iter().filter(|e| !success(e)) {
            let error = text(entry, &["result_summary", "error"]).expect("failures say why");
            assert!(!error.is_empty());
        }
    }
}

#[test]
fn conversations_interleave_with_rising_turns_and_retries_follow_failures() {
    let file = &generated(&options(5000, Scheme::Chain))[0];
    let entries: Vec<Value<'_>> = lines(file).into_iter().map(parse).collect();
    let mut last: HashMap<String, &Value<'_>> = HashMap::new();
    let mut switches = 0;
    let mut previous_conversation = String::new();
    let mut previous_time = i64::MIN;
    let mut retries = 0;
    for entry in &entries {
        let conversation = text(entry, &["conversation_id"]).unwrap();
        assert!(
            conversation.starts_with("conv_") && conversation.len() == 13,
            "{conversation}"
        );
        let time = micros(&text(entry, &["timestamp"]).unwrap());
        assert!(time > previous_time, "timestamps strictly increase");
        previous_time = time;
        if let Some(before) = last.get(&conversation) {
            let turn = |e: &Value<'_>| e.get("turn_number").and_then(Value::as_f64).unwrap();
            assert!(
                turn(entry) >= turn(before),
                "turns never go back in {conversation}"
            );
        }
        if text(entry, &["session_metadata", "call_trigger"]).as_deref() == Some("retry") {
            retries += 1;
            let before = last.get(&conversation).expect("a retry follows a call");
            assert!(!success(before), "a retry follows a failure");
            assert_eq!(text(before, &["tool_name"]), text(entry, &["tool_name"]));
        }
        switches += usize::from(conversation != previous_conversation);
        previous_conversation = conversation.clone();
        last.insert(conversation, entry);
    }
    assert!(retries > 20, "{retries} retries");
    assert!(last.len() > 1000, "{} conversations", last.len());
    assert!(switches > entries.len() / 2, "conversations interleave");
    let users: std::collections::HashSet<_> =
        entries.iter().map(|e| text(e, &["user_id"])).collect();
    assert!((150..=201).contains(&users.len()), "{} users", users.len());
}

#[test]
fn the_clinic_scenario_plants_a_burst_and_reviewed_emergencies() {
    let mut clinic = options(1500, Scheme::Hipaa);
    clinic.scenario = Scenario::Clinic;
    let file = &generated(&clinic)[0];
    let entries: Vec<Value<'_>> = lines(file).into_iter().map(parse).collect();

    let burst: Vec<i64> = entries
        .iter()
        .filter(|e| text(e, &["user_id"]).as_deref() == Some(BURST_USER))
        .map(|e| {
            assert_eq!(text(e, &["patient_id"]).as_deref(), Some(BURST_PATIENT));
            micros(&text(e, &["timestamp"]).unwrap())
        })
        .collect();
    assert_eq!(burst.len(), BURST_ACCESSES as usize);
    assert!(
        burst.windows(12).any(|w| w[11] - w[0] <= 3_600_000_000),
        "12 accesses within an hour"
    );

    let glass: Vec<(usize, String, String, String)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(
                e.get("arguments_sanitized")
                    .and_then(|a| a.get("break_glass")),
                Some(Value::Bool(true))
            )
        })
        .map(|(i, e)| {
            assert_eq!(text(e, &["purpose"]).as_deref(), Some("emergency"));
            (
                i,
                text(e, &["patient_id"]).unwrap(),
                text(e, &["user_id"]).unwrap(),
                text(e, &["timestamp"]).unwrap(),
            )
        })
        .collect();
    assert!(glass.len() >= 2, "the two planted emergencies");
    for (line, patient, user, at) in &glass {
        let reviewed = entries[line + 1..].iter().any(|e| {
            text(e, &["tool_name"]).as_deref() == Some("review_emergency_access")
                && text(e, &["user_role"]).as_deref() == Some("admin")
                && text(e, &["patient_id"]).as_ref() == Some(patient)
                && text(e, &["arguments_sanitized", "reviewed_user"]).as_ref() == Some(user)
                && text(e, &["arguments_sanitized", "emergency_access_at"]).as_ref() == Some(at)
        });
        assert!(reviewed, "emergency at line {} is reviewed later", line + 1);
    }
    // PII is hashed as the lesson's hash_pii does.
    let hashed = entries
        .iter()
        .filter_map(|e| text(e, &["result_summary", "patient_name"]))
        .collect::<Vec<_>>();
    assert!(!hashed.is_empty());
    for h in hashed {
        assert!(
            h.len() == 23
                && h.starts_with("sha256:")
                && h[7..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{h}"
        );
    }
}

#[test]
fn realistic_details_are_present() {
    let file = &generated(&options(5000, Scheme::Chain))[0];
    let text = std::str::from_utf8(&file.bytes).unwrap();
    for needle in [
        "\"password\": \"***REDACTED***\"",
        "\"api_key\": \"***REDACTED***\"",
        "\"token\": \"***REDACTED***\"",
        "\"_truncated\": true",
        "\"call_trigger\": \"proactive\"",
        "\"call_trigger\": \"system\"}, \"_previous_hash\"",
        "\"duration_ms\": 0,",
        "\"model\": \"claude-sonnet-4\"",
        "\"order_id\": \"ORD-",
        "\"customer_id\": \"C-",
        "\"patient_id\": \"P-0",
        "\\u00e9", // é, escaped as ensure_ascii does
        "\\ud83d", // an emoji, as a surrogate pair
    ] {
        assert!(text.contains(needle), "{needle} missing");
    }
}

#[test]
fn the_cli_refuses_to_overwrite_and_documents_itself() {
    let bin = env!("CARGO_BIN_EXE_auditui");
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "generate".to_string(),
            dir.path().display().to_string(),
            "--entries".into(),
            "50".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Command::new(bin).args(&args).output().unwrap()
    };
    let first = run(&[]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let bytes = std::fs::read(dir.path().join("audit.jsonl")).unwrap();
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2));
    let message = String::from_utf8_lossy(&again.stderr);
    assert!(
        message.contains("audit.jsonl") && message.contains("--force"),
        "{message}"
    );
    let forced = run(&["--force", "--seed", "9"]);
    assert_eq!(forced.status.code(), Some(0));
    assert_ne!(
        std::fs::read(dir.path().join("audit.jsonl")).unwrap(),
        bytes
    );
    assert_eq!(run(&["--files", "51"]).status.code(), Some(2));
    assert_eq!(run(&["--start", "yesterday"]).status.code(), Some(2));

    let help = Command::new(bin)
        .args(["generate", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("deterministic") && help.contains("Examples:"),
        "{help}"
    );
}

// ---------------------------------------------------------------------------
// The committed sample-logs/
// ---------------------------------------------------------------------------

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

/// The options `scripts/make-sample-logs.sh` passes, keep them in step.
fn sample_options(name: &str, entries: u64, seed: u64, start: &str) -> Options {
    let mut options = Options::new(entries);
    options.name = name.into();
    options.seed = seed;
    options.start_micros = parse_start(start).unwrap();
    options
}

fn assert_committed(file: &GeneratedFile, path: &Path) {
    let committed = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        committed == file.bytes,
        "{} differs from what the generator writes now: run scripts/make-sample-logs.sh and commit the result",
        path.display()
    );
}

#[test]
fn sample_logs_are_what_the_generator_writes() {
    let support = sample_options("support-chain", 2000, 1, "2025-07-06T08:00:00Z");
    assert_committed(
        &generated(&support)[0],
        &samples().join("support-chain.jsonl"),
    );

    let mut clinic = sample_options("clinic-hipaa", 1500, 2, "2025-07-06T22:00:00Z");
    clinic.scenario = Scenario::Clinic;
    clinic.scheme = Scheme::Hipaa;
    assert_committed(
        &generated(&clinic)[0],
        &samples().join("clinic-hipaa.jsonl"),
    );

    let mut rotated = sample_options("audit", 800, 3, "2025-07-07T09:00:00Z");
    rotated.files = 2;
    for file in generated(&rotated) {
        assert_committed(&file, &samples().join("rotated").join(&file.name));
    }

    // The tampered copy: the script's two sed edits, redone here.
    let small = &generated(&sample_options("small", 400, 20, "2025-07-08T10:00:00Z"))[0];
    let mut lines: Vec<String> = lines(small).into_iter().map(str::to_string).collect();
    let refund = (119..lines.len())
        .find(|&i| lines[i].contains("\"tool_name\": \"issue_refund\""))
        .unwrap();
    assert_eq!(refund + 1, 120, "the README names line 120");
    let line = &lines[refund];
    let start = line.find("\"amount\": ").unwrap() + "\"amount\": ".len();
    let end = start + line[start..].find(',').unwrap();
    lines[refund] = format!("{}4999.0{}", &line[..start], &line[end..]);
    lines.remove(299);
    let tampered = GeneratedFile {
        name: String::new(),
        entries: 399,
        bytes: (lines.join("\n") + "\n").into_bytes(),
    };
    assert_committed(&tampered, &samples().join("TAMPERED-support-chain.jsonl"));
}

#[test]
fn sample_logs_verify_as_their_readme_says() {
    let check = |path: PathBuf| verify(&open_all(&[path]).unwrap());

    let v = check(samples().join("support-chain.jsonl"));
    assert!(
        v.intact() && !v.weak() && v.scheme() == "chain" && v.entries() == 2000,
        "{:?}",
        v.findings
    );

    let v = check(samples().join("clinic-hipaa.jsonl"));
    assert!(
        v.intact() && v.weak() && v.scheme() == "hipaa" && v.entries() == 1500,
        "{:?}",
        v.findings
    );

    let v = check(samples().join("rotated"));
    assert!(v.intact(), "{:?}", v.findings);
    assert_eq!(v.chains.len(), 1);
    let order: Vec<String> = v.chains[0].files.iter().map(|f| file_name(f)).collect();
    assert_eq!(order, ["audit.1.jsonl", "audit.jsonl"]);

    let v = check(samples().join("TAMPERED-support-chain.jsonl"));
    let found: Vec<(usize, FindingKind)> = v.findings.iter().map(|f| (f.line, f.kind)).collect();
    assert_eq!(
        found,
        [(120, FindingKind::Modified), (300, FindingKind::Link)]
    );

    // The whole folder, as `auditui` opens it by default: only the
    // tampered file has findings.
    let v = check(samples());
    assert_eq!(v.chains.len(), 4);
    assert_eq!(v.findings.len(), 2);
    assert!(
        v.findings
            .iter()
            .all(|f| f.file.ends_with("TAMPERED-support-chain.jsonl"))
    );
}
