//! ClickHouse: the client and the tables against a real server, started
//! privately for each test (skipped with one line when there is none).
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

#[path = "support/clickhouse.rs"]
mod server;
mod support;

use auditui::backend::clickhouse::{Client, Url, schema};
use server::ClickHouse;
use std::path::{Path, PathBuf};
use std::process::Output;

fn client(server: &ClickHouse, database: &str) -> Client {
    Client::new(Url::parse_with(&server.url(database), None).expect("valid URL"))
}

#[test]
fn the_harness_starts_a_private_server_and_stops_it_when_dropped() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    assert_eq!(server.query("SELECT 1 + 1"), "2\n");
    let pid = server.pid();
    drop(server);
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ");
    assert!(!alive, "server {pid} still running after drop");
}

#[test]
fn config_d_files_reach_the_server() {
    let cluster = "<remote_servers><pair><shard><replica><host>127.0.0.1</host><port>{tcp_port}</port></replica></shard>\
                   <shard><replica><host>127.0.0.2</host><port>{tcp_port}</port></replica></shard></pair></remote_servers>";
    let Some(server) = ClickHouse::builder()
        .listen_host("127.0.0.2")
        .config_d("cluster.xml", cluster)
        .start()
    else {
        return;
    };
    let hosts = server.query(
        "SELECT host_address FROM system.clusters WHERE cluster = 'pair' ORDER BY shard_num",
    );
    assert_eq!(hosts, "127.0.0.1\n127.0.0.2\n");
    assert_eq!(
        server.query("SELECT count() FROM remote('127.0.0.2', system.one)"),
        "1\n",
        "the second loopback address answers"
    );
}

#[test]
fn the_client_round_trips_awkward_strings_through_row_binary() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let client = client(&server, "d");
    client
        .execute("CREATE TABLE t (s String) ENGINE = Memory")
        .unwrap();
    let values: [&[u8]; 4] = [
        b"",
        b"tab\there\nnewline\r\0nul",
        "ünï".as_bytes(),
        b"it's \\ done",
    ];
    let mut rows = auditui::backend::clickhouse::rowbinary::Writer::default();
    for v in values {
        rows.string(v);
    }
    client.insert_row_binary("t", &rows.bytes).unwrap();
    let mut back = Vec::new();
    std::io::Read::read_to_end(
        &mut client
            .query_stream("SELECT s FROM t FORMAT RowBinary")
            .unwrap(),
        &mut back,
    )
    .unwrap();
    assert_eq!(back, rows.bytes);
    let literal = auditui::backend::clickhouse::client::string_literal("it's \\ done");
    let count = client
        .query_text(&format!("SELECT count() FROM t WHERE s = {literal}"))
        .unwrap();
    assert_eq!(count, "1\n");
}

#[test]
fn tables_are_created_once_and_a_foreign_schema_is_refused() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let client = client(&server, "d");
    schema::ensure(&client).unwrap();
    schema::ensure(&client).expect("a second run finds the same tables");
    schema::check_existing(&client).unwrap();
    server.query("CREATE DATABASE other");
    server.query("CREATE TABLE other.audit_entries (chain String) ENGINE = Memory");
    let other = self::client(&server, "other");
    let error = schema::ensure(&other).unwrap_err();
    assert!(
        error.starts_with(&format!(
            "{}: table audit_entries has another schema: column position UInt64 is missing",
            server.url("other")
        )),
        "{error}"
    );
}

#[test]
fn server_errors_are_one_line_naming_the_url_without_the_password() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let url = format!(
        "clickhouse://nobody:hunter2@127.0.0.1:{}/default",
        server.http_port
    );
    let client = Client::new(Url::parse_with(&url, None).unwrap());
    let error = client.query_text("SELECT 1").unwrap_err();
    let shown = format!(
        "clickhouse://nobody@127.0.0.1:{}/default: ",
        server.http_port
    );
    assert!(error.starts_with(&shown), "{error}");
    assert!(error.contains("Unknown user nobody"), "{error}");
    assert!(
        !error.contains("hunter2") && !error.contains('\n'),
        "{error}"
    );
    let missing = self::client(&server, "absent");
    let error = schema::check_existing(&missing).unwrap_err();
    assert_eq!(
        error,
        format!(
            "{}: Code: 81, DB::Exception: Database absent doesn't exist",
            server.url("absent")
        )
    );
}

