//! CSV (RFC 4180) of a [`Table`], safe to open in a spreadsheet: text cells
//! go through [`csv_field`] (quoting, and a `'` before anything a
//! spreadsheet would evaluate as a formula), numbers through [`csv_number`].

use super::{Cell, Table};
use crate::text::{csv_field, csv_number};
use std::io::{self, Write};

/// Header line, then one line per row, CRLF-terminated as RFC 4180 asks.
pub fn write_table(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = table.columns.iter().map(|c| csv_field(c.name)).collect();
    write!(out, "{}\r\n", header.join(","))?;
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(s) => csv_field(s),
                Cell::Int(n) => csv_number(*n),
                Cell::Float(x) => csv_number(*x),
                Cell::Empty => String::new(),
            })
            .collect();
        write!(out, "{}\r\n", cells.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Column, Table};

    #[test]
    fn formulas_are_defused_and_numbers_stay_numbers() {
        let column = |name, numeric| Column {
            name,
            numeric,
            detail: false,
        };
        let table = Table {
            columns: vec![column("text", false), column("n", true)],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Int(-2)],
                vec![Cell::Text("-2".into()), Cell::Float(1.5)],
                vec![Cell::Empty, Cell::Empty],
            ],
        };
        let mut out = Vec::new();
        write_table(&table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "text,n\r\n\"'=HYPERLINK(\"\"x\"\")\",-2\r\n\"'-2\",1.5\r\n,\r\n"
        );
    }
}
