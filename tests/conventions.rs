//! What users of modern command-line tools expect: help with examples,
//! completions, a man page, colour only where it belongs, quiet stderr in
//! pipes, and a configuration file whose mistakes are reported, not fatal.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use std::path::Path;
use std::process::Output;

const CHAIN: &str = "tests/fixtures/chain.jsonl";
const TAMPERED: &str = "sample-logs/TAMPERED-support-chain.jsonl";

/// The binary with a clean environment: no user configuration, no colour
/// forced either way, plus `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = support::auditui();
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

const SUBCOMMANDS: [&str; 17] = [
    "keygen",
    "histogram",
    "follow",
    "verify",
    "checkpoint",
    "generate",
    "query",
    "stats",
    "timeline",
    "report",
    "alerts",
    "retention",
    "export",
    "scan",
    "completions",
    "man",
    "config",
];

#[test]
fn every_subcommand_has_a_purpose_and_examples_in_its_help() {
    let top = run(&["--help"], &[]);
    let top = stdout(&top);
    for sub in SUBCOMMANDS {
        let line = top
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{sub} ")))
            .unwrap_or_else(|| panic!("{sub} is not listed in --help:\n{top}"));
        assert!(
            line.split_whitespace().count() > 2,
            "{sub} has no purpose line"
        );
        let help = run(&[sub, "--help"], &[]);
        assert_eq!(help.status.code(), Some(0));
        let text = stdout(&help);
        let examples = text.split("Examples:").nth(1).unwrap_or_else(|| {
            panic!("auditui {sub} --help has no examples:\n{text}");
        });
        let count = examples
            .lines()
            .filter(|l| l.trim_start().starts_with("auditui "))
            .count();
        assert!(count >= 2, "auditui {sub} --help shows {count} example(s)");
    }
    assert!(top.contains("Exit codes: 0 ok, 1 integrity or leak findings, 2 usage or I/O error"));
}

