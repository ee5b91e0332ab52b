//! `auditui report`: a patient's access report (or accounting of
//! disclosures) for a compliance officer, as text, JSON, CSV, Markdown or
//! a FHIR R4 Bundle of AuditEvents.

use super::EXIT_OK;
use super::common::{self, Input, Output};
use super::excerpt::excerpt_of;
use super::verify::read_note_text;
use crate::backend::report::filtered_report;
use crate::export;
use crate::export::report_file::{ReportFile, ReportFormat};
use crate::text::for_terminal;
use crate::time::{Zone, parse_time_in};
use crate::views::Moment;
use crate::views::report::accounting;
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

/// A patient's access report over a period (the lesson's generate_access_report)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The period is inclusive at both ends: a date alone in --to means the end of that day, so --from 2025-07-06 --to 2025-07-06 is all of 6 July (UTC). Without --from or --to it starts or ends with the filter's since:/until:, else the log's first or last entry. With -q only the entries matching every term count, and the report says so (filter); `r` in the browser gives the same report for the same filter. An id that never occurs in the log is warned about, with the closest id. integrity_verified is true only if the chains holding these entries are intact and hash every field (hipaa logs do not: see integrity_note).\n\nExamples:\n  auditui report logs/ --patient P-0007\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-07-31 --format json\n  auditui report logs/ -q 'patient:P-0007 failed since:2025-07-06'\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-08-01 --format md -o p7.md\n  auditui report logs/ --patient P-0007 --from 2025-01-01 --to 2025-12-31 --accounting --format csv -o p7.csv\n  auditui report logs/ --patient P-0007 --from 2025-07-01 --to 2025-08-01 --format fhir -o p7.fhir.json\n  auditui report logs/ --patient P-0007 --format md --with-proofs --checkpoint audit.checkpoint -o p7.md\n  auditui verify-excerpt p7.md --trusted-key checkpoints.pub"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The patient_id to report on; without it, the one patient: in -q
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,
    /// Start of the period, included (2025-07-01, 2025-07-01T08:00,
    /// 2025-07-01T08:00:00+02:00; UTC without an offset); a date alone is the
    /// start of that day [default: since: in -q, else the log's first entry]
    #[arg(long, value_name = "TIME", value_parser = parse_moment)]
    pub from: Option<Moment>,
    /// End of the period, included; a date alone is the end of that day
    /// (--to 2025-07-31 includes all of 31 July) [default: until: in -q, else
    /// the log's last entry]
    #[arg(long, value_name = "TIME", value_parser = parse_end)]
    pub to: Option<Moment>,
    /// List disclosures (successful accesses) per date, recipient and purpose
    #[arg(long)]
    pub accounting: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Carry the entries' inclusion proofs against --checkpoint, so the
    /// patient can check the report with `auditui verify-excerpt`
    #[arg(long, requires = "checkpoint")]
    pub with_proofs: bool,
    /// A checkpoint with a Merkle tree head, for --with-proofs
    #[arg(long, value_name = "FILE", requires = "with_proofs")]
    pub checkpoint: Option<PathBuf>,
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

pub(super) fn parse_moment(text: &str) -> Result<Moment, String> {
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
    let note = args.checkpoint.as_deref().map(read_note_text).transpose()?;
    let loaded = common::load_keeping(&args.input, note.is_some())?;
    let backend = loaded.backend.as_ref();
    let report = filtered_report(
        backend,
        &args.input.query.clone().unwrap_or_default(),
        args.patient.as_deref(),
        args.from,
        args.to,
    )
    .map_err(|e| format!("{e}, or --patient ID"))?;
    if let Some(note) = &report.patient_note {
        eprintln!("auditui: warning: {}", for_terminal(note));
    }
    let accounting = args.accounting.then(|| accounting(&report));
    let keys = accounting.as_ref().map_or(&report.keys, |a| &a.keys);
    let excerpt = match &note {
        Some((note, text)) => {
            let description = format!(
                "{} of patient {} from {} to {}",
                if args.accounting {
                    "accounting"
                } else {
                    "access report"
                },
                report.patient_id,
                report.report_period.start,
                report.report_period.end
            );
            Some(excerpt_of(backend, note, text, keys, description)?)
        }
        None => None,
    };
    let layout = common::TextLayout::for_output(&args.output);
    common::write_output(&args.output, &args.input, |w| match &accounting {
        Some(accounting) => {
            let document = export::accounting_document(accounting);
            let file = ReportFile {
                view: accounting,
                document: &document,
                backend,
                keys,
                excerpt: excerpt.as_ref(),
            };
            write_as(&file, args.format, layout, w)
        }
        None => {
            let document = export::report_document(&report);
            let file = ReportFile {
                view: &report,
                document: &document,
                backend,
                keys,
                excerpt: excerpt.as_ref(),
            };
            write_as(&file, args.format, layout, w)
        }
    })?;
    Ok(EXIT_OK)
}

/// The report in `--format`: text laid out for the terminal (then the
/// proofs), or a file format.
fn write_as(
    file: &ReportFile<'_, impl Serialize>,
    format: Format,
    layout: common::TextLayout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let format = match format {
        Format::Text => {
            common::write_document(file.document, layout, out)?;
            return out.write_all(file.armour("").as_bytes());
        }
        Format::Json => ReportFormat::Json,
        Format::Csv => ReportFormat::Csv,
        Format::Md => ReportFormat::Markdown,
        Format::Fhir => ReportFormat::Fhir,
    };
    file.write(format, out)
}
