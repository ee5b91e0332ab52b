//! `auditui export`: matching entries into a file, written atomically.

use super::EXIT_OK;
use super::common::{self, Input, Output};
use super::query::{EntryFormat, write_entries};
use crate::backend::{RowKey, Selection};
use crate::export;
use crate::text::for_terminal;
use std::io;

/// Write the entries that match a filter to a file (jsonl, csv, json or fhir)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The file is written to a temporary name and renamed when complete; an existing file is kept unless --force.\n\nExamples:\n  auditui export logs/ -q 'patient:P-0007' -o p7.jsonl\n  auditui export logs/ -q 'failed since:2025-07-06' --format csv -o failures.csv\n  auditui export logs/ --format json -o - | jq length"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// jsonl: the original lines byte for byte (a chain export of a whole
    /// log still verifies); csv: one row per entry; json: one array; fhir:
    /// a FHIR R4 Bundle of AuditEvents
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    #[command(flatten)]
    pub output: Output,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Json,
    Fhir,
}

pub fn run(args: Args) -> Result<u8, String> {
    if args.output.output.is_none() {
        return Err("export needs -o FILE (or -o - for stdout)".into());
    }
    let loaded = common::load(&args.input)?;
    common::write_output(&args.output, &args.input, |out| {
        let format = match args.format {
            Format::Jsonl => EntryFormat::Jsonl,
            Format::Csv => EntryFormat::Csv,
            Format::Json => EntryFormat::Json,
            Format::Fhir => {
                let keys = all_keys(loaded.selection.as_ref())?;
                return export::fhir::write_bundle(loaded.backend.as_ref(), &keys, out);
            }
        };
        write_entries(format, loaded.selection.as_ref(), out)
    })?;
    if let Some(path) = args.output.output.filter(|p| p.as_os_str() != "-") {
        eprintln!(
            "auditui: wrote {} {} to {}",
            loaded.selection.count(),
            crate::text::plural(loaded.selection.count(), "entry", "entries"),
            for_terminal(&path.display().to_string())
        );
    }
    Ok(EXIT_OK)
}

/// The keys of every selected entry, for the FHIR Bundle.
fn all_keys(selection: &dyn Selection) -> io::Result<Vec<RowKey>> {
    let mut keys = Vec::with_capacity(selection.count());
    export::each_entry(selection, &mut |entry, _| {
        keys.push(entry.key);
        Ok(())
    })?;
    Ok(keys)
}
