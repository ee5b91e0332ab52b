//! Questions asked of a ClickHouse database give the answers the same logs
//! give in memory: every view, every kind of page, every filter term, and
//! hostile filter values that match literally and change nothing else.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

#[path = "support/clickhouse.rs"]
mod server;

use auditui::backend::clickhouse::rowbinary::Writer;
use auditui::backend::clickhouse::{ClickHouseBackend, Client, Url, schema};
use auditui::backend::memory::MemoryBackend;
use auditui::backend::{
    Backend, Detail, EntryRow, Order, Page, PageAt, RowKey, Selection, everything,
};
use auditui::filter::{Field, parse_filter};
use auditui::log::source::{Source, open_all};
use auditui::store::store::Outcome;
use auditui::tui::app::{Action, Effect};
use auditui::tui::testing::Harness;
use auditui::views::Moment;
use auditui::views::failures::NEWEST_LISTED;
use auditui::views::histogram::{DAY, HOUR, LATENCY_ERROR, MINUTE, Width};
use auditui::views::retention::Policies;
use server::ClickHouse;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn client(server: &ClickHouse, database: &str) -> Client {
    Client::new(Url::parse_with(&server.url(database), None).expect("valid URL"))
}

fn memory(sources: Vec<Source>) -> MemoryBackend {
    MemoryBackend::load(sources, |_| {}, &AtomicBool::new(false)).expect("not cancelled")
}

/// Writes every entry of `backend` into the entries table as ingest lays
/// rows out (chain identity and hashes do not matter to queries).
fn store_rows(client: &Client, backend: &dyn Backend) {
    let mut rows = Writer::default();
    everything(backend, Order::File)
        .unwrap()
        .for_each(&mut |row, raw| {
            let text = |field| row.field(field).unwrap_or_default().as_bytes();
            rows.string(b"");
            rows.u64(row.line as u64 - 1);
            rows.string(row.file.as_bytes());
            rows.u64(row.line as u64);
            rows.i64(row.key.time);
            // The table's field columns are in `Field::ALL` order.
            for field in Field::ALL {
                rows.string(text(field));
            }
            rows.i8(match row.outcome {
                Outcome::Ok => 1,
                Outcome::Failed => 0,
                Outcome::Unknown => -1,
            });
            rows.f64(row.duration_ms.unwrap_or(f64::NAN));
            rows.i32(row.turn.unwrap_or(-1));
            rows.string(b"");
            // `hash` and `previous`: FixedString(32).
            rows.fixed(&[0; 32]);
            rows.fixed(&[0; 32]);
            rows.string(raw);
            Ok(())
        })
        .unwrap()
        .unwrap();
    client
        .insert_row_binary(schema::ENTRIES, &rows.bytes)
        .unwrap();
}

/// The logs in memory, and the same logs in a fresh database `name`.
fn both(server: &ClickHouse, name: &str, paths: &[&str]) -> (MemoryBackend, ClickHouseBackend) {
    let paths: Vec<PathBuf> = paths
        .iter()
        .map(|p| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p))
        .collect();
    both_of(server, name, open_all(&paths).unwrap())
}

/// `sources` in memory, and the same in a fresh database `name`.
fn both_of(
    server: &ClickHouse,
    name: &str,
    sources: Vec<Source>,
) -> (MemoryBackend, ClickHouseBackend) {
    let memory = memory(sources);
    server.query(&format!("CREATE DATABASE {name}"));
    let client = client(server, name);
    schema::ensure(&client).unwrap();
    store_rows(&client, &memory);
    let database =
        ClickHouseBackend::open(client, memory.verification().clone()).expect("database opens");
    (memory, database)
}

/// The entries matching `filter` as the browser lists them: by time.
fn select(backend: &dyn Backend, filter: &str) -> Arc<dyn Selection> {
    select_in(backend, filter, Order::Time)
}

fn select_in(backend: &dyn Backend, filter: &str, order: Order) -> Arc<dyn Selection> {
    backend
        .select(
            &parse_filter(filter).unwrap(),
            order,
            &AtomicBool::new(false),
        )
        .unwrap()
        .unwrap()
}

