//! Signed checkpoints end to end: `keygen`, `checkpoint --key` and
//! `verify --checkpoint --trusted-key`, as an auditor would run them.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Output;

const CHAIN: &str = "tests/fixtures/chain.jsonl";

fn auditui<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    support::auditui().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A key pair under `dir`, as PREFIX.key and PREFIX.pub.
fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let prefix = dir.join(name);
    let out = auditui(&[Path::new("keygen"), Path::new("--out"), &prefix]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (prefix.with_extension("key"), prefix.with_extension("pub"))
}

/// `auditui checkpoint LOG [--key KEY]` written to `dir/name`.
fn checkpoint(log: &Path, key: Option<&Path>, dir: &Path, name: &str) -> PathBuf {
    let mut args = vec![Path::new("checkpoint"), log];
    if let Some(key) = key {
        args.extend([Path::new("--key"), key]);
    }
    let out = auditui(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.join(name);
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// `verify LOG --checkpoint CP [--trusted-key PUB] --format json`: exit code and findings.
fn verify(log: &Path, cp: &Path, trusted: Option<&Path>) -> (i32, Vec<Json>) {
    let mut args = vec![log, Path::new("--checkpoint"), cp];
    if let Some(key) = trusted {
        args.extend([Path::new("--trusted-key"), key]);
    }
    args.extend([Path::new("--format"), Path::new("json")]);
    let out = auditui(&[&[Path::new("verify")], &args[..]].concat());
    let json: Json = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let findings = json["findings"].as_array().unwrap().clone();
    (out.status.code().unwrap(), findings)
}

fn kinds(findings: &[Json]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn keygen_writes_a_private_secret_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(dir.path(), "cp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "secret key mode {mode:o}");
    }
    let before = std::fs::read(&secret).unwrap();
    let prefix = dir.path().join("cp");
    let again = auditui(&[Path::new("keygen"), Path::new("--out"), &prefix]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists; use --force"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(&secret).unwrap(), before);
    let forced = auditui(&[
        Path::new("keygen"),
        Path::new("--out"),
        &prefix,
        Path::new("--force"),
    ]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_ne!(std::fs::read(&secret).unwrap(), before);
    assert!(public.exists());
}

#[test]
fn a_checkpoint_signed_by_the_trusted_key_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(dir.path(), "signer");
    let cp = checkpoint(Path::new(CHAIN), Some(&secret), dir.path(), "cp");
    let text = std::fs::read_to_string(&cp).unwrap();
    assert!(text.starts_with("auditui checkpoint v2\n"), "{text}");
    assert!(
        text.lines().nth(4).unwrap().starts_with("tree 60 "),
        "{text}"
    );
    assert!(
        text.lines()
            .nth(5)
            .unwrap()
            .starts_with("signature ed25519 "),
        "{text}"
    );
    assert_eq!(verify(Path::new(CHAIN), &cp, Some(&public)), (0, vec![]));
    // A signed checkpoint still works for someone without the public key.
    assert_eq!(verify(Path::new(CHAIN), &cp, None), (0, vec![]));
}

#[test]
fn a_truncated_log_with_a_checkpoint_re_signed_by_another_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (_, trusted) = keygen(dir.path(), "auditor");
    let (forger, _) = keygen(dir.path(), "forger");
    let full = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(CHAIN)).unwrap();
    let kept: String = full.lines().take(30).map(|l| format!("{l}\n")).collect();
    let log = dir.path().join("audit.jsonl");
    std::fs::write(&log, kept).unwrap();
    let forged = checkpoint(&log, Some(&forger), dir.path(), "forged.cp");
    // Without the trusted key the forgery is self-consistent.
    assert_eq!(verify(&log, &forged, None), (0, vec![]));
    let (code, findings) = verify(&log, &forged, Some(&trusted));
    assert_eq!((code, kinds(&findings)), (1, vec!["signature"]));
    assert_eq!(findings[0]["line"], 6);
    assert!(findings[0]["file"].as_str().unwrap().ends_with("forged.cp"));
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("not by the trusted key"), "{message}");
}

#[test]
fn an_edited_signed_checkpoint_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(dir.path(), "signer");
    let cp = checkpoint(Path::new(CHAIN), Some(&secret), dir.path(), "cp");
    // Lower the count to hide a truncation: the signature no longer matches.
    let text = std::fs::read_to_string(&cp).unwrap();
    let edited = text
        .replace("entries 60", "entries 30")
        .replace("tree 60 ", "tree 30 ");
    assert_ne!(edited, text);
    std::fs::write(&cp, edited).unwrap();
    let (code, findings) = verify(Path::new(CHAIN), &cp, Some(&public));
    // Findings in the log come first, then the checkpoint file's own.
    assert_eq!(
        (code, kinds(&findings)),
        (1, vec!["rewritten", "signature"])
    );
    let message = findings[1]["message"].as_str().unwrap();
    assert!(message.contains("edited after signing"), "{message}");
}

#[test]
fn an_unsigned_checkpoint_fails_only_when_a_trusted_key_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path(), "signer");
    let cp = checkpoint(Path::new(CHAIN), None, dir.path(), "cp");
    assert_eq!(verify(Path::new(CHAIN), &cp, None), (0, vec![]));
    let (code, findings) = verify(Path::new(CHAIN), &cp, Some(&public));
    assert_eq!((code, kinds(&findings)), (1, vec!["signature"]));
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("not signed")
    );
}

#[test]
fn key_mistakes_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(dir.path(), "signer");
    let cp = checkpoint(Path::new(CHAIN), None, dir.path(), "cp");
    let swapped = auditui(&[
        Path::new("verify"),
        Path::new(CHAIN),
        Path::new("--checkpoint"),
        &cp,
        Path::new("--trusted-key"),
        &secret,
    ]);
    assert_eq!(swapped.status.code(), Some(2));
    assert!(
        stderr(&swapped).contains("a secret key file, but a public key is needed"),
        "{}",
        stderr(&swapped)
    );
    let no_checkpoint = auditui(&[
        Path::new("verify"),
        Path::new(CHAIN),
        Path::new("--trusted-key"),
        &public,
    ]);
    assert_eq!(no_checkpoint.status.code(), Some(2));
}