/// `n` generated entries of one chain, as lines with their newlines.
fn generated_lines(n: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let status = support::auditui()
        .args(["generate", "--entries", &n.to_string()])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    text.lines().map(|l| format!("{l}\n")).collect()
}

fn write_log(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join("audit.jsonl");
    std::fs::write(&path, lines.concat()).unwrap();
    path
}

fn ingest(url: &str, path: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = support::auditui();
    command.arg("ingest").arg(path).args(["--to", url]);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Rows, distinct places, and the positions' range 0..rows, of `table`.
fn stored(server: &ClickHouse, table: &str) -> String {
    server.query(&format!(
        "SELECT count(), uniqExact(chain, position), max(position) + 1 FROM d.{table}"
    ))
}

#[test]
fn ingest_adds_only_what_is_new() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let lines = generated_lines(500);
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines[..300]);
    let url = server.url("d");
    let first = ingest(&url, &log, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains(": 300 new lines written, 0 already there"));
    let newest = |db: &str| server.query(&format!("SELECT newest FROM {db}.audit_chains FINAL"));
    let newest_first = newest("d");
    let again = ingest(&url, &log, &[]);
    assert!(text(&again.stdout).contains(": 0 new lines written, 300 already there"));
    assert_eq!(
        newest("d"),
        newest_first,
        "from the stored lines, not read again"
    );
    assert_eq!(stored(&server, "audit_entries"), "300\t300\t300\n");
    write_log(dir.path(), &lines);
    let grown = ingest(&url, &log, &[]);
    assert_eq!(grown.status.code(), Some(0), "{}", text(&grown.stderr));
    assert!(text(&grown.stdout).contains(": 200 new lines written, 300 already there"));
    assert_eq!(stored(&server, "audit_entries"), "500\t500\t500\n");
    let fields = "user, patient, tool, ts, success, duration_ms, hash, previous";
    let columns = |table: &str| {
        server.query(&format!(
            "SELECT {fields} FROM {table} ORDER BY position FORMAT TSV"
        ))
    };
    server.query("CREATE DATABASE fresh");
    let fresh = ingest(&server.url("fresh"), &log, &[]);
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh.stderr));
    assert_eq!(
        columns("d.audit_entries"),
        columns("fresh.audit_entries"),
        "the new lines' fields, as a fresh ingest writes them"
    );
    assert_eq!(
        newest("d"),
        newest("fresh"),
        "the newest time, stored lines included"
    );
    let original: String =
        server.query("SELECT raw FROM d.audit_entries ORDER BY position FORMAT TSVRaw");
    let expected: String = lines.concat();
    assert_eq!(original, expected, "the original lines, byte for byte");
    let chain = server.query("SELECT entries, lines, verdict, head FROM d.audit_chains FINAL");
    let head = lines[499].split("\"_hash\": \"").nth(1).unwrap()[..64].to_string();
    assert_eq!(chain, format!("500\t500\tintact\t{head}\n"));
}

