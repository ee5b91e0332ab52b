//! `auditui query`: the entries that match a filter.

use super::EXIT_OK;
use super::common::{self, Input};
use crate::backend::Selection;
use crate::export;
use crate::store::Columns;
use std::io::{self, Write};

/// Print the entries that match a filter
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  auditui query logs/ -q 'user:usr_98765 failed'\n  auditui query logs/ -q 'patient:P-0007 last:24h' --format jsonl > p7.jsonl\n  auditui query logs/ -q '\"timeout\" -tool:search_kb' --count"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub listing: common::Listing,
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
    let loaded = if args.count {
        // A count reads nothing but what its filter tests, and does not
        // depend on the order: no time is read unless tested, and no line
        // after the load.
        common::load_matching(&args.input, Columns::FILTER_ONLY, true)?
    } else {
        common::load_listed(&args.input, args.listing.order())?
    };
    common::write_stdout(|out| {
        if args.count {
            writeln!(out, "{}", loaded.selection.count())
        } else {
            write_entries(args.format, loaded.selection.as_ref(), out)
        }
    })?;
    Ok(EXIT_OK)
}

/// Entries in one of the entry formats (shared with `export`).
pub(super) fn write_entries(
    format: EntryFormat,
    selection: &dyn Selection,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        EntryFormat::Text => common::write_table(
            &export::entries(selection)?,
            common::TextLayout::stdout(),
            out,
        ),
        EntryFormat::Json => export::json::write_array(selection, out),
        EntryFormat::Jsonl => export::json::write_lines(selection, out),
        EntryFormat::Csv => export::csv::write_table(&export::entries(selection)?, out),
    }
}