/// Every entry of a selection, walked page by page with keys both ways.
fn walk(selection: &dyn Selection) -> Vec<String> {
    let mut seen = Vec::new();
    let mut page = selection.page(PageAt::First, 700).unwrap();
    while let Some(last) = page.rows.last() {
        assert_eq!(page.start, seen.len());
        seen.extend(page.rows.iter().map(|r| format!("{}:{}", r.file, r.line)));
        page = selection.page(PageAt::After(last.key), 700).unwrap();
    }
    let mut back = Vec::new();
    let mut page = selection.page(PageAt::Last, 500).unwrap();
    while let Some(first) = page.rows.first() {
        assert_eq!(page.start + page.rows.len(), selection.count() - back.len());
        back.splice(
            0..0,
            page.rows.iter().map(|r| format!("{}:{}", r.file, r.line)),
        );
        page = selection.page(PageAt::Before(first.key), 500).unwrap();
    }
    assert_eq!(back, seen, "walking backwards");
    seen
}

/// Keys are each backend's own (a row number in memory, a line in the
/// database): answers are compared without them, keys by what they find.
fn keyless(mut key: RowKey) -> RowKey {
    key.source = 0;
    key.position = 0;
    key
}

fn rows(page: Page) -> Page {
    Page {
        start: page.start,
        rows: page.rows.into_iter().map(row).collect(),
    }
}

fn row(mut row: EntryRow) -> EntryRow {
    row.key = keyless(row.key);
    row
}

fn detail(detail: Option<Detail>) -> Option<Detail> {
    detail.map(|mut d| {
        d.row = row(d.row);
        d
    })
}

