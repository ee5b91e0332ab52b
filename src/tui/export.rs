//! Writing the access report, or the entries the filter selects, to a
//! file in the format its name asks for.

use crate::backend::{Backend, Listed, RowKey};
use crate::export::atomic::{WriteError, write_atomic};
use crate::export::report_file::{ReportFile, ReportFormat};
use crate::export::{csv, each_entry, entries, fhir, json, markdown, report_document};
use crate::views::report::AccessReport;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    /// The entries' original lines, byte for byte.
    Jsonl,
    Csv,
    Markdown,
    /// A FHIR R4 Bundle of AuditEvents, one per access or entry.
    Fhir,
}

/// What `e` writes: the access report shown, or the filtered entries;
/// or what `E` writes: the marked entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exporting {
    Report,
    Entries,
    Marked,
}

/// The endings that choose a format, for prompts and messages.
pub const ENDINGS: &str = ".json, .jsonl, .csv, .md or .fhir.json";

impl Format {
    /// The format named by a path's extension.
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".fhir.json") {
            return Some(Format::Fhir);
        }
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(Format::Json),
            "jsonl" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// Write `report` to `path` atomically; without `force` an existing file
/// is an error, never replaced.
pub fn write_report(
    path: &Path,
    format: Format,
    force: bool,
    report: &AccessReport,
    backend: &dyn Backend,
) -> Result<(), WriteError> {
    let file = ReportFile {
        view: report,
        document: &report_document(report),
        backend,
        keys: &report.keys,
        excerpt: None,
    };
    write_atomic(path, force, |out| {
        let format = match format {
            // JSON is the view itself (the lesson's keys); the others its document.
            Format::Json => ReportFormat::Json,
            Format::Csv => ReportFormat::Csv,
            Format::Markdown => ReportFormat::Markdown,
            Format::Fhir => ReportFormat::Fhir,
            Format::Jsonl => {
                return Err(std::io::Error::other(
                    "a report is written as .json, .csv, .md or .fhir.json",
                ));
            }
        };
        file.write(format, out)
    })
}

/// Write the entries of `selection` (a filter's, or the marked ones) to
/// `path` as `auditui export` does, in the order they are listed.
pub fn write_entries(
    path: &Path,
    format: Format,
    force: bool,
    backend: &dyn Backend,
    selection: &dyn Listed,
) -> Result<(), WriteError> {
    write_atomic(path, force, |out| match format {
        Format::Json => json::write_array(selection, out),
        Format::Jsonl => json::write_lines(selection, out),
        Format::Csv => csv::write_table(&entries(selection)?, out),
        Format::Markdown => markdown::write_table(&entries(selection)?, out),
        Format::Fhir => {
            let mut keys: Vec<RowKey> = Vec::with_capacity(selection.count());
            each_entry(selection, &mut |entry, _| {
                keys.push(entry.key);
                Ok(())
            })?;
            fhir::write_bundle(backend, &keys, out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_chooses_the_format() {
        assert_eq!(Format::of(Path::new("r.JSON")), Some(Format::Json));
        assert_eq!(Format::of(Path::new("dir/r.md")), Some(Format::Markdown));
        assert_eq!(Format::of(Path::new("p7.FHIR.json")), Some(Format::Fhir));
        assert_eq!(Format::of(Path::new("e.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::of(Path::new("r.txt")), None);
        assert_eq!(Format::of(Path::new("report")), None);
    }
}
