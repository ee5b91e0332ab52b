//! `auditui follow` as a user runs it: a log that grows while the binary
//! watches it, each appended line reported with its verdict.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// Generous: a debug build on a loaded CI machine.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Ten chained entries from `auditui generate`, one string each.
fn entries(dir: &std::path::Path) -> Vec<String> {
    let out = dir.join("generated");
    let status = support::auditui()
        .args(["generate", "--entries", "10"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(out.join("audit.jsonl")).unwrap();
    text.lines().map(str::to_owned).collect()
}

/// Start following `path` and wait until the existing lines are read;
/// stdout lines arrive on the receiver.
fn follow(path: &std::path::Path, extra: &[&str]) -> (Child, Receiver<String>) {
    let mut child = support::auditui()
        .args(["follow", "--interval", "1s"])
        .args(extra)
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert!(ready.contains("following"), "{ready}");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn append(path: &std::path::Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[test]
fn appended_entries_are_reported_as_they_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let all = entries(dir.path());
    let log = dir.path().join("live.jsonl");
    std::fs::write(&log, format!("{}\n{}\n", all[0], all[1])).unwrap();
    let (mut child, lines) = follow(&log, &["--format", "jsonl"]);

    append(&log, &format!("{}\n", all[2]));
    let third: serde_json::Value =
        serde_json::from_str(&lines.recv_timeout(TIMEOUT).unwrap()).unwrap();
    assert_eq!(third["line"], 3);
    assert_eq!(third["findings"], serde_json::json!([]));
    assert!(third["entry"]["tool_name"].is_string());

    // Entry 4 is skipped: entry 5 does not link to entry 3.
    append(&log, &format!("{}\n", all[4]));
    let broken: serde_json::Value =
        serde_json::from_str(&lines.recv_timeout(TIMEOUT).unwrap()).unwrap();
    assert_eq!(broken["line"], 4);
    assert_eq!(broken["findings"][0]["kind"], "link");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().lines().count(),
        4,
        "the log is untouched"
    );
}

#[test]
fn fail_fast_exits_1_at_the_first_finding() {
    let dir = tempfile::tempdir().unwrap();
    let all = entries(dir.path());
    let log = dir.path().join("live.jsonl");
    std::fs::write(&log, format!("{}\n", all[0])).unwrap();
    let (mut child, lines) = follow(&log, &["--fail-fast"]);
    append(&log, "\u{1b}]52;c;cHduZWQ=\u{7}not an entry\n");
    let line = lines.recv_timeout(TIMEOUT).unwrap();
    assert!(
        line.contains("live.jsonl:2") && line.contains("MALFORMED"),
        "{line}"
    );
    assert!(
        !line.contains('\u{1b}'),
        "raw escape reached the output: {line:?}"
    );
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < TIMEOUT, "follow --fail-fast did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1));
}