/// Every question the views ask, the same from memory and from the database.
#[allow(clippy::too_many_lines)] // a checklist of questions, one line each
fn assert_same(memory: &dyn Backend, database: &dyn Backend, filter: &str) {
    let (m, d) = (select(memory, filter), select(database, filter));
    assert_eq!(d.count(), m.count(), "{filter}: count");
    assert_eq!(walk(&*d), walk(&*m), "{filter}: pages");
    assert_eq!(
        walk(&*select_in(database, filter, Order::File)),
        walk(&*select_in(memory, filter, Order::File)),
        "{filter}: pages in file order"
    );
    for order in [Order::Time, Order::File] {
        let (m, d) = (
            select_in(memory, filter, order),
            select_in(database, filter, order),
        );
        let past = m.count() + 5;
        assert_eq!(
            rows(d.page(PageAt::Index(past), 3).unwrap()),
            rows(m.page(PageAt::Index(past), 3).unwrap()),
            "{filter}: a page past the end, {order:?}"
        );
    }
    let middle = m.count() / 2;
    let (pm, pd) = (
        m.page(PageAt::Index(middle), 3).unwrap(),
        d.page(PageAt::Index(middle), 3).unwrap(),
    );
    if let (Some(first_m), Some(first_d)) = (pm.rows.first(), pd.rows.first()) {
        assert_eq!(
            d.locate(first_d.key).unwrap(),
            m.locate(first_m.key).unwrap()
        );
        assert_eq!(
            detail(database.detail(first_d.key).unwrap()),
            detail(memory.detail(first_m.key).unwrap()),
            "{filter}: detail"
        );
        // The database leaves the entry's row number out (a scan).
        let retention_of = |backend: &dyn Backend, key| {
            let policies = Policies::default();
            let entry = backend.retention_of(key, &policies, 0, 0).unwrap();
            entry.map(|e| {
                (
                    e.file, e.line, e.time, e.tool, e.policy, e.expires, e.status,
                )
            })
        };
        assert_eq!(
            retention_of(database, first_d.key),
            retention_of(memory, first_m.key),
            "{filter}: one entry's retention"
        );
    }
    assert_eq!(rows(pd), rows(pm), "{filter}: page at index");
    assert_eq!(d.span().unwrap(), m.span().unwrap(), "{filter}: span");
    assert_eq!(
        d.tool_stats().unwrap(),
        m.tool_stats().unwrap(),
        "{filter}: stats"
    );
    for width in [
        Width::Auto(60),
        Width::Fixed(600_000_000),
        Width::Fixed(1),
        Width::Fixed(HOUR),
    ] {
        assert_eq!(
            d.histogram(width).unwrap(),
            m.histogram(width).unwrap(),
            "{filter}: histogram {width:?}"
        );
    }
    let (am, ad) = (
        m.activity(Width::Auto(40), 8).unwrap().unwrap(),
        d.activity(Width::Auto(40), 8).unwrap().unwrap(),
    );
    assert_eq!(ad.histogram, am.histogram);
    assert_eq!(
        ad.latency.len(),
        am.latency.len(),
        "{filter}: latency tools"
    );
    for (ld, lm) in ad.latency.iter().zip(&am.latency) {
        assert_eq!(ld.tool, lm.tool);
        for (d, m) in ld.p95_ms.iter().zip(&lm.p95_ms) {
            match (d, m) {
                (Some(d), Some(m)) => assert!(
                    (d - m).abs() <= LATENCY_ERROR * d.abs().max(m.abs()) * 1.01,
                    "{filter}: p95 {d} vs {m}"
                ),
                _ => assert_eq!(d, m),
            }
        }
    }
    let failures = |s: &Arc<dyn Selection>| {
        let mut failures = s.failures().unwrap().iter().cloned().collect::<Vec<_>>();
        for failure in &mut failures {
            failure.key = keyless(failure.key);
        }
        failures
    };
    assert!(failures(&d) == failures(&m), "{filter}: failures");
    let policies = Policies::default();
    let now = 1_900_000_000_000_000;
    let retention = |s: &Arc<dyn Selection>| {
        let mut entries = s.retention(&policies, now, 86_400_000_000 * 30).unwrap();
        for entry in &mut entries {
            entry.key = keyless(entry.key);
        }
        entries
    };
    assert!(retention(&d) == retention(&m), "{filter}: retention");
    let alerts = |s: &Arc<dyn Selection>| {
        let mut alerts = s.alerts(2, 3_600_000_000).unwrap();
        for burst in &mut alerts.bursts {
            burst.first_key = keyless(burst.first_key);
        }
        for emergency in &mut alerts.emergencies {
            emergency.key = keyless(emergency.key);
        }
        alerts
    };
    assert!(alerts(&d) == alerts(&m), "{filter}: alerts");
    let (mut exported_m, mut exported_d) = (Vec::new(), Vec::new());
    m.for_each(&mut |entry, raw| {
        exported_m.push((row(entry.clone()), raw.to_vec()));
        Ok(())
    })
    .unwrap()
    .unwrap();
    d.for_each(&mut |entry, raw| {
        exported_d.push((row(entry.clone()), raw.to_vec()));
        Ok(())
    })
    .unwrap()
    .unwrap();
    assert!(
        exported_d == exported_m,
        "{filter}: every entry for exports"
    );
    if let Some((first, _)) = exported_m.first() {
        if let Some(conversation) = &first.conversation {
            let timeline = |s: &Arc<dyn Selection>| {
                let mut entries = s.timeline(conversation).unwrap();
                for entry in &mut entries {
                    entry.key = keyless(entry.key);
                }
                entries
            };
            assert_eq!(timeline(&d), timeline(&m), "{filter}: timeline");
        }
        if let Some(patient) = exported_m.iter().find_map(|(r, _)| r.patient.clone()) {
            let start = Moment::parse("2020-01-01T00:00:00+00:00").unwrap();
            let end = Moment::parse("2030-01-01T00:00:00+00:00").unwrap();
            let report = |s: &Arc<dyn Selection>| {
                let mut report = s.access_report(&patient, start, end).unwrap();
                for key in &mut report.keys {
                    *key = keyless(*key);
                }
                report
            };
            assert_eq!(report(&d), report(&m), "{filter}: report");
        }
    }
}

const FILTERS: &[&str] = &[
    "",
    "failed",
    "-failed",
    "ok",
    "tool:get_order|issue_refund",
    "-tool:search_kb",
    "user:nobody",
    "-user:nobody",
    "since:2025-07-06T08:30",
    "until:2025-07-06T08:30:00.5",
    "-since:2025-07-06T08:30",
    "last:20m",
    "-last:20m",
    "refund",
    "\"NOT FOUND\"",
    "-timeout",
    "\"é\"",
    "patient:P-0007",
    "purpose:treatment|emergency role:nurse",
    "failed tool:get_order last:1h",
];