#[test]
fn a_chain_rewritten_or_shortened_since_is_refused_and_nothing_of_it_written() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let mut lines = generated_lines(400);
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines[..300]);
    let url = server.url("d");
    assert_eq!(ingest(&url, &log, &[]).status.code(), Some(0));
    lines[299] = lines[299].replacen("\"timestamp\": \"2025", "\"timestamp\": \"2024", 1);
    write_log(dir.path(), &lines);
    let rewritten = ingest(&url, &log, &[]);
    assert_eq!(
        rewritten.status.code(),
        Some(1),
        "{}",
        text(&rewritten.stderr)
    );
    let out = text(&rewritten.stdout);
    assert!(
        out.contains(":300  rewritten  differs from the line stored"),
        "{out}"
    );
    assert!(out.contains(": 0 new lines written"), "{out}");
    write_log(dir.path(), &lines[..200]);
    let shortened = ingest(&url, &log, &[]);
    assert_eq!(shortened.status.code(), Some(1));
    assert!(
        text(&shortened.stdout)
            .contains("the database holds 300 lines of this chain, the files only 200")
    );
    assert_eq!(stored(&server, "audit_entries"), "300\t300\t300\n");
    assert_eq!(
        server.query("SELECT count() FROM d.audit_chains"),
        "1\n",
        "no record for a refused chain"
    );
}

