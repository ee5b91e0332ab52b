//! Verifiable excerpts and consistency proofs end to end, as a custodian, a
//! patient and a monitor would run them: `checkpoint --key`, `excerpt`,
//! `verify-excerpt`, `report --with-proofs`, `consistency` and
//! `verify-consistency`, and every tampering they must catch.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod support;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Output;

const CHAIN: &str = "tests/fixtures/chain.jsonl";
const HIPAA: &str = "tests/fixtures/hipaa.jsonl";
/// A checkpoint of CHAIN written before tree heads (auditui checkpoint v1),
/// signed by the key in V1_SIGNER.
const V1_CHECKPOINT: &str = "tests/fixtures/chain.v1.checkpoint";
const V1_SIGNER: &str = "tests/fixtures/chain.v1.pub";

fn auditui<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    support::auditui().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A directory with a key pair and a signed checkpoint of each fixture log.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            dir: tempfile::tempdir().unwrap(),
        };
        for name in ["signer", "other"] {
            let out = auditui(&[Path::new("keygen"), Path::new("--out"), &setup.path(name)]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        setup.checkpoint(Path::new(CHAIN), "chain.cp");
        setup.checkpoint(Path::new(HIPAA), "hipaa.cp");
        setup
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn checkpoint(&self, log: &Path, name: &str) -> PathBuf {
        let out = auditui(&[
            Path::new("checkpoint"),
            log,
            Path::new("--key"),
            &self.path("signer.key"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        std::fs::write(self.path(name), &out.stdout).unwrap();
        self.path(name)
    }

    /// `excerpt LOG --checkpoint CP SELECTION... -o NAME`, parsed.
    fn excerpt(&self, log: &str, cp: &str, selection: &[&str], name: &str) -> Json {
        let out = support::auditui()
            .args([log, "--checkpoint"])
            .arg(self.path(cp))
            .args(selection)
            .arg("-o")
            .arg(self.path(name))
            .arg_first("excerpt")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        read_json(&self.path(name))
    }

    /// `verify-excerpt FILE --trusted-key KEY --format json`: exit code and finding kinds.
    fn verify(&self, file: &Path, key: &str) -> (i32, Vec<String>) {
        let out = auditui(&[
            Path::new("verify-excerpt"),
            file,
            Path::new("--trusted-key"),
            &self.path(key),
            Path::new("--format"),
            Path::new("json"),
        ]);
        let code = out.status.code().unwrap();
        if code == 2 {
            return (2, vec![stderr(&out)]);
        }
        let json: Json = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        (code, kinds(&json["findings"]))
    }

    /// Write `excerpt` as NAME and verify it with the signer's key.
    fn verify_edited(&self, excerpt: &Json, name: &str) -> (i32, Vec<String>) {
        let path = self.path(name);
        std::fs::write(&path, serde_json::to_string_pretty(excerpt).unwrap()).unwrap();
        self.verify(&path, "signer.pub")
    }
}

/// `Command::arg` that goes before the others: the subcommand.
trait ArgFirst {
    fn arg_first(&mut self, first: &str) -> &mut Self;
}

impl ArgFirst for std::process::Command {
    fn arg_first(&mut self, first: &str) -> &mut Self {
        let rest: Vec<_> = self.get_args().map(|a| a.to_owned()).collect();
        let mut fresh = support::auditui();
        fresh.arg(first).args(rest);
        *self = fresh;
        self
    }
}

fn read_json(path: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn kinds(findings: &Json) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn an_excerpt_holds_exactly_the_selected_lines_and_verifies_offline() {
    let setup = Setup::new();
    let excerpt = setup.excerpt(CHAIN, "chain.cp", &["-q", "user:usr_98765"], "ex.json");
    let log = lines(CHAIN);
    let selected: Vec<&String> = log.iter().filter(|l| l.contains("\"usr_98765\"")).collect();
    let entries = excerpt["entries"].as_array().unwrap();
    let texts: Vec<&str> = entries
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts, selected,
        "the selected lines, byte for byte, in chain order"
    );
    for entry in entries {
        let index = entry["index"].as_u64().unwrap() as usize;
        assert_eq!(
            log[index], entry["text"],
            "index {index} is the chain position"
        );
        assert!(
            entry["proof"].as_array().unwrap().len() <= 6,
            "log2(60) hashes"
        );
    }
    assert_eq!(excerpt["selection"]["matched"], 14);
    // Nothing of the other entries but hashes: not even their timestamps.
    let text = std::fs::read_to_string(setup.path("ex.json")).unwrap();
    for line in log.iter().filter(|l| !l.contains("\"usr_98765\"")) {
        let time = timestamp(line);
        assert!(!text.contains(time), "{time} leaked into the excerpt");
    }
    assert_eq!(
        setup.verify(&setup.path("ex.json"), "signer.pub"),
        (0, vec![])
    );
    // Written atomically and never over an existing file without --force.
    let again = support::auditui()
        .args(["excerpt", CHAIN, "--patient", "P-1", "--checkpoint"])
        .arg(setup.path("chain.cp"))
        .arg("-o")
        .arg(setup.path("ex.json"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(setup.path("ex.json")).unwrap(),
        text
    );
}

#[test]
fn every_kind_of_tampering_with_an_excerpt_fails() {
    let setup = Setup::new();
    let excerpt = setup.excerpt(CHAIN, "chain.cp", &["-q", "user:usr_98765"], "ex.json");
    let edit = |change: &dyn Fn(&mut Json)| {
        let mut copy = excerpt.clone();
        change(&mut copy);
        copy
    };
    let text = |e: &Json, i: usize| e["entries"][i]["text"].as_str().unwrap().to_string();

    let edited = edit(&|e| {
        let changed = text(e, 3).replace("usr_98765", "usr_98766");
        assert_ne!(changed, text(e, 3));
        e["entries"][3]["text"] = changed.into();
    });
    assert_eq!(
        setup.verify_edited(&edited, "edited"),
        (1, vec!["modified".into()])
    );

    let dropped = edit(&|e| {
        e["entries"].as_array_mut().unwrap().remove(7);
    });
    assert_eq!(
        setup.verify_edited(&dropped, "dropped"),
        (1, vec!["missing".into()])
    );

    // Moved to a later place: its proof fails, and the next entry is out of order.
    let moved = edit(&|e| e["entries"][5]["index"] = 30.into());
    let (code, found) = setup.verify_edited(&moved, "moved");
    assert_eq!(
        (code, found),
        (1, vec!["proof".to_string(), "proof".to_string()])
    );

    // Swapping two entries' places: each fails its own proof, and the order too.
    let swapped = edit(&|e| {
        let entries = e["entries"].as_array_mut().unwrap();
        let (a, b) = (entries[1]["text"].clone(), entries[9]["text"].clone());
        entries[1]["text"] = b;
        entries[9]["text"] = a;
    });
    let (code, found) = setup.verify_edited(&swapped, "swapped");
    assert_eq!(
        (code, found),
        (1, vec!["proof".to_string(), "proof".to_string()])
    );

    // An entry of another log, with its proof from that log's checkpoint.
    let foreign = setup.excerpt(HIPAA, "hipaa.cp", &["--patient", "P-0003"], "foreign.json");
    let mixed = edit(&|e| {
        let mut entry = foreign["entries"][0].clone();
        entry["index"] = e["entries"][2]["index"].clone();
        e["entries"][2] = entry;
    });
    assert_eq!(
        setup.verify_edited(&mixed, "mixed"),
        (1, vec!["proof".into()])
    );

    // A checkpoint whose tree root was swapped for another one's.
    let hipaa_root = foreign["checkpoint"]
        .as_str()
        .unwrap()
        .lines()
        .nth(4)
        .unwrap()[8..]
        .to_string();
    let tampered = edit(&|e| {
        let cp = e["checkpoint"].as_str().unwrap();
        let ours = cp.lines().nth(4).unwrap()[8..].to_string();
        e["checkpoint"] = cp.replace(&ours, &hipaa_root).into();
    });
    let (code, found) = setup.verify_edited(&tampered, "tampered");
    assert_eq!(code, 1);
    assert_eq!(found[0], "signature");
    assert!(
        found[1..].iter().all(|k| k == "proof") && found.len() == 15,
        "{found:?}"
    );

    assert_eq!(
        setup.verify(&setup.path("ex.json"), "other.pub"),
        (1, vec!["signature".into()])
    );
}

/// What an excerpt cannot prove: an entry dropped by someone who also
/// corrects the count. Only the full log (or a filter-complete index) can.
#[test]
fn a_drop_that_also_corrects_the_count_is_beyond_an_excerpt() {
    let setup = Setup::new();
    let mut excerpt = setup.excerpt(CHAIN, "chain.cp", &["--patient", "P-0003"], "ex.json");
    let before = excerpt["entries"].as_array().unwrap().len();
    assert!(before >= 2, "fixture has {before} entries for P-0003");
    excerpt["entries"].as_array_mut().unwrap().remove(0);
    excerpt["selection"]["matched"] = (before - 1).into();
    assert_eq!(setup.verify_edited(&excerpt, "quiet-drop"), (0, vec![]));
}

#[test]
fn unreadable_excerpts_and_v1_checkpoints_are_usage_errors() {
    let setup = Setup::new();
    std::fs::write(setup.path("junk"), "hello").unwrap();
    let (code, message) = setup.verify(&setup.path("junk"), "signer.pub");
    assert_eq!(code, 2);
    assert!(message[0].contains("no auditui excerpt"), "{message:?}");
    let v1 = support::auditui()
        .args([
            "excerpt",
            CHAIN,
            "--patient",
            "P-0003",
            "--checkpoint",
            V1_CHECKPOINT,
        ])
        .arg("-o")
        .arg(setup.path("v1.json"))
        .output()
        .unwrap();
    assert_eq!(v1.status.code(), Some(2));
    assert!(
        stderr(&v1).contains("no Merkle tree head"),
        "{}",
        stderr(&v1)
    );
    assert!(!setup.path("v1.json").exists());
}

/// Checkpoints written before tree heads still verify, signature and all.
#[test]
fn an_old_v1_checkpoint_still_verifies() {
    let text = std::fs::read_to_string(V1_CHECKPOINT).unwrap();
    assert!(text.starts_with("auditui checkpoint v1\n") && !text.contains("\ntree "));
    let out = auditui(&[
        "verify",
        CHAIN,
        "--checkpoint",
        V1_CHECKPOINT,
        "--trusted-key",
        V1_SIGNER,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let short: String = lines(CHAIN)[..40]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("short.jsonl");
    std::fs::write(&log, short).unwrap();
    let out = auditui(&[
        Path::new("verify"),
        &log,
        Path::new("--checkpoint"),
        Path::new(V1_CHECKPOINT),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a v1 checkpoint still sees truncation"
    );
}

#[test]
fn a_rewrite_before_the_head_fails_the_tree_head() {
    let setup = Setup::new();
    // Edit entry 10 and give it a matching hash, without re-chaining: the
    // chain breaks at 11, and the tree no longer has the checkpoint's root.
    let mut log = lines(CHAIN);
    let mut entry: Json = serde_json::from_str(&log[9]).unwrap();
    entry["_hash"] = entry["_previous_hash"].clone();
    log[9] = serde_json::to_string(&entry).unwrap();
    let path = setup.path("rewritten.jsonl");
    std::fs::write(&path, log.join("\n") + "\n").unwrap();
    let out = auditui(&[
        Path::new("verify"),
        &path,
        Path::new("--checkpoint"),
        &setup.path("chain.cp"),
        Path::new("--format"),
        Path::new("json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "rewritten")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("Merkle tree")),
        "{messages:?}"
    );
}

#[test]
fn a_patient_report_in_every_format_carries_proofs_that_catch_an_edit() {
    let setup = Setup::new();
    for format in ["text", "json", "csv", "md", "fhir"] {
        let file = setup.path(&format!("report.{format}"));
        let out = support::auditui()
            .args(["report", HIPAA, "--patient", "P-0003"])
            .args([
                "--from",
                "2020-01-01",
                "--to",
                "2030-01-01",
                "--format",
                format,
            ])
            .args(["--with-proofs", "--checkpoint"])
            .arg(setup.path("hipaa.cp"))
            .arg("-o")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(setup.verify(&file, "signer.pub"), (0, vec![]), "{format}");
        // Change the patient's timestamp in the carried line: its hash breaks.
        let text = std::fs::read_to_string(&file).unwrap();
        let edited = text.replacen(
            "2025-07-07T08:00:00.123456",
            "2025-07-07T09:00:00.123456",
            usize::MAX,
        );
        let in_excerpt = edited != text;
        assert!(in_excerpt, "{format}: the report carries the entry");
        std::fs::write(&file, edited).unwrap();
        let (code, found) = setup.verify(&file, "signer.pub");
        assert_eq!(code, 1, "{format}: {found:?}");
        assert!(
            found.contains(&"modified".to_string()),
            "{format}: {found:?}"
        );
    }
    // Without --with-proofs there is nothing to check.
    let plain = setup.path("plain.json");
    let out = support::auditui()
        .args([
            "report",
            HIPAA,
            "--patient",
            "P-0003",
            "--from",
            "2020-01-01",
        ])
        .args(["--to", "2030-01-01", "--format", "json", "-o"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(setup.verify(&plain, "signer.pub").0, 2);
}

/// A monitor's view: checkpoints taken as the log grows.
#[test]
fn a_grown_log_is_consistent_and_a_rewritten_one_is_not() {
    let setup = Setup::new();
    let log = lines(CHAIN);
    let write_log = |name: &str, lines: &[String]| {
        let path = setup.path(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let early = write_log("early.jsonl", &log[..25]);
    let old = setup.checkpoint(&early, "old.cp");
    let new = setup.path("chain.cp");
    let proof = setup.path("old-new.proof");
    let out = support::auditui()
        .args(["consistency"])
        .args([&old, &new])
        .args(["--log", CHAIN, "-o"])
        .arg(&proof)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verify = |old: &Path, new: &Path, proof: &Path, key: &str| {
        let out = support::auditui()
            .arg("verify-consistency")
            .args([old, new, proof])
            .arg("--trusted-key")
            .arg(setup.path(key))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let json: Json = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code().unwrap(), kinds(&json["findings"]))
    };
    assert_eq!(verify(&old, &new, &proof, "signer.pub"), (0, vec![]));
    assert_eq!(
        verify(&old, &new, &proof, "other.pub"),
        (1, vec!["signature".into(), "signature".into()])
    );

    // Rewrite entry 5 and re-chain everything after it: intact, re-checkpointed.
    let rechained = rechain(&log, 4);
    let forged_log = write_log("forged.jsonl", &rechained);
    let forged = setup.checkpoint(&forged_log, "forged.cp");
    let out = support::auditui()
        .arg("consistency")
        .args([&old, &forged])
        .arg("--log")
        .arg(&forged_log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("rewritten"), "{}", stderr(&out));
    // The honest proof does not carry over to the forged head...
    assert_eq!(
        verify(&old, &forged, &proof, "signer.pub"),
        (1, vec!["proof".into()])
    );
    // ...nor does a proof edited to name it.
    let mut edited = read_json(&proof);
    let forged_note = std::fs::read_to_string(&forged).unwrap();
    edited["new"]["root"] = forged_note.lines().nth(4).unwrap()[8..].into();
    let edited_path = setup.path("edited.proof");
    std::fs::write(&edited_path, edited.to_string()).unwrap();
    assert_eq!(
        verify(&old, &forged, &edited_path, "signer.pub"),
        (1, vec!["proof".into()])
    );
}

/// The timestamp's text in a log line (some fixture lines hold escapes
/// serde_json refuses, such as lone surrogates, so no JSON parser here).
fn timestamp(line: &str) -> &str {
    let start = line.find("\"timestamp\": \"").unwrap() + 14;
    &line[start..start + line[start..].find('"').unwrap()]
}

/// `log` with entry `at`'s timestamp edited and every later entry
/// re-chained: an intact log that is not the one that was checkpointed.
/// Edited as text, hashed by auditui's canonicaliser.
fn rechain(log: &[String], at: usize) -> Vec<String> {
    use auditui::log::canonical::{sha256, to_hex, write_canonical_without};
    let hash_of = |line: &str| {
        let start = line.find("\"_hash\": \"").unwrap() + 10;
        line[start..start + 64].to_string()
    };
    let mut out = log[..at].to_vec();
    let mut replaced = (hash_of(&log[at - 1]), hash_of(&log[at - 1]));
    for line in &log[at..] {
        let mut text = line.replace(&replaced.0, &replaced.1);
        if out.len() == at {
            text = text.replace(timestamp(line), "2024-01-01T00:00:00+00:00");
        }
        let parsed = auditui::log::entry::parse_line(text.as_bytes()).unwrap();
        let mut canonical = Vec::new();
        write_canonical_without(&parsed.value, "_hash", &mut canonical);
        let hash = to_hex(&sha256(&canonical));
        replaced = (hash_of(line), hash.clone());
        out.push(text.replace(&replaced.0, &hash));
    }
    out
}
