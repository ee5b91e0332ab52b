//! Every view command run on a `clickhouse://` URL prints what it prints on
//! the files the database was filled from, byte for byte, in every format:
//! on one server, and through a `Distributed` table over two shards.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

#[path = "support/clickhouse.rs"]
mod server;
mod support;

use server::ClickHouse;
use std::process::Output;
use support::auditui;

/// The sample logs, named as ingest stores them (their order is name order,
/// the order a database lists files in).
const LOGS: &str = "sample-logs/";

fn run(args: &[&str]) -> Output {
    auditui().args(args).output().expect("auditui runs")
}

fn ingest(url: &str) {
    let out = run(&["ingest", LOGS, "--to", url, "--batch-rows", "1000"]);
    // Exit 1: the sample logs include a tampered one, ingested with its findings.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "ingest: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each view's output from the files and from `url`, compared.
fn assert_same_output(url: &str) {
    let views: &[&[&str]] = &[
        &["query", "-q", "failed tool:get_order|issue_refund"],
        &["query", "-q", "refund", "--format", "json"],
        &["query", "-q", "patient:P-0007", "--format", "jsonl"],
        &["query", "-q", "failed last:1d", "--format", "csv"],
        &[
            "query",
            "-q",
            "since:2025-07-06T08:30 until:2025-07-07",
            "--count",
        ],
        &["stats"],
        &["stats", "--query=-tool:search_kb", "--format", "json"],
        &["stats", "--format", "csv"],
        &["histogram"],
        &[
            "histogram",
            "-q",
            "failed",
            "--bucket",
            "10m",
            "--format",
            "json",
        ],
        &["histogram", "--bucket", "1h", "--format", "csv"],
        &["timeline", "--conversation", "conv_6c323dc8"],
        &[
            "timeline",
            "--conversation",
            "conv_6c323dc8",
            "--format",
            "json",
        ],
        &["report", "--patient", "P-0007"],
        &["report", "--patient", "P-0007", "--format", "json"],
        &["alerts", "--threshold", "2", "--window", "1h"],
        &["alerts", "--format", "json"],
        &["retention", "--now", "2031-07-07"],
        &[
            "retention",
            "--now",
            "2031-07-07",
            "-q",
            "tool:get_order",
            "--format",
            "json",
        ],
        &[
            "export",
            "-q",
            "user:usr_82836",
            "--format",
            "jsonl",
            "-o",
            "-",
        ],
        &[
            "export",
            "-q",
            "patient:P-0007",
            "--format",
            "csv",
            "-o",
            "-",
        ],
        &[
            "export",
            "-q",
            "purpose:treatment",
            "--format",
            "fhir",
            "-o",
            "-",
        ],
    ];
    for view in views {
        let (command, rest) = view.split_first().unwrap();
        let with = |source: &str| {
            let mut args = vec![*command, source];
            args.extend(rest);
            args.extend(["--color", "never"]);
            run(&args)
        };
        let (files, database) = (with(LOGS), with(url));
        assert_eq!(
            (database.status.code(), comparable(&database.stdout)),
            (files.status.code(), comparable(&files.stdout)),
            "{view:?}\nstderr from the database: {}",
            String::from_utf8_lossy(&database.stderr)
        );
        assert!(!files.stdout.is_empty(), "{view:?} printed nothing");
    }
}

/// Output without the one thing that differs between two runs: the time a
/// FHIR bundle was made (`lastUpdated`, and the bundle's own `timestamp`,
/// the only one indented by two spaces).
fn comparable(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|line| !line.contains("\"lastUpdated\"") && !line.starts_with("  \"timestamp\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_view_prints_the_same_from_the_database_as_from_the_files() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    server.query("CREATE DATABASE audit");
    let url = server.url("audit");
    ingest(&url);
    assert_same_output(&url);
}

#[test]
fn a_database_and_files_are_not_one_source() {
    let out = run(&["stats", LOGS, "clickhouse://127.0.0.1:1/x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be the only source"));
}

/// Two shards on one server: 127.0.0.1 with its tables in database
/// `shard1`, 127.0.0.2 with its own in `shard2` (each replica's default
/// database), and `audit` holding `Distributed` tables of the same names
/// over them.
const CLUSTER: &str = "<remote_servers><pair>\
    <shard><replica><host>127.0.0.1</host><port>{tcp_port}</port>\
    <default_database>shard1</default_database></replica></shard>\
    <shard><replica><host>127.0.0.2</host><port>{tcp_port}</port>\
    <default_database>shard2</default_database></replica></shard>\
    </pair></remote_servers>";

#[test]
fn a_two_shard_cluster_answers_as_one_node_does() {
    let Some(server) = ClickHouse::builder()
        .listen_host("127.0.0.2")
        .config_d("cluster.xml", CLUSTER)
        .start()
    else {
        return;
    };
    let schema = run(&["ingest", "--print-schema"]);
    let schema = String::from_utf8(schema.stdout).unwrap();
    for database in ["shard1", "shard2", "audit"] {
        server.query(&format!("CREATE DATABASE {database}"));
    }
    for statement in schema.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let name = statement
            .split_whitespace()
            .nth(5)
            .expect("CREATE TABLE IF NOT EXISTS name");
        for shard in ["shard1", "shard2"] {
            server.query(&statement.replacen(name, &format!("{shard}.{name}"), 1));
        }
        // Rows spread by chain and position; a chain's record stays whole.
        let key = if name == "audit_chains" {
            "sipHash64(chain)"
        } else {
            "sipHash64(chain, position)"
        };
        server.query(&format!(
            "CREATE TABLE audit.{name} AS shard1.{name} ENGINE = Distributed(pair, '', {name}, {key})"
        ));
    }
    server.query("CREATE DATABASE single");
    let (audit, single) = (server.url("audit"), server.url("single"));
    ingest(&single);
    ingest(&audit);
    let count = |table: &str| server.query(&format!("SELECT count() FROM {table}"));
    assert_eq!(count("audit.audit_entries"), count("single.audit_entries"));
    // Both shards hold some of the rows: the cluster is really used.
    for shard in ["shard1", "shard2"] {
        assert_ne!(count(&format!("{shard}.audit_entries")), "0\n", "{shard}");
    }
    assert_same_output(&audit);
}

/// A database an older auditui filled (its chains table without `newest`
/// and `file_entries`) reads the same, its rows counted instead; ingest
/// refuses it, naming the statement that brings it up to date, and after
/// that statement and one ingest it reads from the records again.
#[test]
fn an_older_auditui_database_is_read_and_ingest_says_how_to_upgrade_it() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    for database in ["current", "old"] {
        server.query(&format!("CREATE DATABASE {database}"));
    }
    ingest(&server.url("current"));
    let older_columns =
        "chain, files, scheme, entries, lines, head, verdict, findings, ingested_at";
    for table in ["audit_entries", "audit_rejected"] {
        server.query(&format!("CREATE TABLE old.{table} AS current.{table}"));
        server.query(&format!(
            "INSERT INTO old.{table} SELECT * FROM current.{table}"
        ));
    }
    server.query(
        "CREATE TABLE old.audit_chains (chain String, files Array(String), scheme String, \
         entries UInt64, lines UInt64, head String, verdict String, findings String, \
         ingested_at Int64) ENGINE = ReplacingMergeTree(ingested_at) ORDER BY chain",
    );
    server.query(&format!(
        "INSERT INTO old.audit_chains SELECT {older_columns} FROM current.audit_chains"
    ));
    let old = server.url("old");
    assert_same_output(&old);

    let refused = run(&["ingest", LOGS, "--to", &old]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let upgrade =
        "ALTER TABLE audit_chains ADD COLUMN newest Int64, ADD COLUMN file_entries Array(UInt64)";
    assert!(stderr.contains(upgrade), "{stderr}");

    server.query(&upgrade.replace("audit_chains", "old.audit_chains"));
    // Upgraded but not yet re-ingested: the records do not say, so counted.
    assert_same_output(&old);
    ingest(&old);
    let recorded = server.query("SELECT file_entries FROM old.audit_chains FINAL ORDER BY chain");
    assert!(!recorded.contains("[]"), "{recorded}");
    assert_same_output(&old);
}