#[test]
fn a_broken_chain_is_stored_with_its_findings() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let mut lines = generated_lines(50);
    lines[9] = lines[9].replacen("\"success\": true", "\"success\": false", 1);
    lines.insert(20, "not json at all\n".into());
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    let out = ingest(&server.url("d"), &log, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(stored(&server, "audit_entries"), "50\t50\t51\n");
    assert_eq!(
        server.query("SELECT position, line, raw FROM d.audit_rejected FINAL"),
        "20\t21\tnot json at all\n"
    );
    let record = server.query("SELECT verdict, findings FROM d.audit_chains FINAL");
    assert!(record.starts_with("broken\t["), "{record}");
    for kind in ["modified", "malformed"] {
        assert!(
            record.contains(&format!(r#""kind":"{kind}""#)),
            "{kind}: {record}"
        );
    }
}

#[test]
fn a_line_too_large_to_verify_is_named_and_nothing_is_written() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &generated_lines(50));
    let out = support::auditui()
        .args(["ingest", "--max-entry-bytes", "100"])
        .arg(&log)
        .args(["--to", &server.url("d")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("audit.jsonl:1: not verified: too large"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(server.query("SELECT count() FROM d.audit_entries"), "0\n");
    assert_eq!(server.query("SELECT count() FROM d.audit_chains"), "0\n");
}

#[test]
fn an_interrupted_ingest_resumes_and_stores_every_line_exactly_once() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let mut lines = generated_lines(2000);
    lines.insert(450, "{broken\n".into());
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    let url = server.url("d");
    let mut command = support::auditui();
    command
        .args(["ingest", "--batch-rows", "300"])
        .arg(&log)
        .args(["--to", &url]);
    let interrupted = command
        .env("AUDITUI_INGEST_STOP_AFTER_BATCHES", "3")
        .output()
        .unwrap();
    assert_eq!(interrupted.status.code(), Some(2));
    assert_eq!(
        text(&interrupted.stderr),
        format!("auditui: {url}: stopped after 3 batches, as asked\n")
    );
    let partial = server.query("SELECT count() FROM d.audit_entries");
    assert_eq!(
        partial, "899\n",
        "three whole batches of 300 rows, one of them the rejected line"
    );
    assert_eq!(server.query("SELECT count() FROM d.audit_chains"), "0\n");
    let resumed = support::auditui()
        .args(["ingest", "--batch-rows", "300"])
        .arg(&log)
        .args(["--to", &url])
        .output()
        .unwrap();
    assert_eq!(
        resumed.status.code(),
        Some(1),
        "the malformed line is a finding"
    );
    assert!(
        text(&resumed.stdout).contains(": 1101 new lines written, 900 already there"),
        "{}",
        text(&resumed.stdout)
    );
    assert_eq!(stored(&server, "audit_entries"), "2000\t2000\t2001\n");
    assert_eq!(
        server.query("SELECT count() FROM d.audit_rejected FINAL"),
        "1\n"
    );
    assert_eq!(
        server.query("SELECT lines FROM d.audit_chains FINAL"),
        "2001\n"
    );
}

/// Ingest `log` in batches of 300 rows, losing batch `lose` (as if its
/// INSERT failed while the next one's succeeded) and stopping after
/// `stop` batches.
fn ingest_losing(url: &str, log: &Path, lose: usize, stop: usize) -> Output {
    support::auditui()
        .args(["ingest", "--batch-rows", "300"])
        .arg(log)
        .args(["--to", url])
        .env("AUDITUI_INGEST_LOSE_BATCH", lose.to_string())
        .env("AUDITUI_INGEST_STOP_AFTER_BATCHES", stop.to_string())
        .output()
        .unwrap()
}

#[test]
fn a_gap_left_by_two_inserts_in_flight_is_filled_and_every_line_stored_once() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let mut lines = generated_lines(2000);
    lines.insert(450, "{broken\n".into());
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    // Batch 3 lost, 4 stored: the gap is within the last two batches.
    // Batch 1 lost (the one with the rejected line), 2 and 3 stored: the
    // positions below that window are not whole, all are read.
    for (database, lose, stop, stored_entries, resumed) in [
        (
            "near",
            3,
            5,
            "1199\n",
            ": 801 new lines written, 1200 already there",
        ),
        (
            "far",
            1,
            4,
            "900\n",
            ": 1101 new lines written, 900 already there",
        ),
    ] {
        server.query(&format!("CREATE DATABASE {database}"));
        let url = server.url(database);
        let interrupted = ingest_losing(&url, &log, lose, stop);
        assert_eq!(interrupted.status.code(), Some(2));
        assert_eq!(
            text(&interrupted.stderr),
            format!("auditui: {url}: batch {lose} lost, as asked\n")
        );
        let count = format!("SELECT count() FROM {database}.audit_entries");
        assert_eq!(server.query(&count), stored_entries, "{database}");
        let chains = format!("SELECT count() FROM {database}.audit_chains");
        assert_eq!(server.query(&chains), "0\n");
        let again = ingest(&url, &log, &[]);
        assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
        assert!(
            text(&again.stdout).contains(resumed),
            "{}",
            text(&again.stdout)
        );
        let places = format!(
            "SELECT count(), uniqExact(position), max(position) + 1 FROM (SELECT position FROM {database}.audit_entries UNION ALL SELECT position FROM {database}.audit_rejected FINAL)"
        );
        assert_eq!(server.query(&places), "2001\t2001\t2001\n", "{database}");
        let raw = format!(
            "SELECT raw FROM (SELECT position, raw FROM {database}.audit_entries UNION ALL SELECT position, raw FROM {database}.audit_rejected FINAL) ORDER BY position FORMAT TSVRaw"
        );
        assert_eq!(
            server.query(&raw),
            lines.concat(),
            "{database}: byte for byte"
        );
        let record = format!("SELECT lines FROM {database}.audit_chains FINAL");
        assert_eq!(server.query(&record), "2001\n");
    }
}

#[test]
fn batches_streamed_in_pieces_and_held_after_a_rejected_line_store_every_line_once() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    // About 28 MB: several pieces per streamed batch, buffers reused.
    let mut lines = generated_lines(40_000);
    lines.insert(20_000, "{broken\n".into());
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    let out = support::auditui()
        .args(["ingest", "--batch-rows", "15000"])
        .arg(&log)
        .args(["--to", &server.url("d")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(": 40001 new lines written, 0 already there"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(stored(&server, "audit_entries"), "40000\t40000\t40001\n");
    assert_eq!(
        server.query("SELECT position FROM d.audit_rejected FINAL"),
        "20000\n"
    );
    assert_eq!(
        server.query(
            "SELECT count() FROM d.audit_entries WHERE position < 20000 AND line != position + 1"
        ),
        "0\n",
        "each row at its own line"
    );
}

fn verify(target: &str) -> Output {
    support::auditui()
        .args(["verify", "--format", "json", target])
        .output()
        .unwrap()
}

/// `verify`'s text report on `target`.
fn verify_text(target: &str) -> String {
    text(
        &support::auditui()
            .args(["verify", target])
            .output()
            .unwrap()
            .stdout,
    )
}

/// (line, kind) of each finding in `verify --format json` output.
fn findings(output: &Output) -> Vec<(u64, String)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// ALTER ... UPDATE/DELETE run in the background: wait for them.
fn wait_for_mutations(server: &ClickHouse) {
    for _ in 0..600 {
        if server.query("SELECT count() FROM system.mutations WHERE is_done = 0") == "0\n" {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("mutations did not finish");
}

#[test]
fn verify_from_the_database_reports_what_verify_reports_on_the_files() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let mut lines = generated_lines(300);
    lines[99] = lines[99].replacen("\"success\": true", "\"success\": false", 1);
    lines.remove(150);
    lines.insert(200, "garbage\n".into());
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    assert_eq!(ingest(&server.url("d"), &log, &[]).status.code(), Some(1));
    let from_files = verify(log.to_str().unwrap());
    let from_database = verify(&server.url("d"));
    assert_eq!(
        from_database.status.code(),
        Some(1),
        "{}",
        text(&from_database.stderr)
    );
    assert!(!findings(&from_files).is_empty());
    assert_eq!(text(&from_database.stdout), text(&from_files.stdout));
}

#[test]
fn rows_edited_deleted_or_inserted_in_the_database_are_found_at_their_entry() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let lines = generated_lines(300);
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    let url = server.url("d");
    assert_eq!(ingest(&url, &log, &[]).status.code(), Some(0));
    assert_eq!(verify(&url).status.code(), Some(0));
    // Positions count from 0, lines from 1.
    server.query("ALTER TABLE d.audit_entries UPDATE tool = 'wipe_disk' WHERE position = 10");
    server.query("ALTER TABLE d.audit_entries UPDATE raw = replaceOne(raw, '\"timestamp\": \"2025', '\"timestamp\": \"2024') WHERE position = 40");
    server.query("ALTER TABLE d.audit_entries DELETE WHERE position = 60");
    server.query("ALTER TABLE d.audit_entries DELETE WHERE position >= 290");
    wait_for_mutations(&server);
    server.query("INSERT INTO d.audit_entries SELECT * FROM d.audit_entries WHERE position = 80");
    let tampered = verify(&url);
    assert_eq!(tampered.status.code(), Some(1));
    let found = findings(&tampered);
    let want = [
        (11, "modified"),
        (41, "modified"),
        (62, "link"),
        (81, "link"),
        (290, "truncated"),
    ];
    for (line, kind) in want {
        assert!(
            found.contains(&(line, kind.to_string())),
            "{line} {kind}: {found:?}"
        );
    }
    let stated = verify_text(&url);
    assert!(
        stated.contains(":11  modified   column tool differs from what its stored line gives"),
        "{stated}"
    );
    assert!(
        stated.contains(":41  modified   column ts differs"),
        "the edited line also says another time: {stated}"
    );
    assert_eq!(found.len(), want.len() + 1, "{found:?}");
}

/// The hashes are stored as 32 bytes; an entries table an older auditui
/// made (hex `String` hashes) is still ingested into and verified, in hex.
/// In both, an edited hash column is found at its entry.
#[test]
fn hashes_are_bytes_and_an_older_table_keeps_its_hex() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let lines = generated_lines(100);
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &lines);
    let hash_of = |line: &str| line.split("\"_hash\": \"").nth(1).unwrap()[..64].to_string();
    let (first, second) = (hash_of(&lines[0]), hash_of(&lines[1]));
    let current = schema::TABLES[0].create_as("hex.audit_entries", schema::TABLES[0].engine);
    let zeros = "0".repeat(64);
    for (database, create, stored) in [
        (
            "bytes",
            None,
            format!(
                "{}\t{}\n{}\t{}\n",
                first.to_uppercase(),
                zeros,
                second.to_uppercase(),
                first.to_uppercase()
            ),
        ),
        (
            "hex",
            Some(current.replace("FixedString(32)", "String")),
            format!("{first}\tgenesis\n{second}\t{first}\n"),
        ),
    ] {
        server.query(&format!("CREATE DATABASE {database}"));
        if let Some(create) = create {
            server.query(&create);
        }
        let url = server.url(database);
        let out = ingest(&url, &log, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let shown = if database == "bytes" {
            "hex(hash), hex(previous)"
        } else {
            "hash, previous"
        };
        assert_eq!(
            server.query(&format!(
                "SELECT {shown} FROM {database}.audit_entries WHERE position < 2 ORDER BY position FORMAT TSV"
            )),
            stored,
            "{database}"
        );
        assert_eq!(verify(&url).status.code(), Some(0), "{database}");
        server.query(&format!(
            "ALTER TABLE {database}.audit_entries UPDATE hash = previous WHERE position = 5"
        ));
        wait_for_mutations(&server);
        let stated = verify_text(&url);
        assert!(
            stated.contains(":6  modified   column hash differs from what its stored line gives"),
            "{database}: {stated}"
        );
    }
}

/// Exit 2 and one line on stderr that names the URL without a password.
fn assert_one_line_error(output: &Output, shown_url: &str, says: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("auditui: {shown_url}: ")),
        "{stderr}"
    );
    assert!(stderr.contains(says), "{says}: {stderr}");
    assert!(!stderr.contains("secret"), "{stderr}");
}

