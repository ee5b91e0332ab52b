//! Markdown (GFM) for reports a person reads or prints: every log-derived
//! cell goes through [`markdown_cell`], so log text cannot inject markup,
//! links or invisible characters into the rendered page.

use super::{Document, Table};
use crate::text::markdown_cell;
use std::io::{self, Write};

/// A GFM table: header, alignment row, one line per row.
pub fn write_table(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let header = table
        .columns
        .iter()
        .map(|c| markdown_cell(c.name))
        .collect();
    out.write_all(line(header).as_bytes())?;
    let align = table
        .columns
        .iter()
        .map(|c| if c.numeric { "---:" } else { "---" }.to_owned())
        .collect();
    out.write_all(line(align).as_bytes())?;
    for row in &table.rows {
        let cells = row
            .iter()
            .map(|cell| markdown_cell(&cell.display()))
            .collect();
        out.write_all(line(cells).as_bytes())?;
    }
    Ok(())
}

/// A report as a printable document: title, period, counts, integrity, table.
pub fn write_document(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# {}: {}\n", doc.title, markdown_cell(&doc.patient))?;
    writeln!(
        out,
        "- Period: {} to {}",
        markdown_cell(&doc.period.start),
        markdown_cell(&doc.period.end)
    )?;
    writeln!(out, "- {}", doc.summary)?;
    for note in &doc.notes {
        writeln!(out, "- **Note**: {}", markdown_cell(note))?;
    }
    match &doc.integrity_note {
        None => writeln!(out, "- Integrity: verified")?,
        Some(note) => writeln!(
            out,
            "- Integrity: **not verified**: {}",
            markdown_cell(note)
        )?,
    }
    writeln!(out)?;
    write_table(&doc.table, out)
}
