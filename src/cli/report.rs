//! `auditui report`: a patient's access report (or accounting of
//! disclosures) for a compliance officer, as text, JSON, CSV, Markdown or
//! a FHIR R4 Bundle of AuditEvents.

use super::EXIT_OK;
use super::common::{self, Input, Output};
use crate::export::{self, Document};
use crate::store::Store;
use crate::store::filter::{Zone, parse_time_in};
use crate::text::for_terminal;
use crate::views::Moment;
use crate::views::report::{accounting, filtered_report};
use serde::Serialize;
use std::io::{self, Write};

/// A patient's access report over a period (the lesson's generate_access_report)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The period is inclusive at both ends: a date alone in --to means the end of that day, so --from 2025-07-06 --to 2025-07-06 is all of 6 July (UTC). Without --from/--to the period is the filter's since:/until:, else the span of the patient's entries. With -q only the entries matching every term count, and the report says so (filter); `r` in the browser gives the same report for the same filter. integrity_verified is true only if the chains holding these entries are intact and hash every field (hipaa logs do not: see integrity_note). An id that never occurs in the log is warned about, with the closest id.\n\nExamples:\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-07-31 --format json\n  auditui report logs/ --patient P-0007 --from 2025-07-06 --to 2025-07-06 --format md -o p7.md\n  auditui report logs/ --patient P-0007 --from 2025-01-01 --to 2025-12-31 --accounting --format csv -o p7.csv\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-08-01 --format fhir -o p7.fhir.json\n  auditui report logs/ -q 'patient:P-0007 failed since:2025-07-06'"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The patient_id to report on; without it, the one patient: in -q
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,
    /// Start of the period, included (2025-07-01, 2025-07-01T08:00,
    /// 2025-07-01T08:00:00+02:00; UTC without an offset); a date alone is the
    /// start of that day
    #[arg(long, value_name = "TIME", value_parser = parse_moment)]
    pub from: Option<Moment>,
    /// End of the period, included; a date alone is the end of that day
    /// (--to 2025-07-31 includes all of 31 July)
    #[arg(long, value_name = "TIME", value_parser = parse_end)]
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

/// A date alone ends at the end of its day: `--from D --to D` is day D.
fn parse_end(text: &str) -> Result<Moment, String> {
    let mut moment = parse_moment(text)?;
    if let Some(end) = parse_time_in(text, Zone::Utc, true) {
        moment.micros = end;
    }
    Ok(moment)
}

pub fn run(args: Args) -> Result<u8, String> {
    let loaded = common::load(&args.input)?;
    let report = filtered_report(
        &loaded.store,
        &loaded.verification,
        &args.input.query.clone().unwrap_or_default(),
        args.patient.as_deref(),
        args.from,
        args.to,
    )
    .map_err(|e| format!("{e}, or --patient ID"))?;
    if let Some(note) = &report.patient_note {
        eprintln!("auditui: warning: {}", for_terminal(note));
    }
    let format = args.format;
    let layout = common::TextLayout::for_output(&args.output);
    common::write_output(&args.output, &args.input, |out| {
        if args.accounting {
            let accounting = accounting(&report);
            let document = export::accounting_document(&accounting);
            write(
                format,
                layout,
                &loaded.store,
                &document,
                &accounting,
                &accounting.rows,
                out,
            )
        } else {
            let document = export::report_document(&report);
            write(
                format,
                layout,
                &loaded.store,
                &document,
                &report,
                &report.rows,
                out,
            )
        }
    })?;
    Ok(EXIT_OK)
}

/// The report in `format`: JSON is the view itself, FHIR the entries it
/// covers (`rows`), the rest its document.
fn write(
    format: Format,
    layout: common::TextLayout,
    store: &Store,
    document: &Document,
    view: &impl Serialize,
    rows: &[u32],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => common::write_document(document, layout, out),
        Format::Json => export::json::write_pretty(view, out),
        Format::Csv => export::csv::write_table(&document.table, out),
        Format::Md => export::markdown::write_document(document, out),
        Format::Fhir => export::fhir::write_bundle(store, rows, out),
    }
}