#[test]
fn every_filter_in_the_help_examples_parses() {
    let mut texts = vec![stdout(&run(&["--help"], &[]))];
    texts.extend(
        SUBCOMMANDS
            .iter()
            .map(|sub| stdout(&run(&[sub, "--help"], &[]))),
    );
    let mut checked = 0;
    for text in &texts {
        for line in text
            .lines()
            .filter(|l| l.trim_start().starts_with("auditui "))
        {
            let Some(after) = line.split("-q '").nth(1) else {
                continue;
            };
            let filter = after.split('\'').next().unwrap();
            auditui::filter::parse_filter(filter)
                .unwrap_or_else(|e| panic!("example {line:?}: {e}"));
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} filters found in the examples");
}

#[test]
fn version_names_the_build_and_typos_get_a_suggestion() {
    let long = stdout(&run(&["--version"], &[]));
    assert!(
        long.starts_with(&format!("auditui {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{long}"
    );
    let typo = run(&["verify", CHAIN, "--formt", "json"], &[]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("--format"), "{}", stderr(&typo));
}

#[test]
fn completions_and_the_man_page_go_to_stdout() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef auditui"),
        ("fish", "complete -c auditui"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(&["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        assert!(
            script.contains("verify") && script.contains("format"),
            "{shell}"
        );
    }
    let man = run(&["man"], &[]);
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..80]
    );
    assert!(page.contains(".TH auditui 1"));
    assert!(page.contains("verify"));
}

fn has_escape(bytes: &[u8]) -> bool {
    bytes.contains(&0x1b)
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    // Piped: plain, whatever the command.
    let piped = run(&["verify", TAMPERED], &[]);
    assert_eq!(piped.status.code(), Some(1));
    assert!(!has_escape(&piped.stdout));
    assert!(stdout(&piped).contains("FAILED"));
    let stats = run(&["stats", CHAIN], &[]);
    assert!(!has_escape(&stats.stdout));

    let always = run(&["--color", "always", "verify", TAMPERED], &[]);
    assert!(has_escape(&always.stdout));
    let forced = run(&["verify", TAMPERED], &[("CLICOLOR_FORCE", "1")]);
    assert!(has_escape(&forced.stdout));
    let table = run(&["stats", CHAIN, "--color", "always"], &[]);
    assert!(has_escape(&table.stdout));

    let never = run(
        &["verify", TAMPERED, "--color", "never"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!has_escape(&never.stdout));
    let no_color = run(
        &["verify", TAMPERED],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
    );
    assert!(!has_escape(&no_color.stdout));
    // The words carry the verdict without colour.
    assert_eq!(
        stdout(&never),
        String::from_utf8_lossy(&strip(&always.stdout))
    );
}

/// `bytes` without SGR sequences (ESC [ ... m).
fn strip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b {
            while i < bytes.len() && bytes[i] != b'm' {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    out
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    // Large enough (about 40 MB) that a terminal would get a bar.
    let dir = tempfile::tempdir().unwrap();
    let generate = run(
        &[
            "generate",
            "--entries",
            "60000",
            dir.path().to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(generate.status.code(), Some(0), "{}", stderr(&generate));
    let log = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(std::fs::metadata(&log).unwrap().len() > 32 << 20);
    for args in [
        vec!["verify", log.to_str().unwrap()],
        vec!["query", log.to_str().unwrap(), "-q", "failed", "--count"],
        vec!["export", log.to_str().unwrap(), "-q", "failed", "-o", "-"],
    ] {
        let out = run(&args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?} wrote to a non-terminal stderr");
    }
}

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_printed_default_configuration_is_valid_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let default = stdout(&run(&["config", "--print-default"], &[]));
    assert!(default.contains("[retention]") && default.contains("# "));
    let path = write_config(dir.path(), &default);
    let check = run(&["config", "--config", &path], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stdout(&check).contains("valid"));

    // Found through XDG_CONFIG_HOME too.
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("auditui")).unwrap();
    std::fs::write(xdg.join("auditui/config.toml"), "[alerts]\nthreshold = 0\n").unwrap();
    let found = run(&["config"], &[("XDG_CONFIG_HOME", xdg.to_str().unwrap())]);
    assert_eq!(found.status.code(), Some(2));
    assert!(stderr(&found).contains("line 2"), "{}", stderr(&found));
}

#[test]
fn a_bad_configuration_is_named_by_line_and_key_and_the_defaults_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), "[alerts]\nthreshold = 3\nwindw = \"1h\"\n");
    let out = run(
        &[
            "--config",
            &path,
            "alerts",
            "sample-logs/clinic-hipaa.jsonl",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 3") && err.contains("windw"), "{err}");
    assert!(err.contains("using the defaults"), "{err}");
    assert!(
        stdout(&out).contains("10 or more accesses"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn configured_alert_thresholds_and_retention_policies_apply() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[alerts]\nthreshold = 3\nwindow = \"2h\"\n\
         [retention]\n\
         [[retention.policies]]\nname = \"clinical\"\nretention_days = 3650\ntools = [\"access_patient_record\"]\n\
         [[retention.policies]]\nname = \"rest\"\nretention_days = 30\n",
    );
    let alerts = run(
        &[
            "alerts",
            "sample-logs/clinic-hipaa.jsonl",
            "--config",
            &path,
        ],
        &[],
    );
    assert_eq!(
        stderr(&alerts)
            .lines()
            .filter(|l| l.contains("config"))
            .count(),
        0
    );
    assert!(
        stdout(&alerts).contains("3 or more accesses"),
        "{}",
        stdout(&alerts)
    );
    // The command line still wins over the file.
    let flag = run(
        &[
            "alerts",
            "sample-logs/clinic-hipaa.jsonl",
            "--config",
            &path,
            "--threshold",
            "7",
        ],
        &[],
    );
    assert!(stdout(&flag).contains("7 or more accesses"));

    let retention = run(
        &[
            "retention",
            "sample-logs/clinic-hipaa.jsonl",
            "--config",
            &path,
            "--format",
            "json",
        ],
        &[],
    );
    let json: serde_json::Value = serde_json::from_slice(&retention.stdout).unwrap();
    let names: Vec<&str> = json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clinical", "rest"]);
    let policy_of = |tool: &str| {
        json["by_tool"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tool"] == tool)
            .map(|t| t["policy"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        policy_of("access_patient_record").as_deref(),
        Some("clinical")
    );
}

#[test]
fn a_mistyped_command_is_not_taken_for_a_log() {
    let out = run(&["verfy", CHAIN], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `auditui verify`"),
        "{}",
        stderr(&out)
    );
}

/// Everything `args` writes to a pseudo-terminal, until it exits.
fn on_a_terminal(args: &[&str]) -> String {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_auditui"));
    command.args(args);
    command.cwd(env!("CARGO_MANIFEST_DIR"));
    command.env("XDG_CONFIG_HOME", "/nonexistent/auditui-tests");
    command.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buffer = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buffer[..n]);
        }
        bytes
    });
    child.wait().unwrap();
    drop(pty.master);
    String::from_utf8(reading.join().unwrap()).unwrap()
}

#[test]
fn log_content_reaches_a_terminal_escaped_and_a_pipe_exact() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hostile.jsonl");
    let line = "{\"timestamp\": \"2025-07-06T10:00:00Z\", \"user_id\": \"usr_\u{202e}1\", \"tool_name\": \"get\u{9b}6n\", \"success\": true}";
    std::fs::write(&log, format!("{line}\n")).unwrap();
    let path = log.to_str().unwrap();

    let piped = run(&["query", path, "--format", "jsonl"], &[]);
    assert_eq!(
        stdout(&piped),
        format!("{line}\n"),
        "a pipe gets the original line"
    );

    for format in ["jsonl", "json", "text"] {
        let shown = on_a_terminal(&["query", path, "--format", format]);
        assert!(
            !shown.contains('\u{202e}') && !shown.contains('\u{9b}'),
            "--format {format} let a raw control through: {shown:?}"
        );
        assert!(shown.contains("\\u{202e}"), "--format {format}: {shown:?}");
    }
    let verdict = on_a_terminal(&["verify", path, "--format", "json"]);
    assert!(
        !verdict.contains('\u{202e}') && verdict.contains("\"intact\""),
        "{verdict:?}"
    );
}
