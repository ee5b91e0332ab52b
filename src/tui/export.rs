//! Writing the access report, or the entries the filter selects, to a
//! file in the format its name asks for.

use crate::export::atomic::{WriteError, write_atomic};
use crate::export::{csv, entries, fhir, json, markdown, report_document};
use crate::store::Store;
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

/// What `e` writes: the access report shown, or the filtered entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exporting {
    Report,
    Entries,
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
    store: &Store,
) -> Result<(), WriteError> {
    write_atomic(path, force, |out| match format {
        // JSON is the view itself (the lesson's keys); the others its document.
        Format::Json => json::write_pretty(report, out),
        Format::Csv => csv::write_table(&report_document(report).table, out),
        Format::Markdown => markdown::write_document(&report_document(report), out),
        Format::Fhir => fhir::write_bundle(store, &report.rows, out),
        // The original lines of the entries it lists.
        Format::Jsonl => json::write_lines(store, &report.rows, out),
    })
}

/// Write the entries `rows` to `path` as `auditui export` does.
pub fn write_entries(
    path: &Path,
    format: Format,
    force: bool,
    store: &Store,
    rows: &[u32],
) -> Result<(), WriteError> {
    write_atomic(path, force, |out| match format {
        Format::Json => json::write_array(store, rows, out),
        Format::Jsonl => json::write_lines(store, rows, out),
        Format::Csv => csv::write_table(&entries(store, rows), out),
        Format::Markdown => markdown::write_table(&entries(store, rows), out),
        Format::Fhir => fhir::write_bundle(store, rows, out),
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
