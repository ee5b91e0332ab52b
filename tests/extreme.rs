//! Inputs at the edges, through the real binary: huge sparse files,
//! thousands of files, FIFOs and stdin that close early, files truncated or
//! appended to while being read, unreadable files. Each must end with a
//! message naming the file and the exit code of ARCHITECTURE.md (1
//! findings, 2 I/O), never a crash or a hang: every run has a deadline.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use serde_json::Value as Json;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous for a debug build on a busy 2-core machine; only a hang hits it.
const DEADLINE: Duration = Duration::from_secs(120);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn spawn(args: &[&std::ffi::OsStr], stdin: Stdio) -> Child {
    support::auditui()
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting auditui")
}

/// Wait for `child` with a deadline, reading its output meanwhile so a
/// full pipe cannot stall it.
fn finish(mut child: Child) -> Run {
    let reader = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut s) = stream {
                s.read_to_end(&mut text).unwrap();
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = reader(child.stdout.take().map(|s| Box::new(s) as _));
    let stderr = reader(child.stderr.take().map(|s| Box::new(s) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            child.kill().unwrap();
            panic!("auditui hung: killed after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn verify(path: &Path) -> Run {
    finish(spawn(&["verify".as_ref(), path.as_os_str()], Stdio::null()))
}

/// `auditui verify PATH --format json`, not yet waited for.
fn spawn_verify_json(path: &std::ffi::OsStr, stdin: Stdio) -> Child {
    spawn(
        &[
            "verify".as_ref(),
            path,
            "--format".as_ref(),
            "json".as_ref(),
        ],
        stdin,
    )
}

fn json_of(run: &Run) -> Json {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!("{e}: stdout {:?} stderr {:?}", run.stdout, run.stderr);
    })
}

fn verify_json(path: &Path) -> (Option<i32>, Json) {
    let run = finish(spawn_verify_json(path.as_os_str(), Stdio::null()));
    (run.code, json_of(&run))
}

/// Write `lines`, the last one cut after `cut` bytes, as a writer that
/// stopped mid-entry would have.
fn write_cut(out: &mut impl Write, lines: &[String], cut: usize) {
    let (last, whole) = lines.split_last().unwrap();
    for line in whole {
        out.write_all(line.as_bytes()).unwrap();
    }
    out.write_all(&last.as_bytes()[..cut]).unwrap();
}

/// `(line, kind)` of every finding, with the file it names.
fn findings(json: &Json) -> Vec<(String, u64, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The first lines of the lesson-written chain fixture, each with its newline.
fn chain_lines(n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chain.jsonl"),
    )
    .unwrap();
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

/// Wait until `pid` has `path` memory-mapped (so it is reading it now).
fn wait_until_mapped(child: &mut Child, path: &Path) -> bool {
    let maps = format!("/proc/{}/maps", child.id());
    let name = path.to_string_lossy().into_owned();
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        if std::fs::read_to_string(&maps).is_ok_and(|m| m.contains(&name)) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

/// A big log of plain entries (no hashes, so no findings pile up), slow
/// enough to read that a test can act while auditui is in the middle of it.
fn big_plain_log(path: &Path, megabytes: usize) -> usize {
    let line = b"{\"timestamp\": \"2025-07-06T14:23:01+00:00\", \"user_id\": \"usr_1\", \"tool_name\": \"get_order\", \"arguments\": {\"order_id\": \"O-1\"}, \"success\": true, \"duration_ms\": 12.5}\n";
    let count = (megabytes << 20) / line.len();
    let mut out = std::io::BufWriter::new(File::create(path).unwrap());
    for _ in 0..count {
        out.write_all(line).unwrap();
    }
    out.flush().unwrap();
    count
}

#[test]
fn a_ten_gigabyte_sparse_file_is_refused_at_once_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zeros.jsonl");
    File::create(&path).unwrap().set_len(10 << 30).unwrap();
    let run = verify(&path);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("zeros.jsonl: 10737418240 bytes"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("there is no log in it"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_entry_followed_by_gigabytes_of_zeros_is_one_incomplete_line() {
    // A crashed writer on a preallocating filesystem: data, then NULs.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crashed.jsonl");
    std::fs::write(&path, chain_lines(1).concat()).unwrap();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let (code, json) = verify_json(&path);
    assert_eq!(code, Some(1));
    let name = path.display().to_string();
    assert_eq!(findings(&json), vec![(name, 2, "incomplete".into())]);
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("not JSON") && message.contains("byte 1"),
        "{message}"
    );
}

#[test]
fn a_directory_of_three_thousand_logs_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        let line = format!("{{\"user_id\": \"usr_{i}\", \"tool_name\": \"get_order\"}}\n");
        std::fs::write(dir.path().join(format!("audit-{i:04}.jsonl")), line).unwrap();
    }
    let (code, json) = verify_json(dir.path());
    assert_eq!(code, Some(0));
    assert_eq!(json["entries"], 3000);
    assert_eq!(json["files"].as_array().unwrap().len(), 3000);
    assert_eq!(json["scheme"], "plain");
}

#[test]
fn a_fifo_whose_writer_stops_mid_line_gives_an_incomplete_finding() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let child = spawn_verify_json(fifo.as_os_str(), Stdio::null());
    // Opening blocks until auditui opens the read end.
    let mut writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    write_cut(&mut writer, &chain_lines(2), 40);
    drop(writer);
    let run = finish(child);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let json = json_of(&run);
    let name = fifo.display().to_string();
    assert_eq!(findings(&json), vec![(name, 2, "incomplete".into())]);
    assert_eq!(json["entries"], 1);
}

#[test]
fn a_fifo_closed_before_any_byte_is_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("silent.jsonl");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let child = spawn(&["verify".as_ref(), fifo.as_os_str()], Stdio::null());
    drop(OpenOptions::new().write(true).open(&fifo).unwrap());
    let run = finish(child);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout.contains("silent.jsonl:1"), "{}", run.stdout);
    assert!(run.stdout.contains("empty file"), "{}", run.stdout);
}

