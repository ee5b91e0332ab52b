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
    entries_of(dir, None)
}

/// [`entries`] generated with `seed`, if given (another chain).
fn entries_of(dir: &std::path::Path, seed: Option<&str>) -> Vec<String> {
    let out = dir.join(format!("generated-{}", seed.unwrap_or("default")));
    let seed = seed.map(|seed| ["--seed", seed]);
    let status = support::auditui()
        .args(["generate", "--entries", "10"])
        .args(seed.iter().flatten())
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
    let (child, stdout, _) = follow_with_stderr(&[path], extra);
    (child, stdout)
}

/// [`follow`] of `paths`, with the later stderr lines on a second
/// receiver.
fn follow_with_stderr(
    paths: &[&std::path::Path],
    extra: &[&str],
) -> (Child, Receiver<String>, Receiver<String>) {
    let mut child = support::auditui()
        .args(["follow", "--interval", "1s"])
        .args(extra)
        .args(paths)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut ready = String::new();
    stderr.read_line(&mut ready).unwrap();
    assert!(ready.contains("following"), "{ready}");
    let stdout = lines_of(BufReader::new(child.stdout.take().unwrap()));
    (child, stdout, lines_of(stderr))
}

/// The lines `reader` gives, as they come.
fn lines_of(reader: impl BufRead + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in reader.lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    rx
}

fn append(path: &std::path::Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// Overwrite the file's bytes in place, same length, as a tamperer with
/// write access would: never truncated, so no reader catches it empty.
fn overwrite_in_place(path: &std::path::Path, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
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

#[test]
fn the_last_verified_line_is_rechecked_and_older_edits_are_found_by_the_full_pass() {
    let dir = tempfile::tempdir().unwrap();
    let all = entries(dir.path());
    let log = dir.path().join("live.jsonl");
    let text = format!("{}\n{}\n{}\n", all[0], all[1], all[2]);
    std::fs::write(&log, &text).unwrap();
    let (mut child, lines, stderr) =
        follow_with_stderr(&[&log], &["--format", "jsonl", "--reverify-every", "1s"]);
    // The first full pass finds the log intact.
    let verdict = stderr.recv_timeout(TIMEOUT).unwrap();
    assert!(
        verdict.contains("full re-verification") && verdict.contains("3 entries, intact"),
        "{verdict}"
    );

    // An appended entry is verified against the head and printed.
    append(&log, &format!("{}\n", all[3]));
    let fourth: serde_json::Value =
        serde_json::from_str(&lines.recv_timeout(TIMEOUT).unwrap()).unwrap();
    assert_eq!(fourth["line"], 4);
    assert_eq!(fourth["findings"], serde_json::json!([]));

    // An edit of line 1, same length: not re-read by the follower, found
    // by the next full pass.
    let edited = std::fs::read_to_string(&log).unwrap().replacen(
        "\"user_id\": \"usr_",
        "\"user_id\": \"usX_",
        1,
    );
    overwrite_in_place(&log, edited.as_bytes());
    let found = loop {
        let line = stderr.recv_timeout(TIMEOUT).unwrap();
        if line.contains("BROKEN") {
            break line;
        }
        assert!(line.contains("intact"), "{line}");
    };
    assert!(found.contains("line 1, modified"), "{found}");

    // An edit of the last verified line is found by the follower itself.
    let now = std::fs::read_to_string(&log).unwrap();
    let last_start = now.trim_end().rfind('\n').unwrap() + 1;
    let mut bytes = now.into_bytes();
    let at = last_start + 20;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    overwrite_in_place(&log, &bytes);
    let rewritten: serde_json::Value =
        serde_json::from_str(&lines.recv_timeout(TIMEOUT).unwrap()).unwrap();
    assert_eq!(rewritten["line"], 4);
    assert_eq!(rewritten["findings"][0]["kind"], "rewritten");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn several_files_are_followed_each_as_its_own_chain_and_into_its_successor() {
    let dir = tempfile::tempdir().unwrap();
    let (a_all, b_all) = (
        entries_of(dir.path(), Some("7")),
        entries_of(dir.path(), Some("8")),
    );
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    std::fs::write(&a, format!("{}\n{}\n", a_all[0], a_all[1])).unwrap();
    std::fs::write(&b, format!("{}\n", b_all[0])).unwrap();
    let (mut child, lines, _) = follow_with_stderr(&[&a, &b], &["--format", "jsonl"]);
    let next = || -> serde_json::Value {
        serde_json::from_str(&lines.recv_timeout(TIMEOUT).unwrap()).unwrap()
    };
    let at = |line: &serde_json::Value| {
        let file = line["file"].as_str().unwrap().rsplit('/').next().unwrap();
        (file.to_owned(), line["line"].as_u64().unwrap())
    };

    // The first file grows, then the last.
    append(&a, &format!("{}\n", a_all[2]));
    let grown = next();
    assert_eq!(at(&grown), ("a.jsonl".into(), 3));
    assert_eq!(grown["findings"], serde_json::json!([]));
    append(&b, &format!("{}\n", b_all[1]));
    let grown = next();
    assert_eq!(at(&grown), ("b.jsonl".into(), 2));
    assert_eq!(grown["findings"], serde_json::json!([]));

    // The first file rotated: its successor's first entry links to its
    // old head.
    std::fs::rename(&a, dir.path().join("a.1.jsonl")).unwrap();
    std::fs::write(&a, format!("{}\n", a_all[3])).unwrap();
    let rotated = next();
    assert_eq!(at(&rotated), ("a.jsonl".into(), 1));
    assert_eq!(rotated["findings"], serde_json::json!([]));
    child.kill().unwrap();
    child.wait().unwrap();
}
