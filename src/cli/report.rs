//! `auditui report`: a patient's access report (or accounting of
//! disclosures) for a compliance officer, as text, JSON, CSV, Markdown or
//! a FHIR R4 Bundle of AuditEvents.

use super::EXIT_OK;
use super::common::{self, Input, Output};
use crate::backend::{Backend, RowKey, everything};
use crate::export::{self, Document};
use crate::views::Moment;
use crate::views::report::accounting;
use serde::Serialize;
use std::io::{self, Write};

/// A patient's access report over a period (the lesson's generate_access_report)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The period is inclusive at both ends; without --from or --to it starts or ends with the log's first or last entry. integrity_verified is true only if the chains holding these entries are intact and hash every field (hipaa logs do not: see integrity_note).\n\nExamples:\n  auditui report logs/ --patient P-0007\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-07-31T23:59:59Z --format json\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-08-01 --format md -o p7.md\n  auditui report logs/ --patient P-0007 --from 2025-01-01 --to 2025-12-31 --accounting --format csv -o p7.csv\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-08-01 --format fhir -o p7.fhir.json"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The patient_id to report on
    #[arg(long, value_name = "ID")]
    pub patient: String,
    /// Start of the period (2025-07-01, 2025-07-01T08:00, 2025-07-01T08:00:00+02:00)
    /// [default: the log's first entry]
    #[arg(long, value_name = "TIME", value_parser = parse_moment)]
    pub from: Option<Moment>,
    /// End of the period, included [default: the log's last entry]
    #[arg(long, value_name = "TIME", value_parser = parse_moment)]
    pub to: Option<Moment>,
    /// List disclosures (successful accesses) per date, recipient and purpose
    #[arg(long)]
    pub accounting: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: Output,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
    Md,
    /// FHIR R4 Bundle of the entries' AuditEvents
    Fhir,
}

fn parse_moment(text: &str) -> Result<Moment, String> {
    Moment::parse(text).ok_or_else(|| {
        "expected a time like 2025-07-07, 2025-07-07T12:00 or 2025-07-07T12:00:00+02:00".into()
    })
}

pub fn run(args: Args) -> Result<u8, String> {
    let loaded = common::load(&args.input)?;
    // The whole log's span, not the selection's: `-q` narrows the
    // entries, the period stays what the user asked for.
    let (span, _) = everything(loaded.backend.as_ref())?.span()?;
    let utc = |micros| Moment {
        micros,
        offset: Some(0),
    };
    let (first, last) = span.unwrap_or((0, 0));
    let from = args.from.unwrap_or(utc(first));
    let to = args.to.unwrap_or(utc(last));
    let report = loaded.selection.access_report(&args.patient, from, to)?;
    let format = args.format;
    let layout = common::TextLayout::for_output(&args.output);
    common::write_output(&args.output, &args.input, |out| {
        if args.accounting {
            let accounting = accounting(&report);
            let document = export::accounting_document(&accounting);
            write(
                format,
                layout,
                loaded.backend.as_ref(),
                &document,
                &accounting,
                &accounting.keys,
                out,
            )
        } else {
            let document = export::report_document(&report);
            write(
                format,
                layout,
                loaded.backend.as_ref(),
                &document,
                &report,
                &report.keys,
                out,
            )
        }
    })?;
    Ok(EXIT_OK)
}

/// The report in `format`: JSON is the view itself, FHIR the entries it
/// covers (`keys`), the rest its document.
fn write(
    format: Format,
    layout: common::TextLayout,
    backend: &dyn Backend,
    document: &Document,
    view: &impl Serialize,
    keys: &[RowKey],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => common::write_document(document, layout, out),
        Format::Json => export::json::write_pretty(view, out),
        Format::Csv => export::csv::write_table(&document.table, out),
        Format::Md => export::markdown::write_document(document, out),
        Format::Fhir => export::fhir::write_bundle(backend, keys, out),
    }
}