#[test]
fn every_view_answers_from_the_database_as_from_the_files() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let (memory, database) = both(
        &server,
        "logs",
        &[
            // A database lists its files in name order: so do these.
            "sample-logs/TAMPERED-support-chain.jsonl",
            "sample-logs/clinic-hipaa.jsonl",
            "sample-logs/rotated",
            "sample-logs/support-chain.jsonl",
        ],
    );
    assert_eq!(database.entry_count(), memory.entry_count());
    assert_eq!(database.source_names(), memory.source_names());
    for filter in FILTERS {
        assert_same(&memory, &database, filter);
    }
    let mut values = memory.values(Field::Tool, &AtomicBool::new(false)).unwrap();
    values.sort();
    assert_eq!(
        database
            .values(Field::Tool, &AtomicBool::new(false))
            .unwrap(),
        values
    );
    let first = select(&memory, "").page(PageAt::First, 1).unwrap().rows[0].clone();
    let nearest = |backend: &dyn Backend, line| {
        let key = backend.nearest(&first.file, line).unwrap().unwrap();
        detail(backend.detail(key).unwrap())
    };
    for line in [first.line, first.line + 1_000_000] {
        assert_eq!(nearest(&database, line), nearest(&memory, line));
    }
}

#[test]
fn histograms_before_and_across_the_epoch_are_the_files_histograms() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    // Weeks on both sides of 1970 (negative times), entries on bucket
    // edges, one without a readable time.
    let times = [
        "1969-11-02T05:10:00-03:00",
        "1969-12-31T23:59:59.999999Z",
        "1970-01-01T00:00:00Z",
        "1970-01-01T00:59:59Z",
        "yesterday",
        "1970-01-02T13:00:00Z",
        "1970-01-19T01:00:00+05:00",
    ];
    let lines: String = times
        .iter()
        .enumerate()
        .map(|(i, time)| {
            format!(
                "{{\"timestamp\": \"{time}\", \"user_id\": \"u{i}\", \"tool_name\": \"t\", \
                 \"success\": {}, \"duration_ms\": {i}}}\n",
                i % 3 != 0
            )
        })
        .collect();
    let sources = vec![Source::from_bytes("epoch.jsonl", lines.into_bytes())];
    let (memory, database) = both_of(&server, "epoch", sources);
    for filter in ["", "failed", "until:1970-01-01T00:00:00Z"] {
        let (m, d) = (select(&memory, filter), select(&database, filter));
        // Pages by index in time order are found by the hours that hold
        // them; the untimed entry comes first.
        for index in 0..=m.count() {
            for len in [1, 2, 5] {
                assert_eq!(
                    rows(d.page(PageAt::Index(index), len).unwrap()),
                    rows(m.page(PageAt::Index(index), len).unwrap()),
                    "{filter}: {len} from {index}"
                );
            }
        }
        let automatic = [60, 3, 1, 2_000].map(Width::Auto);
        let fixed = [HOUR, 3 * DAY, 7 * HOUR, MINUTE].map(Width::Fixed);
        for width in automatic.into_iter().chain(fixed) {
            assert_eq!(
                d.histogram(width).unwrap(),
                m.histogram(width).unwrap(),
                "{filter}: {width:?}"
            );
        }
    }
}

#[test]
fn the_first_pages_by_time_are_found_in_the_first_hour_as_in_the_files() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    // 100 entries in the first hour, one without a time, a few later;
    // pages near the start are found there before the hours are counted.
    let mut times: Vec<String> = (0..100)
        .map(|i| format!("2025-07-06T09:{:02}:{:02}Z", i * 36 / 60, i * 36 % 60))
        .collect();
    times.extend(["never".into(), "2025-07-06T10:00:00Z".into()]);
    times.extend((0..4).map(|i| format!("2025-07-0{}T08:00:00Z", 7 + i)));
    let sources = vec![Source::from_bytes("hours.jsonl", timed_lines(&times))];
    let (memory, database) = both_of(&server, "hours", sources);
    for filter in [
        "",
        "failed",
        "user:u1",
        "until:2025-07-06T09:30:00Z",
        "user:nobody",
    ] {
        let m = select(&memory, filter);
        let indexes = [0, 1, 30, 63, 99, 100, 101, 105, 106];
        for index in indexes.into_iter().filter(|&i| i <= m.count()) {
            for len in [1, 10, 64, 96] {
                // A selection of its own: its hours are not counted yet.
                let d = select(&database, filter);
                assert_eq!(
                    rows(d.page(PageAt::Index(index), len).unwrap()),
                    rows(m.page(PageAt::Index(index), len).unwrap()),
                    "{filter}: {len} from {index}"
                );
            }
        }
    }
}

/// Lines of a log with these times, users `u0` to `u6` in turn.
fn timed_lines(times: &[String]) -> Vec<u8> {
    let lines: String = times
        .iter()
        .enumerate()
        .map(|(i, time)| {
            format!(
                "{{\"timestamp\": \"{time}\", \"user_id\": \"u{}\", \"tool_name\": \"t\", \
                 \"success\": {}, \"duration_ms\": {i}}}\n",
                i % 7,
                i % 3 != 0
            )
        })
        .collect();
    lines.into_bytes()
}

