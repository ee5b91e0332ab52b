//! `auditui ingest`: verify logs and store them in ClickHouse, in one pass.

use super::color::Paint;
use super::common::{total_bytes, write_stdout};
use super::progress::Bar;
use super::{EXIT_FINDINGS, EXIT_OK, open_sources};
use crate::backend::clickhouse::ingest::{DEFAULT_BATCH_ROWS, Options, ingest};
use crate::backend::clickhouse::{Client, Url, schema};
use std::path::PathBuf;

/// Verify logs as `verify` does and add what is new to a ClickHouse database
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The URL is clickhouse://[user[:password]@]host[:port]/database (HTTP interface, port 8123 by default); the password may come from AUDITUI_CLICKHOUSE_PASSWORD instead. The tables (audit_entries, audit_rejected, audit_chains) are created when missing.\n\nRunning it again adds only lines the database does not have, and only to a chain whose stored lines are unchanged in the files: a rewritten chain is refused (a `rewritten` finding) and nothing of it is written. Broken chains are stored with their findings. An interrupted ingest resumes from its last whole batch.\n\nExamples:\n  auditui ingest logs/ --to clickhouse://localhost/audit\n  AUDITUI_CLICKHOUSE_PASSWORD=... auditui ingest logs/ --to clickhouse://auditor@db:8123/audit\n  auditui ingest --print-schema"
)]
pub struct Args {
    /// Log files or directories
    #[arg(required_unless_present = "print_schema")]
    pub paths: Vec<PathBuf>,
    /// The database: clickhouse://[user[:password]@]host[:port]/database
    #[arg(long, value_name = "URL", required_unless_present = "print_schema")]
    pub to: Option<String>,
    /// Rows per INSERT
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH_ROWS as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch_rows: u64,
    /// Print the CREATE TABLE statements instead (to create the tables yourself, on a cluster say)
    #[arg(long, conflicts_with_all = ["paths", "to"])]
    pub print_schema: bool,
}

/// Crash-recovery tests stop the writer after this many batches.
const STOP_AFTER_BATCHES: &str = "AUDITUI_INGEST_STOP_AFTER_BATCHES";

/// Crash-recovery tests lose this batch (not written, the next ones are).
const LOSE_BATCH: &str = "AUDITUI_INGEST_LOSE_BATCH";

fn number_from(variable: &str) -> Option<usize> {
    std::env::var(variable).ok().and_then(|n| n.parse().ok())
}

pub fn run(args: Args) -> Result<u8, String> {
    if args.print_schema {
        let statements: String = schema::TABLES.iter().map(|t| t.create() + ";\n").collect();
        write_stdout(|out| out.write_all(statements.as_bytes()))?;
        return Ok(EXIT_OK);
    }
    let url = Url::parse(args.to.as_deref().expect("clap requires --to"))?;
    // Synchronous inserts when the table is Distributed: a batch is
    // acknowledged only once its shards have it.
    let client = Client::new(url).with_setting("insert_distributed_sync", "1");
    let hashes = schema::ensure(&client)?;
    let sources = open_sources(&args.paths)?;
    let bar = Bar::new(total_bytes(&sources), "verifying and ingesting");
    let options = Options {
        batch_rows: args.batch_rows as usize,
        hashes,
        stop_after_batches: number_from(STOP_AFTER_BATCHES),
        lose_batch: number_from(LOSE_BATCH),
    };
    let outcome = ingest(&client, sources, &options, &mut |p| bar.update(p))?;
    bar.finish();
    let paint = Paint::stdout();
    let mut report = super::verify::to_text(&outcome.verification, paint);
    report.push_str(&format!(
        "{}: {} new lines written, {} already there{}\n",
        client.url(),
        outcome.written,
        outcome.already_stored,
        match outcome.refused {
            0 => String::new(),
            n => format!(", {n} chain(s) refused"),
        }
    ));
    write_stdout(|out| out.write_all(report.as_bytes()))?;
    Ok(if outcome.verification.intact() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
