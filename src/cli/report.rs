//! `auditui report`: a patient's access report (or accounting of
//! disclosures) for a compliance officer, as text, JSON, CSV, Markdown or
//! a FHIR R4 Bundle of AuditEvents.

use super::EXIT_OK;
use super::common::{self, Input, Output};
use super::excerpt::excerpt_of;
use super::verify::read_note_text;
use crate::backend::report::filtered_report;
use crate::backend::{Backend, RowKey};
use crate::export::{self, Document};
use crate::log::excerpt::{Excerpt, armoured};
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
    let out = Written {
        format: args.format,
        layout: common::TextLayout::for_output(&args.output),
        backend,
        keys,
        excerpt: excerpt.as_ref(),
    };
    common::write_output(&args.output, &args.input, |w| match &accounting {
        Some(accounting) => out.write(&export::accounting_document(accounting), accounting, w),
        None => out.write(&export::report_document(&report), &report, w),
    })?;
    Ok(EXIT_OK)
}

/// How the report is written, whichever view it is.
struct Written<'a> {
    format: Format,
    layout: common::TextLayout,
    backend: &'a dyn Backend,
    /// The entries the report covers.
    keys: &'a [RowKey],
    /// Their proofs, carried along when asked for.
    excerpt: Option<&'a Excerpt>,
}

impl Written<'_> {
    /// The report in `format`: JSON is the view itself, FHIR the entries it
    /// covers, the rest its document; each with the excerpt if there is one
    /// (in JSON as an `excerpt` member, in FHIR in the Bundle's meta, after
    /// the rest as an armoured block, commented out in CSV).
    fn write(
        &self,
        document: &Document,
        view: &impl Serialize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let armour = |prefix| {
            self.excerpt
                .map(|e| armoured(e, prefix))
                .unwrap_or_default()
        };
        match self.format {
            Format::Text => {
                common::write_document(document, self.layout, out)?;
                out.write_all(armour("").as_bytes())
            }
            Format::Json => match self.excerpt {
                Some(excerpt) => {
                    let mut value = serde_json::to_value(view).map_err(io::Error::other)?;
                    value["excerpt"] = serde_json::to_value(excerpt).map_err(io::Error::other)?;
                    export::json::write_pretty(&value, out)
                }
                None => export::json::write_pretty(view, out),
            },
            Format::Csv => {
                export::csv::write_table(&document.table, out)?;
                out.write_all(armour("# ").as_bytes())
            }
            Format::Md => {
                export::markdown::write_document(document, out)?;
                if self.excerpt.is_some() {
                    write!(
                        out,
                        "\n## Proofs\n\nCheck with `auditui verify-excerpt FILE --trusted-key KEY`.\n\n```\n{}```\n",
                        armour("")
                    )?;
                }
                Ok(())
            }
            Format::Fhir => match self.excerpt {
                Some(excerpt) => {
                    let text = serde_json::to_string(excerpt).map_err(io::Error::other)?;
                    export::fhir::write_bundle_with_excerpt(self.backend, self.keys, &text, out)
                }
                None => export::fhir::write_bundle(self.backend, self.keys, out),
            },
        }
    }
}