#[test]
fn the_earliest_time_is_found_whichever_part_the_server_reads_first() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    // Two inserts, two parts: the late file's earliest time is after the
    // early file's, whose first line is the log's earliest. Written in
    // both orders, the first part read is the late one in one of them,
    // and its first time is not the selection's earliest.
    let at =
        |day: u32, hour: u32, minute: u32| format!("2025-07-{day:02}T{hour:02}:{minute:02}:00Z");
    let late: Vec<String> = (0..40).map(|i| at(9 + i / 20, i % 20, i)).collect();
    let mut early = vec![at(6, 3, 0)];
    early.extend((0..60).map(|i| at(6, 4 + i / 30, i % 60)));
    early.push("never".into());
    let files = [
        ("late.jsonl", timed_lines(&late)),
        ("early.jsonl", timed_lines(&early)),
    ];
    let truth = memory(
        files
            .iter()
            .map(|(name, lines)| Source::from_bytes(*name, lines.clone()))
            .collect(),
    );
    for (n, order) in [[0, 1], [1, 0]].into_iter().enumerate() {
        let name = format!("parts{n}");
        server.query(&format!("CREATE DATABASE {name}"));
        let client = client(&server, &name);
        schema::ensure(&client).unwrap();
        for i in order {
            let (file, lines) = &files[i];
            store_rows(
                &client,
                &memory(vec![Source::from_bytes(*file, lines.clone())]),
            );
        }
        let database = ClickHouseBackend::open(client, truth.verification().clone()).unwrap();
        for filter in [
            "",
            "failed",
            "user:u3",
            "user:u5 failed",
            "since:2025-07-06T04:10:00Z",
        ] {
            let m = select(&truth, filter);
            for index in [0, 1, 2, 30, 60, 63]
                .into_iter()
                .filter(|&i| i <= m.count())
            {
                for len in [1, 15, 64] {
                    // A selection of its own: its hours are not counted yet.
                    let d = select(&database, filter);
                    assert_eq!(
                        rows(d.page(PageAt::Index(index), len).unwrap()),
                        rows(m.page(PageAt::Index(index), len).unwrap()),
                        "{name} {filter}: {len} from {index}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_browser_fetches_a_page_past_the_kept_one_on_a_worker() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let times: Vec<String> = (0..400)
        .map(|i| format!("2025-07-06T{:02}:{:02}:00Z", 9 + i / 60, i % 60))
        .collect();
    let sources = vec![Source::from_bytes("pages.jsonl", timed_lines(&times))];
    let (_, database) = both_of(&server, "pages", sources);
    let mut h = Harness::new(160, 48);
    h.send(Action::Loaded(Arc::new(database), Duration::ZERO));
    assert!(h.render().contains("u0"), "the first screen is kept");
    // Page down until the screen leaves the page the selection keeps: the
    // key is answered at once, the page is asked of a worker.
    let mut asked = Vec::new();
    for _ in 0..8 {
        h.send_before_jobs(Action::PageDown);
        asked = h.app.take_effects();
        if asked.iter().any(|e| matches!(e, Effect::Page(_))) {
            break;
        }
        h.runtime.execute(std::mem::take(&mut asked));
        h.send(Action::PaneReady);
    }
    assert!(
        asked.iter().any(|e| matches!(e, Effect::Page(_))),
        "a page past the kept one is a job"
    );
    let screen = h.render();
    assert!(screen.contains("looking up …"), "{screen}");
    assert!(screen.contains("looking up the entry …"), "{screen}");
    let selected = h.app.entries.selected;
    h.runtime.execute(asked);
    h.send(Action::PaneReady);
    let screen = h.render();
    assert!(!screen.contains("looking up"), "{screen}");
    let entry = h
        .app
        .selected_entry()
        .expect("the selected row is kept now");
    assert_eq!(entry.line, selected + 1, "one line per minute, in order");
    assert!(
        screen.contains(&format!("pages.jsonl:{}", selected + 1)),
        "{screen}"
    );
}

/// Values that would change a query if pasted into it unescaped.
const HOSTILE: &[&str] = &[
    "o'brien",
    "back\\slash",
    "end\\",
    "x'); DROP TABLE audit_entries; --",
    "' OR '1'='1",
    "SELECT * FROM system.tables",
    "semi;colon",
    "new\nline",
    "nul\0byte",
    "crème brûlée ÅNGSTRÖM",
    "\\'",
];

fn hostile_log() -> Vec<u8> {
    let mut log = Vec::new();
    for (i, value) in HOSTILE.iter().enumerate() {
        let json = serde_json::json!({
            "timestamp": format!("2025-07-06T08:00:{i:02}+00:00"),
            "user_id": value,
            "tool_name": format!("tool_{i}"),
            "arguments": {"note": value},
            "success": true,
        });
        log.extend_from_slice(json.to_string().as_bytes());
        log.push(b'\n');
    }
    log
}

#[test]
fn hostile_filter_values_match_literally_and_change_nothing() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let memory = memory(vec![Source::from_bytes("hostile.jsonl", hostile_log())]);
    server.query("CREATE DATABASE h");
    let client = client(&server, "h");
    schema::ensure(&client).unwrap();
    store_rows(&client, &memory);
    let database = ClickHouseBackend::open(client, memory.verification().clone()).unwrap();
    let quoted = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
    for value in HOSTILE {
        let filter = format!("user:{}", quoted(value));
        let selection = select(&database, &filter);
        assert_eq!(selection.count(), 1, "{filter}");
        let row = &selection.page(PageAt::First, 5).unwrap().rows[0];
        assert_eq!(row.user.as_deref(), Some(*value));
        assert_eq!(
            select(&database, &format!("-{filter}")).count(),
            HOSTILE.len() - 1
        );
        // Free text searches the line as written: JSON escapes and all.
        let written = serde_json::to_string(value).unwrap();
        let text = quoted(&written[1..written.len() - 1].to_uppercase());
        assert_same(&memory, &database, &text);
        assert_same(&memory, &database, &format!("{filter} {text}"));
    }
    assert_eq!(
        server.query("SELECT count() FROM h.audit_entries"),
        format!("{}\n", HOSTILE.len()),
        "the table is untouched"
    );
}

#[test]
fn a_database_lists_only_the_newest_failures_in_the_files_order() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    // Pairs of failures logged at the same second (ties in reverse log
    // order), more than a database lists, and a success among them.
    let lines: String = (0..NEWEST_LISTED * 2)
        .map(|i| {
            let (second, success) = (i / 2, i % 7 == 0);
            format!(
                "{{\"timestamp\": \"2025-07-06T08:{:02}:{:02}+00:00\", \"user_id\": \"u{i}\", \
                 \"tool_name\": \"t\", \"success\": {success}, \
                 \"result_summary\": {{\"error\": \"e{i}\"}}}}\n",
                second / 60,
                second % 60
            )
        })
        .collect();
    let sources = vec![Source::from_bytes("f.jsonl", lines.into_bytes())];
    let (memory, database) = both_of(&server, "failures", sources);
    let listed = |backend: &dyn Backend| -> Vec<(String, usize, Option<String>)> {
        let failures = select(backend, "").failures().unwrap();
        failures
            .iter()
            .map(|f| (f.file.clone(), f.line, f.error.clone()))
            .collect()
    };
    let all = listed(&memory);
    assert!(all.len() > NEWEST_LISTED);
    assert_eq!(listed(&database), all[..NEWEST_LISTED]);
}

#[test]
fn a_page_drawn_again_is_not_asked_of_the_database_again() {
    let Some(server) = ClickHouse::start() else {
        return;
    };
    let (_, database) = both(&server, "pages", &["tests/fixtures/hipaa.jsonl"]);
    let selection = select_in(&database, "", Order::File);
    let first = selection.page(PageAt::Index(0), 10).unwrap();
    // A row the database gains after the selection was counted, earlier
    // than all: a page asked of the database again would start with it.
    let file = server.query("SELECT any(file) FROM pages.audit_entries");
    server.query(&format!(
        "INSERT INTO pages.audit_entries (ts, file, line) VALUES (0, '{}', 0)",
        file.trim()
    ));
    // Nor is a part of that page (the selected entry alone).
    assert_eq!(
        selection.page(PageAt::Index(2), 1).unwrap().rows,
        first.rows[2..3]
    );
    assert_eq!(selection.page(PageAt::Index(0), 10).unwrap(), first);
    // Another place is asked for, and does see it.
    let other = selection.page(PageAt::First, 10).unwrap();
    assert_ne!(other.rows, first.rows);
}
