//! Evidence is never modified: every subcommand and the terminal UI run on
//! a copy of sample-logs/, and afterwards every file there has the same
//! bytes (SHA-256), the same modification time, and no file came or went.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Generous for a debug build on a busy machine; only a hang hits it.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Path (relative) → (SHA-256, modification time) of every file under `dir`.
fn fingerprint(dir: &Path) -> BTreeMap<PathBuf, ([u8; 32], SystemTime)> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                pending.push(path);
                continue;
            }
            let hash = Sha256::digest(std::fs::read(&path).unwrap()).into();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            files.insert(relative, (hash, meta.modified().unwrap()));
        }
    }
    files
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Run auditui; any exit but a crash is fine here (BROKEN logs exit 1).
fn run(args: &[&std::ffi::OsStr]) {
    let out = support::auditui().args(args).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A value of `key` from the first line of a log, to ask about real data.
fn first_value(log: &Path, key: &str) -> String {
    let text = std::fs::read_to_string(log).unwrap();
    let entry: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    entry[key].as_str().unwrap().to_string()
}

#[test]
fn no_subcommand_changes_a_byte_or_a_timestamp_of_its_inputs() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("evidence");
    let out = work.path().join("out");
    std::fs::create_dir(&out).unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs"),
        &logs,
    );
    let before = fingerprint(&logs);
    assert!(before.len() >= 5, "{before:?}");

    let chain = logs.join("support-chain.jsonl");
    let hipaa = logs.join("clinic-hipaa.jsonl");
    let conversation = first_value(&chain, "conversation_id");
    let patient = first_value(&hipaa, "patient_id");
    let key_prefix = out.join("signer");
    let key = out.join("signer.key");
    let checkpoint = out.join("chain.checkpoint");
    let o = |p: &Path| p.as_os_str().to_owned();
    let s = |t: &str| std::ffi::OsString::from(t);

    run(&[&s("verify"), &o(&logs)]);
    run(&[&s("verify"), &o(&logs), &s("--format"), &s("json")]);
    run(&[&s("keygen"), &s("--out"), &o(&key_prefix)]);
    let signed = support::auditui()
        .args([s("checkpoint"), o(&chain), s("--key"), o(&key)])
        .output()
        .unwrap();
    std::fs::write(&checkpoint, signed.stdout).unwrap();
    run(&[
        &s("verify"),
        &o(&chain),
        &s("--checkpoint"),
        &o(&checkpoint),
    ]);
    run(&[
        &s("query"),
        &o(&logs),
        &s("-q"),
        &s("failed"),
        &s("--format"),
        &s("jsonl"),
    ]);
    run(&[&s("stats"), &o(&logs), &s("--format"), &s("csv")]);
    run(&[
        &s("timeline"),
        &o(&logs),
        &s("--conversation"),
        &s(&conversation),
    ]);
    let report = [
        s("report"),
        o(&logs),
        s("--patient"),
        s(&patient),
        s("--from"),
        s("2025-01-01"),
        s("--to"),
        s("2026-01-01"),
    ];
    let export = [s("export"), o(&logs)];
    let files = ["json", "csv", "md", "fhir"]
        .map(|f| (&report[..], f))
        .into_iter()
        .chain(["jsonl", "csv", "json", "fhir"].map(|f| (&export[..], f)));
    for (n, (command, format)) in files.enumerate() {
        let file = o(&out.join(format!("{n}.{format}")));
        let tail = [s("--format"), s(format), s("-o"), file];
        run(&command
            .iter()
            .chain(&tail)
            .map(|a| a.as_os_str())
            .collect::<Vec<_>>());
    }
    run(&[&s("alerts"), &o(&logs), &s("--format"), &s("json")]);
    run(&[&s("retention"), &o(&logs)]);
    run(&[&s("scan"), &o(&logs)]);
    run(&[
        &s("generate"),
        &o(&out.join("generated")),
        &s("--entries"),
        &s("50"),
    ]);
    browse_and_quit(&logs);

    assert_eq!(fingerprint(&logs), before, "an input file changed");
}

/// Open the TUI on `logs` in a pseudo-terminal, filter, open a detail,
/// and quit.
fn browse_and_quit(logs: &Path) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_auditui"));
    command.arg(logs);
    command.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(command).expect("starting auditui");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut reader = pty.master.try_clone_reader().unwrap();
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            sink.lock().unwrap().extend_from_slice(&buffer[..n]);
        }
    });
    let start = Instant::now();
    while !String::from_utf8_lossy(&seen.lock().unwrap()).contains("BROKEN") {
        assert!(
            start.elapsed() < TIMEOUT,
            "the TUI never showed its verdict"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut keys = pty.master.take_writer().unwrap();
    for key in ["/tool:get_order", "\r", "j", "\r", "\x1b", "q"] {
        keys.write_all(key.as_bytes()).unwrap();
        keys.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > TIMEOUT {
            child.kill().unwrap();
            panic!("the TUI did not quit on q");
        }
        let _ = keys.write_all(b"q");
        std::thread::sleep(Duration::from_millis(100));
    }
}