#[test]
fn stdin_closed_mid_line_gives_an_incomplete_finding() {
    let mut child = spawn_verify_json("-".as_ref(), Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    write_cut(&mut stdin, &chain_lines(3), 100);
    drop(stdin);
    let run = finish(child);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let json = json_of(&run);
    assert_eq!(
        findings(&json),
        vec![("<stdin>".into(), 3, "incomplete".into())]
    );
}

#[test]
fn a_file_truncated_while_read_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shrinking.jsonl");
    big_plain_log(&path, 400);
    let mut child = spawn(&["verify".as_ref(), path.as_os_str()], Stdio::null());
    assert!(
        wait_until_mapped(&mut child, &path),
        "auditui never mapped the file"
    );
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    let run = finish(child);
    assert_eq!(
        run.code,
        Some(2),
        "stdout {} stderr {}",
        run.stdout,
        run.stderr
    );
    let expected = format!(
        "auditui: {}: the file shrank while it was being read",
        path.display()
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
}

#[test]
fn lines_appended_while_read_are_left_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing.jsonl");
    let count = big_plain_log(&path, 100);
    let mut child = spawn_verify_json(path.as_os_str(), Stdio::null());
    assert!(
        wait_until_mapped(&mut child, &path),
        "auditui never mapped the file"
    );
    let mut appender = OpenOptions::new().append(true).open(&path).unwrap();
    for _ in 0..1000 {
        appender.write_all(b"{\"user_id\": \"late\"}\n").unwrap();
    }
    appender.write_all(b"{\"user_id\": \"half").unwrap();
    let run = finish(child);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json = json_of(&run);
    assert_eq!(
        json["entries"], count as u64,
        "the file as it was when opened"
    );
}

#[test]
fn an_unreadable_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.jsonl");
    std::fs::write(&path, chain_lines(1).concat()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // Root reads any file whatever its mode: run auditui as nobody instead.
    // SAFETY: geteuid has no preconditions and cannot fail.
    let mut command = if unsafe { libc::geteuid() } == 0 {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root and setpriv is missing, so no EACCES can be had");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_auditui"));
        c
    } else {
        support::auditui()
    };
    command
        .arg("verify")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let run = finish(command.spawn().unwrap());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let expected = format!("{}: permission denied", path.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
}
