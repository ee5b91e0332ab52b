//! An access report or accounting in a file format, with its proofs when
//! it carries them: one function, so the browser's `e` and `auditui report`
//! write the same bytes.

use super::Document;
use crate::backend::{Backend, RowKey};
use crate::log::excerpt::{Excerpt, armoured};
use serde::Serialize;
use std::io::{self, Write};

/// The file formats of a report (the terminal's text is the CLI's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Markdown,
    /// A FHIR R4 Bundle of the covered entries' AuditEvents.
    Fhir,
}

/// A report ready to write: the view, its document, the entries it covers
/// and, when asked for, their inclusion proofs.
pub struct ReportFile<'a, V: Serialize> {
    pub view: &'a V,
    pub document: &'a Document,
    pub backend: &'a dyn Backend,
    pub keys: &'a [RowKey],
    pub excerpt: Option<&'a Excerpt>,
}

impl<V: Serialize> ReportFile<'_, V> {
    /// The report in `format`: JSON is the view itself, FHIR the entries it
    /// covers, the rest its document; each with the excerpt if there is one
    /// (in JSON as an `excerpt` member, in FHIR in the Bundle's meta, after
    /// the rest as an armoured block, commented out in CSV).
    pub fn write(&self, format: ReportFormat, out: &mut dyn Write) -> io::Result<()> {
        match format {
            ReportFormat::Json => match self.excerpt {
                Some(excerpt) => {
                    let mut value = serde_json::to_value(self.view).map_err(io::Error::other)?;
                    value["excerpt"] = serde_json::to_value(excerpt).map_err(io::Error::other)?;
                    super::json::write_pretty(&value, out)
                }
                None => super::json::write_pretty(self.view, out),
            },
            ReportFormat::Csv => {
                super::csv::write_table(&self.document.table, out)?;
                out.write_all(self.armour("# ").as_bytes())
            }
            ReportFormat::Markdown => {
                super::markdown::write_document(self.document, out)?;
                if self.excerpt.is_some() {
                    write!(
                        out,
                        "\n## Proofs\n\nCheck with `auditui verify-excerpt FILE --trusted-key KEY`.\n\n```\n{}```\n",
                        self.armour("")
                    )?;
                }
                Ok(())
            }
            ReportFormat::Fhir => match self.excerpt {
                Some(excerpt) => {
                    let text = serde_json::to_string(excerpt).map_err(io::Error::other)?;
                    super::fhir::write_bundle_with_excerpt(self.backend, self.keys, &text, out)
                }
                None => super::fhir::write_bundle(self.backend, self.keys, out),
            },
        }
    }

    /// The proofs as an armoured block, each line after `prefix`; empty
    /// without them.
    pub fn armour(&self, prefix: &str) -> String {
        self.excerpt
            .map(|e| armoured(e, prefix))
            .unwrap_or_default()
    }
}
