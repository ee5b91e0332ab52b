//! `auditui query`: the entries that match a filter.

use super::EXIT_OK;
use super::common::{self, Input};
use crate::export;
use crate::store::Store;
use std::io::{self, Write};

/// Print the entries that match a filter
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  auditui query logs/ -q 'user:usr_98765 failed'\n  auditui query logs/ -q 'patient:P-0007 last:24h' --format jsonl > p7.jsonl\n  auditui query logs/ -q '\"timeout\" -tool:search_kb' --count"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// text: a table; json: one array of the logged objects; jsonl: the
    /// original lines byte for byte; csv: one row per entry
    #[arg(long, value_enum, default_value_t = EntryFormat::Text)]
    pub format: EntryFormat,
    /// Print only the number of matching entries
    #[arg(long)]
    pub count: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryFormat {
    Text,
    Json,
    Jsonl,
    Csv,
}

pub fn run(args: Args) -> Result<u8, String> {
    let loaded = common::load(&args.input)?;
    common::write_stdout(|out| {
        if args.count {
            writeln!(out, "{}", loaded.rows.len())
        } else {
            write_entries(args.format, &loaded.store, &loaded.rows, out)
        }
    })?;
    Ok(EXIT_OK)
}

/// Entries in one of the entry formats (shared with `export`).
pub(super) fn write_entries(
    format: EntryFormat,
    store: &Store,
    rows: &[u32],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        EntryFormat::Text => common::write_table(
            &export::entries(store, rows),
            common::TextLayout::stdout(),
            out,
        ),
        EntryFormat::Json => export::json::write_array(store, rows, out),
        EntryFormat::Jsonl => export::json::write_lines(store, rows, out),
        EntryFormat::Csv => export::csv::write_table(&export::entries(store, rows), out),
    }
}