#[test]
fn bad_servers_credentials_databases_and_schemas_are_one_line_errors() {
    let user = "<users><auditor><password>secret</password><networks><ip>127.0.0.0/8</ip></networks>\
                <profile>default</profile><quota>default</quota></auditor></users>";
    let Some(server) = ClickHouse::builder().users_d("auditor.xml", user).start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &generated_lines(20));
    let port = server.http_port;
    let with_env_password = support::auditui()
        .arg("ingest")
        .arg(&log)
        .args(["--to", &format!("clickhouse://auditor@127.0.0.1:{port}/d")])
        .env("AUDITUI_CLICKHOUSE_PASSWORD", "secret")
        .output()
        .unwrap();
    assert_eq!(
        with_env_password.status.code(),
        Some(0),
        "{}",
        text(&with_env_password.stderr)
    );
    let wrong = ingest(
        &format!("clickhouse://auditor:secrets@127.0.0.1:{port}/d"),
        &log,
        &[],
    );
    assert_one_line_error(
        &wrong,
        &format!("clickhouse://auditor@127.0.0.1:{port}/d"),
        "Wrong password for user auditor",
    );
    let nowhere = format!("clickhouse://auditor:secret@127.0.0.1:{}/d", free_port());
    let refused = ingest(&nowhere, &log, &[]);
    assert_one_line_error(
        &refused,
        &nowhere.replace(":secret@", "@"),
        "connection refused",
    );
    let missing = verify(&server.url("absent"));
    assert_one_line_error(
        &missing,
        &server.url("absent"),
        "Database absent doesn't exist",
    );
    server.query("CREATE DATABASE other");
    server.query("CREATE TABLE other.audit_chains (chain String, verdict UInt8) ENGINE = Memory");
    let foreign = ingest(&server.url("other"), &log, &[]);
    assert_one_line_error(
        &foreign,
        &server.url("other"),
        "table audit_chains has another schema: column 2 is verdict UInt8, expected files Array(String)",
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_server_that_dies_mid_ingest_is_a_one_line_error() {
    let Some(mut server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE d");
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), &generated_lines(50_000));
    let url = server.url("d");
    let child = support::auditui()
        .args(["ingest", "--batch-rows", "100"])
        .arg(&log)
        .args(["--to", &url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while server
        .try_query("SELECT count() FROM d.audit_entries")
        .map_or(true, |n| n == "0\n")
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    server.kill();
    let output = child.wait_with_output().unwrap();
    assert_one_line_error(&output, &url, "");
}
