//! ClickHouse: the client and the tables against a real server, started
//! privately for each test (skipped with one line when there is none).

#[path = "support/clickhouse.rs"]
mod server;

use auditui::backend::clickhouse::{Client, Url, schema};
use server::ClickHouse;

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
